#!/usr/bin/env python3
"""The steps a scenario is made of (see badserver.py and the table in
badserver_table.py): reading the client, sending, the tunnel, the ways to
close, and BIND's and UDP ASSOCIATE's own steps."""

import hashlib
import select
import socket
import struct
import time

from badserver_conn import (Abort, read_auth, read_greeting, read_request4, read_request5,
                            rep4, rep5)
from netsvc import pattern_chunks


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
