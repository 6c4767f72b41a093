#!/usr/bin/env bash
# Tunnel edges: bytes the server sent before a reset reach stdout; SIGINT,
# SIGTERM, SIGHUP and SIGQUIT (Ctrl-\) leave a terminal's flags and echo as
# they were; a server that never reads does not spin the client; tunnel errors read
# "tunnel DIRECTION: ACTION failed: REASON after N bytes".
. "$(dirname "$0")/lib.sh"
need_sockscope

# start_edge SCENARIO [SECS]: tests/e2e/edgesrv.py; sets EDGE_PORT, EDGE_PID.
_EDGE_N=0
start_edge() {
	_EDGE_N=$((_EDGE_N + 1))
	_start_py "edge$_EDGE_N" EDGE_PORT "$E2E_DIR/edgesrv.py" "$@"
	EDGE_PID=$BG_PID
}

# ------------------------------------------------ 1. bytes before a reset

"$PY" "$E2E_DIR/netsvc.py" gen --size 50M --seed 1 >"$T/big" || die "netsvc gen failed"
for i in 1 2; do
	start_edge reset
	sc --timeout 15 --in "$T/big" -- -w 5 -x "socks5://127.0.0.1:$EDGE_PORT" 127.0.0.1 9
	expect_rc "reset, file stdin ($i)" 7
	expect_out "reset, file stdin ($i): the 22 bytes sent before the reset" \
		"RESPONSE-BEFORE-RESET
"
	expect_err "reset, file stdin ($i): message" \
		'tunnel upload: writing the server failed: (connection reset|Broken pipe) after [0-9]+ bytes'
	stop_pid "$EDGE_PID"

	# Pipes at both ends: the direct splice path.
	start_edge reset
	SC_ARGS="-w 5 -x socks5://127.0.0.1:$EDGE_PORT 127.0.0.1 9 (pipes)"
	t0=$(date +%s%N)
	timeout --foreground -k 2 15 "$SOCKSCOPE" -w 5 -x "socks5://127.0.0.1:$EDGE_PORT" 127.0.0.1 9 \
		< <(cat "$T/big") 2>"$SC_ERR" | cat >"$SC_OUT"
	SC_RC=${PIPESTATUS[0]}
	SC_SECS=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
	expect_rc "reset, pipe stdin and stdout ($i)" 7
	expect_out "reset, pipes ($i): the 22 bytes sent before the reset" \
		"RESPONSE-BEFORE-RESET
"
	stop_pid "$EDGE_PID"
done

# ------------------------------------------------ 5. one shape for errors

# stdout is a pipe nobody reads: EPIPE writing it.  The reader went away
# (`| head -1`): an orderly end, exit 0, nothing said.
start_edge send 5
SC_ARGS="-w 5 -x socks5://127.0.0.1:$EDGE_PORT 127.0.0.1 9 | (stdout closed)"
timeout --foreground -k 2 15 "$SOCKSCOPE" -w 5 -x "socks5://127.0.0.1:$EDGE_PORT" 127.0.0.1 9 \
	</dev/null 2>"$SC_ERR" | { exec 0<&-; sleep 1; }
SC_RC=${PIPESTATUS[0]} SC_SECS=?
expect_rc "stdout's reader gone" 0
if [ -s "$SC_ERR" ]; then fail "stdout's reader gone: said $(head -c 200 "$SC_ERR")"; else ok "stdout's reader gone: nothing said"; fi
stop_pid "$EDGE_PID"

# Any other failure to write stdout is exit 7, "standard output: REASON".
start_edge send 5
SC_ARGS="-w 5 -x ... 127.0.0.1 9 >/dev/full"
timeout --foreground -k 2 15 "$SOCKSCOPE" -w 5 -x "socks5://127.0.0.1:$EDGE_PORT" 127.0.0.1 9 \
	</dev/null >/dev/full 2>"$SC_ERR"
SC_RC=$? SC_SECS=?
expect_rc "tunnel >/dev/full" 7 && expect_err "tunnel >/dev/full: message" \
	'^sockscope: standard output: No space left on device \(tunnel download, after 0 bytes\)$'
stop_pid "$EDGE_PID"
start_edge send 5
SC_ARGS="-w 5 -x ... 127.0.0.1 9 >&-"
timeout --foreground -k 2 15 "$SOCKSCOPE" -w 5 -x "socks5://127.0.0.1:$EDGE_PORT" 127.0.0.1 9 \
	</dev/null >&- 2>"$SC_ERR"
SC_RC=$? SC_SECS=?
expect_rc "tunnel, stdout closed" 7 && expect_err "tunnel, stdout closed: message" \
	'^sockscope: standard output: Bad file descriptor'
stop_pid "$EDGE_PID"
start_edge hold 5
SC_ARGS="-z -j -w 5 -x ... 127.0.0.1 9 >/dev/full"
timeout --foreground -k 2 15 "$SOCKSCOPE" -z -j -w 5 -x "socks5://127.0.0.1:$EDGE_PORT" 127.0.0.1 9 \
	</dev/null >/dev/full 2>"$SC_ERR"
SC_RC=$? SC_SECS=?
expect_rc "-z -j >/dev/full" 7 && expect_err "-z -j >/dev/full: message" \
	'^sockscope: standard output: No space left on device$'
stop_pid "$EDGE_PID"

# An upload cut by a reset, the server having sent nothing: the upload is
# what failed, and its count is said (pipes: the splice path; a file: read
# and write).
for how in pipe file pipe pipe; do
	start_edge cut
	SC_ARGS="-w 5 -x socks5://127.0.0.1:$EDGE_PORT 127.0.0.1 9 (50 MiB upload, $how)"
	if [ "$how" = pipe ]; then
		timeout --foreground -k 2 15 "$SOCKSCOPE" -w 5 -x "socks5://127.0.0.1:$EDGE_PORT" 127.0.0.1 9 \
			< <(cat "$T/big") 2>"$SC_ERR" | cat >"$SC_OUT"
		SC_RC=${PIPESTATUS[0]}
	else
		timeout --foreground -k 2 15 "$SOCKSCOPE" -w 5 -x "socks5://127.0.0.1:$EDGE_PORT" 127.0.0.1 9 \
			<"$T/big" >"$SC_OUT" 2>"$SC_ERR"
		SC_RC=$?
	fi
	SC_SECS=?
	expect_rc "upload cut by a reset ($how)" 7
	expect_err "upload cut by a reset ($how): the upload named, with its count" \
		'^sockscope: tunnel upload: (cut by a reset from the server after [1-9][0-9]* bytes sent \(download: 0 bytes received\)|writing the server failed: (connection reset|Broken pipe) after [1-9][0-9]* bytes)$'
	stop_pid "$EDGE_PID"
done

# ------------------------------------------------ 2. signals and a terminal's flags

cat >"$T/ptyflags.py" <<'PYEOF'
import fcntl, os, pty, signal, subprocess, sys, time
sig = getattr(signal, sys.argv[1])
cmd = sys.argv[2:]
m, s = pty.openpty()
os.set_blocking(s, True)
p = subprocess.Popen(cmd, stdin=s, stdout=s, stderr=open(os.environ["ERRFILE"], "w"))
nb = lambda: bool(fcntl.fcntl(s, fcntl.F_GETFL) & os.O_NONBLOCK)
t0 = time.time()
while not nb() and p.poll() is None and time.time() - t0 < 5:
    time.sleep(0.05)
during = nb()
p.send_signal(sig)
try:
    rc = p.wait(5)
except subprocess.TimeoutExpired:
    p.kill(); p.wait(5); rc = "hung"
print("during=%s rc=%s after=%s" % (during, rc, nb()))
PYEOF
for sig in SIGINT SIGTERM SIGHUP SIGQUIT; do
	start_edge hold 20
	n=$(kill -l "$sig" 2>/dev/null || echo 0)
	out=$(ERRFILE="$T/pty-$sig.err" timeout -k 2 15 "$PY" "$T/ptyflags.py" "$sig" \
		"$SOCKSCOPE" -w 5 -x "socks5://127.0.0.1:$EDGE_PORT" 127.0.0.1 9 2>&1)
	case $out in
	"during=True rc=-$n after=False") ok "$sig in a tunnel on a terminal: killed by it, O_NONBLOCK cleared" ;;
	*) fail "$sig in a tunnel on a terminal: $out (want during=True rc=-$n after=False); stderr: $(head -c 300 "$T/pty-$sig.err")" ;;
	esac
	stop_pid "$EDGE_PID"
done

# With -j, Ctrl-C in a tunnel still writes the summary (stderr: JSON only),
# restores the terminal, and the run ends by SIGINT as without -j.
cat >"$T/ptyjson.py" <<'PYEOF'
import fcntl, os, select, signal, sys, time
sys.path.insert(0, os.environ["E2E_DIR"])
from ptyctl import spawn_on_tty
errfile = sys.argv[1]
cmd = ["/bin/sh", "-c", 'exec "$0" "$@" 2>"$ERRFILE"'] + sys.argv[2:]
os.environ["ERRFILE"] = errfile
pid, m, s = spawn_on_tty(cmd)
nb = lambda: bool(fcntl.fcntl(s, fcntl.F_GETFL) & os.O_NONBLOCK)
t0 = time.time()
while not nb() and time.time() - t0 < 5:
    time.sleep(0.05)
during = nb()
os.write(m, b"\x03")
st = None
t0 = time.time()
while time.time() - t0 < 5:
    done, st = os.waitpid(pid, os.WNOHANG)
    if done:
        break
    if select.select([m], [], [], 0.05)[0]:
        try:
            os.read(m, 1000)
        except OSError:
            pass
else:
    os.kill(pid, signal.SIGKILL); os.waitpid(pid, 0); st = None
ended = "hung" if st is None else ("sig%d" % os.WTERMSIG(st) if os.WIFSIGNALED(st) else "exit%d" % os.WEXITSTATUS(st))
print("during=%s ended=%s after=%s" % (during, ended, nb()))
PYEOF
start_edge hold 20
out=$(timeout -k 2 15 "$PY" "$T/ptyjson.py" "$T/ctrlc.err" \
	"$SOCKSCOPE" -j -w 5 -x "socks5://127.0.0.1:$EDGE_PORT" 127.0.0.1 9 2>&1)
case $out in
"during=True ended=sig2 after=False") ok "Ctrl-C in a -j tunnel: killed by SIGINT, O_NONBLOCK cleared" ;;
*) fail "Ctrl-C in a -j tunnel: $out (want during=True ended=sig2 after=False)" ;;
esac
if "$PY" - "$T/ctrlc.err" <<'PYEOF'; then
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1], errors="replace")]
assert len(docs) == 1, "%d JSON documents" % len(docs)
d = docs[0]
assert d["outcome"] == "interrupted" and d["signal"] == "SIGINT" and d["exit"] == 130, d
assert [p["phase"] for p in d["phases"]] == ["connect", "greeting", "request"], d["phases"]
PYEOF
	ok "Ctrl-C in a -j tunnel: the summary, and only it, on stderr"
else
	fail "Ctrl-C in a -j tunnel: stderr is $(head -c 300 "$T/ctrlc.err")"
fi
stop_pid "$EDGE_PID"

# ------------------------------------------------ 3. signals at the password prompt

cat >"$T/ptyprompt.py" <<'PYEOF'
import fcntl, os, select, signal, sys, termios, time
sys.path.insert(0, os.environ["E2E_DIR"])
from ptyctl import spawn_on_tty
how = sys.argv[1]
cmd = sys.argv[2:]
pid, m, s = spawn_on_tty(cmd, unset=("SOCKSCOPE_PASSWORD",))
echo = lambda: bool(termios.tcgetattr(s)[3] & termios.ECHO)
out = b""
t0 = time.time()
while time.time() - t0 < 5 and b"password" not in out:
    r, _, _ = select.select([m], [], [], 0.1)
    if r:
        try:
            out += os.read(m, 1000)
        except OSError:
            break
time.sleep(0.2)
during = echo()
if how == "ctrl-c":
    os.write(m, b"\x03")
else:
    os.kill(pid, getattr(signal, how))
st = None
t0 = time.time()
while time.time() - t0 < 5:
    done, st = os.waitpid(pid, os.WNOHANG)
    if done:
        break
    r, _, _ = select.select([m], [], [], 0.05)
    if r:
        try:
            os.read(m, 1000)
        except OSError:
            pass
else:
    os.kill(pid, signal.SIGKILL); os.waitpid(pid, 0); st = None
how_ended = "hung" if st is None else ("sig%d" % os.WTERMSIG(st) if os.WIFSIGNALED(st) else "exit%d" % os.WEXITSTATUS(st))
print("prompt=%s echo_during=%s ended=%s echo_after=%s" % (b"password" in out, during, how_ended, echo()))
PYEOF
start_edge hold 30
for how in ctrl-c SIGTERM SIGHUP; do
	case $how in ctrl-c) n=2 ;; *) n=$(kill -l "$how") ;; esac
	out=$(timeout -k 2 15 "$PY" "$T/ptyprompt.py" "$how" \
		"$SOCKSCOPE" -w 5 -U alice -x "socks5://127.0.0.1:$EDGE_PORT" 127.0.0.1 9 2>&1)
	case $out in
	"prompt=True echo_during=False ended=sig$n echo_after=True") ok "$how at the password prompt: killed by it, echo back on" ;;
	*) fail "$how at the password prompt: $out (want prompt=True echo_during=False ended=sig$n echo_after=True)" ;;
	esac
done
stop_pid "$EDGE_PID"

# ------------------------------------------------ 4. no busy loop when the pipe is full

# stdin and stdout are one TCP socket: socket to socket, through the
# client's own pipe.  Small segments fill the pipe's slots long before its
# bytes; the server never reads.  Then the client must sleep.
cat >"$T/spin.py" <<'PYEOF'
import os, socket, subprocess, sys, time
cmd = sys.argv[1:]
ls = socket.socket(); ls.bind(("127.0.0.1", 0)); ls.listen(1)
a = socket.create_connection(ls.getsockname()); b, _ = ls.accept()
p = subprocess.Popen(cmd, stdin=b, stdout=b, stderr=open(os.environ["ERRFILE"], "w"))
b.close(); a.setblocking(False)
def cpu(pid):
    f = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
try:
    time.sleep(1)
    sent = 0; t0 = time.time()
    while time.time() - t0 < 4 and p.poll() is None:
        try:
            sent += a.send(b"x" * 100)
        except BlockingIOError:
            time.sleep(0.001)
        time.sleep(0.0005)
    if p.poll() is not None:
        print("client ended early: exit %s" % p.returncode); sys.exit(0)
    c1 = cpu(p.pid); time.sleep(3); c2 = cpu(p.pid)
    print("sent=%d cpu=%.2f" % (sent, c2 - c1))
finally:
    if p.poll() is None:
        p.kill()
    p.wait(5)
PYEOF
start_edge hold 30
out=$(ERRFILE="$T/spin.err" timeout -k 2 20 "$PY" "$T/spin.py" \
	"$SOCKSCOPE" -w 5 -x "socks5://127.0.0.1:$EDGE_PORT" 127.0.0.1 9 2>&1)
cpu=${out##*cpu=}
case $out in
*cpu=*)
	if awk -v c="$cpu" 'BEGIN { exit !(c < 0.5) }'; then
		ok "server never reads, small segments: client CPU ${cpu}s over a 3 s hold ($out)"
	else
		fail "server never reads, small segments: client busy, CPU ${cpu}s over a 3 s hold ($out)"
	fi
	;;
*) fail "spin check did not run: $out; stderr: $(head -c 300 "$T/spin.err")" ;;
esac
stop_pid "$EDGE_PID"

finish
