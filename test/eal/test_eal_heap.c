/* test_eal_heap.c: the DMA heap. Blocks never overlap and come back
 * zeroed; freed space is merged and reused before the heap grows; when a
 * segment is full the heap grows by a new segment; bad requests fail with
 * EINVAL; two lcores allocating and freeing at once never get the same
 * memory. Run with "nohuge" (default) or "huge" for 2 MiB hugepages. */
#include <stdatomic.h>

#include "eal_test.h"

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
	return x < y ? -1 : x > y;
}

#define BLK (64 * 1024)
#define MAXBLK 4096

static void *blocks[MAXBLK];

static void test_fill_and_grow(void)
{
	const struct sl_memseg *first;
	unsigned n = 0, start_segs = test_nsegs();
	size_t first_len;

	REQUIRE(start_segs == 1, "expected 1 segment after init, found %u", start_segs);
	/* fill the first segment until a block lands in a new one */
	for (;;) {
		REQUIRE(n < MAXBLK, "heap never grew");
		unsigned char *p = sl_dma_zmalloc("fill", BLK, 0);
		REQUIRE(p != NULL, "alloc %u: %s", n, strerror(errno));
		bool zero = true;
		for (size_t k = 0; k < BLK; k += 97)
			zero &= p[k] == 0;
		CHECK(zero);
		memset(p, (int)(n & 0xff), BLK);
		blocks[n++] = p;
		if (test_nsegs() > start_segs)
			break;
	}
	first = sl_mem_virt2memseg(blocks[0]);
	REQUIRE(first != NULL, "first block has no segment");
	first_len = first->len;
	/* the first segment was used up before growing (64 KiB never crosses a
	 * boundary it must respect, so no space is lost to alignment) */
	CHECK_MSG(n - 1 == first_len / BLK, "%u blocks before growth, segment of %zu", n - 1,
		  first_len);
	CHECK(sl_mem_virt2memseg(blocks[n - 1]) != first);
	CHECK(test_nsegs() == start_segs + 1);

	/* no two blocks overlap */
	uintptr_t sorted[MAXBLK];
	for (unsigned i = 0; i < n; i++)
		sorted[i] = (uintptr_t)blocks[i];
	qsort(sorted, n, sizeof(sorted[0]), cmp_ptr);
	for (unsigned i = 1; i < n; i++)
		CHECK(sorted[i] - sorted[i - 1] >= BLK);
	/* each block kept its own contents */
	for (unsigned i = 0; i < n; i++) {
		unsigned char *p = blocks[i];
		CHECK(p[0] == (i & 0xff) && p[BLK - 1] == (i & 0xff));
	}

	/* free every other block of the first segment, allocate again: the
	 * holes are reused, no growth */
	unsigned segs = test_nsegs();
	for (unsigned i = 0; i + 1 < n; i += 2) {
		sl_dma_free(blocks[i]);
		blocks[i] = NULL;
	}
	for (unsigned i = 0; i + 1 < n; i += 2) {
		unsigned char *p = sl_dma_zmalloc("refill", BLK, 0);
		REQUIRE(p != NULL, "refill: %s", strerror(errno));
		CHECK(sl_mem_virt2memseg(p) == first);
		CHECK(p[0] == 0 && p[BLK / 2] == 0 && p[BLK - 1] == 0); /* zeroed again */
		blocks[i] = p;
	}
	CHECK(test_nsegs() == segs);

	/* free everything: the free space merges back into one extent, so one
	 * block as large as the first segment fits without growing */
	for (unsigned i = 0; i < n; i++)
		sl_dma_free(blocks[i]);
	void *whole = sl_dma_zmalloc("whole", first_len, first->page_size);
	CHECK(whole != NULL && sl_mem_virt2memseg(whole) == first);
	CHECK(test_nsegs() == segs);
	sl_dma_free(whole);
}

static void test_alignment(size_t page_size)
{
	size_t aligns[] = {0, 8, 64, 256, 4096, 65536, (size_t)2 << 20};

	for (size_t i = 0; i < SL_DIM(aligns); i++) {
		void *p = sl_dma_zmalloc("aligned", 100, aligns[i]);
		REQUIRE(p != NULL, "align %zu: %s", aligns[i], strerror(errno));
		CHECK((uintptr_t)p % (aligns[i] ? aligns[i] : SL_CACHE_LINE_SIZE) == 0);
		void *q = sl_dma_zmalloc("after", page_size, 0); /* a whole page */
		REQUIRE(q != NULL, "page block: %s", strerror(errno));
		CHECK((uintptr_t)q % page_size == 0); /* fits one page only when aligned */
		sl_dma_free(q);
		sl_dma_free(p);
	}
}

static void test_bad_requests(void)
{
	int local;

	errno = 0;
	CHECK(sl_dma_zmalloc("zero", 0, 0) == NULL && errno == EINVAL);
	errno = 0;
	CHECK(sl_dma_zmalloc("align3", 64, 3) == NULL && errno == EINVAL);
	errno = 0;
	CHECK(sl_dma_zmalloc("huge", SIZE_MAX / 2, 0) == NULL && errno == EINVAL);
	sl_dma_free(NULL);
	log_capture_start();
	sl_dma_free(&local); /* not from the heap: logged, ignored */
	const char *out = log_capture_stop();
	CHECK(strstr(out, "not a block from sl_dma_zmalloc") != NULL);
	/* double free is caught the same way */
	void *p = sl_dma_zmalloc("twice", 64, 0);
	sl_dma_free(p);
	log_capture_start();
	sl_dma_free(p);
	out = log_capture_stop();
	CHECK(strstr(out, "freed twice") != NULL);
}

#define ROUNDS 2000
static _Atomic int overlap_errors;

static int churn(void *arg)
{
	unsigned char tag = (unsigned char)(uintptr_t)arg;
	unsigned char *held[8] = {0};

	for (int r = 0; r < ROUNDS; r++) {
		int k = r % 8;
		if (held[k]) {
			size_t len = 200 + (size_t)k * 300;
			for (size_t i = 0; i < len; i++)
				if (held[k][i] != tag)
					atomic_fetch_add(&overlap_errors, 1);
			sl_dma_free(held[k]);
		}
		size_t len = 200 + (size_t)k * 300;
		held[k] = sl_dma_zmalloc("churn", len, 0);
		if (held[k] == NULL) {
			atomic_fetch_add(&overlap_errors, 1000000);
			return -1;
		}
		memset(held[k], tag, len);
	}
	for (int k = 0; k < 8; k++)
		sl_dma_free(held[k]);
	return 0;
}

static void test_two_lcores(void)
{
	unsigned worker = sl_get_next_lcore(-1, true, false);

	REQUIRE(worker < SL_MAX_LCORE, "needs a worker lcore");
	CHECK(sl_eal_remote_launch(churn, (void *)(uintptr_t)0x5a, worker) == 0);
	CHECK(churn((void *)(uintptr_t)0xc3) == 0);
	CHECK(sl_eal_wait_lcore(worker) == 0);
	CHECK_MSG(atomic_load(&overlap_errors) == 0, "%d bytes overwritten by the other lcore",
		  atomic_load(&overlap_errors));
}

int main(int argc, char **argv)
{
	bool huge = argc > 1 && strcmp(argv[1], "huge") == 0;
	const char *args[] = {"t", "-l", "0-1", "-m", "4", huge ? NULL : "--no-huge", NULL};

	if (huge)
		test_require_hugepages(16);
	REQUIRE(test_eal_init(args) >= 0, "init: %s", strerror(errno));
	size_t page_size = huge ? (size_t)2 << 20 : 4096;
	test_fill_and_grow();
	test_alignment(page_size);
	test_bad_requests();
	test_two_lcores();
	CHECK(sl_eal_cleanup() == 0);
	return test_result("test_eal_heap");
}
