#!/usr/bin/env bash
# Every type and every operation of the spec through mgrctl, with the waits
# between processes done by separate mgrctl processes: lists, arrays,
# queues, locks, RLocks, semaphores, events, conditions and barriers.
# With MGR_TEST_TRANSPORT=tcp the same runs over TCP with an authkey.
. "$(dirname "$0")/lib.sh"

if [[ ${MGR_TEST_TRANSPORT:-unix} == tcp ]]; then
	(umask 077 && head -c 32 /dev/urandom >"$TMP/key")
	export MGRFS_AUTHKEY_FILE=$TMP/key MGRFS_ADDR=tcp:127.0.0.1:$(free_port)
	start_mgrd -l "$MGRFS_ADDR" --authkey-file "$MGRFS_AUTHKEY_FILE"
else
	start_mgrd
fi

lines() {
	printf '%s\n' "$@"
}

# Lists.
t_ok "new list with items" mc new list l 1 2 3
t_out "$(lines 1 2 3)" "get prints one item a line" mc get l
t_json '[i["value"] for i in v["items"]] == [1, 2, 3] and v["version"] > 0' "get --json" mc --json get l
t_ok "append" mc append l 4
t_ok "extend" mc extend l 5 '"six"'
t_ok "extend from standard input" sh -c 'printf "7\n8\n" | "$MGRCTL" extend l -'
t_ok "insert at 0" mc insert l 0 0
t_ok "insert past the end is clamped" mc insert l 100 9
t_ok "insert at -1" mc insert l -1 8.5
t_out "$(lines 0 1 2 3 4 5 six 7 8 8.5 9)" "the items in order" mc get l
t_out 11 "len" mc len l
t_out 6 "index" mc index l '"six"'
t_out 8 "index from START" mc index l 8 2
t_err 1 EINVAL "index of an absent item is EINVAL" mc index l 99
t_out 1 "count" mc count l 3
t_out true "contains" mc contains l 5
t_out false "contains an absent item" mc contains l 55
t_out 9 "pop takes the last" mc pop l
t_out 0 "pop 0 takes the first" mc pop l 0
t_out 8.5 "getitem -1" mc getitem l -1
t_out "$(lines 2 3)" "getitem START:STOP is a slice" mc getitem l 1:3
t_json '[i["value"] for i in v["items"]] == [1, 2]' "a slice --json" mc --json getitem l :2
t_err 1 ERANGE "getitem out of range is ERANGE" mc getitem l 99
t_ok "remove" mc remove l '"six"'
t_err 1 EINVAL "remove of an absent item is EINVAL" mc remove l '"six"'
t_ok "setitem" mc setitem l 0 10
t_ok "delitem" mc delitem l 1
t_ok "delitem a slice" mc delitem l -2:
t_out "$(lines 10 3 4 5 7)" "after setitem and delitems" mc get l
t_ok "reverse" mc reverse l
t_out "$(lines 7 5 4 3 10)" "reversed" mc get l
t_ok "sort" mc sort l
t_out "$(lines 3 4 5 7 10)" "sorted" mc get l
t_ok "sort -r" mc sort -r l
t_out "$(lines 10 7 5 4 3)" "sorted in reverse" mc get l
t_ok "imul" mc imul l 2
t_out 10 "imul repeats the items" mc len l
t_ok "set replaces all items" mc set l '[1, "a"]'
t_err 1 EINVAL "sort of items that cannot be ordered is EINVAL" mc sort l
t_out "$(lines 1 a)" "and leaves the list unchanged" mc get l
t_ok "clear" mc clear l
t_err 1 ERANGE "pop of an empty list is ERANGE" mc pop l
t_ok "append bytes" sh -c 'printf "\001\002" | "$MGRCTL" append --bytes l -'
t_json 'v["items"] == [{"bytes": "AQI="}]' "bytes items come back as bytes" mc --json get l

# Arrays.
t_ok "new array of ints" mc new array a -t i 1 2 3
t_out "$(lines 1 2 3)" "get" mc get a
t_out 2 "getitem" mc getitem a 1
t_ok "setitem" mc setitem a 1 -5
t_out -5 "setitem took" mc getitem a 1
t_err 1 EINVAL "a string in an int array is EINVAL" mc setitem a 1 '"x"'
t_err 1 EINVAL "a float in an int array is EINVAL" mc setitem a 1 1.5
t_err 1 ERANGE "setitem out of range is ERANGE" mc setitem a 3 1
t_ok "set the whole array, same length" mc set a '[7, 8, 9]'
t_err 1 EINVAL "an array's length is fixed" mc set a '[1]'
t_out 3 "len" mc len a
t_ok "new array of doubles by size" mc new array z -t d --size 4
t_json 'v["items"] == [0, 0, 0, 0]' "is zeros" mc --json get z
t_ok "a double takes a float" mc setitem z 0 2.5
t_err 1 EINVAL "a signed char takes no 1000" mc new array b -t b 1000
t_ok "new array of unsigned chars" mc new array ub -t B 0 255
t_err 1 EINVAL "256 is out of B's range" mc setitem ub 0 256
t_ok "new array of unicode chars" mc new array u -t u '"x"' '"y"'
t_out y "getitem of a u array" mc getitem u 1
t_rc 2 "an array needs a typecode" mc new array nt 1 2
t_ok "a typed value" mc new value tv -t i 5
t_err 1 EINVAL "keeps its type" mc set tv '"five"'

# Queues.
t_ok "new queue with maxsize 2" mc new queue q 2
t_ok "put" mc put q first
t_ok "put bytes" sh -c 'printf "\000x" | "$MGRCTL" put --bytes q -'
t_out true "full" mc full q
t_out 2 "qsize" mc qsize q
t_rc 3 "put -n on a full queue: status 3" mc put -n q third
t_rc 3 "put --timeout on a full queue: status 3" mc --timeout 0.1 put q third
t_out first "get takes the oldest" mc get q
mc get q >"$TMP/qb"
t_true "the bytes item came back" cmp -s "$TMP/qb" <(printf '\000x')
t_out true "empty" mc empty q
t_rc 3 "get -n on an empty queue: status 3" mc get -n q
t_json 'v["qsize"] == 0 and v["maxsize"] == 2 and v["unfinished"] == 2' "stat --json" mc --json stat q
t_rc 3 "join waits while tasks are unfinished" mc --timeout 0.1 join q
t_ok "task-done" mc task-done q
t_ok "task_done, as Python spells it" mc task_done q
t_err 1 EINVAL "task-done once too often is EINVAL" mc task-done q
t_ok "join returns once all are done" mc --timeout 60 join q
t_ok "put again" mc put q a
t_ok "unget puts back at the head" mc unget q b
t_out "$(lines b a)" "the ungot item comes first" sh -c '"$MGRCTL" get q; "$MGRCTL" get q'
# Waits between processes: a parked get gets the item a put sends.
"$MGRCTL" --timeout 60 get q >"$TMP/getter" 2>&1 &
getter=$!
bg "$getter"
t_true "a getter parks on the empty queue" wait_stat q 'v["getters"] == 1'
t_ok "another process puts" mc put q handed
wait "$getter"
t_true "the getter exits 0" test $? = 0
t_out handed "with the item" cat "$TMP/getter"
# And a parked put goes in when a get makes room.
mc put q x1
mc put q x2
"$MGRCTL" --timeout 60 put q x3 >/dev/null 2>&1 &
putter=$!
bg "$putter"
t_true "a putter parks on the full queue" wait_stat q 'v["putters"] == 1'
t_out x1 "a get makes room" mc get q
wait "$putter"
t_true "the putter exits 0" test $? = 0
t_out "$(lines x2 x3)" "and its item is last" sh -c '"$MGRCTL" get q; "$MGRCTL" get q'
t_ok "new joinablequeue is a queue" mc new joinablequeue jq
t_true "stat says queue" grep -qx 'type: queue' <(mc stat jq)

# Locks.  Each mgrctl is a session: a lock taken by one and tried by
# another is done with "lock PATH -- COMMAND".
t_ok "new lock" mc new lock L
t_out false "locked" mc locked L
t_out "$(lines true false)" "acquire, locked, release in one batch" \
	sh -c 'printf "%s\n" "acquire L" "locked L" "release L" "locked L" | "$MGRCTL" batch'
t_err 1 EPERM "release of an unlocked lock is EPERM" mc release L
t_rc 3 "acquire -n of a held lock: status 3" mc lock L -- "$MGRCTL" acquire -n L
t_rc 3 "acquire --timeout of a held lock: status 3" mc lock L -- "$MGRCTL" --timeout 0.1 acquire L
t_json_rc 3 'v is False' "acquire --json prints false" mc lock L -- "$MGRCTL" --json acquire -n L
t_rc 3 "the same session cannot take a Lock twice" \
	sh -c 'printf "%s\n" "acquire L" "acquire -n L" | "$MGRCTL" batch'
t_ok "another session may release it (Python's Lock has no owner)" \
	mc lock L -- "$MGRCTL" release L
t_out false "the lock the command released is free" mc locked L
t_rc 7 "lock passes on the command's status" mc lock L -- sh -c 'exit 7'

# RLocks.
t_ok "new rlock" mc new rlock R
t_json 'v["count"] == 2 and v["locked"] is True' "an RLock is reentrant" \
	sh -c 'printf "%s\n" "acquire R" "acquire R" "stat --json R" | "$MGRCTL" batch | tail -n 1'
t_ok "released as often as acquired" \
	sh -c 'printf "%s\n" "acquire R" "acquire R" "release R" "release R" | "$MGRCTL" batch'
t_err 1 EPERM "one release too many is EPERM" \
	sh -c 'printf "%s\n" "acquire R" "release R" "release R" | "$MGRCTL" batch'
t_err 1 EPERM "another session cannot release it" mc lock R -- "$MGRCTL" release R
t_rc 3 "another owner in the same session waits" \
	sh -c 'printf "%s\n" "acquire --owner 1 R" "acquire --owner 2 -n R" | "$MGRCTL" batch'
t_out false "all given back when the session ends" mc locked R

# Semaphores.
t_ok "new semaphore of 2" mc new semaphore S 2
t_out "$(lines 0)" "two acquires take both units" \
	sh -c 'printf "%s\n" "acquire S" "acquire S" "value S" | "$MGRCTL" batch'
t_rc 3 "a third would wait: status 3" \
	sh -c 'printf "%s\n" "acquire S" "acquire S" "acquire -n S" | "$MGRCTL" batch'
t_out 2 "the units came back when the sessions ended" mc value S
t_ok "release N adds units (a plain semaphore has no bound)" mc release S 2
t_out 4 "value" mc value S
t_ok "new bsemaphore of 1" mc new bsemaphore B 1
t_err 1 EOVERFLOW "releasing a BoundedSemaphore above its value is EOVERFLOW" mc release B
t_out 1 "and changes nothing" mc value B
t_ok "acquire and release within the bound" \
	sh -c 'printf "%s\n" "acquire B" "release B" | "$MGRCTL" batch'
t_ok "boundedsemaphore is a bsemaphore" mc new boundedsemaphore B2 3
t_true "stat says bsemaphore" grep -qx 'type: bsemaphore' <(mc stat B2)

# Events.
t_ok "new event" mc new event E
t_out false "is-set" mc is-set E
t_rc 3 "wait --timeout on a clear event: status 3" mc --timeout 0.1 wait E
t_json_rc 3 'v is False' "and --json prints the flag, false" mc --json --timeout 0.1 wait E
"$MGRCTL" --timeout 60 wait E >/dev/null 2>&1 &
waiter=$!
bg "$waiter"
t_true "a waiter parks on the event" wait_stat E 'v["waiters"] == 1'
t_ok "event-set" mc event-set E
wait "$waiter"
t_true "the waiter wakes with true (status 0)" test $? = 0
t_out true "is-set" mc is-set E
t_json 'v is True' "wait on a set event returns true at once" mc --json wait E
t_ok "event-clear" mc event-clear E
t_out false "cleared" mc is-set E

# Conditions: wait and notify between processes.
t_ok "new condition" mc new condition C
t_rc 3 "wait --timeout without a notify: status 3" mc --timeout 0.1 wait C
"$MGRCTL" --timeout 60 wait C >/dev/null 2>&1 &
waiter=$!
bg "$waiter"
t_true "a waiter parks on the condition" wait_stat C 'v["waiters"] == 1'
t_ok "notify from another process" mc notify C
wait "$waiter"
t_true "the waiter wakes (status 0)" test $? = 0
for i in 1 2; do
	"$MGRCTL" --timeout 60 wait C >/dev/null 2>&1 &
	ws[i]=$!
	bg "$!"
done
t_true "two waiters park" wait_stat C 'v["waiters"] == 2'
t_ok "notify-all" mc notify-all C
wait "${ws[1]}"
r1=$?
wait "${ws[2]}"
r2=$?
t_true "both wake" test "$r1$r2" = 00
t_err 1 EPERM "release of a condition not held is EPERM" mc release C
# wait-for: a predicate checked under the condition's lock; the setter
# changes the state under the same lock, so no notify can be missed.
mc set flag 0
"$MGRCTL" --timeout 60 wait-for C -- sh -c 'test "$("$MGRCTL" get flag)" = 1' \
	>/dev/null 2>&1 &
waiter=$!
bg "$waiter"
t_ok "set the flag under the condition's lock" mc lock C -- "$MGRCTL" set flag 1
t_ok "notify-all" mc notify-all C
wait "$waiter"
t_true "wait-for returns once the predicate holds" test $? = 0
t_rc 3 "wait-for with a false predicate times out: status 3" \
	mc --timeout 0.2 wait-for C -- false

# Barriers: three processes, three distinct indexes.
t_ok "new barrier of 3" mc new barrier Bar 3
t_out 3 "parties" mc parties Bar
for i in 0 1 2; do
	"$MGRCTL" --timeout 60 wait Bar >"$TMP/bar.$i" 2>&1 &
	bs[i]=$!
	bg "$!"
done
rcs=
for i in 0 1 2; do
	wait "${bs[i]}"
	rcs+=$?
done
t_true "all three pass the barrier" test "$rcs" = 000
t_out "$(lines 0 1 2)" "with indexes 0, 1 and 2" sort -n "$TMP/bar.0" "$TMP/bar.1" "$TMP/bar.2"
t_out 0 "n-waiting" mc n-waiting Bar
t_out false "broken" mc broken Bar
# Abort breaks it for the waiting and for later waits; reset mends it.
t_ok "new barrier of 2" mc new barrier Ab 2
"$MGRCTL" --timeout 60 wait Ab >/dev/null 2>"$TMP/ab.err" &
waiter=$!
bg "$waiter"
t_true "one waits" wait_stat Ab 'v["n_waiting"] == 1'
t_ok "abort" mc abort Ab
wait "$waiter"
t_true "the waiter gets an error (status 1)" test $? = 1
t_true "naming EPIPE (BrokenBarrierError)" grep -q EPIPE "$TMP/ab.err"
t_out true "broken" mc broken Ab
t_err 1 EPIPE "a later wait fails at once" mc wait Ab
t_ok "reset" mc reset Ab
t_out false "no longer broken" mc broken Ab
t_ok "new barrier of 2 with a 0.1 s timeout" mc new barrier Bt 2 0.1
run mc wait Bt
t_true "a wait that times out fails" test "$RC" -ne 0
t_out true "and breaks the barrier" mc broken Bt
t_ok "new barrier of 1" mc new barrier One 1
t_out 0 "a barrier of one passes at once with index 0" mc wait One

# Every type shows in a listing and a dump.
t_json 'sorted(e["type"] for e in v["entries"]) == sorted(["list","array","array","array","array","value","queue","queue","lock","rlock","semaphore","bsemaphore","bsemaphore","event","condition","value","barrier","barrier","barrier","barrier"])' \
	"ls --json shows every type" mc --json ls
t_json 'v["q"]["$queue"] == [] and v["L"]["$type"] == "lock" and v["a"] == [7, 8, 9]' \
	"dump shows each type" mc dump

# Slices with steps, as Python's: each one read and deleted on a list of
# ten, and assigned, against what python3 makes of the same.
slices=(: ::2 ::-1 ::-3 1:8:3 8:1:-2 -3: :-3 -20:20 20:-20:-1 5:2 5:2:-1 -1:-11:-4)
pyslice() { python3 -c "
import sys
s = slice(*[int(p) if p else None for p in (sys.argv[1] + '::').split(':')[:3]])
l = list(range(10))
if sys.argv[2] == 'get': print(*l[s], sep='\n')
else: del l[s]; print(*l, sep='\n')" "$1" "$2"; }
bad_get='' bad_del=''
mc new list sl >/dev/null
for s in "${slices[@]}"; do
	mc set sl '[0,1,2,3,4,5,6,7,8,9]' >/dev/null
	[[ $(mc getitem sl "$s") == "$(pyslice "$s" get)" ]] || bad_get+=" $s"
	mc delitem sl "$s" && [[ $(mc getitem sl :) == "$(pyslice "$s" del)" ]] || bad_del+=" $s"
done
t_out "" "getitem of a slice with a step is Python's (slices that differ:)" echo -n "$bad_get"
t_out "" "delitem of a slice with a step is Python's (slices that differ:)" echo -n "$bad_del"
mc set sl '[0,1,2,3,4,5,6,7,8,9]' >/dev/null
t_ok "setitem of a plain slice takes any number of items" mc setitem sl 2:5 a b
t_ok "and of an extended slice as many as it has" mc setitem sl ::-3 x y z
t_out "$(python3 -c "
l = list(range(10)); l[2:5] = ['a', 'b']; l[::-3] = ['x', 'y', 'z']; print(*l, sep='\n')")" \
	"which leaves the list as Python would" mc getitem sl :
t_err 1 "cannot assign 2 items to a slice of 3" "a wrong number of items is refused" \
	mc setitem sl ::3 p q
t_ok "a slice assigned nothing is deleted" mc setitem sl 1:
t_out 0 "as in Python" mc getitem sl :
t_err 1 "step cannot be zero" "a step of zero is refused" mc getitem sl ::0
t_rc 2 "four parts are not a slice" mc getitem sl 1:2:3:4
mc new array sa -t i 0 1 2 3 4 5 >/dev/null
t_ok "an array's slice is assigned as many items as it has" mc setitem sa ::2 7 8 9
t_out "$(lines 7 1 8 3 9 5)" "in their places" mc getitem sa :
t_err 1 "of an array" "and no other number" mc setitem sa 1:3 7
# Values as bytes: appended, written at an offset, cut, printed by range,
# stored from a file in pieces at once, and their times.
mc set log '"a"' >/dev/null
t_ok "append to a value" mc append log $'line 1\n'
t_out $'"a"\nline 1' "adds at the end of its text" mc cat log
printf 'XY' >"$TMP/xy"
t_ok "write at an offset" mc write log 1 "$TMP/xy"
t_out "XY" "which cat of a range shows" mc cat log 1 2
t_ok "truncate" mc truncate log 3
t_out '"XY' "cuts it" mc cat log
head -c 20000000 /dev/urandom >"$TMP/big"
t_ok "store of 20 MB, more than a frame" mc store big "$TMP/big"
t_ok "cat gives it back" sh -c "'$MGRCTL' cat big | cmp - '$TMP/big'"
t_err 1 "EFBIG" "get of it is EFBIG" mc get big
t_ok "touch sets the modification time" mc touch log 1000000000.25
t_out "1000000000250000000" "to the nanosecond" sh -c "'$MGRCTL' stat log | sed -n 's/^mtime_ns: //p'"
t_true "mgrd is still running" alive "$MGRD_PID"
finish
