#!/usr/bin/env python3
"""The scripted server's connection (see badserver.py): the event log,
reading what the client sends by the messages' own lengths, and building
the replies a scenario sends."""

import socket
import struct
import sys
import threading
import time


class Abort(Exception):
    """The client did something this scenario cannot go on from."""


# ---------------------------------------------------------------- logging

_log_lock = threading.Lock()
_log_file = sys.stderr


def set_log_file(f):
    """Where log() writes from now on (stderr until this is called)."""
    global _log_file
    _log_file = f


def log(conn_id, text):
    with _log_lock:
        _log_file.write("[%d] %s\n" % (conn_id, text))
        _log_file.flush()


# ---------------------------------------------------------------- a connection

class Conn:
    def __init__(self, sock, conn_id, args):
        self.s = sock
        self.id = conn_id
        self.args = args

    def log(self, text):
        log(self.id, text)

    def recv_exact(self, n, what):
        buf = b""
        while len(buf) < n:
            d = self.s.recv(n - len(buf))
            if not d:
                self.log("EOF")
                raise Abort("client closed after %d of %d bytes of %s" % (len(buf), n, what))
            self.log("RECV " + d.hex())
            buf += d
        return buf

    def recv_cstr(self, what, limit=1024):
        out = b""
        while True:
            c = self.recv_exact(1, what)
            if c == b"\0":
                return out
            out += c
            if len(out) > limit:
                raise Abort("%s longer than %d bytes" % (what, limit))

    def send(self, data, pace=0.0):
        """Send data at once, or one byte every `pace` seconds."""
        if not pace:
            self.s.sendall(data)
            self.log("SENT " + data.hex())
            return
        for i in range(len(data)):
            if i:
                time.sleep(pace)
            self.s.sendall(data[i:i + 1])
            self.log("SENT " + data[i:i + 1].hex())

    def drain(self, seconds):
        """Read (and log) until the client's EOF, at most `seconds`."""
        self.s.settimeout(seconds)
        try:
            while True:
                d = self.s.recv(1 << 16)
                if not d:
                    self.log("EOF")
                    return
                self.log("RECV %s" % d[:64].hex() + ("..." if len(d) > 64 else ""))
        except socket.timeout:
            pass
        finally:
            self.s.settimeout(self.args.lifetime)


# ---------------------------------------------------------------- reading the client

def read_greeting(c):
    """SOCKS5 greeting: VER NMETHODS METHODS.  Returns the methods offered."""
    ver = c.recv_exact(1, "greeting VER")[0]
    if ver != 5:
        raise Abort("greeting VER is %02x, this scenario speaks SOCKS5" % ver)
    n = c.recv_exact(1, "NMETHODS")[0]
    methods = list(c.recv_exact(n, "METHODS")) if n else []
    c.log("GREETING methods=" + ",".join("%02x" % m for m in methods))
    c.offered = methods
    return methods


def read_auth(c):
    """RFC 1929: VER ULEN UNAME PLEN PASSWD."""
    c.recv_exact(1, "auth VER")
    ulen = c.recv_exact(1, "ULEN")[0]
    user = c.recv_exact(ulen, "UNAME")
    plen = c.recv_exact(1, "PLEN")[0]
    pw = c.recv_exact(plen, "PASSWD")
    c.log("AUTH user=%s pass=%s" % (user.hex(), pw.hex()))
    return user, pw


def read_request5(c):
    """SOCKS5 request: VER CMD RSV ATYP DST.ADDR DST.PORT."""
    ver, cmd, _rsv, atyp = c.recv_exact(4, "request head")
    if ver != 5:
        raise Abort("request VER is %02x" % ver)
    if atyp == 1:
        addr = socket.inet_ntop(socket.AF_INET, c.recv_exact(4, "DST.ADDR"))
    elif atyp == 4:
        addr = socket.inet_ntop(socket.AF_INET6, c.recv_exact(16, "DST.ADDR"))
    elif atyp == 3:
        n = c.recv_exact(1, "DST.ADDR length")[0]
        addr = c.recv_exact(n, "DST.ADDR").hex()
    else:
        raise Abort("request ATYP %02x" % atyp)
    port = struct.unpack("!H", c.recv_exact(2, "DST.PORT"))[0]
    c.log("REQUEST5 cmd=%02x atyp=%02x addr=%s port=%d" % (cmd, atyp, addr, port))


def read_request4(c):
    """SOCKS4/4a request: VN CD DSTPORT DSTIP USERID 00 [HOSTNAME 00]."""
    vn, cd = c.recv_exact(2, "VN CD")
    if vn != 4:
        raise Abort("request VN is %02x, this scenario speaks SOCKS4" % vn)
    port = struct.unpack("!H", c.recv_exact(2, "DSTPORT"))[0]
    ip = c.recv_exact(4, "DSTIP")
    userid = c.recv_cstr("USERID")
    host = b""
    if ip[:3] == b"\0\0\0" and ip[3] != 0:
        host = c.recv_cstr("HOSTNAME")
    c.log("REQUEST4 cd=%02x port=%d ip=%s userid=%s host=%s"
          % (cd, port, socket.inet_ntoa(ip), userid.hex(), host.hex()))


# ---------------------------------------------------------------- replies

def rep5(rep=0x00, atyp=1, addr=b"\x7f\x00\x00\x01", port=1080, rsv=0, ver=5):
    """A SOCKS5 reply.  For atyp 3, addr is the name (its length is added)."""
    if atyp == 3:
        addr = bytes([len(addr)]) + addr
    return bytes([ver, rep, rsv, atyp]) + addr + struct.pack("!H", port)


def rep4(cd=0x5A, vn=0, port=0, ip=b"\0\0\0\0"):
    return bytes([vn, cd]) + struct.pack("!H", port) + ip
