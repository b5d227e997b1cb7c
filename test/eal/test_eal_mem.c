/* test_eal_mem.c: VA->IOVA on every memory source. Run once per source:
 *   nohuge          --no-huge: locked anonymous 4 KiB pages
 *   memfd           no hugetlbfs mounted: memfd_create(MFD_HUGETLB)
 *   hugetlbfs       --huge-dir of a hugetlbfs this test mounts
 *   hugetlbfs-auto  the same mount, found in /proc/mounts
 *   pa-memfd        --iova-mode pa on memfd hugepages
 *   pa-hugetlbfs    --iova-mode pa on a hugetlbfs mount
 * For each it checks the source the EAL chose and logged, that every
 * sampled byte of every segment (initial and grown) translates to the
 * right IOVA (the VA itself, or in PA mode the physical address this test
 * reads from /proc/self/pagemap on its own), that heap blocks stay inside
 * one page, that foreign addresses give SL_BAD_IOVA, and that hugetlbfs
 * leaves no file behind. Mounts happen in a private mount namespace. */
#include <dirent.h>
#include <stdint.h>

#include "eal_test.h"

static bool pa_mode;
static int pagemap_fd = -1;

static uint64_t expected_iova(const void *va)
{
	uintptr_t a = (uintptr_t)va;
	uint64_t entry = 0;

	if (!pa_mode)
		return (uint64_t)a;
	if (pread(pagemap_fd, &entry, sizeof(entry), (off_t)(a / 4096) * 8) != sizeof(entry))
		return 0;
	if (!(entry & (1ull << 63)))
		return 0;
	return (entry & ((1ull << 55) - 1)) * 4096 + (a & 4095);
}

struct seg_check {
	enum sl_mem_source source;
	size_t page_size;
	unsigned nsegs;
	size_t total;
	uint64_t rnd;
};

static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void check_byte(const struct sl_memseg *seg, size_t off)
{
	const char *va = (const char *)seg->va + off;
	uint64_t got = sl_mem_virt2iova(va), want = expected_iova(va);

	CHECK_MSG(got == want, "va %p (segment %p + %zu): iova 0x%llx, expected 0x%llx",
		  (const void *)va, seg->va, off, (unsigned long long)got, (unsigned long long)want);
	CHECK(sl_mem_virt2memseg(va) == seg);
	if (seg->iova != SL_BAD_IOVA)
		CHECK(got == seg->iova + off);
}

static int check_seg(const struct sl_memseg *seg, void *arg)
{
	struct seg_check *c = arg;

	c->nsegs++;
	c->total += seg->len;
	CHECK(seg->source == c->source);
	CHECK(seg->page_size == c->page_size);
	CHECK(seg->len > 0 && seg->len % seg->page_size == 0);
	CHECK((uintptr_t)seg->va % seg->page_size == 0);
	CHECK(c->source == SL_MEM_ANON_4K ? seg->fd == -1 : seg->fd >= 0);
	if (!pa_mode)
		CHECK(seg->iova == (uint64_t)(uintptr_t)seg->va);
	/* every page: its first, second and last byte, and one at random */
	for (size_t off = 0; off < seg->len; off += seg->page_size) {
		check_byte(seg, off);
		check_byte(seg, off + 1);
		check_byte(seg, off + seg->page_size - 1);
		check_byte(seg, off + next_rand(&c->rnd) % seg->page_size);
	}
	/* and bytes anywhere */
	for (int i = 0; i < 2000; i++)
		check_byte(seg, next_rand(&c->rnd) % seg->len);
	/* just outside is not this segment */
	CHECK(sl_mem_virt2memseg((const char *)seg->va + seg->len) != seg);
	CHECK(sl_mem_virt2memseg((const char *)seg->va - 1) != seg);
	return 0;
}

static void check_blocks(size_t page_size)
{
	static const size_t sizes[] = {1, 63, 64, 100, 1000, 2048, 3000, 4095, 4096, 4097,
				       10000, 65536, 1 << 20, 3 << 20};
	void *blocks[SL_DIM(sizes) * 3];
	unsigned n = 0;

	for (int round = 0; round < 3; round++) {
		for (size_t i = 0; i < SL_DIM(sizes); i++) {
			size_t align = round == 0 ? 0 : (round == 1 ? 4096 : 128);
			unsigned char *p = sl_dma_zmalloc("blk", sizes[i], align);
			REQUIRE(p != NULL, "sl_dma_zmalloc(%zu): %s", sizes[i], strerror(errno));
			blocks[n++] = p;
			CHECK((uintptr_t)p % (align ? align : SL_CACHE_LINE_SIZE) == 0);
			if (sizes[i] <= page_size)
				CHECK_MSG((uintptr_t)p / page_size ==
						  ((uintptr_t)p + sizes[i] - 1) / page_size,
					  "block of %zu at %p crosses a page", sizes[i], (void *)p);
			bool zero = true;
			for (size_t k = 0; k < sizes[i]; k++)
				zero &= (p[k] == 0);
			CHECK(zero);
			memset(p, 0xa5, sizes[i]);
			uint64_t iova = sl_mem_virt2iova(p);
			CHECK(iova != SL_BAD_IOVA && iova == expected_iova(p));
			if (sizes[i] <= page_size) /* one page: IOVA-contiguous */
				CHECK(sl_mem_virt2iova(p + sizes[i] - 1) == iova + sizes[i] - 1);
		}
	}
	for (unsigned i = 0; i < n; i++)
		sl_dma_free(blocks[i]);
}

static unsigned count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned n = 0;

	if (d == NULL)
		return 9999;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* VmLck of this process, in bytes. */
static size_t locked_bytes(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	unsigned long kb = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %lu kB", &kb) == 1)
			break;
	fclose(f);
	return (size_t)kb << 10;
}

static int first_fd(const struct sl_memseg *seg, void *arg)
{
	*(int *)arg = seg->fd;
	return 1;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "nohuge";
	const char *args[16] = {"test_eal_mem", "-l", "0", "-m", "8"};
	int nargs = 5;
	char dir[64] = "", want_log[256];
	struct seg_check c = {.rnd = 0x9e3779b97f4a7c15ull};
	bool hugetlbfs = false;
	const char *out;

	if (strcmp(mode, "nohuge") == 0) {
		args[nargs++] = "--no-huge";
		c.source = SL_MEM_ANON_4K;
		c.page_size = 4096;
		snprintf(want_log, sizeof(want_log), "memory: 8 MiB from locked anonymous 4 KiB pages");
	} else if (strcmp(mode, "memfd") == 0 || strcmp(mode, "pa-memfd") == 0) {
		test_require_hugepages(8);
		test_private_mounts();
		test_unmount_all_hugetlbfs();
		c.source = SL_MEM_MEMFD_HUGE;
		c.page_size = 2 << 20;
		snprintf(want_log, sizeof(want_log),
			 "memory: 8 MiB from memfd (2 MiB hugepages; no hugetlbfs mounted)");
	} else if (strcmp(mode, "hugetlbfs") == 0 || strcmp(mode, "hugetlbfs-auto") == 0 ||
		   strcmp(mode, "pa-hugetlbfs") == 0) {
		test_require_hugepages(8);
		test_private_mounts();
		test_unmount_all_hugetlbfs();
		test_mount_hugetlbfs(dir, sizeof(dir), "2M");
		hugetlbfs = true;
		c.source = SL_MEM_HUGETLBFS;
		c.page_size = 2 << 20;
		if (strcmp(mode, "hugetlbfs-auto") == 0) {
			snprintf(want_log, sizeof(want_log),
				 "memory: 8 MiB from hugetlbfs %s (2 MiB pages, found in /proc/mounts)",
				 dir);
		} else {
			args[nargs++] = "--huge-dir";
			args[nargs++] = dir;
			snprintf(want_log, sizeof(want_log),
				 "memory: 8 MiB from hugetlbfs %s (2 MiB pages, --huge-dir)", dir);
		}
	} else {
		REQUIRE(0, "unknown mode '%s'", mode);
	}
	if (strncmp(mode, "pa-", 3) == 0) {
		REQUIRE(geteuid() == 0, "PA mode reads physical addresses and needs root");
		pa_mode = true;
		args[nargs++] = "--iova-mode";
		args[nargs++] = "pa";
		pagemap_fd = open("/proc/self/pagemap", O_RDONLY);
		REQUIRE(pagemap_fd >= 0, "/proc/self/pagemap: %s", strerror(errno));
	}
	args[nargs] = NULL;

	sl_log_set_level(SL_LOG_NOTICE);
	log_capture_start();
	int ret = test_eal_init(args);
	out = log_capture_stop();
	REQUIRE(ret == nargs - 1, "init (%s) failed: %s", mode, strerror(errno));
	CHECK_MSG(strstr(out, want_log) != NULL, "log lacks '%s'", want_log);
	CHECK(strstr(out, pa_mode ? "IOVA mode PA" : "IOVA mode VA") != NULL);
	CHECK(sl_eal_iova_mode() == (pa_mode ? SL_IOVA_PA : SL_IOVA_VA));
	if (hugetlbfs) {
		CHECK(strcmp(sl_eal_get_config()->huge_dir, dir) == 0);
		CHECK_MSG(count_files(dir) == 0, "files left in %s", dir);
	} else {
		CHECK(sl_eal_get_config()->huge_dir[0] == '\0');
	}

	/* 4 KiB pages are locked in memory (hugepages cannot be swapped) */
	if (c.source == SL_MEM_ANON_4K)
		CHECK_MSG(locked_bytes() >= (size_t)8 << 20, "VmLck %zu", locked_bytes());

	/* the initial segment */
	CHECK(sl_memseg_walk(check_seg, &c) == 0);
	CHECK(c.nsegs >= 1 && c.total >= (size_t)8 << 20);

	/* memory added later: more than -m asks for makes the heap grow */
	void *big = sl_dma_zmalloc("grow", (size_t)12 << 20, 0);
	REQUIRE(big != NULL, "growing the heap by 12 MiB: %s", strerror(errno));
	unsigned before = c.nsegs;
	c.nsegs = 0;
	c.total = 0;
	CHECK(sl_memseg_walk(check_seg, &c) == 0);
	CHECK(c.nsegs == before + 1 && c.total >= (size_t)20 << 20);
	CHECK(sl_mem_virt2iova((char *)big + ((size_t)12 << 20) - 1) ==
	      expected_iova((char *)big + ((size_t)12 << 20) - 1));
	if (hugetlbfs)
		CHECK_MSG(count_files(dir) == 0, "files left in %s after growth", dir);

	check_blocks(c.page_size);
	sl_dma_free(big);

	/* addresses that are not EAL memory */
	int on_stack;
	void *from_malloc = malloc(64);
	CHECK(sl_mem_virt2iova(&on_stack) == SL_BAD_IOVA);
	CHECK(sl_mem_virt2iova(from_malloc) == SL_BAD_IOVA);
	CHECK(sl_mem_virt2iova(NULL) == SL_BAD_IOVA);
	CHECK(sl_mem_virt2memseg(from_malloc) == NULL);
	free(from_malloc);

	/* cleanup releases everything */
	int fd = -1;
	sl_memseg_walk(first_fd, &fd);
	const struct sl_memseg *any = sl_mem_virt2memseg(big);
	void *old_va = any ? any->va : NULL;
	CHECK(sl_eal_cleanup() == 0);
	CHECK(sl_mem_virt2iova(old_va) == SL_BAD_IOVA);
	if (fd >= 0)
		CHECK(fcntl(fd, F_GETFD) == -1 && errno == EBADF);
	if (hugetlbfs)
		test_umount_hugetlbfs(dir);
	if (pagemap_fd >= 0)
		close(pagemap_fd);
	return test_result("test_eal_mem");
}
