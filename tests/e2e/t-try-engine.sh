#!/usr/bin/env bash
# The capture reader tried as its users and an attacker would: resends that
# differ (and what only looks like one: a keep-alive), what cannot be
# compared, and captures of real tools through real proxies, which must
# show no resend that differs.
. "$(dirname "$0")/lib.sh"
need_sockscope
GEN="$E2E_DIR/pcapgen.py"

# A keep-alive carries one byte below the next sequence number, any byte
# (Windows sends a zero): not a resend that differs, as tshark says too.
"$PY" "$GEN" keepalive -o "$T/ka.pcap" >/dev/null || die "pcapgen keepalive"
sc -- decode -r "$T/ka.pcap" -v
expect_rc "keep-alives: exit 0" 0
expect_no_stdout "keep-alives: no resend line" "resent bytes differ"
expect_stdout "keep-alives: the tunnel counted once" \
	"^  tunnel: 5 bytes from the client, 12 from the server"
sc -- decode -r "$T/ka.pcap" -j
expect_stdout "keep-alives: JSON resends_differ 0" '"resends_differ": 0'
if have tshark; then
	n=$(tshark -r "$T/ka.pcap" -Y tcp.analysis.keep_alive 2>/dev/null | wc -l)
	if [ "$n" -ge 4 ]; then ok "tshark reads them as keep-alives ($n)"; else
		fail "tshark: $n keep-alives"; fi
fi

# A resend whose change lies before the last 256 bytes handed on cannot be
# compared: the user is told how many bytes went unchecked, not left to
# believe every copy was checked.
"$PY" "$GEN" resend-old -o "$T/old.pcap" >/dev/null || die "pcapgen resend-old"
sc -- decode -r "$T/old.pcap" -v
expect_no_stdout "old resend: no resend line" "resent bytes differ"
expect_stdout "old resend: the bytes not compared are said" \
	"^  \+0\.[0-9]+    note: 1144 bytes the server sent again were not compared with the first copy \(it was older than the last 256 bytes handed on, or not captured\)$"
sc -- decode -r "$T/old.pcap" -j
expect_stdout "old resend: the note in JSON" '"text": "1144 bytes the server sent again were not compared'
sc -- decode -r "$T/ka.pcap" -v
expect_no_stdout "keep-alives: nothing said not compared" "not compared"

# A SYN with another sequence number injected into an established session
# (both ends ignore it) must not end the session and hide the rest of it;
# the ports reused for a new connection the server answers still are one.
"$PY" "$GEN" syn-injected -o "$T/syn.pcap" >/dev/null || die "pcapgen syn-injected"
sc -- decode -r "$T/syn.pcap" --sessions
expect_stdout "injected SYN: the session goes on, granted" '^1 .*example\.com:80 .* 5 +12 .* granted$'
expect_stdout "injected SYN: the ports reused, a second session" '^2 .*no acceptable method'
expect_no_stdout "injected SYN: no third session" '^3 '
sc -- decode -r "$T/syn.pcap" -v
expect_stdout "injected SYN: said in the session" \
	"note: a SYN with another sequence number inside the connection: ignored"

# A password (RFC 1929) sent again, changed: the anomaly says where and how
# many bytes, never either password; without --show-secrets no view shows
# them, with it the first copy (the one decoded) is shown, never the second.
"$PY" - "$E2E_DIR" "$T/pw.pcap" <<'EOF' || die "writing pw.pcap"
import sys
sys.path.insert(0, sys.argv[1])
import pcapgen as g
net = g.Net("ether", False, False)
c = g.Tcp(net)
c.handshake()
c.send(0, bytes.fromhex("050102"))
c.send(1, bytes.fromhex("0502"))
c.send(0, b"\x01\x05alice\x06s3cr3t")
c.seg(0, 3, b"\x01\x05alice\x06hunter")
c.send(1, b"\x01\x00")
c.send(0, g.s5_request())
c.send(1, g.s5_reply())
c.close()
with open(sys.argv[2], "wb") as out:
    g.write_pcap(out, 1, net.frames, 65535)
EOF
for view in -v -X -j --sessions; do
	sc -- decode -r "$T/pw.pcap" $view
	expect_no_stdout "password resent ($view): neither copy shown" \
		's3cr3t|hunter|733363723374|68756e746572|73 33 63 72 33 74|68 75 6e 74 65 72'
done
sc -- decode -r "$T/pw.pcap" -v
expect_stdout "password resent: the anomaly, offset and length only" \
	"-> anomaly: resent bytes differ from the first copy: 6 bytes at offset 0x000b of the client's stream; the first copy is kept$"
sc -- decode -r "$T/pw.pcap" -v --show-secrets
expect_stdout "password resent, --show-secrets: the first copy" 'PASSWD "s3cr3t"'
expect_no_stdout "password resent, --show-secrets: never the second" 'hunter'

# Bytes past a FIN are no part of the stream (a receiver ignores them): a
# reply "sent" after the server's FIN, injected or a broken capture, must
# not turn the server's close into a protocol violation.
"$PY" - "$E2E_DIR" "$T/pastfin.pcap" <<'EOF' || die "writing pastfin.pcap"
import sys
sys.path.insert(0, sys.argv[1])
import pcapgen as g
net = g.Net("ether", False, False)
c = g.Tcp(net)
c.handshake()
c.send(0, g.GREETING)
c.send(1, g.METHOD)
c.send(0, g.s5_request(host=b"example.com"))
c.fin(1)
c.seg(1, 0, g.METHOD + g.s5_reply())
c.fin(0)
with open(sys.argv[2], "wb") as out:
    g.write_pcap(out, 1, net.frames, 65535)
EOF
sc -- decode -r "$T/pastfin.pcap" -v
expect_stdout "past the FIN: the server's close stands" \
	'^  outcome: closed by the server in the reply phase'
expect_no_stdout "past the FIN: no violation made up" 'data after the close'
expect_stdout "past the FIN: said" \
	'note: 10 bytes the server sent past its FIN are no part of the stream'

# A capture of the client's side only (the server's packets never seen):
# the ports reused without the old connection's close is confirmed by the
# client's ACK of its new SYN, and the new connection is a session of its
# own (joined in its middle: its SYN went to the old one), decoded from its
# greeting, not a gap of a billion bytes in the old one.
"$PY" - "$E2E_DIR" "$T/oneside.pcap" <<'EOF' || die "writing oneside.pcap"
import sys
sys.path.insert(0, sys.argv[1])
import pcapgen as g
net = g.Net("ether", False, False)
for isn in (1000, 0x40000000):
    c = g.Tcp(net, isn=(isn, 5000))
    c.seg(0, 0, flags=0x02, seq_raw=isn)
    c.seg(0, 0, flags=0x10)
    c.send(0, g.GREETING)
    c.sent[1] = 2
    c.send(0, g.s5_request(host=b"example.com" if isn == 1000 else b"example.org"))
with open(sys.argv[2], "wb") as out:
    g.write_pcap(out, 1, net.frames, 65535)
EOF
sc -- decode -r "$T/oneside.pcap" -v
expect_stdout "one side, ports reused: the first ends there" \
	'ended by a new connection on the same ports(,|$)'
if sed -n '/^session 2: /,$p' "$SC_OUT" | grep -q -- '-> SOCKS5 greeting'; then
	ok "one side, ports reused: a second session, its greeting decoded"
else
	fail "one side, ports reused: no second session with its greeting: $(tail -n 5 "$SC_OUT")"
fi
expect_no_stdout "one side, ports reused: no gap made of the new sequence numbers" \
	'gap of [0-9]{6,} bytes'

# ---------------------------------------------------------------- real tools
# Captures of real stacks must show no resend that differs: a false
# positive on real traffic is the worst this reader could say.  tcpdump on
# lo while curl downloads through danted and microsocks (with a password),
# nc -X 4 and 5 go through danted, and a slow reader with a tiny receive
# buffer makes the server's stack probe a zero window and send keep-alives.
if [ "$(id -u)" = 0 ] && have tcpdump && have curl && have microsocks && have danted; then
	start_echo
	start_danted none
	start_microsocks
	MS_OPEN=$MS_PORT
	start_microsocks -u alice -P s3cr3t
	MS_AUTH=$MS_PORT
	HTTP_PORT=$(free_port)
	mkdir -p "$T/www"
	head -c 8000000 /dev/urandom >"$T/www/big"
	start_bg http "$PY" -m http.server --bind 127.0.0.1 --directory "$T/www" "$HTTP_PORT"
	wait_listen "$HTTP_PORT" "$BG_PID" 5 || die "http.server did not start"
	PORTS="tcp port $DANTED_PORT or tcp port $MS_OPEN or tcp port $MS_AUTH"
	start_bg tcpdump tcpdump --immediate-mode -U -n -s 0 -i lo -w "$T/real.pcap" "$PORTS"
	TCPDUMP_PID=$BG_PID
	wait_for 5 grep -q 'listening on' "$T/tcpdump.log" ||
		skip "tcpdump cannot capture here: $(head -n 2 "$T/tcpdump.log" | tr '\n' ' ')"
	n=0
	for via in "--socks5 127.0.0.1:$DANTED_PORT" "--socks4 127.0.0.1:$DANTED_PORT" \
		"--socks5-hostname 127.0.0.1:$MS_OPEN" \
		"--socks5-hostname alice:s3cr3t@127.0.0.1:$MS_AUTH"; do
		# shellcheck disable=SC2086
		timeout -k 2 20 curl -s -o "$T/got" --max-time 15 $via "http://127.0.0.1:$HTTP_PORT/big"
		cmp -s "$T/got" "$T/www/big" && ok "curl $via: 8 MB" || fail "curl $via: download"
		n=$((n + 1))
	done
	for x in 4 5; do
		printf 'nc -X %s\n' "$x" | timeout -k 2 10 nc -N -w 3 -X "$x" \
			-x "127.0.0.1:$DANTED_PORT" 127.0.0.1 "$ECHO_PORT" >"$T/nc$x.out" 2>&1
		grep -q "nc -X $x" "$T/nc$x.out" && ok "nc -X $x through danted" || fail "nc -X $x"
		n=$((n + 1))
	done
	# The slow reader: SOCKS5 by hand through microsocks, a 4 KiB receive
	# buffer, a kilobyte every 20 ms, then idle with keep-alives each second.
	timeout -k 2 20 "$PY" - "$MS_OPEN" "$HTTP_PORT" >"$T/slow.log" 2>&1 <<'EOF'
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
s.connect(("127.0.0.1", int(sys.argv[1])))
s.settimeout(10)
s.sendall(b"\x05\x01\x00")
assert s.recv(2) == b"\x05\x00"
s.sendall(b"\x05\x01\x00\x01\x7f\x00\x00\x01" + int(sys.argv[2]).to_bytes(2, "big"))
assert s.recv(10)[:2] == b"\x05\x00"
s.sendall(b"GET /big HTTP/1.0\r\n\r\n")
end = time.monotonic() + 2.5
while time.monotonic() < end:
    s.recv(1024)
    time.sleep(0.02)
time.sleep(2.5)
print("slow reader done")
EOF
	grep -q "slow reader done" "$T/slow.log" && ok "the slow reader" || fail "slow reader: $(cat "$T/slow.log")"
	n=$((n + 1))
	sleep 0.3
	stop_pid "$TCPDUMP_PID"
	ARGS=(--port "$DANTED_PORT" --port "$MS_OPEN" --port "$MS_AUTH")
	sc -- decode -r "$T/real.pcap" "${ARGS[@]}" -v
	expect_rc "real capture: exit 0" 0
	expect_no_stdout "real capture: no resend that differs" "resent bytes differ|resends? differ"
	sc -- decode -r "$T/real.pcap" "${ARGS[@]}" -j
	got=$("$PY" -c '
import json, sys
ss = [json.loads(l) for l in open(sys.argv[1])]
print(len(ss), sum(s["resends_differ"] for s in ss))' "$SC_OUT")
	[ "$got" = "$n 0" ] && ok "real capture: $n sessions, resends_differ 0 in each" ||
		fail "real capture: sessions and resends_differ '$got', expected '$n 0'"
	expect_no_stdout "real capture: the password never shown" 's3cr3t|733363723374'
	if have tshark; then
		note "tshark on the same capture: $(tshark -r "$T/real.pcap" -Y tcp.analysis.retransmission 2>/dev/null | wc -l) retransmissions, $(tshark -r "$T/real.pcap" -Y tcp.analysis.keep_alive 2>/dev/null | wc -l) keep-alives, $(tshark -r "$T/real.pcap" -Y tcp.analysis.zero_window_probe 2>/dev/null | wc -l) zero-window probes"
	fi
fi

finish
