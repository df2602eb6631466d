#!/usr/bin/env bash
# Locks through the tree: flock(1) on NAME.lock and on any file, across
# two mounts of one manager; 8 processes counting to 400 under flock;
# flock -w and -n; a holder killed with SIGKILL lets the waiter on the
# other mount in; lockfiles show holder and waiters; a semaphore lockfile
# lets as many in as it has units; POSIX locks (fcntl) hold across mounts
# and go with the closing process.
. "$(dirname "$0")/lib.sh"

two_mounts

# The idioms, as written.
mkdir "$M/locks"
t_out "deploying" "flock M/locks/deploy.lock -c ..." T flock "$M/locks/deploy.lock" -c 'echo deploying'
t_out "lock" "flock made NAME.lock a lock" sh -c "'$MGRCTL' stat locks/deploy.lock | sed -n 's/^type: //p'"
run T cat "$M/locks/deploy.lock"
t_true "cat of a free lock shows it unlocked" grep -q "^locked: false" <<<"$OUT"
t_true "and its waiters" grep -q "^waiters: 0" <<<"$OUT"
run T flock "$M/locks/deploy.lock" -c "cat '$M/locks/deploy.lock'"
t_true "held, it shows its holder" grep -q "^holder: session [0-9]* owner [0-9]*" <<<"$OUT"
if command -v getfattr >/dev/null; then
	run T flock "$M/locks/deploy.lock" -c "getfattr -n user.mgr.holder --only-values '$M/locks/deploy.lock'"
	t_true "user.mgr.holder names the holder" grep -q "^session [0-9]* owner [0-9]*" <<<"$OUT"
else
	ok "# SKIP getfattr is not installed"
fi
echo 0 >"$M/counter"
t_ok "flock M/counter -c 'echo \$(( \$(cat M/counter) + 1 )) > M/counter'" \
	T flock "$M/counter" -c "echo \$(( \$(cat '$M/counter') + 1 )) > '$M/counter'"
t_out "1" "counts" cat "$M/counter"
t_out "counter" "the lock of a plain file is kept in .mgrfs-locks" ls "$M/.mgrfs-locks"

# 8 processes, 4 on each mount, each add 1 fifty times under flock.
echo 0 >"$M/counter"
flock_counters 8 50 counter counter "$M" "$M2"
wait_spawned
t_eq 0 "$FAILED" "every incrementer finished"
t_out "400" "the counter ends at 400" cat "$M/counter"
t_out "400" "seen so on the other mount too" cat "$M2/counter"

# -n and -w, across mounts.
T flock "$M/locks/x.lock" -c 'sleep 3' &
holder=$!
bg "$holder"
wait_for "the holder holds" grep -q "^locked: true" "$M/locks/x.lock"
t_rc 1 "flock -n on the other mount fails at once" flock -n "$M2/locks/x.lock" -c true
t_rc 1 "flock -w 1 gives up" flock -w 1 "$M2/locks/x.lock" -c true
t_true "and the interrupted wait took nothing" grep -q "^waiters: 0" "$M/locks/x.lock"
t_out "got it" "a blocking flock gets it when the holder is done" \
	T flock "$M2/locks/x.lock" -c 'echo got it'
wait "$holder"

# A holder killed with SIGKILL: the waiter on the other mount gets the lock.
# (flock -o keeps the lock in the flock process alone, not in its command.)
flock -o "$M/locks/k.lock" sleep 120 &
holder=$!
bg "$holder"
wait_for "a holder holds k.lock" grep -q "^locked: true" "$M/locks/k.lock"
for p in $(pgrep -P "$holder"); do
	bg "$p"
done
T flock "$M2/locks/k.lock" -c "echo waited >'$TMP/waiter.out'" &
waiter=$!
bg "$waiter"
wait_for "a waiter on the other mount waits" grep -q "^waiters: 1" "$M/locks/k.lock"
t_true "and has not got it" test ! -s "$TMP/waiter.out"
{ kill -KILL "$holder"; wait "$holder"; } 2>/dev/null
wait "$waiter"
t_out "waited" "after SIGKILL of the holder the waiter gets the lock" cat "$TMP/waiter.out"
t_true "and it is free after" grep -q "^locked: false" "$M/locks/k.lock"

# A semaphore lockfile: flock takes one unit.
mc new semaphore locks/sem 2 >/dev/null
T flock "$M/locks/sem" -c 'sleep 3' &
s1=$!
T flock "$M/locks/sem" -c 'sleep 3' &
s2=$!
bg "$s1"
bg "$s2"
wait_for "two holders take the two units" sh -c "'$MGRCTL' value locks/sem | grep -qx 0"
t_rc 1 "a third finds none" flock -n "$M2/locks/sem" -c true
wait "$s1" "$s2"
t_out "2" "the units come back" mc value locks/sem

# POSIX locks (fcntl), whole file, across mounts; closing any descriptor
# of the file gives the process's lock back.
echo data >"$M/plock"
t_out "busy" "an fcntl lock holds against another mount" T python3 -c "
import fcntl, os, sys
fd = os.open('$M/plock', os.O_RDWR)
fcntl.lockf(fd, fcntl.LOCK_EX)
pid = os.fork()
if pid == 0:
    fd2 = os.open('$M2/plock', os.O_RDWR)
    try:
        fcntl.lockf(fd2, fcntl.LOCK_EX | fcntl.LOCK_NB)
        print('taken')
    except OSError:
        print('busy')
    os._exit(0)
os.waitpid(pid, 0)"
t_out "taken" "and is gone with the process that held it" T python3 -c "
import fcntl, os
fd = os.open('$M2/plock', os.O_RDWR)
fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
print('taken')"
t_out "1 0" "F_GETLK tells a lock held elsewhere" T python3 -c "
import fcntl, os, struct, subprocess, time
holder = subprocess.Popen(['python3', '-c', '''
import fcntl, os, sys, time
fd = os.open(\"$M/plock\", os.O_RDWR)
fcntl.lockf(fd, fcntl.LOCK_EX)
print(\"held\", flush=True)
time.sleep(30)'''], stdout=subprocess.PIPE)
holder.stdout.readline()
fd = os.open('$M2/plock', os.O_RDWR)
req = struct.pack('hhqqi', fcntl.F_WRLCK, 0, 0, 0, 0)
got = struct.unpack('hhqqi', fcntl.fcntl(fd, fcntl.F_GETLK, req))
holder.kill()
holder.wait()
print(got[0], got[4])"

umount_fs "$M2"
umount_fs "$M"
fs_finish
