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
 * This file is the flow of the program: EAL and option parsing, set-up,
 * launching the forwarding lcores, the main lcore's watch loop (run time,
 * packet count, device removal, link changes, periodic statistics), the
 * summary and teardown. options.c parses the command line, ports.c sets up
 * ports and streams, forward.c holds the forwarding loops, stats.c the
 * report; testpmd.h is what they share.
 *
 * Usage: testpmd-lite [EAL options] -- [options]; see usage() in options.c. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testpmd.h"

static volatile sig_atomic_t signal_received;

static void on_signal(int signo)
{
	signal_received = signo;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static void teardown(struct app *a)
{
	unregister_lsc(a);
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
	if (register_lsc(a) != 0 || setup_ports(a) != 0 || setup_streams(a) != 0)
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
	__atomic_store_n(&a->t_start, t_start, __ATOMIC_RELEASE);
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
