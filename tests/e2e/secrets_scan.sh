# The search t-secrets.sh and t-secrets-run.sh share: scan.py, and
# no_secret / no_leak / has_secret over the last run's output.  Sourced after
# lib.sh, with USER, PW and WRONG set.


cat >"$T/scan.py" <<'EOF'
"""scan.py SECRET FILE...: exit 1 and name every form of SECRET found.

Forms: the text; its hex in either case with the bytes contiguous or
separated by blanks, colons or line breaks (as hex views and JSON print
them); its base64 in any of the three alignments it can take inside a
longer encoded run; and all of these again after undoing vis(3) octal
escapes (libedit's history file) and \\xNN escapes (sockscope's own text
escaping).  Prints "found FORM in FILE" per hit and nothing else."""
import base64, re, sys

secret = sys.argv[1].encode()
hexre = re.compile(rb"[\s:]*".join(b"%02x" % c for c in secret), re.I)
b64 = set()
for k in range(3):
    enc = base64.b64encode(b"\0" * k + secret)
    # Drop the characters the prefix and the padding touch.
    start = (k * 8 + 5) // 6
    end = len(enc) - enc.count(b"=") - 1
    core = enc[start:end]
    if len(core) >= 6:
        b64.add(core)

def unvis(data):
    return re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m.group(1), 8) & 0xFF]), data)

def unx(data):
    return re.sub(rb"\\x([0-9a-fA-F]{2})", lambda m: bytes([int(m.group(1), 16)]), data)

hits = []
for path in sys.argv[2:]:
    try:
        raw = open(path, "rb").read()
    except OSError:
        continue
    seen = set()
    for data in (raw, unvis(raw), unx(raw), raw.replace(b"\0", b" ")):
        if secret in data:
            seen.add("text")
        if hexre.search(data):
            seen.add("hex")
        for core in b64:
            if core in data:
                seen.add("base64")
    for form in sorted(seen):
        hits.append("found %s in %s" % (form, path))
print("\n".join(hits))
sys.exit(1 if hits else 0)
EOF

# Sanity: the scanner finds every form it claims to.
printf 'x %s y\n' "$PW" >"$T/probe.1"
printf '%s' "$PW" | od -An -tx1 | tr 'a-f' 'A-F' >"$T/probe.2"
printf 'zz%s\n' "$(printf 'ab%s' "$PW" | base64)" >"$T/probe.3"
printf '%s' "$PW" | sed 's/-/\\055/g' >"$T/probe.4"
for i in 1 2 3 4; do
	"$PY" "$T/scan.py" "$PW" "$T/probe.$i" >/dev/null && die "scan.py misses form $i"
done
"$PY" "$T/scan.py" "$PW" /dev/null >/dev/null || die "scan.py finds a secret in nothing"

# no_secret WHAT SECRET FILE...: none of FILEs holds SECRET in any form.
no_secret() {
	local what=$1 secret=$2 hits
	shift 2
	if hits=$("$PY" "$T/scan.py" "$secret" "$@"); then
		ok "$what: no trace of the password"
	else
		fail "$what: the password leaked"
		printf '%s\n' "$hits" | sed 's/^/       /'
		local f
		for f in "$@"; do
			grep -n -a -i -F -e "$secret" -e "$(printf '%s' "$secret" | od -An -tx1 | sed 's/^ //')" \
				"$f" 2>/dev/null | head -5 | cut -c1-200 | sed "s|^|       ${f##*/}: |"
		done
	fi
}
# no_leak WHAT: neither password in the last run's stdout and stderr.
no_leak() {
	no_secret "$1" "$PW" "$SC_OUT" "$SC_ERR"
	no_secret "$1 (wrong password)" "$WRONG" "$SC_OUT" "$SC_ERR"
}
expect_stdout_re() {
	if grep -Eq -- "$2" "$SC_OUT"; then
		ok "$1"
	else
		fail "$1: stdout does not match /$2/"
		_sc_context
	fi
}
# has_secret WHAT FORM FILE...: the control: the search finds FORM (text/hex).
has_secret() {
	local what=$1 form=$2 hits
	shift 2
	hits=$("$PY" "$T/scan.py" "$PW" "$@")
	if printf '%s\n' "$hits" | grep -q "^found $form "; then
		ok "$what: --show-secrets shows it ($form)"
	else
		fail "$what: --show-secrets: no $form form of the password found"
		_sc_context
	fi
}


# AUTH: the RFC 1929 request for USER and PW, in hex.
phex=$(printf '%s' "$PW" | od -An -tx1 | tr -s ' \n' ' ')
uhex=$(printf '%s' "$USER" | od -An -tx1 | tr -s ' \n' ' ')
plen=$(printf '%02x' "${#PW}")
ulen=$(printf '%02x' "${#USER}")
AUTH="01 $ulen $uhex $plen $phex"
