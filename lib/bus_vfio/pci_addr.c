/* pci_addr.c: PCI addresses: parse "DDDD:BB:DD.F" / "BB:DD.F", format,
 * compare. Nothing else. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sl_bus_vfio.h"

static int parse_hex(const char **p, unsigned min_digits, unsigned max_digits, uint32_t *out)
{
	unsigned n = 0;
	uint32_t v = 0;

	while (isxdigit((unsigned char)**p) && n < max_digits) {
		char c = (char)tolower((unsigned char)**p);
		v = v * 16 + (uint32_t)(c <= '9' ? c - '0' : c - 'a' + 10);
		(*p)++;
		n++;
	}
	if (n < min_digits || isxdigit((unsigned char)**p))
		return -1;
	*out = v;
	return 0;
}

int sl_pci_addr_parse(const char *str, struct sl_pci_addr *out)
{
	const char *p = str;
	uint32_t a, b, d, f, dom = 0;
	const char *colon2;

	if (!str || !out)
		goto bad;
	/* Long form has two colons before the dot. */
	colon2 = strchr(str, ':');
	if (colon2 && strchr(colon2 + 1, ':')) {
		if (parse_hex(&p, 1, 8, &dom) || *p++ != ':')
			goto bad;
	}
	if (parse_hex(&p, 1, 2, &a) || *p++ != ':')
		goto bad;
	if (parse_hex(&p, 1, 2, &b) || *p++ != '.')
		goto bad;
	if (!isdigit((unsigned char)*p))
		goto bad;
	f = (uint32_t)(*p++ - '0');
	if (*p != '\0' || b > 0x1f || f > 7)
		goto bad;
	d = b;
	out->domain = dom;
	out->bus = (uint8_t)a;
	out->devid = (uint8_t)d;
	out->function = (uint8_t)f;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

void sl_pci_addr_format(const struct sl_pci_addr *addr, char *buf, size_t len)
{
	snprintf(buf, len, "%04" PRIx32 ":%02x:%02x.%x", addr->domain, addr->bus, addr->devid,
		 addr->function);
}

int sl_pci_addr_cmp(const struct sl_pci_addr *a, const struct sl_pci_addr *b)
{
	uint64_t x = ((uint64_t)a->domain << 24) | ((uint32_t)a->bus << 16) | ((uint32_t)a->devid << 8) |
		     a->function;
	uint64_t y = ((uint64_t)b->domain << 24) | ((uint32_t)b->bus << 16) | ((uint32_t)b->devid << 8) |
		     b->function;
	return x < y ? -1 : x > y;
}
