#!/usr/bin/env bash
# test/packaging/run-packaging-test.sh: the Debian packages end to end, as a
# user gets them (doc/packaging.md). As root on Debian 12, with what
# devtools/install-deps.sh installs:
#   1. copies the work tree (the files git knows, as they are now: in CI's
#      fresh clone that is HEAD) to a temp dir and builds the packages there
#      with dpkg-buildpackage -us -uc -b (no root, no hugepages needed);
#   2. checks what was built (SONAME and package name, computed
#      dependencies, man pages, no tests or benchmarks, no -march=native)
#      and runs lintian: no error, and every warning listed in
#      doc/packaging.md;
#   3. installs them with dpkg, builds test/packaging/sluice-app.c against
#      the installed `pkg-config sluice` (shared and static), runs it and the
#      installed testpmd-lite over null ports, runs the installed
#      `sluice-bind --status --json` and `sluice-hugepages --show --json`,
#      checks the boot unit and its helper;
#   4. purges them and checks nothing is left behind.
# The machine is restored on every exit (trap): packages this test
# installed are purged, the temp dir removed. Packages of these names that
# were installed before, by someone else, are never touched: the test then
# fails saying so. A check that does not apply says why ("n/a: ...") and is
# counted as neither passed nor failed.
# Ends with "N passed, N failed" (and "N n/a"); exit 1 if any failed.
# Usage: run-packaging-test.sh [--keep]   (--keep: leave the temp dir)
set -uo pipefail
cd "$(dirname "$0")/../.."
top=$(pwd)
keep=0
[ "${1:-}" = --keep ] && keep=1

pkgs=(libsluice0 libsluice-rte0 libsluice-dev sluice-tools sluice-doc)
# Written before this test installs the packages, removed after it purged
# them: packages found installed with it there are this test's leftovers.
stamp=/var/lib/sluice-packaging-test.installed
t_start=$SECONDS
passed=0 failed=0 na=0
ok()   { passed=$((passed + 1)); echo "ok    $*"; }
bad()  { failed=$((failed + 1)); echo "FAIL  $*"; }
skip() { na=$((na + 1)); echo "n/a: $*"; }
check() { # description command...: ok if the command succeeds (its output shown on failure)
  local desc=$1 out; shift
  if out=$("$@" 2>&1); then ok "$desc"; else bad "$desc"; printf '%s\n' "$out" | tail -n 20 | sed 's/^/      /'; fi
}
summary() {
  echo "packaging test: $((SECONDS - t_start)) s"
  echo "$na n/a"
  echo "$passed passed, $failed failed"
}
installed() { # PACKAGE: installed, or its config files are (anything but not-installed)
  local s
  s=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) && [ -n "$s" ] && [ "${s##* }" != not-installed ]
}

tmp=
cleanup() {
  local p left=()
  if [ -f "$stamp" ]; then
    for p in "${pkgs[@]}"; do installed "$p" && left+=("$p"); done
    if [ ${#left[@]} -gt 0 ]; then
      echo "packaging test: purging ${left[*]} (restoring the machine)"
      dpkg --purge "${left[@]}" >/dev/null 2>&1 || echo "packaging test: purge of ${left[*]} failed; see dpkg -l" >&2
    fi
    rm -f "$stamp"
  fi
  if [ -n "$tmp" ]; then
    if [ "$keep" = 1 ]; then echo "packaging test: kept $tmp"; else rm -rf "$tmp"; fi
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- preconditions ------------------------------------------------------------
if [ "$(id -u)" != 0 ]; then
  bad "run as root (it installs and purges packages with dpkg)"; summary; exit 1
fi
missing=()
for tool in dpkg-buildpackage dh lintian help2man dh_python3 meson ninja cc pkg-config objdump python3 git; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  bad "tools missing: ${missing[*]} (devtools/install-deps.sh installs them)"; summary; exit 1
fi
foreign=()
for p in "${pkgs[@]}"; do
  if installed "$p"; then
    if [ -f "$stamp" ]; then
      echo "packaging test: $p left installed by an interrupted run of this test: purging it"
      dpkg --purge "$p" >/dev/null || { bad "cannot purge $p left by an earlier run"; summary; exit 1; }
    else
      foreign+=("$p")
    fi
  fi
done
rm -f "$stamp"
if [ ${#foreign[@]} -gt 0 ]; then
  bad "${foreign[*]} installed on this machine, not by this test: not touching them (purge them to run this test)"
  summary; exit 1
fi
for d in /etc/sluice /usr/include/sluice /usr/share/sluice /usr/libexec/sluice; do
  if [ -e "$d" ]; then
    bad "$d exists though no Sluice package is installed (a meson install to /usr?): the purge check could not tell; remove it to run this test"
    summary; exit 1
  fi
done

tmp=$(mktemp -d /tmp/sluice-packaging.XXXXXX)
src=$tmp/src
mkdir -p "$src"

# ---- 1. build in a clean copy ---------------------------------------------
echo "packaging test: copying the work tree to $src"
if [ -e .git ]; then
  git ls-files -z -co --exclude-standard | tar --null -T - --ignore-failed-read -cf - 2>/dev/null | tar -xf - -C "$src"
else
  tar --exclude='./build*' --exclude=./.cache -cf - . | tar -xf - -C "$src"
fi
echo "packaging test: dpkg-buildpackage -us -uc -b (log: build.log)"
t0=$SECONDS
if (cd "$src" && DEB_BUILD_OPTIONS="parallel=2 ${DEB_BUILD_OPTIONS:-}" dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1; then
  ok "dpkg-buildpackage -us -uc -b ($((SECONDS - t0)) s)"
else
  bad "dpkg-buildpackage -us -uc -b failed"; tail -n 40 "$tmp/build.log" | sed 's/^/      /'
  summary; exit 1
fi

version=$(cd "$src" && dpkg-parsechangelog -S Version)
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
meson_version=$(sed -n "s/^ *version: *'\([^']*\)'.*/\1/p" meson.build | head -n 1)
check "debian/changelog version $version is meson's project version $meson_version" test "$version" = "$meson_version"

debs=()
for p in "${pkgs[@]}"; do
  a=$arch; [ "$p" = sluice-doc ] && a=all
  f=$tmp/${p}_${version}_$a.deb
  if [ -f "$f" ]; then debs+=("$f"); else bad "no $(basename "$f") built"; fi
done
if [ ${#debs[@]} -ne ${#pkgs[@]} ]; then summary; exit 1; fi
ok "built ${pkgs[*]}"

# ---- 2. what was built ----------------------------------------------------------
x=$tmp/extract
for f in "${debs[@]}"; do dpkg-deb -x "$f" "$x"; done
lib=$(ls "$x/usr/lib/$multiarch"/libsluice.so.*.*.* 2>/dev/null | head -n 1)
soname=$(objdump -p "$lib" 2>/dev/null | awk '$1 == "SONAME" {print $2}')
abi=${soname#libsluice.so.}
check "libsluice's SONAME ($soname) is libsluice.so.<abi> and its package is libsluice$abi" \
  test -n "$soname" -a "$soname" != "$abi" -a -f "$tmp/libsluice${abi}_${version}_$arch.deb"
check "libsluice.so.$abi in libsluice$abi is the link to $(basename "$lib")" \
  test "$(dpkg-deb -c "$tmp/libsluice${abi}_${version}_$arch.deb" | grep -o "libsluice.so.$abi -> .*")" = "libsluice.so.$abi -> $(basename "$lib")"
field() { dpkg-deb -f "$tmp/${1}_${version}_$2.deb" "$3"; }
check "libsluice$abi Depends computed by dpkg-shlibdeps (libc6): '$(field libsluice$abi "$arch" Depends)'" \
  grep -q 'libc6 (>=' <<<"$(field libsluice$abi "$arch" Depends)"
check "sluice-tools Depends computed (python3 by dh_python3, libc6 by dpkg-shlibdeps): '$(field sluice-tools "$arch" Depends)'" \
  bash -c 'grep -q "python3" <<<"$1" && grep -q "libc6 (>=" <<<"$1"' _ "$(field sluice-tools "$arch" Depends)"
check "shlibs: programs built against $version depend on libsluice$abi (>= $version)" \
  grep -q "libsluice $abi libsluice$abi (>= $version)" <(dpkg-deb -I "$tmp/libsluice${abi}_${version}_$arch.deb" shlibs)
check "no unit test, benchmark or fuzz target built (-Dtests=false -Dbench=false)" \
  bash -c '! ls -d "$1"/obj-*/test "$1"/obj-*/bench 2>/dev/null | grep -q .' _ "$src"
check "built for the architecture's baseline, never -march=native" \
  bash -c '! grep -q -- "-march=native" "$1"/obj-*/compile_commands.json && grep -q "lib/eal/eal.c" "$1"/obj-*/compile_commands.json' _ "$src"
manpage_has() { zcat "$x/usr/share/man/man1/$1.1.gz" | grep -q -- "$2"; }
check "man page sluice-bind(1) from --help (has --status)" manpage_has sluice-bind '\\-\\-status'
check "man page sluice-hugepages(1) from --help (has --reserve)" manpage_has sluice-hugepages '\\-\\-reserve'
for t in sluice-bind sluice-hugepages; do
  check "man page $t(1) has a SYNOPSIS under the installed name (.B $t)" \
    bash -c 'zcat "$1" | grep -A1 "^\.SH SYNOPSIS" | grep -qx -- ".B $2"' _ "$x/usr/share/man/man1/$t.1.gz" "$t"
done
check "man page testpmd-lite(1) has the EAL options and the application's" \
  bash -c 'zcat "$1" | grep -q -- "\\\\-\\\\-vdev" && zcat "$1" | grep -q -- "\\\\-\\\\-forward\\\\-mode"' _ "$x/usr/share/man/man1/testpmd-lite.1.gz"
check "sluice-doc has doc/ (design.md, drivers/igb.md) under /usr/share/doc/sluice-doc" \
  test -f "$x/usr/share/doc/sluice-doc/design.md.gz" -a -f "$x/usr/share/doc/sluice-doc/drivers/igb.md.gz"

echo "packaging test: lintian (default level)"
t0=$SECONDS
lintian --fail-on error "$tmp/sluice_${version}_$arch.changes" >"$tmp/lintian.out" 2>&1
lintian_rc=$?
sed 's/^/      lintian: /' "$tmp/lintian.out"
check "lintian: no error (exit status $lintian_rc, $((SECONDS - t0)) s)" \
  bash -c '[ "$2" = 0 ] && ! grep -q "^E: " "$1"' _ "$tmp/lintian.out" "$lintian_rc"
unlisted=()
for tag in $(sed -n 's/^W: [^ ]*: \([^ ]*\).*/\1/p' "$tmp/lintian.out" | sort -u); do
  grep -q -- "$tag" doc/packaging.md || unlisted+=("$tag")
done
check "lintian: every warning is listed in doc/packaging.md (not listed: ${unlisted[*]:-none})" test ${#unlisted[@]} -eq 0

# ---- 3. installed -----------------------------------------------------------------
touch "$stamp"
check "dpkg -i ${pkgs[*]}" dpkg -i "${debs[@]}"
for p in "${pkgs[@]}"; do
  check "$p installed" bash -c 'dpkg-query -W -f="\${Status}" "$1" | grep -q "install ok installed"' _ "$p"
done
for p in "${pkgs[@]}"; do dpkg -L "$p" >"$tmp/$p.list" 2>/dev/null; done

check "pkg-config --modversion sluice is $version" test "$(pkg-config --modversion sluice 2>&1)" = "$version"
check "pkg-config --cflags sluice points at /usr/include/sluice" grep -q -- "-I/usr/include/sluice" <<<"$(pkg-config --cflags sluice)"
cc_app() { # output extra-args...
  local out=$1; shift
  cc -std=c11 -Wall -Wextra -Werror test/packaging/sluice-app.c "$@" -o "$out"
}
check "sluice-app.c builds against the installed sluice.pc (shared)" \
  cc_app "$tmp/app-shared" $(pkg-config --cflags --libs sluice)
resolved=$(ldd "$tmp/app-shared" 2>&1 | awk -v so="libsluice.so.$abi" '$1 == so {print $3}')
check "it takes libsluice.so.$abi from the package (ldd: ${resolved:-not found})" \
  test -n "$resolved" -a "$(realpath -q "$resolved")" = "$(realpath -q "/usr/lib/$multiarch/libsluice.so.$abi")"
app_args=(-l 0 --no-huge -m 16 --vdev null0 --vdev null1)
check "it forwards over two null ports and the counters agree (${app_args[*]})" \
  bash -c 'out=$("$@" 2>&1); echo "$out"; grep -q "^forwarded 2048 packets$" <<<"$out"' _ "$tmp/app-shared" "${app_args[@]}"
static_libs=$(pkg-config --static --libs sluice | sed 's/-lsluice\b/-Wl,--whole-archive -l:libsluice.a -Wl,--no-whole-archive/')
check "sluice-app.c builds against the installed static library ($static_libs)" \
  cc_app "$tmp/app-static" $(pkg-config --cflags sluice) $static_libs
check "the static one needs no libsluice.so and forwards too" \
  bash -c '! objdump -p "$1" | grep -q "NEEDED.*libsluice" && "$@" 2>&1 | grep -q "^forwarded 2048 packets$"' _ "$tmp/app-static" "${app_args[@]}"

# The rte_ layer from the packages: DPDK's unmodified helloworld (dpdk-doc)
# against the installed sluice-rte.pc, run with a DPDK-style command line.
rte_so=$(objdump -p "$x/usr/lib/$multiarch"/libsluice_rte.so.*.*.* 2>/dev/null | awk '$1 == "SONAME" {print $2}')
check "libsluice_rte's SONAME ($rte_so) is libsluice_rte.so.$abi, in libsluice-rte$abi" \
  test "$rte_so" = "libsluice_rte.so.$abi" -a -f "$tmp/libsluice-rte${abi}_${version}_$arch.deb"
check "pkg-config --cflags sluice-rte points at /usr/include/sluice-rte" \
  grep -q -- "-I/usr/include/sluice-rte" <<<"$(pkg-config --cflags sluice-rte)"
hello=/usr/share/dpdk/examples/helloworld/main.c
if [ -f "$hello" ]; then
  check "DPDK's helloworld builds against the installed sluice-rte.pc (-Wall -Wextra -Werror)" \
    bash -c 'cc -Wall -Wextra -Werror $(pkg-config --cflags sluice-rte) "$1" $(pkg-config --libs sluice-rte) -o "$2"' _ "$hello" "$tmp/helloworld"
  check "and says hello from lcores 0 and 1 (-l 0-1 -n 4 --no-huge -m 16)" \
    bash -c 'out=$("$1" -l 0-1 -n 4 --no-huge -m 16 2>&1); echo "$out"; grep -q "hello from core 0" <<<"$out" && grep -q "hello from core 1" <<<"$out"' _ "$tmp/helloworld"
else
  skip "DPDK's helloworld: $hello missing (dpdk-doc not installed; devtools/install-deps.sh installs it)"
fi

tp_json=$(testpmd-lite -l 0-1 --no-huge -m 32 --vdev null0 --vdev null1 -- --forward-mode=io --run-time=0.5 --json 2>"$tmp/testpmd.err")
check "installed testpmd-lite forwards over two null ports (--json: packets > 0, no drops)" \
  python3 -c 'import json, sys; j = json.loads(sys.argv[1]); t = j["total"]
assert j["packets"] > 0 and t["rx_packets"] == t["tx_packets"] > 0 and t["fwd_dropped"] == 0, t' "$tp_json"
check "installed sluice-bind --status --json parses as JSON (devices)" \
  bash -c 'sluice-bind --status --json | python3 -c "import json, sys; j = json.load(sys.stdin); assert isinstance(j, dict) and \"devices\" in j, j"'
check "installed sluice-hugepages --show --json parses as JSON" \
  bash -c 'sluice-hugepages --show --json | python3 -c "import json, sys; json.load(sys.stdin)"'
check "sluice-bind's package is byte-compiled at install (py3compile), not by its first run" \
  bash -c 'ls /usr/share/sluice/sluice_bind/__pycache__/cli.*.pyc'
if command -v man >/dev/null; then
  check "man -w finds sluice-bind, sluice-hugepages and testpmd-lite" man -w sluice-bind sluice-hugepages testpmd-lite
else
  skip "man: man-db not installed, man pages checked in the .deb above only"
fi

# The boot unit and its helper.
unit=/lib/systemd/system/sluice-bind.service
check "sluice-bind.service installed and enabled (multi-user.target.wants)" \
  test -f "$unit" -a -L /etc/systemd/system/multi-user.target.wants/sluice-bind.service
if command -v systemd-analyze >/dev/null; then
  check "systemd-analyze verify sluice-bind.service" systemd-analyze verify --man=no "$unit"
else
  skip "systemd-analyze: systemd not installed, the unit is not verified"
fi
check "the unit is oneshot, RemainAfterExit, starts and stops the helper" \
  bash -c 'grep -qx "Type=oneshot" "$1" && grep -qx "RemainAfterExit=yes" "$1" && grep -qx "ExecStart=/usr/libexec/sluice/sluice-bind-devices start" "$1" && grep -qx "ExecStop=/usr/libexec/sluice/sluice-bind-devices stop" "$1"' _ "$unit"
helper=/usr/libexec/sluice/sluice-bind-devices
check "/etc/sluice/devices.conf is a conffile" grep -qx /etc/sluice/devices.conf <(dpkg-query -W -f='${Conffiles}\n' sluice-tools | awk '{print $1}')
check "the shipped devices.conf lists no device: start binds nothing" \
  bash -c 'test -z "$("$1" list)" && "$1" start | grep -q "nothing to start"' _ "$helper"
printf '# test\n0000:ff:1f.7   # a comment\n\n  enp*  eth9\n' >"$tmp/devices.conf"
printf '#!/bin/sh\necho "$*"\n' >"$tmp/record"; chmod +x "$tmp/record"
check "helper: start runs sluice-bind -b vfio-pci with the listed devices, globs unexpanded" \
  bash -c 'cd "$3" && touch enpX && test "$(SLUICE_BIND="$3/record" "$1" start "$2")" = "-b vfio-pci 0000:ff:1f.7 enp* eth9"' _ "$helper" "$tmp/devices.conf" "$tmp"
check "helper: stop runs sluice-bind --unbind with them" \
  test "$(SLUICE_BIND="$tmp/record" "$helper" stop "$tmp/devices.conf")" = "--unbind 0000:ff:1f.7 enp* eth9"
if [ ! -e /sys/bus/pci/devices/0000:ff:1f.7 ]; then
  printf '0000:ff:1f.7\n' >"$tmp/absent.conf"
  check "helper: start with the installed sluice-bind fails for a device the machine lacks (nothing bound)" \
    bash -c '! "$1" start "$2"' _ "$helper" "$tmp/absent.conf"
else
  skip "helper with a missing device: this machine has a PCI function 0000:ff:1f.7"
fi

# ---- 4. purge --------------------------------------------------------------------
check "dpkg --purge ${pkgs[*]}" dpkg --purge "${pkgs[@]}"
rm -f "$stamp"
for p in "${pkgs[@]}"; do
  check "$p purged (not even config-files)" bash -c '! dpkg-query -W -f="\${Status}" "$1" 2>/dev/null | grep -qv "not-installed"' _ "$p"
done
left=()
for p in "${pkgs[@]}"; do
  while read -r f; do
    [ -d "$f" ] && continue   # directories (and /lib, a link to one): checked below
    [ -e "$f" ] || [ -L "$f" ] && left+=("$f")
  done <"$tmp/$p.list"
done
nfiles=$(cat "$tmp"/*.list | wc -l)
check "every file dpkg -L listed before the purge is gone ($nfiles paths; left: ${left[*]:-none})" test ${#left[@]} -eq 0
left=()
for d in /etc/sluice /usr/include/sluice /usr/share/sluice /usr/libexec/sluice \
         /usr/share/doc/sluice-doc /usr/share/doc/sluice-tools /usr/share/doc/libsluice-dev /usr/share/doc/libsluice$abi \
         /etc/systemd/system/multi-user.target.wants/sluice-bind.service \
         /var/lib/systemd/deb-systemd-helper-enabled/sluice-bind.service.dsh-also \
         /var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants/sluice-bind.service \
         /usr/share/python3/runtime.d/sluice-tools.rtupdate; do
  [ -e "$d" ] || [ -L "$d" ] && left+=("$d")
done
check "nothing left: /etc/sluice, the package directories, the unit's enable links and state (left: ${left[*]:-none})" test ${#left[@]} -eq 0
check "pkg-config no longer finds sluice" bash -c '! pkg-config --exists sluice'

summary
[ "$failed" -eq 0 ]
