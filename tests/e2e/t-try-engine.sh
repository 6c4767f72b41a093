#!/usr/bin/env bash
# The capture reader tried as its users and an attacker would: resends that
# differ (and what only looks like one: a keep-alive), what cannot be
# compared, and captures of real tools through real proxies, which must
# show no resend that differs.
. "$(dirname "$0")/lib.sh"
need_sockscope
GEN="$E2E_DIR/pcapgen.py"

# A keep-alive carries one byte below the next sequence number, any byte
# (Windows sends a zero): not a resend that differs, as tshark says too.
"$PY" "$GEN" keepalive -o "$T/ka.pcap" >/dev/null || die "pcapgen keepalive"
sc -- decode -r "$T/ka.pcap" -v
expect_rc "keep-alives: exit 0" 0
expect_no_stdout "keep-alives: no resend line" "resent bytes differ"
expect_stdout "keep-alives: the tunnel counted once" \
	"^  tunnel: 5 bytes from the client, 12 from the server"
sc -- decode -r "$T/ka.pcap" -j
expect_stdout "keep-alives: JSON resends_differ 0" '"resends_differ": 0'
if have tshark; then
	n=$(tshark -r "$T/ka.pcap" -Y tcp.analysis.keep_alive 2>/dev/null | wc -l)
	if [ "$n" -ge 4 ]; then ok "tshark reads them as keep-alives ($n)"; else
		fail "tshark: $n keep-alives"; fi
fi

finish
