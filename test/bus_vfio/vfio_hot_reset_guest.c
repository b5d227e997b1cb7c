/* vfio_hot_reset_guest.c: in-guest test of bus_vfio's PCI hot-reset
 * fallback (run by test/vm/checks/43-bus-vfio-hot-reset in a QEMU guest
 * where each igb sits alone behind its own pcie-root-port).
 *
 *   sl-vfio-hot-reset-guest [--noiommu] BDF=BACKEND...
 *
 * For each device alone:
 *  - with its own sysfs reset_method, the device gets a function-level
 *    reset; with reset_method "bus" alone too (vfio-pci counts any method
 *    of the kernel's as VFIO_DEVICE_FLAGS_RESET);
 *  - with reset_method emptied (no method at all), reopened: VFIO offers no
 *    VFIO_DEVICE_RESET and bus_vfio says (API and log) it uses a hot reset
 *    of the device's bus; registers the reset brings back to their defaults
 *    (RAL0/RAH0 to the permanent MAC, RDBAL0/TDBAL0 to 0 in QEMU's igb) are
 *    changed, sl_pci_reset() is called and they read back at the defaults;
 *    the close logs its hot reset, leaves no fd, and a reopen finds the
 *    device clean and usable (STATUS, vendor id, a register round trip);
 *  - opened with a method, then reset_method emptied while open:
 *    VFIO_DEVICE_RESET fails for want of a method and sl_pci_reset falls
 *    back to the hot reset (registers at defaults again);
 *  - reset_method restored, checked, function-level reset again.
 * With two or more devices, all are then opened together without a method:
 * each gets a hot reset, and resetting one leaves the other's registers
 * untouched (the reset reaches only its own bus). reset_method is restored
 * on every exit path. Exit 0 when every expectation held, 1 otherwise. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sl_bus_vfio.h"
#include "sl_dma_map.h"
#include "sl_eal.h"
#include "test_util.h"

#define IGB_VENDOR 0x8086
#define IGB_STATUS 0x0008
#define IGB_RAL0 0x5400
#define IGB_RAH0 0x5404
#define IGB_RDBAL0 0xc000
#define IGB_TDBAL0 0xe000
#define RAH_AV (1u << 31)

#define MAX_DEVS 4

struct target {
	char bdf[SL_PCI_ADDR_STRLEN];
	enum sl_dma_backend backend;
	char spec[96];              /* -a argument */
	char methods[128];          /* reset_method as found ("" when none) */
	bool saved;
	struct sl_pci_device *dev;
	uint32_t mac_lo, mac_hi;    /* RAL0/RAH0 after a reset: the permanent MAC */
};

static struct target targets[MAX_DEVS];
static int nb_targets;
static int baseline_fds;

/* ---- sysfs reset_method ------------------------------------------------- */

static void method_path(const char *bdf, char *buf, size_t len)
{
	snprintf(buf, len, "/sys/bus/pci/devices/%s/reset_method", bdf);
}

static int methods_read(const char *bdf, char *buf, size_t len)
{
	char path[PATH_MAX];
	FILE *f;
	size_t n;

	method_path(bdf, path, sizeof(path));
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0'; /* empty: no method */
	fclose(f);
	n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

/* Write METHODS ("" disables every reset method). 0 or -1 with errno. */
static int methods_write(const char *bdf, const char *methods)
{
	char path[PATH_MAX], line[160];
	int fd, n, saved;
	ssize_t w;

	method_path(bdf, path, sizeof(path));
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = snprintf(line, sizeof(line), "%s\n", methods);
	w = write(fd, line, (size_t)n);
	saved = errno;
	close(fd);
	errno = saved;
	return w == n ? 0 : -1;
}

static void restore_methods(void)
{
	int i;
	for (i = 0; i < nb_targets; i++) {
		char now[128];
		if (!targets[i].saved)
			continue;
		if (methods_read(targets[i].bdf, now, sizeof(now)) == 0 &&
		    !strcmp(now, targets[i].methods))
			continue;
		if (methods_write(targets[i].bdf, targets[i].methods) != 0)
			printf("FAIL: %s: could not restore reset_method \"%s\": %s\n", targets[i].bdf,
			       targets[i].methods, strerror(errno));
	}
}

static void set_methods(struct target *t, const char *methods)
{
	if (methods_write(t->bdf, methods) != 0)
		fail("%s: writing \"%s\" to reset_method: %s", t->bdf, methods, strerror(errno));
}

/* ---- helpers ------------------------------------------------------------ */

/* HAY (a captured log or a reason) must contain NEEDLE. */
static void expect_in(const struct target *t, const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail("%s: expected \"%s\" in: %s", t->bdf, needle, hay);
}

static bool open_captured(struct target *t, const char **log)
{
	int rc;

	capture_begin();
	rc = sl_pci_dev_open(t->dev);
	*log = capture_end();
	if (rc != 0) {
		fail("%s: open through %s failed: %s", t->bdf, sl_dma_backend_name(t->backend),
		     strerror(errno));
		return false;
	}
	return true;
}

static enum sl_pci_reset_kind reset_kind(struct target *t, char *why, size_t len)
{
	struct sl_pci_device_info info;

	if (sl_pci_device_info(t->dev, &info) != 0) {
		fail("%s: sl_pci_device_info failed", t->bdf);
		return SL_PCI_RESET_NONE;
	}
	if (why)
		snprintf(why, len, "%s", info.reset_reason);
	if (info.has_reset != (info.reset_kind != SL_PCI_RESET_NONE))
		fail("%s: has_reset %d disagrees with reset_kind %s", t->bdf, info.has_reset,
		     sl_pci_reset_kind_name(info.reset_kind));
	return info.reset_kind;
}

static void expect_kind(struct target *t, enum sl_pci_reset_kind want, const char *when)
{
	char why[512];
	enum sl_pci_reset_kind got = reset_kind(t, why, sizeof(why));

	if (got != want)
		fail("%s: %s: reset kind %s, expected %s (%s)", t->bdf, when,
		     sl_pci_reset_kind_name(got), sl_pci_reset_kind_name(want), why);
	else
		note("%s: %s: %s reset (%s)", t->bdf, when, sl_pci_reset_kind_name(got), why);
}

static void close_checked(struct target *t, const char *when)
{
	int fds;

	sl_pci_dev_close(t->dev);
	fds = count_fds();
	if (fds != baseline_fds)
		fail("%s: %d fds open after close (%s), %d before the first open", t->bdf, fds, when,
		     baseline_fds);
}

/* "hot reset of bus 0000:01 affecting 0000:01:00.0" for T */
static void hot_text(const struct target *t, char *buf, size_t len)
{
	snprintf(buf, len, "hot reset of bus %.7s affecting %s", t->bdf, t->bdf);
}

static const uint32_t poke_ral = 0x5a5a1234, poke_rah = RAH_AV | 0x00005a5a;
static const uint32_t poke_rdbal = 0x12345000, poke_tdbal = 0x6789a000;

/* Write values a reset takes away; they must stick first. */
static bool poke(struct target *t)
{
	struct sl_pci_device *d = t->dev;

	if (!sl_pci_bar_map(d, 0, NULL)) {
		fail("%s: BAR0 mmap failed", t->bdf);
		return false;
	}
	sl_pci_bar_write32(d, 0, IGB_RAL0, poke_ral);
	sl_pci_bar_write32(d, 0, IGB_RAH0, poke_rah);
	sl_pci_bar_write32(d, 0, IGB_RDBAL0, poke_rdbal);
	sl_pci_bar_write32(d, 0, IGB_TDBAL0, poke_tdbal);
	if (sl_pci_bar_read32(d, 0, IGB_RAL0) != poke_ral ||
	    sl_pci_bar_read32(d, 0, IGB_RAH0) != poke_rah ||
	    sl_pci_bar_read32(d, 0, IGB_RDBAL0) != poke_rdbal ||
	    sl_pci_bar_read32(d, 0, IGB_TDBAL0) != poke_tdbal) {
		fail("%s: written registers did not stick (RAL0 0x%08x RDBAL0 0x%08x)", t->bdf,
		     sl_pci_bar_read32(d, 0, IGB_RAL0), sl_pci_bar_read32(d, 0, IGB_RDBAL0));
		return false;
	}
	return true;
}

static bool still_poked(struct target *t)
{
	struct sl_pci_device *d = t->dev;
	return sl_pci_bar_read32(d, 0, IGB_RAL0) == poke_ral &&
	       sl_pci_bar_read32(d, 0, IGB_RAH0) == poke_rah &&
	       sl_pci_bar_read32(d, 0, IGB_RDBAL0) == poke_rdbal &&
	       sl_pci_bar_read32(d, 0, IGB_TDBAL0) == poke_tdbal;
}

/* After a reset: registers at their defaults and the device answering. */
static bool at_defaults(struct target *t, const char *after)
{
	struct sl_pci_device *d = t->dev;
	uint32_t ral, rah, rdbal, tdbal, status;
	uint16_t vendor = 0;
	bool ok = true;

	if (!sl_pci_bar_map(d, 0, NULL)) {
		fail("%s: BAR0 mmap failed", t->bdf);
		return false;
	}
	ral = sl_pci_bar_read32(d, 0, IGB_RAL0);
	rah = sl_pci_bar_read32(d, 0, IGB_RAH0);
	rdbal = sl_pci_bar_read32(d, 0, IGB_RDBAL0);
	tdbal = sl_pci_bar_read32(d, 0, IGB_TDBAL0);
	status = sl_pci_bar_read32(d, 0, IGB_STATUS);
	if (ral != t->mac_lo || rah != t->mac_hi) {
		fail("%s: after %s RAL0/RAH0 0x%08x 0x%08x, expected the permanent MAC 0x%08x 0x%08x",
		     t->bdf, after, ral, rah, t->mac_lo, t->mac_hi);
		ok = false;
	}
	if (rdbal != 0 || tdbal != 0) {
		fail("%s: after %s RDBAL0 0x%08x TDBAL0 0x%08x, expected 0 (reset value)", t->bdf,
		     after, rdbal, tdbal);
		ok = false;
	}
	if (status == UINT32_MAX || sl_pci_cfg_read(d, 0, &vendor, 2) != 0 || vendor != IGB_VENDOR) {
		fail("%s: after %s the device does not answer (STATUS 0x%08x, vendor 0x%04x)", t->bdf,
		     after, status, vendor);
		ok = false;
	}
	if (ok)
		note("%s: after %s: MAC back to %08x/%08x, RDBAL0/TDBAL0 0, STATUS 0x%08x", t->bdf,
		     after, ral, rah, status);
	return ok;
}

/* The device is usable: a register keeps what is written. */
static void usable(struct target *t)
{
	sl_pci_bar_write32(t->dev, 0, IGB_RDBAL0, 0xabcde000);
	if (sl_pci_bar_read32(t->dev, 0, IGB_RDBAL0) != 0xabcde000)
		fail("%s: register round trip failed after the reset", t->bdf);
	sl_pci_bar_write32(t->dev, 0, IGB_RDBAL0, 0);
}

/* ---- the sequence for one device ---------------------------------------- */

static void one_device(struct target *t)
{
	char hot[96], why[512];
	const char *log;
	int rc;

	hot_text(t, hot, sizeof(hot));
	printf("== %s via %s (reset_method \"%s\")\n", t->bdf, sl_dma_backend_name(t->backend),
	       t->methods);

	/* 1. as found: a function-level reset */
	if (!open_captured(t, &log))
		return;
	expect_kind(t, t->methods[0] ? SL_PCI_RESET_FUNCTION : SL_PCI_RESET_HOT,
		    "reset_method as found");
	expect_in(t, log, "function-level reset done");
	/* the permanent MAC, as a reset leaves it */
	if (sl_pci_bar_map(t->dev, 0, NULL)) {
		t->mac_lo = sl_pci_bar_read32(t->dev, 0, IGB_RAL0);
		t->mac_hi = sl_pci_bar_read32(t->dev, 0, IGB_RAH0);
	}
	if (!(t->mac_hi & RAH_AV))
		fail("%s: no valid MAC in RAH0 after the open's reset (0x%08x)", t->bdf, t->mac_hi);
	close_checked(t, "as found");

	/* 2. "bus" alone: vfio-pci still offers VFIO_DEVICE_RESET */
	if (methods_write(t->bdf, "bus") != 0) {
		note("%s: reset_method \"bus\" refused (%s): no bus reset for this device",
		     t->bdf, strerror(errno));
	} else if (open_captured(t, &log)) {
		expect_kind(t, SL_PCI_RESET_FUNCTION, "reset_method \"bus\"");
		close_checked(t, "bus");
	}

	/* 3. no method at all: hot reset at open, by sl_pci_reset, at close */
	set_methods(t, "");
	if (!open_captured(t, &log))
		return;
	expect_kind(t, SL_PCI_RESET_HOT, "reset_method empty");
	reset_kind(t, why, sizeof(why));
	expect_in(t, why, "no function-level reset");
	expect_in(t, why, hot);
	expect_in(t, log, "reset at open: no function-level reset");
	expect_in(t, log, hot);
	expect_in(t, log, "hot reset done");
	if (poke(t)) {
		capture_begin();
		rc = sl_pci_reset(t->dev);
		log = capture_end();
		if (rc != 0)
			fail("%s: sl_pci_reset (hot) failed: %s", t->bdf, strerror(errno));
		expect_in(t, log, "reset: no function-level reset");
		expect_in(t, log, hot);
		at_defaults(t, "sl_pci_reset (hot reset)");
	}
	if (poke(t)) {
		capture_begin();
		sl_pci_dev_close(t->dev);
		log = capture_end();
		expect_in(t, log, "reset at close: no function-level reset");
		expect_in(t, log, hot);
		if (count_fds() != baseline_fds)
			fail("%s: %d fds open after close, %d before", t->bdf, count_fds(), baseline_fds);
		else
			note("%s: closed after a hot reset, no fd left", t->bdf);
		/* (vfio-pci also resets the bus itself after the last close of a
		 * device without a function reset; the log shows ours ran) */
		if (open_captured(t, &log)) {
			expect_in(t, log, "reset at open: no function-level reset");
			at_defaults(t, "close and reopen");
			usable(t);
			close_checked(t, "reopen");
		}
	} else {
		close_checked(t, "hot");
	}

	/* 4. the method vanishes while open: VFIO_DEVICE_RESET fails, the
	 * hot reset takes over */
	set_methods(t, t->methods);
	if (t->methods[0] && open_captured(t, &log)) {
		expect_kind(t, SL_PCI_RESET_FUNCTION, "reset_method restored");
		set_methods(t, "");
		if (poke(t)) {
			capture_begin();
			rc = sl_pci_reset(t->dev);
			log = capture_end();
			if (rc != 0)
				fail("%s: sl_pci_reset after reset_method was emptied failed: %s", t->bdf,
				     strerror(errno));
			expect_in(t, log, "no reset method left; trying a hot reset");
			expect_in(t, log, hot);
			expect_kind(t, SL_PCI_RESET_HOT, "reset_method emptied while open");
			at_defaults(t, "fallback from VFIO_DEVICE_RESET to hot reset");
		}
		set_methods(t, t->methods);
		close_checked(t, "fallback");
	}

	/* 5. restored: as found */
	{
		char now[128] = "?";
		if (methods_read(t->bdf, now, sizeof(now)) != 0 || strcmp(now, t->methods) != 0)
			fail("%s: reset_method reads \"%s\" after restoring \"%s\"", t->bdf, now,
			     t->methods);
	}
	if (open_captured(t, &log)) {
		expect_kind(t, t->methods[0] ? SL_PCI_RESET_FUNCTION : SL_PCI_RESET_HOT,
			    "reset_method restored, reopened");
		at_defaults(t, "restored reopen");
		close_checked(t, "restored");
	}
}

/* All open at once, no method anywhere: each reset stays on its bus. */
static void together(void)
{
	int i, j, opened = 0;
	const char *log;

	printf("== all %d devices open together, reset_method empty\n", nb_targets);
	for (i = 0; i < nb_targets; i++)
		set_methods(&targets[i], "");
	for (i = 0; i < nb_targets; i++) {
		if (!open_captured(&targets[i], &log))
			break;
		opened++;
		expect_kind(&targets[i], SL_PCI_RESET_HOT, "opened beside the others");
	}
	if (opened == nb_targets) {
		for (i = 0; i < nb_targets; i++) {
			bool poked = true;
			for (j = 0; j < nb_targets; j++)
				poked &= poke(&targets[j]);
			if (!poked)
				break;
			if (sl_pci_reset(targets[i].dev) != 0)
				fail("%s: sl_pci_reset beside the others failed: %s", targets[i].bdf,
				     strerror(errno));
			at_defaults(&targets[i], "its hot reset beside the others");
			for (j = 0; j < nb_targets; j++) {
				if (j == i)
					continue;
				if (!still_poked(&targets[j]))
					fail("%s: the hot reset of %s changed its registers too",
					     targets[j].bdf, targets[i].bdf);
				else
					note("%s: untouched by the hot reset of %s", targets[j].bdf,
					     targets[i].bdf);
			}
		}
	}
	for (i = 0; i < opened; i++)
		sl_pci_dev_close(targets[i].dev);
	if (count_fds() != baseline_fds)
		fail("%d fds open after closing all, %d before", count_fds(), baseline_fds);
	else
		note("all closed, no fd left");
	for (i = 0; i < nb_targets; i++)
		set_methods(&targets[i], targets[i].methods);
}

int main(int argc, char **argv)
{
	char *eal_argv[32];
	int eal_argc = 0, i;
	bool noiommu = false;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < argc; i++) {
		struct target *t;
		char *eq;
		if (!strcmp(argv[i], "--noiommu")) {
			noiommu = true;
			continue;
		}
		eq = strchr(argv[i], '=');
		if (!eq || nb_targets == MAX_DEVS) {
			fprintf(stderr, "usage: %s [--noiommu] BDF=BACKEND... (at most %d)\n", argv[0],
				MAX_DEVS);
			return 2;
		}
		t = &targets[nb_targets++];
		*eq = '\0';
		snprintf(t->bdf, sizeof(t->bdf), "%s", argv[i]);
		t->backend = sl_dma_backend_parse(eq + 1);
		snprintf(t->spec, sizeof(t->spec), "%s,iommu=%s", argv[i], eq + 1);
	}
	if (nb_targets == 0) {
		fprintf(stderr, "usage: %s [--noiommu] BDF=BACKEND...\n", argv[0]);
		return 2;
	}
	for (i = 0; i < nb_targets; i++) {
		if (methods_read(targets[i].bdf, targets[i].methods, sizeof(targets[i].methods)) != 0) {
			fail("%s: cannot read its reset_method: %s", targets[i].bdf, strerror(errno));
			return 1;
		}
		targets[i].saved = true;
	}
	atexit(restore_methods);

	eal_argv[eal_argc++] = "sl-vfio-hot-reset-guest";
	eal_argv[eal_argc++] = "-l";
	eal_argv[eal_argc++] = "0";
	eal_argv[eal_argc++] = "-m";
	eal_argv[eal_argc++] = "16";
	if (noiommu) {
		eal_argv[eal_argc++] = "--allow-noiommu";
		eal_argv[eal_argc++] = "--iova-mode";
		eal_argv[eal_argc++] = "pa";
	}
	for (i = 0; i < nb_targets; i++) {
		eal_argv[eal_argc++] = "-a";
		eal_argv[eal_argc++] = targets[i].spec;
	}
	eal_argv[eal_argc] = NULL;
	sl_bus_vfio_set_autoprobe(false);
	if (sl_eal_init(eal_argc, eal_argv) < 0) {
		fail("sl_eal_init failed");
		return 1;
	}
	/* INFO shows the "opened via ..." lines with the reset done */
	sl_log_set_component_level("bus_vfio", SL_LOG_INFO);
	for (i = 0; i < nb_targets; i++) {
		targets[i].dev = sl_pci_device_find(targets[i].bdf);
		if (!targets[i].dev || sl_pci_dev_backend(targets[i].dev) != targets[i].backend) {
			fail("%s: not scanned with backend %s", targets[i].bdf,
			     sl_dma_backend_name(targets[i].backend));
			return 1;
		}
	}
	baseline_fds = count_fds();

	for (i = 0; i < nb_targets; i++)
		one_device(&targets[i]);
	if (nb_targets > 1)
		together();

	restore_methods();
	sl_eal_cleanup();
	return test_result("sl-vfio-hot-reset-guest");
}
