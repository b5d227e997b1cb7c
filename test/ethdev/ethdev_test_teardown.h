/* ethdev_test_teardown.h: the end of an ethdev unit test: every port
 * closed, every mbuf of the test's pool back, the pool freed. */
#ifndef SL_ETHDEV_TEST_TEARDOWN_H
#define SL_ETHDEV_TEST_TEARDOWN_H

#include "sl_ethdev.h"
#include "sl_mempool.h"
#include "../test_check.h"

static inline void close_ports_and_pool(struct sl_mempool *mp)
{
	uint16_t p;

	SL_ETH_FOREACH_DEV(p)
		CHECK_EQ(sl_eth_dev_close(p), 0);
	CHECK_EQ(sl_mempool_in_use_count(mp), 0);
	sl_mempool_free(mp);
}

#endif
