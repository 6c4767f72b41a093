#!/usr/bin/env bash
# decode -r over hand-made captures (pcapgen.py): every scenario written as
# pcap and pcapng, behind each link type sockscope reads, over IPv4, IPv6
# and a VLAN tag; each session must come out as the generator says it went
# in (outcome, tunnel bytes each way, the gap, the peer, the datagrams).
# Then the selections, the views, secrets, standard input, a BPF filter,
# and files that are no good capture.
. "$(dirname "$0")/lib.sh"
need_sockscope
GEN="$E2E_DIR/pcapgen.py"

# facts_match WHAT FILE FACTS: the -j sessions of FILE against the lines
# pcapgen printed ("outcome up down [key=value...]").
facts_match() {
	local what=$1 file=$2 facts=$3
	sc -- decode -r "$file" -j
	if [ "$SC_RC" != 0 ]; then
		fail "$what: exit $SC_RC"
		_sc_context
		return
	fi
	if "$PY" - "$facts" "$SC_OUT" >"$T/facts.why" 2>&1 <<'EOF'; then
import json, sys
facts = [l.split() for l in open(sys.argv[1]).read().splitlines() if l.strip()]
sessions = [json.loads(l) for l in open(sys.argv[2])]
assert len(sessions) == len(facts), "%d sessions, %d expected" % (len(sessions), len(facts))
for s, f in zip(sessions, facts):
    assert s["outcome"]["result"] == f[0], (s["outcome"], f[0])
    assert s["bytes"] == {"client": int(f[1]), "server": int(f[2])}, (s["bytes"], f[1:3])
    for kv in f[3:]:
        k, _, v = kv.partition("=")
        if k == "gap":
            assert s["missing"]["client"] + s["missing"]["server"] == int(v), s["missing"]
        elif k == "peer":
            assert s["peer"] == v, s["peer"]
        elif k == "datagrams":
            n = sum(1 for m in s["messages"] if m["type"] == "udp")
            assert n == int(v), n
        elif k == "user":
            assert s["user"] == v, s["user"]
        elif k == "resends_differ":
            assert s["resends_differ"] == int(v), s["resends_differ"]
        elif k == "partial":
            assert s["partial"] is True
        else:
            assert s["target"] == kv, (s["target"], kv)
EOF
		ok "$what"
	else
		fail "$what: $(tail -n 1 "$T/facts.why")"
	fi
}

for scenario in $("$PY" "$GEN" --list | grep -Ev '^(truncated|bad-magic|empty|unknown-link)$'); do
	for fmt in pcap pcapng; do
		f="$T/$scenario.$fmt"
		"$PY" "$GEN" "$scenario" --format "$fmt" -o "$f" >"$T/$scenario.facts" ||
			die "pcapgen $scenario"
		facts_match "$scenario ($fmt)" "$f" "$T/$scenario.facts"
	done
done

# The same session behind every link type, and over IPv6 and a VLAN tag.
for link in ether sll sll2 raw null loop; do
	"$PY" "$GEN" connect --link "$link" -o "$T/l-$link.pcap" >"$T/l.facts"
	facts_match "link type $link" "$T/l-$link.pcap" "$T/l.facts"
	"$PY" "$GEN" one-segment --link "$link" --ipv6 -o "$T/l6-$link.pcapng" --format pcapng \
		>"$T/l6.facts"
	facts_match "link type $link, IPv6" "$T/l6-$link.pcapng" "$T/l6.facts"
done
"$PY" "$GEN" reorder --vlan -o "$T/vlan.pcap" >"$T/vlan.facts"
facts_match "a VLAN tag" "$T/vlan.pcap" "$T/vlan.facts"
sc -- decode -r "$T/l6-ether.pcapng"
expect_stdout "IPv6 ends in brackets" '^session 1: \[fd00::1\]:40000 -> \[fd00::2\]:1080'

# The conversation: one session alone is shown as one, latencies on the wire.
"$PY" "$GEN" connect -o "$T/c.pcap" >/dev/null
sc -- decode -r "$T/c.pcap"
expect_rc "one session" 0
expect_stdout "its header" '^session 1: 10\.0\.0\.1:40000 -> 10\.0\.0\.2:1080, 2023-11-14 22:13:20\.001000 UTC$'
expect_stdout "the greeting at its time" '^  \+0\.003000 -> SOCKS5 greeting'
expect_stdout "the request by name" '^  \+0\.005000 -> SOCKS5 CONNECT request: .*DST example\.com:80'
expect_stdout "the latencies" '^  latency: greeting -> method 1\.000 ms, request -> reply 1\.000 ms$'
expect_stdout "the tunnel" '^  tunnel: 5 bytes from the client, 12 from the server, 0\.010000 s, ended by FIN both ways$'
sc -- decode -r "$T/c.pcap" --absolute-time
expect_stdout "times of day" '^  22:13:20\.004000 -> SOCKS5 greeting'
sc -- decode -r "$T/c.pcap" -X
expect_stdout "-X: the hex view" '^   0004  0b +ALEN'

# Many sessions: the table; selections.
"$PY" "$GEN" many -o "$T/many.pcap" >/dev/null
sc -- decode -r "$T/many.pcap"
expect_stdout "the table's header" '^# +time +client +proxy +ver +command +user +target'
expect_stdout "a SOCKS4 refusal row" '^2 .* 4 +CONNECT +bob +93\.184\.216\.34:80 +client +0\.0\.0\.0:0 +0 +0 +[0-9.]+  refused: CD 0x5b request rejected or failed$'
sc -- decode -r "$T/many.pcap" --outcome refused
expect_stdout "--outcome refused: the conversation" '^session 2: '
expect_no_stdout "--outcome refused: only that one" '^session [13]:'
sc -- decode -r "$T/many.pcap" --session 3 -v
expect_stdout "--session 3" '^  outcome: no acceptable method: METHOD 0xff'
sc -- decode -r "$T/many.pcap" --client 10.0.0.1:40001 --sessions
expect_stdout "--client ADDR:PORT" '^2 '
expect_no_stdout "--client ADDR:PORT: no other" '^[13] '
sc -- decode -r "$T/many.pcap" --client 10.0.0.9
expect_rc "--client that matches nothing" 0
expect_err "--client that matches nothing: said" 'no SOCKS session selected \(3 found; none matches the selection: --session, --client, --outcome\)'
sc -- decode -r - --sessions <"$T/many.pcap"
sc --in "$T/many.pcap" -- decode -r - --sessions
expect_stdout "standard input" '^3 '
sc -- decode -r "$T/many.pcap" --sessions 'tcp port 40001'
expect_stdout "a BPF filter" '^1 .*10\.0\.0\.1:40001 '
expect_no_stdout "a BPF filter: nothing else" '40000|40002'
sc -- decode -r "$T/many.pcap" -c 2 --sessions
expect_no_stdout "-c 2" '^3 '

# A reader that goes away after the first line: an orderly end.
"$SOCKSCOPE" decode -r "$T/many.pcap" -j 2>"$T/pipe.err" | head -n 1 >"$T/pipe.out"
rc=${PIPESTATUS[0]}
if [ "$rc" = 0 ] && [ ! -s "$T/pipe.err" ] && grep -q '"session": 1' "$T/pipe.out"; then
	ok "-j | head -n 1: exit 0, nothing said"
else
	fail "-j | head -n 1: exit $rc, stderr $(cat "$T/pipe.err")"
fi

# Another port, and sniffing.
sc -- decode -r "$T/c.pcap" --port 3128
expect_err "not on --port 3128" 'no SOCKS session \([0-9]+ packets read'
sc -- decode -r "$T/c.pcap" --port 3128 --sniff --sessions
expect_stdout "--sniff finds it" '^1 .*example\.com:80'

# Secrets.
"$PY" "$GEN" auth -o "$T/auth.pcap" >/dev/null
for view in "" -X -j; do
	sc -- decode -r "$T/auth.pcap" $view
	expect_no_stdout "password masked ($view)" 's3cr3t|733363723374'
done
sc -- decode -r "$T/auth.pcap" -v --show-secrets
expect_stdout "--show-secrets" 'PASSWD "s3cr3t"'

# Gaps and cuts in the conversation.
"$PY" "$GEN" gap -o "$T/gap.pcap" >/dev/null
sc -- decode -r "$T/gap.pcap"
expect_stdout "the gap" "gap of 10 bytes in the client's stream at byte 3 \(acknowledged by the other side but not in the capture\): decoding stops"
expect_no_stdout "no reply after the gap" 'SOCKS5 reply'
"$PY" "$GEN" snaplen -o "$T/snap.pcap" >/dev/null
sc -- decode -r "$T/snap.pcap"
expect_stdout "the snap length" 'gap of 254 bytes .*\(cut by the snap length\): tunnel data, counted on'
"$PY" "$GEN" partial -o "$T/partial.pcap" >/dev/null
sc -- decode -r "$T/partial.pcap"
expect_stdout "partial" 'joined in its middle'
expect_no_stdout "partial: no violation made up" 'violation|malformed'

# A segment sent again with other bytes: said where, the first copy kept;
# one sent again unchanged: not said.
"$PY" "$GEN" resend-differs -o "$T/resend.pcap" >/dev/null
sc -- decode -r "$T/resend.pcap"
expect_stdout "a resend that differs" "^  \+0\.[0-9]+ <- anomaly: resent bytes differ from the first copy: 1 byte at offset 0x0003 of the server's stream; the first copy is kept$"
expect_stdout "the first copy decoded" '<- SOCKS5 reply: REP 0x00 succeeded'
expect_no_stdout "an equal resend is not said" "the client's stream; the first copy"
sc -- decode -r "$T/resend.pcap" --sessions
expect_stdout "the row counts it" '^1 .*  granted \(1 resend differs\)$'
sc -- decode -r "$T/resend.pcap" -j
expect_stdout "JSON: the event" '"event": "resend_differs", "side": "server", "offset": 3, "length": 1'

# Files that are no good capture: the file named, exit 2.
for bad in truncated bad-magic empty unknown-link; do
	"$PY" "$GEN" "$bad" -o "$T/$bad.pcap"
	sc -- decode -r "$T/$bad.pcap"
	expect_rc "$bad file" 2
	expect_err "$bad file: named" "^sockscope: $T/$bad\\.pcap: "
	if [ "$bad" = truncated ]; then
		expect_stdout "truncated: the session before the cut" '^session 1: '
	else
		expect_no_stdout "$bad file: nothing decoded" .
	fi
done
sc -- decode -r "$T/nonexistent.pcap"
expect_rc "no such file" 2
expect_err "no such file: said" 'nonexistent\.pcap: .*No such file'

# Usage.
for args in "-r" "-r $T/c.pcap -i lo" "-r $T/c.pcap --port 0" "-r $T/c.pcap --port x" \
	"-r $T/c.pcap --outcome fine" "-r $T/c.pcap -j --sessions" "-r $T/c.pcap -j -v" \
	"-r $T/c.pcap --session 0" "-r $T/c.pcap -c x" "-r $T/c.pcap --bogus" \
	"-r $T/c.pcap tcp port"; do
	# shellcheck disable=SC2086
	sc -- decode $args
	expect_rc "usage: decode $args" 2
done
expect_err "a filter that does not compile: named" "^sockscope: filter 'tcp port': "
finish
