#!/usr/bin/env python3
"""test/vm/dpdk-far-side.py: the kernel's end of the DPDK example checks
(test/vm/checks/59-igb-dpdk-l2fwd, 65-virtio-dpdk-l2fwd, 66-dpdk-skeleton).
Runs in the guest on interfaces of the kernel's igb / virtio_net drivers:
injects frames with AF_PACKET, captures what comes back, checks every byte,
and balances the counts.

  dpdk-far-side.py l2fwd IFNAME PORT_MAC PORT_ID COUNT LOG
      l2fwd -p 0x1 forwards its port PORT_ID (MAC PORT_MAC) to itself, the
      kernel's IFNAME on the other end of the wire. COUNT frames go to
      PORT_MAC; each must come back exactly once with l2fwd's rewrite (dst
      02:00:00:00:00:<PORT_ID>, src PORT_MAC), ethertype, length and payload
      untouched. Then l2fwd's statistics (-T 1, printed to LOG) from a block
      printed after the traffic ended must balance with the wire: received ==
      every frame the kernel sent on IFNAME, sent + dropped == received, sent
      == every frame from PORT_MAC the kernel received, and frames missing
      <= dropped. Nothing may be lost beyond what l2fwd reports.

  dpdk-far-side.py skeleton IF_A IF_B COUNT
      skeleton forwards between a NIC wired to IF_A and one wired to IF_B.
      COUNT frames go out of IF_A addressed to IF_B's MAC and COUNT out of
      IF_B to IF_A's; each must arrive exactly once on the other interface,
      byte for byte as sent. skeleton keeps no counters, so nothing may be
      lost at all: every frame either kernel sent (ours and any other) must
      be received by the other.

Frame sizes cycle over 60..1514 bytes; ethertype 0x88b5 (local
experimental), a tag, the direction, the sequence number and a pattern that
depends on it. The interfaces should have IPv6 disabled (the checks do it)
so that the kernel sends nothing of its own; anything it does send is
counted and shown.
"""
import os
import re
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
ETHERTYPE = 0x88B5
TAG = b"SLDPDK"
PACKET_OUTGOING = 4
SOL_PACKET = 263
PACKET_ADD_MEMBERSHIP = 1
PACKET_MR_PROMISC = 1


def mac_str(b):
    return ":".join("%02x" % x for x in b)


def mac_bytes(s):
    return bytes(int(x, 16) for x in s.split(":"))


def frame_len(seq):
    return 60 + (seq * 151) % 1455          # 60..1514


def make_frame(dst, src, direction, seq):
    head = dst + src + struct.pack(">H", ETHERTYPE) + TAG + bytes([direction]) + struct.pack(">I", seq)
    n = frame_len(seq) - len(head)
    return head + bytes((seq + i) & 0xFF for i in range(n))


def parse_tag(data):
    """(direction, seq) of one of our frames, or None."""
    if len(data) < 25 or data[12:14] != struct.pack(">H", ETHERTYPE) or data[14:20] != TAG:
        return None
    return data[20], struct.unpack_from(">I", data, 21)[0]


class Side:
    """One kernel interface: a packet socket seeing everything on it."""

    def __init__(self, ifname, promisc=False):
        self.ifname = ifname
        self.s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        self.s.bind((ifname, ETH_P_ALL))
        self.mac = self.s.getsockname()[4][:6]
        if promisc:
            self.s.setsockopt(SOL_PACKET, PACKET_ADD_MEMBERSHIP,
                              struct.pack("iHH8s", socket.if_nametoindex(ifname), PACKET_MR_PROMISC, 0, b""))
        self.sent = 0            # frames we sent (a packet socket never sees its own)
        self.outgoing_other = [] # frames the kernel sent on it of its own
        self.incoming = []       # every frame received on it
        self.base = self.counters()

    def counters(self):
        """The driver's tx_packets and rx_packets for the interface."""
        d = "/sys/class/net/%s/statistics/" % self.ifname
        return tuple(int(open(d + c).read()) for c in ("tx_packets", "rx_packets"))

    def deltas(self):
        """Frames the driver sent and received since the socket was opened."""
        now = self.counters()
        return now[0] - self.base[0], now[1] - self.base[1]

    def send(self, frame):
        self.s.send(frame)
        self.sent += 1

    def poll(self):
        while select.select([self.s], [], [], 0)[0]:
            data, addr = self.s.recvfrom(4096)
            if addr[2] == PACKET_OUTGOING:
                self.outgoing_other.append(data[:34].hex())
            else:
                self.incoming.append(data)


def pump(sides, done, timeout):
    end = time.time() + timeout
    while time.time() < end:
        select.select([s.s for s in sides], [], [], 0.05)
        for s in sides:
            s.poll()
        if done():
            break
    # late frames and duplicates
    t = time.time() + 0.3
    while time.time() < t:
        select.select([s.s for s in sides], [], [], 0.05)
        for s in sides:
            s.poll()


def send_interleaved(plan, sides):
    """plan: list of (side, frame); bursts of 8, polling in between."""
    for i, (side, frame) in enumerate(plan):
        side.send(frame)
        if i % 8 == 7:
            time.sleep(0.005)
            for s in sides:
                s.poll()


STATS_BLOCK = re.compile(r"Port statistics =+(.*?)Total packets dropped:\s*\d+", re.S)
PORT_STATS = re.compile(r"Statistics for port (\d+) -+\s*Packets sent:\s*(\d+)\s*"
                        r"Packets received:\s*(\d+)\s*Packets dropped:\s*(\d+)")


def l2fwd_stats_after(log, offset, port_id, timeout=6.0):
    """The first complete statistics block l2fwd printed after byte OFFSET of LOG.
    LOG is on the 9p share and l2fwd appends to it meanwhile: a read can
    fail there (seen: ENODATA), so a failed read is retried like an
    incomplete block."""
    end = time.time() + timeout
    while time.time() < end:
        try:
            with open(log, "rb") as f:
                f.seek(offset)
                text = f.read().decode(errors="replace")
        except OSError as e:
            print("  note: reading %s: %s; reading again" % (log, e))
            time.sleep(0.1)
            continue
        m = STATS_BLOCK.search(text)
        if m:
            for p in PORT_STATS.finditer(m.group(1)):
                if int(p.group(1)) == port_id:
                    return tuple(int(x) for x in p.group(2, 3, 4))
            return None
        time.sleep(0.1)
    return None


def run_l2fwd(ifname, port_mac, port_id, count, log):
    errors = []
    side = Side(ifname, promisc=True)   # the rewritten dst 02:00:00:00:00:xx is nobody's
    pmac = mac_bytes(port_mac)
    want_dst = bytes([2, 0, 0, 0, 0, port_id])
    frames = [make_frame(pmac, side.mac, 0, i) for i in range(count)]
    print("  kernel %s (MAC %s) sends %d frames of 60..1514 bytes to l2fwd's port %d (MAC %s); expected back: "
          "dst %s src %s, type and payload as sent" % (ifname, mac_str(side.mac), count, port_id, port_mac,
                                                       mac_str(want_dst), port_mac), flush=True)
    t0 = time.time()
    send_interleaved([(side, f) for f in frames], [side])
    tagged = lambda: sum(1 for d in side.incoming if parse_tag(d) is not None)
    pump([side], lambda: tagged() >= count, 15)
    elapsed = time.time() - t0
    log_offset = os.path.getsize(log)

    got, bad = {}, []
    from_port = 0
    for d in side.incoming:
        if d[6:12] == pmac:
            from_port += 1
        t = parse_tag(d)
        if t is None:
            continue
        seq = t[1]
        got[seq] = got.get(seq, 0) + 1
        if seq >= count:
            bad.append("seq %d: never sent" % seq)
            continue
        sent = frames[seq]
        if d[0:6] != want_dst or d[6:12] != pmac or len(d) != len(sent) or d[12:] != sent[12:]:
            bad.append("seq %d: dst %s src %s len %d (sent %d)%s" % (
                seq, mac_str(d[0:6]), mac_str(d[6:12]), len(d), len(sent),
                "" if d[12:] == sent[12:] else ", type/payload differ"))
    missing = [i for i in range(count) if i not in got]
    dup = sorted(i for i, c in got.items() if c > 1)
    ktx, krx = side.deltas()
    print("  wire: %s's driver sent %d frames (%d ours, %d of its own seen) and received %d (%d from port %d's MAC) "
          "in %.1f s; %d of ours came back (%d distinct), %d with wrong content, %d missing, %d duplicated"
          % (ifname, ktx, side.sent, len(side.outgoing_other), krx, from_port, port_id, elapsed,
             sum(got.values()), len(got), len(bad), len(missing), len(dup)))
    for o in side.outgoing_other[:3]:
        print("    kernel's own frame: %s" % o)
    for b in bad[:5]:
        errors.append("expected dst %s src %s, type 88b5, length and payload as sent; got %s"
                      % (mac_str(want_dst), port_mac, b))
    if dup:
        errors.append("frames came back more than once: %s" % dup[:10])
    if krx != len(side.incoming):
        errors.append("%s's driver counted %d frames received, the packet socket saw %d"
                      % (ifname, krx, len(side.incoming)))

    st = l2fwd_stats_after(log, log_offset, port_id)
    if st is None:
        errors.append("l2fwd printed no statistics block for port %d after the traffic (log %s)" % (port_id, log))
    else:
        tx, rx, dropped = st
        print("  l2fwd's statistics after the traffic, port %d: sent %d, received %d, dropped %d"
              % (port_id, tx, rx, dropped))
        print("  balance: received %d == kernel sent %d; sent %d + dropped %d == received %d; "
              "sent %d == kernel received from the port %d; missing %d <= dropped %d"
              % (rx, ktx, tx, dropped, rx, tx, from_port, len(missing), dropped))
        if rx != ktx:
            errors.append("l2fwd received %d frames, the kernel sent %d: %d lost before l2fwd counted them"
                          % (rx, ktx, ktx - rx))
        if tx + dropped != rx:
            errors.append("l2fwd sent %d + dropped %d != received %d" % (tx, dropped, rx))
        if tx != from_port:
            errors.append("l2fwd says it sent %d frames, the kernel received %d from its port"
                          % (tx, from_port))
        if len(missing) > dropped:
            errors.append("%d frames missing (first %s), l2fwd reports %d dropped"
                          % (len(missing), missing[:10], dropped))
    for e in errors:
        print("FAIL: l2fwd: " + e)
    return 1 if errors else 0


def run_skeleton(if_a, if_b, count):
    errors = []
    a, b = Side(if_a), Side(if_b)
    fa = [make_frame(b.mac, a.mac, 0, i) for i in range(count)]   # a -> b
    fb = [make_frame(a.mac, b.mac, 1, i) for i in range(count)]   # b -> a
    print("  kernel %s (MAC %s) sends %d frames to %s (MAC %s) and back the same number, 60..1514 bytes; "
          "expected: each arrives once on the other side, byte for byte" % (
              if_a, mac_str(a.mac), count, if_b, mac_str(b.mac)), flush=True)
    plan = []
    for i in range(count):
        plan += [(a, fa[i]), (b, fb[i])]
    t0 = time.time()
    send_interleaved(plan, [a, b])
    tagged = lambda s: sum(1 for d in s.incoming if parse_tag(d) is not None)
    pump([a, b], lambda: tagged(a) >= count and tagged(b) >= count, 15)
    elapsed = time.time() - t0
    ctr = {a: a.deltas(), b: b.deltas()}
    for rx, tx, frames, direction in ((b, a, fa, 0), (a, b, fb, 1)):
        got, bad = {}, []
        for d in rx.incoming:
            t = parse_tag(d)
            if t is None:
                continue
            if t[0] != direction:
                bad.append("a frame of the other direction (seq %d) came back to its sender" % t[1])
                continue
            got[t[1]] = got.get(t[1], 0) + 1
            if t[1] >= count or d != frames[t[1]]:
                bad.append("seq %d: %d bytes, dst %s src %s; differs from what was sent"
                           % (t[1], len(d), mac_str(d[0:6]), mac_str(d[6:12])))
        missing = [i for i in range(count) if i not in got]
        dup = sorted(i for i, c in got.items() if c > 1)
        print("  %s -> %s: sent %d (%s's driver sent %d in all), %s's driver received %d in all (socket: %d), "
              "%d of ours (%d distinct), %d differing, %d missing, %d duplicated" % (
                  tx.ifname, rx.ifname, count, tx.ifname, ctr[tx][0], rx.ifname, ctr[rx][1], len(rx.incoming),
                  sum(got.values()), len(got), len(bad), len(missing), len(dup)))
        for o in tx.outgoing_other[:3]:
            print("    %s's own frame: %s" % (tx.ifname, o))
        for x in bad[:5]:
            errors.append("%s -> %s: %s" % (tx.ifname, rx.ifname, x))
        if missing:
            errors.append("%s -> %s: %d frames lost (first %s); skeleton keeps no counters, so no loss is "
                          "accounted for" % (tx.ifname, rx.ifname, len(missing), missing[:10]))
        if dup:
            errors.append("%s -> %s: duplicated %s" % (tx.ifname, rx.ifname, dup[:10]))
        if ctr[rx][1] != ctr[tx][0] or len(rx.incoming) != ctr[rx][1]:
            errors.append("%s's driver sent %d frames in all, %s's received %d (its socket saw %d)"
                          % (tx.ifname, ctr[tx][0], rx.ifname, ctr[rx][1], len(rx.incoming)))
    print("  (%.1f s)" % elapsed)
    for e in errors:
        print("FAIL: skeleton: " + e)
    return 1 if errors else 0


def main():
    if len(sys.argv) == 7 and sys.argv[1] == "l2fwd":
        return run_l2fwd(sys.argv[2], sys.argv[3], int(sys.argv[4], 0), int(sys.argv[5]), sys.argv[6])
    if len(sys.argv) == 5 and sys.argv[1] == "skeleton":
        return run_skeleton(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
