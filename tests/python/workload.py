#!/usr/bin/env python3
"""A SyncManager workload across forked processes and threads, as
unmodified programs use a manager, against the manager at ADDRESS; then
clients killed while they hold a lock or wait.  Prints PASS/FAIL lines.

    workload.py --address ADDR --authkey-file KEY --kind cpython|mgrd

The workload: 4 forked workers and 2 threads add 1 to a Value under a Lock
and to a dict entry under an RLock, 40 times each (the totals must be
exact); an Event holds them at the start line; they drain a queue of 200
items into a list (each item exactly once); a JoinableQueue's join()
returns once every task is done; a Condition's notify_all() wakes every
worker waiting for a Namespace flag; a Barrier gives each party its own
index.

Killed clients: a forked process holding a Lock, an RLock or a Semaphore
unit is killed with SIGKILL while another waits for it; a thread that took
a Lock ends; a process blocked in a queue get() is killed before an item
arrives.  mgrd ends the dead client's session: the waiter gets the lock
and the item goes to the next get().  CPython's server keeps a dead
holder's lock held for ever and its thread, still in get(), swallows the
next item: that is the documented difference (mgrfs(7), DESIGN.md
"Sessions"), so each kind has its own expectation here."""
import argparse
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
from multiprocessing.managers import SyncManager

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pylib  # noqa: E402

WORKERS = 4
THREADS = 2
ADDS = 40
ITEMS = 200
TASKS = 60
failures = 0


def check(cond, desc, detail=""):
    global failures
    if cond:
        print("PASS " + desc)
    else:
        failures += 1
        print("FAIL %s%s" % (desc, (": " + detail) if detail else ""))
    sys.stdout.flush()


def worker(idx, o, is_process):
    """One party of the workload; o holds the proxies.  Returns a dict of
    what it saw (threads), or puts it into o['results'] (processes)."""
    seen = {"idx": idx}
    with o["lock"]:
        o["ready"].value += 1
    seen["go"] = o["go"].wait(60)
    for _ in range(ADDS):
        with o["lock"]:
            o["counter"].value += 1
        o["rlock"].acquire()
        o["rlock"].acquire()      # reentrant
        o["totals"]["n"] = o["totals"]["n"] + 1
        o["rlock"].release()
        o["rlock"].release()
    while True:
        item = o["q"].get(timeout=60)
        if item is None:
            break
        o["got"].append(item)
    done = 0
    while True:
        try:
            t = o["jq"].get(timeout=1.0)
        except queue.Empty:
            if o["jq_closed"].is_set():
                break
            continue
        o["done"].append(t)
        o["jq"].task_done()
        done += 1
    cond = o["cond"]
    with cond:
        seen["notified"] = cond.wait_for(lambda: o["ns"].flag, 60)
    seen["barrier"] = o["barrier"].wait(60)
    if is_process:
        o["results"].append(seen)
    return seen


def workload(m, key):
    ctx = multiprocessing.get_context("fork")
    parties = WORKERS + THREADS
    o = {
        "lock": m.Lock(), "rlock": m.RLock(), "counter": m.Value("i", 0),
        "totals": m.dict(n=0), "ready": m.Value("i", 0), "go": m.Event(),
        "q": m.Queue(), "got": m.list(), "jq": m.JoinableQueue(), "done": m.list(),
        "jq_closed": m.Event(), "cond": m.Condition(), "ns": m.Namespace(flag=False),
        "barrier": m.Barrier(parties + 1), "results": m.list(),
    }
    procs = [ctx.Process(target=worker, args=(i, o, True)) for i in range(WORKERS)]
    for p in procs:
        p.start()
    thread_results = []
    threads = [threading.Thread(target=lambda i=i: thread_results.append(worker(i, o, False)))
               for i in range(WORKERS, parties)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while o["ready"].value < parties and time.monotonic() < deadline:
        time.sleep(0.05)
    check(o["ready"].value == parties, "every party reached the start line",
          "%d of %d" % (o["ready"].value, parties))
    check(o["counter"].value == 0, "none started before the Event was set")
    o["go"].set()
    for i in range(ITEMS):
        o["q"].put(i)
    for i in range(parties):
        o["q"].put(None)
    for i in range(TASKS):
        o["jq"].put(("task", i))
    t0 = time.monotonic()
    o["jq"].join()
    check(len(o["done"]) == TASKS, "JoinableQueue.join() returned when every task was done",
          "%d of %d done after %.1f s" % (len(o["done"]), TASKS, time.monotonic() - t0))
    o["jq_closed"].set()
    time.sleep(0.3)
    with o["cond"]:
        o["ns"].flag = True
        o["cond"].notify_all()
    me = o["barrier"].wait(60)
    for p in procs:
        p.join(60)
    for t in threads:
        t.join(60)
    check(all(p.exitcode == 0 for p in procs), "every worker process exited 0",
          str([p.exitcode for p in procs]))
    check(len(thread_results) == THREADS, "every worker thread finished")
    check(o["counter"].value == parties * ADDS, "the Lock-protected Value counts exactly",
          "%d, want %d" % (o["counter"].value, parties * ADDS))
    check(o["totals"]["n"] == parties * ADDS, "the RLock-protected dict entry counts exactly",
          "%d, want %d" % (o["totals"]["n"], parties * ADDS))
    got = o["got"]._getvalue()
    check(sorted(got) == list(range(ITEMS)), "each queue item was taken exactly once",
          "%d items, %d distinct" % (len(got), len(set(got))))
    check(sorted(o["done"]._getvalue()) == [("task", i) for i in range(TASKS)],
          "each JoinableQueue task was done exactly once")
    results = list(o["results"]._getvalue()) + thread_results
    check(len(results) == parties and all(r["go"] for r in results),
          "every party saw the Event set")
    check(all(r["notified"] for r in results), "notify_all() woke every Condition waiter")
    idx = sorted([r["barrier"] for r in results] + [me])
    check(idx == list(range(parties + 1)), "the Barrier gave each party its own index", str(idx))
    check(o["lock"].acquire(False) and o["lock"].release() is None, "the Lock is free at the end")


def holder(lock, held):
    """Takes one unit, says so, and waits to be killed."""
    lock.acquire()
    held.set()
    time.sleep(120)


def blocked_getter(q, started):
    q.qsize()        # the child's own connection is up: get() is one request away
    started.set()
    q.get()          # killed while it waits
    os._exit(5)


def killed_holder(m, kind, typeid):
    ctx = multiprocessing.get_context("fork")
    lock = getattr(m, typeid)(*((1,) if typeid == "Semaphore" else ()))
    held = m.Event()
    p = ctx.Process(target=holder, args=(lock, held))
    p.start()
    check(held.wait(30), "%s: a forked process holds it" % typeid)
    # The waiter is another process, parked in acquire() before the kill.
    result = m.dict()
    waiting = m.Event()
    wait_for = 15.0 if kind == "mgrd" else 1.5

    def waiter():
        waiting.set()          # its connection is up: acquire() is one request away
        t0 = time.monotonic()
        result["got"] = lock.acquire(True, wait_for)
        result["after"] = time.monotonic() - t0
        if result["got"]:
            lock.release()
    w = ctx.Process(target=waiter)
    w.start()
    waiting.wait(30)
    time.sleep(0.5)
    os.kill(p.pid, signal.SIGKILL)
    p.join(30)
    w.join(60)
    got = result.get("got")
    if kind == "mgrd":
        check(got is True and result.get("after", 99) < 10,
              "%s: mgrd gives a killed holder's %s to the waiting process" % (typeid, typeid),
              "acquire() gave %r after %.1f s" % (got, result.get("after", -1)))
        check(lock.acquire(False), "%s: and it is free afterwards" % typeid)
        lock.release()
    else:
        check(got is False, "%s: CPython keeps a killed holder's %s held (the documented "
              "difference)" % (typeid, typeid), "acquire() gave %r" % (got,))
        check(not lock.acquire(False), "%s: still held afterwards, on CPython" % typeid)


def thread_exit_holder(m, kind):
    lock = m.Lock()
    t = threading.Thread(target=lock.acquire)
    t.start()
    t.join()
    # The thread's connection closes when its thread-local state goes.
    time.sleep(0.5)
    free = lock.acquire(True, 2.0)
    if kind == "mgrd":
        check(free, "Lock: mgrd frees a Lock whose holder thread ended (its connection closed)")
    else:
        check(not free, "Lock: CPython keeps a Lock whose holder thread ended held")


def killed_getter(m, kind):
    ctx = multiprocessing.get_context("fork")
    q = m.Queue()
    started = m.Event()
    p = ctx.Process(target=blocked_getter, args=(q, started))
    p.start()
    started.wait(30)
    time.sleep(0.5)           # parked in get() on the server
    os.kill(p.pid, signal.SIGKILL)
    p.join(30)
    time.sleep(0.3)
    q.put("precious")
    # A newcomer's get() can overtake a woken waiter in CPython's
    # queue.Queue: leave the dead client's server thread time to wake.
    time.sleep(0.5)
    try:
        item = q.get(timeout=2.0)
    except queue.Empty:
        item = None
    if kind == "mgrd":
        check(item == "precious", "Queue: a killed client's parked get() takes nothing on mgrd",
              "got %r" % (item,))
    else:
        check(item is None, "Queue: on CPython the dead client's server thread swallows the "
              "next item (the documented difference)", "got %r" % (item,))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--address", required=True)
    ap.add_argument("--authkey-file", required=True)
    ap.add_argument("--kind", required=True, choices=["cpython", "mgrd"])
    ap.add_argument("--mgrctl")
    ap.add_argument("--ctl")
    a = ap.parse_args()
    key = pylib.read_key(a.authkey_file)
    multiprocessing.current_process().authkey = key
    m = SyncManager(address=pylib.parse_address(a.address), authkey=key)
    m.connect()
    workload(m, key)
    for typeid in ("Lock", "RLock", "Semaphore"):
        killed_holder(m, a.kind, typeid)
    thread_exit_holder(m, a.kind)
    killed_getter(m, a.kind)
    sys.stdout.flush()
    os._exit(1 if failures else 0)


if __name__ == "__main__":
    main()
