/* rte_errno.h (Sluice rte_ compatibility layer): rte_errno is a
 * thread-local int set by the rte_ calls that fail (the library defines
 * it); rte_strerror knows DPDK's two own codes. */
#ifndef SLUICE_RTE_ERRNO_H
#define SLUICE_RTE_ERRNO_H

#include "rte_per_lcore.h"

#ifdef __cplusplus
extern "C" {
#endif

RTE_DECLARE_PER_LCORE(int, _rte_errno);
#define rte_errno RTE_PER_LCORE(_rte_errno)

#ifndef __ELASTERROR
#define __ELASTERROR 1000
#endif
enum {
	RTE_MIN_ERRNO = __ELASTERROR,
	E_RTE_SECONDARY,  /* the call is not allowed in a secondary process */
	E_RTE_NO_CONFIG,  /* the EAL's configuration is missing */
	RTE_MAX_ERRNO
};

/* The message for ERRNUM (a positive errno or one of the above); the
 * string belongs to the calling thread until its next call. */
const char *rte_strerror(int errnum);

#ifdef __cplusplus
}
#endif
#endif
