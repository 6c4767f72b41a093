#!/usr/bin/env bash
# The connect verb through OpenSSH's dynamic forwarding (ssh -D): SOCKS4,
# SOCKS4a (sshd resolves the name), SOCKS5 and SOCKS5h.
. "$(dirname "$0")/lib.sh"
need_sockscope
start_echo
start_sshd_socks
S=127.0.0.1:$SSH_SOCKS_PORT

for scheme in socks4 socks4a socks5 socks5h; do
	line="$scheme via ssh -D $$"
	sc --in-str "$line"$'\n' -- -x "$scheme://$S" 127.0.0.1 "$ECHO_PORT"
	expect_rc "$scheme 127.0.0.1" 0 && expect_out "$scheme 127.0.0.1" "$line"$'\n'
done

# Names: socks4a and socks5h send the name to the proxy, socks4 and socks5
# resolve it in the client.  All four must reach the echo service.
for scheme in socks4 socks4a socks5 socks5h; do
	sc --in-str "named"$'\n' -- -x "$scheme://$S" localhost "$ECHO_PORT"
	expect_rc "$scheme localhost" 0 && expect_out "$scheme localhost" "named"$'\n'
done

# A megabyte both ways.
"$PY" "$E2E_DIR/netsvc.py" gen --size 1M --seed 6 >"$T/mb"
sc --in "$T/mb" -- -x "socks5://$S" 127.0.0.1 "$ECHO_PORT"
expect_rc "1 MiB echo" 0 && expect_out_sum "1 MiB echo" "$(pattern_sum 1M 6)"

finish
