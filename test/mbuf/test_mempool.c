/* test_mempool.c: mempool tests under the EAL (run with -l 0-1):
 * creation errors; every object aligned, inside the pool memory and
 * IOVA-contiguous; the cache's refill/flush edges step by step; pools
 * without a cache; non-EAL threads going straight to the ring; exhaustion;
 * and a concurrency run of 10 million object gets and puts over two lcores
 * plus a non-EAL thread, with an ownership flag per object so that no
 * object is ever handed out twice or lost, ending with the pool full. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sl_eal.h"
#include "sl_mempool.h"
#include "sl_ring.h"

#define MT_POOL_SIZE 512 /* small: two lcores holding objects drain it */
#define MT_CACHE 64
#define MT_TOTAL_OPS 10000000u /* objects got and put back, both lcores together */
#define MT_MAX_HELD 300        /* objects one thread keeps at once */

/* ---- creation, layout ------------------------------------------------- */

struct iter_ctx {
	struct sl_mempool *mp;
	unsigned count;
	unsigned bad;
};

static void check_obj(struct sl_mempool *mp, void *arg, void *obj, unsigned idx)
{
	struct iter_ctx *c = arg;
	const char *o = obj;
	uint64_t iova = sl_mempool_virt2iova(obj);

	(void)idx;
	if (mp != c->mp || ((uintptr_t)obj & (SL_CACHE_LINE_SIZE - 1)) != 0)
		c->bad++;
	if (o < (const char *)mp->mem || o + mp->elt_size > (const char *)mp->mem + mp->mem_len)
		c->bad++;
	/* IOVA-contiguous: every byte's IOVA is the first one's plus its offset */
	if (iova == SL_BAD_IOVA)
		c->bad++;
	for (unsigned off = 0; off < mp->elt_size; off += 256)
		if (sl_mem_virt2iova(o + off) != iova + off)
			c->bad++;
	if (sl_mem_virt2iova(o + mp->elt_size - 1) != iova + mp->elt_size - 1)
		c->bad++;
	c->count++;
}

static void init_stamp(struct sl_mempool *mp, void *arg, void *obj, unsigned idx)
{
	(void)mp;
	(*(unsigned *)arg)++;
	*(uint32_t *)obj = 0xab000000u | idx;
}

static void test_create(void)
{
	struct sl_mempool *mp;
	unsigned inits = 0;

	errno = 0;
	CHECK(sl_mempool_create("zero", 0, 64, 0, 0, NULL, NULL) == NULL);
	CHECK_EQ(errno, EINVAL);
	errno = 0;
	CHECK(sl_mempool_create("zero-size", 16, 0, 0, 0, NULL, NULL) == NULL);
	CHECK_EQ(errno, EINVAL);
	errno = 0;
	CHECK(sl_mempool_create("bigcache", 4096, 64, SL_MEMPOOL_CACHE_MAX_SIZE + 1, 0, NULL, NULL) == NULL);
	CHECK_EQ(errno, EINVAL);
	errno = 0;
	CHECK(sl_mempool_create("cache-vs-size", 100, 64, 100, 0, NULL, NULL) == NULL);
	CHECK_EQ(errno, EINVAL);
	errno = 0;
	CHECK(sl_mempool_create("a-mempool-name-longer-than-allowed", 16, 64, 0, 0, NULL, NULL) == NULL);
	CHECK_EQ(errno, EINVAL);
	errno = 0;
	CHECK(sl_mempool_create("badflags", 16, 64, 0, 0x100, NULL, NULL) == NULL);
	CHECK_EQ(errno, EINVAL);

	/* odd sizes: element rounded to a cache line, obj_init once each */
	mp = sl_mempool_create("layout", 1000, 1500, 32, 0, init_stamp, &inits);
	CHECK(mp != NULL);
	CHECK_EQ(inits, 1000);
	CHECK_EQ(sl_mempool_size(mp), 1000);
	CHECK_EQ(mp->elt_size % SL_CACHE_LINE_SIZE, 0);
	CHECK(mp->elt_size >= 1500);
	CHECK(strcmp(sl_mempool_name(mp), "layout") == 0);
	CHECK_EQ(sl_mempool_avail_count(mp), 1000);
	CHECK_EQ(sl_mempool_in_use_count(mp), 0);

	struct iter_ctx c = { .mp = mp };
	sl_mempool_obj_iter(mp, check_obj, &c);
	CHECK_EQ(c.count, 1000);
	CHECK_EQ(c.bad, 0);

	/* every object distinct, stamped by obj_init with its index */
	void **all = calloc(1000, sizeof(void *));
	CHECK(all != NULL);
	CHECK_EQ(sl_mempool_get_bulk(mp, all, 1000), 0);
	CHECK_EQ(sl_mempool_avail_count(mp), 0);
	CHECK_EQ(sl_mempool_in_use_count(mp), 1000);
	unsigned char *seen = calloc(1000, 1);
	CHECK(seen != NULL);
	for (unsigned i = 0; i < 1000; i++) {
		uint32_t stamp = *(uint32_t *)all[i];
		CHECK_EQ(stamp & 0xff000000u, 0xab000000u);
		CHECK((stamp & 0xffffff) < 1000);
		CHECK_EQ(seen[stamp & 0xffffff], 0);
		seen[stamp & 0xffffff] = 1;
	}
	void *extra;
	CHECK_EQ(sl_mempool_get(mp, &extra), -ENOENT);
	sl_mempool_put_bulk(mp, all, 1000);
	CHECK_EQ(sl_mempool_avail_count(mp), 1000);
	free(seen);
	free(all);
	sl_mempool_free(mp);

	/* several pages' worth of mbuf-sized objects: with --iova-mode pa the
	 * pages are not IOVA-contiguous and objects must not straddle a break */
	mp = sl_mempool_create("pages", 1600, 2200, 0, 0, NULL, NULL);
	CHECK(mp != NULL);
	CHECK(mp->mem_len >= (size_t)1600 * 2240);
	c = (struct iter_ctx){ .mp = mp };
	sl_mempool_obj_iter(mp, check_obj, &c);
	CHECK_EQ(c.count, 1600);
	CHECK_EQ(c.bad, 0);
	const struct sl_memseg *ms = sl_mem_virt2memseg(mp->mem);
	CHECK(ms != NULL);
	unsigned straddling = 0;
	for (unsigned i = 0; i < 1600; i++) {
		uintptr_t o = (uintptr_t)mp->obj_table[i];
		if (o / ms->page_size != (o + mp->elt_size - 1) / ms->page_size)
			straddling++;
	}
	/* an object may straddle pages only where their IOVAs happen to
	 * follow on (check_obj verified every object above) */
	printf("mempool layout: %zu-byte pages, %s, %u of 1600 objects straddle a page\n",
	       ms->page_size, ms->iova == SL_BAD_IOVA ? "pages not IOVA-contiguous" : "IOVA-contiguous",
	       straddling);
	sl_mempool_free(mp);
}

/* ---- cache edges (on the main lcore) ------------------------------------ */

static void test_cache_edges(void)
{
	enum { N = 1024, CS = 32, THRESH = CS * 3 / 2 };
	struct sl_mempool *mp = sl_mempool_create("edges", N, 64, CS, 0, NULL, NULL);
	unsigned lcore = sl_lcore_id();
	struct sl_mempool_cache *cache;
	void *objs[N], *more[700];
	unsigned i;

	CHECK(mp != NULL);
	CHECK(lcore < SL_MAX_LCORE);
	cache = sl_mempool_default_cache(mp, lcore);
	CHECK(cache != NULL);
	CHECK_EQ(cache->size, CS);
	CHECK_EQ(cache->flushthresh, THRESH);
	CHECK_EQ(cache->len, 0);
	CHECK_EQ(sl_ring_count(mp->ring), N);

	/* empty cache: one get refills it to its size plus what was asked */
	CHECK_EQ(sl_mempool_get(mp, &objs[0]), 0);
	CHECK_EQ(cache->len, CS);
	CHECK_EQ(sl_ring_count(mp->ring), N - CS - 1);
	CHECK_EQ(sl_mempool_avail_count(mp), N - 1);
	/* exactly the cache's content: served from the cache, ring untouched */
	CHECK_EQ(sl_mempool_get_bulk(mp, &objs[1], CS), 0);
	CHECK_EQ(cache->len, 0);
	CHECK_EQ(sl_ring_count(mp->ring), N - CS - 1);
	/* cache holds some but fewer than asked: refill keeps the old ones */
	CHECK_EQ(sl_mempool_get(mp, &objs[CS + 1]), 0);
	CHECK_EQ(cache->len, CS);
	CHECK_EQ(sl_mempool_get_bulk(mp, &objs[CS + 2], 10), 0);
	CHECK_EQ(cache->len, CS - 10);
	CHECK_EQ(sl_mempool_get_bulk(mp, &objs[CS + 12], 30), 0); /* 22 in cache < 30 */
	CHECK_EQ(cache->len, CS);
	unsigned held = CS + 42;
	CHECK_EQ(sl_mempool_in_use_count(mp), held);

	/* last put comes back first */
	sl_mempool_put(mp, objs[5]);
	void *again;
	CHECK_EQ(sl_mempool_get(mp, &again), 0);
	CHECK(again == objs[5]);

	/* put up to the threshold: stays in the cache */
	unsigned ring_before = sl_ring_count(mp->ring);
	sl_mempool_put_bulk(mp, objs, THRESH - CS);
	CHECK_EQ(cache->len, THRESH);
	CHECK_EQ(sl_ring_count(mp->ring), ring_before);
	/* one more: the cache is flushed to the ring and keeps just the new one */
	sl_mempool_put(mp, objs[THRESH - CS]);
	CHECK_EQ(cache->len, 1);
	CHECK_EQ(sl_ring_count(mp->ring), ring_before + THRESH);
	CHECK_EQ(cache->objs[0], objs[THRESH - CS]);
	/* a put larger than the threshold goes straight to the ring */
	unsigned first_big = THRESH - CS + 1;
	CHECK(held - first_big > THRESH);
	sl_mempool_put_bulk(mp, &objs[first_big], held - first_big);
	CHECK_EQ(cache->len, 1);
	CHECK_EQ(sl_ring_count(mp->ring), ring_before + THRESH + held - first_big);
	CHECK_EQ(sl_mempool_avail_count(mp), N);

	/* larger than the cache can ever hold: straight from the ring */
	CHECK_EQ(sl_mempool_get_bulk(mp, more, 700), 0);
	CHECK_EQ(cache->len, 1);
	CHECK_EQ(sl_ring_count(mp->ring), N - 1 - 700);
	sl_mempool_put_bulk(mp, more, 700);
	CHECK_EQ(cache->len, 1);

	/* exhaustion: all N can be taken; then all-or-nothing failures leave
	 * the cache and ring as they were */
	CHECK_EQ(sl_mempool_get_bulk(mp, objs, N - 10), 0);
	unsigned cache_len = cache->len, ring_len = sl_ring_count(mp->ring);
	CHECK_EQ(cache_len + ring_len, 10);
	CHECK_EQ(sl_mempool_get_bulk(mp, &objs[N - 10], 11), -ENOENT);
	CHECK_EQ(cache->len, cache_len);
	CHECK_EQ(sl_ring_count(mp->ring), ring_len);
	/* the ring has less than a full refill but enough for the request */
	CHECK_EQ(sl_mempool_get_bulk(mp, &objs[N - 10], 10), 0);
	CHECK_EQ(cache->len, 0);
	CHECK_EQ(sl_ring_count(mp->ring), 0);
	CHECK_EQ(sl_mempool_avail_count(mp), 0);
	CHECK_EQ(sl_mempool_get(mp, &again), -ENOENT);
	unsigned char seen[N] = { 0 };
	for (i = 0; i < N; i++) {
		size_t off = (size_t)((char *)objs[i] - (char *)mp->mem);
		CHECK(off < mp->mem_len && off % mp->elt_size == 0);
		CHECK_EQ(seen[off / mp->elt_size], 0);
		seen[off / mp->elt_size] = 1;
	}
	sl_mempool_put_bulk(mp, objs, N - 5);   /* past the threshold: ring */
	CHECK_EQ(cache->len, 0);
	sl_mempool_put_bulk(mp, &objs[N - 5], 5); /* cache */
	CHECK_EQ(cache->len, 5);
	CHECK_EQ(sl_mempool_avail_count(mp), N);

	/* explicit flush empties the cache into the ring */
	CHECK(cache->len > 0);
	sl_mempool_cache_flush(mp, lcore);
	CHECK_EQ(cache->len, 0);
	CHECK_EQ(sl_ring_count(mp->ring), N);
	sl_mempool_free(mp);

	/* no cache: everything goes through the ring */
	mp = sl_mempool_create("nocache", 64, 64, 0, 0, NULL, NULL);
	CHECK(mp != NULL);
	cache = sl_mempool_default_cache(mp, lcore);
	CHECK_EQ(sl_mempool_get_bulk(mp, objs, 3), 0);
	CHECK_EQ(cache->len, 0);
	CHECK_EQ(sl_ring_count(mp->ring), 61);
	sl_mempool_put_bulk(mp, objs, 3);
	CHECK_EQ(cache->len, 0);
	CHECK_EQ(sl_ring_count(mp->ring), 64);
	sl_mempool_free(mp);
}

/* ---- non-EAL thread ---------------------------------------------------- */

struct plain_ctx {
	struct sl_mempool *mp;
	unsigned lcore_seen;
	int ok;
};

static void *plain_thread(void *arg)
{
	struct plain_ctx *c = arg;
	void *objs[40];

	c->lcore_seen = sl_lcore_id();
	c->ok = sl_mempool_get_bulk(c->mp, objs, 40) == 0 &&
		sl_ring_count(c->mp->ring) == sl_mempool_size(c->mp) - 40;
	sl_mempool_put_bulk(c->mp, objs, 40);
	c->ok = c->ok && sl_ring_count(c->mp->ring) == sl_mempool_size(c->mp);
	return NULL;
}

static void test_non_eal_thread(void)
{
	struct sl_mempool *mp = sl_mempool_create("plain", 256, 64, 16, 0, NULL, NULL);
	struct plain_ctx c = { .mp = mp };
	pthread_t t;
	unsigned lcore, total = 0;

	CHECK(mp != NULL);
	CHECK(pthread_create(&t, NULL, plain_thread, &c) == 0);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK_EQ(c.lcore_seen, SL_LCORE_ID_ANY);
	CHECK(c.ok);
	for (lcore = 0; lcore < SL_MAX_LCORE; lcore++)
		total += mp->local_cache[lcore].len;
	CHECK_EQ(total, 0); /* no cache was used */
	sl_mempool_free(mp);
}

/* ---- concurrency -------------------------------------------------------- */

struct mt_ctx {
	struct sl_mempool *mp;
	unsigned char *owned;   /* per object index: 1 while someone holds it */
	uint64_t ops_per_lcore; /* objects each lcore gets (and puts back) */
	unsigned failures;      /* atomic: double hand-outs, foreign objects */
	unsigned enoent;        /* atomic: get_bulk refused (pool drained) */
	unsigned stop_plain;    /* atomic: tells the non-EAL thread to stop */
	uint64_t plain_ops;
};

static int obj_index(struct mt_ctx *c, void *obj)
{
	uintptr_t off = (uintptr_t)obj - (uintptr_t)c->mp->mem;

	if ((uintptr_t)obj < (uintptr_t)c->mp->mem || off >= c->mp->mem_len ||
	    off % c->mp->elt_size != 0)
		return -1;
	return (int)(off / c->mp->elt_size);
}

static void take(struct mt_ctx *c, void **objs, unsigned n, unsigned tag)
{
	for (unsigned i = 0; i < n; i++) {
		int idx = obj_index(c, objs[i]);
		if (idx < 0 || __atomic_exchange_n(&c->owned[idx], 1, __ATOMIC_ACQ_REL) != 0) {
			__atomic_fetch_add(&c->failures, 1, __ATOMIC_RELAXED);
			continue;
		}
		*(uint32_t *)objs[i] = tag; /* the holder writes its object */
	}
}

static void give(struct mt_ctx *c, void **objs, unsigned n, unsigned tag)
{
	for (unsigned i = 0; i < n; i++) {
		int idx = obj_index(c, objs[i]);
		if (idx < 0 || *(uint32_t *)objs[i] != tag ||
		    __atomic_exchange_n(&c->owned[idx], 0, __ATOMIC_ACQ_REL) != 1)
			__atomic_fetch_add(&c->failures, 1, __ATOMIC_RELAXED);
	}
}

static unsigned xorshift(unsigned *s)
{
	unsigned x = *s;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

static int mt_worker(void *arg)
{
	struct mt_ctx *c = arg;
	unsigned lcore = sl_lcore_id(), seed = 2654435761u * (lcore + 1), tag = 0x5a000000u | lcore;
	void *held[MT_MAX_HELD];
	unsigned nheld = 0;
	uint64_t done = 0;

	while (done < c->ops_per_lcore) {
		unsigned r = xorshift(&seed);
		/* sizes from 1 to 64 mostly, sometimes past the cache */
		unsigned n = (r & 0xf00) == 0 ? 65 + r % 100 : 1 + r % 64;
		if (n > c->ops_per_lcore - done)
			n = (unsigned)(c->ops_per_lcore - done);
		if (nheld + n <= MT_MAX_HELD && (r & 0x10000)) {
			if (sl_mempool_get_bulk(c->mp, &held[nheld], n) == 0) {
				take(c, &held[nheld], n, tag);
				nheld += n;
				done += n;
			} else {
				__atomic_fetch_add(&c->enoent, 1, __ATOMIC_RELAXED);
			}
		}
		/* put back a random part of what is held */
		if (nheld > 0 && (r & 0x20000)) {
			unsigned k = 1 + (r >> 18) % nheld;
			give(c, &held[nheld - k], k, tag);
			if (k == 1)
				sl_mempool_put(c->mp, held[nheld - 1]);
			else
				sl_mempool_put_bulk(c->mp, &held[nheld - k], k);
			nheld -= k;
		}
	}
	give(c, held, nheld, tag);
	sl_mempool_put_bulk(c->mp, held, nheld);
	return 0;
}

static void *mt_plain(void *arg)
{
	struct mt_ctx *c = arg;
	void *objs[8];

	while (!__atomic_load_n(&c->stop_plain, __ATOMIC_ACQUIRE)) {
		if (sl_mempool_get_bulk(c->mp, objs, 8) == 0) {
			take(c, objs, 8, 0x77000000u);
			give(c, objs, 8, 0x77000000u);
			sl_mempool_put_bulk(c->mp, objs, 8);
			c->plain_ops += 8;
		}
		sched_yield();
	}
	return NULL;
}

static void test_concurrency(void)
{
	struct mt_ctx c = { 0 };
	unsigned worker, nb_lcores = 0, lcore;
	pthread_t plain;

	SL_LCORE_FOREACH(lcore)
		nb_lcores++;
	CHECK(nb_lcores >= 2); /* run with -l 0-1 */
	c.mp = sl_mempool_create("mt", MT_POOL_SIZE, 64, MT_CACHE, 0, NULL, NULL);
	CHECK(c.mp != NULL);
	c.owned = calloc(MT_POOL_SIZE, 1);
	CHECK(c.owned != NULL);
	c.ops_per_lcore = MT_TOTAL_OPS / nb_lcores;

	CHECK(pthread_create(&plain, NULL, mt_plain, &c) == 0);
	SL_LCORE_FOREACH_WORKER(worker)
		CHECK_EQ(sl_eal_remote_launch(mt_worker, &c, worker), 0);
	CHECK_EQ(mt_worker(&c), 0);
	SL_LCORE_FOREACH_WORKER(worker)
		CHECK_EQ(sl_eal_wait_lcore(worker), 0);
	__atomic_store_n(&c.stop_plain, 1, __ATOMIC_RELEASE);
	CHECK(pthread_join(plain, NULL) == 0);

	CHECK_EQ(c.failures, 0);
	for (unsigned i = 0; i < MT_POOL_SIZE; i++)
		CHECK_EQ(c.owned[i], 0);
	/* nothing lost: caches plus ring hold the whole pool again */
	CHECK_EQ(sl_mempool_avail_count(c.mp), MT_POOL_SIZE);
	CHECK_EQ(sl_mempool_in_use_count(c.mp), 0);

	/* and nothing duplicated: flush every cache, take all objects out of
	 * the ring at once and check each is there exactly once */
	SL_LCORE_FOREACH(lcore)
		sl_mempool_cache_flush(c.mp, lcore);
	CHECK_EQ(sl_ring_count(c.mp->ring), MT_POOL_SIZE);
	void **all = calloc(MT_POOL_SIZE, sizeof(void *));
	CHECK(all != NULL);
	CHECK_EQ(sl_mempool_get_bulk(c.mp, all, MT_POOL_SIZE), 0);
	take(&c, all, MT_POOL_SIZE, 1);
	CHECK_EQ(c.failures, 0);
	give(&c, all, MT_POOL_SIZE, 1);
	sl_mempool_put_bulk(c.mp, all, MT_POOL_SIZE);
	CHECK_EQ(sl_mempool_avail_count(c.mp), MT_POOL_SIZE);
	printf("mempool: %u lcores x %llu objects got and put, plus %llu by a non-EAL thread; "
	       "%u all-or-nothing refusals; none lost or duplicated\n",
	       nb_lcores, (unsigned long long)c.ops_per_lcore, (unsigned long long)c.plain_ops, c.enoent);
	free(all);
	free(c.owned);
	sl_mempool_free(c.mp);
}

int main(int argc, char **argv)
{
	int ret = sl_eal_init(argc, argv);

	CHECK(ret >= 0);
	test_create();
	printf("mempool create/layout: ok\n");
	test_cache_edges();
	printf("mempool cache edges: ok\n");
	test_non_eal_thread();
	printf("mempool non-EAL thread: ok\n");
	test_concurrency();
	CHECK_EQ(sl_eal_cleanup(), 0);
	printf("mempool: all tests passed\n");
	return 0;
}
