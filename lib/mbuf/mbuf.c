/* mbuf.c: packet buffer pools (creation and per-mbuf set-up with the
 * buffer's IOVA) and the slow paths of free: chains, shared segments and
 * bursts mixing pools. Alloc and simple frees are inline in sl_mbuf.h. */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "sl_eal.h"
#include "sl_mbuf.h"
#include "sl_mempool.h"

#define MBUF_LOG "mbuf"

struct pool_init_args {
	uint16_t priv_size;
	uint16_t data_room;
	unsigned bad_iova; /* mbufs whose buffer has no IOVA */
};

/* Per-object constructor: the header, its buffer and the buffer's IOVA
 * (looked up once here, never on the fast path). */
static void pktmbuf_obj_init(struct sl_mempool *mp, void *arg, void *obj, unsigned idx)
{
	struct pool_init_args *a = arg;
	struct sl_mbuf *m = obj;

	(void)idx;
	memset(m, 0, sizeof(*m));
	m->buf_addr = (char *)m + sizeof(*m) + a->priv_size;
	m->buf_iova = sl_mem_virt2iova(m->buf_addr);
	if (m->buf_iova == SL_BAD_IOVA)
		a->bad_iova++;
	m->buf_len = a->data_room;
	m->pool = mp;
	m->priv_size = a->priv_size;
	m->refcnt = 1;
	m->next = NULL;
	sl_pktmbuf_reset(m);
}

struct sl_mempool *sl_pktmbuf_pool_create(const char *name, unsigned n, unsigned cache_size,
					  uint16_t priv_size, uint16_t data_room_size)
{
	struct pool_init_args args = { .priv_size = priv_size, .data_room = data_room_size };
	struct sl_mempool *mp;
	uint16_t headroom;

	if (priv_size % 8 != 0) {
		SL_LOG(ERR, MBUF_LOG,
		       "mbuf pool '%s': private area size %u must be a multiple of 8 (keeps buffers aligned)",
		       name ? name : "(null)", priv_size);
		errno = EINVAL;
		return NULL;
	}
	mp = sl_mempool_create(name, n, (unsigned)(sizeof(struct sl_mbuf) + priv_size + data_room_size),
			       cache_size, 0, pktmbuf_obj_init, &args);
	if (mp == NULL)
		return NULL; /* sl_mempool_create logged why */
	if (args.bad_iova != 0) {
		SL_LOG(ERR, MBUF_LOG,
		       "mbuf pool '%s': %u buffers have no IOVA; the pool's memory is not registered with "
		       "the EAL (was sl_eal_init called?)",
		       name, args.bad_iova);
		sl_mempool_free(mp);
		errno = EFAULT;
		return NULL;
	}
	headroom = data_room_size < SL_PKTMBUF_HEADROOM ? data_room_size : SL_PKTMBUF_HEADROOM;
	mp->user[SL_PKTMBUF_POOL_REARM] = sl_mbuf_rearm_word(headroom, 1, 1, SL_MBUF_PORT_INVALID);
	mp->user[SL_PKTMBUF_POOL_DATA_ROOM] = data_room_size;
	mp->user[SL_PKTMBUF_POOL_PRIV_SIZE] = priv_size;
	return mp;
}

void __sl_pktmbuf_free_chain(struct sl_mbuf *m)
{
	while (m != NULL) {
		struct sl_mbuf *next = m->next;
		if (sl_pktmbuf_prefree_seg(m) != NULL)
			sl_mempool_put(m->pool, m);
		m = next;
	}
}

/* Batch of segments going back to one pool. */
#define FREE_BATCH 64

struct free_batch {
	struct sl_mempool *mp;
	unsigned n;
	void *objs[FREE_BATCH];
};

static void batch_add(struct free_batch *b, struct sl_mbuf *m)
{
	if (b->n == FREE_BATCH || (b->n != 0 && m->pool != b->mp)) {
		sl_mempool_put_bulk(b->mp, b->objs, b->n);
		b->n = 0;
	}
	b->mp = m->pool;
	b->objs[b->n++] = m;
}

void __sl_pktmbuf_free_bulk_slow(struct sl_mbuf **mbufs, unsigned n)
{
	struct free_batch b = { .mp = NULL, .n = 0 };
	unsigned i;

	for (i = 0; i < n; i++) {
		struct sl_mbuf *m = mbufs[i];
		while (m != NULL) {
			struct sl_mbuf *next = m->next;
			if (sl_pktmbuf_prefree_seg(m) != NULL)
				batch_add(&b, m);
			m = next;
		}
	}
	if (b.n != 0)
		sl_mempool_put_bulk(b.mp, b.objs, b.n);
}

int sl_pktmbuf_chain(struct sl_mbuf *head, struct sl_mbuf *tail)
{
	struct sl_mbuf *last;

	if ((unsigned)head->nb_segs + tail->nb_segs > UINT16_MAX ||
	    (uint64_t)head->pkt_len + tail->pkt_len > UINT32_MAX)
		return -EOVERFLOW;
	last = sl_pktmbuf_lastseg(head);
	last->next = tail;
	head->nb_segs = (uint16_t)(head->nb_segs + tail->nb_segs);
	head->pkt_len += tail->pkt_len;
	/* TAIL is no longer a first segment: its packet fields describe
	 * only itself */
	tail->pkt_len = tail->data_len;
	tail->nb_segs = 1;
	return 0;
}
