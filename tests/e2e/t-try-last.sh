#!/usr/bin/env bash
# The REPL against a server that answers a GSSAPI frame with a token longer
# than sockscope holds: the outcome says why the REPL stopped following (the
# frame's length), not only that the server chose GSSAPI; a GSSAPI frame the
# server sends is shown as received (<-), though GSSAPI frames go both ways.
# A server that closes before sending anything leaves a hint with no
# evidence: watch and decode -r show it without empty quotes.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/watchlib.sh"
need_sockscope

cat >"$T/gss.py" <<'PY'
import socket, struct, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(1)
s.settimeout(20)
print("PORT", s.getsockname()[1], flush=True)
c, _ = s.accept()
c.settimeout(10)
c.recv(3)
c.sendall(b"\x05\x01")
c.recv(8)
c.sendall(bytes([1, 1]) + struct.pack("!H", int(sys.argv[1])) + b"B" * int(sys.argv[1]))
c.recv(1)
c.close()
PY
_start_py gss GSS_PORT "$T/gss.py" 3000
sc -x "socks5://127.0.0.1:$GSS_PORT" -c 'open; raw 05 01 01; raw 01 01 00 04 41 41 41 41'
expect_rc "REPL, long GSSAPI token from the server" 0
expect_stdout "the REPL says why it stops following" \
	'does not follow .*: a GSSAPI frame of 3004 bytes from the server, more than the 2058 sockscope holds$'

_start_py gss4 GSS_PORT "$T/gss.py" 4
sc -x "socks5://127.0.0.1:$GSS_PORT" -c 'open; raw 05 01 01; raw 01 01 00 04 41 41 41 41'
expect_rc "REPL, a GSSAPI token from the server" 0
expect_stdout "the client's frame is sent" '^-> GSSAPI message, 8 bytes$'
expect_stdout "the server's frame is received" '^<- GSSAPI message, 8 bytes$'

cat >"$T/shut.py" <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(1)
s.settimeout(20)
print("PORT", s.getsockname()[1], flush=True)
c, _ = s.accept()
c.settimeout(10)
c.recv(3)
c.close()
PY
_start_py shut SHUT_PORT "$T/shut.py"
start_watch -x "socks5://127.0.0.1:$SHUT_PORT"
"$PY" -c '
import socket, sys
c = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
c.sendall(b"\x05\x01\x00")
c.recv(10)' "$W_PORT"
wait_for 10 grep -q " end: " "$W_OUT"
expect_w "watch: the access-rule hint" 'hint: closed right after accepting, before any answer: an access rule may refuse this client$'
expect_no_w "watch: no empty evidence" '""'
stop_watch

finish
