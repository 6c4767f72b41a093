#!/usr/bin/env bash
# sockscope watch tried as its users and an attacker would: what each case
# here found wrong once, and must not again.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/watchlib.sh"
need_sockscope
need_cmd curl

start_www
echo "small file $$" >"$T/www/small"
start_microsocks
MS=$MS_PORT

# ---- ulimit -n 64 and 200 applications at once: watch holds back what it
# cannot serve (they wait to be accepted) rather than spinning on accept's
# EMFILE, or closing them as "upstream unreachable"; all 200 are served.
cat >"$T/ulimit64" <<EOF
#!/usr/bin/env bash
ulimit -n 64 || exit 9
exec "$SOCKSCOPE" "\$@"
EOF
chmod +x "$T/ulimit64"
SOCKSCOPE="$T/ulimit64" start_watch -x "socks5://127.0.0.1:$MS"
pids=()
for i in $(seq 200); do
	timeout -k 1 40 curl -s -o "$T/c$i" --socks5 "127.0.0.1:$W_PORT" "http://127.0.0.1:$WWW_PORT/small" &
	pids+=($!)
done
bad=0
for p in "${pids[@]}"; do wait "$p" || bad=$((bad + 1)); done
good=$(cat "$T"/c* 2>/dev/null | grep -c "^small file $$\$")
[ "$bad" = 0 ] && [ "$good" = 200 ] && ok "ulimit -n 64, 200 curls at once: all served" ||
	fail "ulimit -n 64, 200 curls: $bad failed, $good served"
expect_no_w "ulimit -n 64: no session ends as unreachable" 'upstream unreachable'
n=$(wc -l <"$W_ERR")
[ "$n" -le 3 ] && ok "ulimit -n 64: stderr says it in $n lines" || fail "ulimit -n 64: $n lines on stderr: $(sort "$W_ERR" | uniq -c | head -3)"
stop_watch
rm -f "$T"/c*

finish
