#!/usr/bin/env bash
# Eight processes each add one to a counter many times, each increment a
# read and a write by separate mgrctl calls under `mgrctl lock`: the lock
# makes the read-modify-write atomic, so no increment is lost.
. "$(dirname "$0")/lib.sh"

procs=8
rounds=50

start_mgrd
t_ok "create the lock" mc new lock L
t_ok "set the counter to 0" mc set counter 0

# A worker: $rounds increments, each a read and a write under the lock.
worker() {
	local i
	for ((i = 0; i < rounds; i++)); do
		"$MGRCTL" --timeout 120 lock L -- sh -c '
			v=$("$MGRCTL" get counter) || exit 1
			"$MGRCTL" set counter $((v + 1)) >/dev/null' || return 1
	done
}
for ((p = 0; p < procs; p++)); do
	spawn -o "$TMP/worker.$p" worker
done
wait_spawned
t_true "every worker finished without an error" test "$FAILED" = 0
t_out "$((procs * rounds))" "the counter is exactly $procs x $rounds" mc get counter
t_out "false" "the lock is free at the end" mc locked L
finish
