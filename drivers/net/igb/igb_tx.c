/* igb_tx.c: net_igb transmit side: tx queue set up, start and stop, and the
 * transmit burst.
 *
 * Advanced data descriptors carry the mbufs' data IOVAs (no copy): one per
 * segment, or two when a segment's buffer crosses a page of packet memory
 * (QEMU's igb model drops a buffer that its IOMMU translation cannot map in
 * one piece, and mempool objects may straddle pages). The last descriptor
 * of a packet has EOP, and RS once rs_thresh descriptors were used since
 * the previous RS; the RS descriptors go into a FIFO. When fewer than
 * free_thresh descriptors are free, the burst reclaims the descriptors up
 * to the oldest RS descriptor whose DD is set (about rs_thresh of them),
 * freeing the mbufs in bulk (one mempool put, into the lcore's cache, for
 * simple mbufs of one pool). The tail register is written
 * once per burst. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "igb_ethdev.h"

static int min_page_size(const struct sl_memseg *seg, void *arg)
{
	size_t *min = arg;
	if (seg->page_size != 0 && seg->page_size < *min)
		*min = seg->page_size;
	return 0;
}

int igb_tx_queue_setup(struct sl_eth_dev *dev, uint16_t q, uint16_t nb_desc, const struct sl_eth_txconf *conf)
{
	int ret = igb_check_nb_desc(dev, "tx", nb_desc);
	if (ret != 0)
		return ret;
	uint16_t rs_want = conf && conf->tx_rs_thresh ? conf->tx_rs_thresh : IGB_DEFAULT_TX_RS_THRESH;
	uint16_t rs_thresh = igb_chunk_dividing(nb_desc, rs_want);
	uint16_t free_thresh = conf && conf->tx_free_thresh ? conf->tx_free_thresh : IGB_DEFAULT_TX_FREE_THRESH;
	if (free_thresh < rs_thresh)
		free_thresh = rs_thresh;
	if (free_thresh > nb_desc / 2)
		free_thresh = (uint16_t)(nb_desc / 2);

	char name[80];
	snprintf(name, sizeof(name), "%s_txq%u_ring", dev->name, q);
	size_t ring_size = (size_t)nb_desc * sizeof(union igb_adv_tx_desc);
	struct igb_tx_queue *txq = aligned_alloc(SL_CACHE_LINE_SIZE, sizeof(*txq));
	struct sl_mbuf **sw_ring = calloc(nb_desc, sizeof(*sw_ring));
	uint16_t *rs_fifo = calloc(nb_desc, sizeof(*rs_fifo));
	void *ring = sl_dma_zmalloc(name, ring_size, IGB_RING_ALIGN);
	if (txq == NULL || sw_ring == NULL || rs_fifo == NULL || ring == NULL) {
		SL_LOG(ERR, IGB_LOG, "%s: tx queue %u: out of memory for %u descriptors (%s)", dev->name, q, nb_desc,
		       ring == NULL ? "DMA memory: reserve more hugepages or raise -m" : "heap");
		goto nomem;
	}
	uint64_t iova = igb_ring_iova(dev, "tx", q, ring, ring_size);
	if (iova == SL_BAD_IOVA)
		goto nomem;
	size_t page = (size_t)1 << 30;
	sl_memseg_walk(min_page_size, &page);
	memset(txq, 0, sizeof(*txq));
	txq->ring = ring;
	txq->ring_iova = iova;
	txq->sw_ring = sw_ring;
	txq->rs_fifo = rs_fifo;
	txq->split_mask = page - 1;
	txq->nb_desc = nb_desc;
	txq->rs_thresh = rs_thresh;
	txq->free_thresh = free_thresh;
	txq->queue_id = q;
	dev->tx_queues[q] = txq;
	SL_LOG(DEBUG, IGB_LOG, "%s: tx queue %u: %u descriptors at iova 0x%llx, RS every %u, clean below %u free, "
	       "split at %zu-byte pages", dev->name, q, nb_desc, (unsigned long long)iova, rs_thresh, free_thresh,
	       page);
	return 0;
nomem:
	free(txq);
	free(sw_ring);
	free(rs_fifo);
	sl_dma_free(ring);
	return -ENOMEM;
}

void igb_tx_queue_release(struct sl_eth_dev *dev, uint16_t q)
{
	struct igb_tx_queue *txq = dev->tx_queues[q];
	if (txq == NULL)
		return;
	if (txq->started)
		igb_tx_queue_stop(dev->dev_private, txq);
	sl_dma_free((void *)txq->ring);
	free(txq->sw_ring);
	free(txq->rs_fifo);
	free(txq);
	dev->tx_queues[q] = NULL;
}

int igb_tx_queue_start(struct igb_adapter *ad, struct igb_tx_queue *txq)
{
	const uint16_t q = txq->queue_id, n = txq->nb_desc;

	memset((void *)txq->ring, 0, (size_t)n * sizeof(union igb_adv_tx_desc));
	memset(txq->sw_ring, 0, (size_t)n * sizeof(*txq->sw_ring));
	txq->tail = 0;
	txq->clean = 0;
	txq->nb_free = (uint16_t)(n - 1);
	txq->since_rs = 0;
	txq->fifo_head = txq->fifo_tail = 0;

	igb_write(ad, IGB_TXDCTL(q), 0);
	igb_write(ad, IGB_TDBAL(q), (uint32_t)txq->ring_iova);
	igb_write(ad, IGB_TDBAH(q), (uint32_t)(txq->ring_iova >> 32));
	igb_write(ad, IGB_TDLEN(q), (uint32_t)n * sizeof(union igb_adv_tx_desc));
	igb_write(ad, IGB_TDWBAL(q), 0);
	igb_write(ad, IGB_TDWBAH(q), 0);
	igb_write(ad, IGB_TDH(q), 0);
	igb_write(ad, IGB_TDT(q), 0);
	igb_write(ad, IGB_TXDCTL(q), IGB_TXDCTL_PTHRESH(8) | IGB_TXDCTL_HTHRESH(1) | IGB_TXDCTL_ENABLE);
	if (igb_wait_enable_bit(ad, IGB_TXDCTL(q), IGB_TXDCTL_ENABLE, true) != 0) {
		SL_LOG(ERR, IGB_LOG, "%s: tx queue %u did not enable (TXDCTL 0x%08x)", ad->dev->name, q,
		       igb_read(ad, IGB_TXDCTL(q)));
		igb_write(ad, IGB_TXDCTL(q), 0);
		return -EIO;
	}
	txq->tdt = igb_reg_addr(ad, IGB_TDT(q));
	txq->started = true;
	return 0;
}

/* Give segments (not whole chains) back: one bulk put when all are simple
 * mbufs of one pool, one by one otherwise. */
static void igb_free_segs(struct sl_mbuf **segs, unsigned n)
{
	if (n == 0)
		return;
	struct sl_mempool *mp = segs[0]->pool;
	for (unsigned i = 0; i < n; i++) {
		const struct sl_mbuf *m = segs[i];
		if (sl_unlikely(m->pool != mp || !__sl_pktmbuf_is_simple(m) || m->next != NULL))
			goto slow;
	}
	sl_mempool_put_bulk(mp, (void *const *)segs, n);
	return;
slow:
	for (unsigned i = 0; i < n; i++) {
		struct sl_mbuf *m = sl_pktmbuf_prefree_seg(segs[i]);
		if (m != NULL)
			sl_mempool_put(m->pool, m);
	}
}

/* Let the device finish what it was given (bounded), disable the queue and
 * free every mbuf not yet reclaimed. */
void igb_tx_queue_stop(struct igb_adapter *ad, struct igb_tx_queue *txq)
{
	if (!txq->started)
		return;
	const uint16_t q = txq->queue_id, n = txq->nb_desc;
	for (unsigned i = 0; i < 1000 && igb_read(ad, IGB_TDH(q)) != igb_read(ad, IGB_TDT(q)); i++)
		sl_delay_us(10);
	igb_write(ad, IGB_TXDCTL(q), igb_read(ad, IGB_TXDCTL(q)) & ~IGB_TXDCTL_ENABLE);
	igb_write(ad, IGB_TDLEN(q), 0);
	for (uint16_t idx = txq->clean; idx != txq->tail; idx = (uint16_t)(idx + 1 == n ? 0 : idx + 1)) {
		if (txq->sw_ring[idx] != NULL)
			igb_free_segs(&txq->sw_ring[idx], 1);
		txq->sw_ring[idx] = NULL;
	}
	txq->clean = txq->tail;
	txq->nb_free = (uint16_t)(n - 1);
	txq->fifo_head = txq->fifo_tail = 0;
	txq->since_rs = 0;
	txq->started = false;
}

/* Free the segments of SW_RING[FIRST..FIRST+N) (no wrap), skipping the
 * NULL slots of split buffers: straight from the ring in one bulk put in
 * the common case. */
static sl_always_inline void igb_tx_free_range(struct sl_mbuf **segs, unsigned n)
{
	struct sl_mempool *mp = segs[0] != NULL ? segs[0]->pool : NULL;
	for (unsigned i = 0; i < n; i++) {
		const struct sl_mbuf *m = segs[i];
		if (sl_unlikely(m == NULL || m->pool != mp || !__sl_pktmbuf_is_simple(m) || m->next != NULL))
			goto slow;
	}
	sl_mempool_put_bulk(mp, (void *const *)segs, n);
	return;
slow:
	for (unsigned i = 0; i < n; i++)
		if (segs[i] != NULL)
			igb_free_segs(&segs[i], 1);
}

/* Reclaim the descriptors up to the oldest finished RS descriptor(s). */
static void igb_tx_cleanup(struct igb_tx_queue *txq)
{
	const uint16_t n = txq->nb_desc;
	uint16_t clean = txq->clean, head = txq->fifo_head, last = 0;
	bool any = false;

	/* about rs_thresh at a time, so the mbufs go to the lcore's mempool
	 * cache and come back from it at the next rx refill */
	while (head != txq->fifo_tail && (txq->ring[txq->rs_fifo[head]].wb.status & IGB_TXD_STAT_DD)) {
		last = txq->rs_fifo[head];
		any = true;
		head = (uint16_t)(head + 1 == n ? 0 : head + 1);
		if ((uint16_t)(last >= clean ? last - clean : last + n - clean) + 1u >= txq->rs_thresh)
			break;
	}
	if (!any)
		return;
	sl_io_rmb(); /* DD seen before the buffers are freed and the slots rewritten */
	/* descriptors clean..last, possibly wrapping */
	uint16_t freed;
	if (last >= clean) {
		freed = (uint16_t)(last - clean + 1);
		igb_tx_free_range(&txq->sw_ring[clean], freed);
	} else {
		igb_tx_free_range(&txq->sw_ring[clean], (unsigned)(n - clean));
		igb_tx_free_range(&txq->sw_ring[0], (unsigned)last + 1);
		freed = (uint16_t)(n - clean + last + 1);
	}
	txq->clean = (uint16_t)(last + 1 == n ? 0 : last + 1);
	txq->fifo_head = head;
	txq->nb_free = (uint16_t)(txq->nb_free + freed);
}

/* Descriptors for LEN bytes at IOVA: one per page they touch. */
static inline uint16_t igb_tx_pieces(uint64_t iova, uint32_t len, uint64_t split)
{
	uint64_t to_page_end = split + 1 - (iova & split);
	if (len <= to_page_end)
		return 1;
	return (uint16_t)(1 + (len - to_page_end + split) / (split + 1));
}

static sl_always_inline void igb_tx_desc(volatile union igb_adv_tx_desc *d, uint64_t iova, uint32_t cmd_len,
					 uint32_t olinfo)
{
	d->read.buffer_addr = iova;
	d->read.cmd_type_len = cmd_len;
	d->read.olinfo_status = olinfo;
}

#define IGB_TXD_CMD_BASE (IGB_TXD_DTYP_DATA | IGB_TXD_CMD_DEXT | IGB_TXD_CMD_IFCS)

/* Ring position while a burst fills descriptors. */
struct igb_tx_pos {
	uint16_t tail, nb_free, since_rs, last;
};

/* The rare packets: chains, and segments over more than two pages. A
 * descriptor per page piece of every segment. false when it does not fit. */
static __attribute__((noinline)) bool igb_tx_pieces_of(struct igb_tx_queue *txq, struct sl_mbuf *m,
						       struct igb_tx_pos *pos)
{
	volatile union igb_adv_tx_desc *ring = txq->ring;
	const uint64_t split = txq->split_mask;
	const uint16_t n = txq->nb_desc;
	const uint32_t olinfo = m->pkt_len << IGB_TXD_PAYLEN_SHIFT;
	uint16_t need = 0, tail = pos->tail;

	for (struct sl_mbuf *s = m; s != NULL; s = s->next)
		need = (uint16_t)(need + igb_tx_pieces(sl_pktmbuf_data_iova(s), s->data_len, split));
	if (need > pos->nb_free)
		return false;
	uint32_t rs = (uint16_t)(pos->since_rs + need) >= txq->rs_thresh ? IGB_TXD_CMD_RS : 0;
	for (struct sl_mbuf *s = m; s != NULL; s = s->next) {
		uint64_t iova = sl_pktmbuf_data_iova(s);
		uint32_t len = s->data_len;
		uint64_t piece = split + 1 - (iova & split);
		while (len > piece) {
			igb_tx_desc(&ring[tail], iova, IGB_TXD_CMD_BASE | (uint32_t)piece, olinfo);
			txq->sw_ring[tail] = NULL;
			tail = (uint16_t)(tail + 1 == n ? 0 : tail + 1);
			iova += piece;
			len -= (uint32_t)piece;
			piece = split + 1;
		}
		uint32_t eop = s->next == NULL ? IGB_TXD_CMD_EOP | rs : 0;
		igb_tx_desc(&ring[tail], iova, IGB_TXD_CMD_BASE | eop | len, olinfo);
		txq->sw_ring[tail] = s;
		pos->last = tail;
		tail = (uint16_t)(tail + 1 == n ? 0 : tail + 1);
	}
	pos->tail = tail;
	pos->nb_free = (uint16_t)(pos->nb_free - need);
	pos->since_rs = rs ? 0 : (uint16_t)(pos->since_rs + need);
	return true;
}

uint16_t igb_xmit_pkts(void *queue, struct sl_mbuf **pkts, uint16_t nb_pkts)
{
	struct igb_tx_queue *txq = queue;

	if (txq->nb_free < txq->free_thresh)
		igb_tx_cleanup(txq);

	volatile union igb_adv_tx_desc *ring = txq->ring;
	struct sl_mbuf **sw_ring = txq->sw_ring;
	const uint16_t n = txq->nb_desc, rs_thresh = txq->rs_thresh;
	const uint64_t split = txq->split_mask;
	uint16_t tail = txq->tail, nb_free = txq->nb_free, since_rs = txq->since_rs;
	uint64_t bytes = 0;
	uint16_t i;

	for (i = 0; i < nb_pkts; i++) {
		struct sl_mbuf *m = pkts[i];
		uint16_t last;

		if (sl_likely(m->nb_segs == 1)) {
			uint64_t iova = sl_pktmbuf_data_iova(m);
			uint32_t len = m->data_len;
			uint64_t to_page_end = split + 1 - (iova & split);
			uint16_t used = len <= to_page_end ? 1 : 2;
			if (sl_unlikely(used > nb_free))
				break;
			if (sl_unlikely(used == 2 && len - to_page_end > split + 1))
				goto pieces;
			const uint32_t olinfo = m->pkt_len << IGB_TXD_PAYLEN_SHIFT;
			uint32_t rs = (uint16_t)(since_rs + used) >= rs_thresh ? IGB_TXD_CMD_RS : 0;
			if (sl_unlikely(used == 2)) {
				igb_tx_desc(&ring[tail], iova, IGB_TXD_CMD_BASE | (uint32_t)to_page_end, olinfo);
				sw_ring[tail] = NULL;
				tail = (uint16_t)(tail + 1 == n ? 0 : tail + 1);
				iova += to_page_end;
				len -= (uint32_t)to_page_end;
			}
			igb_tx_desc(&ring[tail], iova, IGB_TXD_CMD_BASE | IGB_TXD_CMD_EOP | rs | len, olinfo);
			sw_ring[tail] = m;
			last = tail;
			tail = (uint16_t)(tail + 1 == n ? 0 : tail + 1);
			nb_free = (uint16_t)(nb_free - used);
			since_rs = rs ? 0 : (uint16_t)(since_rs + used);
		} else {
pieces:;
			struct igb_tx_pos pos = {tail, nb_free, since_rs, 0};
			if (!igb_tx_pieces_of(txq, m, &pos))
				break;
			tail = pos.tail;
			nb_free = pos.nb_free;
			since_rs = pos.since_rs;
			last = pos.last;
		}
		if (since_rs == 0) {
			txq->rs_fifo[txq->fifo_tail] = last;
			txq->fifo_tail = (uint16_t)(txq->fifo_tail + 1 == n ? 0 : txq->fifo_tail + 1);
		}
		bytes += m->pkt_len;
	}
	if (sl_unlikely(i == 0))
		return 0;
	txq->tail = tail;
	txq->nb_free = nb_free;
	txq->since_rs = since_rs;
	sl_io_wmb(); /* descriptors before the tail */
	sl_write32_relaxed(tail, txq->tdt);
	IGB_COUNTER_ADD(txq->tx_pkts, i);
	IGB_COUNTER_ADD(txq->tx_bytes, bytes);
	return i;
}
