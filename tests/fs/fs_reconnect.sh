#!/usr/bin/env bash
# A mount that outlives its manager's link (-o reconnect): while the link
# is down calls fail with ENOTCONN, or wait for it with -o wait_link; once
# it is back the mount works without remounting, and a flock or POSIX
# lock that went with the old session fails its holder's next use with
# ENOLCK instead of being lost silently.  The link breaks twice: the
# manager killed and started again, and the manager frozen (SIGSTOP) so
# that only the keepalive can tell, with a lock holder across it.
. "$(dirname "$0")/lib.sh"

start_mgrd
M=$TMP/m
W=$TMP/w
LOG=$TMP/fs-reconnect.log

# In the foreground, so that what mgrfs says about the link is kept.
mkdir -p "$M" "$W"
"$MGRFS" -f -o reconnect,keepalive=1 "$M" 2>>"$LOG" &
bg $!
_mounts+=("$M")
"$MGRFS" -f -o reconnect,wait_link,keepalive=1 "$W" 2>>"$LOG" &
bg $!
_mounts+=("$W")
wait_for "both mounts are up" sh -c "mountpoint -q '$M' && mountpoint -q '$W'"

# The manager dies, and its objects with it.
kill9 "$MGRD_PID"
MGRD_PID=
t_fail "Transport endpoint is not connected" "while the link is down, cat fails with ENOTCONN" \
	T cat "$M/y"
start_mgrd
wait_for "with the manager back, the mount works again" sh -c "echo v >'$M/y' && grep -qx v '$M/y'"
t_out "v" "what is written now is read back" T cat "$M/y"

# Frozen, the manager says nothing: the keepalive (1 s) gives up on the
# link after 3 s; a call on the wait_link mount waits for it.
echo frozen >"$M/f"
echo 1 >"$M/x"
echo 1 >"$M/z"
# A holder that takes one file's lock by flock and another's by fcntl,
# then waits to be told to use them again.
cat >"$TMP/holder.py" <<'EOF'
import fcntl, os, sys, time
path, other, go = sys.argv[1:4]
fl = os.open(path, os.O_WRONLY | os.O_APPEND)
px = os.open(other, os.O_RDWR)
fcntl.flock(fl, fcntl.LOCK_EX)
fcntl.lockf(px, fcntl.LOCK_EX)
print("locked", flush=True)
while not os.path.exists(go):
    time.sleep(0.05)
def attempt(what, f):
    try:
        f()
        print(what, "ok", flush=True)
    except OSError as e:
        print(what, os.strerror(e.errno), flush=True)
attempt("write", lambda: os.write(fl, b"2\n"))
attempt("unlock", lambda: fcntl.flock(fl, fcntl.LOCK_UN))
attempt("write again", lambda: os.write(fl, b"3\n"))
attempt("lockf", lambda: fcntl.lockf(px, fcntl.LOCK_EX))
attempt("lockf again", lambda: fcntl.lockf(px, fcntl.LOCK_EX))
EOF
"$PYTHON" "$TMP/holder.py" "$M/x" "$M/z" "$TMP/go" >"$TMP/holder.out" 2>&1 &
HOLDER=$!
bg $HOLDER
wait_for "the holder has both locks" grep -q locked "$TMP/holder.out"

kill -STOP "$MGRD_PID"
wait_for "the silent link is given up" grep -q "broke (Connection timed out)" "$LOG"
t_fail "Transport endpoint is not connected" "cat fails with ENOTCONN meanwhile" T cat "$M/f"
timeout 60 cat "$W/f" >"$TMP/waited.out" 2>&1 &
WAITER=$!
sleep 1
t_true "on the wait_link mount, cat waits for the link" alive "$WAITER"
kill -CONT "$MGRD_PID"
wait "$WAITER"
t_eq "frozen" "$(cat "$TMP/waited.out")" "and reads the value once it is back"
wait_for "the other mount works again too" grep -qx frozen "$M/f"

# The old session's locks went with it.
touch "$TMP/go"
wait "$HOLDER"
t_eq "locked
write No locks available
unlock No locks available
write again ok
lockf No locks available
lockf again ok" "$(cat "$TMP/holder.out")" \
	"the lost locks fail the holder's next write, unlock and lockf with ENOLCK, once"
t_eq "1
3" "$(T cat "$M/x")" "the write after the report was stored, the refused one not"

t_true "mgrfs said when the link broke" grep -q "the link to the manager broke" "$LOG"
t_true "and when it came back" grep -q "the link to the manager is back" "$LOG"

fs_finish
