/* scan.c: the scan of /sys/bus/pci/devices (or a fake tree), the -a
 * allow list and its refusals, the per-device backend choice with its
 * reason, group viability, the device list (count, get, find, info), and
 * the bus's EAL hooks (scan at priority 100, probe at 200). Opens no file
 * descriptor. */
#include <ctype.h>
#include <dirent.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "bus_vfio_internal.h"
#include "sl_vfio_explain.h"

struct bv_bus bv_bus = { .lock = PTHREAD_MUTEX_INITIALIZER, .rm_epfd = -1, .rm_stopfd = -1 };

/* ---- sysfs helpers ------------------------------------------------------ */

int bv_read_line(const char *path, char *buf, size_t len)
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
	if (bv_read_line(path, buf, sizeof(buf)) != 0)
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

bool bv_path_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
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
	snprintf(dir, sizeof(dir), "%s/bus/pci/devices/%s", bv_bus.sysfs_root, dev->name);
	dev->vendor_id = (uint16_t)read_num(dir, "vendor", 0);
	dev->device_id = (uint16_t)read_num(dir, "device", 0);
	dev->subsystem_vendor_id = (uint16_t)read_num(dir, "subsystem_vendor", 0);
	dev->subsystem_device_id = (uint16_t)read_num(dir, "subsystem_device", 0);
	dev->class_id = (uint32_t)read_num(dir, "class", 0) & 0xffffff;
	dev->numa_node = (int)read_num(dir, "numa_node", SL_SOCKET_ID_ANY);
	if (dev->numa_node < 0 || dev->numa_node > 4095) /* -1: the kernel does not know */
		dev->numa_node = SL_SOCKET_ID_ANY;
	link_base(dir, "driver", dev->driver, sizeof(dev->driver));
	link_base(dir, "iommu_group", grp, sizeof(grp));
	dev->iommu_group = grp[0] ? atoi(grp) : -1;
	dev->cdev_index = -1;
	dev->noiommu_cdev_index = -1;
	snprintf(sub, sizeof(sub), "%s/vfio-dev", dir);
	d = opendir(sub);
	if (d) {
		while ((de = readdir(d)) != NULL) {
			if (strncmp(de->d_name, "vfio", 4) == 0 && isdigit((unsigned char)de->d_name[4])) {
				dev->cdev_index = atoi(de->d_name + 4);
				break;
			}
			/* Linux 7.3+: a no-IOMMU device's cdev (CONFIG_IOMMUFD_NOIOMMU) */
			if (strncmp(de->d_name, "noiommu-vfio", 12) == 0 &&
			    isdigit((unsigned char)de->d_name[12])) {
				dev->noiommu_cdev_index = atoi(de->d_name + 12);
				break;
			}
		}
		closedir(d);
	}
	if (dev->iommu_group >= 0) {
		char node[PATH_MAX], name[64];
		snprintf(node, sizeof(node), "/dev/vfio/noiommu-%d", dev->iommu_group);
		snprintf(sub, sizeof(sub), "%s%s", bv_bus.dev_root, node);
		if (bv_path_exists(sub))
			dev->noiommu_group = true;
		snprintf(sub, sizeof(sub), "%s/kernel/iommu_groups/%d/name", bv_bus.sysfs_root,
			 dev->iommu_group);
		if (bv_read_line(sub, name, sizeof(name)) == 0 && strcmp(name, "vfio-noiommu") == 0)
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
	snprintf(dir, sizeof(dir), "%s/kernel/iommu_groups/%d/devices", bv_bus.sysfs_root,
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

void bv_free_list(void)
{
	while (bv_bus.devs) {
		struct sl_pci_device *d = bv_bus.devs;
		if (d->open)
			sl_pci_dev_close(d);
		bv_bus.devs = d->next;
		free(d);
	}
	bv_bus.nb_devs = 0;
}

static void list_insert_sorted(struct sl_pci_device *dev)
{
	struct sl_pci_device **pp = &bv_bus.devs;
	while (*pp && sl_pci_addr_cmp(&(*pp)->addr, &dev->addr) < 0)
		pp = &(*pp)->next;
	dev->next = *pp;
	*pp = dev;
	bv_bus.nb_devs++;
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
	for (it = bv_bus.devs; it; it = it->next) {
		if (sl_pci_addr_cmp(&it->addr, &addr) == 0) {
			sl_log(SL_LOG_ERR, LOG_COMP, "-a %s given twice", name);
			errno = EINVAL;
			return -1;
		}
	}
	snprintf(dir, sizeof(dir), "%s/bus/pci/devices/%s", bv_bus.sysfs_root, name);
	if (!bv_path_exists(dir)) {
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
	dev->named = true;
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
	if (bv_choose_backend(dev, conf, msg, sizeof(msg)) != 0 ||
	    (!sl_dma_backend_is_noiommu(dev->backend) && group_viable(dev, msg, sizeof(msg)) != 0)) {
		sl_log(SL_LOG_ERR, LOG_COMP, "%s", msg);
		free(dev);
		errno = EPERM;
		return -1;
	}
	list_insert_sorted(dev);
	return 0;
}

static bool blocked(const struct sl_bus_vfio_conf *conf, const struct sl_pci_addr *addr);

int sl_bus_vfio_scan(const struct sl_bus_vfio_conf *conf)
{
	struct sl_bus_vfio_conf dflt = { 0 };
	struct sl_pci_device *dev;
	char dir[PATH_MAX], msg[640];
	unsigned i;

	if (!conf)
		conf = &dflt;
	bv_removal_stop();
	bv_free_list();
	snprintf(bv_bus.sysfs_root, sizeof(bv_bus.sysfs_root), "%s",
		 conf->sysfs_root && conf->sysfs_root[0] ? conf->sysfs_root : "/sys");
	snprintf(bv_bus.dev_root, sizeof(bv_bus.dev_root), "%s", conf->dev_root ? conf->dev_root : "");

	if (conf->vfio_backend && conf->vfio_backend[0] && strcmp(conf->vfio_backend, "auto") &&
	    sl_dma_backend_parse(conf->vfio_backend) == SL_DMA_BACKEND_NONE) {
		sl_log(SL_LOG_ERR, LOG_COMP, "--vfio-backend %s: unknown (use auto, iommufd, type1, "
		       "noiommu or noiommu-cdev)", conf->vfio_backend);
		errno = EINVAL;
		return -1;
	}

	if (conf->nb_allow > 0) {
		for (i = 0; i < conf->nb_allow; i++) {
			if (scan_named(&conf->allow[i], conf) != 0) {
				int saved = errno;
				bv_free_list();
				errno = saved;
				return -1;
			}
		}
	} else {
		DIR *d;
		struct dirent *de;

		snprintf(dir, sizeof(dir), "%s/bus/pci/devices", bv_bus.sysfs_root);
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
			if (blocked(conf, &addr)) {
				sl_log(SL_LOG_NOTICE, LOG_COMP, "skipping %s: blocked with -b", de->d_name);
				continue;
			}
			snprintf(ddir, sizeof(ddir), "%s/%s", dir, de->d_name);
			link_base(ddir, "driver", drv, sizeof(drv));
			if (strcmp(drv, "vfio-pci") != 0)
				continue;
			dev = dev_read(de->d_name);
			if (!dev)
				continue;
			if (bv_choose_backend(dev, conf, msg, sizeof(msg)) != 0 ||
			    (!sl_dma_backend_is_noiommu(dev->backend) &&
			     group_viable(dev, msg, sizeof(msg)) != 0)) {
				sl_log(SL_LOG_WARNING, LOG_COMP, "skipping %s", msg);
				free(dev);
				continue;
			}
			list_insert_sorted(dev);
		}
		closedir(d);
	}
	for (dev = bv_bus.devs; dev; dev = dev->next) {
		/* a no-IOMMU device on a kernel without VFIO groups has none:
		 * "group none", not the -1 that stands for it */
		char grp[16] = "none";
		if (dev->iommu_group >= 0)
			snprintf(grp, sizeof(grp), "%d", dev->iommu_group);
		sl_log(SL_LOG_NOTICE, LOG_COMP, "%s [%04x:%04x] group %s: backend %s (%s); nodes: %s",
		       dev->name, dev->vendor_id, dev->device_id, grp,
		       sl_dma_backend_name(dev->backend), dev->reason, dev->nodes);
	}
	return 0;
}

void sl_bus_vfio_cleanup(void)
{
	bv_removal_stop();
	bv_free_list();
}

void sl_bus_vfio_set_autoprobe(bool on)
{
	bv_bus.no_autoprobe = !on;
}

unsigned sl_pci_device_count(void)
{
	return bv_bus.nb_devs;
}

struct sl_pci_device *sl_pci_device_get(unsigned index)
{
	struct sl_pci_device *d = bv_bus.devs;
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
	for (d = bv_bus.devs; d; d = d->next)
		if (sl_pci_addr_cmp(&d->addr, &a) == 0)
			return d;
	return NULL;
}

const char *sl_pci_device_name(const struct sl_pci_device *dev)
{
	return dev ? dev->name : "(none)";
}

int sl_pci_device_numa_node(const struct sl_pci_device *dev)
{
	return dev ? dev->numa_node : SL_SOCKET_ID_ANY;
}

/* Whether ADDR was named with -b. */
static bool blocked(const struct sl_bus_vfio_conf *conf, const struct sl_pci_addr *addr)
{
	for (unsigned i = 0; i < conf->nb_block && conf->block; i++) {
		struct sl_pci_addr b;
		if (sl_pci_addr_parse(conf->block[i].name, &b) == 0 && sl_pci_addr_cmp(&b, addr) == 0)
			return true;
	}
	return false;
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

/* ---- EAL hooks ---------------------------------------------------------- */

/* Registered here, not in probe.c: this object holds the bus state every
 * other file uses, so it is in every program linked with the static
 * library, and its constructor always runs. */

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
		.nb_block = cfg ? cfg->nb_block : 0,
		.block = cfg ? cfg->block : NULL,
	};
	struct sl_pci_device *dev;

	if (cfg && cfg->no_pci) {
		sl_log(SL_LOG_INFO, LOG_COMP, "--no-pci: no PCI scan");
		bv_free_list();
		return 0;
	}
	if (sl_bus_vfio_scan(&conf) != 0)
		return -1;
	/* A no-IOMMU device DMAs to physical addresses: the EAL must hand out
	 * IOVA = PA, which is decided before this hook runs. Say so now rather
	 * than at the first open. */
	for (dev = bv_bus.devs; dev; dev = dev->next) {
		if ((dev->backend == SL_DMA_BACKEND_NOIOMMU ||
		     dev->backend == SL_DMA_BACKEND_NOIOMMU_CDEV) && sl_eal_iova_mode() != SL_IOVA_PA) {
			sl_log(SL_LOG_ERR, LOG_COMP,
			       "%s uses no-IOMMU, which needs physical addresses, but the EAL runs "
			       "with IOVA = virtual address: add --iova-mode pa (with hugepages)",
			       dev->name);
			bv_free_list();
			errno = EINVAL;
			return -1;
		}
	}
	return 0;
}

static int probe_hook(void)
{
	const struct sl_eal_config *cfg = sl_eal_get_config();

	if (bv_bus.no_autoprobe)
		return 0;
	return sl_bus_vfio_probe(!(cfg && cfg->skip_failed_devices));
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
