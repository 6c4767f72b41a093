#!/usr/bin/env bash
# The everyday-use features (proxies from the config file, the environment
# and netrc; --no-shutdown, --idle-timeout; probe's progress line) tried as
# a user and as an attacker would, and what they found:
#  - a config file or ~/.netrc that is a FIFO no one writes to, or a
#    terminal, is read without waiting: the run goes on (exit bounded),
#    rather than blocking in open(2) or read(2) forever.
#  - -v's "proxy ... from ..." line quotes the URL escaped: a terminal
#    control in ALL_PROXY or in the config file never reaches stderr raw.
#  - with -j, the warning that the server closed both ways right after our
#    half-close (microsocks does) is among the summary's notes: it was
#    dropped, and the JSON said "ok" with nothing received and no word why.
#  - probe's progress line is erased when SIGINT (^C), SIGTERM or SIGHUP
#    ends the run: it stayed on the screen, under the shell's next prompt
#    (and once more just before the end: the terminal's driver throws away
#    output not yet passed on when ^C is typed, the first erase maybe).
#  - a config file or netrc owned by another user (neither the one who runs
#    sockscope nor root) is refused, as ssh refuses its config: its owner
#    could name the proxy a run goes through, or the credentials it sends.
#    It was used.
#  - ALL_PROXY as desktops write it, "socks5h://HOST:PORT/", is read as
#    curl reads it (the empty path ignored); it was refused ("a path is not
#    allowed"), telling the user to change what the desktop wrote.  A real
#    path is still refused.
#  - --idle-timeout's message names the seconds given: 1.234 was said
#    "1.23", and an hour (3600) "3.6e+03".
#  - ^C during a probe whose first server is silent wrote no table at all:
#    the rows of the servers done were held for the input's order and lost.
#    They are written, in order, then the signal ends the run (130).  With
#    the servers from a pipe or typed on the terminal (-f -), the signal
#    ends the run at once, as it always did (the first version of this fix
#    waited for the input's next line).
#  - with -j, the warning that ~/.netrc was not used (others may read the
#    password it holds) is among the summary's notes: it was dropped, and
#    the JSON said only that authentication failed.
#  - a --netrc-file path longer than PATH_MAX was cut to fit, and the file
#    the cut path named was read (credentials from a file not named); it
#    is refused.
. "$(dirname "$0")/lib.sh"
need_sockscope
export HOME="$T/home"
unset XDG_CONFIG_HOME socks_proxy SOCKS_PROXY all_proxy ALL_PROXY
mkdir -p "$HOME/.config/sockscope"
CONF="$HOME/.config/sockscope/config"
start_echo
start_danted none
D=127.0.0.1:$DANTED_PORT
line="everyday $$"

# ------------------------------------------------- files that never end
mkfifo "$CONF"
sc --timeout 10 --in-str "$line"$'\n' -- -w 5 -x "socks5://$D" 127.0.0.1 "$ECHO_PORT"
expect_rc "-x URL with a FIFO for the config file" 0
sc --timeout 10 -- -w 5 -x @any 127.0.0.1 "$ECHO_PORT"
expect_rc "-x @NAME, the config file a FIFO no one writes to" 2 &&
	expect_err "a FIFO config: no such proxy" "names no such proxy"
ALL_PROXY="socks5://$D" sc --timeout 10 --in-str "$line"$'\n' -- -w 5 127.0.0.1 "$ECHO_PORT"
expect_rc "no -x, the config file a FIFO no one writes to" 0 &&
	expect_out "the environment's proxy used" "$line"$'\n'
rm -f "$CONF"

start_microsocks -u alice -P "fifo-$$"
MA=127.0.0.1:$MS_PORT
mkfifo "$HOME/.netrc"
sc --timeout 10 -- -w 5 -x "socks5://$MA" 127.0.0.1 "$ECHO_PORT"
expect_rc "~/.netrc a FIFO no one writes to" 6
rm -f "$HOME/.netrc"

# -j: why ~/.netrc was not used is in the summary.
printf 'machine 127.0.0.1 login alice password fifo-%s\n' "$$" >"$HOME/.netrc"
chmod 644 "$HOME/.netrc"
sc --timeout 10 -- -w 5 -x "socks5://$MA" 127.0.0.1 "$ECHO_PORT"
expect_rc "a readable ~/.netrc: not used" 6 && expect_err "said" "$HOME/.netrc: mode 0644 .*; not used"
sc --timeout 10 -- -j -w 5 -x "socks5://$MA" 127.0.0.1 "$ECHO_PORT"
expect_rc "-j: a readable ~/.netrc: not used" 6
if "$PY" -c '
import json, sys
d = json.loads(open(sys.argv[1]).read().splitlines()[-1])
sys.exit(0 if any("mode 0644" in n["text"] and "not used" in n["text"] for n in d["notes"]) else 1)' "$SC_ERR"; then
	ok "-j: why ~/.netrc was not used is among the notes"
else
	fail "-j: the warning about ~/.netrc is lost"; cut -c1-300 "$SC_ERR" | sed 's/^/       | /'
fi
rm -f "$HOME/.netrc"

# A path cut at PATH_MAX - 1 bytes names another file: not read.
mkdir -p "$T/d"
printf 'machine 127.0.0.1 login alice password fifo-%s\n' "$$" >"$T/d/netrc"
chmod 600 "$T/d/netrc"
long="$T/d/"
while [ $((${#long} + 2 + 5)) -le 4095 ]; do long+="./"; done
long+="netrc"
long=${long/\/d\//\/d\/$(printf '%*s' $((4095 - ${#long})) '' | tr ' ' '/')}
[ "${#long}" = 4095 ] || die "the long path is ${#long} bytes"
sc --timeout 10 --in-str "$line"$'\n' -- --no-shutdown -q 0.5 -w 5 --netrc-file "$long" -x "socks5://$MA" 127.0.0.1 "$ECHO_PORT"
expect_rc "--netrc-file of 4095 bytes is read" 0
sc --timeout 10 -- -w 5 --netrc-file "$long.absent" -x "socks5://$MA" 127.0.0.1 "$ECHO_PORT"
expect_rc "--netrc-file longer than PATH_MAX" 2 && expect_err "said" "--netrc-file: a path of 4102 bytes is too long"

# ---------------------------------------------------- -v's notes, escaped
ALL_PROXY="socks5://h$(printf '\033]0;owned\007'):1" sc --timeout 10 -- -v -w 2 127.0.0.1 1
expect_rc "a control byte in ALL_PROXY" 2
if grep -q $'\033' "$SC_ERR"; then fail "-v writes ALL_PROXY's ESC raw"; else ok "-v escapes ALL_PROXY"; fi
expect_err "-v's note escaped" '^\* proxy socks5://h\\x1b\]0;owned\\x07:1 from ALL_PROXY$'
printf 'proxy esc "socks5://u\033]0;owned\007:pw@127.0.0.1:1"\n' >"$CONF"
chmod 600 "$CONF"
sc --timeout 10 -- -v -w 2 -x @esc 127.0.0.1 1
if grep -q $'\033' "$SC_ERR"; then fail "-v writes the config's ESC raw"; else ok "-v escapes the config's URL"; fi
expect_err "-v's note from the config escaped" '^\* proxy socks5://u\\x1b\]0;owned\\x07:\*+@127.0.0.1:1 from '
rm -f "$CONF"

# ------------------------------------------- the half-close warning in -j
start_microsocks
M=127.0.0.1:$MS_PORT
sc --timeout 10 --in-str "$line"$'\n' -- -w 5 -x "socks5://$M" 127.0.0.1 "$ECHO_PORT"
expect_rc "microsocks, stdin's EOF passed on" 0 &&
	expect_err "text: the half-close warning" "the server closed both ways .* after our half-close"
sc --timeout 10 --in-str "$line"$'\n' -- -j -w 5 -x "socks5://$M" 127.0.0.1 "$ECHO_PORT"
expect_rc "-j: microsocks, stdin's EOF passed on" 0
if "$PY" -c '
import json, sys
d = json.loads(open(sys.argv[1]).read().splitlines()[-1])
sys.exit(0 if any("after our half-close" in n["text"] and "--no-shutdown" in n["text"]
                  for n in d["notes"]) else 1)' "$SC_ERR"; then
	ok "-j: the half-close warning is among the notes"
else
	fail "-j: the half-close warning is lost"; sed 's/^/       | /' "$SC_OUT" "$SC_ERR" | cut -c1-300
fi

# ------------------------------------------------- --idle-timeout's words
sc --timeout 10 --in-str "" -- --no-shutdown --idle-timeout 1.234 -w 5 -x "socks5://$D" 127.0.0.1 "$ECHO_PORT"
expect_rc "--idle-timeout 1.234" 5 &&
	expect_err "the seconds as given" "tunnel idle for 1\.234 seconds \(--idle-timeout\)"

# ---------------------------------------------------- ALL_PROXY with a '/'
ALL_PROXY="socks5h://$D/" sc --timeout 10 --in-str "$line"$'\n' -- -v -w 5 127.0.0.1 "$ECHO_PORT"
expect_rc "ALL_PROXY=socks5h://HOST:PORT/" 0 && expect_out "through ALL_PROXY's proxy" "$line"$'\n' &&
	expect_err "-v names it without the '/'" "^\* proxy socks5h://$D from ALL_PROXY$"
ALL_PROXY="socks5h://$D/x" sc --timeout 10 -- -w 5 127.0.0.1 "$ECHO_PORT"
expect_rc "ALL_PROXY with a path" 2 && expect_err "a path refused" "a path is not allowed"

# ------------------------------------------------- files of another user
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	other=$(id -u nobody)
	printf 'proxy good socks5://%s\ndefault good\n' "$D" >"$CONF"
	chmod 600 "$CONF"
	sc --timeout 10 --in-str "$line"$'\n' -- -w 5 127.0.0.1 "$ECHO_PORT"
	expect_rc "the config file, ours" 0
	chown nobody "$CONF"
	sc --timeout 10 --in-str "$line"$'\n' -- -w 5 127.0.0.1 "$ECHO_PORT"
	expect_rc "the config file owned by nobody" 2 &&
		expect_err "its owner named" "$CONF: owned by uid $other, neither you \(uid 0\) nor root: refused"
	rm -f "$CONF"
	printf 'machine 127.0.0.1 login alice password fifo-%s\n' "$$" >"$T/netrc"
	chmod 600 "$T/netrc"
	sc --timeout 10 --in-str "$line"$'\n' -- -w 5 --netrc-file "$T/netrc" -x "socks5://$MA" 127.0.0.1 "$ECHO_PORT"
	expect_rc "--netrc-file, ours" 0
	chown nobody "$T/netrc"
	sc --timeout 10 -- -w 5 --netrc-file "$T/netrc" -x "socks5://$MA" 127.0.0.1 "$ECHO_PORT"
	expect_rc "--netrc-file owned by nobody" 2 &&
		expect_err "its owner named" "$T/netrc: owned by uid $other, neither you \(uid 0\) nor root: refused"
	cp -p "$T/netrc" "$HOME/.netrc"
	sc --timeout 10 -- -w 5 -x "socks5://$MA" 127.0.0.1 "$ECHO_PORT"
	expect_rc "~/.netrc owned by nobody: not used" 6 &&
		expect_err "~/.netrc of another: said" "$HOME/.netrc: owned by uid $other, .*; not used"
	rm -f "$HOME/.netrc"
fi

# ------------------------------------------- probe and a signal, input a pipe
# The servers come from a pipe that is quiet now: SIGTERM to sockscope alone
# ends it at once, as it always did (the first version of the fix that keeps
# the rows waited for the pipe's next line).
mkfifo "$T/quiet.fifo"
sleep 20 >"$T/quiet.fifo" &
quiet_writer=$!
track_pid "$quiet_writer"
"$SOCKSCOPE" -w 5 probe -f - <"$T/quiet.fifo" >"$T/quiet.out" 2>"$T/quiet.err" &
quiet_pid=$!
track_pid "$quiet_pid"
sleep 0.5
kill -TERM "$quiet_pid"
for ((i = 0; i < 40; i++)); do alive "$quiet_pid" || break; sleep 0.05; done
if alive "$quiet_pid"; then
	fail "SIGTERM, input a quiet pipe: still running 2 s later"
	kill -KILL "$quiet_pid"
else
	ok "SIGTERM, input a quiet pipe: ended at once"
fi
wait "$quiet_pid" 2>/dev/null
stop_pid "$quiet_writer"

# ------------------------------------------- probe's progress line and ^C
if have tmux; then
	start_badserver silent --count 0
	fleet=$T/fleet.txt
	for ((i = 0; i < 200; i++)); do echo "127.0.0.1:$BAD_PORT"; done >"$fleet"
	TM=(tmux -S "$T/tmux.sock" -f /dev/null)
	"${TM[@]}" new-session -d -x 150 -y 20 -s int "env -i PATH='$PATH' TERM=xterm PS1='PROMPT\$ ' bash --norc --noprofile -i"
	track_pid "$("${TM[@]}" display-message -p -t int '#{pid}')"
	"${TM[@]}" send-keys -t int "'$SOCKSCOPE' -w 30 probe -f '$fleet' >/dev/null" Enter
	for ((i = 0; i < 100; i++)); do
		"${TM[@]}" capture-pane -p -t int >"$T/int.live"
		grep -q 'sockscope probe: 0/200 done' "$T/int.live" && break
		sleep 0.05
	done
	if grep -q 'sockscope probe: 0/200 done' "$T/int.live"; then ok "the live line is drawn"; else fail "no live line"; fi
	"${TM[@]}" send-keys -t int C-c
	"${TM[@]}" send-keys -t int 'echo "rc=$?"' Enter
	for ((i = 0; i < 100; i++)); do
		"${TM[@]}" capture-pane -p -t int >"$T/int.screen"
		grep -q '^rc=130' "$T/int.screen" && break
		sleep 0.05
	done
	if grep -q '^rc=130' "$T/int.screen"; then ok "^C ends the probe (130)"; else fail "^C: no rc=130"; fi
	if grep -q 'sockscope probe:' "$T/int.screen"; then
		fail "^C left the progress line on the screen"; sed 's/^/       | /' "$T/int.screen" | grep -v '^       | $'
	else
		ok "^C erased the progress line"
	fi
	"${TM[@]}" kill-session -t int 2>/dev/null

	# The rows of the servers done, behind a silent first one: not lost.
	{ echo "127.0.0.1:$BAD_PORT"; for ((i = 0; i < 5; i++)); do echo "$M"; done; } >"$T/held.txt"
	"${TM[@]}" new-session -d -x 150 -y 20 -s held "env -i PATH='$PATH' TERM=xterm PS1='PROMPT\$ ' bash --norc --noprofile -i"
	track_pid "$("${TM[@]}" display-message -p -t held '#{pid}')"
	"${TM[@]}" send-keys -t held "'$SOCKSCOPE' -w 30 probe -f '$T/held.txt' >'$T/held.out'" Enter
	for ((i = 0; i < 100; i++)); do
		"${TM[@]}" capture-pane -p -t held >"$T/held.live"
		grep -q 'sockscope probe: 5/6 done' "$T/held.live" && break
		sleep 0.05
	done
	"${TM[@]}" send-keys -t held C-c
	"${TM[@]}" send-keys -t held 'echo "rc=$?"' Enter
	for ((i = 0; i < 100; i++)); do
		"${TM[@]}" capture-pane -p -t held >"$T/held.screen"
		grep -q '^rc=' "$T/held.screen" && break
		sleep 0.05
	done
	if grep -q '^rc=130' "$T/held.screen"; then ok "^C: 130"; else fail "^C: $(grep '^rc=' "$T/held.screen")"; fi
	if [ "$(grep -c "^$M " "$T/held.out")" = 5 ] && head -n 1 "$T/held.out" | grep -q '^SERVER'; then
		ok "^C: the 5 rows done are written"
	else
		fail "^C: rows lost"; sed 's/^/       | /' "$T/held.out"
	fi
	"${TM[@]}" kill-session -t held 2>/dev/null

	# Servers typed on the terminal: ^C ends the run at once, as before.
	"${TM[@]}" new-session -d -x 150 -y 20 -s typed "env -i PATH='$PATH' TERM=xterm PS1='PROMPT\$ ' bash --norc --noprofile -i"
	track_pid "$("${TM[@]}" display-message -p -t typed '#{pid}')"
	"${TM[@]}" send-keys -t typed "'$SOCKSCOPE' -w 5 probe -f -" Enter
	"${TM[@]}" send-keys -t typed "$M" Enter
	for ((i = 0; i < 200; i++)); do
		"${TM[@]}" capture-pane -p -t typed >"$T/typed.screen"
		grep -q "^$M .*SOCKS5" "$T/typed.screen" && break
		sleep 0.05
	done
	"${TM[@]}" send-keys -t typed C-c
	"${TM[@]}" send-keys -t typed 'echo "rc=$?"' Enter
	for ((i = 0; i < 200; i++)); do
		"${TM[@]}" capture-pane -p -t typed >"$T/typed.screen"
		grep -q '^rc=' "$T/typed.screen" && break
		sleep 0.05
	done
	if grep -q '^rc=130' "$T/typed.screen"; then
		ok "servers typed: ^C ends the probe at once (130)"
	else
		fail "servers typed: ^C did not end the probe"; sed 's/^/       | /' "$T/typed.screen" | grep -v '^       | $'
	fi
	"${TM[@]}" kill-session -t typed 2>/dev/null
fi

finish
