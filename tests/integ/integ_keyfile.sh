#!/usr/bin/env bash
# Key files, read alike by every program that takes one (mgrctl, mgrd,
# the benchmark; mgrfs in fs_sync.sh): one that others may read or write
# is refused, as ssh refuses such a private key, and so is a key shorter
# than 8 bytes, each with a message that says what to do.
. "$(dirname "$0")/lib.sh"

unset MGRFS_AUTHKEY_FILE MGRFS_ADDR
(umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$TMP/key")
port=$(free_port)
addr=tcp:127.0.0.1:$port
"$MGRD" -l "$addr" --authkey-file "$TMP/key" 2>>"$TMP/mgrd.log" &
MGRD_PID=$!
wait_ping "$MGRD_PID" -c "$addr" --authkey-file "$TMP/key" || bail "mgrd on $addr did not answer"
t_out pong "a private key of 64 hex digits is used" mc -c "$addr" --authkey-file "$TMP/key" ping

# The same key, open to others.
for mode in 644 640 604 660; do
	cp "$TMP/key" "$TMP/key$mode"
	chmod "$mode" "$TMP/key$mode"
done
open='other users can read or write the key file.*chmod 600'
t_err 1 "$open" "mgrctl refuses a key file anyone may read" \
	mc -c "$addr" --authkey-file "$TMP/key644" ping
t_err 1 "$open" "and one its group may read" mc -c "$addr" --authkey-file "$TMP/key640" ping
t_err 1 "$open" "and one others may write" mc -c "$addr" --authkey-file "$TMP/key660" ping
t_err 1 "$open" "and one in MGRFS_AUTHKEY_FILE" \
	env MGRFS_AUTHKEY_FILE="$TMP/key604" "$MGRCTL" -c "$addr" ping
t_err 1 "$open" "mgrd refuses it" timeout 60 "$MGRD" -l "unix:$TMP/open.sock" --authkey-file "$TMP/key644"
t_err 1 "$open" "and the benchmark" \
	timeout 60 "$MGR_BENCH" -c "$addr" --authkey-file "$TMP/key644" -t 1 -n 1 --no-memory

# Short keys.
short='shorter than 8 bytes'
printf '1234567\n' >"$TMP/short"
chmod 600 "$TMP/short"
t_err 1 "$short" "mgrctl refuses a key of 7 bytes" mc -c "$addr" --authkey-file "$TMP/short" ping
printf k >"$TMP/one"
chmod 600 "$TMP/one"
t_err 1 "$short" "and one of 1 byte" mc -c "$addr" --authkey-file "$TMP/one" ping
t_err 1 "$short" "mgrd refuses it" timeout 60 "$MGRD" -l "unix:$TMP/short.sock" --authkey-file "$TMP/one"
t_err 1 "$short" "and the benchmark" \
	timeout 60 "$MGR_BENCH" -c "$addr" --authkey-file "$TMP/one" -t 1 -n 1 --no-memory

# 8 bytes is enough.
printf '12345678\n' >"$TMP/eight"
chmod 600 "$TMP/eight"
"$MGRD" -l "unix:$TMP/eight.sock" --authkey-file "$TMP/eight" 2>>"$TMP/mgrd.log" &
eight=$!
bg "$eight"
wait_ping "$eight" -c "unix:$TMP/eight.sock" --authkey-file "$TMP/eight" ||
	bail "mgrd with a key of 8 bytes did not answer"
t_out pong "a key of 8 bytes is used by mgrd and mgrctl" \
	mc -c "unix:$TMP/eight.sock" --authkey-file "$TMP/eight" ping
finish
