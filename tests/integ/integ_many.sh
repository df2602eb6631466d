#!/usr/bin/env bash
# Many clients at once, so that the manager's turns hold the requests of
# several connections and write their replies together (through io_uring
# where the kernel has it; meson runs this again with MGRD_OPTS set to
# --no-io-uring): sixteen sessions of sets and gets, each getting its own
# answers in order, and four clients reading a value of 6 MB at once, a
# reply that no socket takes in one write.
. "$(dirname "$0")/lib.sh"

clients=16
rounds=200

# One session: sets its keys, reading each back at once.
session() {
	local c=$1 j
	for ((j = 0; j < rounds; j++)); do
		echo "set /s$c/k$j v$c.$j"
		echo "get /s$c/k$j"
	done | "$MGRCTL" batch >"$TMP/got.$c"
}

get_big() {
	"$MGRCTL" get /big >"$TMP/big.$1"
}

start_mgrd

for ((c = 0; c < clients; c++)); do
	mc new namespace "/s$c" || bail "cannot make /s$c"
done
for ((c = 0; c < clients; c++)); do
	spawn session "$c"
done
wait_spawned
t_true "$clients sessions of $rounds sets and gets each ended well" test "$FAILED" = 0
wrong=0
for ((c = 0; c < clients; c++)); do
	for ((j = 0; j < rounds; j++)); do
		echo "v$c.$j"
	done | cmp -s - "$TMP/got.$c" || wrong=$((wrong + 1))
done
t_true "each session got its own values back, in order" test "$wrong" = 0
total=0
for ((c = 0; c < clients; c++)); do
	total=$((total + $(mc len "/s$c")))
done
t_true "all $((clients * rounds)) keys are there" test "$total" = $((clients * rounds))

"$PYTHON" -c 'import os, base64, sys; sys.stdout.write(base64.b64encode(os.urandom(4500000)).decode())' \
	>"$TMP/big"
t_ok "store a value of 6 MB" mc store /big "$TMP/big"
for ((c = 0; c < 4; c++)); do
	spawn get_big "$c"
done
wait_spawned
wrong=0
for ((c = 0; c < 4; c++)); do
	cmp -s "$TMP/big" "$TMP/big.$c" || wrong=$((wrong + 1))
done
t_true "four clients reading it at once all ended well" test "$FAILED" = 0
t_true "and each got all of it" test "$wrong" = 0
t_out pong "the manager still answers" mc ping

finish
