# bench/dpdk-versions.sh: sourced by the host benchmarks; dpdk_prefix V MARCH
# prints the install prefix of DPDK V built like Sluice for -march=MARCH
# (bench/build-dpdk.sh, cached after the first build), or says on stderr
# why that version has no rows in this run and returns 1.
dpdk_prefix() {
  local v=$1 march=$2 prefix log
  log=$(mktemp)
  echo "bench: DPDK $v for -march=$march (bench/build-dpdk.sh: cached, or about 2.5 minutes to build)" >&2
  if prefix=$("$(dirname "${BASH_SOURCE[0]}")/build-dpdk.sh" "$v" --march "$march" 2>"$log" | tail -n 1) &&
     [ -x "$prefix/bin/dpdk-testpmd" ]; then
    rm -f "$log"
    echo "$prefix"
    return 0
  fi
  echo "bench: no DPDK $v rows (-march=$march): bench/build-dpdk.sh $v --march $march failed:" >&2
  tail -n 3 "$log" | sed 's/^/  /' >&2
  rm -f "$log"
  return 1
}
