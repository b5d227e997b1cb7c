/* rte_random.h (Sluice rte_ compatibility layer): a per-thread
 * pseudo-random generator (not for cryptography), as DPDK's. */
#ifndef SLUICE_RTE_RANDOM_H
#define SLUICE_RTE_RANDOM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

void rte_srand(uint64_t seedval);
uint64_t rte_rand(void);
/* Uniform in [0, UPPER_BOUND); 0 when UPPER_BOUND is 0. */
uint64_t rte_rand_max(uint64_t upper_bound);
double rte_drand(void);

#ifdef __cplusplus
}
#endif
#endif
