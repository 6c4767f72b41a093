#!/usr/bin/env bash
# decode -r over captures of real sessions: tcpdump on lo (started and
# stopped by PID here) while curl (--socks4, --socks4a, --socks5,
# --socks5-hostname, with user:password), nc -X and sockscope (CONNECT,
# BIND, UDP ASSOCIATE) go through danted, microsocks and ssh -D.  Every session in the capture is found and ends as the
# client itself reported; the target port and the reply code agree with
# tshark's SOCKS dissector on the same bytes.
. "$(dirname "$0")/lib.sh"
need_sockscope
need_root
need_cmd tcpdump
need_cmd curl
start_echo
start_danted none
start_microsocks
MS_OPEN=$MS_PORT
start_microsocks -u alice -P s3cr3t
MS_AUTH=$MS_PORT
SSH_SOCKS_PORT=
if have sshd && have ssh; then
	start_sshd_socks
fi
HTTP_PORT=$(free_port)
start_bg http "$PY" -m http.server --bind 127.0.0.1 --directory "$T" "$HTTP_PORT"
wait_listen "$HTTP_PORT" "$BG_PID" 5 || die "http.server did not start"
echo hello >"$T/index.html"

# A UDP echo service for a UDP ASSOCIATE through danted.
"$PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print("PORT %d" % s.getsockname()[1], flush=True)
s.settimeout(100)
while True:
    d, a = s.recvfrom(65536)
    s.sendto(b"echo: " + d, a)
' >"$T/uecho.out" 2>"$T/uecho.log" </dev/null &
UECHO_PID=$!
track_pid "$UECHO_PID"
UPORT=$(read_port uecho "$UECHO_PID") || die "udp echo did not start: $(cat "$T/uecho.log")"

# UDP too: the relay's port is not known before the reply says it.
PORTS="tcp port $DANTED_PORT or tcp port $MS_OPEN or tcp port $MS_AUTH or udp"
[ -n "$SSH_SOCKS_PORT" ] && PORTS="$PORTS or tcp port $SSH_SOCKS_PORT"
start_bg tcpdump tcpdump --immediate-mode -U -n -i lo -w "$T/real.pcap" "$PORTS"
TCPDUMP_PID=$BG_PID
wait_for 5 grep -q 'listening on' "$T/tcpdump.log" ||
	skip "tcpdump cannot capture here: $(head -n 2 "$T/tcpdump.log" | tr '\n' ' ')"
# The same on "any", in Linux cooked capture v2.
ANY_PID=
if tcpdump -i any -L 2>&1 | grep -q '^ *LINUX_SLL2 '; then
	start_bg tcpdump-any tcpdump --immediate-mode -U -n -i any -y LINUX_SLL2 \
		-w "$T/any.pcap" "$PORTS"
	ANY_PID=$BG_PID
	wait_for 5 grep -q 'listening on' "$T/tcpdump-any.log" || ANY_PID=
fi

# Each client's own verdict, in the order the sessions start: granted or
# not (curl's 97 is a proxy handshake failure).
: >"$T/expected"
via_curl() { # OUTCOME CURL-ARGS...
	local want=$1 rc
	shift
	timeout -k 2 10 curl -s -o /dev/null --max-time 5 "$@" "http://127.0.0.1:$HTTP_PORT/"
	rc=$?
	if { [ "$want" = granted ] && [ "$rc" = 0 ]; } || { [ "$want" != granted ] && [ "$rc" = 97 ]; }; then
		ok "curl $*: $want (curl exit $rc)"
	else
		fail "curl $*: exit $rc, expected $want"
	fi
	echo "$want" >>"$T/expected"
}
via_curl granted --socks4 "127.0.0.1:$DANTED_PORT"
via_curl refused --socks4a "127.0.0.1:$DANTED_PORT"   # danted takes 0.0.0.x literally
via_curl granted --socks5 "127.0.0.1:$DANTED_PORT"
via_curl granted --socks5-hostname "127.0.0.1:$DANTED_PORT"
via_curl granted --socks5 "127.0.0.1:$MS_OPEN"
via_curl granted --socks5-hostname "alice:s3cr3t@127.0.0.1:$MS_AUTH"
via_curl auth-failed --socks5 "alice:wrong@127.0.0.1:$MS_AUTH"
if [ -n "$SSH_SOCKS_PORT" ]; then
	via_curl granted --socks4a "127.0.0.1:$SSH_SOCKS_PORT"
	via_curl granted --socks5-hostname "127.0.0.1:$SSH_SOCKS_PORT"
fi
sc --hold 0.3 --in-str "ping"$'\n' -- -x "socks5://127.0.0.1:$MS_OPEN" 127.0.0.1 "$ECHO_PORT"
expect_rc "sockscope through microsocks" 0
echo granted >>"$T/expected"
sc -- -x "socks4://127.0.0.1:$DANTED_PORT" -z 127.0.0.1 "$ECHO_PORT"
expect_rc "sockscope -z through danted" 0
echo granted >>"$T/expected"
for x in 4 5; do
	printf 'nc -X %s\n' "$x" | timeout -k 2 10 nc -N -w 3 -X "$x" -x "127.0.0.1:$DANTED_PORT" \
		127.0.0.1 "$ECHO_PORT" >"$T/nc$x.out" 2>&1
	grep -q "nc -X $x" "$T/nc$x.out" && ok "nc -X $x through danted" || fail "nc -X $x: $(cat "$T/nc$x.out")"
	echo granted >>"$T/expected"
done
sc --timeout 20 --in-str $'one\ntwo\nthree\n' -- -w 5 -q 1 -x "socks5://127.0.0.1:$DANTED_PORT" \
	udp 127.0.0.1 "$UPORT"
expect_rc "sockscope udp through danted" 0
echo granted >>"$T/expected"
# BIND through danted: a peer connects where the first reply says, sends
# its line and reads until the client's end.
rm -f "$SC_ERR"
"$PY" "$E2E_DIR/bindpeer.py" "$SC_ERR" "peer says hi" >"$T/peer.log" 2>&1 &
PEER_PID=$!
track_pid "$PEER_PID"
sc --hold 0.5 --in-str "client says hi"$'\n' -- -w 5 -x "socks5://127.0.0.1:$DANTED_PORT" \
	bind 127.0.0.1 0
expect_rc "sockscope bind through danted" 0
echo granted >>"$T/expected"
sleep 0.3
stop_pid "$TCPDUMP_PID"
[ -n "$ANY_PID" ] && stop_pid "$ANY_PID"
[ -s "$T/real.pcap" ] || skip "tcpdump wrote no capture"

ARGS=(--port "$DANTED_PORT" --port "$MS_OPEN" --port "$MS_AUTH")
[ -n "$SSH_SOCKS_PORT" ] && ARGS+=(--port "$SSH_SOCKS_PORT")
sc -- decode -r "$T/real.pcap" "${ARGS[@]}" -j
expect_rc "decode -r a real capture" 0
"$PY" -c '
import json, sys
for l in open(sys.argv[1]):
    s = json.loads(l)
    print(s["outcome"]["result"])' "$SC_OUT" >"$T/got"
if cmp -s "$T/expected" "$T/got"; then
	ok "every session found, as its client reported it ($(wc -l <"$T/got") sessions)"
else
	fail "sessions: expected $(tr '\n' ' ' <"$T/expected"), got $(tr '\n' ' ' <"$T/got")"
fi
expect_no_stdout "the password never shown" 's3cr3t|733363723374'
n=$("$PY" -c '
import json, sys
for l in open(sys.argv[1]):
    s = json.loads(l)
    if s["command"] == "UDP ASSOCIATE":
        print(sum(1 for m in s["messages"] if m["type"] == "udp"))' "$SC_OUT")
[ "$n" = 6 ] && ok "the UDP association's 6 datagrams linked to its session" ||
	fail "UDP association: '$n' datagrams linked, expected 6"
bind=$("$PY" -c '
import json, sys
for l in open(sys.argv[1]):
    s = json.loads(l)
    if s["command"] == "BIND":
        print(s["peer"] is not None, s["bytes"]["client"], s["bytes"]["server"],
              s["latency"].get("bind_wait_ms") is not None)' "$SC_OUT")
[ "$bind" = "True 15 13 True" ] && ok "BIND: the peer, the tunnel after the second reply, the wait" ||
	fail "BIND: '$bind', expected 'True 15 13 True'"
grep -q '"UNAME".*"value": "alice"' "$SC_OUT" && ok "the user name decoded" ||
	fail "no UNAME alice in the JSON"

if [ -n "$ANY_PID" ] && [ -s "$T/any.pcap" ]; then
	cp "$SC_OUT" "$T/lo.json"
	sc -- decode -r "$T/any.pcap" "${ARGS[@]}" -j
	expect_rc "decode -r the capture on any (LINUX_SLL2)" 0
	# A second capture may miss packets the first one got: a session
	# with a gap may be undecided, never decoded otherwise than on lo.
	if "$PY" - "$T/lo.json" "$SC_OUT" >"$T/any.why" 2>&1 <<'EOF'; then
import json, sys
def load(f):
    return {s["client"]: s for s in map(json.loads, open(f))}
lo, anyc = load(sys.argv[1]), load(sys.argv[2])
# tcpdump on "any" drops packets on a loaded machine: a session may be
# missing whole, or lose its last segments unnoticed (no later byte shows
# the hole, and it stays undecided); never a session lo lacks, another
# outcome, another target, or bytes lo did not see.  Most must agree whole.
assert set(anyc) <= set(lo), (sorted(lo), sorted(anyc))
gaps = same = 0
for k, a in anyc.items():
    b = lo[k]
    gaps += a["missing"]["client"] + a["missing"]["server"] > 0
    assert a["outcome"]["result"] in (b["outcome"]["result"], "undecided"), (k, a["outcome"], b["outcome"])
    for f in ("target", "user", "version"):
        assert a[f] == b[f] or a[f] in (None, "", "-", 0), (k, f, a[f], b[f])
    assert all(a["bytes"][d] <= b["bytes"][d] for d in b["bytes"]), (k, a["bytes"], b["bytes"])
    same += a["outcome"] == b["outcome"] and a["bytes"] == b["bytes"]
assert 2 * same >= len(lo), ("%d of %d sessions whole" % (same, len(lo)))
print("%d of %d sessions, %d whole, %d with a gap" % (len(anyc), len(lo), same, gaps))
EOF
		ok "on any (LINUX_SLL2): the same sessions as on lo ($(cat "$T/any.why"))"
	else
		fail "any vs lo: $(tail -n 1 "$T/any.why")"
	fi
	cp "$T/lo.json" "$SC_OUT"
fi

# What tshark's dissector says of the same bytes: each request's port and
# each reply's code, by the client's port.
if have tshark; then
	decode_as=()
	for p in "$DANTED_PORT" "$MS_OPEN" "$MS_AUTH" $SSH_SOCKS_PORT; do
		decode_as+=(-d "tcp.port==$p,socks")
	done
	not_proxy="tcp.srcport != $DANTED_PORT && tcp.srcport != $MS_OPEN && tcp.srcport != $MS_AUTH"
	[ -n "$SSH_SOCKS_PORT" ] && not_proxy="$not_proxy && tcp.srcport != $SSH_SOCKS_PORT"
	# requests only: a reply repeats its request's command in tshark's tree
	tshark -r "$T/real.pcap" "${decode_as[@]}" \
		-Y "socks.command && $not_proxy" -T fields \
		-e tcp.srcport -e socks.port -e socks.dstport 2>/dev/null |
		awk -F'\t' '!seen[$1]++ { print $1, ($2 != "" ? $2 : $3) }' | sort >"$T/tshark.req"
	tshark -r "$T/real.pcap" "${decode_as[@]}" -Y 'socks.results' -T fields \
		-e tcp.dstport -e socks.results 2>/dev/null |
		awk -F'\t' '!seen[$1]++ { print $1, $2 }' | sort >"$T/tshark.rep"
	"$PY" -c '
import json, sys
req, rep = open(sys.argv[2], "w"), open(sys.argv[3], "w")
for l in open(sys.argv[1]):
    s = json.loads(l)
    port = s["client"].rsplit(":", 1)[1]
    if s["target"]:
        req.write("%s %s\n" % (port, s["target"].rsplit(":", 1)[1]))
    o = s["outcome"]
    if o["result"] == "granted":
        code = 90 if s["version"] in ("4", "4a") else 0
        rep.write("%s %d\n" % (port, code))
    elif o["result"] == "refused":
        rep.write("%s %d\n" % (port, o["code"]))' "$SC_OUT" "$T/ours.req.u" "$T/ours.rep.u"
	sort "$T/ours.req.u" >"$T/ours.req"
	sort "$T/ours.rep.u" >"$T/ours.rep"
	if [ -s "$T/tshark.req" ] && cmp -s "$T/tshark.req" "$T/ours.req"; then
		ok "the request's port agrees with tshark ($(wc -l <"$T/ours.req") requests)"
	else
		fail "requests: tshark $(tr '\n' ',' <"$T/tshark.req") ours $(tr '\n' ',' <"$T/ours.req")"
	fi
	if [ -s "$T/tshark.rep" ] && cmp -s "$T/tshark.rep" "$T/ours.rep"; then
		ok "the reply code agrees with tshark ($(wc -l <"$T/ours.rep") replies)"
	else
		fail "replies: tshark $(tr '\n' ',' <"$T/tshark.rep") ours $(tr '\n' ',' <"$T/ours.rep")"
	fi
fi

# The same capture as pcapng, through standard input, and the table.
if have editcap; then
	editcap -F pcapng "$T/real.pcap" "$T/real.pcapng" 2>/dev/null
	sc --in "$T/real.pcapng" -- decode -r - "${ARGS[@]}" --sessions
	expect_rc "pcapng on standard input" 0
	n=$(grep -c '^[0-9]' "$SC_OUT")
	[ "$n" = "$(wc -l <"$T/expected")" ] && ok "pcapng: $n rows" || fail "pcapng: $n rows"
fi
finish
