/* eal_options.c: the EAL command line. Parses argv into a struct
 * eal_options without touching any live state, so a bad command line
 * leaves nothing behind; every error names the option, the bad value and
 * the form that is accepted. DPDK 22.11's EAL options are accepted as its
 * guides write them (-c, --lcores groups, -n, -b, --no-pci, --in-memory,
 * --file-prefix, --log-level 1-8 and lib.eal-style names, ...) or refused
 * with one line saying what Sluice does instead (doc/eal.md has the
 * table). This file: the option table, the argv walk, applying each
 * option, the checks that need the whole line, refused and unknown
 * options, and the shared error and number helpers. The lcore, log-level
 * and device options are parsed in eal_options_{lcores,log,devargs}.c,
 * the memory amounts and --base-virtaddr in eal_options_mem.c; --help and
 * the no-effect notes are in eal_options_usage.c. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "eal_private.h"
#include "eal_options_private.h"

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

int eal_opt_bad_value(const struct eal_opt *o, const char *value, const char *why)
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
int eal_opt_parse_uint(const char *s, const char **end, unsigned long max, unsigned long *out)
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
		return eal_opt_lcores(o, value, opts);
	case OPT_COREMASK:
		if (lcores_once(o, value, opts) != 0)
			return -1;
		return eal_opt_coremask(o, value, opts);
	case OPT_CHANNELS:
		if (eal_opt_parse_uint(value, NULL, 64, &v) != 0 || v == 0)
			return eal_opt_bad_value(o, value, NULL);
		note(opts, NOTE_CHANNELS, value);
		return 0;
	case OPT_RANKS:
		if (eal_opt_parse_uint(value, NULL, 16, &v) != 0 || v == 0)
			return eal_opt_bad_value(o, value, NULL);
		note(opts, NOTE_RANKS, value);
		return 0;
	case OPT_BLOCK:
		return eal_opt_devarg(o, value, true, opts->pub.block, &opts->pub.nb_block);
	case OPT_NO_PCI:
		opts->pub.no_pci = true;
		return 0;
	case OPT_IN_MEMORY:
		note(opts, NOTE_IN_MEMORY, NULL);
		return 0;
	case OPT_FILE_PREFIX:
		if (value[0] == '\0' || strchr(value, '/') != NULL ||
		    strlen(value) >= sizeof(opts->note_value[0]))
			return eal_opt_bad_value(o, value, NULL);
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
			return eal_opt_bad_value(o, value, NULL);
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
			return eal_opt_bad_value(o, value, NULL);
		note(opts, NOTE_HUGE_UNLINK, value);
		return 0;
	case OPT_MAIN_LCORE:
		if (eal_opt_parse_uint(value, NULL, SL_MAX_LCORE - 1, &v) != 0)
			return eal_opt_bad_value(o, value, NULL);
		opts->main_lcore = (unsigned)v;
		opts->main_lcore_given = true;
		return 0;
	case OPT_ALLOW:
		return eal_opt_devarg(o, value, true, opts->pub.allow, &opts->pub.nb_allow);
	case OPT_VDEV:
		return eal_opt_devarg(o, value, false, opts->pub.vdev, &opts->pub.nb_vdev);
	case OPT_NO_HUGE:
		opts->pub.no_huge = true;
		return 0;
	case OPT_MEM:
		return eal_opt_mem(o, value, false, opts);
	case OPT_SOCKET_MEM:
		return eal_opt_mem(o, value, true, opts);
	case OPT_HUGE_DIR:
		if (value[0] == '\0' || strlen(value) >= sizeof(opts->pub.huge_dir))
			return eal_opt_bad_value(o, value, NULL);
		snprintf(opts->pub.huge_dir, sizeof(opts->pub.huge_dir), "%s", value);
		opts->huge_dir_given = true;
		return 0;
	case OPT_IOVA_MODE:
		if (strcmp(value, "va") == 0)
			opts->pub.iova_mode = SL_IOVA_VA;
		else if (strcmp(value, "pa") == 0)
			opts->pub.iova_mode = SL_IOVA_PA;
		else
			return eal_opt_bad_value(o, value, NULL);
		return 0;
	case OPT_BASE_VIRTADDR:
		return eal_opt_base_virtaddr(o, value, opts);
	case OPT_LOG_LEVEL:
		return eal_opt_log_level(o, value, opts);
	case OPT_VFIO_BACKEND:
		if (strcmp(value, "auto") != 0 && strcmp(value, "iommufd") != 0 &&
		    strcmp(value, "type1") != 0 && strcmp(value, "noiommu") != 0)
			return eal_opt_bad_value(o, value, NULL);
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
