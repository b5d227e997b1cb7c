#!/usr/bin/env python3
"""bench/virtio/kicks.py: notifications (kicks) per packet of each io-forwarding
run in a traced guest run of bench/run-guest-iofwd.sh virtio.

Run the benchmark with QEMU tracing the virtio notify handler (see
bench/virtio/qemu-trace-notify.sh), then

    bench/virtio/kicks.py TRACE.log ROUNDS.txt

TRACE.log holds QEMU's `virtio_queue_notify` events (with -msg timestamp=on),
ROUNDS.txt is the run's iofwd-virtio/rounds.txt. The virtio-net devices are
the ones whose queue 2 (the control queue) was notified; queue 0 is rx, 1 tx.
Runs are the stretches of seconds with tx kicks, in the order rounds.txt lists
them; a stretch also ends where a port is started (four or more control-queue
kicks in one second), since back-to-back runs may leave no quiet second. A run's kicks per second are taken over its inner seconds (the first
and last, partly idle, are left out) and divided by the round's Mpps, so the
per-packet figures are approximate.
"""
import collections
import re
import sys


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: kicks.py TRACE.log ROUNDS.txt")
    per_sec = collections.defaultdict(collections.Counter)
    netdevs = set()
    pat = re.compile(r"\d+@(\d+)\.\d+:virtio_queue_notify vdev (\S+) n (\d+)")
    with open(sys.argv[1]) as f:
        for line in f:
            m = pat.match(line)
            if not m:
                continue
            sec, vdev, q = int(m.group(1)), m.group(2), m.group(3)
            if q == "2":
                netdevs.add(vdev)
            per_sec[sec][(vdev, q)] += 1

    def kicks(sec, q):
        return sum(v for (d, qq), v in per_sec[sec].items() if d in netdevs and qq == q)

    def starts_port(sec):
        return any(per_sec[sec][(d, "2")] >= 4 for d in netdevs)

    active = [s for s in sorted(per_sec) if kicks(s, "1") >= 50]
    runs, cur = [], []
    for s in active:
        if cur and (s != cur[-1] + 1 or starts_port(s)):
            runs.append(cur)
            cur = []
        cur.append(s)
    if cur:
        runs.append(cur)
    rounds = re.findall(r"^round (\d+): (sluice|dpdk) ([0-9.]+) Mpps", open(sys.argv[2]).read(), re.M)
    if len(runs) != len(rounds):
        sys.exit("kicks.py: %d stretches of tx kicks in the trace but %d runs in %s" %
                 (len(runs), len(rounds), sys.argv[2]))
    print("%-12s %8s %12s %12s %14s %14s" % ("run", "Mpps", "rx kicks/s", "tx kicks/s", "rx /1000 pkts", "tx /1000 pkts"))
    for (r, who, mpps), secs in zip(rounds, runs):
        inner = secs[1:-1] if len(secs) > 2 else secs
        rx = sum(kicks(s, "0") for s in inner) / len(inner)
        tx = sum(kicks(s, "1") for s in inner) / len(inner)
        pps = float(mpps) * 1e6
        print("%-12s %8s %12.0f %12.0f %14.2f %14.2f" % ("%s %s" % (who, r), mpps, rx, tx,
              1000 * rx / pps, 1000 * tx / pps))


if __name__ == "__main__":
    main()
