/* mempool.c: creation, object layout in DMA-able memory, the ring side of
 * the per-lcore caches (refill and flush), and pool statistics. Get and put
 * themselves are inline in sl_mempool.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sl_eal.h"
#include "sl_mempool.h"
#include "sl_ring.h"

#define MP_LOG "mempool"

/* ---- ring side of the fast path -------------------------------------- */

int __sl_mempool_get_bulk_slow(struct sl_mempool *mp, struct sl_mempool_cache *cache, void **objs,
			      unsigned n)
{
	unsigned len, need;

	/* no cache (non-EAL thread or a pool without caches), or a request
	 * larger than a cache can hold: straight from the ring */
	if (cache == NULL || cache->size == 0 || n > SL_MEMPOOL_CACHE_MAX_SIZE)
		return sl_ring_dequeue_bulk(mp->ring, objs, n, NULL) == n ? 0 : -ENOENT;

	/* The cache holds fewer than N. Refill it above what it has so that
	 * after taking N it is back at its target size; if the ring cannot
	 * give that much, take just what this request lacks. The cache has
	 * room: len < n <= MAX and size <= MAX, objs[] holds 2 * MAX. */
	len = cache->len;
	need = cache->size + n - len;
	if (sl_ring_dequeue_bulk(mp->ring, &cache->objs[len], need, NULL) != need) {
		need = n - len;
		if (sl_ring_dequeue_bulk(mp->ring, &cache->objs[len], need, NULL) != need)
			return -ENOENT;
	}
	len += need - n;
	__sl_ptrs_copy(objs, &cache->objs[len], n);
	cache->len = len;
	return 0;
}

void __sl_mempool_put_bulk_slow(struct sl_mempool *mp, struct sl_mempool_cache *cache,
			       void *const *objs, unsigned n)
{
	/* The ring has a slot for every object of the pool, so enqueueing
	 * objects that came from this pool always succeeds. */
	if (cache == NULL || n > cache->flushthresh) {
		sl_ring_enqueue_bulk(mp->ring, objs, n, NULL);
		return;
	}
	/* adding N would pass the threshold: flush the whole cache to the
	 * ring, then keep the N just put (the hottest) */
	sl_ring_enqueue_bulk(mp->ring, cache->objs, cache->len, NULL);
	__sl_ptrs_copy(cache->objs, objs, n);
	cache->len = n;
}

void sl_mempool_cache_flush(struct sl_mempool *mp, unsigned lcore_id)
{
	struct sl_mempool_cache *cache = sl_mempool_default_cache(mp, lcore_id);

	if (cache == NULL || cache->len == 0)
		return;
	sl_ring_enqueue_bulk(mp->ring, cache->objs, cache->len, NULL);
	cache->len = 0;
}

/* ---- object layout ---------------------------------------------------- */

/* Whether [VA, VA+LEN) has contiguous IOVAs (so a device can DMA to it as
 * one piece). */
static int range_iova_contig(const char *va, size_t len)
{
	const struct sl_memseg *ms = sl_mem_virt2memseg(va);
	uint64_t iova0 = sl_mem_virt2iova(va);
	size_t pgsz;
	uintptr_t p;

	if (ms == NULL || iova0 == SL_BAD_IOVA)
		return 0;
	if ((const char *)ms->va + ms->len < va + len)
		return 0; /* runs off the end of its segment */
	if (ms->iova != SL_BAD_IOVA)
		return 1; /* the whole segment is IOVA-contiguous */
	pgsz = ms->page_size ? ms->page_size : 4096;
	for (p = SL_ALIGN_CEIL((uintptr_t)va + 1, pgsz); p < (uintptr_t)va + len; p += pgsz)
		if (sl_mem_virt2iova((const void *)p) != iova0 + (p - (uintptr_t)va))
			return 0;
	return 1;
}

/* Place up to N objects of STRIDE bytes in [BASE, BASE+LEN), skipping to
 * the next page wherever an object would straddle a break in IOVA. Fills
 * TABLE and returns how many fit. */
static unsigned place_objects(char *base, size_t len, unsigned n, size_t stride, void **table)
{
	char *p = base, *end = base + len;
	unsigned placed = 0;

	while (placed < n && (size_t)(end - p) >= stride) {
		if (range_iova_contig(p, stride)) {
			table[placed++] = p;
			p += stride;
			continue;
		}
		/* move to the next page boundary inside the object */
		const struct sl_memseg *ms = sl_mem_virt2memseg(p);
		size_t pgsz = ms && ms->page_size ? ms->page_size : 4096;
		uintptr_t next = SL_ALIGN_CEIL((uintptr_t)p + 1, pgsz);
		if (next >= (uintptr_t)p + stride || next >= (uintptr_t)end)
			break; /* no page boundary to skip to: object cannot be placed */
		p = (char *)next;
	}
	return placed;
}

/* Reserve the pool's memory and lay the objects out. On success mp->mem,
 * mem_len and obj_table are set. */
static int pool_memory(struct sl_mempool *mp, unsigned n, size_t stride)
{
	size_t len = (size_t)n * stride;
	const struct sl_memseg *ms;
	size_t pgsz, per_page;
	char *mem;
	unsigned placed;

	/* first try packed: enough when the memory is IOVA-contiguous */
	mem = sl_dma_zmalloc(mp->name, len, SL_CACHE_LINE_SIZE);
	if (mem == NULL) {
		SL_LOG(ERR, MP_LOG,
		       "pool '%s': cannot reserve %zu bytes of DMA memory for %u objects of %zu bytes (%s); "
		       "reserve more memory (-m/--socket-mem, more hugepages) or make the pool smaller",
		       mp->name, len, n, stride, strerror(errno));
		return -ENOMEM;
	}
	placed = place_objects(mem, len, n, stride, mp->obj_table);
	if (placed == n) {
		mp->mem = mem;
		mp->mem_len = len;
		return 0;
	}

	/* pages are not IOVA-contiguous: give each page a whole number of
	 * objects, starting page-aligned */
	ms = sl_mem_virt2memseg(mem);
	pgsz = ms && ms->page_size ? ms->page_size : 4096;
	sl_dma_free(mem);
	if (stride > pgsz) {
		SL_LOG(ERR, MP_LOG,
		       "pool '%s': objects of %zu bytes do not fit in one %zu-byte page and the pages are "
		       "not IOVA-contiguous; use hugepages or IOVA-as-VA mode (--iova-mode va)",
		       mp->name, stride, pgsz);
		return -EINVAL;
	}
	per_page = pgsz / stride;
	len = ((n + per_page - 1) / per_page) * pgsz;
	mem = sl_dma_zmalloc(mp->name, len, pgsz);
	if (mem == NULL) {
		SL_LOG(ERR, MP_LOG,
		       "pool '%s': cannot reserve %zu bytes of DMA memory for %u objects of %zu bytes laid out "
		       "page by page (%s); reserve more memory (-m/--socket-mem) or make the pool smaller",
		       mp->name, len, n, stride, strerror(errno));
		return -ENOMEM;
	}
	placed = place_objects(mem, len, n, stride, mp->obj_table);
	if (placed != n) {
		sl_dma_free(mem);
		SL_LOG(ERR, MP_LOG,
		       "pool '%s': only %u of %u objects could be placed IOVA-contiguously in %zu bytes; "
		       "the memory has IOVA breaks inside pages",
		       mp->name, placed, n, len);
		return -EINVAL;
	}
	mp->mem = mem;
	mp->mem_len = len;
	return 0;
}

/* ---- create / free ---------------------------------------------------- */

static unsigned next_pow2(unsigned v)
{
	unsigned p = 1;
	while (p < v)
		p <<= 1;
	return p;
}

struct sl_mempool *sl_mempool_create(const char *name, unsigned n, unsigned elt_size,
				     unsigned cache_size, unsigned flags,
				     sl_mempool_obj_cb obj_init, void *obj_init_arg)
{
	struct sl_mempool *mp = NULL;
	unsigned ring_flags = 0, i, lcore;
	size_t stride;
	int err;

	if (name == NULL || name[0] == '\0' || strlen(name) >= SL_MEMPOOL_NAMESIZE) {
		SL_LOG(ERR, MP_LOG, "mempool name must be 1 to %d characters long",
		       SL_MEMPOOL_NAMESIZE - 1);
		errno = EINVAL;
		return NULL;
	}
	if (n == 0 || n > SL_RING_SZ_MAX || elt_size == 0) {
		SL_LOG(ERR, MP_LOG,
		       "pool '%s': %u objects of %u bytes asked for; both must be non-zero (at most %u objects)",
		       name, n, elt_size, SL_RING_SZ_MAX);
		errno = EINVAL;
		return NULL;
	}
	if (cache_size > SL_MEMPOOL_CACHE_MAX_SIZE || (cache_size != 0 && cache_size * 3 / 2 > n)) {
		SL_LOG(ERR, MP_LOG,
		       "pool '%s': cache size %u is too large; it must be at most %d and at most 2/3 of the "
		       "pool size (%u objects)",
		       name, cache_size, SL_MEMPOOL_CACHE_MAX_SIZE, n);
		errno = EINVAL;
		return NULL;
	}
	if (flags & ~(unsigned)(SL_MEMPOOL_F_SP_PUT | SL_MEMPOOL_F_SC_GET)) {
		SL_LOG(ERR, MP_LOG, "pool '%s': unknown flags 0x%x (known: SL_MEMPOOL_F_SP_PUT, SL_MEMPOOL_F_SC_GET)",
		       name, flags);
		errno = EINVAL;
		return NULL;
	}
	stride = SL_ALIGN_CEIL((size_t)elt_size, (size_t)SL_CACHE_LINE_SIZE);
	if (stride > UINT32_MAX) {
		SL_LOG(ERR, MP_LOG, "pool '%s': object size %u too large", name, elt_size);
		errno = EINVAL;
		return NULL;
	}

	mp = aligned_alloc(SL_CACHE_LINE_SIZE, sizeof(*mp));
	if (mp == NULL)
		goto nomem;
	memset(mp, 0, sizeof(*mp));
	strcpy(mp->name, name);
	mp->size = n;
	mp->elt_size = (unsigned)stride;
	mp->cache_size = cache_size;
	mp->flags = flags;

	/* caches for every possible lcore id; pages of caches never used are
	 * touched only for their three counters */
	mp->local_cache = aligned_alloc(SL_CACHE_LINE_SIZE, sizeof(*mp->local_cache) * SL_MAX_LCORE);
	if (mp->local_cache == NULL)
		goto nomem;
	for (lcore = 0; lcore < SL_MAX_LCORE; lcore++) {
		mp->local_cache[lcore].size = cache_size;
		mp->local_cache[lcore].flushthresh = cache_size * 3 / 2;
		mp->local_cache[lcore].len = 0;
	}

	mp->obj_table = calloc(n, sizeof(void *));
	if (mp->obj_table == NULL)
		goto nomem;

	if (flags & SL_MEMPOOL_F_SP_PUT)
		ring_flags |= SL_RING_F_SP_ENQ;
	if (flags & SL_MEMPOOL_F_SC_GET)
		ring_flags |= SL_RING_F_SC_DEQ;
	mp->ring = sl_ring_create(name, next_pow2(n), ring_flags);
	if (mp->ring == NULL) {
		err = errno;
		SL_LOG(ERR, MP_LOG, "pool '%s': cannot create its ring of %u slots", name, next_pow2(n));
		goto fail;
	}

	err = -pool_memory(mp, n, stride);
	if (err)
		goto fail;

	for (i = 0; i < n; i++) {
		if (obj_init != NULL)
			obj_init(mp, obj_init_arg, mp->obj_table[i], i);
	}
	if (sl_ring_enqueue_bulk(mp->ring, mp->obj_table, n, NULL) != n) {
		SL_LOG(ERR, MP_LOG, "pool '%s': internal error: ring refused the objects", name);
		err = EFAULT;
		goto fail;
	}
	SL_LOG(DEBUG, MP_LOG, "pool '%s': %u objects of %zu bytes, cache %u, %zu bytes at %p", name, n,
	       stride, cache_size, mp->mem_len, mp->mem);
	return mp;

nomem:
	SL_LOG(ERR, MP_LOG, "pool '%s': out of memory for the pool's bookkeeping", name);
	err = ENOMEM;
fail:
	if (mp != NULL) {
		if (mp->mem != NULL)
			sl_dma_free(mp->mem);
		sl_ring_free(mp->ring);
		free(mp->obj_table);
		free(mp->local_cache);
		free(mp);
	}
	errno = err;
	return NULL;
}

void sl_mempool_free(struct sl_mempool *mp)
{
	unsigned in_use;

	if (mp == NULL)
		return;
	in_use = sl_mempool_in_use_count(mp);
	if (in_use != 0)
		SL_LOG(WARNING, MP_LOG, "pool '%s' freed while %u of its objects are still in use", mp->name,
		       in_use);
	sl_dma_free(mp->mem);
	sl_ring_free(mp->ring);
	free(mp->obj_table);
	free(mp->local_cache);
	free(mp);
}

/* ---- information ------------------------------------------------------ */

unsigned sl_mempool_avail_count(const struct sl_mempool *mp)
{
	unsigned count = sl_ring_count(mp->ring), lcore;

	for (lcore = 0; lcore < SL_MAX_LCORE; lcore++)
		count += __atomic_load_n(&mp->local_cache[lcore].len, __ATOMIC_RELAXED);
	/* caches change while we add them up */
	return count > mp->size ? mp->size : count;
}

unsigned sl_mempool_in_use_count(const struct sl_mempool *mp)
{
	return mp->size - sl_mempool_avail_count(mp);
}

unsigned sl_mempool_size(const struct sl_mempool *mp)
{
	return mp->size;
}

uint64_t sl_mempool_virt2iova(const void *obj)
{
	return sl_mem_virt2iova(obj);
}

void sl_mempool_obj_iter(struct sl_mempool *mp, sl_mempool_obj_cb cb, void *arg)
{
	unsigned i;

	for (i = 0; i < mp->size; i++)
		cb(mp, arg, mp->obj_table[i], i);
}

const char *sl_mempool_name(const struct sl_mempool *mp)
{
	return mp->name;
}
