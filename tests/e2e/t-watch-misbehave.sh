#!/usr/bin/env bash
# sockscope watch when the application or the upstream misbehaves: an HTTP
# request, a TLS ClientHello, garbage, half a handshake then silence, a reset
# mid-tunnel; the scripted server's refusals and lies.  Each session gets
# the right hint or error; the others, running at the same time, are not
# affected; 200 concurrent curl sessions all complete and are all reported.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/watchlib.sh"
need_sockscope
need_cmd curl

start_www
echo "small file $$" >"$T/www/small"
start_echo
start_microsocks
MS=$MS_PORT

# raw WHAT HEX: send the bytes (hex) to watch as an application, read what comes back.
raw() { printf '%s' "$1" | xxd -r -p | timeout -k 1 5 nc -q 2 127.0.0.1 "$W_PORT" >/dev/null 2>&1; }

start_watch -w 1 -x "socks5://127.0.0.1:$MS"
# #1: half a greeting, then silence (held open in the background)
{ printf '\x05\x02\x00'; sleep 4; } | timeout -k 1 8 nc 127.0.0.1 "$W_PORT" >/dev/null 2>&1 &
SILENT=$!
track_pid "$SILENT"
wait_for 3 grep -q '^#1 ' "$W_OUT"
# #2: while #1 is stuck, curl goes through at once
t0=$(date +%s%N)
got=$(timeout -k 1 10 curl -s --socks5 "127.0.0.1:$W_PORT" "http://127.0.0.1:$WWW_PORT/small")
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$got" = "small file $$" ] && ok "a curl beside a silent application: served" || fail "curl beside a silent one: '$got'"
[ "$ms" -lt 900 ] && ok "... in ${ms} ms, not delayed by it" || fail "curl took $ms ms beside a silent application"
expect_outcome "curl beside a silent one" 2 '^granted$'
# #3: an HTTP request, as from a browser set up for an HTTP proxy
raw "$(printf 'GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n' | xxd -p | tr -d '\n')"
# #4: a TLS ClientHello
raw 16030100a5010000a10303000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
# #5: garbage
raw 42996d0ffe2300
wait_for 4 grep -q '^#1 .*end:' "$W_OUT"
expect_w "half a greeting then silence: -w ends it with a note" '^#1 \+[0-9.]+s timeout: greeting not complete after 1 s \(the application.s turn\)'
expect_w "... and its summary says timeout" '^#1 \+[0-9.]+s end: 3 bytes up, [0-9]+ bytes down .*, timeout$'
expect_outcome "HTTP request" 3 '^protocol violation by the application in the greeting phase'
expect_w "HTTP request: the hint" '^#3 \+[0-9.]+s hint: the client sent an HTTP request.*"GET http://example.com/ HTTP/1.1"'
expect_w "TLS ClientHello: the hint" '^#4 \+[0-9.]+s hint: .*TLS'
expect_outcome "garbage" 5 '^protocol violation by the application in the greeting phase at offset 0x0000 in VER'

# #6: a reset mid-tunnel, from the application: passed on, said in the summary
"$PY" - "$W_PORT" "$ECHO_PORT" <<'PYEOF' && ok "reset client ran" || fail "reset client"
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"\x05\x01\x00"); assert s.recv(2) == b"\x05\x00"
s.sendall(b"\x05\x01\x00\x01\x7f\x00\x00\x01" + struct.pack(">H", int(sys.argv[2])))
r = s.recv(10); assert r[:2] == b"\x05\x00", r
s.sendall(b"x" * 1000)
got = b""
while len(got) < 1000:
    got += s.recv(1000)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()
PYEOF
wait_for 3 grep -q '^#6 .*end:' "$W_OUT"
expect_w "reset mid-tunnel: the summary says the application reset" '^#6 \+[0-9.]+s end: .*\(tunnel 1000 up, 1000 down\).*application RST$'
# and the next one is fine
got=$(timeout -k 1 10 curl -s --socks5-hostname "127.0.0.1:$W_PORT" "http://localhost:$WWW_PORT/small")
[ "$got" = "small file $$" ] && ok "after all that, curl still works" || fail "curl after the misbehaving ones: '$got'"
expect_outcome "curl after them" 7 '^granted$'
stop_watch
[ "$W_RC" = 0 ] && ok "^C: exit 0" || fail "^C: exit $W_RC"
expect_w "the table: 7 sessions" '^7 sessions$'
expect_w "the table's timeout line" '^ +1 +127\.0\.0\.1:[0-9]+ +- .* timeout +'

# ---- half-close passed on each way: the application's FIN reaches the echo
# service through danted, the echo still comes back after it, then its FIN
start_danted none
start_watch -x "socks5://127.0.0.1:$DANTED_PORT"
"$PY" - "$W_PORT" "$ECHO_PORT" <<'PYEOF' && ok "half-close: 100 KB echoed after the application's FIN, then EOF" || fail "half-close through watch"
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(b"\x05\x01\x00"); assert s.recv(2) == b"\x05\x00"
s.sendall(b"\x05\x01\x00\x01\x7f\x00\x00\x01" + struct.pack(">H", int(sys.argv[2])))
r = b""
while len(r) < 10:
    r += s.recv(10 - len(r))
assert r[:2] == b"\x05\x00", r
data = bytes(range(256)) * 400
s.sendall(data)
s.shutdown(socket.SHUT_WR)
got = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    got += b
assert got == data, (len(got), len(data))
PYEOF
wait_for 3 grep -q '^#1 .*end:' "$W_OUT"
expect_w "half-close: the summary says the application closed first, in order" '^#1 \+[0-9.]+s end: .*\(tunnel 102400 up, 102400 down\).*application FIN$'
stop_watch

# ---- the upstream misbehaves (badserver.py): curl's failure and watch's word agree
upstream_case() { # SCENARIO CURL-MODE ERE
	start_badserver "$1"
	start_watch -w 2 -x "socks5://127.0.0.1:$BAD_PORT"
	timeout -k 1 10 curl -s -o /dev/null -x "$2://127.0.0.1:$W_PORT" "http://127.0.0.1:$WWW_PORT/small"
	rc=$?
	[ "$rc" != 0 ] && ok "$1: curl failed ($rc)" || fail "$1: curl succeeded"
	wait_for 4 grep -q '^#1 .*end:' "$W_OUT"
	expect_outcome "$1" 1 "$3"
	stop_watch
}
upstream_case rep-05 socks5 '^refused: REP 0x05 connection refused'
upstream_case method-ff socks5 '^no acceptable method'
upstream_case wrongver socks5 '^protocol violation by the upstream in the method selection phase'
upstream_case garbage socks5 '^protocol violation by the upstream'
upstream_case s4-rep-5b socks4 '^refused: CD 0x5b'
start_badserver silent
start_watch -w 1 -x "socks5://127.0.0.1:$BAD_PORT"
timeout -k 1 10 curl -s -o /dev/null --socks5 "127.0.0.1:$W_PORT" "http://127.0.0.1:$WWW_PORT/small"
wait_for 4 grep -q '^#1 .*end:' "$W_OUT"
expect_w "a silent upstream: -w ends the session" '^#1 \+[0-9.]+s timeout: nothing for 1 s in method selection'
stop_watch
start_watch -w 1 -x "socks5://127.0.0.1:$(free_port)"
timeout -k 1 10 curl -s -o /dev/null --socks5 "127.0.0.1:$W_PORT" "http://127.0.0.1:$WWW_PORT/small"
wait_for 4 grep -q '^#1 .*end:' "$W_OUT"
expect_w "no upstream listening: said" '^#1 \+[0-9.]+s upstream unreachable: Connection refused'
stop_watch

# ---- 200 curl sessions at once: all served, all reported
start_watch -x "socks5://127.0.0.1:$MS"
pids=()
for i in $(seq 200); do
	timeout -k 1 30 curl -s -o "$T/c$i" --socks5 "127.0.0.1:$W_PORT" "http://127.0.0.1:$WWW_PORT/small" &
	pids+=($!)
done
bad=0
for p in "${pids[@]}"; do wait "$p" || bad=$((bad + 1)); done
good=$(cat "$T"/c* 2>/dev/null | grep -c "^small file $$\$")
[ "$bad" = 0 ] && [ "$good" = 200 ] && ok "200 concurrent curls: all served" || fail "200 concurrent: $bad failed, $good served"
wait_for 5 test "$(grep -c ' end: ' "$W_OUT")" = 200
stop_watch
n=$(grep -c '^#[0-9]* +[0-9.]*s outcome: granted$' "$W_OUT")
[ "$n" = 200 ] && ok "200 outcomes: granted" || fail "$n of 200 outcomes granted"
n=$(grep -c '^#[0-9]* +[0-9.]*s end: .* FIN$' "$W_OUT")
[ "$n" = 200 ] && ok "200 summaries" || fail "$n of 200 summaries"
expect_w "the table: 200 sessions" '^200 sessions$'
if grep -avE '^(#[0-9]+ |listening on |200 sessions$| +#| +[0-9]+ +127)' "$W_OUT" | grep -q .; then
	fail "lines of no session (mixed?): $(grep -avE '^(#[0-9]+ |listening on |200 sessions$| +#| +[0-9]+ +127)' "$W_OUT" | head -3)"
else ok "every line is whole and labelled"; fi

# ---- --max-sessions 1: a silent application holds the only place until -w frees it
start_watch -w 1 --max-sessions 1 -x "socks5://127.0.0.1:$MS"
{ sleep 3; } | timeout -k 1 6 nc 127.0.0.1 "$W_PORT" >/dev/null 2>&1 &
track_pid $!
wait_for 3 grep -q '^#1 ' "$W_OUT"
t0=$(date +%s%N)
got=$(timeout -k 1 10 curl -s --socks5 "127.0.0.1:$W_PORT" "http://127.0.0.1:$WWW_PORT/small")
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$got" = "small file $$" ] && ok "--max-sessions 1: the second waits, then is served" || fail "--max-sessions: '$got'"
[ "$ms" -ge 500 ] && ok "... after the first ended (${ms} ms)" || fail "--max-sessions 1 let a second in at once ($ms ms)"
stop_watch
finish
