#!/usr/bin/env bash
# kill -9 of a durable mgrd at random moments under concurrent writers of
# every type, for as many cycles as fit in the budget (durable_crash.py
# says what each cycle checks), under --fsync always and then everysec.
# MGR_CRASH_SECONDS and MGR_CRASH_CYCLES bound the first run (defaults
# 60 s, 300 cycles); the second takes 15 s.
. "$(dirname "$0")/lib.sh"

mkdir -m 700 "$TMP/data" "$TMP/data2"
"$PYTHON" "$SRCDIR/tests/integ/durable_crash.py" "$MGRD" "$TMP/data" "$TMP/crash.sock" \
	"${MGR_CRASH_SECONDS:-60}" "${MGR_CRASH_CYCLES:-300}" >"$TMP/report" 2>&1
tap_report "$TMP/report"
# With everysec a change is written before its reply too, so a kill of
# the process alone loses nothing either.
MGR_CRASH_FSYNC=everysec "$PYTHON" "$SRCDIR/tests/integ/durable_crash.py" "$MGRD" "$TMP/data2" \
	"$TMP/crash2.sock" 15 100 >"$TMP/report2" 2>&1
sed 's/^\(....\) /\1 --fsync everysec: /' "$TMP/report2" >"$TMP/report"
tap_report "$TMP/report"
if grep -q . "$TMP/crash-mgrd.log" 2>/dev/null; then
	echo "# mgrd's log (errors only):"
	sed 's/^/#   /' "$TMP/crash-mgrd.log" | tail -20
fi
finish
