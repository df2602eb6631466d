#!/usr/bin/env bash
# The conformance suite (tests/fs_conform.c: each supported call, and the
# errno of each that is not) on a mount, then the randomized exerciser
# (tests/fs_fsx.c: 100,000 operations on one file checked against a
# model), with the file read through a second mount as it goes.
#
# Environment (set by meson): FS_CONFORM, FS_FSX, and lib.sh's.
. "$(dirname "$0")/lib.sh"

two_mounts

mkdir "$M/conform"
"$FS_CONFORM" "$M/conform" >"$TMP/conform.tap"
rc=$?
tap_report <(sed -n 's/^ok [0-9]* - /PASS /p; s/^not ok [0-9]* - /FAIL /p; s/^#/INFO/p' \
	"$TMP/conform.tap" | sed 's/^INFO/ /')
t_true "the conformance suite passes" test "$rc" = 0

"$FS_FSX" "$M/fsx" "${FSX_OPS:-100000}" "${FSX_SEED:-1}" "$M2/fsx" >"$TMP/fsx.tap"
rc=$?
tap_report <(sed -n 's/^ok [0-9]* - /PASS /p; s/^not ok [0-9]* - /FAIL /p; s/^#/ /p' \
	"$TMP/fsx.tap")
t_true "the exerciser agrees with its model" test "$rc" = 0

fs_finish
