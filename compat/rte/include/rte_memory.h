/* rte_memory.h (Sluice rte_ compatibility layer): IOVA types and
 * translation over Sluice's segment registry, SOCKET_ID_ANY. */
#ifndef SLUICE_RTE_MEMORY_H
#define SLUICE_RTE_MEMORY_H

#include <stdint.h>

#include "rte_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SOCKET_ID_ANY -1
#define RTE_PGSIZE_4K (1ULL << 12)
#define RTE_PGSIZE_2M (1ULL << 21)
#define RTE_PGSIZE_1G (1ULL << 30)

typedef uint64_t rte_iova_t;
#define RTE_BAD_IOVA ((rte_iova_t)-1)

static inline rte_iova_t rte_mem_virt2iova(const void *virt)
{
	return sl_mem_virt2iova(virt);
}

#ifdef __cplusplus
}
#endif
#endif
