#!/usr/bin/env bash
# The connect verb through microsocks, with and without -u/-P.
. "$(dirname "$0")/lib.sh"
need_sockscope
start_echo

start_microsocks
M=127.0.0.1:$MS_PORT
# microsocks closes both directions as soon as one side ends, so stdin stays
# open (--hold) until the echo is back; otherwise the echo may be lost in
# microsocks, not in the client.
line="through microsocks $$"
sc --hold 0.5 --in-str "$line"$'\n' -- -x "socks5://$M" 127.0.0.1 "$ECHO_PORT"
expect_rc "socks5, no auth" 0 && expect_out "socks5, no auth" "$line"$'\n'

sc --hold 0.5 --in-str "h"$'\n' -- -x "socks5h://$M" localhost "$ECHO_PORT"
expect_rc "socks5h, name resolved by microsocks" 0 && expect_out "socks5h localhost" "h"$'\n'

# Default scheme (socks5h) and an explicit port on a bare host.
sc --hold 0.5 --in-str "bare"$'\n' -- -x "$M" 127.0.0.1 "$ECHO_PORT"
expect_rc "no scheme means socks5h" 0 && expect_out "no scheme" "bare"$'\n'

# microsocks speaks no SOCKS4: it answers 05 FF to a SOCKS4 request.  For a
# SOCKS4 client that is a reply with the wrong version, cut short.
sc -- -x "socks4://$M" 127.0.0.1 "$ECHO_PORT"
expect_rc "socks4 to a SOCKS5-only server" 4 && expect_err "socks4 to a SOCKS5-only server" 'VN'

start_microsocks -u alice -P "s3cret-$$"
MA=127.0.0.1:$MS_PORT
sc --hold 0.5 --in-str "authed"$'\n' -- -x "socks5://$MA" -U "alice:s3cret-$$" 127.0.0.1 "$ECHO_PORT"
expect_rc "user/pass accepted" 0 && expect_out "user/pass accepted" "authed"$'\n'

sc --hold 0.5 --in-str "authed"$'\n' -- -x "socks5://alice:s3cret-$$@$MA" 127.0.0.1 "$ECHO_PORT"
expect_rc "user:pass@ in the URL" 0 && expect_out "user:pass@ in the URL" "authed"$'\n'

sc -- -x "socks5://$MA" -U "alice:wrong" 127.0.0.1 "$ECHO_PORT"
expect_rc "wrong password" 6

sc -- -x "socks5://$MA" 127.0.0.1 "$ECHO_PORT"
expect_rc "no credentials: no acceptable method" 6 && expect_err "no acceptable method" '[Mm][Ee][Tt][Hh][Oo][Dd]'

finish
