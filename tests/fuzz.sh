#!/bin/sh
# Fuzz the message decoder and the operations' argument parsing
# (fuzz_decode.c) with libFuzzer, ASan and UBSan, for a bounded time.
#
#   MGR_FUZZ_SECONDS  how long to run (default 30)
#   SRCDIR            the source tree (default: this script's parent)
#
# Exit status: 0 nothing found, 77 (skip) without clang, 1 a crash, a
# leak, undefined behaviour or a timeout was found; the input that caused
# it is printed in base64.
set -eu

SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
seconds=${MGR_FUZZ_SECONDS:-30}

if ! command -v clang >/dev/null 2>&1; then
	echo "clang is not installed: skipping the fuzzer"
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mgr-fuzz.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/corpus"

# shellcheck disable=SC2046 # pkg-config's output is meant to be split
clang -std=gnu11 -D_GNU_SOURCE -g -O1 \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-I"$SRCDIR/core/wire" -I"$SRCDIR/core/engine" $(pkg-config --cflags yajl libcrypto) \
	-o "$tmp/fuzz_decode" "$SRCDIR/tests/fuzz_decode.c" "$SRCDIR"/core/wire/*.c \
	"$SRCDIR"/core/engine/*.c \
	$(pkg-config --libs yajl libcrypto) -lpthread

# frame TEXT: TEXT with its 4-byte big-endian length in front.
frame() {
	n=$(printf '%s' "$1" | wc -c)
	printf "\\$(printf %03o $((n >> 24 & 255)))\\$(printf %03o $((n >> 16 & 255)))"
	printf "\\$(printf %03o $((n >> 8 & 255)))\\$(printf %03o $((n & 255)))"
	printf '%s' "$1"
}

# seed NAME FRAME...: one corpus file holding the frames in order.
seed() {
	name=$1
	shift
	for f in "$@"; do
		frame "$f"
	done >"$tmp/corpus/$name"
}

seed ping '{"id":1,"op":"ping"}'
seed bad_json '{"id":1,"op":' '[1,2]' '{"id":2,"op":"stat","path":""}'
seed tree '{"id":1,"op":"create","path":"a","type":"namespace"}' \
	'{"id":2,"op":"set","path":"a/v","value":{"x":[1,2.5,"s",null,true]}}' \
	'{"id":3,"op":"set","path":"a/b","bytes":"AAEC/w=="}' \
	'{"id":4,"op":"ls","path":"a"}' '{"id":5,"op":"dump","path":""}' \
	'{"id":6,"op":"rename","path":"a/v","to":"a/w"}' \
	'{"id":7,"op":"delete","path":"a","recursive":true}'
seed dict '{"id":1,"op":"create","path":"d","type":"dict","items":{"k":1,"l":"m"}}' \
	'{"id":2,"op":"update","path":"d","items":{"n":[1]}}' '{"id":3,"op":"popitem","path":"d"}' \
	'{"id":4,"op":"items","path":"d"}' '{"id":5,"op":"pop","path":"d/k"}' \
	'{"id":6,"op":"setdefault","path":"d/z","value":0}' '{"id":7,"op":"clear","path":"d"}'
seed list '{"id":1,"op":"create","path":"l","type":"list","items":[3,1,2]}' \
	'{"id":2,"op":"append","path":"l","value":"x"}' '{"id":3,"op":"insert","path":"l","index":-9,"value":0}' \
	'{"id":4,"op":"sort","path":"l","reverse":true}' '{"id":5,"op":"getitem","path":"l","start":-2,"stop":9}' \
	'{"id":6,"op":"delitem","path":"l","index":-1}' '{"id":7,"op":"index","path":"l","value":3,"start":0}' \
	'{"id":8,"op":"imul","path":"l","n":3}' '{"id":9,"op":"pop","path":"l"}'
seed array '{"id":1,"op":"create","path":"a","type":"array","typecode":"h","size":4}' \
	'{"id":2,"op":"setitem","path":"a","index":1,"value":-32768}' \
	'{"id":3,"op":"set","path":"a","value":[1,2,3,4]}' '{"id":4,"op":"get","path":"a"}'
seed queue '{"id":1,"op":"create","path":"q","type":"queue","maxsize":1}' \
	'{"id":2,"op":"get","path":"q","timeout":0.5}' '{"id":3,"op":"put","path":"q","value":1}' \
	'{"id":4,"op":"put","path":"q","value":2}' '{"id":5,"op":"put","path":"q","value":3,"block":false}' \
	'{"id":6,"op":"task_done","path":"q"}' '{"id":7,"op":"join","path":"q","timeout":1}' \
	'{"id":8,"op":"unget","path":"q","bytes":"eA=="}' '{"id":9,"op":"stat","path":"q"}'
seed sync '{"id":1,"op":"create","path":"l","type":"rlock"}' \
	'{"id":2,"op":"acquire","path":"l","owner":1}' '{"id":3,"op":"acquire","path":"l","owner":2,"timeout":1}' \
	'{"id":4,"op":"release","path":"l","owner":1}' \
	'{"id":5,"op":"create","path":"s","type":"bsemaphore","value":2}' \
	'{"id":6,"op":"acquire","path":"s","n":1}' '{"id":7,"op":"release","path":"s","n":5}' \
	'{"id":8,"op":"create","path":"c","type":"condition"}' '{"id":9,"op":"acquire","path":"c"}' \
	'{"id":10,"op":"wait","path":"c","timeout":0.1}' '{"id":11,"op":"notify_all","path":"c"}'
seed barrier '{"id":1,"op":"create","path":"b","type":"barrier","parties":2,"timeout":5}' \
	'{"id":2,"op":"wait","path":"b"}' '{"id":3,"op":"n_waiting","path":"b"}' \
	'{"id":4,"op":"abort","path":"b"}' '{"id":5,"op":"reset","path":"b"}' \
	'{"id":6,"op":"create","path":"e","type":"event"}' '{"id":7,"op":"wait","path":"e","timeout":0}' \
	'{"id":8,"op":"set","path":"e"}' '{"id":9,"op":"is_set","path":"e"}'

# The words of the protocol, so that mutations make requests that get
# past the argument checks.
for w in id op path value bytes type items timeout block owner index start \
	stop n maxsize parties typecode recursive exist_ok to target size reverse \
	namespace dict list array queue lock rlock semaphore bsemaphore event \
	condition barrier stat ls create delete rename dump pop get set setdefault \
	len update clear popitem append extend insert remove count sort getitem \
	setitem delitem contains imul put unget qsize empty full task_done join \
	acquire release locked get_value is_set wait notify notify_all abort reset \
	n_waiting broken; do
	printf '"%s"\n' "$w"
done >"$tmp/dict"

set +e
"$tmp/fuzz_decode" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
	-error_exitcode=1 -timeout_exitcode=1 -print_final_stats=1 -dict="$tmp/dict" \
	-artifact_prefix="$tmp/" "$tmp/corpus" 2>"$tmp/log"
status=$?
set -e
if [ "$status" -eq 0 ]; then
	grep -E '^(Done|stat::)' "$tmp/log"
	exit 0
fi
tail -n 60 "$tmp/log"
for f in "$tmp"/crash-* "$tmp"/leak-* "$tmp"/timeout-* "$tmp"/oom-*; do
	[ -e "$f" ] || continue
	echo "# input that failed ($(basename "$f")), base64:"
	base64 "$f"
done
exit 1
