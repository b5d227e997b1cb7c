/* test_eal_hooks.c: init hooks. They run in ascending priority whatever
 * the registration order, after memory and lcores are up (a hook can
 * allocate DMA memory and see its lcore); cleanups run in reverse at
 * sl_eal_cleanup; when a hook fails, the cleanups of the hooks that ran
 * are called in reverse, init fails with the hook's errno and leaves
 * nothing up, and a later init works. */
#include "eal_test.h"

static char trace[256];
static bool fail_mid;
static void *hook_mem;

static void note(const char *s)
{
	strncat(trace, s, sizeof(trace) - strlen(trace) - 1);
}

static int init_low(void)
{
	note("i100 ");
	/* memory and lcores are up when hooks run */
	hook_mem = sl_dma_zmalloc("hook", 4096, 0);
	if (hook_mem == NULL || sl_mem_virt2iova(hook_mem) == SL_BAD_IOVA ||
	    sl_lcore_id() != sl_get_main_lcore() || sl_lcore_count() == 0)
		return -1;
	return 0;
}

static void cleanup_low(void)
{
	note("c100 ");
	sl_dma_free(hook_mem);
	hook_mem = NULL;
}

static int init_mid(void)
{
	note("i200 ");
	if (fail_mid) {
		SL_LOG(ERR, "test", "mid hook fails on purpose");
		errno = ENODEV;
		return -1;
	}
	return 0;
}

static void cleanup_mid(void)
{
	note("c200 ");
}

static int init_high(void)
{
	note("i300 ");
	return 0;
}

static int init_same_prio(void)
{
	note("i200b ");
	return 0;
}

static void cleanup_same_prio(void)
{
	note("c200b ");
}

static struct sl_eal_hook hook_high = {.name = "high", .priority = 300, .init = init_high};
static struct sl_eal_hook hook_low = {
	.name = "low", .priority = 100, .init = init_low, .cleanup = cleanup_low};
static struct sl_eal_hook hook_mid = {
	.name = "mid", .priority = 200, .init = init_mid, .cleanup = cleanup_mid};
static struct sl_eal_hook hook_mid2 = {
	.name = "mid2", .priority = 200, .init = init_same_prio, .cleanup = cleanup_same_prio};

/* registered from a constructor, before main, as libraries do */
__attribute__((constructor)) static void register_high(void)
{
	sl_eal_register_hook(&hook_high);
}

int main(void)
{
	const char *args[] = {"t", "-l", "0", "--no-huge", "-m", "4", NULL};

	sl_eal_register_hook(&hook_mid);
	sl_eal_register_hook(&hook_low);
	sl_eal_register_hook(&hook_mid2);
	sl_eal_register_hook(&hook_low); /* twice: no effect */

	REQUIRE(test_eal_init(args) >= 0, "init: %s", strerror(errno));
	CHECK_MSG(strcmp(trace, "i100 i200 i200b i300 ") == 0, "init order: '%s'", trace);
	CHECK(hook_mem != NULL);
	trace[0] = '\0';
	CHECK(sl_eal_cleanup() == 0);
	CHECK_MSG(strcmp(trace, "c200b c200 c100 ") == 0, "cleanup order: '%s'", trace);
	CHECK(hook_mem == NULL);

	/* the 200 hook fails: the 100 hook is undone, the later ones never run */
	trace[0] = '\0';
	fail_mid = true;
	log_capture_start();
	errno = 0;
	int ret = test_eal_init(args);
	int err = errno;
	const char *out = log_capture_stop();
	CHECK(ret == -1 && err == ENODEV);
	CHECK_MSG(strcmp(trace, "i100 i200 c100 ") == 0, "failed init: '%s'", trace);
	CHECK(strstr(out, "init hook 'mid' failed") != NULL);
	CHECK(sl_lcore_count() == 0);
	CHECK(sl_eal_cleanup() == -1);
	errno = 0;
	CHECK(sl_dma_zmalloc("down", 64, 0) == NULL && errno == ENODEV);

	/* and once it no longer fails, init works again */
	trace[0] = '\0';
	fail_mid = false;
	REQUIRE(test_eal_init(args) >= 0, "init after a failed hook: %s", strerror(errno));
	CHECK_MSG(strcmp(trace, "i100 i200 i200b i300 ") == 0, "init order: '%s'", trace);
	CHECK(sl_eal_cleanup() == 0);
	return test_result("test_eal_hooks");
}
