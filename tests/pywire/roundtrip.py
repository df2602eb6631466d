#!/usr/bin/env python3
"""Python -> C -> Python: values this CPython pickles (protocols 4 and 5,
as 3.8-3.13 and 3.14 clients send them) go through pyprobe's decoder and
encoder ('E') and through a copy to another arena ('C'), and what comes
back must load, in this same Python, into the same structure: same types,
same contents (floats by their bits), same sharing and cycles.  Opaque
objects (datetime, Decimal, OrderedDict, user classes...) must come back
as the objects they were.

The check is pickle.dumps(pickle.loads(ours)) == pickle.dumps(original),
which compares everything above, recursion included, and the structural
stub comparison of pwlib, which runs nothing the pickle names."""
import array
import collections
import datetime
import decimal
import enum
import fractions
import http
import math
import os
import pickle
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pwlib import Probe, Tap, same_structure  # noqa: E402


class Plain:
    def __init__(self, x):
        self.x = x
        self.y = [x, {"k": x}]


class Slotted:
    __slots__ = ("a", "b")

    def __init__(self, a, b):
        self.a, self.b = a, b


class WithNewargsEx:
    """Pickled with NEWOBJ_EX: __new__ takes keyword arguments."""

    def __new__(cls, *args, flag=False):
        self = object.__new__(cls)
        self.args, self.flag = args, flag
        return self

    def __getnewargs_ex__(self):
        return self.args, {"flag": self.flag}


class Reduced:
    def __init__(self, a, b):
        self.a, self.b = a, b

    def __reduce__(self):
        return (Reduced, (self.a, self.b))


class MyList(list):
    pass


class MyDict(dict):
    pass


class Color(enum.Enum):
    RED = 1


Point = collections.namedtuple("Point", "x y")


def values():
    ints = [0, 1, 255, 256, 65535, 65536, -1, -255, -256, 2**31 - 1, 2**31, -2**31,
            -2**31 - 1, 2**32, 2**63 - 1, 2**63, -2**63, -2**63 - 1, 2**64, -2**64,
            127, 128, -128, -129, 2**(8 * 255 - 1) - 1, 2**(8 * 255 - 1), -2**(8 * 255 - 1),
            -2**(8 * 255 - 1) - 1, 2**2100, -(2**2100), 10**100]
    ints += [s * (2**k + d) for k in range(0, 72) for d in (-1, 0, 1) for s in (1, -1)]
    floats = [0.0, -0.0, 1.5, -2.25, 0.1, 1e308, 5e-324, math.inf, -math.inf, math.nan,
              float.fromhex("0x1.fffffffffffffp+1023")]
    strs = ["", "a", "a\x00b", "\udc80", "x\ud800y\udfffz", "\ud83d\ude00", "😀", "é€",
            "x" * 255, "x" * 256, "é" * 40000, "\x00" * 70000]
    raw = [b"", b"\x00", b"y" * 255, b"y" * 256, bytes(range(256)) * 300]
    bas = [bytearray(), bytearray(b"abc\x00"), bytearray(300)]
    shared = [1, 2]
    rec = []
    rec.append(rec)
    rec2 = [1, 2]
    rec2.append(rec2)
    rec2.append([rec2, {"me": rec2}])
    d = {}
    d["d"] = d
    t = ([],)
    t[0].append(t)
    s = set()
    fs = frozenset([1, "a", (2, 3)])
    o = collections.OrderedDict([("b", 1), ("a", [2])])
    o["self"] = o
    big_list = list(range(2500))
    big_dict = {i: str(i) for i in range(2500)}
    many = [str(i) * 2 for i in range(400)]
    many_shared = many + many
    out = [
        None, True, False, *ints, *floats, *strs, *raw, *bas,
        (), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4), ((((),),),), [], [[[]]], {}, {1: {2: {3: []}}},
        {1: "a", 2.5: "b", "c": None, (1, 2): [3], b"k": 1, frozenset(): 0, None: True},
        set(), {1, 2, 3}, {"a", (1, 2)}, frozenset(), fs, frozenset([fs]),
        [shared, shared, (shared, shared)], rec, rec2, d, t, [t, t], s, [s, s],
        big_list, big_dict, many, many_shared, [bytearray(b"x")] * 3,
        datetime.datetime(2024, 2, 29, 12, 30, 45, 123456),
        datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc),
        datetime.date(1999, 12, 31), datetime.timedelta(days=-1, seconds=5),
        datetime.time(23, 59), decimal.Decimal("3.14159"), decimal.Decimal("-Infinity"),
        fractions.Fraction(22, 7), uuid.UUID(int=0x1234567890ABCDEF), o,
        collections.defaultdict(int, {"a": 1}), collections.defaultdict(list),
        collections.deque([1, 2, 3]), collections.deque([1], maxlen=5),
        collections.Counter("abracadabra"), http.HTTPStatus.OK, Color.RED, complex(1, -2),
        range(3, 30, 3), slice(1, None, 2), array.array("i", [1, 20, 3]),
        array.array("d", [0.5]), Point(1, "y"), Plain(7), Plain([1, 2]),
        Slotted(1, [2]), WithNewargsEx(1, 2, flag=True), Reduced(1, Reduced(2, None)),
        MyList([1, 2]), MyDict(a=1), KeyError("k"), ValueError(), StopIteration(3),
        {"dt": datetime.date(2000, 1, 1), "many": [Plain(1), Plain(1)]},
        [math.nan, math.nan], len, Plain, int, pickle.dumps,
    ]
    return out


def dumps_equal(ours, original, proto):
    """Whether our pickle loads back into what the original was.  A set
    rebuilt from the same items in the same order may still iterate in
    another order (str hashes differ per process), so when the pickles
    differ, equality decides for values that have it."""
    mine = pickle.loads(ours)
    try:
        if pickle.dumps(mine, proto) == pickle.dumps(original, proto):
            return True, mine
        return type(mine) is type(original) and mine == original, mine
    except RecursionError:
        return False, mine


def main():
    tap = Tap()
    probe = Probe()
    vals = values()
    for proto in (4, 5):
        for cmd, what in (("E", "decode and encode"), ("C", "decode, copy, encode")):
            failed = []
            for v in vals:
                theirs = pickle.dumps(v, protocol=proto)
                ok, ours = probe.ask(cmd, theirs)
                if not ok:
                    failed.append(f"{v!r:.80}: {ours.decode(errors='replace')}")
                    continue
                same, detail = same_structure(theirs, ours)
                if not same:
                    failed.append(f"{v!r:.80}: structure differs\n{detail}")
                    continue
                same, mine = dumps_equal(ours, v, proto)
                if not same:
                    failed.append(f"{v!r:.80}: loads to {mine!r:.80}")
                    continue
                if proto == 4 and cmd == "E" and ours[:2] != b"\x80\x04" or b"\x95" == ours[2:3]:
                    failed.append(f"{v!r:.80}: not protocol 4 without FRAME")
            tap.ok(not failed, f"protocol {proto}: {what}: {len(vals) - len(failed)} of "
                   f"{len(vals)} values come back", "\n".join(failed[:8]))
    # The encoder is a fixed point: our pickle of a value decodes and
    # encodes to the same bytes.
    unstable = []
    for v in vals:
        ok, once = probe.ask("E", pickle.dumps(v, protocol=4))
        ok2, twice = probe.ask("E", once)
        if not (ok and ok2 and once == twice):
            unstable.append(repr(v)[:80])
    tap.ok(not unstable, "re-encoding our own pickle gives the same bytes", "\n".join(unstable))
    tap.ok(probe.close() == 0, "pyprobe exits cleanly")
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
