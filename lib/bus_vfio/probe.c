/* probe.c: PCI drivers and the probe: driver registration, matching a
 * device's ids against the drivers' id tables, opening only a device some
 * driver claims and handing it to that driver, and the probe-failure
 * policy (sl_bus_vfio_probe, which the EAL probe hook in scan.c runs). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus_vfio_internal.h"

static struct sl_pci_driver *drivers;

void sl_pci_driver_register(struct sl_pci_driver *drv)
{
	struct sl_pci_driver **pp = &drivers;

	if (!drv)
		return;
	for (; *pp; pp = &(*pp)->next)
		if (*pp == drv)
			return;
	drv->next = NULL;
	*pp = drv;
}

void sl_pci_driver_unregister(struct sl_pci_driver *drv)
{
	struct sl_pci_driver **pp;

	for (pp = &drivers; *pp; pp = &(*pp)->next) {
		if (*pp == drv) {
			*pp = drv->next;
			drv->next = NULL;
			return;
		}
	}
}

const struct sl_pci_driver *sl_pci_driver_match(const struct sl_pci_device *dev,
						const struct sl_pci_id **id)
{
	const struct sl_pci_driver *d;
	const struct sl_pci_id *e;

	if (!dev)
		return NULL;
	for (d = drivers; d; d = d->next) {
		if (!d->id_table || !d->probe)
			continue;
		for (e = d->id_table; e->vendor_id != 0; e++) {
			if (e->vendor_id == dev->vendor_id && e->device_id == dev->device_id) {
				if (id)
					*id = e;
				return d;
			}
		}
	}
	return NULL;
}

const struct sl_pci_driver *sl_pci_dev_driver(const struct sl_pci_device *dev)
{
	return dev ? dev->drv : NULL;
}

int sl_pci_dev_probe(struct sl_pci_device *dev)
{
	const struct sl_pci_driver *drv;
	const struct sl_pci_id *id = NULL;
	bool opened = false;
	int rc;

	if (!dev)
		return -EINVAL;
	drv = sl_pci_driver_match(dev, &id);
	if (!drv) {
		sl_log(SL_LOG_NOTICE, LOG_COMP, "%s [%04x:%04x]: no driver claims it; left %s", dev->name,
		       dev->vendor_id, dev->device_id, dev->open ? "as it is" : "closed");
		return -ENODEV;
	}
	sl_log(SL_LOG_DEBUG, LOG_COMP, "%s [%04x:%04x]: probing with %s", dev->name, dev->vendor_id,
	       dev->device_id, drv->name);
	if (!dev->open) {
		if (sl_pci_dev_open(dev) != 0) {
			rc = errno ? -errno : -EIO;
			sl_log(SL_LOG_ERR, LOG_COMP, "%s [%04x:%04x]: cannot open it for %s: %s", dev->name,
			       dev->vendor_id, dev->device_id, drv->name, strerror(-rc));
			return rc;
		}
		opened = true;
	}
	rc = drv->probe(dev, id);
	if (rc != 0) {
		if (rc > 0)
			rc = -EIO;
		sl_log(SL_LOG_ERR, LOG_COMP, "%s [%04x:%04x]: %s failed to probe it: %s%s", dev->name,
		       dev->vendor_id, dev->device_id, drv->name, strerror(-rc),
		       opened ? "; device closed again" : "");
		if (opened)
			sl_pci_dev_close(dev);
		return rc;
	}
	pthread_mutex_lock(&bv_bus.lock);
	dev->drv = drv;
	pthread_mutex_unlock(&bv_bus.lock);
	return 0;
}

int sl_bus_vfio_probe(bool named_fatal)
{
	struct sl_pci_device *dev;
	unsigned nb_failed = 0;

	for (dev = bv_bus.devs; dev; dev = dev->next) {
		int rc;

		if (dev->open || dev->drv)
			continue;
		rc = sl_pci_dev_probe(dev);
		if (rc == 0 || (rc == -ENODEV && !sl_pci_driver_match(dev, NULL)))
			continue;
		nb_failed++;
		if (dev->named && named_fatal) {
			sl_log(SL_LOG_ERR, LOG_COMP, "%s was named with -a and cannot be used, so init "
			       "fails (--skip-failed-devices goes on without it)", dev->name);
			errno = -rc;
			return -1;
		}
		sl_log(SL_LOG_WARNING, LOG_COMP, "%s cannot be used; going on without it", dev->name);
	}
	if (nb_failed)
		sl_log(SL_LOG_NOTICE, LOG_COMP, "%u device%s left unused after a failed probe", nb_failed,
		       nb_failed == 1 ? "" : "s");
	return 0;
}
