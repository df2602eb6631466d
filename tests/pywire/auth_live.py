#!/usr/bin/env python3
"""This CPython's own multiprocessing.connection against core/pywire's
server half of the handshake (pyprobe --auth, the state machine of
pyauth.h): 3.8-3.11 answer with raw HMAC-MD5 and challenge with 20 bytes,
3.12 and later use {sha256}.  Each case listens on a loopback port,
accepts, and hands the socket to a pyprobe as its stdin and stdout; after
the handshake pyprobe answers every pickle with ('#RETURN', value)."""
import multiprocessing.connection as mpc
import os
import pickle
import socket
import sys
import threading
from multiprocessing import AuthenticationError
from multiprocessing.managers import BaseManager

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pwlib import Tap  # noqa: E402

PROBE = os.environ["PYPROBE"]


class Server:
    """One accepted connection served by pyprobe --auth KEY [--legacy]."""

    def __init__(self, key, legacy=False):
        import subprocess
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.address = self.sock.getsockname()
        self.args = [PROBE, "--auth", key.decode()] + (["--legacy"] if legacy else [])
        self.proc = None
        self.popen = subprocess.Popen
        self.thread = threading.Thread(target=self._accept)
        self.thread.start()

    def _accept(self):
        conn, _ = self.sock.accept()
        self.proc = self.popen(self.args, stdin=conn, stdout=conn)
        conn.close()

    def status(self):
        self.thread.join(10)
        self.sock.close()
        return self.proc.wait(10)


def main():
    tap = Tap()
    version = sys.version_info[:2]
    kind = "{sha256}" if version >= (3, 12) else "legacy MD5"
    for key in (b"abracadabra", b""):
        for legacy in (False, True):
            what = f"{kind} client, key {key!r}, {'20-byte' if legacy else '{sha256}'} challenge"
            srv = Server(key, legacy)
            try:
                c = mpc.Client(srv.address, authkey=key)
                request = (None, "dummy", (), {"x": [1, 2.5, "\udc80"]})
                c.send(request)
                reply = c.recv()
                c.close()
                ok = reply == ("#RETURN", request) and srv.status() == 0
                tap.ok(ok, f"{what}: both sides authenticate, a request comes back", repr(reply))
            except Exception as e:  # noqa: BLE001
                tap.ok(False, what, repr(e))

    # A wrong key: the client's answer is refused with #FAILURE#, which
    # the client reports as 'digest sent was rejected'.
    srv = Server(b"right")
    try:
        mpc.Client(srv.address, authkey=b"wrong")
        tap.ok(False, "a wrong key is refused")
    except AuthenticationError as e:
        tap.ok(srv.status() == 3, f"a wrong key is refused: {e}")

    # The client's own challenge is answered under the key too: a client
    # that answers right but checks with another key refuses the server.
    srv = Server(b"right")
    s = socket.create_connection(srv.address)
    c = mpc.Connection(s.detach())
    try:
        mpc.answer_challenge(c, b"right")
        mpc.deliver_challenge(c, b"other")
        tap.ok(False, "the server's answer is checked by the client")
    except AuthenticationError:
        tap.ok(srv.status() == 3, "the server's answer is checked by the client, and it stops")
    c.close()

    # An unmodified manager client: connect() sends 'dummy'.
    srv = Server(b"abracadabra")
    m = BaseManager(address=srv.address, authkey=b"abracadabra")
    try:
        m.connect()
        tap.ok(srv.status() == 0, "BaseManager.connect() gets through")
    except Exception as e:  # noqa: BLE001
        tap.ok(False, "BaseManager.connect() gets through", repr(e))
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
