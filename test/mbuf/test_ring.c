/* test_ring.c: lock-free ring tests: creation errors, bulk (all or
 * nothing) vs burst (as many as possible) at the full and empty edges,
 * FIFO order across the slot-array end and the 32-bit index wrap, SPSC
 * order with two threads, and MPMC with several producer and consumer
 * threads where every value must arrive exactly once and, per consumer,
 * in each producer's order, while the free/available counts the calls
 * report never exceed the capacity (a head moved against a stale tail
 * shows there first: see the ordering notes in sl_ring.h). Every threaded
 * run has a bounded number of values and a time limit, and fails with the
 * count that arrived when it runs out of time (lost values, a hang).
 * Plain threads: the ring needs no EAL.
 *
 * In the aarch64 build under qemu-user (devtools/test-all.sh) this is a
 * smoke test only: qemu runs the Arm code on the x86 host's stronger
 * ordering, so it catches what the compiler reorders for aarch64, not all
 * that the hardware would. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "sl_ring.h"

#define VAL(p, i) ((void *)(uintptr_t)((((uint64_t)(p) + 1) << 32) | (uint64_t)(i)))
#define VAL_PROD(v) ((unsigned)(((uint64_t)(uintptr_t)(v) >> 32) - 1))
#define VAL_IDX(v) ((uint32_t)(uintptr_t)(v))

/* Wall-clock limit of one threaded run; they take well under a second on
 * an idle x86 and a few under qemu-user, but the oversubscribed MPMC run
 * (8 threads) crawls when the 2 CPUs are shared with other builds: a
 * preempted producer holds up every other one until it runs again (1.06 M
 * of 1.2 M values in 30 s was seen at load 8). The limit only catches a
 * hang, so it is generous; meson's timeout for the test is 300 s. */
#ifndef RUN_LIMIT_S
#define RUN_LIMIT_S 120
#endif
/* Loop iterations between two looks at the clock. */
#define CLOCK_EVERY 256

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void test_create_errors(void)
{
	struct sl_ring *r;

	errno = 0;
	CHECK(sl_ring_create("bad", 0, 0) == NULL);
	CHECK_EQ(errno, EINVAL);
	errno = 0;
	CHECK(sl_ring_create("bad", 100, 0) == NULL);
	CHECK_EQ(errno, EINVAL);
	errno = 0;
	CHECK(sl_ring_create("bad", 64, 0x80) == NULL);
	CHECK_EQ(errno, EINVAL);
	errno = 0;
	CHECK(sl_ring_create("a name that is much too long for a ring", 64, 0) == NULL);
	CHECK_EQ(errno, EINVAL);
	CHECK(sl_ring_get_memsize(3) < 0);
	CHECK(sl_ring_get_memsize(1024) >= (ssize_t)(1024 * sizeof(void *)));

	r = sl_ring_create("one", 1, SL_RING_F_SP_ENQ | SL_RING_F_SC_DEQ);
	CHECK(r != NULL);
	CHECK_EQ(sl_ring_get_size(r), 1);
	CHECK_EQ(sl_ring_get_capacity(r), 1);
	CHECK(strcmp(sl_ring_name(r), "one") == 0);
	CHECK_EQ(sl_ring_enqueue(r, VAL(0, 1)), 0);
	CHECK_EQ(sl_ring_enqueue(r, VAL(0, 2)), -ENOBUFS);
	void *v = NULL;
	CHECK_EQ(sl_ring_dequeue(r, &v), 0);
	CHECK(v == VAL(0, 1));
	CHECK_EQ(sl_ring_dequeue(r, &v), -ENOENT);
	sl_ring_free(r);
	sl_ring_free(NULL);
}

/* Bulk vs burst at the edges, in the given mode (flags). */
static void test_edges(unsigned flags)
{
	enum { SZ = 8 };
	struct sl_ring *r = sl_ring_create("edges", SZ, flags);
	void *in[2 * SZ], *out[2 * SZ];
	unsigned i, left = 12345;

	CHECK(r != NULL);
	for (i = 0; i < 2 * SZ; i++)
		in[i] = VAL(0, i);

	CHECK(sl_ring_empty(r));
	CHECK(!sl_ring_full(r));
	CHECK_EQ(sl_ring_count(r), 0);
	CHECK_EQ(sl_ring_free_count(r), SZ);

	/* empty: bulk and burst dequeue give nothing */
	CHECK_EQ(sl_ring_dequeue_bulk(r, out, 1, &left), 0);
	CHECK_EQ(left, 0);
	CHECK_EQ(sl_ring_dequeue_burst(r, out, 4, NULL), 0);

	/* more than the capacity: bulk takes none, burst takes what fits */
	CHECK_EQ(sl_ring_enqueue_bulk(r, in, SZ + 1, &left), 0);
	CHECK_EQ(left, SZ);
	CHECK_EQ(sl_ring_count(r), 0);
	CHECK_EQ(sl_ring_enqueue_bulk(r, in, 5, &left), 5);
	CHECK_EQ(left, SZ - 5);
	CHECK_EQ(sl_ring_enqueue_bulk(r, in + 5, 4, &left), 0);
	CHECK_EQ(left, SZ - 5);
	CHECK_EQ(sl_ring_count(r), 5);
	CHECK_EQ(sl_ring_enqueue_burst(r, in + 5, 4, &left), 3);
	CHECK_EQ(left, 0);
	CHECK(sl_ring_full(r));
	CHECK_EQ(sl_ring_free_count(r), 0);
	CHECK_EQ(sl_ring_enqueue_burst(r, in, 1, &left), 0);
	CHECK_EQ(sl_ring_enqueue(r, in[0]), -ENOBUFS);

	/* full: dequeue bulk of more than held fails, exact succeeds */
	CHECK_EQ(sl_ring_dequeue_bulk(r, out, SZ + 1, &left), 0);
	CHECK_EQ(left, SZ);
	CHECK_EQ(sl_ring_dequeue_bulk(r, out, 3, &left), 3);
	CHECK_EQ(left, SZ - 3);
	for (i = 0; i < 3; i++)
		CHECK(out[i] == in[i]);
	/* burst asks for more than there is: gets the rest, in order */
	CHECK_EQ(sl_ring_dequeue_burst(r, out, 2 * SZ, &left), SZ - 3);
	CHECK_EQ(left, 0);
	for (i = 0; i < SZ - 3; i++)
		CHECK(out[i] == in[3 + i]);
	CHECK(sl_ring_empty(r));

	/* now head is at 8 + 0: walk around the slot-array end many times
	 * with odd sizes and check FIFO order across the wrap */
	uint32_t next_in = 0, next_out = 0;
	for (unsigned round = 0; round < 1000; round++) {
		unsigned n = 1 + round % 7;
		void *tmp[8];
		for (i = 0; i < n; i++)
			tmp[i] = VAL(0, next_in + i);
		unsigned done = sl_ring_enqueue_burst(r, tmp, n, NULL);
		next_in += done;
		unsigned m = 1 + (round * 3) % 8;
		unsigned got = sl_ring_dequeue_burst(r, out, m, NULL);
		for (i = 0; i < got; i++)
			CHECK_EQ(VAL_IDX(out[i]), next_out + i);
		next_out += got;
		CHECK_EQ(sl_ring_count(r), next_in - next_out);
	}
	sl_ring_free(r);
}

/* The head/tail indices run freely over 32 bits: start them just before
 * the wrap and check that count, free_count and order survive it. */
static void test_index_wrap(void)
{
	enum { SZ = 16 };
	struct sl_ring *r = sl_ring_create("wrap", SZ, 0);
	void *in[SZ], *out[SZ];
	unsigned i, k;

	CHECK(r != NULL);
	r->prod.head = r->prod.tail = r->cons.head = r->cons.tail = UINT32_MAX - 5;
	for (i = 0; i < SZ; i++)
		in[i] = VAL(1, i);
	CHECK_EQ(sl_ring_count(r), 0);
	for (k = 0; k < 4; k++) {
		CHECK_EQ(sl_ring_enqueue_bulk(r, in, SZ, NULL), SZ);
		CHECK_EQ(sl_ring_count(r), SZ);
		CHECK_EQ(sl_ring_free_count(r), 0);
		CHECK_EQ(sl_ring_enqueue_bulk(r, in, 1, NULL), 0);
		CHECK_EQ(sl_ring_dequeue_bulk(r, out, 7, NULL), 7);
		CHECK_EQ(sl_ring_count(r), SZ - 7);
		CHECK_EQ(sl_ring_dequeue_bulk(r, out + 7, SZ - 7, NULL), SZ - 7);
		for (i = 0; i < SZ; i++)
			CHECK(out[i] == in[i]);
		CHECK(sl_ring_empty(r));
	}
	sl_ring_free(r);
}

/* ---- threads -------------------------------------------------------- */

struct mt_ctx {
	struct sl_ring *r;
	unsigned nb_prod, nb_cons;
	uint32_t per_prod;          /* values each producer sends */
	int use_forced;             /* call the mp_/mc_ (or sp_/sc_) variants */
	unsigned *seen;             /* [nb_prod * per_prod], atomic counters */
	uint64_t received;          /* atomic: total values consumed */
	unsigned start;             /* atomic start gate */
	uint64_t deadline_ns;       /* now_ns() after which threads give up */
	int timed_out;              /* atomic: some thread gave up */
};

struct mt_thread {
	struct mt_ctx *ctx;
	unsigned id;
	int failed;
};

static unsigned xorshift(unsigned *s)
{
	unsigned x = *s;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

static void wait_start(struct mt_ctx *c)
{
	while (!__atomic_load_n(&c->start, __ATOMIC_ACQUIRE))
		sl_pause();
}

/* Every CLOCK_EVERY calls: true once the run is past its deadline (or
 * another thread found it so). */
static int out_of_time(struct mt_ctx *c, unsigned *loops)
{
	if (++*loops % CLOCK_EVERY != 0)
		return 0;
	if (__atomic_load_n(&c->timed_out, __ATOMIC_RELAXED))
		return 1;
	if (now_ns() < c->deadline_ns)
		return 0;
	__atomic_store_n(&c->timed_out, 1, __ATOMIC_RELAXED);
	return 1;
}

static void *producer(void *arg)
{
	struct mt_thread *t = arg;
	struct mt_ctx *c = t->ctx;
	unsigned seed = 0x9e3779b9u * (t->id + 1);
	uint32_t next = 0;
	unsigned idle = 0, loops = 0, free_space;
	void *batch[32];

	wait_start(c);
	while (next < c->per_prod && !out_of_time(c, &loops)) {
		unsigned n = 1 + xorshift(&seed) % 32, i, done;
		if (n > c->per_prod - next)
			n = c->per_prod - next;
		for (i = 0; i < n; i++)
			batch[i] = VAL(t->id, next + i);
		if (xorshift(&seed) & 1) {
			done = c->use_forced ? (c->nb_prod > 1 ? sl_ring_mp_enqueue_bulk(c->r, batch, n, &free_space)
							       : sl_ring_sp_enqueue_bulk(c->r, batch, n, &free_space))
					     : sl_ring_enqueue_bulk(c->r, batch, n, &free_space);
			if (done != 0 && done != n)
				t->failed = 1; /* bulk must be all or nothing */
		} else {
			done = c->use_forced ? (c->nb_prod > 1 ? sl_ring_mp_enqueue_burst(c->r, batch, n, &free_space)
							       : sl_ring_sp_enqueue_burst(c->r, batch, n, &free_space))
					     : sl_ring_enqueue_burst(c->r, batch, n, &free_space);
			if (done > n)
				t->failed = 1;
		}
		/* room computed from a stale consumer tail wraps around */
		if (free_space + done > c->r->capacity)
			t->failed = 1;
		next += done;
		if (done == 0 && ++idle % 64 == 0)
			sched_yield(); /* ring stays full: let a consumer run */
	}
	return NULL;
}

static void *consumer(void *arg)
{
	struct mt_thread *t = arg;
	struct mt_ctx *c = t->ctx;
	unsigned seed = 0x85ebca6bu * (t->id + 7);
	uint64_t total = (uint64_t)c->nb_prod * c->per_prod;
	unsigned idle = 0, loops = 0, available;
	uint32_t *last = calloc(c->nb_prod, sizeof(*last)); /* last index + 1 seen per producer */
	void *batch[32];

	CHECK(last != NULL);
	wait_start(c);
	while (__atomic_load_n(&c->received, __ATOMIC_RELAXED) < total && !out_of_time(c, &loops)) {
		unsigned n = 1 + xorshift(&seed) % 32, i, got;
		if (xorshift(&seed) & 1) {
			got = c->use_forced ? (c->nb_cons > 1 ? sl_ring_mc_dequeue_bulk(c->r, batch, n, &available)
							      : sl_ring_sc_dequeue_bulk(c->r, batch, n, &available))
					    : sl_ring_dequeue_bulk(c->r, batch, n, &available);
			if (got != 0 && got != n)
				t->failed = 1;
		} else {
			got = c->use_forced ? (c->nb_cons > 1 ? sl_ring_mc_dequeue_burst(c->r, batch, n, &available)
							      : sl_ring_sc_dequeue_burst(c->r, batch, n, &available))
					    : sl_ring_dequeue_burst(c->r, batch, n, &available);
			if (got > n)
				t->failed = 1;
		}
		/* entries computed from a stale producer tail wrap around */
		if (available + got > c->r->capacity)
			t->failed = 1;
		for (i = 0; i < got; i++) {
			unsigned p = VAL_PROD(batch[i]);
			uint32_t idx = VAL_IDX(batch[i]);
			if (p >= c->nb_prod || idx >= c->per_prod) {
				t->failed = 1;
				continue;
			}
			/* one consumer sees each producer's values in order */
			if (idx + 1 <= last[p])
				t->failed = 1;
			last[p] = idx + 1;
			__atomic_fetch_add(&c->seen[(size_t)p * c->per_prod + idx], 1, __ATOMIC_RELAXED);
		}
		if (got)
			__atomic_fetch_add(&c->received, got, __ATOMIC_RELAXED);
		else if (++idle % 64 == 0)
			sched_yield(); /* ring stays empty: let a producer run */
	}
	free(last);
	return NULL;
}

static void run_mt(unsigned nb_prod, unsigned nb_cons, unsigned ring_size, uint32_t per_prod,
		   int use_forced)
{
	unsigned flags = (nb_prod == 1 ? SL_RING_F_SP_ENQ : 0) | (nb_cons == 1 ? SL_RING_F_SC_DEQ : 0);
	struct mt_ctx c = {
		.r = sl_ring_create("mt", ring_size, flags),
		.nb_prod = nb_prod,
		.nb_cons = nb_cons,
		.per_prod = per_prod,
		.use_forced = use_forced,
		.deadline_ns = now_ns() + RUN_LIMIT_S * 1000000000ull,
	};
	pthread_t tid[16];
	struct mt_thread th[16];
	unsigned i, nb = nb_prod + nb_cons;
	size_t total = (size_t)nb_prod * per_prod;

	CHECK(c.r != NULL);
	CHECK(nb <= 16);
	c.seen = calloc(total, sizeof(*c.seen));
	CHECK(c.seen != NULL);
	for (i = 0; i < nb; i++) {
		th[i] = (struct mt_thread){ .ctx = &c, .id = i < nb_prod ? i : i - nb_prod };
		CHECK(pthread_create(&tid[i], NULL, i < nb_prod ? producer : consumer, &th[i]) == 0);
	}
	__atomic_store_n(&c.start, 1, __ATOMIC_RELEASE);
	for (i = 0; i < nb; i++) {
		CHECK(pthread_join(tid[i], NULL) == 0);
		CHECK_EQ(th[i].failed, 0);
	}
	if (c.timed_out) {
		fprintf(stderr, "ring %uP/%uC: not done after %d s: %llu of %zu values received (lost, or a hang)\n",
			nb_prod, nb_cons, RUN_LIMIT_S, (unsigned long long)c.received, total);
		exit(1);
	}
	CHECK_EQ(c.received, total);
	for (size_t k = 0; k < total; k++) {
		if (c.seen[k] != 1) {
			fprintf(stderr, "value %zu (producer %zu, index %zu) received %u times\n", k,
				k / per_prod, k % per_prod, c.seen[k]);
			exit(1);
		}
	}
	CHECK(sl_ring_empty(c.r));
	CHECK_EQ(c.r->prod.head, c.r->prod.tail);
	CHECK_EQ(c.r->cons.head, c.r->cons.tail);
	CHECK_EQ(c.r->prod.tail, c.r->cons.tail);
	CHECK_EQ(c.r->prod.tail, (uint32_t)total);
	free(c.seen);
	sl_ring_free(c.r);
	printf("ring %uP/%uC%s: %zu values, each received once\n", nb_prod, nb_cons,
	       use_forced ? " (forced-mode calls)" : "", total);
}

/* Producers only, into a ring large enough for everything, so that they
 * contend on the producer head and tail alone (one thread per core);
 * then everything is drained and checked from one thread. */
static void *fill_producer(void *arg)
{
	struct mt_thread *t = arg;
	struct mt_ctx *c = t->ctx;
	unsigned seed = 0x27d4eb2fu * (t->id + 3);
	uint32_t next = 0;
	unsigned loops = 0;
	void *batch[32];

	wait_start(c);
	while (next < c->per_prod && !out_of_time(c, &loops)) {
		unsigned n = 1 + xorshift(&seed) % 32, i;
		if (n > c->per_prod - next)
			n = c->per_prod - next;
		for (i = 0; i < n; i++)
			batch[i] = VAL(t->id, next + i);
		if (sl_ring_mp_enqueue_bulk(c->r, batch, n, NULL) != n)
			t->failed = 1;
		next += n;
	}
	return NULL;
}

static void run_fill(unsigned nb_prod, uint32_t per_prod)
{
	uint64_t total = (uint64_t)nb_prod * per_prod;
	unsigned size = 1;
	while (size < total)
		size <<= 1;
	struct mt_ctx c = { .r = sl_ring_create("fill", size, 0), .nb_prod = nb_prod,
			    .per_prod = per_prod, .deadline_ns = now_ns() + RUN_LIMIT_S * 1000000000ull };
	pthread_t tid[8];
	struct mt_thread th[8];
	uint32_t *next_idx = calloc(nb_prod, sizeof(*next_idx));
	void *batch[64];
	unsigned i, got;

	CHECK(c.r != NULL && next_idx != NULL && nb_prod <= 8);
	for (i = 0; i < nb_prod; i++) {
		th[i] = (struct mt_thread){ .ctx = &c, .id = i };
		CHECK(pthread_create(&tid[i], NULL, fill_producer, &th[i]) == 0);
	}
	__atomic_store_n(&c.start, 1, __ATOMIC_RELEASE);
	for (i = 0; i < nb_prod; i++) {
		CHECK(pthread_join(tid[i], NULL) == 0);
		CHECK_EQ(th[i].failed, 0);
	}
	if (c.timed_out) {
		fprintf(stderr, "ring %u producers filling: not done after %d s (a hang)\n", nb_prod, RUN_LIMIT_S);
		exit(1);
	}
	CHECK_EQ(c.r->prod.head, (uint32_t)total);
	CHECK_EQ(c.r->prod.tail, (uint32_t)total);
	CHECK_EQ(sl_ring_count(c.r), total);
	/* every producer's values, each once, in its order */
	while ((got = sl_ring_sc_dequeue_burst(c.r, batch, 64, NULL)) != 0) {
		for (i = 0; i < got; i++) {
			unsigned p = VAL_PROD(batch[i]);
			CHECK(p < nb_prod);
			CHECK_EQ(VAL_IDX(batch[i]), next_idx[p]);
			next_idx[p]++;
		}
	}
	for (i = 0; i < nb_prod; i++)
		CHECK_EQ(next_idx[i], per_prod);
	free(next_idx);
	sl_ring_free(c.r);
	printf("ring %u producers filling: %llu values, each once and in order\n", nb_prod,
	       (unsigned long long)total);
}

int main(void)
{
	test_create_errors();
	test_edges(0);
	test_edges(SL_RING_F_SP_ENQ | SL_RING_F_SC_DEQ);
	test_edges(SL_RING_F_SP_ENQ);
	test_index_wrap();
	printf("ring single-thread edges: ok\n");

	run_fill(2, 1u << 20);
	run_mt(1, 1, 64, 300000, 0);    /* SPSC */
	run_mt(1, 1, 64, 100000, 1);
	run_mt(2, 2, 256, 500000, 0);   /* MPMC, one thread per core */
	run_mt(4, 4, 256, 300000, 0);   /* MPMC, oversubscribed */
	run_mt(3, 2, 32, 300000, 1);    /* small ring: lots of full/empty */
	run_mt(1, 3, 128, 200000, 0);   /* SP, MC */
	run_mt(3, 1, 128, 300000, 0);   /* MP, SC */
	printf("ring: all tests passed\n");
	return 0;
}
