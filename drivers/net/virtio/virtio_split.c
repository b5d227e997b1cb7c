/* virtio_split.c: receive and transmit bursts, rx refill and control
 * commands on split virtqueues. Zero copy: descriptors carry mbuf IOVAs; the
 * 12-byte virtio-net header sits in the mbuf headroom right before the
 * packet. Rx descriptors keep their length and WRITE flag from the fill at
 * start (a split ring's descriptors are never written by the device), so a
 * refill writes only the address. One avail-index store and at most one
 * notification per burst, and only when the device has not set
 * NO_NOTIFY; completed tx buffers are reclaimed in bulk. */
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

/* MRG: MRG_RXBUF negotiated, so the header's num_buffers is meaningful
 * (without it every packet is in one buffer). A constant in each caller. */
static sl_always_inline uint16_t rx_split(void *q, struct sl_mbuf **pkts, uint16_t nb_pkts, const bool mrg)
{
	struct virtio_rxq *rxq = q;
	struct virtqueue *vq = &rxq->vq;
	const struct vring_used_elem *uring = vq->split.used->ring;
	const uint16_t port = rxq->port_id;
	uint16_t used = __atomic_load_n(&vq->split.used->idx, __ATOMIC_ACQUIRE);
	uint16_t ready = (uint16_t)(used - vq->used_idx);
	uint16_t last = vq->used_idx;
	uint16_t done = 0, nb_rx = 0;
	uint64_t bytes = 0;

	while (nb_rx < nb_pkts && done < ready) {
		const struct vring_used_elem *ue = &uring[(uint16_t)(last + done) & vq->mask];
		uint16_t id = (uint16_t)ue->id;
		uint32_t len = ue->len;
		struct sl_mbuf *m = vq->mbufs[id];
		uint16_t num = mrg ? virtio_rx_hdr(m)->num_buffers : 1;

		if (sl_likely(num == 1 && len > VIRTIO_NET_HDR_SIZE)) {
			vq_return_id(vq, id);
			done++;
			len -= VIRTIO_NET_HDR_SIZE;
			m->data_len = (uint16_t)len;
			m->pkt_len = len;
			m->port = port;
			bytes += len;
			pkts[nb_rx++] = m;
			continue;
		}
		/* several buffers (MRG_RXBUF), or malformed */
		if (num == 0)
			num = 1;
		if (num > (uint16_t)(ready - done))
			break; /* the rest is not there yet: take it next time */
		struct sl_mbuf *segs[num];
		uint32_t lens[num];
		for (uint16_t k = 0; k < num; k++) {
			const struct vring_used_elem *e = &uring[(uint16_t)(last + done + k) & vq->mask];
			uint16_t sid = (uint16_t)e->id;
			segs[k] = vq->mbufs[sid];
			lens[k] = e->len;
			vq_return_id(vq, sid);
		}
		done = (uint16_t)(done + num);
		m = virtio_rx_merge(rxq, segs, lens, num);
		if (m != NULL) {
			bytes += m->pkt_len;
			pkts[nb_rx++] = m;
		}
	}
	vq->used_idx = (uint16_t)(last + done);
	vq->nb_free = (uint16_t)(vq->nb_free + done);
	if (vq->nb_free >= rxq->free_thresh && rx_refill_split(rxq) > 0)
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
	uint16_t used = __atomic_load_n(&vq->split.used->idx, __ATOMIC_ACQUIRE);
	uint16_t last = vq->used_idx;
	uint16_t n = (uint16_t)(used - last);
	struct sl_mbuf *done[TX_CLEAN_CHUNK];

	vq->used_idx = used;
	vq->nb_free = (uint16_t)(vq->nb_free + n);
	while (n > 0) {
		uint16_t k = n < TX_CLEAN_CHUNK ? n : TX_CLEAN_CHUNK;
		for (uint16_t i = 0; i < k; i++) {
			uint16_t id = (uint16_t)uring[last++ & vq->mask].id;
			done[i] = vq->mbufs[id];
			vq_return_id(vq, id);
		}
		sl_pktmbuf_free_bulk(done, k);
		n = (uint16_t)(n - k);
	}
}

uint16_t virtio_tx_split(void *q, struct sl_mbuf **pkts, uint16_t nb_pkts)
{
	struct virtio_txq *txq = q;
	struct virtqueue *vq = &txq->vq;
	struct vring_desc *desc = vq->split.desc;
	uint16_t *ring = vq->split.avail->ring;
	uint16_t avail = vq->avail_idx;
	uint16_t n, i;
	uint64_t bytes = 0;

	if (vq->nb_free < txq->free_thresh)
		tx_cleanup_split(txq);
	n = nb_pkts;
	if (sl_unlikely(n > vq->nb_free)) {
		n = vq->nb_free;
		VQ_COUNTER_ADD(txq->ring_full, 1);
	}
	for (i = 0; i < n; i++) {
		struct sl_mbuf *m = pkts[i];
		if (sl_unlikely(m->nb_segs != 1 || m->data_off < VIRTIO_NET_HDR_SIZE)) {
			VQ_COUNTER_ADD(txq->errors, 1);
			break; /* the caller keeps this one and the rest */
		}
		uint16_t id = vq_take_id(vq);
		memset((char *)m->buf_addr + m->data_off - VIRTIO_NET_HDR_SIZE, 0, VIRTIO_NET_HDR_SIZE);
		vq->mbufs[id] = m;
		desc[id].addr = sl_pktmbuf_data_iova(m) - VIRTIO_NET_HDR_SIZE;
		desc[id].len = (uint32_t)m->data_len + VIRTIO_NET_HDR_SIZE;
		ring[avail++ & vq->mask] = id;
		bytes += m->data_len;
	}
	if (sl_likely(i > 0)) {
		vq->nb_free = (uint16_t)(vq->nb_free - i);
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
