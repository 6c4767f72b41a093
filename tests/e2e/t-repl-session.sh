#!/usr/bin/env bash
# The REPL session's credentials and what it echoes: a URL's user and
# password stay with that URL, each on its own (a `set user` or `set pass`
# between does not let the other half carry over); SOCKSCOPE_PASSWORD is
# the password of a URL's user given without one; `set METHODS` names each
# item's meaning; a URL's user is shown percent-encoded; `help` shows
# `proxy [URL...]`.  On a pseudo-terminal: Ctrl-D or an empty line at the
# `set pass` prompt leaves the password as it was, and file-name completion
# quotes what it inserts as the REPL's line reads it.  Server: the scripted
# badserver, whose log says what arrived.
. "$(dirname "$0")/lib.sh"
need_sockscope

hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }

expect_stdout() {
	if grep -Eq -- "$2" "$SC_OUT"; then
		ok "$1: stdout matches /$2/"
	else
		fail "$1: stdout does not match /$2/: $(head -c 600 "$SC_OUT")"
	fi
}
expect_no_stdout() {
	if grep -Eq -- "$2" "$SC_OUT"; then
		fail "$1: stdout matches /$2/: $(grep -E -- "$2" "$SC_OUT" | head -c 300)"
	else
		ok "$1: stdout does not match /$2/"
	fi
}

unset SOCKSCOPE_PASSWORD

# ------------------------------------------------ 1. URL credentials, each half on its own

# `set user` after a URL with a password: the URL's password stays with it.
start_badserver ok5
sc --timeout 15 -- -w 3 -c "proxy u:URLPASS@127.0.0.1:1; set user bob; proxy socks5://127.0.0.1:$BAD_PORT; set METHODS userpass; connect 127.0.0.1 80"
expect_rc "URL password, set user, a URL without: no password left" 2
expect_err "URL password, set user: PASSWD named" 'PASSWD'
expect_no_log "the URL's password never reached the next proxy" "pass=$(hex URLPASS)"
nothing_sent "URL password, set user, a URL without"

# The same with -U: its password goes with its user only, not with bob.
start_badserver ok5
sc --timeout 15 -- -w 3 -U carol:upw -c "proxy u:URLPASS@127.0.0.1:1; set user bob; proxy socks5://127.0.0.1:$BAD_PORT; set METHODS userpass; connect 127.0.0.1 80"
expect_rc "-U, URL password, set user, a URL without" 2
expect_no_log "-U: the URL's password never reached the next proxy" "pass=$(hex URLPASS)"

# `set pass` after a URL with a user: the URL's user stays with it.
start_badserver ok5
sc --timeout 15 -- -w 3 -c "proxy alice:URLPASS@127.0.0.1:1; set pass mine; proxy socks5://127.0.0.1:$BAD_PORT; proxy; set METHODS userpass; connect 127.0.0.1 80"
expect_no_log "set pass: the URL's user never reached the next proxy" "user=$(hex alice)"
expect_stdout "set pass, a URL without: no user shown" "^proxy socks5://127\.0\.0\.1:$BAD_PORT\$"
# ... and `set user` then gets the password set by hand.
start_badserver ok5
sc --timeout 15 -- -w 3 -c "proxy alice:URLPASS@127.0.0.1:1; set pass mine; proxy socks5://127.0.0.1:$BAD_PORT; set user dave; set METHODS userpass; connect 127.0.0.1 80"
expect_rc "set pass carries over to a later URL" 0
expect_log "set pass carries over" "AUTH user=$(hex dave) pass=$(hex mine)\$"

# ------------------------------------------------ 2. SOCKSCOPE_PASSWORD for a URL's user

start_badserver ok5
SOCKSCOPE_PASSWORD=envpw sc --timeout 15 -- -w 3 -x "socks5://alice@127.0.0.1:$BAD_PORT" -c "set METHODS userpass; connect 127.0.0.1 80"
expect_rc "-x URL user, SOCKSCOPE_PASSWORD" 0
expect_log "-x URL user gets SOCKSCOPE_PASSWORD" "AUTH user=$(hex alice) pass=$(hex envpw)\$"
start_badserver ok5
SOCKSCOPE_PASSWORD=envpw sc --timeout 15 -- -w 3 -c "proxy socks5://alice@127.0.0.1:$BAD_PORT; set METHODS userpass; connect 127.0.0.1 80"
expect_rc "proxy URL user, SOCKSCOPE_PASSWORD" 0
expect_log "proxy URL user gets SOCKSCOPE_PASSWORD" "AUTH user=$(hex alice) pass=$(hex envpw)\$"
# A URL's own password wins.
start_badserver ok5
SOCKSCOPE_PASSWORD=envpw sc --timeout 15 -- -w 3 -c "proxy socks5://alice:own@127.0.0.1:$BAD_PORT; set METHODS userpass; connect 127.0.0.1 80"
expect_log "a URL's own password wins over SOCKSCOPE_PASSWORD" "AUTH user=$(hex alice) pass=$(hex own)\$"
# Too long: refused, nothing sent.
start_badserver ok5
SOCKSCOPE_PASSWORD=$(printf 'p%.0s' $(seq 300)) sc --timeout 15 -- -w 3 -c "proxy socks5://alice@127.0.0.1:$BAD_PORT; connect 127.0.0.1 80"
expect_rc "SOCKSCOPE_PASSWORD of 300 bytes" 2
expect_err "SOCKSCOPE_PASSWORD too long: named" 'SOCKSCOPE_PASSWORD is longer than 255'
nothing_sent "SOCKSCOPE_PASSWORD too long"

# ------------------------------------------------ 3. set METHODS names each item

sc -- --color=never -c "set METHODS noauth"
expect_rc "set METHODS noauth" 0
expect_out "set METHODS noauth: its meaning" "greeting.METHODS = 0x00 NO AUTHENTICATION REQUIRED
"
sc -- --color=never -c "set METHODS noauth,userpass"
expect_out "set METHODS noauth,userpass: each item's meaning" "greeting.METHODS = 0x00 NO AUTHENTICATION REQUIRED, 0x02 USERNAME/PASSWORD
"

# ------------------------------------------------ 4. a URL's user is shown as a URL spells it

sc -- --color=never -c 'proxy socks5h://a%3Ab@127.0.0.1:3'
expect_out "a user with ':' is percent-encoded" "proxy socks5h://a%3Ab@127.0.0.1:3
"
sc -- --color=never -c 'proxy socks5h://x%40y%25z%20w%01@127.0.0.1:3'
expect_out "'@' '%' blank and control bytes are percent-encoded" "proxy socks5h://x%40y%25z%20w%01@127.0.0.1:3
"
# What is shown reads back as the same user.
sc -- --color=never -c 'proxy socks5h://a%3Ab@127.0.0.1:3; set METHODS userpass; set pass p; show auth'
expect_stdout "the shown user is the URL's" 'UNAME +"a:b"'

# ------------------------------------------------ 5. help

sc -- --color=never -c help
expect_stdout "help shows proxy's URL as optional" '^  proxy \[URL\.\.\.\] '

# ------------------------------------------------ 6. on a pseudo-terminal

# ptyrun.py STEPS -- CMD...: CMD on a pty that is its controlling terminal;
# each step is send:TEXT (Python escapes) or expect:REGEX (5 s at most).
# Prints the transcript; exit 0 when every expect matched, 1 otherwise.
cat >"$T/ptyrun.py" <<'PYEOF'
import os, re, select, signal, sys, termios, fcntl, time
sys.path.insert(0, os.environ["E2E_DIR"])
from ptyctl import spawn_on_tty
i = sys.argv.index("--")
steps, cmd = sys.argv[1:i], sys.argv[i + 1:]
pid, m, s = spawn_on_tty(cmd)
os.close(s)
buf, seen, rc = b"", 0, 0
def pump(t):
    global buf
    r, _, _ = select.select([m], [], [], t)
    if r:
        try:
            d = os.read(m, 4096)
        except OSError:
            d = b""
        buf += d
        return bool(d)
    return True
for st in steps:
    kind, arg = st.split(":", 1)
    if kind == "send":
        time.sleep(0.15)
        os.write(m, arg.encode().decode("unicode_escape").encode("latin-1"))
    else:
        end = time.time() + 5
        while True:
            mt = re.search(arg.encode(), buf[seen:])
            if mt:
                seen += mt.end()
                break
            if time.time() > end or not pump(0.1):
                print("TIMEOUT waiting for %r" % arg)
                rc = 1
                break
        if rc:
            break
end = time.time() + 5
while time.time() < end:
    done, _ = os.waitpid(pid, os.WNOHANG)
    if done:
        break
    pump(0.05)
else:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
# What it wrote just before it exited is still in the terminal: read it to
# its end (EIO once drained), bounded.
for _ in range(40):
    if not pump(0.05):
        break
sys.stdout.write(buf.decode("latin-1").encode("unicode_escape").decode() + "\n")
sys.exit(rc)
PYEOF
pty() { timeout -k 2 40 env -u SOCKSCOPE_PASSWORD XDG_STATE_HOME="$T/state" TERM=xterm "$PY" "$T/ptyrun.py" "$@"; }
P='\] ?> $'

# Ctrl-D, and an empty line, at the `set pass` prompt: the password stays.
out=$(pty "expect:$P" "send:set pass\r" "expect:password: " "send:\x04" "expect:$P" \
	"send:set pass\r" "expect:password: " "send:\r" "expect:$P" \
	"send:show auth\r" "expect:$P" "send:quit\r" \
	-- "$SOCKSCOPE" --color=never --show-secrets -x socks5h://alice:orig@127.0.0.1:1) ||
	fail "set pass on a pty: $out"
case $out in
*"cancelled at the prompt; the password is unchanged"*) ok "^D at the set pass prompt: cancelled, said so" ;;
*) fail "^D at the set pass prompt: not cancelled: $(printf '%s' "$out" | head -c 800)" ;;
esac
case $out in
*"empty password is refused"*) ok "an empty line at the set pass prompt: refused" ;;
*) fail "an empty line at the set pass prompt: not refused: $(printf '%s' "$out" | head -c 800)" ;;
esac
case $out in
*"password set (0 bytes"*) fail "set pass on a pty: an empty password was set" ;;
*'"orig"'*) ok "set pass on a pty: the earlier password is kept" ;;
*) fail "set pass on a pty: the earlier password is gone: $(printf '%s' "$out" | head -c 800)" ;;
esac

# One-shot: ^D at the prompt refuses (exit 2), and nothing is sent.
start_badserver ok5
out=$(pty "expect:password" "send:\x04" \
	-- "$SOCKSCOPE" -w 3 -U alice -x "socks5://127.0.0.1:$BAD_PORT" 127.0.0.1 9; echo "rc=$?")
case $out in
*"password for alice: cancelled at the prompt"*) ok "one-shot: ^D at the prompt refuses, saying it was cancelled" ;;
*) fail "one-shot: ^D at the prompt: $(printf '%s' "$out" | head -c 600)" ;;
esac
expect_no_log "one-shot: ^D at the prompt sends no (empty) password" 'AUTH'

# File-name completion quotes what it inserts.
mkdir -p "$T/cwd/comp"
printf 'set user fromspace\n' >"$T/cwd/comp/sp ace.txt"
printf "set user fromquote\\n" >"$T/cwd/comp/it's.txt"
mkdir -p "$T/state"
out=$(cd "$T/cwd" && pty "expect:$P" "send:source comp/sp\t" "send:\r" "expect:$P" \
	"send:source comp/it\t" "send:\r" "expect:$P" \
	"send:source 'comp/s\t" "send:\r" "expect:$P" "send:quit\r" \
	-- "$SOCKSCOPE" --color=never -x socks4://127.0.0.1:1)
case $out in
*'user "fromspace"'*'user "fromquote"'*'user "fromspace"'*)
	ok "completion quotes a blank and a quote, also after an opening quote" ;;
*) fail "completion of file names with a blank or a quote: $(printf '%s' "$out" | head -c 1200)" ;;
esac
case $out in
*"unclosed"* | *"usage: source"*) fail "a completed file name did not read back: $(printf '%s' "$out" | head -c 800)" ;;
*) ok "completed file names read back whole" ;;
esac

finish
