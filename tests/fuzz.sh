#!/bin/sh
# Fuzz every parser of bytes that come from outside with libFuzzer, ASan
# and UBSan, each target for a bounded time (tests/fuzz/fuzz_TARGET.c):
#
#   decode     frames and their JSON, each run as a request on a scratch
#              store, as the server reads them
#   json       JSON alone: parse, regenerate, parse again, the same text
#   path       paths, and each name escaped back into one
#   addr       addresses and ssh options
#   hello      the manager's greeting: what a client sends first
#   handshake  the client's greeting: what a hostile manager sends, and the
#              replies after it
#   pickle     core/pywire: Python's pickles decoded, encoded and compared,
#              its frames, and the handshake machine a Python client meets
#   pyserve    core/pyserver: a Python client's requests on a real server
#              with an object of every typeid, every method and server
#              function, parked calls included
#   restore    core/persist: a data directory's journal and snapshot, as
#              mgrd reads them at start, and a round trip of what loads
#
#   tests/fuzz.sh [-t SECONDS] [TARGET...]
#
#   -t SECONDS        how long each target runs (default $MGR_FUZZ_SECONDS,
#                     else 12); run by hand for an hour with -t 3600
#   TARGET...         the targets to run (default: all, one after another)
#   MGR_FUZZ_CORPUS   a directory in which to keep what the runs found, a
#                     folder a target, to run on from next time (default:
#                     thrown away)
#   SRCDIR            the source tree (default: this script's parent)
#
# Each target starts from its seeds in tests/fuzz/TARGET/ (and its
# dictionary tests/fuzz/TARGET.dict, if any), with inputs up to a size that
# reaches what its parser must survive: 1 MiB for JSON, frames and what a
# manager sends.  A few large seeds (JSON nested 300,000 deep) are made
# here rather than kept in the tree.
#
# Exit status: 0 nothing found, 77 (skip) without clang, 1 a crash, a
# leak, undefined behaviour, a failed check or a timeout was found; the
# input that caused it is printed in base64.
set -eu

SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
seconds=${MGR_FUZZ_SECONDS:-12}
all="decode json path addr hello handshake pickle pyserve restore"

while [ $# -gt 0 ]; do
	case $1 in
	-t)
		seconds=$2
		shift 2
		;;
	-h | --help | -*)
		sed -n '2,39p' "$0" | sed 's/^# \{0,1\}//' >&2
		exit 2
		;;
	*)
		break
		;;
	esac
done
targets=${*:-$all}
for t in $targets; do
	case " $all " in
	*" $t "*) ;;
	*)
		echo "fuzz.sh: no target '$t' (targets: $all)" >&2
		exit 2
		;;
	esac
done

if ! command -v clang >/dev/null 2>&1; then
	echo "clang is not installed: skipping the fuzzer"
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mgr-fuzz.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/obj"

# The library once, for every target: sanitized, with the fuzzer's
# coverage, its objects compiled two at a time.  Values up to 64 MiB, not
# 4 GiB: a record of a few bytes that extends a value to the largest size
# (a journal's, a truncate's) would otherwise stop the run out of memory.
# shellcheck disable=SC2046 # pkg-config's output is meant to be split
cflags="-std=gnu11 -D_GNU_SOURCE -DMGR_VERSION=\"fuzz\" -DMGR_VALUE_MAX=0x4000000ull
	-g -O1 -fno-omit-frame-pointer
	-fsanitize=address,undefined -fno-sanitize-recover=all
	-I$SRCDIR/core/wire -I$SRCDIR/core/engine -I$SRCDIR/core/server -I$SRCDIR/core/client
	-I$SRCDIR/core/pywire -I$SRCDIR/core/pyserver -I$SRCDIR/core/persist
	$(pkg-config --cflags yajl libcrypto)"
libs="$(pkg-config --libs yajl libcrypto) -lpthread -lm"
export cflags tmp
ls "$SRCDIR"/core/wire/*.c "$SRCDIR"/core/engine/*.c "$SRCDIR"/core/server/*.c \
	"$SRCDIR"/core/client/*.c "$SRCDIR"/core/pywire/*.c "$SRCDIR"/core/pyserver/*.c \
	"$SRCDIR"/core/persist/*.c |
	xargs -P 2 -n 1 sh -c '
		o=$tmp/obj/$(basename "$(dirname "$1")")_$(basename "$1" .c).o
		# shellcheck disable=SC2086 # cflags holds several flags
		clang $cflags -fsanitize=fuzzer-no-link -c "$1" -o "$o"' sh
ar rcs "$tmp/libmgr-fuzz.a" "$tmp"/obj/*.o

# seed_deep NAME PREFIX N SUFFIX FRAMED [LEAD]: a seed in $out of PREFIX, N
# levels of brackets and SUFFIX, in a frame of its own when FRAMED is 1,
# after the byte LEAD if given.
seed_deep() {
	python3 - "$out/$1" "$2" "$3" "$4" "$5" "${6:-}" <<'EOF'
import struct, sys
path, prefix, n, suffix, framed, lead = sys.argv[1:]
text = prefix.encode() + b"[" * int(n) + b"]" * int(n) + suffix.encode()
if framed == "1":
    text = struct.pack(">I", len(text)) + text
with open(path, "wb") as f:
    f.write((bytes([int(lead)]) if lead else b"") + text)
EOF
}

status=0
for t in $targets; do
	case $t in
	path) max_len=8192 ;;
	addr) max_len=4096 ;;
	hello) max_len=8192 ;;
	pyserve | restore) max_len=65536 ;;
	*) max_len=1048576 ;;
	esac
	# shellcheck disable=SC2086 # cflags and libs hold several flags
	clang $cflags -fsanitize=fuzzer -o "$tmp/fuzz_$t" "$SRCDIR/tests/fuzz/fuzz_$t.c" \
		"$tmp/libmgr-fuzz.a" $libs
	# New inputs go to the first directory: a scratch one, or the one
	# kept; the seeds in the tree are only read.
	out=${MGR_FUZZ_CORPUS:+$MGR_FUZZ_CORPUS/$t}
	out=${out:-$tmp/work/$t}
	mkdir -p "$out"
	case $t in
	json)
		# Issue 10, finding 1: a comment hid a quote from a depth check.
		seed_deep deep-comment '/*"*/' 300000 '' 0
		seed_deep deep '' 300000 '' 0
		;;
	decode)
		seed_deep deep-comment '/*"*/' 300000 '' 1
		seed_deep deep-request '{"id":1,"op":"set","path":"v","value":' 300000 '}' 1
		seed_deep deep-101 '{"id":1,"op":"set","path":"v","value":' 101 '}' 1
		;;
	handshake)
		seed_deep deep-hello '{"hello":"mgrd","protocol":1,"x":' 300000 '}' 1 0
		seed_deep deep-reply '{"id":1,"result":' 300000 '}' 1 1
		;;
	esac
	dict=
	if [ -f "$SRCDIR/tests/fuzz/$t.dict" ]; then
		dict=-dict=$SRCDIR/tests/fuzz/$t.dict
	fi
	echo "fuzz: $t for $seconds s, inputs up to $max_len bytes"
	set +e
	# shellcheck disable=SC2086 # dict is one flag or none
	"$tmp/fuzz_$t" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 \
		-rss_limit_mb=2048 -error_exitcode=1 -timeout_exitcode=1 -print_final_stats=1 \
		$dict -artifact_prefix="$tmp/$t-" "$out" "$SRCDIR/tests/fuzz/$t" 2>"$tmp/$t.log"
	r=$?
	set -e
	if [ "$r" -eq 0 ]; then
		grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss)' "$tmp/$t.log" |
			sed "s/^/fuzz: $t: /"
		continue
	fi
	status=1
	tail -n 60 "$tmp/$t.log"
	for f in "$tmp/$t"-crash-* "$tmp/$t"-leak-* "$tmp/$t"-timeout-* "$tmp/$t"-oom-*; do
		[ -e "$f" ] || continue
		echo "# $t: input that failed ($(basename "$f")), base64:"
		base64 "$f" | head -c 20000
		echo
	done
done
exit "$status"
