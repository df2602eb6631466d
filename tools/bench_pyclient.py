#!/usr/bin/env python3
"""An unmodified SyncManager client as a benchmark: the main calls of
every type against the manager at an address, so that tools/bench_py.sh
can run the same program against CPython's own server and against mgrd.

    bench_pyclient.py run --address ADDR --authkey-file KEY [-t S] [-n N]
    bench_pyclient.py serve --address ADDR --authkey-file KEY

run prints rows "operation clients ops/s": each operation with 1 client,
then with N.  Each client is a forked process with its own connection,
making one call at a time and waiting for it, as a proxy does; with N
clients their rates are summed.  lock is an acquire and a release; create
is m.dict() and dropping its proxy (create, incref, decref, decref: four
short connections).  Gets take back what this client put, so none waits.

serve runs CPython's SyncManager server at ADDR, as the Python
documentation's server.py does (get_server().serve_forever()).

ADDR is python+unix:PATH or python+tcp:HOST:PORT; the key is the key
file's content less one trailing newline, as mgrd reads it."""
import argparse
import multiprocessing as mp
import sys
import time
from multiprocessing.managers import SyncManager

OPS = ["dict-set", "dict-get", "list-append", "list-getitem", "value-set", "value-get",
       "queue-put", "queue-get", "lock", "event-set", "event-is_set", "ns-set", "ns-get",
       "create"]
VALUE = "0123456789abcdef"


def parse_address(spec):
    s = spec[len("python+"):] if spec.startswith("python+") else spec
    if s.startswith("tcp:"):
        host, _, port = s[4:].rpartition(":")
        return (host.strip("[]") or "127.0.0.1", int(port))
    if s.startswith("unix:"):
        return s[5:]
    raise SystemExit("bench_pyclient: not an address: %s" % spec)


def read_key(path):
    with open(path, "rb") as f:
        k = f.read()
    return k[:-1] if k.endswith(b"\n") else k


def step(op, idx, m, o, attr):
    if op == "dict-set":
        o["d"][idx] = VALUE
    elif op == "dict-get":
        o["d"][idx]
    elif op == "list-append":
        o["l"].append(VALUE)
    elif op == "list-getitem":
        o["l"][idx]
    elif op == "value-set":
        o["v"].value = 12345
    elif op == "value-get":
        o["v"].value
    elif op == "queue-put":
        o["q"].put(VALUE)
    elif op == "queue-get":
        o["q"].get()
    elif op == "lock":
        o["lock"].acquire()
        o["lock"].release()
    elif op == "event-set":
        o["e"].set()
    elif op == "event-is_set":
        o["e"].is_set()
    elif op == "ns-set":
        setattr(o["ns"], attr, VALUE)
    elif op == "ns-get":
        getattr(o["ns"], attr)
    else:
        d = m.dict()
        del d


def client(idx, seconds, m, o, barrier, rates):
    attr = "a%d" % idx
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
            step(op, idx, m, o, attr)
            n += 1
        t = time.monotonic() - t0
        if op == "queue-put":
            puts = n
        rates[idx * len(OPS) + k] = n / t if t > 0 else 0.0
        barrier.wait()


def run_clients(n, seconds, m, o):
    barrier = mp.Barrier(n)
    rates = mp.Array("d", n * len(OPS), lock=False)
    procs = [mp.Process(target=client, args=(i, seconds, m, o, barrier, rates)) for i in range(n)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
        if p.exitcode != 0:
            sys.exit("bench_pyclient: a client failed (%s)" % p.exitcode)
    return [sum(rates[i * len(OPS) + k] for i in range(n)) for k in range(len(OPS))]


def run(a):
    key = read_key(a.authkey_file)
    mp.current_process().authkey = key
    m = SyncManager(address=parse_address(a.address), authkey=key)
    m.connect()
    o = {"d": m.dict(), "l": m.list([VALUE] * max(a.clients, 1)), "v": m.Value("i", 0),
         "q": m.Queue(), "lock": m.Lock(), "e": m.Event(), "ns": m.Namespace()}
    print("%-16s %8s %14s" % ("operation", "clients", "ops/s"))
    one = run_clients(1, a.seconds, m, o)
    many = run_clients(a.clients, a.seconds, m, o)
    for op, r in zip(OPS, one):
        print("%-16s %8d %14.0f" % (op, 1, r))
    for op, r in zip(OPS, many):
        print("%-16s %8d %14.0f" % (op, a.clients, r))
    sys.stdout.flush()


def serve(a):
    key = read_key(a.authkey_file)
    mp.current_process().authkey = key
    m = SyncManager(address=parse_address(a.address), authkey=key)
    server = m.get_server()
    print("ready", flush=True)
    server.serve_forever()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=["run", "serve"])
    ap.add_argument("--address", required=True)
    ap.add_argument("--authkey-file", required=True)
    ap.add_argument("-t", "--seconds", type=float, default=1.0)
    ap.add_argument("-n", "--clients", type=int, default=16)
    a = ap.parse_args()
    mp.set_start_method("fork")
    run(a) if a.mode == "run" else serve(a)


if __name__ == "__main__":
    main()
