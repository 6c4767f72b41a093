#!/usr/bin/env bash
# sockscope watch tried as its users and an attacker would: what each case
# here found wrong once, and must not again.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/watchlib.sh"
need_sockscope
need_cmd curl

start_www
echo "small file $$" >"$T/www/small"
start_microsocks
MS=$MS_PORT

# ---- ulimit -n 64 and 200 applications at once: watch holds back what it
# cannot serve (they wait to be accepted) rather than spinning on accept's
# EMFILE, or closing them as "upstream unreachable"; all 200 are served.
cat >"$T/ulimit64" <<EOF
#!/usr/bin/env bash
ulimit -n 64 || exit 9
exec "$SOCKSCOPE" "\$@"
EOF
chmod +x "$T/ulimit64"
SOCKSCOPE="$T/ulimit64" start_watch -x "socks5://127.0.0.1:$MS"
pids=()
for i in $(seq 200); do
	timeout -k 1 40 curl -s -o "$T/c$i" --socks5 "127.0.0.1:$W_PORT" "http://127.0.0.1:$WWW_PORT/small" &
	pids+=($!)
done
bad=0
for p in "${pids[@]}"; do wait "$p" || bad=$((bad + 1)); done
good=$(cat "$T"/c* 2>/dev/null | grep -c "^small file $$\$")
[ "$bad" = 0 ] && [ "$good" = 200 ] && ok "ulimit -n 64, 200 curls at once: all served" ||
	fail "ulimit -n 64, 200 curls: $bad failed, $good served"
expect_no_w "ulimit -n 64: no session ends as unreachable" 'upstream unreachable'
n=$(wc -l <"$W_ERR")
[ "$n" -le 3 ] && ok "ulimit -n 64: stderr says it in $n lines" || fail "ulimit -n 64: $n lines on stderr: $(sort "$W_ERR" | uniq -c | head -3)"
stop_watch
rm -f "$T"/c*

# ---- UDP ASSOCIATE through a watch listening on [::] (--allow-remote), from
# an IPv4 application: the rewritten reply must name an IPv4 address (ATYP
# 1), not the v4-mapped IPv6 one its socket has, which an IPv4-only
# application cannot send to.
start_badserver udp-ok --count 0
port=$(free_port)
start_bg watch6 "$SOCKSCOPE" watch -l "[::]:$port" --allow-remote -v -w 5 -x "socks5://127.0.0.1:$BAD_PORT"
W6_PID=$BG_PID
wait_for 5 grep -q '^listening on' "$T/watch6.out" || fail "watch on [::] did not start: $(cat "$T/watch6.log")"
"$PY" - "$port" >"$T/udp4.out" 2>&1 <<'PYEOF'
import socket, sys
c = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
c.sendall(b"\x05\x01\x00"); assert c.recv(2) == b"\x05\x00"
c.sendall(b"\x05\x03\x00\x01\x00\x00\x00\x00\x00\x00")
r = c.recv(64)
print("reply", r.hex())
assert r[:4] == b"\x05\x00\x00\x01" and len(r) == 10, "not an IPv4 reply"
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(5)
u.sendto(b"\x00\x00\x00\x01\x7f\x00\x00\x01\x27\x0fping", (socket.inet_ntoa(r[4:8]), int.from_bytes(r[8:10], "big")))
print("echo", u.recvfrom(100)[0][10:])
PYEOF
rc=$?
[ "$rc" = 0 ] && grep -q "^echo b'ping'" "$T/udp4.out" && ok "watch on [::]: an IPv4 application is told an IPv4 relay, and its datagram comes back" ||
	fail "watch on [::], IPv4 application: $(tr '\n' ' ' <"$T/udp4.out" | tail -c 300)"
kill -INT "$W6_PID"
wait_for 5 eval '! alive "$W6_PID"' || stop_pid "$W6_PID"

# ---- -l on a v4-mapped loopback address is loopback: no --allow-remote
# asked, no warning; a v4-mapped other address still needs it.
start_bg mapped "$SOCKSCOPE" watch -l "[::ffff:127.0.0.1]:0" -x "socks5://127.0.0.1:$MS"
MP_PID=$BG_PID
if wait_for 5 grep -q '^listening on \[::ffff:127\.0\.0\.1\]:' "$T/mapped.out"; then
	ok "-l [::ffff:127.0.0.1]:0: listening"
	port=$(sed -n '1s/^listening on \[::ffff:127\.0\.0\.1\]:\([0-9]*\),.*/\1/p' "$T/mapped.out")
	got=$(timeout -k 1 10 curl -s --socks5 "127.0.0.1:$port" "http://127.0.0.1:$WWW_PORT/small")
	[ "$got" = "small file $$" ] && ok "... and serving" || fail "-l [::ffff:127.0.0.1]: curl got '$got'"
else
	fail "-l [::ffff:127.0.0.1]:0 refused: $(head -c 300 "$T/mapped.log")"
fi
kill -INT "$MP_PID"
wait_for 5 eval '! alive "$MP_PID"' || stop_pid "$MP_PID"
grep -q 'not loopback' "$T/mapped.log" && fail "-l [::ffff:127.0.0.1]: warned as not loopback" || ok "... not warned as remote"
sc -- watch -l "[::ffff:10.1.2.3]:0" -x "socks5://127.0.0.1:$MS"
expect_rc "-l [::ffff:10.1.2.3]:0 without --allow-remote" 2

# ---- after the handshake has ended (an HTTP request to an upstream that
# echoes), watch still relays; -w must not cut a connection whose bytes
# still flow, and never say "nothing for 1 s" while they do.
start_echo
start_watch -w 1 -x "socks5://127.0.0.1:$ECHO_PORT"
"$PY" - "$W_PORT" >"$T/talk.out" 2>&1 <<'PYEOF'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=3)
t0 = time.time()
while time.time() - t0 < 2.5:
    s.sendall(b"GET / HTTP/1.1\r\n")
    got = b""
    while len(got) < 16:
        d = s.recv(100)
        if not d:
            sys.exit("closed after %.2f s" % (time.time() - t0))
        got += d
    time.sleep(0.1)
print("alive")
PYEOF
grep -q '^alive$' "$T/talk.out" && ok "-w 1: a connection still talking after the handshake ended is not cut" ||
	fail "-w 1 cut a talking connection: $(cat "$T/talk.out")"
expect_no_w "... and no 'nothing for 1 s' while it talked" 'timeout: nothing for 1 s in end'
stop_watch

# ---- an upstream that drips its reply (a byte a second): -w 2 ends the
# phase, and the note says the reply was not complete, not "nothing for 2 s"
start_badserver drip
start_watch -w 2 -x "socks5://127.0.0.1:$BAD_PORT"
timeout -k 1 10 curl -s -m 8 --socks5 "127.0.0.1:$W_PORT" "http://127.0.0.1:$WWW_PORT/small" >/dev/null 2>&1
wait_for 5 grep -q '^#1 .*end:' "$W_OUT"
expect_w "a dripping reply: the phase's time ran out" '^#1 \+[0-9.]+s timeout: reply not complete after 2 s \(the upstream.s turn\)'
expect_no_w "... not said as silence" 'nothing for 2 s'
stop_watch

# ---- standard output that cannot be written: said once, exit 7
for out in /dev/full closed; do
	if [ "$out" = closed ]; then
		timeout -k 1 10 "$SOCKSCOPE" watch -l 0 -x "socks5://127.0.0.1:$MS" >&- 2>"$T/full.err"
	else
		timeout -k 1 10 "$SOCKSCOPE" watch -l 0 -x "socks5://127.0.0.1:$MS" >"$out" 2>"$T/full.err"
	fi
	rc=$?
	n=$(grep -c '^sockscope: standard output: ' "$T/full.err")
	[ "$rc" = 7 ] && [ "$n" = 1 ] && ok "stdout $out: exit 7, said once" ||
		fail "stdout $out: exit $rc, said $n times: $(head -c 300 "$T/full.err")"
done

# ---- -x naming watch's own listen address (a typo: -l 1080 -x ...:1080)
# would loop: each session connecting to watch makes another, a thousand
# in an instant, and the application is never served.  Refused at start.
port=$(free_port)
sc --timeout 10 -- watch -l "$port" -x "socks5://127.0.0.1:$port"
expect_rc "-x = -l" 2
expect_err "... says why" "^sockscope: -x: 127\.0\.0\.1:$port is watch's own listen address"
port=$(free_port)
sc --timeout 10 -- watch -l "0.0.0.0:$port" --allow-remote -x "socks5://localhost:$port"
expect_rc "-l 0.0.0.0:P, -x localhost:P" 2
port=$(free_port)
sc --timeout 10 -- watch -l "[::]:$port" --allow-remote -x "socks5://127.0.0.1:$port"
expect_rc "-l [::]:P, -x 127.0.0.1:P" 2

# ---- an application that pipelines: greeting, request and 200 KB of data
# in one send, before any answer (a server that reads by lengths, as
# badserver's ok5 does, serves it).  The bytes go through unchanged, and the
# outcome is the one the application saw, granted, not a "violation" for
# holding more than the flow keeps before the upstream has answered.
start_badserver ok5 --count 0
start_watch -x "socks5://127.0.0.1:$BAD_PORT"
"$PY" - "$W_PORT" >"$T/pipe.out" 2>&1 <<'PYEOF'
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
payload = bytes(range(256)) * 800
s.sendall(b"\x05\x01\x00" + b"\x05\x01\x00\x01\x7f\x00\x00\x01" + struct.pack(">H", 80) + payload)
s.shutdown(socket.SHUT_WR)
got = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    got += d
print("reply", got[:12].hex(), "same", got[12:] == payload)
PYEOF
grep -q 'same True' "$T/pipe.out" && ok "pipelined 200 KB: every byte back unchanged" || fail "pipelined: $(cat "$T/pipe.out")"
wait_for 5 grep -q '^#1 .*end:' "$W_OUT"
expect_outcome "pipelined greeting, request and data" 1 '^granted$'
expect_w "... its data counted as the tunnel's" '^#1 \+[0-9.]+s end: 204813 bytes up, 204812 bytes down \(tunnel 204800 up, 204800 down\)'
stop_watch

# ---- an upstream that talks first (a banner) to an application that says
# nothing: -w ends the greeting as the application's silence, not as a
# greeting "not complete" (the bytes that came were the upstream's)
"$PY" -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(4)
print("PORT %d" % s.getsockname()[1], flush=True)
s.settimeout(20)
c, _ = s.accept(); c.sendall(b"220 mail.example ESMTP\r\n"); c.settimeout(10)
try:
    c.recv(10)
except OSError:
    pass
' >"$T/banner.out" 2>"$T/banner.log" </dev/null &
track_pid $!
BANNER_PORT=$(read_port banner $!) || die "banner server: $(cat "$T/banner.log")"
start_watch -w 1 -x "socks5://127.0.0.1:$BANNER_PORT"
{ sleep 3; } | timeout -k 1 6 nc 127.0.0.1 "$W_PORT" >/dev/null 2>&1 &
track_pid $!
wait_for 5 grep -q '^#1 .*end:' "$W_OUT"
expect_w "a silent application, a banner from the upstream: silence said" '^#1 \+[0-9.]+s timeout: nothing for 1 s in greeting \(the application.s turn\)'
stop_watch

finish
