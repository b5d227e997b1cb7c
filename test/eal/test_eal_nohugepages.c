/* test_eal_nohugepages.c: the error when hugepages are asked for and not
 * there. A request larger than every free 2 MiB page, heap growth past the
 * free pages (argument "2m") and a hugetlbfs of 1 GiB pages with none
 * reserved (argument "1g") must each fail with ENOMEM and a message that
 * names the fix (how many pages to reserve and where, or --no-huge), leave
 * nothing behind, and let a later init succeed. The 1 GiB case needs a
 * kernel and CPU with 1 GiB pages (x86 pdpe1gb); elsewhere it is not
 * applicable (exit 77) and says so, and the size-independent logic it
 * shares with 2 MiB pages is what the "2m" cases test. */
#include "eal_test.h"

#define PAGES_1G "/sys/kernel/mm/hugepages/hugepages-1048576kB"
#define PAGES_2M "/sys/kernel/mm/hugepages/hugepages-2048kB"

static void check_down(void)
{
	CHECK(sl_lcore_count() == 0);
	CHECK(test_nsegs() == 0);
	CHECK(sl_eal_cleanup() == -1);
}

static void test_1g_mount_without_pages(void)
{
	char dir[64], arg_dir[64];
	const char *out;

	if (access(PAGES_1G, F_OK) != 0)
		NOT_APPLICABLE("this machine has no 1 GiB hugepage pool (%s missing: the CPU "
			       "lacks 1 GiB pages or the kernel does not offer them)",
			       PAGES_1G);
	if (test_sysfs_long(PAGES_1G "/free_hugepages") != 0)
		NOT_APPLICABLE("1 GiB hugepages are reserved here (%s/free_hugepages > 0), "
			       "so none-free cannot be tested", PAGES_1G);
	test_mount_hugetlbfs(dir, sizeof(dir), "1G");
	snprintf(arg_dir, sizeof(arg_dir), "%s", dir);
	const char *args[] = {"t", "-l", "0", "-m", "8", "--huge-dir", arg_dir, NULL};

	log_capture_start();
	errno = 0;
	int ret = test_eal_init(args);
	int err = errno;
	out = log_capture_stop();
	CHECK(ret == -1 && err == ENOMEM);
	CHECK(strstr(out, "reserving 8 MiB at init (-m) needs 1 hugepage of 1 GiB") != NULL);
	CHECK(strstr(out, "echo 1 > " PAGES_1G "/nr_hugepages") != NULL);
	CHECK(strstr(out, "--no-huge") != NULL);
	check_down();
	test_umount_hugetlbfs(dir);
}

static void test_more_than_free(void)
{
	long total = test_sysfs_long(PAGES_2M "/nr_hugepages");
	long want_pages = total + 16; /* more than could ever be free */
	char mb[32], need[64];
	const char *out;

	REQUIRE(total >= 0, "no 2 MiB hugepage pool");
	snprintf(mb, sizeof(mb), "%ld", want_pages * 2);
	snprintf(need, sizeof(need), "needs %ld hugepages of 2 MiB", want_pages);
	const char *args[] = {"t", "-l", "0", "-m", mb, NULL};

	log_capture_start();
	errno = 0;
	int ret = test_eal_init(args);
	int err = errno;
	out = log_capture_stop();
	CHECK(ret == -1 && err == ENOMEM);
	CHECK_MSG(strstr(out, need) != NULL, "'%s' missing", need);
	CHECK(strstr(out, "> " PAGES_2M "/nr_hugepages") != NULL);
	CHECK(strstr(out, "--no-huge") != NULL);
	/* the number to echo is at least what is reserved plus what is missing */
	const char *echo = strstr(out, "'echo ");
	long n = -1;
	CHECK(echo != NULL && sscanf(echo, "'echo %ld", &n) == 1 && n >= want_pages);
	check_down();
}

static void test_growth_past_free(void)
{
	const char *args[] = {"t", "-l", "0", "-m", "4", NULL};
	long total = test_sysfs_long(PAGES_2M "/nr_hugepages");
	const char *out;

	test_require_hugepages(2);
	REQUIRE(test_eal_init(args) >= 0, "init -m 4 on hugepages: %s", strerror(errno));
	unsigned before = test_nsegs();
	log_capture_start();
	errno = 0;
	void *p = sl_dma_zmalloc("too-big", (size_t)(total + 16) * (2 << 20), 0);
	int err = errno;
	out = log_capture_stop();
	CHECK(p == NULL && err == ENOMEM);
	CHECK(strstr(out, "nr_hugepages") != NULL && strstr(out, "--no-huge") != NULL);
	CHECK(test_nsegs() == before);
	/* the heap still works */
	void *q = sl_dma_zmalloc("fine", 4096, 0);
	CHECK(q != NULL && sl_mem_virt2iova(q) != SL_BAD_IOVA);
	sl_dma_free(q);
	CHECK(sl_eal_cleanup() == 0);
}

int main(int argc, char **argv)
{
	const char *which = argc > 1 ? argv[1] : "";

	if (strcmp(which, "1g") != 0 && strcmp(which, "2m") != 0) {
		fprintf(stderr, "usage: %s 1g|2m\n", argv[0]);
		return 2;
	}
	test_private_mounts();
	if (strcmp(which, "1g") == 0) {
		test_1g_mount_without_pages();
	} else {
		test_more_than_free();
		test_growth_past_free();
	}
	/* after all those failures a plain init works */
	REQUIRE(test_eal_init((const char *const[]){"t", "-l", "0", "--no-huge", "-m", "4", NULL}) >=
			0,
		"init --no-huge after failures: %s", strerror(errno));
	CHECK(sl_eal_cleanup() == 0);
	return test_result("test_eal_nohugepages");
}
