#!/usr/bin/env bash
# sockscope watch with real applications and real proxies: curl in its four
# SOCKS modes (with and without user:password), nc -X 4 / -X 5, proxychains4,
# and sockscope itself, through watch to danted and microsocks.  Each
# session's outcome as watch shows it agrees with what the application
# reported; the bytes arrive unchanged (sha256 at both ends); ^C prints the
# table and exits 0.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/watchlib.sh"
need_sockscope
need_cmd curl

start_www
head -c 3000000 /dev/urandom >"$T/www/blob"
BLOB=$(sha256sum <"$T/www/blob" | cut -d' ' -f1)
start_danted none
start_microsocks
MS=$MS_PORT
start_microsocks -u alice -P "pw-$$-secret"
MSA=$MS_PORT

# curl_via WHAT MODE [USERPASS]: fetch the blob through watch; sets CURL_RC.
curl_via() {
	local mode=$1 up=${2:-} host=127.0.0.1 got
	[ "$mode" = socks4a ] || [ "$mode" = socks5h ] && host=localhost
	timeout -k 2 20 curl -s -o "$T/got" -x "$mode://${up:+$up@}127.0.0.1:$W_PORT" \
		"http://$host:$WWW_PORT/blob"
	CURL_RC=$?
	if [ "$CURL_RC" = 0 ]; then
		got=$(sha256sum <"$T/got" | cut -d' ' -f1)
		[ "$got" = "$BLOB" ] && ok "curl $mode: 3 MB intact" || fail "curl $mode: sha256 $got, sent $BLOB"
	fi
}

# ---- danted: SOCKS4, SOCKS5, SOCKS5 with the name; SOCKS4a it refuses (91)
start_watch -x "socks5://127.0.0.1:$DANTED_PORT"
n=0
for mode in socks4 socks5 socks5h socks4a; do
	n=$((n + 1))
	curl_via "$mode"
	if [ "$CURL_RC" = 0 ]; then
		expect_outcome "curl $mode through danted: curl succeeded" $n '^granted$'
	else
		expect_outcome "curl $mode through danted: curl failed ($CURL_RC)" $n '^refused: CD 0x5b'
	fi
done
[ "$(outcome 4)" != granted ] && ok "danted refuses SOCKS4a (as documented)" ||
	fail "SOCKS4a through danted was granted"
# SOCKS4 with a user id (curl's socks4://USER@), SOCKS5 with the name and a user:password
# that danted (socksmethod none) does not ask for
n=$((n + 1))
curl_via socks4 fred
[ "$CURL_RC" = 0 ] && ok "curl socks4 with a user id: exit 0" || fail "curl socks4 with a user id: exit $CURL_RC"
expect_outcome "curl socks4 with a user id" $n '^granted$'
n=$((n + 1))
curl_via socks5h "bob:pw-$$-unasked"
[ "$CURL_RC" = 0 ] && ok "curl socks5h user:pass, not asked for: exit 0" || fail "curl socks5h user:pass: exit $CURL_RC"
expect_outcome "curl socks5h user:pass, not asked for" $n '^granted$'
expect_no_w "a password offered but not asked for is never shown" "pw-$$-unasked"
wait_for 5 grep -q '^#1 .*end:' "$W_OUT"
expect_w "summary counts the blob downstream" "^#1 \+[0-9.]+s end: [0-9]+ bytes up, 3000[0-9]{3} bytes down"

# nc -X 5 / -X 4 to an echo service
start_echo
for v in 5 4; do
	n=$((n + 1))
	got=$(printf 'nc %s says hi\n' "$v" | timeout -k 2 10 nc -q 1 -X "$v" -x "127.0.0.1:$W_PORT" 127.0.0.1 "$ECHO_PORT")
	[ "$got" = "nc $v says hi" ] && ok "nc -X $v: echo back" || fail "nc -X $v: got '$got'"
	expect_outcome "nc -X $v" $n '^granted$'
done
expect_no_w "no trace line without -v" '^#[0-9]+ \+[0-9.]+s -> '

# sockscope itself through watch: 2 MiB each way, hashed at both ends
SIZE=2M
UP=$(pattern_sum "$SIZE" 1)
DOWN=$(pattern_sum "$SIZE" 2)
start_duplex "$SIZE" "$T/duplex.report"
"$PY" "$E2E_DIR/netsvc.py" gen --size "$SIZE" --seed 1 |
	timeout --foreground -k 2 30 "$SOCKSCOPE" -w 10 -x "socks5://127.0.0.1:$W_PORT" 127.0.0.1 "$DUPLEX_PORT" 2>"$T/sc-duplex.err" |
	"$PY" "$E2E_DIR/netsvc.py" hash >"$T/sc-duplex.got"
rc=${PIPESTATUS[1]}
n=$((n + 1))
[ "$rc" = 0 ] && ok "sockscope through watch: exit 0" || fail "sockscope through watch: exit $rc: $(head -c 300 "$T/sc-duplex.err")"
[ "$(cat "$T/sc-duplex.got")" = "$DOWN" ] && ok "sockscope through watch: downstream intact" ||
	fail "downstream: got $(cat "$T/sc-duplex.got"), sent $DOWN"
wait_for 10 test -s "$T/duplex.report"
read -r _ nb sha _ <"$T/duplex.report"
[ "$nb $sha" = "$UP" ] && ok "sockscope through watch: upstream intact" || fail "upstream: server got $nb $sha, sent $UP"
expect_outcome "sockscope through watch" $n '^granted$'
wait_for 5 grep -q "^#$n .*end:" "$W_OUT"   # the application's exit may come first
expect_w "its summary counts 2 MiB each way" "^#$n \+[0-9.]+s end: [0-9]+ bytes up, [0-9]+ bytes down \(tunnel 2097152 up, 2097152 down\)"

stop_watch
[ "$W_RC" = 0 ] && ok "^C: exit 0" || fail "^C: exit $W_RC"
expect_w "^C: the table has a line per session" "^$n sessions$"
expect_w "the table names curl's SOCKS4a target" "^ +4 +127\.0\.0\.1:[0-9]+ +4 +CONNECT +localhost:$WWW_PORT "
start_watch -v -x "socks5://127.0.0.1:$DANTED_PORT"
curl_via socks4 fred
expect_w "-v: SOCKS4's USERID shown" '^#1 \+[0-9.]+s -> SOCKS4 CONNECT request: .*USERID "fred"'
stop_watch

# ---- microsocks with user:password: the password never shown
start_watch -v -x "socks5://127.0.0.1:$MSA"
curl_via socks5 "alice:pw-$$-secret"
[ "$CURL_RC" = 0 ] && ok "curl socks5 user:pass: exit 0" || fail "curl socks5 user:pass: exit $CURL_RC"
expect_outcome "user:pass accepted" 1 '^granted$'
curl_via socks5 "alice:wrong$$"
[ "$CURL_RC" != 0 ] && ok "curl with a wrong password fails ($CURL_RC)" || fail "wrong password: curl exit 0"
expect_outcome "wrong password" 2 '^authentication failed: STATUS 0x'
curl_via socks5h
[ "$CURL_RC" != 0 ] && ok "curl without credentials fails ($CURL_RC)" || fail "no credentials: curl exit 0"
expect_outcome "no credentials offered" 3 '^no acceptable method'
expect_w "-v: the RFC 1929 request shown" 'username/password request|UNAME "alice"'
expect_no_w "the password is masked" "pw-$$-secret"
expect_w "the password shown as ********" 'PASSWD \*\*\*\*\*\*\*\*|\*\*\*\*\*\*\*\*'
stop_watch

start_watch --show-secrets -v -x "socks5://127.0.0.1:$MSA"
curl_via socks5 "alice:pw-$$-secret"
expect_w "--show-secrets: the password shown" "pw-$$-secret"
stop_watch

# ---- -j: one JSON object per line, each event with its session
start_watch -j -x "socks5://127.0.0.1:$MS"
curl_via socks5h
[ "$CURL_RC" = 0 ] && ok "curl through watch -j: exit 0" || fail "curl through watch -j: exit $CURL_RC"
wait_for 5 grep -q '"event":"summary"' "$W_OUT"
stop_watch
if "$PY" - "$W_OUT" <<'PYEOF'; then ok "-j: every line is JSON; message, outcome, summary events"; else fail "-j: $(head -c 600 "$W_OUT")"; fi
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
assert evs[0]["event"] == "listening", evs[0]
s1 = [e for e in evs if e.get("session") == 1 and e["event"] != "session"]
kinds = [e["event"] for e in s1]
assert "message" in kinds and "summary" in kinds, kinds
out = [e for e in s1 if e["event"] == "outcome"]
assert out and out[0]["result"] == "granted", out
assert all("t" in e for e in s1)
summ = [e for e in s1 if e["event"] == "summary"][0]
assert summ["bytes_down"] > summ["tunnel_down"] >= 3000000, summ
assert [e for e in evs if e["event"] == "session"][0]["outcome"] == "granted"
PYEOF

# ---- -X and --dump-data: the hex view of each message, the first bytes of the tunnel
start_watch -X --dump-data 16 -x "socks5://127.0.0.1:$DANTED_PORT"
got=$(printf 'GET /x HTTP/1.0\r\n\r\n' | timeout -k 2 10 nc -q 2 -X 5 -x "127.0.0.1:$W_PORT" 127.0.0.1 "$WWW_PORT" | head -c 12)
[ "$got" = "HTTP/1.0 404" ] && ok "nc through watch -X: the server's answer" || fail "nc through watch -X: got '$got'"
wait_for 5 grep -q '^#1 .*end:' "$W_OUT"
expect_w "-X: the greeting's VER field in the hex view" '^#1 \+[0-9.]+s +0000 +05 +VER +5'
expect_w "-X: the request's DST.PORT" "^#1 \+[0-9.]+s .* DST\.PORT +$WWW_PORT"
expect_w "--dump-data: the application's first 16 tunnel bytes" '^#1 \+[0-9.]+s application data, 16 bytes from tunnel offset 0:'
expect_w "--dump-data: their ASCII column" '^#1 \+[0-9.]+s .*GET /x HTTP/1\.0'
expect_w "--dump-data: the upstream's first 16" '^#1 \+[0-9.]+s upstream data, 16 bytes from tunnel offset 0:'
if grep -q 'from tunnel offset 16' "$W_OUT"; then fail "--dump-data 16 dumped more"; else ok "--dump-data 16: no more than 16 each way"; fi
stop_watch

# ---- ssh -D as the upstream
if command -v sshd >/dev/null 2>&1 || [ -x /usr/sbin/sshd ]; then
	start_sshd_socks
	start_watch -x "socks5://127.0.0.1:$SSH_SOCKS_PORT"
	curl_via socks5h
	[ "$CURL_RC" = 0 ] && ok "curl through watch to ssh -D" || fail "curl through watch to ssh -D: exit $CURL_RC"
	expect_outcome "ssh -D" 1 '^granted$'
	# ssh -D has no BIND: it closes; sockscope's verdict and watch's hint agree
	sc --timeout 15 -- -w 5 --bind-timeout 2 -x "socks5://127.0.0.1:$W_PORT" bind 127.0.0.1 0
	expect_rc "BIND through watch to ssh -D" 4
	wait_for 5 grep -q '^#2 .*end:' "$W_OUT"
	expect_w "BIND to ssh -D: the hint names the command" '^#2 \+[0-9.]+s hint: closed with no reply: this server may not support CMD 0x02'
	expect_outcome "BIND to ssh -D" 2 '^closed by the upstream in the reply phase'
	stop_watch
fi

# ---- two -x: watch reaches microsocks through danted itself
start_watch -x "socks5://127.0.0.1:$DANTED_PORT" -x "socks5://127.0.0.1:$MS"
curl_via socks5h
[ "$CURL_RC" = 0 ] && ok "chain: curl through danted then microsocks" || fail "chain: curl exit $CURL_RC: $(tail -n 5 "$W_OUT")"
expect_outcome "chain" 1 '^granted$'
stop_watch

# the chain's first hop cannot reach the last: the engine's error, the application closed
start_watch -w 3 -x "socks5://127.0.0.1:$DANTED_PORT" -x "socks5://127.0.0.1:$(free_port)"
curl_via socks5h
[ "$CURL_RC" != 0 ] && ok "chain to nowhere: curl fails ($CURL_RC)" || fail "chain to nowhere: curl exit 0"
wait_for 5 grep -q '^#1 .*end:' "$W_OUT"
expect_w "chain to nowhere: the engine's words" '^#1 \+[0-9.]+s upstream chain: .*(refused|REP 0x0[0-9])'
expect_w "chain to nowhere: the summary" '^#1 \+[0-9.]+s end: 0 bytes up, 0 bytes down .*, upstream unreachable$'
stop_watch

# ---- proxychains4 wrapping curl
if command -v proxychains4 >/dev/null 2>&1; then
	start_watch -x "socks5://127.0.0.1:$MS"
	printf 'strict_chain\nquiet_mode\nproxy_dns\ntcp_read_time_out 5000\ntcp_connect_time_out 5000\n[ProxyList]\nsocks5 127.0.0.1 %s\n' \
		"$W_PORT" >"$T/pc.conf"
	timeout -k 2 20 proxychains4 -q -f "$T/pc.conf" curl -s -o "$T/got" "http://127.0.0.1:$WWW_PORT/blob"
	rc=$?
	[ "$rc" = 0 ] && [ "$(sha256sum <"$T/got" | cut -d' ' -f1)" = "$BLOB" ] &&
		ok "proxychains4 curl: intact" || fail "proxychains4 curl: exit $rc"
	expect_outcome "proxychains4" 1 '^granted$'
	stop_watch
else
	note "proxychains4 not installed: skipped"
fi

# ---- never a way in
sc -- watch -x "socks5://127.0.0.1:$MS" -l 0.0.0.0:0
expect_rc "a non-loopback -l without --allow-remote" 2 && expect_err "names --allow-remote" 'allow-remote'
sc -- watch -l 0
expect_rc "no -x" 2 && expect_err "no -x named" 'no upstream'
sc -- -x "socks5://u:hunter3@127.0.0.1:$MS" watch
expect_rc "-x before watch" 2 && expect_err "-x before watch: where options go" '^sockscope: -x before watch: watch takes its options after the word'
if grep -q hunter3 "$SC_ERR"; then fail "-x before watch: the password shown"; else ok "-x before watch: the password not shown"; fi
sc -- watch -x "socks5://u:hunter2@127.0.0.1:1" -w x
expect_rc "bad -w" 2
if grep -q hunter2 "$SC_ERR"; then fail "a usage error shows the password"; else ok "a usage error hides the password"; fi
# -w reads seconds as every other -w does: decimals yes, exponents no.
for w in 1e3 0x10 0; do
	sc -- watch -x "socks5://127.0.0.1:1" -w "$w"
	expect_rc "watch -w $w refused" 2 && expect_err "watch -w $w: named" "^sockscope: -w: bad number of seconds '$w'"
done
sc --hold 0.5 -- watch -x "socks5://127.0.0.1:1" -l 127.0.0.1:0 -w 0.25
grep -q '^listening on 127.0.0.1:' "$SC_OUT" && ok "watch -w 0.25: taken, it listens" ||
	{ fail "watch -w 0.25 not taken"; _sc_context; }
finish
