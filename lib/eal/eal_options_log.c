/* eal_options_log.c: --log-level. Level names and DPDK's numbers 1-8,
 * DPDK's log types (lib.eal, pmd.net.e1000.init, ...) mapped onto
 * Sluice's components, and the COMPONENT:LEVEL (name or glob) and
 * REGEX,LEVEL forms. */
#include <fnmatch.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "eal_private.h"
#include "eal_options_private.h"

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
	if (eal_opt_parse_uint(s, NULL, 8, &v) == 0 && v >= 1)
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
		return eal_opt_bad_value(o, value,
					 len ? "component name too long" : "no component name");
	if (opts->nb_log_comp == EAL_MAX_LOG_OPTS)
		return eal_opt_bad_value(o, value, "too many --log-level options");
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

/* glibc's regcomp copies the tree of whatever '+' or '{N,M}' repeats, so
 * stacked repetitions ("a++++...", "((a+)+)+", "a{99}{99}") grow
 * exponentially: a 127-byte pattern can take gigabytes. Bound the product
 * of every repetition's copies (an over-estimate: it ignores scope) so
 * compiling stays within a few thousand copies of the pattern. */
#define LOG_REGEX_MAX_COPIES 4096

static bool log_regex_too_complex(const char *pattern)
{
	unsigned long copies = 1;

	for (const char *p = pattern; *p != '\0'; p++) {
		unsigned long times = 1;
		if (*p == '+') {
			times = 2;
		} else if (*p == '{') {
			/* "{N}", "{N,}", "{N,M}": the largest number counts */
			unsigned long number = 0, largest = 0;
			for (p++; *p != '\0' && *p != '}'; p++) {
				number = *p >= '0' && *p <= '9'
						 ? number * 10 + (unsigned long)(*p - '0')
						 : 0;
				if (number > LOG_REGEX_MAX_COPIES)
					return true;
				if (number > largest)
					largest = number;
			}
			times = largest + 1;
			if (*p == '\0')
				p--;
		}
		copies *= times;
		if (copies > LOG_REGEX_MAX_COPIES)
			return true;
	}
	return false;
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
int eal_opt_log_level(const struct eal_opt *o, const char *value, struct eal_options *opts)
{
	const char *comma = strrchr(value, ','); /* a regex may hold commas: {N,M} */
	const char *colon = comma ? NULL : strrchr(value, ':');
	const char *sep = comma ? comma : colon;
	size_t plen;
	char pattern[128];
	bool any = false;
	int level;

	if (sep == NULL) {
		level = eal_parse_log_level(value);
		if (level == 0)
			return eal_opt_bad_value(o, value, NULL);
		opts->log_global = level;
		return 0;
	}
	level = eal_parse_log_level(sep + 1);
	if (level == 0)
		return eal_opt_bad_value(o, value, "the level must be a name or a number 1-8");
	plen = (size_t)(sep - value);
	if (plen == 0)
		return eal_opt_bad_value(o, value, "no component before the level");
	if (plen >= sizeof(pattern))
		return eal_opt_bad_value(o, value, "pattern too long");
	memcpy(pattern, value, plen);
	pattern[plen] = '\0';

	if (comma) {
		regex_t re;
		if (log_regex_too_complex(pattern))
			return eal_opt_bad_value(o, value,
						 "regular expression too complex (stacked repetitions "
						 "such as '++' or '{N}' multiply); write a simpler one "
						 "or a glob: PATTERN:LEVEL");
		int rc = regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB);
		if (rc != 0) {
			char err[96], why[256];
			regerror(rc, &re, err, sizeof(err));
			snprintf(why, sizeof(why), "bad regular expression: %s", err);
			return eal_opt_bad_value(o, value, why);
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
