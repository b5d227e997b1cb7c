/* test_probe.c: the PCI bus's driver side on the host, with fake PCI
 * drivers over a fake sysfs/dev tree and a fake kernel (this program
 * defines ioctl(), as test_explain.c does, and answers the VFIO and
 * iommufd requests so that opens succeed):
 *  1. matching: a driver's id table picks the device, unregister drops it;
 *  2. match before open: a device no driver claims is never opened (its
 *     cdev never bound) nor reset, and the log says so;
 *  3. probe failure: an unnamed device whose driver fails is logged with
 *     the device and the reason, closed again, and the others work; a
 *     device named with -a fails sl_bus_vfio_probe(true), not (false)
 *     (--skip-failed-devices);
 *  4. removal: the kernel's request (the request eventfd) reaches the
 *     driver's remove callback, then the device is released;
 *  5. the same through sl_eal_init: the bus's EAL hooks are linked and run,
 *     -a with a failing driver fails init, --skip-failed-devices does not. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "sl_kernel_uapi.h"
#include "sl_bus_vfio.h"
#include "test_util.h"
#include "fake_vfio_tree.h"

/* ---- the fake kernel ------------------------------------------------------ */

static unsigned next_id = 1;
static unsigned bound_mask;   /* bit N: vfioN was bound to the iommufd */
static unsigned nb_resets;    /* VFIO_DEVICE_RESET calls */
static int req_efd = -1;      /* the last request eventfd set */

/* N of the /dev/vfio/devices/vfioN FD is open on, or -1. */
static int cdev_of(int fd)
{
	char link[64], target[PATH_MAX];
	ssize_t n;
	const char *p;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return -1;
	target[n] = '\0';
	p = strstr(target, "/dev/vfio/devices/vfio");
	return p ? atoi(p + strlen("/dev/vfio/devices/vfio")) : -1;
}

int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	va_start(ap, req);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	if (_IOC_TYPE(req) != VFIO_TYPE)
		return (int)syscall(SYS_ioctl, fd, req, arg);
	switch (req) {
	case VFIO_GET_API_VERSION:
		return VFIO_API_VERSION;
	case VFIO_CHECK_EXTENSION:
		return 1;
	case IOMMU_IOAS_ALLOC:
		if (fake_fd_is_container(fd)) { /* VFIO's legacy container */
			errno = EINVAL;
			return -1;
		}
		((struct iommu_ioas_alloc *)arg)->out_ioas_id = next_id++;
		return 0;
	case IOMMU_IOAS_IOVA_RANGES: {
		struct iommu_ioas_iova_ranges *q = arg;
		struct iommu_iova_range *r = (void *)(uintptr_t)q->allowed_iovas;
		if (q->num_iovas >= 1 && r) {
			r[0].start = 0;
			r[0].last = (1ull << 48) - 1;
		}
		q->num_iovas = 1;
		q->out_iova_alignment = 4096;
		return 0;
	}
	case VFIO_DEVICE_BIND_IOMMUFD: {
		int n = cdev_of(fd);
		if (n >= 0)
			bound_mask |= 1u << n;
		((struct vfio_device_bind_iommufd *)arg)->out_devid = next_id++;
		return 0;
	}
	case VFIO_DEVICE_GET_INFO: {
		struct vfio_device_info *i = arg;
		i->flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
		i->num_regions = VFIO_PCI_NUM_REGIONS;
		i->num_irqs = VFIO_PCI_NUM_IRQS;
		return 0;
	}
	case VFIO_DEVICE_GET_REGION_INFO: {
		struct vfio_region_info *r = arg;
		r->flags = 0;
		r->size = r->index == VFIO_PCI_CONFIG_REGION_INDEX ? 256 : 0;
		r->offset = (uint64_t)r->index << 40;
		return 0;
	}
	case VFIO_DEVICE_GET_IRQ_INFO: {
		struct vfio_irq_info *ii = arg;
		ii->count = ii->index == VFIO_PCI_REQ_IRQ_INDEX ? 1 : 0;
		return 0;
	}
	case VFIO_DEVICE_SET_IRQS: {
		struct vfio_irq_set *s = arg;
		if (s->index == VFIO_PCI_REQ_IRQ_INDEX)
			req_efd = (s->flags & VFIO_IRQ_SET_DATA_EVENTFD) && s->count == 1 ?
					  *(int32_t *)s->data : -1;
		return 0;
	}
	case VFIO_DEVICE_RESET:
		nb_resets++;
		return 0;
	case IOMMU_DESTROY:
	case IOMMU_IOAS_MAP:
	case IOMMU_IOAS_COPY:
	case IOMMU_IOAS_UNMAP:
	case VFIO_DEVICE_ATTACH_IOMMUFD_PT:
	case VFIO_DEVICE_DETACH_IOMMUFD_PT:
		return 0;
	default:
		errno = ENOTTY;
		return -1;
	}
}

/* ---- a fake sysfs and /dev ------------------------------------------------ */

static void build_tree(void)
{
	fake_tree_create("sl_probe_");
	fake_tree_add_dev("0000:00:02.0", "0x8086", "0x10c9", 1); /* fake_ok claims it */
	fake_tree_add_dev("0000:00:03.0", "0x1234", "0x5678", 2); /* nobody claims it */
	fake_tree_add_dev("0000:00:04.0", "0x8086", "0x10ca", 3); /* fake_fail claims it and fails */
}

/* ---- fake drivers ---------------------------------------------------------- */

static struct sl_pci_device *ok_probed;
static const struct sl_pci_id *ok_id;
static struct sl_pci_device *removed_dev;
static unsigned nb_fail_probes;

static int ok_probe(struct sl_pci_device *dev, const struct sl_pci_id *id)
{
	struct sl_pci_device_info info;
	/* the bus opened it before handing it over */
	CHECK(sl_pci_device_info(dev, &info) == 0 && info.is_open);
	ok_probed = dev;
	ok_id = id;
	return 0;
}

static void ok_remove(struct sl_pci_device *dev)
{
	/* called before the release: the device is still there */
	CHECK(!sl_pci_dev_is_released(dev));
	__atomic_store_n(&removed_dev, dev, __ATOMIC_RELEASE);
}

static const struct sl_pci_id ok_ids[] = {{0x8086, 0x10d3}, {0x8086, 0x10c9}, {0, 0}};
static struct sl_pci_driver ok_drv = {
	.name = "fake_ok", .id_table = ok_ids, .probe = ok_probe, .remove = ok_remove,
};

static int fail_probe(struct sl_pci_device *dev, const struct sl_pci_id *id)
{
	(void)dev;
	(void)id;
	nb_fail_probes++;
	return -ENXIO;
}

static const struct sl_pci_id fail_ids[] = {{0x8086, 0x10ca}, {0, 0}};
static struct sl_pci_driver fail_drv = { .name = "fake_fail", .id_table = fail_ids, .probe = fail_probe };

/* ---- the checks ------------------------------------------------------------ */

static int scan(const char *const *named)
{
	struct sl_devarg a[4];
	unsigned n = 0;

	memset(a, 0, sizeof(a));
	for (; named && *named && n < SL_DIM(a); named++, n++)
		snprintf(a[n].name, sizeof(a[n].name), "%s", *named);
	struct sl_bus_vfio_conf c = { .sysfs_root = fake_sysroot, .dev_root = fake_root, .nb_allow = n, .allow = a };
	bound_mask = 0;
	nb_resets = 0;
	nb_fail_probes = 0;
	ok_probed = NULL;
	return sl_bus_vfio_scan(&c);
}

static bool is_open(const char *bdf)
{
	struct sl_pci_device_info info;
	struct sl_pci_device *dev = sl_pci_device_find(bdf);
	return dev && sl_pci_device_info(dev, &info) == 0 && info.is_open;
}

static void test_match(void)
{
	const struct sl_pci_id *id = NULL;

	CHECK(scan(NULL) == 0);
	CHECK(sl_pci_device_count() == 3);
	CHECK(sl_pci_driver_match(sl_pci_device_find("0000:00:02.0"), &id) == &ok_drv);
	CHECK(id == &ok_ids[1]);
	CHECK(sl_pci_driver_match(sl_pci_device_find("0000:00:03.0"), NULL) == NULL);
	CHECK(sl_pci_driver_match(sl_pci_device_find("0000:00:04.0"), NULL) == &fail_drv);
	sl_pci_driver_unregister(&fail_drv);
	CHECK(sl_pci_driver_match(sl_pci_device_find("0000:00:04.0"), NULL) == NULL);
	sl_pci_driver_register(&fail_drv);
	sl_pci_driver_register(&fail_drv); /* twice: no harm */
	CHECK(sl_pci_driver_match(sl_pci_device_find("0000:00:04.0"), NULL) == &fail_drv);
	/* no device opened by any of that */
	CHECK(bound_mask == 0 && nb_resets == 0);
	sl_bus_vfio_cleanup();
}

static void test_unnamed(void)
{
	int fds = count_fds();

	CHECK(scan(NULL) == 0);
	capture_begin();
	int rc = sl_bus_vfio_probe(true);
	const char *log = capture_end();
	CHECK(rc == 0);
	/* the claimed device works */
	CHECK(ok_probed == sl_pci_device_find("0000:00:02.0"));
	CHECK(ok_id == &ok_ids[1]);
	CHECK(is_open("0000:00:02.0"));
	CHECK(sl_pci_dev_driver(ok_probed) == &ok_drv);
	CHECK(bound_mask & 1u);
	/* the unclaimed one was never opened: its cdev never bound */
	CHECK_CONTAINS(log, "0000:00:03.0 [1234:5678]: no driver claims it; left closed");
	CHECK(!(bound_mask & 2u));
	CHECK(!is_open("0000:00:03.0"));
	CHECK(sl_pci_dev_driver(sl_pci_device_find("0000:00:03.0")) == NULL);
	/* the failing one: logged with device, ids, driver and reason, closed */
	CHECK(nb_fail_probes == 1);
	CHECK_CONTAINS(log, "0000:00:04.0 [8086:10ca]: fake_fail failed to probe it: No such device or "
			    "address; device closed again");
	CHECK_CONTAINS(log, "0000:00:04.0 cannot be used; going on without it");
	CHECK(!is_open("0000:00:04.0"));
	CHECK(sl_pci_dev_driver(sl_pci_device_find("0000:00:04.0")) == NULL);
	/* resets: 02 at open; 04 at open and at close; 03 none */
	CHECK(nb_resets == 3);
	/* a second probe leaves the probed device alone and retries the failed one */
	CHECK(sl_bus_vfio_probe(true) == 0);
	CHECK(nb_fail_probes == 2);
	sl_bus_vfio_cleanup();
	CHECK(count_fds() == fds);
}

static void test_named(void)
{
	static const char *const both[] = {"0000:00:02.0", "0000:00:04.0", NULL};
	static const char *const unclaimed[] = {"0000:00:03.0", NULL};
	int fds = count_fds();

	/* named and failing: init would fail */
	CHECK(scan(both) == 0);
	capture_begin();
	errno = 0;
	int rc = sl_bus_vfio_probe(true);
	int err = errno;
	const char *log = capture_end();
	CHECK(rc == -1);
	CHECK(err == ENXIO);
	CHECK_CONTAINS(log, "0000:00:04.0 [8086:10ca]: fake_fail failed to probe it: No such device or address");
	CHECK_CONTAINS(log, "0000:00:04.0 was named with -a and cannot be used, so init fails "
			    "(--skip-failed-devices goes on without it)");
	CHECK(!is_open("0000:00:04.0"));
	sl_bus_vfio_cleanup();

	/* --skip-failed-devices: named and failing is only logged */
	CHECK(scan(both) == 0);
	capture_begin();
	rc = sl_bus_vfio_probe(false);
	log = capture_end();
	CHECK(rc == 0);
	CHECK(is_open("0000:00:02.0"));
	CHECK(!is_open("0000:00:04.0"));
	CHECK_CONTAINS(log, "0000:00:04.0 cannot be used; going on without it");
	sl_bus_vfio_cleanup();

	/* named but no driver for it: not a failure, left closed */
	CHECK(scan(unclaimed) == 0);
	capture_begin();
	rc = sl_bus_vfio_probe(true);
	log = capture_end();
	CHECK(rc == 0);
	CHECK_CONTAINS(log, "0000:00:03.0 [1234:5678]: no driver claims it; left closed");
	CHECK(bound_mask == 0 && nb_resets == 0);
	sl_bus_vfio_cleanup();
	CHECK(count_fds() == fds);
}

static void test_removal(void)
{
	static const char *const one[] = {"0000:00:02.0", NULL};
	int fds = count_fds();
	uint64_t one_req = 1;

	CHECK(scan(one) == 0);
	removed_dev = NULL;
	req_efd = -1;
	CHECK(sl_bus_vfio_probe(true) == 0);
	struct sl_pci_device *dev = sl_pci_device_find("0000:00:02.0");
	CHECK(ok_probed == dev);
	CHECK(req_efd >= 0);
	if (req_efd < 0) {
		sl_bus_vfio_cleanup();
		return;
	}
	/* the kernel asks for the device back */
	CHECK(write(req_efd, &one_req, sizeof(one_req)) == sizeof(one_req));
	for (int i = 0; i < 400 && !sl_pci_dev_is_released(dev); i++)
		usleep(5000);
	CHECK(__atomic_load_n(&removed_dev, __ATOMIC_ACQUIRE) == dev);
	CHECK(sl_pci_dev_is_released(dev));
	/* the driver's close: only the stand-ins were left */
	sl_pci_dev_close(dev);
	CHECK(!is_open("0000:00:02.0"));
	sl_bus_vfio_cleanup();
	CHECK(count_fds() == fds);
}

static void test_eal(char *prog)
{
	int fds = count_fds();
	char *fatal[] = {prog, "-l", "0", "--no-huge", "-m", "16", "-a", "0000:00:02.0", "-a", "0000:00:04.0",
			 NULL};
	char *skip[] = {prog, "-l", "0", "--no-huge", "-m", "16", "-a", "0000:00:02.0", "-a", "0000:00:04.0",
			"--skip-failed-devices", NULL};
	const char *log;
	int rc;

	capture_begin();
	rc = sl_eal_init((int)SL_DIM(fatal) - 1, fatal);
	log = capture_end();
	CHECK(rc < 0);
	if (rc >= 0)
		sl_eal_cleanup();
	CHECK_CONTAINS(log, "0000:00:04.0 was named with -a and cannot be used, so init fails");
	CHECK(count_fds() == fds);

	ok_probed = NULL;
	capture_begin();
	rc = sl_eal_init((int)SL_DIM(skip) - 1, skip);
	log = capture_end();
	CHECK(rc >= 0);
	CHECK_CONTAINS(log, "0000:00:04.0 cannot be used; going on without it");
	CHECK(sl_pci_device_count() == 2);
	CHECK(ok_probed == sl_pci_device_find("0000:00:02.0"));
	CHECK(is_open("0000:00:02.0"));
	CHECK(!is_open("0000:00:04.0"));
	if (rc >= 0)
		sl_eal_cleanup();
	CHECK(!is_open("0000:00:02.0"));
	CHECK(count_fds() == fds);
}

int main(int argc, char **argv)
{
	(void)argc;
	build_tree();
	setenv("SL_DEV_ROOT", fake_root, 1);
	setenv("SL_SYSFS_ROOT", fake_sysroot, 1);
	sl_pci_driver_register(&ok_drv);
	sl_pci_driver_register(&fail_drv);
	int fds0 = count_fds();
	test_match();
	test_unnamed();
	test_named();
	test_removal();
	test_eal(argv[0]);
	CHECK(count_fds() == fds0);
	fake_sh("rm -rf '%s'", fake_root);
	return test_result("test_probe");
}
