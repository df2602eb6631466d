#!/usr/bin/env python3
"""Run one of this folder's checks under every CPython found, as TAP.

    pythons.py SCRIPT [ARGS...]

Interpreters: /usr/bin/python3 and each pyenv 3.8 to 3.13 (under
$PYENV_ROOT or ~/.pyenv), or the colon-separated list in $MGR_PYTHONS.  A
version that is not installed is skipped, not failed: CI has the same set
as the development machine, but a machine without pyenv still runs the
checks with the system Python.  Each interpreter's run is one TAP line;
its own output is shown as comments."""
import glob
import os
import subprocess
import sys

WANTED = ["3.8", "3.9", "3.10", "3.11", "3.12", "3.13"]


def interpreters():
    if os.environ.get("MGR_PYTHONS"):
        return [(p, p) for p in os.environ["MGR_PYTHONS"].split(":") if p], []
    found, missing = [], []
    if os.path.exists("/usr/bin/python3"):
        found.append(("system", "/usr/bin/python3"))
    root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    for v in WANTED:
        paths = sorted(glob.glob(os.path.join(root, "versions", v + ".*", "bin", "python3")))
        if paths:
            found.append((v, paths[-1]))
        else:
            missing.append(v)
    return found, missing


def main():
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), sys.argv[1])
    found, missing = interpreters()
    n = failed = 0
    for name, exe in found:
        n += 1
        r = subprocess.run([exe, script, *sys.argv[2:]], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, errors="replace")
        version = subprocess.run([exe, "-c", "import sys; print(sys.version.split()[0])"],
                                 capture_output=True, text=True).stdout.strip()
        for line in r.stdout.splitlines():
            print(f"# [{version}] {line}")
        ok = r.returncode == 0
        failed += not ok
        print(f"{'ok' if ok else 'not ok'} {n} - {sys.argv[1]} under Python {version} ({name})")
        sys.stdout.flush()
    for v in missing:
        n += 1
        print(f"ok {n} - {sys.argv[1]} under Python {v} # SKIP not installed")
    print(f"1..{n}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
