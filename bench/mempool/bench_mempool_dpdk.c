/* bench_mempool_dpdk.c: DPDK's rte_mempool (ring_mp_mc ops, as DPDK
 * creates by default) and rte_mbuf on the shared workload of
 * bench_mempool.h. Built only
 * when libdpdk-dev is installed. Usage: bench_mempool_dpdk [EAL options],
 * e.g. -l 0 --no-pci --in-memory -m 64. */
#include <stdio.h>
#include <stdlib.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

static struct rte_mempool *bench_pool, *bench_mbuf_pool;

static inline int bench_get(void **objs, unsigned n)
{
	return rte_mempool_get_bulk(bench_pool, objs, n);
}

static inline void bench_put(void **objs, unsigned n)
{
	rte_mempool_put_bulk(bench_pool, objs, n);
}

static inline int bench_mbuf_alloc(void **mbufs, unsigned n)
{
	return rte_pktmbuf_alloc_bulk(bench_mbuf_pool, (struct rte_mbuf **)mbufs, n);
}

static inline void bench_mbuf_free(void **mbufs, unsigned n)
{
	rte_pktmbuf_free_bulk((struct rte_mbuf **)mbufs, n);
}

static inline uint64_t bench_tsc(void)
{
	return rte_rdtsc();
}

#include "bench_mempool.h"

int main(int argc, char **argv)
{
	struct rte_mempool *cached, *uncached;

	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "bench_mempool_dpdk: rte_eal_init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	cached = rte_mempool_create("bench_cached", BENCH_POOL_SIZE, BENCH_ELT_SIZE, BENCH_CACHE_SIZE, 0,
				    NULL, NULL, NULL, NULL, SOCKET_ID_ANY, 0);
	uncached = rte_mempool_create("bench_uncached", BENCH_POOL_SIZE, BENCH_ELT_SIZE, 0, 0, NULL, NULL,
				      NULL, NULL, SOCKET_ID_ANY, 0);
	if (cached == NULL || uncached == NULL) {
		fprintf(stderr, "bench_mempool_dpdk: cannot create the pools: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	bench_pool = cached;
	bench_run_cached("dpdk");
	bench_pool = uncached;
	bench_run_uncached("dpdk");
	rte_mempool_free(cached);
	rte_mempool_free(uncached);
	bench_mbuf_pool = rte_pktmbuf_pool_create("bench_mbuf", BENCH_POOL_SIZE, BENCH_CACHE_SIZE, 0,
						  RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (bench_mbuf_pool == NULL) {
		fprintf(stderr, "bench_mempool_dpdk: cannot create the mbuf pool: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	bench_run_mbuf("dpdk");
	rte_mempool_free(bench_mbuf_pool);
	rte_eal_cleanup();
	return 0;
}
