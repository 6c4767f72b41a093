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

and for BIND and UDP ASSOCIATE:

    LISTEN 127.0.0.1 port <p> | PEER <addr> port <p> | PEER-RECV <hex>
    PEER-EOF | RELAY 127.0.0.1 port <p>
    DGRAM from=<addr>:<port> frag=.. atyp=.. dst=<addr>:<port> data=<hex>
    DGRAM-SENT <why> <hex>

A test that wants "nothing was sent" looks for the absence of ACCEPT/RECV.

Scenarios (a table below; the parametrised ones take a hex code or a count):

  ok5                 no auth (or user/pass accepted if 00 not offered), granted
                      reply with an IPv4 BND, then echo
  ok5-glued           granted reply and "HELLO\\n" in one send, then echo
  ok5-bytewise        granted reply one byte at a time, 20 ms apart, then echo
  ok5-glued-reset     granted reply and "HELLO\\n" in one send, 0.2 s, "more\\n",
                      0.2 s, then RST
  trunc5-N-close      the first N bytes of a 10-byte IPv4 reply, then FIN
  trunc5-N-reset      the same, then RST (SO_LINGER 0)
  rep-XX-trunc-N      the first N bytes of a reply with REP=XX (hex), then FIN
  rep-XX-trunc-N-hold the same, then silence
  wrongver            method selection with version 04
  method-ff           method selection 05 FF
  method-not-offered  chooses a method the greeting did not offer (02 if it can)
  auth-fail           chooses 02, reads the RFC 1929 request, STATUS 01
  auth-malformed      chooses 02, reads the RFC 1929 request, answers one byte
  rep-XX              reply with REP=XX (hex); 00 then echoes, others close
  atyp-unknown        reply with ATYP 07 and six more bytes, then close
  domain-0            reply with ATYP 03 and a zero-length name, then echo
  domain-255          reply with ATYP 03 and a 255-byte name, then echo
  domain-nul          reply with ATYP 03 and the name "a\x00b", then echo
  ipv6-reply          reply with ATYP 04 (::1), then echo
  rsv-nonzero         granted reply with RSV 01, then echo
  hostile-name        granted reply with ATYP 03 and a name full of terminal
                      controls and a forged "sockscope:" line, then silence
  silent              accepts, logs what arrives, never answers
  accept-reset        accepts and resets at once (RST), reading nothing
  req-close           reads the greeting and the request, then closes
  rep-XX-trunc-N      the first N bytes of a reply with REP=XX (hex), then FIN
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

BIND (SOCKS5; the s4- ones are the same over SOCKS4, CD 5A/5B).  The first
reply names a listening socket the scenario opened on 127.0.0.1; a test
connects its peer there.

  bind-ok  s4-bind-ok         first reply; accepts one peer; second reply
                              naming the peer; relays client <-> peer, each
                              EOF passed on as a half-close
  bind-zero  s4-bind-zero     the same, the first reply saying 0.0.0.0
  bind-glued  s4-bind-glued   as bind-ok, the second reply and "HELLO\\n" in
                              one send
  bind-refused  s4-bind-refused  first reply, 0.2 s, second reply REP 05
                              (CD 5B), close
  bind-never  s4-bind-never   first reply, then never the second
  bind-close  s4-bind-close   first reply, 0.3 s, then FIN
  bind-trunc  s4-bind-trunc   first reply, 0.2 s, the first 6 bytes of the
                              second, then FIN
  bind-both  s4-bind-both     both replies and "HELLO\\n" in one send (the
                              peer named is 127.0.0.1 port 4242, made up),
                              then echo
  bind-hostile-peer           both replies in one send, the second naming
                              the peer by a name full of terminal controls,
                              then silence

UDP ASSOCIATE (the relay is a UDP socket on 127.0.0.1 the scenario opened;
each datagram is echoed back with a header naming the host it was addressed
to, as a relay names the remote that answered; the association ends at the
client's EOF on the control connection):

  udp-ok              granted, the relay's address in the reply, echo
  udp-zero            the same, the reply saying 0.0.0.0 (with the real port)
  udp-frag            before each echo, a copy "FRAG1 <data>" with FRAG 01
  udp-stranger        before each echo, "STRANGER <data>" from another socket
                      to the client's source port
  udp-short           before each echo, 6 bytes: too short for the header
  udp-close           echoes the first datagram, then closes the control
                      connection
  udp-name            as udp-ok, the reply naming the relay "localhost"
                      (ATYP 03)
  udp-name-bad        the same, named "relay.invalid", which never resolves

Tor's RESOLVE (F0) and RESOLVE_PTR (F1); the reply, then close:

  resolve-v4          ATYP 01 192.0.2.33
  resolve-v6          ATYP 04 2001:db8::5
  resolve-ptr         ATYP 03 "ptr.example.test"
  resolve-rep-XX      REP=XX (hex; 00 with 192.0.2.33, others 0.0.0.0), then
                      close
  resolve-tor-err-XX  REP=XX as Tor sends its RESOLVE errors: `05 XX 00 00` and
                      six zero bytes (ATYP 00), then close
  s4-resolve          SOCKS4a reply 00 5A with DSTIP 192.0.2.44
"""

import argparse
import hashlib
import os
import random
import re
import select
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

# Terminal controls and a forged line, as a hostile server might name a host.
HOSTILE_NAME = b"\x1b]0;pwned\x07\x1b[2J\x1b[31mEVIL\rFAKE\nsockscope: forged"

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


def pause(seconds):
    def step(c):
        time.sleep(seconds)
    step.__name__ = "pause(%g)" % seconds
    return step


# ---------------------------------------------------------------- BIND

LOOPBACK = b"\x7f\x00\x00\x01"
ANY4 = b"\x00\x00\x00\x00"


def bind_reply(v, ok, ip, port):
    """A BIND reply in SOCKS version v: granted (ok) or refused."""
    if v == 5:
        return rep5(rep=0x00 if ok else 0x05, addr=ip, port=port)
    return rep4(cd=0x5A if ok else 0x5B, port=port, ip=ip)


def bind_listen(v, zero=False):
    """Open the socket the peer is to connect to; the first reply names it."""
    def step(c):
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        c.closers.append(ls)
        ls.bind(("127.0.0.1", 0))
        ls.listen(1)
        port = ls.getsockname()[1]
        c.listener = ls
        c.log("LISTEN 127.0.0.1 port %d" % port)
        c.send(bind_reply(v, True, ANY4 if zero else LOOPBACK, port))
    step.__name__ = "bind_listen(%d%s)" % (v, ", zero" if zero else "")
    return step


def bind_accept(v, glued=b""):
    """Wait for one peer; the second reply names it (glued: bytes in the same send)."""
    def step(c):
        c.listener.settimeout(c.args.lifetime)
        peer, (addr, port) = c.listener.accept()
        c.closers.append(peer)
        c.listener.close()
        peer.settimeout(c.args.lifetime)
        c.peer = peer
        c.log("PEER %s port %d" % (addr, port))
        c.send(bind_reply(v, True, socket.inet_aton(addr), port) + glued)
    step.__name__ = "bind_accept(%d)" % v
    return step


def RELAY(c):
    """The BIND tunnel: client <-> peer until both have closed; an EOF from
    one side becomes a half-close toward the other."""
    other = {c.s: c.peer, c.peer: c.s}
    tag = {c.s: "", c.peer: "PEER-"}
    open_ = [c.s, c.peer]
    deadline = time.monotonic() + c.args.lifetime
    while open_:
        left = deadline - time.monotonic()
        if left <= 0:
            raise Abort("relay still open after %gs" % c.args.lifetime)
        ready, _, _ = select.select(open_, [], [], left)
        for s in ready:
            try:
                d = s.recv(1 << 16)
            except OSError as e:
                c.log("%sERROR %s" % (tag[s], e))
                d = b""
            if not d:
                c.log(tag[s] + "EOF")
                open_.remove(s)
                try:
                    other[s].shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                continue
            c.log("%sRECV %s" % (tag[s], d[:64].hex() + ("..." if len(d) > 64 else "")))
            other[s].sendall(d)


def bind_scenarios(prefix, v, request):
    """The BIND scenarios for SOCKS version v, after the `request` steps."""
    return {
        prefix + "bind-ok":      request + [bind_listen(v), bind_accept(v), RELAY],
        prefix + "bind-zero":    request + [bind_listen(v, zero=True), bind_accept(v), RELAY],
        prefix + "bind-glued":   request + [bind_listen(v), bind_accept(v, glued=b"HELLO\n"),
                                            RELAY],
        prefix + "bind-refused": request + [bind_listen(v), pause(0.2),
                                            send(bind_reply(v, False, ANY4, 0)), CLOSE],
        prefix + "bind-never":   request + [bind_listen(v), HOLD],
        prefix + "bind-close":   request + [bind_listen(v), pause(0.3), CLOSE],
        prefix + "bind-trunc":   request + [bind_listen(v), pause(0.2),
                                            send(bind_reply(v, True, LOOPBACK, 4242)[:6]), CLOSE],
        prefix + "bind-both":    request + [send(bind_reply(v, True, LOOPBACK, 4243)
                                                 + bind_reply(v, True, LOOPBACK, 4242)
                                                 + b"HELLO\n"), ECHO],
    }


# ---------------------------------------------------------------- UDP ASSOCIATE

def udp_relay(zero=False, name=None):
    """Open the relay socket; the reply names it (or 0.0.0.0 and its port,
    or a name, ATYP 03)."""
    def step(c):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        c.closers.append(u)
        u.bind(("127.0.0.1", 0))
        port = u.getsockname()[1]
        c.udp = u
        c.log("RELAY 127.0.0.1 port %d" % port)
        if name is not None:
            c.send(rep5(atyp=3, addr=name, port=port))
        else:
            c.send(rep5(addr=ANY4 if zero else LOOPBACK, port=port))
    step.__name__ = "udp_relay(%s)" % ("zero" if zero else name or "")
    return step


def udp_header_len(d):
    """Length of the RFC 1928 UDP header at the start of d, or None."""
    if len(d) < 4:
        return None
    n = {1: 4, 4: 16}.get(d[3])
    if d[3] == 3 and len(d) >= 5:
        n = 1 + d[4]
    if n is None or len(d) < 4 + n + 2:
        return None
    return 4 + n + 2


def udp_dst(head):
    atyp, a = head[3], head[4:-2]
    port = struct.unpack("!H", head[-2:])[0]
    if atyp == 1:
        return "%s:%d" % (socket.inet_ntop(socket.AF_INET, a), port)
    if atyp == 4:
        return "[%s]:%d" % (socket.inet_ntop(socket.AF_INET6, a), port)
    return "%s:%d" % (a[1:].decode("latin-1"), port)


def udp_echo(extra=None, count=0):
    """Echo each datagram to its sender, with the header it came with (FRAG
    00): the header names the host the datagram was addressed to.  extra
    ("frag", "stranger", "short") sends something the client must drop
    first.  Ends at the client's EOF on the control connection, or after
    `count` datagrams."""
    def step(c):
        stranger = None
        if extra == "stranger":
            stranger = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            c.closers.append(stranger)
            stranger.bind(("127.0.0.1", 0))
        n = 0
        deadline = time.monotonic() + c.args.lifetime
        while count == 0 or n < count:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Abort("association still open after %gs" % c.args.lifetime)
            ready, _, _ = select.select([c.s, c.udp], [], [], left)
            if c.s in ready:
                d = c.s.recv(1 << 16)
                if not d:
                    c.log("EOF")
                    return
                c.log("RECV " + d[:64].hex())
            if c.udp not in ready:
                continue
            d, src = c.udp.recvfrom(1 << 16)
            hl = udp_header_len(d)
            if hl is None:
                c.log("ERROR a datagram of %d bytes from %s:%d with no whole header: %s"
                      % (len(d), src[0], src[1], d[:64].hex()))
                continue
            head, data = d[:hl], d[hl:]
            c.log("DGRAM from=%s:%d frag=%02x atyp=%02x dst=%s data=%s"
                  % (src[0], src[1], head[2], head[3], udp_dst(head), data[:64].hex()))
            good = head[:2] + b"\x00" + head[3:]
            if extra == "frag":
                out = head[:2] + b"\x01" + head[3:] + b"FRAG1 " + data
                c.udp.sendto(out, src)
                c.log("DGRAM-SENT frag " + out[:64].hex())
            elif extra == "stranger":
                out = good + b"STRANGER " + data
                stranger.sendto(out, src)
                c.log("DGRAM-SENT stranger " + out[:64].hex())
            elif extra == "short":
                out = good[:6]
                c.udp.sendto(out, src)
                c.log("DGRAM-SENT short " + out.hex())
            if extra is not None:
                time.sleep(0.05)  # let the one to drop arrive first
            c.udp.sendto(good + data, src)
            c.log("DGRAM-SENT echo " + (good + data)[:64].hex())
            n += 1
    step.__name__ = "udp_echo(%s)" % (extra or "")
    return step


# ---------------------------------------------------------------- RESOLVE

RESOLVED4 = socket.inet_aton("192.0.2.33")
RESOLVED6 = socket.inet_pton(socket.AF_INET6, "2001:db8::5")
RESOLVED4A = socket.inet_aton("192.0.2.44")
PTR_NAME = b"ptr.example.test"


# ---------------------------------------------------------------- the table

HANDSHAKE5 = [GREET, SELECT, REQ5]

SCENARIOS = {
    "ok5":                HANDSHAKE5 + [send(rep5()), ECHO],
    "ok5-glued":          HANDSHAKE5 + [send(rep5() + b"HELLO\n"), ECHO],
    "ok5-bytewise":       HANDSHAKE5 + [send(rep5(), pace=0.02), ECHO],
    "ok5-glued-reset":    HANDSHAKE5 + [send(rep5() + b"HELLO\n"), pause(0.2), send(b"more\n"),
                                        pause(0.2), RESET],
    "wrongver":           [GREET, send(b"\x04\x00"), CLOSE],
    "method-ff":          [GREET, send(b"\x05\xff"), CLOSE],
    "method-not-offered": [GREET, SELECT_UNOFFERED, CLOSE],
    "auth-fail":          [GREET, send(b"\x05\x02"), AUTH, send(b"\x01\x01"), CLOSE],
    "auth-malformed":     [GREET, send(b"\x05\x02"), AUTH, send(b"\x01"), CLOSE],
    "atyp-unknown":       HANDSHAKE5 + [send(b"\x05\x00\x00\x07" + bytes(6)), CLOSE],
    "domain-0":           HANDSHAKE5 + [send(rep5(atyp=3, addr=b"")), ECHO],
    "domain-255":         HANDSHAKE5 + [send(rep5(atyp=3, addr=NAME_255)), ECHO],
    "domain-nul":         HANDSHAKE5 + [send(rep5(atyp=3, addr=b"a\x00b")), ECHO],
    "ipv6-reply":         HANDSHAKE5 + [send(rep5(atyp=4, addr=bytes(15) + b"\x01")), ECHO],
    "rsv-nonzero":        HANDSHAKE5 + [send(rep5(rsv=1)), ECHO],
    "silent":             [HOLD],
    "accept-reset":       [RESET],
    "req-close":          HANDSHAKE5 + [CLOSE],
    "drip":               HANDSHAKE5 + [send(rep5(), pace=1.0), ECHO],
    "garbage":            [GREET, send(GARBAGE), CLOSE],
    "bigout":             HANDSHAKE5 + [send(rep5()), BIGOUT],
    "halfclose":          HANDSHAKE5 + [send(rep5()), HALFCLOSE],
    "ok4":                [REQ4, send(rep4()), ECHO],
    "s4-vn4":             [REQ4, send(rep4(vn=4)), ECHO],
    "udp-ok":             HANDSHAKE5 + [udp_relay(), udp_echo()],
    "udp-zero":           HANDSHAKE5 + [udp_relay(zero=True), udp_echo()],
    "udp-frag":           HANDSHAKE5 + [udp_relay(), udp_echo("frag")],
    "udp-stranger":       HANDSHAKE5 + [udp_relay(), udp_echo("stranger")],
    "udp-short":          HANDSHAKE5 + [udp_relay(), udp_echo("short")],
    "udp-close":          HANDSHAKE5 + [udp_relay(), udp_echo(count=1), CLOSE],
    "udp-name":           HANDSHAKE5 + [udp_relay(name=b"localhost"), udp_echo()],
    "udp-name-bad":       HANDSHAKE5 + [udp_relay(name=b"relay.invalid"), udp_echo()],
    "resolve-v4":         HANDSHAKE5 + [send(rep5(addr=RESOLVED4, port=0)), CLOSE],
    "resolve-v6":         HANDSHAKE5 + [send(rep5(atyp=4, addr=RESOLVED6, port=0)), CLOSE],
    "resolve-ptr":        HANDSHAKE5 + [send(rep5(atyp=3, addr=PTR_NAME, port=0)), CLOSE],
    "s4-resolve":         [REQ4, send(rep4(ip=RESOLVED4A)), CLOSE],
    "hostile-name":       HANDSHAKE5 + [send(rep5(atyp=3, addr=HOSTILE_NAME)), HOLD],
    "bind-hostile-peer":  HANDSHAKE5 + [send(rep5(port=4243)
                                             + rep5(atyp=3, addr=HOSTILE_NAME, port=4242)),
                                        HOLD],
}
SCENARIOS.update(bind_scenarios("", 5, HANDSHAKE5))
SCENARIOS.update(bind_scenarios("s4-", 4, [REQ4]))

# Parametrised scenarios: a pattern and a function that builds the steps.
PATTERNS = [
    (r"rep-([0-9a-f]{2})",
     lambda x: HANDSHAKE5 + [send(rep5(rep=int(x, 16))), ECHO if x == "00" else CLOSE]),
    (r"trunc5-([0-9])-close",
     lambda n: HANDSHAKE5 + [send(rep5()[:int(n)]), CLOSE]),
    (r"rep-([0-9a-f]{2})-trunc-([0-9])",
     lambda x, n: HANDSHAKE5 + [send(rep5(rep=int(x, 16))[:int(n)]), CLOSE]),
    (r"trunc5-([0-9])-reset",
     lambda n: HANDSHAKE5 + [send(rep5()[:int(n)]), RESET]),
    (r"rep-([0-9a-f]{2}-trunc-[0-9](?:-hold)?)",
     lambda spec: HANDSHAKE5 + [send(rep5(rep=int(spec[:2], 16))[:int(spec[9])]),
                                HOLD if spec.endswith("-hold") else CLOSE]),
    (r"s4-rep-([0-9a-f]{2})",
     lambda x: [REQ4, send(rep4(cd=int(x, 16))), ECHO if x == "5a" else CLOSE]),
    (r"s4-trunc-([0-7])",
     lambda n: [REQ4, send(rep4()[:int(n)]), CLOSE]),
    (r"resolve-rep-([0-9a-f]{2})",
     lambda x: HANDSHAKE5 + [send(rep5(rep=int(x, 16), addr=RESOLVED4 if x == "00" else ANY4,
                                       port=0)), CLOSE]),
    (r"resolve-tor-err-([0-9a-f]{2})",
     lambda x: HANDSHAKE5 + [send(bytes([5, int(x, 16), 0, 0]) + bytes(6)), CLOSE]),
]


def scenario_steps(name):
    name = name.lower()
    if name in SCENARIOS:
        return SCENARIOS[name]
    for pattern, build in PATTERNS:
        m = re.fullmatch(pattern, name)
        if m:
            return build(*m.groups())
    return None


# ---------------------------------------------------------------- serving

def handle(sock, conn_id, steps, args):
    c = Conn(sock, conn_id, args)
    c.offered = []
    c.closers = []  # more sockets a scenario opened (BIND's, UDP's)
    sock.settimeout(args.lifetime)
    try:
        for step in steps:
            step(c)
    except Abort as e:
        c.log("ERROR " + str(e))
    except OSError as e:
        c.log("ERROR %s" % e)
    finally:
        for x in [sock] + c.closers:
            try:
                x.close()
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
