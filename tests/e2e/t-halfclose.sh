#!/usr/bin/env bash
# Half-close: at stdin's EOF the client shuts down its sending side only and
# keeps reading; the server, having read everything, answers after that EOF.
. "$(dirname "$0")/lib.sh"
need_sockscope
"$PY" "$E2E_DIR/netsvc.py" gen --size 3M --seed 8 >"$T/in"
want=$(sha256sum <"$T/in" | cut -d' ' -f1)$'\n'

start_badserver halfclose
sc --in "$T/in" -- -w 5 -x "socks5://127.0.0.1:$BAD_PORT" 127.0.0.1 9
expect_rc "badserver halfclose" 0 && expect_out "badserver halfclose: digest after EOF" "$want"

start_sha
start_danted none
sc --in "$T/in" -- -w 5 -x "socks5://127.0.0.1:$DANTED_PORT" 127.0.0.1 "$SHA_PORT"
expect_rc "danted" 0 && expect_out "danted: digest after EOF" "$want"

start_sshd_socks
sc --in "$T/in" -- -w 5 -x "socks5://127.0.0.1:$SSH_SOCKS_PORT" 127.0.0.1 "$SHA_PORT"
expect_rc "ssh -D" 0 && expect_out "ssh -D: digest after EOF" "$want"

# Empty stdin: EOF at once, the answer is the digest of nothing.
sc -- -w 5 -x "socks5://127.0.0.1:$DANTED_PORT" 127.0.0.1 "$SHA_PORT"
expect_rc "danted, empty stdin" 0 &&
	expect_out "danted, empty stdin" "$(printf '' | sha256sum | cut -d' ' -f1)"$'\n'

finish
