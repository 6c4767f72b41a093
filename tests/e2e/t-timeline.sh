#!/usr/bin/env bash
# --timeline draws the one-shot's phases as a waterfall on stderr at the end
# (connect, greeting, request, the tunnel's first byte), each row exactly the
# width given ($COLUMNS off a terminal); the REPL's `status` draws its
# phases the same way; --progress shows the tunnel's bytes on a terminal's
# stderr, redrawn in place and erased at the end, and nothing in a pipe.
. "$(dirname "$0")/lib.sh"
need_sockscope
need_cmd microsocks

start_echo
start_microsocks
P="socks5://127.0.0.1:$MS_PORT"

# rows_of FILE: the timeline's rows (label, start, bar, duration).
rows_of() { grep -E '^[a-z0-9:! ]{12} +[0-9]+\.[0-9]{3} \|[ =]+\| +[0-9]+\.[0-9]{3} ms$' "$1"; }

printf 'ping\n' >"$T/ping"
COLUMNS=100 sc --in "$T/ping" -- --timeline --no-shutdown -q 1 -x "$P" 127.0.0.1 "$ECHO_PORT"
expect_rc "--timeline: the run succeeds" 0
expect_out "--timeline: stdout is the tunnel's" $'ping\n'
rows_of "$SC_ERR" >"$T/rows"
labels=$(awk '{ print $1 }' "$T/rows" | xargs)
if [ "$labels" = "connect greeting request first" ]; then
	ok "--timeline: rows connect, greeting, request, first byte"
else
	fail "--timeline: rows '$labels'"
	_sc_context
fi
bad=$(awk 'length($0) != 100' "$T/rows" | wc -l)
[ "$bad" -eq 0 ] && ok "--timeline: every row is COLUMNS (100) wide" ||
	fail "--timeline: $bad rows not 100 wide"
# Each phase starts where the one before it ended, or later; the first
# byte comes after the request's reply.
if python3 - "$T/rows" <<'PY'
import re, sys
rows = [re.match(r"^(.{12}) +([0-9.]+) \|([ =]+)\| +([0-9.]+) ms$", l) for l in open(sys.argv[1])]
t = [(float(m.group(2)), float(m.group(4)), m.group(3)) for m in rows]
ok = all(t[i + 1][0] + 0.002 >= t[i][0] + t[i][1] for i in range(len(t) - 1))
# bars move right as the phases do
first = [b.index("=") for _, _, b in t]
ok = ok and first == sorted(first) and t[-1][2].rstrip().endswith("=")
sys.exit(0 if ok else 1)
PY
then
	ok "--timeline: phases in order, bars placed by their times"
else
	fail "--timeline: phases out of order"
	cat "$T/rows"
fi
grep -qE '^ {25}0 +[0-9]+\.[0-9]{3} ms$' "$SC_ERR" && ok "--timeline: the scale line" ||
	fail "--timeline: no scale line"

# A refusal: the phases done are drawn, the failed one marked.
sc -- --timeline -x "$P" 127.0.0.1 1
expect_rc "--timeline, refused: exit 1" 1
rows_of "$SC_ERR" | grep -q '^request!' && ok "--timeline, refused: the request marked failed" ||
	{ fail "--timeline, refused: no failed request row"; _sc_context; }

# -j: stderr carries JSON only, so no timeline.
sc --in "$T/ping" -- -j --timeline --no-shutdown -q 1 -x "$P" 127.0.0.1 "$ECHO_PORT"
rows_of "$SC_ERR" | grep -q . && fail "--timeline with -j: rows among the JSON" ||
	ok "--timeline with -j: JSON only"

# The REPL's status.
COLUMNS=90 sc -- -c "proxy $P; connect 127.0.0.1 $ECHO_PORT; status"
rows_of "$SC_OUT" >"$T/rrows"
labels=$(awk '{ print $1 }' "$T/rrows" | xargs)
[ "$labels" = "connect greeting request" ] && ok "REPL status: the timeline's rows" ||
	{ fail "REPL status: rows '$labels'"; _sc_context; }
grep -qE '^time +connect [0-9]+\.[0-9]{3} ms, greeting [0-9]+\.[0-9]{3} ms, request [0-9]+\.[0-9]{3} ms' "$SC_OUT" &&
	ok "REPL status: times to the microsecond" || fail "REPL status: times"

# probe -v --timeline: each server's steps, once it is done, one after the other.
COLUMNS=100 sc -- -v --timeline probe "127.0.0.1:$MS_PORT"
expect_rc "probe -v --timeline: exit 0" 0
grep -q "^\* 127.0.0.1:$MS_PORT: timeline$" "$SC_ERR" && ok "probe -v --timeline: the server's heading" ||
	{ fail "probe -v --timeline: no heading"; _sc_context; }
steps=$(sed -n "/: timeline\$/,\$p" "$SC_ERR" | grep -E '^[a-z0-9-]+ +[0-9.]+ \|[ =]+\| +[0-9.]+ ms$' | awk '{ print $1 }' | xargs)
case " $steps " in
*" tcp "*"s5-noauth "*"s5-connect "*) ok "probe -v --timeline: rows for its steps ($steps)" ;;
*) fail "probe -v --timeline: rows '$steps'" ;;
esac
sed -n "/: timeline\$/,\$p" "$SC_ERR" | grep -E '\|[ =]+\|' | awk 'length($0) != 100 { bad++ } END { exit bad > 0 }' &&
	ok "probe -v --timeline: rows COLUMNS wide, the long step names in a wider column" ||
	fail "probe -v --timeline: rows not 100 wide"
sc -- --timeline probe "127.0.0.1:$MS_PORT"
grep -q ': timeline$' "$SC_ERR" && fail "probe --timeline without -v: drawn" ||
	ok "probe --timeline without -v: not drawn (the table is the output)"

# --progress in a pipe: nothing drawn.
head -c 3000000 /dev/zero >"$T/big"
sc --in "$T/big" -- --progress --no-shutdown -q 1 -x "$P" 127.0.0.1 "$ECHO_PORT"
expect_rc "--progress in a pipe: exit 0" 0
grep -q $'\033\[K' "$SC_ERR" && fail "--progress in a pipe: drew a line" ||
	ok "--progress in a pipe: no line"

# --progress on a terminal: stderr is a pty; stdin feeds 3 MB in 1.2 s.
python3 - "$SOCKSCOPE" "$P" "$ECHO_PORT" "$T/pty.out" <<'PY'
import os, pty, select, subprocess, sys, time
exe, proxy, port, out = sys.argv[1:]
m, s = pty.openpty()
w = subprocess.Popen([exe, "--progress", "--no-shutdown", "-q", "1", "-x", proxy, "127.0.0.1", port],
                     stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=s)
os.close(s)
got = b""
deadline = time.time() + 20
for i in range(12):
    w.stdin.write(b"x" * 250000); w.stdin.flush()
    end = time.time() + 0.1
    while time.time() < end:
        r, _, _ = select.select([m], [], [], 0.02)
        if r:
            try: got += os.read(m, 4096)
            except OSError: break
w.stdin.close()
while w.poll() is None and time.time() < deadline:
    r, _, _ = select.select([m], [], [], 0.05)
    if r:
        try: got += os.read(m, 4096)
        except OSError: break
try:
    while True:
        r, _, _ = select.select([m], [], [], 0.2)
        if not r: break
        d = os.read(m, 4096)
        if not d: break
        got += d
except OSError:
    pass
if w.poll() is None: w.kill()
open(out, "wb").write(got)
sys.exit(w.wait())
PY
rc=$?
[ $rc -eq 0 ] && ok "--progress on a terminal: exit 0" || fail "--progress on a terminal: exit $rc"
n=$(grep -ao $'\r\033\[Ksent [0-9.]* [KMG]*i*B ([0-9.]* [KMG]*i*B/s), received' "$T/pty.out" | wc -l)
if [ "$n" -ge 2 ] && [ "$n" -le 12 ]; then
	ok "--progress on a terminal: $n redraws in about 1.5 s (4 a second at most)"
else
	fail "--progress on a terminal: $n redraws"
	od -c "$T/pty.out" | tail -5
fi
tail -c 4 "$T/pty.out" | od -An -c | grep -q '\\r 033   \[   K' &&
	ok "--progress on a terminal: the line is erased at the end" ||
	{ fail "--progress on a terminal: the last bytes are not the erase"; tail -c 80 "$T/pty.out" | od -c; }
finish
