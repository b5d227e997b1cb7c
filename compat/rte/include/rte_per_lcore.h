/* rte_per_lcore.h (Sluice rte_ compatibility layer): per-lcore variables
 * are thread-local variables, as in DPDK. */
#ifndef SLUICE_RTE_PER_LCORE_H
#define SLUICE_RTE_PER_LCORE_H

#define RTE_DEFINE_PER_LCORE(type, name) __thread __typeof__(type) per_lcore_##name
#define RTE_DECLARE_PER_LCORE(type, name) extern __thread __typeof__(type) per_lcore_##name
#define RTE_PER_LCORE(name) (per_lcore_##name)

#endif
