/* rte_malloc.h (Sluice rte_ compatibility layer): the rte_malloc family
 * over Sluice's DMA heap (sl_dma_zmalloc/sl_dma_free): memory is always
 * zeroed, pinned and IOVA-mapped. TYPE names the block in sl_dma_dump.
 * The _socket variants take SOCKET_ID_ANY or any NUMA node of the machine
 * (0 .. rte_socket_count() - 1); the heap is one pool not bound to a node,
 * so a node is served from it (logged once on a machine of several nodes).
 * A number that names no node: NULL, rte_errno EINVAL. rte_realloc is not
 * provided. */
#ifndef SLUICE_RTE_MALLOC_H
#define SLUICE_RTE_MALLOC_H

#include <stddef.h>

#include "rte_common.h"
#include "rte_memory.h"

#ifdef __cplusplus
extern "C" {
#endif

void *rte_malloc(const char *type, size_t size, unsigned align);
void *rte_zmalloc(const char *type, size_t size, unsigned align);
void *rte_calloc(const char *type, size_t num, size_t size, unsigned align);
void *rte_malloc_socket(const char *type, size_t size, unsigned align, int socket);
void *rte_zmalloc_socket(const char *type, size_t size, unsigned align, int socket);
void *rte_calloc_socket(const char *type, size_t num, size_t size, unsigned align, int socket);
void rte_free(void *ptr);

static inline rte_iova_t rte_malloc_virt2iova(const void *addr)
{
	return sl_mem_virt2iova(addr);
}

#ifdef __cplusplus
}
#endif
#endif
