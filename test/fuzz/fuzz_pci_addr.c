/* fuzz_pci_addr.c: libFuzzer target for bus_vfio's PCI address parser
 * (sl_pci_addr_parse): any string either fails with EINVAL or parses to an
 * address that formats back to a string which parses to the same address. */
#include <errno.h>

#include "fuzz_common.h"
#include "sl_bus_vfio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char str[64], again[SL_PCI_ADDR_STRLEN];
	struct sl_pci_addr a, b;

	if (size >= sizeof(str))
		size = sizeof(str) - 1;
	memcpy(str, data, size);
	str[size] = '\0';
	errno = 0;
	if (sl_pci_addr_parse(str, &a) != 0) {
		FUZZ_ASSERT(errno == EINVAL, "'%s' refused with errno %d", str, errno);
		return 0;
	}
	FUZZ_ASSERT(a.devid <= 0x1f && a.function <= 7, "'%s' parsed to device %u function %u", str, a.devid,
		    a.function);
	sl_pci_addr_format(&a, again, sizeof(again));
	FUZZ_ASSERT(sl_pci_addr_parse(again, &b) == 0 && sl_pci_addr_cmp(&a, &b) == 0,
		    "'%s' formatted as '%s' does not parse back", str, again);
	return 0;
}
