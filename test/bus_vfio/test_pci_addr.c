/* test_pci_addr.c: PCI address parsing and formatting (long, short and
 * malformed forms). */
#include <errno.h>

#include "sl_bus_vfio.h"
#include "test_util.h"

static void good(const char *s, uint32_t dom, uint8_t b, uint8_t d, uint8_t f, const char *canon)
{
	struct sl_pci_addr a;
	char buf[SL_PCI_ADDR_STRLEN];

	memset(&a, 0xff, sizeof(a));
	CHECK(sl_pci_addr_parse(s, &a) == 0);
	CHECK(a.domain == dom && a.bus == b && a.devid == d && a.function == f);
	sl_pci_addr_format(&a, buf, sizeof(buf));
	if (strcmp(buf, canon) != 0) {
		fprintf(stderr, "format of %s: got %s, want %s\n", s, buf, canon);
		test_failures++;
	}
}

static void bad(const char *s)
{
	struct sl_pci_addr a;
	errno = 0;
	if (sl_pci_addr_parse(s, &a) != -1 || errno != EINVAL) {
		fprintf(stderr, "'%s' was accepted as a PCI address\n", s ? s : "(null)");
		test_failures++;
	}
}

int main(void)
{
	struct sl_pci_addr x, y;

	good("0000:01:00.0", 0, 1, 0, 0, "0000:01:00.0");
	good("0000:00:1f.7", 0, 0, 0x1f, 7, "0000:00:1f.7");
	good("0001:ff:1F.3", 1, 0xff, 0x1f, 3, "0001:ff:1f.3");
	good("01:00.1", 0, 1, 0, 1, "0000:01:00.1");      /* short form */
	good("3:2.1", 0, 3, 2, 1, "0000:03:02.1");        /* unpadded short form */
	good("10000:00:02.0", 0x10000, 0, 2, 0, "10000:00:02.0"); /* wide (VMD) domain */
	good("10f8f0f8:0:5.1", 0x10f8f0f8, 0, 5, 1, "10f8f0f8:00:05.1"); /* widest domain (found by test/fuzz/fuzz_pci_addr) */

	bad(NULL);
	bad("");
	bad("xyz");
	bad("0000:01:00");        /* no function */
	bad("0000:01:00.8");      /* function > 7 */
	bad("0000:01:20.0");      /* device > 1f */
	bad("0000:100:00.0");     /* bus > ff */
	bad("0000:01:00.0 ");     /* trailing space */
	bad("0000:01:00.0,iommu=type1"); /* args are not part of the address */
	bad("0000:0g:00.0");
	bad("00:00:01:00.0");
	bad("0000-01-00.0");
	bad(":01:00.0");
	bad("0000:01:00.");

	CHECK(sl_pci_addr_parse("0000:01:00.0", &x) == 0);
	CHECK(sl_pci_addr_parse("0000:02:00.0", &y) == 0);
	CHECK(sl_pci_addr_cmp(&x, &y) < 0 && sl_pci_addr_cmp(&y, &x) > 0 && sl_pci_addr_cmp(&x, &x) == 0);
	return test_result("test_pci_addr");
}
