/* vfio_group.c: access through a VFIO group (type1 and no-IOMMU): the
 * group fds shared between the devices of a group, joined to the shared
 * container, and VFIO_GROUP_GET_DEVICE_FD. The group half of the access ops
 * table (bus_vfio_internal.h). */
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

struct vfio_group {
	struct vfio_group *next;
	int id;
	enum sl_dma_backend be;
	int fd;
	unsigned users;
	struct sl_dma_as *as;
};

/* The groups this process holds, each shared by its open devices. */
static struct vfio_group *groups;

static struct vfio_group *group_get(struct sl_pci_device *dev)
{
	struct vfio_group *g;
	char path[PATH_MAX];
	int saved;

	for (g = groups; g; g = g->next) {
		if (g->id == dev->iommu_group && g->be == dev->backend) {
			g->users++;
			return g;
		}
	}
	g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->id = dev->iommu_group;
	g->be = dev->backend;
	snprintf(path, sizeof(path), "%s/dev/vfio/%s%d", bv_bus.dev_root,
		 dev->backend == SL_DMA_BACKEND_NOIOMMU ? "noiommu-" : "", dev->iommu_group);
	g->fd = open(path, O_RDWR | O_CLOEXEC);
	if (g->fd < 0) {
		struct sl_vfio_msi_params prm = { .noiommu = dev->backend == SL_DMA_BACKEND_NOIOMMU };
		char why[512];
		saved = errno;
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: cannot open %s: %s%s", dev->name, path,
		       strerror(saved), sl_vfio_explain(SL_VFIO_OP_OPEN_GROUP, saved, &prm, why, sizeof(why)));
		free(g);
		errno = saved;
		return NULL;
	}
	g->as = sl_dma_as_for_device(dev->backend, NULL);
	if (!g->as)
		goto fail_close;
	{
		char who[64];
		snprintf(who, sizeof(who), "%s (group %d)", dev->name, g->id);
		if (sl_dma_as_attach(g->as, g->fd, who) != 0)
			goto fail_put;
	}
	g->users = 1;
	g->next = groups;
	groups = g;
	return g;
fail_put:
	saved = errno;
	sl_dma_as_put(g->as);
	errno = saved;
fail_close:
	saved = errno;
	close(g->fd);
	free(g);
	errno = saved;
	return NULL;
}

static void group_put(struct vfio_group *g)
{
	struct vfio_group **pp;

	if (!g || --g->users > 0)
		return;
	sl_dma_as_detach(g->as, g->fd);
	sl_dma_as_put(g->as);
	close(g->fd);
	for (pp = &groups; *pp; pp = &(*pp)->next) {
		if (*pp == g) {
			*pp = g->next;
			break;
		}
	}
	free(g);
}

unsigned bv_groups_held(struct sl_hr_group *out, unsigned max)
{
	struct vfio_group *g;
	unsigned n = 0;

	for (g = groups; g; g = g->next, n++) {
		if (n < max) {
			out[n].id = g->id;
			out[n].fd = g->fd;
		}
	}
	return n;
}

static void group_release(struct sl_pci_device *dev)
{
	if (dev->fd >= 0)
		close(dev->fd);
	group_put(dev->group);
	dev->fd = -1;
	dev->as = NULL;
	dev->group = NULL;
}

static int group_open(struct sl_pci_device *dev)
{
	int saved;

	dev->group = group_get(dev);
	if (!dev->group)
		return -1;
	dev->as = dev->group->as;
	dev->fd = ioctl(dev->group->fd, VFIO_GROUP_GET_DEVICE_FD, dev->name);
	if (dev->fd < 0) {
		struct sl_vfio_msi_params prm = { .noiommu = dev->backend == SL_DMA_BACKEND_NOIOMMU };
		char why[512];
		saved = errno;
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: VFIO_GROUP_GET_DEVICE_FD: %s%s", dev->name,
		       strerror(saved), sl_vfio_explain(SL_VFIO_OP_GROUP_GET_DEVICE_FD, saved, &prm,
							why, sizeof(why)));
		group_release(dev);
		errno = saved;
		return -1;
	}
	/* iommufd's compat container attaches the device to its IOAS now:
	 * its reserved ranges are known only from here on. */
	if (sl_dma_as_device_opened(dev->as, dev->name) != 0) {
		saved = errno;
		group_release(dev);
		errno = saved;
		return -1;
	}
	return 0;
}

const struct bv_access_ops bv_group_ops = {
	.name = "VFIO group",
	.holds = "group reference",
	.cdev = false,
	.open = group_open,
	.release = group_release,
};
