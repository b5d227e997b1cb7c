#!/usr/bin/env python3
"""bench/mempool/instructions.py: instructions per object (one get plus one
put) of each mempool variant, counted by callgrind; called by
bench/run-mempool.sh.

    instructions.py LABEL PROGRAM [ARGS...]

Runs PROGRAM (a bench_mempool_* build) under valgrind --tool=callgrind with
BENCH_MEMPOOL_REPS=1 (a warm-up and one measured repetition, each of 2^20
objects per variant) and prints "LABEL VARIANT INSTRUCTIONS" per variant:
the inclusive instructions of bench_run_NAME (bench_mempool.h, not inlined)
over the objects it got and put. The loop's own increment, compare and
barriers are in the figure, the same on both sides.
"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from callgrind import parse_callgrind  # noqa: E402

REPS = 1
OBJS_PER_REP = 1 << 20
VARIANTS = {"bench_run_32": "bulk32_cache256", "bench_run_1": "bulk1_cache256",
            "bench_run_128": "bulk128_cache256", "bench_run_32nc": "bulk32_nocache",
            "bench_run_mbuf32": "mbuf_alloc_free32"}


def main():
    label, cmd = sys.argv[1], sys.argv[2:]
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "cg.out")
        env = dict(os.environ, BENCH_MEMPOOL_REPS=str(REPS))
        p = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"] + cmd,
                           env=env, capture_output=True, text=True)
        if p.returncode != 0:
            sys.stderr.write(p.stderr[-3000:])
            return 1
        _, funcs = parse_callgrind(out)
    objs = (REPS + 1) * OBJS_PER_REP
    found = 0
    for (ob, fn), e in funcs.items():
        if fn in VARIANTS:
            print(f"{label} {VARIANTS[fn]} {e['incl'] / objs:.2f}")
            found += 1
    if found != len(VARIANTS):
        sys.stderr.write(f"instructions.py: {found} of {len(VARIANTS)} bench_run_* functions in the profile\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
