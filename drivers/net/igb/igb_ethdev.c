/* igb_ethdev.c: net_igb, the poll-mode driver for the Intel 82576 (QEMU's
 * igb model, 8086:10c9): PCI probe through bus_vfio, device reset and
 * init, MAC address, link, rx filters (promiscuous, all-multicast), MTU,
 * and port configure/start/stop/close. Receive and transmit are in
 * igb_rx.c and igb_tx.c, RSS in igb_rss.c, statistics in igb_stats.c, rx
 * interrupts in igb_intr.c.
 *
 * Init follows the datasheet (4.5 "Software Initialization"): mask
 * interrupts, CTRL.RST and wait for it to clear (QEMU does not set
 * EECD.AUTO_RD, so the bit clearing is the completion signal), mask
 * interrupts again, read the MAC from RAL0/RAH0, set CTRL.SLU and restart
 * PHY autonegotiation; STATUS.LU comes up when it completes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "igb_ethdev.h"

#define IGB_RESET_TIMEOUT_US 100000
#define IGB_LINK_WAIT_MS 3000   /* autoneg takes ~0.5 s of guest time in QEMU, longer on hardware */

static int igb_phy_write(struct igb_adapter *ad, uint32_t reg, uint16_t val)
{
	igb_write(ad, IGB_MDIC, val | reg << IGB_MDIC_REG_SHIFT | IGB_PHY_ADDR << IGB_MDIC_PHY_SHIFT |
				       IGB_MDIC_OP_WRITE);
	for (unsigned i = 0; i < 1000; i++) {
		uint32_t mdic = igb_read(ad, IGB_MDIC);
		if (mdic & IGB_MDIC_READY)
			return (mdic & IGB_MDIC_ERROR) ? -EIO : 0;
		sl_delay_us(10);
	}
	return -ETIMEDOUT;
}

static void igb_mask_interrupts(struct igb_adapter *ad)
{
	igb_write(ad, IGB_IMC, ~0u);
	igb_write(ad, IGB_EIMC, ~0u);
	(void)igb_read(ad, IGB_ICR);
	igb_write_flush(ad);
}

/* Full device reset; 0, or -ETIMEDOUT when CTRL.RST does not clear. */
static int igb_reset_hw(struct igb_adapter *ad)
{
	igb_mask_interrupts(ad);
	igb_write(ad, IGB_RCTL, 0);
	igb_write(ad, IGB_TCTL, IGB_TCTL_PSP);
	igb_write_flush(ad);
	igb_write(ad, IGB_CTRL, igb_read(ad, IGB_CTRL) | IGB_CTRL_RST);
	unsigned waited = 0;
	while (igb_read(ad, IGB_CTRL) & IGB_CTRL_RST) {
		if (waited >= IGB_RESET_TIMEOUT_US) {
			SL_LOG(ERR, IGB_LOG, "%s: device reset did not complete in %u ms (CTRL 0x%08x); "
			       "is the device responding?", ad->pci_name, IGB_RESET_TIMEOUT_US / 1000,
			       igb_read(ad, IGB_CTRL));
			return -ETIMEDOUT;
		}
		sl_delay_us(100);
		waited += 100;
	}
	sl_delay_us(1000);
	igb_mask_interrupts(ad);
	return 0;
}

/* Link up: set SLU, clear link reset, restart autonegotiation. */
static void igb_link_start(struct igb_adapter *ad)
{
	uint32_t ctrl = igb_read(ad, IGB_CTRL);
	ctrl |= IGB_CTRL_SLU | IGB_CTRL_ASDE;
	ctrl &= ~(IGB_CTRL_LRST | IGB_CTRL_PHY_RST);
	igb_write(ad, IGB_CTRL, ctrl);
	if (igb_phy_write(ad, IGB_PHY_BMCR, IGB_BMCR_AUTOEN | IGB_BMCR_ANRESTART | IGB_BMCR_FD |
						    IGB_BMCR_SPEED1000) != 0)
		SL_LOG(WARNING, IGB_LOG, "%s: PHY did not take the autonegotiation restart (MDIC 0x%08x)",
		       ad->pci_name, igb_read(ad, IGB_MDIC));
}

static void igb_read_link(struct igb_adapter *ad, struct sl_eth_link *link)
{
	uint32_t status = igb_read(ad, IGB_STATUS);
	memset(link, 0, sizeof(*link));
	link->autoneg = 1;
	if (!(status & IGB_STATUS_LU))
		return;
	link->status = SL_ETH_LINK_UP;
	link->full_duplex = (status & IGB_STATUS_FD) ? 1 : 0;
	switch ((status & IGB_STATUS_SPEED_MASK) >> IGB_STATUS_SPEED_SHIFT) {
	case IGB_STATUS_SPEED_10:
		link->speed_mbps = 10;
		break;
	case IGB_STATUS_SPEED_100:
		link->speed_mbps = 100;
		break;
	default:
		link->speed_mbps = 1000;
		break;
	}
}

static int igb_link_update(struct sl_eth_dev *dev, bool wait)
{
	struct igb_adapter *ad = dev->dev_private;
	igb_read_link(ad, &dev->link);
	for (unsigned ms = 0; wait && dev->link.status != SL_ETH_LINK_UP && ms < IGB_LINK_WAIT_MS; ms += 10) {
		sl_delay_us(10000);
		igb_read_link(ad, &dev->link);
	}
	return 0;
}

static void igb_write_mac(struct igb_adapter *ad, const struct sl_ether_addr *mac)
{
	const uint8_t *b = mac->addr_bytes;
	igb_write(ad, IGB_RAL(0), (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
					 (uint32_t)b[3] << 24);
	igb_write(ad, IGB_RAH(0), (uint32_t)b[4] | (uint32_t)b[5] << 8 | IGB_RAH_AV);
}

static void igb_read_mac(struct igb_adapter *ad, struct sl_ether_addr *mac)
{
	uint32_t ral = igb_read(ad, IGB_RAL(0)), rah = igb_read(ad, IGB_RAH(0));
	for (unsigned i = 0; i < 4; i++)
		mac->addr_bytes[i] = (uint8_t)(ral >> (8 * i));
	mac->addr_bytes[4] = (uint8_t)rah;
	mac->addr_bytes[5] = (uint8_t)(rah >> 8);
}

/* RCTL from the port's state; EN when the port runs. */
static uint32_t igb_rctl_value(const struct igb_adapter *ad, bool enable)
{
	uint32_t rctl = IGB_RCTL_BAM | IGB_RCTL_SECRC | IGB_RCTL_LPE;
	if (ad->promisc)
		rctl |= IGB_RCTL_UPE | IGB_RCTL_MPE;
	if (ad->allmulti)
		rctl |= IGB_RCTL_MPE;
	if (enable)
		rctl |= IGB_RCTL_EN;
	return rctl;
}

static void igb_update_rctl(struct igb_adapter *ad)
{
	bool enabled = (igb_read(ad, IGB_RCTL) & IGB_RCTL_EN) != 0;
	igb_write(ad, IGB_RCTL, igb_rctl_value(ad, enabled));
}

/* ---- ethdev operations ---------------------------------------------------- */

static int igb_dev_infos_get(struct sl_eth_dev *dev, struct sl_eth_dev_info *info)
{
	(void)dev;
	info->max_rx_queues = IGB_MAX_QUEUES < SL_MAX_QUEUES_PER_PORT ? IGB_MAX_QUEUES : SL_MAX_QUEUES_PER_PORT;
	info->max_tx_queues = info->max_rx_queues;
	info->rx_desc_min = IGB_DESC_MIN;
	info->rx_desc_max = IGB_DESC_MAX;
	info->rx_desc_default = IGB_DEFAULT_RX_DESC;
	info->tx_desc_min = IGB_DESC_MIN;
	info->tx_desc_max = IGB_DESC_MAX;
	info->tx_desc_default = IGB_DEFAULT_TX_DESC;
	info->rx_desc_align = IGB_DESC_MULTIPLE;
	info->tx_desc_align = IGB_DESC_MULTIPLE;
	info->min_mtu = 68;
	info->max_mtu = IGB_MAX_RX_FRAME - IGB_FRAME_OVERHEAD;
	info->max_rx_pktlen = IGB_MAX_RX_FRAME;
	info->max_mac_addrs = 1;
	info->speed_capa_mbps = 1000;
	info->reta_size = IGB_RETA_ENTRIES;
	info->hash_key_size = IGB_RSS_KEY_SIZE;
	info->flow_type_rss_offloads = IGB_RSS_OFFLOAD_ALL;
	/* the hash with RSS in use (no checksum validation: RXCSUM.IPOFLD/
	 * TUOFLD stay off); tx: a descriptor per segment, and the free path
	 * takes any mbuf (it checks pool and refcnt per burst) */
	info->rx_offload_capa = SL_ETH_RX_OFFLOAD_RSS_HASH;
	info->tx_offload_capa = SL_ETH_TX_OFFLOAD_MULTI_SEGS | SL_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
	return 0;
}

static int igb_dev_configure(struct sl_eth_dev *dev)
{
	/* queue counts, MTU, interrupts and RSS are applied at start */
	int ret = igb_rx_intr_check(dev);
	if (ret == 0)
		igb_rss_conf_init(dev);
	return ret;
}

/* Every rx queue's buffers must hold a whole frame (no scatter). */
static int igb_check_mtu_fits(struct sl_eth_dev *dev, uint16_t mtu)
{
	uint32_t frame = (uint32_t)mtu + IGB_FRAME_OVERHEAD;
	for (uint16_t q = 0; q < dev->nb_rx_queues; q++) {
		const struct igb_rx_queue *rxq = dev->rx_queues[q];
		if (rxq != NULL && rxq->buf_size < frame) {
			SL_LOG(ERR, IGB_LOG, "%s: MTU %u needs %u-byte rx buffers but rx queue %u has %u-byte ones "
			       "(pool %s); use a pool with a data room of at least %u bytes",
			       dev->name, mtu, frame, q, rxq->buf_size, sl_mempool_name(rxq->mp),
			       frame + SL_PKTMBUF_HEADROOM);
			return -EINVAL;
		}
	}
	return 0;
}

static void igb_stop_queues(struct sl_eth_dev *dev)
{
	struct igb_adapter *ad = dev->dev_private;
	igb_rx_intr_teardown(dev);
	igb_write(ad, IGB_RCTL, igb_rctl_value(ad, false));
	for (uint16_t q = 0; q < SL_MAX_QUEUES_PER_PORT; q++) {
		if (dev->rx_queues[q] != NULL)
			igb_rx_queue_stop(ad, dev->rx_queues[q]);
		if (dev->tx_queues[q] != NULL)
			igb_tx_queue_stop(ad, dev->tx_queues[q]);
	}
	igb_write(ad, IGB_TCTL, igb_read(ad, IGB_TCTL) & ~IGB_TCTL_EN);
	igb_write_flush(ad);
}

static int igb_dev_start(struct sl_eth_dev *dev)
{
	struct igb_adapter *ad = dev->dev_private;
	int ret = igb_check_mtu_fits(dev, dev->mtu);
	if (ret != 0)
		return ret;

	igb_mask_interrupts(ad);
	igb_write(ad, IGB_CTRL_EXT, igb_read(ad, IGB_CTRL_EXT) | IGB_CTRL_EXT_DRV_LOAD);
	igb_write_mac(ad, &dev->mac_addr);
	for (unsigned i = 0; i < IGB_MTA_WORDS; i++)
		igb_write(ad, IGB_MTA(i), 0);
	/* queues left enabled by a reset (the 82576 enables queue 0) */
	for (uint16_t q = 0; q < IGB_MAX_QUEUES; q++) {
		igb_write(ad, IGB_RXDCTL(q), 0);
		igb_write(ad, IGB_TXDCTL(q), 0);
	}
	igb_rss_configure(ad);
	igb_write(ad, IGB_RLPML, (uint32_t)dev->mtu + IGB_FRAME_OVERHEAD);

	for (uint16_t q = 0; q < dev->nb_tx_queues && ret == 0; q++)
		ret = igb_tx_queue_start(ad, dev->tx_queues[q]);
	for (uint16_t q = 0; q < dev->nb_rx_queues && ret == 0; q++)
		ret = igb_rx_queue_start(ad, dev->rx_queues[q]);
	if (ret == 0 && (dev->conf.intr_conf.rxq || dev->conf.intr_conf.lsc))
		ret = igb_rx_intr_setup(dev);
	if (ret != 0) {
		igb_stop_queues(dev);
		return ret;
	}
	uint32_t tctl = igb_read(ad, IGB_TCTL);
	igb_write(ad, IGB_TCTL, tctl | IGB_TCTL_EN | IGB_TCTL_PSP);
	igb_write(ad, IGB_RCTL, igb_rctl_value(ad, true));
	igb_write_flush(ad);

	dev->rx_pkt_burst = igb_recv_pkts;
	dev->tx_pkt_burst = igb_xmit_pkts;

	/* Frames sent before the link is up wait in the model (or are lost on
	 * hardware): wait for it, bounded. */
	igb_read_link(ad, &dev->link);
	if (dev->link.status != SL_ETH_LINK_UP) {
		if (!(igb_read(ad, IGB_CTRL) & IGB_CTRL_SLU))
			igb_link_start(ad);
		igb_link_update(dev, true);
		if (dev->link.status != SL_ETH_LINK_UP)
			SL_LOG(WARNING, IGB_LOG, "%s: link still down %u ms after start (STATUS 0x%08x); is the "
			       "cable (or the QEMU netdev) connected?", dev->name, IGB_LINK_WAIT_MS,
			       igb_read(ad, IGB_STATUS));
	}
	ret = igb_lsc_arm(dev);
	if (ret != 0) {
		igb_stop_queues(dev);
		return ret;
	}
	SL_LOG(INFO, IGB_LOG, "%s: started, %u rx / %u tx queues, MTU %u, link %s%s%s", dev->name, dev->nb_rx_queues,
	       dev->nb_tx_queues, dev->mtu, dev->link.status == SL_ETH_LINK_UP ? "up" : "down",
	       ad->nb_rx_intr ? ", rx interrupts" : "", ad->lsc_on ? ", link change interrupts" : "");
	return 0;
}

static int igb_dev_stop(struct sl_eth_dev *dev)
{
	igb_stop_queues(dev);
	return 0;
}

static void igb_dev_close(struct sl_eth_dev *dev)
{
	struct igb_adapter *ad = dev->dev_private;
	if (ad == NULL)
		return;
	/* A device the kernel took back (bus_vfio released it) has no
	 * registers any more: BAR0 is anonymous memory standing in. */
	if (!sl_pci_dev_is_released(ad->pci)) {
		igb_reset_hw(ad);
		igb_write(ad, IGB_CTRL_EXT, igb_read(ad, IGB_CTRL_EXT) & ~IGB_CTRL_EXT_DRV_LOAD);
		sl_pci_set_bus_master(ad->pci, false);
	}
	sl_pci_dev_set_driver_data(ad->pci, NULL);
	/* The bus keeps the device open; sl_pci_dev_close (or EAL cleanup)
	 * unmaps BAR0. */
	free(ad);
	dev->dev_private = NULL;
}

static int igb_mac_addr_set(struct sl_eth_dev *dev, const struct sl_ether_addr *mac)
{
	igb_write_mac(dev->dev_private, mac);
	return 0;
}

static int igb_promiscuous_enable(struct sl_eth_dev *dev)
{
	struct igb_adapter *ad = dev->dev_private;
	ad->promisc = true;
	igb_update_rctl(ad);
	return 0;
}

static int igb_promiscuous_disable(struct sl_eth_dev *dev)
{
	struct igb_adapter *ad = dev->dev_private;
	ad->promisc = false;
	igb_update_rctl(ad);
	return 0;
}

static int igb_allmulticast_enable(struct sl_eth_dev *dev)
{
	struct igb_adapter *ad = dev->dev_private;
	ad->allmulti = true;
	igb_update_rctl(ad);
	return 0;
}

static int igb_allmulticast_disable(struct sl_eth_dev *dev)
{
	struct igb_adapter *ad = dev->dev_private;
	ad->allmulti = false;
	igb_update_rctl(ad);
	return 0;
}

static int igb_mtu_set(struct sl_eth_dev *dev, uint16_t mtu)
{
	int ret = igb_check_mtu_fits(dev, mtu);
	if (ret != 0)
		return ret;
	igb_write(dev->dev_private, IGB_RLPML, (uint32_t)mtu + IGB_FRAME_OVERHEAD);
	return 0;
}

static const struct sl_eth_dev_ops igb_ops = {
	.dev_infos_get = igb_dev_infos_get,
	.dev_configure = igb_dev_configure,
	.dev_start = igb_dev_start,
	.dev_stop = igb_dev_stop,
	.dev_close = igb_dev_close,
	.rx_queue_setup = igb_rx_queue_setup,
	.tx_queue_setup = igb_tx_queue_setup,
	.rx_queue_release = igb_rx_queue_release,
	.tx_queue_release = igb_tx_queue_release,
	.link_update = igb_link_update,
	.stats_get = igb_stats_get,
	.stats_reset = igb_stats_reset,
	.xstats_get_names = igb_xstats_get_names,
	.xstats_get = igb_xstats_get,
	.xstats_reset = igb_xstats_reset,
	.mac_addr_set = igb_mac_addr_set,
	.promiscuous_enable = igb_promiscuous_enable,
	.promiscuous_disable = igb_promiscuous_disable,
	.allmulticast_enable = igb_allmulticast_enable,
	.allmulticast_disable = igb_allmulticast_disable,
	.mtu_set = igb_mtu_set,
	.rx_queue_intr_enable = igb_rx_queue_intr_enable,
	.rx_queue_intr_disable = igb_rx_queue_intr_disable,
	.rx_queue_intr_fd = igb_rx_queue_intr_fd,
	.rss_hash_update = igb_rss_hash_update,
	.rss_hash_conf_get = igb_rss_hash_conf_get,
	.reta_update = igb_rss_reta_update,
	.reta_query = igb_rss_reta_query,
};

/* ---- probe ------------------------------------------------------------------ */

static struct sl_eth_driver igb_driver;

static int igb_probe_pci(struct sl_pci_device *pci, const struct sl_pci_id *id)
{
	const char *bdf = sl_pci_device_name(pci);
	struct igb_adapter *ad = calloc(1, sizeof(*ad));
	struct sl_eth_dev *dev = NULL;
	int ret;
	(void)id;

	if (ad == NULL)
		return -ENOMEM;
	ad->pci = pci;
	for (unsigned q = 0; q < IGB_MAX_QUEUES; q++)
		ad->rx_intr_fd[q] = -1;
	snprintf(ad->pci_name, sizeof(ad->pci_name), "%s", bdf);
	ad->bar0 = sl_pci_bar_map(pci, 0, &ad->bar0_len);
	if (ad->bar0 == NULL || ad->bar0_len < 0x10000) {
		SL_LOG(ERR, IGB_LOG, "%s: cannot map BAR0 (%s); the driver needs the register BAR mmapped",
		       bdf, ad->bar0 == NULL ? strerror(errno) : "too small");
		ret = -EIO;
		goto fail;
	}
	if (sl_pci_set_bus_master(pci, true) != 0) {
		SL_LOG(ERR, IGB_LOG, "%s: cannot enable bus mastering: %s", bdf, strerror(errno));
		ret = -EIO;
		goto fail;
	}
	ret = igb_reset_hw(ad);
	if (ret != 0)
		goto fail_bm;

	dev = sl_eth_dev_allocate(bdf, &igb_driver);
	if (dev == NULL) {
		ret = -ENOSPC;
		goto fail_bm;
	}
	ad->dev = dev;
	dev->numa_node = sl_pci_device_numa_node(pci);
	igb_read_mac(ad, &dev->mac_addr);
	if (!(igb_read(ad, IGB_RAH(0)) & IGB_RAH_AV) || sl_is_zero_ether_addr(&dev->mac_addr) ||
	    sl_is_multicast_ether_addr(&dev->mac_addr)) {
		/* no valid address from the EEPROM: a fixed locally administered one */
		static const struct sl_ether_addr fallback = {{0x02, 0x00, 0x5e, 0x10, 0xc9, 0x00}};
		char buf[24];
		dev->mac_addr = fallback;
		dev->mac_addr.addr_bytes[5] = (uint8_t)dev->port_id;
		sl_ether_format_addr(buf, sizeof(buf), &dev->mac_addr);
		SL_LOG(WARNING, IGB_LOG, "%s: no valid MAC address in RAL0/RAH0; using %s", bdf, buf);
	}
	igb_hw_stats_clear(ad);
	igb_link_start(ad);

	dev->dev_private = ad;
	dev->dev_ops = &igb_ops;
	dev->bus_device = pci;
	dev->dev_flags |= SL_ETH_DEV_INTR_LSC;
	dev->rx_pkt_burst = igb_recv_pkts;
	dev->tx_pkt_burst = igb_xmit_pkts;
	sl_pci_dev_set_driver_data(pci, dev);

	char mac[24];
	sl_ether_format_addr(mac, sizeof(mac), &dev->mac_addr);
	SL_LOG(INFO, IGB_LOG, "%s: port %u, 82576 [%04x:%04x], MAC %s, BAR0 %zu KiB, backend %s", bdf,
	       dev->port_id, IGB_VENDOR_ID_INTEL, IGB_DEVICE_ID_82576, mac, ad->bar0_len / 1024,
	       sl_dma_backend_name(sl_pci_dev_backend(pci)));
	return 0;

fail_bm:
	sl_pci_set_bus_master(pci, false);
fail:
	free(ad);
	return ret;
}

/* The kernel takes the device back: the port stops touching it before the
 * bus releases it. */
static void igb_remove_pci(struct sl_pci_device *pci)
{
	igb_lsc_forget(sl_pci_dev_get_driver_data(pci));
	sl_eth_pci_removed(pci);
}

static const struct sl_pci_id igb_pci_ids[] = {
	{IGB_VENDOR_ID_INTEL, IGB_DEVICE_ID_82576},
	{0, 0},
};

/* ethdev's view (the ports' driver name); the PCI bus's view below */
static struct sl_eth_driver igb_driver = {
	.name = IGB_DRIVER_NAME,
};

static struct sl_pci_driver igb_pci_driver = {
	.name = IGB_DRIVER_NAME,
	.id_table = igb_pci_ids,
	.probe = igb_probe_pci,
	.remove = igb_remove_pci,
};

SL_ETH_DRIVER_REGISTER(igb_driver)
SL_PCI_DRIVER_REGISTER(igb_pci_driver)
