/* rte_debug.h (Sluice rte_ compatibility layer): rte_panic logs
 * "PANIC in FUNC(): ..." and aborts; RTE_VERIFY panics when false. */
#ifndef SLUICE_RTE_DEBUG_H
#define SLUICE_RTE_DEBUG_H

#include "rte_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The trailing "%.0s" swallows the extra argument that lets rte_panic
 * take a format without arguments. */
#define rte_panic(...) rte_panic_(__func__, __VA_ARGS__, "dummy")
#define rte_panic_(func, format, ...) __rte_panic(func, format "%.0s", __VA_ARGS__)
#define RTE_VERIFY(exp) \
	do { \
		if (unlikely(!(exp))) \
			rte_panic("line %d\tassert \"%s\" failed\n", __LINE__, #exp); \
	} while (0)
#define RTE_ASSERT(exp) do { } while (0)

__rte_noreturn void __rte_panic(const char *funcname, const char *format, ...)
	__rte_format_printf(2, 3);
void rte_dump_stack(void);

#ifdef __cplusplus
}
#endif
#endif
