#!/bin/bash
# debian/make-manpages.sh DESTDIR MULTIARCH VERSION OUTDIR: the man pages of
# sluice-tools, made with help2man from the --help of the programs as
# installed in DESTDIR (so the page shows what the packaged program says).
# testpmd-lite's page has both its EAL options (--help) and its own
# (-- --help, answered before the EAL starts: no hugepages needed).
set -euo pipefail
destdir=$(realpath "$1") multiarch=$2 version=$3 out=$4
mkdir -p "$out"
export PYTHONDONTWRITEBYTECODE=1   # nothing written into DESTDIR's package
export LD_LIBRARY_PATH=$destdir/usr/lib/$multiarch
wrap=$(mktemp -d)
trap 'rm -rf "$wrap"' EXIT

# help2man runs "PROGRAM --help": testpmd-lite's wrapper runs the installed
# program under its installed name (argv[0] shows in the usage lines).
cat >"$wrap/testpmd-lite" <<SH
#!/bin/bash
(exec -a testpmd-lite "$destdir/usr/bin/testpmd-lite" --help)
echo
(exec -a testpmd-lite "$destdir/usr/bin/testpmd-lite" -- --help) | sed '1s/^Usage: .*/Application options (after --):/'
SH
for tool in sluice-bind sluice-hugepages; do
  ln -s "$(realpath "$destdir/usr/bin/$tool")" "$wrap/$tool"   # finds its package relative to itself
done
chmod +x "$wrap/testpmd-lite"

h2m() { # name description
  help2man --no-info --no-discard-stderr --section=1 --source=Sluice \
    --version-string="$1 $version" --name="$2" --output="$out/$1.1" "$wrap/$1"
}
h2m sluice-bind "claim and release NICs for Sluice (vfio-pci) and show their status"
h2m sluice-hugepages "show, reserve and clear hugepages and mount hugetlbfs for Sluice"
h2m testpmd-lite "forwarding and throughput tool for Sluice ports"
