/* virtio_ethdev.c: net_virtio, the virtio-net poll-mode driver (virtio 1.x
 * over modern PCI): probe, feature negotiation, the device status sequence,
 * queue setup, start/stop/close, the control queue (queue pairs,
 * promiscuous, all-multicast, MAC), link status and MAC from the device
 * config, statistics, and rx interrupts (an MSI-X vector per rx queue,
 * armed through the ring's interrupt suppression). The data path is in virtio_split.c and
 * virtio_packed.c.
 *
 * The device is reset and renegotiated at every start (virtio 1.x queues
 * can only be set up before DRIVER_OK) and reset at stop, which also gives
 * every mbuf in the rings back to its pool.
 *
 * Device arguments (-a BDF,key=value,...): ring=auto|split|packed (default
 * auto: packed when the device offers VIRTIO_F_RING_PACKED), mrg=0|1
 * (default 1: negotiate VIRTIO_NET_F_MRG_RXBUF when offered). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "virtio_net.h"

#define LOG_COMPONENT VIRTIO_LOG

#define VIRTIO_DESC_MIN 64
/* Rx refills after every burst that freed a descriptor (as DPDK's virtio
 * PMD does): QEMU's virtio-net hands a peer up to 256 frames in one go, and
 * with up to 31 buffers held back the ring ran dry, which stalls the peer's
 * transmit until an rx kick restarts it (see doc/drivers/virtio.md). Tx
 * reclaims completed buffers in bulk once fewer than 32 are free. */
#define VIRTIO_DEFAULT_RX_FREE_THRESH 1
#define VIRTIO_DEFAULT_TX_FREE_THRESH 32
#define VIRTIO_CTRL_TIMEOUT_US 2000000
#define VIRTIO_CTRL_RING_SIZE 16

/* virtio-net device config offsets. */
#define NET_CFG_MAC 0
#define NET_CFG_STATUS 6
#define NET_CFG_MAX_PAIRS 8
#define NET_CFG_MTU 10
#define NET_CFG_SPEED 12
#define NET_CFG_DUPLEX 16
#define VIRTIO_NET_S_LINK_UP 1

/* Control queue classes and commands. */
#define VIRTIO_NET_CTRL_RX 0
#define VIRTIO_NET_CTRL_RX_PROMISC 0
#define VIRTIO_NET_CTRL_RX_ALLMULTI 1
#define VIRTIO_NET_CTRL_MAC 1
#define VIRTIO_NET_CTRL_MAC_ADDR_SET 1
#define VIRTIO_NET_CTRL_MQ 4
#define VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET 0
#define VIRTIO_NET_OK 0
#define CTRL_DATA_OFF 2
#define CTRL_ACK_OFF 63
#define CTRL_BUF_LEN 64

/* What the driver can use; start negotiates the part the device offers. */
#define VIRTIO_DRIVER_FEATURES                                                                          \
	(VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM) |                        \
	 VIRTIO_BIT(VIRTIO_NET_F_MAC) | VIRTIO_BIT(VIRTIO_NET_F_STATUS) | VIRTIO_BIT(VIRTIO_NET_F_MTU) |  \
	 VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF) | VIRTIO_BIT(VIRTIO_NET_F_CTRL_VQ) |                        \
	 VIRTIO_BIT(VIRTIO_NET_F_CTRL_RX) | VIRTIO_BIT(VIRTIO_NET_F_MQ) |                               \
	 VIRTIO_BIT(VIRTIO_NET_F_CTRL_MAC_ADDR) | VIRTIO_BIT(VIRTIO_F_RING_PACKED) |                    \
	 VIRTIO_BIT(VIRTIO_NET_F_SPEED_DUPLEX))

static struct sl_eth_driver virtio_driver;

static bool has(const struct virtio_net_private *p, unsigned bit)
{
	return (p->features & VIRTIO_BIT(bit)) != 0;
}

static bool offered(const struct virtio_net_private *p, unsigned bit)
{
	return (p->wanted_features & VIRTIO_BIT(bit)) != 0;
}

/* ---- rx/tx helpers shared by both ring formats ------------------------------ */

struct sl_mbuf *virtio_rx_pkt_end(struct virtio_rxq *rxq, struct virtio_rx_pkt *p)
{
	struct sl_mbuf *head = p->head;
	if (sl_unlikely(p->bad)) {
		sl_pktmbuf_free(head);
		VQ_COUNTER_ADD(rxq->errors, 1);
		return NULL;
	}
	head->pkt_len = p->len;
	if (head->nb_segs > 1)
		VQ_COUNTER_ADD(rxq->merged, 1);
	return head;
}

void virtio_rx_broken(struct virtio_rxq *rxq, const char *what, uint16_t pos, unsigned long long value,
		      unsigned long long limit)
{
	vq_broken(&rxq->vq, what, pos, value, limit);
	VQ_COUNTER_ADD(rxq->errors, 1);
}

int virtio_txq_hdrs_alloc(struct virtio_txq *txq, const char *name)
{
	size_t len = (size_t)txq->vq.size * VIRTIO_NET_HDR_SIZE;
	txq->hdrs = sl_dma_zmalloc(name, len, 64);
	if (txq->hdrs == NULL)
		return -ENOMEM;
	txq->hdrs_iova = sl_mem_virt2iova(txq->hdrs);
	if (txq->hdrs_iova == SL_BAD_IOVA || sl_mem_virt2iova((char *)txq->hdrs + len - 1) != txq->hdrs_iova + len - 1 ||
	    virtqueue_alloc_chain(&txq->vq) != 0) {
		virtio_txq_hdrs_free(txq);
		return -ENOMEM;
	}
	return 0;
}

void virtio_txq_hdrs_free(struct virtio_txq *txq)
{
	if (txq->hdrs != NULL)
		sl_dma_free(txq->hdrs);
	txq->hdrs = NULL;
	txq->hdrs_iova = 0;
}

/* ---- control queue -------------------------------------------------------- */

/* Send CLASS/CMD with LEN bytes of DATA; 0, -ETIMEDOUT, -EIO (device said
 * no) or -ENOTSUP (no control queue). The device must be DRIVER_OK. */
static int ctrl_command(struct virtio_net_private *p, uint8_t cls, uint8_t cmd, const void *data, uint32_t len)
{
	struct virtio_ctrlq *cq = p->ctrlq;
	int ret;

	if (cq == NULL || !has(p, VIRTIO_NET_F_CTRL_VQ))
		return -ENOTSUP;
	if (len > CTRL_ACK_OFF - CTRL_DATA_OFF)
		return -EINVAL;
	cq->buf[0] = cls;
	cq->buf[1] = cmd;
	memcpy(cq->buf + CTRL_DATA_OFF, data, len);
	cq->buf[CTRL_ACK_OFF] = 0xff;
	if (p->packed)
		ret = virtio_ctrl_send_packed(&cq->vq, cq->buf_iova, CTRL_DATA_OFF + len, cq->buf_iova + CTRL_ACK_OFF,
					      VIRTIO_CTRL_TIMEOUT_US);
	else
		ret = virtio_ctrl_send_split(&cq->vq, cq->buf_iova, CTRL_DATA_OFF + len, cq->buf_iova + CTRL_ACK_OFF,
					     VIRTIO_CTRL_TIMEOUT_US);
	p->ctrl_commands++;
	if (ret != 0) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: control command %u/%u got no answer within %u ms; the device is stuck, "
		       "restart the port", p->name, cls, cmd, VIRTIO_CTRL_TIMEOUT_US / 1000);
		return ret;
	}
	if (__atomic_load_n(&cq->buf[CTRL_ACK_OFF], __ATOMIC_ACQUIRE) != VIRTIO_NET_OK) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: the device refused control command %u/%u (ack %u)", p->name, cls, cmd,
		       cq->buf[CTRL_ACK_OFF]);
		return -EIO;
	}
	return 0;
}

static int ctrl_rx_mode(struct virtio_net_private *p, uint8_t cmd, bool on)
{
	uint8_t v = on ? 1 : 0;
	if (!has(p, VIRTIO_NET_F_CTRL_RX))
		return -ENOTSUP;
	return ctrl_command(p, VIRTIO_NET_CTRL_RX, cmd, &v, 1);
}

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
	if (dev->conf.intr_conf.rxq) {
		unsigned avail = sl_pci_irq_count(p->vp.pdev, SL_PCI_IRQ_MSIX);
		if (dev->nb_rx_queues > avail) {
			SL_LOG(ERR, LOG_COMPONENT, "%s: rx interrupts need one MSI-X vector per rx queue, and the device "
			       "has %u; configure fewer queues, give the device more vectors (QEMU: vectors=N), or "
			       "poll (intr_conf.rxq = 0)", p->name, avail);
			return -EINVAL;
		}
	}
	return 0;
}

/* Largest power of two <= N within [VIRTIO_DESC_MIN, MAX] (0: MAX). */
static uint16_t ring_size(uint16_t n, uint16_t max)
{
	uint16_t s = 1;
	if (n == 0 || n > max)
		n = max;
	while ((uint32_t)s * 2 <= n)
		s = (uint16_t)(s * 2);
	return s;
}

static void virtio_rx_queue_release(struct sl_eth_dev *dev, uint16_t q)
{
	struct virtio_net_private *p = dev->dev_private;
	struct virtio_rxq *rxq = p->rxq[q];
	if (rxq == NULL)
		return;
	virtqueue_drop_mbufs(&rxq->vq);
	virtqueue_free(&rxq->vq);
	free(rxq);
	p->rxq[q] = NULL;
	dev->rx_queues[q] = NULL;
}

static void virtio_tx_queue_release(struct sl_eth_dev *dev, uint16_t q)
{
	struct virtio_net_private *p = dev->dev_private;
	struct virtio_txq *txq = p->txq[q];
	if (txq == NULL)
		return;
	virtqueue_drop_mbufs(&txq->vq);
	virtio_txq_hdrs_free(txq);
	virtqueue_free(&txq->vq);
	free(txq);
	p->txq[q] = NULL;
	dev->tx_queues[q] = NULL;
}

static int virtio_rx_queue_setup(struct sl_eth_dev *dev, uint16_t q, uint16_t nb_desc,
				 const struct sl_eth_rxconf *conf, struct sl_mempool *mp)
{
	struct virtio_net_private *p = dev->dev_private;
	uint16_t size = ring_size(nb_desc, p->rx_max_size);
	uint16_t room = sl_pktmbuf_data_room_size(mp);
	char name[96];
	struct virtio_rxq *rxq;
	int ret;

	if (room <= SL_PKTMBUF_HEADROOM + SL_ETHER_HDR_LEN) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: rx queue %u: pool %s has %u bytes of data room, no more than the %u "
		       "bytes of headroom; create the pool with a bigger data room", p->name, q, sl_mempool_name(mp),
		       room, SL_PKTMBUF_HEADROOM);
		return -EINVAL;
	}
	if (!offered(p, VIRTIO_NET_F_MRG_RXBUF) &&
	    (uint32_t)room - SL_PKTMBUF_HEADROOM < (uint32_t)dev->mtu + SL_ETHER_HDR_LEN + 4) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: rx queue %u: without mergeable rx buffers a packet must fit one mbuf, "
		       "and %u bytes of data room do not hold MTU %u; use bigger mbufs", p->name, q,
		       room - SL_PKTMBUF_HEADROOM, dev->mtu);
		return -EINVAL;
	}
	virtio_rx_queue_release(dev, q);
	rxq = aligned_alloc(SL_CACHE_LINE_SIZE, sizeof(*rxq));
	if (rxq == NULL)
		return -ENOMEM;
	memset(rxq, 0, sizeof(*rxq));
	snprintf(name, sizeof(name), "%s rxq%u", p->name, q);
	ret = virtqueue_alloc(&rxq->vq, name, (uint16_t)(2 * q), size, p->packed);
	if (ret != 0) {
		free(rxq);
		return ret;
	}
	rxq->mp = mp;
	rxq->desc_len = (uint32_t)room - SL_PKTMBUF_HEADROOM + VIRTIO_NET_HDR_SIZE;
	rxq->port_id = dev->port_id;
	rxq->queue_id = q;
	rxq->free_thresh = conf && conf->rx_free_thresh ? conf->rx_free_thresh : VIRTIO_DEFAULT_RX_FREE_THRESH;
	if (rxq->free_thresh > size / 2)
		rxq->free_thresh = (uint16_t)(size / 2);
	p->rxq[q] = rxq;
	dev->rx_queues[q] = rxq;
	SL_LOG(DEBUG, LOG_COMPONENT, "%s: rx queue %u: %u descriptors (%s ring)", p->name, q, size,
	       p->packed ? "packed" : "split");
	return 0;
}

static int virtio_tx_queue_setup(struct sl_eth_dev *dev, uint16_t q, uint16_t nb_desc,
				 const struct sl_eth_txconf *conf)
{
	struct virtio_net_private *p = dev->dev_private;
	uint16_t size = ring_size(nb_desc, p->tx_max_size);
	char name[96];
	struct virtio_txq *txq;
	int ret;

	virtio_tx_queue_release(dev, q);
	txq = aligned_alloc(SL_CACHE_LINE_SIZE, sizeof(*txq));
	if (txq == NULL)
		return -ENOMEM;
	memset(txq, 0, sizeof(*txq));
	snprintf(name, sizeof(name), "%s txq%u", p->name, q);
	ret = virtqueue_alloc(&txq->vq, name, (uint16_t)(2 * q + 1), size, p->packed);
	if (ret != 0) {
		free(txq);
		return ret;
	}
	snprintf(name, sizeof(name), "%s txq%u headers", p->name, q);
	if (virtio_txq_hdrs_alloc(txq, name) != 0) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: tx queue %u: no DMA memory for %u virtio-net headers", p->name, q, size);
		virtqueue_free(&txq->vq);
		free(txq);
		return -ENOMEM;
	}
	txq->queue_id = q;
	txq->free_thresh = conf && conf->tx_free_thresh ? conf->tx_free_thresh : VIRTIO_DEFAULT_TX_FREE_THRESH;
	if (txq->free_thresh > size / 2)
		txq->free_thresh = (uint16_t)(size / 2);
	p->txq[q] = txq;
	dev->tx_queues[q] = txq;
	return 0;
}

/* ---- start, stop, close ------------------------------------------------ */

static void return_all_mbufs(struct virtio_net_private *p)
{
	unsigned n = 0;
	for (unsigned q = 0; q < SL_MAX_QUEUES_PER_PORT; q++) {
		if (p->rxq[q] != NULL)
			n += virtqueue_drop_mbufs(&p->rxq[q]->vq);
		if (p->txq[q] != NULL)
			n += virtqueue_drop_mbufs(&p->txq[q]->vq);
	}
	SL_LOG(DEBUG, LOG_COMPONENT, "%s: %u mbufs returned from the rings", p->name, n);
}

static int setup_vq(struct virtio_net_private *p, struct virtqueue *vq, uint16_t msix_vector)
{
	uint64_t desc, driver, device;
	uint16_t max = virtio_pci_queue_max_size(&p->vp, vq->vq_index);

	if (max == 0 || vq->size > max) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: device queue %u takes at most %u descriptors, asked for %u", p->name,
		       vq->vq_index, max, vq->size);
		return -EINVAL;
	}
	virtqueue_reset(vq);
	virtqueue_areas(vq, &desc, &driver, &device);
	vq->notify = virtio_pci_queue_setup(&p->vp, vq->vq_index, vq->size, desc, driver, device, msix_vector);
	return vq->notify == NULL ? -EIO : 0;
}

/* ---- rx interrupts ---------------------------------------------------------- */

static int rx_intr_setup(struct virtio_net_private *p, uint16_t nq)
{
	int fds[SL_MAX_QUEUES_PER_PORT];
	if (sl_pci_irq_enable(p->vp.pdev, SL_PCI_IRQ_MSIX, nq, fds) != 0) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: cannot enable %u MSI-X vector(s) for rx interrupts (%s)", p->name, nq,
		       strerror(errno));
		return -EIO;
	}
	memcpy(p->rx_intr_fd, fds, nq * sizeof(int));
	p->nb_rx_intr = nq;
	return 0;
}

/* The device must be reset (it signals nothing any more). */
static void rx_intr_teardown(struct virtio_net_private *p)
{
	if (p->nb_rx_intr == 0)
		return;
	if (sl_pci_irq_disable(p->vp.pdev) != 0)
		SL_LOG(WARNING, LOG_COMPONENT, "%s: releasing the rx interrupt vectors failed (%s)", p->name,
		       strerror(errno));
	for (unsigned q = 0; q < SL_MAX_QUEUES_PER_PORT; q++)
		p->rx_intr_fd[q] = -1;
	p->nb_rx_intr = 0;
}

/* Arming is the ring's interrupt suppression (virtqueue.h): split rings
 * clear VRING_AVAIL_F_NO_INTERRUPT, packed rings set the driver event
 * structure to ENABLE. Each touches only that queue's ring. */
static int virtio_rx_intr_enable(struct sl_eth_dev *dev, uint16_t q)
{
	struct virtio_net_private *p = dev->dev_private;
	if (q >= p->nb_rx_intr || p->rxq[q] == NULL)
		return -EINVAL;
	vq_intr_enable(&p->rxq[q]->vq);
	return 0;
}

static int virtio_rx_intr_disable(struct sl_eth_dev *dev, uint16_t q)
{
	struct virtio_net_private *p = dev->dev_private;
	if (q >= p->nb_rx_intr || p->rxq[q] == NULL)
		return -EINVAL;
	vq_intr_disable(&p->rxq[q]->vq);
	return 0;
}

static int virtio_rx_intr_fd(struct sl_eth_dev *dev, uint16_t q)
{
	struct virtio_net_private *p = dev->dev_private;
	if (q >= p->nb_rx_intr)
		return -EINVAL;
	return p->rx_intr_fd[q];
}

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
	/* 2. rx interrupts: an MSI-X vector (and eventfd) per rx queue */
	if (dev->conf.intr_conf.rxq && (ret = rx_intr_setup(p, nq)) != 0)
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
	dev->rx_pkt_burst = p->packed ? (has(p, VIRTIO_NET_F_MRG_RXBUF) ? virtio_rx_packed_mrg : virtio_rx_packed)
				      : (has(p, VIRTIO_NET_F_MRG_RXBUF) ? virtio_rx_split_mrg : virtio_rx_split);
	dev->tx_pkt_burst = p->packed ? virtio_tx_packed : virtio_tx_split;
	dev->started = true; /* for link_update; ethdev sets it too */
	virtio_link_update(dev, false);
	dev->started = false;
	SL_LOG(INFO, LOG_COMPONENT, "%s: started, %u queue pair(s), %s rings, features 0x%llx%s", p->name, nq,
	       p->packed ? "packed" : "split", (unsigned long long)p->features, p->nb_rx_intr ? ", rx interrupts" : "");
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

static void free_ctrlq(struct virtio_net_private *p)
{
	if (p->ctrlq == NULL)
		return;
	virtqueue_free(&p->ctrlq->vq);
	sl_dma_free(p->ctrlq->buf);
	free(p->ctrlq);
	p->ctrlq = NULL;
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

/* ---- statistics ------------------------------------------------------------ */

static int virtio_stats_get(struct sl_eth_dev *dev, struct sl_eth_stats *st)
{
	struct virtio_net_private *p = dev->dev_private;
	for (uint16_t q = 0; q < SL_MAX_QUEUES_PER_PORT; q++) {
		struct virtio_rxq *rxq = p->rxq[q];
		struct virtio_txq *txq = p->txq[q];
		if (rxq != NULL) {
			uint64_t n = VQ_COUNTER_READ(rxq->packets), b = VQ_COUNTER_READ(rxq->bytes);
			st->q_ipackets[q] = n;
			st->q_ibytes[q] = b;
			st->q_errors[q] = VQ_COUNTER_READ(rxq->errors);
			st->ipackets += n;
			st->ibytes += b;
			st->ierrors += VQ_COUNTER_READ(rxq->errors);
			st->rx_nombuf += VQ_COUNTER_READ(rxq->nombuf);
		}
		if (txq != NULL) {
			uint64_t n = VQ_COUNTER_READ(txq->packets), b = VQ_COUNTER_READ(txq->bytes);
			st->q_opackets[q] = n;
			st->q_obytes[q] = b;
			st->opackets += n;
			st->obytes += b;
			st->oerrors += VQ_COUNTER_READ(txq->errors);
		}
	}
	return 0;
}

static int virtio_stats_reset(struct sl_eth_dev *dev)
{
	struct virtio_net_private *p = dev->dev_private;
	for (uint16_t q = 0; q < SL_MAX_QUEUES_PER_PORT; q++) {
		struct virtio_rxq *rxq = p->rxq[q];
		struct virtio_txq *txq = p->txq[q];
		if (rxq != NULL) {
			__atomic_store_n(&rxq->packets, 0, __ATOMIC_RELAXED);
			__atomic_store_n(&rxq->bytes, 0, __ATOMIC_RELAXED);
			__atomic_store_n(&rxq->errors, 0, __ATOMIC_RELAXED);
			__atomic_store_n(&rxq->nombuf, 0, __ATOMIC_RELAXED);
			__atomic_store_n(&rxq->merged, 0, __ATOMIC_RELAXED);
			__atomic_store_n(&rxq->vq.kicks, 0, __ATOMIC_RELAXED);
			__atomic_store_n(&rxq->vq.kicks_suppressed, 0, __ATOMIC_RELAXED);
		}
		if (txq != NULL) {
			__atomic_store_n(&txq->packets, 0, __ATOMIC_RELAXED);
			__atomic_store_n(&txq->bytes, 0, __ATOMIC_RELAXED);
			__atomic_store_n(&txq->errors, 0, __ATOMIC_RELAXED);
			__atomic_store_n(&txq->ring_full, 0, __ATOMIC_RELAXED);
			__atomic_store_n(&txq->hdr_descs, 0, __ATOMIC_RELAXED);
			__atomic_store_n(&txq->vq.kicks, 0, __ATOMIC_RELAXED);
			__atomic_store_n(&txq->vq.kicks_suppressed, 0, __ATOMIC_RELAXED);
		}
	}
	return 0;
}

/* Driver xstats: per rx queue 5 counters, per tx queue 5, then the port's
 * control commands. */
static const char *const rx_xstat_names[] = {"mbuf_allocation_errors", "merged_packets", "bad_completions",
					     "kicks", "kicks_suppressed"};
static const char *const tx_xstat_names[] = {"refused_packets", "ring_full", "kicks", "kicks_suppressed",
					     "header_descriptors"};
#define RX_XSTATS SL_DIM(rx_xstat_names)
#define TX_XSTATS SL_DIM(tx_xstat_names)

static unsigned xstats_count(const struct sl_eth_dev *dev)
{
	return dev->nb_rx_queues * RX_XSTATS + dev->nb_tx_queues * TX_XSTATS + 1;
}

static int virtio_xstats_get_names(struct sl_eth_dev *dev, struct sl_eth_xstat_name *names, unsigned size)
{
	unsigned n = xstats_count(dev), i = 0;
	if (names == NULL || size < n)
		return (int)n;
	for (unsigned q = 0; q < dev->nb_rx_queues; q++)
		for (unsigned k = 0; k < RX_XSTATS; k++)
			snprintf(names[i++].name, SL_ETH_XSTATS_NAME_SIZE, "rx_q%u_%s", q, rx_xstat_names[k]);
	for (unsigned q = 0; q < dev->nb_tx_queues; q++)
		for (unsigned k = 0; k < TX_XSTATS; k++)
			snprintf(names[i++].name, SL_ETH_XSTATS_NAME_SIZE, "tx_q%u_%s", q, tx_xstat_names[k]);
	snprintf(names[i++].name, SL_ETH_XSTATS_NAME_SIZE, "control_commands");
	return (int)n;
}

static int virtio_xstats_get(struct sl_eth_dev *dev, uint64_t *values, unsigned size)
{
	struct virtio_net_private *p = dev->dev_private;
	unsigned n = xstats_count(dev), i = 0;
	if (values == NULL || size < n)
		return (int)n;
	for (unsigned q = 0; q < dev->nb_rx_queues; q++) {
		struct virtio_rxq *r = p->rxq[q];
		uint64_t v[RX_XSTATS] = {0};
		if (r != NULL) {
			v[0] = VQ_COUNTER_READ(r->nombuf);
			v[1] = VQ_COUNTER_READ(r->merged);
			v[2] = VQ_COUNTER_READ(r->errors);
			v[3] = VQ_COUNTER_READ(r->vq.kicks);
			v[4] = VQ_COUNTER_READ(r->vq.kicks_suppressed);
		}
		for (unsigned k = 0; k < RX_XSTATS; k++)
			values[i++] = v[k];
	}
	for (unsigned q = 0; q < dev->nb_tx_queues; q++) {
		struct virtio_txq *t = p->txq[q];
		uint64_t v[TX_XSTATS] = {0};
		if (t != NULL) {
			v[0] = VQ_COUNTER_READ(t->errors);
			v[1] = VQ_COUNTER_READ(t->ring_full);
			v[2] = VQ_COUNTER_READ(t->vq.kicks);
			v[3] = VQ_COUNTER_READ(t->vq.kicks_suppressed);
			v[4] = VQ_COUNTER_READ(t->hdr_descs);
		}
		for (unsigned k = 0; k < TX_XSTATS; k++)
			values[i++] = v[k];
	}
	values[i++] = p->ctrl_commands;
	return (int)n;
}

static int virtio_xstats_reset(struct sl_eth_dev *dev)
{
	struct virtio_net_private *p = dev->dev_private;
	p->ctrl_commands = 0;
	return virtio_stats_reset(dev);
}

/* ---- MAC, rx modes, MTU ------------------------------------------------ */

static int virtio_mac_addr_set(struct sl_eth_dev *dev, const struct sl_ether_addr *mac)
{
	struct virtio_net_private *p = dev->dev_private;
	if (!offered(p, VIRTIO_NET_F_CTRL_MAC_ADDR)) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: the device does not offer VIRTIO_NET_F_CTRL_MAC_ADDR: its MAC address "
		       "cannot be changed (set it on the hypervisor side)", p->name);
		return -ENOTSUP;
	}
	if (!dev->started)
		return 0; /* start sends it */
	return ctrl_command(p, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_ADDR_SET, mac->addr_bytes, SL_ETHER_ADDR_LEN);
}

static int rx_mode(struct sl_eth_dev *dev, uint8_t cmd, bool on)
{
	struct virtio_net_private *p = dev->dev_private;
	if (!offered(p, VIRTIO_NET_F_CTRL_RX)) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: the device does not offer VIRTIO_NET_F_CTRL_RX: rx modes are fixed",
		       p->name);
		return -ENOTSUP;
	}
	if (!dev->started)
		return 0; /* start applies dev->promiscuous / all_multicast */
	return ctrl_rx_mode(p, cmd, on);
}

static int virtio_promisc_on(struct sl_eth_dev *dev) { return rx_mode(dev, VIRTIO_NET_CTRL_RX_PROMISC, true); }
static int virtio_promisc_off(struct sl_eth_dev *dev) { return rx_mode(dev, VIRTIO_NET_CTRL_RX_PROMISC, false); }
static int virtio_allmulti_on(struct sl_eth_dev *dev) { return rx_mode(dev, VIRTIO_NET_CTRL_RX_ALLMULTI, true); }
static int virtio_allmulti_off(struct sl_eth_dev *dev) { return rx_mode(dev, VIRTIO_NET_CTRL_RX_ALLMULTI, false); }

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

static const struct sl_eth_dev_ops virtio_ops = {
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

/* ---- probe ----------------------------------------------------------------- */

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
	dev->dev_ops = &virtio_ops;
	dev->bus_device = pdev;
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
