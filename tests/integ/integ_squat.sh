#!/usr/bin/env bash
# The default socket, /tmp/mgrfs-UID/socket without XDG_RUNTIME_DIR, is in
# a directory anyone could have made first.  Its clients (mgrctl,
# mgrd --relay, the benchmark, mgrfs) trust it only when the directory is
# the user's own and closed to others and the manager there runs as the
# user or root (mgrfs(7)); else they say what is wrong and send nothing.
# Here another user (nobody) gets there first with a fake manager
# (fakemgr.py) that writes down what reaches it.  Root is the victim, as
# in CI, in a mount namespace with a /tmp of its own, so that root's real
# /tmp/mgrfs-0 is never touched; and, when the binaries are open to it, a
# user of no account.
if [[ -z ${MGR_SQUAT_NS:-} ]]; then
	if [[ $(id -u) != 0 ]] || ! unshare --mount --propagation private true 2>/dev/null; then
		echo "1..0 # SKIP needs root and mount namespaces"
		exit 77
	fi
	MGR_SQUAT_NS=1 exec unshare --mount --propagation private "$0" "$@"
fi
# The tree and the build may be under /tmp themselves (a clone there):
# the real /tmp stays in reach at /mnt, in this namespace only.
here=$(cd "$(dirname "$0")" && pwd)
mount --bind /tmp /mnt && mount -t tmpfs -o mode=1777 mgrfs-squat /tmp ||
	{ echo "Bail out! cannot mount a /tmp"; exit 1; }
under_tmp() { case $1 in /tmp/*) echo "/mnt/${1#/tmp/}" ;; *) echo "$1" ;; esac; }
here=$(under_tmp "$here")
for v in MGRD MGRCTL MGRFS MGR_BENCH SRCDIR PYTHON; do
	[[ -n ${!v:-} ]] && export "$v=$(under_tmp "${!v}")"
done
. "$here/lib.sh"

NOBODY=65534
dir=/tmp/mgrfs-0
# dflt CMD...: CMD with the default socket, however the test's own
# environment names one; an array, so that a program run in the
# background is the one $! names.
dflt=(env -u MGRFS_SOCKET -u XDG_RUNTIME_DIR -u MGRFS_ADDR -u MGRFS_AUTHKEY_FILE)

# t_untouched NAME DESC: the fake NAME was not even connected to.
t_untouched() {
	if ! fake_connected "$1"; then
		ok "$2"
	else
		not_ok "$2"
		sed 's/^/#   fake: /' "$TMP/$1.log"
	fi
}

# t_sent_nothing NAME DESC: connected to, perhaps, but sent no frame.
t_sent_nothing() {
	if ! fake_frames "$1" >/dev/null; then
		ok "$2"
	else
		not_ok "$2"
		sed 's/^/#   fake: /' "$TMP/$1.log"
	fi
}

# wait_own PID RUN...: wait until mgrctl run by RUN answers, or PID ends.
wait_own() {
	local pid=$1 i
	shift
	for ((i = 0; i < 200; i++)); do
		"$@" "$MGRCTL" ping >/dev/null 2>&1 && return 0
		alive "$pid" || return 1
		sleep 0.05
	done
	return 1
}

stop_fake() {
	kill9 "$FAKE_PID"
	rm -rf "$dir"
}

# (1) nobody makes /tmp/mgrfs-0, with a fake manager in it.
start_fake squat --unix "$dir/socket" --mkdir 755 --as $NOBODY
t_err 1 "$dir belongs to uid $NOBODY, not to you \(uid 0\).*rm -r $dir" \
	"mgrctl refuses a default socket in a directory another user made, and says what to do" \
	"${dflt[@]}" "$MGRCTL" set secret '"hunter2"'
t_untouched squat "and never connects to it"
: >"$TMP/squat.log"
t_err 1 "belongs to uid $NOBODY" "mgrd --relay refuses it too" \
	"${dflt[@]}" "$MGRCTL" -c "exec:$MGRD --relay" set secret '"hunter2"'
t_untouched squat "and never connects to it either"
: >"$TMP/squat.log"
t_err 1 "belongs to uid $NOBODY" "so does the benchmark, given the default socket" \
	"${dflt[@]}" "$MGR_BENCH" -c "$dir/socket" -t 1 -n 1 --no-memory
t_untouched squat "which never connects to it"
if [[ -n ${MGRFS:-} && -c /dev/fuse ]]; then
	: >"$TMP/squat.log"
	mkdir -p "$TMP/mnt"
	t_err 1 "belongs to uid $NOBODY" "mgrfs refuses it and starts no manager" \
		"${dflt[@]}" timeout 60 "$MGRFS" -f "$TMP/mnt"
	t_untouched squat "and never connects to it"
	t_true "and mounts nothing" sh -c "! mountpoint -q '$TMP/mnt'"
else
	ok "# SKIP mgrfs is not built or there is no /dev/fuse"
	ok "# SKIP mgrfs is not built or there is no /dev/fuse"
	ok "# SKIP mgrfs is not built or there is no /dev/fuse"
fi
t_err 1 "must be a directory of uid 0" "mgrd will not listen there" "${dflt[@]}" timeout 60 "$MGRD"
stop_fake

# (2) A directory of root's that others may write to.
start_fake open --unix "$dir/socket" --mkdir 777 --as $NOBODY
chown 0:0 "$dir"
t_err 1 "$dir is open to other users \(mode 0777\)" \
	"a default socket's directory open to others is refused" "${dflt[@]}" "$MGRCTL" ping
t_untouched open "and not connected to"
stop_fake

# (3) The right directory, but someone else's manager listening in it (a
# socket put there some other way): the kernel names who listens.
start_fake peer --unix "$dir/socket" --mkdir 700 --as $NOBODY
chown 0:0 "$dir"
t_err 1 "the manager there runs as uid $NOBODY" \
	"a manager of another user on the default socket is refused" "${dflt[@]}" "$MGRCTL" set secret '"hunter2"'
t_sent_nothing peer "and is sent nothing"
stop_fake

# (4) $XDG_RUNTIME_DIR/mgrfs is checked the same way.
mkdir -m 700 "$TMP/xdg"
start_fake xdg --unix "$TMP/xdg/mgrfs/socket" --mkdir 755 --as $NOBODY
t_err 1 "$TMP/xdg/mgrfs belongs to uid $NOBODY" "so is \$XDG_RUNTIME_DIR/mgrfs made by another user" \
	"${dflt[@]}" XDG_RUNTIME_DIR="$TMP/xdg" "$MGRCTL" ping
t_untouched xdg "and not connected to"
kill9 "$FAKE_PID"

# (5) What is right still works: root's own manager on the default socket,
# directly and through the relay.
"${dflt[@]}" "$MGRD" 2>>"$TMP/mgrd.log" &
own=$!
bg "$own"
wait_own "$own" "${dflt[@]}" || bail "root's own default manager did not answer"
t_out pong "root's own manager on the default socket is trusted" "${dflt[@]}" "$MGRCTL" ping
t_out pong "and so it is through the relay" "${dflt[@]}" "$MGRCTL" -c "exec:$MGRD --relay" ping
kill9 "$own"
rm -rf "$dir"

# (6) A user of no account, where the binaries are open to one.
victim=
for u in $(seq 61000 61100); do
	getent passwd "$u" >/dev/null || { victim=$u; break; }
done
as_victim=(setpriv --reuid="$victim" --regid="$victim" --clear-groups "${dflt[@]}" HOME=/)
if [[ -n $victim ]] && command -v setpriv >/dev/null &&
	"${as_victim[@]}" test -x "$MGRCTL" -a -x "$MGRD"; then
	vdir=/tmp/mgrfs-$victim
	start_fake vsquat --unix "$vdir/socket" --mkdir 755 --as $NOBODY
	t_err 1 "$vdir belongs to uid $NOBODY, not to you \(uid $victim\)" \
		"any user's mgrctl refuses a directory another made for it" "${as_victim[@]}" "$MGRCTL" ping
	t_untouched vsquat "and never connects to it"
	kill9 "$FAKE_PID"
	rm -rf "$vdir"
	"${as_victim[@]}" "$MGRD" 2>>"$TMP/mgrd.log" &
	own=$!
	bg "$own"
	wait_own "$own" "${as_victim[@]}"
	t_out pong "and uses its own manager there" "${as_victim[@]}" "$MGRCTL" ping
	kill9 "$own"
else
	ok "# SKIP no free uid, no setpriv, or the binaries are not open to other users"
	ok "# SKIP no free uid, no setpriv, or the binaries are not open to other users"
	ok "# SKIP no free uid, no setpriv, or the binaries are not open to other users"
fi
finish
