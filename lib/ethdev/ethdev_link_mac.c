/* ethdev_link_mac.c: link status and waiting for link up, the MAC address,
 * promiscuous and all-multicast modes, and the MTU. */
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "ethdev_private.h"

void sl_ether_format_addr(char *buf, size_t size, const struct sl_ether_addr *a)
{
	snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", a->addr_bytes[0], a->addr_bytes[1],
		 a->addr_bytes[2], a->addr_bytes[3], a->addr_bytes[4], a->addr_bytes[5]);
}

/* ---- link ---------------------------------------------------------------- */

int sl_eth_link_get_nowait(uint16_t port_id, struct sl_eth_link *link)
{
	GET_PORT_OR_RETURN(dev, port_id);
	if (link == NULL)
		return -EINVAL;
	if (dev->dev_ops->link_update != NULL) {
		int ret = dev->dev_ops->link_update(dev, false);
		if (ret < 0)
			return ret;
	}
	*link = dev->link;
	return 0;
}

int sl_eth_link_wait(uint16_t port_id, unsigned timeout_ms, struct sl_eth_link *link)
{
	GET_PORT_OR_RETURN(dev, port_id);
	struct sl_eth_link l;
	unsigned waited = 0;
	for (;;) {
		int ret = sl_eth_link_get_nowait(port_id, &l);
		if (ret != 0)
			return ret;
		if (l.status == SL_ETH_LINK_UP || waited >= timeout_ms)
			break;
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
		waited += 10;
	}
	if (link != NULL)
		*link = l;
	if (l.status != SL_ETH_LINK_UP) {
		SL_LOG(NOTICE, LOG_COMPONENT, "port %u (%s): link still down after %u ms%s", port_id, dev->name,
		       timeout_ms, dev->started ? "" : " (the port is not started)");
		return -ETIMEDOUT;
	}
	return 0;
}
/* ---- MAC, filters, MTU -------------------------------------------------- */

int sl_eth_macaddr_get(uint16_t port_id, struct sl_ether_addr *mac)
{
	GET_PORT_OR_RETURN(dev, port_id);
	if (mac == NULL)
		return -EINVAL;
	*mac = dev->mac_addr;
	return 0;
}

int sl_eth_dev_default_mac_addr_set(uint16_t port_id, const struct sl_ether_addr *mac)
{
	GET_PORT_OR_RETURN(dev, port_id);
	if (mac == NULL)
		return -EINVAL;
	char buf[24];
	sl_ether_format_addr(buf, sizeof(buf), mac);
	if (sl_is_multicast_ether_addr(mac) || sl_is_zero_ether_addr(mac)) {
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): %s cannot be a port address: it must be unicast and non-zero",
		       port_id, dev->name, buf);
		return -EINVAL;
	}
	if (dev->dev_ops->mac_addr_set == NULL) {
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): driver %s cannot change the MAC address", port_id,
		       dev->name, driver_name_of(dev));
		return -ENOTSUP;
	}
	int ret = dev->dev_ops->mac_addr_set(dev, mac);
	if (ret == 0)
		dev->mac_addr = *mac;
	return ret;
}

/* Promiscuous and all-multicast share this: call OP, record STATE in FLAG. */
static int set_rx_mode(struct sl_eth_dev *dev, int (*op)(struct sl_eth_dev *), bool *flag, bool state,
		       const char *what)
{
	if (*flag == state)
		return 0;
	if (op == NULL) {
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): driver %s cannot turn %s mode %s", dev->port_id,
		       dev->name, driver_name_of(dev), what, state ? "on" : "off");
		return -ENOTSUP;
	}
	int ret = op(dev);
	if (ret == 0)
		*flag = state;
	return ret;
}

int sl_eth_promiscuous_enable(uint16_t port_id)
{
	GET_PORT_OR_RETURN(dev, port_id);
	return set_rx_mode(dev, dev->dev_ops->promiscuous_enable, &dev->promiscuous, true, "promiscuous");
}

int sl_eth_promiscuous_disable(uint16_t port_id)
{
	GET_PORT_OR_RETURN(dev, port_id);
	return set_rx_mode(dev, dev->dev_ops->promiscuous_disable, &dev->promiscuous, false, "promiscuous");
}

int sl_eth_promiscuous_get(uint16_t port_id)
{
	GET_PORT_OR_RETURN(dev, port_id);
	return dev->promiscuous ? 1 : 0;
}

int sl_eth_allmulticast_enable(uint16_t port_id)
{
	GET_PORT_OR_RETURN(dev, port_id);
	return set_rx_mode(dev, dev->dev_ops->allmulticast_enable, &dev->all_multicast, true, "all-multicast");
}

int sl_eth_allmulticast_disable(uint16_t port_id)
{
	GET_PORT_OR_RETURN(dev, port_id);
	return set_rx_mode(dev, dev->dev_ops->allmulticast_disable, &dev->all_multicast, false,
			   "all-multicast");
}

int sl_eth_allmulticast_get(uint16_t port_id)
{
	GET_PORT_OR_RETURN(dev, port_id);
	return dev->all_multicast ? 1 : 0;
}

int sl_eth_dev_set_mtu(uint16_t port_id, uint16_t mtu)
{
	GET_PORT_OR_RETURN(dev, port_id);
	struct sl_eth_dev_info info;
	int ret = sl_eth_dev_info_get(port_id, &info);
	if (ret != 0)
		return ret;
	if (mtu < info.min_mtu || mtu > info.max_mtu) {
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): MTU %u out of range: this port takes %u to %u", port_id,
		       dev->name, mtu, info.min_mtu, info.max_mtu);
		return -EINVAL;
	}
	if (dev->dev_ops->mtu_set == NULL) {
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): driver cannot change the MTU", port_id, dev->name);
		return -ENOTSUP;
	}
	ret = dev->dev_ops->mtu_set(dev, mtu);
	if (ret == 0) {
		dev->mtu = mtu;
		dev->conf.mtu = mtu;
	}
	return ret;
}

int sl_eth_dev_get_mtu(uint16_t port_id, uint16_t *mtu)
{
	GET_PORT_OR_RETURN(dev, port_id);
	if (mtu == NULL)
		return -EINVAL;
	*mtu = dev->mtu;
	return 0;
}
