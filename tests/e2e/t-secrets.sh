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

# ------------------------------------------------------------ the search

cat >"$T/scan.py" <<'EOF'
"""scan.py SECRET FILE...: exit 1 and name every form of SECRET found.

Forms: the text; its hex in either case with the bytes contiguous or
separated by blanks, colons or line breaks (as hex views and JSON print
them); its base64 in any of the three alignments it can take inside a
longer encoded run; and all of these again after undoing vis(3) octal
escapes (libedit's history file) and \\xNN escapes (sockscope's own text
escaping).  Prints "found FORM in FILE" per hit and nothing else."""
import base64, re, sys

secret = sys.argv[1].encode()
hexre = re.compile(rb"[\s:]*".join(b"%02x" % c for c in secret), re.I)
b64 = set()
for k in range(3):
    enc = base64.b64encode(b"\0" * k + secret)
    # Drop the characters the prefix and the padding touch.
    start = (k * 8 + 5) // 6
    end = len(enc) - enc.count(b"=") - 1
    core = enc[start:end]
    if len(core) >= 6:
        b64.add(core)

def unvis(data):
    return re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m.group(1), 8) & 0xFF]), data)

def unx(data):
    return re.sub(rb"\\x([0-9a-fA-F]{2})", lambda m: bytes([int(m.group(1), 16)]), data)

hits = []
for path in sys.argv[2:]:
    try:
        raw = open(path, "rb").read()
    except OSError:
        continue
    seen = set()
    for data in (raw, unvis(raw), unx(raw), raw.replace(b"\0", b" ")):
        if secret in data:
            seen.add("text")
        if hexre.search(data):
            seen.add("hex")
        for core in b64:
            if core in data:
                seen.add("base64")
    for form in sorted(seen):
        hits.append("found %s in %s" % (form, path))
print("\n".join(hits))
sys.exit(1 if hits else 0)
EOF

# Sanity: the scanner finds every form it claims to.
printf 'x %s y\n' "$PW" >"$T/probe.1"
printf '%s' "$PW" | od -An -tx1 | tr 'a-f' 'A-F' >"$T/probe.2"
printf 'zz%s\n' "$(printf 'ab%s' "$PW" | base64)" >"$T/probe.3"
printf '%s' "$PW" | sed 's/-/\\055/g' >"$T/probe.4"
for i in 1 2 3 4; do
	"$PY" "$T/scan.py" "$PW" "$T/probe.$i" >/dev/null && die "scan.py misses form $i"
done
"$PY" "$T/scan.py" "$PW" /dev/null >/dev/null || die "scan.py finds a secret in nothing"

# no_secret WHAT SECRET FILE...: none of FILEs holds SECRET in any form.
no_secret() {
	local what=$1 secret=$2 hits
	shift 2
	if hits=$("$PY" "$T/scan.py" "$secret" "$@"); then
		ok "$what: no trace of the password"
	else
		fail "$what: the password leaked"
		printf '%s\n' "$hits" | sed 's/^/       /'
		local f
		for f in "$@"; do
			grep -n -a -i -F -e "$secret" -e "$(printf '%s' "$secret" | od -An -tx1 | sed 's/^ //')" \
				"$f" 2>/dev/null | head -5 | cut -c1-200 | sed "s|^|       ${f##*/}: |"
		done
	fi
}
# no_leak WHAT: neither password in the last run's stdout and stderr.
no_leak() {
	no_secret "$1" "$PW" "$SC_OUT" "$SC_ERR"
	no_secret "$1 (wrong password)" "$WRONG" "$SC_OUT" "$SC_ERR"
}
expect_stdout_re() {
	if grep -Eq -- "$2" "$SC_OUT"; then
		ok "$1"
	else
		fail "$1: stdout does not match /$2/"
		_sc_context
	fi
}
# has_secret WHAT FORM FILE...: the control: the search finds FORM (text/hex).
has_secret() {
	local what=$1 form=$2 hits
	shift 2
	hits=$("$PY" "$T/scan.py" "$PW" "$@")
	if printf '%s\n' "$hits" | grep -q "^found $form "; then
		ok "$what: --show-secrets shows it ($form)"
	else
		fail "$what: --show-secrets: no $form form of the password found"
		_sc_context
	fi
}

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

phex=$(printf '%s' "$PW" | od -An -tx1 | tr -s ' \n' ' ')
uhex=$(printf '%s' "$USER" | od -An -tx1 | tr -s ' \n' ' ')
plen=$(printf '%02x' "${#PW}")
ulen=$(printf '%02x' "${#USER}")
AUTH="01 $ulen $uhex $plen $phex"
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

# ------------------------------------------------------------ probe

sc -- -w 3 -j probe "socks5://$USER:$PW@$MA"
no_leak "probe -j, URL"
grep -q '"server"' "$SC_OUT" && ok "probe -j printed JSON" || fail "probe -j printed no JSON"
sc -- -w 3 probe "socks5://$USER:$PW@$MA"
no_leak "probe table, URL"
sc -- -w 3 -j -U "$USER:$PW" probe "socks5://$MA"
no_leak "probe -j -U"
sc -- -w 3 -j -v probe "socks5://$USER:$WRONG@$MA"
no_leak "probe -j -v, wrong password"
printf 'socks5://%s:%s@%s\n' "$USER" "$PW" "$MA" >"$T/probe.list"
sc -- -w 3 -j probe -f "$T/probe.list"
no_leak "probe -j -f FILE"
sc -- -w 3 -v -X probe --steps s5-auth "socks5://$USER:$PW@$MA"
no_leak "probe -v -X, URL"
grep -q 'PASSWD' "$SC_ERR" && ok "probe -X showed the RFC 1929 request" || fail "probe -X showed no RFC 1929 request"
# The control.
sc -- -w 3 -X --show-secrets probe --steps s5-auth "socks5://$USER:$PW@$MA"
has_secret "probe -X --show-secrets" text "$SC_ERR"
has_secret "probe -X --show-secrets" hex "$SC_ERR"

# ------------------------------------------------------------ while it runs

# cmdline_check WHAT ARGS...: runs sockscope against a silent server (so it
# blocks in the greeting), and once the server saw the connection, reads
# /proc/PID/cmdline and /proc/PID/limits.
cmdline_check() {
	local what=$1 pid i env=()
	shift
	start_badserver silent --count 20 --lifetime 20
	local B=127.0.0.1:$BAD_PORT
	case $1 in --env) env=(env "SOCKSCOPE_PASSWORD=$PW"); shift ;; esac
	"${env[@]}" "$SOCKSCOPE" "${@//@BAD@/$B}" </dev/null >"$T/bg.out" 2>"$T/bg.err" &
	pid=$!
	track_pid "$pid"
	for ((i = 0; i < 100; i++)); do
		grep -q 'ACCEPT' "$BAD_LOG" 2>/dev/null && break
		alive "$pid" || break
		sleep 0.05
	done
	if ! grep -q 'ACCEPT' "$BAD_LOG" 2>/dev/null || ! alive "$pid"; then
		fail "$what: never reached the server (or exited): $(head -c 300 "$T/bg.err")"
		stop_pid "$pid"
		return
	fi
	cat "/proc/$pid/cmdline" >"$T/cmdline" 2>/dev/null
	cat "/proc/$pid/limits" >"$T/limits" 2>/dev/null
	no_secret "$what: /proc/PID/cmdline" "$PW" "$T/cmdline"
	if grep -Eq '^Max core file size +0 +0 ' "$T/limits"; then
		ok "$what: no core dump while the password is held"
	else
		fail "$what: core dumps allowed: $(grep 'core' "$T/limits")"
	fi
	# Not dumpable (PR_SET_DUMPABLE 0): its /proc files belong to root.
	# Only visible to a user other than root.
	if [ "$(id -u)" != 0 ]; then
		if [ "$(stat -c %u "/proc/$pid/environ" 2>/dev/null)" = 0 ]; then
			ok "$what: not dumpable (no ptrace, no /proc/PID/mem by the same user)"
		else
			fail "$what: still dumpable while the password is held"
		fi
	fi
	stop_pid "$pid"
	wait "$pid" 2>/dev/null
	no_secret "$what: its output" "$PW" "$T/bg.out" "$T/bg.err"
}

cmdline_check "one-shot -U" -w 8 -v -X -x "socks5://@BAD@" -U "$USER:$PW" "$D"
cmdline_check "one-shot URL" -w 8 -v -X -x "socks5://$USER:$PW@@BAD@" "$D"
cmdline_check "one-shot URL, --proxy=" -w 8 "--proxy=socks5://$USER:$PW@@BAD@" "$D"
cmdline_check "one-shot SOCKSCOPE_PASSWORD" --env -w 8 -x "socks5://$USER@@BAD@" "$D"
cmdline_check "REPL -c set pass" -w 8 -c "proxy socks5://@BAD@; set user $USER; set pass $PW; set dst $D; send"
cmdline_check "REPL -c proxy URL" -w 8 -c "proxy socks5://$USER:$PW@@BAD@; set dst $D; send"
cmdline_check "REPL -x URL" -w 8 -x "socks5://$USER:$PW@@BAD@" -c "set dst $D; send"
cmdline_check "REPL -c raw" -w 8 -c "proxy socks5://@BAD@; open; raw $AUTH"
cmdline_check "REPL -U" -w 8 -x "socks5://@BAD@" -U "$USER:$PW" -c "set dst $D; send"
cmdline_check "probe URL" -w 8 probe "socks5://$USER:$PW@@BAD@"
cmdline_check "probe -U" -w 8 -U "$USER:$PW" probe "socks5://@BAD@"
# The last -U wins; the one it replaced is blanked all the same.
cmdline_check "one-shot -U twice" -w 8 -x "socks5://@BAD@" -U "$USER:$PW" -U "$USER:other" "$D"
cmdline_check "probe -U twice" -w 8 -U "$USER:$PW" -U "$USER:other" probe "socks5://@BAD@"
cmdline_check "REPL -U twice" -w 8 -x "socks5://@BAD@" -U "$USER:$PW" -U "$USER:other" -c "set dst $D; send"

# decode reading the hex of an RFC 1929 request from a pipe held open: no
# core dump while it holds it.
mkfifo "$T/fifo"
"$SOCKSCOPE" decode <"$T/fifo" >"$T/bg.out" 2>"$T/bg.err" &
pid=$!
track_pid "$pid"
exec 7>"$T/fifo"
printf '%s\n' "$AUTH" >&7
sleep 0.3
if alive "$pid" && grep -Eq '^Max core file size +0 +0 ' "/proc/$pid/limits"; then
	ok "decode: no core dump while it holds the hex"
else
	fail "decode: core dumps allowed (or it died): $(grep core "/proc/$pid/limits" 2>/dev/null)"
fi
exec 7>&-
wait "$pid"
[ $? = 0 ] && ok "decode from the pipe: exit 0" || fail "decode from the pipe failed"
no_secret "decode from a pipe" "$PW" "$T/bg.out" "$T/bg.err"

# ------------------------------------------------------------ malformed URLs

# A password in a URL that does not parse, in every shape: the user before
# the scheme (this crashed one-shot mode), '@' before an unknown scheme, a
# scheme typo, an empty user, several '@'.  Every mode refuses it (exit 2,
# or probe -f's error row) and says so without the password.
MPW="Mf-$$-Qz3"
BADURLS=(
	"alice:$MPW@socks5://127.0.0.1:1080"
	"a:$MPW@http://127.0.0.1:1"
	"socks5:/alice:$MPW@127.0.0.1:1080"
	"socks5://:$MPW@127.0.0.1:1080"
	"alice:$MPW@socks5://x@127.0.0.1:1080"
	"alice:$MPW@socks4a://127.0.0.1:1080/"
)
# err_is WHAT TEXT: stderr is exactly the line TEXT.
err_is() {
	if [ "$(cat "$SC_ERR"; printf x)" = "$2"$'\n'x ]; then
		ok "$1: stderr as expected"
	else
		fail "$1: stderr is not '$2'"
		_sc_context
	fi
}
# no_mleak WHAT: the malformed URL's password in neither stdout nor stderr.
no_mleak() { no_secret "$1" "$MPW" "$SC_OUT" "$SC_ERR"; }
i=0
for u in "${BADURLS[@]}"; do
	i=$((i + 1))
	sc -- -x "$u" 127.0.0.1 7
	expect_rc "malformed URL $i, one-shot: a usage error, no crash" 2
	no_mleak "malformed URL $i, one-shot"
	sc -- -j -z -x "$u" 127.0.0.1 7
	expect_rc "malformed URL $i, one-shot -j -z" 2
	if "$PY" -c 'import json,sys; o=json.load(open(sys.argv[1])); sys.exit(0 if o["exit"] == 2 and o["error"] else 1)' "$SC_OUT" 2>/dev/null; then
		ok "malformed URL $i, -j: the JSON says exit 2 and why"
	else
		fail "malformed URL $i, -j: no JSON with the error on stdout"; _sc_context
	fi
	no_mleak "malformed URL $i, one-shot -j"
	sc -- -c "proxy $u"
	expect_rc "malformed URL $i, REPL proxy" 2
	no_mleak "malformed URL $i, REPL proxy"
	sc -- probe "$u"
	expect_rc "malformed URL $i, probe ARG" 2
	no_mleak "malformed URL $i, probe ARG"
	sc -- -j probe "$u"
	expect_rc "malformed URL $i, probe -j ARG" 2
	no_mleak "malformed URL $i, probe -j ARG"
done
# probe -f: a line that does not parse is that line's error row (exit 1).
printf '%s\n' "${BADURLS[@]}" >"$T/bad.list"
sc -- -w 2 probe -f "$T/bad.list"
expect_rc "malformed URLs, probe -f table" 1
[ "$(grep -c ' error: ' "$SC_OUT")" = "${#BADURLS[@]}" ] && ok "probe -f: an error row per line" ||
	{ fail "probe -f: not an error row per line"; cat "$SC_OUT"; }
no_mleak "malformed URLs, probe -f table"
sc -- -w 2 -j probe -f "$T/bad.list"
expect_rc "malformed URLs, probe -f -j" 1
[ "$(grep -c '"verdict":"error"' "$SC_OUT")" = "${#BADURLS[@]}" ] && ok "probe -f -j: an error object per line" ||
	{ fail "probe -f -j: not an error object per line"; cat "$SC_OUT"; }
no_mleak "malformed URLs, probe -f -j"

# The messages: what is wrong, named.
sc -- -x "alice:$MPW@socks5://127.0.0.1:1080" 127.0.0.1 7
err_is "user before the scheme: said" \
	"sockscope: proxy 1: bad proxy '...@socks5://...': the user goes after the scheme, as in socks5://USER:PASS@HOST:PORT"
sc -- -x "socks5:/127.0.0.1:1080" 127.0.0.1 7
expect_rc "scheme typo socks5:/" 2
err_is "scheme typo socks5:/: the scheme named" \
	"sockscope: proxy 1: bad proxy scheme 'socks5:/': write socks5:// before the host"
sc -- -x "socks5://@127.0.0.1:1080" 127.0.0.1 7
expect_rc "empty user" 2
err_is "empty user: USER named" \
	"sockscope: proxy 1: bad proxy: empty USER (UNAME needs 1 to 255 bytes) before '@': name the user, or leave out the '@'"
# A password typed where no URL belongs, or in a mistyped option.
sc -- "--proxxy=alice:$MPW@127.0.0.1:1080" 127.0.0.1 7
expect_rc "mistyped long option with a URL" 2
no_mleak "mistyped long option with a URL"
sc -- -w "alice:$MPW@127.0.0.1" -x socks5://127.0.0.1:1 127.0.0.1 7
expect_rc "a URL given to -w" 2
no_mleak "a URL given to -w"
# A 100 KB bad value is quoted cut, with its length.
big=$(head -c 100000 /dev/zero | tr '\0' 7)
sc -- -w "x$big" -x socks5://127.0.0.1:1 127.0.0.1 7
expect_rc "-w of 100 KB" 2
[ "$(wc -c <"$SC_ERR")" -lt 300 ] && grep -q '\.\.\.(100001 bytes)' "$SC_ERR" &&
	ok "-w of 100 KB: quoted cut, with its length" || { fail "-w of 100 KB: not cut"; head -c 300 "$SC_ERR"; }

# The REPL turns core dumps off for a line that may hold a password even
# when the URL in it does not parse.
mkfifo "$T/rfifo"
"$SOCKSCOPE" -k <"$T/rfifo" >"$T/r.out" 2>"$T/r.err" &
pid=$!
track_pid "$pid"
exec 8>"$T/rfifo"
printf 'proxy alice:%s@socks5://127.0.0.1:1080\n' "$MPW" >&8
for _ in $(seq 40); do grep -q 'bad proxy' "$T/r.err" 2>/dev/null && break; sleep 0.05; done
if alive "$pid" && grep -Eq '^Max core file size +0 +0 ' "/proc/$pid/limits"; then
	ok "REPL: no core dump after a malformed URL with a password"
else
	fail "REPL: core dumps allowed after a malformed URL with a password: $(grep core "/proc/$pid/limits" 2>/dev/null)"
fi
exec 8>&-
wait "$pid"
no_secret "REPL on a pipe, malformed URL" "$MPW" "$T/r.out" "$T/r.err"

# On a terminal the REPL writes its history file: without that line.
cat >"$T/hist.py" <<'PYEOF'
import os, select, sys, time
sys.path.insert(0, os.environ["E2E_DIR"])
from ptyctl import spawn_on_tty
pid, m, s = spawn_on_tty(sys.argv[2:])
os.close(s)
buf = b""
def until(pat, secs=5):
    global buf
    end = time.time() + secs
    while pat not in buf and time.time() < end:
        r, _, _ = select.select([m], [], [], 0.1)
        if r:
            try:
                d = os.read(m, 4096)
            except OSError:
                return False
            if not d:
                return False
            buf += d
    return pat in buf
ok = until(b"> ")
for line in ("proxy alice:%s@socks5://127.0.0.1:1080" % sys.argv[1], "status"):
    buf = b""
    os.write(m, line.encode() + b"\r")
    ok = until(b"> ") and ok
os.write(m, b"quit\r")
end = time.time() + 5
while time.time() < end and os.waitpid(pid, os.WNOHANG)[0] == 0:
    until(b"\0", 0.1)
sys.exit(0 if ok else 1)
PYEOF
mkdir -p "$T/hstate"
if timeout -k 2 30 env XDG_STATE_HOME="$T/hstate" TERM=dumb NO_COLOR=1 "$PY" "$T/hist.py" "$MPW" "$SOCKSCOPE"; then
	ok "REPL on a terminal: the session ran"
else
	fail "REPL on a terminal: no prompt after a command"
fi
hist="$T/hstate/sockscope/history"
if [ -f "$hist" ] && grep -q status "$hist"; then
	ok "the history file is written (it holds 'status')"
	no_secret "the history file, malformed URL" "$MPW" "$hist"
else
	fail "no history file with 'status' at $hist"
fi

# ------------------------------------------------------------ interactive, in tmux

if command -v tmux >/dev/null 2>&1; then
	TM=(tmux -S "$T/tmux.sock" -f /dev/null)
	STATE="$T/state"
	mkdir -p "$STATE"
	screen() {
		local i
		for ((i = 0; i < $2 * 20; i++)); do
			"${TM[@]}" capture-pane -p -S -200 -t sec 2>/dev/null >"$T/pane" &&
				grep -Eq -- "$1" "$T/pane" && return 0
			sleep 0.05
		done
		return 1
	}
	check_screen() {
		if screen "$2" "${3:-5}"; then ok "tmux: $1"; else fail "tmux: $1: no /$2/ on the screen"; sed 's/^/       | /' "$T/pane" | grep -v '^       | $'; fi
	}
	keys() { "${TM[@]}" send-keys -t sec "$@"; }
	"${TM[@]}" new-session -d -x 150 -y 50 -s sec \
		"env XDG_STATE_HOME='$STATE' HOME='$T' TERM=xterm NO_COLOR=1 '$SOCKSCOPE' -w 5; sleep 30"
	track_pid "$("${TM[@]}" display-message -p -t sec '#{pid}')"
	check_screen "prompt" '\[closed\]> ?$'
	keys "proxy socks5://$USER:$PW@$MA" Enter
	check_screen "proxy URL with a password" "proxy socks5://$USER@"
	# Type only at a fresh prompt: typed-ahead text is echoed on a line of
	# its own, where it would look like output.
	check_screen "a fresh prompt" '\]> ?$'
	keys "set pass $PW" Enter
	check_screen "set pass inline" 'password set'
	keys 'set pass' Enter
	check_screen "set pass asks" '^password: *$'
	keys "$PW" Enter
	check_screen "the asked password is taken" 'password set.*$' 
	keys "set dst $D" Enter
	keys 'send' Enter
	check_screen "granted" '\[granted\]> ?$'
	keys 'close' Enter
	keys 'open' Enter
	keys 'raw 05 01 02' Enter
	check_screen "raw greeting" '\[method chosen\]> ?$'
	keys "raw $AUTH" Enter
	check_screen "raw RFC 1929 request" 'STATUS +0x00'
	keys "set dst $D" Enter
	keys 'request' Enter
	check_screen "granted again" '\[granted\]> ?$'
	keys 'show auth' Enter
	keys 'status' Enter
	keys 'history' Enter
	keys 'quit' Enter
	for _ in $(seq 60); do
		[ "$("${TM[@]}" display-message -p -t sec '#{pane_current_command}')" = sleep ] && break
		sleep 0.05
	done
	"${TM[@]}" capture-pane -p -S -200 -t sec >"$T/pane"
	"${TM[@]}" kill-server 2>/dev/null
	# The terminal shows what was typed after each prompt: that is the
	# user's own echo.  Everything sockscope printed must be clean.
	grep -v '\]> ' "$T/pane" >"$T/pane.printed"
	no_secret "tmux: what sockscope printed on the screen" "$PW" "$T/pane.printed"
	grep -q "^password: *$" "$T/pane" && ok "tmux: the asked password was not echoed" ||
		fail "tmux: the no-echo prompt shows something after 'password: '"
	hist="$STATE/sockscope/history"
	if [ -f "$hist" ]; then
		no_secret "tmux: the history file" "$PW" "$hist"
		grep -q 'send' "$hist" && ok "the history file holds the other commands" ||
			fail "the history file lacks 'send'"
		grep -Eq 'raw(\\040| )05(\\040| )01(\\040| )02' "$hist" && ok "a raw line without a password is kept" ||
			fail "the history file lacks 'raw 05 01 02'"
	else
		fail "no history file at $hist"
	fi
else
	note "tmux missing: the interactive case is left out"
fi

finish
