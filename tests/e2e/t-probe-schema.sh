#!/usr/bin/env bash
# probe -j against the schema the man page documents (PROBE): every object
# of every kind of server holds only documented keys, of documented types
# and values, and every key the schema names is in the man page.
. "$(dirname "$0")/lib.sh"
need_sockscope

start_echo
start_danted none
start_microsocks -u probeuser -P probepass
MA=$MS_PORT
start_badserver silent --count 20 --lifetime 100
SILENT=$BAD_PORT
start_badserver rsv-nonzero --count 20 --lifetime 100
RSV=$BAD_PORT
hport=$(free_port)
start_bg http "$PY" -m http.server -b 127.0.0.1 "$hport"
wait_listen "$hport" "$BG_PID" 5 || die "http.server did not start"
CLOSED=$(free_port)

cat >"$T/list" <<LIST
# one of each kind
socks5://127.0.0.1:$DANTED_PORT
socks5://probeuser:probepass@127.0.0.1:$MA
127.0.0.1:$SILENT
127.0.0.1:$RSV
127.0.0.1:$hport
127.0.0.1:$CLOSED
127.0.0.1:$ECHO_PORT
not a url
LIST
sc --timeout 60 -- -j -w 2 probe --target "127.0.0.1:$ECHO_PORT" --commands bind,udp \
	--expect socks5 -f "$T/list"
expect_rc "probe of every kind" 1

cat >"$T/schema.py" <<'PY'
import json, re, sys

ENUMS = {
    "verdict": {"socks", "reachable", "unreachable", "not-socks", "broken", "error"},
    "peer": {"http", "tls", "ssh", "echo", "silent", "closes", "other"},
    "auth": {"ok", "failed", "none", "error", "skipped"},
    "connect": {"ok", "refused", "failed", "skipped"},
}
STATUS = {"ok", "refused", "timeout", "closed", "reset", "malformed", "not-socks",
          "unreachable", "skipped", "error", "other-version"}
STEPS = {"tcp", "s5-noauth", "s5-gssapi", "s5-userpass", "s5-all", "s5-auth", "s5-connect",
         "s5-connect-domain", "s5-bind", "s5-udp", "s4-connect", "s4a-connect", "http-sniff"}
TOP = {"server": str, "input": int, "target": str, "verdict": str, "peer": str,
       "summary": str, "notes": list, "socks5": bool, "socks4": bool,
       "socks4_connect": str, "socks4a": bool, "methods": list, "auth": str,
       "connect": str, "tcp_ms": (int, float, type(None)), "expect": dict, "ok": bool,
       "steps": list, "detail": str}
STEP = {"step": str, "status": str, "connect_ms": (int, float), "ms": (int, float),
        "code": int, "meaning": str, "peer": str, "detail": str, "anomalies": list}
REQUIRED = {"server", "input", "verdict", "ok"}

man = open(sys.argv[2]).read()
section = man[man.index(".Sh PROBE"):]
section = section[:section.index("\n.Sh ", 5)]
problems = []
for key in list(TOP) + list(STEP):
    if not re.search(r"\b%s\b" % re.escape(key), section):
        problems.append("man page PROBE does not document %r" % key)
for name in STEPS:
    if name not in section:
        problems.append("man page PROBE does not name step %r" % name)

kinds = set()
for n, line in enumerate(open(sys.argv[1]), 1):
    o = json.loads(line)
    kinds.add(o.get("verdict"))
    for key in REQUIRED - o.keys():
        problems.append("line %d: %r missing" % (n, key))
    for key, value in o.items():
        if key not in TOP:
            problems.append("line %d: undocumented key %r" % (n, key))
        elif not isinstance(value, TOP[key]) or (TOP[key] is int and isinstance(value, bool)):
            problems.append("line %d: %r is %r" % (n, key, type(value).__name__))
        elif key in ENUMS and value not in ENUMS[key]:
            problems.append("line %d: %r is %r, not one of %s" % (n, key, value, sorted(ENUMS[key])))
    if "expect" in o and set(o["expect"]) - {"met", "failed"}:
        problems.append("line %d: expect holds %s" % (n, sorted(o["expect"])))
    if "methods" in o and not set(o["methods"]) <= {"noauth", "gssapi", "userpass"}:
        problems.append("line %d: methods %r" % (n, o["methods"]))
    for s in o.get("steps", []):
        for key, value in s.items():
            if key not in STEP:
                problems.append("line %d: undocumented step key %r" % (n, key))
            elif not isinstance(value, STEP[key]):
                problems.append("line %d: step %r is %r" % (n, key, type(value).__name__))
        if s.get("step") not in STEPS:
            problems.append("line %d: unknown step %r" % (n, s.get("step")))
        if "peer" in s and s["peer"] not in ENUMS["peer"]:
            problems.append("line %d: step peer %r" % (n, s["peer"]))
        if s.get("status") not in STATUS:
            problems.append("line %d: unknown status %r" % (n, s.get("status")))
print("verdicts seen:", " ".join(sorted(k for k in kinds if k)))
for p in problems:
    print("schema:", p)
sys.exit(1 if problems else 0)
PY
if "$PY" "$T/schema.py" "$SC_OUT" "$ROOT/man/sockscope.1" >"$T/schema.out" 2>&1; then
	ok "every object follows the documented schema ($(head -1 "$T/schema.out"))"
else
	fail "probe JSON and the documented schema differ"
	sed 's/^/       | /' "$T/schema.out"
fi
lines=$(wc -l <"$SC_OUT")
[ "$lines" -eq 8 ] && ok "one object per input line: $lines" || fail "expected 8 objects, got $lines"
for v in socks not-socks unreachable error; do
	grep -q "\"verdict\":\"$v\"" "$SC_OUT" && ok "a $v object was checked" || fail "no $v object to check"
done

finish
