#!/usr/bin/env python3
"""bench/l2fwd/l2fwd.py: DPDK's unmodified l2fwd (Debian's dpdk-doc), built
once against Debian's DPDK 22.11 and once per Sluice build against
sluice-rte, forwarding over two null ports on the host, alternating in one
run; called by bench/run-l2fwd.sh (which builds the binaries).

Every binary gets the same command line:
    -l 0-1 -n 4 --in-memory --no-pci --vdev net_null0 --vdev net_null1 -- -p 0x3 -T 1 -q 2
-q 2 puts both ports on the first lcore, the main lcore 0 (pinned to CPU 0
by either EAL), which forwards port 0 -> 1 and 1 -> 0 and prints l2fwd's
statistics every second; lcore 1 has nothing to do and returns. --no-pci
keeps DPDK from probing the host's own NIC.

Cycles per packet: l2fwd's own per-port counters ("Total packets received",
printed and flushed every -T 1 seconds of TSC time) over a window of whole
statistics periods after a warm-up. Two figures, both in TSC cycles:
  - wall: TSC Hz x the window's length / packets received in it;
  - on-CPU: TSC Hz x the time the forwarding thread actually ran in the window
    (/proc/PID/task/PID/schedstat) / packets: what is left when the host
    preempts the forwarding core (it is shared with other work).
Median, min and max over the rounds.

Instructions per packet (callgrind, --instructions): l2fwd under
valgrind --tool=callgrind --separate-threads=yes --dump-after=fflush. l2fwd's
print_stats() ends with fflush(stdout) on the forwarding thread, so every
statistics block closes one callgrind dump of that thread holding exactly the
instructions between two readings of the counters: instructions / packets
over the dumps of a window (the first forwarding interval is left out) is
exact, and summing the dumps per function gives where the instructions go.
4 KiB pages there (--no-huge -m 512 --no-shconf instead of --in-memory) for
both, as valgrind and hugepages do not mix well.

Usage: l2fwd.py --dpdk PATH --sluice NAME=PATH[:LIBDIR] [...] --tsc-hz HZ
                [--rounds N] [--seconds S] [--instructions NAME]
                [--cg-seconds S] [--top N] [--json-out FILE]
"""
import argparse
import collections
import glob
import json
import os
import re
import select
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from callgrind import parse_callgrind  # noqa: E402

EAL = ["-l", "0-1", "-n", "4", "--in-memory", "--no-pci", "--vdev", "net_null0", "--vdev", "net_null1"]
EAL_4K = ["-l", "0-1", "-n", "4", "--no-huge", "-m", "512", "--no-shconf", "--no-pci",
          "--vdev", "net_null0", "--vdev", "net_null1"]
APP = ["--", "-p", "0x3", "-T", "1", "-q", "2"]
TOTAL_RX = re.compile(rb"Total packets received:\s+(\d+)")
WARMUP_BLOCKS = 2


def on_cpu_ns(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/schedstat") as f:
            return int(f.read().split()[0])
    except OSError:
        return None


def affinity(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/status") as f:
            for line in f:
                if line.startswith("Cpus_allowed_list:"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


def stop(proc, timeout=120):
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run_l2fwd(cmd, env, blocks_wanted, prefix=(), timeout=None, errfile=None):
    """Start l2fwd, read its statistics blocks as they are flushed, and stop
    it with SIGINT once BLOCKS_WANTED have arrived. Returns a list of
    (monotonic time, on-CPU ns of the main thread, total packets received)."""
    full = list(prefix) + cmd
    err = open(errfile, "wb") if errfile else subprocess.DEVNULL
    proc = subprocess.Popen(full, stdout=subprocess.PIPE, stderr=err, env=env)
    blocks = []
    buf = b""
    pinned = None
    deadline = time.time() + (timeout or 60 + 3 * blocks_wanted)
    try:
        while len(blocks) < blocks_wanted:
            if time.time() > deadline:
                raise RuntimeError(f"{cmd[0]}: {len(blocks)} of {blocks_wanted} statistics blocks in time")
            r, _, _ = select.select([proc.stdout], [], [], 1.0)
            if not r:
                if proc.poll() is not None:
                    raise RuntimeError(f"{cmd[0]} exited with {proc.returncode} before its statistics; "
                                       f"output:\n{buf[-2000:].decode(errors='replace')}")
                continue
            data = os.read(proc.stdout.fileno(), 65536)
            if not data:
                raise RuntimeError(f"{cmd[0]} closed its output; exit {proc.poll()}")
            now = time.monotonic()
            cpu = on_cpu_ns(proc.pid)
            if pinned is None and not prefix:
                pinned = affinity(proc.pid)
            buf += data
            # a block is complete at the closing line of '='
            while True:
                m = TOTAL_RX.search(buf)
                if not m:
                    break
                end = buf.find(b"\n====", m.end())
                if end < 0:
                    break
                blocks.append((now, cpu, int(m.group(1))))
                buf = buf[end + 5:]
    finally:
        stop(proc)
        if errfile:
            err.close()
    return blocks, pinned


def cycles_figures(blocks, tsc_hz):
    b = blocks[WARMUP_BLOCKS:]
    (t0, c0, p0), (t1, c1, p1) = b[0], b[-1]
    pkts = p1 - p0
    res = {"packets": pkts, "seconds": t1 - t0,
           "cycles_per_packet": (t1 - t0) * tsc_hz / pkts,
           "mpps": pkts / (t1 - t0) / 1e6}
    if c0 is not None and c1 is not None:
        res["on_cpu_cycles_per_packet"] = (c1 - c0) * 1e-9 * tsc_hz / pkts
        res["on_cpu_share"] = (c1 - c0) * 1e-9 / (t1 - t0)
    return res


# ---- callgrind ------------------------------------------------------------

def callgrind_run(name, cmd, env, seconds, tmpdir, top):
    outbase = os.path.join(tmpdir, f"cg.{name}")
    vg = ["valgrind", "--tool=callgrind", "--separate-threads=yes", "--dump-after=fflush",
          f"--callgrind-out-file={outbase}"]
    blocks, _ = run_l2fwd(cmd, env, int(seconds) + 3, prefix=vg, timeout=600 + 10 * seconds,
                          errfile=os.path.join(tmpdir, f"valgrind.{name}.log"))
    # the main thread's (thread 1, the forwarding lcore 0) dumps, in order
    dumps = []
    for p in glob.glob(outbase + ".*-01"):
        m = re.match(r".*\.(\d+)-01$", p)
        if m:
            dumps.append((int(m.group(1)), p))
    dumps.sort()
    parsed = []
    for part, p in dumps:
        total, funcs = parse_callgrind(p)
        cost = {k: e["self"] for k, e in funcs.items()}
        calls = {k: e["call_ir"] for k, e in funcs.items() if e["call_ir"]}
        fwd = any(f.startswith(("l2fwd_launch_one_lcore", "l2fwd_main_loop")) for (_, f) in cost) and sum(cost.values()) > 10_000_000
        parsed.append((part, total, cost, calls, fwd))
    # The dumps closed by print_stats. l2fwd's first pass through its loop
    # prints (prev_tsc starts at 0) before any rx: block 0 reads 0 packets and
    # its dump holds a few thousand instructions. The first dump with the
    # forwarding loop and more than 10 M instructions closes block 1, and
    # dump first + i - 1 closes block i. Block 1's interval (start-up) is left out.
    first = next((i for i, x in enumerate(parsed) if x[4]), None)
    if first is None:
        raise RuntimeError(f"callgrind {name}: no dump with the forwarding loop; files: {dumps}")
    if blocks[0][2] != 0:
        raise RuntimeError(f"callgrind {name}: l2fwd's first statistics block has {blocks[0][2]} packets, "
                           "not 0: cannot line up dumps and blocks")
    if len(parsed) < first + len(blocks) - 1:
        raise RuntimeError(f"callgrind {name}: {len(blocks)} statistics blocks but only "
                           f"{len(parsed) - first} dumps from the forwarding loop on")
    per = []
    total_ir = 0
    total_pk = 0
    funcs = collections.Counter()
    callee_sum = collections.defaultdict(collections.Counter)
    for i in range(2, len(blocks)):
        _, ir, cost, calls, _ = parsed[first + i - 1]
        pk = blocks[i][2] - blocks[i - 1][2]
        if pk <= 0:
            continue
        per.append(ir / pk)
        total_ir += ir
        total_pk += pk
        funcs.update(cost)
        for k, v in calls.items():
            callee_sum[k].update(v)
    for p in glob.glob(outbase + "*"):
        os.unlink(p)
    top_funcs = []
    for (ob, fn), ir in funcs.most_common(top):
        if ir / total_pk < 0.01:
            break
        entry = {"object": os.path.basename(ob or "?"), "function": fn, "per_packet": ir / total_pk}
        if fn.startswith("0x"):
            # stripped (Debian's PMDs): what it calls, a hint at what it is
            entry["calls"] = [c[1] for c, _ in callee_sum[(ob, fn)].most_common(3)]
        top_funcs.append(entry)
    res = {"instructions_per_packet": total_ir / total_pk, "packets": total_pk,
           "intervals": len(per), "min": min(per), "max": max(per), "top": top_funcs}
    print(f"[callgrind] {name}: {res['instructions_per_packet']:.1f} instructions/packet "
          f"({total_pk} packets over {len(per)} intervals, {res['min']:.1f}-{res['max']:.1f})", flush=True)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dpdk", required=True, help="l2fwd built against Debian's DPDK")
    ap.add_argument("--dpdk-src", action="append", default=[], metavar="VERSION-MARCH=PATH",
                    help="l2fwd built against DPDK VERSION from source (bench/build-dpdk.sh VERSION --march MARCH), "
                         "static, e.g. 25.11-corei7=PATH")
    ap.add_argument("--sluice", action="append", required=True, metavar="NAME=PATH[:LIBDIR]")
    ap.add_argument("--tsc-hz", type=float, required=True)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=int, default=5, help="statistics periods (of 1 s) measured per run")
    ap.add_argument("--instructions", metavar="NAME", action="append", default=[],
                    help="callgrind this Sluice build (repeat for several), DPDK from source of its -march and "
                         "Debian's DPDK")
    ap.add_argument("--cg-seconds", type=int, default=12)
    ap.add_argument("--top", type=int, default=12)
    ap.add_argument("--json-out")
    ap.add_argument("--svg", metavar="FILE", help="write a chart of the run (bench/chart.py; needs gnuplot)")
    a = ap.parse_args()

    builds = [("dpdk", a.dpdk, None)]
    for s in a.dpdk_src:
        name, _, path = s.partition("=")
        if not path or name.count("-") != 1:
            ap.error(f"--dpdk-src {s}: give VERSION-MARCH=PATH")
        builds.append((f"dpdk-src-{name}", path, None))
    versions = sorted({n.split("-")[2] for n, _, _ in builds if n.startswith("dpdk-src-")})

    def partner(table, sluice_name, version):
        """The figures of DPDK VERSION from source with the -march of a
        Sluice build ("corei7", "corei7-static"), or None."""
        return table.get(f"dpdk-src-{version}-{sluice_name.split('-')[0]}")
    for s in a.sluice:
        name, _, rest = s.partition("=")
        path, _, libdir = rest.partition(":")
        builds.append((name, path, libdir or None))

    def env_for(libdir):
        env = dict(os.environ)
        if libdir:
            env["LD_LIBRARY_PATH"] = libdir
        return env

    samples = {n: [] for n, _, _ in builds}
    for rnd in range(1, a.rounds + 1):
        for name, path, libdir in builds:
            blocks, pinned = run_l2fwd([path] + EAL + APP, env_for(libdir), WARMUP_BLOCKS + a.seconds + 1)
            r = cycles_figures(blocks, a.tsc_hz)
            r["main_thread_cpus"] = pinned
            samples[name].append(r)
            print(f"[round {rnd}] {name:14} {r['cycles_per_packet']:7.2f} cycles/packet (wall), "
                  f"{r.get('on_cpu_cycles_per_packet', float('nan')):7.2f} on-CPU "
                  f"({100 * r.get('on_cpu_share', 0):.0f}% of the window), {r['mpps']:6.1f} Mpps, "
                  f"lcore 0 on CPU {pinned}", flush=True)

    def summary(v, key):
        xs = [x[key] for x in v if key in x]
        return {"median": statistics.median(xs), "min": min(xs), "max": max(xs)}

    results = {}
    if a.rounds > 0:
        for name, _, _ in builds:
            results[name] = {"cycles_per_packet": summary(samples[name], "cycles_per_packet"),
                             "on_cpu_cycles_per_packet": summary(samples[name], "on_cpu_cycles_per_packet"),
                             "mpps": summary(samples[name], "mpps"), "samples": samples[name]}
        d = results["dpdk"]
        print()
        print(f"l2fwd over 2 null ports, lcore 0 forwarding both; {a.rounds} rounds of {a.seconds} s; "
              f"TSC {a.tsc_hz / 1e6:.0f} MHz")
        print("ratio V: Sluice / DPDK V from source with the same -march (static -O3); "
              "ratio deb: Sluice / Debian's shared DPDK; on-CPU ratios likewise")
        print(f"{'build':22} {'cyc/pkt wall':>13} {'(min-max)':>15} {'on-CPU':>8} {'(min-max)':>15} {'Mpps':>7} " +
              " ".join(f"{'ratio ' + v:>11} {'on-CPU':>6}" for v in versions + ["deb"]))
        for name, _, _ in builds:
            r = results[name]
            c, o = r["cycles_per_packet"], r["on_cpu_cycles_per_packet"]
            cols = [("", "")] * (len(versions) + 1)
            if not name.startswith("dpdk"):
                r["ratio_to_dpdk_src"], r["on_cpu_ratio_to_dpdk_src"] = {}, {}
                for i, v in enumerate(versions):
                    src = partner(results, name, v)
                    if src:
                        r["ratio_to_dpdk_src"][v] = c["median"] / src["cycles_per_packet"]["median"]
                        r["on_cpu_ratio_to_dpdk_src"][v] = o["median"] / src["on_cpu_cycles_per_packet"]["median"]
                        cols[i] = (f"{r['ratio_to_dpdk_src'][v]:.3f}", f"{r['on_cpu_ratio_to_dpdk_src'][v]:.3f}")
                r["ratio_to_dpdk"] = c["median"] / d["cycles_per_packet"]["median"]
                r["on_cpu_ratio_to_dpdk"] = o["median"] / d["on_cpu_cycles_per_packet"]["median"]
                cols[-1] = (f"{r['ratio_to_dpdk']:.3f}", f"{r['on_cpu_ratio_to_dpdk']:.3f}")
            label = "dpdk 22.11 debian" if name == "dpdk" else (name if name.startswith("dpdk") else "sluice " + name)
            print(f"{label:22} {c['median']:13.2f} {c['min']:7.2f}-{c['max']:<7.2f} {o['median']:8.2f} "
                  f"{o['min']:7.2f}-{o['max']:<7.2f} {r['mpps']['median']:7.1f} " +
                  " ".join(f"{x:>11} {y:>6}" for x, y in cols))

    instr = None
    if a.instructions:
        # every Sluice build named, the DPDK from source of the same -march
        # (the part of the name before "-static"), and Debian's
        sel = []
        for want in a.instructions:
            sl = next(((n, p, l) for n, p, l in builds if n == want and not n.startswith("dpdk")), None)
            if sl is None:
                ap.error(f"--instructions {want}: no such --sluice build")
            sel.append(sl)
        instr = {}
        with tempfile.TemporaryDirectory(prefix="l2fwd-cg-") as tmp:
            instr["dpdk"] = callgrind_run("dpdk", [a.dpdk] + EAL_4K + APP, env_for(None), a.cg_seconds, tmp, a.top)
            for n, p, _ in builds:
                if n.startswith("dpdk-src-") and any(n.split("-")[3] == s[0].split("-")[0] for s in sel):
                    instr[n] = callgrind_run(n, [p] + EAL_4K + APP, env_for(None), a.cg_seconds, tmp, a.top)
            for n, p, l in sel:
                instr[f"sluice-{n}"] = callgrind_run(f"sluice-{n}", [p] + EAL_4K + APP, env_for(l),
                                                     a.cg_seconds, tmp, a.top)
        print()
        for side, r in instr.items():
            label = "dpdk 22.11 debian" if side == "dpdk" else side
            print(f"top functions per packet, {label} (self instructions, forwarding thread):")
            for t in r["top"]:
                extra = f"  [calls {', '.join(t['calls'])}]" if t.get("calls") else ""
                print(f"  {t['per_packet']:7.2f}  {t['object']}: {t['function']}{extra}")
        print()
        print("instructions/packet (callgrind, forwarding lcore, l2fwd); ratio V: Sluice / DPDK V from source "
              "of the same -march (static -O3; target <= 0.8); ratio deb: Sluice / Debian's shared DPDK")
        print(f"{'build':24} {'instr/pkt':>9} " + " ".join(f"{'ratio ' + v:>11}" for v in versions) +
              f" {'ratio deb':>9}")
        for side, r in instr.items():
            cols = [""] * len(versions)
            ratio_d = ""
            if side.startswith("sluice-"):
                r["ratio_to_dpdk"] = r["instructions_per_packet"] / instr["dpdk"]["instructions_per_packet"]
                ratio_d = f"{r['ratio_to_dpdk']:.3f}"
                r["ratio_to_dpdk_src"] = {}
                for i, v in enumerate(versions):
                    src = partner(instr, side[len("sluice-"):], v)
                    if src:
                        r["ratio_to_dpdk_src"][v] = r["instructions_per_packet"] / src["instructions_per_packet"]
                        cols[i] = f"{r['ratio_to_dpdk_src'][v]:.3f}"
            label = "dpdk 22.11 debian" if side == "dpdk" else side
            print(f"{label:24} {r['instructions_per_packet']:9.1f} " + " ".join(f"{x:>11}" for x in cols) +
                  f" {ratio_d:>9}")
    data = {"rounds": a.rounds, "seconds": a.seconds, "tsc_hz": a.tsc_hz,
            "command": EAL + APP, "callgrind_command": EAL_4K + APP,
            "results": results, "callgrind": instr}
    if a.json_out:
        with open(a.json_out, "w") as f:
            json.dump(data, f, indent=2)
        print(f"\nraw figures: {a.json_out}")
    if a.svg and results:
        # the chart of this run: bench/chart.py l2fwd (gnuplot)
        with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
            json.dump(data, f)
            f.flush()
            subprocess.run([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                                         "chart.py"), "l2fwd", f.name, a.svg], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
