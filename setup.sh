#!/usr/bin/env bash
# The one entry point: install what is missing, build, then run.
#
#   ./setup.sh         set up, build, and run mgrd in the foreground on the
#                      default socket
#   ./setup.sh test    set up, build with warnings as errors, and run the
#                      whole test suite; exits with its status
#
# Each step says what it does in one line; the noisy output of apt, meson
# and ninja goes to a log that is shown only when a step fails.
set -euo pipefail

cd "$(dirname "$0")"
root=$PWD
build=build
mode=${1:-run}

case $mode in
run|test) ;;
-h|--help)
	sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
	exit 0 ;;
*)
	echo "usage: $0 [test]" >&2
	exit 2 ;;
esac

packages=(meson ninja-build gcc pkg-config libyajl-dev libcmocka-dev libssl-dev
	  libfuse3-dev fuse3 python3 clang attr openssh-server iproute2
	  sqlite3 rsync inotify-tools)

step() { echo "setup: $*"; }

# Run a noisy command with its output in a log; on failure show the log's
# tail so that the reason is on screen.
quiet() {
	local log=$1
	shift
	if ! "$@" >"$log" 2>&1; then
		echo "setup: failed: $*" >&2
		tail -n 40 "$log" >&2
		exit 1
	fi
}

logdir=$(mktemp -d "${TMPDIR:-/tmp}/mgrfs-setup.XXXXXX")
trap 'rm -rf "$logdir"' EXIT

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii'; then
		missing+=("$p")
	fi
done
if ((${#missing[@]})); then
	step "installing ${missing[*]}"
	if ((EUID == 0)); then
		as_root=()
	elif command -v sudo >/dev/null; then
		as_root=(sudo)
	else
		echo "setup: need root or sudo to install: ${missing[*]}" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	quiet "$logdir/apt.log" "${as_root[@]}" apt-get update
	quiet "$logdir/apt.log" "${as_root[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
else
	step "packages present"
fi

# Configure once; a build directory that meson cannot load any more (an
# interrupted setup, a newer meson) is configured again in place.
if [[ ! -f $build/build.ninja ]]; then
	step "configuring $build/"
	rm -rf "$build"
	quiet "$logdir/meson.log" meson setup "$build"
elif ! meson introspect --buildoptions "$build" >/dev/null 2>&1; then
	step "reconfiguring $build/"
	quiet "$logdir/meson.log" meson setup --reconfigure "$build"
fi

# The suite is held to zero warnings; a plain run does not change the
# option back, so switching between the two modes never rebuilds twice.
if [[ $mode == test ]]; then
	werror=$(meson introspect --buildoptions "$build" | python3 -c '
import json, sys
print([o["value"] for o in json.load(sys.stdin) if o["name"] == "werror"][0])')
	if [[ $werror != True ]]; then
		step "turning warnings into errors"
		quiet "$logdir/meson.log" meson configure "$build" -Dwerror=true
	fi
fi

step "building"
quiet "$logdir/ninja.log" ninja -C "$build"

if [[ $mode == run ]]; then
	step "starting mgrd on the default socket (Ctrl-C stops it)"
	rm -rf "$logdir"
	trap - EXIT
	exec "$build/tools/mgrd"
fi

step "running the test suite"
status=0
meson test -C "$build" --print-errorlogs || status=$?

# One closing line that any reader of the log understands, counted from
# meson's own record of the run.
python3 - "$build/meson-logs/testlog.json" <<'EOF' || true
import json, sys
n = {"OK": 0, "FAIL": 0, "SKIP": 0}
with open(sys.argv[1]) as f:
	for line in f:
		r = json.loads(line).get("result")
		if r in ("OK", "EXPECTEDFAIL"):
			n["OK"] += 1
		elif r == "SKIP":
			n["SKIP"] += 1
		else:
			n["FAIL"] += 1
print(f"setup: {n['OK']} passed, {n['FAIL']} failed, {n['SKIP']} skipped")
EOF
exit "$status"
