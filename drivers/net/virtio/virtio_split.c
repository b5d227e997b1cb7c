/* virtio_split.c: receive and transmit bursts, rx refill and control
 * commands on split virtqueues. Zero copy: descriptors carry mbuf IOVAs; the
 * 12-byte virtio-net header sits in the mbuf headroom right before the
 * packet, or, for a tx mbuf whose headroom may not be written (shared or
 * short), in the queue's header area as a descriptor chained before the
 * data (two ids: chain[] remembers the second). Rx descriptors keep their
 * length and WRITE flag from the fill at start (a split ring's descriptors
 * are never written by the device), so a refill writes only the address. One avail-index store and at most one
 * notification per burst, and only when the device has not set
 * NO_NOTIFY; completed tx buffers are reclaimed in bulk.
 *
 * What the device writes (used index, ids, lengths, num_buffers) is read
 * once and checked before use (virtqueue.h); a violation breaks the queue. */
#include <errno.h>
#include <string.h>

#include "virtio_net.h"

#define RX_REFILL_CHUNK 64
#define TX_CLEAN_CHUNK 64

/* Post up to vq->nb_free fresh buffers (all or, when the pool runs dry,
 * those it had). Returns how many were posted. */
static uint16_t rx_refill_split(struct virtio_rxq *rxq)
{
	struct virtqueue *vq = &rxq->vq;
	struct vring_desc *desc = vq->split.desc;
	uint16_t *ring = vq->split.avail->ring;
	uint16_t avail = vq->avail_idx;
	uint16_t posted = 0;
	struct sl_mbuf *fresh[RX_REFILL_CHUNK];

	while (vq->nb_free > 0) {
		uint16_t n = vq->nb_free < RX_REFILL_CHUNK ? vq->nb_free : RX_REFILL_CHUNK;
		if (sl_unlikely(sl_pktmbuf_alloc_bulk(rxq->mp, fresh, n) != 0)) {
			VQ_COUNTER_ADD(rxq->nombuf, 1);
			break;
		}
		for (uint16_t i = 0; i < n; i++) {
			struct sl_mbuf *m = fresh[i];
			uint16_t id = vq_take_id(vq);
			vq->mbufs[id] = m;
			desc[id].addr = m->buf_iova + SL_PKTMBUF_HEADROOM - VIRTIO_NET_HDR_SIZE;
			ring[avail++ & vq->mask] = id;
		}
		vq->nb_free = (uint16_t)(vq->nb_free - n);
		posted = (uint16_t)(posted + n);
	}
	if (posted > 0) {
		vq->avail_idx = avail;
		__atomic_store_n(&vq->split.avail->idx, avail, __ATOMIC_RELEASE);
	}
	return posted;
}

int virtio_rx_fill_split(struct virtio_rxq *rxq)
{
	struct virtqueue *vq = &rxq->vq;
	for (uint16_t i = 0; i < vq->size; i++) {
		vq->split.desc[i].len = rxq->desc_len;
		vq->split.desc[i].flags = VRING_DESC_F_WRITE;
	}
	rx_refill_split(rxq);
	return vq->nb_free == 0 ? 0 : -ENOMEM;
}

/* Read used element E (at POS) once and check it (virtio_rx_used_ok). */
static sl_always_inline bool rx_used_ok(struct virtio_rxq *rxq, const struct vq_ids *c, uint32_t desc_len,
					const struct vring_used_elem *e, uint16_t pos, uint32_t *id, uint32_t *len,
					struct sl_mbuf **m)
{
	*id = __atomic_load_n(&e->id, __ATOMIC_RELAXED);
	*len = __atomic_load_n(&e->len, __ATOMIC_RELAXED);
	return virtio_rx_used_ok(rxq, c, desc_len, pos, *id, *len, m);
}

/* MRG: MRG_RXBUF negotiated, so the header's num_buffers is meaningful
 * (without it every packet is in one buffer). A constant in each caller. */
static sl_always_inline uint16_t rx_split(void *q, struct sl_mbuf **pkts, uint16_t nb_pkts, const bool mrg)
{
	struct virtio_rxq *rxq = q;
	struct virtqueue *vq = &rxq->vq;
	if (sl_unlikely(vq->broken))
		return 0;
	const struct vring_used_elem *uring = vq->split.used->ring;
	const uint16_t port = rxq->port_id, in_flight = vq_in_flight(vq);
	const uint32_t desc_len = rxq->desc_len;
	uint16_t used = __atomic_load_n(&vq->split.used->idx, __ATOMIC_ACQUIRE);
	uint16_t ready = (uint16_t)(used - vq->used_idx);
	uint16_t last = vq->used_idx;
	uint16_t done = 0, nb_rx = 0;
	uint64_t bytes = 0;
	bool broken = false;

	if (sl_unlikely(ready > in_flight)) {
		virtio_rx_broken(rxq, "used index ahead of the buffers in flight", last, used,
			  (uint16_t)(last + in_flight));
		return 0;
	}
	struct vq_ids c = vq_ids_begin(vq);
	while (nb_rx < nb_pkts && done < ready) {
		uint16_t pos = (uint16_t)(last + done);
		uint32_t id, len;
		struct sl_mbuf *m;
		if (sl_unlikely(!rx_used_ok(rxq, &c, desc_len, &uring[pos & c.mask], pos, &id, &len, &m))) {
			broken = true;
			break;
		}
		uint16_t num = mrg ? __atomic_load_n(&virtio_rx_hdr(m)->num_buffers, __ATOMIC_RELAXED) : 1;

		if (sl_likely(num == 1 && len > VIRTIO_NET_HDR_SIZE)) {
			vq_ids_return(&c, (uint16_t)id);
			done++;
			len -= VIRTIO_NET_HDR_SIZE;
			m->data_len = (uint16_t)len;
			m->pkt_len = len;
			m->port = port;
			bytes += len;
			pkts[nb_rx++] = m;
			continue;
		}
		/* several buffers (MRG_RXBUF), or malformed (dropped) */
		if (num == 0)
			num = 1;
		if (sl_unlikely(num > (uint16_t)(in_flight - done))) {
			virtio_rx_broken(rxq, "num_buffers beyond the buffers in flight", pos, num,
				  (uint16_t)(in_flight - done));
			broken = true;
			break;
		}
		if (num > (uint16_t)(ready - done))
			break; /* the rest is not there yet: take it next time */
		struct virtio_rx_pkt p = {0};
		for (uint16_t k = 0; k < num; k++) {
			if (k > 0) {
				pos = (uint16_t)(last + done);
				if (sl_unlikely(!rx_used_ok(rxq, &c, desc_len, &uring[pos & c.mask], pos, &id, &len, &m))) {
					broken = true;
					break;
				}
			}
			vq_ids_return(&c, (uint16_t)id);
			done++;
			virtio_rx_pkt_add(&p, m, len, port);
		}
		if (sl_unlikely(broken)) {
			sl_pktmbuf_free(p.head);
			break;
		}
		m = virtio_rx_pkt_end(rxq, &p);
		if (m != NULL) {
			bytes += m->pkt_len;
			pkts[nb_rx++] = m;
		}
	}
	vq_ids_end(vq, &c);
	vq->used_idx = (uint16_t)(last + done);
	vq->nb_free = (uint16_t)(vq->nb_free + done);
	if (vq->nb_free >= rxq->free_thresh && sl_likely(!broken) && rx_refill_split(rxq) > 0)
		vq_split_kick_if_wanted(vq);
	VQ_COUNTER_ADD(rxq->packets, nb_rx);
	VQ_COUNTER_ADD(rxq->bytes, bytes);
	return nb_rx;
}

uint16_t virtio_rx_split(void *q, struct sl_mbuf **pkts, uint16_t nb_pkts)
{
	return rx_split(q, pkts, nb_pkts, false);
}

uint16_t virtio_rx_split_mrg(void *q, struct sl_mbuf **pkts, uint16_t nb_pkts)
{
	return rx_split(q, pkts, nb_pkts, true);
}

/* Return the buffers the device has finished with to their pools. */
static void tx_cleanup_split(struct virtio_txq *txq)
{
	struct virtqueue *vq = &txq->vq;
	const struct vring_used_elem *uring = vq->split.used->ring;
	uint16_t *chain = vq->chain;
	uint16_t used = __atomic_load_n(&vq->split.used->idx, __ATOMIC_ACQUIRE);
	uint16_t last = vq->used_idx;
	uint16_t n = (uint16_t)(used - last);
	uint16_t freed = 0, chained = vq->nb_chained;
	struct sl_mbuf *done[TX_CLEAN_CHUNK];

	if (sl_unlikely(n > vq_in_flight(vq))) {
		virtio_tx_broken(txq, "used index ahead of the buffers in flight", last, used,
			  (uint16_t)(last + vq_in_flight(vq)));
		return;
	}
	struct vq_ids c = vq_ids_begin(vq);
	while (n > 0) {
		uint16_t k = n < TX_CLEAN_CHUNK ? n : TX_CLEAN_CHUNK, i;
		for (i = 0; i < k; i++) {
			uint32_t id = __atomic_load_n(&uring[last & c.mask].id, __ATOMIC_RELAXED);
			if (sl_unlikely(id > c.mask || c.mbufs[id] == NULL)) {
				virtio_tx_broken(txq, id > c.mask ? "used id out of range" : "used id not in flight", last, id,
					  c.mask);
				break;
			}
			done[i] = c.mbufs[id];
			vq_ids_return(&c, (uint16_t)id);
			if (sl_unlikely(chained != 0) && chain[id] != VQ_NO_CHAIN) {
				c.free_ids[c.tail++ & c.mask] = chain[id];
				chain[id] = VQ_NO_CHAIN;
				chained--;
				freed++;
			}
			last++;
		}
		freed = (uint16_t)(freed + i);
		sl_pktmbuf_free_bulk(done, i);
		if (sl_unlikely(i < k))
			break;
		n = (uint16_t)(n - k);
	}
	vq_ids_end(vq, &c);
	vq->nb_chained = chained;
	vq->used_idx = last;
	vq->nb_free = (uint16_t)(vq->nb_free + freed);
}

uint16_t virtio_tx_split(void *q, struct sl_mbuf **pkts, uint16_t nb_pkts)
{
	struct virtio_txq *txq = q;
	struct virtqueue *vq = &txq->vq;
	if (sl_unlikely(vq->broken))
		return 0;
	struct vring_desc *desc = vq->split.desc;
	uint16_t *ring = vq->split.avail->ring;
	uint16_t avail = vq->avail_idx;
	uint16_t n, i, extra = 0; /* extra: header descriptors of this burst */
	uint64_t bytes = 0;

	if (vq->nb_free < txq->free_thresh) {
		tx_cleanup_split(txq);
		if (sl_unlikely(vq->broken))
			return 0;
	}
	n = nb_pkts;
	if (sl_unlikely(n > vq->nb_free)) {
		n = vq->nb_free;
		VQ_COUNTER_ADD(txq->ring_full, 1);
	}
	for (i = 0; i < n; i++) {
		struct sl_mbuf *m = pkts[i];
		if (sl_likely(__sl_pktmbuf_is_simple(m) && m->data_off >= VIRTIO_NET_HDR_SIZE)) {
			/* one segment, ours alone, room for the header in front */
			uint16_t id = vq_take_id(vq);
			memset((char *)m->buf_addr + m->data_off - VIRTIO_NET_HDR_SIZE, 0, VIRTIO_NET_HDR_SIZE);
			vq->mbufs[id] = m;
			desc[id] = (struct vring_desc){ .addr = sl_pktmbuf_data_iova(m) - VIRTIO_NET_HDR_SIZE,
							.len = (uint32_t)m->data_len + VIRTIO_NET_HDR_SIZE };
			ring[avail++ & vq->mask] = id;
		} else {
			if (sl_unlikely(m->nb_segs != 1)) {
				VQ_COUNTER_ADD(txq->errors, 1);
				break; /* the caller keeps this one and the rest */
			}
			/* shared or short of headroom: the header from the
			 * queue's area, chained before the data (two descriptors) */
			if (sl_unlikely(i + extra + 2u > vq->nb_free)) {
				VQ_COUNTER_ADD(txq->ring_full, 1);
				break;
			}
			extra++;
			if (n > vq->nb_free - extra)
				n = (uint16_t)(vq->nb_free - extra);
			uint16_t id = vq_take_id(vq), data = vq_take_id(vq);
			vq->mbufs[id] = m;
			vq->chain[id] = data;
			vq->nb_chained++;
			desc[id] = (struct vring_desc){ .addr = txq->hdrs_iova + (uint64_t)id * VIRTIO_NET_HDR_SIZE,
							.len = VIRTIO_NET_HDR_SIZE, .flags = VRING_DESC_F_NEXT,
							.next = data };
			desc[data] = (struct vring_desc){ .addr = sl_pktmbuf_data_iova(m), .len = m->data_len };
			ring[avail++ & vq->mask] = id;
			VQ_COUNTER_ADD(txq->hdr_descs, 1);
		}
		bytes += m->data_len;
	}
	if (sl_likely(i > 0)) {
		vq->nb_free = (uint16_t)(vq->nb_free - i - extra);
		vq->avail_idx = avail;
		__atomic_store_n(&vq->split.avail->idx, avail, __ATOMIC_RELEASE);
		vq_split_kick_if_wanted(vq);
		VQ_COUNTER_ADD(txq->packets, i);
		VQ_COUNTER_ADD(txq->bytes, bytes);
	}
	return i;
}

int virtio_ctrl_send_split(struct virtqueue *vq, uint64_t out_iova, uint32_t out_len, uint64_t ack_iova,
			   unsigned timeout_us)
{
	struct vring_desc *d = vq->split.desc;
	uint16_t avail = vq->avail_idx;

	/* The control queue is idle between commands: descriptors 0 and 1. */
	d[0] = (struct vring_desc){ .addr = out_iova, .len = out_len, .flags = VRING_DESC_F_NEXT, .next = 1 };
	d[1] = (struct vring_desc){ .addr = ack_iova, .len = 1, .flags = VRING_DESC_F_WRITE, .next = 0 };
	vq->split.avail->ring[avail & vq->mask] = 0;
	avail++;
	vq->avail_idx = avail;
	__atomic_store_n(&vq->split.avail->idx, avail, __ATOMIC_RELEASE);
	vq_mb();
	vq_kick(vq);
	for (unsigned waited = 0;; waited += 5) {
		if (__atomic_load_n(&vq->split.used->idx, __ATOMIC_ACQUIRE) == avail)
			break;
		if (waited >= timeout_us)
			return -ETIMEDOUT;
		sl_delay_us(5);
	}
	vq->used_idx = avail;
	return 0;
}
