/*
 * vm_check.h: small helpers shared by the in-guest check programs of
 * test/vm/ (uses only libc and lib/kernel_uapi, so the checks build whatever
 * state the rest of Sluice is in): failure reporting, sysfs lookups of a
 * PCI device's IOMMU group and VFIO cdev, VFIO device/region access, and
 * hugepage allocation.
 */
#ifndef VM_CHECK_H
#define VM_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sl_kernel_uapi.h"

/* Exit codes understood by test/vm/guest-checks.sh. */
enum {
	VM_EXIT_PASS = 0,
	VM_EXIT_FAIL = 1,
	VM_EXIT_USAGE = 2,
	VM_EXIT_NOT_APPLICABLE = 77,
};

/* Number of failed expectations so far. */
extern int vm_failures;

/* Print "FAIL: <what>" (with strerror(errno) when with_errno) and count it. */
void vm_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vm_fail_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "  ok: <what>". */
void vm_ok(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print a plain informational line. */
void vm_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Exit with PASS or FAIL according to vm_failures, after a summary line. */
int vm_finish(const char *program);

/* ioctl that retries on EINTR. */
int vm_ioctl(int fd, unsigned long request, void *arg);

/* IOMMU group number of a PCI device (from sysfs), or -1. */
int vm_iommu_group(const char *bdf);
/* Name of the VFIO device cdev ("vfio3") of a PCI device, or false. */
bool vm_vfio_cdev_name(const char *bdf, char *name, size_t len);
/* Path of the VFIO group node: /dev/vfio/<N> or /dev/vfio/noiommu-<N>. */
bool vm_vfio_group_path(const char *bdf, bool noiommu, char *path, size_t len);
/* Read a sysfs attribute of a PCI device as a number (e.g. "vendor"). */
long vm_pci_sysfs_number(const char *bdf, const char *attr);

/* One region of an opened VFIO device, optionally mmapped. */
struct vm_region {
	uint32_t index;
	uint32_t flags;
	uint64_t size;
	uint64_t offset;
	volatile uint8_t *map; /* NULL when not mapped */
};

/* Fill *r from VFIO_DEVICE_GET_REGION_INFO; false (reported) on error. */
bool vm_region_info(int device_fd, uint32_t index, struct vm_region *r);
/* mmap the whole region read/write; false (reported) on error. */
bool vm_region_map(int device_fd, struct vm_region *r);
void vm_region_unmap(struct vm_region *r);
/* Read bytes of PCI config space through the VFIO config region. */
bool vm_config_read(int device_fd, uint32_t offset, void *buf, size_t len);

/* One 2 MiB hugepage, populated; NULL (reported) when none is free. */
void *vm_hugepage_alloc(void);
void vm_hugepage_free(void *p);
#define VM_HUGEPAGE_SIZE (2u << 20)

/* Physical address of the page holding va (root only, /proc/self/pagemap); 0 on failure. */
uint64_t vm_phys_addr(const void *va);

/* Is mac ("52:54:00:..") listed in the space-separated $SLUICE_NIC_MACS? */
bool vm_mac_expected(const uint8_t mac[6], char *text, size_t len);

/* The x86 MSI window that an IOMMU reserves: IOVAs a device cannot use for DMA. */
#define VM_MSI_WINDOW_START 0xfee00000ull
#define VM_MSI_WINDOW_LAST 0xfeefffffull

/*
 * The emulated VT-d's address width (intel-iommu aw-bits): the run's
 * SLUICE_VM_AW_BITS (set by run-guest.sh), 48 when unset.
 */
unsigned int vm_iommu_aw_bits(void);

/*
 * Check a list of usable IOVA ranges (inclusive) against what the emulated
 * VT-d with aw-bits=N (vm_iommu_aw_bits) gives: the MSI window excluded,
 * usable space on both sides of it, the highest usable IOVA exactly
 * 2^N-1. Reports each failed expectation.
 */
void vm_check_iova_ranges(const char *what, const uint64_t *start, const uint64_t *last,
			  unsigned int n);

#endif /* VM_CHECK_H */
