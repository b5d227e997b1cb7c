/* virtio_ethdev.h: what the files of net_virtio's control path share
 * (virtio_ethdev.c, virtio_queues.c, virtio_ctrl.c, virtio_stats.c,
 * virtio_probe.c): the driver's limits and defaults, the virtio-net device
 * config offsets and control commands, the feature tests, and the
 * functions each file offers the others. Not used by the data path. */
#ifndef VIRTIO_ETHDEV_H
#define VIRTIO_ETHDEV_H

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

static inline bool has(const struct virtio_net_private *p, unsigned bit)
{
	return (p->features & VIRTIO_BIT(bit)) != 0;
}

static inline bool offered(const struct virtio_net_private *p, unsigned bit)
{
	return (p->wanted_features & VIRTIO_BIT(bit)) != 0;
}

/* virtio_ethdev.c: the ethdev operations. */
extern const struct sl_eth_dev_ops virtio_ops;

/* virtio_queues.c */
/* Largest power of two <= N within [VIRTIO_DESC_MIN, MAX] (0: MAX). */
uint16_t ring_size(uint16_t n, uint16_t max);
int virtio_rx_queue_setup(struct sl_eth_dev *dev, uint16_t q, uint16_t nb_desc,
			  const struct sl_eth_rxconf *conf, struct sl_mempool *mp);
int virtio_tx_queue_setup(struct sl_eth_dev *dev, uint16_t q, uint16_t nb_desc,
			  const struct sl_eth_txconf *conf);
void virtio_rx_queue_release(struct sl_eth_dev *dev, uint16_t q);
void virtio_tx_queue_release(struct sl_eth_dev *dev, uint16_t q);
void return_all_mbufs(struct virtio_net_private *p);
int setup_vq(struct virtio_net_private *p, struct virtqueue *vq, uint16_t msix_vector);
/* At start, after FEATURES_OK: MSI-X vectors for NRX rx queues (vector q
 * for rx queue q) and, with LSC, one more for configuration changes
 * (msix_config written and read back). 0 or a negative errno (logged). */
int rx_intr_setup(struct virtio_net_private *p, uint16_t nrx, bool lsc);
/* After DRIVER_OK: the baseline link status read, the config vector's
 * eventfd handed to the EAL interrupt thread. */
int virtio_lsc_arm(struct virtio_net_private *p);
/* Stop watching the config vector (waits for its handler to return);
 * before the eventfds go. Any thread; also from the remove callback. */
void virtio_lsc_disarm(struct virtio_net_private *p);
/* The vectors released (the link handler stopped first). Call after the
 * device is reset (it signals nothing any more). */
void rx_intr_teardown(struct virtio_net_private *p);
int virtio_rx_intr_enable(struct sl_eth_dev *dev, uint16_t q);
int virtio_rx_intr_disable(struct sl_eth_dev *dev, uint16_t q);
int virtio_rx_intr_fd(struct sl_eth_dev *dev, uint16_t q);

/* virtio_ctrl.c */
/* Send CLASS/CMD with LEN bytes of DATA; 0, -ETIMEDOUT, -EIO (device said
 * no) or -ENOTSUP (no control queue). The device must be DRIVER_OK. */
int ctrl_command(struct virtio_net_private *p, uint8_t cls, uint8_t cmd, const void *data, uint32_t len);
int ctrl_rx_mode(struct virtio_net_private *p, uint8_t cmd, bool on);
void free_ctrlq(struct virtio_net_private *p);
int virtio_mac_addr_set(struct sl_eth_dev *dev, const struct sl_ether_addr *mac);
int virtio_promisc_on(struct sl_eth_dev *dev);
int virtio_promisc_off(struct sl_eth_dev *dev);
int virtio_allmulti_on(struct sl_eth_dev *dev);
int virtio_allmulti_off(struct sl_eth_dev *dev);

/* virtio_stats.c */
int virtio_stats_get(struct sl_eth_dev *dev, struct sl_eth_stats *st);
int virtio_stats_reset(struct sl_eth_dev *dev);
int virtio_xstats_get_names(struct sl_eth_dev *dev, struct sl_eth_xstat_name *names, unsigned size);
int virtio_xstats_get(struct sl_eth_dev *dev, uint64_t *values, unsigned size);
int virtio_xstats_reset(struct sl_eth_dev *dev);

#endif /* VIRTIO_ETHDEV_H */
