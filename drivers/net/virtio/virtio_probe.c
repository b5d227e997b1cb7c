/* virtio_probe.c: net_virtio's probe and registration: the device
 * arguments, checking the device (virtio 1.x, ACCESS_PLATFORM), the
 * features the driver wants, reading MAC, queue pairs and MTU from the
 * device config, the control queue, creating the ethdev port; removal, the
 * PCI id table and the driver registration (SL_PCI_DRIVER_REGISTER with
 * the bus, SL_ETH_DRIVER_REGISTER for the ports' driver name).
 *
 * Device arguments (-a BDF,key=value,...): ring=auto|split|packed (default
 * auto: packed when the device offers VIRTIO_F_RING_PACKED), mrg=0|1
 * (default 1: negotiate VIRTIO_NET_F_MRG_RXBUF when offered). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "virtio_ethdev.h"

/* What the driver can use; start negotiates the part the device offers. */
#define VIRTIO_DRIVER_FEATURES                                                                          \
	(VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM) |                        \
	 VIRTIO_BIT(VIRTIO_NET_F_MAC) | VIRTIO_BIT(VIRTIO_NET_F_STATUS) | VIRTIO_BIT(VIRTIO_NET_F_MTU) |  \
	 VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF) | VIRTIO_BIT(VIRTIO_NET_F_CTRL_VQ) |                        \
	 VIRTIO_BIT(VIRTIO_NET_F_CTRL_RX) | VIRTIO_BIT(VIRTIO_NET_F_MQ) |                               \
	 VIRTIO_BIT(VIRTIO_NET_F_CTRL_MAC_ADDR) | VIRTIO_BIT(VIRTIO_F_RING_PACKED) |                    \
	 VIRTIO_BIT(VIRTIO_NET_F_SPEED_DUPLEX))

static struct sl_eth_driver virtio_driver;

/* Device arguments: ring=auto|split|packed, mrg=0|1. */
static int parse_devargs(struct virtio_net_private *p, const char *args, bool *want_packed, bool *want_mrg)
{
	char val[32];
	*want_packed = true;
	*want_mrg = true;
	if (args == NULL)
		return 0;
	if (sl_devarg_get(args, "ring", val, sizeof(val)) == 0) {
		if (strcmp(val, "split") == 0)
			*want_packed = false;
		else if (strcmp(val, "packed") != 0 && strcmp(val, "auto") != 0) {
			SL_LOG(ERR, LOG_COMPONENT, "%s: ring=%s is not valid: use ring=auto, ring=split or ring=packed",
			       p->name, val);
			return -EINVAL;
		}
	}
	if (sl_devarg_get(args, "mrg", val, sizeof(val)) == 0) {
		if (strcmp(val, "0") == 0)
			*want_mrg = false;
		else if (strcmp(val, "1") != 0) {
			SL_LOG(ERR, LOG_COMPONENT, "%s: mrg=%s is not valid: use mrg=0 or mrg=1", p->name, val);
			return -EINVAL;
		}
	}
	if (sl_devarg_get(args, "ring", val, sizeof(val)) == 0 && strcmp(val, "packed") == 0)
		return 1; /* packed demanded */
	return 0;
}

static int virtio_probe_pci(struct sl_pci_device *pdev, const struct sl_pci_id *id)
{
	struct sl_pci_device_info info;
	struct virtio_net_private *p;
	struct sl_eth_dev *dev;
	bool want_packed, want_mrg;
	int ret, demand;
	(void)id;

	if (sl_pci_device_info(pdev, &info) != 0)
		return -EIO;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	snprintf(p->name, sizeof(p->name), "%s", info.name);
	for (unsigned q = 0; q < SL_MAX_QUEUES_PER_PORT; q++)
		p->rx_intr_fd[q] = -1;
	p->lsc_fd = -1;
	demand = parse_devargs(p, info.args, &want_packed, &want_mrg);
	if (demand < 0) {
		ret = demand;
		goto fail;
	}
	if ((ret = virtio_pci_init(&p->vp, pdev, p->name)) != 0)
		goto fail;
	if (virtio_pci_reset(&p->vp) != 0) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: the device did not finish its reset", p->name);
		ret = -EIO;
		goto fail;
	}
	virtio_pci_add_status(&p->vp, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	p->device_features = virtio_pci_device_features(&p->vp);
	if (!(p->device_features & VIRTIO_BIT(VIRTIO_F_VERSION_1))) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: the device does not offer VIRTIO_F_VERSION_1; only virtio 1.x devices "
		       "are supported (QEMU: disable-legacy=on or a machine type newer than 2.6)", p->name);
		ret = -ENOTSUP;
		goto fail;
	}
	if (!(p->device_features & VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM)) && !sl_dma_backend_is_noiommu(info.backend)) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: the device does not offer VIRTIO_F_ACCESS_PLATFORM, so it would bypass "
		       "the IOMMU and treat the IO addresses in its rings as physical addresses; give the device "
		       "iommu_platform=on (QEMU) or use the no-IOMMU backend", p->name);
		ret = -ENOTSUP;
		goto fail;
	}
	p->wanted_features = p->device_features & VIRTIO_DRIVER_FEATURES;
	if (!want_packed)
		p->wanted_features &= ~VIRTIO_BIT(VIRTIO_F_RING_PACKED);
	if (!want_mrg)
		p->wanted_features &= ~VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF);
	if (!(p->wanted_features & VIRTIO_BIT(VIRTIO_NET_F_CTRL_VQ)))
		p->wanted_features &= ~(VIRTIO_BIT(VIRTIO_NET_F_CTRL_RX) | VIRTIO_BIT(VIRTIO_NET_F_MQ) |
					VIRTIO_BIT(VIRTIO_NET_F_CTRL_MAC_ADDR));
	if (demand == 1 && !(p->wanted_features & VIRTIO_BIT(VIRTIO_F_RING_PACKED))) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: ring=packed but the device does not offer VIRTIO_F_RING_PACKED "
		       "(QEMU: packed=on)", p->name);
		ret = -ENOTSUP;
		goto fail;
	}
	p->packed = (p->wanted_features & VIRTIO_BIT(VIRTIO_F_RING_PACKED)) != 0;

	/* device config: readable before FEATURES_OK */
	struct sl_ether_addr mac = {{0}};
	p->features = p->wanted_features; /* for has() while probing */
	if (offered(p, VIRTIO_NET_F_MAC))
		virtio_pci_read_dev_config(&p->vp, NET_CFG_MAC, mac.addr_bytes, SL_ETHER_ADDR_LEN);
	if (sl_is_zero_ether_addr(&mac) || sl_is_multicast_ether_addr(&mac)) {
		uint64_t r = sl_rdtsc() ^ (uint64_t)(uintptr_t)p;
		for (int i = 0; i < SL_ETHER_ADDR_LEN; i++)
			mac.addr_bytes[i] = (uint8_t)(r >> (8 * i));
		mac.addr_bytes[0] = (uint8_t)((mac.addr_bytes[0] & 0xfe) | 0x02); /* local unicast */
	}
	p->max_pairs = 1;
	if (offered(p, VIRTIO_NET_F_MQ)) {
		uint16_t pairs = 1;
		virtio_pci_read_dev_config(&p->vp, NET_CFG_MAX_PAIRS, &pairs, 2);
		p->max_pairs = pairs ? pairs : 1;
	}
	p->mtu_max = SL_ETH_DEFAULT_MTU;
	if (offered(p, VIRTIO_NET_F_MTU)) {
		uint16_t mtu = 0;
		virtio_pci_read_dev_config(&p->vp, NET_CFG_MTU, &mtu, 2);
		if (mtu >= 68)
			p->mtu_max = mtu;
	}
	p->features = 0;
	p->rx_max_size = virtio_pci_queue_max_size(&p->vp, 0);
	p->tx_max_size = virtio_pci_queue_max_size(&p->vp, 1);
	p->ctrl_vq_index = offered(p, VIRTIO_NET_F_MQ) ? (uint16_t)(2 * p->max_pairs) : 2;
	if (p->rx_max_size < VIRTIO_DESC_MIN || p->tx_max_size < VIRTIO_DESC_MIN) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: the device's queues are too small (rx %u, tx %u; need %u)", p->name,
		       p->rx_max_size, p->tx_max_size, VIRTIO_DESC_MIN);
		ret = -ENOTSUP;
		goto fail;
	}
	p->rx_max_size = ring_size(p->rx_max_size, p->rx_max_size);
	p->tx_max_size = ring_size(p->tx_max_size, p->tx_max_size);
	virtio_pci_reset(&p->vp);

	if (offered(p, VIRTIO_NET_F_CTRL_VQ)) {
		/* The control queue's index depends on the negotiated features
		 * (QEMU adds the extra queue pairs only once MQ is accepted), so
		 * start sets it and checks the size against the device. */
		char name[96];
		snprintf(name, sizeof(name), "%s ctrlq", p->name);
		p->ctrlq = calloc(1, sizeof(*p->ctrlq));
		if (p->ctrlq == NULL) {
			ret = -ENOMEM;
			goto fail;
		}
		p->ctrlq->buf = sl_dma_zmalloc(name, CTRL_BUF_LEN, CTRL_BUF_LEN);
		if (p->ctrlq->buf == NULL ||
		    (ret = virtqueue_alloc(&p->ctrlq->vq, name, p->ctrl_vq_index, VIRTIO_CTRL_RING_SIZE, p->packed)) != 0) {
			SL_LOG(ERR, LOG_COMPONENT, "%s: no DMA memory for the control queue", p->name);
			ret = -ENOMEM;
			goto fail;
		}
		p->ctrlq->buf_iova = sl_mem_virt2iova(p->ctrlq->buf);
	}

	dev = sl_eth_dev_allocate(p->name, &virtio_driver);
	if (dev == NULL) {
		ret = -ENOSPC;
		goto fail;
	}
	p->dev = dev;
	dev->dev_private = p;
	dev->numa_node = sl_pci_device_numa_node(pdev);
	dev->dev_ops = &virtio_ops;
	dev->bus_device = pdev;
	dev->dev_flags |= SL_ETH_DEV_INTR_LSC; /* with VIRTIO_NET_F_STATUS: checked at configure */
	dev->mac_addr = mac;
	dev->mtu = SL_ETH_DEFAULT_MTU < p->mtu_max ? SL_ETH_DEFAULT_MTU : p->mtu_max;
	dev->rx_pkt_burst = virtio_rx_split;
	dev->tx_pkt_burst = virtio_tx_split;
	if (sl_pci_set_bus_master(pdev, true) != 0) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: cannot enable bus mastering: %s", p->name, strerror(errno));
		sl_eth_dev_release(dev);
		ret = -EIO;
		goto fail;
	}
	sl_pci_dev_set_driver_data(pdev, dev);
	char macbuf[24];
	sl_ether_format_addr(macbuf, sizeof(macbuf), &mac);
	SL_LOG(INFO, LOG_COMPONENT, "%s: port %u, MAC %s, %s rings, %u queue pair(s), rx/tx ring max %u/%u, "
	       "device features 0x%llx", p->name, dev->port_id, macbuf, p->packed ? "packed" : "split",
	       p->max_pairs, p->rx_max_size, p->tx_max_size, (unsigned long long)p->device_features);
	return 0;
fail:
	if (p->vp.common != NULL)
		virtio_pci_reset(&p->vp);
	free_ctrlq(p);
	free(p);
	return ret;
}

/* The kernel takes the device back: the port stops touching it before the
 * bus releases it. */
static void virtio_remove_pci(struct sl_pci_device *pdev)
{
	struct sl_eth_dev *dev = sl_pci_dev_get_driver_data(pdev);
	if (dev != NULL)
		virtio_lsc_disarm(dev->dev_private);
	sl_eth_pci_removed(pdev);
}

static const struct sl_pci_id virtio_pci_ids[] = {
	{VIRTIO_PCI_VENDOR_ID, VIRTIO_PCI_NET_MODERN_ID},
	{0, 0},
};

/* ethdev's view (the ports' driver name); the PCI bus's view below */
static struct sl_eth_driver virtio_driver = {
	.name = "net_virtio",
};

static struct sl_pci_driver virtio_pci_driver = {
	.name = "net_virtio",
	.id_table = virtio_pci_ids,
	.probe = virtio_probe_pci,
	.remove = virtio_remove_pci,
};

SL_ETH_DRIVER_REGISTER(virtio_driver)
SL_PCI_DRIVER_REGISTER(virtio_pci_driver)
