#!/usr/bin/env bash
# One authenticated client cannot stall or swamp everyone else: what one
# request may build is bounded (ENOSPC), the largest list allowed sorts
# while other clients' keepalive links live, memory freed goes back to the
# system, a session's subscriptions are bounded, frames in transit over
# all connections have a budget (ENOMEM past it), and --max-memory bounds
# the data stored (ENOSPC) without losing any of it.
. "$(dirname "$0")/lib.sh"

# meson fills every block malloc gives and takes back with a pattern
# (MALLOC_PERTURB_), which makes the million-item requests here cost
# minutes instead of seconds; the other tests keep it.
unset MALLOC_PERTURB_

# py ARGS...: a Python check script on stdin, run with rawclient, the
# manager's socket and pid, then ARGS; its checks become TAP lines.
py() {
	PYTHONPATH=$(dirname "$0") "$PYTHON" - "$MGRFS_SOCKET" "$MGRD_PID" "$@" \
		>"$TMP/py.out" 2>&1
	tap_report "$TMP/py.out"
}

# A fresh manager on the default socket for each part, so that one part's
# peak memory is not another's.
restart_mgrd() {
	[[ -n $MGRD_PID ]] && kill9 "$MGRD_PID"
	start_mgrd "$@"
}

# (a) What one request may build: imul, extend and put_many past the
# items a list or queue may hold fail at once and change nothing.
restart_mgrd
t_ok "create a list" mc new list L
t_ok "of 40 items" mc extend L $(seq 1 40)
t_err 1 'ENOSPC' "imul to 4 million items is refused with ENOSPC" mc imul L 100000
t_out 40 "and the list is as it was" mc len L
py <<'EOF'
import sys
from rawclient import Conn, report, vm_mib

c = Conn(sys.argv[1], timeout=120)
r = c.call("extend", "L", items=[1] * 1100000)
report(r.get("error") == "ENOSPC", "extend by 1.1 million items is refused with ENOSPC", r)
c.call("create", "Q", type="queue")
r = c.call("put_many", "Q", items=[{"value": 1}] * 1100000)
report(r.get("error") == "ENOSPC", "put_many of 1.1 million items is refused with ENOSPC", r)
report(c.call("len", "L").get("result") == 40 and c.call("qsize", "Q").get("result") == 0,
       "and neither changed anything")
EOF

# (b) The largest list allowed, of items that cost the most to compare
# (arrays equal but for their last element), sorts while another client
# waits with keepalives of 10 s: its link lives (the manager's silence
# would end it after 30 s).
t_ok "create an event" mc new event E
py <<'EOF'
import random, sys
from rawclient import Conn, report, vm_mib

c = Conn(sys.argv[1], timeout=120)
c.call("create", "S", type="list")
n = 1 << 20
random.seed(7)
for i in range(0, n, 65536):
    r = c.call("extend", "S", items=[[0, 0, 0, 0, 0, 0, 0, random.randrange(1 << 30)]
                                    for _ in range(65536)])
    if "error" in r:
        report(False, "build a list of %d items" % n, r)
        sys.exit()
report(c.call("len", "S").get("result") == n, "a list of %d arrays is built" % n)
r = c.call("extend", "S", items=[1])
report(r.get("error") == "ENOSPC", "and it takes no more", r)
EOF
"$MGRCTL" --keepalive 10 --timeout 300 wait E >"$TMP/waiter.out" 2>&1 &
waiter=$!
bg "$waiter"
wait_stat E 'v["waiters"] == 1' || bail "the keepalive waiter is not parked"
py <<'EOF'
import sys
from rawclient import Conn, report, vm_mib

# The bound is a guard against a hang: the sort must end, and the waiter
# below says whether it ended in time for the others.
c = Conn(sys.argv[1], timeout=300)
r = c.call("sort", "S")
report("result" in r, "the largest list allowed sorts", r)
a = c.call("getitem", "S", index=0).get("result", {}).get("value")
b = c.call("getitem", "S", index=1).get("result", {}).get("value")
report(a is not None and b is not None and a <= b, "in order", (a, b))
EOF
t_ok "set the event" mc event-set E
wait "$waiter"
rc=$?
t_true "a client with keepalives waiting meanwhile kept its link (status $rc: $(head -c 200 "$TMP/waiter.out"))" \
	test "$rc" = 0

# (c) A big list deleted gives its memory back to the system.
restart_mgrd
py <<'EOF'
import sys, time
from rawclient import Conn, report, vm_mib
pid = int(sys.argv[2])

c = Conn(sys.argv[1], timeout=120)
c.call("create", "B", type="list")
item = "x" * 200
for _ in range(16):
    r = c.call("extend", "B", items=[item] * 65536)
report("result" in r, "a list of a million 200-byte items", r)
full = vm_mib(pid, "VmRSS")
report(full > 200, "takes the manager over 200 MiB", full)
c.call("delete", "B")
c.call("ping")
after = vm_mib(pid, "VmRSS")
report(after < full / 2, "deleted, it leaves the manager less than half as big (%d MiB of %d)"
       % (after, full), after)
EOF

# (d) A session may have MGR_SUBS_MAX subscriptions.
py <<'EOF'
import json, struct, sys
from rawclient import Conn, report, vm_mib

c = Conn(sys.argv[1])
errors = [r for r in (c.call("subscribe", "p%d" % i) for i in range(1100)) if "error" in r]
report(len(errors) == 1100 - 1024, "of 1100 subscriptions 1024 are taken", len(errors))
report(errors and errors[0]["error"] == "ENOSPC" and "1024" in errors[0]["message"],
       "the others fail with ENOSPC, saying why", errors[:1])
# Matching by path still finds every subscription a change concerns, and
# only those.
d = Conn(sys.argv[1])
subs = {}
for path, rec in (("", True), ("m", True), ("m/n", False), ("m/n/o", True), ("m/nn", True),
                  ("x", True)):
    subs[d.call("subscribe", path, recursive=rec)["result"]["sub"]] = path
d.call("create", "m", type="dict")
d.send({"id": 999, "op": "set", "path": "m/n", "value": 1})
events = []
while True:
    (n,) = struct.unpack(">I", d._recvn(4))
    msg = json.loads(d._recvn(n))
    if msg.get("id") == 999:
        break
    if msg.get("path") == "m/n":
        events.append(subs[msg["sub"]])
report(sorted(events) == ["", "m", "m/n"],
       "a change to m/n reaches the subscriptions to '', m and m/n only", events)
EOF

# (e) Frames in transit: twenty connections each in the middle of a
# frame of 16 MiB cannot make the manager hold them all.
restart_mgrd
py <<'EOF'
import json, socket, struct, sys
from rawclient import report, vm_mib
pid = int(sys.argv[2])

size = 16 << 20
chunk = b"x" * (1 << 20)
conns = []
for _ in range(20):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(120)
    s.connect(sys.argv[1])
    s.sendall(struct.pack(">I", size))
    for _ in range(15):
        s.sendall(chunk)
    conns.append(s)
# A refused connection gets an error after the hello, then the end; the
# others get the hello and nothing more.
refused = []
for s in conns:
    s.settimeout(1)
    buf = b""
    try:
        while True:
            data = s.recv(65536)
            if not data:
                break
            buf += data
    except socket.timeout:
        pass
    while len(buf) >= 4 and len(buf) >= 4 + struct.unpack(">I", buf[:4])[0]:
        n = struct.unpack(">I", buf[:4])[0]
        f = json.loads(buf[4:4 + n])
        buf = buf[4 + n:]
        if "error" in f:
            refused.append(f)
hw = vm_mib(pid, "VmHWM")
report(hw < 200, "20 frames of 16 MiB in transit keep the manager under 200 MiB (peak %d MiB)" % hw, hw)
report(refused and all(f["error"] == "ENOMEM" for f in refused),
       "those beyond the budget are refused with ENOMEM (%d)" % len(refused), refused[:1])
for s in conns:
    s.close()
EOF
t_out pong "the manager still serves" mc ping

# (f) --max-memory: data past it is refused with ENOSPC, nothing stored
# is lost, and deleting makes room.
restart_mgrd --max-memory 4M
value=$(head -c 120000 /dev/zero | tr '\0' x)
n=0
while ((n < 60)) && mc set "v$n" "$value" 2>"$TMP/set.err"; do
	n=$((n + 1))
done
t_true "values of 120 kB fill 4 MiB after about 34 ($n)" test "$n" -ge 30 -a "$n" -lt 36
t_true "then a set fails with ENOSPC, saying the memory is full" \
	grep -q "memory.*full.*ENOSPC" "$TMP/set.err"
t_true "every value stored before is intact" \
	test "$(mc get v0)" = "$value" -a "$(mc get "v$((n - 1))")" = "$value"
t_err 1 ENOSPC "a list past it is refused too" mc new list big "$value" "$value"
t_ok "reading still works" mc ls
t_ok "deleting works" mc rm v0 v1
t_ok "and makes room" mc set again "$value"
kill9 "$MGRD_PID"
t_err 2 "max-memory" "a bad --max-memory is a usage error" "$MGRD" --max-memory 12X
finish
