#!/usr/bin/env python3
"""CPython's own SyncManager server, the reference the tests compare mgrd
with, run the way the Python documentation's server.py runs it:
get_server().serve_forever() on a known address with a known key.

    cpyserver.py --authkey-file KEY [--tcp HOST:PORT] [--unix PATH]
                 [--queue NAME]... [--dict NAME]...

--queue NAME registers NAME with a callable that returns one queue made at
start (the seed's `register('get_queue', callable=lambda: queue)`), so that
`BaseManager.register('NAME')` clients reach it as they reach the object
NAME that mgrctl makes in mgrd's tree.

With both --tcp and --unix, one Server serves both: the unix listener's
connections go to the same Server's handle_request, so objects are shared
as they are across mgrd's listeners.  Prints "ready TCP-ADDR UNIX-ADDR"
(python+tcp:..., python+unix:..., or "-") once listening.

The process authkey is set to the manager's key: CPython's server builds a
real proxy, which dials back with current_process().authkey, for a proxy
it receives (Condition(m.Lock()), a proxy stored in a list); Manager()
has the two equal by construction (SPEC §3.6)."""
import argparse
import multiprocessing
import os
import queue
import sys
import threading
from multiprocessing import connection
from multiprocessing.managers import SyncManager, DictProxy

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pylib  # noqa: E402
import pyvalues  # noqa: E402,F401  (the user class the suite stores)


class ReferenceManager(SyncManager):
    pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--authkey-file", required=True)
    ap.add_argument("--tcp")
    ap.add_argument("--unix")
    ap.add_argument("--queue", action="append", default=[])
    ap.add_argument("--dict", action="append", default=[])
    a = ap.parse_args()
    key = pylib.read_key(a.authkey_file)
    multiprocessing.current_process().authkey = key

    for name in a.queue:
        q = queue.Queue()
        ReferenceManager.register(name, callable=lambda q=q: q)
    for name in a.dict:
        d = {}
        ReferenceManager.register(name, callable=lambda d=d: d, proxytype=DictProxy)

    first = pylib.parse_address("tcp:" + a.tcp) if a.tcp else pylib.parse_address("unix:" + a.unix)
    m = ReferenceManager(address=first, authkey=key)
    server = m.get_server()
    tcp_addr = unix_addr = "-"
    if a.tcp:
        tcp_addr = pylib.format_address(tuple(server.address))
        if a.unix:
            extra = connection.Listener(address=a.unix, family="AF_UNIX", backlog=16)
            unix_addr = pylib.format_address(a.unix)

            def accepter():
                while True:
                    try:
                        c = extra.accept()
                    except OSError:
                        continue
                    t = threading.Thread(target=server.handle_request, args=(c,))
                    t.daemon = True
                    t.start()
            t = threading.Thread(target=accepter)
            t.daemon = True
            t.start()
    else:
        unix_addr = pylib.format_address(a.unix)
    print("ready", tcp_addr, unix_addr, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
