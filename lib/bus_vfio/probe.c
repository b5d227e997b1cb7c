/* probe.c: the EAL hooks of the bus: the scan (priority 100) and the probe
 * of the scanned devices (priority 200). */
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
#include "sl_ethdev.h"
#include "ethdev_driver.h"

/* ---- EAL hooks ---------------------------------------------------------- */

static int scan_hook(void)
{
	const struct sl_eal_config *cfg = sl_eal_get_config();
	struct sl_bus_vfio_conf conf = {
		.sysfs_root = getenv("SL_SYSFS_ROOT"),
		.dev_root = getenv("SL_DEV_ROOT"),
		.nb_allow = cfg ? cfg->nb_allow : 0,
		.allow = cfg ? cfg->allow : NULL,
		.vfio_backend = cfg ? cfg->vfio_backend : NULL,
		.allow_noiommu = cfg ? cfg->allow_noiommu : false,
	};
	struct sl_pci_device *dev;

	if (sl_bus_vfio_scan(&conf) != 0)
		return -1;
	/* A no-IOMMU device DMAs to physical addresses: the EAL must hand out
	 * IOVA = PA, which is decided before this hook runs. Say so now rather
	 * than at the first open. */
	for (dev = bv_bus.devs; dev; dev = dev->next) {
		if (dev->backend == SL_DMA_BACKEND_NOIOMMU && sl_eal_iova_mode() != SL_IOVA_PA) {
			sl_log(SL_LOG_ERR, LOG_COMP,
			       "%s uses no-IOMMU, which needs physical addresses, but the EAL runs "
			       "with IOVA = virtual address: add --iova-mode pa (with hugepages)",
			       dev->name);
			bv_free_list();
			errno = EINVAL;
			return -1;
		}
	}
	return 0;
}

static int probe_hook(void)
{
	struct sl_pci_device *dev;

	if (bv_bus.no_autoprobe)
		return 0;
	for (dev = bv_bus.devs; dev; dev = dev->next) {
		int rc;
		if (dev->open)
			continue;
		if (sl_pci_dev_open(dev) != 0)
			return -1;
		rc = sl_eth_pci_probe(dev, dev->vendor_id, dev->device_id);
		if (rc == -ENODEV) {
			sl_log(SL_LOG_INFO, LOG_COMP, "%s [%04x:%04x]: no driver claims it", dev->name,
			       dev->vendor_id, dev->device_id);
			sl_pci_dev_close(dev);
			continue;
		}
		if (rc != 0) {
			sl_log(SL_LOG_ERR, LOG_COMP, "%s: driver probe failed: %s", dev->name,
			       strerror(rc < 0 ? -rc : rc));
			sl_pci_dev_close(dev);
			errno = rc < 0 ? -rc : EIO;
			return -1;
		}
		dev->probed = true;
	}
	return 0;
}

static struct sl_eal_hook scan_hook_def = {
	.name = "bus_vfio scan",
	.priority = 100,
	.init = scan_hook,
	.cleanup = sl_bus_vfio_cleanup,
};

static struct sl_eal_hook probe_hook_def = {
	.name = "bus_vfio probe",
	.priority = 200,
	.init = probe_hook,
	.cleanup = NULL,
};

__attribute__((constructor)) static void bus_vfio_register_hooks(void)
{
	sl_eal_register_hook(&scan_hook_def);
	sl_eal_register_hook(&probe_hook_def);
}
