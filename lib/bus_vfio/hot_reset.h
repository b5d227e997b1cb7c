/* hot_reset.h: internal to lib/bus_vfio. Whether this process may issue a
 * PCI hot reset (VFIO_DEVICE_PCI_HOT_RESET) for a device, decided from the
 * kernel's VFIO_DEVICE_GET_PCI_HOT_RESET_INFO reply and what the process
 * holds, with the group fds to pass and a message naming the affected
 * functions (or those that block the reset). Pure: no ioctl, no sysfs, so
 * the host unit tests feed it replies the guest topology cannot produce. */
#ifndef SL_BUS_VFIO_HOT_RESET_H
#define SL_BUS_VFIO_HOT_RESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sl_bus_vfio.h"

/* One function the hot reset would reset (an entry of the info reply). */
struct sl_hr_affected {
	struct sl_pci_addr addr;
	/* group-opened device: the function's IOMMU group id. cdev-opened
	 * (VFIO_PCI_HOT_RESET_FLAG_DEV_ID): its devid in our iommufd (> 0),
	 * VFIO_PCI_DEVID_OWNED (0) or VFIO_PCI_DEVID_NOT_OWNED (-1 as u32). */
	uint32_t id;
};

/* A VFIO group (type1 or no-IOMMU) this process holds open. */
struct sl_hr_group {
	int id;
	int fd;
};

struct sl_hr_input {
	struct sl_pci_addr self;          /* the device to reset */
	bool cdev;                        /* opened through its cdev (iommufd) */
	uint32_t info_flags;              /* vfio_pci_hot_reset_info.flags */
	const struct sl_hr_affected *affected;
	unsigned nb_affected;
	const struct sl_hr_group *held;   /* groups held (group-opened devices) */
	unsigned nb_held;
	const struct sl_pci_addr *open;   /* other functions this process has open */
	unsigned nb_open;
};

/* Decide. On 0 the reset may go ahead: FDS[0..*NB_FDS) holds the group fds
 * to pass (none for a cdev; FDS needs room for nb_affected entries) and MSG
 * "hot reset of bus 0000:01 affecting 0000:01:00.0[, ...]". On -1 MSG says
 * which functions block it and why, and that they would be reset too. */
int sl_hr_decide(const struct sl_hr_input *in, int32_t *fds, unsigned *nb_fds, char *msg,
		 size_t len);

#endif
