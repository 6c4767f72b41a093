"""The capture pcapgen.py --hostile writes (tests/bench/capture-keep):
sessions that make what the capture reader keeps grow."""
import struct


def write_hostile(path, nsessions, rounds, token=40):
    """A capture made to make sessions keep much: nsessions SOCKS5
    connections opened one after the other and never closed, then each in
    turn sends a GSSAPI token (RFC 1961) and gets one back, `rounds` times:
    a negotiation that never ends, all sessions open at once until the
    capture's end.  Written as it goes, as pcap."""
    out = open(path, "wb", buffering=1 << 20)
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    eth = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00"
    srv = bytes([10, 0, 0, 2])
    t = [1700000000 * 1000000]
    msg = b"\x01\x01" + struct.pack("!H", token) + bytes(i & 255 for i in range(token))

    def emit(n, side, off, ack, flags, data=b""):
        cli = bytes([10, 1 + (n >> 16), (n >> 8) & 255, n & 255])
        cport = 10000 + n % 50000
        cs, ss = 1000 + n, 5000000 + n
        if side == 0:
            src, dst, sport, dport, seq, acked = cli, srv, cport, 1080, cs + off, ss + ack
        else:
            src, dst, sport, dport, seq, acked = srv, cli, 1080, cport, ss + off, cs + ack
        tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, acked & 0xFFFFFFFF,
                          0x50, flags, 65535, 0, 0)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40 + len(data), 0, 0x4000, 64, 6, 0,
                         src, dst)
        frame = eth + ip + tcp + data
        t[0] += 5
        out.write(struct.pack("<IIII", t[0] // 1000000, t[0] % 1000000, len(frame),
                              len(frame)))
        out.write(frame)

    for n in range(nsessions):
        emit(n, 0, 0, 0, 0x02)
        emit(n, 1, 0, 1, 0x12)
        emit(n, 0, 1, 1, 0x18, b"\x05\x01\x01")
        emit(n, 1, 1, 4, 0x18, b"\x05\x01")
    for r in range(rounds):
        c, s = 4 + r * len(msg), 3 + r * len(msg)
        for n in range(nsessions):
            emit(n, 0, c, s, 0x18, msg)
            emit(n, 1, s, c + len(msg), 0x18, msg)
    out.close()


def write_udp_flood(path, nsessions, ndgrams, size=512):
    """nsessions UDP associations granted and never closed, then ndgrams
    datagrams of `size` bytes each way through each relay, the sessions
    in turn: every datagram is a message its session would keep."""
    import pcapgen as g
    net = g.Net("ether", False, False)
    req = bytes([5, 3, 0, 1, 0, 0, 0, 0])
    dgram = bytes([0, 0, 0, 1, 93, 184, 216, 34, 0, 53]) + bytes(size)
    for n in range(nsessions):
        c = g.Tcp(net, cport=20000 + n)
        c.handshake()
        c.send(0, g.GREETING)
        c.send(1, g.METHOD)
        c.send(0, req + struct.pack("!H", 30000 + n))
        c.send(1, g.s5_reply(port=40000 + n))
    for _ in range(ndgrams):
        for n in range(nsessions):
            g.udp(net, 0, 30000 + n, 40000 + n, dgram)
            g.udp(net, 1, 40000 + n, 30000 + n, dgram)
    with open(path, "wb") as out:
        g.write_pcap(out, g.LINKS["ether"], net.frames, 65535)
