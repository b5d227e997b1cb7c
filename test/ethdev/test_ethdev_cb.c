/* test_ethdev_cb.c: per-queue rx/tx callbacks and offload capabilities
 * over net_null ports. Callbacks: an rx callback changes the count (drops
 * and adds packets), a tx callback filters what is sent, several run in the
 * order they were added (add_first puts one in front), removal unlinks,
 * they last over stop/start and are published only while started, the
 * fast-path entry has none until one is added, bad arguments are refused,
 * close frees the ones installed. Offloads: DPDK 22.11's bit values and
 * names, what net_null reports, configure and queue setup refusing an
 * offload outside the capabilities with a message naming it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_eal.h"
#include "sl_ethdev.h"
#include "sl_mbuf.h"
#include "sl_mempool.h"
#include "../test_check.h"
#include "ethdev_test_teardown.h"


#define BURST 32

static struct sl_mempool *mp;

static uint16_t port_of(const char *name)
{
	uint16_t p = SL_MAX_ETHPORTS;
	REQUIRE(sl_eth_dev_get_port_by_name(name, &p) == 0);
	return p;
}

static int bring_up(uint16_t port, uint16_t nq)
{
	int ret = sl_eth_dev_configure(port, nq, nq, NULL);
	for (uint16_t q = 0; ret == 0 && q < nq; q++)
		ret = sl_eth_rx_queue_setup(port, q, 0, NULL, mp);
	for (uint16_t q = 0; ret == 0 && q < nq; q++)
		ret = sl_eth_tx_queue_setup(port, q, 0, NULL);
	if (ret == 0)
		ret = sl_eth_dev_start(port);
	return ret;
}

/* ---- callbacks ------------------------------------------------------------ */

/* the order callbacks ran in: one letter each */
static char trace[64];
static unsigned trace_len;

static void trace_add(char c)
{
	if (trace_len + 1 < sizeof(trace)) {
		trace[trace_len++] = c;
		trace[trace_len] = '\0';
	}
}

static void trace_reset(void)
{
	trace_len = 0;
	trace[0] = '\0';
}

struct rx_seen {
	unsigned calls;
	uint16_t last_port, last_queue, last_nb, last_max;
};

/* keeps the first half of what was received, frees the rest */
static uint16_t rx_halve(uint16_t port, uint16_t queue, struct sl_mbuf **pkts, uint16_t nb, uint16_t max,
			 void *user)
{
	struct rx_seen *s = user;
	s->calls++;
	s->last_port = port;
	s->last_queue = queue;
	s->last_nb = nb;
	s->last_max = max;
	trace_add('H');
	uint16_t keep = nb / 2;
	sl_pktmbuf_free_bulk(pkts + keep, nb - keep);
	return keep;
}

/* the port and queue the last rx_fill / tx_even ran for (the out-of-line
 * bursts work them out from the queue's place in the fast-path table) */
static uint16_t fill_port, fill_queue, even_port, even_queue;

/* fills the array up to MAX with fresh mbufs marked in udata64 */
static uint16_t rx_fill(uint16_t port, uint16_t queue, struct sl_mbuf **pkts, uint16_t nb, uint16_t max,
			void *user)
{
	(void)user;
	fill_port = port;
	fill_queue = queue;
	trace_add('F');
	while (nb < max) {
		struct sl_mbuf *m = sl_pktmbuf_alloc(mp);
		if (m == NULL)
			break;
		m->udata64 = 0xf111;
		pkts[nb++] = m;
	}
	return nb;
}

static uint16_t rx_letter(uint16_t port, uint16_t queue, struct sl_mbuf **pkts, uint16_t nb, uint16_t max,
			  void *user)
{
	(void)port;
	(void)queue;
	(void)pkts;
	(void)max;
	trace_add(*(const char *)user);
	return nb;
}

/* sends only the packets whose udata64 is even; frees the others and
 * compacts the array */
static uint16_t tx_even(uint16_t port, uint16_t queue, struct sl_mbuf **pkts, uint16_t nb, void *user)
{
	even_port = port;
	even_queue = queue;
	unsigned *dropped = user;
	uint16_t out = 0;
	trace_add('E');
	for (uint16_t i = 0; i < nb; i++) {
		if (pkts[i]->udata64 % 2 == 0) {
			pkts[out++] = pkts[i];
		} else {
			sl_pktmbuf_free(pkts[i]);
			(*dropped)++;
		}
	}
	return out;
}

static uint16_t tx_letter(uint16_t port, uint16_t queue, struct sl_mbuf **pkts, uint16_t nb, void *user)
{
	(void)port;
	(void)queue;
	(void)pkts;
	trace_add(*(const char *)user);
	return nb;
}

static uint64_t opackets(uint16_t p)
{
	struct sl_eth_stats st;
	REQUIRE(sl_eth_stats_get(p, &st) == 0);
	return st.opackets;
}

static void test_rx_callbacks(void)
{
	uint16_t p = port_of("null0");
	struct sl_mbuf *pkts[BURST];
	REQUIRE(bring_up(p, 2) == 0);

	/* none installed: the fast-path entry has no list */
	CHECK(sl_eth_fp_ports[p].rxq[0].cbs == NULL);
	CHECK(sl_eth_fp_ports[p].txq[0].cbs == NULL);
	CHECK_EQ(sl_eth_rx_burst(p, 0, pkts, BURST), BURST);
	sl_pktmbuf_free_bulk(pkts, BURST);

	/* one that halves the count, on queue 0 only */
	struct rx_seen seen = {0};
	const struct sl_eth_rxtx_callback *h = sl_eth_add_rx_callback(p, 0, rx_halve, &seen);
	REQUIRE(h != NULL);
	CHECK(sl_eth_fp_ports[p].rxq[0].cbs != NULL);
	CHECK(sl_eth_fp_ports[p].rxq[1].cbs == NULL);
	CHECK_EQ(sl_eth_rx_burst(p, 0, pkts, BURST), BURST / 2);
	CHECK_EQ(seen.calls, 1);
	CHECK_EQ(seen.last_port, p);
	CHECK_EQ(seen.last_queue, 0);
	CHECK_EQ(seen.last_nb, BURST);
	CHECK_EQ(seen.last_max, BURST);
	sl_pktmbuf_free_bulk(pkts, BURST / 2);
	CHECK_EQ(sl_eth_rx_burst(p, 1, pkts, 8), 8); /* queue 1 untouched */
	sl_pktmbuf_free_bulk(pkts, 8);
	CHECK_EQ(seen.calls, 1);

	/* order: H then A then B; add_first puts Z in front */
	static const char A = 'A', B = 'B', Z = 'Z';
	const struct sl_eth_rxtx_callback *a = sl_eth_add_rx_callback(p, 0, rx_letter, (void *)&A);
	const struct sl_eth_rxtx_callback *b = sl_eth_add_rx_callback(p, 0, rx_letter, (void *)&B);
	const struct sl_eth_rxtx_callback *z = sl_eth_add_first_rx_callback(p, 0, rx_letter, (void *)&Z);
	REQUIRE(a != NULL && b != NULL && z != NULL);
	trace_reset();
	CHECK_EQ(sl_eth_rx_burst(p, 0, pkts, 10), 5);
	sl_pktmbuf_free_bulk(pkts, 5);
	CHECK(strcmp(trace, "ZHAB") == 0);

	/* removal from the middle, the front and the end */
	CHECK_EQ(sl_eth_remove_rx_callback(p, 0, a), 0);
	trace_reset();
	CHECK_EQ(sl_eth_rx_burst(p, 0, pkts, 10), 5);
	sl_pktmbuf_free_bulk(pkts, 5);
	CHECK(strcmp(trace, "ZHB") == 0);
	CHECK_EQ(sl_eth_remove_rx_callback(p, 0, a), -EINVAL); /* not installed any more */
	CHECK_EQ(sl_eth_remove_rx_callback(p, 1, b), -EINVAL); /* installed elsewhere */
	CHECK_EQ(sl_eth_remove_tx_callback(p, 0, b), -EINVAL); /* an rx one */
	CHECK_EQ(sl_eth_remove_rx_callback(p, 0, z), 0);
	CHECK_EQ(sl_eth_remove_rx_callback(p, 0, b), 0);
	trace_reset();
	CHECK_EQ(sl_eth_rx_burst(p, 0, pkts, 10), 5);
	sl_pktmbuf_free_bulk(pkts, 5);
	CHECK(strcmp(trace, "H") == 0);
	/* removed ones are the caller's to free once no burst runs them */
	sl_eth_rxtx_callback_free(a);
	sl_eth_rxtx_callback_free(b);
	sl_eth_rxtx_callback_free(z);
	sl_eth_rxtx_callback_free(NULL);

	/* the last removed: the queue is back to the plain burst */
	CHECK_EQ(sl_eth_remove_rx_callback(p, 0, h), 0);
	sl_eth_rxtx_callback_free(h);
	CHECK(sl_eth_fp_ports[p].rxq[0].cbs == NULL);
	CHECK_EQ(sl_eth_rx_burst(p, 0, pkts, BURST), BURST);
	sl_pktmbuf_free_bulk(pkts, BURST);
	CHECK_EQ(seen.calls, 4);

	/* a callback may add packets, up to the array's room */
	const struct sl_eth_rxtx_callback *f = sl_eth_add_rx_callback(p, 1, rx_fill, NULL);
	REQUIRE(f != NULL);
	CHECK_EQ(sl_eth_rx_burst(p, 1, pkts, 4), 4); /* null fills the 4 itself */
	sl_pktmbuf_free_bulk(pkts, 4);
	CHECK_EQ(fill_port, p);
	CHECK_EQ(fill_queue, 1);

	/* over stop and start: gone from the fast path while stopped (the
	 * bursts return 0 without calling it), back after start */
	CHECK_EQ(sl_eth_dev_stop(p), 0);
	CHECK(sl_eth_fp_ports[p].rxq[1].cbs == NULL);
	trace_reset();
	CHECK_EQ(sl_eth_rx_burst(p, 1, pkts, 4), 0);
	CHECK(trace_len == 0);
	/* added while stopped: published at start, after the one before */
	static const char C = 'C';
	const struct sl_eth_rxtx_callback *c = sl_eth_add_rx_callback(p, 1, rx_letter, (void *)&C);
	REQUIRE(c != NULL);
	CHECK(sl_eth_fp_ports[p].rxq[1].cbs == NULL);
	CHECK_EQ(sl_eth_dev_start(p), 0);
	CHECK(sl_eth_fp_ports[p].rxq[1].cbs != NULL);
	trace_reset();
	CHECK_EQ(sl_eth_rx_burst(p, 1, pkts, 4), 4);
	sl_pktmbuf_free_bulk(pkts, 4);
	CHECK(strcmp(trace, "FC") == 0);
	/* f and c stay installed: close frees them (ASan's leak check) */
}

static void test_rx_fill_empty(void)
{
	/* null3 receives nothing: the callback still runs, on 0 packets,
	 * and may make packets up */
	uint16_t p = port_of("null3");
	struct sl_mbuf *pkts[BURST];
	REQUIRE(bring_up(p, 1) == 0);
	CHECK_EQ(sl_eth_rx_burst(p, 0, pkts, BURST), 0);
	const struct sl_eth_rxtx_callback *f = sl_eth_add_rx_callback(p, 0, rx_fill, NULL);
	REQUIRE(f != NULL);
	uint16_t n = sl_eth_rx_burst(p, 0, pkts, 6);
	CHECK_EQ(n, 6);
	CHECK_EQ(fill_port, p);
	CHECK_EQ(fill_queue, 0);
	for (uint16_t i = 0; i < n; i++)
		CHECK(pkts[i]->udata64 == 0xf111);
	sl_pktmbuf_free_bulk(pkts, n);
	CHECK_EQ(sl_eth_remove_rx_callback(p, 0, f), 0);
	sl_eth_rxtx_callback_free(f);
	CHECK_EQ(sl_eth_rx_burst(p, 0, pkts, BURST), 0);
	CHECK_EQ(sl_eth_dev_stop(p), 0);
}

static void test_tx_callbacks(void)
{
	uint16_t p = port_of("null1");
	struct sl_mbuf *pkts[BURST];
	REQUIRE(bring_up(p, 2) == 0);

	unsigned dropped = 0;
	static const char X = 'X', Y = 'Y';
	const struct sl_eth_rxtx_callback *e = sl_eth_add_tx_callback(p, 1, tx_even, &dropped);
	const struct sl_eth_rxtx_callback *y = sl_eth_add_tx_callback(p, 1, tx_letter, (void *)&Y);
	const struct sl_eth_rxtx_callback *x = sl_eth_add_first_tx_callback(p, 1, tx_letter, (void *)&X);
	REQUIRE(e != NULL && x != NULL && y != NULL);
	CHECK(sl_eth_fp_ports[p].txq[1].cbs != NULL);

	REQUIRE(sl_pktmbuf_alloc_bulk(mp, pkts, 10) == 0);
	for (unsigned i = 0; i < 10; i++) {
		pkts[i]->udata64 = i;
		sl_pktmbuf_append(pkts[i], 60);
	}
	uint64_t before = opackets(p);
	trace_reset();
	/* 5 even ones sent (and now the driver's), 5 odd ones freed by the filter */
	CHECK_EQ(sl_eth_tx_burst(p, 1, pkts, 10), 5);
	CHECK(strcmp(trace, "XEY") == 0);
	CHECK_EQ(dropped, 5);
	CHECK_EQ(opackets(p) - before, 5);
	CHECK_EQ(even_port, p);
	CHECK_EQ(even_queue, 1);

	CHECK_EQ(sl_eth_remove_tx_callback(p, 1, e), 0);
	CHECK_EQ(sl_eth_remove_tx_callback(p, 1, e), -EINVAL);
	sl_eth_rxtx_callback_free(e);
	REQUIRE(sl_pktmbuf_alloc_bulk(mp, pkts, 4) == 0);
	for (unsigned i = 0; i < 4; i++)
		pkts[i]->udata64 = 1;
	trace_reset();
	CHECK_EQ(sl_eth_tx_burst(p, 1, pkts, 4), 4);
	CHECK(strcmp(trace, "XY") == 0);
	CHECK_EQ(sl_eth_remove_tx_callback(p, 1, x), 0);
	CHECK_EQ(sl_eth_remove_tx_callback(p, 1, y), 0);
	sl_eth_rxtx_callback_free(x);
	sl_eth_rxtx_callback_free(y);
	CHECK(sl_eth_fp_ports[p].txq[1].cbs == NULL);
	CHECK_EQ(sl_eth_dev_stop(p), 0);
}

static void test_callback_errors(void)
{
	uint16_t p = port_of("null2");
	static const char A = 'A';
	errno = 0;
	CHECK(sl_eth_add_rx_callback(77, 0, rx_letter, (void *)&A) == NULL);
	CHECK_EQ(errno, ENODEV);
	/* not configured: no queue exists yet */
	errno = 0;
	CHECK(sl_eth_add_rx_callback(p, 0, rx_letter, (void *)&A) == NULL);
	CHECK_EQ(errno, EINVAL);
	REQUIRE(sl_eth_dev_configure(p, 2, 1, NULL) == 0);
	errno = 0;
	CHECK(sl_eth_add_rx_callback(p, 2, rx_letter, (void *)&A) == NULL);
	CHECK_EQ(errno, EINVAL);
	errno = 0;
	CHECK(sl_eth_add_tx_callback(p, 1, tx_letter, (void *)&A) == NULL);
	CHECK_EQ(errno, EINVAL);
	errno = 0;
	CHECK(sl_eth_add_rx_callback(p, 0, NULL, NULL) == NULL);
	CHECK_EQ(errno, EINVAL);
	errno = 0;
	CHECK(sl_eth_add_tx_callback(p, 0, NULL, NULL) == NULL);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(sl_eth_remove_rx_callback(77, 0, NULL), -ENODEV);
	CHECK_EQ(sl_eth_remove_rx_callback(p, 0, NULL), -EINVAL);
	/* installed on a configured, never started port; close frees it */
	const struct sl_eth_rxtx_callback *r = sl_eth_add_rx_callback(p, 1, rx_letter, (void *)&A);
	CHECK(r != NULL);
	CHECK(sl_eth_add_tx_callback(p, 0, tx_letter, (void *)&A) != NULL);
	CHECK_EQ(sl_eth_remove_rx_callback(p, SL_MAX_QUEUES_PER_PORT, r), -EINVAL);
	CHECK_EQ(sl_eth_remove_rx_callback(p, UINT16_MAX, r), -EINVAL);
}

/* ---- offloads -------------------------------------------------------------- */

struct offload_fact {
	uint64_t flag;
	unsigned bit;
	const char *name;
};

/* DPDK 22.11's values (rte_ethdev.h) */
#define RXF(n, b) {SL_ETH_RX_OFFLOAD_##n, b, #n}
#define TXF(n, b) {SL_ETH_TX_OFFLOAD_##n, b, #n}
static const struct offload_fact rx_facts[] = {
	RXF(VLAN_STRIP, 0),   RXF(IPV4_CKSUM, 1),     RXF(UDP_CKSUM, 2),         RXF(TCP_CKSUM, 3),
	RXF(TCP_LRO, 4),      RXF(QINQ_STRIP, 5),     RXF(OUTER_IPV4_CKSUM, 6),  RXF(MACSEC_STRIP, 7),
	RXF(VLAN_FILTER, 9),  RXF(VLAN_EXTEND, 10),   RXF(SCATTER, 13),          RXF(TIMESTAMP, 14),
	RXF(SECURITY, 15),    RXF(KEEP_CRC, 16),      RXF(SCTP_CKSUM, 17),       RXF(OUTER_UDP_CKSUM, 18),
	RXF(RSS_HASH, 19),    RXF(BUFFER_SPLIT, 20),
};
static const struct offload_fact tx_facts[] = {
	TXF(VLAN_INSERT, 0),     TXF(IPV4_CKSUM, 1),      TXF(UDP_CKSUM, 2),        TXF(TCP_CKSUM, 3),
	TXF(SCTP_CKSUM, 4),      TXF(TCP_TSO, 5),         TXF(UDP_TSO, 6),          TXF(OUTER_IPV4_CKSUM, 7),
	TXF(QINQ_INSERT, 8),     TXF(VXLAN_TNL_TSO, 9),   TXF(GRE_TNL_TSO, 10),     TXF(IPIP_TNL_TSO, 11),
	TXF(GENEVE_TNL_TSO, 12), TXF(MACSEC_INSERT, 13),  TXF(MT_LOCKFREE, 14),     TXF(MULTI_SEGS, 15),
	TXF(MBUF_FAST_FREE, 16), TXF(SECURITY, 17),       TXF(UDP_TNL_TSO, 18),     TXF(IP_TNL_TSO, 19),
	TXF(OUTER_UDP_CKSUM, 20), TXF(SEND_ON_TIMESTAMP, 21),
};

static void test_offload_names(void)
{
	uint64_t rx_known = 0, tx_known = 0;
	for (size_t i = 0; i < sizeof(rx_facts) / sizeof(rx_facts[0]); i++) {
		CHECK(rx_facts[i].flag == 1ULL << rx_facts[i].bit);
		CHECK(strcmp(sl_eth_dev_rx_offload_name(rx_facts[i].flag), rx_facts[i].name) == 0);
		rx_known |= rx_facts[i].flag;
	}
	for (size_t i = 0; i < sizeof(tx_facts) / sizeof(tx_facts[0]); i++) {
		CHECK(tx_facts[i].flag == 1ULL << tx_facts[i].bit);
		CHECK(strcmp(sl_eth_dev_tx_offload_name(tx_facts[i].flag), tx_facts[i].name) == 0);
		tx_known |= tx_facts[i].flag;
	}
	/* every other bit, no bit and several bits are UNKNOWN */
	for (unsigned b = 0; b < 64; b++) {
		if (!(rx_known & (1ULL << b)))
			CHECK(strcmp(sl_eth_dev_rx_offload_name(1ULL << b), "UNKNOWN") == 0);
		if (!(tx_known & (1ULL << b)))
			CHECK(strcmp(sl_eth_dev_tx_offload_name(1ULL << b), "UNKNOWN") == 0);
	}
	CHECK(strcmp(sl_eth_dev_rx_offload_name(0), "UNKNOWN") == 0);
	CHECK(strcmp(sl_eth_dev_tx_offload_name(SL_ETH_TX_OFFLOAD_MULTI_SEGS | SL_ETH_TX_OFFLOAD_MBUF_FAST_FREE),
		     "UNKNOWN") == 0);
	CHECK(SL_ETH_RX_OFFLOAD_CHECKSUM == 0xe);
}

static char *logbuf;
static size_t loglen;
static FILE *logf;

static void log_capture(void)
{
	logf = open_memstream(&logbuf, &loglen);
	REQUIRE(logf != NULL);
	sl_log_set_stream(logf);
}

/* the captured log, and back to stderr (the caller frees it) */
static char *log_release(void)
{
	sl_log_set_stream(NULL);
	fclose(logf);
	return logbuf;
}

static void test_offload_refusal(void)
{
	uint16_t p = port_of("null1");
	struct sl_eth_dev_info info;
	REQUIRE(sl_eth_dev_info_get(p, &info) == 0);
	CHECK_EQ(info.rx_offload_capa, 0);
	CHECK_EQ(info.tx_offload_capa, SL_ETH_TX_OFFLOAD_MULTI_SEGS | SL_ETH_TX_OFFLOAD_MBUF_FAST_FREE);

	struct sl_eth_conf conf = {.rx_offloads = SL_ETH_RX_OFFLOAD_RSS_HASH};
	log_capture();
	CHECK_EQ(sl_eth_dev_configure(p, 1, 1, &conf), -EINVAL);
	char *log = log_release();
	CHECK(strstr(log, "rx offload RSS_HASH not supported by net_null") != NULL);
	CHECK(strstr(log, "it offers: none") != NULL);
	free(log);

	conf = (struct sl_eth_conf){.tx_offloads = SL_ETH_TX_OFFLOAD_VLAN_INSERT | SL_ETH_TX_OFFLOAD_TCP_TSO |
						 SL_ETH_TX_OFFLOAD_MULTI_SEGS};
	log_capture();
	CHECK_EQ(sl_eth_dev_configure(p, 1, 1, &conf), -EINVAL);
	log = log_release();
	CHECK(strstr(log, "tx offloads VLAN_INSERT, TCP_TSO not supported") != NULL);
	CHECK(strstr(log, "it offers: MULTI_SEGS, MBUF_FAST_FREE") != NULL);
	free(log);

	/* a bit DPDK does not define */
	conf = (struct sl_eth_conf){.rx_offloads = 1ULL << 8};
	log_capture();
	CHECK_EQ(sl_eth_dev_configure(p, 1, 1, &conf), -EINVAL);
	log = log_release();
	CHECK(strstr(log, "rx offload bit 8 not supported") != NULL);
	free(log);

	/* what net_null offers is accepted, for the port and per queue */
	conf = (struct sl_eth_conf){.tx_offloads = SL_ETH_TX_OFFLOAD_MULTI_SEGS | SL_ETH_TX_OFFLOAD_MBUF_FAST_FREE};
	CHECK_EQ(sl_eth_dev_configure(p, 1, 1, &conf), 0);
	struct sl_eth_txconf txc = {.offloads = SL_ETH_TX_OFFLOAD_MBUF_FAST_FREE};
	CHECK_EQ(sl_eth_tx_queue_setup(p, 0, 0, &txc), 0);
	txc.offloads = SL_ETH_TX_OFFLOAD_IPV4_CKSUM;
	log_capture();
	CHECK_EQ(sl_eth_tx_queue_setup(p, 0, 0, &txc), -EINVAL);
	log = log_release();
	CHECK(strstr(log, "tx queue 0 offload IPV4_CKSUM not supported") != NULL);
	free(log);
	struct sl_eth_rxconf rxc = {.offloads = SL_ETH_RX_OFFLOAD_SCATTER};
	log_capture();
	CHECK_EQ(sl_eth_rx_queue_setup(p, 0, 0, &rxc, mp), -EINVAL);
	log = log_release();
	CHECK(strstr(log, "rx queue 0 offload SCATTER not supported") != NULL);
	free(log);
	rxc.offloads = 0;
	CHECK_EQ(sl_eth_rx_queue_setup(p, 0, 0, &rxc, mp), 0);
	CHECK_EQ(sl_eth_dev_start(p), 0);
	/* chains go out whole on net_null (MULTI_SEGS) */
	struct sl_mbuf *a = sl_pktmbuf_alloc(mp), *b = sl_pktmbuf_alloc(mp);
	REQUIRE(a != NULL && b != NULL);
	sl_pktmbuf_append(a, 60);
	sl_pktmbuf_append(b, 40);
	CHECK_EQ(sl_pktmbuf_chain(a, b), 0);
	uint64_t before = opackets(p);
	CHECK_EQ(sl_eth_tx_burst(p, 0, &a, 1), 1);
	CHECK_EQ(opackets(p) - before, 1);
	CHECK_EQ(sl_eth_dev_stop(p), 0);
}

int main(int argc, char **argv)
{
	(void)argc;
	char *eal_args[] = {argv[0], "-l", "0-1", "--vdev", "null0", "--vdev", "null1", "--vdev", "null2",
			    "--vdev", "null3,no-rx=1", "--no-huge", "-m", "32", NULL};
	REQUIRE(sl_eal_init((int)SL_DIM(eal_args) - 1, eal_args) >= 0);
	mp = sl_pktmbuf_pool_create("cb_test", 1024, 32, 0, SL_MBUF_DEFAULT_BUF_SIZE);
	REQUIRE(mp != NULL);

	test_rx_callbacks();
	test_rx_fill_empty();
	test_tx_callbacks();
	test_callback_errors();
	test_offload_names();
	test_offload_refusal();

	close_ports_and_pool(mp);
	CHECK_EQ(sl_eal_cleanup(), 0);
	return check_result("test_ethdev_cb");
}
