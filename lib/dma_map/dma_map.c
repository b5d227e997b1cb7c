/* dma_map.c: IO address spaces over the three VFIO backends (iommufd IOAS,
 * type1 container, no-IOMMU container), one ops table per backend, and the
 * EAL memory listener that maps every packet-memory segment once into every
 * live address space (iommufd: IOMMU_IOAS_MAP into a source IOAS, then
 * IOMMU_IOAS_COPY into each device's IOAS, so pages are pinned once). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "sl_kernel_uapi.h"

#include "dma_map_internal.h"
#include "sl_dma_map.h"
#include "sl_vfio_explain.h"
#include "sl_eal.h"

#define LOG_COMP "dma_map"

/* A registered packet-memory segment (a copy of the EAL's view). */
struct dma_seg {
	struct dma_seg *next;
	void *va;
	uint64_t iova;       /* SL_BAD_IOVA: map page by page (PA mode) */
	uint64_t len;
	size_t page_size;
	unsigned nb_chunks;  /* 1, or len / page_size when iova is per page */
	bool in_source;      /* mapped into the iommufd source IOAS */
	unsigned pin_users;  /* populated iommufd IOAS holding it (COPY mode) */
};

/* One mapping held by an address space. */
struct as_mapping {
	struct as_mapping *next;
	struct dma_seg *seg; /* NULL for explicit sl_dma_as_map mappings */
	void *va;
	uint64_t iova;
	uint64_t len;
};

struct as_attached {
	struct as_attached *next;
	int fd;
	uint32_t devid;      /* iommufd device id */
	char who[64];
};

struct as_ops;

struct sl_dma_as {
	struct sl_dma_as *next;
	const struct as_ops *ops;
	char name[64];
	unsigned refcnt;
	bool shared;
	int container_fd;    /* type1/no-IOMMU; -1 for iommufd */
	uint32_t ioas_id;    /* iommufd */
	bool iommu_set;      /* container: VFIO_SET_IOMMU done */
	struct as_attached *att;
	unsigned nb_att;
	int nb_ranges;       /* -1 until read from the kernel */
	struct sl_iova_range ranges[SL_DMA_MAX_IOVA_RANGES];
	uint64_t iova_align;
	uint64_t dma_avail;  /* type1 DMA_AVAIL capability, UINT32_MAX if absent */
	struct as_mapping *maps;
	unsigned nb_maps;
};

/* One per backend: what differs between an iommufd IOAS and a container. */
struct as_ops {
	enum sl_dma_backend be;
	int (*create)(struct sl_dma_as *as);
	void (*destroy)(struct sl_dma_as *as);
	/* kernel attach of a device (iommufd) or group (containers) */
	int (*attach)(struct sl_dma_as *as, struct as_attached *a, bool first);
	void (*detach)(struct sl_dma_as *as, struct as_attached *a, bool last);
	int (*query_ranges)(struct sl_dma_as *as);
	/* put one chunk of memory into the address space; SEG may be NULL */
	int (*map)(struct sl_dma_as *as, struct dma_seg *seg, void *va, uint64_t iova, uint64_t len);
	int (*unmap)(struct sl_dma_as *as, uint64_t iova, uint64_t len);
};

static struct {
	pthread_mutex_t lock;
	struct sl_dma_as *as_list;
	unsigned nb_as;
	struct sl_dma_as *shared[4];
	struct dma_seg *segs;
	unsigned nb_segs;
	int iommufd;            /* /dev/iommu, shared by every iommufd IOAS */
	unsigned iommufd_users;
	uint32_t src_ioas;      /* source IOAS for COPY mode, 0 = none */
	enum sl_dma_iommufd_mode mode;
	struct sl_dma_stats st;
} g = {
	.lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP,
	.iommufd = -1,
	.mode = SL_DMA_IOMMUFD_AUTO,
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static const char *dev_root(void)
{
	/* Tests may point at a fake /dev; the real one otherwise. */
	const char *r = getenv("SL_DEV_ROOT");
	return r && *r ? r : "";
}

const char *sl_dma_backend_name(enum sl_dma_backend be)
{
	switch (be) {
	case SL_DMA_BACKEND_IOMMUFD: return "iommufd";
	case SL_DMA_BACKEND_TYPE1: return "type1";
	case SL_DMA_BACKEND_NOIOMMU: return "noiommu";
	default: return "none";
	}
}

enum sl_dma_backend sl_dma_backend_parse(const char *name)
{
	if (!name)
		return SL_DMA_BACKEND_NONE;
	if (!strcmp(name, "iommufd"))
		return SL_DMA_BACKEND_IOMMUFD;
	if (!strcmp(name, "type1"))
		return SL_DMA_BACKEND_TYPE1;
	if (!strcmp(name, "noiommu"))
		return SL_DMA_BACKEND_NOIOMMU;
	return SL_DMA_BACKEND_NONE;
}

/* ---- limits ------------------------------------------------------------ */

static bool have_cap_ipc_lock(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d) != 0)
		return false;
	return (d[CAP_IPC_LOCK / 32].effective >> (CAP_IPC_LOCK % 32)) & 1;
}

static int memlock_precheck(const char *who, uint64_t new_bytes)
{
	struct rlimit rl;
	char msg[640];
	uint64_t limit;

	if (new_bytes == 0)
		return 0;
	if (getrlimit(RLIMIT_MEMLOCK, &rl) != 0)
		return 0;
	limit = rl.rlim_cur == RLIM_INFINITY ? SL_RLIM_INFINITY : (uint64_t)rl.rlim_cur;
	if (sl_dma_memlock_check(sl_dma_read_locked_bytes("/proc/self/status"), new_bytes, limit,
				 have_cap_ipc_lock(), msg, sizeof(msg)) == 0)
		return 0;
	sl_log(SL_LOG_ERR, LOG_COMP, "%s: %s", who, msg);
	errno = ENOMEM;
	return -1;
}

/* ---- segments and chunks ------------------------------------------------ */

/* Chunk K of SEG: the whole segment when its IOVA is contiguous, else page K
 * (PA mode, IOVA per page). */
static void seg_chunk(const struct dma_seg *seg, unsigned k, void **va, uint64_t *iova, uint64_t *len)
{
	if (seg->iova != SL_BAD_IOVA) {
		*va = seg->va;
		*iova = seg->iova;
		*len = seg->len;
		return;
	}
	*va = (char *)seg->va + (size_t)k * seg->page_size;
	*iova = sl_mem_virt2iova(*va);
	*len = seg->page_size;
}

static struct as_mapping *as_find_map(struct sl_dma_as *as, uint64_t iova)
{
	struct as_mapping *m;
	for (m = as->maps; m; m = m->next)
		if (m->iova == iova)
			return m;
	return NULL;
}

static int as_record_map(struct sl_dma_as *as, struct dma_seg *seg, void *va, uint64_t iova,
			 uint64_t len)
{
	struct as_mapping *m = calloc(1, sizeof(*m));
	if (!m)
		return -1;
	m->seg = seg;
	m->va = va;
	m->iova = iova;
	m->len = len;
	m->next = as->maps;
	as->maps = m;
	as->nb_maps++;
	return 0;
}

/* Map [VA, VA+LEN) at IOVA in AS's backend and record the mapping (SEG: the
 * EAL segment it belongs to, NULL for one the application asked for); on
 * failure nothing of it stays mapped and errno says why. */
static int as_map_recorded(struct sl_dma_as *as, struct dma_seg *seg, void *va, uint64_t iova, uint64_t len)
{
	if (as->ops->map(as, seg, va, iova, len) != 0)
		return -1;
	if (as_record_map(as, seg, va, iova, len) != 0) {
		int saved = errno;
		as->ops->unmap(as, iova, len);
		errno = saved;
		return -1;
	}
	return 0;
}

/* Unmap and forget one recorded mapping. */
static int as_drop_map(struct sl_dma_as *as, struct as_mapping *victim)
{
	struct as_mapping **pp;
	int rc = 0;

	if (as->ops->unmap)
		rc = as->ops->unmap(as, victim->iova, victim->len);
	for (pp = &as->maps; *pp; pp = &(*pp)->next) {
		if (*pp == victim) {
			*pp = victim->next;
			as->nb_maps--;
			break;
		}
	}
	free(victim);
	return rc;
}

static bool as_has_seg(struct sl_dma_as *as, struct dma_seg *seg)
{
	struct as_mapping *m;
	for (m = as->maps; m; m = m->next)
		if (m->seg == seg)
			return true;
	return false;
}

/* Remove every chunk of SEG from AS. */
static int as_remove_seg(struct sl_dma_as *as, struct dma_seg *seg)
{
	struct as_mapping *m, *next;
	bool had = false;
	int rc = 0;

	for (m = as->maps; m; m = next) {
		next = m->next;
		if (m->seg == seg) {
			had = true;
			m->seg = NULL; /* pin_users handled below, once */
			if (as_drop_map(as, m) != 0)
				rc = -1;
		}
	}
	if (had && as->ops->be == SL_DMA_BACKEND_IOMMUFD && seg->pin_users > 0)
		seg->pin_users--;
	return rc;
}

/* The check every segment passes before it goes into AS. */
static int as_check_seg(struct sl_dma_as *as, struct dma_seg *seg)
{
	char msg[640], what[160];
	unsigned k;

	if (as->ops->be == SL_DMA_BACKEND_NOIOMMU) {
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
	for (k = 0; k < seg->nb_chunks; k++) {
		void *va;
		uint64_t iova, len;
		seg_chunk(seg, k, &va, &iova, &len);
		if (iova == SL_BAD_IOVA) {
			sl_log(SL_LOG_ERR, LOG_COMP, "%s: no IOVA known for packet memory at %p",
			       as->name, va);
			errno = EINVAL;
			return -1;
		}
		snprintf(what, sizeof(what), "%s: packet memory %p (%" PRIu64 " bytes)", as->name,
			 va, len);
		if (as->nb_ranges >= 0 &&
		    sl_iova_check(as->ranges, (unsigned)as->nb_ranges, iova, len, what, msg,
				  sizeof(msg)) != 0) {
			/* An IOVA is never moved once given out (mbufs hold it). */
			sl_log(SL_LOG_ERR, LOG_COMP, "%s%s", msg, iova == (uint64_t)(uintptr_t)va ?
			       "; this memory was reserved before any device showed which IOVAs "
			       "its IOMMU accepts, so its IOVA is its VA: open the devices first "
			       "(the EAL does, for those it probes, before it reserves -m memory) "
			       "or place memory lower with --base-virtaddr" : "");
			errno = ERANGE;
			return -1;
		}
		if (as->iova_align > 1 && ((iova | len) & (as->iova_align - 1))) {
			sl_log(SL_LOG_ERR, LOG_COMP,
			       "%s: IOVA 0x%" PRIx64 "/length 0x%" PRIx64 " not aligned to the "
			       "IOMMU's %" PRIu64 "-byte granule",
			       what, iova, len, as->iova_align);
			errno = EINVAL;
			return -1;
		}
	}
	return 0;
}

/* Put every chunk of SEG into AS (recorded); on failure nothing of SEG stays. */
static int as_add_seg(struct sl_dma_as *as, struct dma_seg *seg)
{
	unsigned k;

	if (as->ops->be == SL_DMA_BACKEND_NOIOMMU)
		return 0; /* nothing to map: the device sees physical addresses */
	for (k = 0; k < seg->nb_chunks; k++) {
		void *va;
		uint64_t iova, len;
		seg_chunk(seg, k, &va, &iova, &len);
		if (as_map_recorded(as, seg, va, iova, len) != 0)
			goto undo;
	}
	if (as->ops->be == SL_DMA_BACKEND_IOMMUFD)
		seg->pin_users++;
	return 0;
undo: {
		int saved = errno;
		struct as_mapping *m, *next;
		for (m = as->maps; m; m = next) {
			next = m->next;
			if (m->seg == seg) {
				m->seg = NULL;
				as_drop_map(as, m);
			}
		}
		errno = saved;
		return -1;
	}
}

/* Bytes that putting SEGS (all registered ones, or just ONE) into AS newly pins. */
static uint64_t as_new_pin_bytes(struct sl_dma_as *as, struct dma_seg *one)
{
	struct dma_seg *s;
	uint64_t bytes = 0;

	if (as->ops->be == SL_DMA_BACKEND_NOIOMMU)
		return 0;
	for (s = one ? one : g.segs; s; s = one ? NULL : s->next) {
		if (as_has_seg(as, s))
			continue; /* already here (a further device or group) */
		if (as->ops->be == SL_DMA_BACKEND_IOMMUFD && g.mode != SL_DMA_IOMMUFD_MAP_EACH &&
		    s->pin_users > 0)
			continue; /* already pinned through another IOAS: COPY shares it */
		bytes += s->len;
	}
	return bytes;
}

static unsigned as_new_entries(struct sl_dma_as *as, struct dma_seg *one)
{
	struct dma_seg *s;
	unsigned n = 0;

	for (s = one ? one : g.segs; s; s = one ? NULL : s->next)
		if (!as_has_seg(as, s))
			n += s->nb_chunks;
	return n;
}

static int type1_entry_precheck(struct sl_dma_as *as, unsigned new_entries)
{
	char msg[640];

	if (as->ops->be != SL_DMA_BACKEND_TYPE1)
		return 0;
	if (sl_dma_entry_check(as->nb_maps, new_entries, sl_dma_read_entry_limit(SL_DMA_ENTRY_LIMIT_PATH),
			       as->dma_avail, msg, sizeof(msg)) == 0)
		return 0;
	sl_log(SL_LOG_ERR, LOG_COMP, "%s: %s", as->name, msg);
	errno = ENOSPC;
	return -1;
}

/* Fill a freshly attached AS with every registered segment. */
static int as_populate(struct sl_dma_as *as)
{
	struct dma_seg *s, *t;

	for (s = g.segs; s; s = s->next)
		if (as_check_seg(as, s) != 0)
			return -1;
	if (memlock_precheck(as->name, as_new_pin_bytes(as, NULL)) != 0)
		return -1;
	if (type1_entry_precheck(as, as_new_entries(as, NULL)) != 0)
		return -1;
	for (s = g.segs; s; s = s->next) {
		if (as_has_seg(as, s))
			continue;
		if (as_add_seg(as, s) != 0) {
			int saved = errno;
			for (t = g.segs; t != s; t = t->next)
				as_remove_seg(as, t);
			errno = saved;
			return -1;
		}
	}
	return 0;
}

/* Unmap everything AS holds (last detach or destroy). */
static int as_unpopulate(struct sl_dma_as *as)
{
	int rc = 0;
	while (as->maps) {
		struct as_mapping *m = as->maps;
		struct dma_seg *seg = m->seg;
		if (seg) {
			if (as_remove_seg(as, seg) != 0)
				rc = -1;
		} else if (as_drop_map(as, m) != 0) {
			rc = -1;
		}
	}
	return rc;
}

/* ---- iommufd backend ---------------------------------------------------- */

static int iommufd_get(void)
{
	char path[256];

	if (g.iommufd >= 0) {
		g.iommufd_users++;
		return 0;
	}
	snprintf(path, sizeof(path), "%s/dev/iommu", dev_root());
	g.iommufd = open(path, O_RDWR | O_CLOEXEC);
	if (g.iommufd < 0) {
		int saved = errno;
		sl_log(SL_LOG_ERR, LOG_COMP,
		       "cannot open %s: %s (needs a kernel with CONFIG_IOMMUFD and root or access "
		       "to the node; use --vfio-backend type1 otherwise)",
		       path, strerror(saved));
		errno = saved;
		return -1;
	}
	g.iommufd_users = 1;
	return 0;
}

static void iommufd_put(void)
{
	if (g.iommufd < 0 || --g.iommufd_users > 0)
		return;
	if (g.src_ioas) {
		struct iommu_destroy d = { .size = sizeof(d), .id = g.src_ioas };
		struct dma_seg *s;
		if (ioctl(g.iommufd, IOMMU_DESTROY, &d) != 0)
			sl_log(SL_LOG_WARNING, LOG_COMP, "IOMMU_DESTROY of source IOAS %u: %s",
			       g.src_ioas, strerror(errno));
		g.src_ioas = 0;
		for (s = g.segs; s; s = s->next)
			s->in_source = false;
	}
	close(g.iommufd);
	g.iommufd = -1;
}

static int ioas_alloc(uint32_t *id)
{
	struct iommu_ioas_alloc a = { .size = sizeof(a) };
	if (ioctl(g.iommufd, IOMMU_IOAS_ALLOC, &a) != 0)
		return -1;
	*id = a.out_ioas_id;
	return 0;
}

static void ioas_destroy(uint32_t id)
{
	struct iommu_destroy d = { .size = sizeof(d), .id = id };
	if (ioctl(g.iommufd, IOMMU_DESTROY, &d) != 0)
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
	uint64_t t0 = now_ns();
	int rc = ioctl(g.iommufd, IOMMU_IOAS_MAP, &m);
	g.st.map_ns += now_ns() - t0;
	if (rc != 0)
		return -1;
	g.st.nb_ioas_map++;
	return 0;
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
	if (ioctl(g.iommufd, IOMMU_IOAS_UNMAP, &u) != 0) {
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
	g.st.nb_unmap++;
	return 0;
}

static int iommufd_create(struct sl_dma_as *as)
{
	if (iommufd_get() != 0)
		return -1;
	if (ioas_alloc(&as->ioas_id) != 0) {
		int saved = errno;
		char why[256];
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: IOMMU_IOAS_ALLOC: %s%s", as->name, strerror(saved),
		       sl_vfio_explain(SL_VFIO_OP_IOAS_ALLOC, saved, NULL, why, sizeof(why)));
		iommufd_put();
		errno = saved;
		return -1;
	}
	return 0;
}

static void iommufd_destroy(struct sl_dma_as *as)
{
	ioas_destroy(as->ioas_id);
	iommufd_put();
}

static int iommufd_attach(struct sl_dma_as *as, struct as_attached *a, bool first)
{
	struct vfio_device_bind_iommufd b = { .argsz = sizeof(b), .iommufd = g.iommufd };
	struct vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at), .pt_id = as->ioas_id };

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
		sl_log(as->shared && g.mode == SL_DMA_IOMMUFD_AUTO && sl_dma_attach_error_is_misfit(saved) ?
		       SL_LOG_NOTICE : SL_LOG_ERR,
		       LOG_COMP, "%s: VFIO_DEVICE_ATTACH_IOMMUFD_PT to %s (IOAS %u): %s%s", a->who,
		       as->name, as->ioas_id, strerror(saved),
		       sl_vfio_explain(SL_VFIO_OP_ATTACH_IOMMUFD_PT, saved, NULL, why, sizeof(why)));
		errno = saved;
		return -1; /* the bind goes away when the caller closes the device fd */
	}
	return 0;
}

static void iommufd_detach(struct sl_dma_as *as, struct as_attached *a, bool last)
{
	struct vfio_device_detach_iommufd_pt d = { .argsz = sizeof(d) };
	(void)last;
	if (ioctl(a->fd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &d) != 0)
		sl_log(SL_LOG_WARNING, LOG_COMP, "%s: VFIO_DEVICE_DETACH_IOMMUFD_PT from IOAS %u: %s",
		       a->who, as->ioas_id, strerror(errno));
}

static int iommufd_query_ranges(struct sl_dma_as *as)
{
	struct iommu_iova_range r[SL_DMA_MAX_IOVA_RANGES];
	struct iommu_ioas_iova_ranges q = {
		.size = sizeof(q),
		.ioas_id = as->ioas_id,
		.num_iovas = SL_DMA_MAX_IOVA_RANGES,
		.allowed_iovas = (uintptr_t)r,
	};
	struct sl_iova_range tmp[SL_DMA_MAX_IOVA_RANGES];
	unsigned i, n;

	if (ioctl(g.iommufd, IOMMU_IOAS_IOVA_RANGES, &q) != 0) {
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

static int iommufd_map(struct sl_dma_as *as, struct dma_seg *seg, void *va, uint64_t iova,
		       uint64_t len)
{
	int saved;

	/* Every mode but MAP_EACH fills IOAS by COPY from the one source IOAS,
	 * so all of them share one set of pinned pages. */
	if (seg && g.mode != SL_DMA_IOMMUFD_MAP_EACH) {
		struct iommu_ioas_copy c = {
			.size = sizeof(c),
			.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
				 IOMMU_IOAS_MAP_WRITEABLE,
			.dst_ioas_id = as->ioas_id,
			.length = len,
			.dst_iova = iova,
			.src_iova = iova,
		};
		if (!g.src_ioas && ioas_alloc(&g.src_ioas) != 0) {
			saved = errno;
			sl_log(SL_LOG_ERR, LOG_COMP, "source IOAS: IOMMU_IOAS_ALLOC: %s", strerror(saved));
			g.src_ioas = 0;
			errno = saved;
			return -1;
		}
		/* The source IOAS has no device, so this pins nothing yet; the
		 * first COPY into an attached IOAS pins, later ones share. */
		if (!seg->in_source) {
			unsigned k;
			for (k = 0; k < seg->nb_chunks; k++) {
				void *cva;
				uint64_t ciova, clen;
				seg_chunk(seg, k, &cva, &ciova, &clen);
				if (ioas_map(g.src_ioas, cva, ciova, clen) != 0) {
					char why[512];
					saved = errno;
					sl_log(SL_LOG_ERR, LOG_COMP,
					       "source IOAS: IOMMU_IOAS_MAP %p iova 0x%" PRIx64 ": %s%s",
					       cva, ciova, strerror(saved),
					       sl_vfio_explain(SL_VFIO_OP_IOAS_MAP, saved, NULL, why,
							       sizeof(why)));
					while (k-- > 0) {
						seg_chunk(seg, k, &cva, &ciova, &clen);
						ioas_unmap(g.src_ioas, ciova, clen);
					}
					errno = saved;
					return -1;
				}
			}
			seg->in_source = true;
		}
		c.src_ioas_id = g.src_ioas;
		uint64_t t0 = now_ns();
		int rc = ioctl(g.iommufd, IOMMU_IOAS_COPY, &c);
		g.st.map_ns += now_ns() - t0;
		if (rc != 0) {
			char why[512];
			saved = errno;
			sl_log(SL_LOG_ERR, LOG_COMP, "%s: IOMMU_IOAS_COPY iova 0x%" PRIx64 " len 0x%"
			       PRIx64 " from source IOAS %u: %s%s", as->name, iova, len, g.src_ioas,
			       strerror(saved), sl_vfio_explain(SL_VFIO_OP_IOAS_COPY, saved, NULL, why,
								sizeof(why)));
			errno = saved;
			return -1;
		}
		g.st.nb_ioas_copy++;
		return 0;
	}
	if (ioas_map(as->ioas_id, va, iova, len) != 0) {
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

static int iommufd_unmap(struct sl_dma_as *as, uint64_t iova, uint64_t len)
{
	return ioas_unmap(as->ioas_id, iova, len);
}

static const struct as_ops iommufd_ops = {
	.be = SL_DMA_BACKEND_IOMMUFD,
	.create = iommufd_create,
	.destroy = iommufd_destroy,
	.attach = iommufd_attach,
	.detach = iommufd_detach,
	.query_ranges = iommufd_query_ranges,
	.map = iommufd_map,
	.unmap = iommufd_unmap,
};

/* ---- type1 and no-IOMMU containers -------------------------------------- */

static int container_create(struct sl_dma_as *as)
{
	char path[256];
	long ext = as->ops->be == SL_DMA_BACKEND_NOIOMMU ? VFIO_NOIOMMU_IOMMU : VFIO_TYPE1v2_IOMMU;
	int fd, saved;

	snprintf(path, sizeof(path), "%s/dev/vfio/vfio", dev_root());
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
	as->container_fd = fd;
	return 0;
}

static void container_destroy(struct sl_dma_as *as)
{
	if (as->container_fd >= 0)
		close(as->container_fd);
	as->container_fd = -1;
}

static int container_attach(struct sl_dma_as *as, struct as_attached *a, bool first)
{
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
	prm.noiommu = as->ops->be == SL_DMA_BACKEND_NOIOMMU;
	if (ioctl(a->fd, VFIO_GROUP_SET_CONTAINER, &as->container_fd) != 0) {
		saved = errno;
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: VFIO_GROUP_SET_CONTAINER: %s%s", a->who, strerror(saved),
		       sl_vfio_explain(SL_VFIO_OP_GROUP_SET_CONTAINER, saved, &prm, why, sizeof(why)));
		errno = saved;
		return -1;
	}
	if (first && !as->iommu_set) {
		long type = as->ops->be == SL_DMA_BACKEND_NOIOMMU ? VFIO_NOIOMMU_IOMMU : VFIO_TYPE1v2_IOMMU;
		if (ioctl(as->container_fd, VFIO_SET_IOMMU, type) != 0) {
			saved = errno;
			sl_log(SL_LOG_ERR, LOG_COMP, "%s: VFIO_SET_IOMMU(%s): %s%s", a->who,
			       sl_dma_backend_name(as->ops->be), strerror(saved),
			       sl_vfio_explain(SL_VFIO_OP_SET_IOMMU, saved, &prm, why, sizeof(why)));
			ioctl(a->fd, VFIO_GROUP_UNSET_CONTAINER);
			errno = saved;
			return -1;
		}
		as->iommu_set = true;
	}
	return 0;
}

static void container_detach(struct sl_dma_as *as, struct as_attached *a, bool last)
{
	if (ioctl(a->fd, VFIO_GROUP_UNSET_CONTAINER) != 0)
		sl_log(SL_LOG_WARNING, LOG_COMP, "%s: VFIO_GROUP_UNSET_CONTAINER: %s", a->who,
		       strerror(errno));
	if (last)
		as->iommu_set = false; /* the kernel drops the container's IOMMU with its last group */
}

static int type1_query_ranges(struct sl_dma_as *as)
{
	size_t sz = sizeof(struct vfio_iommu_type1_info);
	struct vfio_iommu_type1_info *info = NULL;
	struct sl_iova_range tmp[SL_DMA_MAX_IOVA_RANGES];
	unsigned n = 0;
	bool have_ranges = false;
	int tries;

	as->dma_avail = UINT32_MAX;
	for (tries = 0; tries < 3; tries++) {
		struct vfio_iommu_type1_info *bigger = realloc(info, sz);
		if (!bigger) {
			free(info);
			return -1;
		}
		info = bigger;
		memset(info, 0, sz);
		info->argsz = (uint32_t)sz;
		if (ioctl(as->container_fd, VFIO_IOMMU_GET_INFO, info) != 0) {
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
				struct vfio_iommu_type1_info_cap_iova_range *c = (void *)h;
				unsigned i;
				have_ranges = true;
				for (i = 0; i < c->nr_iovas && n < SL_DMA_MAX_IOVA_RANGES; i++) {
					tmp[n].start = c->iova_ranges[i].start;
					tmp[n].last = c->iova_ranges[i].end;
					n++;
				}
			} else if (h->id == VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL) {
				as->dma_avail = ((struct vfio_iommu_type1_info_dma_avail *)h)->avail;
			}
			off = h->next;
		}
	}
	free(info);
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

static int noiommu_query_ranges(struct sl_dma_as *as)
{
	/* No translation: any physical address is what the device sees. */
	as->ranges[0].start = 0;
	as->ranges[0].last = UINT64_MAX;
	as->nb_ranges = 1;
	as->iova_align = 1;
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
	uint64_t t0 = now_ns();
	int rc = ioctl(as->container_fd, VFIO_IOMMU_MAP_DMA, &m);
	g.st.map_ns += now_ns() - t0;
	if (rc != 0) {
		int saved = errno;
		char why[512];
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: VFIO_IOMMU_MAP_DMA %p len 0x%" PRIx64 " at iova 0x%"
		       PRIx64 ": %s%s", as->name, va, len, iova, strerror(saved),
		       sl_vfio_explain(SL_VFIO_OP_IOMMU_MAP_DMA, saved, NULL, why, sizeof(why)));
		errno = saved;
		return -1;
	}
	g.st.nb_type1_map++;
	return 0;
}

static int type1_unmap(struct sl_dma_as *as, uint64_t iova, uint64_t len)
{
	struct vfio_iommu_type1_dma_unmap u = { .argsz = sizeof(u), .iova = iova, .size = len };

	if (len == 0) {
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: zero-length unmap at 0x%" PRIx64 " refused", as->name,
		       iova);
		errno = EINVAL;
		return -1;
	}
	if (ioctl(as->container_fd, VFIO_IOMMU_UNMAP_DMA, &u) != 0) {
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
	g.st.nb_unmap++;
	return 0;
}

static const struct as_ops type1_ops = {
	.be = SL_DMA_BACKEND_TYPE1,
	.create = container_create,
	.destroy = container_destroy,
	.attach = container_attach,
	.detach = container_detach,
	.query_ranges = type1_query_ranges,
	.map = type1_map,
	.unmap = type1_unmap,
};

static const struct as_ops noiommu_ops = {
	.be = SL_DMA_BACKEND_NOIOMMU,
	.create = container_create,
	.destroy = container_destroy,
	.attach = container_attach,
	.detach = container_detach,
	.query_ranges = noiommu_query_ranges,
	.map = NULL,
	.unmap = NULL,
};

static const struct as_ops *ops_of(enum sl_dma_backend be)
{
	switch (be) {
	case SL_DMA_BACKEND_IOMMUFD: return &iommufd_ops;
	case SL_DMA_BACKEND_TYPE1: return &type1_ops;
	case SL_DMA_BACKEND_NOIOMMU: return &noiommu_ops;
	default: return NULL;
	}
}

/* ---- the EAL memory listener -------------------------------------------- */

static struct dma_seg *seg_find(const void *va)
{
	struct dma_seg *s;
	for (s = g.segs; s; s = s->next)
		if (s->va == va)
			return s;
	return NULL;
}

static void seg_unlink_free(struct dma_seg *seg)
{
	struct dma_seg **pp;
	for (pp = &g.segs; *pp; pp = &(*pp)->next) {
		if (*pp == seg) {
			*pp = seg->next;
			g.nb_segs--;
			g.st.segment_bytes -= seg->len;
			break;
		}
	}
	free(seg);
}

/* Remove SEG from every address space and the source IOAS. */
static int seg_remove_everywhere(struct dma_seg *seg)
{
	struct sl_dma_as *as;
	int rc = 0;

	for (as = g.as_list; as; as = as->next)
		if (as_remove_seg(as, seg) != 0)
			rc = -1;
	if (seg->in_source && g.src_ioas) {
		unsigned k;
		for (k = 0; k < seg->nb_chunks; k++) {
			void *va;
			uint64_t iova, len;
			seg_chunk(seg, k, &va, &iova, &len);
			if (ioas_unmap(g.src_ioas, iova, len) != 0)
				rc = -1;
		}
		seg->in_source = false;
	}
	return rc;
}

static int mem_event(enum sl_mem_event ev, const struct sl_memseg *ms, void *arg)
{
	struct sl_dma_as *as;
	struct dma_seg *seg;
	int rc = 0;

	(void)arg;
	pthread_mutex_lock(&g.lock);
	if (ev == SL_MEM_EVENT_ADD) {
		seg = calloc(1, sizeof(*seg));
		if (!seg) {
			pthread_mutex_unlock(&g.lock);
			return -1;
		}
		seg->va = ms->va;
		seg->iova = ms->iova;
		seg->len = ms->len;
		seg->page_size = ms->page_size ? ms->page_size : 4096;
		seg->nb_chunks = ms->iova != SL_BAD_IOVA ? 1 : (unsigned)(ms->len / seg->page_size);
		seg->next = g.segs;
		g.segs = seg;
		g.nb_segs++;
		g.st.segment_bytes += seg->len;
		/* Into every address space that already has devices. */
		for (as = g.as_list; as; as = as->next) {
			if (as->nb_att == 0)
				continue;
			if (as_check_seg(as, seg) != 0 ||
			    memlock_precheck(as->name, as_new_pin_bytes(as, seg)) != 0 ||
			    type1_entry_precheck(as, seg->nb_chunks) != 0 || as_add_seg(as, seg) != 0) {
				int saved = errno;
				seg_remove_everywhere(seg);
				seg_unlink_free(seg);
				errno = saved;
				rc = -1;
				break;
			}
		}
		if (rc == 0)
			sl_log(SL_LOG_DEBUG, LOG_COMP, "segment %p len %" PRIu64 " iova 0x%" PRIx64
			       " registered", ms->va, (uint64_t)ms->len, ms->iova);
	} else if (ev == SL_MEM_EVENT_REMOVE) {
		seg = seg_find(ms->va);
		if (seg) {
			rc = seg_remove_everywhere(seg);
			seg_unlink_free(seg);
		}
	}
	pthread_mutex_unlock(&g.lock);
	return rc;
}

/* ---- choosing IOVAs for new segments ------------------------------------ */

/* Allocated IOVAs go from 4 GiB up where they can: x86 reserved windows
 * (MSI, RMRRs) sit below 4 GiB, so memory there is least likely to clash
 * with a device attached later. Never below 1 MiB (IOVA 0 looks unset). */
#define IOVA_FLOOR_PREFERRED (UINT64_C(1) << 32)
#define IOVA_FLOOR_LOWEST (UINT64_C(1) << 20)

struct busy_list {
	struct sl_iova_busy *v;
	unsigned n, cap;
};

static int busy_add(struct busy_list *b, uint64_t start, uint64_t len)
{
	if (b->n == b->cap) {
		unsigned cap = b->cap ? b->cap * 2 : 32;
		struct sl_iova_busy *v = realloc(b->v, cap * sizeof(*v));
		if (!v)
			return -1;
		b->v = v;
		b->cap = cap;
	}
	b->v[b->n].start = start;
	b->v[b->n].len = len;
	b->n++;
	return 0;
}

static int busy_add_seg(const struct sl_memseg *ms, void *arg)
{
	if (ms->iova == SL_BAD_IOVA)
		return 0; /* PA mode: the chooser is not used there */
	return busy_add(arg, ms->iova, ms->len);
}

/* The EAL's IOVA chooser (see sl_mem_set_iova_chooser): IOVA = VA when
 * that lies in the usable ranges of every address space with devices and
 * is not taken, else the lowest free IOVA there (from 4 GiB up if possible),
 * aligned to the page size. Runs under the EAL memory lock. */
static uint64_t choose_iova(const void *va, size_t len, size_t page_size, void *arg)
{
	struct sl_iova_range use[SL_DMA_MAX_IOVA_RANGES], tmp[SL_DMA_MAX_IOVA_RANGES];
	unsigned nuse = 1;
	struct busy_list busy = {0};
	uint64_t align = page_size > 4096 ? page_size : 4096;
	uint64_t iova = SL_BAD_IOVA;
	bool known = false;
	struct sl_dma_as *as;
	char ranges[256];
	int saved = 0;

	(void)arg;
	/* every registered segment's IOVA is taken (the EAL lock is held) */
	if (sl_memseg_walk(busy_add_seg, &busy) != 0)
		goto nomem;
	pthread_mutex_lock(&g.lock);
	use[0].start = 0;
	use[0].last = UINT64_MAX;
	for (as = g.as_list; as; as = as->next) {
		struct as_mapping *m;
		for (m = as->maps; m; m = m->next)
			if (!m->seg && busy_add(&busy, m->iova, m->len) != 0) {
				pthread_mutex_unlock(&g.lock);
				goto nomem;
			}
		if (as->nb_att == 0 || as->nb_ranges < 0 || as->ops->be == SL_DMA_BACKEND_NOIOMMU)
			continue;
		nuse = sl_iova_ranges_intersect(use, nuse, as->ranges,
						(unsigned)as->nb_ranges < SL_DMA_MAX_IOVA_RANGES ?
						(unsigned)as->nb_ranges : SL_DMA_MAX_IOVA_RANGES,
						tmp, SL_DMA_MAX_IOVA_RANGES);
		if (nuse > SL_DMA_MAX_IOVA_RANGES)
			nuse = SL_DMA_MAX_IOVA_RANGES;
		memcpy(use, tmp, nuse * sizeof(use[0]));
		if (as->iova_align > align)
			align = as->iova_align;
		known = true;
	}
	iova = sl_iova_choose(use, nuse, busy.v, busy.n, (uint64_t)(uintptr_t)va, len, align,
			      IOVA_FLOOR_PREFERRED);
	if (iova == SL_IOVA_NONE)
		iova = sl_iova_choose(use, nuse, busy.v, busy.n, (uint64_t)(uintptr_t)va, len, align,
				      IOVA_FLOOR_LOWEST);
	if (iova == SL_IOVA_NONE) {
		sl_iova_ranges_format(use, nuse, ranges, sizeof(ranges));
		sl_log(SL_LOG_ERR, LOG_COMP, "no free IOVA for %zu bytes of packet memory at %p: "
		       "every device's IOMMU accepts only %s%s, and %u segments/mappings already "
		       "take IOVAs there; use less memory (-m) or fewer mappings", len, va, ranges,
		       known ? "" : " (no device attached yet)", busy.n);
		saved = ENOSPC;
		iova = SL_BAD_IOVA;
	} else if (iova != (uint64_t)(uintptr_t)va) {
		sl_iova_ranges_format(use, nuse, ranges, sizeof(ranges));
		sl_log(SL_LOG_INFO, LOG_COMP, "packet memory at %p (%zu bytes): VA %s, so it gets "
		       "IOVA 0x%" PRIx64 " (usable IOVA ranges %s)", va, len,
		       sl_iova_ranges_fit(use, nuse, (uint64_t)(uintptr_t)va, len) ?
		       "is already taken as an IOVA" : "lies outside what the IOMMUs accept",
		       iova, ranges);
	}
	pthread_mutex_unlock(&g.lock);
	free(busy.v);
	errno = saved;
	return iova;
nomem:
	free(busy.v);
	sl_log(SL_LOG_ERR, LOG_COMP, "out of memory choosing an IOVA for %p", va);
	errno = ENOMEM;
	return SL_BAD_IOVA;
}

/* The listener lives while any address-space reference does. It is
 * registered and unregistered without g.lock held: the EAL calls mem_event
 * with its memory lock held and mem_event takes g.lock, so the only lock
 * order is listen_lock -> EAL memory lock -> g.lock. */
static pthread_mutex_t listen_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned listen_refs;

static void forget_segments(void)
{
	pthread_mutex_lock(&g.lock);
	while (g.segs)
		seg_unlink_free(g.segs);
	pthread_mutex_unlock(&g.lock);
}

static int listen_get(void)
{
	int rc = 0;

	pthread_mutex_lock(&listen_lock);
	/* From now on new segments get IOVAs the address spaces accept. The
	 * chooser stays installed (until sl_eal_cleanup) so that IOVAs chosen
	 * earlier are never handed out twice. */
	if (sl_mem_set_iova_chooser(choose_iova, NULL) != 0)
		sl_log(SL_LOG_WARNING, LOG_COMP, "another IOVA chooser is installed; new memory keeps "
		       "the IOVAs it gives");
	/* registration replays ADD for every existing segment into mem_event */
	if (listen_refs == 0 && sl_mem_event_register("dma_map", mem_event, NULL) != 0) {
		int saved = errno;
		forget_segments();
		sl_log(SL_LOG_ERR, LOG_COMP, "cannot listen to the EAL memory registry: %s",
		       strerror(saved));
		errno = saved;
		rc = -1;
	}
	if (rc == 0)
		listen_refs++;
	pthread_mutex_unlock(&listen_lock);
	return rc;
}

static void listen_put(void)
{
	pthread_mutex_lock(&listen_lock);
	if (listen_refs > 0 && --listen_refs == 0) {
		sl_mem_event_unregister("dma_map", NULL);
		forget_segments();
	}
	pthread_mutex_unlock(&listen_lock);
}

/* ---- public address-space API ------------------------------------------ */

static struct sl_dma_as *as_create_locked(enum sl_dma_backend be, const char *name, bool shared)
{
	const struct as_ops *ops = ops_of(be);
	struct sl_dma_as *as;

	if (!ops) {
		sl_log(SL_LOG_ERR, LOG_COMP, "unknown DMA backend %d", (int)be);
		errno = EINVAL;
		return NULL;
	}
	as = calloc(1, sizeof(*as));
	if (!as)
		return NULL;
	as->ops = ops;
	as->refcnt = 1;
	as->shared = shared;
	as->container_fd = -1;
	as->nb_ranges = -1;
	as->dma_avail = UINT32_MAX;
	snprintf(as->name, sizeof(as->name), "%s", name ? name : sl_dma_backend_name(be));
	if (ops->create(as) != 0) {
		int saved = errno;
		free(as);
		errno = saved;
		return NULL;
	}
	as->next = g.as_list;
	g.as_list = as;
	g.nb_as++;
	sl_log(SL_LOG_DEBUG, LOG_COMP, "address space %s created (%s)", as->name,
	       sl_dma_backend_name(be));
	return as;
}

struct sl_dma_as *sl_dma_as_create(enum sl_dma_backend be, const char *name)
{
	struct sl_dma_as *as;
	int saved;

	if (listen_get() != 0)
		return NULL;
	pthread_mutex_lock(&g.lock);
	as = as_create_locked(be, name, false);
	saved = errno;
	pthread_mutex_unlock(&g.lock);
	if (!as) {
		listen_put();
		errno = saved;
	}
	return as;
}

struct sl_dma_as *sl_dma_as_get_shared(enum sl_dma_backend be)
{
	struct sl_dma_as *as = NULL;
	char name[64];
	int saved;

	if ((unsigned)be >= SL_DIM(g.shared) || be == SL_DMA_BACKEND_NONE) {
		errno = EINVAL;
		return NULL;
	}
	if (listen_get() != 0)
		return NULL;
	pthread_mutex_lock(&g.lock);
	if (g.shared[be]) {
		as = g.shared[be];
		as->refcnt++;
	} else {
		snprintf(name, sizeof(name), "%s-shared", sl_dma_backend_name(be));
		as = as_create_locked(be, name, true);
		g.shared[be] = as;
	}
	saved = errno;
	pthread_mutex_unlock(&g.lock);
	if (!as) {
		listen_put();
		errno = saved;
	}
	return as;
}

void sl_dma_as_put(struct sl_dma_as *as)
{
	struct sl_dma_as **pp;

	if (!as)
		return;
	pthread_mutex_lock(&g.lock);
	if (--as->refcnt > 0) {
		pthread_mutex_unlock(&g.lock);
		listen_put();
		return;
	}
	if (as->nb_att)
		sl_log(SL_LOG_WARNING, LOG_COMP, "%s released with %u device(s) still attached",
		       as->name, as->nb_att);
	as_unpopulate(as);
	while (as->att) {
		struct as_attached *a = as->att;
		as->ops->detach(as, a, a->next == NULL);
		as->att = a->next;
		free(a);
	}
	as->nb_att = 0;
	as->ops->destroy(as);
	for (pp = &g.as_list; *pp; pp = &(*pp)->next) {
		if (*pp == as) {
			*pp = as->next;
			break;
		}
	}
	if (as->shared && g.shared[as->ops->be] == as)
		g.shared[as->ops->be] = NULL;
	g.nb_as--;
	free(as);
	pthread_mutex_unlock(&g.lock);
	listen_put();
}

bool sl_dma_as_is_shared(const struct sl_dma_as *as)
{
	return as && as->shared;
}

enum sl_dma_backend sl_dma_as_backend(const struct sl_dma_as *as)
{
	return as ? as->ops->be : SL_DMA_BACKEND_NONE;
}

const char *sl_dma_as_name(const struct sl_dma_as *as)
{
	return as ? as->name : "(none)";
}

unsigned sl_dma_as_nb_attached(const struct sl_dma_as *as)
{
	return as ? as->nb_att : 0;
}

int sl_dma_as_attach(struct sl_dma_as *as, int fd, const char *who)
{
	struct as_attached *a;
	char ranges[256];
	bool first;
	int saved;

	if (!as || fd < 0) {
		errno = EINVAL;
		return -1;
	}
	a = calloc(1, sizeof(*a));
	if (!a)
		return -1;
	a->fd = fd;
	snprintf(a->who, sizeof(a->who), "%s", who ? who : "device");
	pthread_mutex_lock(&g.lock);
	first = as->nb_att == 0;
	if (as->ops->attach(as, a, first) != 0)
		goto fail;
	if (as->ops->query_ranges(as) != 0)
		goto fail_detach;
	sl_iova_ranges_format(as->ranges, (unsigned)as->nb_ranges, ranges, sizeof(ranges));
	sl_log(SL_LOG_INFO, LOG_COMP, "%s attached to %s (%s); usable IOVA ranges %s", a->who,
	       as->name, sl_dma_backend_name(as->ops->be), ranges);
	/* Existing mappings must still fit the (possibly narrower) ranges. */
	if (!first) {
		struct as_mapping *m;
		char msg[640];
		for (m = as->maps; m; m = m->next) {
			if (sl_iova_check(as->ranges, (unsigned)as->nb_ranges, m->iova, m->len,
					  as->name, msg, sizeof(msg)) != 0) {
				sl_log(SL_LOG_ERR, LOG_COMP, "after attaching %s: %s", a->who, msg);
				errno = ERANGE;
				goto fail_detach;
			}
		}
	}
	as->nb_att++;
	a->next = as->att;
	as->att = a;
	if (as_populate(as) != 0) {
		saved = errno;
		as->att = a->next;
		as->nb_att--;
		errno = saved;
		goto fail_detach;
	}
	pthread_mutex_unlock(&g.lock);
	return 0;

fail_detach:
	saved = errno;
	if (first)
		as_unpopulate(as);
	as->ops->detach(as, a, first);
	if (first) /* back to unknown: the ranges belonged to the failed device */
		as->nb_ranges = -1;
	else
		as->ops->query_ranges(as);
	errno = saved;
fail:
	saved = errno;
	pthread_mutex_unlock(&g.lock);
	free(a);
	errno = saved;
	return -1;
}

bool sl_dma_attach_error_is_misfit(int err)
{
	return err == EADDRINUSE || err == EINVAL || err == ERANGE;
}

int sl_dma_as_detach(struct sl_dma_as *as, int fd)
{
	struct as_attached **pp, *a = NULL;
	bool last;
	int rc = 0;

	if (!as) {
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&g.lock);
	for (pp = &as->att; *pp; pp = &(*pp)->next) {
		if ((*pp)->fd == fd) {
			a = *pp;
			*pp = a->next;
			break;
		}
	}
	if (!a) {
		pthread_mutex_unlock(&g.lock);
		errno = ENOENT;
		return -1;
	}
	as->nb_att--;
	last = as->nb_att == 0;
	/* A container forgets its mappings with its last group: unmap (and
	 * check) them first. An IOAS without devices keeps nothing pinned. */
	if (last && as_unpopulate(as) != 0)
		rc = -1;
	as->ops->detach(as, a, last);
	if (last)
		as->nb_ranges = -1;
	else if (as->ops->query_ranges(as) != 0)
		rc = -1;
	sl_log(SL_LOG_DEBUG, LOG_COMP, "%s detached from %s", a->who, as->name);
	free(a);
	pthread_mutex_unlock(&g.lock);
	return rc;
}

int sl_dma_as_iova_ranges(const struct sl_dma_as *as, struct sl_iova_range *out, unsigned max)
{
	int n;
	if (!as) {
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&g.lock);
	n = as->nb_ranges;
	if (n > 0 && out)
		memcpy(out, as->ranges, ((unsigned)n < max ? (unsigned)n : max) * sizeof(*out));
	pthread_mutex_unlock(&g.lock);
	return n;
}

int sl_dma_as_map(struct sl_dma_as *as, void *va, uint64_t iova, size_t len)
{
	char msg[640], what[128];
	int saved;

	if (!as || !va || len == 0) {
		sl_log(SL_LOG_ERR, LOG_COMP, "sl_dma_as_map: %s", len == 0 ? "zero length refused" :
		       "no address space or buffer");
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&g.lock);
	if (as->ops->be == SL_DMA_BACKEND_NOIOMMU) {
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: no-IOMMU has no IOVA mappings (IOVA = physical "
		       "address)", as->name);
		errno = EOPNOTSUPP;
		goto fail;
	}
	if (as->nb_att == 0 && as->ops->be != SL_DMA_BACKEND_IOMMUFD) {
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: attach a group before mapping (a container has no "
		       "IOMMU until then)", as->name);
		errno = ENODEV;
		goto fail;
	}
	/* An IOAS with no device takes any IOVA (the kernel knows no ranges
	 * yet); a device whose reserved ranges clash with it is then refused
	 * at attach, by the kernel. */
	snprintf(what, sizeof(what), "%s: mapping of %p", as->name, va);
	if (as->nb_ranges >= 0 &&
	    sl_iova_check(as->ranges, (unsigned)as->nb_ranges, iova, len, what, msg, sizeof(msg))) {
		sl_log(SL_LOG_ERR, LOG_COMP, "%s", msg);
		errno = ERANGE;
		goto fail;
	}
	if (as->iova_align > 1 && ((iova | len | (uintptr_t)va) & (as->iova_align - 1))) {
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: va %p iova 0x%" PRIx64 " len 0x%zx must be aligned to "
		       "%" PRIu64 " bytes", as->name, va, iova, len, as->iova_align);
		errno = EINVAL;
		goto fail;
	}
	if (memlock_precheck(as->name, len) != 0 || type1_entry_precheck(as, 1) != 0)
		goto fail;
	if (as_map_recorded(as, NULL, va, iova, len) != 0)
		goto fail;
	pthread_mutex_unlock(&g.lock);
	return 0;
fail:
	saved = errno;
	pthread_mutex_unlock(&g.lock);
	errno = saved;
	return -1;
}

int sl_dma_as_unmap(struct sl_dma_as *as, uint64_t iova, size_t len)
{
	struct as_mapping *m;
	int rc, saved;

	if (!as) {
		errno = EINVAL;
		return -1;
	}
	if (len == 0) {
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: zero-length unmap at 0x%" PRIx64 " refused",
		       as->name, iova);
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&g.lock);
	m = as_find_map(as, iova);
	if (!m || m->seg || m->len != len) {
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: no mapping of exactly 0x%zx bytes at iova 0x%" PRIx64
		       "%s", as->name, len, iova, m && m->seg ? " (packet memory is unmapped by the "
		       "EAL registry, not by hand)" : "");
		pthread_mutex_unlock(&g.lock);
		errno = ENOENT;
		return -1;
	}
	rc = as_drop_map(as, m);
	saved = errno;
	pthread_mutex_unlock(&g.lock);
	errno = saved;
	return rc;
}

int sl_dma_set_iommufd_mode(enum sl_dma_iommufd_mode mode)
{
	int rc = 0;
	pthread_mutex_lock(&g.lock);
	if (g.iommufd >= 0 && g.mode != mode) {
		errno = EBUSY;
		rc = -1;
	} else {
		g.mode = mode;
	}
	pthread_mutex_unlock(&g.lock);
	return rc;
}

enum sl_dma_iommufd_mode sl_dma_get_iommufd_mode(void)
{
	return g.mode;
}

struct sl_dma_as *sl_dma_as_for_device(enum sl_dma_backend be, const char *name)
{
	if (be == SL_DMA_BACKEND_IOMMUFD && g.mode != SL_DMA_IOMMUFD_SHARED_IOAS &&
	    g.mode != SL_DMA_IOMMUFD_AUTO)
		return sl_dma_as_create(be, name);
	return sl_dma_as_get_shared(be);
}

void sl_dma_get_stats(struct sl_dma_stats *st)
{
	pthread_mutex_lock(&g.lock);
	*st = g.st;
	st->nb_segments = g.nb_segs;
	st->nb_as = g.nb_as;
	pthread_mutex_unlock(&g.lock);
}

void sl_dma_map_dump(void)
{
	struct sl_dma_as *as;
	struct dma_seg *s;
	char ranges[256];

	pthread_mutex_lock(&g.lock);
	sl_log(SL_LOG_INFO, LOG_COMP, "%u segment(s), %" PRIu64 " bytes; %u address space(s); "
	       "iommufd mode %s", g.nb_segs, g.st.segment_bytes, g.nb_as,
	       g.mode == SL_DMA_IOMMUFD_COPY ? "copy" :
	       g.mode == SL_DMA_IOMMUFD_MAP_EACH ? "map-each" :
	       g.mode == SL_DMA_IOMMUFD_AUTO ? "auto" : "shared-ioas");
	for (s = g.segs; s; s = s->next)
		sl_log(SL_LOG_INFO, LOG_COMP, "  segment %p len %" PRIu64 " iova 0x%" PRIx64
		       " page %zu%s", s->va, s->len, s->iova, s->page_size,
		       s->in_source ? " (in source IOAS)" : "");
	for (as = g.as_list; as; as = as->next) {
		if (as->nb_ranges >= 0)
			sl_iova_ranges_format(as->ranges, (unsigned)as->nb_ranges, ranges, sizeof(ranges));
		else
			snprintf(ranges, sizeof(ranges), "(unknown)");
		sl_log(SL_LOG_INFO, LOG_COMP, "  %s: %s, %u attached, %u mapping(s), ranges %s",
		       as->name, sl_dma_backend_name(as->ops->be), as->nb_att, as->nb_maps, ranges);
	}
	pthread_mutex_unlock(&g.lock);
}
