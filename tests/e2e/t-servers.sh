#!/usr/bin/env bash
# The harness itself, without the client: each real server comes up on
# loopback and relays for OpenBSD netcat (nc -X 4|5 -x), badserver.py sends
# the bytes its scenarios promise, and every process the helpers start is
# gone after the test exits, also when it is killed.
. "$(dirname "$0")/lib.sh"
need_cmd nc
nc -h 2>&1 | grep -q -- '-X proxy_protocol' || skip "nc is not OpenBSD netcat"

start_echo
via_nc() { # WHAT VERSION PROXYPORT
	local got
	# stdin stays open a moment: microsocks closes both ways at our EOF.
	got=$({ printf 'ping %s\n' "$1"; sleep 0.3; } |
		timeout --foreground 10 nc -N -X "$2" -x "127.0.0.1:$3" 127.0.0.1 "$ECHO_PORT" 2>"$T/nc.err")
	if [ "$got" = "ping $1" ]; then ok "$1: nc -X $2 echo"; else
		fail "$1: nc -X $2 got '$got': $(cat "$T/nc.err")"; fi
}
start_danted none
via_nc danted 5 "$DANTED_PORT"
via_nc danted 4 "$DANTED_PORT"
start_microsocks
via_nc microsocks 5 "$MS_PORT"
start_sshd_socks
via_nc ssh-D 5 "$SSH_SOCKS_PORT"
via_nc ssh-D 4 "$SSH_SOCKS_PORT"

# danted's username method against a throwaway system user, and microsocks
# -u/-P, with a tiny RFC 1929 client.
userpass() { # PORT USER PASS -> prints the auth STATUS byte, then the echo
	"$PY" - "$@" "$ECHO_PORT" <<'PYEOF'
import socket, struct, sys
port, user, pw, echo = int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3].encode(), int(sys.argv[4])
s = socket.create_connection(("127.0.0.1", port), timeout=5)
s.sendall(b"\x05\x01\x02")
assert s.recv(2) == b"\x05\x02"
s.sendall(b"\x01" + bytes([len(user)]) + user + bytes([len(pw)]) + pw)
st = s.recv(2)
print("status %02x" % st[1])
if st[1] == 0:
    s.sendall(b"\x05\x01\x00\x01\x7f\x00\x00\x01" + struct.pack("!H", echo))
    r = s.recv(10)
    s.sendall(b"up\n")
    print("reply %02x echo %r" % (r[1], s.recv(3)))
PYEOF
}
make_test_user
if getent passwd "$TEST_USER" >/dev/null; then ok "user $TEST_USER created"; else fail "no user $TEST_USER"; fi
start_danted username
r=$(userpass "$DANTED_PORT" "$TEST_USER" "$TEST_PASS" 2>&1)
[ "$r" = $'status 00\nreply 00 echo b\'up\\n\'' ] && ok "danted username: accepted" || fail "danted username: $r"
r=$(userpass "$DANTED_PORT" "$TEST_USER" "not-it" 2>&1)
[ "$r" = "status 01" ] && ok "danted username: wrong password refused" || fail "danted wrong password: $r"
start_microsocks -u bob -P "pw$$"
r=$(userpass "$MS_PORT" bob "pw$$" 2>&1)
[ "$r" = $'status 00\nreply 00 echo b\'up\\n\'' ] && ok "microsocks -u/-P: accepted" || fail "microsocks -u/-P: $r"

# badserver.py: the bytes of a few scenarios, exactly.
scenario_bytes() { # SCENARIO CLIENT-HEX -> hex of all the server sent, then "EOF" or "RST"
	start_badserver "$1"
	"$PY" - "$BAD_PORT" "$2" <<'PYEOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(bytes.fromhex(sys.argv[2]))
got = b""
try:
    while True:
        d = s.recv(4096)
        if not d:
            end = "EOF"
            break
        got += d
except ConnectionResetError:
    end = "RST"
except socket.timeout:
    end = "TIMEOUT"
print(got.hex(), end)
PYEOF
}
REQ5=050100050100017f0000010050   # greeting (00), CONNECT 127.0.0.1:80
REQ4=040100507f00000166726564 # SOCKS4 CONNECT 127.0.0.1:80 as "fred" (NUL below)
expect_bytes() { # SCENARIO CLIENT-HEX WANT
	local got
	# Not in $(...): a server started in a subshell would be tracked there.
	scenario_bytes "$1" "$2" >"$T/bytes.out" 2>&1
	got=$(cat "$T/bytes.out")
	if [ "$got" = "$3" ]; then ok "badserver $1: $3"; else fail "badserver $1: got '$got', want '$3'"; fi
}
expect_bytes trunc5-7-close "$REQ5" "0500050000017f0000 EOF"
expect_bytes trunc5-3-reset "$REQ5" "0500050000 RST"
expect_bytes rep-05 "$REQ5" "0500050500017f0000010438 EOF"
expect_bytes wrongver 050100 "0400 EOF"
expect_bytes method-not-offered 050100 "0502 EOF"
expect_bytes atyp-unknown "$REQ5" "050005000007000000000000 EOF"
expect_bytes s4-trunc-3 "${REQ4}00" "005a00 EOF"
expect_bytes s4-rep-5b "${REQ4}00" "005b000000000000 EOF"
expect_bytes auth-fail 050102010161010162 "05020101 EOF"
# Cleanup: a nested test starts every kind of server and a user, then exits
# normally ("exit") or is stopped by a timeout's TERM ("term"), as the runner
# would do.  Afterwards none of its processes, its user or its folder remain.
cat >"$T/nested.sh" <<'NESTED'
. "$E2E_DIR_OUTER/lib.sh"
start_echo
start_badserver silent
start_danted none
start_microsocks
start_sshd_socks
make_test_user
printf '%s\n' "${_PIDS[*]}" >"$OUT.pids"   # PID:START entries
printf '%s\n' "$TEST_USER" >"$OUT.user"
printf '%s\n' "$T" >"$OUT.tmp"
if [ "$1" = term ]; then
	# `wait` returns at once on a trapped signal; a foreground sleep that
	# was forked just as the TERM arrived would hold bash for its full length.
	sleep 60 &
	track_pid $!
	wait $!
fi
exit 0
NESTED
gone() { # WHAT OUT
	local pid left=
	for pid in $(cat "$2.pids"); do ours "$pid" && left="$left ${pid%%:*}"; done
	if [ -z "$left" ]; then ok "$1: all $(wc -w <"$2.pids") processes stopped"; else
		fail "$1: still running:$left"; ps -o pid,user,args -p "${left# }" | sed 's/^/       | /'; fi
	if getent passwd "$(cat "$2.user")" >/dev/null; then fail "$1: user $(cat "$2.user") left behind"
	else ok "$1: user removed"; fi
	if [ -d "$(cat "$2.tmp")" ]; then fail "$1: $(cat "$2.tmp") left behind"; else ok "$1: temp folder removed"; fi
}
all_stopped() { local p; for p in $(cat "$1.pids"); do ours "$p" && return 1; done; return 0; }

E2E_DIR_OUTER=$E2E_DIR OUT="$T/normal" bash "$T/nested.sh" exit >"$T/nested-exit.log" 2>&1
rc=$?
[ "$rc" = 0 ] && ok "nested test, normal exit: exit 0" || fail "nested test, normal exit: exit $rc"
gone "normal exit" "$T/normal"

E2E_DIR_OUTER=$E2E_DIR OUT="$T/term" timeout -s TERM 30 bash "$T/nested.sh" term >"$T/nested-term.log" 2>&1 &
tpid=$!
track_pid "$tpid"
if wait_for 20 test -s "$T/term.tmp"; then
	kill -TERM "$tpid"   # what the runner's timeout does when a test overruns
	wait "$tpid"
	rc=$?
	case $rc in 143) ok "nested test, TERM: stopped at once (exit 143)" ;; *) fail "nested test, TERM: exit $rc (124: it outlived the TERM)" ;; esac
	wait_for 5 all_stopped "$T/term"
	gone "TERM" "$T/term"
else
	fail "nested test did not get ready: $(tail -5 "$T/nested-term.log")"
fi

finish
