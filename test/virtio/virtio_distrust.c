/* virtio_distrust.c: net_virtio against a hostile device, on the host. The
 * test plays a device that writes what it likes into the used side of the
 * driver's split and packed rings (in ordinary memory, the EAL in
 * IOVA-as-VA mode) and checks, for each kind of lie, that the burst returns
 * what it should (the packets before the lie, nothing after), the queue is
 * marked broken, exactly one log line names the values, later bursts
 * return 0, and every mbuf is back in its pool once the queue is released.
 * It also checks that tx never writes the header into a shared mbuf or one
 * short of headroom: those get a header descriptor chained before the data.
 *
 *   sl-virtio-distrust [EAL options] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../test_report.h"
#include "sl_eal.h"
#include "sl_mbuf.h"
#include "virtio_net.h"

#define RING 256
#define FRAME 60
#define BIG_BURST RING

#define CHECK(cond, ...)                                                                             \
	do {                                                                                         \
		if (!(cond))                                                                         \
			fail(__VA_ARGS__);                                                           \
	} while (0)

static uint16_t notify_sink;

struct rig {
	const char *what;
	bool packed, mrg;
	struct sl_mempool *rxmp, *txmp;
	struct virtio_rxq *rxq;
	struct virtio_txq *txq;
	FILE *log;
	/* packed: the device's next used slot and wrap counter per queue */
	uint16_t rx_slot, tx_slot;
	bool rx_wrap, tx_wrap;
};

static void rig_up(struct rig *r, const char *what, bool packed, bool mrg)
{
	memset(r, 0, sizeof(*r));
	r->what = what;
	r->packed = packed;
	r->mrg = mrg;
	r->rx_wrap = r->tx_wrap = true;
	r->rxmp = sl_pktmbuf_pool_create("distrust-rx", 511, 0, 0, SL_MBUF_DEFAULT_BUF_SIZE);
	r->txmp = sl_pktmbuf_pool_create("distrust-tx", 127, 0, 0, SL_MBUF_DEFAULT_BUF_SIZE);
	r->rxq = aligned_alloc(64, sizeof(*r->rxq));
	r->txq = aligned_alloc(64, sizeof(*r->txq));
	memset(r->rxq, 0, sizeof(*r->rxq));
	memset(r->txq, 0, sizeof(*r->txq));
	if (r->rxmp == NULL || r->txmp == NULL || virtqueue_alloc(&r->rxq->vq, "distrust rxq", 0, RING, packed) != 0 ||
	    virtqueue_alloc(&r->txq->vq, "distrust txq", 1, RING, packed) != 0 ||
	    virtio_txq_hdrs_alloc(r->txq, "distrust txq headers") != 0) {
		fail("%s: set-up", what);
		exit(1);
	}
	r->rxq->vq.notify = r->txq->vq.notify = &notify_sink;
	r->rxq->mp = r->rxmp;
	r->rxq->desc_len = sl_pktmbuf_data_room_size(r->rxmp) - SL_PKTMBUF_HEADROOM + VIRTIO_NET_HDR_SIZE;
	r->rxq->free_thresh = UINT16_MAX; /* no refill: the ring stays as filled */
	r->txq->free_thresh = RING;       /* reclaim at every burst */
	CHECK((packed ? virtio_rx_fill_packed(r->rxq) : virtio_rx_fill_split(r->rxq)) == 0, "%s: rx fill", what);
	r->log = tmpfile();
	sl_log_set_stream(r->log);
}

/* Lines of the log naming a broken queue; the first one into LINE. */
static unsigned broken_lines(struct rig *r, char *line, size_t size)
{
	char buf[512];
	unsigned n = 0;
	fflush(r->log);
	rewind(r->log);
	line[0] = 0;
	while (fgets(buf, sizeof(buf), r->log) != NULL)
		if (strstr(buf, "broken by the device") != NULL && n++ == 0)
			snprintf(line, size, "%s", buf);
	return n;
}

static uint16_t rx_burst(struct rig *r, struct sl_mbuf **pkts, uint16_t n)
{
	return r->packed ? (r->mrg ? virtio_rx_packed_mrg : virtio_rx_packed)(r->rxq, pkts, n)
			 : (r->mrg ? virtio_rx_split_mrg : virtio_rx_split)(r->rxq, pkts, n);
}

static uint16_t tx_burst(struct rig *r, struct sl_mbuf **pkts, uint16_t n)
{
	return (r->packed ? virtio_tx_packed : virtio_tx_split)(r->txq, pkts, n);
}

static struct sl_mbuf *frame(struct rig *r)
{
	struct sl_mbuf *m = sl_pktmbuf_alloc(r->txmp);
	memset(sl_pktmbuf_append(m, FRAME), 0xab, FRAME);
	return m;
}

/* ---- the hostile device ---------------------------------------------------- */

static void split_used(struct virtqueue *vq, uint32_t id, uint32_t len)
{
	uint16_t i = vq->split.used->idx;
	vq->split.used->ring[i & vq->mask] = (struct vring_used_elem){ .id = id, .len = len };
	__atomic_store_n(&vq->split.used->idx, (uint16_t)(i + 1), __ATOMIC_RELEASE);
}

static void packed_write(struct virtqueue *vq, uint16_t slot, uint16_t id, uint32_t len, uint16_t flags)
{
	vq->packed.desc[slot].id = id;
	vq->packed.desc[slot].len = len;
	__atomic_store_n(&vq->packed.desc[slot].flags, flags, __ATOMIC_RELEASE);
}

static void packed_used(struct virtqueue *vq, uint16_t *slot, bool *wrap, uint16_t id, uint32_t len)
{
	packed_write(vq, *slot, id, len, *wrap ? (VRING_PACKED_DESC_F_AVAIL | VRING_PACKED_DESC_F_USED) : 0);
	if (++*slot == vq->size) {
		*slot = 0;
		*wrap = !*wrap;
	}
}

/* The device "receives" into rx buffer ID: LEN bytes used, NUM_BUFFERS in
 * the header it writes. */
static void rx_used(struct rig *r, uint32_t id, uint32_t len, uint16_t num_buffers)
{
	struct virtqueue *vq = &r->rxq->vq;
	if (id < RING && vq->mbufs[id] != NULL)
		virtio_rx_hdr(vq->mbufs[id])->num_buffers = num_buffers;
	if (r->packed)
		packed_used(vq, &r->rx_slot, &r->rx_wrap, (uint16_t)id, len);
	else
		split_used(vq, id, len);
}

static void tx_used(struct rig *r, uint32_t id)
{
	if (r->packed)
		packed_used(&r->txq->vq, &r->tx_slot, &r->tx_wrap, (uint16_t)id, 0);
	else
		split_used(&r->txq->vq, id, 0);
}

/* ---- checks --------------------------------------------------------------- */

/* The queue is broken, one log line with VALUE, the bursts return 0 from
 * now on, and after release every mbuf is back. */
static void rig_down(struct rig *r, struct virtqueue *vq, const char *value, uint64_t errors)
{
	char line[512];
	struct sl_mbuf *pkts[4];
	CHECK(vq->broken, "%s: queue not marked broken", r->what);
	CHECK(errors == 1, "%s: %llu errors counted, expected 1", r->what, (unsigned long long)errors);
	/* later bursts: nothing, whatever the device writes */
	if (vq == &r->rxq->vq) {
		rx_used(r, 1, FRAME + VIRTIO_NET_HDR_SIZE, 1);
		CHECK(rx_burst(r, pkts, 4) == 0, "%s: rx burst on a broken queue returned packets", r->what);
	} else {
		struct sl_mbuf *m = frame(r);
		CHECK(tx_burst(r, &m, 1) == 0, "%s: tx burst on a broken queue took a packet", r->what);
		sl_pktmbuf_free(m);
	}
	unsigned n = broken_lines(r, line, sizeof(line));
	CHECK(n == 1, "%s: %u 'broken' log lines, expected exactly 1", r->what, n);
	CHECK(strstr(line, value) != NULL, "%s: log line does not name the value %s: %s", r->what, value, line);
	sl_log_set_stream(NULL);
	fclose(r->log);
	printf("  %-50s %s", r->what, strchr(line, ':') ? strchr(line, ':') + 2 : line);
	virtqueue_drop_mbufs(&r->rxq->vq);
	virtqueue_drop_mbufs(&r->txq->vq);
	CHECK(!vq->broken, "%s: still broken after the queue was reset", r->what);
	virtio_txq_hdrs_free(r->txq);
	virtqueue_free(&r->rxq->vq);
	virtqueue_free(&r->txq->vq);
	free(r->rxq);
	free(r->txq);
	CHECK(sl_mempool_avail_count(r->rxmp) == sl_mempool_size(r->rxmp) &&
		      sl_mempool_avail_count(r->txmp) == sl_mempool_size(r->txmp),
	      "%s: mbufs leaked: rx pool %u of %u, tx pool %u of %u", r->what, sl_mempool_avail_count(r->rxmp),
	      sl_mempool_size(r->rxmp), sl_mempool_avail_count(r->txmp), sl_mempool_size(r->txmp));
	sl_mempool_free(r->rxmp);
	sl_mempool_free(r->txmp);
}

static void expect_rx(struct rig *r, uint16_t want, uint16_t burst)
{
	struct sl_mbuf *pkts[BIG_BURST];
	uint16_t got = rx_burst(r, pkts, burst);
	CHECK(got == want, "%s: rx burst returned %u, expected %u", r->what, got, want);
	for (uint16_t i = 0; i < got; i++)
		CHECK(pkts[i]->pkt_len == FRAME, "%s: packet %u of %u bytes", r->what, i, pkts[i]->pkt_len);
	sl_pktmbuf_free_bulk(pkts, got);
}

static const char *fmt(unsigned long long v)
{
	static char buf[32];
	snprintf(buf, sizeof(buf), ": %llu (", v);
	return buf;
}

/* ---- the cases ---------------------------------------------------------------- */

static void rx_cases(bool packed)
{
	struct rig r;
	char what[80];
	const char *ring = packed ? "packed" : "split";
	const uint32_t good = FRAME + VIRTIO_NET_HDR_SIZE;

#define CASE(name) snprintf(what, sizeof(what), "%s rx: %s", ring, name)
	CASE("used id out of range");
	rig_up(&r, what, packed, false);
	rx_used(&r, RING + 5, good, 1);
	expect_rx(&r, 0, 32);
	rig_down(&r, &r.rxq->vq, fmt(RING + 5), r.rxq->errors);

	if (!packed) {
		/* 32-bit id whose low 16 bits are a valid id */
		CASE("used id aliasing a valid one in 16 bits");
		rig_up(&r, what, packed, false);
		rx_used(&r, 0x10002, good, 1);
		expect_rx(&r, 0, 32);
		rig_down(&r, &r.rxq->vq, fmt(0x10002), r.rxq->errors);
	}

	CASE("used id not in flight (twice)");
	rig_up(&r, what, packed, false);
	rx_used(&r, 3, good, 1);
	rx_used(&r, 3, good, 1);
	expect_rx(&r, 1, 32);
	rig_down(&r, &r.rxq->vq, fmt(3), r.rxq->errors);

	CASE("length beyond the posted buffer");
	rig_up(&r, what, packed, false);
	rx_used(&r, 0, good, 1);
	rx_used(&r, 1, r.rxq->desc_len + 1, 1);
	expect_rx(&r, 1, 32);
	rig_down(&r, &r.rxq->vq, fmt(r.rxq->desc_len + 1), r.rxq->errors);

	CASE("num_buffers 60000 (mrg)");
	rig_up(&r, what, packed, true);
	rx_used(&r, 0, good, 60000);
	expect_rx(&r, 0, 32);
	rig_down(&r, &r.rxq->vq, fmt(60000), r.rxq->errors);

	CASE("bad id inside a merged packet (mrg)");
	rig_up(&r, what, packed, true);
	rx_used(&r, 0, good, 3);
	rx_used(&r, 1, 100, 0);
	rx_used(&r, RING + 9, 100, 0);
	expect_rx(&r, 0, 32);
	rig_down(&r, &r.rxq->vq, fmt(RING + 9), r.rxq->errors);

	if (!packed) {
		CASE("used index ahead of the buffers in flight");
		rig_up(&r, what, packed, false);
		r.rxq->vq.split.used->idx = RING + 1;
		expect_rx(&r, 0, 32);
		rig_down(&r, &r.rxq->vq, fmt(RING + 1), r.rxq->errors);
	} else {
		CASE("flags USED without AVAIL (wrap 1)");
		rig_up(&r, what, packed, false);
		rx_used(&r, 0, good, 1);
		packed_write(&r.rxq->vq, 1, 1, good, VRING_PACKED_DESC_F_USED);
		expect_rx(&r, 1, 32);
		rig_down(&r, &r.rxq->vq, fmt(VRING_PACKED_DESC_F_USED), r.rxq->errors);

		CASE("used slot that was never posted");
		rig_up(&r, what, packed, false);
		for (uint32_t id = 0; id < RING; id++)
			rx_used(&r, id, good, 1);
		expect_rx(&r, RING, BIG_BURST);
		/* nothing is posted now (no refill): slot 0 in the next wrap */
		rx_used(&r, 0, good, 1);
		expect_rx(&r, 0, 32);
		rig_down(&r, &r.rxq->vq, fmt(1), r.rxq->errors);
	}
#undef CASE
}

static void tx_cases(bool packed)
{
	struct rig r;
	char what[80];
	const char *ring = packed ? "packed" : "split";
	struct sl_mbuf *m;

#define CASE(name) snprintf(what, sizeof(what), "%s tx: %s", ring, name)
	CASE("used id not in flight");
	rig_up(&r, what, packed, false);
	m = frame(&r);
	CHECK(tx_burst(&r, &m, 1) == 1, "%s: tx", what);
	tx_used(&r, 7);
	m = frame(&r);
	CHECK(tx_burst(&r, &m, 1) == 0, "%s: tx burst took a packet after the lie", what);
	sl_pktmbuf_free(m);
	rig_down(&r, &r.txq->vq, fmt(7), r.txq->errors);

	CASE("used id out of range");
	rig_up(&r, what, packed, false);
	m = frame(&r);
	CHECK(tx_burst(&r, &m, 1) == 1, "%s: tx", what);
	tx_used(&r, packed ? 300 : 70000);
	m = frame(&r);
	CHECK(tx_burst(&r, &m, 1) == 0, "%s: tx burst took a packet after the lie", what);
	sl_pktmbuf_free(m);
	rig_down(&r, &r.txq->vq, fmt(packed ? 300 : 70000), r.txq->errors);

	if (!packed) {
		CASE("used index ahead of the buffers in flight");
		rig_up(&r, what, packed, false);
		m = frame(&r);
		CHECK(tx_burst(&r, &m, 1) == 1, "%s: tx", what);
		r.txq->vq.split.used->idx = 5;
		m = frame(&r);
		CHECK(tx_burst(&r, &m, 1) == 0, "%s: tx burst took a packet after the lie", what);
		sl_pktmbuf_free(m);
		rig_down(&r, &r.txq->vq, fmt(5), r.txq->errors);
	}
#undef CASE
}

/* A good round trip first: the checks must not break an honest queue
 * (tx completions in order, rx of one-buffer and merged packets). */
static void honest(bool packed)
{
	struct rig r;
	char what[80];
	snprintf(what, sizeof(what), "%s: honest device", packed ? "packed" : "split");
	rig_up(&r, what, packed, true);
	struct sl_mbuf *pkts[4];
	for (int i = 0; i < 4; i++)
		pkts[i] = frame(&r);
	CHECK(tx_burst(&r, pkts, 4) == 4, "%s: tx", what);
	for (uint32_t id = 0; id < 4; id++)
		tx_used(&r, id);
	rx_used(&r, 0, FRAME + VIRTIO_NET_HDR_SIZE, 1);
	rx_used(&r, 1, 40 + VIRTIO_NET_HDR_SIZE, 2);
	rx_used(&r, 2, FRAME - 40, 0);
	struct sl_mbuf *got[4];
	uint16_t n = rx_burst(&r, got, 4);
	CHECK(n == 2 && got[0]->pkt_len == FRAME && got[1]->pkt_len == FRAME && got[1]->nb_segs == 2,
	      "%s: rx returned %u", what, n);
	sl_pktmbuf_free_bulk(got, n);
	struct sl_mbuf *m = frame(&r);
	CHECK(tx_burst(&r, &m, 1) == 1, "%s: tx after completions", what);
	CHECK(r.txq->vq.nb_free == RING - 1, "%s: %u tx descriptors free, expected %u", what, r.txq->vq.nb_free,
	      RING - 1);
	CHECK(!r.rxq->vq.broken && !r.txq->vq.broken && r.rxq->errors == 0 && r.txq->errors == 0,
	      "%s: an honest device broke the queue", what);
	char line[512];
	CHECK(broken_lines(&r, line, sizeof(line)) == 0, "%s: logged %s", what, line);
	sl_log_set_stream(NULL);
	fclose(r.log);
	virtqueue_drop_mbufs(&r.rxq->vq);
	virtqueue_drop_mbufs(&r.txq->vq);
	virtio_txq_hdrs_free(r.txq);
	virtqueue_free(&r.rxq->vq);
	virtqueue_free(&r.txq->vq);
	free(r.rxq);
	free(r.txq);
	CHECK(sl_mempool_avail_count(r.rxmp) == sl_mempool_size(r.rxmp) &&
		      sl_mempool_avail_count(r.txmp) == sl_mempool_size(r.txmp), "%s: mbufs leaked", what);
	sl_mempool_free(r.rxmp);
	sl_mempool_free(r.txmp);
	printf("  %-50s ok\n", what);
}

/* ---- tx header placement ---------------------------------------------------- */

/* Tx of M must leave BYTES (a copy of M's buffer) untouched and chain a
 * header descriptor (CHAINED) or push it into the headroom. */
static void tx_header(bool packed, const char *name, struct sl_mbuf *(*make)(struct rig *), bool chained)
{
	struct rig r;
	char what[96];
	snprintf(what, sizeof(what), "%s tx header: %s", packed ? "packed" : "split", name);
	rig_up(&r, what, packed, false);
	struct sl_mbuf *m = make(&r);
	uint8_t before[SL_MBUF_DEFAULT_BUF_SIZE];
	memcpy(before, m->buf_addr, m->buf_len);
	struct virtqueue *vq = &r.txq->vq;
	uint16_t slot = vq->avail_idx;
	CHECK(tx_burst(&r, &m, 1) == 1, "%s: tx", what);
	bool same = memcmp(before, m->buf_addr, m->buf_len) == 0;
	uint64_t hdr_descs = r.txq->hdr_descs;
	if (chained) {
		CHECK(same, "%s: tx wrote into the mbuf's buffer", what);
		CHECK(hdr_descs == 1, "%s: %llu header descriptors counted", what, (unsigned long long)hdr_descs);
		if (packed) {
			const struct vring_packed_desc *h = &vq->packed.desc[slot], *d = &vq->packed.desc[slot + 1];
			CHECK((h->flags & VRING_DESC_F_NEXT) && h->len == VIRTIO_NET_HDR_SIZE &&
				      h->addr == r.txq->hdrs_iova + (uint64_t)h->id * VIRTIO_NET_HDR_SIZE &&
				      !(d->flags & VRING_DESC_F_NEXT) && d->addr == sl_pktmbuf_data_iova(m) &&
				      d->len == m->data_len && d->id == h->id,
			      "%s: packed chain: head flags 0x%x len %u, data flags 0x%x len %u", what, h->flags, h->len,
			      d->flags, d->len);
		} else {
			uint16_t id = vq->split.avail->ring[0];
			const struct vring_desc *h = &vq->split.desc[id];
			const struct vring_desc *d = &vq->split.desc[h->next & vq->mask];
			CHECK((h->flags & VRING_DESC_F_NEXT) && h->len == VIRTIO_NET_HDR_SIZE &&
				      h->addr == r.txq->hdrs_iova + (uint64_t)id * VIRTIO_NET_HDR_SIZE &&
				      h->next != id && !(d->flags & VRING_DESC_F_NEXT) &&
				      d->addr == sl_pktmbuf_data_iova(m) && d->len == m->data_len,
			      "%s: split chain: head flags 0x%x len %u next %u, data len %u", what, h->flags, h->len,
			      h->next, d->len);
		}
		CHECK(vq->nb_free == RING - 2, "%s: %u descriptors free, expected %u", what, vq->nb_free, RING - 2);
	} else {
		CHECK(hdr_descs == 0 && vq->nb_free == RING - 1, "%s: header not pushed into the headroom", what);
	}
	/* completion gives both descriptors back and drops our reference */
	tx_used(&r, packed ? vq->packed.desc[slot].id : vq->split.avail->ring[0]);
	struct sl_mbuf *n = frame(&r);
	CHECK(tx_burst(&r, &n, 1) == 1, "%s: tx after the completion", what);
	CHECK(vq->nb_free == RING - 1, "%s: %u descriptors free after the completion, expected %u", what, vq->nb_free,
	      RING - 1);
	CHECK(!vq->broken, "%s: queue broken", what);
	if (m->refcnt == 1 && chained && same)
		sl_pktmbuf_free(m); /* the test's own reference to the shared mbuf */
	printf("  %-50s %s\n", what, chained ? "header descriptor chained, buffer unchanged" : "header in headroom");
	sl_log_set_stream(NULL);
	fclose(r.log);
	virtqueue_drop_mbufs(&r.rxq->vq);
	virtqueue_drop_mbufs(&r.txq->vq);
	virtio_txq_hdrs_free(r.txq);
	virtqueue_free(&r.rxq->vq);
	virtqueue_free(&r.txq->vq);
	free(r.rxq);
	free(r.txq);
	CHECK(sl_mempool_avail_count(r.txmp) == sl_mempool_size(r.txmp), "%s: tx pool %u of %u", what,
	      sl_mempool_avail_count(r.txmp), sl_mempool_size(r.txmp));
	sl_mempool_free(r.rxmp);
	sl_mempool_free(r.txmp);
}

/* A buffer two holders share (a clone's reference: refcnt 2), with its
 * headroom holding someone else's bytes. */
static struct sl_mbuf *shared_mbuf(struct rig *r)
{
	struct sl_mbuf *m = frame(r);
	memset(m->buf_addr, 0x5c, m->data_off);
	m->refcnt = 2;
	return m;
}

static struct sl_mbuf *short_headroom(struct rig *r)
{
	struct sl_mbuf *m = sl_pktmbuf_alloc(r->txmp);
	m->data_off = 4;
	memset(sl_pktmbuf_append(m, FRAME), 0xab, FRAME);
	memset(m->buf_addr, 0x5c, 4);
	/* hold a second reference so the test can check the buffer after */
	m->refcnt = 2;
	return m;
}

static struct sl_mbuf *plain(struct rig *r)
{
	return frame(r);
}

int main(int argc, char **argv)
{
	if (sl_eal_init(argc, argv) < 0)
		return 1;
	if (sl_eal_iova_mode() != SL_IOVA_VA) {
		printf("FAIL: run in IOVA-as-VA mode (--iova-mode va)\n");
		return 1;
	}
	for (int packed = 0; packed < 2; packed++) {
		honest(packed);
		rx_cases(packed);
		tx_cases(packed);
		tx_header(packed, "shared mbuf (refcnt 2)", shared_mbuf, true);
		tx_header(packed, "4 bytes of headroom", short_headroom, true);
		tx_header(packed, "plain mbuf", plain, false);
	}
	sl_eal_cleanup();
	printf("virtio_distrust: %s\n", test_failures ? "FAIL" : "PASS");
	return test_failures ? 1 : 0;
}
