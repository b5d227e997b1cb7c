/* regions.c: a device's regions: region info, BAR mmap (whole or the
 * sparse-mmap areas), pread/pwrite access, 32-bit BAR registers, config
 * space and bus mastering. */
#include <sys/mman.h>
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


int sl_pci_region_info(struct sl_pci_device *dev, unsigned index, struct sl_pci_region *out)
{
	if (bv_need_open(dev) != 0)
		return -1;
	if (index >= VFIO_PCI_NUM_REGIONS || index >= dev->info.num_regions) {
		errno = EINVAL;
		return -1;
	}
	*out = dev->regions[index];
	return 0;
}

/* The sparse-mmap areas of BAR, or none. Returns the count (-1 on error). */
static int sparse_areas(struct sl_pci_device *dev, unsigned bar,
			struct vfio_region_sparse_mmap_area *areas, unsigned max)
{
	struct vfio_region_info *ri;
	size_t sz = sizeof(*ri);
	int n = 0;

	ri = calloc(1, sz);
	if (!ri)
		return -1;
	ri->argsz = (uint32_t)sz;
	ri->index = bar;
	if (ioctl(dev->fd, VFIO_DEVICE_GET_REGION_INFO, ri) != 0)
		goto out;
	if (ri->argsz > sz) {
		struct vfio_region_info *big;
		sz = ri->argsz;
		big = realloc(ri, sz);
		if (!big)
			goto out;
		ri = big;
		memset(ri, 0, sz);
		ri->argsz = (uint32_t)sz;
		ri->index = bar;
		if (ioctl(dev->fd, VFIO_DEVICE_GET_REGION_INFO, ri) != 0)
			goto out;
	}
	if ((ri->flags & VFIO_REGION_INFO_FLAG_CAPS) && ri->cap_offset) {
		uint32_t off = ri->cap_offset;
		unsigned guard = 0;
		while (off && off + sizeof(struct vfio_info_cap_header) <= sz && guard++ < 32) {
			struct vfio_info_cap_header *h = (void *)((char *)ri + off);
			if (h->id == VFIO_REGION_INFO_CAP_SPARSE_MMAP) {
				struct vfio_region_info_cap_sparse_mmap *sp = (void *)h;
				unsigned i;
				for (i = 0; i < sp->nr_areas && (unsigned)n < max; i++)
					areas[n++] = sp->areas[i];
				if (n == 0)
					n = -2; /* sparse with no areas: nothing mappable */
				break;
			}
			off = h->next;
		}
	}
out:
	free(ri);
	return n;
}

void *sl_pci_bar_map(struct sl_pci_device *dev, unsigned bar, size_t *len)
{
	struct sl_pci_region *r;
	struct vfio_region_sparse_mmap_area areas[8];
	void *base;
	int n, saved;

	if (bv_need_open(dev) != 0)
		return NULL;
	if (bar >= NB_BARS) {
		errno = EINVAL;
		return NULL;
	}
	if (dev->bars[bar].addr) {
		if (len)
			*len = dev->bars[bar].len;
		return dev->bars[bar].addr;
	}
	r = &dev->regions[bar];
	if (r->size == 0) {
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: BAR%u is not implemented", dev->name, bar);
		errno = ENOENT;
		return NULL;
	}
	if (!r->mappable) {
		sl_log(SL_LOG_DEBUG, LOG_COMP, "%s: BAR%u cannot be mmapped; use region read/write",
		       dev->name, bar);
		errno = ENOTSUP;
		return NULL;
	}
	n = sparse_areas(dev, bar, areas, SL_DIM(areas));
	if (n == 0 || n == -1) {
		base = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_SHARED, dev->fd, (off_t)r->offset);
		if (base == MAP_FAILED) {
			saved = errno;
			sl_log(SL_LOG_ERR, LOG_COMP, "%s: mmap of BAR%u (%" PRIu64 " bytes): %s", dev->name,
			       bar, r->size, strerror(saved));
			errno = saved;
			return NULL;
		}
	} else if (n == -2) {
		errno = ENOTSUP;
		return NULL;
	} else {
		int i;
		/* Reserve the whole BAR, map the allowed areas inside it. */
		base = mmap(NULL, r->size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (base == MAP_FAILED)
			return NULL;
		for (i = 0; i < n; i++) {
			void *p;
			if (areas[i].size == 0)
				continue;
			p = mmap((char *)base + areas[i].offset, areas[i].size, PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_FIXED, dev->fd, (off_t)(r->offset + areas[i].offset));
			if (p == MAP_FAILED) {
				saved = errno;
				munmap(base, r->size);
				sl_log(SL_LOG_ERR, LOG_COMP, "%s: mmap of BAR%u area +0x%llx: %s", dev->name,
				       bar, (unsigned long long)areas[i].offset, strerror(saved));
				errno = saved;
				return NULL;
			}
		}
		dev->bars[bar].reserved = true;
	}
	dev->bars[bar].addr = base;
	dev->bars[bar].len = r->size;
	if (len)
		*len = r->size;
	return base;
}

static int region_rw(struct sl_pci_device *dev, unsigned index, uint64_t off, void *buf,
		     size_t len, bool write)
{
	struct sl_pci_region *r;
	ssize_t n;

	if (bv_need_open(dev) != 0)
		return -1;
	if (index >= VFIO_PCI_NUM_REGIONS || index >= dev->info.num_regions) {
		errno = EINVAL;
		return -1;
	}
	r = &dev->regions[index];
	if (off > r->size || len > r->size - off) {
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: region %u access 0x%" PRIx64 "+%zu beyond its %" PRIu64
		       " bytes", dev->name, index, off, len, r->size);
		errno = EINVAL;
		return -1;
	}
	n = write ? pwrite(dev->fd, buf, len, (off_t)(r->offset + off))
		  : pread(dev->fd, buf, len, (off_t)(r->offset + off));
	if (n != (ssize_t)len) {
		if (n >= 0)
			errno = EIO;
		return -1;
	}
	return 0;
}

int sl_pci_region_read(struct sl_pci_device *dev, unsigned index, uint64_t off, void *buf, size_t len)
{
	return region_rw(dev, index, off, buf, len, false);
}

int sl_pci_region_write(struct sl_pci_device *dev, unsigned index, uint64_t off, const void *buf,
			size_t len)
{
	return region_rw(dev, index, off, (void *)(uintptr_t)buf, len, true);
}

uint32_t sl_pci_bar_read32(struct sl_pci_device *dev, unsigned bar, uint64_t off)
{
	uint32_t v = UINT32_MAX;

	if (dev && dev->open && bar < NB_BARS && dev->bars[bar].addr && !dev->bars[bar].reserved &&
	    off + 4 <= dev->bars[bar].len)
		return *(volatile uint32_t *)((char *)dev->bars[bar].addr + off);
	if (sl_pci_region_read(dev, bar, off, &v, 4) != 0)
		return UINT32_MAX;
	return v;
}

void sl_pci_bar_write32(struct sl_pci_device *dev, unsigned bar, uint64_t off, uint32_t val)
{
	if (dev && dev->open && bar < NB_BARS && dev->bars[bar].addr && !dev->bars[bar].reserved &&
	    off + 4 <= dev->bars[bar].len) {
		*(volatile uint32_t *)((char *)dev->bars[bar].addr + off) = val;
		return;
	}
	sl_pci_region_write(dev, bar, off, &val, 4);
}

int sl_pci_cfg_read(struct sl_pci_device *dev, uint32_t off, void *buf, size_t len)
{
	return region_rw(dev, VFIO_PCI_CONFIG_REGION_INDEX, off, buf, len, false);
}

int sl_pci_cfg_write(struct sl_pci_device *dev, uint32_t off, const void *buf, size_t len)
{
	return region_rw(dev, VFIO_PCI_CONFIG_REGION_INDEX, off, (void *)(uintptr_t)buf, len, true);
}

int sl_pci_set_bus_master(struct sl_pci_device *dev, bool on)
{
	uint16_t cmd;

	if (sl_pci_cfg_read(dev, 0x04, &cmd, 2) != 0)
		return -1;
	if (on)
		cmd |= 0x0006; /* Memory Space + Bus Master */
	else
		cmd &= (uint16_t)~0x0004;
	return sl_pci_cfg_write(dev, 0x04, &cmd, 2);
}


void bv_bars_unmap(struct sl_pci_device *dev)
{
	unsigned i;
	for (i = 0; i < NB_BARS; i++) {
		if (dev->bars[i].addr)
			munmap(dev->bars[i].addr, dev->bars[i].len);
		memset(&dev->bars[i], 0, sizeof(dev->bars[i]));
	}
}

void bv_read_regions(struct sl_pci_device *dev)
{
	unsigned i;

	for (i = 0; i < VFIO_PCI_NUM_REGIONS && i < dev->info.num_regions; i++) {
		struct vfio_region_info ri = { .argsz = sizeof(ri), .index = i };
		if (ioctl(dev->fd, VFIO_DEVICE_GET_REGION_INFO, &ri) != 0) {
			/* VGA and others may be absent: an empty region. */
			memset(&dev->regions[i], 0, sizeof(dev->regions[i]));
			dev->regions[i].index = i;
			continue;
		}
		dev->regions[i].index = i;
		dev->regions[i].flags = ri.flags;
		dev->regions[i].size = ri.size;
		dev->regions[i].offset = ri.offset;
		dev->regions[i].mappable = (ri.flags & VFIO_REGION_INFO_FLAG_MMAP) != 0;
	}
}
