/* sl_mbuf.h: packet buffers. An mbuf header sits in front of its data room
 * in a mempool object; it carries the IOVA of its buffer so drivers post
 * sl_pktmbuf_data_iova(m) straight into descriptors without translating.
 *
 * CONTRACT (written before the implementation; signatures and the fields
 * below are fixed, fast-path functions become static inline here). */
#ifndef SL_MBUF_H
#define SL_MBUF_H

#include <stdint.h>
#include "sl_eal.h"
#include "sl_mempool.h"

#define SL_PKTMBUF_HEADROOM 128
#define SL_MBUF_DEFAULT_DATAROOM 2048
#define SL_MBUF_DEFAULT_BUF_SIZE (SL_MBUF_DEFAULT_DATAROOM + SL_PKTMBUF_HEADROOM)

/* ol_flags */
#define SL_MBUF_F_RX_RSS_HASH (1ULL << 1)
#define SL_MBUF_F_RX_IP_CKSUM_BAD (1ULL << 4)
#define SL_MBUF_F_RX_L4_CKSUM_BAD (1ULL << 3)

struct sl_mbuf {
	/* cache line 0: what rx and tx touch */
	void *buf_addr;          /* start of the buffer (headroom included) */
	uint64_t buf_iova;       /* IOVA of buf_addr */
	/* rearm block: the four fields below are written as one 64-bit word */
	uint16_t data_off;       /* start of data, from buf_addr */
	uint16_t refcnt;
	uint16_t nb_segs;
	uint16_t port;
	uint64_t ol_flags;
	uint32_t packet_type;
	uint32_t pkt_len;        /* whole chain */
	uint16_t data_len;       /* this segment */
	uint16_t vlan_tci;
	uint32_t hash_rss;
	uint16_t buf_len;
	uint16_t queue;          /* rx queue it arrived on */
	uint32_t reserved0;
	struct sl_mempool *pool;
	struct sl_mbuf *next;    /* next segment */
	/* cache line 1: slow path */
	uint16_t priv_size;
	uint16_t reserved1[3];
	uint64_t udata64;
} sl_cache_aligned;

/* A pool of N packet mbufs with DATA_ROOM bytes of buffer each
 * (headroom included, as DPDK counts it) and PRIV_SIZE bytes of
 * application area between header and buffer. */
struct sl_mempool *sl_pktmbuf_pool_create(const char *name, unsigned n, unsigned cache_size,
					  uint16_t priv_size, uint16_t data_room_size);

struct sl_mbuf *sl_pktmbuf_alloc(struct sl_mempool *mp);
/* All N or none: 0 or -ENOENT. Each mbuf comes reset. */
int sl_pktmbuf_alloc_bulk(struct sl_mempool *mp, struct sl_mbuf **mbufs, unsigned n);
void sl_pktmbuf_free(struct sl_mbuf *m);                    /* whole chain */
void sl_pktmbuf_free_bulk(struct sl_mbuf **mbufs, unsigned n);
void sl_pktmbuf_reset(struct sl_mbuf *m);

#define sl_pktmbuf_mtod_offset(m, t, o) ((t)((char *)(m)->buf_addr + (m)->data_off + (o)))
#define sl_pktmbuf_mtod(m, t) sl_pktmbuf_mtod_offset(m, t, 0)
uint64_t sl_pktmbuf_data_iova(const struct sl_mbuf *m);         /* buf_iova + data_off */
uint64_t sl_pktmbuf_data_iova_default(const struct sl_mbuf *m); /* buf_iova + HEADROOM */

uint16_t sl_pktmbuf_headroom(const struct sl_mbuf *m);
uint16_t sl_pktmbuf_tailroom(const struct sl_mbuf *m);
/* NULL (and m unchanged) when there is not enough room/data. */
char *sl_pktmbuf_prepend(struct sl_mbuf *m, uint16_t len);
char *sl_pktmbuf_append(struct sl_mbuf *m, uint16_t len);
char *sl_pktmbuf_adj(struct sl_mbuf *m, uint16_t len);   /* drop from front */
int sl_pktmbuf_trim(struct sl_mbuf *m, uint16_t len);    /* drop from back, 0 or -1 */

#endif
