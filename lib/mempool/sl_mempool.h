/* sl_mempool.h: fixed-size object pools in DMA-able memory, with a
 * per-lcore cache in front of a lock-free ring, and bulk get/put.
 *
 * Get and put are inline: they touch only the calling lcore's cache (no
 * locks, no atomics) and go to the ring in bulk when the cache runs empty
 * or passes its flush threshold (1.5 x the cache size). Threads that are
 * not EAL lcores (sl_lcore_id() == SL_LCORE_ID_ANY) use the ring directly.
 * A pool's memory comes from sl_dma_zmalloc; no object straddles a page
 * boundary where the pages are not IOVA-contiguous. */
#ifndef SL_MEMPOOL_H
#define SL_MEMPOOL_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include "sl_eal.h"
#include "sl_ring.h"

#define SL_MEMPOOL_NAMESIZE 32
#define SL_MEMPOOL_CACHE_MAX_SIZE 512

/* flags for sl_mempool_create */
#define SL_MEMPOOL_F_SP_PUT 0x1 /* one thread puts back to the ring */
#define SL_MEMPOOL_F_SC_GET 0x2 /* one thread gets from the ring */

struct sl_mempool_cache {
	uint32_t size;        /* target size */
	uint32_t flushthresh; /* put above this flushes to the ring */
	uint32_t len;         /* objects held now */
	/* on its own cache line: vector copies of multiples of four stay aligned */
	void *objs[SL_MEMPOOL_CACHE_MAX_SIZE * 2] sl_cache_aligned;
} sl_cache_aligned;

/* The pool. Read-mostly fields used on the fast path come first. */
struct sl_mempool {
	struct sl_ring *ring;                   /* objects not in any cache */
	struct sl_mempool_cache *local_cache;   /* [SL_MAX_LCORE], always present */
	unsigned size;                          /* number of objects */
	unsigned elt_size;                      /* bytes per object (cache-line multiple) */
	unsigned cache_size;                    /* per-lcore cache target (0: none) */
	unsigned flags;
	void *mem;                              /* DMA memory holding the objects */
	size_t mem_len;
	void **obj_table;                       /* every object, for sl_mempool_obj_iter */
	char name[SL_MEMPOOL_NAMESIZE];
	/* for the library built on top (mbuf keeps its pool parameters here) */
	uint64_t user[4];
} sl_cache_aligned;

/* Called once per object at creation, e.g. to initialise mbuf headers. */
typedef void (*sl_mempool_obj_cb)(struct sl_mempool *mp, void *arg, void *obj, unsigned idx);

/* N objects of ELT_SIZE bytes (rounded to a cache line) in DMA-able memory,
 * each object IOVA-contiguous. CACHE_SIZE objects per lcore (0: no cache,
 * at most SL_MEMPOOL_CACHE_MAX_SIZE). NULL with errno and a log line on
 * error. */
struct sl_mempool *sl_mempool_create(const char *name, unsigned n, unsigned elt_size,
				     unsigned cache_size, unsigned flags,
				     sl_mempool_obj_cb obj_init, void *obj_init_arg);
void sl_mempool_free(struct sl_mempool *mp);

unsigned sl_mempool_avail_count(const struct sl_mempool *mp);  /* ring + caches */
unsigned sl_mempool_in_use_count(const struct sl_mempool *mp);
unsigned sl_mempool_size(const struct sl_mempool *mp);
uint64_t sl_mempool_virt2iova(const void *obj);
/* Call CB on every object of the pool (used or not). */
void sl_mempool_obj_iter(struct sl_mempool *mp, sl_mempool_obj_cb cb, void *arg);
const char *sl_mempool_name(const struct sl_mempool *mp);

/* The cache of lcore LCORE_ID, or NULL for a non-EAL thread
 * (SL_LCORE_ID_ANY). */
static inline struct sl_mempool_cache *
sl_mempool_default_cache(struct sl_mempool *mp, unsigned lcore_id)
{
	return lcore_id < SL_MAX_LCORE ? &mp->local_cache[lcore_id] : NULL;
}

/* Give every object in LCORE_ID's cache back to the ring. Only that lcore
 * may call this while it runs (or anyone once it has stopped). */
void sl_mempool_cache_flush(struct sl_mempool *mp, unsigned lcore_id);

/* ---- fast path -------------------------------------------------------- */

/* Out of line: refill/flush through the ring, and the uncached path of
 * non-EAL threads (CACHE NULL). Called only by the inline functions. */
int __sl_mempool_get_bulk_slow(struct sl_mempool *mp, struct sl_mempool_cache *cache,
			      void **objs, unsigned n);
void __sl_mempool_put_bulk_slow(struct sl_mempool *mp, struct sl_mempool_cache *cache,
			       void *const *objs, unsigned n);

/* All N or none: 0, or -ENOENT when fewer than N are available (objects
 * held in other lcores' caches do not count). The most recently put
 * objects come back first. */
static sl_always_inline int
sl_mempool_get_bulk(struct sl_mempool *mp, void **objs, unsigned n)
{
	unsigned lcore_id = sl_lcore_id();
	struct sl_mempool_cache *cache;
	unsigned len;

	if (sl_unlikely(lcore_id >= SL_MAX_LCORE))
		return __sl_mempool_get_bulk_slow(mp, NULL, objs, n);
	cache = &mp->local_cache[lcore_id];
	len = cache->len;
	if (sl_unlikely(n > len))
		return __sl_mempool_get_bulk_slow(mp, cache, objs, n);
	len -= n;
	cache->len = len;
	__sl_ptrs_copy(objs, &cache->objs[len], n);
	return 0;
}

/* Put N objects back: into this lcore's cache, flushing the cache to the
 * ring when it would pass its threshold. */
static sl_always_inline void
sl_mempool_put_bulk(struct sl_mempool *mp, void *const *objs, unsigned n)
{
	unsigned lcore_id = sl_lcore_id();
	struct sl_mempool_cache *cache;
	unsigned len;

	if (sl_unlikely(lcore_id >= SL_MAX_LCORE)) {
		__sl_mempool_put_bulk_slow(mp, NULL, objs, n);
		return;
	}
	cache = &mp->local_cache[lcore_id];
	len = cache->len;
	if (sl_unlikely(len + n > cache->flushthresh)) {
		__sl_mempool_put_bulk_slow(mp, cache, objs, n);
		return;
	}
	cache->len = len + n;
	__sl_ptrs_copy(&cache->objs[len], objs, n);
}

static sl_always_inline int
sl_mempool_get(struct sl_mempool *mp, void **obj)
{
	return sl_mempool_get_bulk(mp, obj, 1);
}

static sl_always_inline void
sl_mempool_put(struct sl_mempool *mp, void *obj)
{
	sl_mempool_put_bulk(mp, &obj, 1);
}

#endif
