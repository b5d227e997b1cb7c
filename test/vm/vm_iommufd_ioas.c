/*
 * vm_iommufd_ioas.c: in-guest check of the iommufd address-space operations
 * Sluice's dma_map relies on, against the kernel's real iommufd and the
 * emulated VT-d.
 *
 *   vm-iommufd-ioas BDF
 *
 * Two IOAS: a 2 MiB hugepage is IOMMU_IOAS_MAPped into the first (the
 * "source") and IOMMU_IOAS_COPYed into the second, the device (its VFIO
 * cdev bound to the iommufd) is attached to the second, and then:
 * IOMMU_IOAS_IOVA_RANGES of that IOAS must exclude the MSI window
 * 0xfee00000-0xfeefffff (and stop at 2^48-1), a fixed map inside the window
 * must be refused, IOMMU_OPTION reads back, and unmaps return the lengths
 * mapped. Everything is torn down with DETACH and IOMMU_DESTROY.
 */
#include "vm_check.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SOURCE_IOVA 0x40000000ull /* 1 GiB: inside the usable range */
#define COPY_IOVA 0x80000000ull   /* 2 GiB: a different IOVA in the device's IOAS */

static int iommufd = -1;

static uint32_t ioas_alloc(void)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };

	if (vm_ioctl(iommufd, IOMMU_IOAS_ALLOC, &alloc) < 0) {
		vm_fail_errno("IOMMU_IOAS_ALLOC");
		return 0;
	}
	return alloc.out_ioas_id;
}

/* Read an IOAS's ranges (two-step: ask for the count, then fetch). */
static unsigned int ioas_ranges(uint32_t ioas, uint64_t *start, uint64_t *last, unsigned int max,
				uint64_t *alignment)
{
	struct iommu_iova_range ranges[16];
	struct iommu_ioas_iova_ranges q = { .size = sizeof(q), .ioas_id = ioas, .num_iovas = 0 };
	unsigned int i;

	if (vm_ioctl(iommufd, IOMMU_IOAS_IOVA_RANGES, &q) == 0) {
		vm_fail("IOMMU_IOAS_IOVA_RANGES with num_iovas=0 succeeded, expected EMSGSIZE and a count");
		return 0;
	}
	if (errno != EMSGSIZE) {
		vm_fail_errno("IOMMU_IOAS_IOVA_RANGES(IOAS %u) count query: expected EMSGSIZE", ioas);
		return 0;
	}
	if (q.num_iovas == 0 || q.num_iovas > 16 || q.num_iovas > max) {
		vm_fail("IOMMU_IOAS_IOVA_RANGES(IOAS %u): %u ranges, expected 1..%u", ioas, q.num_iovas,
			max);
		return 0;
	}
	q.allowed_iovas = (uintptr_t)ranges;
	if (vm_ioctl(iommufd, IOMMU_IOAS_IOVA_RANGES, &q) < 0) {
		vm_fail_errno("IOMMU_IOAS_IOVA_RANGES(IOAS %u)", ioas);
		return 0;
	}
	for (i = 0; i < q.num_iovas; i++) {
		start[i] = ranges[i].start;
		last[i] = ranges[i].last;
	}
	*alignment = q.out_iova_alignment;
	return q.num_iovas;
}

static bool ioas_map_fixed(uint32_t ioas, void *va, uint64_t length, uint64_t iova)
{
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = ioas,
		.user_va = (uintptr_t)va,
		.length = length,
		.iova = iova,
	};

	return vm_ioctl(iommufd, IOMMU_IOAS_MAP, &map) == 0;
}

static uint64_t ioas_unmap(uint32_t ioas, uint64_t iova, uint64_t length)
{
	struct iommu_ioas_unmap unmap = { .size = sizeof(unmap), .ioas_id = ioas, .iova = iova,
					  .length = length };

	if (vm_ioctl(iommufd, IOMMU_IOAS_UNMAP, &unmap) < 0) {
		vm_fail_errno("IOMMU_IOAS_UNMAP(IOAS %u, 0x%llx+0x%llx)", ioas, (unsigned long long)iova,
			      (unsigned long long)length);
		return 0;
	}
	return unmap.length;
}

static void check_option_get(uint32_t option, uint32_t object, const char *name, uint64_t lo,
			     uint64_t hi)
{
	struct iommu_option opt = { .size = sizeof(opt), .option_id = option,
				    .op = IOMMU_OPTION_OP_GET, .object_id = object };

	if (vm_ioctl(iommufd, IOMMU_OPTION, &opt) < 0)
		vm_fail_errno("IOMMU_OPTION get %s", name);
	else if (opt.val64 < lo || opt.val64 > hi)
		vm_fail("IOMMU_OPTION %s = %llu, expected %llu..%llu", name,
			(unsigned long long)opt.val64, (unsigned long long)lo, (unsigned long long)hi);
	else
		vm_ok("IOMMU_OPTION %s = %llu", name, (unsigned long long)opt.val64);
}

static void destroy(uint32_t id, const char *what)
{
	struct iommu_destroy d = { .size = sizeof(d), .id = id };

	if (vm_ioctl(iommufd, IOMMU_DESTROY, &d) < 0)
		vm_fail_errno("IOMMU_DESTROY(%s %u)", what, id);
	else
		vm_ok("IOMMU_DESTROY(%s %u)", what, id);
}

int main(int argc, char **argv)
{
	const char *bdf;
	char cdev[32], node[64];
	uint64_t start[16], last[16], alignment = 0, n;
	uint32_t src_ioas, dev_ioas;
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt attach = { .argsz = sizeof(attach) };
	struct vfio_device_detach_iommufd_pt detach = { .argsz = sizeof(detach) };
	struct iommu_ioas_copy copy;
	unsigned int nr;
	int device_fd = -1;
	void *page;

	if (argc != 2) {
		fprintf(stderr, "usage: %s BDF   (a PCI device bound to vfio-pci, with a VFIO cdev)\n",
			argv[0]);
		return VM_EXIT_USAGE;
	}
	bdf = argv[1];

	iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (iommufd < 0) {
		vm_fail_errno("open /dev/iommu");
		return vm_finish("vm-iommufd-ioas");
	}
	src_ioas = ioas_alloc();
	dev_ioas = ioas_alloc();
	if (!src_ioas || !dev_ioas || src_ioas == dev_ioas) {
		vm_fail("expected two distinct IOAS ids, got %u and %u", src_ioas, dev_ioas);
		return vm_finish("vm-iommufd-ioas");
	}
	vm_ok("two IOAS allocated: source %u, device %u", src_ioas, dev_ioas);

	/* Before any device is attached, an IOAS spans all of the IOVA space. */
	nr = ioas_ranges(dev_ioas, start, last, 16, &alignment);
	if (nr != 1 || start[0] != 0 || last[0] != UINT64_MAX)
		vm_fail("unattached IOAS %u: expected one range 0-0xffffffffffffffff, got %u ranges "
			"(first 0x%llx-0x%llx)", dev_ioas, nr, nr ? (unsigned long long)start[0] : 0ull,
			nr ? (unsigned long long)last[0] : 0ull);
	else
		vm_ok("unattached IOAS %u spans 0-0xffffffffffffffff", dev_ioas);

	check_option_get(IOMMU_OPTION_RLIMIT_MODE, 0, "RLIMIT_MODE", 0, 1);
	check_option_get(IOMMU_OPTION_HUGE_PAGES, src_ioas, "HUGE_PAGES(source IOAS)", 1, 1);

	page = vm_hugepage_alloc();
	if (!page)
		return vm_finish("vm-iommufd-ioas");
	memset(page, 0xa5, VM_HUGEPAGE_SIZE);
	if (!ioas_map_fixed(src_ioas, page, VM_HUGEPAGE_SIZE, SOURCE_IOVA))
		vm_fail_errno("IOMMU_IOAS_MAP of a 2 MiB hugepage at IOVA 0x%llx into IOAS %u",
			      SOURCE_IOVA, src_ioas);
	else
		vm_ok("hugepage IOMMU_IOAS_MAPped at IOVA 0x%llx in source IOAS %u", SOURCE_IOVA,
		      src_ioas);

	copy = (struct iommu_ioas_copy){
		.size = sizeof(copy),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
		.dst_ioas_id = dev_ioas,
		.src_ioas_id = src_ioas,
		.length = VM_HUGEPAGE_SIZE,
		.dst_iova = COPY_IOVA,
		.src_iova = SOURCE_IOVA,
	};
	if (vm_ioctl(iommufd, IOMMU_IOAS_COPY, &copy) < 0)
		vm_fail_errno("IOMMU_IOAS_COPY of IOVA 0x%llx from IOAS %u to 0x%llx in IOAS %u",
			      SOURCE_IOVA, src_ioas, COPY_IOVA, dev_ioas);
	else
		vm_ok("IOMMU_IOAS_COPY: source IOAS %u 0x%llx -> device IOAS %u 0x%llx (2 MiB)",
		      src_ioas, SOURCE_IOVA, dev_ioas, COPY_IOVA);

	/* The device, through its cdev, attached to the IOAS holding the copy. */
	if (!vm_vfio_cdev_name(bdf, cdev, sizeof(cdev))) {
		vm_fail("%s: no VFIO device cdev in sysfs (vfio-dev/vfioN)", bdf);
		goto teardown;
	}
	snprintf(node, sizeof(node), "/dev/vfio/devices/%s", cdev);
	device_fd = open(node, O_RDWR | O_CLOEXEC);
	if (device_fd < 0) {
		vm_fail_errno("open %s", node);
		goto teardown;
	}
	bind.iommufd = iommufd;
	if (vm_ioctl(device_fd, VFIO_DEVICE_BIND_IOMMUFD, &bind) < 0) {
		vm_fail_errno("%s: VFIO_DEVICE_BIND_IOMMUFD", bdf);
		goto teardown;
	}
	attach.pt_id = dev_ioas;
	if (vm_ioctl(device_fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach) < 0) {
		vm_fail_errno("%s: VFIO_DEVICE_ATTACH_IOMMUFD_PT(IOAS %u)", bdf, dev_ioas);
		goto teardown;
	}
	vm_ok("%s (%s) bound (devid %u) and attached to device IOAS %u", bdf, node, bind.out_devid,
	      dev_ioas);

	nr = ioas_ranges(dev_ioas, start, last, 16, &alignment);
	if (nr) {
		vm_check_iova_ranges("attached IOAS", start, last, nr);
		if (alignment == 0 || alignment > 4096)
			vm_fail("IOVA alignment %llu, expected 1..4096", (unsigned long long)alignment);
		else
			vm_ok("IOVA alignment %llu", (unsigned long long)alignment);
	}
	/* just below the top of the address width: accepted; at the top: refused */
	{
		unsigned int aw = vm_iommu_aw_bits();
		uint64_t top_iova = (1ull << aw) - VM_HUGEPAGE_SIZE;
		if (!ioas_map_fixed(dev_ioas, page, VM_HUGEPAGE_SIZE, top_iova))
			vm_fail_errno("a fixed map of 2 MiB at 0x%llx (the last 2 MiB of aw-bits=%u)",
				      (unsigned long long)top_iova, aw);
		else if (ioas_unmap(dev_ioas, top_iova, VM_HUGEPAGE_SIZE) == VM_HUGEPAGE_SIZE)
			vm_ok("a fixed map of the last 2 MiB below 2^%u works and unmaps", aw);
		else
			vm_fail("unmapping the last 2 MiB below 2^%u did not unmap 2 MiB", aw);
		if (aw < 64 && ioas_map_fixed(dev_ioas, page, VM_HUGEPAGE_SIZE, 1ull << aw))
			vm_fail("a fixed map at 0x%llx (2^%u, past the address width) succeeded, "
				"expected a refusal", 1ull << aw, aw);
		else
			vm_ok("a fixed map at 2^%u, past the address width, is refused (%s)", aw,
			      strerror(errno));
	}
	if (ioas_map_fixed(dev_ioas, page, VM_HUGEPAGE_SIZE, VM_MSI_WINDOW_START))
		vm_fail("a fixed IOMMU_IOAS_MAP at 0x%llx (the MSI window) succeeded, expected a refusal",
			VM_MSI_WINDOW_START);
	else
		vm_ok("a fixed map into the MSI window is refused (%s)", strerror(errno));

	/* Unmapping the source leaves the copy in place: two independent mappings. */
	n = ioas_unmap(src_ioas, SOURCE_IOVA, VM_HUGEPAGE_SIZE);
	if (n != VM_HUGEPAGE_SIZE)
		vm_fail("unmap in the source IOAS returned %llu bytes, expected %u",
			(unsigned long long)n, VM_HUGEPAGE_SIZE);
	n = ioas_unmap(dev_ioas, COPY_IOVA, VM_HUGEPAGE_SIZE);
	if (n != VM_HUGEPAGE_SIZE)
		vm_fail("unmap of the copy in the device IOAS returned %llu bytes, expected %u (the copy "
			"should survive the source's unmap)", (unsigned long long)n, VM_HUGEPAGE_SIZE);
	else
		vm_ok("source unmapped, the copy was still mapped and unmapped separately");

	if (vm_ioctl(device_fd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &detach) < 0)
		vm_fail_errno("%s: VFIO_DEVICE_DETACH_IOMMUFD_PT", bdf);
	else
		vm_ok("%s detached", bdf);

teardown:
	if (device_fd >= 0)
		close(device_fd);
	destroy(dev_ioas, "IOAS");
	destroy(src_ioas, "IOAS");
	vm_hugepage_free(page);
	close(iommufd);
	return vm_finish("vm-iommufd-ioas");
}
