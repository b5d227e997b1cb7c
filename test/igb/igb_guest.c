/* igb_guest.c: in-guest tests of the net_igb driver on QEMU's 82576 model
 * (run by test/vm/checks/5*-igb-*). Every frame carries a sequence number
 * from which its length (60..1514) and its pseudo-random contents follow,
 * so the receiver regenerates and compares each one byte for byte.
 *
 *   sl-igb-guest p2p     [opts] BDF0 BDF1        port 0 -> port 1 over the hub
 *   sl-igb-guest restart [opts] BDF0 BDF1        start/stop/start, close/reopen, no leaks
 *   sl-igb-guest rss     [opts] BDF0 BDF1        port 1 with 4 RSS queues, a poller each; then
 *                                                the RSS API: RETA, hash types, key (Toeplitz
 *                                                computed here), conf_get/reta_query, restart
 *   sl-igb-guest kernel  [opts] BDF IFNAME       against the kernel igb driver on IFNAME
 *
 * opts: --backend iommufd|type1|noiommu|noiommu-cdev (the no-IOMMU ones add --allow-noiommu and
 * PA mode), or one per device: --backend iommufd,type1 (scenario mixed), --count N (frames, default 100000), --window N (frames in
 * flight at most, default 256: the model queues what the receiver's ring
 * cannot take, and a bounded window keeps that queue short).
 * p2p also checks the rx filters (promiscuous, all-multicast, broadcast)
 * and the MTU limit. --base-virtaddr ADDR places the EAL's memory there;
 * --iova-below LIMIT then asserts every mbuf got an allocated IOVA below
 * LIMIT (memory the IOMMU cannot reach by VA, e.g. above 2^39).
 * Exit 0 when every expectation held; each failure prints "FAIL: ...". */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ethdev_driver.h"
#include "sl_bus_vfio.h"
#include "sl_ethdev.h"
#include "../test_backend.h"
#include "../test_frames.h"
#include "../test_report.h"

#define ETHERTYPE_TEST 0x88b5 /* IEEE local experimental */
#define MIN_FRAME 60
#define MAX_FRAME 1514
#define BURST 32
#define NB_MBUFS 8191
#define NB_DESC 512
#define STALL_NS 3000000000ull

static const char *backend = "iommufd";
static uint64_t frame_count = 100000;
static unsigned window = 256;
static const char *base_virtaddr;   /* --base-virtaddr for the EAL, or NULL */
static uint64_t iova_limit;         /* --iova-below: every mbuf IOVA must be below it */

/* ---- frames ----------------------------------------------------------------- */

static unsigned frame_len(uint32_t seq)
{
	return MIN_FRAME + (unsigned)(test_mix64(seq ^ 0x5a5a0000u) % (MAX_FRAME - MIN_FRAME + 1));
}

enum frame_kind { FRAME_RAW, FRAME_FLOWS };
#define NB_FLOWS 64

/* Frame SEQ into BUF; returns its length. RAW: test ethertype, seq at 14,
 * random bytes after. FLOWS: flow SEQ % NB_FLOWS as IPv4/UDP, IPv4/TCP or
 * IPv6/UDP with the flow's addresses and ports, seq right after the L4
 * header, random bytes after. */
static unsigned build_frame(uint8_t *buf, uint32_t seq, const struct sl_ether_addr *dst,
			    const struct sl_ether_addr *src, enum frame_kind kind)
{
	unsigned len = frame_len(seq), off;
	memcpy(buf, dst->addr_bytes, 6);
	memcpy(buf + 6, src->addr_bytes, 6);
	if (kind == FRAME_RAW) {
		buf[12] = ETHERTYPE_TEST >> 8;
		buf[13] = ETHERTYPE_TEST & 0xff;
		off = 14;
	} else {
		unsigned flow = seq % NB_FLOWS, type = flow % 3;
		if (len < 90)
			len = 90;
		uint16_t sport = (uint16_t)(1000 + flow * 7), dport = (uint16_t)(2000 + flow * 13);
		uint8_t proto = type == 1 ? 6 : 17;
		if (type != 2) {
			const uint8_t src_ip[4] = {10, 0, (uint8_t)flow, 1};
			const uint8_t dst_ip[4] = {10, 1, (uint8_t)(flow * 3), 2};
			buf[12] = 0x08;
			buf[13] = 0x00;
			test_put_ipv4(buf + 14, len, proto, src_ip, dst_ip);
			off = 34;
		} else {
			uint8_t *ip = buf + 14;
			buf[12] = 0x86;
			buf[13] = 0xdd;
			memset(ip, 0, 40);
			ip[0] = 0x60;
			ip[4] = (uint8_t)((len - 54) >> 8);
			ip[5] = (uint8_t)(len - 54);
			ip[6] = proto;
			ip[7] = 64;
			ip[8] = 0xfd; ip[23] = (uint8_t)flow;
			ip[24] = 0xfd; ip[25] = 1; ip[39] = (uint8_t)(flow * 5 + 1);
			off = 54;
		}
		uint8_t *l4 = buf + off;
		if (proto == 17) {
			test_put_udp(l4, len - off, sport, dport); /* no UDP checksum */
			off += 8;
		} else {
			l4[0] = (uint8_t)(sport >> 8); l4[1] = (uint8_t)sport;
			l4[2] = (uint8_t)(dport >> 8); l4[3] = (uint8_t)dport;
			memset(l4 + 4, 0, 16);
			l4[12] = 0x50; /* data offset 5 */
			l4[13] = 0x18; /* PSH ACK */
			l4[14] = 0xff;
			off += 20;
		}
	}
	memcpy(buf + off, &seq, 4);
	off += 4;
	uint64_t x = test_mix64(seq) | 1;
	for (; off + 8 <= len; off += 8) {
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		memcpy(buf + off, &x, 8);
	}
	x ^= x << 13; x ^= x >> 7; x ^= x << 17;
	memcpy(buf + off, &x, len - off);
	return len;
}

/* Where the sequence number sits in a frame of KIND built by build_frame. */
static unsigned seq_offset(const uint8_t *frame, enum frame_kind kind)
{
	if (kind == FRAME_RAW)
		return 14;
	unsigned l3 = frame[12] == 0x86 ? 54 : 34;
	return l3 + (frame[l3 - (frame[12] == 0x86 ? 34 : 11)] == 6 ? 20 : 8);
}

/* 0 when DATA/LEN is exactly frame SEQ. */
static int check_frame(const uint8_t *data, unsigned len, uint32_t seq, const struct sl_ether_addr *dst,
		       const struct sl_ether_addr *src, enum frame_kind kind, const char *where)
{
	uint8_t want[MAX_FRAME];
	unsigned wlen = build_frame(want, seq, dst, src, kind);
	if (len != wlen) {
		fail("%s: frame %u is %u bytes, expected %u", where, seq, len, wlen);
		return -1;
	}
	if (memcmp(data, want, len) != 0) {
		unsigned i = 0;
		while (data[i] == want[i])
			i++;
		fail("%s: frame %u (%u bytes) differs at byte %u: 0x%02x, expected 0x%02x", where, seq, len, i,
		     data[i], want[i]);
		return -1;
	}
	return 0;
}

/* ---- EAL and ports ------------------------------------------------------------ */

static struct sl_mempool *pool;

/* --iova-below: memory placed where the IOMMU cannot reach it by VA must
 * have been given IOVAs it can (dma_map's chooser): every mbuf's IOVA is
 * below the limit, differs from its VA, and matches the EAL's lookup. */
static int check_pool_iovas(void)
{
	struct sl_mbuf *m[64];
	unsigned n = 0, moved = 0;

	while (n < SL_DIM(m) && (m[n] = sl_pktmbuf_alloc(pool)) != NULL)
		n++;
	for (unsigned i = 0; i < n; i++) {
		uint64_t va = (uint64_t)(uintptr_t)m[i]->buf_addr;
		if (m[i]->buf_iova + m[i]->buf_len > iova_limit)
			fail("mbuf at VA 0x%" PRIx64 " has IOVA 0x%" PRIx64 ", not below 0x%" PRIx64, va,
			     m[i]->buf_iova, iova_limit);
		if (m[i]->buf_iova != sl_mem_virt2iova(m[i]->buf_addr))
			fail("mbuf IOVA 0x%" PRIx64 " differs from the EAL's 0x%" PRIx64, m[i]->buf_iova,
			     sl_mem_virt2iova(m[i]->buf_addr));
		moved += m[i]->buf_iova != va;
	}
	if (n > 0)
		note("IOVAs: mbuf VA 0x%" PRIx64 " -> IOVA 0x%" PRIx64 "; %u of %u mbufs have IOVA != VA, "
		     "all below 0x%" PRIx64, (uint64_t)(uintptr_t)m[0]->buf_addr, m[0]->buf_iova, moved, n,
		     iova_limit);
	if (n == 0 || moved != n)
		fail("expected all %u mbufs to have allocated IOVAs (IOVA != VA), %u had", n, moved);
	for (unsigned i = 0; i < n; i++)
		sl_pktmbuf_free(m[i]);
	return test_failures ? -1 : 0;
}

static int eal_start(const char **bdfs, unsigned nb, const char *lcores)
{
	static char specs[4][96];
	char *argv[32];
	int argc = 0;
	argv[argc++] = "sl-igb-guest";
	argv[argc++] = "-l";
	argv[argc++] = (char *)lcores;
	argv[argc++] = "-m";
	argv[argc++] = "64";
	if (test_backend_any_noiommu(backend)) {
		argv[argc++] = "--allow-noiommu";
		argv[argc++] = "--iova-mode";
		argv[argc++] = "pa";
	}
	if (base_virtaddr) {
		argv[argc++] = "--base-virtaddr";
		argv[argc++] = (char *)base_virtaddr;
	}
	for (unsigned i = 0; i < nb; i++) {
		char be[32];
		snprintf(specs[i], sizeof(specs[i]), "%s,iommu=%s", bdfs[i],
			 test_backend_at(backend, i, be, sizeof(be)));
		argv[argc++] = "-a";
		argv[argc++] = specs[i];
	}
	argv[argc] = NULL;
	if (sl_eal_init(argc, argv) < 0) {
		fail("sl_eal_init failed for backend %s", backend);
		return -1;
	}
	pool = sl_pktmbuf_pool_create("igb_test", NB_MBUFS, 256, 0, SL_MBUF_DEFAULT_BUF_SIZE);
	if (pool == NULL) {
		fail("cannot create the mbuf pool");
		return -1;
	}
	return iova_limit ? check_pool_iovas() : 0;
}

static int port_of(const char *bdf, uint16_t *port)
{
	if (sl_eth_dev_get_port_by_name(bdf, port) != 0) {
		fail("no port for %s: the igb driver did not probe it", bdf);
		return -1;
	}
	return 0;
}

static int port_setup(uint16_t port, uint16_t nb_rxq)
{
	int ret = sl_eth_dev_configure(port, nb_rxq, 1, NULL);
	for (uint16_t q = 0; ret == 0 && q < nb_rxq; q++)
		ret = sl_eth_rx_queue_setup(port, q, NB_DESC, NULL, pool);
	if (ret == 0)
		ret = sl_eth_tx_queue_setup(port, 0, NB_DESC, NULL);
	if (ret != 0)
		fail("port %u: setup failed: %s", port, strerror(-ret));
	return ret;
}

static int port_start(uint16_t port)
{
	int ret = sl_eth_dev_start(port);
	if (ret != 0) {
		fail("port %u: start failed: %s", port, strerror(-ret));
		return ret;
	}
	struct sl_eth_link link;
	if (sl_eth_link_wait(port, 5000, &link) != 0)
		fail("port %u: link not up within 5 s", port);
	return 0;
}

static void check_pool_full(const char *when)
{
	unsigned avail = sl_mempool_avail_count(pool), size = sl_mempool_size(pool);
	if (avail != size)
		fail("%s: %u of %u mbufs back in the pool (%u leaked or still held)", when, avail, size,
		     size - avail);
	else
		note("%s: all %u mbufs back in the pool", when, size);
}

/* ---- rx filters and MTU ---------------------------------------------------------- */

/* Send N frames of LEN bytes to DST from TX; return how many RX received
 * within 300 ms. */
static unsigned send_count(uint16_t tx, uint16_t rx, const struct sl_ether_addr *dst, unsigned len, unsigned n)
{
	struct sl_ether_addr src;
	sl_eth_macaddr_get(tx, &src);
	struct sl_mbuf *m[BURST];
	if (n > BURST || sl_pktmbuf_alloc_bulk(pool, m, n) != 0)
		return 0;
	for (unsigned i = 0; i < n; i++) {
		uint8_t *d = sl_pktmbuf_mtod(m[i], uint8_t *);
		memset(d, 0x5a, len);
		memcpy(d, dst->addr_bytes, 6);
		memcpy(d + 6, src.addr_bytes, 6);
		d[12] = ETHERTYPE_TEST >> 8;
		d[13] = ETHERTYPE_TEST & 0xff;
		m[i]->data_len = (uint16_t)len;
		m[i]->pkt_len = len;
	}
	uint16_t k = sl_eth_tx_burst(tx, 0, m, (uint16_t)n);
	if (k < n)
		sl_pktmbuf_free_bulk(&m[k], n - k);
	unsigned got = 0;
	uint64_t end = test_now_ns() + 300000000ull;
	while (test_now_ns() < end) {
		struct sl_mbuf *r[BURST];
		uint16_t c = sl_eth_rx_burst(rx, 0, r, BURST);
		for (uint16_t i = 0; i < c; i++)
			if (r[i]->pkt_len == len && memcmp(sl_pktmbuf_mtod(r[i], uint8_t *), dst->addr_bytes, 6) == 0)
				got++;
		sl_pktmbuf_free_bulk(r, c);
	}
	return got;
}

static void expect_count(const char *what, unsigned got, unsigned want)
{
	if (got != want)
		fail("%s: %u frames received, expected %u", what, got, want);
	else
		note("%s: %u of 16 frames received, as expected", what, got);
}

/* Unicast to another address, multicast, broadcast, with promiscuous and
 * all-multicast off and on; MTU limits. */
static void check_filters(uint16_t tx, uint16_t rx)
{
	const struct sl_ether_addr other = {{0x02, 0x11, 0x22, 0x33, 0x44, 0x55}};
	const struct sl_ether_addr mcast = {{0x01, 0x00, 0x5e, 0x01, 0x02, 0x03}};
	const struct sl_ether_addr bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
	struct sl_ether_addr own;
	sl_eth_macaddr_get(rx, &own);
	sl_eth_promiscuous_disable(rx);
	sl_eth_allmulticast_disable(rx);
	expect_count("unicast to another MAC, promiscuous off", send_count(tx, rx, &other, 100, 16), 0);
	expect_count("multicast, all-multicast off", send_count(tx, rx, &mcast, 100, 16), 0);
	expect_count("broadcast", send_count(tx, rx, &bcast, 100, 16), 16);
	sl_eth_allmulticast_enable(rx);
	expect_count("multicast, all-multicast on", send_count(tx, rx, &mcast, 100, 16), 16);
	expect_count("unicast to another MAC, all-multicast on", send_count(tx, rx, &other, 100, 16), 0);
	sl_eth_allmulticast_disable(rx);
	sl_eth_promiscuous_enable(rx);
	expect_count("unicast to another MAC, promiscuous on", send_count(tx, rx, &other, 100, 16), 16);
	expect_count("multicast, promiscuous on", send_count(tx, rx, &mcast, 100, 16), 16);
	sl_eth_promiscuous_disable(rx);

	/* MTU 1000: a 1014-byte frame passes, a 1300-byte one does not */
	int ret = sl_eth_dev_set_mtu(rx, 9000);
	if (ret != -EINVAL)
		fail("MTU 9000 with 2 KiB buffers: %d, expected -EINVAL", ret);
	ret = sl_eth_dev_set_mtu(rx, 1000);
	if (ret != 0)
		fail("MTU 1000: %s", strerror(-ret));
	expect_count("1014-byte frame, MTU 1000", send_count(tx, rx, &own, 1014, 16), 16);
	expect_count("1300-byte frame, MTU 1000", send_count(tx, rx, &own, 1300, 16), 0);
	uint64_t oversize = 0;
	sl_eth_xstats_get_by_name(rx, "rx_oversize_packets", &oversize);
	note("MTU 1000: rx_oversize_packets %" PRIu64, oversize);
	sl_eth_dev_set_mtu(rx, 1500);
	expect_count("1514-byte frame, MTU 1500", send_count(tx, rx, &own, 1514, 16), 16);
}

/* ---- port to port --------------------------------------------------------------- */

struct flow_check {
	int16_t queue_of_flow[NB_FLOWS];
	uint64_t per_queue[SL_MAX_QUEUES_PER_PORT];
	uint64_t no_hash;
};

/* Send COUNT frames from TX to RX (sequence numbers from FIRST) with at most
 * WINDOW in flight; receive on RX queue 0 and check order and contents. */
static int exchange(uint16_t tx, uint16_t rx, uint32_t first, uint64_t count, enum frame_kind kind,
		    const char *what)
{
	struct sl_ether_addr src, dst;
	sl_eth_macaddr_get(tx, &src);
	sl_eth_macaddr_get(rx, &dst);
	uint64_t sent = 0, recvd = 0, bytes = 0;
	uint64_t last_progress = test_now_ns(), t0 = last_progress;
	int bad = 0;

	while (recvd < count && bad < 10) {
		if (sent < count && sent - recvd < window) {
			struct sl_mbuf *m[BURST];
			uint64_t room = window - (sent - recvd);
			unsigned nb = (unsigned)(count - sent < BURST ? count - sent : BURST);
			if (nb > room)
				nb = (unsigned)room;
			if (sl_pktmbuf_alloc_bulk(pool, m, nb) != 0) {
				fail("%s: mbuf allocation failed with %u available", what, sl_mempool_avail_count(pool));
				return -1;
			}
			for (unsigned i = 0; i < nb; i++) {
				unsigned len = build_frame(sl_pktmbuf_mtod(m[i], uint8_t *), first + (uint32_t)(sent + i),
							   &dst, &src, kind);
				m[i]->data_len = (uint16_t)len;
				m[i]->pkt_len = len;
			}
			uint16_t k = sl_eth_tx_burst(tx, 0, m, (uint16_t)nb);
			if (k < nb)
				sl_pktmbuf_free_bulk(&m[k], nb - k);
			sent += k;
		}
		struct sl_mbuf *r[BURST];
		uint16_t n = sl_eth_rx_burst(rx, 0, r, BURST);
		for (uint16_t i = 0; i < n; i++) {
			const uint8_t *d = sl_pktmbuf_mtod(r[i], const uint8_t *);
			uint32_t seq;
			memcpy(&seq, d + seq_offset(d, kind), 4);
			if (r[i]->pkt_len < 18 || seq != first + (uint32_t)recvd) {
				fail("%s: received frame with seq %u (%u bytes), expected seq %u", what, seq,
				     r[i]->pkt_len, first + (uint32_t)recvd);
				bad++;
			} else if (r[i]->nb_segs != 1 || r[i]->data_len != r[i]->pkt_len ||
				   check_frame(d, r[i]->pkt_len, seq, &dst, &src, kind, what) != 0) {
				bad++;
			}
			bytes += r[i]->pkt_len;
			recvd++;
		}
		sl_pktmbuf_free_bulk(r, n);
		if (n != 0) {
			last_progress = test_now_ns();
		} else if (test_now_ns() - last_progress > STALL_NS) {
			fail("%s: stalled: %" PRIu64 " sent, %" PRIu64 " received of %" PRIu64, what, sent, recvd, count);
			return -1;
		}
	}
	/* nothing more may arrive */
	uint64_t t1 = test_now_ns();
	for (unsigned i = 0; i < 100; i++) {
		struct sl_mbuf *r[BURST];
		uint16_t n = sl_eth_rx_burst(rx, 0, r, BURST);
		if (n != 0) {
			fail("%s: %u frames more than sent arrived", what, n);
			sl_pktmbuf_free_bulk(r, n);
			bad++;
		}
		usleep(1000);
	}
	double s = (double)(t1 - t0) / 1e9;
	note("%s: %" PRIu64 " frames (%" PRIu64 " bytes) sent and received intact in %.2f s (%.0f frames/s)", what,
	     recvd, bytes, s, (double)recvd / s);
	return bad ? -1 : 0;
}

static void check_stats(uint16_t tx, uint16_t rx, uint64_t count, const char *what)
{
	struct sl_eth_stats st_tx, st_rx;
	sl_eth_stats_get(tx, &st_tx);
	sl_eth_stats_get(rx, &st_rx);
	if (st_tx.opackets != count || st_tx.q_opackets[0] != count)
		fail("%s: port %u counted %" PRIu64 " packets sent (queue 0: %" PRIu64 "), expected %" PRIu64, what, tx,
		     st_tx.opackets, st_tx.q_opackets[0], count);
	if (st_rx.ipackets != count)
		fail("%s: port %u counted %" PRIu64 " packets received, expected %" PRIu64, what, rx, st_rx.ipackets,
		     count);
	if (st_rx.ibytes != st_tx.obytes)
		fail("%s: %" PRIu64 " bytes received but %" PRIu64 " sent", what, st_rx.ibytes, st_tx.obytes);
	if (st_rx.imissed != 0 || st_rx.ierrors != 0)
		fail("%s: port %u: %" PRIu64 " missed, %" PRIu64 " errors", what, rx, st_rx.imissed, st_rx.ierrors);
	uint64_t v;
	if (sl_eth_xstats_get_by_name(rx, "rx_good_packets_hw", &v) != 0)
		fail("%s: no xstat rx_good_packets_hw", what);
	note("%s: stats: tx %" PRIu64 " pkts %" PRIu64 " bytes, rx %" PRIu64 " pkts %" PRIu64 " bytes, missed %" PRIu64,
	     what, st_tx.opackets, st_tx.obytes, st_rx.ipackets, st_rx.ibytes, st_rx.imissed);
}

static int cmd_p2p(const char **bdfs)
{
	uint16_t p0, p1;
	if (eal_start(bdfs, 2, "0") != 0 || port_of(bdfs[0], &p0) != 0 || port_of(bdfs[1], &p1) != 0)
		return 1;
	if (port_setup(p0, 1) || port_setup(p1, 1) || port_start(p0) || port_start(p1))
		return 1;
	sl_eth_stats_reset(p0);
	sl_eth_stats_reset(p1);
	exchange(p0, p1, 0, frame_count, FRAME_RAW, "port0->port1");
	check_stats(p0, p1, frame_count, "port0->port1");
	exchange(p1, p0, 0, frame_count / 10 + 1, FRAME_RAW, "port1->port0");
	check_filters(p0, p1);
	sl_eth_dev_stop(p0);
	sl_eth_dev_stop(p1);
	check_pool_full("after stop");
	sl_eth_dev_close(p0);
	sl_eth_dev_close(p1);
	check_pool_full("after close");
	sl_eal_cleanup();
	return test_failures ? 1 : 0;
}

/* ---- restart --------------------------------------------------------------------- */

static int cmd_restart(const char **bdfs)
{
	uint16_t p0, p1;
	uint64_t n = frame_count < 2000 ? frame_count : 2000;
	if (eal_start(bdfs, 2, "0") != 0 || port_of(bdfs[0], &p0) != 0 || port_of(bdfs[1], &p1) != 0)
		return 1;
	if (port_setup(p0, 1) || port_setup(p1, 1))
		return 1;
	uint32_t seq = 0;
	for (unsigned cycle = 0; cycle < 3; cycle++) {
		char what[64];
		if (port_start(p0) || port_start(p1))
			return 1;
		snprintf(what, sizeof(what), "start #%u", cycle + 1);
		exchange(p0, p1, seq, n, FRAME_RAW, what);
		seq += (uint32_t)n;
		sl_eth_dev_stop(p0);
		sl_eth_dev_stop(p1);
		snprintf(what, sizeof(what), "stop #%u", cycle + 1);
		check_pool_full(what);
	}
	/* queues set up again on a stopped port, then started */
	if (port_setup(p0, 1) || port_setup(p1, 1) || port_start(p0) || port_start(p1))
		return 1;
	exchange(p1, p0, seq, n, FRAME_RAW, "after re-setup");
	sl_eth_dev_close(p0);
	sl_eth_dev_close(p1);
	check_pool_full("close with the ports started");

	for (unsigned round = 0; round < 2; round++) {
		for (unsigned i = 0; i < 2; i++) {
			struct sl_pci_device *pci = sl_pci_device_find(bdfs[i]);
			struct sl_pci_device_info info;
			if (pci == NULL || sl_pci_device_info(pci, &info) != 0) {
				fail("%s is not on the bus any more", bdfs[i]);
				return 1;
			}
			sl_pci_dev_close(pci);
			if (sl_pci_dev_open(pci) != 0) {
				fail("%s: reopen failed", bdfs[i]);
				return 1;
			}
			int rc = sl_pci_dev_probe(pci);
			if (rc != 0) {
				fail("%s: probe after reopen failed: %s", bdfs[i], strerror(-rc));
				return 1;
			}
		}
		if (port_of(bdfs[0], &p0) || port_of(bdfs[1], &p1))
			return 1;
		if (port_setup(p0, 1) || port_setup(p1, 1) || port_start(p0) || port_start(p1))
			return 1;
		char what[64];
		snprintf(what, sizeof(what), "reopen #%u", round + 1);
		exchange(p0, p1, seq, n, FRAME_RAW, what);
		seq += (uint32_t)n;
		sl_eth_dev_stop(p0);
		sl_eth_dev_stop(p1);
		sl_eth_dev_close(p0);
		sl_eth_dev_close(p1);
		check_pool_full(what);
	}
	sl_eal_cleanup();
	return test_failures ? 1 : 0;
}

/* ---- RSS over 4 queues ------------------------------------------------------------- */

#define RSS_QUEUES 4

struct poller {
	pthread_t thread;
	uint16_t port, queue;
	uint64_t received;          /* read by the sender for pacing */
	uint8_t *seen;              /* per seq: times received (shared, each seq once) */
	int16_t *flow_queue;        /* shared: queue each flow went to */
	uint64_t no_hash, bad, wrong_queue;
	const struct sl_ether_addr *src, *dst;
	volatile int *stop;
};

static void *poll_queue(void *arg)
{
	struct poller *p = arg;
	while (!*p->stop) {
		struct sl_mbuf *r[BURST];
		uint16_t n = sl_eth_rx_burst(p->port, p->queue, r, BURST);
		for (uint16_t i = 0; i < n; i++) {
			struct sl_mbuf *m = r[i];
			const uint8_t *d = sl_pktmbuf_mtod(m, const uint8_t *);
			uint32_t seq;
			memcpy(&seq, d + seq_offset(d, FRAME_FLOWS), 4);
			if (seq >= frame_count) {
				fail("rss: queue %u: frame with seq %u out of range", p->queue, seq);
				p->bad++;
				continue;
			}
			__atomic_fetch_add(&p->seen[seq], 1, __ATOMIC_RELAXED);
			if (check_frame(d, m->pkt_len, seq, p->dst, p->src, FRAME_FLOWS, "rss") != 0)
				p->bad++;
			if (!(m->ol_flags & SL_MBUF_F_RX_RSS_HASH) || m->queue != p->queue)
				p->no_hash++;
			unsigned flow = seq % NB_FLOWS;
			int16_t expect = -1;
			if (!__atomic_compare_exchange_n(&p->flow_queue[flow], &expect, (int16_t)p->queue, false,
							 __ATOMIC_RELAXED, __ATOMIC_RELAXED) &&
			    expect != (int16_t)p->queue)
				p->wrong_queue++;
		}
		sl_pktmbuf_free_bulk(r, n);
		__atomic_store_n(&p->received, p->received + n, __ATOMIC_RELEASE);
	}
	return NULL;
}

/* ---- RSS configuration: redirection table, hash types, key ------------------------ */

/* The Toeplitz hash as the Microsoft RSS specification defines it: for
 * every bit of the input, most significant first, where the bit is 1 XOR
 * in the 32 bits of the key that start at that bit's position. */
static uint32_t toeplitz(const uint8_t *key, unsigned key_len, const uint8_t *in, unsigned len)
{
	uint32_t hash = 0, window = (uint32_t)key[0] << 24 | (uint32_t)key[1] << 16 | (uint32_t)key[2] << 8 | key[3];
	unsigned next = 32; /* the key bit that enters the window next */
	for (unsigned i = 0; i < len; i++) {
		for (unsigned b = 0; b < 8; b++, next++) {
			if (in[i] & (0x80u >> b))
				hash ^= window;
			window <<= 1;
			if (next / 8 < key_len && (key[next / 8] & (0x80u >> (next % 8))))
				window |= 1;
		}
	}
	return hash;
}

/* The example key of the specification and two of its verification
 * vectors (IPv4, and IPv4 with TCP ports): the function above must give
 * them before the device's hashes are compared with it. */
static const uint8_t ms_rss_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
	0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
	0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

static int toeplitz_selftest(void)
{
	static const struct {
		uint8_t in[12];
		uint32_t ip, ip_port;
	} v[] = {
		/* 66.9.149.187:2794 -> 161.142.100.80:1766 */
		{{66, 9, 149, 187, 161, 142, 100, 80, 2794 >> 8, 2794 & 0xff, 1766 >> 8, 1766 & 0xff},
		 0x323e8fc2, 0x51ccc178},
		/* 199.92.111.2:14230 -> 65.69.140.83:4739 */
		{{199, 92, 111, 2, 65, 69, 140, 83, 14230 >> 8, 14230 & 0xff, 4739 >> 8, 4739 & 0xff},
		 0xd718262a, 0xc626b0ea},
	};
	for (unsigned i = 0; i < SL_DIM(v); i++) {
		uint32_t a = toeplitz(ms_rss_key, 40, v[i].in, 8), b = toeplitz(ms_rss_key, 40, v[i].in, 12);
		if (a != v[i].ip || b != v[i].ip_port) {
			fail("rss: Toeplitz self-test %u: 0x%08x/0x%08x, the specification says 0x%08x/0x%08x", i, a, b,
			     v[i].ip, v[i].ip_port);
			return -1;
		}
	}
	return 0;
}

struct rss_flow {
	uint8_t v6;             /* IPv6, else IPv4 */
	uint8_t proto;          /* 6 TCP, 17 UDP */
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
};

#define RSS_FRAME_LEN 128
#define RSS_MAX_FLOWS 64

/* The Toeplitz input of FLOW: addresses, then (WITH_PORTS) the ports. */
static uint32_t flow_hash(const uint8_t *key, const struct rss_flow *f, bool with_ports)
{
	uint8_t in[36];
	unsigned alen = f->v6 ? 16 : 4, n = 0;
	memcpy(in, f->src, alen);
	memcpy(in + alen, f->dst, alen);
	n = 2 * alen;
	if (with_ports) {
		in[n++] = (uint8_t)(f->sport >> 8);
		in[n++] = (uint8_t)f->sport;
		in[n++] = (uint8_t)(f->dport >> 8);
		in[n++] = (uint8_t)f->dport;
	}
	return toeplitz(key, 40, in, n);
}

/* A RSS_FRAME_LEN-byte frame of FLOW whose last 4 bytes are TAG. */
static void build_rss_frame(uint8_t *buf, const struct rss_flow *f, uint32_t tag, const struct sl_ether_addr *dst,
			    const struct sl_ether_addr *src)
{
	unsigned len = RSS_FRAME_LEN, off;
	memset(buf, 0, len);
	memcpy(buf, dst->addr_bytes, 6);
	memcpy(buf + 6, src->addr_bytes, 6);
	uint8_t *ip = buf + 14;
	if (!f->v6) {
		buf[12] = 0x08;
		test_put_ipv4(ip, len, f->proto, f->src, f->dst);
		off = 34;
	} else {
		buf[12] = 0x86;
		buf[13] = 0xdd;
		ip[0] = 0x60;
		ip[4] = (uint8_t)((len - 54) >> 8);
		ip[5] = (uint8_t)(len - 54);
		ip[6] = f->proto;
		ip[7] = 64;
		memcpy(ip + 8, f->src, 16);
		memcpy(ip + 24, f->dst, 16);
		off = 54;
	}
	uint8_t *l4 = buf + off;
	if (f->proto == 17) {
		test_put_udp(l4, len - off, f->sport, f->dport);
	} else {
		l4[0] = (uint8_t)(f->sport >> 8);
		l4[1] = (uint8_t)f->sport;
		l4[2] = (uint8_t)(f->dport >> 8);
		l4[3] = (uint8_t)f->dport;
		l4[12] = 0x50;
		l4[13] = 0x10; /* ACK */
		l4[14] = 0xff;
	}
	memcpy(buf + len - 4, &tag, 4);
}

/* What the frames of one flow got: the queue, hash and flag (each frame
 * of the flow must agree). */
struct rss_seen {
	int16_t queue;
	uint8_t has_hash;
	uint32_t hash;
	unsigned frames;
	unsigned disagree;
};

/* Send PER_FLOW frames of each of NB flows from P0 and receive them on
 * P1's RSS_QUEUES queues; fills SEEN[flow]. 0, or -1 (failed) when frames
 * were lost, duplicated or malformed. */
static int rss_exchange(uint16_t p0, uint16_t p1, const struct rss_flow *flows, unsigned nb, unsigned per_flow,
			struct rss_seen *seen, const char *what)
{
	struct sl_ether_addr src, dst;
	sl_eth_macaddr_get(p0, &src);
	sl_eth_macaddr_get(p1, &dst);
	unsigned total = nb * per_flow, sent = 0, recvd = 0, bad = 0;
	for (unsigned i = 0; i < nb; i++)
		seen[i] = (struct rss_seen){.queue = -1};
	uint64_t last = test_now_ns();
	while (recvd < total) {
		if (sent < total && sent - recvd < 64) {
			struct sl_mbuf *m[BURST];
			unsigned n = total - sent < BURST ? total - sent : BURST;
			if (sl_pktmbuf_alloc_bulk(pool, m, n) != 0) {
				fail("%s: mbuf allocation failed", what);
				return -1;
			}
			for (unsigned i = 0; i < n; i++) {
				unsigned flow = (sent + i) % nb;
				build_rss_frame(sl_pktmbuf_mtod(m[i], uint8_t *), &flows[flow], flow, &dst, &src);
				m[i]->data_len = RSS_FRAME_LEN;
				m[i]->pkt_len = RSS_FRAME_LEN;
			}
			uint16_t k = sl_eth_tx_burst(p0, 0, m, (uint16_t)n);
			if (k < n)
				sl_pktmbuf_free_bulk(&m[k], n - k);
			sent += k;
		}
		unsigned got = 0;
		for (uint16_t q = 0; q < RSS_QUEUES; q++) {
			struct sl_mbuf *r[BURST];
			uint16_t n = sl_eth_rx_burst(p1, q, r, BURST);
			for (uint16_t i = 0; i < n; i++) {
				const uint8_t *d = sl_pktmbuf_mtod(r[i], const uint8_t *);
				uint32_t tag;
				memcpy(&tag, d + RSS_FRAME_LEN - 4, 4);
				if (r[i]->pkt_len != RSS_FRAME_LEN || tag >= nb || r[i]->queue != q) {
					fail("%s: queue %u: unexpected frame of %u bytes (tag %u, mbuf queue %u)", what, q,
					     r[i]->pkt_len, tag, r[i]->queue);
					bad++;
					continue;
				}
				struct rss_seen *s = &seen[tag];
				uint8_t has = (r[i]->ol_flags & SL_MBUF_F_RX_RSS_HASH) != 0;
				if (s->frames == 0) {
					s->queue = (int16_t)q;
					s->has_hash = has;
					s->hash = r[i]->hash.rss;
				} else if (s->queue != (int16_t)q || s->has_hash != has || (has && s->hash != r[i]->hash.rss)) {
					s->disagree++;
				}
				s->frames++;
			}
			sl_pktmbuf_free_bulk(r, n);
			got += n;
		}
		recvd += got;
		if (got != 0) {
			last = test_now_ns();
		} else if (test_now_ns() - last > STALL_NS) {
			fail("%s: stalled: %u sent, %u received of %u", what, sent, recvd, total);
			return -1;
		}
	}
	for (unsigned i = 0; i < nb; i++) {
		if (seen[i].frames != per_flow || seen[i].disagree) {
			fail("%s: flow %u: %u frames of %u, %u disagreeing on queue or hash", what, i, seen[i].frames,
			     per_flow, seen[i].disagree);
			bad++;
		}
	}
	return bad ? -1 : 0;
}

static void ip4(uint8_t *a, uint8_t b0, uint8_t b1, uint8_t b2, uint8_t b3)
{
	a[0] = b0; a[1] = b1; a[2] = b2; a[3] = b3;
}

/* NB flows mixing UDP/IPv4, TCP/IPv4 and UDP/IPv6 (flow i: type i % 3),
 * addresses and ports varying with SALT. */
static void mixed_flows(struct rss_flow *f, unsigned nb, unsigned salt)
{
	for (unsigned i = 0; i < nb; i++) {
		uint64_t r = test_mix64(salt * 1000u + i);
		memset(&f[i], 0, sizeof(f[i]));
		f[i].v6 = i % 3 == 2;
		f[i].proto = i % 3 == 1 ? 6 : 17;
		if (f[i].v6) {
			f[i].src[0] = 0xfd; f[i].src[15] = (uint8_t)r; f[i].src[14] = (uint8_t)(r >> 8);
			f[i].dst[0] = 0xfd; f[i].dst[1] = 1; f[i].dst[15] = (uint8_t)(r >> 16);
		} else {
			ip4(f[i].src, 10, (uint8_t)(r >> 8), (uint8_t)(r >> 16), (uint8_t)r);
			ip4(f[i].dst, 192, 168, (uint8_t)(r >> 24), (uint8_t)(r >> 32));
		}
		f[i].sport = (uint16_t)(1024 + (r >> 40) % 60000);
		f[i].dport = (uint16_t)(1024 + (r >> 20) % 60000);
	}
}

/* A RETA with entry i = QUEUE_OF(i) (every entry selected). */
static int set_reta(uint16_t port, unsigned (*queue_of)(unsigned), const char *what)
{
	struct sl_eth_rss_reta_entry64 reta[2];
	for (unsigned i = 0; i < 128; i++) {
		reta[i / 64].mask = ~0ULL;
		reta[i / 64].reta[i % 64] = (uint16_t)queue_of(i);
	}
	int ret = sl_eth_dev_rss_reta_update(port, reta, 128);
	if (ret != 0)
		fail("%s: reta_update: %s", what, strerror(-ret));
	return ret;
}

/* reta_query gives QUEUE_OF(i) for every entry. */
static void expect_reta(uint16_t port, unsigned (*queue_of)(unsigned), const char *what)
{
	struct sl_eth_rss_reta_entry64 reta[2];
	memset(reta, 0xff, sizeof(reta));
	reta[0].mask = reta[1].mask = ~0ULL;
	int ret = sl_eth_dev_rss_reta_query(port, reta, 128);
	if (ret != 0) {
		fail("%s: reta_query: %s", what, strerror(-ret));
		return;
	}
	unsigned wrong = 0, first = 0;
	for (unsigned i = 0; i < 128; i++)
		if (reta[i / 64].reta[i % 64] != queue_of(i) && wrong++ == 0)
			first = i;
	if (wrong)
		fail("%s: reta_query: %u entries differ from what was set (entry %u is %u, set %u)", what, wrong,
		     first, reta[first / 64].reta[first % 64], queue_of(first));
	else
		note("%s: reta_query returned the 128 entries that were set", what);
}

/* conf_get gives HF and KEY. */
static void expect_rss_conf(uint16_t port, uint64_t hf, const uint8_t *key, const char *what)
{
	uint8_t got[64];
	memset(got, 0, sizeof(got));
	struct sl_eth_rss_conf rc = {.rss_key = got, .rss_key_len = sizeof(got)};
	int ret = sl_eth_dev_rss_hash_conf_get(port, &rc);
	if (ret != 0)
		fail("%s: rss_hash_conf_get: %s", what, strerror(-ret));
	else if (rc.rss_hf != hf || rc.rss_key_len != 40 || memcmp(got, key, 40) != 0)
		fail("%s: rss_hash_conf_get: types 0x%" PRIx64 " (set 0x%" PRIx64 "), %u-byte key %s", what, rc.rss_hf,
		     hf, rc.rss_key_len, memcmp(got, key, 40) == 0 ? "as set" : "differing from what was set");
	else
		note("%s: rss_hash_conf_get returned types 0x%" PRIx64 " and the 40-byte key that were set", what, hf);
}

/* Every flow's mbufs carry the hash computed here with KEY (over the ports
 * too when PORTS) and sit on queue RETA[hash % 128] (QUEUE_OF). */
static void expect_toeplitz(const struct rss_flow *f, const struct rss_seen *seen, unsigned nb, const uint8_t *key,
			    bool ports, unsigned (*queue_of)(unsigned), const char *what)
{
	unsigned ok = 0;
	for (unsigned i = 0; i < nb; i++) {
		uint32_t want = flow_hash(key, &f[i], ports);
		int16_t wq = (int16_t)queue_of(want % 128);
		if (!seen[i].has_hash || seen[i].hash != want || seen[i].queue != wq)
			fail("%s: flow %u (%s/%s): hash 0x%08x%s on queue %d; Toeplitz gives 0x%08x, queue %d", what, i,
			     f[i].proto == 6 ? "TCP" : "UDP", f[i].v6 ? "IPv6" : "IPv4", seen[i].hash,
			     seen[i].has_hash ? "" : " (not flagged)", seen[i].queue, want, wq);
		else
			ok++;
	}
	if (ok == nb)
		note("%s: all %u flows carry the Toeplitz hash computed here and sit on RETA[hash %% 128]", what, nb);
}

static unsigned queue_2(unsigned i) { (void)i; return 2; }
static unsigned queue_rr(unsigned i) { return i % RSS_QUEUES; }
static unsigned queue_split(unsigned i) { return i < 64 ? 1 : 2; }

#define IGB_RSS_TYPES                                                                                   \
	(SL_ETH_RSS_IPV4 | SL_ETH_RSS_NONFRAG_IPV4_TCP | SL_ETH_RSS_NONFRAG_IPV4_UDP | SL_ETH_RSS_IPV6 |  \
	 SL_ETH_RSS_IPV6_EX | SL_ETH_RSS_NONFRAG_IPV6_TCP | SL_ETH_RSS_IPV6_TCP_EX |                    \
	 SL_ETH_RSS_NONFRAG_IPV6_UDP | SL_ETH_RSS_IPV6_UDP_EX)

/* The RSS configuration API on port P1 (4 queues, RSS by default),
 * frames from P0, one thread polling all queues. */
static void rss_config_checks(uint16_t p0, uint16_t p1)
{
	struct rss_flow flows[RSS_MAX_FLOWS];
	struct rss_seen seen[RSS_MAX_FLOWS];
	uint8_t key0[40];
	const char *w;

	if (toeplitz_selftest() != 0)
		return;
	struct sl_eth_dev_info info;
	sl_eth_dev_info_get(p1, &info);
	if (info.reta_size != 128 || info.hash_key_size != 40 || info.flow_type_rss_offloads != IGB_RSS_TYPES)
		fail("rss: dev_info: reta_size %u, hash_key_size %u, types 0x%" PRIx64 "; expected 128, 40, 0x%llx",
		     info.reta_size, info.hash_key_size, info.flow_type_rss_offloads, (unsigned long long)IGB_RSS_TYPES);
	/* the default: every type, the driver's key */
	struct sl_eth_rss_conf rc = {.rss_key = key0, .rss_key_len = sizeof(key0)};
	if (sl_eth_dev_rss_hash_conf_get(p1, &rc) != 0 || rc.rss_hf != IGB_RSS_TYPES)
		fail("rss: default conf: types 0x%" PRIx64 ", expected every type", rc.rss_hf);
	expect_reta(p1, queue_rr, "rss default");

	/* refused: bad key length, unsupported type, a queue the port lacks */
	uint8_t key1[40];
	for (unsigned i = 0; i < 40; i++)
		key1[i] = (uint8_t)test_mix64(0x4b4559u + i);
	rc = (struct sl_eth_rss_conf){.rss_key = key1, .rss_key_len = 39, .rss_hf = SL_ETH_RSS_IPV4};
	int r1 = sl_eth_dev_rss_hash_update(p1, &rc);
	rc = (struct sl_eth_rss_conf){.rss_hf = SL_ETH_RSS_IPV4 | SL_ETH_RSS_NONFRAG_IPV4_SCTP};
	int r2 = sl_eth_dev_rss_hash_update(p1, &rc);
	struct sl_eth_rss_reta_entry64 bad[2] = {{.mask = 1}, {.mask = 0}};
	bad[0].reta[0] = RSS_QUEUES;
	int r3 = sl_eth_dev_rss_reta_update(p1, bad, 128);
	if (r1 != -EINVAL || r2 != -EINVAL || r3 != -EINVAL)
		fail("rss: bad arguments: key of 39 bytes %d, SCTP type %d, queue %u in the RETA %d; expected -EINVAL",
		     r1, r2, RSS_QUEUES, r3);
	else
		note("rss: a 39-byte key, an SCTP hash type and RETA queue %u were refused with -EINVAL", RSS_QUEUES);

	/* (a) every RETA entry on queue 2: every flow lands there */
	w = "rss reta -> queue 2";
	mixed_flows(flows, 48, 1);
	if (set_reta(p1, queue_2, w) == 0 && rss_exchange(p0, p1, flows, 48, 4, seen, w) == 0) {
		unsigned elsewhere = 0;
		for (unsigned i = 0; i < 48; i++)
			elsewhere += seen[i].queue != 2 || !seen[i].has_hash;
		if (elsewhere)
			fail("%s: %u of 48 flows not on queue 2 with a hash", w, elsewhere);
		else
			note("%s: all 48 flows (UDP/IPv4, TCP/IPv4, UDP/IPv6; 192 frames) on queue 2", w);
	}
	expect_reta(p1, queue_2, w); /* (e) */
	/* half the table (group 0's mask only) to queue 1: flows follow hash % 128 */
	w = "rss reta half -> queue 1";
	struct sl_eth_rss_reta_entry64 half[2];
	memset(half, 0, sizeof(half));
	half[0].mask = ~0ULL;
	for (unsigned i = 0; i < 64; i++)
		half[0].reta[i] = 1;
	if (sl_eth_dev_rss_reta_update(p1, half, 128) != 0)
		fail("%s: reta_update refused", w);
	expect_reta(p1, queue_split, w);
	if (rss_exchange(p0, p1, flows, 48, 2, seen, w) == 0)
		expect_toeplitz(flows, seen, 48, key0, true, queue_split, w);

	/* (b) IPv4 addresses only: ports do not matter, addresses do */
	w = "rss IPv4 only";
	set_reta(p1, queue_rr, w);
	rc = (struct sl_eth_rss_conf){.rss_hf = SL_ETH_RSS_IPV4};
	if (sl_eth_dev_rss_hash_update(p1, &rc) != 0)
		fail("%s: hash_update refused", w);
	for (unsigned i = 0; i < 48; i++) {
		uint64_t r = test_mix64(0xb0 + i);
		memset(&flows[i], 0, sizeof(flows[i]));
		flows[i].proto = 17;
		if (i < 24) { /* one address pair, ports varying */
			ip4(flows[i].src, 10, 9, 8, 7);
			ip4(flows[i].dst, 10, 1, 2, 3);
			flows[i].sport = (uint16_t)(1000 + 17 * i);
			flows[i].dport = (uint16_t)(5000 + 31 * i);
		} else if (i < 44) { /* address pairs varying, ports fixed */
			ip4(flows[i].src, 10, (uint8_t)r, (uint8_t)(r >> 8), (uint8_t)(r >> 16));
			ip4(flows[i].dst, 172, 16, (uint8_t)(r >> 24), (uint8_t)(r >> 32));
			flows[i].sport = 4000;
			flows[i].dport = 4001;
		} else { /* UDP/IPv6: not a hashed type now */
			flows[i].v6 = 1;
			flows[i].src[0] = 0xfd; flows[i].src[15] = (uint8_t)i;
			flows[i].dst[0] = 0xfd; flows[i].dst[15] = (uint8_t)(i * 7);
			flows[i].sport = (uint16_t)(3000 + i);
			flows[i].dport = 3001;
		}
	}
	if (rss_exchange(p0, p1, flows, 48, 3, seen, w) == 0) {
		unsigned other = 0, queues = 0, used[RSS_QUEUES] = {0}, v6_bad = 0;
		for (unsigned i = 1; i < 24; i++)
			other += seen[i].queue != seen[0].queue || seen[i].hash != seen[0].hash || !seen[i].has_hash;
		for (unsigned i = 24; i < 44; i++)
			used[seen[i].queue]++;
		for (unsigned q = 0; q < RSS_QUEUES; q++)
			queues += used[q] != 0;
		for (unsigned i = 44; i < 48; i++)
			v6_bad += seen[i].has_hash || seen[i].queue != 0;
		if (other || !seen[0].has_hash)
			fail("%s: %u of 24 flows of one address pair (ports differing) left its queue/hash", w, other);
		else
			note("%s: 24 flows differing only in UDP ports: all on queue %d with hash 0x%08x", w,
			     seen[0].queue, seen[0].hash);
		if (queues < 2)
			fail("%s: 20 address pairs all landed on one queue", w);
		else
			note("%s: 20 address pairs spread over %u queues (%u/%u/%u/%u)", w, queues, used[0], used[1],
			     used[2], used[3]);
		if (v6_bad)
			fail("%s: %u of 4 UDP/IPv6 flows had a hash or a queue other than 0", w, v6_bad);
		else
			note("%s: UDP/IPv6 flows (type not hashed) on queue 0 without the hash flag", w);
		expect_toeplitz(flows, seen, 44, key0, false, queue_rr, w);
	}
	expect_rss_conf(p1, SL_ETH_RSS_IPV4, key0, w); /* (d) */

	/* (c) another key: the mbuf hashes are the Toeplitz hashes of that key */
	w = "rss new key";
	const uint64_t hf = SL_ETH_RSS_IPV4 | SL_ETH_RSS_NONFRAG_IPV4_UDP | SL_ETH_RSS_NONFRAG_IPV4_TCP |
			    SL_ETH_RSS_IPV6 | SL_ETH_RSS_NONFRAG_IPV6_UDP;
	rc = (struct sl_eth_rss_conf){.rss_key = key1, .rss_key_len = 40, .rss_hf = hf};
	if (sl_eth_dev_rss_hash_update(p1, &rc) != 0)
		fail("%s: hash_update refused", w);
	mixed_flows(flows, 24, 2);
	if (rss_exchange(p0, p1, flows, 24, 2, seen, w) == 0)
		expect_toeplitz(flows, seen, 24, key1, true, queue_rr, w);
	expect_rss_conf(p1, hf, key1, w); /* (d) */

	/* both last over stop and start */
	w = "rss after restart";
	sl_eth_dev_stop(p1);
	if (port_start(p1) == 0) {
		expect_rss_conf(p1, hf, key1, w);
		expect_reta(p1, queue_rr, w);
		mixed_flows(flows, 12, 3);
		if (rss_exchange(p0, p1, flows, 12, 2, seen, w) == 0)
			expect_toeplitz(flows, seen, 12, key1, true, queue_rr, w);
	}

	/* at configure time: a key and types in sl_eth_conf */
	w = "rss from configure";
	uint8_t key2[40];
	for (unsigned i = 0; i < 40; i++)
		key2[i] = (uint8_t)(0x3c ^ (i * 29));
	sl_eth_dev_stop(p1);
	struct sl_eth_conf conf = {.rx_mq_mode = SL_ETH_MQ_RX_RSS,
				   .rss_conf = {.rss_key = key2, .rss_key_len = 40,
						.rss_hf = SL_ETH_RSS_IPV4 | SL_ETH_RSS_NONFRAG_IPV4_UDP}};
	int ret = sl_eth_dev_configure(p1, RSS_QUEUES, 1, &conf);
	if (ret != 0) {
		fail("%s: configure: %s", w, strerror(-ret));
		return;
	}
	uint8_t key2_copy[40];
	memcpy(key2_copy, key2, sizeof(key2));
	memset(key2, 0, sizeof(key2)); /* configure copied it */
	if (port_start(p1) != 0)
		return;
	expect_rss_conf(p1, SL_ETH_RSS_IPV4 | SL_ETH_RSS_NONFRAG_IPV4_UDP, key2_copy, w);
	expect_reta(p1, queue_rr, w);
	for (unsigned i = 0; i < 16; i++) {
		uint64_t r = test_mix64(0xc0 + i);
		memset(&flows[i], 0, sizeof(flows[i]));
		flows[i].proto = 17;
		ip4(flows[i].src, 10, 20, (uint8_t)r, (uint8_t)(r >> 8));
		ip4(flows[i].dst, 10, 30, (uint8_t)(r >> 16), (uint8_t)(r >> 24));
		flows[i].sport = (uint16_t)(2000 + (r >> 32) % 5000);
		flows[i].dport = (uint16_t)(7000 + (r >> 48) % 5000);
	}
	if (rss_exchange(p0, p1, flows, 16, 2, seen, w) == 0)
		expect_toeplitz(flows, seen, 16, key2_copy, true, queue_rr, w);
	/* RSS with one rx queue is refused */
	sl_eth_dev_stop(p1);
	conf = (struct sl_eth_conf){.rx_mq_mode = SL_ETH_MQ_RX_RSS};
	ret = sl_eth_dev_configure(p1, 1, 1, &conf);
	if (ret != -EINVAL)
		fail("rss: RSS with one rx queue: %d, expected -EINVAL", ret);
	else
		note("rss: RSS with one rx queue refused with -EINVAL");
}

static int cmd_rss(const char **bdfs)
{
	uint16_t p0, p1;
	if (eal_start(bdfs, 2, "0") != 0 || port_of(bdfs[0], &p0) != 0 || port_of(bdfs[1], &p1) != 0)
		return 1;
	if (port_setup(p0, 1) || port_setup(p1, RSS_QUEUES) || port_start(p0) || port_start(p1))
		return 1;
	sl_eth_stats_reset(p1);
	struct sl_ether_addr src, dst;
	sl_eth_macaddr_get(p0, &src);
	sl_eth_macaddr_get(p1, &dst);
	uint8_t *seen = calloc(frame_count, 1);
	int16_t flow_queue[NB_FLOWS];
	for (unsigned f = 0; f < NB_FLOWS; f++)
		flow_queue[f] = -1;
	volatile int stop = 0;
	struct poller pol[RSS_QUEUES];
	for (uint16_t q = 0; q < RSS_QUEUES; q++) {
		pol[q] = (struct poller){.port = p1, .queue = q, .seen = seen, .flow_queue = flow_queue,
					 .src = &src, .dst = &dst, .stop = &stop};
		pthread_create(&pol[q].thread, NULL, poll_queue, &pol[q]);
	}
	uint64_t sent = 0, last = test_now_ns(), prev_total = 0, t0 = last;
	for (;;) {
		uint64_t total = 0;
		for (unsigned q = 0; q < RSS_QUEUES; q++)
			total += __atomic_load_n(&pol[q].received, __ATOMIC_ACQUIRE);
		if (total >= frame_count)
			break;
		if (total != prev_total) {
			prev_total = total;
			last = test_now_ns();
		} else if (test_now_ns() - last > STALL_NS) {
			fail("rss: stalled: %" PRIu64 " sent, %" PRIu64 " received", sent, total);
			break;
		}
		if (sent < frame_count && sent - total < window) {
			struct sl_mbuf *m[BURST];
			unsigned nb = (unsigned)(frame_count - sent < BURST ? frame_count - sent : BURST);
			if (nb > window - (sent - total))
				nb = (unsigned)(window - (sent - total));
			if (sl_pktmbuf_alloc_bulk(pool, m, nb) != 0) {
				fail("rss: mbuf allocation failed");
				break;
			}
			for (unsigned i = 0; i < nb; i++) {
				unsigned len = build_frame(sl_pktmbuf_mtod(m[i], uint8_t *), (uint32_t)(sent + i), &dst,
							   &src, FRAME_FLOWS);
				m[i]->data_len = (uint16_t)len;
				m[i]->pkt_len = len;
			}
			uint16_t k = sl_eth_tx_burst(p0, 0, m, (uint16_t)nb);
			if (k < nb)
				sl_pktmbuf_free_bulk(&m[k], nb - k);
			sent += k;
		} else {
			sched_yield();
		}
	}
	double secs = (double)(test_now_ns() - t0) / 1e9;
	usleep(200000);
	stop = 1;
	uint64_t lost = 0, dup = 0;
	for (unsigned q = 0; q < RSS_QUEUES; q++)
		pthread_join(pol[q].thread, NULL);
	for (uint64_t s = 0; s < frame_count; s++) {
		if (seen[s] == 0)
			lost++;
		else if (seen[s] > 1)
			dup += seen[s] - 1u;
	}
	if (lost || dup)
		fail("rss: %" PRIu64 " frames lost, %" PRIu64 " duplicated of %" PRIu64, lost, dup, frame_count);
	unsigned used = 0;
	for (unsigned q = 0; q < RSS_QUEUES; q++) {
		note("rss: queue %u received %" PRIu64 " frames", q, pol[q].received);
		if (pol[q].received > 0)
			used++;
		if (pol[q].bad || pol[q].no_hash || pol[q].wrong_queue)
			fail("rss: queue %u: %" PRIu64 " bad frames, %" PRIu64 " without RSS hash or queue, %" PRIu64
			     " frames of a flow seen on another queue",
			     q, pol[q].bad, pol[q].no_hash, pol[q].wrong_queue);
	}
	if (used != RSS_QUEUES)
		fail("rss: only %u of %u queues received frames from %u flows", used, RSS_QUEUES, NB_FLOWS);
	struct sl_eth_stats st;
	sl_eth_stats_get(p1, &st);
	for (unsigned q = 0; q < RSS_QUEUES; q++)
		if (st.q_ipackets[q] != pol[q].received)
			fail("rss: queue %u stats say %" PRIu64 ", poller got %" PRIu64, q, st.q_ipackets[q],
			     pol[q].received);
	note("rss: %" PRIu64 " frames over %u flows (IPv4/UDP, IPv4/TCP, IPv6/UDP) in %.2f s, %" PRIu64
	     " lost, %" PRIu64 " duplicated", frame_count, NB_FLOWS, secs, lost, dup);
	free(seen);
	rss_config_checks(p0, p1);
	sl_eth_dev_close(p0);
	sl_eth_dev_close(p1);
	check_pool_full("rss: after close");
	sl_eal_cleanup();
	return test_failures ? 1 : 0;
}

/* ---- against the kernel's igb driver ------------------------------------------------ */

static int cmd_kernel(const char *bdf, const char *ifname)
{
	uint16_t port;
	const char *bdfs[1] = {bdf};
	if (eal_start(bdfs, 1, "0") != 0 || port_of(bdf, &port) != 0)
		return 1;
	if (port_setup(port, 1) || port_start(port))
		return 1;
	int fd = socket(AF_PACKET, SOCK_RAW, htons(ETHERTYPE_TEST));
	if (fd < 0) {
		fail("packet socket: %s", strerror(errno));
		return 1;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFINDEX, &ifr) != 0) {
		fail("interface %s: %s", ifname, strerror(errno));
		return 1;
	}
	int ifindex = ifr.ifr_ifindex;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) != 0) {
		fail("interface %s has no hardware address: %s", ifname, strerror(errno));
		return 1;
	}
	struct sl_ether_addr kmac, smac;
	memcpy(kmac.addr_bytes, ifr.ifr_hwaddr.sa_data, 6);
	sl_eth_macaddr_get(port, &smac);
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETHERTYPE_TEST),
				  .sll_ifindex = ifindex};
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) != 0) {
		fail("bind to %s: %s", ifname, strerror(errno));
		return 1;
	}
	int rcvbuf = 8 << 20;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	uint64_t n = frame_count;

	/* Sluice -> kernel */
	uint64_t sent = 0, recvd = 0, last = test_now_ns();
	while (recvd < n) {
		if (sent < n && sent - recvd < 32) {
			struct sl_mbuf *m = sl_pktmbuf_alloc(pool);
			unsigned len = build_frame(sl_pktmbuf_mtod(m, uint8_t *), (uint32_t)sent, &kmac, &smac, FRAME_RAW);
			m->data_len = (uint16_t)len;
			m->pkt_len = len;
			if (sl_eth_tx_burst(port, 0, &m, 1) == 1)
				sent++;
			else
				sl_pktmbuf_free(m);
		}
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		if (poll(&pfd, 1, sent - recvd >= 32 || sent == n ? 10 : 0) > 0) {
			uint8_t buf[2048];
			ssize_t len = recv(fd, buf, sizeof(buf), 0);
			if (len > 0) {
				uint32_t seq;
				memcpy(&seq, buf + 14, 4);
				if (seq != recvd)
					fail("sluice->kernel: got seq %u, expected %" PRIu64, seq, recvd);
				else
					check_frame(buf, (unsigned)len, seq, &kmac, &smac, FRAME_RAW, "sluice->kernel");
				recvd++;
				last = test_now_ns();
			}
		}
		if (test_now_ns() - last > STALL_NS) {
			fail("sluice->kernel: stalled at %" PRIu64 " sent, %" PRIu64 " received", sent, recvd);
			break;
		}
		if (test_failures > 10)
			break;
	}
	note("sluice->kernel: %" PRIu64 " of %" PRIu64 " frames received by the kernel's %s intact", recvd, n, ifname);

	/* kernel -> Sluice */
	sent = recvd = 0;
	last = test_now_ns();
	struct sockaddr_ll to = {.sll_family = AF_PACKET, .sll_ifindex = ifindex, .sll_halen = 6};
	memcpy(to.sll_addr, smac.addr_bytes, 6);
	while (recvd < n) {
		if (sent < n && sent - recvd < 64) {
			uint8_t buf[MAX_FRAME];
			unsigned len = build_frame(buf, (uint32_t)sent, &smac, &kmac, FRAME_RAW);
			if (sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof(to)) == (ssize_t)len)
				sent++;
		}
		struct sl_mbuf *r[BURST];
		uint16_t k = sl_eth_rx_burst(port, 0, r, BURST);
		for (uint16_t i = 0; i < k; i++) {
			const uint8_t *d = sl_pktmbuf_mtod(r[i], const uint8_t *);
			uint16_t et = (uint16_t)(d[12] << 8 | d[13]);
			if (et != ETHERTYPE_TEST)
				continue; /* the kernel's own traffic (IPv6 ND, ...) */
			uint32_t seq;
			memcpy(&seq, d + 14, 4);
			if (seq != recvd)
				fail("kernel->sluice: got seq %u, expected %" PRIu64, seq, recvd);
			else
				check_frame(d, r[i]->pkt_len, seq, &smac, &kmac, FRAME_RAW, "kernel->sluice");
			recvd++;
			last = test_now_ns();
		}
		sl_pktmbuf_free_bulk(r, k);
		if (test_now_ns() - last > STALL_NS) {
			fail("kernel->sluice: stalled at %" PRIu64 " sent, %" PRIu64 " received", sent, recvd);
			break;
		}
		if (test_failures > 10)
			break;
	}
	note("kernel->sluice: %" PRIu64 " of %" PRIu64 " frames sent by the kernel's %s received intact", recvd, n,
	     ifname);
	close(fd);
	sl_eth_dev_close(port);
	check_pool_full("kernel: after close");
	sl_eal_cleanup();
	return test_failures ? 1 : 0;
}

/* ---- main ------------------------------------------------------------------------------ */

static void usage(void)
{
	fprintf(stderr, "usage: sl-igb-guest p2p|restart|rss [--backend B] [--count N] [--window N]\n"
			"         [--base-virtaddr ADDR] [--iova-below LIMIT] BDF0 BDF1\n"
			"       sl-igb-guest kernel [--backend B] [--count N] BDF IFNAME\n");
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	const char *cmd = argv[1];
	const char *pos[2];
	unsigned npos = 0;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--backend") && i + 1 < argc)
			backend = argv[++i];
		else if (!strcmp(argv[i], "--count") && i + 1 < argc)
			frame_count = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--window") && i + 1 < argc)
			window = (unsigned)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--base-virtaddr") && i + 1 < argc)
			base_virtaddr = argv[++i];
		else if (!strcmp(argv[i], "--iova-below") && i + 1 < argc)
			iova_limit = strtoull(argv[++i], NULL, 0);
		else if (npos < 2)
			pos[npos++] = argv[i];
		else
			usage();
	}
	if (npos != 2 || frame_count == 0 || window == 0 || window > NB_DESC / 2)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("sl-igb-guest %s: backend %s, %" PRIu64 " frames, window %u\n", cmd, backend, frame_count, window);
	int rc;
	if (!strcmp(cmd, "p2p"))
		rc = cmd_p2p(pos);
	else if (!strcmp(cmd, "restart"))
		rc = cmd_restart(pos);
	else if (!strcmp(cmd, "rss"))
		rc = cmd_rss(pos);
	else if (!strcmp(cmd, "kernel"))
		rc = cmd_kernel(pos[0], pos[1]);
	else
		usage();
	if (test_failures)
		rc = 1;
	printf("sl-igb-guest %s: %s\n", cmd, rc == 0 ? "PASS" : "FAIL");
	return rc;
}
