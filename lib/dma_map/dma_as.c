/* dma_as.c: the IO address-space object and its public API (sl_dma_map.h):
 * create, share, reference, attach and detach devices or groups, explicit
 * map and unmap, ranges, statistics and the dump. It holds dma_map's one
 * lock and the list of address spaces, and reaches a backend only through
 * its ops table (dma_map_internal.h), listed in sl_dma_backends[] below. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dma_map_internal.h"
#include "sl_dma_map.h"
#include "sl_eal.h"

/* The backends. Adding one: its file, its enum value, one line here. */
const struct sl_dma_as_ops *const sl_dma_backends[] = {
	[SL_DMA_BACKEND_IOMMUFD] = &sl_dma_iommufd_ops,
	[SL_DMA_BACKEND_TYPE1] = &sl_dma_type1_ops,
	[SL_DMA_BACKEND_NOIOMMU] = &sl_dma_noiommu_ops,
	[SL_DMA_BACKEND_NOIOMMU_CDEV] = &sl_dma_noiommu_cdev_ops,
};
const unsigned sl_dma_nb_backends = SL_DIM(sl_dma_backends);

struct dma_state sl_dma_g = {
	.lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP,
};

/* The process-wide shared address space of each backend. */
static struct sl_dma_as *shared_as[SL_DIM(sl_dma_backends)];

uint64_t sl_dma_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

const char *sl_dma_dev_root(void)
{
	/* Tests may point at a fake /dev; the real one otherwise. */
	const char *r = getenv("SL_DEV_ROOT");
	return r && *r ? r : "";
}

static const struct sl_dma_as_ops *ops_of(enum sl_dma_backend be)
{
	return (unsigned)be < sl_dma_nb_backends ? sl_dma_backends[be] : NULL;
}

const char *sl_dma_backend_name(enum sl_dma_backend be)
{
	const struct sl_dma_as_ops *ops = ops_of(be);
	return ops ? ops->name : "none";
}

enum sl_dma_backend sl_dma_backend_parse(const char *name)
{
	unsigned i;

	if (!name)
		return SL_DMA_BACKEND_NONE;
	for (i = 0; i < sl_dma_nb_backends; i++)
		if (sl_dma_backends[i] && !strcmp(name, sl_dma_backends[i]->name))
			return sl_dma_backends[i]->be;
	return SL_DMA_BACKEND_NONE;
}

/* ---- create, share, release --------------------------------------------- */

static struct sl_dma_as *as_create_locked(enum sl_dma_backend be, const char *name, bool shared)
{
	const struct sl_dma_as_ops *ops = ops_of(be);
	struct sl_dma_as *as;

	if (!ops) {
		sl_log(SL_LOG_ERR, LOG_COMP, "unknown DMA backend %d", (int)be);
		errno = EINVAL;
		return NULL;
	}
	as = calloc(1, ops->as_size);
	if (!as)
		return NULL;
	as->ops = ops;
	as->refcnt = 1;
	as->shared = shared;
	as->nb_ranges = -1;
	snprintf(as->name, sizeof(as->name), "%s", name ? name : ops->name);
	if (ops->create(as) != 0) {
		int saved = errno;
		free(as);
		errno = saved;
		return NULL;
	}
	as->next = sl_dma_g.as_list;
	sl_dma_g.as_list = as;
	sl_dma_g.nb_as++;
	sl_log(SL_LOG_DEBUG, LOG_COMP, "address space %s created (%s)", as->name, ops->name);
	return as;
}

struct sl_dma_as *sl_dma_as_create(enum sl_dma_backend be, const char *name)
{
	struct sl_dma_as *as;
	int saved;

	if (sl_dma_listen_get() != 0)
		return NULL;
	pthread_mutex_lock(&sl_dma_g.lock);
	as = as_create_locked(be, name, false);
	saved = errno;
	pthread_mutex_unlock(&sl_dma_g.lock);
	if (!as) {
		sl_dma_listen_put();
		errno = saved;
	}
	return as;
}

struct sl_dma_as *sl_dma_as_get_shared(enum sl_dma_backend be)
{
	struct sl_dma_as *as = NULL;
	char name[64];
	int saved;

	if (!ops_of(be)) {
		errno = EINVAL;
		return NULL;
	}
	if (sl_dma_listen_get() != 0)
		return NULL;
	pthread_mutex_lock(&sl_dma_g.lock);
	if (shared_as[be]) {
		as = shared_as[be];
		as->refcnt++;
	} else {
		snprintf(name, sizeof(name), "%s-shared", sl_dma_backend_name(be));
		as = as_create_locked(be, name, true);
		shared_as[be] = as;
	}
	saved = errno;
	pthread_mutex_unlock(&sl_dma_g.lock);
	if (!as) {
		sl_dma_listen_put();
		errno = saved;
	}
	return as;
}

void sl_dma_as_put(struct sl_dma_as *as)
{
	struct sl_dma_as **pp;

	if (!as)
		return;
	pthread_mutex_lock(&sl_dma_g.lock);
	if (--as->refcnt > 0) {
		pthread_mutex_unlock(&sl_dma_g.lock);
		sl_dma_listen_put();
		return;
	}
	if (as->nb_att)
		sl_log(SL_LOG_WARNING, LOG_COMP, "%s released with %u device(s) still attached",
		       as->name, as->nb_att);
	sl_dma_as_unpopulate(as);
	while (as->att) {
		struct as_attached *a = as->att;
		as->ops->detach(as, a, a->next == NULL);
		as->att = a->next;
		free(a);
	}
	as->nb_att = 0;
	as->ops->destroy(as);
	for (pp = &sl_dma_g.as_list; *pp; pp = &(*pp)->next) {
		if (*pp == as) {
			*pp = as->next;
			break;
		}
	}
	if (as->shared && shared_as[as->ops->be] == as)
		shared_as[as->ops->be] = NULL;
	sl_dma_g.nb_as--;
	free(as);
	pthread_mutex_unlock(&sl_dma_g.lock);
	sl_dma_listen_put();
}

struct sl_dma_as *sl_dma_as_for_device(enum sl_dma_backend be, const char *name)
{
	const struct sl_dma_as_ops *ops = ops_of(be);

	if (ops && ops->per_device_as && ops->per_device_as())
		return sl_dma_as_create(be, name);
	return sl_dma_as_get_shared(be);
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

/* ---- attach and detach -------------------------------------------------- */

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
	pthread_mutex_lock(&sl_dma_g.lock);
	first = as->nb_att == 0;
	if (as->ops->attach(as, a, first) != 0)
		goto fail;
	if (as->ops->query_ranges(as) != 0)
		goto fail_detach;
	sl_iova_ranges_format(as->ranges, (unsigned)as->nb_ranges, ranges, sizeof(ranges));
	sl_log(SL_LOG_INFO, LOG_COMP, "%s attached to %s (%s); usable IOVA ranges %s", a->who,
	       as->name, as->ops->name, ranges);
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
	if (sl_dma_as_populate(as) != 0) {
		saved = errno;
		as->att = a->next;
		as->nb_att--;
		errno = saved;
		goto fail_detach;
	}
	pthread_mutex_unlock(&sl_dma_g.lock);
	return 0;

fail_detach:
	saved = errno;
	if (first)
		sl_dma_as_unpopulate(as);
	as->ops->detach(as, a, first);
	if (first) /* back to unknown: the ranges belonged to the failed device */
		as->nb_ranges = -1;
	else
		as->ops->query_ranges(as);
	errno = saved;
fail:
	saved = errno;
	pthread_mutex_unlock(&sl_dma_g.lock);
	free(a);
	errno = saved;
	return -1;
}

int sl_dma_as_device_opened(struct sl_dma_as *as, const char *who)
{
	struct sl_iova_range old[SL_DMA_MAX_IOVA_RANGES];
	struct as_mapping *m;
	char before[256], after[256], msg[640];
	int nold, rc = 0;

	if (!as) {
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&sl_dma_g.lock);
	if (as->nb_att == 0 || !as->ops->map) {
		pthread_mutex_unlock(&sl_dma_g.lock);
		return 0;
	}
	nold = as->nb_ranges;
	if (nold > 0)
		memcpy(old, as->ranges, (size_t)nold * sizeof(old[0]));
	if (as->ops->query_ranges(as) != 0) {
		rc = -1;
		goto out;
	}
	if (nold == as->nb_ranges && !memcmp(old, as->ranges, (size_t)nold * sizeof(old[0])))
		goto out;
	if (nold > 0)
		sl_iova_ranges_format(old, (unsigned)nold, before, sizeof(before));
	else
		snprintf(before, sizeof(before), "(unknown)");
	sl_iova_ranges_format(as->ranges, (unsigned)as->nb_ranges, after, sizeof(after));
	sl_log(SL_LOG_INFO, LOG_COMP, "%s: usable IOVA ranges of %s are %s now that %s is open "
	       "(were %s)", as->name, as->name, after, who ? who : "a device", before);
	for (m = as->maps; m; m = m->next) {
		if (sl_iova_check(as->ranges, (unsigned)as->nb_ranges, m->iova, m->len, as->name, msg,
				  sizeof(msg)) != 0) {
			sl_log(SL_LOG_ERR, LOG_COMP, "after opening %s: %s", who ? who : "a device", msg);
			errno = ERANGE;
			rc = -1;
			break;
		}
	}
out:
	{
		int saved = errno;
		pthread_mutex_unlock(&sl_dma_g.lock);
		errno = saved;
	}
	return rc;
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
	pthread_mutex_lock(&sl_dma_g.lock);
	for (pp = &as->att; *pp; pp = &(*pp)->next) {
		if ((*pp)->fd == fd) {
			a = *pp;
			*pp = a->next;
			break;
		}
	}
	if (!a) {
		pthread_mutex_unlock(&sl_dma_g.lock);
		errno = ENOENT;
		return -1;
	}
	as->nb_att--;
	last = as->nb_att == 0;
	/* A container forgets its mappings with its last group: unmap (and
	 * check) them first. An IOAS without devices keeps nothing pinned. */
	if (last && sl_dma_as_unpopulate(as) != 0)
		rc = -1;
	as->ops->detach(as, a, last);
	if (last)
		as->nb_ranges = -1;
	else if (as->ops->query_ranges(as) != 0)
		rc = -1;
	sl_log(SL_LOG_DEBUG, LOG_COMP, "%s detached from %s", a->who, as->name);
	free(a);
	pthread_mutex_unlock(&sl_dma_g.lock);
	return rc;
}

int sl_dma_as_iova_ranges(const struct sl_dma_as *as, struct sl_iova_range *out, unsigned max)
{
	int n;
	if (!as) {
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&sl_dma_g.lock);
	n = as->nb_ranges;
	if (n > 0 && out)
		memcpy(out, as->ranges, ((unsigned)n < max ? (unsigned)n : max) * sizeof(*out));
	pthread_mutex_unlock(&sl_dma_g.lock);
	return n;
}

/* ---- explicit mappings -------------------------------------------------- */

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
	pthread_mutex_lock(&sl_dma_g.lock);
	if (!as->ops->map || as->ops->iova_is_pa) {
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: no-IOMMU has no IOVA mappings (IOVA = physical "
		       "address)", as->name);
		errno = EOPNOTSUPP;
		goto fail;
	}
	if (as->nb_att == 0 && as->ops->map_needs_attach) {
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
	if (sl_dma_memlock_precheck(as->name, len) != 0 || sl_dma_as_entry_precheck(as, 1) != 0)
		goto fail;
	if (sl_dma_as_map_recorded(as, NULL, va, iova, len) != 0)
		goto fail;
	pthread_mutex_unlock(&sl_dma_g.lock);
	return 0;
fail:
	saved = errno;
	pthread_mutex_unlock(&sl_dma_g.lock);
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
	pthread_mutex_lock(&sl_dma_g.lock);
	m = sl_dma_as_find_map(as, iova);
	if (!m || m->seg || m->len != len) {
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: no mapping of exactly 0x%zx bytes at iova 0x%" PRIx64
		       "%s", as->name, len, iova, m && m->seg ? " (packet memory is unmapped by the "
		       "EAL registry, not by hand)" : "");
		pthread_mutex_unlock(&sl_dma_g.lock);
		errno = ENOENT;
		return -1;
	}
	rc = sl_dma_as_drop_map(as, m);
	saved = errno;
	pthread_mutex_unlock(&sl_dma_g.lock);
	errno = saved;
	return rc;
}

/* ---- statistics and the dump -------------------------------------------- */

void sl_dma_get_stats(struct sl_dma_stats *st)
{
	pthread_mutex_lock(&sl_dma_g.lock);
	*st = sl_dma_g.st;
	st->nb_segments = sl_dma_g.nb_segs;
	st->nb_as = sl_dma_g.nb_as;
	pthread_mutex_unlock(&sl_dma_g.lock);
}

static const char *iommufd_mode_name(enum sl_dma_iommufd_mode mode)
{
	return mode == SL_DMA_IOMMUFD_COPY ? "copy" :
	       mode == SL_DMA_IOMMUFD_MAP_EACH ? "map-each" :
	       mode == SL_DMA_IOMMUFD_AUTO ? "auto" : "shared-ioas";
}

void sl_dma_map_dump(void)
{
	struct sl_dma_as *as;
	struct dma_seg *s;
	char ranges[256];

	pthread_mutex_lock(&sl_dma_g.lock);
	sl_log(SL_LOG_INFO, LOG_COMP, "%u segment(s), %" PRIu64 " bytes; %u address space(s); "
	       "iommufd mode %s", sl_dma_g.nb_segs, sl_dma_g.st.segment_bytes, sl_dma_g.nb_as,
	       iommufd_mode_name(sl_dma_get_iommufd_mode()));
	for (s = sl_dma_g.segs; s; s = s->next)
		sl_log(SL_LOG_INFO, LOG_COMP, "  segment %p len %" PRIu64 " iova 0x%" PRIx64
		       " page %zu%s", s->va, s->len, s->iova, s->page_size,
		       s->in_source ? " (in source IOAS)" : "");
	for (as = sl_dma_g.as_list; as; as = as->next) {
		if (as->nb_ranges >= 0)
			sl_iova_ranges_format(as->ranges, (unsigned)as->nb_ranges, ranges, sizeof(ranges));
		else
			snprintf(ranges, sizeof(ranges), "(unknown)");
		sl_log(SL_LOG_INFO, LOG_COMP, "  %s: %s, %u attached, %u mapping(s), ranges %s",
		       as->name, as->ops->name, as->nb_att, as->nb_maps, ranges);
	}
	pthread_mutex_unlock(&sl_dma_g.lock);
}
