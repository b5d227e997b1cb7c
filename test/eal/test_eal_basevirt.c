/* test_eal_basevirt.c: where the EAL places its segments. Run once per
 * memory source (nohuge, memfd, hugetlbfs). In each it initialises the
 * EAL three times:
 *   1. default base (4 GiB): the initial segment and a segment the heap
 *      grows by lie at or above 4 GiB and end below 2^39, so IOVA = VA
 *      fits an IOMMU with 39-bit addresses; the first starts at 4 GiB
 *      itself when that room was free;
 *   2. --base-virtaddr B with the first 4 MiB above B already mapped by
 *      this test: the segments go right after that mapping (the EAL moves
 *      up past taken room and never replaces a mapping);
 *   3. --base-virtaddr 0x7e0000000000 (where the kernel would put them on
 *      its own): the segments lie there, above 2^39.
 * The memory log line must give the VA span and the base. Under
 * AddressSanitizer the room from 2 GiB to 2 TiB is its shadow memory;
 * then case 1 must instead warn that the memory lies above 2^39, and B is
 * picked from what is free (1 GiB there, 256 GiB otherwise). */
#include <stdint.h>
#include <sys/mman.h>

#include "eal_test.h"

#define VA_39BIT ((uintptr_t)1 << 39)
#define DEFAULT_BASE ((uintptr_t)1 << 32)

/* No mapping of this process overlaps [lo, hi). */
static bool range_free(uintptr_t lo, uintptr_t hi)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	bool free_range = true;

	REQUIRE(f != NULL, "/proc/self/maps: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		unsigned long s, e;
		if (sscanf(line, "%lx-%lx", &s, &e) == 2 && s < hi && e > lo)
			free_range = false;
	}
	fclose(f);
	return free_range;
}

struct span {
	unsigned nsegs;
	uintptr_t lo, hi;
	size_t page_size;
};

static int seg_span(const struct sl_memseg *seg, void *arg)
{
	struct span *sp = arg;
	uintptr_t va = (uintptr_t)seg->va;

	if (sp->nsegs == 0 || va < sp->lo)
		sp->lo = va;
	if (va + seg->len > sp->hi)
		sp->hi = va + seg->len;
	sp->nsegs++;
	CHECK(va % seg->page_size == 0);
	CHECK(seg->iova == (uint64_t)va);
	CHECK(sl_mem_virt2iova((const char *)seg->va + seg->len - 1) == (uint64_t)va + seg->len - 1);
	sp->page_size = seg->page_size;
	return 0;
}

/* Init with ARGS (+ BASE_ARG if not NULL), grow the heap by a segment,
 * and return the span of all segments; the log of init in *LOG. */
static struct span run_init(const char *const *src_args, const char *base_arg, char *log,
			    size_t loglen)
{
	const char *args[16] = {"test_eal_basevirt", "-l", "0", "-m", "8"};
	int n = 5;
	struct span sp = {0};

	for (int i = 0; src_args[i] != NULL; i++)
		args[n++] = src_args[i];
	if (base_arg != NULL) {
		args[n++] = "--base-virtaddr";
		args[n++] = base_arg;
	}
	args[n] = NULL;
	sl_log_set_level(SL_LOG_NOTICE);
	log_capture_start();
	int ret = test_eal_init(args);
	const char *out = log_capture_stop();
	snprintf(log, loglen, "%s", out);
	REQUIRE(ret == n - 1, "init with base %s failed: %s; log:\n%s",
		base_arg ? base_arg : "(default)", strerror(errno), log);
	CHECK(sl_memseg_walk(seg_span, &sp) == 0);
	CHECK(sp.nsegs == 1);
	char want[128];
	snprintf(want, sizeof(want), "; VA 0x%lx-0x%lx (base 0x", (unsigned long)sp.lo,
		 (unsigned long)sp.hi - 1);
	CHECK_MSG(strstr(log, want) != NULL, "log lacks '%s':\n%s", want, log);

	/* growth: a block larger than -m makes a new segment */
	void *big = sl_dma_zmalloc("grow", (size_t)12 << 20, 0);
	REQUIRE(big != NULL, "growing the heap by 12 MiB: %s", strerror(errno));
	memset(big, 0x5a, (size_t)12 << 20);
	sp.nsegs = 0;
	CHECK(sl_memseg_walk(seg_span, &sp) == 0);
	CHECK(sp.nsegs == 2);
	return sp;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "nohuge";
	const char *nohuge_args[] = {"--no-huge", NULL};
	const char *none[] = {NULL};
	const char *huge_args[] = {"--huge-dir", NULL, NULL};
	const char *const *src;
	char dir[64] = "", log[16384], base_str[32];
	struct span sp;

	if (strcmp(mode, "nohuge") == 0) {
		src = nohuge_args;
	} else if (strcmp(mode, "memfd") == 0) {
		test_require_hugepages(16);
		test_private_mounts();
		test_unmount_all_hugetlbfs();
		src = none;
	} else if (strcmp(mode, "hugetlbfs") == 0) {
		test_require_hugepages(16);
		test_private_mounts();
		test_unmount_all_hugetlbfs();
		test_mount_hugetlbfs(dir, sizeof(dir), "2M");
		huge_args[1] = dir;
		src = huge_args;
	} else {
		REQUIRE(0, "unknown mode '%s'", mode);
	}

	/* 1. the default base */
	bool low_free = range_free(DEFAULT_BASE, VA_39BIT);
	sp = run_init(src, NULL, log, sizeof(log));
	CHECK_MSG(sp.lo >= DEFAULT_BASE, "segment at 0x%lx, below the default base 4 GiB",
		  (unsigned long)sp.lo);
	CHECK_MSG(strstr(log, "(base 0x100000000)") != NULL, "log lacks the default base:\n%s", log);
	if (low_free) {
		CHECK_MSG(sp.lo == DEFAULT_BASE, "first segment at 0x%lx, not at the free 4 GiB",
			  (unsigned long)sp.lo);
		CHECK_MSG(sp.hi <= VA_39BIT, "segments end at 0x%lx, above 2^39",
			  (unsigned long)sp.hi);
	} else {
		CHECK_MSG(strstr(log, "above 2^39") != NULL,
			  "4 GiB-2^39 was taken before init, but no warning:\n%s", log);
	}
	CHECK(sl_eal_cleanup() == 0);

	/* 2. an explicit base whose first 4 MiB are taken */
	uintptr_t base = range_free((uintptr_t)256 << 30, (uintptr_t)257 << 30)
				 ? (uintptr_t)256 << 30
				 : (uintptr_t)1 << 30;
	REQUIRE(range_free(base, base + ((size_t)64 << 20)), "no free room at 0x%lx",
		(unsigned long)base);
	void *blocker = mmap((void *)base, (size_t)4 << 20, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	REQUIRE(blocker == (void *)base, "mapping 4 MiB at 0x%lx: %s", (unsigned long)base,
		strerror(errno));
	snprintf(base_str, sizeof(base_str), "0x%lx", (unsigned long)base);
	sp = run_init(src, base_str, log, sizeof(log));
	CHECK_MSG(sp.lo == base + ((size_t)4 << 20),
		  "first segment at 0x%lx, expected right after the 4 MiB taken at 0x%lx",
		  (unsigned long)sp.lo, (unsigned long)base);
	CHECK(sp.hi <= VA_39BIT);
	char want[64];
	snprintf(want, sizeof(want), "(base %s)", base_str);
	CHECK_MSG(strstr(log, want) != NULL, "log lacks '%s':\n%s", want, log);
	CHECK(sl_eal_cleanup() == 0);
	/* the blocker was left alone */
	CHECK(!range_free(base, base + 4096));
	munmap(blocker, (size_t)4 << 20);

	/* 3. a high base, where the kernel itself maps things */
	sp = run_init(src, "0x7e0000000000", log, sizeof(log));
	CHECK_MSG(sp.lo >= (uintptr_t)0x7e0000000000 && sp.lo > VA_39BIT,
		  "segment at 0x%lx, not at or above 0x7e0000000000", (unsigned long)sp.lo);
	CHECK(sl_eal_cleanup() == 0);

	if (dir[0] != '\0')
		test_umount_hugetlbfs(dir);
	return test_result("test_eal_basevirt");
}
