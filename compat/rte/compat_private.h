/* compat_private.h: what the files of libsluice_rte share. */
#ifndef SLUICE_RTE_COMPAT_PRIVATE_H
#define SLUICE_RTE_COMPAT_PRIVATE_H

#include <errno.h>

#include "rte_errno.h"
#include "sl_eal.h"

#define COMPAT_LOG "rte_compat"

/* A request Sluice cannot honour: log what was asked (once per call site
 * and process, so a loop over ports does not flood the log), set rte_errno
 * to ENOTSUP and return -ENOTSUP from the calling function. */
#define COMPAT_REFUSE(...) \
	do { \
		static int logged_; \
		if (!__atomic_exchange_n(&logged_, 1, __ATOMIC_RELAXED)) \
			SL_LOG(ERR, COMPAT_LOG, __VA_ARGS__); \
		rte_errno = ENOTSUP; \
		return -ENOTSUP; \
	} while (0)

/* A negative errno RET from a Sluice call: also in rte_errno. */
static inline int compat_ret(int ret)
{
	if (ret < 0)
		rte_errno = -ret;
	return ret;
}

/* Whether SOCKET_ID is one this layer can honour: SOCKET_ID_ANY, or the
 * socket it reports for every lcore (0). */
static inline int compat_socket_ok(int socket_id)
{
	return socket_id == -1 || socket_id == 0;
}

#endif
