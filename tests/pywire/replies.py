#!/usr/bin/env python3
"""The replies core/pywire/pyreply builds, loaded by this CPython as a
manager client would: exceptions of the right classes, a Token with its
fields, multiprocessing.managers.Value and Namespace with their reprs,
array.array, and builtins.list and iter."""
import array
import os
import pickle
import queue
import sys
import threading
from multiprocessing import managers

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pwlib import Probe, Tap  # noqa: E402


def main():
    tap = Tap()
    probe = Probe()
    replies = []
    while True:
        ok, out = probe.ask("P", pickle.dumps(len(replies), 4))
        if not ok:
            break
        replies.append(pickle.loads(out))
    checks = [
        ("('#RETURN', None)", lambda r: r == ("#RETURN", None)),
        ("_queue.Empty", lambda r: r[0] == "#ERROR" and type(r[1]) is queue.Empty),
        ("queue.Full", lambda r: type(r[1]) is queue.Full),
        ("threading.BrokenBarrierError", lambda r: type(r[1]) is threading.BrokenBarrierError),
        ("KeyError('k')", lambda r: type(r[1]) is KeyError and r[1].args == ("k",)),
        ("#TRACEBACK", lambda r: r == ("#TRACEBACK", "Traceback: boom\n")),
        ("#PROXY with a Token", lambda r: r[0] == "#PROXY" and r[1][0] == ("get", "put")
         and type(r[1][1]) is managers.Token and r[1][1].typeid == "Iterator"
         and r[1][1].address == ("127.0.0.1", 50000) and r[1][1].id == "1f"),
        ("Value('d', 1.25)", lambda r: type(r[1]) is managers.Value
         and repr(r[1]) == "Value('d', 1.25)" and r[1].value == 1.25),
        ("Namespace(a=1, b='two')", lambda r: type(r[1]) is managers.Namespace
         and repr(r[1]) == "Namespace(a=1, b='two')"),
        ("array('i', [1, 20, 3])", lambda r: r[1] == array.array("i", [1, 20, 3])),
        ("builtins.list", lambda r: r[1] == [1, 2]),
        ("builtins.iter", lambda r: list(r[1]) == [1, 2]),
        ("#UNSERIALIZABLE", lambda r: r == ("#UNSERIALIZABLE", "no")),
    ]
    tap.ok(len(replies) == len(checks), f"{len(replies)} replies")
    for (name, check), reply in zip(checks, replies):
        try:
            ok = check(reply)
        except Exception as e:  # noqa: BLE001
            ok, reply = False, e
        tap.ok(ok, name, repr(reply))
    tap.ok(probe.close() == 0, "pyprobe exits cleanly")
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
