#!/usr/bin/env bash
# The REPL's reading of replies: names the server sent reach the terminal
# escaped (`status`, the BIND lines); the bound address is read before the
# reply is consumed, so bytes glued to the reply do not overwrite it; `dgram`
# shows every datagram that answers it, labelled, and what arrived before it
# was sent as arrived earlier; Ctrl-C during `dgram`'s wait says interrupted.
# Servers: the scripted badserver; danted (as root) for a relay that answers
# late or never.
. "$(dirname "$0")/lib.sh"
need_sockscope

# expect_stdout WHAT ERE: stdout matches the extended regex.
expect_stdout() {
	if grep -Eq -- "$2" "$SC_OUT"; then
		ok "$1: stdout matches /$2/"
	else
		fail "$1: stdout does not match /$2/"
		head -c 3000 "$SC_OUT" | cat -v | sed 's/^/       > /'
		_sc_context
		return 1
	fi
}
expect_no_stdout() {
	if grep -Eq -- "$2" "$SC_OUT"; then
		fail "$1: stdout matches /$2/, it should not"
		head -c 3000 "$SC_OUT" | cat -v | sed 's/^/       > /'
		return 1
	fi
	ok "$1: stdout does not match /$2/"
}
# expect_plain WHAT: neither stdout nor stderr holds a control byte (other
# than newline) or a line the server forged.
expect_plain() {
	local f
	for f in "$SC_OUT" "$SC_ERR"; do
		if tr -d '\n' <"$f" | LC_ALL=C grep -q '[[:cntrl:]]'; then
			fail "$1: ${f##*/} holds raw control bytes"
			head -c 2000 "$f" | cat -v | sed 's/^/       > /'
			return 1
		fi
		if grep -q '^sockscope: forged' "$f"; then
			fail "$1: a line the server forged reached ${f##*/}"
			return 1
		fi
	done
	ok "$1: no control byte and no forged line on stdout or stderr"
}
# section N: what follows the Nth "-> SOCKS5 UDP datagram" view (its own
# indented rows left out), up to the next one: the answers to the Nth `dgram`.
section() {
	awk -v n="$1" '/^-> SOCKS5 UDP datagram/ { k++; on = 0; next }
		k == n && !on && !/^   / { on = 1 }
		k == n && on' "$SC_OUT"
}
# expect_section WHAT N ERE [!]: section N matches (or, with !, does not).
expect_section() {
	if section "$2" | grep -Eq -- "$3"; then
		if [ "${4:-}" = '!' ]; then
			fail "$1: the answers to dgram $2 match /$3/, they should not"
			section "$2" | head -c 2000 | sed 's/^/       > /'
			return 1
		fi
		ok "$1: the answers to dgram $2 match /$3/"
	elif [ "${4:-}" = '!' ]; then
		ok "$1: the answers to dgram $2 do not match /$3/"
	else
		fail "$1: the answers to dgram $2 do not match /$3/"
		section "$2" | head -c 2000 | sed 's/^/       > /'
		_sc_context
		return 1
	fi
}

# ------------------------------------------------------------ D1: names escaped

# A granted reply naming BND.ADDR by a name full of terminal controls and a
# forged "sockscope:" line: `status` shows it escaped.
start_badserver hostile-name --count 2 --lifetime 60
sc --timeout 15 -- --color=never -w 2 -c "proxy 127.0.0.1:$BAD_PORT; connect 127.0.0.1 9; status"
expect_rc "hostile-name: connect, status" 0
expect_plain "hostile-name: status"
expect_stdout "hostile-name: the bound name, escaped" '^bound +\\x1b\]0;pwned\\x07\\x1b\[2J.*\\x0asockscope: forged:1080$'

# BIND's second reply names the peer that way: the "peer connected" line and
# `status` show it escaped.
start_badserver bind-hostile-peer --count 2 --lifetime 60
sc --timeout 15 -- --color=never -w 2 -c "proxy 127.0.0.1:$BAD_PORT; bind 127.0.0.1 9; send; status"
expect_rc "bind-hostile-peer: bind, send, status" 0
expect_plain "bind-hostile-peer"
expect_stdout "bind-hostile-peer: the peer, escaped" '^BIND: the peer \\x1b\]0;pwned\\x07.*forged:4242 connected'
expect_stdout "bind-hostile-peer: status, escaped" '^bound +\\x1b\]0;pwned.*forged:4242$'
# Both replies came in one send: the first one's address is read before it
# is consumed (D2).
expect_stdout "bind-hostile-peer: the first reply's address" '^BIND: the server listens on 127\.0\.0\.1:4243;'

# ------------------------------------------------------------ D2: glued bytes

# The granted reply and "HELLO\n" in one send: BND.ADDR is 127.0.0.1, not
# "O\n" read from where the reply was before it was consumed.
start_badserver ok5-glued --count 2 --lifetime 60
sc --timeout 15 -- --color=never -w 2 -c "proxy 127.0.0.1:$BAD_PORT; connect 127.0.0.1 9; status"
expect_rc "ok5-glued: connect, status" 0
expect_stdout "ok5-glued: status, bound as the reply said" '^bound +127\.0\.0\.1:1080$'
expect_no_stdout "ok5-glued: no address read from the glued bytes" '79\.10\.0\.1'

# Both BIND replies and "HELLO\n" in one send, SOCKS5 and SOCKS4.
start_badserver bind-both --count 2 --lifetime 60
sc --timeout 15 -- --color=never -w 2 -c "proxy 127.0.0.1:$BAD_PORT; bind 127.0.0.1 9; send; status"
expect_rc "bind-both: bind, send, status" 0
expect_stdout "bind-both: where it listens" '^BIND: the server listens on 127\.0\.0\.1:4243;'
expect_stdout "bind-both: the peer" '^BIND: the peer 127\.0\.0\.1:4242 connected'
expect_stdout "bind-both: status" '^bound +127\.0\.0\.1:4242$'
expect_no_stdout "bind-both: no address read from the glued bytes" '79\.10\.0\.1'

start_badserver s4-bind-both --count 2 --lifetime 60
sc --timeout 15 -- --color=never -w 2 -c "proxy socks4://127.0.0.1:$BAD_PORT; bind 127.0.0.1 9; send; status"
expect_rc "s4-bind-both: bind, send, status" 0
expect_stdout "s4-bind-both: where it listens" '^BIND: the server listens on 127\.0\.0\.1:4243;'
expect_stdout "s4-bind-both: the peer" '^BIND: the peer 127\.0\.0\.1:4242 connected'
expect_stdout "s4-bind-both: status" '^bound +127\.0\.0\.1:4242$'

# ------------------------------------------------------------ D8: dgram's answers

# The relay sends a FRAG 1 copy before each echo: both are the answers to the
# datagram just sent, each labelled; none is left for the next `dgram`.
start_badserver udp-frag --count 2 --lifetime 60
sc --timeout 20 -- --color=never -w 3 -c "proxy 127.0.0.1:$BAD_PORT; udp; dgram 127.0.0.1 9 one; dgram 127.0.0.1 9 two"
expect_rc "udp-frag: two dgrams" 0
expect_section "udp-frag" 1 'DATA +"FRAG1 one"'
expect_section "udp-frag" 1 'DATA +"one"'
expect_section "udp-frag" 1 '^answer 2, [0-9]+ ms after sending:'
expect_section "udp-frag" 2 'DATA +"FRAG1 two"'
expect_section "udp-frag" 2 'DATA +"two"'
expect_section "udp-frag" 2 '"one"' '!'
expect_secs_lt "udp-frag: the settle window is short" 3

# The relay sends 6 bytes (no whole header) before each echo: shown as such,
# and the echo is still the answer to its own datagram (exit 0: one came).
start_badserver udp-short --count 2 --lifetime 60
sc --timeout 20 -- --color=never -w 3 -c "proxy 127.0.0.1:$BAD_PORT; udp; dgram 127.0.0.1 9 one; dgram 127.0.0.1 9 two"
expect_rc "udp-short: two dgrams" 0
expect_section "udp-short" 1 'not a SOCKS5 UDP header'
expect_section "udp-short" 1 'DATA +"one"'
expect_section "udp-short" 2 'not a SOCKS5 UDP header'
expect_section "udp-short" 2 'DATA +"two"'
expect_section "udp-short" 2 '"one"' '!'

# ------------------------------------------------------------ danted: late and no answers

if [ "$(id -u)" = 0 ] && { command -v danted >/dev/null 2>&1 || [ -x /usr/sbin/danted ]; }; then
	start_danted
	D=127.0.0.1:$DANTED_PORT
	# A UDP echo that answers the first datagram a second late, the rest at
	# once (upper-cased).
	"$PY" -c 'import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0))
print("PORT %d" % s.getsockname()[1], flush=True); s.settimeout(60); n = 0
while True:
    d, a = s.recvfrom(65536); n += 1
    if n == 1: time.sleep(1.0)
    s.sendto(d.upper(), a)' >"$T/late.out" 2>"$T/late.log" </dev/null &
	track_pid $!
	LPORT=$(read_port late $!) || die "late udp echo did not start"
	# "one" times out; its late answer arrives during `recv 1`; the next
	# `dgram` shows it as arrived earlier, and "TWO" as its answer.
	sc --timeout 20 -- --color=never -k -w 0.5 -c "proxy socks5://$D; udp; dgram 127.0.0.1 $LPORT one; recv 1; dgram 127.0.0.1 $LPORT two"
	expect_rc "late answer: the first dgram times out" 5
	expect_err "late answer: the first dgram's timeout" 'no datagram came back within 0\.5 s'
	expect_section "late answer" 2 '^arrived earlier, before this datagram was sent'
	if section 2 | awk '/^arrived earlier/ { e = 1 } /^answer 1,/ { a = 1 }
		e && !a && /DATA +"ONE"/ { one = 1 } a && /DATA +"TWO"/ { two = 1 }
		END { exit !(one && two) }'; then
		ok "late answer: ONE shown as arrived earlier, TWO as the answer"
	else
		fail "late answer: ONE is not shown as arrived earlier before TWO as the answer"
		section 2 | sed 's/^/       > /'
	fi

	# D11: Ctrl-C while `dgram` waits for a datagram that never comes: it
	# says interrupted, at once, and the session goes on.
	# A UDP socket that reads and never answers (a free port would draw an
	# ICMP error, and dante would close the association).
	"$PY" -c 'import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0))
print("PORT %d" % s.getsockname()[1], flush=True); s.settimeout(60)
while True: s.recvfrom(65536)' >"$T/silent.out" 2>"$T/silent.log" </dev/null &
	track_pid $!
	SILENT=$(read_port silent $!) || die "silent udp socket did not start"
	mkdir -p "$T/state"
	timeout -k 2 30 "$PY" - "$SOCKSCOPE" "$D" "$SILENT" "$T/state" >"$T/pty.out" 2>&1 <<'EOF'
import os, pty, re, select, signal, subprocess, sys, time, fcntl, termios
sc, proxy, silent, state = sys.argv[1:5]
m, s = os.openpty()
env = dict(os.environ, TERM="dumb", XDG_STATE_HOME=state, NO_COLOR="1")
p = subprocess.Popen([sc, "--color=never", "-w", "20"], stdin=s, stdout=s, stderr=s, env=env,
                     start_new_session=True,
                     preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))
os.close(s)
buf = b""
def expect(pat, t):
    global buf
    end = time.time() + t
    start = len(buf)
    while time.time() < end:
        r, _, _ = select.select([m], [], [], 0.1)
        if r:
            try: d = os.read(m, 65536)
            except OSError: break
            if not d: break
            buf += d
            if re.search(pat, buf[start:]): return buf[start:]
    raise SystemExit("TIMEOUT waiting for %r; got %r" % (pat, buf[start:][-400:]))
try:
    expect(rb"\]> $", 5)
    os.write(m, b"proxy socks5://%s\r" % proxy.encode()); expect(rb"\]> $", 5)
    os.write(m, b"udp\r"); expect(rb"\]> $", 5)
    os.write(m, b"dgram 127.0.0.1 %s silent\r" % silent.encode())
    expect(rb"DATA", 5)
    time.sleep(1.0)
    t0 = time.time()
    os.write(m, b"\x03")
    out = expect(rb"\]> $", 10)
    print("SECS %.1f" % (time.time() - t0))
    print("OUT " + out.decode("latin-1").replace("\r", ""))
    os.write(m, b"status\r"); print("STATUS " + expect(rb"\]> $", 5).decode("latin-1"))
    os.write(m, b"\x04")
    p.wait(5)
finally:
    if p.poll() is None:
        os.killpg(p.pid, signal.SIGKILL); p.wait(3)
EOF
	if grep -q 'interrupted' "$T/pty.out" && ! grep -q 'no datagram came back' "$T/pty.out"; then
		ok "Ctrl-C during dgram: says interrupted"
	else
		fail "Ctrl-C during dgram: does not say interrupted"
		cat -v "$T/pty.out" | tail -n 20 | sed 's/^/       > /'
	fi
	if awk '/^SECS / { s = $2; seen = 1 } END { exit !(seen && s < 3) }' "$T/pty.out"; then
		ok "Ctrl-C during dgram: the prompt is back at once"
	else
		fail "Ctrl-C during dgram: the prompt is not back within 3 s"
	fi
	if grep -Eq 'phase +granted' "$T/pty.out"; then
		ok "Ctrl-C during dgram: the association stays"
	else
		fail "Ctrl-C during dgram: the association is gone"
	fi
else
	note "not root or no danted: the late-answer and Ctrl-C cases are left out"
fi

finish
