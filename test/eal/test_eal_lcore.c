/* test_eal_lcore.c: lcore threads. With -l 0-1 the main thread runs on
 * CPU 0 and one worker on CPU 1; a launched function runs on the worker,
 * sees its lcore id, is pinned there, and its return value comes back
 * through sl_eal_wait_lcore; a busy worker refuses a second launch; the
 * main lcore can be moved with --main-lcore; the TSC is calibrated. */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "eal_test.h"

struct probe {
	unsigned lcore;
	int cpu;
	int affinity_count;
	int affinity_cpu;
	_Atomic int go;
};

static int probe_fn(void *arg)
{
	struct probe *p = arg;
	cpu_set_t set;

	p->lcore = sl_lcore_id();
	p->cpu = sched_getcpu();
	CPU_ZERO(&set);
	pthread_getaffinity_np(pthread_self(), sizeof(set), &set);
	p->affinity_count = CPU_COUNT(&set);
	p->affinity_cpu = CPU_ISSET(1, &set) ? 1 : (CPU_ISSET(0, &set) ? 0 : -1);
	return 1000 + (int)p->lcore;
}

static int wait_for_go(void *arg)
{
	struct probe *p = arg;

	while (!atomic_load(&p->go))
		sl_pause();
	return 7;
}

static int square(void *arg)
{
	int v = *(int *)arg;
	return v * v;
}

static void check_main_pinned(unsigned cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CHECK(pthread_getaffinity_np(pthread_self(), sizeof(set), &set) == 0);
	CHECK(CPU_COUNT(&set) == 1 && CPU_ISSET(cpu, &set));
	CHECK(sched_getcpu() == (int)cpu);
}

static void test_launch(void)
{
	const char *args[] = {"t", "-l", "0-1", "--no-huge", "-m", "4", NULL};
	struct probe p = {0};
	unsigned i, n;
	int v = 12;

	REQUIRE(test_eal_init(args) == 5, "init -l 0-1: %s", strerror(errno));
	CHECK(sl_lcore_count() == 2);
	CHECK(sl_get_main_lcore() == 0);
	CHECK(sl_lcore_id() == 0);
	CHECK(sl_lcore_is_enabled(0) && sl_lcore_is_enabled(1) && !sl_lcore_is_enabled(2));
	CHECK(sl_lcore_to_cpu_id(1) == 1 && sl_lcore_to_cpu_id(5) == -1);
	check_main_pinned(0);

	n = 0;
	SL_LCORE_FOREACH(i)
		n++;
	CHECK(n == 2);
	n = 0;
	SL_LCORE_FOREACH_WORKER(i) {
		CHECK(i == 1);
		n++;
	}
	CHECK(n == 1);
	CHECK(sl_get_next_lcore(1, false, true) == 0);
	CHECK(sl_get_next_lcore(1, true, true) == 1);
	CHECK(sl_get_next_lcore(1, false, false) == SL_MAX_LCORE);

	/* the function runs on lcore 1, pinned to CPU 1 */
	CHECK(sl_eal_remote_launch(probe_fn, &p, 1) == 0);
	CHECK(sl_eal_wait_lcore(1) == 1001);
	CHECK(p.lcore == 1);
	CHECK(p.cpu == 1);
	CHECK(p.affinity_count == 1 && p.affinity_cpu == 1);

	/* launching on the main lcore or a disabled one is refused */
	CHECK(sl_eal_remote_launch(probe_fn, &p, 0) == -EINVAL);
	CHECK(sl_eal_remote_launch(probe_fn, &p, 3) == -EINVAL);
	CHECK(sl_eal_remote_launch(NULL, &p, 1) == -EINVAL);

	/* a worker that has not been waited for is busy */
	CHECK(sl_eal_remote_launch(wait_for_go, &p, 1) == 0);
	CHECK(sl_eal_remote_launch(square, &v, 1) == -EBUSY);
	atomic_store(&p.go, 1);
	sl_eal_mp_wait_lcore();
	/* mp_wait collected the result: the lcore is idle again */
	CHECK(sl_eal_wait_lcore(1) == 0);

	/* many launches in a row each return their own value */
	for (int k = 0; k < 200; k++) {
		int x = k;
		CHECK(sl_eal_remote_launch(square, &x, 1) == 0);
		CHECK(sl_eal_wait_lcore(1) == k * k);
	}
	CHECK(sl_eal_cleanup() == 0);
	CHECK(sl_lcore_id() == SL_LCORE_ID_ANY);
	CHECK(sl_lcore_count() == 0);
}

static void test_main_lcore_1(void)
{
	const char *args[] = {"t", "-l", "0,1", "--main-lcore", "1", "--no-huge", "-m", "4", NULL};
	struct probe p = {0};

	REQUIRE(test_eal_init(args) == 7, "init --main-lcore 1: %s", strerror(errno));
	CHECK(sl_get_main_lcore() == 1 && sl_lcore_id() == 1);
	check_main_pinned(1);
	CHECK(sl_get_next_lcore(-1, true, false) == 0);
	CHECK(sl_eal_remote_launch(probe_fn, &p, 0) == 0);
	CHECK(sl_eal_wait_lcore(0) == 1000);
	CHECK(p.lcore == 0 && p.cpu == 0 && p.affinity_count == 1 && p.affinity_cpu == 0);
	CHECK(sl_eal_cleanup() == 0);
}

static void test_single_lcore(void)
{
	const char *args[] = {"t", "-l", "1", "--no-huge", "-m", "4", NULL};
	unsigned i, n = 0;

	REQUIRE(test_eal_init(args) == 5, "init -l 1: %s", strerror(errno));
	CHECK(sl_lcore_count() == 1 && sl_get_main_lcore() == 1);
	check_main_pinned(1);
	SL_LCORE_FOREACH_WORKER(i)
		n++;
	CHECK(n == 0);
	sl_eal_mp_wait_lcore(); /* nothing to wait for */
	CHECK(sl_eal_cleanup() == 0);
}

/* -l 0,1-3@1: four lcores on two CPUs, lcores 1-3 sharing CPU 1 (DPDK's
 * --lcores N@CPU), each worker thread pinned there and running its own
 * function at the same time as the others. */
static void test_lcores_share_cpu(void)
{
	const char *args[] = {"t", "-l", "0,1-3@1", "--no-huge", "-m", "4", NULL};
	struct probe p[4] = {{0}};
	unsigned i;

	log_capture_start();
	int ret = test_eal_init(args);
	const char *log = log_capture_stop();
	REQUIRE(ret == 5, "init -l 0,1-3@1: %s", strerror(errno));
	CHECK_MSG(strstr(log, "lcores 0,1-3@1 (main 0)") != NULL, "init log: %s", log);
	CHECK(sl_lcore_count() == 4);
	CHECK(sl_lcore_to_cpu_id(0) == 0);
	for (i = 1; i <= 3; i++)
		CHECK(sl_lcore_to_cpu_id(i) == 1);
	check_main_pinned(0);
	/* three workers busy at once on one CPU, each released in turn */
	for (i = 1; i <= 3; i++)
		CHECK(sl_eal_remote_launch(wait_for_go, &p[i], i) == 0);
	for (i = 1; i <= 3; i++) {
		atomic_store(&p[i].go, 1);
		CHECK(sl_eal_wait_lcore(i) == 7);
	}
	for (i = 1; i <= 3; i++) {
		CHECK(sl_eal_remote_launch(probe_fn, &p[i], i) == 0);
		CHECK(sl_eal_wait_lcore(i) == 1000 + (int)i);
		CHECK(p[i].lcore == i);
		CHECK(p[i].cpu == 1);
		CHECK(p[i].affinity_count == 1 && p[i].affinity_cpu == 1);
	}
	CHECK(sl_eal_cleanup() == 0);
}

/* sl_eal_get_lcore_state follows a launch; sl_eal_cleanup does not hang
 * on (or tear memory down under) a worker still running: it names the
 * lcore, fails with EBUSY and works once the worker returned. A CPU set
 * (--lcores 1@(0,1)) is the worker's affinity. */
static void test_state_and_busy_cleanup(void)
{
	const char *args[] = {"t", "--lcores", "0,1@(0,1)", "--no-huge", "-m", "4", NULL};
	struct probe p = {0};
	const char *log;
	void *mem;

	REQUIRE(test_eal_init(args) == 5, "init --lcores 0,1@(0,1): %s", strerror(errno));
	CHECK(sl_eal_get_lcore_state(0) == SL_LCORE_WAIT); /* main */
	CHECK(sl_eal_get_lcore_state(1) == SL_LCORE_WAIT);
	CHECK(sl_eal_get_lcore_state(2) == -EINVAL && sl_eal_get_lcore_state(SL_MAX_LCORE) == -EINVAL);
	CHECK(sl_eal_remote_launch(probe_fn, &p, 1) == 0);
	while (sl_eal_get_lcore_state(1) == SL_LCORE_RUNNING)
		sl_pause();
	CHECK(sl_eal_get_lcore_state(1) == SL_LCORE_FINISHED);
	CHECK(sl_eal_wait_lcore(1) == 1001);
	CHECK(sl_eal_get_lcore_state(1) == SL_LCORE_WAIT);
	CHECK_MSG(p.affinity_count == 2, "worker affinity has %d CPUs, expected 2", p.affinity_count);

	mem = sl_dma_zmalloc("busy", 64, 0);
	CHECK(mem != NULL);
	atomic_store(&p.go, 0);
	CHECK(sl_eal_remote_launch(wait_for_go, &p, 1) == 0);
	CHECK(sl_eal_get_lcore_state(1) == SL_LCORE_RUNNING);
	log_capture_start();
	errno = 0;
	CHECK(sl_eal_cleanup() == -1 && errno == EBUSY);
	log = log_capture_stop();
	CHECK_MSG(strstr(log, "lcore(s) 1 still run") != NULL, "log: %s", log);
	/* nothing was torn down: memory and lcores are still there */
	CHECK(sl_lcore_count() == 2 && sl_mem_virt2iova(mem) != SL_BAD_IOVA);
	atomic_store(&p.go, 1);
	CHECK(sl_eal_wait_lcore(1) == 7);
	sl_dma_free(mem);
	CHECK(sl_eal_cleanup() == 0);
	CHECK(sl_lcore_count() == 0);
}

static void test_tsc(void)
{
	struct timespec t0, t1;
	uint64_t hz = sl_tsc_hz(), c0, c1;

	CHECK(hz > 0);
	/* The delay is built on the TSC: it lasts at least its ticks, and the
	 * wall clock agrees that time passed (a lower bound only). */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	c0 = sl_rdtsc();
	sl_delay_us(20000);
	c1 = sl_rdtsc();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK(c1 - c0 >= hz / 1000000 * 20000);
	int64_t ns = (t1.tv_sec - t0.tv_sec) * 1000000000ll + (t1.tv_nsec - t0.tv_nsec);
	CHECK_MSG(ns >= 19000000, "sl_delay_us(20000) took %lld ns by the wall clock",
		  (long long)ns);
}

int main(void)
{
	REQUIRE(sysconf(_SC_NPROCESSORS_ONLN) >= 2, "this test needs 2 CPUs (-l 0-1)");
	test_launch();
	test_main_lcore_1();
	test_single_lcore();
	test_lcores_share_cpu();
	test_state_and_busy_cleanup();
	test_launch(); /* init after cleanup works again */
	test_tsc();
	return test_result("test_eal_lcore");
}
