#!/usr/bin/env bash
# A password given in argv is blanked from /proc/PID/cmdline at once, and
# never printed, not even in the -v -X trace.
. "$(dirname "$0")/lib.sh"
need_sockscope
start_badserver silent --count 0 --lifetime 110
secret="s3cret-$$-pw"

accepted_more_than() { [ "$(grep -c ACCEPT "$BAD_LOG")" -gt "$1" ]; }

# cmdline_check WHAT ARGS...: run the client in the background against the
# silent server; once it has connected, its cmdline must not hold $secret.
cmdline_check() {
	local what=$1 pid n0 rc
	shift
	n0=$(grep -c ACCEPT "$BAD_LOG")
	"$SOCKSCOPE" "$@" </dev/null >"$T/bg.out" 2>"$T/bg.err" &
	pid=$!
	track_pid "$pid"
	if ! wait_for 5 accepted_more_than "$n0"; then
		fail "$what: the client never connected"
		return
	fi
	if ! alive "$pid"; then
		fail "$what: the client is gone already"
		return
	fi
	if tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$secret"; then
		fail "$what: the password is in /proc/$pid/cmdline: $(tr '\0' ' ' <"/proc/$pid/cmdline")"
	else
		ok "$what: /proc/PID/cmdline holds no password"
	fi
	# The server never answers: -w 2 ends it with a timeout.
	for _ in $(seq 100); do alive "$pid" || break; sleep 0.1; done
	wait "$pid"
	rc=$?
	if [ "$rc" = 5 ]; then ok "$what: exit 5 against a silent server"; else
		fail "$what: exit $rc against a silent server, expected 5"; fi
	if grep -q -- "$secret" "$T/bg.err" "$T/bg.out"; then fail "$what: the password was printed"; else
		ok "$what: the password was not printed"; fi
}

cmdline_check "-U user:pass" -w 2 -U "alice:$secret" -x "socks5://127.0.0.1:$BAD_PORT" 127.0.0.1 9
cmdline_check "--proxy-user=user:pass" -w 2 "--proxy-user=alice:$secret" -x "socks5://127.0.0.1:$BAD_PORT" 127.0.0.1 9
cmdline_check "user:pass@ in the proxy URL" -w 2 -x "socks5://alice:$secret@127.0.0.1:$BAD_PORT" 127.0.0.1 9

# The trace masks PASSWD: auth-fail reads the RFC 1929 request, refuses it.
# The first six bytes of the password as the hex view would show them.
hex=$(printf '%s' "${secret:0:6}" | od -An -tx1 | sed 's/^ //')
start_badserver auth-fail
sc -- -v -X -w 5 -U "alice:$secret" -x "socks5://127.0.0.1:$BAD_PORT" 127.0.0.1 9
expect_rc "-v -X against auth-fail" 6
if grep -q "AUTH user=$(printf alice | od -An -tx1 | tr -d ' \n') pass=$(printf '%s' "$secret" | od -An -tx1 | tr -d ' \n')" "$BAD_LOG"; then
	ok "the server got the password from -U"
else
	fail "the server did not get user alice and the password: $(grep AUTH "$BAD_LOG")"
fi
if grep -q -- "$secret" "$SC_ERR" "$SC_OUT" || grep -qi -- "$hex" "$SC_ERR"; then
	fail "-v -X shows the password"
else
	ok "-v -X masks the password"
fi

# SOCKSCOPE_PASSWORD supplies the password when -U has none.
start_badserver auth-fail
SOCKSCOPE_PASSWORD=$secret sc -- -w 5 -U alice -x "socks5://127.0.0.1:$BAD_PORT" 127.0.0.1 9
expect_rc "SOCKSCOPE_PASSWORD" 6
if grep -q "pass=$(printf '%s' "$secret" | od -An -tx1 | tr -d ' \n')" "$BAD_LOG"; then
	ok "SOCKSCOPE_PASSWORD: the server got it"
else
	fail "SOCKSCOPE_PASSWORD: the server got $(grep AUTH "$BAD_LOG")"
fi

# A SOCKSCOPE_PASSWORD over 255 bytes is refused in every mode, naming it,
# with nothing sent.
long=$(printf 'p%.0s' $(seq 256))
start_badserver silent
n0=$(grep -c 'ACCEPT' "$BAD_LOG" 2>/dev/null || true)
SOCKSCOPE_PASSWORD=$long sc -- -w 5 -U alice -x "socks5://127.0.0.1:$BAD_PORT" 127.0.0.1 9
expect_rc "SOCKSCOPE_PASSWORD of 256 bytes, connect" 2
expect_err "SOCKSCOPE_PASSWORD of 256 bytes, connect" "SOCKSCOPE_PASSWORD is longer than 255 bytes"
SOCKSCOPE_PASSWORD=$long sc -- -w 5 -U alice -x "socks5://127.0.0.1:$BAD_PORT" -c 'show auth'
expect_rc "SOCKSCOPE_PASSWORD of 256 bytes, REPL" 2
expect_err "SOCKSCOPE_PASSWORD of 256 bytes, REPL" "SOCKSCOPE_PASSWORD is longer than 255 bytes"
SOCKSCOPE_PASSWORD=$long sc -- -w 5 -U alice probe "127.0.0.1:$BAD_PORT"
expect_rc "SOCKSCOPE_PASSWORD of 256 bytes, probe" 2
expect_err "SOCKSCOPE_PASSWORD of 256 bytes, probe" "SOCKSCOPE_PASSWORD is longer than 255 bytes"
n1=$(grep -c 'ACCEPT' "$BAD_LOG" 2>/dev/null || true)
[ "$n0" = "$n1" ] && ok "SOCKSCOPE_PASSWORD of 256 bytes: no connection made" ||
	fail "SOCKSCOPE_PASSWORD of 256 bytes: the server saw $((n1 - n0)) connections"

finish
