"""Shared by the Python checks of core/pywire: talking to pyprobe, a TAP
writer, and a structural view of pickles that never imports or runs what
they name.  Works on CPython 3.8 and later."""
import os
import pickle
import struct
import subprocess
import sys


def frame(payload):
    """A multiprocessing.connection frame: big-endian length, payload."""
    n = len(payload)
    if n > 0x7FFFFFFF:
        return struct.pack("!iQ", -1, n) + payload
    return struct.pack("!i", n) + payload


class Probe:
    """pyprobe as a child process: one request, one answer."""

    def __init__(self, path=None, args=()):
        self.path = path or os.environ["PYPROBE"]
        self.proc = subprocess.Popen([self.path, *args], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE)

    def _read(self, n):
        data = b""
        while len(data) < n:
            chunk = self.proc.stdout.read(n - len(data))
            if not chunk:
                raise EOFError("pyprobe closed its output")
            data += chunk
        return data

    def ask(self, cmd, payload):
        """(True, result) or (False, error text)."""
        self.proc.stdin.write(frame(cmd.encode() + payload))
        self.proc.stdin.flush()
        (n,) = struct.unpack("!i", self._read(4))
        if n == -1:
            (n,) = struct.unpack("!Q", self._read(8))
        answer = self._read(n)
        return answer[:1] == b"+", answer[1:]

    def close(self):
        self.proc.stdin.close()
        status = self.proc.wait()
        self.proc.stdout.close()
        return status


class Tap:
    """TAP output for meson: one line per check, failures explained."""

    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, name, detail=""):
        self.n += 1
        if not cond:
            self.failed += 1
        print(f"{'ok' if cond else 'not ok'} {self.n} - {name}")
        if not cond and detail:
            for line in str(detail).splitlines()[:20]:
                print(f"# {line}")
        sys.stdout.flush()
        return cond

    def skip(self, name, why):
        self.n += 1
        print(f"ok {self.n} - {name} # SKIP {why}")

    def done(self):
        print(f"1..{self.n}")
        return 1 if self.failed else 0


# A structural unpickler: every global becomes a stand-in class, so calls,
# NEWOBJ, BUILD, APPENDS and SETITEMS on unknown objects are recorded, not
# run.  Loading our pickle and the original this way and comparing the two
# trees checks structure, sharing and cycles without importing anything.
class Stub:
    _module = _qualname = None

    def __new__(cls, *args, **kwargs):
        self = object.__new__(cls)
        self.how = "newobj_ex" if kwargs else "newobj"
        self.args = args
        self.kwargs = kwargs
        self.items = []
        self.setitems = []
        self.state = None
        return self

    def __init__(self, *args, **kwargs):
        # Only a call through REDUCE runs __init__ after __new__.
        self.how = "reduce"

    def __setstate__(self, state):
        self.state = state

    def append(self, x):
        self.items.append(x)

    def extend(self, xs):
        self.items.extend(xs)

    def __setitem__(self, k, v):
        self.setitems.append((k, v))


_stubs = {}


class StubUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        key = (module, name)
        if key not in _stubs:
            _stubs[key] = type("Stub", (Stub,), {"_module": module, "_qualname": name})
        return _stubs[key]


def stub_loads(data):
    import io
    return StubUnpickler(io.BytesIO(data)).load()


def canon(x, seen=None, order=None):
    """A tree of tuples that two values share exactly when they have the
    same structure: types, contents (floats by bits), dict order, and which
    mutable nodes are the same node (numbered by first visit)."""
    if seen is None:
        seen, order = {}, [0]
    t = type(x)
    if x is None or t in (bool, int, str, bytes):
        return (t.__name__, x)
    if t is float:
        return ("float", struct.pack("<d", x))
    if isinstance(x, type) and issubclass(x, Stub):
        return ("global", x._module, x._qualname)
    mutable = t in (list, dict, set, bytearray) or isinstance(x, Stub)
    if mutable or t in (tuple, frozenset):
        if id(x) in seen:
            return ("ref", seen[id(x)])
        if mutable:
            seen[id(x)] = order[0]
            order[0] += 1
    if t is bytearray:
        return ("bytearray", bytes(x))
    if t in (tuple, list):
        return (t.__name__, tuple(canon(i, seen, order) for i in x))
    if t in (set, frozenset):
        return (t.__name__, tuple(canon(i, seen, order) for i in x))
    if t is dict:
        return ("dict", tuple((canon(k, seen, order), canon(v, seen, order))
                              for k, v in x.items()))
    if isinstance(x, Stub) and (type(x)._module, type(x)._qualname) == (
            "builtins", "bytearray") and x.how == "reduce" and \
            (x.args == () or (len(x.args) == 1 and type(x.args[0]) is bytes)) \
            and not (x.items or x.setitems or x.state):
        # Protocol 4's bytearray(b'...') and protocol 5's BYTEARRAY8 are
        # one value.
        return ("bytearray", x.args[0] if x.args else b"")
    if isinstance(x, Stub):
        return ("obj", type(x)._module, type(x)._qualname, x.how,
                canon(x.args, seen, order),
                canon(x.kwargs, seen, order) if x.kwargs else None,
                canon(x.items, seen, order), canon(x.setitems, seen, order),
                canon(x.state, seen, order))
    return ("other", repr(x))


def same_structure(a, b):
    """Whether two pickles load into the same structure; (ok, detail)."""
    ca, cb = canon(stub_loads(a)), canon(stub_loads(b))
    if ca == cb:
        return True, ""
    return False, f"theirs: {str(ca)[:600]}\nours:   {str(cb)[:600]}"
