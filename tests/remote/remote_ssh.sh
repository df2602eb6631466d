#!/usr/bin/env bash
# ssh: addresses across two hosts: a real sshd on the server host, with a
# throwaway host key and client key, and mgrctl on the client host reaching
# the manager through it (ssh runs "mgrd --relay" there).  Values, a queue
# fed over ssh and drained from a mount on the server host, a lock shared
# by mgrctl over ssh and flock on the server host with an exact counter; a
# key that sshd does not know and a host key that the client does not know
# are refused.
MGR_REMOTE_TRANSPORT=ssh
. "$(dirname "$0")/lib.sh"

net_up 204
start_server
S=$TMP/srv
mount_local "$S"

t_out pong "mgrctl reaches the manager over ssh" mr ping
t_true "through sshd, from the client host" \
	grep -q "Accepted publickey for $(id -un) from $CLI_IP" "$TMP/sshd.log"
t_ok "set over ssh" mr set v '{"k": [1, 2]}'
t_out '{"k":[1,2]}' "read on the server host" ml get v
ml set w 7 >/dev/null
t_out 7 "and the other way" mr get w

# A queue fed over ssh in one session, drained on the server host by
# while item=$(timeout 5 cat M/q); do ...; done.
mkfifo "$S/q"
t_ok "500 items put over ssh" sh -c 'seq 1 500 | sed "s/^/put q /" | "$@" batch >/dev/null' \
	sh "${IN_CLI[@]}" "$MGRCTL" "${REMOTE_CTL[@]}"
t_out 500 "are in the queue" ml qsize q
: >"$TMP/drained"
for ((i = 0; i < 100; i++)); do
	item=$(timeout 5 cat "$S/q") || break
	echo "$item" >>"$TMP/drained"
done
t_ok "the server host takes the first 100 in order" sh -c "seq 1 100 | cmp - '$TMP/drained'"
t_ok "and the client host the other 400 over ssh" \
	sh -c 'yes "get q" | head -n 400 | "$@" batch >"$0"' "$TMP/rest" \
	"${IN_CLI[@]}" "$MGRCTL" "${REMOTE_CTL[@]}"
t_ok "in order, none lost" sh -c "seq 101 500 | cmp - '$TMP/rest'"
t_out 0 "none left" ml qsize q

# One lock, two hosts: mgrctl lock over ssh on the client host, flock on
# the server host, each adding 1 to a counter under it, 10 times.
ml new lock counter.lock >/dev/null
ml set counter 0 >/dev/null
lock_add_over_ssh() {
	local i
	for ((i = 0; i < 10; i++)); do
		in_cli timeout 120 "$MGRCTL" "${REMOTE_CTL[@]}" lock counter.lock -- \
			sh -c 'n=$("$@" get counter) && "$@" set counter $((n + 1)) >/dev/null' \
			sh "$MGRCTL" "${REMOTE_CTL[@]}" || return 1
	done
}
spawn lock_add_over_ssh
spawn lock_add_over_ssh
flock_counters 2 10 counter.lock counter "$S"
wait_spawned
t_eq 0 "$FAILED" "two incrementers over ssh and two under flock finished"
t_out 40 "the counter ends at exactly 40" ml get counter

# A lock held over ssh goes to the server host's waiter when mgrctl is
# killed: ssh and the relay end with it, and so does the session.
"${IN_CLI[@]}" "$MGRCTL" "${REMOTE_CTL[@]}" lock counter.lock -- sleep 600 >/dev/null 2>&1 &
holder=$!
bg "$holder"
wait_for "a holder over ssh holds the lock" lstat_is counter.lock locked true
for p in $(pgrep -P "$holder"); do
	bg "$p"
done
t_rc 1 "flock -n on the server host finds it held" flock -n "$S/counter.lock" -c true
kill9 "$holder"
t_out got "after SIGKILL of mgrctl a flock on the server host gets it" \
	T flock "$S/counter.lock" -c 'echo got'

# Refusals.
t_err 1 '.' "a client key that sshd does not know is refused, with ssh's message" \
	in_cli timeout 60 "$MGRCTL" -c "$REMOTE_ADDR" \
	-o "IdentityFile=$TMP/ssh/stranger,IdentitiesOnly=yes,BatchMode=yes" \
	-o "UserKnownHostsFile=$TMP/ssh/known_hosts,StrictHostKeyChecking=yes,mgrd=$MGRD" set v 666
t_err 1 '.' "a host key that the client does not know is refused" \
	in_cli timeout 60 "$MGRCTL" -c "$REMOTE_ADDR" \
	-o "IdentityFile=$TMP/ssh/id,IdentitiesOnly=yes,BatchMode=yes" \
	-o "UserKnownHostsFile=$TMP/ssh/empty_known_hosts,StrictHostKeyChecking=yes,mgrd=$MGRD" set v 666
t_out '{"k":[1,2]}' "and neither changed anything" ml get v
t_true "the manager is still running" alive "$MGRD_PID"

umount_fs "$S"
remote_finish
