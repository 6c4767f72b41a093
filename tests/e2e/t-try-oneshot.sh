#!/usr/bin/env bash
# One-shot runs tried as a user and as an attacker would, and what they found:
#  - a server that accepts the TCP connection and resets it at once was
#    reached: the failure is the first phase's (exit 4), never "cannot
#    connect to proxy" (exit 3), however the reset races the connect.
#  - what the user typed is quoted escaped in every message, as names from
#    the network are: a host, a port, a user, an option; a terminal control
#    in an argument never reaches stderr raw, nor does a byte a terminal
#    may obey (0x9b, 8-bit CSI) in a name that -v's trace or an error names.
#  - udp's standard output that cannot be written is said as in every mode,
#    "sockscope: standard output: REASON", exit 7.
#  - a reset mid-tunnel names how many bytes came before it, counting those
#    that came glued to the granted reply; with nothing uploaded, it is the
#    download's, not an upload "cut after 0 bytes sent".
#  - a refusal and a failed authentication name the phase, the field, its
#    offset, the code and its meaning, as every other failure does; a code
#    no table names is "unassigned", as the views and warnings say.
#  - --bind-timeout 0 is refused as -w 0 is (exit 2, nothing sent), rather
#    than sending BIND and giving up at once.
#  - seconds are decimal with an optional fraction: -w 0x10, 1e-3 are refused.
#  - a method the greeting did not offer is said once, as the failure, not
#    first as a warning too.
#  - -j's summary is the output asked for: one stderr cannot take is exit 7.
#  - with -j, a usage error in the options (or no -x) is the one-shot's usage
#    summary on stderr, JSON only; probe's stay text (its -j is stdout's).
#  - udp: a server that closes the association during -q's wait, all sent and
#    stdin ended, is an orderly end (exit 0) that -v says.
. "$(dirname "$0")/lib.sh"
need_sockscope

# ---- 1. accepted, then reset at once
RUNS=25
for scheme in socks4 socks5; do
	start_badserver accept-reset --count "$RUNS"
	codes=""
	for ((i = 0; i < RUNS; i++)); do
		sc --timeout 10 -- -w 3 -x "$scheme://127.0.0.1:$BAD_PORT" 127.0.0.1 9
		codes="$codes $SC_RC"
		[ "$SC_RC" = 4 ] || break
	done
	if [ "$SC_RC" = 4 ]; then
		ok "$scheme accept-reset: exit 4 in $RUNS runs"
	else
		fail "$scheme accept-reset: exits$codes, expected 4 every time"
		_sc_context
	fi
	stop_pid "$BAD_PID"
done

# ---- 2. terminal controls in the arguments are escaped in messages
ESC=$'\x1b'
# each: WHAT EXIT ARGS...; nothing may reach the server for a usage error
plain_err() {
	local what=$1 rc=$2
	shift 2
	sc --timeout 10 -- "$@"
	expect_rc "$what" "$rc"
	expect_err_plain "$what"
	expect_err "$what: the byte shown escaped" '\\x1b'
}
start_badserver ok5 --count 10
plain_err "target host" 2 -w 3 -x "127.0.0.1:$BAD_PORT" "a${ESC}[2Jb" 80
plain_err "target IPv4" 2 -w 3 -x "127.0.0.1:$BAD_PORT" resolve-ptr "1.2${ESC}"
plain_err "target port" 2 -w 3 -x "127.0.0.1:$BAD_PORT" 127.0.0.1 "8${ESC}0"
plain_err "proxy port" 2 -w 3 -x "127.0.0.1:1${ESC}[2J" 127.0.0.1 80
plain_err "-w value" 2 -w "1${ESC}" -x "127.0.0.1:$BAD_PORT" 127.0.0.1 80
plain_err "unknown short option" 2 "-${ESC}" -x "127.0.0.1:$BAD_PORT" 127.0.0.1 80
plain_err "no password for the user" 2 -w 3 -x "socks5://ev${ESC}[31mil@127.0.0.1:$BAD_PORT" 127.0.0.1 80
nothing_sent "usage errors with controls"
stop_pid "$BAD_PID"
# 8-bit bytes in a name the user typed: -v's notes and a failure's message
start_badserver ok5
CSI=$'\x9b'
sc --timeout 10 -- -v -z -w 3 -x "127.0.0.1:$BAD_PORT" "a${CSI}2Jb" 80
expect_rc "-v, a name with 0x9b" 0
expect_err "-v, a name with 0x9b: escaped in the note" '^\* name a\\x9b2Jb is sent to the proxy'
if LC_ALL=C grep -q "$CSI" "$SC_ERR"; then fail "-v, a name with 0x9b: the raw byte reached stderr"; else ok "-v, a name with 0x9b: no raw byte"; fi
sc --timeout 10 -- -w 3 -x "socks5://127.0.0.1:$BAD_PORT" "a${CSI}2Jb.invalid" 80
expect_rc "a name with 0x9b that does not resolve" 3
expect_err "a name with 0x9b that does not resolve: escaped" "cannot resolve 'a\\\\x9b2Jb.invalid'"
if LC_ALL=C grep -q "$CSI" "$SC_ERR"; then fail "a name with 0x9b: the raw byte reached stderr"; else ok "a name with 0x9b: no raw byte"; fi
stop_pid "$BAD_PID"
start_badserver auth-fail
plain_err "user refused" 6 -w 3 -U "ev${ESC}[31mil:pw" -x "socks5://127.0.0.1:$BAD_PORT" 127.0.0.1 80

# ---- 3. udp to a full standard output
start_badserver udp-ok
printf 'one\n' >"$T/one.in"
timeout --foreground -k 2 10 "$SOCKSCOPE" -w 3 -q 1 -x "127.0.0.1:$BAD_PORT" udp 127.0.0.1 7 \
	<"$T/one.in" >/dev/full 2>"$SC_ERR"
SC_RC=$? SC_ARGS="-w 3 -q 1 -x ... udp 127.0.0.1 7 >/dev/full" SC_SECS=?
expect_rc "udp, stdout /dev/full" 7
expect_err "udp, stdout /dev/full: said as in every mode" \
	'^sockscope: standard output: No space left on device$'

# ---- 4. a reset after data glued to the reply
start_badserver ok5-glued-reset
sc --timeout 10 -- -v -w 3 -x "127.0.0.1:$BAD_PORT" 127.0.0.1 7
expect_rc "glued, then reset" 7
expect_out "glued, then reset: every byte before the reset" $'HELLO\nmore\n'
expect_err "glued, then reset: the count" 'reading the server failed: connection reset after 11 bytes'
expect_err "glued, then reset: the same count in the trace" '^\* tunnel: 0 bytes sent, 11 bytes received'
# stdin still open but nothing uploaded: no upload was cut; the download's
# reset is said, with the same count
start_badserver ok5-glued-reset
sc --timeout 10 --hold 2 -- -w 3 -x "127.0.0.1:$BAD_PORT" 127.0.0.1 7
expect_rc "glued, then reset, stdin open" 7
expect_err "glued, then reset, stdin open: the download named, with its count" \
	'^sockscope: tunnel download: reading the server failed: connection reset after 11 bytes$'

# ---- 5. refusals name the phase, field, offset, code and meaning
refusal() { # SCENARIO WHAT EXIT ERE ARGS...
	local scenario=$1 what=$2 rc=$3 ere=$4
	shift 4
	start_badserver "$scenario"
	sc --timeout 10 -- -w 3 --bind-timeout 3 "${@//PORT/$BAD_PORT}"
	expect_rc "$what" "$rc"
	expect_err "$what: phase, field, offset, code, meaning" "$ere"
}
refusal rep-05 "socks5 refusal" 1 \
	'^sockscope: request phase: the server refused the request: REP 0x05 connection refused \(offset 1\)$' \
	-x "127.0.0.1:PORT" 127.0.0.1 7
refusal s4-rep-5b "socks4 refusal" 1 \
	'^sockscope: request phase: the server refused the request: CD 0x5b request rejected or failed \(offset 1\)$' \
	-x "socks4://127.0.0.1:PORT" 127.0.0.1 7
refusal auth-fail "authentication failed" 6 \
	"^sockscope: auth phase: authentication failed: the server answered STATUS 0x01 failure \\(offset 1\\) for user 'alice'\$" \
	-U alice:pw -x "127.0.0.1:PORT" 127.0.0.1 7
refusal bind-refused "second BIND reply refused" 1 \
	'^sockscope: bind-wait phase: the second BIND reply refused: REP 0x05 connection refused \(offset 1\)$' \
	-x "127.0.0.1:PORT" bind 127.0.0.1 7
refusal s4-rep-00 "socks4 refusal with a code no table has" 1 \
	'^sockscope: request phase: the server refused the request: CD 0x00 unassigned \(offset 1\)$' \
	-x "socks4://127.0.0.1:PORT" 127.0.0.1 7
refusal resolve-tor-err-f0 "Tor's refusal of RESOLVE" 1 \
	'^sockscope: request phase: the server refused the request: REP 0xf0 .*\(Tor\) \(offset 1; the rest of its reply was not read\)$' \
	-x "127.0.0.1:PORT" resolve x.onion

# ---- 6. a timeout of 0
start_badserver bind-ok --count 3
for t in "-w 0" "--bind-timeout 0" "-w 0.0004"; do
	read -ra opt <<<"$t"
	sc --timeout 10 -- "${opt[@]}" -x "127.0.0.1:$BAD_PORT" bind 127.0.0.1 7
	expect_rc "$t" 2
	expect_err "$t: named" "^sockscope: ${opt[0]}: the timeout must be at least 0.001 seconds$"
done
nothing_sent "a timeout of 0"

# ---- 7. seconds are decimal, as the man page says: no hex, no exponent
for v in 0x10 1e-3 1e2 1.5.2 .5 inf; do
	sc --timeout 10 -- -w "$v" -x "127.0.0.1:$BAD_PORT" bind 127.0.0.1 7
	expect_rc "-w $v" 2
	expect_err "-w $v: named" "^sockscope: -w: bad number of seconds '$v' \\(0 to 86400\\)\$"
done
nothing_sent "seconds not in decimal"
stop_pid "$BAD_PID"

# ---- 8. a method the greeting did not offer: said once, as the failure
start_badserver method-not-offered
sc --timeout 10 -- -w 3 -x "127.0.0.1:$BAD_PORT" 127.0.0.1 7
expect_rc "method-not-offered" 4
expect_err "method-not-offered: the failure" \
	'^sockscope: greeting phase: METHOD 0x02 at offset 1: server chose method 0x02 USERNAME/PASSWORD, which was not offered \(offered 00\)$'
if [ "$(wc -l <"$SC_ERR")" = 1 ]; then
	ok "method-not-offered: said once"
else
	fail "method-not-offered: said more than once"
	_sc_context
fi

# ---- 9. -j's summary that stderr cannot take: a success becomes exit 7; a
# run that failed keeps its own status (a usage error stays 2)
timeout --foreground -k 2 10 "$SOCKSCOPE" -j -x P h p </dev/null 2>/dev/full
SC_RC=$? SC_ARGS="-j -x P h p 2>/dev/full" SC_SECS=?
expect_rc "-j, a usage error's summary to /dev/full" 2
start_badserver ok5
printf 'hi\n' | timeout --foreground -k 2 10 "$SOCKSCOPE" -j -w 3 -x "127.0.0.1:$BAD_PORT" 127.0.0.1 7 \
	>"$SC_OUT" 2>/dev/full
SC_RC=${PIPESTATUS[1]} SC_ARGS="-j -w 3 -x ... 127.0.0.1 7 2>/dev/full" SC_SECS=?
expect_rc "-j, a granted tunnel's summary to /dev/full" 7
expect_out "-j, a granted tunnel's summary to /dev/full: the tunnel's bytes" $'hi\n'
stop_pid "$BAD_PID"

# ---- 10. -j: option-level usage errors are the summary too, stderr JSON only
json_usage() { # WHAT ERROR ARGS...
	local what=$1 error=$2 got
	shift 2
	sc --timeout 10 -- "$@"
	expect_rc "$what" 2
	got=$("$PY" - "$SC_ERR" "$error" <<-'EOF' 2>&1
		import json, sys
		text = open(sys.argv[1], errors="replace").read()
		try:
		    d = json.loads(text)
		except ValueError:
		    sys.exit("stderr is not one JSON object: %r" % text[:200])
		want = {"outcome": "usage", "exit": 2, "error": sys.argv[2]}
		if not text.endswith("}\n") or text.count("\n") != 1:
		    sys.exit("stderr is not one line: %r" % text[:200])
		if {k: d.get(k) for k in want} != want:
		    sys.exit("got %r" % {k: d.get(k) for k in want})
	EOF
	) && ok "$what: stderr is the usage summary only" || { fail "$what: $got"; _sc_context; }
}
start_badserver ok5 --count 0
P=127.0.0.1:$BAD_PORT
json_usage "-j -4 -6" "-4 and -6 exclude each other: give one" -j -4 -6 -x "$P" 127.0.0.1 1
json_usage "-j --bogus" "unknown or ambiguous option '--bogus'" -j --bogus
json_usage "-j, 9 proxies" "at most 8 proxies in a chain" -j -x "$P" -x "$P" -x "$P" -x "$P" \
	-x "$P" -x "$P" -x "$P" -x "$P" -x "$P" 127.0.0.1 1
json_usage "-j -w 0" "-w: the timeout must be at least 0.001 seconds" -j -w 0
json_usage "-j -w 0x10" "-w: bad number of seconds '0x10' (0 to 86400)" -x "$P" -w 0x10 -j 127.0.0.1 1
json_usage "-j, no -x" "no proxy: give -x PROXY" -j 127.0.0.1 1
nothing_sent "-j usage errors"
stop_pid "$BAD_PID"
# probe's -j is its report on stdout: its usage errors stay text, never JSON
sc --timeout 10 -- -j -w 0 probe 127.0.0.1:1
expect_rc "-j -w 0 probe" 2
expect_err "-j -w 0 probe: text" "^sockscope: -w: the timeout must be at least 0.001 seconds\$"

# ---- 11. udp: the server closes the association during -q's wait
start_badserver udp-close
sc --timeout 10 --in-str $'one\n' -- -v -w 3 -q 3 -x "127.0.0.1:$BAD_PORT" udp 127.0.0.1 7
expect_rc "udp, closed during -q's wait" 0
expect_out "udp, closed during -q's wait: the echo" $'one\n'
expect_err "udp, closed during -q's wait: -v says so" \
	"^\\* the server closed the control connection during the wait for answers after standard input's end: the association ended\$"
expect_secs_lt "udp, closed during -q's wait: at once" 2.5
stop_pid "$BAD_PID"

finish
