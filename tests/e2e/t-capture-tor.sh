#!/usr/bin/env bash
# decode -r over a capture of Tor's SOCKS ports: tor in a private network
# namespace (lib_netns.sh; it never bootstraps) answers at once only with
# refusals (t-tor.sh says which), and tcpdump on the namespace's lo records
# curl (--socks5-hostname, --socks5, --socks4a), nc -X 5 / -X 4 and sockscope
# (CONNECT to a malformed .onion, RESOLVE_PTR, BIND, UDP ASSOCIATE, SOCKS4a)
# going through its two SocksPorts (one with ExtendedErrors).  Every session
# is found, refused with the code its client reported (curl names the code
# in its error, nc in words, sockscope as REP/CD and meaning), and Tor's own
# codes are named.  tshark's SOCKS dissector, on the same bytes, agrees on
# the codes but names no Tor code, and reads a port out of the six bytes
# after Tor's ATYP 0x00 in its RESOLVE_PTR refusal; sockscope names the code
# and reads no address from that reply.
#
# Skipped when tor or tcpdump is missing or namespaces are not permitted.
. "$(dirname "$0")/lib_netns.sh"
enter_netns tor "$@"

. "$(dirname "$0")/lib.sh"
need_sockscope
need_root
need_cmd tcpdump curl
netns_lo_up
start_tor
TOR=127.0.0.1:$TOR_PORT
PLAIN=127.0.0.1:$TOR_PLAIN_PORT

start_bg tcpdump tcpdump --immediate-mode -U -n -i lo -w "$T/tor.pcap" \
	"tcp port $TOR_PORT or tcp port $TOR_PLAIN_PORT"
TCPDUMP_PID=$BG_PID
wait_for 5 grep -q 'listening on' "$T/tcpdump.log" ||
	skip "tcpdump cannot capture here: $(head -n 2 "$T/tcpdump.log" | tr '\n' ' ')"

# $T/expected: a line per session, in the order they start: "refused CODE
# MEANING", MEANING the words the client used for the code ("-" when it
# gave none).
: >"$T/expected"

# via_curl CURL-ARGS... URL: curl's error names the code in parentheses:
# "Can't complete SOCKS5 connection to aaaa.onion. (246)".
via_curl() {
	local rc code
	timeout -k 2 10 curl -sS -o /dev/null --max-time 5 "$@" 2>"$T/curl.err"
	rc=$?
	code=$(sed -n 's/.*Can.t complete SOCKS[45] connection to .*(\([0-9]*\)).*/\1/p' "$T/curl.err")
	if [ "$rc" = 97 ] && [ -n "$code" ]; then
		ok "curl $*: refused, code $code"
	else
		fail "curl $*: exit $rc: $(cat "$T/curl.err")"
	fi
	echo "refused ${code:-?} -" >>"$T/expected"
}
via_curl --socks5-hostname "$TOR" http://aaaa.onion/
via_curl --socks5-hostname "$PLAIN" http://aaaa.onion/
via_curl --socks4a "$TOR" http://aaaa.onion/
via_curl --socks5 "$TOR" http://127.0.0.1/     # a private address: refused at once

# via_nc X: nc names the code in words; these two are the ones Tor sends
# for a private address.
via_nc() {
	local x=$1 code
	timeout -k 2 10 nc -w 3 -X "$x" -x "$TOR" 127.0.0.1 80 </dev/null >"$T/nc.out" 2>&1
	case $(cat "$T/nc.out") in
	*"SOCKSv5 error: General SOCKS server failure"*) code=1 ;;
	*"SOCKSv4 error: Request rejected or failed"*) code=91 ;;
	*) code=? ;;
	esac
	[ "$code" != "?" ] && ok "nc -X $x: refused, code $code" || fail "nc -X $x: $(cat "$T/nc.out")"
	echo "refused $code -" >>"$T/expected"
}
via_nc 5
via_nc 4

# via_sc WHAT ARGS...: sockscope's error names the code and its meaning:
# "... refused the request: REP 0xf6 onion service invalid address (Tor) (offset 1)".
via_sc() {
	local what=$1 line code meaning
	shift
	sc --timeout 15 --in-str "x"$'\n' -- -w 5 "$@"
	expect_rc "sockscope $what: refused" 1
	line=$(sed -n 's/.*refused the request: \(REP\|CD\) 0x\([0-9a-f][0-9a-f]\) \(.*\) (offset .*/\2 \3/p' "$SC_ERR")
	code=${line%% *}
	meaning=${line#* }
	[ -n "$line" ] || fail "sockscope $what: no code in: $(cat "$SC_ERR")"
	echo "refused $((16#${code:-3f})) $meaning" >>"$T/expected"
}
via_sc "CONNECT aaaa.onion" -x "socks5h://$TOR" aaaa.onion 80
via_sc "CONNECT aaaa.onion (no ExtendedErrors)" -x "socks5h://$PLAIN" aaaa.onion 80
via_sc "SOCKS4a CONNECT aaaa.onion" -x "socks4a://$TOR" aaaa.onion 80
via_sc "RESOLVE_PTR 127.0.0.1" -x "socks5h://$TOR" resolve-ptr 127.0.0.1
via_sc "BIND" -x "socks5h://$TOR" bind 127.0.0.1 0
via_sc "UDP ASSOCIATE" -x "socks5h://$TOR" udp 127.0.0.1 9
sleep 0.3
stop_pid "$TCPDUMP_PID"
[ -s "$T/tor.pcap" ] || skip "tcpdump wrote no capture"

PORTS=(--port "$TOR_PORT" --port "$TOR_PLAIN_PORT")
sc -- decode -r "$T/tor.pcap" "${PORTS[@]}" -j
expect_rc "decode -r the capture of tor's ports" 0
cp "$SC_OUT" "$T/tor.json"
if "$PY" - "$T/expected" "$T/tor.json" >"$T/check.out" 2>&1 <<'EOF'; then
import json, sys
want = [l.rstrip("\n").split(" ", 2) for l in open(sys.argv[1])]
got = [json.loads(l) for l in open(sys.argv[2])]
assert len(got) == len(want), "%d sessions, expected %d" % (len(got), len(want))
for i, (w, s) in enumerate(zip(want, got), 1):
    o = s["outcome"]
    assert [o["result"], str(o.get("code"))] == w[:2], (i, s["command"], o, w)
    # the client's words for the code are the decode's, when it gave some
    assert w[2] == "-" or o["meaning"] == w[2], (i, o["meaning"], w[2])
print("%d sessions" % len(got))
EOF
	ok "every session found, refused with the code its client reported ($(cat "$T/check.out"))"
else
	fail "sessions against the clients: $(tail -n 3 "$T/check.out")"
fi

# Tor's own code named, as sockscope's client names it.
n=$(grep -c '"code": 246, "meaning": "onion service invalid address (Tor)"' "$T/tor.json")
[ "$n" = 2 ] && ok "REP 0xF6 named: onion service invalid address (Tor), twice" ||
	fail "REP 0xF6 named in $n sessions, expected 2 (curl's and sockscope's)"

# Tor's RESOLVE_PTR refusal, 05 04 00 00 and six zero bytes: the refusal
# it is, its reply shown as far as it can be read (no address, no port).
ptr=$("$PY" -c '
import json, sys
for l in open(sys.argv[1]):
    s = json.loads(l)
    if s["command"] != "RESOLVE_PTR (Tor)":
        continue
    rep = [m for m in s["messages"] if m["type"] == "reply"]
    atyp = [e["field"] for e in s["events"] if e["event"] == "anomaly"]
    print(s["outcome"]["code"], s["bound"], atyp,
          [(f["name"], f["hex"]) for m in rep for f in m["fields"]], s["latency"].get("request_reply_ms") is not None)
' "$T/tor.json")
want="4 None ['ATYP'] [('VER', '05'), ('REP', '04'), ('RSV', '00'), ('ATYP', '00')] True"
[ "$ptr" = "$want" ] && ok "RESOLVE_PTR's ATYP 0x00 refusal: REP 0x04, its four fields, no address" ||
	fail "RESOLVE_PTR's refusal: '$ptr', expected '$want'"
sc -- decode -r "$T/tor.pcap" "${PORTS[@]}" -v --outcome refused
expect_stdout "-v: the RESOLVE_PTR request" '^  \+[0-9.]* -> SOCKS5 RESOLVE_PTR request: CMD 0xf1 RESOLVE_PTR \(Tor\), DST 127\.0\.0\.1:0$'
expect_stdout "-v: its refusal, REP 0x04" '^  \+[0-9.]* <- SOCKS5 reply.*REP 0x04 host unreachable'
expect_stdout "-v: the F6 refusal named" '^  \+[0-9.]* <- SOCKS5 reply: REP 0xf6 onion service invalid address \(Tor\)'

# tshark on the same bytes: the same codes, by the client's port.
if have tshark; then
	DA=(-d "tcp.port==$TOR_PORT,socks" -d "tcp.port==$TOR_PLAIN_PORT,socks")
	tshark -r "$T/tor.pcap" "${DA[@]}" -Y 'socks.results' -T fields \
		-e tcp.dstport -e socks.results 2>/dev/null |
		awk -F'\t' '!seen[$1]++ { print $1, $2 }' | sort >"$T/tshark.rep"
	"$PY" -c '
import json, sys
for l in open(sys.argv[1]):
    s = json.loads(l)
    print(s["client"].rsplit(":", 1)[1], s["outcome"]["code"])' "$T/tor.json" | sort >"$T/ours.rep"
	if [ -s "$T/tshark.rep" ] && cmp -s "$T/tshark.rep" "$T/ours.rep"; then
		ok "the reply codes agree with tshark ($(wc -l <"$T/ours.rep") replies)"
	else
		fail "replies: tshark $(tr '\n' ',' <"$T/tshark.rep") ours $(tr '\n' ',' <"$T/ours.rep")"
	fi
	# What tshark calls REP 0xF6.
	theirs=$(tshark -r "$T/tor.pcap" "${DA[@]}" -Y 'socks.results == 246' -V 2>/dev/null |
		sed -n 's/^ *Results(V5): //p' | head -n 1)
	if [ -z "$theirs" ]; then
		fail "tshark shows no REP 0xF6"
	elif [[ $theirs == *onion* ]]; then
		note "tshark now names REP 0xF6 too: '$theirs'"
	else
		ok "REP 0xF6: tshark says '$theirs', sockscope 'onion service invalid address (Tor)'"
	fi
	# The reply to RESOLVE_PTR (CMD 0xF1): tshark's address type and port.
	theirs=$(tshark -r "$T/tor.pcap" "${DA[@]}" -Y 'socks.results == 4' -T fields \
		-e socks.address_type -e socks.port 2>/dev/null | head -n 1 | tr '\t' ' ')
	case $theirs in
	"0 "?*) ok "ATYP 0x00: tshark reads port '${theirs#0 }' from the bytes after it; sockscope no address, no port" ;;
	"0 ") note "tshark now reads no port after ATYP 0x00 either" ;;
	*) fail "tshark's RESOLVE_PTR refusal: '$theirs' (ATYP, port)" ;;
	esac
fi
alive "$TOR_PID" && ok "tor still running at the end" || fail "tor died: $(tail -n 5 "$T/tor.log")"
finish
