#!/usr/bin/env bash
# decode -i: a live capture on lo through libpcap.  -c 1 ends it after the
# first session; SIGINT and SIGTERM end it with what it saw (the open
# session ends "by the capture's end"); without CAP_NET_RAW it says what
# it needs, exit 2.
. "$(dirname "$0")/lib.sh"
need_sockscope
need_root
start_echo
start_microsocks

# live NAME ARGS...: sockscope decode -i lo ARGS in the background, until it
# says it listens (its first packet can only come after pcap_activate: wait
# for the capture to be open, seen in /proc as the packet socket).
live() {
	local name=$1 i
	shift
	start_bg "$name" "$SOCKSCOPE" decode -i lo --port "$MS_PORT" "$@"
	LIVE_PID=$BG_PID
	for ((i = 0; i < 100; i++)); do
		has_packet_socket "$LIVE_PID" && break
		alive "$LIVE_PID" || break
		sleep 0.05
	done
}
live one -c 1
alive "$LIVE_PID" || die "decode -i lo did not start: $(cat "$T/one.log")"
sc --hold 0.3 --in-str "live"$'\n' -- -x "socks5h://127.0.0.1:$MS_PORT" localhost "$ECHO_PORT"
expect_rc "a session to see" 0
wait_exit "$LIVE_PID" 5
rc=$?
[ "$rc" = 0 ] && ok "-c 1: ends after the first session" || fail "-c 1: exit $rc"
if grep -q '^  +[0-9.]* -> SOCKS5 CONNECT request: .*DST localhost:' "$T/one.out" &&
	grep -q '^  tunnel: 5 bytes from the client, 5 from the server' "$T/one.out"; then
	ok "-c 1: the session's conversation (the default live), its tunnel counted"
else
	fail "-c 1: $(head -c 600 "$T/one.out")"
fi
grep -q 'phase:' "$T/one.out" && fail "-c 1: phases shown without -v" || ok "-c 1: no phases without -v"
grep -q '^sockscope: lo: [0-9]* packets, 1 sessions, 1 shown$' "$T/one.log" &&
	ok "-c 1: its summary on stderr" || fail "-c 1: stderr $(cat "$T/one.log")"

# A session still open when the capture is stopped: the client's stdin is
# a FIFO this shell holds open, so its tunnel stays up.
mkfifo "$T/hold"
exec 7<>"$T/hold"
for sig in INT TERM; do
	live "sig$sig" -j
	# Its handlers are there once the capture is open: a background job
	# of this shell starts with SIGINT ignored, and a signal before the
	# handler would be lost (the likely cause of one run under load where
	# SIGINT went unheeded; not reproduced since).
	cgt=$(awk '$1 == "SigCgt:" { print $2 }' "/proc/$LIVE_PID/status" 2>/dev/null)
	(((16#${cgt:-0} & 0x4002) == 0x4002)) && ok "SIG$sig: caught once the capture is open" ||
		fail "SIG$sig: the capture is open, SigCgt ${cgt:-?} lacks INT or TERM"
	"$SOCKSCOPE" -x "socks5://127.0.0.1:$MS_PORT" 127.0.0.1 "$ECHO_PORT" <"$T/hold" \
		>"$T/client$sig.out" 2>"$T/client$sig.log" &
	CLIENT_PID=$!
	track_pid "$CLIENT_PID"
	echo "open $sig" >&7
	wait_for 5 grep -q "open $sig" "$T/client$sig.out" || fail "SIG$sig: no echo through the tunnel"
	kill -"$sig" "$LIVE_PID"
	wait_exit "$LIVE_PID" 5
	rc=$?
	[ "$rc" = 0 ] && ok "SIG$sig: exit 0" || fail "SIG$sig: exit $rc"
	if grep -q '"result": "granted".*"ended": "the capture.s end"' "$T/sig$sig.out"; then
		ok "SIG$sig: the open session, ended by the capture's end"
	else
		fail "SIG$sig: $(cat "$T/sig$sig.out" "$T/sig$sig.log")"
	fi
	stop_pid "$CLIENT_PID"
done
exec 7>&-

# Packets the kernel drops are said: the capture stopped (SIGSTOP, a
# process not scheduled) while a flood of datagrams fills its ring.
"$PY" -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print("PORT %d" % s.getsockname()[1], flush=True)
time.sleep(60)
' >"$T/sink.out" 2>"$T/sink.log" </dev/null &
SINK_PID=$!
track_pid "$SINK_PID"
SINK_PORT=$(read_port sink "$SINK_PID") || die "udp sink did not start: $(cat "$T/sink.log")"
live drops "udp port $SINK_PORT"
kill -STOP "$LIVE_PID"
"$PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(5000):
    s.sendto(b"x" * 1000, ("127.0.0.1", int(sys.argv[1])))' "$SINK_PORT"
kill -CONT "$LIVE_PID"
kill -TERM "$LIVE_PID"
wait_exit "$LIVE_PID" 5
rc=$?
[ "$rc" = 0 ] && ok "drops: exit 0" || fail "drops: exit $rc"
grep -Eq '^sockscope: lo: [1-9][0-9]* packets dropped by the kernel before sockscope read them' \
	"$T/drops.log" && ok "drops: said ($(head -n 1 "$T/drops.log"))" ||
	fail "drops: not said: $(cat "$T/drops.log")"

# Without the capability to capture.
if have setpriv; then
	timeout -k 2 10 setpriv --inh-caps=-all --bounding-set=-net_raw,-net_admin \
		--reuid=65534 --regid=65534 --clear-groups "$SOCKSCOPE" decode -i lo \
		>"$SC_OUT" 2>"$SC_ERR"
	SC_RC=$?
	SC_ARGS="decode -i lo (as nobody, no CAP_NET_RAW)"
	expect_rc "no CAP_NET_RAW" 2
	expect_err "no CAP_NET_RAW: said" '^sockscope: lo: capturing needs root or the CAP_NET_RAW capability'
fi
sc -- decode -i no-such-iface0
expect_rc "no such interface" 2
expect_err "no such interface: said" '^sockscope: no-such-iface0: '
finish
