#!/usr/bin/env bash
# tshark's text dumps of a real capture go through the same engine and the
# same conversation view as the capture file: tcpdump on lo (started and
# stopped here by PID) while nc -X and sockscope go through danted and
# microsocks (a refusal among them, and a password); then `tshark -x` and `tshark -z
# follow,tcp,hex` of it, given to decode -r FILE, decode -r - and plain
# decode, must find the same sessions, targets, outcomes and byte counts
# as decode -r of the capture itself (its JSON, times aside: a dump holds
# none).  A dump whose streams are out of order and retransmitted
# (dumptool.py mangle) decodes as the ordered one.
. "$(dirname "$0")/lib.sh"
need_sockscope
need_root
need_cmd tcpdump
need_cmd tshark
need_cmd nc
start_echo
start_danted none
start_microsocks
MS_OPEN=$MS_PORT
start_microsocks -u alice -P s3cr3t
MS_AUTH=$MS_PORT
MS_PORT=$MS_OPEN
CLOSED=$(free_port)
TOOL=$E2E_DIR/dumptool.py

start_bg tcpdump tcpdump --immediate-mode -U -n -i lo -w "$T/cap.pcap" \
	"tcp port $DANTED_PORT or tcp port $MS_PORT or tcp port $MS_AUTH"
TCPDUMP_PID=$BG_PID
wait_for 5 grep -q 'listening on' "$T/tcpdump.log" ||
	skip "tcpdump cannot capture here: $(head -n 2 "$T/tcpdump.log" | tr '\n' ' ')"

for x in 5 4; do
	printf 'nc -X %s\n' "$x" | timeout -k 2 10 nc -N -w 3 -X "$x" -x "127.0.0.1:$DANTED_PORT" \
		127.0.0.1 "$ECHO_PORT" >"$T/nc$x.out" 2>&1
	grep -q "nc -X $x" "$T/nc$x.out" && ok "nc -X $x through danted" || fail "nc -X $x: $(cat "$T/nc$x.out")"
done
# a refusal: microsocks cannot reach a port nobody listens on
timeout -k 2 10 nc -N -w 3 -X 5 -x "127.0.0.1:$MS_PORT" 127.0.0.1 "$CLOSED" </dev/null >/dev/null 2>&1
sc --hold 0.3 --in-str "ping"$'\n' -- -x "socks5://127.0.0.1:$MS_PORT" 127.0.0.1 "$ECHO_PORT"
expect_rc "sockscope through microsocks" 0
sc --hold 0.3 --in-str "pong"$'\n' -- -x "socks5://alice:s3cr3t@127.0.0.1:$MS_AUTH" 127.0.0.1 "$ECHO_PORT"
expect_rc "sockscope through microsocks, with a password" 0
sleep 0.3
stop_pid "$TCPDUMP_PID"
[ -s "$T/cap.pcap" ] || skip "tcpdump wrote no capture"

PORTS=(--port "$DANTED_PORT" --port "$MS_PORT" --port "$MS_AUTH")
sc -- decode -r "$T/cap.pcap" "${PORTS[@]}" -j
expect_rc "decode -r the capture" 0
"$PY" "$TOOL" norm "$SC_OUT" >"$T/want"
"$PY" "$TOOL" norm "$SC_OUT" --no-ended >"$T/want-noended"
results=$("$PY" -c '
import json, sys
print(" ".join(json.loads(l)["outcome"]["result"] for l in open(sys.argv[1])))' "$SC_OUT")
if [ "$results" = "granted granted refused granted granted" ]; then
	ok "the capture: 5 sessions, one refused"
else
	fail "the capture's sessions: '$results', expected 'granted granted refused granted granted'"
fi

# same WHAT WANT: the JSON sessions of the last run, times aside, as WANT.
same() {
	local flags=${3:-}
	# shellcheck disable=SC2086
	"$PY" "$TOOL" norm "$SC_OUT" $flags >"$T/got"
	if [ -s "$T/got" ] && cmp -s "$2" "$T/got"; then
		ok "$1: the same $(wc -l <"$T/got") sessions as the capture"
	else
		fail "$1: not the capture's sessions"
		diff "$2" "$T/got" | head -c 1500 | sed 's/^/       | /'
	fi
}

# Whole frames.
tshark -r "$T/cap.pcap" -x >"$T/frames.txt" 2>/dev/null
sc -- decode -r "$T/frames.txt" "${PORTS[@]}" -j
expect_rc "decode -r a tshark -x dump" 0
same "decode -r a tshark -x dump" "$T/want"
expect_err "tshark -x: what the dump holds, said" \
	'frames\.txt: a tshark -x dump of [0-9]+ frames: Ethernet, IPv4 and TCP headers read; the dump holds no times'
sc --in "$T/frames.txt" -- decode -r - "${PORTS[@]}" -j
expect_rc "decode -r - < a tshark -x dump" 0
same "decode -r - < a tshark -x dump" "$T/want"
sc --in "$T/frames.txt" -- decode -j
expect_rc "decode -j < a tshark -x dump" 0
same "decode -j < a tshark -x dump (any port whose client speaks SOCKS)" "$T/want"
"$PY" -c 'import json, sys; [print(json.loads(l)["start"], json.loads(l)["duration"], json.loads(l)["latency"]) for l in open(sys.argv[1])]' \
	"$SC_OUT" | sort -u >"$T/times"
[ "$(cat "$T/times")" = "None None None" ] && ok "tshark -x, JSON: no times (null)" ||
	fail "tshark -x, JSON: times '$(cat "$T/times")'"

# The conversation and the table, as a capture's default shows them.
sc --in "$T/frames.txt" -- decode
expect_rc "decode < a tshark -x dump: the table" 0
expect_stdout "tshark -x: the dump said" '^\(a tshark -x dump of [0-9]+ frames: Ethernet, IPv4 and TCP headers read'
expect_stdout "tshark -x: the table's refusal" "^3 +- +127\\.0\\.0\\.1:[0-9]+ +127\\.0\\.0\\.1:$MS_PORT +5 +CONNECT .*127\\.0\\.0\\.1:$CLOSED .* refused"
sc -- decode -r "$T/frames.txt" "${PORTS[@]}" --session 2 -X
expect_rc "decode -r a dump --session 2 -X" 0
expect_stdout "session 2: no times" "^session 2: 127\\.0\\.0\\.1:[0-9]+ -> 127\\.0\\.0\\.1:$DANTED_PORT \\(the dump holds no times\\)\$"
expect_stdout "session 2: SOCKS4 in the hex view" 'DSTPORT +'"$ECHO_PORT"
expect_no_stdout "session 2: no time stamps, no latency" '^ *\+[0-9]+\.[0-9]{6}|latency:| s, ended'
sc -- decode -r "$T/frames.txt" "${PORTS[@]}" --outcome refused --sessions
expect_rc "decode -r a dump --outcome refused" 0
[ "$(grep -c 'refused' "$SC_OUT")" = 1 ] && ok "--outcome refused: one row" ||
	fail "--outcome refused: $(cat "$SC_OUT")"

# The password, masked in every form unless asked for.
for form in "" -j -X; do
	# shellcheck disable=SC2086
	sc --in "$T/frames.txt" -- decode -r - "${PORTS[@]}" --session 5 $form
	expect_rc "a dump's session 5 ${form:-(conversation)}" 0
	expect_stdout "a dump's session 5 ${form:-(conversation)}: alice" 'alice|616c696365'
	expect_no_stdout "a dump's session 5 ${form:-(conversation)}: no password" 's3cr3t|733363723374'
done
sc --in "$T/frames.txt" -- decode -j --show-secrets
expect_stdout "a dump, --show-secrets: the password" '"value": "s3cr3t"'

# Out of order and retransmitted: reassembly applies to dumps.
"$PY" "$TOOL" mangle "$T/frames.txt" "$T/mangled.txt"
sc -- decode -r "$T/mangled.txt" "${PORTS[@]}" -j
expect_rc "decode -r a reordered, retransmitted dump" 0
"$PY" "$TOOL" norm "$SC_OUT" --no-notes >"$T/got"
sc -- decode -r "$T/cap.pcap" "${PORTS[@]}" -j
"$PY" "$TOOL" norm "$SC_OUT" --no-notes >"$T/want-nonotes"
if [ -s "$T/got" ] && cmp -s "$T/want-nonotes" "$T/got"; then
	ok "reordered, retransmitted dump: the same sessions as the ordered capture"
else
	fail "reordered dump: not the capture's sessions"
	diff "$T/want-nonotes" "$T/got" | head -c 1500 | sed 's/^/       | /'
fi

# Follow output: one connection each, its ends from the Node lines.
: >"$T/follow.json"
for n in 0 1 2 3 4; do
	tshark -r "$T/cap.pcap" -qz "follow,tcp,hex,$n" >"$T/follow$n.txt" 2>/dev/null
	sc --in "$T/follow$n.txt" -- decode -j
	expect_rc "decode -j < tshark follow $n" 0
	cat "$SC_OUT" >>"$T/follow.json"
done
grep -q '^Node 0: ' "$T/follow0.txt" || fail "tshark follow output has no Node line"
SC_OUT_SAVED=$SC_OUT
SC_OUT=$T/follow.json
same "tshark follow, each stream" "$T/want-noended" --no-ended
SC_OUT=$SC_OUT_SAVED
sc -- decode -r "$T/follow2.txt" -j
expect_rc "decode -r a follow dump" 0
grep -q '"result": "refused"' "$SC_OUT" && ok "decode -r follow 2: refused" ||
	fail "decode -r follow 2: $(head -c 300 "$SC_OUT")"
sc --in "$T/follow0.txt" -- decode
expect_rc "decode < tshark follow: the conversation" 0
expect_stdout "follow: the ends said" "^\\(tshark follow output: 127\\.0\\.0\\.1:[0-9]+ \\(unindented lines, [0-9]+ bytes\\) connected to 127\\.0\\.0\\.1:$DANTED_PORT"
expect_stdout "follow: the session" "^session 1: 127\\.0\\.0\\.1:[0-9]+ -> 127\\.0\\.0\\.1:$DANTED_PORT \\(the dump holds no times\\)\$"
expect_stdout "follow: the request" "^  -> SOCKS5 CONNECT request: CMD 0x01 CONNECT, DST 127\\.0\\.0\\.1:$ECHO_PORT\$"
expect_stdout "follow: the outcome" '^  outcome: granted$'
# Trimmed by hand: no header, stand-in ends, said.
grep -E $'^\t?[0-9A-F]{8}  ' "$T/follow0.txt" >"$T/trimmed.txt"
sc --in "$T/trimmed.txt" -- decode
expect_rc "decode < follow without its header" 0
expect_stdout "trimmed follow: stand-ins said" 'without Node lines that name its ends: 192\.0\.2\.1:50000 stands in'
expect_stdout "trimmed follow: the outcome" '^  outcome: granted$'
# One side still decoded as bytes.
sc --in "$T/follow0.txt" -- decode --server
expect_rc "decode --server < follow" 0
expect_stdout "follow --server: one side" "^\\(tshark follow output: the server's side \\(indented lines\\)"
expect_stdout "follow --server: the reply's fields" 'REP +0x00 +succeeded'

# A dump that ends inside the handshake: the bytes the flow still holds
# are said, not left out (the password among them is not shown).
printf 'Node 0: 10.0.0.1:40000\nNode 1: 10.0.0.2:1080\n00000000  05 01 02\n\t00000000  05\n00000003  01 05 61 6c 69 63 65 06 73 33 63 72 33 74\n' >"$T/held.txt"
sc -- decode -r "$T/held.txt"
expect_rc "a dump ending mid-handshake" 0
expect_stdout "held: the client's request sent early" '^     note: 14 bytes from the client not decoded: sent before the server answered$'
expect_stdout "held: the server's half method selection" '^     note: 1 byte from the server not decoded: ended inside the SOCKS5 method selection after 1 of at least 2 bytes$'
expect_stdout "held: no tunnel to count" "^  ended by the dump's end\$"
expect_no_stdout "held: no tunnel line" 'tunnel:'
expect_no_stdout "held: the password not shown" 's3cr3t|73 33 63 72 33 74'

# Neither a capture nor a dump; a filter on a dump.
head -c 300 /dev/urandom >"$T/junk.bin"
printf '\x00\x01\x02\x03junk' >>"$T/junk.bin"
sc -- decode -r "$T/junk.bin"
expect_rc "decode -r binary junk" 2
expect_err "junk: named" "junk\\.bin: neither a capture file \\(pcap, pcapng\\) nor a tshark text dump"
printf '05 01 00\n' >"$T/plain.txt"
sc -- decode -r "$T/plain.txt"
expect_rc "decode -r plain hex" 2
expect_err "plain hex: named" 'plain\.txt: neither a capture file .*no TCP or UDP frame, no follow output'
sc -- decode -r "$T/frames.txt" tcp port 80
expect_rc "decode -r a dump with a filter" 2
expect_err "a filter on a dump: said" "frames\\.txt is a text dump: a FILTER \\('tcp port 80'\\) applies to capture files only"
# A capture on standard input still reaches libpcap, its magic peeked.
sc --in "$T/cap.pcap" -- decode -r - "${PORTS[@]}" -j
expect_rc "decode -r - < a pcap" 0
same "decode -r - < a pcap" "$T/want"

finish
