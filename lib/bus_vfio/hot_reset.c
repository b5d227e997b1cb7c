/* hot_reset.c: the decision behind bus_vfio's PCI hot reset fallback (see
 * hot_reset.h): may this process reset the whole bus below a device's
 * bridge, which group fds prove it, and which functions are affected or
 * block it. The ownership rules restate the kernel's (vfio_pci_core.c,
 * Linux 6.12): a group-opened device must present the fd of every affected
 * function's group; a cdev-opened one needs every affected function owned
 * by its iommufd (reply flag VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED). On top,
 * Sluice does not reset a function this process has open for another user. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sl_kernel_uapi.h"

#include "hot_reset.h"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

/* Append to BUF (used bytes in *USED); a list that does not fit is cut. */
static void append(char *buf, size_t len, size_t *used, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void append(char *buf, size_t len, size_t *used, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (*used >= len)
		return;
	va_start(ap, fmt);
	w = vsnprintf(buf + *used, len - *used, fmt, ap);
	va_end(ap);
	if (w > 0)
		*used += (size_t)w;
}

static bool is_open_here(const struct sl_hr_input *in, const struct sl_pci_addr *a)
{
	unsigned i;
	for (i = 0; i < in->nb_open; i++)
		if (sl_pci_addr_cmp(&in->open[i], a) == 0)
			return true;
	return false;
}

static int held_group_fd(const struct sl_hr_input *in, uint32_t group)
{
	unsigned i;
	for (i = 0; i < in->nb_held; i++)
		if (in->held[i].id >= 0 && (uint32_t)in->held[i].id == group && in->held[i].fd >= 0)
			return in->held[i].fd;
	return -1;
}

int sl_hr_decide(const struct sl_hr_input *in, int32_t *fds, unsigned *nb_fds, char *msg,
		 size_t len)
{
	char bus[16], list[512] = "", blockers[512] = "";
	size_t lused = 0, bused = 0;
	unsigned i, j, nb_block = 0;

	*nb_fds = 0;
	snprintf(bus, sizeof(bus), "%04" PRIx32 ":%02x", in->self.domain, in->self.bus);
	if (in->nb_affected == 0) {
		snprintf(msg, len, "the kernel listed no function for a hot reset of bus %s", bus);
		return -1;
	}
	for (i = 0; i < in->nb_affected; i++) {
		char name[SL_PCI_ADDR_STRLEN];
		sl_pci_addr_format(&in->affected[i].addr, name, sizeof(name));
		append(list, sizeof(list), &lused, "%s%s", i ? ", " : "", name);
	}

	/* Another function of ours on the bus: a reset would pull the rug
	 * from under whoever drives it. */
	for (i = 0; i < in->nb_affected; i++) {
		const struct sl_pci_addr *a = &in->affected[i].addr;
		char name[SL_PCI_ADDR_STRLEN];
		if (sl_pci_addr_cmp(a, &in->self) == 0 || !is_open_here(in, a))
			continue;
		sl_pci_addr_format(a, name, sizeof(name));
		append(blockers, sizeof(blockers), &bused, "%s%s", nb_block++ ? ", " : "", name);
	}
	if (nb_block) {
		snprintf(msg, len,
			 "a hot reset of bus %s would also reset %s, which this process has open; "
			 "close %s first (affected: %s)", bus, blockers, nb_block > 1 ? "them" : "it",
			 list);
		return -1;
	}

	if (in->cdev) {
		if (!(in->info_flags & VFIO_PCI_HOT_RESET_FLAG_DEV_ID)) {
			snprintf(msg, len, "the kernel reported IOMMU groups, not device ids, for a "
				 "device opened through its cdev; no hot reset of bus %s", bus);
			return -1;
		}
		for (i = 0; i < in->nb_affected; i++) {
			char name[SL_PCI_ADDR_STRLEN];
			if (in->affected[i].id != (uint32_t)VFIO_PCI_DEVID_NOT_OWNED)
				continue;
			sl_pci_addr_format(&in->affected[i].addr, name, sizeof(name));
			append(blockers, sizeof(blockers), &bused, "%s%s", nb_block++ ? ", " : "",
			       name);
		}
		if (nb_block) {
			snprintf(msg, len,
				 "a hot reset of bus %s would also reset %s, which %s not opened "
				 "through this process's iommufd (nor in an IOMMU group with a device "
				 "that is); the kernel allows the reset only when it owns every "
				 "affected function: bind %s to vfio-pci and open %s through Sluice "
				 "too (affected: %s)", bus, blockers, nb_block > 1 ? "are" : "is",
				 nb_block > 1 ? "them" : "it", nb_block > 1 ? "them" : "it", list);
			return -1;
		}
		if (!(in->info_flags & VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED)) {
			snprintf(msg, len,
				 "the kernel does not count every function a hot reset of bus %s "
				 "would reset as owned through this process's iommufd (affected: %s)",
				 bus, list);
			return -1;
		}
		snprintf(msg, len, "hot reset of bus %s affecting %s", bus, list);
		return 0;
	}

	if (in->info_flags & VFIO_PCI_HOT_RESET_FLAG_DEV_ID) {
		snprintf(msg, len, "the kernel reported device ids, not IOMMU groups, for a device "
			 "opened through its group; no hot reset of bus %s", bus);
		return -1;
	}
	for (i = 0; i < in->nb_affected; i++) {
		uint32_t g = in->affected[i].id;
		int fd = held_group_fd(in, g);
		char name[SL_PCI_ADDR_STRLEN];
		bool dup = false;

		if (fd < 0) {
			sl_pci_addr_format(&in->affected[i].addr, name, sizeof(name));
			append(blockers, sizeof(blockers), &bused, "%s%s (IOMMU group %" PRIu32 ")",
			       nb_block++ ? ", " : "", name, g);
			continue;
		}
		for (j = 0; j < *nb_fds; j++)
			if (fds[j] == fd)
				dup = true;
		if (!dup)
			fds[(*nb_fds)++] = fd;
	}
	if (nb_block) {
		*nb_fds = 0;
		snprintf(msg, len,
			 "a hot reset of bus %s would also reset %s, whose VFIO group%s this process "
			 "does not hold; the kernel allows the reset only with the fd of every "
			 "affected group: bind %s to vfio-pci and open %s through Sluice too "
			 "(affected: %s)", bus, blockers, nb_block > 1 ? "s" : "",
			 nb_block > 1 ? "them" : "it", nb_block > 1 ? "them" : "it", list);
		return -1;
	}
	snprintf(msg, len, "hot reset of bus %s affecting %s", bus, list);
	return 0;
}
