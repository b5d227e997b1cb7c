/* test_eal_log.c: logging levels. The global level filters every
 * component, a per-component level overrides it (exact names and
 * "prefix*" patterns), lines come out as "component: message" once each,
 * and --log-level sets both kinds at init. */
#include "eal_test.h"

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += (*s == '\n');
	return n;
}

static void test_global_level(void)
{
	const char *out;

	sl_log_set_level(SL_LOG_WARNING);
	CHECK(sl_log_get_level() == SL_LOG_WARNING);
	CHECK(sl_log_enabled(SL_LOG_ERR, "x"));
	CHECK(sl_log_enabled(SL_LOG_WARNING, "x"));
	CHECK(!sl_log_enabled(SL_LOG_NOTICE, "x"));
	CHECK(!sl_log_enabled(SL_LOG_DEBUG, NULL));

	log_capture_start();
	SL_LOG(ERR, "comp", "error %d", 1);
	SL_LOG(WARNING, "comp", "warning %s", "two");
	SL_LOG(NOTICE, "comp", "notice hidden");
	SL_LOG(INFO, "comp", "info hidden");
	SL_LOG(DEBUG, "comp", "debug hidden");
	sl_log(SL_LOG_ERR, "comp", "trailing newline is not doubled\n");
	out = log_capture_stop();
	CHECK(strcmp(out, "comp: error 1\ncomp: warning two\n"
			  "comp: trailing newline is not doubled\n") == 0);

	sl_log_set_level(SL_LOG_DEBUG);
	log_capture_start();
	SL_LOG(DEBUG, "comp", "now visible");
	out = log_capture_stop();
	CHECK(strcmp(out, "comp: now visible\n") == 0);

	/* out-of-range levels are clamped */
	sl_log_set_level((enum sl_log_level)99);
	CHECK(sl_log_get_level() == SL_LOG_DEBUG);
	sl_log_set_level((enum sl_log_level)0);
	CHECK(sl_log_get_level() == SL_LOG_ERR);
}

static void test_component_level(void)
{
	const char *out;

	sl_log_set_level(SL_LOG_ERR);
	CHECK(sl_log_set_component_level("mempool", SL_LOG_DEBUG) == 0);
	CHECK(sl_log_set_component_level("eth*", SL_LOG_INFO) == 0);
	CHECK(sl_log_enabled(SL_LOG_DEBUG, "mempool"));
	CHECK(!sl_log_enabled(SL_LOG_WARNING, "mempool2"));
	CHECK(sl_log_enabled(SL_LOG_INFO, "ethdev"));
	CHECK(sl_log_enabled(SL_LOG_INFO, "eth"));
	CHECK(!sl_log_enabled(SL_LOG_DEBUG, "ethdev"));
	CHECK(!sl_log_enabled(SL_LOG_WARNING, "ring"));

	/* a component can also be quieter than the global level */
	sl_log_set_level(SL_LOG_DEBUG);
	CHECK(sl_log_set_component_level("ring", SL_LOG_ERR) == 0);
	CHECK(!sl_log_enabled(SL_LOG_WARNING, "ring"));
	CHECK(sl_log_enabled(SL_LOG_DEBUG, "mbuf"));

	/* setting it again changes it in place */
	CHECK(sl_log_set_component_level("ring", SL_LOG_NOTICE) == 0);
	CHECK(sl_log_enabled(SL_LOG_NOTICE, "ring") && !sl_log_enabled(SL_LOG_INFO, "ring"));

	log_capture_start();
	SL_LOG(INFO, "ring", "hidden");
	SL_LOG(NOTICE, "ring", "shown");
	SL_LOG(DEBUG, "ethdev", "hidden");
	SL_LOG(INFO, "ethdev", "port %u up", 3u);
	out = log_capture_stop();
	CHECK(strcmp(out, "ring: shown\nethdev: port 3 up\n") == 0);

	/* bad arguments */
	CHECK(sl_log_set_component_level("", SL_LOG_INFO) == -1);
	CHECK(sl_log_set_component_level(NULL, SL_LOG_INFO) == -1);
	CHECK(sl_log_set_component_level("x", (enum sl_log_level)9) == -1);
	CHECK(sl_log_set_component_level("a-component-name-far-too-long-to-keep", SL_LOG_INFO) ==
	      -1);
}

static void test_long_line(void)
{
	char big[3000];
	const char *out;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	sl_log_set_level(SL_LOG_INFO);
	log_capture_start();
	SL_LOG(INFO, "long", "%s", big);
	out = log_capture_stop();
	/* truncated to one line, never split in two */
	CHECK(count_lines(out) == 1);
	CHECK(strncmp(out, "long: xxx", 9) == 0);
}

static void test_option(void)
{
	const char *args[] = {"t", "--no-huge", "-m", "4", "--log-level", "err", "--log-level",
			      "mbuf:debug", "--log-level=eal:8", "--log-level", "ring:warn", NULL};
	const char *out;

	log_capture_start();
	int ret = test_eal_init(args);
	out = log_capture_stop();
	REQUIRE(ret == 10, "init with --log-level: %s", strerror(errno));
	CHECK(sl_log_get_level() == SL_LOG_ERR);
	CHECK(sl_log_enabled(SL_LOG_DEBUG, "mbuf"));
	CHECK(sl_log_enabled(SL_LOG_DEBUG, "eal"));
	CHECK(sl_log_enabled(SL_LOG_WARNING, "ring") && !sl_log_enabled(SL_LOG_NOTICE, "ring"));
	CHECK(!sl_log_enabled(SL_LOG_WARNING, "null"));
	/* eal at debug: the init lines about memory and IOVA mode are there */
	CHECK(strstr(out, "eal: memory: 4 MiB from locked anonymous 4 KiB pages") != NULL);
	CHECK(strstr(out, "eal: IOVA mode VA") != NULL);
	CHECK(sl_eal_cleanup() == 0);
}

int main(void)
{
	test_global_level();
	test_component_level();
	test_long_line();
	test_option();
	return test_result("test_eal_log");
}
