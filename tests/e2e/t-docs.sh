#!/usr/bin/env bash
# The manual and the completion files against the program, in the spirit of
# curl's test1139: every option of `--dump-options` and every REPL command of
# `--dump-commands` is documented in the man page and offered by the bash,
# zsh and fish completions (asked as a shell would ask them), and nothing is
# documented or offered that the program does not have.  The man page also
# names every field and value of proto/ and every environment variable cli/
# reads.  `mandoc -Tlint` is clean; bash, zsh and fish accept their files.
. "$(dirname "$0")/lib.sh"
need_sockscope

MAN=$ROOT/man/sockscope.1
BASHC=$ROOT/completions/sockscope.bash
ZSHC=$ROOT/completions/_sockscope
FISHC=$ROOT/completions/sockscope.fish
# The words that pick a mode, from the mode table: VERBS follow the common
# options (-x ...), OWN take their options after the word (decode, watch).
"$SOCKSCOPE" --dump-modes >"$T/modes" || die "--dump-modes exits $?"
VERBS=$(awk '$2 != "own-options" { print $1 }' "$T/modes" | xargs)
OWN=$(awk '$2 == "own-options" { print $1 }' "$T/modes" | xargs)
[ -n "$VERBS" ] || die "--dump-modes printed nothing"
for v in connect probe; do case " $VERBS " in *" $v "*) ;; *) fail "--dump-modes misses $v" ;; esac; done
for v in decode watch; do case " $OWN " in *" $v "*) ;; *) fail "--dump-modes misses $v" ;; esac; done
SCHEMES="socks4:// socks4a:// socks5:// socks5h://"
for f in "$MAN" "$BASHC" "$ZSHC" "$FISHC"; do
	[ -f "$f" ] || die "missing: $f"
done

# ------------------------------------------------------------ what the program has

"$SOCKSCOPE" --dump-options >"$T/opts" 2>"$T/dump.err" || fail "--dump-options exits $?"
"$SOCKSCOPE" --dump-commands >"$T/cmds" 2>>"$T/dump.err" || fail "--dump-commands exits $?"
[ -s "$T/opts" ] || die "--dump-options printed nothing"
if [ -s "$T/cmds" ]; then
	ok "--dump-commands lists $(wc -l <"$T/cmds") REPL commands"
else
	fail "--dump-commands prints nothing: is the REPL built?"
fi
if grep -qvE '^--[a-z0-9][a-z0-9-]*$' "$T/opts"; then
	fail "--dump-options prints something else than one --option a line: $(grep -vE '^--[a-z0-9-]+$' "$T/opts" | head -3)"
fi
# decode has options of its own, which its --help lists.
"$SOCKSCOPE" decode --help | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u >"$T/decode_opts"
grep -q -- '--server' "$T/decode_opts" || fail "decode --help does not list --server"
# Short options: those --help shows at the start of its lines ("  -x, --proxy", "  -4, -6").
"$SOCKSCOPE" --help | grep -oE '^ +(-[A-Za-z0-9](, +| +|$))+' | grep -oE -- '-[A-Za-z0-9]' | sort -u >"$T/shorts"
"$SOCKSCOPE" decode --help | grep -oE '^ +(-[A-Za-z0-9](, +| +|$))+' | grep -oE -- '-[A-Za-z0-9]' | sort -u >"$T/decode_shorts"
[ -s "$T/shorts" ] || die "found no short options in --help"
# watch too.
"$SOCKSCOPE" watch --help | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u >"$T/watch_opts"
"$SOCKSCOPE" watch --help | grep -oE '^ +(-[A-Za-z0-9](, +| +|$))+' | grep -oE -- '-[A-Za-z0-9]' | sort -u >"$T/watch_shorts"
grep -q -- '--max-sessions' "$T/watch_opts" || fail "watch --help does not list --max-sessions"
sort -u "$T/opts" "$T/decode_opts" "$T/watch_opts" >"$T/known_longs"
sort -u "$T/shorts" "$T/decode_shorts" "$T/watch_shorts" >"$T/known_shorts"

# in_list WORD FILE: WORD is a line of FILE.
in_list() { grep -qxF -- "$1" "$2"; }

# ------------------------------------------------------------ the man page

if command -v mandoc >/dev/null 2>&1; then
	# Without a makewhatis database, mandoc says of every .Xr that the
	# "outdated mandoc.db lacks" it: a fact about the machine, not the page.
	mandoc -Tlint "$MAN" >"$T/lint.out" 2>&1
	lint_rc=$?
	grep -v 'outdated mandoc.db lacks .* entry, run makewhatis' "$T/lint.out" >"$T/lint" || true
	if [ -s "$T/lint" ]; then
		fail "mandoc -Tlint (exit $lint_rc):"
		sed 's/^/       | /' "$T/lint"
	else
		ok "mandoc -Tlint says nothing"
	fi
	mandoc -Tascii -Owidth=250 "$MAN" 2>/dev/null | sed 's/.\x08//g' >"$T/man.txt"
else
	fail "mandoc is not installed (debian-packages.txt lists it)"
	: >"$T/man.txt"
fi

# section NAME: the source lines of one .Sh section.
section() {
	awk -v want="$1" '/^\.Sh / { on = (substr($0, 5) == want); next } on' "$MAN"
}
section OPTIONS >"$T/man.options"
section "REPL COMMANDS" >"$T/man.repl"
section "MESSAGE FIELDS" >"$T/man.fields"
section "EXIT STATUS" >"$T/man.exit"
section ENVIRONMENT >"$T/man.env"
section SYNOPSIS >"$T/man.synopsis"
for s in options repl fields exit env synopsis; do
	[ -s "$T/man.$s" ] || fail "man page: no $s section"
done

# Options with an item of their own in OPTIONS ("Fl x", "Fl -proxy").
grep '^\.It ' "$T/man.options" | grep -oE 'Fl -[a-z0-9][a-z0-9-]*' | sed 's/^Fl /-/' | sort -u >"$T/man.items.long"
grep '^\.It ' "$T/man.options" | grep -oE 'Fl [A-Za-z0-9]( |$)' | sed 's/^Fl /-/; s/ $//' | sort -u >"$T/man.items.short"
missing=''
while read -r o; do in_list "$o" "$T/man.items.long" || missing="$missing $o"; done <"$T/opts"
while read -r o; do in_list "$o" "$T/man.items.short" || missing="$missing $o"; done <"$T/shorts"
if [ -z "$missing" ]; then ok "man page: every option has an item in OPTIONS"; else
	fail "man page: OPTIONS lacks$missing"
fi
# Every option the page names anywhere exists.
{
	grep -oE 'Fl -[a-z0-9][a-z0-9-]*' "$MAN" | sed 's/^Fl /-/'
	grep -oE -- '(^|[^a-zA-Z0-9-])--[a-z][a-z0-9-]*' "$T/man.txt" | grep -oE -- '--[a-z][a-z0-9-]*'
} | sort -u >"$T/man.longs"
extra=''
while read -r o; do in_list "$o" "$T/known_longs" || extra="$extra $o"; done <"$T/man.longs"
if [ -z "$extra" ]; then ok "man page: names no option the program lacks"; else
	fail "man page names options the program lacks:$extra"
fi
# Short options named with Fl in OPTIONS.
extra=''
while read -r o; do in_list "$o" "$T/known_shorts" || extra="$extra $o"; done <"$T/man.items.short"
if [ -z "$extra" ]; then ok "man page: every short option in OPTIONS exists"; else
	fail "man page documents short options the program lacks:$extra"
fi

# REPL commands: one item each in REPL COMMANDS, and no other.
grep -oE '^\.It Ic [a-z][a-z-]*' "$T/man.repl" | awk '{ print $3 }' | sort -u >"$T/man.cmds"
missing='' extra=''
while read -r c; do in_list "$c" "$T/man.cmds" || missing="$missing $c"; done <"$T/cmds"
while read -r c; do in_list "$c" "$T/cmds" || extra="$extra $c"; done <"$T/man.cmds"
if [ -z "$missing" ] && [ -s "$T/cmds" ]; then ok "man page: every REPL command has an item"; else
	[ -n "$missing" ] && fail "man page: REPL COMMANDS lacks$missing"
fi
if [ -z "$extra" ]; then ok "man page: REPL COMMANDS documents no unknown command"; else
	fail "man page documents REPL commands the program lacks:$extra"
fi

# Verbs and modes in the SYNOPSIS.
missing=''
for v in $VERBS $OWN; do grep -qE "^\.(Op )?Cm $v( |$)" "$T/man.synopsis" || missing="$missing $v"; done
if [ -z "$missing" ]; then ok "man page: SYNOPSIS shows every verb"; else fail "man page: SYNOPSIS lacks$missing"; fi

# Every field of every message (proto/msgs.c) and every value name
# (proto/names.c) in MESSAGE FIELDS.
grep -oE '\.name = "[^"]+"' "$ROOT/proto/msgs.c" | cut -d'"' -f2 | sort -u >"$T/fields"
grep -oE '^\.It [A-Z][A-Z.]*$' "$T/man.fields" | awk '{ print $2 }' | sort -u >"$T/man.fieldnames"
grep -oE '\{ *0x[0-9a-fA-F]+, *0x[0-9a-fA-F]+, *"[^"]+"' "$ROOT/proto/names.c" | cut -d'"' -f2 | sort -u >"$T/keys"
grep -oE '(^\.| )Sy [a-z0-9-]+' "$T/man.fields" | awk '{ print $NF }' | sort -u >"$T/man.keys"
[ -s "$T/fields" ] && [ -s "$T/keys" ] || die "found no fields or names in proto/"
missing=''
while read -r f; do in_list "$f" "$T/man.fieldnames" || missing="$missing $f"; done <"$T/fields"
if [ -z "$missing" ]; then ok "man page: all $(wc -l <"$T/fields") field names"; else
	fail "man page: MESSAGE FIELDS lacks the fields$missing"
fi
extra=''
while read -r f; do in_list "$f" "$T/fields" || extra="$extra $f"; done <"$T/man.fieldnames"
[ -z "$extra" ] || fail "man page: MESSAGE FIELDS has fields proto/ lacks:$extra"
missing=''
while read -r k; do in_list "$k" "$T/man.keys" || missing="$missing $k"; done <"$T/keys"
if [ -z "$missing" ]; then ok "man page: all $(wc -l <"$T/keys") value names"; else
	fail "man page: MESSAGE FIELDS lacks the values$missing"
fi
extra=''
while read -r k; do in_list "$k" "$T/keys" || extra="$extra $k"; done <"$T/man.keys"
if [ -z "$extra" ]; then ok "man page: every value name it gives is proto/'s"; else
	fail "man page: MESSAGE FIELDS gives value names proto/ lacks:$extra"
fi

# Exit statuses 0 to 7, and every environment variable cli/ reads.
missing=''
for n in 0 1 2 3 4 5 6 7; do grep -qx "\.It $n" "$T/man.exit" || missing="$missing $n"; done
if [ -z "$missing" ]; then ok "man page: exit statuses 0 to 7"; else fail "man page: EXIT STATUS lacks$missing"; fi
missing=''
for v in $(grep -ohE 'getenv\("[A-Z_]+"\)' "$ROOT"/cli/*.c "$ROOT"/cli/*/*.c | cut -d'"' -f2 | sort -u) XDG_STATE_HOME; do
	grep -qx "\.It Ev $v" "$T/man.env" || missing="$missing $v"
done
if [ -z "$missing" ]; then ok "man page: ENVIRONMENT names every variable cli/ reads"; else
	fail "man page: ENVIRONMENT lacks$missing"
fi
grep -q 'sockscope/history' "$MAN" && ok "man page: FILES names the history file" ||
	fail "man page: the history file is not named"

# ------------------------------------------------------------ the completions, as shells ask

# A folder to complete file names in, and a home for the shells to keep
# their state in (not the user's).
mkdir -p "$T/cwd" "$T/home"
shell_env() { HOME=$T/home XDG_CONFIG_HOME=$T/home/.config XDG_DATA_HOME=$T/home/.local/share \
	XDG_CACHE_HOME=$T/home/.cache "$@"; }
: >"$T/cwd/check.socks"
: >"$T/cwd/fleet.txt"

# cands_bash LINE: what bash's completion offers for LINE (cursor at its end).
cands_bash() {
	(cd "$T/cwd" && shell_env bash --norc --noprofile -c '
		[ "${WITH_BC:-0}" = 1 ] && . /usr/share/bash-completion/bash_completion
		. "$1" || exit 1
		COMP_LINE=$2 COMP_POINT=${#2} COMPREPLY=()
		_sockscope
		printf "%s\n" "${COMPREPLY[@]}"' _ "$BASHC" "$1" 2>>"$T/bash.err")
}

# cands_zsh LINE: the same, from zsh, through a pseudo-terminal (zpty).
cat >"$T/zcap.zsh" <<'EOF'
# zcap.zsh DIR LINE: the candidates zsh's completion system offers for LINE
# with DIR in fpath, one a line.  compadd is wrapped to print its matches.
zmodload zsh/zpty || exit 3
zpty z zsh -f -i
zpty -w z "fpath=($1 \$fpath); autoload -U compinit; compinit -u -D"
zpty -w z "zstyle ':completion:*' list-grouped false; zstyle ':completion:*' insert-tab false"
zpty -w z "zstyle ':completion:*' matcher-list ''"
zpty -w z 'compadd () {
	if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return $?; fi
	typeset -a __hits
	builtin compadd -A __hits "$@"
	local i
	for i in $__hits; do print -r -- "<CAND>$i"; done
}'
# The markers are typed split ('<RE''ADY>') so that the terminal's echo of
# what is typed never looks like their output.  Typing waits for the prompt:
# before it, the line discipline would take ^U itself.
zpty -w z "bindkey '^I' complete-word; PROMPT='<PR''OMPT>'"
zpty -w z "print '<RE''ADY>'"
zpty -r z line '*<READY>*'
zpty -r z line '*<PROMPT>*'
zpty -w -n z "$2"$'\t'
zpty -w -n z $'\C-U'
zpty -w z "print '<E''ND>'"
while zpty -r z line; do
	[[ $line == *'<END>'* ]] && break
	[[ $line == *'<CAND>'* ]] && print -r -- "${${line#*<CAND>}%%$'\r'*}"
done
zpty -d z
EOF
cands_zsh() {
	(cd "$T/cwd" && shell_env timeout 20 zsh -f "$T/zcap.zsh" "$(dirname "$ZSHC")" "$1" 2>>"$T/zsh.err")
}

# cands_fish LINE: fish's `complete -C`, values after "--opt=" cut to the value.
cands_fish() {
	(cd "$T/cwd" && shell_env fish --no-config -c 'source $argv[1]; or exit 1; complete -C $argv[2]' \
		"$FISHC" "$1" 2>>"$T/fish.err") | cut -f1 | sed -E 's/^--[a-z0-9-]+=//'
}

# check_completion SHELL: the same questions to one shell's completion.
check_completion() {
	local sh=$1 fn="cands_$1" got want missing extra o c
	# Options: every one offered after "-", and only known ones.
	$fn 'sockscope -' | sort -u >"$T/$sh.opts"
	if [ ! -s "$T/$sh.opts" ]; then
		fail "$sh: nothing offered for 'sockscope -'"
		sed 's/^/       | /' "$T/$sh.err" 2>/dev/null | head -5
		return
	fi
	missing='' extra=''
	while read -r o; do in_list "$o" "$T/$sh.opts" || missing="$missing $o"; done <"$T/opts"
	while read -r o; do in_list "$o" "$T/$sh.opts" || missing="$missing $o"; done <"$T/shorts"
	while read -r o; do
		in_list "$o" "$T/opts" || in_list "$o" "$T/shorts" || extra="$extra $o"
	done <"$T/$sh.opts"
	if [ -z "$missing" ]; then ok "$sh: offers every option"; else fail "$sh: does not offer$missing"; fi
	if [ -z "$extra" ]; then ok "$sh: offers no unknown option"; else fail "$sh: offers unknown options$extra"; fi
	# decode's options.
	$fn 'sockscope decode --' | sort -u >"$T/$sh.dopts"
	missing='' extra=''
	while read -r o; do in_list "$o" "$T/$sh.dopts" || missing="$missing $o"; done <"$T/decode_opts"
	while read -r o; do in_list "$o" "$T/decode_opts" || extra="$extra $o"; done <"$T/$sh.dopts"
	# decode --help also lists a spelling (--colour) that completion need not offer.
	missing=${missing/ --colour/}
	if [ -z "$missing$extra" ]; then ok "$sh: decode's options"; else
		fail "$sh: decode's options: missing$missing; unknown$extra"
	fi
	# watch's options.
	$fn 'sockscope watch --' | sort -u >"$T/$sh.wopts"
	missing='' extra=''
	while read -r o; do in_list "$o" "$T/$sh.wopts" || missing="$missing $o"; done <"$T/watch_opts"
	while read -r o; do in_list "$o" "$T/watch_opts" || extra="$extra $o"; done <"$T/$sh.wopts"
	if [ -z "$missing$extra" ]; then ok "$sh: watch's options"; else
		fail "$sh: watch's options: missing$missing; unknown$extra"
	fi
	# REPL commands after -c, and only those.
	$fn 'sockscope -c ' | sort -u >"$T/$sh.cmds"
	missing='' extra=''
	while read -r c; do in_list "$c" "$T/$sh.cmds" || missing="$missing $c"; done <"$T/cmds"
	while read -r c; do in_list "$c" "$T/cmds" || extra="$extra $c"; done <"$T/$sh.cmds"
	if [ -z "$missing" ] && [ -s "$T/cmds" ]; then ok "$sh: offers every REPL command after -c"; else
		[ -n "$missing" ] && fail "$sh: -c does not offer$missing"
	fi
	[ -z "$extra" ] || fail "$sh: -c offers unknown REPL commands$extra"
	# Verbs: all, and decode only as the first word.
	$fn 'sockscope ' | sort -u >"$T/$sh.first"
	$fn 'sockscope -x 127.0.0.1:1080 ' | sort -u >"$T/$sh.verbs"
	missing=''
	for c in $VERBS $OWN; do in_list "$c" "$T/$sh.first" || missing="$missing $c"; done
	for c in $VERBS; do in_list "$c" "$T/$sh.verbs" || missing="$missing $c(after -x)"; done
	if in_list decode "$T/$sh.verbs"; then missing="$missing (offers decode after -x)"; fi
	if [ -z "$missing" ]; then ok "$sh: verbs"; else fail "$sh: verbs:$missing"; fi
	# URL schemes after -x and after probe; --color's values; files.
	for q in 'sockscope -x ' 'sockscope --proxy ' 'sockscope probe '; do
		got=$($fn "$q" | sort -u | tr '\n' ' ')
		want=$(printf '%s\n' $SCHEMES | sort -u | tr '\n' ' ')
		if [ "$got" = "$want" ]; then ok "$sh: '$q' offers the URL schemes"; else
			fail "$sh: '$q' offers '$got', expected '$want'"
		fi
	done
	for q in 'sockscope --color ' 'sockscope --color=' 'sockscope decode --color '; do
		got=$($fn "$q" | sort -u | tr '\n' ' ')
		if [ "$got" = "always auto never " ]; then ok "$sh: '$q' offers auto, always, never"; else
			fail "$sh: '$q' offers '$got'"
		fi
	done
	for q in 'sockscope -s ' 'sockscope --script ' 'sockscope -f ' 'sockscope -w 3 probe -f '; do
		got=$($fn "$q" | sort -u | tr '\n' ' ')
		case $got in
		*check.socks*fleet.txt*) ok "$sh: '$q' offers files" ;;
		*) fail "$sh: '$q' offers '$got', not the files" ;;
		esac
	done
	got=$($fn 'sockscope -s che' | tr '\n' ' ')
	[ "$got" = "check.socks " ] && ok "$sh: completes a file name's start" ||
		fail "$sh: 'sockscope -s che' offers '$got'"
}

# The files are valid for their shells, and bash registers the function.
if out=$(bash --norc --noprofile -c '. "$1" && complete -p sockscope' _ "$BASHC" 2>&1); then
	case $out in
	*"-F _sockscope"*sockscope) ok "bash loads the file; complete -p: $out" ;;
	*) fail "bash: complete -p sockscope says: $out" ;;
	esac
else
	fail "bash cannot load $BASHC: $out"
fi
if [ -r /usr/share/bash-completion/bash_completion ]; then
	if out=$(bash --norc --noprofile -c '. /usr/share/bash-completion/bash_completion; . "$1" && complete -p sockscope' _ "$BASHC" 2>&1); then
		case $out in
		*"-F _sockscope"*) ok "bash with bash-completion loaded: complete -p answers" ;;
		*) fail "bash with bash-completion: complete -p sockscope says: $out" ;;
		esac
	else
		fail "bash with bash-completion cannot load the file: $out"
	fi
fi
check_completion bash
if [ -r /usr/share/bash-completion/bash_completion ]; then
	got=$(WITH_BC=1 cands_bash 'sockscope -s che' | tr '\n' ' ')
	[ "$got" = "check.socks " ] && ok "bash, with bash-completion's _filedir: files" ||
		fail "bash with bash-completion: 'sockscope -s che' offers '$got'"
fi

if command -v zsh >/dev/null 2>&1; then
	if out=$(zsh -n "$ZSHC" 2>&1); then ok "zsh -n accepts _sockscope"; else fail "zsh -n: $out"; fi
	if zsh -f -c 'zmodload zsh/zpty' 2>/dev/null; then
		check_completion zsh
	else
		note "zsh has no zpty module: its completion is not asked"
	fi
else
	fail "zsh is not installed (debian-packages.txt lists it)"
fi

if command -v fish >/dev/null 2>&1; then
	if out=$(fish -n "$FISHC" 2>&1); then ok "fish -n accepts sockscope.fish"; else fail "fish -n: $out"; fi
	check_completion fish
else
	fail "fish is not installed (debian-packages.txt lists it)"
fi

# The files by their text too: every --option they hold exists.
for f in "$BASHC" "$ZSHC" "$FISHC"; do
	name=${f##*/}
	{
		grep -v '^[[:space:]]*#' "$f" | grep -oE -- '(^|[^a-zA-Z0-9-])--[a-z][a-z0-9-]*' |
			grep -oE -- '--[a-z][a-z0-9-]*'
		# fish spells them "-l name".
		grep '^complete ' "$f" | grep -oE -- ' -l [a-z][a-z0-9-]*' | sed 's/ -l /--/'
	} | sort -u >"$T/text.$name"
	extra=''
	while read -r o; do in_list "$o" "$T/known_longs" || extra="$extra $o"; done <"$T/text.$name"
	missing=''
	while read -r o; do in_list "$o" "$T/text.$name" || missing="$missing $o"; done <"$T/opts"
	if [ -z "$extra$missing" ]; then ok "$name: its text names exactly the program's options"; else
		fail "$name: names unknown options:$extra; lacks:$missing"
	fi
	missing=''
	while read -r c; do grep -qw -- "$c" "$f" || missing="$missing $c"; done <"$T/cmds"
	[ -z "$missing" ] || fail "$name: its text lacks the REPL commands$missing"
done

finish
