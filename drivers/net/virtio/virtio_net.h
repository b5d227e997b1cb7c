/* virtio_net.h: internal to the virtio-net driver: the rx/tx/control queue
 * objects, the per-port state, and the burst and control-queue functions
 * of the split (virtio_split.c) and packed (virtio_packed.c) rings. */
#ifndef VIRTIO_NET_H
#define VIRTIO_NET_H

#include <stdbool.h>
#include <stdint.h>

#include "ethdev_driver.h"
#include "virtio_pci.h"
#include "virtqueue.h"

#define VIRTIO_LOG "net_virtio"

/* Per-queue counters: written by the queue's lcore only, read by the
 * control thread (relaxed atomics: plain moves on x86). */
#define VQ_COUNTER_ADD(field, n) __atomic_store_n(&(field), (field) + (n), __ATOMIC_RELAXED)
#define VQ_COUNTER_READ(field) __atomic_load_n(&(field), __ATOMIC_RELAXED)

struct virtio_rxq {
	struct virtqueue vq;
	struct sl_mempool *mp;
	uint32_t desc_len;        /* bytes a buffer offers: header + data room */
	uint16_t port_id;
	uint16_t queue_id;
	uint16_t free_thresh;     /* refill once this many descriptors are free */
	uint64_t packets;
	uint64_t bytes;
	uint64_t nombuf;          /* refills that found the pool empty */
	uint64_t errors;          /* malformed packets dropped, and a broken ring */
	uint64_t merged;          /* packets spread over several buffers */
} sl_cache_aligned;

struct virtio_txq {
	struct virtqueue vq;
	uint16_t free_thresh;     /* reclaim completed buffers below this */
	uint16_t queue_id;
	uint64_t packets;
	uint64_t bytes;
	uint64_t errors;          /* packets refused (chained), and a broken ring */
	uint64_t ring_full;       /* bursts cut short by a full ring */
	uint64_t hdr_descs;       /* packets sent with a separate header descriptor */
	/* A zeroed virtio-net header per buffer id (DMA memory), for packets
	 * whose headroom may not be written: shared (refcnt > 1) or short of
	 * headroom. VIRTIO_F_VERSION_1 (always negotiated) lets the header
	 * be a descriptor of its own. */
	struct virtio_net_hdr *hdrs;
	uint64_t hdrs_iova;
} sl_cache_aligned;

struct virtio_ctrlq {
	struct virtqueue vq;
	uint8_t *buf;             /* command, data and ack (DMA memory) */
	uint64_t buf_iova;
};

struct virtio_net_private {
	struct virtio_pci vp;
	struct sl_eth_dev *dev;
	char name[SL_ETH_NAME_MAX_LEN];
	uint64_t device_features;
	uint64_t wanted_features;   /* what start negotiates */
	uint64_t features;          /* negotiated (valid while started) */
	bool packed;                /* ring format in use */
	uint16_t max_pairs;         /* queue pairs the device offers */
	uint16_t rx_max_size;       /* queue size limits read at probe */
	uint16_t tx_max_size;
	uint16_t ctrl_vq_index;
	uint16_t mtu_max;
	struct virtio_ctrlq *ctrlq; /* NULL without VIRTIO_NET_F_CTRL_VQ */
	struct virtio_rxq *rxq[SL_MAX_QUEUES_PER_PORT];
	struct virtio_txq *txq[SL_MAX_QUEUES_PER_PORT];
	uint64_t ctrl_commands;
	/* rx interrupts: while started with intr_conf.rxq, rx queue q's
	 * virtqueue signals MSI-X vector q, whose eventfd is rx_intr_fd[q] */
	uint16_t nb_rx_intr;        /* vectors enabled for rx queues (0: none) */
	int rx_intr_fd[SL_MAX_QUEUES_PER_PORT];
	bool intr_vectors_on;       /* MSI-X vectors enabled through bus_vfio */
	/* link status change events (intr_conf.lsc): configuration changes
	 * signal MSI-X vector lsc_vector (msix_config; the one after the rx
	 * queues'), whose eventfd lsc_fd the EAL interrupt thread watches;
	 * lsc_link_up is the link last reported. Handler counters: interrupts,
	 * events posted. */
	bool lsc_on;
	int lsc_fd;
	uint16_t lsc_vector;
	bool lsc_link_up;
	bool needs_reset_logged;
	uint64_t lsc_intrs, lsc_events;
};

/* Split ring (virtio_split.c). */
uint16_t virtio_rx_split(void *rxq, struct sl_mbuf **pkts, uint16_t nb_pkts);
uint16_t virtio_rx_split_mrg(void *rxq, struct sl_mbuf **pkts, uint16_t nb_pkts); /* MRG_RXBUF */
uint16_t virtio_tx_split(void *txq, struct sl_mbuf **pkts, uint16_t nb_pkts);
/* Fill the rx ring with fresh mbufs (before the device starts); 0 or -ENOMEM. */
int virtio_rx_fill_split(struct virtio_rxq *rxq);
/* Post OUT (device-readable) and one device-writable ack byte as one chain,
 * notify, wait up to TIMEOUT_US; 0, or -ETIMEDOUT. */
int virtio_ctrl_send_split(struct virtqueue *vq, uint64_t out_iova, uint32_t out_len, uint64_t ack_iova,
			   unsigned timeout_us);

/* Packed ring (virtio_packed.c). */
uint16_t virtio_rx_packed(void *rxq, struct sl_mbuf **pkts, uint16_t nb_pkts);
uint16_t virtio_rx_packed_mrg(void *rxq, struct sl_mbuf **pkts, uint16_t nb_pkts);
uint16_t virtio_tx_packed(void *txq, struct sl_mbuf **pkts, uint16_t nb_pkts);
int virtio_rx_fill_packed(struct virtio_rxq *rxq);
int virtio_ctrl_send_packed(struct virtqueue *vq, uint64_t out_iova, uint32_t out_len, uint64_t ack_iova,
			    unsigned timeout_us);

/* Where the device put (rx) or finds (tx) the virtio-net header of M. */
static sl_always_inline struct virtio_net_hdr *virtio_rx_hdr(const struct sl_mbuf *m)
{
	return (struct virtio_net_hdr *)((char *)m->buf_addr + SL_PKTMBUF_HEADROOM - VIRTIO_NET_HDR_SIZE);
}

/* Mark the rx queue broken at ring position POS: WHAT, VALUE and LIMIT
 * (logged once by vq_broken), and count it in the queue's errors. */
void virtio_rx_broken(struct virtio_rxq *rxq, const char *what, uint16_t pos, unsigned long long value,
		      unsigned long long limit) __attribute__((cold, noinline));
/* The same for a tx queue. */
void virtio_tx_broken(struct virtio_txq *txq, const char *what, uint16_t pos, unsigned long long value,
		      unsigned long long limit) __attribute__((cold, noinline));

/* Whether a used entry (split: used ring element; packed: descriptor) at
 * POS, which named buffer ID with LEN bytes written, names a buffer in
 * flight with a length that fits it; false (queue broken) otherwise. *M
 * gets its mbuf. ID and LEN were read once from device memory. */
static sl_always_inline bool virtio_rx_used_ok(struct virtio_rxq *rxq, const struct vq_ids *c,
					       uint32_t desc_len, uint16_t pos, uint32_t id, uint32_t len,
					       struct sl_mbuf **m)
{
	if (sl_likely(id <= c->mask && (*m = c->mbufs[id]) != NULL && len <= desc_len))
		return true;
	if (id > c->mask)
		virtio_rx_broken(rxq, "used id out of range", pos, id, c->mask);
	else if (c->mbufs[id] == NULL)
		virtio_rx_broken(rxq, "used id not in flight", pos, id, (unsigned)c->mask + 1u);
	else
		virtio_rx_broken(rxq, "used length beyond the posted buffer", pos, len, desc_len);
	return false;
}

/* Tx queue set-up: the per-id header area and chain array; 0 or -ENOMEM. */
int virtio_txq_hdrs_alloc(struct virtio_txq *txq, const char *name);
void virtio_txq_hdrs_free(struct virtio_txq *txq);

/* Whether the header may go into M's headroom: M is the only reference to
 * its buffer (mbufs here are always direct: no indirect/attached kind) and
 * has room for it. Otherwise the header is a descriptor of its own. */
static sl_always_inline bool virtio_tx_hdr_in_headroom(const struct sl_mbuf *m)
{
	return m->refcnt == 1 && m->data_off >= VIRTIO_NET_HDR_SIZE;
}

/* A packet put together from the buffers of one used chain, one buffer at
 * a time (no array sized by the device's num_buffers): the first buffer
 * starts with the header, the others are data only (MRG_RXBUF). */
struct virtio_rx_pkt {
	struct sl_mbuf *head, *tail;
	uint32_t len;
	bool bad; /* header-only first buffer or an empty following one */
};

static sl_always_inline void virtio_rx_pkt_add(struct virtio_rx_pkt *p, struct sl_mbuf *m, uint32_t len,
					       uint16_t port)
{
	if (p->head == NULL) {
		p->head = m;
		if (len <= VIRTIO_NET_HDR_SIZE) {
			p->bad = true;
			len = 0;
		} else {
			len -= VIRTIO_NET_HDR_SIZE;
		}
		m->nb_segs = 1;
	} else {
		/* no header here: data starts where the header would be */
		m->data_off = SL_PKTMBUF_HEADROOM - VIRTIO_NET_HDR_SIZE;
		if (len == 0)
			p->bad = true;
		p->tail->next = m;
		p->head->nb_segs++;
	}
	m->data_len = (uint16_t)len;
	m->port = port;
	m->next = NULL;
	p->tail = m;
	p->len += len;
}

/* The finished packet, or NULL (freed, counted as an error) when bad. */
struct sl_mbuf *virtio_rx_pkt_end(struct virtio_rxq *rxq, struct virtio_rx_pkt *p);

#endif /* VIRTIO_NET_H */
