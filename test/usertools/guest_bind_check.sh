#!/usr/bin/env bash
# test/usertools/guest_bind_check.sh: usertools/bind.py against a real kernel,
# run as root in the test/vm guest (test/vm/checks/90-bind-py runs it there).
# The four NICs (2 igb, 2 virtio-net) come in on vfio-pci (the test bed binds
# them before the checks); this check gives them back to igb/virtio-pci with
# --unbind and sees their interfaces reappear, checks the refusals for an
# interface with routes and the default route, binds all four again (by
# interface name, short BDF and glob), checks --status --json (driver, group,
# VFIO nodes, backend), hands the nodes to nobody:nogroup, --restores them,
# and finally leaves every NIC on the driver it found it on.
#
# Environment (set by the test bed, see test/vm/run-suite.sh): SCENARIO,
# SLUICE_SRC_DIR, SLUICE_IGB_BDFS, SLUICE_VIRTIO_BDFS. Exit 0 pass, 1 fail,
# 77 not applicable.
set -u

src=${SLUICE_SRC_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
if [ -f "$src/test/vm/check-lib.sh" ]; then
	. "$src/test/vm/check-lib.sh"
else
	check_failures=0 check_name=$(basename "$0")
	fail() { echo "FAIL: $*"; check_failures=$((check_failures + 1)); }
	ok() { echo "  ok: $*"; }
	not_applicable() { echo "$check_name: not applicable: $*"; exit 77; }
	finish() { [ "$check_failures" -eq 0 ] || { echo "$check_name: $check_failures expectation(s) failed"; exit 1; }; echo "$check_name: all expectations met"; exit 0; }
fi

[ "$(id -u)" = 0 ] || not_applicable "needs root"
[ -n "${SLUICE_IGB_BDFS:-}" ] && [ -n "${SLUICE_VIRTIO_BDFS:-}" ] ||
	not_applicable "SLUICE_IGB_BDFS / SLUICE_VIRTIO_BDFS not set (run it in the test/vm guest)"
scenario=${SCENARIO:-iommufd}
read -r -a igb <<<"$SLUICE_IGB_BDFS"
read -r -a virtio <<<"$SLUICE_VIRTIO_BDFS"
all=("${igb[@]}" "${virtio[@]}")
declare -A kdrv
for b in "${igb[@]}"; do kdrv[$b]=igb; done
for b in "${virtio[@]}"; do kdrv[$b]="virtio-pci"; done

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
state=/run/sluice/bind-state.json

# bind.py with a generous probe wait (TCG is slow); output kept in $tmp/out, $tmp/err.
bindpy() {
	echo "+ bind.py $*"
	python3 "$src/usertools/bind.py" --wait 30 "$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	sed 's/^/    | /' "$tmp/out" "$tmp/err"
	return $rc
}

expect_rc() { # want got what
	if [ "$2" = "$1" ]; then ok "$3: exit $2"; else fail "$3: exit $2, expected $1"; fi
}

driver_of() {
	local l
	l=$(readlink "/sys/bus/pci/devices/$1/driver" 2>/dev/null) && basename "$l"
}

# Interface names under /sys/class/net whose device path goes through BDF $1.
iface_of() {
	local n
	for n in /sys/class/net/*; do
		case $(readlink -f "$n") in */"$1"/*) basename "$n" ;; esac
	done
}

# Wait up to 30 s for BDF $1 to have a network interface; prints its name.
wait_iface() {
	local name
	for _ in $(seq 1 60); do
		name=$(iface_of "$1" | head -n 1)
		[ -n "$name" ] && { echo "$name"; return 0; }
		sleep 0.5
	done
	return 1
}

expect_kernel_drivers() { # what
	local b d n
	for b in "${all[@]}"; do
		d=$(driver_of "$b")
		if [ "$d" != "${kdrv[$b]}" ]; then
			fail "$1: $b is on '${d:-no driver}', expected ${kdrv[$b]}"
			continue
		fi
		if n=$(wait_iface "$b"); then
			ok "$1: $b back on $d, interface $n (/sys/class/net/$n -> $b)"
		else
			fail "$1: $b is on $d but no interface under /sys/class/net points at it after 30 s"
		fi
	done
}

expect_vfio() { # what
	local b d
	for b in "${all[@]}"; do
		d=$(driver_of "$b")
		if [ "$d" = vfio-pci ]; then ok "$1: $b on vfio-pci"; else fail "$1: $b is on '${d:-no driver}', expected vfio-pci"; fi
		[ -z "$(iface_of "$b")" ] || fail "$1: $b is on vfio-pci but still has interface $(iface_of "$b")"
	done
}

# Check bind.py --status --json for all NICs: MODE kernel or vfio.
check_status() { # mode
	echo "+ bind.py --status --json"
	python3 "$src/usertools/bind.py" --status --json >"$tmp/status.json" ||
		{ fail "--status --json failed"; return; }
	local kd=()
	for b in "${all[@]}"; do kd+=("$b=${kdrv[$b]}"); done
	python3 - "$1" "$scenario" "$tmp/status.json" "${SLUICE_VM_KERNEL:-6.12}" "$tmp/opens" "$state" "${kd[@]}" <<'EOF'
import json, os, stat, sys
mode, scenario, path, kernel, opens_out, state = sys.argv[1:7]
expected = dict(a.split("=", 1) for a in sys.argv[7:])
data = json.load(open(path))
fails = 0
def fail(msg):
    global fails
    fails += 1
    print("FAIL: --status --json: " + msg)
def ok(msg):
    print("  ok: --status --json: " + msg)
found = {}
for section, devs in data["devices"].items():
    for d in devs:
        found[d["bdf"]] = (section, d)
for bdf, kdrv in expected.items():
    if bdf not in found:
        fail("%s missing" % bdf)
        continue
    section, d = found[bdf]
    sysdev = "/sys/bus/pci/devices/" + bdf
    grp = os.path.basename(os.readlink(sysdev + "/iommu_group")) \
        if os.path.lexists(sysdev + "/iommu_group") else None
    if mode == "kernel":
        if section != "kernel_driver" or d["driver"] != kdrv:
            fail("%s in %s on %s, expected kernel_driver on %s" % (bdf, section, d["driver"], kdrv))
            continue
        names = [i["name"] for i in d["interfaces"]]
        real = [n for n in os.listdir("/sys/class/net")
                if "/%s/" % bdf in os.path.realpath("/sys/class/net/" + n)]
        if not names or sorted(names) != sorted(real):
            fail("%s interfaces %s, /sys/class/net has %s" % (bdf, names, real))
            continue
        if d["backend"] != "none":
            fail("%s on %s but backend %s" % (bdf, kdrv, d["backend"]))
            continue
        ok("%s kernel_driver %s, interface %s, group %s" % (bdf, kdrv, names, d["iommu_group"]))
        continue
    if section != "vfio_pci" or d["driver"] != "vfio-pci":
        fail("%s in %s on %s, expected vfio_pci" % (bdf, section, d["driver"]))
        continue
    if d["original_driver"] != kdrv:
        fail("%s original_driver %s, expected %s" % (bdf, d["original_driver"], kdrv))
    if d["iommu_group"] != grp:
        fail("%s iommu_group %s, sysfs says %s" % (bdf, d["iommu_group"], grp))
    nodes = d["vfio_nodes"]
    cdevonly = kernel == "7.3-cdevonly"
    vdev = os.listdir(sysdev + "/vfio-dev") if os.path.isdir(sysdev + "/vfio-dev") else []
    ncdev = [n for n in vdev if n.startswith("noiommu-vfio")]
    if scenario in ("noiommu", "noiommu-cdev"):
        # Linux 7.3 gives a no-IOMMU device a cdev too, and bind.py shows
        # Sluice's default, which prefers it over the group
        want_group = None if cdevonly else "/dev/vfio/noiommu-%s" % grp
        if ncdev:
            want_backend = "noiommu-cdev"
            want_cdev = "/dev/vfio/devices/" + ncdev[0]
            if nodes.get("cdev", {}).get("path") != want_cdev:
                fail("%s cdev %s, sysfs says %s" % (bdf, nodes.get("cdev"), want_cdev))
            if d["opens"] != ["/dev/iommu", want_cdev]:
                fail("%s opens %s, expected /dev/iommu and %s" % (bdf, d["opens"], want_cdev))
            want_offered = ["noiommu-cdev"] + ([] if cdevonly else ["noiommu"])
            if d.get("backends_offered") != want_offered:
                fail("%s backends offered %s, expected %s" % (bdf, d.get("backends_offered"), want_offered))
        else:
            want_backend = "noiommu"
    else:
        want_backend = "iommufd"  # bind.py shows Sluice's default choice
        # CONFIG_VFIO_GROUP=n: the IOMMU group exists, VFIO makes no node
        want_group = None if cdevonly else "/dev/vfio/%s" % grp
        cdevs = os.listdir(sysdev + "/vfio-dev") if os.path.isdir(sysdev + "/vfio-dev") else []
        want_cdev = "/dev/vfio/devices/" + cdevs[0] if cdevs else None
        if nodes.get("cdev", {}).get("path") != want_cdev:
            fail("%s cdev %s, sysfs says %s" % (bdf, nodes.get("cdev"), want_cdev))
        if d["opens"] != ["/dev/iommu", want_cdev]:
            fail("%s opens %s, expected /dev/iommu and %s" % (bdf, d["opens"], want_cdev))
    if cdevonly and ("container" in nodes or "group" in nodes):
        fail("%s: on a kernel without VFIO groups --status lists %s" % (bdf, nodes))
    if nodes.get("group", {}).get("path") != want_group:
        fail("%s group node %s, expected %s" % (bdf, nodes.get("group"), want_group))
    if d["backend"] != want_backend:
        fail("%s backend %s (%s), expected %s" % (bdf, d["backend"], d["backend_reason"], want_backend))
    for n in d["opens"]:
        if not (os.path.exists(n) and stat.S_ISCHR(os.stat(n).st_mode)):
            fail("%s: %s (to open) is not a character device" % (bdf, n))
    if d["group_members"]:
        fail("%s shares its group: %s" % (bdf, d["group_members"]))
    # the test bed's VT-d remaps interrupts: nothing will be refused
    if d.get("vfio_refusal"):
        fail("%s: vfio_refusal %r, expected none (interrupts are remapped here)" % (bdf, d["vfio_refusal"]))
    ok("%s vfio_pci, group %s, backend %s, opens %s" % (bdf, grp, d["backend"], " ".join(d["opens"])))
msi = data["system"].get("msi_isolation", {})
if scenario not in ("noiommu", "noiommu-cdev") and msi.get("state") != "isolated":
    fail("msi_isolation %s, expected isolated (intel-iommu,intremap=on)" % msi)
elif scenario not in ("noiommu", "noiommu-cdev"):
    ok("MSI isolation: %s (%s)" % (msi["state"], msi["evidence"]))
if mode == "vfio":
    # what each device's user must open, for the -u/-g step (one process
    # fewer than reading the JSON again there)
    with open(opens_out, "w") as f:
        for d in data["devices"].get("vfio_pci", []):
            f.write(" ".join(d["opens"] + [d["vfio_nodes"].get("group", {}).get("path", "")]) + "\n")
    # bind.py's state file records what it took
    if os.path.isfile(state):
        n = len(json.load(open(state))["devices"])
        if n == 4:
            ok("state file records 4 devices")
        else:
            fail("state file records %d devices, expected 4" % n)
    else:
        fail("no state file %s after --bind" % state)
sys.exit(min(fails, 100))
EOF
	local rc=$?
	[ "$rc" = 0 ] || check_failures=$((check_failures + rc))
}

# What the NICs were on when the check started; restored at the end.
declare -A initial
for b in "${all[@]}"; do initial[$b]=$(driver_of "$b"); done
echo "initial drivers: $(for b in "${all[@]}"; do printf '%s=%s ' "$b" "${initial[$b]:-none}"; done)"

# 1. Back to the kernel drivers (the test bed bound them with or without bind.py).
bindpy --unbind "${all[@]}"
expect_rc 0 $? "--unbind of all four NICs"
expect_kernel_drivers "after --unbind"
check_status kernel

# 2. Refusals against real routes, a typo, and no-IOMMU mode.
if0=$(iface_of "${igb[0]}" | head -n 1)
if [ -n "$if0" ] && command -v ip >/dev/null; then
	ip link set "$if0" up && ip addr add 10.231.0.1/24 dev "$if0" || fail "cannot configure $if0 with ip"
	bindpy --bind vfio-pci "$if0"
	expect_rc 3 $? "--bind of $if0 while it is up with a route"
	grep -q "route(s) through it" "$tmp/err" && ok "the refusal names the route" || fail "refusal does not mention the route"
	ip route add default dev "$if0" metric 4242 || fail "cannot add a default route via $if0"
	bindpy --bind vfio-pci "${igb[0]}"
	expect_rc 3 $? "--bind of $if0 carrying the default route"
	grep -q "default route" "$tmp/err" && ok "the refusal names the default route" || fail "refusal does not mention the default route"
	[ "$(driver_of "${igb[0]}")" = igb ] && ok "${igb[0]} still on igb after the refusals" || fail "${igb[0]} left igb after a refusal"
	ip route del default dev "$if0" metric 4242
	ip addr flush dev "$if0"
	ip link set "$if0" down
else
	fail "no interface for ${igb[0]} or no ip command: route refusals not checked"
fi
bindpy --bind vfio_pci "${virtio[0]}"
expect_rc 3 $? "--bind vfio_pci (typo)"
bindpy --noiommu-mode
rc=$?
if [ "$scenario" = noiommu ] || [ "$scenario" = noiommu-cdev ]; then
	expect_rc 0 $rc "--noiommu-mode without an IOMMU (already on)"
else
	expect_rc 3 $rc "--noiommu-mode with an IOMMU present"
fi

# 3. Bind all four: igb by interface name, virtio by short BDF and by glob.
names=()
for b in "${igb[@]}"; do names+=("$(iface_of "$b" | head -n 1)"); done
short=${virtio[0]#0000:}
glob="${virtio[1]%.*}.?"
bindpy --bind vfio-pci "${names[@]}" "$short" "$glob"
expect_rc 0 $? "--bind vfio-pci ${names[*]} $short '$glob'"
expect_vfio "after --bind"
check_status vfio
# the text form: nothing "(missing)" that the kernel cannot have
python3 "$src/usertools/bind.py" --status >"$tmp/status.txt" 2>&1
if grep -q "(missing)" "$tmp/status.txt"; then
	fail "--status shows missing nodes: $(grep "(missing)" "$tmp/status.txt" | head -n 2 | tr -s ' ')"
else
	ok "--status lists no missing VFIO node"
fi
grep -E "VFIO nodes|backend" "$tmp/status.txt" | head -n 4 | sed 's/^/    | /'
# (the state file was checked by check_status vfio)

# 4. Hand the VFIO nodes to nobody:nogroup.
bindpy -u nobody -g nogroup "${all[@]}"
expect_rc 0 $? "-u nobody -g nogroup"
# $tmp/opens: what each device's user opens, written by check_status vfio
for n in $(grep -o '/dev/[^ ]*' "$tmp/opens" | grep -v '^/dev/vfio/vfio$' | sort -u); do
	o=$(stat -c %U:%G "$n")
	[ "$o" = nobody:nogroup ] && ok "$n is nobody:nogroup" || fail "$n is $o, expected nobody:nogroup"
done
grep -q RLIMIT_MEMLOCK "$tmp/out" && ok "-u says what else a non-root user needs" || fail "-u printed no RLIMIT_MEMLOCK advice"

# 5. Restore everything bind.py took.
bindpy --restore
expect_rc 0 $? "--restore"
expect_kernel_drivers "after --restore"
if [ -c /dev/iommu ] && [ "$scenario" != noiommu ]; then
	o=$(stat -c %U:%G /dev/iommu)
	[ "$o" = root:root ] && ok "/dev/iommu back to root:root" || fail "/dev/iommu is $o after --restore"
fi
check_status kernel

# 6. Leave every NIC on the driver it was found on.
back=()
for b in "${all[@]}"; do [ "${initial[$b]}" = vfio-pci ] && back+=("$b"); done
if [ ${#back[@]} -gt 0 ]; then
	bindpy --quiet --bind vfio-pci "${back[@]}"
	expect_rc 0 $? "--bind vfio-pci ${back[*]} (as found)"
fi
for b in "${all[@]}"; do
	d=$(driver_of "$b")
	[ "$d" = "${initial[$b]}" ] || fail "$b left on '${d:-no driver}', found on '${initial[$b]:-no driver}'"
done
finish
