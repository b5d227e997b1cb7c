/* bus_vfio.c: PCI scan over sysfs, per-device VFIO backend choice, device
 * open/close through iommufd cdevs or type1/no-IOMMU groups, and the one
 * device API (regions, BAR mmap, config space, reset, IRQ eventfds) the
 * drivers use whatever the backend. Registered as EAL init hooks. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sl_kernel_uapi.h"

#include "hot_reset.h"

#include "sl_bus_vfio.h"
#include "sl_vfio_explain.h"
#include "sl_ethdev.h"
#include "ethdev_driver.h"

/* Paths and names are built with snprintf into fixed buffers; one that
 * does not fit is cut short and then simply not found, which is the right
 * outcome, so GCC's truncation guesses are not errors here. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

#define LOG_COMP "bus_vfio"
#define NB_BARS 6

struct vfio_group {
	struct vfio_group *next;
	int id;
	enum sl_dma_backend be;
	int fd;
	unsigned users;
	struct sl_dma_as *as;
};

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
	char args[SL_DEVARG_ARGS_LEN];
	enum sl_dma_backend backend;
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
	bool probed;
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

static struct {
	struct sl_pci_device *devs;
	unsigned nb_devs;
	struct vfio_group *groups;
	char sysfs_root[PATH_MAX];
	char dev_root[PATH_MAX];
	bool no_autoprobe;
	/* removal thread: waits on the devices' request eventfds */
	pthread_mutex_t lock;      /* open/close/release of a device vs the thread */
	pthread_t rm_thread;
	bool rm_running;
	int rm_epfd, rm_stopfd;
	unsigned nb_watched;       /* devices whose request eventfd is in rm_epfd */
} bus = { .lock = PTHREAD_MUTEX_INITIALIZER, .rm_epfd = -1, .rm_stopfd = -1 };

static void rm_thread_stop(void);

/* ---- PCI addresses ------------------------------------------------------ */

static int parse_hex(const char **p, unsigned min_digits, unsigned max_digits, uint32_t *out)
{
	unsigned n = 0;
	uint32_t v = 0;

	while (isxdigit((unsigned char)**p) && n < max_digits) {
		char c = (char)tolower((unsigned char)**p);
		v = v * 16 + (uint32_t)(c <= '9' ? c - '0' : c - 'a' + 10);
		(*p)++;
		n++;
	}
	if (n < min_digits || isxdigit((unsigned char)**p))
		return -1;
	*out = v;
	return 0;
}

int sl_pci_addr_parse(const char *str, struct sl_pci_addr *out)
{
	const char *p = str;
	uint32_t a, b, d, f, dom = 0;
	const char *colon2;

	if (!str || !out)
		goto bad;
	/* Long form has two colons before the dot. */
	colon2 = strchr(str, ':');
	if (colon2 && strchr(colon2 + 1, ':')) {
		if (parse_hex(&p, 1, 8, &dom) || *p++ != ':')
			goto bad;
	}
	if (parse_hex(&p, 1, 2, &a) || *p++ != ':')
		goto bad;
	if (parse_hex(&p, 1, 2, &b) || *p++ != '.')
		goto bad;
	if (!isdigit((unsigned char)*p))
		goto bad;
	f = (uint32_t)(*p++ - '0');
	if (*p != '\0' || b > 0x1f || f > 7)
		goto bad;
	d = b;
	out->domain = dom;
	out->bus = (uint8_t)a;
	out->devid = (uint8_t)d;
	out->function = (uint8_t)f;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

void sl_pci_addr_format(const struct sl_pci_addr *addr, char *buf, size_t len)
{
	snprintf(buf, len, "%04" PRIx32 ":%02x:%02x.%x", addr->domain, addr->bus, addr->devid,
		 addr->function);
}

int sl_pci_addr_cmp(const struct sl_pci_addr *a, const struct sl_pci_addr *b)
{
	uint64_t x = ((uint64_t)a->domain << 24) | ((uint32_t)a->bus << 16) | ((uint32_t)a->devid << 8) |
		     a->function;
	uint64_t y = ((uint64_t)b->domain << 24) | ((uint32_t)b->bus << 16) | ((uint32_t)b->devid << 8) |
		     b->function;
	return x < y ? -1 : x > y;
}

/* ---- sysfs helpers ------------------------------------------------------ */

static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return -1;
	if (!fgets(buf, (int)len, f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

static long read_num(const char *dir, const char *file, long dflt)
{
	char path[PATH_MAX], buf[64], *end;
	long v;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (read_line(path, buf, sizeof(buf)) != 0)
		return dflt;
	v = strtol(buf, &end, 0);
	return end == buf ? dflt : v;
}

/* Basename of the symlink DIR/LINK into OUT; "" when absent. */
static void link_base(const char *dir, const char *link, char *out, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;
	const char *base;

	out[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s", dir, link);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	base = strrchr(target, '/');
	snprintf(out, len, "%s", base ? base + 1 : target);
}

static bool path_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

static void dev_path(char *buf, size_t len, const char *fmt_tail)
{
	snprintf(buf, len, "%s%s", bus.dev_root, fmt_tail);
}

/* ---- scan --------------------------------------------------------------- */

static struct sl_pci_device *dev_read(const char *bdf)
{
	struct sl_pci_device *dev;
	char dir[PATH_MAX], grp[32], sub[PATH_MAX];
	DIR *d;
	struct dirent *de;

	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return NULL;
	if (sl_pci_addr_parse(bdf, &dev->addr) != 0) {
		free(dev);
		return NULL;
	}
	sl_pci_addr_format(&dev->addr, dev->name, sizeof(dev->name));
	snprintf(dir, sizeof(dir), "%s/bus/pci/devices/%s", bus.sysfs_root, dev->name);
	dev->vendor_id = (uint16_t)read_num(dir, "vendor", 0);
	dev->device_id = (uint16_t)read_num(dir, "device", 0);
	dev->subsystem_vendor_id = (uint16_t)read_num(dir, "subsystem_vendor", 0);
	dev->subsystem_device_id = (uint16_t)read_num(dir, "subsystem_device", 0);
	dev->class_id = (uint32_t)read_num(dir, "class", 0) & 0xffffff;
	dev->numa_node = (int)read_num(dir, "numa_node", -1);
	link_base(dir, "driver", dev->driver, sizeof(dev->driver));
	link_base(dir, "iommu_group", grp, sizeof(grp));
	dev->iommu_group = grp[0] ? atoi(grp) : -1;
	dev->cdev_index = -1;
	snprintf(sub, sizeof(sub), "%s/vfio-dev", dir);
	d = opendir(sub);
	if (d) {
		while ((de = readdir(d)) != NULL) {
			if (strncmp(de->d_name, "vfio", 4) == 0 && isdigit((unsigned char)de->d_name[4])) {
				dev->cdev_index = atoi(de->d_name + 4);
				break;
			}
		}
		closedir(d);
	}
	if (dev->iommu_group >= 0) {
		char node[PATH_MAX], name[64];
		snprintf(node, sizeof(node), "/dev/vfio/noiommu-%d", dev->iommu_group);
		snprintf(sub, sizeof(sub), "%s%s", bus.dev_root, node);
		if (path_exists(sub))
			dev->noiommu_group = true;
		snprintf(sub, sizeof(sub), "%s/kernel/iommu_groups/%d/name", bus.sysfs_root,
			 dev->iommu_group);
		if (read_line(sub, name, sizeof(name)) == 0 && strcmp(name, "vfio-noiommu") == 0)
			dev->noiommu_group = true;
	}
	dev->irq_type = -1;
	dev->req_fd = -1;
	dev->fd = -1;
	return dev;
}

/* Drivers that do not stop VFIO from owning a group's DMA. */
static bool driver_is_harmless(const char *drv)
{
	return drv[0] == '\0' || !strcmp(drv, "vfio-pci") || !strcmp(drv, "pci-stub") ||
	       !strcmp(drv, "pcieport");
}

/* 0 when every other device of DEV's group is harmless; else -1 and MSG. */
static int group_viable(const struct sl_pci_device *dev, char *msg, size_t len)
{
	char dir[PATH_MAX], others[256] = "", first_other[64] = "";
	DIR *d;
	struct dirent *de;
	size_t used = 0;
	unsigned bad = 0;

	if (dev->iommu_group < 0)
		return 0;
	snprintf(dir, sizeof(dir), "%s/kernel/iommu_groups/%d/devices", bus.sysfs_root,
		 dev->iommu_group);
	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL) {
		char ddir[PATH_MAX], drv[64];
		if (de->d_name[0] == '.' || !strcmp(de->d_name, dev->name))
			continue;
		snprintf(ddir, sizeof(ddir), "%s/%s", dir, de->d_name);
		link_base(ddir, "driver", drv, sizeof(drv));
		if (driver_is_harmless(drv))
			continue;
		if (!bad)
			snprintf(first_other, sizeof(first_other), "%s", de->d_name);
		bad++;
		if (used < sizeof(others)) {
			int w = snprintf(others + used, sizeof(others) - used, "%s%s (bound to %s)",
					 used ? ", " : "", de->d_name, drv);
			if (w > 0)
				used += (size_t)w;
		}
	}
	closedir(d);
	if (!bad)
		return 0;
	snprintf(msg, len,
		 "%s: IOMMU group %d is not viable: it also holds %s, which a kernel driver "
		 "still uses, so VFIO cannot isolate the group; bind %s to vfio-pci too "
		 "(usertools/bind.py --bind vfio-pci %s) or unbind it",
		 dev->name, dev->iommu_group, others, bad > 1 ? "them" : "it", first_other);
	return -1;
}

/* Choose the backend of DEV. 0, or -1 with MSG (the refusal). */
static int choose_backend(struct sl_pci_device *dev, const struct sl_bus_vfio_conf *conf,
			  char *msg, size_t len)
{
	char forced[32] = "", iommu_path[PATH_MAX], group_path[PATH_MAX], cdev_path[PATH_MAX];
	const char *source = NULL;
	bool have_iommu, have_cdev, have_group, have_noiommu;
	enum sl_dma_backend be;

	if (sl_devarg_get(dev->args, "iommu", forced, sizeof(forced)) == 0) {
		source = "-a ...,iommu=";
	} else if (conf->vfio_backend && conf->vfio_backend[0] &&
		   strcmp(conf->vfio_backend, "auto") != 0) {
		snprintf(forced, sizeof(forced), "%s", conf->vfio_backend);
		source = "--vfio-backend ";
	}
	dev_path(iommu_path, sizeof(iommu_path), "/dev/iommu");
	snprintf(cdev_path, sizeof(cdev_path), "%s/dev/vfio/devices/vfio%d", bus.dev_root,
		 dev->cdev_index);
	snprintf(group_path, sizeof(group_path), "%s/dev/vfio/%s%d", bus.dev_root,
		 dev->noiommu_group ? "noiommu-" : "", dev->iommu_group);
	have_iommu = path_exists(iommu_path);
	have_cdev = dev->cdev_index >= 0 && !dev->noiommu_group;
	have_group = dev->iommu_group >= 0 && !dev->noiommu_group && path_exists(group_path);
	have_noiommu = dev->iommu_group >= 0 && dev->noiommu_group && path_exists(group_path);

	if (forced[0]) {
		be = sl_dma_backend_parse(forced);
		switch (be) {
		case SL_DMA_BACKEND_IOMMUFD:
			if (!have_iommu || !have_cdev) {
				snprintf(msg, len,
					 "%s: %s%s asks for iommufd, but %s; use iommu=type1 or a "
					 "kernel with CONFIG_IOMMUFD and CONFIG_VFIO_DEVICE_CDEV",
					 dev->name, source, forced,
					 !have_iommu ? "there is no /dev/iommu" :
					 dev->noiommu_group ? "the device is in a no-IOMMU group" :
					 "the device has no vfio-dev/vfioN cdev");
				return -1;
			}
			snprintf(dev->reason, sizeof(dev->reason), "forced by %s%s", source, forced);
			break;
		case SL_DMA_BACKEND_TYPE1:
			if (!have_group) {
				snprintf(msg, len,
					 "%s: %s%s asks for type1, but %s", dev->name, source, forced,
					 dev->noiommu_group ? "the device is in a no-IOMMU group (no "
					 "IOMMU translates its DMA)" : "its VFIO group node is missing");
				return -1;
			}
			snprintf(dev->reason, sizeof(dev->reason), "forced by %s%s", source, forced);
			break;
		case SL_DMA_BACKEND_NOIOMMU:
			if (!have_noiommu) {
				snprintf(msg, len,
					 "%s: %s%s asks for no-IOMMU, but the device is not in a "
					 "no-IOMMU group (/dev/vfio/noiommu-N); that needs vfio's "
					 "enable_unsafe_noiommu_mode=1 and no IOMMU for the device",
					 dev->name, source, forced);
				return -1;
			}
			if (!conf->allow_noiommu) {
				snprintf(msg, len,
					 "%s: no-IOMMU gives the device unchecked DMA to all memory; "
					 "opt in with --allow-noiommu", dev->name);
				return -1;
			}
			snprintf(dev->reason, sizeof(dev->reason), "forced by %s%s, --allow-noiommu given",
				 source, forced);
			break;
		default:
			snprintf(msg, len, "%s: unknown VFIO backend '%s' in %s (use iommufd, type1, "
				 "noiommu or auto)", dev->name, forced, source);
			return -1;
		}
		dev->backend = be;
		return 0;
	}

	if (have_iommu && have_cdev) {
		dev->backend = SL_DMA_BACKEND_IOMMUFD;
		snprintf(dev->reason, sizeof(dev->reason), "/dev/iommu and vfio-dev/vfio%d present",
			 dev->cdev_index);
		return 0;
	}
	if (have_group) {
		dev->backend = SL_DMA_BACKEND_TYPE1;
		snprintf(dev->reason, sizeof(dev->reason), "%s, group /dev/vfio/%d present",
			 !have_iommu ? "no /dev/iommu" : "no vfio-dev cdev for the device",
			 dev->iommu_group);
		return 0;
	}
	if (have_noiommu) {
		if (!conf->allow_noiommu) {
			snprintf(msg, len,
				 "%s: only no-IOMMU is available (group /dev/vfio/noiommu-%d): the "
				 "device could DMA anywhere in memory. Opt in with --allow-noiommu "
				 "(and --iova-mode pa with hugepages), or enable an IOMMU "
				 "(intel_iommu=on / amd_iommu=on)", dev->name, dev->iommu_group);
			return -1;
		}
		dev->backend = SL_DMA_BACKEND_NOIOMMU;
		snprintf(dev->reason, sizeof(dev->reason),
			 "no IOMMU, group /dev/vfio/noiommu-%d, --allow-noiommu given", dev->iommu_group);
		return 0;
	}
	snprintf(msg, len,
		 "%s: no VFIO access path: %s; is vfio-pci bound and the IOMMU enabled "
		 "(intel_iommu=on), or vfio's enable_unsafe_noiommu_mode=1 set?",
		 dev->name, dev->iommu_group < 0 ? "the device has no IOMMU group" :
		 "no /dev/vfio group node and no device cdev");
	return -1;
}

static void free_list(void)
{
	while (bus.devs) {
		struct sl_pci_device *d = bus.devs;
		if (d->open)
			sl_pci_dev_close(d);
		bus.devs = d->next;
		free(d);
	}
	bus.nb_devs = 0;
}

static void list_insert_sorted(struct sl_pci_device *dev)
{
	struct sl_pci_device **pp = &bus.devs;
	while (*pp && sl_pci_addr_cmp(&(*pp)->addr, &dev->addr) < 0)
		pp = &(*pp)->next;
	dev->next = *pp;
	*pp = dev;
	bus.nb_devs++;
}

/* Look a named (-a) device up and keep it, or explain why not. */
static int scan_named(const struct sl_devarg *da, const struct sl_bus_vfio_conf *conf)
{
	struct sl_pci_addr addr;
	struct sl_pci_device *dev, *it;
	char name[SL_PCI_ADDR_STRLEN], dir[PATH_MAX], msg[640];

	if (sl_pci_addr_parse(da->name, &addr) != 0) {
		sl_log(SL_LOG_ERR, LOG_COMP,
		       "-a '%s': not a PCI address; expected DDDD:BB:DD.F (e.g. 0000:01:00.0) or "
		       "BB:DD.F, hexadecimal, device <= 1f, function <= 7", da->name);
		errno = EINVAL;
		return -1;
	}
	sl_pci_addr_format(&addr, name, sizeof(name));
	for (it = bus.devs; it; it = it->next) {
		if (sl_pci_addr_cmp(&it->addr, &addr) == 0) {
			sl_log(SL_LOG_ERR, LOG_COMP, "-a %s given twice", name);
			errno = EINVAL;
			return -1;
		}
	}
	snprintf(dir, sizeof(dir), "%s/bus/pci/devices/%s", bus.sysfs_root, name);
	if (!path_exists(dir)) {
		sl_log(SL_LOG_ERR, LOG_COMP,
		       "-a %s: no such PCI device (nothing at %s); `usertools/bind.py --status` "
		       "lists the network devices and their addresses", da->name, dir);
		errno = ENODEV;
		return -1;
	}
	dev = dev_read(name);
	if (!dev)
		return -1;
	snprintf(dev->args, sizeof(dev->args), "%s", da->args);
	if (strcmp(dev->driver, "vfio-pci") != 0) {
		if (dev->driver[0])
			sl_log(SL_LOG_ERR, LOG_COMP,
			       "-a %s: the device is bound to the kernel driver %s, not vfio-pci; "
			       "hand it over with: usertools/bind.py --bind vfio-pci %s",
			       name, dev->driver, name);
		else
			sl_log(SL_LOG_ERR, LOG_COMP,
			       "-a %s: the device is bound to no driver, not vfio-pci; bind it with: "
			       "usertools/bind.py --bind vfio-pci %s", name, name);
		free(dev);
		errno = ENODEV;
		return -1;
	}
	if (choose_backend(dev, conf, msg, sizeof(msg)) != 0 ||
	    (dev->backend != SL_DMA_BACKEND_NOIOMMU && group_viable(dev, msg, sizeof(msg)) != 0)) {
		sl_log(SL_LOG_ERR, LOG_COMP, "%s", msg);
		free(dev);
		errno = EPERM;
		return -1;
	}
	list_insert_sorted(dev);
	return 0;
}

int sl_bus_vfio_scan(const struct sl_bus_vfio_conf *conf)
{
	struct sl_bus_vfio_conf dflt = { 0 };
	struct sl_pci_device *dev;
	char dir[PATH_MAX], msg[640];
	unsigned i;

	if (!conf)
		conf = &dflt;
	rm_thread_stop();
	free_list();
	snprintf(bus.sysfs_root, sizeof(bus.sysfs_root), "%s",
		 conf->sysfs_root && conf->sysfs_root[0] ? conf->sysfs_root : "/sys");
	snprintf(bus.dev_root, sizeof(bus.dev_root), "%s", conf->dev_root ? conf->dev_root : "");

	if (conf->vfio_backend && conf->vfio_backend[0] && strcmp(conf->vfio_backend, "auto") &&
	    sl_dma_backend_parse(conf->vfio_backend) == SL_DMA_BACKEND_NONE) {
		sl_log(SL_LOG_ERR, LOG_COMP, "--vfio-backend %s: unknown (use auto, iommufd, type1 or "
		       "noiommu)", conf->vfio_backend);
		errno = EINVAL;
		return -1;
	}

	if (conf->nb_allow > 0) {
		for (i = 0; i < conf->nb_allow; i++) {
			if (scan_named(&conf->allow[i], conf) != 0) {
				int saved = errno;
				free_list();
				errno = saved;
				return -1;
			}
		}
	} else {
		DIR *d;
		struct dirent *de;

		snprintf(dir, sizeof(dir), "%s/bus/pci/devices", bus.sysfs_root);
		d = opendir(dir);
		if (!d) {
			/* No PCI bus at all (containers): nothing to find, not an error. */
			sl_log(SL_LOG_DEBUG, LOG_COMP, "no %s: no PCI devices", dir);
			return 0;
		}
		while ((de = readdir(d)) != NULL) {
			struct sl_pci_addr addr;
			char drv[64], ddir[PATH_MAX];
			if (de->d_name[0] == '.' || sl_pci_addr_parse(de->d_name, &addr) != 0)
				continue;
			snprintf(ddir, sizeof(ddir), "%s/%s", dir, de->d_name);
			link_base(ddir, "driver", drv, sizeof(drv));
			if (strcmp(drv, "vfio-pci") != 0)
				continue;
			dev = dev_read(de->d_name);
			if (!dev)
				continue;
			if (choose_backend(dev, conf, msg, sizeof(msg)) != 0 ||
			    (dev->backend != SL_DMA_BACKEND_NOIOMMU &&
			     group_viable(dev, msg, sizeof(msg)) != 0)) {
				sl_log(SL_LOG_WARNING, LOG_COMP, "skipping %s", msg);
				free(dev);
				continue;
			}
			list_insert_sorted(dev);
		}
		closedir(d);
	}
	for (dev = bus.devs; dev; dev = dev->next)
		sl_log(SL_LOG_NOTICE, LOG_COMP, "%s [%04x:%04x] group %d: backend %s (%s)", dev->name,
		       dev->vendor_id, dev->device_id, dev->iommu_group,
		       sl_dma_backend_name(dev->backend), dev->reason);
	return 0;
}

void sl_bus_vfio_cleanup(void)
{
	rm_thread_stop();
	free_list();
}

void sl_bus_vfio_set_autoprobe(bool on)
{
	bus.no_autoprobe = !on;
}

unsigned sl_pci_device_count(void)
{
	return bus.nb_devs;
}

struct sl_pci_device *sl_pci_device_get(unsigned index)
{
	struct sl_pci_device *d = bus.devs;
	while (d && index--)
		d = d->next;
	return d;
}

struct sl_pci_device *sl_pci_device_find(const char *bdf)
{
	struct sl_pci_addr a;
	struct sl_pci_device *d;

	if (sl_pci_addr_parse(bdf, &a) != 0)
		return NULL;
	for (d = bus.devs; d; d = d->next)
		if (sl_pci_addr_cmp(&d->addr, &a) == 0)
			return d;
	return NULL;
}

const char *sl_pci_device_name(const struct sl_pci_device *dev)
{
	return dev ? dev->name : "(none)";
}

int sl_pci_device_info(const struct sl_pci_device *dev, struct sl_pci_device_info *info)
{
	if (!dev || !info) {
		errno = EINVAL;
		return -1;
	}
	memset(info, 0, sizeof(*info));
	info->addr = dev->addr;
	memcpy(info->name, dev->name, sizeof(info->name));
	info->vendor_id = dev->vendor_id;
	info->device_id = dev->device_id;
	info->subsystem_vendor_id = dev->subsystem_vendor_id;
	info->subsystem_device_id = dev->subsystem_device_id;
	info->class_id = dev->class_id;
	info->numa_node = dev->numa_node;
	snprintf(info->driver, sizeof(info->driver), "%s", dev->driver);
	info->iommu_group = dev->iommu_group;
	info->backend = dev->backend;
	snprintf(info->backend_reason, sizeof(info->backend_reason), "%s", dev->reason);
	info->args = dev->args;
	info->is_open = dev->open;
	info->num_regions = dev->open ? dev->info.num_regions : 0;
	info->num_irqs = dev->open ? dev->info.num_irqs : 0;
	info->reset_kind = dev->open ? dev->reset_kind : SL_PCI_RESET_NONE;
	info->has_reset = info->reset_kind != SL_PCI_RESET_NONE;
	snprintf(info->reset_reason, sizeof(info->reset_reason), "%s",
		 dev->open ? dev->reset_why : "not open");
	return 0;
}

/* ---- groups (type1 / no-IOMMU) ----------------------------------------- */

static struct vfio_group *group_get(struct sl_pci_device *dev)
{
	struct vfio_group *g;
	char path[PATH_MAX];
	int saved;

	for (g = bus.groups; g; g = g->next) {
		if (g->id == dev->iommu_group && g->be == dev->backend) {
			g->users++;
			return g;
		}
	}
	g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->id = dev->iommu_group;
	g->be = dev->backend;
	snprintf(path, sizeof(path), "%s/dev/vfio/%s%d", bus.dev_root,
		 dev->backend == SL_DMA_BACKEND_NOIOMMU ? "noiommu-" : "", dev->iommu_group);
	g->fd = open(path, O_RDWR | O_CLOEXEC);
	if (g->fd < 0) {
		struct sl_vfio_msi_params prm = { .noiommu = dev->backend == SL_DMA_BACKEND_NOIOMMU };
		char why[512];
		saved = errno;
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: cannot open %s: %s%s", dev->name, path,
		       strerror(saved), sl_vfio_explain(SL_VFIO_OP_OPEN_GROUP, saved, &prm, why, sizeof(why)));
		free(g);
		errno = saved;
		return NULL;
	}
	g->as = sl_dma_as_for_device(dev->backend, NULL);
	if (!g->as)
		goto fail_close;
	{
		char who[64];
		snprintf(who, sizeof(who), "%s (group %d)", dev->name, g->id);
		if (sl_dma_as_attach(g->as, g->fd, who) != 0)
			goto fail_put;
	}
	g->users = 1;
	g->next = bus.groups;
	bus.groups = g;
	return g;
fail_put:
	saved = errno;
	sl_dma_as_put(g->as);
	errno = saved;
fail_close:
	saved = errno;
	close(g->fd);
	free(g);
	errno = saved;
	return NULL;
}

static void group_put(struct vfio_group *g)
{
	struct vfio_group **pp;

	if (!g || --g->users > 0)
		return;
	sl_dma_as_detach(g->as, g->fd);
	sl_dma_as_put(g->as);
	close(g->fd);
	for (pp = &bus.groups; *pp; pp = &(*pp)->next) {
		if (*pp == g) {
			*pp = g->next;
			break;
		}
	}
	free(g);
}

/* ---- open / close ------------------------------------------------------- */

static int read_regions(struct sl_pci_device *dev)
{
	unsigned i;

	for (i = 0; i < VFIO_PCI_NUM_REGIONS && i < dev->info.num_regions; i++) {
		struct vfio_region_info ri = { .argsz = sizeof(ri), .index = i };
		if (ioctl(dev->fd, VFIO_DEVICE_GET_REGION_INFO, &ri) != 0) {
			/* VGA and others may be absent: an empty region. */
			memset(&dev->regions[i], 0, sizeof(dev->regions[i]));
			dev->regions[i].index = i;
			continue;
		}
		dev->regions[i].index = i;
		dev->regions[i].flags = ri.flags;
		dev->regions[i].size = ri.size;
		dev->regions[i].offset = ri.offset;
		dev->regions[i].mappable = (ri.flags & VFIO_REGION_INFO_FLAG_MMAP) != 0;
	}
	return 0;
}

/* ---- reset -------------------------------------------------------------- */

const char *sl_pci_reset_kind_name(enum sl_pci_reset_kind kind)
{
	switch (kind) {
	case SL_PCI_RESET_FUNCTION:
		return "function-level";
	case SL_PCI_RESET_HOT:
		return "hot";
	default:
		return "none";
	}
}

/* "reset_method \"flr bus\"" or "reset_method empty", from sysfs: what the
 * kernel would use for a function-level reset (informative only: vfio-pci
 * decides VFIO_DEVICE_FLAGS_RESET when the device is first opened). */
static void reset_methods_text(const struct sl_pci_device *dev, char *buf, size_t len)
{
	char path[PATH_MAX], methods[96];

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/reset_method", bus.sysfs_root, dev->name);
	if (read_line(path, methods, sizeof(methods)) == 0 && methods[0])
		snprintf(buf, len, "reset_method \"%s\"", methods);
	else
		snprintf(buf, len, "reset_method %s", path_exists(path) ? "empty" : "absent");
}

/* VFIO_DEVICE_GET_PCI_HOT_RESET_INFO with a buffer grown until the reply
 * fits. The caller frees it. NULL with errno (ENODEV: no slot or bus reset
 * can reach the device). */
static struct vfio_pci_hot_reset_info *hot_reset_info(struct sl_pci_device *dev)
{
	uint32_t room = 8;
	unsigned tries;
	int saved = EAGAIN;

	for (tries = 0; tries < 4; tries++) {
		size_t sz = sizeof(struct vfio_pci_hot_reset_info) +
			    room * sizeof(struct vfio_pci_dependent_device);
		struct vfio_pci_hot_reset_info *hi = calloc(1, sz);

		if (!hi)
			return NULL;
		hi->argsz = (uint32_t)sz;
		if (ioctl(dev->fd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, hi) == 0)
			return hi;
		saved = errno;
		/* ENOSPC: count says how many; EAGAIN: the bus changed meanwhile */
		if (saved == ENOSPC)
			room = hi->count > room ? hi->count : room * 2;
		free(hi);
		if (saved != ENOSPC && saved != EAGAIN)
			break;
	}
	errno = saved;
	return NULL;
}

/* Whether this process may hot-reset DEV now. 0: *FDS (malloc'd, for the
 * caller to free; NULL for a cdev) holds the *NB_FDS group fds to pass and
 * MSG names the bus and the affected functions. -1 with errno (ENOTSUP: no
 * hot reset reaches the device; EPERM: it would reset functions we do not
 * own or have open) and MSG saying why not. */
static int hot_reset_plan(struct sl_pci_device *dev, int32_t **fds, unsigned *nb_fds, char *msg,
			  size_t len)
{
	struct vfio_pci_hot_reset_info *hi;
	struct sl_hr_affected *aff = NULL;
	struct sl_hr_group *held = NULL;
	struct sl_pci_addr *open_here = NULL;
	struct sl_hr_input in = { .self = dev->addr };
	struct vfio_group *g;
	struct sl_pci_device *d;
	unsigned nb_groups = 0, nb_open = 0, i;
	int rc = -1, saved;

	*fds = NULL;
	*nb_fds = 0;
	hi = hot_reset_info(dev);
	if (!hi) {
		saved = errno;
		if (saved == ENODEV)
			snprintf(msg, len, "no hot reset either: the kernel can reset neither its slot nor "
				 "its bus (a device on a root bus, or a bridge or device marked as not "
				 "resettable)");
		else
			snprintf(msg, len, "no hot reset either: VFIO_DEVICE_GET_PCI_HOT_RESET_INFO: %s",
				 strerror(saved));
		errno = saved == ENODEV ? ENOTSUP : saved;
		return -1;
	}
	for (g = bus.groups; g; g = g->next)
		nb_groups++;
	for (d = bus.devs; d; d = d->next)
		if (d->open && d != dev)
			nb_open++;
	aff = calloc(hi->count ? hi->count : 1, sizeof(*aff));
	held = calloc(nb_groups ? nb_groups : 1, sizeof(*held));
	open_here = calloc(nb_open ? nb_open : 1, sizeof(*open_here));
	*fds = calloc(hi->count ? hi->count : 1, sizeof(**fds));
	if (!aff || !held || !open_here || !*fds) {
		snprintf(msg, len, "no memory to plan a hot reset");
		errno = ENOMEM;
		goto out;
	}
	for (i = 0; i < hi->count; i++) {
		aff[i].addr.domain = hi->devices[i].segment;
		aff[i].addr.bus = hi->devices[i].bus;
		aff[i].addr.devid = (uint8_t)(hi->devices[i].devfn >> 3);
		aff[i].addr.function = (uint8_t)(hi->devices[i].devfn & 7);
		aff[i].id = hi->devices[i].group_id; /* devid for a cdev (same member) */
	}
	i = 0;
	for (g = bus.groups; g; g = g->next, i++) {
		held[i].id = g->id;
		held[i].fd = g->fd;
	}
	i = 0;
	for (d = bus.devs; d; d = d->next)
		if (d->open && d != dev)
			open_here[i++] = d->addr;
	in.cdev = dev->backend == SL_DMA_BACKEND_IOMMUFD;
	in.info_flags = hi->flags;
	in.affected = aff;
	in.nb_affected = hi->count;
	in.held = held;
	in.nb_held = nb_groups;
	in.open = open_here;
	in.nb_open = nb_open;
	rc = sl_hr_decide(&in, *fds, nb_fds, msg, len);
	if (rc != 0)
		errno = EPERM;
out:
	saved = errno;
	if (rc != 0) {
		free(*fds);
		*fds = NULL;
		*nb_fds = 0;
	}
	free(aff);
	free(held);
	free(open_here);
	free(hi);
	errno = saved;
	return rc;
}

/* Decide the reset DEV gets now into dev->reset_kind and dev->reset_why:
 * VFIO_DEVICE_RESET when VFIO offers it (and it has not just failed for
 * want of a method: FLR_FAILED), else a hot reset this process may issue
 * (*FDS, *NB_FDS as hot_reset_plan), else none (*ERR says why). */
static void reset_choose(struct sl_pci_device *dev, bool flr_failed, int32_t **fds, unsigned *nb_fds,
			 int *err)
{
	char methods[128], plan[sizeof(dev->reset_why)];

	*fds = NULL;
	*nb_fds = 0;
	*err = 0;
	reset_methods_text(dev, methods, sizeof(methods));
	if ((dev->info.flags & VFIO_DEVICE_FLAGS_RESET) && !flr_failed) {
		dev->reset_kind = SL_PCI_RESET_FUNCTION;
		snprintf(dev->reset_why, sizeof(dev->reset_why),
			 "function-level reset by VFIO_DEVICE_RESET (%s)", methods);
		return;
	}
	if (hot_reset_plan(dev, fds, nb_fds, plan, sizeof(plan)) == 0) {
		dev->reset_kind = SL_PCI_RESET_HOT;
	} else {
		*err = errno;
		dev->reset_kind = SL_PCI_RESET_NONE;
	}
	snprintf(dev->reset_why, sizeof(dev->reset_why), "no function-level reset (%s%s); %s",
		 flr_failed ? "VFIO_DEVICE_RESET found no method left, " :
		 "VFIO offers no VFIO_DEVICE_RESET, ", methods, plan);
}

static int hot_reset_do(struct sl_pci_device *dev, const int32_t *fds, unsigned nb_fds)
{
	struct vfio_pci_hot_reset *hr;
	size_t sz = sizeof(*hr) + nb_fds * sizeof(int32_t);
	int rc, saved;

	hr = calloc(1, sz);
	if (!hr)
		return -1;
	hr->argsz = (uint32_t)sz;
	hr->count = nb_fds; /* 0 for a cdev: ownership is proven by its iommufd */
	if (nb_fds)
		memcpy(hr->group_fds, fds, nb_fds * sizeof(int32_t));
	rc = ioctl(dev->fd, VFIO_DEVICE_PCI_HOT_RESET, hr);
	saved = errno;
	free(hr);
	errno = saved;
	return rc;
}

/* Reset DEV the best way it allows (reset_choose), logging which and why.
 * WHEN: "at open" or "at close" (a failure is a warning there), or NULL for
 * sl_pci_reset (a failure is an error). 0 or -1 with errno. */
static int dev_reset(struct sl_pci_device *dev, const char *when)
{
	enum sl_log_level fail_level = when ? SL_LOG_WARNING : SL_LOG_ERR;
	const char *at = when ? " " : "", *w = when ? when : "";
	bool flr_failed = false;
	int32_t *fds;
	unsigned nb_fds;
	int err, rc, saved;

again:
	reset_choose(dev, flr_failed, &fds, &nb_fds, &err);
	switch (dev->reset_kind) {
	case SL_PCI_RESET_FUNCTION:
		if (ioctl(dev->fd, VFIO_DEVICE_RESET) == 0) {
			sl_log(SL_LOG_DEBUG, LOG_COMP, "%s: reset%s%s: %s", dev->name, at, w,
			       dev->reset_why);
			return 0;
		}
		saved = errno;
		if (saved == ENOTTY) {
			/* VFIO offered it when the device was opened, but the kernel
			 * has no reset method left (reset_method emptied since). */
			sl_log(SL_LOG_NOTICE, LOG_COMP, "%s: VFIO_DEVICE_RESET%s%s: no reset method "
			       "left; trying a hot reset", dev->name, at, w);
			flr_failed = true;
			goto again;
		}
		sl_log(fail_level, LOG_COMP, "%s: VFIO_DEVICE_RESET%s%s failed: %s", dev->name, at, w,
		       strerror(saved));
		errno = saved;
		return -1;
	case SL_PCI_RESET_HOT:
		rc = hot_reset_do(dev, fds, nb_fds);
		saved = errno;
		free(fds);
		if (rc == 0) {
			/* notable: it resets everything below the bridge */
			sl_log(SL_LOG_NOTICE, LOG_COMP, "%s: reset%s%s: %s", dev->name, at, w,
			       dev->reset_why);
			return 0;
		}
		sl_log(fail_level, LOG_COMP, "%s: VFIO_DEVICE_PCI_HOT_RESET%s%s failed: %s (%s)%s",
		       dev->name, at, w, strerror(saved), dev->reset_why,
		       saved == EINVAL ? "; the kernel refuses a bus reset unless every device on "
		       "the bus is bound to vfio-pci and owned by the caller" : "");
		errno = saved;
		return -1;
	default:
		if (when)
			sl_log(SL_LOG_WARNING, LOG_COMP, "%s: no reset %s: %s", dev->name, when,
			       dev->reset_why);
		else
			sl_log(SL_LOG_ERR, LOG_COMP, "%s: cannot reset: %s", dev->name, dev->reset_why);
		errno = err ? err : ENOTSUP;
		return -1;
	}
}

/* ---- removal: the kernel asks for the device back ------------------------ */

/* When vfio-pci is unbound from a device (sysfs unbind, hot removal,
 * driver_override games), the kernel signals the user's request eventfd
 * (VFIO_PCI_REQ_IRQ_INDEX), every 10 s, and waits until every fd and mapping
 * of the device is gone. bus_vfio's removal thread waits on those eventfds;
 * on a request it tells ethdev (sl_eth_pci_removed: the port is marked
 * removed and its bursts return 0) and then releases the device: request
 * and interrupt eventfds, BAR mappings (replaced by anonymous memory at the
 * same addresses, so an lcore still inside a burst writes harmlessly
 * instead of faulting), the device fd and its iommufd/group references. The
 * struct stays open until the driver's close (sl_pci_dev_close then only
 * unmaps the stand-ins). */

static int set_irqs(struct sl_pci_device *dev, uint32_t index, uint32_t flags, unsigned count,
		    const int *fds);
static void bars_unmap(struct sl_pci_device *dev);

static void *rm_thread_main(void *arg);

/* Start the removal thread once (bus.lock held). 0 or -1. */
static int rm_thread_start(void)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	sigset_t all, old;
	int rc;

	if (bus.rm_running)
		return 0;
	bus.rm_epfd = epoll_create1(EPOLL_CLOEXEC);
	bus.rm_stopfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (bus.rm_epfd < 0 || bus.rm_stopfd < 0 ||
	    epoll_ctl(bus.rm_epfd, EPOLL_CTL_ADD, bus.rm_stopfd, &ev) != 0)
		goto fail;
	/* signals stay with the application's threads */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&bus.rm_thread, NULL, rm_thread_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		errno = rc;
		goto fail;
	}
	bus.rm_running = true;
	return 0;
fail:
	sl_log(SL_LOG_WARNING, LOG_COMP, "cannot start the device removal thread: %s; removal requests "
	       "from the kernel will not be handled", strerror(errno));
	if (bus.rm_epfd >= 0)
		close(bus.rm_epfd);
	if (bus.rm_stopfd >= 0)
		close(bus.rm_stopfd);
	bus.rm_epfd = bus.rm_stopfd = -1;
	return -1;
}

static void rm_thread_stop(void)
{
	uint64_t one = 1;

	if (!bus.rm_running)
		return;
	if (write(bus.rm_stopfd, &one, sizeof(one)) != sizeof(one))
		sl_log(SL_LOG_WARNING, LOG_COMP, "stopping the removal thread: %s", strerror(errno));
	pthread_join(bus.rm_thread, NULL);
	close(bus.rm_epfd);
	close(bus.rm_stopfd);
	bus.rm_epfd = bus.rm_stopfd = -1;
	bus.rm_running = false;
}

/* Ask VFIO to signal an eventfd when the kernel wants the device back
 * (after open; a device or kernel without the request interrupt only gets
 * a note). */
static void req_setup(struct sl_pci_device *dev)
{
	struct vfio_irq_info ii = { .argsz = sizeof(ii), .index = VFIO_PCI_REQ_IRQ_INDEX };
	struct epoll_event ev = { .events = EPOLLIN };
	int fd;

	if (dev->info.num_irqs <= VFIO_PCI_REQ_IRQ_INDEX || ioctl(dev->fd, VFIO_DEVICE_GET_IRQ_INFO, &ii) != 0 ||
	    ii.count < 1) {
		sl_log(SL_LOG_INFO, LOG_COMP, "%s: VFIO offers no request interrupt: a removal cannot be "
		       "noticed (the kernel then waits until the device is closed)", dev->name);
		return;
	}
	fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (fd < 0 || set_irqs(dev, VFIO_PCI_REQ_IRQ_INDEX, VFIO_IRQ_SET_DATA_EVENTFD |
			       VFIO_IRQ_SET_ACTION_TRIGGER, 1, &fd) != 0) {
		sl_log(SL_LOG_WARNING, LOG_COMP, "%s: cannot set up the request interrupt: %s; a removal "
		       "will not be noticed", dev->name, strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	pthread_mutex_lock(&bus.lock);
	ev.data.ptr = dev;
	if (rm_thread_start() != 0 || epoll_ctl(bus.rm_epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
		pthread_mutex_unlock(&bus.lock);
		set_irqs(dev, VFIO_PCI_REQ_IRQ_INDEX, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER, 0,
			 NULL);
		close(fd);
		return;
	}
	dev->req_fd = fd;
	bus.nb_watched++;
	pthread_mutex_unlock(&bus.lock);
}

/* bus.lock held */
static void req_teardown(struct sl_pci_device *dev)
{
	if (dev->req_fd < 0)
		return;
	if (dev->fd >= 0)
		set_irqs(dev, VFIO_PCI_REQ_IRQ_INDEX, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER, 0,
			 NULL);
	if (bus.rm_epfd >= 0)
		epoll_ctl(bus.rm_epfd, EPOLL_CTL_DEL, dev->req_fd, NULL);
	close(dev->req_fd);
	dev->req_fd = -1;
	bus.nb_watched--;
}

/* Give up the device's access: detach it from its IO address space and drop
 * that (iommufd), or drop the group reference (type1, no-IOMMU); close the
 * device fd. Safe on a half-opened device (no fd, no address space yet). */
static void access_release(struct sl_pci_device *dev)
{
	if (dev->backend == SL_DMA_BACKEND_IOMMUFD) {
		if (dev->as) {
			sl_dma_as_detach(dev->as, dev->fd); /* ENOENT when never attached: fine */
			sl_dma_as_put(dev->as);
		}
		if (dev->fd >= 0)
			close(dev->fd);
	} else {
		if (dev->fd >= 0)
			close(dev->fd);
		group_put(dev->group);
	}
	dev->fd = -1;
	dev->as = NULL;
	dev->group = NULL;
}

/* Release everything the device holds in the kernel (bus.lock held); see
 * above. No reset and no config write: the device is going away. */
static void dev_release(struct sl_pci_device *dev)
{
	unsigned i, nb_bars = 0;

	req_teardown(dev);
	sl_pci_irq_disable(dev);
	for (i = 0; i < NB_BARS; i++) {
		struct bar_map *b = &dev->bars[i];
		if (!b->addr || b->placeholder)
			continue;
		/* One step, no hole: the anonymous mapping replaces the BAR's
		 * (and drops its reference on the device file). */
		if (mmap(b->addr, b->len, PROT_READ | PROT_WRITE, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0) == MAP_FAILED) {
			sl_log(SL_LOG_ERR, LOG_COMP, "%s: cannot replace the mapping of BAR %u: %s; unmapping it",
			       dev->name, i, strerror(errno));
			munmap(b->addr, b->len);
			memset(b, 0, sizeof(*b));
			continue;
		}
		b->placeholder = true;
		nb_bars++;
	}
	access_release(dev);
	dev->released = true;
	sl_log(SL_LOG_NOTICE, LOG_COMP, "%s released (device fd, %s, %u BAR mapping%s, eventfds): the kernel "
	       "can complete its removal", dev->name,
	       dev->backend == SL_DMA_BACKEND_IOMMUFD ? "iommufd binding" : "group reference", nb_bars,
	       nb_bars == 1 ? "" : "s");
}

static void handle_request(struct sl_pci_device *dev)
{
	uint64_t cnt;
	unsigned nr;

	pthread_mutex_lock(&bus.lock);
	if (!dev->open || dev->released || dev->req_fd < 0 ||
	    read(dev->req_fd, &cnt, sizeof(cnt)) != sizeof(cnt)) {
		pthread_mutex_unlock(&bus.lock);
		return;
	}
	nr = ++dev->req_count;
	pthread_mutex_unlock(&bus.lock);
	sl_log(SL_LOG_NOTICE, LOG_COMP, "%s: the kernel asks for the device back (request %u: unbound "
	       "from vfio-pci or being removed); releasing it", dev->name, nr);
	/* First the port (its bursts stop touching the device), then the device. */
	sl_eth_pci_removed(dev);
	pthread_mutex_lock(&bus.lock);
	if (dev->open && !dev->released)
		dev_release(dev);
	pthread_mutex_unlock(&bus.lock);
}

static void *rm_thread_main(void *arg)
{
	(void)arg;
	for (;;) {
		struct epoll_event ev[8];
		int n = epoll_wait(bus.rm_epfd, ev, 8, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			sl_log(SL_LOG_ERR, LOG_COMP, "removal thread: epoll_wait: %s", strerror(errno));
			return NULL;
		}
		for (int i = 0; i < n; i++) {
			if (ev[i].data.ptr == NULL)
				return NULL;
			handle_request(ev[i].data.ptr);
		}
	}
}

bool sl_pci_dev_is_released(const struct sl_pci_device *dev)
{
	return dev && __atomic_load_n(&dev->released, __ATOMIC_ACQUIRE);
}

int sl_pci_dev_open(struct sl_pci_device *dev)
{
	char path[PATH_MAX];
	int saved, rc;

	if (!dev) {
		errno = EINVAL;
		return -1;
	}
	if (dev->open) {
		errno = EBUSY;
		return -1;
	}
	dev->fd = -1;
	if (dev->backend == SL_DMA_BACKEND_IOMMUFD) {
		snprintf(path, sizeof(path), "%s/dev/vfio/devices/vfio%d", bus.dev_root, dev->cdev_index);
		dev->fd = open(path, O_RDWR | O_CLOEXEC);
		if (dev->fd < 0) {
			struct sl_vfio_msi_params prm = { 0 };
			char why[512];
			saved = errno;
			sl_log(SL_LOG_ERR, LOG_COMP, "%s: cannot open %s: %s%s", dev->name, path,
			       strerror(saved), sl_vfio_explain(SL_VFIO_OP_OPEN_CDEV, saved, &prm, why,
								sizeof(why)));
			errno = saved;
			return -1;
		}
		dev->as = sl_dma_as_for_device(SL_DMA_BACKEND_IOMMUFD, dev->name);
		if (!dev->as)
			goto fail;
		if (sl_dma_as_attach(dev->as, dev->fd, dev->name) != 0) {
			/* AUTO: the shared IOAS does not suit this device (see
			 * sl_dma_attach_error_is_misfit). Give it an IOAS of its own,
			 * filled by IOMMU_IOAS_COPY: still pinned once. The failed
			 * attempt bound the cdev, so open it afresh. */
			saved = errno;
			if (sl_dma_get_iommufd_mode() != SL_DMA_IOMMUFD_AUTO ||
			    !sl_dma_as_is_shared(dev->as) || !sl_dma_attach_error_is_misfit(saved))
				goto fail;
			sl_log(SL_LOG_NOTICE, LOG_COMP, "%s: cannot join the shared IOAS (%s); using an "
			       "IOAS of its own filled by IOMMU_IOAS_COPY", dev->name, strerror(saved));
			sl_dma_as_put(dev->as);
			close(dev->fd);
			dev->as = NULL;
			dev->fd = open(path, O_RDWR | O_CLOEXEC);
			if (dev->fd < 0)
				goto fail;
			dev->as = sl_dma_as_create(SL_DMA_BACKEND_IOMMUFD, dev->name);
			if (!dev->as || sl_dma_as_attach(dev->as, dev->fd, dev->name) != 0)
				goto fail;
		}
	} else if (dev->backend == SL_DMA_BACKEND_TYPE1 || dev->backend == SL_DMA_BACKEND_NOIOMMU) {
		dev->group = group_get(dev);
		if (!dev->group)
			goto fail;
		dev->as = dev->group->as;
		dev->fd = ioctl(dev->group->fd, VFIO_GROUP_GET_DEVICE_FD, dev->name);
		if (dev->fd < 0) {
			struct sl_vfio_msi_params prm = { .noiommu = dev->backend == SL_DMA_BACKEND_NOIOMMU };
			char why[512];
			saved = errno;
			sl_log(SL_LOG_ERR, LOG_COMP, "%s: VFIO_GROUP_GET_DEVICE_FD: %s%s", dev->name,
			       strerror(saved), sl_vfio_explain(SL_VFIO_OP_GROUP_GET_DEVICE_FD, saved, &prm,
								why, sizeof(why)));
			errno = saved;
			goto fail;
		}
	} else {
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: no backend chosen", dev->name);
		errno = EINVAL;
		return -1;
	}

	dev->info.argsz = sizeof(dev->info);
	if (ioctl(dev->fd, VFIO_DEVICE_GET_INFO, &dev->info) != 0) {
		saved = errno;
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: VFIO_DEVICE_GET_INFO: %s", dev->name, strerror(saved));
		errno = saved;
		goto fail;
	}
	if (!(dev->info.flags & VFIO_DEVICE_FLAGS_PCI)) {
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: VFIO says this is not a PCI device", dev->name);
		errno = ENODEV;
		goto fail;
	}
	read_regions(dev);
	dev->open = true;
	/* A failed reset is only a warning: the device is usable, as the
	 * kernel left it. */
	rc = dev_reset(dev, "at open");
	dev->released = false;
	dev->req_count = 0;
	req_setup(dev);
	sl_log(SL_LOG_INFO, LOG_COMP, "%s opened via %s (%u regions, %u irq types, %s reset%s%s)",
	       dev->name, sl_dma_backend_name(dev->backend), dev->info.num_regions,
	       dev->info.num_irqs, sl_pci_reset_kind_name(dev->reset_kind),
	       rc == 0 ? " done" : dev->reset_kind != SL_PCI_RESET_NONE ? " failed" : "",
	       dev->req_fd >= 0 ? ", removal requests watched" : "");
	return 0;

fail:
	saved = errno;
	access_release(dev);
	errno = saved;
	return -1;
}

static void bars_unmap(struct sl_pci_device *dev)
{
	unsigned i;
	for (i = 0; i < NB_BARS; i++) {
		if (dev->bars[i].addr)
			munmap(dev->bars[i].addr, dev->bars[i].len);
		memset(&dev->bars[i], 0, sizeof(dev->bars[i]));
	}
}

void sl_pci_dev_close(struct sl_pci_device *dev)
{
	if (!dev)
		return;
	pthread_mutex_lock(&bus.lock);
	if (!dev->open) {
		pthread_mutex_unlock(&bus.lock);
		return;
	}
	if (dev->released) {
		/* released at the kernel's request: only the stand-ins are left */
		bars_unmap(dev);
		dev->open = false;
		dev->probed = false;
		dev->released = false;
		memset(&dev->info, 0, sizeof(dev->info));
		dev->reset_kind = SL_PCI_RESET_NONE;
		dev->reset_why[0] = '\0';
		bool idle = bus.nb_watched == 0;
		pthread_mutex_unlock(&bus.lock);
		sl_log(SL_LOG_INFO, LOG_COMP, "%s closed (it had been released at the kernel's request)",
		       dev->name);
		if (idle)
			rm_thread_stop();
		return;
	}
	req_teardown(dev);
	sl_pci_irq_disable(dev);
	sl_pci_set_bus_master(dev, false);
	bars_unmap(dev);
	dev_reset(dev, "at close"); /* logs; a failure is only a warning */
	access_release(dev);
	dev->open = false;
	dev->probed = false;
	memset(&dev->info, 0, sizeof(dev->info));
	dev->reset_kind = SL_PCI_RESET_NONE;
	dev->reset_why[0] = '\0';
	bool idle = bus.nb_watched == 0;
	pthread_mutex_unlock(&bus.lock);
	sl_log(SL_LOG_INFO, LOG_COMP, "%s closed", dev->name);
	/* no device left to watch: the thread and its two fds go too (so a
	 * closed bus leaves no fd behind) */
	if (idle)
		rm_thread_stop();
}

enum sl_dma_backend sl_pci_dev_backend(const struct sl_pci_device *dev)
{
	return dev ? dev->backend : SL_DMA_BACKEND_NONE;
}

struct sl_dma_as *sl_pci_dev_dma_as(const struct sl_pci_device *dev)
{
	return dev && dev->open ? dev->as : NULL;
}

int sl_pci_dev_fd(const struct sl_pci_device *dev)
{
	return dev && dev->open ? dev->fd : -1;
}

void sl_pci_dev_set_driver_data(struct sl_pci_device *dev, void *data)
{
	if (dev)
		dev->driver_data = data;
}

void *sl_pci_dev_get_driver_data(const struct sl_pci_device *dev)
{
	return dev ? dev->driver_data : NULL;
}

/* ---- regions ------------------------------------------------------------ */

static int need_open(const struct sl_pci_device *dev)
{
	if (dev && dev->open && dev->released) {
		sl_log(SL_LOG_DEBUG, LOG_COMP, "%s: device was removed (released at the kernel's request)",
		       dev->name);
		errno = ENODEV;
		return -1;
	}
	if (!dev || !dev->open) {
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: device is not open", dev ? dev->name : "(null)");
		errno = EBADF;
		return -1;
	}
	return 0;
}

int sl_pci_region_info(struct sl_pci_device *dev, unsigned index, struct sl_pci_region *out)
{
	if (need_open(dev) != 0)
		return -1;
	if (index >= VFIO_PCI_NUM_REGIONS || index >= dev->info.num_regions) {
		errno = EINVAL;
		return -1;
	}
	*out = dev->regions[index];
	return 0;
}

/* The sparse-mmap areas of BAR, or none. Returns the count (-1 on error). */
static int sparse_areas(struct sl_pci_device *dev, unsigned bar,
			struct vfio_region_sparse_mmap_area *areas, unsigned max)
{
	struct vfio_region_info *ri;
	size_t sz = sizeof(*ri);
	int n = 0;

	ri = calloc(1, sz);
	if (!ri)
		return -1;
	ri->argsz = (uint32_t)sz;
	ri->index = bar;
	if (ioctl(dev->fd, VFIO_DEVICE_GET_REGION_INFO, ri) != 0)
		goto out;
	if (ri->argsz > sz) {
		struct vfio_region_info *big;
		sz = ri->argsz;
		big = realloc(ri, sz);
		if (!big)
			goto out;
		ri = big;
		memset(ri, 0, sz);
		ri->argsz = (uint32_t)sz;
		ri->index = bar;
		if (ioctl(dev->fd, VFIO_DEVICE_GET_REGION_INFO, ri) != 0)
			goto out;
	}
	if ((ri->flags & VFIO_REGION_INFO_FLAG_CAPS) && ri->cap_offset) {
		uint32_t off = ri->cap_offset;
		unsigned guard = 0;
		while (off && off + sizeof(struct vfio_info_cap_header) <= sz && guard++ < 32) {
			struct vfio_info_cap_header *h = (void *)((char *)ri + off);
			if (h->id == VFIO_REGION_INFO_CAP_SPARSE_MMAP) {
				struct vfio_region_info_cap_sparse_mmap *sp = (void *)h;
				unsigned i;
				for (i = 0; i < sp->nr_areas && (unsigned)n < max; i++)
					areas[n++] = sp->areas[i];
				if (n == 0)
					n = -2; /* sparse with no areas: nothing mappable */
				break;
			}
			off = h->next;
		}
	}
out:
	free(ri);
	return n;
}

void *sl_pci_bar_map(struct sl_pci_device *dev, unsigned bar, size_t *len)
{
	struct sl_pci_region *r;
	struct vfio_region_sparse_mmap_area areas[8];
	void *base;
	int n, saved;

	if (need_open(dev) != 0)
		return NULL;
	if (bar >= NB_BARS) {
		errno = EINVAL;
		return NULL;
	}
	if (dev->bars[bar].addr) {
		if (len)
			*len = dev->bars[bar].len;
		return dev->bars[bar].addr;
	}
	r = &dev->regions[bar];
	if (r->size == 0) {
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: BAR%u is not implemented", dev->name, bar);
		errno = ENOENT;
		return NULL;
	}
	if (!r->mappable) {
		sl_log(SL_LOG_DEBUG, LOG_COMP, "%s: BAR%u cannot be mmapped; use region read/write",
		       dev->name, bar);
		errno = ENOTSUP;
		return NULL;
	}
	n = sparse_areas(dev, bar, areas, SL_DIM(areas));
	if (n == 0 || n == -1) {
		base = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_SHARED, dev->fd, (off_t)r->offset);
		if (base == MAP_FAILED) {
			saved = errno;
			sl_log(SL_LOG_ERR, LOG_COMP, "%s: mmap of BAR%u (%" PRIu64 " bytes): %s", dev->name,
			       bar, r->size, strerror(saved));
			errno = saved;
			return NULL;
		}
	} else if (n == -2) {
		errno = ENOTSUP;
		return NULL;
	} else {
		int i;
		/* Reserve the whole BAR, map the allowed areas inside it. */
		base = mmap(NULL, r->size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (base == MAP_FAILED)
			return NULL;
		for (i = 0; i < n; i++) {
			void *p;
			if (areas[i].size == 0)
				continue;
			p = mmap((char *)base + areas[i].offset, areas[i].size, PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_FIXED, dev->fd, (off_t)(r->offset + areas[i].offset));
			if (p == MAP_FAILED) {
				saved = errno;
				munmap(base, r->size);
				sl_log(SL_LOG_ERR, LOG_COMP, "%s: mmap of BAR%u area +0x%llx: %s", dev->name,
				       bar, (unsigned long long)areas[i].offset, strerror(saved));
				errno = saved;
				return NULL;
			}
		}
		dev->bars[bar].reserved = true;
	}
	dev->bars[bar].addr = base;
	dev->bars[bar].len = r->size;
	if (len)
		*len = r->size;
	return base;
}

static int region_rw(struct sl_pci_device *dev, unsigned index, uint64_t off, void *buf,
		     size_t len, bool write)
{
	struct sl_pci_region *r;
	ssize_t n;

	if (need_open(dev) != 0)
		return -1;
	if (index >= VFIO_PCI_NUM_REGIONS || index >= dev->info.num_regions) {
		errno = EINVAL;
		return -1;
	}
	r = &dev->regions[index];
	if (off > r->size || len > r->size - off) {
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: region %u access 0x%" PRIx64 "+%zu beyond its %" PRIu64
		       " bytes", dev->name, index, off, len, r->size);
		errno = EINVAL;
		return -1;
	}
	n = write ? pwrite(dev->fd, buf, len, (off_t)(r->offset + off))
		  : pread(dev->fd, buf, len, (off_t)(r->offset + off));
	if (n != (ssize_t)len) {
		if (n >= 0)
			errno = EIO;
		return -1;
	}
	return 0;
}

int sl_pci_region_read(struct sl_pci_device *dev, unsigned index, uint64_t off, void *buf, size_t len)
{
	return region_rw(dev, index, off, buf, len, false);
}

int sl_pci_region_write(struct sl_pci_device *dev, unsigned index, uint64_t off, const void *buf,
			size_t len)
{
	return region_rw(dev, index, off, (void *)(uintptr_t)buf, len, true);
}

uint32_t sl_pci_bar_read32(struct sl_pci_device *dev, unsigned bar, uint64_t off)
{
	uint32_t v = UINT32_MAX;

	if (dev && dev->open && bar < NB_BARS && dev->bars[bar].addr && !dev->bars[bar].reserved &&
	    off + 4 <= dev->bars[bar].len)
		return *(volatile uint32_t *)((char *)dev->bars[bar].addr + off);
	if (sl_pci_region_read(dev, bar, off, &v, 4) != 0)
		return UINT32_MAX;
	return v;
}

void sl_pci_bar_write32(struct sl_pci_device *dev, unsigned bar, uint64_t off, uint32_t val)
{
	if (dev && dev->open && bar < NB_BARS && dev->bars[bar].addr && !dev->bars[bar].reserved &&
	    off + 4 <= dev->bars[bar].len) {
		*(volatile uint32_t *)((char *)dev->bars[bar].addr + off) = val;
		return;
	}
	sl_pci_region_write(dev, bar, off, &val, 4);
}

int sl_pci_cfg_read(struct sl_pci_device *dev, uint32_t off, void *buf, size_t len)
{
	return region_rw(dev, VFIO_PCI_CONFIG_REGION_INDEX, off, buf, len, false);
}

int sl_pci_cfg_write(struct sl_pci_device *dev, uint32_t off, const void *buf, size_t len)
{
	return region_rw(dev, VFIO_PCI_CONFIG_REGION_INDEX, off, (void *)(uintptr_t)buf, len, true);
}

int sl_pci_set_bus_master(struct sl_pci_device *dev, bool on)
{
	uint16_t cmd;

	if (sl_pci_cfg_read(dev, 0x04, &cmd, 2) != 0)
		return -1;
	if (on)
		cmd |= 0x0006; /* Memory Space + Bus Master */
	else
		cmd &= (uint16_t)~0x0004;
	return sl_pci_cfg_write(dev, 0x04, &cmd, 2);
}

int sl_pci_reset(struct sl_pci_device *dev)
{
	if (need_open(dev) != 0)
		return -1;
	return dev_reset(dev, NULL);
}

/* ---- interrupts --------------------------------------------------------- */

unsigned sl_pci_irq_count(struct sl_pci_device *dev, enum sl_pci_irq_type type)
{
	struct vfio_irq_info ii = { .argsz = sizeof(ii), .index = (uint32_t)type };

	if (!dev || !dev->open || (unsigned)type >= dev->info.num_irqs)
		return 0;
	if (ioctl(dev->fd, VFIO_DEVICE_GET_IRQ_INFO, &ii) != 0)
		return 0;
	return ii.count;
}

static int set_irqs(struct sl_pci_device *dev, uint32_t index, uint32_t flags, unsigned count,
		    const int *fds)
{
	size_t sz = sizeof(struct vfio_irq_set) + count * sizeof(int);
	struct vfio_irq_set *set = calloc(1, sz);
	int rc;

	if (!set)
		return -1;
	set->argsz = (uint32_t)sz;
	set->flags = flags;
	set->index = index;
	set->start = 0;
	set->count = count;
	if (count && fds)
		memcpy(set->data, fds, count * sizeof(int));
	rc = ioctl(dev->fd, VFIO_DEVICE_SET_IRQS, set);
	free(set);
	return rc;
}

int sl_pci_irq_enable(struct sl_pci_device *dev, enum sl_pci_irq_type type, unsigned nvec, int *efds)
{
	unsigned avail, i;
	int saved;

	if (need_open(dev) != 0)
		return -1;
	if (dev->irq_type >= 0) {
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: interrupts already enabled; disable them first",
		       dev->name);
		errno = EBUSY;
		return -1;
	}
	avail = sl_pci_irq_count(dev, type);
	if (nvec == 0 || nvec > avail) {
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: %u vector(s) of irq type %d asked, the device offers %u",
		       dev->name, nvec, (int)type, avail);
		errno = EINVAL;
		return -1;
	}
	dev->irq_fds = calloc(nvec, sizeof(int));
	if (!dev->irq_fds)
		return -1;
	for (i = 0; i < nvec; i++) {
		dev->irq_fds[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (dev->irq_fds[i] < 0)
			goto fail;
		dev->nb_irq_fds = i + 1;
	}
	if (set_irqs(dev, (uint32_t)type, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
		     nvec, dev->irq_fds) != 0) {
		saved = errno;
		sl_log(SL_LOG_ERR, LOG_COMP, "%s: VFIO_DEVICE_SET_IRQS (type %d, %u vectors): %s",
		       dev->name, (int)type, nvec, strerror(saved));
		errno = saved;
		goto fail;
	}
	dev->irq_type = (int)type;
	if (efds)
		memcpy(efds, dev->irq_fds, nvec * sizeof(int));
	return 0;
fail:
	saved = errno;
	for (i = 0; i < dev->nb_irq_fds; i++)
		close(dev->irq_fds[i]);
	free(dev->irq_fds);
	dev->irq_fds = NULL;
	dev->nb_irq_fds = 0;
	errno = saved;
	return -1;
}

int sl_pci_irq_disable(struct sl_pci_device *dev)
{
	unsigned i;
	int rc = 0;

	if (!dev || !dev->open || dev->irq_type < 0)
		return 0;
	if (set_irqs(dev, (uint32_t)dev->irq_type, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
		     0, NULL) != 0) {
		sl_log(SL_LOG_WARNING, LOG_COMP, "%s: disabling interrupts: %s", dev->name,
		       strerror(errno));
		rc = -1;
	}
	for (i = 0; i < dev->nb_irq_fds; i++)
		close(dev->irq_fds[i]);
	free(dev->irq_fds);
	dev->irq_fds = NULL;
	dev->nb_irq_fds = 0;
	dev->irq_type = -1;
	return rc;
}

int sl_pci_intx_unmask(struct sl_pci_device *dev)
{
	if (need_open(dev) != 0)
		return -1;
	return set_irqs(dev, VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK,
			1, NULL);
}

/* ---- EAL hooks ---------------------------------------------------------- */

static int scan_hook(void)
{
	const struct sl_eal_config *cfg = sl_eal_get_config();
	struct sl_bus_vfio_conf conf = {
		.sysfs_root = getenv("SL_SYSFS_ROOT"),
		.dev_root = getenv("SL_DEV_ROOT"),
		.nb_allow = cfg ? cfg->nb_allow : 0,
		.allow = cfg ? cfg->allow : NULL,
		.vfio_backend = cfg ? cfg->vfio_backend : NULL,
		.allow_noiommu = cfg ? cfg->allow_noiommu : false,
	};
	struct sl_pci_device *dev;

	if (sl_bus_vfio_scan(&conf) != 0)
		return -1;
	/* A no-IOMMU device DMAs to physical addresses: the EAL must hand out
	 * IOVA = PA, which is decided before this hook runs. Say so now rather
	 * than at the first open. */
	for (dev = bus.devs; dev; dev = dev->next) {
		if (dev->backend == SL_DMA_BACKEND_NOIOMMU && sl_eal_iova_mode() != SL_IOVA_PA) {
			sl_log(SL_LOG_ERR, LOG_COMP,
			       "%s uses no-IOMMU, which needs physical addresses, but the EAL runs "
			       "with IOVA = virtual address: add --iova-mode pa (with hugepages)",
			       dev->name);
			free_list();
			errno = EINVAL;
			return -1;
		}
	}
	return 0;
}

static int probe_hook(void)
{
	struct sl_pci_device *dev;

	if (bus.no_autoprobe)
		return 0;
	for (dev = bus.devs; dev; dev = dev->next) {
		int rc;
		if (dev->open)
			continue;
		if (sl_pci_dev_open(dev) != 0)
			return -1;
		rc = sl_eth_pci_probe(dev, dev->vendor_id, dev->device_id);
		if (rc == -ENODEV) {
			sl_log(SL_LOG_INFO, LOG_COMP, "%s [%04x:%04x]: no driver claims it", dev->name,
			       dev->vendor_id, dev->device_id);
			sl_pci_dev_close(dev);
			continue;
		}
		if (rc != 0) {
			sl_log(SL_LOG_ERR, LOG_COMP, "%s: driver probe failed: %s", dev->name,
			       strerror(rc < 0 ? -rc : rc));
			sl_pci_dev_close(dev);
			errno = rc < 0 ? -rc : EIO;
			return -1;
		}
		dev->probed = true;
	}
	return 0;
}

static struct sl_eal_hook scan_hook_def = {
	.name = "bus_vfio scan",
	.priority = 100,
	.init = scan_hook,
	.cleanup = sl_bus_vfio_cleanup,
};

static struct sl_eal_hook probe_hook_def = {
	.name = "bus_vfio probe",
	.priority = 200,
	.init = probe_hook,
	.cleanup = NULL,
};

__attribute__((constructor)) static void bus_vfio_register_hooks(void)
{
	sl_eal_register_hook(&scan_hook_def);
	sl_eal_register_hook(&probe_hook_def);
}
