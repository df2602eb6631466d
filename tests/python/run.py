#!/usr/bin/env python3
"""The meson entry of tests/python: runs one of its tests under every
CPython found, as TAP.

    run.py diff       the differential suite (compare.py): CPython's own
                      server against the target, same Python on all sides;
                      over unix sockets, and over TCP under Debian's python3
    run.py seeds      the seeds' programs (seeds.py) against the target
    run.py workload   forked processes and threads (workload.py) against
                      the target, and a killed lock holder
                      (both over TCP under Debian's python3, over unix
                      sockets under the others)

The target is $MGR_PY_TARGET: mgrd, cpython, or auto (the default): mgrd
when $MGRD has the python listeners, else a second CPython server, which
checks the harness alone; then each check against mgrd is reported as
skipped, never passed.  Interpreters: pylib.interpreters() (Debian's
python3 and pyenv's 3.8 to 3.14, or $MGR_PYTHONS); an absent version is a
skip.  Exit 77 (skip) only when there is no Python 3.8 or newer at all."""
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import compare  # noqa: E402
import pylib  # noqa: E402


def header(tap, found, missing, target):
    tap.comment("Pythons: " + ", ".join("%s (%s)" % (v, p) for _, p, v in found))
    if missing:
        tap.comment("absent: " + ", ".join(missing))
    if target == "mgrd":
        tap.comment("target: mgrd (%s)" % (os.environ.get("MGRD") or "build/tools/mgrd"))
    else:
        why = ("MGR_PY_TARGET=cpython" if os.environ.get("MGR_PY_TARGET") == "cpython"
               else "mgrd has no python+tcp:/python+unix: listener yet")
        tap.comment("target: a second CPython server (%s): this checks the harness, "
                    "not mgrd" % why)


def skip_absent(tap, what, missing):
    for v in missing:
        tap.skip("%s under Python %s" % (what, v), "not installed here")


def skip_mgrd(tap, what, target):
    if target != "mgrd":
        tap.skip("%s against mgrd" % what, "mgrd has no python listener (MGR_PY_TARGET=mgrd "
                 "once it has)")


def do_diff(tap, found, target):
    for label, py, v in found:
        transports = ["unix", "tcp"] if label == "debian" else ["unix"]
        for tr in transports:
            lines = []
            t0 = time.monotonic()
            ok, summary = compare.compare(py, target, tr, report=lines.append)
            desc = "differential suite, Python %s (%s), CPython server vs %s over %s: %s" % (
                v, label, "mgrd" if target == "mgrd" else "CPython server", tr, summary)
            tap.ok(ok, "%s (%.0f s)" % (desc, time.monotonic() - t0), lines)
    skip_mgrd(tap, "differential suite", target)


def start_target(tmp, py, key_file, target):
    if target == "mgrd":
        return pylib.MgrdManager(tmp, key_file)
    return pylib.CPythonManager(tmp, py, key_file)


def do_script(tap, found, target, script, what, extra=()):
    for label, py, v in found:
        # TCP for Debian's python3, unix sockets for the others: both
        # listeners serve every test, and the 40 ms that TCP clients lose
        # on each short connection (their two writes meet Nagle and the
        # server's delayed ACK) are paid once.
        transport = "tcp" if label == "debian" else "unix"
        tmp = pylib.tempdir()
        try:
            key_file = os.path.join(tmp, "key")
            pylib.make_key(key_file)
            try:
                mgr = start_target(tmp, py, key_file, target)
            except (RuntimeError, OSError) as e:
                tap.ok(False, "%s, Python %s (%s): the %s did not start" % (what, v, label, target),
                       pylib.short(e, 2000).splitlines())
                continue
            with mgr:
                addr = pylib.format_address(mgr.address(transport))
                args = [py, os.path.join(HERE, script), "--address", addr, "--authkey-file",
                        key_file, "--kind", mgr.kind] + list(extra)
                if mgr.kind == "mgrd":
                    args += ["--mgrctl", mgr.mgrctl, "--ctl", mgr.ctl]
                t0 = time.monotonic()
                try:
                    r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                       universal_newlines=True, errors="replace", timeout=600,
                                       cwd=HERE, env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1",
                                                          PYTHONUNBUFFERED="1"))
                    out, rc = r.stdout, r.returncode
                except subprocess.TimeoutExpired as e:
                    out, rc = (e.stdout or "") + "\n(killed after 600 s)", -9
                checks = [l for l in out.splitlines() if l.startswith(("PASS ", "FAIL "))]
                failed = [l for l in checks if l.startswith("FAIL ")]
                detail = [l for l in out.splitlines() if not l.startswith("PASS ")]
                if rc != 0 or failed or not checks:
                    detail += pylib.short(mgr.log_text(), 2000).splitlines() if mgr.log_text() else []
                tap.ok(rc == 0 and not failed and bool(checks),
                       "%s, Python %s (%s), against %s over %s: %d checks, %d failed (%.0f s)" % (
                           what, v, label, mgr.describe(), transport, len(checks), len(failed),
                           time.monotonic() - t0), detail)
        finally:
            pylib.rmtree(tmp)
    skip_mgrd(tap, what, target)


def main():
    what = sys.argv[1] if len(sys.argv) > 1 else ""
    if what not in ("diff", "seeds", "workload"):
        sys.exit("usage: run.py diff|seeds|workload")
    found, missing = pylib.interpreters()
    tap = pylib.Tap()
    if not found:
        print("1..0 # SKIP no Python 3.8 or newer")
        return 77
    target = pylib.target_kind()
    header(tap, found, missing, target)
    if what == "diff":
        do_diff(tap, found, target)
        skip_absent(tap, "differential suite", missing)
    elif what == "seeds":
        do_script(tap, found, target, "seeds.py", "seed programs")
        skip_absent(tap, "seed programs", missing)
    else:
        do_script(tap, found, target, "workload.py", "workload")
        skip_absent(tap, "workload", missing)
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
