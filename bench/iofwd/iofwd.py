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
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from callgrind import parse_callgrind  # noqa: E402

DPDK_BIN = "dpdk-testpmd"


def queues_for(lcores):
    """Queues per port so that LCORES forwarding lcores each get a stream:
    two ports, one stream per rx queue, so ceil(lcores / 2)."""
    return max(1, (lcores + 1) // 2)


def lcore_args(lcores):
    """The EAL's lcore option for the main lcore 0 and LCORES forwarding
    lcores: "-l 0-N", one CPU each, while the machine has a CPU for every
    lcore; else (LCORES = the CPU count) each forwarding lcore keeps a CPU of
    its own and the main lcore, which only waits (testpmd at its prompt,
    testpmd-lite between statistics), shares CPU 0 with forwarding lcore 1:
    "--lcores 0@0,1@0,2@1,..."."""
    ncpu = os.cpu_count() or 1
    if lcores + 1 <= ncpu:
        return ["-l", f"0-{lcores}"]
    if lcores > ncpu:
        raise ValueError(f"{lcores} forwarding lcores need {lcores} CPUs, this machine has {ncpu}")
    return ["--lcores", ",".join(["0@0"] + [f"{i}@{i - 1}" for i in range(1, lcores + 1)])]


def dpdk_app_args(lcores=1):
    q = queues_for(lcores)
    return ["--", "--forward-mode=io", f"--nb-cores={lcores}", "--burst=32", "--record-core-cycles", "-i",
            f"--rxq={q}", f"--txq={q}"]


def dpdk_eal_args(pages, lcores=1):
    cores = lcore_args(lcores)
    if pages == "huge":
        # the command line of the issue
        return cores + ["--in-memory", "--no-pci", "--vdev", "net_null0", "--vdev", "net_null1"]
    # --no-huge means legacy memory, which --in-memory refuses; --no-shconf keeps
    # it from writing runtime files. Its default mbuf pool needs ~400 MB.
    return cores + ["--no-huge", "-m", "1024", "--no-shconf", "--no-pci",
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


def run_dpdk(pages, seconds, prefix=(), extra_app_args=(), binary=DPDK_BIN, lcores=1):
    cmd = list(prefix) + [binary] + dpdk_eal_args(pages, lcores) + dpdk_app_args(lcores) + list(extra_app_args)
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


def sluice_args(lcores=1):
    q = queues_for(lcores)
    return ["--", "--forward-mode=io", f"--nb-cores={lcores}", "--burst=32", f"--rxq={q}", f"--txq={q}"]


def run_sluice(binary, pages, seconds, lcores=1):
    eal = lcore_args(lcores) + ["-m", "64", "--vdev", "null0", "--vdev", "null1"]
    if pages == "4k":
        eal.append("--no-huge")
    cmd = [binary] + eal + sluice_args(lcores) + [f"--run-time={seconds}", "--json"]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 120)
    if p.returncode != 0:
        raise RuntimeError(f"testpmd-lite failed ({p.returncode}):\n{p.stderr[-3000:]}")
    r = json.loads(p.stdout)
    return {"cycles_per_packet": r["cycles_per_packet"], "mpps": r["mpps"]}


# Per-function roles. ROLES maps a build kind to the names of its rx burst,
# tx burst and per-stream forwarding function (the one that calls rx and tx,
# with everything it inlines: for testpmd-lite the whole lcore loop, for
# dpdk-testpmd pkt_burst_io_forward). Debian's dpdk-testpmd and net_null are
# stripped: there the roles are found from the call graph (see find_roles).
ROLES = {
    "sluice": {"rx": "null_rx", "tx": "null_tx"},
    "dpdk-src": {"rx": "eth_null_rx", "tx": "eth_null_tx"},
}


def find_roles(funcs, kind):
    """(rx key, tx key, forward key) in FUNCS."""
    by_name = {}
    for k in funcs:
        by_name.setdefault(k[1], []).append(k)
    if kind in ROLES:
        rx = by_name.get(ROLES[kind]["rx"], [None])[0]
        tx = by_name.get(ROLES[kind]["tx"], [None])[0]
    else:
        # stripped: the functions of the net_null object that testpmd's code
        # calls are rx and tx (once per burst each); tx is the one that calls
        # a callee once per mbuf (22.11's net_null frees mbuf by mbuf), rx the
        # one whose callees run once per burst (one bulk allocation).
        cands = {}
        for k, e in funcs.items():
            if "net_null" in os.path.basename(k[0] or ""):
                continue
            for callee, n in e["calls"].items():
                if "net_null" in os.path.basename(callee[0] or "") and n > 1000:
                    cands[callee] = cands.get(callee, 0) + n
        if len(cands) < 2:
            return None, None, None
        top2 = sorted(cands, key=cands.get, reverse=True)[:2]

        def fanout(k):
            e = funcs.get(k)
            n = cands[k]
            return max((c / n for c in e["calls"].values()), default=0) if e else 0
        tx, rx = sorted(top2, key=fanout, reverse=True)
    fwd = None
    if rx is not None:
        callers = [(e["calls"][rx], k) for k, e in funcs.items() if rx in e["calls"]]
        if callers:
            fwd = max(callers)[1]
    return rx, tx, fwd


def instructions_per_packet(builds, short_s, long_s, tmpdir):
    """Instructions per forwarded packet under callgrind, for each of BUILDS
    (list of (label, kind, path), kind "sluice", "dpdk-src" or "debian"):
    the difference between a short and a long run over the difference in
    packets, so start-up and shutdown cancel out; the same for the inclusive
    cost of the rx burst, the tx burst and the forwarding function. 4 KiB
    pages for all (valgrind and hugepages do not mix well); AVX-512 code
    cannot run under valgrind, so give corei7 builds."""
    res = {}
    for label, kind, path in builds:
        runs = []
        # a third, longer run when the first two forwarded about as many
        # packets (the host was busy): the difference needs a real spread
        for secs in (short_s, long_s, 3 * long_s):
            if len(runs) == 2 and abs(runs[1][1] - runs[0][1]) >= 0.25 * max(runs[0][1], runs[1][1]):
                break
            out = os.path.join(tmpdir, f"callgrind.{label}.{secs}")
            vg = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"]
            if kind != "sluice":
                # a smaller mbuf pool only shortens start-up under valgrind
                r = run_dpdk("4k", secs, prefix=vg, extra_app_args=["--total-num-mbufs=8192"], binary=path)
                pkts = r["packets"]
            else:
                cmd = vg + [path, "-l", "0-1", "-m", "64", "--no-huge", "--vdev", "null0", "--vdev", "null1"] + \
                    sluice_args() + [f"--run-time={secs}", "--json"]
                p = subprocess.run(cmd, capture_output=True, text=True, timeout=secs * 5 + 300)
                if p.returncode != 0:
                    raise RuntimeError(f"testpmd-lite under valgrind failed:\n{p.stderr[-2000:]}")
                pkts = json.loads(p.stdout)["packets"]
            total, funcs = parse_callgrind(out)
            runs.append((total, pkts, funcs))
            os.unlink(out)
        (ir1, p1, f1), (ir2, p2, f2) = max(((a, b) for i, a in enumerate(runs) for b in runs[i + 1:]),
                                           key=lambda ab: abs(ab[1][1] - ab[0][1]))
        if p2 < p1:
            (ir1, p1, f1), (ir2, p2, f2) = (ir2, p2, f2), (ir1, p1, f1)
        dp = p2 - p1
        r = {"instructions_per_packet": (ir2 - ir1) / dp, "packets": [p1, p2]}
        rx, tx, fwd = find_roles(f2, kind)
        for role, key in (("rx", rx), ("tx", tx), ("forward", fwd)):
            if key is None:
                r[role] = None
                continue
            a = f1.get(key, {"incl": 0})["incl"]
            b = f2[key]["incl"]
            name = key[1] if not key[1].startswith("0x") else f"{os.path.basename(key[0])}:{key[1]}"
            r[role] = {"function": name, "per_packet": (b - a) / dp}
        # the top self costs, as a hint at where the rest goes
        top = sorted(f2, key=lambda k: f2[k]["self"] - f1.get(k, {"self": 0})["self"], reverse=True)[:8]
        r["top_self"] = [{"function": k[1], "object": os.path.basename(k[0] or "?"),
                          "per_packet": (f2[k]["self"] - f1.get(k, {"self": 0})["self"]) / dp} for k in top]
        res[label] = r
        print(f"[callgrind] {label}: {r['instructions_per_packet']:.1f} instructions/packet "
              f"({p1} and {p2} packets); " +
              ", ".join(f"{role} {r[role]['per_packet']:.1f} ({r[role]['function']})"
                        for role in ("rx", "tx", "forward") if r[role]), flush=True)
    return res


def spread(xs):
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs)}


def ratio_partners(name, builds):
    """The DPDK builds a Sluice build is compared with: each from-source
    build (one per DPDK version) of the same -march, as (version, name)."""
    march = name.split()[-1]
    return [(n.split()[1], n) for n, k, _ in builds if k == "dpdk-src" and n.split()[-1] == march]


def source_versions(builds):
    """The DPDK versions built from source in BUILDS ("dpdk VERSION MARCH")."""
    return sorted({n.split()[1] for n, k, _ in builds if k == "dpdk-src"})


def add_ratios(table, name, kind, builds, key):
    """For a Sluice build NAME in TABLE (build name -> figures): its KEY over
    each DPDK version built from source with the same -march
    (ratio_to_dpdk_src, by version) and over Debian's (ratio_to_dpdk), stored
    in its figures; returns them formatted for the table, one column per
    version of source_versions() then Debian's ("" where there is no partner
    or the row is DPDK's)."""
    versions = source_versions(builds)
    if kind != "sluice":
        return [""] * (len(versions) + 1)
    r = table[name]
    partners = dict(ratio_partners(name, builds))
    r["ratio_to_dpdk_src"] = {}
    out = []
    for v in versions:
        other = partners.get(v)
        if other in table:
            r["ratio_to_dpdk_src"][v] = r[key] / table[other][key]
            out.append(f"{r['ratio_to_dpdk_src'][v]:.3f}")
        else:
            out.append("")
    if "dpdk debian" in table:
        r["ratio_to_dpdk"] = r[key] / table["dpdk debian"][key]
        out.append(f"{r['ratio_to_dpdk']:.3f}")
    else:
        out.append("")
    return out


def ratio_header(builds):
    """The ratio columns' headings, as add_ratios fills them."""
    return ratio_cells([f"ratio {v}" for v in source_versions(builds)] + ["ratio debian"])


def ratio_cells(cells):
    """The ratio columns of a row (add_ratios' list, or the headings): one
    per DPDK version, then Debian's, wider."""
    return " ".join(f"{x:>11}" for x in cells[:-1]) + f" {cells[-1]:>12}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sluice", action="append", required=True, metavar="NAME=PATH",
                    help="a testpmd-lite build, e.g. native=build-bench-native/app/testpmd-lite/testpmd-lite")
    ap.add_argument("--dpdk", action="append", default=[], metavar="NAME=PATH",
                    help="a dpdk-testpmd built from source (bench/build-dpdk.sh), NAME 'VERSION MARCH', "
                         "e.g. '25.11 corei7=PREFIX/bin/dpdk-testpmd'; "
                         "Debian's installed dpdk-testpmd is always the row 'dpdk debian'")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--pages", choices=["huge", "4k", "both"], default="both")
    ap.add_argument("--json-out")
    ap.add_argument("--instructions", action="append", default=[], metavar="NAME",
                    help="also count instructions per packet under valgrind (callgrind) for this build: "
                         "'sluice corei7', 'dpdk 25.11 corei7', 'dpdk debian' (corei7 builds only: valgrind cannot "
                         "run AVX-512 code); repeat for several")
    ap.add_argument("--multicore", type=int, default=0, metavar="N",
                    help="also forward with 1..N forwarding lcores (2 MiB pages, one round of --seconds each; N at most "
                         "the CPU count, the main lcore sharing CPU 0 when N is the CPU count), "
                         "queues per port ceil(n/2)")
    ap.add_argument("--svg", metavar="FILE", help="write a chart of the results (bench/chart.py; needs gnuplot)")
    a = ap.parse_args()
    builds = []
    if shutil.which(DPDK_BIN):
        builds.append(("dpdk debian", "debian", DPDK_BIN))
    for s in a.dpdk:
        name, _, path = s.partition("=")
        if not path or not os.access(path, os.X_OK) or len(name.split()) != 2:
            ap.error(f"--dpdk {s}: give 'VERSION MARCH=PATH' of an executable dpdk-testpmd")
        builds.append((f"dpdk {name}", "dpdk-src", path))
    for s in a.sluice:
        name, _, path = s.partition("=")
        if not path or not os.access(path, os.X_OK):
            ap.error(f"--sluice {s}: give NAME=PATH of an executable testpmd-lite")
        builds.append((f"sluice {name}", "sluice", path))
    page_modes = ["huge", "4k"] if a.pages == "both" else [a.pages]

    def run(kind, path, pages, seconds, lcores=1):
        if kind == "sluice":
            return run_sluice(path, pages, seconds, lcores)
        return run_dpdk(pages, seconds, binary=path, lcores=lcores)

    results = {}
    for pages in page_modes:
        samples = {n: [] for n, _, _ in builds}
        for rnd in range(1, a.rounds + 1):
            # alternate: every build once per round
            for name, kind, path in builds:
                r = run(kind, path, pages, a.seconds)
                samples[name].append(r)
                print(f"[{pages} pages, round {rnd}] {name}: {r['cycles_per_packet']:.2f} cycles/packet, "
                      f"{r['mpps']:.2f} Mpps", flush=True)
        results[pages] = {
            k: {"cycles_per_packet": statistics.median(x["cycles_per_packet"] for x in v),
                "cycles_spread": spread([x["cycles_per_packet"] for x in v]),
                "mpps": statistics.median(x["mpps"] for x in v),
                "best_cycles_per_packet": min(x["cycles_per_packet"] for x in v),
                "samples": v}
            for k, v in samples.items()
        }

    print()
    print(f"io forwarding, 2 null ports, 1 forwarding core, burst 32; {a.rounds} rounds of {a.seconds:g} s:")
    print("cycles/packet median (min-max), Mpps median; ratio V = Sluice / DPDK V built the same way "
          "(from source, static -O3, same -march), ratio debian = Sluice / Debian's shared dpdk-testpmd")
    print(f"{'pages':6} {'build':18} {'cycles/pkt':>10} {'(min-max)':>15} {'Mpps':>8} {ratio_header(builds)}")
    for pages, res in results.items():
        for name, kind, _ in builds:
            s = res[name]
            sp = s["cycles_spread"]
            ratios = add_ratios(res, name, kind, builds, "cycles_per_packet")
            print(f"{pages:6} {name:18} {s['cycles_per_packet']:10.2f} {sp['min']:7.2f}-{sp['max']:<7.2f} "
                  f"{s['mpps']:8.2f} " + ratio_cells(ratios))

    multicore = None
    if a.multicore > 0:
        multicore = {}
        print()
        print(f"multi-core: 1..{a.multicore} forwarding lcores (plus the main lcore), 2 MiB pages, "
              f"{a.seconds:g} s each, queues per port ceil(n/2)")
        for n in range(1, a.multicore + 1):
            for name, kind, path in builds:
                r = run(kind, path, "huge", a.seconds, lcores=n)
                multicore.setdefault(name, {})[n] = r
                print(f"[multicore {n}] {name}: {r['mpps']:.2f} Mpps, {r['cycles_per_packet']:.2f} cycles/packet",
                      flush=True)

    instr = None
    if a.instructions:
        import tempfile
        sel = []
        for want in a.instructions:
            b = next((b for b in builds if b[0] == want), None)
            if b is None:
                ap.error(f"--instructions {want}: no such build (have: {', '.join(b[0] for b in builds)})")
            sel.append(b)
        with tempfile.TemporaryDirectory() as tmp:
            instr = instructions_per_packet(sel, 3, 9, tmp)
        print()
        print("instructions/packet (callgrind, io forwarding, 4 KiB pages), inclusive per function:")
        print(f"{'build':18} {'rx burst':>9} {'tx burst':>9} {'forward':>9} {'total':>8} {ratio_header(builds)}")
        for name, kind, _ in sel:
            r = instr[name]
            cols = [f"{r[k]['per_packet']:9.1f}" if r.get(k) else f"{'-':>9}" for k in ("rx", "tx", "forward")]
            ratios = add_ratios(instr, name, kind, builds, "instructions_per_packet")
            print(f"{name:18} {' '.join(cols)} {r['instructions_per_packet']:8.1f} " + ratio_cells(ratios))
        for name, kind, _ in sel:
            r = instr[name]
            print(f"  {name}: " + "; ".join(f"{k} = {r[k]['function']}" for k in ("rx", "tx", "forward") if r.get(k)))
    data = {"rounds": a.rounds, "seconds": a.seconds, "results": results,
            "multicore": multicore, "callgrind": instr, "builds": [[n, k, p] for n, k, p in builds]}
    if a.json_out:
        with open(a.json_out, "w") as f:
            json.dump(data, f, indent=2)
        print(f"\nraw figures: {a.json_out}")
    if a.svg:
        chart(a.svg, data)
    return 0


def chart(path, data):
    """The SVG chart of this run: bench/chart.py iofwd (gnuplot)."""
    import tempfile
    with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
        json.dump(data, f)
        f.flush()
        subprocess.run([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "chart.py"),
                        "iofwd", f.name, path], check=False)


if __name__ == "__main__":
    sys.exit(main())
