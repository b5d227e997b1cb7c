/* vfio_explain.c: the likely cause of a VFIO / iommufd refusal and what to
 * do about it (see sl_vfio_explain.h and the table in doc/bus_vfio.md).
 * The causes are those of Linux 6.12's drivers/vfio and drivers/iommu/iommufd. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_vfio_explain.h"

static const char *const op_names[SL_VFIO_OP_COUNT] = {
	[SL_VFIO_OP_OPEN_IOMMUFD] = "open /dev/iommu",
	[SL_VFIO_OP_OPEN_CONTAINER] = "open /dev/vfio/vfio",
	[SL_VFIO_OP_OPEN_GROUP] = "open of the VFIO group",
	[SL_VFIO_OP_OPEN_CDEV] = "open of the VFIO device cdev",
	[SL_VFIO_OP_GROUP_SET_CONTAINER] = "VFIO_GROUP_SET_CONTAINER",
	[SL_VFIO_OP_SET_IOMMU] = "VFIO_SET_IOMMU",
	[SL_VFIO_OP_GROUP_GET_DEVICE_FD] = "VFIO_GROUP_GET_DEVICE_FD",
	[SL_VFIO_OP_BIND_IOMMUFD] = "VFIO_DEVICE_BIND_IOMMUFD",
	[SL_VFIO_OP_ATTACH_IOMMUFD_PT] = "VFIO_DEVICE_ATTACH_IOMMUFD_PT",
	[SL_VFIO_OP_IOMMU_MAP_DMA] = "VFIO_IOMMU_MAP_DMA",
	[SL_VFIO_OP_IOAS_MAP] = "IOMMU_IOAS_MAP",
	[SL_VFIO_OP_IOAS_COPY] = "IOMMU_IOAS_COPY",
	[SL_VFIO_OP_IOAS_ALLOC] = "IOMMU_IOAS_ALLOC",
};

const char *sl_vfio_op_name(enum sl_vfio_op op)
{
	return (unsigned)op < SL_VFIO_OP_COUNT ? op_names[op] : "?";
}

static int read_bool_param(const char *root, const char *module)
{
	char path[512], v[16] = "";
	snprintf(path, sizeof(path), "%s/module/%s/parameters/allow_unsafe_interrupts", root, module);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	if (!fgets(v, sizeof(v), f))
		v[0] = '\0';
	fclose(f);
	return v[0] == 'Y' || v[0] == 'y' || v[0] == '1';
}

void sl_vfio_msi_params_read(struct sl_vfio_msi_params *p)
{
	const char *root = getenv("SL_SYSFS_ROOT");
	if (!root || !*root)
		root = "/sys";
	p->iommufd = read_bool_param(root, "iommufd");
	p->type1 = read_bool_param(root, "vfio_iommu_type1");
	p->noiommu = 0;
}

static const char *param_state(int v)
{
	return v < 0 ? "not present" : v ? "Y" : "N";
}

/* EPERM where the kernel checks MSI isolation: iommufd at BIND
 * (iommufd_device_bind), type1 when a group joins the IOMMU (VFIO_SET_IOMMU
 * for the first group, VFIO_GROUP_SET_CONTAINER for later ones). */
static void explain_unsafe_interrupts(bool iommufd, const struct sl_vfio_msi_params *p, char *buf,
				      size_t len)
{
	const char *mod = iommufd ? "iommufd" : "vfio_iommu_type1";
	int mine = iommufd ? p->iommufd : p->type1, other = iommufd ? p->type1 : p->iommufd;

	if (mine == 1) {
		snprintf(buf, len, " (%s.allow_unsafe_interrupts is already Y, so this is not the "
			 "interrupt-isolation refusal: %s)", mod, iommufd ?
			 "the device may be a no-IOMMU one or the process lacks a capability; see dmesg" :
			 "a no-IOMMU group needs CAP_SYS_RAWIO; see dmesg");
		return;
	}
	snprintf(buf, len,
		 " (the kernel refuses VFIO here because the device's MSIs are not isolated: the "
		 "IOMMU does no interrupt remapping (e.g. QEMU's virtio-iommu, intel-iommu with "
		 "intremap=off, remapping disabled in firmware or by intremap=off on the kernel "
		 "command line), so the device could raise interrupts that are not its own. Enable "
		 "interrupt remapping, or, accepting that this weakens the isolation between the "
		 "device and the host, set iommufd.allow_unsafe_interrupts=1 (for iommufd) or "
		 "vfio_iommu_type1.allow_unsafe_interrupts=1 (for type1) on the kernel command line "
		 "or with: echo 1 > /sys/module/%s/parameters/allow_unsafe_interrupts; now "
		 "iommufd.allow_unsafe_interrupts=%s, vfio_iommu_type1.allow_unsafe_interrupts=%s%s)",
		 mod, param_state(p->iommufd), param_state(p->type1),
		 other == 1 ? (iommufd ? "; type1 would be allowed: -a BDF,iommu=type1" :
				 "; iommufd would be allowed: -a BDF,iommu=iommufd") : "");
}

#define MEMLOCK_TEXT " (RLIMIT_MEMLOCK is too low for the memory to pin: raise it (ulimit -l, " \
	"limits.conf, systemd LimitMEMLOCK=) to at least the packet memory, or run with CAP_IPC_LOCK)"

const char *sl_vfio_explain(enum sl_vfio_op op, int err, const struct sl_vfio_msi_params *p, char *buf,
			    size_t len)
{
	struct sl_vfio_msi_params read;
	const char *t = NULL;

	if (!buf || len == 0)
		return "";
	buf[0] = '\0';
	if (!p) {
		sl_vfio_msi_params_read(&read);
		p = &read;
	}
	switch (op) {
	case SL_VFIO_OP_OPEN_IOMMUFD:
	case SL_VFIO_OP_OPEN_CONTAINER:
	case SL_VFIO_OP_OPEN_GROUP:
	case SL_VFIO_OP_OPEN_CDEV:
		if (err == EACCES || (err == EPERM && !p->noiommu))
			t = " (no permission on the node: run as root, or give it to the user with "
			    "usertools/bind.py --bind vfio-pci -u USER ...)";
		else if (err == EPERM)
			t = " (a no-IOMMU group can only be opened with CAP_SYS_RAWIO)";
		else if (err == ENOENT && op == SL_VFIO_OP_OPEN_IOMMUFD)
			t = " (no /dev/iommu: a kernel without CONFIG_IOMMUFD; use iommu=type1)";
		else if (err == ENOENT)
			t = " (the node is gone: the device was unbound from vfio-pci, or vfio is not "
			    "loaded; see usertools/bind.py --status)";
		else if (err == EBUSY && op == SL_VFIO_OP_OPEN_GROUP)
			t = " (another process holds the group: a VFIO group is opened by one process "
			    "at a time, and not while one of its devices is in use through its cdev; "
			    "find the holder with fuser -v on the node)";
		else if (err == EBUSY)
			t = " (in use by another process or through its group; find the holder with "
			    "fuser -v on the node)";
		break;
	case SL_VFIO_OP_GROUP_SET_CONTAINER:
		if (err == EPERM && p->noiommu)
			t = " (no-IOMMU groups need CAP_SYS_RAWIO)";
		else if (err == EPERM)
			explain_unsafe_interrupts(false, p, buf, len);
		else if (err == EBUSY)
			t = " (the group is already in a container, or one of its devices is open through "
			    "its cdev (iommufd) in this or another process; a device is used through one "
			    "interface at a time)";
		else if (err == EINVAL)
			t = " (the container does not suit the group: a no-IOMMU group and a type1 "
			    "container or the other way round, or an IOMMU domain the group cannot share; "
			    "it needs a container of its own)";
		break;
	case SL_VFIO_OP_SET_IOMMU:
		if (err == EPERM && p->noiommu)
			t = " (no-IOMMU needs CAP_SYS_RAWIO)";
		else if (err == EPERM)
			explain_unsafe_interrupts(false, p, buf, len);
		else if (err == EINVAL)
			t = " (no group in the container yet, or no VFIO IOMMU driver of that type "
			    "takes the group: vfio_iommu_type1 not loaded, or the group's IOMMU is off)";
		else if (err == EBUSY)
			t = " (the container's IOMMU is already set)";
		else if (err == ENODEV)
			t = " (no VFIO IOMMU driver takes the group: is vfio_iommu_type1 loaded?)";
		break;
	case SL_VFIO_OP_GROUP_GET_DEVICE_FD:
		if (err == EPERM && p->noiommu)
			t = " (no-IOMMU devices need CAP_SYS_RAWIO)";
		else if (err == EBUSY)
			t = " (the device is open through its cdev (iommufd) elsewhere, or the group is "
			    "in use by another process)";
		else if (err == EINVAL || err == ENODEV)
			t = " (no such device in the group: unbound from vfio-pci since the scan?)";
		break;
	case SL_VFIO_OP_BIND_IOMMUFD:
		if (err == EPERM)
			explain_unsafe_interrupts(true, p, buf, len);
		else if (err == EBUSY)
			t = " (another device of its IOMMU group is in use by a kernel driver or another "
			    "process, or the group is open through /dev/vfio/<N> (a type1 container))";
		else if (err == EINVAL)
			t = " (the device is already bound: a cdev is bound once, and it is open through "
			    "its cdev or group in another process)";
		else if (err == ENODEV)
			t = " (the device was removed or unbound from vfio-pci)";
		break;
	case SL_VFIO_OP_ATTACH_IOMMUFD_PT:
		if (err == EADDRINUSE)
			t = " (something mapped there lies in one of the device's reserved IOVA "
			    "ranges)";
		else if (err == EINVAL)
			t = " (the IOAS does not suit the device: its IOMMU cannot share the domain "
			    "(another IOMMU instance or incompatible features), or the IOAS holds "
			    "mappings the device cannot reach; in the default AUTO mode Sluice gives the "
			    "device an IOAS of its own)";
		else if (err == ENOMEM)
			t = MEMLOCK_TEXT;
		else if (err == ENOSPC || err == ERANGE)
			t = " (the IOAS holds mappings beyond the device's IOMMU aperture)";
		break;
	case SL_VFIO_OP_IOMMU_MAP_DMA:
		if (err == ENOMEM)
			t = MEMLOCK_TEXT;
		else if (err == ENOSPC)
			t = " (vfio_iommu_type1 dma_entry_limit reached: the container has as many "
			    "mappings as /sys/module/vfio_iommu_type1/parameters/dma_entry_limit "
			    "allows (default 65535); raise it (echo N > that file, before the "
			    "container is created) or use bigger pages)";
		else if (err == EEXIST)
			t = " (the IOVA range overlaps an existing mapping)";
		else if (err == EINVAL)
			t = " (IOVA or size not aligned to the IOMMU page size, or outside the usable "
			    "IOVA ranges)";
		else if (err == EFAULT)
			t = " (the memory is not mapped in this process)";
		else if (err == EPERM)
			t = " (the memory is mapped read-only, or the container has no IOMMU set)";
		break;
	case SL_VFIO_OP_IOAS_MAP:
	case SL_VFIO_OP_IOAS_COPY:
		if (err == ENOMEM)
			t = MEMLOCK_TEXT;
		else if (err == EEXIST)
			t = " (the IOVA range overlaps an existing mapping)";
		else if (err == EADDRINUSE)
			t = " (the IOVA range lies in a reserved range of an attached device, e.g. the "
			    "MSI window 0xfee00000-0xfeefffff)";
		else if (err == EINVAL)
			t = " (IOVA or size not aligned to the IOAS's alignment, or outside the usable "
			    "IOVA ranges)";
		else if (err == ENOENT && op == SL_VFIO_OP_IOAS_COPY)
			t = " (the source range is not mapped in the source IOAS as one piece)";
		else if (err == EFAULT)
			t = " (the memory is not mapped in this process)";
		break;
	case SL_VFIO_OP_IOAS_ALLOC:
		if (err == ENOTTY || err == EINVAL)
			t = " (/dev/iommu does not speak the iommufd interface Sluice knows: kernel "
			    "older than 6.2?)";
		else if (err == ENOMEM)
			t = " (out of kernel memory)";
		break;
	case SL_VFIO_OP_COUNT:
		break;
	}
	if (t)
		snprintf(buf, len, "%s", t);
	return buf;
}
