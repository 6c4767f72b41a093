#!/usr/bin/env bash
# The REPL: drafts composed with `set` and shown byte for byte, malformed
# messages sent as composed, the handshake stepped one phase at a time with
# `status` after each, exit statuses of -c runs, and an interactive session
# in tmux (prompt, completion, history across runs, a password never echoed
# nor kept).  Servers: microsocks, the scripted badserver, and danted when
# running as root.
. "$(dirname "$0")/lib.sh"
need_sockscope

# ------------------------------------------------------------ no server needed

# The classic SOCKS4 example, composed field by field.
sc -- -c 'proxy socks4://127.0.0.1:1; set dst 66.102.7.99:80; set user Fred; show'
expect_rc "classic SOCKS4 example" 0
expect_stdout "classic example, bytes on one line" '^ +hex +04 01 00 50 42 66 07 63 46 72 65 64 00$'
# The same bytes, read back from the per-field rows of the hex view.
rows=$(awk '/^-> / { on = 1; next } on && /^   [0-9a-f][0-9a-f][0-9a-f][0-9a-f]  / {
	n = split(substr($0, 10), w, " ")
	for (i = 1; i <= n && w[i] ~ /^[0-9a-f][0-9a-f]$/; i++) printf "%s ", w[i] }' "$SC_OUT")
if [ "$rows" = "04 01 00 50 42 66 07 63 46 72 65 64 00 " ]; then
	ok "classic example: the hex view's rows hold exactly the 13 bytes"
else
	fail "classic example: the rows hold '$rows'"
fi
expect_stdout "classic example: USERID shown" 'USERID +"Fred"'

# Values by name, 0x hex and dotted quads; an override is marked.
sc -- -c 'set CMD bind; set DST.ADDR 10.1.2.3; set DST.PORT 0x1f90; show request'
expect_rc "values by name and in hex" 0
expect_stdout "CMD by name" 'CMD +0x02 +BIND'
expect_stdout "request bytes" 'hex +05 02 00 01 0a 01 02 03 1f 90$'
# ATYP says IPv6 over a 4-byte address: composed as asked, with a warning.
sc -- -c 'set DST.ADDR 10.1.2.3; set ATYP ipv6; show request'
expect_rc "an override that breaks the spec" 0
expect_stdout "ATYP override marked" 'ATYP +0x04 .*override'
expect_stdout "sent as composed" 'hex +05 01 00 04 0a 01 02 03 00 00$'
expect_err "the spec break is named" 'breaks the spec'

# A SOCKS5 domain: ALEN follows the name.
sc -- -c 'proxy socks5h://127.0.0.1:1; set dst example.org:443; show request'
expect_rc "socks5h name" 0
expect_stdout "socks5h: the name goes to the proxy" 'hex +05 01 00 03 0b 65 78 61 6d 70 6c 65 2e 6f 72 67 01 bb$'

# Secrets: masked in the view and in the hex line, and never echoed.
sc -- -c 'set user alice; set pass Sup3rSecret; show auth'
expect_rc "auth draft" 0
if grep -q 'Sup3rSecret\|53 75 70 33' "$SC_OUT" "$SC_ERR"; then
	fail "the password appears in the output"
else
	ok "the password is masked in every view"
fi
expect_stdout "PASSWD masked" 'PASSWD +\*+'
sc -- --show-secrets -c 'set user alice; set pass Sup3rSecret; show auth'
expect_stdout "--show-secrets shows it" 'Sup3rSecret'

# Exit statuses of -c: a bad value is 2 and stops the run; -k goes on.
sc -- -c 'set CMD bogus; set CMD bind; show request'
expect_rc "bad value" 2 && expect_err "bad value named" 'CMD.*bogus'
expect_no_stdout "the run stopped at the bad value" 'BIND'
sc -- -k -c 'set CMD bogus; set CMD bind; show request'
expect_rc "-k: still the first failure's status" 2
expect_stdout "-k went on" 'BIND request'
sc -- -c 'frobnicate'
expect_rc "unknown command" 2 && expect_err "unknown command" 'unknown command'
sc -- -c 're'
expect_rc "ambiguous prefix" 2 && expect_err "ambiguous prefix lists its candidates" 'request.*resolve|resolve.*request'
sc -- -c 'sho greeting'
expect_rc "unique prefix" 0 && expect_stdout "unique prefix runs show" 'SOCKS5 greeting'
sc -- -c 'greet'
expect_rc "greet without a connection" 2 && expect_err "needs a connection" 'not connected'

# The command table drives --dump-commands and help alike.
sc -- --dump-commands
expect_rc "--dump-commands" 0
for c in proxy set unset show open greet auth request send connect bind udp resolve raw recv dgram tunnel close status source history help quit; do
	grep -qx "$c" "$SC_OUT" || fail "--dump-commands lacks $c"
done
cp "$SC_OUT" "$T/commands"
sc -- -c help
missing=0
while read -r c; do grep -Eq "^  $c( |$)" "$SC_OUT" || { fail "help lacks $c"; missing=1; }; done <"$T/commands"
[ "$missing" = 0 ] && ok "help lists every command of the table"

# Commands from a file (-s) and from a non-terminal stdin.
printf '%s\n' '# a script' 'proxy socks4://127.0.0.1:1' 'set dst 66.102.7.99:80' 'set user Fred' 'show' >"$T/script"
sc -- -s "$T/script"
expect_rc "-s FILE" 0 && expect_stdout "-s FILE" 'hex +04 01 00 50 42 66 07 63 46 72 65 64 00$'
sc --in "$T/script" --
expect_rc "commands on stdin" 0 && expect_stdout "commands on stdin" 'hex +04 01 00 50 42 66 07 63 46 72 65 64 00$'

# Nothing listens: unreachable is 3.
closed=$(free_port)
sc -- -w 3 -c "proxy socks5://127.0.0.1:$closed; open"
expect_rc "unreachable proxy" 3

# ------------------------------------------------------------ the scripted server

# A malformed greeting goes out exactly as composed: NMETHODS 3, one method.
# badserver waits for the two methods that never come; -w bounds the wait.
start_badserver ok5
sc --timeout 15 -- -w 1 -c "proxy socks5://127.0.0.1:$BAD_PORT; set NMETHODS 3; open; greet; status"
expect_rc "malformed greeting to a server that waits" 5
expect_err "the composed greeting breaks the spec: warned" 'breaks the spec'
expect_err "the timeout is named" 'timed out.*greeting'
if [ "$(grep -o 'RECV [0-9a-f]*' "$BAD_LOG" | awk '{ printf "%s", $2 }')" = "050300" ]; then
	ok "badserver received exactly 05 03 00"
else
	fail "badserver received: $(grep RECV "$BAD_LOG" | tr '\n' ' ')"
fi
expect_stdout "sent as composed, NMETHODS marked as an override" 'NMETHODS +3 +\(override\)'

# Raw bytes, then what comes back, decoded: a greeting and the server's choice.
start_badserver ok5
sc --timeout 15 -- -w 3 -c "proxy socks5://127.0.0.1:$BAD_PORT; open; raw 05 01 00; status"
expect_rc "raw greeting" 0
expect_stdout "raw: the answer decoded" '<- SOCKS5 method selection'
expect_phases "raw moves the phase" "method chosen"

# Bytes glued to the reply belong to what follows: `recv` shows them.
start_badserver ok5-glued
sc --timeout 15 -- -w 3 -c "proxy socks5://127.0.0.1:$BAD_PORT; connect 127.0.0.1 9; recv"
expect_rc "reply with glued data" 0
expect_stdout "the glued bytes are kept" 'more bytes arrived after it'
expect_stdout "recv shows them" 'HELLO\.'

# ------------------------------------------------------------ microsocks

if have microsocks; then
	start_echo
	start_microsocks
	M=127.0.0.1:$MS_PORT

	# The server's reaction to the malformed greeting: microsocks takes the
	# one method it sees and answers.  The flow holds the greeting
	# incomplete (two methods short), so no answer is owed: what came back
	# is shown as bytes.
	sc --timeout 15 -- -w 3 -c "proxy socks5://$M; set NMETHODS 3; open; greet"
	expect_rc "malformed greeting to microsocks" 0
	expect_stdout "the greeting as composed" '0001  03 +NMETHODS +3'
	expect_stdout "the greeting said incomplete" 'the SOCKS5 greeting is incomplete'
	expect_stdout "microsocks' reaction shown" '^<- 2 bytes$'

	# Stepwise, checking the phase after each step; then data through it.
	sc --timeout 15 -- -w 5 -c "proxy socks5://$M; set dst 127.0.0.1:$ECHO_PORT; status; open; status; greet; status; request; status; raw 70 69 6e 67 0a; recv 1"
	expect_rc "stepwise, no auth" 0
	expect_phases "stepwise, no auth" "closed,connected,method chosen,granted"
	expect_stdout "the echo came back" 'ping\.'

	# send does every remaining phase; `connect` is the shorthand.
	sc --timeout 15 -- -w 5 -c "proxy socks5://$M; open; greet; status; connect 127.0.0.1 $ECHO_PORT; status"
	expect_rc "send the rest" 0
	expect_phases "send the rest" "method chosen,granted"

	# The tunnel relays stdin once the request is granted.
	sc --timeout 15 --hold 0.5 --in-str "through the repl"$'\n' -- -w 5 -c "proxy socks5://$M; connect 127.0.0.1 $ECHO_PORT; tunnel"
	expect_rc "tunnel" 0 && expect_stdout "tunnel echo" '^through the repl$'

	# Refused by the server: 1.
	closed=$(free_port)
	sc --timeout 15 -- -w 5 -c "proxy socks5://$M; connect 127.0.0.1 $closed; status"
	expect_rc "refused" 1 && expect_err "refused: the code in words" 'REP 0x05 connection refused'
	expect_no_stdout "the run stopped at the refusal" '^phase'

	# Username/password, one phase at a time.
	pw="pw-$$-x"
	start_microsocks -u alice -P "$pw"
	MA=127.0.0.1:$MS_PORT
	sc --timeout 15 -- -w 5 -c "proxy socks5://$MA; set user alice; set pass $pw; set dst 127.0.0.1:$ECHO_PORT; open; status; greet; status; auth; status; request; status"
	expect_rc "stepwise with auth" 0
	expect_phases "stepwise with auth" "connected,method chosen,authenticated,granted"
	if grep -q -- "$pw" "$SC_OUT" "$SC_ERR"; then fail "the password was echoed"; else ok "the password was never echoed"; fi

	sc --timeout 15 -- -w 5 -c "proxy socks5://alice:wrong@$MA; connect 127.0.0.1 $ECHO_PORT"
	expect_rc "wrong password" 6
else
	note "microsocks not installed: its cases are left out"
fi

# ------------------------------------------------------------ danted (root)

if [ "$(id -u)" = 0 ] && have danted; then
	[ -n "${ECHO_PORT:-}" ] || start_echo
	start_danted none
	D=127.0.0.1:$DANTED_PORT
	sc --timeout 15 -- -w 5 -c "proxy socks4://$D; set dst 127.0.0.1:$ECHO_PORT; set user Fred; open; status; request; status; raw 34 0a; recv 1"
	expect_rc "SOCKS4 stepwise through danted" 0
	expect_phases "SOCKS4 stepwise" "connected,granted"
	expect_stdout "SOCKS4 echo" '4\.'

	# BIND: the first reply says where the server listens; a peer from the
	# address named in the request connects; the second reply grants.
	sc --timeout 20 -- -w 8 -c "proxy socks5://$D; bind 127.0.0.1 0; status; send; status" &
	bind_pid=$!
	bound=
	for _ in $(seq 100); do
		bound=$(sed -n 's/^BIND: the server listens on \([0-9.]*:[0-9]*\);.*/\1/p' "$SC_OUT")
		[ -n "$bound" ] && break
		sleep 0.05
	done
	if [ -n "$bound" ]; then
		"$PY" -c 'import socket, sys, time
h, p = sys.argv[1].rsplit(":", 1)
if h == "0.0.0.0": h = "127.0.0.1"
s = socket.create_connection((h, int(p)), 5); time.sleep(1); s.close()' "$bound" || note "peer connect failed"
	fi
	wait "$bind_pid"
	SC_RC=$?
	expect_rc "BIND through danted" 0
	expect_phases "BIND" "bound,granted"

	# UDP ASSOCIATE, then datagrams through the relay to an upper-casing
	# echo; dante drops a datagram whose FRAG is not 0.
	"$PY" -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0))
print("PORT %d" % s.getsockname()[1], flush=True); s.settimeout(60)
while True:
    d, a = s.recvfrom(65536); s.sendto(d.upper(), a)' >"$T/uecho.out" 2>"$T/uecho.log" </dev/null &
	track_pid $!
	UPORT=$(read_port uecho $!) || die "udp echo did not start"
	sc --timeout 20 -- -w 3 -c "proxy socks5://$D; udp; status; dgram 127.0.0.1 $UPORT hello\\x00world; set FRAG 1; dgram 127.0.0.1 $UPORT lost"
	expect_rc "UDP: FRAG 1 is dropped by dante: timeout" 5
	expect_phases "UDP ASSOCIATE" "granted"
	expect_stdout "the datagram came back" 'DATA +"HELLO\\x00WORLD"'
	expect_stdout "FRAG 1 sent as set" 'FRAG +1'
else
	note "not root or no danted: the danted cases are left out"
fi

# ------------------------------------------------------------ interactive, in tmux

if have tmux && have microsocks; then
	TM=(tmux -S "$T/tmux.sock" -f /dev/null)
	STATE="$T/state"
	mkdir -p "$STATE"
	# screen REGEX SECS: the pane shows REGEX within SECS.
	screen() {
		local i
		for ((i = 0; i < $2 * 20; i++)); do
			"${TM[@]}" capture-pane -p -t repl 2>/dev/null >"$T/pane" && grep -Eq -- "$1" "$T/pane" && return 0
			sleep 0.05
		done
		return 1
	}
	check_screen() {
		if screen "$2" "${3:-5}"; then ok "tmux: $1"; else fail "tmux: $1: no /$2/ on the screen"; sed 's/^/       | /' "$T/pane" | grep -v '^       | $'; fi
	}
	start_repl() {
		"${TM[@]}" new-session -d -x 120 -y 40 -s repl \
			"env XDG_STATE_HOME='$STATE' HOME='$T' TERM=xterm NO_COLOR=1 '$SOCKSCOPE' -w 5 -x socks5://$M; sleep 30"
		track_pid "$("${TM[@]}" display-message -p -t repl '#{pid}')"
	}
	stop_repl() { "${TM[@]}" kill-session -t repl 2>/dev/null; }
	keys() { "${TM[@]}" send-keys -t repl "$@"; }

	start_repl
	check_screen "prompt with proxy and phase" "sockscope socks5://$M \\[closed\\]> ?$"
	keys 'sh' Tab
	check_screen "a command completes" '\[closed\]> show ?$'
	keys C-u 'set NM' Tab
	check_screen "a field completes" '\[closed\]> set NMETHODS ?$'
	keys C-u 'set CMD b' Tab
	check_screen "a field's value completes" '\[closed\]> set CMD bind ?$'
	keys Enter
	check_screen "the value is set" 'request\.CMD = 0x02 BIND'
	secret="Tmux$$Secret"
	keys 'set pass' Enter
	check_screen "set pass asks" '^password: *$'
	keys "$secret" Enter
	check_screen "the password is taken" 'password set'
	"${TM[@]}" capture-pane -p -t repl >"$T/pane"
	if grep -q "$secret" "$T/pane"; then fail "tmux: the password was echoed"; else ok "tmux: the password was not echoed"; fi
	keys "proxy socks5://alice:Url$secret@$M" Enter
	check_screen "a proxy URL with a password" 'proxy socks5://alice@'
	keys 'open' Enter
	check_screen "the prompt follows the phase" '\[connected\]> ?$'
	keys 'greet' Enter
	check_screen "method chosen in the prompt" '\[method chosen\]> ?$'
	keys 'quit' Enter
	left=no
	for _ in $(seq 60); do
		[ "$("${TM[@]}" display-message -p -t repl '#{pane_current_command}')" = sleep ] && { left=yes; break; }
		sleep 0.05
	done
	[ "$left" = yes ] && ok "tmux: quit leaves the REPL" || fail "tmux: quit did not leave the REPL"
	stop_repl
	hist="$STATE/sockscope/history"
	if [ -f "$hist" ]; then
		ok "the history file is in XDG_STATE_HOME"
		if grep -q "$secret" "$hist"; then fail "the password is in the history file"; else ok "the password is not in the history file"; fi
		if grep -q 'set.040pass\|set pass' "$hist"; then fail "the set pass line is in the history file"; else ok "no set pass line in the history"; fi
		if grep -q 'alice' "$hist"; then fail "the URL with a password is in the history file"; else ok "no URL with a password in the history"; fi
		grep -q 'greet' "$hist" && ok "greet is in the history file" || fail "greet is not in the history file"
		[ "$(stat -c %a "$hist")" = 600 ] && ok "the history file is private" || fail "history file mode $(stat -c %a "$hist")"
	else
		fail "no history file at $hist"
	fi

	# A new run finds the history.
	start_repl
	check_screen "second run: prompt" "socks5://$M \\[closed\\]> ?$"
	keys Up
	check_screen "second run: Up recalls quit" '\[closed\]> quit$'
	keys Up
	check_screen "second run: Up again recalls greet" '\[closed\]> greet$'
	keys C-u 'quit' Enter
	sleep 0.3
	stop_repl
	"${TM[@]}" kill-server 2>/dev/null
else
	note "tmux or microsocks missing: the interactive cases are left out"
fi

finish
