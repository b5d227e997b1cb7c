/* mem_listener.c: the EAL memory listener. dma_map's own list of packet-
 * memory segments, kept in step with the EAL registry: a segment the EAL
 * adds goes into every address space that has a device (or the EAL's
 * reservation fails and it is in none), a segment it removes is taken out of
 * all of them first. The listener (and the IOVA chooser) is installed while
 * any address-space reference lives. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "dma_map_internal.h"
#include "sl_eal.h"

static struct dma_seg *seg_find(const void *va)
{
	struct dma_seg *s;
	for (s = sl_dma_g.segs; s; s = s->next)
		if (s->va == va)
			return s;
	return NULL;
}

static void seg_unlink_free(struct dma_seg *seg)
{
	struct dma_seg **pp;
	for (pp = &sl_dma_g.segs; *pp; pp = &(*pp)->next) {
		if (*pp == seg) {
			*pp = seg->next;
			sl_dma_g.nb_segs--;
			sl_dma_g.st.segment_bytes -= seg->len;
			break;
		}
	}
	free(seg);
}

/* Remove SEG from every address space and from what the backends keep of
 * it outside them (the iommufd source IOAS). */
static int seg_remove_everywhere(struct dma_seg *seg)
{
	struct sl_dma_as *as;
	unsigned i;
	int rc = 0;

	for (as = sl_dma_g.as_list; as; as = as->next)
		if (sl_dma_as_remove_seg(as, seg) != 0)
			rc = -1;
	for (i = 0; i < sl_dma_nb_backends; i++)
		if (sl_dma_backends[i] && sl_dma_backends[i]->seg_forget &&
		    sl_dma_backends[i]->seg_forget(seg) != 0)
			rc = -1;
	return rc;
}

/* Put a new segment into AS (which has a device): every check, then the map. */
static int seg_add_to(struct sl_dma_as *as, struct dma_seg *seg)
{
	if (as->ops->check_seg(as, seg) != 0 ||
	    sl_dma_memlock_precheck(as->name, sl_dma_as_new_pin_bytes(as, seg)) != 0 ||
	    sl_dma_as_entry_precheck(as, seg->nb_chunks) != 0 || sl_dma_as_add_seg(as, seg) != 0)
		return -1;
	return 0;
}

static int mem_event(enum sl_mem_event ev, const struct sl_memseg *ms, void *arg)
{
	struct sl_dma_as *as;
	struct dma_seg *seg;
	int rc = 0;

	(void)arg;
	pthread_mutex_lock(&sl_dma_g.lock);
	if (ev == SL_MEM_EVENT_ADD) {
		seg = calloc(1, sizeof(*seg));
		if (!seg) {
			pthread_mutex_unlock(&sl_dma_g.lock);
			return -1;
		}
		seg->va = ms->va;
		seg->iova = ms->iova;
		seg->len = ms->len;
		seg->page_size = ms->page_size ? ms->page_size : 4096;
		seg->fd = ms->fd;
		seg->fd_offset = ms->fd_offset;
		seg->nb_chunks = ms->iova != SL_BAD_IOVA ? 1 : (unsigned)(ms->len / seg->page_size);
		seg->next = sl_dma_g.segs;
		sl_dma_g.segs = seg;
		sl_dma_g.nb_segs++;
		sl_dma_g.st.segment_bytes += seg->len;
		/* Into every address space that already has devices. */
		for (as = sl_dma_g.as_list; as; as = as->next) {
			if (as->nb_att == 0)
				continue;
			if (seg_add_to(as, seg) != 0) {
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
	pthread_mutex_unlock(&sl_dma_g.lock);
	return rc;
}

/* The listener lives while any address-space reference does. It is
 * registered and unregistered without sl_dma_g.lock held: the EAL calls
 * mem_event with its memory lock held and mem_event takes sl_dma_g.lock, so the
 * only lock order is listen_lock -> EAL memory lock -> sl_dma_g.lock. */
static pthread_mutex_t listen_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned listen_refs;

static void forget_segments(void)
{
	pthread_mutex_lock(&sl_dma_g.lock);
	while (sl_dma_g.segs)
		seg_unlink_free(sl_dma_g.segs);
	pthread_mutex_unlock(&sl_dma_g.lock);
}

int sl_dma_listen_get(void)
{
	int rc = 0;

	pthread_mutex_lock(&listen_lock);
	/* From now on new segments get IOVAs the address spaces accept. The
	 * chooser stays installed (until sl_eal_cleanup) so that IOVAs chosen
	 * earlier are never handed out twice. */
	if (sl_mem_set_iova_chooser(sl_dma_choose_iova, NULL) != 0)
		sl_log(SL_LOG_WARNING, LOG_COMP, "another IOVA chooser is installed; new memory keeps "
		       "the IOVAs it gives");
	/* In PA mode, new memory gets its physical addresses from GET_PA while
	 * a noiommu-cdev device is attached (it declines otherwise). */
	if (sl_mem_set_pa_source(sl_dma_noiommu_cdev_pa_source, sl_dma_noiommu_cdev_pa_release,
				 NULL) != 0)
		sl_log(SL_LOG_WARNING, LOG_COMP, "another PA source is installed; noiommu-cdev "
		       "devices get the PAs it gives");
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

void sl_dma_listen_put(void)
{
	pthread_mutex_lock(&listen_lock);
	if (listen_refs > 0 && --listen_refs == 0) {
		sl_mem_event_unregister("dma_map", NULL);
		forget_segments();
	}
	pthread_mutex_unlock(&listen_lock);
}
