/* virtio_ethdev.c: net_virtio, the virtio-net poll-mode driver (virtio 1.x
 * over modern PCI): its ethdev operations: device info, configure, start
 * (feature negotiation, the device status sequence, queues into the
 * device), stop, close, link status from the device config, MTU, and the
 * ops table. The data path is in virtio_split.c and virtio_packed.c; queue
 * set-up and rx interrupts in virtio_queues.c, the control queue in
 * virtio_ctrl.c, statistics in virtio_stats.c, probe and registration in
 * virtio_probe.c; virtio_ethdev.h is what they share.
 *
 * The device is reset and renegotiated at every start (virtio 1.x queues
 * can only be set up before DRIVER_OK) and reset at stop, which also gives
 * every mbuf in the rings back to its pool. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "virtio_ethdev.h"

/* ---- link ------------------------------------------------------------------- */

static int virtio_link_update(struct sl_eth_dev *dev, bool wait)
{
	struct virtio_net_private *p = dev->dev_private;
	struct sl_eth_link link = { .status = SL_ETH_LINK_DOWN };
	(void)wait;

	if (dev->started || p->features != 0) {
		uint16_t status = VIRTIO_NET_S_LINK_UP;
		if (has(p, VIRTIO_NET_F_STATUS))
			virtio_pci_read_dev_config(&p->vp, NET_CFG_STATUS, &status, 2);
		if (status & VIRTIO_NET_S_LINK_UP) {
			uint32_t speed = 0;
			uint8_t duplex = 1;
			if (has(p, VIRTIO_NET_F_SPEED_DUPLEX)) {
				virtio_pci_read_dev_config(&p->vp, NET_CFG_SPEED, &speed, 4);
				virtio_pci_read_dev_config(&p->vp, NET_CFG_DUPLEX, &duplex, 1);
			}
			if (speed == 0 || speed == UINT32_MAX)
				speed = 10000; /* unknown: report what DPDK reports */
			link.status = SL_ETH_LINK_UP;
			link.speed_mbps = speed;
			link.full_duplex = duplex == 1;
		}
	}
	dev->link = link;
	return 0;
}

/* ---- info, configure, queues --------------------------------------------- */

static int virtio_infos_get(struct sl_eth_dev *dev, struct sl_eth_dev_info *info)
{
	struct virtio_net_private *p = dev->dev_private;
	uint16_t maxq = p->max_pairs < SL_MAX_QUEUES_PER_PORT ? p->max_pairs : SL_MAX_QUEUES_PER_PORT;

	info->max_rx_queues = maxq;
	info->max_tx_queues = maxq;
	info->rx_desc_min = VIRTIO_DESC_MIN;
	info->rx_desc_max = p->rx_max_size;
	info->rx_desc_default = p->rx_max_size;
	info->tx_desc_min = VIRTIO_DESC_MIN;
	info->tx_desc_max = p->tx_max_size;
	info->tx_desc_default = p->tx_max_size;
	info->min_mtu = 68;
	info->max_mtu = p->mtu_max;
	info->max_rx_pktlen = (uint32_t)p->mtu_max + SL_ETHER_HDR_LEN;
	info->max_mac_addrs = 1;
	info->speed_capa_mbps = 10000;
	/* rx chains with mergeable buffers; tx: one segment per packet, any mbuf freed */
	info->rx_offload_capa = offered(p, VIRTIO_NET_F_MRG_RXBUF) ? SL_ETH_RX_OFFLOAD_SCATTER : 0;
	info->tx_offload_capa = SL_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
	return 0;
}

static int virtio_configure(struct sl_eth_dev *dev)
{
	struct virtio_net_private *p = dev->dev_private;

	if (dev->nb_rx_queues != dev->nb_tx_queues) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: virtio-net queues come in rx/tx pairs: configure as many tx queues "
		       "as rx queues (asked for %u rx, %u tx)", p->name, dev->nb_rx_queues, dev->nb_tx_queues);
		return -EINVAL;
	}
	if (dev->nb_rx_queues > 1 && !offered(p, VIRTIO_NET_F_MQ)) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: the device does not offer multiqueue (VIRTIO_NET_F_MQ); "
		       "configure one queue pair", p->name);
		return -EINVAL;
	}
	if (dev->conf.intr_conf.lsc && !offered(p, VIRTIO_NET_F_STATUS)) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: link change events need VIRTIO_NET_F_STATUS (the device's link status "
		       "field), which this device does not offer: its link always reads up; configure with "
		       "intr_conf.lsc = 0", p->name);
		return -ENOTSUP;
	}
	if (dev->conf.intr_conf.rxq || dev->conf.intr_conf.lsc) {
		unsigned avail = sl_pci_irq_count(p->vp.pdev, SL_PCI_IRQ_MSIX);
		unsigned need = (dev->conf.intr_conf.rxq ? dev->nb_rx_queues : 0u) + (dev->conf.intr_conf.lsc ? 1u : 0u);
		if (need > avail) {
			SL_LOG(ERR, LOG_COMPONENT, "%s: %u MSI-X vectors needed (one per rx queue with rx interrupts, one "
			       "for link changes), and the device has %u; configure fewer queues, give the device more "
			       "vectors (QEMU: vectors=N), or poll (intr_conf.rxq = 0, intr_conf.lsc = 0)", p->name, need,
			       avail);
			return -EINVAL;
		}
	}
	return 0;
}

/* ---- start, stop, close ------------------------------------------------ */

static int virtio_start(struct sl_eth_dev *dev)
{
	struct virtio_net_private *p = dev->dev_private;
	uint16_t nq = dev->nb_rx_queues;
	int ret;

	/* 1. reset, acknowledge, negotiate */
	if (virtio_pci_reset(&p->vp) != 0) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: the device did not finish its reset", p->name);
		return -EIO;
	}
	virtio_pci_add_status(&p->vp, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	p->features = p->wanted_features;
	virtio_pci_set_driver_features(&p->vp, p->features);
	virtio_pci_add_status(&p->vp, VIRTIO_STATUS_FEATURES_OK);
	if (!(virtio_pci_get_status(&p->vp) & VIRTIO_STATUS_FEATURES_OK)) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: the device refused features 0x%llx (FEATURES_OK not kept)", p->name,
		       (unsigned long long)p->features);
		ret = -EIO;
		goto fail;
	}
	/* 2. interrupts: an MSI-X vector (and eventfd) per rx queue, and one
	 * for configuration changes (link) */
	if ((ret = rx_intr_setup(p, dev->conf.intr_conf.rxq ? nq : 0, dev->conf.intr_conf.lsc != 0)) != 0)
		goto fail;
	/* 3. queues: every configured pair (rx queue q on vector q when rx
	 * interrupts are on), then the control queue */
	for (uint16_t q = 0; q < nq; q++) {
		uint16_t vec = p->nb_rx_intr ? q : VIRTIO_MSI_NO_VECTOR;
		if ((ret = setup_vq(p, &p->rxq[q]->vq, vec)) != 0 ||
		    (ret = setup_vq(p, &p->txq[q]->vq, VIRTIO_MSI_NO_VECTOR)) != 0)
			goto fail;
	}
	if (p->ctrlq != NULL) {
		/* the control queue follows the last queue pair the features allow */
		p->ctrlq->vq.vq_index = has(p, VIRTIO_NET_F_MQ) ? (uint16_t)(2 * p->max_pairs) : 2;
		if ((ret = setup_vq(p, &p->ctrlq->vq, VIRTIO_MSI_NO_VECTOR)) != 0)
			goto fail;
	}
	/* 4. rx buffers (no notification before DRIVER_OK) */
	for (uint16_t q = 0; q < nq; q++) {
		struct virtio_rxq *rxq = p->rxq[q];
		ret = p->packed ? virtio_rx_fill_packed(rxq) : virtio_rx_fill_split(rxq);
		if (ret != 0) {
			SL_LOG(ERR, LOG_COMPONENT, "%s: rx queue %u: pool %s cannot fill %u descriptors; create the pool "
			       "with more mbufs", p->name, q, sl_mempool_name(rxq->mp), rxq->vq.size);
			goto fail;
		}
	}
	virtio_pci_add_status(&p->vp, VIRTIO_STATUS_DRIVER_OK);
	/* 5. device state through the control queue */
	if (nq > 1) {
		uint16_t pairs = nq;
		if ((ret = ctrl_command(p, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, &pairs, 2)) != 0)
			goto fail;
	}
	if (has(p, VIRTIO_NET_F_CTRL_RX)) {
		if ((ret = ctrl_rx_mode(p, VIRTIO_NET_CTRL_RX_PROMISC, dev->promiscuous)) != 0 ||
		    (ret = ctrl_rx_mode(p, VIRTIO_NET_CTRL_RX_ALLMULTI, dev->all_multicast)) != 0)
			goto fail;
	}
	if (has(p, VIRTIO_NET_F_CTRL_MAC_ADDR) &&
	    (ret = ctrl_command(p, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_ADDR_SET, dev->mac_addr.addr_bytes,
				SL_ETHER_ADDR_LEN)) != 0)
		goto fail;
	for (uint16_t q = 0; q < nq; q++)
		vq_kick(&p->rxq[q]->vq);
	if (virtio_pci_get_status(&p->vp) & VIRTIO_STATUS_NEEDS_RESET) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: the device asks for a reset right after start", p->name);
		ret = -EIO;
		goto fail;
	}
	if ((ret = virtio_lsc_arm(p)) != 0)
		goto fail;
	dev->rx_pkt_burst = p->packed ? (has(p, VIRTIO_NET_F_MRG_RXBUF) ? virtio_rx_packed_mrg : virtio_rx_packed)
				      : (has(p, VIRTIO_NET_F_MRG_RXBUF) ? virtio_rx_split_mrg : virtio_rx_split);
	dev->tx_pkt_burst = p->packed ? virtio_tx_packed : virtio_tx_split;
	dev->started = true; /* for link_update; ethdev sets it too */
	virtio_link_update(dev, false);
	dev->started = false;
	SL_LOG(INFO, LOG_COMPONENT, "%s: started, %u queue pair(s), %s rings, features 0x%llx%s%s", p->name, nq,
	       p->packed ? "packed" : "split", (unsigned long long)p->features, p->nb_rx_intr ? ", rx interrupts" : "",
	       p->lsc_on ? ", link change interrupts" : "");
	return 0;
fail:
	virtio_pci_reset(&p->vp);
	virtio_pci_add_status(&p->vp, VIRTIO_STATUS_FAILED);
	virtio_pci_reset(&p->vp);
	rx_intr_teardown(p);
	return_all_mbufs(p);
	p->features = 0;
	return ret;
}

static int virtio_stop(struct sl_eth_dev *dev)
{
	struct virtio_net_private *p = dev->dev_private;
	int ret = 0;

	virtio_lsc_disarm(p); /* its handler reads the device config */
	/* After the reset the device touches no ring: the buffers are ours. */
	if (virtio_pci_reset(&p->vp) != 0) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: the device did not finish its reset on stop", p->name);
		ret = -EIO;
	}
	rx_intr_teardown(p);
	return_all_mbufs(p);
	p->features = 0;
	dev->link = (struct sl_eth_link){ .status = SL_ETH_LINK_DOWN };
	return ret;
}

static void virtio_close(struct sl_eth_dev *dev)
{
	struct virtio_net_private *p = dev->dev_private;

	virtio_pci_reset(&p->vp);
	sl_pci_set_bus_master(p->vp.pdev, false);
	sl_pci_dev_set_driver_data(p->vp.pdev, NULL);
	free_ctrlq(p);
	free(p);
	dev->dev_private = NULL;
}

/* ---- MTU, ops ------------------------------------------------------------ */

static int virtio_mtu_set(struct sl_eth_dev *dev, uint16_t mtu)
{
	struct virtio_net_private *p = dev->dev_private;
	if (dev->started) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: stop the port before changing its MTU", p->name);
		return -EBUSY;
	}
	if (mtu > p->mtu_max)
		return -EINVAL;
	return 0;
}

const struct sl_eth_dev_ops virtio_ops = {
	.dev_infos_get = virtio_infos_get,
	.dev_configure = virtio_configure,
	.dev_start = virtio_start,
	.dev_stop = virtio_stop,
	.dev_close = virtio_close,
	.rx_queue_setup = virtio_rx_queue_setup,
	.tx_queue_setup = virtio_tx_queue_setup,
	.rx_queue_release = virtio_rx_queue_release,
	.tx_queue_release = virtio_tx_queue_release,
	.link_update = virtio_link_update,
	.stats_get = virtio_stats_get,
	.stats_reset = virtio_stats_reset,
	.xstats_get_names = virtio_xstats_get_names,
	.xstats_get = virtio_xstats_get,
	.xstats_reset = virtio_xstats_reset,
	.mac_addr_set = virtio_mac_addr_set,
	.promiscuous_enable = virtio_promisc_on,
	.promiscuous_disable = virtio_promisc_off,
	.allmulticast_enable = virtio_allmulti_on,
	.allmulticast_disable = virtio_allmulti_off,
	.mtu_set = virtio_mtu_set,
	.rx_queue_intr_enable = virtio_rx_intr_enable,
	.rx_queue_intr_disable = virtio_rx_intr_disable,
	.rx_queue_intr_fd = virtio_rx_intr_fd,
};
