/* virtio_pci.c: the modern virtio PCI transport. The device describes where
 * its structures live with vendor-specific PCI capabilities (cfg_type 1
 * common, 2 notify, 3 ISR, 4 device config), each naming a BAR, an offset
 * and a length; this file walks the capability list through bus_vfio's
 * config space access, maps those BARs and gives typed access to the
 * common configuration (status, features, queues). */
#include <errno.h>
#include <string.h>

#include "sl_eal.h"
#include "virtio_pci.h"

#define LOG_COMPONENT "net_virtio"

/* PCI config space. */
#define PCI_STATUS 0x06
#define PCI_STATUS_CAP_LIST 0x10
#define PCI_CAPABILITY_LIST 0x34
#define PCI_CAP_ID_VNDR 0x09

/* struct virtio_pci_cap fields (offsets in the capability). */
#define VCAP_CFG_TYPE 3
#define VCAP_BAR 4
#define VCAP_OFFSET 8
#define VCAP_LENGTH 12
#define VCAP_NOTIFY_MULT 16 /* virtio_pci_notify_cap only */

enum virtio_cap_type {
	VIRTIO_PCI_CAP_COMMON_CFG = 1,
	VIRTIO_PCI_CAP_NOTIFY_CFG = 2,
	VIRTIO_PCI_CAP_ISR_CFG = 3,
	VIRTIO_PCI_CAP_DEVICE_CFG = 4,
};

/* struct virtio_pci_common_cfg offsets. */
#define COMMON_DFSELECT 0x00
#define COMMON_DF 0x04
#define COMMON_GFSELECT 0x08
#define COMMON_GF 0x0c
#define COMMON_MSIX 0x10
#define COMMON_NUMQ 0x12
#define COMMON_STATUS 0x14
#define COMMON_CFGGENERATION 0x15
#define COMMON_Q_SELECT 0x16
#define COMMON_Q_SIZE 0x18
#define COMMON_Q_MSIX 0x1a
#define COMMON_Q_ENABLE 0x1c
#define COMMON_Q_NOFF 0x1e
#define COMMON_Q_DESCLO 0x20
#define COMMON_Q_DESCHI 0x24
#define COMMON_Q_AVAILLO 0x28
#define COMMON_Q_AVAILHI 0x2c
#define COMMON_Q_USEDLO 0x30
#define COMMON_Q_USEDHI 0x34
#define COMMON_MIN_LEN 0x38

static inline uint8_t rd8(volatile uint8_t *base, uint32_t off) { return *(volatile uint8_t *)(base + off); }
static inline uint16_t rd16(volatile uint8_t *base, uint32_t off) { return *(volatile uint16_t *)(base + off); }
static inline uint32_t rd32(volatile uint8_t *base, uint32_t off) { return *(volatile uint32_t *)(base + off); }
static inline void wr8(volatile uint8_t *base, uint32_t off, uint8_t v) { *(volatile uint8_t *)(base + off) = v; }
static inline void wr16(volatile uint8_t *base, uint32_t off, uint16_t v) { *(volatile uint16_t *)(base + off) = v; }
static inline void wr32(volatile uint8_t *base, uint32_t off, uint32_t v) { *(volatile uint32_t *)(base + off) = v; }
static inline void wr64_split(volatile uint8_t *base, uint32_t lo, uint32_t hi, uint64_t v)
{
	wr32(base, lo, (uint32_t)v);
	wr32(base, hi, (uint32_t)(v >> 32));
}

/* Map the structure of a capability: BAR + offset, LEN bytes inside. */
static volatile uint8_t *map_cap(struct virtio_pci *vp, const char *name, const char *what, uint8_t bar,
				 uint32_t offset, uint32_t length)
{
	size_t bar_len = 0;
	uint8_t *base;

	if (bar > 5) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: the %s capability names BAR %u, which does not exist", name, what, bar);
		return NULL;
	}
	base = sl_pci_bar_map(vp->pdev, bar, &bar_len);
	if (base == NULL) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: cannot map BAR %u holding the %s structure: %s", name, bar, what,
		       strerror(errno));
		return NULL;
	}
	if ((uint64_t)offset + length > bar_len) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: the %s structure (offset 0x%x, %u bytes) lies beyond BAR %u (%zu bytes)",
		       name, what, offset, length, bar, bar_len);
		return NULL;
	}
	return base + offset;
}

int virtio_pci_init(struct virtio_pci *vp, struct sl_pci_device *pdev, const char *name)
{
	uint16_t status = 0;
	uint8_t pos = 0;
	unsigned guard = 0;

	memset(vp, 0, sizeof(*vp));
	vp->pdev = pdev;
	if (sl_pci_cfg_read(pdev, PCI_STATUS, &status, 2) != 0 || !(status & PCI_STATUS_CAP_LIST)) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: no PCI capability list; not a modern virtio device "
		       "(QEMU: use virtio-net-pci with disable-legacy=on or a virtio 1.x device)", name);
		return -ENODEV;
	}
	if (sl_pci_cfg_read(pdev, PCI_CAPABILITY_LIST, &pos, 1) != 0)
		return -EIO;
	while (pos >= 0x40 && guard++ < 48) {
		uint8_t cap[20];
		pos &= 0xfc;
		if (sl_pci_cfg_read(pdev, pos, cap, sizeof(cap)) != 0) {
			SL_LOG(ERR, LOG_COMPONENT, "%s: reading the capability at 0x%x failed: %s", name, pos,
			       strerror(errno));
			return -EIO;
		}
		if (cap[0] == PCI_CAP_ID_VNDR && cap[2] >= 16) {
			uint8_t type = cap[VCAP_CFG_TYPE], bar = cap[VCAP_BAR];
			uint32_t off, len;
			memcpy(&off, cap + VCAP_OFFSET, 4);
			memcpy(&len, cap + VCAP_LENGTH, 4);
			/* The first capability of each type is the preferred one. */
			switch (type) {
			case VIRTIO_PCI_CAP_COMMON_CFG:
				if (vp->common == NULL && len >= COMMON_MIN_LEN)
					vp->common = map_cap(vp, name, "common config", bar, off, len);
				break;
			case VIRTIO_PCI_CAP_NOTIFY_CFG:
				if (vp->notify_base == NULL && cap[2] >= 20) {
					memcpy(&vp->notify_off_multiplier, cap + VCAP_NOTIFY_MULT, 4);
					vp->notify_len = len;
					vp->notify_base = map_cap(vp, name, "notify", bar, off, len);
				}
				break;
			case VIRTIO_PCI_CAP_ISR_CFG:
				if (vp->isr == NULL)
					vp->isr = map_cap(vp, name, "ISR", bar, off, len);
				break;
			case VIRTIO_PCI_CAP_DEVICE_CFG:
				if (vp->device_cfg == NULL) {
					vp->device_cfg = map_cap(vp, name, "device config", bar, off, len);
					vp->device_cfg_len = len;
				}
				break;
			default:
				break;
			}
		}
		pos = cap[1];
	}
	if (vp->common == NULL || vp->notify_base == NULL || vp->isr == NULL) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: the virtio vendor capabilities are incomplete (common %s, notify %s, "
		       "ISR %s); this is not a usable virtio 1.x PCI device", name, vp->common ? "found" : "missing",
		       vp->notify_base ? "found" : "missing", vp->isr ? "found" : "missing");
		return -ENODEV;
	}
	if (vp->device_cfg == NULL)
		vp->device_cfg_len = 0;
	SL_LOG(DEBUG, LOG_COMPONENT, "%s: virtio structures mapped, notify multiplier %u, %u bytes of device config",
	       name, vp->notify_off_multiplier, vp->device_cfg_len);
	return 0;
}

uint8_t virtio_pci_get_status(struct virtio_pci *vp)
{
	return rd8(vp->common, COMMON_STATUS);
}

void virtio_pci_add_status(struct virtio_pci *vp, uint8_t bits)
{
	wr8(vp->common, COMMON_STATUS, (uint8_t)(rd8(vp->common, COMMON_STATUS) | bits));
}

int virtio_pci_reset(struct virtio_pci *vp)
{
	wr8(vp->common, COMMON_STATUS, 0);
	for (unsigned i = 0; i < 100000; i++) {
		if (rd8(vp->common, COMMON_STATUS) == 0)
			return 0;
		sl_delay_us(10);
	}
	return -ETIMEDOUT;
}

uint64_t virtio_pci_device_features(struct virtio_pci *vp)
{
	uint64_t lo, hi;
	wr32(vp->common, COMMON_DFSELECT, 0);
	lo = rd32(vp->common, COMMON_DF);
	wr32(vp->common, COMMON_DFSELECT, 1);
	hi = rd32(vp->common, COMMON_DF);
	return lo | (hi << 32);
}

void virtio_pci_set_driver_features(struct virtio_pci *vp, uint64_t features)
{
	wr32(vp->common, COMMON_GFSELECT, 0);
	wr32(vp->common, COMMON_GF, (uint32_t)features);
	wr32(vp->common, COMMON_GFSELECT, 1);
	wr32(vp->common, COMMON_GF, (uint32_t)(features >> 32));
}

uint16_t virtio_pci_num_queues(struct virtio_pci *vp)
{
	return rd16(vp->common, COMMON_NUMQ);
}

uint16_t virtio_pci_queue_max_size(struct virtio_pci *vp, uint16_t idx)
{
	wr16(vp->common, COMMON_Q_SELECT, idx);
	return rd16(vp->common, COMMON_Q_SIZE);
}

volatile uint16_t *virtio_pci_queue_setup(struct virtio_pci *vp, uint16_t idx, uint16_t size,
					  uint64_t desc_iova, uint64_t driver_iova, uint64_t device_iova,
					  uint16_t msix_vector)
{
	uint64_t noff;

	wr16(vp->common, COMMON_Q_SELECT, idx);
	wr16(vp->common, COMMON_Q_SIZE, size);
	wr16(vp->common, COMMON_Q_MSIX, msix_vector);
	/* a device that cannot use the vector reads back NO_VECTOR */
	if (rd16(vp->common, COMMON_Q_MSIX) != msix_vector) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: queue %u did not take MSI-X vector %u (reads back %u)",
		       sl_pci_device_name(vp->pdev), idx, msix_vector, rd16(vp->common, COMMON_Q_MSIX));
		return NULL;
	}
	wr64_split(vp->common, COMMON_Q_DESCLO, COMMON_Q_DESCHI, desc_iova);
	wr64_split(vp->common, COMMON_Q_AVAILLO, COMMON_Q_AVAILHI, driver_iova);
	wr64_split(vp->common, COMMON_Q_USEDLO, COMMON_Q_USEDHI, device_iova);
	noff = (uint64_t)rd16(vp->common, COMMON_Q_NOFF) * vp->notify_off_multiplier;
	if (noff + 2 > vp->notify_len) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: queue %u notify offset 0x%llx is beyond the notify structure (%u bytes)",
		       sl_pci_device_name(vp->pdev), idx, (unsigned long long)noff, vp->notify_len);
		return NULL;
	}
	wr16(vp->common, COMMON_Q_ENABLE, 1);
	return (volatile uint16_t *)(vp->notify_base + noff);
}

uint16_t virtio_pci_set_config_vector(struct virtio_pci *vp, uint16_t vector)
{
	wr16(vp->common, COMMON_MSIX, vector);
	return rd16(vp->common, COMMON_MSIX);
}

void virtio_pci_read_dev_config(struct virtio_pci *vp, uint32_t off, void *buf, uint32_t len)
{
	uint8_t gen, gen2;

	do {
		gen = rd8(vp->common, COMMON_CFGGENERATION);
		for (uint32_t i = 0; i < len; i++)
			((uint8_t *)buf)[i] = off + i < vp->device_cfg_len ? rd8(vp->device_cfg, off + i) : 0;
		gen2 = rd8(vp->common, COMMON_CFGGENERATION);
	} while (gen != gen2);
}
