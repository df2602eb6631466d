#!/usr/bin/env bash
# Writers on two mounts of one manager, as mgrfs(7) promises: no write is
# lost (appends, writes at offsets), a rewrite with > is put in place at
# once, open files see other writers' changes, sizes include what is not
# stored yet, times are the manager's and change with the content only,
# and the details of POSIX that tools trip over.
. "$(dirname "$0")/lib.sh"

two_mounts

# Appends: each write() of >> is one append in the manager.
appender() {
	local dir=$1 tag=$2 i
	for ((i = 0; i < 400; i++)); do
		echo "$tag $i" >>"$dir/log" || return 1
	done
}
: >"$M/log"
spawn appender "$M" one
spawn appender "$M2" two
spawn appender "$M" three
wait_spawned
t_true "three appenders on two mounts all finish" test "$FAILED" = 0
t_out "1200" "and no line of theirs is lost" sh -c "wc -l <'$M/log'"
t_out "400 400 400" "each has all of its lines" sh -c \
	"for t in one two three; do grep -c \"^\$t \" '$M2/log'; done | xargs"
t_true "in the order it wrote them" sh -c \
	"grep '^two ' '$M/log' | cut -d' ' -f2 | sort -n -c"

# Writes at offsets: each range goes in place, so two writers of
# different ranges both keep their bytes, whoever closes last.
head -c 65536 /dev/zero | tr '\0' x >"$M/ranges"
exec {a}<>"$M/ranges" {b}<>"$M2/ranges"
printf 'AAAA' | dd of=/dev/fd/$a bs=1 seek=100 conv=notrunc status=none
printf 'BBBB' | dd of=/dev/fd/$b bs=1 seek=60000 conv=notrunc status=none
exec {b}>&- {a}>&-
t_out "AAAA BBBB" "writers of different ranges on two mounts keep both" sh -c \
	"echo \$(dd if='$M/ranges' bs=1 skip=100 count=4 status=none) \$(dd if='$M2/ranges' bs=1 skip=60000 count=4 status=none)"
t_out "65536" "and the size" stat -c %s "$M/ranges"

# A rewrite with > goes in at once.  Another client reads the old content
# or the new, whole, never a part: 3 MiB, past what the open file keeps,
# so staged in the manager; and a reader through the other mount of a
# small file, each read() of all of it, sees one or the other.
head -c 3145728 /dev/zero | tr '\0' a >"$TMP/va"
head -c 3145728 /dev/zero | tr '\0' b >"$TMP/vb"
va=$(md5sum <"$TMP/va") vb=$(md5sum <"$TMP/vb")
cp "$TMP/va" "$M/whole"
head -c 100000 "$TMP/va" >"$TMP/sa"
head -c 100000 "$TMP/vb" >"$TMP/sb"
sa=$(md5sum <"$TMP/sa") sb=$(md5sum <"$TMP/sb")
cp "$TMP/sa" "$M/small"
rewriter() {
	local i
	for ((i = 0; i < 10; i++)); do
		cat "$TMP/vb" >"$M/whole" && cat "$TMP/va" >"$M/whole" &&
			cat "$TMP/sb" >"$M/small" && cat "$TMP/sa" >"$M/small" || return 1
	done
}
reader() {
	local i sum
	for ((i = 0; i < 30; i++)); do
		sum=$("$MGRCTL" get whole | md5sum)
		[[ $sum == "$va" || $sum == "$vb" ]] || { echo "a torn value: $sum"; return 1; }
		sum=$("$PYTHON" -c "
import os, sys
fd = os.open('$M2/small', os.O_RDONLY)
sys.stdout.buffer.write(os.read(fd, 1 << 20))" | md5sum)
		[[ $sum == "$sa" || $sum == "$sb" ]] || { echo "a torn file: $sum"; return 1; }
	done
}
spawn rewriter
spawn -o "$TMP/reader.log" reader
wait_spawned
t_true "readers never see part of a rewrite" test "$FAILED" = 0
t_out "$va" "and the last one stays" sh -c "md5sum <'$M2/whole'"

# Open files see changes made elsewhere: a file held open reads the new
# bytes at once, whether the change came from a mount or from mgrctl.
echo old >"$M/seen"
exec {fd}<"$M/seen"
t_out "old" "an open file reads" cat <&"$fd"
echo "new from the other mount" >"$M2/seen"
t_out "new from the other mount" "then a rewrite on the other mount" \
	"$PYTHON" -c "import os; print(os.pread($fd, 100, 0).decode(), end='')"
echo "more" >>"$M2/seen"
t_out $'new from the other mount\nmore' "then an append there" \
	"$PYTHON" -c "import os; print(os.pread($fd, 100, 0).decode(), end='')"
mc set seen '"from mgrctl"' >/dev/null
t_out '"from mgrctl"' "then mgrctl's set" \
	"$PYTHON" -c "import os; print(os.pread($fd, 100, 0).decode(), end='')"
exec {fd}<&-
echo start >"$M/tail"
timeout 10 tail -f "$M/tail" >"$TMP/tail.out" 2>&1 &
tailpid=$!
bg "$tailpid"
for i in 1 2 3; do
	echo "line $i" >>"$M2/tail"
	sleep 0.3
done
wait_for "tail -f on one mount follows lines appended on the other" \
	grep -q "line 3" "$TMP/tail.out"
kill "$tailpid" 2>/dev/null
t_out $'start\nline 1\nline 2\nline 3' "each once, in order" cat "$TMP/tail.out"

# True sizes: stat, fstat and SEEK_END include what a rewrite wrote and has
# not stored yet, on its mount; the other mount sees what is stored.
echo "stored" >"$M/sz"
t_out "5000 5000 5000 7 stored" "sizes during a rewrite, here and there" "$PYTHON" -c "
import os
fd = os.open('$M/sz', os.O_WRONLY | os.O_TRUNC)
os.write(fd, b'x' * 5000)
here = (os.stat('$M/sz').st_size, os.fstat(fd).st_size, os.lseek(fd, 0, os.SEEK_END))
there = os.stat('$M2/sz').st_size
text = open('$M2/sz').read().strip()
os.close(fd)
print(*here, there, text)"
wait_for "and after the close, everywhere" sh -c "test \$(stat -c %s '$M2/sz') = 5000"

# Times are the manager's: the same on every mount and in mgrctl; mtime
# moves when the content changes, by anyone, and only then.
echo 1 >"$M/t"
touch -d '2001-02-03 04:05:06.5' "$M/t"
t_out "2001-02-03 04:05:06.500000000" "touch -d sets mtime" \
	sh -c "stat -c %y '$M2/t' | cut -d' ' -f1,2"
t_out "981173106500000000" "which mgrctl stat shows" sh -c "'$MGRCTL' stat t | sed -n 's/^mtime_ns: //p'"
cat "$M/t" >/dev/null
ls -l "$M" >/dev/null
chmod 600 "$M/t"
t_out "2001-02-03 04:05:06.500000000" "reading, ls and chmod leave it" \
	sh -c "stat -c %y '$M/t' | cut -d' ' -f1,2"
ctime=$(stat -c %Z "$M/t")
t_fail "Operation not permitted" "chown to another owner is EPERM" chown 12345 "$M/t"
t_out "$ctime" "and leaves ctime" stat -c %Z "$M/t"
mv "$M/t" "$M/t2"
t_out "2001-02-03" "a rename keeps mtime" sh -c "stat -c %y '$M/t2' | cut -d' ' -f1"
echo 2 >>"$M2/t2"
wait_for "a write on the other mount moves it" sh -c "test \$(stat -c %Y '$M/t2') -gt 1000000000"
mkdir -p "$M/nl/a" "$M/nl/b" "$M/nl/c"
t_out "5" "a directory's link count is 2 and its subdirectories" stat -c %h "$M2/nl"

# Close after unlink is 0, as POSIX has it, and writes to a file deleted
# while open go where a local disk's go.
t_out "ok" "close of a file unlinked after a write is 0" "$PYTHON" -c "
import os
fd = os.open('$M/gone', os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
os.write(fd, b'x')
os.unlink('$M/gone')
os.write(fd, b'y')
os.close(fd)
print('ok')"
t_fail "No such file" "and it is gone" stat "$M2/gone"

# sqlite in WAL mode: one connection at a time, on either mount, works;
# a second one while a first is open is told the database is locked.
sqlite3 "$M/wal.db" 'pragma journal_mode=wal; create table t(a); insert into t values(1);' \
	>/dev/null
t_out "1" "sqlite in WAL mode writes and reads on one mount" sqlite3 "$M/wal.db" \
	'select count(*) from t'
t_out "2" "and then on the other" sqlite3 "$M2/wal.db" \
	'insert into t values(2); select count(*) from t'
sqlite3 "$M/wal.db" 'begin; insert into t values(3);' '.shell sleep 3' 'rollback;' \
	>/dev/null &
holder=$!
bg "$holder"
sleep 1
t_err 5 "locked" "a second connection on the other mount meanwhile is told it is locked" \
	sqlite3 "$M2/wal.db" 'insert into t values(4)'
wait "$holder"
t_out $'2\nok' "and the database is whole" sqlite3 "$M2/wal.db" \
	'select count(*) from t; pragma integrity_check'

fs_finish
