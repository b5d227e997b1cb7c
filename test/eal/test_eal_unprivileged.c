/* test_eal_unprivileged.c: what root privileges the EAL leans on, taken
 * away one at a time. Without CAP_IPC_LOCK and with a small RLIMIT_MEMLOCK,
 * --no-huge (which locks its 4 KiB pages) must fail with a message naming
 * the limit and how to raise it, leave nothing behind, and work once the
 * request fits under the limit. Without CAP_SYS_ADMIN the kernel hides
 * physical addresses, so --iova-mode pa must fail saying so. */
#include <linux/capability.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include "eal_test.h"

static void drop_cap(int cap)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct data[2];

	REQUIRE(syscall(SYS_capget, &hdr, data) == 0, "capget: %s", strerror(errno));
	data[cap / 32].effective &= ~(1u << (cap % 32));
	REQUIRE(syscall(SYS_capset, &hdr, data) == 0, "capset: %s", strerror(errno));
}

static void test_pa_without_cap_sys_admin(void)
{
	const char *args[] = {"t", "-l", "0", "-m", "4", "--iova-mode", "pa", NULL};

	test_require_hugepages(2);
	drop_cap(CAP_SYS_ADMIN);
	log_capture_start();
	errno = 0;
	int ret = test_eal_init(args);
	int err = errno;
	const char *out = log_capture_stop();
	CHECK(ret == -1 && err == EPERM);
	CHECK(strstr(out, "--iova-mode pa") != NULL && strstr(out, "CAP_SYS_ADMIN") != NULL);
	CHECK(sl_lcore_count() == 0 && sl_eal_cleanup() == -1);
}

static void test_memlock(void)
{
	struct rlimit rl;
	const char *big[] = {"t", "-l", "0", "--no-huge", "-m", "8", NULL};
	const char *small[] = {"t", "-l", "0", "--no-huge", "-m", "1", NULL};

	drop_cap(CAP_IPC_LOCK);
	REQUIRE(getrlimit(RLIMIT_MEMLOCK, &rl) == 0, "getrlimit: %s", strerror(errno));
	rl.rlim_cur = 2 << 20; /* lowering needs no privilege */
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < rl.rlim_cur)
		rl.rlim_cur = rl.rlim_max;
	REQUIRE(rl.rlim_cur == 2 << 20, "RLIMIT_MEMLOCK hard limit below 2 MiB");
	REQUIRE(setrlimit(RLIMIT_MEMLOCK, &rl) == 0, "setrlimit: %s", strerror(errno));

	log_capture_start();
	errno = 0;
	int ret = test_eal_init(big);
	int err = errno;
	const char *out = log_capture_stop();
	CHECK(ret == -1 && (err == ENOMEM || err == EPERM || err == EAGAIN));
	CHECK(strstr(out, "cannot lock 8 MiB of 4 KiB pages") != NULL);
	CHECK(strstr(out, "RLIMIT_MEMLOCK allows 2 MiB") != NULL);
	CHECK(strstr(out, "ulimit -l") != NULL);
	CHECK(sl_lcore_count() == 0 && sl_eal_cleanup() == -1);

	/* 1 MiB fits under the 2 MiB limit */
	REQUIRE(test_eal_init(small) >= 0, "init -m 1 under a 2 MiB limit: %s", strerror(errno));
	void *p = sl_dma_zmalloc("small", 4096, 0);
	CHECK(p != NULL && sl_mem_virt2iova(p) == (uint64_t)(uintptr_t)p);
	/* growing past the limit fails cleanly, the heap still works */
	log_capture_start();
	errno = 0;
	CHECK(sl_dma_zmalloc("too-much", 4 << 20, 0) == NULL && errno != 0);
	out = log_capture_stop();
	CHECK(strstr(out, "RLIMIT_MEMLOCK") != NULL);
	void *q = sl_dma_zmalloc("still", 4096, 0);
	CHECK(q != NULL);
	sl_dma_free(q);
	sl_dma_free(p);
	CHECK(sl_eal_cleanup() == 0);
}

int main(void)
{
	REQUIRE(geteuid() == 0, "this test drops root capabilities and must start as root");
	test_pa_without_cap_sys_admin();
	test_memlock();
	return test_result("test_eal_unprivileged");
}
