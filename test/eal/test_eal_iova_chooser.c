/* test_eal_iova_chooser.c: the IOVA chooser that dma_map installs. A chooser
 * installed by an init hook decides the IOVA of the -m memory (reserved after
 * the hooks); segments added later get the IOVA it returns, and lookups
 * (sl_mem_virt2iova, the memseg) report it; listeners hear of the segment
 * with that IOVA already set; a chooser that refuses makes the allocation
 * fail with its errno and leaves no segment; a second, different chooser is
 * refused (EBUSY); uninstalled, IOVA = VA again; sl_eal_cleanup forgets it.
 * Run with "nohuge" (default) or "huge" for 2 MiB hugepages. */
#include <inttypes.h>

#include "eal_test.h"

#define IOVA_BASE 0x40000000ULL /* below the 4 GiB where the EAL puts VAs */

struct chooser_state {
	unsigned calls;
	uint64_t next;          /* next IOVA handed out */
	bool refuse;
	size_t last_page_size;
	unsigned listener_bad;  /* ADDs heard whose IOVA was not the chosen one */
	uint64_t last_chosen;
};

static uint64_t chooser(const void *va, size_t len, size_t page_size, void *arg)
{
	struct chooser_state *st = arg;
	uint64_t iova;

	(void)va;
	st->calls++;
	st->last_page_size = page_size;
	if (st->refuse) {
		errno = ENOSPC;
		return SL_BAD_IOVA;
	}
	iova = st->next;
	st->next += (len + page_size - 1) / page_size * page_size;
	st->last_chosen = iova;
	return iova;
}

static uint64_t other_chooser(const void *va, size_t len, size_t page_size, void *arg)
{
	(void)len, (void)page_size, (void)arg;
	return (uint64_t)(uintptr_t)va;
}

static struct chooser_state state = {.next = IOVA_BASE};

static int listener(enum sl_mem_event ev, const struct sl_memseg *seg, void *arg)
{
	struct chooser_state *st = arg;

	if (ev == SL_MEM_EVENT_ADD && seg->iova != st->last_chosen)
		st->listener_bad++;
	return 0;
}

static int install_hook(void)
{
	return sl_mem_set_iova_chooser(chooser, &state);
}

static struct sl_eal_hook hook = {.name = "iova chooser test", .priority = 10, .init = install_hook};

int main(int argc, char **argv)
{
	bool huge = argc > 1 && strcmp(argv[1], "huge") == 0;
	const char *args[] = {"t", "-l", "0", "-m", "4", huge ? NULL : "--no-huge", NULL};
	size_t grow = (size_t)8 << 20;
	const struct sl_memseg *seg;

	if (huge)
		test_require_hugepages(16);
	sl_eal_register_hook(&hook);
	REQUIRE(test_eal_init(args) >= 0, "init: %s", strerror(errno));

	/* the -m memory was reserved after the hook: its IOVA is the chosen one */
	REQUIRE(test_nsegs() == 1, "expected one segment after init, found %u", test_nsegs());
	CHECK(state.calls == 1);
	void *p0 = sl_dma_zmalloc("first", 4096, 0);
	REQUIRE(p0 != NULL, "alloc: %s", strerror(errno));
	seg = sl_mem_virt2memseg(p0);
	REQUIRE(seg != NULL, "no segment for the first block");
	CHECK_MSG(seg->iova == IOVA_BASE, "iova 0x%" PRIx64, seg->iova);
	CHECK(sl_mem_virt2iova(p0) == IOVA_BASE + (uint64_t)((char *)p0 - (char *)seg->va));
	CHECK(state.last_page_size == seg->page_size);
	uint64_t first_end = IOVA_BASE + seg->len;

	/* growth: the new segment gets the next IOVA; listeners see it set */
	CHECK(sl_mem_event_register("check", listener, &state) == 0);
	void *p1 = sl_dma_zmalloc("grow", grow, 0);
	REQUIRE(p1 != NULL, "growth: %s", strerror(errno));
	seg = sl_mem_virt2memseg(p1);
	REQUIRE(seg != NULL, "no segment for the grown block");
	CHECK_MSG(seg->iova == first_end, "iova 0x%" PRIx64 ", expected 0x%" PRIx64, seg->iova,
		  first_end);
	CHECK(sl_mem_virt2iova((char *)p1 + 100) ==
	      seg->iova + (uint64_t)((char *)p1 + 100 - (char *)seg->va));
	CHECK(sl_mem_virt2iova(p1) != (uint64_t)(uintptr_t)p1);
	CHECK(state.listener_bad == 0);

	/* a refusal: allocation fails with the chooser's errno, nothing left */
	state.refuse = true;
	unsigned before = test_nsegs();
	log_capture_start();
	errno = 0;
	void *p2 = sl_dma_zmalloc("refused", grow, 0);
	int err = errno;
	const char *log = log_capture_stop();
	CHECK(p2 == NULL && err == ENOSPC);
	CHECK(test_nsegs() == before);
	CHECK(strstr(log, "no IOVA for a new segment") != NULL);
	state.refuse = false;

	/* one chooser at a time; the same one again is fine */
	errno = 0;
	CHECK(sl_mem_set_iova_chooser(other_chooser, NULL) == -1 && errno == EBUSY);
	CHECK(sl_mem_set_iova_chooser(chooser, &state) == 0);

	/* uninstalled: IOVA = VA */
	CHECK(sl_mem_set_iova_chooser(NULL, NULL) == 0);
	unsigned calls = state.calls;
	void *p3 = sl_dma_zmalloc("plain", grow, 0);
	REQUIRE(p3 != NULL, "alloc without chooser: %s", strerror(errno));
	CHECK(sl_mem_virt2iova(p3) == (uint64_t)(uintptr_t)p3);
	CHECK(state.calls == calls);
	CHECK(sl_mem_event_unregister("check", &state) == 0);

	sl_dma_free(p0);
	sl_dma_free(p1);
	sl_dma_free(p3);
	sl_eal_cleanup();

	/* cleanup forgot the chooser: installing another one works */
	CHECK(sl_mem_set_iova_chooser(other_chooser, NULL) == 0);
	CHECK(sl_mem_set_iova_chooser(NULL, NULL) == 0);
	return test_result("test_eal_iova_chooser");
}
