/* test_eal_listeners.c: memory event listeners. A new listener hears ADD
 * for every existing segment; memory added later is announced to every
 * listener before the allocation returns; a listener that refuses an
 * existing segment is not registered and hears REMOVE for what it accepted;
 * a listener that refuses a new segment makes the allocation fail, the
 * others hear REMOVE and the segment is gone; at cleanup every listener
 * hears REMOVE for every segment while its memory is still mapped.
 * Run with "nohuge" (default) or "huge" for 2 MiB hugepages. */
#include "eal_test.h"

#define MAX_EVENTS 64

struct event {
	enum sl_mem_event ev;
	void *va;
	size_t len;
};

struct recorder {
	const char *name;
	struct event ev[MAX_EVENTS];
	unsigned n;
	int fail_add_at;    /* refuse the Nth ADD (1-based); 0: never */
	unsigned adds;
	bool check_mapped;  /* touch the memory on REMOVE */
};

static int record(enum sl_mem_event ev, const struct sl_memseg *seg, void *arg)
{
	struct recorder *r = arg;

	if (ev == SL_MEM_EVENT_ADD && r->fail_add_at && ++r->adds == (unsigned)r->fail_add_at) {
		errno = EPERM;
		return -1;
	}
	if (r->n < MAX_EVENTS)
		r->ev[r->n++] = (struct event){ev, seg->va, seg->len};
	/* the memory is usable on ADD and still mapped on REMOVE */
	volatile char *p = seg->va;
	p[0] = 1;
	p[seg->len - 1] = 1;
	return 0;
}

static int collect(const struct sl_memseg *seg, void *arg)
{
	struct recorder *r = arg;

	r->ev[r->n++] = (struct event){SL_MEM_EVENT_ADD, seg->va, seg->len};
	return 0;
}

static unsigned nsegs(void)
{
	struct recorder all = {.name = "walk"};

	sl_memseg_walk(collect, &all);
	return all.n;
}

static bool has_event(const struct recorder *r, enum sl_mem_event ev, const void *va)
{
	for (unsigned i = 0; i < r->n; i++)
		if (r->ev[i].ev == ev && r->ev[i].va == va)
			return true;
	return false;
}

int main(int argc, char **argv)
{
	bool huge = argc > 1 && strcmp(argv[1], "huge") == 0;
	const char *args[] = {"t", "-l", "0", "-m", "4", huge ? NULL : "--no-huge", NULL};
	static struct recorder a = {.name = "a"}, b = {.name = "b"}, c = {.name = "c"},
			       d = {.name = "d"};
	struct recorder segs = {.name = "segs"};
	size_t grow = (size_t)8 << 20;

	if (huge)
		test_require_hugepages(16);
	int ret = test_eal_init(args);
	REQUIRE(ret >= 0, "init: %s", strerror(errno));
	sl_memseg_walk(collect, &segs);
	REQUIRE(segs.n == 1, "expected one segment after init, found %u", segs.n);

	/* replay: A hears ADD for the existing segment */
	CHECK(sl_mem_event_register("a", record, &a) == 0);
	CHECK(a.n == 1 && a.ev[0].ev == SL_MEM_EVENT_ADD && a.ev[0].va == segs.ev[0].va &&
	      a.ev[0].len == segs.ev[0].len);
	/* same name and arg twice is refused */
	errno = 0;
	CHECK(sl_mem_event_register("a", record, &a) == -1 && errno == EEXIST);
	CHECK(a.n == 1);

	/* growth: A hears ADD for the new segment before the block is returned */
	void *p1 = sl_dma_zmalloc("grow1", grow, 0);
	REQUIRE(p1 != NULL, "growth: %s", strerror(errno));
	const struct sl_memseg *s1 = sl_mem_virt2memseg(p1);
	REQUIRE(s1 != NULL, "grown block has no segment");
	CHECK(nsegs() == 2);
	CHECK(a.n == 2 && a.ev[1].ev == SL_MEM_EVENT_ADD && a.ev[1].va == s1->va);

	/* B refuses the second existing segment: not registered, and it
	 * hears REMOVE for the first one that it had accepted */
	b.fail_add_at = 2;
	errno = 0;
	CHECK(sl_mem_event_register("b", record, &b) == -1 && errno == EPERM);
	CHECK(b.n == 2 && b.ev[0].ev == SL_MEM_EVENT_ADD && b.ev[1].ev == SL_MEM_EVENT_REMOVE &&
	      b.ev[0].va == b.ev[1].va);
	errno = 0;
	CHECK(sl_mem_event_unregister("b", &b) == -1 && errno == ENOENT);
	CHECK(nsegs() == 2); /* registering touched no segment */

	/* C accepts the two existing segments and refuses the next new one:
	 * the allocation fails, A (told first) hears REMOVE, the segment is
	 * gone from the registry; the heap is as before */
	c.fail_add_at = 3;
	CHECK(sl_mem_event_register("c", record, &c) == 0);
	CHECK(c.n == 2);
	unsigned a_before = a.n;
	errno = 0;
	void *p2 = sl_dma_zmalloc("grow2", grow, 0);
	int err = errno;
	CHECK(p2 == NULL && err == EPERM);
	CHECK(a.n == a_before + 2);
	CHECK(a.ev[a_before].ev == SL_MEM_EVENT_ADD && a.ev[a_before + 1].ev == SL_MEM_EVENT_REMOVE &&
	      a.ev[a_before].va == a.ev[a_before + 1].va);
	void *refused = a.ev[a_before].va;
	CHECK(sl_mem_virt2memseg(refused) == NULL);
	CHECK(sl_mem_virt2iova(refused) == SL_BAD_IOVA);
	CHECK(nsegs() == 2);
	CHECK(c.n == 2); /* C was never told of a segment it refused */

	/* without C the same allocation works and everyone left hears of it */
	CHECK(sl_mem_event_unregister("c", &c) == 0);
	CHECK(sl_mem_event_register("d", record, &d) == 0 && d.n == 2);
	void *p3 = sl_dma_zmalloc("grow3", grow, 0);
	REQUIRE(p3 != NULL, "growth after unregistering: %s", strerror(errno));
	const struct sl_memseg *s3 = sl_mem_virt2memseg(p3);
	REQUIRE(s3 != NULL, "no segment for p3");
	CHECK(nsegs() == 3);
	CHECK(has_event(&a, SL_MEM_EVENT_ADD, s3->va) && has_event(&d, SL_MEM_EVENT_ADD, s3->va));
	CHECK(c.n == 2);

	/* a block that fits in existing memory tells nobody */
	unsigned a_n = a.n;
	void *small = sl_dma_zmalloc("small", 256, 0);
	CHECK(small != NULL && a.n == a_n);
	sl_dma_free(small);

	/* cleanup: REMOVE for every segment, with the memory still mapped */
	struct recorder segs_now = {.name = "now"};
	sl_memseg_walk(collect, &segs_now);
	a_n = a.n;
	unsigned d_n = d.n;
	sl_dma_free(p1);
	sl_dma_free(p3);
	CHECK(sl_eal_cleanup() == 0);
	CHECK(a.n == a_n + segs_now.n && d.n == d_n + segs_now.n);
	for (unsigned i = 0; i < segs_now.n; i++) {
		CHECK(has_event(&a, SL_MEM_EVENT_REMOVE, segs_now.ev[i].va));
		CHECK(has_event(&d, SL_MEM_EVENT_REMOVE, segs_now.ev[i].va));
	}
	/* ADDs and REMOVEs balance for every listener */
	const struct recorder *all[] = {&a, &b, &d};
	for (size_t k = 0; k < SL_DIM(all); k++) {
		int bal = 0;
		for (unsigned i = 0; i < all[k]->n; i++)
			bal += all[k]->ev[i].ev == SL_MEM_EVENT_ADD ? 1 : -1;
		CHECK_MSG(bal == 0, "listener %s: ADD-REMOVE = %d", all[k]->name, bal);
	}

	/* listeners do not survive cleanup: a new init starts with none */
	unsigned a_final = a.n;
	ret = test_eal_init((const char *const[]){"t", "-l", "0", "-m", "4", "--no-huge", NULL});
	REQUIRE(ret >= 0, "second init: %s", strerror(errno));
	void *p4 = sl_dma_zmalloc("grow4", grow, 0);
	CHECK(p4 != NULL && a.n == a_final);
	errno = 0;
	CHECK(sl_mem_event_unregister("a", &a) == -1 && errno == ENOENT);
	sl_dma_free(p4);
	CHECK(sl_eal_cleanup() == 0);
	return test_result("test_eal_listeners");
}
