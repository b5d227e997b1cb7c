/* rte_branch_prediction.h (Sluice rte_ compatibility layer). */
#ifndef SLUICE_RTE_BRANCH_PREDICTION_H
#define SLUICE_RTE_BRANCH_PREDICTION_H

#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#endif
#ifndef unlikely
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif

#endif
