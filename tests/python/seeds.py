#!/usr/bin/env python3
"""Runs the seeds' example programs (tests/python/seeds/, copies of the
programs in /work/shared/seeds changed only in where the manager is and
its key; each file says what else, if anything, had to change) against
the manager at ADDRESS, in name order, under this Python, and checks that
each prints exactly its .out file (stdout and stderr together: logging
writes to stderr).  Prints PASS/FAIL lines.

    seeds.py --address ADDR --authkey-file KEY [--kind cpython|mgrd]

Left out: seed 001's MyClass example registers a class with a callable
that a server must run (MyManager.register("MyClass", MyClass, ...)) and
starts its own server with m.start(); only a Python server can host it."""
import argparse
import glob
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SEEDS = os.path.join(HERE, "seeds")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--address", required=True)
    ap.add_argument("--authkey-file", required=True)
    ap.add_argument("--kind", default="?")
    ap.add_argument("--mgrctl")
    ap.add_argument("--ctl")
    a = ap.parse_args()
    env = dict(os.environ, MGR_PY_ADDRESS=a.address, MGR_PY_AUTHKEY_FILE=a.authkey_file,
               PYTHONUNBUFFERED="1", PYTHONDONTWRITEBYTECODE="1")
    failed = 0
    for prog in sorted(glob.glob(os.path.join(SEEDS, "s[0-9]*.py"))):
        name = os.path.basename(prog)
        with open(prog[:-3] + ".out") as f:
            want = f.read()
        try:
            r = subprocess.run([sys.executable, prog], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, universal_newlines=True,
                               errors="replace", timeout=60, cwd=SEEDS, env=env)
            got, rc = r.stdout, r.returncode
        except subprocess.TimeoutExpired as e:
            got, rc = (e.stdout or ""), "killed after 60 s"
            if isinstance(got, bytes):
                got = got.decode(errors="replace")
        if rc == 0 and got == want:
            print("PASS %s prints what it should" % name)
        else:
            failed += 1
            print("FAIL %s: status %s" % (name, rc))
            for line in want.splitlines():
                print("  want: " + line)
            for line in got.splitlines()[-30:]:
                print("  got:  " + line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
