#!/usr/bin/env bash
# --no-shutdown, the warning when a proxy closes both ways at our half-close,
# and --idle-timeout.  The echo answers 0.3 s after each read, so a proxy
# that closes both ways at our half-close (microsocks) always drops it.
. "$(dirname "$0")/lib.sh"
need_sockscope
start_echo --delay 0.3
start_microsocks
M=127.0.0.1:$MS_PORT
line="answer after half-close $$"

# Default: stdin's EOF is passed on; microsocks closes both ways at once,
# the echo is lost, and a warning says so and names the option.
sc --in-str "$line"$'\n' -- -w 5 -x "socks5://$M" 127.0.0.1 "$ECHO_PORT"
expect_rc "microsocks, half-close" 0
expect_out "microsocks, half-close: the echo is lost" ""
expect_err "microsocks, half-close: warned" 'closed both ways .* after our half-close'
expect_err "microsocks, half-close: names the option" '--no-shutdown'

# --no-shutdown: the connection stays open after stdin's EOF; -q ends it.
sc --in-str "$line"$'\n' -- -w 5 -q 1.5 --no-shutdown -x "socks5://$M" 127.0.0.1 "$ECHO_PORT"
expect_rc "microsocks, --no-shutdown" 0 && expect_out "microsocks, --no-shutdown: the echo arrives" "$line"$'\n'
if grep -q 'half-close' "$SC_ERR"; then fail "--no-shutdown: no warning"; else ok "--no-shutdown: no warning"; fi
expect_secs_lt "microsocks, --no-shutdown -q 1.5" 6

# danted passes the half-close on: the late echo arrives, with no warning.
start_danted none
sc --in-str "$line"$'\n' -- -w 5 -x "socks5://127.0.0.1:$DANTED_PORT" 127.0.0.1 "$ECHO_PORT"
expect_rc "danted, half-close" 0 && expect_out "danted: the echo arrives" "$line"$'\n'
if grep -q 'half-close' "$SC_ERR"; then fail "danted: no warning"; else ok "danted: no warning"; fi

# A proxy stopped mid-stream (SIGSTOP): endless zeros flow to a sink (the
# digest service reads until EOF) until the stop; then the buffers fill and
# nothing moves, and --idle-timeout ends the tunnel with exit 5, naming the
# option.  Without it, only the harness's timeout would.
start_sha
start_microsocks
P=$MS_PORT
PID=$MS_PID
{ sleep 1; kill -STOP "$PID"; } &
STOPPER=$!
sc --in /dev/zero --timeout 10 -- -w 5 --idle-timeout 1.5 -x "socks5://127.0.0.1:$P" 127.0.0.1 "$SHA_PORT"
wait "$STOPPER"
kill -CONT "$PID" 2>/dev/null
expect_rc "stopped proxy, --idle-timeout 1.5" 5
expect_err "stopped proxy: says idle" 'idle for 1\.5 seconds \(--idle-timeout\)'
expect_secs_lt "stopped proxy: ends in time" 6
# Bytes flowed for the first second: the timeout counts from the stop.
if awk -v a="$SC_SECS" 'BEGIN { exit !(a >= 2.4) }'; then
	ok "stopped proxy: idle counted from the stop (${SC_SECS}s)"
else
	fail "stopped proxy: ended after ${SC_SECS}s, before 1 s of flow + 1.5 s idle"
fi

# Bad values are refused before anything is sent.
sc -- --idle-timeout 0 -x "socks5://$M" 127.0.0.1 "$ECHO_PORT"
expect_rc "--idle-timeout 0" 2 && expect_err "--idle-timeout 0" '--idle-timeout: the timeout must be'
sc -- --idle-timeout abc -x "socks5://$M" 127.0.0.1 "$ECHO_PORT"
expect_rc "--idle-timeout abc" 2
finish
