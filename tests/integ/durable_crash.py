"""kill -9 of a durable mgrd (--fsync always) at random moments under
concurrent writers of every type, cycle after cycle: after each restart
every change a writer saw acknowledged is there, nothing appears half
applied (an update of two keys, a put of three items), nothing handed out
and not known to have arrived is lost, and what earlier cycles left stays
exactly as it was.  The journal is compacted every 64 KiB, so that kills
land in compactions too.

    durable_crash.py MGRD DATADIR SOCKET SECONDS MAXCYCLES

Prints PASS/FAIL lines (rawclient.report); the budget in seconds bounds
the run, it is no measure of anything."""
import base64
import json
import os
import random
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rawclient  # noqa: E402

MGRD, DATA, SOCK = sys.argv[1], sys.argv[2], sys.argv[3]
BUDGET, MAXCYCLES = float(sys.argv[4]), int(sys.argv[5])
LOG = open(os.path.join(os.path.dirname(DATA), "crash-mgrd.log"), "ab")
QITEMS = 60
# A kill of the process alone loses nothing under any policy: every one
# writes before it replies (MGR_CRASH_FSYNC, default always).
FSYNC = os.environ.get("MGR_CRASH_FSYNC", "always")


def start():
    # Compacting often, so that kills land in compactions too.
    p = subprocess.Popen([MGRD, "--data-dir", DATA, "--fsync", FSYNC, "-q",
                          "--compact-min", "64K", "-l", "unix:" + SOCK], stderr=LOG)
    for _ in range(400):
        if p.poll() is not None:
            raise RuntimeError("mgrd exited with %d (see crash-mgrd.log)" % p.returncode)
        try:
            c = rawclient.Conn(SOCK, timeout=30)
            if c.call("ping").get("result") == "pong":
                return p, c
        except (OSError, rawclient.Closed):
            pass
        time.sleep(0.025)
    raise RuntimeError("mgrd does not answer")


def ok(reply):
    if "error" in reply:
        raise RuntimeError("request failed: %r" % (reply,))
    return reply.get("result")


def setup(c, n):
    p = "c%d" % n
    for op, path, args in [
        ("create", p, {"type": "namespace"}),
        ("create", p + "/v", {"type": "value", "value": 0}),
        ("create", p + "/l", {"type": "list"}),
        ("create", p + "/pq", {"type": "queue"}),
        ("create", p + "/d", {"type": "dict"}),
        ("create", p + "/gq", {"type": "queue"}),
        ("create", p + "/sem", {"type": "semaphore", "value": 2}),
        ("create", p + "/ev", {"type": "event"}),
        ("create", p + "/arr", {"type": "array", "typecode": "q", "items": [0, 0]}),
        ("create", p + "/mv", {"type": "namespace"}),
        ("create", p + "/mv/k0", {"type": "value", "value": 0}),
        ("create", p + "/bar", {"type": "barrier", "parties": 3}),
        ("create", p + "/lk", {"type": "lock"}),
        ("create", p + "/tr", {"type": "namespace"}),
        ("create", p + "/tr/t0", {"type": "namespace"}),
        ("create", p + "/tr/t0/v", {"type": "value", "value": 0}),
        ("create", p + "/log", {"type": "value", "bytes": ""}),
    ]:
        ok(c.call(op, path, **args))
    ok(c.call("put_many", p + "/gq", items=[{"value": i} for i in range(QITEMS)]))


def writer(kind, n, out):
    """Do one kind of change over and over; write each acknowledged one."""
    p = "c%d/" % n
    f = open(out, "w")
    try:
        c = rawclient.Conn(SOCK, timeout=30)
        i = 0
        while True:
            i += 1
            if kind == "v":
                r = c.call("set", p + "v", value=i)
            elif kind == "l":
                r = c.call("append", p + "l", value=i)
            elif kind == "pq":
                r = c.call("put_many", p + "pq", items=[{"value": 3 * i + k} for k in range(3)])
            elif kind == "d":
                r = c.call("update", p + "d", items={"a": i, "b": i})
            elif kind == "gq":
                r = c.call("get", p + "gq", block=False)
                if "error" in r:
                    break
                f.write(json.dumps(r["result"]["value"]) + "\n")
                f.flush()
                continue
            elif kind == "sem":
                r = c.call("acquire", p + "sem")
                ok(r)
                # Held across the kill now and then: comes back free.
                r = c.call("release", p + "sem") if i % 7 else r
            elif kind == "ev":
                r = c.call("set" if i % 2 else "clear", p + "ev")
            elif kind == "arr":
                r = c.call("setitem", p + "arr", index=1, value=i)
            elif kind == "mv":
                r = c.call("rename", p + "mv/k%d" % (i - 1), to=p + "mv/k%d" % i)
            elif kind == "ap":
                # By range: each append journalled as itself.
                r = c.call("append", p + "log", value="%d\n" % i)
            elif kind == "lk":
                r = c.call("acquire", p + "lk")
            elif kind == "tr":
                # A tree made, filled, and the one before deleted whole.
                ok(c.call("create", p + "tr/t%d" % i, type="namespace"))
                ok(c.call("create", p + "tr/t%d/q" % i, type="queue"))
                ok(c.call("put", p + "tr/t%d/q" % i, value=i))
                ok(c.call("create", p + "tr/t%d/v" % i, type="value", value=i))
                r = c.call("delete", p + "tr/t%d" % (i - 1), recursive=True)
            ok(r)
            f.write("%d\n" % i)
            f.flush()
    except (rawclient.Closed, OSError):
        pass
    f.close()
    os._exit(0)


KINDS = ["v", "l", "pq", "d", "gq", "sem", "ev", "arr", "mv", "lk", "tr", "ap"]


def acked(out):
    with open(out) as f:
        lines = [ln for ln in f.read().split("\n") if ln]
    return lines


def check(c, n, got, final):
    """Check cycle n's objects against what its writers saw acknowledged
    (got, on the cycle right after the kill) or against the exact state
    seen before (final, on later cycles).  Returns the state now."""
    p = "c%d" % n
    state = ok(c.call("dump", p))
    for name in ["sem", "ev", "bar", "lk"]:
        st = ok(c.call("stat", p + "/" + name))
        state[name] = {k: st.get(k) for k in ("value", "is_set", "parties", "locked", "version")}
    state["versions"] = {k: ok(c.call("stat", p + "/" + k))["version"]
                         for k in ("v", "l", "pq", "d", "gq", "arr", "log")}
    log = ok(c.call("read", p + "/log", offset=0, length=1 << 20))
    state["log"] = base64.b64decode(log["bytes"]).decode()
    if final is not None:
        return state, ([] if state == final else ["changed since the last restart: %r != %r" % (state, final)])
    bad = []
    a = {k: len(got[k]) for k in KINDS}
    if state["v"] not in (a["v"], a["v"] + 1):
        bad.append("value %r, acknowledged %d" % (state["v"], a["v"]))
    if state["l"] not in (list(range(1, a["l"] + 1)), list(range(1, a["l"] + 2))):
        bad.append("list of %d, acknowledged %d" % (len(state["l"]), a["l"]))
    items = state["pq"]["$queue"]
    whole = [x for i in range(1, len(items) // 3 + 1) for x in (3 * i, 3 * i + 1, 3 * i + 2)]
    if items != whole or len(items) // 3 not in (a["pq"], a["pq"] + 1):
        bad.append("put_many queue %r..., acknowledged %d puts" % (items[:9], a["pq"]))
    d = state["d"]
    if d and (d.get("a") != d.get("b") or d.get("a") not in (a["d"], a["d"] + 1)):
        bad.append("update half applied or lost: %r, acknowledged %d" % (d, a["d"]))
    if not d and a["d"]:
        bad.append("update lost: acknowledged %d" % a["d"])
    left = state["gq"]["$queue"]
    r = len(got["gq"])
    j = QITEMS - len(left)
    if left != list(range(j, QITEMS)) or not (r - 1 <= j <= r):
        bad.append("get queue holds %r, %d were handed out" % (left[:5], r))
    if state["sem"]["value"] != 2:
        bad.append("semaphore at %r, not back at 2" % state["sem"]["value"])
    ev = bool(state["ev"]["is_set"])
    if ev not in ((a["ev"] % 2 == 1), ((a["ev"] + 1) % 2 == 1)):
        bad.append("event %r after %d acknowledged toggles" % (ev, a["ev"]))
    if state["arr"][1] not in (a["arr"], a["arr"] + 1):
        bad.append("array item %r, acknowledged %d" % (state["arr"][1], a["arr"]))
    keys = list(state["mv"].keys())
    if len(keys) != 1 or keys[0] not in ("k%d" % a["mv"], "k%d" % (a["mv"] + 1)):
        bad.append("renamed value at %r, acknowledged %d renames" % (keys, a["mv"]))
    if state["bar"]["parties"] != 3:
        bad.append("barrier parties %r" % state["bar"]["parties"])
    if state["lk"]["locked"]:
        bad.append("the lock is still held after the restart")
    lines = [str(i) for i in range(1, a["ap"] + 2)]
    if state["log"] not in ("".join(x + "\n" for x in lines[:-1]), "".join(x + "\n" for x in lines)):
        bad.append("appended %r..., acknowledged %d appends" % (state["log"][-20:], a["ap"]))
    tr, t = state["tr"], a["tr"]
    whole = {k: v for k, v in tr.items() if isinstance(v, dict) and "v" in v}
    if ("t%d" % t not in whole and "t%d" % (t + 1) not in whole) or \
            not set(tr) <= {"t%d" % t, "t%d" % (t + 1)} or \
            any(v["v"] != int(k[1:]) for k, v in whole.items()):
        bad.append("trees %r after %d acknowledged rounds" % (sorted(tr), t))
    return state, bad


def main():
    random.seed(os.getpid())
    t0 = time.time()
    tmp = os.path.dirname(DATA)
    finals = {}
    failures = []
    cycles = 0
    proc, c = start()
    while cycles < MAXCYCLES and time.time() - t0 < BUDGET:
        n = cycles
        setup(c, n)
        c.close()
        outs = {k: os.path.join(tmp, "w-%s" % k) for k in KINDS}
        kids = []
        for k in KINDS:
            pid = os.fork()
            if pid == 0:
                writer(k, n, outs[k])
            kids.append(pid)
        time.sleep(random.uniform(0.01, 0.3))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        for pid in kids:
            os.waitpid(pid, 0)
        got = {k: acked(outs[k]) for k in KINDS}
        proc, c = start()
        state, bad = check(c, n, got, None)
        failures += ["cycle %d: %s" % (n, b) for b in bad]
        finals[n] = state
        # Earlier cycles: exactly as they were.
        for m in random.sample(sorted(finals), min(3, len(finals))):
            if m == n:
                continue
            _, bad = check(c, m, None, finals[m])
            failures += ["cycle %d, seen again after cycle %d: %s" % (m, n, b) for b in bad]
        cycles += 1
    # A clean stop keeps it all too.
    c.close()
    proc.send_signal(signal.SIGTERM)
    proc.wait()
    proc, c = start()
    for m in sorted(finals):
        _, bad = check(c, m, None, finals[m])
        failures += ["cycle %d after a clean stop: %s" % (m, b) for b in bad]
    c.close()
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    rawclient.report(not failures and cycles > 0,
                     "%d kill -9 cycles under %d writers: every acknowledged change kept, none half applied, nothing handed out lost"
                     % (cycles, len(KINDS)), "; ".join(failures[:5]))


try:
    main()
except Exception as e:  # a manager that would not start, a writer's error
    LOG.flush()
    with open(LOG.name, "rb") as f:
        tail = f.read()[-600:].decode(errors="replace")
    rawclient.report(False, "kill -9 cycles under %d writers" % len(KINDS), "%r; mgrd said: %s" % (e, tail))
