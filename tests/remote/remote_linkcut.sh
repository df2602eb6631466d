#!/usr/bin/env bash
# The link cut under a mount: mgrfs on the client host with -o
# keepalive=1,reconnect (over TCP, or ssh with MGR_REMOTE_TRANSPORT=ssh).
# While a process there holds a flock, the link goes down
# (ip link set down: packets vanish, neither end is told):
#  - the manager gives the lock to a waiter on the server host within the
#    keepalive bound (3 intervals, with slack);
#  - calls on the mount fail with ENOTCONN while the link is down;
#  - a reader blocked on a queue across the cut loses no item, not even
#    one the manager handed it in a reply that the cut swallowed;
#  - with the link back the same mount works again, and shows what
#    changed meanwhile; the old holder's next use of its lock file fails
#    with ENOLCK and takes nothing from the new holder.
. "$(dirname "$0")/lib.sh"

if [[ $TRANSPORT == ssh ]]; then
	net_up 208
else
	net_up 207
fi
start_server
S=$TMP/srv
C=$TMP/cli
mount_local "$S"
mount_remote "$C" -o keepalive=1,reconnect
# The manager ends a session silent for 3 s; the bound adds slack for a
# loaded machine and is still far below what TCP alone would take
# (minutes).
BOUND=15
dev=$(stat -c %d "$C")

mkdir "$C/locks"
echo 1 >"$C/v"
mkfifo "$C/q"

# The holder takes the lock on the client host, then waits to be told to
# use its lock file again.
cat >"$TMP/holder.py" <<'EOF'
import fcntl, os, sys, time
path, go = sys.argv[1:3]
fd = os.open(path, os.O_RDONLY | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
print("locked", flush=True)
while not os.path.exists(go):
    time.sleep(0.05)
try:
    fcntl.flock(fd, fcntl.LOCK_UN)
    print("unlock ok", flush=True)
except OSError as e:
    print("unlock", os.strerror(e.errno), flush=True)
EOF
"$PYTHON" "$TMP/holder.py" "$C/locks/a.lock" "$TMP/holder.go" >"$TMP/holder.out" 2>&1 &
holder=$!
bg "$holder"
wait_for "a process on the client host holds a.lock" grep -q locked "$TMP/holder.out"
t_out true "the manager has it held" ml locked locks/a.lock

: >"$TMP/waiter.out"
timeout 300 flock "$S/locks/a.lock" -c "echo got >'$TMP/waiter.out'; while [ ! -e '$TMP/waiter.stop' ]; do sleep 0.1; done" &
waiter=$!
bg "$waiter"
wait_for "a waiter on the server host waits" lstat_is locks/a.lock waiters 1

# The reader on the client host takes items until it reads 0, trying
# again when a read fails (ENOTCONN while the link is down).
reader() {
	local item
	: >"$TMP/got"
	: >"$TMP/reader.err"
	while :; do
		if item=$(timeout 120 cat "$C/q" 2>>"$TMP/reader.err"); then
			[[ $item == 0 ]] && return 0
			echo "$item" >>"$TMP/got"
		else
			sleep 0.2
		fi
	done
}
reader &
rpid=$!
bg "$rpid"
wait_for "a reader on the client host waits on the queue" lstat_is q getters 1

link_down
# At once, before the manager can know: the item goes to the reader in a
# reply that the cut link never delivers.
ml put q 1 >/dev/null
t_out 0 "an item put just after the cut is handed to the cut-off reader" ml qsize q
wait_until $BOUND "the waiter on the server host gets the lock within the keepalive bound" \
	test -s "$TMP/waiter.out"
wait_until $BOUND "the item the reader never got goes back to the queue" lstat_is q qsize 1

enotconn() {
	! timeout 30 ls "$C" >/dev/null 2>"$TMP/ls.err" &&
		grep -q "Transport endpoint is not connected" "$TMP/ls.err"
}
wait_until $BOUND "while the link is down, ls on the mount fails with ENOTCONN" enotconn
# Meanwhile, on the server host.
for i in 11 12 13; do
	ml put q "$i" >/dev/null
done
ml set v 2 >/dev/null

link_up
wait_until 30 "with the link back the mount works again" ls "$C"
t_eq "$dev" "$(stat -c %d "$C")" "the same mount, not mounted again"
t_out 2 "and shows the value changed while the link was down" cat "$C/v"
for i in 21 22 23 0; do
	ml put q "$i" >/dev/null
done
wait_until 60 "the reader reads up to the last item" sh -c "! kill -0 $rpid"
sort -n "$TMP/got" >"$TMP/got.sorted"
t_eq "$(printf '%s\n' 1 11 12 13 21 22 23)" "$(cat "$TMP/got.sorted")" \
	"the reader got every item once: the one handed out at the cut, those put while down and after"
t_out 0 "and none is left" ml qsize q
[[ -s $TMP/reader.err ]] && sed 's/^/#   reader: /' "$TMP/reader.err"

t_true "the waiter still holds the lock" grep -q "^locked: true" "$S/locks/a.lock"
touch "$TMP/holder.go"
wait "$holder"
t_eq "locked
unlock No locks available" "$(cat "$TMP/holder.out")" \
	"the old holder's next use of its lock file fails with ENOLCK"
t_true "and took nothing from the new holder" grep -q "^locked: true" "$S/locks/a.lock"
touch "$TMP/waiter.stop"
wait "$waiter"
t_out false "when the waiter is done the lock is free" ml locked locks/a.lock
t_out again "and flock on the client host takes it again" T flock "$C/locks/a.lock" -c 'echo again'

umount_fs "$C"
umount_fs "$S"
remote_finish
