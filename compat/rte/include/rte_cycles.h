/* rte_cycles.h (Sluice rte_ compatibility layer): the cycle counter, its
 * rate and busy delays, over sl_rdtsc/sl_tsc_hz/sl_delay_us. */
#ifndef SLUICE_RTE_CYCLES_H
#define SLUICE_RTE_CYCLES_H

#include "rte_common.h"

#ifdef __cplusplus
extern "C" {
#endif

static inline uint64_t rte_rdtsc(void)
{
	return sl_rdtsc();
}

static inline uint64_t rte_rdtsc_precise(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return sl_rdtsc();
}

static inline uint64_t rte_get_tsc_cycles(void)
{
	return sl_rdtsc();
}

static inline uint64_t rte_get_tsc_hz(void)
{
	return sl_tsc_hz();
}

static inline uint64_t rte_get_timer_cycles(void)
{
	return sl_rdtsc();
}

static inline uint64_t rte_get_timer_hz(void)
{
	return sl_tsc_hz();
}

static inline void rte_delay_us(unsigned us)
{
	sl_delay_us(us);
}

static inline void rte_delay_us_block(unsigned us)
{
	sl_delay_us(us);
}

static inline void rte_delay_ms(unsigned ms)
{
	sl_delay_us(ms * 1000U);
}

#ifdef __cplusplus
}
#endif
#endif
