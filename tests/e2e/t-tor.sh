#!/usr/bin/env bash
# Tor's SOCKS port, in a private network namespace (only a loopback that
# this test brings up), so tor cannot reach the network and never
# bootstraps.  What such a tor still answers at once, without a circuit:
#
#   - RESOLVE_PTR of 127.0.0.1: refused (ClientDNSRejectInternalAddresses,
#     on by default), REP 04 host unreachable.  Tor sends its RESOLVE
#     errors as `05 04 00 00` and six zero bytes: ATYP 00, a type RFC 1928
#     does not have.  The refusal is still the server's answer: the client
#     is expected to exit 1 and name REP 0x04 (badserver's resolve-tor-err-XX
#     reproduces this reply for t-resolve).
#   - CONNECT to a malformed .onion name: refused before any circuit, REP F6
#     "onion service invalid address" on a SocksPort with ExtendedErrors,
#     REP 01 on one without; SOCKS4a: CD 5B.
#   - BIND and UDP ASSOCIATE: REP 07 command not supported.
#
# What it cannot answer: RESOLVE of a name (and RESOLVE_PTR of a public
# address) waits for a circuit that never comes, until tor's SocksTimeout
# (2 minutes); the client's -w bounds that wait (exit 5).
#
# Skipped when tor is not installed or namespaces are not permitted.

. "$(dirname "$0")/lib_netns.sh"
enter_netns tor "$@"

. "$(dirname "$0")/lib.sh"
need_sockscope
need_cmd tor
netns_lo_up
start_tor
TOR=127.0.0.1:$TOR_PORT

# RESOLVE_PTR of a loopback address: refused at once.
sc --timeout 15 -- -w 5 -x "socks5h://$TOR" resolve-ptr 127.0.0.1
expect_rc "tor RESOLVE_PTR 127.0.0.1: refused" 1
expect_err "tor RESOLVE_PTR 127.0.0.1: the code named" 'REP 0x04 host unreachable'
expect_out "tor RESOLVE_PTR 127.0.0.1: no answer on stdout" ""
expect_secs_lt "tor RESOLVE_PTR 127.0.0.1: at once" 5
sc --timeout 15 -- -w 5 -x "socks5h://$TOR" resolve-ptr ::1
expect_rc "tor RESOLVE_PTR ::1: refused" 1
expect_err "tor RESOLVE_PTR ::1: the code named" 'REP 0x04 host unreachable'

# A malformed onion name: F6 with ExtendedErrors, 01 without.
for onion in aaaa.onion "$(printf 'z%.0s' $(seq 56)).onion"; do
	sc --timeout 15 -- -w 5 -x "socks5h://$TOR" "$onion" 80
	expect_rc "tor CONNECT $onion (ExtendedErrors)" 1
	expect_err "tor CONNECT $onion: F6 named" 'REP 0xf6 onion service invalid address \(Tor\)'
	expect_secs_lt "tor CONNECT $onion: at once" 5
done
sc --timeout 15 -- -w 5 -x "socks5h://127.0.0.1:$TOR_PLAIN_PORT" aaaa.onion 80
expect_rc "tor CONNECT aaaa.onion (no ExtendedErrors)" 1
expect_err "tor CONNECT aaaa.onion (no ExtendedErrors): REP 01" 'REP 0x01 general'
sc --timeout 15 -- -w 5 -x "socks4a://$TOR" aaaa.onion 80
expect_rc "tor SOCKS4a CONNECT aaaa.onion" 1 && expect_err "tor SOCKS4a CONNECT aaaa.onion" 'CD 0x5[bB]'

# BIND and UDP ASSOCIATE: not supported.
sc --timeout 15 -- -w 5 -x "socks5h://$TOR" bind 127.0.0.1 0
expect_rc "tor BIND" 1 && expect_err "tor BIND" 'REP 0x07 command not supported'
sc --timeout 15 --in-str "x"$'\n' -- -w 5 -x "socks5h://$TOR" udp 127.0.0.1 9
expect_rc "tor UDP ASSOCIATE" 1 && expect_err "tor UDP ASSOCIATE" 'REP 0x07 command not supported'

# RESOLVE of a name: no circuit, no answer; -w bounds the wait.
sc --timeout 15 -- -w 2 -x "socks5h://$TOR" resolve example.org
expect_rc "tor RESOLVE without a network: -w 2" 5
expect_err "tor RESOLVE without a network: the phase named" '[Tt]imed out.*request'
expect_secs_lt "tor RESOLVE without a network: bounded by -w 2" 5

if alive "$TOR_PID"; then
	ok "tor still running at the end"
else
	fail "tor died: $(tail -n 5 "$T/tor.log")"
fi
finish
