# Shared by the mgrfs tests: the integration tests' helpers (a temporary
# directory, a real mgrd, TAP output), plus mounting.  Every mount is
# unmounted at exit, before the temporary directory is removed.
#
# Environment (set by meson): MGRD, MGRCTL, MGRFS, SRCDIR.

: "${MGRFS:?MGRFS must name the mgrfs binary}"

# Without FUSE there is nothing to test: meson's skip status.
if [[ ! -c /dev/fuse ]] || ! command -v fusermount3 >/dev/null; then
	echo "1..0 # SKIP no /dev/fuse or no fusermount3"
	exit 77
fi

. "${SRCDIR:-$(dirname "$0")/../..}/tests/integ/lib.sh"

_mounts=()

_fs_cleanup() {
	local m
	for m in "${_mounts[@]}"; do
		fusermount3 -u -z "$m" 2>/dev/null
	done
	_cleanup
}
trap _fs_cleanup EXIT

# mount_fs DIR [MGRFS ARGS...]: mount the test's manager (or the address
# given) on DIR; mgrfs detaches once the tree is there.
mount_fs() {
	local dir=$1
	shift
	mkdir -p "$dir"
	timeout 30 "$MGRFS" "$@" "$dir" 2>>"$TMP/mgrfs.log" || bail "mgrfs $* $dir failed: $(cat "$TMP/mgrfs.log")"
	_mounts+=("$dir")
}

# two_mounts: a manager of the test's own, mounted twice, at $M and $M2,
# as two hosts would mount it.
two_mounts() {
	start_mgrd
	M=$TMP/m
	M2=$TMP/m2
	mount_fs "$M"
	mount_fs "$M2"
}

umount_fs() {
	fusermount3 -u "$1"
}

# Run a command that might hang on a bug, with a generous limit.
T() {
	timeout 60 "$@"
}

# t_fail ERRNO-TEXT DESC CMD...: CMD fails and says so with the strerror
# text of the errno expected.
t_fail() {
	local pat=$1 desc=$2
	shift 2
	run "$@"
	if [[ $RC != 0 ]] && grep -q -- "$pat" <<<"$ERR"; then
		ok "$desc"
	else
		not_ok "$desc (want a failure with '$pat')"
		_show "$@"
	fi
}

# t_eq WANT GOT DESC: two strings are equal.
t_eq() {
	if [[ $1 == "$2" ]]; then
		ok "$3"
	else
		not_ok "$3"
		echo "#   want: $(head -c 300 <<<"$1" | tr '\n' '|')"
		echo "#   got:  $(head -c 300 <<<"$2" | tr '\n' '|')"
	fi
}

# wait_for DESC CMD...: CMD succeeds within 20 seconds (polling).
wait_for() {
	local desc=$1 i
	shift
	for ((i = 0; i < 400; i++)); do
		"$@" >/dev/null 2>&1 && { ok "$desc"; return 0; }
		sleep 0.05
	done
	not_ok "$desc (gave up waiting)"
	return 1
}

# flock_add LOCK FILE N: add 1 to the number in FILE, N times, each time
# under flock(1) on LOCK, written as the idiom is by hand:
#   flock LOCK -c 'echo $(( $(cat FILE) + 1 )) > FILE'
# Each flock is given 120 s, a guard against a hang.  Fails at the first
# that fails.
flock_add() {
	local lock=$1 file=$2 n=$3 i
	for ((i = 0; i < n; i++)); do
		timeout 120 flock "$lock" -c "echo \$(( \$(cat '$file') + 1 )) > '$file'" || return 1
	done
}

# flock_counters PROCS N LOCK FILE DIR...: the flock counter: spawn PROCS
# processes that each flock_add DIR/LOCK DIR/FILE N, process p in the DIRs
# in turn (two mounts, two hosts: DIR0 for p even, DIR1 for p odd).
# wait_spawned waits for them, and for any spawned with them.
flock_counters() {
	local procs=$1 n=$2 lock=$3 file=$4 p d
	shift 4
	local dirs=("$@")
	for ((p = 0; p < procs; p++)); do
		d=${dirs[p % ${#dirs[@]}]}
		spawn flock_add "$d/$lock" "$d/$file" "$n"
	done
}

# fs_finish: finish, with mgrfs's messages when something failed.
fs_finish() {
	if ((_failed)) && [[ -s $TMP/mgrfs.log ]]; then
		echo "# mgrfs's messages:"
		sed 's/^/#   /' "$TMP/mgrfs.log"
	fi
	finish
}
