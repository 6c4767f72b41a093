#!/usr/bin/env bash
# The REPL refuses what it cannot send as asked, before anything is sent:
# an IPv6 target under SOCKS4, a request or auth request that cannot be
# encoded (checked before the greeting goes out), a USERID with a 0x00, a
# name the scheme resolves here that does not resolve; `resolve` under
# socks4:// goes in SOCKS4a's form; script and stdin lines that cannot be
# read whole are refused; URL credentials stay with their URL.  Server: the
# scripted badserver, whose log says what arrived.
. "$(dirname "$0")/lib.sh"
need_sockscope

# 1. SOCKS4 cannot carry an IPv6 target: refused when sending, naming DSTIP.
for how in "connect ::1 80" "set dst [::1]:80; send"; do
	start_badserver ok4
	sc --timeout 15 -- -w 3 -c "proxy socks4://127.0.0.1:$BAD_PORT; $how"
	expect_rc "socks4, IPv6 target ($how)" 2
	expect_err "socks4, IPv6 target ($how): DSTIP named" 'DSTIP.*IPv6'
	nothing_sent "socks4, IPv6 target ($how)"
done

# 2. Every remaining draft is checked before the greeting goes out.
long=$(printf 'a%.0s' $(seq 300))
start_badserver ok5
sc --timeout 15 -- -w 3 -c "proxy socks5h://127.0.0.1:$BAD_PORT; connect $long 80"
expect_rc "a 300-byte name under socks5h" 2
expect_err "a 300-byte name: the field named" 'cannot be encoded: DST\.ADDR'
nothing_sent "a 300-byte name: not even the greeting"
start_badserver ok5
sc --timeout 15 -- -w 3 -c "proxy socks5://127.0.0.1:$BAD_PORT; set user alice; connect 127.0.0.1 80"
expect_rc "userpass offered without a password" 2
expect_err "userpass offered without a password: PASSWD named" 'cannot be encoded: PASSWD'
nothing_sent "userpass offered without a password"

# 3. A user with a 0x00 cannot be a USERID.
sc -- -c 'proxy socks4://127.0.0.1:1; set user a\x00b'
expect_rc "set user with a 0x00 under socks4" 2
expect_err "set user with a 0x00: USERID named" 'USERID.*0x00'

# 4. A name socks4:// and socks5:// resolve here never goes to the proxy.
for scheme in socks4 socks5; do
	start_badserver "$([ $scheme = socks4 ] && echo ok4 || echo ok5)"
	sc --timeout 15 -- -w 3 -c "set dst nonexistent.invalid:80; proxy $scheme://127.0.0.1:$BAD_PORT; send"
	expect_rc "$scheme: a name that does not resolve (exit 3, as in one-shot mode)" 3
	expect_err "$scheme: the lookup error" "cannot resolve 'nonexistent\.invalid'"
	nothing_sent "$scheme: a name that does not resolve"
done

# 5. resolve under socks4://: SOCKS4a's form, DSTIP 0.0.0.1 and the name.
start_badserver ok4
sc --timeout 15 -- -w 3 -c "proxy socks4://127.0.0.1:$BAD_PORT; resolve localhost"
expect_log "resolve over socks4://" "REQUEST4 cd=f0 port=0 ip=0\.0\.0\.1 userid= host=$(printf localhost | od -An -tx1 | tr -d ' \n')"

# 6. Scripts: a read error and a line too long are refused, naming the file.
mkdir -p "$T/dir"
sc -- -s "$T/dir"
expect_rc "-s DIR" 2 && expect_err "-s DIR: named" "$T/dir.*Is a directory"
sc -- -c "source $T/dir"
expect_rc "source DIR" 2 && expect_err "source DIR: named" "$T/dir.*Is a directory"
sc --timeout 10 -- -c 'source /dev/zero'
expect_rc "source /dev/zero" 2 && expect_err "source /dev/zero: named" '/dev/zero: line 1 is longer than 8191 bytes'
{ echo 'show request'; printf 'show request #%09000d\n' 0; echo 'show greeting'; } >"$T/long"
sc -- -s "$T/long"
expect_rc "-s with a line too long" 2
expect_err "-s with a line too long: file and line named" "$T/long: line 2 is longer than 8191 bytes"
if grep -q 'SOCKS5 greeting' "$SC_OUT"; then fail "-s went on after the long line"; else ok "-s stopped at the long line"; fi

# 7. Stdin: a line too long is refused, not run cut short.
printf 'set CMD bind; show request #%09000d\nshow greeting\n' 0 >"$T/stdin-long"
sc --in "$T/stdin-long" --
expect_rc "stdin line too long" 2
expect_err "stdin line too long: named" 'line 1 is longer than 8191 bytes'
if grep -q 'BIND\|SOCKS5 greeting' "$SC_OUT"; then fail "stdin: a truncated or later line ran"; else ok "stdin: nothing ran"; fi

# 8. Credentials from a URL stay with that URL; -U's carry over.
start_badserver ok5
sc --timeout 15 -- -w 3 -c "proxy socks5://alice:s3cret@127.0.0.1:1; proxy socks5://127.0.0.1:$BAD_PORT; connect 127.0.0.1 80"
expect_rc "URL credentials, then a URL without" 0
expect_log "the second proxy offered no auth" 'GREETING methods=00$'
expect_no_log "the second proxy never saw the first URL's user" 'AUTH'
start_badserver ok5
# METHODS userpass alone: ok5 then asks for the credentials.
sc --timeout 15 -- -w 3 -U bob:pw -c "proxy socks5://alice:s3cret@127.0.0.1:1; proxy socks5://127.0.0.1:$BAD_PORT; set METHODS userpass; connect 127.0.0.1 80"
expect_rc "-U, URL credentials, then a URL without" 0
expect_log "the second proxy gets -U's credentials" "AUTH user=$(printf bob | od -An -tx1 | tr -d ' \n') "
expect_no_log "the second proxy never saw alice" "user=$(printf alice | od -An -tx1 | tr -d ' \n')"

# A URL naming a user without a password does not get the previous URL's.
start_badserver ok5
sc --timeout 15 -- -w 3 -c "proxy socks5://alice:s3cret@127.0.0.1:1; proxy socks5://carol@127.0.0.1:$BAD_PORT; set METHODS userpass; connect 127.0.0.1 80"
expect_rc "a URL user without a password, after a URL with one" 2
expect_err "the missing password named" 'cannot be encoded: PASSWD'
nothing_sent "a URL user without a password, after a URL with one"

finish
