/* dma_map_internal.h: the pieces of dma_map that need no kernel (IOVA range
 * arithmetic, RLIMIT_MEMLOCK and type1 entry-limit checks and their
 * messages), shared by dma_map.c and the host unit tests. Not installed. */
#ifndef SL_DMA_MAP_INTERNAL_H
#define SL_DMA_MAP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sl_dma_map.h"

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

#endif /* SL_DMA_MAP_INTERNAL_H */
