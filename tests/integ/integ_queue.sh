#!/usr/bin/env bash
# One producer and three consumers move 10,000 items through one queue:
# every item arrives exactly once.  Each party is one `mgrctl batch`
# session; the consumers start first, so that many items go straight to a
# parked getter, and stop at a STOP item each.
. "$(dirname "$0")/lib.sh"

items=10000
consumers=3

# A consumer: asks for one item at a time through its batch session and
# writes what it gets to $TMP/got.$1 until it gets STOP.  The generous
# --timeout only guards against a hang.
consume() {
	local i=$1 item w r
	mkfifo "$TMP/in.$i" "$TMP/out.$i"
	"$MGRCTL" --timeout 120 batch <"$TMP/in.$i" >"$TMP/out.$i" 2>"$TMP/err.$i" &
	exec {w}>"$TMP/in.$i" {r}<"$TMP/out.$i"
	while echo "get jobs" >&"$w" && IFS= read -r item <&"$r"; do
		[[ $item == STOP ]] && break
		printf '%s\n' "$item"
	done >"$TMP/got.$i"
	exec {w}>&- {r}<&-
	wait
	[[ $item == STOP ]]
}

start_mgrd
t_ok "create the queue" mc new queue jobs

for ((c = 0; c < consumers; c++)); do
	consume "$c" &
	cpids[c]=$!
	bg "$!"
done

{
	seq 1 "$items" | sed 's/^/put jobs /'
	for ((c = 0; c < consumers; c++)); do
		echo "put jobs STOP"
	done
} | "$MGRCTL" batch >"$TMP/producer.out" 2>&1
t_true "the producer put $items items in one session" test $? = 0

failed=0
for ((c = 0; c < consumers; c++)); do
	if ! wait "${cpids[c]}"; then
		failed=$((failed + 1))
		sed 's/^/#   consumer: /' "$TMP/err.$c"
	fi
	echo "# consumer $c got $(wc -l <"$TMP/got.$c") items"
done
t_true "every consumer ended at its STOP" test "$failed" = 0

cat "$TMP"/got.* | sort -n >"$TMP/all"
t_true "no item was taken twice" test -z "$(uniq -d "$TMP/all")"
t_true "$items items arrived in all" test "$(wc -l <"$TMP/all")" = "$items"
t_true "they are exactly the items put" cmp -s "$TMP/all" <(seq 1 "$items")
t_out 0 "the queue is empty at the end" mc qsize jobs
# Nothing was marked done, so all of them, STOPs included, are unfinished.
t_json "v[\"unfinished\"] == $((items + consumers))" "stat counts the unfinished tasks" \
	mc --json stat jobs

t_ok "create a queue of 3" mc new queue small 3
t_out 3 "put-many adds what there is room for" mc put-many small a 2 '[3]' x y
t_out 0 "and nothing to a full queue" mc put-many small z
t_out '{"$queue":["a",2,[3]],"maxsize":3}' "in order, the rest left out" mc dump small
t_out 2 "with -, the lines of standard input" mc put-many jobs - < <(printf 'p\nq\n')
t_out p "its lines are items" mc get jobs
finish
