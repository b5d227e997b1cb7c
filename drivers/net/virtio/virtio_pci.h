/* virtio_pci.h: the modern (virtio 1.x) PCI transport of the virtio-net
 * driver: the vendor capabilities that locate the common, notify, ISR and
 * device-specific configuration structures in the BARs, the device status
 * sequence, feature words, per-queue setup and the queue notify address. */
#ifndef VIRTIO_PCI_H
#define VIRTIO_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "sl_bus_vfio.h"

#define VIRTIO_PCI_VENDOR_ID 0x1af4
#define VIRTIO_PCI_NET_MODERN_ID 0x1041 /* 0x1040 + device type 1 */

/* Device status bits. */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 64
#define VIRTIO_STATUS_FAILED 128

/* Feature bits (device independent and virtio-net). */
#define VIRTIO_NET_F_MTU 3
#define VIRTIO_NET_F_MAC 5
#define VIRTIO_NET_F_MRG_RXBUF 15
#define VIRTIO_NET_F_STATUS 16
#define VIRTIO_NET_F_CTRL_VQ 17
#define VIRTIO_NET_F_CTRL_RX 18
#define VIRTIO_NET_F_MQ 22
#define VIRTIO_NET_F_CTRL_MAC_ADDR 23
#define VIRTIO_F_VERSION_1 32
#define VIRTIO_F_ACCESS_PLATFORM 33
#define VIRTIO_F_RING_PACKED 34
#define VIRTIO_NET_F_SPEED_DUPLEX 63

#define VIRTIO_BIT(b) (1ULL << (b))

#define VIRTIO_MSI_NO_VECTOR 0xffff

/* The transport of one device: pointers into its mapped BARs. */
struct virtio_pci {
	struct sl_pci_device *pdev;
	volatile uint8_t *common;      /* struct virtio_pci_common_cfg */
	volatile uint8_t *notify_base; /* notify structure */
	uint32_t notify_off_multiplier;
	uint32_t notify_len;
	volatile uint8_t *isr;
	volatile uint8_t *device_cfg;  /* virtio-net config */
	uint32_t device_cfg_len;
};

/* Find the vendor capabilities in config space and map the BARs they name.
 * 0, or a negative errno after logging what is missing. */
int virtio_pci_init(struct virtio_pci *vp, struct sl_pci_device *pdev, const char *name);

/* Write 0 to the status and wait until the device reads back 0 (reset
 * complete). 0 or -ETIMEDOUT. */
int virtio_pci_reset(struct virtio_pci *vp);
uint8_t virtio_pci_get_status(struct virtio_pci *vp);
/* OR BITS into the status. */
void virtio_pci_add_status(struct virtio_pci *vp, uint8_t bits);

uint64_t virtio_pci_device_features(struct virtio_pci *vp);
void virtio_pci_set_driver_features(struct virtio_pci *vp, uint64_t features);

uint16_t virtio_pci_num_queues(struct virtio_pci *vp);
/* Largest size of queue IDX (0: the queue does not exist). */
uint16_t virtio_pci_queue_max_size(struct virtio_pci *vp, uint16_t idx);
/* Program queue IDX (size, the IOVAs of its three areas and the MSI-X
 * vector its interrupts go to, VIRTIO_MSI_NO_VECTOR for none) and enable
 * it. Returns its notify address, or NULL (logged) when the device places
 * it outside the notify structure or did not take the vector. */
volatile uint16_t *virtio_pci_queue_setup(struct virtio_pci *vp, uint16_t idx, uint16_t size,
					  uint64_t desc_iova, uint64_t driver_iova, uint64_t device_iova,
					  uint16_t msix_vector);

/* Point configuration change notifications at MSI-X vector VECTOR
 * (common config msix_config; VIRTIO_MSI_NO_VECTOR: none). Returns what
 * the device reads back: VECTOR, or VIRTIO_MSI_NO_VECTOR when it could not
 * take it. A reset sets it back to none. */
uint16_t virtio_pci_set_config_vector(struct virtio_pci *vp, uint16_t vector);

/* Copy LEN bytes of the device config from OFF, consistent across a
 * config_generation change. */
void virtio_pci_read_dev_config(struct virtio_pci *vp, uint32_t off, void *buf, uint32_t len);

#endif /* VIRTIO_PCI_H */
