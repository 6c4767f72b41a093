#!/usr/bin/env bash
# What real servers never do: badserver.py lies in one field at a time.
# Each case checks the exit status, the field named on stderr, and that the
# client gave up in bounded time.  A fresh server per case.
. "$(dirname "$0")/lib.sh"
need_sockscope

# bad SCENARIO [SERVER ARGS...] -- CLIENT ARGS...: start the scenario, run
# the client against it (socks5 unless the client args say otherwise; the
# target is a dummy, the scenario echoes itself).
bad() {
	local sargs=() scheme=socks5
	while [ $# -gt 0 ] && [ "$1" != -- ]; do sargs+=("$1"); shift; done
	shift
	case ${sargs[0]} in ok4 | s4-*) scheme=socks4 ;; esac
	start_badserver "${sargs[@]}"
	sc --timeout 15 "${SC_PRE[@]+"${SC_PRE[@]}"}" -- -w 5 "$@" -x "$scheme://127.0.0.1:$BAD_PORT" 127.0.0.1 9
}
SC_PRE=()

# ---- granted, then a tunnel
SC_PRE=(--in-str "hello"$'\n')
for s in ok5 ok5-bytewise domain-255 ipv6-reply rep-00; do
	bad "$s" --
	expect_rc "$s" 0 && expect_out "$s: echo" "hello"$'\n'
done

# Tunnel bytes glued to the reply in one segment belong to the tunnel.
SC_PRE=(--in-str "world"$'\n')
bad ok5-glued --
expect_rc "ok5-glued" 0 && expect_out "ok5-glued: glued bytes first, then the echo" "HELLO"$'\n'"world"$'\n'

# Legal but odd: RSV not zero.  Accepted, and said so on stderr.
SC_PRE=(--in-str "hello"$'\n')
bad rsv-nonzero --
expect_rc "rsv-nonzero" 0 && expect_out "rsv-nonzero: echo" "hello"$'\n'
expect_err "rsv-nonzero: the anomaly is named" 'RSV'

# -z: handshake only, no tunnel.
SC_PRE=(--in-str "never sent"$'\n')
bad ok5 -- -z
expect_rc "-z against ok5" 0 && expect_out "-z: nothing on stdout" ""
if grep -q 'RECV 6e6576' "$BAD_LOG"; then fail "-z sent stdin through the tunnel"; else ok "-z sent no tunnel data"; fi
SC_PRE=()

# ---- the reply cut short: FIN or RST after N of its 10 bytes
field5() {
	case $1 in 0) echo VER ;; 1) echo REP ;; 2) echo RSV ;; 3) echo ATYP ;;
	[4-7]) echo 'BND\.ADDR' ;; [89]) echo 'BND\.PORT' ;; esac
}
for n in 0 1 2 3 4 7 8 9; do
	bad "trunc5-$n-close" --
	expect_rc "trunc5-$n-close" 4 && expect_err "trunc5-$n-close" "$(field5 "$n")"
	expect_secs_lt "trunc5-$n-close" 4
done
for n in 0 3 7 9; do
	bad "trunc5-$n-reset" --
	expect_rc "trunc5-$n-reset" 4 && expect_err "trunc5-$n-reset" "$(field5 "$n")"
	expect_secs_lt "trunc5-$n-reset" 4
done

# Nothing came back: "the server sent nothing" (never "nothing was sent",
# which is exit 2's: sockscope sent nothing); after an uncommon command, the
# likely reason, as the flow's hint words it.
bad trunc5-0-close --
expect_err "trunc5-0-close: who sent nothing" 'server closed after 0 of at least 4 bytes \(in VER\): the server sent nothing$'
for cmd in bind udp; do
	start_badserver req-close
	sc --timeout 15 -- -w 5 -x "socks5://127.0.0.1:$BAD_PORT" "$cmd" 127.0.0.1 9
	expect_rc "req-close after $cmd" 4 && expect_err "req-close after $cmd: the hint" \
		"the server sent nothing; closed with no reply: this server may not support $([ "$cmd" = bind ] && echo 'CMD 0x02 \(BIND\)' || echo 'CMD 0x03 \(UDP ASSOCIATE\)')\$"
done
start_badserver req-close
sc --timeout 15 -- -w 5 -x "socks5://127.0.0.1:$BAD_PORT" resolve example.test
expect_rc "req-close after resolve" 4 && expect_err "req-close after resolve: the hint" 'may not support CMD 0xf0 \(RESOLVE \(Tor\)\)$'

# A reply cut after its code: the one-line error says what did arrive.
bad rep-07-trunc-2 --
expect_rc "rep-07-trunc-2" 4 && expect_err "rep-07-trunc-2: the code that arrived" \
	'after 2 of at least 4 bytes \(in RSV; it said REP 0x07 command not supported\)'

# ---- lies in the method selection and the authentication
bad wrongver --
expect_rc wrongver 4 && expect_err wrongver 'VER'
bad garbage --
expect_rc garbage 4 && expect_err garbage 'VER'
bad method-ff --
expect_rc method-ff 6 && expect_err method-ff '[Mm][Ee][Tt][Hh][Oo][Dd]'
bad method-not-offered --
expect_rc method-not-offered 4 && expect_err method-not-offered '[Mm][Ee][Tt][Hh][Oo][Dd]'
bad auth-fail -- -U user:pass
expect_rc auth-fail 6 && expect_err auth-fail 'STATUS|[Aa]uth'
bad auth-malformed -- -U user:pass
expect_rc auth-malformed 4 && expect_err auth-malformed 'STATUS'

# ---- refusals: the code and its meaning are printed
refusal() {
	case $1 in
	01) echo '[Gg]eneral' ;; 02) echo '[Rr]uleset|not allowed' ;;
	03) echo '[Nn]etwork unreachable' ;; 04) echo '[Hh]ost unreachable' ;;
	05) echo '[Cc]onnection refused' ;; 06) echo 'TTL' ;;
	07) echo '[Cc]ommand not supported' ;; 08) echo '[Aa]ddress type not supported' ;;
	# Unassigned codes: the code itself, in hex (and in decimal from 10 up,
	# where it cannot be mistaken for the dummy port 9).
	*) if [ $((16#$1)) -ge 10 ]; then printf '%s\n' "\\b(0x)?($1|${1^^})\\b|\\b$((16#$1))\\b"
	   else printf '%s\n' "\\b(0x)?$1\\b"; fi ;;
	esac
}
for x in 01 02 03 04 05 06 07 08 09 f0 ff; do
	bad "rep-$x" --
	expect_rc "rep-$x" 1 && expect_err "rep-$x" "$(refusal "$x")"
done

# ---- malformed replies
bad atyp-unknown --
expect_rc atyp-unknown 4 && expect_err atyp-unknown 'ATYP'
bad domain-0 --
expect_rc "domain-0 (a name's length must be 1 to 255)" 4 && expect_err domain-0 'BND\.ADDR|LEN|[Ll]ength'

# ---- time: every phase is bounded by -w
start_badserver silent
sc --timeout 15 -- -w 2 -x "socks5://127.0.0.1:$BAD_PORT" 127.0.0.1 9
expect_rc "silent server, -w 2" 5 && expect_err "silent" '[Tt]ime'
expect_secs_lt "silent server, -w 2" 4.5

# A reply dripped at one byte a second takes 10 s: -w 3 must end it in the
# reply phase, not restart with every byte.
start_badserver drip
sc --timeout 15 -- -w 3 -x "socks5://127.0.0.1:$BAD_PORT" 127.0.0.1 9
expect_rc "drip, -w 3" 5
expect_secs_lt "drip, -w 3" 6.5

# Nothing listens: the proxy cannot be reached.
closed=$(free_port)
sc --timeout 15 -- -w 5 -x "socks5://127.0.0.1:$closed" 127.0.0.1 9
expect_rc "proxy port closed" 3 && expect_secs_lt "proxy port closed" 3

# ---- a large download, and stdout closed early
start_badserver bigout --size 8388608 --seed 3
sc --timeout 30 -- -w 5 -x "socks5://127.0.0.1:$BAD_PORT" 127.0.0.1 9
expect_rc "bigout 8 MiB" 0 && expect_out_sum "bigout 8 MiB" "$(pattern_sum 8M 3)"

# A reader that goes away: SIGPIPE must not kill the client, and it must
# not hang.  An orderly end of a granted tunnel: exit 0, nothing said.
start_badserver bigout --size 8388608
t0=$(date +%s)
timeout --foreground -k 2 15 "$SOCKSCOPE" -w 5 -x "socks5://127.0.0.1:$BAD_PORT" 127.0.0.1 9 </dev/null 2>"$SC_ERR" | head -c 1000 >/dev/null
SC_RC=${PIPESTATUS[0]} SC_SECS=$(($(date +%s) - t0)) SC_ARGS="... | head -c 1000"
expect_rc "stdout closed early (no death by SIGPIPE)" 0
if [ -s "$SC_ERR" ]; then fail "stdout closed early: said $(head -c 200 "$SC_ERR")"; else ok "stdout closed early: nothing said"; fi

# ---- SOCKS4
SC_PRE=(--in-str "four"$'\n')
bad ok4 --
expect_rc ok4 0 && expect_out "ok4: echo" "four"$'\n'
# SOCKS4 reply VN 04 instead of 00: tolerated, and said so.
bad s4-vn4 --
expect_rc s4-vn4 0 && expect_out "s4-vn4: echo" "four"$'\n'
expect_err "s4-vn4: the anomaly is named" 'VN'
# socks4a: the name goes to the server after DSTIP 0.0.0.1.
start_badserver ok4
sc --in-str "four"$'\n' -- -w 5 -x "socks4a://127.0.0.1:$BAD_PORT" localhost 9
expect_rc "socks4a" 0
if grep -q "REQUEST4 cd=01 port=9 ip=0.0.0.1 userid=.* host=$(printf localhost | od -An -tx1 | tr -d ' \n')" "$BAD_LOG"; then
	ok "socks4a: DSTIP 0.0.0.1 and the name sent"
else
	fail "socks4a: request not as expected: $(grep REQUEST4 "$BAD_LOG")"
fi
SC_PRE=()

for x in 5b 5c 5d; do
	bad "s4-rep-$x" --
	expect_rc "s4-rep-$x" 1 && expect_err "s4-rep-$x" "$x|${x^^}|$((16#$x))"
done
field4() {
	case $1 in 0) echo VN ;; 1) echo CD ;; [23]) echo DSTPORT ;; [4-7]) echo DSTIP ;; esac
}
# An echo service is no SOCKS4 server: its "reply" is the request, VN 4
# and CD 0x01.  VN 4 is tolerated only with a SOCKS4 reply code; the hint
# names the echo, with its bytes escaped.
start_echo
sc --timeout 15 -- -w 5 -x "socks4://127.0.0.1:$ECHO_PORT" 127.0.0.1 7
expect_rc "socks4 against an echo service: a protocol violation" 4 &&
	expect_err "socks4 echo: VN named with a code that is no reply code" \
		'request phase: VN 0x04 at offset 0: reply version 4 with a code that is no SOCKS4 reply code'
expect_err "socks4 echo: the hint and its evidence" \
	"the server sent the client's bytes back: an echo service: '\\\\x04\\\\x01\\\\x00\\\\x07\\\\x7f"
expect_err_plain "socks4 echo"
if grep -q refused "$SC_ERR"; then fail "socks4 echo: called a refusal"; else ok "socks4 echo: not called a refusal"; fi

for n in 0 1 2 4 7; do
	bad "s4-trunc-$n" --
	expect_rc "s4-trunc-$n" 4 && expect_err "s4-trunc-$n" "$(field4 "$n")"
	expect_secs_lt "s4-trunc-$n" 4
done

finish
