/* rte_config.h (Sluice rte_ compatibility layer): the build-time limits a
 * DPDK 22.11 application sees, set to Sluice's own so that loops over
 * RTE_MAX_LCORE or RTE_MAX_ETHPORTS agree with what Sluice returns. */
#ifndef SLUICE_RTE_CONFIG_H
#define SLUICE_RTE_CONFIG_H

#include "sl_eal.h"
#include "sl_ethdev.h"

#define RTE_MAX_LCORE SL_MAX_LCORE
#define RTE_MAX_ETHPORTS SL_MAX_ETHPORTS
#define RTE_MAX_QUEUES_PER_PORT SL_MAX_QUEUES_PER_PORT
#define RTE_ETHDEV_QUEUE_STAT_CNTRS SL_MAX_QUEUES_PER_PORT
#define RTE_CACHE_LINE_SIZE SL_CACHE_LINE_SIZE
#define RTE_MAX_NUMA_NODES 32
#define RTE_MAX_MEMZONE 2560
#define RTE_MEMPOOL_CACHE_MAX_SIZE SL_MEMPOOL_CACHE_MAX_SIZE
#define RTE_PKTMBUF_HEADROOM SL_PKTMBUF_HEADROOM
#define RTE_ARCH_64 1
#if defined(__x86_64__)
#define RTE_ARCH_X86_64 1
#define RTE_ARCH_X86 1
#elif defined(__aarch64__)
#define RTE_ARCH_ARM64 1
#endif
/* Which implementation this is: lets a source tell Sluice's layer apart. */
#define RTE_SLUICE_COMPAT 1
#define RTE_VER_YEAR 22
#define RTE_VER_MONTH 11

#endif
