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
	/* DPDK's forms, malformed */
	{{"-c", "0xg"}, "-c", "'0xg'", "not a hexadecimal number"},
	{{"-c", "0x"}, "-c", "'0x'", "no hexadecimal digits"},
	{{"-c", "0x0"}, "-c", "'0x0'", "selects no CPU"},
	{{"-c", "0x8000000000000000000000000000000000"}, "-c", "'0x8000", "above the lcore limit"},
	{{"-c", "0x3", "-l", "0-1"}, "-l/--lcores", "'0-1'", "already chosen with -c"},
	{{"-l", "0", "-c", "1"}, "-c", "'1'", "already chosen with -l/--lcores"},
	{{"-c", "1", "--main-lcore", "1"}, "--main-lcore", "'1'", "not in the -c list"},
	{{"--lcores", "(0,1@0"}, "-l/--lcores", "'(0,1@0'", "without its ')'"},
	{{"--lcores", "()@0"}, "-l/--lcores", "'()@0'", "empty group"},
	{{"--lcores", "0-1)@0"}, "-l/--lcores", "'0-1)@0'", "')' without its '('"},
	{{"--lcores", "(0-1)@(0,127)"}, "-l/--lcores", "'(0-1)@(0,127)'", "CPU 127 is not available"},
	{{"--lcores", "1@(0,1),1@0"}, "-l/--lcores", "'1@(0,1),1@0'",
	 "lcore 1 is given on CPUs 0-1 and on CPU 0"},
	{{"--lcores", "(1-0)@0"}, "-l/--lcores", "'(1-0)@0'", "runs backwards"},
	{{"--lcores", "0@()"}, "-l/--lcores", "'0@()'", "empty group"},
	{{"-n", "0"}, "-n", "'0'", "memory channels"},
	{{"-n", "x"}, "-n", "'x'", "memory channels"},
	{{"-r", "17"}, "-r", "'17'", "memory ranks"},
	{{"-b", "zz:00.0"}, "-b/--block", "'zz:00.0'", "BUS:DEV.FN"},
	{{"-a", "01:00.0", "-b", "02:00.0"}, "-a/--allow and -b/--block", "together", "skip"},
	{{"--no-pci", "--block=02:00.0"}, "--no-pci", "-b/--block", "contradict"},
	{{"--no-pci", "-a", "02:00.0"}, "--no-pci", "-a/--allow", "contradict"},
	{{"--vdev", "net_pcap0,iface=eth0"}, "--vdev", "'net_pcap0,iface=eth0'",
	 "net_null (Sluice's null)"},
	{{"--vdev", "crypto_null0"}, "--vdev", "'crypto_null0'", "no driver for this DPDK"},
	{{"--log-level", "9"}, "--log-level", "'9'", "1-8"},
	{{"--log-level", "0"}, "--log-level", "'0'", "1-8"},
	{{"--log-level", "lib.eal:9"}, "--log-level", "'lib.eal:9'", "a number 1-8"},
	{{"--log-level", "pmd.net.*:loud"}, "--log-level", "'pmd.net.*:loud'", "a number 1-8"},
	{{"--log-level", "pmd(,debug"}, "--log-level", "'pmd(,debug'", "bad regular expression"},
	{{"--log-level", "pmd.*,9"}, "--log-level", "'pmd.*,9'", "a number 1-8"},
	{{"--log-level", ",8"}, "--log-level", "',8'", "no component"},
	/* stacked repetitions: glibc's regcomp would take gigabytes (fuzzer) */
	{{"--log-level", "nV++++++++++++++++++++++++++++++++++++++++V,debug"},
	 "--log-level", "too complex", "PATTERN:LEVEL"},
	{{"--log-level", "((((((((((((a+)+)+)+)+)+)+)+)+)+)+)+)+,debug"}, "--log-level", "too complex",
	 "simpler"},
	{{"--log-level", "a{99}{99},debug"}, "--log-level", "too complex", "simpler"},
	{{"--log-level", "a{1,99999999999999999999999}x,debug"}, "--log-level", "too complex",
	 "simpler"},
	{{"--proc-type", "secondary"}, "--proc-type secondary", "multi-process", "primary or auto"},
	{{"--proc-type=tertiary"}, "--proc-type", "'tertiary'", "primary or auto"},
	{{"--file-prefix", "a/b"}, "--file-prefix", "'a/b'", "without '/'"},
	{{"--huge-unlink=never"}, "--huge-unlink=never", "unlinks every hugepage file", "drop"},
	{{"--huge-unlink=sometimes"}, "--huge-unlink", "'sometimes'", "always or existing"},
	{{"--in-memory=1"}, "--in-memory", "'1'", "takes no value"},
	{{"-d", "librte_net_ixgbe.so"}, "option '-d'", "built in", "drop -d"},
	{{"-dlibrte_net_ixgbe.so"}, "option '-dlibrte_net_ixgbe.so'", "not supported", "drop -d"},
	{{"--master-lcore", "0"}, "option '--master-lcore'", "not supported", "--main-lcore"},
	{{"--master-lcore=0"}, "option '--master-lcore=0'", "renamed", "--main-lcore"},
	{{"-w", "01:00.0"}, "option '-w'", "renamed", "-a/--allow"},
	{{"--vfio-intr=msix"}, "option '--vfio-intr=msix'", "not supported", "MSI-X"},
	{{"--vfio-vf-token", "14d63f20-8445-11ea-8900-1f9ce7d5650d"}, "option '--vfio-vf-token'",
	 "not supported", "VF token"},
	{{"--create-uio-dev"}, "option '--create-uio-dev'", "not supported", "never UIO"},
	{{"--match-allocations"}, "option '--match-allocations'", "not supported", "nothing to match"},
	{{"--trace=lib.eal.*"}, "option '--trace=lib.eal.*'", "not supported", "trace framework"},
	{{"--trace-dir", "/tmp"}, "option '--trace-dir'", "not supported", "trace framework"},
	{{"--socket-limit", "64"}, "unknown option", "'--socket-limit'", "--help"},
	{{"-v"}, "unknown option", "'-v'", "--help"},
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

/* DPDK 22.11's command lines as its guides write them. */
static void test_dpdk_lines(void)
{
	const struct sl_eal_config *cfg;
	struct test_argv a;
	const char *log;
	int ret;

	/* helloworld/l2fwd style: -c, -n and the no-effect options */
	const char *l1[] = {"prog", "-c", "0x3", "-n", "4", "-r", "2", "--main-lcore", "1",
			    "--in-memory", "--file-prefix", "app1", "--proc-type=auto", "--no-shconf",
			    "--no-telemetry", "--single-file-segments", "--legacy-mem", "--huge-unlink",
			    "--no-huge", "-m", "8", "--log-level=lib.eal:debug", "--", "-p", "0x3",
			    NULL};
	test_argv_build(&a, l1);
	log_capture_start();
	ret = sl_eal_init(a.argc, a.argv);
	log = log_capture_stop();
	REQUIRE(ret >= 0, "DPDK line 1 failed: %s", strerror(errno));
	CHECK_MSG(ret == 22, "consumed %d, expected 22 (up to and with '--')", ret);
	CHECK(strcmp(a.argv[ret], "prog") == 0 && strcmp(a.argv[ret + 1], "-p") == 0);
	CHECK(sl_lcore_count() == 2 && sl_get_main_lcore() == 1);
	CHECK(sl_lcore_to_cpu_id(0) == 0 && sl_lcore_to_cpu_id(1) == 1);
	/* lib.eal is Sluice's eal and dma_map */
	CHECK(sl_log_enabled(SL_LOG_DEBUG, "eal") && sl_log_enabled(SL_LOG_DEBUG, "dma_map"));
	CHECK(!sl_log_enabled(SL_LOG_DEBUG, "ethdev"));
	CHECK(strstr(log, "-n 4 (memory channels): accepted, no effect") != NULL);
	CHECK(strstr(log, "-r 2 (memory ranks)") != NULL);
	CHECK(strstr(log, "--in-memory: what Sluice always does") != NULL);
	CHECK(strstr(log, "--file-prefix app1: no effect") != NULL);
	CHECK(strstr(log, "--proc-type auto: Sluice runs as DPDK's primary") != NULL);
	CHECK(strstr(log, "--no-shconf: ") != NULL && strstr(log, "--no-telemetry: ") != NULL);
	CHECK(strstr(log, "--single-file-segments: no effect") != NULL);
	CHECK(strstr(log, "--legacy-mem: no effect") != NULL);
	CHECK(strstr(log, "--huge-unlink: what Sluice always does") != NULL);
	CHECK_MSG(strstr(log, "lcores 0-1 (main 1)") != NULL, "init log: %s", log);
	CHECK(sl_eal_cleanup() == 0);
	sl_log_set_component_level("eal", SL_LOG_NOTICE);
	sl_log_set_component_level("dma_map", SL_LOG_NOTICE);

	/* devices, DPDK's vdev names and log forms */
	const char *l2[] = {"prog", "--no-huge", "-m", "4", "-l", "0", "-b", "0000:03:00.0",
			    "--block", "04:00.1", "--vdev", "net_null0,size=64", "--vdev", "null1",
			    "--log-level", "pmd.net.*:info", "--log-level", "lib\\.(mbuf|r+ing){1,2},8",
			    "--log-level", "5", "--log-level", "pmd.net.ixgbe.driver:debug",
			    "--log-level", "bus.pci:7", "--huge-unlink=existing", "--proc-type", "primary",
			    NULL};
	test_argv_build(&a, l2);
	log_capture_start();
	ret = sl_eal_init(a.argc, a.argv);
	log = log_capture_stop();
	REQUIRE(ret == 26, "DPDK line 2 returned %d: %s", ret, strerror(errno));
	cfg = sl_eal_get_config();
	CHECK(cfg->nb_block == 2 && cfg->nb_allow == 0 && !cfg->no_pci);
	CHECK(strcmp(cfg->block[0].name, "0000:03:00.0") == 0);
	CHECK(strcmp(cfg->block[1].name, "0000:04:00.1") == 0);
	CHECK(cfg->nb_vdev == 2);
	/* the port keeps the name as written, as in DPDK */
	CHECK(strcmp(cfg->vdev[0].name, "net_null0") == 0 && strcmp(cfg->vdev[0].args, "size=64") == 0);
	CHECK(strcmp(cfg->vdev[1].name, "null1") == 0);
	CHECK(sl_log_get_level() == SL_LOG_WARNING); /* DPDK's 5 */
	CHECK(sl_log_enabled(SL_LOG_INFO, "net_igb") && !sl_log_enabled(SL_LOG_DEBUG, "net_igb"));
	CHECK(sl_log_enabled(SL_LOG_INFO, "net_virtio") && sl_log_enabled(SL_LOG_INFO, "net_null"));
	CHECK(sl_log_enabled(SL_LOG_DEBUG, "mbuf") && sl_log_enabled(SL_LOG_DEBUG, "ring"));
	CHECK(!sl_log_enabled(SL_LOG_INFO, "mempool") && !sl_log_enabled(SL_LOG_NOTICE, "ethdev"));
	CHECK(sl_log_enabled(SL_LOG_INFO, "bus_vfio") && !sl_log_enabled(SL_LOG_DEBUG, "bus_vfio"));
	(void)log;
	CHECK(sl_eal_cleanup() == 0);
	sl_log_set_level(SL_LOG_NOTICE);
	for (const char *const *c = (const char *const[]){"net_igb", "net_virtio", "net_null", "mbuf",
							  "ring", "bus_vfio", NULL}; *c; c++)
		sl_log_set_component_level(*c, SL_LOG_NOTICE);

	/* a DPDK type Sluice has nothing for is accepted and noted at debug */
	const char *l3[] = {"prog", "--no-huge", "-m", "4", "-l", "0", "--log-level", "8",
			    "--log-level", "pmd.net.ixgbe.*:debug", "--no-pci", "--log-level",
			    "eal:debug", NULL};
	log_capture_start();
	ret = test_eal_init(l3);
	log = log_capture_stop();
	REQUIRE(ret == 12, "DPDK line 3 returned %d: %s", ret, strerror(errno));
	CHECK(sl_eal_get_config()->no_pci);
	CHECK(sl_log_get_level() == SL_LOG_DEBUG);
	CHECK(strstr(log, "--log-level pmd.net.ixgbe.*:debug: no Sluice component matches") != NULL);
	CHECK(sl_eal_cleanup() == 0);
	sl_log_set_level(SL_LOG_NOTICE);
	sl_log_set_component_level("eal", SL_LOG_NOTICE);

	/* DPDK's --lcores groups: several lcores on one CPU, a CPU set */
	const char *l4[] = {"prog", "--no-huge", "-m", "4", "--lcores", "(0,1)@0", NULL};
	log_capture_start();
	ret = test_eal_init(l4);
	log = log_capture_stop();
	REQUIRE(ret == 5, "--lcores (0,1)@0 returned %d: %s", ret, strerror(errno));
	CHECK(sl_lcore_count() == 2 && sl_lcore_to_cpu_id(0) == 0 && sl_lcore_to_cpu_id(1) == 0);
	CHECK_MSG(strstr(log, "lcores 0-1@0 (main 0)") != NULL, "init log: %s", log);
	CHECK(sl_eal_cleanup() == 0);

	const char *l5[] = {"prog", "--no-huge", "-m", "4", "--lcores=0@0,(1-2)@(0,1)", NULL};
	log_capture_start();
	ret = test_eal_init(l5);
	log = log_capture_stop();
	REQUIRE(ret == 4, "--lcores=0@0,(1-2)@(0,1) returned %d: %s", ret, strerror(errno));
	CHECK(sl_lcore_count() == 3);
	CHECK(sl_lcore_to_cpu_id(1) == 0 && sl_lcore_to_cpu_id(2) == 0); /* lowest of the set */
	CHECK_MSG(strstr(log, "lcores 0,1@(0-1),2@(0-1) (main 0)") != NULL, "init log: %s", log);
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
	test_dpdk_lines();
	test_defaults();
	/* and once more after all of that, with the failures behind us */
	test_bad_values();
	test_good_init();
	return test_result("test_eal_options");
}
