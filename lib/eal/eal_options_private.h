/* eal_options_private.h: what the files of the EAL command line share
 * (eal_options.c and its eal_options_*.c parts) and nobody else: the
 * option table's entry type, the error helper that names option, value
 * and accepted form, strict number parsing, and the parsers of the
 * options that have a file of their own. */
#ifndef SL_EAL_OPTIONS_PRIVATE_H
#define SL_EAL_OPTIONS_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#include "eal_private.h"

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

/* eal_options.c: log "invalid value 'VALUE' for OPTION[ (WHY)]: expected
 * FORM" and return -1 with errno = EINVAL. */
int eal_opt_bad_value(const struct eal_opt *o, const char *value, const char *why);
/* Strict unsigned decimal: digits only, no sign, no blanks, no overflow.
 * With END, stops at the first non-digit and stores it there; without,
 * the whole string must be digits. 0, or -1. */
int eal_opt_parse_uint(const char *s, const char **end, unsigned long max, unsigned long *out);

/* The option parsers below: 0, or -1 from eal_opt_bad_value. */

/* eal_options_lcores.c: -l/--lcores LIST and -c MASK into OPTS. */
int eal_opt_lcores(const struct eal_opt *o, const char *value, struct eal_options *opts);
int eal_opt_coremask(const struct eal_opt *o, const char *value, struct eal_options *opts);

/* eal_options_devargs.c: -a/-b (PCI true) or --vdev NAME[,k=v...] appended
 * to LIST (*NB entries). */
int eal_opt_devarg(const struct eal_opt *o, const char *value, bool pci,
		   struct sl_devarg *list, unsigned *nb);

/* eal_options_log.c: --log-level into OPTS. */
int eal_opt_log_level(const struct eal_opt *o, const char *value, struct eal_options *opts);

/* eal_options_mem.c: -m (LIST false) or --socket-mem (LIST true, the
 * megabytes summed), and --base-virtaddr, into OPTS->pub. */
int eal_opt_mem(const struct eal_opt *o, const char *value, bool list, struct eal_options *opts);
int eal_opt_base_virtaddr(const struct eal_opt *o, const char *value, struct eal_options *opts);

#endif /* SL_EAL_OPTIONS_PRIVATE_H */
