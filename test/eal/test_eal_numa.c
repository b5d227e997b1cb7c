/* test_eal_numa.c: the NUMA nodes of lcores. sl_lcore_to_socket_id and
 * sl_socket_id read cpuN/nodeM from sysfs at init ($SL_SYSFS_ROOT here, a
 * fake tree): node 1 for CPU 1 is seen on that lcore, from the main thread
 * and from the worker itself; without node entries (no NUMA) both are 0;
 * the real sysfs gives a node >= 0; a disabled lcore is SL_SOCKET_ID_ANY.
 * sl_socket_count: the highest node online (node/online) or of an lcore,
 * plus one; 1 without NUMA information. */
#include <limits.h>
#include <sys/stat.h>

#include "eal_test.h"

static char root[PATH_MAX];

static void mkdir_p(const char *fmt, unsigned cpu, int node)
{
	char path[PATH_MAX + 128], *p;

	snprintf(path, sizeof(path), fmt, root, cpu, node);
	for (p = path + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	}
	REQUIRE(mkdir(path, 0755) == 0 || errno == EEXIST, "mkdir %s: %s", path, strerror(errno));
}

static int socket_of_self(void *arg)
{
	(void)arg;
	return sl_socket_id();
}

static void run(const char *what, int want0, int want1, int want_count)
{
	const char *args[] = {"t", "-l", "0-1", "--no-huge", "-m", "4", NULL};

	REQUIRE(test_eal_init(args) == 5, "%s: init: %s", what, strerror(errno));
	CHECK_MSG(sl_lcore_to_socket_id(0) == want0, "%s: lcore 0 on node %d, want %d", what,
		  sl_lcore_to_socket_id(0), want0);
	CHECK_MSG(sl_lcore_to_socket_id(1) == want1, "%s: lcore 1 on node %d, want %d", what,
		  sl_lcore_to_socket_id(1), want1);
	CHECK(sl_socket_id() == want0); /* the main thread is lcore 0 */
	CHECK(sl_eal_remote_launch(socket_of_self, NULL, 1) == 0);
	CHECK(sl_eal_wait_lcore(1) == want1);
	CHECK(sl_lcore_to_socket_id(5) == SL_SOCKET_ID_ANY);
	CHECK_MSG(sl_socket_count() == (unsigned)want_count, "%s: %u nodes, want %d", what,
		  sl_socket_count(), want_count);
	CHECK(sl_eal_cleanup() == 0);
}

int main(void)
{
	char cmd[PATH_MAX + 16];

	REQUIRE(sysconf(_SC_NPROCESSORS_ONLN) >= 2, "this test needs 2 CPUs (-l 0-1)");
	snprintf(root, sizeof(root), "/tmp/sl_numa_XXXXXX");
	REQUIRE(mkdtemp(root) != NULL, "mkdtemp: %s", strerror(errno));
	setenv("SL_SYSFS_ROOT", root, 1);

	/* two nodes */
	mkdir_p("%s/devices/system/cpu/cpu%u/node%d", 0, 0);
	mkdir_p("%s/devices/system/cpu/cpu%u/node%d", 1, 1);
	run("two nodes", 0, 1, 2);
	/* nodes online that hold none of the lcores' CPUs count too */
	{
		char path[PATH_MAX + 64];
		FILE *f;
		snprintf(path, sizeof(path), "%s/devices/system/node", root);
		REQUIRE(mkdir(path, 0755) == 0 || errno == EEXIST, "mkdir %s: %s", path, strerror(errno));
		snprintf(path, sizeof(path), "%s/devices/system/node/online", root);
		f = fopen(path, "w");
		REQUIRE(f != NULL, "%s: %s", path, strerror(errno));
		fputs("0-1,3\n", f);
		fclose(f);
		run("four nodes online", 0, 1, 4);
	}

	/* no NUMA information: 0 */
	snprintf(cmd, sizeof(cmd), "rm -rf %s/devices", root);
	REQUIRE(system(cmd) == 0, "%s failed", cmd);
	mkdir_p("%s/devices/system/cpu/cpu%u", 0, 0);
	mkdir_p("%s/devices/system/cpu/cpu%u", 1, 0);
	run("no NUMA", 0, 0, 1);
	CHECK(sl_socket_id() == 0); /* a non-EAL thread, no NUMA: 0 */

	/* the machine's own sysfs */
	unsetenv("SL_SYSFS_ROOT");
	{
		const char *args[] = {"t", "-l", "0-1", "--no-huge", "-m", "4", NULL};
		REQUIRE(test_eal_init(args) == 5, "init: %s", strerror(errno));
		CHECK(sl_lcore_to_socket_id(0) >= 0 && sl_lcore_to_socket_id(1) >= 0);
		CHECK(sl_eal_cleanup() == 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", root);
	return test_result("test_eal_numa");
}
