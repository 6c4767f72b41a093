#!/usr/bin/env bash
# decode -r over captures a user or an attacker brings that the other
# capture tests do not make: IPv6 extension headers, stacked VLAN tags, a
# clock that steps back, an IP length that lies, a reply seen first when
# sniffing, late copies of a closed connection, long associations and
# negotiations, tables made to collide, tiny segments behind a hole, one
# direction only, a full disk on standard output, a capture given without
# -r.  Each capture is written here by a small generator built on
# pcapgen.py; each session must come out as it went in, what the capture
# lacks must be said as lacking, never decoded as something else, and what
# a session keeps and the time it takes stay bounded.
. "$(dirname "$0")/lib.sh"
need_sockscope

cat >"$T/gen.py" <<'PY'
import struct, sys
sys.path.insert(0, sys.argv[1])
from pcapgen import (Net, Tcp, GREETING, METHOD, LINKS, s5_request, s5_reply,
                     s5_granted, write_pcap)


class Vlans(Net):
    """Ethernet with three VLAN tags: an 802.1ad (and a legacy 0x9100)
    outer pair over an 802.1Q one, as provider networks stack them."""

    def link_header(self, packet):
        return (b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" +
                struct.pack("!HHHHHHH", 0x88A8, 5, 0x9100, 6, 0x8100, 7, 0x0800))


class Ipv6Ext(Net):
    """IPv6 with a destination options and a hop-by-hop header (PadN)
    between the fixed header and TCP."""

    def ip(self, side, proto, payload):
        src, dst = self.addrs(side)
        body = bytes([0, 0, 1, 4, 0, 0, 0, 0]) + bytes([proto, 0, 1, 4, 0, 0, 0, 0]) + payload
        return struct.pack("!IHBB", 0x60000000, len(body), 60, 64) + src + dst + body


def connect(net):
    c = Tcp(net)
    c.handshake()
    s5_granted(c)
    c.close()


def client_only(net):
    """Only the client's direction was captured (asymmetric routing)."""
    c = Tcp(net)
    c.seg(0, 0, flags=0x02, seq_raw=c.isn[0])
    c.seg(0, 0, flags=0x10)
    c.send(0, GREETING)
    c.sent[1] = 2
    c.send(0, s5_request())
    c.sent[1] = 12
    c.send(0, b"GET / HTTP/1.0\r\n")
    c.fin(0)


def server_only(net):
    """Only the server's direction: two gaps in the client's stream."""
    c = Tcp(net)
    c.seg(1, 0, flags=0x12, seq_raw=c.isn[1])
    c.sent[0] = 3
    c.send(1, METHOD)
    c.sent[0] = 15
    c.send(1, s5_reply())
    c.fin(1)


def clock_back(net):
    """The capture's clock steps back an hour mid-session (an NTP step, a
    merged capture, a pcapng Simple Packet Block with no time at all)."""
    c = Tcp(net)
    c.handshake()
    c.send(0, GREETING)
    c.send(1, METHOD)
    net.t -= 3600 * 1000000
    c.send(0, s5_request(host=b"example.com"))
    net.t += 3600 * 1000000
    c.send(1, s5_reply())
    c.send(0, b"GET /")
    c.send(1, b"HTTP/1.0 200")
    c.close()


def ip_length_lies(net):
    """The method selection's IPv4 header says 1000 bytes; the frame, whole
    on the wire (nothing cut by the snap length), has 42."""
    c = Tcp(net)
    c.handshake()
    c.send(0, GREETING)
    c.send(1, METHOD)
    t, frame, cut = net.frames[-1]
    net.frames[-1] = (t, frame[:16] + struct.pack("!H", 1000) + frame[18:], cut)
    c.send(0, s5_request(host=b"example.com"))
    c.send(1, s5_reply())
    c.close()


def sniff_reply_first(net):
    """--sniff, joined in the middle of a proxy on port 50000 whose client
    has the lower port: the first bytes seen are the proxy's success reply
    (05 00 00 01 ...), then the tunnel (HTTP)."""
    c = Tcp(net, cport=40000, sport=50000)
    c.sent = [21, 2]
    c.send(1, s5_reply())
    c.send(0, b"GET / HTTP/1.0\r\n\r\n")
    c.send(1, b"HTTP/1.0 200 OK\r\n\r\n")
    c.close()


def late_copies(net):
    """The server's last data and FIN come again after both FINs were seen
    (its peer's ACK was lost), and a reset follows a closed connection."""
    c = Tcp(net)
    c.handshake()
    c.send(0, GREETING)
    c.send(1, METHOD)
    c.send(0, s5_request())
    c.send(1, s5_reply())
    c.send(0, b"GET /")
    c.fin(0)
    c.seg(1, c.sent[1], b"HTTP/1.0 200 bye", flags=0x19)
    c.sent[1] += 16
    c.seg(0, c.sent[0] + 1, flags=0x10)
    c.seg(1, c.sent[1] - 16, b"HTTP/1.0 200 bye", flags=0x19)
    c.seg(0, c.sent[0] + 1, b"x", flags=0x14)
    net.t += 200 * 1000000
    # the same ports much later, with no SYN seen: a connection of its own
    c.seg(0, c.sent[0] + 5000, b"late tunnel", flags=0x18)


def udp_flood(net):
    """A granted UDP ASSOCIATE and 1500 datagrams to the relay."""
    c = Tcp(net)
    c.handshake()
    c.send(0, GREETING)
    c.send(1, METHOD)
    c.send(0, bytes([5, 3, 0, 1, 10, 0, 0, 1]) + struct.pack("!H", 5000))
    c.send(1, s5_reply(port=6000))
    dgram = bytes([0, 0, 0, 1, 93, 184, 216, 34, 0, 53]) + b"q" * 20
    for _ in range(1500):
        net.add(net.ip(0, 17, struct.pack("!HHHH", 5000, 6000, 8 + len(dgram), 0) + dgram), dt=10)
    c.close()


def snap_cut_tunnel(net):
    """A long download captured with a small snap length: each of 300
    tunnel segments is cut, a gap each."""
    c = Tcp(net)
    c.handshake()
    c.send(0, GREETING)
    c.send(1, METHOD)
    c.send(0, s5_request())
    c.send(1, s5_reply())
    for _ in range(300):
        c.send(1, b"D" * 1000, cut=900)
    c.close()


def gssapi_loop(net):
    """A GSSAPI negotiation that never ends: 300 tokens each way."""
    c = Tcp(net)
    c.handshake()
    c.send(0, bytes.fromhex("050101"))
    c.send(1, bytes.fromhex("0501"))
    for _ in range(300):
        c.send(0, bytes([1, 1]) + struct.pack("!H", 4) + b"tokn")
        c.send(1, bytes([1, 1]) + struct.pack("!H", 4) + b"TOKN")
    c.close()


def hash_flood(net):
    """30000 connections whose 4-tuples all fall in one bucket of the
    connection table as it was hashed (FNV-1a with a fixed basis, 65536
    buckets): each client address gets the one port that lands there."""
    prime, basis = 16777619, 2166136261

    def fnv(data, h=basis):
        for b in data:
            h = ((h ^ b) * prime) & 0xFFFFFFFF
        return h

    server_low = ((fnv(bytes([10, 0, 0, 2])) ^ 1080) * prime) & 0xFFFF
    inverse = pow(prime & 0xFFFF, -1, 65536)

    class Clients(Net):
        client = bytes(4)

        def addrs(self, side):
            ends = (self.client, bytes([10, 0, 0, 2]))
            return ends if side == 0 else ends[::-1]

    flood = Clients("ether", False, False)
    conns = []
    for i in range(30000):  # all open at once
        flood.client = bytes([10, 1 + (i >> 16), (i >> 8) & 255, i & 255])
        port = (((1234 ^ server_low) * inverse) & 0xFFFF) ^ (fnv(flood.client) & 0xFFFF)
        c = Tcp(flood, cport=port)
        c.handshake()
        c.send(0, GREETING)
        conns.append((flood.client, c))
    for flood.client, c in conns:
        c.send(1, METHOD)
        c.close()
    net.frames = flood.frames


def assoc_flood(net):
    """20000 UDP associations open at once, all on one relay port (as some
    servers serve every client), then 60000 datagrams to that relay from a
    host with no association: each datagram looked through every
    association."""
    class Clients(Net):
        client = bytes(4)

        def addrs(self, side):
            ends = (self.client, bytes([10, 0, 0, 2]))
            return ends if side == 0 else ends[::-1]

    flood = Clients("ether", False, False)
    for i in range(20000):
        flood.client = bytes([10, 1 + (i >> 16), (i >> 8) & 255, i & 255])
        c = Tcp(flood)
        c.handshake()
        c.send(0, GREETING)
        c.send(1, METHOD)
        c.send(0, bytes([5, 3, 0, 1]) + flood.client + struct.pack("!H", 5000))
        c.send(1, s5_reply(port=6000))
    flood.client = bytes([10, 9, 9, 9])
    dgram = bytes([0, 0, 0, 1, 93, 184, 216, 34, 0, 53]) + b"q" * 20
    for _ in range(60000):
        flood.add(flood.ip(0, 17, struct.pack("!HHHH", 5000, 6000, 8 + len(dgram), 0) + dgram),
                  dt=10)
    net.frames = flood.frames


def byte_by_byte(net):
    """A tunnel sent one byte a segment, its first byte missing: 150000
    segments wait behind the hole, each appended at the end of those held."""
    c = Tcp(net)
    c.handshake()
    c.send(0, GREETING)
    c.send(1, METHOD)
    c.send(0, s5_request())
    c.send(1, s5_reply())
    base = c.sent[1]
    for i in range(1, 150001):
        c.seg(1, base + i, b"x")
    c.sent[1] = base + 150001
    c.close()


def main():
    name, out = sys.argv[2], sys.argv[3]
    net = {"v6ext": lambda: Ipv6Ext("ether", True, False),
           "vlans": lambda: Vlans("ether", False, False)}.get(
               name, lambda: Net("ether", False, False))()
    {"v6ext": connect, "vlans": connect, "clock-back": clock_back,
     "ip-length-lies": ip_length_lies, "sniff-reply-first": sniff_reply_first,
     "late-copies": late_copies, "udp-flood": udp_flood, "snap-cut-tunnel": snap_cut_tunnel,
     "gssapi-loop": gssapi_loop, "hash-flood": hash_flood, "assoc-flood": assoc_flood,
     "byte-by-byte": byte_by_byte, "client-only": client_only,
     "server-only": server_only}[name](net)
    with open(out, "wb") as f:
        write_pcap(f, LINKS["ether"], net.frames, 65535)


main()
PY
gen() { "$PY" "$T/gen.py" "$E2E_DIR" "$1" "$T/$1.pcap" || die "gen.py $1"; }

# IPv6 extension headers: the session is found and decoded whole.
gen v6ext
sc -- decode -r "$T/v6ext.pcap" -v
expect_rc "IPv6 with extension headers" 0
expect_stdout "IPv6 with extension headers: the session" '^session 1: \[fd00::1\]:40000 -> \[fd00::2\]:1080'
expect_stdout "IPv6 with extension headers: its request" 'SOCKS5 CONNECT request: .*DST example\.com:80'
expect_stdout "IPv6 with extension headers: its tunnel" '^  tunnel: 5 bytes from the client, 12 from the server'

# Three VLAN tags (802.1ad, 0x9100, 802.1Q): the session behind them.
gen vlans
sc -- decode -r "$T/vlans.pcap" -v
expect_stdout "three VLAN tags: the session" '^session 1: 10\.0\.0\.1:40000 -> 10\.0\.0\.2:1080'
expect_stdout "three VLAN tags: its tunnel" '^  tunnel: 5 bytes from the client, 12 from the server'

# A packet timed before the others: the session is still one session, not
# ended for want of packets and then joined again in its middle.
gen clock-back
sc -- decode -r "$T/clock-back.pcap" -j
expect_rc "a clock that steps back" 0
if "$PY" -c '
import json, sys
s = [json.loads(l) for l in open(sys.argv[1])]
assert len(s) == 1, "%d sessions" % len(s)
assert s[0]["outcome"]["result"] == "granted", s[0]["outcome"]
assert s[0]["bytes"] == {"client": 5, "server": 12}, s[0]["bytes"]
assert s[0]["ended"] == "FIN both ways", s[0]["ended"]
' "$SC_OUT" 2>"$T/why"; then
	ok "a clock that steps back: one session, granted, its tunnel whole"
else
	fail "a clock that steps back: $(tail -n 1 "$T/why")"
fi
# Latencies across a step back would be an hour wrong: not measured, said so.
sc -- decode -r "$T/clock-back.pcap" -v
expect_stdout "a clock that steps back: latencies not measured" \
	"^  latency: not measured, the capture's times go back in this session$"
expect_no_stdout "a clock that steps back: no latency made up" 'request -> reply'
sc -- decode -r "$T/clock-back.pcap" -j
expect_stdout "a clock that steps back: -j latency null" '"latency": null'


# An IP header that claims more than the frame held on the wire: no bytes
# "cut by the snap length" (none was cut), the session decoded whole.
gen ip-length-lies
sc -- decode -r "$T/ip-length-lies.pcap" -v
expect_stdout "an IP length that lies: the reply decoded" '<- SOCKS5 reply: REP 0x00 succeeded'
expect_stdout "an IP length that lies: granted" '^  outcome: granted$'
expect_no_stdout "an IP length that lies: no snap length gap" 'snap length'

# --sniff joined in a connection's middle: a SOCKS5 success reply has the
# shape of a request with command 0x00; taking it for one would make the
# proxy the client and the client's HTTP a protocol violation by the
# "server".  No session is invented.
gen sniff-reply-first
sc -- decode -r "$T/sniff-reply-first.pcap" --sniff --sessions
expect_rc "--sniff, a reply seen first" 0
expect_no_stdout "--sniff, a reply seen first: no session with roles reversed" 'violation|0x00 '
expect_err "--sniff, a reply seen first: no session found" 'no SOCKS session \([0-9]+ packets read'

# Copies of a closed connection's last segments are not a new session; the
# same ports minutes later are.
gen late-copies
sc -- decode -r "$T/late-copies.pcap" --sessions
expect_rc "late copies" 0
expect_stdout "late copies: the session" '^1 .* 5 +16 +[0-9.]+  granted$'
expect_stdout "late copies: a later connection on the same ports" '^2 .*undecided \(partial\)$'
expect_no_stdout "late copies: nothing more" '^3 '

# A long UDP association: what is kept of a session must not grow with its
# datagrams (-j kept 8 KiB of each): the first 100 are shown, the rest
# counted, and said so.
gen udp-flood
sc -- decode -r "$T/udp-flood.pcap" -j
expect_rc "a UDP flood, -j" 0
if "$PY" -c '
import json, sys
s = [json.loads(l) for l in open(sys.argv[1])]
assert len(s) == 1, "%d sessions" % len(s)
n = sum(1 for m in s[0]["messages"] if m["type"] == "udp")
assert n == 100, "%d datagrams listed" % n
notes = [e["text"] for e in s[0]["events"] if e["event"] == "note"]
assert any("1500 UDP datagrams" in t for t in notes), notes
' "$SC_OUT" 2>"$T/why"; then
	ok "a UDP flood, -j: 100 datagrams listed, all 1500 counted"
else
	fail "a UDP flood, -j: $(tail -n 1 "$T/why")"
fi
sc -- decode -r "$T/udp-flood.pcap" -v
expect_stdout "a UDP flood, -v: the count" '1500 UDP datagrams'
expect_stdout "a UDP flood, -v: said" 'note: .*1500 UDP datagrams, the first 100 shown'

# The same for gaps in the tunnel (a small snap length on a download): the
# first 100 said one by one, the rest counted in the tunnel's missing bytes.
gen snap-cut-tunnel
sc -- decode -r "$T/snap-cut-tunnel.pcap" -v
n=$(grep -c 'gap of 900 bytes' "$SC_OUT")
if [ "$n" = 100 ]; then ok "tunnel gaps: 100 said"; else fail "tunnel gaps: $n said, expected 100"; fi
expect_stdout "tunnel gaps: the rest said as counted" 'note: 300 gaps past the first stop or in the tunnel, the first 100 shown, the rest counted'
expect_stdout "tunnel gaps: all their bytes counted" '^  tunnel: 0 bytes from the client, 30000 from the server \(0 and 270000 missing from the capture\)'

# The same for messages (a GSSAPI negotiation that never ends): -j kept
# 6 KiB of each.
gen gssapi-loop
sc -- decode -r "$T/gssapi-loop.pcap" -j
if "$PY" -c '
import json, sys
s = [json.loads(l) for l in open(sys.argv[1])]
assert len(s) == 1, "%d sessions" % len(s)
assert len(s[0]["messages"]) == 200, "%d messages listed" % len(s[0]["messages"])
notes = [e["text"] for e in s[0]["events"] if e["event"] == "note"]
assert any(t.startswith("602 messages, the first 200 shown") for t in notes), notes
' "$SC_OUT" 2>"$T/why"; then
	ok "an endless negotiation, -j: 200 messages listed, all 602 counted"
else
	fail "an endless negotiation, -j: $(tail -n 1 "$T/why")"
fi

# A hostile capture whose connections all hash alike must not make each
# packet walk all of them: 30000 sessions read in a bounded time (the fixed
# hash took 17 s here, a keyed one well under a second).
gen hash-flood
sc --timeout 60 -- decode -r "$T/hash-flood.pcap" --sessions
expect_rc "colliding connections" 0
expect_stdout "colliding connections: all read" '^30000 '
expect_secs_lt "colliding connections: in bounded time" 8
# -c N stops after N sessions: those still open when it stops are not shown.
sc -- decode -r "$T/hash-flood.pcap" --sessions -c 2
n=$(grep -c '^[0-9]' "$SC_OUT")
if [ "$n" = 2 ]; then ok "-c 2: 2 sessions shown"; else fail "-c 2: $n sessions shown"; fi
sc -- decode -r "$T/hash-flood.pcap" -j -c 1
n=$(wc -l <"$SC_OUT")
if [ "$n" = 1 ]; then ok "-c 1 -j: 1 object"; else fail "-c 1 -j: $n objects"; fi

# The same for UDP: many associations open, many datagrams of none of them
# (each was compared with every association: 19 s here).
gen assoc-flood
sc --timeout 60 -- decode -r "$T/assoc-flood.pcap" --sessions
expect_rc "many UDP associations" 0
expect_stdout "many UDP associations: all read" '^20000 .*UDP ASSOCIATE'
expect_secs_lt "many UDP associations: in bounded time" 4

# Many small segments held behind a hole: each used to walk all those held
# (quadratic: 150000 took about 14 s); every byte still counted.
gen byte-by-byte
sc --timeout 60 -- decode -r "$T/byte-by-byte.pcap" -v
expect_rc "one byte a segment behind a hole" 0
expect_stdout "one byte a segment behind a hole: every byte counted" \
	'^  tunnel: 0 bytes from the client, 150000 from the server \(0 and 1 missing from the capture\)'
expect_secs_lt "one byte a segment behind a hole: in bounded time" 5

# A capture given to decode without -r: said to be a capture, with the way
# to read it, not "bad hex".
sc --in "$T/v6ext.pcap" -- decode
expect_rc "a capture on decode's standard input" 2
expect_err "a capture on decode's standard input: said" 'standard input is a capture file \(pcap\), not hex: read it with decode -r -'
cp "$T/v6ext.pcap" "$T/given.pcap"
sc -- decode "$T/given.pcap"
expect_rc "a capture file as decode's operand" 2
expect_err "a capture file as decode's operand: said" "is a capture file \(pcap\), not hex: read it with decode -r "

# An option only a capture has, without -r or -i: said so, not "unknown
# option" with the hex decoder's usage.
for opt in --sniff --sessions '--port 1080' '--session 1' '--outcome refused' --absolute-time; do
	# shellcheck disable=SC2086
	sc -- decode $opt
	expect_rc "decode $opt alone" 2
	expect_err "decode $opt alone: what is missing" 'decode: give -r FILE or -i IFACE'
done

# Only the client's direction: the server's bytes the client acknowledged
# are a gap in the server's stream, and the client's bytes after it are
# counted, not lost without a word.
gen client-only
sc -- decode -r "$T/client-only.pcap" -v
expect_rc "the client's direction only" 0
expect_stdout "the client's direction only: the server's bytes are missing" \
	'<- gap of 2 bytes in the server.s stream at byte 0 \(acknowledged by the other side but not in the capture\): decoding stops here'
expect_stdout "the client's direction only: its later bytes counted" \
	'note: 26 bytes from the client and 0 from the server not decoded, counted only'
expect_stdout "the client's direction only: why undecided" '^  outcome: undecided \(decoding stopped at a gap\)'

# A second gap after decoding stopped is no tunnel data: the client's
# request and the server's reply are what is missing here.
gen server-only
sc -- decode -r "$T/server-only.pcap" -v
expect_stdout "the server's direction only: the first gap stops" \
	'-> gap of 3 bytes in the client.s stream at byte 0 .*: decoding stops here'
expect_stdout "the server's direction only: the second gap is in bytes not decoded" \
	'-> gap of 12 bytes in the client.s stream at byte 3 .*: in bytes not decoded, counted on$'
expect_no_stdout "the server's direction only: nothing called tunnel data" 'tunnel data'

# A full disk on standard output is said as a full disk, whichever write
# met it first (here a -j object larger than stdio's buffer).
"$PY" "$E2E_DIR/pcapgen.py" udp -o "$T/udp.pcap" >/dev/null || die "pcapgen udp"
for mode in -j -v -X --sessions; do
	timeout --foreground -k 2 20 "$SOCKSCOPE" decode -r "$T/udp.pcap" "$mode" >/dev/full 2>"$T/full.err"
	rc=$?
	if [ "$rc" = 7 ] && grep -q '^sockscope: standard output: No space left on device$' "$T/full.err"; then
		ok "$mode > /dev/full: exit 7, no space left on device"
	else
		fail "$mode > /dev/full: exit $rc, stderr: $(cat "$T/full.err")"
	fi
done

finish
