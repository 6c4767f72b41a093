#!/usr/bin/env bash
# A peer that reads slowly makes the client's sends partial.  Whatever the
# upload path (splice from a pipe, read/write from a regular file or a
# terminal), every byte must arrive: a partial send once left the copy
# buffer full at its end, and the next read of 0 bytes passed for EOF.
. "$(dirname "$0")/lib.sh"
need_sockscope

SLOW_PORT=$(free_port)
"$PY" -c '
import hashlib, socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(4); s.settimeout(60)
for _ in range(2):
    c, _ = s.accept(); h = hashlib.sha256(); n = 0
    while True:
        d = c.recv(8192)
        if not d: break
        h.update(d); n += len(d); time.sleep(0.0005)
    c.sendall(("%d %s\n" % (n, h.hexdigest())).encode()); c.close()
' "$SLOW_PORT" &
SLOW_PID=$!
track_pid "$SLOW_PID"
wait_listen "$SLOW_PORT" "$SLOW_PID" || die "slow peer did not start"
start_danted none

"$PY" "$E2E_DIR/netsvc.py" gen --size 12M --seed 5 >"$T/in"
want="$(wc -c <"$T/in" | tr -d ' ') $(sha256sum <"$T/in" | cut -d' ' -f1)"$'\n'

# stdin a regular file: read/write through the copy buffer.
sc --timeout 60 --in "$T/in" -- -w 5 -x "socks5://127.0.0.1:$DANTED_PORT" 127.0.0.1 "$SLOW_PORT"
expect_rc "regular file to a slow peer" 0 && expect_out "regular file: every byte arrived" "$want"

# stdin a pipe: spliced straight into the socket.
cat "$T/in" | timeout --foreground 60 "$SOCKSCOPE" -w 5 -x "socks5://127.0.0.1:$DANTED_PORT" \
	127.0.0.1 "$SLOW_PORT" >"$SC_OUT" 2>"$SC_ERR"
SC_RC=$? SC_ARGS="(from a pipe)"
expect_rc "pipe to a slow peer" 0 && expect_out "pipe: every byte arrived" "$want"

finish
