/* eal_log.c: leveled logging with a global level and per-component
 * overrides ("COMPONENT:LEVEL", a trailing '*' matches a prefix). Each
 * message is written as one line "component: message" with one write. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "eal_private.h"

#define LOG_MAX_COMPONENTS 64
#define LOG_LINE_MAX 2048 /* room for sl_vfio_explain's longer explanations */

static _Atomic int log_global_level = SL_LOG_NOTICE;

/* Component entries are filled under log_lock and published by bumping
 * log_nb_components, so readers walk them without a lock. An entry's
 * level may change later (atomically); its name never does. */
static struct {
	char name[EAL_COMPONENT_LEN];
	_Atomic int level;
} log_components[LOG_MAX_COMPONENTS];
static _Atomic unsigned log_nb_components;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *_Atomic log_stream;

static bool component_matches(const char *pattern, const char *component)
{
	size_t n = strlen(pattern);

	if (n > 0 && pattern[n - 1] == '*')
		return strncmp(pattern, component, n - 1) == 0;
	return strcmp(pattern, component) == 0;
}

bool sl_log_enabled(enum sl_log_level level, const char *component)
{
	unsigned n = atomic_load_explicit(&log_nb_components, memory_order_acquire);
	int limit = atomic_load_explicit(&log_global_level, memory_order_relaxed);

	/* The last matching entry wins, so a later --log-level overrides. */
	if (component != NULL) {
		for (unsigned i = n; i-- > 0;) {
			if (component_matches(log_components[i].name, component)) {
				limit = atomic_load_explicit(&log_components[i].level,
							     memory_order_relaxed);
				break;
			}
		}
	}
	return (int)level <= limit;
}

void sl_log_set_level(enum sl_log_level level)
{
	if (level < SL_LOG_ERR)
		level = SL_LOG_ERR;
	if (level > SL_LOG_DEBUG)
		level = SL_LOG_DEBUG;
	atomic_store(&log_global_level, (int)level);
}

enum sl_log_level sl_log_get_level(void)
{
	return (enum sl_log_level)atomic_load(&log_global_level);
}

int sl_log_set_component_level(const char *component, enum sl_log_level level)
{
	unsigned n;
	int ret = 0;

	if (component == NULL || component[0] == '\0' ||
	    strlen(component) >= EAL_COMPONENT_LEN ||
	    level < SL_LOG_ERR || level > SL_LOG_DEBUG) {
		return -1;
	}
	pthread_mutex_lock(&log_lock);
	n = atomic_load(&log_nb_components);
	for (unsigned i = 0; i < n; i++) {
		if (strcmp(log_components[i].name, component) == 0) {
			atomic_store(&log_components[i].level, (int)level);
			goto out;
		}
	}
	if (n == LOG_MAX_COMPONENTS) {
		ret = -1;
		goto out;
	}
	snprintf(log_components[n].name, sizeof(log_components[n].name), "%s", component);
	atomic_store(&log_components[n].level, (int)level);
	atomic_store_explicit(&log_nb_components, n + 1, memory_order_release);
out:
	pthread_mutex_unlock(&log_lock);
	return ret;
}

void sl_log_set_stream(FILE *stream)
{
	atomic_store(&log_stream, stream);
}

void sl_vlog(enum sl_log_level level, const char *component, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	int len = 0, n;
	FILE *stream;

	if (!sl_log_enabled(level, component))
		return;
	if (component != NULL && component[0] != '\0')
		len = snprintf(line, sizeof(line), "%s: ", component);
	n = vsnprintf(line + len, sizeof(line) - (size_t)len, fmt, ap);
	if (n < 0)
		return;
	len += n;
	if ((size_t)len >= sizeof(line) - 1)
		len = (int)sizeof(line) - 2; /* truncated: keep the newline */
	while (len > 0 && line[len - 1] == '\n')
		len--;
	line[len++] = '\n';
	line[len] = '\0';

	stream = atomic_load(&log_stream);
	if (stream != NULL) {
		fputs(line, stream);
		fflush(stream);
	} else {
		/* One write so lines from several lcores never interleave. */
		ssize_t r = write(STDERR_FILENO, line, (size_t)len);
		(void)r;
	}
}

void sl_log(enum sl_log_level level, const char *component, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sl_vlog(level, component, fmt, ap);
	va_end(ap);
}
