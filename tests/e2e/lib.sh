# tests/e2e/lib.sh: helpers for the end-to-end tests.  Source it from bash:
#
#     . "$(dirname "$0")/lib.sh"
#
# What it gives a test:
#   $ROOT $E2E_DIR $SOCKSCOPE $PY $T   repo root, this folder, the client under
#                                      test, python3, a private temp folder
#   start_echo | start_sha | start_duplex SIZE REPORT   loopback services
#                                      (duplex: source and sink at once;
#                                      SIZE 0 makes it a plain sink)
#   start_badserver SCENARIO [ARGS...]                  the scripted server
#   start_danted [none|username] [CONFIG LINES...]      dante on loopback
#                                      (DANTED_LISTEN=::1: on ::1)
#   start_microsocks [-u USER -P PASS] [-i ::1]         microsocks on loopback
#   start_sshd_socks                                    sshd + ssh -D
#                                      (SSH_SOCKS_LISTEN=::1: -D on ::1)
#   start_tor                                           tor (in a namespace: lib_netns.sh)
#   make_test_user                                      a throwaway system user
#   sc [--in FILE | --in-str TEXT] [--timeout S] -- ARGS...   run the client
#   expect_rc / expect_out / expect_err / expect_secs_lt / ok / fail / finish
#   has_packet_socket PID / wait_exit PID SECS          for live captures (decode -i)
#
# Everything listens on 127.0.0.1 only (::1 where a test asks).  Every process started here is
# recorded by PID and stopped by PID (never by name) on every exit path; every
# wait is bounded.  A test exits 0 (pass), 1 (fail) or 77 (skip).
#
# Call the start_* helpers and make_test_user in the test's own shell, never
# inside $(...) or a pipeline: a subshell would record the PID (or the user)
# in its own copy of the list, and the process would outlive the test.

set -u
PATH=$PATH:/usr/sbin:/sbin   # danted, sshd, useradd live there

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export E2E_DIR # the Python drivers import ptyctl.py from it
ROOT=$(cd "$E2E_DIR/../.." && pwd)
SOCKSCOPE=${SOCKSCOPE:-$ROOT/sockscope}
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=python3; fi
TEST_NAME=$(basename "$0" .sh)
T=$(mktemp -d "${TMPDIR:-/tmp}/sockscope-e2e.$TEST_NAME.XXXXXX") || exit 1
chmod 755 "$T"   # danted drops to nobody for some work; let it see its files

_PIDS=()     # processes to stop, in start order
_USERS=()    # system users to remove
_FAILS=0
_CHECKS=0

# ------------------------------------------------------------ reporting

note() { printf '%s\n' "$*"; }
ok() { _CHECKS=$((_CHECKS + 1)); printf 'ok   %s\n' "$*"; }
fail() { _CHECKS=$((_CHECKS + 1)); _FAILS=$((_FAILS + 1)); printf 'FAIL %s\n' "$*"; }
# A harness problem, not a finding about the client: stop now.
die() { printf 'ERROR %s\n' "$*" >&2; exit 1; }
skip() { printf 'SKIP: %s\n' "$*"; exit 77; }

finish() {
	if [ "$_FAILS" -gt 0 ]; then
		note "$TEST_NAME: $_FAILS of $_CHECKS checks failed"
		exit 1
	fi
	note "$TEST_NAME: all $_CHECKS checks passed"
	exit 0
}

need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || [ -x "/usr/sbin/$c" ] || skip "$c is not installed"
	done
}

need_root() { [ "$(id -u)" = 0 ] || skip "needs root"; }

# The client is built by `make`; a missing binary is a failure, not a skip.
need_sockscope() {
	[ -x "$SOCKSCOPE" ] || die "client not built: $SOCKSCOPE (run make)"
}

# ------------------------------------------------------------ processes

# alive PID: running and not a zombie.
alive() {
	local st
	kill -0 "$1" 2>/dev/null || return 1
	st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
	[ "$st" != Z ]
}

# _pstart PID: the process's start time (clock ticks since boot), which
# tells a process from a later one that reuses its PID.
_pstart() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }   # what follows the command name, which may hold spaces
	set -- $stat
	printf '%s\n' "${20}"
}

# track_pid PID: stop this process when the test ends.
track_pid() { _PIDS+=("$1:$(_pstart "$1")"); }

# ours PID:START: the process is still the one we started.
ours() {
	local pid=${1%%:*} start=${1#*:}
	alive "$pid" && [ "$(_pstart "$pid")" = "$start" ]
}

# stop_pid PID[:START]: TERM, up to 3 s, then KILL; never a process that
# merely reuses the PID of one we started.
stop_pid() {
	local entry=$1 pid=${1%%:*} i
	case $entry in *:*) ;; *) entry="$pid:$(_pstart "$pid")" ;; esac
	ours "$entry" || return 0
	kill -TERM "$pid" 2>/dev/null
	for i in $(seq 60); do
		ours "$entry" || return 0
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null
	return 0
}

_cleanup() {
	local rc=$? i u f
	# A timeout signals the whole process group, so a second TERM can come
	# while this runs: ignore it, or the users and the folder stay behind.
	# Every wait below is bounded, so ignoring it cannot hang.
	trap - EXIT
	trap '' INT TERM HUP
	# Stop in reverse start order (ssh before sshd, clients before servers).
	for ((i = ${#_PIDS[@]} - 1; i >= 0; i--)); do
		stop_pid "${_PIDS[$i]}"
	done
	for u in "${_USERS[@]+"${_USERS[@]}"}"; do
		# Another test's useradd may hold /etc/passwd's lock a moment.
		for i in $(seq 40); do
			userdel "$u" >/dev/null 2>&1 && break
			getent passwd "$u" >/dev/null || break
			sleep 0.05
		done
		getent passwd "$u" >/dev/null && note "warning: could not remove user $u"
	done
	if [ "$rc" != 0 ] && [ "$rc" != 77 ]; then
		for f in "$T"/*.log "$T"/*.err "$T"/*/*.log; do
			[ -s "$f" ] || continue
			printf -- '--- %s (last 15 lines)\n' "${f#"$T"/}"
			tail -n 15 "$f" | cut -c1-300
		done
	fi
	if [ "${E2E_KEEP:-0}" = 1 ]; then
		note "kept $T"
	else
		rm -rf "$T"
	fi
	exit "$rc"
}
trap _cleanup EXIT
# Each handler first ignores the signals: timeout sends TERM to the child
# and then to its whole group, and a second TERM landing between `exit` and
# _cleanup's own `trap ''` would end the cleanup before it removed anything.
trap 'trap "" INT TERM HUP; exit 130' INT
trap 'trap "" INT TERM HUP; exit 143' TERM
trap 'trap "" INT TERM HUP; exit 129' HUP

# wait_for SECS CMD...: poll CMD every 50 ms until it succeeds; 1 on timeout.
wait_for() {
	local secs=$1 i n
	shift
	n=$(awk -v s="$secs" 'BEGIN { printf "%d", s * 20 }')
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.05
	done
	"$@"
}

free_port() { "$PY" "$E2E_DIR/netsvc.py" freeport; }

port_accepts() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# listening PORT PID: PID (or a child holding the same socket) listens on PORT.
listening() {
	alive "$2" || return 1
	if command -v ss >/dev/null 2>&1; then
		ss -Hltnp "sport = :$1" 2>/dev/null | grep -q "pid=$2,"
	else
		port_accepts "$1"
	fi
}

# wait_listen PORT PID [SECS]: until PID listens on PORT; fails early if PID dies.
wait_listen() {
	local port=$1 pid=$2 secs=${3:-5} i n
	n=$(awk -v s="$secs" 'BEGIN { printf "%d", s * 20 }')
	for ((i = 0; i < n; i++)); do
		alive "$pid" || return 1
		listening "$port" "$pid" && return 0
		sleep 0.05
	done
	return 1
}

# start_bg NAME CMD...: run CMD in the background, stdout to $T/NAME.out,
# stderr to $T/NAME.log; sets BG_PID.
start_bg() {
	local name=$1
	shift
	rm -f "$T/$name.out" "$T/$name.log"
	"$@" >"$T/$name.out" 2>"$T/$name.log" </dev/null &
	BG_PID=$!
	track_pid "$BG_PID"
}

# read_port NAME PID: the port from the first `PORT n` line of $T/NAME.out.
read_port() {
	local name=$1 pid=$2 i line
	for ((i = 0; i < 100; i++)); do
		line=$(head -n 1 "$T/$name.out" 2>/dev/null)
		case $line in
		"PORT "[0-9]*) printf '%s\n' "${line#PORT }"; return 0 ;;
		esac
		alive "$pid" || break
		sleep 0.05
	done
	return 1
}

_start_py() { # NAME VAR SCRIPT ARGS...
	local name=$1 var=$2 port
	shift 2
	start_bg "$name" "$PY" "$@"
	port=$(read_port "$name" "$BG_PID") || die "$name did not start: $(cat "$T/$name.log")"
	printf -v "$var" '%s' "$port"
}

# Loopback services (netsvc.py); each sets *_PORT and *_PID.
start_echo() {
	_start_py echo ECHO_PORT "$E2E_DIR/netsvc.py" echo --lifetime 110 "$@"
	ECHO_PID=$BG_PID
}
start_sha() {
	_start_py sha SHA_PORT "$E2E_DIR/netsvc.py" sha --lifetime 110 "$@"
	SHA_PID=$BG_PID
}
# start_duplex SIZE REPORT [NAME]: sends SIZE bytes (seed 2) while reading.
start_duplex() {
	_start_py "${3:-duplex}" DUPLEX_PORT "$E2E_DIR/netsvc.py" duplex --size "$1" \
		--seed 2 --report "$2" --lifetime 110
	DUPLEX_PID=$BG_PID
}

# start_badserver SCENARIO [ARGS...]: sets BAD_PORT, BAD_PID, BAD_LOG.
_BAD_N=0
start_badserver() {
	local scenario=$1
	shift
	_BAD_N=$((_BAD_N + 1))
	BAD_LOG="$T/bad$_BAD_N.events"
	_start_py "bad$_BAD_N" BAD_PORT "$E2E_DIR/badserver.py" --scenario "$scenario" \
		--log "$BAD_LOG" "$@"
	BAD_PID=$BG_PID
}

# pattern_sum SIZE SEED: "<bytes> <sha256>" of netsvc's pattern.
pattern_sum() { "$PY" "$E2E_DIR/netsvc.py" gen --size "$1" --seed "$2" | "$PY" "$E2E_DIR/netsvc.py" hash; }

# The real SOCKS servers (danted, microsocks, sshd -D) and their users.
. "$E2E_DIR/lib_servers.sh"

# ------------------------------------------------------------ live captures

# has_packet_socket PID: one of PID's descriptors is a packet socket.
has_packet_socket() {
	local fd link
	for fd in /proc/"$1"/fd/*; do
		link=$(readlink "$fd" 2>/dev/null) || continue
		case $link in
		"socket:["*"]")
			link=${link#socket:[}
			awk -v ino="${link%]}" '$NF == ino { found = 1 } END { exit !found }' \
				/proc/"$1"/net/packet 2>/dev/null && return 0
			;;
		esac
	done
	return 1
}

# wait_exit PID SECS: the exit status, or 124 when it is still running.
wait_exit() {
	local pid=$1 i
	for ((i = 0; i < $2 * 20; i++)); do
		alive "$pid" || { wait "$pid"; return $?; }
		sleep 0.05
	done
	return 124
}

# ------------------------------------------------------------ running the client

# sc [--in FILE | --in-str TEXT] [--hold SECS] [--timeout SECS] [--] ARGS...
# Runs the client with stdin from FILE (default /dev/null), stdout to
# $SC_OUT, stderr to $SC_ERR.  --hold keeps stdin open SECS longer after its
# data (for servers that close both ways at the client's EOF).  Sets SC_RC
# and SC_SECS (wall time, seconds with decimals).  A run killed by the
# timeout has SC_RC 124.
#
# Tests run `timeout --foreground` so that the client stays in the test's
# process group: when the runner's own timeout signals that group, the client
# dies with it, bash gets back control and its EXIT trap cleans up.  (A plain
# `timeout` moves itself into a group of its own, and bash would wait for it.)
SC_OUT="$T/sc.out"
SC_ERR="$T/sc.err"
sc() {
	local in=/dev/null tmo=20 hold='' t0 t1
	while [ $# -gt 0 ]; do
		case $1 in
		--in) in=$2; shift 2 ;;
		--in-str) printf '%s' "$2" >"$T/sc.in"; in="$T/sc.in"; shift 2 ;;
		--hold) hold=$2; shift 2 ;;
		--timeout) tmo=$2; shift 2 ;;
		--) shift; break ;;
		*) break ;;
		esac
	done
	SC_ARGS="$*"
	t0=$(date +%s%N)
	if [ -n "$hold" ]; then
		{ cat "$in"; sleep "$hold"; } |
			timeout --foreground -k 2 "$tmo" "$SOCKSCOPE" "$@" >"$SC_OUT" 2>"$SC_ERR"
		SC_RC=${PIPESTATUS[1]}
	else
		timeout --foreground -k 2 "$tmo" "$SOCKSCOPE" "$@" <"$in" >"$SC_OUT" 2>"$SC_ERR"
		SC_RC=$?
	fi
	t1=$(date +%s%N)
	SC_SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
}

_sc_context() {
	printf '       sockscope %s\n       exit %s after %ss; stderr:\n' "$SC_ARGS" "$SC_RC" "$SC_SECS"
	head -c 1500 "$SC_ERR" | sed 's/^/       | /'
}

# expect_rc WHAT N [N...]: the last run exited with one of the codes.
expect_rc() {
	local what=$1 c
	shift
	for c in "$@"; do
		if [ "$SC_RC" = "$c" ]; then
			ok "$what: exit $SC_RC"
			return 0
		fi
	done
	if [ "$SC_RC" = 124 ] || [ "$SC_RC" = 137 ]; then
		fail "$what: hung (killed by the harness's timeout), expected exit $*"
	else
		fail "$what: exit $SC_RC, expected $*"
	fi
	_sc_context
	return 1
}

# expect_err WHAT ERE: stderr matches the extended regex.
# The last badserver's log (BAD_LOG): nothing_sent WHAT, no connection at
# all; expect_log / expect_no_log WHAT ERE, the log matches ERE or not.
nothing_sent() {
	if grep -Eq '(ACCEPT|RECV|GREETING|AUTH)' "$BAD_LOG" 2>/dev/null; then
		fail "$1: the server saw: $(tr '\n' ' ' <"$BAD_LOG" | head -c 300)"
	else
		ok "$1: nothing sent"
	fi
}
expect_log() {
	if grep -Eq -- "$2" "$BAD_LOG" 2>/dev/null; then
		ok "$1: server log matches /$2/"
	else
		fail "$1: server log does not match /$2/: $(tr '\n' ' ' <"$BAD_LOG" 2>/dev/null | head -c 300)"
	fi
}
expect_no_log() {
	if grep -Eq -- "$2" "$BAD_LOG" 2>/dev/null; then
		fail "$1: server log matches /$2/: $(grep -E -- "$2" "$BAD_LOG" | head -c 300)"
	else
		ok "$1: server log does not match /$2/"
	fi
}

# row ADDR: probe's table row for ADDR in the last run's stdout.
row() { grep -F -- "$1 " "$SC_OUT" | head -n 1; }
# expect_row WHAT ADDR ERE: that row matches ERE.
expect_row() {
	local r
	r=$(row "$2")
	if printf '%s\n' "$r" | grep -Eq -- "$3"; then
		ok "$1: row matches /$3/"
	else
		fail "$1: row does not match /$3/: '$r'"
		_sc_context
	fi
}

# expect_err_plain NAME: stderr holds no terminal control byte (newlines
# aside) and no line a server forged (badserver's HOSTILE_NAME).
expect_err_plain() {
	if tr -d '\n' <"$SC_ERR" | LC_ALL=C grep -q '[[:cntrl:]]'; then
		fail "$1: stderr holds raw control bytes"
		_sc_context
		return 1
	fi
	if grep -q '^sockscope: forged' "$SC_ERR"; then
		fail "$1: a line the server forged reached stderr"
		return 1
	fi
	ok "$1: no control byte and no forged line on stderr"
}

expect_err() {
	if grep -Eq -- "$2" "$SC_ERR"; then
		ok "$1: stderr matches /$2/"
	else
		fail "$1: stderr does not match /$2/"
		_sc_context
		return 1
	fi
}

# expect_out WHAT TEXT: stdout is exactly TEXT.
expect_out() {
	if [ "$(cat "$SC_OUT"; printf x)" = "$2x" ]; then
		ok "$1: stdout as expected"
	else
		fail "$1: stdout differs; expected $(printf '%s' "$2" | head -c 200 | od -c | head -3)"
		printf '       got: '
		head -c 200 "$SC_OUT" | od -c | head -5
		_sc_context
		return 1
	fi
}

# expect_out_sum WHAT "BYTES SHA256": stdout has that size and digest.
expect_out_sum() {
	local got
	got=$("$PY" "$E2E_DIR/netsvc.py" hash <"$SC_OUT")
	if [ "$got" = "$2" ]; then
		ok "$1: stdout is the $2"
	else
		fail "$1: stdout is $got, expected $2"
		_sc_context
		return 1
	fi
}

# expect_secs_lt WHAT SECS: the last run took less than SECS.
expect_secs_lt() {
	if awk -v a="$SC_SECS" -v b="$2" 'BEGIN { exit !(a < b) }'; then
		ok "$1: took ${SC_SECS}s (< $2s)"
	else
		fail "$1: took ${SC_SECS}s, expected < $2s"
		return 1
	fi
}

# REPL tests: what stdout holds, and the phases `status` printed in order.
have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }
expect_stdout() {
	if grep -Eq -- "$2" "$SC_OUT"; then
		ok "$1: stdout matches /$2/"
	else
		fail "$1: stdout does not match /$2/"
		head -c 3000 "$SC_OUT" | sed 's/^/       > /'
		_sc_context
		return 1
	fi
}
expect_no_stdout() {
	if grep -Eq -- "$2" "$SC_OUT"; then
		fail "$1: stdout matches /$2/, it should not"
		head -c 3000 "$SC_OUT" | sed 's/^/       > /'
		return 1
	fi
	ok "$1: stdout does not match /$2/"
}
phases() { awk '$1 == "phase" { $1 = ""; sub(/^ +/, ""); printf "%s%s", sep, $0; sep = "," }' "$SC_OUT"; }
expect_phases() {
	local got
	got=$(phases)
	if [ "$got" = "$2" ]; then
		ok "$1: phases $got"
	else
		fail "$1: phases '$got', expected '$2'"
		head -c 4000 "$SC_OUT" | sed 's/^/       > /'
		_sc_context
	fi
}
