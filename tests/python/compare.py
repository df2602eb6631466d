#!/usr/bin/env python3
"""The comparer: runs suite.py under one Python against CPython's own
SyncManager server (started here, under the same Python) and against a
target, and reports every step whose record differs, less the differences
allowlist.py allows (each shown, with its reason).

    compare.py --python EXE [--target cpython|mgrd|ADDRESS]
               [--transport unix|tcp] [--ref-python EXE] [--keep DIR]

--target cpython (the default) is a second CPython server: the comparer
must then find nothing, which checks the harness itself.  mgrd starts a
fresh mgrd ($MGRD, $MGRCTL) with python listeners.  An ADDRESS
(python+tcp:HOST:PORT or python+unix:PATH, with --authkey-file) is a
manager already running, prepared as pylib.NAMED says.  --ref-python runs
the reference server under another Python than the client: how CPython's
answers differ from version to version, which is what a server that cannot
know its client's version cannot match (allowlist.py).  Exit status 0
when nothing but allowed differences was found."""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import allowlist  # noqa: E402
import pylib  # noqa: E402

SUITE_LIMIT = 900


def load(path):
    """{step: record} in the order written, and a list of problems (lines
    that are not records)."""
    recs, bad = {}, []
    try:
        with open(path, errors="replace") as f:
            for line in f:
                try:
                    rec = json.loads(line)
                    recs[rec["step"]] = rec
                except (ValueError, KeyError):
                    bad.append(line.rstrip()[:300])
    except OSError as e:
        bad.append(str(e))
    return recs, bad


def key(rec):
    """What is compared: the result, or the exception's type and args; a
    RemoteError's traceback text is each server's own, so its type only."""
    if rec is None:
        return None
    if "r" in rec:
        return ("r", rec["r"])
    if "e" in rec:
        if rec["e"] == "multiprocessing.managers.RemoteError":
            return ("e", rec["e"])
        return ("e", rec["e"], rec.get("a"))
    return ("other", json.dumps(rec, sort_keys=True))


def show(rec):
    if rec is None:
        return "(no such step)"
    if "r" in rec:
        return pylib.short(rec["r"], 400)
    if "e" in rec:
        return pylib.short("%s %s: %s" % (rec["e"], rec.get("a", ""), rec.get("m", "")), 400)
    return pylib.short(json.dumps(rec), 400)


def diff(ref, tgt, version, kind):
    """(differences, allowed): lists of (step, ref record, target record,
    allowlist entry or None)."""
    steps = list(ref) + [s for s in tgt if s not in ref]
    differences, allowed = [], []
    for s in steps:
        r, t = ref.get(s), tgt.get(s)
        if key(r) == key(t):
            continue
        e = allowlist.find(s, version, kind, r, t)
        (allowed if e else differences).append((s, r, t, e))
    return differences, allowed


def run_suite(python, address, key_file, out, err):
    return subprocess.Popen([python, os.path.join(HERE, "suite.py"), "--address", address,
                             "--authkey-file", key_file, "--out", out],
                            stdout=subprocess.DEVNULL, stderr=open(err, "w"), cwd=HERE,
                            env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))


def compare(python, target="cpython", transport="unix", ref_python=None, tmp=None,
            key_file=None, report=print, kind_override=None):
    """Runs both sides at once and reports; returns (ok, summary)."""
    own_tmp = tmp is None
    tmp = tmp or pylib.tempdir()
    version = tuple(int(x) for x in pylib.version_of(python).split(".")[:2])
    if key_file is None:
        key_file = os.path.join(tmp, "key")
        pylib.make_key(key_file)
    managers = []
    try:
        return _compare(python, target, transport, ref_python, tmp, key_file, report,
                        kind_override, version, managers)
    except (RuntimeError, OSError, subprocess.SubprocessError) as e:
        report("could not run: %s" % e)
        return False, "could not run: %s" % pylib.short(e, 200)
    finally:
        for m in managers:
            m.stop()
        if own_tmp:
            pylib.rmtree(tmp)


def _compare(python, target, transport, ref_python, tmp, key_file, report, kind_override,
             version, managers):
    if True:
        ref_mgr = pylib.CPythonManager(tmp, ref_python or python, key_file)
        managers.append(ref_mgr)
        if target == "cpython":
            tgt_mgr = pylib.CPythonManager(tmp, python, key_file)
            managers.append(tgt_mgr)
            kind, tgt_addr, what = "cpython", pylib.format_address(tgt_mgr.address(transport)), \
                tgt_mgr.describe()
        elif target == "mgrd":
            tgt_mgr = pylib.MgrdManager(tmp, key_file)
            managers.append(tgt_mgr)
            kind, tgt_addr, what = "mgrd", pylib.format_address(tgt_mgr.address(transport)), \
                tgt_mgr.describe()
        else:
            tgt_mgr = None
            kind, tgt_addr, what = "mgrd", target, target
        kind = kind_override or kind
        ref_addr = pylib.format_address(ref_mgr.address(transport))
        report("reference: %s at %s" % (ref_mgr.describe(), ref_addr))
        report("target:    %s at %s" % (what, tgt_addr))
        outs = {}
        procs = {}
        for side, addr in (("ref", ref_addr), ("tgt", tgt_addr)):
            outs[side] = os.path.join(tmp, "suite.%s.jsonl" % side)
            procs[side] = run_suite(python, addr, key_file, outs[side],
                                    os.path.join(tmp, "suite.%s.err" % side))
        status = {}
        for side, p in procs.items():
            try:
                status[side] = p.wait(SUITE_LIMIT)
            except subprocess.TimeoutExpired:
                p.kill()
                status[side] = "killed after %d s" % SUITE_LIMIT
        ref, ref_bad = load(outs["ref"])
        tgt, tgt_bad = load(outs["tgt"])
        ok = True
        for side, recs, bad in (("reference", ref, ref_bad), ("target", tgt, tgt_bad)):
            st = status["ref" if side == "reference" else "tgt"]
            errs = open(os.path.join(tmp, "suite.%s.err" % ("ref" if side == "reference" else "tgt")),
                        errors="replace").read().strip()
            if st != 0 or bad:
                ok = False
            if st != 0 or bad or errs:
                report("the suite against the %s: status %s, %d records" % (side, st, len(recs)))
                for line in bad[:5]:
                    report("  bad line: " + line)
                if errs:
                    report("  stderr: " + pylib.short(errs, 1500))
            for s, rec in recs.items():
                if "hung" in rec or "aborted" in rec or "crashed" in rec:
                    report("%s: %s" % (side, json.dumps(rec)))
        if status["ref"] != 0 or len(ref) < 100:
            report("the reference run failed: nothing to compare with")
            return False, "reference failed"
        differences, allowed = diff(ref, tgt, version, kind)
        for s, r, t, e in allowed:
            report("allowed %s (%s)" % (s, e["reason"]))
            report("    reference: " + show(r))
            report("    target:    " + show(t))
        for s, r, t, e in differences:
            report("DIFF %s" % s)
            report("    reference: " + show(r))
            report("    target:    " + show(t))
        expectations = allowlist.mgrd_expectations(tgt) if kind == "mgrd" else []
        for good, desc in expectations:
            if not good:
                report("EXPECTATION FAILED: " + desc)
        ok = ok and not differences and status["tgt"] == 0 and all(g for g, _ in expectations)
        summary = "%d steps, %d differences, %d allowed" % (len(ref), len(differences), len(allowed))
        report(summary)
        if not ok:
            for m in managers:
                log = m.log_text().strip()
                if log:
                    report("%s's log: %s" % (m.kind, pylib.short(log, 3000)))
        return ok, summary


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--target", default="cpython")
    ap.add_argument("--transport", default="unix", choices=["unix", "tcp"])
    ap.add_argument("--ref-python")
    ap.add_argument("--authkey-file", help="the key of a --target ADDRESS")
    ap.add_argument("--keep", help="write the records to this directory and keep them")
    ap.add_argument("--as-mgrd", action="store_true",
                    help="apply mgrd's allowlist entries to any target (with --ref-python: "
                    "check that the allowlist covers what CPython versions disagree on)")
    a = ap.parse_args()
    tmp = None
    if a.keep:
        os.makedirs(a.keep, exist_ok=True)
        tmp = a.keep
    if a.target not in ("cpython", "mgrd") and not a.authkey_file:
        ap.error("--target ADDRESS needs --authkey-file")
    ok, _ = compare(a.python, a.target, a.transport, a.ref_python, tmp=tmp,
                    key_file=a.authkey_file, kind_override="mgrd" if a.as_mgrd else None)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
