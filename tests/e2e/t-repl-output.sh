#!/usr/bin/env bash
# What the REPL writes: a stdout that cannot take it (a full disk) is
# "sockscope: standard output: ..." and exit 7 for -c, -s and commands on
# stdin, and the run stops there; a reader that went away (EPIPE) is an
# orderly end with the status so far, and nothing more is sent.  What the
# user typed comes back in messages escaped, as a server's names do: an
# unknown command, field, value, message, host or file with an ESC in it.
# Server: the scripted badserver, whose log says what arrived.
. "$(dirname "$0")/lib.sh"
need_sockscope

# run_full ARGS...: the client with stdout on /dev/full (stdin from $T/in).
run_full() {
	SC_ARGS="$* >/dev/full"
	timeout --foreground -k 2 20 "$SOCKSCOPE" "$@" <"$T/in" >/dev/full 2>"$SC_ERR"
	SC_RC=$?
	SC_SECS=0
}
# run_gone ARGS...: the client writing to a pipe whose reader has gone.
run_gone() {
	SC_ARGS="$* | (reader gone)"
	"$PY" -c 'import os, subprocess, sys
r, w = os.pipe(); os.close(r)
p = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=w, stderr=open(os.environ["SC_ERR"], "w"), timeout=20)
sys.exit(p.returncode)' "$SOCKSCOPE" "$@"
	SC_RC=$?
	SC_SECS=0
}
export SC_ERR

# ------------------------------------------------------------ a stdout that fails

: >"$T/in"
run_full -c show
expect_rc "-c show >/dev/full" 7
expect_err "-c: the failure named" '^sockscope: standard output: No space left on device$'

printf 'show\n' >"$T/script"
run_full -s "$T/script"
expect_rc "-s SCRIPT >/dev/full" 7
expect_err "-s: the failure named" '^sockscope: standard output: No space left on device$'

printf 'show\nshow\n' >"$T/in"
run_full
expect_rc "commands on stdin >/dev/full" 7
expect_err "stdin: the failure named" '^sockscope: standard output: No space left on device$'
if [ "$(grep -c 'standard output' "$SC_ERR")" = 1 ]; then
	ok "stdin: said once"
else
	fail "stdin: said $(grep -c 'standard output' "$SC_ERR") times"
fi
: >"$T/in"

# The run stops at the failure: the connection a later command would open
# is never opened.
start_badserver ok5
run_full -w 3 -c "show; proxy socks5://127.0.0.1:$BAD_PORT; connect 127.0.0.1 9"
expect_rc "a full stdout stops the run" 7
nothing_sent "a full stdout stops the run"

# ------------------------------------------------------------ a reader that went away

start_badserver ok5
run_gone -w 3 -c "show; proxy socks5://127.0.0.1:$BAD_PORT; connect 127.0.0.1 9"
expect_rc "reader gone: an orderly end" 0
if grep -q 'standard output' "$SC_ERR"; then
	fail "reader gone: an error was said: $(head -c 300 "$SC_ERR")"
else
	ok "reader gone: nothing said"
fi
nothing_sent "reader gone: the run stopped"
run_gone -k -c 'set CMD bogus; show'
expect_rc "reader gone: the status so far" 2

# ------------------------------------------------------------ user text escaped

esc=$(printf '\033')
for cmd in "${esc}[2Jx" "help ${esc}[2Jx" "set ${esc}[2Jx 1" "unset ${esc}[2Jx" \
	"set CMD ${esc}[2Jx" "show ${esc}[2Jx" "set dst ${esc}[2Jx:80" \
	"connect ${esc}[2Jx 80" "resolve ${esc}[2Jx" "source ${esc}[2Jx"; do
	shown=$(printf '%s' "$cmd" | cat -v)
	sc -- -c "$cmd"
	expect_rc "'$shown'" 2
	expect_err_plain "'$shown'"
	expect_err "'$shown': the ESC shown escaped" '\\x1b\[2Jx'
done
sc -- -c "${esc}[2Jx"
expect_err "unknown command, escaped" "^sockscope: unknown command '\\\\x1b\\[2Jx'"

finish
