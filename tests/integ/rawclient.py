"""A bare client for the frame protocol, for tests that must send what
mgrctl never would: broken frames, bad JSON, wrong argument types.  It
follows mgrfs(7) and nothing else, so it also checks the wire format."""
import hashlib
import hmac
import json
import os
import socket
import struct


class Closed(Exception):
    pass


class Conn:
    def __init__(self, path=None, tcp=None, key=None, timeout=10):
        if tcp:
            self.s = socket.create_connection(tcp, timeout=timeout)
        else:
            self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.s.settimeout(timeout)
            self.s.connect(path)
        self.next_id = 1
        self.frames = 0     # frames received, for {"ack": N}
        self.hello = self.recv()
        if key is not None and "challenge" in self.hello:
            self.authenticate(key)

    def authenticate(self, key, wrong=False):
        mine = os.urandom(32).hex()
        mac = hmac.new(key, b"mgrfs-client:" + self.hello["challenge"].encode(),
                       hashlib.sha256).hexdigest()
        if wrong:
            mac = "0" * 64
        self.send({"response": mac, "challenge": mine})
        reply = self.recv()
        if reply.get("welcome") is True:
            want = hmac.new(key, b"mgrfs-server:" + mine.encode(),
                            hashlib.sha256).hexdigest()
            if not hmac.compare_digest(want, reply.get("response", "")):
                raise RuntimeError("the server's response is wrong")
        return reply

    def close(self):
        self.s.close()

    def send_raw(self, data):
        self.s.sendall(data)

    def send_frame(self, payload):
        self.send_raw(struct.pack(">I", len(payload)) + payload)

    def send(self, obj):
        self.send_frame(json.dumps(obj).encode())

    def _recvn(self, n):
        buf = b""
        while len(buf) < n:
            try:
                chunk = self.s.recv(n - len(buf))
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                raise Closed()
            buf += chunk
        return buf

    def recv(self):
        """The next message that is not an event."""
        while True:
            (n,) = struct.unpack(">I", self._recvn(4))
            msg = json.loads(self._recvn(n))
            self.frames += 1
            if "event" not in msg:
                return msg

    def call(self, op, path=None, **args):
        """Send a request and wait for its own reply."""
        rid = self.next_id
        self.next_id += 1
        req = {"id": rid, "op": op}
        if path is not None:
            req["path"] = path
        req.update(args)
        self.send(req)
        while True:
            msg = self.recv()
            if msg.get("id") == rid:
                return msg

    def ack(self):
        """Acknowledge every frame received so far (keepalive sessions)."""
        self.send({"ack": self.frames})

    def closed(self):
        """True when the server has closed the connection."""
        try:
            while True:
                self.recv()
        except Closed:
            return True
        except socket.timeout:
            return False


def report(good, desc, detail=""):
    """One check, as tap_report in lib.sh reads it."""
    print(("PASS " if good else "FAIL ") + desc + ("" if good else ": " + str(detail)), flush=True)


def vm_mib(pid, field):
    """A process's VmRSS, VmHWM, ... from /proc, in MiB."""
    for line in open("/proc/%d/status" % pid):
        if line.startswith(field + ":"):
            return int(line.split()[1]) // 1024
