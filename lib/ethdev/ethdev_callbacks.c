/* ethdev_callbacks.c: per-queue rx/tx callbacks (DPDK's
 * rte_eth_add_rx_callback family). Each queue has a singly linked list,
 * kept in the port (dev->rx_cbs/tx_cbs) and, while the port is started,
 * published in the fast-path table next to the queue's burst function.
 * Writers (add, remove) serialise on ethdev's lock and publish with release
 * stores; the bursts walk the list with acquire loads and no lock. A
 * removed callback keeps its next pointer, so a burst standing on it walks
 * on; it is freed by the application once no burst can be using it. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "ethdev_private.h"

uint16_t __sl_eth_rx_burst_cbs(const struct sl_eth_fp_rxq *q, struct sl_mbuf **pkts, uint16_t nb_pkts)
{
	uint16_t port_id = q->port_id, queue_id = q->queue_id;
	uint16_t n = q->rx_burst(q->queue, pkts, nb_pkts);
	for (const struct sl_eth_rxtx_callback *cb = __atomic_load_n(&q->cbs, __ATOMIC_ACQUIRE); cb != NULL;
	     cb = __atomic_load_n(&cb->next, __ATOMIC_ACQUIRE))
		n = cb->fn.rx(port_id, queue_id, pkts, n, nb_pkts, cb->param);
	return n;
}

uint16_t __sl_eth_tx_burst_cbs(const struct sl_eth_fp_txq *q, struct sl_mbuf **pkts, uint16_t nb_pkts)
{
	uint16_t port_id = q->port_id, queue_id = q->queue_id;
	for (const struct sl_eth_rxtx_callback *cb = __atomic_load_n(&q->cbs, __ATOMIC_ACQUIRE); cb != NULL;
	     cb = __atomic_load_n(&cb->next, __ATOMIC_ACQUIRE))
		nb_pkts = cb->fn.tx(port_id, queue_id, pkts, nb_pkts, cb->param);
	return q->tx_burst(q->queue, pkts, nb_pkts);
}

/* The list head of QUEUE_ID in DEV and its fast-path copy. */
static struct sl_eth_rxtx_callback **list_of(struct sl_eth_dev *dev, bool rx, uint16_t queue_id,
					     struct sl_eth_rxtx_callback **fp_head[1])
{
	struct sl_eth_fp_port *fp = &sl_eth_fp_ports[dev->port_id];
	*fp_head = rx ? &fp->rxq[queue_id].cbs : &fp->txq[queue_id].cbs;
	return rx ? &dev->rx_cbs[queue_id] : &dev->tx_cbs[queue_id];
}

static bool queue_ok(const struct sl_eth_dev *dev, bool rx, uint16_t queue_id, const char *func)
{
	uint16_t nb = rx ? dev->nb_rx_queues : dev->nb_tx_queues;
	if (queue_id < nb)
		return true;
	SL_LOG(ERR, LOG_COMPONENT, "%s: port %u (%s) has no %s queue %u (%u configured)", func, dev->port_id,
	       dev->name, rx ? "rx" : "tx", queue_id, nb);
	return false;
}

static const struct sl_eth_rxtx_callback *add_cb(uint16_t port_id, uint16_t queue_id, bool first,
						 sl_rx_callback_fn rx_fn, sl_tx_callback_fn tx_fn, void *user_param,
						 const char *func)
{
	bool rx = tx_fn == NULL;
	struct sl_eth_dev *dev = ethdev__port_or_log(port_id, func);
	if (dev == NULL) {
		errno = ENODEV;
		return NULL;
	}
	if (rx_fn == NULL && tx_fn == NULL) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: port %u (%s): NULL callback function", func, port_id, dev->name);
		errno = EINVAL;
		return NULL;
	}
	struct sl_eth_rxtx_callback *cb = calloc(1, sizeof(*cb));
	if (cb == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	if (rx)
		cb->fn.rx = rx_fn;
	else
		cb->fn.tx = tx_fn;
	cb->param = user_param;

	pthread_mutex_lock(&ethdev__lock);
	if (!queue_ok(dev, rx, queue_id, func)) {
		pthread_mutex_unlock(&ethdev__lock);
		free(cb);
		errno = EINVAL;
		return NULL;
	}
	struct sl_eth_rxtx_callback **fp_head;
	struct sl_eth_rxtx_callback **head = list_of(dev, rx, queue_id, &fp_head);
	if (first || *head == NULL) {
		cb->next = *head;
		__atomic_store_n(head, cb, __ATOMIC_RELEASE);
		if (dev->started)
			__atomic_store_n(fp_head, cb, __ATOMIC_RELEASE);
	} else {
		struct sl_eth_rxtx_callback *tail = *head;
		while (tail->next != NULL)
			tail = tail->next;
		__atomic_store_n(&tail->next, cb, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&ethdev__lock);
	return cb;
}

const struct sl_eth_rxtx_callback *sl_eth_add_rx_callback(uint16_t port_id, uint16_t queue_id,
							 sl_rx_callback_fn fn, void *user_param)
{
	return add_cb(port_id, queue_id, false, fn, NULL, user_param, __func__);
}

const struct sl_eth_rxtx_callback *sl_eth_add_first_rx_callback(uint16_t port_id, uint16_t queue_id,
							       sl_rx_callback_fn fn, void *user_param)
{
	return add_cb(port_id, queue_id, true, fn, NULL, user_param, __func__);
}

const struct sl_eth_rxtx_callback *sl_eth_add_tx_callback(uint16_t port_id, uint16_t queue_id,
							 sl_tx_callback_fn fn, void *user_param)
{
	return add_cb(port_id, queue_id, false, NULL, fn, user_param, __func__);
}

const struct sl_eth_rxtx_callback *sl_eth_add_first_tx_callback(uint16_t port_id, uint16_t queue_id,
							       sl_tx_callback_fn fn, void *user_param)
{
	return add_cb(port_id, queue_id, true, NULL, fn, user_param, __func__);
}

static int remove_cb(uint16_t port_id, uint16_t queue_id, bool rx, const struct sl_eth_rxtx_callback *cb,
		     const char *func)
{
	struct sl_eth_dev *dev = ethdev__port_or_log(port_id, func);
	if (dev == NULL)
		return -ENODEV;
	if (cb == NULL) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: port %u (%s): NULL callback", func, port_id, dev->name);
		return -EINVAL;
	}
	int ret = -EINVAL;
	pthread_mutex_lock(&ethdev__lock);
	if (queue_id < SL_MAX_QUEUES_PER_PORT) {
		struct sl_eth_rxtx_callback **fp_head;
		struct sl_eth_rxtx_callback **head = list_of(dev, rx, queue_id, &fp_head);
		for (struct sl_eth_rxtx_callback **p = head; *p != NULL; p = &(*p)->next) {
			if (*p != cb)
				continue;
			/* cb->next stays: a burst standing on cb walks on */
			__atomic_store_n(p, cb->next, __ATOMIC_RELEASE);
			if (p == head && dev->started)
				__atomic_store_n(fp_head, cb->next, __ATOMIC_RELEASE);
			ret = 0;
			break;
		}
	}
	pthread_mutex_unlock(&ethdev__lock);
	if (ret != 0)
		SL_LOG(ERR, LOG_COMPONENT, "%s: port %u (%s): that callback is not installed on %s queue %u", func,
		       port_id, dev->name, rx ? "rx" : "tx", queue_id);
	return ret;
}

int sl_eth_remove_rx_callback(uint16_t port_id, uint16_t queue_id, const struct sl_eth_rxtx_callback *cb)
{
	return remove_cb(port_id, queue_id, true, cb, __func__);
}

int sl_eth_remove_tx_callback(uint16_t port_id, uint16_t queue_id, const struct sl_eth_rxtx_callback *cb)
{
	return remove_cb(port_id, queue_id, false, cb, __func__);
}

void sl_eth_rxtx_callback_free(const struct sl_eth_rxtx_callback *cb)
{
	free((void *)(uintptr_t)cb);
}

void ethdev__callbacks_free(struct sl_eth_dev *dev)
{
	for (uint16_t q = 0; q < SL_MAX_QUEUES_PER_PORT; q++) {
		for (struct sl_eth_rxtx_callback *cb = dev->rx_cbs[q], *next; cb != NULL; cb = next) {
			next = cb->next;
			free(cb);
		}
		for (struct sl_eth_rxtx_callback *cb = dev->tx_cbs[q], *next; cb != NULL; cb = next) {
			next = cb->next;
			free(cb);
		}
		dev->rx_cbs[q] = NULL;
		dev->tx_cbs[q] = NULL;
	}
}
