#!/usr/bin/env bash
# -q SECS: quit that many seconds after stdin's EOF, as nc does, even when
# the server keeps its side open; what it sent before is not lost.
. "$(dirname "$0")/lib.sh"
need_sockscope

# A server that greets, reads to EOF, and then holds the connection open.
HOLD_PORT=$(free_port)
"$PY" -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1); s.settimeout(30)
c, _ = s.accept(); c.sendall(b"held\n")
while c.recv(65536): pass
time.sleep(30)
' "$HOLD_PORT" &
HOLD_PID=$!
track_pid "$HOLD_PID"
wait_listen "$HOLD_PORT" "$HOLD_PID" || die "holding server did not start"

start_danted none
sc --in-str "bye"$'\n' -- -q 1 -x "socks5://127.0.0.1:$DANTED_PORT" 127.0.0.1 "$HOLD_PORT"
expect_rc "-q 1 against a server that stays open" 0
expect_out "-q 1: the server's bytes arrived" "held"$'\n'
expect_secs_lt "-q 1: quit soon after stdin EOF" 6

sc -- -q 1.5x -x "socks5://127.0.0.1:$DANTED_PORT" 127.0.0.1 "$HOLD_PORT"
expect_rc "-q with a bad number" 2 && expect_err "-q with a bad number" "-q"

finish
