/* mbuf_dyn.c: the registry of mbuf dynamic fields (offsets into the
 * dynfield1 area at the end of struct sl_mbuf) and dynamic flags (ol_flags
 * bits SL_MBUF_DYNFLAG_FIRST..LAST), by name, under one lock. Registration
 * is a control-path call; nothing here is on the fast path. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "sl_eal.h"
#include "sl_mbuf.h"

#define MBUF_LOG "mbuf"

#define AREA_START offsetof(struct sl_mbuf, dynfield1)
#define AREA_SIZE sizeof(((struct sl_mbuf *)0)->dynfield1)
#define AREA_END (AREA_START + AREA_SIZE)
#define NB_DYNFLAGS (SL_MBUF_DYNFLAG_LAST - SL_MBUF_DYNFLAG_FIRST + 1)

struct dynfield_entry {
	struct sl_mbuf_dynfield params;
	size_t offset;
};

static pthread_mutex_t dyn_lock = PTHREAD_MUTEX_INITIALIZER;
/* every field takes at least one byte: at most AREA_SIZE of them */
static struct dynfield_entry dynfields[AREA_SIZE];
static unsigned nb_dynfields;
static bool area_used[AREA_SIZE];
/* dynflags[i]: the flag at bit FIRST + i (empty name: free) */
static struct sl_mbuf_dynflag dynflags[NB_DYNFLAGS];

static int check_name(const char *name, const char *what)
{
	size_t len = strnlen(name, SL_MBUF_DYN_NAMESIZE);
	if (len == 0) {
		SL_LOG(ERR, MBUF_LOG, "dynamic %s: empty name", what);
		return -EINVAL;
	}
	if (len == SL_MBUF_DYN_NAMESIZE) {
		SL_LOG(ERR, MBUF_LOG, "dynamic %s \"%.*s...\": name longer than %d characters", what, 16, name,
		       SL_MBUF_DYN_NAMESIZE - 1);
		return -ENAMETOOLONG;
	}
	return 0;
}

static bool range_free(size_t off, size_t size)
{
	for (size_t i = off; i < off + size; i++)
		if (area_used[i - AREA_START])
			return false;
	return true;
}

int sl_mbuf_dynfield_register(const struct sl_mbuf_dynfield *params)
{
	if (params == NULL)
		return -EINVAL;
	int ret = check_name(params->name, "field");
	if (ret != 0)
		return ret;
	if (params->size == 0 || params->size > AREA_SIZE || params->align == 0 ||
	    (params->align & (params->align - 1)) != 0 || params->align > SL_CACHE_LINE_SIZE || params->flags != 0) {
		SL_LOG(ERR, MBUF_LOG, "dynamic field %s: size %zu, align %zu, flags 0x%x: the size must be 1 to %zu, "
		       "the alignment a power of two up to %d, the flags 0", params->name, params->size, params->align,
		       params->flags, AREA_SIZE, SL_CACHE_LINE_SIZE);
		return -EINVAL;
	}

	pthread_mutex_lock(&dyn_lock);
	for (unsigned i = 0; i < nb_dynfields; i++) {
		const struct dynfield_entry *e = &dynfields[i];
		if (strcmp(e->params.name, params->name) != 0)
			continue;
		if (e->params.size == params->size && e->params.align == params->align &&
		    e->params.flags == params->flags) {
			ret = (int)e->offset; /* the same field again */
		} else {
			SL_LOG(ERR, MBUF_LOG, "dynamic field %s is registered already with size %zu, align %zu "
			       "(asked for size %zu, align %zu)", params->name, e->params.size, e->params.align,
			       params->size, params->align);
			ret = -EEXIST;
		}
		pthread_mutex_unlock(&dyn_lock);
		return ret;
	}
	/* first fit; the mbuf is cache-line aligned, so an offset aligned
	 * from its start is aligned in memory */
	ret = -ENOSPC;
	for (size_t off = (AREA_START + params->align - 1) & ~(params->align - 1); off + params->size <= AREA_END;
	     off += params->align) {
		if (!range_free(off, params->size))
			continue;
		struct dynfield_entry *e = &dynfields[nb_dynfields++];
		e->params = *params;
		e->offset = off;
		memset(&area_used[off - AREA_START], 1, params->size);
		ret = (int)off;
		break;
	}
	pthread_mutex_unlock(&dyn_lock);
	if (ret == -ENOSPC)
		SL_LOG(ERR, MBUF_LOG, "dynamic field %s: no room left for %zu bytes aligned to %zu in the %zu-byte "
		       "dynamic area of the mbuf", params->name, params->size, params->align, AREA_SIZE);
	else
		SL_LOG(DEBUG, MBUF_LOG, "dynamic field %s: offset %d, %zu bytes", params->name, ret, params->size);
	return ret;
}

int sl_mbuf_dynfield_lookup(const char *name, struct sl_mbuf_dynfield *params)
{
	if (name == NULL)
		return -EINVAL;
	int ret = -ENOENT;
	pthread_mutex_lock(&dyn_lock);
	for (unsigned i = 0; i < nb_dynfields; i++) {
		if (strcmp(dynfields[i].params.name, name) == 0) {
			if (params != NULL)
				*params = dynfields[i].params;
			ret = (int)dynfields[i].offset;
			break;
		}
	}
	pthread_mutex_unlock(&dyn_lock);
	return ret;
}

int sl_mbuf_dynflag_register(const struct sl_mbuf_dynflag *params)
{
	if (params == NULL)
		return -EINVAL;
	int ret = check_name(params->name, "flag");
	if (ret != 0)
		return ret;
	if (params->flags != 0) {
		SL_LOG(ERR, MBUF_LOG, "dynamic flag %s: flags 0x%x must be 0", params->name, params->flags);
		return -EINVAL;
	}
	int free_bit = -1;
	ret = -ENOSPC;
	pthread_mutex_lock(&dyn_lock);
	for (int i = 0; i < NB_DYNFLAGS; i++) {
		if (dynflags[i].name[0] == '\0') {
			if (free_bit < 0)
				free_bit = i;
			continue;
		}
		if (strcmp(dynflags[i].name, params->name) == 0) {
			ret = dynflags[i].flags == params->flags ? SL_MBUF_DYNFLAG_FIRST + i : -EEXIST;
			free_bit = -1;
			goto out;
		}
	}
	if (free_bit >= 0) {
		dynflags[free_bit] = *params;
		ret = SL_MBUF_DYNFLAG_FIRST + free_bit;
	}
out:
	pthread_mutex_unlock(&dyn_lock);
	if (ret == -ENOSPC)
		SL_LOG(ERR, MBUF_LOG, "dynamic flag %s: all %d dynamic ol_flags bits (%d..%d) are taken", params->name,
		       NB_DYNFLAGS, SL_MBUF_DYNFLAG_FIRST, SL_MBUF_DYNFLAG_LAST);
	else if (ret == -EEXIST)
		SL_LOG(ERR, MBUF_LOG, "dynamic flag %s is registered already with other flags", params->name);
	return ret;
}

int sl_mbuf_dynflag_lookup(const char *name, struct sl_mbuf_dynflag *params)
{
	if (name == NULL)
		return -EINVAL;
	int ret = -ENOENT;
	pthread_mutex_lock(&dyn_lock);
	for (int i = 0; i < NB_DYNFLAGS; i++) {
		if (dynflags[i].name[0] != '\0' && strcmp(dynflags[i].name, name) == 0) {
			if (params != NULL)
				*params = dynflags[i];
			ret = SL_MBUF_DYNFLAG_FIRST + i;
			break;
		}
	}
	pthread_mutex_unlock(&dyn_lock);
	return ret;
}
