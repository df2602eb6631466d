#!/usr/bin/env bash
# Run mgr-bench and tools/bench_python.py in the same run, with the same
# settings, and print their figures side by side.
#
#   tools/bench.sh [-t SECONDS] [-n CLIENTS] [-k KEYS] [-r ROUNDS]
#                  [--no-memory] [--no-ops]
#
# The two take turns, ROUNDS (3) times each, and each row keeps the best
# rate either side reached: on a shared machine a burst of other work then
# costs one round, not the comparison.  The ratio is mgrfs / Python: above
# 1 mgrfs is faster, and for the peak resident size below 1 mgrfs is
# smaller.  MGR_BENCH names the mgr-bench binary (default
# build/tools/mgr-bench, built first); PYTHON the Python (default Debian's
# /usr/bin/python3, the one setup.sh installs).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bench=${MGR_BENCH:-$root/build/tools/mgr-bench}
python=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}

seconds=1 clients=16 keys=1000000 rounds=3 ops=1 memory=1
while (($#)); do
	case $1 in
	-t) seconds=$2; shift ;;
	-n) clients=$2; shift ;;
	-k) keys=$2; shift ;;
	-r) rounds=$2; shift ;;
	--no-memory) memory=0 ;;
	--no-ops) ops=0 ;;
	*) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
	esac
	shift
done
common=(-t "$seconds" -n "$clients" -k "$keys")

if [[ -z ${MGR_BENCH:-} ]]; then
	ninja -C "$root/build" tools/mgr-bench tools/mgrd >/dev/null
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

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
