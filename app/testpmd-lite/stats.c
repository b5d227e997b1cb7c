/* stats.c: testpmd-lite's report: the ports' counters since forwarding
 * started, the periodic statistics and the final summary (text or JSON). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "testpmd.h"

void port_delta(const struct app *a, unsigned i, struct port_totals *t)
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

uint64_t counted_packets(const struct app *a)
{
	uint64_t n = 0;
	for (unsigned i = 0; i < a->nb_ports; i++) {
		struct port_totals t;
		port_delta(a, i, &t);
		n += a->opt.mode == FWD_TXONLY ? t.tx_packets : t.rx_packets;
	}
	return n;
}

void print_periodic(const struct app *a, struct port_totals *prev, double interval_s, FILE *f)
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

void print_summary(const struct app *a, double elapsed_s, const char *stop_reason)
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
			       ", \"rx_packets_at_link_up\": %" PRIu64 ", \"tx_packets_at_link_up\": %" PRIu64
			       ", \"lsc_downs\": %u, \"lsc_ups\": %u}",
			       i ? "," : "", a->ports[i], sl_eth_dev_name(a->ports[i]), m[0], m[1], m[2], m[3], m[4],
			       m[5], q[0], q[1], q[2], q[3], q[4], q[5], pt[i].rx_packets,
			       pt[i].tx_packets, pt[i].rx_bytes, pt[i].tx_bytes, pt[i].rx_missed, pt[i].rx_nombuf,
			       pt[i].tx_errors, port_dropped[i], a->removed[i] ? "true" : "false",
			       a->removed[i] ? a->removed_at_s[i] : 0.0, a->at_removal[i].rx_packets,
			       a->at_removal[i].tx_packets, a->link_downs[i], a->link_ups[i], a->at_link_up[i].rx_packets,
			       a->at_link_up[i].tx_packets, __atomic_load_n(&a->lsc_downs[i], __ATOMIC_RELAXED),
			       __atomic_load_n(&a->lsc_ups[i], __ATOMIC_RELAXED));
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
		printf("  \"lsc\": %s,\n  \"lsc_events_off_thread\": %u,\n", o->lsc ? "true" : "false",
		       __atomic_load_n(&a->lsc_off_thread, __ATOMIC_RELAXED));
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
