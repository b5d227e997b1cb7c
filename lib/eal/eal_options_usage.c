/* eal_options_usage.c: what the EAL command line says besides its
 * errors: the --help text, and the debug notes on the DPDK options that
 * were accepted and do nothing in Sluice. */
#include <stdio.h>

#include "eal_private.h"

void eal_print_usage(const char *prgname)
{
	printf("Usage: %s [EAL options] -- [application options]\n\n"
	       "EAL options:\n"
	       "  -l, --lcores LIST        lcores to run, each on the CPU of its number, e.g. 0-1 or\n"
	       "                           0,2-3; LCORE[-LCORE]@CPU runs them on CPU, e.g. 0,1-2@1\n"
	       "                           (default: one lcore per usable CPU)\n"
	       "      --main-lcore N       lcore that runs main() (default: the first of -l)\n"
	       "  -a, --allow BDF[,k=v]    use only these PCI devices, e.g. 0000:01:00.0,iommu=type1\n"
	       "      --vdev NAME[,k=v]    create a virtual device, e.g. null0\n"
	       "      --no-huge            use locked 4 KiB pages instead of hugepages\n"
	       "  -m, --socket-mem MB      memory to reserve at init in MiB (default 64)\n"
	       "      --huge-dir DIR       hugetlbfs mount to take hugepages from\n"
	       "      --iova-mode va|pa    device addresses: virtual (default) or physical\n"
	       "      --base-virtaddr ADDR lowest address for DMA memory (default 0x100000000)\n"
	       "      --log-level LEVEL    err|warning|notice|info|debug or 1-5, or COMPONENT:LEVEL\n"
	       "      --vfio-backend B     auto|iommufd|type1|noiommu for all devices\n"
	       "      --allow-noiommu      allow the unsafe no-IOMMU VFIO mode\n"
	       "      --skip-failed-devices  go on when a device named with -a fails its driver's\n"
	       "                           probe (unnamed devices are always skipped, logged)\n"
	       "  -h, --help               show this help\n"
	       "\nDPDK's EAL options (doc/eal.md has the table):\n"
	       "  -c MASK                  hexadecimal lcore mask, e.g. 0x3 (instead of -l)\n"
	       "  -l/--lcores (0-1)@2,3@(0,1)  DPDK's lcore groups: lcores on a CPU or CPU set\n"
	       "  -b, --block BDF          skip this PCI device (not with -a)\n"
	       "      --no-pci             scan no PCI device\n"
	       "      --vdev net_null0     DPDK's driver names: net_null is Sluice's null\n"
	       "      --log-level 1-8, lib.eal:debug, 'pmd.net.*:8', 'pmd\\.net\\..*,debug'\n"
	       "  accepted, no effect: -n N, -r N, --in-memory, --file-prefix NAME,\n"
	       "      --proc-type primary|auto, --no-shconf, --no-telemetry,\n"
	       "      --single-file-segments, --legacy-mem, --huge-unlink[=always|existing]\n"
	       "  refused: --proc-type secondary, -d, --master-lcore (use --main-lcore),\n"
	       "      --vfio-intr, --vfio-vf-token, --create-uio-dev, --match-allocations, --trace*\n",
	       prgname ? prgname : "app");
}

void eal_log_compat_notes(const struct eal_options *opts)
{
	static const char *const what[NOTE_COUNT] = {
		[NOTE_CHANNELS] = "-n %s (memory channels): accepted, no effect: Sluice does not "
				  "lay objects out by memory channel",
		[NOTE_RANKS] = "-r %s (memory ranks): accepted, no effect",
		[NOTE_IN_MEMORY] = "--in-memory%s: what Sluice always does: no runtime directory, no "
				   "shared config file, hugepage files unlinked right after creation",
		[NOTE_FILE_PREFIX] = "--file-prefix %s: no effect: Sluice creates no runtime files "
				     "to prefix (hugepage files are sluice.PID.N, unlinked at once)",
		[NOTE_PROC_TYPE] = "--proc-type %s: Sluice runs as DPDK's primary process would (it "
				   "has no multi-process support)",
		[NOTE_NO_SHCONF] = "--no-shconf%s: what Sluice always does: it creates no shared "
				   "config file",
		[NOTE_NO_TELEMETRY] = "--no-telemetry%s: Sluice has no telemetry socket",
		[NOTE_SINGLE_FILE_SEGMENTS] = "--single-file-segments%s: no effect: each Sluice "
					      "memory segment is one file (or one memfd) already",
		[NOTE_LEGACY_MEM] = "--legacy-mem%s: no effect: Sluice reserves the -m memory at "
				    "init and grows the heap by whole segments when it runs out",
		[NOTE_HUGE_UNLINK] = "--huge-unlink%s: what Sluice always does: each hugepage file "
				     "is unlinked right after it is created (memfd has none)",
		[NOTE_LOG_NO_MATCH] = "--log-level %s: no Sluice component matches; ignored",
	};

	for (unsigned n = 0; n < NOTE_COUNT; n++) {
		if (!opts->note[n])
			continue;
		char v[72] = "";
		if (n == NOTE_HUGE_UNLINK && opts->note_value[n][0])
			snprintf(v, sizeof(v), "=%s", opts->note_value[n]);
		else if (n == NOTE_CHANNELS || n == NOTE_RANKS || n == NOTE_FILE_PREFIX ||
			 n == NOTE_PROC_TYPE || n == NOTE_LOG_NO_MATCH)
			snprintf(v, sizeof(v), "%s", opts->note_value[n]);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		SL_LOG(DEBUG, EAL_LOG, what[n], v);
#pragma GCC diagnostic pop
	}
}
