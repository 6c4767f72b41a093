#!/usr/bin/env bash
# decode of tshark text dumps tried as a user and as an attacker would:
# each case here is a defect found by trying the built program, and
# fails without its fix.
. "$(dirname "$0")/lib.sh"
need_sockscope
need_cmd tshark
GEN="$E2E_DIR/pcapgen.py"
TOOL="$E2E_DIR/dumptool.py"

# same WHAT WANT: the JSON sessions of the last run, times aside, as WANT's.
same() {
	"$PY" "$TOOL" norm "$SC_OUT" >"$T/got"
	if [ -s "$T/got" ] && cmp -s "$2" "$T/got"; then
		ok "$1: the same $(wc -l <"$T/got") session(s) as the capture"
	else
		fail "$1: not the capture's sessions"
		diff "$2" "$T/got" | head -c 1500 | sed 's/^/       | /'
	fi
}

# A UDP association's datagrams in a tshark -x dump are linked to their
# session as they are in the capture (frame_parse read TCP only: the
# datagrams were "no TCP frame" and the session showed none).
for v in 4 6; do
	flag=; [ "$v" = 6 ] && flag=--ipv6
	"$PY" "$GEN" udp $flag -o "$T/udp$v.pcap" >/dev/null || die "pcapgen udp $flag"
	sc -- decode -r "$T/udp$v.pcap" -j
	expect_rc "udp IPv$v: the capture" 0
	"$PY" "$TOOL" norm "$SC_OUT" >"$T/want-udp$v"
	tshark -r "$T/udp$v.pcap" -x >"$T/udp$v.txt" 2>/dev/null
	sc -- decode -r "$T/udp$v.txt" -j
	expect_rc "udp IPv$v: its tshark -x dump" 0
	same "udp IPv$v: the dump's datagrams linked" "$T/want-udp$v"
	sc -- decode -r "$T/udp$v.txt"
	expect_rc "udp IPv$v: the dump's conversation" 0
	grep -q "IPv$v, TCP and UDP headers read" "$SC_OUT" "$SC_ERR" &&
		ok "udp IPv$v: UDP headers read, said" || fail "udp IPv$v: UDP headers read, not said"
	n=$(grep -c 'SOCKS5 UDP datagram' "$SC_OUT")
	[ "$n" = 4 ] && ok "udp IPv$v: 4 datagrams shown, as in the capture" ||
		fail "udp IPv$v: $n datagrams shown, 4 expected"
	# one side of it: the datagrams are said to be skipped, not "no TCP frame"
	sc --in "$T/udp$v.txt" -- decode --client
	expect_rc "udp IPv$v: decode --client of the dump" 0
	grep -q '5 UDP datagrams skipped' "$SC_OUT" "$SC_ERR" &&
		ok "udp IPv$v: decode --client says the datagrams were skipped" ||
		fail "udp IPv$v: decode --client does not say the datagrams were skipped" 
done

# tshark's other follow forms (ascii, raw) and UDP's follow: a message that
# names the form and the one decode reads, exit 2 (ascii was "bad hex at
# line 2, column 1: '='"; UDP's follow was read as a TCP stream).
for form in tcp,ascii tcp,raw udp,hex; do
	tshark -r "$T/udp4.pcap" -q -z "follow,$form,0" >"$T/follow.txt" 2>/dev/null
	sc -- decode -r "$T/follow.txt"
	expect_rc "follow,$form: decode -r" 2
	expect_err "follow,$form: decode -r names the form" \
		"follow\\.txt: .*tshark follow,$form output is not read: give the output of tshark -q -z follow,tcp,hex,N"
	sc --in "$T/follow.txt" -- decode
	expect_rc "follow,$form: decode" 2
	expect_err "follow,$form: decode names the form" \
		"^sockscope: tshark follow,$form output is not read"
	[ -s "$SC_OUT" ] && fail "follow,$form: something decoded" || ok "follow,$form: nothing decoded"
done

# Follow output of several streams pasted together (one tshark run per
# stream, as a user collects them): one session each, as in the capture
# (they were one connection: the second and third sessions' bytes were the
# first's tunnel data, under the last Node lines' ends).
"$PY" "$GEN" many -o "$T/many.pcap" >/dev/null || die "pcapgen many"
sc -- decode -r "$T/many.pcap" -j
expect_rc "many: the capture" 0
"$PY" "$TOOL" norm "$SC_OUT" --no-ended >"$T/want-many"
for i in 0 1 2 3 4; do
	tshark -r "$T/many.pcap" -q -z "follow,tcp,hex,$i" 2>/dev/null
done >"$T/follows.txt"
[ "$(grep -c '^Follow: tcp,hex' "$T/follows.txt")" -ge 3 ] || die "tshark printed no follow blocks"
sc -- decode -r "$T/follows.txt" -j
expect_rc "several follow blocks: decode -r" 0
"$PY" "$TOOL" norm "$SC_OUT" --no-ended >"$T/got"
if cmp -s "$T/want-many" "$T/got"; then
	ok "several follow blocks: the capture's 3 sessions"
else
	fail "several follow blocks: not the capture's sessions"
	diff "$T/want-many" "$T/got" | head -c 1500 | sed 's/^/       | /'
fi
expect_err "several follow blocks: said" \
	'follow output of 3 connections, the first 10\.0\.0\.1:40000 to 10\.0\.0\.2:1080'
sc --in "$T/follows.txt" -- decode
expect_rc "several follow blocks: plain decode" 0
n=$(grep -c '^[0-9]' "$SC_OUT")  # the summary table: one row a session
[ "$n" = 3 ] && ok "several follow blocks: 3 rows" || fail "several follow blocks: $n rows, 3 expected"
sc --in "$T/follows.txt" -- decode --server
expect_rc "several follow blocks: decode --server" 0
grep -q '2 other connections of the follow output skipped' "$SC_OUT" "$SC_ERR" &&
	ok "several follow blocks: --server reads the first, says so" ||
	fail "several follow blocks: --server does not say the others were skipped"

# A capture made on the sending host with checksum offload has IPv4 header
# checksums of 0 (pcapgen --bench writes them so): its tshark -x dump was
# "no TCP or UDP frame" (frame_parse wanted every checksum to sum right).
"$PY" "$GEN" --bench 200 --tunnel-bytes 100 -o "$T/bench.pcap" >/dev/null || die "pcapgen --bench"
sc -- decode -r "$T/bench.pcap" -j
expect_rc "offloaded checksums: the capture" 0
"$PY" "$TOOL" norm "$SC_OUT" >"$T/want-bench"
tshark -r "$T/bench.pcap" -x >"$T/bench.txt" 2>/dev/null
sc -- decode -r "$T/bench.txt" -j
expect_rc "offloaded checksums: the tshark -x dump" 0
same "offloaded checksums: the tshark -x dump" "$T/want-bench"

# tshark -x -P prints each frame's summary line before its bytes; from
# frame 1000 on it starts "1000   0.019980", which was taken for an offset
# line: "bad hex at line 7634, column 10: '.'".
tshark -r "$T/bench.pcap" -x -P >"$T/bench-P.txt" 2>/dev/null
grep -q '^ *1000 ' "$T/bench-P.txt" || die "tshark -x -P printed no frame 1000"
sc -- decode -r "$T/bench-P.txt" -j
expect_rc "tshark -x -P past frame 1000" 0
same "tshark -x -P past frame 1000" "$T/want-bench"

# tshark -x of one relayed UDP datagram given to decode: its payload
# decoded as a SOCKS5 UDP datagram (it went to the capture engine, "no SOCKS
# session", exit 0; with --udp its Ethernet header was taken for RSV).
tshark -r "$T/udp4.pcap" -x -Y udp 2>/dev/null | awk 'BEGIN { RS = ""; ORS = "\n\n" } NR == 1' >"$T/dgram.txt"
for opt in "" --udp; do
	sc --in "$T/dgram.txt" -- decode $opt
	expect_rc "one UDP frame: decode $opt" 0
	if grep -q 'DST.ADDR  93\.184\.216\.34' "$SC_OUT" && grep -q 'DATA      "query"' "$SC_OUT"; then
		ok "one UDP frame: decode $opt shows the datagram"
	else
		fail "one UDP frame: decode $opt does not show the datagram"
	fi
	grep -q 'Ethernet, IPv4 and UDP headers skipped' "$SC_OUT" "$SC_ERR" &&
		ok "one UDP frame: decode $opt says the headers were skipped" ||
		fail "one UDP frame: decode $opt does not say the headers were skipped"
done
sc --in "$T/udp4.txt" -- decode --udp
expect_rc "a dump with --udp" 0
grep -q 'the first of the dump.s datagrams' "$SC_OUT" "$SC_ERR" &&
	ok "a dump with --udp: its first datagram, said" ||
	fail "a dump with --udp: its first datagram not said"

# tshark -x of a BSD loopback capture (macOS's tcpdump -i lo0): its frames
# were "no TCP or UDP frame" (the link type was not among those guessed).
for link in null loop; do
	for v in "" --ipv6; do
		"$PY" "$GEN" connect --link "$link" $v -o "$T/lo.pcap" >/dev/null || die "pcapgen --link $link"
		sc -- decode -r "$T/lo.pcap" -j
		"$PY" "$TOOL" norm "$SC_OUT" >"$T/want-lo"
		tshark -r "$T/lo.pcap" -x >"$T/lo.txt" 2>/dev/null
		sc -- decode -r "$T/lo.txt" -j
		expect_rc "$link$v: the tshark -x dump" 0
		same "$link$v: the tshark -x dump" "$T/want-lo"
	done
done

# tshark -x of a capture cut by a snap length: the cut frame was "no TCP
# or UDP frame (such as tshark's reassembled data)" and all its bytes a
# gap (400 missing, 0 counted); now what it holds is counted, the rest a
# gap cut by the snap length, as in the capture.
"$PY" "$GEN" snaplen -o "$T/snap.pcap" >/dev/null || die "pcapgen snaplen"
sc -- decode -r "$T/snap.pcap" -j
"$PY" "$TOOL" norm "$SC_OUT" >"$T/want-snap"
tshark -r "$T/snap.pcap" -x >"$T/snap.txt" 2>/dev/null
sc -- decode -r "$T/snap.txt" -j
expect_rc "snap length: the tshark -x dump" 0
same "snap length: the tshark -x dump" "$T/want-snap"
sc -- decode -r "$T/snap.txt"
grep -q 'gap of 254 bytes .*(cut by the snap length)' "$SC_OUT" &&
	ok "snap length: the gap said as cut by the snap length" ||
	fail "snap length: the gap not said as cut by the snap length"

# A dump saved on Windows: with a UTF-8 byte order mark its first frame (the
# SYN) lost its first line and was skipped; as UTF-16 it was "bad hex at
# position 1: '\xff'".
{ printf '\xef\xbb\xbf'; cat "$T/udp4.txt"; } >"$T/bom.txt"
sc -- decode -r "$T/bom.txt" -j
expect_rc "a UTF-8 byte order mark" 0
same "a UTF-8 byte order mark" "$T/want-udp4"
expect_err "a UTF-8 byte order mark: every frame read" 'dump of 14 frames: Ethernet, IPv4, TCP and UDP headers read; the dump holds no times$'
if command -v iconv >/dev/null; then
	iconv -f utf-8 -t utf-16 "$T/udp4.txt" >"$T/utf16.txt"
	sc -- decode -r "$T/utf16.txt"
	expect_rc "UTF-16 text" 2
	expect_err "UTF-16 text: said" 'utf16\.txt: .*the text is UTF-16 .*: give it as UTF-8 or ASCII'
fi

# Follow output of a connection whose proxy never answered the greeting (a
# hang the user wants explained): the client's lines only.  decode -r said
# "neither a capture file ... nor a tshark text dump: no follow output".
"$PY" - "$T/hang.pcap" <<'EOF' || die "a capture of a hang"
import struct, sys
def rec(data):
    return struct.pack("<IIII", 1700000000, 0, len(data), len(data)) + data
def csum(h):
    s = sum(struct.unpack("!%dH" % (len(h) // 2), h))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
def pkt(src, dst, sp, dp, seq, ack, flags, data):
    tcp = struct.pack("!HHIIBBHHH", sp, dp, seq, ack, 0x50, flags, 65535, 0, 0) + data
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0x4000, 64, 6, 0, src, dst)
    return rec(ip[:10] + struct.pack("!H", csum(ip)) + ip[12:] + tcp)
c, s = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))  # raw IP
    f.write(pkt(c, s, 40000, 1080, 100, 0, 0x02, b""))
    f.write(pkt(s, c, 1080, 40000, 500, 101, 0x12, b""))
    f.write(pkt(c, s, 40000, 1080, 101, 501, 0x10, b""))
    f.write(pkt(c, s, 40000, 1080, 101, 501, 0x18, b"\x05\x01\x00"))
EOF
tshark -r "$T/hang.pcap" -q -z follow,tcp,hex,0 >"$T/hang.txt" 2>/dev/null
grep -q '^	' "$T/hang.txt" && die "the hang's follow output has server lines"
sc -- decode -r "$T/hang.pcap" -j
"$PY" "$TOOL" norm "$SC_OUT" --no-ended >"$T/want-hang"
sc -- decode -r "$T/hang.txt" -j
expect_rc "a greeting never answered: decode -r of its follow output" 0
"$PY" "$TOOL" norm "$SC_OUT" --no-ended >"$T/got"
cmp -s "$T/want-hang" "$T/got" && [ -s "$T/got" ] &&
	ok "a greeting never answered: the capture's session" ||
	fail "a greeting never answered: not the capture's session"

# Bytes a session still holds at its end are said: t-capture-text.

finish
