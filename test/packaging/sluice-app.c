/* test/packaging/sluice-app.c: a tiny application built against the
 * installed Debian packages (pkg-config sluice) by run-packaging-test.sh.
 * It starts the EAL with the arguments it is given (two null vdevs), sets
 * up both ports on one mbuf pool, forwards BURSTS bursts from port 0 to
 * port 1 and checks the ports' counters against what it forwarded.
 * Prints "forwarded N packets" and exits 0 when every check holds. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <sl_eal.h>
#include <sl_ethdev.h>
#include <sl_mbuf.h>
#include <sl_mempool.h>

#define BURSTS 64
#define BURST 32

#define CHECK(cond)                                                             \
	do {                                                                    \
		if (!(cond)) {                                                  \
			fprintf(stderr, "sluice-app: check failed: %s\n", #cond); \
			return 1;                                               \
		}                                                               \
	} while (0)

int main(int argc, char **argv)
{
	CHECK(sl_eal_init(argc, argv) >= 0);
	CHECK(sl_eth_dev_count_avail() == 2);

	struct sl_mempool *mp = sl_pktmbuf_pool_create("pkg_pool", 2047, 32, 0, SL_MBUF_DEFAULT_BUF_SIZE);
	CHECK(mp != NULL);
	for (uint16_t port = 0; port < 2; port++) {
		CHECK(sl_eth_dev_configure(port, 1, 1, NULL) == 0);
		CHECK(sl_eth_rx_queue_setup(port, 0, 256, NULL, mp) == 0);
		CHECK(sl_eth_tx_queue_setup(port, 0, 256, NULL) == 0);
		CHECK(sl_eth_dev_start(port) == 0);
	}

	uint64_t received = 0, sent = 0;
	for (int i = 0; i < BURSTS; i++) {
		struct sl_mbuf *pkts[BURST];
		uint16_t n = sl_eth_rx_burst(0, 0, pkts, BURST);
		uint16_t m = sl_eth_tx_burst(1, 0, pkts, n);
		sl_pktmbuf_free_bulk(pkts + m, n - m);
		received += n;
		sent += m;
	}

	struct sl_eth_stats s0, s1;
	CHECK(sl_eth_stats_get(0, &s0) == 0);
	CHECK(sl_eth_stats_get(1, &s1) == 0);
	printf("rx port 0: %" PRIu64 " packets (stats %" PRIu64 "), tx port 1: %" PRIu64 " (stats %" PRIu64 ")\n",
	       received, s0.ipackets, sent, s1.opackets);
	CHECK(received == (uint64_t)BURSTS * BURST);   /* a null port always has a burst */
	CHECK(sent == received);
	CHECK(s0.ipackets == received);
	CHECK(s1.opackets == sent);
	CHECK(s1.obytes > 0);

	for (uint16_t port = 0; port < 2; port++)
		CHECK(sl_eth_dev_close(port) == 0);
	CHECK(sl_eal_cleanup() == 0);
	printf("forwarded %" PRIu64 " packets\n", sent);
	return 0;
}
