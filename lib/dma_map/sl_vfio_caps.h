/* sl_vfio_caps.h: what the running kernel's VFIO and iommufd offer, found
 * by probing (never from a version number), once per process and logged
 * once: /dev/iommu, whether /dev/vfio/vfio is VFIO's own container or
 * iommufd's compat container, whether VFIO groups exist at all, the
 * no-IOMMU mode, IOMMU_IOAS_MAP_FILE and IOMMU_IOAS_NOIOMMU_GET_PA. dma_map
 * and bus_vfio share it (not installed).
 *
 * The classifiers are pure (ioctl result and errno in, verdict out) so the
 * host unit tests (test/bus_vfio/test_vfio_caps.c) pin every case. */
#ifndef SL_VFIO_CAPS_H
#define SL_VFIO_CAPS_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum sl_cap {
	SL_CAP_UNKNOWN = 0, /* could not ask (no node, no permission) */
	SL_CAP_YES,
	SL_CAP_NO,
	SL_CAP_NO_PERM,     /* the kernel has it, this process may not use it
			     * (GET_PA: no CAP_SYS_RAWIO) */
};

enum sl_vfio_container {
	SL_CONTAINER_NONE = 0,      /* no /dev/vfio/vfio */
	SL_CONTAINER_VFIO,          /* VFIO's legacy container (CONFIG_VFIO_CONTAINER) */
	SL_CONTAINER_IOMMUFD_COMPAT, /* iommufd serves it (CONFIG_IOMMUFD_VFIO_CONTAINER) */
	SL_CONTAINER_UNKNOWN,       /* the node is there but could not be asked */
};

struct sl_vfio_caps {
	bool dev_iommu;             /* /dev/iommu exists */
	bool vfio_groups;           /* the kernel has VFIO groups (/sys/class/vfio) */
	bool noiommu_param;         /* vfio's enable_unsafe_noiommu_mode exists */
	bool noiommu_mode;          /* ... and is Y */
	enum sl_vfio_container container;
	enum sl_cap map_file;       /* IOMMU_IOAS_MAP_FILE (6.13+) */
	enum sl_cap noiommu_get_pa; /* IOMMU_IOAS_NOIOMMU_GET_PA (7.3+, IOMMUFD_NOIOMMU) */
	int container_errno, map_file_errno, get_pa_errno; /* what the probes saw */
	char summary[512];          /* the one log line, without the prefix */
};

/* The probe results for this process (SL_DEV_ROOT / SL_SYSFS_ROOT are
 * honoured; a change of them probes again). Logged at NOTICE the first
 * time. Never NULL. */
const struct sl_vfio_caps *sl_vfio_caps_get(void);
/* Forget the cached results (tests). */
void sl_vfio_caps_reset(void);

/* IOMMU_IOAS_ALLOC issued on a fresh /dev/vfio/vfio fd: iommufd's compat
 * container answers it (RC 0), VFIO's legacy container rejects every
 * unknown ioctl with EINVAL before VFIO_SET_IOMMU. */
enum sl_vfio_container sl_vfio_caps_classify_container(int rc, int err);
/* IOMMU_IOAS_MAP_FILE with an unknown flag bit: EOPNOTSUPP when the kernel
 * has the command (it checks flags first), ENOTTY when it predates it. */
enum sl_cap sl_vfio_caps_classify_map_file(int rc, int err);
/* IOMMU_IOAS_NOIOMMU_GET_PA with length 0: EINVAL when the kernel has it
 * and the caller has CAP_SYS_RAWIO (length is checked before the IOAS),
 * EPERM without CAP_SYS_RAWIO, EOPNOTSUPP when the kernel knows the command
 * but was built without CONFIG_IOMMUFD_NOIOMMU, ENOTTY before 7.3. */
enum sl_cap sl_vfio_caps_classify_get_pa(int rc, int err);

const char *sl_cap_name(enum sl_cap c);
const char *sl_vfio_container_name(enum sl_vfio_container c);
/* The summary line of C into BUF. */
void sl_vfio_caps_format(const struct sl_vfio_caps *c, char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif
