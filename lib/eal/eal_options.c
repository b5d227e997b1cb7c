/* eal_options.c: the EAL command line. Parses argv into a struct
 * eal_options without touching any live state, so a bad command line
 * leaves nothing behind; every error names the option, the bad value and
 * the form that is accepted. DPDK 22.11's EAL options are accepted as its
 * guides write them (-c, --lcores groups, -n, -b, --no-pci, --in-memory,
 * --file-prefix, --log-level 1-8 and lib.eal-style names, ...) or refused
 * with one line saying what Sluice does instead (doc/eal.md has the
 * table). Also sl_devarg_get for "k=v,k=v" strings. */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <regex.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "eal_private.h"

/* Largest -m we accept: 1 TiB, far beyond any host this runs on. */
#define EAL_MAX_MEM_MB (1024u * 1024u)

enum eal_opt_id {
	OPT_LCORES,
	OPT_MAIN_LCORE,
	OPT_ALLOW,
	OPT_VDEV,
	OPT_NO_HUGE,
	OPT_MEM,
	OPT_SOCKET_MEM,
	OPT_HUGE_DIR,
	OPT_IOVA_MODE,
	OPT_BASE_VIRTADDR,
	OPT_LOG_LEVEL,
	OPT_VFIO_BACKEND,
	OPT_ALLOW_NOIOMMU,
	OPT_SKIP_FAILED_DEVICES,
	OPT_HELP,
	/* DPDK's */
	OPT_COREMASK,
	OPT_CHANNELS,
	OPT_RANKS,
	OPT_BLOCK,
	OPT_NO_PCI,
	OPT_IN_MEMORY,
	OPT_FILE_PREFIX,
	OPT_PROC_TYPE,
	OPT_NO_SHCONF,
	OPT_NO_TELEMETRY,
	OPT_SINGLE_FILE_SEGMENTS,
	OPT_LEGACY_MEM,
	OPT_HUGE_UNLINK,
};

enum eal_arg {
	ARG_NONE = 0,
	ARG_REQUIRED = 1,
	ARG_OPTIONAL = 2, /* only as --name=value, as getopt_long's optional_argument */
};

struct eal_opt {
	enum eal_opt_id id;
	char short_name;       /* 0: none */
	const char *long_name;
	enum eal_arg has_arg;
	const char *form;      /* the accepted form, for error messages */
};

static const struct eal_opt eal_opts[] = {
	{OPT_LCORES, 'l', "lcores", true,
	 "a list of lcore numbers and ranges, each optionally @CPU, e.g. 0-1, 0,2-3 or 0,1-2@1, "
	 "or DPDK's groups: (0-1)@2 (both lcores on CPU 2), 1@(2,3) (lcore 1 on CPUs 2 and 3)"},
	{OPT_MAIN_LCORE, 0, "main-lcore", true, "one lcore number from the -l list, e.g. 0"},
	{OPT_ALLOW, 'a', "allow", true,
	 "a PCI address [DOMAIN:]BUS:DEV.FN with optional key=value arguments, "
	 "e.g. 0000:01:00.0 or 01:00.0,iommu=type1"},
	{OPT_VDEV, 0, "vdev", true,
	 "a virtual device name with optional key=value arguments, e.g. null0 or null0,size=64"},
	{OPT_NO_HUGE, 0, "no-huge", false, NULL},
	{OPT_MEM, 'm', NULL, true, "a number of megabytes, e.g. 64"},
	{OPT_SOCKET_MEM, 0, "socket-mem", true,
	 "megabytes per NUMA socket, e.g. 64 or 64,64"},
	{OPT_HUGE_DIR, 0, "huge-dir", true, "the directory where a hugetlbfs is mounted"},
	{OPT_IOVA_MODE, 0, "iova-mode", true, "va or pa"},
	{OPT_BASE_VIRTADDR, 0, "base-virtaddr", true,
	 "a 4 KiB-aligned address from 0x10000 up to below 0x800000000000 (2^47), "
	 "hexadecimal with 0x or decimal, e.g. 0x100000000"},
	{OPT_LOG_LEVEL, 0, "log-level", true,
	 "a level (err, warning, notice, info, debug, or DPDK's 1-8: 1-4 err, 5 warning, "
	 "6 notice, 7 info, 8 debug), or COMPONENT:LEVEL (eal, net_igb, or DPDK's lib.eal, "
	 "pmd.net.*), or REGEX,LEVEL"},
	{OPT_VFIO_BACKEND, 0, "vfio-backend", true, "auto, iommufd, type1 or noiommu"},
	{OPT_ALLOW_NOIOMMU, 0, "allow-noiommu", false, NULL},
	{OPT_SKIP_FAILED_DEVICES, 0, "skip-failed-devices", false, NULL},
	{OPT_HELP, 'h', "help", false, NULL},
	{OPT_COREMASK, 'c', NULL, true,
	 "a hexadecimal mask of lcores, each on the CPU of its number, e.g. 0x3 for lcores 0 and 1"},
	{OPT_CHANNELS, 'n', NULL, true, "a number of memory channels, 1-64 (it has no effect)"},
	{OPT_RANKS, 'r', NULL, true, "a number of memory ranks, 1-16 (it has no effect)"},
	{OPT_BLOCK, 'b', "block", true,
	 "a PCI address [DOMAIN:]BUS:DEV.FN the bus is to skip, e.g. 0000:01:00.0"},
	{OPT_NO_PCI, 0, "no-pci", false, NULL},
	{OPT_IN_MEMORY, 0, "in-memory", false, NULL},
	{OPT_FILE_PREFIX, 0, "file-prefix", true, "a name without '/', e.g. app1 (it has no effect)"},
	{OPT_PROC_TYPE, 0, "proc-type", true,
	 "primary or auto (Sluice has no multi-process support, so no secondary)"},
	{OPT_NO_SHCONF, 0, "no-shconf", false, NULL},
	{OPT_NO_TELEMETRY, 0, "no-telemetry", false, NULL},
	{OPT_SINGLE_FILE_SEGMENTS, 0, "single-file-segments", false, NULL},
	{OPT_LEGACY_MEM, 0, "legacy-mem", false, NULL},
	{OPT_HUGE_UNLINK, 0, "huge-unlink", ARG_OPTIONAL, "always or existing (or no value)"},
};

/* DPDK options Sluice cannot honour: one line naming the option and what to
 * do instead. PREFIX entries match every long option that starts so. */
static const struct {
	char short_name;
	const char *long_name;
	bool prefix;
	const char *why;
} eal_refused[] = {
	{'d', NULL, false,
	 "it loads a DPDK driver plugin; Sluice's drivers (net_null, net_igb, net_virtio) are "
	 "built in and nothing is loaded at run time: drop -d and its argument"},
	{0, "master-lcore", false,
	 "DPDK renamed it in 20.11 and Sluice has only the new name: use --main-lcore N"},
	{'w', "pci-whitelist", false, "DPDK renamed it in 20.11: use -a/--allow BDF"},
	{0, "pci-blacklist", false, "DPDK renamed it in 20.11: use -b/--block BDF"},
	{0, "vfio-intr", false,
	 "Sluice's drivers choose the interrupt type themselves (MSI-X, else MSI, else INTx): "
	 "drop the option"},
	{0, "vfio-vf-token", false,
	 "Sluice does not open SR-IOV VFs whose PF is bound to vfio-pci (no VF token support): "
	 "drop the option and use a VF whose PF stays with its kernel driver"},
	{0, "create-uio-dev", false,
	 "Sluice uses VFIO only, never UIO, so there are no /dev/uioN nodes to create: drop "
	 "the option"},
	{0, "match-allocations", false,
	 "Sluice's DMA heap frees hugepage segments only at sl_eal_cleanup, never per "
	 "allocation, so there is nothing to match: drop the option"},
	{0, "trace", true,
	 "Sluice has no trace framework (DPDK's rte_trace): drop the option and use "
	 "--log-level COMPONENT:debug instead"},
};

static const char *opt_label(const struct eal_opt *o, char *buf, size_t len)
{
	if (o->short_name && o->long_name)
		snprintf(buf, len, "-%c/--%s", o->short_name, o->long_name);
	else if (o->short_name)
		snprintf(buf, len, "-%c", o->short_name);
	else
		snprintf(buf, len, "--%s", o->long_name);
	return buf;
}

static int bad_value(const struct eal_opt *o, const char *value, const char *why)
{
	char label[32];

	if (why)
		SL_LOG(ERR, EAL_LOG, "invalid value '%s' for %s (%s): expected %s", value,
		       opt_label(o, label, sizeof(label)), why, o->form);
	else
		SL_LOG(ERR, EAL_LOG, "invalid value '%s' for %s: expected %s", value,
		       opt_label(o, label, sizeof(label)), o->form);
	errno = EINVAL;
	return -1;
}

/* Strict unsigned decimal: digits only, no sign, no blanks, no overflow. */
static int parse_uint(const char *s, const char **end, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -1;
	while (isdigit((unsigned char)*p)) {
		unsigned d = (unsigned)(*p - '0');
		if (v > max / 10 || (v == max / 10 && d > max % 10))
			return -1;
		v = v * 10 + d;
		p++;
	}
	if (end)
		*end = p;
	else if (*p != '\0')
		return -1;
	*out = v;
	return 0;
}

/* "CPU c is not available to this process, which may use CPUs 0,1" */
static int cpu_unavailable(const struct eal_opt *o, const char *value, unsigned long c,
			   const cpu_set_t *allowed)
{
	char why[160], cpus[96] = "";
	size_t off = 0;

	for (unsigned k = 0; k < SL_MAX_LCORE && off < sizeof(cpus) - 8; k++)
		if (CPU_ISSET(k, allowed))
			off += (size_t)snprintf(cpus + off, sizeof(cpus) - off, "%s%u", off ? "," : "", k);
	snprintf(why, sizeof(why), "CPU %lu is not available to this process, which may use CPUs %s",
		 c, cpus);
	return bad_value(o, value, why);
}

/* "0-1,3" for a set, into BUF. */
static void format_set(const struct eal_cpuset *set, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned c = 0; c < SL_MAX_LCORE && off < len; c++) {
		unsigned e = c;
		int n;
		if (!eal_cpuset_isset(set, c))
			continue;
		while (e + 1 < SL_MAX_LCORE && eal_cpuset_isset(set, e + 1))
			e++;
		n = e == c ? snprintf(buf + off, len - off, "%s%u", off ? "," : "", c)
			   : snprintf(buf + off, len - off, "%s%u-%u", off ? "," : "", c, e);
		if (n < 0)
			break;
		off += (size_t)n;
		c = e;
	}
}

static unsigned set_count(const struct eal_cpuset *set)
{
	unsigned n = 0;
	for (size_t i = 0; i < SL_DIM(set->bits); i++)
		n += (unsigned)__builtin_popcountll(set->bits[i]);
	return n;
}

/* One set as DPDK's --lcores writes it: N, N-M, or a group "(N,N-M,...)".
 * WHAT is "lcore" or "CPU" for the messages. 0, or -1 with WHY filled. */
static int parse_set(const char **pp, const char *what, struct eal_cpuset *set, char *why,
		     size_t wlen)
{
	const char *p = *pp;
	bool group = *p == '(';

	memset(set, 0, sizeof(*set));
	if (group)
		p++;
	for (;;) {
		unsigned long lo, hi;
		const char *end;

		if (parse_uint(p, &end, ULONG_MAX, &lo) != 0) {
			if (group && *p == ')')
				snprintf(why, wlen, "empty group '()'");
			else
				snprintf(why, wlen, "expected a%s %s number%s", what[0] == 'l' ? "n" : "",
					 what, what[0] == 'C' ? " after '@' (or a group such as (2,3))" : "");
			return -1;
		}
		hi = lo;
		if (*end == '-') {
			if (parse_uint(end + 1, &end, ULONG_MAX, &hi) != 0) {
				snprintf(why, wlen, "expected a%s %s number after '-'",
					 what[0] == 'l' ? "n" : "", what);
				return -1;
			}
			if (hi < lo) {
				snprintf(why, wlen, "range %lu-%lu runs backwards", lo, hi);
				return -1;
			}
		}
		if (hi >= SL_MAX_LCORE) {
			snprintf(why, wlen, "%s %lu is above the limit of %d", what, hi, SL_MAX_LCORE - 1);
			return -1;
		}
		for (unsigned long c = lo; c <= hi; c++)
			eal_cpuset_set(set, (unsigned)c);
		p = end;
		if (!group)
			break;
		if (*p == ')') {
			p++;
			break;
		}
		if (*p != ',') {
			snprintf(why, wlen, "group '(' without its ')'");
			return -1;
		}
		p++;
	}
	*pp = p;
	return 0;
}

/* -l/--lcores: comma-separated elements LCORES[@CPUS] as DPDK's --lcores
 * (of which DPDK's -l corelist is the part without '@'): LCORES is N, N-M
 * or a group (N,N-M,...); without '@' lcore N runs on CPU N, with it every
 * lcore of LCORES is a thread of its own that may run on the CPUs of CPUS
 * (one CPU: pinned; several: any of them, as DPDK does). */
static int parse_lcores(const struct eal_opt *o, const char *value, struct eal_options *opts)
{
	struct eal_cpuset cpus_of[SL_MAX_LCORE];
	bool set[SL_MAX_LCORE] = {false};
	const char *p = value;
	cpu_set_t allowed;
	unsigned count = 0;
	char why[192];

	CPU_ZERO(&allowed);
	if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0)
		CPU_ZERO(&allowed);
	memset(cpus_of, 0, sizeof(cpus_of));

	for (;;) {
		struct eal_cpuset lset, cset;
		bool at = false;

		if (parse_set(&p, "lcore", &lset, why, sizeof(why)) != 0)
			return bad_value(o, value, why);
		if (*p == '@') {
			p++;
			at = true;
			if (parse_set(&p, "CPU", &cset, why, sizeof(why)) != 0)
				return bad_value(o, value, why);
			for (unsigned c = 0; c < SL_MAX_LCORE; c++)
				if (eal_cpuset_isset(&cset, c) && !CPU_ISSET(c, &allowed))
					return cpu_unavailable(o, value, c, &allowed);
		}
		for (unsigned l = 0; l < SL_MAX_LCORE; l++) {
			struct eal_cpuset on;
			if (!eal_cpuset_isset(&lset, l))
				continue;
			if (at) {
				on = cset;
			} else {
				if (!CPU_ISSET(l, &allowed))
					return cpu_unavailable(o, value, l, &allowed);
				memset(&on, 0, sizeof(on));
				eal_cpuset_set(&on, l);
			}
			if (set[l] && memcmp(&cpus_of[l], &on, sizeof(on)) != 0) {
				char a[64], b[64];
				format_set(&cpus_of[l], a, sizeof(a));
				format_set(&on, b, sizeof(b));
				snprintf(why, sizeof(why), "lcore %u is given on CPU%s %s and on CPU%s %s",
					 l, set_count(&cpus_of[l]) > 1 ? "s" : "", a,
					 set_count(&on) > 1 ? "s" : "", b);
				return bad_value(o, value, why);
			}
			if (!set[l])
				count++;
			set[l] = true;
			cpus_of[l] = on;
		}
		if (*p == '\0')
			break;
		if (*p != ',')
			return bad_value(o, value, *p == ')' ? "')' without its '('" : NULL);
		p++;
	}
	if (count == 0)
		return bad_value(o, value, NULL);
	memcpy(opts->lcore_enabled, set, sizeof(set));
	for (unsigned c = 0; c < SL_MAX_LCORE; c++) {
		if (set[c]) {
			opts->lcore_cpus[c] = cpus_of[c];
			opts->lcore_cpu[c] = c;
			for (unsigned k = 0; k < SL_MAX_LCORE; k++)
				if (eal_cpuset_isset(&cpus_of[c], k)) {
					opts->lcore_cpu[c] = k;
					break;
				}
		} else {
			memset(&opts->lcore_cpus[c], 0, sizeof(opts->lcore_cpus[c]));
			opts->lcore_cpu[c] = c;
		}
	}
	opts->lcores_given = true;
	return 0;
}

/* -c MASK: DPDK's hexadecimal coremask (optional 0x); lcore N on CPU N
 * for every bit N set. */
static int parse_coremask(const struct eal_opt *o, const char *value, struct eal_options *opts)
{
	const char *p = value, *digits;
	size_t nd;
	cpu_set_t allowed;
	unsigned count = 0;
	bool set[SL_MAX_LCORE] = {false};

	CPU_ZERO(&allowed);
	if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0)
		CPU_ZERO(&allowed);
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	digits = p;
	nd = strlen(digits);
	if (nd == 0)
		return bad_value(o, value, "no hexadecimal digits");
	for (size_t i = 0; i < nd; i++)
		if (!isxdigit((unsigned char)digits[i]))
			return bad_value(o, value, "not a hexadecimal number");
	/* digit nd-1 holds bits 0-3 */
	for (size_t i = 0; i < nd; i++) {
		char ch = (char)tolower((unsigned char)digits[nd - 1 - i]);
		unsigned d = isdigit((unsigned char)ch) ? (unsigned)(ch - '0') : (unsigned)(ch - 'a' + 10);
		for (unsigned b = 0; b < 4; b++) {
			size_t c = i * 4 + b;
			if (!(d & (1u << b)))
				continue;
			if (c >= SL_MAX_LCORE) {
				char why[96];
				snprintf(why, sizeof(why), "bit %zu is above the lcore limit of %d", c,
					 SL_MAX_LCORE - 1);
				return bad_value(o, value, why);
			}
			if (!CPU_ISSET(c, &allowed))
				return cpu_unavailable(o, value, c, &allowed);
			set[c] = true;
			count++;
		}
	}
	if (count == 0)
		return bad_value(o, value, "the mask selects no CPU");
	memcpy(opts->lcore_enabled, set, sizeof(set));
	for (unsigned c = 0; c < SL_MAX_LCORE; c++) {
		memset(&opts->lcore_cpus[c], 0, sizeof(opts->lcore_cpus[c]));
		if (set[c])
			eal_cpuset_set(&opts->lcore_cpus[c], c);
		opts->lcore_cpu[c] = c;
	}
	opts->lcores_given = true;
	return 0;
}

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

static int parse_devarg(const struct eal_opt *o, const char *value, bool pci,
			struct sl_devarg *list, unsigned *nb)
{
	struct sl_devarg d;
	const char *comma = strchr(value, ',');
	size_t name_len = comma ? (size_t)(comma - value) : strlen(value);
	char name[SL_DEVARG_NAME_LEN];

	memset(&d, 0, sizeof(d));
	if (name_len == 0 || name_len >= sizeof(name))
		return bad_value(o, value, NULL);
	memcpy(name, value, name_len);
	name[name_len] = '\0';
	if (pci) {
		if (parse_pci_addr(name, d.name, sizeof(d.name)) != 0)
			return bad_value(o, value, NULL);
	} else {
		char why[256];
		for (const char *p = name; *p; p++)
			if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' && *p != '.')
				return bad_value(o, value, NULL);
		if (check_vdev_alias(name, why, sizeof(why)) != 0)
			return bad_value(o, value, why);
		memcpy(d.name, name, name_len + 1);
	}
	if (comma) {
		const char *args = comma + 1;
		if (strlen(args) >= sizeof(d.args))
			return bad_value(o, value, "arguments are too long");
		/* every item must be key=value with a non-empty key */
		for (const char *item = args; *item;) {
			const char *next = strchr(item, ',');
			const char *eq = strchr(item, '=');
			size_t ilen = next ? (size_t)(next - item) : strlen(item);
			if (eq == NULL || eq == item || (size_t)(eq - item) >= ilen)
				return bad_value(o, value, NULL);
			item = next ? next + 1 : item + ilen;
			if (next && *item == '\0')
				return bad_value(o, value, NULL);
		}
		if (*args == '\0')
			return bad_value(o, value, NULL);
		memcpy(d.args, args, strlen(args) + 1);
	}
	for (unsigned i = 0; i < *nb; i++) {
		if (strcmp(list[i].name, d.name) == 0)
			return bad_value(o, value, "this device is already named");
	}
	if (*nb == SL_MAX_DEVARGS) {
		char why[64];
		snprintf(why, sizeof(why), "more than %d devices", SL_MAX_DEVARGS);
		return bad_value(o, value, why);
	}
	list[(*nb)++] = d;
	return 0;
}

int eal_parse_log_level(const char *s)
{
	static const struct {
		const char *name;
		int level;
	} names[] = {
		{"err", SL_LOG_ERR},         {"error", SL_LOG_ERR},   {"warning", SL_LOG_WARNING},
		{"warn", SL_LOG_WARNING},    {"notice", SL_LOG_NOTICE}, {"info", SL_LOG_INFO},
		{"debug", SL_LOG_DEBUG},
		/* DPDK's names above error: Sluice's most severe level is err */
		{"emergency", SL_LOG_ERR},   {"emerg", SL_LOG_ERR},   {"alert", SL_LOG_ERR},
		{"critical", SL_LOG_ERR},    {"crit", SL_LOG_ERR},
	};
	/* DPDK's numbers: RTE_LOG_EMERG 1 ... RTE_LOG_DEBUG 8 */
	static const int dpdk_levels[9] = {0, SL_LOG_ERR, SL_LOG_ERR, SL_LOG_ERR, SL_LOG_ERR,
					   SL_LOG_WARNING, SL_LOG_NOTICE, SL_LOG_INFO, SL_LOG_DEBUG};
	unsigned long v;

	for (size_t i = 0; i < SL_DIM(names); i++)
		if (strcasecmp(s, names[i].name) == 0)
			return names[i].level;
	if (parse_uint(s, NULL, 8, &v) == 0 && v >= 1)
		return dpdk_levels[v];
	return 0;
}

/* DPDK's log types (as --log-level writes them) and the Sluice components
 * that log what DPDK logs under them. DPDK's EAL logs VFIO DMA mapping
 * itself, Sluice's dma_map does; DPDK's e1000 driver is Sluice's net_igb. */
static const struct {
	const char *dpdk;
	const char *sluice;
} log_aliases[] = {
	{"lib.eal", "eal"},
	{"lib.eal", "dma_map"},
	{"lib.ethdev", "ethdev"},
	{"lib.mbuf", "mbuf"},
	{"lib.mempool", "mempool"},
	{"lib.ring", "ring"},
	{"bus.pci", "bus_vfio"},
	{"pmd.net.null", "net_null"},
	{"pmd.net.igb", "net_igb"},
	{"pmd.net.e1000.init", "net_igb"},
	{"pmd.net.e1000.driver", "net_igb"},
	{"pmd.net.virtio", "net_virtio"},
	{"pmd.net.virtio.init", "net_virtio"},
	{"pmd.net.virtio.driver", "net_virtio"},
};

/* Sluice's own components, for patterns and regexes. */
static const char *const log_components[] = {
	"eal", "dma_map", "bus_vfio", "ethdev", "mbuf", "mempool", "ring",
	"net_null", "net_igb", "net_virtio",
};

static int add_log_comp(const struct eal_opt *o, const char *value, struct eal_options *opts,
			const char *component, size_t len, int level)
{
	if (len == 0 || len >= EAL_COMPONENT_LEN)
		return bad_value(o, value, len ? "component name too long" : "no component name");
	if (opts->nb_log_comp == EAL_MAX_LOG_OPTS)
		return bad_value(o, value, "too many --log-level options");
	memcpy(opts->log_comp[opts->nb_log_comp].component, component, len);
	opts->log_comp[opts->nb_log_comp].component[len] = '\0';
	opts->log_comp[opts->nb_log_comp].level = level;
	opts->nb_log_comp++;
	return 0;
}

static void note_no_match(struct eal_options *opts, const char *value)
{
	opts->note[NOTE_LOG_NO_MATCH] = true;
	snprintf(opts->note_value[NOTE_LOG_NO_MATCH], sizeof(opts->note_value[0]), "%s", value);
}

/* Set LEVEL for every Sluice component that MATCH (a glob or a regex)
 * accepts, by its own name or by a DPDK log type it stands for. */
static int add_matching(const struct eal_opt *o, const char *value, struct eal_options *opts,
			bool (*match)(const char *name, const void *ctx), const void *ctx,
			int level, bool *any)
{
	for (size_t i = 0; i < SL_DIM(log_components); i++) {
		const char *c = log_components[i];
		bool hit = match(c, ctx);
		for (size_t k = 0; !hit && k < SL_DIM(log_aliases); k++)
			hit = strcmp(log_aliases[k].sluice, c) == 0 && match(log_aliases[k].dpdk, ctx);
		if (hit) {
			*any = true;
			if (add_log_comp(o, value, opts, c, strlen(c), level) != 0)
				return -1;
		}
	}
	return 0;
}

static bool glob_match(const char *name, const void *ctx)
{
	return fnmatch((const char *)ctx, name, 0) == 0;
}

static bool regex_match(const char *name, const void *ctx)
{
	return regexec((const regex_t *)ctx, name, 0, NULL, 0) == 0;
}

/* --log-level as DPDK 22.11 parses it: "REGEX,LEVEL", else "PATTERN:LEVEL"
 * (PATTERN a name or an fnmatch glob), else "LEVEL". A name is Sluice's
 * component ("eal", "net_igb"; a trailing '*' matches a prefix, also of
 * components not known here) or DPDK's log type ("lib.eal", "pmd.net.igb"),
 * mapped onto Sluice's components. A DPDK type Sluice has nothing for is
 * accepted (DPDK accepts types no driver registered) and noted at debug. */
static int parse_log_level_opt(const struct eal_opt *o, const char *value,
			       struct eal_options *opts)
{
	const char *comma = strchr(value, ',');
	const char *colon = comma ? NULL : strrchr(value, ':');
	const char *sep = comma ? comma : colon;
	size_t plen;
	char pattern[128];
	bool any = false;
	int level;

	if (sep == NULL) {
		level = eal_parse_log_level(value);
		if (level == 0)
			return bad_value(o, value, NULL);
		opts->log_global = level;
		return 0;
	}
	level = eal_parse_log_level(sep + 1);
	if (level == 0)
		return bad_value(o, value, "the level must be a name or a number 1-8");
	plen = (size_t)(sep - value);
	if (plen == 0)
		return bad_value(o, value, "no component before the level");
	if (plen >= sizeof(pattern))
		return bad_value(o, value, "pattern too long");
	memcpy(pattern, value, plen);
	pattern[plen] = '\0';

	if (comma) {
		regex_t re;
		int rc = regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB);
		if (rc != 0) {
			char err[96], why[256];
			regerror(rc, &re, err, sizeof(err));
			snprintf(why, sizeof(why), "bad regular expression: %s", err);
			return bad_value(o, value, why);
		}
		rc = add_matching(o, value, opts, regex_match, &re, level, &any);
		regfree(&re);
		if (rc != 0)
			return -1;
		if (!any)
			note_no_match(opts, value);
		return 0;
	}

	/* A DPDK log type by its exact name */
	for (size_t k = 0; k < SL_DIM(log_aliases); k++) {
		if (strcmp(log_aliases[k].dpdk, pattern) == 0) {
			any = true;
			if (add_log_comp(o, value, opts, log_aliases[k].sluice,
					 strlen(log_aliases[k].sluice), level) != 0)
				return -1;
		}
	}
	if (any)
		return 0;
	bool glob = strpbrk(pattern, "*?[") != NULL;
	bool sluice_prefix = pattern[plen - 1] == '*' &&
			     strpbrk(pattern, "?[.") == NULL && strchr(pattern, '*') == pattern + plen - 1;
	if (!glob || sluice_prefix) {
		if (strchr(pattern, '.') != NULL) {
			/* DPDK-style name of something Sluice does not have */
			note_no_match(opts, value);
			return 0;
		}
		/* Sluice's own component name or prefix* (kept as written) */
		return add_log_comp(o, value, opts, pattern, plen, level);
	}
	if (add_matching(o, value, opts, glob_match, pattern, level, &any) != 0)
		return -1;
	if (!any)
		note_no_match(opts, value);
	return 0;
}

static int parse_mem(const struct eal_opt *o, const char *value, bool list,
		     struct eal_options *opts)
{
	unsigned long total = 0;
	const char *p = value;

	for (;;) {
		unsigned long mb;
		const char *end;
		if (parse_uint(p, &end, EAL_MAX_MEM_MB, &mb) != 0)
			return bad_value(o, value, NULL);
		total += mb;
		if (*end == '\0')
			break;
		if (!list || *end != ',')
			return bad_value(o, value, NULL);
		p = end + 1;
	}
	if (total == 0)
		return bad_value(o, value, "at least 1 megabyte is needed");
	if (total > EAL_MAX_MEM_MB)
		return bad_value(o, value, "more than 1 TiB");
	opts->pub.mem_bytes = (size_t)total << 20;
	return 0;
}

/* --base-virtaddr: where the EAL starts looking for room for its segments.
 * Strict: 0x-prefixed hexadecimal or decimal digits only, page aligned,
 * above the usual vm.mmap_min_addr and inside x86-64 user space. */
static int parse_base_virtaddr(const struct eal_opt *o, const char *value,
			       struct eal_options *opts)
{
	const char *p = value;
	unsigned base = 10;
	uint64_t v = 0;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (*p == '\0')
		return bad_value(o, value, "no digits");
	for (; *p; p++) {
		unsigned d;
		if (isdigit((unsigned char)*p))
			d = (unsigned)(*p - '0');
		else if (base == 16 && isxdigit((unsigned char)*p))
			d = (unsigned)(tolower((unsigned char)*p) - 'a' + 10);
		else
			return bad_value(o, value, NULL);
		if (v > (EAL_MAX_BASE_VIRTADDR - d) / base)
			return bad_value(o, value, "beyond the 47-bit user address space");
		v = v * base + d;
	}
	if (v >= EAL_MAX_BASE_VIRTADDR)
		return bad_value(o, value, "beyond the 47-bit user address space");
	if (v < EAL_MIN_BASE_VIRTADDR)
		return bad_value(o, value, "below 0x10000, where the kernel refuses mappings");
	if (v % 4096 != 0)
		return bad_value(o, value, "not a multiple of 4 KiB");
	opts->pub.base_virtaddr = v;
	return 0;
}

static void note(struct eal_options *opts, enum eal_compat_note n, const char *value)
{
	opts->note[n] = true;
	snprintf(opts->note_value[n], sizeof(opts->note_value[n]), "%s", value ? value : "");
}

/* -c and -l/--lcores choose the lcores; DPDK refuses a second choice, so
 * does Sluice (rather than let the last one win silently). */
static int lcores_once(const struct eal_opt *o, const char *value, struct eal_options *opts)
{
	char label[32];

	opt_label(o, label, sizeof(label));
	if (opts->lcores_opt != NULL) {
		SL_LOG(ERR, EAL_LOG,
		       "%s '%s': the lcores were already chosen with %s; give one of -c, -l or "
		       "--lcores, once (DPDK refuses this too)", label, value, opts->lcores_opt);
		errno = EINVAL;
		return -1;
	}
	opts->lcores_opt = o->id == OPT_COREMASK ? "-c" : "-l/--lcores";
	return 0;
}

static int apply_opt(const struct eal_opt *o, const char *value, struct eal_options *opts,
		     bool *help)
{
	unsigned long v;

	switch (o->id) {
	case OPT_LCORES:
		if (lcores_once(o, value, opts) != 0)
			return -1;
		return parse_lcores(o, value, opts);
	case OPT_COREMASK:
		if (lcores_once(o, value, opts) != 0)
			return -1;
		return parse_coremask(o, value, opts);
	case OPT_CHANNELS:
		if (parse_uint(value, NULL, 64, &v) != 0 || v == 0)
			return bad_value(o, value, NULL);
		note(opts, NOTE_CHANNELS, value);
		return 0;
	case OPT_RANKS:
		if (parse_uint(value, NULL, 16, &v) != 0 || v == 0)
			return bad_value(o, value, NULL);
		note(opts, NOTE_RANKS, value);
		return 0;
	case OPT_BLOCK:
		return parse_devarg(o, value, true, opts->pub.block, &opts->pub.nb_block);
	case OPT_NO_PCI:
		opts->pub.no_pci = true;
		return 0;
	case OPT_IN_MEMORY:
		note(opts, NOTE_IN_MEMORY, NULL);
		return 0;
	case OPT_FILE_PREFIX:
		if (value[0] == '\0' || strchr(value, '/') != NULL ||
		    strlen(value) >= sizeof(opts->note_value[0]))
			return bad_value(o, value, NULL);
		note(opts, NOTE_FILE_PREFIX, value);
		return 0;
	case OPT_PROC_TYPE:
		if (strcmp(value, "secondary") == 0) {
			SL_LOG(ERR, EAL_LOG,
			       "--proc-type secondary is not supported: Sluice has no multi-process "
			       "support (no memory or devices shared between processes); run one "
			       "process, with --proc-type primary or auto or without the option");
			errno = EINVAL;
			return -1;
		}
		if (strcmp(value, "primary") != 0 && strcmp(value, "auto") != 0)
			return bad_value(o, value, NULL);
		note(opts, NOTE_PROC_TYPE, value);
		return 0;
	case OPT_NO_SHCONF:
		note(opts, NOTE_NO_SHCONF, NULL);
		return 0;
	case OPT_NO_TELEMETRY:
		note(opts, NOTE_NO_TELEMETRY, NULL);
		return 0;
	case OPT_SINGLE_FILE_SEGMENTS:
		note(opts, NOTE_SINGLE_FILE_SEGMENTS, NULL);
		return 0;
	case OPT_LEGACY_MEM:
		note(opts, NOTE_LEGACY_MEM, NULL);
		return 0;
	case OPT_HUGE_UNLINK:
		if (value != NULL && strcmp(value, "never") == 0) {
			SL_LOG(ERR, EAL_LOG,
			       "--huge-unlink=never is not supported: Sluice unlinks every hugepage "
			       "file right after creating it and never reuses one; drop the option "
			       "or give --huge-unlink");
			errno = EINVAL;
			return -1;
		}
		if (value != NULL && strcmp(value, "always") != 0 && strcmp(value, "existing") != 0)
			return bad_value(o, value, NULL);
		note(opts, NOTE_HUGE_UNLINK, value);
		return 0;
	case OPT_MAIN_LCORE:
		if (parse_uint(value, NULL, SL_MAX_LCORE - 1, &v) != 0)
			return bad_value(o, value, NULL);
		opts->main_lcore = (unsigned)v;
		opts->main_lcore_given = true;
		return 0;
	case OPT_ALLOW:
		return parse_devarg(o, value, true, opts->pub.allow, &opts->pub.nb_allow);
	case OPT_VDEV:
		return parse_devarg(o, value, false, opts->pub.vdev, &opts->pub.nb_vdev);
	case OPT_NO_HUGE:
		opts->pub.no_huge = true;
		return 0;
	case OPT_MEM:
		return parse_mem(o, value, false, opts);
	case OPT_SOCKET_MEM:
		return parse_mem(o, value, true, opts);
	case OPT_HUGE_DIR:
		if (value[0] == '\0' || strlen(value) >= sizeof(opts->pub.huge_dir))
			return bad_value(o, value, NULL);
		snprintf(opts->pub.huge_dir, sizeof(opts->pub.huge_dir), "%s", value);
		opts->huge_dir_given = true;
		return 0;
	case OPT_IOVA_MODE:
		if (strcmp(value, "va") == 0)
			opts->pub.iova_mode = SL_IOVA_VA;
		else if (strcmp(value, "pa") == 0)
			opts->pub.iova_mode = SL_IOVA_PA;
		else
			return bad_value(o, value, NULL);
		return 0;
	case OPT_BASE_VIRTADDR:
		return parse_base_virtaddr(o, value, opts);
	case OPT_LOG_LEVEL:
		return parse_log_level_opt(o, value, opts);
	case OPT_VFIO_BACKEND:
		if (strcmp(value, "auto") != 0 && strcmp(value, "iommufd") != 0 &&
		    strcmp(value, "type1") != 0 && strcmp(value, "noiommu") != 0)
			return bad_value(o, value, NULL);
		snprintf(opts->pub.vfio_backend, sizeof(opts->pub.vfio_backend), "%s", value);
		return 0;
	case OPT_ALLOW_NOIOMMU:
		opts->pub.allow_noiommu = true;
		return 0;
	case OPT_SKIP_FAILED_DEVICES:
		opts->pub.skip_failed_devices = true;
		return 0;
	case OPT_HELP:
		*help = true;
		return 0;
	}
	return 0;
}

static const struct eal_opt *find_long(const char *name, size_t len)
{
	for (size_t i = 0; i < SL_DIM(eal_opts); i++) {
		const char *ln = eal_opts[i].long_name;
		if (ln && strlen(ln) == len && strncmp(ln, name, len) == 0)
			return &eal_opts[i];
	}
	return NULL;
}

static const struct eal_opt *find_short(char c)
{
	for (size_t i = 0; i < SL_DIM(eal_opts); i++)
		if (eal_opts[i].short_name == c)
			return &eal_opts[i];
	return NULL;
}

/* A DPDK option Sluice refuses: log the one line and return -1. ARG is
 * the argument as given; NAME/LEN the long name, or SHORT_NAME. */
static int check_refused(const char *arg, const char *name, size_t len, char short_name)
{
	for (size_t i = 0; i < SL_DIM(eal_refused); i++) {
		const char *ln = eal_refused[i].long_name;
		bool hit;
		if (name != NULL)
			hit = ln != NULL && (eal_refused[i].prefix
						     ? strncmp(name, ln, strlen(ln)) == 0
						     : strlen(ln) == len && strncmp(name, ln, len) == 0);
		else
			hit = short_name != 0 && eal_refused[i].short_name == short_name;
		if (!hit)
			continue;
		SL_LOG(ERR, EAL_LOG, "option '%s' is not supported by Sluice: %s", arg,
		       eal_refused[i].why);
		errno = EINVAL;
		return -1;
	}
	return 0;
}

static int unknown_option(const char *arg)
{
	SL_LOG(ERR, EAL_LOG,
	       "unknown option '%s'; EAL options come first and end with '--' (see --help)", arg);
	errno = EINVAL;
	return -1;
}

/* Checks that need the whole command line. */
static int check_combination(struct eal_options *opts)
{
	if (opts->main_lcore_given) {
		if (opts->lcores_given && !opts->lcore_enabled[opts->main_lcore]) {
			char v[16];
			snprintf(v, sizeof(v), "%u", opts->main_lcore);
			SL_LOG(ERR, EAL_LOG,
			       "invalid value '%s' for --main-lcore: lcore %u is not in the %s "
			       "list; expected one lcore number from that list", v, opts->main_lcore,
			       opts->lcores_opt ? opts->lcores_opt : "-l/--lcores");
			errno = EINVAL;
			return -1;
		}
	}
	if (opts->pub.nb_allow > 0 && opts->pub.nb_block > 0) {
		SL_LOG(ERR, EAL_LOG,
		       "-a/--allow and -b/--block cannot be used together (as in DPDK): with -a only "
		       "the named devices are used, so give either the devices to use or those to skip");
		errno = EINVAL;
		return -1;
	}
	if (opts->pub.no_pci && (opts->pub.nb_allow > 0 || opts->pub.nb_block > 0)) {
		SL_LOG(ERR, EAL_LOG,
		       "--no-pci and %s contradict each other: --no-pci scans no PCI device at all; "
		       "give one of them", opts->pub.nb_allow ? "-a/--allow" : "-b/--block");
		errno = EINVAL;
		return -1;
	}
	if (opts->pub.no_huge && opts->huge_dir_given) {
		SL_LOG(ERR, EAL_LOG,
		       "--no-huge and --huge-dir '%s' contradict each other: give one of them",
		       opts->pub.huge_dir);
		errno = EINVAL;
		return -1;
	}
	if (opts->pub.no_huge && opts->pub.iova_mode == SL_IOVA_PA) {
		SL_LOG(ERR, EAL_LOG,
		       "--iova-mode pa cannot be used with --no-huge: the kernel may move 4 KiB "
		       "pages to other physical addresses (compaction, migration) even when they "
		       "are locked, so a device would DMA into the wrong memory; use hugepages "
		       "(drop --no-huge) or --iova-mode va");
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int eal_parse_args(int argc, char **argv, struct eal_options *opts, bool *help)
{
	int i;

	memset(opts, 0, sizeof(*opts));
	opts->pub.iova_mode = SL_IOVA_VA;
	opts->pub.base_virtaddr = EAL_DEFAULT_BASE_VIRTADDR;
	snprintf(opts->pub.vfio_backend, sizeof(opts->pub.vfio_backend), "auto");
	*help = false;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const struct eal_opt *o;
		const char *value = NULL;

		if (arg == NULL)
			break;
		if (strcmp(arg, "--") == 0) {
			i++;
			break;
		}
		if (arg[0] != '-' || arg[1] == '\0')
			break; /* first non-EAL argument */

		if (arg[1] == '-') {
			const char *name = arg + 2;
			const char *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			o = find_long(name, len);
			if (o == NULL) {
				if (check_refused(arg, name, len, 0) != 0)
					return -1;
				return unknown_option(arg);
			}
			if (eq) {
				if (!o->has_arg) {
					SL_LOG(ERR, EAL_LOG, "option --%s takes no value, but got '%s'",
					       o->long_name, eq + 1);
					errno = EINVAL;
					return -1;
				}
				value = eq + 1;
			}
		} else {
			o = find_short(arg[1]);
			if (o == NULL) {
				if (check_refused(arg, NULL, 0, arg[1]) != 0)
					return -1;
				return unknown_option(arg);
			}
			if (arg[2] != '\0') {
				if (!o->has_arg) {
					SL_LOG(ERR, EAL_LOG, "option -%c takes no value, but got '%s'",
					       o->short_name, arg);
					errno = EINVAL;
					return -1;
				}
				value = arg + 2;
			}
		}
		if (o->has_arg == ARG_REQUIRED && value == NULL) {
			char label[32];
			if (i + 1 >= argc || argv[i + 1] == NULL) {
				SL_LOG(ERR, EAL_LOG, "option %s needs a value: expected %s",
				       opt_label(o, label, sizeof(label)), o->form);
				errno = EINVAL;
				return -1;
			}
			value = argv[++i];
		}
		if (apply_opt(o, value, opts, help) != 0)
			return -1;
	}
	if (check_combination(opts) != 0)
		return -1;
	return i - 1;
}

void eal_print_usage(const char *prgname)
{
	printf("Usage: %s [EAL options] -- [application options]\n\n"
	       "EAL options:\n"
	       "  -l, --lcores LIST        lcores to run, each on the CPU of its number, e.g. 0-1 or\n"
	       "                           0,2-3; LCORE[-LCORE]@CPU runs them on CPU, e.g. 0,1-2@1\n"
	       "                           (default: one lcore per usable CPU)\n"
	       "      --main-lcore N       lcore that runs main() (default: the first of -l)\n"
	       "  -a, --allow BDF[,k=v]    use only these PCI devices, e.g. 0000:01:00.0,iommu=type1\n"
	       "      --vdev NAME[,k=v]    create a virtual device, e.g. null0\n"
	       "      --no-huge            use locked 4 KiB pages instead of hugepages\n"
	       "  -m, --socket-mem MB      memory to reserve at init in MiB (default 64)\n"
	       "      --huge-dir DIR       hugetlbfs mount to take hugepages from\n"
	       "      --iova-mode va|pa    device addresses: virtual (default) or physical\n"
	       "      --base-virtaddr ADDR lowest address for DMA memory (default 0x100000000)\n"
	       "      --log-level LEVEL    err|warning|notice|info|debug or 1-5, or COMPONENT:LEVEL\n"
	       "      --vfio-backend B     auto|iommufd|type1|noiommu for all devices\n"
	       "      --allow-noiommu      allow the unsafe no-IOMMU VFIO mode\n"
	       "      --skip-failed-devices  go on when a device named with -a fails its driver's\n"
	       "                           probe (unnamed devices are always skipped, logged)\n"
	       "  -h, --help               show this help\n"
	       "\nDPDK's EAL options (doc/eal.md has the table):\n"
	       "  -c MASK                  hexadecimal lcore mask, e.g. 0x3 (instead of -l)\n"
	       "  -l/--lcores (0-1)@2,3@(0,1)  DPDK's lcore groups: lcores on a CPU or CPU set\n"
	       "  -b, --block BDF          skip this PCI device (not with -a)\n"
	       "      --no-pci             scan no PCI device\n"
	       "      --vdev net_null0     DPDK's driver names: net_null is Sluice's null\n"
	       "      --log-level 1-8, lib.eal:debug, 'pmd.net.*:8', 'pmd\\.net\\..*,debug'\n"
	       "  accepted, no effect: -n N, -r N, --in-memory, --file-prefix NAME,\n"
	       "      --proc-type primary|auto, --no-shconf, --no-telemetry,\n"
	       "      --single-file-segments, --legacy-mem, --huge-unlink[=always|existing]\n"
	       "  refused: --proc-type secondary, -d, --master-lcore (use --main-lcore),\n"
	       "      --vfio-intr, --vfio-vf-token, --create-uio-dev, --match-allocations, --trace*\n",
	       prgname ? prgname : "app");
}

void eal_log_compat_notes(const struct eal_options *opts)
{
	static const char *const what[NOTE_COUNT] = {
		[NOTE_CHANNELS] = "-n %s (memory channels): accepted, no effect: Sluice does not "
				  "lay objects out by memory channel",
		[NOTE_RANKS] = "-r %s (memory ranks): accepted, no effect",
		[NOTE_IN_MEMORY] = "--in-memory%s: what Sluice always does: no runtime directory, no "
				   "shared config file, hugepage files unlinked right after creation",
		[NOTE_FILE_PREFIX] = "--file-prefix %s: no effect: Sluice creates no runtime files "
				     "to prefix (hugepage files are sluice.PID.N, unlinked at once)",
		[NOTE_PROC_TYPE] = "--proc-type %s: Sluice runs as DPDK's primary process would (it "
				   "has no multi-process support)",
		[NOTE_NO_SHCONF] = "--no-shconf%s: what Sluice always does: it creates no shared "
				   "config file",
		[NOTE_NO_TELEMETRY] = "--no-telemetry%s: Sluice has no telemetry socket",
		[NOTE_SINGLE_FILE_SEGMENTS] = "--single-file-segments%s: no effect: each Sluice "
					      "memory segment is one file (or one memfd) already",
		[NOTE_LEGACY_MEM] = "--legacy-mem%s: no effect: Sluice reserves the -m memory at "
				    "init and grows the heap by whole segments when it runs out",
		[NOTE_HUGE_UNLINK] = "--huge-unlink%s: what Sluice always does: each hugepage file "
				     "is unlinked right after it is created (memfd has none)",
		[NOTE_LOG_NO_MATCH] = "--log-level %s: no Sluice component matches; ignored",
	};

	for (unsigned n = 0; n < NOTE_COUNT; n++) {
		if (!opts->note[n])
			continue;
		char v[72] = "";
		if (n == NOTE_HUGE_UNLINK && opts->note_value[n][0])
			snprintf(v, sizeof(v), "=%s", opts->note_value[n]);
		else if (n == NOTE_CHANNELS || n == NOTE_RANKS || n == NOTE_FILE_PREFIX ||
			 n == NOTE_PROC_TYPE || n == NOTE_LOG_NO_MATCH)
			snprintf(v, sizeof(v), "%s", opts->note_value[n]);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		SL_LOG(DEBUG, EAL_LOG, what[n], v);
#pragma GCC diagnostic pop
	}
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
