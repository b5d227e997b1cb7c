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
# The Python tools name themselves bind.py and hugepages.py (their source
# names) in argparse's usage, which spans lines: the page shows the
# installed name and the usage on one "Usage:" line, help2man's SYNOPSIS.
for pair in sluice-bind:bind.py sluice-hugepages:hugepages.py; do
  tool=${pair%%:*} prog=${pair#*:}
  cat >"$wrap/$tool" <<SH
#!/bin/bash
set -o pipefail
"$destdir/usr/bin/$tool" "\$@" | awk -v prog="$prog" -v tool="$tool" '
  inusage && /^ +[^ ]/ { sub(/^ +/, ""); line = line " " \$0; next }
  inusage { print line; inusage = 0 }
  index(\$0, "usage: " prog " ") == 1 { line = "Usage: " tool substr(\$0, length("usage: " prog) + 1); inusage = 1; next }
  { print }
  END { if (inusage) print line }'
SH
done
chmod +x "$wrap"/*

h2m() { # name description
  help2man --no-info --no-discard-stderr --section=1 --source=Sluice \
    --version-string="$1 $version" --name="$2" --output="$out/$1.1" "$wrap/$1"
}
h2m sluice-bind "claim and release NICs for Sluice (vfio-pci) and show their status"
h2m sluice-hugepages "show, reserve and clear hugepages and mount hugetlbfs for Sluice"
h2m testpmd-lite "forwarding and throughput tool for Sluice ports"
