/* iova_ranges.c: IOVA range arithmetic and the RLIMIT_MEMLOCK / type1
 * dma_entry_limit checks of dma_map, kept free of kernel calls so the host
 * unit tests can exercise every branch and message. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dma_map_internal.h"

static int range_cmp(const void *a, const void *b)
{
	const struct sl_iova_range *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->last < y->last ? -1 : (x->last > y->last);
}

unsigned sl_iova_ranges_normalize(struct sl_iova_range *r, unsigned n)
{
	unsigned i, out = 0;

	for (i = 0; i < n; i++)
		if (r[i].last >= r[i].start)
			r[out++] = r[i];
	n = out;
	if (n == 0)
		return 0;
	qsort(r, n, sizeof(*r), range_cmp);
	out = 0;
	for (i = 1; i < n; i++) {
		/* adjacent (last + 1 == start) or overlapping: merge */
		if (r[out].last == UINT64_MAX || r[i].start <= r[out].last + 1) {
			if (r[i].last > r[out].last)
				r[out].last = r[i].last;
		} else {
			r[++out] = r[i];
		}
	}
	return out + 1;
}

unsigned sl_iova_ranges_intersect(const struct sl_iova_range *a, unsigned na,
				  const struct sl_iova_range *b, unsigned nb,
				  struct sl_iova_range *out, unsigned max)
{
	unsigned i = 0, j = 0, n = 0;

	while (i < na && j < nb) {
		uint64_t lo = a[i].start > b[j].start ? a[i].start : b[j].start;
		uint64_t hi = a[i].last < b[j].last ? a[i].last : b[j].last;
		if (lo <= hi) {
			if (n < max) {
				out[n].start = lo;
				out[n].last = hi;
			}
			n++;
		}
		if (a[i].last < b[j].last)
			i++;
		else
			j++;
	}
	return n;
}

bool sl_iova_ranges_fit(const struct sl_iova_range *r, unsigned n, uint64_t iova, uint64_t len)
{
	uint64_t last;
	unsigned i;

	if (len == 0 || iova + (len - 1) < iova)
		return false;
	last = iova + (len - 1);
	for (i = 0; i < n; i++)
		if (iova >= r[i].start && last <= r[i].last)
			return true;
	return false;
}

bool sl_iova_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	if (alen == 0 || blen == 0)
		return false;
	/* inclusive ends; a range reaching 2^64 - 1 must not wrap */
	return a <= b + (blen - 1) && b <= a + (alen - 1);
}

void sl_iova_ranges_format(const struct sl_iova_range *r, unsigned n, char *buf, size_t len)
{
	size_t used = 0;
	unsigned i;

	if (len == 0)
		return;
	buf[0] = '\0';
	if (n == 0) {
		snprintf(buf, len, "(none)");
		return;
	}
	for (i = 0; i < n && used < len; i++) {
		int w = snprintf(buf + used, len - used, "%s0x%" PRIx64 "-0x%" PRIx64,
				 i ? ", " : "", r[i].start, r[i].last);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

int sl_iova_check(const struct sl_iova_range *r, unsigned n, uint64_t iova, uint64_t len,
		  const char *what, char *msg, size_t msglen)
{
	char ranges[256];
	uint64_t last;
	unsigned i;

	if (len == 0) {
		snprintf(msg, msglen, "%s: zero-length IOVA range at 0x%" PRIx64 " refused", what, iova);
		return -1;
	}
	if (iova + (len - 1) < iova) {
		snprintf(msg, msglen, "%s: IOVA 0x%" PRIx64 " + 0x%" PRIx64 " wraps around", what,
			 iova, len);
		return -1;
	}
	if (sl_iova_ranges_fit(r, n, iova, len))
		return 0;
	last = iova + (len - 1);
	sl_iova_ranges_format(r, n, ranges, sizeof(ranges));

	/* Name the reserved window (gap between usable ranges) it runs into. */
	for (i = 0; i + 1 < n; i++) {
		uint64_t hole_lo = r[i].last + 1, hole_hi = r[i + 1].start - 1;
		if (iova <= hole_hi && last >= hole_lo) {
			snprintf(msg, msglen,
				 "%s: IOVA 0x%" PRIx64 "-0x%" PRIx64 " overlaps the reserved window "
				 "0x%" PRIx64 "-0x%" PRIx64 " (e.g. the MSI range); usable IOVA ranges "
				 "are %s. Move this memory (another hugepage mount or address) or use "
				 "IOVAs inside the usable ranges",
				 what, iova, last, hole_lo, hole_hi, ranges);
			return -1;
		}
	}
	snprintf(msg, msglen,
		 "%s: IOVA 0x%" PRIx64 "-0x%" PRIx64 " is outside the usable IOVA ranges %s "
		 "(the IOMMU's address width or a reserved region); use IOVAs inside them",
		 what, iova, last, ranges);
	return -1;
}

/* ---- limits ------------------------------------------------------------ */

static uint64_t kib_up(uint64_t bytes) { return (bytes + 1023) / 1024; }

int sl_dma_memlock_check(uint64_t locked_bytes, uint64_t new_bytes, uint64_t limit_bytes,
			 bool cap_ipc_lock, char *msg, size_t msglen)
{
	uint64_t need;

	if (cap_ipc_lock || limit_bytes == SL_RLIM_INFINITY || new_bytes == 0)
		return 0;
	need = locked_bytes + new_bytes;
	if (need < locked_bytes)
		need = UINT64_MAX;
	if (need <= limit_bytes)
		return 0;
	snprintf(msg, msglen,
		 "RLIMIT_MEMLOCK is too low to pin packet memory for DMA: %" PRIu64 " KiB more "
		 "must be locked on top of %" PRIu64 " KiB already locked, %" PRIu64 " KiB in "
		 "all, but the limit is %" PRIu64 " KiB. Raise it to at least %" PRIu64 " KiB: "
		 "`ulimit -l %" PRIu64 "` in the shell that starts the program (or `memlock` in "
		 "/etc/security/limits.conf, LimitMEMLOCK= in a systemd unit), or run with "
		 "CAP_IPC_LOCK",
		 kib_up(new_bytes), kib_up(locked_bytes), kib_up(need), limit_bytes / 1024,
		 kib_up(need), kib_up(need));
	return -1;
}

int sl_dma_entry_check(uint64_t in_use, uint64_t new_entries, uint64_t limit, uint64_t avail,
		       char *msg, size_t msglen)
{
	uint64_t need = in_use + new_entries;
	bool known = limit != SL_DMA_LIMIT_UNKNOWN;
	char limit_txt[48];

	if (new_entries == 0)
		return 0;
	if (known)
		snprintf(limit_txt, sizeof(limit_txt), "is %" PRIu64, limit);
	else
		snprintf(limit_txt, sizeof(limit_txt), "unknown");
	if (avail != UINT32_MAX && new_entries > avail) {
		uint64_t raise_to = known ? limit + (new_entries - avail) : need;
		snprintf(msg, msglen,
			 "the type1 container can take only %" PRIu64 " more DMA mappings but %" PRIu64
			 " are needed (vfio_iommu_type1 dma_entry_limit %s); raise it to at least "
			 "%" PRIu64 ": `echo %" PRIu64 " > " SL_DMA_ENTRY_LIMIT_PATH "` (or the module "
			 "option vfio_iommu_type1.dma_entry_limit=%" PRIu64 "), or use fewer, larger "
			 "segments (hugepages)",
			 avail, new_entries, limit_txt, raise_to, raise_to, raise_to);
		return -1;
	}
	if (known && need > limit) {
		snprintf(msg, msglen,
			 "the type1 container needs %" PRIu64 " DMA mappings (%" PRIu64 " in use + %"
			 PRIu64 " new) but vfio_iommu_type1 dma_entry_limit %s; raise it "
			 "to at least %" PRIu64 ": `echo %" PRIu64 " > " SL_DMA_ENTRY_LIMIT_PATH "` (or "
			 "the module option vfio_iommu_type1.dma_entry_limit=%" PRIu64 "), or use "
			 "fewer, larger segments (hugepages)",
			 need, in_use, new_entries, limit_txt, need, need, need);
		return -1;
	}
	return 0;
}

int64_t sl_dma_read_status_field(const char *status_path, const char *field)
{
	char line[256];
	size_t flen = strlen(field);
	int64_t val = -1;
	FILE *f = fopen(status_path, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, field, flen) == 0 && line[flen] == ':') {
			unsigned long long kb;
			if (sscanf(line + flen + 1, "%llu", &kb) == 1)
				val = (int64_t)kb * 1024;
			break;
		}
	}
	fclose(f);
	return val;
}

uint64_t sl_dma_read_locked_bytes(const char *status_path)
{
	int64_t lck = sl_dma_read_status_field(status_path, "VmLck");
	int64_t pin = sl_dma_read_status_field(status_path, "VmPin");
	return (uint64_t)(lck > 0 ? lck : 0) + (uint64_t)(pin > 0 ? pin : 0);
}

uint64_t sl_dma_read_entry_limit(const char *path)
{
	unsigned long long v = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return SL_DMA_LIMIT_UNKNOWN;
	if (fscanf(f, "%llu", &v) != 1)
		v = SL_DMA_LIMIT_UNKNOWN;
	fclose(f);
	return v;
}
