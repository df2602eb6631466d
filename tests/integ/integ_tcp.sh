#!/usr/bin/env bash
# A manager on TCP with an authentication key: mgrctl with the right key
# works for every type; a wrong key and a missing key are refused with a
# clear error and the manager carries on.  The same key on a unix socket,
# and the stdio transport (exec:"mgrd --stdio").
. "$(dirname "$0")/lib.sh"

unset MGRFS_AUTHKEY_FILE MGRFS_ADDR

# Keys readable by their owner only, as mgrd asks.
(
	umask 077
	head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$TMP/key"
	head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$TMP/wrong"
)

# A TCP listener without a key is refused at start.
port=$(free_port)
run timeout 20 "$MGRD" -l "tcp:127.0.0.1:$port"
if [[ $RC != 0 && $RC != 124 ]] && grep -qi key <<<"$ERR"; then
	ok "mgrd refuses TCP without a key, and says so"
else
	not_ok "mgrd refuses TCP without a key, and says so"
	_show mgrd -l "tcp:127.0.0.1:$port"
fi

port=$(free_port)
addr=tcp:127.0.0.1:$port
"$MGRD" -l "$addr" --authkey-file "$TMP/key" 2>>"$TMP/mgrd.log" &
MGRD_PID=$!
wait_ping "$MGRD_PID" -c "$addr" --authkey-file "$TMP/key" || bail "mgrd on $addr did not answer"

mt() {
	"$MGRCTL" -c "$addr" --authkey-file "$TMP/key" "$@"
}

t_out pong "ping with the right key" mt ping
t_out pong "the key file from MGRFS_AUTHKEY_FILE" \
	env MGRFS_AUTHKEY_FILE="$TMP/key" "$MGRCTL" -c "$addr" ping

# Every type over TCP.
t_ok "namespace" mt new namespace t
t_ok "value set" mt set t/v '{"x": 1}'
t_out '{"x":1}' "value get" mt get t/v
t_ok "dict" mt new dict t/d a=1 b=2
t_out "$(printf 'a\t1\nb\t2')" "dict items" mt items t/d
t_ok "list" mt new list t/l 1 2
t_ok "list append" mt append t/l 3
t_out "$(printf '1\n2\n3')" "list get" mt get t/l
t_ok "array" mt new array t/a -t i 4 5
t_out 5 "array getitem" mt getitem t/a 1
t_ok "queue" mt new queue t/q
t_ok "queue put" mt put t/q item
t_out item "queue get" mt get t/q
t_ok "lock" mt new lock t/L
t_ok "lock held around a command" mt lock t/L -- true
t_ok "rlock" mt new rlock t/R
t_ok "rlock acquired twice, released twice" \
	sh -c 'printf "%s\n" "acquire t/R" "acquire t/R" "release t/R" "release t/R" |
		"$MGRCTL" -c "$1" --authkey-file "$2" batch' sh "$addr" "$TMP/key"
t_ok "semaphore" mt new semaphore t/S 1
t_ok "semaphore unit held around a command" mt lock t/S -- true
t_ok "bsemaphore" mt new bsemaphore t/B 1
t_err 1 EOVERFLOW "bsemaphore over-release" mt release t/B
t_ok "event" mt new event t/E
t_ok "event set" mt event-set t/E
t_out true "event wait returns the flag" mt --json wait t/E
t_ok "condition" mt new condition t/C
t_ok "condition notify" mt notify t/C
t_rc 3 "condition wait times out" mt --timeout 0.1 wait t/C
t_ok "barrier" mt new barrier t/Bar 1
t_out 0 "barrier wait" mt wait t/Bar
t_json 'v["v"] == {"x": 1} and v["q"]["$queue"] == [] and v["Bar"]["$type"] == "barrier"' \
	"dump" mt dump t

# Refusals.
t_err 1 'EACCES|uthenticat' "a wrong key is refused with a clear error" \
	"$MGRCTL" -c "$addr" --authkey-file "$TMP/wrong" ping
t_err 1 'key|EACCES|uthenticat' "a missing key is refused with a clear error" \
	"$MGRCTL" -c "$addr" ping
t_err 1 'EACCES|uthenticat' "a wrong key cannot change anything" \
	"$MGRCTL" -c "$addr" --authkey-file "$TMP/wrong" set t/v 666
t_true "the manager logs the refusal with the peer's address" \
	grep -q '127\.0\.0\.1' "$TMP/mgrd.log"

# The handshake itself, byte by byte.
PYTHONPATH=$(dirname "$0") "$PYTHON" - "$port" "$TMP/key" >"$TMP/py.out" 2>&1 <<'EOF'
import re, sys
from rawclient import Conn

port, key = int(sys.argv[1]), open(sys.argv[2], "rb").read().rstrip(b"\n")
addr = ("127.0.0.1", port)

def report(good, desc, detail=""):
    print(("PASS " if good else "FAIL ") + desc + ("" if good else ": " + str(detail)), flush=True)

c = Conn(tcp=addr)
h = c.hello
report(h.get("hello") == "mgrd" and h.get("protocol") == 1 and h.get("auth") == "hmac-sha256"
       and re.fullmatch("[0-9a-f]{64}", h.get("challenge", "")) is not None,
       "the hello asks for HMAC-SHA256 with a 64-hex challenge", h)
r = c.call("ping")
report(r.get("error") == "EACCES", "a request before authentication gets EACCES", r)
report(c.closed(), "and the connection is closed")

c = Conn(tcp=addr)
report(c.hello["challenge"] != h["challenge"], "each connection gets a fresh challenge")
r = c.authenticate(key, wrong=True)
report(r.get("error") == "EACCES", "a wrong response gets EACCES", r)
report(c.closed(), "and the connection is closed")

c = Conn(tcp=addr)
try:
    r = c.authenticate(key)
    report(r.get("welcome") is True, "the right response is welcomed, with a valid server response", r)
    r = c.call("ping")
    report(r.get("result") == "pong", "and requests are served", r)
except Exception as e:
    report(False, "the right response is welcomed, with a valid server response", repr(e))
EOF
rc=$?
tap_report "$TMP/py.out"
t_true "the handshake checks ran to the end" test "$rc" = 0

t_out '{"x":1}' "after the refusals the data is intact" mt get t/v
t_true "and the manager is still running" alive "$MGRD_PID"

# A key on a unix socket.
"$MGRD" -l "unix:$TMP/keyed" --authkey-file "$TMP/key" 2>>"$TMP/mgrd.log" &
keyed=$!
bg "$keyed"
wait_ping "$keyed" -c "unix:$TMP/keyed" --authkey-file "$TMP/key" || bail "keyed unix mgrd did not answer"
t_err 1 'key|EACCES|uthenticat' "a unix socket with a key refuses a client without it" \
	"$MGRCTL" -c "unix:$TMP/keyed" ping
t_out pong "and serves one with it" "$MGRCTL" -c "unix:$TMP/keyed" --authkey-file "$TMP/key" ping

# The stdio transport: each mgrctl runs its own mgrd for one session.
t_out pong "exec:\"mgrd --stdio\" answers" "$MGRCTL" -c "exec:$MGRD --stdio" ping
t_out "$(printf 'a\n1\nb')" "a whole session over stdio" sh -c '
	printf "%s\n" "new queue q" "put q a" "put q b" "get q" "qsize q" "get q" |
		"$MGRCTL" -c "exec:$1 --stdio" batch' sh "$MGRD"
t_err 1 ENOENT "the state ended with that session" "$MGRCTL" -c "exec:$MGRD --stdio" get q
finish
