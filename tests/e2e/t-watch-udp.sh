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
expect_w "the count" '^#1 \+[0-9.]+s udp: 3 datagrams from the application, 3 from the relay'
if grep -q "^FROM 127.0.0.1" "$T/uecho.log"; then ok "the echo service got them (through danted)"; else fail "the echo service got nothing"; fi
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
