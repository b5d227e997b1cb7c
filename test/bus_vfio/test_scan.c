/* test_scan.c: bus_vfio's sysfs scan and per-device backend choice against
 * a fake sysfs and /dev tree: which devices are kept, which backend and why,
 * -a errors (unbound, kernel driver, nonexistent, malformed, no-IOMMU
 * without opt-in, group not viable, forced backend unavailable), and that
 * failures leave no file descriptor open. Linux 7.3: a no-IOMMU device with
 * only a cdev (noiommu-vfioN), one with both a no-IOMMU group and cdev
 * (the cdev is preferred; the group can be forced), and a kernel without
 * VFIO groups or a container (CONFIG_VFIO_GROUP=n), where forcing type1 or
 * group no-IOMMU is refused naming the configuration. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sl_bus_vfio.h"
#include "sl_vfio_caps.h"
#include "test_util.h"

static char root[PATH_MAX];
static char sysroot[PATH_MAX + 8];
static char devroot[PATH_MAX + 8];

static void mkdirs(const char *path)
{
	char tmp[PATH_MAX + 64];
	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(tmp, 0755);
			*p = '/';
		}
	}
	mkdir(tmp, 0755);
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
}

static void touch(const char *fmt, const char *arg)
{
	char p[PATH_MAX + 64];
	snprintf(p, sizeof(p), fmt, root, arg);
	put(p, "");
}

/* A PCI function in the fake sysfs. DRIVER "" = unbound; CDEV < 0 = none. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation" /* test paths are short */
#endif
static void add_dev(const char *bdf, const char *vendor, const char *device, const char *driver,
		    int group, int cdev)
{
	char d[PATH_MAX + 64], p[PATH_MAX + 128], t[PATH_MAX + 128];

	snprintf(d, sizeof(d), "%s/bus/pci/devices/%s", sysroot, bdf);
	mkdirs(d);
	snprintf(p, sizeof(p), "%s/vendor", d); put(p, vendor);
	snprintf(p, sizeof(p), "%s/device", d); put(p, device);
	snprintf(p, sizeof(p), "%s/subsystem_vendor", d); put(p, "0x8086\n");
	snprintf(p, sizeof(p), "%s/subsystem_device", d); put(p, "0x0000\n");
	snprintf(p, sizeof(p), "%s/class", d); put(p, "0x020000\n");
	snprintf(p, sizeof(p), "%s/numa_node", d); put(p, "-1\n");
	if (driver[0]) {
		snprintf(t, sizeof(t), "%s/bus/pci/drivers/%s", sysroot, driver);
		mkdirs(t);
		snprintf(p, sizeof(p), "%s/driver", d);
		if (symlink(t, p) != 0) perror(p);
	}
	if (group >= 0) {
		snprintf(t, sizeof(t), "%s/kernel/iommu_groups/%d/devices", sysroot, group);
		mkdirs(t);
		snprintf(p, sizeof(p), "%s/%s", t, bdf);
		if (symlink(d, p) != 0) perror(p);
		snprintf(t, sizeof(t), "%s/kernel/iommu_groups/%d", sysroot, group);
		snprintf(p, sizeof(p), "%s/iommu_group", d);
		if (symlink(t, p) != 0) perror(p);
	}
	if (cdev >= 0) {
		snprintf(p, sizeof(p), "%s/vfio-dev/vfio%d", d, cdev);
		mkdirs(p);
	}
}

/* A no-IOMMU device's cdev (Linux 7.3): vfio-dev/noiommu-vfioN and its node. */
static void add_noiommu_cdev(const char *bdf, int n)
{
	char p[PATH_MAX + 128], idx[16];
	snprintf(p, sizeof(p), "%s/bus/pci/devices/%s/vfio-dev/noiommu-vfio%d", sysroot, bdf, n);
	mkdirs(p);
	snprintf(idx, sizeof(idx), "%d", n);
	touch("%s/dev/vfio/devices/noiommu-vfio%s", idx);
}

static void build_tree(void)
{
	char p[PATH_MAX + 64];

	snprintf(root, sizeof(root), "/tmp/sl_fake_sysfs_XXXXXX");
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		exit(2);
	}
	snprintf(sysroot, sizeof(sysroot), "%s/sys", root);
	snprintf(devroot, sizeof(devroot), "%s", root);
	snprintf(p, sizeof(p), "%s/dev/vfio/devices", root);
	mkdirs(p);
	touch("%s/dev/iommu%s", "");
	touch("%s/dev/vfio/vfio%s", "");     /* a container (VFIO's or iommufd's) */
	snprintf(p, sizeof(p), "%s/class/vfio", sysroot); /* the kernel has VFIO groups */
	mkdirs(p);
	/* A: iommufd-capable. B: group only (type1). C: no-IOMMU group.
	 * D: held by igb. E: vfio-pci but its group also holds an e1000e.
	 * F: unbound. */
	add_dev("0000:00:02.0", "0x8086\n", "0x10c9\n", "vfio-pci", 1, 0);
	touch("%s/dev/vfio/devices/vfio0%s", "");
	touch("%s/dev/vfio/1%s", "");
	add_dev("0000:00:03.0", "0x8086\n", "0x10c9\n", "vfio-pci", 2, -1);
	snprintf(p, sizeof(p), "%s/bus/pci/devices/0000:00:03.0/numa_node", sysroot);
	put(p, "1\n"); /* B is on NUMA node 1; the others say -1 (unknown) */
	touch("%s/dev/vfio/2%s", "");
	add_dev("0000:00:04.0", "0x1af4\n", "0x1041\n", "vfio-pci", 3, -1);
	touch("%s/dev/vfio/noiommu-3%s", "");
	snprintf(p, sizeof(p), "%s/kernel/iommu_groups/3/name", sysroot);
	put(p, "vfio-noiommu\n");
	add_dev("0000:00:05.0", "0x8086\n", "0x10c9\n", "igb", 4, -1);
	touch("%s/dev/vfio/4%s", "");
	add_dev("0000:00:06.0", "0x8086\n", "0x10c9\n", "vfio-pci", 5, 1);
	add_dev("0000:00:06.1", "0x8086\n", "0x10d3\n", "e1000e", 5, -1);
	touch("%s/dev/vfio/5%s", "");
	touch("%s/dev/vfio/devices/vfio1%s", "");
	add_dev("0000:00:07.0", "0x8086\n", "0x10c9\n", "", 6, -1);
	touch("%s/dev/vfio/6%s", "");
	/* G: no IOMMU group, only a no-IOMMU cdev (the cdev-only kernel).
	 * H: a no-IOMMU group and a no-IOMMU cdev (the compat kernel). */
	add_dev("0000:00:08.0", "0x8086\n", "0x10c9\n", "vfio-pci", -1, -1);
	add_noiommu_cdev("0000:00:08.0", 2);
	add_dev("0000:00:09.0", "0x8086\n", "0x10c9\n", "vfio-pci", 7, -1);
	touch("%s/dev/vfio/noiommu-7%s", "");
	snprintf(p, sizeof(p), "%s/kernel/iommu_groups/7/name", sysroot);
	put(p, "vfio-noiommu\n");
	add_noiommu_cdev("0000:00:09.0", 3);
}

static struct sl_bus_vfio_conf conf_with(struct sl_devarg *allow, unsigned n, const char *backend,
					 bool noiommu)
{
	struct sl_bus_vfio_conf c = {
		.sysfs_root = sysroot,
		.dev_root = devroot,
		.nb_allow = n,
		.allow = allow,
		.vfio_backend = backend,
		.allow_noiommu = noiommu,
	};
	return c;
}

static struct sl_devarg da(const char *name, const char *args)
{
	struct sl_devarg d;
	memset(&d, 0, sizeof(d));
	snprintf(d.name, sizeof(d.name), "%s", name);
	snprintf(d.args, sizeof(d.args), "%s", args);
	return d;
}

static enum sl_dma_backend backend_of(const char *bdf, char *reason, size_t len)
{
	struct sl_pci_device_info info;
	struct sl_pci_device *d = sl_pci_device_find(bdf);
	if (!d || sl_pci_device_info(d, &info) != 0)
		return SL_DMA_BACKEND_NONE;
	if (reason)
		snprintf(reason, len, "%s", info.backend_reason);
	return info.backend;
}

/* Scan expecting failure with ERRNO_WANT and every NEEDLE in the log. */
static void expect_refusal(struct sl_devarg *allow, unsigned n, const char *backend, bool noiommu,
			   int errno_want, const char *needle1, const char *needle2)
{
	struct sl_bus_vfio_conf c = conf_with(allow, n, backend, noiommu);
	const char *log;
	int rc;

	capture_begin();
	errno = 0;
	rc = sl_bus_vfio_scan(&c);
	int err = errno;
	log = capture_end();
	CHECK(rc == -1);
	if (err != errno_want) {
		fprintf(stderr, "errno %d, want %d\n", err, errno_want);
		test_failures++;
	}
	CHECK(sl_pci_device_count() == 0);
	if (needle1)
		CHECK_CONTAINS(log, needle1);
	if (needle2)
		CHECK_CONTAINS(log, needle2);
}

int main(void)
{
	char reason[160], p[PATH_MAX + 64];
	struct sl_pci_device_info info;
	const char *log;
	int fds0;

	build_tree();
	setenv("SL_DEV_ROOT", devroot, 1); /* dma_map opens /dev/iommu, /dev/vfio/vfio under it */
	fds0 = count_fds();

	/* 1. No -a: every vfio-pci function that can be used. */
	{
		struct sl_bus_vfio_conf c = conf_with(NULL, 0, NULL, false);
		capture_begin();
		CHECK(sl_bus_vfio_scan(&c) == 0);
		log = capture_end();
		CHECK(sl_pci_device_count() == 2);
		CHECK(backend_of("0000:00:02.0", reason, sizeof(reason)) == SL_DMA_BACKEND_IOMMUFD);
		CHECK_CONTAINS(reason, "/dev/iommu and vfio-dev/vfio0 present");
		CHECK(backend_of("0000:00:03.0", reason, sizeof(reason)) == SL_DMA_BACKEND_TYPE1);
		CHECK_CONTAINS(reason, "no vfio-dev cdev");
		CHECK(sl_pci_device_find("0000:00:05.0") == NULL); /* igb keeps it */
		CHECK(sl_pci_device_find("0000:00:07.0") == NULL); /* unbound */
		CHECK_CONTAINS(log, "skipping 0000:00:04.0: only no-IOMMU is available");
		CHECK_CONTAINS(log, "--allow-noiommu");
		CHECK_CONTAINS(log, "skipping 0000:00:06.0: IOMMU group 5 is not viable");
		CHECK_CONTAINS(log, "0000:00:06.1 (bound to e1000e)");
		CHECK_CONTAINS(log, "backend iommufd");
		/* sorted by address, info filled from sysfs */
		CHECK(sl_pci_device_get(0) == sl_pci_device_find("02:00.0") ||
		      sl_pci_device_get(0) == sl_pci_device_find("0000:00:02.0"));
		CHECK(sl_pci_device_info(sl_pci_device_get(0), &info) == 0);
		CHECK(strcmp(info.name, "0000:00:02.0") == 0);
		CHECK(info.vendor_id == 0x8086 && info.device_id == 0x10c9);
		CHECK(info.class_id == 0x020000 && info.numa_node == -1);
		/* NUMA node from sysfs: -1 there is SL_SOCKET_ID_ANY */
		CHECK(sl_pci_device_numa_node(sl_pci_device_find("0000:00:02.0")) == SL_SOCKET_ID_ANY);
		CHECK(sl_pci_device_numa_node(sl_pci_device_find("0000:00:03.0")) == 1);
		CHECK(sl_pci_device_numa_node(NULL) == SL_SOCKET_ID_ANY);
		CHECK(strcmp(info.driver, "vfio-pci") == 0 && info.iommu_group == 1);
		CHECK(!info.is_open);
	}
	/* 1b. -b: a blocked function is skipped (either address form), the
	 * others are kept as before. */
	{
		struct sl_devarg blk[2] = {da("00:02.0", ""), da("0000:00:09.0", "")};
		struct sl_bus_vfio_conf c = conf_with(NULL, 0, NULL, false);
		c.nb_block = 2;
		c.block = blk;
		capture_begin();
		CHECK(sl_bus_vfio_scan(&c) == 0);
		log = capture_end();
		CHECK(sl_pci_device_count() == 1);
		CHECK(sl_pci_device_find("0000:00:02.0") == NULL);
		CHECK(sl_pci_device_find("0000:00:03.0") != NULL);
		CHECK_CONTAINS(log, "skipping 0000:00:02.0: blocked with -b");
	}
	/* 2. With --allow-noiommu the no-IOMMU device joins. */
	{
		struct sl_bus_vfio_conf c = conf_with(NULL, 0, "auto", true);
		const char *log;
		capture_begin();
		CHECK(sl_bus_vfio_scan(&c) == 0);
		log = capture_end();
		/* the scan line of a device without an IOMMU group (the cdev-only
		 * kernel's no-IOMMU device) says so, not "group -1" */
		CHECK_CONTAINS(log, "0000:00:08.0 [8086:10c9] group none: backend noiommu-cdev (");
		CHECK_CONTAINS(log, "0000:00:09.0 [8086:10c9] group 7: backend noiommu-cdev (");
		CHECK(strstr(log, "group -1") == NULL);
		CHECK(sl_pci_device_count() == 5);
		CHECK(backend_of("0000:00:04.0", reason, sizeof(reason)) == SL_DMA_BACKEND_NOIOMMU);
		CHECK_CONTAINS(reason, "noiommu-3");
		/* only the cdev: noiommu-cdev */
		CHECK(backend_of("0000:00:08.0", reason, sizeof(reason)) == SL_DMA_BACKEND_NOIOMMU_CDEV);
		CHECK_CONTAINS(reason, "no IOMMU; noiommu-vfio2 present; physical addresses from "
			       "IOMMU_IOAS_NOIOMMU_GET_PA; pinned by the kernel");
		/* group and cdev: the cdev is preferred */
		CHECK(backend_of("0000:00:09.0", reason, sizeof(reason)) == SL_DMA_BACKEND_NOIOMMU_CDEV);
		CHECK_CONTAINS(reason, "noiommu-vfio3 present");
	}
	/* 2b. No-IOMMU through the cdev: opt-in, forcing, refusals. */
	{
		struct sl_devarg a[2];
		const char *log;
		a[0] = da("0000:00:08.0", "");
		expect_refusal(a, 1, NULL, false, EPERM, "only no-IOMMU is available (cdev "
			       "/dev/vfio/devices/noiommu-vfio2)", "--allow-noiommu");
		a[0] = da("0000:00:09.0", "");
		expect_refusal(a, 1, NULL, false, EPERM, "cdev /dev/vfio/devices/noiommu-vfio3, group "
			       "/dev/vfio/noiommu-7", "--allow-noiommu");
		a[0] = da("0000:00:09.0", "iommu=noiommu-cdev");
		expect_refusal(a, 1, NULL, false, EPERM, "opt in with --allow-noiommu", NULL);
		/* forcing the group path where both exist */
		a[0] = da("0000:00:09.0", "iommu=noiommu");
		struct sl_bus_vfio_conf c = conf_with(a, 1, NULL, true);
		capture_begin();
		CHECK(sl_bus_vfio_scan(&c) == 0);
		log = capture_end();
		CHECK(backend_of("0000:00:09.0", reason, sizeof(reason)) == SL_DMA_BACKEND_NOIOMMU);
		CHECK_CONTAINS(reason, "forced by -a ...,iommu=noiommu");
		CHECK_CONTAINS(log, "nodes: vfio-dev/noiommu-vfio3, /dev/vfio/noiommu-7");
		/* and the cdev path by name */
		a[0] = da("0000:00:09.0", "iommu=noiommu-cdev");
		c = conf_with(a, 1, NULL, true);
		CHECK(sl_bus_vfio_scan(&c) == 0);
		CHECK(backend_of("0000:00:09.0", reason, sizeof(reason)) == SL_DMA_BACKEND_NOIOMMU_CDEV);
		CHECK_CONTAINS(reason, "forced by -a ...,iommu=noiommu-cdev");
		/* the cdev path on a device behind an IOMMU, and a group-only one */
		a[0] = da("0000:00:02.0", "iommu=noiommu-cdev");
		expect_refusal(a, 1, NULL, true, EPERM, "asks for no-IOMMU through the device cdev",
			       "behind an IOMMU (use iommu=iommufd)");
		a[0] = da("0000:00:04.0", "iommu=noiommu-cdev");
		expect_refusal(a, 1, NULL, true, EPERM, "no vfio-dev/noiommu-vfioN cdev",
			       "CONFIG_IOMMUFD_NOIOMMU");
		/* iommufd and type1 on a no-IOMMU cdev device */
		a[0] = da("0000:00:08.0", "iommu=iommufd");
		expect_refusal(a, 1, NULL, true, EPERM, "asks for iommufd", "iommu=noiommu-cdev");
		a[0] = da("0000:00:08.0", "iommu=type1");
		expect_refusal(a, 1, NULL, true, EPERM, "asks for type1", "has a no-IOMMU cdev");
		/* the no-IOMMU checks in the EAL hook cover both no-IOMMU backends */
		CHECK(sl_dma_backend_is_noiommu(SL_DMA_BACKEND_NOIOMMU_CDEV));
		CHECK(sl_dma_backend_is_noiommu(SL_DMA_BACKEND_NOIOMMU));
		CHECK(!sl_dma_backend_is_noiommu(SL_DMA_BACKEND_TYPE1));
		CHECK(sl_dma_backend_parse("noiommu-cdev") == SL_DMA_BACKEND_NOIOMMU_CDEV);
		CHECK(strcmp(sl_dma_backend_name(SL_DMA_BACKEND_NOIOMMU_CDEV), "noiommu-cdev") == 0);
	}
	/* 3. -a errors, each naming the fix; the list stays empty. */
	{
		struct sl_devarg a[2];
		a[0] = da("0000:00:05.0", "");
		expect_refusal(a, 1, NULL, false, ENODEV, "bound to the kernel driver igb",
			       "usertools/bind.py --bind vfio-pci 0000:00:05.0");
		a[0] = da("0000:00:07.0", "");
		expect_refusal(a, 1, NULL, false, ENODEV, "bound to no driver",
			       "usertools/bind.py --bind vfio-pci 0000:00:07.0");
		a[0] = da("0000:09:00.0", "");
		expect_refusal(a, 1, NULL, false, ENODEV, "-a 0000:09:00.0: no such PCI device", NULL);
		a[0] = da("zz:00", "");
		expect_refusal(a, 1, NULL, false, EINVAL, "-a 'zz:00': not a PCI address", "0000:01:00.0");
		a[0] = da("0000:00:04.0", "");
		expect_refusal(a, 1, NULL, false, EPERM, "only no-IOMMU is available", "--allow-noiommu");
		a[0] = da("0000:00:04.0", "iommu=noiommu");
		expect_refusal(a, 1, NULL, false, EPERM, "opt in with --allow-noiommu", NULL);
		a[0] = da("0000:00:06.0", "");
		expect_refusal(a, 1, NULL, false, EPERM, "IOMMU group 5 is not viable",
			       "usertools/bind.py --bind vfio-pci 0000:00:06.1");
		a[0] = da("0000:00:03.0", "iommu=iommufd");
		expect_refusal(a, 1, NULL, false, EPERM, "asks for iommufd",
			       "no vfio-dev/vfioN cdev");
		a[0] = da("0000:00:04.0", "iommu=type1");
		expect_refusal(a, 1, NULL, true, EPERM, "asks for type1", "no-IOMMU group");
		a[0] = da("0000:00:02.0", "iommu=vfio9");
		expect_refusal(a, 1, NULL, false, EPERM, "unknown VFIO backend 'vfio9'", NULL);
		a[0] = da("0000:00:02.0", "");
		a[1] = da("00:02.0", "");
		expect_refusal(a, 2, NULL, false, EINVAL, "given twice", NULL);
		expect_refusal(NULL, 0, "fastest", false, EINVAL, "--vfio-backend fastest: unknown", NULL);
	}
	/* 4. Forced backends: per device (mixed in one process) and for all. */
	{
		struct sl_devarg a[3];
		a[0] = da("0000:00:02.0", "");
		a[1] = da("0000:00:03.0", "");
		struct sl_bus_vfio_conf c = conf_with(a, 2, NULL, false);
		CHECK(sl_bus_vfio_scan(&c) == 0);
		CHECK(backend_of("0000:00:02.0", NULL, 0) == SL_DMA_BACKEND_IOMMUFD);
		CHECK(backend_of("0000:00:03.0", NULL, 0) == SL_DMA_BACKEND_TYPE1);

		a[0] = da("00:02.0", "iommu=type1"); /* short form too */
		a[1] = da("0000:00:04.0", "iommu=noiommu");
		c = conf_with(a, 2, NULL, true);
		CHECK(sl_bus_vfio_scan(&c) == 0);
		CHECK(backend_of("0000:00:02.0", reason, sizeof(reason)) == SL_DMA_BACKEND_TYPE1);
		CHECK_CONTAINS(reason, "forced by -a ...,iommu=type1");
		CHECK(backend_of("0000:00:04.0", NULL, 0) == SL_DMA_BACKEND_NOIOMMU);
		CHECK(sl_pci_device_info(sl_pci_device_find("0000:00:02.0"), &info) == 0);
		CHECK(strcmp(info.args, "iommu=type1") == 0);

		c = conf_with(NULL, 0, "type1", false);
		CHECK(sl_bus_vfio_scan(&c) == 0);
		CHECK(backend_of("0000:00:02.0", reason, sizeof(reason)) == SL_DMA_BACKEND_TYPE1);
		CHECK_CONTAINS(reason, "forced by --vfio-backend type1");
		/* per-device beats global */
		a[0] = da("0000:00:02.0", "iommu=iommufd");
		c = conf_with(a, 1, "type1", false);
		CHECK(sl_bus_vfio_scan(&c) == 0);
		CHECK(backend_of("0000:00:02.0", NULL, 0) == SL_DMA_BACKEND_IOMMUFD);
	}
	/* 5. Without /dev/iommu the same device falls back to type1, and says why. */
	{
		snprintf(p, sizeof(p), "%s/dev/iommu", root);
		unlink(p);
		struct sl_bus_vfio_conf c = conf_with(NULL, 0, NULL, false);
		CHECK(sl_bus_vfio_scan(&c) == 0);
		CHECK(backend_of("0000:00:02.0", reason, sizeof(reason)) == SL_DMA_BACKEND_TYPE1);
		CHECK_CONTAINS(reason, "no /dev/iommu");
		struct sl_devarg a[1] = { da("0000:00:02.0", "iommu=iommufd") };
		expect_refusal(a, 1, NULL, false, EPERM, "there is no /dev/iommu", NULL);
		touch("%s/dev/iommu%s", "");
	}
	/* 5b. A kernel without VFIO groups and without a container
	 *     (CONFIG_VFIO_GROUP=n): iommufd and the no-IOMMU cdev only;
	 *     forcing type1 or group no-IOMMU names the configuration. */
	{
		char cls[PATH_MAX + 64], node[PATH_MAX + 64];
		snprintf(cls, sizeof(cls), "%s/class/vfio", sysroot);
		snprintf(node, sizeof(node), "%s/dev/vfio/vfio", root);
		rmdir(cls);
		unlink(node);
		sl_vfio_caps_reset();
		CHECK(!sl_vfio_caps_get()->vfio_groups);
		CHECK(sl_vfio_caps_get()->container == SL_CONTAINER_NONE);
		struct sl_devarg a[1] = { da("0000:00:02.0", "iommu=type1") };
		expect_refusal(a, 1, NULL, false, EPERM, "asks for type1",
			       "this kernel has no VFIO groups and no container (CONFIG_VFIO_GROUP=n");
		a[0] = da("0000:00:09.0", "iommu=noiommu");
		expect_refusal(a, 1, NULL, true, EPERM, "asks for group no-IOMMU",
			       "(CONFIG_VFIO_GROUP=n: device cdevs only); use iommu=noiommu-cdev");
		a[0] = da("0000:00:03.0", "");
		expect_refusal(a, 1, NULL, false, EPERM, "no VFIO access path",
			       "CONFIG_VFIO_GROUP=n");
		a[0] = da("0000:00:02.0", "");
		struct sl_bus_vfio_conf c = conf_with(a, 1, NULL, false);
		CHECK(sl_bus_vfio_scan(&c) == 0);
		CHECK(backend_of("0000:00:02.0", NULL, 0) == SL_DMA_BACKEND_IOMMUFD);
		a[0] = da("0000:00:08.0", "");
		c = conf_with(a, 1, NULL, true);
		CHECK(sl_bus_vfio_scan(&c) == 0);
		CHECK(backend_of("0000:00:08.0", NULL, 0) == SL_DMA_BACKEND_NOIOMMU_CDEV);
		mkdirs(cls);
		touch("%s/dev/vfio/vfio%s", "");
		sl_vfio_caps_reset();
	}
	/* 6. Opening against fake nodes fails (they are plain files) and leaves
	 *    nothing open: the error paths of both backends. */
	{
		struct sl_devarg a[2] = { da("0000:00:02.0", ""), da("0000:00:03.0", "") };
		struct sl_bus_vfio_conf c = conf_with(a, 2, NULL, false);
		CHECK(sl_bus_vfio_scan(&c) == 0);
		int before = count_fds();
		capture_begin();
		CHECK(sl_pci_dev_open(sl_pci_device_find("0000:00:02.0")) == -1);
		CHECK(sl_pci_dev_open(sl_pci_device_find("0000:00:03.0")) == -1);
		log = capture_end();
		CHECK_CONTAINS(log, "IOMMU_IOAS_ALLOC");        /* /dev/iommu is not an iommufd */
		CHECK_CONTAINS(log, "/dev/vfio/vfio");          /* no container node */
		CHECK(count_fds() == before);
		CHECK(sl_pci_dev_fd(sl_pci_device_find("0000:00:02.0")) == -1);
		CHECK(sl_pci_dev_dma_as(sl_pci_device_find("0000:00:02.0")) == NULL);
		CHECK(sl_pci_bar_map(sl_pci_device_find("0000:00:02.0"), 0, NULL) == NULL);
	}
	sl_bus_vfio_cleanup();
	CHECK(sl_pci_device_count() == 0);
	CHECK(count_fds() == fds0);

	snprintf(p, sizeof(p), "rm -rf '%s'", root);
	if (system(p) != 0)
		fprintf(stderr, "could not remove %s\n", root);
	return test_result("test_scan");
}
