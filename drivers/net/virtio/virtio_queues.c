/* virtio_queues.c: net_virtio's rx and tx queues: ring sizes, queue set-up
 * and release, programming them into the device at start, giving back
 * every mbuf they hold, and rx interrupts (an MSI-X vector per rx queue,
 * armed through the ring's interrupt suppression). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "virtio_ethdev.h"

uint16_t ring_size(uint16_t n, uint16_t max)
{
	uint16_t s = 1;
	if (n == 0 || n > max)
		n = max;
	while ((uint32_t)s * 2 <= n)
		s = (uint16_t)(s * 2);
	return s;
}

void virtio_rx_queue_release(struct sl_eth_dev *dev, uint16_t q)
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

void virtio_tx_queue_release(struct sl_eth_dev *dev, uint16_t q)
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

int virtio_rx_queue_setup(struct sl_eth_dev *dev, uint16_t q, uint16_t nb_desc,
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

int virtio_tx_queue_setup(struct sl_eth_dev *dev, uint16_t q, uint16_t nb_desc,
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

void return_all_mbufs(struct virtio_net_private *p)
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

int setup_vq(struct virtio_net_private *p, struct virtqueue *vq, uint16_t msix_vector)
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

int rx_intr_setup(struct virtio_net_private *p, uint16_t nrx, bool lsc)
{
	int fds[SL_MAX_QUEUES_PER_PORT + 1];
	unsigned n = nrx + (lsc ? 1u : 0u);
	if (n == 0)
		return 0;
	if (sl_pci_irq_enable(p->vp.pdev, SL_PCI_IRQ_MSIX, n, fds) != 0) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: cannot enable %u MSI-X vector(s) for %s (%s)", p->name, n,
		       lsc ? "rx and link interrupts" : "rx interrupts", strerror(errno));
		return -EIO;
	}
	p->intr_vectors_on = true;
	memcpy(p->rx_intr_fd, fds, nrx * sizeof(int));
	p->nb_rx_intr = nrx;
	if (lsc) {
		p->lsc_vector = nrx;
		p->lsc_fd = fds[nrx];
		uint16_t got = virtio_pci_set_config_vector(&p->vp, nrx);
		if (got != nrx) {
			SL_LOG(ERR, LOG_COMPONENT, "%s: the device did not take MSI-X vector %u for configuration "
			       "changes (msix_config reads back %u); configure with intr_conf.lsc = 0", p->name, nrx, got);
			rx_intr_teardown(p);
			return -EIO;
		}
	}
	return 0;
}

void rx_intr_teardown(struct virtio_net_private *p)
{
	virtio_lsc_disarm(p);
	if (!p->intr_vectors_on)
		return;
	if (sl_pci_irq_disable(p->vp.pdev) != 0)
		SL_LOG(WARNING, LOG_COMPONENT, "%s: releasing the MSI-X vectors failed (%s)", p->name,
		       strerror(errno));
	for (unsigned q = 0; q < SL_MAX_QUEUES_PER_PORT; q++)
		p->rx_intr_fd[q] = -1;
	p->nb_rx_intr = 0;
	p->lsc_fd = -1;
	p->intr_vectors_on = false;
}

/* ---- link status change events ------------------------------------------------
 *
 * With MSI-X the configuration change notification is the msix_config
 * vector itself (virtio 1.x, 4.1.4.5 / 4.1.5.3): nothing else is read to
 * learn that it happened (the ISR byte is for INTx and is not looked at).
 * What changed is read from the device configuration, consistently across
 * config_generation (virtio_pci_read_dev_config): the virtio-net status
 * field (VIRTIO_NET_F_STATUS, required for lsc at configure), of which
 * only VIRTIO_NET_S_LINK_UP is used; an event is posted when it differs
 * from the link last reported. A notification with no link change (another
 * config field, a spurious message) posts nothing. The device status is
 * read too: DEVICE_NEEDS_RESET is logged once. */
static void virtio_lsc_intr(int fd, void *arg)
{
	struct sl_eth_dev *dev = arg;
	struct virtio_net_private *p = dev->dev_private;
	uint64_t cnt;
	if (read(fd, &cnt, sizeof(cnt)) != sizeof(cnt))
		return;
	p->lsc_intrs++;
	if ((virtio_pci_get_status(&p->vp) & VIRTIO_STATUS_NEEDS_RESET) && !p->needs_reset_logged) {
		p->needs_reset_logged = true;
		SL_LOG(ERR, LOG_COMPONENT, "%s: the device asks for a reset (DEVICE_NEEDS_RESET); stop and start "
		       "the port", p->name);
	}
	uint16_t status = 0;
	virtio_pci_read_dev_config(&p->vp, NET_CFG_STATUS, &status, 2);
	bool up = (status & VIRTIO_NET_S_LINK_UP) != 0;
	if (up == p->lsc_link_up) {
		SL_LOG(DEBUG, LOG_COMPONENT, "%s: configuration change, link still %s", p->name, up ? "up" : "down");
		return;
	}
	p->lsc_link_up = up;
	p->lsc_events++;
	SL_LOG(INFO, LOG_COMPONENT, "%s: link %s (configuration change interrupt)", p->name, up ? "up" : "down");
	sl_eth_dev_event_post(dev, SL_ETH_EVENT_INTR_LSC);
}

int virtio_lsc_arm(struct virtio_net_private *p)
{
	if (p->lsc_fd < 0 || p->lsc_on)
		return 0;
	uint16_t status = 0;
	virtio_pci_read_dev_config(&p->vp, NET_CFG_STATUS, &status, 2);
	p->lsc_link_up = (status & VIRTIO_NET_S_LINK_UP) != 0;
	p->needs_reset_logged = false;
	int ret = sl_intr_register(p->lsc_fd, virtio_lsc_intr, p->dev);
	if (ret != 0) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: cannot watch the configuration change interrupt on the EAL interrupt "
		       "thread (%s)", p->name, strerror(-ret));
		return ret;
	}
	__atomic_store_n(&p->lsc_on, true, __ATOMIC_RELEASE);
	return 0;
}

void virtio_lsc_disarm(struct virtio_net_private *p)
{
	if (p != NULL && __atomic_load_n(&p->lsc_on, __ATOMIC_ACQUIRE)) {
		sl_intr_unregister(p->lsc_fd, virtio_lsc_intr, p->dev); /* -ENOENT when the other path was first */
		__atomic_store_n(&p->lsc_on, false, __ATOMIC_RELEASE);
	}
}

/* Arming is the ring's interrupt suppression (virtqueue.h): split rings
 * clear VRING_AVAIL_F_NO_INTERRUPT, packed rings set the driver event
 * structure to ENABLE. Each touches only that queue's ring. */
int virtio_rx_intr_enable(struct sl_eth_dev *dev, uint16_t q)
{
	struct virtio_net_private *p = dev->dev_private;
	if (q >= p->nb_rx_intr || p->rxq[q] == NULL)
		return -EINVAL;
	vq_intr_enable(&p->rxq[q]->vq);
	return 0;
}

int virtio_rx_intr_disable(struct sl_eth_dev *dev, uint16_t q)
{
	struct virtio_net_private *p = dev->dev_private;
	if (q >= p->nb_rx_intr || p->rxq[q] == NULL)
		return -EINVAL;
	vq_intr_disable(&p->rxq[q]->vq);
	return 0;
}

int virtio_rx_intr_fd(struct sl_eth_dev *dev, uint16_t q)
{
	struct virtio_net_private *p = dev->dev_private;
	if (q >= p->nb_rx_intr)
		return -EINVAL;
	return p->rx_intr_fd[q];
}
