/* eal_options_devargs.c: the device options -a/--allow, -b/--block and
 * --vdev NAME[,key=value...]: PCI address syntax, vdev names and DPDK's
 * vdev driver aliases (net_null -> null); and sl_devarg_get, which reads
 * one key of a "k=v,k=v" argument string. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "eal_private.h"
#include "eal_options_private.h"

/* PCI address: [DDDD:]BB:DD.F, hex; normalised to DDDD:BB:DD.F. */
static int parse_pci_addr(const char *s, char *out, size_t len)
{
	unsigned dom = 0, bus, dev, fn;
	int n = 0;

	if (sscanf(s, "%4x:%2x:%2x.%1x%n", &dom, &bus, &dev, &fn, &n) == 4 && s[n] == '\0' &&
	    n >= 12) {
		/* full form */
	} else if (n = 0, dom = 0,
		   sscanf(s, "%2x:%2x.%1x%n", &bus, &dev, &fn, &n) == 3 && s[n] == '\0' &&
			   n >= 7) {
		/* short form */
	} else {
		return -1;
	}
	for (const char *p = s; *p; p++) /* sscanf accepts signs and blanks; we do not */
		if (!isxdigit((unsigned char)*p) && *p != ':' && *p != '.')
			return -1;
	if (dev > 0x1f || fn > 7)
		return -1;
	snprintf(out, len, "%04x:%02x:%02x.%x", dom, bus, dev, fn);
	return 0;
}

/* DPDK's virtual device driver names and Sluice's. A --vdev name that
 * starts with a DPDK device class prefix (net_, crypto_, ...) must start
 * with a driver listed here; the port keeps the name as written
 * ("net_null0"), as in DPDK, and ethdev's vdev probe finds the driver of
 * Sluice's name ("null") behind the "net_". A Sluice vdev driver that
 * DPDK also has gets its line here. */
static const struct {
	const char *dpdk;   /* DPDK's driver name */
	const char *sluice; /* Sluice's vdev name prefix */
} vdev_aliases[] = {
	{"net_null", "null"},
};

static const char *const dpdk_vdev_classes[] = {
	"net_", "crypto_", "event_", "dma_", "baseband_", "compress_", "raw_", "regex_", "gpu_", "ml_",
};

/* The DPDK-named vdev NAME: 0 when Sluice has its driver (or NAME is not
 * DPDK-named), else -1 with WHY. */
static int check_vdev_alias(const char *name, char *why, size_t wlen)
{
	char known[128] = "";
	size_t off = 0;
	bool dpdk_named = false;

	for (size_t i = 0; i < SL_DIM(dpdk_vdev_classes); i++)
		if (strncmp(name, dpdk_vdev_classes[i], strlen(dpdk_vdev_classes[i])) == 0)
			dpdk_named = true;
	if (!dpdk_named)
		return 0;
	for (size_t i = 0; i < SL_DIM(vdev_aliases); i++) {
		size_t n = strlen(vdev_aliases[i].dpdk);
		if (strncmp(name, vdev_aliases[i].dpdk, n) == 0)
			return 0;
		int w = snprintf(known + off, sizeof(known) - off, "%s%s (Sluice's %s)",
				 off ? ", " : "", vdev_aliases[i].dpdk, vdev_aliases[i].sluice);
		if (w > 0 && (size_t)w < sizeof(known) - off)
			off += (size_t)w;
	}
	snprintf(why, wlen, "Sluice has no driver for this DPDK virtual device; its virtual "
		 "devices are %s", known);
	return -1;
}

int eal_opt_devarg(const struct eal_opt *o, const char *value, bool pci,
		   struct sl_devarg *list, unsigned *nb)
{
	struct sl_devarg d;
	const char *comma = strchr(value, ',');
	size_t name_len = comma ? (size_t)(comma - value) : strlen(value);
	char name[SL_DEVARG_NAME_LEN];

	memset(&d, 0, sizeof(d));
	if (name_len == 0 || name_len >= sizeof(name))
		return eal_opt_bad_value(o, value, NULL);
	memcpy(name, value, name_len);
	name[name_len] = '\0';
	if (pci) {
		if (parse_pci_addr(name, d.name, sizeof(d.name)) != 0)
			return eal_opt_bad_value(o, value, NULL);
	} else {
		char why[256];
		for (const char *p = name; *p; p++)
			if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' && *p != '.')
				return eal_opt_bad_value(o, value, NULL);
		if (check_vdev_alias(name, why, sizeof(why)) != 0)
			return eal_opt_bad_value(o, value, why);
		memcpy(d.name, name, name_len + 1);
	}
	if (comma) {
		const char *args = comma + 1;
		if (strlen(args) >= sizeof(d.args))
			return eal_opt_bad_value(o, value, "arguments are too long");
		/* every item must be key=value with a non-empty key */
		for (const char *item = args; *item;) {
			const char *next = strchr(item, ',');
			const char *eq = strchr(item, '=');
			size_t ilen = next ? (size_t)(next - item) : strlen(item);
			if (eq == NULL || eq == item || (size_t)(eq - item) >= ilen)
				return eal_opt_bad_value(o, value, NULL);
			item = next ? next + 1 : item + ilen;
			if (next && *item == '\0')
				return eal_opt_bad_value(o, value, NULL);
		}
		if (*args == '\0')
			return eal_opt_bad_value(o, value, NULL);
		memcpy(d.args, args, strlen(args) + 1);
	}
	for (unsigned i = 0; i < *nb; i++) {
		if (strcmp(list[i].name, d.name) == 0)
			return eal_opt_bad_value(o, value, "this device is already named");
	}
	if (*nb == SL_MAX_DEVARGS) {
		char why[64];
		snprintf(why, sizeof(why), "more than %d devices", SL_MAX_DEVARGS);
		return eal_opt_bad_value(o, value, why);
	}
	list[(*nb)++] = d;
	return 0;
}

int sl_devarg_get(const char *args, const char *key, char *val, size_t len)
{
	size_t klen;
	const char *p = args;

	if (args == NULL || key == NULL || key[0] == '\0')
		return -1;
	klen = strlen(key);
	while (*p) {
		const char *end = strchr(p, ',');
		size_t ilen = end ? (size_t)(end - p) : strlen(p);
		if (ilen > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
			size_t vlen = ilen - klen - 1;
			if (val != NULL && len > 0) {
				if (vlen >= len)
					vlen = len - 1;
				memcpy(val, p + klen + 1, vlen);
				val[vlen] = '\0';
			}
			return 0;
		}
		if (end == NULL)
			break;
		p = end + 1;
	}
	return -1;
}
