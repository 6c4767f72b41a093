#!/usr/bin/env bash
# sockscope probe: verdicts for dante (SOCKS4 yes, 4a no, SOCKS5 yes),
# microsocks (SOCKS5 only), a closed port, an HTTP server, a silent server,
# a server that chooses a method it was not offered; --expect and the exit
# status; the JSON lines parse; a user without a password (refused, or
# asked on a terminal); --steps.
. "$(dirname "$0")/lib.sh"
need_sockscope

# Until main.c hands "probe" to probe_main there is nothing to test.
"$SOCKSCOPE" probe 127.0.0.1:1 >/dev/null 2>"$T/wired.err" </dev/null
grep -q 'not built yet' "$T/wired.err" && skip "probe is not wired into main.c yet"

W=2   # -w for every run: silent servers cost a few of these

# jget ADDR EXPR: a python expression over the JSON object `o` for ADDR.
jget() {
	"$PY" -c '
import json, sys
addr, expr = sys.argv[1], sys.argv[2]
for line in open(sys.argv[3]):
    o = json.loads(line)
    if o["server"] == addr:
        v = eval(expr)
        print(" ".join(map(str, v)) if isinstance(v, tuple) else v)
        break
' "$1" "$2" "$SC_OUT"
}
expect_json() { # WHAT ADDR EXPR VALUE
	local got
	got=$(jget "$2" "$3")
	if [ "$got" = "$4" ]; then
		ok "$1: $3 is $4"
	else
		fail "$1: $3 is '$got', expected '$4'"
		_sc_context
	fi
}

start_microsocks
M=127.0.0.1:$MS_PORT
CLOSED=127.0.0.1:$(free_port)

hport=$(free_port)
start_bg http "$PY" -m http.server -b 127.0.0.1 "$hport"
wait_listen "$hport" "$BG_PID" 5 || die "http.server did not start: $(cat "$T/http.log")"
H=127.0.0.1:$hport

start_badserver silent --count 20 --lifetime 100
SILENT=127.0.0.1:$BAD_PORT
start_badserver method-not-offered --count 20 --lifetime 100
NOTOFF=127.0.0.1:$BAD_PORT

have_danted=0
if command -v danted >/dev/null 2>&1 || [ -x /usr/sbin/danted ]; then
	if [ "$(id -u)" = 0 ]; then
		start_danted none
		D=127.0.0.1:$DANTED_PORT
		start_echo   # a target of the test's own, for --target
		have_danted=1
	fi
fi
[ "$have_danted" = 1 ] || note "danted not available (or not root): its checks are skipped"

# ---------------------------------------------------------------- the table
servers=("$M" "$CLOSED" "$H" "$SILENT" "$NOTOFF")
[ "$have_danted" = 1 ] && servers+=("$D")
sc --timeout 60 -- -w "$W" probe "${servers[@]}"
expect_rc "probe of a mixed fleet (some not SOCKS)" 1
expect_secs_lt "a mixed fleet is probed in parallel" 12
grep -q '^SERVER ' "$SC_OUT" && ok "table header" || fail "no table header"
expect_row "microsocks" "$M" '^[^ ]+ +yes +noauth .* ok .*SOCKS5'
expect_row "microsocks is not SOCKS4" "$M" ' yes +noauth +- +ok +no +no '
expect_row "closed port" "$CLOSED" 'unreachable'
expect_row "HTTP server" "$H" 'not SOCKS: an HTTP server'
expect_row "silent server" "$SILENT" 'not SOCKS: silent'
expect_row "method not offered is flagged" "$NOTOFF" 'not offered'
if [ "$have_danted" = 1 ]; then
	# By default a server on loopback is asked to connect to a listener of
	# the probe's own there, which a healthy dante grants.
	expect_row "danted, default target: healthy" "$D" ' yes +noauth +- +ok +yes +no\(5b\) .*SOCKS4 and SOCKS5'
	if row "$D" | grep -q 'refused'; then
		fail "danted, default target: a refusal: '$(row "$D")'"
	else
		ok "danted, default target: nothing refused"
	fi
	sc --timeout 30 -- -w "$W" -j probe --steps s5-connect,s4-connect "$D"
	expect_rc "danted, default target, -j" 0
	expect_json "danted, default target" "$D" \
		'o["connect"], o["socks4_connect"], o["target"] != o["server"], o["target"].startswith("127.0.0.1:")' \
		"ok ok True True"
	# Its own address, as the default is for a server elsewhere: dante
	# refuses ("the same address we listen to"), and the verdict says that
	# the target was the server itself.
	sc --timeout 30 -- -w "$W" probe -- --target "$D" "$D"
	expect_rc "danted, its own address as the target" 0
	expect_row "danted, its own address: said" "$D" \
		"SOCKS4 and SOCKS5; .*SOCKS4 CONNECT to the server's own address refused \(0x5b\); CONNECT to the server's own address refused \(0x02\), as many do: give --target"
	sc --timeout 30 -- -w "$W" -j probe -- --target "$D" --steps s5-connect "$D"
	expect_json "danted, its own address: the step says so" "$D" \
		'o["steps"][0]["detail"]' "REP 0x02 connection not allowed by ruleset (the target is the server's own address)"
	sc --timeout 30 -- -w "$W" probe -- --target "127.0.0.1:$ECHO_PORT" "$D"
	expect_rc "danted with --target" 0
	expect_row "danted" "$D" 'SOCKS4 and SOCKS5'
	expect_row "danted: SOCKS4 but not 4a" "$D" 'SOCKS4 but not 4a'
	expect_row "danted columns" "$D" ' yes +noauth +- +ok +yes +no\(5b\) '
	sc --timeout 30 -- -w "$W" -j probe -- --target "127.0.0.1:$ECHO_PORT" --expect socks4,no-socks4a,socks5 "$D"
	expect_rc "danted meets --expect socks4,no-socks4a,socks5" 0
	expect_json "danted" "$D" 'o["socks5"], o["socks4"], o["socks4_connect"], o["socks4a"]' "True True ok False"
fi

# ---------------------------------------------------------------- JSON lines
sc --timeout 60 -- -w "$W" -j probe "${servers[@]}"
expect_rc "probe -j" 1
if "$PY" -c 'import json,sys; [json.loads(l) for l in sys.stdin]' <"$SC_OUT"; then
	ok "JSON lines parse"
else
	fail "JSON lines do not parse"
	head -c 600 "$SC_OUT"
fi
n=$(wc -l <"$SC_OUT")
[ "$n" = "${#servers[@]}" ] && ok "one JSON line per server" || fail "$n JSON lines for ${#servers[@]} servers"
expect_json "microsocks" "$M" 'o["verdict"], o["socks5"], o["socks4"], o["methods"]' "socks True False ['noauth']"
expect_json "closed" "$CLOSED" 'o["verdict"]' "unreachable"
expect_json "http" "$H" 'o["verdict"], o["peer"]' "not-socks http"
expect_json "silent" "$SILENT" 'o["verdict"], o["peer"]' "not-socks silent"
expect_json "steps have timings" "$M" 'all("ms" in s for s in o["steps"] if s["status"] != "skipped")' "True"
expect_json "not offered" "$NOTOFF" 'any("not offered" in a for s in o["steps"] for a in s.get("anomalies", []))' "True"

# ---------------------------------------------------------------- anomalies, SSH
start_badserver rsv-nonzero --count 20 --lifetime 100
RSV=127.0.0.1:$BAD_PORT
start_badserver wrongver --count 20 --lifetime 100
WV=127.0.0.1:$BAD_PORT
extra=("$RSV" "$WV")
have_ssh=0
if command -v sshd >/dev/null 2>&1 || [ -x /usr/sbin/sshd ]; then
	if command -v ssh >/dev/null 2>&1 && command -v ssh-keygen >/dev/null 2>&1; then
		start_sshd_socks
		extra+=("127.0.0.1:$SSHD_PORT" "127.0.0.1:$SSH_SOCKS_PORT")
		have_ssh=1
	fi
fi
sc --timeout 60 -- -w "$W" -j probe "${extra[@]}"
expect_rc "anomalies and SSH: some are not healthy" 1
expect_json "RSV not zero is an anomaly" "$RSV" 'any(a.startswith("RSV") for s in o["steps"] for a in s.get("anomalies", []))' "True"
expect_json "RSV not zero: still SOCKS5" "$RSV" 'o["verdict"], o["socks5"]' "socks True"
expect_json "wrong version" "$WV" 'o["verdict"]' "broken"
if [ "$have_ssh" = 1 ]; then
	expect_json "sshd" "127.0.0.1:$SSHD_PORT" 'o["verdict"], o["peer"]' "not-socks ssh"
	expect_json "sshd: its banner in the detail" "127.0.0.1:$SSHD_PORT" \
		'any("an SSH server: SSH-2.0-" in s.get("detail", "") for s in o["steps"])' "True"
	expect_json "ssh -D" "127.0.0.1:$SSH_SOCKS_PORT" 'o["verdict"], o["socks5"], o["socks4"]' "socks True True"
fi

# ---------------------------------------------------------------- exit status, --expect, -f
sc --timeout 30 -- -w "$W" probe "$M"
expect_rc "a healthy server" 0
sc --timeout 30 -- -w "$W" probe -- --expect socks5,noauth "$M"
expect_rc "--expect socks5,noauth met" 0
sc --timeout 30 -- -w "$W" probe -- --expect socks4 "$M"
expect_rc "--expect socks4 not met by microsocks" 1
expect_row "--expect failure is shown" "$M" 'expected socks4'
sc --timeout 30 -- -w "$W" probe -- --expect bogus "$M"
expect_rc "--expect with an unknown word" 2
sc --timeout 30 -- probe "socks9://$M"
expect_rc "a bad proxy URL is a usage error" 2
sc --timeout 30 -- probe
expect_rc "no servers" 2

printf '# a comment\n\n%s\n  %s  \n' "$M" "$M" >"$T/list"
sc --timeout 30 -- -w "$W" probe -- -f "$T/list" --parallel 1
expect_rc "-f FILE, --parallel 1" 0
n=$(grep -c -F "$M " "$SC_OUT")
[ "$n" = 2 ] && ok "-f: one row per line, comments skipped" || fail "-f: $n rows, expected 2"

# microsocks with a user: the credentials are tried, and wrong ones are seen.
start_microsocks -u probeuser -P probepass
MA=127.0.0.1:$MS_PORT
sc --timeout 30 -- -w "$W" -j probe "socks5://probeuser:probepass@$MA"
expect_rc "microsocks with credentials" 0
expect_json "credentials accepted" "$MA" 'o["auth"], o["connect"]' "ok ok"
sc --timeout 30 -- -w "$W" -j -U probeuser:wrong probe "$MA"
expect_json "wrong credentials" "$MA" 'o["auth"]' "failed"

# ---------------------------------------------------------------- a user without a password
unset SOCKSCOPE_PASSWORD
sc --timeout 30 -- -w "$W" probe "$M" "socks5://probeuser@$MA"
expect_rc "a user without a password, stdin not a terminal" 2
expect_err "the server is named" "^sockscope probe: $MA \(server 2\): no password for user \"probeuser\""
[ ! -s "$SC_OUT" ] && ok "refused before anything was probed" || fail "refused, but stdout has: $(head -c 200 "$SC_OUT")"
sc --timeout 30 -- -w "$W" -U probeuser probe "$MA"
expect_rc "-U USER without a password" 2
expect_err "-U: the server is named" "$MA \(server 1\): no password"
printf '%s\n' "$M" "socks5://probeuser@$MA" >"$T/pwlist"
sc --timeout 30 -- -w "$W" probe -f "$T/pwlist"
expect_rc "-f FILE with a user without a password" 2
[ ! -s "$SC_OUT" ] && ok "-f FILE: refused before anything was probed" || fail "-f FILE: stdout has: $(head -c 200 "$SC_OUT")"
sc --in "$T/pwlist" --hold 0.1 --timeout 30 -- -w "$W" probe -f -
# Read from a pipe, the bad line comes after a server was probed: it is
# its own error row, the run goes on, exit 1 (2 would say nothing was sent).
expect_rc "-f - (a list that cannot be read ahead)" 1
expect_row "-f -: the line is its own error" "$MA" "error: -f -: line 2: $MA \(server 2\): no password"
expect_row "-f -: what came before is reported" "$M" 'SOCKS5'
SOCKSCOPE_PASSWORD=probepass sc --timeout 30 -- -w "$W" -j probe "socks5://probeuser@$MA"
expect_rc "SOCKSCOPE_PASSWORD" 0
expect_json "SOCKSCOPE_PASSWORD is used" "$MA" 'o["auth"], o["connect"]' "ok ok"
sc --timeout 30 -- -w "$W" probe "socks4://someone@$M"
expect_rc "a socks4:// USERID needs no password" 0
# On a terminal: asked once, without echo, for both servers.
cat >"$T/ttyask.py" <<'PYEOF'
import os, pty, select, sys, time
answer = sys.argv[1].encode()
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
out, sent, end = b"", False, time.time() + 20
while time.time() < end:
    if select.select([fd], [], [], 0.2)[0]:
        try:
            d = os.read(fd, 4096)
        except OSError:
            break
        if not d:
            break
        out += d
    if not sent and b"password for" in out:
        time.sleep(0.2)
        os.write(fd, answer + b"\n")
        sent = True
_, st = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(st))
PYEOF
timeout -k 2 30 "$PY" "$T/ttyask.py" probepass "$SOCKSCOPE" -w "$W" -j -U probeuser probe "$MA" "$MA" >"$T/pty.out" 2>&1
rc=$?
[ "$rc" = 0 ] && ok "terminal: exit 0" || fail "terminal: exit $rc: $(head -c 1500 "$T/pty.out")"
n=$(grep -c "password for probeuser at $MA: " "$T/pty.out")
[ "$n" = 1 ] && ok "terminal: asked once" || fail "terminal: asked $n times"
if [ "$n" != 1 ]; then
	fail "terminal: no prompt, so no check of the echo"
elif grep -q probepass "$T/pty.out"; then
	fail "terminal: the password was echoed"
else
	ok "terminal: no echo"
fi
n=$(grep -c '"auth":"ok"' "$T/pty.out")
[ "$n" = 2 ] && ok "terminal: the password serves both servers" || fail "terminal: auth ok $n times, expected 2"

# ---------------------------------------------------------------- -v and -X
# Each message of each step on stderr, labelled with server and step; the
# table alone on stdout.
sc --timeout 30 -- -w "$W" -v probe --steps s5-noauth,s5-auth,s5-connect "$M"
expect_rc "-v probe" 0
expect_err "-v: the greeting sent" "^-> $M s5-noauth: SOCKS5 greeting: METHODS \[0x00 NO AUTHENTICATION REQUIRED\]$"
expect_err "-v: the method chosen" "^<- $M s5-noauth: SOCKS5 method selection: METHOD 0x00 "
# (the target: the probe's own listener on loopback, not the server)
expect_err "-v: CONNECT sent" "^-> $M s5-connect: SOCKS5 CONNECT request: CMD 0x01 CONNECT, DST 127\.0\.0\.1:[0-9]+$"
if grep -q "CONNECT, DST $M\$" "$SC_ERR"; then fail "-v: CONNECT to the server itself"; else ok "-v: CONNECT not to the server itself"; fi
expect_err "-v: CONNECT granted" "^<- $M s5-connect: SOCKS5 reply: REP 0x00 succeeded"
expect_err "-v: how a step ended" "^\* $M s5-connect: ok in [0-9.]+ ms: granted$"
expect_err "-v: why a step was skipped" "^\* $M s5-auth: skipped: no credentials given$"
if grep -q -- '->\|<-\|^\*' "$SC_OUT"; then fail "-v: trace lines on stdout"; else ok "-v: stdout holds the table only"; fi
expect_row "-v: the table still" "$M" ' yes +noauth +- +ok '

sc --timeout 30 -- -w "$W" -X probe --steps s5-connect "$M"
expect_rc "-X probe" 0
expect_err "-X: the request's header line" "^-> $M s5-connect: SOCKS5 CONNECT request, 10 bytes$"
expect_err "-X: a field line" "^   0001  01 +CMD +0x01 +CONNECT$"
expect_err "-X: the reply's header line" "^<- $M s5-connect: SOCKS5 reply, [0-9]+ bytes$"
if grep -q '^\* ' "$SC_ERR"; then fail "-X alone: step lines are -v's"; else ok "-X alone: no step lines"; fi

# An HTTP server (silent after a SOCKS greeting): http-sniff's request and
# its answer, as bytes that are no SOCKS messages.
sc --timeout 30 -- -w "$W" -v -X probe --steps s5-noauth,http-sniff "$H"
expect_err "-v -X, HTTP: the sniff request" "^-> $H http-sniff: 19 bytes that are no SOCKS message$"
expect_err "-v -X, HTTP: its bytes" "^   0000  48 45 41 44 20 2f 20 48 54 54 50 2f 31 2e 30 0d  HEAD / HTTP/1\.0\.$"
expect_err "-v -X, HTTP: the answer" "^<- $H http-sniff: [0-9]+ bytes that are no SOCKS reply$"
expect_err "-v -X, HTTP: the greeting timed out" "^\* $H s5-noauth: timeout in "
expect_err "-v -X, HTTP: how it ended" "^\* $H http-sniff: not-socks in [0-9.]+ ms"

# ---------------------------------------------------------------- --steps
sc --timeout 30 -- -w "$W" -j probe --steps connect "$M"
expect_rc "--steps connect" 0
expect_json "--steps connect: one step" "$M" '[s["step"] for s in o["steps"]]' "['s5-connect']"
expect_json "--steps connect: verdict" "$M" 'o["verdict"], o["socks5"], o["connect"], o["tcp_ms"] is not None' "socks True ok True"
sc --timeout 30 -- -w "$W" -j probe --steps tcp,s4-connect "$CLOSED"
expect_json "--steps: unreachable" "$CLOSED" 'o["verdict"], [s["status"] for s in o["steps"]]' "unreachable ['unreachable', 'skipped']"
sc --timeout 30 -- -w "$W" -j probe --steps s5-auth "$M"
expect_json "--steps: nothing left to run" "$M" 'o["verdict"], o["ok"]' "error False"
sc --timeout 30 -- probe --steps bogus "$M"
expect_rc "--steps with an unknown step" 2
if [ "$have_danted" = 1 ]; then
	sc --timeout 30 -- -w "$W" probe --steps connect --target "127.0.0.1:$ECHO_PORT" "$D"
	expect_rc "danted, --steps connect" 0
	expect_row "danted, --steps connect" "$D" ' yes +- +- +ok +- +- .*SOCKS5$'
	sc --timeout 30 -- -w "$W" probe --steps connect "$D"
	expect_rc "danted, --steps connect, default target" 0
	expect_row "danted, --steps connect, default target" "$D" ' yes +- +- +ok +- +- .*SOCKS5$'
fi

finish
