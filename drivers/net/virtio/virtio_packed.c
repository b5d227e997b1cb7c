/* virtio_packed.c: receive and transmit bursts, rx refill and control
 * commands on packed virtqueues. One ring holds both directions: the driver
 * makes a descriptor available by writing its flags (AVAIL = its wrap
 * counter, USED = the inverse) last; the device overwrites the slot with a
 * used descriptor (AVAIL = USED = its wrap counter) carrying the buffer id
 * and the length written. Zero copy with the header in the headroom as on
 * split rings; at most one notification per burst, only when the device's
 * event suppression structure does not say DISABLE. */
#include <errno.h>
#include <string.h>

#include "virtio_net.h"

#define RX_REFILL_CHUNK 64
#define TX_CLEAN_CHUNK 64
#define WRAP_BITS (VRING_PACKED_DESC_F_AVAIL | VRING_PACKED_DESC_F_USED)

static sl_always_inline void advance(uint16_t *slot, uint16_t *flags, uint16_t size)
{
	if (sl_unlikely(++*slot == size)) {
		*slot = 0;
		*flags ^= WRAP_BITS;
	}
}

static uint16_t rx_refill_packed(struct virtio_rxq *rxq)
{
	struct virtqueue *vq = &rxq->vq;
	struct vring_packed_desc *ring = vq->packed.desc;
	uint16_t slot = vq->avail_idx, aflags = vq->avail_flags;
	const uint16_t wflags = VRING_DESC_F_WRITE;
	const uint32_t len = rxq->desc_len;
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
			struct vring_packed_desc *d = &ring[slot];
			uint16_t id = vq_take_id(vq);
			vq->mbufs[id] = m;
			d->addr = m->buf_iova + SL_PKTMBUF_HEADROOM - VIRTIO_NET_HDR_SIZE;
			d->len = len;
			d->id = id;
			__atomic_store_n(&d->flags, (uint16_t)(wflags | aflags), __ATOMIC_RELEASE);
			advance(&slot, &aflags, vq->size);
		}
		vq->nb_free = (uint16_t)(vq->nb_free - n);
		posted = (uint16_t)(posted + n);
	}
	vq->avail_idx = slot;
	vq->avail_flags = aflags;
	return posted;
}

int virtio_rx_fill_packed(struct virtio_rxq *rxq)
{
	rx_refill_packed(rxq);
	return rxq->vq.nb_free == 0 ? 0 : -ENOMEM;
}

static sl_always_inline uint16_t rx_packed(void *q, struct sl_mbuf **pkts, uint16_t nb_pkts, const bool mrg)
{
	struct virtio_rxq *rxq = q;
	struct virtqueue *vq = &rxq->vq;
	struct vring_packed_desc *ring = vq->packed.desc;
	const uint16_t port = rxq->port_id;
	uint16_t slot = vq->used_idx, uflags = vq->used_flags;
	uint16_t done = 0, nb_rx = 0;
	uint64_t bytes = 0;

	while (nb_rx < nb_pkts) {
		struct vring_packed_desc *d = &ring[slot];
		uint16_t f = __atomic_load_n(&d->flags, __ATOMIC_ACQUIRE);
		if ((f & WRAP_BITS) != uflags)
			break;
		uint16_t id = d->id;
		uint32_t len = d->len;
		struct sl_mbuf *m = vq->mbufs[id];
		uint16_t num = mrg ? virtio_rx_hdr(m)->num_buffers : 1;

		if (sl_likely(num == 1 && len > VIRTIO_NET_HDR_SIZE)) {
			vq_return_id(vq, id);
			advance(&slot, &uflags, vq->size);
			done++;
			len -= VIRTIO_NET_HDR_SIZE;
			m->data_len = (uint16_t)len;
			m->pkt_len = len;
			m->port = port;
			bytes += len;
			pkts[nb_rx++] = m;
			continue;
		}
		if (num == 0)
			num = 1;
		if (num > vq->size)
			num = vq->size;
		/* the device publishes a multi-buffer packet's head last, but
		 * check every buffer is there before taking any */
		uint16_t s = slot, fl = uflags;
		bool complete = true;
		for (uint16_t k = 0; k < num; k++) {
			if ((__atomic_load_n(&ring[s].flags, __ATOMIC_ACQUIRE) & WRAP_BITS) != fl) {
				complete = false;
				break;
			}
			advance(&s, &fl, vq->size);
		}
		if (!complete)
			break;
		struct sl_mbuf *segs[num];
		uint32_t lens[num];
		for (uint16_t k = 0; k < num; k++) {
			uint16_t sid = ring[slot].id;
			segs[k] = vq->mbufs[sid];
			lens[k] = ring[slot].len;
			vq_return_id(vq, sid);
			advance(&slot, &uflags, vq->size);
		}
		done = (uint16_t)(done + num);
		m = virtio_rx_merge(rxq, segs, lens, num);
		if (m != NULL) {
			bytes += m->pkt_len;
			pkts[nb_rx++] = m;
		}
	}
	vq->used_idx = slot;
	vq->used_flags = uflags;
	vq->nb_free = (uint16_t)(vq->nb_free + done);
	if (vq->nb_free >= rxq->free_thresh && rx_refill_packed(rxq) > 0)
		vq_packed_kick_if_wanted(vq);
	VQ_COUNTER_ADD(rxq->packets, nb_rx);
	VQ_COUNTER_ADD(rxq->bytes, bytes);
	return nb_rx;
}

uint16_t virtio_rx_packed(void *q, struct sl_mbuf **pkts, uint16_t nb_pkts)
{
	return rx_packed(q, pkts, nb_pkts, false);
}

uint16_t virtio_rx_packed_mrg(void *q, struct sl_mbuf **pkts, uint16_t nb_pkts)
{
	return rx_packed(q, pkts, nb_pkts, true);
}

static void tx_cleanup_packed(struct virtio_txq *txq)
{
	struct virtqueue *vq = &txq->vq;
	struct vring_packed_desc *ring = vq->packed.desc;
	uint16_t slot = vq->used_idx, uflags = vq->used_flags;
	uint16_t n = 0, total = 0;
	struct sl_mbuf *done[TX_CLEAN_CHUNK];

	for (;;) {
		uint16_t f = __atomic_load_n(&ring[slot].flags, __ATOMIC_ACQUIRE);
		if ((f & WRAP_BITS) != uflags)
			break;
		uint16_t id = ring[slot].id;
		done[n++] = vq->mbufs[id];
		vq_return_id(vq, id);
		advance(&slot, &uflags, vq->size);
		if (n == TX_CLEAN_CHUNK) {
			sl_pktmbuf_free_bulk(done, n);
			total = (uint16_t)(total + n);
			n = 0;
		}
	}
	if (n > 0)
		sl_pktmbuf_free_bulk(done, n);
	total = (uint16_t)(total + n);
	vq->used_idx = slot;
	vq->used_flags = uflags;
	vq->nb_free = (uint16_t)(vq->nb_free + total);
}

uint16_t virtio_tx_packed(void *q, struct sl_mbuf **pkts, uint16_t nb_pkts)
{
	struct virtio_txq *txq = q;
	struct virtqueue *vq = &txq->vq;
	struct vring_packed_desc *ring = vq->packed.desc;
	uint16_t slot = vq->avail_idx, aflags = vq->avail_flags;
	uint16_t n, i;
	uint64_t bytes = 0;

	if (vq->nb_free < txq->free_thresh)
		tx_cleanup_packed(txq);
	n = nb_pkts;
	if (sl_unlikely(n > vq->nb_free)) {
		n = vq->nb_free;
		VQ_COUNTER_ADD(txq->ring_full, 1);
	}
	for (i = 0; i < n; i++) {
		struct sl_mbuf *m = pkts[i];
		if (sl_unlikely(m->nb_segs != 1 || m->data_off < VIRTIO_NET_HDR_SIZE)) {
			VQ_COUNTER_ADD(txq->errors, 1);
			break;
		}
		struct vring_packed_desc *d = &ring[slot];
		uint16_t id = vq_take_id(vq);
		memset((char *)m->buf_addr + m->data_off - VIRTIO_NET_HDR_SIZE, 0, VIRTIO_NET_HDR_SIZE);
		vq->mbufs[id] = m;
		d->addr = sl_pktmbuf_data_iova(m) - VIRTIO_NET_HDR_SIZE;
		d->len = (uint32_t)m->data_len + VIRTIO_NET_HDR_SIZE;
		d->id = id;
		__atomic_store_n(&d->flags, aflags, __ATOMIC_RELEASE);
		advance(&slot, &aflags, vq->size);
		bytes += m->data_len;
	}
	if (sl_likely(i > 0)) {
		vq->nb_free = (uint16_t)(vq->nb_free - i);
		vq->avail_idx = slot;
		vq->avail_flags = aflags;
		vq_packed_kick_if_wanted(vq);
		VQ_COUNTER_ADD(txq->packets, i);
		VQ_COUNTER_ADD(txq->bytes, bytes);
	}
	return i;
}

int virtio_ctrl_send_packed(struct virtqueue *vq, uint64_t out_iova, uint32_t out_len, uint64_t ack_iova,
			    unsigned timeout_us)
{
	struct vring_packed_desc *ring = vq->packed.desc;
	uint16_t head = vq->avail_idx, head_flags = vq->avail_flags;
	uint16_t slot = head, aflags = head_flags;

	/* A chain of two: the command (read), then the ack byte (written). The
	 * head's flags go last so the device sees the whole chain at once. */
	advance(&slot, &aflags, vq->size);
	ring[slot].addr = ack_iova;
	ring[slot].len = 1;
	ring[slot].id = 0;
	__atomic_store_n(&ring[slot].flags, (uint16_t)(VRING_DESC_F_WRITE | aflags), __ATOMIC_RELEASE);
	advance(&slot, &aflags, vq->size);
	ring[head].addr = out_iova;
	ring[head].len = out_len;
	ring[head].id = 0;
	__atomic_store_n(&ring[head].flags, (uint16_t)(VRING_DESC_F_NEXT | head_flags), __ATOMIC_RELEASE);
	vq->avail_idx = slot;
	vq->avail_flags = aflags;
	vq_mb();
	vq_kick(vq);
	/* the device writes one used descriptor, at the head's slot */
	for (unsigned waited = 0;; waited += 5) {
		uint16_t f = __atomic_load_n(&ring[vq->used_idx].flags, __ATOMIC_ACQUIRE);
		if ((f & WRAP_BITS) == vq->used_flags)
			break;
		if (waited >= timeout_us)
			return -ETIMEDOUT;
		sl_delay_us(5);
	}
	/* skip the whole chain */
	advance(&vq->used_idx, &vq->used_flags, vq->size);
	advance(&vq->used_idx, &vq->used_flags, vq->size);
	return 0;
}
