#!/usr/bin/env python3
"""Hand-made captures for decode -r: SOCKS sessions with the edge cases a
real capture seldom shows on demand, written as pcap or pcapng with any of
the link types sockscope reads.

    pcapgen.py SCENARIO [--link LINK] [--format pcap|pcapng] [--ipv6]
               [--vlan] [--snaplen N] -o FILE
    pcapgen.py --list

Scenarios write whole TCP connections (SYN, data, FIN) between
10.0.0.1:40000 and 10.0.0.2:1080 (fd00::1 and fd00::2 with --ipv6), one
millisecond apart, and print on stdout what sockscope must find, one line
per session: "outcome up down" (the tunnel's bytes each way) and the
scenario's own facts.  The malformed-file scenarios write files that are
no good capture.
"""
import argparse
import struct
import sys

LINKS = {  # name: (LINKTYPE, header builder)
    "ether": 1, "sll": 113, "sll2": 276, "raw": 101, "null": 0, "loop": 108,
}

CLIENT4, SERVER4 = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
CLIENT6 = bytes.fromhex("fd000000000000000000000000000001")
SERVER6 = bytes.fromhex("fd000000000000000000000000000002")


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


class Net:
    """Frames of one capture: link header, IP, TCP or UDP."""

    def __init__(self, link, ipv6, vlan):
        self.link, self.ipv6, self.vlan = link, ipv6, vlan
        self.frames = []  # (time in microseconds, frame, bytes to cut at the end)
        self.t = 1700000000 * 1000000

    def addrs(self, side):
        if self.ipv6:
            return (CLIENT6, SERVER6) if side == 0 else (SERVER6, CLIENT6)
        return (CLIENT4, SERVER4) if side == 0 else (SERVER4, CLIENT4)

    def ip(self, side, proto, payload):
        src, dst = self.addrs(side)
        if self.ipv6:
            return struct.pack("!IHBB", 0x60000000, len(payload), proto, 64) + src + dst + payload
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0x4000, 64, proto, 0,
                          src, dst)
        hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
        return hdr + payload

    def link_header(self, packet):
        v6 = self.ipv6
        etype = 0x86DD if v6 else 0x0800
        if self.link == "ether":
            tag = struct.pack("!HH", 0x8100, 5) if self.vlan else b""
            return b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + tag + struct.pack("!H", etype)
        if self.link == "sll":
            return struct.pack("!HHH8sH", 0, 772, 6, b"\0" * 8, etype)
        if self.link == "sll2":
            return struct.pack("!HHIHBB8s", etype, 0, 1, 772, 0, 6, b"\0" * 8)
        if self.link == "raw":
            return b""
        family = 10 if v6 else 2
        if self.link == "null":
            return struct.pack("<I", family)
        return struct.pack("!I", family)  # loop

    def add(self, packet, cut=0, dt=1000):
        self.t += dt
        self.frames.append((self.t, self.link_header(packet) + packet, cut))


class Tcp:
    """One connection; seq numbers kept per side, sent segments recorded."""

    def __init__(self, net, cport=40000, sport=1080, isn=(1000, 0xFFFFFF00)):
        self.net, self.ports = net, (cport, sport)
        self.isn = list(isn)
        self.sent = [0, 0]  # bytes each side sent (stream offsets)

    def seg(self, side, off, data=b"", flags=0x18, ack_off=None, cut=0, seq_raw=None):
        seq = seq_raw if seq_raw is not None else (self.isn[side] + 1 + off) & 0xFFFFFFFF
        other = 1 - side
        ack = (self.isn[other] + 1 + (self.sent[other] if ack_off is None else ack_off)) \
            & 0xFFFFFFFF
        src, dst = self.ports[side], self.ports[other]
        tcp = struct.pack("!HHIIBBHHH", src, dst, seq, ack, 5 << 4, flags, 65535, 0, 0)
        self.net.add(self.net.ip(side, 6, tcp + data), cut)

    def handshake(self):
        self.seg(0, 0, flags=0x02, seq_raw=self.isn[0])
        self.seg(1, 0, flags=0x12, seq_raw=self.isn[1])
        self.seg(0, 0, flags=0x10)

    def send(self, side, data, **kw):
        self.seg(side, self.sent[side], data, **kw)
        self.sent[side] += len(data)

    def fin(self, side):
        self.seg(side, self.sent[side], flags=0x11)

    def close(self):
        self.fin(0)
        self.fin(1)


def udp(net, side, sport, dport, data):
    hdr = struct.pack("!HHHH", sport, dport, 8 + len(data), 0)
    net.add(net.ip(side, 17, hdr + data))


GREETING = bytes.fromhex("050100")
METHOD = bytes.fromhex("0500")


def s5_request(cmd=1, host=None, port=80):
    if host is None:
        return bytes([5, cmd, 0, 1, 93, 184, 216, 34]) + struct.pack("!H", port)
    return bytes([5, cmd, 0, 3, len(host)]) + host + struct.pack("!H", port)


def s5_reply(rep=0, addr=(10, 0, 0, 2), port=40001):
    return bytes([5, rep, 0, 1]) + bytes(addr) + struct.pack("!H", port)


def s5_granted(c, tunnel=True):
    """On an open connection c: a SOCKS5 CONNECT to example.com:80,
    granted, then (tunnel) 5 and 12 bytes of tunnel data."""
    c.send(0, GREETING)
    c.send(1, METHOD)
    c.send(0, s5_request(host=b"example.com"))
    c.send(1, s5_reply())
    if tunnel:
        c.send(0, b"GET /")
        c.send(1, b"HTTP/1.0 200")


def sc_connect(net):
    """A SOCKS5 CONNECT by name, granted, 5 and 12 bytes of tunnel."""
    c = Tcp(net)
    c.handshake()
    s5_granted(c)
    c.close()
    return ["granted 5 12 example.com:80"]


def sc_one_segment(net):
    """Method selection and reply in one segment (tshark loses the reply)."""
    c = Tcp(net)
    c.handshake()
    c.send(0, GREETING + s5_request())
    c.send(1, METHOD + s5_reply() + b"hello")
    c.close()
    return ["granted 0 5 93.184.216.34:80"]


def sc_reorder(net):
    """Segments out of order, sent twice, overlapping."""
    c = Tcp(net)
    c.handshake()
    req = s5_request(host=b"example.org", port=443)
    c.seg(0, 3, req)                      # the request before the greeting
    c.seg(0, 0, GREETING)
    c.seg(0, 0, GREETING)                 # retransmitted
    c.sent[0] = 3 + len(req)
    rep = s5_reply()
    c.seg(1, 2, rep[:6])
    c.seg(1, 0, METHOD + rep[:3])         # overlaps the reply's start
    c.seg(1, 5, rep[3:] + b"data")        # overlaps both
    c.sent[1] = 2 + len(rep) + 4
    c.close()
    return ["granted 0 4 example.org:443"]


def sc_resend_differs(net):
    """The greeting sent again unchanged; the reply sent again saying REP
    0x05 refused (an injection, a middlebox): the first copy is kept."""
    c = Tcp(net)
    c.handshake()
    c.send(0, GREETING)
    c.seg(0, 0, GREETING)
    c.send(1, METHOD)
    c.send(0, s5_request(host=b"example.com"))
    rep = s5_reply()
    c.send(1, rep)
    c.seg(1, 2, rep[:1] + b"\x05" + rep[2:])
    c.send(0, b"GET /")
    c.send(1, b"HTTP/1.0 200")
    c.close()
    return ["granted 5 12 example.com:80 resends_differ=1"]


def sc_gap(net):
    """The request's segment never captured; the server acknowledged it."""
    c = Tcp(net)
    c.handshake()
    c.send(0, GREETING)
    c.send(1, METHOD)
    c.sent[0] += len(s5_request())       # sent, not captured
    c.send(1, s5_reply())
    c.send(0, b"tunnel")
    c.close()
    return ["undecided 0 0 gap=10"]


def sc_tunnel_gap(net):
    """A segment of tunnel data never captured: counted, decoding goes on."""
    c = Tcp(net)
    c.handshake()
    c.send(0, GREETING)
    c.send(1, METHOD)
    c.send(0, s5_request())
    c.send(1, s5_reply())
    c.send(1, b"a" * 100)
    c.sent[1] += 50                       # not captured
    c.send(1, b"c" * 100)
    c.close()
    return ["granted 0 200 gap=50"]


def sc_snaplen(net):
    """A tunnel segment cut by a snap length of 200 bytes."""
    c = Tcp(net)
    c.handshake()
    c.send(0, GREETING)
    c.send(1, METHOD)
    c.send(0, s5_request())
    c.send(1, s5_reply())
    c.send(1, b"x" * 400, cut=400 - 146)  # 54 bytes of headers + 146 captured
    c.close()
    return ["granted 0 146 gap=254"]


def sc_bind4(net):
    """SOCKS4 BIND: both replies, then data that looks like a third reply."""
    c = Tcp(net)
    c.handshake()
    c.send(0, bytes.fromhex("040200505db8d82200"))
    c.send(1, bytes.fromhex("005a9c420a000002"))
    c.send(1, bytes.fromhex("005a9c435db8d822") + bytes.fromhex("005a000000000000"))
    c.close()
    return ["granted 0 8 peer=93.184.216.34:40003"]


def sc_bind5(net):
    """SOCKS5 BIND, the second reply and data in one segment."""
    c = Tcp(net)
    c.handshake()
    c.send(0, GREETING)
    c.send(1, METHOD)
    c.send(0, s5_request(cmd=2))
    c.send(1, s5_reply(port=40002))
    c.send(1, s5_reply(addr=(93, 184, 216, 34), port=40003) + s5_reply())
    c.close()
    return ["granted 0 10 peer=93.184.216.34:40003"]


def sc_udp(net):
    """UDP ASSOCIATE granted, two datagrams each way through the relay."""
    c = Tcp(net)
    c.handshake()
    c.send(0, GREETING)
    c.send(1, METHOD)
    # the client's port and the relay in the capture's own family (over
    # IPv6: ATYP 4)
    if net.ipv6:
        c.send(0, bytes([5, 3, 0, 4]) + bytes(16) + struct.pack("!H", 5000))
        c.send(1, bytes([5, 0, 0, 4]) + SERVER6 + struct.pack("!H", 6000))
    else:
        c.send(0, bytes([5, 3, 0, 1, 0, 0, 0, 0]) + struct.pack("!H", 5000))
        c.send(1, s5_reply(port=6000))
    dgram = bytes([0, 0, 0, 1, 93, 184, 216, 34, 0, 53]) + b"query"
    for _ in range(2):
        udp(net, 0, 5000, 6000, dgram)
        udp(net, 1, 6000, 5000, dgram)
    udp(net, 1, 6000, 5001, dgram)        # another port: not the association's
    c.close()
    return ["granted 0 0 datagrams=4"]


def sc_auth(net):
    """RFC 1929 username and password, accepted; SOCKS5 CONNECT refused."""
    c = Tcp(net)
    c.handshake()
    c.send(0, bytes.fromhex("050102"))
    c.send(1, bytes.fromhex("0502"))
    c.send(0, b"\x01\x05alice\x06s3cr3t")
    c.send(1, b"\x01\x00")
    c.send(0, s5_request())
    c.send(1, s5_reply(rep=5))
    c.close()
    return ["refused 0 0 user=alice"]


def sc_partial(net):
    """A connection seen from its middle: no SYN, tunnel data only."""
    c = Tcp(net)
    c.sent = [500, 700]
    c.send(1, b"HTTP/1.1 200 OK\r\n")
    c.send(0, b"\x05more tunnel data")
    c.close()
    return ["undecided 0 0 partial"]


def sc_partial_request(net):
    """Seen from the client's SOCKS5 request on: no SYN, no greeting."""
    c = Tcp(net)
    c.sent = [3, 2]
    c.send(0, s5_request(host=b"example.net"))
    c.send(1, s5_reply() + b"tunnel")
    c.close()
    return ["granted 0 6 partial"]


def sc_many(net):
    """Three sessions: granted, refused (SOCKS4), no acceptable method."""
    sc_connect(net)
    c = Tcp(net, cport=40001)
    c.handshake()
    c.send(0, bytes.fromhex("040100505db8d822") + b"bob\0")
    c.send(1, bytes.fromhex("005b000000000000"))
    c.close()
    c = Tcp(net, cport=40002)
    c.handshake()
    c.send(0, bytes.fromhex("050102"))
    c.send(1, bytes.fromhex("05ff"))
    c.close()
    return ["granted 5 12", "refused 0 0", "no-method 0 0"]


def sc_keepalive(net):
    """Keep-alives in the tunnel both ways: one byte one below the next
    sequence number, a zero (as Windows sends; RFC 1122 lets it be any
    byte), and one with no byte: no copy sent again, nothing differs."""
    c = Tcp(net)
    c.handshake()
    s5_granted(c)
    for _ in range(2):
        c.seg(0, c.sent[0] - 1, b"\0", flags=0x10)
        c.seg(1, c.sent[1] - 1, b"\0", flags=0x10)
        c.seg(0, c.sent[0] - 1, flags=0x10)
    c.close()
    return ["granted 5 12 example.com:80 resends_differ=0"]


def sc_resend_old(net):
    """A full-sized tunnel segment sent again, its first byte changed: the
    change is older than the last 256 bytes handed on, so it cannot be
    compared (1144 bytes); the last 256 are compared and equal."""
    c = Tcp(net)
    c.handshake()
    s5_granted(c, tunnel=False)
    body = bytes(range(256)) * 5 + bytes(120)
    off = c.sent[1]
    c.send(1, body)
    c.seg(1, off, b"X" + body[1:])
    c.close()
    return ["granted 0 1400 example.com:80 resends_differ=0"]


def sc_syn_injected(net):
    """A SYN with another sequence number injected into the established
    session after the greeting, never answered (both ends ignore it, RFC
    5961): the session goes on as one; then, its close never captured, the
    ports reused for a new connection whose SYN the server answers: a
    second session."""
    c = Tcp(net)
    c.handshake()
    c.send(0, GREETING)
    c.seg(0, 0, flags=0x02, seq_raw=0x12345678)
    c.send(1, METHOD)
    c.send(0, s5_request(host=b"example.com"))
    c.send(1, s5_reply())
    c.send(0, b"GET /")
    c.send(1, b"HTTP/1.0 200")
    c = Tcp(net, isn=(0x22222222, 0x33333333))
    c.handshake()
    c.send(0, bytes.fromhex("050102"))
    c.send(1, bytes.fromhex("05ff"))
    c.close()
    return ["granted 5 12 example.com:80", "no-method 0 0"]


SCENARIOS = {
    "connect": sc_connect, "one-segment": sc_one_segment, "reorder": sc_reorder,
    "gap": sc_gap, "tunnel-gap": sc_tunnel_gap, "snaplen": sc_snaplen, "bind4": sc_bind4,
    "bind5": sc_bind5, "udp": sc_udp, "auth": sc_auth, "partial": sc_partial,
    "partial-request": sc_partial_request, "many": sc_many,
    "resend-differs": sc_resend_differs, "keepalive": sc_keepalive,
    "resend-old": sc_resend_old, "syn-injected": sc_syn_injected,
}
BAD = ["truncated", "bad-magic", "empty", "unknown-link"]


def write_pcap(out, linktype, frames, snaplen):
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype))
    for t, frame, cut in frames:
        cap = frame[:len(frame) - cut] if cut else frame
        out.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(cap), len(frame)))
        out.write(cap)


def pad4(b):
    return b + b"\0" * (-len(b) % 4)


def write_pcapng(out, linktype, frames, snaplen):
    def block(btype, body):
        body = pad4(body)
        n = 12 + len(body)
        return struct.pack("<II", btype, n) + body + struct.pack("<I", n)
    out.write(block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)))
    out.write(block(1, struct.pack("<HHI", linktype, 0, snaplen)))
    for t, frame, cut in frames:
        cap = frame[:len(frame) - cut] if cut else frame
        body = struct.pack("<IIIII", 0, t >> 32, t & 0xFFFFFFFF, len(cap), len(frame)) + cap
        out.write(block(6, body))


def write_bad(name, path):
    good = Net("ether", False, False)
    sc_connect(good)
    with open(path, "wb") as out:
        if name == "empty":
            return
        if name == "bad-magic":
            out.write(b"\x0b\xad\xc0\xde" + b"\0" * 20)
            return
        if name == "unknown-link":
            write_pcap(out, 147, good.frames, 65535)  # LINKTYPE_USER0
            return
        import io
        buf = io.BytesIO()
        write_pcap(buf, 1, good.frames, 65535)
        data = buf.getvalue()
        out.write(data[:len(data) - 30])          # cut inside the last record


def write_bench(path, nsessions, tunnel_bytes, concurrent=64):
    """A large capture for `make bench-capture`: nsessions SOCKS sessions,
    `concurrent` open at a time, each with tunnel_bytes from the server in
    1448-byte segments (an ACK from the client every fourth).  Most are
    SOCKS5 CONNECTs by name, granted; one in twenty a SOCKS4 refusal, one in
    twenty a username/password login.  Written as it goes, as pcap."""
    out = open(path, "wb", buffering=1 << 20)
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    eth = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00"
    t = [1700000000 * 1000000]
    chunk = bytes(range(256)) * 8  # any 1448 bytes from its first 256

    def emit(src, dst, sport, dport, seq, ack, flags, data=b""):
        tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                          0x50, flags, 65535, 0, 0)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40 + len(data), 0, 0x4000, 64, 6, 0,
                         src, dst)
        frame = eth + ip + tcp + data
        t[0] += 20
        out.write(struct.pack("<IIII", t[0] // 1000000, t[0] % 1000000, len(frame),
                              len(frame)))
        out.write(frame)

    def session(n):
        cport = 10000 + n % 50000
        cli = bytes([10, 1, (n >> 8) & 255, n & 255])
        srv = bytes([10, 0, 0, 2])
        cs, ss = 1000 + n, 5000000 + n
        kind = "auth" if n % 20 == 1 else "s4" if n % 20 == 2 else "s5"
        c2s, s2c = [], []
        if kind == "s4":
            c2s = [bytes.fromhex("040100505db8d822") + b"bob\0"]
            s2c = [bytes.fromhex("005b000000000000")]
            steps = [(0, c2s[0]), (1, s2c[0])]
            body = 0
        else:
            greet = bytes.fromhex("050102") if kind == "auth" else GREETING
            steps = [(0, greet), (1, b"\x05\x02" if kind == "auth" else METHOD)]
            if kind == "auth":
                steps += [(0, b"\x01\x05alice\x06s3cr3t"), (1, b"\x01\x00")]
            steps += [(0, s5_request(host=b"example.com")), (1, s5_reply()),
                      (0, b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n")]
            body = tunnel_bytes
        yield (lambda: emit(cli, srv, cport, 1080, cs, 0, 0x02))
        yield (lambda: emit(srv, cli, 1080, cport, ss, cs + 1, 0x12))
        off = [0, 0]
        for side, data in steps:
            def step(side=side, data=data, o=(off[0], off[1])):
                if side == 0:
                    emit(cli, srv, cport, 1080, cs + 1 + o[0], ss + 1 + o[1], 0x18, data)
                else:
                    emit(srv, cli, 1080, cport, ss + 1 + o[1], cs + 1 + o[0], 0x18, data)
            off[side] += len(data)
            yield step
        sent = 0
        k = 0
        while sent < body:
            n_ = min(1448, body - sent)
            data = chunk[(sent % 256):(sent % 256) + n_]
            def seg(sent=sent, data=data, o0=off[0], o1=off[1]):
                emit(srv, cli, 1080, cport, ss + 1 + o1 + sent, cs + 1 + o0, 0x18, data)
            yield seg
            sent += n_
            k += 1
            if k % 4 == 0:
                def ack(o0=off[0], o1=off[1] + sent):
                    emit(cli, srv, cport, 1080, cs + 1 + o0, ss + 1 + o1, 0x10)
                yield ack
        off[1] += sent
        yield (lambda: emit(cli, srv, cport, 1080, cs + 1 + off[0], ss + 1 + off[1], 0x11))
        yield (lambda: emit(srv, cli, 1080, cport, ss + 1 + off[1], cs + 2 + off[0], 0x11))

    started = 0
    live = []
    while started < nsessions or live:
        while len(live) < concurrent and started < nsessions:
            live.append(session(started))
            started += 1
        for g in list(live):
            try:
                next(g)()
            except StopIteration:
                live.remove(g)
    out.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scenario", nargs="?")
    ap.add_argument("--link", default="ether", choices=sorted(LINKS))
    ap.add_argument("--format", default="pcap", choices=["pcap", "pcapng"])
    ap.add_argument("--ipv6", action="store_true")
    ap.add_argument("--vlan", action="store_true")
    ap.add_argument("--snaplen", type=int, default=65535)
    ap.add_argument("-o", dest="out")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--bench", type=int, metavar="SESSIONS",
                    help="write the benchmark's capture of SESSIONS sessions")
    ap.add_argument("--tunnel-bytes", type=int, default=110000)
    ap.add_argument("--hostile", type=int, metavar="SESSIONS",
                    help="write a capture of SESSIONS sessions open at once, each with "
                         "a GSSAPI negotiation that never ends (tests/bench/capture-keep)")
    ap.add_argument("--rounds", type=int, default=150,
                    help="with --hostile: tokens each way in each session")
    ap.add_argument("--token", type=int, default=40,
                    help="with --hostile: bytes in each GSSAPI token")
    ap.add_argument("--udp-flood", type=int, nargs=2, metavar=("SESSIONS", "DATAGRAMS"),
                    help="write UDP associations never closed, DATAGRAMS each way in each")
    a = ap.parse_args()
    if a.udp_flood:
        from pcaphostile import write_udp_flood
        write_udp_flood(a.out, *a.udp_flood)
        return 0
    if a.bench:
        write_bench(a.out, a.bench, a.tunnel_bytes)
        return 0
    if a.hostile:
        from pcaphostile import write_hostile
        write_hostile(a.out, a.hostile, a.rounds, a.token)
        return 0
    if a.list:
        print("\n".join(sorted(SCENARIOS) + BAD))
        return 0
    if a.scenario in BAD:
        write_bad(a.scenario, a.out)
        return 0
    if a.scenario not in SCENARIOS or not a.out:
        ap.error("give a scenario (--list) and -o FILE")
    net = Net(a.link, a.ipv6, a.vlan)
    facts = SCENARIOS[a.scenario](net)
    with open(a.out, "wb") as out:
        (write_pcapng if a.format == "pcapng" else write_pcap)(out, LINKS[a.link], net.frames,
                                                                a.snaplen)
    print("\n".join(facts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
