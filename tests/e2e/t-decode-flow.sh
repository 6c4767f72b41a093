#!/usr/bin/env bash
# `sockscope decode` through the flow: both sides of a capture (tshark's
# follow output) shown as one conversation in order by the capture
# engine's view, one side alone in decode's hex view; the outcome
# (granted, refused with its code and meaning, a violation at its side,
# field and offset), BIND's replies by their role, and hints with their
# evidence escaped; in the view and in -j.
. "$(dirname "$0")/lib.sh"
need_sockscope

out_has() {
	if grep -Eq -- "$2" "$SC_OUT"; then ok "$1: /$2/"; else
		fail "$1: stdout does not match /$2/"
		sed 's/^/       | /' "$SC_OUT" "$SC_ERR" | head -40
	fi
}
out_lacks() {
	if grep -Eq -- "$2" "$SC_OUT" "$SC_ERR"; then fail "$1: output matches /$2/"; else ok "$1: no /$2/"; fi
}
# json_is WHAT PYEXPR: the expression over the document d is true.
json_is() {
	if "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
		"$SC_OUT" "$2" 2>"$T/json.err"; then ok "$1: $2"; else
		fail "$1: not $2 ($(head -c 300 "$SC_OUT" | tr '\n' ' ') $(cat "$T/json.err"))"; fi
}
# order WHAT ERE...: the lines matching each ERE come in this order.
order() {
	local what=$1 last=0 n
	shift
	for re in "$@"; do
		n=$(grep -nE -- "$re" "$SC_OUT" | head -n 1 | cut -d: -f1)
		if [ -z "$n" ] || [ "$n" -le "$last" ]; then
			fail "$what: /$re/ not after line $last"
			sed 's/^/       | /' "$SC_OUT" | head -40
			return
		fi
		last=$n
	done
	ok "$what: in order"
}

# follow FILE TURN...: tshark -z follow,tcp,hex output, a turn "c HEX" for
# the client (unindented) or "s HEX" for the server (indented).
follow() {
	local f=$1 side hex off_c=0 off_s=0 n
	shift
	{
		echo "==================================================================="
		echo "Follow: tcp,hex"
		echo "Filter: tcp.stream eq 0"
		echo "Node 0: 127.0.0.1:40000"
		echo "Node 1: 127.0.0.1:1080"
		for t in "$@"; do
			side=${t%% *}
			hex=${t#* }
			n=$(wc -w <<<"$hex")
			if [ "$side" = c ]; then
				printf '%08X  %s\n' "$off_c" "$hex"
				off_c=$((off_c + n))
			else
				printf '\t%08X  %s\n' "$off_s" "$hex"
				off_s=$((off_s + n))
			fi
		done
		echo "==================================================================="
	} >"$f"
}

# A CONNECT, both sides: the conversation in the order of the dump.
follow "$T/connect.txt" "c 05 01 00" "s 05 00" "c 05 01 00 01 7f 00 00 01 00 50" \
	"s 05 00 00 01 7f 00 00 01 9c 40" "c 47 45 54" "s 4f 4b"
sc --in "$T/connect.txt" -- decode
expect_rc "conversation" 0
out_has "conversation: both sides said" '^\(tshark follow output: 127\.0\.0\.1:40000 \(unindented lines, 16 bytes\) connected to 127\.0\.0\.1:1080 \(indented lines, 14 bytes\)'
order "conversation" '^session 1: 127\.0\.0\.1:40000 -> 127\.0\.0\.1:1080 \(the dump holds no times\)$' \
	'^  -> SOCKS5 greeting' '^  <- SOCKS5 method selection' \
	'^  -> SOCKS5 CONNECT request: CMD 0x01 CONNECT, DST 127\.0\.0\.1:80$' \
	'^  <- SOCKS5 reply: REP 0x00 succeeded, BND 127\.0\.0\.1:40000$' '^  outcome: granted$' \
	'^  tunnel: 3 bytes from the client, 2 from the server, ended by '
sc --in "$T/connect.txt" -- decode -j
expect_rc "conversation, JSON" 0
json_is "conversation, JSON: the messages in order" \
	'[m["type"] for m in d["messages"]] == ["greeting", "method", "request", "reply"]'
json_is "conversation, JSON: the sides" \
	'[m["direction"] for m in d["messages"]] == ["client", "server", "client", "server"]'
json_is "conversation, JSON: granted" 'd["outcome"]["result"] == "granted"'
json_is "conversation, JSON: the tunnel counted" 'd["bytes"] == {"client": 3, "server": 2}'
json_is "conversation, JSON: the ends" 'd["client"] == "127.0.0.1:40000" and d["proxy"] == "127.0.0.1:1080"'
json_is "conversation, JSON: no times" 'd["start"] is None and d["duration"] is None and all(m["time"] is None for m in d["messages"])'
# --client still takes one side.
sc --in "$T/connect.txt" -- decode --client
expect_rc "conversation, --client" 0
out_lacks "conversation, --client: no server message" '^<- '

# Refused: the code and its meaning, from the server's side alone too.
follow "$T/refused.txt" "c 05 01 00" "s 05 00" "c 05 01 00 01 7f 00 00 01 00 50" \
	"s 05 05 00 01 00 00 00 00 00 00"
sc --in "$T/refused.txt" -- decode
expect_rc "refused" 0
out_has "refused: the outcome" '^  outcome: refused: REP 0x05 connection refused$'
sc -- decode --server 05 00 05 05 00 01 00 00 00 00 00 00
out_has "refused, the server alone" '^outcome: refused: REP 0x05 connection refused$'
sc -- decode -j --server 05 00 05 05 00 01 00 00 00 00 00 00
json_is "refused, JSON" 'd["outcome"]["result"] == "refused" and d["outcome"]["code"] == 5 and d["outcome"]["meaning"] == "connection refused"'

# A violation: a method the client did not offer, at its side, field, offset.
follow "$T/unoffered.txt" "c 05 01 00" "s 05 02"
# (A dump is read as a capture: exit 0 whatever its sessions' outcomes.)
sc --in "$T/unoffered.txt" -- decode
expect_rc "unoffered method" 0
out_has "unoffered method: the outcome" '^  outcome: protocol violation by the server in the method selection phase at offset 0x0001 in METHOD: method 0x02 was not offered'
sc --in "$T/unoffered.txt" -- decode -j
json_is "unoffered method, JSON" 'd["outcome"]["result"] == "violation" and d["outcome"]["side"] == "server" and d["outcome"]["field"] == "METHOD" and d["outcome"]["offset"] == 1'

# BIND, the server's side alone: the first reply where the server listens,
# the second the peer that connected, then tunnel data (no third reply).
bind=(05 00  05 00 00 01 c0 00 02 01 1f 90  05 00 00 01 c6 33 64 07 d4 31
      05 00 00 01 7f 00 00 01 00 50)
sc -- decode --server "${bind[@]}"
expect_rc "BIND, the server alone" 0
order "BIND, the server alone" '^<- SOCKS5 method selection' \
	'^<- SOCKS5 first BIND reply \(where the server listens\)' \
	'^<- SOCKS5 second BIND reply \(the peer that connected\)' \
	'^   10 bytes of tunnel data, not decoded' '^outcome: granted$'
out_lacks "BIND, the server alone: no third reply" 'reply, 10 bytes$|^<- SOCKS5 reply'
sc -- decode -j --server "${bind[@]}"
json_is "BIND, JSON: the titles by role" \
	'[m["title"] for m in d["messages"]][1:] == ["SOCKS5 first BIND reply (where the server listens)", "SOCKS5 second BIND reply (the peer that connected)"]'
follow "$T/bind.txt" "c 05 01 00" "s 05 00" "c 05 02 00 01 c0 00 02 01 00 00" \
	"s 05 00 00 01 c0 00 02 01 1f 90" "s 05 00 00 01 c6 33 64 07 d4 31" "s 48 49"
sc --in "$T/bind.txt" -- decode
expect_rc "BIND, both sides" 0
order "BIND, both sides" '^  -> SOCKS5 BIND request' '^  <- SOCKS5 first BIND reply' \
	'^  <- SOCKS5 second BIND reply' '^  peer: 198\.51\.100\.7:54321 connected' \
	'^  tunnel: 0 bytes from the client, 2 from the server'

# Hints: what answered, its banner escaped (an ESC byte never reaches the
# terminal raw), in the view, on stderr and in JSON.
ssh=$(printf 'SSH-2.0-OpenSSH_9.6\033[31m\r\n' | od -An -tx1 | tr -s ' \n' ' ')
sc -- decode --server $ssh
expect_rc "an SSH server" 4
out_has "an SSH server: the hint" '^hint: the server sent an SSH banner: an SSH server: "SSH-2\.0-OpenSSH_9\.6\\x1b\[31m"$'
expect_err "an SSH server: the hint in the error" 'an SSH server: "SSH-2\.0-OpenSSH_9\.6\\x1b'
if grep -q $'\033' "$SC_OUT" "$SC_ERR"; then fail "an SSH server: a raw ESC byte printed"; else ok "an SSH server: no raw ESC"; fi
sc -- decode -j --server $ssh
json_is "an SSH server, JSON: the hint" 'd["hints"][0]["side"] == "server" and d["hints"][0]["evidence"].startswith("SSH-2.0-OpenSSH_9.6\\x1b")'
http=$(printf 'GET / HTTP/1.1\r\nHost: example.com\r\n\r\n' | od -An -tx1 | tr -s ' \n' ' ')
sc -- decode $http
expect_rc "an HTTP client" 4
out_has "an HTTP client: the hint" '^hint: the client sent an HTTP request: .*: "GET / HTTP/1\.1"$'

# Anomalies the flow finds, not the decoder: data before the reply.
follow "$T/early.txt" "c 05 01 00" "s 05 00" "c 05 01 00 01 7f 00 00 01 00 50 41" \
	"s 05 00 00 01 7f 00 00 01 9c 40"
sc --in "$T/early.txt" -- decode
expect_rc "data before the reply" 0
order "data before the reply: the anomaly after the request" '^  -> SOCKS5 CONNECT request' \
	'^  -> anomaly: data before the reply' '^  <- SOCKS5 reply'
sc --in "$T/early.txt" -- decode -j
json_is "data before the reply, JSON" '[(e["side"], e["offset"]) for e in d["events"] if e["event"] == "anomaly"] == [("client", 13)]'

# A username/password request held for a method selection cut short: never
# dumped in clear, in the conversation or in the client's side alone.
follow "$T/held.txt" "c 05 01 02 01 04 75 73 65 72 06 53 33 63 72 33 74" "s 05"
sc --in "$T/held.txt" -- decode
expect_rc "held auth request" 0
out_has "held auth request: undecided" '^  outcome: undecided'
out_lacks "held auth request: the password hidden" 'S3cr3t|53 33 63 72'
sc --in "$T/held.txt" -- decode -j
out_lacks "held auth request, JSON: the password hidden" 'S3cr3t|5333637233'
sc --in "$T/held.txt" -- decode --client
expect_rc "held auth request, the client alone" 0
out_has "held auth request, the client alone: masked" 'PASSWD +\*{8}$'
out_lacks "held auth request, the client alone: the password hidden" 'S3cr3t|53 33 63 72'
sc --in "$T/held.txt" -- decode --client --show-secrets
out_has "held auth request, --client --show-secrets: shown" 'S3cr3t'

finish
