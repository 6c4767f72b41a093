#!/usr/bin/env bash
# `sockscope decode` reads what tshark prints of a real capture: a SOCKS5
# session through microsocks on loopback, captured by tcpdump (Ethernet on
# lo, Linux cooked v1 and v2 on "any"), then dumped by `tshark -x` (whole
# frames: link, IP and TCP headers read) and by `tshark -z follow,tcp,hex`
# (both sides, the server's indented).  Both sides go through the capture
# engine and its conversation view (as decode -r of the capture would
# show them); --client or --server decodes one side as bytes.  The decoded
# fields are compared with what tshark -V's own SOCKS dissector makes of
# the same bytes.  (t-capture-text.sh compares dumps with the capture.)
. "$(dirname "$0")/lib.sh"
need_sockscope
need_cmd tshark
need_cmd tcpdump
start_echo
start_microsocks

out_has() {
	if grep -Eq -- "$2" "$SC_OUT"; then ok "$1: /$2/"; else
		fail "$1: stdout does not match /$2/"
		sed 's/^/       | /' "$SC_OUT" "$SC_ERR" | head -30
	fi
}

# capture NAME ARGS...: tcpdump ARGS -w $T/NAME.pcap in the background until
# stop_capture; skips the test when capturing is not permitted.
capture() {
	local name=$1
	shift
	start_bg "$name" tcpdump --immediate-mode -U -n "$@" -w "$T/$name.pcap" "tcp port $MS_PORT${FILTER_MORE:-}"
	eval "${name}_PID=$BG_PID"
	wait_for 5 grep -q 'listening on' "$T/$name.log" ||
		skip "tcpdump cannot capture here: $(head -n 2 "$T/$name.log" | tr '\n' ' ')"
}
stop_capture() { stop_pid "$1"; }

capture lo -i lo
have_any=1
capture_any() { # tcpdump -i any -y TYPE, if this libpcap offers TYPE
	tcpdump -i any -L 2>&1 | grep -q "^ *$2 " || { have_any=0; return 0; }
	capture "$1" -i any -y "$2"
}
# On "any", tcpdump may say it listens before its socket sees packets: it
# is ready once it has caught a connection attempt to a port nobody
# listens on (refused: SYN and RST, no payload, so no frame of theirs is
# read as SOCKS).
WARM=$(free_port)
FILTER_MORE=" or tcp port $WARM"
capture_any sll LINUX_SLL
capture_any sll2 LINUX_SLL2
FILTER_MORE=
any_ready() {
	local k
	(exec 3<>"/dev/tcp/127.0.0.1/$WARM") 2>/dev/null
	for k in sll sll2; do
		[ "$(stat -c %s "$T/$k.pcap" 2>/dev/null || echo 0)" -gt 24 ] || return 1
	done
}
if [ "$have_any" = 1 ]; then
	wait_for 5 any_ready || note "tcpdump -i any caught nothing in 5 s"
fi

line="through a capture $$"
sc --hold 0.5 --in-str "$line"$'\n' -- -x "socks5://127.0.0.1:$MS_PORT" 127.0.0.1 "$ECHO_PORT"
expect_rc "the session to capture" 0
# The last frames reach tcpdump.
wait_for 5 test -s "$T/lo.pcap"
sleep 0.3
stop_capture "$lo_PID"
[ "$have_any" = 1 ] && { stop_capture "$sll_PID"; stop_capture "$sll2_PID"; }

F=$T/lo.pcap
[ -s "$F" ] || skip "tcpdump wrote no capture"

# What tshark's SOCKS dissector says of the request and the reply (tab
# separated: command, address, port / result, address, port).
tshark -r "$F" -d "tcp.port==$MS_PORT,socks" -Y 'socks.command' -T fields \
	-e socks.command -e socks.dst -e socks.port 2>/dev/null | head -n 1 >"$T/req.fields"
tshark -r "$F" -d "tcp.port==$MS_PORT,socks" -Y 'socks.results' -T fields \
	-e socks.results -e socks.dst -e socks.port 2>/dev/null | head -n 1 >"$T/rep.fields"
IFS=$'\t' read -r t_cmd t_dst t_dport <"$T/req.fields"
IFS=$'\t' read -r t_rep t_bnd t_bport <"$T/rep.fields"
if [ "${t_cmd:-}" = 1 ] && [ "${t_dport:-}" = "$ECHO_PORT" ]; then
	ok "tshark -V decodes the CONNECT to 127.0.0.1:$ECHO_PORT"
else fail "tshark -V: request fields '$(cat "$T/req.fields")'"; fi

# check_client WHAT: the client's side decoded as tshark decodes it.
check_client() {
	expect_rc "$1" 0
	out_has "$1: the greeting" 'SOCKS5 greeting, 3 bytes'
	out_has "$1: CMD as tshark" "CMD +0x0*${t_cmd:-x} +CONNECT"
	out_has "$1: DST.ADDR as tshark" "DST\\.ADDR +${t_dst:-x}\$"
	out_has "$1: DST.PORT as tshark" "DST\\.PORT +${t_dport:-x}\$"
	out_has "$1: the tunnel data" "[0-9]+ bytes of tunnel data|tunnel: [1-9][0-9]* bytes from the client"
	out_lacks "$1: no header read as SOCKS" 'malformed|truncated|first byte 0x00'
}
check_server() {
	expect_rc "$1" 0
	out_has "$1: the method selection" 'METHOD +0x00 +NO AUTHENTICATION'
	out_has "$1: REP as tshark" "REP +0x0*${t_rep:-x} +succeeded"
	out_has "$1: BND.ADDR as tshark" "BND\\.ADDR +${t_bnd:-x}\$"
	out_has "$1: BND.PORT as tshark" "BND\\.PORT +${t_bport:-x}\$"
}
# check_conversation WHAT: the session as the capture's conversation view
# shows it, its fields as tshark decodes them.
check_conversation() {
	expect_rc "$1" 0
	out_has "$1: the session" "^session 1: 127\\.0\\.0\\.1:[0-9]+ -> 127\\.0\\.0\\.1:$MS_PORT \\(the dump holds no times"
	out_has "$1: the greeting" '^  -> SOCKS5 greeting: METHODS \[0x00 NO AUTHENTICATION REQUIRED\]$'
	out_has "$1: the request as tshark" "^  -> SOCKS5 CONNECT request: CMD 0x0*${t_cmd:-x} CONNECT, DST ${t_dst:-x}:${t_dport:-x}\$"
	out_has "$1: the reply as tshark" "^  <- SOCKS5 reply: REP 0x0*${t_rep:-x} succeeded, BND ${t_bnd:-x}:${t_bport:-x}\$"
	out_has "$1: the outcome" '^  outcome: granted$'
	out_has "$1: the tunnel, both ways" '^  tunnel: [1-9][0-9]* bytes from the client, [1-9][0-9]* from the server'
	out_lacks "$1: no time, no latency" '^ *\+[0-9]+\.[0-9]{6}|latency:'
}
out_lacks() {
	if grep -Eq -- "$2" "$SC_OUT" "$SC_ERR"; then fail "$1: output matches /$2/"; else ok "$1: no /$2/"; fi
}

# Whole frames: tshark -x of the frames that carry data, and of all frames.
tshark -r "$F" -x -Y 'tcp.len>0' >"$T/frames.txt" 2>/dev/null
sc --in "$T/frames.txt" -- decode
check_conversation "tshark -x, the conversation"
out_has "tshark -x: the headers read, said" '^\(a tshark -x dump of [0-9]+ frames: Ethernet, IPv4 and TCP headers read; the dump holds no times\)'
out_has "tshark -x: no SYN in the dump, said" 'joined in its middle: its start is not in the dump'
# The fields in the hex view, as decode -r shows a capture's.
sc -- decode -r "$T/frames.txt" --port "$MS_PORT" -X
check_client "tshark -x, decode -r -X, client"
check_server "tshark -x, decode -r -X, server"
sc --in "$T/frames.txt" -- decode --client
check_client "tshark -x, --client"
out_has "tshark -x, --client: the headers skipped, said" '^\([0-9]+ captured frames: Ethernet, IPv4 and TCP headers skipped\)'
out_has "tshark -x, --client: the side said" "^\\(the client's side, 127\\.0\\.0\\.1:[0-9]+ to 127\\.0\\.0\\.1:$MS_PORT: [0-9]+ bytes in [0-9]+ frames; --server for the server's [0-9]+\\)"
sc --in "$T/frames.txt" -- decode --server
check_server "tshark -x, server"
tshark -r "$F" -x >"$T/allframes.txt" 2>/dev/null
sc --in "$T/allframes.txt" -- decode --server
check_server "tshark -x, every frame (SYN, ACKs, FIN), server"
sc --in "$T/allframes.txt" -- decode
check_conversation "tshark -x, every frame"
out_lacks "tshark -x, every frame: the SYN seen" 'joined in its middle'
out_has "tshark -x, every frame: the FINs" 'ended by FIN'
tshark -r "$F" -V -x -Y 'tcp.len>0' >"$T/verbose.txt" 2>/dev/null
sc --in "$T/verbose.txt" -- decode
check_conversation "tshark -V -x"
sc --in "$T/frames.txt" -- decode -j
expect_rc "tshark -x, JSON" 0
expect_err "tshark -x, JSON: the dump said on stderr" 'sockscope: the dump: a tshark -x dump of [0-9]+ frames'
if "$PY" -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["outcome"]["result"] == "granted" and s["start"] is None, s
assert [m["type"] for m in s["messages"]] == ["greeting", "method", "request", "reply"], s' "$SC_OUT"; then
	ok "tshark -x, JSON: one session, its messages, no times"
else
	fail "tshark -x, JSON: not the session"
fi

# Follow output: the unindented lines are the client's, the indented ones
# the server's.
tshark -r "$F" -q -z follow,tcp,hex,0 >"$T/follow.txt" 2>/dev/null
grep -q $'^\t0000' "$T/follow.txt" || fail "tshark follow output has no indented side"
sc --in "$T/follow.txt" -- decode
check_conversation "tshark follow"
out_has "tshark follow: the ends said" "^\\(tshark follow output: 127\\.0\\.0\\.1:[0-9]+ \\(unindented lines, [0-9]+ bytes\\) connected to 127\\.0\\.0\\.1:$MS_PORT \\(indented lines"
sc --in "$T/follow.txt" -- decode --client
check_client "tshark follow, client"
out_has "tshark follow: the side said" "^\\(tshark follow output: the client's side"
sc --in "$T/follow.txt" -- decode --server
check_server "tshark follow, server"

# Linux cooked captures (tcpdump -i any): the same fields.
if [ "$have_any" = 1 ]; then
	for k in sll sll2; do
		[ -s "$T/$k.pcap" ] || { fail "$k: no capture"; continue; }
		# tcpdump on "any" drops packets on a loaded machine (seen: the
		# greeting and the last data, nothing between): a capture that
		# lacks frames the one on lo holds is no test of the decoder.
		want=$(tshark -r "$F" -Y "tcp.len>0 && tcp.port==$MS_PORT" 2>/dev/null | wc -l)
		got=$(tshark -r "$T/$k.pcap" -Y "tcp.len>0 && tcp.port==$MS_PORT" 2>/dev/null | wc -l)
		if [ "$got" -lt "$want" ]; then
			note "$k: tcpdump -i any kept $got of the $want data frames lo has: its checks are left out"
			continue
		fi
		tshark -r "$T/$k.pcap" -x -Y "tcp.len>0 && tcp.port==$MS_PORT" >"$T/$k.txt" 2>/dev/null
		sc --in "$T/$k.txt" -- decode
		check_conversation "$k frames"
		name='Linux cooked capture'; [ "$k" = sll2 ] && name='Linux cooked capture v2'
		out_has "$k frames: the link type said" "dump of [0-9]+ frames?: $name, IPv4 and TCP"
		sc --in "$T/$k.txt" -- decode --client
		check_client "$k frames, client"
		sc --in "$T/$k.txt" -- decode --server
		check_server "$k frames, server"
	done
else
	note "no LINUX_SLL capture on this libpcap: the cooked links are left to the unit tests"
fi

finish
