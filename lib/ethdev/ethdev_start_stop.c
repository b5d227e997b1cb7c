/* ethdev_start_stop.c: start, stop and close of a port, under the
 * ethdev lock: publishing the queues' burst functions to the fast-path
 * table on start and resetting them on stop. */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "ethdev_private.h"

static int dev_start_locked(struct sl_eth_dev *dev, uint16_t port_id);

int sl_eth_dev_start(uint16_t port_id)
{
	GET_PORT_OR_RETURN(dev, port_id);
	pthread_mutex_lock(&ethdev__lock);
	int ret = dev_start_locked(dev, port_id);
	pthread_mutex_unlock(&ethdev__lock);
	return ret;
}

static int dev_start_locked(struct sl_eth_dev *dev, uint16_t port_id)
{
	if (dev->removed) {
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): its device was removed; close the port", port_id, dev->name);
		return -ENODEV;
	}
	if (dev->started) {
		SL_LOG(INFO, LOG_COMPONENT, "port %u (%s) is already started", port_id, dev->name);
		return 0;
	}
	if (!dev->configured) {
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): start before sl_eth_dev_configure", port_id, dev->name);
		return -EINVAL;
	}
	for (uint16_t q = 0; q < dev->nb_rx_queues; q++) {
		if (dev->rx_queues[q] == NULL) {
			SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): rx queue %u is not set up; call sl_eth_rx_queue_setup "
			       "for every configured queue before starting", port_id, dev->name, q);
			return -EINVAL;
		}
	}
	for (uint16_t q = 0; q < dev->nb_tx_queues; q++) {
		if (dev->tx_queues[q] == NULL) {
			SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): tx queue %u is not set up; call sl_eth_tx_queue_setup "
			       "for every configured queue before starting", port_id, dev->name, q);
			return -EINVAL;
		}
	}
	int ret = dev->dev_ops->dev_start(dev);
	if (ret != 0) {
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): start failed (%s)", port_id, dev->name, strerror(-ret));
		return ret;
	}
	/* Every queue needs a burst function before the fast path can see it. */
	for (uint16_t q = 0; q < dev->nb_rx_queues; q++) {
		if (dev->rx_queue_burst[q] == NULL && dev->rx_pkt_burst == NULL) {
			SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): driver %s set no rx burst function for queue %u",
			       port_id, dev->name, driver_name_of(dev), q);
			dev->dev_ops->dev_stop(dev);
			return -EINVAL;
		}
	}
	for (uint16_t q = 0; q < dev->nb_tx_queues; q++) {
		if (dev->tx_queue_burst[q] == NULL && dev->tx_pkt_burst == NULL) {
			SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): driver %s set no tx burst function for queue %u",
			       port_id, dev->name, driver_name_of(dev), q);
			dev->dev_ops->dev_stop(dev);
			return -EINVAL;
		}
	}
	struct sl_eth_fp_port *fp = &sl_eth_fp_ports[port_id];
	for (uint16_t q = 0; q < dev->nb_rx_queues; q++) {
		fp->rxq[q].queue = dev->rx_queues[q];
		fp->rxq[q].rx_burst = dev->rx_queue_burst[q] ? dev->rx_queue_burst[q] : dev->rx_pkt_burst;
	}
	for (uint16_t q = 0; q < dev->nb_tx_queues; q++) {
		fp->txq[q].queue = dev->tx_queues[q];
		fp->txq[q].tx_burst = dev->tx_queue_burst[q] ? dev->tx_queue_burst[q] : dev->tx_pkt_burst;
	}
	/* the callbacks last, after the functions and queues they call */
	for (uint16_t q = 0; q < dev->nb_rx_queues; q++)
		__atomic_store_n(&fp->rxq[q].cbs, dev->rx_cbs[q], __ATOMIC_RELEASE);
	for (uint16_t q = 0; q < dev->nb_tx_queues; q++)
		__atomic_store_n(&fp->txq[q].cbs, dev->tx_cbs[q], __ATOMIC_RELEASE);
	dev->started = true;
	SL_LOG(DEBUG, LOG_COMPONENT, "port %u (%s) started", port_id, dev->name);
	return 0;
}

static int dev_stop_locked(struct sl_eth_dev *dev, uint16_t port_id);

int sl_eth_dev_stop(uint16_t port_id)
{
	GET_PORT_OR_RETURN(dev, port_id);
	pthread_mutex_lock(&ethdev__lock);
	int ret = dev_stop_locked(dev, port_id);
	pthread_mutex_unlock(&ethdev__lock);
	return ret;
}

static int dev_stop_locked(struct sl_eth_dev *dev, uint16_t port_id)
{
	if (!dev->started)
		return 0;
	ethdev__fp_port_reset(port_id);
	int ret = dev->dev_ops->dev_stop(dev);
	dev->started = false;
	if (ret != 0)
		SL_LOG(WARNING, LOG_COMPONENT, "port %u (%s): the driver reported an error while stopping (%s)",
		       port_id, dev->name, strerror(-ret));
	return ret;
}

bool sl_eth_dev_is_started(uint16_t port_id)
{
	struct sl_eth_dev *dev = sl_eth_dev_get(port_id);
	return dev != NULL && dev->started;
}

int sl_eth_dev_close(uint16_t port_id)
{
	GET_PORT_OR_RETURN(dev, port_id);
	pthread_mutex_lock(&ethdev__lock);
	if (dev->started) {
		SL_LOG(DEBUG, LOG_COMPONENT, "port %u (%s): stopping before close", port_id, dev->name);
		dev_stop_locked(dev, port_id);
	}
	ethdev__removed_txqs_forget(port_id);
	ethdev__events_forget(port_id);
	for (uint16_t q = 0; q < SL_MAX_QUEUES_PER_PORT; q++) {
		ethdev__release_rx_queue(dev, q);
		ethdev__release_tx_queue(dev, q);
	}
	ethdev__callbacks_free(dev);
	dev->dev_ops->dev_close(dev);
	dev->dev_private = NULL;
	SL_LOG(DEBUG, LOG_COMPONENT, "port %u (%s) closed", port_id, dev->name);
	sl_eth_dev_release(dev);
	pthread_mutex_unlock(&ethdev__lock);
	return 0;
}
