"""The state file (/run/sluice/bind-state.json): the driver each device had
before bind.py took it, the owners of shared nodes it changed, and the
lock that serializes bind.py runs that change things."""

import fcntl
import json
import os

from .report import Failed


STATE_FILE = "/run/sluice/bind-state.json"


class State:
    """The state file's contents (devices: bdf -> original driver,
    override, interfaces; owners: node -> uid, gid, mode), its atomic save,
    and the lock beside it."""

    def __init__(self, system, path=STATE_FILE):
        self.system = system
        self.path = path
        self.devices = {}
        self.owners = {}
        self._lock = None
        text = system.read(path, None)
        if text:
            try:
                data = json.loads(text)
                self.devices = dict(data.get("devices", {}))
                self.owners = dict(data.get("owners", {}))
            except (ValueError, AttributeError):
                raise Failed("the state file %s is not valid JSON; look at it, "
                             "then remove it (original drivers recorded in it "
                             "are lost)" % path)

    def lock(self):
        """Serialize bind.py runs that change things (flock on a lock file)."""
        d = os.path.dirname(self.path)
        self.system.makedirs(d)
        self._lock = open(self.system.path(d + "/bind.lock"), "w")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise Failed("another bind.py is running (lock %s/bind.lock); wait "
                         "for it to finish" % d)

    def save(self):
        d = os.path.dirname(self.path)
        self.system.makedirs(d)
        real = self.system.path(self.path)
        tmp = real + ".tmp"
        with open(tmp, "w") as f:
            json.dump({"version": 1, "devices": self.devices,
                       "owners": self.owners}, f, indent=1, sort_keys=True)
            f.write("\n")
        os.replace(tmp, real)
