#!/usr/bin/env bash
# The udp verb: UDP ASSOCIATE, then each stdin line is one datagram to
# HOST PORT through the relay, and each datagram back is one stdout line.
# Against dante to a loopback UDP echo service, and against badserver.py for
# what the client must drop (FRAG not 0, a stranger's datagram, one too short
# for its header), a relay announced as 0.0.0.0, and the control connection
# closing under an association still in use.
. "$(dirname "$0")/lib.sh"
need_sockscope

# ------------------------------------------------------------ dante

if [ "$(id -u)" = 0 ] && command -v danted >/dev/null 2>&1; then
	# A UDP echo on loopback: answers "echo: " + the datagram, and logs
	# where each came from.
	"$PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print("PORT %d" % s.getsockname()[1], flush=True)
s.settimeout(100)
while True:
    d, a = s.recvfrom(65536)
    sys.stderr.write("FROM %s:%d %s\n" % (a[0], a[1], d.hex())); sys.stderr.flush()
    s.sendto(b"echo: " + d, a)
' >"$T/uecho.out" 2>"$T/uecho.log" </dev/null &
	UECHO_PID=$!
	track_pid "$UECHO_PID"
	UPORT=$(read_port uecho "$UECHO_PID") || die "udp echo did not start: $(cat "$T/uecho.log")"

	start_danted none
	D=127.0.0.1:$DANTED_PORT
	for scheme in socks5 socks5h; do
		sc --timeout 20 --in-str $'first\nsecond\nthird\nfourth\nfifth\n' -- -w 5 -v -q 2 \
			-x "$scheme://$D" udp 127.0.0.1 "$UPORT"
		expect_rc "danted $scheme udp" 0
		expect_out "danted $scheme udp: five echoes in order" \
			$'echo: first\necho: second\necho: third\necho: fourth\necho: fifth\n'
		expect_err "danted $scheme udp: the count" '\* udp: 5 datagrams sent, 5 received, 0 dropped'
		expect_secs_lt "danted $scheme udp: -q 2 after stdin's EOF" 6
	done
	n=$(grep -c '^FROM 127\.0\.0\.1:' "$T/uecho.log")
	if [ "$n" = 10 ]; then
		ok "danted udp: the echo service saw the 10 datagrams, payload only, from 127.0.0.1"
	else
		fail "danted udp: the echo service saw $n datagrams, expected 10: $(head -c 400 "$T/uecho.log")"
	fi

	# SOCKS4 has no UDP ASSOCIATE.
	sc -- -w 5 -x "socks4://$D" udp 127.0.0.1 "$UPORT"
	expect_rc "danted socks4 udp: usage error" 2 && expect_err "socks4 udp" 'SOCKS5'
else
	note "not root or no danted: the danted cases are left out"
fi

# ------------------------------------------------------------ badserver

# bad SCENARIO [SC OPTIONS --] CLIENT ARGS...: start the scenario, run the
# udp verb against it, target 127.0.0.1 port 9 (the scenario echoes itself).
bad() {
	local scenario=$1 pre=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do pre+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	start_badserver "$scenario"
	sc --timeout 15 "${pre[@]+"${pre[@]}"}" -- -w 5 "$@" -x "socks5://127.0.0.1:$BAD_PORT" \
		udp 127.0.0.1 9
}
three=$'one\ntwo\nthree\n'

bad udp-ok --in-str "$three" -- -v
expect_rc udp-ok 0
expect_out "udp-ok: three echoes in order" "$three"
expect_err "udp-ok: the relay named" '\* udp: relay at 127\.0\.0\.1 port [1-9]'
expect_err "udp-ok: the count" '\* udp: 3 datagrams sent, 3 received, 0 dropped'
if grep -q 'REQUEST5 cmd=03 atyp=01 addr=0\.0\.0\.0 port=0' "$BAD_LOG"; then
	ok "udp-ok: UDP ASSOCIATE with DST 0.0.0.0:0"
else
	fail "udp-ok: the request was $(grep REQUEST "$BAD_LOG")"
fi
n=$(grep -c 'DGRAM from=127\.0\.0\.1:[0-9]* frag=00 atyp=01 dst=127\.0\.0\.1:9 ' "$BAD_LOG")
if [ "$n" = 3 ]; then
	ok "udp-ok: three datagrams with FRAG 00, addressed to 127.0.0.1:9"
else
	fail "udp-ok: $n well-formed datagrams to 127.0.0.1:9 at the relay, expected 3"
	grep DGRAM "$BAD_LOG" | head -5 | sed 's/^/       | /'
fi
if grep -q 'DGRAM .*data=6f6e65 ' "$BAD_LOG" || grep -q 'DGRAM .*data=6f6e65$' "$BAD_LOG"; then
	ok "udp-ok: a line travels without its newline"
else
	fail "udp-ok: the first datagram's payload is not \"one\": $(grep -m1 DGRAM "$BAD_LOG")"
fi

# A name with socks5h: the datagrams carry it (ATYP 03), and the echoes'
# headers, which name it too, decode.
start_badserver udp-ok
sc --timeout 15 --in-str "by name"$'\n' -- -w 5 -x "socks5h://127.0.0.1:$BAD_PORT" udp localhost 9
expect_rc "udp-ok, socks5h localhost" 0 && expect_out "udp-ok, socks5h localhost" "by name"$'\n'
if grep -q 'DGRAM .*atyp=03 dst=localhost:9 ' "$BAD_LOG"; then
	ok "udp-ok, socks5h: the datagram names localhost (ATYP 03)"
else
	fail "udp-ok, socks5h: $(grep -m1 DGRAM "$BAD_LOG")"
fi

# A last line without its newline is a datagram too; --dgram-raw sends each
# read as it is and writes each payload without adding a newline.
bad udp-ok --in-str $'a\nlast' --
expect_rc "udp-ok, last line unterminated" 0 && expect_out "udp-ok, last line unterminated" $'a\nlast\n'
bad udp-ok --in-str "raw bytes" -- --dgram-raw
expect_rc "udp-ok --dgram-raw" 0 && expect_out "udp-ok --dgram-raw" "raw bytes"

# --dgram-raw with more input than one datagram holds: each read is capped
# at what fits in a datagram (65507 bytes over IPv4, less the 10-byte
# header), so every byte goes, and comes back, in order.
"$PY" "$E2E_DIR/netsvc.py" gen --size 100000 --seed 4 >"$T/big"
bad udp-ok --in "$T/big" -- --dgram-raw -q 2
expect_rc "udp-ok --dgram-raw, 100000 bytes" 0 &&
	expect_out_sum "udp-ok --dgram-raw, 100000 bytes" "$(pattern_sum 100000 4)"

# -q: how long to wait for answers after stdin's EOF.
bad udp-ok --in-str "q"$'\n' -- -q 0.3
expect_rc "udp-ok -q 0.3" 0 && expect_out "udp-ok -q 0.3" "q"$'\n'
expect_secs_lt "udp-ok -q 0.3" 1.5

# 0.0.0.0 as the relay: the proxy's own address, said so.
bad udp-zero --in-str "$three" --
expect_rc udp-zero 0
expect_out "udp-zero: the echoes came through the substituted relay" "$three"
expect_err "udp-zero: the substitution is said" \
	"the relay address is 0\.0\.0\.0: using the proxy's, 127\.0\.0\.1 port [1-9]"

# Bytes on the control connection: nothing should come there, and the flow
# says so (a warning, with the offset); the association goes on.
bad udp-junk --in-str "$three" --
expect_rc udp-junk 0
expect_out "udp-junk: the echoes still came" "$three"
expect_err "udp-junk: the flow's violation, as a warning" \
	"^sockscope: warning: udp: control connection: udp phase: at byte 12 of what the server sent: data on a UDP association's control connection\$"

# Datagrams the client must drop; the good ones after them still arrive.
bad udp-frag --in-str "$three" -- -v
expect_rc udp-frag 0
expect_out "udp-frag: only the whole datagrams" "$three"
expect_err "udp-frag: the drop said" '\* udp: dropped a datagram: FRAG is 1'
expect_err "udp-frag: the count" '3 datagrams sent, 3 received, 3 dropped'

bad udp-stranger --in-str "$three" -- -v
expect_rc udp-stranger 0
expect_out "udp-stranger: only the relay's datagrams" "$three"
expect_err "udp-stranger: the drop said" '\* udp: dropped a datagram: it came from someone other than the relay'
expect_err "udp-stranger: the count" '3 datagrams sent, 3 received, 3 dropped'
if grep -q 'DGRAM-SENT stranger' "$BAD_LOG"; then
	ok "udp-stranger: the stranger did send"
else
	fail "udp-stranger: the scenario sent no stranger datagram"
fi

bad udp-short --in-str "$three" -- -v
expect_rc udp-short 0
expect_out "udp-short: only the whole datagrams" "$three"
expect_err "udp-short: the drop said" '\* udp: dropped a datagram: .*(truncated|short)'
expect_err "udp-short: the count" '3 datagrams sent, 3 received, 3 dropped'

# Without -v the drops are silent; stdout is the same.
bad udp-frag --in-str "$three" --
expect_rc "udp-frag, quiet" 0 && expect_out "udp-frag, quiet" "$three"
if grep -q 'dropped' "$SC_ERR"; then
	fail "udp-frag without -v: the drops were reported"
	_sc_context
else
	ok "udp-frag without -v: nothing said about the drops"
fi

# The control connection closes while stdin is still open: the association
# is over, exit 7, what arrived before is kept.  stdin is a FIFO whose
# writer stays for 20 s (sc's --hold would add its sleep to the time taken).
mkfifo "$T/stdin.fifo"
"$PY" -c 'import sys, time
sys.stdout.write("before the close\n"); sys.stdout.flush(); time.sleep(20)' >"$T/stdin.fifo" &
WRITER_PID=$!
track_pid "$WRITER_PID"
bad udp-close --in "$T/stdin.fifo" --
stop_pid "$WRITER_PID"
expect_rc "udp-close" 7
expect_err "udp-close: said" 'closed the control connection'
expect_out "udp-close: the echo before the close" "before the close"$'\n'
expect_secs_lt "udp-close: at once, not after stdin's EOF" 5

# SOCKS4: no UDP ASSOCIATE; nothing is sent.
start_badserver ok4
sc --timeout 10 -- -w 5 -x "socks4://127.0.0.1:$BAD_PORT" udp 127.0.0.1 9
expect_rc "socks4 udp" 2
expect_err "socks4 udp: says why" 'UDP ASSOCIATE needs SOCKS5'
if grep -q 'ACCEPT\|RECV' "$BAD_LOG" 2>/dev/null; then
	fail "socks4 udp: the client connected to the server anyway"
else
	ok "socks4 udp: nothing was sent"
fi

# A relay given by name (ATYP 03, as RFC 1928 allows): resolved here.
bad udp-name --in-str "one"$'\n' -- -4 -q 0.5
expect_rc "udp-name: a relay given by name" 0 && expect_out "udp-name: the echo" "one"$'\n'
expect_err "udp-name: said" 'the relay is given by name, localhost: resolved here to 127\.0\.0\.1 port [1-9]'
# A name that does not resolve: the relay cannot be reached, exit 3.
bad udp-name-bad --in-str "one"$'\n' --
expect_rc "udp-name-bad: the relay's name does not resolve" 3 &&
	expect_err "udp-name-bad: said" 'the relay is given by name \(relay\.invalid\), which does not resolve here'
# A hostile name: no such host either, and escaped.
bad hostile-name --in-str "one"$'\n' --
expect_rc "hostile-name" 3
expect_err "hostile-name: the name, escaped" 'relay is given by name \(\\x1b\]0;pwned'
expect_err_plain "hostile-name"

# A target name too long for the datagram header: refused before anything
# is sent, the field named.
long_name=$(printf 'a%.0s' $(seq 300))
start_badserver udp-ok
sc --timeout 15 --in-str "one"$'\n' -- -w 5 -x "socks5h://127.0.0.1:$BAD_PORT" udp "$long_name" 53
expect_rc "udp to a 300-byte name" 2
expect_err "udp to a 300-byte name: the field" 'DST\.ADDR: a domain name is at most 255 bytes'
if grep -q 'ACCEPT\|GREETING' "$BAD_LOG"; then
	fail "udp to a 300-byte name: the server saw a connection: $(head -3 "$BAD_LOG")"
else
	ok "udp to a 300-byte name: no connection made"
fi

# -j: "bytes" counts the datagrams' DATA each way (the lines, without their
# newlines), "datagrams" counts the datagrams.
bad udp-ok --in-str "hello world"$'\n'"second line"$'\n' -- -j -q 0.5
expect_rc "udp -j" 0
tail -n 1 "$SC_ERR" >"$T/udp.json"
if "$PY" -c '
import json, sys
o = json.load(open(sys.argv[1]))
assert o["bytes"] == {"sent": 22, "received": 22}, o["bytes"]
assert o["datagrams"] == {"sent": 2, "received": 2, "dropped": 0, "not_shown": 0}, o.get("datagrams")
# Each datagram is a message with its fields, as -X shows them.
d = [(m["direction"], [(f["name"], f["value"]) for f in m["fields"]])
     for m in o["messages"] if m["title"] == "SOCKS5 UDP datagram"]
head = [("RSV", 0), ("FRAG", 0), ("ATYP", 1), ("DST.ADDR", "127.0.0.1"), ("DST.PORT", 9)]
want = [(w, head + [("DATA", t)]) for w, t in (("client", "hello world"), ("client", "second line"),
                                               ("server", "hello world"), ("server", "second line"))]
assert sorted(d) == sorted(want), d
' "$T/udp.json" 2>"$T/udp.json.err"; then
	ok "udp -j: bytes 22/22, datagrams 2/2/0, each datagram a message with its fields"
else
	fail "udp -j: $(cat "$T/udp.json.err" | tail -n 1)"
fi

# Line mode: a line that fills a datagram to the byte goes whole; one byte
# more is refused by name rather than split into two datagrams.  To
# 127.0.0.1 the header is 10 bytes: 65507 - 10 = 65497 bytes of data.
"$PY" -c 'import sys; sys.stdout.write("a" * 65497 + "\nshort\n")' >"$T/fits"
bad udp-ok --in "$T/fits" -- -q 0.5 -v
expect_rc "udp, a 65497-byte line" 0
expect_err "udp, a 65497-byte line: two datagrams, not three" '\* udp: 2 datagrams sent'
"$PY" -c 'import sys; sys.stdout.write("a" * 65498 + "\nshort\n")' >"$T/toolong"
bad udp-ok --in "$T/toolong" -- -q 0.5 -v
expect_rc "udp, a 65498-byte line" 2
expect_err "udp, a 65498-byte line: refused by name" 'a line longer than 65497 bytes does not fit in one datagram'
expect_err "udp, a 65498-byte line: nothing of it sent" '\* udp: 0 datagrams sent'
# After a datagram went: exit 2 is no "nothing was sent" then; it says what was.
"$PY" -c 'import sys; sys.stdout.write("first\n" + "a" * 65498 + "\nshort\n")' >"$T/toolong2"
bad udp-ok --in "$T/toolong2" -- -q 0.5
expect_rc "udp, a 65498-byte second line" 2
expect_err "udp, a 65498-byte second line: what was sent before it" \
	'not sent, nor anything after it, but the association was granted and 1 datagram before it went$'

finish
