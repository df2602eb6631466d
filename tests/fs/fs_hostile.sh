#!/usr/bin/env bash
# The hostile bytes of issue 10 written into files on a mount: the text
# that crashed mgrd and mgrfs (a comment hiding a quote before 300,000
# brackets), values nested about as deep as the manager takes, strings
# with NUL and lone surrogates, and Python's NaN.  mgrfs and mgrd must
# live through all of it, and each file must read back exactly what was
# written, whether the manager keeps it as JSON or as bytes.
. "$(dirname "$0")/lib.sh"

start_mgrd

# A mount for each finding, so that one that kills mgrfs leaves the
# others something to test; mgrfs in the foreground (in the background
# here), so that its pid is known to W.
fresh_mount() {
	local i
	M=$TMP/$1
	mkdir -p "$M"
	"$MGRFS" -f "$M" 2>>"$TMP/mgrfs.log" &
	MGRFS_PID=$!
	bg "$MGRFS_PID"
	_mounts+=("$M")
	for ((i = 0; i < 200; i++)); do
		mountpoint -q "$M" && return 0
		sleep 0.05
	done
	bail "mgrfs did not mount $M: $(cat "$TMP/mgrfs.log")"
}

# Each write or read is given 20 s: the old mgrfs waited for ever for the
# answer to a request the manager could not read, and a call waiting on a
# FUSE request cannot even be killed until the request ends.  So past the
# limit mgrfs is killed, which ends its requests, and the call fails.
W() {
	local pid i
	"$@" &
	pid=$!
	for ((i = 0; i < 400; i++)); do
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid"
			return
		fi
		sleep 0.05
	done
	kill -KILL "$MGRFS_PID" 2>/dev/null
	wait "$pid"
	echo "gave up after 20 s: mgrfs killed" >&2
	return 124
}

# put NAME: copy $TMP/NAME into the mount, then check that it reads back
# byte for byte.
put() {
	t_ok "write $1" W cp "$TMP/$1" "$M/$1"
	t_ok "$1 reads back exactly" W cmp "$TMP/$1" "$M/$1"
}

# deep N [PREFIX]: PREFIX, then a list nested N deep.
deep() {
	"$PYTHON" -c 'import sys; n = int(sys.argv[1]); sys.stdout.write(sys.argv[2] + "[" * n + "]" * n)' \
		"$1" "${2:-}"
}

# Finding 7: values the manager takes are stored as JSON and read back,
# deeper ones as bytes; none is lost, none hangs.
fresh_mount m7
for n in 99 100; do
	{ deep "$n"; echo; } >"$TMP/d$n"
	put "d$n"
	t_json "isinstance(v.get('value'), list)" "a list $n deep is stored as JSON" mc --json get "d$n"
done
for n in 101 128 129; do
	{ deep "$n"; echo; } >"$TMP/d$n"
	put "d$n"
	t_json "'bytes' in v" "a list $n deep is kept as bytes" mc --json get "d$n"
done

# Finding 6: what no string can keep is kept as bytes; NUL inside a
# string is JSON.
fresh_mount m6
printf '"abc\\u0000def"\n' >"$TMP/nul"
put nul
t_json "v.get('value') == 'abc\\x00def'" "a string with NUL is stored whole" mc --json get nul
t_ok "an array of characters" mc new -t u --size 2 array chars
t_ok "a character that is NUL" mc setitem chars 1 '"\u0000"'
printf '\0\n\0\n' >"$TMP/chars"
t_ok "is shown whole, a line an element" W cmp "$TMP/chars" "$M/chars"
printf '{"k\\u0000hidden":1,"k":2}\n' >"$TMP/nulkey"
printf '"\\ud800"\n' >"$TMP/surrogate"
printf '"\xc0\xaf"\n' >"$TMP/overlong"
printf '"\xed\xa0\x80"\n' >"$TMP/encoded-surrogate"
for f in nulkey surrogate overlong encoded-surrogate; do
	put "$f"
	t_json "'bytes' in v" "$f is kept as bytes" mc --json get "$f"
done

# Finding 8: NaN and the infinities are numbers, as Python's json has them.
fresh_mount m8
printf '[NaN,Infinity,-Infinity]\n' >"$TMP/nan"
put nan
t_json "v['value'][1] == float('inf')" "NaN and the infinities are stored as numbers" \
	mc --json get nan

# A list file takes a line of JSON an item, or a line of bytes.
fresh_mount m7l
t_ok "a list" mc new list l
{ deep 100; echo; } >"$TMP/l100"
t_ok "an item 100 deep goes into a list file" W cp "$TMP/l100" "$M/l"
t_ok "and reads back exactly" W cmp "$TMP/l100" "$M/l"
t_json "isinstance(v['items'][0].get('value'), list)" "as a JSON item" mc --json get l
{ deep 101; echo; } >"$TMP/l101"
t_ok "an item 101 deep goes in too" W cp "$TMP/l101" "$M/l"
t_ok "and reads back exactly" W cmp "$TMP/l101" "$M/l"
t_json "'bytes' in v['items'][0]" "as bytes" mc --json get l

# Finding 1, last, since the old mgrfs died of it: the bytes that killed
# it, with and without the newline after which mgrfs reads a file as JSON.
fresh_mount m1
deep 300000 '/*"*/' >"$TMP/crash"
{ cat "$TMP/crash"; echo; } >"$TMP/crash-nl"
deep 300000 >"$TMP/brackets-nl"
echo >>"$TMP/brackets-nl"
for f in crash crash-nl brackets-nl; do
	put "$f"
	t_json "'bytes' in v" "$f is kept as bytes" mc --json get "$f"
done

for m in m7 m6 m8 m7l m1; do
	t_true "the mount $m is still there" mountpoint -q "$TMP/$m"
	t_ok "and answers" W ls "$TMP/$m"
	t_ok "and unmounts" fusermount3 -u "$TMP/$m"
done
t_out pong "mgrd still answers" W "$MGRCTL" ping
fs_finish
