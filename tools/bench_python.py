#!/usr/bin/env python3
"""The operations of mgr-bench, against Python's multiprocessing SyncManager.

Prints the same table as mgr-bench (operation, clients, ops/s, and the peak
resident size of a manager holding a million keys), so that tools/bench.sh
can put the two side by side.  Each client is a forked process with its own
connection to the manager, as with mgr-bench; the manager listens on a unix
socket, Python's default on Linux.
"""
import argparse
import multiprocessing as mp
import os
import sys
import time
from multiprocessing.managers import SyncManager

OPS = ["value-set", "value-get", "queue-put", "queue-get", "lock"]
VALUE = "0123456789abcdef"


def do_op(op, idx, d, q, lock):
    if op == "value-set":
        d[idx] = VALUE
    elif op == "value-get":
        d[idx]
    elif op == "queue-put":
        q.put(VALUE)
    elif op == "queue-get":
        q.get()
    else:
        lock.acquire()
        lock.release()


def client(idx, seconds, d, q, lock, barrier, rates):
    """Run every operation in turn, each phase starting with the others'.
    Gets take back exactly what this client put, so none waits."""
    puts = 0
    for k, op in enumerate(OPS):
        barrier.wait()
        n = 0
        t0 = time.monotonic()
        while True:
            if op == "queue-get":
                if n == puts:
                    break
            elif time.monotonic() - t0 >= seconds:
                break
            do_op(op, idx, d, q, lock)
            n += 1
        t = time.monotonic() - t0
        if op == "queue-put":
            puts = n
        rates[idx * len(OPS) + k] = n / t if t > 0 else 0.0
        barrier.wait()


def run_clients(n, seconds, d, q, lock):
    barrier = mp.Barrier(n)
    rates = mp.Array("d", n * len(OPS), lock=False)
    procs = [mp.Process(target=client, args=(i, seconds, d, q, lock, barrier, rates))
             for i in range(n)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
        if p.exitcode != 0:
            sys.exit(f"bench_python: a client failed ({p.exitcode})")
    return [sum(rates[i * len(OPS) + k] for i in range(n)) for k in range(len(OPS))]


def peak_rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM")


def bench_memory(keys):
    """A fresh manager holding keys 16-byte values under 16-byte names, filled
    through update() in batches, the fastest way a proxy offers."""
    m = SyncManager()
    m.start()
    try:
        d = m.dict()
        batch = 10000
        for start in range(0, keys, batch):
            d.update({"k%015d" % i: "v%015d" % i
                      for i in range(start, min(start + batch, keys))})
        if len(d) != keys:
            sys.exit("bench_python: the dict lost keys")
        return peak_rss_kb(m._process.pid)
    finally:
        m.shutdown()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-t", "--seconds", type=float, default=1.0)
    ap.add_argument("-n", "--clients", type=int, default=16)
    ap.add_argument("-k", "--keys", type=int, default=1000000)
    ap.add_argument("--no-memory", action="store_true")
    ap.add_argument("--no-ops", action="store_true")
    a = ap.parse_args()
    mp.set_start_method("fork")

    print("%-16s %8s %14s" % ("operation", "clients", "ops/s"))
    if not a.no_ops:
        m = SyncManager()
        m.start()
        try:
            d, q, lock = m.dict(), m.Queue(), m.Lock()
            one = run_clients(1, a.seconds, d, q, lock)
            many = run_clients(a.clients, a.seconds, d, q, lock)
        finally:
            m.shutdown()
        for op, r in zip(OPS, one):
            print("%-16s %8d %14.0f" % (op, 1, r))
        for op, r in zip(OPS, many):
            print("%-16s %8d %14.0f" % (op, a.clients, r))
        sys.stdout.flush()
    if not a.no_memory:
        print("%-16s %8d %14.1f" % ("peak-rss-MB", a.keys, bench_memory(a.keys) / 1024))


if __name__ == "__main__":
    main()
