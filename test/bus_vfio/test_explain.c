/* test_explain.c: the explanations of VFIO / iommufd refusals
 * (lib/dma_map/vfio_explain.c), on the host where no VFIO exists:
 *  1. the table: every (call, errno) pair of doc/bus_vfio.md's table gives
 *     its cause and remedy;
 *  2. the MSI-isolation refusal (EPERM at VFIO_DEVICE_BIND_IOMMUFD,
 *     VFIO_SET_IOMMU, VFIO_GROUP_SET_CONTAINER) tailored to the
 *     allow_unsafe_interrupts parameters read from a fake sysfs;
 *  3. the real open paths of bus_vfio + dma_map with the kernel's answer
 *     injected: this program defines ioctl() itself (the libraries are
 *     static, so their calls land here), answers the VFIO/iommufd requests
 *     (type ';') like a kernel would and fails the chosen one with the
 *     chosen errno; the open must fail with the explanation in the log and
 *     leave no fd open. Other ioctls go to the kernel. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sl_kernel_uapi.h"
#include "sl_bus_vfio.h"
#include "sl_vfio_explain.h"
#include "test_util.h"
#include "fake_vfio_tree.h"

/* ---- the fake kernel ------------------------------------------------------ */

static unsigned long fail_req; /* request to fail (0: none) */
static int fail_err;
static unsigned next_id = 1;

int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	va_start(ap, req);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	if (_IOC_TYPE(req) != VFIO_TYPE)
		return (int)syscall(SYS_ioctl, fd, req, arg);
	if (fail_req && req == fail_req) {
		errno = fail_err;
		return -1;
	}
	switch (req) {
	case VFIO_GET_API_VERSION:
		return VFIO_API_VERSION;
	case VFIO_CHECK_EXTENSION:
		return 1;
	case VFIO_GROUP_GET_STATUS:
		((struct vfio_group_status *)arg)->flags = VFIO_GROUP_FLAGS_VIABLE;
		return 0;
	case IOMMU_IOAS_ALLOC:
		if (fake_fd_is_container(fd)) { /* VFIO's legacy container */
			errno = EINVAL;
			return -1;
		}
		((struct iommu_ioas_alloc *)arg)->out_ioas_id = next_id++;
		return 0;
	case VFIO_DEVICE_BIND_IOMMUFD:
		((struct vfio_device_bind_iommufd *)arg)->out_devid = next_id++;
		return 0;
	case VFIO_IOMMU_GET_INFO:
		((struct vfio_iommu_type1_info *)arg)->flags = 0;
		return 0;
	case VFIO_GROUP_SET_CONTAINER:
	case VFIO_GROUP_UNSET_CONTAINER:
	case VFIO_SET_IOMMU:
	case IOMMU_DESTROY:
	case VFIO_DEVICE_ATTACH_IOMMUFD_PT:
	case VFIO_DEVICE_DETACH_IOMMUFD_PT:
		return 0;
	default:
		errno = ENOTTY;
		return -1;
	}
}

/* ---- a fake sysfs and /dev ------------------------------------------------ */

/* 0000:00:02.0: vfio-pci, group 1, cdev vfio0 (iommufd or type1 by -a) */
static void build_tree(void)
{
	fake_tree_create("sl_explain_");
	fake_tree_add_dev("0000:00:02.0", "0x8086", "0x10c9", 1);
	fake_sh("mkdir -p '%s/module/iommufd/parameters' '%s/module/vfio_iommu_type1/parameters'",
		fake_sysroot, fake_sysroot);
}

static void set_params(const char *iommufd, const char *type1)
{
	fake_sh("echo %s >'%s/module/iommufd/parameters/allow_unsafe_interrupts' && "
	   "echo %s >'%s/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts'",
	   iommufd, fake_sysroot, type1, fake_sysroot);
}

/* Open 0000:00:02.0 through BACKEND with REQ failing with ERR: the open
 * fails, the log has every needle, no fd is left. */
static void open_refused(const char *backend, unsigned long req, int err, const char *const *needles)
{
	struct sl_devarg a;
	memset(&a, 0, sizeof(a));
	snprintf(a.name, sizeof(a.name), "0000:00:02.0");
	snprintf(a.args, sizeof(a.args), "iommu=%s", backend);
	struct sl_bus_vfio_conf c = { .sysfs_root = fake_sysroot, .dev_root = fake_root, .nb_allow = 1, .allow = &a };
	CHECK(sl_bus_vfio_scan(&c) == 0);
	struct sl_pci_device *dev = sl_pci_device_find("0000:00:02.0");
	CHECK(dev != NULL);
	if (!dev)
		return;
	int fds = count_fds();
	fail_req = req;
	fail_err = err;
	capture_begin();
	int rc = sl_pci_dev_open(dev);
	const char *log = capture_end();
	fail_req = 0;
	CHECK(rc == -1);
	if (rc == 0)
		sl_pci_dev_close(dev);
	for (; *needles; needles++)
		CHECK_CONTAINS(log, *needles);
	if (count_fds() != fds) {
		fprintf(stderr, "%s: %d fds before the open, %d after\n", backend, fds, count_fds());
		test_failures++;
	}
	sl_bus_vfio_cleanup();
}

/* ---- 1. the table ---------------------------------------------------------- */

struct row {
	enum sl_vfio_op op;
	int err;
	const char *needle;
};

static const struct row table[] = {
	{SL_VFIO_OP_OPEN_GROUP, EBUSY, "another process holds the group"},
	{SL_VFIO_OP_OPEN_GROUP, EACCES, "run as root"},
	{SL_VFIO_OP_OPEN_GROUP, ENOENT, "unbound from vfio-pci"},
	{SL_VFIO_OP_OPEN_CDEV, EBUSY, "in use by another process or through its group"},
	{SL_VFIO_OP_OPEN_IOMMUFD, ENOENT, "CONFIG_IOMMUFD"},
	{SL_VFIO_OP_GROUP_SET_CONTAINER, EBUSY, "already in a container"},
	{SL_VFIO_OP_GROUP_SET_CONTAINER, EINVAL, "does not suit the group"},
	{SL_VFIO_OP_GROUP_SET_CONTAINER, EPERM, "vfio_iommu_type1.allow_unsafe_interrupts=1"},
	{SL_VFIO_OP_SET_IOMMU, EPERM, "MSIs are not isolated"},
	{SL_VFIO_OP_SET_IOMMU, EINVAL, "no group in the container"},
	{SL_VFIO_OP_SET_IOMMU, EBUSY, "already set"},
	{SL_VFIO_OP_GROUP_GET_DEVICE_FD, EBUSY, "open through its cdev"},
	{SL_VFIO_OP_BIND_IOMMUFD, EPERM, "iommufd.allow_unsafe_interrupts=1"},
	{SL_VFIO_OP_BIND_IOMMUFD, EBUSY, "in use by a kernel driver or another process"},
	{SL_VFIO_OP_BIND_IOMMUFD, EINVAL, "already bound"},
	{SL_VFIO_OP_ATTACH_IOMMUFD_PT, EINVAL, "does not suit the device"},
	{SL_VFIO_OP_ATTACH_IOMMUFD_PT, EADDRINUSE, "reserved IOVA ranges"},
	{SL_VFIO_OP_ATTACH_IOMMUFD_PT, ENOMEM, "RLIMIT_MEMLOCK"},
	{SL_VFIO_OP_IOMMU_MAP_DMA, ENOMEM, "RLIMIT_MEMLOCK is too low"},
	{SL_VFIO_OP_IOMMU_MAP_DMA, ENOSPC, "/sys/module/vfio_iommu_type1/parameters/dma_entry_limit"},
	{SL_VFIO_OP_IOMMU_MAP_DMA, EEXIST, "overlaps an existing mapping"},
	{SL_VFIO_OP_IOMMU_MAP_DMA, EINVAL, "not aligned"},
	{SL_VFIO_OP_IOAS_MAP, ENOMEM, "ulimit -l"},
	{SL_VFIO_OP_IOAS_MAP, EADDRINUSE, "MSI window"},
	{SL_VFIO_OP_IOAS_COPY, ENOMEM, "CAP_IPC_LOCK"},
	{SL_VFIO_OP_IOAS_ALLOC, ENOTTY, "iommufd interface"},
};

static void test_table(void)
{
	struct sl_vfio_msi_params p = { .iommufd = 0, .type1 = 0, .noiommu = 0 };
	char buf[1536];
	for (size_t i = 0; i < SL_DIM(table); i++) {
		sl_vfio_explain(table[i].op, table[i].err, &p, buf, sizeof(buf));
		if (!strstr(buf, table[i].needle)) {
			fprintf(stderr, "%s errno %d: expected \"%s\" in \"%s\"\n", sl_vfio_op_name(table[i].op),
				table[i].err, table[i].needle, buf);
			test_failures++;
		}
	}
	/* nothing known: nothing said */
	CHECK(sl_vfio_explain(SL_VFIO_OP_SET_IOMMU, EIO, &p, buf, sizeof(buf))[0] == '\0');
	/* no-IOMMU: EPERM is the capability, not interrupts */
	p.noiommu = 1;
	CHECK_CONTAINS(sl_vfio_explain(SL_VFIO_OP_SET_IOMMU, EPERM, &p, buf, sizeof(buf)), "CAP_SYS_RAWIO");
	CHECK(strstr(buf, "allow_unsafe") == NULL);
	CHECK_CONTAINS(sl_vfio_explain(SL_VFIO_OP_OPEN_GROUP, EPERM, &p, buf, sizeof(buf)), "CAP_SYS_RAWIO");
	/* a tiny buffer is cut, never overrun */
	char tiny[8];
	sl_vfio_explain(SL_VFIO_OP_BIND_IOMMUFD, EPERM, &p, tiny, sizeof(tiny));
	CHECK(strlen(tiny) == sizeof(tiny) - 1);
}

/* ---- 2. tailored to the parameters ------------------------------------------ */

static void test_msi_params(void)
{
	struct sl_vfio_msi_params p;
	char buf[1536];

	set_params("N", "N");
	sl_vfio_msi_params_read(&p);
	CHECK(p.iommufd == 0 && p.type1 == 0);
	sl_vfio_explain(SL_VFIO_OP_BIND_IOMMUFD, EPERM, &p, buf, sizeof(buf));
	CHECK_CONTAINS(buf, "MSIs are not isolated");
	CHECK_CONTAINS(buf, "interrupt remapping");
	CHECK_CONTAINS(buf, "weakens the isolation");
	CHECK_CONTAINS(buf, "echo 1 > /sys/module/iommufd/parameters/allow_unsafe_interrupts");
	CHECK_CONTAINS(buf, "now iommufd.allow_unsafe_interrupts=N, vfio_iommu_type1.allow_unsafe_interrupts=N");
	CHECK(strstr(buf, "would be allowed") == NULL);

	/* type1 allowed, iommufd not: say type1 would work */
	set_params("N", "Y");
	sl_vfio_msi_params_read(&p);
	CHECK(p.iommufd == 0 && p.type1 == 1);
	sl_vfio_explain(SL_VFIO_OP_BIND_IOMMUFD, EPERM, &p, buf, sizeof(buf));
	CHECK_CONTAINS(buf, "type1 would be allowed: -a BDF,iommu=type1");
	/* type1 refused although allowed: another cause */
	sl_vfio_explain(SL_VFIO_OP_SET_IOMMU, EPERM, &p, buf, sizeof(buf));
	CHECK_CONTAINS(buf, "already Y, so this is not the interrupt-isolation refusal");

	/* no such parameter (module not there) */
	fake_sh("rm -f '%s/module/iommufd/parameters/allow_unsafe_interrupts'", fake_sysroot);
	sl_vfio_msi_params_read(&p);
	CHECK(p.iommufd == -1 && p.type1 == 1);
	sl_vfio_explain(SL_VFIO_OP_SET_IOMMU, EPERM, &p, buf, sizeof(buf));
	CHECK_CONTAINS(buf, "already Y");
	sl_vfio_explain(SL_VFIO_OP_BIND_IOMMUFD, EPERM, &p, buf, sizeof(buf));
	CHECK_CONTAINS(buf, "iommufd.allow_unsafe_interrupts=not present");
}

/* ---- 3. the real open paths, the kernel's answer injected ---------------------- */

static void test_open_paths(void)
{
	set_params("N", "N");
	{
		static const char *const n[] = {"VFIO_DEVICE_BIND_IOMMUFD: Operation not permitted",
						"MSIs are not isolated", "iommufd.allow_unsafe_interrupts=N", NULL};
		open_refused("iommufd", VFIO_DEVICE_BIND_IOMMUFD, EPERM, n);
	}
	{
		static const char *const n[] = {"VFIO_SET_IOMMU(type1): Operation not permitted",
						"vfio_iommu_type1.allow_unsafe_interrupts=1", NULL};
		open_refused("type1", VFIO_SET_IOMMU, EPERM, n);
	}
	{
		static const char *const n[] = {"VFIO_GROUP_SET_CONTAINER: Device or resource busy",
						"already in a container", NULL};
		open_refused("type1", VFIO_GROUP_SET_CONTAINER, EBUSY, n);
	}
	{
		static const char *const n[] = {"VFIO_GROUP_SET_CONTAINER: Invalid argument",
						"does not suit the group", NULL};
		open_refused("type1", VFIO_GROUP_SET_CONTAINER, EINVAL, n);
	}
	{
		static const char *const n[] = {"VFIO_GROUP_GET_DEVICE_FD: Device or resource busy",
						"open through its cdev", NULL};
		open_refused("type1", VFIO_GROUP_GET_DEVICE_FD, EBUSY, n);
	}
	{
		static const char *const n[] = {"VFIO_DEVICE_BIND_IOMMUFD: Device or resource busy",
						"in use by a kernel driver or another process", NULL};
		open_refused("iommufd", VFIO_DEVICE_BIND_IOMMUFD, EBUSY, n);
	}
	{
		static const char *const n[] = {"VFIO_DEVICE_ATTACH_IOMMUFD_PT", "Invalid argument",
						"does not suit the device", NULL};
		open_refused("iommufd", VFIO_DEVICE_ATTACH_IOMMUFD_PT, EINVAL, n);
	}
	{
		static const char *const n[] = {"IOMMU_IOAS_ALLOC", NULL};
		open_refused("iommufd", IOMMU_IOAS_ALLOC, ENOTTY, n);
	}
	/* type1 allowed: the iommufd refusal points at it */
	set_params("N", "Y");
	{
		static const char *const n[] = {"type1 would be allowed: -a BDF,iommu=type1", NULL};
		open_refused("iommufd", VFIO_DEVICE_BIND_IOMMUFD, EPERM, n);
	}
}

int main(void)
{
	build_tree();
	setenv("SL_DEV_ROOT", fake_root, 1);
	setenv("SL_SYSFS_ROOT", fake_sysroot, 1);
	int fds0 = count_fds();
	test_table();
	test_msi_params();
	test_open_paths();
	CHECK(count_fds() == fds0);
	fake_sh("rm -rf '%s'", fake_root);
	return test_result("test_explain");
}
