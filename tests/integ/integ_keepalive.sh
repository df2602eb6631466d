#!/usr/bin/env bash
# Keepalive and acknowledgements against a real mgrd: a frozen lock holder
# (SIGSTOP: its socket stays open, its pings stop) loses the lock to the
# next waiter; a session that stays alive but idle keeps what it holds;
# queue items handed to a session that vanished without acknowledging them
# go back to the queue exactly once, in order, and acknowledged ones or a
# clean close do not come back.
. "$(dirname "$0")/lib.sh"

start_mgrd -v

# (a) A frozen holder.
t_ok "create the lock" mc new lock L
"$MGRCTL" --keepalive 1 lock L -- sleep 600 >/dev/null 2>&1 &
holder=$!
bg "$holder"
wait_stat L 'v.get("locked") is True' || bail "the holder never took the lock"
kill -STOP "$holder"
t_ok "a waiter gets the lock of a frozen holder within the bounded wait" \
	mc --timeout 20 acquire L
t_true "mgrd logs that the holder's link was lost, naming the peer" \
	grep -Eq "connection [0-9]+ \(local pid $holder .*keepalive" "$TMP/mgrd.log"
t_out false "the lock is free again once that waiter exits" mc locked L
kill -CONT "$holder"
kill9 "$holder"

# A holder that is alive but quiet, inside a command or between batch
# lines, keeps answering and keeps the lock past three intervals.
"$MGRCTL" --keepalive 1 lock L -- sleep 8 >/dev/null 2>&1 &
holder=$!
bg "$holder"
wait_stat L 'v.get("locked") is True' || bail "the second holder never took the lock"
sleep 4
t_rc 3 "a live holder running a command keeps the lock past 3 intervals" mc acquire --nowait L
kill9 "$holder"
wait_stat L 'v.get("locked") is False' || bail "the killed holder's lock was not released"
{ echo "acquire L"; sleep 8; echo "locked L"; } | "$MGRCTL" --keepalive 1 batch >"$TMP/batch.out" 2>&1 &
holder=$!
bg "$holder"
wait_stat L 'v.get("locked") is True' || bail "the batch never took the lock"
sleep 4
t_rc 3 "a live batch waiting for input keeps the lock past 3 intervals" mc acquire --nowait L
wait "$holder"
t_true "the batch still held the lock after its pause" grep -qx true "$TMP/batch.out"

# (b) Acknowledgements, in Python, which can read a reply and then go
# silent without acknowledging it.
t_ok "create the queue" mc new queue Q
PYTHONPATH=$(dirname "$0") "$PYTHON" - "$MGRFS_SOCKET" "$MGRCTL" >"$TMP/py.out" 2>&1 <<'EOF'
import subprocess, sys, time
from rawclient import Conn, Closed

sock, mgrctl = sys.argv[1], sys.argv[2]

def report(good, desc, detail=""):
    print(("PASS " if good else "FAIL ") + desc + ("" if good else ": " + str(detail)), flush=True)

def mc(*args):
    return subprocess.run([mgrctl] + list(args), capture_output=True, text=True)

def stat(path):
    import json
    return json.loads(mc("--json", "stat", path).stdout)

def until(pred, what):
    for _ in range(400):
        if pred():
            return True
        time.sleep(0.05)
    report(False, what, "not within 20 s")
    return False

def silent_until_closed(c):
    # Send nothing; the manager ends the session after 3 intervals.
    c.s.settimeout(20)
    return c.closed()

# A get parked on an empty queue, answered by another client's put, read
# and never acknowledged.
c = Conn(sock)
r = c.call("keepalive", interval=1)
report(r.get("result") is True, "keepalive {interval: 1} is true", r)
c.send({"id": 100, "op": "get", "path": "Q"})
until(lambda: stat("Q").get("getters") == 1, "the get is parked")
p = mc("put", "Q", "one")
report(p.returncode == 0, "another client puts an item", p.stderr)
r = c.recv()
report(r.get("id") == 100 and r.get("result") == {"value": "one"}, "the parked get is answered", r)
report(stat("Q").get("qsize") == 0, "the item has left the queue while unacknowledged")
report(silent_until_closed(c), "the manager ends the silent session")
until(lambda: stat("Q").get("qsize") == 1, "the item comes back")
g = mc("get", "Q")
report(g.returncode == 0 and g.stdout.strip() == "one", "the unacknowledged item is back", g)
report(stat("Q").get("qsize") == 0, "it came back exactly once")

# Items taken at once, not acknowledged: back at the head, in order.
for v in ("a", "b", "c"):
    mc("put", "Q", v)
c = Conn(sock)
c.call("keepalive", interval=1)
ra = c.call("get", "Q")
rb = c.call("get", "Q")
report(ra.get("result") == {"value": "a"} and rb.get("result") == {"value": "b"}, "two items taken", (ra, rb))
report(silent_until_closed(c), "the manager ends the second silent session")
until(lambda: stat("Q").get("qsize") == 3, "the two items come back")
got = [mc("get", "Q").stdout.strip() for _ in range(3)]
report(got == ["a", "b", "c"], "they are back at the head in the order taken", got)

# An acknowledged item stays taken.
mc("put", "Q", "acked")
mc("put", "Q", "marker")
c = Conn(sock)
c.call("keepalive", interval=1)
r = c.call("get", "Q")
report(r.get("result") == {"value": "acked"}, "a third session takes an item", r)
c.ack()
report(silent_until_closed(c), "the manager ends the acknowledging session")
time.sleep(0.5)
got = mc("--json", "stat", "Q")
report(stat("Q").get("qsize") == 1 and mc("get", "Q").stdout.strip() == "marker",
       "the acknowledged item did not come back", got.stdout)

# A session without keepalive that read its reply and then closes,
# however abruptly, has the item: nothing it read comes back.
mc("put", "Q", "plain")
c = Conn(sock)
r = c.call("get", "Q")
c.s.close()
time.sleep(0.5)
report(r.get("result") == {"value": "plain"} and stat("Q").get("qsize") == 0,
       "a session without keepalive keeps what it read", r)

# A clean close after reading counts as acknowledging everything.
mc("put", "Q", "clean")
g = mc("--keepalive", "1", "get", "Q")
report(g.returncode == 0 and g.stdout.strip() == "clean", "mgrctl with keepalive gets the item", g)
c = Conn(sock)
c.call("keepalive", interval=1)
mc("put", "Q", "eof")
r = c.call("get", "Q")
c.s.shutdown(1)     # end of file, without an acknowledgement
report(c.closed(), "the manager closes after the clean end")
time.sleep(0.5)
report(stat("Q").get("qsize") == 0, "neither a clean mgrctl get nor a clean close duplicates an item")

# Bad arguments.
c = Conn(sock)
for bad in (0, 3601, "x"):
    r = c.call("keepalive", interval=bad)
    report(r.get("error") == "EINVAL", "keepalive interval %r is EINVAL" % (bad,), r)
c.close()
EOF
tap_report "$TMP/py.out"
t_true "mgrd logs the items that went back" grep -q "not acknowledged: put back" "$TMP/mgrd.log"
t_ok "mgrd is still up" alive "$MGRD_PID"
finish
