/* sl_vfio_explain.h: why the kernel refused a VFIO or iommufd call, in
 * words an administrator can act on. dma_map and bus_vfio append the
 * explanation to their error lines; doc/bus_vfio.md has the whole table.
 *
 *   dma_map: 0000:01:00.0: VFIO_DEVICE_BIND_IOMMUFD: Operation not permitted
 *   (the kernel refuses VFIO here because the device's MSIs are not
 *   isolated: ...; now iommufd.allow_unsafe_interrupts=N, ...)
 *
 * Pure functions over (operation, errno, module parameters), so the host
 * unit tests (test/bus_vfio/test_explain.c) cover every entry. */
#ifndef SL_VFIO_EXPLAIN_H
#define SL_VFIO_EXPLAIN_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The kernel calls whose refusals are explained. */
enum sl_vfio_op {
	SL_VFIO_OP_OPEN_IOMMUFD,          /* open /dev/iommu */
	SL_VFIO_OP_OPEN_CONTAINER,        /* open /dev/vfio/vfio */
	SL_VFIO_OP_OPEN_GROUP,            /* open /dev/vfio/<N> (or noiommu-<N>) */
	SL_VFIO_OP_OPEN_CDEV,             /* open /dev/vfio/devices/vfio<N> */
	SL_VFIO_OP_GROUP_SET_CONTAINER,   /* VFIO_GROUP_SET_CONTAINER */
	SL_VFIO_OP_SET_IOMMU,             /* VFIO_SET_IOMMU (type1v2 or no-IOMMU) */
	SL_VFIO_OP_GROUP_GET_DEVICE_FD,   /* VFIO_GROUP_GET_DEVICE_FD */
	SL_VFIO_OP_BIND_IOMMUFD,          /* VFIO_DEVICE_BIND_IOMMUFD */
	SL_VFIO_OP_ATTACH_IOMMUFD_PT,     /* VFIO_DEVICE_ATTACH_IOMMUFD_PT */
	SL_VFIO_OP_IOMMU_MAP_DMA,         /* VFIO_IOMMU_MAP_DMA (type1) */
	SL_VFIO_OP_IOAS_MAP,              /* IOMMU_IOAS_MAP */
	SL_VFIO_OP_IOAS_COPY,             /* IOMMU_IOAS_COPY */
	SL_VFIO_OP_IOAS_ALLOC,            /* IOMMU_IOAS_ALLOC */
	SL_VFIO_OP_COUNT
};

/* The "allow_unsafe_interrupts" module parameters: 1 set, 0 not set, -1
 * no such parameter (module absent or built without it). */
struct sl_vfio_msi_params {
	int iommufd;   /* /sys/module/iommufd/parameters/allow_unsafe_interrupts */
	int type1;     /* /sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts */
	int noiommu;   /* the op is on a no-IOMMU group/container (EPERM means CAP_SYS_RAWIO) */
};

/* Read both parameters under $SL_SYSFS_ROOT (default /sys); noiommu = 0. */
void sl_vfio_msi_params_read(struct sl_vfio_msi_params *p);

/* The explanation of ERR from OP: " (cause; what to do)" into BUF, or ""
 * when nothing specific is known. P may be NULL (the parameters are read).
 * Returns BUF. */
const char *sl_vfio_explain(enum sl_vfio_op op, int err, const struct sl_vfio_msi_params *p, char *buf,
			    size_t len);

/* The call's name as in the logs ("VFIO_DEVICE_BIND_IOMMUFD", "open"). */
const char *sl_vfio_op_name(enum sl_vfio_op op);

#ifdef __cplusplus
}
#endif

#endif
