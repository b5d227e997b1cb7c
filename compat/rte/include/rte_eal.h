/* rte_eal.h (Sluice rte_ compatibility layer): EAL init and cleanup over
 * sl_eal_init/sl_eal_cleanup. rte_eal_init hands argv to sl_eal_init as it
 * is: the options it takes are Sluice's EAL's (doc/eal.md,
 * doc/dpdk-compat.md); it returns the number of arguments consumed, and
 * argv[ret] is the program name again, as with DPDK. There is one process
 * (the primary): no secondary processes, no multi-process channel. */
#ifndef SLUICE_RTE_EAL_H
#define SLUICE_RTE_EAL_H

#include <stdint.h>
#include <sched.h>

#include "rte_common.h"
#include "rte_errno.h"
#include "rte_per_lcore.h"
#include "rte_log.h"

#ifdef __cplusplus
extern "C" {
#endif

enum rte_proc_type_t {
	RTE_PROC_AUTO = -1,
	RTE_PROC_PRIMARY = 0,
	RTE_PROC_SECONDARY,
	RTE_PROC_INVALID
};

enum rte_iova_mode {
	RTE_IOVA_DC = 0,
	RTE_IOVA_PA = (1 << 0),
	RTE_IOVA_VA = (1 << 1)
};

/* The number of arguments consumed (>= 0), or -1 with rte_errno set and
 * the reason logged. */
int rte_eal_init(int argc, char **argv);
int rte_eal_cleanup(void);

static inline enum rte_proc_type_t rte_eal_process_type(void)
{
	return RTE_PROC_PRIMARY;
}

static inline enum rte_iova_mode rte_eal_iova_mode(void)
{
	return sl_eal_iova_mode() == SL_IOVA_PA ? RTE_IOVA_PA : RTE_IOVA_VA;
}

static inline int rte_eal_has_hugepages(void)
{
	return !sl_eal_get_config()->no_huge;
}

static inline int rte_eal_has_pci(void)
{
	return 1;
}

/* Multi-process messages: Sluice runs one process, so there is no channel.
 * Registering or sending fails with -1 and rte_errno ENOTSUP. */
struct rte_mp_msg;
typedef int (*rte_mp_t)(const struct rte_mp_msg *msg, const void *peer);
int rte_mp_action_register(const char *name, rte_mp_t action);
void rte_mp_action_unregister(const char *name);
int rte_mp_sendmsg(struct rte_mp_msg *msg);

#ifdef __cplusplus
}
#endif
#endif
