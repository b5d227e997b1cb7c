/* ports.c: testpmd-lite's set-up: each port's configuration (RSS), ring
 * sizes, queues and start, the txonly frame template, and the forwarding
 * streams spread over the forwarding lcores. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testpmd.h"

struct sl_ether_addr peer_addr(uint16_t port)
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

void build_tx_template(uint8_t *t, uint16_t tx_port, unsigned pkt_len)
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
	conf->intr_conf.lsc = o->lsc;
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

/* --lsc: runs on the EAL interrupt thread for every link change event of
 * every port; says what the link is now (the event says it changed). */
static void lsc_event(uint16_t port, enum sl_eth_event_type ev, void *arg)
{
	struct app *a = arg;
	struct sl_eth_link l = {0};
	if (ev != SL_ETH_EVENT_INTR_LSC)
		return;
	if (!sl_intr_thread_is_current())
		__atomic_fetch_add(&a->lsc_off_thread, 1, __ATOMIC_RELAXED);
	sl_eth_link_get_nowait(port, &l);
	unsigned i;
	for (i = 0; i < a->nb_ports && a->ports[i] != port; i++)
		;
	if (i < a->nb_ports)
		__atomic_fetch_add(l.status == SL_ETH_LINK_UP ? &a->lsc_ups[i] : &a->lsc_downs[i], 1, __ATOMIC_RELAXED);
	uint64_t t0 = __atomic_load_n(&a->t_start, __ATOMIC_ACQUIRE);
	double at = t0 ? (double)(sl_rdtsc() - t0) / (double)sl_tsc_hz() : 0.0;
	FILE *f = a->opt.json ? stderr : stdout;
	fprintf(f, APP ": port %u (%s): link %s (event) at %.3f s%s\n", port, sl_eth_dev_name(port),
		l.status == SL_ETH_LINK_UP ? "up" : "down", at, t0 ? "" : " (before forwarding started)");
	fflush(f);
}

int register_lsc(struct app *a)
{
	if (!a->opt.lsc)
		return 0;
	int ret = sl_eth_dev_callback_register(SL_ETH_ALL, SL_ETH_EVENT_INTR_LSC, lsc_event, a);
	if (ret != 0)
		fprintf(stderr, APP ": --lsc: cannot register the link change callback: %s\n", strerror(-ret));
	return ret;
}

void unregister_lsc(struct app *a)
{
	if (a->opt.lsc)
		sl_eth_dev_callback_unregister(SL_ETH_ALL, SL_ETH_EVENT_INTR_LSC, lsc_event, a);
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
int choose_ring_sizes(struct app *a)
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

int setup_ports(struct app *a)
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
int setup_streams(struct app *a)
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
