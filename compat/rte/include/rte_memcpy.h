/* rte_memcpy.h (Sluice rte_ compatibility layer): the C library's memcpy,
 * which the compiler inlines for small constant sizes. */
#ifndef SLUICE_RTE_MEMCPY_H
#define SLUICE_RTE_MEMCPY_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline void *rte_memcpy(void *dst, const void *src, size_t n)
{
	return memcpy(dst, src, n);
}

static inline void rte_mov16(uint8_t *dst, const uint8_t *src)
{
	memcpy(dst, src, 16);
}

#endif
