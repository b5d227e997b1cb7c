/* bench_mempool_sluice.c: Sluice's mempool on the shared workload of
 * bench_mempool.h (bulk get then put from the lcore cache, through the
 * ring with no cache, and mbuf alloc_bulk/free_bulk). Usage: bench_mempool_sluice [EAL options]. */
#include <stdio.h>
#include <stdlib.h>

#include "sl_eal.h"
#include "sl_mbuf.h"
#include "sl_mempool.h"

static struct sl_mempool *bench_pool, *bench_mbuf_pool;

static inline int bench_get(void **objs, unsigned n)
{
	return sl_mempool_get_bulk(bench_pool, objs, n);
}

static inline void bench_put(void **objs, unsigned n)
{
	sl_mempool_put_bulk(bench_pool, objs, n);
}

static inline int bench_mbuf_alloc(void **mbufs, unsigned n)
{
	return sl_pktmbuf_alloc_bulk(bench_mbuf_pool, (struct sl_mbuf **)mbufs, n);
}

static inline void bench_mbuf_free(void **mbufs, unsigned n)
{
	sl_pktmbuf_free_bulk((struct sl_mbuf **)mbufs, n);
}

static inline uint64_t bench_tsc(void)
{
	return sl_rdtsc();
}

#include "bench_mempool.h"

int main(int argc, char **argv)
{
	struct sl_mempool *cached, *uncached;

	if (sl_eal_init(argc, argv) < 0) {
		fprintf(stderr, "bench_mempool_sluice: EAL init failed (see above)\n");
		return 1;
	}
	cached = sl_mempool_create("bench_cached", BENCH_POOL_SIZE, BENCH_ELT_SIZE, BENCH_CACHE_SIZE, 0,
				   NULL, NULL);
	uncached = sl_mempool_create("bench_uncached", BENCH_POOL_SIZE, BENCH_ELT_SIZE, 0, 0, NULL, NULL);
	if (cached == NULL || uncached == NULL) {
		fprintf(stderr, "bench_mempool_sluice: cannot create the pools (see above)\n");
		return 1;
	}
	bench_pool = cached;
	bench_run_cached("sluice");
	bench_pool = uncached;
	bench_run_uncached("sluice");
	sl_mempool_free(uncached);
	sl_mempool_free(cached);
	bench_mbuf_pool = sl_pktmbuf_pool_create("bench_mbuf", BENCH_POOL_SIZE, BENCH_CACHE_SIZE, 0,
						 SL_MBUF_DEFAULT_BUF_SIZE);
	if (bench_mbuf_pool == NULL) {
		fprintf(stderr, "bench_mempool_sluice: cannot create the mbuf pool (see above)\n");
		return 1;
	}
	bench_run_mbuf("sluice");
	sl_mempool_free(bench_mbuf_pool);
	sl_eal_cleanup();
	return 0;
}
