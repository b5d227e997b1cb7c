/* irq.c: interrupts: MSI-X, MSI or INTx vectors on eventfds through
 * VFIO_DEVICE_SET_IRQS, INTx unmask. */
#include <sys/eventfd.h>
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

/* ---- interrupts --------------------------------------------------------- */

unsigned sl_pci_irq_count(struct sl_pci_device *dev, enum sl_pci_irq_type type)
{
	struct vfio_irq_info ii = { .argsz = sizeof(ii), .index = (uint32_t)type };

	if (!dev || !dev->open || (unsigned)type >= dev->info.num_irqs)
		return 0;
	if (ioctl(dev->fd, VFIO_DEVICE_GET_IRQ_INFO, &ii) != 0)
		return 0;
	return ii.count;
}

int bv_set_irqs(struct sl_pci_device *dev, uint32_t index, uint32_t flags, unsigned count,
		    const int *fds)
{
	size_t sz = sizeof(struct vfio_irq_set) + count * sizeof(int);
	struct vfio_irq_set *set = calloc(1, sz);
	int rc;

	if (!set)
		return -1;
	set->argsz = (uint32_t)sz;
	set->flags = flags;
	set->index = index;
	set->start = 0;
	set->count = count;
	if (count && fds)
		memcpy(set->data, fds, count * sizeof(int));
	rc = ioctl(dev->fd, VFIO_DEVICE_SET_IRQS, set);
	free(set);
	return rc;
}

int sl_pci_irq_enable(struct sl_pci_device *dev, enum sl_pci_irq_type type, unsigned nvec, int *efds)
{
	unsigned avail, i;
	int saved;

	if (bv_need_open(dev) != 0)
		return -1;
	if (dev->irq_type >= 0) {
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: interrupts already enabled; disable them first",
		       dev->name);
		errno = EBUSY;
		return -1;
	}
	avail = sl_pci_irq_count(dev, type);
	if (nvec == 0 || nvec > avail) {
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: %u vector(s) of irq type %d asked, the device offers %u",
		       dev->name, nvec, (int)type, avail);
		errno = EINVAL;
		return -1;
	}
	dev->irq_fds = calloc(nvec, sizeof(int));
	if (!dev->irq_fds)
		return -1;
	for (i = 0; i < nvec; i++) {
		dev->irq_fds[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (dev->irq_fds[i] < 0)
			goto fail;
		dev->nb_irq_fds = i + 1;
	}
	if (bv_set_irqs(dev, (uint32_t)type, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
		     nvec, dev->irq_fds) != 0) {
		saved = errno;
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: VFIO_DEVICE_SET_IRQS (type %d, %u vectors): %s",
		       dev->name, (int)type, nvec, strerror(saved));
		errno = saved;
		goto fail;
	}
	dev->irq_type = (int)type;
	if (efds)
		memcpy(efds, dev->irq_fds, nvec * sizeof(int));
	return 0;
fail:
	saved = errno;
	for (i = 0; i < dev->nb_irq_fds; i++)
		close(dev->irq_fds[i]);
	free(dev->irq_fds);
	dev->irq_fds = NULL;
	dev->nb_irq_fds = 0;
	errno = saved;
	return -1;
}

int sl_pci_irq_disable(struct sl_pci_device *dev)
{
	unsigned i;
	int rc = 0;

	if (!dev || !dev->open || dev->irq_type < 0)
		return 0;
	if (bv_set_irqs(dev, (uint32_t)dev->irq_type, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
		     0, NULL) != 0) {
		sl_log(SL_LOG_WARNING, LOG_COMP, "%s: disabling interrupts: %s", dev->name,
		       strerror(errno));
		rc = -1;
	}
	for (i = 0; i < dev->nb_irq_fds; i++)
		close(dev->irq_fds[i]);
	free(dev->irq_fds);
	dev->irq_fds = NULL;
	dev->nb_irq_fds = 0;
	dev->irq_type = -1;
	return rc;
}

int sl_pci_intx_unmask(struct sl_pci_device *dev)
{
	if (bv_need_open(dev) != 0)
		return -1;
	return bv_set_irqs(dev, VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK,
			1, NULL);
}
