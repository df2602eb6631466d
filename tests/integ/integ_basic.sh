#!/usr/bin/env bash
# The generic commands and the value, dict and namespace operations, each
# through the real mgrctl against a real mgrd: human and --json output, and
# the exit statuses (1 error, 2 usage, 3 timeout).
. "$(dirname "$0")/lib.sh"

start_mgrd

# Session-level.
t_out pong "ping prints pong" mc ping
t_json 'v == "pong"' "ping --json is the JSON string" mc --json ping
t_out pong "-c unix:PATH names the socket" mc -c "unix:$MGRFS_SOCKET" ping
t_out pong "a bare path names the socket" mc -c "$MGRFS_SOCKET" ping
t_out pong "MGRFS_ADDR names the manager" env MGRFS_ADDR="unix:$MGRFS_SOCKET" "$MGRCTL" ping

# Values in a namespace.
t_ok "new namespace" mc new namespace ns
t_ok "set a number" mc set ns/n 42
t_out 42 "get prints it" mc get ns/n
t_json 'v["value"] == 42 and v["version"] > 0' "get --json has value and version" \
	mc --json get ns/n
t_ok "set a string" mc set ns/s "hello world"
t_out "hello world" "get prints a string raw" mc get ns/s
t_json 'v["value"] == "hello world"' "get --json quotes it" mc --json get ns/s
t_ok "set a JSON object" mc set ns/o '{"a": [1, 2.5, null, true]}'
t_out '{"a":[1,2.5,null,true]}' "get prints compact JSON" mc get ns/o
t_ok "--string keeps JSON text a string" mc set --string ns/str 42
t_json 'v["value"] == "42"' "and it comes back a string" mc --json get ns/str
printf 'a\0b\377\n' >"$TMP/raw"
t_ok "--bytes from standard input" sh -c '"$MGRCTL" set --bytes ns/b - <"$1"' sh "$TMP/raw"
mc get ns/b >"$TMP/raw.back"
t_true "bytes come back byte for byte" cmp -s "$TMP/raw" "$TMP/raw.back"
t_json 'v["bytes"] == "YQBi/wo="' "get --json shows bytes as base64" mc --json get ns/b
t_ok "a value from standard input" sh -c 'echo "from stdin" | "$MGRCTL" set ns/in -'
t_out "from stdin" "loses only its trailing newline" mc get ns/in

v1=$(mc --json get ns/n | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["version"])')
mc set ns/n 43
v2=$(mc --json get ns/n | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["version"])')
t_true "the version grows on each change ($v1 < $v2)" test "$v1" -lt "$v2"
mc get ns/n >/dev/null
v3=$(mc --json get ns/n | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["version"])')
t_true "a read does not change it" test "$v2" = "$v3"

t_out 43 "setdefault on an existing value prints what is there" mc setdefault ns/n 7
t_out 7 "setdefault on a missing value sets it" mc setdefault ns/d 7
t_json 'v["value"] == 7' "setdefault --json" mc --json setdefault ns/d 8

# Listings.
t_out "$(printf '%s\n' n s o str b in d)" "ls lists in insertion order" mc ls ns
t_out "$(printf '%s\n' n s o str b in d)" "keys is ls" mc keys ns
t_true "ls -l shows type, version, size and name" \
	grep -Eq '^value +[0-9]+ +5 +b$' <(mc ls -l ns)
t_json '[e["name"] for e in v["entries"]] == ["n","s","o","str","b","in","d"] and all(e["type"] == "value" for e in v["entries"])' \
	"ls --json" mc --json ls ns
t_true "ls of the root shows ns" grep -qx ns <(mc ls)
t_out 7 "len counts the children" mc len ns
t_true "stat prints key: value lines" grep -qx 'type: namespace' <(mc stat ns)
t_json 'v["type"] == "value" and v["size"] == 2 and v["version"] > 0' "stat --json" mc --json stat ns/n
t_true "items prints NAME<TAB>JSON" grep -qxF "$(printf 's\t"hello world"')" <(mc items ns)
t_json 'any(i["name"] == "n" and i["value"] == 43 for i in v["items"])' "items --json" mc --json items ns

# Dict operations.
t_ok "new dict with items" mc new dict d x=1 'y="two"'
t_out "$(printf 'x\t1\ny\t"two"')" "its items" mc items d
t_ok "update with KEY=VALUE" mc update d z=3 x=10
t_ok "update with a JSON object" mc update d '{"w": [1]}'
t_out "$(printf 'x\t10\ny\t"two"\nz\t3\nw\t[1]')" "update sets each, new ones last" mc items d
t_out "$(printf 'w\t[1]')" "popitem takes the last inserted" mc popitem d
t_json 'v["name"] == "z" and v["value"] == 3' "popitem --json" mc --json popitem d
t_out 10 "pop prints and removes a value" mc pop d/x
t_err 1 'ENOENT' "the popped value is gone" mc get d/x
t_out 1 "one child left" mc len d
t_ok "clear" mc clear d
t_out 0 "clear removes every child" mc len d
t_err 1 'ENOENT' "popitem of an empty dict is a KeyError" mc popitem d

# Nesting, escaping, renaming, dumping, deleting.
t_ok "new dict inside a namespace" mc new dict ns/inner
t_ok "a value inside that" mc set ns/inner/k deep
t_out deep "read back through the nested path" mc get /ns/inner/k
t_ok "a name with a slash, escaped" mc set 'ns/a%2Fb' 1
t_true "ls shows it escaped" grep -qx 'a%2Fb' <(mc ls ns)
t_ok "mv renames" mc mv ns/n ns/renamed
t_out 43 "the value moved" mc get ns/renamed
t_err 1 'ENOENT' "nothing is left at the old name" mc get ns/n
t_ok "mv replaces what is at the target" mc mv ns/s ns/renamed
t_out "hello world" "the target has the moved value" mc get ns/renamed
t_ok "mv across containers" mc mv ns/renamed top
t_out "hello world" "the value is at the top" mc get top
t_json 'v["inner"] == {"k": "deep"} and v["b"] == {"$bytes": "YQBi/wo="} and v["o"] == {"a": [1, 2.5, None, True]}' \
	"dump gives the tree as JSON" mc dump ns
t_ok "new -p on an existing namespace" mc new -p namespace ns
t_err 1 'EEXIST' "new on an existing object is EEXIST" mc new namespace ns
t_err 1 'EEXIST' "new -p on an object of another type is EEXIST" mc new -p dict ns
t_err 1 'ENOTEMPTY' "rm of a non-empty namespace needs -r" mc rm ns
t_ok "rm a value" mc rm ns/in
t_err 1 'ENOENT' "it is gone" mc get ns/in
t_ok "rm -r" mc rm -r ns
t_err 1 'ENOENT' "the whole tree under it is gone" mc get ns/inner/k
t_err 1 'EBUSY' "the root cannot be removed" mc rm -r /

# watch: a line per change, until --count.
mc new namespace w
"$MGRCTL" --timeout 60 watch --count 1 w >"$TMP/watch" 2>&1 &
watcher=$!
bg "$watcher"
for ((i = 0; i < 600; i++)); do
	kill -0 "$watcher" 2>/dev/null || break
	mc set w/x "$i"
	sleep 0.05
done
wait "$watcher"
t_true "watch exits after --count events" test $? = 0
t_true "and printed the change" grep -Eq '^(create|update) value [0-9]+ w/x$' "$TMP/watch"
"$MGRCTL" --json --timeout 60 watch --count 1 w >"$TMP/watch" 2>&1 &
watcher=$!
bg "$watcher"
for ((i = 0; i < 600; i++)); do
	kill -0 "$watcher" 2>/dev/null || break
	mc set w/y "$i"
	sleep 0.05
done
wait "$watcher"
t_json 'v["event"] == "change" and v["path"] == "w/y" and v["type"] == "value"' \
	"watch --json prints events" cat "$TMP/watch"

# batch: one session for many lines.
mc new namespace bt
t_out "$(printf '1\n2')" "batch runs each line" sh -c 'printf "%s\n" "set bt/a 1" "get bt/a" "# a comment" "" "set bt/b \"2\"" "get bt/b" | "$MGRCTL" batch' 2>/dev/null
t_out "$(printf '1\ntwo words')" "batch quotes like sh" sh -c "printf '%s\n' 'set bt/a 1' 'get bt/a' \"set bt/c 'two words'\" 'get bt/c' | \"\$MGRCTL\" batch"
t_err 1 '^mgrctl: line 2: .*ENOENT' "an error in batch names its line and stops" \
	sh -c 'printf "%s\n" "get bt/a" "get bt/nothing" "set bt/after 1" | "$MGRCTL" batch'
t_err 1 'ENOENT' "the lines after it did not run" mc get bt/after

# Exit statuses.
t_err 1 '^mgrctl: .*\(ENOENT\)$' "a missing object: status 1, one line naming the error" mc get nothing
t_err 1 'ENOTDIR' "a path through a value: ENOTDIR" mc get top/x
t_err 1 '.' "no manager at the address: status 1" mc -c "unix:$TMP/nothing" ping
t_rc 2 "an unknown command: status 2" mc frobnicate
t_rc 2 "missing arguments: status 2" mc get
t_rc 2 "too many arguments: status 2" mc get a b
t_rc 2 "an unknown option: status 2" mc --frobnicate ping
t_rc 2 "a bad --timeout: status 2" mc --timeout soon ping
t_rc 2 "no command at all: status 2" mc
mc new queue q
t_rc 3 "a get from an empty queue with --timeout: status 3" mc --timeout 0.1 get q
t_rc 3 "a get -n that would block: status 3" mc get -n q
t_true "and prints nothing" test -z "$OUT$ERR"
t_true "help prints the commands" grep -q '^usage: mgrctl' <(mc help)
t_true "--help too" grep -q 'batch' <(mc --help)
t_true "help COMMAND prints its usage" grep -q '^usage: mgrctl get' <(mc help get)

# A dict too big for one answer (40,000 names is some 3 MB of listing) is
# listed in pages: every name once, in order.
mc new dict big
seq 1 40000 | awk '{ printf "set big/k%06d %d\n", $1, $1 }' | mc batch >/dev/null
t_true "ls lists all of a big dict, in order" cmp -s <(mc ls big) <(seq -f 'k%06g' 1 40000)
t_json "len(v['entries']) == 40000 and list(v) == ['entries']" "ls --json gathers the pages" \
	mc --json ls big
t_true "and items too" cmp -s <(mc items big) <(seq 1 40000 | awk '{ printf "k%06d\t%d\n", $1, $1 }')
t_true "mgrd is still running" alive "$MGRD_PID"
finish
