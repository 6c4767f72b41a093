#!/usr/bin/env bash
# sockscope probe: verdicts for dante (SOCKS4 yes, 4a no, SOCKS5 yes),
# microsocks (SOCKS5 only), a closed port, an HTTP server, a silent server,
# a server that chooses a method it was not offered; --expect and the exit
# status; the JSON lines parse.
. "$(dirname "$0")/lib.sh"
need_sockscope

# Until main.c hands "probe" to probe_main there is nothing to test.
"$SOCKSCOPE" probe 127.0.0.1:1 >/dev/null 2>"$T/wired.err" </dev/null
grep -q 'not built yet' "$T/wired.err" && skip "probe is not wired into main.c yet"

W=2   # -w for every run: silent servers cost a few of these

# row ADDR: the table row for ADDR in the last run's stdout.
row() { grep -F -- "$1 " "$SC_OUT" | head -n 1; }
expect_row() { # WHAT ADDR ERE
	local r
	r=$(row "$2")
	if printf '%s\n' "$r" | grep -Eq -- "$3"; then
		ok "$1: row matches /$3/"
	else
		fail "$1: row does not match /$3/: '$r'"
		_sc_context
	fi
}
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
		start_echo   # dante refuses CONNECT to its own address: a target for it
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
	# its own address as the target: dante refuses ("very suspicious")
	expect_row "danted, own address" "$D" 'SOCKS4 and SOCKS5.*CONNECT refused'
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

finish
