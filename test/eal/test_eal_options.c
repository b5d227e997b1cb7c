/* test_eal_options.c: sl_eal_init's command line. Every malformed value
 * must fail with EINVAL and a message naming the option, the bad value and
 * the accepted form, leave the EAL down, and a later good init must work
 * and report exactly what was asked; also sl_devarg_get. */
#include <sys/wait.h>

#include "eal_test.h"

struct bad_case {
	const char *args[8];   /* after the program name */
	const char *option;    /* must appear in the message */
	const char *value;     /* must appear in the message */
	const char *form;      /* a piece of the accepted form */
};

static const struct bad_case bad_cases[] = {
	{{"-l", "3-1"}, "-l/--lcores", "'3-1'", "0-1"},
	{{"-l", "abc"}, "-l/--lcores", "'abc'", "0-1"},
	{{"-l", ""}, "-l/--lcores", "''", "0-1"},
	{{"-l", "0,"}, "-l/--lcores", "'0,'", "0-1"},
	{{"-l", "0-"}, "-l/--lcores", "'0-'", "0-1"},
	{{"--lcores=1x"}, "-l/--lcores", "'1x'", "0-1"},
	{{"-l", "4000"}, "-l/--lcores", "'4000'", "0-1"},
	{{"-l", "127"}, "-l/--lcores", "'127'", "not available"},
	{{"-l", "0,1@"}, "-l/--lcores", "'0,1@'", "CPU number after '@'"},
	{{"-l", "0,1@x"}, "-l/--lcores", "'0,1@x'", "CPU number after '@'"},
	{{"-l", "0,5@127"}, "-l/--lcores", "'0,5@127'", "CPU 127 is not available"},
	{{"-l", "0,2@1,2@0"}, "-l/--lcores", "'0,2@1,2@0'", "lcore 2 is given on CPU 1 and on CPU 0"},
	{{"-l", "0,2-1@1"}, "-l/--lcores", "'0,2-1@1'", "runs backwards"},
	{{"-m", "-5"}, "-m", "'-5'", "megabytes"},
	{{"-m", "0"}, "-m", "'0'", "megabytes"},
	{{"-m", "12abc"}, "-m", "'12abc'", "megabytes"},
	{{"-m", "99999999999999999999"}, "-m", "99999999999999999999", "megabytes"},
	{{"--socket-mem", "64,,64"}, "--socket-mem", "'64,,64'", "64,64"},
	{{"--iova-mode", "xx"}, "--iova-mode", "'xx'", "va or pa"},
	{{"--iova-mode=VA"}, "--iova-mode", "'VA'", "va or pa"},
	{{"--log-level", "loud"}, "--log-level", "'loud'", "COMPONENT:LEVEL"},
	{{"--log-level", "eal:9"}, "--log-level", "'eal:9'", "COMPONENT:LEVEL"},
	{{"--log-level", ":debug"}, "--log-level", "':debug'", "COMPONENT:LEVEL"},
	{{"--base-virtaddr", "abc"}, "--base-virtaddr", "'abc'", "4 KiB-aligned"},
	{{"--base-virtaddr", "0x"}, "--base-virtaddr", "'0x'", "no digits"},
	{{"--base-virtaddr", ""}, "--base-virtaddr", "''", "no digits"},
	{{"--base-virtaddr", "-4096"}, "--base-virtaddr", "'-4096'", "0x100000000"},
	{{"--base-virtaddr", "0x1000g"}, "--base-virtaddr", "'0x1000g'", "0x100000000"},
	{{"--base-virtaddr", "4G"}, "--base-virtaddr", "'4G'", "0x100000000"},
	{{"--base-virtaddr", "0"}, "--base-virtaddr", "'0'", "below 0x10000"},
	{{"--base-virtaddr", "0x100000001"}, "--base-virtaddr", "'0x100000001'", "multiple of 4 KiB"},
	{{"--base-virtaddr=0x800000000000"}, "--base-virtaddr", "'0x800000000000'", "47-bit"},
	{{"--base-virtaddr", "0xffffffffffffffffff"}, "--base-virtaddr", "'0xffffffffffffffffff'",
	 "47-bit"},
	{{"--vfio-backend", "vfio"}, "--vfio-backend", "'vfio'", "iommufd"},
	{{"-a", "1:2:3"}, "-a/--allow", "'1:2:3'", "BUS:DEV.FN"},
	{{"-a", "0000:01:00.9"}, "-a/--allow", "'0000:01:00.9'", "BUS:DEV.FN"},
	{{"-a", "0000:01:00.0,iommu"}, "-a/--allow", "'0000:01:00.0,iommu'", "key=value"},
	{{"-a", "0000:01:00.0,"}, "-a/--allow", "'0000:01:00.0,'", "key=value"},
	{{"-a", "zz:00.0"}, "-a/--allow", "'zz:00.0'", "BUS:DEV.FN"},
	{{"-a", "01:00.0", "-a", "0000:01:00.0"}, "-a/--allow", "'0000:01:00.0'", "already"},
	{{"--vdev", ""}, "--vdev", "''", "null0"},
	{{"--vdev", "null 0"}, "--vdev", "'null 0'", "null0"},
	{{"--main-lcore", "x"}, "--main-lcore", "'x'", "lcore number"},
	{{"-l", "0", "--main-lcore", "1"}, "--main-lcore", "'1'", "-l/--lcores"},
	{{"--huge-dir", ""}, "--huge-dir", "''", "hugetlbfs"},
	{{"--bogus"}, "unknown option", "'--bogus'", "--help"},
	{{"-z"}, "unknown option", "'-z'", "--help"},
	{{"--no-huge=1"}, "--no-huge", "'1'", "takes no value"},
	{{"-m"}, "-m", "needs a value", "megabytes"},
	{{"--no-huge", "--iova-mode", "pa"}, "--iova-mode pa", "--no-huge", "hugepages"},
	{{"--no-huge", "--huge-dir", "/dev/hugepages"}, "--huge-dir", "/dev/hugepages", "one of"},
};

static void check_down(void)
{
	/* Nothing of a failed init may remain. */
	CHECK(sl_lcore_count() == 0);
	CHECK(sl_lcore_id() == SL_LCORE_ID_ANY);
	errno = 0;
	CHECK(sl_dma_zmalloc("after-failure", 64, 0) == NULL && errno == ENODEV);
	CHECK(test_nsegs() == 0);
	CHECK(sl_mem_virt2iova(&test_failures) == SL_BAD_IOVA);
	CHECK(sl_eal_cleanup() == -1);
}

static void test_bad_values(void)
{
	for (size_t i = 0; i < SL_DIM(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		const char *args[12] = {"test_eal_options", "--no-huge"};
		size_t n = 2;
		const char *log;
		int ret;

		for (size_t k = 0; k < SL_DIM(c->args) && c->args[k]; k++)
			args[n++] = c->args[k];
		args[n] = NULL;
		log_capture_start();
		errno = 0;
		ret = test_eal_init(args);
		int err = errno;
		log = log_capture_stop();
		CHECK_MSG(ret == -1 && err == EINVAL, "case %zu (%s %s): ret %d errno %d", i,
			  c->args[0], c->args[1] ? c->args[1] : "", ret, err);
		CHECK_MSG(strstr(log, c->option) != NULL, "case %zu: option '%s' not in '%s'", i,
			  c->option, log);
		CHECK_MSG(strstr(log, c->value) != NULL, "case %zu: value %s not in '%s'", i,
			  c->value, log);
		CHECK_MSG(strstr(log, c->form) != NULL, "case %zu: form '%s' not in '%s'", i,
			  c->form, log);
		check_down();
	}
}

static void test_good_init(void)
{
	const char *args[] = {"prog", "-l", "0-1", "--main-lcore=1", "--no-huge", "-m", "8",
			      "-a", "01:00.0,iommu=type1,queues=2", "--allow", "0000:02:00.1",
			      "--vdev", "null0", "--vdev=null1,size=64", "--log-level",
			      "eal:info", "--log-level", "warning", "--vfio-backend",
			      "iommufd", "--allow-noiommu", "--", "--app-opt", "x", NULL};
	struct test_argv a;
	const struct sl_eal_config *cfg;
	char val[32];
	int ret;

	test_argv_build(&a, args);
	ret = sl_eal_init(a.argc, a.argv);
	REQUIRE(ret >= 0, "good init failed: %s", strerror(errno));
	CHECK_MSG(ret == 21, "consumed %d arguments, expected 21 (up to and with '--')", ret);
	CHECK(strcmp(a.argv[ret], "prog") == 0);
	CHECK(a.argc - ret == 3 && strcmp(a.argv[ret + 1], "--app-opt") == 0);

	cfg = sl_eal_get_config();
	CHECK(sl_lcore_count() == 2);
	CHECK(sl_get_main_lcore() == 1);
	CHECK(sl_lcore_id() == 1);
	CHECK(cfg->no_huge);
	CHECK(cfg->mem_bytes == (size_t)8 << 20);
	CHECK(cfg->iova_mode == SL_IOVA_VA && sl_eal_iova_mode() == SL_IOVA_VA);
	CHECK(cfg->huge_dir[0] == '\0');
	CHECK(strcmp(cfg->vfio_backend, "iommufd") == 0);
	CHECK(cfg->allow_noiommu);
	CHECK(cfg->nb_allow == 2);
	CHECK(strcmp(cfg->allow[0].name, "0000:01:00.0") == 0);
	CHECK(strcmp(cfg->allow[0].args, "iommu=type1,queues=2") == 0);
	CHECK(strcmp(cfg->allow[1].name, "0000:02:00.1") == 0 && cfg->allow[1].args[0] == '\0');
	CHECK(cfg->nb_vdev == 2);
	CHECK(strcmp(cfg->vdev[0].name, "null0") == 0 && cfg->vdev[0].args[0] == '\0');
	CHECK(strcmp(cfg->vdev[1].name, "null1") == 0 && strcmp(cfg->vdev[1].args, "size=64") == 0);
	CHECK(sl_devarg_get(cfg->allow[0].args, "iommu", val, sizeof(val)) == 0 &&
	      strcmp(val, "type1") == 0);
	CHECK(sl_devarg_get(cfg->allow[0].args, "queues", val, sizeof(val)) == 0 &&
	      strcmp(val, "2") == 0);
	CHECK(sl_log_get_level() == SL_LOG_WARNING);
	CHECK(sl_log_enabled(SL_LOG_INFO, "eal"));
	CHECK(!sl_log_enabled(SL_LOG_INFO, "ethdev"));

	/* a second init without cleanup is refused */
	errno = 0;
	CHECK(test_eal_init(args) == -1 && errno == EALREADY);
	CHECK(sl_eal_cleanup() == 0);
	check_down();
	sl_log_set_level(SL_LOG_NOTICE);
}

static void test_defaults(void)
{
	const char *args[] = {"prog", "--no-huge", "-m", "4", "appfile", "-l", "junk", NULL};
	const struct sl_eal_config *cfg;
	int ret = test_eal_init(args);

	/* EAL parsing stops at the first non-option argument */
	REQUIRE(ret == 3, "init with defaults returned %d: %s", ret, strerror(errno));
	cfg = sl_eal_get_config();
	CHECK(sl_lcore_count() >= 1);
	CHECK(sl_get_main_lcore() == sl_get_next_lcore(-1, false, false));
	CHECK(cfg->iova_mode == SL_IOVA_VA);
	CHECK(strcmp(cfg->vfio_backend, "auto") == 0);
	CHECK(!cfg->allow_noiommu && cfg->nb_allow == 0 && cfg->nb_vdev == 0);
	CHECK(cfg->mem_bytes == (size_t)4 << 20);
	CHECK(sl_eal_cleanup() == 0);

	const char *args2[] = {"prog", "--no-huge", "--socket-mem", "4,2", NULL};
	REQUIRE(test_eal_init(args2) == 3, "--socket-mem 4,2 failed: %s", strerror(errno));
	CHECK(sl_eal_get_config()->mem_bytes == (size_t)6 << 20);
	CHECK(sl_eal_cleanup() == 0);
}

static void test_devarg_get(void)
{
	char v[8];

	CHECK(sl_devarg_get("a=1,bb=22,c=", "bb", v, sizeof(v)) == 0 && strcmp(v, "22") == 0);
	CHECK(sl_devarg_get("a=1,bb=22,c=", "a", v, sizeof(v)) == 0 && strcmp(v, "1") == 0);
	CHECK(sl_devarg_get("a=1,bb=22,c=", "c", v, sizeof(v)) == 0 && strcmp(v, "") == 0);
	CHECK(sl_devarg_get("a=1,bb=22", "b", v, sizeof(v)) == -1);
	CHECK(sl_devarg_get("ab=1", "a", v, sizeof(v)) == -1);
	CHECK(sl_devarg_get("", "a", v, sizeof(v)) == -1);
	CHECK(sl_devarg_get(NULL, "a", v, sizeof(v)) == -1);
	/* truncated but terminated */
	CHECK(sl_devarg_get("k=0123456789", "k", v, sizeof(v)) == 0 && strcmp(v, "0123456") == 0);
}

/* -h/--help prints the usage on stdout and exits 0 (in a child). */
static void test_help(const char *opt)
{
	int pipefd[2], status;
	char out[4096] = "";
	ssize_t n, total = 0;
	pid_t pid;

	REQUIRE(pipe(pipefd) == 0, "pipe: %s", strerror(errno));
	pid = fork();
	REQUIRE(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		close(pipefd[0]);
		test_eal_init((const char *const[]){"prog", "-l", "0", opt, NULL});
		_exit(99); /* not reached when help exits */
	}
	close(pipefd[1]);
	while ((n = read(pipefd[0], out + total, sizeof(out) - 1 - (size_t)total)) > 0)
		total += n;
	close(pipefd[0]);
	REQUIRE(waitpid(pid, &status, 0) == pid, "waitpid: %s", strerror(errno));
	CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: status 0x%x", opt, status);
	CHECK(strstr(out, "Usage: prog") != NULL);
	CHECK(strstr(out, "--iova-mode va|pa") != NULL && strstr(out, "--no-huge") != NULL);
}

int main(void)
{
	test_help("-h");
	test_help("--help");
	test_devarg_get();
	check_down();
	test_bad_values();
	test_good_init();
	test_defaults();
	/* and once more after all of that, with the failures behind us */
	test_bad_values();
	test_good_init();
	return test_result("test_eal_options");
}
