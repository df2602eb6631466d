#!/usr/bin/env python3
"""Write the seed corpus of fuzz_pywire.c into tests/pywire/corpus/: one
pickle of each step of the committed vectors (the smallest, up to 2 KiB),
pickles of the shapes CPython writes but the captures lack (NEWOBJ_EX, a
tuple that holds itself through a list, protocol 5's BYTEARRAY8, LONG4,
LONG_BINGET), a stream of frames, and handshakes.  The first byte of each
seed is the target's mode: 0 pickle, 1 frames, 2 handshake."""
import collections
import os
import pickle
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from vectors import committed  # noqa: E402


class K:
    def __new__(cls, *a, flag=False):
        return object.__new__(cls)

    def __getnewargs_ex__(self):
        return (1,), {"flag": True}


def frames(*payloads):
    return b"".join(struct.pack("!i", len(p)) + p for p in payloads)


def main():
    out = os.path.join(HERE, "corpus")
    os.makedirs(out, exist_ok=True)
    best = {}
    for name, p in committed():
        step = name.split()[1]
        if len(p) <= 2048 and (step not in best or len(p) < len(best[step])):
            best[step] = p
    seeds = {f"v-{i:03d}": b"\0" + p for i, (_, p) in enumerate(sorted(best.items()))}
    t = ([],)
    t[0].append(t)
    many = [str(i) for i in range(300)]
    extra = {
        "newobj-ex": K(), "tuple-cycle": t, "bytearray5": bytearray(b"ab"),
        "long4": 2**2100, "long-binget": many + many, "nan": [float("nan")] * 2,
        "nested": [[[[{"a": ({1, 2}, frozenset([3]))}]]]],
    }
    for k, v in extra.items():
        seeds[f"x-{k}"] = b"\0" + pickle.dumps(v, protocol=5 if k == "bytearray5" else 4)
    some = [p for _, p in sorted(best.items())][:6]
    seeds["frames"] = b"\1" + frames(*some)
    chal = b"#CHALLENGE#{sha256}" + bytes(40)
    seeds["hs-modern"] = b"\2" + frames(b"{sha256}" + bytes(32), chal, b"#WELCOME#")
    seeds["hs-legacy"] = b"\2" + frames(bytes(16), b"#CHALLENGE#" + bytes(20), b"#FAILURE#")
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print(f"{len(seeds)} seeds", file=sys.stderr)


if __name__ == "__main__":
    main()
