#!/usr/bin/env bash
# The REPL against a server that answers a GSSAPI frame with a token longer
# than sockscope holds: the outcome says why the REPL stopped following (the
# frame's length), not only that the server chose GSSAPI; a GSSAPI frame the
# server sends is shown as received (<-), though GSSAPI frames go both ways.
. "$(dirname "$0")/lib.sh"
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

finish
