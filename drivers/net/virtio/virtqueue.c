/* virtqueue.c: allocation, reset and teardown of one virtqueue (split or
 * packed) in DMA memory, returning the mbufs a queue still holds, and
 * marking a queue the device broke. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "virtqueue.h"

#define LOG_COMPONENT "net_virtio"

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* Offsets of the driver and device areas in the ring block. */
static void ring_layout(uint16_t size, bool packed, size_t *driver_off, size_t *device_off, size_t *total)
{
	if (packed) {
		*driver_off = (size_t)size * sizeof(struct vring_packed_desc);
		*device_off = *driver_off + 64;
		*total = *device_off + 64;
	} else {
		*driver_off = (size_t)size * sizeof(struct vring_desc);
		*device_off = align_up(*driver_off + 6 + 2u * size, 64);
		*total = *device_off + 6 + 8u * size;
	}
}

int virtqueue_alloc(struct virtqueue *vq, const char *name, uint16_t vq_index, uint16_t size, bool packed)
{
	size_t driver_off, device_off, total;
	uint8_t *mem;
	uint64_t iova, iova_last;

	memset(vq, 0, sizeof(*vq));
	if (size == 0 || (size & (size - 1)) != 0)
		return -EINVAL;
	ring_layout(size, packed, &driver_off, &device_off, &total);
	mem = sl_dma_zmalloc(name, total, 4096);
	if (mem == NULL) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: cannot allocate %zu bytes of DMA memory for the rings: %s; "
		       "reserve more memory (-m) or hugepages", name, total, strerror(errno));
		return -ENOMEM;
	}
	iova = sl_mem_virt2iova(mem);
	iova_last = sl_mem_virt2iova(mem + total - 1);
	if (iova == SL_BAD_IOVA || iova_last != iova + total - 1) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: the %zu-byte ring block is not contiguous in IO addresses; "
		       "use hugepages (or IOVA-as-VA mode) for DMA memory", name, total);
		sl_dma_free(mem);
		return -ENOMEM;
	}
	vq->mbufs = calloc(size, sizeof(*vq->mbufs));
	vq->free_ids = calloc(size, sizeof(*vq->free_ids));
	if (vq->mbufs == NULL || vq->free_ids == NULL) {
		free(vq->mbufs);
		free(vq->free_ids);
		sl_dma_free(mem);
		memset(vq, 0, sizeof(*vq));
		return -ENOMEM;
	}
	vq->ring_mem = mem;
	vq->ring_len = total;
	vq->ring_iova = iova;
	vq->packed_format = packed;
	vq->size = size;
	vq->mask = (uint16_t)(size - 1);
	vq->vq_index = vq_index;
	if (packed) {
		vq->packed.desc = (struct vring_packed_desc *)mem;
		vq->packed.driver_event = (struct vring_packed_event *)(mem + driver_off);
		vq->packed.device_event = (struct vring_packed_event *)(mem + device_off);
	} else {
		vq->split.desc = (struct vring_desc *)mem;
		vq->split.avail = (struct vring_avail *)(mem + driver_off);
		vq->split.used = (struct vring_used *)(mem + device_off);
	}
	virtqueue_reset(vq);
	return 0;
}

int virtqueue_alloc_chain(struct virtqueue *vq)
{
	vq->chain = calloc(vq->size, sizeof(*vq->chain));
	if (vq->chain == NULL)
		return -ENOMEM;
	virtqueue_reset(vq);
	return 0;
}

void virtqueue_free(struct virtqueue *vq)
{
	if (vq->ring_mem != NULL)
		sl_dma_free(vq->ring_mem);
	free(vq->mbufs);
	free(vq->free_ids);
	free(vq->chain);
	memset(vq, 0, sizeof(*vq));
}

void virtqueue_reset(struct virtqueue *vq)
{
	memset(vq->ring_mem, 0, vq->ring_len);
	for (uint16_t i = 0; i < vq->size; i++) {
		vq->free_ids[i] = i;
		if (vq->chain != NULL)
			vq->chain[i] = vq->packed_format ? 1 : VQ_NO_CHAIN;
	}
	vq->broken = false;
	vq->nb_chained = 0;
	vq->id_head = 0;
	vq->id_tail = vq->size; /* the FIFO is full: every id is free */
	vq->nb_free = vq->size;
	vq->avail_idx = 0;
	vq->used_idx = 0;
	if (vq->packed_format) {
		/* both wrap counters start at 1 */
		vq->avail_flags = VRING_PACKED_DESC_F_AVAIL;
		vq->used_flags = VRING_PACKED_DESC_F_AVAIL | VRING_PACKED_DESC_F_USED;
		vq->packed.driver_event->flags = VRING_PACKED_EVENT_FLAG_DISABLE; /* we poll */
	} else {
		vq->split.avail->flags = VRING_AVAIL_F_NO_INTERRUPT;
	}
}

void virtqueue_areas(const struct virtqueue *vq, uint64_t *desc, uint64_t *driver, uint64_t *device)
{
	size_t driver_off, device_off, total;
	ring_layout(vq->size, vq->packed_format, &driver_off, &device_off, &total);
	*desc = vq->ring_iova;
	*driver = vq->ring_iova + driver_off;
	*device = vq->ring_iova + device_off;
}

unsigned virtqueue_drop_mbufs(struct virtqueue *vq)
{
	unsigned dropped = 0;

	if (vq->mbufs == NULL)
		return 0;
	/* an id in flight holds its mbuf, a free one NULL */
	for (uint16_t id = 0; id < vq->size; id++) {
		if (vq->mbufs[id] != NULL) {
			sl_pktmbuf_free(vq->mbufs[id]);
			dropped++;
		}
		vq->mbufs[id] = NULL;
	}
	virtqueue_reset(vq);
	return dropped;
}

void vq_broken(struct virtqueue *vq, const char *what, unsigned index, unsigned long long value,
	       unsigned long long limit)
{
	vq->broken = true;
	SL_LOG(ERR, LOG_COMPONENT, "virtqueue %u broken by the device: %s at ring index %u: %llu (limit %llu); "
	       "the queue stays unused until the port is restarted", vq->vq_index, what, index, value, limit);
}
