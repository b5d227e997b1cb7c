/* sl_mbuf.h: packet buffers. An mbuf header sits in front of its data room
 * in a mempool object; it carries the IOVA of its buffer so drivers post
 * sl_pktmbuf_data_iova(m) straight into descriptors without translating.
 *
 * Allocation and free are inline: alloc takes objects from the pool's
 * per-lcore cache and resets each header with a few stores (the rearm
 * block in one); free_bulk hands a burst of simple mbufs of one pool back
 * in one put. Multi-segment packets are chains linked by next, with
 * nb_segs and pkt_len kept on the first segment. Dynamic fields and flags
 * (registered by name, DPDK's rte_mbuf_dyn) are at the end of this file. */
#ifndef SL_MBUF_H
#define SL_MBUF_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "sl_eal.h"
#include "sl_mempool.h"

#define SL_PKTMBUF_HEADROOM 128
#define SL_MBUF_DEFAULT_DATAROOM 2048
#define SL_MBUF_DEFAULT_BUF_SIZE (SL_MBUF_DEFAULT_DATAROOM + SL_PKTMBUF_HEADROOM)

/* ol_flags. The bit positions are DPDK's RTE_MBUF_F_* ones. Bits
 * SL_MBUF_DYNFLAG_FIRST..SL_MBUF_DYNFLAG_LAST (23..40, the range DPDK 22.11
 * keeps free of static flags) are handed out by sl_mbuf_dynflag_register;
 * Sluice never defines a static flag there. */
#define SL_MBUF_F_RX_RSS_HASH (1ULL << 1)
#define SL_MBUF_F_RX_IP_CKSUM_BAD (1ULL << 4)
#define SL_MBUF_F_RX_L4_CKSUM_BAD (1ULL << 3)
#define SL_MBUF_F_STATIC_MASK (SL_MBUF_F_RX_RSS_HASH | SL_MBUF_F_RX_IP_CKSUM_BAD | SL_MBUF_F_RX_L4_CKSUM_BAD)
#define SL_MBUF_DYNFLAG_FIRST 23
#define SL_MBUF_DYNFLAG_LAST 40

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
	/* hash.rss: the RSS hash, valid with SL_MBUF_F_RX_RSS_HASH (a named
	 * union as DPDK's m->hash, so m->hash.rss reads the same in both) */
	union {
		uint32_t rss;
		uint32_t usr;        /* free for the application when there is no hash */
	} hash;
	uint16_t buf_len;
	uint16_t queue;          /* rx queue it arrived on */
	uint32_t reserved0;
	struct sl_mempool *pool;
	/* cache line 1: chains and the slow path. The single-segment free
	 * path never reads next: nb_segs == 1 on a first segment means no
	 * chain, so code that chains by hand sets nb_segs (or uses
	 * sl_pktmbuf_chain). */
	struct sl_mbuf *next;    /* next segment */
	uint16_t priv_size;
	uint16_t reserved1[3];
	uint64_t udata64;
	/* Dynamic fields (sl_mbuf_dynfield_register): up to the end of the
	 * mbuf. Never touched by Sluice: allocation does not reset them. */
	uint32_t dynfield1[10];
} sl_cache_aligned;

_Static_assert(sizeof(struct sl_mbuf) == 2 * SL_CACHE_LINE_SIZE, "an mbuf header is two cache lines");
_Static_assert(offsetof(struct sl_mbuf, pool) < SL_CACHE_LINE_SIZE &&
		       offsetof(struct sl_mbuf, next) == SL_CACHE_LINE_SIZE,
	       "what rx and tx touch is in cache line 0, chains start cache line 1");
_Static_assert(offsetof(struct sl_mbuf, dynfield1) % 8 == 0 &&
		       offsetof(struct sl_mbuf, dynfield1) + sizeof(((struct sl_mbuf *)0)->dynfield1) ==
			       sizeof(struct sl_mbuf),
	       "the dynamic field area is 8-aligned and runs to the end of the mbuf");
_Static_assert((SL_MBUF_F_STATIC_MASK &
		(((2ULL << SL_MBUF_DYNFLAG_LAST) - 1) & ~((1ULL << SL_MBUF_DYNFLAG_FIRST) - 1))) == 0,
	       "Sluice's own ol_flags stay out of the dynamic flag range");

_Static_assert(offsetof(struct sl_mbuf, data_off) % 8 == 0 &&
		       offsetof(struct sl_mbuf, port) == offsetof(struct sl_mbuf, data_off) + 6,
	       "the rearm block must be one aligned 64-bit word");
_Static_assert(offsetof(struct sl_mbuf, nb_segs) == offsetof(struct sl_mbuf, refcnt) + 2,
	       "refcnt and nb_segs are checked together");

/* A pool of N packet mbufs with DATA_ROOM bytes of buffer each
 * (headroom included, as DPDK counts it) and PRIV_SIZE bytes of
 * application area between header and buffer (a multiple of 8). Every
 * mbuf's buf_addr, buf_iova, buf_len, pool and priv_size are set here,
 * once. NULL with errno and a logged reason on failure. */
struct sl_mempool *sl_pktmbuf_pool_create(const char *name, unsigned n, unsigned cache_size,
					  uint16_t priv_size, uint16_t data_room_size);

/* Pool parameters, kept in the pool's user words. */
#define SL_PKTMBUF_POOL_REARM 0     /* mp->user[]: reset value of the rearm block */
#define SL_PKTMBUF_POOL_DATA_ROOM 1 /* mp->user[]: data room per mbuf */
#define SL_PKTMBUF_POOL_PRIV_SIZE 2 /* mp->user[]: private area per mbuf */

static inline uint16_t sl_pktmbuf_data_room_size(const struct sl_mempool *mp)
{
	return (uint16_t)mp->user[SL_PKTMBUF_POOL_DATA_ROOM];
}

static inline uint16_t sl_pktmbuf_priv_size(const struct sl_mempool *mp)
{
	return (uint16_t)mp->user[SL_PKTMBUF_POOL_PRIV_SIZE];
}

/* The rearm block (data_off, refcnt, nb_segs, port) as one 64-bit word:
 * an mbuf is rearmed with a single store. */
#define SL_MBUF_PORT_INVALID UINT16_MAX

static sl_always_inline uint64_t
sl_mbuf_rearm_word(uint16_t data_off, uint16_t refcnt, uint16_t nb_segs, uint16_t port)
{
	uint16_t f[4] = { data_off, refcnt, nb_segs, port };
	uint64_t w;
	memcpy(&w, f, sizeof(w));
	return w;
}

static sl_always_inline void __sl_mbuf_set_rearm(struct sl_mbuf *m, uint64_t w)
{
	memcpy(&m->data_off, &w, sizeof(w));
}

/* Invariants of an mbuf sitting in its pool: refcnt 1, nb_segs 1, next
 * NULL; allocation relies on them and free restores them. */

/* Fresh state of an allocated mbuf; REARM from the pool. */
static sl_always_inline void __sl_pktmbuf_reset_fast(struct sl_mbuf *m, uint64_t rearm)
{
	__sl_mbuf_set_rearm(m, rearm);
	m->ol_flags = 0;
	m->packet_type = 0;
	m->pkt_len = 0;
	m->data_len = 0;
	m->vlan_tci = 0;
}

/* Reset every packet field of M (one segment, empty, default headroom);
 * buffer, pool and refcnt are kept. */
static inline void sl_pktmbuf_reset(struct sl_mbuf *m)
{
	uint16_t headroom = m->buf_len < SL_PKTMBUF_HEADROOM ? m->buf_len : SL_PKTMBUF_HEADROOM;

	m->next = NULL;
	m->data_off = headroom;
	m->nb_segs = 1;
	m->port = SL_MBUF_PORT_INVALID;
	m->ol_flags = 0;
	m->packet_type = 0;
	m->pkt_len = 0;
	m->data_len = 0;
	m->vlan_tci = 0;
	m->hash.rss = 0;
	m->queue = 0;
}

static sl_always_inline struct sl_mbuf *sl_pktmbuf_alloc(struct sl_mempool *mp)
{
	void *obj;

	if (sl_unlikely(sl_mempool_get(mp, &obj) != 0))
		return NULL;
	__sl_pktmbuf_reset_fast((struct sl_mbuf *)obj, mp->user[SL_PKTMBUF_POOL_REARM]);
	return (struct sl_mbuf *)obj;
}

/* All N or none: 0 or -ENOENT. Each mbuf comes reset. */
static sl_always_inline int
sl_pktmbuf_alloc_bulk(struct sl_mempool *mp, struct sl_mbuf **mbufs, unsigned n)
{
	uint64_t rearm;
	unsigned i;

	if (sl_unlikely(sl_mempool_get_bulk(mp, (void **)mbufs, n) != 0))
		return -ENOENT;
	rearm = mp->user[SL_PKTMBUF_POOL_REARM];
	for (i = 0; i < n; i++)
		__sl_pktmbuf_reset_fast(mbufs[i], rearm);
	return 0;
}

/* Drop one reference to segment M. Returns M when it is to go back to
 * its pool (and restores the pool invariants), NULL while other
 * references remain. */
static sl_always_inline struct sl_mbuf *sl_pktmbuf_prefree_seg(struct sl_mbuf *m)
{
	if (sl_likely(m->refcnt == 1)) {
		if (m->next != NULL) {
			m->next = NULL;
			m->nb_segs = 1;
		}
		return m;
	}
	if (__atomic_sub_fetch(&m->refcnt, 1, __ATOMIC_ACQ_REL) != 0)
		return NULL;
	m->refcnt = 1;
	if (m->next != NULL) {
		m->next = NULL;
		m->nb_segs = 1;
	}
	return m;
}

/* Whether M is a lone segment with one reference: nb_segs and refcnt
 * both 1, checked with one 32-bit compare (the same on either byte
 * order). Its next is then NULL (nb_segs counts the chain). */
static sl_always_inline int __sl_pktmbuf_is_simple(const struct sl_mbuf *m)
{
	uint32_t w;
	memcpy(&w, &m->refcnt, sizeof(w));
	return w == ((1u << 16) | 1u);
}

void __sl_pktmbuf_free_chain(struct sl_mbuf *m);
void __sl_pktmbuf_free_bulk_slow(struct sl_mbuf **mbufs, unsigned n);

/* Free a whole packet (every segment of the chain). NULL is ignored. */
static sl_always_inline void sl_pktmbuf_free(struct sl_mbuf *m)
{
	if (m == NULL)
		return;
	if (sl_likely(__sl_pktmbuf_is_simple(m))) {
		sl_mempool_put(m->pool, m);
		return;
	}
	__sl_pktmbuf_free_chain(m);
}

/* Free N packets (whole chains; NULL entries are skipped), returning them
 * to their pools in batches. */
static sl_always_inline void sl_pktmbuf_free_bulk(struct sl_mbuf **mbufs, unsigned n)
{
	struct sl_mempool *mp;
	unsigned i;

	if (sl_unlikely(n == 0))
		return;
	/* common case: simple mbufs of one pool go back in one put, straight
	 * from the caller's array */
	if (sl_unlikely(mbufs[0] == NULL))
		goto slow;
	mp = mbufs[0]->pool;
	for (i = 0; i < n; i++) {
		const struct sl_mbuf *m = mbufs[i];
		if (sl_unlikely(m == NULL || m->pool != mp || !__sl_pktmbuf_is_simple(m)))
			goto slow;
	}
	sl_mempool_put_bulk(mp, (void *const *)mbufs, n);
	return;
slow:
	__sl_pktmbuf_free_bulk_slow(mbufs, n);
}

/* Link packet TAIL behind packet HEAD (its last segment). 0, or -EOVERFLOW
 * when the chain would have more than UINT16_MAX segments or its length
 * more than UINT32_MAX bytes (nothing changed then). */
int sl_pktmbuf_chain(struct sl_mbuf *head, struct sl_mbuf *tail);

static inline struct sl_mbuf *sl_pktmbuf_lastseg(struct sl_mbuf *m)
{
	while (m->next != NULL)
		m = m->next;
	return m;
}

#define sl_pktmbuf_mtod_offset(m, t, o) ((t)((char *)(m)->buf_addr + (m)->data_off + (o)))
#define sl_pktmbuf_mtod(m, t) sl_pktmbuf_mtod_offset(m, t, 0)
#define sl_pktmbuf_pkt_len(m) ((m)->pkt_len)
#define sl_pktmbuf_data_len(m) ((m)->data_len)

/* buf_iova + data_off: what a driver writes into a descriptor */
static sl_always_inline uint64_t sl_pktmbuf_data_iova(const struct sl_mbuf *m)
{
	return m->buf_iova + m->data_off;
}

/* buf_iova + HEADROOM: where an rx buffer's data starts after alloc */
static sl_always_inline uint64_t sl_pktmbuf_data_iova_default(const struct sl_mbuf *m)
{
	return m->buf_iova + SL_PKTMBUF_HEADROOM;
}

static sl_always_inline uint16_t sl_pktmbuf_headroom(const struct sl_mbuf *m)
{
	return m->data_off;
}

/* room after the data of this segment */
static sl_always_inline uint16_t sl_pktmbuf_tailroom(const struct sl_mbuf *m)
{
	return (uint16_t)(m->buf_len - m->data_off - m->data_len);
}

/* The functions below return NULL (or -1) and leave M unchanged when there
 * is not enough room or data. */

/* Grow the packet at the front by LEN bytes (first segment); returns the
 * new data start. */
static inline char *sl_pktmbuf_prepend(struct sl_mbuf *m, uint16_t len)
{
	if (sl_unlikely(len > m->data_off))
		return NULL;
	m->data_off = (uint16_t)(m->data_off - len);
	m->data_len = (uint16_t)(m->data_len + len);
	m->pkt_len += len;
	return (char *)m->buf_addr + m->data_off;
}

/* Grow the packet at the end by LEN bytes (last segment); returns where
 * the added bytes start. */
static inline char *sl_pktmbuf_append(struct sl_mbuf *m, uint16_t len)
{
	struct sl_mbuf *last = sl_pktmbuf_lastseg(m);
	char *tail;

	if (sl_unlikely(len > sl_pktmbuf_tailroom(last)))
		return NULL;
	tail = (char *)last->buf_addr + last->data_off + last->data_len;
	last->data_len = (uint16_t)(last->data_len + len);
	m->pkt_len += len;
	return tail;
}

/* Drop LEN bytes from the front (first segment); returns the new data
 * start. */
static inline char *sl_pktmbuf_adj(struct sl_mbuf *m, uint16_t len)
{
	if (sl_unlikely(len > m->data_len))
		return NULL;
	m->data_off = (uint16_t)(m->data_off + len);
	m->data_len = (uint16_t)(m->data_len - len);
	m->pkt_len -= len;
	return (char *)m->buf_addr + m->data_off;
}

/* Drop LEN bytes from the end (last segment): 0, or -1. */
static inline int sl_pktmbuf_trim(struct sl_mbuf *m, uint16_t len)
{
	struct sl_mbuf *last = sl_pktmbuf_lastseg(m);

	if (sl_unlikely(len > last->data_len))
		return -1;
	last->data_len = (uint16_t)(last->data_len - len);
	m->pkt_len -= len;
	return 0;
}

/* ---- dynamic fields and flags ---------------------------------------------
 *
 * As DPDK's rte_mbuf_dyn.h: a library or application that needs a field of
 * its own in every mbuf registers it by name and gets an offset into the
 * mbuf's dynamic area (dynfield1, 40 bytes at the end of cache line 1);
 * SL_MBUF_DYNFIELD(m, offset, type) then points at it. A per-packet
 * boolean is better a dynamic flag: a bit of ol_flags (among bits 23..40).
 *
 * Register before use: before any mbuf carrying the field or flag is
 * produced or read (typically right after sl_eal_init, before the ports
 * start), and keep the offset or bit number in a variable; looking it up
 * per packet is not meant to be fast. Registration takes a lock and may be
 * called from any thread. A field's contents are not initialised by
 * allocation (whoever sets the field writes it on every packet it sets it
 * on); a flag is clear in a freshly allocated mbuf (ol_flags is reset).
 * The registry is per process and lasts until the process exits: there is
 * no unregister.
 *
 * Registering NAME again with the same size, alignment and flags returns
 * the same offset (or bit), so independent users of one field agree;
 * with other parameters it is -EEXIST. */
#define SL_MBUF_DYN_NAMESIZE 64

struct sl_mbuf_dynfield {
	char name[SL_MBUF_DYN_NAMESIZE]; /* NUL-terminated, not empty */
	size_t size;                     /* bytes, 1..40 */
	size_t align;                    /* a power of two, 1..64 (from the mbuf's start) */
	unsigned int flags;              /* 0 */
};

struct sl_mbuf_dynflag {
	char name[SL_MBUF_DYN_NAMESIZE];
	unsigned int flags;              /* 0 */
};

/* The offset of the field from the mbuf's start (>= 0), or: -EINVAL (NULL,
 * empty name, size 0 or larger than the area, alignment not a power of two
 * or above 64, flags not 0), -ENAMETOOLONG (no NUL in name[]), -EEXIST (the
 * name is registered with other parameters), -ENOSPC (no aligned room
 * left). */
int sl_mbuf_dynfield_register(const struct sl_mbuf_dynfield *params);
/* The offset of the field registered as NAME, or -ENOENT (-EINVAL for a
 * NULL name); fills *PARAMS with its parameters unless PARAMS is NULL. */
int sl_mbuf_dynfield_lookup(const char *name, struct sl_mbuf_dynfield *params);
/* The ol_flags bit number (SL_MBUF_DYNFLAG_FIRST..LAST) of the flag, or
 * -EINVAL, -ENAMETOOLONG, -EEXIST (other flags), -ENOSPC (every bit taken). */
int sl_mbuf_dynflag_register(const struct sl_mbuf_dynflag *params);
int sl_mbuf_dynflag_lookup(const char *name, struct sl_mbuf_dynflag *params);

/* The field at OFFSET of M as a TYPE (a pointer type), as DPDK's
 * RTE_MBUF_DYNFIELD: *SL_MBUF_DYNFIELD(m, off, uint32_t *) = 7; */
#define SL_MBUF_DYNFIELD(m, offset, type) ((type)((uintptr_t)(m) + (offset)))

#endif
