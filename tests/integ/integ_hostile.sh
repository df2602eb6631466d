#!/usr/bin/env bash
# The hostile input of issue 10, against a real mgrd, through mgrctl and
# as exact bytes (rawclient.py): a frame that crashed the manager, strings
# cut at a NUL or turned into '?', values nested too deeply to be read back
# or to be answered at all, and numbers compared inexactly.  Every check
# is bounded in time, so that a manager or a client that hangs fails a
# check rather than the run.
. "$(dirname "$0")/lib.sh"

start_mgrd

# deep N: a list nested N deep, as text.
deep() {
	local n=$1
	printf '%*s' "$n" '' | tr ' ' '['
	printf '%*s' "$n" '' | tr ' ' ']'
}

# mc_t ARGS...: mgrctl on the test's manager, given up after 15 s.
mc_t() {
	timeout 15 "$MGRCTL" "$@"
}

# Finding 7: a value 100 deep is stored and comes back through every
# reply that carries it; 99 deep too (it could not be read, and a queue
# lost it); 101 deep is an error, not a string.
d100=$(deep 100)
d99=$(deep 99)
d101=$(deep 101)
t_ok "set a value 100 deep" mc_t set v100 "$d100"
t_out "$d100" "get it back exactly" mc_t get v100
t_ok "set a value 99 deep" mc_t set v99 "$d99"
t_out "$d99" "get it back exactly" mc_t get v99
t_ok "a list" mc_t new list l
t_ok "append an item 100 deep" mc_t append l "$d100"
t_out "$d100" "get the list's item back" mc_t get l
t_out "$d100" "getitem it back" mc_t getitem l 0
t_out "$d100" "pop it back" mc_t pop l
t_ok "a queue" mc_t new queue q
t_ok "put an item 99 deep" mc_t put q "$d99"
t_out "$d99" "get it from the queue" mc_t get q
t_ok "put an item 100 deep" mc_t put q "$d100"
t_out "$d100" "get that from the queue" mc_t get q
t_out 0 "nothing is left behind or lost" mc_t qsize q
t_ok "a dict holding a value 100 deep" mc_t new dict d "{\"k\":$d100}"
t_out "k	$d100" "its items come back" mc_t items d
t_out "$d100" "pop it back" mc_t pop d/k
t_err 1 'nested deeper than 100 levels' "a value 101 deep is an error, not a string" \
	mc_t set v101 "$d101"
t_rc 1 "and nothing was stored" mc_t get v101
t_err 1 'nested deeper than 100 levels' "an item 101 deep is an error too" \
	mc_t append l "$d101"
t_err 1 'nested deeper than 100 levels' "and a dict's member 101 deep" \
	mc_t update d "{\"k\":$d101}"
t_out 0 "the list is still empty" mc_t len l
t_ok "--string stores the text of one as a string" mc_t --string set s101 "$d101"
t_json "v['value'] == '$d101'" "as that string" mc_t --json get s101

# dump nests values inside containers: one that would go past what a
# client can read is refused, and the part below still dumps.
ns=n
for ((i = 1; i < 30; i++)); do
	"$MGRCTL" new namespace "$ns" || break
	ns=$ns/n
done
t_ok "30 namespaces, one in another" mc_t new namespace "$ns"
t_ok "with a value 100 deep in the last" mc_t set "$ns/v" "$d100"
t_err 1 'cannot dump' "dump of it all is refused" mc_t dump
t_out "{\"v\":$d100}" "dump of the last namespace is not" mc_t dump "$ns"
t_ok "and the connection was fine" mc_t rm -r n

# Finding 6: strings are kept whole or refused, never cut or changed.
t_ok "set a string holding NUL" mc_t set nul '"abc\u0000def"'
t_json 'v["value"] == "abc\u0000def"' "it comes back whole" mc_t --json get nul
t_out "$(printf 'abc\000def\n' | od -An -c)" "and is printed whole" \
	bash -c '"$1" get nul | od -An -c' _ "$MGRCTL"
t_err 1 'surrogate' "a lone surrogate is an error, not '?'" mc_t set sur '"\ud800"'
t_err 1 'NUL in an object key' "a NUL in a key is an error" \
	mc_t set key '{"k\u0000hidden":1,"k":2}'
t_rc 1 "and neither was stored" mc_t get key

# Finding 8: numbers.
t_ok "NaN, Infinity and -Infinity are numbers" mc_t set n '[NaN,Infinity,-Infinity]'
t_out '[NaN,Infinity,-Infinity]' "and come back as they were written" mc_t get n
t_json 'v["value"][1:] == [float("inf"), -float("inf")] and v["value"][0] != v["value"][0]' \
	"as numbers, not as a string" mc_t --json get n
t_ok "a Value of typecode d set to 3" mc_t new -t d value vd 3
t_out 3 "reads back 3, as SyncManager's does" mc_t get vd
t_ok "an Array of typecode d set to [3]" mc_t new -t d array ad 3
t_out 3.0 "keeps C doubles" mc_t getitem ad 0

# The same and more as exact bytes.  One line per check, "PASS desc" or
# "FAIL desc: detail", turned into TAP here.
PYTHONPATH=$(dirname "$0") timeout 240 "$PYTHON" - "$MGRFS_SOCKET" "$MGRD_PID" \
	>"$TMP/py.out" 2>&1 <<'EOF'
import json, math, os, socket, sys
from rawclient import Conn, Closed

sock, pid = sys.argv[1], int(sys.argv[2])

def report(good, desc, detail=""):
    print(("PASS " if good else "FAIL ") + desc + ("" if good else ": " + str(detail)[:300]),
          flush=True)

def alive():
    """The manager answers a new connection (a manager that died is a
    zombie until the shell reaps it, so kill(pid, 0) would not tell)."""
    try:
        a = Conn(sock, timeout=5)
        good = a.call("ping").get("result") == "pong"
        a.close()
        return good
    except Exception:
        return False

conn = None
def c():
    global conn
    if conn is None:
        conn = Conn(sock, timeout=5)
    return conn

def drop():
    global conn
    if conn is not None:
        conn.close()
    conn = None

def call(op, path=None, **args):
    try:
        return c().call(op, path, **args)
    except Exception as e:
        # Closed, a time-out, or a reply that is not JSON.
        drop()
        return {"exception": repr(e)}

def raw(payload, rid):
    """Send payload, a request with id rid as exact bytes; its reply, or
    an id-null reply that will not be followed by one."""
    try:
        c().send_frame(payload)
        while True:
            r = c().recv()
            if r.get("id") in (rid, None):
                return r
    except Exception as e:
        drop()
        return {"exception": repr(e)}

def refused(r, names=("EINVAL",)):
    return r.get("error") in names and isinstance(r.get("message"), str)

rid = 1000
def req(payload):
    global rid
    rid += 1
    return raw(b'{"id":%d,%s}' % (rid, payload), rid), rid

# Finding 6.
r, i = req(b'"op":"set","path":"s","value":"abc\\u0000def"')
g = call("get", "s")
report(g.get("result", {}).get("value") == "abc\x00def", "a NUL in a value is kept", (r, g))
r, i = req(b'"op":"set","path":"k","value":{"k\\u0000hidden":1,"k":2}')
report(r.get("id") == i and refused(r), "a NUL in a key is refused under the request's id", r)
report("error" in call("get", "k"), "and nothing is stored", call("get", "k"))
r, i = req(b'"op":"create","path":"dk","type":"dict","items":{"a\\u0000b":1}')
report(r.get("id") == i and refused(r), "a NUL in a dict's new key is refused", r)
r, i = req(b'"op":"set","path":"a\\u0000zzz","value":1')
report(r.get("id") == i and refused(r) and "NUL" in r.get("message", ""),
       "a NUL in a path is refused", r)
report("error" in call("get", "a"), "and did not act on the name before it", call("get", "a"))
for desc, s in [("a lone high surrogate", b'"\\ud800"'), ("a lone low surrogate", b'"\\udc00"'),
                ("a high surrogate before a letter", b'"\\ud800A"')]:
    r, i = req(b'"op":"set","path":"sur","value":' + s)
    report(r.get("id") == i and refused(r), desc + " is refused, not '?'", r)
for desc, s in [("overlong UTF-8", b'"\xc0\xaf"'), ("overlong UTF-8 (3 bytes)", b'"\xe0\x80\xaf"'),
                ("a surrogate encoded in UTF-8", b'"\xed\xa0\x80"'),
                ("UTF-8 past U+10FFFF", b'"\xf4\x90\x80\x80"')]:
    r, i = req(b'"op":"set","path":"u8","value":' + s)
    report(refused(r, ("EINVAL", "EBADMSG")), desc + " in a value is refused", r)
    r, i = req(b'"op":"set","path":"u8","value":{' + s + b':1}')
    report(refused(r, ("EINVAL", "EBADMSG")), desc + " in a key is refused", r)
report("error" in call("get", "u8"), "and none was stored", call("get", "u8"))
call("create", "ls", type="list", items=["a\x00b", "a"])
report(call("count", "ls", value="a").get("result") == 1, "count tells 'a' from 'a\\0b'",
       call("get", "ls"))
r = call("index", "ls", value="a")
report(r.get("result") == 1, "and so does index", r)

# Finding 7, exactly at the limits.
def nest(n):
    return b"[" * n + b"]" * n
for n in (99, 100):
    r, i = req(b'"op":"set","path":"d%d","value":%s' % (n, nest(n)))
    report(r.get("id") == i and "result" in r, "a value %d deep is stored" % n, r)
    g = call("get", "d%d" % n)
    report(json.dumps(g.get("result", {}).get("value"), separators=(",", ":")).encode() == nest(n),
           "and comes back exactly", g)
for n in (101, 127, 128, 300000):
    r, i = req(b'"op":"set","path":"d%d","value":%s' % (n, nest(n)))
    report(r.get("id") == i and refused(r) and "deeper than" in r.get("message", ""),
           "a value %d deep is refused under the request's id" % n, r)
call("create", "q", type="queue")
r, i = req(b'"op":"put","path":"q","value":' + nest(101))
report(r.get("id") == i and refused(r), "put of an item 101 deep is refused", r)
report(call("qsize", "q").get("result") == 0, "and nothing was queued")

# Finding 8.
B = 2 ** 64
call("create", "big", type="list", items=[B])
report(call("contains", "big", value=B + 1).get("result") is False,
       "2**64+1 is not in [2**64]", call("contains", "big", value=B + 1))
r = call("contains", "big", value=float(B))
report(r.get("result") is True, "2.0**64 is", r)
call("create", "big2", type="list", items=[2 ** 53 + 1])
report(call("contains", "big2", value=2.0 ** 53).get("result") is False,
       "2.0**53 is not in [2**53+1]")
report(call("count", "big2", value=2 ** 53 + 1).get("result") == 1, "2**53+1 is")
items = [2 ** 70 + 2, 2 ** 70 + 1, 2 ** 70, -(2 ** 70) - 1, -(2 ** 70)]
call("create", "sorted", type="list", items=items)
s = call("sort", "sorted")
g = [x.get("value") for x in call("get", "sorted").get("result", {}).get("items", [])]
report(g == sorted(items), "sort orders integers beyond 64 bits exactly", (s, g))
r, i = req(b'"op":"create","path":"nan","type":"list","items":[3,NaN,1,Infinity,-Infinity,2]')
report("result" in r, "NaN and the infinities are stored as numbers", r)
s = call("sort", "nan")
g = [x.get("value") for x in call("get", "nan").get("result", {}).get("items", [])]
report("result" in s and len(g) == 6 and sum(1 for x in g if isinstance(x, float) and math.isnan(x)) == 1,
       "sort does not fail on NaN", (s, g))
fin = [x for x in g if not (isinstance(x, float) and math.isnan(x))]
report(len(fin) == 5 and fin[0] == -math.inf and fin[-1] == math.inf,
       "and orders the infinities", g)
report(call("contains", "nan", value=float("nan")).get("result") is False,
       "NaN is not in a list holding NaN, as in Python")
report(call("contains", "nan", value=float("inf")).get("result") is True, "Infinity is")
r = call("set", "fnan", value=float("nan"))
g = call("get", "fnan")
v = g.get("result", {}).get("value")
report(isinstance(v, float) and math.isnan(v), "a NaN value comes back as NaN", g)
r = call("create", "vd", type="value", typecode="d", value=3)
g = call("get", "vd")
report(g.get("result", {}).get("value") == 3 and type(g.get("result", {}).get("value")) is int,
       "Value('d', 3) reads back 3", g)
r = call("set", "vd", value=10 ** 400)
report(refused(r), "Value('d') refuses an integer no double holds", r)
r = call("set", "vd", value=2.5)
report(call("get", "vd").get("result", {}).get("value") == 2.5, "and still takes floats")
r = call("get", "q", timeout=float("nan"))
report(refused(r), "a NaN timeout is refused", r)

# Finding 1, last, since the old manager died of it: a comment hid a
# quote from the depth check, and yajl freed 300,000 levels by recursion.
for desc, payload in [
        ("a comment before 300,000 brackets", b'/*"*/' + nest(300000)),
        ("a request with a comment in it", b'{"id":1,"op":"ping"/*"*/,"x":' + nest(300000) + b'}'),
        ("a string that looks like a comment", b'{"id":2,"op":"ping","a":"/*","x":' +
         nest(300000) + b'}')]:
    try:
        cc = Conn(sock, timeout=10)
        cc.send_frame(payload)
        r = cc.recv()
        report(refused(r, ("EBADMSG", "EINVAL")), desc + " is refused", r)
        report(cc.call("ping").get("result") == "pong", desc + ": the connection carries on")
        cc.close()
    except Exception as e:
        report(False, desc, repr(e))
    report(alive(), desc + ": the manager still answers")
EOF
rc=$?
tap_report "$TMP/py.out"
t_true "the raw checks ran to the end" test "$rc" = 0
t_out pong "mgrd still answers" mc_t ping
finish
