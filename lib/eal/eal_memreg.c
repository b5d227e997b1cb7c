/* eal_memreg.c: the registry of memory segments and its listeners.
 *
 * Lookups (sl_mem_virt2iova, sl_mem_virt2memseg) take no lock and make no
 * syscall: they binary-search an immutable table of segments sorted by
 * address, published with one atomic pointer store. Writers (segment add
 * or remove, listener changes) hold the memory lock, build a new table and
 * publish it; old tables and segment records stay allocated until
 * sl_eal_cleanup, so a concurrent reader never touches freed memory. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eal_private.h"

#define LISTENER_NAME_LEN 32

struct eal_seg {
	struct sl_memseg pub;   /* first: callers get &seg->pub */
	uint64_t *page_iova;    /* PA mode: IOVA of each page; else NULL */
	unsigned page_shift;
	bool live;
	struct eal_seg *next_all; /* every record ever made, freed at cleanup */
};

struct seg_table {
	unsigned n;
	struct seg_table *next_retired;
	struct eal_seg *segs[];
};

struct listener {
	char name[LISTENER_NAME_LEN];
	sl_mem_event_cb cb;
	void *arg;
	struct listener *next;
};

static pthread_mutex_t mem_lock;
static pthread_once_t mem_lock_once = PTHREAD_ONCE_INIT;
static struct seg_table *_Atomic seg_table;
static struct seg_table *retired_tables;
static struct eal_seg *all_segs;
static struct listener *listeners;
static enum sl_iova_mode iova_mode = SL_IOVA_VA;
static sl_mem_iova_chooser iova_chooser; /* NULL: IOVA = VA */
static void *iova_chooser_arg;
static sl_mem_pa_source pa_source;       /* NULL: PA mode reads pagemap */
static sl_mem_pa_release pa_release;
static void *pa_source_arg;

static void mem_lock_create(void)
{
	pthread_mutexattr_t attr;

	/* Recursive: a listener or hook may allocate while being told. */
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&mem_lock, &attr);
	pthread_mutexattr_destroy(&attr);
}

void eal_mem_lock(void)
{
	pthread_once(&mem_lock_once, mem_lock_create);
	pthread_mutex_lock(&mem_lock);
}

void eal_mem_unlock(void)
{
	pthread_mutex_unlock(&mem_lock);
}

enum sl_iova_mode sl_eal_iova_mode(void)
{
	return iova_mode;
}

int eal_memreg_init(enum sl_iova_mode mode)
{
	iova_mode = mode;
	return 0;
}

/* ---- lock-free lookup --------------------------------------------------- */

static inline const struct eal_seg *seg_lookup(const void *addr)
{
	const struct seg_table *t = atomic_load_explicit(&seg_table, memory_order_acquire);
	uintptr_t va = (uintptr_t)addr;
	unsigned lo = 0, hi;

	if (t == NULL)
		return NULL;
	hi = t->n;
	/* find the last segment whose start is <= va */
	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		if ((uintptr_t)t->segs[mid]->pub.va <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	const struct eal_seg *s = t->segs[lo - 1];
	if (va - (uintptr_t)s->pub.va >= s->pub.len)
		return NULL;
	return s;
}

uint64_t sl_mem_virt2iova(const void *va)
{
	const struct eal_seg *s = seg_lookup(va);
	uintptr_t off;

	if (s == NULL)
		return SL_BAD_IOVA;
	off = (uintptr_t)va - (uintptr_t)s->pub.va;
	if (s->pub.iova != SL_BAD_IOVA)
		return s->pub.iova + off;
	return s->page_iova[off >> s->page_shift] + (off & (s->pub.page_size - 1));
}

const struct sl_memseg *sl_mem_virt2memseg(const void *va)
{
	const struct eal_seg *s = seg_lookup(va);

	return s ? &s->pub : NULL;
}

int sl_memseg_walk(int (*cb)(const struct sl_memseg *seg, void *arg), void *arg)
{
	const struct seg_table *t;
	int ret = 0;

	if (cb == NULL) {
		errno = EINVAL;
		return -1;
	}
	eal_mem_lock();
	t = atomic_load(&seg_table);
	for (unsigned i = 0; t != NULL && i < t->n && ret == 0; i++)
		ret = cb(&t->segs[i]->pub, arg);
	eal_mem_unlock();
	return ret;
}

/* ---- table updates (under the memory lock) ----------------------------- */

/* Publish a table equal to the current one with ADD inserted and/or DEL
 * left out. Returns -1 (ENOMEM) and changes nothing if allocation fails. */
static int table_replace(struct eal_seg *add, const struct eal_seg *del)
{
	struct seg_table *old = atomic_load(&seg_table);
	unsigned n_old = old ? old->n : 0;
	struct seg_table *t = malloc(sizeof(*t) + (n_old + 1) * sizeof(t->segs[0]));
	unsigned n = 0;
	bool placed = (add == NULL);

	if (t == NULL) {
		errno = ENOMEM;
		return -1;
	}
	for (unsigned i = 0; i < n_old; i++) {
		struct eal_seg *s = old->segs[i];
		if (s == del)
			continue;
		if (!placed && (uintptr_t)add->pub.va < (uintptr_t)s->pub.va) {
			t->segs[n++] = add;
			placed = true;
		}
		t->segs[n++] = s;
	}
	if (!placed)
		t->segs[n++] = add;
	t->n = n;
	t->next_retired = NULL;
	atomic_store_explicit(&seg_table, t, memory_order_release);
	if (old != NULL) {
		old->next_retired = retired_tables;
		retired_tables = old;
	}
	return 0;
}

static int cb_errno(int saved)
{
	return saved != 0 ? saved : ECANCELED;
}

/* Tell listeners from L up to (not including) STOP that SEG goes away,
 * in reverse order of registration. */
static void notify_remove(struct listener *l, struct listener *stop,
			  const struct sl_memseg *seg)
{
	if (l == NULL || l == stop)
		return;
	notify_remove(l->next, stop, seg);
	l->cb(SL_MEM_EVENT_REMOVE, seg, l->arg);
}

/* Unmap a segment that may still sit in a retired table: release a copy
 * so that readers of that table never see its fields change. */
static void seg_release(struct eal_seg *s)
{
	struct sl_memseg copy = s->pub;

	eal_memory_release(&copy, s->page_iova);
	s->page_iova = NULL;
	s->live = false;
}

const struct sl_memseg *eal_memreg_add(size_t len)
{
	struct eal_seg *s = calloc(1, sizeof(*s));
	int err;

	if (s == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	eal_mem_lock();
	if (eal_memory_reserve(len, &s->pub, &s->page_iova) != 0) {
		err = errno;
		goto fail_free;
	}
	s->page_shift = 0;
	while (((size_t)1 << s->page_shift) < s->pub.page_size)
		s->page_shift++;
	if (iova_mode == SL_IOVA_VA && iova_chooser != NULL) {
		errno = 0;
		s->pub.iova = iova_chooser(s->pub.va, s->pub.len, s->pub.page_size, iova_chooser_arg);
		if (s->pub.iova == SL_BAD_IOVA) {
			err = cb_errno(errno);
			SL_LOG(ERR, EAL_LOG, "memory: no IOVA for a new segment at %p (%zu bytes): %s; "
			       "the segment is released again", s->pub.va, s->pub.len, strerror(err));
			goto fail_release;
		}
		if (s->pub.iova != (uint64_t)(uintptr_t)s->pub.va)
			SL_LOG(DEBUG, EAL_LOG, "memory: segment at %p (%zu bytes) gets IOVA 0x%" PRIx64
			       " from the IOVA chooser", s->pub.va, s->pub.len, s->pub.iova);
	}
	if (table_replace(s, NULL) != 0) {
		err = errno;
		SL_LOG(ERR, EAL_LOG, "memory: out of memory for the segment table");
		goto fail_release;
	}
	s->live = true;
	s->next_all = all_segs;
	all_segs = s;

	for (struct listener *l = listeners; l != NULL; l = l->next) {
		errno = 0;
		if (l->cb(SL_MEM_EVENT_ADD, &s->pub, l->arg) != 0) {
			err = cb_errno(errno);
			SL_LOG(ERR, EAL_LOG,
			       "memory: listener '%s' refused a new segment at %p (%zu bytes): %s; "
			       "the segment is released again", l->name, s->pub.va, s->pub.len,
			       strerror(err));
			notify_remove(listeners, l, &s->pub);
			/* Unpublish; the record stays on all_segs until cleanup. */
			while (table_replace(NULL, s) != 0)
				; /* tiny allocation; retry rather than leave it listed */
			seg_release(s);
			eal_mem_unlock();
			errno = err;
			return NULL;
		}
	}
	eal_mem_unlock();
	{
		char sz[32];
		eal_format_size(sz, sizeof(sz), s->pub.len);
		SL_LOG(DEBUG, EAL_LOG, "memory: added segment %p, %s, iova 0x%llx", s->pub.va, sz,
		       (unsigned long long)s->pub.iova);
	}
	return &s->pub;

fail_release:
	eal_memory_release(&s->pub, s->page_iova);
fail_free:
	eal_mem_unlock();
	free(s);
	errno = err;
	return NULL;
}

int sl_mem_event_register(const char *name, sl_mem_event_cb cb, void *arg)
{
	struct listener *l, **tail;
	const struct seg_table *t;
	int err;

	if (name == NULL || cb == NULL || strlen(name) >= LISTENER_NAME_LEN) {
		SL_LOG(ERR, EAL_LOG, "memory listener: needs a callback and a name shorter than %d",
		       LISTENER_NAME_LEN);
		errno = EINVAL;
		return -1;
	}
	l = calloc(1, sizeof(*l));
	if (l == NULL) {
		errno = ENOMEM;
		return -1;
	}
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->cb = cb;
	l->arg = arg;

	eal_mem_lock();
	for (struct listener *o = listeners; o != NULL; o = o->next) {
		if (strcmp(o->name, name) == 0 && o->arg == arg) {
			eal_mem_unlock();
			free(l);
			SL_LOG(ERR, EAL_LOG, "memory listener '%s' is already registered", name);
			errno = EEXIST;
			return -1;
		}
	}
	/* Replay existing segments; undo on the first refusal. */
	t = atomic_load(&seg_table);
	for (unsigned i = 0; t != NULL && i < t->n; i++) {
		errno = 0;
		if (cb(SL_MEM_EVENT_ADD, &t->segs[i]->pub, arg) != 0) {
			err = cb_errno(errno);
			SL_LOG(ERR, EAL_LOG,
			       "memory listener '%s' refused existing segment %p (%zu bytes): %s; "
			       "not registered", name, t->segs[i]->pub.va, t->segs[i]->pub.len,
			       strerror(err));
			while (i-- > 0)
				cb(SL_MEM_EVENT_REMOVE, &t->segs[i]->pub, arg);
			eal_mem_unlock();
			free(l);
			errno = err;
			return -1;
		}
	}
	for (tail = &listeners; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = l;
	eal_mem_unlock();
	return 0;
}

int sl_mem_event_unregister(const char *name, void *arg)
{
	struct listener **pp;

	if (name == NULL) {
		errno = EINVAL;
		return -1;
	}
	eal_mem_lock();
	for (pp = &listeners; *pp != NULL; pp = &(*pp)->next) {
		if (strcmp((*pp)->name, name) == 0 && (*pp)->arg == arg) {
			struct listener *l = *pp;
			*pp = l->next;
			eal_mem_unlock();
			free(l);
			return 0;
		}
	}
	eal_mem_unlock();
	errno = ENOENT;
	return -1;
}

int sl_mem_set_iova_chooser(sl_mem_iova_chooser choose, void *arg)
{
	eal_mem_lock();
	if (choose != NULL && iova_chooser != NULL &&
	    (iova_chooser != choose || iova_chooser_arg != arg)) {
		eal_mem_unlock();
		errno = EBUSY;
		return -1;
	}
	iova_chooser = choose;
	iova_chooser_arg = choose ? arg : NULL;
	eal_mem_unlock();
	return 0;
}

int sl_mem_set_pa_source(sl_mem_pa_source get, sl_mem_pa_release release, void *arg)
{
	eal_mem_lock();
	if (get != NULL && pa_source != NULL && (pa_source != get || pa_source_arg != arg)) {
		eal_mem_unlock();
		errno = EBUSY;
		return -1;
	}
	pa_source = get;
	pa_release = get ? release : NULL;
	pa_source_arg = get ? arg : NULL;
	eal_mem_unlock();
	return 0;
}

int eal_memreg_pa_source(const struct sl_memseg *seg, uint64_t *pas)
{
	return pa_source ? pa_source(seg, pas, pa_source_arg) : 1;
}

void eal_memreg_pa_release(void *va, size_t len)
{
	if (pa_release)
		pa_release(va, len, pa_source_arg);
}

void eal_memreg_cleanup(void)
{
	struct seg_table *t;

	eal_mem_lock();
	t = atomic_load(&seg_table);
	/* Newest first; every listener hears REMOVE before the memory goes. */
	for (unsigned i = t ? t->n : 0; i-- > 0;) {
		struct eal_seg *s = t->segs[i];
		notify_remove(listeners, NULL, &s->pub);
		seg_release(s);
	}
	atomic_store(&seg_table, NULL);
	free(t);
	while (retired_tables != NULL) {
		struct seg_table *r = retired_tables;
		retired_tables = r->next_retired;
		free(r);
	}
	while (all_segs != NULL) {
		struct eal_seg *s = all_segs;
		all_segs = s->next_all;
		free(s);
	}
	while (listeners != NULL) {
		struct listener *l = listeners;
		listeners = l->next;
		free(l);
	}
	iova_mode = SL_IOVA_VA;
	iova_chooser = NULL;
	iova_chooser_arg = NULL;
	pa_source = NULL;
	pa_release = NULL;
	pa_source_arg = NULL;
	eal_mem_unlock();
}
