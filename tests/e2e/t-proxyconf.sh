#!/usr/bin/env bash
# Proxy settings where users keep them: the environment (as curl reads it),
# named proxies and a default in $XDG_CONFIG_HOME/sockscope/config, and
# credentials from netrc.  Precedence: -x, then the config's default, then
# the environment.  Files holding a password must be private.
. "$(dirname "$0")/lib.sh"
need_sockscope
export HOME="$T/home"
unset XDG_CONFIG_HOME socks_proxy SOCKS_PROXY all_proxy ALL_PROXY
mkdir -p "$HOME/.config/sockscope"
CONF="$HOME/.config/sockscope/config"
start_echo
start_danted none
D=127.0.0.1:$DANTED_PORT
DEAD=127.0.0.1:$(free_port)
line="settings $$"

# ---------------------------------------------------------------- environment
ALL_PROXY="socks5://$D" sc --in-str "$line"$'\n' -- -v -w 5 127.0.0.1 "$ECHO_PORT"
expect_rc "ALL_PROXY, no -x" 0 && expect_out "ALL_PROXY" "$line"$'\n'
expect_err "-v names the variable" "^\* proxy socks5://$D from ALL_PROXY$"

socks_proxy="socks5://$D" ALL_PROXY="socks5://$DEAD" sc --in-str "$line"$'\n' -- -w 5 127.0.0.1 "$ECHO_PORT"
expect_rc "socks_proxy before ALL_PROXY, as curl" 0

ALL_PROXY="http://u:envsecret@$D" sc -- -w 5 127.0.0.1 "$ECHO_PORT"
expect_rc "ALL_PROXY=http://" 2 && expect_err "http:// refused" "ALL_PROXY='http://u:\*+@.*' is an HTTP proxy"
if grep -q envsecret "$SC_ERR"; then fail "http:// refusal shows the password"; else ok "http:// refusal masks the password"; fi
ALL_PROXY="$D" sc -- -w 5 127.0.0.1 "$ECHO_PORT"
expect_rc "ALL_PROXY without a scheme" 2 && expect_err "no scheme" "has no scheme, which curl reads as an HTTP proxy"

# -------------------------------------------------------------- config file
printf 'proxy good socks5://%s   # danted\nproxy dead socks5://%s\ndefault good\n' "$D" "$DEAD" >"$CONF"
ALL_PROXY="socks5://$DEAD" sc --in-str "$line"$'\n' -- -v -w 5 127.0.0.1 "$ECHO_PORT"
expect_rc "config default over the environment" 0 && expect_out "config default" "$line"$'\n'
expect_err "-v names file and line" "from $CONF:1 \(default good\)"

sc -- -w 5 -x "socks5://$DEAD" 127.0.0.1 "$ECHO_PORT"
expect_rc "-x over the config's default" 3
sc -- -w 5 -x @dead 127.0.0.1 "$ECHO_PORT"
expect_rc "-x @dead" 3
sc --in-str "$line"$'\n' -- -w 5 -x @good 127.0.0.1 "$ECHO_PORT"
expect_rc "-x @good" 0 && expect_out "-x @good" "$line"$'\n'
sc -- -w 5 -x @nosuch 127.0.0.1 "$ECHO_PORT"
expect_rc "-x @nosuch" 2 && expect_err "-x @nosuch" "-x @nosuch: $CONF names no such proxy"

# A name for a chain: danted, then microsocks (which closes both ways at
# our half-close: stdin stays open until the echo is back).
start_microsocks
M=127.0.0.1:$MS_PORT
printf 'proxy twice socks5://%s socks5h://%s\n' "$D" "$M" >"$CONF"
sc --hold 0.5 --in-str "$line"$'\n' -- -v -w 5 -x @twice 127.0.0.1 "$ECHO_PORT"
expect_rc "a name for a chain" 0 && expect_out "chain" "$line"$'\n'
expect_err "first hop named" "proxy socks5://$D from $CONF:1 \(@twice\)"
expect_err "second hop named" "proxy socks5h://$M from $CONF:1 \(@twice\)"

# XDG_CONFIG_HOME first.
mkdir -p "$T/xdg/sockscope"
printf 'proxy x socks5://%s\n' "$D" >"$T/xdg/sockscope/config"
XDG_CONFIG_HOME="$T/xdg" sc --in-str "$line"$'\n' -- -w 5 -x @x 127.0.0.1 "$ECHO_PORT"
expect_rc "\$XDG_CONFIG_HOME/sockscope/config" 0

# Hostile files: refused with file:line, nothing run.
printf 'proxy ok socks5://%s\nproxy bad "socks5://unterminated\n' "$D" >"$CONF"
sc -- -w 5 -x @ok 127.0.0.1 "$ECHO_PORT"
expect_rc "unterminated quote" 2 && expect_err "unterminated quote" "$CONF:2: unterminated quote"
printf 'proxy ok socks5://%s\n\0\n' "$D" >"$CONF"
sc -- -w 5 -x @ok 127.0.0.1 "$ECHO_PORT"
expect_rc "NUL byte" 2 && expect_err "NUL byte" "$CONF:2: a NUL byte"
{ printf 'proxy ok socks5://%s\n' "$D"; head -c 5000 /dev/zero | tr '\0' x; } >"$CONF"
sc -- -w 5 -x @ok 127.0.0.1 "$ECHO_PORT"
expect_rc "long line" 2 && expect_err "long line" "$CONF:2: line longer than 4096 bytes"

# ------------------------------------------------------- the REPL's proxy
printf 'proxy good socks5://%s\nproxy gone socks5://%s\n' "$D" "$DEAD" >"$CONF"
sc -- -c 'proxy @good'
expect_rc "REPL: proxy @good" 0 && expect_out "REPL: proxy @good" "proxy socks5://$D"$'\n'
sc -- -c 'proxy @nosuch'
expect_rc "REPL: proxy @nosuch" 2 && expect_err "REPL: proxy @nosuch" "proxy: -x @nosuch: $CONF names no such proxy"
ALL_PROXY="socks5://$D" sc -- -c 'status'
expect_rc "REPL: no default from the environment" 0
if have tmux; then
	TM=(tmux -S "$T/tmux.sock" -f /dev/null)
	"${TM[@]}" new-session -d -x 120 -y 20 -s repl \
		"env HOME='$HOME' XDG_STATE_HOME='$T/state' TERM=xterm NO_COLOR=1 '$SOCKSCOPE'; sleep 30"
	track_pid "$("${TM[@]}" display-message -p -t repl '#{pid}')"
	got=no
	for ((i = 0; i < 100; i++)); do
		"${TM[@]}" capture-pane -p -t repl >"$T/pane" 2>/dev/null
		if [ "$got" = no ] && grep -q '\[closed\]> *$' "$T/pane"; then
			"${TM[@]}" send-keys -t repl 'proxy @go' Tab
			got=prompt
		fi
		[ "$got" = prompt ] && grep -Eq '> proxy @go(od|ne)? *$' "$T/pane" &&
			grep -Eq '@good|@gone' "$T/pane" && break
		sleep 0.05
	done
	if grep -q '@good' "$T/pane" && grep -q '@gone' "$T/pane"; then
		ok "tmux: proxy @go offers @good and @gone"
	else
		fail "tmux: proxy @go did not offer the names"; sed 's/^/       | /' "$T/pane"
	fi
	"${TM[@]}" send-keys -t repl C-u 'proxy @goo' Tab
	for ((i = 0; i < 100; i++)); do
		"${TM[@]}" capture-pane -p -t repl >"$T/pane" 2>/dev/null
		grep -Eq '> proxy @good *$' "$T/pane" && break
		sleep 0.05
	done
	if grep -Eq '> proxy @good *$' "$T/pane"; then ok "tmux: proxy @goo completes to @good"; else fail "tmux: @goo did not complete"; sed 's/^/       | /' "$T/pane"; fi
	"${TM[@]}" kill-session -t repl 2>/dev/null
fi

# A password in a file others can read: refused, naming the file and its mode.
printf 'proxy p socks5://u:confsecret@%s\n' "$D" >"$CONF"
chmod 644 "$CONF"
sc -- -w 5 -x @p 127.0.0.1 "$ECHO_PORT"
expect_rc "readable config with a password" 2 &&
	expect_err "readable config" "$CONF: mode 0644 lets others read the password it holds"
rm -f "$CONF"

# -------------------------------------------------------------------- netrc
start_microsocks -u alice -P "netsecret-$$"
MA=127.0.0.1:$MS_PORT
printf 'machine 127.0.0.1\n  login alice\n  password "netsecret-%s"\n' "$$" >"$HOME/.netrc"
chmod 600 "$HOME/.netrc"
sc --hold 0.5 --in-str "$line"$'\n' -- -v -w 5 -x "socks5://$MA" 127.0.0.1 "$ECHO_PORT"
expect_rc "~/.netrc's credentials" 0 && expect_out "netrc" "$line"$'\n'
expect_err "-v says where the credentials came from" "credentials for 127.0.0.1 from $HOME/.netrc:1"
if grep -q "netsecret" "$SC_ERR"; then fail "-v shows netrc's password"; else ok "-v hides netrc's password"; fi
sc -- -w 5 -x "socks5://$MA" -U alice:wrong 127.0.0.1 "$ECHO_PORT"
expect_rc "-U's password before netrc's" 6

mv "$HOME/.netrc" "$T/netrc"
sc --hold 0.5 --in-str "$line"$'\n' -- -w 5 --netrc-file "$T/netrc" -x "socks5://$MA" 127.0.0.1 "$ECHO_PORT"
expect_rc "--netrc-file" 0 && expect_out "--netrc-file" "$line"$'\n'

# A pipe will do: --netrc-file <(...) keeps the password off the disk.
sc --hold 0.5 --in-str "$line"$'\n' -- -w 5 --netrc-file <(cat "$T/netrc") -x "socks5://$MA" 127.0.0.1 "$ECHO_PORT"
expect_rc "--netrc-file <(...)" 0 && expect_out "--netrc-file <(...)" "$line"$'\n'

chmod 644 "$T/netrc"
sc -- -w 5 --netrc-file "$T/netrc" -x "socks5://$MA" 127.0.0.1 "$ECHO_PORT"
expect_rc "--netrc-file readable by others" 2 &&
	expect_err "--netrc-file readable" "$T/netrc: mode 0644 lets others read the password it holds"
cp -p "$T/netrc" "$HOME/.netrc"
sc -- -w 5 -x "socks5://$MA" 127.0.0.1 "$ECHO_PORT"
expect_rc "~/.netrc readable by others: not used" 6 &&
	expect_err "~/.netrc readable: said" "$HOME/.netrc: mode 0644 .*; not used"
finish
