#!/usr/bin/env bash
# No tunnel byte lost: 256 MiB each way at once through danted and through
# ssh -D, checked by sha256 at both ends.  The data is netsvc.py's pattern
# (seed 1 upstream, seed 2 downstream), so a duplicated, dropped or reordered
# chunk changes the digest.  E2E_INTEGRITY_SIZE overrides the size.
. "$(dirname "$0")/lib.sh"
need_sockscope
SIZE=${E2E_INTEGRITY_SIZE:-256M}
UP=$(pattern_sum "$SIZE" 1)
DOWN=$(pattern_sum "$SIZE" 2)

start_danted none
start_sshd_socks

through() { # NAME PROXY-URL
	local name=$1 proxy=$2 report="$T/$1.report" rc t0 t1 got
	start_duplex "$SIZE" "$report" "duplex-$name"
	t0=$(date +%s)
	"$PY" "$E2E_DIR/netsvc.py" gen --size "$SIZE" --seed 1 |
		timeout --foreground -k 2 90 "$SOCKSCOPE" -w 10 -x "$proxy" 127.0.0.1 "$DUPLEX_PORT" 2>"$T/$name.err" |
		"$PY" "$E2E_DIR/netsvc.py" hash >"$T/$name.client"
	rc=${PIPESTATUS[1]}
	t1=$(date +%s)
	if [ "$rc" = 0 ]; then ok "$name: exit 0 after $((t1 - t0))s"; else
		fail "$name: exit $rc after $((t1 - t0))s"; sed 's/^/       | /' "$T/$name.err" | head -20; fi
	got=$(cat "$T/$name.client")
	if [ "$got" = "$DOWN" ]; then ok "$name: downstream $SIZE intact"; else
		fail "$name: downstream: client got $got, server sent $DOWN"; fi
	wait_for 10 test -s "$report" || { fail "$name: the server wrote no report"; return; }
	read -r _ n sha _ <"$report"
	if [ "$n $sha" = "$UP" ]; then ok "$name: upstream $SIZE intact"; else
		fail "$name: upstream: server got $n $sha, client sent $UP ($(cat "$report"))"; fi
}

through danted "socks5://127.0.0.1:$DANTED_PORT"
through ssh-D "socks5://127.0.0.1:$SSH_SOCKS_PORT"

finish
