/* rte_mbuf_dyn.h (Sluice rte_ compatibility layer): DPDK's mbuf dynamic
 * fields and flags over Sluice's (sl_mbuf_dynfield_register & co.): the
 * parameter structs are Sluice's, with DPDK's layout and names; the calls
 * return -1 with rte_errno set on failure, as DPDK's do. Sluice's dynamic
 * area is 40 bytes (DPDK 22.11's is 36 in dynfield1[9] plus dynfield2);
 * its dynamic flags are ol_flags bits 23..40. */
#ifndef SLUICE_RTE_MBUF_DYN_H
#define SLUICE_RTE_MBUF_DYN_H

#include "sl_mbuf.h"
#include "rte_errno.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RTE_MBUF_DYN_NAMESIZE SL_MBUF_DYN_NAMESIZE
#define rte_mbuf_dynfield sl_mbuf_dynfield
#define rte_mbuf_dynflag sl_mbuf_dynflag
#define RTE_MBUF_DYNFIELD(m, offset, type) SL_MBUF_DYNFIELD(m, offset, type)

static inline int __rte_mbuf_dyn_ret(int ret)
{
	if (ret >= 0)
		return ret;
	rte_errno = -ret;
	return -1;
}

static inline int rte_mbuf_dynfield_register(const struct rte_mbuf_dynfield *params)
{
	return __rte_mbuf_dyn_ret(sl_mbuf_dynfield_register(params));
}

static inline int rte_mbuf_dynfield_lookup(const char *name, struct rte_mbuf_dynfield *params)
{
	return __rte_mbuf_dyn_ret(sl_mbuf_dynfield_lookup(name, params));
}

static inline int rte_mbuf_dynflag_register(const struct rte_mbuf_dynflag *params)
{
	return __rte_mbuf_dyn_ret(sl_mbuf_dynflag_register(params));
}

static inline int rte_mbuf_dynflag_lookup(const char *name, struct rte_mbuf_dynflag *params)
{
	return __rte_mbuf_dyn_ret(sl_mbuf_dynflag_lookup(name, params));
}

#ifdef __cplusplus
}
#endif
#endif
