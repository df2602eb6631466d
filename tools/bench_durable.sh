#!/usr/bin/env bash
# A durable mgrd beside Redis with the same policy, on the same disk:
# value set (Redis SET) and queue put (Redis RPUSH) with 1 and N clients,
# under --fsync always / appendfsync always and everysec / everysec; then
# the time each takes to start with 1,000,000 keys.
#
#   tools/bench_durable.sh [-t SECONDS] [-n CLIENTS] [-k KEYS] [-d DIR] [-r ROUNDS]
#
# Each client makes one call at a time and waits for its reply.  N clients
# are measured both ways each side runs them: N processes of one connection
# (mgr-bench; N redis-benchmark -c 1, rates summed) and N connections of
# one process (mgr-bench --one-process; redis-benchmark -c N).  Rates are
# operations a second, the median of ROUNDS (3) taken in turns, as are the
# start times: on a shared machine the best of a few rounds is the one the
# noise favoured most, on either side.  DIR (default
# build/bench-durable, on the disk that holds the tree) holds both data
# directories.  Needs redis-server and redis-benchmark (Debian's
# redis-server and redis-tools; installed with apt-get when missing and
# run as root).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
seconds=2 clients=16 keys=1000000 rounds=3 base=$root/build/bench-durable
while (($#)); do
	case $1 in
	-t) seconds=$2; shift ;;
	-n) clients=$2; shift ;;
	-k) keys=$2; shift ;;
	-d) base=$2; shift ;;
	-r) rounds=$2; shift ;;
	*) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
	esac
	shift
done

if ! command -v redis-server >/dev/null || ! command -v redis-benchmark >/dev/null; then
	if [[ $(id -u) == 0 ]]; then
		apt-get install -y -qq --no-install-recommends redis-server redis-tools >/dev/null
	else
		echo "bench_durable: needs redis-server and redis-benchmark (apt-get install redis-server redis-tools)" >&2
		exit 1
	fi
fi
ninja -C "$root/build" tools/mgr-bench tools/mgrd tools/mgrctl >/dev/null
mgrd=$root/build/tools/mgrd bench=$root/build/tools/mgr-bench mgrctl=$root/build/tools/mgrctl
mkdir -p "$base"
work=$(mktemp -d "$base/run.XXXXXX")
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s.%N; }
# The median of the numbers in $1.
median() {
	tr ' ' '\n' <<<"$1" | sort -g |
		awk 'NF { v[++n] = $1 } END { print n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }'
}

# mgrfs: a fresh manager on a fresh data directory; mgr-bench's rows.
mgr_round() {
	local policy=$1 d=$work/mgr-$policy
	rm -rf "$d" && mkdir -m 700 "$d" "$d/data"
	"$mgrd" -q --data-dir "$d/data" --fsync "$policy" -l "unix:$d/sock" 2>"$d/log" &
	local pid=$!
	pids+=("$pid")
	until "$mgrctl" -c "unix:$d/sock" ping >/dev/null 2>&1; do
		kill -0 "$pid" 2>/dev/null || { cat "$d/log" >&2; return 1; }
		sleep 0.05
	done
	# 1 client and CLIENTS processes; then CLIENTS connections of one
	# process, as redis-benchmark -c runs them.
	"$bench" -c "unix:$d/sock" -t "$seconds" -n "$clients" --no-memory >"$d/out"
	"$bench" -c "unix:$d/sock" -t "$seconds" -n "$clients" --no-memory --one-process >"$d/out1"
	kill -TERM "$pid"; wait "$pid" || true
	awk '/^value-set|^queue-put/ { print $1, $2 ($2 > 1 ? "p" : ""), $3 }' "$d/out"
	awk '/^value-set|^queue-put/ && $2 > 1 { print $1, $2, $3 }' "$d/out1"
}

# Redis: a fresh server on a fresh directory; SET and RPUSH, unpipelined.
redis_round() {
	local policy=$1 c n rate d=$work/redis-$policy
	rm -rf "$d" && mkdir -m 700 "$d"
	redis-server --port 0 --unixsocket "$d/sock" --dir "$d" --appendonly yes \
		--appendfsync "$policy" --save "" --daemonize no --logfile "$d/log" &
	local pid=$!
	pids+=("$pid")
	until redis-cli -s "$d/sock" ping >/dev/null 2>&1; do sleep 0.05; done
	for c in 1 "$clients"; do
		for t in set rpush; do
			# A short run to size one of about SECONDS.
			rate=$(redis-benchmark -s "$d/sock" -c "$c" -n 2000 -t "$t" --csv | awk -F'"' 'NR==2 { print $4 }')
			n=$(awk -v r="$rate" -v s="$seconds" 'BEGIN { n = int(r * s); print (n < 1000 ? 1000 : n) }')
			rate=$(redis-benchmark -s "$d/sock" -c "$c" -n "$n" -t "$t" --csv | awk -F'"' 'NR==2 { print $4 }')
			echo "$([[ $t == set ]] && echo value-set || echo queue-put) $c $rate"
			((c > 1)) || continue
			# As mgr-bench's clients are: c processes of one connection
			# each, their rates summed.
			local i
			for ((i = 0; i < c; i++)); do
				redis-benchmark -s "$d/sock" -c 1 -n $((n / c)) -t "$t" --csv >"$d/p$i" &
			done
			wait $(jobs -p | grep -vx "$pid") 2>/dev/null || true
			rate=$(cat "$d"/p* | awk -F'"' '$2 != "test" { s += $4 } END { print s }')
			rm -f "$d"/p*
			echo "$([[ $t == set ]] && echo value-set || echo queue-put) ${c}p $rate"
		done
	done
	redis-cli -s "$d/sock" shutdown nosave >/dev/null 2>&1 || true
	wait "$pid" || true
}

declare -A rate
for policy in always everysec; do
	for ((r = 0; r < rounds; r++)); do
		echo "bench_durable: $policy, round $((r + 1)) of $rounds" >&2
		while read -r op c v; do
			k="mgr $policy $op $c"
			rate[$k]+=" $v"
		done < <(mgr_round "$policy")
		while read -r op c v; do
			k="redis $policy $op $c"
			rate[$k]+=" $v"
		done < <(redis_round "$policy")
	done
done

# Start with KEYS keys: filled with fsync no (the fill is not what is
# measured), stopped, then started again until it answers.
start_mgr() {
	local d=$work/mgr-start t0
	t0=$(now)
	"$mgrd" -q --data-dir "$d/data" -l "unix:$d/sock" 2>>"$d/log" &
	local pid=$!
	until "$mgrctl" -c "unix:$d/sock" ping >/dev/null 2>&1; do sleep 0.005; done
	awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f\n", b - a }'
	kill -TERM "$pid"; wait "$pid" || true
}
start_redis() {
	local d=$work/redis-start t0
	t0=$(now)
	redis-server --port 0 --unixsocket "$d/sock" --dir "$d" --appendonly yes \
		--appendfsync everysec --save "" --daemonize no --logfile "$d/log" &
	local pid=$!
	until [[ $(redis-cli -s "$d/sock" ping 2>/dev/null) == PONG ]]; do sleep 0.005; done
	awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f\n", b - a }'
	redis-cli -s "$d/sock" shutdown nosave >/dev/null 2>&1 || true
	wait "$pid" || true
}

echo "bench_durable: the start with $keys keys" >&2
d=$work/mgr-start
mkdir -p -m 700 "$d/data"
cat >"$d/mgrd" <<EOF
#!/bin/sh
exec "$mgrd" --data-dir "$d/data" --fsync no "\$@"
EOF
chmod +x "$d/mgrd"
"$bench" --mgrd "$d/mgrd" -k "$keys" --no-ops >/dev/null
mgr_keys=$("$mgrd" --check "$d/data" | awk '/objects/ { print $1 }')
mgr_bytes=$(du -sk "$d/data" | cut -f1)

d=$work/redis-start
mkdir -m 700 "$d"
redis-server --port 0 --unixsocket "$d/sock" --dir "$d" --appendonly yes \
	--appendfsync no --save "" --daemonize no --logfile "$d/log" &
pids+=("$!")
until redis-cli -s "$d/sock" ping >/dev/null 2>&1; do sleep 0.05; done
redis-benchmark -s "$d/sock" -c 16 -P 256 -n "$keys" -r "$keys" -t set >/dev/null
# -r draws keys at random: fill up the rest in order, to KEYS distinct.
awk -v n="$keys" 'BEGIN { for (i = 0; i < n; i++) printf "*3\r\n$3\r\nSET\r\n$16\r\nkey:%012d\r\n$16\r\nv%015d\r\n", i, i }' |
	redis-cli -s "$d/sock" --pipe >/dev/null
redis_keys=$(redis-cli -s "$d/sock" dbsize)
redis-cli -s "$d/sock" shutdown nosave >/dev/null 2>&1 || true
wait "${pids[-1]}" || true
redis_bytes=$(du -sk "$d" | cut -f1)

mgr_start= redis_start=
for ((r = 0; r < rounds; r++)); do
	mgr_start+=" $(start_mgr)"
	redis_start+=" $(start_redis)"
done
mgr_start=$(median "$mgr_start") redis_start=$(median "$redis_start")

# Clients: 1; CLIENTS processes of one connection each (mgr-bench's and
# redis-benchmark -c 1's, rates summed); CLIENTS connections of one process
# (mgr-bench --one-process, redis-benchmark -c CLIENTS).
printf '| operation | fsync | clients | mgrfs | Redis | ratio |\n'
printf '|---|---|---|---:|---:|---:|\n'
for policy in always everysec; do
	for op in value-set queue-put; do
		for c in 1 "${clients}p" "$clients"; do
			m=$(median "${rate["mgr $policy $op $c"]:-0}")
			rd=$(median "${rate["redis $policy $op $c"]:-0}")
			awk -v op="$op" -v p="$policy" -v c="$c" -v m="$m" -v r="$rd" 'BEGIN {
				name = op == "value-set" ? "value set (SET)" : "queue put (RPUSH)"
				who = c == 1 ? "1" : c ~ /p$/ ? int(c) " processes" : c " connections of one process"
				printf "| %s | %s | %s | %d | %d | %.2f |\n", name, p, who, m, r, (r > 0 ? m / r : 0) }'
		done
	done
done
echo
printf '| start with | mgrfs | Redis |\n|---|---:|---:|\n'
printf '| keys | %s | %s |\n' "$((mgr_keys - 1))" "$redis_keys"
printf '| directory (KiB) | %s | %s |\n' "$mgr_bytes" "$redis_bytes"
printf '| time to answer (s) | %s | %s |\n' "$mgr_start" "$redis_start"
