# tests/e2e/watchlib.sh: helpers for the watch tests (t-watch*.sh), after lib.sh.
#
#   start_watch ARGS...   sockscope watch -l 0 ARGS... in the background; sets
#                         W_PORT (read from its first line), W_PID, W_OUT, W_ERR
#   stop_watch            ^C (SIGINT), bounded; sets W_RC
#   start_www             a static HTTP server on loopback serving $T/www; WWW_PORT
#   outcome N / summary N   session #N's outcome / end line, from $W_OUT

_W_N=0
start_watch() {
	local i line
	_W_N=$((_W_N + 1))
	start_bg "watch$_W_N" "$SOCKSCOPE" watch -l 0 "$@"
	W_PID=$BG_PID
	W_OUT="$T/watch$_W_N.out"
	W_ERR="$T/watch$_W_N.log"
	for ((i = 0; i < 100; i++)); do
		line=$(head -n 1 "$W_OUT" 2>/dev/null)
		case $line in
		"listening on 127.0.0.1:"*)
			W_PORT=${line#listening on 127.0.0.1:}
			W_PORT=${W_PORT%%,*}
			return 0
			;;
		'{"event":"listening","address":"127.0.0.1:'*)
			W_PORT=${line#*127.0.0.1:}
			W_PORT=${W_PORT%%\"*}
			return 0
			;;
		esac
		alive "$W_PID" || break
		sleep 0.05
	done
	die "watch did not start: $(cat "$W_ERR")"
}

stop_watch() {
	kill -INT "$W_PID" 2>/dev/null
	if wait_for 5 eval '! alive "$W_PID"'; then
		wait "$W_PID"
		W_RC=$?
	else
		W_RC=timeout
		stop_pid "$W_PID"
	fi
	# ^C: the table, exit 0, and nothing on stderr but what was asked for
	[ "$W_RC" = 0 ] && ok "watch #$_W_N: ^C, exit 0" || fail "watch #$_W_N: ^C, exit $W_RC: $(head -c 300 "$W_ERR")"
	if grep -qE 'Sanitizer|runtime error' "$W_ERR"; then fail "watch #$_W_N: $(grep -m1 -E 'Sanitizer|runtime error' "$W_ERR")"; fi
}

start_www() {
	mkdir -p "$T/www"
	local port try
	for try in 1 2 3; do
		port=$(free_port)
		start_bg www "$PY" -m http.server "$port" --bind 127.0.0.1 --directory "$T/www"
		if wait_listen "$port" "$BG_PID" 5; then
			WWW_PORT=$port
			return 0
		fi
		stop_pid "$BG_PID"
	done
	die "http.server would not start: $(cat "$T/www.log")"
}

# outcome N: what watch said session #N's outcome was ("" when it said none).
outcome() { grep -a -m1 "^#$1 +[0-9.]*s outcome: " "$W_OUT" | sed 's/^[^ ]* [^ ]* outcome: //'; }
summary() { grep -a -m1 "^#$1 +[0-9.]*s end: " "$W_OUT" | sed 's/^[^ ]* [^ ]* end: //'; }

# expect_outcome WHAT N ERE: session #N's outcome matches ERE.
expect_outcome() {
	local got
	got=$(outcome "$2")
	if printf '%s\n' "$got" | grep -Eq -- "$3"; then
		ok "$1: #$2 outcome: $got"
	else
		fail "$1: #$2 outcome '$got', expected /$3/"
		grep -a "^#$2 " "$W_OUT" | head -20 | sed 's/^/       | /'
	fi
}

# expect_w WHAT ERE: watch's output matches ERE; expect_no_w: it does not.
expect_w() {
	if grep -Eaq -- "$2" "$W_OUT"; then ok "$1"; else
		fail "$1: watch's output does not match /$2/"
		tail -n 20 "$W_OUT" | sed 's/^/       | /'
	fi
}
expect_no_w() {
	if grep -Eaq -- "$2" "$W_OUT" "$W_ERR"; then
		fail "$1: watch's output matches /$2/"
	else ok "$1"; fi
}
