/* eal.c: sl_eal_init and sl_eal_cleanup, which bring the other EAL parts
 * up in order (options, logging, TSC, lcores, memory, heap) and down in
 * reverse, and the init hooks that the layers above register. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eal_private.h"

#define EAL_MAX_HOOKS 64

static struct sl_eal_hook *hooks;          /* sorted by priority */
static struct sl_eal_hook *hooks_run[EAL_MAX_HOOKS];
static unsigned nb_hooks_run;
static struct sl_eal_config live_config = {
	.iova_mode = SL_IOVA_VA,
	.vfio_backend = "auto",
};
static bool initialised;

enum eal_stage {
	STAGE_NONE,
	STAGE_LCORES,
	STAGE_MEMORY,
	STAGE_HEAP,
	STAGE_HOOKS,
};

bool eal_is_initialised(void)
{
	return initialised;
}

const struct sl_eal_config *sl_eal_get_config(void)
{
	return &live_config;
}

void sl_eal_register_hook(struct sl_eal_hook *hook)
{
	struct sl_eal_hook **pp;

	if (hook == NULL || hook->init == NULL)
		return;
	for (struct sl_eal_hook *h = hooks; h != NULL; h = h->next)
		if (h == hook)
			return; /* already registered */
	/* after every hook of the same or lower priority: stable order */
	for (pp = &hooks; *pp != NULL && (*pp)->priority <= hook->priority; pp = &(*pp)->next)
		;
	hook->next = *pp;
	*pp = hook;
}

static void run_hook_cleanups(void)
{
	while (nb_hooks_run > 0) {
		struct sl_eal_hook *h = hooks_run[--nb_hooks_run];
		if (h->cleanup != NULL) {
			SL_LOG(DEBUG, EAL_LOG, "cleanup hook '%s'", h->name ? h->name : "?");
			h->cleanup();
		}
	}
}

static int run_hooks(void)
{
	for (struct sl_eal_hook *h = hooks; h != NULL; h = h->next) {
		const char *name = h->name ? h->name : "?";
		if (nb_hooks_run == EAL_MAX_HOOKS) {
			SL_LOG(ERR, EAL_LOG, "more than %d init hooks", EAL_MAX_HOOKS);
			errno = ENOSPC;
			return -1;
		}
		SL_LOG(DEBUG, EAL_LOG, "init hook '%s' (priority %d)", name, h->priority);
		errno = 0;
		if (h->init() != 0) {
			int err = errno ? errno : EIO;
			SL_LOG(ERR, EAL_LOG, "init hook '%s' failed: %s; undoing init", name,
			       strerror(err));
			errno = err;
			return -1;
		}
		hooks_run[nb_hooks_run++] = h;
	}
	return 0;
}

static void teardown(enum eal_stage reached)
{
	if (reached >= STAGE_HOOKS)
		run_hook_cleanups();
	/* after the layers above unregistered their sources */
	eal_intr_cleanup();
	if (reached >= STAGE_MEMORY) {
		eal_heap_cleanup();
		eal_memreg_cleanup();
		eal_memory_cleanup();
	}
	if (reached >= STAGE_LCORES)
		eal_lcore_cleanup();
	memset(&live_config, 0, sizeof(live_config));
	live_config.iova_mode = SL_IOVA_VA;
	snprintf(live_config.vfio_backend, sizeof(live_config.vfio_backend), "auto");
}

int sl_eal_init(int argc, char **argv)
{
	struct eal_options *opts;
	enum eal_stage stage = STAGE_NONE;
	char lc[128], sz[32];
	bool help;
	int consumed, err;

	if (initialised) {
		SL_LOG(ERR, EAL_LOG, "sl_eal_init called twice; call sl_eal_cleanup first");
		errno = EALREADY;
		return -1;
	}
	opts = calloc(1, sizeof(*opts));
	if (opts == NULL) {
		errno = ENOMEM;
		return -1;
	}
	consumed = eal_parse_args(argc, argv, opts, &help);
	if (consumed < 0) {
		err = errno;
		free(opts);
		errno = err;
		return -1;
	}
	if (help) {
		eal_print_usage(argc > 0 ? argv[0] : NULL);
		free(opts);
		exit(0);
	}

	if (opts->log_global)
		sl_log_set_level((enum sl_log_level)opts->log_global);
	for (unsigned i = 0; i < opts->nb_log_comp; i++)
		sl_log_set_component_level(opts->log_comp[i].component,
					   (enum sl_log_level)opts->log_comp[i].level);
	eal_log_compat_notes(opts);

	live_config = opts->pub;
	if (live_config.mem_bytes == 0)
		live_config.mem_bytes = EAL_DEFAULT_MEM_BYTES;

	if (eal_timer_init() != 0)
		goto fail;
	if (eal_lcore_init(opts) != 0)
		goto fail;
	stage = STAGE_LCORES;

	if (eal_memory_init(&live_config) != 0) {
		err = errno;
		eal_memory_cleanup();
		errno = err;
		goto fail;
	}
	eal_memreg_init(live_config.iova_mode);
	stage = STAGE_MEMORY;
	if (eal_heap_init() != 0)
		goto fail;
	stage = STAGE_HEAP;

	eal_lcore_format(lc, sizeof(lc));
	SL_LOG(NOTICE, EAL_LOG, "IOVA mode %s%s; lcores %s (main %u)",
	       live_config.iova_mode == SL_IOVA_PA ? "PA" : "VA",
	       live_config.iova_mode == SL_IOVA_PA ? " (physical addresses, --iova-mode pa)"
						   : " (IOVA = virtual address where the IOMMUs accept it)",
	       lc, sl_get_main_lcore());

	initialised = true; /* hooks may call EAL functions that check this */
	stage = STAGE_HOOKS;
	if (run_hooks() != 0)
		goto fail;
	/* The -m memory is reserved after the hooks: the bus has opened its
	 * devices by now, so dma_map knows which IOVAs their IOMMUs accept
	 * and chooses this memory's IOVAs (its VA where that fits). */
	if (eal_heap_reserve(live_config.mem_bytes) != 0)
		goto fail;
	eal_format_size(sz, sizeof(sz), live_config.mem_bytes);
	uintptr_t va_lo = 0, va_hi = 0;
	if (eal_memory_va_span(&va_lo, &va_hi))
		SL_LOG(NOTICE, EAL_LOG, "memory: %s from %s; VA 0x%" PRIxPTR "-0x%" PRIxPTR
		       " (base 0x%" PRIx64 ")", sz, eal_memory_describe(), va_lo, va_hi - 1,
		       live_config.base_virtaddr);
	else
		SL_LOG(NOTICE, EAL_LOG, "memory: %s from %s", sz, eal_memory_describe());
	free(opts);

	/* Leave argv so that the application's argv[0] is the program name. */
	if (consumed > 0 && argc > 0)
		argv[consumed] = argv[0];
	return consumed;

fail:
	err = errno;
	initialised = false;
	teardown(stage);
	free(opts);
	errno = err;
	return -1;
}

int sl_eal_cleanup(void)
{
	char busy[128];

	if (!initialised) {
		errno = EALREADY;
		return -1;
	}
	/* Joining a worker still inside its function would hang, and tearing
	 * memory down under it would crash it: do neither. */
	if (eal_lcore_running(busy, sizeof(busy)) > 0) {
		SL_LOG(ERR, EAL_LOG,
		       "sl_eal_cleanup: lcore(s) %s still run their launched function; nothing "
		       "was cleaned up: make them return (sl_eal_mp_wait_lcore) and call "
		       "sl_eal_cleanup again", busy);
		errno = EBUSY;
		return -1;
	}
	teardown(STAGE_HOOKS);
	initialised = false;
	return 0;
}
