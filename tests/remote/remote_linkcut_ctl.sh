#!/usr/bin/env bash
# The link cut under mgrctl --keepalive 1 on the client host (over TCP, or
# ssh with MGR_REMOTE_TRANSPORT=ssh): a lock it holds goes to a waiter on
# the server host within the keepalive bound (3 intervals, with slack);
# the old holder's release, once its command ends, fails and takes nothing
# from the new holder; a reader cut off after the manager handed it an
# item gets the item put back in the queue; with the link back, mgrctl
# works from the client host again.
. "$(dirname "$0")/lib.sh"

if [[ $TRANSPORT == ssh ]]; then
	net_up 206
else
	net_up 205
fi
start_server
S=$TMP/srv
mount_local "$S"
# The manager ends a session silent for 3 keepalive intervals: 3 s here.
# The bound waited for adds slack for a loaded machine, and is still far
# below what TCP alone would take to notice (minutes).
KA=1
BOUND=15

mr new lock a.lock >/dev/null
mr new queue q >/dev/null

# The holder's command runs until told to stop, then mgrctl releases.
"${IN_CLI[@]}" "$MGRCTL" "${REMOTE_CTL[@]}" --keepalive $KA lock a.lock -- \
	sh -c "while [ ! -e '$TMP/holder.stop' ]; do sleep 0.1; done" \
	>"$TMP/holder.out" 2>"$TMP/holder.err" &
holder=$!
bg "$holder"
wait_for "mgrctl on the client host holds the lock" lstat_is a.lock locked true

# A reader on the client host waits on the empty queue.
"${IN_CLI[@]}" "$MGRCTL" "${REMOTE_CTL[@]}" --keepalive $KA get q \
	>"$TMP/reader.out" 2>"$TMP/reader.err" &
reader=$!
bg "$reader"
wait_for "a reader on the client host waits on the queue" lstat_is q getters 1

: >"$TMP/waiter.out"
T flock "$S/a.lock" -c "echo got >'$TMP/waiter.out'; while [ ! -e '$TMP/waiter.stop' ]; do sleep 0.1; done" &
waiter=$!
bg "$waiter"
wait_for "a waiter on the server host waits" lstat_is a.lock waiters 1

link_down
# At once, before the manager can know: the item goes to the reader, in a
# reply that the cut link never delivers.
ml put q A >/dev/null
t_out 0 "an item put just after the cut is handed to the cut-off reader" ml qsize q
wait_until $BOUND "the waiter on the server host gets the lock within the keepalive bound" \
	test -s "$TMP/waiter.out"
wait_until $BOUND "the item the reader never got goes back to the queue" lstat_is q qsize 1
# Over ssh the manager's peer is the relay on its own host.
peer=
[[ $TRANSPORT == tcp ]] && peer="$CLI_IP.*"
t_true "the manager says why it ended the session" grep -Eq "warning.*${peer}keepalive" "$TMP/mgrd.log"
wait_until $BOUND "the cut-off reader gives up" sh -c "! kill -0 $reader"
wait "$reader"
t_true "and failed" test "$?" != 0
t_true "without the item" test ! -s "$TMP/reader.out"

link_up
wait_until 30 "with the link back mgrctl works from the client host" mr ping
t_out A "the item is there for the next reader" mr get q
touch "$TMP/holder.stop"
wait "$holder"
t_true "the old holder's release fails, and says so" test -s "$TMP/holder.err"
sed 's/^/#   holder: /' "$TMP/holder.err"
t_out true "and takes nothing from the new holder" ml locked a.lock
t_rc 3 "whom mgrctl from the client host finds holding it" mr acquire -n a.lock
touch "$TMP/waiter.stop"
wait "$waiter"
t_out false "when the new holder is done the lock is free" ml locked a.lock
t_out done "and mgrctl from the client host takes it" mr lock a.lock -- echo done

umount_fs "$S"
remote_finish
