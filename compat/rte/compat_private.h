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

/* A NUMA socket asked of a queue, pool or allocation (WHAT names it for
 * the log): SOCKET_ID_ANY and every node of the machine (0 ..
 * sl_socket_count() - 1, the nodes rte_socket_id() and
 * rte_eth_dev_socket_id() report) are taken: 0. Sluice's memory is one
 * pool that is not bound to a node, so on a machine of several nodes the
 * first request naming one is logged once (served from that pool). A
 * number that names no node: logged, rte_errno EINVAL, -EINVAL. */
int compat_socket_check(int socket_id, const char *what);

#endif
