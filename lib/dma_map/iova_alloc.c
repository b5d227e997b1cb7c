/* iova_alloc.c: choosing the IOVA of new packet memory. The EAL asks
 * dma_map's chooser for every segment before publishing it: IOVA = VA when
 * that lies in the usable ranges of every address space with a device and
 * is free, else the lowest free IOVA there, aligned to the page size, from
 * 4 GiB up if possible. sl_iova_choose is the search itself, free of kernel
 * and locks so the host unit tests drive it directly. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "dma_map_internal.h"
#include "sl_eal.h"

/* ---- the search ----------------------------------------------------------- */

/* The first busy interval that [IOVA, IOVA+LEN) touches, or NULL. */
static const struct sl_iova_busy *busy_hit(const struct sl_iova_busy *busy, unsigned nbusy,
					   uint64_t iova, uint64_t len)
{
	for (unsigned i = 0; i < nbusy; i++)
		if (sl_iova_overlap(iova, len, busy[i].start, busy[i].len))
			return &busy[i];
	return NULL;
}

static bool align_up(uint64_t x, uint64_t align, uint64_t *out)
{
	uint64_t up = (x + (align - 1)) & ~(align - 1);

	if (up < x)
		return false; /* wrapped past 2^64 */
	*out = up;
	return true;
}

uint64_t sl_iova_choose(const struct sl_iova_range *r, unsigned nr,
			const struct sl_iova_busy *busy, unsigned nbusy, uint64_t prefer,
			uint64_t len, uint64_t align, uint64_t floor)
{
	if (len == 0 || align == 0 || (align & (align - 1)) != 0)
		return SL_IOVA_NONE;
	if ((prefer & (align - 1)) == 0 && sl_iova_ranges_fit(r, nr, prefer, len) &&
	    !busy_hit(busy, nbusy, prefer, len))
		return prefer;
	for (unsigned i = 0; i < nr; i++) {
		uint64_t cand;

		if (!align_up(r[i].start > floor ? r[i].start : floor, align, &cand))
			return SL_IOVA_NONE;
		/* slide past every busy interval in the way; each step moves up */
		while (cand <= r[i].last && len - 1 <= r[i].last - cand) {
			const struct sl_iova_busy *b = busy_hit(busy, nbusy, cand, len);
			if (b == NULL)
				return cand;
			if (b->start + (b->len - 1) == UINT64_MAX ||
			    !align_up(b->start + b->len, align, &cand))
				return SL_IOVA_NONE;
		}
	}
	return SL_IOVA_NONE;
}

/* ---- the EAL's chooser ---------------------------------------------------- */

/* Allocated IOVAs go from 4 GiB up where they can: x86 reserved windows
 * (MSI, RMRRs) sit below 4 GiB, so memory there is least likely to clash
 * with a device attached later. Never below 1 MiB (IOVA 0 looks unset). */
#define IOVA_FLOOR_PREFERRED (UINT64_C(1) << 32)
#define IOVA_FLOOR_LOWEST (UINT64_C(1) << 20)

struct busy_list {
	struct sl_iova_busy *v;
	unsigned n, cap;
};

static int busy_add(struct busy_list *b, uint64_t start, uint64_t len)
{
	if (b->n == b->cap) {
		unsigned cap = b->cap ? b->cap * 2 : 32;
		struct sl_iova_busy *v = realloc(b->v, cap * sizeof(*v));
		if (!v)
			return -1;
		b->v = v;
		b->cap = cap;
	}
	b->v[b->n].start = start;
	b->v[b->n].len = len;
	b->n++;
	return 0;
}

static int busy_add_seg(const struct sl_memseg *ms, void *arg)
{
	if (ms->iova == SL_BAD_IOVA)
		return 0; /* PA mode: the chooser is not used there */
	return busy_add(arg, ms->iova, ms->len);
}

/* The EAL's IOVA chooser (see sl_mem_set_iova_chooser): IOVA = VA when
 * that lies in the usable ranges of every address space with devices and
 * is not taken, else the lowest free IOVA there (from 4 GiB up if possible),
 * aligned to the page size. Runs under the EAL memory lock. */
uint64_t sl_dma_choose_iova(const void *va, size_t len, size_t page_size, void *arg)
{
	struct sl_iova_range use[SL_DMA_MAX_IOVA_RANGES], tmp[SL_DMA_MAX_IOVA_RANGES];
	unsigned nuse = 1;
	struct busy_list busy = {0};
	uint64_t align = page_size > 4096 ? page_size : 4096;
	uint64_t iova = SL_BAD_IOVA;
	bool known = false;
	struct sl_dma_as *as;
	char ranges[256];
	int saved = 0;

	(void)arg;
	/* every registered segment's IOVA is taken (the EAL lock is held) */
	if (sl_memseg_walk(busy_add_seg, &busy) != 0)
		goto nomem;
	pthread_mutex_lock(&sl_dma_g.lock);
	use[0].start = 0;
	use[0].last = UINT64_MAX;
	for (as = sl_dma_g.as_list; as; as = as->next) {
		struct as_mapping *m;
		for (m = as->maps; m; m = m->next)
			if (!m->seg && busy_add(&busy, m->iova, m->len) != 0) {
				pthread_mutex_unlock(&sl_dma_g.lock);
				goto nomem;
			}
		/* an address space that maps nothing (no-IOMMU) sets no bounds */
		if (as->nb_att == 0 || as->nb_ranges < 0 || !as->ops->map)
			continue;
		nuse = sl_iova_ranges_intersect(use, nuse, as->ranges,
						(unsigned)as->nb_ranges < SL_DMA_MAX_IOVA_RANGES ?
						(unsigned)as->nb_ranges : SL_DMA_MAX_IOVA_RANGES,
						tmp, SL_DMA_MAX_IOVA_RANGES);
		if (nuse > SL_DMA_MAX_IOVA_RANGES)
			nuse = SL_DMA_MAX_IOVA_RANGES;
		memcpy(use, tmp, nuse * sizeof(use[0]));
		if (as->iova_align > align)
			align = as->iova_align;
		known = true;
	}
	iova = sl_iova_choose(use, nuse, busy.v, busy.n, (uint64_t)(uintptr_t)va, len, align,
			      IOVA_FLOOR_PREFERRED);
	if (iova == SL_IOVA_NONE)
		iova = sl_iova_choose(use, nuse, busy.v, busy.n, (uint64_t)(uintptr_t)va, len, align,
				      IOVA_FLOOR_LOWEST);
	if (iova == SL_IOVA_NONE) {
		sl_iova_ranges_format(use, nuse, ranges, sizeof(ranges));
		sl_log(SL_LOG_ERR, LOG_COMP, "no free IOVA for %zu bytes of packet memory at %p: "
		       "every device's IOMMU accepts only %s%s, and %u segments/mappings already "
		       "take IOVAs there; use less memory (-m) or fewer mappings", len, va, ranges,
		       known ? "" : " (no device attached yet)", busy.n);
		saved = ENOSPC;
		iova = SL_BAD_IOVA;
	} else if (iova != (uint64_t)(uintptr_t)va) {
		sl_iova_ranges_format(use, nuse, ranges, sizeof(ranges));
		sl_log(SL_LOG_INFO, LOG_COMP, "packet memory at %p (%zu bytes): VA %s, so it gets "
		       "IOVA 0x%" PRIx64 " (usable IOVA ranges %s)", va, len,
		       sl_iova_ranges_fit(use, nuse, (uint64_t)(uintptr_t)va, len) ?
		       "is already taken as an IOVA" : "lies outside what the IOMMUs accept",
		       iova, ranges);
	}
	pthread_mutex_unlock(&sl_dma_g.lock);
	free(busy.v);
	errno = saved;
	return iova;
nomem:
	free(busy.v);
	sl_log(SL_LOG_ERR, LOG_COMP, "out of memory choosing an IOVA for %p", va);
	errno = ENOMEM;
	return SL_BAD_IOVA;
}
