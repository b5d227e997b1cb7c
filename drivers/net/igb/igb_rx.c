/* igb_rx.c: net_igb receive side: rx queue set up, start and stop, and the
 * receive burst (RSS is in igb_rss.c).
 *
 * Every descriptor of a started queue holds an mbuf whose buffer IOVA was
 * written into it; the device writes the frame straight there (no copy).
 * The burst hands out completed mbufs and, once more than free_thresh
 * consumed descriptors are held, refills them in chunks of free_thresh (one
 * mempool get per chunk), then moves the tail once. The tail stays one
 * descriptor behind the first consumed one, so the device never owns every
 * descriptor (RDH == RDT means empty).
 *
 * The device is not trusted: a write-back is used only if it is on a
 * descriptor the device owns, has EOP (one buffer per frame) and a length
 * within the posted buffer. Anything else marks the queue broken (logged
 * once with the values, counted in rx_errors): from then on the burst
 * returns 0 without touching the ring, and stop gives the mbufs back. A
 * frame with RXE (a frame error the device reports) is dropped and
 * counted; that is the device doing its job, not a broken ring. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "igb_ethdev.h"

/* The receive burst writes these mbuf fields in pairs. */
_Static_assert(offsetof(struct sl_mbuf, pkt_len) == offsetof(struct sl_mbuf, packet_type) + 4 &&
		       offsetof(struct sl_mbuf, packet_type) % 8 == 0,
	       "packet_type and pkt_len form one aligned 64-bit word");
_Static_assert(offsetof(struct sl_mbuf, vlan_tci) == offsetof(struct sl_mbuf, data_len) + 2 &&
		       offsetof(struct sl_mbuf, hash.rss) == offsetof(struct sl_mbuf, data_len) + 4 &&
		       offsetof(struct sl_mbuf, data_len) % 8 == 0,
	       "data_len, vlan_tci and hash.rss form one aligned 64-bit word");

int igb_check_nb_desc(const struct sl_eth_dev *dev, const char *dir, uint16_t nb_desc)
{
	if (nb_desc < IGB_DESC_MIN || nb_desc > IGB_DESC_MAX || nb_desc % IGB_DESC_MULTIPLE != 0) {
		SL_LOG(ERR, IGB_LOG, "%s: %u %s descriptors: the 82576 takes a multiple of %u from %u to %u",
		       dev->name, nb_desc, dir, IGB_DESC_MULTIPLE, IGB_DESC_MIN, IGB_DESC_MAX);
		return -EINVAL;
	}
	return 0;
}

uint16_t igb_chunk_dividing(uint16_t n, uint16_t want)
{
	uint16_t c = 8;
	for (uint16_t t = 16; t <= want && t <= n / 2; t *= 2)
		if (n % t == 0)
			c = t;
	return c;
}

uint64_t igb_ring_iova(const struct sl_eth_dev *dev, const char *dir, uint16_t q, const void *ring, size_t size)
{
	uint64_t iova = sl_mem_virt2iova(ring);
	if (iova == SL_BAD_IOVA || sl_mem_virt2iova((const char *)ring + size - 1) != iova + size - 1) {
		SL_LOG(ERR, IGB_LOG, "%s: %s queue %u: descriptor ring has no contiguous IOVA range; use "
		       "hugepages or IOVA-as-VA mode", dev->name, dir, q);
		return SL_BAD_IOVA;
	}
	return iova;
}

int igb_rx_queue_setup(struct sl_eth_dev *dev, uint16_t q, uint16_t nb_desc, const struct sl_eth_rxconf *conf,
		       struct sl_mempool *mp)
{
	int ret = igb_check_nb_desc(dev, "rx", nb_desc);
	if (ret != 0)
		return ret;

	unsigned room = sl_pktmbuf_data_room_size(mp);
	unsigned headroom = SL_PKTMBUF_HEADROOM;
	if (room <= headroom + 1024) {
		SL_LOG(ERR, IGB_LOG, "%s: rx queue %u: pool %s has %u bytes of data room per mbuf; the 82576 needs "
		       "at least %u (1 KiB of buffer after %u bytes of headroom): create the pool with "
		       "SL_MBUF_DEFAULT_BUF_SIZE",
		       dev->name, q, sl_mempool_name(mp), room, headroom + 1024, headroom);
		return -EINVAL;
	}
	if (sl_mempool_size(mp) < nb_desc) {
		SL_LOG(ERR, IGB_LOG, "%s: rx queue %u: pool %s has %u mbufs, fewer than the %u descriptors to "
		       "fill; use a bigger pool or fewer descriptors",
		       dev->name, q, sl_mempool_name(mp), sl_mempool_size(mp), nb_desc);
		return -EINVAL;
	}
	unsigned buf = room - headroom;
	if (buf > (IGB_SRRCTL_BSIZEPKT_MASK << IGB_SRRCTL_BSIZEPKT_SHIFT))
		buf = IGB_SRRCTL_BSIZEPKT_MASK << IGB_SRRCTL_BSIZEPKT_SHIFT;
	buf &= ~((1u << IGB_SRRCTL_BSIZEPKT_SHIFT) - 1);

	uint16_t want = conf && conf->rx_free_thresh ? conf->rx_free_thresh : IGB_DEFAULT_RX_FREE_THRESH;
	uint16_t free_thresh = igb_chunk_dividing(nb_desc, want);

	char name[80];
	snprintf(name, sizeof(name), "%s_rxq%u_ring", dev->name, q);
	size_t ring_size = (size_t)nb_desc * sizeof(union igb_adv_rx_desc);
	struct igb_rx_queue *rxq = aligned_alloc(SL_CACHE_LINE_SIZE, sizeof(*rxq));
	struct sl_mbuf **sw_ring = calloc(nb_desc, sizeof(*sw_ring));
	void *ring = sl_dma_zmalloc(name, ring_size, IGB_RING_ALIGN);
	if (rxq == NULL || sw_ring == NULL || ring == NULL) {
		SL_LOG(ERR, IGB_LOG, "%s: rx queue %u: out of memory for %u descriptors (%s)", dev->name, q, nb_desc,
		       ring == NULL ? "DMA memory: reserve more hugepages or raise -m" : "heap");
		goto nomem;
	}
	uint64_t iova = igb_ring_iova(dev, "rx", q, ring, ring_size);
	if (iova == SL_BAD_IOVA)
		goto nomem;
	memset(rxq, 0, sizeof(*rxq));
	rxq->ring = ring;
	rxq->ring_iova = iova;
	rxq->sw_ring = sw_ring;
	rxq->mp = mp;
	rxq->nb_desc = nb_desc;
	rxq->free_thresh = free_thresh;
	rxq->queue_id = q;
	rxq->port_id = dev->port_id;
	rxq->buf_size = (uint16_t)(buf > UINT16_MAX ? UINT16_MAX & ~1023u : buf);
	rxq->rearm = sl_mbuf_rearm_word((uint16_t)headroom, 1, 1, dev->port_id);
	dev->rx_queues[q] = rxq;
	SL_LOG(DEBUG, IGB_LOG, "%s: rx queue %u: %u descriptors at iova 0x%llx, %u-byte buffers, refill by %u",
	       dev->name, q, nb_desc, (unsigned long long)iova, rxq->buf_size, free_thresh);
	return 0;
nomem:
	free(rxq);
	free(sw_ring);
	sl_dma_free(ring);
	return -ENOMEM;
}

void igb_rx_queue_release(struct sl_eth_dev *dev, uint16_t q)
{
	struct igb_rx_queue *rxq = dev->rx_queues[q];
	if (rxq == NULL)
		return;
	if (rxq->started)
		igb_rx_queue_stop(dev->dev_private, rxq);
	sl_dma_free((void *)rxq->ring);
	free(rxq->sw_ring);
	free(rxq);
	dev->rx_queues[q] = NULL;
}

int igb_wait_enable_bit(struct igb_adapter *ad, uint32_t reg, uint32_t bit, bool on)
{
	for (unsigned i = 0; i < 1000; i++) {
		if (((igb_read(ad, reg) & bit) != 0) == on)
			return 0;
		sl_delay_us(10);
	}
	return -ETIMEDOUT;
}

/* Fill every descriptor with a fresh mbuf and hand the ring to the device. */
int igb_rx_queue_start(struct igb_adapter *ad, struct igb_rx_queue *rxq)
{
	const uint16_t n = rxq->nb_desc, q = rxq->queue_id;

	if (sl_mempool_get_bulk(rxq->mp, (void **)rxq->sw_ring, n) != 0) {
		SL_LOG(ERR, IGB_LOG, "%s: rx queue %u: cannot take %u mbufs from pool %s (%u available) to fill "
		       "the ring; use a bigger pool", ad->dev->name, q, n, sl_mempool_name(rxq->mp),
		       sl_mempool_avail_count(rxq->mp));
		return -ENOMEM;
	}
	for (uint16_t i = 0; i < n; i++) {
		struct sl_mbuf *m = rxq->sw_ring[i];
		__sl_mbuf_set_rearm(m, rxq->rearm);
		rxq->ring[i].read.pkt_addr = m->buf_iova + SL_PKTMBUF_HEADROOM;
		rxq->ring[i].read.hdr_addr = 0;
	}
	rxq->next = 0;
	rxq->nb_hold = 0;
	rxq->broken = false;

	igb_write(ad, IGB_RXDCTL(q), 0);
	igb_write(ad, IGB_RDBAL(q), (uint32_t)rxq->ring_iova);
	igb_write(ad, IGB_RDBAH(q), (uint32_t)(rxq->ring_iova >> 32));
	igb_write(ad, IGB_RDLEN(q), (uint32_t)n * sizeof(union igb_adv_rx_desc));
	igb_write(ad, IGB_SRRCTL(q), (rxq->buf_size >> IGB_SRRCTL_BSIZEPKT_SHIFT) | IGB_SRRCTL_DESCTYPE_ADV_ONEBUF |
		  (ad->dev->nb_rx_queues > 1 ? IGB_SRRCTL_DROP_EN : 0));
	igb_write(ad, IGB_RDH(q), 0);
	igb_write(ad, IGB_RDT(q), 0);
	igb_write(ad, IGB_RXDCTL(q), IGB_RXDCTL_PTHRESH(8) | IGB_RXDCTL_HTHRESH(8) | IGB_RXDCTL_WTHRESH(4) |
		  IGB_RXDCTL_ENABLE);
	if (igb_wait_enable_bit(ad, IGB_RXDCTL(q), IGB_RXDCTL_ENABLE, true) != 0) {
		SL_LOG(ERR, IGB_LOG, "%s: rx queue %u did not enable (RXDCTL 0x%08x)", ad->dev->name, q,
		       igb_read(ad, IGB_RXDCTL(q)));
		igb_write(ad, IGB_RXDCTL(q), 0);
		sl_mempool_put_bulk(rxq->mp, (void *const *)rxq->sw_ring, n);
		return -EIO;
	}
	rxq->rdt = igb_reg_addr(ad, IGB_RDT(q));
	sl_io_wmb(); /* descriptors before the tail */
	igb_write(ad, IGB_RDT(q), n - 1u);
	rxq->started = true;
	return 0;
}

/* Disable the queue and give every mbuf still in the ring back. */
void igb_rx_queue_stop(struct igb_adapter *ad, struct igb_rx_queue *rxq)
{
	if (!rxq->started)
		return;
	const uint16_t q = rxq->queue_id, n = rxq->nb_desc;
	igb_write(ad, IGB_RXDCTL(q), igb_read(ad, IGB_RXDCTL(q)) & ~IGB_RXDCTL_ENABLE);
	if (igb_wait_enable_bit(ad, IGB_RXDCTL(q), IGB_RXDCTL_ENABLE, false) != 0)
		SL_LOG(WARNING, IGB_LOG, "%s: rx queue %u still enabled after stop", ad->dev->name, q);
	igb_write(ad, IGB_RDLEN(q), 0);
	/* The filled descriptors are the nb_desc - nb_hold from next on. */
	uint16_t filled = (uint16_t)(n - rxq->nb_hold);
	uint16_t idx = rxq->next;
	for (uint16_t i = 0; i < filled; i++) {
		sl_mempool_put(rxq->mp, rxq->sw_ring[idx]);
		rxq->sw_ring[idx] = NULL;
		if (++idx == n)
			idx = 0;
	}
	rxq->nb_hold = n;
	rxq->started = false;
}

/* Give the consumed descriptors new mbufs, a chunk at a time, and move the
 * tail once. Each chunk starts on a multiple of free_thresh, which divides
 * the ring, so a chunk never wraps. */
static sl_always_inline void igb_rx_refill(struct igb_rx_queue *rxq, uint16_t hold)
{
	const uint16_t n = rxq->nb_desc, ft = rxq->free_thresh;
	const uint64_t rearm = rxq->rearm;
	uint16_t start = (uint16_t)(rxq->next >= hold ? rxq->next - hold : rxq->next + n - hold);
	uint16_t done = 0;

	while (hold - done >= ft) {
		struct sl_mbuf **slot = &rxq->sw_ring[start];
		volatile union igb_adv_rx_desc *d = &rxq->ring[start];
		if (sl_unlikely(sl_mempool_get_bulk(rxq->mp, (void **)slot, ft) != 0)) {
			IGB_COUNTER_ADD(rxq->rx_nombuf, ft);
			break;
		}
		for (uint16_t i = 0; i < ft; i++) {
			struct sl_mbuf *m = slot[i];
			__sl_mbuf_set_rearm(m, rearm);
			d[i].read.pkt_addr = m->buf_iova + SL_PKTMBUF_HEADROOM;
			d[i].read.hdr_addr = 0;
		}
		done = (uint16_t)(done + ft);
		start = (uint16_t)(start + ft);
		if (start == n)
			start = 0;
	}
	if (done != 0) {
		rxq->nb_hold = (uint16_t)(hold - done);
		sl_io_wmb(); /* descriptors before the tail */
		sl_write32_relaxed((uint32_t)(start == 0 ? n - 1 : start - 1), rxq->rdt);
	} else {
		rxq->nb_hold = hold;
	}
}

/* A completed descriptor that is not a good one-buffer frame: drop a
 * frame the device flagged with RXE (false), or mark the queue broken
 * (true) when the write-back breaks the ring's rules. OWNED: whether the
 * device owned the descriptor. */
static __attribute__((noinline, cold)) bool igb_rx_bad_desc(struct igb_rx_queue *rxq, uint16_t idx,
							      uint32_t staterr, uint16_t len, bool owned)
{
	const char *what;
	unsigned value, limit;

	if (!owned) {
		what = "DD set on a descriptor the device does not own";
		value = staterr;
		limit = (unsigned)(rxq->nb_desc - 1u - rxq->nb_hold);
	} else if (len > rxq->buf_size) {
		what = "length beyond the posted buffer";
		value = len;
		limit = rxq->buf_size;
	} else if (!(staterr & IGB_RXD_STAT_EOP)) {
		what = "frame without EOP (buffers are never chained)";
		value = staterr;
		limit = IGB_RXD_STAT_EOP;
	} else {
		return false; /* RXE: a frame error the device reported */
	}
	rxq->broken = true;
	IGB_COUNTER_ADD(rxq->rx_errors, 1);
	SL_LOG(ERR, IGB_LOG, "port %u rx queue %u broken: %s at descriptor %u (value %u = 0x%x, limit %u); the queue "
	       "stays unused until the port is restarted", rxq->port_id, rxq->queue_id, what, idx, value, value, limit);
	return true;
}

uint16_t igb_recv_pkts(void *queue, struct sl_mbuf **pkts, uint16_t nb_pkts)
{
	struct igb_rx_queue *rxq = queue;
	if (sl_unlikely(rxq->broken))
		return 0;
	volatile union igb_adv_rx_desc *ring = rxq->ring;
	struct sl_mbuf **sw_ring = rxq->sw_ring;
	const uint16_t n = rxq->nb_desc, queue_id = rxq->queue_id, buf_size = rxq->buf_size;
	/* The device owns the descriptors from next on, all but the consumed
	 * ones not yet refilled and the one at the tail: never look further. */
	const uint16_t owned = (uint16_t)(n - 1u - rxq->nb_hold);
	uint16_t limit = nb_pkts < owned ? nb_pkts : owned; /* descriptors this burst may take */
	const uint16_t next = rxq->next;
	uint16_t idx = next;
	uint64_t bytes = 0;
	uint16_t nb_rx;

	for (nb_rx = 0; nb_rx < limit;) {
		volatile union igb_adv_rx_desc *d = &ring[idx];
		uint32_t staterr = d->wb.status_error;
		/* one test for "done" and "a whole, good frame" */
		if (sl_unlikely((staterr & (IGB_RXD_STAT_DD | IGB_RXD_STAT_EOP | IGB_RXD_ERR_RXE)) !=
				(IGB_RXD_STAT_DD | IGB_RXD_STAT_EOP))) {
			if (!(staterr & IGB_RXD_STAT_DD))
				break; /* not done yet: the usual end of a burst */
			sl_io_rmb(); /* the descriptor's other fields after DD */
			if (igb_rx_bad_desc(rxq, idx, staterr, d->wb.length, true))
				break;
			/* RXE: drop the frame (the descriptor is refilled with
			 * the rest); it used up one owned descriptor */
			IGB_COUNTER_ADD(rxq->rx_errors, 1);
			sl_mempool_put(rxq->mp, sw_ring[idx]);
			limit--;
			if (++idx == n)
				idx = 0;
			continue;
		}
		sl_io_rmb(); /* the rest of the descriptor (and the packet) after DD */
		uint64_t qw0 = d->qw[0];
		uint16_t len = d->wb.length;
		struct sl_mbuf *m = sw_ring[idx];
		if (sl_unlikely(len > buf_size)) {
			igb_rx_bad_desc(rxq, idx, staterr, len, true);
			break;
		}

		/* packet_type = 0 and pkt_len; data_len, vlan_tci = 0 and
		 * hash.rss: two 64-bit stores */
		uint64_t type_len = (uint64_t)len << 32;
		uint64_t len_hash = (uint64_t)len | (qw0 & 0xffffffff00000000ull);
		memcpy(&m->packet_type, &type_len, sizeof(type_len));
		memcpy(&m->data_len, &len_hash, sizeof(len_hash));
		/* RSS type non-zero: the hash is valid; IPE/TCPE (bits 30/29,
		 * set only with checksum validation on) land on the IP/L4
		 * checksum-bad flags (bits 4/3). */
		m->ol_flags = ((uint64_t)((qw0 & IGB_RXD_PKTINFO_RSSTYPE_MASK) != 0) * SL_MBUF_F_RX_RSS_HASH) |
			      ((staterr >> 26) & (SL_MBUF_F_RX_IP_CKSUM_BAD | SL_MBUF_F_RX_L4_CKSUM_BAD));
		m->queue = queue_id;
		pkts[nb_rx++] = m;
		bytes += len;
		if (++idx == n)
			idx = 0;
	}
	/* descriptors taken (frames handed out or dropped) */
	uint16_t consumed = (uint16_t)(idx >= next ? idx - next : idx + n - next);
	/* every owned descriptor taken: DD on the next one is a lie */
	if (sl_unlikely(consumed == owned) && (ring[idx].wb.status_error & IGB_RXD_STAT_DD))
		igb_rx_bad_desc(rxq, idx, ring[idx].wb.status_error, 0, false);
	rxq->next = idx;
	/* consumed descriptors (frames handed out or dropped) are held until
	 * refilled; a broken queue is never refilled (stop frees the rest).
	 * Refill (and write RDT) only once more than free_thresh are held, as
	 * DPDK's igb PMD does (nb_hold > rx_free_thresh): with bursts of 32
	 * and chunks of 32 that is one RDT write per 64 frames, not per 32.
	 * Under QEMU each RDT write flushes the model's queued frames and
	 * wakes QEMU's main loop, the costliest thing the driver does to it
	 * (doc/drivers/igb.md, "What each side costs the device model"). */
	uint16_t hold = (uint16_t)(rxq->nb_hold + consumed);
	if (hold > rxq->free_thresh && sl_likely(!rxq->broken))
		igb_rx_refill(rxq, hold);
	else
		rxq->nb_hold = hold;
	if (nb_rx != 0) {
		IGB_COUNTER_ADD(rxq->rx_pkts, nb_rx);
		IGB_COUNTER_ADD(rxq->rx_bytes, bytes);
	}
	return nb_rx;
}
