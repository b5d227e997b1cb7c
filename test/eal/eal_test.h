/* eal_test.h: small helpers shared by the EAL unit tests: assertions that
 * say where and why they failed, capture of the EAL's log lines, a
 * private mount namespace for hugetlbfs mounts, and hugepage counts. */
#ifndef EAL_TEST_H
#define EAL_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "sl_eal.h"

static int test_failures;

#define CHECK(cond)                                                                    \
	do {                                                                           \
		if (!(cond)) {                                                         \
			fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
			test_failures++;                                               \
		}                                                                      \
	} while (0)

#define CHECK_MSG(cond, ...)                                                   \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
			test_failures++;                                       \
		}                                                              \
	} while (0)

/* Stop at once: later checks would only repeat the failure. */
#define REQUIRE(cond, ...)                                                     \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
			exit(1);                                               \
		}                                                              \
	} while (0)

/* The test does not apply on this machine (a missing CPU or kernel feature):
 * say why and exit 77, which meson reports as SKIP and the test command
 * counts as "not applicable", never as a pass. */
#define NOT_APPLICABLE(...)                                                    \
	do {                                                                   \
		printf("n/a: ");                                               \
		printf(__VA_ARGS__);                                           \
		printf("\n");                                                  \
		exit(77);                                                      \
	} while (0)

static inline int test_result(const char *name)
{
	if (test_failures) {
		fprintf(stderr, "%s: %d check(s) failed\n", name, test_failures);
		return 1;
	}
	printf("%s: all checks passed\n", name);
	return 0;
}

/* ---- log capture -------------------------------------------------------- */

static FILE *log_capture;
static char log_text[16384];

static inline void log_capture_start(void)
{
	if (log_capture == NULL)
		log_capture = tmpfile();
	REQUIRE(log_capture != NULL, "tmpfile: %s", strerror(errno));
	REQUIRE(ftruncate(fileno(log_capture), 0) == 0, "ftruncate");
	rewind(log_capture);
	sl_log_set_stream(log_capture);
}

/* Stop capturing; returns what was logged (also echoed to stderr). */
static inline const char *log_capture_stop(void)
{
	size_t n;

	sl_log_set_stream(NULL);
	fflush(log_capture);
	rewind(log_capture);
	n = fread(log_text, 1, sizeof(log_text) - 1, log_capture);
	log_text[n] = '\0';
	fputs(log_text, stderr);
	return log_text;
}

/* ---- argv --------------------------------------------------------------- */

/* sl_eal_init may rewrite argv, so each call gets a fresh copy. */
#define TEST_MAX_ARGS 32
struct test_argv {
	int argc;
	char *argv[TEST_MAX_ARGS + 1];
	char buf[2048];
};

static inline void test_argv_build(struct test_argv *a, const char *const *args)
{
	size_t off = 0;

	memset(a, 0, sizeof(*a));
	for (const char *const *p = args; *p != NULL && a->argc < TEST_MAX_ARGS; p++) {
		size_t n = strlen(*p) + 1;
		REQUIRE(off + n <= sizeof(a->buf), "arguments too long");
		memcpy(a->buf + off, *p, n);
		a->argv[a->argc++] = a->buf + off;
		off += n;
	}
}

/* sl_eal_init on a NULL-terminated list of arguments (program name first). */
static inline int test_eal_init(const char *const *args)
{
	struct test_argv a;

	test_argv_build(&a, args);
	return sl_eal_init(a.argc, a.argv);
}

/* ---- segments ----------------------------------------------------------- */

static inline int test_count_seg(const struct sl_memseg *seg, void *arg)
{
	(void)seg;
	(*(unsigned *)arg)++;
	return 0;
}

/* How many segments the registry holds. */
static inline unsigned test_nsegs(void)
{
	unsigned n = 0;

	sl_memseg_walk(test_count_seg, &n);
	return n;
}

/* ---- hugepages and mounts ---------------------------------------------- */

static inline long test_sysfs_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (f == NULL)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* Free (not reserved) 2 MiB hugepages right now. */
static inline long test_free_2m_hugepages(void)
{
	long f = test_sysfs_long("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages");
	long r = test_sysfs_long("/sys/kernel/mm/hugepages/hugepages-2048kB/resv_hugepages");

	if (f < 0)
		return 0;
	return f - (r > 0 ? r : 0);
}

/* A test that needs hugepages fails (never skips) when there are none. */
static inline void test_require_hugepages(long pages)
{
	long have = test_free_2m_hugepages();

	REQUIRE(have >= pages,
		"this test needs %ld free 2 MiB hugepages but %ld are free; reserve some with "
		"'echo 512 > /proc/sys/vm/nr_hugepages' (as root) before running the tests",
		pages, have);
}

/* Give this process its own mount namespace so that mounts made or
 * removed here vanish with it, whatever happens. Needs root. */
static inline void test_private_mounts(void)
{
	REQUIRE(geteuid() == 0, "this test mounts hugetlbfs and must run as root");
	REQUIRE(unshare(CLONE_NEWNS) == 0, "unshare(CLONE_NEWNS): %s", strerror(errno));
	REQUIRE(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0,
		"making mounts private: %s", strerror(errno));
}

/* Detach every hugetlbfs mount (in this process's private namespace). */
static inline void test_unmount_all_hugetlbfs(void)
{
	for (int round = 0; round < 16; round++) {
		FILE *f = fopen("/proc/mounts", "r");
		char line[1024], dev[256], mnt[512], type[64];
		int found = 0;

		REQUIRE(f != NULL, "/proc/mounts: %s", strerror(errno));
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "%255s %511s %63s", dev, mnt, type) == 3 &&
			    strcmp(type, "hugetlbfs") == 0) {
				REQUIRE(umount2(mnt, MNT_DETACH) == 0, "umount %s: %s", mnt,
					strerror(errno));
				found = 1;
			}
		}
		fclose(f);
		if (!found)
			return;
	}
}

/* Mount a hugetlbfs of PAGESIZE ("2M", "1G") on a new temporary directory. */
static inline void test_mount_hugetlbfs(char *dir, size_t len, const char *pagesize)
{
	char opts[64];

	snprintf(dir, len, "/tmp/sl-eal-test-XXXXXX");
	REQUIRE(mkdtemp(dir) != NULL, "mkdtemp: %s", strerror(errno));
	snprintf(opts, sizeof(opts), "pagesize=%s", pagesize);
	REQUIRE(mount("nodev", dir, "hugetlbfs", 0, opts) == 0, "mount -t hugetlbfs -o %s %s: %s",
		opts, dir, strerror(errno));
}

static inline void test_umount_hugetlbfs(const char *dir)
{
	CHECK_MSG(umount(dir) == 0, "umount %s: %s", dir, strerror(errno));
	CHECK_MSG(rmdir(dir) == 0, "rmdir %s: %s", dir, strerror(errno));
}

#endif /* EAL_TEST_H */
