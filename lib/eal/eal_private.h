/* eal_private.h: what the EAL's source files share with each other and
 * nobody else: the parsed options, and the init/cleanup entry points of the
 * logging, lcore, timer, memory, registry and heap parts. */
#ifndef SL_EAL_PRIVATE_H
#define SL_EAL_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sl_eal.h"

#define EAL_LOG "eal"

#define EAL_DEFAULT_MEM_BYTES ((size_t)64 << 20)
/* Segments are placed from here up (the lowest free room at or above
 * it), so that IOVA = VA fits IOMMUs with 39-bit input addresses. */
#define EAL_DEFAULT_BASE_VIRTADDR ((uint64_t)1 << 32)
#define EAL_MIN_BASE_VIRTADDR ((uint64_t)0x10000)
#define EAL_MAX_BASE_VIRTADDR ((uint64_t)1 << 47)
#define EAL_MAX_LOG_OPTS 64 /* component levels (one DPDK pattern may set several) */
#define EAL_COMPONENT_LEN 32

/* A set of CPUs (or lcores) below SL_MAX_LCORE. */
struct eal_cpuset {
	uint64_t bits[SL_MAX_LCORE / 64];
};
static inline void eal_cpuset_set(struct eal_cpuset *s, unsigned c)
{
	s->bits[c / 64] |= (uint64_t)1 << (c % 64);
}
static inline bool eal_cpuset_isset(const struct eal_cpuset *s, unsigned c)
{
	return (s->bits[c / 64] >> (c % 64)) & 1;
}

/* DPDK options that are accepted and do nothing in Sluice: noted while
 * parsing, logged (at debug) once the log levels are applied. */
enum eal_compat_note {
	NOTE_CHANNELS,      /* -n */
	NOTE_RANKS,         /* -r */
	NOTE_IN_MEMORY,
	NOTE_FILE_PREFIX,
	NOTE_PROC_TYPE,
	NOTE_NO_SHCONF,
	NOTE_NO_TELEMETRY,
	NOTE_SINGLE_FILE_SEGMENTS,
	NOTE_LEGACY_MEM,
	NOTE_HUGE_UNLINK,
	NOTE_LOG_NO_MATCH,  /* a DPDK log type that names no Sluice component */
	NOTE_COUNT,
};

/* Everything sl_eal_init parsed from argv, before anything is applied.
 * Parsing fills a fresh one of these; it becomes the live config only
 * when the whole command line is valid. */
struct eal_options {
	struct sl_eal_config pub;
	bool lcores_given;
	bool lcore_enabled[SL_MAX_LCORE];
	unsigned lcore_cpu[SL_MAX_LCORE]; /* lowest CPU each enabled lcore runs on */
	struct eal_cpuset lcore_cpus[SL_MAX_LCORE]; /* all CPUs it may run on (N@(a,b)) */
	const char *lcores_opt;   /* the option that set them ("-c", "-l/--lcores") */
	bool main_lcore_given;
	unsigned main_lcore;
	bool huge_dir_given;
	int log_global;           /* 0: unchanged */
	unsigned nb_log_comp;
	struct {
		char component[EAL_COMPONENT_LEN];
		int level;
	} log_comp[EAL_MAX_LOG_OPTS];
	bool note[NOTE_COUNT];
	char note_value[NOTE_COUNT][64]; /* the value given, for the log line */
};

/* eal_options_usage.c: log (at debug) what each accepted no-effect DPDK
 * option means here. */
void eal_log_compat_notes(const struct eal_options *opts);

/* eal_options.c (and eal_options_*.c, which share eal_options_private.h):
 * parse argv into OPTS. Returns the number of arguments
 * consumed after argv[0] (including a "--" separator), 1 with *HELP set
 * when -h/--help was given, or -1 with errno = EINVAL and a logged
 * message naming the option, the bad value and the accepted form. */
int eal_parse_args(int argc, char **argv, struct eal_options *opts, bool *help);
/* eal_options_usage.c: the --help text. */
void eal_print_usage(const char *prgname);
/* eal_options_log.c: a level name ("err", "warning", "debug", DPDK's "emergency", ...) or
 * DPDK's number 1-8 (1-4 -> err, 5 warning, 6 notice, 7 info, 8 debug);
 * 0 when not a level. */
int eal_parse_log_level(const char *s);

/* eal_timer.c */
int eal_timer_init(void);

/* eal_lcore.c: pin the calling thread to the main lcore and start one
 * pinned thread per worker lcore. Undone completely on failure. */
int eal_lcore_init(const struct eal_options *opts);
void eal_lcore_cleanup(void);

/* eal_intr.c: stop the interrupt thread (dropping what is still
 * registered, with a warning); a later registration starts it again. */
void eal_intr_cleanup(void);
/* Worker lcores still in state RUNNING, listed into BUF ("1,3"); the
 * number of them. */
unsigned eal_lcore_running(char *buf, size_t len);
/* Describe the lcore set as "0-1" for the init log line. */
void eal_lcore_format(char *buf, size_t len);

/* eal_memory.c: reserve one segment of at least LEN bytes from the memory
 * source chosen at init; fills SEG (va, len, page_size, source, fd) and
 * the per-page IOVAs when in PA mode (*PAGE_IOVA, malloc'd, or NULL). */
int eal_memory_init(struct sl_eal_config *cfg);
void eal_memory_cleanup(void);
int eal_memory_reserve(size_t len, struct sl_memseg *seg, uint64_t **page_iova);
void eal_memory_release(struct sl_memseg *seg, uint64_t *page_iova);
/* eal_memreg.c: the PA source (sl_mem_set_pa_source), called by
 * eal_memory.c with the memory lock held: 1 when none is installed or it
 * declined, else as the source returns; and its release. */
int eal_memreg_pa_source(const struct sl_memseg *seg, uint64_t *pas);
void eal_memreg_pa_release(void *va, size_t len);
/* "hugetlbfs /dev/hugepages (2 MiB pages)", "memfd (2 MiB pages)", ... */
const char *eal_memory_describe(void);
size_t eal_memory_page_size(void);
/* Lowest and one-past-highest address of the segments reserved since
 * init; false when there are none. */
bool eal_memory_va_span(uintptr_t *lo, uintptr_t *hi);

/* eal_memreg.c: the registry of segments and the listeners.
 * eal_memreg_add reserves LEN bytes, registers the segment and tells the
 * listeners; on any failure the segment is released again and NULL
 * returned with errno set. */
int eal_memreg_init(enum sl_iova_mode mode);
const struct sl_memseg *eal_memreg_add(size_t len);
void eal_memreg_cleanup(void);
void eal_mem_lock(void);
void eal_mem_unlock(void);

/* eal_malloc.c: the DMA heap over the registered segments. */
/* The heap takes allocations from eal_heap_init on (growing on demand);
 * eal_heap_reserve adds a segment of BYTES up front (the -m amount). */
int eal_heap_init(void);
int eal_heap_reserve(size_t bytes);
void eal_heap_cleanup(void);

/* eal.c */
bool eal_is_initialised(void);

/* Format a byte count as "64 MiB", "2 MiB", "4 KiB", "1 GiB". */
void eal_format_size(char *buf, size_t len, uint64_t bytes);

#endif /* SL_EAL_PRIVATE_H */
