#!/usr/bin/env bash
# Started with stdin, stdout or stderr closed (0<&-, 1>&-, 2>&-, or all
# three), sockscope must not let its socket take the free number: a trace
# meant for stderr, a JSON summary meant for stdout, or tunnel data meant
# for the terminal would go to the server, and a "stdin" read from the
# socket would be echoed back to it.  A recording SOCKS5 server (it grants
# every CONNECT and then sends a line) keeps every byte it receives; each
# connection must have carried exactly the handshake's bytes, never text,
# and the run must end as it would with the descriptors open, except that
# output meant for a closed stdout is lost, which is exit 7.
. "$(dirname "$0")/lib.sh"
need_sockscope

# ------------------------------------------------------------ the recorder

cat >"$T/rec.py" <<'EOF'
"""rec.py DIR: a SOCKS5 server on 127.0.0.1 that grants any CONNECT, then
sends b"from-server\\n" and reads until the client's EOF; refuses SOCKS4.  Every byte a
connection received, as hex, goes to DIR/conn<N>.hex when it ends.
Anything that does not start as SOCKS5 is just read and kept.  Prints
PORT <n>; exits after 100 s."""
import os, socket, sys, threading

out = sys.argv[1]
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0))
srv.listen(64)
print("PORT %d" % srv.getsockname()[1], flush=True)
threading.Timer(100, lambda: os._exit(0)).start()

def serve(c, n):
    got = bytearray()
    def need(k):
        while len(got) < k:
            d = c.recv(65536)
            if not d:
                raise EOFError
            got.extend(d)
    try:
        c.settimeout(5)
        need(1)
        if got[0] == 5:
            need(2)
            need(2 + got[1])
            c.sendall(b"\x05\x00")
            b = 2 + got[1]
            need(b + 5)
            alen = {1: 4, 4: 16}.get(got[b + 3], 1 + got[b + 4])
            need(b + 4 + alen + 2)
            c.sendall(b"\x05\x00\x00\x01\x7f\x00\x00\x01\x00\x09from-server\n")
        elif got[0] == 4:
            # USERID, and SOCKS4a's host name after 0.0.0.x: refused.
            need(9)
            nuls = 2 if got[4:7] == b"\0\0\0" and got[7] else 1
            while got[8:].count(0) < nuls:
                need(len(got) + 1)
            c.sendall(b"\x00\x5b" + bytes(6))
        c.settimeout(3)
        while True:
            d = c.recv(65536)
            if not d:
                break
            got.extend(d)
    except (EOFError, OSError):
        pass
    finally:
        c.close()
        tmp = os.path.join(out, ".conn%d" % n)
        with open(tmp, "w") as f:
            f.write(got.hex())
        os.rename(tmp, os.path.join(out, "conn%d.hex" % n))

n = 0
while True:
    c, _ = srv.accept()
    n += 1
    threading.Thread(target=serve, args=(c, n), daemon=True).start()
EOF

REC="$T/rec"
mkdir -p "$REC"
_start_py rec REC_PORT "$T/rec.py" "$REC"
P=socks5://127.0.0.1:$REC_PORT

# What sockscope sends for CONNECT 127.0.0.1:9 with no credentials.
HANDSHAKE=050100050100017f0000010009

# ------------------------------------------------------------ helpers

# run_closed WHICH ARGS...: the client with WHICH closed (0, 1, 2 or all);
# what is open goes to $T/o (stdout), $T/e (stderr), stdin /dev/null.
# Sets RC, and NEW to the connections the recorder saw end since the
# previous run (waiting up to 5 s for $EXPECT_CONNS of them, default 1).
SEEN=0
run_closed() {
	local which=$1 i n
	shift
	RUN="$which closed: sockscope $*"
	: >"$T/o"
	: >"$T/e"
	case $which in
	0) timeout --foreground -k 2 20 "$SOCKSCOPE" "$@" 0<&- >"$T/o" 2>"$T/e" ;;
	1) timeout --foreground -k 2 20 "$SOCKSCOPE" "$@" </dev/null 1>&- 2>"$T/e" ;;
	2) timeout --foreground -k 2 20 "$SOCKSCOPE" "$@" </dev/null >"$T/o" 2>&- ;;
	all) timeout --foreground -k 2 20 "$SOCKSCOPE" "$@" 0<&- 1>&- 2>&- ;;
	esac
	RC=$?
	NEW=()
	for ((i = 0; i < 100 && ${EXPECT_CONNS:-1} > 0; i++)); do
		n=$(find "$REC" -name 'conn*.hex' | wc -l)
		[ "$n" -gt "$SEEN" ] && [ "${EXPECT_CONNS:-1}" -le $((n - SEEN)) ] && break
		sleep 0.05
	done
	sleep 0.1   # a straggler of a multi-connection run
	n=$(find "$REC" -name 'conn*.hex' | wc -l)
	for ((i = SEEN + 1; i <= n; i++)); do NEW+=("$REC/conn$i.hex"); done
	SEEN=$n
}

context() {
	printf '       %s\n       exit %s; stdout %s bytes, stderr %s bytes\n' "$RUN" "$RC" \
		"$(wc -c <"$T/o")" "$(wc -c <"$T/e")"
	head -c 600 "$T/e" | sed 's/^/       | /'
}

expect_status() { # WHAT CODE...
	local what=$1 c
	shift
	for c in "$@"; do
		if [ "$RC" = "$c" ]; then ok "$what: exit $RC"; return 0; fi
	done
	fail "$what: exit $RC, expected $*"
	context
}

# The one connection of the last run carried exactly HEX.
expect_wire() { # WHAT HEX
	local got
	if [ "${#NEW[@]}" != 1 ]; then
		fail "$1: ${#NEW[@]} connections reached the server, expected 1"
		context
		return
	fi
	got=$(cat "${NEW[0]}")
	if [ "$got" = "$2" ]; then
		ok "$1: the server received the handshake and nothing else"
	else
		fail "$1: the server received $(printf '%s' "$got" | head -c 160)"
		printf '%s' "$got" | xxd -r -p | head -c 300 | od -c | head -8 | sed 's/^/       /'
		context
	fi
}

# No connection of the last run carried text sockscope writes for people.
expect_no_text() { # WHAT
	local f bad=0
	for f in "${NEW[@]}"; do
		if xxd -r -p "$f" | grep -aEq 'sockscope|SOCKS5 |->|<-|"phase"|from-server|verdict|[0-9a-f]{4}  [0-9a-f]{2} '; then
			bad=1
			fail "$1: text reached the server on ${f##*/}: $(xxd -r -p "$f" | tr -c '[:print:]' . | head -c 160)"
		fi
	done
	[ "$bad" = 0 ] && ok "$1: no text reached the server (${#NEW[@]} connections)"
	[ "$bad" = 0 ] || context
}

need_cmd xxd

# ------------------------------------------------------------ one-shot

for which in 0 1 2 all; do
	# With stdout closed, what was meant for it is lost: exit 7, as for
	# any failure to write stdout (the tunnel's line, -z's JSON).
	want=0
	case $which in 1 | all) want=7 ;; esac
	# Tunnel mode: the trace and the JSON go to stderr, the server's line
	# to stdout; stdin (/dev/null or closed) ends at once.  The JSON is
	# the output asked for, so with stderr closed it is lost too: exit 7.
	run_closed "$which" -v -X -j -w 5 -x "$P" 127.0.0.1 9
	case $which in 2) expect_status "one-shot -v -X -j, $which closed" 7 ;;
	*) expect_status "one-shot -v -X -j, $which closed" "$want" ;; esac
	expect_wire "one-shot -v -X -j, $which closed" "$HANDSHAKE"
	# -z: the JSON goes to stdout.
	run_closed "$which" -v -X -j -z -w 5 -x "$P" 127.0.0.1 9
	expect_status "one-shot -v -X -j -z, $which closed" "$want"
	expect_wire "one-shot -v -X -j -z, $which closed" "$HANDSHAKE"
	if [ "$which" = 1 ]; then
		grep -q '^sockscope: standard output: Bad file descriptor$' "$T/e" &&
			ok "-z -j, stdout closed: said on stderr" ||
			{ fail "-z -j, stdout closed: stderr lacks 'standard output: Bad file descriptor'"; context; }
	fi
done

# What the closed descriptors would have carried still goes where it should
# when only the other one is closed.
run_closed 1 -v -X -w 5 -x "$P" 127.0.0.1 9
grep -q 'SOCKS5 reply' "$T/e" && ok "stdout closed: the trace still reaches stderr" ||
	{ fail "stdout closed: no trace on stderr"; context; }
run_closed 2 -w 5 -x "$P" 127.0.0.1 9
[ "$(cat "$T/o")" = from-server ] && ok "stderr closed: the tunnel still reaches stdout" ||
	{ fail "stderr closed: stdout is '$(head -c 100 "$T/o")'"; context; }

# A failure with stderr closed: its message goes nowhere, the status stays.
run_closed 2 -v -X -j -w 5 -x "socks4://127.0.0.1:$REC_PORT" 127.0.0.1 9
expect_status "a SOCKS4 request the server refuses, 2 closed" 1
expect_wire "a SOCKS4 request the server refuses, 2 closed" 040100097f00000100

# ------------------------------------------------------------ REPL

for which in 0 2; do
	run_closed "$which" -w 5 -c "proxy $P; connect 127.0.0.1 9; status; show"
	expect_status "REPL -c, $which closed" 0
	expect_wire "REPL -c, $which closed" "$HANDSHAKE"
done
# With stdout closed the first line the REPL cannot write ends the run:
# exit 7, and the commands after it are not run (no connection).
for which in 1 all; do
	EXPECT_CONNS=0 run_closed "$which" -w 5 -c "proxy $P; connect 127.0.0.1 9; status; show"
	expect_status "REPL -c, $which closed" 7
	[ "${#NEW[@]}" = 0 ] && ok "REPL -c, $which closed: stopped before connecting" ||
		fail "REPL -c, $which closed: ${#NEW[@]} connections"
done
# Commands from a stdin that is closed: nothing to run, no connection.
EXPECT_CONNS=0 run_closed 0 -w 5 -x "$P"
expect_status "REPL with stdin closed" 0
[ "${#NEW[@]}" = 0 ] && ok "REPL with stdin closed: no connection" ||
	fail "REPL with stdin closed: ${#NEW[@]} connections"

# ------------------------------------------------------------ probe, decode

for which in 1 2 all; do
	EXPECT_CONNS=2 run_closed "$which" -w 2 -j -v probe "$P"
	if [ "$which" = 2 ]; then want="0 1"; else want=7; fi
	# shellcheck disable=SC2086 # two statuses are both right with stdout open
	expect_status "probe -j -v, $which closed" $want
	[ "${#NEW[@]}" -ge 1 ] && ok "probe, $which closed: it reached the server" ||
		fail "probe, $which closed: no connection"
	expect_no_text "probe -j -v, $which closed"
done

run_closed 1 decode 05 01 00
expect_status "decode, stdout closed" 7
run_closed all decode --json 05 01 00
expect_status "decode --json, all closed" 7

finish
