#!/usr/bin/env bash
# Secrets: a distinctive password, given every way sockscope takes one (-U,
# user:pass@ in the URL, SOCKSCOPE_PASSWORD, the REPL's `set pass` and
# `proxy`, probe's URLs and -U), never shows up in anything sockscope writes
# unless --show-secrets: stdout, stderr, the -j JSON, the -X hex view, the -v
# trace, decode's views, the REPL's history (in memory and on disk), nor in
# /proc/PID/cmdline while it runs.  Searched as text, as hex (either case,
# bytes contiguous or apart, as the hex view prints them), as base64 (every
# alignment), and in the history file after undoing libedit's vis(3)
# encoding.  A wrong password is held to the same rule.  While a password is
# held the process may not dump core (RLIMIT_CORE 0; and, checked when not
# root, PR_SET_DUMPABLE 0).  With --show-secrets the same search
# finds it, which proves the search works.
. "$(dirname "$0")/lib.sh"
need_sockscope
need_cmd microsocks

PW="Pw-$$-Xq9"       # the right password
WRONG="Wr-$$-Zk7"    # a wrong one: it must not be echoed either
USER=alice

. "$E2E_DIR/secrets_scan.sh"

# ------------------------------------------------------------ servers

start_echo
start_microsocks -u "$USER" -P "$PW"
MA=127.0.0.1:$MS_PORT
D=127.0.0.1:$ECHO_PORT

# ------------------------------------------------------------ one-shot

# Each way of giving the password: the arguments before the target.
declare -A HOW
HOW[U]="-x socks5://$MA -U $USER:$PW"
HOW[url]="-x socks5://$USER:$PW@$MA"
HOW[env]="-x socks5://$MA -U $USER"
HOW[envurl]="-x socks5://$USER@$MA"
HOW[chain]="-x socks5://$USER:$PW@$MA -x socks5://$USER:$PW@$MA"

# run_how HOW PASSWORD [SC-OPTIONS...] -- ARGS...: sc with the password
# given as HOW says, then ARGS.
run_how() {
	local how=$1 pass=$2 a scopts=()
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do scopts+=("$1"); shift; done
	shift
	# shellcheck disable=SC2206
	a=(${HOW[$how]//$PW/$pass})
	case $how in
	env*) SOCKSCOPE_PASSWORD=$pass sc "${scopts[@]}" -- "${a[@]}" "$@" ;;
	*) sc "${scopts[@]}" -- "${a[@]}" "$@" ;;
	esac
}

for how in U url env envurl chain; do
	run_how "$how" "$PW" -- -v -X -j -z "$D"
	expect_rc "$how, -v -X -j -z" 0
	no_leak "$how, -v -X -j -z"
	"$PY" -c 'import json,sys; json.load(open(sys.argv[1]))' "$SC_OUT" 2>/dev/null &&
		ok "$how: -z -j JSON on stdout parses" || fail "$how: -z -j JSON does not parse"
	grep -q '"PASSWD"' "$SC_OUT" && ok "$how: JSON has the PASSWD field (masked)" ||
		fail "$how: JSON has no PASSWD field"

	run_how "$how" "$PW" --hold 0.5 --in-str "tunnel line"$'\n' -- -v -X -j "$D"
	expect_rc "$how, -v -X -j, tunnel" 0 && expect_out "$how, tunnel" "tunnel line"$'\n'
	no_leak "$how, -v -X -j, tunnel (JSON on stderr)"

	run_how "$how" "$PW" -- -vv -X "$D"
	no_leak "$how, -vv -X"

	run_how "$how" "$WRONG" -- -v -X -j -z "$D"
	expect_rc "$how, wrong password" 6
	no_leak "$how, wrong password, -v -X -j -z"

	run_how "$how" "$PW" -- -X -j -z --show-secrets "$D"
	expect_rc "$how, --show-secrets" 0
	has_secret "$how -X -j" text "$SC_OUT" "$SC_ERR"
	has_secret "$how -X -j" hex "$SC_OUT" "$SC_ERR"
done

# The hex view alone prints the password's bytes apart ("50 77 2d ..."),
# JSON alone contiguous: each form must be found where it is printed.
run_how U "$PW" -- -X -z --show-secrets "$D"
has_secret "-X alone" hex "$SC_ERR"
run_how U "$PW" -- -j -z --show-secrets "$D"
has_secret "-j alone" hex "$SC_OUT"

# danted, with a system user (root only): its own answers to right and
# wrong passwords.
if [ "$(id -u)" = 0 ] && { command -v danted >/dev/null 2>&1 || [ -x /usr/sbin/danted ]; }; then
	make_test_user
	start_danted username
	sc -- -v -X -j -z -w 5 -x "socks5://127.0.0.1:$DANTED_PORT" -U "$TEST_USER:$TEST_PASS" "$D"
	expect_rc "danted, -U" 0
	no_secret "danted, -v -X -j -z" "$TEST_PASS" "$SC_OUT" "$SC_ERR"
	sc -- -v -X -j -z -w 5 -x "socks5://$TEST_USER:$WRONG@127.0.0.1:$DANTED_PORT" "$D"
	expect_rc "danted, wrong password" 6
	no_secret "danted, wrong password" "$WRONG" "$SC_OUT" "$SC_ERR"
	sc -- -w 5 -c "proxy socks5://127.0.0.1:$DANTED_PORT; set user $TEST_USER; set pass $TEST_PASS; connect $D; status; show auth"
	expect_rc "danted, REPL" 0
	no_secret "danted, REPL" "$TEST_PASS" "$SC_OUT" "$SC_ERR"
else
	note "not root or no danted: the danted cases are left out"
fi

# Servers that fail the auth phase in ways microsocks does not.
for scen in auth-fail auth-malformed; do
	start_badserver "$scen"
	sc -- -v -X -j -z -w 3 -x "socks5://$USER:$PW@127.0.0.1:$BAD_PORT" "$D"
	expect_rc "badserver $scen" 4 6
	no_leak "badserver $scen, -v -X -j -z"
done

# ------------------------------------------------------------ decode

STREAM="05 02 00 02 $AUTH 05 01 00 01 7f 00 00 01 00 50"

sc -- decode $AUTH
expect_rc "decode an RFC 1929 request" 0
no_leak "decode (hex view)"
grep -q 'PASSWD' "$SC_OUT" && ok "decode names PASSWD" || fail "decode shows no PASSWD"
sc -- decode --json $AUTH
expect_rc "decode --json" 0
no_leak "decode --json"
sc --in-str "$STREAM" -- decode --client
expect_rc "decode a whole handshake from stdin" 0
no_leak "decode stdin, greeting + auth + request"
sc --in-str "$STREAM" -- decode --json
no_leak "decode --json stdin"
# Truncated: PLEN says one byte more than there is.
sc -- decode "01 $ulen $uhex $(printf '%02x' $((${#PW} + 1))) $phex"
expect_rc "decode a truncated RFC 1929 request" 4
no_leak "decode truncated"
sc -- decode --json "01 $ulen $uhex $(printf '%02x' $((${#PW} + 1))) $phex"
no_leak "decode --json truncated"
# A greeting that did not offer 02: the 0x01 after it is still RFC 1929
# (a request never starts with 0x01), not bytes dumped in clear.
sc -- decode "05 01 00 $AUTH"
no_leak "decode, greeting without 02, then the auth request"
sc -- decode --json "05 01 00 $AUTH"
no_leak "decode --json, greeting without 02, then the auth request"
# Bytes after it that are no request: the undecoded rest is dumped.
sc -- decode "$AUTH ff ff ff"
no_leak "decode with trailing garbage"
sc -- decode --show-secrets $AUTH
has_secret "decode" text "$SC_OUT"
has_secret "decode" hex "$SC_OUT"
sc -- decode --json --show-secrets $AUTH
has_secret "decode --json" hex "$SC_OUT"

# ------------------------------------------------------------ the REPL, -c

STEPS="set dst $D; open; greet; auth; request; status; show; show auth; history"
sc -- -w 5 -c "proxy socks5://$MA; set user $USER; set pass $PW; $STEPS"
expect_rc "REPL set pass, stepwise" 0
no_leak "REPL -c set pass"
sc -- -w 5 -c "proxy socks5://$USER:$PW@$MA; $STEPS"
expect_rc "REPL proxy user:pass@" 0
no_leak "REPL -c proxy URL"
sc -- -w 5 -x "socks5://$USER:$PW@$MA" -c "$STEPS"
expect_rc "REPL -x user:pass@" 0
no_leak "REPL -x URL"
sc -- -w 5 -x "socks5://$MA" -U "$USER:$PW" -c "$STEPS"
expect_rc "REPL -U" 0
no_leak "REPL -U"
SOCKSCOPE_PASSWORD=$PW sc -- -w 5 -x "socks5://$MA" -U "$USER" -c "$STEPS"
expect_rc "REPL -U USER and SOCKSCOPE_PASSWORD" 0
no_leak "REPL SOCKSCOPE_PASSWORD"
sc -- -w 5 -c "proxy socks5://$MA; set user $USER; set auth.PASSWD $PW; $STEPS"
expect_rc "REPL set auth.PASSWD" 0
no_leak "REPL set auth.PASSWD"
sc -- -w 5 -c "proxy socks5://$MA; set user $USER; set pass $WRONG; set dst $D; send; show auth"
expect_rc "REPL wrong password" 6
no_leak "REPL wrong password"
sc -- -w 5 -c "proxy socks5://$MA; set user $USER; set pass $PW; connect $D; status"
expect_rc "REPL connect shorthand" 0
no_leak "REPL connect"
# An RFC 1929 request typed in hex with `raw`: masked like any other.
sc -- -w 5 -c "proxy socks5://$MA; open; raw 05 01 02; raw $AUTH; status"
expect_rc "REPL raw RFC 1929 request" 0
expect_stdout_re "raw: the server accepted it" 'STATUS +0x00'
no_leak "REPL raw"
# A script, and commands on a stdin that is no terminal (the REPL keeps an
# in-memory history there; `history` prints it).
printf 'proxy socks5://%s\nset user %s\nset pass %s\nset dst %s\nsend\nstatus\nhistory\n' \
	"$MA" "$USER" "$PW" "$D" >"$T/script"
sc -- -w 5 -s "$T/script"
expect_rc "REPL -s script" 0
no_leak "REPL -s"
sc --in "$T/script" -- -w 5
expect_rc "REPL commands on stdin" 0
no_leak "REPL stdin (history command)"
printf 'proxy socks5://%s:%s@%s\nhistory\n' "$USER" "$PW" "$MA" >"$T/script2"
sc --in "$T/script2" -- -w 5
no_leak "REPL stdin, proxy URL then history"
# The control.
sc -- --show-secrets -c "proxy socks5://$MA; set user $USER; set pass $PW; show auth"
has_secret "REPL show auth" text "$SC_OUT"
has_secret "REPL show auth" hex "$SC_OUT"

finish
