/* virtio_guest.c: in-guest test program for the net_virtio driver, run by
 * test/vm/checks/6*-virtio-* on QEMU's virtio-net-pci devices bound to
 * vfio-pci.
 *
 *   sl-virtio-guest [EAL options] -- pair COUNT [--expect-ring split|packed]
 *       ports 0 and 1 wired on one QEMU hub: COUNT frames of mixed sizes
 *       (60..1514 bytes) each way at once; every frame must arrive once, in
 *       order, with its length and every byte intact; counters must agree;
 *       then the receive filter through the control queue (foreign unicast
 *       dropped unless promiscuous, broadcast accepted); every mbuf back in
 *       the pool after stop.
 *   sl-virtio-guest [EAL options] -- cycles N
 *       N start/traffic/stop cycles, then N close/re-probe cycles, with the
 *       pool full and the process's fd count unchanged after each.
 *   sl-virtio-guest [EAL options] -- kernel IFNAME COUNT
 *       port 0 against the kernel's virtio_net interface IFNAME on the other
 *       port of the hub (AF_PACKET socket): COUNT frames each way, contents
 *       compared.
 *   sl-virtio-guest [EAL options] -- queues [COUNT]
 *       multiqueue: with a device that offers N > 1 queue pairs, port 1's
 *       N rx queues each polled by its own worker lcore while port 0 sends
 *       COUNT frames on each of its N tx queues; all must arrive. With a
 *       single-pair device (QEMU's hubport backend), checks that the port
 *       reports one pair, refuses two and works with one.
 * Exit 0 when every expectation held; 1 otherwise (each failure printed). */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../test_report.h"
#include "ethdev_driver.h"
#include "sl_bus_vfio.h"
#include "sl_ethdev.h"

#define ETHERTYPE_TEST 0x88b5
#define MIN_FRAME 60
#define MAX_FRAME 1514
#define BURST 32
#define WINDOW 128 /* frames in flight per direction: below the rx ring size */
#define NB_MBUF 8191

#define FAIL(...) fail(__VA_ARGS__) /* test_report.h: prints and counts */
#define CHECK(cond, ...)                                                  \
	do {                                                              \
		if (!(cond))                                              \
			FAIL(__VA_ARGS__);                                \
	} while (0)

static struct sl_mempool *pool;

static uint64_t now_us(void)
{
	return sl_rdtsc() * 1000000 / sl_tsc_hz();
}

/* ---- frames ------------------------------------------------------------- */

static uint32_t frame_len(uint32_t seq)
{
	return MIN_FRAME + (seq * 7919u) % (MAX_FRAME - MIN_FRAME + 1);
}

static uint8_t frame_byte(uint32_t seq, uint32_t stream, uint32_t off)
{
	return (uint8_t)(seq * 31u + stream * 101u + off * 7u + (off >> 8));
}

/* Frame SEQ of STREAM: dst, src, ethertype, stream, seq, then pattern. */
static void build_frame(uint8_t *p, uint32_t len, const struct sl_ether_addr *dst, const struct sl_ether_addr *src,
			uint32_t stream, uint32_t seq)
{
	memcpy(p, dst->addr_bytes, 6);
	memcpy(p + 6, src->addr_bytes, 6);
	p[12] = ETHERTYPE_TEST >> 8;
	p[13] = ETHERTYPE_TEST & 0xff;
	memcpy(p + 14, &stream, 4);
	memcpy(p + 18, &seq, 4);
	for (uint32_t i = 22; i < len; i++)
		p[i] = frame_byte(seq, stream, i);
}

/* 1 when P/LEN is the expected frame, else prints what differs. */
static int check_frame(const uint8_t *p, uint32_t len, uint32_t stream, uint32_t seq, const char *what)
{
	uint32_t s, q;
	if (len < 22 || p[12] != (ETHERTYPE_TEST >> 8) || p[13] != (ETHERTYPE_TEST & 0xff)) {
		FAIL("%s: frame %u: not a test frame (len %u)", what, seq, len);
		return 0;
	}
	memcpy(&s, p + 14, 4);
	memcpy(&q, p + 18, 4);
	if (s != stream || q != seq) {
		FAIL("%s: expected frame %u of stream %u, got frame %u of stream %u (lost or reordered)", what, seq,
		     stream, q, s);
		return 0;
	}
	if (len != frame_len(seq)) {
		FAIL("%s: frame %u: length %u, expected %u", what, seq, len, frame_len(seq));
		return 0;
	}
	for (uint32_t i = 22; i < len; i++) {
		if (p[i] != frame_byte(seq, stream, i)) {
			FAIL("%s: frame %u: byte %u is 0x%02x, expected 0x%02x", what, seq, i, p[i],
			     frame_byte(seq, stream, i));
			return 0;
		}
	}
	return 1;
}

static struct sl_mbuf *make_mbuf(const struct sl_ether_addr *dst, const struct sl_ether_addr *src, uint32_t stream,
				 uint32_t seq)
{
	struct sl_mbuf *m = sl_pktmbuf_alloc(pool);
	if (m == NULL)
		return NULL;
	uint32_t len = frame_len(seq);
	uint8_t *p = (uint8_t *)sl_pktmbuf_append(m, (uint16_t)len);
	if (p == NULL) {
		sl_pktmbuf_free(m);
		return NULL;
	}
	build_frame(p, len, dst, src, stream, seq);
	return m;
}

/* Linear copy of a (possibly chained) packet. */
static uint32_t copy_pkt(const struct sl_mbuf *m, uint8_t *buf, uint32_t cap)
{
	uint32_t n = 0;
	for (; m != NULL; m = m->next) {
		uint32_t l = m->data_len;
		if (n + l > cap)
			l = cap - n;
		memcpy(buf + n, sl_pktmbuf_mtod(m, const uint8_t *), l);
		n += l;
	}
	return n;
}

/* ---- ports -------------------------------------------------------------- */

static int port_setup(uint16_t port, uint16_t nq)
{
	int ret = sl_eth_dev_configure(port, nq, nq, NULL);
	for (uint16_t q = 0; ret == 0 && q < nq; q++) {
		ret = sl_eth_rx_queue_setup(port, q, 0, NULL, pool);
		if (ret == 0)
			ret = sl_eth_tx_queue_setup(port, q, 0, NULL);
	}
	if (ret == 0)
		ret = sl_eth_dev_start(port);
	if (ret != 0) {
		FAIL("port %u: setup with %u queue(s) failed: %s", port, nq, strerror(-ret));
		return ret;
	}
	struct sl_eth_link link;
	if (sl_eth_link_wait(port, 3000, &link) != 0)
		FAIL("port %u: link not up within 3 s", port);
	return 0;
}

static void check_pool_full(const char *when)
{
	unsigned avail = sl_mempool_avail_count(pool), size = sl_mempool_size(pool);
	CHECK(avail == size, "%s: %u of %u mbufs back in the pool (%u missing)", when, avail, size, size - avail);
}

static uint64_t xstat(uint16_t port, const char *name)
{
	uint64_t v = 0;
	if (sl_eth_xstats_get_by_name(port, name, &v) != 0)
		FAIL("port %u: no xstat %s", port, name);
	return v;
}

/* ---- pair --------------------------------------------------------------- */

struct stream {
	uint16_t tx_port, rx_port;
	uint32_t id;
	uint32_t sent, received, count;
	uint32_t tx_bursts; /* tx burst calls that sent something */
	struct sl_ether_addr dst, src;
	int broken;
};

/* Send what the window allows on S, receive what arrived. */
static void pump(struct stream *s)
{
	struct sl_mbuf *pkts[BURST];
	uint8_t buf[MAX_FRAME + 64];

	if (s->sent < s->count && s->sent - s->received < WINDOW) {
		uint32_t n = s->count - s->sent;
		uint32_t room = WINDOW - (s->sent - s->received);
		if (n > room)
			n = room;
		if (n > BURST)
			n = BURST;
		uint32_t built = 0;
		for (; built < n; built++) {
			pkts[built] = make_mbuf(&s->dst, &s->src, s->id, s->sent + built);
			if (pkts[built] == NULL)
				break;
		}
		uint16_t took = sl_eth_tx_burst(s->tx_port, 0, pkts, (uint16_t)built);
		for (uint32_t i = took; i < built; i++)
			sl_pktmbuf_free(pkts[i]);
		s->sent += took;
		s->tx_bursts += took > 0;
	}
	uint16_t got = sl_eth_rx_burst(s->rx_port, 0, pkts, BURST);
	for (uint16_t i = 0; i < got; i++) {
		uint32_t len = copy_pkt(pkts[i], buf, sizeof(buf));
		if (!s->broken && len != pkts[i]->pkt_len)
			FAIL("stream %u: pkt_len %u but segments hold %u bytes", s->id, pkts[i]->pkt_len, len);
		if (!s->broken && !check_frame(buf, len, s->id, s->received, s->id ? "1->0" : "0->1"))
			s->broken = 1;
		s->received++;
	}
	sl_pktmbuf_free_bulk(pkts, got);
}

/* Run both streams until done or no progress for 2 s. */
static void run_streams(struct stream *a, struct stream *b)
{
	uint64_t last_progress = now_us();
	uint32_t last = 0;
	while ((a->received < a->count || b->received < b->count) && !a->broken && !b->broken) {
		pump(a);
		pump(b);
		uint32_t total = a->received + b->received + a->sent + b->sent;
		if (total != last) {
			last = total;
			last_progress = now_us();
		} else if (now_us() - last_progress > 2000000) {
			FAIL("no progress for 2 s: 0->1 sent %u received %u, 1->0 sent %u received %u", a->sent,
			     a->received, b->sent, b->received);
			return;
		}
	}
}

/* Frames with DST from port 0 to 1; how many port 1 receives within 300 ms. */
static unsigned filter_probe(const struct sl_ether_addr *dst, unsigned n)
{
	struct sl_ether_addr src;
	struct sl_mbuf *pkts[BURST];
	unsigned got = 0, sent = 0;
	sl_eth_macaddr_get(0, &src);
	while (sent < n) {
		unsigned k = n - sent < BURST ? n - sent : BURST, built;
		for (built = 0; built < k; built++)
			if ((pkts[built] = make_mbuf(dst, &src, 7, sent + built)) == NULL)
				break;
		uint16_t took = sl_eth_tx_burst(0, 0, pkts, (uint16_t)built);
		for (unsigned i = took; i < built; i++)
			sl_pktmbuf_free(pkts[i]);
		sent += took;
		uint16_t r = sl_eth_rx_burst(1, 0, pkts, BURST);
		got += r;
		sl_pktmbuf_free_bulk(pkts, r);
	}
	uint64_t t0 = now_us();
	while (now_us() - t0 < 300000) {
		uint16_t r = sl_eth_rx_burst(1, 0, pkts, BURST);
		got += r;
		sl_pktmbuf_free_bulk(pkts, r);
	}
	return got;
}

static int cmd_pair(uint32_t count, const char *expect_ring)
{
	struct stream s[2];
	struct sl_eth_stats st[2];
	struct sl_eth_dev_info info;

	CHECK(sl_eth_dev_count_avail() == 2, "expected 2 virtio ports, found %u", sl_eth_dev_count_avail());
	if (test_failures)
		return 1;
	sl_eth_dev_info_get(0, &info);
	CHECK(strcmp(info.driver_name, "net_virtio") == 0, "port 0 driver is %s", info.driver_name);
	for (uint16_t p = 0; p < 2; p++)
		if (port_setup(p, 1) != 0)
			return 1;
	if (expect_ring != NULL) {
		/* The driver logs the ring format; the kick counters exist either way.
		 * The format is checked by the check script from the log line. */
		printf("expecting %s rings\n", expect_ring);
	}
	memset(s, 0, sizeof(s));
	for (int i = 0; i < 2; i++) {
		s[i].tx_port = (uint16_t)i;
		s[i].rx_port = (uint16_t)(1 - i);
		s[i].id = (uint32_t)i;
		s[i].count = count;
		sl_eth_macaddr_get(s[i].rx_port, &s[i].dst);
		sl_eth_macaddr_get(s[i].tx_port, &s[i].src);
	}
	uint64_t t0 = now_us();
	run_streams(&s[0], &s[1]);
	double secs = (double)(now_us() - t0) / 1e6;
	for (int i = 0; i < 2; i++)
		CHECK(s[i].received == count && !s[i].broken, "stream %d: %u of %u frames received intact", i,
		      s[i].received, count);
	printf("pair: %u frames each way of 60..1514 bytes, all intact, in %.1f s (%.0f frames/s)\n", count, secs,
	       2.0 * count / secs);
	for (int p = 0; p < 2; p++) {
		sl_eth_stats_get((uint16_t)p, &st[p]);
		printf("port %d: ipackets %llu opackets %llu ierrors %llu oerrors %llu nombuf %llu "
		       "tx kicks %llu (suppressed %llu) rx kicks %llu (suppressed %llu)\n", p,
		       (unsigned long long)st[p].ipackets, (unsigned long long)st[p].opackets,
		       (unsigned long long)st[p].ierrors, (unsigned long long)st[p].oerrors,
		       (unsigned long long)st[p].rx_nombuf, (unsigned long long)xstat((uint16_t)p, "tx_q0_kicks"),
		       (unsigned long long)xstat((uint16_t)p, "tx_q0_kicks_suppressed"),
		       (unsigned long long)xstat((uint16_t)p, "rx_q0_kicks"),
		       (unsigned long long)xstat((uint16_t)p, "rx_q0_kicks_suppressed"));
	}
	uint64_t bytes = 0;
	for (uint32_t q = 0; q < count; q++)
		bytes += frame_len(q);
	for (int p = 0; p < 2; p++) {
		CHECK(st[p].opackets == count && st[p].ipackets == count, "port %d: opackets %llu ipackets %llu, "
		      "expected %u each", p, (unsigned long long)st[p].opackets, (unsigned long long)st[p].ipackets,
		      count);
		CHECK(st[p].obytes == bytes && st[p].ibytes == bytes, "port %d: obytes %llu ibytes %llu, expected %llu",
		      p, (unsigned long long)st[p].obytes, (unsigned long long)st[p].ibytes, (unsigned long long)bytes);
		CHECK(st[p].ierrors == 0 && st[p].oerrors == 0, "port %d: errors rx %llu tx %llu", p,
		      (unsigned long long)st[p].ierrors, (unsigned long long)st[p].oerrors);
		/* batched kicks: at most one per burst, and none when the
		 * device said so (kicks + suppressed = bursts) */
		uint64_t kicks = xstat((uint16_t)p, "tx_q0_kicks");
		uint64_t quiet = xstat((uint16_t)p, "tx_q0_kicks_suppressed");
		CHECK(kicks + quiet == s[p].tx_bursts, "port %d: %llu tx kicks + %llu suppressed for %u bursts", p,
		      (unsigned long long)kicks, (unsigned long long)quiet, s[p].tx_bursts);
	}

	/* Receive filter through the control queue. Port 1 is not promiscuous. */
	struct sl_ether_addr foreign = {{0x02, 0x00, 0x5c, 0x00, 0x00, 0x99}};
	struct sl_ether_addr bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
	struct sl_ether_addr mcast = {{0x01, 0x00, 0x5e, 0x00, 0x00, 0x42}};
	unsigned got;
	CHECK(sl_eth_promiscuous_get(1) == 0, "port 1 starts promiscuous");
	got = filter_probe(&foreign, 64);
	CHECK(got == 0, "promiscuous off: %u of 64 frames to a foreign unicast address were received", got);
	got = filter_probe(&bcast, 64);
	CHECK(got == 64, "broadcast: %u of 64 frames received", got);
	got = filter_probe(&mcast, 64);
	CHECK(got == 0, "all-multicast off: %u of 64 frames to a multicast group were received", got);
	CHECK(sl_eth_allmulticast_enable(1) == 0, "allmulticast_enable failed");
	got = filter_probe(&mcast, 64);
	CHECK(got == 64, "all-multicast on: %u of 64 multicast frames received", got);
	CHECK(sl_eth_promiscuous_enable(1) == 0, "promiscuous_enable failed");
	got = filter_probe(&foreign, 64);
	CHECK(got == 64, "promiscuous on: %u of 64 frames to a foreign unicast address received", got);
	CHECK(sl_eth_promiscuous_disable(1) == 0 && sl_eth_allmulticast_disable(1) == 0, "rx mode off failed");
	got = filter_probe(&foreign, 64);
	CHECK(got == 0, "promiscuous off again: %u of 64 foreign frames received", got);
	printf("receive filter: unicast/broadcast/multicast/promiscuous behave as set through the control queue\n");

	for (uint16_t p = 0; p < 2; p++)
		sl_eth_dev_stop(p);
	check_pool_full("after stop");
	for (uint16_t p = 0; p < 2; p++)
		sl_eth_dev_close(p);
	check_pool_full("after close");
	return test_failures ? 1 : 0;
}

/* ---- cycles ------------------------------------------------------------- */

static int count_fds(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	if (d == NULL)
		return -1;
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

static void short_traffic(uint32_t count, const char *when)
{
	struct stream s[2];
	memset(s, 0, sizeof(s));
	for (int i = 0; i < 2; i++) {
		s[i].tx_port = (uint16_t)i;
		s[i].rx_port = (uint16_t)(1 - i);
		s[i].id = (uint32_t)i;
		s[i].count = count;
		sl_eth_macaddr_get(s[i].rx_port, &s[i].dst);
		sl_eth_macaddr_get(s[i].tx_port, &s[i].src);
	}
	run_streams(&s[0], &s[1]);
	CHECK(s[0].received == count && s[1].received == count && !s[0].broken && !s[1].broken,
	      "%s: received %u and %u of %u frames", when, s[0].received, s[1].received, count);
}

static int cmd_cycles(unsigned n)
{
	char bdf[2][SL_PCI_ADDR_STRLEN];
	char when[64];

	CHECK(sl_eth_dev_count_avail() == 2, "expected 2 virtio ports, found %u", sl_eth_dev_count_avail());
	if (test_failures)
		return 1;
	for (uint16_t p = 0; p < 2; p++) {
		struct sl_eth_dev *dev = sl_eth_dev_get(p);
		snprintf(bdf[p], sizeof(bdf[p]), "%s", sl_pci_device_name(dev->bus_device));
		if (port_setup(p, 1) != 0)
			return 1;
	}
	int fds0 = count_fds();
	for (unsigned c = 0; c < n; c++) {
		snprintf(when, sizeof(when), "start/stop cycle %u", c);
		short_traffic(500, when);
		/* stop with buffers in flight: some frames sent, none read */
		struct sl_mbuf *pkts[BURST];
		struct sl_ether_addr a, b;
		sl_eth_macaddr_get(0, &a);
		sl_eth_macaddr_get(1, &b);
		for (int i = 0; i < BURST; i++)
			pkts[i] = make_mbuf(&b, &a, 0, (uint32_t)i);
		uint16_t took = sl_eth_tx_burst(0, 0, pkts, BURST);
		sl_pktmbuf_free_bulk(pkts + took, BURST - took);
		for (uint16_t p = 0; p < 2; p++)
			CHECK(sl_eth_dev_stop(p) == 0, "%s: stop port %u failed", when, p);
		check_pool_full(when);
		CHECK(count_fds() == fds0, "%s: %d fds open, %d before", when, count_fds(), fds0);
		for (uint16_t p = 0; p < 2; p++)
			CHECK(sl_eth_dev_start(p) == 0, "%s: restart port %u failed", when, p);
		for (uint16_t p = 0; p < 2; p++)
			sl_eth_link_wait(p, 3000, NULL);
	}
	for (unsigned c = 0; c < n; c++) {
		snprintf(when, sizeof(when), "close/reopen cycle %u", c);
		for (uint16_t p = 0; p < 2; p++)
			CHECK(sl_eth_dev_close(p) == 0, "%s: close port %u failed", when, p);
		check_pool_full(when);
		CHECK(sl_eth_dev_count_avail() == 0, "%s: %u ports left after close", when, sl_eth_dev_count_avail());
		for (uint16_t p = 0; p < 2; p++) {
			struct sl_pci_device *pdev = sl_pci_device_find(bdf[p]);
			int ret = pdev ? sl_pci_dev_probe(pdev) : -ENODEV;
			CHECK(ret == 0, "%s: probing %s again failed: %d", when, bdf[p], ret);
		}
		if (test_failures)
			return 1;
		/* ports come back with the lowest free ids: 0 and 1 */
		for (uint16_t p = 0; p < 2; p++)
			if (port_setup(p, 1) != 0)
				return 1;
		short_traffic(500, when);
		CHECK(count_fds() == fds0, "%s: %d fds open, %d before", when, count_fds(), fds0);
	}
	for (uint16_t p = 0; p < 2; p++)
		sl_eth_dev_close(p);
	check_pool_full("at the end");
	printf("cycles: %u start/stop and %u close/reopen cycles with traffic; pool full and fds unchanged after each\n",
	       n, n);
	return test_failures ? 1 : 0;
}

/* ---- kernel peer ---------------------------------------------------------- */

static int cmd_kernel(const char *ifname, uint32_t count)
{
	struct sl_ether_addr mine, theirs;
	struct ifreq ifr;
	uint8_t buf[MAX_FRAME + 64];
	int fd;

	CHECK(sl_eth_dev_count_avail() == 1, "expected 1 virtio port, found %u", sl_eth_dev_count_avail());
	if (test_failures)
		return 1;
	fd = socket(AF_PACKET, SOCK_RAW, htons(ETHERTYPE_TEST));
	if (fd < 0) {
		FAIL("AF_PACKET socket: %s", strerror(errno));
		return 1;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) != 0) {
		FAIL("%s: SIOCGIFFLAGS: %s", ifname, strerror(errno));
		return 1;
	}
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) != 0) {
		FAIL("%s: cannot bring it up: %s", ifname, strerror(errno));
		return 1;
	}
	ioctl(fd, SIOCGIFHWADDR, &ifr);
	memcpy(theirs.addr_bytes, ifr.ifr_hwaddr.sa_data, 6);
	int ifindex = (int)if_nametoindex(ifname);
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETHERTYPE_TEST),
				   .sll_ifindex = ifindex };
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) != 0) {
		FAIL("bind to %s: %s", ifname, strerror(errno));
		return 1;
	}
	int rcvbuf = 8 << 20;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (port_setup(0, 1) != 0)
		return 1;
	sl_eth_macaddr_get(0, &mine);

	/* Sluice -> kernel, a window at a time so the socket keeps up. */
	uint32_t sent = 0, got = 0;
	uint64_t t0 = now_us();
	while (got < count && now_us() - t0 < 20000000) {
		if (sent < count && sent - got < 32) {
			struct sl_mbuf *m = make_mbuf(&theirs, &mine, 2, sent);
			if (m != NULL && sl_eth_tx_burst(0, 0, &m, 1) == 1)
				sent++;
			else if (m != NULL)
				sl_pktmbuf_free(m);
			continue;
		}
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0)
			continue;
		if (!check_frame(buf, (uint32_t)n, 2, got, "sluice->kernel"))
			break;
		got++;
	}
	CHECK(got == count, "sluice->kernel: %u of %u frames arrived intact", got, count);
	printf("sluice->kernel: %u frames of 60..1514 bytes compared\n", got);

	/* kernel -> Sluice */
	uint32_t rx = 0;
	sent = 0;
	t0 = now_us();
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_ifindex = ifindex, .sll_halen = 6 };
	memcpy(to.sll_addr, mine.addr_bytes, 6);
	while (rx < count && now_us() - t0 < 20000000) {
		if (sent < count && sent - rx < 32) {
			uint32_t len = frame_len(sent);
			build_frame(buf, len, &mine, &theirs, 3, sent);
			if (sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof(to)) == (ssize_t)len)
				sent++;
		}
		struct sl_mbuf *pkts[BURST];
		uint16_t n = sl_eth_rx_burst(0, 0, pkts, BURST);
		for (uint16_t i = 0; i < n; i++) {
			uint8_t copy[MAX_FRAME + 64];
			uint32_t len = copy_pkt(pkts[i], copy, sizeof(copy));
			if (len >= 14 && copy[12] == (ETHERTYPE_TEST >> 8) && copy[13] == (ETHERTYPE_TEST & 0xff)) {
				if (check_frame(copy, len, 3, rx, "kernel->sluice"))
					rx++;
				else
					t0 = 0; /* stop */
			}
		}
		sl_pktmbuf_free_bulk(pkts, n);
	}
	CHECK(rx == count, "kernel->sluice: %u of %u frames arrived intact", rx, count);
	printf("kernel->sluice: %u frames of 60..1514 bytes compared\n", rx);
	close(fd);
	sl_eth_dev_stop(0);
	sl_eth_dev_close(0);
	check_pool_full("after close");
	return test_failures ? 1 : 0;
}

/* ---- queues ------------------------------------------------------------- */

static uint32_t mq_total_received;
static volatile int mq_stop;

struct mq_worker {
	uint16_t queue;
	uint32_t received;
};

/* Worker lcore: poll rx queue W->queue of port 1 only. */
static int mq_rx_loop(void *arg)
{
	struct mq_worker *w = arg;
	struct sl_mbuf *pkts[BURST];
	while (!mq_stop) {
		uint16_t n = sl_eth_rx_burst(1, w->queue, pkts, BURST);
		if (n == 0)
			continue;
		w->received += n;
		__atomic_add_fetch(&mq_total_received, n, __ATOMIC_RELAXED);
		sl_pktmbuf_free_bulk(pkts, n);
	}
	return 0;
}

static int cmd_queues(uint32_t count)
{
	struct sl_eth_dev_info info;
	sl_eth_dev_info_get(0, &info);
	printf("port 0: %u rx / %u tx queues\n", info.max_rx_queues, info.max_tx_queues);
	if (info.max_rx_queues < 2) {
		/* QEMU hubport backends have one queue pair: the driver must say so */
		int ret = sl_eth_dev_configure(0, 2, 2, NULL);
		CHECK(ret == -EINVAL, "configuring 2 queue pairs on a single-pair device returned %d, expected -EINVAL",
		      ret);
		CHECK(port_setup(0, 1) == 0, "one pair after the refusal failed");
		sl_eth_dev_close(0);
		printf("queues: single-pair device, 2 pairs refused, 1 pair works\n");
		return test_failures ? 1 : 0;
	}
	/* A multiqueue device: each rx queue of port 1 polled by its own
	 * worker lcore; the device steers (no RSS), so only the total is
	 * fixed: every frame port 0 sends on any of its queues arrives once. */
	uint16_t nq = info.max_rx_queues;
	unsigned lc, nworkers = 0, lcores[SL_MAX_QUEUES_PER_PORT];
	struct mq_worker w[SL_MAX_QUEUES_PER_PORT];
	SL_LCORE_FOREACH_WORKER(lc) {
		if (nworkers < SL_MAX_QUEUES_PER_PORT)
			lcores[nworkers++] = lc;
	}
	if (nq > nworkers)
		nq = (uint16_t)nworkers;
	CHECK(nq >= 2, "need at least 2 worker lcores for the multiqueue test (e.g. -l 0-2)");
	if (test_failures)
		return 1;
	for (uint16_t p = 0; p < 2; p++)
		if (port_setup(p, nq) != 0)
			return 1;
	sl_eth_promiscuous_enable(1);
	for (uint16_t q = 0; q < nq; q++) {
		w[q] = (struct mq_worker){ .queue = q };
		sl_eal_remote_launch(mq_rx_loop, &w[q], lcores[q]);
	}
	struct sl_ether_addr a, b;
	sl_eth_macaddr_get(0, &a);
	sl_eth_macaddr_get(1, &b);
	uint32_t total = count * nq, sent = 0;
	uint64_t t0 = now_us();
	while (sent < total && now_us() - t0 < 20000000) {
		uint16_t q = (uint16_t)(sent / BURST % nq);
		struct sl_mbuf *pkts[BURST];
		unsigned k;
		if (sent - __atomic_load_n(&mq_total_received, __ATOMIC_RELAXED) > WINDOW)
			continue;
		for (k = 0; k < BURST && sent + k < total; k++)
			if ((pkts[k] = make_mbuf(&b, &a, 5, sent + k)) == NULL)
				break;
		uint16_t took = sl_eth_tx_burst(0, q, pkts, (uint16_t)k);
		sl_pktmbuf_free_bulk(pkts + took, k - took);
		sent += took;
	}
	while (__atomic_load_n(&mq_total_received, __ATOMIC_RELAXED) < total && now_us() - t0 < 20000000)
		sl_delay_us(1000);
	mq_stop = 1;
	sl_eal_mp_wait_lcore();
	uint32_t sum = 0, used = 0;
	for (uint16_t q = 0; q < nq; q++) {
		printf("rx queue %u (lcore %u): %u frames\n", q, lcores[q], w[q].received);
		sum += w[q].received;
		used += w[q].received > 0;
	}
	CHECK(sum == total, "multiqueue: %u of %u frames received over %u queues", sum, total, nq);
	/* frames sent on every tx queue: the device's steering (no RSS) must
	 * have used more than one rx queue */
	CHECK(used > 1, "multiqueue: only %u of %u rx queues received anything", used, nq);
	uint64_t pairs_cmds = xstat(1, "control_commands");
	CHECK(pairs_cmds >= 1, "port 1: no control command sent");
	for (uint16_t p = 0; p < 2; p++)
		sl_eth_dev_close(p);
	check_pool_full("after close");
	return test_failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	int n = sl_eal_init(argc, argv);
	int rc;
	if (n < 0) {
		printf("FAIL: sl_eal_init failed\n");
		return 1;
	}
	argc -= n;
	argv += n;
	if (argc >= 2 && strcmp(argv[1], "--") == 0) {
		argc--;
		argv++;
	}
	pool = sl_pktmbuf_pool_create("virtio-test", NB_MBUF, 256, 0, SL_MBUF_DEFAULT_BUF_SIZE);
	if (pool == NULL) {
		printf("FAIL: mbuf pool: %s\n", strerror(errno));
		return 1;
	}
	if (argc >= 3 && strcmp(argv[1], "pair") == 0)
		rc = cmd_pair((uint32_t)strtoul(argv[2], NULL, 0), argc >= 5 ? argv[4] : NULL);
	else if (argc >= 3 && strcmp(argv[1], "cycles") == 0)
		rc = cmd_cycles((unsigned)strtoul(argv[2], NULL, 0));
	else if (argc >= 4 && strcmp(argv[1], "kernel") == 0)
		rc = cmd_kernel(argv[2], (uint32_t)strtoul(argv[3], NULL, 0));
	else if (argc >= 2 && strcmp(argv[1], "queues") == 0)
		rc = cmd_queues(argc >= 3 ? (uint32_t)strtoul(argv[2], NULL, 0) : 10000);
	else {
		printf("usage: sl-virtio-guest [EAL options] -- pair COUNT | cycles N | kernel IFNAME COUNT | queues [COUNT]\n");
		rc = 2;
	}
	sl_eal_cleanup();
	return rc;
}
