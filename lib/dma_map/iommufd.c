/* iommufd.c: the iommufd backend. An address space is an IOAS in the
 * process's one /dev/iommu fd; a device cdev is bound to it and attached
 * (VFIO_DEVICE_BIND_IOMMUFD + VFIO_DEVICE_ATTACH_IOMMUFD_PT). Packet memory
 * is IOMMU_IOAS_MAPped once into a source IOAS no device is attached to and
 * reaches every device IOAS by IOMMU_IOAS_COPY, so its pages are pinned and
 * charged once (MAP_EACH mode maps into each IOAS instead). Also the iommufd
 * mode: which IOAS a device gets. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
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

struct iommufd_as {
	struct sl_dma_as as;
	uint32_t ioas_id;
};

static inline struct iommufd_as *to_iommufd(struct sl_dma_as *as)
{
	return sl_dma_container_of(as, struct iommufd_as, as);
}

/* Shared by every iommufd address space; under sl_dma_g.lock. */
static int iommufd = -1;          /* /dev/iommu */
static unsigned iommufd_users;
static uint32_t src_ioas;         /* source IOAS for COPY, 0 = none */
static enum sl_dma_iommufd_mode mode = SL_DMA_IOMMUFD_AUTO;
static bool map_file_off;         /* IOMMU_IOAS_MAP_FILE refused once: stop trying */

int sl_dma_iommufd_get(void)
{
	char path[256];

	if (iommufd >= 0) {
		iommufd_users++;
		return 0;
	}
	snprintf(path, sizeof(path), "%s/dev/iommu", sl_dma_dev_root());
	iommufd = open(path, O_RDWR | O_CLOEXEC);
	if (iommufd < 0) {
		int saved = errno;
		sl_log(SL_LOG_ERR, LOG_COMP,
		       "cannot open %s: %s (needs a kernel with CONFIG_IOMMUFD and root or access "
		       "to the node; use --vfio-backend type1 otherwise)",
		       path, strerror(saved));
		errno = saved;
		return -1;
	}
	iommufd_users = 1;
	return 0;
}

void sl_dma_iommufd_put(void)
{
	if (iommufd < 0 || --iommufd_users > 0)
		return;
	if (src_ioas) {
		struct iommu_destroy d = { .size = sizeof(d), .id = src_ioas };
		struct dma_seg *s;
		if (ioctl(iommufd, IOMMU_DESTROY, &d) != 0)
			sl_log(SL_LOG_WARNING, LOG_COMP, "IOMMU_DESTROY of source IOAS %u: %s",
			       src_ioas, strerror(errno));
		src_ioas = 0;
		for (s = sl_dma_g.segs; s; s = s->next)
			s->in_source = false;
	}
	map_file_off = false;
	close(iommufd);
	iommufd = -1;
}

int sl_dma_iommufd_fd(void)
{
	return iommufd;
}

static int ioas_alloc(uint32_t *id)
{
	struct iommu_ioas_alloc a = { .size = sizeof(a) };
	if (ioctl(iommufd, IOMMU_IOAS_ALLOC, &a) != 0)
		return -1;
	*id = a.out_ioas_id;
	return 0;
}

static void ioas_destroy(uint32_t id)
{
	struct iommu_destroy d = { .size = sizeof(d), .id = id };
	if (ioctl(iommufd, IOMMU_DESTROY, &d) != 0)
		sl_log(SL_LOG_WARNING, LOG_COMP, "IOMMU_DESTROY of IOAS %u: %s", id, strerror(errno));
}

static int ioas_map(uint32_t ioas, void *va, uint64_t iova, uint64_t len)
{
	struct iommu_ioas_map m = {
		.size = sizeof(m),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = ioas,
		.user_va = (uintptr_t)va,
		.length = len,
		.iova = iova,
	};
	uint64_t t0 = sl_dma_now_ns();
	int rc = ioctl(iommufd, IOMMU_IOAS_MAP, &m);
	sl_dma_g.st.map_ns += sl_dma_now_ns() - t0;
	if (rc != 0)
		return -1;
	sl_dma_g.st.nb_ioas_map++;
	return 0;
}

/* IOMMU_IOAS_MAP_FILE (6.13+): [VA, VA+LEN), which lies at byte FD_OFF of
 * the backing file FD (hugetlbfs or memfd; -1: none), by fd and offset, so
 * the kernel pins the file's folios directly instead of walking the
 * process's page tables. Used when the kernel has it (probed) and there is
 * an fd; otherwise, or once the kernel refused an fd, IOMMU_IOAS_MAP (the
 * fallback is logged once). SLUICE_DMA_MAP_FILE=0 forces IOMMU_IOAS_MAP
 * (for comparisons). 0, or -1 with errno (not logged). */
int sl_dma_ioas_map_chunk(uint32_t ioas, int fd, uint64_t fd_off, void *va, uint64_t iova,
			  uint64_t len)
{
	const char *knob = getenv("SLUICE_DMA_MAP_FILE");

	if (fd >= 0 && !map_file_off && !(knob && !strcmp(knob, "0")) &&
	    sl_vfio_caps_get()->map_file == SL_CAP_YES) {
		struct iommu_ioas_map_file m = {
			.size = sizeof(m),
			.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
				 IOMMU_IOAS_MAP_WRITEABLE,
			.ioas_id = ioas,
			.fd = fd,
			.start = fd_off,
			.length = len,
			.iova = iova,
		};
		uint64_t t0 = sl_dma_now_ns();
		int rc = ioctl(iommufd, IOMMU_IOAS_MAP_FILE, &m);
		sl_dma_g.st.map_ns += sl_dma_now_ns() - t0;
		if (rc == 0) {
			static bool said;
			if (!said) {
				said = true;
				sl_log(SL_LOG_INFO, LOG_COMP, "packet memory is mapped by file "
				       "(IOMMU_IOAS_MAP_FILE: fd %d, offset 0x%" PRIx64 ")", fd, fd_off);
			}
			sl_dma_g.st.nb_ioas_map++;
			sl_dma_g.st.nb_ioas_map_file++;
			return 0;
		}
		if (errno == EEXIST || errno == ENOMEM || errno == EADDRINUSE || errno == ENOSPC)
			return -1; /* about the IOVA or the limit, not the fd: no fallback */
		map_file_off = true;
		sl_log(SL_LOG_NOTICE, LOG_COMP, "IOMMU_IOAS_MAP_FILE of fd %d refused (%s); mapping "
		       "packet memory by address (IOMMU_IOAS_MAP) from now on", fd, strerror(errno));
	}
	return ioas_map(ioas, va, iova, len);
}

static int ioas_map_seg(uint32_t ioas, struct dma_seg *seg, void *va, uint64_t iova, uint64_t len)
{
	if (!seg)
		return ioas_map(ioas, va, iova, len);
	return sl_dma_ioas_map_chunk(ioas, seg->fd,
				     seg->fd_offset + (uint64_t)((char *)va - (char *)seg->va), va,
				     iova, len);
}

static int ioas_unmap(uint32_t ioas, uint64_t iova, uint64_t len)
{
	struct iommu_ioas_unmap u = { .size = sizeof(u), .ioas_id = ioas, .iova = iova, .length = len };

	if (len == 0) {
		sl_log(SL_LOG_ERR, LOG_COMP, "IOAS %u: zero-length unmap at 0x%" PRIx64 " refused",
		       ioas, iova);
		errno = EINVAL;
		return -1;
	}
	if (ioctl(iommufd, IOMMU_IOAS_UNMAP, &u) != 0) {
		int saved = errno;
		sl_log(SL_LOG_ERR, LOG_COMP, "IOMMU_IOAS_UNMAP IOAS %u iova 0x%" PRIx64 " len 0x%" PRIx64
		       ": %s", ioas, iova, len, strerror(saved));
		errno = saved;
		return -1;
	}
	if (u.length != len) {
		sl_log(SL_LOG_ERR, LOG_COMP, "IOMMU_IOAS_UNMAP IOAS %u iova 0x%" PRIx64 ": unmapped 0x%"
		       PRIx64 " of 0x%" PRIx64 " bytes", ioas, iova, (uint64_t)u.length, len);
		errno = EIO;
		return -1;
	}
	sl_dma_g.st.nb_unmap++;
	return 0;
}

static int iommufd_create(struct sl_dma_as *as)
{
	if (sl_dma_iommufd_get() != 0)
		return -1;
	if (ioas_alloc(&to_iommufd(as)->ioas_id) != 0) {
		int saved = errno;
		char why[256];
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: IOMMU_IOAS_ALLOC: %s%s", as->name, strerror(saved),
		       sl_vfio_explain(SL_VFIO_OP_IOAS_ALLOC, saved, NULL, why, sizeof(why)));
		sl_dma_iommufd_put();
		errno = saved;
		return -1;
	}
	return 0;
}

static void iommufd_destroy(struct sl_dma_as *as)
{
	ioas_destroy(to_iommufd(as)->ioas_id);
	sl_dma_iommufd_put();
}

static int iommufd_attach(struct sl_dma_as *as, struct as_attached *a, bool first)
{
	uint32_t ioas_id = to_iommufd(as)->ioas_id;
	struct vfio_device_bind_iommufd b = { .argsz = sizeof(b), .iommufd = iommufd };
	struct vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at), .pt_id = ioas_id };

	(void)first;
	if (ioctl(a->fd, VFIO_DEVICE_BIND_IOMMUFD, &b) != 0) {
		int saved = errno;
		char why[1536];
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: VFIO_DEVICE_BIND_IOMMUFD: %s%s", a->who,
		       strerror(saved), sl_vfio_explain(SL_VFIO_OP_BIND_IOMMUFD, saved, NULL, why,
							sizeof(why)));
		errno = saved;
		return -1;
	}
	a->devid = b.out_devid;
	if (ioctl(a->fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at) != 0) {
		int saved = errno;
		char why[512];
		/* AUTO mode retries a device the shared IOAS does not suit in an
		 * IOAS of its own (bus_vfio), so that is not an error yet. */
		sl_log(as->shared && mode == SL_DMA_IOMMUFD_AUTO && sl_dma_attach_error_is_misfit(saved) ?
		       SL_LOG_NOTICE : SL_LOG_ERR,
		       LOG_COMP, "%s: VFIO_DEVICE_ATTACH_IOMMUFD_PT to %s (IOAS %u): %s%s", a->who,
		       as->name, ioas_id, strerror(saved),
		       sl_vfio_explain(SL_VFIO_OP_ATTACH_IOMMUFD_PT, saved, NULL, why, sizeof(why)));
		errno = saved;
		return -1; /* the bind goes away when the caller closes the device fd */
	}
	return 0;
}

void sl_dma_cdev_detach(const struct as_attached *a, uint32_t ioas_id)
{
	struct vfio_device_detach_iommufd_pt d = { .argsz = sizeof(d) };
	if (ioctl(a->fd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &d) != 0)
		sl_log(SL_LOG_WARNING, LOG_COMP, "%s: VFIO_DEVICE_DETACH_IOMMUFD_PT from IOAS %u: %s",
		       a->who, ioas_id, strerror(errno));
}

static void iommufd_detach(struct sl_dma_as *as, struct as_attached *a, bool last)
{
	(void)last;
	sl_dma_cdev_detach(a, to_iommufd(as)->ioas_id);
}

static int iommufd_query_ranges(struct sl_dma_as *as)
{
	struct iommu_iova_range r[SL_DMA_MAX_IOVA_RANGES];
	struct iommu_ioas_iova_ranges q = {
		.size = sizeof(q),
		.ioas_id = to_iommufd(as)->ioas_id,
		.num_iovas = SL_DMA_MAX_IOVA_RANGES,
		.allowed_iovas = (uintptr_t)r,
	};
	struct sl_iova_range tmp[SL_DMA_MAX_IOVA_RANGES];
	unsigned i, n;

	if (ioctl(iommufd, IOMMU_IOAS_IOVA_RANGES, &q) != 0) {
		int saved = errno;
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: IOMMU_IOAS_IOVA_RANGES: %s%s", as->name,
		       strerror(saved),
		       saved == EMSGSIZE ? " (more ranges than Sluice keeps)" : "");
		errno = saved;
		return -1;
	}
	n = q.num_iovas;
	for (i = 0; i < n; i++) {
		tmp[i].start = r[i].start;
		tmp[i].last = r[i].last;
	}
	n = sl_iova_ranges_normalize(tmp, n);
	memcpy(as->ranges, tmp, n * sizeof(tmp[0]));
	as->nb_ranges = (int)n;
	as->iova_align = q.out_iova_alignment;
	return 0;
}

/* Put SEG into the source IOAS (allocated on first use) unless it is there. */
static int source_add(struct dma_seg *seg)
{
	unsigned k;
	int saved;

	if (!src_ioas && ioas_alloc(&src_ioas) != 0) {
		saved = errno;
		sl_log(SL_LOG_ERR, LOG_COMP, "source IOAS: IOMMU_IOAS_ALLOC: %s", strerror(saved));
		src_ioas = 0;
		errno = saved;
		return -1;
	}
	if (seg->in_source)
		return 0;
	/* The source IOAS has no device, so this pins nothing yet; the first
	 * COPY into an attached IOAS pins, later ones share. */
	for (k = 0; k < seg->nb_chunks; k++) {
		void *cva;
		uint64_t ciova, clen;
		sl_dma_seg_chunk(seg, k, &cva, &ciova, &clen);
		if (ioas_map_seg(src_ioas, seg, cva, ciova, clen) != 0) {
			char why[512];
			saved = errno;
			sl_log(SL_LOG_ERR, LOG_COMP,
			       "source IOAS: IOMMU_IOAS_MAP %p iova 0x%" PRIx64 ": %s%s",
			       cva, ciova, strerror(saved),
			       sl_vfio_explain(SL_VFIO_OP_IOAS_MAP, saved, NULL, why, sizeof(why)));
			while (k-- > 0) {
				sl_dma_seg_chunk(seg, k, &cva, &ciova, &clen);
				ioas_unmap(src_ioas, ciova, clen);
			}
			errno = saved;
			return -1;
		}
	}
	seg->in_source = true;
	return 0;
}

static int iommufd_map(struct sl_dma_as *as, struct dma_seg *seg, void *va, uint64_t iova,
		       uint64_t len)
{
	uint32_t ioas_id = to_iommufd(as)->ioas_id;
	int saved;

	/* Every mode but MAP_EACH fills IOAS by COPY from the one source IOAS,
	 * so all of them share one set of pinned pages. */
	if (seg && mode != SL_DMA_IOMMUFD_MAP_EACH) {
		struct iommu_ioas_copy c = {
			.size = sizeof(c),
			.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
				 IOMMU_IOAS_MAP_WRITEABLE,
			.dst_ioas_id = ioas_id,
			.length = len,
			.dst_iova = iova,
			.src_iova = iova,
		};
		if (source_add(seg) != 0)
			return -1;
		c.src_ioas_id = src_ioas;
		uint64_t t0 = sl_dma_now_ns();
		int rc = ioctl(iommufd, IOMMU_IOAS_COPY, &c);
		sl_dma_g.st.map_ns += sl_dma_now_ns() - t0;
		if (rc != 0) {
			char why[512];
			saved = errno;
			sl_log(SL_LOG_ERR, LOG_COMP, "%s: IOMMU_IOAS_COPY iova 0x%" PRIx64 " len 0x%"
			       PRIx64 " from source IOAS %u: %s%s", as->name, iova, len, src_ioas,
			       strerror(saved), sl_vfio_explain(SL_VFIO_OP_IOAS_COPY, saved, NULL, why,
								sizeof(why)));
			errno = saved;
			return -1;
		}
		sl_dma_g.st.nb_ioas_copy++;
		return 0;
	}
	if (ioas_map_seg(ioas_id, seg, va, iova, len) != 0) {
		char why[512];
		saved = errno;
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: IOMMU_IOAS_MAP %p len 0x%" PRIx64 " at iova 0x%"
		       PRIx64 ": %s%s", as->name, va, len, iova, strerror(saved),
		       sl_vfio_explain(SL_VFIO_OP_IOAS_MAP, saved, NULL, why, sizeof(why)));
		errno = saved;
		return -1;
	}
	return 0;
}

static int iommufd_unmap(struct sl_dma_as *as, void *va, uint64_t iova, uint64_t len)
{
	(void)va;
	return ioas_unmap(to_iommufd(as)->ioas_id, iova, len);
}

/* How many populated IOAS hold a segment: a COPY into a further one pins
 * nothing new. */
static void iommufd_seg_added(struct sl_dma_as *as, struct dma_seg *seg)
{
	(void)as;
	seg->pin_users++;
}

static void iommufd_seg_removed(struct sl_dma_as *as, struct dma_seg *seg)
{
	(void)as;
	if (seg->pin_users > 0)
		seg->pin_users--;
}

static bool iommufd_seg_pinned(struct sl_dma_as *as, struct dma_seg *seg)
{
	(void)as;
	return mode != SL_DMA_IOMMUFD_MAP_EACH && seg->pin_users > 0;
}

/* The segment left the registry: out of the source IOAS too. */
static int iommufd_seg_forget(struct dma_seg *seg)
{
	unsigned k;
	int rc = 0;

	if (!seg->in_source || !src_ioas)
		return 0;
	for (k = 0; k < seg->nb_chunks; k++) {
		void *va;
		uint64_t iova, len;
		sl_dma_seg_chunk(seg, k, &va, &iova, &len);
		if (ioas_unmap(src_ioas, iova, len) != 0)
			rc = -1;
	}
	seg->in_source = false;
	return rc;
}

static bool iommufd_per_device_as(void)
{
	return mode != SL_DMA_IOMMUFD_SHARED_IOAS && mode != SL_DMA_IOMMUFD_AUTO;
}

const struct sl_dma_as_ops sl_dma_iommufd_ops = {
	.be = SL_DMA_BACKEND_IOMMUFD,
	.name = "iommufd",
	.as_size = sizeof(struct iommufd_as),
	.map_needs_attach = false, /* an IOAS takes mappings before any device */
	.create = iommufd_create,
	.destroy = iommufd_destroy,
	.attach = iommufd_attach,
	.detach = iommufd_detach,
	.query_ranges = iommufd_query_ranges,
	.check_seg = sl_dma_as_check_seg_ranges,
	.map = iommufd_map,
	.unmap = iommufd_unmap,
	.seg_added = iommufd_seg_added,
	.seg_removed = iommufd_seg_removed,
	.seg_pinned = iommufd_seg_pinned,
	.seg_forget = iommufd_seg_forget,
	.per_device_as = iommufd_per_device_as,
};

int sl_dma_set_iommufd_mode(enum sl_dma_iommufd_mode m)
{
	int rc = 0;
	pthread_mutex_lock(&sl_dma_g.lock);
	if (iommufd >= 0 && mode != m) {
		errno = EBUSY;
		rc = -1;
	} else {
		mode = m;
	}
	pthread_mutex_unlock(&sl_dma_g.lock);
	return rc;
}

enum sl_dma_iommufd_mode sl_dma_get_iommufd_mode(void)
{
	return mode;
}
