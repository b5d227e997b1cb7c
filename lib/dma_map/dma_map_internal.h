/* dma_map_internal.h: what the files of lib/dma_map share and nothing else
 * sees: the common address-space object, the per-backend ops table, the
 * process-wide state, and the pieces that need no kernel (IOVA range
 * arithmetic, the IOVA allocator, RLIMIT_MEMLOCK and type1 entry-limit
 * checks and their messages) that the host unit tests call too. Not
 * installed. */
#ifndef SL_DMA_MAP_INTERNAL_H
#define SL_DMA_MAP_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sl_dma_map.h"
#include "sl_eal.h"

#define LOG_COMP "dma_map"

/* ---- IOVA ranges ------------------------------------------------------- */

/* Sort by start and merge overlapping or adjacent ranges; drops ranges with
 * last < start. Returns the new count. */
unsigned sl_iova_ranges_normalize(struct sl_iova_range *r, unsigned n);

/* The IOVAs usable in both A and B (both normalized). Writes at most MAX
 * ranges to OUT; returns the number of ranges of the intersection. */
unsigned sl_iova_ranges_intersect(const struct sl_iova_range *a, unsigned na,
				  const struct sl_iova_range *b, unsigned nb,
				  struct sl_iova_range *out, unsigned max);

/* True when [IOVA, IOVA+LEN) lies inside one range. LEN 0 never fits. */
bool sl_iova_ranges_fit(const struct sl_iova_range *r, unsigned n, uint64_t iova, uint64_t len);

/* True when [A, A+ALEN) and [B, B+BLEN) share an address. */
bool sl_iova_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen);

/* An IOVA for LEN bytes that lies inside one of the usable ranges R
 * (normalized) and overlaps none of the NBUSY intervals BUSY (start and
 * length, in any order). PREFER is returned when it qualifies (it must be
 * a multiple of ALIGN); otherwise the lowest multiple of ALIGN (a power of
 * two) at or above FLOOR that does. SL_IOVA_NONE when there is none. */
#define SL_IOVA_NONE UINT64_MAX
struct sl_iova_busy {
	uint64_t start;
	uint64_t len;
};
uint64_t sl_iova_choose(const struct sl_iova_range *r, unsigned nr,
			const struct sl_iova_busy *busy, unsigned nbusy, uint64_t prefer,
			uint64_t len, uint64_t align, uint64_t floor);

/* "0-0xfedfffff, 0xfef00000-0xffffffffffff" into BUF. */
void sl_iova_ranges_format(const struct sl_iova_range *r, unsigned n, char *buf, size_t len);

/* 0 when [IOVA, IOVA+LEN) fits; else -1 and a message in MSG saying what
 * was refused, which usable ranges there are and which hole it hits. */
int sl_iova_check(const struct sl_iova_range *r, unsigned n, uint64_t iova, uint64_t len,
		  const char *what, char *msg, size_t msglen);

/* ---- limits ------------------------------------------------------------ */

#define SL_RLIM_INFINITY UINT64_MAX

/* Pinning NEW_BYTES more when LOCKED_BYTES are already locked/pinned by the
 * process, under a RLIMIT_MEMLOCK of LIMIT_BYTES (SL_RLIM_INFINITY for
 * unlimited). A process with CAP_IPC_LOCK is never limited. 0 when it
 * fits, else -1 with a message giving the amount needed and how to raise
 * the limit. */
int sl_dma_memlock_check(uint64_t locked_bytes, uint64_t new_bytes, uint64_t limit_bytes,
			 bool cap_ipc_lock, char *msg, size_t msglen);

#define SL_DMA_LIMIT_UNKNOWN UINT64_MAX

/* A type1 container holding IN_USE DMA mappings that needs NEW more under
 * vfio_iommu_type1's dma_entry_limit LIMIT (SL_DMA_LIMIT_UNKNOWN: only
 * AVAIL is used). AVAIL is the kernel's VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL (UINT32_MAX
 * when not reported). 0 when it fits, else -1 with a message. */
int sl_dma_entry_check(uint64_t in_use, uint64_t new_entries, uint64_t limit, uint64_t avail,
		       char *msg, size_t msglen);

/* Bytes locked or pinned by this process (VmLck + VmPin of STATUS_PATH,
 * normally /proc/self/status); 0 when unreadable. */
uint64_t sl_dma_read_locked_bytes(const char *status_path);
/* One "VmXxx:" field of a /proc/<pid>/status file in bytes; -1 if absent. */
int64_t sl_dma_read_status_field(const char *status_path, const char *field);
/* dma_entry_limit from PATH (normally
 * /sys/module/vfio_iommu_type1/parameters/dma_entry_limit);
 * SL_DMA_LIMIT_UNKNOWN if unreadable. */
uint64_t sl_dma_read_entry_limit(const char *path);

#define SL_DMA_ENTRY_LIMIT_PATH "/sys/module/vfio_iommu_type1/parameters/dma_entry_limit"

/* ---- the address-space object (dma_as.c) -------------------------------- */

/* A registered packet-memory segment (a copy of the EAL's view). The list
 * belongs to mem_listener.c. */
struct dma_seg {
	struct dma_seg *next;
	void *va;
	uint64_t iova;       /* SL_BAD_IOVA: map page by page (PA mode) */
	uint64_t len;
	size_t page_size;
	unsigned nb_chunks;  /* 1, or len / page_size when iova is per page */
	int fd;              /* the EAL's backing fd (hugetlbfs, memfd), -1 for anonymous */
	uint64_t fd_offset;  /* offset of va in it */
	/* iommufd.c's account of the segment (the source IOAS is per process,
	 * so this is per segment, not per address space): */
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

/* One device (iommufd) or group (containers) attached to an address space. */
struct as_attached {
	struct as_attached *next;
	int fd;
	uint32_t devid;      /* iommufd device id */
	char who[64];
};

struct sl_dma_as_ops;

/* What every backend's address space has. A backend embeds it as the first
 * member of its own struct (struct iommufd_as in iommufd.c, struct
 * container_as in vfio_container.c) and gets back with container_of. */
struct sl_dma_as {
	struct sl_dma_as *next;
	const struct sl_dma_as_ops *ops;
	char name[64];
	unsigned refcnt;
	bool shared;
	struct as_attached *att;
	unsigned nb_att;
	int nb_ranges;       /* -1 until read from the kernel */
	struct sl_iova_range ranges[SL_DMA_MAX_IOVA_RANGES];
	uint64_t iova_align;
	struct as_mapping *maps;
	unsigned nb_maps;
};

#define sl_dma_container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/* One per backend: everything that differs between an iommufd IOAS, a type1
 * container and a no-IOMMU container. Common code calls these and never
 * asks which backend it has. Optional entries may be NULL. Adding a backend
 * is one file that defines one of these and one entry in sl_dma_backends[]
 * (dma_as.c). Called with sl_dma_g.lock held (per_device_as reads only
 * a mode fixed while the backend has address spaces, and is not). */
struct sl_dma_as_ops {
	enum sl_dma_backend be;
	const char *name;    /* "iommufd", "type1", ...: logs and option values */
	size_t as_size;      /* size of the backend's struct embedding sl_dma_as */
	/* sl_dma_as_map needs a device or group attached first (a container
	 * has no IOMMU until then; an IOAS takes mappings right away) */
	bool map_needs_attach;
	/* the device sees physical addresses: the IOVAs are the EAL's PAs (PA
	 * mode), so sl_dma_as_map (an IOVA of the caller's choice) is refused */
	bool iova_is_pa;
	/* AS is zeroed but for its common fields; open what the backend needs */
	int (*create)(struct sl_dma_as *as);
	void (*destroy)(struct sl_dma_as *as);
	/* kernel attach of a device (iommufd) or group (containers) */
	int (*attach)(struct sl_dma_as *as, struct as_attached *a, bool first);
	void (*detach)(struct sl_dma_as *as, struct as_attached *a, bool last);
	/* read as->ranges, as->nb_ranges, as->iova_align from the kernel */
	int (*query_ranges)(struct sl_dma_as *as);
	/* 0 when SEG may go into AS (ranges, alignment, IOVA mode); else -1,
	 * errno and a logged reason */
	int (*check_seg)(struct sl_dma_as *as, struct dma_seg *seg);
	/* put one chunk of memory into the address space; SEG may be NULL.
	 * NULL (and unmap NULL): no translation, nothing is ever mapped
	 * (no-IOMMU) */
	int (*map)(struct sl_dma_as *as, struct dma_seg *seg, void *va, uint64_t iova, uint64_t len);
	int (*unmap)(struct sl_dma_as *as, void *va, uint64_t iova, uint64_t len);
	/* optional: every chunk of SEG went into AS / came out of it again */
	void (*seg_added)(struct sl_dma_as *as, struct dma_seg *seg);
	void (*seg_removed)(struct sl_dma_as *as, struct dma_seg *seg);
	/* optional: true when putting SEG into AS pins nothing new (its pages
	 * are pinned already and shared) */
	bool (*seg_pinned)(struct sl_dma_as *as, struct dma_seg *seg);
	/* optional: -1 with errno and a logged reason when NEW more mappings
	 * would exceed the backend's limit on their number */
	int (*entry_precheck)(struct sl_dma_as *as, unsigned new_entries);
	/* optional: SEG left the EAL registry; drop what the backend keeps of
	 * it outside any address space (iommufd: the source IOAS). Called for
	 * every backend in sl_dma_backends[] */
	int (*seg_forget)(struct dma_seg *seg);
	/* optional: true when each device should get an address space of its
	 * own rather than the shared one (sl_dma_as_for_device) */
	bool (*per_device_as)(void);
	/* optional: bytes AS has pinned that /proc/self/status shows twice,
	 * in VmPin and VmLck (iommufd's compat container charges both), so
	 * the RLIMIT_MEMLOCK pre-check does not count them twice */
	uint64_t (*charged_twice)(struct sl_dma_as *as);
};

extern const struct sl_dma_as_ops sl_dma_iommufd_ops;   /* iommufd.c */
extern const struct sl_dma_as_ops sl_dma_type1_ops;     /* vfio_container.c */
extern const struct sl_dma_as_ops sl_dma_noiommu_ops;   /* vfio_container.c */
extern const struct sl_dma_as_ops sl_dma_noiommu_cdev_ops; /* noiommu_cdev.c */

/* iommufd.c: the process's one /dev/iommu fd, shared by the iommufd and
 * noiommu-cdev backends (under sl_dma_g.lock). get: 0 and a reference, or
 * -1 with errno and a logged reason; fd: the fd while referenced. */
int sl_dma_iommufd_get(void);
void sl_dma_iommufd_put(void);
int sl_dma_iommufd_fd(void);
/* Map [VA, VA+LEN) at IOVA into IOAS: by file (IOMMU_IOAS_MAP_FILE, FD at
 * FD_OFF) where the kernel has it and FD >= 0, else by address. 0 or -1
 * with errno (the caller logs). */
int sl_dma_ioas_map_chunk(uint32_t ioas, int fd, uint64_t fd_off, void *va, uint64_t iova,
			  uint64_t len);
/* Detach the device cdev of attachment A from the IOAS IOAS_ID it was
 * attached to (VFIO_DEVICE_DETACH_IOMMUFD_PT); a refusal is logged as a
 * warning (the device fd's close undoes the bind anyway). */
void sl_dma_cdev_detach(const struct as_attached *a, uint32_t ioas_id);

/* noiommu_cdev.c: the EAL's PA source in PA mode (sl_mem_set_pa_source),
 * installed with the memory listener: while a noiommu-cdev address space
 * has a device, new memory is pinned into its IOAS and its physical
 * addresses come from IOMMU_IOAS_NOIOMMU_GET_PA (no pagemap). */
int sl_dma_noiommu_cdev_pa_source(const struct sl_memseg *seg, uint64_t *pas, void *arg);
void sl_dma_noiommu_cdev_pa_release(void *va, size_t len, void *arg);

/* The physical address of one page through a GET_PA-like call, and the
 * contiguity check: GET_PA(iova, in/out len, out pa, ctx) as the kernel's
 * IOMMU_IOAS_NOIOMMU_GET_PA (0 or -1 with errno). The page at IOVA of
 * PAGE_SIZE bytes must be physically contiguous (a buffer anywhere in it
 * may span it); EXPECT is the PA the EAL already has for it (SL_BAD_IOVA
 * when none) and must agree. 0 with *PA, or -1 with errno (EIO: not
 * contiguous, EILSEQ: disagrees) and the reason in MSG. Pure; unit tested
 * with a fake. */
typedef int (*sl_get_pa_fn)(uint64_t iova, uint64_t *len, uint64_t *pa, void *ctx);
int sl_dma_page_pa(sl_get_pa_fn get_pa, void *ctx, uint64_t iova, uint64_t page_size,
		   uint64_t expect, uint64_t *pa, char *msg, size_t msglen);

/* Every backend, indexed by enum sl_dma_backend (NULL for NONE). */
extern const struct sl_dma_as_ops *const sl_dma_backends[];
extern const unsigned sl_dma_nb_backends;

/* Process-wide state of dma_map (defined in dma_as.c). */
struct dma_state {
	pthread_mutex_t lock;   /* recursive; after the EAL memory lock */
	struct sl_dma_as *as_list;
	unsigned nb_as;
	struct dma_seg *segs;   /* mem_listener.c */
	unsigned nb_segs;
	struct sl_dma_stats st;
};
extern struct dma_state sl_dma_g;

uint64_t sl_dma_now_ns(void);
/* Root of /dev (SL_DEV_ROOT for tests, else ""). */
const char *sl_dma_dev_root(void);

/* ---- what an address space holds (as_maps.c) ---------------------------- */

/* Chunk K of SEG: the whole segment when its IOVA is contiguous, else page K
 * (PA mode, IOVA per page). */
void sl_dma_seg_chunk(const struct dma_seg *seg, unsigned k, void **va, uint64_t *iova,
		      uint64_t *len);
struct as_mapping *sl_dma_as_find_map(struct sl_dma_as *as, uint64_t iova);
/* Map in AS's backend and record; on failure nothing stays mapped. */
int sl_dma_as_map_recorded(struct sl_dma_as *as, struct dma_seg *seg, void *va, uint64_t iova,
			   uint64_t len);
/* Unmap and forget one recorded mapping. */
int sl_dma_as_drop_map(struct sl_dma_as *as, struct as_mapping *victim);
/* The range and alignment check of an address space that translates
 * (the check_seg of iommufd and type1). */
int sl_dma_as_check_seg_ranges(struct sl_dma_as *as, struct dma_seg *seg);
/* Put every chunk of SEG into AS / take it out again. */
int sl_dma_as_add_seg(struct sl_dma_as *as, struct dma_seg *seg);
int sl_dma_as_remove_seg(struct sl_dma_as *as, struct dma_seg *seg);
/* Fill a freshly attached AS with every registered segment; unmap all. */
int sl_dma_as_populate(struct sl_dma_as *as);
int sl_dma_as_unpopulate(struct sl_dma_as *as);
/* The checks before pinning: RLIMIT_MEMLOCK for NEW_BYTES more, and the
 * backend's entry limit. -1 with errno and a logged reason. */
int sl_dma_memlock_precheck(const char *who, uint64_t new_bytes);
uint64_t sl_dma_as_new_pin_bytes(struct sl_dma_as *as, struct dma_seg *one);
int sl_dma_as_entry_precheck(struct sl_dma_as *as, unsigned new_entries);

/* ---- the EAL memory listener (mem_listener.c) ---------------------------- */

/* Listen to the EAL memory registry while any address space lives (one
 * reference per address-space reference). Called without sl_dma_g.lock. */
int sl_dma_listen_get(void);
void sl_dma_listen_put(void);

/* ---- the IOVA chooser (iova_alloc.c) ------------------------------------- */

/* The chooser dma_map installs in the EAL (sl_mem_set_iova_chooser). */
uint64_t sl_dma_choose_iova(const void *va, size_t len, size_t page_size, void *arg);

#endif /* SL_DMA_MAP_INTERNAL_H */
