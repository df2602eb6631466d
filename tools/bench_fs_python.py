#!/usr/bin/env python3
"""Items a second through Python's SyncManager Queue.

    bench_fs_python.py [SECONDS]      end to end, as `mgr-bench-fs queue`
    bench_fs_python.py --fill-drain N as `mgr-bench-fs fill` then `drain`

End to end: a producer process puts one item at a time for SECONDS, then
None; a consumer process gets items until None, from the moment both are
ready; prints the consumer's rate.  With --fill-drain: a producer process
puts N items, then a consumer process gets them; prints the two rates.
Each process has its own connection to the manager, which listens on a
unix socket, Python's default on Linux.
"""
import multiprocessing as mp
import sys
import time
from multiprocessing.managers import SyncManager

ITEM = "0123456789abcdef"


def producer(q, seconds, go):
    q.qsize()  # connect before the clock starts
    go.wait()
    t0 = time.monotonic()
    while time.monotonic() - t0 < seconds:
        q.put(ITEM)
    q.put(None)


def consumer(q, go, rate):
    q.qsize()
    go.wait()
    t0 = time.monotonic()
    n = 0
    while q.get() is not None:
        n += 1
    rate.value = n / (time.monotonic() - t0)


def fill(q, n, rate):
    q.qsize()
    t0 = time.monotonic()
    for _ in range(n):
        q.put(ITEM)
    rate.value = n / (time.monotonic() - t0)


def drain(q, n, rate):
    q.qsize()
    t0 = time.monotonic()
    for _ in range(n):
        q.get()
    rate.value = n / (time.monotonic() - t0)


def run(*procs):
    for p in procs:
        p.start()
    for p in procs:
        p.join()
        if p.exitcode != 0:
            sys.exit(f"bench_fs_python: a process failed ({p.exitcode})")


def main():
    args = sys.argv[1:]
    mp.set_start_method("fork")
    m = SyncManager()
    m.start()
    try:
        q = m.Queue()
        rate = mp.Value("d", 0.0, lock=False)
        if args[:1] == ["--fill-drain"] and len(args) == 2:
            n = int(args[1])
            run(mp.Process(target=fill, args=(q, n, rate)))
            filled = rate.value
            run(mp.Process(target=drain, args=(q, n, rate)))
            print("%.0f %.0f" % (filled, rate.value))
            return
        seconds = float(args[0]) if args else 1.0
        go = mp.Barrier(2)
        run(mp.Process(target=producer, args=(q, seconds, go)),
            mp.Process(target=consumer, args=(q, go, rate)))
        print("%.0f" % rate.value)
    finally:
        m.shutdown()


if __name__ == "__main__":
    main()
