/* backend.c: the per-device VFIO backend choice and its reason, from the
 * nodes the device has (vfio-dev/vfioN or vfio-dev/noiommu-vfioN, group
 * /dev/vfio/N or /dev/vfio/noiommu-N) and what the kernel offers
 * (sl_vfio_caps.h: /dev/iommu, the container kind, VFIO groups at all,
 * IOMMU_IOAS_NOIOMMU_GET_PA): forced (-a BDF,iommu=... over
 * --vfio-backend) or automatic; a refusal names what is missing and, where
 * the kernel was built without it, the kernel configuration. Opens no file
 * descriptor of its own (the capability probe opens and closes its own). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bus_vfio_internal.h"
#include "sl_vfio_caps.h"

/* Which nodes the device has, for the log. */
static void nodes_text(const struct sl_pci_device *dev, bool have_group_node, char *buf, size_t len)
{
	char cdev[48] = "no vfio-dev cdev", grp[64];

	if (dev->cdev_index >= 0)
		snprintf(cdev, sizeof(cdev), "vfio-dev/vfio%d", dev->cdev_index);
	else if (dev->noiommu_cdev_index >= 0)
		snprintf(cdev, sizeof(cdev), "vfio-dev/noiommu-vfio%d", dev->noiommu_cdev_index);
	if (dev->iommu_group < 0)
		snprintf(grp, sizeof(grp), "no IOMMU group");
	else if (have_group_node)
		snprintf(grp, sizeof(grp), "/dev/vfio/%s%d", dev->noiommu_group ? "noiommu-" : "",
			 dev->iommu_group);
	else
		snprintf(grp, sizeof(grp), "IOMMU group %d without a /dev/vfio node", dev->iommu_group);
	snprintf(buf, len, "%s, %s", cdev, grp);
}

/* Why there is no group node, in kernel terms. */
static const char *no_group_why(const struct sl_vfio_caps *caps)
{
	return caps->vfio_groups ? "its VFIO group node is missing" :
	       "this kernel has no VFIO groups (CONFIG_VFIO_GROUP=n: device cdevs only)";
}

int bv_choose_backend(struct sl_pci_device *dev, const struct sl_bus_vfio_conf *conf, char *msg,
		      size_t len)
{
	const struct sl_vfio_caps *caps = sl_vfio_caps_get();
	char forced[32] = "", iommu_path[PATH_MAX], group_path[PATH_MAX], ncdev_path[PATH_MAX];
	char nodes[160];
	const char *source = NULL;
	bool have_iommu, have_cdev, have_group, have_noiommu, have_ncdev, have_group_node;
	bool have_container;
	enum sl_dma_backend be;

	if (sl_devarg_get(dev->args, "iommu", forced, sizeof(forced)) == 0) {
		source = "-a ...,iommu=";
	} else if (conf->vfio_backend && conf->vfio_backend[0] &&
		   strcmp(conf->vfio_backend, "auto") != 0) {
		snprintf(forced, sizeof(forced), "%s", conf->vfio_backend);
		source = "--vfio-backend ";
	}
	snprintf(iommu_path, sizeof(iommu_path), "%s/dev/iommu", bv_bus.dev_root);
	snprintf(group_path, sizeof(group_path), "%s/dev/vfio/%s%d", bv_bus.dev_root,
		 dev->noiommu_group ? "noiommu-" : "", dev->iommu_group);
	snprintf(ncdev_path, sizeof(ncdev_path), "%s/dev/vfio/devices/noiommu-vfio%d",
		 bv_bus.dev_root, dev->noiommu_cdev_index);
	have_iommu = bv_path_exists(iommu_path);
	have_group_node = dev->iommu_group >= 0 && bv_path_exists(group_path);
	/* A container to join: VFIO's own or iommufd's compat one. */
	have_container = caps->container != SL_CONTAINER_NONE;
	have_cdev = dev->cdev_index >= 0 && !dev->noiommu_group;
	have_group = !dev->noiommu_group && have_group_node && have_container;
	have_noiommu = dev->noiommu_group && have_group_node && have_container;
	have_ncdev = dev->noiommu_cdev_index >= 0 && have_iommu && bv_path_exists(ncdev_path);
	nodes_text(dev, have_group_node, nodes, sizeof(nodes));

	if (forced[0]) {
		be = sl_dma_backend_parse(forced);
		switch (be) {
		case SL_DMA_BACKEND_IOMMUFD:
			if (dev->noiommu_cdev_index >= 0 || dev->noiommu_group) {
				snprintf(msg, len,
					 "%s: %s%s asks for iommufd, but the device has no IOMMU; use "
					 "iommu=%s with --allow-noiommu", dev->name, source, forced,
					 dev->noiommu_cdev_index >= 0 ? "noiommu-cdev" : "noiommu");
				return -1;
			}
			if (!have_iommu || !have_cdev) {
				snprintf(msg, len,
					 "%s: %s%s asks for iommufd, but %s; use iommu=type1 or a "
					 "kernel with CONFIG_IOMMUFD and CONFIG_VFIO_DEVICE_CDEV",
					 dev->name, source, forced,
					 !have_iommu ? "there is no /dev/iommu" :
					 "the device has no vfio-dev/vfioN cdev");
				return -1;
			}
			snprintf(dev->reason, sizeof(dev->reason), "forced by %s%s", source, forced);
			break;
		case SL_DMA_BACKEND_TYPE1:
			if (!have_group) {
				snprintf(msg, len, "%s: %s%s asks for type1, but %s", dev->name, source,
					 forced,
					 dev->noiommu_group ? "the device is in a no-IOMMU group (no "
					 "IOMMU translates its DMA)" :
					 dev->noiommu_cdev_index >= 0 ? "the device has no IOMMU (no "
					 "IOMMU translates its DMA; it has a no-IOMMU cdev)" :
					 !caps->vfio_groups ? "this kernel has no VFIO groups and no "
					 "container (CONFIG_VFIO_GROUP=n: device cdevs only); use "
					 "iommu=iommufd" :
					 !have_container ? "there is no /dev/vfio/vfio container "
					 "(CONFIG_VFIO_CONTAINER=n and CONFIG_IOMMUFD_VFIO_CONTAINER=n); "
					 "use iommu=iommufd" :
					 "its VFIO group node is missing");
				return -1;
			}
			snprintf(dev->reason, sizeof(dev->reason), "forced by %s%s", source, forced);
			break;
		case SL_DMA_BACKEND_NOIOMMU:
			if (!have_noiommu) {
				bool behind_iommu = dev->cdev_index >= 0 ||
						    (dev->iommu_group >= 0 && !dev->noiommu_group);
				if (!behind_iommu &&
				    (!caps->vfio_groups || (dev->noiommu_group && !have_container)))
					snprintf(msg, len,
						 "%s: %s%s asks for group no-IOMMU, but %s; use "
						 "iommu=noiommu-cdev (no-IOMMU through the device cdev)",
						 dev->name, source, forced,
						 !caps->vfio_groups ? "this kernel has no VFIO groups "
						 "(CONFIG_VFIO_GROUP=n: device cdevs only)" :
						 "there is no /dev/vfio/vfio container "
						 "(CONFIG_VFIO_CONTAINER=n and "
						 "CONFIG_IOMMUFD_VFIO_CONTAINER=n)");
				else
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
		case SL_DMA_BACKEND_NOIOMMU_CDEV:
			if (!have_ncdev) {
				snprintf(msg, len,
					 "%s: %s%s asks for no-IOMMU through the device cdev, but %s",
					 dev->name, source, forced,
					 dev->noiommu_cdev_index < 0 ?
					 (dev->cdev_index >= 0 || (dev->iommu_group >= 0 &&
								   !dev->noiommu_group) ?
					  "the device is behind an IOMMU (use iommu=iommufd)" :
					  "it has no vfio-dev/noiommu-vfioN cdev (that needs Linux 7.3+ "
					  "with CONFIG_IOMMUFD_NOIOMMU, vfio's "
					  "enable_unsafe_noiommu_mode=1 when vfio-pci was bound, and no "
					  "IOMMU for the device)") :
					 !have_iommu ? "there is no /dev/iommu (CONFIG_IOMMUFD)" :
					 "its node /dev/vfio/devices/noiommu-vfioN is missing");
				return -1;
			}
			if (!conf->allow_noiommu) {
				snprintf(msg, len,
					 "%s: no-IOMMU gives the device unchecked DMA to all memory; "
					 "opt in with --allow-noiommu", dev->name);
				return -1;
			}
			snprintf(dev->reason, sizeof(dev->reason),
				 "forced by %s%s, --allow-noiommu given; noiommu-vfio%d present; physical "
				 "addresses from IOMMU_IOAS_NOIOMMU_GET_PA", source, forced,
				 dev->noiommu_cdev_index);
			break;
		default:
			snprintf(msg, len, "%s: unknown VFIO backend '%s' in %s (use iommufd, type1, "
				 "noiommu, noiommu-cdev or auto)", dev->name, forced, source);
			return -1;
		}
		dev->backend = be;
		goto out;
	}

	if (have_iommu && have_cdev) {
		dev->backend = SL_DMA_BACKEND_IOMMUFD;
		snprintf(dev->reason, sizeof(dev->reason), "/dev/iommu and vfio-dev/vfio%d present",
			 dev->cdev_index);
		goto out;
	}
	if (have_group) {
		dev->backend = SL_DMA_BACKEND_TYPE1;
		snprintf(dev->reason, sizeof(dev->reason), "%s, group /dev/vfio/%d present%s",
			 !have_iommu ? "no /dev/iommu" : "no vfio-dev cdev for the device",
			 dev->iommu_group, caps->container == SL_CONTAINER_IOMMUFD_COMPAT ?
			 ", container served by iommufd (compat)" : "");
		goto out;
	}
	if (have_ncdev || have_noiommu) {
		if (!conf->allow_noiommu) {
			char what[128];
			if (have_ncdev && have_noiommu)
				snprintf(what, sizeof(what), "cdev /dev/vfio/devices/noiommu-vfio%d, "
					 "group /dev/vfio/noiommu-%d", dev->noiommu_cdev_index,
					 dev->iommu_group);
			else if (have_ncdev)
				snprintf(what, sizeof(what), "cdev /dev/vfio/devices/noiommu-vfio%d",
					 dev->noiommu_cdev_index);
			else
				snprintf(what, sizeof(what), "group /dev/vfio/noiommu-%d",
					 dev->iommu_group);
			snprintf(msg, len,
				 "%s: only no-IOMMU is available (%s): the device could DMA anywhere in "
				 "memory. Opt in with --allow-noiommu (and --iova-mode pa with "
				 "hugepages), or enable an IOMMU (intel_iommu=on / amd_iommu=on)",
				 dev->name, what);
			return -1;
		}
		/* The cdev path wins where both exist: the kernel pins the memory
		 * and gives its physical addresses (GET_PA), no pagemap. (A kernel
		 * names the cdev noiommu-vfioN only with CONFIG_IOMMUFD_NOIOMMU,
		 * which brings GET_PA; the open explains any refusal.) */
		if (have_ncdev) {
			dev->backend = SL_DMA_BACKEND_NOIOMMU_CDEV;
			snprintf(dev->reason, sizeof(dev->reason),
				 "no IOMMU; noiommu-vfio%d present; physical addresses from "
				 "IOMMU_IOAS_NOIOMMU_GET_PA; pinned by the kernel; --allow-noiommu given",
				 dev->noiommu_cdev_index);
			goto out;
		}
		dev->backend = SL_DMA_BACKEND_NOIOMMU;
		snprintf(dev->reason, sizeof(dev->reason),
			 "no IOMMU, group /dev/vfio/noiommu-%d, --allow-noiommu given", dev->iommu_group);
		goto out;
	}
	snprintf(msg, len,
		 "%s: no VFIO access path: %s (nodes: %s); is vfio-pci bound and the IOMMU enabled "
		 "(intel_iommu=on), or vfio's enable_unsafe_noiommu_mode=1 set before vfio-pci was "
		 "bound?", dev->name,
		 dev->iommu_group < 0 && dev->noiommu_cdev_index < 0 ?
		 "the device has no IOMMU group and no no-IOMMU cdev" :
		 dev->noiommu_cdev_index >= 0 && !have_iommu ?
		 "it has a no-IOMMU cdev but there is no /dev/iommu" :
		 !have_group_node || !caps->vfio_groups ? no_group_why(caps) :
		 "no /dev/vfio/vfio container (CONFIG_VFIO_CONTAINER=n and "
		 "CONFIG_IOMMUFD_VFIO_CONTAINER=n)", nodes);
	return -1;
out:
	dev->ops = dev->backend == SL_DMA_BACKEND_IOMMUFD ? &bv_cdev_ops :
		   dev->backend == SL_DMA_BACKEND_NOIOMMU_CDEV ? &bv_noiommu_cdev_ops : &bv_group_ops;
	snprintf(dev->nodes, sizeof(dev->nodes), "%s", nodes);
	return 0;
}
