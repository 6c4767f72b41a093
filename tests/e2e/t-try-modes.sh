#!/usr/bin/env bash
# What users (and attackers) meet when they try each mode by hand: typed text
# that an error quotes (control bytes escaped, passwords masked), options that
# contradict each other or sit after the wrong word, a slow -f pipe, the
# REPL's history and Tab, and a stdout that fails in every shape.
. "$(dirname "$0")/lib.sh"
need_sockscope

# expect_out_has WHAT ERE: stdout matches the extended regex.
expect_out_has() {
	if grep -Eq -- "$2" "$SC_OUT"; then ok "$1: stdout matches /$2/"
	else fail "$1: stdout does not match /$2/: $(head -c 200 "$SC_OUT")"; fi
}

ESC=$'\e]0;pwned\a\e[2J'

# Text typed on the command line, quoted by a usage error, reaches the
# terminal with its control bytes as \xNN, in every mode; nothing is sent.
typed() {
	local what=$1
	shift
	sc --timeout 10 -- "$@"
	expect_rc "$what" 2 && expect_err_plain "$what" && expect_err "$what: quotes it escaped" '\\x1b'
}
typed "one-shot: -x HOST" -x "$ESC" example.com 80
typed "one-shot: target host" -x 127.0.0.1:1 "$ESC" 80
typed "one-shot: target port" -x 127.0.0.1:1 example.com "$ESC"
typed "one-shot: -w" -w "$ESC" -x 127.0.0.1:1 example.com 80
typed "one-shot: --color" --color="$ESC" -x 127.0.0.1:1 example.com 80
typed "one-shot: unknown long option" "--x$ESC" -x 127.0.0.1:1 example.com 80
typed "probe: server" probe "$ESC"
typed "probe: --expect" probe --expect "$ESC" 127.0.0.1:1
typed "probe: --target" probe --target "$ESC" 127.0.0.1:1
typed "probe: -f" probe -f "$T/$ESC"
typed "decode: --color" decode --color="$ESC" 05 01 00
typed "decode: unknown option" decode "--x$ESC" 05 01 00

# decode's options that exclude each other are refused, not decided by order.
for pair in "--client --server" "--server --client" "-4 -5" "-5 -4"; do
	# shellcheck disable=SC2086 # the pair is two words
	sc --timeout 10 -- decode $pair 05 00
	expect_rc "decode $pair" 2 && expect_err "decode $pair: names both" 'exclude each other'
done

# A proxy URL with a path (as pasted from a browser's settings) is said to
# have one, wherever the path starts; not a bad port or host name.
for url in socks5://127.0.0.1:1080/ socks5://127.0.0.1:1080/x socks5://127.0.0.1/x 127.0.0.1/; do
	sc --timeout 10 -- -x "$url" example.com 80
	expect_rc "-x $url" 2 && expect_err "-x $url: names the path" 'a path is not allowed'
done

# probe -f - reads servers as they come from a pipe: a server in flight is
# not held up while the next line is awaited, so its connect time and its
# -w are its own (the first line, then 3 s of silence, then a second line).
start_microsocks
start_badserver silent --count 0 --lifetime 60
mkfifo "$T/slow.fifo"
{ echo "127.0.0.1:$MS_PORT"; echo "127.0.0.1:$BAD_PORT"; sleep 3; echo "127.0.0.1:$MS_PORT"; } >"$T/slow.fifo" &
sc --in "$T/slow.fifo" --timeout 20 -- -w 1 -j probe --steps tcp,s5-noauth -f -
expect_rc "probe -f - from a slow pipe" 0 1
if "$PY" - "$SC_OUT" <<'PYEOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
first = [r for r in rows if r["input"] == 1][0]
silent = [r for r in rows if r["input"] == 2][0]
noauth = [s for s in silent["steps"] if s["step"] == "s5-noauth"][0]
sys.exit(0 if len(rows) == 3 and first["tcp_ms"] < 1000 and noauth["status"] == "timeout"
         and noauth["ms"] < 2000 else 1)
PYEOF
then ok "probe -f -: servers in flight keep their own time while a line is awaited"
else fail "probe -f -: a server in flight waited for the next line: $(head -c 600 "$SC_OUT")"; fi

# REPL: a greeting sent with raw that offers no method, answered FF: the
# flow reads no greeting in it (NMETHODS 0; at least 1 is required) and
# follows the session no further, so the FF is bytes, never "none of those
# offered ()".
start_badserver method-ff --count 1 --lifetime 30
sc --timeout 10 -- -w 3 -x "127.0.0.1:$BAD_PORT" -c 'open; raw 05 00'
expect_rc "repl: raw 05 00, answered FF" 0
if grep -q '^-> 2 bytes, as given (not a SOCKS5 greeting: NMETHODS .*at least 1 is required)$' "$SC_OUT"; then
	ok "repl: raw 05 00: said to be no greeting, naming NMETHODS"
else fail "repl: raw 05 00: not said to be no greeting: $(head -c 600 "$SC_OUT")"; fi
if grep -q 'none of those offered' "$SC_ERR"; then
	fail "repl: raw 05 00: an empty list of offered methods: $(cat "$SC_ERR")"
else ok "repl: raw 05 00: no empty list of offered methods"; fi

# REPL: a password typed with a field name that is none (a typo, pass=...)
# or after an ambiguous command (se) is kept out of the history too.
printf 'se pa hunter1\nset pass=hunter2\nset pw hunter3\nset PASSWD= hunter4\nstatus\nset dst 192.0.2.1:80\nset user bob\nhistory\n' >"$T/typo.in"
sc --in "$T/typo.in" --timeout 10 -- -k -x 127.0.0.1:1
if grep -q hunter "$SC_OUT" "$SC_ERR"; then
	fail "repl: a mistyped set pass is kept: $(grep hunter "$SC_OUT" "$SC_ERR" | head -3)"
else ok "repl: no mistyped password in the history or a message"; fi
grep -q '^ *[0-9]  status$' "$SC_OUT" && grep -q '^ *[0-9]  set dst 192.0.2.1:80$' "$SC_OUT" &&
	grep -q '^ *[0-9]  set user bob$' "$SC_OUT" && ok "repl: the history holds the other commands" ||
	fail "repl: the history lacks 'status': $(head -c 300 "$SC_OUT")"

# probe --commands bind,udp: the table's verdict says what became of them
# (microsocks refuses both with REP 0x07), as it does for CONNECT.
sc --timeout 20 -- -w 3 probe --commands bind,udp "127.0.0.1:$MS_PORT"
expect_rc "probe --commands bind,udp, microsocks" 0 1
expect_row "probe --commands bind,udp: the verdict names BIND" "127.0.0.1:$MS_PORT" 'BIND refused \(0x07\)'
expect_row "probe --commands bind,udp: the verdict names UDP" "127.0.0.1:$MS_PORT" 'UDP ASSOCIATE refused \(0x07\)'

# REPL on a terminal: Tab on `source` lists the files of the directory; a
# file name holding ESC (anyone can leave one in /tmp) is not listed raw.
mkdir -p "$T/cwd" "$T/state"
: >"$T/cwd/plain.txt"
: >"$T/cwd/evil$ESC.txt"
cat >"$T/tab.py" <<'PYEOF'
import os, select, signal, sys, time
sys.path.insert(0, os.environ["E2E_DIR"])
from ptyctl import spawn_on_tty
os.environ.update(TERM="xterm", XDG_STATE_HOME=sys.argv[2])
pid, m, s = spawn_on_tty([sys.argv[1]])
os.close(s)
out = b""
def pump(t):
    global out
    end = time.time() + t
    while time.time() < end:
        r, _, _ = select.select([m], [], [], 0.05)
        if r:
            try:
                d = os.read(m, 65536)
            except OSError:
                return
            if not d:
                return
            out += d
pump(1.0)
os.write(m, b"source \t\t"); pump(1.0)
os.write(m, b"\x03"); pump(0.3)
os.write(m, b"\x04"); pump(1.0)
try:
    os.kill(pid, signal.SIGKILL)
except ProcessLookupError:
    pass
os.waitpid(pid, 0)
listed = b"plain.txt" in out
raw = b"\x1b]0;pwned" in out or b"\x1b[2J" in out
print("listed" if listed else "not listed", "raw" if raw else "clean")
PYEOF
res=$(cd "$T/cwd" && timeout 20 "$PY" "$T/tab.py" "$SOCKSCOPE" "$T/state")
case $res in
"listed clean") ok "repl: Tab lists files, a name with ESC not raw" ;;
*) fail "repl: Tab on source: $res" ;;
esac

# REPL: `history` shows a line that held ESC (typed, or from the history
# file) with it escaped.
printf 'status \033[2J\nhistory\n' >"$T/hist.in"
sc --in "$T/hist.in" --timeout 10 -- -k
if LC_ALL=C grep -q $'\e' "$SC_OUT"; then fail "repl: history prints ESC raw"
else grep -q 'status \\x1b\[2J' "$SC_OUT" && ok "repl: history shows ESC as \\x1b" ||
	fail "repl: history: $(head -c 200 "$SC_OUT")"; fi

# REPL: an error that quotes a typed URL or host shows its ESC as \x1b.
printf 'proxy socks5://a\033[31mb:1080\nproxy socks5://127.0.0.1:1\nset dst a\033[2Jb:80\nconnect h\033]0;x\007 80\n' >"$T/typed.in"
sc --in "$T/typed.in" --timeout 10 -- -k
expect_rc "repl: typed ESC in errors" 2 && expect_err_plain "repl: typed ESC in errors" &&
	expect_err "repl: typed ESC in errors: quoted escaped" 'a\\x1b\[31mb'

# An option before the word decode is named without its value: a password
# in it is not echoed (--proxy=URL, -UUSER:PASS), nor an ESC.
for arg in --proxy=socks5://u:hunter5@h -Uu:hunter5 "--color=$ESC"; do
	sc --timeout 10 -- "$arg" decode 05 01 00
	expect_rc "$arg decode" 2 && expect_err_plain "$arg decode" &&
		expect_err "$arg decode: names the option" "^sockscope: -(-proxy|U|-color) before decode"
	if grep -q hunter5 "$SC_ERR"; then fail "$arg decode: the password is echoed"; else
		ok "$arg decode: no password echoed"; fi
done

# A proxy URL with a password given where a target goes (one-shot, probe
# --target, REPL connect and set dst): the error does not echo the password.
for args in "-x 127.0.0.1:1 socks5://u:hunter6@h:1 80" "-x 127.0.0.1:1 socks5://u:hunter6@h:1" \
	"-x 127.0.0.1:1 u:hunter6@h 80" "probe --target socks5://u:hunter6@h:1 127.0.0.1:1" \
	"-k socks5://u:hunter6@h:1"; do
	# shellcheck disable=SC2086 # the words are the arguments
	sc --timeout 10 -- $args
	expect_rc "$args" 2
	if grep -q hunter6 "$SC_ERR"; then fail "$args: the password is echoed: $(head -c 200 "$SC_ERR")"
	else ok "$args: no password echoed"; fi
done
for cmds in 'connect socks5://u:hunter6@h:1 80' 'set dst socks5://u:hunter6@h:1'; do
	sc --timeout 10 -- -c "$cmds"
	expect_rc "-c $cmds" 2
	if grep -q hunter6 "$SC_ERR"; then fail "-c $cmds: the password is echoed: $(head -c 200 "$SC_ERR")"
	else ok "-c $cmds: no password echoed"; fi
done

# REPL -c: a reader that goes away while a command writes (connect's hex view
# flushed before the reply is awaited) is an orderly end, exit 0, nothing
# said; a closed stdout is said as such (EBADF), not as an I/O error.
start_echo
timeout 20 "$SOCKSCOPE" -w 3 -x "127.0.0.1:$MS_PORT" -c "connect 127.0.0.1 $ECHO_PORT; status" \
	</dev/null 2>"$T/epipe.err" | head -c 0
rc=${PIPESTATUS[0]}
if [ "$rc" = 0 ] && ! grep -q 'standard output' "$T/epipe.err"; then
	ok "repl -c connect | head -c 0: exit 0, nothing said"
else fail "repl -c connect | head -c 0: exit $rc: $(head -c 200 "$T/epipe.err")"; fi
timeout 20 "$SOCKSCOPE" -w 3 -x "127.0.0.1:$MS_PORT" -c "connect 127.0.0.1 $ECHO_PORT; status" \
	</dev/null 2>"$T/ebadf.err" >&-
rc=$?
if [ "$rc" = 7 ] && grep -q 'standard output: Bad file descriptor' "$T/ebadf.err"; then
	ok "repl -c connect >&-: exit 7, says why"
else fail "repl -c connect >&-: exit $rc: $(head -c 200 "$T/ebadf.err")"; fi

# ... and a full disk is said as such, also when it showed first in a flush
# inside the command.
timeout 20 "$SOCKSCOPE" -w 3 -x "127.0.0.1:$MS_PORT" -c "connect 127.0.0.1 $ECHO_PORT; status" \
	</dev/null 2>"$T/enospc.err" >/dev/full
rc=$?
if [ "$rc" = 7 ] && grep -q 'standard output: No space left on device' "$T/enospc.err"; then
	ok "repl -c connect >/dev/full: exit 7, says why"
else fail "repl -c connect >/dev/full: exit $rc: $(head -c 200 "$T/enospc.err")"; fi

# probe: sockscope's own options may come after the word probe, as they may
# anywhere (getopt permutes); after `--` only probe's own are read, and one
# of sockscope's there is refused with where it goes, nothing sent.
sc --timeout 10 -- probe -j -w 3 "127.0.0.1:$MS_PORT"
expect_rc "probe -j -w 3 after the word" 0
if head -n 1 "$SC_OUT" | "$PY" -c 'import json,sys; json.loads(sys.stdin.read())' 2>/dev/null; then
	ok "probe -j after the word: JSON lines"
else fail "probe -j after the word: not JSON: $(head -c 200 "$SC_OUT")"; fi
for opt in "-U alice" "-w 3" "-j"; do
	# shellcheck disable=SC2086 # the option and its value
	sc --timeout 10 -- probe -- $opt "127.0.0.1:$MS_PORT"
	expect_rc "probe -- $opt" 2 && expect_err "probe -- $opt: says where it goes" 'before the word probe'
done

# --help and --version asked for on a stdout that cannot be written: exit 7
# and why, as every other output; a reader gone (EPIPE) is still exit 0.
for args in -h --version "decode -h" "decode -V"; do
	# shellcheck disable=SC2086 # the words are the arguments
	timeout 10 "$SOCKSCOPE" $args >/dev/full 2>"$T/help.err"
	rc=$?
	if [ "$rc" = 7 ] && grep -q 'standard output: No space left on device' "$T/help.err"; then
		ok "$args >/dev/full: exit 7, says why"
	else fail "$args >/dev/full: exit $rc: $(head -c 200 "$T/help.err")"; fi
	# shellcheck disable=SC2086
	timeout 10 "$SOCKSCOPE" $args 2>"$T/help.err" | head -c 0
	rc=${PIPESTATUS[0]}
	[ "$rc" = 0 ] && [ ! -s "$T/help.err" ] && ok "$args | head -c 0: exit 0, nothing said" ||
		fail "$args | head -c 0: exit $rc: $(head -c 200 "$T/help.err")"
done

# probe --help (after the word, as decode --help is) prints the usage.
for h in -h --help; do
	sc --timeout 10 -- probe "$h"
	expect_rc "probe $h" 0 && expect_out_has "probe $h" 'probe: sockscope \[OPTIONS\] probe'
done

finish
