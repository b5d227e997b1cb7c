/* virtio_replay.c: host-side test and instruction counter for net_virtio's
 * ring code. A software virtio-net device, written here from the virtio
 * 1.x ring rules, plays the other side of the driver's split and packed
 * rings in ordinary memory (the EAL in IOVA-as-VA mode, so an IOVA is the
 * address): it takes what the tx queue posts and writes it into the rx
 * queue's buffers, like a wire in loopback.
 *
 *   sl-virtio-replay [EAL options] -- test
 *       every ring format x {one buffer per frame, merged rx buffers
 *       (small mbufs, MRG_RXBUF)} x {in-order, out-of-order completion} x
 *       {device wants kicks, device suppresses them}: 60..1514-byte frames
 *       over many ring wraps, each compared byte for byte; kicks counted
 *       against bursts; every mbuf back in the pool at the end.
 *   sl-virtio-replay [EAL options] -- bench split|packed PACKETS
 *       io forwarding of 64-byte frames (rx burst of 32, the same mbufs
 *       sent back) until PACKETS were received; run under
 *       valgrind --tool=callgrind --toggle-collect='virtio_rx_*'
 *       --toggle-collect='virtio_tx_*' to count the instructions of the
 *       burst functions only (bench/run-virtio-ipp.sh does). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../test_report.h"
#include "sl_eal.h"
#include "sl_mbuf.h"
#include "virtio_net.h"

#define RING 256
#define BURST 32
#define MIN_FRAME 60
#define MAX_FRAME 1514

#define FAIL(...) fail(__VA_ARGS__) /* test_report.h: prints and counts */

static uint16_t notify_sink; /* the "doorbell" of the software device */

/* ---- the software device -------------------------------------------------- */

struct swdev {
	struct virtqueue *tx, *rx;
	bool packed, mrg, reorder;
	uint32_t rx_buf_len;       /* bytes each rx descriptor offers */
	/* split: next avail index to read, used index to write */
	uint16_t tx_avail, rx_avail, tx_used, rx_used;
	/* packed: next slot to read and write and the device's wrap counters */
	uint16_t tx_slot, rx_slot, tx_uslot, rx_uslot;
	bool tx_wrap, rx_wrap, tx_uwrap, rx_uwrap;
	uint16_t pending_ids[2];   /* reorder: a tx completion held back */
	uint32_t npending;
	uint64_t frames;
};

static void *iova_to_va(uint64_t iova)
{
	return (void *)(uintptr_t)iova;
}

/* split ring helpers */
static bool split_avail(struct virtqueue *vq, uint16_t *next, uint16_t *id)
{
	uint16_t idx = __atomic_load_n(&vq->split.avail->idx, __ATOMIC_ACQUIRE);
	if (*next == idx)
		return false;
	*id = vq->split.avail->ring[*next & vq->mask];
	(*next)++;
	return true;
}

static void split_used(struct virtqueue *vq, uint16_t *used, uint16_t id, uint32_t len)
{
	vq->split.used->ring[*used & vq->mask] = (struct vring_used_elem){ .id = id, .len = len };
	(*used)++;
}

/* packed ring helpers: a slot is available when AVAIL matches the wrap
 * counter and USED does not */
static bool packed_avail(struct virtqueue *vq, uint16_t *slot, bool *wrap, struct vring_packed_desc *out)
{
	struct vring_packed_desc *d = &vq->packed.desc[*slot];
	uint16_t f = __atomic_load_n(&d->flags, __ATOMIC_ACQUIRE);
	bool avail = (f & VRING_PACKED_DESC_F_AVAIL) != 0, used = (f & VRING_PACKED_DESC_F_USED) != 0;
	if (avail != *wrap || used == *wrap)
		return false;
	*out = *d;
	if (++*slot == vq->size) {
		*slot = 0;
		*wrap = !*wrap;
	}
	return true;
}

static void packed_used(struct virtqueue *vq, uint16_t *slot, bool *wrap, uint16_t id, uint32_t len)
{
	struct vring_packed_desc *d = &vq->packed.desc[*slot];
	d->id = id;
	d->len = len;
	__atomic_store_n(&d->flags,
			 (uint16_t)(*wrap ? (VRING_PACKED_DESC_F_AVAIL | VRING_PACKED_DESC_F_USED) : 0),
			 __ATOMIC_RELEASE);
	if (++*slot == vq->size) {
		*slot = 0;
		*wrap = !*wrap;
	}
}

static void publish_split(struct swdev *d)
{
	__atomic_store_n(&d->tx->split.used->idx, d->tx_used, __ATOMIC_RELEASE);
	__atomic_store_n(&d->rx->split.used->idx, d->rx_used, __ATOMIC_RELEASE);
}

/* Rx buffers the device can see without taking them. */
static unsigned rx_buffers_ready(struct swdev *d, unsigned want)
{
	unsigned n = 0;
	if (!d->packed) {
		uint16_t idx = __atomic_load_n(&d->rx->split.avail->idx, __ATOMIC_ACQUIRE);
		return (uint16_t)(idx - d->rx_avail);
	}
	uint16_t s = d->rx_slot;
	bool w = d->rx_wrap;
	while (n < want) {
		struct vring_packed_desc tmp;
		if (!packed_avail(d->rx, &s, &w, &tmp))
			break;
		n++;
	}
	return n;
}

/* One tx buffer: ID at ADDR/LEN (header included). Returns false when the
 * rx side lacks buffers (the frame stays on the tx ring). */
static bool deliver(struct swdev *d, const uint8_t *buf, uint32_t len, uint16_t tx_id)
{
	uint16_t *pending_ids = d->pending_ids;
	uint32_t *npending = &d->npending;
	const uint8_t *frame = buf + VIRTIO_NET_HDR_SIZE;
	uint32_t flen = len - VIRTIO_NET_HDR_SIZE;
	uint32_t need = d->mrg ? (len + d->rx_buf_len - 1) / d->rx_buf_len : 1;
	uint16_t ids[64];
	uint32_t lens[64];
	uint8_t *first = NULL;

	if (rx_buffers_ready(d, need) < need)
		return false;
	uint32_t off = 0;
	for (uint32_t k = 0; k < need; k++) {
		uint16_t id = 0;
		uint64_t addr;
		uint32_t cap;
		if (d->packed) {
			struct vring_packed_desc pd = {0};
			packed_avail(d->rx, &d->rx_slot, &d->rx_wrap, &pd);
			id = pd.id;
			addr = pd.addr;
			cap = pd.len;
		} else {
			split_avail(d->rx, &d->rx_avail, &id);
			addr = d->rx->split.desc[id].addr;
			cap = d->rx->split.desc[id].len;
		}
		uint8_t *dst = iova_to_va(addr);
		uint32_t used = 0;
		if (k == 0) {
			struct virtio_net_hdr h = { .num_buffers = (uint16_t)need };
			memcpy(dst, &h, sizeof(h));
			first = dst;
			used = VIRTIO_NET_HDR_SIZE;
		}
		uint32_t chunk = flen - off < cap - used ? flen - off : cap - used;
		memcpy(dst + used, frame + off, chunk);
		off += chunk;
		ids[k] = id;
		lens[k] = used + chunk;
	}
	(void)first;
	if (off != flen) {
		FAIL("device: frame of %u bytes did not fit %u buffers", flen, need);
		return false;
	}
	for (uint32_t k = 0; k < need; k++) {
		if (d->packed)
			packed_used(d->rx, &d->rx_uslot, &d->rx_uwrap, ids[k], lens[k]);
		else
			split_used(d->rx, &d->rx_used, ids[k], lens[k]);
	}
	/* tx completion, in pairs swapped when reordering */
	pending_ids[(*npending)++] = tx_id;
	if (!d->reorder || *npending == 2) {
		for (uint32_t k = *npending; k-- > 0;) {
			uint16_t id = d->reorder ? pending_ids[k] : pending_ids[*npending - 1 - k];
			if (d->packed)
				packed_used(d->tx, &d->tx_uslot, &d->tx_uwrap, id, 0);
			else
				split_used(d->tx, &d->tx_used, id, 0);
		}
		*npending = 0;
	}
	d->frames++;
	return true;
}

/* Move everything the tx ring offers (while rx buffers last). */
static void device_run(struct swdev *d)
{
	for (;;) {
		uint16_t id = 0;
		uint64_t addr;
		uint32_t len;
		if (d->packed) {
			uint16_t s = d->tx_slot;
			bool w = d->tx_wrap;
			struct vring_packed_desc pd = {0};
			if (!packed_avail(d->tx, &s, &w, &pd))
				break;
			if (!deliver(d, iova_to_va(pd.addr), pd.len, pd.id))
				break;
			d->tx_slot = s;
			d->tx_wrap = w;
			continue;
		}
		uint16_t next = d->tx_avail;
		if (!split_avail(d->tx, &next, &id))
			break;
		addr = d->tx->split.desc[id].addr;
		len = d->tx->split.desc[id].len;
		if (!deliver(d, iova_to_va(addr), len, id))
			break;
		d->tx_avail = next;
	}
	if (!d->packed)
		publish_split(d);
}

/* ---- driver queues without a PCI device --------------------------------- */

static struct virtio_rxq *make_rxq(struct sl_mempool *mp, bool packed, uint16_t free_thresh)
{
	struct virtio_rxq *q = aligned_alloc(64, sizeof(*q));
	memset(q, 0, sizeof(*q));
	if (virtqueue_alloc(&q->vq, "replay rxq", 0, RING, packed) != 0)
		return NULL;
	q->vq.notify = &notify_sink;
	q->mp = mp;
	q->desc_len = sl_pktmbuf_data_room_size(mp) - SL_PKTMBUF_HEADROOM + VIRTIO_NET_HDR_SIZE;
	q->free_thresh = free_thresh;
	if ((packed ? virtio_rx_fill_packed(q) : virtio_rx_fill_split(q)) != 0)
		return NULL;
	return q;
}

static struct virtio_txq *make_txq(bool packed)
{
	struct virtio_txq *q = aligned_alloc(64, sizeof(*q));
	memset(q, 0, sizeof(*q));
	if (virtqueue_alloc(&q->vq, "replay txq", 1, RING, packed) != 0 ||
	    virtio_txq_hdrs_alloc(q, "replay txq headers") != 0)
		return NULL;
	q->vq.notify = &notify_sink;
	q->free_thresh = 32;
	return q;
}

static void free_queues(struct virtio_rxq *rxq, struct virtio_txq *txq)
{
	virtqueue_drop_mbufs(&rxq->vq);
	virtqueue_drop_mbufs(&txq->vq);
	virtio_txq_hdrs_free(txq);
	virtqueue_free(&rxq->vq);
	virtqueue_free(&txq->vq);
	free(rxq);
	free(txq);
}

static void set_device_suppression(struct virtqueue *vq, bool packed, bool suppress)
{
	if (packed)
		vq->packed.device_event->flags = suppress ? VRING_PACKED_EVENT_FLAG_DISABLE : VRING_PACKED_EVENT_FLAG_ENABLE;
	else
		vq->split.used->flags = suppress ? VRING_USED_F_NO_NOTIFY : 0;
}

/* ---- frames ------------------------------------------------------------- */

static uint32_t frame_len(uint32_t seq)
{
	return MIN_FRAME + (seq * 7919u) % (MAX_FRAME - MIN_FRAME + 1);
}

static uint8_t frame_byte(uint32_t seq, uint32_t off)
{
	return (uint8_t)(seq * 31u + off * 7u + (off >> 8));
}

static struct sl_mbuf *make_frame(struct sl_mempool *mp, uint32_t seq)
{
	struct sl_mbuf *m = sl_pktmbuf_alloc(mp);
	if (m == NULL)
		return NULL;
	uint32_t len = frame_len(seq);
	uint8_t *p = (uint8_t *)sl_pktmbuf_append(m, (uint16_t)len);
	if (p == NULL) {
		sl_pktmbuf_free(m);
		return NULL;
	}
	memcpy(p, &seq, 4);
	for (uint32_t i = 4; i < len; i++)
		p[i] = frame_byte(seq, i);
	return m;
}

static bool check_frame(const struct sl_mbuf *m, uint32_t seq, const char *what)
{
	uint32_t len = frame_len(seq), off = 0, got;
	uint8_t buf[MAX_FRAME];
	if (m->pkt_len != len) {
		FAIL("%s: frame %u: pkt_len %u, expected %u", what, seq, m->pkt_len, len);
		return false;
	}
	for (const struct sl_mbuf *s = m; s != NULL; s = s->next) {
		if (off + s->data_len > sizeof(buf)) {
			FAIL("%s: frame %u: segments longer than the frame", what, seq);
			return false;
		}
		memcpy(buf + off, sl_pktmbuf_mtod(s, const uint8_t *), s->data_len);
		off += s->data_len;
	}
	memcpy(&got, buf, 4);
	if (off != len || got != seq) {
		FAIL("%s: expected frame %u (%u bytes), got frame %u (%u bytes)", what, seq, len, got, off);
		return false;
	}
	for (uint32_t i = 4; i < len; i++)
		if (buf[i] != frame_byte(seq, i)) {
			FAIL("%s: frame %u: byte %u differs", what, seq, i);
			return false;
		}
	return true;
}

/* ---- test --------------------------------------------------------------- */

/* RX_FREE_THRESH: 1 is the driver's default (refill after every burst),
 * 32 refills in chunks. */
static void run_case(bool packed, bool mrg, bool reorder, bool suppress, uint16_t rx_free_thresh)
{
	char what[96];
	uint16_t data_room = mrg ? SL_PKTMBUF_HEADROOM + 400 : SL_MBUF_DEFAULT_BUF_SIZE;
	struct sl_mempool *mp;
	snprintf(what, sizeof(what), "%s%s%s%s rx_free_thresh %u", packed ? "packed" : "split", mrg ? "+mrg" : "",
		 reorder ? "+out-of-order" : "", suppress ? "+no-kicks" : "", rx_free_thresh);
	/* rx buffers (small ones with MRG_RXBUF, so frames span several) and
	 * tx frames come from two pools */
	struct sl_mempool *txmp;
	mp = sl_pktmbuf_pool_create("replay-rx", 2047, 0, 0, data_room);
	txmp = sl_pktmbuf_pool_create("replay-tx", 1023, 0, 0, SL_MBUF_DEFAULT_BUF_SIZE);
	if (mp == NULL || txmp == NULL) {
		FAIL("%s: pool: %s", what, strerror(errno));
		return;
	}
	struct virtio_rxq *rxq = make_rxq(mp, packed, rx_free_thresh);
	struct virtio_txq *txq = make_txq(packed);
	if (rxq == NULL || txq == NULL) {
		FAIL("%s: queue setup failed", what);
		return;
	}
	struct swdev d = { .tx = &txq->vq, .rx = &rxq->vq, .packed = packed, .mrg = mrg, .reorder = reorder,
			   .rx_buf_len = rxq->desc_len, .tx_wrap = true, .rx_wrap = true, .tx_uwrap = true,
			   .rx_uwrap = true };
	set_device_suppression(&txq->vq, packed, suppress);
	set_device_suppression(&rxq->vq, packed, suppress);
	sl_eth_rx_burst_t rx = packed ? (mrg ? virtio_rx_packed_mrg : virtio_rx_packed)
				      : (mrg ? virtio_rx_split_mrg : virtio_rx_split);
	sl_eth_tx_burst_t tx = packed ? virtio_tx_packed : virtio_tx_split;
	const uint32_t total = 20000;
	uint32_t sent = 0, received = 0, bursts = 0, idle = 0;
	bool ok = true;
	while (received < total && ok && idle < 1000) {
		struct sl_mbuf *pkts[BURST];
		unsigned n = 0;
		/* bursts of varying size, at most 200 frames in flight */
		unsigned want = 1 + (sent * 13u) % BURST;
		while (n < want && sent + n < total && sent + n - received < 200 &&
		       (pkts[n] = make_frame(txmp, sent + n)) != NULL)
			n++;
		uint16_t took = tx(txq, pkts, (uint16_t)n);
		sl_pktmbuf_free_bulk(pkts + took, n - took);
		sent += took;
		bursts += took > 0;
		device_run(&d);
		uint16_t got = rx(rxq, pkts, BURST);
		/* refilling after every burst keeps every descriptor posted, so
		 * the device never finds the ring short of buffers */
		if (rx_free_thresh == 1 && rxq->vq.nb_free != 0 && ok) {
			FAIL("%s: %u rx descriptors left unposted after a burst", what, rxq->vq.nb_free);
			ok = false;
		}
		for (uint16_t i = 0; i < got && ok; i++)
			ok = check_frame(pkts[i], received + i, what);
		received += got;
		sl_pktmbuf_free_bulk(pkts, got);
		idle = (took == 0 && got == 0) ? idle + 1 : 0;
	}
	if (ok && received != total)
		FAIL("%s: %u of %u frames received (sent %u)", what, received, total, sent);
	uint64_t kicks = txq->vq.kicks, quiet = txq->vq.kicks_suppressed;
	if (kicks + quiet != bursts || (suppress ? kicks != 0 : quiet != 0))
		FAIL("%s: %llu tx kicks and %llu suppressed for %u bursts", what, (unsigned long long)kicks,
		     (unsigned long long)quiet, bursts);
	if (mrg && rxq->merged == 0)
		FAIL("%s: no frame was spread over several buffers", what);
	if (rxq->errors != 0 || rxq->nombuf != 0)
		FAIL("%s: %llu rx errors, %llu refill failures", what, (unsigned long long)rxq->errors,
		     (unsigned long long)rxq->nombuf);
	uint64_t merged = rxq->merged;
	free_queues(rxq, txq);
	if (sl_mempool_avail_count(mp) != sl_mempool_size(mp) || sl_mempool_avail_count(txmp) != sl_mempool_size(txmp))
		FAIL("%s: %u of %u rx and %u of %u tx mbufs back in their pools", what, sl_mempool_avail_count(mp),
		     sl_mempool_size(mp), sl_mempool_avail_count(txmp), sl_mempool_size(txmp));
	printf("%-56s %u frames (%llu merged), %u bursts, %llu kicks: %s\n", what, received,
	       (unsigned long long)merged, bursts, (unsigned long long)kicks, test_failures ? "FAILED" : "ok");
	sl_mempool_free(mp);
	sl_mempool_free(txmp);
}

static int cmd_test(void)
{
	for (int packed = 0; packed < 2; packed++)
		for (int mrg = 0; mrg < 2; mrg++)
			for (int reorder = 0; reorder < 2; reorder++)
				for (int suppress = 0; suppress < 2; suppress++) {
					run_case(packed, mrg, reorder, suppress, 1);
					run_case(packed, mrg, reorder, suppress, 32);
				}
	return test_failures ? 1 : 0;
}

/* ---- bench -------------------------------------------------------------- */

static int cmd_bench(bool packed, uint64_t packets)
{
	struct sl_mempool *mp = sl_pktmbuf_pool_create("bench", 4095, 256, 0, SL_MBUF_DEFAULT_BUF_SIZE);
	/* rx_free_thresh 1, the driver's default */
	struct virtio_rxq *rxq = make_rxq(mp, packed, 1);
	struct virtio_txq *txq = make_txq(packed);
	if (mp == NULL || rxq == NULL || txq == NULL) {
		printf("FAIL: setup\n");
		return 1;
	}
	struct swdev d = { .tx = &txq->vq, .rx = &rxq->vq, .packed = packed, .mrg = true,
			   .rx_buf_len = rxq->desc_len, .tx_wrap = true, .rx_wrap = true, .tx_uwrap = true,
			   .rx_uwrap = true };
	sl_eth_rx_burst_t rx = packed ? virtio_rx_packed_mrg : virtio_rx_split_mrg;
	sl_eth_tx_burst_t tx = packed ? virtio_tx_packed : virtio_tx_split;
	/* seed, like testpmd's tx_first: 4 bursts of 64-byte frames */
	for (int b = 0; b < 4; b++) {
		struct sl_mbuf *pkts[BURST];
		for (int i = 0; i < BURST; i++) {
			pkts[i] = sl_pktmbuf_alloc(mp);
			memset(sl_pktmbuf_append(pkts[i], 64), 0x5a, 64);
		}
		uint16_t took = tx(txq, pkts, BURST);
		sl_pktmbuf_free_bulk(pkts + took, BURST - took);
	}
	uint64_t rx_total = 0, tx_total = 0;
	while (rx_total < packets) {
		struct sl_mbuf *pkts[BURST];
		device_run(&d);
		uint16_t n = rx(rxq, pkts, BURST);
		uint16_t sent = tx(txq, pkts, n);
		sl_pktmbuf_free_bulk(pkts + sent, n - sent);
		rx_total += n;
		tx_total += sent;
	}
	printf("bench %s: rx %llu tx %llu packets, tx kicks %llu, suppressed %llu\n", packed ? "packed" : "split",
	       (unsigned long long)rx_total, (unsigned long long)tx_total, (unsigned long long)txq->vq.kicks,
	       (unsigned long long)txq->vq.kicks_suppressed);
	free_queues(rxq, txq);
	return 0;
}

int main(int argc, char **argv)
{
	int n = sl_eal_init(argc, argv);
	int rc = 2;
	if (n < 0)
		return 1;
	argc -= n;
	argv += n;
	if (argc >= 2 && strcmp(argv[1], "--") == 0) {
		argc--;
		argv++;
	}
	if (sl_eal_iova_mode() != SL_IOVA_VA) {
		printf("FAIL: run in IOVA-as-VA mode (--iova-mode va): the software device uses IOVAs as addresses\n");
		return 1;
	}
	if (argc >= 2 && strcmp(argv[1], "test") == 0)
		rc = cmd_test();
	else if (argc >= 4 && strcmp(argv[1], "bench") == 0)
		rc = cmd_bench(strcmp(argv[2], "packed") == 0, strtoull(argv[3], NULL, 0));
	else
		printf("usage: sl-virtio-replay [EAL options] -- test | bench split|packed PACKETS\n");
	sl_eal_cleanup();
	return rc;
}
