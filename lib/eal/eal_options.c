/* eal_options.c: the EAL command line. Parses argv into a struct
 * eal_options without touching any live state, so a bad command line
 * leaves nothing behind; every error names the option, the bad value and
 * the form that is accepted. Also sl_devarg_get for "k=v,k=v" strings. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
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
};

struct eal_opt {
	enum eal_opt_id id;
	char short_name;       /* 0: none */
	const char *long_name;
	bool has_arg;
	const char *form;      /* the accepted form, for error messages */
};

static const struct eal_opt eal_opts[] = {
	{OPT_LCORES, 'l', "lcores", true,
	 "a list of lcore numbers and ranges, each optionally @CPU, e.g. 0-1, 0,2-3 or 0,1-2@1"},
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
	 "a level (err, warning, notice, info, debug or 1-5), or COMPONENT:LEVEL"},
	{OPT_VFIO_BACKEND, 0, "vfio-backend", true, "auto, iommufd, type1 or noiommu"},
	{OPT_ALLOW_NOIOMMU, 0, "allow-noiommu", false, NULL},
	{OPT_SKIP_FAILED_DEVICES, 0, "skip-failed-devices", false, NULL},
	{OPT_HELP, 'h', "help", false, NULL},
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

/* -l/--lcores: comma-separated elements LCORE or LO-HI, each optionally
 * @CPU (as DPDK's --lcores): those lcores run on CPU instead of the CPU
 * of the same number, so several lcores may share one CPU. */
static int parse_lcores(const struct eal_opt *o, const char *value, struct eal_options *opts)
{
	bool set[SL_MAX_LCORE] = {false};
	unsigned cpu_of[SL_MAX_LCORE];
	const char *p = value;
	cpu_set_t allowed;
	unsigned count = 0;

	CPU_ZERO(&allowed);
	if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0)
		CPU_ZERO(&allowed);

	for (;;) {
		unsigned long lo, hi, cpu = ULONG_MAX;
		const char *end;

		if (parse_uint(p, &end, ULONG_MAX, &lo) != 0)
			return bad_value(o, value, NULL);
		hi = lo;
		if (*end == '-') {
			if (parse_uint(end + 1, &end, ULONG_MAX, &hi) != 0)
				return bad_value(o, value, NULL);
			if (hi < lo) {
				char why[96];
				snprintf(why, sizeof(why), "range %lu-%lu runs backwards", lo, hi);
				return bad_value(o, value, why);
			}
		}
		if (*end == '@') {
			if (parse_uint(end + 1, &end, ULONG_MAX, &cpu) != 0)
				return bad_value(o, value, "expected a CPU number after '@'");
			if (cpu >= SL_MAX_LCORE || !CPU_ISSET(cpu, &allowed))
				return cpu_unavailable(o, value, cpu, &allowed);
		}
		if (hi >= SL_MAX_LCORE) {
			char why[96];
			snprintf(why, sizeof(why), "lcore %lu is above the limit of %d", hi,
				 SL_MAX_LCORE - 1);
			return bad_value(o, value, why);
		}
		for (unsigned long c = lo; c <= hi; c++) {
			if (cpu == ULONG_MAX && !CPU_ISSET(c, &allowed))
				return cpu_unavailable(o, value, c, &allowed);
			unsigned on = cpu == ULONG_MAX ? (unsigned)c : (unsigned)cpu;
			if (set[c] && cpu_of[c] != on) {
				char why[96];
				snprintf(why, sizeof(why), "lcore %lu is given on CPU %u and on CPU %u", c,
					 cpu_of[c], on);
				return bad_value(o, value, why);
			}
			if (!set[c])
				count++;
			set[c] = true;
			cpu_of[c] = on;
		}
		if (*end == '\0')
			break;
		if (*end != ',')
			return bad_value(o, value, NULL);
		p = end + 1;
	}
	if (count == 0)
		return bad_value(o, value, NULL);
	memcpy(opts->lcore_enabled, set, sizeof(set));
	for (unsigned c = 0; c < SL_MAX_LCORE; c++)
		opts->lcore_cpu[c] = set[c] ? cpu_of[c] : c;
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
		for (const char *p = name; *p; p++)
			if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' && *p != '.')
				return bad_value(o, value, NULL);
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
	};
	unsigned long v;

	for (size_t i = 0; i < SL_DIM(names); i++)
		if (strcasecmp(s, names[i].name) == 0)
			return names[i].level;
	if (parse_uint(s, NULL, SL_LOG_DEBUG, &v) == 0 && v >= SL_LOG_ERR)
		return (int)v;
	return 0;
}

static int parse_log_level_opt(const struct eal_opt *o, const char *value,
			       struct eal_options *opts)
{
	const char *colon = strrchr(value, ':');
	int level;

	if (colon == NULL) {
		level = eal_parse_log_level(value);
		if (level == 0)
			return bad_value(o, value, NULL);
		opts->log_global = level;
		return 0;
	}
	level = eal_parse_log_level(colon + 1);
	if (level == 0 || colon == value || (size_t)(colon - value) >= EAL_COMPONENT_LEN)
		return bad_value(o, value, NULL);
	if (opts->nb_log_comp == EAL_MAX_LOG_OPTS)
		return bad_value(o, value, "too many --log-level options");
	memcpy(opts->log_comp[opts->nb_log_comp].component, value, (size_t)(colon - value));
	opts->log_comp[opts->nb_log_comp].component[colon - value] = '\0';
	opts->log_comp[opts->nb_log_comp].level = level;
	opts->nb_log_comp++;
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

static int apply_opt(const struct eal_opt *o, const char *value, struct eal_options *opts,
		     bool *help)
{
	unsigned long v;

	switch (o->id) {
	case OPT_LCORES:
		return parse_lcores(o, value, opts);
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

/* Checks that need the whole command line. */
static int check_combination(struct eal_options *opts)
{
	if (opts->main_lcore_given) {
		if (opts->lcores_given && !opts->lcore_enabled[opts->main_lcore]) {
			char v[16];
			snprintf(v, sizeof(v), "%u", opts->main_lcore);
			SL_LOG(ERR, EAL_LOG,
			       "invalid value '%s' for --main-lcore: lcore %u is not in the -l/--lcores "
			       "list; expected one lcore number from that list", v, opts->main_lcore);
			errno = EINVAL;
			return -1;
		}
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
				SL_LOG(ERR, EAL_LOG,
				       "unknown option '%s'; EAL options come first and end with '--' "
				       "(see --help)", arg);
				errno = EINVAL;
				return -1;
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
				SL_LOG(ERR, EAL_LOG,
				       "unknown option '%s'; EAL options come first and end with '--' "
				       "(see --help)", arg);
				errno = EINVAL;
				return -1;
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
		if (o->has_arg && value == NULL) {
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
	       "  -h, --help               show this help\n",
	       prgname ? prgname : "app");
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
