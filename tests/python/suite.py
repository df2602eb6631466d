#!/usr/bin/env python3
"""The differential suite: an unmodified SyncManager client that runs every
method clients send (python-wire/SPEC.md §3.9) on every SyncManager typeid,
with normal and edge arguments, and writes what each step gave as JSON
lines, one per step:

    {"step": NAME, "r": CANONICAL-REPR}                 a result
    {"step": NAME, "e": EXC-TYPE, "a": ARGS, "m": TEXT}  an exception

compare.py runs it against CPython's own server and against mgrd, and
reports every step whose line differs.  A result is written in a canonical
form (crepr below) that keeps types apart (1, 1.0 and True differ; a list
is not a tuple), masks what legitimately differs between two servers
(addresses in reprs, thread idents), and shows proxies as their class and
typeid.

    suite.py --address python+tcp:HOST:PORT --authkey-file KEY [--out FILE]
             [--only SECTION,...]

Steps are named TYPE:what.  Threads: two long-lived actor threads (A and
B) each hold their own connection, as any thread of a client does, to
check that locks are owned per connection; a call that must block is
started in an actor and the main thread releases it."""
import argparse
import array
import collections
import concurrent.futures
import datetime
import decimal
import fractions
import gc
import json
import multiprocessing
import os
import re
import sys
import threading
import time
import uuid
import warnings
from multiprocessing.managers import BaseProxy, RemoteError, SyncManager

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import pylib  # noqa: E402
from pyvalues import Point, Slotted  # noqa: E402

V = sys.version_info[:2]
# array('u') is deprecated in 3.13; the suite still sends one.
warnings.simplefilter("ignore", DeprecationWarning)
# A wait that a correct server ends early: only a hang guard.
LONG = 10


class Local:
    """A class of the client's __main__: CPython's server cannot import it
    to unpickle it (SPEC §4.3); mgrd keeps it opaque."""

    def __init__(self, x):
        self.x = x

    def __eq__(self, other):
        return type(other) is Local and self.x == other.x

    def __repr__(self):
        return "Local(%r)" % (self.x,)


class Suite(SyncManager):
    pass


# A typeid that no server knows: create must fail with RemoteError.
Suite.register("NoSuchType")
# Named objects, reached as BaseManager.register('get_queue') programs do:
# the harness makes them on both servers (pylib.NAMED).
Suite.register("get_queue")


# ---------------------------------------------------------------------------
# Canonical representation

ADDR = re.compile(r"0x[0-9a-fA-F]+")
OWNER = re.compile(r"owner=\d+")


def mask(text):
    """Masks what two correct servers may legitimately print differently
    in a repr: object addresses and thread idents."""
    return OWNER.sub("owner=?", ADDR.sub("0x?", text))


def sstr(proxy):
    """str() of a proxy is the server's repr() of the object (SPEC §3.4),
    with addresses and thread idents masked."""
    return mask(str(proxy))


def qualname(t):
    return "%s.%s" % (t.__module__, t.__qualname__)


def crepr(x, seen=None):
    if seen is None:
        seen = set()
    if isinstance(x, BaseProxy):
        return "<proxy %s %s>" % (type(x).__name__, x._token.typeid)
    t = type(x)
    if t in (type(None), bool, int, float, str, bytes, bytearray, complex):
        return "%s:%r" % (t.__name__, x)
    if t in (list, tuple, dict, set, frozenset):
        if id(x) in seen:
            return "<cycle %s>" % t.__name__
        seen = seen | {id(x)}
        if t is list:
            return "[" + ", ".join(crepr(i, seen) for i in x) + "]"
        if t is tuple:
            return "(" + "".join(crepr(i, seen) + ", " for i in x) + ")"
        if t is dict:
            return "{" + ", ".join(crepr(k, seen) + ": " + crepr(v, seen)
                                   for k, v in x.items()) + "}"
        return t.__name__ + "{" + ", ".join(sorted(crepr(i, seen) for i in x)) + "}"
    if isinstance(x, BaseException):
        return "<%s %s>" % (qualname(t), crepr(x.args, seen))
    return "%s:%s" % (qualname(t), mask(repr(x)))


# ---------------------------------------------------------------------------
# Recording

class Abort(Exception):
    """A section cannot go on: an object it needs was not made."""


class Recorder:
    """Writes the steps.  A step that has not finished after STEP_LIMIT
    seconds means a call the server never answers: the watchdog records
    it and ends the suite, since the connection it hangs on is lost."""
    STEP_LIMIT = 90

    def __init__(self, out):
        self.out = out
        self.names = set()
        self.lock = threading.Lock()
        self.current = None
        self.started = None
        t = threading.Thread(target=self.watchdog, daemon=True)
        t.start()

    def watchdog(self):
        while True:
            time.sleep(1)
            with self.lock:
                if self.current and time.monotonic() - self.started > self.STEP_LIMIT:
                    self.out.write(json.dumps({"step": self.current, "hung": self.STEP_LIMIT}) + "\n")
                    self.out.flush()
                    os._exit(3)

    def write(self, rec):
        with self.lock:
            self.current = None
            self.out.write(json.dumps(rec, sort_keys=True) + "\n")
            self.out.flush()

    def step(self, name, fn, need=False):
        """Run fn, record its result or exception; returns the result
        (None after an exception, or raises Abort when need is set)."""
        assert name not in self.names, "step %s twice" % name
        self.names.add(name)
        with self.lock:
            self.current, self.started = name, time.monotonic()
        try:
            r = fn()
        except Exception as e:
            rec = {"step": name, "e": qualname(type(e)), "m": mask(str(e))[-2000:]}
            # A RemoteError carries a server's traceback text, its own to
            # each server: only its type is compared.
            if not isinstance(e, RemoteError):
                rec["a"] = crepr(e.args)
            self.write(rec)
            if os.environ.get("SUITE_TIMES"):
                sys.stderr.write("%.3f %s\n" % (time.monotonic() - self.started, name))
            if need:
                raise Abort(name)
            return None
        self.write({"step": name, "r": crepr(r)})
        if os.environ.get("SUITE_TIMES"):
            sys.stderr.write("%.3f %s\n" % (time.monotonic() - self.started, name))
        return r

    def note(self, name, value):
        """A step whose value was computed already."""
        self.step(name, lambda: value)


def timed(fn, at_least):
    """(fn's result, whether it took at least at_least seconds and less
    than 5 s): a blocking call with a timeout must wait that long, and
    must not wait much longer."""
    t0 = time.monotonic()
    r = fn()
    dt = time.monotonic() - t0
    return (r, "waited" if at_least * 0.8 <= dt < 5 else "took %.3f s" % dt)


def wait_until(get, want, limit=LONG):
    """Polls get() until it returns want (another connection's call has
    reached the server) or the limit passes; returns the last value."""
    deadline = time.monotonic() + limit
    v = get()
    while v != want and time.monotonic() < deadline:
        time.sleep(0.02)
        v = get()
    return v


def raises(fn):
    """Calls fn; what it raised, as a value (for steps inside a thread)."""
    try:
        return ("returned", fn())
    except Exception as e:
        if isinstance(e, RemoteError):
            return ("raised", qualname(type(e)))
        return ("raised", qualname(type(e)), e.args)


class Actor:
    """A thread that lives for the whole suite and so keeps one connection
    to the manager (a client keeps one per thread); calls run in it in
    order.  If a call is still running when the next is submitted (a
    server left it waiting), the actor is replaced by a fresh thread, so
    that one stuck call costs one step, not every step after it."""

    def __init__(self, name):
        self.name = name
        self.last = None
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)

    def submit(self, fn):
        if self.last is not None and not self.last.done():
            self.pool.shutdown(wait=False)
            self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=1,
                                                              thread_name_prefix=self.name)
        self.last = self.pool.submit(fn)
        return self.last

    def call(self, fn, timeout=30):
        return self.submit(fn).result(timeout)

    def stop(self):
        self.pool.shutdown(wait=False)


# ---------------------------------------------------------------------------
# Values

def values():
    """(label, value): what every container must give back unchanged."""
    shared = [1, 2]
    out = [
        ("None", None), ("True", True), ("False", False),
        ("int0", 0), ("int-1", -1), ("int255", 255), ("int256", 256), ("int65536", 65536),
        ("int2**31-1", 2**31 - 1), ("int-2**31", -2**31), ("int2**63", 2**63),
        ("int2**64-1", 2**64 - 1), ("int2**100", 2**100), ("int-2**100", -2**100),
        ("int2**2100", 2**2100),
        ("float0", 0.0), ("float-0", -0.0), ("float1.5", 1.5), ("float0.1", 0.1),
        ("nan", float("nan")), ("inf", float("inf")), ("-inf", float("-inf")),
        ("subnormal", 5e-324), ("floatmax", 1.7976931348623157e308), ("float1e16", 1e16),
        ("str-empty", ""), ("str", "abc"), ("str-nul", "a\x00b"), ("str-surrogate", "\udc80"),
        ("str-pair", "\ud83d\ude00"), ("str-emoji", "😀"), ("str-latin", "é\xff"),
        ("str-long", "é" * 5000), ("str-quotes", "it's \"q\"\n\t\\"),
        ("bytes-empty", b""), ("bytes", b"\x00\x01\xff"), ("bytes-long", bytes(range(256)) * 300),
        ("bytearray", bytearray(b"ab\x00")), ("bytearray-empty", bytearray()),
        ("tuple-empty", ()), ("tuple1", (1,)), ("tuple3", (1, "2", 3.0)),
        ("tuple-nested", (1, (2, (3, ())))), ("tuple-long", tuple(range(300))),
        ("list-empty", []), ("list-nested", [1, [2, [3, []]], {"a": [4]}]),
        ("list-long", list(range(3000))),
        ("dict-empty", {}), ("dict", {"a": 1, 2: "b", None: (), (1, 2): 3.5, b"k": [1]}),
        ("dict-1-1.0-True", {1: "x", 2.0: "y"}),
        ("set-empty", set()), ("set", {1, "a", (2, 3)}), ("frozenset-empty", frozenset()),
        ("frozenset", frozenset({b"x", 1.5})),
        ("complex", 1 + 2j), ("complex-odd", complex(float("nan"), -0.0)),
        ("shared", [shared, shared]),
        ("datetime", datetime.datetime(2024, 2, 29, 23, 59, 58, 123456)),
        ("datetime-tz", datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)),
        ("date", datetime.date(1999, 12, 31)), ("timedelta", datetime.timedelta(days=-1, seconds=5)),
        ("Decimal", decimal.Decimal("1.10")), ("Decimal-nan", decimal.Decimal("-nan")),
        ("Fraction", fractions.Fraction(1, 3)),
        ("OrderedDict", collections.OrderedDict([("b", 1), ("a", 2)])),
        ("defaultdict", collections.defaultdict(int, {"x": 1})),
        ("deque", collections.deque([1, "2"], maxlen=5)),
        ("Counter", collections.Counter("abca")),
        ("uuid", uuid.UUID("12345678-1234-5678-1234-567812345678")),
        ("array-i", array.array("i", [1, -2, 3])), ("array-d", array.array("d", [0.5])),
        ("array-u", array.array("u", "hé")), ("range", range(1, 10, 3)),
        ("slice", slice(1, None, -1)), ("Point", Point(1, "two")), ("Slotted", Slotted(1, [2])),
        ("Point-in-list", [Point(0, 0), {"p": Point(1, 1)}]),
    ]
    return out


# ---------------------------------------------------------------------------
# Sections

def sec_values(S, m):
    """Every value through every container: a dict key's value, a list
    item, a queue item, a Namespace attribute and a Value."""
    d = S.step("values:dict", lambda: m.dict(), need=True)
    lst = S.step("values:list", lambda: m.list(), need=True)
    q = S.step("values:Queue", lambda: m.Queue(), need=True)
    ns = S.step("values:Namespace", lambda: m.Namespace(), need=True)
    v = S.step("values:Value", lambda: m.Value("i", 0), need=True)

    def via_ns(x):
        ns.v = x
        return ns.v

    def via_value(x):
        v.value = x
        return v.value

    def via_dict(label, x):
        d[label] = x
        return d[label]

    def via_list(x):
        lst.append(x)
        return lst[-1]

    def via_queue(x):
        q.put(x)
        return q.get(timeout=10)

    for label, x in values():
        S.step("value:%s:dict" % label, lambda: via_dict(label, x))
        S.step("value:%s:list" % label, lambda: via_list(x))
        S.step("value:%s:Queue" % label, lambda: via_queue(x))
        S.step("value:%s:Namespace" % label, lambda: via_ns(x))
        S.step("value:%s:Value" % label, lambda: via_value(x))
    S.step("value:dict-getvalue", lambda: d._getvalue())
    S.step("value:list-getvalue", lambda: lst._getvalue())
    S.step("value:list-len", lambda: len(lst))
    # Whole containers of Python's own types come back in one reply.
    S.step("value:list-keys-of-dict", lambda: d.keys())
    big = b"\xa5" * (3 << 20)
    S.step("value:bytes-3MiB", lambda: via_dict("big", big) == big)
    S.step("value:list-100000", lambda: len(via_dict("many", list(range(100000)))))
    rec = []
    rec.append(rec)
    S.step("value:recursive-list", lambda: (lambda r: (len(r), r[0] is r))(via_dict("rec", rec)))
    S.step("value:shared-identity", lambda: (lambda r: r[0] is r[1])(via_dict("sh", (lambda s: [s, s])([7]))))
    # A class of the client's __main__: SPEC §4.3 (allowlisted: CPython's
    # server cannot unpickle it).
    S.step("value:main-class:dict", lambda: via_dict("local", Local(5)))
    S.step("value:main-class:Queue", lambda: via_queue([Local("q")]))


def sec_dict(S, m):
    S.step("dict:create-empty", lambda: m.dict()._getvalue())
    S.step("dict:create-mapping", lambda: m.dict({"a": 1, "b": [2]})._getvalue())
    S.step("dict:create-pairs", lambda: m.dict([("a", 1), ("b", 2), ("a", 3)])._getvalue())
    S.step("dict:create-kwargs", lambda: m.dict(x=1, y="z")._getvalue())
    S.step("dict:create-mapping-kwargs", lambda: m.dict({"a": 1}, a=2, b=3)._getvalue())
    S.step("dict:create-bad", lambda: m.dict(1))
    S.step("dict:create-bad-pairs", lambda: m.dict([(1, 2, 3)]))
    d = S.step("dict:create", lambda: m.dict({"a": 1}), need=True)
    S.step("dict:str", lambda: sstr(d))
    S.step("dict:len", lambda: len(d))
    S.step("dict:getitem", lambda: d["a"])
    S.step("dict:getitem-missing", lambda: d["missing"])
    S.step("dict:getitem-missing-int", lambda: d[12])
    S.step("dict:getitem-missing-tuple", lambda: d[(1, "x")])
    S.step("dict:getitem-unhashable", lambda: d[[1]])
    S.step("dict:setitem-unhashable", lambda: d.__setitem__({}, 1))
    S.step("dict:contains", lambda: ("a" in d, "b" in d, 1 in d, None in d))
    S.step("dict:contains-unhashable", lambda: [1] in d)
    S.step("dict:get", lambda: (d.get("a"), d.get("missing"), d.get("missing", 5),
                                d.get("a", 5), d.get(None, "dflt")))
    S.step("dict:get-unhashable", lambda: d.get({}))

    def keys(*pairs):
        for k, v in pairs:
            d[k] = v
        return d._getvalue()

    S.step("dict:keys-1-1.0-True", lambda: keys((1, "int"), (1.0, "float"), (True, "bool")))
    S.step("dict:keys-1-1.0-True-get", lambda: (d[1], d[1.0], d[True], len(d)))
    S.step("dict:keys-0-False--0.0", lambda: keys((0, "a"), (False, "b"), (-0.0, "c"), (0j, "d")))
    S.step("dict:keys-complex-equals-int", lambda: (keys((complex(2, 0), "c")), d[2]))
    S.step("dict:keys-big-float", lambda: keys((2**64, "i"), (float(2**64), "f")))
    S.step("dict:keys-tuple", lambda: keys(((1, 2), "t"), ((1.0, 2), "t2"), ((), "e")))
    S.step("dict:keys-frozenset", lambda: keys((frozenset({1, 2}), "f"), (frozenset({2.0, 1}), "g")))
    S.step("dict:keys-None-bytes", lambda: keys((None, "n"), (b"a", "b"), ("a", "s"), (b"", "eb")))
    S.step("dict:keys-special-str", lambda: keys(("", "empty"), (".", "dot"), ("..", "dotdot"),
                                                 ("a/b", "slash"), ("x" * 300, "long"),
                                                 ("\x00", "nul"), ("\udc80", "surrogate")))
    S.step("dict:keys-special-get", lambda: (d[""], d["."], d[".."], d["a/b"], d["x" * 300],
                                             d["\x00"], d["\udc80"], "x" * 299 in d))
    S.step("dict:keys-big-int", lambda: keys((2**100, "big"), (-2**100, "neg")))
    S.step("dict:keys-big-int-get", lambda: (d[2**100], d[-2**100], 2**100 + 1 in d))
    S.step("dict:keys-nan", lambda: (keys((float("nan"), 1)), float("nan") in d, len(d)))
    S.step("dict:keys-Point", lambda: (keys((Point(1, 2), "p")), d[Point(1, 2)]))
    S.step("dict:keys-datetime", lambda: (keys((datetime.date(2000, 1, 1), "d")),
                                          d[datetime.date(2000, 1, 1)]))
    # Python's equality across types that a non-Python server keeps opaque
    # (allowlisted: SPEC §4.3).
    S.step("dict:keys-Decimal-equals-int", lambda: (keys((decimal.Decimal(7), "D"), (7, "i")),
                                                    len(d)))
    S.step("dict:len-after", lambda: len(d))
    S.step("dict:keys", lambda: d.keys())
    S.step("dict:values", lambda: d.values())
    S.step("dict:items", lambda: d.items())
    S.step("dict:copy", lambda: d.copy())
    S.step("dict:str-after", lambda: sstr(d) if not any(
        type(k) not in (int, float, str, bytes, tuple, frozenset, type(None), bool, complex)
        for k in d.keys()) else "has opaque keys")
    S.step("dict:delitem", lambda: (d.__delitem__("a"), "a" in d))
    S.step("dict:delitem-missing", lambda: d.__delitem__("a"))
    S.step("dict:pop", lambda: d.pop(""))
    S.step("dict:pop-missing", lambda: d.pop("nope"))
    S.step("dict:pop-default", lambda: (d.pop("nope", "dflt"), d.pop(".", "dflt")))
    S.step("dict:pop-default-None", lambda: d.pop("nope", None))
    S.step("dict:setdefault", lambda: (d.setdefault("sd", [1]), d.setdefault("sd", [2]),
                                       d.setdefault("sd2"), d["sd2"]))
    S.step("dict:update-dict", lambda: (d.update({"u1": 1, 1: "one"}), d["u1"], d[True]))
    S.step("dict:update-pairs", lambda: (d.update([("u2", 2)]), d["u2"]))
    S.step("dict:update-kwargs", lambda: (d.update(u3=3), d["u3"]))
    S.step("dict:update-both", lambda: (d.update({"u4": 4}, u4=5), d["u4"]))
    S.step("dict:update-nothing", lambda: d.update())
    S.step("dict:update-bad", lambda: d.update(5))
    S.step("dict:update-bad-pairs", lambda: d.update([(1,)]))
    S.step("dict:popitem", lambda: d.popitem())
    S.step("dict:clear", lambda: (d.clear(), len(d), d._getvalue()))
    S.step("dict:popitem-empty", lambda: d.popitem())
    S.step("dict:keys-empty", lambda: (d.keys(), d.values(), d.items(), sstr(d)))
    S.step("dict:iter-empty", lambda: list(iter(d)))

    def fill():
        d.update([("k%d" % i, i) for i in range(5)])
        return len(d)

    S.step("dict:fill", fill)
    S.step("dict:iter-type", lambda: type(iter(d)).__name__)
    S.step("dict:iter", lambda: list(iter(d)))
    S.step("dict:for", lambda: [k for k in d])
    S.step("dict:list", lambda: list(d))
    S.step("dict:sorted", lambda: sorted(d))

    def iter_steps():
        it = iter(d)
        first = next(it)
        return (first, next(it), list(it))
    S.step("dict:iter-next", iter_steps)

    def iter_exhausted():
        it = iter(d)
        list(it)
        return next(it, "end")
    S.step("dict:iter-exhausted", iter_exhausted)

    def iter_changed():
        it = iter(d)
        next(it)
        d["new"] = 1
        try:
            return next(it)
        finally:
            del d["new"]
    S.step("dict:iter-changed-size", iter_changed)
    S.step("dict:iter-send", lambda: iter(d).send(None))
    S.step("dict:iter-close", lambda: iter(d).close())
    S.step("dict:iter-throw", lambda: iter(d).throw(ValueError))
    S.step("dict:callmethod-not-exposed", lambda: d._callmethod("nosuch"))
    S.step("dict:callmethod-kwds", lambda: d._callmethod("get", ("k1",), {}))
    S.step("dict:callmethod-repr", lambda: d._callmethod("__repr__"))
    S.step("dict:callmethod-str", lambda: d._callmethod("__str__"))
    S.step("dict:deepcopy", lambda: __import__("copy").deepcopy(d))


def sec_list(S, m):
    S.step("list:create-empty", lambda: m.list()._getvalue())
    S.step("list:create-seq", lambda: m.list([1, "a", None])._getvalue())
    S.step("list:create-range", lambda: m.list(range(10))._getvalue())
    S.step("list:create-str", lambda: m.list("abc")._getvalue())
    S.step("list:create-tuple", lambda: m.list((1, (2,)))._getvalue())
    S.step("list:create-bad", lambda: m.list(5))
    S.step("list:create-None", lambda: m.list(None))
    lst = S.step("list:create", lambda: m.list(range(10)), need=True)
    S.step("list:str", lambda: sstr(lst))
    S.step("list:len", lambda: len(lst))
    S.step("list:getitem", lambda: (lst[0], lst[9], lst[-1], lst[-10]))
    S.step("list:getitem-out", lambda: lst[10])
    S.step("list:getitem-out-neg", lambda: lst[-11])
    S.step("list:getitem-bigint", lambda: lst[2**100])
    S.step("list:getitem-str", lambda: lst["a"])
    S.step("list:getitem-float", lambda: lst[1.0])
    S.step("list:getitem-bool", lambda: lst[True])
    S.step("list:slice", lambda: (lst[1:3], lst[:3], lst[7:], lst[-3:], lst[:], lst[20:30]))
    S.step("list:slice-step", lambda: (lst[::2], lst[1::3], lst[::-1], lst[8:2:-2],
                                       lst[-1:-11:-3], lst[::100], lst[::-100]))
    S.step("list:slice-big", lambda: (lst[-2**100:2**100], lst[2**100:], lst[::2**100]))
    S.step("list:slice-None", lambda: lst[None:None:None])
    S.step("list:slice-step0", lambda: lst[::0])
    S.step("list:slice-str", lambda: lst["a":])
    S.step("list:contains", lambda: (3 in lst, 3.0 in lst, True in lst, "3" in lst, [1] in lst))
    S.step("list:iter", lambda: [x for x in lst])
    S.step("list:list", lambda: list(lst))
    S.step("list:reversed", lambda: list(reversed(lst)))
    S.step("list:reversed-type", lambda: type(reversed(lst)).__name__)
    S.step("list:count", lambda: (lst.count(1), lst.count(99), lst.count(True)))
    S.step("list:index", lambda: (lst.index(5), lst.index(5, 2), lst.index(5, 2, 9),
                                  lst.index(5, -6)))
    S.step("list:index-missing", lambda: lst.index(99))
    S.step("list:index-missing-str", lambda: lst.index("x"))
    S.step("list:index-range-miss", lambda: lst.index(5, 6))
    S.step("list:add", lambda: lst + [10, 11])
    S.step("list:add-tuple", lambda: lst + (1,))
    S.step("list:radd", lambda: [0] + lst)
    S.step("list:mul", lambda: (lst * 2, lst * 0, lst * -1))
    S.step("list:rmul", lambda: 2 * lst)
    S.step("list:mul-str", lambda: lst * "a")

    def iadd():
        x = lst
        x += [10, 11]
        x += (12,)
        x += "ab"
        return (type(x).__name__, x is lst, x._getvalue())
    S.step("list:iadd", iadd)
    S.step("list:iadd-bad", lambda: lst.__iadd__(5))

    def imul():
        l2 = m.list([1, 2])
        l2 *= 3
        r1 = l2._getvalue()
        l2 *= 0
        return (type(l2).__name__, r1, l2._getvalue(), l2._callmethod("__imul__", (1,)))
    S.step("list:imul", imul)
    S.step("list:imul-bad", lambda: lst.__imul__("x"))
    L = S.step("list:create-2", lambda: m.list(range(10)), need=True)
    S.step("list:setitem", lambda: (L.__setitem__(0, "zero"), L.__setitem__(-1, "last"),
                                    L._getvalue()))
    S.step("list:setitem-out", lambda: L.__setitem__(10, 1))
    S.step("list:setitem-out-neg", lambda: L.__setitem__(-11, 1))
    S.step("list:setitem-slice-longer", lambda: (L.__setitem__(slice(1, 3), ["a", "b", "c", "d"]),
                                                 L._getvalue()))
    S.step("list:setitem-slice-shorter", lambda: (L.__setitem__(slice(1, 5), []), L._getvalue()))
    S.step("list:setitem-slice-insert", lambda: (L.__setitem__(slice(2, 2), [7, 7]), L._getvalue()))
    S.step("list:setitem-slice-tuple", lambda: (L.__setitem__(slice(0, 1), (0, 0)), L._getvalue()))
    S.step("list:setitem-slice-str", lambda: (L.__setitem__(slice(0, 0), "xy"), L._getvalue()))
    S.step("list:setitem-slice-notiter", lambda: L.__setitem__(slice(0, 1), 5))
    S.step("list:setitem-ext-slice", lambda: (L.__setitem__(slice(None, None, 2),
                                                            list(range(len(L._getvalue()[::2])))),
                                              L._getvalue()))
    S.step("list:setitem-ext-slice-wrong", lambda: L.__setitem__(slice(None, None, 2), [1]))
    S.step("list:setitem-ext-slice-neg", lambda: (L.__setitem__(slice(None, None, -3), ["r"] * len(
        L._getvalue()[::-3])), L._getvalue()))
    S.step("list:delitem", lambda: (L.__delitem__(0), L.__delitem__(-1), L._getvalue()))
    S.step("list:delitem-out", lambda: L.__delitem__(100))
    S.step("list:delitem-slice", lambda: (L.__delitem__(slice(0, 2)), L._getvalue()))
    S.step("list:delitem-ext-slice", lambda: (L.__delitem__(slice(None, None, 2)), L._getvalue()))
    S.step("list:delitem-ext-slice-neg", lambda: (L.__delitem__(slice(None, None, -2)),
                                                  L._getvalue()))
    P = S.step("list:create-3", lambda: m.list(), need=True)
    S.step("list:append", lambda: (P.append(1), P.append([2]), P.append(None), P._getvalue()))
    S.step("list:extend", lambda: (P.extend([3, 4]), P.extend(()), P.extend("xy"),
                                   P.extend(range(2)), P._getvalue()))
    S.step("list:extend-bad", lambda: P.extend(5))
    S.step("list:insert", lambda: (P.insert(0, "h"), P.insert(-1, "n"), P.insert(100, "t"),
                                   P.insert(-100, "f"), P._getvalue()))
    S.step("list:insert-bigint", lambda: (P.insert(2**100, "B"), P[-1]))
    S.step("list:pop", lambda: (P.pop(), P.pop(0), P.pop(-2), P._getvalue()))
    S.step("list:pop-out", lambda: P.pop(100))
    S.step("list:remove", lambda: (P.remove(3), P.remove("x"), P._getvalue()))
    S.step("list:remove-missing", lambda: P.remove("nope"))
    S.step("list:reverse", lambda: (P.reverse(), P._getvalue()))
    S.step("list:sort-mixed", lambda: P.sort())
    N = S.step("list:create-4", lambda: m.list([3, 1.0, True, 2, 1, -0.5, 10**20, -2**70]),
               need=True)
    S.step("list:sort", lambda: (N.sort(), N._getvalue()))
    S.step("list:sort-reverse", lambda: (N.sort(reverse=True), N._getvalue()))
    S.step("list:sort-strs", lambda: (lambda s: (s.sort(), s._getvalue()))(
        m.list(["b", "a", "B", "é", "\udc80", "😀", "", "ab", "a\x00"])))
    S.step("list:sort-bytes", lambda: (lambda s: (s.sort(), s._getvalue()))(
        m.list([b"b", b"a\xff", b"", b"a"])))
    S.step("list:sort-tuples", lambda: (lambda s: (s.sort(), s._getvalue()))(
        m.list([(1, "b"), (1, "a"), (0, "z"), (1,), ()])))
    S.step("list:sort-nan", lambda: (lambda s: (s.sort(), s._getvalue()))(
        m.list([3.0, -0.0, 0, float("inf"), -1, 0.0])))
    S.step("list:sort-None", lambda: m.list([None, 1]).sort())
    S.step("list:sort-tuple-mixed", lambda: m.list([(1, "a"), (1, 2)]).sort())
    # sort(key=f) sends f by reference; a non-Python server cannot call it
    # (allowlisted: SPEC §3.9).
    S.step("list:sort-key", lambda: (lambda s: (s.sort(key=str.lower), s._getvalue()))(
        m.list(["b", "A", "c"])))
    S.step("list:pop-empty", lambda: m.list().pop())
    S.step("list:big", lambda: (lambda b: (len(b), b[1234], b[-1], b[::997]))(m.list(range(5000))))
    S.step("list:deepcopy", lambda: __import__("copy").deepcopy(N))


def sec_namespace(S, m):
    S.step("Namespace:create-empty", lambda: sstr(m.Namespace()))
    S.step("Namespace:create-kwargs", lambda: sstr(m.Namespace(b="two", a=1, _hidden=3)))
    ns = S.step("Namespace:create", lambda: m.Namespace(a=1), need=True)
    S.step("Namespace:get", lambda: ns.a)
    S.step("Namespace:set", lambda: (setattr(ns, "b", [1, 2]), ns.b))
    S.step("Namespace:overwrite", lambda: (setattr(ns, "a", "x"), ns.a))
    S.step("Namespace:missing", lambda: ns.missing)
    S.step("Namespace:del", lambda: (delattr(ns, "b"), hasattr(ns, "b")))
    S.step("Namespace:del-missing", lambda: delattr(ns, "missing"))
    S.step("Namespace:private-local", lambda: (setattr(ns, "_local", 5), ns._local, sstr(ns)))
    S.step("Namespace:odd-names", lambda: (setattr(ns, "a b", 1), setattr(ns, ".", 2),
                                           setattr(ns, "x" * 300, 3), getattr(ns, "a b"),
                                           getattr(ns, "."), getattr(ns, "x" * 300)))
    S.step("Namespace:str", lambda: sstr(ns))
    S.step("Namespace:getvalue", lambda: ns._getvalue())
    S.step("Namespace:getvalue-attrs", lambda: sorted(vars(ns._getvalue()).items()))
    S.step("Namespace:not-exposed", lambda: ns._callmethod("keys"))
    S.step("Namespace:hasattr", lambda: (hasattr(ns, "a"), hasattr(ns, "zz")))


def sec_value(S, m):
    v = S.step("Value:create", lambda: m.Value("i", 5), need=True)
    S.step("Value:get", lambda: v.value)
    S.step("Value:set", lambda: (setattr(v, "value", 10), v.value))

    def iadd():
        v.value += 1
        return v.value
    S.step("Value:iadd", iadd)
    S.step("Value:get-method", lambda: v.get())
    S.step("Value:set-method", lambda: (v.set(7), v.get()))
    S.step("Value:str", lambda: sstr(v))
    S.step("Value:getvalue", lambda: v._getvalue())
    S.step("Value:getvalue-attrs", lambda: (v._getvalue()._typecode, v._getvalue()._value))
    S.step("Value:big-int", lambda: (lambda x: (x.value, sstr(x)))(m.Value("i", 2**70)))
    S.step("Value:text-in-i", lambda: (lambda x: (x.value, sstr(x)))(m.Value("i", "text")))
    S.step("Value:set-text", lambda: (setattr(v, "value", "text"), v.value, sstr(v)))
    S.step("Value:d", lambda: (lambda x: (x.value, sstr(x)))(m.Value("d", 1.25)))
    S.step("Value:d-nan", lambda: (lambda x: (x.value, sstr(x)))(m.Value("d", float("nan"))))
    S.step("Value:c", lambda: (lambda x: (x.value, sstr(x)))(m.Value("c", b"x")))
    S.step("Value:u", lambda: (lambda x: (x.value, sstr(x)))(m.Value("u", "é")))
    S.step("Value:odd-typecode", lambda: (lambda x: (x.value, sstr(x)))(m.Value("zz", None)))
    S.step("Value:lock-kwd", lambda: m.Value("i", 1, lock=False).value)
    S.step("Value:lock-kwd-true", lambda: m.Value("i", 1, lock=True).value)
    S.step("Value:list", lambda: (lambda x: (x.value, sstr(x)))(m.Value("O", [1, "a"])))
    S.step("Value:no-value", lambda: m.Value("i"))
    S.step("Value:not-exposed", lambda: v._callmethod("get_lock"))


def sec_array(S, m):
    A = array.array
    a = S.step("Array:create", lambda: m.Array("i", [1, 2, 3, 4, 5]), need=True)
    S.step("Array:len", lambda: len(a))
    S.step("Array:str", lambda: sstr(a))
    S.step("Array:getitem", lambda: (a[0], a[4], a[-1], a[-5]))
    S.step("Array:getitem-out", lambda: a[5])
    S.step("Array:getitem-out-neg", lambda: a[-6])
    S.step("Array:getitem-str", lambda: a["x"])
    S.step("Array:slice", lambda: (a[1:3], a[::-1], a[::2], a[10:], a[:]))
    S.step("Array:iter", lambda: (list(a), 3 in a, 9 in a))
    S.step("Array:getvalue", lambda: a._getvalue())
    S.step("Array:setitem", lambda: (a.__setitem__(0, 10), a.__setitem__(-1, -50), a._getvalue()))
    S.step("Array:setitem-out", lambda: a.__setitem__(5, 1))
    S.step("Array:setitem-overflow", lambda: a.__setitem__(0, 2**40))
    S.step("Array:setitem-float", lambda: a.__setitem__(0, 1.5))
    S.step("Array:setitem-str", lambda: a.__setitem__(0, "x"))
    S.step("Array:setitem-slice-same", lambda: (a.__setitem__(slice(0, 2), A("i", [7, 8])),
                                                a._getvalue()))
    S.step("Array:setitem-slice-longer", lambda: (a.__setitem__(slice(0, 2), A("i", [1, 2, 3, 4])),
                                                  len(a), a._getvalue()))
    S.step("Array:setitem-slice-shorter", lambda: (a.__setitem__(slice(0, 4), A("i")),
                                                   len(a), a._getvalue()))
    S.step("Array:setitem-slice-list", lambda: a.__setitem__(slice(0, 2), [1, 2]))
    S.step("Array:setitem-slice-other-type", lambda: a.__setitem__(slice(0, 2), A("d", [1.0])))
    S.step("Array:setitem-ext-slice-wrong", lambda: a.__setitem__(slice(None, None, 2), A("i", [1])))
    S.step("Array:setitem-ext-slice", lambda: (a.__setitem__(slice(None, None, -1),
                                                             A("i", range(len(a)))), a._getvalue()))
    S.step("Array:delitem", lambda: a.__delitem__(0))
    S.step("Array:typecodes", lambda: [sstr(m.Array(tc, [1, 2])) for tc in "bBhHiIlLqQfd"])
    S.step("Array:u", lambda: (lambda x: (x[0], x[:], sstr(x)))(m.Array("u", "héllo")))
    S.step("Array:d-special", lambda: m.Array("d", [float("nan"), -0.0, float("inf"), 1e-310])[:])
    S.step("Array:f-rounding", lambda: m.Array("f", [0.1, 3.4e38])[:])
    S.step("Array:q-limits", lambda: m.Array("q", [2**63 - 1, -2**63])[:])
    S.step("Array:Q-limits", lambda: m.Array("Q", [2**64 - 1, 0])[:])
    S.step("Array:b-overflow-create", lambda: m.Array("b", [1000]))
    S.step("Array:B-negative-create", lambda: m.Array("B", [-1]))
    S.step("Array:b-overflow-set", lambda: m.Array("b", [0]).__setitem__(0, 128))
    S.step("Array:b-overflow-set-neg", lambda: m.Array("b", [0]).__setitem__(0, -129))
    S.step("Array:B-overflow-set", lambda: m.Array("B", [0]).__setitem__(0, 256))
    S.step("Array:h-overflow-set", lambda: m.Array("h", [0]).__setitem__(0, 2**15))
    S.step("Array:I-overflow-set", lambda: m.Array("I", [0]).__setitem__(0, -1))
    S.step("Array:q-overflow-set", lambda: m.Array("q", [0]).__setitem__(0, 2**63))
    S.step("Array:Q-overflow-set", lambda: m.Array("Q", [0]).__setitem__(0, 2**64))
    S.step("Array:c-typecode", lambda: m.Array("c", b"abc"))
    S.step("Array:bad-typecode", lambda: m.Array("z", [1]))
    S.step("Array:empty", lambda: (lambda x: (len(x), x[:], sstr(x)))(m.Array("i", [])))
    S.step("Array:range", lambda: m.Array("i", range(3))[:])
    S.step("Array:from-bytes", lambda: m.Array("B", b"\x01\x02")[:])
    S.step("Array:lock-kwd", lambda: m.Array("i", [1], lock=False)[:])
    S.step("Array:not-exposed", lambda: a._callmethod("get_lock"))
    S.step("Array:no-get_obj", lambda: a.get_obj())


def sec_queue(S, m, A):
    q = S.step("Queue:create", lambda: m.Queue(), need=True)
    S.step("Queue:str", lambda: sstr(q))
    S.step("Queue:empty-new", lambda: (q.empty(), q.full(), q.qsize()))
    S.step("Queue:get_nowait-empty", lambda: q.get_nowait())
    S.step("Queue:get-noblock-empty", lambda: q.get(False))
    S.step("Queue:get-block-kwd-empty", lambda: q.get(block=False))
    S.step("Queue:get-timeout-empty", lambda: timed(lambda: raises(lambda: q.get(timeout=0.1)), 0.1))
    S.step("Queue:get-True-timeout-empty", lambda: timed(lambda: raises(lambda: q.get(True, 0.1)), 0.1))
    S.step("Queue:get-timeout-negative", lambda: q.get(timeout=-1))
    S.step("Queue:get-timeout-0", lambda: timed(lambda: raises(lambda: q.get(True, 0)), 0))
    S.step("Queue:put-get", lambda: (q.put(1), q.put("two"), q.put(None), q.qsize(), q.empty(),
                                     q.get(), q.get(), q.get(), q.qsize()))
    S.step("Queue:put-kwds", lambda: (q.put(item="kw", block=True, timeout=None), q.get(block=True,
                                                                                         timeout=1)))
    S.step("Queue:put_nowait", lambda: (q.put_nowait(3), q.get_nowait()))
    S.step("Queue:fifo", lambda: (tuple(q.put(i) for i in range(20)) and None,
                                  [q.get() for i in range(20)]))
    # Every put counts an unfinished task, even on a Queue: a fresh one.
    q2 = S.step("Queue:create-2", lambda: m.Queue(), need=True)
    S.step("Queue:task_done-too-many", lambda: q2.task_done())
    S.step("Queue:join-idle", lambda: q2.join())
    S.step("Queue:put-task_done-join", lambda: (q2.put(1), q2.get(), q2.task_done(), q2.join()))
    b = S.step("Queue:create-bounded", lambda: m.Queue(2), need=True)
    S.step("Queue:bounded-fill", lambda: (b.put("a"), b.put("b"), b.full(), b.qsize()))
    S.step("Queue:put_nowait-full", lambda: b.put_nowait("c"))
    S.step("Queue:put-noblock-full", lambda: b.put("c", False))
    S.step("Queue:put-timeout-full", lambda: timed(lambda: raises(lambda: b.put("c", timeout=0.1)),
                                                   0.1))
    S.step("Queue:put-True-timeout-full", lambda: timed(lambda: raises(lambda: b.put("c", True, 0.1)),
                                                        0.1))
    S.step("Queue:put-timeout-negative", lambda: b.put("c", True, -1))

    def put_blocked():
        f = A.submit(lambda: timed(lambda: b.put("c", timeout=LONG), 0))
        time.sleep(0.2)
        got = b.get()
        return (got, f.result(LONG + 10), b.get(), b.get(), b.qsize())
    S.step("Queue:put-blocks-until-get", put_blocked)

    def get_blocked():
        f = A.submit(lambda: b.get(timeout=LONG))
        time.sleep(0.2)
        b.put("late")
        return f.result(LONG + 10)
    S.step("Queue:get-blocks-until-put", get_blocked)
    S.step("Queue:unbounded-0", lambda: (lambda u: (tuple(u.put(i) for i in range(50)) and None,
                                                    u.full(), u.qsize()))(m.Queue(0)))
    S.step("Queue:unbounded--1", lambda: (lambda u: (tuple(u.put(i) for i in range(50)) and None,
                                                     u.full(), u.qsize(), u.get()))(m.Queue(-1)))
    S.step("Queue:maxsize-kwd", lambda: (lambda u: (u.put(1), u.full()))(m.Queue(maxsize=1)))
    S.step("Queue:getvalue", lambda: q._getvalue())
    S.step("Queue:not-exposed", lambda: q._callmethod("_put", (1,)))
    S.step("Queue:mutex-not-exposed", lambda: q._callmethod("__getattribute__", ("maxsize",)))
    if V >= (3, 13):
        s = S.step("Queue:create-for-shutdown", lambda: m.Queue(), need=True)
        S.step("Queue:shutdown", lambda: (s.put(1), s.shutdown(), s.get(), s.qsize()))
        S.step("Queue:put-after-shutdown", lambda: s.put(2))
        S.step("Queue:get-after-shutdown-empty", lambda: s.get())
        s2 = S.step("Queue:create-for-shutdown-immediate", lambda: m.Queue(), need=True)
        S.step("Queue:shutdown-immediate", lambda: (s2.put(1), s2.shutdown(immediate=True),
                                                    s2.qsize()))
        S.step("Queue:get-after-shutdown-immediate", lambda: s2.get())

    j = S.step("JoinableQueue:create", lambda: m.JoinableQueue(), need=True)
    S.step("JoinableQueue:str", lambda: sstr(j))
    S.step("JoinableQueue:put-get", lambda: (j.put(1), j.put(2), j.get(), j.get(), j.qsize()))
    S.step("JoinableQueue:task_done", lambda: (j.task_done(), j.task_done()))
    S.step("JoinableQueue:task_done-too-many", lambda: j.task_done())
    S.step("JoinableQueue:join-idle", lambda: j.join())

    def join_blocked():
        j.put("w")
        f = A.submit(lambda: timed(lambda: j.join(), 0))
        time.sleep(0.3)
        done_early = f.done()
        j.get()
        j.task_done()
        return (done_early, f.result(LONG + 10))
    S.step("JoinableQueue:join-waits-for-task_done", join_blocked)
    S.step("JoinableQueue:bounded", lambda: (lambda u: (u.put(1), raises(lambda: u.put_nowait(2)),
                                                        u.get(), u.task_done(), u.join()))(
        m.JoinableQueue(1)))


def sec_named(S, m):
    q = S.step("named:get_queue", lambda: m.get_queue(), need=True)
    S.step("named:type", lambda: type(q).__name__)
    S.step("named:put-get", lambda: (q.put("hello"), q.qsize(), q.get(timeout=5), q.empty()))
    S.step("named:same-object", lambda: (q.put(1), m.get_queue().get(timeout=5)))
    S.step("named:unknown-typeid", lambda: m.NoSuchType())


def sec_locks(S, m, A, B):
    lk = S.step("Lock:create", lambda: m.Lock(), need=True)
    S.step("Lock:str-unlocked", lambda: sstr(lk))
    S.step("Lock:acquire", lambda: lk.acquire())
    S.step("Lock:str-locked", lambda: sstr(lk))
    S.step("Lock:acquire-noblock-held", lambda: lk.acquire(False))
    S.step("Lock:acquire-kwd-held", lambda: lk.acquire(blocking=False))
    S.step("Lock:acquire-timeout-held", lambda: timed(lambda: lk.acquire(True, 0.1), 0.1))
    S.step("Lock:acquire-timeout-kwd-held", lambda: timed(lambda: lk.acquire(timeout=0.1), 0.1))
    S.step("Lock:acquire-timeout-0-held", lambda: timed(lambda: lk.acquire(True, 0), 0))
    S.step("Lock:acquire-noblock-timeout", lambda: lk.acquire(False, 1))
    S.step("Lock:acquire-noblock-timeout-neg1", lambda: lk.acquire(False, -1))
    S.step("Lock:acquire-timeout-negative", lambda: lk.acquire(True, -2))
    S.step("Lock:other-thread-acquire-noblock", lambda: A.call(lambda: lk.acquire(False)))
    S.step("Lock:other-thread-release", lambda: A.call(lambda: lk.release()))
    S.step("Lock:release-unlocked", lambda: lk.release())
    S.step("Lock:acquire-timeout-huge", lambda: lk.acquire(True, 1e300))
    S.step("Lock:acquire-timeout-free", lambda: (lk.acquire(True, 5), lk.release()))

    def with_lock():
        with lk:
            inside = lk.acquire(False)
        after = lk.acquire(False)
        lk.release()
        return (inside, after)
    S.step("Lock:with", with_lock)

    def waiter():
        lk.acquire()
        f = A.submit(lambda: timed(lambda: (lk.acquire(True, LONG), lk.release()), 0))
        time.sleep(0.3)
        early = f.done()
        lk.release()
        return (early, f.result(LONG + 10))
    S.step("Lock:waiter-gets-it-on-release", waiter)

    r = S.step("RLock:create", lambda: m.RLock(), need=True)
    S.step("RLock:str-unlocked", lambda: sstr(r))
    S.step("RLock:acquire-twice", lambda: (r.acquire(), r.acquire(False), r.acquire(True, 0.1)))
    S.step("RLock:str-locked", lambda: sstr(r))
    S.step("RLock:other-thread-acquire", lambda: A.call(lambda: timed(lambda: r.acquire(True, 0.1),
                                                                      0.1)))
    S.step("RLock:other-thread-release", lambda: A.call(lambda: raises(lambda: r.release())))
    S.step("RLock:release-3", lambda: (r.release(), r.release(), r.release()))
    S.step("RLock:release-unowned", lambda: r.release())
    S.step("RLock:other-thread-takes", lambda: A.call(lambda: (r.acquire(False), sstr(r))))
    S.step("RLock:owner-blocks-main", lambda: (r.acquire(False), timed(lambda: r.acquire(True, 0.1),
                                                                       0.1)))
    S.step("RLock:main-release-not-owner", lambda: r.release())
    S.step("RLock:owner-releases", lambda: A.call(lambda: r.release()))
    S.step("RLock:noblock-timeout", lambda: r.acquire(False, 1))

    s = S.step("Semaphore:create", lambda: m.Semaphore(2), need=True)
    S.step("Semaphore:str", lambda: sstr(s))
    S.step("Semaphore:acquire", lambda: (s.acquire(), s.acquire(False), s.acquire(False)))
    S.step("Semaphore:acquire-timeout", lambda: timed(lambda: s.acquire(True, 0.1), 0.1))
    S.step("Semaphore:other-thread-release", lambda: A.call(lambda: s.release()))
    S.step("Semaphore:release-over", lambda: (s.release(), s.release(), s.release(),
                                              [s.acquire(False) for i in range(5)]))
    S.step("Semaphore:default", lambda: (lambda x: (x.acquire(False), x.acquire(False)))(m.Semaphore()))
    S.step("Semaphore:zero", lambda: (lambda x: (x.acquire(False), x.release(), x.acquire(False)))(
        m.Semaphore(0)))
    S.step("Semaphore:negative", lambda: m.Semaphore(-1))
    S.step("Semaphore:noblock-timeout", lambda: s.acquire(False, 1))

    def sem_waiter():
        x = m.Semaphore(0)
        f = A.submit(lambda: timed(lambda: x.acquire(True, LONG), 0))
        time.sleep(0.3)
        early = f.done()
        x.release()
        return (early, f.result(LONG + 10))
    S.step("Semaphore:waiter-gets-release", sem_waiter)

    bs = S.step("BoundedSemaphore:create", lambda: m.BoundedSemaphore(1), need=True)
    S.step("BoundedSemaphore:str", lambda: sstr(bs))
    S.step("BoundedSemaphore:acquire", lambda: (bs.acquire(), bs.acquire(False)))
    S.step("BoundedSemaphore:release", lambda: bs.release())
    S.step("BoundedSemaphore:over-release", lambda: bs.release())
    S.step("BoundedSemaphore:other-thread", lambda: (bs.acquire(), A.call(lambda: bs.release()),
                                                     A.call(lambda: raises(lambda: bs.release()))))

    def bounded3():
        x = m.BoundedSemaphore(3)
        taken = [x.acquire(False) for i in range(4)]
        return (taken, x.release(), x.release(), x.release(), raises(lambda: x.release()))
    S.step("BoundedSemaphore:value-3", bounded3)
    S.step("BoundedSemaphore:default", lambda: (lambda x: raises(lambda: x.release()))(
        m.BoundedSemaphore()))


def sec_condition(S, m, A, B):
    c = S.step("Condition:create", lambda: m.Condition(), need=True)
    S.step("Condition:str", lambda: sstr(c))
    S.step("Condition:wait-unowned", lambda: c.wait(0.1))
    S.step("Condition:notify-unowned", lambda: c.notify())
    S.step("Condition:notify_all-unowned", lambda: c.notify_all())
    S.step("Condition:release-unowned", lambda: c.release())
    S.step("Condition:acquire", lambda: (c.acquire(), c.acquire(False)))
    S.step("Condition:str-held", lambda: sstr(c))
    S.step("Condition:wait-timeout", lambda: timed(lambda: c.wait(0.1), 0.1))
    S.step("Condition:wait-0", lambda: timed(lambda: c.wait(0), 0))
    S.step("Condition:notify-nobody", lambda: (c.notify(), c.notify(5), c.notify_all()))
    S.step("Condition:wait_for-true", lambda: c.wait_for(lambda: True, 0.1))
    S.step("Condition:wait_for-false", lambda: timed(lambda: c.wait_for(lambda: False, 0.1), 0.1))
    S.step("Condition:other-thread-notify", lambda: A.call(lambda: raises(lambda: c.notify())))
    S.step("Condition:other-thread-acquire", lambda: A.call(lambda: timed(lambda: c.acquire(True, 0.1),
                                                                          0.1)))
    S.step("Condition:release-twice", lambda: (c.release(), c.release()))
    S.step("Condition:release-more", lambda: c.release())
    S.step("Condition:with", lambda: (c.__enter__(), c.notify(), c.__exit__(None, None, None)))

    ready = S.step("Condition:event", lambda: m.Event(), need=True)

    def notified(cond, n_waiters, how):
        ready.clear()
        counter = m.Value("i", 0)

        def wait_one():
            cond.acquire()
            counter.value += 1
            if counter.value == n_waiters:
                ready.set()
            try:
                return cond.wait(LONG)
            finally:
                cond.release()
        actors = [A, B][:n_waiters]
        fs = [act.submit(lambda: timed(wait_one, 0)) for act in actors]
        if not ready.wait(LONG):
            return "the waiters did not start"
        cond.acquire()       # held by a waiter until it is in wait()
        if how == "all":
            cond.notify_all()
        else:
            cond.notify(n_waiters)
        cond.release()
        return [f.result(LONG + 10) for f in fs]
    S.step("Condition:notify-wakes-waiter", lambda: notified(c, 1, "one"))
    S.step("Condition:notify_all-wakes-two", lambda: notified(c, 2, "all"))
    S.step("Condition:notify-n-wakes-two", lambda: notified(c, 2, "n"))

    def notify_one_of_two():
        ready.clear()
        counter = m.Value("i", 0)

        def wait_one():
            c.acquire()
            counter.value += 1
            if counter.value == 2:
                ready.set()
            try:
                return c.wait(1.0)
            finally:
                c.release()
        fs = [act.submit(wait_one) for act in (A, B)]
        ready.wait(LONG)
        c.acquire()
        c.notify(1)
        c.release()
        return sorted(f.result(LONG + 10) for f in fs)
    S.step("Condition:notify-1-of-2", notify_one_of_two)

    # A Condition around a Lock or RLock proxy (SPEC §3.6): CPython's server
    # dials back to itself with its process authkey (set to the key here)
    # and acquires the lock through that proxy.  With an RLock, CPython's
    # Condition then cannot tell that it owns the lock (its _is_owned
    # fallback re-acquires the reentrant lock), so wait() fails: only what
    # CPython makes work is compared.
    lock = m.Lock()
    c2 = S.step("Condition:with-Lock-create", lambda: m.Condition(lock))
    if c2 is not None:
        S.step("Condition:with-Lock-shares-lock", lambda: (c2.acquire(), lock.acquire(False),
                                                           c2.release(), lock.acquire(False),
                                                           c2.acquire(False), lock.release()))
        S.step("Condition:with-Lock-wait", lambda: (c2.acquire(), timed(lambda: c2.wait(0.1), 0.1),
                                                    c2.release()))
        S.step("Condition:with-Lock-notified", lambda: notified(c2, 1, "one"))
    rlock = m.RLock()
    c3 = S.step("Condition:with-RLock-create", lambda: m.Condition(rlock))
    if c3 is not None:
        S.step("Condition:with-RLock-acquire-release", lambda: (c3.acquire(), c3.release()))
    S.step("Condition:with-bad-arg", lambda: m.Condition(5))


def sec_event(S, m, A, B):
    e = S.step("Event:create", lambda: m.Event(), need=True)
    S.step("Event:str", lambda: sstr(e))
    S.step("Event:is_set", lambda: e.is_set())
    S.step("Event:wait-timeout", lambda: timed(lambda: e.wait(0.1), 0.1))
    S.step("Event:wait-0", lambda: timed(lambda: e.wait(0), 0))
    S.step("Event:wait-kwd", lambda: timed(lambda: e._callmethod("wait", (), {"timeout": 0.1}), 0.1))
    S.step("Event:set", lambda: (e.set(), e.is_set(), sstr(e)))
    S.step("Event:wait-set", lambda: timed(lambda: e.wait(0.1), 0))
    S.step("Event:wait-forever-set", lambda: e.wait())
    S.step("Event:set-twice", lambda: e.set())
    S.step("Event:clear", lambda: (e.clear(), e.is_set(), e.clear()))

    def wake_two():
        fs = [act.submit(lambda: timed(lambda: e.wait(LONG), 0)) for act in (A, B)]
        time.sleep(0.3)
        early = [f.done() for f in fs]
        e.set()
        return (early, [f.result(LONG + 10) for f in fs])
    S.step("Event:set-wakes-waiters", wake_two)
    S.step("Event:wait-negative", lambda: e.wait(-1))
    S.step("Event:not-exposed", lambda: e._callmethod("_flag"))


def sec_barrier(S, m, A, B):
    b = S.step("Barrier:create", lambda: m.Barrier(2), need=True)
    S.step("Barrier:str", lambda: sstr(b))
    S.step("Barrier:props", lambda: (b.parties, b.n_waiting, b.broken))

    def two():
        f = A.submit(lambda: b.wait(LONG))
        r = b.wait(LONG)
        return sorted([r, f.result(LONG + 10)])
    S.step("Barrier:wait-two", two)
    S.step("Barrier:wait-two-again", two)

    def three():
        b3 = m.Barrier(3)
        fs = [act.submit(lambda: b3.wait(LONG)) for act in (A, B)]
        r = b3.wait(LONG)
        return (sorted([r] + [f.result(LONG + 10) for f in fs]), b3.n_waiting, b3.broken)
    S.step("Barrier:wait-three", three)
    S.step("Barrier:wait-timeout", lambda: timed(lambda: raises(lambda: b.wait(0.1)), 0.1))
    S.step("Barrier:broken-after-timeout", lambda: (b.broken, b.n_waiting))
    S.step("Barrier:wait-broken", lambda: b.wait(1))
    S.step("Barrier:reset", lambda: (b.reset(), b.broken))
    S.step("Barrier:abort", lambda: (b.abort(), b.broken))
    S.step("Barrier:wait-aborted", lambda: b.wait(1))
    S.step("Barrier:str-broken", lambda: sstr(b))
    S.step("Barrier:reset-again", lambda: (b.reset(), b.broken, two()))

    def abort_wakes():
        f = A.submit(lambda: timed(lambda: raises(lambda: b.wait(LONG)), 0))
        n = wait_until(lambda: b.n_waiting, 1)
        early = f.done()
        b.abort()
        r = f.result(LONG + 10)
        b.reset()
        return (n, early, r)
    S.step("Barrier:abort-wakes-waiter", abort_wakes)

    def reset_wakes():
        f = A.submit(lambda: raises(lambda: b.wait(LONG)))
        n = wait_until(lambda: b.n_waiting, 1)
        b.reset()
        return (n, f.result(LONG + 10), b.broken)
    S.step("Barrier:reset-wakes-waiter", reset_wakes)
    S.step("Barrier:default-timeout", lambda: timed(lambda: raises(lambda: m.Barrier(2, timeout=0.1).wait()),
                                                    0.1))
    S.step("Barrier:one-party", lambda: (lambda x: (x.wait(), x.wait(0.1)))(m.Barrier(1)))
    S.step("Barrier:zero-parties", lambda: m.Barrier(0))


def sec_nested(S, m):
    outer = S.step("nested:list", lambda: m.list(), need=True)
    inner = S.step("nested:dict", lambda: m.dict({"a": 1}), need=True)
    S.step("nested:append-proxy", lambda: outer.append(inner))
    S.step("nested:get-proxy", lambda: outer[0])
    S.step("nested:use-proxy", lambda: (outer[0]["a"], outer[0].__setitem__("b", 2), inner["b"]))
    S.step("nested:str-outer", lambda: sstr(outer))
    S.step("nested:getvalue-outer", lambda: outer._getvalue())
    S.step("nested:dict-holds-list", lambda: (inner.__setitem__("l", m.list([1])), inner["l"].append(2),
                                              inner["l"]._getvalue()))
    S.step("nested:create-with-proxy", lambda: (lambda d: d["x"]._getvalue())(m.dict({"x": m.list([5])})))
    S.step("nested:queue-carries-proxy", lambda: (lambda q: (q.put(m.list([1])), q.get()._getvalue()))(
        m.Queue()))
    S.step("nested:namespace-holds-proxy", lambda: (lambda ns: (setattr(ns, "d", m.dict(z=1)),
                                                                ns.d["z"]))(m.Namespace()))
    # An AutoProxy inside a value: CPython 3.8's server fails (SPEC §3.6,
    # allowlisted for 3.8).
    S.step("nested:autoproxy-in-dict", lambda: (inner.__setitem__("q", m.Queue()), inner["q"].put(1),
                                                inner["q"].get()))
    S.step("nested:copy-keeps-proxy", lambda: type(inner.copy()["l"]).__name__)

    def refcounts():
        gc.collect()
        before = m._number_of_objects()
        ds = [m.dict({"i": i}) for i in range(5)]
        during = m._number_of_objects()
        del ds
        gc.collect()
        time.sleep(0.2)
        return (during - before, m._number_of_objects() - before)
    S.step("server:number_of_objects", refcounts)
    S.step("server:debug_info-type", lambda: type(m._debug_info()).__name__)


def sec_server(S, m):
    """The one-shot server functions (SPEC §3.3) and the serve_client loop
    (§3.4) as a client library sends them, through multiprocessing's own
    dispatch() and Connection."""
    from multiprocessing.managers import dispatch

    def call(funcname, args=()):
        c = m._Client(m._address, authkey=m._authkey)
        try:
            return dispatch(c, None, funcname, args)
        finally:
            c.close()
    q = S.step("server:queue", lambda: m.Queue(), need=True)
    basic = {"empty", "full", "get", "get_nowait", "join", "put", "put_nowait", "qsize",
             "task_done"}
    # A server may expose more than a version's client knows (SPEC §3.9:
    # send the superset), so only the basic names are compared.
    S.step("server:get_methods", lambda: basic <= set(call("get_methods", (q._token,))))
    S.step("server:exposed-in-create", lambda: basic <= set(type(q)._exposed_))
    S.step("server:dummy", lambda: call("dummy"))
    S.step("server:incref-decref", lambda: (call("incref", (q._token.id,)),
                                            call("decref", (q._token.id,)), q.qsize()))
    S.step("server:incref-unknown", lambda: call("incref", ("no-such-id",)))
    S.step("server:unknown-function", lambda: call("bogus"))
    S.step("server:create-unknown-typeid", lambda: call("create", ("NoSuchType",)))
    S.step("server:number_of_objects-type", lambda: type(call("number_of_objects")).__name__)

    def serve_client_goes_on():
        d = m.dict({"k": 1})
        c = m._Client(m._address, authkey=m._authkey)
        try:
            dispatch(c, None, "accept_connection", ("suite",))
            c.send(("no-such-id", "__len__", (), {}))
            bad = c.recv()[0]
            c.send((d._token.id, "__len__", (), {}))
            good = c.recv()
            c.send((d._token.id, "__getitem__", ("missing",), {}))
            kind, exc = c.recv()
            c.send((d._token.id, "nosuch", (), {}))
            not_exposed = c.recv()[0]
            c.send((d._token.id, "__getitem__", ("k",), {}))
            again = c.recv()
            return (bad, good, kind, type(exc).__name__, exc.args, not_exposed, again)
        finally:
            c.close()
    S.step("server:serve_client-goes-on-after-errors", serve_client_goes_on)
    S.step("server:repr-local", lambda: mask(repr(q)))


def sec_pool(S, m):
    # SyncManager registers Pool; only a Python server can run one.  mgrd
    # refuses it with a RemoteError (allowlisted; compare.py also checks
    # that mgrd's refusal names Pool).
    p = S.step("Pool:create", lambda: m.Pool(1))
    if p is not None:
        S.step("Pool:apply", lambda: p.apply(pow, (2, 5)))
        S.step("Pool:terminate", lambda: p.terminate())


SECTIONS = [
    ("values", lambda S, m, A, B: sec_values(S, m)),
    ("dict", lambda S, m, A, B: sec_dict(S, m)),
    ("list", lambda S, m, A, B: sec_list(S, m)),
    ("Namespace", lambda S, m, A, B: sec_namespace(S, m)),
    ("Value", lambda S, m, A, B: sec_value(S, m)),
    ("Array", lambda S, m, A, B: sec_array(S, m)),
    ("Queue", lambda S, m, A, B: sec_queue(S, m, A)),
    ("named", lambda S, m, A, B: sec_named(S, m)),
    ("locks", sec_locks),
    ("Condition", sec_condition),
    ("Event", sec_event),
    ("Barrier", sec_barrier),
    ("nested", lambda S, m, A, B: sec_nested(S, m)),
    ("server", lambda S, m, A, B: sec_server(S, m)),
    ("Pool", lambda S, m, A, B: sec_pool(S, m)),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--address", required=True)
    ap.add_argument("--authkey-file", required=True)
    ap.add_argument("--out")
    ap.add_argument("--only", help="comma-separated section names")
    a = ap.parse_args()
    key = pylib.read_key(a.authkey_file)
    # Proxies that come back inside values dial the manager with the
    # process key (SPEC §3.7.1).
    multiprocessing.current_process().authkey = key
    out = open(a.out, "w") if a.out else sys.stdout
    S = Recorder(out)
    m = Suite(address=pylib.parse_address(a.address), authkey=key)
    m.connect()
    A, B = Actor("A"), Actor("B")
    only = set(a.only.split(",")) if a.only else None
    for name, fn in SECTIONS:
        if only and name not in only:
            continue
        try:
            fn(S, m, A, B)
        except Abort as e:
            S.write({"step": "section:%s" % name, "aborted": "needed step %s failed" % e})
        except Exception as e:
            S.write({"step": "section:%s" % name, "crashed": "%s: %s" % (qualname(type(e)), e)})
    A.stop()
    B.stop()
    out.flush()
    # Actors may be stuck in a call a broken server never answers.
    os._exit(0)


if __name__ == "__main__":
    main()
