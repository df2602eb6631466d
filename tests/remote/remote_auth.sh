#!/usr/bin/env bash
# A manager on TCP with an authkey, reached from another host: mgrctl and
# mgrfs with a wrong key or with none are refused with a clear error, mount
# nothing, change nothing, and leave the manager serving the right key.
. "$(dirname "$0")/lib.sh"

net_up 203
start_server
(umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$TMP/wrong")
ml set v 42 >/dev/null

t_out pong "the right key from the client host is let in" mr ping
t_err 1 'EACCES|uthenticat' "mgrctl with a wrong key is refused with a clear error" \
	in_cli "$MGRCTL" -c "$REMOTE_ADDR" --authkey-file "$TMP/wrong" ping
t_err 1 'key|EACCES|uthenticat' "mgrctl with no key is refused with a clear error" \
	in_cli "$MGRCTL" -c "$REMOTE_ADDR" ping
t_err 1 'EACCES|uthenticat' "a wrong key cannot change anything" \
	in_cli "$MGRCTL" -c "$REMOTE_ADDR" --authkey-file "$TMP/wrong" set v '"changed"'
t_err 1 'EACCES|uthenticat' "nor take a lock" \
	in_cli "$MGRCTL" -c "$REMOTE_ADDR" --authkey-file "$TMP/wrong" lock -n l -- true
t_true "the manager logs the refusals with the client host's address" \
	grep -q "$CLI_IP" "$TMP/mgrd.log"

not_mounted() {
	! mountpoint -q "$1"
}

C=$TMP/cli
mkdir -p "$C"
t_err 1 'EACCES|uthenticat' "mgrfs with a wrong key is refused with a clear error" \
	in_cli timeout 30 "$MGRFS" "$REMOTE_ADDR" -o "authkey_file=$TMP/wrong" "$C"
t_true "and mounts nothing" not_mounted "$C"
t_err 1 'key|EACCES|uthenticat' "mgrfs with no key is refused with a clear error" \
	in_cli timeout 30 "$MGRFS" "$REMOTE_ADDR" "$C"
t_true "and mounts nothing" not_mounted "$C"
t_err 1 'EACCES|uthenticat' "a wrong key in MGRFS_AUTHKEY_FILE is refused too" \
	in_cli env MGRFS_AUTHKEY_FILE="$TMP/wrong" timeout 30 "$MGRFS" "$REMOTE_ADDR" "$C"
t_true "and mounts nothing" not_mounted "$C"

t_true "the manager is still running" alive "$MGRD_PID"
t_out 42 "the value is as it was" ml get v
mount_remote "$C"
t_out 42 "mgrfs with the right key mounts the tree" cat "$C/v"
umount_fs "$C"
remote_finish
