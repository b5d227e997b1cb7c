/* test_ethdev.c: the ethdev API over net_null ports: the port registry,
 * configure/queue setup/start/stop/close and their error cases, bursts and
 * the statistics and xstats they produce, link, MAC, promiscuous and
 * all-multicast, MTU, net_null's size/copy/no-rx options, PCI driver
 * matching through a test driver, the rx interrupt calls' checks
 * (net_null has none; a test driver with eventfds has), and RSS: how
 * configure resolves rx_mq_mode and checks rss_conf, and the checks of the
 * hash and redirection table calls (net_null has none; a test driver
 * records what reaches it); link state change events: lsc refused on
 * net_null, and a test driver's events delivered on the EAL interrupt
 * thread. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "ethdev_driver.h"
#include "sl_eal.h"
#include "sl_ethdev.h"
#include "sl_mbuf.h"
#include "sl_mempool.h"
#include "../test_check.h"
#include "ethdev_test_teardown.h"


#define BURST 32

static uint16_t port_of(const char *name)
{
	uint16_t p = SL_MAX_ETHPORTS;
	REQUIRE(sl_eth_dev_get_port_by_name(name, &p) == 0);
	return p;
}

/* configure + one pool for every rx queue + start */
static int bring_up(uint16_t port, uint16_t nrxq, uint16_t ntxq, struct sl_mempool *mp)
{
	int ret = sl_eth_dev_configure(port, nrxq, ntxq, NULL);
	for (uint16_t q = 0; ret == 0 && q < nrxq; q++)
		ret = sl_eth_rx_queue_setup(port, q, 0, NULL, mp);
	for (uint16_t q = 0; ret == 0 && q < ntxq; q++)
		ret = sl_eth_tx_queue_setup(port, q, 0, NULL);
	if (ret == 0)
		ret = sl_eth_dev_start(port);
	return ret;
}

static void test_registry(void)
{
	CHECK_EQ(sl_eth_dev_count_avail(), 4);
	unsigned n = 0;
	uint16_t p;
	SL_ETH_FOREACH_DEV(p) {
		CHECK(sl_eth_dev_is_valid_port(p));
		CHECK(sl_eth_dev_name(p) != NULL);
		n++;
	}
	CHECK_EQ(n, 4);
	CHECK(!sl_eth_dev_is_valid_port(SL_MAX_ETHPORTS - 1));
	CHECK(!sl_eth_dev_is_valid_port(UINT16_MAX));
	CHECK(sl_eth_dev_name(200) == NULL);
	uint16_t id;
	CHECK_EQ(sl_eth_dev_get_port_by_name("nonexistent", &id), -ENODEV);
	/* "net_null1" was given with the DPDK-style prefix: same driver */
	CHECK_EQ(sl_eth_dev_get_port_by_name("net_null1", &id), 0);

	struct sl_eth_dev_info info;
	CHECK_EQ(sl_eth_dev_info_get(port_of("null0"), &info), 0);
	CHECK(strcmp(info.driver_name, "net_null") == 0);
	CHECK(strcmp(info.name, "null0") == 0);
	CHECK_EQ(info.max_rx_queues, SL_MAX_QUEUES_PER_PORT);
	CHECK_EQ(info.max_tx_queues, SL_MAX_QUEUES_PER_PORT);
	CHECK_EQ(sl_eth_dev_info_get(77, &info), -ENODEV);

	/* a second port with a taken name is refused */
	CHECK(sl_eth_dev_allocate("null0", sl_eth_driver_find("net_null")) == NULL);
	CHECK(sl_eth_driver_find("net_null") != NULL);
	CHECK(sl_eth_driver_find("net_nothing") == NULL);
}

static void test_errors(struct sl_mempool *mp)
{
	uint16_t p = port_of("null0");
	struct sl_eth_stats st;

	/* bad port ids everywhere */
	CHECK_EQ(sl_eth_dev_configure(99, 1, 1, NULL), -ENODEV);
	CHECK_EQ(sl_eth_rx_queue_setup(99, 0, 0, NULL, mp), -ENODEV);
	CHECK_EQ(sl_eth_tx_queue_setup(99, 0, 0, NULL), -ENODEV);
	CHECK_EQ(sl_eth_dev_start(99), -ENODEV);
	CHECK_EQ(sl_eth_dev_stop(99), -ENODEV);
	CHECK_EQ(sl_eth_dev_close(99), -ENODEV);
	CHECK_EQ(sl_eth_stats_get(99, &st), -ENODEV);
	CHECK_EQ(sl_eth_promiscuous_enable(99), -ENODEV);
	CHECK_EQ(sl_eth_dev_set_mtu(99, 1500), -ENODEV);

	/* order: nothing before configure */
	CHECK_EQ(sl_eth_rx_queue_setup(p, 0, 0, NULL, mp), -EINVAL);
	CHECK_EQ(sl_eth_tx_queue_setup(p, 0, 0, NULL), -EINVAL);
	CHECK_EQ(sl_eth_dev_start(p), -EINVAL);

	/* queue counts */
	CHECK_EQ(sl_eth_dev_configure(p, 0, 1, NULL), -EINVAL);
	CHECK_EQ(sl_eth_dev_configure(p, 1, 0, NULL), -EINVAL);
	CHECK_EQ(sl_eth_dev_configure(p, SL_MAX_QUEUES_PER_PORT + 1, 1, NULL), -EINVAL);
	CHECK_EQ(sl_eth_dev_configure(p, 1, SL_MAX_QUEUES_PER_PORT + 1, NULL), -EINVAL);
	struct sl_eth_conf bad_offload = {.rx_offloads = 1};
	CHECK_EQ(sl_eth_dev_configure(p, 1, 1, &bad_offload), -EINVAL);
	struct sl_eth_conf bad_mtu = {.mtu = 20};
	CHECK_EQ(sl_eth_dev_configure(p, 1, 1, &bad_mtu), -EINVAL);

	CHECK_EQ(sl_eth_dev_configure(p, 2, 2, NULL), 0);
	CHECK_EQ(sl_eth_rx_queue_setup(p, 2, 0, NULL, mp), -EINVAL); /* only queues 0, 1 */
	CHECK_EQ(sl_eth_tx_queue_setup(p, 5, 0, NULL), -EINVAL);
	CHECK_EQ(sl_eth_rx_queue_setup(p, 0, 0, NULL, NULL), -EINVAL); /* no pool */
	CHECK_EQ(sl_eth_rx_queue_setup(p, 0, 0, NULL, mp), 0);
	CHECK_EQ(sl_eth_tx_queue_setup(p, 0, 0, NULL), 0);
	CHECK_EQ(sl_eth_tx_queue_setup(p, 1, 0, NULL), 0);
	/* rx queue 1 is missing */
	CHECK_EQ(sl_eth_dev_start(p), -EINVAL);
	CHECK(!sl_eth_dev_is_started(p));
	CHECK_EQ(sl_eth_rx_queue_setup(p, 1, 0, NULL, mp), 0);
	/* setting up a queue twice replaces it */
	CHECK_EQ(sl_eth_rx_queue_setup(p, 1, 512, NULL, mp), 0);
	CHECK_EQ(sl_eth_dev_start(p), 0);
	CHECK(sl_eth_dev_is_started(p));
	CHECK_EQ(sl_eth_dev_start(p), 0); /* already started: fine */

	/* no setup or reconfiguration while started */
	CHECK_EQ(sl_eth_rx_queue_setup(p, 0, 0, NULL, mp), -EBUSY);
	CHECK_EQ(sl_eth_tx_queue_setup(p, 0, 0, NULL), -EBUSY);
	CHECK_EQ(sl_eth_dev_configure(p, 1, 1, NULL), -EBUSY);

	CHECK_EQ(sl_eth_dev_stop(p), 0);
	CHECK_EQ(sl_eth_dev_stop(p), 0); /* twice is fine */
	/* reconfigure to fewer queues: queue 0 stays set up, so start works */
	CHECK_EQ(sl_eth_dev_configure(p, 1, 1, NULL), 0);
	CHECK_EQ(sl_eth_dev_start(p), 0);
	CHECK_EQ(sl_eth_dev_stop(p), 0);
	/* and back to two: queue 1 was released and needs a setup again */
	CHECK_EQ(sl_eth_dev_configure(p, 2, 2, NULL), 0);
	CHECK_EQ(sl_eth_dev_start(p), -EINVAL);
}

/* Fill the first 128 data bytes of every mbuf of a pool with *(uchar *)ARG. */
static void mark_buffer(struct sl_mempool *mp, void *arg, void *obj, unsigned idx)
{
	struct sl_mbuf *m = obj;
	(void)mp;
	(void)idx;
	memset((char *)m->buf_addr + SL_PKTMBUF_HEADROOM, *(unsigned char *)arg, 128);
}

static void test_bursts_and_stats(struct sl_mempool *mp)
{
	uint16_t p = port_of("null0");
	struct sl_mbuf *pkts[BURST];
	struct sl_eth_stats st;
	unsigned avail0 = sl_mempool_avail_count(mp);

	/* a stopped port receives and sends nothing */
	CHECK_EQ(sl_eth_rx_burst(p, 0, pkts, BURST), 0);
	CHECK_EQ(sl_eth_tx_burst(p, 0, pkts, 0), 0);

	REQUIRE(bring_up(p, 2, 2, mp) == 0);
	CHECK_EQ(sl_eth_stats_reset(p), 0);

	/* net_null must not touch packet data: mark every buffer first */
	unsigned char mark = 0xab;
	sl_mempool_obj_iter(mp, mark_buffer, &mark);

	CHECK_EQ(sl_eth_rx_burst(p, 0, pkts, BURST), BURST);
	for (unsigned i = 0; i < BURST; i++) {
		CHECK_EQ(pkts[i]->data_len, 64);
		CHECK_EQ(pkts[i]->pkt_len, 64);
		CHECK_EQ(pkts[i]->port, p);
		CHECK_EQ(pkts[i]->nb_segs, 1);
		CHECK_EQ((unsigned char)sl_pktmbuf_mtod(pkts[i], char *)[10], 0xab);
	}
	CHECK_EQ(sl_mempool_avail_count(mp), avail0 - BURST);
	CHECK_EQ(sl_eth_tx_burst(p, 1, pkts, BURST), BURST);
	CHECK_EQ(sl_mempool_avail_count(mp), avail0);

	CHECK_EQ(sl_eth_rx_burst(p, 1, pkts, 16), 16);
	CHECK_EQ(sl_eth_tx_burst(p, 0, pkts, 10), 10);
	CHECK_EQ(sl_eth_tx_burst(p, 1, pkts + 10, 6), 6);
	CHECK_EQ(sl_mempool_avail_count(mp), avail0);

	CHECK_EQ(sl_eth_stats_get(p, &st), 0);
	CHECK_EQ(st.ipackets, BURST + 16);
	CHECK_EQ(st.opackets, BURST + 16);
	CHECK_EQ(st.ibytes, (BURST + 16) * 64);
	CHECK_EQ(st.obytes, (BURST + 16) * 64);
	CHECK_EQ(st.q_ipackets[0], BURST);
	CHECK_EQ(st.q_ipackets[1], 16);
	CHECK_EQ(st.q_opackets[0], 10);
	CHECK_EQ(st.q_opackets[1], BURST + 6);
	CHECK_EQ(st.q_obytes[1], (BURST + 6) * 64);
	CHECK_EQ(st.imissed, 0);
	CHECK_EQ(st.ierrors, 0);
	CHECK_EQ(st.oerrors, 0);
	CHECK_EQ(st.rx_nombuf, 0);

	/* xstats: names and values agree with the basic stats */
	int n = sl_eth_xstats_get_names(p, NULL, 0);
	/* 8 basic, 3 per rx queue, 2 per tx queue, 1 driver counter per rx queue */
	CHECK_EQ(n, 8 + 3 * 2 + 2 * 2 + 2);
	REQUIRE(n > 0 && n < 100);
	struct sl_eth_xstat_name names[100];
	struct sl_eth_xstat xs[100];
	memset(names, 0, sizeof(names));
	CHECK_EQ(sl_eth_xstats_get_names(p, names, 3), n); /* too small: nothing written */
	CHECK(names[0].name[0] == '\0');
	CHECK_EQ(sl_eth_xstats_get_names(p, names, (unsigned)n), n);
	CHECK_EQ(sl_eth_xstats_get(p, xs, (unsigned)n), n);
	int found = 0;
	for (int i = 0; i < n; i++) {
		CHECK_EQ(xs[i].id, i);
		if (strcmp(names[i].name, "rx_good_packets") == 0) {
			CHECK_EQ(xs[i].value, BURST + 16);
			found++;
		} else if (strcmp(names[i].name, "tx_good_bytes") == 0) {
			CHECK_EQ(xs[i].value, (BURST + 16) * 64);
			found++;
		} else if (strcmp(names[i].name, "rx_q1_packets") == 0) {
			CHECK_EQ(xs[i].value, 16);
			found++;
		} else if (strcmp(names[i].name, "tx_q0_packets") == 0) {
			CHECK_EQ(xs[i].value, 10);
			found++;
		} else if (strcmp(names[i].name, "rx_q0_mbuf_allocation_errors") == 0) {
			CHECK_EQ(xs[i].value, 0);
			found++;
		}
	}
	CHECK_EQ(found, 5);
	uint64_t v = 1234;
	CHECK_EQ(sl_eth_xstats_get_by_name(p, "tx_q1_packets", &v), 0);
	CHECK_EQ(v, BURST + 6);
	CHECK_EQ(sl_eth_xstats_get_by_name(p, "no_such_counter", &v), -EINVAL);

	/* reset */
	CHECK_EQ(sl_eth_xstats_reset(p), 0);
	CHECK_EQ(sl_eth_xstats_get_by_name(p, "rx_good_packets", &v), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(sl_eth_rx_burst(p, 0, pkts, 4), 4);
	sl_pktmbuf_free_bulk(pkts, 4);
	CHECK_EQ(sl_eth_stats_get(p, &st), 0);
	CHECK_EQ(st.ipackets, 4);
	CHECK_EQ(sl_eth_stats_reset(p), 0);
	CHECK_EQ(sl_eth_stats_get(p, &st), 0);
	CHECK_EQ(st.ipackets, 0);
	CHECK_EQ(st.opackets, 0);

	/* stop: bursts return nothing again, counters stay */
	CHECK_EQ(sl_eth_rx_burst(p, 0, pkts, 2), 2);
	sl_pktmbuf_free_bulk(pkts, 2);
	CHECK_EQ(sl_eth_dev_stop(p), 0);
	CHECK_EQ(sl_eth_rx_burst(p, 0, pkts, BURST), 0);
	CHECK_EQ(sl_eth_stats_get(p, &st), 0);
	CHECK_EQ(st.ipackets, 2);
	CHECK_EQ(sl_mempool_avail_count(mp), avail0);
}

static struct sl_mempool *small;

static void test_nombuf(void)
{
	/* a pool of 48 without cache: the second burst of 32 cannot be served */
	small = sl_pktmbuf_pool_create("ethdev_small", 48, 0, 0, SL_MBUF_DEFAULT_BUF_SIZE);
	REQUIRE(small != NULL);
	uint16_t p = port_of("net_null1");
	REQUIRE(bring_up(p, 1, 1, small) == 0);
	struct sl_mbuf *a[BURST], *b[BURST];
	CHECK_EQ(sl_eth_rx_burst(p, 0, a, BURST), BURST);
	CHECK_EQ(sl_eth_rx_burst(p, 0, b, BURST), 0);
	CHECK_EQ(sl_eth_rx_burst(p, 0, b, BURST), 0);
	/* size=128 on this port */
	CHECK_EQ(a[0]->data_len, 128);
	CHECK_EQ(a[BURST - 1]->pkt_len, 128);
	struct sl_eth_stats st;
	CHECK_EQ(sl_eth_stats_get(p, &st), 0);
	CHECK_EQ(st.ipackets, BURST);
	CHECK_EQ(st.ibytes, BURST * 128);
	CHECK_EQ(st.rx_nombuf, 2 * BURST);
	uint64_t v = 0;
	CHECK_EQ(sl_eth_xstats_get_by_name(p, "rx_q0_mbuf_allocation_errors", &v), 0);
	CHECK_EQ(v, 2 * BURST);
	CHECK_EQ(sl_eth_xstats_get_by_name(p, "rx_mbuf_allocation_errors", &v), 0);
	CHECK_EQ(v, 2 * BURST);
	CHECK_EQ(sl_eth_tx_burst(p, 0, a, BURST), BURST);
	CHECK_EQ(sl_mempool_avail_count(small), 48);
	CHECK_EQ(sl_eth_dev_stop(p), 0);
	/* the pool is free to go once the port no longer refers to it */
	CHECK_EQ(sl_eth_dev_configure(p, 1, 1, NULL), 0);
}

static void test_copy_and_norx(struct sl_mempool *mp)
{
	uint16_t pc = port_of("null2"), pn = port_of("null3");
	struct sl_mbuf *pkts[BURST];
	unsigned char mark = 0xcd;
	sl_mempool_obj_iter(mp, mark_buffer, &mark);

	REQUIRE(bring_up(pc, 1, 1, mp) == 0);
	CHECK_EQ(sl_eth_rx_burst(pc, 0, pkts, BURST), BURST);
	for (unsigned i = 0; i < BURST; i++) {
		const unsigned char *d = sl_pktmbuf_mtod(pkts[i], const unsigned char *);
		/* copy=1: the 64-byte (zeroed) template was copied in, the rest untouched */
		CHECK_EQ(d[0], 0);
		CHECK_EQ(d[63], 0);
		CHECK_EQ(d[64], 0xcd);
	}
	CHECK_EQ(sl_eth_tx_burst(pc, 0, pkts, BURST), BURST);
	struct sl_eth_stats st;
	CHECK_EQ(sl_eth_stats_get(pc, &st), 0);
	CHECK_EQ(st.opackets, BURST);

	REQUIRE(bring_up(pn, 1, 1, mp) == 0);
	CHECK_EQ(sl_eth_rx_burst(pn, 0, pkts, BURST), 0); /* no-rx=1 */
	CHECK_EQ(sl_eth_stats_get(pn, &st), 0);
	CHECK_EQ(st.ipackets, 0);
	CHECK_EQ(st.rx_nombuf, 0);
	CHECK_EQ(sl_eth_dev_stop(pc), 0);
	CHECK_EQ(sl_eth_dev_stop(pn), 0);
}

static void test_link_mac_modes_mtu(struct sl_mempool *mp)
{
	uint16_t p = port_of("null0");
	struct sl_eth_link link;

	CHECK_EQ(sl_eth_link_get_nowait(p, &link), 0);
	CHECK_EQ(link.status, SL_ETH_LINK_DOWN);
	CHECK_EQ(sl_eth_link_wait(p, 20, &link), -ETIMEDOUT);
	CHECK_EQ(sl_eth_link_get_nowait(42, &link), -ENODEV);
	REQUIRE(bring_up(p, 1, 1, mp) == 0);
	CHECK_EQ(sl_eth_link_wait(p, 1000, &link), 0);
	CHECK_EQ(link.status, SL_ETH_LINK_UP);
	CHECK_EQ(link.speed_mbps, 10000);
	CHECK_EQ(link.full_duplex, 1);
	CHECK_EQ(sl_eth_dev_stop(p), 0);
	CHECK_EQ(sl_eth_link_get_nowait(p, &link), 0);
	CHECK_EQ(link.status, SL_ETH_LINK_DOWN);

	struct sl_ether_addr mac;
	CHECK_EQ(sl_eth_macaddr_get(p, &mac), 0);
	CHECK(!sl_is_multicast_ether_addr(&mac));
	CHECK(!sl_is_zero_ether_addr(&mac));
	CHECK_EQ(mac.addr_bytes[5], p);
	struct sl_ether_addr other;
	CHECK_EQ(sl_eth_macaddr_get(port_of("null2"), &other), 0);
	CHECK(memcmp(&mac, &other, sizeof(mac)) != 0); /* unique per port */
	char buf[24];
	sl_ether_format_addr(buf, sizeof(buf), &mac);
	CHECK_EQ(strlen(buf), 17);

	struct sl_ether_addr mcast = {{0x01, 0x00, 0x5e, 0x00, 0x00, 0x01}};
	struct sl_ether_addr zero = {{0}};
	struct sl_ether_addr good = {{0x02, 0x11, 0x22, 0x33, 0x44, 0x55}};
	CHECK_EQ(sl_eth_dev_default_mac_addr_set(p, &mcast), -EINVAL);
	CHECK_EQ(sl_eth_dev_default_mac_addr_set(p, &zero), -EINVAL);
	CHECK_EQ(sl_eth_macaddr_get(p, &other), 0);
	CHECK(memcmp(&other, &mac, sizeof(mac)) == 0); /* unchanged by refusals */
	CHECK_EQ(sl_eth_dev_default_mac_addr_set(p, &good), 0);
	CHECK_EQ(sl_eth_macaddr_get(p, &other), 0);
	CHECK(memcmp(&other, &good, sizeof(good)) == 0);
	CHECK_EQ(sl_eth_dev_default_mac_addr_set(88, &good), -ENODEV);

	CHECK_EQ(sl_eth_promiscuous_get(p), 0);
	CHECK_EQ(sl_eth_promiscuous_enable(p), 0);
	CHECK_EQ(sl_eth_promiscuous_get(p), 1);
	CHECK_EQ(sl_eth_promiscuous_disable(p), 0);
	CHECK_EQ(sl_eth_promiscuous_get(p), 0);
	CHECK_EQ(sl_eth_promiscuous_get(88), -ENODEV);
	CHECK_EQ(sl_eth_allmulticast_get(p), 0);
	CHECK_EQ(sl_eth_allmulticast_enable(p), 0);
	CHECK_EQ(sl_eth_allmulticast_get(p), 1);
	CHECK_EQ(sl_eth_allmulticast_disable(p), 0);
	CHECK_EQ(sl_eth_allmulticast_get(p), 0);

	uint16_t mtu = 0;
	CHECK_EQ(sl_eth_dev_get_mtu(p, &mtu), 0);
	CHECK_EQ(mtu, SL_ETH_DEFAULT_MTU);
	CHECK_EQ(sl_eth_dev_set_mtu(p, 9000), 0);
	CHECK_EQ(sl_eth_dev_get_mtu(p, &mtu), 0);
	CHECK_EQ(mtu, 9000);
	CHECK_EQ(sl_eth_dev_set_mtu(p, 9001), -EINVAL);
	CHECK_EQ(sl_eth_dev_set_mtu(p, 40), -EINVAL);
	CHECK_EQ(sl_eth_dev_get_mtu(p, &mtu), 0);
	CHECK_EQ(mtu, 9000);
	struct sl_eth_conf conf = {.mtu = 2000};
	CHECK_EQ(sl_eth_dev_configure(p, 1, 1, &conf), 0);
	CHECK_EQ(sl_eth_dev_get_mtu(p, &mtu), 0);
	CHECK_EQ(mtu, 2000);
}

/* ---- a PCI driver's ports, with the bus device handed over ----------- */

/* Matching a device to a PCI driver is the bus's job (test/bus_vfio/
 * test_probe.c); here a fake driver's probe is called as the bus would,
 * with a token for the bus device, and creates its port. */
static void *seen_bus_device;
static int fake_closed;

static int fake_infos(struct sl_eth_dev *d, struct sl_eth_dev_info *i)
{
	(void)d;
	i->max_rx_queues = 1;
	i->max_tx_queues = 1;
	return 0;
}
static int fake_ok(struct sl_eth_dev *d) { (void)d; return 0; }
static void fake_close(struct sl_eth_dev *d) { (void)d; fake_closed++; }
static int fake_stats(struct sl_eth_dev *d, struct sl_eth_stats *s) { (void)d; (void)s; return 0; }
static int fake_queue_obj;
static int fake_rxq_setup(struct sl_eth_dev *d, uint16_t q, uint16_t n, const struct sl_eth_rxconf *c,
			  struct sl_mempool *mp)
{
	(void)n; (void)c; (void)mp;
	d->rx_queues[q] = &fake_queue_obj;
	return 0;
}
static int fake_txq_setup(struct sl_eth_dev *d, uint16_t q, uint16_t n, const struct sl_eth_txconf *c)
{
	(void)n; (void)c;
	d->tx_queues[q] = &fake_queue_obj;
	return 0;
}
static void fake_q_release(struct sl_eth_dev *d, uint16_t q) { (void)d; (void)q; }
static void *fake_rx_seen_queue;
static uint16_t fake_rx_burst(void *q, struct sl_mbuf **pkts, uint16_t n)
{
	(void)pkts; (void)n;
	fake_rx_seen_queue = q;
	return 7;
}
static uint16_t fake_tx_burst(void *q, struct sl_mbuf **pkts, uint16_t n)
{
	(void)q; (void)pkts;
	return (uint16_t)(n / 2);
}

/* The ops every fake driver below shares: stats and queue setup/release. */
#define FAKE_QUEUE_OPS                           \
	.stats_get = fake_stats,                 \
	.stats_reset = fake_ok,                  \
	.rx_queue_setup = fake_rxq_setup,        \
	.tx_queue_setup = fake_txq_setup,        \
	.rx_queue_release = fake_q_release,      \
	.tx_queue_release = fake_q_release

/* A fake PCI driver TAG##_driver named DRV, whose probe (as the bus
 * calls it) allocates port DEVNAME with OPS and the fake burst functions. */
#define FAKE_PCI_DRIVER(tag, drv, devname, ops)                                      \
	static struct sl_eth_driver tag##_driver;                                    \
	static int tag##_probe(void *bus_device)                                     \
	{                                                                            \
		struct sl_eth_dev *dev = sl_eth_dev_allocate(devname, &tag##_driver); \
		if (dev == NULL)                                                     \
			return -ENOSPC;                                              \
		dev->dev_ops = &(ops);                                               \
		dev->bus_device = bus_device;                                        \
		dev->rx_pkt_burst = fake_rx_burst;                                   \
		dev->tx_pkt_burst = fake_tx_burst;                                   \
		return 0;                                                            \
	}                                                                            \
	static struct sl_eth_driver tag##_driver = {                                 \
		.name = drv,                                                         \
	}

static const struct sl_eth_dev_ops fake_ops = {
	.dev_infos_get = fake_infos,
	.dev_configure = fake_ok,
	.dev_start = fake_ok,
	.dev_stop = fake_ok,
	.dev_close = fake_close,
	FAKE_QUEUE_OPS,
};

static struct sl_eth_driver fake_driver;

static int fake_probe(void *bus_device)
{
	seen_bus_device = bus_device;
	struct sl_eth_dev *dev = sl_eth_dev_allocate("fake:00.0", &fake_driver);
	if (dev == NULL)
		return -ENOSPC;
	dev->dev_ops = &fake_ops;
	dev->bus_device = bus_device;
	return 0;
}

static struct sl_eth_driver fake_driver = {
	.name = "net_fake_pci",
};

static void test_pci_probe(void)
{
	int token;
	sl_eth_driver_register(&fake_driver);
	sl_eth_driver_register(&fake_driver); /* twice: no harm */
	CHECK(sl_eth_driver_find("net_fake_pci") == &fake_driver);
	unsigned before = sl_eth_dev_count_avail();
	CHECK_EQ(fake_probe(&token), 0);
	CHECK(seen_bus_device == &token);
	CHECK_EQ(sl_eth_dev_count_avail(), before + 1);
	uint16_t p = port_of("fake:00.0");
	CHECK(sl_eth_dev_get(p)->bus_device == &token);
	struct sl_eth_dev_info info;
	CHECK_EQ(sl_eth_dev_info_get(p, &info), 0);
	CHECK(strcmp(info.driver_name, "net_fake_pci") == 0);
	/* optional ops left out: -ENOTSUP, not a crash */
	CHECK_EQ(sl_eth_promiscuous_enable(p), -ENOTSUP);
	CHECK_EQ(sl_eth_dev_set_mtu(p, 1400), -ENOTSUP);
	struct sl_ether_addr good = {{0x02, 1, 2, 3, 4, 5}};
	CHECK_EQ(sl_eth_dev_default_mac_addr_set(p, &good), -ENOTSUP);
	CHECK_EQ(sl_eth_xstats_get_names(p, NULL, 0), 8); /* no queues yet, no driver xstats */

	/* a driver that set no burst function cannot start (the fake driver
	 * never looks at the pool, so any non-NULL pointer does) */
	int dummy_pool;
	CHECK_EQ(sl_eth_dev_configure(p, 1, 1, NULL), 0);
	CHECK_EQ(sl_eth_rx_queue_setup(p, 0, 0, NULL, (struct sl_mempool *)&dummy_pool), 0);
	CHECK_EQ(sl_eth_tx_queue_setup(p, 0, 0, NULL), 0);
	CHECK_EQ(sl_eth_dev_start(p), -EINVAL);
	CHECK(!sl_eth_dev_is_started(p));
	/* per-queue burst functions reach the fast path with their queue */
	struct sl_eth_dev *dev = sl_eth_dev_get(p);
	dev->rx_queue_burst[0] = fake_rx_burst;
	dev->tx_pkt_burst = fake_tx_burst;
	CHECK_EQ(sl_eth_dev_start(p), 0);
	struct sl_mbuf *pkts[8];
	CHECK_EQ(sl_eth_rx_burst(p, 0, pkts, 8), 7);
	CHECK(fake_rx_seen_queue == &fake_queue_obj);
	CHECK_EQ(sl_eth_tx_burst(p, 0, pkts, 8), 4);
	CHECK_EQ(sl_eth_dev_stop(p), 0);
	CHECK_EQ(sl_eth_rx_burst(p, 0, pkts, 8), 0);
	CHECK_EQ(sl_eth_dev_close(p), 0);
	CHECK_EQ(fake_closed, 1);
	CHECK_EQ(sl_eth_dev_count_avail(), before);
}

/* ---- removal: sl_eth_pci_removed as a PCI driver's remove callback calls it ---- */

static int rm_stats_calls;
static int rm_stats(struct sl_eth_dev *d, struct sl_eth_stats *s)
{
	(void)d;
	rm_stats_calls++;
	s->ipackets = 1000 + (uint64_t)rm_stats_calls; /* changes on every read */
	s->opackets = 900;
	return 0;
}
static const struct sl_eth_dev_ops rm_ops = {
	.dev_infos_get = fake_infos,
	.dev_configure = fake_ok,
	.dev_start = fake_ok,
	.dev_stop = fake_ok,
	.dev_close = fake_close,
	.stats_get = rm_stats,
	.stats_reset = fake_ok,
	.rx_queue_setup = fake_rxq_setup,
	.tx_queue_setup = fake_txq_setup,
	.rx_queue_release = fake_q_release,
	.tx_queue_release = fake_q_release,
};
FAKE_PCI_DRIVER(rmdrv, "net_rm_test", "rm:00.0", rm_ops);

static uint16_t rm_cb_port = SL_MAX_ETHPORTS;
static int rm_cb_calls;
static int rm_cb_off_thread;
static void rm_cb(uint16_t port, enum sl_eth_event_type ev, void *arg)
{
	CHECK(ev == SL_ETH_EVENT_INTR_RMV);
	CHECK(arg == &rm_cb_calls);
	if (!sl_intr_thread_is_current())
		rm_cb_off_thread++;
	rm_cb_port = port;
	__atomic_fetch_add(&rm_cb_calls, 1, __ATOMIC_RELEASE);
}

/* Event callbacks run on the EAL interrupt thread, shortly after the
 * event: wait (up to 2 s) until *COUNTER reaches WANT; its value then. */
static int wait_count(const int *counter, int want)
{
	for (int i = 0; i < 200 && __atomic_load_n(counter, __ATOMIC_ACQUIRE) < want; i++)
		usleep(10000);
	return __atomic_load_n(counter, __ATOMIC_ACQUIRE);
}

static void test_removal(void)
{
	int token, other;
	int dummy_pool;
	struct sl_ether_addr mac;
	sl_eth_driver_register(&rmdrv_driver);
	CHECK_EQ(rmdrv_probe(&token), 0);
	uint16_t p = port_of("rm:00.0");
	struct sl_eth_dev *dev = sl_eth_dev_get(p);
	/* stats through the driver until the removal */
	CHECK_EQ(sl_eth_dev_configure(p, 1, 1, NULL), 0);
	CHECK_EQ(sl_eth_rx_queue_setup(p, 0, 0, NULL, (struct sl_mempool *)&dummy_pool), 0);
	CHECK_EQ(sl_eth_tx_queue_setup(p, 0, 0, NULL), 0);
	CHECK_EQ(sl_eth_dev_start(p), 0);
	struct sl_mbuf *pkts[8];
	CHECK_EQ(sl_eth_rx_burst(p, 0, pkts, 8), 7);
	CHECK_EQ(sl_eth_tx_burst(p, 0, pkts, 8), 4);
	CHECK(!sl_eth_dev_is_removed(p));
	CHECK(!sl_eth_dev_is_removed(SL_MAX_ETHPORTS));
	CHECK_EQ(sl_eth_dev_callback_register(p, SL_ETH_EVENT_INTR_RMV, NULL, NULL), -EINVAL);
	CHECK_EQ(sl_eth_dev_callback_register(SL_ETH_ALL, SL_ETH_EVENT_INTR_RMV, rm_cb, &rm_cb_calls), 0);

	/* another device's removal, or one no port uses: nothing happens */
	sl_eth_pci_removed(&other);
	sl_eth_pci_removed(NULL);
	CHECK(!sl_eth_dev_is_removed(p));
	CHECK_EQ(rm_cb_calls, 0);

	sl_eth_pci_removed(&token);
	CHECK(sl_eth_dev_is_removed(p));
	CHECK_EQ(wait_count(&rm_cb_calls, 1), 1);
	CHECK_EQ(rm_cb_port, p);
	CHECK_EQ(rm_cb_off_thread, 0); /* on the interrupt thread */
	int calls_at_removal = rm_stats_calls;
	/* bursts return 0; tx counts what it refused */
	CHECK_EQ(sl_eth_rx_burst(p, 0, pkts, 8), 0);
	CHECK_EQ(sl_eth_tx_burst(p, 0, pkts, 8), 0);
	CHECK_EQ(sl_eth_tx_burst(p, 0, pkts, 5), 0);
	struct sl_eth_stats st;
	CHECK_EQ(sl_eth_stats_get(p, &st), 0);
	CHECK_EQ(rm_stats_calls, calls_at_removal); /* the driver is not asked any more */
	CHECK_EQ(st.ipackets, 1000 + (uint64_t)calls_at_removal);
	CHECK_EQ(st.opackets, 900);
	CHECK_EQ(st.oerrors, 13);
	/* a second notice changes nothing, the callback runs once */
	sl_eth_pci_removed(&token);
	usleep(50000);
	CHECK_EQ(wait_count(&rm_cb_calls, 2), 1);
	/* control: MAC still readable, start refused, stop and close work */
	CHECK_EQ(sl_eth_macaddr_get(p, &mac), 0);
	CHECK_EQ(sl_eth_dev_stop(p), 0);
	CHECK_EQ(sl_eth_rx_burst(p, 0, pkts, 8), 0);
	CHECK_EQ(sl_eth_dev_start(p), -ENODEV);
	CHECK_EQ(sl_eth_stats_reset(p), 0);
	CHECK_EQ(sl_eth_stats_get(p, &st), 0);
	CHECK_EQ(st.ipackets, 0);
	CHECK_EQ(st.oerrors, 0);
	(void)dev;
	int closed = fake_closed;
	CHECK_EQ(sl_eth_dev_close(p), 0);
	CHECK_EQ(fake_closed, closed + 1);
	CHECK_EQ(sl_eth_dev_callback_unregister(SL_ETH_ALL, SL_ETH_EVENT_INTR_RMV, rm_cb, &rm_cb_calls), 0);
	CHECK_EQ(sl_eth_dev_callback_unregister(SL_ETH_ALL, SL_ETH_EVENT_INTR_RMV, rm_cb, &rm_cb_calls), -EINVAL);

	/* the id is free again; a new port on it starts clean */
	CHECK_EQ(rmdrv_probe(&token), 0);
	p = port_of("rm:00.0");
	CHECK(!sl_eth_dev_is_removed(p));
	CHECK_EQ(sl_eth_dev_close(p), 0);
}

/* ---- rx interrupts: ethdev's checks over net_null (no interrupts) and
 * over a test driver whose "interrupts" are eventfds the test writes ---- */

static int intr_fd[2] = {-1, -1};
static int intr_armed[2];
static int intr_starts;

static int intr_infos(struct sl_eth_dev *d, struct sl_eth_dev_info *i)
{
	(void)d;
	i->max_rx_queues = 2;
	i->max_tx_queues = 2;
	return 0;
}
static int intr_start(struct sl_eth_dev *d)
{
	if (d->conf.intr_conf.rxq)
		for (uint16_t q = 0; q < d->nb_rx_queues; q++)
			intr_fd[q] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	intr_starts++;
	return 0;
}
static int intr_stop(struct sl_eth_dev *d)
{
	(void)d;
	for (unsigned q = 0; q < 2; q++) {
		if (intr_fd[q] >= 0)
			close(intr_fd[q]);
		intr_fd[q] = -1;
		intr_armed[q] = 0;
	}
	return 0;
}
static int intr_enable(struct sl_eth_dev *d, uint16_t q) { (void)d; intr_armed[q] = 1; return 0; }
static int intr_disable(struct sl_eth_dev *d, uint16_t q) { (void)d; intr_armed[q] = 0; return 0; }
static int intr_get_fd(struct sl_eth_dev *d, uint16_t q) { (void)d; return intr_fd[q] >= 0 ? intr_fd[q] : -EINVAL; }

static const struct sl_eth_dev_ops intr_ops = {
	.dev_infos_get = intr_infos,
	.dev_configure = fake_ok,
	.dev_start = intr_start,
	.dev_stop = intr_stop,
	.dev_close = fake_close,
	FAKE_QUEUE_OPS,
	.rx_queue_intr_enable = intr_enable,
	.rx_queue_intr_disable = intr_disable,
	.rx_queue_intr_fd = intr_get_fd,
};

FAKE_PCI_DRIVER(intr, "net_fake_intr", "intr:00.0", intr_ops);

static bool fd_is_open(int fd)
{
	return fd >= 0 && fcntl(fd, F_GETFD) >= 0;
}

static void test_rx_intr(struct sl_mempool *mp)
{
	const struct sl_eth_conf intr_on = {.intr_conf = {.rxq = 1}};

	/* net_null has none: configure refuses, the calls say so */
	uint16_t np = port_of("null0");
	CHECK_EQ(sl_eth_dev_stop(np), 0);
	CHECK_EQ(sl_eth_dev_configure(np, 1, 1, &intr_on), -ENOTSUP);
	CHECK_EQ(sl_eth_dev_rx_intr_enable(np, 0), -ENOTSUP);
	CHECK_EQ(sl_eth_dev_rx_intr_disable(np, 0), -ENOTSUP);
	CHECK_EQ(sl_eth_dev_rx_intr_ctl_q_get_fd(np, 0), -ENOTSUP);
	CHECK_EQ(bring_up(np, 1, 1, mp), 0); /* still works without */
	CHECK_EQ(sl_eth_dev_rx_intr_enable(np, 0), -ENOTSUP);
	CHECK_EQ(sl_eth_dev_stop(np), 0);
	CHECK_EQ(sl_eth_dev_rx_intr_enable(SL_MAX_ETHPORTS - 1, 0), -ENODEV);
	CHECK_EQ(sl_eth_dev_rx_intr_disable(UINT16_MAX, 0), -ENODEV);
	CHECK_EQ(sl_eth_dev_rx_intr_ctl_q_get_fd(UINT16_MAX, 0), -ENODEV);

	int token;
	sl_eth_driver_register(&intr_driver);
	CHECK_EQ(intr_probe(&token), 0);
	uint16_t p = port_of("intr:00.0");
	/* before configure, configured without interrupts, before start */
	CHECK_EQ(sl_eth_dev_rx_intr_enable(p, 0), -EINVAL);
	CHECK_EQ(sl_eth_dev_rx_intr_ctl_q_get_fd(p, 0), -EINVAL);
	CHECK_EQ(sl_eth_dev_configure(p, 2, 2, NULL), 0);
	CHECK_EQ(sl_eth_dev_rx_intr_enable(p, 0), -EINVAL);
	CHECK_EQ(sl_eth_dev_configure(p, 2, 2, &intr_on), 0);
	int dummy_pool;
	for (uint16_t q = 0; q < 2; q++) {
		CHECK_EQ(sl_eth_rx_queue_setup(p, q, 0, NULL, (struct sl_mempool *)&dummy_pool), 0);
		CHECK_EQ(sl_eth_tx_queue_setup(p, q, 0, NULL), 0);
	}
	CHECK_EQ(sl_eth_dev_rx_intr_ctl_q_get_fd(p, 0), -EINVAL); /* not started */
	CHECK_EQ(sl_eth_dev_rx_intr_enable(p, 0), -EINVAL);
	CHECK_EQ(sl_eth_dev_start(p), 0);

	/* started: an fd per queue, bad queue ids refused */
	int fd0 = sl_eth_dev_rx_intr_ctl_q_get_fd(p, 0), fd1 = sl_eth_dev_rx_intr_ctl_q_get_fd(p, 1);
	CHECK(fd0 >= 0 && fd1 >= 0 && fd0 != fd1);
	CHECK_EQ(fd0, intr_fd[0]);
	CHECK_EQ(sl_eth_dev_rx_intr_ctl_q_get_fd(p, 2), -EINVAL);
	CHECK_EQ(sl_eth_dev_rx_intr_enable(p, 2), -EINVAL);
	CHECK_EQ(sl_eth_dev_rx_intr_disable(p, SL_MAX_QUEUES_PER_PORT), -EINVAL);
	CHECK(!intr_armed[0] && !intr_armed[1]);

	/* enable arms only its queue and discards what the eventfd held */
	uint64_t v = 3;
	CHECK_EQ(write(fd0, &v, sizeof(v)), (long)sizeof(v));
	CHECK_EQ(write(fd1, &v, sizeof(v)), (long)sizeof(v));
	CHECK_EQ(sl_eth_dev_rx_intr_enable(p, 0), 0);
	CHECK(intr_armed[0] && !intr_armed[1]);
	CHECK_EQ(read(fd0, &v, sizeof(v)), -1);
	CHECK_EQ(errno, EAGAIN);
	CHECK_EQ(read(fd1, &v, sizeof(v)), (long)sizeof(v)); /* the other queue's count is left alone */
	CHECK_EQ(v, 3);
	CHECK_EQ(sl_eth_dev_rx_intr_disable(p, 0), 0);
	CHECK(!intr_armed[0]);
	/* the fast path is the driver's burst, interrupts or not */
	struct sl_mbuf *pkts[8];
	CHECK_EQ(sl_eth_rx_burst(p, 1, pkts, 8), 7);

	/* stop releases the fds; the calls refuse until the next start */
	CHECK_EQ(sl_eth_dev_rx_intr_enable(p, 1), 0);
	CHECK_EQ(sl_eth_dev_stop(p), 0);
	CHECK(!fd_is_open(fd0) && !fd_is_open(fd1));
	CHECK_EQ(sl_eth_dev_rx_intr_ctl_q_get_fd(p, 1), -EINVAL);
	CHECK_EQ(sl_eth_dev_rx_intr_disable(p, 1), -EINVAL);
	CHECK_EQ(sl_eth_dev_start(p), 0);
	CHECK(sl_eth_dev_rx_intr_ctl_q_get_fd(p, 1) >= 0);
	/* fewer queues: the ids beyond are refused */
	CHECK_EQ(sl_eth_dev_stop(p), 0);
	CHECK_EQ(sl_eth_dev_configure(p, 1, 1, &intr_on), 0);
	CHECK_EQ(sl_eth_dev_start(p), 0);
	CHECK_EQ(sl_eth_dev_rx_intr_enable(p, 1), -EINVAL);
	CHECK_EQ(sl_eth_dev_rx_intr_enable(p, 0), 0);
	/* close stops first: nothing stays open */
	fd0 = intr_fd[0];
	CHECK(fd_is_open(fd0));
	CHECK_EQ(sl_eth_dev_close(p), 0);
	CHECK(!fd_is_open(fd0));
	CHECK_EQ(sl_eth_dev_rx_intr_enable(p, 0), -ENODEV);
	CHECK_EQ(intr_starts, 3);
}

/* ---- RSS: ethdev's resolution and checks over net_null (no RSS) and a
 * test driver that records what reaches it ---- */

#define RSS_FAKE_CAPA (SL_ETH_RSS_IPV4 | SL_ETH_RSS_NONFRAG_IPV4_TCP | SL_ETH_RSS_NONFRAG_IPV4_UDP | SL_ETH_RSS_IPV6)

static struct {
	int configures, refuse_configure;
	enum sl_eth_rx_mq_mode mode;   /* what dev_configure saw */
	uint64_t hf;
	const uint8_t *key;
	uint8_t key_bytes[40];
	int updates;                   /* hash_update calls */
	bool update_had_key;
	int reta_updates;
	uint16_t reta[128];
} rss_fake;

static int rss_infos(struct sl_eth_dev *d, struct sl_eth_dev_info *i)
{
	(void)d;
	i->max_rx_queues = 4;
	i->max_tx_queues = 4;
	i->reta_size = 128;
	i->hash_key_size = 40;
	i->flow_type_rss_offloads = RSS_FAKE_CAPA;
	/* ring limits for sl_eth_dev_adjust_nb_rx_tx_desc (test_adjust_desc) */
	i->rx_desc_min = 32;
	i->rx_desc_max = 4096;
	i->rx_desc_align = 8;
	i->tx_desc_min = 64;
	i->tx_desc_max = 1000;
	i->tx_desc_align = 16;
	return 0;
}
static int rss_configure(struct sl_eth_dev *d)
{
	if (rss_fake.refuse_configure)
		return -EIO;
	rss_fake.configures++;
	rss_fake.mode = d->conf.rx_mq_mode;
	rss_fake.hf = d->conf.rss_conf.rss_hf;
	rss_fake.key = d->conf.rss_conf.rss_key;
	if (rss_fake.key != NULL)
		memcpy(rss_fake.key_bytes, rss_fake.key, 40);
	for (unsigned i = 0; i < 128; i++)
		rss_fake.reta[i] = (uint16_t)(i % d->nb_rx_queues);
	return 0;
}
static int rss_hash_update(struct sl_eth_dev *d, const struct sl_eth_rss_conf *c)
{
	(void)d;
	rss_fake.updates++;
	rss_fake.update_had_key = c->rss_key != NULL;
	if (c->rss_key != NULL)
		memcpy(rss_fake.key_bytes, c->rss_key, 40);
	rss_fake.hf = c->rss_hf;
	return 0;
}
static int rss_hash_conf_get(struct sl_eth_dev *d, struct sl_eth_rss_conf *c)
{
	(void)d;
	c->rss_hf = rss_fake.hf;
	if (c->rss_key != NULL)
		memcpy(c->rss_key, rss_fake.key_bytes, 40);
	return 0;
}
static int rss_reta_update(struct sl_eth_dev *d, const struct sl_eth_rss_reta_entry64 *r, uint16_t n)
{
	(void)d;
	rss_fake.reta_updates++;
	for (unsigned i = 0; i < n; i++)
		if (r[i / 64].mask & (1ULL << (i % 64)))
			rss_fake.reta[i] = r[i / 64].reta[i % 64];
	return 0;
}
static int rss_reta_query(struct sl_eth_dev *d, struct sl_eth_rss_reta_entry64 *r, uint16_t n)
{
	(void)d;
	for (unsigned i = 0; i < n; i++)
		if (r[i / 64].mask & (1ULL << (i % 64)))
			r[i / 64].reta[i % 64] = rss_fake.reta[i];
	return 0;
}

static const struct sl_eth_dev_ops rss_ops = {
	.dev_infos_get = rss_infos,
	.dev_configure = rss_configure,
	.dev_start = fake_ok,
	.dev_stop = fake_ok,
	.dev_close = fake_close,
	FAKE_QUEUE_OPS,
	.rss_hash_update = rss_hash_update,
	.rss_hash_conf_get = rss_hash_conf_get,
	.reta_update = rss_reta_update,
	.reta_query = rss_reta_query,
};

FAKE_PCI_DRIVER(rss, "net_fake_rss", "rss:00.0", rss_ops);

/* Every entry of a 128-entry table selected, entry i = QUEUE_OF(i). */
static void reta_fill(struct sl_eth_rss_reta_entry64 r[2], unsigned nq)
{
	for (unsigned i = 0; i < 128; i++) {
		r[i / 64].mask = ~0ULL;
		r[i / 64].reta[i % 64] = (uint16_t)(nq ? (i * 7) % nq : 0);
	}
}

/* sl_eth_dev_adjust_nb_rx_tx_desc as DPDK's: clamp, then align (down at the top). */
static void test_adjust_desc(void)
{
	uint16_t p = port_of("rss:00.0");
	struct { uint16_t rx_in, tx_in, rx_out, tx_out; } cases[] = {
		{0, 0, 32, 64},            /* 0: the minimum, as DPDK's */
		{1, 1, 32, 64},            /* below the minimum */
		{33, 65, 40, 80},          /* rounded up to the alignment */
		{512, 512, 512, 512},      /* fits: unchanged */
		{5000, 1000, 4096, 992},   /* above the maximum; 1000 is no multiple of 16: down */
		{65535, 65535, 4096, 992},
	};
	for (unsigned i = 0; i < SL_DIM(cases); i++) {
		uint16_t rx = cases[i].rx_in, tx = cases[i].tx_in;
		CHECK_EQ(sl_eth_dev_adjust_nb_rx_tx_desc(p, &rx, &tx), 0);
		CHECK_EQ(rx, cases[i].rx_out);
		CHECK_EQ(tx, cases[i].tx_out);
	}
	uint16_t rx = 7;
	CHECK_EQ(sl_eth_dev_adjust_nb_rx_tx_desc(p, &rx, NULL), 0); /* either may be NULL */
	CHECK_EQ(rx, 32);
	CHECK_EQ(sl_eth_dev_adjust_nb_rx_tx_desc(99, &rx, NULL), -ENODEV);
	/* a driver that says nothing about alignment gets 1 */
	struct sl_eth_dev_info info;
	CHECK_EQ(sl_eth_dev_info_get(port_of("null0"), &info), 0);
	CHECK_EQ(info.rx_desc_align, 1);
	CHECK_EQ(info.tx_desc_align, 1);
}

static void test_rss(void)
{
	uint8_t key[40], key2[40], out[64];
	for (unsigned i = 0; i < 40; i++) {
		key[i] = (uint8_t)(i * 3 + 1);
		key2[i] = (uint8_t)(0xa5 ^ i);
	}
	struct sl_eth_rss_reta_entry64 reta[2];
	struct sl_eth_rss_conf rc = {0};

	/* net_null has no RSS: AUTO quietly goes without, asking for it is refused */
	uint16_t np = port_of("null0");
	struct sl_eth_dev_info info;
	CHECK_EQ(sl_eth_dev_stop(np), 0);
	CHECK_EQ(sl_eth_dev_info_get(np, &info), 0);
	CHECK_EQ(info.reta_size, 0);
	CHECK_EQ(info.hash_key_size, 0);
	CHECK_EQ(info.flow_type_rss_offloads, 0);
	const struct sl_eth_conf want_rss = {.rx_mq_mode = SL_ETH_MQ_RX_RSS};
	const struct sl_eth_conf auto_ipv4 = {.rss_conf = {.rss_hf = SL_ETH_RSS_IPV4}};
	CHECK_EQ(sl_eth_dev_configure(np, 2, 2, &want_rss), -ENOTSUP);
	CHECK_EQ(sl_eth_dev_configure(np, 2, 2, &auto_ipv4), -ENOTSUP);
	CHECK_EQ(sl_eth_dev_configure(np, 2, 2, NULL), 0);
	CHECK_EQ(sl_eth_dev_get(np)->conf.rx_mq_mode, SL_ETH_MQ_RX_NONE);
	CHECK_EQ(sl_eth_dev_rss_hash_update(np, &rc), -ENOTSUP);
	CHECK_EQ(sl_eth_dev_rss_hash_conf_get(np, &rc), -ENOTSUP);
	reta_fill(reta, 2);
	CHECK_EQ(sl_eth_dev_rss_reta_update(np, reta, 128), -ENOTSUP);
	CHECK_EQ(sl_eth_dev_rss_reta_query(np, reta, 128), -ENOTSUP);
	CHECK_EQ(sl_eth_dev_configure(np, 1, 1, NULL), 0);
	/* bad port ids */
	CHECK_EQ(sl_eth_dev_rss_hash_update(UINT16_MAX, &rc), -ENODEV);
	CHECK_EQ(sl_eth_dev_rss_hash_conf_get(SL_MAX_ETHPORTS - 1, &rc), -ENODEV);
	CHECK_EQ(sl_eth_dev_rss_reta_update(UINT16_MAX, reta, 128), -ENODEV);
	CHECK_EQ(sl_eth_dev_rss_reta_query(UINT16_MAX, reta, 128), -ENODEV);

	int token;
	sl_eth_driver_register(&rss_driver);
	CHECK_EQ(rss_probe(&token), 0);
	uint16_t p = port_of("rss:00.0");
	struct sl_eth_dev *dev = sl_eth_dev_get(p);
	CHECK_EQ(sl_eth_dev_info_get(p, &info), 0);
	CHECK_EQ(info.reta_size, 128);
	CHECK_EQ(info.hash_key_size, 40);
	CHECK_EQ(info.flow_type_rss_offloads, RSS_FAKE_CAPA);

	/* before configure */
	rc = (struct sl_eth_rss_conf){.rss_hf = SL_ETH_RSS_IPV4};
	CHECK_EQ(sl_eth_dev_rss_hash_update(p, &rc), -EINVAL);
	CHECK_EQ(sl_eth_dev_rss_reta_query(p, reta, 128), -EINVAL);
	CHECK_EQ(sl_eth_dev_rss_hash_conf_get(p, &rc), -EINVAL);

	/* one queue: AUTO means no RSS, asking for RSS or giving rss_conf is refused */
	CHECK_EQ(sl_eth_dev_configure(p, 1, 1, NULL), 0);
	CHECK_EQ(rss_fake.mode, SL_ETH_MQ_RX_NONE);
	CHECK_EQ(rss_fake.hf, 0);
	int configures = rss_fake.configures;
	CHECK_EQ(sl_eth_dev_configure(p, 1, 1, &want_rss), -EINVAL);
	CHECK_EQ(sl_eth_dev_configure(p, 1, 1, &auto_ipv4), -EINVAL);
	struct sl_eth_conf c = {.rx_mq_mode = SL_ETH_MQ_RX_NONE, .rss_conf = {.rss_key = key, .rss_key_len = 40}};
	CHECK_EQ(sl_eth_dev_configure(p, 4, 4, &c), -EINVAL); /* NONE with a key */
	c = (struct sl_eth_conf){.rx_mq_mode = (enum sl_eth_rx_mq_mode)7};
	CHECK_EQ(sl_eth_dev_configure(p, 4, 4, &c), -EINVAL);
	CHECK_EQ(rss_fake.configures, configures); /* refused before the driver saw it */
	CHECK_EQ(dev->nb_rx_queues, 1);
	/* the runtime calls need RSS in use; conf_get says "none" */
	reta_fill(reta, 1);
	CHECK_EQ(sl_eth_dev_rss_reta_update(p, reta, 128), -EINVAL);
	CHECK_EQ(sl_eth_dev_rss_reta_query(p, reta, 128), -EINVAL);
	CHECK_EQ(sl_eth_dev_rss_hash_update(p, &rc), -EINVAL);
	rc = (struct sl_eth_rss_conf){.rss_key = out, .rss_key_len = sizeof(out), .rss_hf = 77};
	CHECK_EQ(sl_eth_dev_rss_hash_conf_get(p, &rc), 0);
	CHECK_EQ(rc.rss_hf, 0);
	CHECK_EQ(rc.rss_key_len, 0);
	CHECK_EQ(sl_eth_dev_rss_hash_conf_get(p, NULL), -EINVAL);
	/* 4 queues, NONE: no RSS either */
	c = (struct sl_eth_conf){.rx_mq_mode = SL_ETH_MQ_RX_NONE};
	CHECK_EQ(sl_eth_dev_configure(p, 4, 4, &c), 0);
	CHECK_EQ(rss_fake.mode, SL_ETH_MQ_RX_NONE);
	CHECK_EQ(sl_eth_dev_rss_reta_query(p, reta, 128), -EINVAL);

	/* 4 queues, zeroed conf: RSS with the default key over everything supported */
	CHECK_EQ(sl_eth_dev_configure(p, 4, 4, NULL), 0);
	CHECK_EQ(rss_fake.mode, SL_ETH_MQ_RX_RSS);
	CHECK_EQ(rss_fake.hf, RSS_FAKE_CAPA);
	CHECK(rss_fake.key == NULL);

	/* configure-time checks: types, key length */
	c = (struct sl_eth_conf){.rx_mq_mode = SL_ETH_MQ_RX_RSS, .rss_conf = {.rss_hf = SL_ETH_RSS_IPV6_EX}};
	CHECK_EQ(sl_eth_dev_configure(p, 4, 4, &c), -EINVAL);
	c.rss_conf = (struct sl_eth_rss_conf){.rss_key = key, .rss_key_len = 39, .rss_hf = SL_ETH_RSS_IPV4};
	CHECK_EQ(sl_eth_dev_configure(p, 4, 4, &c), -EINVAL);
	c.rss_conf = (struct sl_eth_rss_conf){.rss_key = key, .rss_key_len = 52, .rss_hf = SL_ETH_RSS_IPV4};
	CHECK_EQ(sl_eth_dev_configure(p, 4, 4, &c), -EINVAL);
	c.rss_conf = (struct sl_eth_rss_conf){.rss_key = NULL, .rss_key_len = 40};
	CHECK_EQ(sl_eth_dev_configure(p, 4, 4, &c), -EINVAL);
	/* a good one: the key is copied (the caller's buffer may change) */
	c.rss_conf = (struct sl_eth_rss_conf){.rss_key = key, .rss_key_len = 40, .rss_hf = SL_ETH_RSS_IPV4};
	CHECK_EQ(sl_eth_dev_configure(p, 4, 4, &c), 0);
	CHECK_EQ(rss_fake.mode, SL_ETH_MQ_RX_RSS);
	CHECK_EQ(rss_fake.hf, SL_ETH_RSS_IPV4);
	CHECK(rss_fake.key != NULL && rss_fake.key != key && rss_fake.key == dev->rss_key);
	CHECK(memcmp(rss_fake.key_bytes, key, 40) == 0);
	key[0] ^= 0xff;
	CHECK_EQ(dev->rss_key[0], (uint8_t)(key[0] ^ 0xff));
	key[0] ^= 0xff;
	/* a driver refusing a configuration leaves the old one, key included */
	rss_fake.refuse_configure = 1;
	c.rss_conf = (struct sl_eth_rss_conf){.rss_key = key2, .rss_key_len = 40, .rss_hf = SL_ETH_RSS_IPV6};
	CHECK_EQ(sl_eth_dev_configure(p, 2, 2, &c), -EIO);
	rss_fake.refuse_configure = 0;
	CHECK_EQ(dev->nb_rx_queues, 4);
	CHECK(memcmp(dev->rss_key, key, 40) == 0);
	CHECK(dev->conf.rss_conf.rss_key == dev->rss_key);
	CHECK_EQ(dev->conf.rss_conf.rss_hf, SL_ETH_RSS_IPV4);

	/* hash_update's checks */
	CHECK_EQ(sl_eth_dev_rss_hash_update(p, NULL), -EINVAL);
	rc = (struct sl_eth_rss_conf){.rss_hf = 0};
	CHECK_EQ(sl_eth_dev_rss_hash_update(p, &rc), -EINVAL);
	rc.rss_hf = SL_ETH_RSS_IPV4 | SL_ETH_RSS_L2_PAYLOAD;
	CHECK_EQ(sl_eth_dev_rss_hash_update(p, &rc), -EINVAL);
	rc = (struct sl_eth_rss_conf){.rss_key = key2, .rss_key_len = 20, .rss_hf = SL_ETH_RSS_IPV4};
	CHECK_EQ(sl_eth_dev_rss_hash_update(p, &rc), -EINVAL);
	CHECK_EQ(rss_fake.updates, 0);
	/* types only (no key): the key stays */
	rc = (struct sl_eth_rss_conf){.rss_hf = SL_ETH_RSS_IPV4 | SL_ETH_RSS_NONFRAG_IPV4_UDP};
	CHECK_EQ(sl_eth_dev_rss_hash_update(p, &rc), 0);
	CHECK_EQ(rss_fake.updates, 1);
	CHECK(!rss_fake.update_had_key);
	/* conf_get: a short buffer is refused, a long one gets the key and its length */
	rc = (struct sl_eth_rss_conf){.rss_key = out, .rss_key_len = 39};
	CHECK_EQ(sl_eth_dev_rss_hash_conf_get(p, &rc), -EINVAL);
	memset(out, 0, sizeof(out));
	rc = (struct sl_eth_rss_conf){.rss_key = out, .rss_key_len = sizeof(out)};
	CHECK_EQ(sl_eth_dev_rss_hash_conf_get(p, &rc), 0);
	CHECK_EQ(rc.rss_key_len, 40);
	CHECK_EQ(rc.rss_hf, SL_ETH_RSS_IPV4 | SL_ETH_RSS_NONFRAG_IPV4_UDP);
	CHECK(memcmp(out, key, 40) == 0);
	rc = (struct sl_eth_rss_conf){.rss_key = NULL};
	CHECK_EQ(sl_eth_dev_rss_hash_conf_get(p, &rc), 0); /* types only */
	CHECK_EQ(rc.rss_hf, SL_ETH_RSS_IPV4 | SL_ETH_RSS_NONFRAG_IPV4_UDP);
	/* a new key */
	rc = (struct sl_eth_rss_conf){.rss_key = key2, .rss_key_len = 40, .rss_hf = SL_ETH_RSS_IPV6};
	CHECK_EQ(sl_eth_dev_rss_hash_update(p, &rc), 0);
	CHECK(rss_fake.update_had_key);
	rc = (struct sl_eth_rss_conf){.rss_key = out, .rss_key_len = 40};
	CHECK_EQ(sl_eth_dev_rss_hash_conf_get(p, &rc), 0);
	CHECK(memcmp(out, key2, 40) == 0);
	CHECK_EQ(rc.rss_hf, SL_ETH_RSS_IPV6);

	/* RETA checks: size, masks, queue ids; the driver sees nothing refused */
	reta_fill(reta, 4);
	CHECK_EQ(sl_eth_dev_rss_reta_update(p, NULL, 128), -EINVAL);
	CHECK_EQ(sl_eth_dev_rss_reta_update(p, reta, 64), -EINVAL);
	CHECK_EQ(sl_eth_dev_rss_reta_query(p, reta, 256), -EINVAL);
	reta[0].mask = reta[1].mask = 0;
	CHECK_EQ(sl_eth_dev_rss_reta_update(p, reta, 128), -EINVAL);
	CHECK_EQ(sl_eth_dev_rss_reta_query(p, reta, 128), -EINVAL);
	reta_fill(reta, 4);
	reta[1].reta[100 - 64] = 4; /* the port has queues 0..3 */
	CHECK_EQ(sl_eth_dev_rss_reta_update(p, reta, 128), -EINVAL);
	reta[1].mask &= ~(1ULL << (100 - 64)); /* not selected: not checked */
	CHECK_EQ(rss_fake.reta_updates, 0);
	CHECK_EQ(sl_eth_dev_rss_reta_update(p, reta, 128), 0);
	CHECK_EQ(rss_fake.reta_updates, 1);
	CHECK_EQ(rss_fake.reta[100], 100 % 4); /* left as configure set it */
	CHECK_EQ(rss_fake.reta[101], (101 * 7) % 4);
	/* a partial update and a partial query */
	memset(reta, 0, sizeof(reta));
	reta[0].mask = 1ULL << 5;
	reta[0].reta[5] = 3;
	reta[1].mask = 1ULL << 63;
	reta[1].reta[63] = 2;
	CHECK_EQ(sl_eth_dev_rss_reta_update(p, reta, 128), 0);
	CHECK_EQ(rss_fake.reta[5], 3);
	CHECK_EQ(rss_fake.reta[127], 2);
	CHECK_EQ(rss_fake.reta[6], (6 * 7) % 4);
	memset(reta, 0xee, sizeof(reta));
	reta[0].mask = (1ULL << 5) | (1ULL << 6);
	reta[1].mask = 1ULL << 63;
	CHECK_EQ(sl_eth_dev_rss_reta_query(p, reta, 128), 0);
	CHECK_EQ(reta[0].reta[5], 3);
	CHECK_EQ(reta[0].reta[6], (6 * 7) % 4);
	CHECK_EQ(reta[1].reta[63], 2);
	CHECK_EQ(reta[0].reta[7], 0xeeee); /* not selected: untouched */

	/* on a started port too */
	int dummy_pool;
	for (uint16_t q = 0; q < 4; q++) {
		CHECK_EQ(sl_eth_rx_queue_setup(p, q, 0, NULL, (struct sl_mempool *)&dummy_pool), 0);
		CHECK_EQ(sl_eth_tx_queue_setup(p, q, 0, NULL), 0);
	}
	CHECK_EQ(sl_eth_dev_start(p), 0);
	reta_fill(reta, 4);
	CHECK_EQ(sl_eth_dev_rss_reta_update(p, reta, 128), 0);
	rc = (struct sl_eth_rss_conf){.rss_hf = SL_ETH_RSS_IPV4};
	CHECK_EQ(sl_eth_dev_rss_hash_update(p, &rc), 0);
	CHECK_EQ(sl_eth_dev_stop(p), 0);
	/* fewer queues: entries naming queue 3 are refused now */
	c = (struct sl_eth_conf){.rx_mq_mode = SL_ETH_MQ_RX_RSS};
	CHECK_EQ(sl_eth_dev_configure(p, 2, 2, &c), 0);
	CHECK_EQ(rss_fake.hf, RSS_FAKE_CAPA);
	CHECK(rss_fake.key == NULL);
	CHECK_EQ(sl_eth_dev_rss_reta_update(p, reta, 128), -EINVAL);
	reta_fill(reta, 2);
	CHECK_EQ(sl_eth_dev_rss_reta_update(p, reta, 128), 0);
	test_adjust_desc(); /* on this port while it exists */
	CHECK_EQ(sl_eth_dev_close(p), 0);
	CHECK_EQ(sl_eth_dev_rss_reta_query(p, reta, 128), -ENODEV);
}

static void test_close(void)
{
	uint16_t p = port_of("null3");
	unsigned before = sl_eth_dev_count_avail();
	CHECK_EQ(sl_eth_dev_close(p), 0);
	CHECK_EQ(sl_eth_dev_count_avail(), before - 1);
	CHECK(!sl_eth_dev_is_valid_port(p));
	CHECK_EQ(sl_eth_dev_start(p), -ENODEV);
	CHECK_EQ(sl_eth_dev_close(p), -ENODEV);
	uint16_t id;
	CHECK_EQ(sl_eth_dev_get_port_by_name("null3", &id), -ENODEV);
	/* a started port is stopped by close */
	p = port_of("null2");
	CHECK_EQ(sl_eth_dev_start(p), 0);
	CHECK(sl_eth_dev_is_started(p));
	before = sl_eth_dev_count_avail();
	CHECK_EQ(sl_eth_dev_close(p), 0);
	CHECK_EQ(sl_eth_dev_count_avail(), before - 1);
	struct sl_mbuf *pkts[4];
	CHECK_EQ(sl_eth_rx_burst(p, 0, pkts, 4), 0); /* its queues are gone */
}

/* ---- link state change events: configure refuses lsc where the driver
 * has no link interrupt (net_null); a test driver whose "link interrupt"
 * is an eventfd on the EAL interrupt thread posts SL_ETH_EVENT_INTR_LSC
 * when its "link register" changed: callbacks run on that thread, only for
 * the port and event they were registered for, never for an interrupt
 * without a change, and not after stop or unregister. ---- */

static int lsc_fd = -1;
static volatile int lsc_link;    /* the "device's" link register */
static int lsc_reported;         /* the link the driver last reported */
static int lsc_intrs;            /* interrupts the handler saw */
static int lsc_start_conf;       /* intr_conf.lsc at the last start */

static void lsc_handler(int fd, void *arg)
{
	struct sl_eth_dev *d = arg;
	uint64_t cnt;
	if (read(fd, &cnt, sizeof(cnt)) != sizeof(cnt))
		return;
	__atomic_fetch_add(&lsc_intrs, 1, __ATOMIC_RELEASE);
	int now = lsc_link;
	if (now != lsc_reported) {
		lsc_reported = now;
		d->link.status = (uint8_t)now;
		sl_eth_dev_event_post(d, SL_ETH_EVENT_INTR_LSC);
	}
}
static int lsc_start(struct sl_eth_dev *d)
{
	lsc_start_conf = d->conf.intr_conf.lsc;
	if (!d->conf.intr_conf.lsc)
		return 0;
	lsc_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	lsc_reported = lsc_link;
	return sl_intr_register(lsc_fd, lsc_handler, d);
}
static int lsc_stop(struct sl_eth_dev *d)
{
	if (lsc_fd >= 0) {
		CHECK_EQ(sl_intr_unregister(lsc_fd, lsc_handler, d), 0);
		close(lsc_fd);
	}
	lsc_fd = -1;
	return 0;
}
static void lsc_irq(void)
{
	uint64_t one = 1;
	CHECK(write(lsc_fd, &one, sizeof(one)) == sizeof(one));
}

static const struct sl_eth_dev_ops lsc_ops = {
	.dev_infos_get = fake_infos,
	.dev_configure = fake_ok,
	.dev_start = lsc_start,
	.dev_stop = lsc_stop,
	.dev_close = fake_close,
	FAKE_QUEUE_OPS,
};
FAKE_PCI_DRIVER(lscdrv, "net_fake_lsc", "lsc:00.0", lsc_ops);

static int lsc_cb_calls, lsc_cb_all_calls, lsc_cb_off_thread, lsc_cb_wrong;
static uint8_t lsc_cb_seen[8];
static void lsc_cb(uint16_t port, enum sl_eth_event_type ev, void *arg)
{
	uint16_t want = *(uint16_t *)arg;
	struct sl_eth_link l;
	if (ev != SL_ETH_EVENT_INTR_LSC || port != want)
		lsc_cb_wrong++;
	if (!sl_intr_thread_is_current())
		lsc_cb_off_thread++;
	CHECK_EQ(sl_eth_link_get_nowait(port, &l), 0); /* allowed in a callback */
	int n = __atomic_load_n(&lsc_cb_calls, __ATOMIC_RELAXED);
	if (n < 8)
		lsc_cb_seen[n] = l.status;
	__atomic_fetch_add(&lsc_cb_calls, 1, __ATOMIC_RELEASE);
}
static void lsc_cb_all(uint16_t port, enum sl_eth_event_type ev, void *arg)
{
	(void)port;
	(void)arg;
	if (ev != SL_ETH_EVENT_INTR_LSC)
		lsc_cb_wrong++;
	__atomic_fetch_add(&lsc_cb_all_calls, 1, __ATOMIC_RELEASE);
}

static void test_lsc(struct sl_mempool *mp)
{
	const struct sl_eth_conf lsc_on = {.intr_conf = {.lsc = 1}};
	int token;
	int dummy_pool;

	/* net_null: no link interrupt, configure refuses it and changes nothing */
	uint16_t np = port_of("null0");
	CHECK_EQ(sl_eth_dev_stop(np), 0);
	CHECK_EQ(sl_eth_dev_configure(np, 1, 1, &lsc_on), -ENOTSUP);
	CHECK_EQ(bring_up(np, 1, 1, mp), 0);
	CHECK_EQ(sl_eth_dev_stop(np), 0);
	/* registration checks */
	CHECK_EQ(sl_eth_dev_callback_register(np, (enum sl_eth_event_type)99, lsc_cb, NULL), -EINVAL);
	CHECK_EQ(sl_eth_dev_callback_register(SL_MAX_ETHPORTS + 1, SL_ETH_EVENT_INTR_LSC, lsc_cb, NULL), -EINVAL);
	CHECK_EQ(sl_eth_dev_callback_unregister(np, SL_ETH_EVENT_INTR_LSC, lsc_cb, NULL), -EINVAL);

	sl_eth_driver_register(&lscdrv_driver);
	CHECK_EQ(lscdrv_probe(&token), 0);
	uint16_t p = port_of("lsc:00.0");
	sl_eth_dev_get(p)->dev_flags |= SL_ETH_DEV_INTR_LSC;
	static uint16_t want_port;
	want_port = p;
	CHECK_EQ(sl_eth_dev_callback_register(p, SL_ETH_EVENT_INTR_LSC, lsc_cb, &want_port), 0);
	CHECK_EQ(sl_eth_dev_callback_register(SL_ETH_ALL, SL_ETH_EVENT_INTR_LSC, lsc_cb_all, NULL), 0);
	/* a removal callback hears nothing of link changes */
	CHECK_EQ(sl_eth_dev_callback_register(SL_ETH_ALL, SL_ETH_EVENT_INTR_RMV, rm_cb, &rm_cb_calls), 0);
	int rm_before = rm_cb_calls;

	CHECK_EQ(sl_eth_dev_configure(p, 1, 1, &lsc_on), 0);
	CHECK_EQ(sl_eth_rx_queue_setup(p, 0, 0, NULL, (struct sl_mempool *)&dummy_pool), 0);
	CHECK_EQ(sl_eth_tx_queue_setup(p, 0, 0, NULL), 0);
	lsc_link = 1;
	unsigned sources = sl_intr_count();
	CHECK_EQ(sl_eth_dev_start(p), 0);
	CHECK_EQ(lsc_start_conf, 1);
	CHECK_EQ(sl_intr_count(), sources + 1);

	/* an interrupt without a change: the handler runs, no event */
	lsc_irq();
	CHECK_EQ(wait_count(&lsc_intrs, 1), 1);
	usleep(50000);
	CHECK_EQ(lsc_cb_calls, 0);
	/* down, then up: one event each, in order, each callback once */
	lsc_link = 0;
	lsc_irq();
	CHECK_EQ(wait_count(&lsc_cb_calls, 1), 1);
	lsc_link = 1;
	lsc_irq();
	CHECK_EQ(wait_count(&lsc_cb_calls, 2), 2);
	CHECK_EQ(wait_count(&lsc_cb_all_calls, 2), 2);
	CHECK_EQ(lsc_cb_seen[0], SL_ETH_LINK_DOWN);
	CHECK_EQ(lsc_cb_seen[1], SL_ETH_LINK_UP);
	CHECK_EQ(lsc_cb_off_thread, 0);
	CHECK_EQ(lsc_cb_wrong, 0);
	usleep(50000);
	CHECK_EQ(rm_cb_calls, rm_before);
	CHECK_EQ(lsc_intrs, 3);

	/* stopped: the driver unregistered its source, nothing more comes */
	CHECK_EQ(sl_eth_dev_stop(p), 0);
	CHECK_EQ(sl_intr_count(), sources);
	/* configure without lsc: the driver sees 0 */
	CHECK_EQ(sl_eth_dev_configure(p, 1, 1, NULL), 0);
	CHECK_EQ(sl_eth_dev_start(p), 0);
	CHECK_EQ(lsc_start_conf, 0);
	CHECK_EQ(sl_eth_dev_stop(p), 0);

	/* after unregister, an event reaches only who is still registered */
	CHECK_EQ(sl_eth_dev_configure(p, 1, 1, &lsc_on), 0);
	CHECK_EQ(sl_eth_dev_start(p), 0);
	CHECK_EQ(sl_eth_dev_callback_unregister(p, SL_ETH_EVENT_INTR_LSC, lsc_cb, &want_port), 0);
	lsc_link = 0;
	lsc_irq();
	CHECK_EQ(wait_count(&lsc_cb_all_calls, 3), 3);
	usleep(50000);
	CHECK_EQ(lsc_cb_calls, 2);
	CHECK_EQ(sl_eth_dev_callback_unregister(SL_ETH_ALL, SL_ETH_EVENT_INTR_LSC, lsc_cb_all, NULL), 0);
	CHECK_EQ(sl_eth_dev_callback_unregister(SL_ETH_ALL, SL_ETH_EVENT_INTR_RMV, rm_cb, &rm_cb_calls), 0);
	CHECK_EQ(sl_eth_dev_close(p), 0); /* stops: the source goes */
	CHECK_EQ(sl_intr_count(), sources);
}

int main(int argc, char **argv)
{
	(void)argc;
	char *eal_args[] = {argv[0], "-l", "0-1", "--vdev", "null0", "--vdev", "net_null1,size=128",
			    "--vdev", "null2,copy=1", "--vdev", "null3,no-rx=1", "-m", "32", NULL};
	const char *no_huge = getenv("ETHDEV_TEST_NO_HUGE");
	int eal_argc = (int)SL_DIM(eal_args) - 1;
	if (no_huge != NULL && no_huge[0] == '1')
		eal_args[eal_argc++] = "--no-huge";
	REQUIRE(sl_eal_init(eal_argc, eal_args) >= 0);

	struct sl_mempool *mp = sl_pktmbuf_pool_create("ethdev_test", 1024, 32, 0, SL_MBUF_DEFAULT_BUF_SIZE);
	REQUIRE(mp != NULL);

	test_registry();
	test_errors(mp);
	test_bursts_and_stats(mp);
	test_nombuf();
	test_copy_and_norx(mp);
	test_link_mac_modes_mtu(mp);
	test_pci_probe();
	test_removal();
	test_rx_intr(mp);
	test_lsc(mp);
	test_rss();
	test_close();

	/* close what is left, then the pools can go */
	close_ports_and_pool(mp);
	CHECK_EQ(sl_eth_dev_count_avail(), 0);
	CHECK_EQ(sl_mempool_in_use_count(small), 0);
	sl_mempool_free(small);
	CHECK_EQ(sl_eal_cleanup(), 0);

	return check_result("test_ethdev");
}
