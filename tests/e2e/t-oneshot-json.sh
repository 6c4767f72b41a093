#!/usr/bin/env bash
# One-shot -j: one JSON summary of every run, failures included.
#  - on stderr, the summary is all there is: no text line beside it (with
#    -z it goes to stdout, and stderr says what it would without -j);
#  - "error" carries the message stderr would show, for failures in the
#    handshake and after it (the UDP relay, the tunnel) and for usage
#    errors (exit 2), which also print the summary, with no password in it;
#  - a greeting that fails is a failed greeting phase, and its message
#    names the phase, the field and its offset; a Tor-style refusal (REP
#    not 0, ATYP 00) is a failed request phase;
#  - a relay (or a BIND address) of 0.0.0.0 is the last hop's own address:
#    in a chain whose last hop is given by name, that name resolved here;
#    the datagrams go there and the JSON "relay" names it.
. "$(dirname "$0")/lib.sh"
need_sockscope

# jcheck WHAT WHERE EXPR: the last run wrote exactly one JSON summary, to
# WHERE (out or err), nothing but JSON when WHERE is err, and EXPR (Python;
# d is the summary, err the lines of stderr that are not JSON, where the
# place of the summary) is true.
jcheck() {
	local what=$1 where=$2 expr=$3 file got
	[ "$where" = out ] && file=$SC_OUT || file=$SC_ERR
	got=$("$PY" - "$file" "$SC_ERR" "$expr" <<-'EOF' 2>&1
		import json, sys
		lines = [l for l in open(sys.argv[1], errors="replace") if l.startswith("{")]
		err = [l.rstrip("\n") for l in open(sys.argv[2], errors="replace") if not l.startswith("{")]
		if len(lines) != 1:
		    print("%d JSON summaries in %s" % (len(lines), sys.argv[1].rsplit("/", 1)[-1]))
		    sys.exit(1)
		where = "out" if sys.argv[1] != sys.argv[2] else "err"
		if where == "err" and err:
		    print("text on stderr beside the JSON: %r" % err[:3])
		    sys.exit(1)
		d = json.loads(lines[0])
		if not eval(sys.argv[3], {"d": d, "err": err, "where": where}):
		    print("false: %s; JSON: %s" % (sys.argv[3], lines[0][:700].strip()))
		    sys.exit(1)
	EOF
	)
	if [ $? = 0 ]; then
		ok "$what: $expr"
	else
		fail "$what: $got"
		_sc_context
	fi
}

# The error as stderr says it: with the summary on stdout (-z), "sockscope: "
# + d["error"] is a line of stderr; on stderr, the summary alone says it.
SAME='"error" in d and (where == "err" or "sockscope: " + d["error"] in err)'
PHASE='lambda d, hop, name: [(p["hop"], p["ok"]) for p in d["phases"] if p["phase"] == name and p["hop"] == hop]'

# ------------------------------------------------------------ 1, 6: the relay is the proxy's own address

start_badserver udp-zero
sc --timeout 15 --in-str $'one\n' -- -j -w 5 -x "socks5h://127.0.0.1:$BAD_PORT" udp 127.0.0.1 9
expect_rc "udp-zero" 0
expect_out "udp-zero: the echo" $'one\n'
port=$(sed -n 's/.*RELAY 127\.0\.0\.1 port \([0-9]*\).*/\1/p' "$BAD_LOG")
jcheck "udp-zero: relay is the address used" err "d['relay'] == '127.0.0.1:$port' and '$port' != ''"

start_badserver udp-zero
sc --timeout 15 -- -z -j -w 5 -x "socks5h://127.0.0.1:$BAD_PORT" udp 127.0.0.1 9
expect_rc "udp-zero -z" 0
jcheck "udp-zero -z: relay is the proxy's address" out "d['relay'].startswith('127.0.0.1:')"

if [ "$(id -u)" = 0 ] && command -v danted >/dev/null 2>&1; then
	start_danted none
	D=127.0.0.1:$DANTED_PORT
	for fam in "" -4; do
		start_badserver udp-zero
		sc --timeout 15 --in-str $'one\ntwo\n' -- -v -j -w 5 $fam -x "socks5h://$D" \
			-x "socks5h://localhost:$BAD_PORT" udp 127.0.0.1 9
		expect_rc "chain, last hop by name $fam: udp" 0
		expect_out "chain, last hop by name $fam: both echoes" $'one\ntwo\n'
		jcheck "chain, last hop by name $fam: relay" err \
			"d['relay'].startswith('127.0.0.1:') and d['datagrams'] == {'sent': 2, 'received': 2, 'dropped': 0, 'not_shown': 0} and any(\"using the proxy's, 127.0.0.1 (localhost, resolved here)\" in n['text'] for n in d['notes'])"
	done
	start_badserver bind-zero
	sc --timeout 15 -- -z -j -w 5 -x "socks5h://$D" -x "socks5h://localhost:$BAD_PORT" bind 127.0.0.1 0
	expect_rc "chain, last hop by name: bind-zero -z" 0
	expect_err "chain, last hop by name: bind listens on the address" \
		'listens on 127\.0\.0\.1 port [1-9][0-9]* \(it said 0\.0\.0\.0'
	jcheck "chain, last hop by name: bind_listen" out "d['bind_listen'].startswith('127.0.0.1:')"
else
	note "not root or no danted: the chain cases are left out"
fi

# ------------------------------------------------------------ 2: errors after the handshake

start_badserver udp-close
sc --timeout 15 --hold 3 --in-str $'a\nb\n' -- -j -w 5 -x "socks5://127.0.0.1:$BAD_PORT" udp 127.0.0.1 9
expect_rc "udp-close" 7
jcheck "udp-close: error" err "$SAME and d['error'].startswith('udp: the server closed the control connection')"

start_badserver udp-ok
head -c 70000 /dev/zero | tr '\0' x >"$T/long"
echo >>"$T/long"
sc --timeout 15 --in "$T/long" -- -j -w 5 -x "socks5://127.0.0.1:$BAD_PORT" udp 127.0.0.1 9
expect_rc "udp line too long" 2
jcheck "udp line too long: error" err "$SAME and 'longer than' in d['error'] and d['outcome'] == 'usage'"

start_badserver hostile-name
sc --timeout 15 --in-str $'a\n' -- -j -w 5 -x "socks5://127.0.0.1:$BAD_PORT" udp 127.0.0.1 9
expect_rc "udp relay by name (it does not resolve)" 3
expect_err_plain "udp relay by name"
jcheck "udp relay by name: error, escaped" err \
	"'relay is given by name' in d['error'] and '\\x1b' not in d['error'] and '\\\\x1b' in d['error']"
jcheck "udp relay by name: the same as stderr" err "$SAME"

cat >"$T/rst.py" <<'EOF'
import socket, struct, time
ls = socket.socket(); ls.bind(("127.0.0.1", 0)); ls.listen(4)
print("PORT %d" % ls.getsockname()[1], flush=True)
ls.settimeout(30)
c, _ = ls.accept()
c.recv(3); c.sendall(b"\x05\x00"); c.recv(100)
c.sendall(b"\x05\x00\x00\x01\x7f\x00\x00\x01\x00\x50" + b"partial data\n")
time.sleep(0.3)
c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
c.close()
time.sleep(1)
EOF
_start_py rst RST_PORT "$T/rst.py"
sc --timeout 15 --hold 2 --in-str x -- -j -w 5 -x "socks5h://127.0.0.1:$RST_PORT" 127.0.0.1 80
expect_rc "tunnel reset" 7
jcheck "tunnel reset: error" err "$SAME and d['outcome'] == 'tunnel-error'"

# ------------------------------------------------------------ stderr is the JSON's

# A refusal, a warning (RSV not 0), -v and -X: with the summary on stderr,
# nothing else goes there (`jq . 2>f` reads it whole); the warning is a note.
start_badserver rep-05
sc --timeout 15 -- -v -X -j -w 5 -x "socks5://127.0.0.1:$BAD_PORT" 127.0.0.1 80
expect_rc "rep-05 -v -X -j" 1
jcheck "rep-05 -v -X -j: JSON only on stderr" err "d['outcome'] == 'refused' and d['error'] == 'request phase: the server refused the request: REP 0x05 connection refused (offset 1)'"
start_badserver rsv-nonzero
sc --timeout 15 --in-str $'x\n' -- -j -w 5 -x "socks5://127.0.0.1:$BAD_PORT" 127.0.0.1 80
expect_rc "rsv-nonzero -j" 0
jcheck "rsv-nonzero -j: the warning is a note, not a line" err "any('RSV' in n['text'] for n in d['notes'])"

# ------------------------------------------------------------ 3: a greeting that fails

start_badserver method-ff
sc --timeout 15 -- -v -j -w 5 -x "socks5h://127.0.0.1:$BAD_PORT" 127.0.0.1 80
expect_rc "method-ff" 6
jcheck "method-ff: greeting phase failed" err "($PHASE)(d, 1, 'greeting') == [(1, False)] and $SAME and d['error'].startswith('greeting phase: METHOD 0xFF at offset 1: no acceptable method')"

start_badserver method-not-offered
sc --timeout 15 -- -v -j -w 5 -x "socks5h://127.0.0.1:$BAD_PORT" 127.0.0.1 80
expect_rc "method-not-offered" 4
jcheck "method-not-offered: greeting phase failed" err "($PHASE)(d, 1, 'greeting') == [(1, False)] and $SAME and d['error'].startswith('greeting phase: METHOD 0x02 at offset 1: ') and 'not offered' in d['error']"

# ------------------------------------------------------------ 4: a Tor-style refusal

start_badserver resolve-tor-err-f0
sc --timeout 15 -- -v -j -w 5 -x "socks5h://127.0.0.1:$BAD_PORT" resolve example.test
expect_rc "resolve-tor-err-f0" 1
jcheck "resolve-tor-err-f0: request phase failed" err "($PHASE)(d, 1, 'request') == [(1, False)] and $SAME"

# ------------------------------------------------------------ 5: usage errors

# usage WHAT WHERE KEYS-EXPR -- ARGS...: exit 2, one summary in WHERE, outcome
# usage, the error as stderr says it, and KEYS-EXPR about hops and target.
start_badserver ok5
B=127.0.0.1:$BAD_PORT
usage() {
	local what=$1 where=$2 keys=$3
	shift 4
	sc --timeout 10 -- "$@"
	expect_rc "$what" 2
	jcheck "$what: the summary" "$where" "d['outcome'] == 'usage' and d['exit'] == 2 and $SAME and $keys"
	if grep -q 'S3cr3tPW' "$SC_OUT" "$SC_ERR"; then
		fail "$what: the password is in the output"
	else
		ok "$what: no password in the output"
	fi
}
usage "bad target" err "'hops' in d and 'target' not in d" -- -j -x "socks5h://$B" 'bad host!' 80
usage "bad port" err "'hops' in d and 'target' not in d" -- -j -x "socks5h://$B" 127.0.0.1 99999
usage "bad port -z" out "'hops' in d and 'target' not in d" -- -z -j -x "socks5h://$B" 127.0.0.1 99999
usage "no target" err "'target' not in d" -- -j -x "socks5h://$B" connect
usage "bad proxy URL" err "'hops' not in d" -- -j -x "socks5h://u:S3cr3tPW@127.0.0.1:99999" 127.0.0.1 80
usage "bad proxy scheme" err "'hops' not in d" -- -j -x "socks9://u:S3cr3tPW@$B" 127.0.0.1 80
usage "bad -U" err "'hops' not in d" -- -j -U 'u%zz:S3cr3tPW' -x "socks5h://$B" 127.0.0.1 80
SOCKSCOPE_PASSWORD=$(printf 'S3cr3tPW%.0s' $(seq 40)) \
	usage "SOCKSCOPE_PASSWORD too long" out "d['hops'][0]['user'] == 'u' and d['target'] == '127.0.0.1:80'" \
	-- -z -j -U u -x "socks5h://$B" 127.0.0.1 80
usage "socks4a resolve an address" err "'hops' in d and 'target' in d" -- -j -x "socks4a://$B" resolve 1.2.3.4
usage "password in a good URL, bad target" err "d['hops'][0].get('user') == 'u' and 'S3cr3tPW' not in str(d)" \
	-- -j -x "socks5://u:S3cr3tPW@$B" 127.0.0.1 0x50x
nothing_sent "usage errors"

finish
