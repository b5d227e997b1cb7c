/* fake_vfio_tree.h: a fake sysfs and /dev for bus_vfio host tests that
 * define their own ioctl(): a temporary root (under /tmp) holding
 * vfio-pci functions, each alone in an IOMMU group with a device cdev, and
 * the nodes /dev/iommu, /dev/vfio/vfio, /dev/vfio/<group> and
 * /dev/vfio/devices/vfio<N> as plain files. Shared by test_explain.c and
 * test_probe.c. */
#ifndef SL_FAKE_VFIO_TREE_H
#define SL_FAKE_VFIO_TREE_H

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fake_root[PATH_MAX];          /* the fake machine's / */
static char fake_sysroot[PATH_MAX + 8];   /* its /sys */

/* Run a shell command (printf-style); a failure ends the test (exit 2). */
static inline void fake_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void fake_sh(const char *fmt, ...)
{
	char cmd[4 * PATH_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0) {
		fprintf(stderr, "failed: %s\n", cmd);
		exit(2);
	}
}

/* True when FD is the fake /dev/vfio/vfio: a fake kernel answers iommufd
 * ioctls there as VFIO's legacy container does (EINVAL for every unknown
 * one before VFIO_SET_IOMMU), so the capability probe (sl_vfio_caps.h)
 * sees a legacy container, not iommufd's compat one. */
static inline int fake_fd_is_container(int fd)
{
	char link[64], target[PATH_MAX];
	ssize_t n;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return 0;
	target[n] = '\0';
	return n >= 14 && !strcmp(target + n - 14, "/dev/vfio/vfio");
}

/* Make the temporary root /tmp/<PREFIX>XXXXXX (fake_root, fake_sysroot). */
static inline void fake_tree_create(const char *prefix)
{
	snprintf(fake_root, sizeof(fake_root), "/tmp/%sXXXXXX", prefix);
	if (!mkdtemp(fake_root)) {
		perror("mkdtemp");
		exit(2);
	}
	snprintf(fake_sysroot, sizeof(fake_sysroot), "%s/sys", fake_root);
}

/* A vfio-pci function BDF VENDOR:DEVICE alone in group N with cdev vfioN-1. */
static inline void fake_tree_add_dev(const char *bdf, const char *vendor, const char *device, int group)
{
	fake_sh("cd '%s' && d=sys/bus/pci/devices/%s && mkdir -p $d/vfio-dev/vfio%d "
		"sys/bus/pci/drivers/vfio-pci sys/kernel/iommu_groups/%d/devices dev/vfio/devices && "
		"echo %s >$d/vendor && echo %s >$d/device && echo 0x8086 >$d/subsystem_vendor && "
		"echo 0x0000 >$d/subsystem_device && echo 0x020000 >$d/class && echo -1 >$d/numa_node && "
		"ln -s \"$PWD/sys/bus/pci/drivers/vfio-pci\" $d/driver && "
		"ln -s \"$PWD/sys/kernel/iommu_groups/%d\" $d/iommu_group && "
		"ln -s \"$PWD/$d\" sys/kernel/iommu_groups/%d/devices/%s && "
		": >dev/iommu && : >dev/vfio/vfio && : >dev/vfio/%d && : >dev/vfio/devices/vfio%d",
		fake_root, bdf, group - 1, group, vendor, device, group, group, bdf, group, group - 1);
}

#endif
