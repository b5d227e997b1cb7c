/* rte_mempool.h (Sluice rte_ compatibility layer): struct rte_mempool IS
 * struct sl_mempool (one type), with DPDK's names for the calls Sluice
 * has. Pools are created with rte_pktmbuf_pool_create (rte_mbuf.h);
 * rte_mempool_create and named lookup are not provided. */
#ifndef SLUICE_RTE_MEMPOOL_H
#define SLUICE_RTE_MEMPOOL_H

#include "rte_common.h"
#include "rte_memory.h"

#ifdef __cplusplus
extern "C" {
#endif

#define rte_mempool sl_mempool
#define RTE_MEMPOOL_NAMESIZE SL_MEMPOOL_NAMESIZE

static inline unsigned rte_mempool_avail_count(const struct rte_mempool *mp)
{
	return sl_mempool_avail_count(mp);
}

static inline unsigned rte_mempool_in_use_count(const struct rte_mempool *mp)
{
	return sl_mempool_in_use_count(mp);
}

static inline int rte_mempool_full(const struct rte_mempool *mp)
{
	return sl_mempool_avail_count(mp) == sl_mempool_size(mp);
}

static inline int rte_mempool_empty(const struct rte_mempool *mp)
{
	return sl_mempool_avail_count(mp) == 0;
}

static inline void rte_mempool_free(struct rte_mempool *mp)
{
	if (mp != NULL)
		sl_mempool_free(mp);
}

static inline int rte_mempool_get(struct rte_mempool *mp, void **obj_p)
{
	return sl_mempool_get(mp, obj_p);
}

static inline int rte_mempool_get_bulk(struct rte_mempool *mp, void **obj_table, unsigned n)
{
	return sl_mempool_get_bulk(mp, obj_table, n);
}

static inline void rte_mempool_put(struct rte_mempool *mp, void *obj)
{
	sl_mempool_put(mp, obj);
}

static inline void rte_mempool_put_bulk(struct rte_mempool *mp, void *const *obj_table, unsigned n)
{
	sl_mempool_put_bulk(mp, obj_table, n);
}

#ifdef __cplusplus
}
#endif
#endif
