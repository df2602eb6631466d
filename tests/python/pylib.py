"""Shared by the tests of Python's own manager protocol (tests/python/):
which CPythons there are, manager addresses and keys, and the two kinds of
manager the tests run against.

    cpython  CPython's own SyncManager server (cpyserver.py), started under
             the Python being tested, on a unix socket or TCP.
    mgrd     a fresh mgrd with python+tcp: and python+unix: listeners and a
             native unix socket for mgrctl.

Every file here runs under each CPython from 3.8 to 3.13: no syntax newer
than 3.8."""
import glob
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.environ.get("SRCDIR") or os.path.dirname(os.path.dirname(HERE))
# 2.7, 3.6 and 3.7 predate the frame header and the handshake managers
# use today (SPEC §1.2, §7): they are not looked for.  3.14 is not
# installed here; it is looked for, and reported absent.
WANTED = ["3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14"]


def interpreters():
    """([(label, path, version)], [absent versions]).  Debian's python3
    first, then pyenv's 3.8 to 3.14 (under $PYENV_ROOT or ~/.pyenv), or
    the colon-separated list in $MGR_PYTHONS."""
    cands, missing = [], []
    if os.environ.get("MGR_PYTHONS"):
        cands = [(p, p) for p in os.environ["MGR_PYTHONS"].split(":") if p]
    else:
        if os.path.exists("/usr/bin/python3"):
            cands.append(("debian", "/usr/bin/python3"))
        root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
        for v in WANTED:
            paths = sorted(glob.glob(os.path.join(root, "versions", v + ".*", "bin", "python3")),
                           key=lambda p: [int(x) if x.isdigit() else 0
                                          for x in p.split("/")[-3].split(".")])
            if paths:
                cands.append(("pyenv", paths[-1]))
            else:
                missing.append(v)
    found = []
    for label, path in cands:
        v = version_of(path)
        if v is None:
            missing.append(path)
        elif tuple(int(x) for x in v.split(".")[:2]) < (3, 8):
            missing.append("%s (%s: too old for managers' protocol)" % (path, v))
        else:
            found.append((label, path, v))
    return found, missing


def version_of(exe):
    try:
        r = subprocess.run([exe, "-c", "import sys; print(sys.version.split()[0])"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                           universal_newlines=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return r.stdout.strip() or None


def parse_address(spec):
    """A manager address as the tests spell it, the way mgrd's listeners
    are spelt: python+tcp:HOST:PORT or python+unix:PATH (the python+ may
    be left out).  Returns what a Python client passes as address=."""
    s = spec
    if s.startswith("python+"):
        s = s[len("python+"):]
    if s.startswith("tcp:"):
        host, _, port = s[4:].rpartition(":")
        return (host.strip("[]") or "127.0.0.1", int(port))
    if s.startswith("unix:"):
        return s[5:]
    raise ValueError("not a manager address: %r" % spec)


def format_address(addr):
    if isinstance(addr, tuple):
        return "python+tcp:%s:%d" % addr
    return "python+unix:" + addr


def read_key(path):
    """The key as mgrd reads --authkey-file: the whole file less one
    trailing newline."""
    with open(path, "rb") as f:
        k = f.read()
    return k[:-1] if k.endswith(b"\n") else k


def make_key(path):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(os.urandom(16).hex().encode())


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def connectable(addr):
    fam = socket.AF_INET if isinstance(addr, tuple) else socket.AF_UNIX
    s = socket.socket(fam)
    try:
        s.settimeout(1)
        s.connect(addr)
        return True
    except OSError:
        return False
    finally:
        s.close()


# The objects a BaseManager.register('NAME') program reaches by name: a
# CPython server registers NAME with a callable returning one object made
# at start (as the seed's server.py does); mgrd resolves NAME to the
# object of that name in its tree, which mgrctl makes.
NAMED = [("queue", "get_queue"), ("queue", "get_proxy")]


class Manager:
    """A manager the tests talk to; stop() ends it and what it started."""
    kind = None

    def __init__(self, tmp):
        self.tmp = tmp
        self.proc = None
        self.addresses = {}      # "tcp" / "unix" -> Python address
        self.log = os.path.join(tmp, "%s.%d.log" % (self.kind, id(self)))

    def address(self, transport="tcp"):
        return self.addresses[transport]

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def log_text(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.stop()


class CPythonManager(Manager):
    """CPython's SyncManager server (cpyserver.py) under the given Python,
    listening on TCP (the kernel picks the port) and on a unix socket."""
    kind = "cpython"

    def __init__(self, tmp, python, key_file, named=NAMED):
        Manager.__init__(self, tmp)
        self.python = python
        sock = tempfile.mktemp(prefix="cpy.", suffix=".sock", dir=tmp)
        args = [python, os.path.join(HERE, "cpyserver.py"), "--authkey-file", key_file,
                "--tcp", "127.0.0.1:0", "--unix", sock]
        for typ, name in named:
            args += ["--" + typ, name]
        out = open(self.log, "w")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=out,
                                     universal_newlines=True, cwd=HERE,
                                     env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
        out.close()
        line = self.proc.stdout.readline().split()
        if len(line) != 3 or line[0] != "ready":
            self.stop()
            raise RuntimeError("cpyserver.py did not start: %s" % self.log_text())
        self.addresses = {"tcp": parse_address(line[1]), "unix": parse_address(line[2])}

    def describe(self):
        return "CPython %s SyncManager server" % version_of(self.python)


def mgrd_supports_python(mgrd):
    """Whether this mgrd has the python+ listeners: its --help names them."""
    if not mgrd or not os.access(mgrd, os.X_OK):
        return False
    r = subprocess.run([mgrd, "--help"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True)
    return "python+tcp" in r.stdout


class MgrdManager(Manager):
    """A fresh mgrd: python+tcp: and python+unix: for the Python clients,
    unix: for mgrctl (and mgrfs), all asking for the one key.

    The listener spelling follows the brief for the python protocol
    (python+tcp:HOST:PORT, python+unix:PATH with --authkey-file); if the
    implementation spells it otherwise, this is the one place to change."""
    kind = "mgrd"

    def __init__(self, tmp, key_file, named=NAMED, mgrd=None, mgrctl=None):
        Manager.__init__(self, tmp)
        self.mgrd = mgrd or os.environ.get("MGRD") or os.path.join(SRCDIR, "build/tools/mgrd")
        self.mgrctl = mgrctl or os.environ.get("MGRCTL") or os.path.join(SRCDIR, "build/tools/mgrctl")
        self.key_file = key_file
        d = tempfile.mkdtemp(prefix="mgrd.", dir=tmp)
        self.ctl = "unix:" + os.path.join(d, "ctl.sock")
        unix = os.path.join(d, "py.sock")
        for attempt in range(5):
            port = free_port()
            out = open(self.log, "a")
            self.proc = subprocess.Popen(
                [self.mgrd, "-q", "-l", self.ctl, "-l", "python+tcp:127.0.0.1:%d" % port,
                 "-l", "python+unix:" + unix, "--authkey-file", key_file],
                stdout=out, stderr=out)
            out.close()
            self.addresses = {"tcp": ("127.0.0.1", port), "unix": unix}
            if self._wait_up():
                break
            self.stop()
        else:
            raise RuntimeError("mgrd did not start: %s" % self.log_text())
        for typ, name in named:
            self.ctl_run("new", typ, name)

    def _wait_up(self):
        for _ in range(400):
            if self.proc.poll() is not None:
                return False
            if all(connectable(a) for a in self.addresses.values()):
                return True
            time.sleep(0.05)
        return False

    def ctl_run(self, *args, check=True):
        r = subprocess.run([self.mgrctl, "-c", self.ctl, "--authkey-file", self.key_file]
                           + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, timeout=60)
        if check and r.returncode != 0:
            raise RuntimeError("mgrctl %s: %s" % (" ".join(args), r.stderr.strip()))
        return r

    def describe(self):
        return "mgrd (%s)" % self.mgrd


def target_kind():
    """What the tests run against: $MGR_PY_TARGET is cpython, mgrd or auto
    (the default): mgrd when it has the python listeners, else CPython
    against CPython, which checks the harness alone and says so."""
    want = os.environ.get("MGR_PY_TARGET", "auto")
    if want in ("cpython", "mgrd"):
        return want
    mgrd = os.environ.get("MGRD") or os.path.join(SRCDIR, "build/tools/mgrd")
    return "mgrd" if mgrd_supports_python(mgrd) else "cpython"


class Tap:
    """TAP on stdout, one line a check; a skip is never a pass."""

    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, desc, detail=()):
        self.n += 1
        if not cond:
            self.failed += 1
        print("%s %d - %s" % ("ok" if cond else "not ok", self.n, desc))
        for line in detail:
            print("#   " + line)
        sys.stdout.flush()
        return cond

    def skip(self, desc, why):
        self.n += 1
        print("ok %d - %s # SKIP %s" % (self.n, desc, why))
        sys.stdout.flush()

    def comment(self, text):
        for line in str(text).splitlines():
            print("# " + line)
        sys.stdout.flush()

    def done(self):
        print("1..%d" % self.n)
        print("# %d checks, %d failed" % (self.n, self.failed))
        return 1 if self.failed else 0


def tempdir():
    d = tempfile.mkdtemp(prefix="mgrfs-py.")
    return d


def rmtree(d):
    shutil.rmtree(d, ignore_errors=True)


def short(text, n=600):
    text = re.sub(r"\s+", " ", str(text))
    return text if len(text) <= n else text[:n] + "..."
