"""The differences between CPython's own server and mgrd that are allowed,
each with its reason.  Everything else compare.py finds is a failure.

An entry applies to the steps its glob matches, for the client versions
given (None: all), against the target kinds given.  Its accept(ref, tgt)
says whether the target's record is an acceptable answer where it differs
from the reference's (each a dict as suite.py writes it, or None when the
step is missing on that side).  An entry without accept allows any
difference.  Addresses and thread idents in reprs are not here: suite.py
masks them (0x?, owner=?) before anything is compared.

Keep this short: a difference added here is a difference users meet."""
import fnmatch
import re


def is_remote_error(rec):
    return rec is not None and rec.get("e") == "multiprocessing.managers.RemoteError"


def raised(rec, exc):
    return rec is not None and rec.get("e") == exc


def text_matches(rec, patterns):
    """The target's result is a str (in the suite's canonical form) that
    matches one of the patterns in full."""
    if rec is None or "r" not in rec:
        return False
    return any(re.fullmatch(p, rec["r"], re.S) for p in patterns)


def target_answer_of_some_cpython(patterns):
    return lambda ref, tgt: text_matches(tgt, patterns)


# What CPython's server answers depends on its version (found with
# compare.py --ref-python: each client against servers 3.8 to 3.13).
# mgrd cannot know its client's exact version, so for these steps any
# CPython version's answer is right.  Each alternative is the compared
# form of a record: ("r", result) or ("e", type, args).
def _e(exc, msg):
    return ("e", exc, "(str:%r, )" % msg)


ANY_VERSION = {
    # Sync objects' repr() (str(proxy) asks the server, SPEC §3.4) shows
    # their state from 3.11 on.
    "Semaphore:str": [("r", "str:'<threading.Semaphore object at 0x?>'"),
                      ("r", "str:'<threading.Semaphore at 0x?: value=2>'")],
    "BoundedSemaphore:str": [("r", "str:'<threading.BoundedSemaphore object at 0x?>'"),
                             ("r", "str:'<threading.BoundedSemaphore at 0x?: value=1/1>'")],
    "Event:str": [("r", "str:'<threading.Event object at 0x?>'"),
                  ("r", "str:'<threading.Event at 0x?: unset>'")],
    "Event:set": [("r", "(NoneType:None, bool:True, str:'<threading.Event object at 0x?>', )"),
                  ("r", "(NoneType:None, bool:True, str:'<threading.Event at 0x?: set>', )")],
    "Barrier:str": [("r", "str:'<threading.Barrier object at 0x?>'"),
                    ("r", "str:'<threading.Barrier at 0x?: waiters=0/2>'")],
    "Barrier:str-broken": [("r", "str:'<threading.Barrier object at 0x?>'"),
                           ("r", "str:'<threading.Barrier at 0x?: broken>'")],
    # Deleting a missing Namespace attribute: the message grew in 3.11.
    "Namespace:del-missing": [_e("builtins.AttributeError", "missing"),
                              _e("builtins.AttributeError",
                                 "'Namespace' object has no attribute 'missing'")],
    # array's messages for a float or str item changed in 3.10.
    "Array:setitem-float": [_e("builtins.TypeError", "integer argument expected, got float"),
                            _e("builtins.TypeError",
                               "'float' object cannot be interpreted as an integer")],
    "Array:setitem-str": [_e("builtins.TypeError", "an integer is required (got type str)"),
                          _e("builtins.TypeError", "'str' object cannot be interpreted as an integer")],
    # Lock timeouts out of range: the messages changed in 3.13.
    "Lock:acquire-timeout-negative": [_e("builtins.ValueError", "timeout value must be positive"),
                                      _e("builtins.ValueError",
                                         "timeout value must be a non-negative number")],
    "Lock:acquire-timeout-huge": [_e("builtins.OverflowError",
                                     "timestamp too large to convert to C _PyTime_t"),
                                  _e("builtins.OverflowError",
                                     "timestamp out of range for platform time_t")],
    # Assigning a non-iterable to a list slice: the message changed in 3.13.
    "list:setitem-slice-notiter": [_e("builtins.TypeError", "can only assign an iterable"),
                                   _e("builtins.TypeError", "must assign iterable to extended slice")],
    # Barrier(0): refused by create from 3.13 on, made before.
    "Barrier:zero-parties": [("r", "<proxy BarrierProxy Barrier>"),
                             ("e", "multiprocessing.managers.RemoteError")],
}


def compared(rec):
    """The compared form of a record (compare.key, repeated here so that
    this file stands alone)."""
    if rec is None:
        return None
    if "r" in rec:
        return ("r", rec["r"])
    if rec.get("e") == "multiprocessing.managers.RemoteError":
        return ("e", rec["e"])
    if "e" in rec:
        return ("e", rec["e"], rec.get("a"))
    return None


def some_cpython_version(step):
    alts = ANY_VERSION[step]
    return lambda ref, tgt: compared(ref) in alts and compared(tgt) in alts


ALLOW = [
    # SyncManager registers Pool, but only a Python server can run one:
    # mgrd refuses it with a RemoteError that names Pool (SPEC §3.9).
    dict(step="Pool:create", kinds=("mgrd",), reason="mgrd has no Python to run a Pool",
         accept=lambda ref, tgt: is_remote_error(tgt) and "Pool" in tgt.get("m", "")),
    dict(step="Pool:*", kinds=("mgrd",), reason="no Pool, so no Pool methods",
         accept=lambda ref, tgt: tgt is None),
    # CPython's server cannot import a class of the client's __main__ to
    # unpickle it; mgrd keeps any pickled object opaque (SPEC §4.3).
    dict(step="value:main-class:*", reason="CPython's server cannot unpickle __main__ classes",
         accept=lambda ref, tgt: is_remote_error(ref)),
    # CPython 3.8's server fails on an AutoProxy inside a value
    # ("unexpected keyword argument 'manager_owned'", fixed in 3.9; SPEC
    # §3.6); a server need not copy the bug.
    dict(step="nested:autoproxy-in-dict", versions=[(3, 8)], reason="CPython 3.8 server bug",
         accept=lambda ref, tgt: is_remote_error(ref)),
    # sort(key=f) sends f by reference; mgrd cannot call Python code and
    # answers TypeError (SPEC §3.9).
    dict(step="list:sort-key", kinds=("mgrd",), reason="mgrd cannot run a key function",
         accept=lambda ref, tgt: raised(tgt, "builtins.TypeError")),
    # reversed(list_proxy) gives an iterator by value; CPython pickles a
    # list_reverseiterator, a C server may send iter(reversed copy)
    # (SPEC §3.9): the items are compared in list:reversed.
    dict(step="list:reversed-type", kinds=("mgrd",), reason="either iterator type is allowed",
         accept=target_answer_of_some_cpython([r"str:'list_(reverse)?iterator'"])),
] + [
    dict(step=step, kinds=("mgrd",), reason="CPython's answer depends on its version",
         accept=some_cpython_version(step))
    for step in ANY_VERSION
]


def find(step, version, kind, ref, tgt):
    """The entry that allows this difference, or None."""
    for e in ALLOW:
        if not fnmatch.fnmatchcase(step, e["step"]):
            continue
        if e.get("versions") and tuple(version[:2]) not in [tuple(v) for v in e["versions"]]:
            continue
        if e.get("kinds") and kind not in e["kinds"]:
            continue
        acc = e.get("accept")
        if acc is None or acc(ref, tgt):
            return e
    return None


# What mgrd must answer whatever CPython says: checked on mgrd only.
def mgrd_expectations(records):
    """[(ok, description)] for a target that is mgrd."""
    out = []
    pool = records.get("Pool:create")
    out.append((is_remote_error(pool) and "Pool" in (pool or {}).get("m", ""),
                "mgrd refuses Pool with a RemoteError that names Pool"))
    return out
