#!/usr/bin/env bash
# The connect verb through dante (danted) to a loopback echo service:
# SOCKS5 and SOCKS4 without authentication, SOCKS5 with a system user's
# name and password, and SOCKS4a refused (dante treats 0.0.0.x literally).
. "$(dirname "$0")/lib.sh"
need_sockscope
start_echo
start_danted none
D=127.0.0.1:$DANTED_PORT

line="one line through danted, exactly $$"
for scheme in socks5 socks5h socks4; do
	sc --in-str "$line"$'\n' -- -x "$scheme://$D" 127.0.0.1 "$ECHO_PORT"
	expect_rc "$scheme echo" 0 && expect_out "$scheme echo" "$line"$'\n'
done

# The `connect` verb word is optional, and HOST:PORT is accepted too.
sc --in-str "verb"$'\n' -- -x "socks5://$D" connect "127.0.0.1:$ECHO_PORT"
expect_rc "connect HOST:PORT" 0 && expect_out "connect HOST:PORT" "verb"$'\n'

# A megabyte of binary data both ways through the echo.
"$PY" "$E2E_DIR/netsvc.py" gen --size 1M --seed 5 >"$T/mb"
sc --in "$T/mb" -- -x "socks5://$D" 127.0.0.1 "$ECHO_PORT"
expect_rc "1 MiB echo" 0 && expect_out_sum "1 MiB echo" "$(pattern_sum 1M 5)"

# socks4 with a name: the client resolves it (localhost is in /etc/hosts).
sc --in-str "named"$'\n' -- -x "socks4://$D" localhost "$ECHO_PORT"
expect_rc "socks4 localhost" 0 && expect_out "socks4 localhost" "named"$'\n'

# socks4a sends the name; dante does not speak 4a and answers 91 (0x5b).
sc --in-str "x"$'\n' -- -x "socks4a://$D" localhost "$ECHO_PORT"
expect_rc "socks4a refused by dante" 1 && expect_err "socks4a refused by dante" '5[bB]|91|[Rr]ejected'
expect_out "socks4a refused: no tunnel data" ""

# A port nobody listens on behind the proxy: dante answers "connection
# refused" (REP 05), which is the server refusing the request.
closed=$(free_port)
sc -- -w 5 -x "socks5://$D" 127.0.0.1 "$closed"
expect_rc "socks5 to a closed port" 1 && expect_err "socks5 to a closed port" '[Rr]efused'

# Username/password against system users.
make_test_user
start_danted username
DU=127.0.0.1:$DANTED_PORT
sc --in-str "authenticated"$'\n' -- -x "socks5://$DU" -U "$TEST_USER:$TEST_PASS" 127.0.0.1 "$ECHO_PORT"
expect_rc "username method, -U" 0 && expect_out "username method, -U" "authenticated"$'\n'

sc --in-str "url"$'\n' -- -x "socks5://$TEST_USER:$TEST_PASS@$DU" 127.0.0.1 "$ECHO_PORT"
expect_rc "username method, user:pass@ in the URL" 0 && expect_out "user:pass in the URL" "url"$'\n'

SOCKSCOPE_PASSWORD=$TEST_PASS sc --in-str "env"$'\n' -- -x "socks5://$DU" -U "$TEST_USER" 127.0.0.1 "$ECHO_PORT"
expect_rc "username method, SOCKSCOPE_PASSWORD" 0 && expect_out "SOCKSCOPE_PASSWORD" "env"$'\n'

sc -- -x "socks5://$DU" -U "$TEST_USER:wrong-$$" 127.0.0.1 "$ECHO_PORT"
expect_rc "wrong password" 6

sc -- -x "socks5://$DU" 127.0.0.1 "$ECHO_PORT"
expect_rc "no credentials offered to a server that requires them" 6

finish
