#!/bin/sh
# Fuzz core/pywire (fuzz_pywire.c: the pickle decoder and encoder, the
# values' operations, the framing and the handshake machine) with
# libFuzzer, ASan and UBSan, for a bounded time, from the corpus committed
# beside this script (copied, so that a run leaves the tree as it was).
#
#   MGR_FUZZ_SECONDS  how long to run (default 30)
#   MGR_FUZZ_KEEP     a directory to keep the grown corpus in (optional)
#   SRCDIR            the source tree (default: this script's grandparent)
#
# Exit status: 0 nothing found, 77 (skip) without clang, 1 a crash, a
# leak, undefined behaviour, a broken invariant or a timeout was found;
# the input that caused it is printed in base64.
set -eu

SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
seconds=${MGR_FUZZ_SECONDS:-30}
here=$SRCDIR/tests/pywire

if ! command -v clang >/dev/null 2>&1; then
	echo "clang is not installed: skipping the fuzzer"
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mgr-fuzz-pywire.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/corpus"
cp "$here"/corpus/* "$tmp/corpus/"

# shellcheck disable=SC2046 # pkg-config's output is meant to be split
clang -std=gnu11 -D_GNU_SOURCE -g -O1 \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-I"$SRCDIR/core/wire" -I"$SRCDIR/core/pywire" $(pkg-config --cflags libcrypto) \
	-o "$tmp/fuzz_pywire" "$here/fuzz_pywire.c" "$SRCDIR"/core/pywire/*.c \
	"$SRCDIR/core/wire/buf.c" $(pkg-config --libs libcrypto) -lm

set +e
"$tmp/fuzz_pywire" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
	-error_exitcode=1 -timeout_exitcode=1 -print_final_stats=1 -dict="$here/fuzz.dict" \
	-artifact_prefix="$tmp/" "$tmp/corpus" 2>"$tmp/log"
status=$?
set -e
if [ -n "${MGR_FUZZ_KEEP:-}" ]; then
	mkdir -p "$MGR_FUZZ_KEEP"
	cp "$tmp"/corpus/* "$MGR_FUZZ_KEEP/"
fi
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
