/* eal_malloc.c: the DMA heap. Blocks are carved first-fit from the free
 * extents of the registered segments; when no segment has room, a new
 * segment is reserved (listeners are told, so e.g. dma_map maps it before
 * the block is handed out). All bookkeeping lives in ordinary malloc'd
 * memory, outside the DMA memory a device could scribble on. Not a hot
 * path: one lock. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eal_private.h"

#define HEAP_GROW_MIN ((size_t)4 << 20)
#define HEAP_NAME_LEN 32

struct heap_ext {
	size_t off, len;
};

struct heap_seg {
	const struct sl_memseg *seg;
	struct heap_ext *free;   /* sorted by off, never adjacent */
	unsigned nfree, cap;
};

struct heap_block {
	uintptr_t addr;
	unsigned seg;
	size_t off, len;         /* extent taken, including alignment padding */
	size_t size;             /* what the caller asked for */
	char name[HEAP_NAME_LEN];
};

static struct heap_seg *hsegs;
static unsigned nb_hsegs;
static struct heap_block *blocks; /* sorted by addr */
static unsigned nb_blocks, cap_blocks;
static bool heap_ready;

static int ext_insert_at(struct heap_seg *hs, unsigned pos, size_t off, size_t len)
{
	if (hs->nfree == hs->cap) {
		unsigned cap = hs->cap ? hs->cap * 2 : 8;
		struct heap_ext *n = realloc(hs->free, cap * sizeof(*n));
		if (n == NULL)
			return -1;
		hs->free = n;
		hs->cap = cap;
	}
	memmove(&hs->free[pos + 1], &hs->free[pos], (hs->nfree - pos) * sizeof(hs->free[0]));
	hs->free[pos].off = off;
	hs->free[pos].len = len;
	hs->nfree++;
	return 0;
}

static void ext_remove_at(struct heap_seg *hs, unsigned pos)
{
	memmove(&hs->free[pos], &hs->free[pos + 1], (hs->nfree - pos - 1) * sizeof(hs->free[0]));
	hs->nfree--;
}

/* Give [off, off+len) back, merging with the neighbours. */
static int ext_free(struct heap_seg *hs, size_t off, size_t len)
{
	unsigned pos = 0;

	while (pos < hs->nfree && hs->free[pos].off < off)
		pos++;
	bool merge_prev = pos > 0 && hs->free[pos - 1].off + hs->free[pos - 1].len == off;
	bool merge_next = pos < hs->nfree && off + len == hs->free[pos].off;

	if (merge_prev && merge_next) {
		hs->free[pos - 1].len += len + hs->free[pos].len;
		ext_remove_at(hs, pos);
	} else if (merge_prev) {
		hs->free[pos - 1].len += len;
	} else if (merge_next) {
		hs->free[pos].off = off;
		hs->free[pos].len += len;
	} else {
		return ext_insert_at(hs, pos, off, len);
	}
	return 0;
}

static int heap_add_seg(const struct sl_memseg *seg)
{
	struct heap_seg *n = realloc(hsegs, (nb_hsegs + 1) * sizeof(*n));

	if (n == NULL)
		return -1;
	hsegs = n;
	memset(&hsegs[nb_hsegs], 0, sizeof(hsegs[0]));
	hsegs[nb_hsegs].seg = seg;
	if (ext_insert_at(&hsegs[nb_hsegs], 0, 0, seg->len) != 0)
		return -1;
	nb_hsegs++;
	return 0;
}

/* Where a block of SIZE aligned to ALIGN fits in extent E of HS, or -1. */
static intptr_t fit(const struct heap_seg *hs, const struct heap_ext *e, size_t size,
		    size_t align)
{
	uintptr_t base = (uintptr_t)hs->seg->va + e->off;
	uintptr_t start = SL_ALIGN_CEIL(base, (uintptr_t)align);
	size_t ps = hs->seg->page_size;

	if (size <= ps && start / ps != (start + size - 1) / ps)
		start = SL_ALIGN_CEIL(start, (uintptr_t)ps); /* keep it within one page */
	if (start < base || start - base > e->len || e->len - (start - base) < size)
		return -1;
	return (intptr_t)(start - base);
}

static int blocks_insert(const struct heap_block *b)
{
	unsigned lo = 0, hi = nb_blocks;

	if (nb_blocks == cap_blocks) {
		unsigned cap = cap_blocks ? cap_blocks * 2 : 64;
		struct heap_block *n = realloc(blocks, cap * sizeof(*n));
		if (n == NULL)
			return -1;
		blocks = n;
		cap_blocks = cap;
	}
	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		if (blocks[mid].addr < b->addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(&blocks[lo + 1], &blocks[lo], (nb_blocks - lo) * sizeof(blocks[0]));
	blocks[lo] = *b;
	nb_blocks++;
	return 0;
}

static int blocks_find(uintptr_t addr)
{
	unsigned lo = 0, hi = nb_blocks;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		if (blocks[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo < nb_blocks && blocks[lo].addr == addr) ? (int)lo : -1;
}

/* Take a block from segment I; NULL when it does not fit. */
static void *try_seg(unsigned i, const char *name, size_t size, size_t align)
{
	struct heap_seg *hs = &hsegs[i];

	for (unsigned k = 0; k < hs->nfree; k++) {
		struct heap_ext e = hs->free[k];
		intptr_t pad = fit(hs, &e, size, align);
		if (pad < 0)
			continue;
		size_t used = (size_t)pad + size;
		struct heap_block b = {
			.addr = (uintptr_t)hs->seg->va + e.off + (size_t)pad,
			.seg = i, .off = e.off, .len = used, .size = size,
		};
		snprintf(b.name, sizeof(b.name), "%s", name ? name : "");
		if (blocks_insert(&b) != 0)
			return NULL;
		/* The padding before the block goes with it and returns on free,
		 * so taking a block never adds an extent. */
		if (used == e.len) {
			ext_remove_at(hs, k);
		} else {
			hs->free[k].off = e.off + used;
			hs->free[k].len = e.len - used;
		}
		memset((void *)b.addr, 0, size);
		return (void *)b.addr;
	}
	return NULL;
}

void *sl_dma_zmalloc(const char *name, size_t size, size_t align)
{
	void *p = NULL;
	size_t grow, ps;
	char sz[32];

	if (align == 0)
		align = SL_CACHE_LINE_SIZE;
	if (size == 0 || (align & (align - 1)) != 0 || size > ((size_t)1 << 46) ||
	    align > ((size_t)1 << 40)) {
		SL_LOG(ERR, EAL_LOG, "dma_zmalloc(%s): bad request of %zu bytes aligned to %zu "
		       "(size must be non-zero, align a power of two)", name ? name : "", size, align);
		errno = EINVAL;
		return NULL;
	}
	eal_mem_lock();
	if (!heap_ready) {
		eal_mem_unlock();
		SL_LOG(ERR, EAL_LOG, "dma_zmalloc(%s): call sl_eal_init first", name ? name : "");
		errno = ENODEV;
		return NULL;
	}
	for (unsigned i = 0; i < nb_hsegs && p == NULL; i++)
		p = try_seg(i, name, size, align);
	if (p == NULL) {
		/* No room: reserve a segment big enough for this block ("memory
		 * added later"); listeners hear of it before it is used. */
		ps = eal_memory_page_size();
		grow = size + (align > SL_CACHE_LINE_SIZE ? align : 0);
		if (grow < HEAP_GROW_MIN)
			grow = HEAP_GROW_MIN;
		grow = SL_ALIGN_CEIL(grow, ps);
		eal_format_size(sz, sizeof(sz), grow);
		SL_LOG(INFO, EAL_LOG, "dma heap: growing by %s for '%s' (%zu bytes)", sz,
		       name ? name : "", size);
		const struct sl_memseg *seg = eal_memreg_add(grow);
		if (seg == NULL) {
			int err = errno;
			eal_mem_unlock();
			SL_LOG(ERR, EAL_LOG, "dma_zmalloc(%s): no memory for %zu bytes", name ? name : "",
			       size);
			errno = err;
			return NULL;
		}
		if (heap_add_seg(seg) == 0)
			p = try_seg(nb_hsegs - 1, name, size, align);
		/* If bookkeeping failed the segment stays registered and is
		 * released at cleanup; it is still correct, only unused. */
	}
	eal_mem_unlock();
	if (p == NULL)
		errno = ENOMEM;
	return p;
}

void sl_dma_free(void *ptr)
{
	int idx;

	if (ptr == NULL)
		return;
	eal_mem_lock();
	idx = heap_ready ? blocks_find((uintptr_t)ptr) : -1;
	if (idx < 0) {
		eal_mem_unlock();
		SL_LOG(ERR, EAL_LOG, "dma_free(%p): not a block from sl_dma_zmalloc (or freed twice)",
		       ptr);
		return;
	}
	struct heap_block b = blocks[idx];
	if (ext_free(&hsegs[b.seg], b.off, b.len) != 0) {
		/* Out of memory for the free list: keep the block allocated
		 * (leaked until cleanup) rather than corrupt the heap. */
		eal_mem_unlock();
		SL_LOG(WARNING, EAL_LOG, "dma_free(%p): out of memory, block kept", ptr);
		return;
	}
	memmove(&blocks[idx], &blocks[idx + 1], (nb_blocks - (unsigned)idx - 1) * sizeof(blocks[0]));
	nb_blocks--;
	eal_mem_unlock();
}

void sl_dma_dump(FILE *f)
{
	eal_mem_lock();
	for (unsigned i = 0; i < nb_hsegs; i++) {
		const struct heap_seg *hs = &hsegs[i];
		size_t free_bytes = 0;
		for (unsigned k = 0; k < hs->nfree; k++)
			free_bytes += hs->free[k].len;
		fprintf(f, "segment %u: va %p iova 0x%llx len %zu page %zu free %zu in %u extents\n", i,
			hs->seg->va, (unsigned long long)hs->seg->iova, hs->seg->len,
			hs->seg->page_size, free_bytes, hs->nfree);
	}
	for (unsigned i = 0; i < nb_blocks; i++)
		fprintf(f, "block %p size %zu segment %u '%s'\n", (void *)blocks[i].addr,
			blocks[i].size, blocks[i].seg, blocks[i].name);
	eal_mem_unlock();
}

int eal_heap_init(void)
{
	eal_mem_lock();
	heap_ready = true;
	eal_mem_unlock();
	return 0;
}

int eal_heap_reserve(size_t bytes)
{
	const struct sl_memseg *seg;

	eal_mem_lock();
	seg = eal_memreg_add(bytes);
	if (seg == NULL) {
		int err = errno;
		eal_mem_unlock();
		errno = err;
		return -1;
	}
	if (heap_add_seg(seg) != 0) {
		eal_mem_unlock();
		SL_LOG(ERR, EAL_LOG, "dma heap: out of memory for its bookkeeping");
		errno = ENOMEM;
		return -1; /* the caller's cleanup releases the segment */
	}
	eal_mem_unlock();
	return 0;
}

void eal_heap_cleanup(void)
{
	eal_mem_lock();
	if (nb_blocks > 0)
		SL_LOG(INFO, EAL_LOG, "dma heap: %u blocks were not freed before cleanup (first: '%s')",
		       nb_blocks, blocks[0].name);
	for (unsigned i = 0; i < nb_hsegs; i++)
		free(hsegs[i].free);
	free(hsegs);
	free(blocks);
	hsegs = NULL;
	blocks = NULL;
	nb_hsegs = nb_blocks = cap_blocks = 0;
	heap_ready = false;
	eal_mem_unlock();
}
