#!/usr/bin/env bash
# mgrctl lock L -- CMD holds L for as long as CMD runs, as flock(1) holds
# its lock: the command inherits the session's connection, so mgrctl
# killed with SIGKILL leaves L held until the command is gone too.  Over a
# link with keepalive, where the session of a dead mgrctl ends by the
# silence whatever the command does, the command is taken down with mgrctl
# instead.  A lock lost while the command runs (its manager died) is said
# at once, and is a failure even when the command succeeds.
. "$(dirname "$0")/lib.sh"

# wait_until CMD...: poll until CMD succeeds; the bound is a hang guard.
wait_until() {
	local i
	for ((i = 0; i < 600; i++)); do
		"$@" && return 0
		sleep 0.05
	done
	return 1
}

# gone PID: the process has ended (a zombie nobody reaped yet has).
gone() {
	! kill -0 "$1" 2>/dev/null || [[ $(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) == Z* ]]
}

# hold NAME MGRCTL-ARGS...: mgrctl lock with ARGS running a command that
# sleeps until killed; HOLDER is mgrctl's pid and CMD the command's.
hold() {
	local name=$1
	shift
	rm -f "$TMP/$name.pid"
	"$MGRCTL" "$@" -- sh -c 'echo $$ >"$1"; exec sleep 1000' sh "$TMP/$name.pid" \
		>"$TMP/$name.out" 2>&1 &
	HOLDER=$!
	bg "$HOLDER"
	wait_until test -s "$TMP/$name.pid" || bail "the command under $name never ran"
	CMD=$(<"$TMP/$name.pid")
	bg "$CMD"
}

start_mgrd
t_ok "create the lock" mc new lock L

# (1) Without keepalive (a unix socket): the lock lives with the command.
hold h1 lock L
t_true "the holder takes the lock" wait_stat L 'v["locked"] is True'
"$MGRCTL" --timeout 120 lock L -- true >"$TMP/waiter.out" 2>&1 &
waiter=$!
bg "$waiter"
t_true "a waiter parks" wait_stat L 'v["waiters"] == 1'
kill9 "$HOLDER"
t_json 'v["locked"] is True and v["waiters"] == 1' \
	"after SIGKILL of mgrctl the lock stays held while its command runs" mc --json stat L
t_true "and the waiter still waits" alive "$waiter"
kill "$CMD"
wait "$waiter"
t_true "once the command has ended too, the waiter gets the lock" test $? = 0
t_out false "and then the lock is free" mc locked L

# The same for a semaphore's unit.
t_ok "create a semaphore of 1" mc new semaphore S 1
hold h2 lock S
kill9 "$HOLDER"
t_out 0 "a unit stays taken while the command of a killed mgrctl runs" mc value S
kill "$CMD"
t_true "and comes back when it ends" wait_stat S 'v["value"] == 1'

# (2) With keepalive a dead mgrctl's session would end by the silence
# with the command still running: the command is ended with mgrctl.
hold h3 --keepalive 5 lock L
kill9 "$HOLDER"
t_true "with --keepalive, SIGKILL of mgrctl takes its command down" wait_until gone "$CMD"
t_true "and the lock is free" wait_stat L 'v["locked"] is False'

# tcp: has keepalive by default.
(umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$TMP/key")
port=$(free_port)
"$MGRD" -l "tcp:127.0.0.1:$port" --authkey-file "$TMP/key" 2>>"$TMP/mgrd.log" &
tcpd=$!
bg "$tcpd"
tcp=(-c "tcp:127.0.0.1:$port" --authkey-file "$TMP/key")
wait_ping "$tcpd" "${tcp[@]}" || bail "the TCP manager did not answer"
t_ok "create a lock over tcp:" mc "${tcp[@]}" new lock T
hold h4 "${tcp[@]}" lock T
kill9 "$HOLDER"
t_true "over tcp:, SIGKILL of mgrctl takes its command down" wait_until gone "$CMD"
t_true "and the lock is free" sh -c "'$MGRCTL' -c tcp:127.0.0.1:$port --authkey-file '$TMP/key' \
	--timeout 60 lock T -- true"

# (3) The manager dies while the command runs.
lost_lock() {
	local status=$1
	rm -f "$TMP/started" "$TMP/stop"
	"$MGRD" -l "unix:$TMP/m2" 2>>"$TMP/mgrd.log" &
	m2=$!
	bg "$m2"
	wait_ping "$m2" -c "unix:$TMP/m2" || bail "the second manager did not answer"
	mc -c "unix:$TMP/m2" new lock M >/dev/null
	"$MGRCTL" -c "unix:$TMP/m2" lock M -- sh -c \
		'touch "$1"; while [ ! -e "$2" ]; do sleep 0.05; done; exit "$3"' \
		sh "$TMP/started" "$TMP/stop" "$status" >"$TMP/lost.out" 2>"$TMP/lost.err" &
	LOSER=$!
	bg "$LOSER"
	wait_until test -e "$TMP/started" || bail "the command under M never ran"
	kill9 "$m2"
}
lost_lock 0
# The command runs on until told to stop, which is only after this.
t_true "when the manager dies, mgrctl says at once, while the command runs, that the lock is lost" \
	wait_until grep -q 'M is no longer held' "$TMP/lost.err"
touch "$TMP/stop"
wait "$LOSER"
rc=$?
t_true "and exits 1 (status $rc), though the command succeeded" test "$rc" = 1
sed 's/^/#   mgrctl: /' "$TMP/lost.err"
lost_lock 5
touch "$TMP/stop"
wait "$LOSER"
rc=$?
t_true "a command that failed keeps its status when the lock is lost too (status $rc)" \
	test "$rc" = 5
finish
