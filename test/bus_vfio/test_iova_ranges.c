/* test_iova_ranges.c: dma_map's IOVA range logic (normalize/merge after a
 * re-query, intersection, fit, reserved-window refusal, choosing an IOVA
 * when VA does not fit) and the RLIMIT_MEMLOCK / type1 dma_entry_limit
 * arithmetic and messages. */
#include <stdint.h>
#include <unistd.h>

#include "dma_map_internal.h"
#include "test_util.h"

/* What IOMMU_IOAS_IOVA_RANGES reported in the guest with VT-d, aw-bits=48. */
static const struct sl_iova_range vtd[] = {
	{ 0, 0xfedfffffULL },
	{ 0xfef00000ULL, 0xffffffffffffULL },
};

static void test_normalize(void)
{
	struct sl_iova_range r[] = {
		{ 0x5000, 0x5fff }, { 0x1000, 0x1fff }, { 0x2000, 0x2fff }, /* adjacent */
		{ 0x1800, 0x27ff },                                        /* overlapping */
		{ 0x9000, 0x8000 },                                        /* empty: dropped */
		{ 0x6000, 0x6fff },                                        /* adjacent to 0x5000 */
	};
	unsigned n = sl_iova_ranges_normalize(r, SL_DIM(r));
	CHECK(n == 2);
	CHECK(r[0].start == 0x1000 && r[0].last == 0x2fff);
	CHECK(r[1].start == 0x5000 && r[1].last == 0x6fff);

	/* A range ending at UINT64_MAX merges without overflow. */
	struct sl_iova_range top[] = { { 0x10, UINT64_MAX }, { 0x20, 0x30 }, { 0, 0xf } };
	n = sl_iova_ranges_normalize(top, 3);
	CHECK(n == 1 && top[0].start == 0 && top[0].last == UINT64_MAX);
	CHECK(sl_iova_ranges_normalize(top, 0) == 0);
}

static void test_intersect(void)
{
	/* Two devices' ranges (a re-query after a second attach narrows). */
	const struct sl_iova_range a[] = { { 0, 0xfedfffff }, { 0xfef00000, 0xffffffffffff } };
	const struct sl_iova_range b[] = { { 0x1000, 0x7fffffffff } }; /* 39-bit device */
	struct sl_iova_range out[4];
	unsigned n = sl_iova_ranges_intersect(a, 2, b, 1, out, 4);
	CHECK(n == 2);
	CHECK(out[0].start == 0x1000 && out[0].last == 0xfedfffff);
	CHECK(out[1].start == 0xfef00000 && out[1].last == 0x7fffffffff);
	/* Disjoint: nothing usable. */
	const struct sl_iova_range c[] = { { 0xfee00000, 0xfeefffff } };
	CHECK(sl_iova_ranges_intersect(a, 2, c, 1, out, 4) == 0);
	/* Count is exact even when OUT is too small. */
	CHECK(sl_iova_ranges_intersect(a, 2, b, 1, out, 1) == 2);
}

static void test_fit(void)
{
	CHECK(sl_iova_ranges_fit(vtd, 2, 0x7f0000000000ULL, 2 << 20)); /* a hugepage VA */
	CHECK(sl_iova_ranges_fit(vtd, 2, 0, 0x1000));
	CHECK(sl_iova_ranges_fit(vtd, 2, 0xfed00000, 0x100000));        /* ends at the window */
	CHECK(!sl_iova_ranges_fit(vtd, 2, 0xfed00000, 0x100001));       /* one byte into it */
	CHECK(!sl_iova_ranges_fit(vtd, 2, 0xfee00000, 0x1000));         /* inside the MSI window */
	CHECK(!sl_iova_ranges_fit(vtd, 2, 0xfec00000, 0x400000));       /* spans the window */
	CHECK(!sl_iova_ranges_fit(vtd, 2, 0xffffffffe000ULL, 0x4000));  /* past aw-bits */
	CHECK(!sl_iova_ranges_fit(vtd, 2, 0x1000, 0));                  /* zero length */
	CHECK(!sl_iova_ranges_fit(vtd, 2, UINT64_MAX - 0xfff, 0x2000)); /* wraps */
	CHECK(!sl_iova_ranges_fit(NULL, 0, 0x1000, 0x1000));            /* no ranges */
}

static void test_check_messages(void)
{
	char msg[640];

	CHECK(sl_iova_check(vtd, 2, 0x7f0000000000ULL, 0x200000, "seg", msg, sizeof(msg)) == 0);

	CHECK(sl_iova_check(vtd, 2, 0xfee00000, 0x200000, "dev0: packet memory", msg, sizeof(msg)) == -1);
	CHECK_CONTAINS(msg, "dev0: packet memory");
	CHECK_CONTAINS(msg, "reserved window 0xfee00000-0xfeefffff");
	CHECK_CONTAINS(msg, "0x0-0xfedfffff, 0xfef00000-0xffffffffffff");

	CHECK(sl_iova_check(vtd, 2, 0x1000000000000ULL, 0x1000, "x", msg, sizeof(msg)) == -1);
	CHECK_CONTAINS(msg, "outside the usable IOVA ranges");

	CHECK(sl_iova_check(vtd, 2, 0x1000, 0, "z", msg, sizeof(msg)) == -1);
	CHECK_CONTAINS(msg, "zero-length");

	char fmt[64];
	sl_iova_ranges_format(NULL, 0, fmt, sizeof(fmt));
	CHECK(strcmp(fmt, "(none)") == 0);
}

static void test_memlock(void)
{
	char msg[640] = "";
	const uint64_t MiB = 1 << 20;

	/* Fits. */
	CHECK(sl_dma_memlock_check(0, 64 * MiB, 128 * MiB, false, msg, sizeof(msg)) == 0);
	CHECK(sl_dma_memlock_check(64 * MiB, 64 * MiB, 128 * MiB, false, msg, sizeof(msg)) == 0);
	/* Unlimited, CAP_IPC_LOCK, nothing new: never refused. */
	CHECK(sl_dma_memlock_check(0, 1ULL << 40, SL_RLIM_INFINITY, false, msg, sizeof(msg)) == 0);
	CHECK(sl_dma_memlock_check(0, 1ULL << 40, 8 * MiB, true, msg, sizeof(msg)) == 0);
	CHECK(sl_dma_memlock_check(1ULL << 40, 0, 8 * MiB, false, msg, sizeof(msg)) == 0);
	/* Too low: 8 MiB limit, 1 MiB locked, 64 MiB more -> 66560 KiB needed. */
	CHECK(sl_dma_memlock_check(1 * MiB, 64 * MiB, 8 * MiB, false, msg, sizeof(msg)) == -1);
	CHECK_CONTAINS(msg, "RLIMIT_MEMLOCK");
	CHECK_CONTAINS(msg, "65536 KiB more");
	CHECK_CONTAINS(msg, "1024 KiB already locked");
	CHECK_CONTAINS(msg, "limit is 8192 KiB");
	CHECK_CONTAINS(msg, "ulimit -l 66560");
	CHECK_CONTAINS(msg, "CAP_IPC_LOCK");
	/* Partial KiB rounds up. */
	CHECK(sl_dma_memlock_check(0, 4097 * 1024 + 1, 4096 * 1024, false, msg, sizeof(msg)) == -1);
	CHECK_CONTAINS(msg, "ulimit -l 4098");
}

static void test_entry_limit(void)
{
	char msg[640] = "";

	CHECK(sl_dma_entry_check(0, 100, 65535, UINT32_MAX, msg, sizeof(msg)) == 0);
	CHECK(sl_dma_entry_check(65000, 535, 65535, UINT32_MAX, msg, sizeof(msg)) == 0);
	CHECK(sl_dma_entry_check(65000, 536, 65535, UINT32_MAX, msg, sizeof(msg)) == -1);
	CHECK_CONTAINS(msg, "65536 DMA mappings");
	CHECK_CONTAINS(msg, "dma_entry_limit is 65535");
	CHECK_CONTAINS(msg, "echo 65536 > /sys/module/vfio_iommu_type1/parameters/dma_entry_limit");
	/* The kernel's DMA_AVAIL count wins when it is smaller (other users). */
	CHECK(sl_dma_entry_check(0, 10, 65535, 4, msg, sizeof(msg)) == -1);
	CHECK_CONTAINS(msg, "only 4 more");
	CHECK_CONTAINS(msg, "at least 65541");
	CHECK(sl_dma_entry_check(0, 4, 65535, 4, msg, sizeof(msg)) == 0);
	/* Limit unknown, no avail: accepted. */
	CHECK(sl_dma_entry_check(1000000, 1, SL_DMA_LIMIT_UNKNOWN, UINT32_MAX, msg, sizeof(msg)) == 0);
	CHECK(sl_dma_entry_check(0, 0, 1, 0, msg, sizeof(msg)) == 0);
	/* A limit of 0 (as the guest test sets it) is a limit, not "unknown". */
	CHECK(sl_dma_entry_check(0, 1, 0, 0, msg, sizeof(msg)) == -1);
	CHECK_CONTAINS(msg, "dma_entry_limit is 0");
	CHECK_CONTAINS(msg, "echo 1 > /sys/module/vfio_iommu_type1/parameters/dma_entry_limit");
	CHECK(sl_dma_entry_check(0, 1, 0, UINT32_MAX, msg, sizeof(msg)) == -1);
}

static void test_proc_readers(void)
{
	char path[] = "/tmp/sl_status_XXXXXX";
	int fd = mkstemp(path);
	FILE *f;

	CHECK(fd >= 0);
	f = fdopen(fd, "w");
	fprintf(f, "Name:\ttest\nVmPeak:\t  1000 kB\nVmLck:\t     12 kB\nVmPin:\t   2048 kB\n");
	fclose(f);
	CHECK(sl_dma_read_status_field(path, "VmLck") == 12 * 1024);
	CHECK(sl_dma_read_status_field(path, "VmPin") == 2048 * 1024);
	CHECK(sl_dma_read_status_field(path, "VmHWM") == -1);
	CHECK(sl_dma_read_locked_bytes(path) == (12 + 2048) * 1024);

	f = fopen(path, "w");
	fprintf(f, "65535\n");
	fclose(f);
	CHECK(sl_dma_read_entry_limit(path) == 65535);
	unlink(path);
	CHECK(sl_dma_read_entry_limit(path) == SL_DMA_LIMIT_UNKNOWN);
	CHECK(sl_dma_read_locked_bytes(path) == 0);
	/* The real file parses (values are whatever this process has). */
	CHECK(sl_dma_read_status_field("/proc/self/status", "VmLck") >= 0);
}

static void test_backend_names(void)
{
	CHECK(sl_dma_backend_parse("iommufd") == SL_DMA_BACKEND_IOMMUFD);
	CHECK(sl_dma_backend_parse("type1") == SL_DMA_BACKEND_TYPE1);
	CHECK(sl_dma_backend_parse("noiommu") == SL_DMA_BACKEND_NOIOMMU);
	CHECK(sl_dma_backend_parse("auto") == SL_DMA_BACKEND_NONE);
	CHECK(sl_dma_backend_parse(NULL) == SL_DMA_BACKEND_NONE);
	CHECK(strcmp(sl_dma_backend_name(SL_DMA_BACKEND_TYPE1), "type1") == 0);
}

static void test_choose(void)
{
	/* 39-bit VT-d: 0-0xfedfffff and 0xfef00000-0x7fffffffff */
	const struct sl_iova_range aw39[] = { { 0, 0xfedfffff }, { 0xfef00000, 0x7fffffffffULL } };
	const uint64_t mb2 = 2 << 20, gb4 = 1ULL << 32;
	struct sl_iova_busy busy[3];

	/* VA that fits and is free is kept (IOVA = VA) */
	CHECK(sl_iova_choose(aw39, 2, NULL, 0, 0x100000000ULL, 64 * mb2, mb2, gb4) == 0x100000000ULL);
	/* VA above 2^39: the lowest free, aligned IOVA from 4 GiB up */
	CHECK(sl_iova_choose(aw39, 2, NULL, 0, 0x7e0000000000ULL, 64 * mb2, mb2, gb4) == gb4);
	/* ... past a segment that holds 4 GiB already, aligned up after it */
	busy[0] = (struct sl_iova_busy){ gb4, 3 * mb2 + 4096 };
	CHECK(sl_iova_choose(aw39, 2, busy, 1, 0x7e0000000000ULL, mb2, mb2, gb4) == gb4 + 4 * mb2);
	/* a VA that is itself taken as someone's IOVA is not reused */
	CHECK(sl_iova_choose(aw39, 2, busy, 1, gb4, mb2, mb2, gb4) == gb4 + 4 * mb2);
	/* several busy intervals in any order */
	busy[1] = (struct sl_iova_busy){ gb4 + 4 * mb2, mb2 };
	busy[2] = (struct sl_iova_busy){ gb4 + 6 * mb2, mb2 };
	CHECK(sl_iova_choose(aw39, 2, busy, 3, UINT64_MAX - mb2 + 1, mb2, mb2, gb4) == gb4 + 5 * mb2);
	CHECK(sl_iova_choose(aw39, 2, busy, 3, 0x7e0000000000ULL, 2 * mb2, mb2, gb4) == gb4 + 7 * mb2);
	/* a low VA that fits and is free is kept even below the floor */
	CHECK(sl_iova_choose(aw39, 2, busy, 3, 0, 2 * mb2, mb2, gb4) == 0);
	/* an unaligned VA is not taken as it is */
	CHECK(sl_iova_choose(aw39, 2, NULL, 0, 0x7f001000ULL, mb2, mb2, gb4) == gb4);
	/* VA in the MSI window: refused as is, placed elsewhere */
	CHECK(sl_iova_choose(aw39, 2, NULL, 0, 0xfee00000ULL, mb2, mb2, 1 << 20) == mb2);
	/* a 32-bit-only IOMMU: nothing from 4 GiB up, found from the low floor */
	const struct sl_iova_range low[] = { { 0, 0xfedfffff } };
	CHECK(sl_iova_choose(low, 1, NULL, 0, 0x7e0000000000ULL, mb2, mb2, gb4) == SL_IOVA_NONE);
	CHECK(sl_iova_choose(low, 1, NULL, 0, 0x7e0000000000ULL, mb2, mb2, 1 << 20) == mb2);
	/* never straddles the MSI window: a range too short is skipped */
	const struct sl_iova_range holes[] = { { 0xfed00000, 0xfedfffff }, { 0xfef00000, 0x1ffffffff } };
	CHECK(sl_iova_choose(holes, 2, NULL, 0, 0, mb2, mb2, 0) == 0xff000000ULL);
	/* full: no room at all */
	const struct sl_iova_range tiny[] = { { 0x200000, 0x3fffff } };
	busy[0] = (struct sl_iova_busy){ 0x200000, 0x200000 };
	CHECK(sl_iova_choose(tiny, 1, busy, 1, 0, mb2, mb2, 0) == SL_IOVA_NONE);
	/* nothing usable above the top of the address space: no wrap */
	const struct sl_iova_range all[] = { { 0, UINT64_MAX } };
	busy[0] = (struct sl_iova_busy){ UINT64_MAX - mb2 + 1, mb2 };
	CHECK(sl_iova_choose(all, 1, busy, 1, UINT64_MAX - mb2 + 1, mb2, mb2, UINT64_MAX - mb2 + 1) ==
	      SL_IOVA_NONE);
	/* bad arguments */
	CHECK(sl_iova_choose(aw39, 2, NULL, 0, 0, 0, mb2, 0) == SL_IOVA_NONE);
	CHECK(sl_iova_choose(aw39, 2, NULL, 0, 0, mb2, 3 << 20, 0) == SL_IOVA_NONE);
	/* overlap, inclusive ends, no wrap at the top */
	CHECK(sl_iova_overlap(0x1000, 0x1000, 0x1fff, 1));
	CHECK(!sl_iova_overlap(0x1000, 0x1000, 0x2000, 1));
	CHECK(!sl_iova_overlap(0x1000, 0, 0x1000, 1));
	CHECK(sl_iova_overlap(UINT64_MAX - 1, 2, 0, UINT64_MAX));
	CHECK(!sl_iova_overlap(UINT64_MAX, 1, 0, UINT64_MAX)); /* [0, 2^64 - 2] */
}

int main(void)
{
	test_normalize();
	test_intersect();
	test_fit();
	test_choose();
	test_check_messages();
	test_memlock();
	test_entry_limit();
	test_proc_readers();
	test_backend_names();
	return test_result("test_iova_ranges");
}
