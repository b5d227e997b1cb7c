/* ethdev_config.c: device info, sl_eth_dev_configure (offload, MTU,
 * rx interrupt and RSS checks, rolled back if the driver refuses) and
 * rx/tx queue setup and release. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ethdev_private.h"

int sl_eth_dev_info_get(uint16_t port_id, struct sl_eth_dev_info *info)
{
	GET_PORT_OR_RETURN(dev, port_id);
	if (info == NULL)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	info->min_mtu = 68;
	info->max_mtu = UINT16_MAX;
	info->rx_desc_max = UINT16_MAX;
	info->tx_desc_max = UINT16_MAX;
	int ret = dev->dev_ops->dev_infos_get(dev, info);
	if (ret != 0)
		return ret;
	if (info->rx_desc_align == 0)
		info->rx_desc_align = 1;
	if (info->tx_desc_align == 0)
		info->tx_desc_align = 1;
	info->driver_name = dev->driver ? dev->driver->name : "unknown";
	info->name = dev->name;
	if (info->max_rx_queues > SL_MAX_QUEUES_PER_PORT)
		info->max_rx_queues = SL_MAX_QUEUES_PER_PORT;
	if (info->max_tx_queues > SL_MAX_QUEUES_PER_PORT)
		info->max_tx_queues = SL_MAX_QUEUES_PER_PORT;
	return 0;
}

static uint16_t clamp_desc(uint32_t n, uint16_t min, uint16_t max, uint16_t align)
{
	if (n > max)
		n = max;
	if (n < min)
		n = min;
	n = (n + align - 1) / align * align;
	if (n > max)
		n = max / align * align;
	return (uint16_t)n;
}

int sl_eth_dev_adjust_nb_rx_tx_desc(uint16_t port_id, uint16_t *nb_rxd, uint16_t *nb_txd)
{
	struct sl_eth_dev_info info;
	int ret = sl_eth_dev_info_get(port_id, &info);
	if (ret != 0)
		return ret;
	if (nb_rxd != NULL)
		*nb_rxd = clamp_desc(*nb_rxd, info.rx_desc_min, info.rx_desc_max, info.rx_desc_align);
	if (nb_txd != NULL)
		*nb_txd = clamp_desc(*nb_txd, info.tx_desc_min, info.tx_desc_max, info.tx_desc_align);
	return 0;
}

void ethdev__release_rx_queue(struct sl_eth_dev *dev, uint16_t q)
{
	if (dev->rx_queues[q] != NULL) {
		dev->dev_ops->rx_queue_release(dev, q);
		dev->rx_queues[q] = NULL;
	}
	dev->rx_queue_burst[q] = NULL;
}

void ethdev__release_tx_queue(struct sl_eth_dev *dev, uint16_t q)
{
	if (dev->tx_queues[q] != NULL) {
		dev->dev_ops->tx_queue_release(dev, q);
		dev->tx_queues[q] = NULL;
	}
	dev->tx_queue_burst[q] = NULL;
}
int sl_eth_dev_configure(uint16_t port_id, uint16_t nb_rx_queue, uint16_t nb_tx_queue,
			 const struct sl_eth_conf *conf)
{
	GET_PORT_OR_RETURN(dev, port_id);
	if (dev->started) {
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): cannot configure a started port; call sl_eth_dev_stop first",
		       port_id, dev->name);
		return -EBUSY;
	}
	struct sl_eth_dev_info info;
	int ret = sl_eth_dev_info_get(port_id, &info);
	if (ret != 0)
		return ret;
	if (nb_rx_queue == 0 || nb_rx_queue > info.max_rx_queues) {
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): %u rx queues asked for; this port takes 1 to %u",
		       port_id, dev->name, nb_rx_queue, info.max_rx_queues);
		return -EINVAL;
	}
	if (nb_tx_queue == 0 || nb_tx_queue > info.max_tx_queues) {
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): %u tx queues asked for; this port takes 1 to %u",
		       port_id, dev->name, nb_tx_queue, info.max_tx_queues);
		return -EINVAL;
	}
	struct sl_eth_conf new_conf = {0};
	if (conf != NULL)
		new_conf = *conf;
	ret = ethdev__check_offloads(dev, &info, "rx", true, new_conf.rx_offloads);
	if (ret == 0)
		ret = ethdev__check_offloads(dev, &info, "tx", false, new_conf.tx_offloads);
	if (ret != 0)
		return ret;
	if (new_conf.intr_conf.rxq != 0 && !has_rx_intr_ops(dev)) {
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): driver %s has no rx interrupts; configure with "
		       "intr_conf.rxq = 0 and poll", port_id, dev->name, driver_name_of(dev));
		return -ENOTSUP;
	}
	new_conf.intr_conf.rxq = new_conf.intr_conf.rxq != 0;
	if (new_conf.intr_conf.lsc != 0 && !(dev->dev_flags & SL_ETH_DEV_INTR_LSC)) {
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): driver %s cannot report link changes as events (no link "
		       "state interrupt); configure with intr_conf.lsc = 0 and poll sl_eth_link_get_nowait",
		       port_id, dev->name, driver_name_of(dev));
		return -ENOTSUP;
	}
	new_conf.intr_conf.lsc = new_conf.intr_conf.lsc != 0;
	uint16_t mtu = new_conf.mtu ? new_conf.mtu : dev->mtu;
	if (mtu < info.min_mtu || mtu > info.max_mtu) {
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): MTU %u out of range %u..%u", port_id, dev->name, mtu,
		       info.min_mtu, info.max_mtu);
		return -EINVAL;
	}
	bool use_rss = false;
	ret = ethdev__resolve_rss_conf(dev, &info, nb_rx_queue, &new_conf, &use_rss);
	if (ret != 0)
		return ret;

	/* Keep the old state so that a failing driver leaves the port as it was. */
	struct sl_eth_conf old_conf = dev->conf;
	uint8_t old_key[SL_ETH_RSS_KEY_MAX];
	memcpy(old_key, dev->rss_key, sizeof(old_key));
	uint16_t old_rxq = dev->nb_rx_queues, old_txq = dev->nb_tx_queues, old_mtu = dev->mtu;
	bool old_configured = dev->configured;
	if (use_rss && new_conf.rss_conf.rss_key != NULL) {
		memcpy(dev->rss_key, new_conf.rss_conf.rss_key, new_conf.rss_conf.rss_key_len);
		new_conf.rss_conf.rss_key = dev->rss_key;
	}
	dev->conf = new_conf;
	dev->conf.mtu = mtu;
	dev->mtu = mtu;
	dev->nb_rx_queues = nb_rx_queue;
	dev->nb_tx_queues = nb_tx_queue;
	ret = dev->dev_ops->dev_configure(dev);
	if (ret != 0) {
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): the driver refused the configuration (%s)", port_id,
		       dev->name, strerror(-ret));
		dev->conf = old_conf;
		memcpy(dev->rss_key, old_key, sizeof(old_key));
		dev->nb_rx_queues = old_rxq;
		dev->nb_tx_queues = old_txq;
		dev->mtu = old_mtu;
		dev->configured = old_configured;
		return ret;
	}
	for (uint16_t q = nb_rx_queue; q < SL_MAX_QUEUES_PER_PORT; q++)
		ethdev__release_rx_queue(dev, q);
	for (uint16_t q = nb_tx_queue; q < SL_MAX_QUEUES_PER_PORT; q++)
		ethdev__release_tx_queue(dev, q);
	dev->configured = true;
	SL_LOG(DEBUG, LOG_COMPONENT, "port %u (%s): configured with %u rx and %u tx queues, MTU %u, RSS %s", port_id,
	       dev->name, nb_rx_queue, nb_tx_queue, mtu, use_rss ? "on" : "off");
	return 0;
}

/* Common checks of queue setup: configured, stopped, queue id in range,
 * descriptor count allowed. */
static int check_queue_setup(struct sl_eth_dev *dev, const char *dir, uint16_t queue_id,
			     uint16_t nb_queues, uint16_t nb_desc, uint16_t desc_min, uint16_t desc_max)
{
	if (!dev->configured) {
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): %s queue setup before sl_eth_dev_configure",
		       dev->port_id, dev->name, dir);
		return -EINVAL;
	}
	if (dev->started) {
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): cannot set up %s queue %u while the port is started; "
		       "call sl_eth_dev_stop first", dev->port_id, dev->name, dir, queue_id);
		return -EBUSY;
	}
	if (queue_id >= nb_queues) {
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): %s queue %u does not exist: the port was configured with %u %s queues",
		       dev->port_id, dev->name, dir, queue_id, nb_queues, dir);
		return -EINVAL;
	}
	if (nb_desc != 0 && (nb_desc < desc_min || nb_desc > desc_max)) {
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): %u %s descriptors asked for; this port takes %u to %u",
		       dev->port_id, dev->name, nb_desc, dir, desc_min, desc_max);
		return -EINVAL;
	}
	return 0;
}

int sl_eth_rx_queue_setup(uint16_t port_id, uint16_t queue_id, uint16_t nb_desc,
			  const struct sl_eth_rxconf *conf, struct sl_mempool *mp)
{
	GET_PORT_OR_RETURN(dev, port_id);
	struct sl_eth_dev_info info;
	int ret = sl_eth_dev_info_get(port_id, &info);
	if (ret != 0)
		return ret;
	ret = check_queue_setup(dev, "rx", queue_id, dev->nb_rx_queues, nb_desc, info.rx_desc_min,
				info.rx_desc_max);
	if (ret != 0)
		return ret;
	if (mp == NULL) {
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): rx queue %u needs a mempool of mbufs (sl_pktmbuf_pool_create)",
		       port_id, dev->name, queue_id);
		return -EINVAL;
	}
	struct sl_eth_rxconf c = {0};
	if (conf != NULL)
		c = *conf;
	char what[32];
	snprintf(what, sizeof(what), "rx queue %u", queue_id);
	ret = ethdev__check_offloads(dev, &info, what, true, c.offloads);
	if (ret != 0)
		return ret;
	if (nb_desc == 0)
		nb_desc = info.rx_desc_default;
	ethdev__release_rx_queue(dev, queue_id);
	ret = dev->dev_ops->rx_queue_setup(dev, queue_id, nb_desc, &c, mp);
	if (ret != 0) {
		dev->rx_queues[queue_id] = NULL;
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): rx queue %u setup failed (%s)", port_id, dev->name,
		       queue_id, strerror(-ret));
	}
	return ret;
}

int sl_eth_tx_queue_setup(uint16_t port_id, uint16_t queue_id, uint16_t nb_desc,
			  const struct sl_eth_txconf *conf)
{
	GET_PORT_OR_RETURN(dev, port_id);
	struct sl_eth_dev_info info;
	int ret = sl_eth_dev_info_get(port_id, &info);
	if (ret != 0)
		return ret;
	ret = check_queue_setup(dev, "tx", queue_id, dev->nb_tx_queues, nb_desc, info.tx_desc_min,
				info.tx_desc_max);
	if (ret != 0)
		return ret;
	struct sl_eth_txconf c = {0};
	if (conf != NULL)
		c = *conf;
	char what[32];
	snprintf(what, sizeof(what), "tx queue %u", queue_id);
	ret = ethdev__check_offloads(dev, &info, what, false, c.offloads);
	if (ret != 0)
		return ret;
	if (nb_desc == 0)
		nb_desc = info.tx_desc_default;
	ethdev__release_tx_queue(dev, queue_id);
	ret = dev->dev_ops->tx_queue_setup(dev, queue_id, nb_desc, &c);
	if (ret != 0) {
		dev->tx_queues[queue_id] = NULL;
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): tx queue %u setup failed (%s)", port_id, dev->name,
		       queue_id, strerror(-ret));
	}
	return ret;
}
