#!/usr/bin/env bash
# A lock holder killed with SIGKILL, and the command it runs, gives the
# lock up: the manager releases what a session held when its connection
# ends (while the command lives it holds the connection: see
# integ_lockcmd.sh).  A waiter killed while it waits takes nothing with it.
. "$(dirname "$0")/lib.sh"

# Track the command a holder runs, so that it does not outlive the test
# (its mgrctl is killed without the chance to end it).
track_child() {
	local i c
	for ((i = 0; i < 100; i++)); do
		c=$(pgrep -P "$1") && { bg $c; return 0; }
		sleep 0.02
	done
}

start_mgrd
t_ok "create the lock" mc new lock L

# The holder runs a command that never ends by itself.
"$MGRCTL" lock L -- sleep 1000 >"$TMP/holder.out" 2>&1 &
holder=$!
bg "$holder"
t_true "the holder takes the lock" wait_stat L 'v["locked"] is True'
track_child "$holder"

# The waiter blocks behind it; --timeout is only a guard against a hang.
"$MGRCTL" --timeout 120 lock L -- true >"$TMP/waiter.out" 2>&1 &
waiter=$!
bg "$waiter"
t_true "the waiter is parked" wait_stat L 'v["waiters"] == 1'

kill9 "$holder" $(pgrep -P "$holder")
wait "$waiter"
t_true "after SIGKILL of the holder and its command the waiter gets the lock and runs" \
	test $? = 0
t_out "false" "the lock is free again" mc locked L

# A waiter killed while parked: the lock it waited for stays with its
# holder, and once that lets go, nobody holds it.
"$MGRCTL" lock L -- sleep 1000 >"$TMP/holder2.out" 2>&1 &
holder=$!
bg "$holder"
t_true "a second holder takes the lock" wait_stat L 'v["locked"] is True'
track_child "$holder"
"$MGRCTL" --timeout 120 lock L -- true >/dev/null 2>&1 &
doomed=$!
bg "$doomed"
t_true "a waiter is parked" wait_stat L 'v["waiters"] == 1'
kill9 "$doomed"
t_true "the killed waiter is no longer parked" wait_stat L 'v["waiters"] == 0'
t_out "true" "the lock is still held by its holder" mc locked L
kill9 $(pgrep -P "$holder") "$holder"
t_true "once the holder is gone the lock is free" wait_stat L 'v["locked"] is False'
t_ok "and another process takes it at once" mc --timeout 120 lock L -- true

# The same for a semaphore unit held by a killed process.
t_ok "create a semaphore of 1" mc new semaphore S 1
"$MGRCTL" lock S -- sleep 1000 >/dev/null 2>&1 &
holder=$!
bg "$holder"
t_true "the holder takes the unit" wait_stat S 'v["value"] == 0'
track_child "$holder"
kill9 "$holder" $(pgrep -P "$holder")
t_true "SIGKILL of the holder and its command gives the unit back" wait_stat S 'v["value"] == 1'

# An RLock held at two levels goes back whole.
t_ok "create an rlock" mc new rlock R
mkfifo "$TMP/hold"
"$MGRCTL" batch <"$TMP/hold" >/dev/null 2>&1 &
holder=$!
bg "$holder"
exec {hold}>"$TMP/hold"
printf '%s\n' "acquire R" "acquire R" >&"$hold"
t_true "a batch session holds it at two levels" wait_stat R 'v["count"] == 2'
kill9 "$holder"
exec {hold}>&-
t_true "SIGKILL of the session releases every level" wait_stat R 'v["locked"] is False'

# A getter killed while parked takes no item with it.
t_ok "create a queue" mc new queue Q
"$MGRCTL" --timeout 120 get Q >/dev/null 2>&1 &
getter=$!
bg "$getter"
t_true "a getter parks" wait_stat Q 'v["getters"] == 1'
kill9 "$getter"
t_true "the killed getter is no longer parked" wait_stat Q 'v["getters"] == 0'
t_ok "put an item" mc put Q kept
t_out 1 "the item stays in the queue" mc qsize Q
t_out kept "and the next get has it" mc get Q

# A barrier waiter killed while waiting leaves without breaking it.
t_ok "create a barrier of 2" mc new barrier B 2
"$MGRCTL" --timeout 120 wait B >/dev/null 2>&1 &
waiter=$!
bg "$waiter"
t_true "a waiter arrives" wait_stat B 'v["n_waiting"] == 1'
kill9 "$waiter"
t_true "the killed waiter leaves" wait_stat B 'v["n_waiting"] == 0'
t_out false "and the barrier is not broken" mc broken B
"$MGRCTL" --timeout 120 wait B >/dev/null 2>&1 &
waiter=$!
bg "$waiter"
t_ok "two live parties still pass it" mc --timeout 120 wait B
wait "$waiter"
t_true "both of them" test $? = 0
t_true "mgrd is still running" alive "$MGRD_PID"
finish
