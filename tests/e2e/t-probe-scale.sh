#!/usr/bin/env bash
# sockscope probe at its limits: a closed or full stdout ends the run (EPIPE
# an orderly exit with the status so far, ENOSPC reported, status 7);
# the slots fit the open file limit beside the descriptors already open,
# none at all is a usage error before anything is sent, and a socket the
# limit refuses mid-run is a local "error", never "unreachable"; a server
# that accepts and closes (or resets) is "closes", the same every time, and
# never unreachable; a met --expect is ok whatever the verdict; a bad line
# of a pipe after something was sent is that line's own error (exit 1, not
# 2); input without servers, and a line with a NUL byte, are bad input.
. "$(dirname "$0")/lib.sh"
need_sockscope
unset SOCKSCOPE_PASSWORD

# A listener: hold (accepts, never answers), close (accepts and closes) or
# rst (accepts and resets); it exits by itself after LIFETIME seconds.
cat >"$T/lst.py" <<'PY'
import os, socket, struct, sys, threading
mode, life = sys.argv[1], float(sys.argv[2])
threading.Timer(life, lambda: os._exit(0)).start()
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(512)
print("PORT %d" % s.getsockname()[1], flush=True)
held = []
while True:
    c, _ = s.accept()
    if mode == "hold":
        held.append(c)
        continue
    if mode == "rst":
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()
PY
_start_py hold HOLD_PORT "$T/lst.py" hold 90
_start_py close CLOSE_PORT "$T/lst.py" close 90
_start_py rst RST_PORT "$T/lst.py" rst 90
HOLD=127.0.0.1:$HOLD_PORT
CLOSE=127.0.0.1:$CLOSE_PORT
RST=127.0.0.1:$RST_PORT
CLOSED=127.0.0.1:$(free_port)

# dup N ADDR FILE: ADDR on N lines.
dup() { local i; for ((i = 0; i < $1; i++)); do echo "$2"; done >"$3"; }

# jsum EXPR: EXPR (python, over the list `objs` of the JSON lines of $SC_OUT).
jsum() {
	"$PY" -c '
import collections, json, sys
objs = [json.loads(l) for l in open(sys.argv[2], "rb").read().splitlines()]
C = collections.Counter
print(eval(sys.argv[1]))
' "$1" "$SC_OUT" 2>&1
}
expect_jsum() { # WHAT EXPR VALUE
	local got
	got=$(jsum "$2")
	if [ "$got" = "$3" ]; then
		ok "$1: $2 is $3"
	else
		fail "$1: $2 is '$got', expected '$3'"
		_sc_context
	fi
}

# ---------------------------------------------------------------- 1. stdout
dup 100 "$HOLD" "$T/silent100.txt"
for mode in -j ""; do
	t0=$(date +%s%N)
	timeout --foreground -k 2 8 "$SOCKSCOPE" $mode -w 0.2 probe --parallel 1 -f "$T/silent100.txt" \
		2>"$T/head.err" | head -n 1 >/dev/null
	rc=${PIPESTATUS[0]}
	secs=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
	if [ "$rc" = 0 ] || [ "$rc" = 1 ]; then
		ok "probe ${mode:-(table)} | head -n1: exit $rc"
	else
		fail "probe ${mode:-(table)} | head -n1: exit $rc (124: went on probing after head exited)"
	fi
	awk -v a="$secs" 'BEGIN { exit !(a < 4) }' && ok "probe ${mode:-(table)} | head -n1: ended in ${secs}s" ||
		fail "probe ${mode:-(table)} | head -n1: took ${secs}s"
	[ ! -s "$T/head.err" ] && ok "closed stdout: an orderly exit, nothing on stderr" ||
		fail "closed stdout: stderr has $(head -c 200 "$T/head.err")"
done
for mode in -j ""; do
	timeout --foreground -k 2 10 "$SOCKSCOPE" $mode -w 1 probe --steps tcp "$HOLD" >/dev/full 2>"$T/full.err"
	rc=$?
	[ "$rc" = 7 ] && ok "probe ${mode:-(table)} >/dev/full: exit $rc" ||
		fail "probe ${mode:-(table)} >/dev/full: exit $rc, expected 7"
	grep -q '^sockscope: standard output: No space left on device$' "$T/full.err" &&
		ok "probe ${mode:-(table)} >/dev/full: said so" ||
		fail "probe ${mode:-(table)} >/dev/full: stderr is '$(head -c 200 "$T/full.err")'"
done

# ---------------------------------------------------------------- 2. open file limit
dup 40 "$CLOSE" "$T/close40.txt"
# limited LIMIT ARGS...: the client with only 0 1 2 open, then 5 6 7, and
# ulimit -n LIMIT; like sc (SC_OUT, SC_ERR, SC_RC).
limited() {
	local limit=$1
	shift
	SC_ARGS="(ulimit -n $limit, fds 5 6 7 open) $*"
	(
		for f in /proc/$BASHPID/fd/*; do
			n=${f##*/}
			[ "$n" -gt 2 ] 2>/dev/null && eval "exec $n>&-" 2>/dev/null
		done
		# redirections first: bash needs spare descriptors for them
		exec 5</dev/null 6</dev/null 7</dev/null </dev/null >"$SC_OUT" 2>"$SC_ERR"
		ulimit -n "$limit" || exit 99
		exec timeout --foreground -k 2 20 "$SOCKSCOPE" "$@"
	)
	SC_RC=$?
	SC_SECS=-
}
# 14: 7 in use, 2 to spare, 3 for the default target's listeners on
# loopback (probe_sink.c): 2 slots.
limited 14 -j -w 2 probe --parallel 32 -f "$T/close40.txt"
expect_rc "ulimit -n 14, -j, --parallel 32" 1
expect_jsum "ulimit -n 14, -j: every server, the same verdict" \
	'len(objs), sorted(C((o["verdict"], o.get("peer")) for o in objs).items())' \
	"(40, [(('not-socks', 'closes'), 40)])"
grep -q 'Too many open files' "$SC_OUT" "$SC_ERR" && fail "ulimit -n 14, -j: ran out of descriptors" ||
	ok "ulimit -n 14, -j: never ran out of descriptors"
expect_err "ulimit -n 14: fewer slots, said" "--parallel 32 is more than the open file limit allows.*using [1-9]"
limited 14 -w 2 probe --parallel 32 -f "$T/close40.txt"
expect_rc "ulimit -n 14, table" 1
n=$(grep -c "^$CLOSE .*not SOCKS: closes" "$SC_OUT")
[ "$n" = 40 ] && ok "ulimit -n 14, table: 40 rows, each closes" ||
	fail "ulimit -n 14, table: $n rows say closes: $(grep -v 'closes' "$SC_OUT" | head -n 3)"
start_badserver silent --count 0 --lifetime 90
dup 3 "127.0.0.1:$BAD_PORT" "$T/bad3.txt"
limited 8 -w 1 probe -f "$T/bad3.txt"
expect_rc "ulimit -n 8, 7 in use: no slot" 2
expect_err "no slot: said" "^sockscope probe: the open file limit \(8, 7 of them in use\) leaves no descriptor"
nothing_sent "no slot"
limited 8 -j -w 1 probe -f "$T/bad3.txt"
expect_rc "ulimit -n 8, -j: no slot" 2
nothing_sent "no slot (-j)"
# The limit lowered while the run goes on: sockets refused here are a local
# error, not the server's.
if command -v prlimit >/dev/null 2>&1; then
	dup 6 "$HOLD" "$T/silent6.txt"
	SC_ARGS="-j -w 0.3 probe --parallel 1 -f silent6.txt, prlimit --nofile=3: after 0.45 s"
	"$SOCKSCOPE" -j -w 0.3 probe --parallel 1 -f "$T/silent6.txt" >"$SC_OUT" 2>"$SC_ERR" </dev/null &
	pid=$!
	track_pid "$pid"
	sleep 0.45
	prlimit --pid "$pid" --nofile=3: 2>/dev/null || note "prlimit failed"
	# a bounded wait: 6 servers of 0.9 s at most
	wait_for 15 eval '! alive "$pid"' || fail "limit lowered: still running after 15 s"
	stop_pid "$pid"
	wait "$pid"
	SC_RC=$?
	expect_rc "open file limit lowered mid-run" 1
	# The first server may be done before the limit comes down (a slow,
	# sanitized build): every one after it is a local error.
	expect_jsum "limit lowered: local errors, no unreachable" \
		'len(objs), all(o["verdict"] == "error" for o in objs[1:]), objs[0]["verdict"] in ("error", "not-socks"), all("open file limit" in o.get("detail", "") for o in objs if o["verdict"] == "error")' \
		"(6, True, True, True)"
	expect_jsum "limit lowered: the failed step is an error" \
		'sorted(set(s["status"] for o in objs for s in o["steps"] if "Too many open files" in s.get("detail", "")))' \
		"['error']"
else
	note "prlimit not installed: the mid-run limit is not checked"
fi

# ---------------------------------------------------------------- 3. accepts and closes / resets
dup 30 "$CLOSE" "$T/close30.txt"
dup 30 "$RST" "$T/rst30.txt"
for try in 1 2; do
	sc --timeout 20 -- -j -w 2 probe --parallel 30 -f "$T/close30.txt"
	expect_jsum "accepts and closes, x30 (run $try)" \
		'sorted(C((o["verdict"], o.get("peer")) for o in objs).items())' \
		"[(('not-socks', 'closes'), 30)]"
	sc --timeout 20 -- -j -w 2 probe --parallel 30 -f "$T/rst30.txt"
	expect_jsum "accepts and resets, x30 (run $try)" \
		'sorted(C((o["verdict"], o.get("peer"), o["tcp_ms"] is not None) for o in objs).items())' \
		"[(('not-socks', 'closes', True), 30)]"
	expect_jsum "accepts and resets: no step unreachable" \
		'sorted(set(s["status"] for o in objs for s in o["steps"]) - {"skipped"})' \
		"['ok', 'reset']"
done
sc --timeout 20 -- -w 2 probe "$RST"
expect_row "accepts and resets (table)" "$RST" 'not SOCKS: closes without answering'

# ---------------------------------------------------------------- 4. --expect decides ok
sc --timeout 20 -- -j -w 2 probe --expect '!reachable' "$CLOSED"
expect_rc "--expect !reachable on a closed port" 0
expect_jsum "--expect !reachable: met, ok" \
	'objs[0]["verdict"], objs[0]["expect"]["met"], objs[0]["ok"]' "('unreachable', True, True)"
sc --timeout 20 -- -w 2 probe --expect '!reachable' "$CLOSED"
expect_rc "--expect !reachable on a closed port (table)" 0
sc --timeout 20 -- -j -w 2 probe --expect '!socks5,!socks4' "$CLOSE"
expect_rc "--expect !socks5,!socks4 on what is not SOCKS" 0
expect_jsum "--expect on not-socks: ok" 'objs[0]["verdict"], objs[0]["ok"]' "('not-socks', True)"
sc --timeout 20 -- -j -w 2 probe --expect reachable "$CLOSED"
expect_rc "--expect reachable on a closed port: not met (control)" 1
sc --timeout 20 -- -j -w 2 probe --expect '!reachable' "$CLOSED" "$CLOSE"
expect_rc "--expect !reachable, one server reached" 1
sc --timeout 20 -- -j -w 2 probe "$CLOSED"
expect_rc "no --expect: unreachable is not ok (unchanged)" 1

# ---------------------------------------------------------------- 5. bad lines of a pipe
# piped FEEDER... -- ARGS: the client reading the feeder's output on stdin.
piped() {
	local feed=$1
	shift
	SC_ARGS="$* < pipe"
	"$PY" -c "$feed" | timeout --foreground -k 2 20 "$SOCKSCOPE" "$@" >"$SC_OUT" 2>"$SC_ERR"
	SC_RC=${PIPESTATUS[1]}
	SC_SECS=-
}
piped "import sys; sys.stdout.write('$CLOSED\n' + 'x' * 9000 + '\n$CLOSED\n')" -j -w 2 probe -f -
expect_rc "pipe: an over-long line after sending" 1
expect_jsum "pipe: the long line is its own error" \
	'len(objs), [(o["input"], o["verdict"], "line 2 is longer than 8191 bytes" in o.get("detail", "")) for o in objs if o["verdict"] == "error"]' \
	"(3, [(2, 'error', True)])"
piped "import sys; sys.stdout.write('$CLOSED\nsocks5://bob@$CLOSED\n$CLOSED\n')" -j -w 2 probe -f -
expect_rc "pipe: a user without a password after sending" 1
expect_jsum "pipe: the user without a password is its own error" \
	'len(objs), [(o["input"], "line 2" in o["detail"], "no password" in o["detail"]) for o in objs if o["verdict"] == "error"]' \
	"(3, [(2, True, True)])"
piped "import sys; sys.stdout.write('$CLOSED\n$CLOSED\0junk\n')" -w 2 probe -f -
expect_rc "pipe: a NUL byte after sending (table)" 1
expect_row "pipe: the NUL line is its own error" "line 2" "error: -f -: line 2 holds a NUL byte"
piped "import sys; sys.stdout.write('x' * 9000 + '\n$CLOSED\n')" -j -w 2 probe -f -
expect_rc "pipe: an over-long first line, nothing sent (kept)" 2
piped "import sys; sys.stdout.write('socks5://bob@127.0.0.1:$BAD_PORT\n')" -j -w 2 probe -f -
expect_rc "pipe: a first user without a password (kept)" 2
printf '%s\n%s\0junk\n' "127.0.0.1:$BAD_PORT" "127.0.0.1:$BAD_PORT" >"$T/nul.txt"
: >"$BAD_LOG"
sc --timeout 20 -- -w 1 probe -f "$T/nul.txt"
expect_rc "file: a NUL byte" 2
expect_err "file: a NUL byte named" "^sockscope probe: -f $T/nul.txt: line 2 holds a NUL byte"
nothing_sent "file: a NUL byte"

# ---------------------------------------------------------------- 6. no servers
printf '# nothing here\n\n   \n' >"$T/none.txt"
for f in /dev/null "$T/none.txt"; do
	for mode in -j ""; do
		sc --timeout 10 -- $mode probe -f "$f"
		expect_rc "no servers in $f ${mode:-(table)}" 2
		expect_err "no servers in $f ${mode:-(table)}: said" "^sockscope probe: no servers in the input"
		[ ! -s "$SC_OUT" ] && ok "no servers: stdout empty" || fail "no servers: stdout has $(head -c 200 "$SC_OUT")"
	done
done
sc --in "$T/none.txt" --timeout 10 -- -j probe -f -
expect_rc "no servers on stdin" 2

finish
