/* sl_bus_vfio.h: the PCI bus over VFIO. Scans /sys/bus/pci/devices, keeps
 * the functions bound to vfio-pci (or exactly those named with -a), picks a
 * VFIO backend per device (iommufd, type1 or no-IOMMU; logged with the
 * reason; forced with --vfio-backend or -a BDF,iommu=...), and gives one
 * device API whatever the backend: info, regions, BAR mmap (pread/pwrite
 * when a region cannot be mapped), config space, bus mastering, reset,
 * MSI-X/MSI/INTx eventfds, and the device's DMA address space (dma_map).
 * The scan runs as an EAL init hook; then each device is matched against
 * the id tables of the registered PCI drivers (struct sl_pci_driver), and
 * only a device some driver claims is opened and handed to that driver's
 * probe. The bus knows nothing of what a driver makes of a device (ethdev
 * ports, for the NIC drivers). */
#ifndef SL_BUS_VFIO_H
#define SL_BUS_VFIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sl_dma_map.h"
#include "sl_eal.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- PCI addresses ------------------------------------------------------ */

struct sl_pci_addr {
	uint32_t domain;
	uint8_t bus;
	uint8_t devid;    /* 0..0x1f */
	uint8_t function; /* 0..7 */
};

#define SL_PCI_ADDR_STRLEN 20 /* "0000:00:00.0" and NUL, with room for domains of up to 8 hex digits */

/* Parse "DDDD:BB:DD.F" or the short "BB:DD.F" (domain 0), hex, nothing
 * trailing. 0, or -1 with errno EINVAL. */
int sl_pci_addr_parse(const char *str, struct sl_pci_addr *out);
/* "0000:01:00.0" into BUF (at least SL_PCI_ADDR_STRLEN bytes). */
void sl_pci_addr_format(const struct sl_pci_addr *addr, char *buf, size_t len);
int sl_pci_addr_cmp(const struct sl_pci_addr *a, const struct sl_pci_addr *b);

/* ---- the bus ------------------------------------------------------------ */

/* What the scan is told. sl_eal_init's hook fills it from the EAL config
 * (-a list, --vfio-backend, --allow-noiommu) and, for tests, the
 * environment variables SL_SYSFS_ROOT (instead of /sys) and SL_DEV_ROOT
 * (prefix of /dev). */
struct sl_bus_vfio_conf {
	const char *sysfs_root;        /* NULL: "/sys" */
	const char *dev_root;          /* NULL: "" (so "/dev/..." as is) */
	unsigned nb_allow;
	const struct sl_devarg *allow; /* -a items; none: every vfio-pci function */
	const char *vfio_backend;      /* NULL/"auto", "iommufd", "type1", "noiommu" */
	bool allow_noiommu;
	unsigned nb_block;             /* -b items: functions the scan skips */
	const struct sl_devarg *block;
};

/* Scan the bus with CONF, replacing the previous device list (devices still
 * open are closed first). A device named with -a that is missing, not
 * bound to vfio-pci, malformed, unusable (no-IOMMU without opt-in, group
 * not viable, forced backend unavailable) fails the scan with a message
 * naming the fix; unnamed vfio-pci devices that cannot be used are skipped
 * with a warning. 0 or -1 with errno. Opens no file descriptor. */
int sl_bus_vfio_scan(const struct sl_bus_vfio_conf *conf);
/* Close every open device and forget the list. */
void sl_bus_vfio_cleanup(void);

/* Whether the EAL probe hook opens devices and hands them to their PCI
 * drivers (default true). Tests that drive devices by hand turn it off
 * before sl_eal_init. */
void sl_bus_vfio_set_autoprobe(bool on);

struct sl_pci_device;

unsigned sl_pci_device_count(void);
struct sl_pci_device *sl_pci_device_get(unsigned index);
/* By address string (long or short form); NULL if not in the list. */
struct sl_pci_device *sl_pci_device_find(const char *bdf);

/* Which reset a device gets (at open, at close and from sl_pci_reset). */
enum sl_pci_reset_kind {
	SL_PCI_RESET_NONE = 0,     /* neither is possible: opened/closed without one */
	SL_PCI_RESET_FUNCTION = 1, /* VFIO_DEVICE_RESET: the kernel's function-level
				    * reset (its reset_method: flr, pm, bus, ...) */
	SL_PCI_RESET_HOT = 2,      /* no function-level reset: VFIO_DEVICE_PCI_HOT_RESET,
				    * a secondary bus (or slot) reset of every
				    * function below the device's bridge */
};
/* "none", "function-level", "hot". */
const char *sl_pci_reset_kind_name(enum sl_pci_reset_kind kind);

struct sl_pci_device_info {
	struct sl_pci_addr addr;
	char name[SL_PCI_ADDR_STRLEN];  /* "0000:01:00.0" */
	uint16_t vendor_id;
	uint16_t device_id;
	uint16_t subsystem_vendor_id;
	uint16_t subsystem_device_id;
	uint32_t class_id;              /* 24-bit class code */
	int numa_node;                  /* sysfs numa_node; SL_SOCKET_ID_ANY (-1) when unknown */
	char driver[32];                /* kernel driver bound ("vfio-pci") */
	int iommu_group;                /* -1 when none */
	enum sl_dma_backend backend;    /* chosen at scan */
	char backend_reason[160];       /* why */
	const char *args;               /* the -a arguments ("" when none) */
	bool is_open;
	uint32_t num_regions;           /* after open */
	uint32_t num_irqs;
	bool has_reset;                 /* some reset is possible (reset_kind != NONE) */
	enum sl_pci_reset_kind reset_kind; /* after open: the reset the device gets */
	char reset_reason[512];         /* why that one ("no function-level reset; hot
					 * reset of bus 0000:01 affecting 0000:01:00.0"),
					 * or why none is possible */
};
int sl_pci_device_info(const struct sl_pci_device *dev, struct sl_pci_device_info *info);
const char *sl_pci_device_name(const struct sl_pci_device *dev);
/* The device's NUMA node from /sys/bus/pci/devices/<addr>/numa_node, read
 * at scan; SL_SOCKET_ID_ANY (-1) when the kernel does not know it (it
 * writes -1 then) or DEV is NULL. */
int sl_pci_device_numa_node(const struct sl_pci_device *dev);

/* ---- open / close ------------------------------------------------------- */

/* Open through the chosen backend: iommufd (cdev bound to /dev/iommu and
 * attached to an IOAS of its own, packet memory copied in) or a group in
 * the shared type1/no-IOMMU container. Reads device and region info and
 * resets the device. On failure nothing stays open. */
int sl_pci_dev_open(struct sl_pci_device *dev);
/* Disable interrupts and bus mastering, unmap BARs, reset, detach from the
 * address space and close every fd. The device can be opened again. */
void sl_pci_dev_close(struct sl_pci_device *dev);

/* Removal. An open device with VFIO's request interrupt (every vfio-pci
 * device) is watched by bus_vfio's removal thread: when the kernel asks for
 * the device back (it is unbound from vfio-pci, or hot-removed), its
 * driver's remove callback runs (a NIC driver marks its port removed, so
 * its bursts return 0) and then the device is released: request and interrupt eventfds closed, BAR mappings
 * replaced by anonymous memory at the same addresses (an lcore still in a
 * burst writes into that, harmlessly), device fd closed, iommufd binding or
 * group reference dropped, so the kernel can finish. The device stays
 * "open" for its driver, whose close (sl_pci_dev_close) then only unmaps
 * the stand-ins; every other call fails with ENODEV. See doc/bus_vfio.md. */
bool sl_pci_dev_is_released(const struct sl_pci_device *dev);

enum sl_dma_backend sl_pci_dev_backend(const struct sl_pci_device *dev);
/* The address space the device DMAs in (valid while open). Packet memory
 * from the EAL registry is already in it: descriptors take
 * sl_mem_virt2iova() addresses. */
struct sl_dma_as *sl_pci_dev_dma_as(const struct sl_pci_device *dev);
/* The VFIO device fd (valid while open), for what this API lacks. */
int sl_pci_dev_fd(const struct sl_pci_device *dev);

/* ---- regions, BARs, config space --------------------------------------- */

struct sl_pci_region {
	uint32_t index;   /* 0..5 BARs, 6 ROM, 7 config, 8 VGA */
	uint32_t flags;   /* VFIO_REGION_INFO_FLAG_* */
	uint64_t size;
	uint64_t offset;  /* in the device fd */
	bool mappable;
};
#define SL_PCI_CONFIG_REGION 7

int sl_pci_region_info(struct sl_pci_device *dev, unsigned index, struct sl_pci_region *out);
/* Map BAR (once; later calls return the same mapping). Areas a sparse-mmap
 * capability excludes (e.g. an MSI-X table) stay inaccessible: use the
 * region read/write calls for them. NULL with errno when the BAR cannot be
 * mapped (then use sl_pci_region_read/write). */
void *sl_pci_bar_map(struct sl_pci_device *dev, unsigned bar, size_t *len);
/* pread/pwrite of a region (any index); 0 or -1 with errno. */
int sl_pci_region_read(struct sl_pci_device *dev, unsigned index, uint64_t off, void *buf, size_t len);
int sl_pci_region_write(struct sl_pci_device *dev, unsigned index, uint64_t off, const void *buf,
			size_t len);
/* 32-bit BAR register access through the mapping, or pread/pwrite. */
uint32_t sl_pci_bar_read32(struct sl_pci_device *dev, unsigned bar, uint64_t off);
void sl_pci_bar_write32(struct sl_pci_device *dev, unsigned bar, uint64_t off, uint32_t val);

int sl_pci_cfg_read(struct sl_pci_device *dev, uint32_t off, void *buf, size_t len);
int sl_pci_cfg_write(struct sl_pci_device *dev, uint32_t off, const void *buf, size_t len);
/* Set or clear Bus Master Enable (and Memory Space Enable with it). */
int sl_pci_set_bus_master(struct sl_pci_device *dev, bool on);

/* Reset the device: VFIO_DEVICE_RESET when VFIO offers it
 * (VFIO_DEVICE_FLAGS_RESET), else a PCI hot reset (VFIO_DEVICE_PCI_HOT_RESET)
 * when every function it would reset belongs to this process (type1 /
 * no-IOMMU: all their groups held here; iommufd: all opened through our
 * iommufd) and none of the others is open here. The same reset runs at open
 * and at close (a failure there is only a warning). 0, or -1 with errno and
 * a logged reason: ENOTSUP when neither reset is possible, EPERM when a hot
 * reset would reset functions this process does not own or has open, else
 * the kernel's error. */
int sl_pci_reset(struct sl_pci_device *dev);

/* ---- interrupts --------------------------------------------------------- */

enum sl_pci_irq_type {
	SL_PCI_IRQ_INTX = 0, /* VFIO_PCI_INTX_IRQ_INDEX */
	SL_PCI_IRQ_MSI = 1,
	SL_PCI_IRQ_MSIX = 2,
};
/* Vectors the device offers for TYPE (0 when none). */
unsigned sl_pci_irq_count(struct sl_pci_device *dev, enum sl_pci_irq_type type);
/* Enable NVEC vectors of TYPE, each signalling a new eventfd written to
 * EFDS[i] (owned by the device; closed by disable/close). One type at a
 * time. */
int sl_pci_irq_enable(struct sl_pci_device *dev, enum sl_pci_irq_type type, unsigned nvec, int *efds);
int sl_pci_irq_disable(struct sl_pci_device *dev);
/* INTx is masked by the kernel when it fires: unmask after handling. */
int sl_pci_intx_unmask(struct sl_pci_device *dev);

/* ---- driver side -------------------------------------------------------- */

/* A vendor:device pair a PCI driver claims; tables end with {0, 0}. */
struct sl_pci_id {
	uint16_t vendor_id;
	uint16_t device_id;
};

/* A PCI driver, registered with the bus (SL_PCI_DRIVER_REGISTER, from a
 * constructor) like DPDK's rte_pci_driver. */
struct sl_pci_driver {
	const char *name;                 /* "net_igb", ... */
	const struct sl_pci_id *id_table; /* ends with {0, 0} */
	/* DEV is open (the bus opened it after matching ID); set the device
	 * up (an ethdev port, for a NIC driver). 0, or a negative errno with a
	 * logged reason; the bus then closes the device again. */
	int (*probe)(struct sl_pci_device *dev, const struct sl_pci_id *id);
	/* The kernel asks for DEV back (unbound from vfio-pci, hot removal).
	 * Called from the bus's removal thread before the bus releases the
	 * device (its fds go, its BAR mappings are replaced by anonymous
	 * memory): stop touching the device (e.g. mark the port removed,
	 * sl_eth_pci_removed). The device stays open for the driver's own
	 * close. May be NULL. */
	void (*remove)(struct sl_pci_device *dev);
	struct sl_pci_driver *next;       /* owned by the bus */
};

/* Register DRV (once; again is harmless) / take it back (tests). */
void sl_pci_driver_register(struct sl_pci_driver *drv);
void sl_pci_driver_unregister(struct sl_pci_driver *drv);

#define SL_PCI_DRIVER_REGISTER(drv) \
	__attribute__((constructor)) static void sl_pci_driver_register_##drv(void) \
	{ sl_pci_driver_register(&(drv)); }

/* The first registered driver whose table holds DEV's vendor:device (and
 * the entry, in *ID when ID is not NULL), or NULL. */
const struct sl_pci_driver *sl_pci_driver_match(const struct sl_pci_device *dev,
						const struct sl_pci_id **id);
/* Hand DEV to its driver: match it, open it if it is not open, call the
 * driver's probe. 0; -ENODEV when no driver claims it (logged "no driver
 * claims it"; the device is neither opened nor reset); or the open's or
 * the probe's negative errno, logged with the device and the driver (a
 * device this call opened is closed again). */
int sl_pci_dev_probe(struct sl_pci_device *dev);
/* The driver that probed DEV (until it is closed), or NULL. */
const struct sl_pci_driver *sl_pci_dev_driver(const struct sl_pci_device *dev);

/* Probe every scanned device that is neither open nor probed yet. A device
 * no driver claims is left closed; one whose open or probe fails is
 * logged and left closed, and the others go on. Returns -1 (errno from the
 * failure) only when a device named with -a failed and NAMED_FATAL is set
 * (the EAL's default; --skip-failed-devices clears it); else 0. */
int sl_bus_vfio_probe(bool named_fatal);

/* A driver's per-device pointer (e.g. its ethdev port), kept by the bus. */
void sl_pci_dev_set_driver_data(struct sl_pci_device *dev, void *data);
void *sl_pci_dev_get_driver_data(const struct sl_pci_device *dev);

#ifdef __cplusplus
}
#endif
#endif /* SL_BUS_VFIO_H */
