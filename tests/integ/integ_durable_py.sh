#!/usr/bin/env bash
# A Python client's changes under --data-dir --fsync always: each one
# acknowledged to it is on disk before the reply, so a kill -9 while it
# writes loses none of them; its pickles (a tuple) come back byte for
# byte, type for type.
. "$(dirname "$0")/lib.sh"

D=$TMP/data
mkdir -m 700 "$D"
(umask 077 && head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$TMP/key")
# mgrctl reaches the manager through the environment: a native listener
# that asks for the key, as the python one does.
export MGRFS_ADDR="unix:$TMP/ctl.sock" MGRFS_AUTHKEY_FILE="$TMP/key"
dstart() {
	start_mgrd -l "$MGRFS_ADDR" -l "python+unix:$TMP/py.sock" --authkey-file "$TMP/key" \
		--data-dir "$D" --fsync always
	for ((i = 0; i < 100; i++)); do [[ -S $TMP/py.sock ]] && break; sleep 0.05; done
}
CLIENT='
import sys
from multiprocessing.managers import SyncManager, DictProxy, ListProxy
class M(SyncManager): pass
M.register("D", proxytype=DictProxy)
M.register("L", proxytype=ListProxy)
m = M(address=sys.argv[1], authkey=open(sys.argv[2], "rb").read())
m.connect()
d, l = m.D(), m.L()
if sys.argv[3] == "write":
    i = 0
    while True:
        d["k%d" % i] = (i, "x" * (i % 7), b"\0")
        l.append((i,))
        # acknowledged: only now is it said to be done
        print(i, flush=True)
        i += 1
else:
    n = int(sys.argv[4])
    for i in range(n + 1):
        v = d["k%d" % i]
        assert v == (i, "x" * (i % 7), b"\0") and type(v) is tuple, (i, v)
        assert l[i] == (i,) and type(l[i]) is tuple, (i, l[i])
    print("ok", len(d), len(l))
'

dstart
mc new dict D && mc new list L
"$PYTHON" -c "$CLIENT" "$TMP/py.sock" "$TMP/key" write >"$TMP/acked" 2>"$TMP/client.err" &
client=$!
bg "$client"
for ((i = 0; i < 200; i++)); do
	[[ $(wc -l <"$TMP/acked") -ge 300 ]] && break
	sleep 0.05
done
kill9 "$MGRD_PID"
MGRD_PID=
wait "$client" 2>/dev/null
n=$(tail -n 1 "$TMP/acked")
t_true "the Python client had changes acknowledged before the kill" test "${n:-0}" -ge 300
dstart
t_ok "every change acknowledged to the Python client is there after kill -9, tuples as tuples" \
	"$PYTHON" -c "$CLIENT" "$TMP/py.sock" "$TMP/key" read "$n"
t_ok "its pickles show as pickles" sh -c "\"$MGRCTL\" get D/k1 | grep -q pickle"
finish
