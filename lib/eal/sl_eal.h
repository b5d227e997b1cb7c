/* sl_eal.h: the Sluice environment layer, the one header an application
 * includes first: init from argv, logging, lcore threads, TSC time, and
 * DMA-able memory with a VA->IOVA registry that other layers listen to. */
#ifndef SL_EAL_H
#define SL_EAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- common helpers ---------------------------------------------------- */

#define SL_CACHE_LINE_SIZE 64
#define sl_cache_aligned __attribute__((aligned(SL_CACHE_LINE_SIZE)))
#define sl_likely(x) __builtin_expect(!!(x), 1)
#define sl_unlikely(x) __builtin_expect(!!(x), 0)
#define sl_always_inline inline __attribute__((always_inline))
#define SL_ALIGN_CEIL(v, a) (((v) + ((a) - 1)) & ~((__typeof__(v))(a) - 1))
#define SL_DIM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- init -------------------------------------------------------------- */

/* Parse the EAL options at the front of argv (up to "--" or the first
 * non-EAL argument), start lcore threads and reserve memory.
 * Returns the number of arguments consumed, so the application goes on with
 * argc - ret, argv + ret; or -1 with errno set and a logged message that
 * says what was wrong and how to fix it. Nothing stays allocated on error.
 *
 * Options: -l/--lcores LIST (N, N-M, each optionally @CPU, or DPDK's
 * --lcores groups (0,1)@(2,3)), -c MASK, --main-lcore N,
 * -a/--allow BDF[,k=v...], -b/--block BDF, --no-pci,
 * --vdev NAME[,k=v...], --no-huge, -m/--socket-mem MB, --huge-dir DIR,
 * --iova-mode va|pa, --log-level LEVEL (number or err|warning|notice|info|
 * debug, optionally COMPONENT:LEVEL), --vfio-backend auto|iommufd|type1|noiommu
 * (for all devices; per device: -a BDF,iommu=type1), --allow-noiommu
 * (opt in to unsafe no-IOMMU), --skip-failed-devices (a -a device whose
 * driver probe fails does not fail init; it is logged and left unused, as
 * any unnamed device is), -h/--help. DPDK 22.11's EAL options are
 * accepted as its guides write them (-n, -r, --in-memory, --file-prefix,
 * --proc-type primary|auto, numeric levels 1-8 and lib.eal-style names in
 * --log-level, ...) or refused with one line saying what to do instead;
 * doc/eal.md has the table.
 *
 * As in DPDK, argv[ret] is overwritten with argv[0], so the application's
 * own argument vector (argv + ret) again starts with the program name and
 * can be handed to getopt. -h/--help prints the usage and exits(0).
 * Without -m the EAL reserves 64 MiB at init; the heap grows later. */
int sl_eal_init(int argc, char **argv);

/* Stop lcore threads, release memory (listeners see REMOVE events first).
 * Run the init hooks' cleanups first. Listeners and DMA blocks do not
 * survive cleanup. A worker still inside a launched function is never
 * waited for and nothing is torn down under it: cleanup then logs which
 * lcores are still running and returns -1 with errno EBUSY, the EAL stays
 * up, and a later call (once the workers returned, e.g. after
 * sl_eal_mp_wait_lcore) cleans up. -1/EALREADY when not initialised. */
int sl_eal_cleanup(void);

/* Reset parsing state between tests in one process is not supported:
 * one init, one cleanup per process; a second init after cleanup works. */

enum sl_iova_mode {
	SL_IOVA_VA = 1, /* IOVA = process virtual address (default) */
	SL_IOVA_PA = 2, /* IOVA = physical address (no-IOMMU), hugepages only */
};

#define SL_DEVARG_NAME_LEN 64
#define SL_DEVARG_ARGS_LEN 192
#define SL_MAX_DEVARGS 32

/* One -a or --vdev item: "0000:01:00.0,iommu=type1" gives name
 * "0000:01:00.0" and args "iommu=type1". */
struct sl_devarg {
	char name[SL_DEVARG_NAME_LEN];
	char args[SL_DEVARG_ARGS_LEN];
};

/* Look up KEY in a "k1=v1,k2=v2" string; copies the value into VAL
 * (always NUL-terminated). Returns 0 if found, -1 otherwise. */
int sl_devarg_get(const char *args, const char *key, char *val, size_t len);

struct sl_eal_config {
	unsigned nb_allow;
	struct sl_devarg allow[SL_MAX_DEVARGS];
	unsigned nb_vdev;
	struct sl_devarg vdev[SL_MAX_DEVARGS];
	bool no_huge;
	size_t mem_bytes;          /* memory reserved at init (-m); 0 = default */
	enum sl_iova_mode iova_mode;
	char huge_dir[256];        /* hugetlbfs mount in use, "" when memfd/anon */
	uint64_t base_virtaddr;    /* segments go at the lowest free room at or above this */
	char vfio_backend[16];     /* "auto" (default), "iommufd", "type1", "noiommu" */
	bool allow_noiommu;        /* --allow-noiommu given */
	bool skip_failed_devices;  /* --skip-failed-devices: a -a device whose driver probe
				    * fails is logged and skipped instead of failing init */
	unsigned nb_block;         /* -b/--block: PCI functions the bus skips */
	struct sl_devarg block[SL_MAX_DEVARGS];
	bool no_pci;               /* --no-pci: no PCI scan at all */
};

/* Layers above the EAL (ethdev's vdev probe, bus_vfio's PCI scan) register
 * a hook, usually from a constructor. sl_eal_init runs every init hook in
 * ascending PRIORITY once memory and lcores are up; if one fails, the
 * cleanups of those already run are called in reverse and init fails.
 * sl_eal_cleanup runs the cleanups in reverse order first. */
struct sl_eal_hook {
	const char *name;
	int priority;             /* bus scan 100, device probe 200, ... */
	int (*init)(void);        /* 0 or -1 with errno (and a logged reason) */
	void (*cleanup)(void);    /* may be NULL */
	struct sl_eal_hook *next; /* owned by the EAL */
};
void sl_eal_register_hook(struct sl_eal_hook *hook);

const struct sl_eal_config *sl_eal_get_config(void);

/* ---- logging ----------------------------------------------------------- */

enum sl_log_level {
	SL_LOG_ERR = 1,
	SL_LOG_WARNING = 2,
	SL_LOG_NOTICE = 3,
	SL_LOG_INFO = 4,
	SL_LOG_DEBUG = 5,
};

/* Log one line "component: message" to stderr if LEVEL is enabled for
 * COMPONENT. Messages need no trailing newline. */
void sl_log(enum sl_log_level level, const char *component, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void sl_vlog(enum sl_log_level level, const char *component, const char *fmt, va_list ap);
void sl_log_set_level(enum sl_log_level level);
/* Per-component level; overrides the global one. */
int sl_log_set_component_level(const char *component, enum sl_log_level level);
bool sl_log_enabled(enum sl_log_level level, const char *component);
enum sl_log_level sl_log_get_level(void);
/* Send log lines to STREAM instead of stderr (NULL: back to stderr). */
void sl_log_set_stream(FILE *stream);

#define SL_LOG(LEVEL, COMPONENT, ...) sl_log(SL_LOG_##LEVEL, COMPONENT, __VA_ARGS__)

/* ---- lcores ------------------------------------------------------------ */

#define SL_MAX_LCORE 128
#define SL_LCORE_ID_ANY UINT32_MAX
/* A NUMA node that is not known (DPDK's SOCKET_ID_ANY). */
#define SL_SOCKET_ID_ANY (-1)

/* The calling thread's lcore id; SL_LCORE_ID_ANY on non-EAL threads. */
extern __thread unsigned sl_per_lcore_id;
static inline unsigned sl_lcore_id(void) { return sl_per_lcore_id; }

unsigned sl_lcore_count(void);              /* enabled lcores, main included */
unsigned sl_get_main_lcore(void);
bool sl_lcore_is_enabled(unsigned lcore_id);
/* CPU the lcore is pinned to; with a CPU set (--lcores 1@(2,3)) the
 * lowest CPU of the set; -1 when the lcore is not enabled. */
int sl_lcore_to_cpu_id(unsigned lcore_id);
/* NUMA node of the lcore's CPU (cpuN/nodeM in sysfs), read at init; 0 on
 * a machine without NUMA information; SL_SOCKET_ID_ANY (-1) when the lcore
 * is not enabled. */
int sl_lcore_to_socket_id(unsigned lcore_id);
/* NUMA node of the calling thread: its lcore's, or for a non-EAL thread
 * the node of the CPU it runs on now; 0 without NUMA information. */
int sl_socket_id(void);
/* NUMA nodes of this machine: the highest node online (sysfs
 * devices/system/node/online) or of an lcore's CPU, plus one; 1 without
 * NUMA information. Nodes are numbered 0 .. sl_socket_count() - 1. */
unsigned sl_socket_count(void);
/* Next enabled lcore after I (I = -1 to start); SL_MAX_LCORE when none. */
unsigned sl_get_next_lcore(unsigned i, bool skip_main, bool wrap);

#define SL_LCORE_FOREACH(i) \
	for ((i) = sl_get_next_lcore(-1, false, false); (i) < SL_MAX_LCORE; \
	     (i) = sl_get_next_lcore((i), false, false))
#define SL_LCORE_FOREACH_WORKER(i) \
	for ((i) = sl_get_next_lcore(-1, true, false); (i) < SL_MAX_LCORE; \
	     (i) = sl_get_next_lcore((i), true, false))

typedef int (*sl_lcore_function_t)(void *arg);

/* What a worker lcore is doing, like DPDK's rte_lcore_state_t. */
enum sl_lcore_state {
	SL_LCORE_WAIT = 0,     /* idle: ready for sl_eal_remote_launch */
	SL_LCORE_RUNNING = 1,  /* inside the launched function */
	SL_LCORE_FINISHED = 2, /* returned; sl_eal_wait_lcore collects the value */
};
/* The state of LCORE_ID: WAIT, RUNNING or FINISHED; the main lcore is
 * always WAIT (it is nobody's worker), as in DPDK; -EINVAL when the lcore
 * is not enabled. Safe from any thread. */
int sl_eal_get_lcore_state(unsigned lcore_id);

/* Run FN(ARG) on worker WORKER_ID. 0, or -EBUSY if it is still running. */
int sl_eal_remote_launch(sl_lcore_function_t fn, void *arg, unsigned worker_id);
/* Wait for a worker to finish; returns FN's return value. */
int sl_eal_wait_lcore(unsigned worker_id);
/* Wait for every worker. */
void sl_eal_mp_wait_lcore(void);

/* ---- time -------------------------------------------------------------- */

/* A cycle counter that runs at a constant rate: the TSC on x86, the
 * generic timer's virtual count (CNTVCT_EL0) on aarch64, whose rate
 * (CNTFRQ_EL0, often 25 MHz to 1 GHz) sl_tsc_hz() measures like the TSC's. */
static inline uint64_t sl_rdtsc(void)
{
#if defined(__x86_64__) || defined(__i386__)
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
#elif defined(__aarch64__)
	uint64_t v;
	__asm__ volatile("mrs %0, cntvct_el0" : "=r"(v));
	return v;
#else
#error "sl_rdtsc: no cycle counter for this architecture (x86 and aarch64 are supported)"
#endif
}

/* TSC ticks per second, calibrated once at init. */
uint64_t sl_tsc_hz(void);
void sl_delay_us(unsigned us);

/* Spin-wait hint: x86 PAUSE, aarch64 YIELD. */
static inline void sl_pause(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__asm__ volatile("pause");
#elif defined(__aarch64__)
	__asm__ volatile("yield");
#endif
}

/* ---- ordering against devices, MMIO ------------------------------------ *
 *
 * C11 atomics and fences order memory as other CPUs see it. A device sees
 * it differently: it reads descriptors from DMA memory when an MMIO write
 * (a doorbell: igb's RDT/TDT, a virtio notify) tells it to, and writes
 * descriptors (igb's DD bit, virtio used entries) that the CPU then reads.
 * On weakly ordered CPUs the C11 fences are not enough for that: on
 * aarch64 a release fence is "dmb ish", which orders accesses for the
 * inner shareable domain (the CPUs) only, while a device and MMIO are
 * outside it; DPDK uses the outer-shareable "dmb osh*" forms for its
 * rte_io_*mb(), as Linux does for dma_*mb() and writel().
 *
 *   sl_io_wmb()  stores before it (descriptors in DMA memory) reach the
 *                device before stores after it (the doorbell write).
 *                x86: no instruction, only a compiler barrier; x86 keeps
 *                stores in order, also from write-back memory to uncached
 *                MMIO. aarch64: dmb oshst.
 *   sl_io_rmb()  loads before it (a descriptor's DD/used flag) are done
 *                before loads and stores after it (the rest of the
 *                descriptor, the packet data, reusing the slot). x86: a
 *                compiler barrier; loads are not reordered with older loads,
 *                stores not with older loads. aarch64: dmb oshld.
 *   sl_io_mb()   both, and stores before loads. x86: mfence. aarch64: dmb osh.
 *
 * On x86 the compiler barriers are the C11 release and acquire fences,
 * which GCC and clang compile to no instruction there: the same code the
 * drivers had before these macros (bench/igb-burst-instructions.sh).
 *
 * Other architectures stop the build here rather than get a fence that
 * looks right and is not.
 *
 * sl_read32/16_relaxed and sl_write32/16_relaxed access one device
 * register with one plain load or store and no ordering against memory:
 * volatile accesses on x86; on aarch64 a single ldr/str with a base
 * register only, because a hypervisor that traps the access can emulate
 * only such simple forms (no writeback, no pairs, which the compiler may
 * choose for a volatile access). sl_write32/16 are sl_io_wmb() and the
 * store: a doorbell after descriptor writes. */
#if defined(__x86_64__) || defined(__i386__)
#define sl_io_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#define sl_io_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define sl_io_mb() __asm__ volatile("mfence" ::: "memory")
#elif defined(__aarch64__)
#define sl_io_wmb() __asm__ volatile("dmb oshst" ::: "memory")
#define sl_io_rmb() __asm__ volatile("dmb oshld" ::: "memory")
#define sl_io_mb() __asm__ volatile("dmb osh" ::: "memory")
#else
#error "sl_io_*mb: no I/O barriers for this architecture (x86 and aarch64 are supported)"
#endif

static inline uint32_t sl_read32_relaxed(const volatile void *addr)
{
#if defined(__aarch64__)
	uint32_t v;
	__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(addr));
	return v;
#else
	return *(const volatile uint32_t *)addr;
#endif
}

static inline uint16_t sl_read16_relaxed(const volatile void *addr)
{
#if defined(__aarch64__)
	uint16_t v;
	__asm__ volatile("ldrh %w0, [%1]" : "=r"(v) : "r"(addr));
	return v;
#else
	return *(const volatile uint16_t *)addr;
#endif
}

static inline void sl_write32_relaxed(uint32_t value, volatile void *addr)
{
#if defined(__aarch64__)
	__asm__ volatile("str %w0, [%1]" : : "rZ"(value), "r"(addr));
#else
	*(volatile uint32_t *)addr = value;
#endif
}

static inline void sl_write16_relaxed(uint16_t value, volatile void *addr)
{
#if defined(__aarch64__)
	__asm__ volatile("strh %w0, [%1]" : : "rZ"(value), "r"(addr));
#else
	*(volatile uint16_t *)addr = value;
#endif
}

static inline void sl_write32(uint32_t value, volatile void *addr)
{
	sl_io_wmb();
	sl_write32_relaxed(value, addr);
}

static inline void sl_write16(uint16_t value, volatile void *addr)
{
	sl_io_wmb();
	sl_write16_relaxed(value, addr);
}

/* ---- DMA-able memory --------------------------------------------------- */

#define SL_BAD_IOVA UINT64_MAX

enum sl_mem_source {
	SL_MEM_HUGETLBFS = 1, /* file in a mounted hugetlbfs */
	SL_MEM_MEMFD_HUGE = 2, /* memfd_create(MFD_HUGETLB) */
	SL_MEM_ANON_4K = 3,   /* --no-huge: locked anonymous 4 KiB pages */
};

/* A contiguous virtual range of pinned memory, registered once. In VA mode
 * its IOVA range is contiguous (iova = va). In PA mode every page is
 * physically contiguous within itself; use sl_mem_virt2iova for others. */
struct sl_memseg {
	void *va;
	uint64_t iova;          /* IOVA of va; SL_BAD_IOVA if not contiguous */
	size_t len;
	size_t page_size;
	enum sl_mem_source source;
	int fd;                 /* backing fd (hugetlbfs/memfd), -1 for anon */
	uint64_t fd_offset;
};

/* Zeroed DMA-able memory of SIZE bytes aligned to ALIGN (power of two, 0
 * means cache line), never crossing a page boundary when it fits in one
 * page. NAME labels it in logs and dumps. NULL with errno on failure. */
void *sl_dma_zmalloc(const char *name, size_t size, size_t align);
void sl_dma_free(void *ptr);
/* Print the heap's segments and live blocks (with their names) to F. */
void sl_dma_dump(FILE *f);

/* IOVA of any byte inside registered memory; SL_BAD_IOVA otherwise. */
uint64_t sl_mem_virt2iova(const void *va);
/* Segment holding VA, or NULL. */
const struct sl_memseg *sl_mem_virt2memseg(const void *va);
/* Call CB on every segment; stops and returns CB's value if non-zero. */
int sl_memseg_walk(int (*cb)(const struct sl_memseg *seg, void *arg), void *arg);
enum sl_iova_mode sl_eal_iova_mode(void);

enum sl_mem_event {
	SL_MEM_EVENT_ADD = 1,    /* segment just reserved, before first use */
	SL_MEM_EVENT_REMOVE = 2, /* segment about to be released */
};

/* A listener (dma_map is one) learns of every segment added or removed.
 * An ADD callback that returns non-zero makes the reservation fail (the
 * segment is released, listeners already told get a REMOVE). A new
 * listener is called with ADD for every segment that already exists; if
 * that fails, registration fails and nothing stays registered. */
typedef int (*sl_mem_event_cb)(enum sl_mem_event ev, const struct sl_memseg *seg, void *arg);
int sl_mem_event_register(const char *name, sl_mem_event_cb cb, void *arg);
int sl_mem_event_unregister(const char *name, void *arg);

/* In VA mode a new segment's IOVA is its virtual address unless an IOVA
 * chooser is installed (dma_map installs one while address spaces exist,
 * so that IOVAs land where the IOMMUs accept them). The chooser is called
 * with the EAL memory lock held, before the segment is published or any
 * listener hears of it; it returns the IOVA for [VA, VA+LEN) (VA itself
 * when that suits), or SL_BAD_IOVA with errno set and a logged reason, which
 * makes the reservation fail. The segment's IOVA never changes afterwards.
 * PA mode never calls it. NULL uninstalls; -1/EBUSY if another one is set. */
typedef uint64_t (*sl_mem_iova_chooser)(const void *va, size_t len, size_t page_size, void *arg);
int sl_mem_set_iova_chooser(sl_mem_iova_chooser choose, void *arg);

/* In PA mode the physical address of each page of a new segment is read
 * from /proc/self/pagemap (which shows them only to CAP_SYS_ADMIN), unless
 * a PA source is installed: dma_map's noiommu-cdev backend installs one
 * that pins the pages into an iommufd IOAS and asks the kernel
 * (IOMMU_IOAS_NOIOMMU_GET_PA). GET is called with the EAL memory lock held
 * before the segment SEG (va, len, page_size, fd, fd_offset filled; iova not
 * yet) is published; it fills PAS (one per page of seg->page_size) and
 * returns 0, returns 1 to decline (pagemap is read then),
 * or -1 with errno and a logged reason (the reservation fails). RELEASE is
 * called for every segment released while the source is installed (also
 * one that never got published), so the source can let go of what it
 * still holds for [VA, VA+LEN). NULL GET uninstalls; -1/EBUSY when another
 * source is installed. VA mode never calls it. */
typedef int (*sl_mem_pa_source)(const struct sl_memseg *seg, uint64_t *pas, void *arg);
typedef void (*sl_mem_pa_release)(void *va, size_t len, void *arg);
int sl_mem_set_pa_source(sl_mem_pa_source get, sl_mem_pa_release release, void *arg);

/* ---- interrupt thread -------------------------------------------------------
 *
 * One thread per process (named "sl-intr") waits on registered file
 * descriptors (eventfds of device interrupts, event queues) with epoll and
 * calls each one's callback when it becomes readable (EPOLLIN, level
 * triggered: the callback must consume what made it readable, e.g. read
 * the eventfd, or it is called again at once). Callbacks run one at a
 * time, in the order epoll reports their fds, never concurrently with each
 * other; keep them short. The thread starts at the first registration and
 * is stopped at sl_eal_cleanup (sources still registered then are dropped
 * with a warning). Registration works before sl_eal_init too. ethdev
 * delivers its event callbacks (link state changes, removals) from this
 * thread; drivers register their interrupt eventfds here. */
#define SL_INTR_MAX_SOURCES 128
typedef void (*sl_intr_cb_fn)(int fd, void *arg);
/* Watch FD; call CB(FD, ARG) on the interrupt thread whenever it is
 * readable. One registration per fd. 0, -EINVAL (bad fd, no callback),
 * -EEXIST (fd registered already), -ENOSPC (table full), or another
 * negative errno (epoll, thread creation); logged. Thread safe. */
int sl_intr_register(int fd, sl_intr_cb_fn cb, void *arg);
/* Stop watching FD registered with CB and ARG. When it returns, CB is not
 * running for it and will not be called again for it, so ARG may be freed:
 * it waits for a callback of that source in progress, unless called from
 * the interrupt thread (a callback may unregister sources, its own
 * included). So never call it while holding a lock that the source's
 * callback takes. 0, or -ENOENT when no such registration exists. Thread
 * safe. Close FD after unregistering it, not before. */
int sl_intr_unregister(int fd, sl_intr_cb_fn cb, void *arg);
/* Whether the calling thread is the interrupt thread. */
bool sl_intr_thread_is_current(void);
/* Sources registered now. */
unsigned sl_intr_count(void);

#ifdef __cplusplus
}
#endif
#endif /* SL_EAL_H */
