/* eal_intr.c: the interrupt thread. One thread per process ("sl-intr")
 * waits in epoll_wait on the file descriptors registered with
 * sl_intr_register (a device's MSI-X eventfd, ethdev's event queue) and
 * calls each one's callback when it becomes readable. It is started by the
 * first registration and stopped (joined, its epoll fd and stop eventfd
 * closed) at sl_eal_cleanup, so nothing of it outlives the EAL.
 *
 * Sources live in a fixed table; epoll's data word carries the slot and a
 * generation, so an event fetched just before a source was unregistered
 * (and its slot reused) is recognised as stale and dropped. Registration
 * and unregistration are thread safe (one mutex); callbacks run without
 * it. sl_intr_unregister waits for a callback of that source that is
 * running on the thread to return, unless it is called by the interrupt
 * thread itself (a callback may unregister its own or another source). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "eal_private.h"

#define INTR_LOG "intr"
#define STOP_KEY UINT64_MAX

struct intr_source {
	int fd;             /* -1: free slot */
	uint32_t gen;       /* bumped when the slot is freed */
	sl_intr_cb_fn cb;
	void *arg;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t idle;          /* signalled when a callback returns */
	struct intr_source src[SL_INTR_MAX_SOURCES];
	unsigned nb_src;
	bool running;
	pthread_t thread;
	int epfd, stopfd;
	int busy_slot;                /* slot whose callback runs now, -1 none */
	uint32_t busy_gen;
	uint64_t dispatched;
} intr = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.idle = PTHREAD_COND_INITIALIZER,
	.epfd = -1,
	.stopfd = -1,
	.busy_slot = -1,
};

static __thread bool on_intr_thread;

static void init_slots_once(void)
{
	static bool done;
	if (done)
		return;
	for (unsigned i = 0; i < SL_INTR_MAX_SOURCES; i++)
		intr.src[i].fd = -1;
	done = true;
}

bool sl_intr_thread_is_current(void)
{
	return on_intr_thread;
}

static void *intr_main(void *unused)
{
	(void)unused;
	on_intr_thread = true;
	for (;;) {
		struct epoll_event ev[16];
		int n = epoll_wait(intr.epfd, ev, 16, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			SL_LOG(ERR, INTR_LOG, "interrupt thread: epoll_wait: %s; no more interrupts will be handled",
			       strerror(errno));
			return NULL;
		}
		for (int i = 0; i < n; i++) {
			uint64_t key = ev[i].data.u64;
			if (key == STOP_KEY)
				return NULL;
			unsigned slot = (unsigned)(key & 0xffffffffu);
			uint32_t gen = (uint32_t)(key >> 32);
			pthread_mutex_lock(&intr.lock);
			struct intr_source s = slot < SL_INTR_MAX_SOURCES ? intr.src[slot] : (struct intr_source){.fd = -1};
			if (s.fd < 0 || s.gen != gen) {
				/* unregistered after epoll_wait returned it */
				pthread_mutex_unlock(&intr.lock);
				continue;
			}
			intr.busy_slot = (int)slot;
			intr.busy_gen = gen;
			pthread_mutex_unlock(&intr.lock);
			s.cb(s.fd, s.arg);
			pthread_mutex_lock(&intr.lock);
			intr.busy_slot = -1;
			intr.dispatched++;
			pthread_cond_broadcast(&intr.idle);
			pthread_mutex_unlock(&intr.lock);
		}
	}
}

/* Start the thread (intr.lock held). 0 or a negative errno. */
static int intr_start(void)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = STOP_KEY};
	sigset_t all, old;
	int rc;

	if (intr.running)
		return 0;
	intr.epfd = epoll_create1(EPOLL_CLOEXEC);
	intr.stopfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (intr.epfd < 0 || intr.stopfd < 0 || epoll_ctl(intr.epfd, EPOLL_CTL_ADD, intr.stopfd, &ev) != 0) {
		rc = -errno;
		goto fail;
	}
	/* signals stay with the application's threads */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&intr.thread, NULL, intr_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		rc = -rc;
		goto fail;
	}
	pthread_setname_np(intr.thread, "sl-intr");
	intr.running = true;
	SL_LOG(DEBUG, INTR_LOG, "interrupt thread started");
	return 0;
fail:
	SL_LOG(ERR, INTR_LOG, "cannot start the interrupt thread: %s", strerror(-rc));
	if (intr.epfd >= 0)
		close(intr.epfd);
	if (intr.stopfd >= 0)
		close(intr.stopfd);
	intr.epfd = intr.stopfd = -1;
	return rc;
}

int sl_intr_register(int fd, sl_intr_cb_fn cb, void *arg)
{
	if (fd < 0 || cb == NULL) {
		SL_LOG(ERR, INTR_LOG, "sl_intr_register: bad fd %d or no callback", fd);
		return -EINVAL;
	}
	pthread_mutex_lock(&intr.lock);
	init_slots_once();
	int ret = intr_start();
	if (ret != 0)
		goto out;
	unsigned slot;
	for (slot = 0; slot < SL_INTR_MAX_SOURCES; slot++)
		if (intr.src[slot].fd < 0)
			break;
	if (slot == SL_INTR_MAX_SOURCES) {
		SL_LOG(ERR, INTR_LOG, "sl_intr_register: all %d interrupt sources are in use", SL_INTR_MAX_SOURCES);
		ret = -ENOSPC;
		goto out;
	}
	struct intr_source *s = &intr.src[slot];
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (uint64_t)s->gen << 32 | slot};
	if (epoll_ctl(intr.epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
		ret = -errno;
		SL_LOG(ERR, INTR_LOG, "sl_intr_register: fd %d: %s%s", fd, strerror(errno),
		       errno == EEXIST ? " (it is registered already)" : "");
		goto out;
	}
	s->fd = fd;
	s->cb = cb;
	s->arg = arg;
	intr.nb_src++;
out:
	pthread_mutex_unlock(&intr.lock);
	return ret;
}

/* Free SLOT (intr.lock held) and wait until its callback is not running,
 * unless this is the interrupt thread. */
static void free_slot(unsigned slot)
{
	struct intr_source *s = &intr.src[slot];
	uint32_t gen = s->gen;
	if (intr.epfd >= 0)
		epoll_ctl(intr.epfd, EPOLL_CTL_DEL, s->fd, NULL);
	s->fd = -1;
	s->cb = NULL;
	s->arg = NULL;
	s->gen++;
	intr.nb_src--;
	while (!on_intr_thread && intr.busy_slot == (int)slot && intr.busy_gen == gen)
		pthread_cond_wait(&intr.idle, &intr.lock);
}

int sl_intr_unregister(int fd, sl_intr_cb_fn cb, void *arg)
{
	int ret = -ENOENT;
	pthread_mutex_lock(&intr.lock);
	init_slots_once();
	for (unsigned slot = 0; slot < SL_INTR_MAX_SOURCES; slot++) {
		struct intr_source *s = &intr.src[slot];
		if (s->fd == fd && fd >= 0 && s->cb == cb && s->arg == arg) {
			free_slot(slot);
			ret = 0;
			break;
		}
	}
	pthread_mutex_unlock(&intr.lock);
	return ret;
}

unsigned sl_intr_count(void)
{
	pthread_mutex_lock(&intr.lock);
	unsigned n = intr.nb_src;
	pthread_mutex_unlock(&intr.lock);
	return n;
}

void eal_intr_cleanup(void)
{
	uint64_t one = 1;

	pthread_mutex_lock(&intr.lock);
	init_slots_once();
	if (intr.nb_src > 0) {
		SL_LOG(WARNING, INTR_LOG, "%u interrupt source(s) still registered at cleanup; dropping them",
		       intr.nb_src);
		for (unsigned slot = 0; slot < SL_INTR_MAX_SOURCES; slot++)
			if (intr.src[slot].fd >= 0)
				free_slot(slot);
	}
	if (!intr.running) {
		pthread_mutex_unlock(&intr.lock);
		return;
	}
	pthread_mutex_unlock(&intr.lock);
	if (write(intr.stopfd, &one, sizeof(one)) != sizeof(one))
		SL_LOG(WARNING, INTR_LOG, "stopping the interrupt thread: %s", strerror(errno));
	pthread_join(intr.thread, NULL);
	pthread_mutex_lock(&intr.lock);
	close(intr.epfd);
	close(intr.stopfd);
	intr.epfd = intr.stopfd = -1;
	intr.running = false;
	intr.busy_slot = -1;
	pthread_mutex_unlock(&intr.lock);
	SL_LOG(DEBUG, INTR_LOG, "interrupt thread stopped");
}
