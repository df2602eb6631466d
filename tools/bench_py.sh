#!/usr/bin/env bash
# The same unmodified Python client (tools/bench_pyclient.py) against
# CPython's own SyncManager server and against mgrd's python listener, in
# the same run, with the figures side by side.
#
#   tools/bench_py.sh [-t SECONDS] [-n CLIENTS] [-r ROUNDS] [--tcp]
#                     [--self-test]
#
# Each client is a forked process with its own connection making one call
# at a time, as a proxy does; 1 client, then CLIENTS (16) whose rates are
# summed.  The two servers take turns, ROUNDS (3) times each, each run on
# a fresh server, and each row keeps the best rate either side reached, as
# tools/bench.sh does.  The ratio is mgrd / Python (the target is at least
# 2 on every row; rows below it are listed after the table).  Both listen
# on a unix socket (python+unix:), Python's default on Linux, or with
# --tcp on the loopback (python+tcp:).  PYTHON names the Python that runs
# both the client and CPython's server (default Debian's /usr/bin/python3);
# MGRD the mgrd (default build/tools/mgrd, built first).  --self-test puts
# a second CPython server in mgrd's column, to check the script where
# mgrd has no python listener yet.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
python=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}
mgrd=${MGRD:-$root/build/tools/mgrd}

seconds=1 clients=16 rounds=3 tcp=0 selftest=0
while (($#)); do
	case $1 in
	-t) seconds=$2; shift ;;
	-n) clients=$2; shift ;;
	-r) rounds=$2; shift ;;
	--tcp) tcp=1 ;;
	--self-test) selftest=1 ;;
	*) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
	esac
	shift
done

if [[ -z ${MGRD:-} ]] && ((!selftest)); then
	ninja -C "$root/build" tools/mgrd >/dev/null
fi
if ((!selftest)) && ! "$mgrd" --help 2>&1 | grep -q 'python+tcp'; then
	echo "bench_py: $mgrd has no python+tcp:/python+unix: listener;" \
		"--self-test compares two CPython servers instead" >&2
	exit 1
fi

tmp=$(mktemp -d)
server_pid=
trap '[[ -n $server_pid ]] && kill $server_pid 2>/dev/null; rm -rf "$tmp"' EXIT
(umask 077; head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$tmp/key")

free_port() {
	"$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_server KIND: a fresh server; sets server_pid and addr.
start_server() {
	local kind=$1 i port
	rm -f "$tmp/py.sock" "$tmp/ctl.sock"
	if ((tcp)); then
		port=$(free_port)
		addr=python+tcp:127.0.0.1:$port
	else
		addr=python+unix:$tmp/py.sock
	fi
	if [[ $kind == python ]] || ((selftest)); then
		"$python" "$here/bench_pyclient.py" serve --address "$addr" --authkey-file "$tmp/key" \
			>"$tmp/serve.out" 2>>"$tmp/server.log" &
		server_pid=$!
		for ((i = 0; i < 400; i++)); do
			grep -qx ready "$tmp/serve.out" 2>/dev/null && return 0
			sleep 0.05
		done
	else
		"$mgrd" -q -l "unix:$tmp/ctl.sock" -l "$addr" --authkey-file "$tmp/key" \
			2>>"$tmp/server.log" &
		server_pid=$!
		for ((i = 0; i < 400; i++)); do
			if ((tcp)); then
				"$python" -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' \
					"$port" 2>/dev/null && return 0
			else
				[[ -S $tmp/py.sock ]] && return 0
			fi
			sleep 0.05
		done
	fi
	echo "bench_py: the $kind server did not start: $(cat "$tmp/server.log")" >&2
	exit 1
}

stop_server() {
	kill "$server_pid" 2>/dev/null || true
	wait "$server_pid" 2>/dev/null || true
	server_pid=
}

pyver=$("$python" -c 'import sys; print(sys.version.split()[0])')
other="mgrd $mgrd"
((selftest)) && other="a second CPython server (--self-test)"
echo "bench_py: Python $pyver's client against CPython $pyver's SyncManager server and" \
	"$other over $( ((tcp)) && echo tcp || echo a unix socket); ${seconds} s per operation," \
	"1 and $clients clients, best of $rounds rounds" >&2
for ((r = 1; r <= rounds; r++)); do
	echo "bench_py: round $r of $rounds" >&2
	# Each round starts with the other server, so that neither always
	# runs on a machine the other has just warmed or loaded.
	if ((r % 2)); then order=(python mgrd); else order=(mgrd python); fi
	for kind in "${order[@]}"; do
		start_server "$kind"
		"$python" "$here/bench_pyclient.py" run --address "$addr" --authkey-file "$tmp/key" \
			-t "$seconds" -n "$clients" >>"$tmp/$kind"
		stop_server
	done
done

# Rows are "operation clients ops/s"; headers are skipped.  The best of a
# rate is its largest.
awk -v target=2 '
FNR == 1 { file++ }
$1 == "operation" || NF != 3 { next }
{
	key = $1 " " $2
	if (file == 1) {
		if (!(key in a)) order[n++] = key
		if (!(key in a) || $3 > a[key]) a[key] = $3
	} else if (!(key in b) || $3 > b[key]) {
		b[key] = $3
	}
}
END {
	printf "%-14s %8s %12s %12s %7s\n", "operation", "clients", "mgrd", "python", "ratio"
	for (i = 0; i < n; i++) {
		k = order[i]; split(k, f, " ")
		printf "%-14s %8s %12.0f ", f[1], f[2], a[k]
		if (k in b && b[k] > 0) {
			printf "%12.0f %7.2f\n", b[k], a[k] / b[k]
			if (a[k] / b[k] < target) low = low sprintf("#   %s with %s clients: %.2f\n", f[1], f[2], a[k] / b[k])
		} else
			printf "%12s %7s\n", "-", "-"
	}
	if (low != "") printf "# below the %sx target:\n%s", target, low
}' "$tmp/mgrd" "$tmp/python"
