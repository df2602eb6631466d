#!/usr/bin/env bash
# mgrd --data-dir: every type's data and settings come back after kill -9
# and after a clean stop; a torn journal tail is cut and logged; a corrupt
# record in the middle, or a corrupt snapshot, is refused (--check says
# so, --repair cuts); a missing, read-only or busy directory is refused;
# the directory is made 0700; compaction keeps it small under 100,000
# rewrites of one key; mgrctl snapshot writes a copy that a new directory
# starts from; a full disk refuses changes with ENOSPC and loses nothing
# acknowledged.
. "$(dirname "$0")/lib.sh"

JT=("$PYTHON" "$SRCDIR/tests/integ/journal_tool.py")
D=$TMP/data
mkdir -m 755 "$D"

dstart() { start_mgrd --data-dir "$D" "$@"; }
dkill() { kill9 "$MGRD_PID"; MGRD_PID=; }
dstop() { kill -TERM "$MGRD_PID"; wait "$MGRD_PID"; MGRD_PID=; }
# The state a restart must keep: the tree, and each object's stat with
# what belongs to sessions (holders, waiters) left out.
state() {
	local p
	mc dump | "$PYTHON" -c '
import json, sys
v = json.load(sys.stdin)
for o in v.values():
    if isinstance(o, dict) and "$type" in o:
        for k in ("holders", "owner", "locked", "waiters", "count"):
            o.pop(k, None)
        if o["$type"] == "semaphore":
            o.pop("value")
print(json.dumps(v, sort_keys=True))'
	for p in $(mc ls | awk '{print $NF}') ns/deep; do
		mc --json stat "$p" | "$PYTHON" -c '
import json, sys
v = json.load(sys.stdin)
for k in ("owner", "holders", "waiters", "getters", "putters", "joiners", "n_waiting", "locked", "count"):
    v.pop(k, None)
if v["type"] == "semaphore":
    v.pop("value")  # held now, free after: checked on its own
print(sorted(v.items()))'
	done
}

dstart
t_out 700 "the directory is made private (0700)" stat -c %a "$D"
# It may start itself again (mgrd_data_huge_pages): by its own name.
t_out mgrd "it goes by its name, for pkill and top" cat "/proc/$MGRD_PID/comm"
mc new namespace ns && mc new namespace ns/deep && mc set ns/deep/x '"a string"'
mc new value typed -t d 2.5 && mc --bytes set raw "$(printf 'bytes\001\002')"
mc new list L 1 '"two"' '[3]' && mc --bytes append L "$(printf 'b\003')"
mc new dict D '{"k": {"nested": [1, 2]}, "n": null}'
mc new array A -t q 1 2 3 && mc new array U -t u '"x"' '"y"'
mc new queue Q 5 && mc put Q 1 && mc put Q '"two"' && mc put Q 3 && mc get Q >/dev/null
mc new semaphore S 2 && mc new bsemaphore BS 3 && mc new event E && mc event-set E
mc new barrier B 4 2.5 && mc new lock K && mc new rlock R && mc new condition C
mc mv ns/deep/x ns/deep/y && mc rm ns/deep/y && mc set ns/deep/z 7
mc new namespace gone && mc new namespace gone/in && mc new list gone/in/l 1 && mc new queue gone/q
mc put gone/q 1 && mc mv gone/in/l gone/l2 && mc rm -r gone
"$MGRCTL" lock S -- sleep 1000 >/dev/null 2>&1 &
holder=$!
bg "$holder"
"$MGRCTL" lock K -- sleep 1000 >/dev/null 2>&1 &
bg $!
t_true "a semaphore unit and the lock are held" wait_stat S 'v["value"] == 1'
wait_stat K 'v["locked"] is True'
state >"$TMP/before"
top=$(mc --json stat ns/deep/z | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["version"])')
dkill
kill9 "$holder"
dstart
state >"$TMP/after"
if diff "$TMP/before" "$TMP/after" >"$TMP/diff"; then
	ok "after kill -9 every type's data, settings and versions are back"
else
	not_ok "after kill -9 every type's data, settings and versions are back"
	sed 's/^/#   /' "$TMP/diff"
fi
t_out 2 "units held at the kill come back free" mc value S
t_out false "a lock held at the kill comes back free" mc locked K
mc set after 1
t_true "versions go on growing after the restart" \
	"$PYTHON" -c "import json,subprocess,sys; sys.exit(not json.loads(subprocess.check_output(['$MGRCTL','--json','stat','after']))['version'] > $top)"
t_out two "an item taken before the kill stays taken" mc get Q
dstop
dstart
t_out "3" "a clean stop and start keep it all (the queue's head)" mc get Q
t_out 1 "... and the value set last" mc get after
t_err 1 "in use by another mgrd" "a second mgrd on the same directory is refused" \
	"$MGRD" --data-dir "$D" -l "unix:$TMP/other.sock"
# Items handed out: one acknowledged (and the ack seen, by a ping after it
# on the same connection) stays gone; one not acknowledged when the
# manager is killed comes back to the head: at least once.
mc new queue AQ && mc put AQ 1 && mc put AQ 2 && mc put AQ 3
cat >"$TMP/acker.py" <<EOF
import sys, time
sys.path.insert(0, "$SRCDIR/tests/integ")
import rawclient
c = rawclient.Conn(sys.argv[1])
c.ack()
first = c.call("get", "AQ")["result"]["value"]
c.ack()
c.call("ping")
second = c.call("get", "AQ")["result"]["value"]
print(first, second, flush=True)
time.sleep(1000)
EOF
"$PYTHON" "$TMP/acker.py" "$MGRFS_SOCKET" >"$TMP/acker.out" 2>&1 &
acker=$!
bg "$acker"
for ((i = 0; i < 200; i++)); do [[ -s $TMP/acker.out ]] && break; sleep 0.05; done
t_true "a client took two items, acknowledging the first ($(cat "$TMP/acker.out"))" \
	grep -qx "1 2" "$TMP/acker.out"
kill9 "$MGRD_PID"
MGRD_PID=
kill9 "$acker"
dstart
t_out "2" "after kill -9 the unacknowledged item is back at the head" mc get AQ
t_out "3" "... and the acknowledged one is gone" mc get AQ
t_true "... and the log says items were put back" grep -q "put back items handed out" "$TMP/mgrd.log"
t_ok "mgrctl snapshot writes a copy" mc snapshot "$TMP/copy.snap"
mc dump >"$TMP/dump-live"
dkill

# The tail of the journal written in part: cut and logged.
j=$(ls "$D" | grep '^journal-' | tail -1)
read -r nrec _ < <("${JT[@]}" records "$D/$j")
"${JT[@]}" tear "$D/$j"
dstart
t_true "a torn tail is cut and the log says so" grep -q "torn tail" "$TMP/mgrd.log"
mc dump >"$TMP/dump-torn"
t_true "everything before the torn record is there" cmp -s "$TMP/dump-live" "$TMP/dump-torn"
t_ok "and the journal goes on after the cut" mc set aftertear 5
dkill
dstart
t_out 5 "what was written after the cut survives another kill" mc get aftertear
dkill

# A corrupt record in the middle: refused, nothing served.
cp -a "$D" "$TMP/data-good"
"${JT[@]}" corrupt "$D/$j" $((nrec / 2))
t_err 1 "corrupt and intact records follow it: refusing to start" \
	"a corrupt record in the middle is refused at start" "$MGRD" --data-dir "$D" -l "unix:$TMP/x.sock"
t_err 1 "corrupt" "mgrd --check finds it" "$MGRD" --check "$D"
dstart --repair
t_true "--repair cuts there and starts" alive "$MGRD_PID"
t_true "... saying what it dropped" grep -q "a corrupt record at byte" "$TMP/mgrd.log"
dkill
rm -rf "$D" && mv "$TMP/data-good" "$D"
t_ok "mgrd --check passes a good directory" "$MGRD" --check "$D"

# A backup starts a new directory; a corrupt snapshot is refused whole.
mkdir -m 700 "$TMP/restored" && cp "$TMP/copy.snap" "$TMP/restored/snapshot-1"
D2=$D D=$TMP/restored
dstart
mc dump >"$TMP/dump-restored"
t_true "a directory made from mgrctl snapshot's file holds the same tree" \
	cmp -s "$TMP/dump-live" "$TMP/dump-restored"
dkill
printf '\xff' | dd of="$D/snapshot-1" bs=1 seek=100 conv=notrunc status=none
t_err 1 "snapshot-1 is corrupt.*nothing was loaded" "a corrupt snapshot is refused" \
	"$MGRD" --data-dir "$D" -l "unix:$TMP/x.sock"
D=$D2

# Missing and read-only directories.
t_err 1 "does not exist" "a missing directory is refused" "$MGRD" --data-dir "$TMP/none"
if mkdir "$TMP/ro" && mount -t tmpfs -o ro,size=1m tmpfs "$TMP/ro" 2>/dev/null; then
	t_err 1 "not writable" "a read-only directory is refused" "$MGRD" --data-dir "$TMP/ro"
	umount "$TMP/ro"
else
	ok "# SKIP a read-only directory (cannot mount here)"
fi

# Compaction under 100,000 rewrites of one key.
rm -rf "$D" && mkdir "$D"
dstart --fsync everysec --compact-min 64K
seq 1 100000 | sed 's/^/set k /' | mc batch >/dev/null
t_out 100000 "100,000 rewrites of one key" mc get k
kib=$(du -sk "$D" | cut -f1)
t_true "compaction keeps the directory small ($kib KiB)" test "$kib" -lt 2048
t_true "... by compacting in the background" grep -q "compacted into snapshot" "$TMP/mgrd.log"
dkill
dstart
t_out 100000 "the last rewrite is there after kill -9" mc get k
dkill

# Large values.  A value written in pieces journals each piece once, not
# the whole value again for each; a value larger than one record goes in
# pieces, in the journal and in a snapshot; a large change that a crash
# cut short is dropped whole, the value keeping what it held before.
rm -rf "$D" && mkdir "$D"
dstart --compact-min 1G
head -c 64M /dev/urandom >"$TMP/big"
mc --bytes set big ""
t_ok "64 MiB written into a value in pieces" mc write big 0 "$TMP/big"
mc append big '"and a line"'
cat "$TMP/big" >"$TMP/big.want" && printf 'and a line' >>"$TMP/big.want"
read -r _ jend < <("${JT[@]}" records "$D"/journal-*)
t_true "the journal holds each piece once ($jend bytes for 64 MiB)" \
	test "$jend" -lt $((80 << 20))
dkill
dstart --compact-min 1G
mc cat big >"$TMP/big.got"
t_true "after kill -9 the 64 MiB value is back byte for byte" cmp -s "$TMP/big.want" "$TMP/big.got"
t_ok "a value larger than a record goes into a snapshot" mc snapshot "$TMP/big.snap"
mc store big2 - <<<"before"
head -c 40M /dev/urandom >"$TMP/big2"
t_ok "a 40 MiB value replaced at once" mc store big2 "$TMP/big2"
dkill
j=$(ls "$D" | grep '^journal-' | tail -1)
cp "$D/$j" "$TMP/journal-whole"
"${JT[@]}" cut "$D/$j"
dstart --compact-min 1G
t_true "a large change cut short by a crash is a torn tail" grep -q "torn tail" "$TMP/mgrd.log"
t_out before "... dropped whole: the value holds what it held before" mc cat big2
mc cat big >"$TMP/big.got"
t_true "... and what came before it is kept" cmp -s "$TMP/big.want" "$TMP/big.got"
dkill
cp "$TMP/journal-whole" "$D/$j"
dstart --compact-min 1G
mc cat big2 >"$TMP/big2.got"
t_true "the same journal whole gives the 40 MiB value" cmp -s "$TMP/big2" "$TMP/big2.got"
dkill
rm -rf "$D" && mkdir -m 700 "$D" && cp "$TMP/big.snap" "$D/snapshot-1"
dstart
mc cat big >"$TMP/big.got"
t_true "a snapshot holding a value in pieces loads it whole" cmp -s "$TMP/big.want" "$TMP/big.got"
dkill
rm -f "$TMP"/big*

# A directory holding more than --max-memory is loaded whole; additions
# are refused until something is deleted.
rm -rf "$D" && mkdir "$D"
dstart
head -c 2M /dev/urandom >"$TMP/two"
mc store m "$TMP/two"
dkill
dstart --max-memory 1M
mc cat m >"$TMP/two.got"
t_true "more than --max-memory is loaded whole" cmp -s "$TMP/two" "$TMP/two.got"
t_err 1 "memory for data is full" "... and additions are refused" mc set more 1
mc rm m
t_ok "... until something is deleted" mc set more 1
dkill

# A full disk: refused with ENOSPC, and nothing acknowledged lost.  On a
# tmpfs and on ext4 (a loop device), under always, where the journal is
# written, and everysec, where its reserved tail is mapped (persist.c).
full_disk() {
	local what=$1 fsync=$2 free big n=0 refused=0 miss=0 i

	D=$TMP/small/data
	rm -rf "$D" "$TMP/small/filler" && mkdir "$D"
	free=$(df -k --output=avail "$TMP/small" | tail -1)
	head -c "$(((free - 2048) * 1024))" /dev/zero >"$TMP/small/filler"
	dstart --fsync "$fsync"
	big=$(head -c 20000 /dev/zero | tr '\0' x)
	for ((i = 0; i < 400; i++)); do
		if mc set "v$i" "\"$big\"" 2>"$TMP/err"; then
			n=$((n + 1))
		else
			refused=1
			break
		fi
	done
	t_true "$what, $fsync: a full disk refuses a change ($n made before)" test "$refused" = 1
	t_true "... with a clear error" grep -q "no space left on the data directory's disk" "$TMP/err"
	t_true "the manager carries on" alive "$MGRD_PID"
	t_ok "reads still work" mc get v0
	dkill
	rm "$TMP/small/filler"
	dstart --fsync "$fsync"
	for ((i = 0; i < n; i++)); do
		[[ $(mc get "v$i" | wc -c) == 20001 ]] || miss=$((miss + 1))
	done
	t_true "every acknowledged change is there after kill -9 ($miss of $n missing)" test "$miss" = 0
	t_ok "with space again, changes go through" mc set more 1
	dkill
}
mkdir "$TMP/small"
if mount -t tmpfs -o size=3m tmpfs "$TMP/small" 2>/dev/null; then
	full_disk tmpfs always
	full_disk tmpfs everysec
	umount "$TMP/small"
else
	ok "# SKIP a full tmpfs (cannot mount a tmpfs here)"
fi
if truncate -s 8M "$TMP/ext4.img" && mkfs.ext4 -q -F "$TMP/ext4.img" 2>/dev/null &&
   mount -o loop "$TMP/ext4.img" "$TMP/small" 2>/dev/null; then
	# Under always the journal's reserved space is written with zeros
	# ahead (persist.c, fill), so that no flush of a record must also
	# commit its block's change from reserved to written; under everysec
	# it stays reserved until used.  filefrag -v lists the extents.
	for fsync in always everysec; do
		D=$TMP/small/data
		rm -rf "$D" && mkdir "$D"
		dstart --fsync "$fsync"
		mc set x 1
		filefrag -v "$D/journal-0" >"$TMP/frag.$fsync" 2>&1
		dkill
	done
	all_written() { grep -q eof "$1" && ! grep -q unwritten "$1"; }
	t_true "ext4, always: no block of the journal left unwritten once a change is flushed" \
		all_written "$TMP/frag.always"
	t_true "ext4, everysec: its reserved space stays unwritten until used" \
		grep -q unwritten "$TMP/frag.everysec"
	full_disk ext4 always
	full_disk ext4 everysec
	umount "$TMP/small"
else
	ok "# SKIP a full ext4 (cannot make and mount one on a loop device here)"
fi
finish
