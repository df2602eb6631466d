#!/usr/bin/env bash
# The design's shell idioms across two hosts: the manager and a mount on
# the server host, a mount on the client host over the link (TCP with an
# authkey, or ssh with MGR_REMOTE_TRANSPORT=ssh).  A queue fed on one host
# is drained on the other, in both directions, and by workers on both at
# once, each item taken exactly once; a reader on one host waits for an
# item put on the other; flock(1) keeps one holder at a time across the
# hosts, counts exactly to 160 from eight processes on the two, and hands
# the lock of a holder killed on one host to a waiter on the other;
# values, bytes and listings agree on both hosts.
. "$(dirname "$0")/lib.sh"

if [[ $TRANSPORT == ssh ]]; then
	net_up 202
else
	net_up 201
fi
start_server
S=$TMP/srv
C=$TMP/cli
mount_local "$S"
mount_remote "$C"
t_ok "mgrctl on the client host reaches the manager over $TRANSPORT" mr ping

# Values, both ways.
t_ok "echo x > C/v on the client host" sh -c "echo from-client > '$C/v'"
t_out "from-client" "cat S/v on the server host reads it" cat "$S/v"
echo from-server >"$S/v"
t_out "from-server" "and a change on the server host is seen on the client host at once" cat "$C/v"
head -c 100000 /dev/urandom >"$TMP/blob"
cp "$TMP/blob" "$C/blob"
t_ok "100 kB of random bytes written on one host read back byte for byte on the other" \
	cmp "$TMP/blob" "$S/blob"

# mkdir M/jobs; mkfifo M/jobs/q; seq 1 1000 > M/jobs/q, on the client host;
# item=$(cat M/jobs/q) on the server host; then workers on both hosts at
# once, 50 items each, and the rest taken by mgrctl on the server host:
# each item exactly once.  (A cat an item costs two programs, which a
# loaded machine makes slow: the workers take a part only.)
t_ok "mkdir C/jobs" mkdir "$C/jobs"
t_ok "mkfifo C/jobs/q" mkfifo "$C/jobs/q"
t_out "queue" "is a queue in the manager" lstat jobs/q type
t_ok "seq 1 1000 > C/jobs/q" T sh -c "seq 1 1000 > '$C/jobs/q'"
t_out "1000" "the manager holds 1000 items" ml qsize jobs/q
item=$(T cat "$S/jobs/q")
t_eq "1" "$item" "item=\$(cat S/jobs/q) on the server host takes exactly one item"
t_out "999" "and only one" ml qsize jobs/q

worker() {
	local item i
	: >"$TMP/got.$2"
	for ((i = 0; i < 50; i++)); do
		item=$(timeout 30 cat "$1/jobs/q") || return 1
		echo "$item" >>"$TMP/got.$2"
	done
}
for ((w = 0; w < 4; w++)); do
	if ((w % 2)); then
		spawn worker "$C" "$w"
	else
		spawn worker "$S" "$w"
	fi
done
wait_spawned
t_eq 0 "$FAILED" "two workers on each host took 50 items each"
t_out "799" "the manager holds the other 799" ml qsize jobs/q
yes "get jobs/q" | head -n 799 | ml batch >"$TMP/got.rest"
cat "$TMP"/got.* | sort -n >"$TMP/got.all"
t_out "999" "999 items were taken" sh -c "wc -l < '$TMP/got.all'"
t_out "" "none twice" uniq -d "$TMP/got.all"
t_ok "none lost" sh -c "seq 2 1000 | cmp - '$TMP/got.all'"
t_out "0" "and the queue is empty" ml qsize jobs/q

# And the other way: fed on the server host, drained on the client host
# by while item=$(timeout 5 cat M/jobs/q); do ...; done.
T sh -c "seq 1001 1100 > '$S/jobs/q'"
: >"$TMP/drained"
while item=$(timeout 5 cat "$C/jobs/q"); do
	echo "$item" >>"$TMP/drained"
done
t_ok "100 items fed on the server host are drained on the client host, in order" \
	sh -c "seq 1001 1100 | cmp - '$TMP/drained'"

# A reader waits on one host for an item written on the other.
mkfifo "$S/jobs/w"
T cat "$C/jobs/w" >"$TMP/waited" &
reader=$!
bg "$reader"
wait_for "a reader on the client host waits in the manager" lstat_is jobs/w getters 1
echo wake >"$S/jobs/w"
wait "$reader"
t_out "wake" "and gets the item written on the server host" cat "$TMP/waited"

# flock M/locks/deploy.lock -c './deploy.sh': one at a time, on every
# host.  Each deploy marks itself in a file that no other may find there.
mkdir "$C/locks"
: >"$TMP/overlap"
deploy() {
	local i
	for ((i = 0; i < 10; i++)); do
		timeout 120 flock "$1/locks/deploy.lock" -c "
			if [ -e '$TMP/deploying' ]; then echo overlap >>'$TMP/overlap'; fi
			touch '$TMP/deploying'; sleep 0.02; rm '$TMP/deploying'
			echo >>'$TMP/deploys'" || return 1
	done
}
for ((p = 0; p < 4; p++)); do
	if ((p % 2)); then
		spawn deploy "$C"
	else
		spawn deploy "$S"
	fi
done
wait_spawned
t_eq 0 "$FAILED" "four deployers on the two hosts finished"
t_out "40" "40 deploys ran" sh -c "wc -l < '$TMP/deploys'"
t_out "" "never two at once" cat "$TMP/overlap"
t_out "lock" "flock made deploy.lock a lock" lstat locks/deploy.lock type

# echo 0 > M/counter; flock M/counter -c 'echo $(( $(cat M/counter) + 1 ))
# > M/counter', from 4 processes on each host, 20 times each.
echo 0 >"$C/counter"
flock_counters 8 20 counter counter "$S" "$C"
wait_spawned
t_eq 0 "$FAILED" "eight incrementers on the two hosts finished"
t_out "160" "the counter ends at exactly 160 on the server host" cat "$S/counter"
t_out "160" "and on the client host" cat "$C/counter"
t_out "160" "and in the manager" ml get counter

# Contention: held on one host, -n and -w fail on the other; a holder
# killed with SIGKILL on the client host lets the server host's waiter in.
T flock "$C/locks/x.lock" -c 'sleep 3' &
holder=$!
bg "$holder"
wait_for "a holder on the client host holds x.lock" grep -q "^locked: true" "$S/locks/x.lock"
run cat "$S/locks/x.lock"
t_true "cat of the lock on the server host names the holder" grep -q "^holder: session [0-9]* owner [0-9]*" <<<"$OUT"
t_rc 1 "flock -n on the server host fails at once" flock -n "$S/locks/x.lock" -c true
t_rc 1 "flock -w 1 on the server host gives up" flock -w 1 "$S/locks/x.lock" -c true
t_true "and the interrupted wait took nothing" grep -q "^waiters: 0" "$C/locks/x.lock"
t_out "got it" "a blocking flock on the server host gets it when the holder is done" \
	T flock "$S/locks/x.lock" -c 'echo got it'
wait "$holder"

flock -o "$C/locks/k.lock" sleep 120 &
holder=$!
bg "$holder"
wait_for "a holder on the client host holds k.lock" grep -q "^locked: true" "$S/locks/k.lock"
for p in $(pgrep -P "$holder"); do
	bg "$p"
done
: >"$TMP/waiter.out"
T flock "$S/locks/k.lock" -c "echo waited >'$TMP/waiter.out'" &
waiter=$!
bg "$waiter"
wait_for "a waiter on the server host waits" grep -q "^waiters: 1" "$C/locks/k.lock"
t_true "and has not got it" test ! -s "$TMP/waiter.out"
kill9 "$holder"
wait "$waiter"
t_out "waited" "after SIGKILL of the holder on the client host the waiter gets the lock" \
	cat "$TMP/waiter.out"

# ls -l M/jobs; cat M/locks/deploy.lock; getfattr -d M/jobs/q, on the
# client host.
mkfifo "$S/jobs/q2"
echo 1 >"$S/jobs/q2"
run T ls -l "$C/jobs"
t_true "ls -l C/jobs lists what the server host made" grep -q " q2$" <<<"$OUT"
run T cat "$C/locks/deploy.lock"
t_true "cat C/locks/deploy.lock shows it free" grep -q "^locked: false" <<<"$OUT"
if command -v getfattr >/dev/null; then
	run T getfattr -d "$C/jobs/q2"
	t_true "getfattr -d C/jobs/q2 shows the type" grep -q '^user.mgr.type="queue"' <<<"$OUT"
	t_true "and the queue's size" grep -q '^user.mgr.qsize="1"' <<<"$OUT"
else
	ok "# SKIP getfattr is not installed"
fi
t_out "1" "the item is still there: listing took nothing" ml qsize jobs/q2

umount_fs "$C"
umount_fs "$S"
remote_finish
