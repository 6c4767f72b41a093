#!/usr/bin/env bash
# Tor's RESOLVE (CMD F0) and RESOLVE_PTR (F1) against badserver.py: the
# answer on stdout, what went on the wire, every refusal code named (Tor's
# onion-service codes F0-F7 with their meaning), SOCKS4a's RESOLVE, and the
# operands the client must refuse before sending anything.
. "$(dirname "$0")/lib.sh"
need_sockscope

# res SCENARIO [SCHEME] -- CLIENT ARGS...: start the scenario, run the client.
res() {
	local scenario=$1 scheme=socks5
	shift
	[ "$1" != -- ] && { scheme=$1; shift; }
	shift
	start_badserver "$scenario"
	sc --timeout 10 -- -w 5 -x "$scheme://127.0.0.1:$BAD_PORT" "$@"
}

name_hex=$(printf 'example.test' | od -An -tx1 | tr -d ' \n')

# ---- RESOLVE: an IPv4 and an IPv6 answer; the name goes to the proxy
# whether the scheme is socks5 or socks5h.
for scheme in socks5 socks5h; do
	res resolve-v4 "$scheme" -- resolve example.test
	expect_rc "resolve-v4 $scheme" 0 && expect_out "resolve-v4 $scheme" "192.0.2.33"$'\n'
	expect_log "resolve-v4 $scheme: RESOLVE with the name" "REQUEST5 cmd=f0 atyp=03 addr=$name_hex "
done
res resolve-v6 -- resolve example.test
expect_rc resolve-v6 0 && expect_out resolve-v6 "2001:db8::5"$'\n'
res resolve-rep-00 -- resolve example.test
expect_rc resolve-rep-00 0 && expect_out resolve-rep-00 "192.0.2.33"$'\n'

# A name in a RESOLVE answer answers no question asked: exit 4, nothing on
# stdout (t-oneshot-lies has RESOLVE_PTR answered with an address).
res resolve-ptr -- resolve example.test
expect_rc "RESOLVE answered with a name" 4 && expect_out "RESOLVE answered with a name" ""
expect_err "RESOLVE answered with a name: the field" 'ATYP 0x03 at offset 3: RESOLVE answered with a name.*BND\.ADDR holds the name'

# -j: the answer in the summary (stderr; stdout has the answer itself).
res resolve-v4 -- -j resolve example.test
expect_rc "resolve -j" 0 && expect_out "resolve -j: stdout is the answer" "192.0.2.33"$'\n'
expect_err "resolve -j: JSON answer" '"answer":"192\.0\.2\.33'

# ---- refusals: exit 1, the code and its meaning
meaning() {
	case $1 in
	01) echo '[Gg]eneral' ;; 04) echo '[Hh]ost unreachable' ;; 07) echo '[Cc]ommand not supported' ;;
	f0) echo 'onion service descriptor not found \(Tor\)' ;;
	f1) echo 'onion service descriptor invalid \(Tor\)' ;;
	f2) echo 'onion service introduction failed \(Tor\)' ;;
	f3) echo 'onion service rendezvous failed \(Tor\)' ;;
	f4) echo 'onion service missing client authorization \(Tor\)' ;;
	f5) echo 'onion service wrong client authorization \(Tor\)' ;;
	f6) echo 'onion service invalid address \(Tor\)' ;;
	f7) echo 'onion service introduction timed out \(Tor\)' ;;
	esac
}
for x in 01 04 07 f0 f1 f2 f3 f4 f5 f6 f7; do
	res "resolve-rep-$x" -- resolve example.test
	expect_rc "resolve-rep-$x" 1 && expect_err "resolve-rep-$x: named" "REP 0x$x $(meaning "$x")"
	expect_out "resolve-rep-$x: nothing on stdout" ""
	expect_secs_lt "resolve-rep-$x" 4
done
# An unassigned code is named as such, not given a meaning it lacks.
res resolve-rep-f8 -- resolve example.test
expect_rc resolve-rep-f8 1 && expect_err resolve-rep-f8 'REP 0xf8'
if grep -q '(Tor)' "$SC_ERR"; then
	fail "resolve-rep-f8: 0xf8 given a Tor meaning: $(cat "$SC_ERR")"
else
	ok "resolve-rep-f8: no Tor meaning for 0xf8"
fi

# Tor sends its RESOLVE and RESOLVE_PTR errors with ATYP 00 (`05 04 00 00`
# and six zero bytes; see t-tor.sh).  The server refused: exit 1 and its
# code, whatever it put after REP.
for cmd in "resolve example.test" "resolve-ptr 127.0.0.1"; do
	read -ra words <<<"$cmd"
	res resolve-tor-err-04 -- "${words[@]}"
	expect_rc "Tor's error reply (ATYP 00) to $cmd" 1
	expect_err "Tor's error reply (ATYP 00) to $cmd: the code named" 'REP 0x04 host unreachable'
	expect_secs_lt "Tor's error reply (ATYP 00) to $cmd" 4
done

# ---- RESOLVE_PTR: an address out, a name back
res resolve-ptr -- resolve-ptr 127.0.0.1
expect_rc "resolve-ptr 127.0.0.1" 0 && expect_out "resolve-ptr 127.0.0.1" "ptr.example.test"$'\n'
expect_log "resolve-ptr 127.0.0.1: RESOLVE_PTR with the IPv4 address" \
	'REQUEST5 cmd=f1 atyp=01 addr=127\.0\.0\.1 '
res resolve-ptr -- resolve-ptr ::1
expect_rc "resolve-ptr ::1" 0 && expect_out "resolve-ptr ::1" "ptr.example.test"$'\n'
expect_log "resolve-ptr ::1: RESOLVE_PTR with the IPv6 address" 'REQUEST5 cmd=f1 atyp=04 addr=::1 '
res resolve-rep-f6 -- resolve-ptr 127.0.0.1
expect_rc "resolve-ptr refused" 1 && expect_err "resolve-ptr refused" 'REP 0xf6 onion service invalid address'

# ---- SOCKS4a RESOLVE: CD F0, DSTIP 0.0.0.1, the name after the USERID
res s4-resolve socks4a -- resolve example.test
expect_rc "socks4a resolve" 0 && expect_out "socks4a resolve" "192.0.2.44"$'\n'
expect_log "socks4a resolve: CD F0 with the name" "REQUEST4 cd=f0 port=0 ip=0\.0\.0\.1 userid=[0-9a-f]* host=$name_hex"
res s4-rep-5b socks4a -- resolve example.test
expect_rc "socks4a resolve refused" 1 && expect_err "socks4a resolve refused" 'CD 0x5[bB]'

# ---- operands refused before anything is sent
res resolve-v4 -- resolve 1.2.3.4
expect_rc "resolve an address" 2 && expect_err "resolve an address" 'RESOLVE takes a name'
nothing_sent "resolve an address"
res resolve-ptr -- resolve-ptr example.test
expect_rc "resolve-ptr a name" 2 && expect_err "resolve-ptr a name" 'RESOLVE_PTR takes an address'
nothing_sent "resolve-ptr a name"
res s4-resolve socks4 -- resolve example.test
expect_rc "resolve over plain socks4" 2 && expect_err "resolve over plain socks4" 'socks4a'
nothing_sent "resolve over plain socks4"
res s4-resolve socks4a -- resolve-ptr 127.0.0.1
expect_rc "resolve-ptr over socks4a" 2 && expect_err "resolve-ptr over socks4a" 'SOCKS5'
nothing_sent "resolve-ptr over socks4a"
res resolve-v4 -- resolve
expect_rc "resolve without a name" 2
res resolve-v4 -- resolve a.example b.example
expect_rc "resolve with two names" 2

finish
