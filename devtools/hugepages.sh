#!/usr/bin/env bash
# devtools/hugepages.sh [N]: make sure at least N (default 512) free 2 MiB
# hugepages are reserved on this host, for the unit tests and benchmarks.
set -euo pipefail
want=${1:-512}
dir=/sys/kernel/mm/hugepages/hugepages-2048kB
free=$(cat $dir/free_hugepages)
total=$(cat $dir/nr_hugepages)
if [ "$free" -lt "$want" ]; then
  echo $((total + want - free)) > $dir/nr_hugepages
  free=$(cat $dir/free_hugepages)
  [ "$free" -ge "$want" ] || { echo "hugepages: asked for $want free 2 MiB pages, the kernel gave $free (memory fragmented?)" >&2; exit 1; }
fi
echo "hugepages: $free free 2 MiB pages"
