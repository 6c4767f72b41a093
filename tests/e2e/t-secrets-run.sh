#!/usr/bin/env bash
# Secrets, the second half (the first is t-secrets.sh): a password given to
# probe (in its URLs, -U, -f FILE), to a process that is still running
# (/proc/PID/cmdline, no core dumps), and in proxy URLs that do not parse
# never shows up in what sockscope writes, unless --show-secrets; the same
# search as t-secrets.sh (secrets_scan.sh), the same rules.
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
