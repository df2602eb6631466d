#!/usr/bin/env bash
# ssh: addresses through a real sshd of our own on the loopback: mgrctl
# runs ssh, ssh runs "mgrd --relay" on the far side, and the relay joins
# the stream to a manager there.  Every kind of object over it; the relay
# starting a manager on the host's default socket when none answers (one
# only, when several start at once) that outlives the session; a session
# that ends with its client; the terminal's Ctrl-C not cutting the link;
# clear errors for a bad address on the host and for ssh failing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sshd.sh"

unset MGRFS_AUTHKEY_FILE MGRFS_ADDR

# The far side's default socket, as its user's environment would name it
# (there XDG_RUNTIME_DIR would, through PAM; this sshd has no PAM).
remote=$TMP/remote/sock
start_sshd "$TMP/ssh" "SetEnv MGRFS_SOCKET=$remote"
case $? in
0) ;;
77) echo "1..0 # SKIP sshd or ssh is not installed"; exit 77 ;;
*) bail "the private sshd did not start" ;;
esac
bg "$SSHD_PID"
opts=port=$SSHD_PORT,$SSH_OPTS,mgrd=$MGRD

# Managers started by relays are found by their socket, to be stopped at
# the end; they detach, so the shell does not know them.
relay_managers() {
	local p
	for p in $(pgrep -f -- "^$MGRD -d$"); do
		tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qxF "MGRFS_SOCKET=$remote" &&
			echo "$p"
	done
}
trap 'kill $(relay_managers) 2>/dev/null; _cleanup' EXIT

# A manager here, reached through the host's relay by its address.
start_mgrd
addr=ssh:127.0.0.1:unix:$TMP/sock
ms() {
	"$MGRCTL" -o "$opts" -c "$addr" "$@"
}

t_out pong "ping over ssh to an address on the host" ms ping
# Every type in one session (each ssh login takes a while), then what
# must fail or outlast a session on its own.
cat >"$TMP/batch" <<'EOF'
new namespace t
set t/v '{"x": 1}'
get t/v
new dict t/d a=1 b=2
items t/d
new list t/l 1 2
append t/l 3
get t/l
new array t/a -t i 4 5
getitem t/a 1
new queue t/q
put t/q item
qsize t/q
get t/q
new lock t/L
acquire t/L
locked t/L
release t/L
new rlock t/R
acquire t/R
acquire t/R
release t/R
release t/R
new semaphore t/S 1
acquire t/S
release t/S
new bsemaphore t/B 1
new event t/E
event-set t/E
wait t/E
new condition t/C
notify t/C
new barrier t/Bar 1
wait t/Bar
EOF
t_out "$(printf '{"x":1}\na\t1\nb\t2\n1\n2\n3\n5\n1\nitem\ntrue\n0')" \
	"every type's operations in one session over ssh" ms batch <"$TMP/batch"
t_out '{"x":1}' "the values are in the manager the address names" mc get t/v
t_rc 3 "queue get --nowait on an empty queue" ms get --nowait t/q
t_err 1 EOVERFLOW "bsemaphore over-release" ms release t/B
t_rc 3 "condition wait times out" ms wait --timeout 0.1 t/C
t_ok "lock held around a command" ms lock t/L -- true
t_json 'v["v"] == {"x": 1} and v["Bar"]["$type"] == "barrier" and v["q"]["$queue"] == []' \
	"dump" ms dump t

# Large data both ways, byte for byte.
head -c 3000000 /dev/urandom >"$TMP/big"
t_ok "3 MB of bytes up" ms --bytes set t/big - <"$TMP/big"
t_true "and the same 3 MB down" cmp -s "$TMP/big" <(ms get t/big)

# A lock held over ssh blocks a local client; when the holding client is
# killed, its ssh ends, the session with it, and the lock is free again.
mkfifo "$TMP/held"
"$MGRCTL" -o "$opts" -c "$addr" lock t/L -- sh -c 'echo held > "$1"; exec sleep 600' sh "$TMP/held" 2>/dev/null &
holder=$!
bg "$holder"
read -r _ <"$TMP/held"
t_rc 3 "a lock held over ssh is held for local clients too" mc acquire --nowait t/L
link=$(pgrep -P "$holder" -x ssh)
# The command under the lock is the holder's other child.
others=$(pgrep -P "$holder" | grep -vx "${link:-none}")
kill9 "$holder"
kill -KILL $others 2>/dev/null
for ((i = 0; i < 400; i++)); do
	[[ -n $link ]] && kill -0 "$link" 2>/dev/null || break
	sleep 0.05
done
t_true "ssh ends when its client is killed" test -n "$link" -a "$i" -lt 400
t_ok "and the manager released the lock within 20 s" mc --timeout 20 lock t/L -- true

# The terminal's Ctrl-C reaches the whole foreground job; ssh must not
# die of it while its client lives on.
"$MGRCTL" -o "$opts" -c "$addr" --timeout 60 get t/q >"$TMP/waiter.out" 2>&1 &
waiter=$!
bg "$waiter"
wait_stat t/q 'v["getters"] == 1' || bail "the client over ssh did not start waiting"
link=$(pgrep -P "$waiter" -x ssh)
kill -INT "$link" 2>/dev/null
# A dying ssh would be gone at once; a short look is enough to see it.
sleep 0.5
t_true "ssh ignores SIGINT" kill -0 "$link"
mc put t/q after-ctrl-c
wait "$waiter"
rc=$?
t_true "and the waiting client gets its item over the same link" \
	test "$rc" = 0 -a "$(cat "$TMP/waiter.out")" = after-ctrl-c

# The host's default socket: no manager answers there, so the relay starts
# one.  Several clients at once: one manager, and every client served.
for i in 1 2 3 4; do
	spawn -o "$TMP/race.$i" "$MGRCTL" -o "$opts" -c ssh:127.0.0.1 set "r$i" "$i"
done
wait_spawned
t_true "four clients at once on a host with no manager all succeed" test "$FAILED" = 0
managers=$(relay_managers | wc -l)
t_true "and exactly one manager was started for them ($managers)" test "$managers" = 1
t_out "$(printf '1\n2\n3\n4')" "it holds what each of them set" \
	sh -c 'for i in 1 2 3 4; do "$1" -c "unix:$2" get r$i; done' sh "$MGRCTL" "$remote"
t_out 4 "it outlives the ssh sessions and serves the next one" \
	"$MGRCTL" -o "$opts" -c ssh:127.0.0.1 get r4
t_out pong "user@host works too" "$MGRCTL" -o "$opts" -c "ssh:$(id -un)@127.0.0.1" ping

# A TCP manager with a key, on the host: the handshake is end to end, the
# relay only carries it.
port=$(free_port)
(umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$TMP/key")
(umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$TMP/wrong")
"$MGRD" -l "tcp:127.0.0.1:$port" --authkey-file "$TMP/key" 2>>"$TMP/mgrd.log" &
tcpd=$!
bg "$tcpd"
wait_ping "$tcpd" -c "tcp:127.0.0.1:$port" --authkey-file "$TMP/key" || bail "the TCP manager did not answer"
t_out pong "a TCP manager with a key, through ssh" \
	"$MGRCTL" -o "$opts" -c "ssh:127.0.0.1:tcp:127.0.0.1:$port" --authkey-file "$TMP/key" ping
t_err 1 'EACCES|uthenticat' "a wrong key through ssh is refused" \
	"$MGRCTL" -o "$opts" -c "ssh:127.0.0.1:tcp:127.0.0.1:$port" --authkey-file "$TMP/wrong" ping
t_true "and the manager logs the refusal with the peer's address" \
	grep -Eq 'authentication failed from 127\.0\.0\.1:[0-9]+' "$TMP/mgrd.log"
# A key says the manager must prove it holds it, through ssh too: one
# that asks for none is refused, and is sent nothing.
t_err 1 'did not ask for the authentication key' \
	"a key through ssh to a manager that asks for none is refused" \
	"$MGRCTL" -o "$opts" -c "$addr" --authkey-file "$TMP/key" set t/secret 1
t_err 1 ENOENT "and nothing was set in it" mc get t/secret

# Errors.
t_err 1 'relay: bogus: not an address' "a bad address on the host is named" \
	timeout 120 "$MGRCTL" -o "$opts" -c ssh:127.0.0.1:bogus ping
t_err 1 "cannot connect to unix:$TMP/none" "a manager missing on the host is named" \
	timeout 120 "$MGRCTL" -o "$opts" -c "ssh:127.0.0.1:unix:$TMP/none" ping
t_err 1 'mgrd: (command )?not found|No such file' "a missing mgrd on the host is reported" \
	timeout 120 "$MGRCTL" -o "mgrd=$TMP/no-mgrd,$opts" -c ssh:127.0.0.1 ping
closed=$(free_port)
t_err 1 "port $closed: Connection refused" "ssh failing says why and exits, without hanging" \
	timeout 120 "$MGRCTL" -o "port=$closed,$opts" -c ssh:127.0.0.1 ping
t_true "and the client says that ssh exited" grep -q 'status 255' <<<"$ERR"
t_err 1 'no-such-ssh: command not found' "a missing ssh command is named" \
	"$MGRCTL" -o "$opts,ssh_command=no-such-ssh -v" -c ssh:127.0.0.1 ping
t_err 2 'port= takes a number' "a bad port is a usage error" \
	"$MGRCTL" -o port=http -c ssh:127.0.0.1 ping
t_err 2 'KEY=VALUE' "an option without a value is a usage error" \
	"$MGRCTL" -o BatchMode -c ssh:127.0.0.1 ping
t_err 2 '-o is for ssh: addresses' "-o with another address is a usage error" \
	"$MGRCTL" -o "$opts" -c "unix:$TMP/sock" ping
finish
