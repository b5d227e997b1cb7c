"""The routing tables and SSH sessions (/proc/net): which interface carries
the default route, how many routes, and which SSH peers it reaches."""

import re
import socket
import struct


def _ipv4_from_proc(hexstr):
    """An IPv4 address as /proc/net prints it (host-order hex) to text."""
    return socket.inet_ntoa(struct.pack("<I", int(hexstr, 16)))


def _ipv6_from_tcp6(hexstr):
    """/proc/net/tcp6 prints four host-order 32-bit words."""
    raw = b"".join(struct.pack("<I", int(hexstr[i:i + 8], 16))
                   for i in range(0, 32, 8))
    return socket.inet_ntop(socket.AF_INET6, raw)


class Routes:
    """The routing tables (IPv4 and IPv6 main tables) and the SSH sessions,
    read from /proc/net under the root prefix."""

    def __init__(self, system, environ):
        self.v4 = []   # (ifname, dest, mask, metric)
        self.v6 = []   # (ifname, dest_int, plen, metric)
        text = system.read("/proc/net/route", "")
        for line in text.splitlines()[1:]:
            f = line.split()
            if len(f) < 8:
                continue
            try:
                flags = int(f[3], 16)
                if not flags & 0x1:  # RTF_UP
                    continue
                self.v4.append((f[0], int(f[1], 16), int(f[7], 16), int(f[6])))
            except ValueError:
                continue
        text = system.read("/proc/net/ipv6_route", "")
        for line in text.splitlines():
            f = line.split()
            if len(f) < 10:
                continue
            try:
                dest, plen = int(f[0], 16), int(f[1], 16)
                metric, flags = int(f[5], 16), int(f[8], 16)
            except ValueError:
                continue
            ifname = f[9]
            if ifname == "lo" or flags & 0x80000000:  # RTF_LOCAL: own address
                continue
            top = dest >> 112
            if (top & 0xffc0) == 0xfe80 or (top & 0xff00) == 0xff00:
                continue  # link-local and multicast exist on every up link
            self.v6.append((ifname, dest, plen, metric))
        self.ssh_peers = self._ssh_peers(system, environ)

    def routes_of(self, ifname):
        """Number of routes through IFNAME and whether one is a default."""
        n, default = 0, False
        for name, dest, mask, _ in self.v4:
            if name == ifname:
                n += 1
                default |= (dest == 0 and mask == 0)
        for name, dest, plen, _ in self.v6:
            if name == ifname:
                n += 1
                default |= (plen == 0)
        return n, default

    def iface_for(self, addr):
        """The interface the kernel would use to reach ADDR (longest match)."""
        best = None
        try:
            if ":" in addr:
                mapped = re.match(r"^::ffff:(\d+\.\d+\.\d+\.\d+)$", addr, re.I)
                if mapped:
                    addr = mapped.group(1)
            if ":" not in addr:
                a = struct.unpack("<I", socket.inet_aton(addr))[0]
                for name, dest, mask, metric in self.v4:
                    if a & mask == dest:
                        key = (bin(mask).count("1"), -metric)
                        if best is None or key > best[0]:
                            best = (key, name)
            else:
                a = int.from_bytes(socket.inet_pton(socket.AF_INET6, addr), "big")
                for name, dest, plen, metric in self.v6:
                    shift = 128 - plen
                    if (a >> shift) == (dest >> shift) or plen == 0:
                        key = (plen, -metric)
                        if best is None or key > best[0]:
                            best = (key, name)
        except (OSError, ValueError, struct.error):
            return None
        return best[1] if best else None

    @staticmethod
    def _ssh_peers(system, environ):
        """Remote addresses of SSH sessions: this shell's (SSH_CONNECTION)
        and every established TCP connection to local port 22."""
        peers = []
        ports = {22}
        conn = environ.get("SSH_CONNECTION", "").split()
        if len(conn) == 4:
            peers.append((conn[0], "this session (SSH_CONNECTION)"))
            try:
                ports.add(int(conn[3]))
            except ValueError:
                pass
        for fname, conv in (("/proc/net/tcp", _ipv4_from_proc),
                            ("/proc/net/tcp6", _ipv6_from_tcp6)):
            for line in system.read(fname, "").splitlines()[1:]:
                f = line.split()
                if len(f) < 4 or f[3] != "01":  # TCP_ESTABLISHED
                    continue
                try:
                    lport = int(f[1].split(":")[1], 16)
                    if lport not in ports:
                        continue
                    remote = conv(f[2].split(":")[0])
                except (ValueError, IndexError, OSError, struct.error):
                    continue
                if remote not in [p[0] for p in peers]:
                    peers.append((remote, "an SSH connection"))
        return peers

    def ssh_sessions_on(self, ifname):
        return [(addr, how) for addr, how in self.ssh_peers
                if self.iface_for(addr) == ifname]
