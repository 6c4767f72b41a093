#!/usr/bin/env bash
# The one-shot client as the protocol flow drives it:
#  - the flow's hints name what answered, with its first line escaped, in
#    the one-line error and in -j's "hints";
#  - a chain is one flow per hop over the previous hop's tunnel: hop 2's
#    hint is hop 2's, its evidence escaped;
#  - a close right after the connection was accepted is explained;
#  - BIND's two replies are titled by their role in -v, -X and -j.
. "$(dirname "$0")/lib.sh"
need_sockscope

# A server that reads the greeting, answers $1 (Python bytes) and closes.
answers() {
	cat >"$T/answers.py" <<EOF
import socket, time
ls = socket.socket(); ls.bind(("127.0.0.1", 0)); ls.listen(4)
print("PORT %d" % ls.getsockname()[1], flush=True)
ls.settimeout(30)
while True:
    c, _ = ls.accept()
    c.recv(3)
    c.sendall($1)
    time.sleep(0.1)
    c.close()
EOF
	_start_py answers ANS_PORT "$T/answers.py"
}

# ---- an HTTP server answering the greeting: the hint and its first line
answers 'b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"'
sc --timeout 15 -- -w 5 -x "socks5://127.0.0.1:$ANS_PORT" 127.0.0.1 80
expect_rc "HTTP answer: a protocol violation" 4
expect_err "HTTP answer: the field, the hint and the line" \
	"^sockscope: greeting phase: VER 0x48 at offset 0: .*; the server answered in HTTP: an HTTP proxy or web server: 'HTTP/1\\.1 400 Bad Request'\$"
sc --timeout 15 -- -j -w 5 -x "socks5://127.0.0.1:$ANS_PORT" 127.0.0.1 80
expect_rc "HTTP answer, -j" 4
if "$PY" - "$SC_ERR" <<-'EOF'; then
	import json, sys
	d = json.loads(open(sys.argv[1]).read())
	h = d["hints"]
	assert h == [{"hop": 1, "side": "server", "text": "the server answered in HTTP: an HTTP proxy or web server",
	              "evidence": "HTTP/1.1 400 Bad Request"}], h
	assert d["error"].endswith("'HTTP/1.1 400 Bad Request'"), d["error"]
EOF
	ok "HTTP answer, -j: the hint in \"hints\" and in \"error\""
else
	fail "HTTP answer, -j: $(head -c 600 "$SC_ERR")"
fi

# The peer's line is its bytes: escaped, in the error and in the JSON.
answers 'b"SSH-2.0-\x1b]0;pwned\x07\r\n"'
sc --timeout 15 -- -w 5 -x "socks5://127.0.0.1:$ANS_PORT" 127.0.0.1 80
expect_rc "SSH banner with control bytes" 4
expect_err "SSH banner: the hint, escaped" \
	"the server sent an SSH banner: an SSH server: 'SSH-2\\.0-\\\\x1b\\]0;pwned\\\\x07'\$"
expect_err_plain "SSH banner"
sc --timeout 15 -- -j -w 5 -x "socks5://127.0.0.1:$ANS_PORT" 127.0.0.1 80
if "$PY" - "$SC_ERR" <<-'EOF'; then
	import json, sys
	d = json.loads(open(sys.argv[1]).read())
	assert d["hints"][0]["evidence"] == "SSH-2.0-\\x1b]0;pwned\\x07", d["hints"]
EOF
	ok "SSH banner, -j: the evidence escaped"
else
	fail "SSH banner, -j: $(head -c 600 "$SC_ERR")"
fi

# ---- a chain: hop 1 grants, and what is behind it echoes: hop 2's flow
# reads the echo of its own greeting, and names it.
start_badserver ok5
sc --timeout 15 -- -w 5 -x "socks5://127.0.0.1:$BAD_PORT" -x "socks5://127.0.0.1:9" 127.0.0.1 80
expect_rc "chain, hop 2 echoes" 4
expect_err "chain, hop 2 echoes: hop 2's violation and hint" \
	"^sockscope: hop 2 \\(127\\.0\\.0\\.1:9\\): greeting phase: METHOD 0x01 at offset 1: .*not offered.*; the server sent the client's bytes back: an echo service: '\\\\x05\\\\x01\\\\x00'\$"

# ---- closed at once: no byte, right after the connection was accepted
cat >"$T/shut.py" <<'EOF'
import socket
ls = socket.socket(); ls.bind(("127.0.0.1", 0)); ls.listen(4)
print("PORT %d" % ls.getsockname()[1], flush=True)
ls.settimeout(30)
while True:
    c, _ = ls.accept()
    c.close()
EOF
_start_py shut SHUT_PORT "$T/shut.py"
sc --timeout 15 -- -w 5 -x "socks5://127.0.0.1:$SHUT_PORT" 127.0.0.1 80
expect_rc "closed at once" 4
expect_err "closed at once: the server sent nothing, and why it may be" \
	'the server sent nothing; closed right after accepting, before any answer: an access rule may refuse this client$'

# ---- BIND: each reply titled by its role, in every view
for p in "" s4-; do
	v=SOCKS5 scheme=socks5
	[ -n "$p" ] && v=SOCKS4 scheme=socks4
	start_badserver "${p}bind-both"
	sc --timeout 15 --in-str "x"$'\n' -- -v -w 5 -x "$scheme://127.0.0.1:$BAD_PORT" bind 127.0.0.1 0
	expect_rc "${p}bind-both -v" 0
	expect_err "${p}bind-both -v: the first reply's title" "^<- $v first BIND reply \\(where the server listens\\): "
	expect_err "${p}bind-both -v: the second reply's title" "^<- $v second BIND reply \\(the peer that connected\\): "
	start_badserver "${p}bind-both"
	sc --timeout 15 --in-str "x"$'\n' -- -X -w 5 -x "$scheme://127.0.0.1:$BAD_PORT" bind 127.0.0.1 0
	expect_err "${p}bind-both -X: the first reply's title" "$v first BIND reply \\(where the server listens\\)"
	expect_err "${p}bind-both -X: the second reply's title" "$v second BIND reply \\(the peer that connected\\)"
	start_badserver "${p}bind-both"
	sc --timeout 15 --in-str "x"$'\n' -- -j -w 5 -x "$scheme://127.0.0.1:$BAD_PORT" bind 127.0.0.1 0
	if "$PY" - "$SC_ERR" "$v" <<-'EOF'; then
		import json, sys
		d = json.loads([l for l in open(sys.argv[1]) if '"messages"' in l][0])
		v = sys.argv[2]
		t = [m["title"] for m in d["messages"] if m["direction"] == "server" and "reply" in m["title"]]
		assert t == [v + " first BIND reply (where the server listens)",
		             v + " second BIND reply (the peer that connected)"], t
	EOF
		ok "${p}bind-both -j: the replies titled by their role"
	else
		fail "${p}bind-both -j: $(tail -c 900 "$SC_ERR")"
	fi
done

# A second reply cut short is still the second reply.
start_badserver bind-trunc
sc --timeout 15 -- -v -w 5 -x "socks5://127.0.0.1:$BAD_PORT" bind 127.0.0.1 0
expect_rc "bind-trunc -v" 4
expect_err "bind-trunc -v: the cut second reply's title" \
	'^<- SOCKS5 second BIND reply \(the peer that connected\): .*truncated after 6 of 10 bytes'

finish
