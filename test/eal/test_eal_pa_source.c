/* test_eal_pa_source.c: the PA source the noiommu-cdev backend installs
 * (sl_mem_set_pa_source). In PA mode, with a source installed by an init
 * hook, the -m memory (reserved after the hooks) gets the physical
 * addresses the source gives, per page, and is told the segment's fd and
 * page size; pagemap is never needed (the test says so by the PAs it sees:
 * fake ones); a source that declines (1) leaves pagemap to the EAL; one that
 * fails (-1) fails the reservation with its errno and hears the release of
 * that memory; every released segment is announced to the source; a second,
 * different source is refused (EBUSY); sl_eal_cleanup forgets it. Needs
 * 2 MiB hugepages and root (pagemap, for the declined case). */
#include <inttypes.h>

#include "eal_test.h"

#define FAKE_PA 0x7700000000ULL

struct src_state {
	unsigned calls, releases, declined, refused;
	bool decline, refuse;
	size_t last_page_size, released_bytes;
	int last_fd;
	void *refused_va;
	bool refused_va_released;
};

static struct src_state st;

/* Fake PAs: page I of a segment at FAKE_PA + 2 * I pages (not contiguous). */
static int source(const struct sl_memseg *seg, uint64_t *pas, void *arg)
{
	struct src_state *s = arg;

	s->calls++;
	s->last_page_size = seg->page_size;
	s->last_fd = seg->fd;
	if (s->decline) {
		s->declined++;
		return 1;
	}
	if (s->refuse) {
		s->refused++;
		s->refused_va = seg->va;
		errno = ENOSPC;
		return -1;
	}
	for (size_t i = 0; i < seg->len / seg->page_size; i++)
		pas[i] = FAKE_PA + 2 * i * seg->page_size;
	return 0;
}

static void release(void *va, size_t len, void *arg)
{
	struct src_state *s = arg;

	s->releases++;
	s->released_bytes += len;
	if (va == s->refused_va)
		s->refused_va_released = true;
}

static int other_source(const struct sl_memseg *seg, uint64_t *pas, void *arg)
{
	(void)seg, (void)pas, (void)arg;
	return 1;
}

static int install_hook(void)
{
	return sl_mem_set_pa_source(source, release, &st);
}

static struct sl_eal_hook hook = {.name = "test pa source", .priority = 50, .init = install_hook};

int main(void)
{
	const char *args[] = {"test", "-l", "0", "-m", "8", "--iova-mode", "pa", NULL};
	const struct sl_memseg *ms;
	void *mem, *big;
	uint64_t iova;

	REQUIRE(geteuid() == 0, "PA mode's declined case reads pagemap and needs root");
	test_require_hugepages(16);
	sl_eal_register_hook(&hook);
	REQUIRE(test_eal_init(args) >= 0, "init failed: %s", strerror(errno));
	CHECK(sl_eal_iova_mode() == SL_IOVA_PA);

	/* the -m memory: PAs from the source, per page */
	CHECK_MSG(st.calls == 1, "source called %u times for the -m memory", st.calls);
	CHECK(st.last_page_size == (size_t)2 << 20);
	CHECK_MSG(st.last_fd >= 0, "the source was not given the segment's fd (%d)", st.last_fd);
	mem = sl_dma_zmalloc("pa", 4096, 0);
	REQUIRE(mem != NULL, "zmalloc: %s", strerror(errno));
	ms = sl_mem_virt2memseg(mem);
	REQUIRE(ms != NULL, "no segment for heap memory");
	CHECK(ms->iova == SL_BAD_IOVA); /* the fake PAs are not contiguous */
	iova = sl_mem_virt2iova(ms->va);
	CHECK_MSG(iova == FAKE_PA, "page 0 IOVA 0x%" PRIx64, iova);
	iova = sl_mem_virt2iova((char *)ms->va + (2u << 20) + 100);
	CHECK_MSG(iova == FAKE_PA + 2 * (2u << 20) + 100, "page 1 IOVA 0x%" PRIx64, iova);

	/* a source that fails: the reservation fails with its errno; it hears
	 * the release of the memory it refused */
	st.refuse = true;
	errno = 0;
	big = sl_dma_zmalloc("refused", (size_t)12 << 20, 0);
	CHECK(big == NULL && errno == ENOSPC);
	CHECK_MSG(st.refused == 1 && st.refused_va_released,
		  "refused %u, its memory released to the source: %d", st.refused, st.refused_va_released);
	st.refuse = false;

	/* a source that declines: the EAL reads pagemap (real PAs) */
	st.decline = true;
	big = sl_dma_zmalloc("declined", (size_t)12 << 20, 0);
	REQUIRE(big != NULL, "growth with a declining source: %s", strerror(errno));
	iova = sl_mem_virt2iova(big);
	CHECK(st.declined == 1);
	CHECK_MSG(iova != SL_BAD_IOVA && (iova < FAKE_PA || iova >= FAKE_PA + (1ull << 36)),
		  "declined, yet IOVA 0x%" PRIx64, iova);
	st.decline = false;

	/* one source at a time */
	errno = 0;
	CHECK(sl_mem_set_pa_source(other_source, NULL, NULL) == -1 && errno == EBUSY);
	CHECK(sl_mem_set_pa_source(source, release, &st) == 0); /* the same again: fine */

	unsigned released_before = st.releases;
	sl_dma_free(big);
	sl_dma_free(mem);
	sl_eal_cleanup();
	CHECK_MSG(st.releases >= released_before + 2, "cleanup released %u segment(s) to the source",
		  st.releases - released_before);
	/* forgotten: installing another one works now */
	CHECK(sl_mem_set_pa_source(other_source, NULL, NULL) == 0);
	CHECK(sl_mem_set_pa_source(NULL, NULL, NULL) == 0);
	return test_result("test_eal_pa_source");
}
