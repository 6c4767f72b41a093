#!/usr/bin/env bash
# One-shot runs tried as a user and as an attacker would, and what they found:
#  - a server that accepts the TCP connection and resets it at once was
#    reached: the failure is the first phase's (exit 4), never "cannot
#    connect to proxy" (exit 3), however the reset races the connect.
. "$(dirname "$0")/lib.sh"
need_sockscope

# ---- 1. accepted, then reset at once
RUNS=25
for scheme in socks4 socks5; do
	start_badserver accept-reset --count "$RUNS"
	codes=""
	for ((i = 0; i < RUNS; i++)); do
		sc --timeout 10 -- -w 3 -x "$scheme://127.0.0.1:$BAD_PORT" 127.0.0.1 9
		codes="$codes $SC_RC"
		[ "$SC_RC" = 4 ] || break
	done
	if [ "$SC_RC" = 4 ]; then
		ok "$scheme accept-reset: exit 4 in $RUNS runs"
	else
		fail "$scheme accept-reset: exits$codes, expected 4 every time"
		_sc_context
	fi
	stop_pid "$BAD_PID"
done

finish
