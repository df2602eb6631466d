#!/usr/bin/env python3
"""The Python half of py_shell.sh: an unmodified-style client of the
manager at $MGR_PY_ADDRESS (key in $MGR_PY_AUTHKEY_FILE) that reaches
objects of the tree by name, as BaseManager.register('NAME') programs do.

    pyclient.py drain NAME N      take N items; PASS if they are 1..N in order
    pyclient.py fill NAME N       put the ints 1..N
    pyclient.py acquire NAME T    acquire(True, T): prints True/False and the
                                  seconds it took, then releases what it got
    pyclient.py hold NAME         acquire(), print "held", wait for stdin to
                                  close (or to be killed)
    pyclient.py objects MARKER    make a dict, list, Value, Queue, Namespace
                                  holding MARKER, print "ready", wait for
                                  stdin to close, then exit (and decref)

NAME is a path in the tree ("jobs/q", "x.lock").  How a nested path is
spelled as a typeid is mgrd's decision: see typeid().  Prints PASS/FAIL
lines for tests/integ/lib.sh's tap_report."""
import os
import sys
import time
from multiprocessing.managers import BaseManager, SyncManager

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pylib  # noqa: E402

ADDR = pylib.parse_address(os.environ["MGR_PY_ADDRESS"])
KEY = pylib.read_key(os.environ["MGR_PY_AUTHKEY_FILE"])


def typeid(path):
    """The typeid a Python program registers to reach the object at path:
    the path itself, nested ones included ("jobs/q", used with
    getattr(m, "jobs/q")()), as mgrfs(7) "PYTHON CLIENTS" says."""
    return path


def named(path):
    class Named(BaseManager):
        pass
    Named.register(typeid(path))
    m = Named(address=ADDR, authkey=KEY)
    m.connect()
    return getattr(m, typeid(path))()


def say(ok, desc):
    print("%s %s" % ("PASS" if ok else "FAIL", desc))
    sys.stdout.flush()


def drain(path, n):
    q = named(path)
    items = []
    for _ in range(n):
        items.append(q.get(timeout=10))
    # What a line written through the tree is to Python is mgrd's mapping
    # of tree values to Python values; any of these is a faithful one.
    forms = {"int": list(range(1, n + 1)),
             "str": [str(i) for i in range(1, n + 1)],
             "bytes": [str(i).encode() for i in range(1, n + 1)]}
    mapping = [k for k, v in forms.items() if items == v]
    say(bool(mapping), "Python took the %d lines the shell wrote, in order, each once "
        "(as %s)" % (n, mapping[0] if mapping else "?: got %r" % (items[:5],)))
    say(q.empty(), "and the queue is empty after")


def fill(path, n):
    q = named(path)
    for i in range(1, n + 1):
        q.put(i)
    say(True, "Python put 1..%d" % n)


def acquire(path, timeout):
    lock = named(path)
    t0 = time.monotonic()
    got = lock.acquire(True, timeout)
    print("%s %.2f" % (got, time.monotonic() - t0))
    sys.stdout.flush()
    if got:
        lock.release()


def hold(path):
    lock = named(path)
    lock.acquire()
    print("held")
    sys.stdout.flush()
    sys.stdin.read()
    lock.release()


def objects(marker):
    m = SyncManager(address=ADDR, authkey=KEY)
    m.connect()
    keep = [m.dict({"marker": marker, "n": 1}), m.list([marker, 2, 3]), m.Value("i", 42),
            m.Queue(), m.Namespace(marker=marker)]
    keep[3].put(marker)
    print("ready")
    sys.stdout.flush()
    sys.stdin.read()
    del keep


def main():
    cmd, arg = sys.argv[1], sys.argv[2]
    if cmd == "drain":
        drain(arg, int(sys.argv[3]))
    elif cmd == "fill":
        fill(arg, int(sys.argv[3]))
    elif cmd == "acquire":
        acquire(arg, float(sys.argv[3]))
    elif cmd == "hold":
        hold(arg)
    elif cmd == "objects":
        objects(arg)
    else:
        sys.exit("usage: see pyclient.py")


if __name__ == "__main__":
    main()
