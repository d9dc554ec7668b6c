#!/usr/bin/env python3
"""Write fixed-seed random traces for crosscheck__random_traces.

    python3 gen_random.py OUTDIR

Writes 30 traces of about 300 operations, cycling through every key kind
(u32 u64 f64 str bytes1 bytes4 bytes8 bytes128 bytes129 bytes1024) and
elem kind (u8 u32 u64 str bytes1 bytes8 bytes129 bytes1024), mixing plain
and generic put/get/del, inc, len, iter, clear and up to three iterators
(iter-start/iter-next/iter-stop) interleaved with the writes. Keys come
from a small pool per trace so updates, deletes and regrowth happen; the
pool size decides how far the map grows (B up to 4..5). Deterministic:
the same files every run (random.Random with fixed seeds).
"""
import os
import random
import sys

KEYS = ["u32", "u64", "f64", "str", "bytes1", "bytes4", "bytes8",
        "bytes128", "bytes129", "bytes1024"]
ELEMS = ["u8", "u32", "u64", "str", "bytes1", "bytes8", "bytes129",
         "bytes1024"]


def nbytes(kind):
    return int(kind[5:])


def key_lit(kind, r, pool):
    i = r.randrange(pool)
    if kind == "u32":
        return str(i * 2654435761 % 2**32)
    if kind == "u64":
        return str(i * 0x9E3779B97F4A7C15 % 2**64)
    if kind == "f64":
        special = ["nan", "0", "-0", "inf", "-inf", "1e-310"]
        if r.random() < 0.04:
            return r.choice(special)
        return repr(i * 0.75 - 20.0)
    if kind == "str":
        return '"k%d%s"' % (i, "x" * (i % 40))
    n = nbytes(kind)
    if n == 1:
        return "x%02x" % (i % 256)
    # vary the first and the last bytes so long keys differ at both ends
    h = "%02x" % (i % 256) + "00" * (n - 2) + "%02x" % (i // 256)
    return "x" + h.rstrip("0") if h.rstrip("0") else "x00"


def elem_lit(kind, r):
    v = r.randrange(1 << 16)
    if kind == "u8":
        return str(v % 256)
    if kind in ("u32", "u64"):
        return str(v)
    if kind == "str":
        return '"v%d"' % v
    return "x%04x" % v if nbytes(kind) >= 2 else "x%02x" % (v % 256)


def trace(seed):
    r = random.Random(seed)
    key = KEYS[seed % len(KEYS)]
    elem = ELEMS[(seed * 3 + seed // len(KEYS)) % len(ELEMS)]
    pool = r.choice([12, 30, 60, 120])
    if key == "bytes1":
        pool = min(pool, 256)
    hint = r.choice([0, 0, 0, 10, 30, 100])
    lines = ["# gen_random.py seed %d" % seed,
             "map %s %s%s seed=%d" % (key, elem,
                                      " hint=%d" % hint if hint else "",
                                      seed * 7919 + 1)]
    running = set()
    for _ in range(300):
        x = r.random()
        if x < 0.40:
            op = r.choice(["put", "put", "gput"])
            lines.append("%s %s %s" % (op, key_lit(key, r, pool),
                                       elem_lit(elem, r)))
        elif x < 0.55:
            lines.append("%s %s" % (r.choice(["del", "gdel"]),
                                    key_lit(key, r, pool)))
        elif x < 0.67:
            lines.append("%s %s" % (r.choice(["get", "gget"]),
                                    key_lit(key, r, pool)))
        elif x < 0.70 and elem in ("u8", "u32", "u64"):
            lines.append("inc %s" % key_lit(key, r, pool))
        elif x < 0.77:
            it = r.randrange(3)
            lines.append("iter-start %d" % it)
            running.add(it)
        elif x < 0.90 and running:
            it = r.choice(sorted(running))
            lines.append("iter-next %d %d" % (r.randint(1, 6), it))
        elif x < 0.91 and running:
            it = r.choice(sorted(running))
            lines.append("iter-stop %d" % it)
            running.discard(it)
        elif x < 0.925:
            lines.append("clear")
        elif x < 0.95:
            lines.append("len")
        elif x < 0.96:
            lines.append("iter")
        else:
            lines.append("dump")
    lines.append("iter")
    return "\n".join(lines) + "\n"


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(out, exist_ok=True)
    for seed in range(1, 31):
        with open(os.path.join(out, "random_%02d.trace" % seed), "w") as f:
            f.write(trace(seed))


if __name__ == "__main__":
    main()
