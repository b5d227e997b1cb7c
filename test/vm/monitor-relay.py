#!/usr/bin/env python3
"""test/vm/monitor-relay.py: the host side of the guest's monitor channel.

run-guest.sh starts QEMU with a QMP socket and a second guest serial port
(the guest's /dev/ttyS1) on a unix socket, then runs this relay:

    monitor-relay.py QMP_SOCKET SERIAL_SOCKET LOG

A guest check writes one request per line to /dev/ttyS1 (check-lib.sh's
host_monitor does it):

    SLUICE-MON <id> <HMP command>          e.g. SLUICE-MON 3 set_link p1 off

and the relay runs the command through QMP's human-monitor-command and
answers on the same serial line:

    SLUICE-MON-OUT <id> <one line of the command's output>   (zero or more)
    SLUICE-MON-END <id> ok|error [<error text>]

Only the commands in ALLOWED are run (the guest must not be able to, say,
quit QEMU behind the test bed's back); anything else is answered with
"error not allowed". Every request and answer goes to LOG. The relay exits
when QEMU closes either socket.
"""
import json
import os
import socket
import sys
import time

ALLOWED = ("set_link", "device_del", "device_add", "info pci", "info network", "info qtree", "info status")


def connect(path, timeout=30.0):
    end = time.time() + timeout
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except OSError:
            s.close()
            if time.time() > end:
                raise
            time.sleep(0.05)


class Qmp:
    def __init__(self, path):
        self.sock = connect(path)
        self.buf = b""
        self.events = []
        self.recv()  # greeting
        self.cmd("qmp_capabilities")

    def recv(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("QMP closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def cmd(self, name, **args):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            r = self.recv()
            if "event" in r:
                self.events.append(r)
                continue
            return r


def main():
    qmp_path, serial_path, log_path = sys.argv[1:4]
    log = open(log_path, "a", buffering=1)
    try:
        qmp = Qmp(qmp_path)
        ser = connect(serial_path)
    except Exception as e:  # QEMU gone before we got in
        log.write("relay: cannot connect: %s\n" % e)
        return 1
    log.write("relay: connected to %s and %s\n" % (qmp_path, serial_path))
    buf = b""
    while True:
        data = ser.recv(4096)
        if not data:
            log.write("relay: serial closed\n")
            return 0
        buf += data.replace(b"\r", b"\n")
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            text = line.decode(errors="replace").strip()
            if not text.startswith("SLUICE-MON "):
                continue
            parts = text.split(" ", 2)
            if len(parts) < 3:
                continue
            rid, command = parts[1], parts[2].strip()
            log.write("%.3f guest> %s\n" % (time.time(), command))
            out = []
            if not command.startswith(ALLOWED):
                status = "error not allowed (allowed: %s)" % ", ".join(ALLOWED)
            else:
                try:
                    r = qmp.cmd("human-monitor-command", **{"command-line": command})
                except EOFError:
                    log.write("relay: QMP closed\n")
                    return 0
                if "error" in r:
                    status = "error " + r["error"].get("desc", "?")
                else:
                    text_out = r.get("return", "")
                    out = [l for l in text_out.splitlines() if l.strip()]
                    # HMP reports most failures as text, not as a QMP error
                    status = "ok"
                    if out and any(l.lower().startswith(("error", "device '", "could not")) for l in out):
                        status = "error " + out[0]
            reply = "".join("SLUICE-MON-OUT %s %s\n" % (rid, l) for l in out)
            reply += "SLUICE-MON-END %s %s\n" % (rid, status)
            for l in reply.splitlines():
                log.write("%.3f  host> %s\n" % (time.time(), l))
            try:
                ser.sendall(reply.encode())
            except OSError:
                return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(0)
