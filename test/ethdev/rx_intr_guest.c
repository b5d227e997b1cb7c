/* rx_intr_guest.c: in-guest test of ethdev's rx interrupts on real devices
 * (run by test/vm/checks/55-rx-intr): port 0 sends, port 1 is configured
 * with intr_conf.rxq and its queue's eventfd sits in an epoll set.
 *
 *   sl-rx-intr-guest [opts] BDF0 BDF1
 *
 * opts: --backend iommufd|type1|noiommu|noiommu-cdev (or one per device, BDF0's first:
 * iommufd,type1 in the mixed scenario), --devargs ARGS (appended to each
 * -a, e.g. ring=split for virtio-net), --rounds N (wake-up rounds, default
 * 20), --multiqueue rss|txq (also the two-queue check; rss: flows that the
 * receiver's RSS spreads (igb); txq: port 0 sends on tx queue q and the
 * wire delivers to rx queue q (virtio-net over the vhost-user wire of
 * test/virtio/run-mq-vhost.sh)).
 *
 * Checks, in order:
 *   (a) armed, nothing sent: epoll_wait times out (200 ms);
 *   (b) armed, port 0 sends a burst: epoll_wait returns the queue's fd, the
 *       frames are then received by rx_burst and compared byte for byte;
 *       repeated --rounds times for the send-to-wake-up latency;
 *   (c) disarmed: a burst arrives (and is received) without waking it;
 *   (a') armed again after (c): no stale wake-up;
 *   (m) --multiqueue: two rx queues, one eventfd each; traffic steered to
 *       one queue wakes that queue's fd only, then the other way round;
 *   (d) the eventfds exist only while the port is started: counted in
 *       /proc/self/fd after start, stop and close (also closing an armed
 *       port).
 * Exit 0 when every expectation held; each failure prints "FAIL: ...". */
#include <errno.h>
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "sl_ethdev.h"
#include "../test_backend.h"
#include "../test_frames.h"
#include "../test_report.h"

#define ETHERTYPE_TEST 0x88b5
#define BURST 32
#define NB_MBUFS 4095
#define NB_DESC 256
#define QUIET_MS 200      /* (a), (c): how long nothing may happen */
#define WAKE_MS 3000      /* (b): how long a wake-up may take at most (TCG) */
#define MAX_ROUNDS 1000

static const char *backend = "iommufd";
static const char *devargs = "";
static unsigned rounds = 20;
static const char *multiqueue; /* NULL, "rss" or "txq" */
static struct sl_mempool *pool;
static uint16_t tx_port, rx_port;
static struct sl_ether_addr tx_mac, rx_mac;

/* ---- frames ------------------------------------------------------------------ */

/* Frame SEQ of FLOW into BUF, length returned. FLOW 0: the test
 * ethertype; FLOW > 0: IPv4/UDP with source port 1000 + FLOW (what RSS
 * hashes). The sequence number and bytes derived from it follow. */
static unsigned build_frame(uint8_t *buf, uint32_t seq, unsigned flow)
{
	unsigned len = 60 + (unsigned)(test_mix64(seq) % 400), off;
	memcpy(buf, rx_mac.addr_bytes, 6);
	memcpy(buf + 6, tx_mac.addr_bytes, 6);
	if (flow == 0) {
		buf[12] = ETHERTYPE_TEST >> 8;
		buf[13] = ETHERTYPE_TEST & 0xff;
		off = 14;
	} else {
		static const uint8_t src_ip[4] = {10, 0, 0, 1}, dst_ip[4] = {10, 0, 0, 2};
		buf[12] = 0x08;
		buf[13] = 0x00;
		test_put_ipv4(buf + 14, len, 17, src_ip, dst_ip);
		test_put_udp(buf + 34, len - 34, (uint16_t)(1000 + flow), 2000);
		off = 42;
	}
	memcpy(buf + off, &seq, 4);
	off += 4;
	uint64_t x = test_mix64(seq ^ 0xabcdef);
	for (; off < len; off++) {
		buf[off] = (uint8_t)x;
		x = (x >> 8) | (x << 56);
		if ((off & 7) == 7)
			x = test_mix64(x);
	}
	return len;
}

/* Send frames FIRST..FIRST+N-1 of FLOW from port 0; returns how many the
 * driver took. */
static unsigned send_frames_on(uint16_t txq, uint32_t first, unsigned n, unsigned flow)
{
	struct sl_mbuf *m[BURST];
	if (n > BURST || sl_pktmbuf_alloc_bulk(pool, m, n) != 0) {
		fail("cannot allocate %u mbufs to send", n);
		return 0;
	}
	for (unsigned i = 0; i < n; i++) {
		unsigned len = build_frame(sl_pktmbuf_mtod(m[i], uint8_t *), first + i, flow);
		m[i]->data_len = (uint16_t)len;
		m[i]->pkt_len = len;
	}
	unsigned sent = 0;
	uint64_t end = test_now_ns() + 1000000000ull;
	while (sent < n && test_now_ns() < end)
		sent += sl_eth_tx_burst(tx_port, txq, m + sent, (uint16_t)(n - sent));
	if (sent < n) {
		fail("port %u took %u of %u frames to send", tx_port, sent, n);
		sl_pktmbuf_free_bulk(m + sent, n - sent);
	}
	return sent;
}

static unsigned send_frames(uint32_t first, unsigned n, unsigned flow)
{
	return send_frames_on(0, first, n, flow);
}

/* Poll rx queue Q of port 1 for up to MS ms until N frames came; check each
 * is frame FIRST+i of FLOW (in order, byte for byte). Returns the count. */
static unsigned receive_frames(uint16_t q, uint32_t first, unsigned n, unsigned flow, unsigned ms,
			       const char *what)
{
	unsigned got = 0, bad = 0;
	uint64_t end = test_now_ns() + (uint64_t)ms * 1000000ull;
	while (got < n && test_now_ns() < end) {
		struct sl_mbuf *r[BURST];
		uint16_t c = sl_eth_rx_burst(rx_port, q, r, BURST);
		for (uint16_t i = 0; i < c; i++, got++) {
			uint8_t want[1600];
			unsigned len = build_frame(want, first + got, flow);
			if (got >= n || r[i]->pkt_len != len ||
			    memcmp(sl_pktmbuf_mtod(r[i], uint8_t *), want, len) != 0) {
				if (bad++ == 0)
					fail("%s: frame %u of %u on queue %u is %u bytes and differs from the one sent "
					     "(%u bytes)", what, got, n, q, r[i]->pkt_len, len);
			}
		}
		sl_pktmbuf_free_bulk(r, c);
	}
	if (got != n)
		fail("%s: %u of %u frames received on queue %u", what, got, n, q);
	return got;
}

/* ---- eventfds ---------------------------------------------------------------- */

/* How many eventfds the process holds (what bus_vfio makes for vectors). */
static int count_eventfds(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	if (d == NULL)
		return -1;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		char path[300], target[64];
		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		ssize_t l = readlink(path, target, sizeof(target) - 1);
		if (l > 0) {
			target[l] = '\0';
			n += strcmp(target, "anon_inode:[eventfd]") == 0;
		}
	}
	closedir(d);
	return n;
}

static void expect_eventfds(int want, const char *when)
{
	int n = count_eventfds();
	if (n != want)
		fail("%s: %d eventfds open, expected %d", when, n, want);
	else
		note("%s: %d eventfd(s) open, as expected", when, n);
}

/* The queue numbers whose fds are ready within MS ms (bit q set), collecting
 * for another 50 ms after the first so that a second queue waking late is
 * seen too. -1 on an epoll error. */
static int wait_ready(int ep, int ms)
{
	struct epoll_event ev[4];
	int n = epoll_wait(ep, ev, 4, ms), mask = 0;
	if (n < 0) {
		fail("epoll_wait: %s", strerror(errno));
		return -1;
	}
	if (n == 0)
		return 0;
	for (int i = 0; i < n; i++)
		mask |= 1 << ev[i].data.u32;
	struct timespec ts = {0, 50 * 1000 * 1000};
	nanosleep(&ts, NULL);
	n = epoll_wait(ep, ev, 4, 0);
	for (int i = 0; i < n; i++)
		mask |= 1 << ev[i].data.u32;
	return mask;
}

/* Read FD's counter (0 when nothing was signalled). */
static uint64_t drain(int fd)
{
	uint64_t v = 0;
	if (read(fd, &v, sizeof(v)) != (ssize_t)sizeof(v))
		v = 0;
	return v;
}

/* ---- ports ------------------------------------------------------------------- */

static int eal_start(const char *bdf0, const char *bdf1)
{
	static char specs[2][160];
	char *argv[20];
	int argc = 0;
	argv[argc++] = "sl-rx-intr-guest";
	argv[argc++] = "-l";
	argv[argc++] = "0";
	/* the drivers' start lines say "rx interrupts" and the ring format */
	argv[argc++] = "--log-level";
	argv[argc++] = "net_igb:info";
	argv[argc++] = "--log-level";
	argv[argc++] = "net_virtio:info";
	argv[argc++] = "-m";
	argv[argc++] = "64";
	if (test_backend_any_noiommu(backend)) {
		argv[argc++] = "--allow-noiommu";
		argv[argc++] = "--iova-mode";
		argv[argc++] = "pa";
	}
	const char *bdfs[2] = {bdf0, bdf1};
	for (int i = 0; i < 2; i++) {
		char be[32];
		snprintf(specs[i], sizeof(specs[i]), "%s%s%s,iommu=%s", bdfs[i], devargs[0] ? "," : "", devargs,
			 test_backend_at(backend, (unsigned)i, be, sizeof(be)));
		argv[argc++] = "-a";
		argv[argc++] = specs[i];
	}
	argv[argc] = NULL;
	if (sl_eal_init(argc, argv) < 0) {
		fail("sl_eal_init failed (backend %s)", backend);
		return -1;
	}
	pool = sl_pktmbuf_pool_create("rx_intr", NB_MBUFS, 128, 0, SL_MBUF_DEFAULT_BUF_SIZE);
	if (pool == NULL) {
		fail("cannot create the mbuf pool");
		return -1;
	}
	if (sl_eth_dev_get_port_by_name(bdf0, &tx_port) != 0 || sl_eth_dev_get_port_by_name(bdf1, &rx_port) != 0) {
		fail("no ports for %s and %s: no driver probed them", bdf0, bdf1);
		return -1;
	}
	sl_eth_macaddr_get(tx_port, &tx_mac);
	sl_eth_macaddr_get(rx_port, &rx_mac);
	return 0;
}

static int port_up(uint16_t port, uint16_t nq, bool intr)
{
	struct sl_eth_conf conf = {.intr_conf = {.rxq = intr}};
	int ret = sl_eth_dev_configure(port, nq, nq, &conf);
	for (uint16_t q = 0; ret == 0 && q < nq; q++)
		ret = sl_eth_rx_queue_setup(port, q, NB_DESC, NULL, pool);
	for (uint16_t q = 0; ret == 0 && q < nq; q++)
		ret = sl_eth_tx_queue_setup(port, q, NB_DESC, NULL);
	if (ret == 0)
		ret = sl_eth_dev_start(port);
	if (ret != 0) {
		fail("port %u: bringing it up with %u queue(s)%s failed: %s", port, nq, intr ? " and rx interrupts" : "",
		     strerror(-ret));
		return ret;
	}
	struct sl_eth_link link;
	if (sl_eth_link_wait(port, 5000, &link) != 0)
		fail("port %u: link not up within 5 s", port);
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* ---- the single-queue checks ------------------------------------------------- */

static uint32_t next_seq = 1;

static void single_queue(int base_fds)
{
	if (port_up(rx_port, 1, true) != 0)
		return;
	expect_eventfds(base_fds + 1, "port 1 started with rx interrupts on 1 queue");
	int fd = sl_eth_dev_rx_intr_ctl_q_get_fd(rx_port, 0);
	if (fd < 0) {
		fail("sl_eth_dev_rx_intr_ctl_q_get_fd: %s", strerror(-fd));
		return;
	}
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 0};
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
		fail("epoll set-up: %s", strerror(errno));
		return;
	}
	struct sl_mbuf *r[BURST];

	/* (a) armed, nothing sent */
	int ret = sl_eth_dev_rx_intr_enable(rx_port, 0);
	if (ret != 0)
		fail("(a) sl_eth_dev_rx_intr_enable: %s", strerror(-ret));
	if (sl_eth_rx_burst(rx_port, 0, r, BURST) != 0)
		fail("(a) frames arrived although nothing was sent");
	int m = wait_ready(ep, QUIET_MS);
	if (m != 0)
		fail("(a) armed with nothing sent, epoll_wait woke up (ready mask 0x%x)", m);
	else
		note("(a) armed, nothing sent: epoll_wait timed out after %d ms", QUIET_MS);

	/* (b) armed, a burst sent: wake-up, then the frames */
	uint64_t lat[MAX_ROUNDS];
	unsigned nlat = 0;
	for (unsigned round = 0; round < rounds; round++) {
		unsigned n = 1 + round % 16;
		if (round > 0 && (ret = sl_eth_dev_rx_intr_enable(rx_port, 0)) != 0)
			fail("(b) round %u: enable: %s", round, strerror(-ret));
		if (sl_eth_rx_burst(rx_port, 0, r, BURST) != 0)
			fail("(b) round %u: frames waiting before anything was sent", round);
		uint64_t t0 = test_now_ns();
		if (send_frames(next_seq, n, 0) != n)
			break;
		m = wait_ready(ep, WAKE_MS);
		uint64_t t1 = test_now_ns();
		if (m != 1) {
			fail("(b) round %u: %u frames sent to the armed queue, epoll_wait %s", round, n,
			     m == 0 ? "timed out" : "reported something else");
		} else {
			uint64_t count = drain(fd);
			if (count == 0)
				fail("(b) round %u: the fd was ready but its counter read 0", round);
			/* the 50 ms wait_ready adds after the first event is not latency */
			lat[nlat++] = t1 - t0 - 50000000ull;
		}
		if ((ret = sl_eth_dev_rx_intr_disable(rx_port, 0)) != 0)
			fail("(b) disable: %s", strerror(-ret));
		receive_frames(0, next_seq, n, 0, 2000, "(b)");
		next_seq += n;
	}
	if (nlat > 0) {
		qsort(lat, nlat, sizeof(lat[0]), cmp_u64);
		note("(b) %u wake-ups: send to wake-up latency min %.0f us, median %.0f us, max %.0f us", nlat,
		     lat[0] / 1e3, lat[nlat / 2] / 1e3, lat[nlat - 1] / 1e3);
	}

	/* (c) disarmed: traffic does not wake it */
	drain(fd); /* interrupts from (b)'s frames after the first */
	send_frames(next_seq, 16, 0);
	m = wait_ready(ep, QUIET_MS);
	if (m != 0)
		fail("(c) disarmed, 16 frames sent: epoll_wait woke up (ready mask 0x%x)", m);
	else
		note("(c) disarmed, 16 frames sent: no wake-up in %d ms", QUIET_MS);
	receive_frames(0, next_seq, 16, 0, 2000, "(c)");
	next_seq += 16;

	/* (a') armed again, those frames consumed: no stale wake-up */
	if ((ret = sl_eth_dev_rx_intr_enable(rx_port, 0)) != 0)
		fail("(a') enable: %s", strerror(-ret));
	if (sl_eth_rx_burst(rx_port, 0, r, BURST) != 0)
		fail("(a') frames waiting although everything was received");
	m = wait_ready(ep, QUIET_MS);
	if (m != 0)
		fail("(a') re-armed after (c): woke up with nothing new (ready mask 0x%x)", m);
	else
		note("(a') re-armed after the disarmed traffic was polled: no stale wake-up");

	/* (d) stop releases the eventfd; close of an armed port too */
	close(ep);
	sl_eth_dev_stop(rx_port);
	expect_eventfds(base_fds, "port 1 stopped");
	if (sl_eth_dev_rx_intr_ctl_q_get_fd(rx_port, 0) != -EINVAL)
		fail("(d) get_fd on a stopped port did not return -EINVAL");
	if (sl_eth_dev_start(rx_port) != 0) {
		fail("(d) restart failed");
		return;
	}
	expect_eventfds(base_fds + 1, "port 1 restarted");
	fd = sl_eth_dev_rx_intr_ctl_q_get_fd(rx_port, 0);
	if (fd < 0 || sl_eth_dev_rx_intr_enable(rx_port, 0) != 0)
		fail("(d) after restart: no fd or enable failed");
	/* left started and armed: the close at the end must release it */
}

/* ---- two queues: each wakes only its own fd ------------------------------------ */

static void two_queues(int base_fds)
{
	sl_eth_dev_stop(rx_port);
	if (port_up(rx_port, 2, true) != 0)
		return;
	expect_eventfds(base_fds + 2, "port 1 started with rx interrupts on 2 queues");
	int fds[2], ep = epoll_create1(EPOLL_CLOEXEC);
	for (uint32_t q = 0; q < 2; q++) {
		fds[q] = sl_eth_dev_rx_intr_ctl_q_get_fd(rx_port, (uint16_t)q);
		struct epoll_event ev = {.events = EPOLLIN, .data.u32 = q};
		if (fds[q] < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fds[q], &ev) != 0) {
			fail("(m) queue %u: no fd (%d) or epoll_ctl failed", q, fds[q]);
			return;
		}
	}
	if (fds[0] == fds[1])
		fail("(m) both queues have the same fd %d", fds[0]);
	const bool by_txq = strcmp(multiqueue, "txq") == 0;
	if (by_txq) {
		/* the wire maps tx queue q of port 0 to rx queue q of port 1 */
		sl_eth_dev_stop(tx_port);
		if (port_up(tx_port, 2, false) != 0)
			return;
	}
	/* rss: find a flow RSS puts on each queue: one frame per flow, disarmed */
	unsigned flow_of[2] = {0, 0};
	for (unsigned flow = 1; !by_txq && flow <= 32 && (!flow_of[0] || !flow_of[1]); flow++) {
		send_frames(next_seq, 1, flow);
		int where = -1;
		uint64_t end = test_now_ns() + 1000000000ull;
		while (where < 0 && test_now_ns() < end) {
			for (uint16_t q = 0; q < 2 && where < 0; q++) {
				struct sl_mbuf *r[BURST];
				uint16_t c = sl_eth_rx_burst(rx_port, q, r, BURST);
				if (c > 0)
					where = q;
				sl_pktmbuf_free_bulk(r, c);
			}
		}
		next_seq++;
		if (where < 0)
			fail("(m) flow %u: its frame did not arrive", flow);
		else if (!flow_of[where])
			flow_of[where] = flow;
	}
	if (!by_txq && (!flow_of[0] || !flow_of[1])) {
		fail("(m) RSS put none of 32 flows on queue %d", flow_of[0] ? 1 : 0);
		return;
	}
	if (!by_txq)
		note("(m) RSS: flow %u lands on queue 0, flow %u on queue 1", flow_of[0], flow_of[1]);
	for (unsigned target = 0; target < 2; target++) {
		for (uint16_t q = 0; q < 2; q++)
			if (sl_eth_dev_rx_intr_enable(rx_port, q) != 0)
				fail("(m) enable queue %u failed", q);
		send_frames_on(by_txq ? (uint16_t)target : 0, next_seq, 8, flow_of[target]);
		int m = wait_ready(ep, WAKE_MS);
		if (m != 1 << target)
			fail("(m) 8 frames steered to queue %u, both armed: ready mask 0x%x, expected 0x%x", target, m,
			     1 << target);
		else
			note("(m) 8 frames steered to queue %u (%s) woke queue %u's fd only", target,
			     by_txq ? "sent on the matching tx queue" : "an RSS flow", target);
		for (uint16_t q = 0; q < 2; q++) {
			sl_eth_dev_rx_intr_disable(rx_port, q);
			drain(fds[q]);
		}
		receive_frames((uint16_t)target, next_seq, 8, flow_of[target], 2000, "(m)");
		next_seq += 8;
		struct sl_mbuf *r[BURST];
		uint16_t c = sl_eth_rx_burst(rx_port, (uint16_t)(1 - target), r, BURST);
		if (c != 0)
			fail("(m) %u frames on queue %u, expected none", c, 1 - target);
		sl_pktmbuf_free_bulk(r, c);
	}
	close(ep);
	/* close an armed port: every eventfd goes */
	sl_eth_dev_rx_intr_enable(rx_port, 0);
	sl_eth_dev_rx_intr_enable(rx_port, 1);
}

int main(int argc, char **argv)
{
	const char *pos[2];
	int npos = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--backend") && i + 1 < argc)
			backend = argv[++i];
		else if (!strcmp(argv[i], "--devargs") && i + 1 < argc)
			devargs = argv[++i];
		else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			rounds = (unsigned)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--multiqueue") && i + 1 < argc)
			multiqueue = argv[++i];
		else if (npos < 2)
			pos[npos++] = argv[i];
		else
			npos = 3;
	}
	if (npos != 2 || rounds == 0 || rounds > MAX_ROUNDS ||
	    (multiqueue && strcmp(multiqueue, "rss") != 0 && strcmp(multiqueue, "txq") != 0)) {
		fprintf(stderr, "usage: sl-rx-intr-guest [--backend B] [--devargs ARGS] [--rounds 1..%d] "
			"[--multiqueue rss|txq] BDF0 BDF1\n", MAX_ROUNDS);
		return 2;
	}
	int base_fds = count_eventfds();
	if (eal_start(pos[0], pos[1]) != 0)
		return 1;
	/* bus_vfio holds an eventfd per open device for the kernel's removal
	 * requests (VFIO_PCI_REQ_IRQ_INDEX) and one to stop its removal thread:
	 * 3 for the two devices, none of them an rx interrupt */
	expect_eventfds(base_fds + 3, "after probe (no interrupts enabled; bus_vfio's 2 removal-request eventfds and its thread's)");
	base_fds += 3;
	if (port_up(tx_port, 1, false) != 0)
		return 1;
	single_queue(base_fds);
	if (multiqueue)
		two_queues(base_fds);
	sl_eth_dev_close(rx_port);
	expect_eventfds(base_fds, "port 1 closed");
	sl_eth_dev_close(tx_port);
	sl_eal_cleanup();
	if (test_failures) {
		printf("sl-rx-intr-guest: %d failure(s)\n", test_failures);
		return 1;
	}
	printf("sl-rx-intr-guest: all expectations met\n");
	return 0;
}
