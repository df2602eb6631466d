#!/usr/bin/env bash
# kill -9 of a durable mgrd at random moments under concurrent writers of
# every type, for as many cycles as fit in the budget (durable_crash.py
# says what each cycle checks).  MGR_CRASH_SECONDS and MGR_CRASH_CYCLES
# bound the run (defaults 75 s, 300 cycles).
. "$(dirname "$0")/lib.sh"

mkdir -m 700 "$TMP/data"
"$PYTHON" "$SRCDIR/tests/integ/durable_crash.py" "$MGRD" "$TMP/data" "$TMP/crash.sock" \
	"${MGR_CRASH_SECONDS:-75}" "${MGR_CRASH_CYCLES:-300}" >"$TMP/report" 2>&1
tap_report "$TMP/report"
if grep -q . "$TMP/crash-mgrd.log" 2>/dev/null; then
	echo "# mgrd's log (errors only):"
	sed 's/^/#   /' "$TMP/crash-mgrd.log" | tail -20
fi
finish
