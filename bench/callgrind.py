"""bench/callgrind.py: reads one callgrind output file, for the benchmark
scripts that count instructions per packet or per object (iofwd.py,
l2fwd.py, mempool/instructions.py)."""
import re


def parse_callgrind(path):
    """Per function of a callgrind output file: self and inclusive
    instructions (Ir), the calls it makes and what they cost. Functions are
    keyed by (object, name); stripped ones are named by address. Returns
    (total Ir, {key: {"self", "incl", "calls": {callee key: count},
    "call_ir": {callee key: Ir}}})."""
    names = {"ob": {}, "fn": {}}
    funcs = {}
    total = None
    ob = fn = cob = cfn = None
    calls_pending = None

    def resolve(table, val):
        m = re.match(r"\((\d+)\)(?:\s+(.*))?$", val)
        if not m:
            return val
        if m.group(2) is not None:
            names[table][m.group(1)] = m.group(2)
            return m.group(2)
        return names[table].get(m.group(1), val)

    def entry(key):
        e = funcs.get(key)
        if e is None:
            e = funcs[key] = {"self": 0, "incl": 0, "calls": {}, "call_ir": {}}
        return e

    with open(path, errors="replace") as f:
        for line in f:
            c = line[0]
            if c.isdigit() or c in "+-*":
                parts = line.split()
                ir = int(parts[1]) if len(parts) > 1 else 0
                e = entry((ob, fn))
                if calls_pending is not None:
                    callee = (cob or ob, cfn)
                    e["incl"] += ir
                    e["calls"][callee] = e["calls"].get(callee, 0) + calls_pending
                    e["call_ir"][callee] = e["call_ir"].get(callee, 0) + ir
                    calls_pending = None
                    cob = None
                else:
                    e["self"] += ir
                    e["incl"] += ir
                continue
            key, _, val = line.rstrip("\n").partition("=")
            if key == "ob":
                ob = resolve("ob", val)
            elif key == "fn":
                fn = resolve("fn", val)
                cob = None
            elif key == "cob":
                cob = resolve("ob", val)
            elif key == "cfn":
                cfn = resolve("fn", val)
            elif key == "calls":
                calls_pending = int(val.split()[0])
            elif line.startswith(("totals:", "summary:")):
                total = int(line.split()[1])
    if total is None:
        raise RuntimeError(f"{path}: no totals line")
    return total, funcs
