#!/usr/bin/env python3
"""badserver.py: a scripted, misbehaving SOCKS server for the end-to-end tests.

    badserver.py --scenario NAME [--port 0] [--count 1] [--lifetime 30]
                 [--size N] [--seed K] [--log FILE]

Listens on 127.0.0.1 (port 0: the kernel picks one), prints `PORT <n>` as its
first stdout line once listening, serves --count connections (each in its own
thread), then exits.  Whatever happens, it exits after --lifetime seconds.
Python 3 standard library only.

Every scenario reads what the client sends properly (the greeting, the
RFC 1929 request, the SOCKS5 or SOCKS4/4a request, by their lengths) before it
answers, so each lie lands in the phase and the field it is meant for.  The
log (--log FILE, default stderr) has one line per event:

    ACCEPT <n> | RECV <hex> | SENT <hex> | GREETING methods=00,02
    AUTH user=<hex> pass=<hex> | REQUEST5 cmd=.. atyp=.. addr=.. port=..
    REQUEST4 cd=.. port=.. ip=.. userid=<hex> host=<hex> | EOF | CLOSE | RESET
    ERROR <why> | DONE <n>

A test that wants "nothing was sent" looks for the absence of ACCEPT/RECV.

Scenarios (a table below; the parametrised ones take a hex code or a count):

  ok5                 no auth (or user/pass accepted if 00 not offered), granted
                      reply with an IPv4 BND, then echo
  ok5-glued           granted reply and "HELLO\\n" in one send, then echo
  ok5-bytewise        granted reply one byte at a time, 20 ms apart, then echo
  trunc5-N-close      the first N bytes of a 10-byte IPv4 reply, then FIN
  trunc5-N-reset      the same, then RST (SO_LINGER 0)
  wrongver            method selection with version 04
  method-ff           method selection 05 FF
  method-not-offered  chooses a method the greeting did not offer (02 if it can)
  auth-fail           chooses 02, reads the RFC 1929 request, STATUS 01
  auth-malformed      chooses 02, reads the RFC 1929 request, answers one byte
  rep-XX              reply with REP=XX (hex); 00 then echoes, others close
  atyp-unknown        reply with ATYP 07 and six more bytes, then close
  domain-0            reply with ATYP 03 and a zero-length name, then echo
  domain-255          reply with ATYP 03 and a 255-byte name, then echo
  ipv6-reply          reply with ATYP 04 (::1), then echo
  rsv-nonzero         granted reply with RSV 01, then echo
  silent              accepts, logs what arrives, never answers
  drip                valid granted reply, one byte per second, then echo
  garbage             answers the greeting with random non-SOCKS bytes, closes
  bigout              granted, sends --size pattern bytes (netsvc.py gen
                      --seed --seed), then closes
  halfclose           granted, reads until the client's EOF, answers the
                      sha256 hex of what it read and a newline, closes
  ok4                 SOCKS4/4a request, reply 00 5A, then echo
  s4-rep-XX           SOCKS4 reply with CD=XX (hex); 5A echoes, others close
  s4-trunc-N          the first N bytes of the 8-byte SOCKS4 reply, then FIN
  s4-vn4              granted SOCKS4 reply with VN 04 instead of 00, then echo
"""

import argparse
import hashlib
import os
import random
import re
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netsvc import pattern_chunks  # noqa: E402  (same directory)


class Abort(Exception):
    """The client did something this scenario cannot go on from."""


# ---------------------------------------------------------------- logging

_log_lock = threading.Lock()
_log_file = sys.stderr


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


NAME_255 = b".".join([b"x" * 63] * 4)  # 4*63 + 3 dots = 255 bytes
assert len(NAME_255) == 255

GARBAGE = bytearray(random.Random(7).randbytes(64))
GARBAGE[0] = 0xA7  # neither 00, 04 nor 05: no version a client could accept
GARBAGE = bytes(GARBAGE)


# ---------------------------------------------------------------- steps

# A scenario is a list of steps run in order; each step is a function of
# the connection.  The last step decides how the connection ends.

def GREET(c):
    read_greeting(c)


def SELECT(c):
    """The ordinary choice: 00 if offered, else 02 with the login accepted."""
    if 0 in c.offered:
        c.send(b"\x05\x00")
    elif 2 in c.offered:
        c.send(b"\x05\x02")
        read_auth(c)
        c.send(b"\x01\x00")
    else:
        c.send(b"\x05\xff")
        raise Abort("client offered neither 00 nor 02")


def SELECT_UNOFFERED(c):
    m = next(m for m in (0x02, 0x01, 0x03, 0x80, 0xFE) if m not in c.offered)
    c.send(bytes([5, m]))


def AUTH(c):
    read_auth(c)


def REQ5(c):
    read_request5(c)


def REQ4(c):
    read_request4(c)


def send(data, pace=0.0):
    def step(c):
        c.send(data, pace)
    step.__name__ = "send(%s)" % data[:16].hex()
    return step


def ECHO(c):
    """The tunnel: echo until the client's EOF, then half-close back."""
    while True:
        d = c.s.recv(1 << 16)
        if not d:
            c.log("EOF")
            break
        c.log("RECV %s" % d[:64].hex() + ("..." if len(d) > 64 else ""))
        c.s.sendall(d)
    c.s.shutdown(socket.SHUT_WR)
    c.drain(5)


def CLOSE(c):
    """Orderly close: FIN now, then let the client close (bounded)."""
    c.log("CLOSE")
    c.s.shutdown(socket.SHUT_WR)
    c.drain(5)


def RESET(c):
    """Abortive close: RST instead of FIN."""
    c.log("RESET")
    c.s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.s.close()


def HOLD(c):
    """Never answer; log whatever arrives until the client gives up."""
    c.drain(c.args.lifetime)


def BIGOUT(c):
    n = 0
    for chunk in pattern_chunks(c.args.size, c.args.seed, 1 << 18):
        c.s.sendall(chunk)
        n += len(chunk)
    c.log("SENT %d pattern bytes" % n)
    CLOSE(c)


def HALFCLOSE(c):
    h = hashlib.sha256()
    n = 0
    while True:
        d = c.s.recv(1 << 16)
        if not d:
            c.log("EOF")
            break
        h.update(d)
        n += len(d)
    c.log("READ %d bytes, answering the digest" % n)
    c.send((h.hexdigest() + "\n").encode())
    CLOSE(c)


# ---------------------------------------------------------------- the table

HANDSHAKE5 = [GREET, SELECT, REQ5]

SCENARIOS = {
    "ok5":                HANDSHAKE5 + [send(rep5()), ECHO],
    "ok5-glued":          HANDSHAKE5 + [send(rep5() + b"HELLO\n"), ECHO],
    "ok5-bytewise":       HANDSHAKE5 + [send(rep5(), pace=0.02), ECHO],
    "wrongver":           [GREET, send(b"\x04\x00"), CLOSE],
    "method-ff":          [GREET, send(b"\x05\xff"), CLOSE],
    "method-not-offered": [GREET, SELECT_UNOFFERED, CLOSE],
    "auth-fail":          [GREET, send(b"\x05\x02"), AUTH, send(b"\x01\x01"), CLOSE],
    "auth-malformed":     [GREET, send(b"\x05\x02"), AUTH, send(b"\x01"), CLOSE],
    "atyp-unknown":       HANDSHAKE5 + [send(b"\x05\x00\x00\x07" + bytes(6)), CLOSE],
    "domain-0":           HANDSHAKE5 + [send(rep5(atyp=3, addr=b"")), ECHO],
    "domain-255":         HANDSHAKE5 + [send(rep5(atyp=3, addr=NAME_255)), ECHO],
    "ipv6-reply":         HANDSHAKE5 + [send(rep5(atyp=4, addr=bytes(15) + b"\x01")), ECHO],
    "rsv-nonzero":        HANDSHAKE5 + [send(rep5(rsv=1)), ECHO],
    "silent":             [HOLD],
    "drip":               HANDSHAKE5 + [send(rep5(), pace=1.0), ECHO],
    "garbage":            [GREET, send(GARBAGE), CLOSE],
    "bigout":             HANDSHAKE5 + [send(rep5()), BIGOUT],
    "halfclose":          HANDSHAKE5 + [send(rep5()), HALFCLOSE],
    "ok4":                [REQ4, send(rep4()), ECHO],
    "s4-vn4":             [REQ4, send(rep4(vn=4)), ECHO],
}

# Parametrised scenarios: a pattern and a function that builds the steps.
PATTERNS = [
    (r"rep-([0-9a-f]{2})",
     lambda x: HANDSHAKE5 + [send(rep5(rep=int(x, 16))), ECHO if x == "00" else CLOSE]),
    (r"trunc5-([0-9])-close",
     lambda n: HANDSHAKE5 + [send(rep5()[:int(n)]), CLOSE]),
    (r"trunc5-([0-9])-reset",
     lambda n: HANDSHAKE5 + [send(rep5()[:int(n)]), RESET]),
    (r"s4-rep-([0-9a-f]{2})",
     lambda x: [REQ4, send(rep4(cd=int(x, 16))), ECHO if x == "5a" else CLOSE]),
    (r"s4-trunc-([0-7])",
     lambda n: [REQ4, send(rep4()[:int(n)]), CLOSE]),
]


def scenario_steps(name):
    name = name.lower()
    if name in SCENARIOS:
        return SCENARIOS[name]
    for pattern, build in PATTERNS:
        m = re.fullmatch(pattern, name)
        if m:
            return build(m.group(1))
    return None


# ---------------------------------------------------------------- serving

def handle(sock, conn_id, steps, args):
    c = Conn(sock, conn_id, args)
    c.offered = []
    sock.settimeout(args.lifetime)
    try:
        for step in steps:
            step(c)
    except Abort as e:
        c.log("ERROR " + str(e))
    except OSError as e:
        c.log("ERROR %s" % e)
    finally:
        try:
            sock.close()
        except OSError:
            pass
        c.log("DONE %d" % conn_id)


def main():
    global _log_file
    p = argparse.ArgumentParser(
        description="A scripted misbehaving SOCKS server (see the module docstring).")
    p.add_argument("--scenario")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--count", type=int, default=1, help="connections to serve (0: any number)")
    p.add_argument("--lifetime", type=float, default=30.0, help="exit after this many seconds")
    p.add_argument("--size", type=int, default=1 << 20, help="bigout: bytes to send")
    p.add_argument("--seed", type=int, default=3, help="bigout: pattern seed")
    p.add_argument("--log", help="event log file (default stderr)")
    p.add_argument("--list", action="store_true", help="print the scenario names and exit")
    args = p.parse_args()

    if args.list:
        print("\n".join(sorted(SCENARIOS)))
        print("\n".join(pat for pat, _ in PATTERNS))
        return 0
    if not args.scenario:
        p.error("--scenario NAME is required (try --list)")
    steps = scenario_steps(args.scenario)
    if steps is None:
        p.error("unknown scenario %r (try --list)" % args.scenario)
    if args.log:
        _log_file = open(args.log, "a", buffering=1)

    def bye():
        log(0, "ERROR lifetime of %gs over" % args.lifetime)
        os._exit(3)
    t = threading.Timer(args.lifetime, bye)
    t.daemon = True
    t.start()

    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", args.port))
    s.listen(16)
    print("PORT %d" % s.getsockname()[1], flush=True)

    threads = []
    served = 0
    while args.count == 0 or served < args.count:
        sock, _ = s.accept()
        served += 1
        log(served, "ACCEPT %d" % served)
        th = threading.Thread(target=handle, args=(sock, served, steps, args), daemon=True)
        th.start()
        threads.append(th)
    s.close()
    for th in threads:
        th.join()
    return 0


if __name__ == "__main__":
    sys.exit(main())
