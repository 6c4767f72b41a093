#!/usr/bin/env bash
# `sockscope decode`: bytes in, annotated fields out, offline.
. "$(dirname "$0")/lib.sh"
need_sockscope

# out_has WHAT ERE: stdout matches.
out_has() {
	if grep -Eq -- "$2" "$SC_OUT"; then ok "$1: /$2/"; else
		fail "$1: stdout does not match /$2/"
		sed 's/^/       | /' "$SC_OUT" | head -30
	fi
}
out_lacks() {
	if grep -Eq -- "$2" "$SC_OUT" "$SC_ERR"; then fail "$1: output matches /$2/"; else ok "$1: no /$2/"; fi
}

# The classic SOCKS4 CONNECT as Fred.
sc -- decode 04 01 00 50 42 66 07 63 46 72 65 64 00
expect_rc "SOCKS4 request" 0
out_has "SOCKS4 request" '\bVN\b'
out_has "SOCKS4 request" '\bCD\b'
out_has "SOCKS4 request" 'DSTPORT.*\b80\b'
out_has "SOCKS4 request" 'DSTIP.*66\.102\.7\.99'
out_has "SOCKS4 request" 'USERID.*"Fred"'

# The same bytes as one argument, without spaces.
sc -- decode 040100504266076346726564 00
expect_rc "SOCKS4 request, hex run together" 0
out_has "SOCKS4 request, hex run together" 'DSTIP.*66\.102\.7\.99'

# A SOCKS5 reply with a domain BND.ADDR.
sc -- decode --server -5 05 00 00 03 0b 65 78 61 6d 70 6c 65 2e 63 6f 6d 01 bb
expect_rc "SOCKS5 reply, domain" 0
out_has "SOCKS5 reply, domain" 'example\.com'
out_has "SOCKS5 reply, domain" '\b443\b'
out_has "SOCKS5 reply, domain" '\bREP\b'

# Truncated: a 10-byte IPv4 reply cut after 6 bytes, inside BND.ADDR.
sc -- decode --server -5 05 00 00 01 7f 00
if [ "$SC_RC" != 0 ] && [ "$SC_RC" -lt 124 ]; then ok "truncated reply: exit $SC_RC"; else
	fail "truncated reply: exit $SC_RC, expected non-zero"; fi
if cat "$SC_OUT" "$SC_ERR" | grep -q 'BND\.ADDR'; then ok "truncated reply: BND.ADDR named"; else
	fail "truncated reply: BND.ADDR not named"; sed 's/^/       | /' "$SC_OUT" "$SC_ERR" | head -20; fi

# Bad hex: exit 2, and the message says where.
sc -- decode 05 01 zz 00
expect_rc "bad hex" 2 && expect_err "bad hex: the position is named" 'zz|([Pp]osition|[Oo]ffset|[Aa]rgument|[Cc]olumn|[Cc]haracter|byte)[^0-9]*[0-9]+'

# A whole client side of a SOCKS5 handshake: greeting offering 02, the
# RFC 1929 request (user/pass), then CONNECT 127.0.0.1:80.  Three messages;
# the password is masked.
hs=(05 01 02  01 04 75 73 65 72 04 70 61 73 73  05 01 00 01 7f 00 00 01 00 50)
sc -- decode --client -5 "${hs[@]}"
expect_rc "handshake" 0
out_has "handshake: greeting" 'NMETHODS|METHODS'
out_has "handshake: auth request" 'UNAME.*"user"|ULEN'
out_has "handshake: auth request" 'PASSWD'
out_has "handshake: request" 'DST\.ADDR.*127\.0\.0\.1'
out_has "handshake: request" 'DST\.PORT.*\b80\b'
out_lacks "handshake: password masked" '\bpass\b|70 61 73 73|70617373'

sc -- decode --show-secrets --client -5 "${hs[@]}"
expect_rc "handshake, --show-secrets" 0
out_has "handshake, --show-secrets: the password shown" '\bpass\b|70 61 73 73'

# A clean greeting, then a username/password request broken at ULEN 0: the
# greeting reading explains more bytes than a request reading of "05 02 00
# 02" (BIND, unknown ATYP), and the bytes after the break, the password, stay
# hidden.
broken=(05 02 00 02  01 00 08 53 33 63 72 33 74 50 57)
sc -- decode "${broken[@]}"
expect_rc "greeting, then a broken auth request" 4
out_has "greeting, then a broken auth request: the greeting" 'SOCKS5 greeting'
out_has "greeting, then a broken auth request: the auth request" 'username/password request.*malformed'
out_lacks "greeting, then a broken auth request: not a BIND" 'BIND'
out_lacks "greeting, then a broken auth request: password hidden" 'S3cr3tPW|53 33 63 72'
out_has "greeting, then a broken auth request: hidden bytes counted" '9 more bytes not decoded, not shown'
sc -- decode --show-secrets "${broken[@]}"
out_has "broken auth request, --show-secrets: the bytes shown" 'S3cr3tPW'

# After a granted reply, or after the request, bytes that start no message
# are the tunnel's: dumped, exit 0, the handshake read as it is.
sc -- decode --server 05 00 05 00 00 01 7f 00 00 01 00 50 48 45 4c 4c 4f
expect_rc "reply, then tunnel data" 0
out_has "reply, then tunnel data: the method selection" 'method selection'
out_has "reply, then tunnel data: the reply" 'REP +0x00 +succeeded'
out_has "reply, then tunnel data: the rest" '5 bytes of tunnel data, not decoded'
out_lacks "reply, then tunnel data: no misreading" 'RSV +0x05|malformed'
sc -- decode --client 05 01 00 05 01 00 01 7f 00 00 01 00 50 41
expect_rc "request, then tunnel data" 0
out_has "request, then tunnel data: the greeting" 'SOCKS5 greeting'
out_has "request, then tunnel data: the rest" '1 byte of tunnel data'

# After an answer the server must close after, any byte is a violation.
for h in "05 ff" "05 02 01 01"; do
	sc -- decode --server $h 05 00 00 01 7f 00 00 01 00 50
	expect_rc "$h, then a reply" 4
	expect_err "$h, then a reply: named" '10 bytes after .* where the server must close'
	out_lacks "$h, then a reply: not decoded as a reply" 'succeeded'
done

# A SOCKS5 UDP datagram: RSV 00 00 FRAG ATYP DST.ADDR DST.PORT DATA, guessed
# from RSV 00 00 from either side, and with --udp.
udp=(00 00 00 01 7f 00 00 01 52 3d 71 75 65 72 79 31)
for side in "" --server; do
	for how in "" --udp; do
		sc -- decode $side $how "${udp[@]}"
		what="UDP datagram${side:+ $side}${how:+ $how}"
		expect_rc "$what" 0
		out_has "$what: title" 'SOCKS5 UDP datagram, 16 bytes'
		out_has "$what: RSV" '^   0000  00 00 +RSV +0x0000'
		out_has "$what: FRAG" '^   0002  00 +FRAG +0'
		out_has "$what: ATYP" '^   0003  01 +ATYP +0x01'
		out_has "$what: DST.ADDR" 'DST\.ADDR +127\.0\.0\.1'
		out_has "$what: DST.PORT" 'DST\.PORT +21053'
		out_has "$what: DATA" 'DATA +"query1"'
		out_lacks "$what: no misreading" 'greeting|SOCKS4|malformed'
	done
done
sc -- decode --udp -j 00 00 01 03 04 68 6f 73 74 00 35 ff
expect_rc "UDP datagram, JSON, fragment 1 to a name" 0
out_has "UDP datagram, JSON: FRAG" '"name": "FRAG"'
out_has "UDP datagram, JSON: the name" '"host"'
sc -- decode --udp -4 00 00 00 01 7f 00 00 01 00 35
expect_rc "--udp with -4" 2

# One offset base in the view: an offset counts from the first byte of the
# message whose header is above it, also for the bytes after it (the rest of
# a message that broke, tunnel data).
sc -- decode --server 05 00 05 04 00 00 00 00 00 00 00 00
out_has "offsets: the rest of a broken reply continues its offsets" '^   0004  00 00 00 00 00 00 '
sc -- decode --server 05 00 05 00 00 01 7f 00 00 01 00 50 41 42
out_has "offsets: tunnel data continues the reply's offsets" '^   000a  41 42 '
out_lacks "offsets: tunnel data not counted from the stream's start" '^   000c  41 42 '

# Standard output that fails is exit 7 with its reason; a reader that goes
# away is an orderly end.
if [ -w /dev/full ]; then
	timeout 10 "$SOCKSCOPE" decode 05 01 00 >/dev/full 2>"$T/full.err"
	rc=$?
	if [ "$rc" = 7 ]; then ok "decode >/dev/full: exit 7"; else fail "decode >/dev/full: exit $rc, expected 7"; fi
	if grep -q '^sockscope: standard output: No space left on device$' "$T/full.err"; then
		ok "decode >/dev/full: the reason named"
	else fail "decode >/dev/full: stderr: $(cat "$T/full.err")"; fi
fi
big=$(printf '05 01 00 %.0s' $(seq 3000))
set +o pipefail 2>/dev/null
rc=$( { timeout 10 "$SOCKSCOPE" decode --client $big 2>"$T/pipe.err"; echo $? >"$T/pipe.rc"; } | head -c 10 >/dev/null; cat "$T/pipe.rc")
if [ "$rc" = 4 ] || [ "$rc" = 0 ]; then ok "decode | head: the run's own status ($rc)"; else fail "decode | head: exit $rc"; fi
if [ -s "$T/pipe.err" ] && grep -q 'standard output' "$T/pipe.err"; then
	fail "decode | head: a message about standard output: $(cat "$T/pipe.err")"
else ok "decode | head: no message about standard output"; fi

# Options before the word decode: refused, naming where they go; with -x,
# never a CONNECT to a host named decode.
start_badserver silent
sc -- -j decode 05 01 00
expect_rc "-j before decode" 2
expect_err "-j before decode: where options go" '-j before decode: decode takes its options after the word'
sc -- -x "127.0.0.1:$BAD_PORT" decode 05
expect_rc "-x before decode" 2
expect_err "-x before decode: named" '-x before decode'
nothing_sent "-x before decode: no CONNECT to a host named decode"
sc -- -w 3 --color=never decode 05 01 00
expect_rc "-w 3 --color=never before decode" 2

# Standard input is read up to 16 MiB of text; more is refused, naming the
# limit, and the man page says so.
head -c $((16 * 1024 * 1024 + 1)) /dev/zero | tr '\0' ' ' >"$T/big.txt"
sc --in "$T/big.txt" -- decode
expect_rc "17 MiB on standard input" 2
expect_err "17 MiB on standard input: the limit named" 'more than 16 MiB'
if grep -q '16 MiB' "$(dirname "$0")/../../man/sockscope.1"; then ok "man page: the 16 MiB limit"; else
	fail "man page: the 16 MiB limit of decode's standard input is not said"; fi

finish
