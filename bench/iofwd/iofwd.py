#!/usr/bin/env python3
"""bench/iofwd/iofwd.py: io-forward over two null ports, Sluice's testpmd-lite
against DPDK's dpdk-testpmd, alternating in one run; called by
bench/run-iofwd.sh (which builds the Sluice binaries).

Both sides: lcores 0-1 (main lcore 0, one forwarding lcore), burst 32, two
null ports, forwarding mode io. Cycles per packet are each tool's own
--record-core-cycles figure (testpmd-lite always records them the same way:
TSC ticks around rx+tx of bursts that received something, over the packets
received by the ports). Mpps: testpmd-lite's summary; for DPDK the Rx-pps of
both ports from a "show port stats all" taken SECONDS after a first one.

Usage: iofwd.py --sluice NAME=PATH [--sluice NAME=PATH ...] [--rounds N]
                [--seconds S] [--pages huge|4k|both] [--json-out FILE]
"""
import argparse
import json
import os
import re
import select
import statistics
import subprocess
import sys
import time

DPDK_BIN = "dpdk-testpmd"
DPDK_APP_ARGS = ["--", "--forward-mode=io", "--nb-cores=1", "--burst=32", "--record-core-cycles", "-i"]


def dpdk_eal_args(pages):
    if pages == "huge":
        # the command line of the issue
        return ["-l", "0-1", "--in-memory", "--no-pci", "--vdev", "net_null0", "--vdev", "net_null1"]
    # --no-huge means legacy memory, which --in-memory refuses; --no-shconf keeps
    # it from writing runtime files. Its default mbuf pool needs ~400 MB.
    return ["-l", "0-1", "--no-huge", "-m", "1024", "--no-shconf", "--no-pci",
            "--vdev", "net_null0", "--vdev", "net_null1"]


class ReadUntil:
    """Collects a child's output and waits for a marker in it."""

    def __init__(self, proc):
        self.proc = proc
        self.buf = ""

    def pump(self, timeout):
        fd = self.proc.stdout.fileno()
        r, _, _ = select.select([fd], [], [], timeout)
        if r:
            data = os.read(fd, 65536)
            if not data:
                return False
            self.buf += data.decode(errors="replace")
        return True

    def wait_for(self, marker, start, timeout):
        end = time.time() + timeout
        while marker not in self.buf[start:]:
            if time.time() > end or self.proc.poll() is not None:
                raise RuntimeError(f"dpdk-testpmd: no {marker!r} within {timeout} s; output:\n{self.buf[-3000:]}")
            self.pump(0.2)
        return self.buf.index(marker, start) + len(marker)

    def drain(self, seconds):
        end = time.time() + seconds
        while time.time() < end:
            if not self.pump(max(0.0, end - time.time())):
                break


def run_dpdk(pages, seconds, prefix=(), extra_app_args=()):
    cmd = list(prefix) + [DPDK_BIN] + dpdk_eal_args(pages) + DPDK_APP_ARGS + list(extra_app_args)
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = ReadUntil(proc)
    # under valgrind every command answers tens of times slower
    slow = 10 if prefix else 1
    try:
        pos = out.wait_for("testpmd> ", 0, 300 if prefix else 180)

        def send(line):
            proc.stdin.write((line + "\n").encode())
            proc.stdin.flush()

        send("start")
        pos = out.wait_for("testpmd> ", pos, 30 * slow)
        out.drain(1.0)                       # warm up
        send("show port stats all")
        pos = out.wait_for("testpmd> ", pos, 30 * slow)
        out.drain(seconds)
        send("show port stats all")
        pos = out.wait_for("testpmd> ", pos, 30 * slow)
        send("stop")
        pos = out.wait_for("testpmd> ", pos, 120 * slow)
        send("quit")
        proc.stdin.close()
        end = time.time() + 180
        while proc.poll() is None and time.time() < end:
            out.pump(0.2)                    # keep the pipe drained while it exits
        proc.wait(timeout=5)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    # testpmd's own output is block-buffered into the pipe (only the prompt is
    # written at once), so parse all of it after exit: the last two Rx-pps
    # are the second "show port stats all", over SECONDS.
    text = out.buf
    m = re.search(r"CPU cycles/packet=([0-9.]+)", text)
    if not m:
        raise RuntimeError(f"dpdk-testpmd: no 'CPU cycles/packet=' in its output:\n{text[-3000:]}")
    rx_pps = [int(x) for x in re.findall(r"Rx-pps:\s+(\d+)", text)]
    if len(rx_pps) != 4:
        raise RuntimeError(f"dpdk-testpmd: expected Rx-pps of 2 ports twice, got {rx_pps}:\n{text[-2000:]}")
    acc = re.search(r"Accumulated forward statistics for all ports\+*\s*RX-packets:\s+(\d+)", text)
    return {"cycles_per_packet": float(m.group(1)), "mpps": sum(rx_pps[2:]) / 1e6,
            "packets": int(acc.group(1)) if acc else None}


def run_sluice(binary, pages, seconds):
    eal = ["-l", "0-1", "-m", "64", "--vdev", "null0", "--vdev", "null1"]
    if pages == "4k":
        eal.append("--no-huge")
    cmd = [binary] + eal + ["--", "--forward-mode=io", "--nb-cores=1", "--burst=32",
                            f"--run-time={seconds}", "--json"]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 120)
    if p.returncode != 0:
        raise RuntimeError(f"testpmd-lite failed ({p.returncode}):\n{p.stderr[-3000:]}")
    r = json.loads(p.stdout)
    return {"cycles_per_packet": r["cycles_per_packet"], "mpps": r["mpps"]}


def callgrind_total(path):
    """Instructions executed (Ir) in a callgrind output file."""
    with open(path) as f:
        for line in f:
            if line.startswith(("totals:", "summary:")):
                return int(line.split()[1])
    raise RuntimeError(f"{path}: no totals line")


def instructions_per_packet(sluice_bin, short_s, long_s, tmpdir):
    """Instructions per forwarded packet under callgrind, for both tools:
    the difference between a short and a long run over the difference in
    packets, so start-up and shutdown cancel out. 4 KiB pages for both
    (valgrind and hugepages do not mix well); AVX-512 builds cannot run under
    valgrind, so give the corei7 build."""
    res = {}
    for name in ("dpdk", "sluice"):
        runs = []
        # a third, longer run when the first two forwarded about as many
        # packets (the host was busy): the difference needs a real spread
        for secs in (short_s, long_s, 3 * long_s):
            if len(runs) == 2 and abs(runs[1][1] - runs[0][1]) >= 0.25 * max(runs[0][1], runs[1][1]):
                break
            out = os.path.join(tmpdir, f"callgrind.{name}.{secs}")
            vg = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"]
            if name == "dpdk":
                # a smaller mbuf pool only shortens start-up under valgrind
                r = run_dpdk("4k", secs, prefix=vg, extra_app_args=["--total-num-mbufs=8192"])
                pkts = r["packets"]
            else:
                cmd = vg + [sluice_bin, "-l", "0-1", "-m", "64", "--no-huge", "--vdev", "null0", "--vdev", "null1",
                            "--", "--forward-mode=io", "--nb-cores=1", "--burst=32", f"--run-time={secs}", "--json"]
                p = subprocess.run(cmd, capture_output=True, text=True, timeout=secs * 5 + 300)
                if p.returncode != 0:
                    raise RuntimeError(f"testpmd-lite under valgrind failed:\n{p.stderr[-2000:]}")
                pkts = json.loads(p.stdout)["packets"]
            runs.append((callgrind_total(out), pkts))
            os.unlink(out)
        (ir1, p1), (ir2, p2) = max(((a, b) for i, a in enumerate(runs) for b in runs[i + 1:]),
                                   key=lambda ab: abs(ab[1][1] - ab[0][1]))
        res[name] = {"instructions_per_packet": (ir2 - ir1) / (p2 - p1), "runs": runs}
        print(f"[callgrind] {name}: {res[name]['instructions_per_packet']:.1f} instructions/packet "
              f"({p1} and {p2} packets)", flush=True)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sluice", action="append", required=True, metavar="NAME=PATH",
                    help="a testpmd-lite build, e.g. native=build-bench-native/app/testpmd-lite/testpmd-lite")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--pages", choices=["huge", "4k", "both"], default="both")
    ap.add_argument("--json-out")
    ap.add_argument("--instructions", metavar="NAME",
                    help="also count instructions per packet under valgrind (callgrind) for the Sluice build NAME "
                         "(use corei7: valgrind cannot run AVX-512 code) and for dpdk-testpmd")
    a = ap.parse_args()
    builds = []
    for s in a.sluice:
        name, _, path = s.partition("=")
        if not path or not os.access(path, os.X_OK):
            ap.error(f"--sluice {s}: give NAME=PATH of an executable testpmd-lite")
        builds.append((name, path))
    page_modes = ["huge", "4k"] if a.pages == "both" else [a.pages]

    results = {}
    for pages in page_modes:
        samples = {"dpdk": []}
        for name, _ in builds:
            samples[name] = []
        for rnd in range(1, a.rounds + 1):
            # alternate: DPDK, then every Sluice build, each round
            r = run_dpdk(pages, a.seconds)
            samples["dpdk"].append(r)
            print(f"[{pages} pages, round {rnd}] dpdk-testpmd (corei7): {r['cycles_per_packet']:.2f} cycles/packet, "
                  f"{r['mpps']:.2f} Mpps", flush=True)
            for name, path in builds:
                r = run_sluice(path, pages, a.seconds)
                samples[name].append(r)
                print(f"[{pages} pages, round {rnd}] sluice ({name}): {r['cycles_per_packet']:.2f} cycles/packet, "
                      f"{r['mpps']:.2f} Mpps", flush=True)
        results[pages] = {
            k: {"cycles_per_packet": statistics.median(x["cycles_per_packet"] for x in v),
                "mpps": statistics.median(x["mpps"] for x in v),
                "best_cycles_per_packet": min(x["cycles_per_packet"] for x in v),
                "samples": v}
            for k, v in samples.items()
        }

    print()
    print(f"io forwarding, 2 null ports, 1 forwarding core, burst 32; {a.rounds} rounds of {a.seconds:g} s:")
    print("median cycles/packet and Mpps, best (lowest) cycles/packet, and the ratios Sluice/DPDK of both")
    print(f"{'pages':6} {'build':22} {'cycles/pkt':>10} {'Mpps':>9} {'best':>8} {'ratio':>7} {'ratio best':>10}")
    for pages, res in results.items():
        d = res["dpdk"]
        print(f"{pages:6} {'dpdk-testpmd 22.11':22} {d['cycles_per_packet']:10.2f} {d['mpps']:9.2f} "
              f"{d['best_cycles_per_packet']:8.2f}")
        for name, _ in builds:
            s = res[name]
            ratio = s["cycles_per_packet"] / d["cycles_per_packet"]
            ratio_best = s["best_cycles_per_packet"] / d["best_cycles_per_packet"]
            res[name]["ratio_to_dpdk"] = ratio
            res[name]["best_ratio_to_dpdk"] = ratio_best
            print(f"{pages:6} {'sluice ' + name:22} {s['cycles_per_packet']:10.2f} {s['mpps']:9.2f} "
                  f"{s['best_cycles_per_packet']:8.2f} {ratio:7.3f} {ratio_best:10.3f}")
    instr = None
    if a.instructions:
        path = dict(builds).get(a.instructions)
        if path is None:
            ap.error(f"--instructions {a.instructions}: no such --sluice build")
        import tempfile
        with tempfile.TemporaryDirectory() as tmp:
            instr = instructions_per_packet(path, 3, 9, tmp)
        print(f"instructions/packet (callgrind, io forwarding, 4 KiB pages): dpdk-testpmd "
              f"{instr['dpdk']['instructions_per_packet']:.1f}, sluice {a.instructions} "
              f"{instr['sluice']['instructions_per_packet']:.1f}, ratio "
              f"{instr['sluice']['instructions_per_packet'] / instr['dpdk']['instructions_per_packet']:.3f}")
    if a.json_out:
        with open(a.json_out, "w") as f:
            json.dump({"rounds": a.rounds, "seconds": a.seconds, "results": results,
                       "callgrind": instr}, f, indent=2)
        print(f"\nraw figures: {a.json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
