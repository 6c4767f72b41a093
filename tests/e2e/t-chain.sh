#!/usr/bin/env bash
# Chained proxies: -x A -x B reaches B through A, then the target through B.
# microsocks (hop 1) closes both ways at the client's EOF: stdin is held open
# (--hold) until the echo is back.
. "$(dirname "$0")/lib.sh"
need_sockscope
start_echo
start_microsocks
start_danted none

line="microsocks then danted $$"
sc --hold 0.5 --in-str "$line"$'\n' -- -x "socks5://127.0.0.1:$MS_PORT" -x "socks5://127.0.0.1:$DANTED_PORT" \
	127.0.0.1 "$ECHO_PORT"
expect_rc "two hops" 0 && expect_out "two hops" "$line"$'\n'
# dante must have seen the client as a connection from microsocks, i.e. the
# second hop really went through the first.
if grep -q "tcp/connect" "$DANTED_LOG"; then
	ok "danted logged the relayed connection"
else
	fail "danted logged no connection: the chain did not reach it"
fi

# A SOCKS4 last hop behind a SOCKS5 first hop.
sc --hold 0.5 --in-str "mixed"$'\n' -- -x "socks5://127.0.0.1:$MS_PORT" -x "socks4://127.0.0.1:$DANTED_PORT" \
	127.0.0.1 "$ECHO_PORT"
expect_rc "socks5 then socks4" 0 && expect_out "socks5 then socks4" "mixed"$'\n'

# The second hop refuses (nothing listens behind it): the refusal is the
# server's, and the trace says which hop.
closed=$(free_port)
sc -- -w 5 -x "socks5://127.0.0.1:$MS_PORT" -x "socks5://127.0.0.1:$DANTED_PORT" 127.0.0.1 "$closed"
expect_rc "second hop refuses" 1

# The first hop cannot reach the second (a closed port): microsocks refuses.
sc -- -w 5 -x "socks5://127.0.0.1:$MS_PORT" -x "socks5://127.0.0.1:$closed" 127.0.0.1 "$ECHO_PORT"
# Exit 1 (hop 1 refused the request) or 3 (hop 2, a proxy, could not be
# reached): the man page (EXIT STATUS) does not settle which for a chain.
expect_rc "first hop cannot reach the second" 1 3

# The REPL through the same chain: the last hop's messages are labelled too.
sc -- -w 5 -c "proxy socks5h://127.0.0.1:$MS_PORT socks5h://127.0.0.1:$DANTED_PORT; set dst 127.0.0.1:$ECHO_PORT; send"
expect_rc "REPL, two hops" 0
cat "$SC_OUT" "$SC_ERR" >"$T/repl-chain"
for hop in 1 2; do
	if grep -q "^-> hop $hop: SOCKS5 CONNECT request" "$T/repl-chain" &&
		grep -q "^<- hop $hop: SOCKS5 reply" "$T/repl-chain"; then
		ok "REPL, two hops: hop $hop's request and reply labelled"
	else
		fail "REPL, two hops: hop $hop's messages unlabelled: $(grep -E '^(->|<-)' "$T/repl-chain" | tr '\n' '|')"
	fi
done

finish
