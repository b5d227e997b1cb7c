/* igb_replay.c: host-side replay of net_igb's receive and transmit bursts
 * against a fake device: BAR0 is plain memory and this program plays the
 * 82576's part (writes receive descriptors back with DD, marks transmit
 * RS descriptors done), so the driver's real queue set-up, start, burst and
 * stop code runs without hardware.
 *
 * As a unit test (no arguments) it checks that every frame the "device"
 * delivers comes out of rx_burst with the right length, RSS hash and flags,
 * goes back out through tx_burst to the right IOVA, that rx descriptors are
 * refilled with fresh buffers and tx mbufs are reclaimed in groups, that
 * RDT is written once per two 32-frame bursts (as DPDK's PMD does), that
 * page-crossing tx buffers take two descriptors, that every mbuf is back
 * in the pool after stop and release, and what the RSS state writes into
 * MRQC, RSSRK and RETA (at start and through the runtime calls), and
 * that a hostile device's write-backs (DD on a descriptor it does not own,
 * a length beyond the buffer, no EOP) break the rx queue: the burst
 * returns the frames before the lie, one log line names the values, later
 * bursts return 0, and stop gives every mbuf back; an RXE frame is only
 * dropped and counted.
 *
 * As a benchmark (igb_replay --bench N) it io-forwards N bursts of 32 and
 * prints nothing else; run under callgrind with
 *   valgrind --tool=callgrind --toggle-collect=igb_recv_pkts \
 *            --toggle-collect=igb_xmit_pkts ./igb_replay --bench 100000
 * to count the instructions of the two burst functions (callees included),
 * then divide by the packets (bench/igb-burst-instructions.sh does this). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "igb_ethdev.h"

#define NB_DESC 512
#define BURST 32
#define FRAME_LEN 64

static int failures;
#define CHECK(cond, ...)                                                                             \
	do {                                                                                         \
		if (!(cond)) {                                                                       \
			printf("FAIL %s:%d: ", __FILE__, __LINE__);                                  \
			printf(__VA_ARGS__);                                                         \
			printf("\n");                                                                \
			failures++;                                                                  \
		}                                                                                    \
	} while (0)

struct fake_nic {
	struct igb_adapter ad;
	struct sl_eth_dev dev;
	uint8_t *bar;
	uint16_t rx_head; /* next rx descriptor the "device" fills */
	uint16_t tx_head; /* next tx descriptor the "device" sends */
	uint64_t tx_frames, tx_bytes;
	uint64_t tx_descs;
};

static uint32_t bar_reg(struct fake_nic *f, uint32_t reg)
{
	return *(volatile uint32_t *)(f->bar + reg);
}

/* The device receives up to N frames into the descriptors the driver gave
 * it (head up to RDT, exclusive). Returns how many. */
static unsigned device_rx(struct fake_nic *f, struct igb_rx_queue *rxq, unsigned n)
{
	uint16_t tail = (uint16_t)bar_reg(f, IGB_RDT(0));
	unsigned done = 0;
	while (done < n && f->rx_head != tail) {
		volatile union igb_adv_rx_desc *d = &rxq->ring[f->rx_head];
		uint64_t addr = d->read.pkt_addr;
		(void)addr;
		d->qw[0] = (uint64_t)0x1234abcdu << 32 | 0x1; /* RSS type IPv4/TCP, hash */
		d->wb.length = FRAME_LEN;
		d->wb.vlan = 0;
		d->wb.status_error = IGB_RXD_STAT_DD | IGB_RXD_STAT_EOP;
		f->rx_head = (uint16_t)(f->rx_head + 1 == rxq->nb_desc ? 0 : f->rx_head + 1);
		done++;
	}
	return done;
}

/* The device sends everything up to TDT and writes DD into RS descriptors. */
static void device_tx(struct fake_nic *f, struct igb_tx_queue *txq)
{
	uint16_t tail = (uint16_t)bar_reg(f, IGB_TDT(0));
	while (f->tx_head != tail) {
		volatile union igb_adv_tx_desc *d = &txq->ring[f->tx_head];
		uint32_t cmd = d->read.cmd_type_len;
		f->tx_bytes += cmd & 0xffff;
		f->tx_descs++;
		if (cmd & IGB_TXD_CMD_EOP)
			f->tx_frames++;
		if (cmd & IGB_TXD_CMD_RS)
			d->wb.status = IGB_TXD_STAT_DD;
		f->tx_head = (uint16_t)(f->tx_head + 1 == txq->nb_desc ? 0 : f->tx_head + 1);
	}
}

static struct fake_nic *fake_nic_new(void)
{
	struct fake_nic *f = calloc(1, sizeof(*f));
	f->bar = aligned_alloc(4096, 128 * 1024);
	memset(f->bar, 0, 128 * 1024);
	f->ad.bar0 = f->bar;
	f->ad.bar0_len = 128 * 1024;
	f->ad.dev = &f->dev;
	snprintf(f->dev.name, sizeof(f->dev.name), "fake-igb");
	f->dev.dev_private = &f->ad;
	f->dev.nb_rx_queues = 1;
	f->dev.nb_tx_queues = 1;
	return f;
}

static int bench(unsigned long bursts, struct sl_mempool *mp)
{
	struct fake_nic *f = fake_nic_new();
	if (igb_rx_queue_setup(&f->dev, 0, NB_DESC, NULL, mp) != 0 ||
	    igb_tx_queue_setup(&f->dev, 0, NB_DESC, NULL) != 0)
		return 1;
	struct igb_rx_queue *rxq = f->dev.rx_queues[0];
	struct igb_tx_queue *txq = f->dev.tx_queues[0];
	if (igb_rx_queue_start(&f->ad, rxq) != 0 || igb_tx_queue_start(&f->ad, txq) != 0)
		return 1;
	uint64_t fwd = 0;
	for (unsigned long b = 0; b < bursts; b++) {
		struct sl_mbuf *pkts[BURST];
		device_rx(f, rxq, BURST);
		uint16_t n = igb_recv_pkts(rxq, pkts, BURST);
		uint16_t k = igb_xmit_pkts(txq, pkts, n);
		if (k < n)
			sl_pktmbuf_free_bulk(&pkts[k], n - k);
		fwd += k;
		device_tx(f, txq);
	}
	printf("igb_replay: forwarded %llu packets in %lu bursts\n", (unsigned long long)fwd, bursts);
	igb_rx_queue_release(&f->dev, 0);
	igb_tx_queue_release(&f->dev, 0);
	return fwd == (uint64_t)bursts * BURST ? 0 : 1;
}

static void test_forwarding(struct sl_mempool *mp)
{
	struct fake_nic *f = fake_nic_new();
	CHECK(igb_rx_queue_setup(&f->dev, 0, NB_DESC, NULL, mp) == 0, "rx setup");
	CHECK(igb_tx_queue_setup(&f->dev, 0, NB_DESC, NULL) == 0, "tx setup");
	struct igb_rx_queue *rxq = f->dev.rx_queues[0];
	struct igb_tx_queue *txq = f->dev.tx_queues[0];
	CHECK(igb_rx_queue_start(&f->ad, rxq) == 0, "rx start");
	CHECK(igb_tx_queue_start(&f->ad, txq) == 0, "tx start");
	CHECK(bar_reg(f, IGB_RDT(0)) == NB_DESC - 1, "RDT after start is %u, expected %u", bar_reg(f, IGB_RDT(0)),
	      NB_DESC - 1);
	CHECK(bar_reg(f, IGB_RDLEN(0)) == NB_DESC * 16, "RDLEN %u", bar_reg(f, IGB_RDLEN(0)));
	CHECK((bar_reg(f, IGB_SRRCTL(0)) & 0x7f) == 2, "SRRCTL buffer size %u KiB, expected 2",
	      bar_reg(f, IGB_SRRCTL(0)) & 0x7f);
	CHECK(sl_mempool_avail_count(mp) == sl_mempool_size(mp) - NB_DESC, "pool: %u available after filling",
	      sl_mempool_avail_count(mp));

	/* every posted buffer is a distinct mbuf's data area */
	for (unsigned i = 0; i < NB_DESC; i++) {
		struct sl_mbuf *m = rxq->sw_ring[i];
		CHECK(rxq->ring[i].read.pkt_addr == m->buf_iova + SL_PKTMBUF_HEADROOM, "descriptor %u address", i);
	}

	uint64_t delivered = 0, received = 0, sent = 0;
	for (unsigned round = 0; round < 100; round++) {
		unsigned want = (round * 7) % (BURST + 1);
		delivered += device_rx(f, rxq, want);
		struct sl_mbuf *pkts[BURST];
		uint16_t n = igb_recv_pkts(rxq, pkts, BURST);
		for (uint16_t i = 0; i < n; i++) {
			CHECK(pkts[i]->pkt_len == FRAME_LEN && pkts[i]->data_len == FRAME_LEN, "length %u",
			      pkts[i]->pkt_len);
			CHECK(pkts[i]->hash.rss == 0x1234abcdu && (pkts[i]->ol_flags & SL_MBUF_F_RX_RSS_HASH),
			      "RSS hash 0x%x flags 0x%llx", pkts[i]->hash.rss, (unsigned long long)pkts[i]->ol_flags);
			CHECK(pkts[i]->nb_segs == 1 && pkts[i]->next == NULL && pkts[i]->refcnt == 1, "mbuf state");
			CHECK(pkts[i]->data_off == SL_PKTMBUF_HEADROOM, "data_off %u", pkts[i]->data_off);
		}
		received += n;
		uint16_t k = igb_xmit_pkts(txq, pkts, n);
		CHECK(k == n, "tx took %u of %u", k, n);
		sent += k;
		device_tx(f, txq);
		/* the tail never overtakes: the device owns at most nb_desc - 1 */
		uint16_t rdt = (uint16_t)bar_reg(f, IGB_RDT(0));
		CHECK(rdt < NB_DESC, "RDT %u out of the ring", rdt);
	}
	/* drain */
	for (unsigned i = 0; i < 64; i++) {
		struct sl_mbuf *pkts[BURST];
		uint16_t n = igb_recv_pkts(rxq, pkts, BURST);
		received += n;
		sent += igb_xmit_pkts(txq, pkts, n);
		device_tx(f, txq);
	}
	CHECK(received == delivered, "%llu frames delivered by the device, %llu received",
	      (unsigned long long)delivered, (unsigned long long)received);
	CHECK(f->tx_frames == sent && f->tx_bytes == sent * FRAME_LEN, "device sent %llu frames, driver %llu",
	      (unsigned long long)f->tx_frames, (unsigned long long)sent);
	CHECK(delivered > 2 * NB_DESC, "only %llu frames: the ring did not wrap", (unsigned long long)delivered);
	CHECK(rxq->rx_pkts == received && txq->tx_pkts == sent, "queue counters %llu/%llu",
	      (unsigned long long)rxq->rx_pkts, (unsigned long long)txq->tx_pkts);
	printf("  forwarding: %llu frames received and sent back through a %u-descriptor ring\n",
	      (unsigned long long)received, NB_DESC);

	/* a tx buffer across a page boundary takes two descriptors: find an
	 * mbuf whose buffer straddles a page and start the data 100 bytes
	 * before the boundary */
	uint64_t page = txq->split_mask + 1;
	struct sl_mbuf *held[64], *m = NULL;
	unsigned nheld = 0;
	while (nheld < SL_DIM(held)) {
		struct sl_mbuf *c = sl_pktmbuf_alloc(mp);
		uint64_t start = c->buf_iova, end = c->buf_iova + c->buf_len;
		if ((start & ~txq->split_mask) != ((end - 1) & ~txq->split_mask) &&
		    (end & txq->split_mask) >= 300 && ((-start) & txq->split_mask) >= 100) {
			m = c;
			break;
		}
		held[nheld++] = c;
	}
	CHECK(m != NULL, "no mbuf straddles a %llu-byte page", (unsigned long long)page);
	if (m != NULL) {
		uint64_t boundary = (m->buf_iova + page) & ~txq->split_mask;
		m->data_off = (uint16_t)(boundary - 100 - m->buf_iova);
		m->data_len = 300;
		m->pkt_len = 300;
		uint64_t descs = f->tx_descs, frames = f->tx_frames, bytes = f->tx_bytes;
		CHECK(igb_xmit_pkts(txq, &m, 1) == 1, "tx of one frame");
		device_tx(f, txq);
		CHECK(f->tx_frames == frames + 1 && f->tx_descs == descs + 2 && f->tx_bytes == bytes + 300,
		      "a 300-byte frame 100 bytes before a page boundary took %llu descriptors, %llu bytes",
		      (unsigned long long)(f->tx_descs - descs), (unsigned long long)(f->tx_bytes - bytes));
		printf("  page split: a 300-byte frame 100 bytes before a %llu-byte page boundary took %llu "
		       "descriptors\n", (unsigned long long)page, (unsigned long long)(f->tx_descs - descs));
	}
	sl_pktmbuf_free_bulk(held, nheld);

	/* a 4296-byte segment starting 100 bytes before a page boundary spans
	 * three pages: three descriptors */
	struct sl_mempool *big = sl_pktmbuf_pool_create("replay_big", 63, 0, 0, 12288);
	CHECK(big != NULL, "pool of 12 KiB mbufs");
	if (big != NULL) {
		struct sl_mbuf *j = sl_pktmbuf_alloc(big);
		uint64_t boundary = (j->buf_iova + SL_PKTMBUF_HEADROOM + page) & ~txq->split_mask;
		j->data_off = (uint16_t)(boundary - 100 - j->buf_iova);
		j->data_len = (uint16_t)(page + 200);
		j->pkt_len = j->data_len;
		uint64_t d0 = f->tx_descs, b0 = f->tx_bytes;
		CHECK(igb_xmit_pkts(txq, &j, 1) == 1, "tx of a 3-page segment");
		device_tx(f, txq);
		CHECK(f->tx_descs == d0 + 3 && f->tx_bytes == b0 + page + 200,
		      "a %llu-byte segment over three pages took %llu descriptors, %llu bytes",
		      (unsigned long long)(page + 200), (unsigned long long)(f->tx_descs - d0),
		      (unsigned long long)(f->tx_bytes - b0));
	}

	/* a two-segment chain */
	struct sl_mbuf *a = sl_pktmbuf_alloc(mp), *b = sl_pktmbuf_alloc(mp);
	a->data_len = 60;
	a->pkt_len = 60;
	b->data_len = 40;
	b->pkt_len = 40;
	CHECK(sl_pktmbuf_chain(a, b) == 0, "chain");
	uint64_t descs = f->tx_descs;
	CHECK(igb_xmit_pkts(txq, &a, 1) == 1, "tx of a chain");
	device_tx(f, txq);
	CHECK(f->tx_descs - descs >= 2 && f->tx_bytes > 0, "chain took %llu descriptors",
	      (unsigned long long)(f->tx_descs - descs));

	igb_rx_queue_stop(&f->ad, rxq);
	igb_tx_queue_stop(&f->ad, txq);
	CHECK(sl_mempool_avail_count(mp) == sl_mempool_size(mp), "after stop %u of %u mbufs in the pool",
	      sl_mempool_avail_count(mp), sl_mempool_size(mp));
	/* restart and stop again: still no leak */
	CHECK(igb_rx_queue_start(&f->ad, rxq) == 0 && igb_tx_queue_start(&f->ad, txq) == 0, "restart");
	device_rx(f, rxq, 10);
	igb_rx_queue_release(&f->dev, 0);
	igb_tx_queue_release(&f->dev, 0);
	CHECK(sl_mempool_avail_count(mp) == sl_mempool_size(mp), "after release %u of %u mbufs in the pool",
	      sl_mempool_avail_count(mp), sl_mempool_size(mp));
	if (big != NULL) {
		CHECK(sl_mempool_avail_count(big) == sl_mempool_size(big), "big pool: %u of %u back",
		      sl_mempool_avail_count(big), sl_mempool_size(big));
		sl_mempool_free(big);
	}
	free(f->bar);
	free(f);
}

/* Receive BURSTS bursts of up to BURST_LEN frames the device delivers (each
 * burst's frames freed at once) and return how many bursts moved RDT: a
 * refill writes the tail once and always moves it, so that is the number of
 * RDT writes. */
static unsigned rx_bursts_counting_rdt(struct fake_nic *f, struct igb_rx_queue *rxq, unsigned bursts,
				       unsigned burst_len, uint64_t *received)
{
	unsigned moves = 0;
	for (unsigned b = 0; b < bursts; b++) {
		uint32_t rdt = bar_reg(f, IGB_RDT(0));
		device_rx(f, rxq, burst_len);
		struct sl_mbuf *pkts[BURST];
		uint16_t n = igb_recv_pkts(rxq, pkts, (uint16_t)burst_len);
		sl_pktmbuf_free_bulk(pkts, n);
		*received += n;
		if (bar_reg(f, IGB_RDT(0)) != rdt)
			moves++;
	}
	return moves;
}

/* How often the receive burst writes RDT: only once more than free_thresh
 * (32) descriptors are held, as DPDK's igb PMD does (nb_hold >
 * rx_free_thresh): one write per 64 frames in bursts of 32, one per 32
 * frames after the first 33 in bursts of 1. Under QEMU every RDT write
 * flushes the model's queued frames (doc/drivers/igb.md). A 64-descriptor
 * ring with free_thresh 32 (half the ring) must still refill. */
static void test_rdt_pace(struct sl_mempool *mp)
{
	struct fake_nic *f = fake_nic_new();
	CHECK(igb_rx_queue_setup(&f->dev, 0, NB_DESC, NULL, mp) == 0, "rx setup");
	struct igb_rx_queue *rxq = f->dev.rx_queues[0];
	CHECK(rxq->free_thresh == 32, "default refill chunk %u, expected 32", rxq->free_thresh);
	CHECK(igb_rx_queue_start(&f->ad, rxq) == 0, "rx start");
	uint64_t received = 0;
	unsigned moves = rx_bursts_counting_rdt(f, rxq, 1, BURST, &received);
	CHECK(moves == 0 && bar_reg(f, IGB_RDT(0)) == NB_DESC - 1, "after one burst of 32: RDT %u (moved %u times), "
	      "expected still %u", bar_reg(f, IGB_RDT(0)), moves, NB_DESC - 1);
	moves = rx_bursts_counting_rdt(f, rxq, 1, BURST, &received);
	CHECK(moves == 1 && bar_reg(f, IGB_RDT(0)) == 63, "after two bursts of 32: RDT %u, expected 63",
	      bar_reg(f, IGB_RDT(0)));
	moves = rx_bursts_counting_rdt(f, rxq, 62, BURST, &received);
	CHECK(received == 64 * BURST && moves == 31, "64 bursts of 32: %llu frames, RDT written %u times after the "
	      "first two bursts, expected 2048 and 31", (unsigned long long)received, moves);
	received = 0;
	moves = rx_bursts_counting_rdt(f, rxq, 330, 1, &received);
	CHECK(received == 330 && moves == 10, "330 bursts of 1: %llu frames, RDT written %u times, expected 10",
	      (unsigned long long)received, moves);
	igb_rx_queue_release(&f->dev, 0);

	const struct sl_eth_rxconf half = {.rx_free_thresh = 32};
	CHECK(igb_rx_queue_setup(&f->dev, 0, 64, &half, mp) == 0, "rx setup, 64 descriptors");
	rxq = f->dev.rx_queues[0];
	CHECK(rxq->free_thresh == 32, "refill chunk %u of a 64-ring, expected 32", rxq->free_thresh);
	CHECK(igb_rx_queue_start(&f->ad, rxq) == 0, "rx start");
	f->rx_head = 0;
	received = 0;
	moves = rx_bursts_counting_rdt(f, rxq, 200, BURST, &received);
	CHECK(received > 6000 && moves > 90, "64-descriptor ring: %llu frames in 200 bursts, RDT written %u times",
	      (unsigned long long)received, moves);
	igb_rx_queue_release(&f->dev, 0);
	CHECK(sl_mempool_avail_count(mp) == sl_mempool_size(mp), "after release %u of %u mbufs in the pool",
	      sl_mempool_avail_count(mp), sl_mempool_size(mp));
	printf("  rdt pace: one RDT write per 64 frames in bursts of 32, per 32 in bursts of 1\n");
	free(f->bar);
	free(f);
}

static void test_bad_sizes(struct sl_mempool *mp)
{
	struct fake_nic *f = fake_nic_new();
	static const uint16_t bad[] = {0, 8, 60, 100, 4104, 8192};
	for (unsigned i = 0; i < SL_DIM(bad); i++) {
		CHECK(igb_rx_queue_setup(&f->dev, 0, bad[i], NULL, mp) == -EINVAL, "rx ring of %u accepted", bad[i]);
		CHECK(igb_tx_queue_setup(&f->dev, 0, bad[i], NULL) == -EINVAL, "tx ring of %u accepted", bad[i]);
	}
	static const uint16_t good[] = {64, 72, 1000, 4096};
	for (unsigned i = 0; i < SL_DIM(good); i++) {
		CHECK(igb_rx_queue_setup(&f->dev, 0, good[i], NULL, mp) == 0, "rx ring of %u refused", good[i]);
		struct igb_rx_queue *rxq = f->dev.rx_queues[0];
		if (rxq != NULL)
			CHECK(good[i] % rxq->free_thresh == 0, "refill chunk %u does not divide %u", rxq->free_thresh,
			      good[i]);
		igb_rx_queue_release(&f->dev, 0);
		CHECK(igb_tx_queue_setup(&f->dev, 0, good[i], NULL) == 0, "tx ring of %u refused", good[i]);
		igb_tx_queue_release(&f->dev, 0);
	}
	free(f->bar);
	free(f);
}

/* RSS state to registers: the default key's byte order in RSSRK, the
 * round-robin RETA, MRQC from the hash types, and the runtime calls
 * changing exactly what they were given. */
static void test_rss_registers(void)
{
	struct fake_nic *f = fake_nic_new();
	f->dev.nb_rx_queues = 4;
	f->dev.conf.rx_mq_mode = SL_ETH_MQ_RX_RSS;
	f->dev.conf.rss_conf.rss_hf = SL_ETH_RSS_IPV4 | SL_ETH_RSS_NONFRAG_IPV4_UDP;
	igb_rss_conf_init(&f->dev);
	igb_rss_configure(&f->ad);
	CHECK(bar_reg(f, IGB_RXCSUM) == IGB_RXCSUM_PCSD, "RXCSUM 0x%08x", bar_reg(f, IGB_RXCSUM));
	CHECK(bar_reg(f, IGB_MRQC) == 0x00420002u, "MRQC 0x%08x for IPv4 + UDP/IPv4", bar_reg(f, IGB_MRQC));
	/* the default key starts 6d 5a 56 da and ends 01 fa: byte 0 lowest */
	CHECK(bar_reg(f, IGB_RSSRK(0)) == 0xda565a6du && bar_reg(f, IGB_RSSRK(9)) == 0xfa01acbeu,
	      "RSSRK0 0x%08x RSSRK9 0x%08x", bar_reg(f, IGB_RSSRK(0)), bar_reg(f, IGB_RSSRK(9)));
	for (unsigned i = 0; i < IGB_RETA_WORDS; i++)
		CHECK(bar_reg(f, IGB_RETA(i)) == 0x03020100u, "RETA%u 0x%08x", i, bar_reg(f, IGB_RETA(i)));
	CHECK(igb_rss_mrqc(IGB_RSS_OFFLOAD_ALL) == 0x01ff0002u, "MRQC 0x%08x for every type",
	      igb_rss_mrqc(IGB_RSS_OFFLOAD_ALL));

	uint8_t key[IGB_RSS_KEY_SIZE], out[IGB_RSS_KEY_SIZE];
	for (unsigned i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)i;
	struct sl_eth_rss_conf rc = {.rss_key = key, .rss_key_len = 40,
				     .rss_hf = SL_ETH_RSS_IPV6 | SL_ETH_RSS_NONFRAG_IPV6_TCP};
	CHECK(igb_rss_hash_update(&f->dev, &rc) == 0, "hash update");
	CHECK(bar_reg(f, IGB_RSSRK(0)) == 0x03020100u && bar_reg(f, IGB_RSSRK(9)) == 0x27262524u,
	      "RSSRK0 0x%08x RSSRK9 0x%08x after the update", bar_reg(f, IGB_RSSRK(0)), bar_reg(f, IGB_RSSRK(9)));
	CHECK(bar_reg(f, IGB_MRQC) == 0x00300002u, "MRQC 0x%08x for IPv6 + TCP/IPv6", bar_reg(f, IGB_MRQC));
	rc = (struct sl_eth_rss_conf){.rss_hf = SL_ETH_RSS_IPV4};
	CHECK(igb_rss_hash_update(&f->dev, &rc) == 0, "hash update without key");
	CHECK(bar_reg(f, IGB_RSSRK(0)) == 0x03020100u, "key changed by an update without one");
	memset(out, 0, sizeof(out));
	rc = (struct sl_eth_rss_conf){.rss_key = out, .rss_key_len = sizeof(out)};
	CHECK(igb_rss_hash_conf_get(&f->dev, &rc) == 0 && rc.rss_hf == SL_ETH_RSS_IPV4 &&
		      memcmp(out, key, sizeof(key)) == 0, "conf_get: types 0x%llx", (unsigned long long)rc.rss_hf);

	/* one entry (5: word 1, byte 1) and the last one (127: word 31, byte 3) */
	struct sl_eth_rss_reta_entry64 reta[2];
	memset(reta, 0, sizeof(reta));
	reta[0].mask = 1ULL << 5;
	reta[0].reta[5] = 2;
	reta[1].mask = 1ULL << 63;
	reta[1].reta[63] = 0;
	CHECK(igb_rss_reta_update(&f->dev, reta, IGB_RETA_ENTRIES) == 0, "reta update");
	CHECK(bar_reg(f, IGB_RETA(1)) == 0x03020200u, "RETA1 0x%08x", bar_reg(f, IGB_RETA(1)));
	CHECK(bar_reg(f, IGB_RETA(31)) == 0x00020100u, "RETA31 0x%08x", bar_reg(f, IGB_RETA(31)));
	CHECK(bar_reg(f, IGB_RETA(0)) == 0x03020100u, "RETA0 0x%08x changed", bar_reg(f, IGB_RETA(0)));
	memset(reta, 0xff, sizeof(reta));
	reta[0].mask = ~0ULL;
	reta[1].mask = 1ULL << 63;
	CHECK(igb_rss_reta_query(&f->dev, reta, IGB_RETA_ENTRIES) == 0, "reta query");
	CHECK(reta[0].reta[4] == 0 && reta[0].reta[5] == 2 && reta[0].reta[63] == 3 && reta[1].reta[63] == 0 &&
		      reta[1].reta[62] == 0xffff, "reta query: %u %u %u %u %u", reta[0].reta[4], reta[0].reta[5],
	      reta[0].reta[63], reta[1].reta[63], reta[1].reta[62]);
	/* a restart writes the same state again */
	memset(f->bar + IGB_RETA(0), 0, 4 * IGB_RETA_WORDS);
	igb_rss_configure(&f->ad);
	CHECK(bar_reg(f, IGB_RETA(1)) == 0x03020200u && bar_reg(f, IGB_MRQC) == 0x00020002u &&
		      bar_reg(f, IGB_RSSRK(0)) == 0x03020100u, "after restart RETA1 0x%08x MRQC 0x%08x",
	      bar_reg(f, IGB_RETA(1)), bar_reg(f, IGB_MRQC));
	/* RSS off: MRQC 0 */
	f->dev.conf.rx_mq_mode = SL_ETH_MQ_RX_NONE;
	igb_rss_conf_init(&f->dev);
	igb_rss_configure(&f->ad);
	CHECK(bar_reg(f, IGB_MRQC) == 0, "MRQC 0x%08x with RSS off", bar_reg(f, IGB_MRQC));
	free(f->bar);
	free(f);
}

/* ---- a hostile device ---------------------------------------------------- */

static void wb(struct igb_rx_queue *rxq, uint16_t idx, uint32_t staterr, uint16_t len)
{
	volatile union igb_adv_rx_desc *d = &rxq->ring[idx];
	d->qw[0] = 0;
	d->wb.length = len;
	d->wb.vlan = 0;
	d->wb.status_error = staterr;
}

static unsigned broken_lines(FILE *log, char *line, size_t size)
{
	char buf[512];
	unsigned n = 0;
	fflush(log);
	rewind(log);
	line[0] = 0;
	while (fgets(buf, sizeof(buf), log) != NULL)
		if (strstr(buf, "broken") != NULL && n++ == 0)
			snprintf(line, size, "%s", buf);
	return n;
}

/* SETUP writes the device's lies into a freshly started queue; the burst of
 * BURST must return WANT; BROKEN: the queue must be broken with one log
 * line naming VALUE, else no log line and ERRORS counted. */
static void hostile_case(struct sl_mempool *mp, const char *what, void (*setup)(struct igb_rx_queue *),
			 uint16_t burst, uint16_t want, bool broken, const char *value, uint64_t errors)
{
	struct fake_nic *f = fake_nic_new();
	FILE *log = tmpfile();
	char line[512];
	struct sl_mbuf **pkts = calloc(burst, sizeof(*pkts));
	CHECK(igb_rx_queue_setup(&f->dev, 0, NB_DESC, NULL, mp) == 0, "%s: rx setup", what);
	struct igb_rx_queue *rxq = f->dev.rx_queues[0];
	CHECK(igb_rx_queue_start(&f->ad, rxq) == 0, "%s: rx start", what);
	sl_log_set_stream(log);
	setup(rxq);
	uint16_t got = igb_recv_pkts(rxq, pkts, burst);
	CHECK(got == want, "%s: burst returned %u, expected %u", what, got, want);
	sl_pktmbuf_free_bulk(pkts, got);
	CHECK(rxq->broken == broken, "%s: queue %s", what, rxq->broken ? "broken" : "not broken");
	CHECK(rxq->rx_errors == errors, "%s: %llu errors, expected %llu", what, (unsigned long long)rxq->rx_errors,
	      (unsigned long long)errors);
	/* the same count in the xstat rx_q0_bad_descriptors */
	int nx = igb_xstats_get_names(&f->dev, NULL, 0);
	struct sl_eth_xstat_name *xn = calloc((size_t)nx, sizeof(*xn));
	uint64_t *xv = calloc((size_t)nx, sizeof(*xv));
	igb_xstats_get_names(&f->dev, xn, (unsigned)nx);
	igb_xstats_get(&f->dev, xv, (unsigned)nx);
	bool seen = false;
	for (int i = 0; i < nx; i++)
		if (strcmp(xn[i].name, "rx_q0_bad_descriptors") == 0)
			seen = xv[i] == errors;
	CHECK(seen, "%s: xstat rx_q0_bad_descriptors missing or not %llu", what, (unsigned long long)errors);
	free(xn);
	free(xv);
	if (broken) {
		/* the device writes good frames from here: nothing comes out */
		for (uint16_t i = 0; i < 8; i++)
			wb(rxq, (uint16_t)((rxq->next + i) % NB_DESC), IGB_RXD_STAT_DD | IGB_RXD_STAT_EOP, FRAME_LEN);
		CHECK(igb_recv_pkts(rxq, pkts, burst) == 0, "%s: a broken queue returned frames", what);
	}
	unsigned n = broken_lines(log, line, sizeof(line));
	sl_log_set_stream(NULL);
	fclose(log);
	CHECK(n == (broken ? 1u : 0u), "%s: %u log lines", what, n);
	if (broken)
		CHECK(strstr(line, value) != NULL, "%s: log line without %s: %s", what, value, line);
	printf("  %-44s %s", what, broken ? line : "dropped and counted, queue keeps working\n");
	igb_rx_queue_stop(&f->ad, rxq);
	CHECK(sl_mempool_avail_count(mp) == sl_mempool_size(mp), "%s: after stop %u of %u mbufs in the pool", what,
	      sl_mempool_avail_count(mp), sl_mempool_size(mp));
	CHECK(igb_rx_queue_start(&f->ad, rxq) == 0 && !rxq->broken, "%s: restart", what);
	wb(rxq, 0, IGB_RXD_STAT_DD | IGB_RXD_STAT_EOP, FRAME_LEN);
	got = igb_recv_pkts(rxq, pkts, burst);
	CHECK(got == 1, "%s: after restart the queue returned %u frames", what, got);
	sl_pktmbuf_free_bulk(pkts, got);
	igb_rx_queue_release(&f->dev, 0);
	CHECK(sl_mempool_avail_count(mp) == sl_mempool_size(mp), "%s: after release %u of %u mbufs in the pool",
	      what, sl_mempool_avail_count(mp), sl_mempool_size(mp));
	free(pkts);
	free(f->bar);
	free(f);
}

static void lie_dd_everywhere(struct igb_rx_queue *rxq)
{
	for (uint16_t i = 0; i < NB_DESC; i++)
		wb(rxq, i, IGB_RXD_STAT_DD | IGB_RXD_STAT_EOP, FRAME_LEN);
}

static void lie_long(struct igb_rx_queue *rxq)
{
	wb(rxq, 0, IGB_RXD_STAT_DD | IGB_RXD_STAT_EOP, FRAME_LEN);
	wb(rxq, 1, IGB_RXD_STAT_DD | IGB_RXD_STAT_EOP, 9000);
}

static void lie_no_eop(struct igb_rx_queue *rxq)
{
	wb(rxq, 0, IGB_RXD_STAT_DD, FRAME_LEN);
}

static void frame_error(struct igb_rx_queue *rxq)
{
	wb(rxq, 0, IGB_RXD_STAT_DD | IGB_RXD_STAT_EOP | IGB_RXD_ERR_RXE, FRAME_LEN);
	wb(rxq, 1, IGB_RXD_STAT_DD | IGB_RXD_STAT_EOP, FRAME_LEN);
}

/* Transmit: the device sets DD on every descriptor of the ring after each
 * burst (posted or not, RS or not). The driver only reads DD on its own RS
 * descriptors, so it frees exactly what it sent, once: the pool is full
 * after stop, not over-full. */
static void test_hostile_tx(struct sl_mempool *mp)
{
	struct fake_nic *f = fake_nic_new();
	CHECK(igb_tx_queue_setup(&f->dev, 0, NB_DESC, NULL) == 0, "tx setup");
	struct igb_tx_queue *txq = f->dev.tx_queues[0];
	CHECK(igb_tx_queue_start(&f->ad, txq) == 0, "tx start");
	unsigned sent = 0;
	for (unsigned round = 0; round < 64; round++) {
		struct sl_mbuf *pkts[BURST];
		unsigned n = 0;
		while (n < BURST && (pkts[n] = sl_pktmbuf_alloc(mp)) != NULL) {
			sl_pktmbuf_append(pkts[n], FRAME_LEN);
			n++;
		}
		uint16_t k = igb_xmit_pkts(txq, pkts, (uint16_t)n);
		sl_pktmbuf_free_bulk(pkts + k, n - k);
		sent += k;
		for (unsigned i = 0; i < NB_DESC; i++)
			txq->ring[i].wb.status = IGB_TXD_STAT_DD;
	}
	CHECK(sent > 2 * NB_DESC, "only %u frames sent: the ring did not wrap", sent);
	igb_tx_queue_stop(&f->ad, txq);
	CHECK(sl_mempool_avail_count(mp) == sl_mempool_size(mp), "tx with DD everywhere: %u of %u mbufs in the pool",
	      sl_mempool_avail_count(mp), sl_mempool_size(mp));
	printf("  %-44s %u frames, every mbuf back once\n", "tx: DD on every descriptor", sent);
	igb_tx_queue_release(&f->dev, 0);
	free(f->bar);
	free(f);
}

static void test_hostile(struct sl_mempool *mp)
{
	char v[32];
	snprintf(v, sizeof(v), "descriptor %u ", NB_DESC - 1);
	hostile_case(mp, "DD on a descriptor the device does not own", lie_dd_everywhere, NB_DESC, NB_DESC - 1, true,
		     v, 1);
	hostile_case(mp, "length 9000 beyond the 2048-byte buffer", lie_long, BURST, 1, true,
		     "value 9000 = 0x2328, limit 2048", 1);
	hostile_case(mp, "DD without EOP", lie_no_eop, BURST, 0, true, "value 1 = 0x1, limit 2", 1);
	hostile_case(mp, "RXE frame error", frame_error, BURST, 1, false, NULL, 1);
	test_hostile_tx(mp);
}

/* The link status change handler against the fake BAR: only ICR.LSC with a
 * changed STATUS.LU posts an event; an interrupt without LSC (spurious, or
 * every other cause bit set) and an LSC with the link as before post
 * nothing; every run re-arms IMS.LSC and the vector's EIMS bit; an empty
 * eventfd (a wake-up with nothing to read) does not touch the device. */
static void set_reg(struct fake_nic *f, uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)(f->bar + reg) = v;
}

static void lsc_run(struct fake_nic *f, int fd, uint32_t icr, bool lu)
{
	uint64_t one = 1;
	set_reg(f, IGB_ICR, icr);
	set_reg(f, IGB_STATUS, lu ? IGB_STATUS_LU : 0);
	set_reg(f, IGB_IMS, 0);
	set_reg(f, IGB_EIMS, 0);
	if (write(fd, &one, sizeof(one)) != sizeof(one))
		CHECK(0, "eventfd write");
	igb_lsc_intr(fd, &f->dev);
	CHECK(bar_reg(f, IGB_IMS) == IGB_ICR_LSC, "IMS re-armed with LSC (0x%x)", bar_reg(f, IGB_IMS));
	CHECK(bar_reg(f, IGB_EIMS) == 1u << f->ad.lsc_vector, "EIMS re-armed (0x%x)", bar_reg(f, IGB_EIMS));
}

static void test_lsc_handler(void)
{
	struct fake_nic *f = fake_nic_new();
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	f->ad.lsc_vector = 3;
	f->ad.lsc_link_up = true;
	lsc_run(f, fd, 0, true); /* spurious: no cause at all */
	CHECK(f->ad.lsc_events == 0 && f->ad.lsc_spurious == 1, "spurious: events %llu spurious %llu",
	      (unsigned long long)f->ad.lsc_events, (unsigned long long)f->ad.lsc_spurious);
	lsc_run(f, fd, ~IGB_ICR_LSC, false); /* every cause but LSC, link reads down: still nothing */
	CHECK(f->ad.lsc_events == 0 && f->ad.lsc_link_up, "no LSC: events %llu", (unsigned long long)f->ad.lsc_events);
	lsc_run(f, fd, IGB_ICR_LSC, true); /* LSC, link as before */
	CHECK(f->ad.lsc_events == 0, "LSC without a change: events %llu", (unsigned long long)f->ad.lsc_events);
	lsc_run(f, fd, IGB_ICR_LSC, false); /* down */
	CHECK(f->ad.lsc_events == 1 && !f->ad.lsc_link_up, "down: events %llu", (unsigned long long)f->ad.lsc_events);
	lsc_run(f, fd, IGB_ICR_LSC | 0x80, false); /* still down */
	CHECK(f->ad.lsc_events == 1, "down again: events %llu", (unsigned long long)f->ad.lsc_events);
	lsc_run(f, fd, ~0u, true); /* up, with every cause bit */
	CHECK(f->ad.lsc_events == 2 && f->ad.lsc_link_up, "up: events %llu", (unsigned long long)f->ad.lsc_events);
	CHECK(f->ad.lsc_intrs == 6, "interrupts counted %llu", (unsigned long long)f->ad.lsc_intrs);
	/* woken with nothing in the eventfd: the device is not read or written */
	set_reg(f, IGB_IMS, 0);
	igb_lsc_intr(fd, &f->dev);
	CHECK(bar_reg(f, IGB_IMS) == 0 && f->ad.lsc_intrs == 6, "empty eventfd touched the device");
	close(fd);
	free(f->bar);
	free(f);
}

int main(int argc, char **argv)
{
	unsigned long bursts = 0;
	if (argc == 3 && strcmp(argv[1], "--bench") == 0)
		bursts = strtoul(argv[2], NULL, 0);
	char *eal_argv[] = {"igb_replay", "--no-huge", "-m", "64", "-l", "0", "--log-level", "warning", NULL};
	if (sl_eal_init(8, eal_argv) < 0) {
		printf("FAIL: sl_eal_init\n");
		return 1;
	}
	struct sl_mempool *mp = sl_pktmbuf_pool_create("replay", 8191, 256, 0, SL_MBUF_DEFAULT_BUF_SIZE);
	if (mp == NULL) {
		printf("FAIL: pool\n");
		return 1;
	}
	if (bursts > 0) {
		int rc = bench(bursts, mp);
		sl_eal_cleanup();
		return rc;
	}
	test_forwarding(mp);
	test_rdt_pace(mp);
	test_bad_sizes(mp);
	test_rss_registers();
	test_hostile(mp);
	test_lsc_handler();
	sl_mempool_free(mp);
	sl_eal_cleanup();
	printf("igb_replay: %s\n", failures ? "FAIL" : "PASS");
	return failures ? 1 : 0;
}
