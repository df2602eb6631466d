#!/usr/bin/env bash
# Other clients change the tree all the time: a change made with mgrctl or
# through a second mount is seen by the next cat, stat and ls at once.
# Also: addresses (tcp with a key, exec), a manager started when none
# runs, and a manager that goes away.
. "$(dirname "$0")/lib.sh"

two_mounts

echo 1 >"$M/v"
t_out "1" "cat reads a value" cat "$M/v"
t_out "2" "with its size" stat -c %s "$M/v"
mc set v '"changed by mgrctl"' >/dev/null
t_out '"changed by mgrctl"' "a change by mgrctl is seen by cat at once" cat "$M/v"
t_out "20" "and by stat" stat -c %s "$M/v"
echo "from the second mount" >"$M2/v"
t_out "from the second mount" "a change through another mount is seen by cat" cat "$M/v"
t_out "22" "and by stat" stat -c %s "$M/v"
t_out "v" "ls sees what is there" ls "$M"
ls -l "$M" >/dev/null
mc set v '"a longer value than before"' >/dev/null
t_out "29" "ls -l shows a size changed by mgrctl at once" sh -c "ls -l '$M' | awk '/ v\$/ { print \$5 }'"
mc set w 5 >/dev/null
t_out $'v\nw' "and a name made by mgrctl at once" ls "$M"
t_out "5" "which reads" cat "$M/w"
mc rm w >/dev/null
t_fail "No such file" "a name deleted by mgrctl is gone at once" stat "$M/w"
t_out "v" "from ls too" ls "$M"
mc rm v >/dev/null
mc new dict v >/dev/null
# A name another client deletes is dropped from the kernel by mgrfs's
# notifier as soon as the event comes: a moment later, which on a machine
# loaded many times over its cores can be after the next command.
wait_for "an object replaced by one of another kind is seen as such" test -d "$M/v"
mkdir "$M2/made"
t_true "a directory made on one mount is there on the other" test -d "$M/made"
rmdir "$M2/made"
wait_for "and its removal too" test ! -e "$M/made"
# A file open while another client renames it, or its directory, follows
# it there, as on a local file system.
mkdir "$M/dir"
echo old >"$M/dir/a"
exec {fd}>"$M/dir/a"
mc mv dir/a dir/b >/dev/null
echo "written after the moves" >&"$fd"
mc mv dir dir2 >/dev/null
exec {fd}>&-
t_out "written after the moves" "an open file follows renames by another client" cat "$M/dir2/b"
t_fail "no such object" "and nothing is left at its old name" mc stat dir/a
# Also into directories this mount never looked at.
mc new dict far >/dev/null
mc new dict far/away >/dev/null
exec {fd}>"$M/dir2/b"
mc mv dir2/b far/away/c >/dev/null
echo "written far away" >&"$fd"
exec {fd}>&-
t_out 'written far away' "an open file follows into directories the mount has not seen" \
	mc get far/away/c
t_out "written far away" "which the mount then shows" cat "$M/far/away/c"
exec {fd}<"$M/far/away/c"
mc rm far/away/c >/dev/null
t_out "0 17" "a file another client deletes while it is open keeps its size, with no links" \
	stat -L -c '%h %s' "/proc/self/fd/$fd"
t_out "written far away" "and what it held" cat <&"$fd"
exec {fd}<&-
t_fail "No such file" "while its name is gone" stat "$M/far/away/c"
mc new queue q >/dev/null
mc put q 1 >/dev/null
if command -v getfattr >/dev/null; then
	t_out "1" "extended attributes follow changes" getfattr -n user.mgr.qsize --only-values "$M/q"
	mc put q 2 >/dev/null
	t_out "2" "at once" getfattr -n user.mgr.qsize --only-values "$M/q"
else
	ok "# SKIP getfattr is not installed"
	ok "# SKIP getfattr is not installed"
fi
umount_fs "$M2"

# A manager on TCP with a key, and one reached through exec:.
port=$((20000 + RANDOM % 20000))
printf 'sekrit-sekrit\n' >"$TMP/key"
chmod 600 "$TMP/key"
"$MGRD" -l "tcp:127.0.0.1:$port" --authkey-file "$TMP/key" 2>>"$TMP/mgrd.log" &
tcp_mgrd=$!
bg "$tcp_mgrd"
wait_ping "$tcp_mgrd" -c "tcp:127.0.0.1:$port" --authkey-file "$TMP/key" || bail "mgrd on tcp"
mount_fs "$TMP/tcp" "tcp:127.0.0.1:$port" -o "authkey_file=$TMP/key"
echo over-tcp >"$TMP/tcp/t"
t_out "over-tcp" "a tcp: manager with a key mounts" mc -c "tcp:127.0.0.1:$port" --authkey-file "$TMP/key" get t
umount_fs "$TMP/tcp"
run timeout 30 "$MGRFS" "tcp:127.0.0.1:$port" "$TMP/tcp"
t_true "without the key mgrfs says so and fails" test "$RC" != 0 -a -n "$ERR"
t_true "and nothing is mounted" test ! -e "$TMP/tcp/t"
# Key files are read as by mgrctl: private, and 8 bytes at least.  A key
# is a demand that the manager prove it holds it.
cp "$TMP/key" "$TMP/key644"
chmod 644 "$TMP/key644"
run timeout 30 "$MGRFS" -f "tcp:127.0.0.1:$port" -o "authkey_file=$TMP/key644" "$TMP/tcp"
t_true "mgrfs refuses a key file others can read, and says what to do" \
	test "$RC" = 1 -a -n "$(grep 'chmod 600' <<<"$ERR")"
printf 'k\n' >"$TMP/short"
chmod 600 "$TMP/short"
run timeout 30 "$MGRFS" -f "tcp:127.0.0.1:$port" --authkey-file "$TMP/short" "$TMP/tcp"
t_true "and a key of 1 byte" test "$RC" = 1 -a -n "$(grep 'shorter than 8 bytes' <<<"$ERR")"
run timeout 30 "$MGRFS" -f "unix:$MGRFS_SOCKET" -o "authkey_file=$TMP/key" "$TMP/tcp"
t_true "and, given a key, a manager that does not ask for it" \
	test "$RC" = 1 -a -n "$(grep 'did not ask for the authentication key' <<<"$ERR")"
t_true "and nothing is mounted" test ! -e "$TMP/tcp/t"
mount_fs "$TMP/ex" "exec:$MGRD --stdio"
echo hi >"$TMP/ex/x"
t_out "hi" "exec:mgrd --stdio mounts a private manager" cat "$TMP/ex/x"
umount_fs "$TMP/ex"

# No address and no manager: mgrfs starts one for the mount.
own=$TMP/own/sock
mkdir -p "$TMP/own"
MGRFS_SOCKET=$own mount_fs "$TMP/own/m"
echo started >"$TMP/own/m/s"
t_out "started" "with no manager running mgrfs starts one" env MGRFS_SOCKET="$own" "$MGRCTL" get s
t_ok "unmount it" umount_fs "$TMP/own/m"
wait_for "and the manager ends with the mount" env MGRFS_SOCKET="$own" sh -c "! '$MGRCTL' ping"

# The manager goes away: calls fail at once, and the mount unmounts.
kill -TERM "$MGRD_PID"
wait "$MGRD_PID" 2>/dev/null
MGRD_PID=
run timeout 10 cat "$M/q"
t_true "with the manager gone a call fails promptly" test "$RC" != 124 -a "$RC" != 0
t_true "with ENOTCONN" grep -q "not connected" <<<"$ERR"
t_ok "and the mount can be unmounted" umount_fs "$M"
fs_finish
