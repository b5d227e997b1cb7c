/* vfio_container.c: the legacy VFIO container backends. An address space is
 * a /dev/vfio/vfio container; a group fd joins it (VFIO_GROUP_SET_CONTAINER,
 * and VFIO_SET_IOMMU for the first group). Type1 (VFIO_TYPE1v2_IOMMU) maps
 * each segment with VFIO_IOMMU_MAP_DMA under the kernel's dma_entry_limit;
 * no-IOMMU (VFIO_NOIOMMU_IOMMU) maps nothing, the device sees physical
 * addresses. Two ops tables over one container struct.
 *
 * /dev/vfio/vfio may be iommufd's compat container (CONFIG_VFIO_CONTAINER=n,
 * CONFIG_IOMMUFD_VFIO_CONTAINER=y; sl_vfio_caps.h tells). The type1 calls
 * work there, but: it attaches a device to its IOAS at
 * VFIO_GROUP_GET_DEVICE_FD, not at VFIO_SET_IOMMU, so until a device is
 * opened the IOAS has no reserved ranges and the IOVA-range capability says
 * "everything" (sl_dma_as_device_opened reads them again then); the ranges
 * are taken from the compat IOAS itself (IOMMU_VFIO_IOAS,
 * IOMMU_IOAS_IOVA_RANGES on the container fd, which is an iommufd); and it
 * has no dma_entry_limit (DMA_AVAIL reports UINT32_MAX); and it charges what
 * it pins to VmPin and VmLck both (the memlock pre-check counts it once). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "sl_kernel_uapi.h"

#include "dma_map_internal.h"
#include "sl_eal.h"
#include "sl_vfio_caps.h"
#include "sl_vfio_explain.h"

struct container_as {
	struct sl_dma_as as;
	int fd;              /* /dev/vfio/vfio */
	bool iommu_set;      /* VFIO_SET_IOMMU done */
	uint64_t dma_avail;  /* type1 DMA_AVAIL capability, UINT32_MAX if absent */
	bool compat;         /* iommufd's compat container (the fd is an iommufd) */
};

static inline struct container_as *to_container(struct sl_dma_as *as)
{
	return sl_dma_container_of(as, struct container_as, as);
}

/* The VFIO IOMMU type of the container: what its ops table stands for. */
static long container_type(const struct sl_dma_as *as)
{
	return as->ops == &sl_dma_noiommu_ops ? VFIO_NOIOMMU_IOMMU : VFIO_TYPE1v2_IOMMU;
}

static int container_create(struct sl_dma_as *as)
{
	struct container_as *c = to_container(as);
	char path[256];
	long ext = container_type(as);
	int fd, saved;

	c->fd = -1;
	c->dma_avail = UINT32_MAX;
	snprintf(path, sizeof(path), "%s/dev/vfio/vfio", sl_dma_dev_root());
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		saved = errno;
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: cannot open %s: %s (is vfio loaded and are you root?)",
		       as->name, path, strerror(saved));
		errno = saved;
		return -1;
	}
	if (ioctl(fd, VFIO_GET_API_VERSION) != VFIO_API_VERSION) {
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: %s speaks an unknown VFIO API version", as->name, path);
		close(fd);
		errno = EINVAL;
		return -1;
	}
	if (ioctl(fd, VFIO_CHECK_EXTENSION, ext) <= 0) {
		if (ext == VFIO_NOIOMMU_IOMMU)
			sl_log(SL_LOG_ERR, LOG_COMP,
			       "%s: the kernel offers no no-IOMMU VFIO: load vfio with "
			       "enable_unsafe_noiommu_mode=1 (echo 1 > /sys/module/vfio/parameters/"
			       "enable_unsafe_noiommu_mode) on a kernel with CONFIG_VFIO_NOIOMMU",
			       as->name);
		else
			sl_log(SL_LOG_ERR, LOG_COMP,
			       "%s: the kernel offers no VFIO type1v2 IOMMU (is vfio_iommu_type1 "
			       "loaded and the IOMMU enabled, e.g. intel_iommu=on?)", as->name);
		close(fd);
		errno = ENODEV;
		return -1;
	}
	c->fd = fd;
	c->compat = sl_vfio_caps_get()->container == SL_CONTAINER_IOMMUFD_COMPAT;
	if (c->compat && ext == VFIO_TYPE1v2_IOMMU)
		sl_log(SL_LOG_NOTICE, LOG_COMP,
		       "%s: %s is iommufd's compat container: no DMA entry limit (iommufd compat); "
		       "usable IOVA ranges from IOMMU_IOAS_IOVA_RANGES on its IOAS, read again when "
		       "a device is opened (the compat container attaches devices to its IOAS at "
		       "VFIO_GROUP_GET_DEVICE_FD)", as->name, path);
	return 0;
}

static void container_destroy(struct sl_dma_as *as)
{
	struct container_as *c = to_container(as);

	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

static int container_attach(struct sl_dma_as *as, struct as_attached *a, bool first)
{
	struct container_as *c = to_container(as);
	struct vfio_group_status st = { .argsz = sizeof(st) };
	int saved;

	if (ioctl(a->fd, VFIO_GROUP_GET_STATUS, &st) != 0) {
		saved = errno;
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: VFIO_GROUP_GET_STATUS: %s", a->who, strerror(saved));
		errno = saved;
		return -1;
	}
	if (!(st.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		sl_log(SL_LOG_ERR, LOG_COMP,
		       "%s: IOMMU group is not viable: every device in it must be bound to vfio-pci "
		       "(or left without a driver); see /sys/kernel/iommu_groups/<N>/devices and "
		       "bind them with usertools/bind.py --bind vfio-pci", a->who);
		errno = EPERM;
		return -1;
	}
	struct sl_vfio_msi_params prm;
	char why[1536];
	sl_vfio_msi_params_read(&prm);
	prm.noiommu = container_type(as) == VFIO_NOIOMMU_IOMMU;
	if (ioctl(a->fd, VFIO_GROUP_SET_CONTAINER, &c->fd) != 0) {
		saved = errno;
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: VFIO_GROUP_SET_CONTAINER: %s%s", a->who, strerror(saved),
		       sl_vfio_explain(SL_VFIO_OP_GROUP_SET_CONTAINER, saved, &prm, why, sizeof(why)));
		errno = saved;
		return -1;
	}
	if (first && !c->iommu_set) {
		if (ioctl(c->fd, VFIO_SET_IOMMU, container_type(as)) != 0) {
			saved = errno;
			sl_log(SL_LOG_ERR, LOG_COMP, "%s: VFIO_SET_IOMMU(%s): %s%s", a->who,
			       as->ops->name, strerror(saved),
			       sl_vfio_explain(SL_VFIO_OP_SET_IOMMU, saved, &prm, why, sizeof(why)));
			ioctl(a->fd, VFIO_GROUP_UNSET_CONTAINER);
			errno = saved;
			return -1;
		}
		c->iommu_set = true;
	}
	return 0;
}

static void container_detach(struct sl_dma_as *as, struct as_attached *a, bool last)
{
	if (ioctl(a->fd, VFIO_GROUP_UNSET_CONTAINER) != 0)
		sl_log(SL_LOG_WARNING, LOG_COMP, "%s: VFIO_GROUP_UNSET_CONTAINER: %s", a->who,
		       strerror(errno));
	if (last) /* the kernel drops the container's IOMMU with its last group */
		to_container(as)->iommu_set = false;
}

/* ---- type1 --------------------------------------------------------------- */

/* iommufd's compat container: the fd is an iommufd, so its IOAS can be
 * asked directly. 0 and the ranges in TMP/N, or -1. */
static int compat_ioas_ranges(struct sl_dma_as *as, struct sl_iova_range *tmp, unsigned *n,
			      uint64_t *align)
{
	struct container_as *c = to_container(as);
	struct iommu_vfio_ioas v = { .size = sizeof(v), .op = IOMMU_VFIO_IOAS_GET };
	struct iommu_iova_range r[SL_DMA_MAX_IOVA_RANGES];
	struct iommu_ioas_iova_ranges q = {
		.size = sizeof(q),
		.num_iovas = SL_DMA_MAX_IOVA_RANGES,
		.allowed_iovas = (uintptr_t)r,
	};
	unsigned i;

	if (ioctl(c->fd, IOMMU_VFIO_IOAS, &v) != 0) {
		int saved = errno;
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: IOMMU_VFIO_IOAS(GET) on the compat container: %s",
		       as->name, strerror(saved));
		errno = saved;
		return -1;
	}
	q.ioas_id = v.ioas_id;
	if (ioctl(c->fd, IOMMU_IOAS_IOVA_RANGES, &q) != 0) {
		int saved = errno;
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: IOMMU_IOAS_IOVA_RANGES on compat IOAS %u: %s%s",
		       as->name, v.ioas_id, strerror(saved),
		       saved == EMSGSIZE ? " (more ranges than Sluice keeps)" : "");
		errno = saved;
		return -1;
	}
	for (i = 0; i < q.num_iovas; i++) {
		tmp[i].start = r[i].start;
		tmp[i].last = r[i].last;
	}
	*n = q.num_iovas;
	*align = q.out_iova_alignment;
	return 0;
}

static int type1_query_ranges(struct sl_dma_as *as)
{
	struct container_as *c = to_container(as);
	size_t sz = sizeof(struct vfio_iommu_type1_info);
	struct vfio_iommu_type1_info *info = NULL;
	struct sl_iova_range tmp[SL_DMA_MAX_IOVA_RANGES];
	unsigned n = 0;
	bool have_ranges = false;
	int tries;

	c->dma_avail = UINT32_MAX;
	for (tries = 0; tries < 3; tries++) {
		struct vfio_iommu_type1_info *bigger = realloc(info, sz);
		if (!bigger) {
			free(info);
			return -1;
		}
		info = bigger;
		memset(info, 0, sz);
		info->argsz = (uint32_t)sz;
		if (ioctl(c->fd, VFIO_IOMMU_GET_INFO, info) != 0) {
			int saved = errno;
			sl_log(SL_LOG_ERR, LOG_COMP, "%s: VFIO_IOMMU_GET_INFO: %s", as->name,
			       strerror(saved));
			free(info);
			errno = saved;
			return -1;
		}
		if (info->argsz <= sz)
			break;
		sz = info->argsz;
	}
	as->iova_align = 4096;
	if (info->flags & VFIO_IOMMU_INFO_PGSIZES && info->iova_pgsizes)
		as->iova_align = info->iova_pgsizes & -info->iova_pgsizes;
	if ((info->flags & VFIO_IOMMU_INFO_CAPS) && info->cap_offset) {
		uint32_t off = info->cap_offset;
		unsigned guard = 0;
		while (off && off + sizeof(struct vfio_info_cap_header) <= sz && guard++ < 64) {
			struct vfio_info_cap_header *h = (void *)((char *)info + off);
			if (h->id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE) {
				struct vfio_iommu_type1_info_cap_iova_range *cr = (void *)h;
				unsigned i;
				have_ranges = true;
				for (i = 0; i < cr->nr_iovas && n < SL_DMA_MAX_IOVA_RANGES; i++) {
					tmp[n].start = cr->iova_ranges[i].start;
					tmp[n].last = cr->iova_ranges[i].end;
					n++;
				}
			} else if (h->id == VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL) {
				c->dma_avail = ((struct vfio_iommu_type1_info_dma_avail *)h)->avail;
			}
			off = h->next;
		}
	}
	free(info);
	if (c->compat) {
		/* The IOAS is the truth; the capability restates it (and
		 * before a device is opened both say "everything"). */
		uint64_t align = 0;
		if (compat_ioas_ranges(as, tmp, &n, &align) != 0)
			return -1;
		have_ranges = true;
		if (align > as->iova_align)
			as->iova_align = align;
	}
	if (!have_ranges) {
		/* Older kernels report no ranges: everything is allowed. */
		tmp[0].start = 0;
		tmp[0].last = UINT64_MAX;
		n = 1;
	}
	n = sl_iova_ranges_normalize(tmp, n);
	memcpy(as->ranges, tmp, n * sizeof(tmp[0]));
	as->nb_ranges = (int)n;
	return 0;
}

static int type1_map(struct sl_dma_as *as, struct dma_seg *seg, void *va, uint64_t iova, uint64_t len)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)va,
		.iova = iova,
		.size = len,
	};
	(void)seg;
	uint64_t t0 = sl_dma_now_ns();
	int rc = ioctl(to_container(as)->fd, VFIO_IOMMU_MAP_DMA, &m);
	sl_dma_g.st.map_ns += sl_dma_now_ns() - t0;
	if (rc != 0) {
		int saved = errno;
		char why[512];
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: VFIO_IOMMU_MAP_DMA %p len 0x%" PRIx64 " at iova 0x%"
		       PRIx64 ": %s%s", as->name, va, len, iova, strerror(saved),
		       sl_vfio_explain(SL_VFIO_OP_IOMMU_MAP_DMA, saved, NULL, why, sizeof(why)));
		errno = saved;
		return -1;
	}
	sl_dma_g.st.nb_type1_map++;
	return 0;
}

static int type1_unmap(struct sl_dma_as *as, void *va, uint64_t iova, uint64_t len)
{
	struct vfio_iommu_type1_dma_unmap u = { .argsz = sizeof(u), .iova = iova, .size = len };

	(void)va;
	if (len == 0) {
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: zero-length unmap at 0x%" PRIx64 " refused", as->name,
		       iova);
		errno = EINVAL;
		return -1;
	}
	if (ioctl(to_container(as)->fd, VFIO_IOMMU_UNMAP_DMA, &u) != 0) {
		int saved = errno;
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: VFIO_IOMMU_UNMAP_DMA iova 0x%" PRIx64 " len 0x%" PRIx64
		       ": %s", as->name, iova, len, strerror(saved));
		errno = saved;
		return -1;
	}
	if (u.size != len) {
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: VFIO_IOMMU_UNMAP_DMA iova 0x%" PRIx64 ": unmapped 0x%"
		       PRIx64 " of 0x%" PRIx64 " bytes", as->name, iova, (uint64_t)u.size, len);
		errno = EIO;
		return -1;
	}
	sl_dma_g.st.nb_unmap++;
	return 0;
}

/* vfio_iommu_type1's dma_entry_limit and the kernel's DMA_AVAIL count. */
static int type1_entry_precheck(struct sl_dma_as *as, unsigned new_entries)
{
	char msg[640];

	if (to_container(as)->compat)
		return 0; /* no DMA entry limit (iommufd compat): said at create */

	if (sl_dma_entry_check(as->nb_maps, new_entries,
			       sl_dma_read_entry_limit(SL_DMA_ENTRY_LIMIT_PATH),
			       to_container(as)->dma_avail, msg, sizeof(msg)) == 0)
		return 0;
	sl_log(SL_LOG_ERR, LOG_COMP, "%s: %s", as->name, msg);
	errno = ENOSPC;
	return -1;
}

/* iommufd's compat container charges its pins to VmPin (as iommufd does)
 * and to VmLck (IOPT_PAGES_ACCOUNT_MM, as VFIO did): count them once. */
static uint64_t type1_charged_twice(struct sl_dma_as *as)
{
	struct as_mapping *m;
	uint64_t bytes = 0;

	if (!to_container(as)->compat)
		return 0;
	for (m = as->maps; m; m = m->next)
		bytes += m->len;
	return bytes;
}

const struct sl_dma_as_ops sl_dma_type1_ops = {
	.be = SL_DMA_BACKEND_TYPE1,
	.name = "type1",
	.as_size = sizeof(struct container_as),
	.map_needs_attach = true, /* a container has no IOMMU before its first group */
	.create = container_create,
	.destroy = container_destroy,
	.attach = container_attach,
	.detach = container_detach,
	.query_ranges = type1_query_ranges,
	.check_seg = sl_dma_as_check_seg_ranges,
	.map = type1_map,
	.unmap = type1_unmap,
	.entry_precheck = type1_entry_precheck,
	.charged_twice = type1_charged_twice,
};

/* ---- no-IOMMU ------------------------------------------------------------ */

static int noiommu_query_ranges(struct sl_dma_as *as)
{
	/* No translation: any physical address is what the device sees. */
	as->ranges[0].start = 0;
	as->ranges[0].last = UINT64_MAX;
	as->nb_ranges = 1;
	as->iova_align = 1;
	return 0;
}

/* The device DMAs to physical addresses: they must be known and contiguous. */
static int noiommu_check_seg(struct sl_dma_as *as, struct dma_seg *seg)
{
	if (sl_eal_iova_mode() != SL_IOVA_PA) {
		sl_log(SL_LOG_ERR, LOG_COMP,
		       "%s: no-IOMMU devices DMA to physical addresses, but the EAL gives "
		       "IOVA = virtual address; start with --iova-mode pa (and hugepages)",
		       as->name);
		errno = EINVAL;
		return -1;
	}
	if (seg->page_size <= 4096) {
		sl_log(SL_LOG_ERR, LOG_COMP,
		       "%s: no-IOMMU needs physically contiguous buffers, but segment at %p "
		       "uses %zu-byte pages (4 KiB pages are not contiguous); reserve hugepages "
		       "and drop --no-huge",
		       as->name, seg->va, seg->page_size);
		errno = EINVAL;
		return -1;
	}
	return 0;
}

const struct sl_dma_as_ops sl_dma_noiommu_ops = {
	.be = SL_DMA_BACKEND_NOIOMMU,
	.name = "noiommu",
	.as_size = sizeof(struct container_as),
	.map_needs_attach = true,
	.create = container_create,
	.destroy = container_destroy,
	.attach = container_attach,
	.detach = container_detach,
	.query_ranges = noiommu_query_ranges,
	.check_seg = noiommu_check_seg,
	.map = NULL, /* IOVA = physical address: nothing to map */
	.unmap = NULL,
};
