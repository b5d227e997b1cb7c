/* testpmd-lite: a forwarding and throughput tool in the manner of DPDK's
 * testpmd. It sets up every port with the same queues on one mbuf pool,
 * builds forwarding streams (rx port/queue -> tx port/queue of the paired
 * port), runs them on worker lcores in one of the modes io, mac, macswap,
 * rxonly or txonly, prints periodic statistics from the main lcore and a
 * final summary (packets, Mpps, Gbit/s, cycles per packet), as text or JSON.
 *
 * Cycles per packet means what DPDK 22.11 testpmd's --record-core-cycles
 * prints: each stream adds the TSC ticks from just before its rx burst to
 * just after its tx burst, for bursts that received something (txonly: from
 * before the mbuf allocation to after the tx burst, for every burst that got
 * mbufs); the sum over all streams is divided by the packets received on the
 * forwarding ports (by the packets sent, in txonly mode), as the ports'
 * statistics count them.
 *
 * Usage: testpmd-lite [EAL options] -- [options]; see usage() below. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sl_eal.h"
#include "sl_ethdev.h"
#include "sl_mbuf.h"
#include "sl_mempool.h"

#define APP "testpmd-lite"
#define MAX_BURST 512
#define DEFAULT_BURST 32
#define MBUF_CACHE_SIZE 250
#define TXONLY_HDR_LEN (14 + 20 + 8)

enum fwd_mode { FWD_IO, FWD_MAC, FWD_MACSWAP, FWD_RXONLY, FWD_TXONLY };
static const char *const fwd_mode_names[] = {"io", "mac", "macswap", "rxonly", "txonly"};

struct options {
	enum fwd_mode mode;
	unsigned burst;
	unsigned nb_cores;
	unsigned nb_rxq, nb_txq;
	unsigned nb_rxd, nb_txd;
	unsigned txpkts;
	unsigned txflows;
	double stats_period;
	double run_time;
	uint64_t max_packets;
	unsigned total_mbufs;
	unsigned tx_first;      /* bursts each stream sends before forwarding starts */
	bool json;
	bool link_watch;        /* --link-watch: report link changes; with --tx-first, refill on link up */
	uint64_t rss_hf;        /* --rss-ip/--rss-udp: hash types (0: the port's default) */
	const char *rss_opt;    /* which of them, for messages */
};

/* One rx queue -> tx queue path, polled by one lcore. Its counters are
 * written only by that lcore and read after it has been waited for. */
struct fwd_stream {
	uint16_t rx_port, rx_queue;
	uint16_t tx_port, tx_queue;
	uint16_t burst;
	uint16_t txpkts;
	uint16_t txflows;
	uint16_t flow;                  /* txonly: next flow index */
	struct sl_ether_addr eth_src;   /* mac, txonly: tx port's address */
	struct sl_ether_addr eth_dst;   /* mac, txonly: the peer's address */
	struct sl_mempool *mp;          /* txonly: where packets come from */
	const uint8_t *tx_template;     /* txonly: Ethernet/IPv4/UDP header */
	uint64_t rx_packets;
	uint64_t tx_packets;
	uint64_t fwd_dropped;
	uint64_t core_cycles;
} sl_cache_aligned;

struct fwd_lcore {
	unsigned lcore_id;
	struct fwd_stream *streams;
	unsigned nb_streams;
	unsigned refill_seen;   /* --link-watch: the refill_gen this lcore has served */
	uint64_t refills;       /* frames it injected again */
};

/* --eth-peer=N,MAC: the destination mac mode and txonly give frames leaving
 * port N (DPDK testpmd's peer_eth_addrs); default 02:00:00:00:00:<N>. */
static struct sl_ether_addr eth_peer[SL_MAX_ETHPORTS];
static bool eth_peer_set[SL_MAX_ETHPORTS];

static volatile sig_atomic_t signal_received;
static int fwd_stop; /* read with __atomic_load_n by the forwarding lcores */
/* --link-watch with --tx-first: bumped by the main lcore when a port's link
 * comes back up; each forwarding lcore then sends the --tx-first bursts
 * again on its streams (frames sent while a link was down are gone, and io
 * forwarding only moves what it receives). */
static unsigned refill_gen;
static void lcore_refill(struct fwd_lcore *fc);

static void on_signal(int signo)
{
	signal_received = signo;
}

/* ---- forwarding ------------------------------------------------------------ */

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

static const sl_lcore_function_t fwd_loops[] = {
	[FWD_IO] = fwd_loop_io,
	[FWD_MAC] = fwd_loop_mac,
	[FWD_MACSWAP] = fwd_loop_macswap,
	[FWD_RXONLY] = fwd_loop_rxonly,
	[FWD_TXONLY] = fwd_loop_txonly,
};

/* ---- options ---------------------------------------------------------------- */

static void usage(FILE *f, const char *prg)
{
	fprintf(f,
		"Usage: %s [EAL options] -- [options]\n"
		"  --forward-mode=MODE  io (default), mac, macswap, rxonly, txonly\n"
		"  --burst=N            packets per burst, 1..%d (default %d)\n"
		"  --nb-cores=N         forwarding lcores (default 1; needs N worker lcores in -l)\n"
		"  --rxq=N --txq=N      queues per port (default 1)\n"
		"  --rxd=N --txd=N      descriptors per queue (default: the port's preferred size;\n"
		"                       a size the port cannot take is brought within its limits)\n"
		"  --txpkts=SIZE        txonly packet size in bytes, %d..2048 (default 64)\n"
		"  --txflows=N          txonly: number of UDP flows (default 1)\n"
		"  --stats-period=SEC   print port statistics every SEC seconds (default 0: never)\n"
		"  --run-time=SEC       stop after SEC seconds\n"
		"  --max-packets=N      stop once N packets were received (sent, in txonly)\n"
		"  --total-num-mbufs=N  size of the mbuf pool (default: from ports, queues, lcores)\n"
		"  --tx-first=N         send N bursts of 64-byte UDP packets on every stream before\n"
		"                       forwarding (like dpdk-testpmd's 'start tx_first N'): traffic\n"
		"                       for io/mac forwarding between two wired NICs\n"
		"  --rss-ip             with --rxq > 1: RSS on IP addresses only (SL_ETH_RSS_IP)\n"
		"  --rss-udp            with --rxq > 1: RSS on UDP addresses and ports only (SL_ETH_RSS_UDP)\n"
		"                       (like dpdk-testpmd's; the types the port cannot hash on are left\n"
		"                       out. Default: every type the port supports)\n"
		"  --eth-peer=N,MAC     destination address of frames leaving port N in mac and txonly\n"
		"                       modes (default 02:00:00:00:00:N, as dpdk-testpmd)\n"
		"  --link-watch         report each port's link going down and up (main lcore, every 10 ms);\n"
		"                       with --tx-first, send those bursts again when a link comes back up\n"
		"  --json               print the final summary as one JSON object on stdout\n"
		"  --help\n"
		"Without --run-time or --max-packets it runs until SIGINT/SIGTERM (Ctrl-C).\n",
		prg, MAX_BURST, DEFAULT_BURST, TXONLY_HDR_LEN);
}

static int parse_u64(const char *opt, const char *val, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(val, &end, 0);
	if (errno != 0 || end == val || *end != '\0' || val[0] == '-' || v < min || v > max) {
		fprintf(stderr, APP ": --%s=%s: give a whole number from %" PRIu64 " to %" PRIu64 "\n", opt, val,
			min, max);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_uint(const char *opt, const char *val, unsigned min, unsigned max, unsigned *out)
{
	uint64_t v;
	if (parse_u64(opt, val, min, max, &v) != 0)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int parse_seconds(const char *opt, const char *val, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(val, &end);
	if (errno != 0 || end == val || *end != '\0' || !(v >= 0) || v > 1e7) {
		fprintf(stderr, APP ": --%s=%s: give a number of seconds (e.g. 5 or 0.5)\n", opt, val);
		return -1;
	}
	*out = v;
	return 0;
}

/* 0 ok, 1 help printed, -1 error (message printed). */
static int parse_app_args(int argc, char **argv, struct options *o)
{
	enum { O_MODE = 256, O_BURST, O_CORES, O_RXQ, O_TXQ, O_RXD, O_TXD, O_TXPKTS, O_TXFLOWS, O_PERIOD,
	       O_RUNTIME, O_MAXPKTS, O_MBUFS, O_TXFIRST, O_JSON, O_HELP, O_RSS_IP, O_RSS_UDP, O_ETH_PEER, O_LINKWATCH };
	static const struct option longopts[] = {
		{"forward-mode", required_argument, NULL, O_MODE},
		{"burst", required_argument, NULL, O_BURST},
		{"nb-cores", required_argument, NULL, O_CORES},
		{"rxq", required_argument, NULL, O_RXQ},
		{"txq", required_argument, NULL, O_TXQ},
		{"rxd", required_argument, NULL, O_RXD},
		{"txd", required_argument, NULL, O_TXD},
		{"txpkts", required_argument, NULL, O_TXPKTS},
		{"txflows", required_argument, NULL, O_TXFLOWS},
		{"stats-period", required_argument, NULL, O_PERIOD},
		{"run-time", required_argument, NULL, O_RUNTIME},
		{"max-packets", required_argument, NULL, O_MAXPKTS},
		{"total-num-mbufs", required_argument, NULL, O_MBUFS},
		{"tx-first", required_argument, NULL, O_TXFIRST},
		{"json", no_argument, NULL, O_JSON},
		{"link-watch", no_argument, NULL, O_LINKWATCH},
		{"rss-ip", no_argument, NULL, O_RSS_IP},
		{"rss-udp", no_argument, NULL, O_RSS_UDP},
		{"eth-peer", required_argument, NULL, O_ETH_PEER},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	*o = (struct options){
		.mode = FWD_IO, .burst = DEFAULT_BURST, .nb_cores = 1, .nb_rxq = 1, .nb_txq = 1,
		.nb_rxd = 0, .nb_txd = 0, .txpkts = 64, .txflows = 1,
	};
	optind = 0; /* the EAL may have used getopt: start afresh */
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		int r = 0;
		switch (c) {
		case O_MODE: {
			unsigned i;
			for (i = 0; i < SL_DIM(fwd_mode_names); i++)
				if (strcmp(optarg, fwd_mode_names[i]) == 0)
					break;
			if (i == SL_DIM(fwd_mode_names)) {
				fprintf(stderr, APP ": --forward-mode=%s: unknown mode; use io, mac, macswap, rxonly or txonly\n",
					optarg);
				return -1;
			}
			o->mode = (enum fwd_mode)i;
			break;
		}
		case O_BURST: r = parse_uint("burst", optarg, 1, MAX_BURST, &o->burst); break;
		case O_CORES: r = parse_uint("nb-cores", optarg, 1, SL_MAX_LCORE, &o->nb_cores); break;
		case O_RXQ: r = parse_uint("rxq", optarg, 1, SL_MAX_QUEUES_PER_PORT, &o->nb_rxq); break;
		case O_TXQ: r = parse_uint("txq", optarg, 1, SL_MAX_QUEUES_PER_PORT, &o->nb_txq); break;
		case O_RXD: r = parse_uint("rxd", optarg, 1, 32768, &o->nb_rxd); break;
		case O_TXD: r = parse_uint("txd", optarg, 1, 32768, &o->nb_txd); break;
		case O_TXPKTS: r = parse_uint("txpkts", optarg, TXONLY_HDR_LEN, SL_MBUF_DEFAULT_DATAROOM, &o->txpkts); break;
		case O_TXFLOWS: r = parse_uint("txflows", optarg, 1, 64512, &o->txflows); break;
		case O_PERIOD: r = parse_seconds("stats-period", optarg, &o->stats_period); break;
		case O_RUNTIME: r = parse_seconds("run-time", optarg, &o->run_time); break;
		case O_MAXPKTS: r = parse_u64("max-packets", optarg, 1, UINT64_MAX, &o->max_packets); break;
		case O_MBUFS: r = parse_uint("total-num-mbufs", optarg, 64, 1u << 24, &o->total_mbufs); break;
		case O_TXFIRST: r = parse_uint("tx-first", optarg, 1, 4096, &o->tx_first); break;
		case O_JSON: o->json = true; break;
		case O_LINKWATCH: o->link_watch = true; break;
		case O_RSS_IP: o->rss_hf = SL_ETH_RSS_IP; o->rss_opt = "--rss-ip"; break;
		case O_RSS_UDP: o->rss_hf = SL_ETH_RSS_UDP; o->rss_opt = "--rss-udp"; break;
		case O_ETH_PEER: {
			unsigned n, b[6];
			char end;
			if (sscanf(optarg, "%u,%2x:%2x:%2x:%2x:%2x:%2x%c", &n, &b[0], &b[1], &b[2], &b[3], &b[4],
				   &b[5], &end) != 7 || n >= SL_MAX_ETHPORTS) {
				fprintf(stderr, APP ": --eth-peer=%s: give PORT,MAC (e.g. 0,52:54:00:12:34:56), "
					"PORT below %u\n", optarg, SL_MAX_ETHPORTS);
				return -1;
			}
			for (int i = 0; i < 6; i++)
				eth_peer[n].addr_bytes[i] = (uint8_t)b[i];
			eth_peer_set[n] = true;
			break;
		}
		case O_HELP: usage(stdout, argv[0]); return 1;
		default:
			fprintf(stderr, APP ": unknown or incomplete option '%s' (see --help)\n", argv[optind - 1]);
			return -1;
		}
		if (r != 0)
			return -1;
	}
	if (optind < argc) {
		fprintf(stderr, APP ": unexpected argument '%s' (application options go after '--'; see --help)\n",
			argv[optind]);
		return -1;
	}
	return 0;
}

/* ---- set-up ----------------------------------------------------------------- */

struct port_totals {
	uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes;
	uint64_t rx_missed, rx_errors, tx_errors, rx_nombuf;
};

struct app {
	struct options opt;
	uint16_t ports[SL_MAX_ETHPORTS];
	unsigned nb_ports;
	bool port_started[SL_MAX_ETHPORTS];
	struct sl_mempool *mp;
	struct fwd_stream *streams;
	unsigned nb_streams;
	struct fwd_lcore lcores[SL_MAX_LCORE];
	unsigned nb_fwd_lcores;
	uint16_t nb_rxd[SL_MAX_ETHPORTS], nb_txd[SL_MAX_ETHPORTS]; /* per port, as set up */
	struct sl_eth_stats base[SL_MAX_ETHPORTS]; /* at the start of forwarding */
	/* device removal (sl_eth_dev_is_removed, polled by the main loop) */
	bool removed[SL_MAX_ETHPORTS];
	double removed_at_s[SL_MAX_ETHPORTS];     /* since forwarding started */
	unsigned nb_removed;
	double first_removal_s;
	struct port_totals at_removal[SL_MAX_ETHPORTS]; /* every port, at the first removal */
	/* --link-watch */
	uint8_t link_status[SL_MAX_ETHPORTS];
	unsigned link_downs[SL_MAX_ETHPORTS], link_ups[SL_MAX_ETHPORTS];
	double last_link_up_s;
	struct port_totals at_link_up[SL_MAX_ETHPORTS]; /* every port, at the last link up */
	uint8_t tx_template[SL_MAX_ETHPORTS][TXONLY_HDR_LEN];
};

static struct sl_ether_addr peer_addr(uint16_t port)
{
	/* --eth-peer, else testpmd's default peer addresses: 02:00:00:00:00:<port> */
	struct sl_ether_addr a = {{0x02, 0, 0, 0, 0, (uint8_t)port}};
	return eth_peer_set[port] ? eth_peer[port] : a;
}

static uint16_t ip_checksum(const uint8_t *hdr, unsigned len)
{
	uint32_t sum = 0;
	for (unsigned i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(hdr[i] << 8 | hdr[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Ethernet + IPv4 + UDP header for txonly packets leaving TX_PORT. */
static void build_tx_template(uint8_t *t, uint16_t tx_port, unsigned pkt_len)
{
	struct sl_ether_addr src, dst = peer_addr(tx_port);
	sl_eth_macaddr_get(tx_port, &src);
	memset(t, 0, TXONLY_HDR_LEN);
	memcpy(t, dst.addr_bytes, 6);
	memcpy(t + 6, src.addr_bytes, 6);
	t[12] = 0x08; /* IPv4 */
	t[13] = 0x00;
	uint8_t *ip = t + 14;
	unsigned ip_len = pkt_len - 14;
	ip[0] = 0x45;
	ip[2] = (uint8_t)(ip_len >> 8);
	ip[3] = (uint8_t)ip_len;
	ip[8] = 64;  /* TTL */
	ip[9] = 17;  /* UDP */
	const uint8_t sip[4] = {198, 18, 0, 1}, dip[4] = {198, 18, 0, 2};
	memcpy(ip + 12, sip, 4);
	memcpy(ip + 16, dip, 4);
	uint16_t ck = ip_checksum(ip, 20);
	ip[10] = (uint8_t)(ck >> 8);
	ip[11] = (uint8_t)ck;
	uint8_t *udp = ip + 20;
	unsigned udp_len = ip_len - 20;
	udp[0] = 1024 >> 8; /* source port: 1024 + flow */
	udp[1] = 1024 & 0xff;
	udp[2] = 0x04; /* destination port 1025 */
	udp[3] = 0x01;
	udp[4] = (uint8_t)(udp_len >> 8);
	udp[5] = (uint8_t)udp_len;
}

/* The port configuration: RSS over the types --rss-ip/--rss-udp ask for
 * that port P can hash on, only with more than one rx queue; a zeroed conf
 * (RSS over everything the port supports) otherwise. When the port can hash
 * on none of them it goes without RSS (every frame on queue 0), with a
 * warning: what dpdk-testpmd does. */
static int port_conf(const struct options *o, uint16_t p, struct sl_eth_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	if (o->rss_hf == 0 || o->nb_rxq < 2)
		return 0;
	struct sl_eth_dev_info info;
	int ret = sl_eth_dev_info_get(p, &info);
	if (ret != 0)
		return ret;
	uint64_t hf = o->rss_hf & info.flow_type_rss_offloads;
	if (hf == 0) {
		fprintf(stderr, APP ": port %u (%s): %s: %s cannot hash on those types (it can on 0x%" PRIx64
			"), so RSS is off: every frame goes to rx queue 0\n", p, sl_eth_dev_name(p), o->rss_opt,
			info.driver_name, info.flow_type_rss_offloads);
		conf->rx_mq_mode = SL_ETH_MQ_RX_NONE;
		return 0;
	}
	conf->rx_mq_mode = SL_ETH_MQ_RX_RSS;
	conf->rss_conf.rss_hf = hf;
	return 0;
}

/* With RSS in use, say over which types (on stderr with --json). */
static void print_rss(const struct options *o, uint16_t p)
{
	struct sl_eth_dev_info info;
	struct sl_eth_rss_conf rc = {0};
	if (o->nb_rxq < 2 || sl_eth_dev_info_get(p, &info) != 0 || info.flow_type_rss_offloads == 0 ||
	    sl_eth_dev_rss_hash_conf_get(p, &rc) != 0 || rc.rss_hf == 0)
		return;
	fprintf(o->json ? stderr : stdout, "port %u (%s): RSS over %u rx queues, hash types 0x%" PRIx64 "\n", p,
		sl_eth_dev_name(p), o->nb_rxq, rc.rss_hf);
}

/* Descriptors per queue for each port, as dpdk-testpmd chooses them: the
 * port's preferred size unless --rxd/--txd asked for one, and what was
 * asked brought within the port's limits (said when it changes). */
static int choose_ring_sizes(struct app *a)
{
	const struct options *o = &a->opt;
	for (unsigned i = 0; i < a->nb_ports; i++) {
		uint16_t p = a->ports[i];
		struct sl_eth_dev_info info;
		int ret = sl_eth_dev_info_get(p, &info);
		if (ret != 0) {
			fprintf(stderr, APP ": port %u: cannot read its limits: %s\n", p, strerror(-ret));
			return -1;
		}
		uint16_t rxd = o->nb_rxd ? (uint16_t)o->nb_rxd : info.rx_desc_default;
		uint16_t txd = o->nb_txd ? (uint16_t)o->nb_txd : info.tx_desc_default;
		sl_eth_dev_adjust_nb_rx_tx_desc(p, &rxd, &txd);
		if (o->nb_rxd && rxd != o->nb_rxd)
			fprintf(stderr, APP ": port %u (%s): --rxd=%u adjusted to %u (the port takes %u to %u, multiples of %u)\n",
				p, info.name, o->nb_rxd, rxd, info.rx_desc_min, info.rx_desc_max, info.rx_desc_align);
		if (o->nb_txd && txd != o->nb_txd)
			fprintf(stderr, APP ": port %u (%s): --txd=%u adjusted to %u (the port takes %u to %u, multiples of %u)\n",
				p, info.name, o->nb_txd, txd, info.tx_desc_min, info.tx_desc_max, info.tx_desc_align);
		a->nb_rxd[i] = rxd;
		a->nb_txd[i] = txd;
	}
	return 0;
}

static int setup_ports(struct app *a)
{
	const struct options *o = &a->opt;
	for (unsigned i = 0; i < a->nb_ports; i++) {
		uint16_t p = a->ports[i];
		struct sl_eth_conf conf;
		int ret = port_conf(o, p, &conf);
		if (ret == 0)
			ret = sl_eth_dev_configure(p, (uint16_t)o->nb_rxq, (uint16_t)o->nb_txq, &conf);
		for (unsigned q = 0; ret == 0 && q < o->nb_rxq; q++)
			ret = sl_eth_rx_queue_setup(p, (uint16_t)q, a->nb_rxd[i], NULL, a->mp);
		for (unsigned q = 0; ret == 0 && q < o->nb_txq; q++)
			ret = sl_eth_tx_queue_setup(p, (uint16_t)q, a->nb_txd[i], NULL);
		if (ret == 0)
			ret = sl_eth_dev_start(p);
		if (ret != 0) {
			fprintf(stderr, APP ": cannot set up port %u (%s): %s\n", p, sl_eth_dev_name(p), strerror(-ret));
			return -1;
		}
		a->port_started[i] = true;
		print_rss(o, p);
		ret = sl_eth_promiscuous_enable(p);
		if (ret != 0 && ret != -ENOTSUP)
			fprintf(stderr, APP ": port %u: cannot enable promiscuous mode: %s\n", p, strerror(-ret));
		if (o->mode == FWD_TXONLY)
			build_tx_template(a->tx_template[i], p, o->txpkts);
	}
	return 0;
}

/* Streams: every rx queue of every port forwards to the paired port
 * (0<->1, 2<->3, ...; an odd last port to itself), tx queue = rx queue
 * modulo the tx queue count; then spread over the forwarding lcores in
 * contiguous blocks. */
static int setup_streams(struct app *a)
{
	const struct options *o = &a->opt;
	a->nb_streams = a->nb_ports * o->nb_rxq;
	a->streams = aligned_alloc(SL_CACHE_LINE_SIZE, sizeof(struct fwd_stream) * a->nb_streams);
	if (a->streams == NULL) {
		fprintf(stderr, APP ": out of memory for %u streams\n", a->nb_streams);
		return -1;
	}
	memset(a->streams, 0, sizeof(struct fwd_stream) * a->nb_streams);
	unsigned s = 0;
	for (unsigned i = 0; i < a->nb_ports; i++) {
		unsigned peer_idx = (i % 2 == 0) ? (i + 1 < a->nb_ports ? i + 1 : i) : i - 1;
		for (unsigned q = 0; q < o->nb_rxq; q++, s++) {
			struct fwd_stream *fs = &a->streams[s];
			fs->rx_port = a->ports[i];
			fs->rx_queue = (uint16_t)q;
			fs->tx_port = a->ports[peer_idx];
			fs->tx_queue = (uint16_t)(q % o->nb_txq);
			fs->burst = (uint16_t)o->burst;
			fs->txpkts = (uint16_t)o->txpkts;
			fs->txflows = (uint16_t)o->txflows;
			fs->mp = a->mp;
			fs->tx_template = a->tx_template[peer_idx];
			sl_eth_macaddr_get(fs->tx_port, &fs->eth_src);
			fs->eth_dst = peer_addr(fs->tx_port);
		}
	}

	unsigned workers = 0;
	unsigned lc;
	SL_LCORE_FOREACH_WORKER(lc)
		workers++;
	if (workers == 0) {
		fprintf(stderr, APP ": no worker lcore to forward on: give the main lcore and at least one more, "
			"e.g. -l 0-1\n");
		return -1;
	}
	if (o->nb_cores > workers) {
		fprintf(stderr, APP ": --nb-cores=%u but the EAL lcore list has only %u worker lcore%s; "
			"add lcores with -l or lower --nb-cores\n", o->nb_cores, workers, workers == 1 ? "" : "s");
		return -1;
	}
	a->nb_fwd_lcores = o->nb_cores < a->nb_streams ? o->nb_cores : a->nb_streams;
	unsigned k = 0;
	unsigned *owner = calloc(a->nb_streams, sizeof(unsigned)); /* stream -> lcore index */
	if (owner == NULL)
		return -1;
	SL_LCORE_FOREACH_WORKER(lc) {
		if (k == a->nb_fwd_lcores)
			break;
		unsigned first = k * a->nb_streams / a->nb_fwd_lcores;
		unsigned last = (k + 1) * a->nb_streams / a->nb_fwd_lcores;
		a->lcores[k] = (struct fwd_lcore){.lcore_id = lc, .streams = &a->streams[first],
						  .nb_streams = last - first};
		for (unsigned x = first; x < last; x++)
			owner[x] = k;
		k++;
	}
	/* A tx queue is not thread safe: it must belong to one lcore. */
	for (unsigned x = 0; x < a->nb_streams; x++) {
		for (unsigned y = x + 1; y < a->nb_streams; y++) {
			const struct fwd_stream *fx = &a->streams[x], *fy = &a->streams[y];
			if (fx->tx_port == fy->tx_port && fx->tx_queue == fy->tx_queue && owner[x] != owner[y]) {
				fprintf(stderr, APP ": tx queue %u of port %u would be used by two forwarding lcores; "
					"give at least as many tx queues as rx queues (--txq=%u)\n",
					fx->tx_queue, fx->tx_port, o->nb_rxq);
				free(owner);
				return -1;
			}
		}
	}
	free(owner);
	return 0;
}

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

/* --tx-first: every stream sends TX_FIRST bursts of 64-byte UDP packets
 * from the main lcore before the forwarding lcores start. */
static int send_tx_first(const struct app *a)
{
	for (unsigned s = 0; s < a->nb_streams; s++)
		if (stream_send_first(a, &a->streams[s]) < 0)
			return -1;
	return 0;
}

static const struct app *the_app; /* for lcore_refill */

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

/* ---- statistics ------------------------------------------------------------ */

static void port_delta(const struct app *a, unsigned i, struct port_totals *t)
{
	struct sl_eth_stats st;
	memset(t, 0, sizeof(*t));
	if (sl_eth_stats_get(a->ports[i], &st) != 0)
		return;
	const struct sl_eth_stats *b = &a->base[i];
	t->rx_packets = st.ipackets - b->ipackets;
	t->tx_packets = st.opackets - b->opackets;
	t->rx_bytes = st.ibytes - b->ibytes;
	t->tx_bytes = st.obytes - b->obytes;
	t->rx_missed = st.imissed - b->imissed;
	t->rx_errors = st.ierrors - b->ierrors;
	t->tx_errors = st.oerrors - b->oerrors;
	t->rx_nombuf = st.rx_nombuf - b->rx_nombuf;
}

/* Packets that the run is measured by: received, or sent in txonly. */
static uint64_t counted_packets(const struct app *a)
{
	uint64_t n = 0;
	for (unsigned i = 0; i < a->nb_ports; i++) {
		struct port_totals t;
		port_delta(a, i, &t);
		n += a->opt.mode == FWD_TXONLY ? t.tx_packets : t.rx_packets;
	}
	return n;
}

static void print_periodic(const struct app *a, struct port_totals *prev, double interval_s, FILE *f)
{
	for (unsigned i = 0; i < a->nb_ports; i++) {
		struct port_totals t;
		port_delta(a, i, &t);
		double rx_pps = interval_s > 0 ? (double)(t.rx_packets - prev[i].rx_packets) / interval_s : 0;
		double tx_pps = interval_s > 0 ? (double)(t.tx_packets - prev[i].tx_packets) / interval_s : 0;
		fprintf(f, "port %u (%s): rx %" PRIu64 " tx %" PRIu64 " | rx %.3f Mpps tx %.3f Mpps | missed %" PRIu64
			" nombuf %" PRIu64 "\n", a->ports[i], sl_eth_dev_name(a->ports[i]), t.rx_packets, t.tx_packets,
			rx_pps / 1e6, tx_pps / 1e6, t.rx_missed, t.rx_nombuf);
		prev[i] = t;
	}
	/* what a soak run watches: mbufs neither leaked nor lost over time */
	if (a->mp != NULL)
		fprintf(f, "mbufs: %u available, %u in use\n", sl_mempool_avail_count(a->mp),
			sl_mempool_in_use_count(a->mp));
	fflush(f);
}

static void print_summary(const struct app *a, double elapsed_s, const char *stop_reason)
{
	const struct options *o = &a->opt;
	struct port_totals pt[SL_MAX_ETHPORTS], tot = {0};
	uint64_t port_dropped[SL_MAX_ETHPORTS] = {0};
	uint64_t cycles = 0, fwd_dropped = 0;

	for (unsigned s = 0; s < a->nb_streams; s++) {
		const struct fwd_stream *fs = &a->streams[s];
		cycles += fs->core_cycles;
		fwd_dropped += fs->fwd_dropped;
		for (unsigned i = 0; i < a->nb_ports; i++)
			if (a->ports[i] == fs->tx_port)
				port_dropped[i] += fs->fwd_dropped;
	}
	for (unsigned i = 0; i < a->nb_ports; i++) {
		port_delta(a, i, &pt[i]);
		tot.rx_packets += pt[i].rx_packets;
		tot.tx_packets += pt[i].tx_packets;
		tot.rx_bytes += pt[i].rx_bytes;
		tot.tx_bytes += pt[i].tx_bytes;
		tot.rx_missed += pt[i].rx_missed;
		tot.rx_nombuf += pt[i].rx_nombuf;
		tot.tx_errors += pt[i].tx_errors;
	}
	bool tx_counted = o->mode == FWD_TXONLY;
	uint64_t pkts = tx_counted ? tot.tx_packets : tot.rx_packets;
	uint64_t bytes = tx_counted ? tot.tx_bytes : tot.rx_bytes;
	double mpps = elapsed_s > 0 ? (double)pkts / elapsed_s / 1e6 : 0;
	double gbps = elapsed_s > 0 ? (double)bytes * 8 / elapsed_s / 1e9 : 0;
	double cpp = pkts > 0 ? (double)cycles / (double)pkts : 0;
	uint64_t hz = sl_tsc_hz();

	if (o->json) {
		printf("{\n  \"forward_mode\": \"%s\",\n  \"burst\": %u,\n  \"nb_cores\": %u,\n  \"nb_rxq\": %u,\n"
		       "  \"nb_txq\": %u,\n  \"stopped_by\": \"%s\",\n  \"duration_s\": %.6f,\n  \"tsc_hz\": %" PRIu64 ",\n"
		       "  \"ports\": [",
		       fwd_mode_names[o->mode], o->burst, a->nb_fwd_lcores, o->nb_rxq, o->nb_txq, stop_reason,
		       elapsed_s, hz);
		for (unsigned i = 0; i < a->nb_ports; i++) {
			struct sl_ether_addr mac, peer = peer_addr(a->ports[i]);
			sl_eth_macaddr_get(a->ports[i], &mac);
			const uint8_t *m = mac.addr_bytes, *q = peer.addr_bytes;
			printf("%s\n    {\"port\": %u, \"name\": \"%s\", \"mac\": \"%02x:%02x:%02x:%02x:%02x:%02x\", "
			       "\"eth_peer\": \"%02x:%02x:%02x:%02x:%02x:%02x\", \"rx_packets\": %" PRIu64 ", \"tx_packets\": %" PRIu64
			       ", \"rx_bytes\": %" PRIu64 ", \"tx_bytes\": %" PRIu64 ", \"rx_missed\": %" PRIu64
			       ", \"rx_nombuf\": %" PRIu64 ", \"tx_errors\": %" PRIu64 ", \"fwd_dropped\": %" PRIu64
			       ", \"removed\": %s, \"removed_at_s\": %.3f, \"rx_packets_at_removal\": %" PRIu64
			       ", \"tx_packets_at_removal\": %" PRIu64 ", \"link_downs\": %u, \"link_ups\": %u"
			       ", \"rx_packets_at_link_up\": %" PRIu64 ", \"tx_packets_at_link_up\": %" PRIu64 "}",
			       i ? "," : "", a->ports[i], sl_eth_dev_name(a->ports[i]), m[0], m[1], m[2], m[3], m[4],
			       m[5], q[0], q[1], q[2], q[3], q[4], q[5], pt[i].rx_packets,
			       pt[i].tx_packets, pt[i].rx_bytes, pt[i].tx_bytes, pt[i].rx_missed, pt[i].rx_nombuf,
			       pt[i].tx_errors, port_dropped[i], a->removed[i] ? "true" : "false",
			       a->removed[i] ? a->removed_at_s[i] : 0.0, a->at_removal[i].rx_packets,
			       a->at_removal[i].tx_packets, a->link_downs[i], a->link_ups[i], a->at_link_up[i].rx_packets,
			       a->at_link_up[i].tx_packets);
		}
		printf("\n  ],\n  \"streams\": [");
		for (unsigned s = 0; s < a->nb_streams; s++) {
			const struct fwd_stream *fs = &a->streams[s];
			printf("%s\n    {\"rx_port\": %u, \"rx_queue\": %u, \"tx_port\": %u, \"tx_queue\": %u, "
			       "\"rx_packets\": %" PRIu64 ", \"tx_packets\": %" PRIu64 ", \"fwd_dropped\": %" PRIu64
			       ", \"core_cycles\": %" PRIu64 "}",
			       s ? "," : "", fs->rx_port, fs->rx_queue, fs->tx_port, fs->tx_queue, fs->rx_packets,
			       fs->tx_packets, fs->fwd_dropped, fs->core_cycles);
		}
		printf("\n  ],\n  \"total\": {\"rx_packets\": %" PRIu64 ", \"tx_packets\": %" PRIu64
		       ", \"rx_bytes\": %" PRIu64 ", \"tx_bytes\": %" PRIu64 ", \"rx_missed\": %" PRIu64
		       ", \"rx_nombuf\": %" PRIu64 ", \"tx_errors\": %" PRIu64 ", \"fwd_dropped\": %" PRIu64 "},\n",
		       tot.rx_packets, tot.tx_packets, tot.rx_bytes, tot.tx_bytes, tot.rx_missed, tot.rx_nombuf,
		       tot.tx_errors, fwd_dropped);
		uint64_t refilled = 0;
		for (unsigned k = 0; k < a->nb_fwd_lcores; k++)
			refilled += a->lcores[k].refills;
		printf("  \"ports_removed\": %u,\n  \"first_removal_s\": %.3f,\n", a->nb_removed, a->first_removal_s);
		printf("  \"last_link_up_s\": %.3f,\n  \"refilled_packets\": %" PRIu64 ",\n", a->last_link_up_s, refilled);
		printf("  \"packets\": %" PRIu64 ",\n  \"mpps\": %.4f,\n  \"gbps\": %.4f,\n"
		       "  \"core_cycles\": %" PRIu64 ",\n  \"cycles_per_packet\": %.2f\n}\n",
		       pkts, mpps, gbps, cycles, cpp);
		fflush(stdout);
		return;
	}
	printf("\n---------------------- forwarding statistics (%s, stopped by %s) ----------------------\n",
	       fwd_mode_names[o->mode], stop_reason);
	for (unsigned i = 0; i < a->nb_ports; i++) {
		printf("port %u (%s): RX-packets %" PRIu64 " RX-bytes %" PRIu64 " RX-missed %" PRIu64
		       " RX-nombuf %" PRIu64 " | TX-packets %" PRIu64 " TX-bytes %" PRIu64 " TX-dropped %" PRIu64 "\n",
		       a->ports[i], sl_eth_dev_name(a->ports[i]), pt[i].rx_packets, pt[i].rx_bytes, pt[i].rx_missed,
		       pt[i].rx_nombuf, pt[i].tx_packets, pt[i].tx_bytes, port_dropped[i]);
		if (a->removed[i])
			printf("port %u (%s): REMOVED at %.3f s (RX-packets %" PRIu64 " TX-packets %" PRIu64
			       " until then; TX-errors %" PRIu64 " refused since)\n", a->ports[i],
			       sl_eth_dev_name(a->ports[i]), a->removed_at_s[i], a->at_removal[i].rx_packets,
			       a->at_removal[i].tx_packets, pt[i].tx_errors);
	}
	printf("total: RX-packets %" PRIu64 " TX-packets %" PRIu64 " TX-dropped %" PRIu64 " in %.3f s\n",
	       tot.rx_packets, tot.tx_packets, fwd_dropped, elapsed_s);
	printf("throughput: %.3f Mpps, %.3f Gbit/s (%s, without preamble and gap)\n", mpps, gbps,
	       tx_counted ? "sent" : "received");
	printf("CPU cycles/packet=%.2f (total cycles=%" PRIu64 " / total %s packets=%" PRIu64 ") at %" PRIu64
	       " MHz TSC\n", cpp, cycles, fwd_mode_names[o->mode], pkts, hz / 1000000);
	fflush(stdout);
}

/* ---- main ------------------------------------------------------------------- */

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static void teardown(struct app *a)
{
	for (unsigned i = 0; i < a->nb_ports; i++) {
		if (!sl_eth_dev_is_valid_port(a->ports[i]))
			continue;
		if (a->port_started[i])
			sl_eth_dev_stop(a->ports[i]);
		sl_eth_dev_close(a->ports[i]);
	}
	a->nb_ports = 0;
	free(a->streams);
	a->streams = NULL;
	if (a->mp != NULL)
		sl_mempool_free(a->mp);
	a->mp = NULL;
}

static int run(struct app *a)
{
	const struct options *o = &a->opt;
	uint16_t p;
	SL_ETH_FOREACH_DEV(p)
		a->ports[a->nb_ports++] = p;
	if (a->nb_ports == 0) {
		fprintf(stderr, APP ": no ports: add some with --vdev null0 --vdev null1, or allow a NIC with -a BDF\n");
		return -1;
	}

	unsigned workers = 0, lc;
	SL_LCORE_FOREACH_WORKER(lc)
		workers++;
	if (choose_ring_sizes(a) != 0)
		return -1;
	unsigned nb_mbufs = o->total_mbufs;
	if (nb_mbufs == 0) {
		for (unsigned i = 0; i < a->nb_ports; i++)
			nb_mbufs += o->nb_rxq * a->nb_rxd[i] + o->nb_txq * a->nb_txd[i];
		nb_mbufs += (workers + 1) * (2 * MBUF_CACHE_SIZE + MAX_BURST) + 1024;
	}
	a->mp = sl_pktmbuf_pool_create("testpmd_mbufs", nb_mbufs, MBUF_CACHE_SIZE, 0, SL_MBUF_DEFAULT_BUF_SIZE);
	if (a->mp == NULL) {
		fprintf(stderr, APP ": cannot create a pool of %u mbufs (%s); give the EAL more memory (-m) "
			"or fewer with --total-num-mbufs\n", nb_mbufs, strerror(errno));
		return -1;
	}
	if (setup_ports(a) != 0 || setup_streams(a) != 0)
		return -1;
	if (o->tx_first > 0 && send_tx_first(a) != 0)
		return -1;

	FILE *info = o->json ? stderr : stdout;
	fprintf(info, APP ": %s forwarding, %u port%s, %u stream%s on %u lcore%s, burst %u\n",
		fwd_mode_names[o->mode], a->nb_ports, a->nb_ports == 1 ? "" : "s", a->nb_streams,
		a->nb_streams == 1 ? "" : "s", a->nb_fwd_lcores, a->nb_fwd_lcores == 1 ? "" : "s", o->burst);
	fflush(info);

	for (unsigned i = 0; i < a->nb_ports; i++)
		sl_eth_stats_get(a->ports[i], &a->base[i]);
	struct port_totals prev[SL_MAX_ETHPORTS];
	memset(prev, 0, sizeof(prev));

	__atomic_store_n(&fwd_stop, 0, __ATOMIC_RELAXED);
	the_app = a;
	for (unsigned i = 0; i < a->nb_ports; i++) {
		struct sl_eth_link l = {0};
		sl_eth_link_get_nowait(a->ports[i], &l);
		a->link_status[i] = l.status;
	}
	uint64_t hz = sl_tsc_hz();
	uint64_t t_start = sl_rdtsc();
	for (unsigned k = 0; k < a->nb_fwd_lcores; k++) {
		int ret = sl_eal_remote_launch(fwd_loops[o->mode], &a->lcores[k], a->lcores[k].lcore_id);
		if (ret != 0) {
			fprintf(stderr, APP ": cannot launch forwarding on lcore %u (%d)\n", a->lcores[k].lcore_id, ret);
			__atomic_store_n(&fwd_stop, 1, __ATOMIC_RELEASE);
			sl_eal_mp_wait_lcore();
			return -1;
		}
	}

	const char *reason = "signal";
	uint64_t run_ticks = o->run_time > 0 ? (uint64_t)(o->run_time * (double)hz) : 0;
	uint64_t period_ticks = o->stats_period > 0 ? (uint64_t)(o->stats_period * (double)hz) : 0;
	uint64_t next_stats = t_start + period_ticks, last_stats = t_start;
	while (!signal_received) {
		sleep_ms(o->max_packets ? 1 : 10);
		uint64_t now = sl_rdtsc();
		if (run_ticks && now - t_start >= run_ticks) {
			reason = "run-time";
			break;
		}
		if (o->max_packets && counted_packets(a) >= o->max_packets) {
			reason = "max-packets";
			break;
		}
		for (unsigned i = 0; i < a->nb_ports; i++) {
			if (a->removed[i] || !sl_eth_dev_is_removed(a->ports[i]))
				continue;
			double at = (double)(now - t_start) / (double)hz;
			if (a->nb_removed == 0) {
				a->first_removal_s = at;
				for (unsigned j = 0; j < a->nb_ports; j++)
					port_delta(a, j, &a->at_removal[j]);
			}
			a->removed[i] = true;
			a->removed_at_s[i] = at;
			a->nb_removed++;
			fprintf(info, APP ": port %u (%s) removed at %.3f s: its device was taken back by the kernel; "
				"%s\n", a->ports[i], sl_eth_dev_name(a->ports[i]), at,
				a->nb_removed < a->nb_ports ? "forwarding goes on for the other ports" :
				"no port left, stopping");
			fflush(info);
		}
		for (unsigned i = 0; o->link_watch && i < a->nb_ports; i++) {
			struct sl_eth_link l;
			if (a->removed[i] || sl_eth_link_get_nowait(a->ports[i], &l) != 0 || l.status == a->link_status[i])
				continue;
			double at = (double)(now - t_start) / (double)hz;
			a->link_status[i] = l.status;
			if (l.status == SL_ETH_LINK_UP) {
				a->link_ups[i]++;
				a->last_link_up_s = at;
				for (unsigned j = 0; j < a->nb_ports; j++)
					port_delta(a, j, &a->at_link_up[j]);
				if (o->tx_first)
					__atomic_fetch_add(&refill_gen, 1, __ATOMIC_RELEASE);
			} else {
				a->link_downs[i]++;
			}
			fprintf(info, APP ": port %u (%s) link %s at %.3f s%s\n", a->ports[i], sl_eth_dev_name(a->ports[i]),
				l.status == SL_ETH_LINK_UP ? "up" : "down", at,
				l.status == SL_ETH_LINK_UP && o->tx_first ? "; sending the --tx-first bursts again" : "");
			fflush(info);
		}
		if (a->nb_removed == a->nb_ports) {
			reason = "all-ports-removed";
			break;
		}
		if (period_ticks && now >= next_stats) {
			print_periodic(a, prev, (double)(now - last_stats) / (double)hz, info);
			last_stats = now;
			next_stats += period_ticks;
		}
	}
	__atomic_store_n(&fwd_stop, 1, __ATOMIC_RELEASE);
	sl_eal_mp_wait_lcore();
	uint64_t t_end = sl_rdtsc();
	if (signal_received)
		fprintf(info, "\n" APP ": %s received, stopping forwarding\n",
			signal_received == SIGINT ? "SIGINT" : "SIGTERM");
	print_summary(a, (double)(t_end - t_start) / (double)hz, reason);
	return 0;
}

int main(int argc, char **argv)
{
	/* "-- --help" prints the application's options before the EAL starts,
	 * so it needs no hugepages, lcores or privileges (the man page is made
	 * from it at package build time: debian/rules). */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") != 0)
			continue;
		for (int j = i + 1; j < argc; j++)
			if (strcmp(argv[j], "--help") == 0) {
				usage(stdout, argv[0]);
				return 0;
			}
		break;
	}
	int n = sl_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, APP ": EAL initialisation failed (%s); see the message above\n", strerror(errno));
		return 1;
	}
	/* The application's arguments: what the EAL left, after an optional "--". */
	int rest_c = argc - n;
	char **rest_v = argv + n;
	if (rest_c > 0 && rest_v[0] == argv[0]) {
		rest_c--;
		rest_v++;
	}
	if (rest_c > 0 && strcmp(rest_v[0], "--") == 0) {
		rest_c--;
		rest_v++;
	}
	char **app_argv = calloc((size_t)rest_c + 2, sizeof(char *));
	if (app_argv == NULL) {
		sl_eal_cleanup();
		return 1;
	}
	app_argv[0] = argv[0];
	for (int i = 0; i < rest_c; i++)
		app_argv[i + 1] = rest_v[i];

	static struct app a;
	int pr = parse_app_args(rest_c + 1, app_argv, &a.opt);
	free(app_argv);
	if (pr != 0) {
		sl_eal_cleanup();
		return pr > 0 ? 0 : 2;
	}

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	int ret = run(&a);
	teardown(&a);
	sl_eal_cleanup();
	return ret == 0 ? 0 : 1;
}
