/* rte_eal.c: rte_eal_init/cleanup, rte_exit, rte_panic and the launch
 * call that Sluice has no single function for, over Sluice's EAL. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "compat_private.h"
#include "rte_debug.h"
#include "rte_eal.h"
#include "rte_launch.h"
#include "rte_lcore.h"
#include "rte_log.h"

RTE_DEFINE_PER_LCORE(int, _rte_errno);

int rte_eal_init(int argc, char **argv)
{
	/* argv goes to Sluice's EAL as it is: it parses the options (DPDK's
	 * forms too, as far as it takes them), logs what is wrong, and
	 * returns the number of arguments consumed. */
	int ret = sl_eal_init(argc, argv);
	if (ret < 0) {
		rte_errno = errno ? errno : EINVAL;
		return -1;
	}
	return ret;
}

int rte_eal_cleanup(void)
{
	int ret = sl_eal_cleanup();
	if (ret != 0) {
		rte_errno = errno ? errno : EINVAL;
		return -rte_errno;
	}
	return 0;
}

int rte_eal_mp_remote_launch(lcore_function_t *f, void *arg, enum rte_rmt_call_main_t call_main)
{
	unsigned lcore;

	/* As DPDK: every worker is checked first, and none is launched when
	 * one is still running. */
	SL_LCORE_FOREACH_WORKER(lcore) {
		if (sl_eal_get_lcore_state(lcore) == SL_LCORE_RUNNING) {
			SL_LOG(ERR, COMPAT_LOG, "rte_eal_mp_remote_launch: lcore %u is still running a "
			       "function; wait for it (rte_eal_mp_wait_lcore) first", lcore);
			rte_errno = EBUSY;
			return -EBUSY;
		}
	}
	SL_LCORE_FOREACH_WORKER(lcore) {
		int ret = sl_eal_remote_launch(f, arg, lcore);
		if (ret != 0) {
			SL_LOG(ERR, COMPAT_LOG, "rte_eal_mp_remote_launch: lcore %u is still running a "
			       "function; wait for it (rte_eal_mp_wait_lcore) first", lcore);
			rte_errno = -ret;
			return ret;
		}
	}
	if (call_main == CALL_MAIN)
		f(arg);
	return 0;
}

int rte_mp_action_register(const char *name, rte_mp_t action)
{
	(void)action;
	SL_LOG(ERR, COMPAT_LOG, "rte_mp_action_register(%s): Sluice runs one process and has no "
	       "multi-process channel", name ? name : "(null)");
	rte_errno = ENOTSUP;
	return -1;
}

void rte_mp_action_unregister(const char *name)
{
	(void)name;
}

int rte_mp_sendmsg(struct rte_mp_msg *msg)
{
	(void)msg;
	SL_LOG(ERR, COMPAT_LOG, "rte_mp_sendmsg: Sluice runs one process and has no multi-process channel");
	rte_errno = ENOTSUP;
	return -1;
}

void rte_exit(int exit_code, const char *format, ...)
{
	va_list ap;

	if (exit_code != 0)
		SL_LOG(ERR, "lib.eal", "Error - exiting with code: %d", exit_code);
	va_start(ap, format);
	rte_vlog(RTE_LOG_CRIT, RTE_LOGTYPE_EAL, format, ap);
	va_end(ap);
	/* As DPDK's rte_exit: clean up, then exit. rte_exit is often called
	 * while workers still run their loops; sl_eal_cleanup then refuses
	 * (EBUSY, naming the running lcores) instead of joining threads that
	 * never return or freeing memory under them, and the process exits
	 * anyway: the kernel releases the hugepages, the VFIO devices and
	 * their DMA mappings when it ends. */
	(void)sl_eal_cleanup(); /* EALREADY before rte_eal_init: harmless */
	exit(exit_code);
}

void __rte_panic(const char *funcname, const char *format, ...)
{
	va_list ap;

	SL_LOG(ERR, "lib.eal", "PANIC in %s():", funcname);
	va_start(ap, format);
	rte_vlog(RTE_LOG_CRIT, RTE_LOGTYPE_EAL, format, ap);
	va_end(ap);
	abort();
}

void rte_dump_stack(void)
{
	SL_LOG(NOTICE, COMPAT_LOG, "rte_dump_stack: no stack dump in Sluice");
}
