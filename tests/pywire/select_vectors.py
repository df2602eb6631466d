#!/usr/bin/env python3
"""Write tests/pywire/vectors/pickles.frames from the captured traffic of
python-wire/vectors (SPEC.md): the pickles of every capture (py3.11,
py3.13, py3.13-proto5-client, ref-minimal-encoder; both directions; the
six handshake frames of each connection skipped), each distinct one once,
those of 16 KiB or less.  That keeps every step of the captures, and drops
only the big-payload step's 70-100 KB frames, which are one long bytes or
str and add nothing the round-trip checks do not.

The file is frames as multiprocessing writes them (pyframe.h), each
payload a line "capture step direction" and then the pickle, so the C
tests and vectors.py read it with the code under test.

    select_vectors.py [SHARED_VECTORS_DIR] > tests/pywire/vectors/pickles.frames
"""
import collections
import glob
import json
import os
import struct
import sys

LIMIT = 16 << 10


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/python-wire/vectors"
    seen = set()
    out = sys.stdout.buffer
    kept = dropped = 0
    for path in sorted(glob.glob(os.path.join(root, "*", "frames.jsonl"))):
        capture = os.path.basename(os.path.dirname(path))
        per_conn = collections.Counter()
        with open(path) as f:
            for line in f:
                o = json.loads(line)
                per_conn[o["conn"]] += 1
                if per_conn[o["conn"]] <= 6:
                    continue
                p = bytes.fromhex(o["hex"])
                if p in seen:
                    continue
                seen.add(p)
                if len(p) > LIMIT:
                    dropped += 1
                    continue
                kept += 1
                payload = f"{capture} {o['step']} {o['dir']}\n".encode() + p
                out.write(struct.pack("!i", len(payload)) + payload)
    print(f"{kept} pickles kept, {dropped} over {LIMIT} bytes left out", file=sys.stderr)


if __name__ == "__main__":
    main()
