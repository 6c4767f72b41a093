#!/usr/bin/env bash
# sockscope probe against peers that are not what their bytes seem: an echo
# service is "not SOCKS: it echoes" (--expect socks5,socks4 fails), never
# "SOCKS4 and SOCKS5"; a method that was not offered is no "ok" and no
# "socks5"; a reply cut short after its REP carries that REP (code, meaning,
# detail, and the table's note without -v), never the METHOD chosen earlier;
# a socket that connected to itself (a closed port in the ephemeral range)
# is a closed port, not a server; BIND's first reply is titled by its role
# in -v, and a close instead of BIND's reply is explained.
. "$(dirname "$0")/lib.sh"
need_sockscope
unset SOCKSCOPE_PASSWORD

W=2 # -w for every run

# jcheck WHAT EXPR VALUE: a python expression over the first JSON object `o`
# of the last run; step(NAME) is that step's object ({} when absent).
jcheck() {
	local got
	got=$("$PY" -c '
import json, sys
lines = open(sys.argv[2], "rb").read().splitlines()
o = json.loads(lines[0]) if lines else {}
def step(name):
    return next((s for s in o.get("steps", []) if s["step"] == name), {})
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

# ---------------------------------------------------------------- an echo service
start_echo
E=127.0.0.1:$ECHO_PORT
sc --timeout 30 -- -w "$W" probe --expect socks5,socks4 "$E"
expect_rc "echo service, --expect socks5,socks4" 1
expect_row "echo service: its verdict" "$E" '  not SOCKS: it echoes'
expect_row "echo service: no SOCKS column says yes" "$E" '^[^ ]+ +no +- +- +- +- +- '
if row "$E" | grep -q 'SOCKS4 and SOCKS5\|gssapi'; then
	fail "echo service: still called SOCKS: '$(row "$E")'"
else
	ok "echo service: not called SOCKS"
fi
sc --timeout 30 -- -w "$W" -j probe --expect socks5 "$E"
expect_rc "echo service, -j --expect socks5" 1
jcheck "echo service" 'o["verdict"], o["peer"], o["socks5"], o["socks4"], o["methods"]' \
	"not-socks echo False False []"
jcheck "echo service: the step that saw it" 'step("s5-noauth")["status"], step("s5-noauth")["peer"]' \
	"not-socks echo"
jcheck "echo service: its bytes are named" '"05 01 00" in step("s5-noauth")["detail"]' "True"
jcheck "echo service: --expect" 'o["expect"]["failed"], o["ok"]' "['socks5'] False"
jcheck "echo service: later steps skipped" 'step("s4-connect")["status"]' "skipped"

# ---------------------------------------------------------------- a method not offered
start_badserver method-not-offered --count 0 --lifetime 100
NOTOFF=127.0.0.1:$BAD_PORT
sc --timeout 30 -- -w "$W" -j probe --steps s5-noauth,s5-all "$NOTOFF"
expect_rc "method not offered" 1
jcheck "method not offered: s5-noauth is no ok" 'step("s5-noauth")["status"], step("s5-noauth")["code"]' \
	"malformed 2"
jcheck "method not offered: s5-all is no ok" 'step("s5-all")["status"]' "malformed"
jcheck "method not offered: no method, no SOCKS5" 'o["methods"], o["socks5"], o["verdict"]' \
	"[] False broken"
jcheck "method not offered: said in the notes" \
	'any("chose method 0x02, which was not offered (s5-noauth)" in n for n in o["notes"])' "True"
sc --timeout 30 -- -w "$W" probe --steps s5-noauth "$NOTOFF"
expect_row "method not offered: the table" "$NOTOFF" ' no +- .*broken SOCKS.*not offered'

# ---------------------------------------------------------------- a reply cut short after REP
start_badserver rep-07-trunc-2 --count 0 --lifetime 100
B7=127.0.0.1:$BAD_PORT
sc --timeout 30 -- -w "$W" -j probe --steps s5-bind "$B7"
jcheck "BIND answered 05 07, then closed" \
	'step("s5-bind")["status"], step("s5-bind")["code"], step("s5-bind")["meaning"]' \
	"closed 7 command not supported"
jcheck "BIND answered 05 07: the detail names REP" \
	'"REP 0x07 command not supported" in step("s5-bind")["detail"]' "True"
start_badserver rep-02-trunc-2 --count 0 --lifetime 100
C2=127.0.0.1:$BAD_PORT
sc --timeout 30 -- -w "$W" probe --steps s5-noauth,s5-connect "$C2"
expect_row "CONNECT answered 05 02, then closed: the note names REP, without -v" "$C2" \
	'CONNECT: closed.*REP 0x02 connection not allowed by ruleset'
sc --timeout 30 -- -w "$W" -j probe --steps s5-noauth,s5-connect "$C2"
jcheck "CONNECT answered 05 02: code and meaning" \
	'step("s5-connect")["code"], step("s5-connect")["meaning"]' "2 connection not allowed by ruleset"
# Cut short, then silence: the timeout says what did arrive.
start_badserver rep-07-trunc-2-hold --count 0 --lifetime 100
H7=127.0.0.1:$BAD_PORT
sc --timeout 30 -- -w 1 -j probe --steps s5-bind "$H7"
jcheck "BIND answered 05 07, then silence" \
	'step("s5-bind")["status"], step("s5-bind")["code"], "REP 0x07 command not supported" in step("s5-bind")["detail"]' \
	"timeout 7 True"
# A reply that stops before REP names no code at all (not the METHOD's).
start_badserver trunc5-1-close --count 0 --lifetime 100
T1=127.0.0.1:$BAD_PORT
sc --timeout 30 -- -w "$W" -j probe --steps s5-connect "$T1"
jcheck "a reply of one byte: no code" '"code" in step("s5-connect"), "meaning" in step("s5-connect")' \
	"False False"

# ---------------------------------------------------------------- what the flow says
# BIND's first reply is titled by its role in -v; a close instead of BIND's
# reply says what it may mean.
start_badserver rep-00 --count 0 --lifetime 100
B0=127.0.0.1:$BAD_PORT
sc --timeout 30 -- -w "$W" -v probe --steps s5-bind "$B0"
expect_err "-v: BIND's first reply in its role" \
	"^<- $B0 s5-bind: SOCKS5 first BIND reply \(where the server listens\): REP 0x00 succeeded"
start_badserver req-close --count 0 --lifetime 100
RC=127.0.0.1:$BAD_PORT
sc --timeout 30 -- -w "$W" -j probe --steps s5-bind "$RC"
jcheck "BIND closed with no reply: what it may mean" \
	'step("s5-bind")["status"], step("s5-bind")["detail"]' \
	"closed closed with no reply: this server may not support CMD 0x02 (BIND)"

# ---------------------------------------------------------------- a socket connected to itself
# In a network namespace of its own, with one ephemeral port: connecting to
# that port, where nothing listens, makes the socket connect to itself.
# (--target: the default's listener on loopback would take that one port.)
if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null && command -v ip >/dev/null 2>&1 &&
	command -v sysctl >/dev/null 2>&1; then
	SELF=40010
	cat >"$T/netns-sockscope" <<-EOF
		#!/bin/sh
		exec unshare -n sh -c 'ip link set lo up && sysctl -q -w net.ipv4.ip_local_port_range="$SELF $SELF" && exec "\$0" "\$@"' "$SOCKSCOPE" "\$@"
	EOF
	chmod 755 "$T/netns-sockscope"
	SOCKSCOPE="$T/netns-sockscope" sc --timeout 30 -- -w "$W" -j probe --target 127.0.0.1:9 --steps tcp "127.0.0.1:$SELF"
	expect_rc "connected to itself (--steps tcp)" 1
	jcheck "connected to itself: a closed port" 'o["verdict"], step("tcp")["status"], o["tcp_ms"]' \
		"unreachable unreachable None"
	jcheck "connected to itself: said" '"itself" in step("tcp")["detail"]' "True"
	SOCKSCOPE="$T/netns-sockscope" sc --timeout 30 -- -w "$W" probe --target 127.0.0.1:9 "127.0.0.1:$SELF"
	expect_rc "connected to itself, every step" 1
	expect_row "connected to itself: the table" "127.0.0.1:$SELF" ' -  +unreachable: connect: .*itself'
else
	note "no network namespace (needs root and unshare -n): the self-connection checks are skipped"
fi

finish
