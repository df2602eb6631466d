#!/usr/bin/env bash
# The tree's half of the benchmark: system calls on an mgrfs mount of a
# fresh mgrd, beside the same calls on a minimal FUSE file system
# (tests/fixture_constfs.c) and on tmpfs (/dev/shm), in the same run.
#
#   tools/bench_fs.sh [-t SECONDS] [-r ROUNDS] [-n ITEMS]
#
# read:  open, read and close a small value file, in a tight loop in C;
# write: open(O_TRUNC), write and close it, as echo 42 > f does;
# queue: a producer process writes one line a write() to a queue made with
#        mkfifo on the mount while a consumer process reads one item a
#        read(): items a second end to end.  Beside it the same through
#        the minimal file system's queue, Python's SyncManager Queue with
#        producer and consumer in separate processes, and a FIFO on tmpfs
#        (a kernel pipe, which keeps no items apart) for scale.
# fill:  ITEMS (50000) lines into an empty queue, written a 4 KiB buffer
#        at a time as `seq 1 ITEMS > q` writes them; beside it Python
#        putting as many, one put() at a time;
# drain: then the same items taken back, one a read() (and the read()
#        that ends each); beside it Python's get()s;
# append: a process on each of two mounts of the manager appending a
#        line a write() (O_APPEND) to one file, lines a second of both;
#        beside it two processes appending to one file on tmpfs;
# copy in, copy out: 50 MiB copied into the tree and back out, 128 KiB a
#        write() as cp does, in megabytes a second; beside it tmpfs.
# Each measurement takes SECONDS (1); the runs take turns ROUNDS (3) times
# and each row keeps the best rate, so that a burst of other work on a
# shared machine costs one round, not the comparison.  "time" is the time
# of an operation on mgrfs over its time on the minimal file system
# (target for read: at most 1.5); "python" is mgrfs's queue rate over
# Python's (target: at least 2).  Needs /dev/fuse and fusermount3.
# PYTHON names the Python (default Debian's /usr/bin/python3).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${BUILD:-$root/build}
python=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}

seconds=1 rounds=3 items=50000
while (($#)); do
	case $1 in
	-t) seconds=$2; shift ;;
	-r) rounds=$2; shift ;;
	-n) items=$2; shift ;;
	*) sed -n '2,32p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
	esac
	shift
done

if [[ ! -c /dev/fuse ]] || ! command -v fusermount3 >/dev/null; then
	echo "bench_fs: needs /dev/fuse and fusermount3" >&2
	exit 1
fi
ninja -C "$build" tools/mgrd fs/mgrfs tools/mgr-bench-fs tests/fixture-constfs >/dev/null
bench=$build/tools/mgr-bench-fs

tmp=$(mktemp -d)
shm=$(mktemp -d /dev/shm/mgrfs-bench.XXXXXX)
mgrd_pid='' mgrfs_pid='' mgrfs2_pid='' const_pid=''

cleanup() {
	local m p
	# A mount whose daemon died is unmounted too; a busy one lazily.
	for m in "$tmp/mgrfs" "$tmp/mgrfs2" "$tmp/const"; do
		if grep -qs " $m " /proc/self/mounts; then
			fusermount3 -u "$m" 2>/dev/null || fusermount3 -u -z "$m" || true
		fi
	done
	for p in $mgrfs_pid $mgrfs2_pid $const_pid $mgrd_pid; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$tmp" "$shm"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_until DESC PID CMD...: CMD succeeds within 10 seconds, while the
# process PID lives.
wait_until() {
	local desc=$1 pid=$2 i
	shift 2
	for ((i = 0; i < 200; i++)); do
		"$@" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	echo "bench_fs: $desc did not come up; its messages:" >&2
	cat "$tmp/log" >&2
	exit 1
}

mkdir "$tmp/mgrfs" "$tmp/mgrfs2" "$tmp/const"
"$build/tools/mgrd" -q -l "unix:$tmp/sock" 2>>"$tmp/log" &
mgrd_pid=$!
wait_until mgrd "$mgrd_pid" test -S "$tmp/sock"
"$build/fs/mgrfs" -f "unix:$tmp/sock" "$tmp/mgrfs" 2>>"$tmp/log" &
mgrfs_pid=$!
wait_until mgrfs "$mgrfs_pid" mountpoint -q "$tmp/mgrfs"
"$build/tests/fixture-constfs" -f "$tmp/const" 2>>"$tmp/log" &
const_pid=$!
wait_until fixture-constfs "$const_pid" mountpoint -q "$tmp/const"

echo 42 >"$tmp/mgrfs/value"
mkfifo "$tmp/mgrfs/q"
echo 42 >"$shm/value"
mkfifo "$shm/fifo"
head -c 52428800 /dev/urandom >"$shm/50m"

pyver=$("$python" -c 'import sys; print(sys.version.split()[0])')
echo "bench_fs: ${seconds} s per measurement, best of $rounds rounds;" \
	"Python $pyver" >&2

# measure TEST WHERE CMD...: a row "TEST WHERE RATE" with the rate CMD
# prints; a failure ends the run.
measure() {
	local rate
	rate=$("${@:3}")
	echo "$1 $2 $rate" >>"$tmp/rates"
}

for ((r = 1; r <= rounds; r++)); do
	echo "bench_fs: round $r of $rounds" >&2
	for t in read write; do
		measure $t mgrfs "$bench" $t "$tmp/mgrfs/value" "$seconds"
		measure $t constfs "$bench" $t "$tmp/const/value" "$seconds"
		measure $t tmpfs "$bench" $t "$shm/value" "$seconds"
	done
	measure queue mgrfs "$bench" queue "$tmp/mgrfs/q" "$seconds"
	measure queue constfs "$bench" queue "$tmp/const/queue" "$seconds"
	measure queue tmpfs "$bench" pipe "$shm/fifo" "$seconds"
	measure queue python "$python" "$here/bench_fs_python.py" "$seconds"
	mkfifo "$tmp/mgrfs/filled"
	for where in mgrfs constfs; do
		q=$tmp/mgrfs/filled
		[[ $where == constfs ]] && q=$tmp/const/queue
		measure fill $where "$bench" fill "$q" "$items"
		measure drain $where "$bench" drain "$q" "$items"
	done
	rm "$tmp/mgrfs/filled"
	read -r fill drain < <("$python" "$here/bench_fs_python.py" --fill-drain "$items")
	echo "fill python $fill" >>"$tmp/rates"
	echo "drain python $drain" >>"$tmp/rates"
	# The second mount is there for these rows only: a mount hears of
	# every change, and on a small machine its work would weigh on the
	# rows above.
	"$build/fs/mgrfs" -f "unix:$tmp/sock" "$tmp/mgrfs2" 2>>"$tmp/log" &
	mgrfs2_pid=$!
	wait_until mgrfs "$mgrfs2_pid" mountpoint -q "$tmp/mgrfs2"
	: >"$tmp/mgrfs/log" && : >"$shm/log"
	measure append mgrfs "$bench" append "$tmp/mgrfs/log,$tmp/mgrfs2/log" "$seconds"
	measure append tmpfs "$bench" append "$shm/log,$shm/log" "$seconds"
	rm "$tmp/mgrfs/log" "$shm/log"
	measure copyin mgrfs "$bench" copy "$shm/50m,$tmp/mgrfs/50m"
	measure copyout mgrfs "$bench" copy "$tmp/mgrfs2/50m,$shm/50m.out"
	measure copyin tmpfs "$bench" copy "$shm/50m,$shm/50m.in"
	measure copyout tmpfs "$bench" copy "$shm/50m.in,$shm/50m.out"
	rm -f "$tmp/mgrfs/50m" "$shm/50m.in" "$shm/50m.out"
	fusermount3 -u "$tmp/mgrfs2"
	wait "$mgrfs2_pid" 2>/dev/null || true
	mgrfs2_pid=''
done

# The best rate of each, and the ratios.
awk '
{ k = $1 " " $2; if (!(k in best) || $3 > best[k]) best[k] = $3 }
function rate(test, where) {
	return (test " " where) in best ? sprintf("%10.0f", best[test " " where]) : sprintf("%10s", "-")
}
function row(test) {
	printf "%-7s %s %s %s %s %7.2f", test, rate(test, "mgrfs"), rate(test, "constfs"),
		rate(test, "tmpfs"), rate(test, "python"),
		best[test " constfs"] / best[test " mgrfs"]
	if ((test " python") in best)
		printf " %7.2f", best[test " mgrfs"] / best[test " python"]
	printf "\n"
}
# A row with no minimal file system nor Python beside it: mgrfs and
# tmpfs, and the rate of mgrfs over the rate of tmpfs.
function bytes(test) {
	printf "%-7s %s %10s %s %10s %7s %7s %7.3f\n", test, rate(test, "mgrfs"), "-",
		rate(test, "tmpfs"), "-", "-", "-", best[test " mgrfs"] / best[test " tmpfs"]
}
END {
	printf "%-7s %10s %10s %10s %10s %7s %7s\n", "per s", "mgrfs", "constfs", "tmpfs",
		"python", "time", "python"
	row("read"); row("write"); row("queue"); row("fill"); row("drain")
	bytes("append"); bytes("copyin"); bytes("copyout")
	print "# read, write: operations a second; queue: items a second end to end"
	print "# (its tmpfs column is a FIFO, a kernel pipe); fill, drain: items a"
	print "# second into a queue as seq writes them, and back one a read().  time:"
	print "# time on mgrfs over time on constfs (target for read <= 1.5); python:"
	print "# mgrfs rate over Python SyncManager Queue rate (target for queue >= 2)."
	print "# append: lines a second from a process on each of two mounts, one"
	print "# file; copyin, copyout: megabytes a second of 50 MiB copied as cp"
	print "# does; their last column: the rate of mgrfs over that of tmpfs."
}' "$tmp/rates"
