/* rte_log.c: DPDK's log types and levels over sl_log (rte_log.h says how
 * they map). */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "compat_private.h"
#include "rte_log.h"

#define LOG_TYPES_MAX 128
#define LOG_NAME_LEN 48

/* Names of DPDK's fixed types; the component sl_log is called with. */
static const char *const builtin_names[RTE_LOGTYPE_FIRST_EXT_ID] = {
	[RTE_LOGTYPE_EAL] = "lib.eal",         [RTE_LOGTYPE_MALLOC] = "lib.malloc",
	[RTE_LOGTYPE_RING] = "lib.ring",       [RTE_LOGTYPE_MEMPOOL] = "lib.mempool",
	[RTE_LOGTYPE_TIMER] = "lib.timer",     [RTE_LOGTYPE_PMD] = "pmd",
	[RTE_LOGTYPE_HASH] = "lib.hash",       [RTE_LOGTYPE_LPM] = "lib.lpm",
	[RTE_LOGTYPE_KNI] = "lib.kni",         [RTE_LOGTYPE_ACL] = "lib.acl",
	[RTE_LOGTYPE_POWER] = "lib.power",     [RTE_LOGTYPE_METER] = "lib.meter",
	[RTE_LOGTYPE_SCHED] = "lib.sched",     [RTE_LOGTYPE_PORT] = "lib.port",
	[RTE_LOGTYPE_TABLE] = "lib.table",     [RTE_LOGTYPE_PIPELINE] = "lib.pipeline",
	[RTE_LOGTYPE_MBUF] = "lib.mbuf",       [RTE_LOGTYPE_CRYPTODEV] = "lib.cryptodev",
	[RTE_LOGTYPE_EFD] = "lib.efd",         [RTE_LOGTYPE_EVENTDEV] = "lib.eventdev",
	[RTE_LOGTYPE_GSO] = "lib.gso",         [21] = "type21",
	[22] = "type22",                       [23] = "type23",
	[RTE_LOGTYPE_USER1] = "user1",         [RTE_LOGTYPE_USER2] = "user2",
	[RTE_LOGTYPE_USER3] = "user3",         [RTE_LOGTYPE_USER4] = "user4",
	[RTE_LOGTYPE_USER5] = "user5",         [RTE_LOGTYPE_USER6] = "user6",
	[RTE_LOGTYPE_USER7] = "user7",         [RTE_LOGTYPE_USER8] = "user8",
};

static char ext_names[LOG_TYPES_MAX - RTE_LOGTYPE_FIRST_EXT_ID][LOG_NAME_LEN];
static unsigned nb_ext; /* published with release, read with acquire */
static pthread_mutex_t ext_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *type_name(uint32_t logtype)
{
	if (logtype < RTE_LOGTYPE_FIRST_EXT_ID)
		return builtin_names[logtype];
	if (logtype - RTE_LOGTYPE_FIRST_EXT_ID < __atomic_load_n(&nb_ext, __ATOMIC_ACQUIRE))
		return ext_names[logtype - RTE_LOGTYPE_FIRST_EXT_ID];
	return NULL;
}

static enum sl_log_level to_sl_level(uint32_t level)
{
	if (level <= RTE_LOG_ERR)
		return SL_LOG_ERR;
	if (level == RTE_LOG_WARNING)
		return SL_LOG_WARNING;
	if (level == RTE_LOG_NOTICE)
		return SL_LOG_NOTICE;
	if (level == RTE_LOG_INFO)
		return SL_LOG_INFO;
	return SL_LOG_DEBUG;
}

static uint32_t from_sl_level(enum sl_log_level level)
{
	switch (level) {
	case SL_LOG_ERR:
		return RTE_LOG_ERR;
	case SL_LOG_WARNING:
		return RTE_LOG_WARNING;
	case SL_LOG_NOTICE:
		return RTE_LOG_NOTICE;
	case SL_LOG_INFO:
		return RTE_LOG_INFO;
	case SL_LOG_DEBUG:
		return RTE_LOG_DEBUG;
	}
	return RTE_LOG_DEBUG;
}

int rte_vlog(uint32_t level, uint32_t logtype, const char *format, va_list ap)
{
	const char *name = type_name(logtype);
	enum sl_log_level l = to_sl_level(level);

	if (name == NULL)
		name = "lib.eal";
	if (!sl_log_enabled(l, name))
		return 0;
	sl_vlog(l, name, format, ap);
	return 0;
}

int rte_log(uint32_t level, uint32_t logtype, const char *format, ...)
{
	va_list ap;
	int ret;

	va_start(ap, format);
	ret = rte_vlog(level, logtype, format, ap);
	va_end(ap);
	return ret;
}

void rte_log_set_global_level(uint32_t level)
{
	sl_log_set_level(to_sl_level(level));
}

uint32_t rte_log_get_global_level(void)
{
	return from_sl_level(sl_log_get_level());
}

int rte_log_set_level(uint32_t logtype, uint32_t level)
{
	const char *name = type_name(logtype);
	if (name == NULL || level > RTE_LOG_MAX)
		return -EINVAL;
	return sl_log_set_component_level(name, to_sl_level(level)) == 0 ? 0 : -EINVAL;
}

int rte_log_get_level(uint32_t logtype)
{
	const char *name = type_name(logtype);
	if (name == NULL)
		return -EINVAL;
	for (int l = SL_LOG_DEBUG; l >= SL_LOG_ERR; l--)
		if (sl_log_enabled((enum sl_log_level)l, name))
			return (int)from_sl_level((enum sl_log_level)l);
	return (int)RTE_LOG_ERR;
}

int rte_log_can_log(uint32_t logtype, uint32_t level)
{
	const char *name = type_name(logtype);
	return name != NULL && sl_log_enabled(to_sl_level(level), name);
}

int rte_log_register(const char *name)
{
	int ret = -1;

	if (name == NULL || name[0] == '\0' || strlen(name) >= LOG_NAME_LEN) {
		rte_errno = EINVAL;
		return -EINVAL;
	}
	for (uint32_t t = 0; t < RTE_LOGTYPE_FIRST_EXT_ID; t++)
		if (strcmp(builtin_names[t], name) == 0)
			return (int)t;
	pthread_mutex_lock(&ext_lock);
	unsigned n = __atomic_load_n(&nb_ext, __ATOMIC_RELAXED);
	for (unsigned i = 0; i < n; i++)
		if (strcmp(ext_names[i], name) == 0) {
			ret = (int)(RTE_LOGTYPE_FIRST_EXT_ID + i);
			goto out;
		}
	if (n < LOG_TYPES_MAX - RTE_LOGTYPE_FIRST_EXT_ID) {
		snprintf(ext_names[n], LOG_NAME_LEN, "%s", name);
		__atomic_store_n(&nb_ext, n + 1, __ATOMIC_RELEASE);
		ret = (int)(RTE_LOGTYPE_FIRST_EXT_ID + n);
	} else {
		rte_errno = ENOSPC;
		ret = -ENOSPC;
	}
out:
	pthread_mutex_unlock(&ext_lock);
	return ret;
}

/* The level is not imposed on the component: Sluice's --log-level
 * settings (global or per component) stay in force. */
int rte_log_register_type_and_pick_level(const char *name, uint32_t level_def)
{
	(void)level_def;
	return rte_log_register(name);
}

static FILE *log_stream;

int rte_openlog_stream(FILE *f)
{
	log_stream = f;
	sl_log_set_stream(f);
	return 0;
}

FILE *rte_log_get_stream(void)
{
	return log_stream != NULL ? log_stream : stderr;
}
