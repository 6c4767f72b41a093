#!/usr/bin/env bash
# decode -r and decode -i over real IPv6 sessions: microsocks, danted and
# ssh -D listen on ::1, and the targets too (an echo service, an HTTP
# server); tcpdump on lo records curl (-x socks5h://[::1]:P), nc -X 5 and
# sockscope (CONNECT, BIND, a refused BIND) going through them.  Every
# session is found with [::1] ends and an IPv6 target (ATYP 0x04), and ends
# as its client reported; the reply codes agree with tshark's.  Then one
# live capture on lo (decode -i lo -c 1) while an IPv6 session runs.
# (socks4 carries no IPv6 address: no SOCKS4 client here.)
. "$(dirname "$0")/lib.sh"
need_sockscope
need_root
need_cmd tcpdump curl nc
[ -e /proc/net/if_inet6 ] && ip -6 addr show dev lo 2>/dev/null | grep -q 'inet6 ::1/' ||
	skip "lo has no ::1"
start_echo --host ::1
start_microsocks -i ::1
DANTED_LISTEN=::1 start_danted none
SSH_SOCKS_PORT=
if have sshd && have ssh; then
	SSH_SOCKS_LISTEN=::1 start_sshd_socks
fi
HTTP_PORT=$(free_port)
echo hello >"$T/index.html"
start_bg http "$PY" -m http.server --bind ::1 --directory "$T" "$HTTP_PORT"
wait_listen "$HTTP_PORT" "$BG_PID" 5 || die "http.server on ::1 did not start"
CLOSED=$(free_port)   # nothing listens there: a refusal

PORTS="tcp port $MS_PORT or tcp port $DANTED_PORT"
[ -n "$SSH_SOCKS_PORT" ] && PORTS="$PORTS or tcp port $SSH_SOCKS_PORT"
start_bg tcpdump tcpdump --immediate-mode -U -n -i lo -w "$T/v6.pcap" "$PORTS"
TCPDUMP_PID=$BG_PID
wait_for 5 grep -q 'listening on' "$T/tcpdump.log" ||
	skip "tcpdump cannot capture here: $(head -n 2 "$T/tcpdump.log" | tr '\n' ' ')"

# $T/expected: "RESULT [CODE]" per session, in the order they start.
: >"$T/expected"
# via_curl OUTCOME PROXY-PORT TARGET-PORT: curl's error names a refusal's
# code in parentheses ("Can't complete SOCKS5 connection to ::1. (5)").
via_curl() {
	local want=$1 rc code
	timeout -k 2 10 curl -sS -o /dev/null --max-time 5 -x "socks5h://[::1]:$2" \
		"http://[::1]:$3/" 2>"$T/curl.err"
	rc=$?
	code=$(sed -n 's/.*Can.t complete SOCKS5 connection to .*(\([0-9]*\)).*/\1/p' "$T/curl.err")
	if [ "$want" = granted ] && [ "$rc" = 0 ]; then
		ok "curl through [::1]:$2: granted"
		echo granted >>"$T/expected"
	elif [ "$want" = refused ] && [ "$rc" = 97 ] && [ -n "$code" ]; then
		ok "curl through [::1]:$2 to a closed port: refused, code $code"
		echo "refused $code" >>"$T/expected"
	else
		fail "curl through [::1]:$2: exit $rc, expected $want: $(cat "$T/curl.err")"
		echo "$want ?" >>"$T/expected"
	fi
}
via_curl granted "$MS_PORT" "$HTTP_PORT"
via_curl granted "$DANTED_PORT" "$HTTP_PORT"
[ -n "$SSH_SOCKS_PORT" ] && via_curl granted "$SSH_SOCKS_PORT" "$HTTP_PORT"
via_curl refused "$MS_PORT" "$CLOSED"

printf 'nc -X 5 over ipv6\n' | timeout -k 2 10 nc -N -w 3 -X 5 -x "[::1]:$DANTED_PORT" \
	::1 "$ECHO_PORT" >"$T/nc.out" 2>&1
grep -q 'nc -X 5 over ipv6' "$T/nc.out" && ok "nc -X 5 through danted on ::1" ||
	fail "nc -X 5 through danted on ::1: $(cat "$T/nc.out")"
echo granted >>"$T/expected"

for p in "$MS_PORT" $SSH_SOCKS_PORT; do
	sc --hold 0.3 --in-str "ping6"$'\n' -- -w 5 -x "socks5://[::1]:$p" ::1 "$ECHO_PORT"
	expect_rc "sockscope through [::1]:$p" 0 && expect_out "the echo through [::1]:$p" "ping6"$'\n'
	echo granted >>"$T/expected"
done
# microsocks does not BIND: REP 0x07.
sc -- -w 5 -x "socks5://[::1]:$MS_PORT" bind ::1 0
expect_rc "sockscope BIND through microsocks: refused" 1
expect_err "sockscope BIND through microsocks: the code" 'REP 0x07 command not supported'
echo "refused 7" >>"$T/expected"
# danted does: a peer connects on ::1 where the first reply says.
rm -f "$SC_ERR"
"$PY" "$E2E_DIR/bindpeer.py" "$SC_ERR" "peer6 says hi" >"$T/peer.log" 2>&1 &
PEER_PID=$!
track_pid "$PEER_PID"
sc --hold 0.5 --in-str "client6 says hi"$'\n' -- -w 5 -x "socks5://[::1]:$DANTED_PORT" bind ::1 0
expect_rc "sockscope BIND through danted on ::1" 0
expect_out "BIND: the peer's line" "peer6 says hi"$'\n'
echo granted >>"$T/expected"
sleep 0.3
stop_pid "$TCPDUMP_PID"
[ -s "$T/v6.pcap" ] || skip "tcpdump wrote no capture"

ARGS=(--port "$MS_PORT" --port "$DANTED_PORT")
[ -n "$SSH_SOCKS_PORT" ] && ARGS+=(--port "$SSH_SOCKS_PORT")
sc -- decode -r "$T/v6.pcap" "${ARGS[@]}" -j
expect_rc "decode -r the IPv6 capture" 0
cp "$SC_OUT" "$T/v6.json"
if "$PY" - "$T/expected" "$T/v6.json" "$ECHO_PORT" >"$T/check.out" 2>&1 <<'EOF'; then
import json, sys
want = [l.split() for l in open(sys.argv[1])]
got = [json.loads(l) for l in open(sys.argv[2])]
echo = sys.argv[3]
assert len(got) == len(want), "%d sessions, expected %d" % (len(got), len(want))
for i, (w, s) in enumerate(zip(want, got), 1):
    o = s["outcome"]
    assert o["result"] == w[0] and (len(w) == 1 or str(o["code"]) == w[1]), (i, o, w)
    assert s["client"].startswith("[::1]:") and s["proxy"].startswith("[::1]:"), (i, s["client"], s["proxy"])
    req = [m for m in s["messages"] if m["type"] == "request"]
    atyp = [f["hex"] for m in req for f in m["fields"] if f["name"] == "ATYP"]
    assert atyp == ["04"], (i, "ATYP", atyp)
    assert s["target"].startswith("[::1]:") and s["resolved_by"] == "client", (i, s["target"])
    if s["command"] == "CONNECT" and s["target"] == "[::1]:" + echo and o["result"] == "granted":
        # the echo's line both ways, in the tunnel
        assert s["bytes"]["client"] == s["bytes"]["server"] > 0, (i, s["bytes"])
    if s["command"] == "BIND" and o["result"] == "granted":
        assert s["peer"].startswith("[::1]:") and s["bound"].startswith("[::1]:"), (i, s["peer"], s["bound"])
        assert (s["bytes"]["client"], s["bytes"]["server"]) == (16, 14), (i, s["bytes"])
print("%d sessions" % len(got))
EOF
	ok "every session found, [::1] ends, ATYP 0x04 targets, as the clients reported ($(cat "$T/check.out"))"
else
	fail "IPv6 sessions against the clients: $(tail -n 3 "$T/check.out")"
fi
sc -- decode -r "$T/v6.pcap" "${ARGS[@]}" --sessions
expect_stdout "the table: an IPv6 client, proxy and target" \
	"^1 +[0-9:.]+ \[::1\]:[0-9]+ +\[::1\]:$MS_PORT +5 +CONNECT +- +\[::1\]:$HTTP_PORT +client "

# tshark on the same bytes: each reply's code, by the client's port.
if have tshark; then
	decode_as=()
	for p in "$MS_PORT" "$DANTED_PORT" $SSH_SOCKS_PORT; do
		decode_as+=(-d "tcp.port==$p,socks")
	done
	tshark -r "$T/v6.pcap" "${decode_as[@]}" -Y 'socks.results' -T fields \
		-e tcp.dstport -e socks.results 2>/dev/null |
		awk -F'\t' '!seen[$1]++ { print $1, $2 }' | sort >"$T/tshark.rep"
	"$PY" -c '
import json, sys
for l in open(sys.argv[1]):
    s = json.loads(l)
    o = s["outcome"]
    print(s["client"].rsplit(":", 1)[1], 0 if o["result"] == "granted" else o["code"])' \
		"$T/v6.json" | sort >"$T/ours.rep"
	if [ -s "$T/tshark.rep" ] && cmp -s "$T/tshark.rep" "$T/ours.rep"; then
		ok "the reply codes agree with tshark ($(wc -l <"$T/ours.rep") replies)"
	else
		fail "replies: tshark $(tr '\n' ',' <"$T/tshark.rep") ours $(tr '\n' ',' <"$T/ours.rep")"
	fi
	# Each request's IPv6 target (tshark's socks.dstV6 and port), by the
	# client's port; a reply repeats its request's fields in tshark's tree.
	tshark -r "$T/v6.pcap" "${decode_as[@]}" -Y 'socks.command && socks.address_type == 4' \
		-T fields -e tcp.srcport -e socks.dstV6 -e socks.port 2>/dev/null |
		awk -F'\t' '!seen[$1]++ { print $1, "[" $2 "]:" $3 }' | sort >"$T/tshark.req"
	"$PY" -c '
import json, sys
for l in open(sys.argv[1]):
    s = json.loads(l)
    print(s["client"].rsplit(":", 1)[1], s["target"])' "$T/v6.json" | sort >"$T/ours.req"
	if [ -s "$T/tshark.req" ] && cmp -s "$T/tshark.req" "$T/ours.req"; then
		ok "the IPv6 targets agree with tshark ($(wc -l <"$T/ours.req") requests)"
	else
		fail "targets: tshark $(tr '\n' ',' <"$T/tshark.req") ours $(tr '\n' ',' <"$T/ours.req")"
	fi
fi

# Live: decode -i lo while an IPv6 session runs; -c 1 ends it after that one.
# The filter keeps the kernel's ring to this session's packets: on a busy
# lo (other tests' traffic) an unfiltered ring of a process that is not
# scheduled fills and drops (seen: 1 run in 40 under load lost a segment).
start_bg live "$SOCKSCOPE" decode -i lo --port "$MS_PORT" -c 1 -j "ip6 and tcp port $MS_PORT"
LIVE_PID=$BG_PID
wait_for 5 has_packet_socket "$LIVE_PID" || die "decode -i lo did not start: $(cat "$T/live.log")"
sc --hold 0.3 --in-str "live6"$'\n' -- -w 5 -x "socks5h://[::1]:$MS_PORT" ::1 "$ECHO_PORT"
expect_rc "a live IPv6 session" 0
wait_exit "$LIVE_PID" 5
rc=$?
[ "$rc" = 0 ] && ok "decode -i lo -c 1: ends after the IPv6 session" || fail "decode -i lo -c 1: exit $rc"
live=$("$PY" -c '
import json, sys
for l in open(sys.argv[1]):
    s = json.loads(l)
    print(s["client"].split("]:")[0], s["proxy"], s["target"], s["outcome"]["result"],
          s["bytes"]["client"], s["bytes"]["server"])' "$T/live.out" 2>&1)
expect_out "the live session's echo" "live6"$'\n'
want="[::1 [::1]:$MS_PORT [::1]:$ECHO_PORT granted 6 6"
[ "$live" = "$want" ] && ok "live on lo: the IPv6 session, its target and tunnel" ||
	fail "live on lo: '$live', expected '$want'; stderr: $(cat "$T/live.log")"
finish
