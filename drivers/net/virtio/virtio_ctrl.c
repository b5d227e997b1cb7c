/* virtio_ctrl.c: net_virtio's control queue: sending a command and
 * waiting for the device's answer, freeing the queue, and the ethdev
 * operations that go through it (MAC address, promiscuous, all-multicast). */
#include <stdlib.h>
#include <string.h>

#include "virtio_ethdev.h"

int ctrl_command(struct virtio_net_private *p, uint8_t cls, uint8_t cmd, const void *data, uint32_t len)
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

int ctrl_rx_mode(struct virtio_net_private *p, uint8_t cmd, bool on)
{
	uint8_t v = on ? 1 : 0;
	if (!has(p, VIRTIO_NET_F_CTRL_RX))
		return -ENOTSUP;
	return ctrl_command(p, VIRTIO_NET_CTRL_RX, cmd, &v, 1);
}

void free_ctrlq(struct virtio_net_private *p)
{
	if (p->ctrlq == NULL)
		return;
	virtqueue_free(&p->ctrlq->vq);
	sl_dma_free(p->ctrlq->buf);
	free(p->ctrlq);
	p->ctrlq = NULL;
}

int virtio_mac_addr_set(struct sl_eth_dev *dev, const struct sl_ether_addr *mac)
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

int virtio_promisc_on(struct sl_eth_dev *dev) { return rx_mode(dev, VIRTIO_NET_CTRL_RX_PROMISC, true); }
int virtio_promisc_off(struct sl_eth_dev *dev) { return rx_mode(dev, VIRTIO_NET_CTRL_RX_PROMISC, false); }
int virtio_allmulti_on(struct sl_eth_dev *dev) { return rx_mode(dev, VIRTIO_NET_CTRL_RX_ALLMULTI, true); }
int virtio_allmulti_off(struct sl_eth_dev *dev) { return rx_mode(dev, VIRTIO_NET_CTRL_RX_ALLMULTI, false); }
