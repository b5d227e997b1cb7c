/* rte_common.h (Sluice rte_ compatibility layer): attributes, min/max,
 * alignment helpers, and rte_exit. See doc/dpdk-compat.md. */
#ifndef SLUICE_RTE_COMMON_H
#define SLUICE_RTE_COMMON_H

#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <limits.h>

#include "rte_config.h"
#include "rte_branch_prediction.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RTE_STD_C11 __extension__
#define __rte_unused __attribute__((__unused__))
#define __rte_used __attribute__((used))
#define __rte_packed __attribute__((__packed__))
#define __rte_aligned(a) __attribute__((__aligned__(a)))
#define __rte_cache_aligned __rte_aligned(RTE_CACHE_LINE_SIZE)
#define __rte_cache_min_aligned __rte_aligned(RTE_CACHE_LINE_SIZE)
#define __rte_always_inline inline __attribute__((always_inline))
#define __rte_noinline __attribute__((noinline))
#define __rte_noreturn __attribute__((noreturn))
#define __rte_weak __attribute__((__weak__))
#define __rte_hot __attribute__((hot))
#define __rte_cold __attribute__((cold))
#define __rte_deprecated __attribute__((__deprecated__))
#define __rte_experimental
#define __rte_internal
#define __rte_format_printf(format_index, first_arg) \
	__attribute__((format(printf, format_index, first_arg)))
#define __rte_restrict __restrict
#define RTE_SET_USED(x) (void)(x)
#define RTE_PRIORITY_LOW 101
#define RTE_INIT(func) static void __attribute__((constructor, used)) func(void)
#define RTE_FINI(func) static void __attribute__((destructor, used)) func(void)

#define RTE_MIN(a, b) \
	__extension__({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); _a < _b ? _a : _b; })
#define RTE_MAX(a, b) \
	__extension__({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); _a > _b ? _a : _b; })
#define RTE_DIM(a) (sizeof(a) / sizeof((a)[0]))
#define RTE_BUILD_BUG_ON(condition) ((void)sizeof(char[1 - 2 * !!(condition)]))
#define RTE_STR(x) _RTE_STR(x)
#define _RTE_STR(x) #x
#define RTE_BIT32(nr) (UINT32_C(1) << (nr))
#define RTE_BIT64(nr) (UINT64_C(1) << (nr))
#define RTE_PTR_ADD(ptr, x) ((void *)((uintptr_t)(ptr) + (x)))
#define RTE_PTR_SUB(ptr, x) ((void *)((uintptr_t)(ptr) - (x)))
#define RTE_PTR_DIFF(ptr1, ptr2) ((uintptr_t)(ptr1) - (uintptr_t)(ptr2))
#define RTE_ALIGN_FLOOR(val, align) \
	(__typeof__(val))((val) & (~((__typeof__(val))((align) - 1))))
#define RTE_ALIGN_CEIL(val, align) RTE_ALIGN_FLOOR(((val) + ((__typeof__(val))(align) - 1)), align)
#define RTE_ALIGN(val, align) RTE_ALIGN_CEIL(val, align)
#define RTE_CACHE_LINE_ROUNDUP(size) RTE_ALIGN_CEIL(size, RTE_CACHE_LINE_SIZE)
#define RTE_LEN2MASK(ln, tp) ((tp)((uint64_t)-1 >> (sizeof(uint64_t) * CHAR_BIT - (ln))))
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#define MS_PER_S 1000
#define US_PER_S 1000000
#define NS_PER_S 1000000000

static inline int rte_is_power_of_2(uint32_t n)
{
	return n && !(n & (n - 1));
}

static inline uint32_t rte_align32pow2(uint32_t x)
{
	x--;
	x |= x >> 1;
	x |= x >> 2;
	x |= x >> 4;
	x |= x >> 8;
	x |= x >> 16;
	return x + 1;
}

static inline uint64_t rte_align64pow2(uint64_t v)
{
	v--;
	v |= v >> 1;
	v |= v >> 2;
	v |= v >> 4;
	v |= v >> 8;
	v |= v >> 16;
	v |= v >> 32;
	return v + 1;
}

/* Print the message (the EAL log, level CRIT) and exit with EXIT_CODE.
 * Unlike DPDK's it does not run rte_eal_cleanup: see doc/dpdk-compat.md. */
__rte_noreturn void rte_exit(int exit_code, const char *format, ...) __rte_format_printf(2, 3);

#ifdef __cplusplus
}
#endif
#endif
