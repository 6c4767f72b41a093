#!/usr/bin/env bash
# sockscope watch and UDP ASSOCIATE, BIND: the relay address in danted's
# reply is rewritten to watch's own UDP port, the datagrams go through watch
# both ways (each header decoded), and the application (sockscope's udp
# verb) gets every echo; BIND's replies pass unchanged.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/watchlib.sh"
need_sockscope

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
start_watch -v -w 5 -x "socks5://127.0.0.1:$DANTED_PORT"
sc --timeout 20 --in-str $'first\nsecond\nthird\n' -- -w 5 -v -q 2 -x "socks5://127.0.0.1:$W_PORT" udp 127.0.0.1 "$UPORT"
expect_rc "udp through watch" 0
expect_out "udp through watch: three echoes in order" $'echo: first\necho: second\necho: third\n'
expect_w "the reply as danted sent it" '^#1 \+[0-9.]+s <- SOCKS5 reply: REP 0x00 succeeded, BND 127\.0\.0\.1:[0-9]+'
expect_w "the reply as rewritten" '^#1 \+[0-9.]+s <- as rewritten for the application: SOCKS5 reply: REP 0x00 succeeded, BND 127\.0\.0\.1:[0-9]+'
danted_port=$(grep -a -m1 '^#1 .*<- SOCKS5 reply:' "$W_OUT" | sed 's/.*BND 127\.0\.0\.1:\([0-9]*\).*/\1/')
our_port=$(grep -a -m1 '^#1 .*as rewritten' "$W_OUT" | sed 's/.*BND 127\.0\.0\.1:\([0-9]*\).*/\1/')
[ -n "$our_port" ] && [ "$our_port" != "$danted_port" ] && ok "rewritten: $danted_port became $our_port" ||
	fail "not rewritten: '$danted_port' -> '$our_port'"
expect_err "the application was told watch's port" "BND 127\.0\.0\.1:$our_port"
n=$(grep -ac '^#1 .*-> udp from the application: SOCKS5 UDP datagram' "$W_OUT")
[ "$n" = 3 ] && ok "three datagrams from the application decoded" || fail "$n datagrams from the application shown"
n=$(grep -ac '^#1 .*<- udp from the relay: SOCKS5 UDP datagram' "$W_OUT")
[ "$n" = 3 ] && ok "three datagrams from the relay decoded" || fail "$n datagrams from the relay shown"
wait_for 5 grep -q '^#1 .*end:' "$W_OUT"
expect_w "the count" '^#1 \+[0-9.]+s udp: 3 datagrams from the application, 3 from the relay, 0 dropped'
if grep -q "^FROM 127.0.0.1" "$T/uecho.log"; then ok "the echo service got them (through danted)"; else fail "the echo service got nothing"; fi
stop_watch

# An application of our own: UDP ASSOCIATE (its address not named), then a
# datagram from another host (127.0.0.2) to watch's port, which must not
# reach the relay, and one of its own, which must come back echoed.  With
# DECLARE=1 it names its address, which danted then holds it to: watch
# leaves the association alone.
udp_app() {
	DECLARE=$1 "$PY" - "$W_PORT" "$UPORT" <<'PYEOF'
import os, socket, struct, sys
c = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
c.sendall(b"\x05\x01\x00"); assert c.recv(2) == b"\x05\x00"
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0)); u.settimeout(3)
if os.environ["DECLARE"] == "1":
    c.sendall(b"\x05\x03\x00\x01\x7f\x00\x00\x01" + struct.pack(">H", u.getsockname()[1]))
else:
    c.sendall(b"\x05\x03\x00\x01\x00\x00\x00\x00\x00\x00")
r = b""
while len(r) < 10:
    r += c.recv(10 - len(r))
assert r[:4] == b"\x05\x00\x00\x01", r
relay = (socket.inet_ntoa(r[4:8]), struct.unpack(">H", r[8:10])[0])
hdr = b"\x00\x00\x00\x01\x7f\x00\x00\x01" + struct.pack(">H", int(sys.argv[2]))
stranger = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); stranger.bind(("127.0.0.2", 0))
stranger.sendto(hdr + b"from a stranger", relay)
u.sendto(hdr + b"from the application", relay)
d, a = u.recvfrom(65536)
assert a == relay, (a, relay)
assert d.endswith(b"echo: from the application"), d
c.close()
print("RELAY %s:%d" % relay)
PYEOF
}
start_watch -w 5 -x "socks5://127.0.0.1:$DANTED_PORT"
udp_app 0 >"$T/app.out" && ok "a stranger's datagram dropped, the application's echoed" || fail "udp stranger"
wait_for 5 grep -q '^#1 .*end:' "$W_OUT"
expect_w "the stranger said once" '^#1 \+[0-9.]+s udp: a datagram from another host than the application.s: dropped'
expect_w "the count" '^#1 \+[0-9.]+s udp: 1 datagrams from the application, 1 from the relay, 1 dropped'
if grep -q "from a stranger" "$T/uecho.log" || grep -q "$(printf 'from a stranger' | xxd -p)" "$T/uecho.log"; then
	fail "the stranger's datagram reached the echo service"
else ok "the stranger's datagram never reached the relay"; fi
stop_watch
start_watch -v -w 5 -x "socks5://127.0.0.1:$DANTED_PORT"
udp_app 1 >"$T/app.out" && ok "an application that names its address: echoed" || fail "udp, address named"
wait_for 5 grep -q '^#1 .*end:' "$W_OUT"
expect_w "... watch says why it leaves it alone" '^#1 \+[0-9.]+s udp: the application names the address it will send from'
relay=$(sed -n 's/^RELAY //p' "$T/app.out")
expect_w "... the reply passed unchanged" "^#1 \+[0-9.]+s <- SOCKS5 reply: REP 0x00 succeeded, BND $relay\$"
expect_no_w "... no rewrite" 'as rewritten'
stop_watch

# BIND: both replies unchanged (badserver's first reply names its own socket)
start_badserver bind-refused
start_watch -v -w 5 -x "socks5://127.0.0.1:$BAD_PORT"
sc --timeout 15 -- -w 5 --bind-timeout 5 -x "socks5://127.0.0.1:$W_PORT" bind 127.0.0.1 0
expect_rc "bind through watch, then refused" 1
said=$(sed -n 's/^sockscope: bind: the server listens on 127\.0\.0\.1 port \([0-9]*\)$/\1/p' "$SC_ERR")
shown=$(grep -a -m1 '^#1 .*first BIND reply' "$W_OUT" | sed 's/.*BND 127\.0\.0\.1:\([0-9]*\).*/\1/')
[ -n "$said" ] && [ "$said" = "$shown" ] && ok "BIND's first reply passed unchanged (port $said)" ||
	fail "BIND's first reply: the application saw '$said', watch showed '$shown'"
wait_for 5 grep -q '^#1 .*end:' "$W_OUT"
expect_outcome "BIND refused in its second reply" 1 '^refused: REP 0x05'
stop_watch
finish
