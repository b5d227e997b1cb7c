/*
 * vm_vfio_open.c: in-guest check that PCI devices bound to vfio-pci can be
 * opened through a given VFIO backend, all in one process, and that their
 * registers read back what QEMU's device models hold.
 *
 *   vm-vfio-open BDF=BACKEND...      BACKEND: iommufd | type1 | noiommu | noiommu-cdev
 *
 * iommufd: /dev/vfio/devices/vfioN + VFIO_DEVICE_BIND_IOMMUFD +
 *          VFIO_DEVICE_ATTACH_IOMMUFD_PT to one shared IOAS;
 * type1:   group /dev/vfio/<N> in one shared container, VFIO_TYPE1v2_IOMMU;
 * noiommu: group /dev/vfio/noiommu-<N>, container with VFIO_NOIOMMU_IOMMU
 *          (plus: a hugepage's physical address, the IOVA in this mode).
 * noiommu-cdev (Linux 7.3): /dev/vfio/devices/noiommu-vfioN bound to the
 *          same iommufd and attached to the same IOAS (the kernel gives it
 *          a software page table; the hugepage check as for noiommu).
 * Then, per device: VFIO_DEVICE_GET_INFO, vendor/device ID from config space
 * equal to sysfs, and a register read: igb BAR0 STATUS and the receive
 * address RAL0/RAH0 (must hold the MAC QEMU was given); virtio-net the
 * common config num_queues and the MAC in the device config, found through
 * the virtio PCI capabilities. MACs come from $SLUICE_NIC_MACS.
 */
#include "vm_check.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define IGB_VENDOR 0x8086
#define IGB_DEVICE 0x10c9
#define VIRTIO_VENDOR 0x1af4
#define VIRTIO_NET_MODERN 0x1041

#define IGB_BAR0_SIZE 0x20000u /* 128 KiB of registers */
#define IGB_STATUS 0x0008u
#define IGB_RAL0 0x5400u
#define IGB_RAH0 0x5404u
#define IGB_RAH_AV (1u << 31)

#define PCI_STATUS_REG 0x06
#define PCI_STATUS_CAP_LIST 0x10
#define PCI_CAP_PTR 0x34
#define PCI_CAP_ID_VNDR 0x09
#define VIRTIO_PCI_CAP_COMMON_CFG 1
#define VIRTIO_PCI_CAP_DEVICE_CFG 4
#define VIRTIO_COMMON_NUM_QUEUES 0x12

enum backend { BACKEND_IOMMUFD, BACKEND_TYPE1, BACKEND_NOIOMMU, BACKEND_NOIOMMU_CDEV };
static const char *const backend_names[] = { "iommufd", "type1", "noiommu", "noiommu-cdev" };
#define NB_BACKENDS 4

struct device {
	const char *bdf;
	enum backend backend;
	int group_fd;
	int device_fd;
	char node[64];
};

/* Shared handles: one iommufd + IOAS, one type1 and one no-IOMMU container. */
static int iommufd = -1;
static uint32_t ioas_id;
static int containers[3] = { -1, -1, -1 };
static bool container_has_iommu[3];

static bool open_iommufd_context(void)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };

	if (iommufd >= 0)
		return true;
	iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (iommufd < 0) {
		vm_fail_errno("open /dev/iommu");
		return false;
	}
	if (vm_ioctl(iommufd, IOMMU_IOAS_ALLOC, &alloc) < 0) {
		vm_fail_errno("IOMMU_IOAS_ALLOC");
		return false;
	}
	ioas_id = alloc.out_ioas_id;
	vm_ok("/dev/iommu opened, IOAS %u allocated", ioas_id);
	return true;
}

static bool open_through_iommufd(struct device *d)
{
	char cdev[32];
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt attach = { .argsz = sizeof(attach) };

	if (!open_iommufd_context())
		return false;
	bool want_noiommu = d->backend == BACKEND_NOIOMMU_CDEV;

	if (!vm_vfio_cdev_name(d->bdf, cdev, sizeof(cdev)) ||
	    (strncmp(cdev, "noiommu-", 8) == 0) != want_noiommu) {
		vm_fail("%s: no /sys/bus/pci/devices/%s/vfio-dev/%s (expected a VFIO device cdev)",
			d->bdf, d->bdf, want_noiommu ? "noiommu-vfioN" : "vfioN");
		return false;
	}
	snprintf(d->node, sizeof(d->node), "/dev/vfio/devices/%s", cdev);
	d->device_fd = open(d->node, O_RDWR | O_CLOEXEC);
	if (d->device_fd < 0) {
		vm_fail_errno("%s: open %s", d->bdf, d->node);
		return false;
	}
	bind.iommufd = iommufd;
	if (vm_ioctl(d->device_fd, VFIO_DEVICE_BIND_IOMMUFD, &bind) < 0) {
		vm_fail_errno("%s: VFIO_DEVICE_BIND_IOMMUFD", d->bdf);
		return false;
	}
	attach.pt_id = ioas_id;
	if (vm_ioctl(d->device_fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach) < 0) {
		vm_fail_errno("%s: VFIO_DEVICE_ATTACH_IOMMUFD_PT to IOAS %u", d->bdf, ioas_id);
		return false;
	}
	vm_ok("%s: %s bound to iommufd (devid %u), attached to IOAS %u (pt_id now %u)", d->bdf,
	      d->node, bind.out_devid, ioas_id, attach.pt_id);
	return true;
}

static bool open_through_container(struct device *d)
{
	bool noiommu = d->backend == BACKEND_NOIOMMU;
	int iommu_type = noiommu ? VFIO_NOIOMMU_IOMMU : VFIO_TYPE1v2_IOMMU;
	int *container = &containers[d->backend];
	struct vfio_group_status status = { .argsz = sizeof(status) };
	int rc;

	if (*container < 0) {
		*container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
		if (*container < 0) {
			vm_fail_errno("open /dev/vfio/vfio");
			return false;
		}
		rc = vm_ioctl(*container, VFIO_GET_API_VERSION, NULL);
		if (rc != VFIO_API_VERSION) {
			vm_fail("VFIO_GET_API_VERSION: expected %d, got %d", VFIO_API_VERSION, rc);
			return false;
		}
		rc = vm_ioctl(*container, VFIO_CHECK_EXTENSION, (void *)(long)iommu_type);
		if (rc <= 0) {
			vm_fail("VFIO_CHECK_EXTENSION(%s): expected supported, got %d",
				noiommu ? "VFIO_NOIOMMU_IOMMU" : "VFIO_TYPE1v2_IOMMU", rc);
			return false;
		}
	}
	if (!vm_vfio_group_path(d->bdf, noiommu, d->node, sizeof(d->node))) {
		vm_fail("%s: no IOMMU group in sysfs", d->bdf);
		return false;
	}
	d->group_fd = open(d->node, O_RDWR | O_CLOEXEC);
	if (d->group_fd < 0) {
		vm_fail_errno("%s: open %s", d->bdf, d->node);
		return false;
	}
	if (vm_ioctl(d->group_fd, VFIO_GROUP_GET_STATUS, &status) < 0) {
		vm_fail_errno("%s: VFIO_GROUP_GET_STATUS", d->bdf);
		return false;
	}
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		vm_fail("%s: group %s not viable (another device of the group is not on vfio-pci)",
			d->bdf, d->node);
		return false;
	}
	if (vm_ioctl(d->group_fd, VFIO_GROUP_SET_CONTAINER, container) < 0) {
		vm_fail_errno("%s: VFIO_GROUP_SET_CONTAINER", d->bdf);
		return false;
	}
	if (!container_has_iommu[d->backend]) {
		if (vm_ioctl(*container, VFIO_SET_IOMMU, (void *)(long)iommu_type) < 0) {
			vm_fail_errno("VFIO_SET_IOMMU(%s)", noiommu ? "VFIO_NOIOMMU_IOMMU" : "VFIO_TYPE1v2_IOMMU");
			return false;
		}
		container_has_iommu[d->backend] = true;
	}
	d->device_fd = vm_ioctl(d->group_fd, VFIO_GROUP_GET_DEVICE_FD, (void *)d->bdf);
	if (d->device_fd < 0) {
		vm_fail_errno("%s: VFIO_GROUP_GET_DEVICE_FD", d->bdf);
		return false;
	}
	vm_ok("%s: opened through group %s in the %s container", d->bdf, d->node,
	      backend_names[d->backend]);
	return true;
}

static uint32_t rd32(volatile uint8_t *base, uint32_t off)
{
	return *(volatile uint32_t *)(base + off);
}

static void check_mac(const char *bdf, const char *where, const uint8_t mac[6],
		      char seen[][24], unsigned int *nseen)
{
	char text[24];
	unsigned int i;

	if (!vm_mac_expected(mac, text, sizeof(text))) {
		vm_fail("%s: MAC in %s is %s, expected one of SLUICE_NIC_MACS=\"%s\"", bdf, where, text,
			getenv("SLUICE_NIC_MACS") ? getenv("SLUICE_NIC_MACS") : "(unset)");
		return;
	}
	for (i = 0; i < *nseen; i++)
		if (strcmp(seen[i], text) == 0)
			vm_fail("%s: MAC %s also read from another device", bdf, text);
	if (*nseen < 8)
		snprintf(seen[(*nseen)++], 24, "%s", text);
	vm_ok("%s: MAC %s read from %s", bdf, text, where);
}

static void check_igb(struct device *d, char seen[][24], unsigned int *nseen)
{
	struct vm_region bar0;
	uint32_t status, ral, rah;
	uint8_t mac[6];

	if (!vm_region_info(d->device_fd, VFIO_PCI_BAR0_REGION_INDEX, &bar0))
		return;
	if (bar0.size != IGB_BAR0_SIZE)
		vm_fail("%s: igb BAR0 is 0x%llx bytes, expected 0x%x", d->bdf,
			(unsigned long long)bar0.size, IGB_BAR0_SIZE);
	if (!vm_region_map(d->device_fd, &bar0))
		return;
	status = rd32(bar0.map, IGB_STATUS);
	if (status == 0xffffffffu)
		vm_fail("%s: igb STATUS reads 0xffffffff (device not responding)", d->bdf);
	else
		vm_ok("%s: BAR0 (128 KiB) mapped, STATUS = 0x%08x", d->bdf, status);
	ral = rd32(bar0.map, IGB_RAL0);
	rah = rd32(bar0.map, IGB_RAH0);
	if (!(rah & IGB_RAH_AV)) {
		vm_fail("%s: igb RAH0 = 0x%08x, expected the Address Valid bit (31) set", d->bdf, rah);
	} else {
		mac[0] = ral & 0xff;
		mac[1] = (ral >> 8) & 0xff;
		mac[2] = (ral >> 16) & 0xff;
		mac[3] = ral >> 24;
		mac[4] = rah & 0xff;
		mac[5] = (rah >> 8) & 0xff;
		check_mac(d->bdf, "BAR0 RAL0/RAH0", mac, seen, nseen);
	}
	vm_region_unmap(&bar0);
}

/* Find a virtio PCI capability of cfg_type; fills bar and offset. */
static bool virtio_find_cap(int fd, uint8_t cfg_type, uint8_t *bar, uint32_t *offset)
{
	uint8_t pos, cap[16];
	uint16_t status;
	int guard = 0;

	if (!vm_config_read(fd, PCI_STATUS_REG, &status, sizeof(status)))
		return false;
	if (!(status & PCI_STATUS_CAP_LIST))
		return false;
	if (!vm_config_read(fd, PCI_CAP_PTR, &pos, 1))
		return false;
	while (pos >= 0x40 && guard++ < 48) {
		if (!vm_config_read(fd, pos & ~3u, cap, sizeof(cap)))
			return false;
		if (cap[0] == PCI_CAP_ID_VNDR && cap[3] == cfg_type) {
			*bar = cap[4];
			memcpy(offset, &cap[8], sizeof(*offset));
			return true;
		}
		pos = cap[1];
	}
	return false;
}

static void check_virtio_net(struct device *d, char seen[][24], unsigned int *nseen)
{
	uint8_t common_bar, device_bar, mac[6];
	uint32_t common_off, device_off;
	struct vm_region bar;
	uint16_t num_queues;
	unsigned int i;

	if (!virtio_find_cap(d->device_fd, VIRTIO_PCI_CAP_COMMON_CFG, &common_bar, &common_off) ||
	    !virtio_find_cap(d->device_fd, VIRTIO_PCI_CAP_DEVICE_CFG, &device_bar, &device_off)) {
		vm_fail("%s: virtio PCI common/device config capabilities not found in config space",
			d->bdf);
		return;
	}
	if (common_bar != device_bar) {
		vm_info("%s: common config in BAR%u, device config in BAR%u; reading device config only",
			d->bdf, common_bar, device_bar);
	}
	if (!vm_region_info(d->device_fd, device_bar, &bar) || !vm_region_map(d->device_fd, &bar))
		return;
	if (common_bar == device_bar) {
		num_queues = *(volatile uint16_t *)(bar.map + common_off + VIRTIO_COMMON_NUM_QUEUES);
		if (num_queues < 2)
			vm_fail("%s: virtio common config num_queues = %u, expected at least 2 (rx, tx)",
				d->bdf, num_queues);
		else
			vm_ok("%s: BAR%u (%llu KiB) mapped, common config num_queues = %u", d->bdf,
			      device_bar, (unsigned long long)bar.size / 1024, num_queues);
	}
	for (i = 0; i < 6; i++)
		mac[i] = bar.map[device_off + i];
	check_mac(d->bdf, "the virtio-net device config", mac, seen, nseen);
	vm_region_unmap(&bar);
}

static void check_device(struct device *d, char seen[][24], unsigned int *nseen)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	long vendor = vm_pci_sysfs_number(d->bdf, "vendor");
	long device = vm_pci_sysfs_number(d->bdf, "device");
	uint16_t ids[2];

	if (vm_ioctl(d->device_fd, VFIO_DEVICE_GET_INFO, &info) < 0) {
		vm_fail_errno("%s: VFIO_DEVICE_GET_INFO", d->bdf);
		return;
	}
	if (!(info.flags & VFIO_DEVICE_FLAGS_PCI) || info.num_regions <= VFIO_PCI_CONFIG_REGION_INDEX)
		vm_fail("%s: VFIO_DEVICE_GET_INFO flags 0x%x, %u regions; expected a PCI device with "
			"at least %d regions", d->bdf, info.flags, info.num_regions,
			VFIO_PCI_CONFIG_REGION_INDEX + 1);
	if (!vm_config_read(d->device_fd, 0, ids, sizeof(ids)))
		return;
	if (ids[0] != vendor || ids[1] != device) {
		vm_fail("%s: config space says %04x:%04x, sysfs says %04lx:%04lx", d->bdf, ids[0],
			ids[1], vendor, device);
		return;
	}
	vm_ok("%s: config space ID %04x:%04x matches sysfs, %u regions, %u irqs", d->bdf, ids[0],
	      ids[1], info.num_regions, info.num_irqs);
	if (ids[0] == IGB_VENDOR && ids[1] == IGB_DEVICE)
		check_igb(d, seen, nseen);
	else if (ids[0] == VIRTIO_VENDOR && ids[1] == VIRTIO_NET_MODERN)
		check_virtio_net(d, seen, nseen);
	else
		vm_fail("%s: unexpected device %04x:%04x (expected igb or virtio-net)", d->bdf, ids[0],
			ids[1]);
}

static void check_noiommu_physical_address(void)
{
	void *page = vm_hugepage_alloc();
	uint64_t pa;

	if (!page)
		return;
	memset(page, 0x5a, VM_HUGEPAGE_SIZE);
	pa = vm_phys_addr(page);
	if (pa == 0)
		vm_fail("no-IOMMU: /proc/self/pagemap gave no physical address for a hugepage "
			"(the IOVA in this mode); running as root?");
	else if (pa % VM_HUGEPAGE_SIZE != 0)
		vm_fail("no-IOMMU: hugepage physical address 0x%llx not 2 MiB aligned",
			(unsigned long long)pa);
	else
		vm_ok("no-IOMMU: hugepage at VA %p has physical address (IOVA) 0x%llx", page,
		      (unsigned long long)pa);
	vm_hugepage_free(page);
}

int main(int argc, char **argv)
{
	struct device devs[16];
	char seen[8][24];
	unsigned int nseen = 0;
	int n = 0, i, b;
	bool any_noiommu = false;

	if (argc < 2 || argc - 1 > (int)(sizeof(devs) / sizeof(devs[0]))) {
		fprintf(stderr, "usage: %s BDF=iommufd|type1|noiommu|noiommu-cdev...\n", argv[0]);
		return VM_EXIT_USAGE;
	}
	for (i = 1; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		struct device *d = &devs[n];

		if (!eq) {
			fprintf(stderr, "%s: '%s' is not BDF=BACKEND\n", argv[0], argv[i]);
			return VM_EXIT_USAGE;
		}
		*eq = '\0';
		memset(d, 0, sizeof(*d));
		d->bdf = argv[i];
		d->group_fd = d->device_fd = -1;
		for (b = 0; b < NB_BACKENDS; b++)
			if (strcmp(eq + 1, backend_names[b]) == 0)
				break;
		if (b == NB_BACKENDS) {
			fprintf(stderr, "%s: unknown backend '%s'\n", argv[0], eq + 1);
			return VM_EXIT_USAGE;
		}
		d->backend = (enum backend)b;
		any_noiommu |= d->backend == BACKEND_NOIOMMU || d->backend == BACKEND_NOIOMMU_CDEV;
		n++;
	}

	/* Open everything first, so all backends are live in this process at once. */
	for (i = 0; i < n; i++) {
		printf("%s: opening through %s\n", devs[i].bdf, backend_names[devs[i].backend]);
		if (devs[i].backend == BACKEND_IOMMUFD || devs[i].backend == BACKEND_NOIOMMU_CDEV)
			open_through_iommufd(&devs[i]);
		else
			open_through_container(&devs[i]);
	}
	for (i = 0; i < n; i++)
		if (devs[i].device_fd >= 0)
			check_device(&devs[i], seen, &nseen);
	if (any_noiommu)
		check_noiommu_physical_address();

	for (i = 0; i < n; i++) {
		if (devs[i].device_fd >= 0)
			close(devs[i].device_fd);
		if (devs[i].group_fd >= 0)
			close(devs[i].group_fd);
	}
	for (b = 0; b < 3; b++)
		if (containers[b] >= 0)
			close(containers[b]);
	if (iommufd >= 0)
		close(iommufd);
	return vm_finish("vm-vfio-open");
}
