/* rte_launch.h (Sluice rte_ compatibility layer): running a function on
 * worker lcores, over sl_eal_remote_launch / sl_eal_wait_lcore. */
#ifndef SLUICE_RTE_LAUNCH_H
#define SLUICE_RTE_LAUNCH_H

#include "rte_common.h"

#ifdef __cplusplus
extern "C" {
#endif

enum rte_lcore_state_t {
	WAIT,
	RUNNING,
};

enum rte_rmt_call_main_t {
	SKIP_MAIN = 0,
	CALL_MAIN,
};

typedef int(lcore_function_t)(void *);

/* DPDK 22.11 has two states: a worker whose function returned is WAIT
 * again (its return value waits for rte_eal_wait_lcore); Sluice's FINISHED
 * is reported as WAIT. -EINVAL (as a state) for an lcore not enabled. */
static inline enum rte_lcore_state_t rte_eal_get_lcore_state(unsigned lcore_id)
{
	return sl_eal_get_lcore_state(lcore_id) == SL_LCORE_RUNNING ? RUNNING : WAIT;
}

/* 0, or -EBUSY while WORKER_ID still runs a function. */
static inline int rte_eal_remote_launch(lcore_function_t *f, void *arg, unsigned worker_id)
{
	return sl_eal_remote_launch(f, arg, worker_id);
}

/* F on every worker, and on the main lcore too with CALL_MAIN (the call
 * returns once the main lcore's F has returned). 0, or -EBUSY when a
 * worker is still busy; as in DPDK, then no worker is launched. */
int rte_eal_mp_remote_launch(lcore_function_t *f, void *arg, enum rte_rmt_call_main_t call_main);

/* F's return value. */
static inline int rte_eal_wait_lcore(unsigned worker_id)
{
	return sl_eal_wait_lcore(worker_id);
}

static inline void rte_eal_mp_wait_lcore(void)
{
	sl_eal_mp_wait_lcore();
}

#ifdef __cplusplus
}
#endif
#endif
