#!/usr/bin/env bash
# JSON text values never carry a control character raw: decode --json of
# messages whose text fields (a SOCKS5 domain, an RFC 1929 user name, a
# SOCKS4 USERID) hold C0 controls, ESC sequences, DEL or C1 controls prints
# pure printable ASCII (JSON_ENSURE_ASCII lets DEL through, so json_out.c
# must not hand it over), the value is null and "hex" keeps the bytes.
# A fuzzer found DEL going out raw.
. "$(dirname "$0")/lib.sh"
need_sockscope

# check WHAT HEX FIELD WANT-HEX: decode --json HEX prints only printable
# ASCII and newlines, parses, and FIELD has hex WANT-HEX and a null value.
check() {
	local what=$1 hex=$2 field=$3 want=$4 got
	sc -- decode --json $hex
	expect_rc "$what" 0 || return
	if LC_ALL=C grep -q '[^[:print:]]' "$SC_OUT"; then
		fail "$what: a byte outside printable ASCII in the JSON"
		LC_ALL=C grep -n '[^[:print:]]' "$SC_OUT" | od -c | head -5 | sed 's/^/       /'
	else
		ok "$what: the JSON is printable ASCII"
	fi
	got=$("$PY" -c '
import json, sys
for m in json.load(open(sys.argv[1]))["messages"]:
    for f in m["fields"]:
        if f["name"] == sys.argv[2]:
            print(f.get("hex"), json.dumps(f["value"]))
' "$SC_OUT" "$field")
	if [ "$got" = "$want null" ]; then
		ok "$what: $field is null, its hex $want"
	else
		fail "$what: $field is '$got', expected '$want null'"
	fi
}

# SOCKS5 CONNECT to a 3-byte domain, port 80.
check "domain with DEL" "05 01 00 03 03 61 7f 62 00 50" DST.ADDR 617f62
check "domain with ESC [" "05 01 00 03 04 61 1b 5b 6d 00 50" DST.ADDR 611b5b6d
check "domain with a C1 control (U+009B CSI)" "05 01 00 03 04 61 c2 9b 62 00 50" DST.ADDR 61c29b62
check "domain with NUL and CR" "05 01 00 03 03 61 00 0d 00 50" DST.ADDR 61000d
# RFC 1929 user name with DEL and BEL.
check "UNAME with DEL and BEL" "01 03 61 7f 07 01 70" UNAME 617f07
# SOCKS4 USERID with DEL.
check "SOCKS4 USERID with DEL" "04 01 00 50 7f 00 00 01 61 7f 00" USERID 617f

# Clean text stays text.
sc -- decode --json 05 01 00 03 0b 65 78 61 6d 70 6c 65 2e 6f 72 67 01 bb
got=$("$PY" -c '
import json, sys
print([f["value"] for f in json.load(open(sys.argv[1]))["messages"][0]["fields"] if f["name"] == "DST.ADDR"][0])
' "$SC_OUT")
[ "$got" = example.org ] && ok "a clean name stays text" || fail "a clean name is '$got'"

# One-shot -j: a bound name with a 0x00 in it keeps its bytes after the NUL.
start_badserver domain-nul
sc -- -z -j -w 5 -x "socks5://127.0.0.1:$BAD_PORT" 127.0.0.1 9
expect_rc "domain-nul -z -j" 0
got=$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["bound"])' "$SC_OUT" 2>&1)
if [ "$got" = 'a\x00b:1080' ]; then
	ok "domain-nul -z -j: bound is a\\x00b:1080"
else
	fail "domain-nul -z -j: bound is '$got', expected 'a\\x00b:1080'"
fi

finish
