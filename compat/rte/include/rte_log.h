/* rte_log.h (Sluice rte_ compatibility layer): DPDK's log types and
 * levels over sl_log. A message goes to sl_log under the component named
 * after its type ("lib.eal", "user1", or the name given to
 * rte_log_register), at the Sluice level matching DPDK's (EMERG, ALERT,
 * CRIT and ERR are Sluice's ERR; WARNING, NOTICE, INFO, DEBUG map one to
 * one). One trailing newline is dropped: sl_log ends each line itself. */
#ifndef SLUICE_RTE_LOG_H
#define SLUICE_RTE_LOG_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#include "rte_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RTE_LOGTYPE_EAL 0
#define RTE_LOGTYPE_MALLOC 1
#define RTE_LOGTYPE_RING 2
#define RTE_LOGTYPE_MEMPOOL 3
#define RTE_LOGTYPE_TIMER 4
#define RTE_LOGTYPE_PMD 5
#define RTE_LOGTYPE_HASH 6
#define RTE_LOGTYPE_LPM 7
#define RTE_LOGTYPE_KNI 8
#define RTE_LOGTYPE_ACL 9
#define RTE_LOGTYPE_POWER 10
#define RTE_LOGTYPE_METER 11
#define RTE_LOGTYPE_SCHED 12
#define RTE_LOGTYPE_PORT 13
#define RTE_LOGTYPE_TABLE 14
#define RTE_LOGTYPE_PIPELINE 15
#define RTE_LOGTYPE_MBUF 16
#define RTE_LOGTYPE_CRYPTODEV 17
#define RTE_LOGTYPE_EFD 18
#define RTE_LOGTYPE_EVENTDEV 19
#define RTE_LOGTYPE_GSO 20
#define RTE_LOGTYPE_USER1 24
#define RTE_LOGTYPE_USER2 25
#define RTE_LOGTYPE_USER3 26
#define RTE_LOGTYPE_USER4 27
#define RTE_LOGTYPE_USER5 28
#define RTE_LOGTYPE_USER6 29
#define RTE_LOGTYPE_USER7 30
#define RTE_LOGTYPE_USER8 31
#define RTE_LOGTYPE_FIRST_EXT_ID 32

#define RTE_LOG_EMERG 1U
#define RTE_LOG_ALERT 2U
#define RTE_LOG_CRIT 3U
#define RTE_LOG_ERR 4U
#define RTE_LOG_WARNING 5U
#define RTE_LOG_NOTICE 6U
#define RTE_LOG_INFO 7U
#define RTE_LOG_DEBUG 8U
#define RTE_LOG_MAX RTE_LOG_DEBUG
#define RTE_LOG_DP_LEVEL RTE_LOG_INFO

int rte_log(uint32_t level, uint32_t logtype, const char *format, ...) __rte_format_printf(3, 4);
int rte_vlog(uint32_t level, uint32_t logtype, const char *format, va_list ap)
	__rte_format_printf(3, 0);
void rte_log_set_global_level(uint32_t level);
uint32_t rte_log_get_global_level(void);
/* Level of one type: 0 or -EINVAL (bad type or level). */
int rte_log_set_level(uint32_t logtype, uint32_t level);
int rte_log_get_level(uint32_t logtype);
int rte_log_can_log(uint32_t logtype, uint32_t level);
/* A new log type (or the one NAME already has); -1 when the table is full. */
int rte_log_register(const char *name);
int rte_log_register_type_and_pick_level(const char *name, uint32_t level_def);
int rte_openlog_stream(FILE *f);
FILE *rte_log_get_stream(void);

#define RTE_LOG(l, t, ...) rte_log(RTE_LOG_##l, RTE_LOGTYPE_##t, #t ": " __VA_ARGS__)
#define RTE_LOG_DP(l, t, ...) \
	(void)((RTE_LOG_##l <= RTE_LOG_DP_LEVEL) ? \
	       rte_log(RTE_LOG_##l, RTE_LOGTYPE_##t, #t ": " __VA_ARGS__) : 0)

#define RTE_LOG_REGISTER_IMPL(type, name, level) \
	int type; \
	RTE_INIT(__##type) \
	{ \
		type = rte_log_register_type_and_pick_level(name, RTE_LOG_##level); \
		if (type < 0) \
			type = RTE_LOGTYPE_EAL; \
	}
#define RTE_LOG_REGISTER(type, name, level) RTE_LOG_REGISTER_IMPL(type, RTE_STR(name), level)

#ifdef __cplusplus
}
#endif
#endif
