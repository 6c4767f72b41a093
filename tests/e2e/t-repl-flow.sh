#!/usr/bin/env bash
# The REPL follows each connection with the flow: BIND's replies are titled
# by their role (first: where the server listens; second: the peer that
# connected); after a failed step the flow's hint says what answered, its
# evidence escaped; `status` says what the flow expects next and how the
# session ended; the prompt's phase is the flow's.
# Servers: the scripted badserver, the echo service, and an HTTP responder
# of this test's own.
. "$(dirname "$0")/lib.sh"
need_sockscope

expect_stdout() {
	if grep -Eq -- "$2" "$SC_OUT"; then
		ok "$1: stdout matches /$2/"
	else
		fail "$1: stdout does not match /$2/"
		head -c 3000 "$SC_OUT" | cat -v | sed 's/^/       > /'
		_sc_context
	fi
}
# expect_plain WHAT: no raw control byte (but newline) on stdout or stderr.
expect_plain() {
	local f
	for f in "$SC_OUT" "$SC_ERR"; do
		if tr -d '\n' <"$f" | LC_ALL=C grep -q '[[:cntrl:]]'; then
			fail "$1: ${f##*/} holds raw control bytes"
			return
		fi
	done
	ok "$1: no raw control bytes"
}

# ------------------------------------------------------------ BIND's roles

for v in 5 4; do
	pre=; scheme=socks5
	[ "$v" = 4 ] && pre=s4- && scheme=socks4
	start_badserver "${pre}bind-both" --count 2 --lifetime 60
	sc --timeout 15 -- --color=never -w 3 -c "proxy $scheme://127.0.0.1:$BAD_PORT; bind 127.0.0.1 9; send"
	expect_rc "SOCKS$v bind-both" 0
	expect_stdout "SOCKS$v: the first reply titled by its role" \
		"^<- SOCKS$v first BIND reply \\(where the server listens\\), [0-9]+ bytes$"
	expect_stdout "SOCKS$v: the second reply titled by its role" \
		"^<- SOCKS$v second BIND reply \\(the peer that connected\\), [0-9]+ bytes$"
done

# The first reply cut short by the deadline: still titled by its role.
start_badserver rep-00-trunc-5-hold --lifetime 60
sc --timeout 15 -- --color=never -w 1 -c "proxy socks5://127.0.0.1:$BAD_PORT; bind 127.0.0.1 9"
expect_rc "a first BIND reply cut short" 5
expect_stdout "a first BIND reply cut short: its role" \
	'^<- SOCKS5 first BIND reply \(where the server listens\), 5 bytes, truncated$'

# A CONNECT's reply is no BIND reply.
start_badserver ok5 --lifetime 60
sc --timeout 15 -- --color=never -w 3 -c "proxy socks5://127.0.0.1:$BAD_PORT; connect 127.0.0.1 9"
expect_rc "ok5: connect" 0
expect_stdout "ok5: the reply as it stands" '^<- SOCKS5 reply, 10 bytes$'

# ------------------------------------------------------------ hints

# An echo service taken for a proxy: the greeting comes back, read as a
# method selection choosing 01, which was not offered; the hint says why.
start_echo
sc --timeout 15 -- --color=never -w 3 -c "proxy socks5://127.0.0.1:$ECHO_PORT; open; greet"
expect_rc "echo: greet" 4
expect_err "echo: the violation named" 'protocol violation by the server in the method selection phase: METHOD at stream offset 1'
expect_err "echo: the hint" '^sockscope: hint: .*echo'

# An HTTP server: its status line is the evidence, escaped (it holds an ESC).
cat >"$T/http.py" <<'PYEOF'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(1)
print("PORT %d" % s.getsockname()[1], flush=True)
s.settimeout(30)
c, _ = s.accept()
c.settimeout(10)
c.recv(100)
c.sendall(b"HTTP/1.1 400 Bad\x1b[2J Request\r\nContent-Length: 0\r\n\r\n")
c.close()
PYEOF
_start_py http HTTP_PORT "$T/http.py"
sc --timeout 15 -- --color=never -w 3 -c "proxy socks5://127.0.0.1:$HTTP_PORT; open; greet"
expect_rc "http: greet" 4
expect_err "http: the hint" '^sockscope: hint: .*HTTP'
expect_err "http: its first line, escaped" 'HTTP/1\.1 400 Bad\\x1b\[2J Request'
expect_plain "http"

# A server that accepts and closes before any answer: an access rule, maybe.
cat >"$T/drop.py" <<'PYEOF'
import socket, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(1)
print("PORT %d" % s.getsockname()[1], flush=True)
s.settimeout(30)
c, _ = s.accept()
time.sleep(0.2)
c.close()
PYEOF
_start_py drop DROP_PORT "$T/drop.py"
sc --timeout 15 -- --color=never -w 3 -c "proxy socks5://127.0.0.1:$DROP_PORT; open; greet"
expect_rc "drop: greet" 4
expect_err "drop: the close named" '(closed|reset) the connection in the greeting phase before sending the SOCKS5 method selection'
expect_err "drop: the hint" '^sockscope: hint: closed right after accepting'

# A server that closes without a reply to a BIND request: the close hint.
start_badserver req-close --lifetime 60
sc --timeout 15 -- --color=never -w 3 -c "proxy socks5://127.0.0.1:$BAD_PORT; bind 127.0.0.1 9"
expect_rc "req-close after BIND" 4
expect_err "req-close: the close named" 'closed the connection in the request phase before sending the SOCKS5 reply'
expect_err "req-close: the hint" '^sockscope: hint: .*(command|BIND)'

# ------------------------------------------------------------ a session that ended

# After a violation the flow follows the connection no further: `connect`
# says so and starts over on a new connection.
start_badserver method-not-offered --count 2 --lifetime 60
sc --timeout 15 -- --color=never -w 3 -k -c "proxy socks5://127.0.0.1:$BAD_PORT; open; greet; status; connect 127.0.0.1 9"
expect_rc "method-not-offered: greet, connect" 4
expect_stdout "method-not-offered: the phase" '^phase +ended$'
expect_stdout "method-not-offered: the outcome" '^outcome +protocol violation in the method selection phase$'
expect_stdout "method-not-offered: a new connection" '^the session on this connection ended \(protocol violation\): a new connection$'
n=$(grep -c '^connected to' "$SC_OUT")
if [ "$n" = 2 ]; then ok "method-not-offered: two connections"; else fail "method-not-offered: $n connections, expected 2"; fi

# ------------------------------------------------------------ raw, read by the flow

# A greeting and a request in one raw: the request waits in the flow for
# the method selection, then is shown; its reply is the one `recv` reads.
start_badserver ok5 --lifetime 60
sc --timeout 15 -- --color=never -w 2 -c "proxy socks5://127.0.0.1:$BAD_PORT; open; raw 05 01 00 05 01 00 01 7f 00 00 01 00 09; recv 1; status"
expect_rc "glued greeting and request" 0
expect_stdout "glued: the request shown" '^-> SOCKS5 CONNECT request, 10 bytes$'
expect_stdout "glued: the reply read" '^<- SOCKS5 reply, 10 bytes$'
expect_stdout "glued: granted" '^phase +granted$'

# A request with a byte of data after it: the data is the tunnel's.
start_badserver ok5 --lifetime 60
sc --timeout 15 -- --color=never -w 2 -c "proxy socks5://127.0.0.1:$BAD_PORT; open; greet; raw 05 01 00 01 7f 00 00 01 00 09 41"
expect_rc "request and data" 0
expect_stdout "request and data: the request" '^-> SOCKS5 CONNECT request, 10 bytes$'
expect_stdout "request and data: the rest named" '^   \(1 more byte after it: tunnel data\)$'

# ------------------------------------------------------------ status and the prompt's phase

# A silent server: the greeting's answer is due, the phase is "greeted".
start_badserver silent --lifetime 60
sc --timeout 15 -- --color=never -w 1 -k -c "proxy socks5://127.0.0.1:$BAD_PORT; open; greet; status"
expect_rc "silent: greet times out" 5
expect_stdout "silent: the phase" '^phase +greeted$'
expect_stdout "silent: the method selection due" '^due +SOCKS5 method selection$'

# After the method selection, the flow expects the request next.
start_badserver ok5 --lifetime 60
sc --timeout 15 -- --color=never -w 3 -c "proxy socks5://127.0.0.1:$BAD_PORT; open; greet; status"
expect_rc "ok5: greet" 0
expect_stdout "ok5: the request next" '^next +SOCKS5 request$'

# A granted UDP association: the outcome.
start_badserver udp-ok --lifetime 60
sc --timeout 15 -- --color=never -w 3 -c "proxy socks5://127.0.0.1:$BAD_PORT; udp 0.0.0.0 0; status"
expect_rc "udp-ok" 0
expect_stdout "udp-ok: the outcome" '^outcome +granted in the reply phase$'

finish
