/* bench_mempool.h: the mempool workload shared by the Sluice and the DPDK
 * benchmark programs, so that both run exactly the same loop. The including
 * program defines bench_get(objs, n) (0 on success), bench_put(objs, n),
 * bench_mbuf_alloc/bench_mbuf_free (the same for packet buffers) and
 * bench_tsc(), then calls the bench_run_* printers. Each variant takes N objects
 * from the pool and puts them back, ITERS times, REPS times; the figure is
 * the best repetition's TSC cycles per object (one get plus one put).
 * Every variant is its own non-inlined function (bench_run_NAME), so that
 * callgrind can count its instructions (bench/mempool/instructions.py);
 * BENCH_MEMPOOL_REPS in the environment replaces BENCH_REPS (fewer under
 * valgrind). */
#ifndef BENCH_MEMPOOL_H
#define BENCH_MEMPOOL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define BENCH_POOL_SIZE 8192
#define BENCH_ELT_SIZE 2048 /* like an mbuf; the loop never touches objects */
#define BENCH_CACHE_SIZE 256
#define BENCH_REPS 41
#define BENCH_OBJS_PER_REP (1u << 20) /* objects got and put per repetition */

static inline int bench_get(void **objs, unsigned n);
static inline void bench_put(void **objs, unsigned n);
static inline int bench_mbuf_alloc(void **mbufs, unsigned n);
static inline void bench_mbuf_free(void **mbufs, unsigned n);
static inline uint64_t bench_tsc(void);

/* keeps the compiler from merging or dropping a get/put pair */
#define BENCH_BARRIER(p) __asm__ volatile("" : : "r"(p) : "memory")

static int bench_reps(void)
{
	const char *s = getenv("BENCH_MEMPOOL_REPS");
	int n = s ? atoi(s) : 0;
	return n > 0 ? n : BENCH_REPS;
}

/* One variant: GET then PUT of N objects (N a compile-time constant, as in
 * an application), iterated. */
#define BENCH_DEFINE_RUN(NAME, N, GET, PUT)                                    \
	__attribute__((noinline)) static double bench_run_##NAME(void)        \
	{                                                                      \
		void *objs[N];                                                 \
		const unsigned iters = BENCH_OBJS_PER_REP / (N);               \
		const int reps = bench_reps();                                 \
		double best = 1e30;                                            \
		for (int rep = -1; rep < reps; rep++) { /* -1: warm-up */       \
			uint64_t t0 = bench_tsc();                             \
			for (unsigned i = 0; i < iters; i++) {                 \
				if (GET(objs, (N)) != 0) {                     \
					fprintf(stderr, #NAME ": get of %d failed\n", (N)); \
					exit(1);                               \
				}                                              \
				BENCH_BARRIER(objs);                           \
				PUT(objs, (N));                                \
				BENCH_BARRIER(objs);                           \
			}                                                      \
			uint64_t t1 = bench_tsc();                             \
			double c = (double)(t1 - t0) / ((double)iters * (N));  \
			if (rep >= 0 && c < best)                              \
				best = c;                                      \
		}                                                              \
		return best;                                                   \
	}

BENCH_DEFINE_RUN(1, 1, bench_get, bench_put)
BENCH_DEFINE_RUN(32, 32, bench_get, bench_put)
BENCH_DEFINE_RUN(128, 128, bench_get, bench_put)
BENCH_DEFINE_RUN(32nc, 32, bench_get, bench_put) /* the same, on the pool without a cache */
BENCH_DEFINE_RUN(mbuf32, 32, bench_mbuf_alloc, bench_mbuf_free)

/* The pool behind bench_get/bench_put has a cache of BENCH_CACHE_SIZE. */
static void bench_run_cached(const char *impl)
{
	printf("%s bulk32_cache256 %.3f\n", impl, bench_run_32());
	printf("%s bulk1_cache256 %.3f\n", impl, bench_run_1());
	printf("%s bulk128_cache256 %.3f\n", impl, bench_run_128());
}

/* The pool behind bench_get/bench_put has no cache: the ring's cost. */
static void bench_run_uncached(const char *impl)
{
	printf("%s bulk32_nocache %.3f\n", impl, bench_run_32nc());
}

/* Packet buffers: alloc_bulk of 32 (headers reset) then free_bulk, from a
 * packet pool with a cache of BENCH_CACHE_SIZE. */
static void bench_run_mbuf(const char *impl)
{
	printf("%s mbuf_alloc_free32 %.3f\n", impl, bench_run_mbuf32());
}

#endif
