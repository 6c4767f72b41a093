#!/usr/bin/env bash
# decode of tshark text dumps tried as a user and as an attacker would:
# each case here is a defect found by trying the built program, and
# fails without its fix.
. "$(dirname "$0")/lib.sh"
need_sockscope
need_cmd tshark
GEN="$E2E_DIR/pcapgen.py"
TOOL="$E2E_DIR/dumptool.py"

# same WHAT WANT: the JSON sessions of the last run, times aside, as WANT's.
same() {
	"$PY" "$TOOL" norm "$SC_OUT" >"$T/got"
	if [ -s "$T/got" ] && cmp -s "$2" "$T/got"; then
		ok "$1: the same $(wc -l <"$T/got") session(s) as the capture"
	else
		fail "$1: not the capture's sessions"
		diff "$2" "$T/got" | head -c 1500 | sed 's/^/       | /'
	fi
}

# A UDP association's datagrams in a tshark -x dump are linked to their
# session as they are in the capture (frame_parse read TCP only: the
# datagrams were "no TCP frame" and the session showed none).
for v in 4 6; do
	flag=; [ "$v" = 6 ] && flag=--ipv6
	"$PY" "$GEN" udp $flag -o "$T/udp$v.pcap" >/dev/null || die "pcapgen udp $flag"
	sc -- decode -r "$T/udp$v.pcap" -j
	expect_rc "udp IPv$v: the capture" 0
	"$PY" "$TOOL" norm "$SC_OUT" >"$T/want-udp$v"
	tshark -r "$T/udp$v.pcap" -x >"$T/udp$v.txt" 2>/dev/null
	sc -- decode -r "$T/udp$v.txt" -j
	expect_rc "udp IPv$v: its tshark -x dump" 0
	same "udp IPv$v: the dump's datagrams linked" "$T/want-udp$v"
	sc -- decode -r "$T/udp$v.txt"
	expect_rc "udp IPv$v: the dump's conversation" 0
	grep -q "IPv$v, TCP and UDP headers read" "$SC_OUT" "$SC_ERR" &&
		ok "udp IPv$v: UDP headers read, said" || fail "udp IPv$v: UDP headers read, not said"
	# (pcapgen's IPv6 reply names an IPv4 relay: no datagram is linked
	# in its capture either)
	n=$(grep -c 'SOCKS5 UDP datagram' "$SC_OUT")
	want=4; [ "$v" = 6 ] && want=0
	[ "$n" = "$want" ] && ok "udp IPv$v: $want datagrams shown, as in the capture" ||
		fail "udp IPv$v: $n datagrams shown, $want expected"
	# one side of it: the datagrams are said to be skipped, not "no TCP frame"
	sc --in "$T/udp$v.txt" -- decode --client
	expect_rc "udp IPv$v: decode --client of the dump" 0
	grep -q '5 UDP datagrams skipped' "$SC_OUT" "$SC_ERR" &&
		ok "udp IPv$v: decode --client says the datagrams were skipped" ||
		fail "udp IPv$v: decode --client does not say the datagrams were skipped" 
done

# tshark's other follow forms (ascii, raw) and UDP's follow: a message that
# names the form and the one decode reads, exit 2 (ascii was "bad hex at
# line 2, column 1: '='"; UDP's follow was read as a TCP stream).
for form in tcp,ascii tcp,raw udp,hex; do
	tshark -r "$T/udp4.pcap" -q -z "follow,$form,0" >"$T/follow.txt" 2>/dev/null
	sc -- decode -r "$T/follow.txt"
	expect_rc "follow,$form: decode -r" 2
	expect_err "follow,$form: decode -r names the form" \
		"follow\\.txt: .*tshark follow,$form output is not read: give the output of tshark -q -z follow,tcp,hex,N"
	sc --in "$T/follow.txt" -- decode
	expect_rc "follow,$form: decode" 2
	expect_err "follow,$form: decode names the form" \
		"^sockscope: tshark follow,$form output is not read"
	[ -s "$SC_OUT" ] && fail "follow,$form: something decoded" || ok "follow,$form: nothing decoded"
done

finish
