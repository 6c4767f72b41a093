#!/usr/bin/env bash
# probe's progress line.  On a terminal (tmux: its screen, and every byte
# written to it through pipe-pane) the line is drawn and redrawn in place
# ("\r", erase to the end of the line) while servers are pending: done of
# the total, answering, failed, the server pending longest, the time; it is
# erased at the end and before each row of the table on the same terminal;
# it is redrawn at most 10 times a second however many servers finish.  With
# stderr not a terminal, with -j, or with the servers typed on the terminal
# (-f -), there is none.  The table comes in the
# order of the input (a silent server first, done last); -j's lines come as
# servers finish.
. "$(dirname "$0")/lib.sh"
need_sockscope
need_cmd tmux microsocks

start_badserver silent --count 0
SILENT=127.0.0.1:$BAD_PORT
start_microsocks
M=127.0.0.1:$MS_PORT
CLOSED=127.0.0.1:$(free_port)
NCLOSED=3000
fleet=$T/fleet.txt
{
	echo "$SILENT"
	echo "$M"
	for ((i = 0; i < NCLOSED; i++)); do echo "$CLOSED"; done
	echo "$M"
} >"$fleet"
total=$((NCLOSED + 3))

TM=(tmux -S "$T/tmux.sock" -f /dev/null)
# on_tty NAME CMD: runs CMD in a new tmux pane 150x40 with every byte it
# writes to the terminal kept in $T/NAME.raw; returns when CMD has ended
# (bounded), its screen then in $T/NAME.screen, its status in $T/NAME.rc.
on_tty() {
	local name=$1 cmd=$2 i
	rm -f "$T/$name.go" "$T/$name.rc"
	"${TM[@]}" new-session -d -x 150 -y 40 -s "$name" \
		"for i in \$(seq 200); do [ -e '$T/$name.go' ] && break; sleep 0.05; done
		 TERM=xterm $cmd; echo \$? >'$T/$name.rc'; sleep 60"
	track_pid "$("${TM[@]}" display-message -p -t "$name" '#{pid}')"
	"${TM[@]}" pipe-pane -t "$name" -o "cat >>'$T/$name.raw'"
	touch "$T/$name.go"
	# the live line, while the silent server keeps the run going
	for ((i = 0; i < 100; i++)); do
		"${TM[@]}" capture-pane -p -t "$name" >"$T/$name.live"
		grep -q 'sockscope probe: [0-9]*/[0-9]* done' "$T/$name.live" && break
		[ -e "$T/$name.rc" ] && break
		sleep 0.05
	done
	for ((i = 0; i < 400; i++)); do
		[ -e "$T/$name.rc" ] && break
		sleep 0.05
	done
	[ -e "$T/$name.rc" ] || fail "$name: the probe did not end within 20 s"
	sleep 0.2 # the pipe-pane copy catches up
	"${TM[@]}" capture-pane -p -t "$name" >"$T/$name.screen"
	"${TM[@]}" kill-session -t "$name" 2>/dev/null
}
# draws FILE: each progress line drawn, one a line.
draws() { grep -ao $'\r\033\\[Ksockscope probe: [^\r\033]*' "$1" | sed $'s/^\r\033\\[K//'; }

# ------------------------------------------------ stderr on a terminal
on_tty err "'$SOCKSCOPE' -w 1 probe -f '$fleet' >'$T/err.out'"
if grep -q "sockscope probe: [0-9]*/$total done" "$T/err.live"; then
	ok "the live line is on the screen: $(grep -o 'sockscope probe:.*' "$T/err.live" | head -n 1)"
else
	fail "no progress line on the screen while the run went"
	sed 's/^/       | /' "$T/err.live" | grep -v '^       | $'
fi
draws "$T/err.raw" >"$T/err.draws"
n=$(wc -l <"$T/err.draws")
last=$(tail -n 1 "$T/err.draws")
note "$n lines drawn; the last: $last"
if [ "$n" -ge 2 ]; then ok "redrawn in place: $n lines, each after \\r and erase-line"; else fail "drawn $n times"; fi
if grep -q "slowest $SILENT [0-9.]*s" "$T/err.draws"; then
	ok "the silent server is named as the one pending longest"
else
	fail "no 'slowest $SILENT'"
fi
if grep -Eq "^sockscope probe: [0-9]+/$total done, [0-9]+ answering, [0-9]+ failed" "$T/err.draws" &&
	grep -Eq "/$total done, 2 answering, $NCLOSED failed, slowest $SILENT" "$T/err.draws"; then
	ok "done/total, answering (microsocks twice) and failed (the closed port) are counted"
else
	fail "the counts: $(sort -u "$T/err.draws" | head -n 3)"
fi
# After the last line drawn: its erasure, and nothing else from the probe.
tail_bytes=$(LC_ALL=C sed -n '$p' <(tr '\n' '\001' <"$T/err.raw" | sed 's/.*sockscope probe: [^\r]*//') | tr '\001' '\n')
case $tail_bytes in
$'\r\033[K'*) ok "the last line is erased (\\r, erase-line) at the end" ;;
*) fail "after the last line: $(printf '%q' "${tail_bytes:0:40}")" ;;
esac
if grep -q 'sockscope probe:' "$T/err.screen"; then
	fail "the line is still on the screen at the end"
	sed 's/^/       | /' "$T/err.screen" | grep -v '^       | $'
else
	ok "the screen at the end holds no progress line"
fi
# The bound: NCLOSED servers finish within the run, yet the line is drawn
# at most 10 times a second (plus the first), as its own clock says.
secs=$(sed -n 's/.*, \([0-9.]*\)s$/\1/p' <<<"$last")
if [ -n "$secs" ] && "$PY" -c "import sys; sys.exit(not $n <= int($secs * 10) + 1)"; then
	ok "redraw rate bounded: $n lines in ${secs}s for $total servers (at most 10 a second)"
else
	fail "redraw rate: $n lines in ${secs:-?}s"
fi

# The table: in the order of the input, though the first server ends last.
order_ok() { # OUT LIST: OUT's SERVER column is LIST, in order
	diff <(awk 'NR > 1 { print $1 }' "$1") "$2" >/dev/null
}
if [ "$(cat "$T/err.rc" 2>/dev/null)" = 1 ] && order_ok "$T/err.out" "$fleet"; then
	ok "the table's $total rows are in the order of the input (exit 1: the failed ones)"
else
	fail "table order or exit status $(cat "$T/err.rc" 2>/dev/null): $(awk 'NR > 1 { print $1 }' "$T/err.out" | uniq -c | head -n 5 | xargs)"
fi

# ------------------------------------------------ the table on the same terminal
small=$T/small.txt
{ echo "$SILENT"; echo "$M"; for i in 1 2 3 4 5; do echo "$CLOSED"; done; } >"$small"
on_tty both "'$SOCKSCOPE' -w 1 probe -f '$small'"
if [ "$(draws "$T/both.raw" | wc -l)" -ge 2 ] && ! grep -q 'sockscope probe:' "$T/both.screen" &&
	grep -q '^SERVER ' "$T/both.screen" &&
	[ "$(grep -c "^$CLOSED " "$T/both.screen")" = 5 ] && grep -q "^$SILENT " "$T/both.screen"; then
	ok "stdout on the same terminal: the rows start at the line's start, no line left at the end"
else
	fail "stdout and stderr on one terminal: the screen at the end"
	sed 's/^/       | /' "$T/both.screen" | grep -v '^       | $'
fi

# ------------------------------------------------ -j on a terminal: no line
on_tty json "'$SOCKSCOPE' -w 1 -j probe -f '$small' >'$T/json.out'"
if ! grep -aq 'sockscope probe:' "$T/json.raw" && [ -s "$T/json.out" ]; then
	ok "-j: no progress line"
else
	fail "-j: a progress line was drawn"
fi
# -j writes each server when it is done: the silent one (input 1) comes last.
order=$("$PY" -c 'import json,sys; print(" ".join(str(json.loads(l)["input"]) for l in open(sys.argv[1])))' "$T/json.out")
if [ "${order##* }" = 1 ] && [ "$(wc -w <<<"$order")" = 7 ]; then
	ok "-j: lines as servers finish (input order $order)"
else
	fail "-j order: $order"
fi

# ------------------------------------------------ servers typed on the terminal
# (-f -): no line drawn over what is typed.
"${TM[@]}" new-session -d -x 150 -y 40 -s typed \
	"TERM=xterm '$SOCKSCOPE' -w 1 probe -f - >'$T/typed.out'; echo \$? >'$T/typed.rc'; sleep 60"
track_pid "$("${TM[@]}" display-message -p -t typed '#{pid}')"
"${TM[@]}" pipe-pane -t typed -o "cat >>'$T/typed.raw'"
"${TM[@]}" send-keys -t typed "$SILENT" Enter
sleep 1.5 # the silent server pending: a line would be drawn by now
"${TM[@]}" send-keys -t typed "$M" Enter C-d
for ((i = 0; i < 200; i++)); do
	[ -e "$T/typed.rc" ] && break
	sleep 0.05
done
if [ -e "$T/typed.rc" ] && ! grep -aq 'sockscope probe:' "$T/typed.raw" &&
	[ "$(grep -c "^127.0.0.1:" "$T/typed.out")" = 2 ]; then
	ok "-f - typed on the terminal: no progress line, both servers probed"
else
	fail "-f - on the terminal: $(grep -ao 'sockscope probe:[^\r]*' "$T/typed.raw" | head -n 1)"
fi
"${TM[@]}" kill-session -t typed 2>/dev/null

# ------------------------------------------------ stderr a pipe or a file
"$SOCKSCOPE" -w 1 probe -f "$small" 2> >(cat >"$T/pipe.err") | cat >"$T/pipe.out"
sleep 0.2
if [ ! -s "$T/pipe.err" ] && order_ok "$T/pipe.out" "$small"; then
	ok "stderr a pipe: no progress line; the table in input order"
else
	fail "stderr a pipe: $(od -c "$T/pipe.err" | head -n 3)"
fi
"${TM[@]}" kill-server 2>/dev/null
finish
