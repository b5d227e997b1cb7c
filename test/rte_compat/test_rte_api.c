/* test_rte_api.c: the rte_ layer's own calls, in-tree (the examples run
 * from run_examples.py): what Sluice cannot honour returns -ENOTSUP with
 * rte_errno ENOTSUP (an offload the port does not report, lsc=1 on a port
 * without a link interrupt, an event type Sluice never raises, DCB,
 * thresholds, packet types, the multi-process channel); a NUMA socket that
 * names no node of the machine is EINVAL, every node is taken;
 * what it can is converted (dev_info's limits and preferred ring sizes,
 * link, stats, tx buffering under DPDK's names); rte_errno is per thread;
 * rte_strsplit, rte_strerror, byte order, RTE_LOG's component. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_string_fns.h>

static int failures;

#define CHECK_EQ(a, b) \
	do { \
		long long va_ = (long long)(a), vb_ = (long long)(b); \
		if (va_ != vb_) { \
			fprintf(stderr, "FAIL %s:%d: %s == %s (%lld != %lld)\n", __FILE__, __LINE__, #a, #b, \
				va_, vb_); \
			failures++; \
		} \
	} while (0)

#define NOTSUP(call) \
	do { \
		rte_errno = 0; \
		CHECK_EQ((call), -ENOTSUP); \
		CHECK_EQ(rte_errno, ENOTSUP); \
	} while (0)

static void *errno_thread(void *arg)
{
	(void)arg;
	rte_errno = 42;
	return NULL;
}

static void test_refusals(uint16_t port, struct rte_mempool *mp)
{
	struct rte_eth_conf conf;

	memset(&conf, 0, sizeof(conf));
	conf.txmode.offloads = RTE_ETH_TX_OFFLOAD_TCP_TSO; /* net_null: MULTI_SEGS, MBUF_FAST_FREE */
	NOTSUP(rte_eth_dev_configure(port, 1, 1, &conf));
	memset(&conf, 0, sizeof(conf));
	conf.rxmode.offloads = RTE_ETH_RX_OFFLOAD_IPV4_CKSUM;
	NOTSUP(rte_eth_dev_configure(port, 1, 1, &conf));
	memset(&conf, 0, sizeof(conf));
	conf.intr_conf.lsc = 1;
	NOTSUP(rte_eth_dev_configure(port, 1, 1, &conf));
	memset(&conf, 0, sizeof(conf));
	conf.rxmode.mq_mode = RTE_ETH_MQ_RX_VMDQ_DCB;
	NOTSUP(rte_eth_dev_configure(port, 1, 1, &conf));
	memset(&conf, 0, sizeof(conf));
	conf.link_speeds = RTE_ETH_LINK_SPEED_FIXED | RTE_ETH_LINK_SPEED_10G;
	NOTSUP(rte_eth_dev_configure(port, 1, 1, &conf));

	memset(&conf, 0, sizeof(conf));
	CHECK_EQ(rte_eth_dev_configure(port, 1, 1, &conf), 0);
	struct rte_eth_rxconf rxc;
	memset(&rxc, 0, sizeof(rxc));
	rxc.rx_thresh.pthresh = 8;
	NOTSUP(rte_eth_rx_queue_setup(port, 0, 512, SOCKET_ID_ANY, &rxc, mp));
	memset(&rxc, 0, sizeof(rxc));
	rxc.rx_deferred_start = 1;
	NOTSUP(rte_eth_rx_queue_setup(port, 0, 512, SOCKET_ID_ANY, &rxc, mp));
	rte_errno = 0;
	CHECK_EQ(rte_eth_rx_queue_setup(port, 0, 512, rte_socket_count(), NULL, mp), -EINVAL);
	CHECK_EQ(rte_errno, EINVAL);
	struct rte_eth_txconf txc;
	memset(&txc, 0, sizeof(txc));
	txc.offloads = RTE_ETH_TX_OFFLOAD_TCP_TSO;
	NOTSUP(rte_eth_tx_queue_setup(port, 0, 512, SOCKET_ID_ANY, &txc));
	NOTSUP(rte_eth_dev_set_ptypes(port, RTE_PTYPE_L3_IPV4, NULL, 0));
	uint32_t set[2] = {7, 7};
	CHECK_EQ(rte_eth_dev_set_ptypes(port, RTE_PTYPE_UNKNOWN, set, 2), 0);
	CHECK_EQ(set[0], RTE_PTYPE_UNKNOWN);

	/* a socket that names no node of this machine: EINVAL; every node is taken */
	int nodes = (int)rte_socket_count();
	CHECK_EQ(nodes >= 1, 1);
	rte_errno = 0;
	CHECK_EQ(rte_pktmbuf_pool_create("on_no_node", 64, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, nodes) == NULL, 1);
	CHECK_EQ(rte_errno, EINVAL);
	rte_errno = 0;
	CHECK_EQ(rte_zmalloc_socket("x", 64, 0, nodes) == NULL, 1);
	CHECK_EQ(rte_errno, EINVAL);
	rte_errno = 0;
	CHECK_EQ(rte_zmalloc_socket("x", 64, 0, -2) == NULL, 1);
	CHECK_EQ(rte_errno, EINVAL);
	CHECK_EQ(rte_eth_tx_queue_setup(port, 0, 512, (unsigned)nodes, NULL), -EINVAL);
	CHECK_EQ(rte_errno, EINVAL);
	void *on_last_node = rte_zmalloc_socket("x", 64, 0, nodes - 1);
	CHECK_EQ(on_last_node != NULL, 1);
	rte_free(on_last_node);
	rte_errno = 0;
	CHECK_EQ(rte_mp_action_register("x", NULL), -1);
	CHECK_EQ(rte_errno, ENOTSUP);
}

static int event_cb(uint16_t port_id, enum rte_eth_event_type event, void *arg, void *ret_param)
{
	(void)port_id; (void)event; (void)arg; (void)ret_param;
	return 0;
}

/* DPDK's event callbacks over Sluice's: LSC and RMV register and
 * unregister (with DPDK's (void *)-1 wildcard), other types are refused,
 * unregistering what is not there is -ENOENT. */
static void test_events(uint16_t port)
{
	int a, b;

	CHECK_EQ(rte_eth_dev_callback_register(port, RTE_ETH_EVENT_INTR_LSC, event_cb, &a), 0);
	CHECK_EQ(rte_eth_dev_callback_register(port, RTE_ETH_EVENT_INTR_LSC, event_cb, &b), 0);
	CHECK_EQ(rte_eth_dev_callback_register(RTE_ETH_ALL, RTE_ETH_EVENT_INTR_RMV, event_cb, NULL), 0);
	NOTSUP(rte_eth_dev_callback_register(port, RTE_ETH_EVENT_QUEUE_STATE, event_cb, NULL));
	rte_errno = 0;
	CHECK_EQ(rte_eth_dev_callback_register(port, RTE_ETH_EVENT_INTR_LSC, NULL, NULL), -EINVAL);
	CHECK_EQ(rte_errno, EINVAL);
	CHECK_EQ(rte_eth_dev_callback_unregister(port, RTE_ETH_EVENT_INTR_LSC, event_cb, &a), 0);
	CHECK_EQ(rte_eth_dev_callback_unregister(port, RTE_ETH_EVENT_INTR_LSC, event_cb, &a), -ENOENT);
	CHECK_EQ(rte_eth_dev_callback_unregister(port, RTE_ETH_EVENT_INTR_LSC, event_cb, (void *)-1), 0);
	CHECK_EQ(rte_eth_dev_callback_unregister(port, RTE_ETH_EVENT_INTR_LSC, event_cb, &b), -ENOENT);
	CHECK_EQ(rte_eth_dev_callback_unregister(RTE_ETH_ALL, RTE_ETH_EVENT_INTR_RMV, event_cb, NULL), 0);
}

/* An rx callback that keeps the first half of a burst and frees the rest. */
static uint16_t halve_rx(uint16_t port_id, uint16_t queue, struct rte_mbuf *pkts[], uint16_t nb_pkts,
			 uint16_t max_pkts, void *user_param)
{
	(void)port_id; (void)queue; (void)max_pkts;
	*(unsigned *)user_param += nb_pkts;
	rte_pktmbuf_free_bulk(&pkts[nb_pkts / 2], nb_pkts - nb_pkts / 2);
	return nb_pkts / 2;
}

/* DPDK's rx callbacks are Sluice's: one changes the burst's count; once
 * removed it no longer runs and rte_free frees it, as in DPDK. */
static void test_rx_callback(uint16_t port)
{
	struct rte_mbuf *pkts[8];
	unsigned seen = 0;
	const struct rte_eth_rxtx_callback *cb = rte_eth_add_rx_callback(port, 0, halve_rx, &seen);

	CHECK_EQ(cb != NULL, 1);
	CHECK_EQ(rte_eth_rx_burst(port, 0, pkts, 8), 4);
	CHECK_EQ(seen, 8);
	rte_pktmbuf_free_bulk(pkts, 4);
	CHECK_EQ(rte_eth_remove_rx_callback(port, 0, cb), 0);
	CHECK_EQ(rte_eth_rx_burst(port, 0, pkts, 8), 8);
	CHECK_EQ(seen, 8);
	rte_pktmbuf_free_bulk(pkts, 8);
	rte_free((void *)(uintptr_t)cb);
	rte_errno = 0;
	CHECK_EQ(rte_eth_add_rx_callback(port, 9, halve_rx, &seen) == NULL, 1);
	CHECK_EQ(rte_errno, EINVAL);
}

static void test_forwarding(uint16_t port, struct rte_mempool *mp)
{
	struct rte_eth_dev_info info;
	struct rte_eth_conf conf;

	CHECK_EQ(rte_eth_dev_info_get(port, &info), 0);
	CHECK_EQ(strcmp(info.driver_name, "net_null"), 0);
	CHECK_EQ(info.default_rxportconf.ring_size, 1024); /* net_null's preferred size */
	CHECK_EQ(info.rx_desc_lim.nb_min, 1);
	CHECK_EQ(info.rx_desc_lim.nb_max, UINT16_MAX);
	CHECK_EQ(info.tx_desc_lim.nb_align, 1);
	CHECK_EQ(info.speed_capa, RTE_ETH_LINK_SPEED_10G);
	CHECK_EQ(*info.dev_flags, 0);
	CHECK_EQ(info.tx_offload_capa, RTE_ETH_TX_OFFLOAD_MULTI_SEGS | RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE);

	memset(&conf, 0, sizeof(conf));
	CHECK_EQ(rte_eth_dev_configure(port, 1, 1, &conf), 0);
	CHECK_EQ(rte_eth_dev_info_get(port, &info), 0);
	CHECK_EQ(info.nb_rx_queues, 1);
	uint16_t nb_rxd = 1024, nb_txd = 1024;
	CHECK_EQ(rte_eth_dev_adjust_nb_rx_tx_desc(port, &nb_rxd, &nb_txd), 0);
	struct rte_eth_rxconf rxc = info.default_rxconf;
	struct rte_eth_txconf txc = info.default_txconf;
	CHECK_EQ(rte_eth_rx_queue_setup(port, 0, nb_rxd, rte_eth_dev_socket_id(port), &rxc, mp), 0);
	CHECK_EQ(rte_eth_tx_queue_setup(port, 0, nb_txd, rte_socket_id(), &txc), 0);
	CHECK_EQ(rte_eth_dev_start(port), 0);

	struct rte_eth_link link;
	char text[RTE_ETH_LINK_MAX_STR_LEN];
	CHECK_EQ(rte_eth_link_get_nowait(port, &link), 0);
	CHECK_EQ(link.link_status, RTE_ETH_LINK_UP);
	CHECK_EQ(link.link_speed, RTE_ETH_SPEED_NUM_10G);
	rte_eth_link_to_str(text, sizeof(text), &link);
	CHECK_EQ(strcmp(text, "Link up at 10 Gbps FDX Fixed"), 0);

	struct rte_mbuf *pkts[8];
	CHECK_EQ(rte_eth_rx_burst(port, 0, pkts, 8), 8);
	CHECK_EQ(rte_pktmbuf_data_len(pkts[0]), 64);
	struct rte_eth_dev_tx_buffer *buf = rte_zmalloc_socket("tx_buffer", RTE_ETH_TX_BUFFER_SIZE(4), 0,
							       rte_eth_dev_socket_id(port));
	CHECK_EQ(buf != NULL, 1);
	CHECK_EQ(rte_eth_tx_buffer_init(buf, 4), 0);
	uint64_t dropped = 0;
	CHECK_EQ(rte_eth_tx_buffer_set_err_callback(buf, rte_eth_tx_buffer_count_callback, &dropped), 0);
	unsigned sent = 0;
	for (int i = 0; i < 6; i++)
		sent += rte_eth_tx_buffer(port, 0, buf, pkts[i]);
	CHECK_EQ(sent, 4);
	CHECK_EQ(rte_eth_tx_buffer_flush(port, 0, buf), 2);
	rte_pktmbuf_free_bulk(&pkts[6], 2);
	rte_free(buf);

	struct rte_eth_stats st;
	CHECK_EQ(rte_eth_stats_get(port, &st), 0);
	CHECK_EQ(st.ipackets, 8);
	test_rx_callback(port);
	CHECK_EQ(st.opackets, 6);
	CHECK_EQ(st.q_opackets[0], 6);
	CHECK_EQ(dropped, 0);
	CHECK_EQ(rte_mempool_in_use_count(mp), 0);
	CHECK_EQ(rte_eth_dev_stop(port), 0);
}

/* Dynamic fields through DPDK's names: an offset, the same one again,
 * -1 with rte_errno for a clash and an unknown name. */
static void test_dynfield(void)
{
	const struct rte_mbuf_dynfield f = { .name = "rte_api_field", .size = sizeof(uint32_t),
					     .align = __alignof__(uint32_t) };
	struct rte_mbuf_dynfield clash = f;
	int off = rte_mbuf_dynfield_register(&f);

	CHECK_EQ(off >= 0, 1);
	CHECK_EQ(rte_mbuf_dynfield_register(&f), off);
	CHECK_EQ(rte_mbuf_dynfield_lookup("rte_api_field", NULL), off);
	clash.size = 8;
	rte_errno = 0;
	CHECK_EQ(rte_mbuf_dynfield_register(&clash), -1);
	CHECK_EQ(rte_errno, EEXIST);
	rte_errno = 0;
	CHECK_EQ(rte_mbuf_dynfield_lookup("no_such_field", NULL), -1);
	CHECK_EQ(rte_errno, ENOENT);
}

static void test_misc(void)
{
	pthread_t t;
	rte_errno = 7;
	pthread_create(&t, NULL, errno_thread, NULL);
	pthread_join(t, NULL);
	CHECK_EQ(rte_errno, 7); /* the other thread's 42 is its own */

	char s[] = "1,2,,3";
	char *tok[4];
	CHECK_EQ(rte_strsplit(s, sizeof(s), tok, 4, ','), 4);
	CHECK_EQ(strcmp(tok[3], "3"), 0);
	CHECK_EQ(rte_strsplit(NULL, 0, tok, 4, ','), -1);
	CHECK_EQ(strcmp(rte_strerror(E_RTE_SECONDARY), "Invalid call in secondary process"), 0);
	CHECK_EQ(strcmp(rte_strerror(ENOTSUP), strerror(ENOTSUP)), 0);
	CHECK_EQ(rte_cpu_to_be_16(0x1234), 0x3412);
	CHECK_EQ(rte_be_to_cpu_32(RTE_BE32(0x01020304)), 0x01020304);

	/* RTE_LOG(INFO, USER1-type) reaches sl_log under "user1" */
	FILE *f = tmpfile();
	rte_openlog_stream(f);
	rte_log_set_global_level(RTE_LOG_DEBUG);
#define RTE_LOGTYPE_TESTAPP RTE_LOGTYPE_USER1
	RTE_LOG(INFO, TESTAPP, "value %d\n", 5);
	rte_log_set_global_level(RTE_LOG_NOTICE);
	RTE_LOG(INFO, TESTAPP, "not shown\n");
	rte_openlog_stream(NULL);
	char line[128] = "";
	rewind(f);
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	CHECK_EQ(strcmp(line, "user1: TESTAPP: value 5\n"), 0);
	CHECK_EQ(fgets(line, sizeof(line), f) == NULL, 1);
	fclose(f);
}

int main(int argc, char **argv)
{
	(void)argc;
	char *eal_args[] = {argv[0], "-l", "0", "--vdev", "net_null0", "-m", "32", "--", "app-arg", NULL};
	int ret = rte_eal_init(9, eal_args);
	CHECK_EQ(ret, 7); /* as DPDK: everything up to and with "--" */
	CHECK_EQ(strcmp(eal_args[ret], argv[0]), 0);
	if (ret < 0)
		return 1;
	uint16_t port;
	CHECK_EQ(rte_eth_dev_get_port_by_name("net_null0", &port) == 0 ||
			 rte_eth_dev_get_port_by_name("null0", &port) == 0, 1);
	struct rte_mempool *mp = rte_pktmbuf_pool_create("rte_api", 2048, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
							 rte_socket_id());
	CHECK_EQ(mp != NULL, 1);
	if (mp == NULL)
		return 1;

	test_refusals(port, mp);
	test_events(port);
	/* NUMA: a null port has no device node; a bad port is EINVAL */
	rte_errno = 5;
	CHECK_EQ(rte_eth_dev_socket_id(port), SOCKET_ID_ANY);
	CHECK_EQ(rte_errno, 0);
	CHECK_EQ(rte_eth_dev_socket_id(RTE_MAX_ETHPORTS - 1), SOCKET_ID_ANY);
	CHECK_EQ(rte_errno, EINVAL);
	CHECK_EQ((int)rte_socket_id() >= 0, 1); /* this machine's lcores have a node (0 without NUMA) */
	test_dynfield();
	CHECK_EQ(strcmp(rte_eth_dev_tx_offload_name(RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE), "MBUF_FAST_FREE"), 0);
	CHECK_EQ(strcmp(rte_eth_dev_rx_offload_name(RTE_ETH_RX_OFFLOAD_RSS_HASH), "RSS_HASH"), 0);
	test_forwarding(port, mp);
	test_misc();

	CHECK_EQ(rte_eth_dev_close(port), 0);
	rte_mempool_free(mp);
	CHECK_EQ(rte_eal_cleanup(), 0);
	if (failures) {
		fprintf(stderr, "test_rte_api: %d check(s) failed\n", failures);
		return 1;
	}
	printf("test_rte_api: all checks passed\n");
	return 0;
}
