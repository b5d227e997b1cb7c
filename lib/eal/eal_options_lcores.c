/* eal_options_lcores.c: the options that choose the lcores and their
 * CPUs: -c MASK (DPDK's coremask) and -l/--lcores with DPDK's groups and
 * CPU sets (N@CPU, (N-M)@CPU, N@(CPU,CPU)), each CPU checked against the
 * process's affinity. */
#include <ctype.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "eal_private.h"
#include "eal_options_private.h"

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
	return eal_opt_bad_value(o, value, why);
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

		if (eal_opt_parse_uint(p, &end, ULONG_MAX, &lo) != 0) {
			if (group && *p == ')')
				snprintf(why, wlen, "empty group '()'");
			else
				snprintf(why, wlen, "expected a%s %s number%s", what[0] == 'l' ? "n" : "",
					 what, what[0] == 'C' ? " after '@' (or a group such as (2,3))" : "");
			return -1;
		}
		hi = lo;
		if (*end == '-') {
			if (eal_opt_parse_uint(end + 1, &end, ULONG_MAX, &hi) != 0) {
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
int eal_opt_lcores(const struct eal_opt *o, const char *value, struct eal_options *opts)
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
			return eal_opt_bad_value(o, value, why);
		if (*p == '@') {
			p++;
			at = true;
			if (parse_set(&p, "CPU", &cset, why, sizeof(why)) != 0)
				return eal_opt_bad_value(o, value, why);
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
				return eal_opt_bad_value(o, value, why);
			}
			if (!set[l])
				count++;
			set[l] = true;
			cpus_of[l] = on;
		}
		if (*p == '\0')
			break;
		if (*p != ',')
			return eal_opt_bad_value(o, value,
						 *p == ')' ? "')' without its '('" : NULL);
		p++;
	}
	if (count == 0)
		return eal_opt_bad_value(o, value, NULL);
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
int eal_opt_coremask(const struct eal_opt *o, const char *value, struct eal_options *opts)
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
		return eal_opt_bad_value(o, value, "no hexadecimal digits");
	for (size_t i = 0; i < nd; i++)
		if (!isxdigit((unsigned char)digits[i]))
			return eal_opt_bad_value(o, value, "not a hexadecimal number");
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
				return eal_opt_bad_value(o, value, why);
			}
			if (!CPU_ISSET(c, &allowed))
				return cpu_unavailable(o, value, c, &allowed);
			set[c] = true;
			count++;
		}
	}
	if (count == 0)
		return eal_opt_bad_value(o, value, "the mask selects no CPU");
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
