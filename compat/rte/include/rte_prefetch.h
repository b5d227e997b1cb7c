/* rte_prefetch.h (Sluice rte_ compatibility layer). */
#ifndef SLUICE_RTE_PREFETCH_H
#define SLUICE_RTE_PREFETCH_H

static inline void rte_prefetch0(const volatile void *p)
{
	__builtin_prefetch((const void *)p, 0, 3);
}

static inline void rte_prefetch1(const volatile void *p)
{
	__builtin_prefetch((const void *)p, 0, 2);
}

static inline void rte_prefetch2(const volatile void *p)
{
	__builtin_prefetch((const void *)p, 0, 1);
}

static inline void rte_prefetch_non_temporal(const volatile void *p)
{
	__builtin_prefetch((const void *)p, 0, 0);
}

static inline void rte_prefetch0_write(const void *p)
{
	__builtin_prefetch(p, 1, 3);
}

#endif
