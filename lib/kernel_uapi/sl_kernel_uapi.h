/*
 * sl_kernel_uapi.h: the iommufd and VFIO-cdev kernel interfaces (structs,
 * flags and ioctl numbers) that Debian 12's 6.1 uapi headers lack.
 *
 * Internal, header-only. Include this instead of <linux/vfio.h> and
 * <linux/iommufd.h>. Every block is guarded: when the system provides
 * <linux/iommufd.h>, or a <linux/vfio.h> that already defines the cdev
 * ioctls, the system's definitions are used and nothing here is defined.
 * The layouts and numbers restate Linux 6.12's include/uapi/linux/iommufd.h
 * and include/uapi/linux/vfio.h; the _Static_asserts below pin them.
 *
 * Whether the running kernel supports any of this is found out at run time
 * (an ioctl failing with ENOTTY/EINVAL, a missing /dev/iommu), never from
 * these definitions.
 */
#ifndef SL_KERNEL_UAPI_H
#define SL_KERNEL_UAPI_H

#include <linux/ioctl.h>
#include <linux/types.h>
#include <linux/vfio.h>

/* ------------------------------------------------------------------ */
/* iommufd (/dev/iommu), Linux >= 6.2                                  */
/* ------------------------------------------------------------------ */

#if defined(__has_include)
#if __has_include(<linux/iommufd.h>)
#include <linux/iommufd.h>
#define SL_KERNEL_UAPI_SYSTEM_IOMMUFD 1
#endif
#endif

#ifndef SL_KERNEL_UAPI_SYSTEM_IOMMUFD
#define SL_KERNEL_UAPI_SYSTEM_IOMMUFD 0

#define IOMMUFD_TYPE (';')

/* ioctl command numbers (the nr part of _IO(IOMMUFD_TYPE, nr)). */
enum {
	IOMMUFD_CMD_BASE = 0x80,
	IOMMUFD_CMD_DESTROY = IOMMUFD_CMD_BASE,
	IOMMUFD_CMD_IOAS_ALLOC = 0x81,
	IOMMUFD_CMD_IOAS_ALLOW_IOVAS = 0x82,
	IOMMUFD_CMD_IOAS_COPY = 0x83,
	IOMMUFD_CMD_IOAS_IOVA_RANGES = 0x84,
	IOMMUFD_CMD_IOAS_MAP = 0x85,
	IOMMUFD_CMD_IOAS_UNMAP = 0x86,
	IOMMUFD_CMD_OPTION = 0x87,
	IOMMUFD_CMD_VFIO_IOAS = 0x88,
};

/* Destroy any object (IOAS, HWPT, ...) by id. */
struct iommu_destroy {
	__u32 size;
	__u32 id;
};
#define IOMMU_DESTROY _IO(IOMMUFD_TYPE, IOMMUFD_CMD_DESTROY)

/* Allocate an IO address space; flags must be 0. */
struct iommu_ioas_alloc {
	__u32 size;
	__u32 flags;
	__u32 out_ioas_id;
};
#define IOMMU_IOAS_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_ALLOC)

/* An inclusive IOVA interval [start, last]. */
struct iommu_iova_range {
	__aligned_u64 start;
	__aligned_u64 last;
};

/*
 * Read the usable IOVA ranges of an IOAS. allowed_iovas points to an array
 * of num_iovas struct iommu_iova_range; on EMSGSIZE num_iovas holds the
 * number needed. out_iova_alignment is the required IOVA/length alignment.
 */
struct iommu_ioas_iova_ranges {
	__u32 size;
	__u32 ioas_id;
	__u32 num_iovas;
	__u32 __reserved;
	__aligned_u64 allowed_iovas;
	__aligned_u64 out_iova_alignment;
};
#define IOMMU_IOAS_IOVA_RANGES _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_IOVA_RANGES)

/* Replace the list of IOVA ranges that must stay usable in an IOAS. */
struct iommu_ioas_allow_iovas {
	__u32 size;
	__u32 ioas_id;
	__u32 num_iovas;
	__u32 __reserved;
	__aligned_u64 allowed_iovas;
};
#define IOMMU_IOAS_ALLOW_IOVAS _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_ALLOW_IOVAS)

/* Flags of IOMMU_IOAS_MAP and IOMMU_IOAS_COPY. */
enum iommufd_ioas_map_flags {
	IOMMU_IOAS_MAP_FIXED_IOVA = 1 << 0,
	IOMMU_IOAS_MAP_WRITEABLE = 1 << 1,
	IOMMU_IOAS_MAP_READABLE = 1 << 2,
};

/* Map user memory at an IOVA (given with FIXED_IOVA, else chosen and returned). */
struct iommu_ioas_map {
	__u32 size;
	__u32 flags;
	__u32 ioas_id;
	__u32 __reserved;
	__aligned_u64 user_va;
	__aligned_u64 length;
	__aligned_u64 iova;
};
#define IOMMU_IOAS_MAP _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_MAP)

/*
 * Copy an existing mapping (src_iova/length must match one IOMMU_IOAS_MAP
 * exactly) from one IOAS into another without pinning the pages again.
 */
struct iommu_ioas_copy {
	__u32 size;
	__u32 flags;
	__u32 dst_ioas_id;
	__u32 src_ioas_id;
	__aligned_u64 length;
	__aligned_u64 dst_iova;
	__aligned_u64 src_iova;
};
#define IOMMU_IOAS_COPY _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_COPY)

/* Unmap a range covering whole earlier maps/copies; length returns bytes unmapped. */
struct iommu_ioas_unmap {
	__u32 size;
	__u32 ioas_id;
	__aligned_u64 iova;
	__aligned_u64 length;
};
#define IOMMU_IOAS_UNMAP _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_UNMAP)

/* Options readable/settable with IOMMU_OPTION. */
enum iommufd_option {
	IOMMU_OPTION_RLIMIT_MODE = 0,  /* 0: per-user accounting, 1: per-process */
	IOMMU_OPTION_HUGE_PAGES = 1,   /* per IOAS: 1 allows huge IOPTEs (default) */
};

enum iommufd_option_ops {
	IOMMU_OPTION_OP_SET = 0,
	IOMMU_OPTION_OP_GET = 1,
};

struct iommu_option {
	__u32 size;
	__u32 option_id;
	__u16 op;
	__u16 __reserved;
	__u32 object_id;
	__aligned_u64 val64;
};
#define IOMMU_OPTION _IO(IOMMUFD_TYPE, IOMMUFD_CMD_OPTION)

/* Which IOAS the VFIO type1 compatibility container of an iommufd uses. */
enum iommufd_vfio_ioas_op {
	IOMMU_VFIO_IOAS_GET = 0,
	IOMMU_VFIO_IOAS_SET = 1,
	IOMMU_VFIO_IOAS_CLEAR = 2,
};

struct iommu_vfio_ioas {
	__u32 size;
	__u32 ioas_id;
	__u16 op;
	__u16 __reserved;
};
#define IOMMU_VFIO_IOAS _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VFIO_IOAS)

/* Exact 6.12 layouts of the definitions above. */
_Static_assert(sizeof(struct iommu_destroy) == 8, "iommu_destroy layout");
_Static_assert(sizeof(struct iommu_ioas_alloc) == 12, "iommu_ioas_alloc layout");
_Static_assert(sizeof(struct iommu_iova_range) == 16, "iommu_iova_range layout");
_Static_assert(sizeof(struct iommu_ioas_iova_ranges) == 32, "iommu_ioas_iova_ranges layout");
_Static_assert(sizeof(struct iommu_ioas_allow_iovas) == 24, "iommu_ioas_allow_iovas layout");
_Static_assert(sizeof(struct iommu_ioas_map) == 40, "iommu_ioas_map layout");
_Static_assert(sizeof(struct iommu_ioas_copy) == 40, "iommu_ioas_copy layout");
_Static_assert(sizeof(struct iommu_ioas_unmap) == 24, "iommu_ioas_unmap layout");
_Static_assert(sizeof(struct iommu_option) == 24, "iommu_option layout");
_Static_assert(sizeof(struct iommu_vfio_ioas) == 12, "iommu_vfio_ioas layout");

#endif /* !SL_KERNEL_UAPI_SYSTEM_IOMMUFD */

/* Whoever defined them: the first version of each extensible struct and the
 * ioctl numbers are part of the kernel ABI and never change. */
_Static_assert(sizeof(struct iommu_ioas_map) >= 40, "iommu_ioas_map too small");
_Static_assert(sizeof(struct iommu_ioas_copy) >= 40, "iommu_ioas_copy too small");
_Static_assert(sizeof(struct iommu_ioas_iova_ranges) >= 32, "iommu_ioas_iova_ranges too small");
_Static_assert(IOMMU_DESTROY == 0x3b80, "IOMMU_DESTROY number");
_Static_assert(IOMMU_IOAS_ALLOC == 0x3b81, "IOMMU_IOAS_ALLOC number");
_Static_assert(IOMMU_IOAS_ALLOW_IOVAS == 0x3b82, "IOMMU_IOAS_ALLOW_IOVAS number");
_Static_assert(IOMMU_IOAS_COPY == 0x3b83, "IOMMU_IOAS_COPY number");
_Static_assert(IOMMU_IOAS_IOVA_RANGES == 0x3b84, "IOMMU_IOAS_IOVA_RANGES number");
_Static_assert(IOMMU_IOAS_MAP == 0x3b85, "IOMMU_IOAS_MAP number");
_Static_assert(IOMMU_IOAS_UNMAP == 0x3b86, "IOMMU_IOAS_UNMAP number");
_Static_assert(IOMMU_OPTION == 0x3b87, "IOMMU_OPTION number");
_Static_assert(IOMMU_VFIO_IOAS == 0x3b88, "IOMMU_VFIO_IOAS number");

/*
 * Newer iommufd commands, each guarded by its own ioctl macro (a system
 * <linux/iommufd.h> that has one defines the macro, and then it wins). The
 * numbers are literal: the enum names of newer headers cannot be tested.
 * Layouts from Linux 7.3.4's include/uapi/linux/iommufd.h.
 */
#ifndef IOMMU_IOAS_MAP_FILE
/* Since 6.13: map LENGTH bytes of a memfd or hugetlbfs file FD from byte
 * START (flags as for IOMMU_IOAS_MAP). */
struct iommu_ioas_map_file {
	__u32 size;
	__u32 flags;
	__u32 ioas_id;
	__s32 fd;
	__aligned_u64 start;
	__aligned_u64 length;
	__aligned_u64 iova;
};
#define IOMMU_IOAS_MAP_FILE _IO(IOMMUFD_TYPE, 0x8f)
_Static_assert(sizeof(struct iommu_ioas_map_file) == 40, "iommu_ioas_map_file layout");
#endif
_Static_assert(IOMMU_IOAS_MAP_FILE == 0x3b8f, "IOMMU_IOAS_MAP_FILE number");

#ifndef IOMMU_IOAS_NOIOMMU_GET_PA
/* Since 7.3 (CONFIG_IOMMUFD_NOIOMMU): the physical address behind IOVA in
 * an IOAS a no-IOMMU device cdev is attached to. LENGTH: in, the most bytes
 * to look at (non-zero); out, how many are physically contiguous from
 * OUT_PHYS. Needs CAP_SYS_RAWIO (EPERM). ENOTTY: the kernel predates it;
 * EOPNOTSUPP: built without CONFIG_IOMMUFD_NOIOMMU, nonzero flags, or an
 * IOAS with no no-IOMMU device attached; ENOENT: IOVA not mapped. */
struct iommu_ioas_noiommu_get_pa {
	__u32 size;
	__u32 flags;
	__u32 ioas_id;
	__u32 __reserved;
	__aligned_u64 iova;
	__aligned_u64 length;
	__aligned_u64 out_phys;
};
#define IOMMU_IOAS_NOIOMMU_GET_PA _IO(IOMMUFD_TYPE, 0x95)
_Static_assert(sizeof(struct iommu_ioas_noiommu_get_pa) == 40, "iommu_ioas_noiommu_get_pa layout");
#endif
_Static_assert(IOMMU_IOAS_NOIOMMU_GET_PA == 0x3b95, "IOMMU_IOAS_NOIOMMU_GET_PA number");

/* ------------------------------------------------------------------ */
/* VFIO device cdev (/dev/vfio/devices/vfioN) bound to iommufd, >= 6.6 */
/* ------------------------------------------------------------------ */

#ifndef VFIO_DEVICE_BIND_IOMMUFD
#define SL_KERNEL_UAPI_SYSTEM_VFIO_CDEV 0

/* Bind an opened device cdev to an iommufd; out_devid names it there. */
struct vfio_device_bind_iommufd {
	__u32 argsz;
	__u32 flags;   /* must be 0 */
	__s32 iommufd;
	__u32 out_devid;
};
#define VFIO_DEVICE_BIND_IOMMUFD _IO(VFIO_TYPE, VFIO_BASE + 18)

/* Attach a bound device to an IOAS or HWPT (pt_id); also replaces one. */
struct vfio_device_attach_iommufd_pt {
	__u32 argsz;
	__u32 flags;   /* must be 0 */
	__u32 pt_id;
};
#define VFIO_DEVICE_ATTACH_IOMMUFD_PT _IO(VFIO_TYPE, VFIO_BASE + 19)

/* Detach a device from its IOAS/HWPT; it then blocks DMA. */
struct vfio_device_detach_iommufd_pt {
	__u32 argsz;
	__u32 flags;   /* must be 0 */
};
#define VFIO_DEVICE_DETACH_IOMMUFD_PT _IO(VFIO_TYPE, VFIO_BASE + 20)

_Static_assert(sizeof(struct vfio_device_bind_iommufd) == 16, "vfio_device_bind_iommufd layout");
_Static_assert(sizeof(struct vfio_device_attach_iommufd_pt) == 12,
	       "vfio_device_attach_iommufd_pt layout");
_Static_assert(sizeof(struct vfio_device_detach_iommufd_pt) == 8,
	       "vfio_device_detach_iommufd_pt layout");
#else
#define SL_KERNEL_UAPI_SYSTEM_VFIO_CDEV 1
#endif /* !VFIO_DEVICE_BIND_IOMMUFD */

_Static_assert(VFIO_DEVICE_BIND_IOMMUFD == 0x3b76, "VFIO_DEVICE_BIND_IOMMUFD number");
_Static_assert(VFIO_DEVICE_ATTACH_IOMMUFD_PT == 0x3b77, "VFIO_DEVICE_ATTACH_IOMMUFD_PT number");
_Static_assert(VFIO_DEVICE_DETACH_IOMMUFD_PT == 0x3b78, "VFIO_DEVICE_DETACH_IOMMUFD_PT number");
_Static_assert(sizeof(struct vfio_device_bind_iommufd) >= 16, "vfio_device_bind_iommufd too small");
_Static_assert(sizeof(struct vfio_device_attach_iommufd_pt) >= 12,
	       "vfio_device_attach_iommufd_pt too small");

/*
 * PCI hot reset through a cdev-opened device (>= 6.6): the layout of
 * struct vfio_pci_dependent_device is unchanged (group_id and devid share
 * one __u32), only these values are new.
 */
#ifndef VFIO_PCI_HOT_RESET_FLAG_DEV_ID
#define VFIO_PCI_HOT_RESET_FLAG_DEV_ID (1 << 0)       /* entries carry devid, not group_id */
#define VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED (1 << 1) /* caller owns every affected device */
#endif
#ifndef VFIO_PCI_DEVID_OWNED
#define VFIO_PCI_DEVID_OWNED 0
#define VFIO_PCI_DEVID_NOT_OWNED -1
#endif

/*
 * PCI hot reset (secondary bus or slot reset) through VFIO, since Linux
 * 3.14, so <linux/vfio.h> of 6.1 already has the structs and numbers:
 * VFIO_DEVICE_GET_PCI_HOT_RESET_INFO fills struct vfio_pci_hot_reset_info
 * with one struct vfio_pci_dependent_device per affected function (-ENOSPC
 * with the count needed when argsz is too small; -ENODEV when neither a
 * slot nor a bus reset is possible); VFIO_DEVICE_PCI_HOT_RESET takes the
 * fds of every affected group (group-opened device) or, for a cdev-opened
 * device whose info reply has VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED, an
 * empty array. In 6.1's header the first member of the dependent device is
 * only group_id; 6.6 made it a union with devid (same offset and size), so
 * code reads devid through group_id. Pinned here: the layouts and numbers
 * are ABI.
 */
_Static_assert(sizeof(struct vfio_pci_dependent_device) == 8, "vfio_pci_dependent_device layout");
_Static_assert(sizeof(struct vfio_pci_hot_reset_info) == 12, "vfio_pci_hot_reset_info layout");
_Static_assert(sizeof(struct vfio_pci_hot_reset) == 12, "vfio_pci_hot_reset layout");
_Static_assert(VFIO_DEVICE_GET_PCI_HOT_RESET_INFO == 0x3b70, "VFIO_DEVICE_GET_PCI_HOT_RESET_INFO number");
_Static_assert(VFIO_DEVICE_PCI_HOT_RESET == 0x3b71, "VFIO_DEVICE_PCI_HOT_RESET number");
_Static_assert(VFIO_DEVICE_RESET == 0x3b6f, "VFIO_DEVICE_RESET number");

#endif /* SL_KERNEL_UAPI_H */
