/* rte_mbuf.h (Sluice rte_ compatibility layer): struct rte_mbuf IS
 * struct sl_mbuf: one type, one layout, no conversion. Fields with the
 * same name mean the same (buf_addr, buf_iova, data_off, refcnt, nb_segs,
 * port, ol_flags, packet_type, pkt_len, data_len, vlan_tci, buf_len, pool,
 * next, priv_size, hash.rss, dynfield1 through rte_mbuf_dyn.h); DPDK's
 * other fields (tx_offload and l2_len..., timestamp, shinfo...) do not
 * exist: doc/dpdk-compat.md lists them. The
 * calls below are Sluice's inline ones under DPDK's names. */
#ifndef SLUICE_RTE_MBUF_H
#define SLUICE_RTE_MBUF_H

#include <stdint.h>
#include "rte_mbuf_dyn.h"

#include "rte_common.h"
#include "rte_mempool.h"
#include "rte_mbuf_ptype.h"
#include "rte_errno.h"
#include "rte_memory.h"

#ifdef __cplusplus
extern "C" {
#endif

#define rte_mbuf sl_mbuf

#define RTE_MBUF_DEFAULT_DATAROOM SL_MBUF_DEFAULT_DATAROOM
#define RTE_MBUF_DEFAULT_BUF_SIZE SL_MBUF_DEFAULT_BUF_SIZE
#define RTE_MBUF_PORT_INVALID SL_MBUF_PORT_INVALID
#define RTE_MBUF_MAX_NB_SEGS UINT16_MAX

/* ol_flags with DPDK's bit values (the ones Sluice's drivers may set). */
#define RTE_MBUF_F_RX_RSS_HASH SL_MBUF_F_RX_RSS_HASH
#define RTE_MBUF_F_RX_L4_CKSUM_BAD SL_MBUF_F_RX_L4_CKSUM_BAD
#define RTE_MBUF_F_RX_IP_CKSUM_BAD SL_MBUF_F_RX_IP_CKSUM_BAD
_Static_assert(SL_MBUF_F_RX_RSS_HASH == (1ULL << 1) && SL_MBUF_F_RX_L4_CKSUM_BAD == (1ULL << 3) &&
		       SL_MBUF_F_RX_IP_CKSUM_BAD == (1ULL << 4),
	       "Sluice's ol_flags have DPDK's bit values");

/* NAME: a pool of N mbufs with DATA_ROOM_SIZE bytes of buffer each
 * (headroom included) and PRIV_SIZE bytes of application area. SOCKET_ID:
 * SOCKET_ID_ANY or a node of the machine (see rte_malloc.h). NULL with
 * rte_errno set. */
struct rte_mempool *rte_pktmbuf_pool_create(const char *name, unsigned n, unsigned cache_size,
					    uint16_t priv_size, uint16_t data_room_size, int socket_id);

#define rte_pktmbuf_mtod_offset(m, t, o) sl_pktmbuf_mtod_offset(m, t, o)
#define rte_pktmbuf_mtod(m, t) sl_pktmbuf_mtod(m, t)
#define rte_pktmbuf_pkt_len(m) sl_pktmbuf_pkt_len(m)
#define rte_pktmbuf_data_len(m) sl_pktmbuf_data_len(m)
#define rte_pktmbuf_iova_offset(m, o) ((rte_iova_t)((m)->buf_iova + (m)->data_off + (o)))
#define rte_pktmbuf_iova(m) rte_pktmbuf_iova_offset(m, 0)

static inline struct rte_mbuf *rte_pktmbuf_alloc(struct rte_mempool *mp)
{
	return sl_pktmbuf_alloc(mp);
}

/* 0, or -ENOENT (nothing allocated). */
static inline int rte_pktmbuf_alloc_bulk(struct rte_mempool *pool, struct rte_mbuf **mbufs,
					 unsigned count)
{
	return sl_pktmbuf_alloc_bulk(pool, mbufs, count);
}

static inline void rte_pktmbuf_free(struct rte_mbuf *m)
{
	sl_pktmbuf_free(m);
}

static inline void rte_pktmbuf_free_bulk(struct rte_mbuf **mbufs, unsigned count)
{
	sl_pktmbuf_free_bulk(mbufs, count);
}

/* Free one segment (not the rest of its chain). */
static inline void rte_pktmbuf_free_seg(struct rte_mbuf *m)
{
	m = sl_pktmbuf_prefree_seg(m);
	if (m != NULL)
		sl_mempool_put(m->pool, m);
}

static inline void rte_pktmbuf_reset(struct rte_mbuf *m)
{
	sl_pktmbuf_reset(m);
}

static inline uint16_t rte_pktmbuf_headroom(const struct rte_mbuf *m)
{
	return sl_pktmbuf_headroom(m);
}

static inline uint16_t rte_pktmbuf_tailroom(const struct rte_mbuf *m)
{
	return sl_pktmbuf_tailroom(m);
}

static inline struct rte_mbuf *rte_pktmbuf_lastseg(struct rte_mbuf *m)
{
	return sl_pktmbuf_lastseg(m);
}

static inline char *rte_pktmbuf_prepend(struct rte_mbuf *m, uint16_t len)
{
	return sl_pktmbuf_prepend(m, len);
}

static inline char *rte_pktmbuf_append(struct rte_mbuf *m, uint16_t len)
{
	return sl_pktmbuf_append(m, len);
}

static inline char *rte_pktmbuf_adj(struct rte_mbuf *m, uint16_t len)
{
	return sl_pktmbuf_adj(m, len);
}

static inline int rte_pktmbuf_trim(struct rte_mbuf *m, uint16_t len)
{
	return sl_pktmbuf_trim(m, len);
}

/* 0, or -EOVERFLOW. */
static inline int rte_pktmbuf_chain(struct rte_mbuf *head, struct rte_mbuf *tail)
{
	return sl_pktmbuf_chain(head, tail);
}

static inline int rte_pktmbuf_is_contiguous(const struct rte_mbuf *m)
{
	return m->nb_segs == 1;
}

static inline uint16_t rte_pktmbuf_data_room_size(struct rte_mempool *mp)
{
	return sl_pktmbuf_data_room_size(mp);
}

static inline uint16_t rte_pktmbuf_priv_size(struct rte_mempool *mp)
{
	return sl_pktmbuf_priv_size(mp);
}

static inline rte_iova_t rte_mbuf_data_iova(const struct rte_mbuf *mb)
{
	return sl_pktmbuf_data_iova(mb);
}

static inline rte_iova_t rte_mbuf_data_iova_default(const struct rte_mbuf *mb)
{
	return sl_pktmbuf_data_iova_default(mb);
}

static inline uint16_t rte_mbuf_refcnt_read(const struct rte_mbuf *m)
{
	return __atomic_load_n(&m->refcnt, __ATOMIC_RELAXED);
}

static inline void rte_mbuf_refcnt_set(struct rte_mbuf *m, uint16_t new_value)
{
	__atomic_store_n(&m->refcnt, new_value, __ATOMIC_RELAXED);
}

static inline uint16_t rte_mbuf_refcnt_update(struct rte_mbuf *m, int16_t value)
{
	return (uint16_t)__atomic_add_fetch(&m->refcnt, (uint16_t)value, __ATOMIC_ACQ_REL);
}

static inline void *rte_mbuf_to_priv(struct rte_mbuf *m)
{
	return (char *)m + sizeof(struct rte_mbuf);
}

#ifdef __cplusplus
}
#endif
#endif
