/* virtio_packed.c: receive and transmit bursts, rx refill and control
 * commands on packed virtqueues. One ring holds both directions: the driver
 * makes a descriptor available by writing its flags (AVAIL = its wrap
 * counter, USED = the inverse) last; the device overwrites the slot with a
 * used descriptor (AVAIL = USED = its wrap counter) carrying the buffer id
 * and the length written. Zero copy with the header in the headroom as on
 * split rings, or for a tx mbuf whose headroom may not be written in a
 * header descriptor chained before the data (one id, two slots: chain[]
 * says how many); at most one notification per burst, only when the
 * device's event suppression structure does not say DISABLE.
 *
 * What the device writes (flags, ids, lengths, num_buffers) is read once
 * and checked before use (virtqueue.h): a used slot must be one the driver
 * posted, its id in range and in flight, its length within the buffer; an
 * rx slot whose flags are neither available nor used in the current wrap
 * breaks the queue. */
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

/* Flags of a slot that is not used in wrap USED_FLAGS: posted (AVAIL =
 * wrap, USED = !wrap) or not yet reposted (the previous wrap's used
 * flags). AVAIL = !wrap with USED = wrap is neither: the device broke it. */
static sl_always_inline bool bad_unused_flags(uint16_t f, uint16_t used_flags)
{
	return sl_unlikely((f & WRAP_BITS) == (used_flags ^ VRING_PACKED_DESC_F_AVAIL));
}

/* Read used descriptor D (at SLOT) once and check it (virtio_rx_used_ok). */
static sl_always_inline bool rx_used_ok(struct virtio_rxq *rxq, const struct vq_ids *c, uint32_t desc_len,
					const struct vring_packed_desc *d, uint16_t slot, uint16_t *id, uint32_t *len,
					struct sl_mbuf **m)
{
	*id = __atomic_load_n(&d->id, __ATOMIC_RELAXED);
	*len = __atomic_load_n(&d->len, __ATOMIC_RELAXED);
	return virtio_rx_used_ok(rxq, c, desc_len, slot, *id, *len, m);
}

static sl_always_inline uint16_t rx_packed(void *q, struct sl_mbuf **pkts, uint16_t nb_pkts, const bool mrg)
{
	struct virtio_rxq *rxq = q;
	struct virtqueue *vq = &rxq->vq;
	if (sl_unlikely(vq->broken))
		return 0;
	struct vring_packed_desc *ring = vq->packed.desc;
	const uint16_t in_flight = vq_in_flight(vq), size = vq->size;
	uint16_t slot = vq->used_idx, uflags = vq->used_flags;
	uint16_t left = in_flight, nb_rx = 0; /* left: buffers still in flight */
	uint64_t bytes = 0;
	struct vq_ids c = vq_ids_begin(vq);

	while (nb_rx < nb_pkts) {
		struct vring_packed_desc *d = &ring[slot];
		uint16_t f = __atomic_load_n(&d->flags, __ATOMIC_ACQUIRE);
		if ((f & WRAP_BITS) != uflags) {
			if (bad_unused_flags(f, uflags))
				virtio_rx_broken(rxq, "descriptor flags neither available nor used", slot, f, uflags);
			break;
		}
		if (sl_unlikely(left == 0)) {
			virtio_rx_broken(rxq, "used descriptor beyond the buffers in flight", slot, (unsigned)in_flight + 1u,
				  in_flight);
			break;
		}
		uint16_t id;
		uint32_t len;
		struct sl_mbuf *m;
		if (sl_unlikely(!rx_used_ok(rxq, &c, rxq->desc_len, d, slot, &id, &len, &m)))
			break;
		uint16_t num = mrg ? __atomic_load_n(&virtio_rx_hdr(m)->num_buffers, __ATOMIC_RELAXED) : 1;

		if (sl_likely(num == 1 && len > VIRTIO_NET_HDR_SIZE)) {
			vq_ids_return(&c, id);
			advance(&slot, &uflags, size);
			left--;
			len -= VIRTIO_NET_HDR_SIZE;
			m->data_len = (uint16_t)len;
			m->pkt_len = len;
			m->port = rxq->port_id;
			bytes += len;
			pkts[nb_rx++] = m;
			continue;
		}
		if (num == 0)
			num = 1;
		if (sl_unlikely(num > left)) {
			virtio_rx_broken(rxq, "num_buffers beyond the buffers in flight", slot, num, left);
			break;
		}
		/* the device publishes a multi-buffer packet's head last, but
		 * check every buffer is there before taking any */
		uint16_t s = slot, fl = uflags;
		bool complete = true;
		for (uint16_t k = 0; k < num; k++) {
			if ((__atomic_load_n(&ring[s].flags, __ATOMIC_ACQUIRE) & WRAP_BITS) != fl) {
				complete = false;
				break;
			}
			advance(&s, &fl, size);
		}
		if (!complete)
			break;
		struct virtio_rx_pkt p = {0};
		for (uint16_t k = 0; k < num; k++) {
			if (k > 0 && sl_unlikely(!rx_used_ok(rxq, &c, rxq->desc_len, &ring[slot], slot, &id, &len, &m)))
				break;
			vq_ids_return(&c, id);
			advance(&slot, &uflags, size);
			left--;
			virtio_rx_pkt_add(&p, m, len, rxq->port_id);
		}
		if (sl_unlikely(vq->broken)) {
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
	vq->used_idx = slot;
	vq->used_flags = uflags;
	vq->nb_free = (uint16_t)(vq->nb_free + (in_flight - left));
	if (vq->nb_free >= rxq->free_thresh && sl_likely(!vq->broken) && rx_refill_packed(rxq) > 0)
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
	const uint16_t *chain = vq->chain;
	const uint16_t in_flight = vq_in_flight(vq), size = vq->size;
	uint16_t slot = vq->used_idx, uflags = vq->used_flags;
	uint16_t n = 0, total = 0;
	struct sl_mbuf *done[TX_CLEAN_CHUNK];
	struct vq_ids c = vq_ids_begin(vq);

	for (;;) {
		uint16_t f = __atomic_load_n(&ring[slot].flags, __ATOMIC_ACQUIRE);
		/* (no flags check here: the second slot of a header chain keeps
		 * the driver's flags when the device skips it) */
		if ((f & WRAP_BITS) != uflags)
			break;
		uint16_t id = __atomic_load_n(&ring[slot].id, __ATOMIC_RELAXED);
		if (sl_unlikely(id > c.mask || c.mbufs[id] == NULL)) {
			virtio_tx_broken(txq, id > c.mask ? "used id out of range" : "used id not in flight", slot, id, c.mask);
			break;
		}
		uint16_t slots = chain[id];
		if (sl_unlikely(total + slots > in_flight)) {
			virtio_tx_broken(txq, "used descriptor beyond the buffers in flight", slot, (unsigned)total + slots,
				  in_flight);
			break;
		}
		done[n++] = c.mbufs[id];
		vq_ids_return(&c, id);
		advance(&slot, &uflags, size);
		if (sl_unlikely(slots == 2))
			advance(&slot, &uflags, size);
		total = (uint16_t)(total + slots);
		if (n == TX_CLEAN_CHUNK) {
			sl_pktmbuf_free_bulk(done, n);
			n = 0;
		}
	}
	if (n > 0)
		sl_pktmbuf_free_bulk(done, n);
	vq_ids_end(vq, &c);
	vq->used_idx = slot;
	vq->used_flags = uflags;
	vq->nb_free = (uint16_t)(vq->nb_free + total);
}

uint16_t virtio_tx_packed(void *q, struct sl_mbuf **pkts, uint16_t nb_pkts)
{
	struct virtio_txq *txq = q;
	struct virtqueue *vq = &txq->vq;
	if (sl_unlikely(vq->broken))
		return 0;
	struct vring_packed_desc *ring = vq->packed.desc;
	uint16_t slot = vq->avail_idx, aflags = vq->avail_flags;
	uint16_t n, i, extra = 0; /* extra: header descriptors of this burst */
	uint64_t bytes = 0;

	if (vq->nb_free < txq->free_thresh) {
		tx_cleanup_packed(txq);
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
		struct vring_packed_desc *d = &ring[slot];
		if (sl_likely(__sl_pktmbuf_is_simple(m) && m->data_off >= VIRTIO_NET_HDR_SIZE)) {
			/* one segment, ours alone, room for the header in front */
			uint16_t id = vq_take_id(vq);
			memset((char *)m->buf_addr + m->data_off - VIRTIO_NET_HDR_SIZE, 0, VIRTIO_NET_HDR_SIZE);
			vq->mbufs[id] = m;
			vq->chain[id] = 1;
			d->addr = sl_pktmbuf_data_iova(m) - VIRTIO_NET_HDR_SIZE;
			d->len = (uint32_t)m->data_len + VIRTIO_NET_HDR_SIZE;
			d->id = id;
			__atomic_store_n(&d->flags, aflags, __ATOMIC_RELEASE);
			advance(&slot, &aflags, vq->size);
		} else {
			if (sl_unlikely(m->nb_segs != 1)) {
				VQ_COUNTER_ADD(txq->errors, 1);
				break;
			}
			/* shared or short of headroom: the header from the
			 * queue's area, then the data; the head's flags last so
			 * the device sees the whole chain */
			if (sl_unlikely(i + extra + 2u > vq->nb_free)) {
				VQ_COUNTER_ADD(txq->ring_full, 1);
				break;
			}
			extra++;
			if (n > vq->nb_free - extra)
				n = (uint16_t)(vq->nb_free - extra);
			uint16_t id = vq_take_id(vq), head_flags = aflags;
			vq->mbufs[id] = m;
			vq->chain[id] = 2;
			advance(&slot, &aflags, vq->size);
			struct vring_packed_desc *dd = &ring[slot];
			dd->addr = sl_pktmbuf_data_iova(m);
			dd->len = m->data_len;
			dd->id = id;
			__atomic_store_n(&dd->flags, aflags, __ATOMIC_RELEASE);
			advance(&slot, &aflags, vq->size);
			d->addr = txq->hdrs_iova + (uint64_t)id * VIRTIO_NET_HDR_SIZE;
			d->len = VIRTIO_NET_HDR_SIZE;
			d->id = id;
			__atomic_store_n(&d->flags, (uint16_t)(head_flags | VRING_DESC_F_NEXT), __ATOMIC_RELEASE);
			VQ_COUNTER_ADD(txq->hdr_descs, 1);
		}
		bytes += m->data_len;
	}
	if (sl_likely(i > 0)) {
		vq->nb_free = (uint16_t)(vq->nb_free - i - extra);
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
