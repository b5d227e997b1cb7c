/* ethdev_rx_intr.c: the rx interrupt calls: their checks and draining the
 * queue's eventfd before enabling (the drivers arm the device). */
#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include "ethdev_private.h"

/* The checks every rx interrupt call shares (see sl_ethdev.h). */
static int check_rx_intr(struct sl_eth_dev *dev, uint16_t queue_id, const char *func)
{
	if (!has_rx_intr_ops(dev)) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: port %u (%s): driver %s has no rx interrupts; poll the queue instead",
		       func, dev->port_id, dev->name, driver_name_of(dev));
		return -ENOTSUP;
	}
	if (!dev->configured || !dev->conf.intr_conf.rxq) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: port %u (%s) was not configured for rx interrupts; set "
		       "conf.intr_conf.rxq = 1 in sl_eth_dev_configure", func, dev->port_id, dev->name);
		return -EINVAL;
	}
	if (queue_id >= dev->nb_rx_queues) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: port %u (%s): rx queue %u does not exist: the port was configured "
		       "with %u rx queues", func, dev->port_id, dev->name, queue_id, dev->nb_rx_queues);
		return -EINVAL;
	}
	if (!dev->started) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: port %u (%s) is not started: its rx interrupts exist while it runs; "
		       "call sl_eth_dev_start first", func, dev->port_id, dev->name);
		return -EINVAL;
	}
	return 0;
}

int sl_eth_dev_rx_intr_ctl_q_get_fd(uint16_t port_id, uint16_t queue_id)
{
	GET_PORT_OR_RETURN(dev, port_id);
	int ret = check_rx_intr(dev, queue_id, __func__);
	if (ret != 0)
		return ret;
	return dev->dev_ops->rx_queue_intr_fd(dev, queue_id);
}

int sl_eth_dev_rx_intr_enable(uint16_t port_id, uint16_t queue_id)
{
	GET_PORT_OR_RETURN(dev, port_id);
	int ret = check_rx_intr(dev, queue_id, __func__);
	if (ret != 0)
		return ret;
	int fd = dev->dev_ops->rx_queue_intr_fd(dev, queue_id);
	if (fd < 0)
		return fd;
	/* Discard interrupts from before: what fires from now on is new. */
	uint64_t count;
	while (read(fd, &count, sizeof(count)) < 0 && errno == EINTR)
		;
	return dev->dev_ops->rx_queue_intr_enable(dev, queue_id);
}

int sl_eth_dev_rx_intr_disable(uint16_t port_id, uint16_t queue_id)
{
	GET_PORT_OR_RETURN(dev, port_id);
	int ret = check_rx_intr(dev, queue_id, __func__);
	if (ret != 0)
		return ret;
	return dev->dev_ops->rx_queue_intr_disable(dev, queue_id);
}
