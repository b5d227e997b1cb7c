/*
 * vm_type1_dma.c: in-guest check of the legacy VFIO type1 container path
 * Sluice's dma_map falls back to, against the kernel's vfio_iommu_type1 and
 * the emulated VT-d.
 *
 *   vm-type1-dma BDF
 *
 * The device's group goes into a container set to VFIO_TYPE1v2_IOMMU, the
 * device fd is taken from the group; VFIO_IOMMU_GET_INFO must report 4 KiB
 * pages and an IOVA-range capability that excludes the MSI window
 * 0xfee00000-0xfeefffff; a 2 MiB hugepage is VFIO_IOMMU_MAP_DMAed at a fixed
 * IOVA, a map inside the MSI window is refused, and the unmap returns the
 * size mapped.
 */
#include "vm_check.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DMA_IOVA 0x40000000ull

static void check_iommu_info(int container)
{
	struct vfio_iommu_type1_info probe = { .argsz = sizeof(probe) };
	struct vfio_iommu_type1_info *info;
	struct vfio_info_cap_header *cap;
	uint64_t start[16], last[16];
	unsigned int nr = 0, i;
	uint32_t off;
	bool found = false;

	if (vm_ioctl(container, VFIO_IOMMU_GET_INFO, &probe) < 0) {
		vm_fail_errno("VFIO_IOMMU_GET_INFO");
		return;
	}
	if (!(probe.iova_pgsizes & 4096))
		vm_fail("VFIO_IOMMU_GET_INFO iova_pgsizes 0x%llx lacks 4 KiB",
			(unsigned long long)probe.iova_pgsizes);
	else
		vm_ok("type1 IOMMU page sizes 0x%llx", (unsigned long long)probe.iova_pgsizes);
	if (!(probe.flags & VFIO_IOMMU_INFO_CAPS) || probe.argsz <= sizeof(probe)) {
		vm_fail("VFIO_IOMMU_GET_INFO offers no capability chain (flags 0x%x, argsz %u)",
			probe.flags, probe.argsz);
		return;
	}
	info = calloc(1, probe.argsz);
	if (!info) {
		vm_fail("out of memory");
		return;
	}
	info->argsz = probe.argsz;
	if (vm_ioctl(container, VFIO_IOMMU_GET_INFO, info) < 0) {
		vm_fail_errno("VFIO_IOMMU_GET_INFO with capabilities");
		free(info);
		return;
	}
	for (off = info->cap_offset; off && off + sizeof(*cap) <= info->argsz; off = cap->next) {
		cap = (struct vfio_info_cap_header *)((char *)info + off);
		if (cap->id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE) {
			struct vfio_iommu_type1_info_cap_iova_range *r = (void *)cap;

			found = true;
			for (i = 0; i < r->nr_iovas && nr < 16; i++, nr++) {
				start[nr] = r->iova_ranges[i].start;
				last[nr] = r->iova_ranges[i].end;
			}
		} else if (cap->id == VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL) {
			struct vfio_iommu_type1_info_dma_avail *a = (void *)cap;

			vm_info("DMA mappings available: %u", a->avail);
		}
		if (cap->next && cap->next <= off)
			break; /* a malformed chain must not loop */
	}
	if (!found)
		vm_fail("VFIO_IOMMU_GET_INFO: no IOVA range capability (VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE)");
	else if (nr == 0)
		vm_fail("IOVA range capability lists no ranges");
	else
		vm_check_iova_ranges("type1 container", start, last, nr);
	free(info);
}

int main(int argc, char **argv)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	struct vfio_iommu_type1_dma_map map;
	struct vfio_iommu_type1_dma_unmap unmap;
	int container = -1, group = -1, device = -1, rc;
	char group_path[64];
	const char *bdf;
	void *page = NULL;

	if (argc != 2) {
		fprintf(stderr, "usage: %s BDF   (a PCI device bound to vfio-pci, behind an IOMMU)\n",
			argv[0]);
		return VM_EXIT_USAGE;
	}
	bdf = argv[1];

	container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (container < 0) {
		vm_fail_errno("open /dev/vfio/vfio");
		goto out;
	}
	rc = vm_ioctl(container, VFIO_CHECK_EXTENSION, (void *)(long)VFIO_TYPE1v2_IOMMU);
	if (rc <= 0) {
		vm_fail("VFIO_CHECK_EXTENSION(VFIO_TYPE1v2_IOMMU) = %d, expected supported", rc);
		goto out;
	}
	if (!vm_vfio_group_path(bdf, false, group_path, sizeof(group_path))) {
		vm_fail("%s: no IOMMU group in sysfs", bdf);
		goto out;
	}
	group = open(group_path, O_RDWR | O_CLOEXEC);
	if (group < 0) {
		vm_fail_errno("open %s", group_path);
		goto out;
	}
	if (vm_ioctl(group, VFIO_GROUP_GET_STATUS, &status) < 0 ||
	    !(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		vm_fail("%s: group %s not viable (flags 0x%x)", bdf, group_path, status.flags);
		goto out;
	}
	if (vm_ioctl(group, VFIO_GROUP_SET_CONTAINER, &container) < 0) {
		vm_fail_errno("VFIO_GROUP_SET_CONTAINER(%s)", group_path);
		goto out;
	}
	if (vm_ioctl(container, VFIO_SET_IOMMU, (void *)(long)VFIO_TYPE1v2_IOMMU) < 0) {
		vm_fail_errno("VFIO_SET_IOMMU(VFIO_TYPE1v2_IOMMU)");
		goto out;
	}
	device = vm_ioctl(group, VFIO_GROUP_GET_DEVICE_FD, (void *)bdf);
	if (device < 0) {
		vm_fail_errno("VFIO_GROUP_GET_DEVICE_FD(%s)", bdf);
		goto out;
	}
	vm_ok("%s: group %s in a type1v2 container, device fd taken", bdf, group_path);

	check_iommu_info(container);

	page = vm_hugepage_alloc();
	if (!page)
		goto out;
	memset(page, 0x3c, VM_HUGEPAGE_SIZE);
	map = (struct vfio_iommu_type1_dma_map){
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)page,
		.iova = DMA_IOVA,
		.size = VM_HUGEPAGE_SIZE,
	};
	if (vm_ioctl(container, VFIO_IOMMU_MAP_DMA, &map) < 0) {
		vm_fail_errno("VFIO_IOMMU_MAP_DMA of a 2 MiB hugepage at IOVA 0x%llx", DMA_IOVA);
		goto out;
	}
	vm_ok("hugepage VFIO_IOMMU_MAP_DMAed at IOVA 0x%llx", DMA_IOVA);

	map.iova = VM_MSI_WINDOW_START;
	if (vm_ioctl(container, VFIO_IOMMU_MAP_DMA, &map) == 0) {
		vm_fail("VFIO_IOMMU_MAP_DMA at 0x%llx (the MSI window) succeeded, expected a refusal",
			VM_MSI_WINDOW_START);
		unmap = (struct vfio_iommu_type1_dma_unmap){ .argsz = sizeof(unmap),
							     .iova = VM_MSI_WINDOW_START,
							     .size = VM_HUGEPAGE_SIZE };
		vm_ioctl(container, VFIO_IOMMU_UNMAP_DMA, &unmap);
	} else {
		vm_ok("a map into the MSI window is refused (%s)", strerror(errno));
	}

	unmap = (struct vfio_iommu_type1_dma_unmap){ .argsz = sizeof(unmap), .iova = DMA_IOVA,
						     .size = VM_HUGEPAGE_SIZE };
	if (vm_ioctl(container, VFIO_IOMMU_UNMAP_DMA, &unmap) < 0)
		vm_fail_errno("VFIO_IOMMU_UNMAP_DMA at 0x%llx", DMA_IOVA);
	else if (unmap.size != VM_HUGEPAGE_SIZE)
		vm_fail("VFIO_IOMMU_UNMAP_DMA unmapped %llu bytes, expected %u",
			(unsigned long long)unmap.size, VM_HUGEPAGE_SIZE);
	else
		vm_ok("VFIO_IOMMU_UNMAP_DMA unmapped 2 MiB");

out:
	vm_hugepage_free(page);
	if (device >= 0)
		close(device);
	if (group >= 0)
		close(group);
	if (container >= 0)
		close(container);
	return vm_finish("vm-type1-dma");
}
