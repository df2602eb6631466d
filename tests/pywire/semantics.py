#!/usr/bin/env python3
"""Python's own answers against core/pywire's: repr(), str(), hash(), ==
and < for a set of values, each sent through pyprobe as a pickle.

Hashes of str and bytes match CPython 3.11 and later under
PYTHONHASHSEED=0 (SipHash-1-3 with a zero key), so this re-runs itself
with that seed; None's hash is constant from 3.12 on.  repr() of
non-ASCII text follows the Unicode version pyuni.c was made from, so
random code points are checked only under a Python with that version."""
import array
import collections
import decimal
import math
import os
import pickle
import random
import struct
import sys
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pwlib import Probe, Tap  # noqa: E402

if os.environ.get("PYTHONHASHSEED") != "0":
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable, *sys.argv])

UNICODE = "14.0.0"  # what pyuni.c was generated from
V = sys.version_info[:2]


def ints():
    out = [0, 1, -1, -2, 255, 256, 65535, 65536, 2**31 - 1, -2**31, 2**61 - 2, 2**61 - 1,
           2**61, 2**62, -(2**61 - 1), 10**18, 2**2100, -(2**2100), 3**500, -(7**300)]
    for k in range(0, 130):
        out += [2**k - 1, 2**k, 2**k + 1, -2**k, -2**k - 1]
    return out


def floats(rng):
    out = [0.0, -0.0, 1.0, -1.5, 0.1, 0.2, 0.30000000000000004, 1 / 3, 1e16, 1e15, 1e17,
           123456789012345678.0, 1e-4, 1e-5, 0.00012345, 5e-324, 2.2250738585072014e-308,
           1.7976931348623157e308, math.inf, -math.inf, 2.0**53, 2.0**53 + 2, 2.0**63,
           -2.0**63, 2.0**64, 1e22, 1e23, 9007199254740993.0, 4.35, 0.1 + 0.2, 100.0,
           1234.5, 1e300 * 10]
    out += [2.0**e for e in range(-1074, 1024, 7)]
    for _ in range(20000):
        (f,) = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))
        if not math.isnan(f):
            out.append(f)
    out += [rng.uniform(-1e6, 1e6) for _ in range(2000)]
    out += [round(rng.uniform(0, 100), rng.randint(0, 6)) for _ in range(2000)]
    return out


def strings(rng):
    out = ["", "a", "it's", 'say "hi"', "both ' and \"", "\x00", "\t\n\r\x0b\x0c", "\x7f",
           "\x80\x9f\xa0\xad\xff", "é", "€", "😀", "\udc80", "\ud83d\ude00", "\u2028\u2029",
           "\U000e0001", "\ufeff", "back\\slash", "a\x00b", "\u0378", "日本語", " \u3000"]
    if unicodedata.unidata_version == UNICODE:
        for _ in range(3000):
            out.append("".join(chr(rng.randrange(0x110000)) for _ in range(3)))
        out += ["".join(chr(c) for c in range(i, i + 64)) for i in range(0, 0x3400, 64)]
    return out


def others():
    import queue
    rec = []
    rec.append(rec)
    d = {}
    d["self"] = d
    t = ([],)
    t[0].append(t)
    s = frozenset({1, 2})
    return [None, True, False, b"", b"a'b", b'a"b', b"'\"", b"\x00\x7f\x80\xff\t\n\r\\",
            bytearray(b"x'y"), bytearray(), (), (1,), (1, 2), ((),), [], [1, [2, [3]]],
            {}, {1: "a", "b": [2]}, set(), {1}, frozenset(), s, frozenset({s}),
            rec, d, t, [rec, rec], KeyError("x"), ValueError(), IndexError(1, 2),
            StopIteration(), queue.Empty(), RuntimeError("release unlocked lock"),
            slice(1, 2, None), range(0, 10), (1, 2.5, "x", b"y", None, (True,))]


def ask(probe, cmd, value):
    ok, out = probe.ask(cmd, pickle.dumps(value, protocol=4))
    return ok, out.decode("utf-8", "surrogatepass")


def main():
    rng = random.Random(2100)
    tap = Tap()
    probe = Probe()
    scalars = ints() + floats(rng) + strings(rng)
    values = scalars + others()

    bad = [(v, out) for v in values for ok, out in [ask(probe, "R", v)]
           if not ok or out != repr(v)]
    tap.ok(not bad, f"repr() of {len(values)} values",
           "\n".join(f"{v!r}: ours {o!r}" for v, o in bad[:10]))
    bad = [(v, out) for v in values for ok, out in [ask(probe, "S", v)]
           if not isinstance(v, BaseException) and (not ok or out != str(v))]
    tap.ok(not bad, "str()", "\n".join(f"{v!r}: ours {o!r}" for v, o in bad[:10]))

    hashable = [v for v in values if not isinstance(v, (list, dict, set, bytearray, BaseException,
                                                        slice, range))
                and not (isinstance(v, tuple) and any(isinstance(i, list) for i in v))]
    if V < (3, 11):
        hashable = [v for v in hashable if not isinstance(v, (str, bytes, tuple, frozenset))]
    if V < (3, 12):
        hashable = [v for v in hashable if v is not None
                    and not (isinstance(v, tuple) and None in v)]
    bad = [(v, out) for v in hashable for ok, out in [ask(probe, "H", v)]
           if not ok or int(out) != hash(v)]
    tap.ok(not bad, f"hash() of {len(hashable)} values as CPython {V[0]}.{V[1]}",
           "\n".join(f"{v!r}: ours {o} want {hash(v)}" for v, o in bad[:10]))
    bad = [v for v in values if isinstance(v, (list, dict, set, bytearray))
           and ask(probe, "H", v) != (False, "EINVAL")]
    tap.ok(not bad, "lists, dicts, sets and bytearrays are unhashable", repr(bad[:5]))

    # == and < over pairs of a mix of kinds, numbers of all three types
    # among them; Python's TypeError is EINVAL.
    pool = [0, 1, -1, 2**64, -2**64, 2**53 + 1, True, False, 0.0, -0.0, 1.0, 0.5,
            float(2**53), float(2**64), -float(2**64), math.inf, -math.inf, math.nan, 2**63,
            -2**63, float(-2**63), "", "a", "ab", "b", "\udc80", "é", b"", b"a", b"ab",
            bytearray(b"a"), (), (1,), (1, 2), (1.0, 2), (2,), [], [1], [1, 2], frozenset(),
            frozenset({1}), frozenset({1, 2}), {1}, {1, 2}, {2}, None, {}, {1: 2}, {1.0: 2},
            {True: 2}, (math.nan,), [math.nan], [[1], (2,)], [[1], (2.0,)]]
    eq_bad, lt_bad = [], []
    for a in pool:
        for b in pool:
            ok, out = ask(probe, "Q", (a, b))
            if not ok or (out == "1") != (a == b):
                eq_bad.append((a, b, out))
            try:
                want = "1" if a < b else "0"
            except TypeError:
                want = None
            ok, out = ask(probe, "L", (a, b))
            if (want is None and (ok or out != "EINVAL")) or (want is not None and out != want):
                lt_bad.append((a, b, out, want))
    tap.ok(not eq_bad, f"== over {len(pool)**2} pairs", "\n".join(map(repr, eq_bad[:10])))
    tap.ok(not lt_bad, f"< over {len(pool)**2} pairs", "\n".join(map(repr, lt_bad[:10])))

    # Dict keys follow equality: the pickle of {1: 'a'} then SETITEM 1.0
    # and True leaves one key, as Python's loads does.
    p = pickle.dumps({1: "a"}, protocol=4)[:-1] + pickle.dumps(1.0, 4)[2:-1] + \
        b"\x8c\x01bs" + pickle.dumps(True, 4)[2:-1] + b"\x8c\x01cs."
    ok, out = probe.ask("R", p)
    tap.ok(ok and out.decode() == repr(pickle.loads(p)) == "{1: 'c'}",
           "d[1.0] and d[True] update d[1]", out)
    tap.ok(probe.close() == 0, "pyprobe exits cleanly")
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
