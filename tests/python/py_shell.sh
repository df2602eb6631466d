#!/usr/bin/env bash
# The shell and unmodified Python programs on one manager: mgrd with a
# python listener, mounted with mgrfs, driven by shell tools and by
# pyclient.py (an unmodified-style client that reaches tree objects by
# name, BaseManager.register('NAME')).
#
#   - `seq 1 1000 > M/jobs/q` is drained by a Python proxy, in order, each
#     item once; and Python's 1000 puts are read back with cat;
#   - `flock M/x.lock` makes a Python acquire() of the same lock wait, and
#     a lock Python holds makes flock -n fail; getfattr -d and cat show a
#     Python-held lock's holder; a killed Python holder's lock is free;
#   - ls, cat and mgrctl dump show a running Python program's objects, and
#     they are gone once it has exited.
#
# Skips (77) without /dev/fuse, or when $MGRD has no python listener.
. "$(dirname "$0")/../fs/lib.sh"

HERE=$(cd "$(dirname "$0")" && pwd)
if ! "$MGRD" --help 2>&1 | grep -q 'python+tcp'; then
	echo "1..0 # SKIP $MGRD has no python+tcp:/python+unix: listener"
	exit 77
fi

(umask 077; head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$TMP/key")
# mgrctl and mgrfs reach the manager through the environment: a native
# listener that asks for the key, as the python ones do.
export MGRFS_ADDR="unix:$TMP/ctl.sock" MGRFS_AUTHKEY_FILE="$TMP/key"
export MGR_PY_ADDRESS="python+unix:$TMP/py.sock" MGR_PY_AUTHKEY_FILE="$TMP/key"
port=$(free_port)
start_mgrd -l "$MGRFS_ADDR" -l "python+tcp:127.0.0.1:$port" -l "python+unix:$TMP/py.sock" \
	--authkey-file "$TMP/key"
M=$TMP/m
mount_fs "$M"

py() {
	timeout 120 "$PYTHON" "$HERE/pyclient.py" "$@"
}

# --- A queue: the shell writes, Python takes; Python puts, the shell reads.
mkdir "$M/jobs"
mkfifo "$M/jobs/q"
t_ok "seq 1 1000 > M/jobs/q" T sh -c "seq 1 1000 > '$M/jobs/q'"
t_out 1000 "the queue holds 1000 items" mc qsize jobs/q
run py drain jobs/q 1000
echo "$OUT" >"$TMP/drain.out"
tap_report "$TMP/drain.out"
[[ $RC == 0 ]] || { not_ok "pyclient.py drain failed"; _show py drain jobs/q 1000; }
t_out 0 "mgrctl sees it empty" mc qsize jobs/q

run py fill jobs/q 1000
t_true "Python put 1000 items" test "$RC" = 0
t_out 1000 "the shell sees 1000 items" mc qsize jobs/q
: >"$TMP/read.out"
for ((i = 0; i < 1000; i++)); do
	T cat "$M/jobs/q" >>"$TMP/read.out" || break
done
t_eq "$(seq 1 1000)" "$(cat "$TMP/read.out")" "cat M/jobs/q 1000 times reads 1..1000, in order"
t_out 0 "and the queue is empty" mc qsize jobs/q

# --- A lock: flock against Python's acquire(), both ways.
T flock "$M/x.lock" -c 'sleep 4' &
holder=$!
bg "$holder"
wait_for "flock holds M/x.lock" grep -q "^locked: true" "$M/x.lock"
run py acquire x.lock 0.5
t_true "Python's acquire(True, 0.5) fails while flock holds it ($OUT)" grep -q "^False" <<<"$OUT"
run py acquire x.lock 60
t_true "a blocking acquire() gets it once flock lets go ($OUT)" grep -q "^True" <<<"$OUT"
t_true "and not before (waited $(cut -d' ' -f2 <<<"$OUT") s)" \
	awk -v s="$(cut -d' ' -f2 <<<"$OUT")" 'BEGIN { exit !(s >= 1.0) }'
wait "$holder"

mkfifo "$TMP/hold.in"
py hold x.lock <"$TMP/hold.in" >"$TMP/hold.out" 2>&1 &
pyholder=$!
bg "$pyholder"
exec 9>"$TMP/hold.in"
wait_for "Python holds x.lock" grep -qx held "$TMP/hold.out"
t_rc 1 "flock -n M/x.lock fails while Python holds it" flock -n "$M/x.lock" -c true
t_rc 1 "flock -w 1 gives up" flock -w 1 "$M/x.lock" -c true
run T cat "$M/x.lock"
t_true "cat shows it locked" grep -q "^locked: true" <<<"$OUT"
t_true "and its holder" grep -Eq "^(holder|owner): .+" <<<"$OUT"
if command -v getfattr >/dev/null; then
	run T getfattr -d "$M/x.lock"
	t_true "getfattr -d shows the Python holder" grep -Eq '^user\.mgr\.(holder|owner)=".+"' <<<"$OUT"
else
	ok "# SKIP getfattr is not installed"
fi
kill9 "$pyholder"
exec 9>&-
wait_for "a killed Python holder's lock is free" grep -q "^locked: false" "$M/x.lock"
t_out "got it" "and flock takes it" T flock -w 10 "$M/x.lock" -c 'echo got it'

# --- A running Python program's objects in the tree.
marker=py-$$-$RANDOM
mkfifo "$TMP/obj.in"
py objects "$marker" <"$TMP/obj.in" >"$TMP/obj.out" 2>&1 &
pyobj=$!
bg "$pyobj"
exec 8>"$TMP/obj.in"
wait_for "a Python program made its objects" grep -qx ready "$TMP/obj.out"
run mc dump
t_true "mgrctl dump shows them" grep -q "$marker" <<<"$OUT"
# Where the python objects live is mgrd's choice: find the dict by its
# marker in the dump.
paths=$("$PYTHON" -c '
import json, sys
marker = sys.argv[1]
def walk(v, path):
    if isinstance(v, dict):
        if v.get("marker") == marker:
            print("/".join(path))
        for k, x in v.items():
            walk(x, path + [k])
walk(json.loads(sys.stdin.read()), [])' "$marker" <<<"$OUT")
dict_path=$(head -n 1 <<<"$paths")
t_true "the dict is in the tree (at '${dict_path}')" test -n "$dict_path"
if [[ -n $dict_path ]]; then
	parent=$(dirname "$dict_path")
	[[ $parent == . ]] && parent=
	run T ls "$M/$parent"
	t_true "ls of its folder lists it" grep -qx "$(basename "$dict_path")" <<<"$OUT"
	run T ls "$M/$dict_path"
	t_true "ls of the dict lists its keys" grep -qx marker <<<"$OUT"
	run T cat "$M/$dict_path/marker"
	t_true "cat of a key shows its value" grep -q "$marker" <<<"$OUT"
	t_true "the dump holds its list, queue and Namespace too (the marker 4 times)" \
		test "$(mc dump | grep -o "$marker" | wc -l)" -ge 4
fi
exec 8>&-
wait "$pyobj"
t_true "the program exited cleanly" test $? = 0
wait_for "its objects are gone once it has exited (refcounts, SPEC §3.8)" \
	sh -c "! '$MGRCTL' dump | grep -q '$marker'"

fs_finish
