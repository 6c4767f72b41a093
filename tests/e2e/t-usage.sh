#!/usr/bin/env bash
# Bad input is refused with exit 2 before anything is sent: the proxy (a
# silent badserver that logs every connection) sees no connection at all.
. "$(dirname "$0")/lib.sh"
need_sockscope
start_badserver silent --count 0 --lifetime 110
P=127.0.0.1:$BAD_PORT

accepts() { grep -c ACCEPT "$BAD_LOG"; }

# refused WHAT ARGS...: exit 2, something on stderr, no connection made.
refused() {
	local what=$1 before
	shift
	before=$(accepts)
	sc --timeout 10 -- -w 2 "$@"
	expect_rc "$what" 2 && expect_err "$what: says why" '.'
	sleep 0.1
	if [ "$(accepts)" = "$before" ]; then ok "$what: nothing sent"; else
		fail "$what: the client connected to the proxy"
		tail -n 5 "$BAD_LOG" | sed 's/^/       | /'
	fi
}

for scheme in socks5 socks5h socks4; do
	refused "$scheme target 1.2.3" -x "$scheme://$P" 1.2.3 80
	refused "$scheme target 256.1.1.1" -x "$scheme://$P" 256.1.1.1 80
done
for scheme in socks5 socks5h; do
	refused "$scheme target fe80::1%eth0" -x "$scheme://$P" 'fe80::1%eth0' 80
done
refused "socks4 target ::1 (SOCKS4 carries IPv4 only)" -x "socks4://$P" ::1 80
# -6 cannot be honoured for SOCKS4 (IPv4 only): refused, not ignored.
refused "-6 with socks4:// and a name" -6 -x "socks4://$P" localhost 80
expect_err "-6 with socks4: says why" '^sockscope: -6: SOCKS4 carries only IPv4 addresses'
refused "-4 and -6 together" -4 -6 -x "socks5://$P" 127.0.0.1 80
expect_err "-4 -6: says why" '^sockscope: -4 and -6 exclude each other'
refused "port 80x" -x "socks5://$P" 127.0.0.1 80x
refused "port 65536" -x "socks5://$P" 127.0.0.1 65536
refused "port -1" -x "socks5://$P" 127.0.0.1 -1
refused "HOST:PORT with port 80x" -x "socks5://$P" 127.0.0.1:80x
refused "no port" -x "socks5://$P" 127.0.0.1

name=$(printf 'a%.0s' $(seq 59)).$(printf 'b%.0s' $(seq 59)).$(printf 'c%.0s' $(seq 59)).$(printf 'd%.0s' $(seq 59)).$(printf 'e%.0s' $(seq 60))
[ ${#name} = 300 ] || die "test name is ${#name} bytes"
refused "socks5h, a 300-byte name" -x "socks5h://$P" "$name" 80
expect_err "300-byte name: the field is named" 'DST\.ADDR|[Nn]ame|255'

long=$(printf 'u%.0s' $(seq 256))
refused "a 256-byte user name (ULEN is one byte)" -x "socks5://$P" -U "$long:pw" 127.0.0.1 80

refused "unknown scheme" -x "socks6://$P" 127.0.0.1 80
refused "proxy port 99999" -x "socks5://127.0.0.1:99999" 127.0.0.1 80
refused "unknown option" --no-such-option -x "socks5://$P" 127.0.0.1 80
# A -x with no value after the operands: the operands stay operands (a scan
# that moved them would make HOST the proxy and PORT the target), with and
# without -j, whose look for -j happens before the real scan.
refused "-x with no value after HOST PORT" -x "socks5://$P" 127.0.0.1 80 -x
expect_err "-x with no value: named" "option '-x' needs a value"
refused "-j, -x with no value after HOST PORT" -j -x "socks5://$P" 127.0.0.1 80 -x
expect_err "-j, -x with no value: named" '"error":"option .-x. needs a value"'

finish
