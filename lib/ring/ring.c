/* ring.c: creation and release of lock-free rings (the enqueue/dequeue
 * fast path is inline in sl_ring.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sl_eal.h"
#include "sl_ring.h"

#define RING_LOG "ring"

static int ring_count_ok(unsigned count)
{
	return count != 0 && count <= SL_RING_SZ_MAX && (count & (count - 1)) == 0;
}

ssize_t sl_ring_get_memsize(unsigned count)
{
	if (!ring_count_ok(count))
		return -EINVAL;
	return (ssize_t)SL_ALIGN_CEIL(sizeof(struct sl_ring) + (size_t)count * sizeof(void *),
				      (size_t)(2 * SL_CACHE_LINE_SIZE));
}

int sl_ring_init(struct sl_ring *r, const char *name, unsigned count, unsigned flags)
{
	if (r == NULL || name == NULL) {
		SL_LOG(ERR, RING_LOG, "sl_ring_init: ring memory and name must not be NULL");
		return -EINVAL;
	}
	if (!ring_count_ok(count)) {
		SL_LOG(ERR, RING_LOG,
		       "ring '%s': %u slots asked for; the count must be a power of two between 1 and %u",
		       name, count, SL_RING_SZ_MAX);
		return -EINVAL;
	}
	if (flags & ~(unsigned)(SL_RING_F_SP_ENQ | SL_RING_F_SC_DEQ)) {
		SL_LOG(ERR, RING_LOG, "ring '%s': unknown flags 0x%x (known: SL_RING_F_SP_ENQ, SL_RING_F_SC_DEQ)",
		       name, flags);
		return -EINVAL;
	}
	if (strlen(name) >= SL_RING_NAMESIZE) {
		SL_LOG(ERR, RING_LOG, "ring '%s': name longer than %d characters", name,
		       SL_RING_NAMESIZE - 1);
		return -EINVAL;
	}

	memset(r, 0, sizeof(*r));
	strcpy(r->name, name);
	r->flags = flags;
	r->size = count;
	r->mask = count - 1;
	r->capacity = count;
	r->prod.single = (flags & SL_RING_F_SP_ENQ) ? 1 : 0;
	r->cons.single = (flags & SL_RING_F_SC_DEQ) ? 1 : 0;
	return 0;
}

struct sl_ring *sl_ring_create(const char *name, unsigned count, unsigned flags)
{
	ssize_t size = sl_ring_get_memsize(count);
	struct sl_ring *r;
	int ret;

	if (size < 0) {
		SL_LOG(ERR, RING_LOG,
		       "ring '%s': %u slots asked for; the count must be a power of two between 1 and %u",
		       name ? name : "(null)", count, SL_RING_SZ_MAX);
		errno = EINVAL;
		return NULL;
	}
	r = aligned_alloc(2 * SL_CACHE_LINE_SIZE, (size_t)size);
	if (r == NULL) {
		SL_LOG(ERR, RING_LOG, "ring '%s': cannot allocate %zd bytes for %u slots",
		       name ? name : "(null)", size, count);
		errno = ENOMEM;
		return NULL;
	}
	ret = sl_ring_init(r, name, count, flags);
	if (ret < 0) {
		free(r);
		errno = -ret;
		return NULL;
	}
	r->allocated = 1;
	return r;
}

void sl_ring_free(struct sl_ring *r)
{
	if (r == NULL)
		return;
	if (!r->allocated) {
		SL_LOG(WARNING, RING_LOG, "ring '%s' was set up in caller memory (sl_ring_init); not freed",
		       r->name);
		return;
	}
	free(r);
}
