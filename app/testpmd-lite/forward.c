/* forward.c: testpmd-lite's hot path: the forwarding loop of each mode
 * (io, mac, macswap, rxonly, txonly) that the forwarding lcores run, and the
 * --tx-first bursts (sent before forwarding, and again by each forwarding
 * lcore after a link comes back up with --link-watch). */
#include <stdio.h>
#include <string.h>

#include "testpmd.h"

int fwd_stop; /* read with __atomic_load_n by the forwarding lcores */
/* --link-watch with --tx-first: bumped by the main lcore when a port's link
 * comes back up; each forwarding lcore then sends the --tx-first bursts
 * again on its streams (frames sent while a link was down are gone, and io
 * forwarding only moves what it receives). */
unsigned refill_gen;
static void lcore_refill(struct fwd_lcore *fc);

static sl_always_inline void drop_unsent(struct fwd_stream *fs, struct sl_mbuf **pkts, uint16_t nb,
					 uint16_t sent)
{
	if (sl_unlikely(sent < nb)) {
		fs->fwd_dropped += (uint64_t)(nb - sent);
		sl_pktmbuf_free_bulk(pkts + sent, (unsigned)(nb - sent));
	}
}

/* How io, mac and macswap change a frame's Ethernet header on the way through
 * (io: not at all). */
typedef void fwd_rewrite_fn(const struct fwd_stream *fs, struct sl_ether_hdr *eth);

static sl_always_inline void rewrite_mac(const struct fwd_stream *fs, struct sl_ether_hdr *eth)
{
	eth->dst_addr = fs->eth_dst;
	eth->src_addr = fs->eth_src;
}

static sl_always_inline void rewrite_macswap(const struct fwd_stream *fs, struct sl_ether_hdr *eth)
{
	(void)fs;
	struct sl_ether_addr tmp = eth->dst_addr;
	eth->dst_addr = eth->src_addr;
	eth->src_addr = tmp;
}

/* Receive a burst, rewrite every frame's header with REWRITE (NULL: leave it),
 * send the burst on and drop what the tx queue did not take. REWRITE is a
 * constant in each caller, so it is inlined and the NULL test folds away. */
static sl_always_inline void fwd_rx_rewrite_tx(struct fwd_stream *fs, fwd_rewrite_fn *rewrite)
{
	struct sl_mbuf *pkts[MAX_BURST];
	uint64_t start = sl_rdtsc();
	uint16_t nb_rx = sl_eth_rx_burst(fs->rx_port, fs->rx_queue, pkts, fs->burst);
	if (sl_unlikely(nb_rx == 0))
		return;
	fs->rx_packets += nb_rx;
	if (rewrite != NULL)
		for (uint16_t i = 0; i < nb_rx; i++)
			rewrite(fs, sl_pktmbuf_mtod(pkts[i], struct sl_ether_hdr *));
	uint16_t nb_tx = sl_eth_tx_burst(fs->tx_port, fs->tx_queue, pkts, nb_rx);
	fs->tx_packets += nb_tx;
	drop_unsent(fs, pkts, nb_rx, nb_tx);
	fs->core_cycles += sl_rdtsc() - start;
}

static sl_always_inline void fwd_io(struct fwd_stream *fs)
{
	fwd_rx_rewrite_tx(fs, NULL);
}

static sl_always_inline void fwd_mac(struct fwd_stream *fs)
{
	fwd_rx_rewrite_tx(fs, rewrite_mac);
}

static sl_always_inline void fwd_macswap(struct fwd_stream *fs)
{
	fwd_rx_rewrite_tx(fs, rewrite_macswap);
}

static sl_always_inline void fwd_rxonly(struct fwd_stream *fs)
{
	struct sl_mbuf *pkts[MAX_BURST];
	uint64_t start = sl_rdtsc();
	uint16_t nb_rx = sl_eth_rx_burst(fs->rx_port, fs->rx_queue, pkts, fs->burst);
	if (sl_unlikely(nb_rx == 0))
		return;
	fs->rx_packets += nb_rx;
	sl_pktmbuf_free_bulk(pkts, nb_rx);
	fs->core_cycles += sl_rdtsc() - start;
}

static sl_always_inline void fwd_txonly(struct fwd_stream *fs)
{
	struct sl_mbuf *pkts[MAX_BURST];
	uint64_t start = sl_rdtsc();
	uint16_t nb = fs->burst;
	if (sl_unlikely(sl_pktmbuf_alloc_bulk(fs->mp, pkts, nb) != 0))
		return;
	uint16_t flow = fs->flow;
	for (uint16_t i = 0; i < nb; i++) {
		struct sl_mbuf *m = pkts[i];
		uint8_t *p = sl_pktmbuf_mtod(m, uint8_t *);
		memcpy(p, fs->tx_template, TXONLY_HDR_LEN);
		/* flows differ by UDP source port (no checksum to update) */
		uint16_t sport = (uint16_t)(1024 + flow);
		p[34] = (uint8_t)(sport >> 8);
		p[35] = (uint8_t)sport;
		if (++flow >= fs->txflows)
			flow = 0;
		m->data_len = fs->txpkts;
		m->pkt_len = fs->txpkts;
		m->port = fs->tx_port;
	}
	fs->flow = flow;
	uint16_t nb_tx = sl_eth_tx_burst(fs->tx_port, fs->tx_queue, pkts, nb);
	fs->tx_packets += nb_tx;
	drop_unsent(fs, pkts, nb, nb_tx);
	fs->core_cycles += sl_rdtsc() - start;
}

/* One loop per mode, with the stream function inlined. */
#define DEFINE_FWD_LOOP(mode) \
	static int fwd_loop_##mode(void *arg) \
	{ \
		struct fwd_lcore *fc = arg; \
		struct fwd_stream *streams = fc->streams; \
		const unsigned n = fc->nb_streams; \
		while (!__atomic_load_n(&fwd_stop, __ATOMIC_RELAXED)) { \
			if (sl_unlikely(__atomic_load_n(&refill_gen, __ATOMIC_ACQUIRE) != fc->refill_seen)) \
				lcore_refill(fc); \
			for (unsigned i = 0; i < n; i++) \
				fwd_##mode(&streams[i]); \
		} \
		return 0; \
	}
DEFINE_FWD_LOOP(io)
DEFINE_FWD_LOOP(mac)
DEFINE_FWD_LOOP(macswap)
DEFINE_FWD_LOOP(rxonly)
DEFINE_FWD_LOOP(txonly)

const sl_lcore_function_t fwd_loops[] = {
	[FWD_IO] = fwd_loop_io,
	[FWD_MAC] = fwd_loop_mac,
	[FWD_MACSWAP] = fwd_loop_macswap,
	[FWD_RXONLY] = fwd_loop_rxonly,
	[FWD_TXONLY] = fwd_loop_txonly,
};

/* TX_FIRST bursts of 64-byte UDP packets on stream FS; the frames sent, or
 * -1 when the pool ran dry (message printed). */
static long stream_send_first(const struct app *a, const struct fwd_stream *fs)
{
	const struct options *o = &a->opt;
	uint8_t t[TXONLY_HDR_LEN];
	long sent = 0;
	build_tx_template(t, fs->tx_port, 64);
	for (unsigned b = 0; b < o->tx_first; b++) {
		struct sl_mbuf *m[MAX_BURST];
		if (sl_pktmbuf_alloc_bulk(a->mp, m, o->burst) != 0) {
			fprintf(stderr, APP ": --tx-first: out of mbufs after %u bursts; give fewer bursts or "
				"more mbufs (--total-num-mbufs)\n", b);
			return -1;
		}
		for (unsigned i = 0; i < o->burst; i++) {
			uint8_t *d = sl_pktmbuf_mtod(m[i], uint8_t *);
			memcpy(d, t, TXONLY_HDR_LEN);
			memset(d + TXONLY_HDR_LEN, 0, 64 - TXONLY_HDR_LEN);
			m[i]->data_len = 64;
			m[i]->pkt_len = 64;
		}
		uint16_t k = sl_eth_tx_burst(fs->tx_port, fs->tx_queue, m, (uint16_t)o->burst);
		if (k < o->burst)
			sl_pktmbuf_free_bulk(&m[k], o->burst - k);
		sent += k;
	}
	return sent;
}

int send_tx_first(const struct app *a)
{
	for (unsigned s = 0; s < a->nb_streams; s++)
		if (stream_send_first(a, &a->streams[s]) < 0)
			return -1;
	return 0;
}

const struct app *the_app; /* for lcore_refill */

static void lcore_refill(struct fwd_lcore *fc)
{
	fc->refill_seen = __atomic_load_n(&refill_gen, __ATOMIC_ACQUIRE);
	if (the_app == NULL || the_app->opt.tx_first == 0)
		return;
	for (unsigned i = 0; i < fc->nb_streams; i++) {
		long n = stream_send_first(the_app, &fc->streams[i]);
		if (n > 0)
			fc->refills += (uint64_t)n;
	}
}
