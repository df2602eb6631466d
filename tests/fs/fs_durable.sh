#!/usr/bin/env bash
# A mount (-o reconnect) of a manager that keeps its data (--data-dir):
# killed with SIGKILL and started again on the same directory, it serves
# the same tree, and the mount shows it again without remounting, as do
# mgrctl's new sessions.
. "$(dirname "$0")/lib.sh"

D=$TMP/data
mkdir "$D"
start_mgrd --data-dir "$D"
M=$TMP/m
mount_fs "$M" -o reconnect,keepalive=1

mkdir "$M/work" && echo 7 >"$M/work/n" && echo '"text"' >"$M/s"
mkfifo "$M/work/q" && printf '1\n2\n3\n' >"$M/work/q"
T cat "$M/work/q" >/dev/null
# What the tree shows: names, kinds and sizes, and every file's content.
shown() {
	(cd "$M" && find . -printf '%p %y %s\n' | sort && cat s work/n && "$MGRCTL" dump)
}
shown >"$TMP/before"

kill9 "$MGRD_PID"
MGRD_PID=
t_fail "Transport endpoint is not connected" "with the manager down, the mount says so" \
	T cat "$M/s"
start_mgrd --data-dir "$D"
wait_for "with the manager back on its directory, the mount works again" \
	grep -qx 7 "$M/work/n"
shown >"$TMP/after"
if cmp -s "$TMP/before" "$TMP/after"; then
	ok "the mount shows the same tree, files and queue as before the kill"
else
	not_ok "the mount shows the same tree, files and queue as before the kill"
	diff "$TMP/before" "$TMP/after" | sed 's/^/#   /'
fi
t_out 2 "the queue's next item is the one after the item taken" T head -n 1 "$M/work/q"
t_out 3 "and mgrctl's new sessions see the same" mc get work/q
fs_finish
