#!/usr/bin/env bash
# Nothing handed out is lost, on any transport, keepalive or not: an item
# handed to a getter that dies before reading it goes back to its queue.
# A client that acknowledges (mgrctl, mgrfs) gets back at its end what it
# had not acknowledged; one that never does is taken to have read the
# replies written before each request it sends, and at a clean end of
# file all of them; an end by error (a reset) gives back the rest.
. "$(dirname "$0")/lib.sh"

unset MGRFS_ADDR
(umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$TMP/key")
# One manager on both transports; the key is asked on both.
export MGRFS_AUTHKEY_FILE=$TMP/key
port=$(free_port)
tcp=tcp:127.0.0.1:$port
start_mgrd -l "unix:$MGRFS_SOCKET" -l "$tcp" --authkey-file "$TMP/key"

# wait_qsize N: until Q holds N items; a guard of some 20 s, not a measure.
wait_qsize() {
	local i
	for ((i = 0; i < 200; i++)); do
		[[ $(mc qsize Q 2>/dev/null) == "$1" ]] && return 0
		sleep 0.1
	done
	return 1
}

# dying_getter DESC MGRCTL-ARGS...: a get parked on an empty queue is
# frozen (SIGSTOP), an item is put (handed to it and written to its
# socket, where it stays unread) and the getter is killed: the item must
# come back.
dying_getter() {
	local desc=$1 getter
	shift
	mc new queue Q >/dev/null
	"$MGRCTL" "$@" get Q >"$TMP/getter.out" 2>&1 &
	getter=$!
	bg "$getter"
	wait_stat Q 'v["getters"] == 1' || bail "$desc: the get is not parked"
	kill -STOP "$getter"
	t_ok "$desc: another client puts an item" mc put Q item
	t_true "$desc: it is handed to the frozen getter" wait_stat Q 'v["qsize"] == 0 and v["getters"] == 0'
	kill9 "$getter"
	t_true "$desc: killed, the getter's item goes back to the queue" wait_qsize 1
	t_out item "$desc: and is there to take" mc --timeout 10 get Q
	t_out 0 "$desc: once" mc qsize Q
	mc rm Q
}

dying_getter "unix socket"
dying_getter "tcp" -c "$tcp"
dying_getter "tcp without keepalive" -c "$tcp" --keepalive 0

# mgrctl acknowledges: a batch killed after two gets has acknowledged the
# first (with its second request) but not the second, which comes back;
# a batch that ends has acknowledged both.
mc new queue Q >/dev/null
mc put Q one && mc put Q two
mkfifo "$TMP/batch.in"
"$MGRCTL" batch <"$TMP/batch.in" >"$TMP/batch.out" 2>&1 &
batch=$!
bg "$batch"
exec 3>"$TMP/batch.in"
echo "get Q" >&3
echo "get Q" >&3
for ((i = 0; i < 400; i++)); do
	[[ $(wc -l <"$TMP/batch.out") == 2 ]] && break
	sleep 0.05
done
t_true "a batch takes two items" test "$(cat "$TMP/batch.out")" = $'one\ntwo'
kill9 "$batch"
exec 3>&-
t_true "a killed batch gives back the item it had not acknowledged" wait_qsize 1
t_out two "the second one" mc --timeout 10 get Q
mc put Q three && mc put Q four
t_out $'three\nfour' "a batch that ends takes its items" "$MGRCTL" batch < <(printf 'get Q\nget Q\n')
t_out 0 "and gives none back" mc qsize Q

# Raw clients, which follow mgrfs(7) alone.
PYTHONPATH=$(dirname "$0") "$PYTHON" - "$MGRFS_SOCKET" "$MGRCTL" "$TMP/key" >"$TMP/py.out" 2>&1 <<'EOF'
import json, subprocess, sys, time
from rawclient import Conn, report

sock, mgrctl, key = sys.argv[1], sys.argv[2], open(sys.argv[3], "rb").read().rstrip(b"\n")

def mc(*args):
    return subprocess.run([mgrctl] + list(args), capture_output=True, text=True)

def until(pred):
    for _ in range(100):
        if pred():
            return True
        time.sleep(0.05)
    return False

def size():
    return int(mc("qsize", "Q").stdout)

# A client that never acknowledges: its second request acknowledges the
# first reply; it ends by a reset (it closes with the second reply
# unread), which gives back the second item.
mc("put", "Q", "a"); mc("put", "Q", "b")
c = Conn(sock, key=key)
ra = c.call("get", "Q")
c.send({"id": 50, "op": "get", "path": "Q"})
report(until(lambda: size() == 0), "a raw client takes an item, and asks for another")
time.sleep(0.5)         # the reply waits unread in its socket
c.s.close()
report(ra.get("result") == {"value": "a"} and until(lambda: size() == 1),
       "closed by a reset, it gives back the item in the reply it did not read")
g = mc("--timeout", "10", "get", "Q")
report(g.stdout.strip() == "b" and size() == 0, "which is the second, once", g.stdout)

# The same client closing cleanly after reading keeps what it read.
mc("put", "Q", "c")
c = Conn(sock, key=key)
r = c.call("get", "Q")
c.s.shutdown(1)
report(c.closed() and r.get("result") == {"value": "c"}, "a raw client reads an item and closes")
time.sleep(0.5)
report(size() == 0, "a clean end of file acknowledges what it was sent")

# A client that acknowledges is held to it: at its end, even a clean
# one, what it did not acknowledge goes back.
mc("put", "Q", "d"); mc("put", "Q", "e")
c = Conn(sock, key=key)
c.ack()
rd = c.call("get", "Q")
c.ack()
re = c.call("get", "Q")
c.s.shutdown(1)
report(c.closed() and rd.get("result") == {"value": "d"} and re.get("result") == {"value": "e"},
       "an acknowledging client takes two items and acknowledges the first")
report(until(lambda: size() == 1), "its clean end gives back the one it did not acknowledge")
g = mc("--timeout", "10", "get", "Q")
report(g.stdout.strip() == "e", "which is the second", g.stdout)

# An acknowledgement may ride on a request.
mc("put", "Q", "f"); mc("put", "Q", "g")
c = Conn(sock, key=key)
r1 = c.call("get", "Q")
c.send({"id": 77, "op": "get", "path": "Q", "ack": c.frames})
r2 = c.recv()
c.s.shutdown(1)
report(c.closed() and r2.get("result") == {"value": "g"}, "a request carries an acknowledgement", r2)
report(until(lambda: size() == 1) and mc("--timeout", "10", "get", "Q").stdout.strip() == "g",
       "what it acknowledged stays taken, the rest comes back")
c = Conn(sock, key=key)
r = c.call("ping", ack="x")
report(r.get("id") == c.next_id - 1 and r.get("error") == "EINVAL",
       "a request with a bad acknowledgement is refused under its id", r)
EOF
tap_report "$TMP/py.out"
t_true "mgrd logs the items that went back" grep -q "not acknowledged: put back" "$TMP/mgrd.log"
t_ok "mgrd is still up" alive "$MGRD_PID"
kill9 "$MGRD_PID"
finish
