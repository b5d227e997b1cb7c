/* test_tx_buffer.c: tx buffering (sl_ethdev.h "tx buffering"): init and
 * callback argument checks; buffering until SIZE packets and then one
 * burst, flush of a partial and of an empty buffer, over a net_null port
 * (its opackets counter says what reached the driver); and what happens to
 * packets a driver refuses: the drop callback frees them, the count
 * callback frees and counts them, an own callback gets exactly the unsent
 * ones in order. A driver that refuses is a burst function installed in the
 * fast-path table of a port id no device uses (a test stand-in, so the
 * refusal count is exact). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_eal.h"
#include "sl_ethdev.h"
#include "sl_mbuf.h"
#include "../test_check.h"
#include "ethdev_test_teardown.h"


/* The refusing stand-in: takes at most `limit` packets per burst and keeps
 * them (the test frees them), so the rest goes to the error callback. */
#define FAKE_PORT (SL_MAX_ETHPORTS - 1)
static struct {
	uint16_t limit;
	unsigned bursts;
	struct sl_mbuf *taken[64];
	unsigned nb_taken;
} fake;

static uint16_t fake_tx(void *q, struct sl_mbuf **pkts, uint16_t n)
{
	(void)q;
	uint16_t take = n < fake.limit ? n : fake.limit;
	fake.bursts++;
	for (uint16_t i = 0; i < take; i++)
		fake.taken[fake.nb_taken++] = pkts[i];
	return take;
}

static struct {
	struct sl_mbuf *got[64];
	unsigned nb, calls;
	void *userdata;
} own;

static void own_callback(struct sl_mbuf **unsent, uint16_t count, void *userdata)
{
	own.calls++;
	own.userdata = userdata;
	for (uint16_t i = 0; i < count; i++)
		own.got[own.nb++] = unsent[i];
	sl_pktmbuf_free_bulk(unsent, count);
}

static struct sl_eth_tx_buffer *new_buffer(uint16_t size)
{
	struct sl_eth_tx_buffer *b = calloc(1, SL_ETH_TX_BUFFER_SIZE(size));
	REQUIRE(b != NULL);
	return b;
}

static void test_args(void)
{
	struct sl_eth_tx_buffer *b = new_buffer(4);

	CHECK_EQ(SL_ETH_TX_BUFFER_SIZE(4), sizeof(struct sl_eth_tx_buffer) + 4 * sizeof(void *));
	CHECK_EQ(sl_eth_tx_buffer_init(NULL, 4), -EINVAL);
	CHECK_EQ(sl_eth_tx_buffer_init(b, 0), -EINVAL);
	CHECK_EQ(sl_eth_tx_buffer_init(b, 4), 0);
	CHECK_EQ(b->size, 4);
	CHECK_EQ(b->length, 0);
	CHECK_EQ(b->error_callback == sl_eth_tx_buffer_drop_callback, 1);
	CHECK_EQ(sl_eth_tx_buffer_set_err_callback(NULL, own_callback, NULL), -EINVAL);
	CHECK_EQ(sl_eth_tx_buffer_set_err_callback(b, NULL, NULL), -EINVAL);
	CHECK_EQ(b->error_callback == sl_eth_tx_buffer_drop_callback, 1);
	/* a callback set before init survives it (DPDK's order in l2fwd is
	 * init, then set; both orders work) */
	CHECK_EQ(sl_eth_tx_buffer_set_err_callback(b, own_callback, b), 0);
	CHECK_EQ(sl_eth_tx_buffer_init(b, 2), 0);
	CHECK_EQ(b->error_callback == own_callback, 1);
	CHECK_EQ(b->error_userdata == (void *)b, 1);
	free(b);
}

static uint64_t opackets(uint16_t port)
{
	struct sl_eth_stats st;
	REQUIRE(sl_eth_stats_get(port, &st) == 0);
	return st.opackets;
}

static void test_buffering_over_null(struct sl_mempool *mp)
{
	uint16_t port;
	REQUIRE(sl_eth_dev_get_port_by_name("null0", &port) == 0);
	REQUIRE(sl_eth_dev_configure(port, 1, 1, NULL) == 0);
	REQUIRE(sl_eth_rx_queue_setup(port, 0, 0, NULL, mp) == 0);
	REQUIRE(sl_eth_tx_queue_setup(port, 0, 0, NULL) == 0);
	REQUIRE(sl_eth_dev_start(port) == 0);

	struct sl_eth_tx_buffer *b = new_buffer(4);
	REQUIRE(sl_eth_tx_buffer_init(b, 4) == 0);

	/* three packets wait in the buffer; the fourth sends all four */
	for (int i = 0; i < 3; i++) {
		struct sl_mbuf *m = sl_pktmbuf_alloc(mp);
		REQUIRE(m != NULL);
		CHECK_EQ(sl_eth_tx_buffer(port, 0, b, m), 0);
	}
	CHECK_EQ(b->length, 3);
	CHECK_EQ(opackets(port), 0);
	CHECK_EQ(sl_mempool_in_use_count(mp), 3);
	CHECK_EQ(sl_eth_tx_buffer(port, 0, b, sl_pktmbuf_alloc(mp)), 4);
	CHECK_EQ(b->length, 0);
	CHECK_EQ(opackets(port), 4);
	CHECK_EQ(sl_mempool_in_use_count(mp), 0);

	/* flush: an empty buffer sends nothing, a partial one what it holds */
	CHECK_EQ(sl_eth_tx_buffer_flush(port, 0, b), 0);
	CHECK_EQ(sl_eth_tx_buffer(port, 0, b, sl_pktmbuf_alloc(mp)), 0);
	CHECK_EQ(sl_eth_tx_buffer(port, 0, b, sl_pktmbuf_alloc(mp)), 0);
	CHECK_EQ(sl_eth_tx_buffer_flush(port, 0, b), 2);
	CHECK_EQ(b->length, 0);
	CHECK_EQ(opackets(port), 6);
	CHECK_EQ(sl_eth_tx_buffer_flush(port, 0, b), 0);
	CHECK_EQ(opackets(port), 6);
	CHECK_EQ(sl_mempool_in_use_count(mp), 0);

	free(b);
	CHECK_EQ(sl_eth_dev_stop(port), 0);
}

static void fill(struct sl_mempool *mp, struct sl_mbuf **pkts, unsigned n)
{
	REQUIRE(sl_pktmbuf_alloc_bulk(mp, pkts, n) == 0);
}

static void release_taken(void)
{
	sl_pktmbuf_free_bulk(fake.taken, fake.nb_taken);
	fake.nb_taken = 0;
}

static void test_refused(struct sl_mempool *mp)
{
	struct sl_eth_fp_txq saved = sl_eth_fp_ports[FAKE_PORT].txq[0];
	struct sl_eth_tx_buffer *b = new_buffer(8);
	struct sl_mbuf *pkts[8];

	sl_eth_fp_ports[FAKE_PORT].txq[0].tx_burst = fake_tx;
	sl_eth_fp_ports[FAKE_PORT].txq[0].queue = NULL;

	/* drop (the default): the 5 refused of a full buffer go back to the pool */
	REQUIRE(sl_eth_tx_buffer_init(b, 8) == 0);
	fake.limit = 3;
	fill(mp, pkts, 8);
	for (int i = 0; i < 7; i++)
		CHECK_EQ(sl_eth_tx_buffer(FAKE_PORT, 0, b, pkts[i]), 0);
	CHECK_EQ(sl_eth_tx_buffer(FAKE_PORT, 0, b, pkts[7]), 3);
	CHECK_EQ(b->length, 0);
	CHECK_EQ(fake.nb_taken, 3);
	CHECK_EQ(sl_mempool_in_use_count(mp), 3); /* only what the "driver" kept */
	release_taken();

	/* count: frees and adds the refused to the counter, on flush too */
	uint64_t dropped = 5; /* adds to what is there */
	CHECK_EQ(sl_eth_tx_buffer_set_err_callback(b, sl_eth_tx_buffer_count_callback, &dropped), 0);
	fake.limit = 1;
	fill(mp, pkts, 4);
	for (int i = 0; i < 4; i++)
		CHECK_EQ(sl_eth_tx_buffer(FAKE_PORT, 0, b, pkts[i]), 0);
	CHECK_EQ(sl_eth_tx_buffer_flush(FAKE_PORT, 0, b), 1);
	CHECK_EQ(dropped, 5 + 3);
	CHECK_EQ(sl_mempool_in_use_count(mp), 1);
	release_taken();
	fake.limit = 0; /* a queue that takes nothing */
	fill(mp, pkts, 8);
	for (int i = 0; i < 8; i++)
		sl_eth_tx_buffer(FAKE_PORT, 0, b, pkts[i]);
	CHECK_EQ(dropped, 5 + 3 + 8);
	CHECK_EQ(sl_mempool_in_use_count(mp), 0);

	/* an own callback sees exactly the unsent ones, in order, with its userdata */
	CHECK_EQ(sl_eth_tx_buffer_set_err_callback(b, own_callback, &own), 0);
	fake.limit = 6;
	fill(mp, pkts, 8);
	for (int i = 0; i < 8; i++)
		sl_eth_tx_buffer(FAKE_PORT, 0, b, pkts[i]);
	CHECK_EQ(own.calls, 1);
	CHECK_EQ(own.nb, 2);
	CHECK_EQ(own.got[0] == pkts[6] && own.got[1] == pkts[7], 1);
	CHECK_EQ(own.userdata == (void *)&own, 1);
	CHECK_EQ(fake.taken[0] == pkts[0] && fake.taken[5] == pkts[5], 1);
	/* everything taken: no callback */
	release_taken();
	fake.limit = 64;
	fill(mp, pkts, 3);
	for (int i = 0; i < 3; i++)
		sl_eth_tx_buffer(FAKE_PORT, 0, b, pkts[i]);
	CHECK_EQ(sl_eth_tx_buffer_flush(FAKE_PORT, 0, b), 3);
	CHECK_EQ(own.calls, 1);
	release_taken();
	CHECK_EQ(sl_mempool_in_use_count(mp), 0);

	sl_eth_fp_ports[FAKE_PORT].txq[0] = saved;
	free(b);
}

int main(int argc, char **argv)
{
	(void)argc;
	char *eal_args[] = {argv[0], "-l", "0", "--vdev", "null0", "-m", "16", NULL};
	REQUIRE(sl_eal_init((int)SL_DIM(eal_args) - 1, eal_args) >= 0);
	REQUIRE(!sl_eth_dev_is_valid_port(FAKE_PORT));
	struct sl_mempool *mp = sl_pktmbuf_pool_create("txbuf_test", 256, 0, 0, SL_MBUF_DEFAULT_BUF_SIZE);
	REQUIRE(mp != NULL);

	test_args();
	test_buffering_over_null(mp);
	test_refused(mp);

	close_ports_and_pool(mp);
	CHECK_EQ(sl_eal_cleanup(), 0);
	return check_result("test_tx_buffer");
}
