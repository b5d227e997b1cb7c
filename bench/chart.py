#!/usr/bin/env python3
"""bench/chart.py: SVG charts of a benchmark run, drawn with gnuplot
(Debian: apt-get install gnuplot-nox). The bench scripts call it at the end
of a run; it can be run again on saved figures:

    chart.py iofwd JSON SVG      # bench/run-iofwd.sh --json-out JSON
    chart.py l2fwd JSON SVG      # bench/run-l2fwd.sh --json-out JSON
    chart.py mempool DIR SVG     # SAVE_DIR=DIR bench/run-mempool.sh

Each chart has two panels: instructions (callgrind, the headline; corei7
builds, valgrind cannot run the native builds' AVX-512 code) and TSC cycles
(median, with the min-max over the rounds as an error bar). Without gnuplot
it says how to install it and exits 0 (no chart).
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

HEAD = """set terminal svg size 980,500 dynamic font 'sans,11' background '#ffffff'
set output '{out}'
set termoption noenhanced
set multiplot layout 1,2 title "{title}"
set style fill solid 0.85 border -1
set grid ytics lc rgb '#dddddd'
set yrange [0:*]
set xtics rotate by -25 scale 0 font ',10'
set key top right font ',10'
set bmargin 8
set offsets graph 0, graph 0, graph 0.12, 0
"""


def q(s):
    return '"' + s.replace('"', "'") + '"'


def gnuplot(script, files):
    gp = shutil.which("gnuplot")
    if gp is None:
        print("chart: no chart: gnuplot not found (apt-get install gnuplot-nox, or devtools/install-deps.sh)")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in files.items():
            with open(os.path.join(tmp, name), "w") as f:
                f.write(text)
        p = os.path.join(tmp, "c.gp")
        with open(p, "w") as f:
            f.write(script)
        subprocess.run([gp, p], check=True, cwd=tmp)
    return 0


def cycles_panel(title):
    """The right-hand panel of iofwd and l2fwd: c.dat's cycles per packet
    (name, median, min, max) as bars with min-max error bars."""
    return f"""set title '{title}'
set style histogram errorbars gap 2 lw 1
unset key
plot 'c.dat' using 2:3:4:xtic(1) title 'cycles' lc rgb '#228833'
unset multiplot
"""


def empty_panel(title, why):
    """A panel saying why there are no figures (e.g. CALLGRIND=0)."""
    return f"""set title '{title}'
set label 1 '{why}' at graph 0.5, graph 0.5 center
set xrange [0:1]
set yrange [0:1]
unset xtics
unset ytics
plot 2 notitle
unset label 1
set autoscale x
set yrange [0:*]
set xtics rotate by -25 scale 0 font ',10'
set ytics
"""


def iofwd(src, out):
    d = json.load(open(src))
    cg = d.get("callgrind") or {}
    res = d["results"].get("huge") or next(iter(d["results"].values()))
    pages = "2 MiB" if "huge" in d["results"] else "4 KiB"
    instr = ""
    for name, r in cg.items():
        rx = r["rx"]["per_packet"] if r.get("rx") else 0
        tx = r["tx"]["per_packet"] if r.get("tx") else 0
        rest = r["instructions_per_packet"] - rx - tx
        instr += f"{q(name)} {rx:.2f} {tx:.2f} {rest:.2f} {r['instructions_per_packet']:.2f}\n"
    cyc = ""
    for name, r in res.items():
        sp = r.get("cycles_spread") or {"min": r["cycles_per_packet"], "max": r["cycles_per_packet"]}
        cyc += f"{q(name)} {r['cycles_per_packet']:.2f} {sp['min']:.2f} {sp['max']:.2f}\n"
    panel = """set title 'instructions per packet (callgrind)'
set style data histograms
set style histogram rowstacked
set boxwidth 0.6
plot 'i.dat' using 2:xtic(1) title 'rx burst' lc rgb '#4477aa', \\
     '' using 3 title 'tx burst' lc rgb '#ee6677', \\
     '' using 4 title 'forwarding loop, rest' lc rgb '#bbbbbb', \\
     '' using 0:5:(sprintf('%.1f', $5)) with labels offset 0,0.7 notitle
""" if instr else empty_panel("instructions per packet (callgrind)", "not counted in this run (CALLGRIND=0)")
    script = (HEAD.format(out=out, title="io forwarding, two null ports, burst 32, one forwarding lcore") + "\n" +
              panel + cycles_panel(f"TSC cycles per packet, median and min-max ({pages} pages, {d['rounds']} rounds)"))
    return gnuplot(script, {"i.dat": instr or '"none" 0 0 0 0\n', "c.dat": cyc})


def l2fwd(src, out):
    d = json.load(open(src))
    cg = d.get("callgrind") or {}
    instr = ""
    for name, r in cg.items():
        if not isinstance(r, dict) or "instructions_per_packet" not in r:
            continue
        label = "dpdk debian (shared)" if name == "dpdk" else name
        instr += f"{q(label)} {r['instructions_per_packet']:.2f}\n"
    cyc = ""
    for name, r in d["results"].items():
        o = r["on_cpu_cycles_per_packet"]
        label = "dpdk debian (shared)" if name == "dpdk" else (name if name.startswith("dpdk") else "sluice " + name)
        cyc += f"{q(label)} {o['median']:.2f} {o['min']:.2f} {o['max']:.2f}\n"
    panel = """set title 'instructions per packet, forwarding lcore (callgrind)'
set style data histograms
set style histogram clustered
unset key
plot 'i.dat' using 2:xtic(1) title 'instructions' lc rgb '#4477aa', \\
     '' using 0:2:(sprintf('%.1f', $2)) with labels offset 0,0.7 notitle
""" if instr else empty_panel("instructions per packet (callgrind)", "not counted in this run (CALLGRIND=0)")
    script = (HEAD.format(out=out, title="DPDK's l2fwd (same main.c) over two null ports") + "\n" +
              panel + cycles_panel(f"on-CPU TSC cycles per packet, median and min-max ({d['rounds']} rounds)"))
    return gnuplot(script, {"i.dat": instr or '"none" 0\n', "c.dat": cyc})


def mempool(src, out):
    variants = ["bulk32_cache256", "bulk1_cache256", "bulk128_cache256", "bulk32_nocache", "mbuf_alloc_free32"]
    ins = {}
    p = os.path.join(src, "mempool-instructions.txt")
    if os.path.exists(p):
        for line in open(p):
            i, v, x = line.split()
            ins[(i, v)] = float(x)
    cyc = {}
    for line in open(os.path.join(src, "mempool-cycles.txt")):
        b, i, v, x = line.split()
        if b == "corei7":
            cyc.setdefault((i, v), []).append(float(x))
    # Sluice, each DPDK version from source (dpdksrc-V), Debian's DPDK
    seen = {i for i, _ in list(ins) + list(cyc)}
    src = sorted(i for i in seen if i.startswith("dpdksrc"))
    impls = [("sluice", "Sluice")] + [(i, "DPDK " + i.partition("-")[2] + " from source") for i in src] + \
        ([("dpdk", "DPDK Debian")] if "dpdk" in seen else [])
    idat = cdat = ""
    for v in variants:
        idat += q(v) + " " + " ".join(f"{ins.get((i, v), float('nan')):.2f}" for i, _ in impls) + "\n"
        cdat += q(v) + " " + " ".join(f"{statistics.median(cyc[(i, v)]):.3f}" if (i, v) in cyc else "NaN" for i, _ in impls) + "\n"
    colors = ["#4477aa", "#ee6677", "#aa3377", "#ccbb44", "#66ccee"]

    def plot_of(dat):  # one clustered bar per implementation
        return ", ".join(f"'{dat}' using {k + 2}{':xtic(1)' if k == 0 else ''} title '{t}' lc rgb '{colors[k]}'"
                         for k, (_, t) in enumerate(impls))
    plot_i, plot_c = plot_of("i.dat"), plot_of("c.dat")
    panel = f"""set logscale y
set yrange [0.1:*]
set style data histograms
set style histogram clustered gap 1
set title 'instructions per object (callgrind)'
plot {plot_i}
unset logscale y
""" if ins else empty_panel("instructions per object (callgrind)", "not counted in this run (CALLGRIND=0)")
    script = HEAD.format(out=out, title="mempool: get then put of N objects, one lcore, corei7 builds") + f"""
{panel}
set logscale y
set yrange [0.1:*]
set style data histograms
set style histogram clustered gap 1
set title 'TSC cycles per object (median of runs, best of 41 repetitions each)'
plot {plot_c}
unset multiplot
"""
    return gnuplot(script, {"i.dat": idat, "c.dat": cdat})


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("iofwd", "l2fwd", "mempool"):
        sys.stderr.write(__doc__)
        return 2
    kind, src, out = sys.argv[1:]
    rc = {"iofwd": iofwd, "l2fwd": l2fwd, "mempool": mempool}[kind](src, os.path.abspath(out))
    if rc == 0 and os.path.exists(out):
        print(f"chart: {out}")
    return rc


if __name__ == "__main__":
    sys.exit(main())
