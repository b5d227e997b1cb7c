/* vfio_cdev.c: access through the device's VFIO cdev (iommufd): open
 * /dev/vfio/devices/vfioN, bind it to /dev/iommu and attach it to the
 * shared IOAS (or, when that refuses the device, an IOAS of its own filled
 * by IOMMU_IOAS_COPY). The cdev half of the access ops table
 * (bus_vfio_internal.h). A no-IOMMU device's cdev (Linux 7.3+,
 * /dev/vfio/devices/noiommu-vfioN) opens the same way into the shared
 * noiommu-cdev IOAS (dma_map's noiommu_cdev.c): bv_noiommu_cdev_ops. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bus_vfio_internal.h"
#include "sl_vfio_explain.h"

static void cdev_release(struct sl_pci_device *dev)
{
	if (dev->as) {
		sl_dma_as_detach(dev->as, dev->fd); /* ENOENT when never attached: fine */
		sl_dma_as_put(dev->as);
	}
	if (dev->fd >= 0)
		close(dev->fd);
	dev->fd = -1;
	dev->as = NULL;
}

static int cdev_open(struct sl_pci_device *dev)
{
	char path[PATH_MAX];
	int saved;

	bool noiommu = dev->backend == SL_DMA_BACKEND_NOIOMMU_CDEV;

	snprintf(path, sizeof(path), "%s/dev/vfio/devices/%svfio%d", bv_bus.dev_root,
		 noiommu ? "noiommu-" : "", noiommu ? dev->noiommu_cdev_index : dev->cdev_index);
	dev->fd = open(path, O_RDWR | O_CLOEXEC);
	if (dev->fd < 0) {
		struct sl_vfio_msi_params prm = { .noiommu = noiommu };
		char why[512];
		saved = errno;
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: cannot open %s: %s%s", dev->name, path,
		       strerror(saved), sl_vfio_explain(SL_VFIO_OP_OPEN_CDEV, saved, &prm, why,
							sizeof(why)));
		errno = saved;
		return -1;
	}
	dev->as = sl_dma_as_for_device(dev->backend, dev->name);
	if (!dev->as)
		goto fail;
	if (sl_dma_as_attach(dev->as, dev->fd, dev->name) != 0) {
		/* AUTO: the shared IOAS does not suit this device (see
		 * sl_dma_attach_error_is_misfit). Give it an IOAS of its own,
		 * filled by IOMMU_IOAS_COPY: still pinned once. The failed
		 * attempt bound the cdev, so open it afresh. */
		saved = errno;
		if (noiommu || sl_dma_get_iommufd_mode() != SL_DMA_IOMMUFD_AUTO ||
		    !sl_dma_as_is_shared(dev->as) || !sl_dma_attach_error_is_misfit(saved))
			goto fail;
		sl_log(SL_LOG_NOTICE, LOG_COMP, "%s: cannot join the shared IOAS (%s); using an "
		       "IOAS of its own filled by IOMMU_IOAS_COPY", dev->name, strerror(saved));
		sl_dma_as_put(dev->as);
		close(dev->fd);
		dev->as = NULL;
		dev->fd = open(path, O_RDWR | O_CLOEXEC);
		if (dev->fd < 0)
			goto fail;
		dev->as = sl_dma_as_create(SL_DMA_BACKEND_IOMMUFD, dev->name);
		if (!dev->as || sl_dma_as_attach(dev->as, dev->fd, dev->name) != 0)
			goto fail;
	}
	return 0;
fail:
	saved = errno;
	cdev_release(dev);
	errno = saved;
	return -1;
}

const struct bv_access_ops bv_cdev_ops = {
	.name = "iommufd cdev",
	.holds = "iommufd binding",
	.cdev = true,
	.open = cdev_open,
	.release = cdev_release,
};

const struct bv_access_ops bv_noiommu_cdev_ops = {
	.name = "no-IOMMU cdev",
	.holds = "iommufd binding",
	.cdev = true,
	.open = cdev_open,
	.release = cdev_release,
};
