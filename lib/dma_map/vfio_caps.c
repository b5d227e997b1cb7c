/* vfio_caps.c: the kernel's VFIO/iommufd capabilities, probed once per
 * process and logged once (sl_vfio_caps.h): which nodes exist, whether
 * /dev/vfio/vfio is VFIO's container or iommufd's compat one, whether VFIO
 * groups and the no-IOMMU mode exist, and whether IOMMU_IOAS_MAP_FILE and
 * IOMMU_IOAS_NOIOMMU_GET_PA are there. Every probe is an ioctl the kernel
 * rejects harmlessly; the errno tells the answer. No version checks. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sl_kernel_uapi.h"

#include "dma_map_internal.h"
#include "sl_eal.h"
#include "sl_vfio_caps.h"

enum sl_vfio_container sl_vfio_caps_classify_container(int rc, int err)
{
	if (rc == 0)
		return SL_CONTAINER_IOMMUFD_COMPAT;
	if (err == EINVAL)
		return SL_CONTAINER_VFIO;
	return SL_CONTAINER_UNKNOWN;
}

enum sl_cap sl_vfio_caps_classify_map_file(int rc, int err)
{
	if (rc == 0)
		return SL_CAP_YES; /* cannot happen with the bad flag; still: it is there */
	if (err == EOPNOTSUPP)
		return SL_CAP_YES;
	if (err == ENOTTY)
		return SL_CAP_NO;
	return SL_CAP_UNKNOWN;
}

enum sl_cap sl_vfio_caps_classify_get_pa(int rc, int err)
{
	if (rc == 0 || err == EINVAL)
		return SL_CAP_YES;
	if (err == EPERM)
		return SL_CAP_NO_PERM;
	if (err == EOPNOTSUPP || err == ENOTTY)
		return SL_CAP_NO;
	return SL_CAP_UNKNOWN;
}

const char *sl_cap_name(enum sl_cap c)
{
	switch (c) {
	case SL_CAP_YES: return "yes";
	case SL_CAP_NO: return "no";
	case SL_CAP_NO_PERM: return "yes, but not for this process (needs CAP_SYS_RAWIO)";
	default: return "unknown";
	}
}

const char *sl_vfio_container_name(enum sl_vfio_container c)
{
	switch (c) {
	case SL_CONTAINER_NONE: return "none";
	case SL_CONTAINER_VFIO: return "VFIO's container";
	case SL_CONTAINER_IOMMUFD_COMPAT: return "iommufd's compat container";
	default: return "unknown";
	}
}

static const char *errno_tag(int err)
{
	switch (err) {
	case 0: return "answered";
	case EINVAL: return "EINVAL";
	case ENOTTY: return "ENOTTY";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case ENOENT: return "ENOENT";
	default: return strerror(err);
	}
}

void sl_vfio_caps_format(const struct sl_vfio_caps *c, char *buf, size_t len)
{
	char cont[160], mf[96], gp[128];

	if (c->container == SL_CONTAINER_NONE)
		snprintf(cont, sizeof(cont), "no /dev/vfio/vfio");
	else
		snprintf(cont, sizeof(cont), "/dev/vfio/vfio is %s (IOMMU_IOAS_ALLOC on it: %s)",
			 sl_vfio_container_name(c->container), errno_tag(c->container_errno));
	if (c->map_file == SL_CAP_UNKNOWN && !c->dev_iommu)
		snprintf(mf, sizeof(mf), "IOMMU_IOAS_MAP_FILE n/a (no /dev/iommu)");
	else
		snprintf(mf, sizeof(mf), "IOMMU_IOAS_MAP_FILE %s (%s)", sl_cap_name(c->map_file),
			 errno_tag(c->map_file_errno));
	if (c->noiommu_get_pa == SL_CAP_UNKNOWN && !c->dev_iommu)
		snprintf(gp, sizeof(gp), "IOMMU_IOAS_NOIOMMU_GET_PA n/a (no /dev/iommu)");
	else
		snprintf(gp, sizeof(gp), "IOMMU_IOAS_NOIOMMU_GET_PA %s (%s)",
			 sl_cap_name(c->noiommu_get_pa), errno_tag(c->get_pa_errno));
	snprintf(buf, len, "%s; %s; VFIO groups %s; no-IOMMU mode %s; %s; %s",
		 c->dev_iommu ? "/dev/iommu present" : "no /dev/iommu", cont,
		 c->vfio_groups ? "yes" : "no (CONFIG_VFIO_GROUP=n: device cdevs only)",
		 !c->noiommu_param ? "not built in" : c->noiommu_mode ? "on" : "off", mf, gp);
}

static pthread_mutex_t caps_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sl_vfio_caps caps;
static bool caps_valid;
static char caps_roots[2 * 256];

static void probe(struct sl_vfio_caps *c, const char *dev_root, const char *sys_root)
{
	char path[320], val[16];
	struct stat st;
	int fd;

	memset(c, 0, sizeof(*c));
	snprintf(path, sizeof(path), "%s/class/vfio", sys_root);
	c->vfio_groups = stat(path, &st) == 0;
	snprintf(path, sizeof(path), "%s/module/vfio/parameters/enable_unsafe_noiommu_mode", sys_root);
	{
		FILE *f = fopen(path, "re");
		if (f) {
			c->noiommu_param = true;
			if (fgets(val, sizeof(val), f))
				c->noiommu_mode = val[0] == 'Y' || val[0] == 'y' || val[0] == '1';
			fclose(f);
		}
	}

	snprintf(path, sizeof(path), "%s/dev/vfio/vfio", dev_root);
	if (stat(path, &st) != 0) {
		c->container = SL_CONTAINER_NONE;
	} else {
		c->container = SL_CONTAINER_UNKNOWN;
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			c->container_errno = errno;
		} else {
			struct iommu_ioas_alloc a = { .size = sizeof(a) };
			int rc = ioctl(fd, IOMMU_IOAS_ALLOC, &a);
			c->container_errno = rc == 0 ? 0 : errno;
			c->container = sl_vfio_caps_classify_container(rc, c->container_errno);
			if (rc == 0) {
				struct iommu_destroy d = { .size = sizeof(d), .id = a.out_ioas_id };
				ioctl(fd, IOMMU_DESTROY, &d);
			}
			close(fd);
		}
	}

	snprintf(path, sizeof(path), "%s/dev/iommu", dev_root);
	c->dev_iommu = stat(path, &st) == 0;
	c->map_file = SL_CAP_UNKNOWN;
	c->noiommu_get_pa = SL_CAP_UNKNOWN;
	if (!c->dev_iommu)
		return;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		c->map_file_errno = c->get_pa_errno = errno;
		return;
	}
	{
		struct iommu_ioas_map_file m = {
			.size = sizeof(m),
			.flags = 1u << 31, /* no such flag: rejected before anything is looked at */
			.fd = -1,
		};
		int rc = ioctl(fd, IOMMU_IOAS_MAP_FILE, &m);
		c->map_file_errno = rc == 0 ? 0 : errno;
		c->map_file = sl_vfio_caps_classify_map_file(rc, c->map_file_errno);
	}
	{
		struct iommu_ioas_noiommu_get_pa g = { .size = sizeof(g), .length = 0 };
		int rc = ioctl(fd, IOMMU_IOAS_NOIOMMU_GET_PA, &g);
		c->get_pa_errno = rc == 0 ? 0 : errno;
		c->noiommu_get_pa = sl_vfio_caps_classify_get_pa(rc, c->get_pa_errno);
	}
	close(fd);
}

const struct sl_vfio_caps *sl_vfio_caps_get(void)
{
	const char *dev_root = sl_dma_dev_root();
	const char *sys = getenv("SL_SYSFS_ROOT");
	char roots[sizeof(caps_roots)];

	if (!sys || !*sys)
		sys = "/sys";
	snprintf(roots, sizeof(roots), "%s|%s", dev_root, sys);
	pthread_mutex_lock(&caps_lock);
	if (!caps_valid || strcmp(roots, caps_roots) != 0) {
		probe(&caps, dev_root, sys);
		sl_vfio_caps_format(&caps, caps.summary, sizeof(caps.summary));
		snprintf(caps_roots, sizeof(caps_roots), "%s", roots);
		caps_valid = true;
		sl_log(SL_LOG_NOTICE, LOG_COMP, "kernel VFIO capabilities: %s", caps.summary);
	}
	pthread_mutex_unlock(&caps_lock);
	return &caps;
}

void sl_vfio_caps_reset(void)
{
	pthread_mutex_lock(&caps_lock);
	caps_valid = false;
	pthread_mutex_unlock(&caps_lock);
}
