#!/usr/bin/env bash
# Malformed frames, bad JSON, oversized frames, unknown ops, wrong argument
# types and bad paths, sent raw to a real mgrd: each gets a clear error,
# the server stays up, and another session's data and lock are untouched.
. "$(dirname "$0")/lib.sh"

start_mgrd

# The checks run in Python, which can send any bytes; it prints one line
# per check, "PASS desc" or "FAIL desc: detail", turned into TAP here.
PYTHONPATH=$(dirname "$0") "$PYTHON" - "$MGRFS_SOCKET" "$MGRD_PID" >"$TMP/py.out" 2>&1 <<'EOF'
import os, struct, sys, json
from rawclient import Conn, Closed

sock, pid = sys.argv[1], int(sys.argv[2])

def report(good, desc, detail=""):
    print(("PASS " if good else "FAIL ") + desc + ("" if good else ": " + str(detail)), flush=True)

def alive():
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False

def is_err(msg, names):
    return (isinstance(msg, dict) and msg.get("error") in names
            and isinstance(msg.get("message"), str) and msg["message"] != "")

# Session A: data and a held lock that nothing below may disturb.
a = Conn(sock)
for req in [("create", "keep", {"type": "namespace"}),
            ("set", "keep/v", {"value": "precious"}),
            ("create", "keep/l", {"type": "list", "items": [1, 2, 3]}),
            ("create", "keep/q", {"type": "queue"}),
            ("put", "keep/q", {"value": "item"}),
            ("create", "keep/lock", {"type": "lock"}),
            ("acquire", "keep/lock", {})]:
    r = a.call(req[0], req[1], **req[2])
    if "error" in r:
        report(False, "set up session A", r)
        sys.exit(0)

# Bad frames on connections of their own: each reply has id null and a
# named error; after EBADMSG the same connection still answers.
def bad_payload(desc, payload, names=("EBADMSG",)):
    c = Conn(sock)
    try:
        c.send_frame(payload)
        r = c.recv()
        report(r.get("id") is None and is_err(r, names), desc + " gets " + "/".join(names), r)
        p = c.call("ping")
        report(p.get("result") == "pong", desc + ": the connection carries on", p)
    except Exception as e:
        report(False, desc, repr(e))
    finally:
        c.close()

bad_payload("invalid JSON", b'{"id": 1, "op": ')
bad_payload("garbage bytes", bytes(range(1, 40)))
bad_payload("a JSON array", b'[1, 2, 3]')
bad_payload("a JSON number", b'42')
bad_payload("a JSON string", b'"ping"')
bad_payload("JSON null", b'null')
bad_payload("invalid UTF-8 in a string", b'{"id": 1, "op": "p\xff\xfeng"}')
bad_payload("two JSON values in one frame", b'{"id": 1, "op": "ping"} {"id": 2}')
bad_payload("trailing comma", b'{"id": 1, "op": "ping",}')

# Frames whose length the server must refuse: an error, then a close.
def bad_length(desc, n, body=b""):
    c = Conn(sock)
    try:
        c.send_raw(struct.pack(">I", n) + body)
        r = c.recv()
        report(r.get("id") is None and is_err(r, ("EMSGSIZE",)), desc + " gets EMSGSIZE", r)
        report(c.closed(), desc + ": the connection is closed")
    except Closed:
        report(False, desc, "closed without an error")
    except Exception as e:
        report(False, desc, repr(e))
    finally:
        c.close()

bad_length("a frame of length 0", 0)
bad_length("a frame of 16 MiB + 1", (16 << 20) + 1)
bad_length("a frame of 4 GiB - 1", 0xffffffff, b"{}")

# A frame cut short, and a connection dropped inside a header.
for desc, data in [("a frame cut short", struct.pack(">I", 100) + b'{"id":1'),
                   ("a header cut short", b"\x00\x00")]:
    c = Conn(sock)
    c.send_raw(data)
    c.close()
    report(alive(), desc + ": the server stays up")

# Deep nesting is valid JSON; it must not exhaust the server's stack.
c = Conn(sock)
try:
    depth = 100000
    c.send_frame(b'{"id": 1, "op": "ping", "x": ' + b"[" * depth + b"]" * depth + b"}")
    r = c.recv()
    report(alive() and isinstance(r, dict), "deeply nested JSON gets an answer", r)
except Exception as e:
    report(False, "deeply nested JSON gets an answer", repr(e))
finally:
    c.close()
report(alive(), "deeply nested JSON: the server stays up")

# Requests that parse but ask for something wrong.
c = Conn(sock)
c.call("create", "t", type="namespace")
c.call("create", "t/q", type="queue")
c.call("create", "t/l", type="list")
c.call("create", "t/lock", type="lock")
c.call("set", "t/v", value=1)
cases = [
    ("unknown op", {"op": "frobnicate", "path": "t"}, ("ENOSYS",)),
    ("unknown session op", {"op": "frobnicate"}, ("ENOSYS",)),
    ("no op", {"path": "t"}, ("EINVAL", "ENOSYS")),
    ("op not a string", {"op": 7, "path": "t"}, ("EINVAL",)),
    ("path not a string", {"op": "get", "path": 7}, ("EINVAL",)),
    ("no path", {"op": "get"}, ("EINVAL",)),
    ("type not a string", {"op": "create", "path": "t/x", "type": 5}, ("EINVAL",)),
    ("unknown type", {"op": "create", "path": "t/x", "type": "teapot"}, ("EINVAL",)),
    ("maxsize a string", {"op": "create", "path": "t/x", "type": "queue", "maxsize": "big"}, ("EINVAL",)),
    ("parties zero", {"op": "create", "path": "t/x", "type": "barrier", "parties": 0}, ("EINVAL",)),
    ("semaphore value negative", {"op": "create", "path": "t/x", "type": "semaphore", "value": -1}, ("EINVAL",)),
    ("array without typecode", {"op": "create", "path": "t/x", "type": "array", "size": 3}, ("EINVAL",)),
    ("bad typecode", {"op": "create", "path": "t/x", "type": "array", "typecode": "z", "size": 3}, ("EINVAL",)),
    ("set without a value", {"op": "set", "path": "t/v"}, ("EINVAL",)),
    ("value and bytes both", {"op": "set", "path": "t/v", "value": 1, "bytes": "AA=="}, ("EINVAL",)),
    ("bad base64", {"op": "set", "path": "t/v", "bytes": "!!!not base64"}, ("EINVAL",)),
    ("timeout a string", {"op": "get", "path": "t/q", "timeout": "soon"}, ("EINVAL",)),
    ("timeout negative", {"op": "get", "path": "t/q", "timeout": -1}, ("EINVAL",)),
    ("block a string", {"op": "acquire", "path": "t/lock", "block": "yes"}, ("EINVAL",)),
    ("index a string", {"op": "insert", "path": "t/l", "index": "x", "value": 1}, ("EINVAL",)),
    ("extend with an object", {"op": "extend", "path": "t/l", "items": {"a": 1}}, ("EINVAL",)),
    ("owner negative", {"op": "acquire", "path": "t/lock", "owner": -3}, ("EINVAL",)),
    ("queue op on a list", {"op": "put", "path": "t/l", "value": 1}, ("ENOTSUP",)),
    ("lock op on a value", {"op": "acquire", "path": "t/v"}, ("ENOTSUP",)),
    ("cancel without target", {"op": "cancel"}, ("EINVAL",)),
    ("unsubscribe unknown", {"op": "unsubscribe", "sub": 999999}, ("ENOENT",)),
    ("path with ..", {"op": "set", "path": "t/../v", "value": 1}, ("EINVAL",)),
    ("path with .", {"op": "set", "path": "t/./v", "value": 1}, ("EINVAL",)),
    ("path .. alone", {"op": "get", "path": ".."}, ("EINVAL",)),
    ("empty name", {"op": "set", "path": "t//v", "value": 1}, ("EINVAL",)),
    ("bad escape", {"op": "set", "path": "t/a%zz", "value": 1}, ("EINVAL",)),
    ("NUL in a name", {"op": "set", "path": "t/a%00b", "value": 1}, ("EINVAL",)),
    ("name of 256 bytes", {"op": "set", "path": "t/" + "n" * 256, "value": 1}, ("ENAMETOOLONG",)),
    ("path over 65536 bytes", {"op": "set", "path": "/".join(["d" * 200] * 330), "value": 1}, ("ENAMETOOLONG",)),
    ("path 2100 deep", {"op": "get", "path": "/".join(["d"] * 2100)}, ("ENAMETOOLONG", "EINVAL")),
    ("delete the root", {"op": "delete", "path": ""}, ("EBUSY",)),
    ("get a missing object", {"op": "get", "path": "t/nothing"}, ("ENOENT",)),
    ("a page after a name that is gone", {"op": "ls", "path": "t", "after": "gone"}, ("ESTALE",)),
    ("inner name not a container", {"op": "get", "path": "t/v/x"}, ("ENOTDIR",)),
    ("release a lock not held", {"op": "release", "path": "t/lock"}, ("EPERM",)),
    ("value over 8 MiB", {"op": "set", "path": "t/big", "value": "x" * (8 << 20)}, ("EFBIG",)),
]
for desc, req, names in cases:
    rid = c.next_id
    c.next_id += 1
    req = dict(req, id=rid)
    try:
        c.send(req)
        r = c.recv()
        report(r.get("id") == rid and is_err(r, names), desc + " gets " + "/".join(names), r)
    except Exception as e:
        report(False, desc, repr(e))
        c = Conn(sock)

# A name of exactly 255 bytes is fine.
r = c.call("set", "t/" + "n" * 255, value=1)
report("result" in r, "a name of 255 bytes is accepted", r)
r = c.call("ping")
report(r.get("result") == "pong", "after all that the connection still answers", r)
c.close()

report(alive(), "the server stays up")
r = a.call("get", "keep/v")
report(r.get("result", {}).get("value") == "precious", "session A's value is intact", r)
r = a.call("get", "keep/l")
report([i.get("value") for i in r.get("result", {}).get("items", [])] == [1, 2, 3],
       "session A's list is intact", r)
r = a.call("qsize", "keep/q")
report(r.get("result") == 1, "session A's queue is intact", r)
r = a.call("acquire", "keep/lock", block=False)
report(r.get("result") is False, "session A's lock is still held", r)
r = a.call("release", "keep/lock")
report(r.get("result") is True, "session A still releases its lock", r)
a.close()
EOF
rc=$?
tap_report "$TMP/py.out"
t_true "the raw checks ran to the end" test "$rc" = 0

# A new session, through mgrctl, sees the data of session A.
t_json 'v["value"] == "precious"' "mgrctl still reads keep/v" "$MGRCTL" --json get keep/v
t_true "mgrd is still running" alive "$MGRD_PID"
finish
