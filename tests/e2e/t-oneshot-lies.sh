#!/usr/bin/env bash
# One-shot runs that used to tell a lie of their own:
#  - a SOCKS4/4a DSTIP of 0.0.0.x (x != 0) is SOCKS4a's "a HOSTNAME follows"
#    marker: sending it without a name leaves a SOCKS4a server waiting, so it
#    is refused before anything is sent (exit 2);
#  - a RESOLVE answered with a name, or a RESOLVE_PTR answered with an
#    address, is not an answer: a protocol violation (exit 4), nothing on
#    stdout;
#  - in a chain, -v's "connected to the proxy at" names hop 1, the address
#    really reached, not the last hop.
. "$(dirname "$0")/lib.sh"
need_sockscope

# ---- 1. DSTIP 0.0.0.x, x != 0, without a HOSTNAME
for scheme in socks4 socks4a; do
	for target in "0.0.0.7 80" "0.0.0.1:80" "0.0.0.255 80"; do
		read -ra words <<<"$target"
		start_badserver ok4
		sc --timeout 10 -- -w 3 -x "$scheme://127.0.0.1:$BAD_PORT" "${words[@]}"
		what="$scheme to $target"
		expect_rc "$what" 2
		expect_err "$what: DSTIP named" 'DSTIP 0\.0\.0\.[0-9]+'
		expect_err "$what: why" "SOCKS4a's marker"
		expect_out "$what: nothing on stdout" ""
		nothing_sent "$what"
	done
done
# The same as the last hop of a chain: refused before hop 1 is reached.
start_badserver ok5
sc --timeout 10 -- -w 3 -x "socks5://127.0.0.1:$BAD_PORT" -x "socks4://127.0.0.1:9" 0.0.0.7 80
expect_rc "chain, socks4 last hop to 0.0.0.7" 2
expect_err "chain, socks4 last hop to 0.0.0.7: hop and DSTIP named" 'hop 2 .*DSTIP 0\.0\.0\.7'
nothing_sent "chain, socks4 last hop to 0.0.0.7"
# 0.0.0.0 is no marker: it goes as given.
start_badserver ok4
sc --timeout 10 -- -w 3 -z -x "socks4://127.0.0.1:$BAD_PORT" 0.0.0.0 80
expect_rc "socks4 to 0.0.0.0 (no marker)" 0

# ---- 2. Tor answers of the wrong kind
start_badserver resolve-v4
sc --timeout 10 -- -w 3 -x "socks5h://127.0.0.1:$BAD_PORT" resolve-ptr 192.0.2.1
expect_rc "RESOLVE_PTR answered with an address" 4
expect_out "RESOLVE_PTR answered with an address: nothing on stdout" ""
expect_err "RESOLVE_PTR answered with an address: phase, fields, expectation" \
	'request phase: ATYP 0x01 at offset 3: RESOLVE_PTR answered with an address; expected ATYP 0x03 \(a name\); BND\.ADDR holds the address 192\.0\.2\.33'

start_badserver resolve-ptr
sc --timeout 10 -- -w 3 -x "socks5h://127.0.0.1:$BAD_PORT" resolve example.test
expect_rc "RESOLVE answered with a name" 4
expect_out "RESOLVE answered with a name: nothing on stdout" ""
expect_err "RESOLVE answered with a name: phase, fields, expectation" \
	'request phase: ATYP 0x03 at offset 3: RESOLVE answered with a name; expected ATYP 0x01 or 0x04 \(an address\); BND\.ADDR holds the name "ptr\.example\.test"'

# -j: the outcome is the violation, and no bogus answer is given.
start_badserver resolve-ptr
sc --timeout 10 -- -w 3 -j -x "socks5h://127.0.0.1:$BAD_PORT" resolve example.test
expect_rc "RESOLVE answered with a name, -j" 4
expect_out "RESOLVE answered with a name, -j: nothing on stdout" ""
expect_err "RESOLVE answered with a name, -j: outcome" '"outcome":"protocol-violation"'
if grep -q '"answer"' "$SC_ERR"; then
	fail "RESOLVE answered with a name, -j: the JSON still gives an answer"
else
	ok "RESOLVE answered with a name, -j: no answer in the JSON"
fi

# ---- 3. a chain's -v names hop 1 as reached
start_echo
start_microsocks
start_danted none
# Hop 2 is given by name (resolved here, -4: 127.0.0.1), hop 1 by address:
# the note must name hop 1 with hop 1's port, not hop 2's name.
sc --timeout 15 -- -4 -v -z -w 5 -x "socks5://127.0.0.1:$MS_PORT" -x "socks5://localhost:$DANTED_PORT" \
	127.0.0.1 "$ECHO_PORT"
expect_rc "chain -v -z" 0
expect_err "chain -v: hop 1 named as reached" "^\\* hop 1: connected to the proxy at 127\\.0\\.0\\.1:$MS_PORT\$"
if grep -q 'connected to the proxy at localhost' "$SC_ERR"; then
	fail "chain -v: the last hop's name given for hop 1"
else
	ok "chain -v: the last hop's name not given for hop 1"
fi
sc --timeout 15 -- -4 -j -z -w 5 -x "socks5://127.0.0.1:$MS_PORT" -x "socks5://localhost:$DANTED_PORT" \
	127.0.0.1 "$ECHO_PORT"
expect_rc "chain -j -z" 0
if grep -q "\"hop\":1,\"text\":\"connected to the proxy at 127\\.0\\.0\\.1:$MS_PORT\"" "$SC_OUT" "$SC_ERR"; then
	ok "chain -j: the note names hop 1 as reached"
else
	fail "chain -j: no note naming 127.0.0.1:$MS_PORT: $(grep -o '"notes":[^]]*]' "$SC_OUT" "$SC_ERR")"
fi

finish
