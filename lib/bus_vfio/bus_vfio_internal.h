/* bus_vfio_internal.h: internal to lib/bus_vfio. The device and bus state
 * the files of the library share, the access ops table that hides how a
 * device is opened (iommufd cdev or type1/no-IOMMU group), and the calls
 * one file makes into another. Nothing here is for drivers. */
#ifndef SL_BUS_VFIO_INTERNAL_H
#define SL_BUS_VFIO_INTERNAL_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>

#include "sl_kernel_uapi.h"

#include "hot_reset.h"
#include "sl_bus_vfio.h"

/* Paths and names are built with snprintf into fixed buffers; one that
 * does not fit is cut short and then simply not found, which is the right
 * outcome, so GCC's truncation guesses are not errors here. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

#define LOG_COMP "bus_vfio"
#define NB_BARS 6

/* How a device is opened and let go: the only place the backends differ
 * (vfio_cdev.c: iommufd; vfio_group.c: type1 and no-IOMMU). */
struct bv_access_ops {
	const char *name;  /* "iommufd cdev", "VFIO group" */
	const char *holds; /* what release gives up, for the log */
	bool cdev;         /* hot reset: ownership is proven by our iommufd, no group fds */
	/* Get a device fd into dev->fd and its DMA address space into dev->as.
	 * 0, or -1 with errno, logged, and nothing held. */
	int (*open)(struct sl_pci_device *dev);
	/* Undo open: detach, drop the address space or group, close the
	 * device fd. Safe on a half-opened device (fd -1, no as). */
	void (*release)(struct sl_pci_device *dev);
};
extern const struct bv_access_ops bv_cdev_ops;
extern const struct bv_access_ops bv_group_ops;
extern const struct bv_access_ops bv_noiommu_cdev_ops;

struct vfio_group;

struct bar_map {
	void *addr;        /* start of the BAR's VA window */
	size_t len;
	bool reserved;     /* sparse: a PROT_NONE reservation with areas mapped inside */
	bool placeholder;  /* the device was released: anonymous memory stands in */
};

struct sl_pci_device {
	struct sl_pci_device *next;
	struct sl_pci_addr addr;
	char name[SL_PCI_ADDR_STRLEN];
	uint16_t vendor_id, device_id, subsystem_vendor_id, subsystem_device_id;
	uint32_t class_id;
	int numa_node;
	char driver[32];
	int iommu_group;
	bool noiommu_group;
	int cdev_index;            /* N of vfio-dev/vfioN, -1 when none */
	int noiommu_cdev_index;    /* N of vfio-dev/noiommu-vfioN, -1 when none */
	char nodes[160];           /* the VFIO nodes it has, for the log */
	char args[SL_DEVARG_ARGS_LEN];
	bool named;                /* given with -a */
	enum sl_dma_backend backend;
	const struct bv_access_ops *ops; /* from the backend, set at scan */
	char reason[160];
	/* while open */
	bool open;
	int fd;
	struct vfio_group *group;
	struct sl_dma_as *as;
	struct vfio_device_info info;
	struct sl_pci_region regions[VFIO_PCI_NUM_REGIONS];
	struct bar_map bars[NB_BARS];
	int irq_type;              /* -1 when none enabled */
	int *irq_fds;
	unsigned nb_irq_fds;
	void *driver_data;
	const struct sl_pci_driver *drv; /* the driver that probed it (bv_bus.lock), NULL when none */
	enum sl_pci_reset_kind reset_kind; /* decided at open, refreshed at each reset */
	char reset_why[512];
	/* removal: the kernel's request to give the device back
	 * (VFIO_PCI_REQ_IRQ_INDEX) signals req_fd; the removal thread then
	 * releases every fd and mapping of the device (released), while the
	 * struct stays open for the driver's own close */
	int req_fd;                /* -1 when none */
	bool released;
	unsigned req_count;        /* requests seen */
};

struct bv_bus {
	struct sl_pci_device *devs;
	unsigned nb_devs;
	char sysfs_root[PATH_MAX];
	char dev_root[PATH_MAX];
	bool no_autoprobe;
	/* removal thread: waits on the devices' request eventfds */
	pthread_mutex_t lock;      /* open/close/release of a device vs the thread */
	pthread_t rm_thread;
	bool rm_running;
	int rm_epfd, rm_stopfd;
	unsigned nb_watched;       /* devices whose request eventfd is in rm_epfd */
};
extern struct bv_bus bv_bus;

/* scan.c: sysfs helpers */
int bv_read_line(const char *path, char *buf, size_t len);
bool bv_path_exists(const char *path);
/* scan.c: close every device and forget the list */
void bv_free_list(void);
/* backend.c: choose DEV's backend (dev->backend, ->ops, ->reason, ->nodes).
 * 0, or -1 with the refusal in MSG. */
int bv_choose_backend(struct sl_pci_device *dev, const struct sl_bus_vfio_conf *conf, char *msg,
		      size_t len);

/* device.c */
int bv_need_open(const struct sl_pci_device *dev);

/* vfio_group.c: the groups held now (for a hot reset), into OUT (room for
 * MAX); returns how many there are. */
unsigned bv_groups_held(struct sl_hr_group *out, unsigned max);

/* reset.c: reset DEV the best way it allows, logging which and why. WHEN:
 * "at open" or "at close" (a failure is a warning), or NULL (an error). */
int bv_dev_reset(struct sl_pci_device *dev, const char *when);

/* irq.c */
int bv_set_irqs(struct sl_pci_device *dev, uint32_t index, uint32_t flags, unsigned count,
		const int *fds);

/* regions.c */
void bv_read_regions(struct sl_pci_device *dev);
void bv_bars_unmap(struct sl_pci_device *dev);

/* removal.c */
void bv_req_setup(struct sl_pci_device *dev);
void bv_req_teardown(struct sl_pci_device *dev); /* bv_bus.lock held */
void bv_removal_stop(void);

#endif
