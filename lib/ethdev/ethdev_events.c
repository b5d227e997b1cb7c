/* ethdev_events.c: port events (SL_ETH_EVENT_INTR_LSC, _INTR_RMV) and the
 * callbacks registered for them. Whoever notices an event (a driver's
 * interrupt handler on the EAL interrupt thread, bus_vfio's removal thread
 * through sl_eth_pci_removed) posts it here; it is queued and the
 * callbacks run on the EAL interrupt thread, from ethdev's own source (an
 * eventfd), one event at a time in the order posted. So every event
 * callback runs on that one thread, and a thread that posts never waits
 * for an application callback (a driver's stop, which waits for its own
 * interrupt handler, can never wait behind a callback that waits for the
 * ethdev lock the stop holds).
 *
 * Locking: cb_lock protects the callback table and the queue; it is never
 * held while a callback runs, nor while calling into the driver. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "ethdev_private.h"

struct event_cb {
	uint16_t port_id;
	enum sl_eth_event_type event;
	sl_eth_event_cb_fn cb;
	void *arg;
};
#define MAX_EVENT_CBS 32
#define MAX_PENDING 256

struct pending_event {
	uint16_t port_id;
	enum sl_eth_event_type event;
};

static pthread_mutex_t cb_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cb_idle = PTHREAD_COND_INITIALIZER;
static bool in_dispatch; /* callbacks copied out of the table are running */
static struct event_cb event_cbs[MAX_EVENT_CBS];
static struct pending_event pending[MAX_PENDING];
static unsigned pend_head, pend_count;
static uint64_t dropped;
static int ev_fd = -1; /* registered with the interrupt thread while >= 0 */

static const char *event_name(enum sl_eth_event_type ev)
{
	switch (ev) {
	case SL_ETH_EVENT_INTR_LSC:
		return "link state change";
	case SL_ETH_EVENT_INTR_RMV:
		return "removal";
	}
	return "?";
}

static bool valid_event(enum sl_eth_event_type ev)
{
	return ev == SL_ETH_EVENT_INTR_LSC || ev == SL_ETH_EVENT_INTR_RMV;
}

/* On the interrupt thread: deliver what is queued, one event at a time. */
static void dispatch(int fd, void *unused)
{
	uint64_t cnt;
	(void)unused;
	if (read(fd, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
		SL_LOG(WARNING, LOG_COMPONENT, "event queue: read: %s", strerror(errno));
	for (;;) {
		struct event_cb cbs[MAX_EVENT_CBS];
		unsigned n = 0;
		pthread_mutex_lock(&cb_lock);
		if (pend_count == 0) {
			pthread_mutex_unlock(&cb_lock);
			return;
		}
		struct pending_event e = pending[pend_head];
		pend_head = (pend_head + 1) % MAX_PENDING;
		pend_count--;
		for (unsigned i = 0; i < MAX_EVENT_CBS; i++)
			if (event_cbs[i].cb != NULL && event_cbs[i].event == e.event &&
			    (event_cbs[i].port_id == e.port_id || event_cbs[i].port_id == SL_ETH_ALL))
				cbs[n++] = event_cbs[i];
		in_dispatch = true;
		pthread_mutex_unlock(&cb_lock);
		SL_LOG(DEBUG, LOG_COMPONENT, "port %u: %s event to %u callback(s)", e.port_id, event_name(e.event), n);
		for (unsigned i = 0; i < n; i++)
			cbs[i].cb(e.port_id, e.event, cbs[i].arg);
		pthread_mutex_lock(&cb_lock);
		in_dispatch = false;
		pthread_cond_broadcast(&cb_idle);
		pthread_mutex_unlock(&cb_lock);
	}
}

/* The queue's eventfd on the interrupt thread (cb_lock held). 0 or -errno. */
static int ensure_source(void)
{
	if (ev_fd >= 0)
		return 0;
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	int ret = sl_intr_register(fd, dispatch, NULL);
	if (ret != 0) {
		close(fd);
		return ret;
	}
	ev_fd = fd;
	return 0;
}

void ethdev__event_post(uint16_t port_id, enum sl_eth_event_type event)
{
	bool wanted = false;
	pthread_mutex_lock(&cb_lock);
	for (unsigned i = 0; i < MAX_EVENT_CBS && !wanted; i++)
		wanted = event_cbs[i].cb != NULL && event_cbs[i].event == event &&
			 (event_cbs[i].port_id == port_id || event_cbs[i].port_id == SL_ETH_ALL);
	if (!wanted) {
		/* nobody listens: nothing to queue */
		pthread_mutex_unlock(&cb_lock);
		return;
	}
	int ret = ensure_source();
	if (ret != 0 || pend_count == MAX_PENDING) {
		if (dropped++ == 0)
			SL_LOG(ERR, LOG_COMPONENT, "port %u: %s event lost (%s); further losses are not logged",
			       port_id, event_name(event), ret != 0 ? strerror(-ret) : "more than 256 events pending: "
			       "are the callbacks blocked?");
		pthread_mutex_unlock(&cb_lock);
		return;
	}
	pending[(pend_head + pend_count) % MAX_PENDING] = (struct pending_event){port_id, event};
	pend_count++;
	uint64_t one = 1;
	if (write(ev_fd, &one, sizeof(one)) != sizeof(one))
		SL_LOG(WARNING, LOG_COMPONENT, "event queue: write: %s", strerror(errno));
	pthread_mutex_unlock(&cb_lock);
}

void sl_eth_dev_event_post(struct sl_eth_dev *dev, enum sl_eth_event_type event)
{
	if (dev == NULL || !valid_event(event))
		return;
	ethdev__event_post(dev->port_id, event);
}

void ethdev__events_forget(uint16_t port_id)
{
	pthread_mutex_lock(&cb_lock);
	unsigned kept = 0;
	for (unsigned i = 0; i < pend_count; i++) {
		struct pending_event e = pending[(pend_head + i) % MAX_PENDING];
		if (e.port_id != port_id)
			pending[(pend_head + kept++) % MAX_PENDING] = e;
	}
	pend_count = kept;
	pthread_mutex_unlock(&cb_lock);
}

void ethdev__events_cleanup(void)
{
	pthread_mutex_lock(&cb_lock);
	int fd = ev_fd;
	ev_fd = -1;
	pend_count = 0;
	pthread_mutex_unlock(&cb_lock);
	if (fd >= 0) {
		/* without cb_lock: the dispatcher takes it, and this waits for it */
		sl_intr_unregister(fd, dispatch, NULL);
		close(fd);
	}
}

int sl_eth_dev_callback_register(uint16_t port_id, enum sl_eth_event_type event, sl_eth_event_cb_fn cb,
				 void *cb_arg)
{
	if (cb == NULL || !valid_event(event) || (port_id != SL_ETH_ALL && sl_eth_dev_get(port_id) == NULL)) {
		SL_LOG(ERR, LOG_COMPONENT, "sl_eth_dev_callback_register: bad port %u, event %d or no callback",
		       port_id, (int)event);
		return -EINVAL;
	}
	int ret = -ENOSPC;
	pthread_mutex_lock(&cb_lock);
	for (unsigned i = 0; i < MAX_EVENT_CBS; i++)
		if (event_cbs[i].cb == NULL) {
			event_cbs[i] = (struct event_cb){.port_id = port_id, .event = event, .cb = cb, .arg = cb_arg};
			ret = 0;
			break;
		}
	pthread_mutex_unlock(&cb_lock);
	if (ret != 0)
		SL_LOG(ERR, LOG_COMPONENT, "sl_eth_dev_callback_register: all %d callback slots are taken",
		       MAX_EVENT_CBS);
	return ret;
}

int sl_eth_dev_callback_unregister(uint16_t port_id, enum sl_eth_event_type event, sl_eth_event_cb_fn cb,
				   void *cb_arg)
{
	int ret = -EINVAL;
	pthread_mutex_lock(&cb_lock);
	for (unsigned i = 0; i < MAX_EVENT_CBS; i++)
		if (event_cbs[i].cb == cb && event_cbs[i].arg == cb_arg && event_cbs[i].port_id == port_id &&
		    event_cbs[i].event == event) {
			event_cbs[i] = (struct event_cb){0};
			ret = 0;
		}
	/* A copy of it may be running: wait, so that CB_ARG may be freed once
	 * this returns (not on the interrupt thread: that is the caller). */
	while (ret == 0 && in_dispatch && !sl_intr_thread_is_current())
		pthread_cond_wait(&cb_idle, &cb_lock);
	pthread_mutex_unlock(&cb_lock);
	return ret;
}
