#!/usr/bin/env bash
# Everyday tools on two mounts of one manager: sqlite3 with a writer on
# each, rsync -a (a second run copies nothing), cp -a and tar keeping
# times, directories of real file names (a bare %, bytes that are not
# UTF-8), paths as long as PATH_MAX allows below the mount, values past a
# gigabyte through the tree and mgrctl, and what inotify hears.
. "$(dirname "$0")/lib.sh"

two_mounts

# sqlite3, rollback journal, a connection on each mount inserting row
# after row with a busy timeout, and then writers that are a process an
# insert: every row of each stays.
if command -v sqlite3 >/dev/null; then
	sqlite3 "$M/db" 'create table t(w text, i integer)'
	connection() {
		local i
		{
			echo ".timeout 30000"
			for ((i = 0; i < 200; i++)); do
				echo "insert into t values('$2', $i);"
			done
		} | sqlite3 -bail "$1/db"
	}
	inserter() {
		local dir=$1 who=$2 i
		for ((i = 0; i < 20; i++)); do
			sqlite3 -cmd '.timeout 30000' "$dir/db" \
				"insert into t values('$who', $i)" || return 1
		done
	}
	spawn connection "$M" one
	spawn connection "$M2" two
	wait_spawned
	t_true "two sqlite3 connections on two mounts finish" test "$FAILED" = 0
	spawn inserter "$M" three
	spawn inserter "$M2" four
	wait_spawned
	t_true "and so do writers of a process an insert" test "$FAILED" = 0
	t_out $'four|20\none|200\nthree|20\ntwo|200' "every row of each is there" \
		sqlite3 "$M2/db" "select w, count(*) from t group by w order by w"
	t_out "ok" "in a whole database" sqlite3 "$M/db" "pragma integrity_check"
else
	ok "# SKIP sqlite3 is not installed"
fi

# A source tree of real names, with times of its own.
src=$TMP/src
mkdir -p "$src/sub/deeper"
printf 'plain\n' >"$src/plain"
printf 'percent\n' >"$src/100%"
printf 'escape\n' >"$src/%25"
printf 'latin1\n' >"$src/$(printf 'caf\xe9')"
printf 'bytes\n' >"$src/$(printf 'x\x80\xff\xc0y')"
printf 'space\n' >"$src/with space"
head -c 200000 /dev/urandom >"$src/sub/blob"
printf 'deep\n' >"$src/sub/deeper/f"
# Times apart from now: rsync compares a directory's to the second when
# its source is new, as it does on a local disk.
find "$src" -exec touch -d '2009-08-07 06:05:04.321' {} +
touch -d '2010-01-02 03:04:05.123456789' "$src/plain" "$src/100%" "$src/sub/blob"
touch -d '2011-05-06 07:08:09' "$src/sub/deeper" "$src/sub"

same_tree() {
	diff -r "$1" "$2" >/dev/null || { echo "# contents differ"; return 1; }
	diff <(cd "$1" && find . -printf '%P %T@\n' | sort) \
	     <(cd "$2" && find . -printf '%P %T@\n' | sort) | sed 's/^/# /'
	[[ ${PIPESTATUS[0]} == 0 ]]
}

if command -v rsync >/dev/null; then
	t_ok "rsync -a into the tree" rsync -a "$src/" "$M/rs/"
	t_true "copies the names and bytes, and the times to the nanosecond" same_tree "$src" "$M2/rs"
	t_out "" "a second rsync -a copies nothing" rsync -ai "$src/" "$M/rs/"
	touch "$src/plain"
	t_out ">f..t...... plain" "and a third only what changed" rsync -ai "$src/" "$M/rs/"
	touch -d '2010-01-02 03:04:05.123456789' "$src/plain"
	rsync -a "$src/" "$M/rs/"
else
	ok "# SKIP rsync is not installed"
fi
t_ok "cp -a into the tree" cp -a "$src" "$M/cp"
t_true "keeps names, bytes and times" same_tree "$src" "$M2/cp"
t_ok "tar x into the tree" sh -c "tar -C '$src' --format=posix -cf - . | tar -C '$M' --one-top-level=tar -xf -"
t_true "keeps names, bytes and times" same_tree "$src" "$M2/tar"
t_ok "and cp -a out of it" cp -a "$M2/tar" "$TMP/back"
t_true "gives back what went in" same_tree "$src" "$TMP/back"

# Paths: as long as PATH_MAX allows below the mount point, whatever the
# names hold (a % is three bytes in the manager's paths, a byte that is
# not UTF-8 nine).
long=$(printf 'p%%\xe9%.0s' {1..60})
deep=.
for ((i = 0; i < 22; i++)); do
	deep=$deep/$long
done
t_ok "a path of $((${#deep})) bytes below the mount" sh -c \
	"cd '$M' && mkdir -p '$deep' && echo end >'$deep/f'"
t_out "end" "reads back from the other mount" sh -c "cd '$M2' && cat '$deep/f'"
t_ok "and 2000 names deep" sh -c "cd '$M' && mkdir -p \$(printf 'a/%.0s' {1..2000})"

# Values past a gigabyte, moved in pieces.
t_ok "truncate -s 1G a value" truncate -s 1073741824 "$M/big"
t_ok "write at its end through the tree" sh -c \
	"printf END | dd of='$M/big' bs=1 seek=1073741821 conv=notrunc status=none"
t_out "1073741824" "its size, on the other mount" stat -c %s "$M2/big"
t_out "END" "its end, by mgrctl cat" mc cat big 1073741821 3
printf 'MID' >"$TMP/mid"
t_ok "mgrctl write in its middle" mc write big 536870912 "$TMP/mid"
t_out "MID" "read through the tree" dd if="$M2/big" bs=1 skip=536870912 count=3 status=none
t_fail "EFBIG" "mgrctl get of it is EFBIG: too large for a reply" mc get big
head -c 20000000 /dev/urandom >"$TMP/20m"
t_ok "mgrctl store of 20 MB, past a frame" mc store big "$TMP/20m"
t_ok "which the tree reads back" cmp "$TMP/20m" "$M2/big"
t_ok "as mgrctl cat does" sh -c "'$MGRCTL' cat big | cmp - '$TMP/20m'"
head -c 67108864 /dev/urandom >"$TMP/64m"
t_ok "cp of 64 MiB into the tree" cp "$TMP/64m" "$M/b64"
t_ok "and out of the other mount" cp "$M2/b64" "$TMP/64m.back"
t_ok "byte for byte" cmp "$TMP/64m" "$TMP/64m.back"
peak=$(awk '/VmHWM/ { print $2 }' "/proc/$(pgrep -f "^$MGRFS $M\$" | head -1)/status" 2>/dev/null)
t_true "with no mount holding it: its peak is ${peak:-?} kB" test "${peak:-999999}" -lt 65536

# inotify: what the kernel lets a FUSE server raise for changes made
# elsewhere is the delete of a file it knows (mgrfs(7)).
if command -v inotifywait >/dev/null; then
	echo w >"$M/watched"
	cat "$M/watched" >/dev/null
	timeout 10 inotifywait -q -e delete_self "$M/watched" >"$TMP/ino" 2>&1 &
	inopid=$!
	bg "$inopid"
	sleep 1
	rm "$M2/watched"
	wait "$inopid"
	t_out "$M/watched DELETE_SELF " "a file deleted on the other mount raises DELETE_SELF" cat "$TMP/ino"
else
	ok "# SKIP inotifywait is not installed"
fi

fs_finish
