/* as_maps.c: what one address space holds and the checks before anything
 * goes into it: the record of its mappings, putting a packet-memory segment
 * in (chunk by chunk, undone on failure) and taking it out, filling it at
 * its first attach and emptying it at its last detach, and the IOVA range,
 * alignment, RLIMIT_MEMLOCK and entry-limit checks made before pinning.
 * Backend work goes through as->ops; callers hold sl_dma_g.lock. */
#include <errno.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "dma_map_internal.h"
#include "sl_eal.h"

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

int sl_dma_memlock_precheck(const char *who, uint64_t new_bytes)
{
	struct rlimit rl;
	char msg[640];
	uint64_t limit;

	if (new_bytes == 0)
		return 0;
	if (getrlimit(RLIMIT_MEMLOCK, &rl) != 0)
		return 0;
	limit = rl.rlim_cur == RLIM_INFINITY ? SL_RLIM_INFINITY : (uint64_t)rl.rlim_cur;
	uint64_t locked = sl_dma_read_locked_bytes("/proc/self/status"), twice = 0;
	for (struct sl_dma_as *as = sl_dma_g.as_list; as; as = as->next)
		if (as->ops->charged_twice)
			twice += as->ops->charged_twice(as);
	locked = locked > twice ? locked - twice : 0;
	if (sl_dma_memlock_check(locked, new_bytes, limit,
				 have_cap_ipc_lock(), msg, sizeof(msg)) == 0)
		return 0;
	sl_log(SL_LOG_ERR, LOG_COMP, "%s: %s", who, msg);
	errno = ENOMEM;
	return -1;
}

int sl_dma_as_entry_precheck(struct sl_dma_as *as, unsigned new_entries)
{
	return as->ops->entry_precheck ? as->ops->entry_precheck(as, new_entries) : 0;
}

/* ---- segments and chunks ------------------------------------------------ */

void sl_dma_seg_chunk(const struct dma_seg *seg, unsigned k, void **va, uint64_t *iova,
		      uint64_t *len)
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

struct as_mapping *sl_dma_as_find_map(struct sl_dma_as *as, uint64_t iova)
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
int sl_dma_as_map_recorded(struct sl_dma_as *as, struct dma_seg *seg, void *va, uint64_t iova,
			   uint64_t len)
{
	if (as->ops->map(as, seg, va, iova, len) != 0)
		return -1;
	if (as_record_map(as, seg, va, iova, len) != 0) {
		int saved = errno;
		as->ops->unmap(as, va, iova, len);
		errno = saved;
		return -1;
	}
	return 0;
}

int sl_dma_as_drop_map(struct sl_dma_as *as, struct as_mapping *victim)
{
	struct as_mapping **pp;
	int rc = 0;

	if (as->ops->unmap)
		rc = as->ops->unmap(as, victim->va, victim->iova, victim->len);
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

int sl_dma_as_remove_seg(struct sl_dma_as *as, struct dma_seg *seg)
{
	struct as_mapping *m, *next;
	bool had = false;
	int rc = 0;

	for (m = as->maps; m; m = next) {
		next = m->next;
		if (m->seg == seg) {
			had = true;
			m->seg = NULL; /* the backend's account is updated below, once */
			if (sl_dma_as_drop_map(as, m) != 0)
				rc = -1;
		}
	}
	if (had && as->ops->seg_removed)
		as->ops->seg_removed(as, seg);
	return rc;
}

int sl_dma_as_check_seg_ranges(struct sl_dma_as *as, struct dma_seg *seg)
{
	char msg[640], what[160];
	unsigned k;

	for (k = 0; k < seg->nb_chunks; k++) {
		void *va;
		uint64_t iova, len;
		sl_dma_seg_chunk(seg, k, &va, &iova, &len);
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

int sl_dma_as_add_seg(struct sl_dma_as *as, struct dma_seg *seg)
{
	unsigned k;

	if (!as->ops->map)
		return 0; /* nothing to map: the device sees physical addresses */
	for (k = 0; k < seg->nb_chunks; k++) {
		void *va;
		uint64_t iova, len;
		sl_dma_seg_chunk(seg, k, &va, &iova, &len);
		if (sl_dma_as_map_recorded(as, seg, va, iova, len) != 0)
			goto undo;
	}
	if (as->ops->seg_added)
		as->ops->seg_added(as, seg);
	return 0;
undo: {
		int saved = errno;
		struct as_mapping *m, *next;
		for (m = as->maps; m; m = next) {
			next = m->next;
			if (m->seg == seg) {
				m->seg = NULL;
				sl_dma_as_drop_map(as, m);
			}
		}
		errno = saved;
		return -1;
	}
}

/* Bytes that putting SEGS (all registered ones, or just ONE) into AS newly pins. */
uint64_t sl_dma_as_new_pin_bytes(struct sl_dma_as *as, struct dma_seg *one)
{
	struct dma_seg *s;
	uint64_t bytes = 0;

	if (!as->ops->map)
		return 0; /* nothing is mapped, so nothing is pinned */
	for (s = one ? one : sl_dma_g.segs; s; s = one ? NULL : s->next) {
		if (as_has_seg(as, s))
			continue; /* already here (a further device or group) */
		if (as->ops->seg_pinned && as->ops->seg_pinned(as, s))
			continue; /* already pinned elsewhere and shared (iommufd COPY) */
		bytes += s->len;
	}
	return bytes;
}

static unsigned as_new_entries(struct sl_dma_as *as, struct dma_seg *one)
{
	struct dma_seg *s;
	unsigned n = 0;

	for (s = one ? one : sl_dma_g.segs; s; s = one ? NULL : s->next)
		if (!as_has_seg(as, s))
			n += s->nb_chunks;
	return n;
}

int sl_dma_as_populate(struct sl_dma_as *as)
{
	struct dma_seg *s, *t;

	for (s = sl_dma_g.segs; s; s = s->next)
		if (as->ops->check_seg(as, s) != 0)
			return -1;
	if (sl_dma_memlock_precheck(as->name, sl_dma_as_new_pin_bytes(as, NULL)) != 0)
		return -1;
	if (sl_dma_as_entry_precheck(as, as_new_entries(as, NULL)) != 0)
		return -1;
	for (s = sl_dma_g.segs; s; s = s->next) {
		if (as_has_seg(as, s))
			continue;
		if (sl_dma_as_add_seg(as, s) != 0) {
			int saved = errno;
			for (t = sl_dma_g.segs; t != s; t = t->next)
				sl_dma_as_remove_seg(as, t);
			errno = saved;
			return -1;
		}
	}
	return 0;
}

int sl_dma_as_unpopulate(struct sl_dma_as *as)
{
	int rc = 0;
	while (as->maps) {
		struct as_mapping *m = as->maps;
		struct dma_seg *seg = m->seg;
		if (seg) {
			if (sl_dma_as_remove_seg(as, seg) != 0)
				rc = -1;
		} else if (sl_dma_as_drop_map(as, m) != 0) {
			rc = -1;
		}
	}
	return rc;
}
