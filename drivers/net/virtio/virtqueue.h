/* virtqueue.h: the virtqueue layouts (split and packed, as the virtio 1.x
 * spec defines them, little endian on x86) and the driver's per-queue
 * state shared by the split and packed ring code, the rx/tx queues and the
 * control queue. Buffer ids are handed out from a FIFO of free ids, so the
 * driver stays correct if a device completes buffers out of order, while
 * an in-order device (QEMU's virtio-net) sees ids in ring order.
 *
 * The device is not trusted (as Linux's virtio_ring BAD_RING): the mbuf of
 * an id in flight is in mbufs[id], and NULL once the id is free again, so
 * a used id is taken only if it is in range and in flight. A used entry
 * that breaks the rules marks the queue broken (vq_broken: logged once
 * with the values); the bursts then return 0 without touching the ring and
 * the mbufs still in flight go back to their pool at stop or release. */
#ifndef VIRTQUEUE_H
#define VIRTQUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include "sl_eal.h"
#include "sl_mbuf.h"

/* ---- split ring ---------------------------------------------------------- */
#define VRING_DESC_F_NEXT 1
#define VRING_DESC_F_WRITE 2
#define VRING_AVAIL_F_NO_INTERRUPT 1
#define VRING_USED_F_NO_NOTIFY 1

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

struct vring_used_elem {
	uint32_t id;
	uint32_t len;
};

struct vring_used {
	uint16_t flags;
	uint16_t idx;
	struct vring_used_elem ring[];
};

/* ---- packed ring --------------------------------------------------------- */
#define VRING_PACKED_DESC_F_AVAIL (1u << 7)
#define VRING_PACKED_DESC_F_USED (1u << 15)
#define VRING_PACKED_EVENT_FLAG_ENABLE 0
#define VRING_PACKED_EVENT_FLAG_DISABLE 1

struct vring_packed_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t id;
	uint16_t flags;
};

struct vring_packed_event {
	uint16_t off_wrap;
	uint16_t flags;
};

/* ---- virtio-net header --------------------------------------------------- */
/* With VIRTIO_F_VERSION_1 the header always has num_buffers: 12 bytes. */
struct virtio_net_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers;
};
#define VIRTIO_NET_HDR_SIZE ((uint16_t)sizeof(struct virtio_net_hdr))
_Static_assert(sizeof(struct virtio_net_hdr) == 12, "virtio-net header is 12 bytes");

/* ---- driver state of one virtqueue --------------------------------------- */
struct virtqueue {
	union {
		struct {
			struct vring_desc *desc;
			struct vring_avail *avail;
			struct vring_used *used;
		} split;
		struct {
			struct vring_packed_desc *desc;
			struct vring_packed_event *driver_event;
			struct vring_packed_event *device_event;
		} packed;
	};
	volatile uint16_t *notify;    /* where a kick writes the queue index */
	struct sl_mbuf **mbufs;       /* the mbuf of each buffer id in flight, NULL when free */
	uint16_t *free_ids;           /* FIFO of free buffer ids */
	uint16_t size;                /* a power of two */
	uint16_t mask;
	uint16_t nb_free;             /* descriptors the driver may post */
	uint16_t id_head;             /* FIFO: next id to take (free running) */
	uint16_t id_tail;             /* FIFO: next place to return one */
	uint16_t avail_idx;           /* split: free-running avail index; packed: next slot */
	uint16_t used_idx;            /* split: free-running used index seen; packed: next slot */
	uint16_t avail_flags;         /* packed: AVAIL/USED bits of the driver's wrap counter */
	uint16_t used_flags;          /* packed: AVAIL|USED bits a used slot shows this wrap */
	uint16_t vq_index;            /* index in the device */
	bool broken;                  /* the device broke the ring's rules: unused until reset */
	uint64_t kicks;               /* notifications sent */
	uint64_t kicks_suppressed;    /* bursts where the device asked for none */

	/* tx with a separate header descriptor (virtio_net.h): split: the id
	 * chained after each head id (VQ_NO_CHAIN if none); packed: the ring
	 * slots each id takes (1 or 2). NULL on rx and control queues. */
	uint16_t *chain;
	uint16_t nb_chained;          /* split tx: header chains in flight (chain[] is read only then) */

	/* control path */
	void *ring_mem;               /* DMA block holding the rings */
	size_t ring_len;
	uint64_t ring_iova;
	bool packed_format;
};

/* Allocate the rings (format PACKED, SIZE a power of two) and the id
 * arrays; 0 or a negative errno. */
int virtqueue_alloc(struct virtqueue *vq, const char *name, uint16_t vq_index, uint16_t size, bool packed);
/* Allocate vq->chain (tx queues); 0 or -ENOMEM. */
int virtqueue_alloc_chain(struct virtqueue *vq);
void virtqueue_free(struct virtqueue *vq);
/* Empty rings, every id free, suppression of device interrupts. */
void virtqueue_reset(struct virtqueue *vq);
/* IOVAs of the descriptor, driver and device areas. */
void virtqueue_areas(const struct virtqueue *vq, uint64_t *desc, uint64_t *driver, uint64_t *device);
/* Free every mbuf the queue still holds and reset it (the device must be
 * stopped); returns how many. */
unsigned virtqueue_drop_mbufs(struct virtqueue *vq);

#define VQ_NO_CHAIN UINT16_MAX

/* The device broke a rule of the ring: mark VQ broken and log once what it
 * wrote (WHAT at ring position INDEX: VALUE, where LIMIT is the bound).
 * The caller stops using the ring and counts an error. */
void vq_broken(struct virtqueue *vq, const char *what, unsigned index, unsigned long long value,
	       unsigned long long limit) __attribute__((cold, noinline));

/* Descriptors the device holds (posted, not yet used). */
static sl_always_inline uint16_t vq_in_flight(const struct virtqueue *vq)
{
	return (uint16_t)(vq->size - vq->nb_free);
}

static sl_always_inline uint16_t vq_take_id(struct virtqueue *vq)
{
	return vq->free_ids[vq->id_head++ & vq->mask];
}

/* The id state a burst loop works on, held in locals: a store through
 * mbufs[] or free_ids[] could alias the queue's own fields, so a loop that
 * went through vq-> would reload them after every store. Begin, return ids,
 * end (writes the FIFO tail back). */
struct vq_ids {
	struct sl_mbuf **mbufs;
	uint16_t *free_ids;
	uint16_t mask;
	uint16_t tail;
};

static sl_always_inline struct vq_ids vq_ids_begin(const struct virtqueue *vq)
{
	return (struct vq_ids){ vq->mbufs, vq->free_ids, vq->mask, vq->id_tail };
}

/* ID is free again: no mbuf, back into the FIFO. */
static sl_always_inline void vq_ids_return(struct vq_ids *c, uint16_t id)
{
	c->mbufs[id] = NULL;
	c->free_ids[c->tail++ & c->mask] = id;
}

static sl_always_inline void vq_ids_end(struct virtqueue *vq, const struct vq_ids *c)
{
	vq->id_tail = c->tail;
}

static sl_always_inline void vq_kick(struct virtqueue *vq)
{
	sl_io_wmb(); /* the rings before the notify */
	sl_write16_relaxed(vq->vq_index, vq->notify);
	vq->kicks++;
}

/* Full barrier between publishing descriptors and reading whether the
 * device wants a notification (it may be deciding concurrently). */
static sl_always_inline void vq_mb(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* Split ring: kick unless the device set NO_NOTIFY. */
static sl_always_inline void vq_split_kick_if_wanted(struct virtqueue *vq)
{
	vq_mb();
	if (!(__atomic_load_n(&vq->split.used->flags, __ATOMIC_RELAXED) & VRING_USED_F_NO_NOTIFY))
		vq_kick(vq);
	else
		vq->kicks_suppressed++;
}

/* Packed ring: kick unless the device disabled notifications. */
static sl_always_inline void vq_packed_kick_if_wanted(struct virtqueue *vq)
{
	vq_mb();
	if (__atomic_load_n(&vq->packed.device_event->flags, __ATOMIC_RELAXED) != VRING_PACKED_EVENT_FLAG_DISABLE)
		vq_kick(vq);
	else
		vq->kicks_suppressed++;
}

/* Device interrupts for this queue (rx interrupts; EVENT_IDX is not
 * negotiated, so the flags alone decide). Enable: the device interrupts
 * for every buffer it uses from now on; the full barrier orders the flag
 * store before the caller's next look at the ring, so a buffer used before
 * the device saw the flag is found by that look. Disable: no interrupts. */
static inline void vq_intr_enable(struct virtqueue *vq)
{
	if (vq->packed_format)
		__atomic_store_n(&vq->packed.driver_event->flags, (uint16_t)VRING_PACKED_EVENT_FLAG_ENABLE,
				 __ATOMIC_RELAXED);
	else
		__atomic_store_n(&vq->split.avail->flags, (uint16_t)0, __ATOMIC_RELAXED);
	vq_mb();
}

static inline void vq_intr_disable(struct virtqueue *vq)
{
	if (vq->packed_format)
		__atomic_store_n(&vq->packed.driver_event->flags, (uint16_t)VRING_PACKED_EVENT_FLAG_DISABLE,
				 __ATOMIC_RELAXED);
	else
		__atomic_store_n(&vq->split.avail->flags, (uint16_t)VRING_AVAIL_F_NO_INTERRUPT, __ATOMIC_RELAXED);
}

#endif /* VIRTQUEUE_H */
