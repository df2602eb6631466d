#!/usr/bin/env bash
# Queues through the tree: mkfifo makes one, each line written is an item,
# each read() takes one, readers wait and can be interrupted or killed
# without losing an item, 300 waiting readers leave the tree answering,
# readers taking 2,000 items while being sent SIGINT take each exactly
# once, and shell workers whose cats die of it take none twice.
. "$(dirname "$0")/lib.sh"

start_mgrd
M=$TMP/m
mount_fs "$M"

# The idioms, as written.
t_ok "mkdir M/jobs" mkdir "$M/jobs"
t_ok "mkfifo M/jobs/q" mkfifo "$M/jobs/q"
t_out "queue" "is a queue" sh -c "'$MGRCTL' stat jobs/q | sed -n 's/^type: //p'"
t_true "shown as a regular file" test -f "$M/jobs/q"
t_out "0" "of size 0" stat -c %s "$M/jobs/q"
t_ok "seq 1 1000 > M/jobs/q" T sh -c "seq 1 1000 > '$M/jobs/q'"
t_out "1000" "makes 1000 items" mc qsize jobs/q
item=$(T cat "$M/jobs/q")
t_eq "1" "$item" "item=\$(cat M/jobs/q) takes exactly one item"
t_out "999" "and only one" mc qsize jobs/q
t_out "2" "the next cat takes the next" T cat "$M/jobs/q"
t_ok "ls -l M/jobs answers" ls -l "$M/jobs"
mkfifo "$M/jobs/r"
t_out "2" "the item is what mgrctl put" sh -c "'$MGRCTL' put jobs/r 2 && cat '$M/jobs/r'"

# Items: a line each, JSON where the line is exactly JSON.
mkfifo "$M/t"
printf 'a b\n{"k": 1}\n[1,2]\nlast' >"$M/t"
t_out "4" "a line is an item, the last even without a newline" mc qsize t
t_json "v.get('bytes') == 'YSBi'" "a line of text is bytes" mc --json get t
t_json "v.get('bytes') is not None" "JSON written loosely stays bytes" mc --json get t
t_json "v.get('value') == [1, 2]" "a line that is exact JSON is JSON" mc --json get t
t_out "last" "an item shows with a newline added" T cat "$M/t"
mc put t '"x"' >/dev/null
run T bash -c "read -r a < '$M/t'; echo \"\$a\""
t_eq '"x"' "$OUT" "bash read takes an item a byte at a time"
t_out "0" "and no more" mc qsize t
mc put t 1 >/dev/null
mc put t 2 >/dev/null
run T bash -c "exec 3<'$M/t'; read -r a <&3; read -r b <&3; echo \"\$a/\$b\"; exec 3<&-"
t_eq "1/" "$OUT" "a second read of the same open file sees the item's end"
t_out "1" "so two items never run together" mc qsize t
T cat "$M/t" >/dev/null
head -c 200000 /dev/urandom | base64 -w 0 >"$TMP/long"
echo >>"$TMP/long"
mc --bytes put t - <"$TMP/long" >/dev/null
T cat "$M/t" >"$TMP/long.out"
t_ok "a 260 kB item comes whole in one cat" cmp "$TMP/long" "$TMP/long.out"

# Waiting, and interrupting the wait.
mkfifo "$M/w"
run timeout 1 cat "$M/w"
t_eq "124" "$RC" "cat of an empty queue waits"
t_out "0" "and an interrupted wait leaves no getter" sh -c "'$MGRCTL' stat w | sed -n 's/^getters: //p'"
run timeout -s INT 1 cat "$M/w"
t_eq "124" "$RC" "SIGINT ends the wait"
cat "$M/w" >"$TMP/killed.out" &
kpid=$!
bg "$kpid"
wait_for "a reader waits" sh -c "'$MGRCTL' stat w | grep -q '^getters: 1'"
kill -KILL "$kpid"
wait "$kpid" 2>/dev/null
wait_for "SIGKILL ends it, and the getter goes" sh -c "'$MGRCTL' stat w | grep -q '^getters: 0'"
echo later >"$M/w"
t_out "later" "the item put after is there for the next reader" T cat "$M/w"
(sleep 0.5; echo wake >"$M/w") &
waker=$!
t_out "wake" "a waiting cat gets the item put later" T cat "$M/w"
wait "$waker"

# Non-blocking and poll.
t_out "EAGAIN" "O_NONBLOCK read of an empty queue is EAGAIN" python3 -c "
import os
fd = os.open('$M/w', os.O_RDONLY | os.O_NONBLOCK)
try:
    os.read(fd, 100)
    print('read')
except BlockingIOError:
    print('EAGAIN')"
t_out "[] [1] b'ping\n'" "poll waits for an item and wakes on it" T python3 -c "
import os, select, subprocess
fd = os.open('$M/w', os.O_RDONLY)
p = select.poll()
p.register(fd, select.POLLIN)
first = [e for _, e in p.poll(200)]
subprocess.Popen(['sh', '-c', 'sleep 0.3; echo ping > $M/w'])
second = [e for _, e in p.poll(20000)]
print(first, second, os.read(fd, 100))"

# A full queue: writes wait, O_NONBLOCK writes are EAGAIN.
mc new queue small 2 >/dev/null
printf 'a\nb\n' >"$M/small"
run timeout 1 sh -c "echo c > '$M/small'"
t_eq "124" "$RC" "a write to a full queue waits"
t_out "2" "and an interrupted write puts nothing" mc qsize small
t_out "EAGAIN" "O_NONBLOCK write to a full queue is EAGAIN" python3 -c "
import os
fd = os.open('$M/small', os.O_WRONLY | os.O_NONBLOCK)
try:
    os.write(fd, b'c\n')
    print('written')
except BlockingIOError:
    print('EAGAIN')"
(sleep 0.5; mc get small >/dev/null) &
taker=$!
t_ok "a waiting write goes on when there is room" T sh -c "echo c > '$M/small'"
wait "$taker"
run sh -c "'$MGRCTL' get small; '$MGRCTL' get small"
t_eq "bc" "$OUT" "the queue holds the items in order"

# Several lines in one write: what fits goes in, the rest waits for room.
t_out "4" "O_NONBLOCK write of three lines to a queue of 2 puts two" python3 -c "
import os
fd = os.open('$M/small', os.O_WRONLY | os.O_NONBLOCK)
print(os.write(fd, b'a\nb\nc\n'))"
(for i in 1 2 3 4; do sleep 0.2; cat "$M/small"; done >"$TMP/small.got") &
taker=$!
t_ok "a write of four lines waits for room line by line" T sh -c "seq 1 4 > '$M/small'"
wait "$taker"
cat "$M/small" "$M/small" >>"$TMP/small.got"
t_eq "a b 1 2 3 4" "$(paste -sd ' ' "$TMP/small.got")" "every line is an item, in order"

# 300 readers waiting leave the tree answering.
mkfifo "$M/many"
for ((i = 0; i < 300; i++)); do
	timeout 120 cat "$M/many" >"$TMP/many.$i" &
	readers[i]=$!
	bg "$!"
done
wait_for "300 readers wait in the manager" sh -c "'$MGRCTL' stat many | grep -q '^getters: 300'"
t_ok "ls -l of the mount returns meanwhile" timeout 10 ls -l "$M"
t_ok "stat answers" timeout 10 stat "$M/many"
echo v >"$M/jobs/v"
t_ok "and a value reads" timeout 10 cat "$M/jobs/v"
seq 1 300 >"$M/many"
wait "${readers[@]}"
t_out "300" "each reader got one item" sh -c "cat '$TMP'/many.* | sort -u | wc -l"
t_out "0" "and none is left" mc qsize many

# Readers interrupted: 4 readers take 2,000 items, put a few at a time,
# while SIGINT comes to them at random.  They catch it, so that an
# interrupted read(2) fails with EINTR and one that returns an item is seen
# to: each item is taken exactly once.
mkfifo "$M/jobs/take"
reader='
import ctypes, errno, os, signal, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.read.restype = ctypes.c_ssize_t
libc.read.argtypes = (ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t)
signal.signal(signal.SIGINT, lambda *a: None)
open(sys.argv[3], "w").close()
buf = ctypes.create_string_buffer(4096)
eintr = 0
with open(sys.argv[2], "w") as out:
    while True:
        fd = os.open(sys.argv[1], os.O_RDONLY)
        n = libc.read(fd, buf, len(buf))
        e = ctypes.get_errno()
        os.close(fd)
        if n < 0 and e == errno.EINTR:
            eintr += 1
        elif n < 0:
            sys.exit("read: " + os.strerror(e))
        elif buf.raw[:n] == b"stop\n":
            break
        else:
            out.write(buf.raw[:n].decode())
print(eintr)
'
for ((c = 0; c < 4; c++)); do
	"$PYTHON" -c "$reader" "$M/jobs/take" "$TMP/took.$c" "$TMP/ready.r$c" \
		>"$TMP/eintr.$c" &
	rpids[c]=$!
done
(
	for ((b = 0; b < 400; b++)); do
		seq $((b * 5 + 1)) $((b * 5 + 5)) >"$M/jobs/take"
	done
	printf 'stop\nstop\nstop\nstop\n' >"$M/jobs/take"
) &
producer=$!
# From when each reader has its handler (a signal before would kill it)
# until each has had its stop, with a guard against a hang (about 2
# minutes).
running() {
	local p
	for p in "$@"; do
		kill -0 "$p" 2>/dev/null && return 0
	done
	return 1
}
ready() {
	local i f
	for ((i = 0; i < 1000; i++)); do
		f=("$TMP"/ready."$1"?)
		[[ -e ${f[3]:-} ]] && return 0
		sleep 0.05
	done
	bail "the $1 workers did not start"
}
ready r
for ((i = 0; i < 10000; i++)); do
	running "${rpids[@]}" || break
	kill -INT "${rpids[RANDOM % 4]}" 2>/dev/null
	sleep 0.01
done
kill -KILL "${rpids[@]}" 2>/dev/null
wait "${rpids[@]}" "$producer"
eintr=$(awk '{ n += $1 } END { print n + 0 }' "$TMP"/eintr.*)
t_true "reads were interrupted ($eintr times)" test "$eintr" -gt 5
cat "$TMP"/took.* | sort -n >"$TMP/took.all"
t_out "" "none taken twice" uniq -d "$TMP/took.all"
t_ok "none lost" sh -c "seq 1 2000 | cmp - '$TMP/took.all'"
t_out "0" "and the queue is empty" mc qsize jobs/take

# Shell workers: 4 sh loops take 2,000 items with item=$(cat q) while
# SIGINT goes to their process groups at random, as Ctrl-C sends it to a
# job: they trap it and carry on, and the cat each runs dies of it.  No
# item is taken twice, and one is missing only where a cat died of the
# signal (a reader killed just as its item comes may die with it:
# mgrfs(7)).  sh, not bash: bash 5.2, when what it waits for dies of
# SIGINT, takes the signal for its own, and with a trap set can loop
# sending it to itself.
mkfifo "$M/jobs/work"
: >"$TMP/interrupted"
# With job control each worker is a process group, as a job at a terminal
# is (and SIGINT is not ignored in it, as it is in background jobs).
set -m
for ((c = 0; c < 4; c++)); do
	sh -c 'trap : INT
		: >"$4"
		while :; do
			item=$(cat "$1")
			[ $? = 130 ] && echo >>"$3"
			case $item in
			stop) exit ;;
			?*) echo "$item" >>"$2" ;;
			esac
		done' worker "$M/jobs/work" "$TMP/got.$c" "$TMP/interrupted" \
		"$TMP/ready.w$c" &
	wpids[c]=$!
done
set +m
(
	for ((b = 0; b < 20; b++)); do
		seq $((b * 100 + 1)) $((b * 100 + 100)) >"$M/jobs/work"
		sleep 0.1
	done
) &
producer=$!
# Until every item is taken (a guard against a hang: about 4 minutes);
# then a stop for each worker, which no signal can take from it.
ready w
for ((i = 0; i < 6000; i++)); do
	running "$producer" || (($(mc qsize jobs/work) > 0)) || break
	kill -INT -- -"${wpids[RANDOM % 4]}" 2>/dev/null
	sleep 0.0$((RANDOM % 5 + 1))
done
printf 'stop\nstop\nstop\nstop\n' >"$M/jobs/work"
for ((i = 0; i < 3000; i++)); do
	running "${wpids[@]}" || break
	sleep 0.02
done
kill -KILL "${wpids[@]}" "$producer" 2>/dev/null
wait "${wpids[@]}" "$producer"
sent=$(wc -l <"$TMP/interrupted")
t_true "workers' cats were interrupted ($sent times)" test "$sent" -gt 5
cat "$TMP"/got.* | sort >"$TMP/got.all"
t_out "" "none taken twice" uniq -d "$TMP/got.all"
t_out "" "none but the 2000 items" sh -c "seq 1 2000 | sort | comm -13 - '$TMP/got.all'"
missing=$(seq 1 2000 | sort | comm -23 - "$TMP/got.all" | wc -l)
t_true "none missing but with a cat killed ($missing missing)" test "$missing" -le "$sent"
t_out "0" "and the queue is empty" mc qsize jobs/work

umount_fs "$M"
fs_finish
