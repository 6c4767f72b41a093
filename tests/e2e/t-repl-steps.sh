#!/usr/bin/env bash
# The REPL's plan and its `raw` sends follow the phase: `send` with 02
# offered beside 00 and no user does not refuse an auth request the server
# may never ask for; a `raw` send is read as the message the phase expects
# (after the method selection, a request), and one that stops in the middle
# of that message says so and does not wait the whole -w for an answer the
# server cannot give; the next `raw` goes on from it.  Counts agree with
# their nouns ("1 byte").  Servers: microsocks, danted (as root), the
# scripted badserver.
. "$(dirname "$0")/lib.sh"
need_sockscope

# hexport PORT: "hh ll", the port as two hex bytes.
hexport() { printf '%02x %02x' $(($1 >> 8)) $(($1 & 255)); }

# ------------------------------------------------------------ the plan (item 12)

need_cmd microsocks
start_echo
start_microsocks
M=127.0.0.1:$MS_PORT
EP=$(hexport "$ECHO_PORT")

# 02 offered beside 00, no user: the server chooses 00, the auth request is
# never needed, and `send` goes through.  `open; greet; request` did already.
sc --timeout 15 -- -w 5 -c "proxy socks5://$M; set METHODS noauth,userpass; set dst 127.0.0.1:$ECHO_PORT; open; send; status"
expect_rc "METHODS noauth,userpass without a user: send" 0
expect_phases "METHODS noauth,userpass without a user" "granted"
if grep -q 'cannot be encoded' "$SC_ERR"; then
	fail "METHODS noauth,userpass without a user: an auth request nobody asked for was refused"
else
	ok "METHODS noauth,userpass without a user: no auth request checked"
fi

# The same plan, and the server does choose 02: now the auth request is
# needed, and refused for its empty UNAME, after the greeting (exit 2).
start_microsocks -u alice -P "pw-$$"
sc --timeout 15 -- -w 5 -c "proxy socks5://127.0.0.1:$MS_PORT; set METHODS noauth,userpass; set dst 127.0.0.1:$ECHO_PORT; send"
expect_rc "the server chooses 02 and there is no user" 2
expect_stdout "the server chose 02" 'METHOD +0x02 +USERNAME/PASSWORD'
expect_err "then the auth request is refused, naming UNAME" 'cannot be encoded: UNAME'

# ------------------------------------------------------------ raw by the phase (item 13)

# After the method selection, `raw 05 01 00` is the start of a request, not
# a greeting: said incomplete, and back within a short bound, not -w.
# microsocks may answer the part with a reply and close: bytes nobody asked
# for, then a close, which the flow calls a protocol error (exit 4).
sc --timeout 30 -- -w 10 -c "proxy socks5://$M; open; greet; raw 05 01 00; status"
expect_rc "microsocks: a partial request" 0 4
if [ "$SC_RC" = 4 ]; then
	expect_err "microsocks: its answer to a part" 'closed after sending 10 bytes nobody asked for'
fi
expect_stdout "microsocks: read as a request" '^-> SOCKS5 CONNECT request, 3 bytes'
expect_stdout "microsocks: said incomplete" 'the SOCKS5 request is incomplete'
n=$(grep -c '^-> SOCKS5 greeting' "$SC_OUT")
if [ "$n" = 1 ]; then
	ok "microsocks: one greeting, greet's: the raw bytes are not a second one"
else
	fail "microsocks: $n greetings shown: the raw bytes were read as one"
fi
expect_no_stdout "microsocks: no method selection read from the answer" 'method selection, 2 bytes, 1 anomaly'
expect_secs_lt "microsocks: a partial request does not wait for -w" 5

# A whole request, raw, after the method selection: the reply is read as a
# reply; data after it is tunnel data, and 1 byte is "1 byte".
sc --timeout 15 -- -w 5 -c "proxy socks5://$M; open; greet; raw 05 01 00 01 7f 00 00 01 $EP; status; raw 41; recv 1"
expect_rc "microsocks: a raw request" 0
expect_stdout "microsocks: the raw request decoded" '^-> SOCKS5 CONNECT request, 10 bytes$'
expect_stdout "microsocks: its reply decoded" '^<- SOCKS5 reply, 10 bytes$'
expect_phases "microsocks: a raw request" "granted"
expect_stdout "tunnel data: 1 byte sent" '^-> 1 byte, as given$'
expect_stdout "tunnel data: 1 byte back" '^<- 1 byte$'
expect_no_stdout "no '1 bytes' anywhere" '(^|[^0-9])1 bytes'

# The scripted server reads the request by its length and waits: each part
# is back at once, and the last one completes the request it began.
start_badserver ok5
sc --timeout 30 -- -w 10 -c "proxy socks5://127.0.0.1:$BAD_PORT; open; greet; raw 05 01 00; raw 01 7f 00 00 01; raw 00 09; status"
expect_rc "badserver: a request in three raw sends" 0
expect_secs_lt "badserver: the partial sends do not wait for -w" 5
expect_stdout "badserver: the first part" '^-> SOCKS5 CONNECT request, 3 bytes, truncated$'
expect_stdout "badserver: the second part goes on from the first" '^-> SOCKS5 CONNECT request, 8 bytes, truncated$'
expect_stdout "badserver: the whole request" '^-> SOCKS5 CONNECT request, 10 bytes$'
expect_stdout "badserver: the earlier bytes named" 'its first 8 bytes went out with an earlier raw'
expect_stdout "badserver: nothing came back for a part" '^nothing received$'
expect_phases "badserver: granted by the completed request" "granted"
expect_log "badserver: the request it read" 'REQUEST5 cmd=01 atyp=01 addr=127\.0\.0\.1 port=9'

# Before the greeting, bytes are a greeting; half of one waits briefly too.
start_badserver ok5
sc --timeout 30 -- -w 10 -c "proxy socks5://127.0.0.1:$BAD_PORT; open; raw 05; raw 01 00; status"
expect_rc "badserver: a greeting in two raw sends" 0
expect_stdout "badserver: 1 byte of a greeting" '^-> SOCKS5 greeting, 1 byte, truncated$'
expect_stdout "badserver: said incomplete" 'the SOCKS5 greeting is incomplete'
expect_stdout "badserver: the method selection" '^<- SOCKS5 method selection, 2 bytes$'
expect_phases "badserver: method chosen" "method chosen"
expect_secs_lt "badserver: half a greeting does not wait for -w" 5

# An RFC 1929 request with a byte after it, out of turn: no message, so a
# hex dump would show the password; it is left out.
start_badserver silent
sc --timeout 15 -- -w 1 -c "proxy socks5://127.0.0.1:$BAD_PORT; open; raw 01 05 61 6c 69 63 65 03 53 33 63 ff"
expect_rc "a password in bytes that are no message: timeout" 5
expect_stdout "a password in bytes that are no message: left out" 'not shown: they hold a username/password request'
if grep -q '53 33 63\|S3c' "$SC_OUT" "$SC_ERR"; then
	fail "a password in bytes that are no message: shown"
else
	ok "a password in bytes that are no message: not shown"
fi

# danted, a real server that waits for the rest of the request.
if [ "$(id -u)" = 0 ] && have danted; then
	start_danted none
	D=127.0.0.1:$DANTED_PORT
	sc --timeout 30 -- -w 10 -c "proxy socks5://$D; open; greet; raw 05 01 00; raw 01 7f 00 00 01 $EP; status; raw 6f 6b 0a; recv 1"
	expect_rc "danted: a request in two raw sends" 0
	expect_secs_lt "danted: the partial send does not wait for -w" 6
	expect_stdout "danted: the first part is a request" '^-> SOCKS5 CONNECT request, 3 bytes, truncated$'
	expect_stdout "danted: the reply" '^<- SOCKS5 reply, 10 bytes$'
	expect_phases "danted: granted" "granted"
	expect_stdout "danted: data through it" 'ok\.'
else
	note "not root or no danted: the danted cases are left out"
fi

finish
