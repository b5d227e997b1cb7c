#!/usr/bin/env python3
"""run_examples.py BUILD_DIR [--cmdline dpdk|sluice]: build DPDK's unmodified
helloworld, skeleton and l2fwd against sluice-rte (build-examples.sh: meson
install --destdir into a temp dir, cc -Wall -Wextra -Werror with pkg-config)
and run them on the host over two net_null ports.

--cmdline dpdk uses the command lines as DPDK's guides write them
(-l 0-1 -n 4 ...); --cmdline sluice the same without "-n 4". Any failure
fails (Sluice's EAL takes DPDK's -n, accepted with no effect).

What is checked:
- helloworld -l 0-1: "hello from core 0" and "... core 1", exit 0.
- l2fwd -l 0-1 --vdev net_null0 --vdev net_null1 -- -p 0x3 -T 1: runs ~3 s,
  then SIGINT: exit 0, "Bye...", both ports closed. Its last statistics
  block: packets sent > 0 on both ports, and what one port received matches
  what the other sent: port 0's rx and port 1's tx are both counted by
  lcore 0 (which prints), so rx0 - tx1 - dropped1 is what sits in the tx
  buffer, 0..31; port 1's rx and port 0's tx are lcore 1's, read while it
  runs, so rx1 >= tx0 + dropped0 and the gap is what it received between
  the two reads (checked to be under 1% of rx1).
  The static build (l2fwd-static) gets the same run, shorter: with it the
  ports exist only because --whole-archive kept the drivers.
- skeleton -l 0 --vdev net_null0,... --vdev net_null1,...: skeleton prints
  nothing after init, keeps no counters and installs no SIGINT handler, so
  SIGINT kills it and its ethdev statistics die with it. What shows it
  forwarded is on the ports themselves: net_null's devargs make each port
  receive frames with its own source MAC (rx-src=) and write the first 64
  frames it transmits to a pcap (capture=, capture-max=, flushed when
  full). A frame with port 0's rx source MAC in port 1's capture can only
  have got there through skeleton's rx-burst/tx-burst loop (and the other
  way round). The test waits for both captures to be full, sends SIGINT,
  checks the process died of SIGINT, and reads the pcaps: 64 frames each,
  every one carrying the other port's source MAC. Nothing here is a
  figure written in advance: the frames are what the ports sent.
- Bad input: helloworld with DPDK's -d (load a driver .so, which Sluice
  refuses) exits non-zero with exactly one EAL line naming -d.
"""
import argparse
import os
import re
import signal
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
failures = 0


def fail(msg):
    global failures
    failures += 1
    print("FAIL: " + msg, flush=True)


def note(msg):
    print("  " + msg, flush=True)


def run(cmd, env, timeout=60):
    note("$ " + " ".join(cmd))
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)


def start(cmd, env):
    note("$ " + " ".join(cmd))
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def stop(p, timeout=30):
    p.send_signal(signal.SIGINT)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        fail("%s did not stop within %d s of SIGINT" % (p.args[0], timeout))
    return p.returncode, out, err


def test_helloworld(bindir, env, eal):
    r = run([os.path.join(bindir, "helloworld")] + eal, env)
    if r.returncode != 0:
        fail("helloworld exited %d; stderr:\n%s" % (r.returncode, r.stderr))
        return
    for core in (0, 1):
        if "hello from core %d" % core not in r.stdout:
            fail("helloworld did not print 'hello from core %d':\n%s" % (core, r.stdout))
    note("helloworld: " + " / ".join(l for l in r.stdout.splitlines() if l.startswith("hello")))


STATS_RE = re.compile(r"Statistics for port (\d+) -+\s*Packets sent:\s*(\d+)\s*"
                      r"Packets received:\s*(\d+)\s*Packets dropped:\s*(\d+)")


def test_l2fwd(bindir, env, eal, exe="l2fwd", seconds=3.0):
    cmd = [os.path.join(bindir, exe)] + eal + ["--vdev", "net_null0", "--vdev", "net_null1",
                                              "--", "-p", "0x3", "-T", "1"]
    p = start(cmd, env)
    time.sleep(seconds)
    rc, out, err = stop(p)
    if rc != 0:
        fail("%s exited %d after SIGINT (want 0); stderr:\n%s" % (exe, rc, err))
    for want in ("Signal 2 received", "Closing port 0... Done", "Closing port 1... Done", "Bye..."):
        if want not in out:
            fail("%s: '%s' missing from its output" % (exe, want))
    blocks = out.split("Port statistics")
    stats = {}
    for block in reversed(blocks):
        found = {int(m.group(1)): tuple(int(x) for x in m.group(2, 3, 4)) for m in STATS_RE.finditer(block)}
        if len(found) == 2:
            stats = found
            break
    if len(stats) != 2:
        fail("%s printed no complete statistics block for ports 0 and 1:\n%s" % (exe, out[-2000:]))
        return
    (tx0, rx0, dr0), (tx1, rx1, dr1) = stats[0], stats[1]
    note("%s last stats: port 0 sent %d received %d dropped %d; port 1 sent %d received %d dropped %d"
         % (exe, tx0, rx0, dr0, tx1, rx1, dr1))
    if tx0 <= 0 or tx1 <= 0:
        fail("%s: packets sent must be > 0 on both ports" % exe)
    if not 0 <= rx0 - tx1 - dr1 < 32:
        fail("%s: port 0 received %d but port 1 sent %d + dropped %d (want a difference of 0..31, "
             "the tx buffer)" % (exe, rx0, tx1, dr1))
    gap = rx1 - tx0 - dr0
    if gap < 0 or gap > rx1 // 100 + 32:
        fail("%s: port 1 received %d but port 0 sent %d + dropped %d" % (exe, rx1, tx0, dr0))


def read_pcap(path):
    frames = []
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24 or struct.unpack("<I", data[:4])[0] != 0xa1b2c3d4:
        return frames
    off = 24
    while off + 16 <= len(data):
        _, _, caplen, _ = struct.unpack("<IIII", data[off:off + 16])
        off += 16
        if off + caplen > len(data):
            break
        frames.append(data[off:off + caplen])
        off += caplen
    return frames


def test_skeleton(bindir, env, eal, tmp):
    nframes = 64
    size = 24 + nframes * (16 + 64)  # pcap header + records of 64-byte frames
    macs = ["02:00:00:00:00:a0", "02:00:00:00:00:a1"]
    caps = [os.path.join(tmp, "skeleton-port%d.pcap" % i) for i in (0, 1)]
    for c in caps:
        if os.path.exists(c):
            os.unlink(c)
    vdevs = []
    for i in (0, 1):
        vdevs += ["--vdev", "net_null%d,rx-src=%s,capture=%s,capture-max=%d" % (i, macs[i], caps[i], nframes)]
    p = start([os.path.join(bindir, "skeleton")] + eal + vdevs, env)
    deadline = time.time() + 20
    while time.time() < deadline and p.poll() is None:
        if all(os.path.exists(c) and os.path.getsize(c) >= size for c in caps):
            break
        time.sleep(0.1)
    if p.poll() is not None:
        out, err = p.communicate()
        fail("skeleton exited by itself with %d; stderr:\n%s" % (p.returncode, err))
        return
    rc, out, err = stop(p)
    if rc != -signal.SIGINT:
        fail("skeleton: want death by SIGINT (it installs no handler), got exit status %d; stderr:\n%s"
             % (rc, err))
    for i in (0, 1):
        frames = read_pcap(caps[i])
        other = bytes.fromhex(macs[i ^ 1].replace(":", ""))
        from_other = sum(1 for fr in frames if fr[6:12] == other)
        note("skeleton: port %d transmitted %d captured frames, %d with port %d's rx source MAC %s"
             % (i, len(frames), from_other, i ^ 1, macs[i ^ 1]))
        if len(frames) != nframes or from_other != nframes:
            fail("skeleton: port %d's capture should hold %d frames received on port %d"
                 % (i, nframes, i ^ 1))


def test_bad_option(bindir, env, eal):
    r = run([os.path.join(bindir, "helloworld")] + eal + ["-d", "librte_net_foo.so"], env)
    if r.returncode == 0:
        fail("helloworld with -d exited 0; Sluice cannot load driver objects and must refuse it")
    lines = [l for l in r.stderr.splitlines() if l.startswith("eal") and re.search(r"(^|[^\w-])-d\b", l)]
    if len(lines) != 1:
        fail("want exactly one EAL line naming -d, got %d:\n%s" % (len(lines), r.stderr))
    else:
        note("refused: " + lines[0])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build_dir")
    ap.add_argument("--cmdline", choices=["dpdk", "sluice"], default="dpdk")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="sluice-rte-examples-") as tmp:
        r = subprocess.run([os.path.join(HERE, "build-examples.sh"), args.build_dir, tmp],
                           capture_output=True, text=True)
        sys.stdout.write(r.stdout)
        if r.returncode != 0:
            print(r.stderr)
            print("FAIL: building the examples against sluice-rte failed")
            return 1
        if r.stderr.strip():
            print(r.stderr)
            print("FAIL: the examples' build printed warnings or errors")
            return 1
        env = dict(os.environ)
        for line in r.stdout.splitlines():
            if line.startswith("LD_LIBRARY_PATH="):
                env["LD_LIBRARY_PATH"] = line.split("=", 1)[1]
        bindir = os.path.join(tmp, "bin")

        n4 = ["-n", "4"] if args.cmdline == "dpdk" else []
        print("helloworld:", flush=True)
        test_helloworld(bindir, env, ["-l", "0-1"] + n4)
        print("l2fwd:", flush=True)
        test_l2fwd(bindir, env, ["-l", "0-1"] + n4)
        print("l2fwd, static link:", flush=True)
        test_l2fwd(bindir, env, ["-l", "0-1"] + n4, exe="l2fwd-static", seconds=1.5)
        print("skeleton:", flush=True)
        test_skeleton(bindir, env, ["-l", "0"] + n4, tmp)
        print("bad input:", flush=True)
        test_bad_option(bindir, env, ["-l", "0"] + n4)

    if failures:
        print("run_examples: %d check(s) failed" % failures)
        return 1
    print("run_examples: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
