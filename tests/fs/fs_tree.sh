#!/usr/bin/env bash
# The tree through real tools: directories, values written with echo, cp,
# dd, sed -i and mv, lists and arrays, state files, names that need
# escaping, extended attributes, statfs, and the errors of bad input.
. "$(dirname "$0")/lib.sh"

# The type of an object, from the manager.
mtype() {
	mc stat "$1" | sed -n 's/^type: //p'
}

start_mgrd
M=$TMP/m
mount_fs "$M"

t_true "the mount is there" mountpoint -q "$M"
t_out "" "the root is empty" ls -A "$M"

# Directories.
t_ok "mkdir makes a dict" mkdir "$M/jobs"
t_out "dict" "the manager has it as a dict" mtype jobs
t_ok "mkdir -p makes nested ones" mkdir -p "$M/a/b/c"
t_out "c" "ls lists it" ls "$M/a/b"
t_ok "rmdir removes an empty one" rmdir "$M/a/b/c"
t_ok "an object made by mgrctl is there" mc set a/b/v 1
t_fail "not empty" "rmdir of a full one fails with ENOTEMPTY" rmdir "$M/a/b"
t_ok "rm -r removes it all" rm -r "$M/a"
t_fail "no such object" "and it is gone" mc stat a

# Values.
echo 7 >"$M/counter"
t_out "7" "echo > f then cat f" cat "$M/counter"
t_out "7" "a line that is JSON is stored as JSON" mc get counter
echo "hello world" >"$M/greeting"
t_out "hello world" "text reads back" cat "$M/greeting"
t_json "v['bytes'] == 'aGVsbG8gd29ybGQK'" "text is stored as bytes" mc --json get greeting
t_out "12" "stat size is the bytes shown" stat -c %s "$M/greeting"
echo again >>"$M/greeting"
echo hello >"$M/gone"
exec {fd}<"$M/gone"
rm "$M/gone"
t_out "0 6" "a file removed while open keeps its size, with no links" \
	stat -L -c '%h %s' "/proc/self/fd/$fd"
t_out "hello" "and what it held" cat <&"$fd"
exec {fd}<&-
t_out $'hello world\nagain' "echo >> appends" cat "$M/greeting"
mc set jv '{"a":[1,2]}' >/dev/null
t_out '{"a":[1,2]}' "a JSON value shows as its text" cat "$M/jv"
t_out "12" "with a newline counted in its size" stat -c %s "$M/jv"
: >"$M/greeting"
t_out "0" ": > f empties it" stat -c %s "$M/greeting"
t_json "v['bytes'] == ''" "and the manager has it empty" mc --json get greeting
t_ok "touch makes an empty value" touch "$M/empty"
t_out "0" "of size 0" stat -c %s "$M/empty"

head -c 300000 /dev/urandom >"$TMP/blob"
t_ok "cp a binary file in" cp "$TMP/blob" "$M/blob"
t_ok "it comes back byte for byte" cmp "$TMP/blob" "$M/blob"
t_ok "dd writes in pieces" dd if="$TMP/blob" of="$M/dd" bs=4096 status=none
t_ok "and it comes back the same" cmp "$TMP/blob" "$M/dd"
printf 'abcdef' >"$M/patch"
printf 'XY' | dd of="$M/patch" bs=1 seek=2 conv=notrunc status=none
t_out "abXYef" "dd conv=notrunc writes in place" cat "$M/patch"
t_ok "truncate -s shortens" truncate -s 3 "$M/patch"
t_out "abX" "to what it says" cat "$M/patch"

printf 'one\ntwo\nthree\n' >"$M/text"
t_ok "sed -i edits a value" sed -i 's/two/2/' "$M/text"
t_out $'one\n2\nthree' "with its result" cat "$M/text"
t_out "" "and leaves no temporary file" sh -c "ls '$M' | grep '^sed' || true"
t_ok "mv renames" mv "$M/text" "$M/jobs/text"
t_out $'one\n2\nthree' "and the content moves" cat "$M/jobs/text"
t_fail "No such file" "the old name is gone" cat "$M/text"
mkdir -p "$M/d1/sub"
echo x >"$M/d1/sub/f"
t_ok "mv moves a directory tree" mv "$M/d1" "$M/d2"
t_out "x" "its files follow" cat "$M/d2/sub/f"
echo new >"$M/over"
t_ok "mv replaces the target" mv "$M/over" "$M/counter"
t_out "new" "atomically" cat "$M/counter"

# Lists and arrays.
mc new list li '1' '"two"' >/dev/null
mc append li --bytes raw >/dev/null
t_out $'1\n"two"\nraw' "a list shows one item a line" cat "$M/li"
printf 'x\ny\n' >>"$M/li"
t_out "5" ">> appends each line as an item" mc len li
printf 'only\n' >"$M/li"
t_out "only" "> replaces the items" cat "$M/li"
mc new -t i --size 3 array arr >/dev/null
t_out $'0\n0\n0' "an array shows its numbers" cat "$M/arr"
printf '4\n5\n6\n' >"$M/arr"
t_out $'4\n5\n6' "and takes as many numbers back" mc get arr

# State files.
mc new event ev >/dev/null
t_ok "an event's state reads" grep -q "^is_set: false" "$M/ev"
mc event-set ev >/dev/null
t_ok "and changes with it" grep -q "^is_set: true" "$M/ev"
t_fail "Permission denied" "state files take no writes (EACCES)" sh -c "echo 1 > '$M/ev'"
t_out "-r--r--r--" "and are shown read-only" stat -c %A "$M/ev"

# Names: any bytes are a name, and read back as they were written; a
# key's '/' shows as the bytes C0 AF, and bytes that are not UTF-8 are the
# manager's U+DC80 to U+DCFF, as Python's os.fsdecode has them (fname.h).
mc set 'k%2Fwith%25' '"slash"' >/dev/null
t_out "$(printf 'k\xc0\xafwith%%')" "a key with / shows with C0 AF, % as it is" \
	ls "$M" -I '[!k]*'
t_out '"slash"' "and reads" cat "$M/$(printf 'k\xc0\xafwith%%')"
echo 1 >"$M/$(printf 'new\xc0\xafkey')"
t_out "1" "a name written with C0 AF is the key with /" mc get 'new%2Fkey'
t_ok "a bare % is a name" touch "$M/bad%name" "$M/%25" "$M/%"
t_out $'%\n%25\nbad%name' "and so are %25 and %, apart" sh -c "ls '$M' | grep '%'"
t_true "which the manager has as they are" mc stat 'bad%25name'
t_ok "bytes that are not UTF-8 are a name" touch "$M/$(printf 'caf\xe9')"
t_true "kept as U+DCE9 in the manager" mc stat 'caf%ED%B3%A9'
t_out "$(printf 'caf\xe9')" "and listed back byte for byte" sh -c "ls '$M' | grep -a '^caf'"
t_fail "File name too long" "a name over 255 bytes is ENAMETOOLONG" \
	touch "$M/$(printf 'n%.0s' {1..256})"
t_ok "a name of 255 bytes is fine" touch "$M/$(printf 'n%.0s' {1..255})"
ff=$(printf '\xff%.0s' {1..255})
t_ok "so are 255 bytes that are not UTF-8" touch "$M/$ff"
t_out "1" "and list back so" sh -c "ls '$M' | LC_ALL=C grep -ac '^$ff\$'"

# Bad input keeps what was stored.
echo keep >"$M/big"
t_fail "too large" "a rewrite past 4 GiB is EFBIG" python3 -c "
import os
fd = os.open('$M/big', os.O_WRONLY | os.O_TRUNC)
try:
    os.pwrite(fd, b'x', 4294967295)
finally:
    os.close(fd)"
t_out "keep" "and the old value stays" cat "$M/big"
t_fail "too large" "so is a truncation past 4 GiB" truncate -s 4294967296 "$M/big"
t_out "keep" "which changes nothing" cat "$M/big"
t_fail "Not a directory" "mkdir inside a value is ENOTDIR" mkdir "$M/big/sub"
mc set arr '[1, 2, 3]' >/dev/null
t_fail "Invalid argument" "an array of another length is refused" \
	python3 -c "
import os
fd = os.open('$M/arr', os.O_WRONLY | os.O_TRUNC)
os.write(fd, b'1\n2\n')
os.close(fd)"
t_out $'1\n2\n3' "and the array stays" mc get arr
mkdir "$M/dirx"
t_fail "Is a directory" "renaming a file over a directory is EISDIR" \
	python3 -c "import os; os.rename('$M/big', '$M/dirx')"
t_out "keep" "and both stay" cat "$M/big"

# Extended attributes and statfs.
mkfifo "$M/jobs/q"
seq 1 3 >"$M/jobs/q"
if command -v getfattr >/dev/null; then
	run getfattr -d "$M/jobs/q"
	t_true "getfattr -d shows the type" grep -q 'user.mgr.type="queue"' <<<"$OUT"
	t_true "and the queue size" grep -q 'user.mgr.qsize="3"' <<<"$OUT"
	t_true "and the version" grep -q 'user.mgr.version="[0-9]*"' <<<"$OUT"
	t_out "3" "getfattr -n reads one" getfattr -n user.mgr.qsize --only-values "$M/jobs/q"
	t_fail "No such attribute" "security.* is ENODATA" getfattr -n security.selinux "$M/jobs/q"
	t_fail "Operation not supported" "attributes are not set" setfattr -n user.x -v 1 "$M/counter"
else
	ok "# SKIP getfattr is not installed"
fi
t_out "255" "statfs answers, with the name limit" stat -f -c %l "$M"

# ls -l takes what it shows from the listing (readdirplus): the sizes the
# tree shows for each kind of file (a list's lines are its items as JSON).
mkdir "$M/kinds"
echo 12345 >"$M/kinds/json"
echo "some text" >"$M/kinds/text"
mc new list kinds/list a bb ccc >/dev/null
mc new queue kinds/queue >/dev/null
mc new lock kinds/lock >/dev/null
mkdir "$M/kinds/dir"
t_out $'d dir 0\n- json 6\n- list 15\n- lock 0\n- queue 0\n- text 10' \
	"ls -l shows each kind with its size" \
	sh -c "ls -l '$M/kinds' | awk 'NR > 1 { print substr(\$1, 1, 1), \$9, \$5 }'"

# A directory too big for one answer from the manager: ls pages through it.
mc new dict many >/dev/null
seq 1 40000 | awk '{ printf "set many/k%06d %d\n", $1, $1 }' | mc batch >/dev/null
t_true "ls of a directory of 40,000 names lists each once, in order" \
	cmp -s <(ls -U "$M/many") <(seq -f 'k%06g' 1 40000)

# Detached: unmounting ends mgrfs.
t_ok "fusermount3 -u unmounts" umount_fs "$M"
t_true "and the mount is gone" test ! -e "$M/counter"
fs_finish
