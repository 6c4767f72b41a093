#!/usr/bin/env bash
# sockscope probe: every --expect word means what the JSON key of its name
# says (socks4 is "speaks SOCKS4, granted or not", connect is the SOCKS5
# CONNECT, auth is "auth":"ok"); a probe whose --steps ran no SOCKS step is
# "reachable", not "not SOCKS", and ok when reached; "socks4_connect" only
# ever holds a status the man page documents ("skipped" when --steps left
# s4-connect out, never "not-run").
. "$(dirname "$0")/lib.sh"
need_sockscope
unset SOCKSCOPE_PASSWORD

W=2 # -w for every run
MAN=$ROOT/man/sockscope.1

# jcheck WHAT EXPR VALUE: a python expression over the first JSON object `o`.
jcheck() {
	local got
	got=$("$PY" -c '
import json, sys
lines = open(sys.argv[2], "rb").read().splitlines()
o = json.loads(lines[0]) if lines else {}
v = eval(sys.argv[1])
print(" ".join(map(str, v)) if isinstance(v, tuple) else v)
' "$2" "$SC_OUT" 2>&1)
	if [ "$got" = "$3" ]; then
		ok "$1: $2 is $3"
	else
		fail "$1: $2 is '$got', expected '$3'"
		_sc_context
	fi
}

# agree WHAT: with --expect "$ALL", the words that failed are exactly those
# whose JSON key says no, server by server.
ALL=reachable,socks5,socks4,socks4a,noauth,gssapi,userpass,auth,connect
agree() {
	local out
	if out=$("$PY" -c '
import json, sys
keys = {
    "reachable": lambda o: o["tcp_ms"] is not None,
    "socks5": lambda o: o["socks5"],
    "socks4": lambda o: o["socks4"],
    "socks4a": lambda o: o["socks4a"],
    "noauth": lambda o: "noauth" in o["methods"],
    "gssapi": lambda o: "gssapi" in o["methods"],
    "userpass": lambda o: "userpass" in o["methods"],
    "auth": lambda o: o["auth"] == "ok",
    "connect": lambda o: o["connect"] == "ok",
}
bad = []
n = 0
for line in open(sys.argv[1]):
    o = json.loads(line)
    n += 1
    want = sorted(w for w, f in keys.items() if not f(o))
    got = sorted(o["expect"]["failed"])
    if want != got:
        bad.append("%s: failed %s, but the JSON keys say %s" % (o["server"], got, want))
    if o["expect"]["met"] != (not want) or o["ok"] != (not want):
        bad.append("%s: met %s, ok %s" % (o["server"], o["expect"]["met"], o["ok"]))
print("\n".join(bad) if bad else "%d servers" % n)
sys.exit(1 if bad or n == 0 else 0)
' "$SC_OUT" 2>&1); then
		ok "$1: each --expect word agrees with its JSON key ($out)"
	else
		fail "$1: --expect and the JSON keys disagree:"
		printf '%s\n' "$out" | sed 's/^/       | /'
		_sc_context
	fi
}

start_microsocks -u probeuser -P probepass
MA=127.0.0.1:$MS_PORT
CLOSED=127.0.0.1:$(free_port)
hport=$(free_port)
start_bg http "$PY" -m http.server -b 127.0.0.1 "$hport"
wait_listen "$hport" "$BG_PID" 5 || die "http.server did not start"
H=127.0.0.1:$hport

have_danted=0
if { command -v danted >/dev/null 2>&1 || [ -x /usr/sbin/danted ]; } && [ "$(id -u)" = 0 ]; then
	start_danted none
	D=127.0.0.1:$DANTED_PORT
	start_echo # a target of the test's own, for --target
	have_danted=1
else
	note "danted not available (or not root): its checks are skipped"
fi

# ---------------------------------------------------------------- 1. --expect = JSON keys
if [ "$have_danted" = 1 ]; then
	# Its own address as the target: SOCKS4 CONNECT refused (0x5b), yet it
	# speaks SOCKS4.
	sc --timeout 30 -- -w "$W" -j probe --target "$D" --expect '!socks4' "$D"
	expect_rc "danted, --expect !socks4: it speaks SOCKS4" 1
	jcheck "danted, --expect !socks4" 'o["socks4"], o["socks4_connect"], o["expect"]["met"], o["expect"]["failed"], o["ok"]' \
		"True refused False ['!socks4'] False"
	sc --timeout 30 -- -w "$W" -j probe --target "$D" --expect socks4 "$D"
	expect_rc "danted, --expect socks4: refused, but SOCKS4" 0
	jcheck "danted, --expect socks4" 'o["summary"], o["expect"]["met"]' "SOCKS4 and SOCKS5 True"
	sc --timeout 30 -- -w "$W" probe --expect no-socks4 "$D"
	expect_rc "danted, --expect no-socks4 (table)" 1
	expect_row "danted, --expect no-socks4: shown" "$D" 'expected no-socks4'

	# Only SOCKS4 granted: "connect" is the SOCKS5 CONNECT ("connect":"skipped").
	sc --timeout 30 -- -w "$W" -j probe --steps s4-connect --target "127.0.0.1:$ECHO_PORT" --expect connect "$D"
	expect_rc "danted, SOCKS4 granted, --expect connect" 1
	jcheck "danted, SOCKS4 granted, --expect connect" 'o["socks4_connect"], o["connect"], o["expect"]["failed"]' \
		"ok skipped ['connect']"
	sc --timeout 30 -- -w "$W" -j probe --steps s4-connect --target "127.0.0.1:$ECHO_PORT" --expect '!connect,socks4' "$D"
	expect_rc "danted, SOCKS4 granted, --expect !connect,socks4" 0

	sc --timeout 30 -- -w "$W" -j probe --expect "$ALL" "$D"
	agree "danted, own address"
	sc --timeout 30 -- -w "$W" -j probe --target "127.0.0.1:$ECHO_PORT" --expect "$ALL" "$D"
	agree "danted, echo target"
	sc --timeout 30 -- -w "$W" -j probe --steps s4-connect --target "127.0.0.1:$ECHO_PORT" --expect "$ALL" "$D"
	agree "danted, --steps s4-connect"
fi

# auth: "auth":"ok" also when s5-auth did not run but CONNECT authenticated.
sc --timeout 30 -- -w "$W" -j probe --steps s5-connect --expect auth,connect "socks5://probeuser:probepass@$MA"
expect_rc "microsocks, --steps s5-connect, --expect auth,connect" 0
jcheck "microsocks, --steps s5-connect" 'o["auth"], o["connect"], o["expect"]["met"]' "ok ok True"
sc --timeout 30 -- -w "$W" -j probe --steps s5-connect --expect "$ALL" "socks5://probeuser:probepass@$MA"
agree "microsocks with credentials, --steps s5-connect"
sc --timeout 30 -- -w "$W" -j probe --expect "$ALL" "socks5://probeuser:probepass@$MA"
agree "microsocks with credentials"
sc --timeout 30 -- -w "$W" -j -U probeuser:wrong probe --expect "$ALL" "$MA"
agree "microsocks, wrong credentials"
sc --timeout 30 -- -w "$W" -j probe --expect "$ALL" "$CLOSED"
agree "a closed port"

# Every --expect word is documented in the OPTIONS entry, one .It each.
missing=
for w in ${ALL//,/ } bind udp; do
	awk '/^\.It Fl -expect/ { on = 1 } on && /^\.It Fl -?h/ { on = 0 } on' "$MAN" |
		grep -qx "\.It Cm $w" || missing="$missing $w"
done
[ -z "$missing" ] && ok "man page: every --expect word has its own line" ||
	fail "man page: --expect words without a line:$missing"

# ---------------------------------------------------------------- 2. no SOCKS step ran
REACH_ADDR=$MA
[ "$have_danted" = 1 ] && REACH_ADDR=$D
sc --timeout 30 -- -w "$W" -j probe --steps tcp "$REACH_ADDR"
expect_rc "--steps tcp: reached" 0
jcheck "--steps tcp" 'o["verdict"], o["ok"], "not SOCKS" in o["summary"], "peer" in o' "reachable True False False"
jcheck "--steps tcp: one step" '[(s["step"], s["status"]) for s in o["steps"]]' "[('tcp', 'ok')]"
sc --timeout 30 -- -w "$W" probe --steps tcp "$REACH_ADDR"
expect_rc "--steps tcp (table)" 0
expect_row "--steps tcp (table)" "$REACH_ADDR" 'reachable: not probed for SOCKS$'
sc --timeout 30 -- -w "$W" -j probe --steps tcp --expect reachable "$REACH_ADDR"
expect_rc "--steps tcp --expect reachable" 0
sc --timeout 30 -- -w "$W" -j probe --steps tcp --expect socks5 "$REACH_ADDR"
expect_rc "--steps tcp --expect socks5: --expect still decides" 1
jcheck "--steps tcp --expect socks5" 'o["verdict"], o["ok"], o["expect"]["failed"]' "reachable False ['socks5']"
# The sniff alone cannot tell what a SOCKS server is either...
sc --timeout 30 -- -w "$W" -j probe --steps tcp,http-sniff "$REACH_ADDR"
expect_rc "--steps tcp,http-sniff on a SOCKS server" 0
jcheck "--steps tcp,http-sniff on a SOCKS server" 'o["verdict"], o["ok"]' "reachable True"
# ...but what it recognises is still named (control).
sc --timeout 30 -- -w "$W" -j probe --steps tcp,http-sniff "$H"
expect_rc "--steps tcp,http-sniff on an HTTP server" 1
jcheck "--steps tcp,http-sniff on an HTTP server" 'o["verdict"], o["peer"]' "not-socks http"
# A SOCKS step that ran still judges (control), as does a closed port.
sc --timeout 30 -- -w "$W" -j probe --steps tcp,s5-noauth "$H"
expect_rc "--steps tcp,s5-noauth on an HTTP server" 1
jcheck "--steps tcp,s5-noauth on an HTTP server" 'o["verdict"]' "not-socks"
sc --timeout 30 -- -w "$W" -j probe --steps tcp "$CLOSED"
expect_rc "--steps tcp, closed port" 1
jcheck "--steps tcp, closed port" 'o["verdict"], o["ok"]' "unreachable False"
awk '/^\.It Li verdict/ { on = 1; next } on && /^\.It Li / { on = 0 } on' "$MAN" | grep -q '^\.Li reachable' &&
	ok "man page: the verdict reachable is documented" || fail "man page: verdict reachable not documented"

# ---------------------------------------------------------------- 3. socks4_connect's words
# The statuses the man page lists for a step (.Li status .Po ... .Pc).
"$PY" -c '
import re, sys
t = open(sys.argv[1]).read()
t = t[t.index(".Sh PROBE"):]
t = t[t.index(".Li status\n.Po") + 10:]
t = t[:t.index(".Pc")]
print(" ".join(re.findall(r"^\.Li ([a-z-]+)", t, re.M)))
' "$MAN" >"$T/statuses"
grep -qw ok "$T/statuses" && ok "man page statuses: $(cat "$T/statuses")" || fail "no status list in the man page"
s4_documented() { # WHAT
	local v
	v=$("$PY" -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["socks4_connect"])' "$SC_OUT")
	if grep -qw -- "$v" "$T/statuses"; then
		ok "$1: socks4_connect '$v' is a documented status"
	else
		fail "$1: socks4_connect '$v' is not among the documented statuses"
	fi
}
sc --timeout 30 -- -w "$W" -j probe --steps s5-noauth "socks5://probeuser:probepass@$MA"
jcheck "--steps s5-noauth: s4-connect left out" 'o["socks4_connect"]' "skipped"
s4_documented "--steps s5-noauth"
sc --timeout 30 -- -w "$W" -j probe --steps tcp "$MA"
jcheck "--steps tcp: s4-connect left out" 'o["socks4_connect"]' "skipped"
s4_documented "--steps tcp"
sc --timeout 30 -- -w "$W" -j probe "socks5://probeuser:probepass@$MA"
s4_documented "every step"
if [ "$have_danted" = 1 ]; then
	sc --timeout 30 -- -w "$W" -j probe --target "127.0.0.1:$ECHO_PORT" "$D"
	jcheck "danted: s4-connect ran" 'o["socks4_connect"]' "ok"
fi

finish
