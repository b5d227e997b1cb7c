/* rte_lcore.h (Sluice rte_ compatibility layer): lcore ids and iteration
 * over Sluice's lcores. NUMA nodes come from Sluice's EAL (sysfs; 0 on a
 * machine without NUMA information). See doc/dpdk-compat.md. */
#ifndef SLUICE_RTE_LCORE_H
#define SLUICE_RTE_LCORE_H

#include "rte_common.h"
#include "rte_per_lcore.h"
#include "rte_eal.h"
#include "rte_launch.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LCORE_ID_ANY UINT32_MAX

static inline unsigned rte_lcore_id(void)
{
	return sl_lcore_id();
}

static inline unsigned rte_lcore_count(void)
{
	return sl_lcore_count();
}

static inline unsigned rte_get_main_lcore(void)
{
	return sl_get_main_lcore();
}

static inline int rte_lcore_is_enabled(unsigned lcore_id)
{
	return sl_lcore_is_enabled(lcore_id);
}

static inline int rte_lcore_to_cpu_id(int lcore_id)
{
	return sl_lcore_to_cpu_id((unsigned)lcore_id);
}

static inline unsigned rte_get_next_lcore(unsigned i, int skip_main, int wrap)
{
	return sl_get_next_lcore(i, skip_main != 0, wrap != 0);
}

/* The calling lcore's NUMA node (SOCKET_ID_ANY, as unsigned, off an lcore
 * whose node is unknown). */
static inline unsigned rte_socket_id(void)
{
	return (unsigned)sl_socket_id();
}

static inline unsigned rte_lcore_to_socket_id(unsigned lcore_id)
{
	return (unsigned)sl_lcore_to_socket_id(lcore_id);
}

/* NUMA nodes of the machine (sl_socket_count). */
static inline unsigned rte_socket_count(void)
{
	return sl_socket_count();
}

#define RTE_LCORE_FOREACH(i) SL_LCORE_FOREACH(i)
#define RTE_LCORE_FOREACH_WORKER(i) SL_LCORE_FOREACH_WORKER(i)

#ifdef __cplusplus
}
#endif
#endif
