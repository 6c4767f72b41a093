#!/usr/bin/env bash
# ^C in the interactive REPL, on a terminal (a pty): it ends a `tunnel` at
# once (back to the prompt, "tunnel interrupted", the terminal's flags as
# they were), and it interrupts the waits of `open`: a connect to a listener
# whose accept queue is full, and the handshake with a chain's first hop
# that never answers.  Each says "interrupted" within a second (not when -w
# expires) and leaves no socket open.  One-shot mode keeps SIGINT's default
# action during the handshake.
. "$(dirname "$0")/lib.sh"
need_sockscope
need_cmd microsocks

start_microsocks
start_echo
start_badserver silent --count 5 --lifetime 100
SILENT_PORT=$BAD_PORT SILENT_LOG=$BAD_LOG

cat >"$T/drive.py" <<'PYEOF'
import fcntl, os, re, select, signal, socket, struct, subprocess, sys, termios, time

sc, ms, echo, silent, state = sys.argv[1:6]
PROMPT = re.compile(rb"\]> $")
WAIT = 3.0  # every read is bounded; -w is 8 s, so a wait that -w ends is a failure

def report(good, what):
    print(("ok   " if good else "FAIL ") + what, flush=True)

def vis(b):
    return b.decode("utf-8", "replace").replace("\r", "\\r").replace("\n", "\\n")[-300:]

class Repl:
    def __init__(self, args):
        self.m, self.s = os.openpty()
        fcntl.ioctl(self.s, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        env = dict(os.environ, TERM="xterm", XDG_STATE_HOME=state)
        env.pop("SOCKSCOPE_PASSWORD", None)
        self.p = subprocess.Popen([sc] + args, stdin=self.s, stdout=self.s, stderr=self.s,
                                  env=env, start_new_session=True,
                                  preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))
        self.buf = b""

    def send(self, text):
        os.write(self.m, text.encode())

    def expect(self, pat, t=WAIT):
        """Output up to and including pat; None when t seconds pass first."""
        pat = re.compile(pat) if isinstance(pat, bytes) else pat
        end = time.time() + t
        while True:
            mt = pat.search(self.buf)
            if mt:
                out, self.buf = self.buf[:mt.end()], self.buf[mt.end():]
                return out
            left = end - time.time()
            if left <= 0:
                return None
            r, _, _ = select.select([self.m], [], [], left)
            if r:
                try:
                    self.buf += os.read(self.m, 65536)
                except OSError:
                    return None

    def command(self, line, t=WAIT):
        self.send(line + "\r")
        return self.expect(PROMPT, t)

    def nonblocking(self):
        return bool(fcntl.fcntl(self.s, fcntl.F_GETFL) & os.O_NONBLOCK)

    def sockets(self):
        n = 0
        for fd in os.listdir("/proc/%d/fd" % self.p.pid):
            try:
                n += os.readlink("/proc/%d/fd/%s" % (self.p.pid, fd)).startswith("socket:")
            except OSError:
                pass
        return n

    def interrupt_wait(self, line, what, want):
        """line starts a wait; ^C after 0.5 s must bring the prompt back at once."""
        self.send(line + "\r")
        time.sleep(0.5)
        busy = self.p.poll() is None and self.expect(PROMPT, 0) is None
        t0 = time.time()
        self.send("\x03")
        out = self.expect(PROMPT)
        secs = time.time() - t0
        if not busy:
            report(False, "%s: `%s` was not waiting when ^C came: %s" % (what, line, vis(self.buf)))
        elif out is None:
            report(False, "%s: no prompt %g s after ^C: %s" % (what, WAIT, vis(self.buf)))
        else:
            report(secs < 1.0 and re.search(want, out) is not None,
                   "%s: ^C ends the wait in %.2f s, saying /%s/: %s"
                   % (what, secs, want.decode(), vis(out)))
            report(self.sockets() == 0, "%s: no socket left open after ^C" % what)
        return out

    def leave(self):
        self.send("\x15quit\r")  # ^U: whatever an unfinished command left on the line
        try:
            self.p.wait(5)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait(5)

# ------------------------------------------------------------ D3: tunnel
r = Repl(["--color=never", "-w", "8"])
if r.expect(PROMPT) is None:
    report(False, "tunnel: no first prompt: %s" % vis(r.buf))
else:
    r.command("proxy 127.0.0.1:%s" % ms)
    out = r.command("connect 127.0.0.1 %s" % echo)
    report(out is not None and b"granted" in out, "tunnel: connect through microsocks granted")
    r.send("tunnel\r")
    banner = r.expect(rb"\^C stops at once\)")
    r.send("abc\r")
    back = r.expect(rb"abc\r?\n(.|\n)*abc")  # the terminal's echo, then the echo service's
    during = r.nonblocking()
    report(banner is not None and back is not None and during,
           "tunnel: running, bytes echoed back, stdin non-blocking (%s)" % vis(r.buf if back is None else back))
    t0 = time.time()
    r.send("\x03")
    out = r.expect(PROMPT)
    secs = time.time() - t0
    if out is None:
        report(False, "tunnel: no prompt %g s after ^C: %s" % (WAIT, vis(r.buf)))
    else:
        report(secs < 1.0 and re.search(rb"tunnel interrupted: 4 bytes sent, 4 bytes received", out) is not None,
               "tunnel: ^C ends it in %.2f s, saying so: %s" % (secs, vis(out)))
        report(not r.nonblocking(), "tunnel: the terminal's O_NONBLOCK is cleared after ^C")
        report(r.sockets() == 0, "tunnel: the connection is closed after ^C")
        out = r.command("status")
        report(out is not None and b"closed" in out, "tunnel: the REPL goes on after ^C (status: closed)")
r.leave()

# ------------------------------------------------------------ D7: open
# A listener whose accept queue is full: backlog 0, never accepting, filled.
lst = socket.socket()
lst.bind(("127.0.0.1", 0))
lst.listen(0)
fill = []
for i in range(4):
    c = socket.socket()
    c.setblocking(False)
    try:
        c.connect(lst.getsockname())
    except BlockingIOError:
        pass
    fill.append(c)
time.sleep(0.3)

for what, proxy, want in (
        ("open, accept queue full", "127.0.0.1:%d" % lst.getsockname()[1],
         rb"cannot connect to proxy 127\.0\.0\.1:[0-9]+: interrupted"),
        ("open, silent first hop of a chain", "127.0.0.1:%s 127.0.0.1:9" % silent,
         rb"interrupted in the greeting phase: no SOCKS5 method selection arrived")):
    r = Repl(["--color=never", "-w", "8"])
    if r.expect(PROMPT) is None:
        report(False, "%s: no first prompt: %s" % (what, vis(r.buf)))
    else:
        r.command("proxy " + proxy)
        if r.interrupt_wait("open", what, want) is not None:
            # The flag does not linger: the next command runs.
            r.command("proxy 127.0.0.1:%s" % ms)
            out = r.command("open")
            report(out is not None and b"connected to" in out,
                   "%s: after ^C, `open` works again: %s" % (what, vis(out or r.buf)))
    r.leave()

# ------------------------------------------------------------ one-shot: unchanged
env = dict(os.environ)
env.pop("SOCKSCOPE_PASSWORD", None)
for what, args in (("accept queue full", ["-x", "socks5://127.0.0.1:%d" % lst.getsockname()[1]]),
                   ("silent server", ["-x", "socks5://127.0.0.1:%s" % silent])):
    p = subprocess.Popen([sc, "-w", "8"] + args + ["127.0.0.1", "9"], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    time.sleep(0.5)
    p.send_signal(signal.SIGINT)
    try:
        rc = p.wait(3)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait(5)
        rc = "hung"
    report(rc == -signal.SIGINT, "one-shot, %s: SIGINT in the wait kills it (rc %s)" % (what, rc))
PYEOF

out=$(timeout -k 2 60 "$PY" "$T/drive.py" "$SOCKSCOPE" "$MS_PORT" "$ECHO_PORT" "$SILENT_PORT" "$T" 2>&1)
drc=$?
while IFS= read -r line; do
	case $line in
	"ok   "*) ok "${line#ok   }" ;;
	"FAIL "*) fail "${line#FAIL }" ;;
	*) [ -n "$line" ] && note "$line" ;;
	esac
done <<<"$out"
[ "$drc" -eq 0 ] || fail "the pty driver ended with status $drc"
# The silent server saw the chain's greeting, then its connection closed.
if grep -q "EOF" "$SILENT_LOG" 2>/dev/null; then
	ok "silent first hop: the connection was closed after ^C"
else
	fail "silent first hop: no EOF in its log: $(head -c 300 "$SILENT_LOG" 2>/dev/null)"
fi
finish
