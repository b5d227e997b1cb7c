# test/vm/iommu-faults.sh: the guest suite's IOMMU fault detector (sourced
# by guest-checks.sh, which runs it around every check, and by check-lib.sh,
# so a check can look for its own provoked fault the same way).
#
#   kmsg_now                      the kernel log's current time stamp (s)
#   iommu_faults_since T          kernel log lines after time stamp T that
#                                 report an IOMMU fault or a VFIO warning
#
# What counts as a fault line (raw kernel log, `dmesg -r`, so the level is
# known):
#   - any line, at any level, that is a fault record: Intel VT-d "DMAR:
#     [DMA Read ...] Request device [..] fault addr ..", "[DMA Write ...]",
#     "[INTR-REMAP ...]", "DRHD: handling fault status", AMD-Vi "Event logged
#     [IO_PAGE_FAULT ...]" (and its other event kinds), ARM SMMU "event" /
#     "Unhandled context fault", "iommu fault";
#   - any line at warning level or worse (<= 4) from the IOMMU or VFIO
#     drivers: lines that begin with "vfio-pci ", "vfio:", "VFIO", "DMAR",
#     "AMD-Vi:", "iommu", "arm-smmu" (for a device bound to vfio-pci the PCI
#     core's own warnings begin with "vfio-pci <BDF>:" too);
# except the lines the no-IOMMU scenario logs by design on every bind and
# open ("Adding kernel taint for vfio-noiommu group", "vfio-noiommu device
# opened by user"): that mode is unsafe on purpose, it is not a fault.
# Each line is printed as it appears in the log, with its time stamp.

iommu_fault_regex='DMAR: \[(DMA (Read|Write)|INTR-REMAP)|DRHD: handling fault|[Ff]ault addr|AMD-Vi: Event logged \[|IO_PAGE_FAULT|arm-smmu.*(event|[Ff]ault)|Unhandled context fault|iommu fault|IOMMU fault'
iommu_warn_regex='^ ?(vfio-pci |vfio:|VFIO|DMAR|AMD-Vi:|[Ii][Oo][Mm][Mm][Uu]|intel_iommu|arm-smmu)'
# Linux 7.x's PCI core warns "resetting" / "reset done" for every reset of a
# device whose driver has no reset_prepare hook (pci_dev_save_and_disable),
# vfio-pci included: the resets Sluice asks for (VFIO_DEVICE_RESET, hot
# reset) and vfio-pci's own at close. Not a fault. The 7.3 no-IOMMU cdev
# taints the kernel as the group does.
iommu_benign_regex='Adding kernel taint for vfio-noiommu (group|cdev)|vfio-noiommu device opened by user|^ ?vfio-pci [0-9a-f:.]+: (resetting|reset done)$'

kmsg_now() {
	# the time stamp of the kernel log's last line (0 when empty)
	dmesg -r 2>/dev/null | tail -n 1 | sed -n 's/^<[0-9]*>\[ *\([0-9.]*\)\].*/\1/p' | grep . || echo 0
}

iommu_faults_since() {
	local since=${1:-0}
	dmesg -r 2>/dev/null | awk -v since="$since" -v fre="$iommu_fault_regex" -v wre="$iommu_warn_regex" \
		-v bre="$iommu_benign_regex" '
		match($0, /^<[0-9]+>\[ *[0-9.]+\]/) {
			hdr = substr($0, 1, RLENGTH)
			lvl = substr(hdr, 2, index(hdr, ">") - 2) % 8
			ts = hdr; sub(/^<[0-9]+>\[ */, "", ts); sub(/\]$/, "", ts)
			if (ts + 0 <= since + 0)
				next
			text = substr($0, RLENGTH + 1)
			if (text ~ bre)
				next
			if (text ~ fre || (lvl <= 4 && text ~ wre))
				print "[" ts "]" text
		}'
}
