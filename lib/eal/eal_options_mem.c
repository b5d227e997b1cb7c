/* eal_options_mem.c: the values of the memory options: -m and
 * --socket-mem (megabytes, summed over the sockets) and --base-virtaddr
 * (where the EAL starts placing its segments). */
#include <ctype.h>
#include <stdint.h>

#include "eal_private.h"
#include "eal_options_private.h"

/* Largest -m we accept: 1 TiB, far beyond any host this runs on. */
#define EAL_MAX_MEM_MB (1024u * 1024u)

int eal_opt_mem(const struct eal_opt *o, const char *value, bool list, struct eal_options *opts)
{
	unsigned long total = 0;
	const char *p = value;

	for (;;) {
		unsigned long mb;
		const char *end;
		if (eal_opt_parse_uint(p, &end, EAL_MAX_MEM_MB, &mb) != 0)
			return eal_opt_bad_value(o, value, NULL);
		total += mb;
		if (*end == '\0')
			break;
		if (!list || *end != ',')
			return eal_opt_bad_value(o, value, NULL);
		p = end + 1;
	}
	if (total == 0)
		return eal_opt_bad_value(o, value, "at least 1 megabyte is needed");
	if (total > EAL_MAX_MEM_MB)
		return eal_opt_bad_value(o, value, "more than 1 TiB");
	opts->pub.mem_bytes = (size_t)total << 20;
	return 0;
}

/* --base-virtaddr: where the EAL starts looking for room for its segments.
 * Strict: 0x-prefixed hexadecimal or decimal digits only, page aligned,
 * above the usual vm.mmap_min_addr and inside x86-64 user space. */
int eal_opt_base_virtaddr(const struct eal_opt *o, const char *value, struct eal_options *opts)
{
	const char *p = value;
	unsigned base = 10;
	uint64_t v = 0;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (*p == '\0')
		return eal_opt_bad_value(o, value, "no digits");
	for (; *p; p++) {
		unsigned d;
		if (isdigit((unsigned char)*p))
			d = (unsigned)(*p - '0');
		else if (base == 16 && isxdigit((unsigned char)*p))
			d = (unsigned)(tolower((unsigned char)*p) - 'a' + 10);
		else
			return eal_opt_bad_value(o, value, NULL);
		if (v > (EAL_MAX_BASE_VIRTADDR - d) / base)
			return eal_opt_bad_value(o, value, "beyond the 47-bit user address space");
		v = v * base + d;
	}
	if (v >= EAL_MAX_BASE_VIRTADDR)
		return eal_opt_bad_value(o, value, "beyond the 47-bit user address space");
	if (v < EAL_MIN_BASE_VIRTADDR)
		return eal_opt_bad_value(o, value,
					 "below 0x10000, where the kernel refuses mappings");
	if (v % 4096 != 0)
		return eal_opt_bad_value(o, value, "not a multiple of 4 KiB");
	opts->pub.base_virtaddr = v;
	return 0;
}
