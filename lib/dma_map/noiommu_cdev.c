/* noiommu_cdev.c: the noiommu-cdev backend (Linux 7.3+, CONFIG_IOMMUFD_NOIOMMU).
 * A no-IOMMU device's cdev (/dev/vfio/devices/noiommu-vfioN) is bound to the
 * process's iommufd and attached to an IOAS; the kernel gives that IOAS a
 * software page table (no hardware translates anything: the device DMAs to
 * physical addresses). Packet memory is IOMMU_IOAS_MAPped into it once,
 * at IOVA = VA, which pins it for as long as it stays mapped, and
 * IOMMU_IOAS_NOIOMMU_GET_PA gives the physical address of each page: no
 * /proc/self/pagemap, no CAP_SYS_ADMIN (GET_PA and the cdev need
 * CAP_SYS_RAWIO). The EAL runs in PA mode and asks this file for the PAs
 * of new memory (the PA source, sl_mem_set_pa_source) while a device is
 * attached; memory the EAL reserved earlier (PAs from pagemap, as root) is
 * mapped at attach and GET_PA must agree with the EAL for every page.
 * Every page must be physically contiguous in itself (hugepages): a buffer
 * may lie anywhere in one. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "sl_kernel_uapi.h"

#include "dma_map_internal.h"
#include "sl_eal.h"
#include "sl_vfio_explain.h"

/* One range of the IOAS this backend mapped itself (IOVA = VA). */
struct ncdev_range {
	uintptr_t va;
	uint64_t len;
	bool from_source; /* mapped by the PA source, not yet claimed by a segment */
};

struct ncdev_as {
	struct sl_dma_as as;
	uint32_t ioas_id;
	struct ncdev_range *r;
	unsigned nr, cap;
};

static inline struct ncdev_as *to_ncdev(struct sl_dma_as *as)
{
	return sl_dma_container_of(as, struct ncdev_as, as);
}

/* ---- the pure part: one page's PA and its contiguity --------------------- */

int sl_dma_page_pa(sl_get_pa_fn get_pa, void *ctx, uint64_t iova, uint64_t page_size,
		   uint64_t expect, uint64_t *pa, char *msg, size_t msglen)
{
	uint64_t len = page_size, phys = 0;

	if (get_pa(iova, &len, &phys, ctx) != 0) {
		int saved = errno;
		snprintf(msg, msglen, "IOMMU_IOAS_NOIOMMU_GET_PA at IOVA 0x%" PRIx64 ": %s%s", iova,
			 strerror(saved),
			 saved == EPERM ? " (it needs CAP_SYS_RAWIO, as the no-IOMMU cdev does)" :
			 saved == EOPNOTSUPP ? " (the IOAS has no no-IOMMU device attached, or the "
			 "kernel lacks CONFIG_IOMMUFD_NOIOMMU)" :
			 saved == ENOENT ? " (nothing is mapped there)" : "");
		errno = saved;
		return -1;
	}
	if (len < page_size) {
		snprintf(msg, msglen,
			 "the page at 0x%" PRIx64 " (%" PRIu64 " bytes) is physically contiguous "
			 "for only %" PRIu64 " bytes from 0x%" PRIx64 " (IOMMU_IOAS_NOIOMMU_GET_PA): a "
			 "buffer anywhere in the page must be, because the device sees physical "
			 "addresses; use hugepages (a hugepage is contiguous in itself)",
			 iova, page_size, len, phys);
		errno = EIO;
		return -1;
	}
	if (phys & (page_size - 1)) {
		snprintf(msg, msglen,
			 "the page at 0x%" PRIx64 " starts at physical 0x%" PRIx64 ", not aligned "
			 "to its %" PRIu64 "-byte size", iova, phys, page_size);
		errno = EIO;
		return -1;
	}
	if (expect != SL_BAD_IOVA && expect != phys) {
		snprintf(msg, msglen,
			 "IOMMU_IOAS_NOIOMMU_GET_PA says the page at 0x%" PRIx64 " is at physical "
			 "0x%" PRIx64 ", but the EAL has 0x%" PRIx64 " for it (from /proc/self/pagemap)",
			 iova, phys, expect);
		errno = EILSEQ;
		return -1;
	}
	*pa = phys;
	return 0;
}

/* ---- the kernel calls ------------------------------------------------------ */

static int kernel_get_pa(uint64_t iova, uint64_t *len, uint64_t *pa, void *ctx)
{
	struct iommu_ioas_noiommu_get_pa g = {
		.size = sizeof(g),
		.ioas_id = *(uint32_t *)ctx,
		.iova = iova,
		.length = *len,
	};
	if (ioctl(sl_dma_iommufd_fd(), IOMMU_IOAS_NOIOMMU_GET_PA, &g) != 0)
		return -1;
	*len = g.length;
	*pa = g.out_phys;
	return 0;
}

/* Map [VA, VA+LEN) at IOVA = VA; by its backing file FD at FD_OFF when
 * there is one and the kernel has IOMMU_IOAS_MAP_FILE. */
static int ioas_map_va(struct ncdev_as *n, uintptr_t va, uint64_t len, int fd, uint64_t fd_off)
{
	int rc = sl_dma_ioas_map_chunk(n->ioas_id, fd, fd_off, (void *)va, va, len);
	if (rc != 0) {
		int saved = errno;
		char why[512];
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: IOMMU_IOAS_MAP 0x%" PRIxPTR " len 0x%" PRIx64
		       " (IOVA = VA): %s%s", n->as.name, va, len, strerror(saved),
		       sl_vfio_explain(SL_VFIO_OP_IOAS_MAP, saved, NULL, why, sizeof(why)));
		errno = saved;
		return -1;
	}
	return 0;
}

static int ioas_unmap_va(struct ncdev_as *n, uintptr_t va, uint64_t len)
{
	struct iommu_ioas_unmap u = { .size = sizeof(u), .ioas_id = n->ioas_id, .iova = va,
				      .length = len };
	if (ioctl(sl_dma_iommufd_fd(), IOMMU_IOAS_UNMAP, &u) != 0) {
		int saved = errno;
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: IOMMU_IOAS_UNMAP 0x%" PRIxPTR " len 0x%" PRIx64 ": %s",
		       n->as.name, va, len, strerror(saved));
		errno = saved;
		return -1;
	}
	if (u.length != len) {
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: IOMMU_IOAS_UNMAP 0x%" PRIxPTR ": unmapped 0x%" PRIx64
		       " of 0x%" PRIx64 " bytes", n->as.name, va, (uint64_t)u.length, len);
		errno = EIO;
		return -1;
	}
	sl_dma_g.st.nb_unmap++;
	return 0;
}

/* ---- the record of what the IOAS holds ------------------------------------ */

static int range_add(struct ncdev_as *n, uintptr_t va, uint64_t len, bool from_source)
{
	if (n->nr == n->cap) {
		unsigned cap = n->cap ? 2 * n->cap : 16;
		struct ncdev_range *r = realloc(n->r, cap * sizeof(*r));
		if (!r)
			return -1;
		n->r = r;
		n->cap = cap;
	}
	n->r[n->nr++] = (struct ncdev_range){ va, len, from_source };
	return 0;
}

/* True when [VA, VA+LEN) is covered by ranges mapped by the PA source. */
static bool covered_by_source(const struct ncdev_as *n, uintptr_t va, uint64_t len)
{
	uintptr_t at = va, end = va + len;
	bool progress = true;

	while (at < end && progress) {
		unsigned i;
		progress = false;
		for (i = 0; i < n->nr; i++) {
			if (n->r[i].from_source && n->r[i].va <= at && at < n->r[i].va + n->r[i].len) {
				at = n->r[i].va + n->r[i].len;
				progress = true;
				break;
			}
		}
	}
	return at >= end;
}

/* Drop the records inside [VA, VA+LEN); those mapped by the PA source and
 * never claimed are unmapped when UNMAP_UNCLAIMED. */
static int range_drop(struct ncdev_as *n, uintptr_t va, uint64_t len, bool only_unclaimed)
{
	unsigned i = 0;
	int rc = 0;

	while (i < n->nr) {
		struct ncdev_range *r = &n->r[i];
		if (r->va >= va && r->va + r->len <= va + len && (!only_unclaimed || r->from_source)) {
			if (only_unclaimed && ioas_unmap_va(n, r->va, r->len) != 0)
				rc = -1;
			n->r[i] = n->r[--n->nr];
			continue;
		}
		i++;
	}
	return rc;
}

static void claim(struct ncdev_as *n, uintptr_t va, uint64_t len)
{
	unsigned i;
	for (i = 0; i < n->nr; i++)
		if (n->r[i].va >= va && n->r[i].va + n->r[i].len <= va + len)
			n->r[i].from_source = false;
}

/* ---- the ops -------------------------------------------------------------- */

static int ncdev_create(struct sl_dma_as *as)
{
	struct iommu_ioas_alloc a = { .size = sizeof(a) };

	if (sl_dma_iommufd_get() != 0)
		return -1;
	if (ioctl(sl_dma_iommufd_fd(), IOMMU_IOAS_ALLOC, &a) != 0) {
		int saved = errno;
		char why[256];
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: IOMMU_IOAS_ALLOC: %s%s", as->name, strerror(saved),
		       sl_vfio_explain(SL_VFIO_OP_IOAS_ALLOC, saved, NULL, why, sizeof(why)));
		sl_dma_iommufd_put();
		errno = saved;
		return -1;
	}
	to_ncdev(as)->ioas_id = a.out_ioas_id;
	return 0;
}

static void ncdev_destroy(struct sl_dma_as *as)
{
	struct ncdev_as *n = to_ncdev(as);
	struct iommu_destroy d = { .size = sizeof(d), .id = n->ioas_id };

	range_drop(n, 0, UINT64_MAX, true);
	free(n->r);
	n->r = NULL;
	n->nr = n->cap = 0;
	if (ioctl(sl_dma_iommufd_fd(), IOMMU_DESTROY, &d) != 0)
		sl_log(SL_LOG_WARNING, LOG_COMP, "IOMMU_DESTROY of IOAS %u: %s", n->ioas_id,
		       strerror(errno));
	sl_dma_iommufd_put();
}

static int ncdev_attach(struct sl_dma_as *as, struct as_attached *a, bool first)
{
	struct ncdev_as *n = to_ncdev(as);
	struct vfio_device_bind_iommufd b = { .argsz = sizeof(b), .iommufd = sl_dma_iommufd_fd() };
	struct vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at), .pt_id = n->ioas_id };
	char why[1536];

	(void)first;
	if (ioctl(a->fd, VFIO_DEVICE_BIND_IOMMUFD, &b) != 0) {
		int saved = errno;
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: VFIO_DEVICE_BIND_IOMMUFD (no-IOMMU cdev): %s%s",
		       a->who, strerror(saved),
		       saved == EPERM ? " (a no-IOMMU device needs CAP_SYS_RAWIO)" :
		       sl_vfio_explain(SL_VFIO_OP_BIND_IOMMUFD, saved, NULL, why, sizeof(why)));
		errno = saved;
		return -1;
	}
	a->devid = b.out_devid;
	if (ioctl(a->fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at) != 0) {
		int saved = errno;
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: VFIO_DEVICE_ATTACH_IOMMUFD_PT to %s (IOAS %u, "
		       "no-IOMMU): %s", a->who, as->name, n->ioas_id, strerror(saved));
		errno = saved;
		return -1; /* the bind goes away when the caller closes the device fd */
	}
	return 0;
}

static void ncdev_detach(struct sl_dma_as *as, struct as_attached *a, bool last)
{
	(void)last;
	sl_dma_cdev_detach(a, to_ncdev(as)->ioas_id);
}

static int ncdev_query_ranges(struct sl_dma_as *as)
{
	/* The device sees physical addresses: nothing restricts them here. */
	as->ranges[0].start = 0;
	as->ranges[0].last = UINT64_MAX;
	as->nb_ranges = 1;
	as->iova_align = 1;
	return 0;
}

static int ncdev_check_seg(struct sl_dma_as *as, struct dma_seg *seg)
{
	if (sl_eal_iova_mode() != SL_IOVA_PA) {
		sl_log(SL_LOG_ERR, LOG_COMP,
		       "%s: no-IOMMU devices DMA to physical addresses, but the EAL gives "
		       "IOVA = virtual address; start with --iova-mode pa (and hugepages)", as->name);
		errno = EINVAL;
		return -1;
	}
	if (seg->page_size <= 4096) {
		sl_log(SL_LOG_ERR, LOG_COMP,
		       "%s: no-IOMMU needs physically contiguous buffers, but segment at %p uses "
		       "%zu-byte pages (4 KiB pages are not contiguous with each other); reserve "
		       "hugepages and drop --no-huge", as->name, seg->va, seg->page_size);
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* Check every page of [VA, VA+LEN) (mapped at IOVA = VA) with GET_PA
 * against the EAL's PA for it (or fill PAS when given). */
static int check_pages(struct ncdev_as *n, uintptr_t va, uint64_t len, uint64_t page_size,
		       uint64_t *pas, bool against_eal)
{
	uint64_t off;
	char msg[512];

	for (off = 0; off < len; off += page_size) {
		uint64_t pa, expect = SL_BAD_IOVA;
		if (against_eal)
			expect = sl_mem_virt2iova((void *)(va + off));
		if (sl_dma_page_pa(kernel_get_pa, &n->ioas_id, va + off, page_size, expect, &pa, msg,
				   sizeof(msg)) != 0) {
			int saved = errno;
			sl_log(SL_LOG_ERR, LOG_COMP, "%s: packet memory at 0x%" PRIxPTR " refused: %s",
			       n->as.name, va + off, msg);
			errno = saved;
			return -1;
		}
		if (pas)
			pas[off / page_size] = pa;
	}
	return 0;
}

static int ncdev_map(struct sl_dma_as *as, struct dma_seg *seg, void *va, uint64_t iova,
		     uint64_t len)
{
	struct ncdev_as *n = to_ncdev(as);
	uintptr_t v = (uintptr_t)va;

	(void)iova;
	if (!seg) { /* sl_dma_as_map refuses before this: IOVA = PA here */
		errno = EOPNOTSUPP;
		return -1;
	}
	if (covered_by_source(n, v, len)) {
		/* The PA source mapped it and took its PAs from GET_PA. */
		claim(n, v, len);
		return 0;
	}
	/* Memory the EAL reserved before a device was attached (its PAs from
	 * pagemap): pin it now and make sure the kernel agrees. */
	if (ioas_map_va(n, v, len, seg->fd,
			seg->fd < 0 ? 0 : seg->fd_offset + (uint64_t)(v - (uintptr_t)seg->va)) != 0)
		return -1;
	if (check_pages(n, v, len, seg->page_size, NULL, true) != 0 || range_add(n, v, len, false)) {
		int saved = errno;
		ioas_unmap_va(n, v, len);
		errno = saved;
		return -1;
	}
	sl_log(SL_LOG_INFO, LOG_COMP, "%s: packet memory %p (%" PRIu64 " bytes, %" PRIu64
	       " pages): IOMMU_IOAS_NOIOMMU_GET_PA agrees with the EAL's physical addresses "
	       "(from /proc/self/pagemap) for every page", as->name, va, len, len / seg->page_size);
	return 0;
}

static int ncdev_unmap(struct sl_dma_as *as, void *va, uint64_t iova, uint64_t len)
{
	struct ncdev_as *n = to_ncdev(as);
	int rc;

	(void)iova;
	rc = ioas_unmap_va(n, (uintptr_t)va, len);
	range_drop(n, (uintptr_t)va, len, false);
	return rc;
}

/* Pages the PA source pinned are counted in VmPin already. */
static bool ncdev_seg_pinned(struct sl_dma_as *as, struct dma_seg *seg)
{
	return covered_by_source(to_ncdev(as), (uintptr_t)seg->va, seg->len);
}

const struct sl_dma_as_ops sl_dma_noiommu_cdev_ops = {
	.be = SL_DMA_BACKEND_NOIOMMU_CDEV,
	.name = "noiommu-cdev",
	.as_size = sizeof(struct ncdev_as),
	.map_needs_attach = true, /* GET_PA needs the no-IOMMU domain of an attached device */
	.iova_is_pa = true,
	.create = ncdev_create,
	.destroy = ncdev_destroy,
	.attach = ncdev_attach,
	.detach = ncdev_detach,
	.query_ranges = ncdev_query_ranges,
	.check_seg = ncdev_check_seg,
	.map = ncdev_map,
	.unmap = ncdev_unmap,
	.seg_pinned = ncdev_seg_pinned,
};

/* ---- the EAL's PA source --------------------------------------------------- */

static struct ncdev_as *attached_ncdev(void)
{
	struct sl_dma_as *as;
	for (as = sl_dma_g.as_list; as; as = as->next)
		if (as->ops == &sl_dma_noiommu_cdev_ops && as->nb_att > 0)
			return to_ncdev(as);
	return NULL;
}

int sl_dma_noiommu_cdev_pa_source(const struct sl_memseg *seg, uint64_t *pas, void *arg)
{
	void *va = seg->va;
	size_t len = seg->len, page_size = seg->page_size;
	struct ncdev_as *n;
	int rc = 1;

	(void)arg;
	pthread_mutex_lock(&sl_dma_g.lock);
	n = attached_ncdev();
	if (!n)
		goto out; /* no noiommu-cdev device yet: the EAL reads pagemap */
	if (page_size <= 4096) {
		sl_log(SL_LOG_ERR, LOG_COMP,
		       "%s: no-IOMMU needs physically contiguous buffers, but new memory at %p uses "
		       "%zu-byte pages; reserve hugepages and drop --no-huge", n->as.name, va, page_size);
		errno = EINVAL;
		rc = -1;
		goto out;
	}
	if (sl_dma_memlock_precheck(n->as.name, len) != 0) {
		rc = -1;
		goto out;
	}
	/* One IOAS area per page, so that any page can later be unmapped with
	 * the segment it belongs to, whatever the EAL makes of the PAs. */
	for (size_t off = 0; off < len; off += page_size) {
		uintptr_t v = (uintptr_t)va + off;
		int step = 0;
		if (ioas_map_va(n, v, page_size, seg->fd, seg->fd < 0 ? 0 : seg->fd_offset + off) == 0 &&
		    ++step &&
		    range_add(n, v, page_size, true) == 0 && ++step &&
		    check_pages(n, v, page_size, page_size, pas + off / page_size, false) == 0)
			continue;
		{
			int saved = errno;
			if (step == 2)
				n->nr--; /* the record just added */
			if (step >= 1)
				ioas_unmap_va(n, v, page_size);
			range_drop(n, (uintptr_t)va, off, true); /* the pages before */
			errno = saved;
			rc = -1;
			goto out;
		}
	}
	sl_log(SL_LOG_DEBUG, LOG_COMP, "%s: new memory %p (%zu bytes) pinned in IOAS %u, physical "
	       "addresses from IOMMU_IOAS_NOIOMMU_GET_PA (first 0x%" PRIx64 ")", n->as.name, va, len,
	       n->ioas_id, pas[0]);
	rc = 0;
out:
	{
		int saved = errno;
		pthread_mutex_unlock(&sl_dma_g.lock);
		errno = saved;
	}
	return rc;
}

void sl_dma_noiommu_cdev_pa_release(void *va, size_t len, void *arg)
{
	struct sl_dma_as *as;

	(void)arg;
	pthread_mutex_lock(&sl_dma_g.lock);
	for (as = sl_dma_g.as_list; as; as = as->next)
		if (as->ops == &sl_dma_noiommu_cdev_ops)
			range_drop(to_ncdev(as), (uintptr_t)va, len, true);
	pthread_mutex_unlock(&sl_dma_g.lock);
}
