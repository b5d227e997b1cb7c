#!/usr/bin/env python3
"""devtools/apt-mirror.py SUITE: print the URI of the Debian archive this
machine's apt sources already use for SUITE (one-line .list or deb822
.sources), so scripts that need another suite of the same archive never
write a fixed mirror address. Exit 1 when no enabled source serves SUITE."""
import glob
import sys


def one_line_entries(path):
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.split("#", 1)[0].strip()
        if not line.startswith("deb "):
            continue
        words = line.split()[1:]
        if words and words[0].startswith("["):        # [arch=... signed-by=...]
            while words and not words[0].endswith("]"):
                words.pop(0)
            words.pop(0) if words else None
        if len(words) >= 3:
            yield words[0], [words[1]], words[2:]


def deb822_entries(path):
    text = open(path, encoding="utf-8", errors="replace").read()
    for stanza in text.split("\n\n"):
        fields, key = {}, None
        for line in stanza.splitlines():
            if line.startswith("#") or not line.strip():
                continue
            if line[0] in " \t" and key:
                fields[key] += " " + line.strip()
                continue
            key, _, value = line.partition(":")
            key = key.strip().lower()
            fields[key] = value.strip()
        if "deb" not in fields.get("types", "").split():
            continue
        if fields.get("enabled", "yes").lower() == "no":
            continue
        for uri in fields.get("uris", "").split():
            yield uri, fields.get("suites", "").split(), fields.get("components", "").split()


def main():
    if len(sys.argv) != 2:
        print("usage: apt-mirror.py SUITE", file=sys.stderr)
        return 2
    suite = sys.argv[1]
    entries = []
    for path in ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list")):
        try:
            entries += list(one_line_entries(path))
        except OSError:
            pass
    for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
        try:
            entries += list(deb822_entries(path))
        except OSError:
            pass
    for uri, suites, components in entries:
        if suite in suites and "main" in components:
            print(uri.rstrip("/"))
            return 0
    print(f"apt-mirror: no enabled apt source serves suite {suite} (main)", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
