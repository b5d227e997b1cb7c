/* reset.c: device reset: the choice between a function-level reset
 * (VFIO_DEVICE_RESET) and a hot reset (VFIO_DEVICE_PCI_HOT_RESET, planned
 * by hot_reset.c from the kernel's info reply), logged with its reason;
 * used at open, at close and by sl_pci_reset. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "bus_vfio_internal.h"
#include "sl_vfio_explain.h"

/* ---- reset -------------------------------------------------------------- */

const char *sl_pci_reset_kind_name(enum sl_pci_reset_kind kind)
{
	switch (kind) {
	case SL_PCI_RESET_FUNCTION:
		return "function-level";
	case SL_PCI_RESET_HOT:
		return "hot";
	default:
		return "none";
	}
}

/* "reset_method \"flr bus\"" or "reset_method empty", from sysfs: what the
 * kernel would use for a function-level reset (informative only: vfio-pci
 * decides VFIO_DEVICE_FLAGS_RESET when the device is first opened). */
static void reset_methods_text(const struct sl_pci_device *dev, char *buf, size_t len)
{
	char path[PATH_MAX], methods[96];

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/reset_method", bv_bus.sysfs_root, dev->name);
	if (bv_read_line(path, methods, sizeof(methods)) == 0 && methods[0])
		snprintf(buf, len, "reset_method \"%s\"", methods);
	else
		snprintf(buf, len, "reset_method %s", bv_path_exists(path) ? "empty" : "absent");
}

/* VFIO_DEVICE_GET_PCI_HOT_RESET_INFO with a buffer grown until the reply
 * fits. The caller frees it. NULL with errno (ENODEV: no slot or bus reset
 * can reach the device). */
static struct vfio_pci_hot_reset_info *hot_reset_info(struct sl_pci_device *dev)
{
	uint32_t room = 8;
	unsigned tries;
	int saved = EAGAIN;

	for (tries = 0; tries < 4; tries++) {
		size_t sz = sizeof(struct vfio_pci_hot_reset_info) +
			    room * sizeof(struct vfio_pci_dependent_device);
		struct vfio_pci_hot_reset_info *hi = calloc(1, sz);

		if (!hi)
			return NULL;
		hi->argsz = (uint32_t)sz;
		if (ioctl(dev->fd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, hi) == 0)
			return hi;
		saved = errno;
		/* ENOSPC: count says how many; EAGAIN: the bus changed meanwhile */
		if (saved == ENOSPC)
			room = hi->count > room ? hi->count : room * 2;
		free(hi);
		if (saved != ENOSPC && saved != EAGAIN)
			break;
	}
	errno = saved;
	return NULL;
}

/* Whether this process may hot-reset DEV now. 0: *FDS (malloc'd, for the
 * caller to free; NULL for a cdev) holds the *NB_FDS group fds to pass and
 * MSG names the bus and the affected functions. -1 with errno (ENOTSUP: no
 * hot reset reaches the device; EPERM: it would reset functions we do not
 * own or have open) and MSG saying why not. */
static int hot_reset_plan(struct sl_pci_device *dev, int32_t **fds, unsigned *nb_fds, char *msg,
			  size_t len)
{
	struct vfio_pci_hot_reset_info *hi;
	struct sl_hr_affected *aff = NULL;
	struct sl_hr_group *held = NULL;
	struct sl_pci_addr *open_here = NULL;
	struct sl_hr_input in = { .self = dev->addr };
	struct sl_pci_device *d;
	unsigned nb_groups = 0, nb_open = 0, i;
	int rc = -1, saved;

	*fds = NULL;
	*nb_fds = 0;
	hi = hot_reset_info(dev);
	if (!hi) {
		saved = errno;
		if (saved == ENODEV)
			snprintf(msg, len, "no hot reset either: the kernel can reset neither its slot nor "
				 "its bus (a device on a root bus, or a bridge or device marked as not "
				 "resettable)");
		else
			snprintf(msg, len, "no hot reset either: VFIO_DEVICE_GET_PCI_HOT_RESET_INFO: %s",
				 strerror(saved));
		errno = saved == ENODEV ? ENOTSUP : saved;
		return -1;
	}
	nb_groups = bv_groups_held(NULL, 0);
	for (d = bv_bus.devs; d; d = d->next)
		if (d->open && d != dev)
			nb_open++;
	aff = calloc(hi->count ? hi->count : 1, sizeof(*aff));
	held = calloc(nb_groups ? nb_groups : 1, sizeof(*held));
	open_here = calloc(nb_open ? nb_open : 1, sizeof(*open_here));
	*fds = calloc(hi->count ? hi->count : 1, sizeof(**fds));
	if (!aff || !held || !open_here || !*fds) {
		snprintf(msg, len, "no memory to plan a hot reset");
		errno = ENOMEM;
		goto out;
	}
	for (i = 0; i < hi->count; i++) {
		aff[i].addr.domain = hi->devices[i].segment;
		aff[i].addr.bus = hi->devices[i].bus;
		aff[i].addr.devid = (uint8_t)(hi->devices[i].devfn >> 3);
		aff[i].addr.function = (uint8_t)(hi->devices[i].devfn & 7);
		aff[i].id = hi->devices[i].group_id; /* devid for a cdev (same member) */
	}
	bv_groups_held(held, nb_groups);
	i = 0;
	for (d = bv_bus.devs; d; d = d->next)
		if (d->open && d != dev)
			open_here[i++] = d->addr;
	in.cdev = dev->ops->cdev;
	in.info_flags = hi->flags;
	in.affected = aff;
	in.nb_affected = hi->count;
	in.held = held;
	in.nb_held = nb_groups;
	in.open = open_here;
	in.nb_open = nb_open;
	rc = sl_hr_decide(&in, *fds, nb_fds, msg, len);
	if (rc != 0)
		errno = EPERM;
out:
	saved = errno;
	if (rc != 0) {
		free(*fds);
		*fds = NULL;
		*nb_fds = 0;
	}
	free(aff);
	free(held);
	free(open_here);
	free(hi);
	errno = saved;
	return rc;
}

/* Decide the reset DEV gets now into dev->reset_kind and dev->reset_why:
 * VFIO_DEVICE_RESET when VFIO offers it (and it has not just failed for
 * want of a method: FLR_FAILED), else a hot reset this process may issue
 * (*FDS, *NB_FDS as hot_reset_plan), else none (*ERR says why). */
static void reset_choose(struct sl_pci_device *dev, bool flr_failed, int32_t **fds, unsigned *nb_fds,
			 int *err)
{
	char methods[128], plan[sizeof(dev->reset_why)];

	*fds = NULL;
	*nb_fds = 0;
	*err = 0;
	reset_methods_text(dev, methods, sizeof(methods));
	if ((dev->info.flags & VFIO_DEVICE_FLAGS_RESET) && !flr_failed) {
		dev->reset_kind = SL_PCI_RESET_FUNCTION;
		snprintf(dev->reset_why, sizeof(dev->reset_why),
			 "function-level reset by VFIO_DEVICE_RESET (%s)", methods);
		return;
	}
	if (hot_reset_plan(dev, fds, nb_fds, plan, sizeof(plan)) == 0) {
		dev->reset_kind = SL_PCI_RESET_HOT;
	} else {
		*err = errno;
		dev->reset_kind = SL_PCI_RESET_NONE;
	}
	snprintf(dev->reset_why, sizeof(dev->reset_why), "no function-level reset (%s%s); %s",
		 flr_failed ? "VFIO_DEVICE_RESET found no method left, " :
		 "VFIO offers no VFIO_DEVICE_RESET, ", methods, plan);
}

static int hot_reset_do(struct sl_pci_device *dev, const int32_t *fds, unsigned nb_fds)
{
	struct vfio_pci_hot_reset *hr;
	size_t sz = sizeof(*hr) + nb_fds * sizeof(int32_t);
	int rc, saved;

	hr = calloc(1, sz);
	if (!hr)
		return -1;
	hr->argsz = (uint32_t)sz;
	hr->count = nb_fds; /* 0 for a cdev: ownership is proven by its iommufd */
	if (nb_fds)
		memcpy(hr->group_fds, fds, nb_fds * sizeof(int32_t));
	rc = ioctl(dev->fd, VFIO_DEVICE_PCI_HOT_RESET, hr);
	saved = errno;
	free(hr);
	errno = saved;
	return rc;
}

/* Reset DEV the best way it allows (reset_choose), logging which and why.
 * WHEN: "at open" or "at close" (a failure is a warning there), or NULL for
 * sl_pci_reset (a failure is an error). 0 or -1 with errno. */
int bv_dev_reset(struct sl_pci_device *dev, const char *when)
{
	enum sl_log_level fail_level = when ? SL_LOG_WARNING : SL_LOG_ERR;
	const char *at = when ? " " : "", *w = when ? when : "";
	bool flr_failed = false;
	int32_t *fds;
	unsigned nb_fds;
	int err, rc, saved;

again:
	reset_choose(dev, flr_failed, &fds, &nb_fds, &err);
	switch (dev->reset_kind) {
	case SL_PCI_RESET_FUNCTION:
		if (ioctl(dev->fd, VFIO_DEVICE_RESET) == 0) {
			sl_log(SL_LOG_DEBUG, LOG_COMP, "%s: reset%s%s: %s", dev->name, at, w,
			       dev->reset_why);
			return 0;
		}
		saved = errno;
		if (saved == ENOTTY) {
			/* VFIO offered it when the device was opened, but the kernel
			 * has no reset method left (reset_method emptied since). */
			sl_log(SL_LOG_NOTICE, LOG_COMP, "%s: VFIO_DEVICE_RESET%s%s: no reset method "
			       "left; trying a hot reset", dev->name, at, w);
			flr_failed = true;
			goto again;
		}
		sl_log(fail_level, LOG_COMP, "%s: VFIO_DEVICE_RESET%s%s failed: %s", dev->name, at, w,
		       strerror(saved));
		errno = saved;
		return -1;
	case SL_PCI_RESET_HOT:
		rc = hot_reset_do(dev, fds, nb_fds);
		saved = errno;
		free(fds);
		if (rc == 0) {
			/* notable: it resets everything below the bridge */
			sl_log(SL_LOG_NOTICE, LOG_COMP, "%s: reset%s%s: %s", dev->name, at, w,
			       dev->reset_why);
			return 0;
		}
		sl_log(fail_level, LOG_COMP, "%s: VFIO_DEVICE_PCI_HOT_RESET%s%s failed: %s (%s)%s",
		       dev->name, at, w, strerror(saved), dev->reset_why,
		       saved == EINVAL ? "; the kernel refuses a bus reset unless every device on "
		       "the bus is bound to vfio-pci and owned by the caller" : "");
		errno = saved;
		return -1;
	default:
		if (when)
			sl_log(SL_LOG_WARNING, LOG_COMP, "%s: no reset %s: %s", dev->name, when,
			       dev->reset_why);
		else
			sl_log(SL_LOG_ERR, LOG_COMP, "%s: cannot reset: %s", dev->name, dev->reset_why);
		errno = err ? err : ENOTSUP;
		return -1;
	}
}

int sl_pci_reset(struct sl_pci_device *dev)
{
	if (bv_need_open(dev) != 0)
		return -1;
	return bv_dev_reset(dev, NULL);
}
