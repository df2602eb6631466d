#!/usr/bin/env bash
# Run mgr-bench and tools/bench_python.py in the same run, with the same
# settings, and print their figures side by side.
#
#   tools/bench.sh [-t SECONDS] [-n CLIENTS] [-k KEYS] [-r ROUNDS]
#                  [--no-memory] [--no-ops]
#   tools/bench.sh --transports [-t SECONDS] [-n CLIENTS] [-r ROUNDS]
#
# The two take turns, ROUNDS (3) times each, and each row keeps the best
# rate either side reached: on a shared machine a burst of other work then
# costs one round, not the comparison.  The ratio is mgrfs / Python: above
# 1 mgrfs is faster, and for the peak resident size below 1 mgrfs is
# smaller.  MGR_BENCH names the mgr-bench binary (default
# build/tools/mgr-bench, built first); PYTHON the Python (default Debian's
# /usr/bin/python3, the one setup.sh installs).
#
# With --transports it compares ways of reaching one fresh mgrd instead:
# value get and set, queue put and get over a unix socket, over TCP on
# the loopback (with an authkey; the key is asked on every listener, so
# unix pays the same handshake, once a connection) and over ssh: through
# a private sshd on the loopback (tests/integ/sshd.sh; skipped, and said
# so, where there is no sshd).  Each column has its ratio to unix.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bench=${MGR_BENCH:-$root/build/tools/mgr-bench}
python=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}

seconds=1 clients=16 keys=1000000 rounds=3 ops=1 memory=1 transports=0
while (($#)); do
	case $1 in
	--transports) transports=1 ;;
	-t) seconds=$2; shift ;;
	-n) clients=$2; shift ;;
	-k) keys=$2; shift ;;
	-r) rounds=$2; shift ;;
	--no-memory) memory=0 ;;
	--no-ops) ops=0 ;;
	*) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
	esac
	shift
done
common=(-t "$seconds" -n "$clients" -k "$keys")

if [[ -z ${MGR_BENCH:-} ]]; then
	ninja -C "$root/build" tools/mgr-bench tools/mgrd >/dev/null
fi


tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One manager, three ways to it; best of the rounds for each.
bench_transports() {
	local mgrd=${MGRD:-$(dirname "$bench")/mgrd} port i r name
	local names=(unix tcp) addrs ssh_opts=() extra j

	(umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$tmp/key")
	port=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	"$mgrd" -q -l "unix:$tmp/sock" -l "tcp:127.0.0.1:$port" --authkey-file "$tmp/key" &
	mgrd_pid=$!
	sshd_pid=
	trap 'kill $mgrd_pid $sshd_pid 2>/dev/null; rm -rf "$tmp"' EXIT
	for ((i = 0; i < 200; i++)); do
		[[ -S $tmp/sock ]] && break
		sleep 0.05
	done
	addrs=("unix:$tmp/sock" "tcp:127.0.0.1:$port")
	. "$root/tests/integ/sshd.sh"
	r=0
	start_sshd "$tmp/ssh" || r=$?
	if ((r == 0)); then
		sshd_pid=$SSHD_PID
		names+=(ssh)
		addrs+=("ssh:127.0.0.1:unix:$tmp/sock")
		ssh_opts=(-o "port=$SSHD_PORT,$SSH_OPTS,mgrd=$mgrd")
	elif ((r == 77)); then
		echo "bench: ssh skipped: sshd is not installed" >&2
	else
		echo "bench: ssh skipped: the private sshd did not start" >&2
	fi
	echo "bench: ${names[*]} to one mgrd; ${seconds} s per operation, $clients clients," \
		"best of $rounds rounds" >&2
	for ((r = 1; r <= rounds; r++)); do
		echo "bench: round $r of $rounds" >&2
		# Each round starts with another transport, so that none is
		# always the one run just after ssh's logins and logouts.
		for ((j = 0; j < ${#names[@]}; j++)); do
			i=$(((j + r - 1) % ${#names[@]}))
			name=${names[i]}
			extra=()
			[[ $name == ssh ]] && extra=("${ssh_opts[@]}")
			"$bench" -c "${addrs[i]}" --authkey-file "$tmp/key" "${extra[@]}" \
				-t "$seconds" -n "$clients" --no-memory >>"$tmp/t.$name"
		done
	done
	# Rows are "operation clients ops/s"; the header is skipped.
	awk -v names="${names[*]}" '
	BEGIN { n = split(names, name, " ") }
	FNR == 1 { file++ }
	$1 !~ /^(value-get|value-set|queue-put|queue-get)$/ || NF != 3 { next }
	{
		key = $1 " " $2
		if (!(key in seen)) { seen[key] = 1; order[rows++] = key }
		if ($3 > best[file, key]) best[file, key] = $3
	}
	END {
		printf "%-12s %8s %10s", "operation", "clients", name[1]
		for (f = 2; f <= n; f++) printf " %10s %6s", name[f], "ratio"
		printf "\n"
		for (i = 0; i < rows; i++) {
			k = order[i]; split(k, c, " ")
			printf "%-12s %8s %10.0f", c[1], c[2], best[1, k]
			for (f = 2; f <= n; f++)
				printf " %10.0f %6.2f", best[f, k], best[1, k] ? best[f, k] / best[1, k] : 0
			printf "\n"
		}
	}' $(printf "$tmp/t.%s " "${names[@]}")
}

if ((transports)); then
	bench_transports
	exit
fi

pyver=$("$python" -c 'import sys; print(sys.version.split()[0])')
echo "bench: mgrfs $bench vs Python $pyver SyncManager; ${seconds} s per operation," \
	"$clients clients, best of $rounds rounds" >&2
if ((ops)); then
	for ((r = 1; r <= rounds; r++)); do
		echo "bench: round $r of $rounds" >&2
		"$bench" "${common[@]}" --no-memory >>"$tmp/mgrfs"
		"$python" "$here/bench_python.py" "${common[@]}" --no-memory >>"$tmp/python"
	done
fi
if ((memory)); then
	echo "bench: peak resident size with $keys keys" >&2
	"$bench" "${common[@]}" --no-ops >>"$tmp/mgrfs"
	"$python" "$here/bench_python.py" "${common[@]}" --no-ops >>"$tmp/python"
fi

# Rows are "operation clients value"; headers and comments are skipped.
# The best of a rate is its largest, of a size its smallest.
awk '
FNR == 1 { file++ }
/^#/ || $1 == "operation" || NF != 3 { next }
{
	key = $1 " " $2
	size = $1 ~ /-MB$/
	if (file == 1) {
		if (!(key in a)) order[n++] = key
		if (!(key in a) || (size ? $3 < a[key] : $3 > a[key])) a[key] = $3
	} else if (!(key in b) || (size ? $3 < b[key] : $3 > b[key])) {
		b[key] = $3
	}
}
END {
	printf "%-14s %8s %12s %12s %7s\n", "operation", "clients", "mgrfs", "python", "ratio"
	for (i = 0; i < n; i++) {
		k = order[i]; split(k, f, " ")
		unit = f[1] ~ /-MB$/ ? "%12.1f" : "%12.0f"
		printf "%-14s %8s " unit " ", f[1], f[2], a[k]
		if (k in b && b[k] > 0)
			printf unit " %7.2f\n", b[k], a[k] / b[k]
		else
			printf "%12s %7s\n", "-", "-"
	}
}' "$tmp/mgrfs" "$tmp/python"
grep '^#' "$tmp/mgrfs" || true
