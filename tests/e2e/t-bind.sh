#!/usr/bin/env bash
# The bind verb: BIND's first reply says where the server listens, a peer
# connects there, the second reply names the peer, and then stdin/stdout is a
# tunnel to the peer.  Against dante (SOCKS5 and SOCKS4, a real peer from
# 127.0.0.1) and against badserver.py for what dante never does: 0.0.0.0 in
# the first reply, a refused, missing or cut-off second reply, tunnel bytes
# glued to the second reply.
. "$(dirname "$0")/lib.sh"
need_sockscope

# The peer: waits for the client's announcement on its stderr, connects to
# the address and port it names, sends TEXT, and reads until EOF, then
# writes what it read to REPORT and its own port to REPORT.port.  MODE
# "close-first" half-closes right after sending (the peer's close reaches
# the client before the client's stdin ends); "read-first" sends and keeps
# its side open until the client's EOF arrives.
cat >"$T/peer.py" <<'EOF'
import re, socket, sys, time
errfile, text, report, mode = sys.argv[1:5]
deadline = time.monotonic() + 10
while True:
    try:
        with open(errfile, errors="replace") as f:
            t = f.read()
        # The text line, or with -j the JSON event that stands for it.
        m = (re.search(r"bind: the server listens on (\S+) port (\d+)", t) or
             re.search(r'"event":"bind_listen","bind_listen":"(\S+):(\d+)"', t))
    except FileNotFoundError:
        m = None
    if m:
        break
    if time.monotonic() > deadline:
        sys.exit("peer: no 'listens on' line in %s after 10 s" % errfile)
    time.sleep(0.05)
host = m.group(1).strip("[]")
s = socket.create_connection((host, int(m.group(2))), 5)
with open(report + ".port", "w") as f:
    f.write("%d\n" % s.getsockname()[1])
s.settimeout(15)
s.sendall(text.encode())
if mode == "close-first":
    s.shutdown(socket.SHUT_WR)
got = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    got += d
with open(report, "wb") as f:
    f.write(got)
s.close()
EOF

# start_peer TEXT MODE: the peer, in the background, watching $SC_ERR.
# Sets PEER_PID and PEER_REPORT.
_PEER_N=0
start_peer() {
	_PEER_N=$((_PEER_N + 1))
	PEER_REPORT="$T/peer$_PEER_N.got"
	rm -f "$PEER_REPORT" "$PEER_REPORT.port"
	: >"$SC_ERR"   # the previous run's announcement must not be taken for this one's
	start_bg "peer$_PEER_N" "$PY" "$T/peer.py" "$SC_ERR" "$1" "$PEER_REPORT" "$2"
	PEER_PID=$BG_PID
}

peer_done() { ! alive "$PEER_PID"; }

# check_peer WHAT EXPECTED_TEXT: the peer ended and read EXPECTED_TEXT; the
# client named the peer's port in its `connected` line.
check_peer() {
	local what=$1 want=$2 got port
	wait_for 5 peer_done || note "$what: the peer is still running"
	if [ ! -f "$PEER_REPORT" ]; then
		fail "$what: the peer read nothing to EOF: $(head -c 300 "$T/peer$_PEER_N.log")"
		return 1
	fi
	got=$(cat "$PEER_REPORT"; printf x)
	if [ "$got" = "${want}x" ]; then
		ok "$what: the peer received the client's stdin, then EOF"
	else
		fail "$what: the peer received $(printf '%q' "${got%x}"), expected $(printf '%q' "$want")"
	fi
	port=$(cat "$PEER_REPORT.port" 2>/dev/null)
	[ "${3:-}" = json ] && return 0 # -j: stderr is the JSON's; it names the peer
	expect_err "$what: the peer named" "bind: peer 127\.0\.0\.1 port $port connected"
}

# ------------------------------------------------------------ dante

if [ "$(id -u)" = 0 ] && command -v danted >/dev/null 2>&1; then
	start_danted none
	D=127.0.0.1:$DANTED_PORT
	for scheme in socks5 socks4; do
		# The client's stdin ends first; the peer answers, then closes at the EOF.
		start_peer "from the peer via $scheme"$'\n' read-first
		sc --timeout 20 --in-str "to the peer via $scheme"$'\n' -- -w 5 --bind-timeout 10 \
			-x "$scheme://$D" bind 127.0.0.1 0
		expect_rc "danted $scheme bind" 0
		expect_err "danted $scheme bind: where it listens" \
			'^sockscope: bind: the server listens on 127\.0\.0\.1 port [1-9][0-9]*$'
		expect_out "danted $scheme bind: the peer's bytes on stdout" "from the peer via $scheme"$'\n'
		check_peer "danted $scheme bind" "to the peer via $scheme"$'\n'

		# The peer closes first; the client's stdin ends a second later.
		start_peer "early close via $scheme"$'\n' close-first
		sc --timeout 20 --in-str "late EOF via $scheme"$'\n' --hold 1 -- -w 5 --bind-timeout 10 \
			-x "$scheme://$D" bind 127.0.0.1 0
		expect_rc "danted $scheme bind, the peer closes first" 0
		expect_out "danted $scheme bind, the peer closes first" "early close via $scheme"$'\n'
		check_peer "danted $scheme bind, the peer closes first" "late EOF via $scheme"$'\n'
	done

	# No peer: --bind-timeout bounds the wait for the second reply.
	: >"$SC_ERR"
	sc --timeout 15 -- -w 5 --bind-timeout 2 -x "socks5://$D" bind 127.0.0.1 0
	expect_rc "danted bind, no peer in time" 5
	expect_err "danted bind, no peer in time: the first reply was shown" 'listens on 127\.0\.0\.1 port'
	expect_secs_lt "danted bind, no peer in time" 6
else
	note "not root or no danted: the danted cases are left out"
fi

# ------------------------------------------------------------ badserver

# bad SCENARIO [SC OPTIONS --] CLIENT ARGS...: start the scenario, run the
# client's bind verb against it (socks4 for the s4- scenarios).
bad() {
	local scenario=$1 scheme=socks5 pre=()
	shift
	case $scenario in s4-*) scheme=socks4 ;; esac
	while [ $# -gt 0 ] && [ "$1" != -- ]; do pre+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	start_badserver "$scenario"
	sc --timeout 15 "${pre[@]+"${pre[@]}"}" -- -w 5 "$@" -x "$scheme://127.0.0.1:$BAD_PORT" \
		bind 127.0.0.1 0
}

for p in "" s4-; do
	v=SOCKS5
	[ -n "$p" ] && v=SOCKS4

	start_peer "peer of ${p}bind-ok"$'\n' read-first
	bad "${p}bind-ok" --in-str "client of ${p}bind-ok"$'\n' --
	expect_rc "${p}bind-ok" 0
	expect_err "${p}bind-ok: where it listens" '^sockscope: bind: the server listens on 127\.0\.0\.1 port [1-9][0-9]*$'
	expect_out "${p}bind-ok: the peer's bytes" "peer of ${p}bind-ok"$'\n'
	check_peer "${p}bind-ok" "client of ${p}bind-ok"$'\n'
	if grep -q 'REQUEST5 cmd=02\|REQUEST4 cd=02' "$BAD_LOG"; then
		ok "${p}bind-ok: the request was a $v BIND"
	else
		fail "${p}bind-ok: no BIND request in the server's log: $(grep REQUEST "$BAD_LOG")"
	fi

	# 0.0.0.0 in the first reply: the proxy's own address, and said so.
	start_peer "peer of ${p}bind-zero"$'\n' close-first
	bad "${p}bind-zero" --in-str "client of ${p}bind-zero"$'\n' --hold 1 --
	expect_rc "${p}bind-zero" 0
	expect_err "${p}bind-zero: the substitution is said" \
		'listens on 127\.0\.0\.1 port [1-9][0-9]* \(it said 0\.0\.0\.0: the proxy.s own address\)'
	expect_out "${p}bind-zero: the peer's bytes" "peer of ${p}bind-zero"$'\n'
	check_peer "${p}bind-zero" "client of ${p}bind-zero"$'\n'

	# Tunnel bytes in the same segment as the second reply come first.
	start_peer "peer of ${p}bind-glued"$'\n' read-first
	bad "${p}bind-glued" --in-str "client of ${p}bind-glued"$'\n' --
	expect_rc "${p}bind-glued" 0
	expect_out "${p}bind-glued: the glued bytes, then the peer's" "HELLO"$'\n'"peer of ${p}bind-glued"$'\n'
	check_peer "${p}bind-glued" "client of ${p}bind-glued"$'\n'

	# The second reply refuses: exit 1, the code and its meaning.
	: >"$SC_ERR"
	bad "${p}bind-refused"
	expect_rc "${p}bind-refused" 1
	if [ -z "$p" ]; then
		expect_err "${p}bind-refused: the code named" 'second BIND reply refused: REP 0x05 .*[Rr]efused'
	else
		expect_err "${p}bind-refused: the code named" 'second BIND reply refused: CD 0x5[bB] .*([Rr]ejected|failed)'
	fi
	expect_err "${p}bind-refused: the first reply was shown" 'listens on 127\.0\.0\.1 port'
	expect_secs_lt "${p}bind-refused" 4

	# No second reply: --bind-timeout, exit 5.
	bad "${p}bind-never" -- --bind-timeout 2
	expect_rc "${p}bind-never" 5
	expect_err "${p}bind-never: the phase named" '[Tt]imed out.*bind'
	expect_secs_lt "${p}bind-never: bounded by --bind-timeout 2" 5
	if awk -v a="$SC_SECS" 'BEGIN { exit !(a >= 1.8) }'; then
		ok "${p}bind-never: waited the whole --bind-timeout (${SC_SECS}s)"
	else
		fail "${p}bind-never: gave up after ${SC_SECS}s, before --bind-timeout 2"
	fi

	# The server closes between the two replies: exit 4, said so.
	bad "${p}bind-close"
	expect_rc "${p}bind-close" 4
	expect_err "${p}bind-close" 'closed the connection between the two BIND replies'
	expect_secs_lt "${p}bind-close" 4

	# The second reply cut short: exit 4, the field named.
	bad "${p}bind-trunc"
	expect_rc "${p}bind-trunc" 4
	if [ -z "$p" ]; then
		expect_err "${p}bind-trunc: the field named" 'truncated.* 6 of 10 bytes.*BND\.ADDR'
	else
		expect_err "${p}bind-trunc: the field named" 'truncated.* 6 of 8 bytes.*DSTIP'
	fi
	expect_secs_lt "${p}bind-trunc" 4

	# Both replies and tunnel bytes in one segment: each reply is taken
	# whole, the rest belongs to the tunnel.
	bad "${p}bind-both" --in-str "world"$'\n' --
	expect_rc "${p}bind-both" 0
	expect_err "${p}bind-both: the first reply" 'listens on 127\.0\.0\.1 port 4243$'
	expect_err "${p}bind-both: the second reply" 'bind: peer 127\.0\.0\.1 port 4242 connected'
	expect_out "${p}bind-both: the glued bytes, then the echo" "HELLO"$'\n'"world"$'\n'
done

# -j: the listening address and the peer in the summary (on stderr: the
# tunnel has stdout), and at once, for the peer, as a JSON event line;
# nothing but JSON on stderr.
start_peer "json peer"$'\n' read-first
bad bind-ok --in-str "json client"$'\n' -- -j
expect_rc "bind-ok -j" 0
expect_out "bind-ok -j: stdout is the tunnel only" "json peer"$'\n'
check_peer "bind-ok -j" "json client"$'\n' json
lport=$(sed -n 's/.*LISTEN 127\.0\.0\.1 port \([0-9]*\).*/\1/p' "$BAD_LOG")
pport=$(cat "$PEER_REPORT.port" 2>/dev/null)
if "$PY" - "$SC_ERR" "127.0.0.1:$lport" "127.0.0.1:$pport" <<'EOF'; then
import json, sys
# stderr is the JSON's only: the event naming the address, then the summary.
docs = [json.loads(line) for line in open(sys.argv[1], errors="replace")]
if len(docs) != 2:
    sys.exit("%d JSON documents on stderr, expected 2" % len(docs))
if docs[0] != {"event": "bind_listen", "bind_listen": sys.argv[2]}:
    sys.exit("first line %r, expected the bind_listen event" % docs[0])
doc = docs[1]
for key, want in (("bind_listen", sys.argv[2]), ("bind_peer", sys.argv[3])):
    if doc.get(key) != want:
        sys.exit("%s is %r, expected %r" % (key, doc.get(key), want))
EOF
	ok "bind-ok -j: bind_listen 127.0.0.1:$lport, bind_peer 127.0.0.1:$pport"
else
	fail "bind-ok -j: the JSON summary lacks bind_listen/bind_peer"
	_sc_context
fi

# -z: the first reply only; no wait for a peer.
bad bind-never -- -z
expect_rc "bind-never -z" 0
expect_err "bind-never -z: where it listens" 'listens on 127\.0\.0\.1 port'
expect_secs_lt "bind-never -z: no wait for the second reply" 3

# Names the server gives reach the terminal escaped: where it listens, and
# the peer.
bad hostile-name -- -z
expect_rc "hostile-name -z" 0
expect_err "hostile-name -z: the name, escaped" 'listens on \\x1b\]0;pwned\\x07'
expect_err_plain "hostile-name -z"
bad bind-hostile-peer -- -q 0.2
expect_err "bind-hostile-peer: the peer, escaped" 'bind: peer \\x1b\]0;pwned.*port 4242 connected'
expect_err_plain "bind-hostile-peer"

finish
