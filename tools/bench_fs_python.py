#!/usr/bin/env python3
"""Items a second through Python's SyncManager Queue, end to end.

The counterpart of `mgr-bench-fs queue`: a producer process puts one item
at a time for SECONDS, then None; a consumer process gets items until None,
from the moment both are ready.  Each process has its own connection to
the manager, which listens on a unix socket, Python's default on Linux.
Prints the consumer's rate, items a second.
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


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    mp.set_start_method("fork")
    m = SyncManager()
    m.start()
    try:
        q = m.Queue()
        go = mp.Barrier(2)
        rate = mp.Value("d", 0.0, lock=False)
        procs = [mp.Process(target=producer, args=(q, seconds, go)),
                 mp.Process(target=consumer, args=(q, go, rate))]
        for p in procs:
            p.start()
        for p in procs:
            p.join()
            if p.exitcode != 0:
                sys.exit(f"bench_fs_python: a process failed ({p.exitcode})")
    finally:
        m.shutdown()
    print("%.0f" % rate.value)


if __name__ == "__main__":
    main()
