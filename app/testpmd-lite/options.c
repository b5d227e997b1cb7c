/* options.c: testpmd-lite's command line (the part after the EAL's "--"):
 * usage, number parsing and struct options. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testpmd.h"

const char *const fwd_mode_names[] = {"io", "mac", "macswap", "rxonly", "txonly"};

struct sl_ether_addr eth_peer[SL_MAX_ETHPORTS];
bool eth_peer_set[SL_MAX_ETHPORTS];

void usage(FILE *f, const char *prg)
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
		"  --lsc                configure every port with link state change interrupts (intr_conf.lsc)\n"
		"                       and print each SL_ETH_EVENT_INTR_LSC event its callback gets\n"
		"                       ('port N (NAME): link down (event) at T s')\n"
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

int parse_app_args(int argc, char **argv, struct options *o)
{
	enum { O_MODE = 256, O_BURST, O_CORES, O_RXQ, O_TXQ, O_RXD, O_TXD, O_TXPKTS, O_TXFLOWS, O_PERIOD,
	       O_RUNTIME, O_MAXPKTS, O_MBUFS, O_TXFIRST, O_JSON, O_HELP, O_RSS_IP, O_RSS_UDP, O_ETH_PEER, O_LINKWATCH, O_LSC };
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
		{"lsc", no_argument, NULL, O_LSC},
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
		case O_LSC: o->lsc = true; break;
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
