/* sl_mempool.h: fixed-size object pools in DMA-able memory, with a
 * per-lcore cache in front of a lock-free ring, and bulk get/put.
 *
 * CONTRACT (written before the implementation; signatures are fixed, the
 * fast-path functions become static inline here, the struct may grow). */
#ifndef SL_MEMPOOL_H
#define SL_MEMPOOL_H

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
	void *objs[SL_MEMPOOL_CACHE_MAX_SIZE * 2];
} sl_cache_aligned;

struct sl_mempool;

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

/* All N or none: 0, or -ENOENT when fewer than N are available. */
int sl_mempool_get_bulk(struct sl_mempool *mp, void **objs, unsigned n);
void sl_mempool_put_bulk(struct sl_mempool *mp, void *const *objs, unsigned n);
int sl_mempool_get(struct sl_mempool *mp, void **obj);
void sl_mempool_put(struct sl_mempool *mp, void *obj);

unsigned sl_mempool_avail_count(const struct sl_mempool *mp);  /* ring + caches */
unsigned sl_mempool_in_use_count(const struct sl_mempool *mp);
unsigned sl_mempool_size(const struct sl_mempool *mp);
uint64_t sl_mempool_virt2iova(const void *obj);
/* Call CB on every object of the pool (used or not). */
void sl_mempool_obj_iter(struct sl_mempool *mp, sl_mempool_obj_cb cb, void *arg);
const char *sl_mempool_name(const struct sl_mempool *mp);

#endif
