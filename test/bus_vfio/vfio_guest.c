/* vfio_guest.c: the in-guest test program of bus_vfio and dma_map (run by
 * test/vm/checks/4x-* in a QEMU guest with real vfio-pci, iommufd, type1 or
 * no-IOMMU). Subcommands:
 *   open [--noiommu] BDF=BACKEND...  each device alone: open, info, BAR0
 *       registers (mmap and pread agree), config space, an MSI-X, MSI and
 *       INTx interrupt each arriving on its eventfd, reset, igb MAC-loopback DMA with byte compare (rx buffer in memory
 *       the EAL added after the open), close, reopen + DMA, close, no fd
 *       left; then all at once in one process (mixed backends) with DMA
 *       through each.
 *   share mixed MODE BDF=BACKEND...  the same with iommufd and type1 devices
 *       in one process: each backend pins the memory once.
 *   share BACKEND BDF...  pinned/locked accounting and mapping time as the
 *       devices are attached one by one, IOAS_COPY vs one IOAS_MAP per
 *       device (iommufd) or the shared container (type1) or the one IOAS
 *       of the no-IOMMU cdevs (noiommu-cdev); memory added later lands in
 *       every address space.
 *   auto BDF0 BDF1  iommufd AUTO mode: the kernel refuses both devices on
 *       the shared IOAS (a page mapped in their MSI window while none was
 *       attached), each gets an IOAS of its own by COPY, pinned once, DMA.
 *   bad CASE [ARG]  one refusal with its message and no fd left: kernel-
 *       driver, nonexistent, malformed, noiommu-optin, noiommu-va,
 *       noiommu-forced, not-viable BDF, memlock BDF, entry-limit BDF (type1,
 *       with dma_entry_limit lowered by the caller), entry-limit-compat BDF
 *       (type1 on iommufd's compat container: no limit, and said so),
 *       forced BDF,iommu=B NEEDLE [NEEDLE2] (a backend the kernel lacks),
 *       iova-range BDF,
 *       iova-late BDF (a 39-bit IOMMU: memory above 2^39 reserved before the
 *       open).
 *   mapfile BDF MIB  iommufd: a MIB MiB segment mapped into the source IOAS
 *       by IOMMU_IOAS_MAP_FILE (or IOMMU_IOAS_MAP with SLUICE_DMA_MAP_FILE=0)
 *       and copied into the shared IOAS: map time and VmPin growth.
 *   getpa BDF  noiommu-cdev (Linux 7.3), as root: the physical address of
 *       every page of every segment (pagemap before the open, GET_PA after)
 *       agrees with /proc/self/pagemap.
 *   dma-fault BDF=BACKEND [IOVA]  on purpose, an igb tx ring whose base is
 *       an IOVA nothing is mapped at (default 0xdead0000): the device's
 *       descriptor fetch must fault in the IOMMU, which the guest kernel
 *       logs (DMAR fault record); test/vm/checks/44-iommu-fault checks that
 *       the suite's fault detector reports it. Prints "DMA-FAULT-IOVA 0x..".
 * Exit 0 when every expectation held, 1 otherwise. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sl_bus_vfio.h"
#include "sl_dma_map.h"
#include "sl_eal.h"
#include "sl_vfio_caps.h"
#include "test_util.h"

#define IGB_VENDOR 0x8086
#define IGB_DEVICE 0x10c9

/* 82576 registers (datasheet offsets) */
#define IGB_CTRL 0x0000
#define IGB_STATUS 0x0008
#define IGB_MDIC 0x0020
#define IGB_RCTL 0x0100
#define IGB_TCTL 0x0400
#define IGB_ICR 0x00c0
#define IGB_ICS 0x00c8
#define IGB_IMS 0x00d0
#define IGB_IMC 0x150c
#define IGB_EIMC 0x1528
#define IGB_RAL0 0x5400
#define IGB_RAH0 0x5404
#define IGB_RDBAL0 0xc000
#define IGB_RDBAH0 0xc004
#define IGB_RDLEN0 0xc008
#define IGB_SRRCTL0 0xc00c
#define IGB_RDH0 0xc010
#define IGB_RDT0 0xc018
#define IGB_RXDCTL0 0xc028
#define IGB_TDBAL0 0xe000
#define IGB_TDBAH0 0xe004
#define IGB_TDLEN0 0xe008
#define IGB_TDH0 0xe010
#define IGB_TDT0 0xe018
#define IGB_TXDCTL0 0xe028

#define CTRL_SLU (1u << 6)
#define RCTL_EN (1u << 1)
#define RCTL_UPE (1u << 3)
#define RCTL_MPE (1u << 4)
#define RCTL_LBM_MAC (1u << 6)
#define RCTL_BAM (1u << 15)
#define RCTL_SECRC (1u << 26)
#define TCTL_EN (1u << 1)
#define TCTL_PSP (1u << 3)
#define QUEUE_ENABLE (1u << 25)
#define TXD_DTYP_DATA 0x00300000u
#define TXD_EOP 0x01000000u
#define TXD_IFCS 0x02000000u
#define TXD_RS 0x08000000u
#define TXD_DEXT 0x20000000u

#define RING 8
#define FRAME_LEN 128

static int baseline_fds;

static int count_seg_fd(const struct sl_memseg *seg, void *arg)
{
	if (seg->fd >= 0)
		(*(int *)arg)++;
	return 0;
}

/* Open fds that belong to the EAL's memory segments (one per hugetlbfs or
 * memfd segment); they come and go with the segments, not with devices. */
static int segment_fds(void)
{
	int n = 0;
	sl_memseg_walk(count_seg_fd, &n);
	return n;
}

/* fds not held by the EAL's segments */
static int device_fds(void)
{
	return count_fds() - segment_fds();
}

/* EAL init with the given -a items; autoprobe off (we drive devices). */
static const char *eal_base_virtaddr; /* --base-virtaddr for eal_start, or NULL */

static int eal_start(int nb, char **allow, bool noiommu, const char *mem_mb)
{
	char *argv[64];
	int argc = 0, i;

	argv[argc++] = "sl-vfio-guest";
	argv[argc++] = "-l";
	argv[argc++] = "0";
	argv[argc++] = "-m";
	argv[argc++] = (char *)(mem_mb ? mem_mb : "16");
	if (noiommu) {
		argv[argc++] = "--allow-noiommu";
		argv[argc++] = "--iova-mode";
		argv[argc++] = "pa";
	}
	if (eal_base_virtaddr) {
		argv[argc++] = "--base-virtaddr";
		argv[argc++] = (char *)eal_base_virtaddr;
	}
	if (getenv("SL_GUEST_LOG_LEVEL")) { /* e.g. bus_vfio:info while debugging */
		argv[argc++] = "--log-level";
		argv[argc++] = getenv("SL_GUEST_LOG_LEVEL");
	}
	for (i = 0; i < nb && argc < 60; i++) {
		argv[argc++] = "-a";
		argv[argc++] = allow[i];
	}
	argv[argc] = NULL;
	sl_bus_vfio_set_autoprobe(false);
	return sl_eal_init(argc, argv);
}

static int64_t status_kb(const char *field)
{
	char line[256];
	size_t n = strlen(field);
	int64_t v = -1;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n) && line[n] == ':')
			v = strtoll(line + n + 1, NULL, 10);
	fclose(f);
	return v;
}

/* Drop CAP_IPC_LOCK so the kernel accounts pinned pages against
 * RLIMIT_MEMLOCK (iommufd does not account for CAP_IPC_LOCK holders). */
static int drop_ipc_lock(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d) != 0)
		return -1;
	d[0].effective &= ~(1u << CAP_IPC_LOCK);
	d[0].permitted &= ~(1u << CAP_IPC_LOCK);
	d[0].inheritable &= ~(1u << CAP_IPC_LOCK);
	return (int)syscall(SYS_capset, &h, d);
}

/* ---- igb MAC loopback --------------------------------------------------- */

struct lb_mem {
	uint8_t *txr, *rxr, *txbuf, *rxbufs;
};

/* Send one frame through the igb in MAC loopback and compare what comes
 * back. RXBUFS may live in a segment added after the device was opened. */
static int igb_loopback(struct sl_pci_device *dev, uint8_t *rxbufs, unsigned tag)
{
	const char *name = sl_pci_device_name(dev);
	uint8_t *txr = sl_dma_zmalloc("lb txr", RING * 16, 128);
	uint8_t *rxr = sl_dma_zmalloc("lb rxr", RING * 16, 128);
	uint8_t *txbuf = sl_dma_zmalloc("lb txbuf", 2048, 2048);
	volatile uint8_t *rxd0 = rxr;
	uint64_t iova;
	unsigned i, waited = 0;
	int rc = -1;

	if (!txr || !rxr || !txbuf) {
		fail("%s: no DMA memory for the loopback rings", name);
		goto out;
	}
	if (sl_pci_set_bus_master(dev, true) != 0) {
		fail("%s: cannot enable bus mastering", name);
		goto out;
	}
	sl_pci_bar_write32(dev, 0, IGB_IMC, 0xffffffff);
	sl_pci_bar_write32(dev, 0, IGB_EIMC, 0xffffffff);
	sl_pci_bar_write32(dev, 0, IGB_CTRL, sl_pci_bar_read32(dev, 0, IGB_CTRL) | CTRL_SLU);
	/* QEMU's igb raises STATUS.LU only when autonegotiation completes:
	 * restart it through the PHY's BMCR (MDIC write, PHY address 1). */
	if (!(sl_pci_bar_read32(dev, 0, IGB_STATUS) & 2)) {
		sl_pci_bar_write32(dev, 0, IGB_MDIC, 0x1200u | (0u << 16) | (1u << 21) | (1u << 26));
		for (i = 0; i < 100 && !(sl_pci_bar_read32(dev, 0, IGB_MDIC) & (1u << 28)); i++)
			usleep(1000);
		for (i = 0; i < 5000 && !(sl_pci_bar_read32(dev, 0, IGB_STATUS) & 2); i++)
			usleep(1000);
		if (!(sl_pci_bar_read32(dev, 0, IGB_STATUS) & 2))
			note("%s: link still down after 5 s of autonegotiation", name);
	}

	/* Rx ring: advanced one-buffer descriptors {pkt_addr, hdr_addr}. */
	for (i = 0; i < RING; i++) {
		uint64_t a = sl_mem_virt2iova(rxbufs + i * 2048);
		memcpy(rxr + i * 16, &a, 8);
		memset(rxr + i * 16 + 8, 0, 8);
	}
	memset(rxbufs, 0xee, RING * 2048);
	iova = sl_mem_virt2iova(rxr);
	sl_pci_bar_write32(dev, 0, IGB_RXDCTL0, 0);
	sl_pci_bar_write32(dev, 0, IGB_RDBAL0, (uint32_t)iova);
	sl_pci_bar_write32(dev, 0, IGB_RDBAH0, (uint32_t)(iova >> 32));
	sl_pci_bar_write32(dev, 0, IGB_RDLEN0, RING * 16);
	sl_pci_bar_write32(dev, 0, IGB_SRRCTL0, 2 | (1u << 25)); /* 2 KiB, adv one buffer */
	sl_pci_bar_write32(dev, 0, IGB_RDH0, 0);
	sl_pci_bar_write32(dev, 0, IGB_RDT0, 0);
	sl_pci_bar_write32(dev, 0, IGB_RXDCTL0, QUEUE_ENABLE);
	sl_pci_bar_write32(dev, 0, IGB_RCTL,
			   RCTL_EN | RCTL_UPE | RCTL_MPE | RCTL_BAM | RCTL_LBM_MAC | RCTL_SECRC);
	sl_pci_bar_write32(dev, 0, IGB_RDT0, RING - 1);

	/* Tx ring */
	iova = sl_mem_virt2iova(txr);
	sl_pci_bar_write32(dev, 0, IGB_TXDCTL0, 0);
	sl_pci_bar_write32(dev, 0, IGB_TDBAL0, (uint32_t)iova);
	sl_pci_bar_write32(dev, 0, IGB_TDBAH0, (uint32_t)(iova >> 32));
	sl_pci_bar_write32(dev, 0, IGB_TDLEN0, RING * 16);
	sl_pci_bar_write32(dev, 0, IGB_TDH0, 0);
	sl_pci_bar_write32(dev, 0, IGB_TDT0, 0);
	sl_pci_bar_write32(dev, 0, IGB_TXDCTL0, QUEUE_ENABLE);
	sl_pci_bar_write32(dev, 0, IGB_TCTL, TCTL_EN | TCTL_PSP);

	/* Frame: broadcast, our own source, a pattern that names the device. */
	memset(txbuf, 0xff, 6);
	for (i = 6; i < 12; i++)
		txbuf[i] = (uint8_t)(0x02 + i);
	txbuf[12] = 0x88;
	txbuf[13] = 0xb5; /* local experimental ethertype */
	for (i = 14; i < FRAME_LEN; i++)
		txbuf[i] = (uint8_t)(i * 7 + tag);
	snprintf((char *)txbuf + 14, 32, "sluice %s", name);
	{
		uint64_t a = sl_mem_virt2iova(txbuf);
		uint32_t cmd = FRAME_LEN | TXD_DTYP_DATA | TXD_DEXT | TXD_EOP | TXD_IFCS | TXD_RS;
		uint32_t olinfo = (uint32_t)FRAME_LEN << 14;
		memcpy(txr, &a, 8);
		memcpy(txr + 8, &cmd, 4);
		memcpy(txr + 12, &olinfo, 4);
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	sl_pci_bar_write32(dev, 0, IGB_TDT0, 1);

	while (!(rxd0[8] & 1) && waited < 2000) {
		usleep(1000);
		waited++;
	}
	if (!(rxd0[8] & 1)) {
		fail("%s: no frame came back in MAC loopback within 2 s (TDH %u, RDH %u, STATUS 0x%x)",
		     name, sl_pci_bar_read32(dev, 0, IGB_TDH0), sl_pci_bar_read32(dev, 0, IGB_RDH0),
		     sl_pci_bar_read32(dev, 0, IGB_STATUS));
		goto stop;
	}
	{
		uint16_t len;
		memcpy(&len, (const void *)(rxd0 + 12), 2);
		if (len != FRAME_LEN) {
			fail("%s: received %u bytes, sent %u", name, len, FRAME_LEN);
			goto stop;
		}
		if (memcmp(rxbufs, txbuf, FRAME_LEN) != 0) {
			fail("%s: received bytes differ from the sent frame", name);
			goto stop;
		}
		if (!(txr[12] & 1))
			fail("%s: tx descriptor not written back (DD clear)", name);
	}
	note("%s: DMA ok: %u-byte frame sent from iova 0x%" PRIx64 " came back at iova 0x%" PRIx64
	     " byte for byte (%s)", name, FRAME_LEN, sl_mem_virt2iova(txbuf),
	     sl_mem_virt2iova(rxbufs), sl_dma_backend_name(sl_pci_dev_backend(dev)));
	rc = 0;
stop:
	sl_pci_bar_write32(dev, 0, IGB_RCTL, 0);
	sl_pci_bar_write32(dev, 0, IGB_TCTL, 0);
	sl_pci_bar_write32(dev, 0, IGB_RXDCTL0, 0);
	sl_pci_bar_write32(dev, 0, IGB_TXDCTL0, 0);
	sl_pci_set_bus_master(dev, false);
out:
	sl_dma_free(txr);
	sl_dma_free(rxr);
	sl_dma_free(txbuf);
	return rc;
}

/* ---- interrupts --------------------------------------------------------- */

/* Make the igb raise an interrupt of TYPE (ICS with IMS set; GPIE left in
 * legacy mode, so QEMU signals MSI-X vector 0, MSI or INTx) and check that
 * the eventfd bus_vfio set up fires. */
static void igb_irq_fires(struct sl_pci_device *dev, enum sl_pci_irq_type type, const char *what)
{
	const char *name = sl_pci_device_name(dev);
	struct pollfd pfd;
	uint64_t count = 0;
	int efd = -1;

	if (sl_pci_irq_count(dev, type) == 0) {
		fail("%s: no %s vectors", name, what);
		return;
	}
	sl_pci_set_bus_master(dev, true); /* MSI/MSI-X are memory writes */
	if (sl_pci_irq_enable(dev, type, 1, &efd) != 0 || efd < 0) {
		fail("%s: enabling %s failed", name, what);
		sl_pci_set_bus_master(dev, false);
		return;
	}
	(void)sl_pci_bar_read32(dev, 0, IGB_ICR);
	sl_pci_bar_write32(dev, 0, IGB_IMS, 1u << 2);  /* LSC */
	sl_pci_bar_write32(dev, 0, IGB_ICS, 1u << 2);
	pfd.fd = efd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 2000) != 1 || read(efd, &count, sizeof(count)) != sizeof(count) || count == 0)
		fail("%s: %s: no interrupt on the eventfd within 2 s", name, what);
	else
		note("%s: %s interrupt arrived on its eventfd", name, what);
	sl_pci_bar_write32(dev, 0, IGB_IMC, 0xffffffff);
	(void)sl_pci_bar_read32(dev, 0, IGB_ICR);
	if (type == SL_PCI_IRQ_INTX && sl_pci_intx_unmask(dev) != 0)
		fail("%s: INTx unmask failed", name);
	if (sl_pci_irq_disable(dev) != 0)
		fail("%s: disabling %s failed", name, what);
	sl_pci_set_bus_master(dev, false);
}

/* ---- open --------------------------------------------------------------- */

static bool ranges_exclude_msi(struct sl_dma_as *as)
{
	struct sl_iova_range r[SL_DMA_MAX_IOVA_RANGES];
	int n = sl_dma_as_iova_ranges(as, r, SL_DMA_MAX_IOVA_RANGES);
	for (int i = 0; i < n && i < SL_DMA_MAX_IOVA_RANGES; i++)
		if (r[i].start <= 0xfee00000ULL && r[i].last >= 0xfee00000ULL)
			return false;
	return n > 0;
}

/* Open one device and exercise its API (left open; closed on failure). */
static int exercise(struct sl_pci_device *dev, enum sl_dma_backend want)
{
	const char *name = sl_pci_device_name(dev);
	struct sl_pci_device_info info;
	struct sl_pci_region reg;
	uint32_t status, ral, rah, via_pread = 0;
	uint16_t vendor = 0;
	size_t len = 0;
	volatile uint32_t *bar;
	int efd[2];

	if (sl_pci_dev_backend(dev) != want)
		fail("%s: backend %s, expected %s", name, sl_dma_backend_name(sl_pci_dev_backend(dev)),
		     sl_dma_backend_name(want));
	if (sl_pci_dev_open(dev) != 0) {
		fail("%s: open through %s failed", name, sl_dma_backend_name(want));
		return -1;
	}
	sl_pci_device_info(dev, &info);
	if (!info.is_open || info.num_regions < 7 || info.num_irqs < 3)
		fail("%s: device info: open %d, %u regions, %u irq types", name, info.is_open,
		     info.num_regions, info.num_irqs);
	if (sl_pci_region_info(dev, 0, &reg) != 0 || reg.size != 128 * 1024 || !reg.mappable)
		fail("%s: BAR0 region info: size %" PRIu64 ", mappable %d", name, reg.size, reg.mappable);
	bar = sl_pci_bar_map(dev, 0, &len);
	if (!bar) {
		fail("%s: BAR0 mmap failed", name);
		goto close;
	}
	status = bar[IGB_STATUS / 4];
	ral = bar[IGB_RAL0 / 4];
	rah = bar[IGB_RAH0 / 4];
	if (sl_pci_region_read(dev, 0, IGB_RAL0, &via_pread, 4) != 0 || via_pread != ral)
		fail("%s: RAL0 by pread 0x%08x, by mmap 0x%08x", name, via_pread, ral);
	if (sl_pci_cfg_read(dev, 0, &vendor, 2) != 0 || vendor != IGB_VENDOR)
		fail("%s: config space vendor id 0x%04x", name, vendor);
	if (!(rah & 0x80000000u) || (ral == 0 && (rah & 0xffff) == 0))
		fail("%s: no valid MAC in RAL0/RAH0 (0x%08x 0x%08x)", name, ral, rah);
	note("%s: %s, BAR0 %zu bytes mapped, STATUS 0x%08x, MAC %02x:%02x:%02x:%02x:%02x:%02x", name,
	     sl_dma_backend_name(want), len, status, ral & 0xff, (ral >> 8) & 0xff, (ral >> 16) & 0xff,
	     ral >> 24, rah & 0xff, (rah >> 8) & 0xff);
	if (!sl_dma_backend_is_noiommu(want) && !ranges_exclude_msi(sl_pci_dev_dma_as(dev)))
		fail("%s: the usable IOVA ranges do not exclude the MSI window", name);
	if (sl_pci_irq_count(dev, SL_PCI_IRQ_MSIX) < 2)
		fail("%s: expected MSI-X vectors, got %u", name, sl_pci_irq_count(dev, SL_PCI_IRQ_MSIX));
	else if (sl_pci_irq_enable(dev, SL_PCI_IRQ_MSIX, 2, efd) != 0 || efd[0] < 0 || efd[1] < 0)
		fail("%s: MSI-X eventfds could not be set up", name);
	else if (sl_pci_irq_disable(dev) != 0)
		fail("%s: MSI-X disable failed", name);
	if (info.vendor_id == IGB_VENDOR) {
		igb_irq_fires(dev, SL_PCI_IRQ_MSIX, "MSI-X");
		igb_irq_fires(dev, SL_PCI_IRQ_MSI, "MSI");
		igb_irq_fires(dev, SL_PCI_IRQ_INTX, "INTx");
	}
	if (info.has_reset && sl_pci_reset(dev) != 0)
		fail("%s: VFIO_DEVICE_RESET failed", name);
	if (sl_pci_dev_dma_as(dev) == NULL)
		fail("%s: no DMA address space", name);
	return 0;
close:
	sl_pci_dev_close(dev);
	return -1;
}

static int cmd_open(int argc, char **argv)
{
	char *allow[8];
	enum sl_dma_backend want[8];
	struct sl_pci_device *devs[8];
	bool noiommu = false;
	int n = 0, i, fds;
	uint8_t *late;

	for (i = 0; i < argc && n < 8; i++) {
		char *eq;
		static char specs[8][96];
		if (!strcmp(argv[i], "--noiommu")) {
			noiommu = true;
			continue;
		}
		if (!strcmp(argv[i], "--iommufd-mode") && i + 1 < argc) {
			const char *m = argv[++i];
			sl_dma_set_iommufd_mode(!strcmp(m, "copy") ? SL_DMA_IOMMUFD_COPY :
						!strcmp(m, "map-each") ? SL_DMA_IOMMUFD_MAP_EACH :
						!strcmp(m, "shared") ? SL_DMA_IOMMUFD_SHARED_IOAS :
								       SL_DMA_IOMMUFD_AUTO);
			note("iommufd mode %s", m);
			continue;
		}
		eq = strchr(argv[i], '=');
		if (!eq) {
			fprintf(stderr, "open: expected BDF=BACKEND, got %s\n", argv[i]);
			return 2;
		}
		*eq = '\0';
		want[n] = sl_dma_backend_parse(eq + 1);
		snprintf(specs[n], sizeof(specs[n]), "%s,iommu=%s", argv[i], eq + 1);
		allow[n] = specs[n];
		n++;
	}
	if (eal_start(n, allow, noiommu, "16") < 0) {
		fail("sl_eal_init failed");
		return 1;
	}
	if (sl_pci_device_count() != (unsigned)n)
		fail("scan kept %u devices, %d named", sl_pci_device_count(), n);
	for (i = 0; i < n; i++)
		devs[i] = sl_pci_device_get((unsigned)i);
	baseline_fds = device_fds();

	/* Each device alone: open, use, close, reopen, use, close. Its rx
	 * buffers come from a block that makes the EAL add a segment after
	 * the device is open (memory added later must reach the device). */
	for (i = 0; i < n; i++) {
		struct sl_dma_stats st0, st1;
		struct sl_pci_device_info info;
		for (int round = 0; round < 2; round++) {
			/* bigger each time, so that it never fits an earlier segment */
			size_t blk_len = (size_t)(24 + 8 * (2 * i + round)) << 20;
			uint8_t *blk;
			if (exercise(devs[i], want[i]) != 0) {
				/* opened? then it was closed already */
				continue;
			}
			sl_dma_get_stats(&st0);
			blk = sl_dma_zmalloc("late block", blk_len, 2u << 20);
			sl_dma_get_stats(&st1);
			if (!blk) {
				fail("%s: could not grow DMA memory after open", sl_pci_device_name(devs[i]));
			} else {
				if (st1.nb_segments <= st0.nb_segments)
					fail("%s: the %zu MiB block did not add a segment",
					     sl_pci_device_name(devs[i]), blk_len >> 20);
				if (sl_pci_device_get((unsigned)i) && want[i] != SL_DMA_BACKEND_NOIOMMU &&
				    st1.nb_ioas_copy + st1.nb_ioas_map + st1.nb_type1_map ==
					    st0.nb_ioas_copy + st0.nb_ioas_map + st0.nb_type1_map)
					fail("%s: the added segment was not mapped", sl_pci_device_name(devs[i]));
				if (sl_pci_device_info(devs[i], &info) == 0 && info.vendor_id == IGB_VENDOR)
					igb_loopback(devs[i], blk + blk_len - (2u << 20),
						     (unsigned)(i * 2 + round));
				sl_dma_free(blk);
			}
			sl_pci_dev_close(devs[i]);
			fds = device_fds();
			if (fds != baseline_fds)
				fail("%s: %d fds open after close, %d before open (round %d)",
				     sl_pci_device_name(devs[i]), fds, baseline_fds, round);
			else
				note("%s: closed, no fd left (round %d)", sl_pci_device_name(devs[i]), round);
		}
	}

	/* All together in one process (mixed backends when asked). */
	late = sl_dma_zmalloc("together rx", RING * 2048, 2048);
	if (!late) {
		fail("no memory for rx buffers");
	} else {
		int opened = 0;
		for (i = 0; i < n; i++)
			if (exercise(devs[i], want[i]) == 0)
				opened++;
		if (opened == n)
			note("%d devices open at once: %s%s%s", n, sl_dma_backend_name(want[0]),
			     n > 1 ? " + " : "", n > 1 ? sl_dma_backend_name(want[1]) : "");
		for (i = 0; i < n; i++) {
			struct sl_pci_device_info info;
			if (sl_pci_dev_fd(devs[i]) >= 0 && sl_pci_device_info(devs[i], &info) == 0 &&
			    info.vendor_id == IGB_VENDOR)
				igb_loopback(devs[i], late, (unsigned)(40 + i));
		}
		sl_dma_map_dump();
		for (i = 0; i < n; i++)
			sl_pci_dev_close(devs[i]);
		sl_dma_free(late);
	}
	fds = device_fds();
	if (fds != baseline_fds)
		fail("%d fds open after closing all, %d before", fds, baseline_fds);
	else
		note("all closed, no fd left besides the EAL's %d segment fd(s)", segment_fds());
	sl_eal_cleanup();
	return test_failures ? 1 : 0;
}

/* The iommufd mode named NAME for the share commands ("map-each" only where
 * MAP_EACH is true); -1 for any other name. */
static int share_mode_parse(const char *name, bool map_each, enum sl_dma_iommufd_mode *mode)
{
	if (!strcmp(name, "auto"))
		*mode = SL_DMA_IOMMUFD_AUTO;
	else if (!strcmp(name, "copy"))
		*mode = SL_DMA_IOMMUFD_COPY;
	else if (map_each && !strcmp(name, "map-each"))
		*mode = SL_DMA_IOMMUFD_MAP_EACH;
	else if (!strcmp(name, "shared"))
		*mode = SL_DMA_IOMMUFD_SHARED_IOAS;
	else
		return -1;
	return 0;
}

/* Start the EAL on the N devices of ALLOW with MEM_MB MiB, after making the
 * kernel account what it pins (unlimited memlock, no CAP_IPC_LOCK), for
 * the commands that read VmPin/VmLck; 0, or -1 with the failure reported. */
static int accounted_eal_start(int n, char **allow, bool noiommu, const char *mem_mb)
{
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	if (setrlimit(RLIMIT_MEMLOCK, &rl) != 0 || drop_ipc_lock() != 0) {
		fail("cannot set RLIMIT_MEMLOCK / drop CAP_IPC_LOCK: %s", strerror(errno));
		return -1;
	}
	if (eal_start(n, allow, noiommu, mem_mb) < 0) {
		fail("sl_eal_init failed");
		return -1;
	}
	return 0;
}

/* ---- auto: the IOAS of its own for a device the shared IOAS refuses ----- */

/* In the default mode (AUTO) iommufd devices share one IOAS; a device the
 * kernel will not attach to it gets an IOAS of its own, filled by COPY from
 * the source IOAS, so its memory is still pinned once. The refusal is
 * provoked for real: while no device is attached, a page is mapped into the
 * shared IOAS at 0xfee00000, inside the MSI window that every device here
 * reserves, so the kernel refuses each attach to it (EADDRINUSE). */
#define AUTO_CLASH_IOVA 0xfee00000ULL

static int cmd_auto(int argc, char **argv)
{
	char *allow[2], specs[2][96];
	struct sl_pci_device *devs[2] = { NULL, NULL };
	struct sl_dma_as *shared = NULL, *as[2] = { NULL, NULL };
	struct sl_dma_stats st0, st1;
	int64_t pin0, pin1;
	uint8_t *rx = NULL;
	void *page = MAP_FAILED;
	bool mapped = false;
	int i, fds;

	if (argc != 2)
		return 2;
	for (i = 0; i < 2; i++) {
		snprintf(specs[i], sizeof(specs[i]), "%s,iommu=iommufd", argv[i]);
		allow[i] = specs[i];
	}
	if (accounted_eal_start(2, allow, false, "32") != 0)
		return 1;
	if (sl_dma_get_iommufd_mode() != SL_DMA_IOMMUFD_AUTO)
		fail("the default iommufd mode is not AUTO");
	fds = device_fds();
	shared = sl_dma_as_get_shared(SL_DMA_BACKEND_IOMMUFD);
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!shared || page == MAP_FAILED) {
		fail("no shared IOAS or no page");
		goto out;
	}
	memset(page, 0x5a, 4096);
	if (sl_dma_as_map(shared, page, AUTO_CLASH_IOVA, 4096) != 0) {
		fail("mapping a page at 0x%llx into the shared IOAS with no device attached failed",
		     (unsigned long long)AUTO_CLASH_IOVA);
		goto out;
	}
	mapped = true;
	pin0 = status_kb("VmPin");
	sl_dma_get_stats(&st0);
	for (i = 0; i < 2; i++) {
		const char *log;
		int rc;

		devs[i] = sl_pci_device_find(argv[i]);
		capture_begin();
		rc = devs[i] ? sl_pci_dev_open(devs[i]) : -1;
		log = capture_end();
		if (rc != 0) {
			fail("%s: open failed although an IOAS of its own should have been used", argv[i]);
			goto out;
		}
		as[i] = sl_pci_dev_dma_as(devs[i]);
		if (as[i] == shared || sl_dma_as_is_shared(as[i]))
			fail("%s joined the shared IOAS although a mapping there lies in its MSI window",
			     argv[i]);
		if (!strstr(log, "Address already in use") || !strstr(log, "cannot join the shared IOAS"))
			fail("%s: the log does not show the kernel's EADDRINUSE and the fallback", argv[i]);
	}
	if (as[0] == as[1])
		fail("both devices got the same IOAS of their own");
	if (sl_dma_as_nb_attached(shared) != 0)
		fail("%u devices are attached to the shared IOAS", sl_dma_as_nb_attached(shared));
	pin1 = status_kb("VmPin");
	sl_dma_get_stats(&st1);
	if (pin0 < 0 || pin1 < 0)
		fail("no VmPin in /proc/self/status");
	else if (pin1 - pin0 != (int64_t)(st1.segment_bytes >> 10))
		fail("VmPin grew by %lld kB for %llu kB of packet memory in two IOAS; expected it once",
		     (long long)(pin1 - pin0), (unsigned long long)(st1.segment_bytes >> 10));
	if (st1.nb_ioas_copy - st0.nb_ioas_copy < 2)
		fail("%llu IOMMU_IOAS_COPY calls for two IOAS; expected at least 2",
		     (unsigned long long)(st1.nb_ioas_copy - st0.nb_ioas_copy));
	rx = sl_dma_zmalloc("auto rx", RING * 2048, 2048);
	for (i = 0; i < 2 && rx; i++)
		if (igb_loopback(devs[i], rx, 0x40 + (unsigned)i) != 0)
			fail("%s: DMA through its own IOAS failed", argv[i]);
	if (!test_failures)
		note("auto: the kernel refused both igb on the shared IOAS (EADDRINUSE: a page mapped "
		     "at 0xfee00000, in their MSI window); each got an IOAS of its own by COPY; VmPin "
		     "+%lld kB for %llu kB of packet memory (pinned once); loopback DMA intact through "
		     "both", (long long)(pin1 - pin0), (unsigned long long)(st1.segment_bytes >> 10));
out:
	sl_dma_free(rx);
	for (i = 0; i < 2; i++)
		if (devs[i])
			sl_pci_dev_close(devs[i]);
	if (mapped && sl_dma_as_unmap(shared, AUTO_CLASH_IOVA, 4096) != 0)
		fail("unmapping the clashing page failed");
	if (shared)
		sl_dma_as_put(shared);
	if (page != MAP_FAILED)
		munmap(page, 4096);
	if (device_fds() != fds)
		fail("%d fds after closing, %d before", device_fds(), fds);
	sl_eal_cleanup();
	return test_failures ? 1 : 0;
}

/* ---- share -------------------------------------------------------------- */

struct share_row {
	int64_t pin_kb, lck_kb, seg_kb;
	uint64_t map_ns, maps, copies;
};

static struct share_row share_now(void)
{
	struct sl_dma_stats st;
	sl_dma_get_stats(&st);
	return (struct share_row){ status_kb("VmPin"), status_kb("VmLck"),
				   (int64_t)(st.segment_bytes >> 10), st.map_ns,
				   st.nb_ioas_map + st.nb_type1_map, st.nb_ioas_copy };
}

/* Attach the devices one by one (a row after each), then add GROW_MB of
 * packet memory with all of them open (row AFTER_ADD), then close. */
static int share_run(enum sl_dma_backend be, int n, char **bdfs, enum sl_dma_iommufd_mode mode,
		     size_t grow_mb, struct share_row *rows, struct share_row *after_add)
{
	struct sl_pci_device *devs[8];
	int i, opened = 0, rc = 0;

	if (be == SL_DMA_BACKEND_IOMMUFD && sl_dma_set_iommufd_mode(mode) != 0) {
		fail("cannot set iommufd mode");
		return -1;
	}
	for (i = 0; i < n; i++)
		devs[i] = sl_pci_device_find(bdfs[i]);
	rows[0] = share_now();
	for (i = 0; i < n; i++) {
		if (!devs[i] || sl_pci_dev_open(devs[i]) != 0) {
			fail("%s: open failed", bdfs[i]);
			rc = -1;
			break;
		}
		opened++;
		rows[i + 1] = share_now();
	}
	if (rc == 0) {
		void *blk = sl_dma_zmalloc("added later", grow_mb << 20, 2u << 20);
		*after_add = share_now();
		if (!blk)
			fail("could not grow DMA memory with %d devices open", n);
		if (after_add->seg_kb == rows[n].seg_kb)
			fail("the %zu MiB block did not add a segment", grow_mb);
		sl_dma_free(blk); /* the heap keeps the segment */
	}
	for (i = 0; i < opened; i++)
		sl_pci_dev_close(devs[i]);
	return rc;
}

static void print_rows(const char *what, int n, struct share_row *rows, struct share_row *add)
{
	printf("  %s\n  devices  segments(KiB)  VmPin(KiB)  VmLck(KiB)  map-calls  copy-calls  "
	       "map-time(us)\n", what);
	for (int i = 0; i <= n + 1; i++) {
		struct share_row *r = i <= n ? &rows[i] : add;
		printf("  %7s  %13" PRId64 "  %10" PRId64 "  %10" PRId64 "  %9" PRIu64 "  %10" PRIu64
		       "  %12.1f\n", i <= n ? (char[8]){ (char)('0' + i), 0 } : "+added", r->seg_kb,
		       r->pin_kb, r->lck_kb, r->maps - rows[0].maps, r->copies - rows[0].copies,
		       (double)(r->map_ns - rows[0].map_ns) / 1000.0);
	}
	fflush(stdout);
}

#define SHARE_REPS 3

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	return a < b ? -1 : a > b;
}

/* share mixed MODE BDF=BACKEND...: iommufd and type1 devices in one process
 * (the mixed scenario). iommufd pins into VmPin, type1 into VmLck, each
 * through its own mapping of the same memory: VmPin grows once, when the
 * first iommufd device is attached, VmLck once, with the first type1
 * device; memory added later with all open grows each once, by one
 * IOMMU_IOAS_MAP into the source IOAS, one copy into the shared IOAS (one
 * per iommufd device in mode copy) and one VFIO_IOMMU_MAP_DMA. Prints which backend each device got. */
static int cmd_share_mixed(int argc, char **argv)
{
	enum sl_dma_iommufd_mode mode;
	const char *mode_name = argv[1];
	char *allow[8], *names[8], specs[8][96], bdf[8][32];
	enum sl_dma_backend want[8];
	struct share_row rows[9], add;
	int n = argc - 2, i, nb_iommufd = 0, nb_type1 = 0;

	if (share_mode_parse(mode_name, false, &mode) != 0)
		return 2;
	if (n > 8)
		n = 8;
	for (i = 0; i < n; i++) {
		const char *eq = strchr(argv[i + 2], '=');
		if (!eq || (size_t)(eq - argv[i + 2]) >= sizeof(bdf[i]))
			return 2;
		snprintf(bdf[i], sizeof(bdf[i]), "%.*s", (int)(eq - argv[i + 2]), argv[i + 2]);
		want[i] = sl_dma_backend_parse(eq + 1);
		if (want[i] == SL_DMA_BACKEND_IOMMUFD)
			nb_iommufd++;
		else if (want[i] == SL_DMA_BACKEND_TYPE1)
			nb_type1++;
		else
			return 2;
		snprintf(specs[i], sizeof(specs[i]), "%.31s,iommu=%.32s", bdf[i], eq + 1);
		allow[i] = specs[i];
		names[i] = bdf[i];
	}
	if (accounted_eal_start(n, allow, false, "64") != 0)
		return 1;
	for (i = 0; i < n; i++) {
		struct sl_pci_device *d = sl_pci_device_find(names[i]);
		enum sl_dma_backend got = d ? sl_pci_dev_backend(d) : SL_DMA_BACKEND_NONE;
		printf("  %s: backend %s (asked %s)\n", names[i], sl_dma_backend_name(got),
		       sl_dma_backend_name(want[i]));
		if (got != want[i])
			fail("%s got backend %s, expected %s", names[i], sl_dma_backend_name(got),
			     sl_dma_backend_name(want[i]));
	}
	if (test_failures || share_run(SL_DMA_BACKEND_IOMMUFD, n, names, mode, 96, rows, &add) != 0)
		goto out;
	{
		char title[160];
		snprintf(title, sizeof(title), "mixed (%d iommufd, %d type1), iommufd mode %s:", nb_iommufd,
			 nb_type1, mode_name);
		print_rows(title, n, rows, &add);
	}
	int64_t mapped = rows[n].seg_kb, added = add.seg_kb - rows[n].seg_kb;
	int seen_iommufd = 0, seen_type1 = 0;
	/* iommufd's compat container (Linux 7.3 without VFIO's container)
	 * charges like iommufd (VmPin) and, as VFIO did, the locked memory
	 * (VmLck): IOPT_PAGES_ACCOUNT_MM for /dev/vfio/vfio. Each backend still
	 * pins once; type1's pin then shows in both. */
	bool compat = sl_vfio_caps_get()->container == SL_CONTAINER_IOMMUFD_COMPAT;
	for (i = 1; i <= n; i++) {
		seen_iommufd += want[i - 1] == SL_DMA_BACKEND_IOMMUFD;
		seen_type1 += want[i - 1] == SL_DMA_BACKEND_TYPE1;
		int64_t pin = rows[i].pin_kb - rows[0].pin_kb, lck = rows[i].lck_kb - rows[0].lck_kb;
		int64_t want_pin = (seen_iommufd ? mapped : 0) + (compat && seen_type1 ? mapped : 0);
		int64_t want_lck = seen_type1 ? mapped : 0;
		if (pin != want_pin || lck != want_lck)
			fail("after %d device(s) (%d iommufd, %d type1): VmPin +%" PRId64 " KiB, VmLck +%"
			     PRId64 " KiB; expected +%" PRId64 " and +%" PRId64 " (%" PRId64
			     " KiB mapped, pinned once per backend)", i, seen_iommufd, seen_type1, pin, lck,
			     want_pin, want_lck, mapped);
	}
	int64_t add_pin = add.pin_kb - rows[n].pin_kb, add_lck = add.lck_kb - rows[n].lck_kb;
	if (compat)
		note("type1 is iommufd's compat container here: its pins count in VmPin and VmLck");
	if (add_pin != (nb_iommufd ? added : 0) + (compat && nb_type1 ? added : 0) ||
	    add_lck != (nb_type1 ? added : 0))
		fail("the %" PRId64 " KiB added with all open: VmPin +%" PRId64 ", VmLck +%" PRId64
		     " KiB (expected once per backend)", added, add_pin, add_lck);
	uint64_t want_copies = mode == SL_DMA_IOMMUFD_COPY ? (uint64_t)nb_iommufd : nb_iommufd ? 1 : 0;
	if (add.copies - rows[n].copies != want_copies)
		fail("the added segment took %" PRIu64 " IOMMU_IOAS_COPY calls, expected %" PRIu64,
		     add.copies - rows[n].copies, want_copies);
	/* one IOMMU_IOAS_MAP into the source IOAS (iommufd), one VFIO_IOMMU_MAP_DMA (type1) */
	if (add.maps - rows[n].maps != (uint64_t)(nb_type1 > 0) + (nb_iommufd > 0))
		fail("the added segment took %" PRIu64 " map calls (IOMMU_IOAS_MAP + VFIO_IOMMU_MAP_DMA), "
		     "expected %d", add.maps - rows[n].maps, (nb_type1 > 0) + (nb_iommufd > 0));
	printf("SHARE-RESULT backend=mixed mode=%s devices=%d iommufd=%d type1=%d mapped_kib=%" PRId64
	       " vmpin_kib=%" PRId64 " vmlck_kib=%" PRId64 " added_kib=%" PRId64 " added_vmpin_kib=%"
	       PRId64 " added_vmlck_kib=%" PRId64 " map_us=%.1f\n", mode_name, n, nb_iommufd, nb_type1,
	       mapped, rows[n].pin_kb - rows[0].pin_kb, rows[n].lck_kb - rows[0].lck_kb, added, add_pin,
	       add_lck, (double)(rows[n].map_ns - rows[0].map_ns) / 1000.0);
out:
	sl_eal_cleanup();
	return test_failures ? 1 : 0;
}

/* share BACKEND MODE BDF...: one mode per process, so every mode sees the
 * same memory (64 MiB at init, then 96 MiB added with all devices open).
 * MODE: copy | map-each | shared (iommufd), shared (type1). The devices are
 * attached one by one SHARE_REPS times; the accounting comes from the first
 * round, the mapping time is the median over the rounds. */
static int cmd_share(int argc, char **argv)
{
	enum sl_dma_backend be;
	enum sl_dma_iommufd_mode mode = SL_DMA_IOMMUFD_COPY;
	const char *mode_name;
	char *allow[8], specs[8][96];
	struct share_row rows[9], add, again[9], unused;
	uint64_t times[SHARE_REPS];
	int n, i, rep;
	int64_t mapped, added, grow1, grown, grow_add, field_base;
	bool pin_field;

	if (argc < 3)
		return 2;
	if (!strcmp(argv[0], "mixed"))
		return cmd_share_mixed(argc, argv);
	be = sl_dma_backend_parse(argv[0]);
	mode_name = argv[1];
	if (share_mode_parse(mode_name, true, &mode) != 0)
		return 2;
	n = argc - 2;
	if (n > 8)
		n = 8;
	for (i = 0; i < n; i++) {
		snprintf(specs[i], sizeof(specs[i]), "%s,iommu=%s", argv[i + 2], argv[0]);
		allow[i] = specs[i];
	}
	if (accounted_eal_start(n, allow, be == SL_DMA_BACKEND_NOIOMMU_CDEV, "64") != 0)
		return 1;
	if (share_run(be, n, argv + 2, mode, 96, rows, &add) != 0)
		goto out;
	times[0] = rows[n].map_ns - rows[0].map_ns;
	for (rep = 1; rep < SHARE_REPS; rep++) {
		/* same devices, same (now larger) memory: time only */
		struct sl_pci_device *d;
		uint64_t t0;
		sl_dma_set_iommufd_mode(mode);
		again[0] = share_now();
		t0 = again[0].map_ns;
		for (i = 0; i < n; i++) {
			d = sl_pci_device_find(argv[i + 2]);
			if (!d || sl_pci_dev_open(d) != 0) {
				fail("%s: reopen failed", argv[i + 2]);
				break;
			}
		}
		again[n] = share_now();
		times[rep] = again[n].map_ns - t0;
		for (i = 0; i < n; i++)
			sl_pci_dev_close(sl_pci_device_find(argv[i + 2]));
	}
	(void)unused;
	{
		char title[160];
		snprintf(title, sizeof(title), "%s, mode %s (%s):", sl_dma_backend_name(be), mode_name,
			 be == SL_DMA_BACKEND_NOIOMMU_CDEV ? "no-IOMMU cdevs, one IOAS for all, "
							     "IOMMU_IOAS_MAP once (IOVA = VA, PAs by GET_PA)" :
			 be != SL_DMA_BACKEND_IOMMUFD ? "all groups in one container" :
			 mode == SL_DMA_IOMMUFD_COPY ? "IOMMU_IOAS_MAP once into a source IOAS, "
						       "IOMMU_IOAS_COPY into each device's IOAS" :
			 mode == SL_DMA_IOMMUFD_MAP_EACH ? "an IOAS per device, one IOMMU_IOAS_MAP "
							   "per device and segment" :
			 mode == SL_DMA_IOMMUFD_AUTO ? "default: one shared IOAS while ranges agree, "
						       "filled by COPY from the source IOAS" :
						       "every device attached to one IOAS, filled by "
						       "COPY from the source IOAS");
		print_rows(title, n, rows, &add);
	}
	mapped = rows[n].seg_kb;
	added = add.seg_kb - rows[n].seg_kb;
	/* iommufd (and its no-IOMMU cdev IOAS) accounts in VmPin, type1 in VmLck */
	pin_field = be == SL_DMA_BACKEND_IOMMUFD || be == SL_DMA_BACKEND_NOIOMMU_CDEV;
#define PINNED(r) (pin_field ? (r).pin_kb : (r).lck_kb)
	field_base = PINNED(rows[0]);
	grow1 = PINNED(rows[1]) - field_base;
	grown = PINNED(rows[n]) - field_base;
	grow_add = PINNED(add) - PINNED(rows[n]);
	if (be == SL_DMA_BACKEND_IOMMUFD && mode == SL_DMA_IOMMUFD_MAP_EACH) {
		if (grow1 != mapped || grown != (int64_t)n * mapped)
			fail("map-each: pinned %" PRId64 " KiB with 1 device, %" PRId64 " KiB with %d "
			     "(expected %d x %" PRId64 ")", grow1, grown, n, n, mapped);
		if (grow_add != (int64_t)n * added)
			fail("map-each: the %" PRId64 " KiB added later pinned %" PRId64 " KiB (expected "
			     "%d x)", added, grow_add, n);
	} else {
		if (grow1 != mapped || grown != grow1)
			fail("%s: pinned %" PRId64 " KiB with 1 device, %" PRId64 " KiB with %d; %" PRId64
			     " KiB are mapped (expected once)", mode_name, grow1, grown, n, mapped);
		if (grow_add != added)
			fail("%s: the %" PRId64 " KiB segment added with %d devices open pinned %" PRId64
			     " KiB (expected once)", mode_name, added, n, grow_add);
	}
	if (be == SL_DMA_BACKEND_IOMMUFD && mode == SL_DMA_IOMMUFD_COPY &&
	    add.copies - rows[n].copies != (uint64_t)n)
		fail("copy: the added segment took %" PRIu64 " copies, expected %d",
		     add.copies - rows[n].copies, n);
	if (be == SL_DMA_BACKEND_IOMMUFD &&
	    (mode == SL_DMA_IOMMUFD_AUTO || mode == SL_DMA_IOMMUFD_SHARED_IOAS) &&
	    add.copies - rows[n].copies != 1)
		fail("%s: the added segment took %" PRIu64 " copies into the shared IOAS, expected 1",
		     mode_name, add.copies - rows[n].copies);
	if (be == SL_DMA_BACKEND_TYPE1 && add.maps - rows[n].maps != 1)
		fail("type1: the added segment took %" PRIu64 " VFIO_IOMMU_MAP_DMA calls, expected 1",
		     add.maps - rows[n].maps);
	qsort(times, SHARE_REPS, sizeof(times[0]), cmp_u64);
	{
		/* IOMMU_IOAS_MAP_FILE (6.13+): the EAL's hugetlbfs/memfd segments
		 * mapped by fd; printed for the checks to assert on */
		struct sl_dma_stats fst;
		sl_dma_get_stats(&fst);
		printf("SHARE-MAP-FILE backend=%s mode=%s map_file_calls=%" PRIu64 " map_calls=%" PRIu64
		       "\n", sl_dma_backend_name(be), mode_name, fst.nb_ioas_map_file, fst.nb_ioas_map);
	}
	printf("SHARE-RESULT backend=%s mode=%s devices=%d mapped_kib=%" PRId64
	       " pinned_1dev_kib=%" PRId64 " pinned_%ddev_kib=%" PRId64 " added_kib=%" PRId64
	       " added_pinned_kib=%" PRId64 " map_us_first=%.1f map_us_median_of_%d=%.1f"
	       " (later rounds map %" PRId64 " KiB)\n",
	       sl_dma_backend_name(be), mode_name, n, mapped, grow1, n, grown, added, grow_add,
	       (double)(rows[n].map_ns - rows[0].map_ns) / 1000.0, SHARE_REPS,
	       (double)times[SHARE_REPS / 2] / 1000.0, add.seg_kb);
#undef PINNED
out:
	sl_eal_cleanup();
	return test_failures ? 1 : 0;
}

/* ---- bad input ---------------------------------------------------------- */

/* sl_eal_init must fail with every NEEDLE in its log and no fd left. */
static void expect_init_refused(const char *what, char *allow, bool noiommu, const char *n1,
				const char *n2)
{
	int fds = count_fds();
	const char *log;
	int rc;

	capture_begin();
	rc = eal_start(1, &allow, noiommu, "16");
	log = capture_end();
	if (rc >= 0) {
		fail("%s: sl_eal_init accepted -a %s", what, allow);
		sl_eal_cleanup();
		return;
	}
	if (n1 && !strstr(log, n1))
		fail("%s: message lacks \"%s\"", what, n1);
	if (n2 && !strstr(log, n2))
		fail("%s: message lacks \"%s\"", what, n2);
	if (count_fds() != fds)
		fail("%s: %d fds before, %d after the refusal", what, fds, count_fds());
	else
		note("%s: refused with a clear message, no fd left", what);
}

static int bad_memlock(char *bdf)
{
	struct rlimit rl = { 1u << 20, 1u << 20 };
	struct sl_pci_device *dev;
	const char *log;
	int fds, rc;

	if (eal_start(1, &bdf, false, "16") < 0) {
		fail("memlock: init failed");
		return 1;
	}
	dev = sl_pci_device_get(0);
	if (setrlimit(RLIMIT_MEMLOCK, &rl) != 0 || drop_ipc_lock() != 0) {
		fail("memlock: cannot lower RLIMIT_MEMLOCK / drop CAP_IPC_LOCK");
		return 1;
	}
	fds = count_fds();
	capture_begin();
	rc = sl_pci_dev_open(dev);
	log = capture_end();
	if (rc == 0) {
		fail("memlock: %s opened with RLIMIT_MEMLOCK 1 MiB and 16 MiB of packet memory", bdf);
		sl_pci_dev_close(dev);
	} else {
		if (!strstr(log, "RLIMIT_MEMLOCK is too low") || !strstr(log, "ulimit -l"))
			fail("memlock: message does not name the limit and the fix");
		if (count_fds() != fds)
			fail("memlock: %d fds before, %d after", fds, count_fds());
		else
			note("memlock: open refused before pinning, with the amount and `ulimit -l`, no fd left");
	}
	sl_eal_cleanup();
	return test_failures ? 1 : 0;
}

/* Run with vfio_iommu_type1's dma_entry_limit lowered to 0 by the caller:
 * the open must be refused before VFIO_IOMMU_MAP_DMA, naming the fix. */
static int bad_entry_limit(char *bdf)
{
	struct sl_pci_device *dev;
	const char *log;
	int fds, rc;

	if (eal_start(1, &bdf, false, "16") < 0) {
		fail("entry-limit: init failed");
		return 1;
	}
	dev = sl_pci_device_get(0);
	fds = count_fds();
	capture_begin();
	rc = sl_pci_dev_open(dev);
	log = capture_end();
	if (rc == 0) {
		fail("entry-limit: %s opened with dma_entry_limit 0", bdf);
		sl_pci_dev_close(dev);
	} else {
		if (!strstr(log, "dma_entry_limit") ||
		    !strstr(log, "/sys/module/vfio_iommu_type1/parameters/dma_entry_limit"))
			fail("entry-limit: message does not name dma_entry_limit and how to raise it");
		if (count_fds() != fds)
			fail("entry-limit: %d fds before, %d after", fds, count_fds());
		else
			note("entry-limit: open refused before mapping, naming dma_entry_limit and the "
			     "value to write, no fd left");
	}
	sl_eal_cleanup();
	return test_failures ? 1 : 0;
}

/* iommufd's compat container has no dma_entry_limit (vfio_iommu_type1 is
 * not even built): the open must work and dma_map must say so, instead of
 * pretending a limit. */
static int compat_entry_limit(char *bdf)
{
	struct sl_pci_device *dev;
	const char *log;
	int fds, rc;

	capture_begin();
	rc = eal_start(1, &bdf, false, "16");
	if (rc < 0) {
		capture_end();
		fail("entry-limit-compat: init failed");
		return 1;
	}
	dev = sl_pci_device_get(0);
	fds = count_fds();
	rc = sl_pci_dev_open(dev);
	log = capture_end();
	if (rc != 0) {
		fail("entry-limit-compat: %s did not open through the compat container", bdf);
	} else {
		if (!strstr(log, "iommufd's compat container"))
			fail("entry-limit-compat: the log does not say /dev/vfio/vfio is iommufd's "
			     "compat container");
		if (!strstr(log, "no DMA entry limit (iommufd compat)"))
			fail("entry-limit-compat: the log does not say \"no DMA entry limit (iommufd "
			     "compat)\"");
		if (strstr(log, "dma_entry_limit"))
			fail("entry-limit-compat: the log names dma_entry_limit, which this kernel "
			     "does not have");
		sl_pci_dev_close(dev);
		if (count_fds() != fds)
			fail("entry-limit-compat: %d fds before, %d after", fds, count_fds());
		else if (!test_failures)
			note("entry-limit-compat: opened through iommufd's compat container, logged "
			     "\"no DMA entry limit (iommufd compat)\", no fd left");
	}
	sl_eal_cleanup();
	return test_failures ? 1 : 0;
}

static int bad_iova(char *bdf)
{
	struct sl_pci_device *dev;
	struct sl_dma_as *as;
	const char *log;
	void *buf;
	int fds;

	if (eal_start(1, &bdf, false, "16") < 0) {
		fail("iova-range: init failed");
		return 1;
	}
	dev = sl_pci_device_get(0);
	fds = count_fds();
	if (sl_pci_dev_open(dev) != 0) {
		fail("iova-range: open failed");
		return 1;
	}
	as = sl_pci_dev_dma_as(dev);
	buf = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(buf, 1, 1 << 20);

	capture_begin();
	errno = 0;
	if (sl_dma_as_map(as, buf, 0xfee00000ULL, 1 << 20) != -1 || errno != ERANGE)
		fail("iova-range: a mapping at 0xfee00000 (MSI window) was accepted");
	if (sl_dma_as_map(as, buf, 1ULL << 48, 4096) != -1 || errno != ERANGE)
		fail("iova-range: a mapping above the 48-bit aperture was accepted");
	log = capture_end();
	if (!strstr(log, "reserved window 0xfee00000-0xfeefffff"))
		fail("iova-range: message does not name the MSI window");
	if (!strstr(log, "outside the usable IOVA ranges"))
		fail("iova-range: message for the aperture is missing");
	if (sl_dma_as_map(as, buf, 0x40000000ULL, 1 << 20) != 0)
		fail("iova-range: a valid explicit mapping at 0x40000000 failed");
	capture_begin();
	if (sl_dma_as_unmap(as, 0x40000000ULL, 0) != -1)
		fail("iova-range: zero-length unmap accepted");
	if (sl_dma_as_unmap(as, 0x40000000ULL, 4096) != -1)
		fail("iova-range: partial unmap accepted");
	capture_end();
	if (sl_dma_as_unmap(as, 0x40000000ULL, 1 << 20) != 0)
		fail("iova-range: unmap of the valid mapping failed");
	munmap(buf, 1 << 20);
	sl_pci_dev_close(dev);
	if (count_fds() != fds)
		fail("iova-range: %d fds before, %d after", fds, count_fds());
	else
		note("iova-range: MSI window and beyond-aperture IOVAs refused, zero/partial unmaps "
		     "refused, valid map/unmap works, no fd left");
	sl_eal_cleanup();
	return test_failures ? 1 : 0;
}

/* Memory reserved before any device attached keeps IOVA = VA (an IOVA is
 * never moved once given out). Placed above what a 39-bit IOMMU reaches,
 * the open that would map it must fail with ERANGE, say why and what to do,
 * and leave no fd behind. (Memory reserved after a device attached gets an
 * allocated IOVA instead: checks 50 and 54 in iommufd-aw39.) */
static int bad_iova_late(char *bdf)
{
	struct sl_pci_device *dev;
	const char *log;
	int fds;

	eal_base_virtaddr = "0x7e0000000000";
	if (eal_start(1, &bdf, false, "16") < 0) {
		fail("iova-late: init failed");
		return 1;
	}
	dev = sl_pci_device_get(0);
	fds = count_fds();
	capture_begin();
	errno = 0;
	if (sl_pci_dev_open(dev) == 0 || errno != ERANGE)
		fail("iova-late: open of %s with memory at 0x7e0000000000 did not fail with ERANGE "
		     "(errno %d)", bdf, errno);
	log = capture_end();
	if (!strstr(log, "outside the usable IOVA ranges"))
		fail("iova-late: message does not say the memory is outside the usable ranges");
	if (!strstr(log, "reserved before any device") || !strstr(log, "--base-virtaddr"))
		fail("iova-late: message does not say why (reserved before any device) and what to do");
	if (count_fds() != fds)
		fail("iova-late: %d fds before, %d after", fds, count_fds());
	else
		note("iova-late: memory above the IOMMU's reach reserved before the open is refused "
		     "(ERANGE, with the reason and --base-virtaddr), no fd left");
	sl_eal_cleanup();
	return test_failures ? 1 : 0;
}

static int cmd_bad(int argc, char **argv)
{
	char spec[128];

	if (argc < 1)
		return 2;
	snprintf(spec, sizeof(spec), "%s", argc > 1 ? argv[1] : "");
	if (!strcmp(argv[0], "kernel-driver")) {
		/* ARG: a BDF held by a kernel driver, ARG2 its driver name */
		char want[96];
		snprintf(want, sizeof(want), "bound to the kernel driver %s", argc > 2 ? argv[2] : "");
		expect_init_refused("device held by a kernel driver", spec, false, want,
				    "usertools/bind.py --bind vfio-pci");
	} else if (!strcmp(argv[0], "nonexistent")) {
		snprintf(spec, sizeof(spec), "0000:7f:1f.7");
		expect_init_refused("nonexistent BDF", spec, false, "no such PCI device", NULL);
	} else if (!strcmp(argv[0], "malformed")) {
		snprintf(spec, sizeof(spec), "0000:zz:00.0");
		/* The EAL's option parser or bus_vfio refuses it, naming it. */
		expect_init_refused("malformed BDF", spec, false, "0000:zz:00.0", "PCI address");
	} else if (!strcmp(argv[0], "noiommu-optin")) {
		expect_init_refused("no-IOMMU without --allow-noiommu", spec, false,
				    "only no-IOMMU is available", "--allow-noiommu");
		/* with the opt-in, but IOVA = VA: open must refuse to map */
	} else if (!strcmp(argv[0], "noiommu-va")) {
		/* opted in, but without --iova-mode pa: the scan hook refuses */
		char *argv2[] = { "sl-vfio-guest", "-l", "0", "-m", "16", "--allow-noiommu", "-a", spec,
				  NULL };
		const char *log;
		int fds = count_fds(), rc;
		sl_bus_vfio_set_autoprobe(false);
		capture_begin();
		rc = sl_eal_init(8, argv2);
		log = capture_end();
		if (rc >= 0) {
			fail("noiommu-va: init accepted a no-IOMMU device with IOVA = VA");
			sl_eal_cleanup();
		} else if (!strstr(log, "--iova-mode pa")) {
			fail("noiommu-va: the message does not say to use --iova-mode pa");
		} else if (count_fds() != fds) {
			fail("noiommu-va: %d fds before, %d after", fds, count_fds());
		} else {
			note("no-IOMMU with IOVA = VA: init refused naming --iova-mode pa, no fd left");
		}
	} else if (!strcmp(argv[0], "noiommu-forced")) {
		char s2[160];
		snprintf(s2, sizeof(s2), "%s,iommu=noiommu", spec);
		expect_init_refused("iommu=noiommu on a device behind an IOMMU", s2, true,
				    "is not in a no-IOMMU group", NULL);
	} else if (!strcmp(argv[0], "not-viable")) {
		/* ARG: a vfio-pci device whose group has kernel-driven members */
		expect_init_refused("group not viable", spec, false, "is not viable",
				    "usertools/bind.py --bind vfio-pci");
	} else if (!strcmp(argv[0], "memlock")) {
		return bad_memlock(spec);
	} else if (!strcmp(argv[0], "entry-limit")) {
		return bad_entry_limit(spec);
	} else if (!strcmp(argv[0], "forced")) {
		/* ARG: BDF,iommu=B; then the needles the refusal must name */
		expect_init_refused("forced backend the kernel lacks", spec, true,
				    argc > 2 ? argv[2] : NULL, argc > 3 ? argv[3] : NULL);
	} else if (!strcmp(argv[0], "entry-limit-compat")) {
		return compat_entry_limit(spec);
	} else if (!strcmp(argv[0], "iova-range")) {
		return bad_iova(spec);
	} else if (!strcmp(argv[0], "iova-late")) {
		return bad_iova_late(spec);
	} else {
		fprintf(stderr, "bad: unknown case %s\n", argv[0]);
		return 2;
	}
	return test_failures ? 1 : 0;
}

/* ---- mapfile: IOMMU_IOAS_MAP_FILE against IOMMU_IOAS_MAP ---------------- */

/* mapfile BDF MIB: igb through iommufd (shared IOAS, default mode), then a
 * segment of MIB MiB reserved with the device open: it goes into the source
 * IOAS (IOMMU_IOAS_MAP_FILE by its hugetlbfs fd where the kernel has it, or
 * IOMMU_IOAS_MAP with SLUICE_DMA_MAP_FILE=0) and is copied into the shared
 * IOAS. Prints the time spent in those ioctls and how much VmPin grew. */
static int cmd_mapfile(int argc, char **argv)
{
	char spec[160];
	char *allow = spec;
	struct sl_pci_device *dev;
	struct sl_dma_stats st0, st1;
	int64_t pin0, pin1;
	unsigned long mb;
	void *blk;

	if (argc < 2) {
		fprintf(stderr, "mapfile BDF MIB\n");
		return 2;
	}
	mb = strtoul(argv[1], NULL, 0);
	snprintf(spec, sizeof(spec), "%s,iommu=iommufd", argv[0]);
	if (accounted_eal_start(1, &allow, false, "16") != 0)
		return 1;
	dev = sl_pci_device_get(0);
	if (sl_pci_dev_open(dev) != 0) {
		fail("mapfile: %s did not open through iommufd", argv[0]);
		sl_eal_cleanup();
		return 1;
	}
	sl_dma_get_stats(&st0);
	pin0 = status_kb("VmPin");
	blk = sl_dma_zmalloc("mapfile", (size_t)mb << 20, 2u << 20);
	sl_dma_get_stats(&st1);
	pin1 = status_kb("VmPin");
	if (!blk) {
		fail("mapfile: %lu MiB could not be reserved: %s", mb, strerror(errno));
	} else {
		const char *knob = getenv("SLUICE_DMA_MAP_FILE");
		printf("MAPFILE-RESULT how=%s size_mib=%lu map_file_calls=%" PRIu64 " map_calls=%" PRIu64
		       " copies=%" PRIu64 " map_ms=%.2f pinned_kib=%" PRId64 "\n",
		       st1.nb_ioas_map_file > st0.nb_ioas_map_file ? "IOMMU_IOAS_MAP_FILE" : "IOMMU_IOAS_MAP",
		       mb, st1.nb_ioas_map_file - st0.nb_ioas_map_file, st1.nb_ioas_map - st0.nb_ioas_map,
		       st1.nb_ioas_copy - st0.nb_ioas_copy, (double)(st1.map_ns - st0.map_ns) / 1e6,
		       pin1 - pin0);
		if (pin1 - pin0 < (int64_t)(mb << 10))
			fail("mapfile: VmPin grew %" PRId64 " KiB for %lu MiB", pin1 - pin0, mb);
		if (knob && !strcmp(knob, "0") && st1.nb_ioas_map_file != st0.nb_ioas_map_file)
			fail("mapfile: SLUICE_DMA_MAP_FILE=0 but IOMMU_IOAS_MAP_FILE was used");
		sl_dma_free(blk);
	}
	sl_pci_dev_close(dev);
	sl_eal_cleanup();
	return test_failures ? 1 : 0;
}

/* ---- getpa: noiommu-cdev's physical addresses against pagemap ----------- */

struct pa_walk {
	int pm_fd;
	unsigned segs, pages, agree;
	uint64_t first_bad_va, first_bad_eal, first_bad_pm;
};

/* Every page of SEG: the EAL's IOVA (the PA it got from GET_PA, or from
 * pagemap for memory reserved before the device) against /proc/self/pagemap. */
static int pa_walk_seg(const struct sl_memseg *seg, void *arg)
{
	struct pa_walk *w = arg;
	w->segs++;
	for (size_t off = 0; off < seg->len; off += seg->page_size) {
		uintptr_t va = (uintptr_t)seg->va + off;
		uint64_t entry = 0, eal = sl_mem_virt2iova((void *)va), pm;
		if (pread(w->pm_fd, &entry, sizeof(entry), (off_t)(va / 4096) * 8) != 8)
			entry = 0;
		pm = (entry & (1ull << 63)) ? (entry & ((1ull << 55) - 1)) * 4096 : 0;
		w->pages++;
		if (pm && pm == eal) {
			w->agree++;
		} else if (!w->first_bad_va) {
			w->first_bad_va = va;
			w->first_bad_eal = eal;
			w->first_bad_pm = pm;
		}
	}
	return 0;
}

/* getpa BDF: as root. The EAL's -m memory is reserved before the device is
 * opened (PAs from pagemap); the open through the no-IOMMU cdev must find
 * GET_PA agreeing for every page (dma_map logs it); memory added after the
 * open gets its PAs from GET_PA (the PA source); then every page of every
 * segment is compared with /proc/self/pagemap. */
static int cmd_getpa(int argc, char **argv)
{
	char spec[160];
	char *allow = spec;
	struct sl_pci_device *dev;
	struct pa_walk w = { .pm_fd = -1 };
	const char *log;
	void *late;
	int fds;

	if (argc < 1) {
		fprintf(stderr, "getpa BDF\n");
		return 2;
	}
	snprintf(spec, sizeof(spec), "%s,iommu=noiommu-cdev", argv[0]);
	setenv("SL_GUEST_LOG_LEVEL", "dma_map:info", 1);
	if (eal_start(1, &allow, true, "16") < 0) {
		fail("getpa: init failed");
		return 1;
	}
	dev = sl_pci_device_get(0);
	fds = device_fds();
	capture_begin();
	if (sl_pci_dev_open(dev) != 0) {
		capture_end();
		fail("getpa: %s did not open through its no-IOMMU cdev", argv[0]);
		sl_eal_cleanup();
		return 1;
	}
	if (sl_pci_dev_backend(dev) != SL_DMA_BACKEND_NOIOMMU_CDEV)
		fail("getpa: %s got backend %s, expected noiommu-cdev", argv[0],
		     sl_dma_backend_name(sl_pci_dev_backend(dev)));
	/* more than the 16 MiB heap holds: a new segment, its PAs from GET_PA */
	late = sl_dma_zmalloc("getpa late", 20u << 20, 2u << 20);
	log = capture_end();
	fputs(log, stdout);
	if (!strstr(log, "IOMMU_IOAS_NOIOMMU_GET_PA agrees with the EAL's physical addresses"))
		fail("getpa: dma_map did not report GET_PA agreeing with pagemap for the memory "
		     "reserved before the open");
	if (!late)
		fail("getpa: 20 MiB reserved after the open failed: %s", strerror(errno));
	w.pm_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (w.pm_fd < 0) {
		fail("getpa: cannot open /proc/self/pagemap: %s", strerror(errno));
	} else {
		sl_memseg_walk(pa_walk_seg, &w);
		close(w.pm_fd);
		printf("GETPA-RESULT segments=%u pages=%u agree=%u\n", w.segs, w.pages, w.agree);
		if (w.segs < 2)
			fail("getpa: %u segment(s); expected the -m memory and the one added after the open",
			     w.segs);
		else if (w.agree != w.pages || w.pages == 0)
			fail("getpa: %u of %u pages agree with pagemap; first other: VA 0x%" PRIx64
			     " EAL 0x%" PRIx64 " pagemap 0x%" PRIx64, w.agree, w.pages, w.first_bad_va,
			     w.first_bad_eal, w.first_bad_pm);
		else
			note("getpa: the physical address of every page of %u segments (%u pages) agrees "
			     "with /proc/self/pagemap (GET_PA for memory added after the open, checked "
			     "against the EAL's pagemap PAs for memory reserved before it)", w.segs, w.pages);
	}
	if (late)
		sl_dma_free(late);
	sl_pci_dev_close(dev);
	if (device_fds() != fds)
		fail("getpa: %d fds before, %d after", fds, device_fds());
	sl_eal_cleanup();
	return test_failures ? 1 : 0;
}

/* dma-fault BDF=BACKEND [IOVA]: make the device read a descriptor from an
 * unmapped IOVA (a tx ring based there, one descriptor posted). The fault
 * itself is seen by the kernel, not here: this only provokes it, checks
 * that the IOVA is really outside every mapped segment, waits a little for
 * the device model to fetch, and shuts the queue down again. */
static int seg_holds_iova(const struct sl_memseg *seg, void *arg)
{
	uint64_t iova = *(const uint64_t *)arg;
	return seg->iova != SL_BAD_IOVA && iova + RING * 16 > seg->iova && iova < seg->iova + seg->len;
}

static int cmd_dma_fault(int argc, char **argv)
{
	static char spec[96];
	char *allow[1], *eq;
	struct sl_pci_device *dev;
	uint64_t iova = 0xdead0000ull;
	const char *name;

	if (argc < 1 || !(eq = strchr(argv[0], '=')))
		return 2;
	if (argc > 1)
		iova = strtoull(argv[1], NULL, 0);
	*eq = '\0';
	snprintf(spec, sizeof(spec), "%s,iommu=%s", argv[0], eq + 1);
	allow[0] = spec;
	if (eal_start(1, allow, false, "16") < 0) {
		fail("EAL init with %s failed", spec);
		return 1;
	}
	dev = sl_pci_device_find(argv[0]);
	if (!dev || sl_pci_dev_open(dev) != 0) {
		fail("%s: cannot open", argv[0]);
		sl_eal_cleanup();
		return 1;
	}
	name = sl_pci_device_name(dev);
	if (sl_memseg_walk(seg_holds_iova, &iova) != 0)
		fail("IOVA 0x%" PRIx64 " belongs to a mapped segment; choose another", iova);
	sl_pci_set_bus_master(dev, true);
	sl_pci_bar_write32(dev, 0, IGB_IMC, 0xffffffff);
	sl_pci_bar_write32(dev, 0, IGB_EIMC, 0xffffffff);
	sl_pci_bar_write32(dev, 0, IGB_TXDCTL0, 0);
	sl_pci_bar_write32(dev, 0, IGB_TDBAL0, (uint32_t)iova);
	sl_pci_bar_write32(dev, 0, IGB_TDBAH0, (uint32_t)(iova >> 32));
	sl_pci_bar_write32(dev, 0, IGB_TDLEN0, RING * 16);
	sl_pci_bar_write32(dev, 0, IGB_TDH0, 0);
	sl_pci_bar_write32(dev, 0, IGB_TDT0, 0);
	sl_pci_bar_write32(dev, 0, IGB_TXDCTL0, QUEUE_ENABLE);
	sl_pci_bar_write32(dev, 0, IGB_TCTL, TCTL_EN | TCTL_PSP);
	printf("DMA-FAULT-IOVA 0x%" PRIx64 " %s (%s): tx ring based at an unmapped IOVA, one "
	       "descriptor posted\n", iova, name, sl_dma_backend_name(sl_pci_dev_backend(dev)));
	sl_pci_bar_write32(dev, 0, IGB_TDT0, 1);
	usleep(300 * 1000);
	note("%s: TDH %u after the post", name,
	     sl_pci_bar_read32(dev, 0, IGB_TDH0));
	sl_pci_bar_write32(dev, 0, IGB_TCTL, 0);
	sl_pci_bar_write32(dev, 0, IGB_TXDCTL0, 0);
	sl_pci_set_bus_master(dev, false);
	sl_pci_dev_close(dev);
	sl_eal_cleanup();
	return test_failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		fprintf(stderr, "usage: %s open|share|bad|auto|dma-fault ...\n", argv[0]);
		return 2;
	}
	if (!strcmp(argv[1], "open"))
		rc = cmd_open(argc - 2, argv + 2);
	else if (!strcmp(argv[1], "share"))
		rc = cmd_share(argc - 2, argv + 2);
	else if (!strcmp(argv[1], "bad"))
		rc = cmd_bad(argc - 2, argv + 2);
	else if (!strcmp(argv[1], "auto"))
		rc = cmd_auto(argc - 2, argv + 2);
	else if (!strcmp(argv[1], "dma-fault"))
		rc = cmd_dma_fault(argc - 2, argv + 2);
	else if (!strcmp(argv[1], "getpa"))
		rc = cmd_getpa(argc - 2, argv + 2);
	else if (!strcmp(argv[1], "mapfile"))
		rc = cmd_mapfile(argc - 2, argv + 2);
	else
		rc = 2;
	if (rc == 0)
		printf("%s %s: all expectations met\n", argv[0], argv[1]);
	else if (rc == 1)
		printf("%s %s: %d expectation(s) failed\n", argv[0], argv[1], test_failures);
	return rc;
}
