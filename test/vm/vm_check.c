/*
 * vm_check.c: helpers shared by the in-guest check programs (see vm_check.h).
 */
#include "vm_check.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

int vm_failures;

static void vprint(const char *prefix, const char *fmt, va_list ap, int err)
{
	fputs(prefix, stdout);
	vprintf(fmt, ap);
	if (err)
		printf(": %s", strerror(err));
	putchar('\n');
	fflush(stdout);
}

void vm_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint("FAIL: ", fmt, ap, 0);
	va_end(ap);
	vm_failures++;
}

void vm_fail_errno(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vprint("FAIL: ", fmt, ap, err);
	va_end(ap);
	vm_failures++;
}

void vm_ok(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint("  ok: ", fmt, ap, 0);
	va_end(ap);
}

void vm_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint("  ", fmt, ap, 0);
	va_end(ap);
}

int vm_finish(const char *program)
{
	if (vm_failures) {
		printf("%s: %d expectation(s) failed\n", program, vm_failures);
		return VM_EXIT_FAIL;
	}
	printf("%s: all expectations met\n", program);
	return VM_EXIT_PASS;
}

int vm_ioctl(int fd, unsigned long request, void *arg)
{
	int rc;

	do
		rc = ioctl(fd, request, arg);
	while (rc < 0 && errno == EINTR);
	return rc;
}

int vm_iommu_group(const char *bdf)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -1;
	target[n] = '\0';
	return atoi(basename(target));
}

bool vm_vfio_cdev_name(const char *bdf, char *name, size_t len)
{
	char path[PATH_MAX];
	struct dirent *e;
	bool found = false;
	DIR *d;

	/* The vfio-dev directory holds exactly one entry, vfioN (noiommu-vfioN
	 * for a no-IOMMU device on Linux 7.3+). */
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vfio-dev", bdf);
	d = opendir(path);
	if (!d)
		return false;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "vfio", 4) == 0 || strncmp(e->d_name, "noiommu-vfio", 12) == 0) {
			snprintf(name, len, "%s", e->d_name);
			found = true;
			break;
		}
	}
	closedir(d);
	return found;
}

bool vm_vfio_group_path(const char *bdf, bool noiommu, char *path, size_t len)
{
	int group = vm_iommu_group(bdf);

	if (group < 0)
		return false;
	snprintf(path, len, noiommu ? "/dev/vfio/noiommu-%d" : "/dev/vfio/%d", group);
	return true;
}

long vm_pci_sysfs_number(const char *bdf, const char *attr)
{
	char path[PATH_MAX];
	FILE *f;
	long v = -1;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf, attr);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%li", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

bool vm_region_info(int device_fd, uint32_t index, struct vm_region *r)
{
	struct vfio_region_info info = { .argsz = sizeof(info), .index = index };

	if (vm_ioctl(device_fd, VFIO_DEVICE_GET_REGION_INFO, &info) < 0) {
		vm_fail_errno("VFIO_DEVICE_GET_REGION_INFO(region %u)", index);
		return false;
	}
	r->index = index;
	r->flags = info.flags;
	r->size = info.size;
	r->offset = info.offset;
	r->map = NULL;
	return true;
}

bool vm_region_map(int device_fd, struct vm_region *r)
{
	void *p;

	if (!(r->flags & VFIO_REGION_INFO_FLAG_MMAP)) {
		vm_fail("region %u (size 0x%llx, flags 0x%x) cannot be mmapped", r->index,
			(unsigned long long)r->size, r->flags);
		return false;
	}
	p = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_SHARED, device_fd, (off_t)r->offset);
	if (p == MAP_FAILED) {
		vm_fail_errno("mmap of region %u (size 0x%llx)", r->index, (unsigned long long)r->size);
		return false;
	}
	r->map = p;
	return true;
}

void vm_region_unmap(struct vm_region *r)
{
	if (r->map)
		munmap((void *)r->map, r->size);
	r->map = NULL;
}

bool vm_config_read(int device_fd, uint32_t offset, void *buf, size_t len)
{
	struct vm_region cfg;
	ssize_t n;

	if (!vm_region_info(device_fd, VFIO_PCI_CONFIG_REGION_INDEX, &cfg))
		return false;
	n = pread(device_fd, buf, len, (off_t)(cfg.offset + offset));
	if (n != (ssize_t)len) {
		vm_fail_errno("read of %zu bytes at 0x%x of PCI config space", len, offset);
		return false;
	}
	return true;
}

void *vm_hugepage_alloc(void)
{
	void *p = mmap(NULL, VM_HUGEPAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE, -1, 0);

	if (p == MAP_FAILED) {
		vm_fail_errno("mmap of a 2 MiB hugepage (are hugepages reserved? see /proc/meminfo)");
		return NULL;
	}
	return p;
}

void vm_hugepage_free(void *p)
{
	if (p)
		munmap(p, VM_HUGEPAGE_SIZE);
}

uint64_t vm_phys_addr(const void *va)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t entry = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);
	off_t off = (off_t)((uintptr_t)va / (uintptr_t)page * sizeof(entry));

	if (fd < 0)
		return 0;
	if (pread(fd, &entry, sizeof(entry), off) != (ssize_t)sizeof(entry))
		entry = 0;
	close(fd);
	if (!(entry & (1ull << 63)))  /* page not present */
		return 0;
	entry &= (1ull << 55) - 1;   /* PFN, 0 without CAP_SYS_ADMIN */
	return entry * (uint64_t)page + (uintptr_t)va % (uintptr_t)page;
}

bool vm_mac_expected(const uint8_t mac[6], char *text, size_t len)
{
	const char *list = getenv("SLUICE_NIC_MACS");

	snprintf(text, len, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
	return list && strstr(list, text) != NULL;
}

unsigned int vm_iommu_aw_bits(void)
{
	const char *s = getenv("SLUICE_VM_AW_BITS");
	char *end;
	unsigned long v;

	if (s == NULL || *s == '\0')
		return 48;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || v < 32 || v > 64) {
		vm_fail("SLUICE_VM_AW_BITS='%s' is not an address width; using 48", s);
		return 48;
	}
	return (unsigned int)v;
}

void vm_check_iova_ranges(const char *what, const uint64_t *start, const uint64_t *last,
			  unsigned int n)
{
	bool below = false, above = false, overlap = false, too_high = false;
	unsigned int i, aw = vm_iommu_aw_bits();
	uint64_t want_top = aw >= 64 ? ~0ull : (1ull << aw) - 1, top = 0;

	for (i = 0; i < n; i++) {
		vm_info("%s range %u: 0x%llx-0x%llx", what, i, (unsigned long long)start[i],
			(unsigned long long)last[i]);
		if (start[i] <= VM_MSI_WINDOW_LAST && last[i] >= VM_MSI_WINDOW_START)
			overlap = true;
		if (last[i] < VM_MSI_WINDOW_START)
			below = true;
		if (start[i] > VM_MSI_WINDOW_LAST)
			above = true;
		if (last[i] > want_top)
			too_high = true;
		if (last[i] > top)
			top = last[i];
	}
	if (overlap)
		vm_fail("%s: a usable IOVA range overlaps the MSI window 0x%llx-0x%llx "
			"(expected it excluded)", what, VM_MSI_WINDOW_START, VM_MSI_WINDOW_LAST);
	else
		vm_ok("%s: MSI window 0x%llx-0x%llx excluded", what, VM_MSI_WINDOW_START,
		      VM_MSI_WINDOW_LAST);
	if (!below || !above)
		vm_fail("%s: expected usable IOVAs both below and above the MSI window, saw %s%s",
			what, below ? "below" : "none below", above ? " and above" : " and none above");
	if (too_high)
		vm_fail("%s: usable IOVAs above 2^%u-1, but the vIOMMU has aw-bits=%u", what, aw, aw);
	else if (n > 0 && top != want_top)
		vm_fail("%s: highest usable IOVA 0x%llx, expected 0x%llx (aw-bits=%u)", what,
			(unsigned long long)top, (unsigned long long)want_top, aw);
	else if (n > 0)
		vm_ok("%s: highest usable IOVA 0x%llx, the top of aw-bits=%u", what,
		      (unsigned long long)top, aw);
}
