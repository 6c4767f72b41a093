#!/usr/bin/env bash
# sockscope probe: what the input can hold and how it is shown.  A server
# line that does not parse never shows its password (unless --show-secrets);
# a failed RFC 1929 login is no refused CONNECT; a socks4:// user without a
# password skips s5-auth; -f of a directory, of /dev/zero or with an
# over-long line is a usage error; bytes that are not printable are escaped
# in the table and in the JSON; an empty --expect is refused; S5 is "-" when
# no SOCKS5 step ran.
. "$(dirname "$0")/lib.sh"
need_sockscope
unset SOCKSCOPE_PASSWORD

W=2
PW=S3cr3tPW

# jline N EXPR: a python expression over the JSON object `o` of line N.
jline() {
	"$PY" -c '
import json, sys
n, expr = int(sys.argv[1]), sys.argv[2]
lines = open(sys.argv[3], "rb").read().splitlines()
o = json.loads(lines[n - 1]) if len(lines) >= n else {}
v = eval(expr)
print(" ".join(map(str, v)) if isinstance(v, tuple) else v)
' "$1" "$2" "$SC_OUT" 2>&1
}
expect_jline() { # WHAT N EXPR VALUE
	local got
	got=$(jline "$2" "$3")
	if [ "$got" = "$4" ]; then
		ok "$1: $3 is $4"
	else
		fail "$1: $3 is '$got', expected '$4'"
		_sc_context
	fi
}
# no_secret WHAT: the password appears in neither stdout nor stderr.
no_secret() {
	if grep -aq -- "$PW" "$SC_OUT" "$SC_ERR"; then
		fail "$1: the password is shown: $(grep -ah -- "$PW" "$SC_OUT" "$SC_ERR" | head -n 2)"
	else
		ok "$1: the password is nowhere in stdout or stderr"
	fi
}

start_microsocks -u alice -P "$PW"
M=127.0.0.1:$MS_PORT

# ---------------------------------------------------------------- 1. secrets
printf '%s\n' "socks5://alice:$PW@127.0.0.1:99999" "socks9://alice:$PW@127.0.0.1:1" \
	"socks5://alice:$PW@[::1:1" "socks5://alice:$PW@" >"$T/bad.txt"
sc --timeout 20 -- probe -f "$T/bad.txt"
expect_rc "unparsable lines (table)" 1
no_secret "unparsable lines (table)"
expect_row "bad port: host:port without credentials" "127.0.0.1:99999" "error: bad port '99999'"
expect_row "bad scheme: host:port without credentials" "127.0.0.1:1" "error: bad proxy 'socks9://'"
expect_row "no closing ]: host:port without credentials" "[::1:1" "no closing"
expect_row "nothing after the user: the password masked" "socks5://alice:********@" "error: "
sc --timeout 20 -- -j probe -f "$T/bad.txt"
expect_rc "unparsable lines (JSON)" 1
no_secret "unparsable lines (JSON)"
expect_jline "bad port: JSON server" 1 'o["server"], o["verdict"]' "127.0.0.1:99999 error"
expect_jline "bad scheme: JSON server" 2 'o["server"]' "127.0.0.1:1"
expect_jline "no closing ]: JSON server" 3 'o["server"]' "[::1:1"
expect_jline "nothing after the user: JSON server" 4 'o["server"]' "socks5://alice:********@"
sc --timeout 20 -- --show-secrets -j probe -f "$T/bad.txt"
if grep -q -- "alice:$PW@127.0.0.1:99999" "$SC_OUT"; then
	ok "--show-secrets: the line is shown as given (control)"
else
	fail "--show-secrets: the password is not shown: $(head -c 300 "$SC_OUT")"
fi

# ---------------------------------------------------------------- 2. failed login
sc --timeout 30 -- -w "$W" -j probe "socks5://alice:wrong@$M"
expect_jline "wrong password: auth failed, CONNECT not attempted" 1 'o["auth"], o["connect"]' "failed skipped"
expect_jline "wrong password: notes" 1 'any("CONNECT not attempted: authentication failed" == n for n in o["notes"]), any("CONNECT refused" in n for n in o["notes"])' "True False"
sc --timeout 30 -- -w "$W" probe "socks5://alice:wrong@$M"
expect_row "wrong password: table" "$M" ' yes +userpass +fail +- +no +no .*credentials rejected; CONNECT not attempted: authentication failed'
if grep -q 'no(02)\|CONNECT refused' "$SC_OUT"; then
	fail "wrong password: the auth STATUS is shown as a REP: $(row "$M")"
else
	ok "wrong password: no REP code from the auth phase"
fi
sc --timeout 30 -- -w "$W" -j probe "socks5://alice:$PW@$M"
expect_jline "right password (control)" 1 'o["auth"], o["connect"]' "ok ok"

# ---------------------------------------------------------------- 3. socks4 user, no password
sc --timeout 30 -- -w "$W" -j probe --steps s5-connect,s5-auth "socks4://alice@$M"
expect_rc "socks4:// user, SOCKS5 steps" 0
expect_jline "socks4:// user: SOCKS5 seen" 1 'o["verdict"], o["socks5"]' "socks True"
expect_jline "socks4:// user: s5-auth skipped" 1 '[(s["step"], s["status"]) for s in o["steps"]][0], o["auth"]' "('s5-auth', 'skipped') none"
expect_jline "socks4:// user: no step errs" 1 'any(s["status"] == "error" or "cannot encode" in s.get("detail", "") for s in o["steps"])' "False"
sc --timeout 30 -- -w "$W" probe --steps s5-connect,s5-auth "socks4://alice@$M"
expect_row "socks4:// user: table" "$M" '^[^ ]+ +yes +- +- +- '
SOCKSCOPE_PASSWORD=$PW sc --timeout 30 -- -w "$W" -j probe --steps s5-connect,s5-auth "socks4://alice@$M"
expect_jline "socks4:// user with SOCKSCOPE_PASSWORD" 1 'o["auth"], o["connect"]' "ok ok"
# an s5-auth that errs (a short STATUS) after the method selection 05 02:
# SOCKS5 all the same, and the table says what the JSON says
start_badserver auth-malformed --count 10 --lifetime 60
B=127.0.0.1:$BAD_PORT
sc --timeout 30 -- -w "$W" -j probe --steps s5-auth "socks5://u:p@$B"
expect_jline "s5-auth errs: SOCKS5 seen, auth error" 1 'o["verdict"], o["socks5"], o["auth"]' "socks True error"
sc --timeout 30 -- -w "$W" probe --steps s5-auth "socks5://u:p@$B"
expect_row "s5-auth errs: table AUTH as the JSON" "$B" '^[^ ]+ +yes +- +error +- '

# ---------------------------------------------------------------- 4. -f that cannot be read
mkdir "$T/dir"
sc --timeout 10 -- probe -f "$T/dir"
expect_rc "-f DIR" 2
expect_err "-f DIR: the file is named" "^sockscope probe: -f $T/dir: Is a directory"
sc --timeout 10 -- probe -f /dev/zero
expect_rc "-f /dev/zero" 2
expect_err "-f /dev/zero: file and line named" "^sockscope probe: -f /dev/zero: line 1 is longer than 8191 bytes"
{ printf '%s\n' "$M"; head -c 8192 /dev/zero | tr '\0' x; printf '\n'; } >"$T/long.txt"
sc --timeout 10 -- -w "$W" probe -f "$T/long.txt"
expect_rc "-f with a line of 8192 bytes" 2
expect_err "-f long line: file and line named" "^sockscope probe: -f $T/long.txt: line 2 is longer than 8191 bytes"
[ ! -s "$SC_OUT" ] && ok "-f long line: nothing probed" || fail "-f long line: stdout has $(head -c 200 "$SC_OUT")"
sc --in "$T/long.txt" --timeout 10 -- -w "$W" probe -f -
expect_rc "-f - with a line of 8192 bytes" 2
expect_err "-f -: line named" "line 2 is longer than 8191 bytes"
{ head -c 8191 /dev/zero | tr '\0' x; printf '\n'; } >"$T/max.txt"
sc --timeout 10 -- -w "$W" -j probe -f "$T/max.txt"
expect_rc "-f with a line of 8191 bytes: read (and refused as a server)" 1
expect_jline "8191 bytes: an error object" 1 'o["verdict"]' "error"

# ---------------------------------------------------------------- 5. bytes not printable
printf 'socks5://h\xff\x1bx:1\n' >"$T/w.txt"
sc --timeout 10 -- -j probe -f "$T/w.txt"
expect_rc "non-UTF-8 host (JSON)" 1
expect_jline "non-UTF-8 host: server and detail kept" 1 '"server" in o and "detail" in o, o.get("server")' 'True h\xff\x1bx:1'
if LC_ALL=C grep -aq "$(printf '[\033\377]')" "$SC_OUT"; then
	fail "non-UTF-8 host: raw bytes in the JSON"
else
	ok "non-UTF-8 host: JSON holds no raw ESC or 0xff"
fi
sc --timeout 10 -- probe -f "$T/w.txt"
expect_rc "non-UTF-8 host (table)" 1
if LC_ALL=C grep -aq "$(printf '[\033\377]')" "$SC_OUT"; then
	fail "non-UTF-8 host: raw bytes in the table: $(od -c "$SC_OUT" | grep -E '033|377' | head -n 2)"
else
	ok "non-UTF-8 host: the table holds no raw ESC or 0xff"
fi
expect_row "non-UTF-8 host: escaped in label and detail" 'h\xff\x1bx:1' "error: bad host name 'h.xff.x1bx'"

# ---------------------------------------------------------------- 6. empty --expect
for e in '' ',' 'socks5,' 'socks5,,noauth'; do
	sc --timeout 20 -- -w "$W" probe --expect "$e" "$M"
	expect_rc "--expect '$e'" 2
	expect_err "--expect '$e': named" "^sockscope probe: --expect: "
done

# ---------------------------------------------------------------- 7. S5 not probed
if { command -v danted >/dev/null 2>&1 || [ -x /usr/sbin/danted ]; } && [ "$(id -u)" = 0 ]; then
	start_danted none
	D=127.0.0.1:$DANTED_PORT
	sc --timeout 20 -- -w "$W" probe --steps s4a-connect "$D"
	expect_row "--steps s4a-connect: S5 not probed" "$D" "^[^ ]+ +- +- +- +- +- +no\(5b\) "
	sc --timeout 20 -- -w "$W" probe --steps s5-noauth,s4a-connect "$D"
	expect_row "--steps s5-noauth,s4a-connect: S5 probed (control)" "$D" "^[^ ]+ +yes +noauth "
else
	note "danted not available (or not root): the S5 column check is skipped"
fi

finish
