#!/usr/bin/env bash
# The man page's EXAMPLES, run as a user would paste them, against servers
# on loopback.  In the page's source each command line of EXAMPLES that
# names sockscope follows a comment that marks it:
#
#   .\" example: COMMAND          run it; it must exit 0
#   .\" example(exit N): COMMAND  run it; it must exit N
#   .\" example(bind): COMMAND    run it, connect a peer where it says the
#                                 proxy listens, and see the peer's bytes arrive
#   .\" not-run: REASON           not run here (a terminal, Tor), and why
#
# COMMAND must be the displayed line without its "$ ".  Output displayed
# under a command that runs is compared with what it prints on stdout.
# Stand-ins: localhost:1080 is danted without authentication,
# proxy.example.net danted with user names (alice is a throwaway user,
# SOCKSCOPE_PASSWORD her password), example.com and example.org an echo
# service (TCP, and UDP on the same port), proxies.txt the fleet.
. "$(dirname "$0")/lib.sh"
need_sockscope
need_root

MAN=$ROOT/man/sockscope.1

# ------------------------------------------------------------ the examples

# One record per marked command: KIND<TAB>ARG<TAB>COMMAND, and the output
# displayed under it in $T/ex.N.out.  Problems with the markers go to
# $T/markers.bad.
awk -v dir="$T" '
	function flush() { if (n > 0 && out != "") printf "%s", out > (dir "/ex." n ".out"); out = "" }
	/^\.Sh / { flush(); on = ($0 == ".Sh EXAMPLES"); collecting = 0; next }
	!on { next }
	/^\.\\" (example(\([a-z]+( [0-9]+)?\))?|not-run): / {
		flush(); collecting = 0
		if (marker != "") print "marker without a command: " marker > (dir "/markers.bad")
		marker = $0; sub(/^\.\\" /, "", marker)
		next
	}
	/^\$ / {
		flush(); collecting = 0
		cmd = substr($0, 3)
		if (marker == "") {
			if (cmd ~ /sockscope/) print "unmarked: " $0 > (dir "/markers.bad")
			next
		}
		m = marker; marker = ""
		if (m ~ /^not-run: /) { notrun++; next }
		kind = m; sub(/:.*/, "", kind)
		text = m; sub(/^[^:]*: /, "", text)
		if (text != cmd) { print "marker and display differ: [" text "] [" cmd "]" > (dir "/markers.bad"); next }
		n++
		printf "%s\t%s\n", kind, cmd > (dir "/examples")
		collecting = 1
		next
	}
	/^\.Ed/ { flush(); collecting = 0; next }
	/^\./ { next }
	collecting { out = out $0 "\n" }
	END { flush(); printf "%d\n", notrun > (dir "/notrun") }
' "$MAN"

if [ -s "$T/markers.bad" ]; then
	while read -r line; do fail "man page EXAMPLES: $line"; done <"$T/markers.bad"
else
	ok "man page EXAMPLES: every sockscope line is marked, and each marker matches its line"
fi
[ -s "$T/examples" ] || die "no runnable example found in $MAN"
note "$(wc -l <"$T/examples") examples to run, $(cat "$T/notrun") not run here"

# unroff TEXT: the text a reader sees for a line of the page's source.
unroff() {
	local s=$1
	s=${s//\\&/}
	s=${s//\\-/-}
	s=${s//\\(aq/\'}
	s=${s//\\e/\\}
	printf '%s' "$s"
}

# ------------------------------------------------------------ the stand-ins

make_test_user
start_danted none
D1=$DANTED_PORT
start_danted username
D2=$DANTED_PORT
start_echo --count 100
# A UDP echo on the TCP echo's port number, so that "example.org 7" is both.
start_bg udpecho "$PY" -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
print("PORT", sys.argv[1], flush=True)
s.settimeout(0.5)
end = time.time() + 110
while time.time() < end:
    try:
        data, peer = s.recvfrom(65535)
    except socket.timeout:
        continue
    s.sendto(data, peer)
' "$ECHO_PORT"
read_port udpecho "$BG_PID" >/dev/null || die "UDP echo did not start: $(cat "$T/udpecho.log")"
fleet="socks5://127.0.0.1:$D1"
if command -v microsocks >/dev/null 2>&1; then
	start_microsocks
	fleet="$fleet
# microsocks, without a scheme: socks5h
127.0.0.1:$MS_PORT"
fi

mkdir -p "$T/bin" "$T/work"
ln -s "$SOCKSCOPE" "$T/bin/sockscope"
printf '%s\n' "$fleet" >"$T/work/proxies.txt"

# stand_in COMMAND: the command with the local servers in place of the names.
stand_in() {
	printf '%s\n' "$1" | sed -E \
		-e "s/localhost:1080/127.0.0.1:$D1/g" \
		-e "s/proxy\\.example\\.net(:[0-9]+)?/127.0.0.1:$D2/g" \
		-e "s/(^|[^a-z])alice([^a-z]|$)/\\1$TEST_USER\\2/g" \
		-e "s/example\\.(com|org)([ :])[0-9]+/127.0.0.1\\2$ECHO_PORT/g" \
		-e "s/example\\.(com|org)/127.0.0.1/g"
}

# run_cmd COMMAND: in $T/work, the test's sockscope first in PATH.
run_cmd() {
	(cd "$T/work" && PATH="$T/bin:$PATH" SOCKSCOPE_PASSWORD=$TEST_PASS NO_COLOR=1 \
		timeout --foreground -k 2 30 bash -c "$1") </dev/null >"$T/ex.stdout" 2>"$T/ex.stderr"
}

show_run() {
	printf '       $ %s\n       exit %s; stderr:\n' "$1" "$2"
	head -c 1500 "$T/ex.stderr" | sed 's/^/       | /'
	printf '       stdout:\n'
	head -c 800 "$T/ex.stdout" | sed 's/^/       > /'
}

# The file a command writes with "> FILE" at its end, if any.
written_file() {
	case $1 in
	*'> '[A-Za-z0-9._-]*) printf '%s\n' "${1##*> }" ;;
	esac
}

# ------------------------------------------------------------ running them

n=0
while IFS=$'\t' read -r kind shown; do
	n=$((n + 1))
	cmd=$(unroff "$shown")
	run=$(stand_in "$cmd")
	case $kind in
	example | "example(exit "*")")
		want=0
		case $kind in "example(exit "*) want=${kind#example(exit }; want=${want%)} ;; esac
		run_cmd "$run"
		rc=$?
		if [ "$rc" = "$want" ]; then
			ok "example $n exits $rc: $cmd"
		else
			fail "example $n exits $rc, expected $want: $cmd"
			show_run "$run" "$rc"
			continue
		fi
		if [ -f "$T/ex.$n.out" ]; then
			if cmp -s "$T/ex.$n.out" "$T/ex.stdout"; then
				ok "example $n prints what the page shows"
			else
				fail "example $n prints something else than the page shows"
				diff "$T/ex.$n.out" "$T/ex.stdout" | head -20 | sed 's/^/       | /'
			fi
		fi
		f=$(written_file "$cmd")
		if [ -n "$f" ]; then
			if [ -s "$T/work/$f" ]; then ok "example $n wrote $f"; else fail "example $n left $f empty"; fi
		fi
		;;
	"example(bind)")
		# The peer: connects where the proxy listens, sends a line, closes.
		rm -f "$T/ex.stdout" "$T/ex.stderr"
		(cd "$T/work" && PATH="$T/bin:$PATH" SOCKSCOPE_PASSWORD=$TEST_PASS NO_COLOR=1 \
			exec timeout --foreground -k 2 30 bash -c "$run") </dev/null >"$T/ex.stdout" 2>"$T/ex.stderr" &
		pid=$!
		track_pid "$pid"
		where=''
		for i in $(seq 200); do
			where=$(sed -nE 's/.*listens on ([0-9a-fA-F.:]+) port ([0-9]+).*/\1 \2/p' "$T/ex.stderr" | head -n 1)
			[ -n "$where" ] && break
			alive "$pid" || break
			sleep 0.05
		done
		if [ -z "$where" ]; then
			wait "$pid"
			rc=$?
			fail "example $n did not say where the proxy listens: $cmd"
			show_run "$run" "$rc"
			continue
		fi
		set -- $where
		ok "example $n: the proxy listens on $1 port $2"
		if (exec 3<>"/dev/tcp/$1/$2" && printf 'from the peer\n' >&3) 2>"$T/peer.err"; then
			ok "example $n: the peer connected and sent a line"
		else
			fail "example $n: the peer could not connect to $1 port $2: $(cat "$T/peer.err")"
		fi
		wait "$pid"
		rc=$?
		if [ "$rc" = 0 ]; then ok "example $n exits 0: $cmd"; else
			fail "example $n exits $rc: $cmd"
			show_run "$run" "$rc"
		fi
		f=$(written_file "$cmd")
		if [ -n "$f" ]; then got=$(cat "$T/work/$f" 2>/dev/null); else got=$(cat "$T/ex.stdout"); fi
		if [ "$got" = "from the peer" ]; then ok "example $n: the peer's line arrived"; else
			fail "example $n: got '$got' instead of the peer's line"
			show_run "$run" "$rc"
		fi
		;;
	*)
		fail "example $n: unknown marker '$kind'"
		;;
	esac
done <"$T/examples"

finish
