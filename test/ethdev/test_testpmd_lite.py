#!/usr/bin/env python3
"""test_testpmd_lite.py: testpmd-lite end to end over two net_null ports.

Runs the binary (path given as the last argument; in a cross build after
the command that runs it, e.g. qemu-aarch64 -L /usr/aarch64-linux-gnu) in
every forwarding mode with --json and checks the summary: the run stops by itself, packets were
counted, io/mac/macswap forward everything they receive to the paired port,
rxonly sends nothing, txonly receives nothing and sends packets of --txpkts
bytes; mac, macswap (and io) by content: net_null ports give received frames
known addresses (rx-dst/rx-src) and capture what they send (capture=FILE,
a pcap), and the Ethernet addresses leaving each port are those DPDK's
testpmd gives (mac: tx port's MAC and its --eth-peer; macswap: swapped), cycles per packet and rates are positive. Also: --max-packets,
SIGINT while forwarding, several queues and cores, --no-huge, and bad
options that must fail with a message.
"""
import json
import os
import signal
import subprocess
import sys
import threading
import time

BIN = sys.argv[1:]  # [exe wrapper...] testpmd-lite
EAL = ["-l", "0-1", "-m", "64", "--vdev", "null0", "--vdev", "null1"]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL: " + what, file=sys.stderr)


def run(app_args, eal=EAL, timeout=60):
    p = subprocess.run(BIN + eal + ["--"] + app_args, capture_output=True, text=True, timeout=timeout)
    return p


def run_json(name, app_args, eal=EAL):
    p = run(app_args + ["--json"], eal)
    check(p.returncode == 0, f"{name}: exit code {p.returncode}, stderr: {p.stderr[-2000:]}")
    try:
        return json.loads(p.stdout)
    except json.JSONDecodeError as e:
        check(False, f"{name}: stdout is not one JSON object ({e}): {p.stdout[:500]!r}")
        return None


def port(r, i):
    return r["ports"][i]


def check_common(name, r, mode):
    check(r["forward_mode"] == mode, f"{name}: forward_mode {r['forward_mode']}")
    check(len(r["ports"]) == 2, f"{name}: {len(r['ports'])} ports")
    check(r["packets"] > 0, f"{name}: no packets counted")
    check(r["mpps"] > 0 and r["gbps"] > 0, f"{name}: mpps {r['mpps']} gbps {r['gbps']}")
    check(r["cycles_per_packet"] > 0, f"{name}: cycles_per_packet {r['cycles_per_packet']}")
    check(r["core_cycles"] > 0, f"{name}: core_cycles {r['core_cycles']}")
    # cycles per packet is the streams' cycles over the counted packets
    cpp = r["core_cycles"] / r["packets"]
    check(abs(cpp - r["cycles_per_packet"]) < 0.01 + 1e-6 * cpp, f"{name}: cycles_per_packet {r['cycles_per_packet']} != {cpp}")
    check(sum(s["core_cycles"] for s in r["streams"]) == r["core_cycles"], f"{name}: stream cycles do not add up")
    for i in range(2):
        check(port(r, i)["rx_missed"] == 0 and port(r, i)["rx_nombuf"] == 0,
              f"{name}: port {i} missed/nombuf {port(r, i)}")


def check_forwarding(name, r, mode):
    """io, mac, macswap: every packet received on one port leaves by the other."""
    check_common(name, r, mode)
    t = r["total"]
    check(t["rx_packets"] > 0, f"{name}: nothing received")
    check(t["rx_packets"] == t["tx_packets"] + t["fwd_dropped"],
          f"{name}: rx {t['rx_packets']} != tx {t['tx_packets']} + dropped {t['fwd_dropped']}")
    check(t["fwd_dropped"] == 0, f"{name}: null ports never refuse, yet {t['fwd_dropped']} dropped")
    check(r["packets"] == t["rx_packets"], f"{name}: packets {r['packets']} is not the rx total")
    for i in range(2):
        other = 1 - i
        check(port(r, i)["rx_packets"] > 0, f"{name}: port {i} received nothing")
        check(port(r, i)["rx_packets"] == port(r, other)["tx_packets"],
              f"{name}: port {i} rx {port(r, i)['rx_packets']} != port {other} tx {port(r, other)['tx_packets']}")
        check(port(r, i)["rx_bytes"] == 64 * port(r, i)["rx_packets"], f"{name}: port {i} rx bytes")
        check(port(r, i)["tx_bytes"] == 64 * port(r, i)["tx_packets"], f"{name}: port {i} tx bytes")
    for s in r["streams"]:
        check(s["tx_port"] == 1 - s["rx_port"], f"{name}: stream {s} does not go to the paired port")
        check(s["rx_packets"] == s["tx_packets"] > 0, f"{name}: stream {s}")
    check(abs(r["gbps"] - r["mpps"] * 64 * 8 / 1000) < 0.01 * r["gbps"] + 1e-3, f"{name}: gbps vs mpps")


def test_modes():
    for mode in ("io", "mac", "macswap"):
        r = run_json(mode, [f"--forward-mode={mode}", "--run-time=0.5", "--burst=32"])
        if r is None:
            continue
        check(r["stopped_by"] == "run-time", f"{mode}: stopped_by {r['stopped_by']}")
        check(0.45 <= r["duration_s"] <= 10, f"{mode}: duration {r['duration_s']}")
        check(r["burst"] == 32 and r["nb_cores"] == 1, f"{mode}: burst/cores {r['burst']} {r['nb_cores']}")
        check_forwarding(mode, r, mode)

    r = run_json("rxonly", ["--forward-mode=rxonly", "--run-time=0.5"])
    if r is not None:
        check_common("rxonly", r, "rxonly")
        t = r["total"]
        check(t["rx_packets"] > 0 and t["tx_packets"] == 0, f"rxonly: totals {t}")
        check(r["packets"] == t["rx_packets"], "rxonly: packets is the rx total")

    r = run_json("txonly", ["--forward-mode=txonly", "--run-time=0.5", "--txpkts=128", "--txflows=8"])
    if r is not None:
        check_common("txonly", r, "txonly")
        t = r["total"]
        check(t["tx_packets"] > 0 and t["rx_packets"] == 0, f"txonly: totals {t}")
        check(r["packets"] == t["tx_packets"], "txonly: packets is the tx total")
        for i in range(2):
            check(port(r, i)["tx_packets"] > 0, f"txonly: port {i} sent nothing")
            check(port(r, i)["tx_bytes"] == 128 * port(r, i)["tx_packets"], f"txonly: port {i} tx bytes not 128 each")


def read_pcap(path):
    """The frames of a pcap file (net_null's capture=), as bytes."""
    import struct
    frames = []
    with open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack_from("<I", data, 0)
    if magic != 0xa1b2c3d4 or len(data) < 24:
        check(False, f"{path}: not a little-endian pcap (magic {magic:#x})")
        return frames
    off = 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack_from("<IIII", data, off)
        frames.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return frames


def mac_str(b):
    return ":".join(f"{x:02x}" for x in b)


def test_mac_content():
    """mac and macswap checked by what leaves the ports, as DPDK's testpmd
    defines them: every frame received on null0 (dst A0, src B0) or null1
    (dst A1, src B1) is captured as it leaves the other port. mac: src = the
    tx port's own MAC, dst = its peer address (--eth-peer, else
    02:00:00:00:00:<tx port>); macswap: src and dst of the received frame
    swapped; io: the header untouched. The ethertype is never touched."""
    import tempfile
    rx = [("aa:00:00:00:00:a0", "bb:00:00:00:00:b0"), ("aa:00:00:00:00:a1", "bb:00:00:00:00:b1")]
    peer1 = "52:54:00:00:00:99"
    with tempfile.TemporaryDirectory() as d:
        for mode, extra in (("mac", []), ("mac", [f"--eth-peer=1,{peer1}"]), ("macswap", []), ("io", [])):
            name = f"{mode} content{' ' + extra[0] if extra else ''}"
            caps = [os.path.join(d, f"{mode}{len(extra)}-p{i}.pcap") for i in range(2)]
            eal = ["-l", "0-1", "-m", "64", "--no-huge"]
            for i in range(2):
                eal += ["--vdev", f"null{i},rx-dst={rx[i][0]},rx-src={rx[i][1]},capture={caps[i]},capture-max=256"]
            r = run_json(name, [f"--forward-mode={mode}", "--max-packets=20000"] + extra, eal)
            if r is None:
                continue
            check_forwarding(name, r, mode)
            for tx in range(2):
                frames = read_pcap(caps[tx])
                p = port(r, tx)
                got_dst, got_src = rx[1 - tx]          # what the other port received
                if mode == "mac":
                    want_dst = peer1 if (extra and tx == 1) else f"02:00:00:00:00:{tx:02x}"
                    want_src = p["mac"]
                    check(p["eth_peer"] == want_dst, f"{name}: port {tx} reports eth_peer {p['eth_peer']}, expected {want_dst}")
                elif mode == "macswap":
                    want_dst, want_src = got_src, got_dst
                else:
                    want_dst, want_src = got_dst, got_src
                check(len(frames) == 256, f"{name}: port {tx} captured {len(frames)} frames, expected 256")
                bad = [f for f in frames if mac_str(f[0:6]) != want_dst or mac_str(f[6:12]) != want_src
                       or f[12:14] != b"\x88\xb5" or len(f) != 64]
                check(not bad, f"{name}: {len(bad)} of {len(frames)} frames leaving port {tx} are not "
                      f"dst {want_dst} src {want_src} type 88b5 (first: "
                      f"{(mac_str(bad[0][0:6]) + ' ' + mac_str(bad[0][6:12]) + ' ' + bad[0][12:14].hex()) if bad else ''})")
    # net_null's new options refuse bad values
    expect_failure("rx-dst not a MAC", [], "is not a MAC address",
                   ["-l", "0-1", "--no-huge", "--vdev", "null0,rx-dst=zz", "--vdev", "null1"])
    expect_failure("--eth-peer malformed", ["--eth-peer=0,nonsense"], "give PORT,MAC")


def test_max_packets():
    r = run_json("max-packets", ["--max-packets=2000000"])
    if r is not None:
        check(r["stopped_by"] == "max-packets", f"max-packets: stopped_by {r['stopped_by']}")
        check(r["packets"] >= 2000000, f"max-packets: only {r['packets']} packets")
        check_forwarding("max-packets", r, "io")


class Reader(threading.Thread):
    """Collects one pipe's lines; wait() for a line containing some text."""

    def __init__(self, pipe):
        super().__init__(daemon=True)
        self.pipe, self.lines, self.cond = pipe, [], threading.Condition()
        self.start()

    def run(self):
        for line in self.pipe:
            with self.cond:
                self.lines.append(line)
                self.cond.notify_all()
        with self.cond:
            self.lines.append(None)
            self.cond.notify_all()

    def wait(self, text, timeout):
        with self.cond:
            return self.cond.wait_for(
                lambda: any(l is None or text in l for l in self.lines), timeout) and \
                any(l is not None and text in l for l in self.lines)

    def text(self):
        self.join(timeout=20)
        return "".join(l for l in self.lines if l is not None)


def start_forwarding(app_args, banner_on_stderr):
    """Start testpmd-lite and wait until it forwards (its banner is printed
    just before the lcores are launched, after the signal handlers are in)."""
    p = subprocess.Popen(BIN + EAL + ["--"] + app_args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = Reader(p.stdout), Reader(p.stderr)
    started = (err if banner_on_stderr else out).wait("forwarding, 2 ports", 60)
    check(started, f"{app_args}: no start banner within 60 s")
    time.sleep(1.0)
    check(p.poll() is None, f"{app_args}: exited before the signal")
    return p, out, err


def stop_with(p, sig, what):
    p.send_signal(sig)
    try:
        p.wait(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        check(False, f"{what}: did not stop within 30 s of the signal")
        return False
    check(p.returncode == 0, f"{what}: exit code {p.returncode}")
    return True


def test_sigint():
    p, out, err = start_forwarding(["--forward-mode=io", "--json", "--stats-period=0.2"], True)
    if not stop_with(p, signal.SIGINT, "sigint"):
        return
    o, e = out.text(), err.text()
    check("SIGINT received" in e, "sigint: no message about the signal")
    check("port 0 (null0): rx" in e, "sigint: no periodic statistics on stderr")
    try:
        r = json.loads(o)
    except json.JSONDecodeError:
        check(False, f"sigint: stdout not JSON: {o[:300]!r}")
        return
    check(r["stopped_by"] == "signal", f"sigint: stopped_by {r['stopped_by']}")
    check_forwarding("sigint", r, "io")

    # SIGTERM too, text output: the totals are printed
    p, out, err = start_forwarding(["--forward-mode=io"], False)
    if not stop_with(p, signal.SIGTERM, "sigterm"):
        return
    o = out.text()
    err.text()
    check("CPU cycles/packet=" in o and "Mpps" in o and "Gbit/s" in o, f"sigterm: summary missing: {o[-600:]}")
    check("stopped by signal" in o, "sigterm: summary does not say it was stopped by the signal")


def test_queues_and_cores():
    r = run_json("2 queues", ["--rxq=2", "--txq=2", "--run-time=0.5"])
    if r is not None:
        check(len(r["streams"]) == 4, f"2 queues: {len(r['streams'])} streams")
        check(all(s["rx_packets"] > 0 for s in r["streams"]), "2 queues: a stream received nothing")
        check({(s["rx_port"], s["rx_queue"]) for s in r["streams"]} == {(0, 0), (0, 1), (1, 0), (1, 1)},
              "2 queues: streams do not cover every rx queue")
        check_forwarding("2 queues", r, "io")
    # two forwarding lcores besides the main one: each on its own CPU when
    # there are three, else both on CPU 1 (-l 0,1-2@1, as DPDK's --lcores)
    lcores = "0-2" if len(os.sched_getaffinity(0)) >= 3 else "0,1-2@1"
    eal3 = ["-l", lcores, "-m", "64", "--vdev", "null0", "--vdev", "null1"]
    r = run_json("2 cores", ["--nb-cores=2", "--rxq=2", "--txq=2", "--run-time=0.5"], eal=eal3)
    if r is not None:
        check(r["nb_cores"] == 2, f"2 cores: nb_cores {r['nb_cores']}")
        check_forwarding("2 cores", r, "io")
        # the four streams are split between the two lcores: each must move packets
        check(all(s["rx_packets"] > 0 for s in r["streams"]), "2 cores: a stream received nothing")
    # a tx queue two lcores would share is refused: with three forwarding
    # lcores the four streams split 1/1/2, so port 0's rx queues 0 and 1
    # (both sending on port 1's only tx queue) land on different lcores
    lcores4 = "0-3" if len(os.sched_getaffinity(0)) >= 4 else "0,1-3@1"
    eal4 = ["-l", lcores4, "-m", "64", "--vdev", "null0", "--vdev", "null1"]
    expect_failure("shared tx queue", ["--nb-cores=3", "--rxq=2", "--txq=1"], "tx queue", eal=eal4)


def test_no_huge():
    r = run_json("no-huge", ["--run-time=0.3"], eal=EAL + ["--no-huge"])
    if r is not None:
        check_forwarding("no-huge", r, "io")


def expect_failure(name, app_args, text, eal=EAL):
    p = run(app_args + ["--run-time=0.2"], eal, timeout=30)
    check(p.returncode != 0, f"{name}: exit code 0, expected a failure")
    check(text in p.stderr, f"{name}: stderr lacks {text!r}: {p.stderr[-800:]}")


def test_bad_options():
    expect_failure("bad mode", ["--forward-mode=fast"], "unknown mode")
    expect_failure("zero burst", ["--burst=0"], "--burst=0")
    expect_failure("huge burst", ["--burst=100000"], "--burst=100000")
    expect_failure("bad run time", ["--run-time=soon"], "--run-time=soon")
    expect_failure("unknown option", ["--frobnicate"], "--frobnicate")
    expect_failure("too many cores", ["--nb-cores=2"], "--nb-cores=2")
    expect_failure("small txpkts", ["--forward-mode=txonly", "--txpkts=10"], "--txpkts=10")
    expect_failure("unknown vdev", [], "no driver", eal=["-l", "0-1", "-m", "64", "--vdev", "nosuch0"])
    expect_failure("bad vdev arg", [], "size=abc", eal=["-l", "0-1", "-m", "64", "--vdev", "null0,size=abc"])
    expect_failure("unknown vdev key", [], "colour", eal=["-l", "0-1", "-m", "64", "--vdev", "null0,colour=red"])
    expect_failure("no ports", [], "no ports", eal=["-l", "0-1", "-m", "64"])
    expect_failure("no worker", [], "worker lcore", eal=["-l", "0", "-m", "64", "--vdev", "null0"])


def main():
    for t in (test_modes, test_mac_content, test_max_packets, test_sigint, test_queues_and_cores, test_no_huge, test_bad_options):
        t0 = time.time()
        n = len(failures)
        t()
        print(f"{t.__name__}: {'ok' if len(failures) == n else 'FAILED'} ({time.time() - t0:.1f} s)")
    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
