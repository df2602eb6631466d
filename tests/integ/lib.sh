# Shared by the integration tests: each sources this, which makes a
# temporary directory, and calls start_mgrd to run a real mgrd on a socket
# in it.  Everything started here is killed on exit.  Results are TAP lines;
# the script's status is non-zero when any check failed.
#
# Environment (set by meson): MGRD, MGRCTL, SRCDIR.

set -u

: "${MGRD:?MGRD must name the mgrd binary}"
: "${MGRCTL:?MGRCTL must name the mgrctl binary}"

# Debian's python3 starts in a tenth of the time of a version manager's
# shim, which counts in tests that call it in loops.
PYTHON=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}
# rawclient.py is imported from the source tree, which stays clean.
export PYTHONDONTWRITEBYTECODE=1

TMP=$(mktemp -d "${TMPDIR:-/tmp}/mgrfs-integ.XXXXXX")
export MGRFS_SOCKET=$TMP/sock
MGRD_PID=
_bg_pids=()
_n=0
_failed=0

_cleanup() {
	local p
	for p in "${_bg_pids[@]}" $MGRD_PID; do
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$TMP"
}
trap _cleanup EXIT
trap 'exit 130' INT TERM

ok() {
	_n=$((_n + 1))
	echo "ok $_n - $*"
}

not_ok() {
	_n=$((_n + 1))
	_failed=$((_failed + 1))
	echo "not ok $_n - $*"
}

# The end: the plan, a count, and the status.
finish() {
	echo "1..$_n"
	echo "# $((_n - _failed)) passed, $_failed failed"
	[[ -s $TMP/mgrd.log ]] && { echo "# mgrd's log:"; sed 's/^/#   /' "$TMP/mgrd.log"; }
	((_failed == 0))
	exit
}

bail() {
	echo "Bail out! $*"
	[[ -s $TMP/mgrd.log ]] && sed 's/^/#   /' "$TMP/mgrd.log"
	exit 1
}

# Remember a background process so that it is killed at exit.
bg() {
	_bg_pids+=("$1")
}

# Processes side by side.  spawn [-o LOG] CMD...: run CMD (a program or a
# function) in the background, killed at exit if still running; with -o
# its output and errors go to LOG, which is shown if it fails.
# wait_spawned: wait for every process spawned since the last call; FAILED
# is how many of them failed.
_spawned=()
_spawned_logs=()
spawn() {
	local log=
	if [[ $1 == -o ]]; then
		log=$2
		shift 2
		"$@" >"$log" 2>&1 &
	else
		"$@" &
	fi
	_spawned+=("$!")
	_spawned_logs+=("$log")
	bg "$!"
}

wait_spawned() {
	local i
	FAILED=0
	for i in "${!_spawned[@]}"; do
		if ! wait "${_spawned[i]}"; then
			FAILED=$((FAILED + 1))
			[[ -n ${_spawned_logs[i]} ]] && sed 's/^/#   /' "${_spawned_logs[i]}"
		fi
	done
	_spawned=()
	_spawned_logs=()
	return 0
}

# Wait until mgrctl (with the options given) gets "pong", or the server
# with pid $1 is gone.
wait_ping() {
	local pid=$1 i
	shift
	for ((i = 0; i < 200; i++)); do
		"$MGRCTL" "$@" ping >/dev/null 2>&1 && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# Start mgrd with the arguments given (none: the default socket, which is
# $MGRFS_SOCKET), and MGRD_OPTS (meson sets it to run a test again with
# other options), and wait for it.  MGRD_PID is its pid.
start_mgrd() {
	"$MGRD" ${MGRD_OPTS:-} "$@" 2>>"$TMP/mgrd.log" &
	MGRD_PID=$!
	wait_ping "$MGRD_PID" || bail "mgrd $* did not answer"
}

# A TCP port on the loopback that nothing listens on now.
free_port() {
	"$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Kill background processes with SIGKILL and reap them, so that the shell
# does not report each as "Killed".
kill9() {
	kill -KILL "$@" 2>/dev/null
	wait "$@" 2>/dev/null
	return 0
}

# Is the manager with pid $1 still running?
alive() {
	kill -0 "$1" 2>/dev/null
}

# run CMD...: its stdout in OUT, stderr in ERR, status in RC.
run() {
	OUT=$("$@" 2>"$TMP/stderr")
	RC=$?
	ERR=$(<"$TMP/stderr")
}

_show() {
	echo "#   command: $*"
	echo "#   status $RC, stdout: $(head -c 400 <<<"$OUT" | tr '\n' '|')"
	[[ -n $ERR ]] && echo "#   stderr: $(head -c 400 <<<"$ERR" | tr '\n' '|')"
	return 0
}

# t_rc N DESC CMD...: CMD exits with status N.
t_rc() {
	local want=$1 desc=$2
	shift 2
	run "$@"
	if [[ $RC == "$want" ]]; then
		ok "$desc"
	else
		not_ok "$desc (want status $want)"
		_show "$@"
	fi
}

# t_ok DESC CMD...: CMD succeeds.
t_ok() {
	local desc=$1
	shift
	t_rc 0 "$desc" "$@"
}

# t_out WANT DESC CMD...: CMD succeeds and prints exactly WANT.
t_out() {
	local want=$1 desc=$2
	shift 2
	run "$@"
	if [[ $RC == 0 && $OUT == "$want" ]]; then
		ok "$desc"
	else
		not_ok "$desc (want status 0 and output '$want')"
		_show "$@"
	fi
}

# t_err N PATTERN DESC CMD...: CMD exits with status N and its stderr
# matches the extended regular expression PATTERN.
t_err() {
	local want=$1 pat=$2 desc=$3
	shift 3
	run "$@"
	if [[ $RC == "$want" ]] && grep -Eq -- "$pat" <<<"$ERR"; then
		ok "$desc"
	else
		not_ok "$desc (want status $want and stderr matching /$pat/)"
		_show "$@"
	fi
}

# t_json EXPR DESC CMD...: CMD succeeds and prints JSON v for which the
# Python expression EXPR is true.
t_json() {
	t_json_rc 0 "$@"
}

# t_json_rc N EXPR DESC CMD...: the same for a CMD that exits with N.
t_json_rc() {
	local want=$1 expr=$2 desc=$3
	shift 3
	run "$@"
	if [[ $RC == "$want" ]] && "$PYTHON" -c '
import json, sys
v = json.loads(sys.stdin.read())
sys.exit(0 if eval(sys.argv[1]) else 1)' "$expr" <<<"$OUT" 2>/dev/null; then
		ok "$desc"
	else
		not_ok "$desc (want status $want and JSON with $expr)"
		_show "$@"
	fi
}

# tap_report FILE: the checks a Python script made, one line each,
# "PASS desc" or "FAIL desc: detail", as TAP; any other line (a traceback)
# as a comment.
tap_report() {
	local line
	while IFS= read -r line; do
		case $line in
		"PASS "*) ok "${line#PASS }" ;;
		"FAIL "*) not_ok "${line#FAIL }" ;;
		*) echo "# $line" ;;
		esac
	done <"$1"
}

# t_true DESC CONDITION...: a check on something already computed.
t_true() {
	local desc=$1
	shift
	if "$@"; then
		ok "$desc"
	else
		not_ok "$desc"
		echo "#   failed: $*"
	fi
}

# Poll until the manager's stat of $1 satisfies the Python expression $2
# on v, to know that another process got as far as it should (a waiter is
# parked, a lock is taken).  The bound is a hang guard, not a timing check.
wait_stat() {
	local i
	for ((i = 0; i < 600; i++)); do
		"$MGRCTL" --json stat "$1" 2>/dev/null | "$PYTHON" -c '
import json, sys
v = json.load(sys.stdin)
sys.exit(0 if eval(sys.argv[1]) else 1)' "$2" && return 0
		sleep 0.05
	done
	return 1
}

# start_fake NAME ARGS...: a fake manager (fakemgr.py, which see) with
# ARGS, writing what it is sent to $TMP/NAME.log, killed at exit.  FAKE_PID
# is its pid, and with --tcp FAKE_PORT its port.  fake_frames NAME: the
# frames it was sent; fake_connected NAME: whether anyone connected.
_integ_dir=$(dirname "${BASH_SOURCE[0]}")
start_fake() {
	local name=$1 i
	shift
	: >"$TMP/$name.log"
	"$PYTHON" "$_integ_dir/fakemgr.py" "$TMP/$name.log" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
	FAKE_PID=$!
	bg "$FAKE_PID"
	for ((i = 0; i < 600; i++)); do
		grep -qx ready "$TMP/$name.out" && break
		alive "$FAKE_PID" || break
		sleep 0.05
	done
	grep -qx ready "$TMP/$name.out" || bail "the fake manager $name did not start: $(cat "$TMP/$name.err")"
	FAKE_PORT=$(head -n 1 "$TMP/$name.out")
}

fake_frames() {
	grep -vx connect "$TMP/$1.log"
}

fake_connected() {
	grep -qx connect "$TMP/$1.log"
}

# mc ARGS...: mgrctl on the test's manager.
mc() {
	"$MGRCTL" "$@"
}
