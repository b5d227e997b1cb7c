/* device.c: open and close of a device whatever its backend (the backend
 * part goes through the access ops table), device info accessors and the
 * driver's per-device data. */
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

int sl_pci_dev_open(struct sl_pci_device *dev)
{
	int saved, rc;

	if (!dev) {
		errno = EINVAL;
		return -1;
	}
	if (dev->open) {
		errno = EBUSY;
		return -1;
	}
	if (!dev->ops) {
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: no backend chosen", dev->name);
		errno = EINVAL;
		return -1;
	}
	dev->fd = -1;
	dev->as = NULL;
	if (dev->ops->open(dev) != 0)
		return -1;

	dev->info.argsz = sizeof(dev->info);
	if (ioctl(dev->fd, VFIO_DEVICE_GET_INFO, &dev->info) != 0) {
		saved = errno;
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: VFIO_DEVICE_GET_INFO: %s", dev->name, strerror(saved));
		errno = saved;
		goto fail;
	}
	if (!(dev->info.flags & VFIO_DEVICE_FLAGS_PCI)) {
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: VFIO says this is not a PCI device", dev->name);
		errno = ENODEV;
		goto fail;
	}
	bv_read_regions(dev);
	dev->open = true;
	/* A failed reset is only a warning: the device is usable, as the
	 * kernel left it. */
	rc = bv_dev_reset(dev, "at open");
	dev->released = false;
	dev->req_count = 0;
	bv_req_setup(dev);
	sl_log(SL_LOG_INFO, LOG_COMP, "%s opened via %s (%u regions, %u irq types, %s reset%s%s)",
	       dev->name, sl_dma_backend_name(dev->backend), dev->info.num_regions,
	       dev->info.num_irqs, sl_pci_reset_kind_name(dev->reset_kind),
	       rc == 0 ? " done" : dev->reset_kind != SL_PCI_RESET_NONE ? " failed" : "",
	       dev->req_fd >= 0 ? ", removal requests watched" : "");
	return 0;

fail:
	saved = errno;
	dev->ops->release(dev);
	errno = saved;
	return -1;
}

void sl_pci_dev_close(struct sl_pci_device *dev)
{
	if (!dev)
		return;
	pthread_mutex_lock(&bv_bus.lock);
	if (!dev->open) {
		pthread_mutex_unlock(&bv_bus.lock);
		return;
	}
	if (dev->released) {
		/* released at the kernel's request: only the stand-ins are left */
		bv_bars_unmap(dev);
		dev->open = false;
		dev->drv = NULL;
		dev->released = false;
		memset(&dev->info, 0, sizeof(dev->info));
		dev->reset_kind = SL_PCI_RESET_NONE;
		dev->reset_why[0] = '\0';
		bool idle = bv_bus.nb_watched == 0;
		pthread_mutex_unlock(&bv_bus.lock);
		sl_log(SL_LOG_INFO, LOG_COMP, "%s closed (it had been released at the kernel's request)",
		       dev->name);
		if (idle)
			bv_removal_stop();
		return;
	}
	bv_req_teardown(dev);
	sl_pci_irq_disable(dev);
	sl_pci_set_bus_master(dev, false);
	bv_bars_unmap(dev);
	bv_dev_reset(dev, "at close"); /* logs; a failure is only a warning */
	dev->ops->release(dev);
	dev->open = false;
	dev->drv = NULL;
	memset(&dev->info, 0, sizeof(dev->info));
	dev->reset_kind = SL_PCI_RESET_NONE;
	dev->reset_why[0] = '\0';
	bool idle = bv_bus.nb_watched == 0;
	pthread_mutex_unlock(&bv_bus.lock);
	sl_log(SL_LOG_INFO, LOG_COMP, "%s closed", dev->name);
	/* no device left to watch: the thread and its two fds go too (so a
	 * closed bus leaves no fd behind) */
	if (idle)
		bv_removal_stop();
}

enum sl_dma_backend sl_pci_dev_backend(const struct sl_pci_device *dev)
{
	return dev ? dev->backend : SL_DMA_BACKEND_NONE;
}

struct sl_dma_as *sl_pci_dev_dma_as(const struct sl_pci_device *dev)
{
	return dev && dev->open ? dev->as : NULL;
}

int sl_pci_dev_fd(const struct sl_pci_device *dev)
{
	return dev && dev->open ? dev->fd : -1;
}

void sl_pci_dev_set_driver_data(struct sl_pci_device *dev, void *data)
{
	if (dev)
		dev->driver_data = data;
}

void *sl_pci_dev_get_driver_data(const struct sl_pci_device *dev)
{
	return dev ? dev->driver_data : NULL;
}

int bv_need_open(const struct sl_pci_device *dev)
{
	if (dev && dev->open && dev->released) {
		sl_log(SL_LOG_DEBUG, LOG_COMP, "%s: device was removed (released at the kernel's request)",
		       dev->name);
		errno = ENODEV;
		return -1;
	}
	if (!dev || !dev->open) {
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: device is not open", dev ? dev->name : "(null)");
		errno = EBADF;
		return -1;
	}
	return 0;
}

