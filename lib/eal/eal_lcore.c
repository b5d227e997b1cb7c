/* eal_lcore.c: lcore threads. lcore N runs on CPU N unless -l mapped it
 * elsewhere (N@CPU, or a CPU set N@(a,b) as DPDK's --lcores); the main
 * lcore is the thread that called sl_eal_init, pinned for the EAL's
 * lifetime, and every other lcore is a thread pinned to its CPU (set) that
 * sleeps until sl_eal_remote_launch hands it a function. Also the lcores'
 * NUMA nodes, read from sysfs at init. */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eal_private.h"

__thread unsigned sl_per_lcore_id = SL_LCORE_ID_ANY;

#define LCORE_WAIT SL_LCORE_WAIT         /* idle, ready for a launch */
#define LCORE_RUNNING SL_LCORE_RUNNING   /* running fn */
#define LCORE_FINISHED SL_LCORE_FINISHED /* fn returned; sl_eal_wait_lcore collects ret */

struct lcore {
	bool enabled;
	unsigned cpu;           /* the CPU it is pinned to (the lowest of its set) */
	cpu_set_t cpus;         /* the CPUs it may run on (usually just cpu) */
	int socket;             /* NUMA node of cpu; 0 without NUMA information */
	bool thread_started;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	enum sl_lcore_state state;
	bool quit;
	sl_lcore_function_t fn;
	void *arg;
	int ret;
};

static struct lcore lcores[SL_MAX_LCORE];
static unsigned lcore_count;
static unsigned main_lcore;
static unsigned socket_count = 1; /* NUMA nodes: online ones, or the lcores' */
static bool lcores_up;
static cpu_set_t main_saved_affinity;
static bool main_affinity_saved;

unsigned sl_lcore_count(void)
{
	return lcore_count;
}

unsigned sl_get_main_lcore(void)
{
	return main_lcore;
}

bool sl_lcore_is_enabled(unsigned lcore_id)
{
	return lcore_id < SL_MAX_LCORE && lcores[lcore_id].enabled;
}

int sl_lcore_to_cpu_id(unsigned lcore_id)
{
	return sl_lcore_is_enabled(lcore_id) ? (int)lcores[lcore_id].cpu : -1;
}

int sl_lcore_to_socket_id(unsigned lcore_id)
{
	return sl_lcore_is_enabled(lcore_id) ? lcores[lcore_id].socket : SL_SOCKET_ID_ANY;
}

/* NUMA node of CPU from sysfs: the nodeM entry in devices/system/cpu/cpuN
 * (under $SL_SYSFS_ROOT, default /sys, as bus_vfio reads it); 0 when there
 * is none (no NUMA, or sysfs not mounted). */
static int cpu_to_node(unsigned cpu)
{
	const char *root = getenv("SL_SYSFS_ROOT");
	char path[512];
	struct dirent *de;
	DIR *d;
	int node = 0;

	snprintf(path, sizeof(path), "%s/devices/system/cpu/cpu%u", root && root[0] ? root : "/sys",
		 cpu);
	d = opendir(path);
	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		char *end;
		long v;
		if (strncmp(de->d_name, "node", 4) != 0 || de->d_name[4] < '0' || de->d_name[4] > '9')
			continue;
		v = strtol(de->d_name + 4, &end, 10);
		if (*end == '\0' && v >= 0 && v < 4096) {
			node = (int)v;
			break;
		}
	}
	closedir(d);
	return node;
}

/* Highest node number + 1 in a sysfs list such as "0" or "0-1,3" (the
 * nodes online, $SL_SYSFS_ROOT/devices/system/node/online); 0 when the
 * file is missing or unreadable. */
static int online_node_count(void)
{
	const char *root = getenv("SL_SYSFS_ROOT");
	char path[512], buf[256];
	int count = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/devices/system/node/online", root && root[0] ? root : "/sys");
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	if (fgets(buf, sizeof(buf), f) != NULL) {
		char *p = buf, *end;
		for (;;) {
			long v = strtol(p, &end, 10);
			if (end == p || v < 0 || v >= 4096)
				break;
			if (v + 1 > count)
				count = (int)v + 1;
			if (*end != ',' && *end != '-')
				break;
			p = end + 1;
		}
	}
	fclose(f);
	return count;
}

unsigned sl_socket_count(void)
{
	return socket_count;
}

int sl_socket_id(void)
{
	unsigned id = sl_lcore_id();
	int cpu;

	if (sl_lcore_is_enabled(id))
		return lcores[id].socket;
	cpu = sched_getcpu();
	return cpu < 0 ? 0 : cpu_to_node((unsigned)cpu);
}

int sl_eal_get_lcore_state(unsigned lcore_id)
{
	struct lcore *lc;
	int state;

	if (!sl_lcore_is_enabled(lcore_id))
		return -EINVAL;
	lc = &lcores[lcore_id];
	if (lcore_id == main_lcore || !lc->thread_started)
		return SL_LCORE_WAIT;
	pthread_mutex_lock(&lc->lock);
	state = (int)lc->state;
	pthread_mutex_unlock(&lc->lock);
	return state;
}

unsigned eal_lcore_running(char *buf, size_t len)
{
	unsigned n = 0;
	size_t off = 0;

	if (len > 0)
		buf[0] = '\0';
	for (unsigned i = 0; i < SL_MAX_LCORE; i++) {
		if (!lcores[i].enabled || sl_eal_get_lcore_state(i) != SL_LCORE_RUNNING)
			continue;
		n++;
		if (off < len) {
			int w = snprintf(buf + off, len - off, "%s%u", off ? "," : "", i);
			if (w > 0)
				off += (size_t)w;
		}
	}
	return n;
}

unsigned sl_get_next_lcore(unsigned i, bool skip_main, bool wrap)
{
	unsigned start = i + 1; /* i = -1 wraps to 0 */

	for (unsigned n = 0; n < SL_MAX_LCORE; n++) {
		unsigned id = start + n;
		if (id >= SL_MAX_LCORE) {
			if (!wrap)
				return SL_MAX_LCORE;
			id -= SL_MAX_LCORE;
		}
		if (!lcores[id].enabled || (skip_main && id == main_lcore))
			continue;
		return id;
	}
	return SL_MAX_LCORE;
}

static void *lcore_thread(void *arg)
{
	struct lcore *lc = arg;

	sl_per_lcore_id = (unsigned)(lc - lcores);
	pthread_mutex_lock(&lc->lock);
	for (;;) {
		while (lc->state != LCORE_RUNNING && !lc->quit)
			pthread_cond_wait(&lc->cond, &lc->lock);
		if (lc->quit)
			break;
		sl_lcore_function_t fn = lc->fn;
		void *fn_arg = lc->arg;
		pthread_mutex_unlock(&lc->lock);
		int ret = fn(fn_arg);
		pthread_mutex_lock(&lc->lock);
		lc->ret = ret;
		lc->state = LCORE_FINISHED;
		pthread_cond_broadcast(&lc->cond);
	}
	pthread_mutex_unlock(&lc->lock);
	return NULL;
}

static int pin_thread(pthread_t t, const cpu_set_t *cpus)
{
	return pthread_setaffinity_np(t, sizeof(*cpus), cpus);
}

int sl_eal_remote_launch(sl_lcore_function_t fn, void *arg, unsigned worker_id)
{
	struct lcore *lc;
	int ret = 0;

	if (fn == NULL || !sl_lcore_is_enabled(worker_id) || worker_id == main_lcore ||
	    !lcores[worker_id].thread_started)
		return -EINVAL;
	lc = &lcores[worker_id];
	pthread_mutex_lock(&lc->lock);
	if (lc->state != LCORE_WAIT) {
		ret = -EBUSY;
	} else {
		lc->fn = fn;
		lc->arg = arg;
		lc->state = LCORE_RUNNING;
		pthread_cond_broadcast(&lc->cond);
	}
	pthread_mutex_unlock(&lc->lock);
	return ret;
}

int sl_eal_wait_lcore(unsigned worker_id)
{
	struct lcore *lc;
	int ret = 0;

	if (!sl_lcore_is_enabled(worker_id) || !lcores[worker_id].thread_started)
		return 0;
	lc = &lcores[worker_id];
	pthread_mutex_lock(&lc->lock);
	while (lc->state == LCORE_RUNNING)
		pthread_cond_wait(&lc->cond, &lc->lock);
	if (lc->state == LCORE_FINISHED) {
		ret = lc->ret;
		lc->state = LCORE_WAIT;
	}
	pthread_mutex_unlock(&lc->lock);
	return ret;
}

void sl_eal_mp_wait_lcore(void)
{
	unsigned i;

	SL_LCORE_FOREACH_WORKER(i)
		sl_eal_wait_lcore(i);
}

static void stop_workers(void)
{
	for (unsigned i = 0; i < SL_MAX_LCORE; i++) {
		struct lcore *lc = &lcores[i];
		if (!lc->thread_started)
			continue;
		pthread_mutex_lock(&lc->lock);
		lc->quit = true;
		pthread_cond_broadcast(&lc->cond);
		pthread_mutex_unlock(&lc->lock);
		/* sl_eal_cleanup checked that no worker is inside fn, so this
		 * join returns (on the failure path of init none ever ran). */
		pthread_join(lc->thread, NULL);
		lc->thread_started = false;
	}
	for (unsigned i = 0; i < SL_MAX_LCORE; i++) {
		if (lcores[i].enabled) {
			pthread_mutex_destroy(&lcores[i].lock);
			pthread_cond_destroy(&lcores[i].cond);
		}
	}
}

void eal_lcore_cleanup(void)
{
	if (!lcores_up)
		return;
	stop_workers();
	if (main_affinity_saved)
		pthread_setaffinity_np(pthread_self(), sizeof(main_saved_affinity),
				       &main_saved_affinity);
	main_affinity_saved = false;
	sl_per_lcore_id = SL_LCORE_ID_ANY;
	memset(lcores, 0, sizeof(lcores));
	lcore_count = 0;
	main_lcore = 0;
	lcores_up = false;
}

int eal_lcore_init(const struct eal_options *opts)
{
	bool enabled[SL_MAX_LCORE];
	cpu_set_t allowed;
	int err;

	if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0) {
		err = errno;
		SL_LOG(ERR, EAL_LOG, "cannot read this process's CPU affinity: %s", strerror(err));
		errno = err;
		return -1;
	}
	if (opts->lcores_given) {
		memcpy(enabled, opts->lcore_enabled, sizeof(enabled));
	} else {
		for (unsigned i = 0; i < SL_MAX_LCORE; i++)
			enabled[i] = CPU_ISSET(i, &allowed);
	}
	memset(lcores, 0, sizeof(lcores));
	{
		int online = online_node_count();
		socket_count = online > 0 ? (unsigned)online : 1;
	}
	lcore_count = 0;
	main_lcore = SL_MAX_LCORE;
	for (unsigned i = 0; i < SL_MAX_LCORE; i++) {
		if (!enabled[i])
			continue;
		lcores[i].enabled = true;
		lcores[i].cpu = opts->lcores_given ? opts->lcore_cpu[i] : i;
		CPU_ZERO(&lcores[i].cpus);
		if (opts->lcores_given) {
			for (unsigned c = 0; c < SL_MAX_LCORE; c++)
				if (eal_cpuset_isset(&opts->lcore_cpus[i], c))
					CPU_SET(c, &lcores[i].cpus);
		}
		if (CPU_COUNT(&lcores[i].cpus) == 0)
			CPU_SET(lcores[i].cpu, &lcores[i].cpus);
		lcores[i].socket = cpu_to_node(lcores[i].cpu);
		if ((unsigned)lcores[i].socket + 1 > socket_count)
			socket_count = (unsigned)lcores[i].socket + 1;
		lcores[i].state = LCORE_WAIT;
		pthread_mutex_init(&lcores[i].lock, NULL);
		pthread_cond_init(&lcores[i].cond, NULL);
		lcore_count++;
		if (main_lcore == SL_MAX_LCORE)
			main_lcore = i;
	}
	if (lcore_count == 0) {
		SL_LOG(ERR, EAL_LOG, "no usable CPU for lcores: the affinity mask is empty");
		errno = EINVAL;
		return -1;
	}
	if (opts->main_lcore_given) {
		if (!lcores[opts->main_lcore].enabled) {
			SL_LOG(ERR, EAL_LOG,
			       "invalid value '%u' for --main-lcore: CPU %u is not available to this "
			       "process; expected an lcore from the -l/--lcores list",
			       opts->main_lcore, opts->main_lcore);
			errno = EINVAL;
			goto fail;
		}
		main_lcore = opts->main_lcore;
	}
	lcores_up = true;

	/* Pin the calling thread to the main lcore; restore it at cleanup. */
	if (pthread_getaffinity_np(pthread_self(), sizeof(main_saved_affinity),
				   &main_saved_affinity) == 0)
		main_affinity_saved = true;
	err = pin_thread(pthread_self(), &lcores[main_lcore].cpus);
	if (err != 0) {
		SL_LOG(ERR, EAL_LOG, "cannot pin the main thread to CPU %u: %s", lcores[main_lcore].cpu,
		       strerror(err));
		errno = err;
		goto fail;
	}
	sl_per_lcore_id = main_lcore;

	for (unsigned i = 0; i < SL_MAX_LCORE; i++) {
		struct lcore *lc = &lcores[i];
		pthread_attr_t attr;
		char name[16];

		if (!lc->enabled || i == main_lcore)
			continue;
		pthread_attr_init(&attr);
		/* Created already pinned, so it never runs on another CPU. */
		pthread_attr_setaffinity_np(&attr, sizeof(lc->cpus), &lc->cpus);
		err = pthread_create(&lc->thread, &attr, lcore_thread, lc);
		pthread_attr_destroy(&attr);
		if (err != 0) {
			SL_LOG(ERR, EAL_LOG, "cannot start the thread of lcore %u: %s", i,
			       strerror(err));
			errno = err;
			goto fail;
		}
		lc->thread_started = true;
		snprintf(name, sizeof(name), "sl-lcore-%u", i);
		pthread_setname_np(lc->thread, name);
	}
	return 0;
fail:
	err = errno;
	lcores_up = true;
	eal_lcore_cleanup();
	errno = err;
	return -1;
}

/* True when lcore I and the next one are enabled and share a CPU. */
static bool single(unsigned i)
{
	return CPU_COUNT(&lcores[i].cpus) == 1;
}

static bool starts_shared_run(unsigned i)
{
	return i + 1 < SL_MAX_LCORE && lcores[i].enabled && lcores[i + 1].enabled &&
	       single(i) && single(i + 1) && lcores[i + 1].cpu == lcores[i].cpu;
}

/* "2,3" or "0-3" for an lcore's CPU set. */
static int format_cpus(char *buf, size_t len, const cpu_set_t *set)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned c = 0; c < SL_MAX_LCORE && off < len; c++) {
		unsigned e = c;
		if (!CPU_ISSET(c, set))
			continue;
		while (e + 1 < SL_MAX_LCORE && CPU_ISSET(e + 1, set))
			e++;
		int n = e == c ? snprintf(buf + off, len - off, "%s%u", off ? "," : "", c)
			       : snprintf(buf + off, len - off, "%s%u-%u", off ? "," : "", c, e);
		if (n < 0)
			return n;
		off += (size_t)n;
		c = e;
	}
	return (int)off;
}

/* Same syntax as -l: runs of lcores on their own CPUs as "0-1", runs that
 * share one CPU as "1-3@1". */
void eal_lcore_format(char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < SL_MAX_LCORE && off < len;) {
		unsigned j = i;
		if (!lcores[i].enabled) {
			i++;
			continue;
		}
		if (!single(i)) { /* a CPU set: on its own, "1@(2,3)" */
			char cpus[64];
			format_cpus(cpus, sizeof(cpus), &lcores[i].cpus);
			int n = snprintf(buf + off, len - off, "%s%u@(%s)", off ? "," : "", i, cpus);
			if (n < 0)
				break;
			off += (size_t)n;
			i++;
			continue;
		}
		/* a run sharing one CPU, or a run each on its own CPU */
		bool shared = starts_shared_run(i);
		bool moved = shared || lcores[i].cpu != i;
		while (j + 1 < SL_MAX_LCORE && lcores[j + 1].enabled &&
		       (moved ? shared && single(j + 1) && lcores[j + 1].cpu == lcores[i].cpu
			      : single(j + 1) && lcores[j + 1].cpu == j + 1 &&
					!starts_shared_run(j + 1)))
			j++;
		int n = (j == i) ? snprintf(buf + off, len - off, "%s%u", off ? "," : "", i)
				 : snprintf(buf + off, len - off, "%s%u-%u", off ? "," : "", i, j);
		if (n >= 0 && moved && off + (size_t)n < len)
			n += snprintf(buf + off + (size_t)n, len - off - (size_t)n, "@%u", lcores[i].cpu);
		if (n < 0)
			break;
		off += (size_t)n;
		i = j + 1;
	}
}
