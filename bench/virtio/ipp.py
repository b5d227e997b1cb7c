#!/usr/bin/env python3
"""bench/virtio/ipp.py: instructions per packet of the virtio-net rx/tx burst
functions, Sluice's net_virtio against DPDK 22.11's virtio PMD, counted with
callgrind on the host (no virtio device needed):

- Sluice: test/virtio/sl-virtio-replay "bench" forwards 64-byte frames through
  the driver's rx/tx bursts against a software virtio-net device; callgrind
  collects only inside virtio_rx_* / virtio_tx_* (--toggle-collect), so the
  device's work is not counted.
- DPDK: dpdk-testpmd io-forwards on a virtio_user port (the same virtio PMD
  rx/tx code as on PCI: split or packed, mergeable rx buffers, not in-order,
  not vectorized, like QEMU's virtio-net-pci) whose device is a vhost-user
  port in a second, native dpdk-testpmd. Debian's DPDK has no symbols, so the
  burst functions are found as the two virtio PMD functions testpmd's
  io-forward loop calls (rx: the one called on every poll; tx: the one called
  once per non-empty rx burst). Polls that find nothing are measured in a
  second run without traffic (their cost is constant) and taken out.

Usage: ipp.py --replay PATH [--rings split,packed] [--packets N] [--seconds S] [--json FILE]
"""
import argparse, glob, json, os, re, signal, subprocess, sys, tempfile, time

def annotate(path, tree=False):
    args = ["callgrind_annotate", "--inclusive=yes"] + (["--tree=calling"] if tree else []) + [path]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout

def num(s):
    return int(s.replace(",", ""))

def sluice(replay, ring, packets, tmp):
    out = os.path.join(tmp, f"sluice-{ring}.cg")
    subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                    "--toggle-collect=virtio_rx_*", "--toggle-collect=virtio_tx_*", replay,
                    "--no-huge", "--iova-mode", "va", "-m", "64", "-l", "0", "--", "bench", ring, str(packets)],
                   check=True, capture_output=True, text=True)
    text = annotate(out)
    rx = tx = None
    for line in text.splitlines():
        m = re.match(r"\s*([\d,]+) .*:virtio_(rx|tx)_(split|packed)(_mrg)? ", line)
        if m:
            if m.group(2) == "rx":
                rx = num(m.group(1))
            else:
                tx = num(m.group(1))
    return {"rx_ipp": rx / packets, "tx_ipp": tx / packets, "packets": packets}

VHOST_SOCK = "/tmp/sluice-ipp-vhost.sock"

def dpdk_run(packed, seconds, tx_first, tmp, tag):
    """One callgrind run of the virtio_user testpmd; returns (rx Ir, rx calls,
    tx Ir, tx calls, rx packets, tx packets)."""
    if os.path.exists(VHOST_SOCK):
        os.unlink(VHOST_SOCK)
    vhost = subprocess.Popen(
        ["dpdk-testpmd", "-l", "0-1", "-n", "1", "--no-huge", "-m", "256", "--no-pci", "--file-prefix", "sluice-ipp-vhost",
         "--vdev", f"net_vhost0,iface={VHOST_SOCK},queues=1", "--", "--forward-mode=io", "--nb-cores=1",
         "--stats-period=1000", "--total-num-mbufs=4096", "--no-lsc-interrupt"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            if os.path.exists(VHOST_SOCK):
                break
            time.sleep(0.2)
        else:
            raise SystemExit("ipp: the vhost-user testpmd did not create its socket")
        time.sleep(1)
        prefix = os.path.join(tmp, f"dpdk-{tag}")
        cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={prefix}.%p", "--separate-threads=yes",
               "dpdk-testpmd", "--lcores", "0@1,1@0", "-n", "1", "--no-huge", "-m", "256", "--no-pci",
               "--file-prefix", "sluice-ipp-virtio", "--vdev",
               f"virtio_user0,path={VHOST_SOCK},queues=1,in_order=0,mrg_rxbuf=1,packed_vq={1 if packed else 0}",
               "--", "-i", "--forward-mode=io", "--nb-cores=1", "--rxd=256", "--txd=256",
               "--total-num-mbufs=4096", "--no-lsc-interrupt"]
        p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        time.sleep(25)  # EAL init under valgrind
        p.stdin.write(f"start tx_first {tx_first}\n" if tx_first else "start\n"); p.stdin.flush()
        time.sleep(seconds)
        p.stdin.write("stop\n"); p.stdin.flush()
        time.sleep(3)
        out, _ = p.communicate("quit\n", timeout=120)
    finally:
        vhost.send_signal(signal.SIGINT)
        try:
            vhost.wait(10)
        except subprocess.TimeoutExpired:
            vhost.kill()
    m = re.search(r"RX-packets:\s+(\d+).*?TX-packets:\s+(\d+)", out, re.S)
    rx_pkts, tx_pkts = (int(m.group(1)), int(m.group(2))) if m else (0, 0)
    # the forwarding thread is the busiest one
    files = glob.glob(prefix + ".*-*")
    def total(f):
        m = re.search(r"([\d,]+) \(100.0%\)\s+PROGRAM TOTALS", annotate(f))
        return num(m.group(1)) if m else 0
    fwd = max(files, key=total)
    tree = annotate(fwd, tree=True)
    # find the testpmd function whose callees are virtio PMD functions
    blocks = tree.split("\n\n")
    best = None
    for b in blocks:
        lines = b.strip().splitlines()
        if not lines or "*  " not in lines[0] or "dpdk-testpmd" not in lines[0]:
            continue
        callees = []
        for l in lines[1:]:
            m = re.match(r"\s*([\d,]+) .*>\s+\S+ \(([\d,]+)x\) \[.*librte_net_virtio", l)
            if m:
                callees.append((num(m.group(1)), num(m.group(2))))
        if callees and (best is None or sum(c[0] for c in callees) > sum(c[0] for c in best)):
            best = callees
    if not best:
        raise SystemExit(f"ipp: no virtio PMD calls found in {fwd}")
    best.sort(key=lambda c: -c[1])  # rx: most calls
    rx = best[0]
    tx = best[1] if len(best) > 1 else (0, 0)
    return rx[0], rx[1], tx[0], tx[1], rx_pkts, tx_pkts

def dpdk(ring, seconds, tmp):
    packed = ring == "packed"
    idle_ir, idle_calls, _, _, _, _ = dpdk_run(packed, 10, 0, tmp, f"{ring}-idle")
    empty_cost = idle_ir / idle_calls
    rx_ir, rx_calls, tx_ir, tx_calls, rx_pkts, tx_pkts = dpdk_run(packed, seconds, 7, tmp, ring)
    empty_calls = rx_calls - tx_calls  # io forward calls tx after every non-empty rx burst
    rx_busy = rx_ir - empty_calls * empty_cost
    return {"rx_ipp": rx_busy / rx_pkts, "tx_ipp": tx_ir / tx_pkts, "packets": rx_pkts,
            "empty_poll_ir": empty_cost, "empty_polls": empty_calls}

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--replay", required=True)
    ap.add_argument("--rings", default="split,packed")
    ap.add_argument("--packets", type=int, default=1000000)
    ap.add_argument("--seconds", type=int, default=30)
    ap.add_argument("--json")
    a = ap.parse_args()
    res = {}
    with tempfile.TemporaryDirectory(prefix="sluice-ipp-") as tmp:
        for ring in a.rings.split(","):
            s = sluice(a.replay, ring, a.packets, tmp)
            d = dpdk(ring, a.seconds, tmp)
            res[ring] = {"sluice": s, "dpdk": d}
            st, dt = s["rx_ipp"] + s["tx_ipp"], d["rx_ipp"] + d["tx_ipp"]
            print(f"{ring:6s} instructions/packet  rx   tx   rx+tx")
            print(f"  Sluice net_virtio        {s['rx_ipp']:6.1f} {s['tx_ipp']:6.1f} {st:6.1f}  ({s['packets']} packets)")
            print(f"  DPDK 22.11 virtio PMD    {d['rx_ipp']:6.1f} {d['tx_ipp']:6.1f} {dt:6.1f}  ({d['packets']} packets, "
                  f"{d['empty_polls']} empty polls of {d['empty_poll_ir']:.1f} taken out)")
            print(f"  DPDK/Sluice: {dt / st:.2f}")
            sys.stdout.flush()
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=2)

if __name__ == "__main__":
    main()
