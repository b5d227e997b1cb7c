/* sl_ring.h: a fixed-size lock-free ring (FIFO) of pointers.
 *
 * The ring has a power-of-two number of slots and two head/tail pairs,
 * one for producers and one for consumers. An enqueue first reserves
 * slots by moving the producer head (a plain store for a single producer,
 * a compare-and-swap for several), copies its pointers, then publishes
 * them by moving the producer tail once every earlier producer has
 * published; dequeue mirrors this on the consumer side. Indices run freely
 * over 32 bits and are masked only to address slots, so all SIZE slots are
 * usable.
 *
 * Bulk calls move all N objects or none; burst calls move as many as they
 * can. The sl_ring_enqueue_* / sl_ring_dequeue_* calls use the producer and
 * consumer modes chosen at creation (SL_RING_F_SP_ENQ, SL_RING_F_SC_DEQ);
 * the sl_ring_mp_* / sp_* / mc_* / sc_* calls force one. A single-producer
 * or single-consumer ring must never be used from two threads at once on
 * that side. */
#ifndef SL_RING_H
#define SL_RING_H

#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "sl_eal.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SL_RING_NAMESIZE 32
#define SL_RING_SZ_MAX (1u << 30) /* most slots a ring can have */
/* Pauses an MP/MC tail wait spins before it yields the CPU (see
 * __sl_ring_update_tail). */
#define SL_RING_SPINS_BEFORE_YIELD 4096

/* flags for sl_ring_create / sl_ring_init */
#define SL_RING_F_SP_ENQ 0x1 /* one producer thread at a time */
#define SL_RING_F_SC_DEQ 0x2 /* one consumer thread at a time */

/* One side (producer or consumer) of the ring. HEAD is where the next
 * reservation starts, TAIL is where the slots published to the other side
 * end. */
struct sl_ring_headtail {
	uint32_t head;
	uint32_t tail;
	uint32_t single; /* 1: one thread on this side, no compare-and-swap */
};

struct sl_ring {
	char name[SL_RING_NAMESIZE];
	unsigned flags;
	uint32_t size;     /* number of slots, a power of two */
	uint32_t mask;     /* size - 1 */
	uint32_t capacity; /* objects the ring can hold (= size) */
	int allocated;     /* 1 when sl_ring_create allocated it */

	/* producer and consumer each on their own pair of cache lines, so
	 * that the adjacent-line prefetcher does not make them share */
	struct sl_ring_headtail prod __attribute__((aligned(2 * SL_CACHE_LINE_SIZE)));
	struct sl_ring_headtail cons __attribute__((aligned(2 * SL_CACHE_LINE_SIZE)));
	void *slots[] __attribute__((aligned(2 * SL_CACHE_LINE_SIZE)));
};

/* Bytes needed for a ring of COUNT slots (COUNT a power of two up to
 * SL_RING_SZ_MAX); -EINVAL otherwise. */
ssize_t sl_ring_get_memsize(unsigned count);

/* Set up a ring in caller-provided memory of sl_ring_get_memsize(COUNT)
 * bytes, aligned to 128. 0, or -EINVAL with a logged reason. */
int sl_ring_init(struct sl_ring *r, const char *name, unsigned count, unsigned flags);

/* Allocate and set up a ring of COUNT slots (a power of two). NULL with
 * errno set (EINVAL, ENOMEM) and a logged reason on failure. */
struct sl_ring *sl_ring_create(const char *name, unsigned count, unsigned flags);

/* Release a ring from sl_ring_create (NULL is fine). Rings set up with
 * sl_ring_init belong to the caller's memory and are left alone. */
void sl_ring_free(struct sl_ring *r);

/* ---- internals of the inline fast path ------------------------------- */

enum sl_ring_behavior {
	SL_RING_FIXED = 0,    /* all N or nothing */
	SL_RING_VARIABLE = 1, /* as many as possible */
};

/* Memory ordering (C11 model; the argument in full is doc/ring.md).
 * Names as in DPDK's rte_ring_c11_pvt.h; D is this side, S the other.
 *
 *   A0  load-acquire of D's head, before reading S's tail. Pairs with R1
 *       of the thread that moved D's head to this value: its read of S's
 *       tail then happens before ours, so we read that tail or a newer one
 *       (read-read coherence) and never compute room from a tail older
 *       than the one the head was moved against. Without it the room
 *       (CAPACITY + S.tail - D.head) can wrap around to a huge number and
 *       a producer overwrites unread slots or a consumer reads unwritten
 *       ones.
 *   A1  load-acquire of S's tail. Pairs with R0 of the other side: a
 *       producer sees the consumers' reads of the slots it is about to
 *       overwrite finished, a consumer the producers' writes of the slots
 *       it is about to read.
 *   R1  compare-and-swap of D's head, release on success: orders our read
 *       of S's tail before the new head for the next thread's A0 (written
 *       acq_rel because C11 allows no failure order stronger than the
 *       success order; GCC makes release/acquire acq_rel anyway). A2:
 *       acquire on failure, because the head it returns is used as A0's.
 *       Later compare-and-swaps continue the release sequence, so a chain
 *       of reservations passes the newest tail along.
 *   A3  load-acquire of D's tail while waiting for earlier reservations on
 *       this side. Pairs with their R0: what they published happens before
 *       our R0, so a thread of the other side that reads our tail (A1) also
 *       sees their slots, not only ours. (A release store is no release
 *       sequence for a later plain store by another thread: without A3 the
 *       C11 model would not carry their slot writes through our tail.)
 *   R0  store-release of D's tail: publishes our slot copies (producer) or
 *       frees the slots after our reads of them (consumer).
 *
 * On x86 all of these are plain loads and stores (the compare-and-swap is
 * LOCK CMPXCHG whatever its order); on aarch64 LDAR, STLR and the
 * acquire/release forms of the exclusive pair. A single-threaded side
 * (SINGLE) moves its head with a relaxed store: no other thread reads it. */

/* Reserve up to N slots on side D (&r->prod or &r->cons) of a ring whose
 * other side is S. D may take the slots from its head up to S's tail, plus
 * CAPACITY on the producer side (a producer takes free slots, a consumer
 * filled ones, so the consumer passes 0). Returns the number reserved
 * (0..N) and sets *OLD_HEAD to the first; *AVAIL gets the slots D could
 * take before reserving. */
static sl_always_inline unsigned
__sl_ring_move_head(struct sl_ring_headtail *d, const struct sl_ring_headtail *s, uint32_t capacity, int single,
		   unsigned n, enum sl_ring_behavior behavior, uint32_t *old_head, uint32_t *avail)
{
	/* A0: pairs with R1 of whoever moved the head here */
	uint32_t head = __atomic_load_n(&d->head, __ATOMIC_ACQUIRE);
	unsigned want = n;

	for (;;) {
		/* A1: pairs with the other side's R0 (see above) */
		uint32_t s_tail = __atomic_load_n(&s->tail, __ATOMIC_ACQUIRE);
		/* unsigned arithmetic modulo 2^32. Thanks to A0/A2 this tail
		 * is at least as new as the one the thread that moved the head
		 * to HEAD read, so this never wraps below 0; HEAD may be stale
		 * (and the room then too large), but then the compare-and-swap
		 * below fails */
		uint32_t avail_now = capacity + s_tail - head;

		n = want;
		if (sl_unlikely(n > avail_now))
			n = behavior == SL_RING_FIXED ? 0 : avail_now;
		*avail = avail_now;
		if (sl_unlikely(n == 0))
			return 0;
		if (single) {
			__atomic_store_n(&d->head, head + n, __ATOMIC_RELAXED);
			break;
		}
		/* R1 on success, A2 on failure */
		if (sl_likely(__atomic_compare_exchange_n(&d->head, &head, head + n, 0, __ATOMIC_ACQ_REL,
							  __ATOMIC_ACQUIRE)))
			break;
		/* HEAD now holds the value another thread of this side moved
		 * it to */
	}
	*old_head = head;
	return n;
}

/* Publish slots [OLD, NEW) to the other side: wait until every earlier
 * reservation on this side is published (A3), then release (R0). */
static sl_always_inline void
__sl_ring_update_tail(struct sl_ring_headtail *ht, int single, uint32_t old_val, uint32_t new_val)
{
	if (!single) {
		/* A3: acquire, so that what earlier threads published is
		 * ordered before our release below and reaches the other side
		 * too. A long wait means the thread that reserved before us
		 * was preempted between its head and tail updates (more
		 * threads than CPUs): yield now and then so it can finish,
		 * instead of spinning out whole time slices. Never reached
		 * when every user has a CPU of its own. */
		unsigned spins = 0;
		while (sl_unlikely(__atomic_load_n(&ht->tail, __ATOMIC_ACQUIRE) != old_val)) {
			sl_pause();
			if (sl_unlikely(++spins == SL_RING_SPINS_BEFORE_YIELD)) {
				spins = 0;
				sched_yield();
			}
		}
	}
	/* R0: pairs with the other side's A1 and this side's A3 */
	__atomic_store_n(&ht->tail, new_val, __ATOMIC_RELEASE);
}

/* Copy N object pointers between non-overlapping arrays with vector moves
 * (32 bytes with AVX, else 16), four vectors at a time, then the rest.
 * Written with explicit vectors because compilers otherwise vectorize such
 * loops behind run-time alias checks, or not at all, or by inserting
 * elements one by one. */
#if defined(__AVX__) /* 32 bytes also with AVX-512: 64-byte moves of
			* unaligned arrays split cache lines every time */
#define SL_PTRS_VEC_BYTES 32
#else
#define SL_PTRS_VEC_BYTES 16
#endif
#define SL_PTRS_PER_VEC (SL_PTRS_VEC_BYTES / 8)
typedef uint64_t __sl_ptrs_vec __attribute__((vector_size(SL_PTRS_VEC_BYTES), aligned(8), may_alias));

#define __SL_PTRS_VEC_AT(a, i) (*(__sl_ptrs_vec *)(void *)&(a)[i])

/* After inlining with a constant N into a caller holding a small array,
 * GCC checks the vector accesses of loops that cannot run for that N and
 * warns about bounds; the accesses that do run stay within N. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Warray-bounds"
static sl_always_inline void
__sl_ptrs_copy(void **dst, void *const *src, size_t n)
{
	size_t i = 0;

	for (; i + 4 * SL_PTRS_PER_VEC <= n; i += 4 * SL_PTRS_PER_VEC) {
		__sl_ptrs_vec v0 = __SL_PTRS_VEC_AT(src, i);
		__sl_ptrs_vec v1 = __SL_PTRS_VEC_AT(src, i + SL_PTRS_PER_VEC);
		__sl_ptrs_vec v2 = __SL_PTRS_VEC_AT(src, i + 2 * SL_PTRS_PER_VEC);
		__sl_ptrs_vec v3 = __SL_PTRS_VEC_AT(src, i + 3 * SL_PTRS_PER_VEC);
		__SL_PTRS_VEC_AT(dst, i) = v0;
		__SL_PTRS_VEC_AT(dst, i + SL_PTRS_PER_VEC) = v1;
		__SL_PTRS_VEC_AT(dst, i + 2 * SL_PTRS_PER_VEC) = v2;
		__SL_PTRS_VEC_AT(dst, i + 3 * SL_PTRS_PER_VEC) = v3;
	}
	/* fewer than four vectors left: no loops, so that nothing is left
	 * for the compiler to reason about after inlining */
	if (i + 2 * SL_PTRS_PER_VEC <= n) {
		__sl_ptrs_vec v0 = __SL_PTRS_VEC_AT(src, i);
		__sl_ptrs_vec v1 = __SL_PTRS_VEC_AT(src, i + SL_PTRS_PER_VEC);
		__SL_PTRS_VEC_AT(dst, i) = v0;
		__SL_PTRS_VEC_AT(dst, i + SL_PTRS_PER_VEC) = v1;
		i += 2 * SL_PTRS_PER_VEC;
	}
	if (i + SL_PTRS_PER_VEC <= n) {
		__SL_PTRS_VEC_AT(dst, i) = __SL_PTRS_VEC_AT(src, i);
		i += SL_PTRS_PER_VEC;
	}
	/* at most SL_PTRS_PER_VEC - 1 (1 or 3) left */
	if (i < n)
		dst[i] = src[i];
	if (SL_PTRS_PER_VEC > 2 && i + 1 < n)
		dst[i + 1] = src[i + 1];
	if (SL_PTRS_PER_VEC > 2 && i + 2 < n)
		dst[i + 2] = src[i + 2];
}
#pragma GCC diagnostic pop

static sl_always_inline void
__sl_ring_copy_in(struct sl_ring *r, uint32_t head, void *const *objs, unsigned n)
{
	const size_t idx = head & r->mask;

	if (sl_likely(idx + n <= r->size)) {
		__sl_ptrs_copy(&r->slots[idx], objs, n);
	} else {
		size_t first = r->size - idx;
		__sl_ptrs_copy(&r->slots[idx], objs, first);
		__sl_ptrs_copy(r->slots, objs + first, n - first);
	}
}

static sl_always_inline void
__sl_ring_copy_out(const struct sl_ring *r, uint32_t head, void **objs, unsigned n)
{
	const size_t idx = head & r->mask;

	if (sl_likely(idx + n <= r->size)) {
		__sl_ptrs_copy(objs, &r->slots[idx], n);
	} else {
		size_t first = r->size - idx;
		__sl_ptrs_copy(objs, &r->slots[idx], first);
		__sl_ptrs_copy(objs + first, r->slots, n - first);
	}
}

static sl_always_inline unsigned
__sl_ring_do_enqueue(struct sl_ring *r, void *const *objs, unsigned n, enum sl_ring_behavior behavior,
		    int single, unsigned *free_space)
{
	uint32_t head, free_entries;

	n = __sl_ring_move_head(&r->prod, &r->cons, r->capacity, single, n, behavior, &head, &free_entries);
	if (n != 0) {
		__sl_ring_copy_in(r, head, objs, n);
		__sl_ring_update_tail(&r->prod, single, head, head + n);
	}
	if (free_space != NULL)
		*free_space = free_entries - n;
	return n;
}

static sl_always_inline unsigned
__sl_ring_do_dequeue(struct sl_ring *r, void **objs, unsigned n, enum sl_ring_behavior behavior,
		    int single, unsigned *available)
{
	uint32_t head, entries;

	n = __sl_ring_move_head(&r->cons, &r->prod, 0, single, n, behavior, &head, &entries);
	if (n != 0) {
		__sl_ring_copy_out(r, head, objs, n);
		__sl_ring_update_tail(&r->cons, single, head, head + n);
	}
	if (available != NULL)
		*available = entries - n;
	return n;
}

/* ---- enqueue --------------------------------------------------------- */

/* Bulk: enqueue all N objects, or none. Returns N or 0. FREE_SPACE (may be
 * NULL) gets the free slots left after the call. */
static sl_always_inline unsigned
sl_ring_mp_enqueue_bulk(struct sl_ring *r, void *const *objs, unsigned n, unsigned *free_space)
{
	return __sl_ring_do_enqueue(r, objs, n, SL_RING_FIXED, 0, free_space);
}

static sl_always_inline unsigned
sl_ring_sp_enqueue_bulk(struct sl_ring *r, void *const *objs, unsigned n, unsigned *free_space)
{
	return __sl_ring_do_enqueue(r, objs, n, SL_RING_FIXED, 1, free_space);
}

static sl_always_inline unsigned
sl_ring_enqueue_bulk(struct sl_ring *r, void *const *objs, unsigned n, unsigned *free_space)
{
	return __sl_ring_do_enqueue(r, objs, n, SL_RING_FIXED, (int)r->prod.single, free_space);
}

/* Burst: enqueue as many of the N objects as fit; returns how many. */
static sl_always_inline unsigned
sl_ring_mp_enqueue_burst(struct sl_ring *r, void *const *objs, unsigned n, unsigned *free_space)
{
	return __sl_ring_do_enqueue(r, objs, n, SL_RING_VARIABLE, 0, free_space);
}

static sl_always_inline unsigned
sl_ring_sp_enqueue_burst(struct sl_ring *r, void *const *objs, unsigned n, unsigned *free_space)
{
	return __sl_ring_do_enqueue(r, objs, n, SL_RING_VARIABLE, 1, free_space);
}

static sl_always_inline unsigned
sl_ring_enqueue_burst(struct sl_ring *r, void *const *objs, unsigned n, unsigned *free_space)
{
	return __sl_ring_do_enqueue(r, objs, n, SL_RING_VARIABLE, (int)r->prod.single, free_space);
}

/* One object: 0, or -ENOBUFS when the ring is full. */
static sl_always_inline int
sl_ring_enqueue(struct sl_ring *r, void *obj)
{
	return sl_ring_enqueue_bulk(r, &obj, 1, NULL) ? 0 : -ENOBUFS;
}

/* ---- dequeue --------------------------------------------------------- */

/* Bulk: dequeue all N objects, or none. Returns N or 0. AVAILABLE (may be
 * NULL) gets the objects left in the ring after the call. */
static sl_always_inline unsigned
sl_ring_mc_dequeue_bulk(struct sl_ring *r, void **objs, unsigned n, unsigned *available)
{
	return __sl_ring_do_dequeue(r, objs, n, SL_RING_FIXED, 0, available);
}

static sl_always_inline unsigned
sl_ring_sc_dequeue_bulk(struct sl_ring *r, void **objs, unsigned n, unsigned *available)
{
	return __sl_ring_do_dequeue(r, objs, n, SL_RING_FIXED, 1, available);
}

static sl_always_inline unsigned
sl_ring_dequeue_bulk(struct sl_ring *r, void **objs, unsigned n, unsigned *available)
{
	return __sl_ring_do_dequeue(r, objs, n, SL_RING_FIXED, (int)r->cons.single, available);
}

/* Burst: dequeue up to N objects; returns how many. */
static sl_always_inline unsigned
sl_ring_mc_dequeue_burst(struct sl_ring *r, void **objs, unsigned n, unsigned *available)
{
	return __sl_ring_do_dequeue(r, objs, n, SL_RING_VARIABLE, 0, available);
}

static sl_always_inline unsigned
sl_ring_sc_dequeue_burst(struct sl_ring *r, void **objs, unsigned n, unsigned *available)
{
	return __sl_ring_do_dequeue(r, objs, n, SL_RING_VARIABLE, 1, available);
}

static sl_always_inline unsigned
sl_ring_dequeue_burst(struct sl_ring *r, void **objs, unsigned n, unsigned *available)
{
	return __sl_ring_do_dequeue(r, objs, n, SL_RING_VARIABLE, (int)r->cons.single, available);
}

/* One object: 0, or -ENOENT when the ring is empty. */
static sl_always_inline int
sl_ring_dequeue(struct sl_ring *r, void **obj)
{
	return sl_ring_dequeue_bulk(r, obj, 1, NULL) ? 0 : -ENOENT;
}

/* ---- state ------------------------------------------------------------ */

/* Objects in the ring now (a snapshot while others are working). */
static inline unsigned
sl_ring_count(const struct sl_ring *r)
{
	/* consumer side first: it never passes the producer tail, so the
	 * difference is never negative; it can exceed the capacity only if
	 * producers moved on in between, hence the clamp */
	uint32_t cons_tail = __atomic_load_n(&r->cons.tail, __ATOMIC_ACQUIRE);
	uint32_t prod_tail = __atomic_load_n(&r->prod.tail, __ATOMIC_ACQUIRE);
	uint32_t count = prod_tail - cons_tail;
	return count > r->capacity ? r->capacity : count;
}

static inline unsigned
sl_ring_free_count(const struct sl_ring *r)
{
	return r->capacity - sl_ring_count(r);
}

static inline int sl_ring_full(const struct sl_ring *r) { return sl_ring_free_count(r) == 0; }
static inline int sl_ring_empty(const struct sl_ring *r) { return sl_ring_count(r) == 0; }
static inline unsigned sl_ring_get_size(const struct sl_ring *r) { return r->size; }
static inline unsigned sl_ring_get_capacity(const struct sl_ring *r) { return r->capacity; }
static inline const char *sl_ring_name(const struct sl_ring *r) { return r->name; }

#ifdef __cplusplus
}
#endif
#endif /* SL_RING_H */
