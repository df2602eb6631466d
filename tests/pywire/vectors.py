#!/usr/bin/env python3
"""The captured traffic of real CPython clients and servers (SPEC.md's
vectors, selected into vectors/pickles.frames by select_vectors.py):
every pickle must decode, and what core/pywire writes back must load, in
this Python, into the same structure as the original, using only the
opcodes of SPEC.md §4.4 that every client from 3.8 on reads.

With the full capture at hand ($PYWIRE_SHARED_VECTORS, or
/work/shared/python-wire/vectors), its every frame is checked too; CI has
no such directory and skips that part."""
import collections
import glob
import json
import os
import pickletools
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from pwlib import Probe, Tap, same_structure  # noqa: E402

MINIMAL = {"PROTO", "STOP", "MARK", "NONE", "NEWTRUE", "NEWFALSE", "BININT1", "BININT2",
           "BININT", "LONG1", "LONG4", "BINFLOAT", "SHORT_BINUNICODE", "BINUNICODE",
           "SHORT_BINBYTES", "BINBYTES", "EMPTY_TUPLE", "TUPLE1", "TUPLE2", "TUPLE3", "TUPLE",
           "EMPTY_LIST", "APPENDS", "EMPTY_DICT", "SETITEMS", "EMPTY_SET", "ADDITEMS",
           "FROZENSET", "GLOBAL", "REDUCE", "NEWOBJ", "BUILD", "MEMOIZE", "BINGET",
           "LONG_BINGET",
           # Not in the reference run, but what a cycle through a tuple needs,
           # as CPython itself writes it.
           "POP", "POP_MARK"}


def committed():
    path = os.environ.get("PYWIRE_VECTORS", os.path.join(HERE, "vectors", "pickles.frames"))
    with open(path, "rb") as f:
        data = f.read()
    at = 0
    while at < len(data):
        (n,) = struct.unpack_from("!i", data, at)
        payload = data[at + 4:at + 4 + n]
        at += 4 + n
        name, _, pickle = payload.partition(b"\n")
        yield name.decode(), pickle


def shared():
    root = os.environ.get("PYWIRE_SHARED_VECTORS", "/work/shared/python-wire/vectors")
    for path in sorted(glob.glob(os.path.join(root, "*", "frames.jsonl"))):
        per_conn = collections.Counter()
        with open(path) as f:
            for line in f:
                o = json.loads(line)
                per_conn[o["conn"]] += 1
                if per_conn[o["conn"]] > 6:
                    name = f"{os.path.basename(os.path.dirname(path))} {o['step']} {o['dir']}"
                    yield name, bytes.fromhex(o["hex"])


def check(tap, probe, what, pickles):
    n, failed, foreign = 0, [], collections.Counter()
    for name, theirs in pickles:
        n += 1
        ok, ours = probe.ask("E", theirs)
        if not ok:
            failed.append(f"{name}: {ours.decode(errors='replace')}")
            continue
        same, detail = same_structure(theirs, ours)
        if not same:
            failed.append(f"{name}: {detail}")
        for op, _, _ in pickletools.genops(ours):
            if op.name not in MINIMAL:
                foreign[op.name] += 1
    tap.ok(n and not failed, f"{what}: {n - len(failed)} of {n} pickles decode, re-encode and "
           "load as the originals", "\n".join(failed[:10]))
    tap.ok(not foreign, f"{what}: the re-encoded pickles use the minimal opcode subset",
           repr(dict(foreign)))


def main():
    tap = Tap()
    probe = Probe()
    check(tap, probe, "committed vectors", committed())
    full = list(shared())
    if full:
        check(tap, probe, "the full capture", full)
    else:
        tap.skip("the full capture", "not on this machine")
    tap.ok(probe.close() == 0, "pyprobe exits cleanly")
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
