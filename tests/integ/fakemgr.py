"""A fake manager, for tests of what a client must refuse: it speaks the
frame protocol of mgrfs(7) well enough to be believed, answers every
request with a forged result, and writes down everything it is sent, so
that a test can tell whether a client that should have hung up sent
anything at all.

  fakemgr.py LOG (--unix PATH | --tcp | --stdio) [--auth] [--as UID]
             [--mkdir MODE]

LOG gets one line per connection ("connect") and one per frame received
(its JSON).  --tcp listens on a free port of the loopback and prints it;
--unix and --tcp print "ready" (after the port) once clients may connect.
--auth asks for a key it does not have: its challenge is real, its
"welcome" carries a made-up response.  --mkdir makes the socket's
directory with MODE, owned by --as.  --as UID: the socket is bound, and
the directory made, as the caller (root) and given to UID, and the
listening is done as UID, which is who the kernel then says listens, as
when that user had made it all."""
import argparse
import json
import os
import socket
import struct
import sys
import threading

FORGED = {
    "ping": "pong",
    "get": {"value": "forged"},
    "stat": {"type": "value", "version": 1, "size": 8},
    "acquire": True,
    "keepalive": True,
}


class Log:
    def __init__(self, path):
        self.f = open(path, "a", buffering=1)
        self.lock = threading.Lock()

    def write(self, line):
        with self.lock:
            self.f.write(line + "\n")


def read_exact(rd, n):
    buf = b""
    while len(buf) < n:
        chunk = rd(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def serve(rd, wr, log, auth):
    def send(obj):
        data = json.dumps(obj).encode()
        wr(struct.pack(">I", len(data)) + data)

    hello = {"hello": "mgrd", "protocol": 1}
    if auth:
        hello.update(auth="hmac-sha256", challenge=os.urandom(32).hex())
    send(hello)
    while True:
        head = read_exact(rd, 4)
        if head is None:
            return
        body = read_exact(rd, struct.unpack(">I", head)[0])
        if body is None:
            return
        log.write(body.decode(errors="replace"))
        msg = json.loads(body)
        if "response" in msg:
            # Welcomed, with a response made up: the fake has no key.
            send({"welcome": True, "response": "0" * 64})
        elif "id" in msg:
            send({"id": msg["id"], "result": FORGED.get(msg.get("op"), {"version": 1})})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--unix")
    where.add_argument("--tcp", action="store_true")
    where.add_argument("--stdio", action="store_true")
    ap.add_argument("--auth", action="store_true")
    ap.add_argument("--as", dest="uid", type=int)
    ap.add_argument("--mkdir", type=lambda s: int(s, 8))
    a = ap.parse_args()
    log = Log(a.log)

    if a.stdio:
        log.write("connect")
        out = sys.stdout.buffer
        serve(sys.stdin.buffer.read1, lambda b: (out.write(b), out.flush()), log, a.auth)
        return

    if a.unix:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        if a.mkdir is not None:
            d = os.path.dirname(a.unix)
            os.mkdir(d)
            os.chmod(d, a.mkdir)
            if a.uid is not None:
                os.chown(d, a.uid, a.uid)
        s.bind(a.unix)
        # Anyone may connect, as to any socket put there to be found.
        os.chmod(a.unix, 0o777)
        if a.uid is not None:
            os.chown(a.unix, a.uid, a.uid)
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", 0))
        print(s.getsockname()[1], flush=True)
    if a.uid is not None:
        os.setgroups([])
        os.setgid(a.uid)
        os.setuid(a.uid)
    s.listen(16)
    print("ready", flush=True)

    while True:
        c, _ = s.accept()
        log.write("connect")

        def run(c=c):
            try:
                serve(c.recv, c.sendall, log, a.auth)
            except OSError:
                pass
            finally:
                c.close()

        threading.Thread(target=run, daemon=True).start()


if __name__ == "__main__":
    main()
