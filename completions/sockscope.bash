# bash completion for sockscope(1)                         -*- shell-script -*-
#
# Installed as share/bash-completion/completions/sockscope; works with or
# without the bash-completion package (it uses its _filedir when present).
# tests/e2e/t-docs.sh checks these lists against the program's own (its
# hidden dump options).

_sockscope_opts='--proxy --proxy-user --timeout --verbose --hex --json
	--zero-io --quit-after-eof --no-shutdown --idle-timeout --netrc-file
	--ipv4 --ipv6 --bind-timeout --dgram-raw
	--color --show-secrets --timeline --progress --command --script --keep-going --file --parallel
	--target --commands --steps --expect --help --version
	-x -U -w -v -X -j -z -q -4 -6 -c -s -k -f -h -V'
# Options whose argument is the next word (or follows '=').
_sockscope_argopts='--proxy --proxy-user --timeout --quit-after-eof
	--idle-timeout --netrc-file --bind-timeout --color --command --script --file --parallel --target
	--commands --steps --expect'
# Short options that take an argument.
_sockscope_argshort='xUwqcsf'
_sockscope_decode_opts='--client --server --udp --json --show-secrets --color
	--help --version -4 -5 -j -h -V
	--read --interface --port --sniff --hex --sessions --session --outcome
	--absolute-time -r -i -v -X -c'
_sockscope_watch_opts='--proxy --listen --timeout --verbose --hex --json
	--max-sessions --dump-data --allow-remote --show-secrets --color --help
	--version -x -l -w -v -X -j -h -V'
_sockscope_outcomes='granted refused no-method auth-failed opaque violation
	closed undecided'
_sockscope_verbs='connect bind udp resolve resolve-ptr probe'
_sockscope_schemes='socks4:// socks4a:// socks5:// socks5h://'
_sockscope_repl_commands='proxy set unset show open greet auth request send
	connect bind udp resolve raw recv dgram tunnel close status source
	history help quit'
_sockscope_steps='tcp s5-noauth s5-gssapi s5-userpass s5-all s5-auth
	s5-connect connect s5-connect-domain s5-bind s5-udp s4-connect s4a-connect
	http-sniff'
_sockscope_expect='reachable socks5 socks4 socks4a noauth gssapi userpass
	auth connect bind udp'

# _sockscope_add WORD CANDIDATE...: those candidates that start with WORD,
# cut to the part of WORD that bash replaces (it splits words at the
# characters of COMP_WORDBREAKS, such as ':' and '=').
_sockscope_add()
{
	local word=$1 pre='' c i ch
	shift
	for ((i = ${#word} - 1; i >= 0; i--)); do
		ch=${word:i:1}
		case $ch in
		[=:]) [[ $COMP_WORDBREAKS == *"$ch"* ]] && { pre=${word:0:i+1}; break; } ;;
		esac
	done
	for c in "$@"; do
		[[ $c == "$word"* ]] && COMPREPLY+=("${c#"$pre"}")
	done
}

# _sockscope_list WORD ITEM...: one more item of a comma-separated list.
_sockscope_list()
{
	local word=$1 head='' item
	local -a cands=()
	shift
	[[ $word == *,* ]] && head=${word%,*},
	for item in "$@"; do
		# Each item once.
		[[ ,$head == *",$item,"* ]] || cands+=("$head$item")
	done
	_sockscope_add "$word" "${cands[@]}"
	compopt -o nospace 2>/dev/null
}

# The config file's proxy names, as -x takes them: @NAME.
_sockscope_named()
{
	local conf=${XDG_CONFIG_HOME:-$HOME/.config}/sockscope/config
	[[ ${XDG_CONFIG_HOME:-} == /* ]] || conf=$HOME/.config/sockscope/config
	[ -r "$conf" ] && awk '$1 == "proxy" && NF >= 3 { print "@" $2 }' "$conf" 2>/dev/null
}

_sockscope_files()
{
	local cur=$1
	if declare -F _filedir >/dev/null 2>&1; then
		_filedir
	else
		compopt -o filenames 2>/dev/null
		local IFS=$'\n'
		COMPREPLY+=($(compgen -f -- "$cur"))
	fi
}

_sockscope_hosts()
{
	local IFS=$'\n'
	COMPREPLY+=($(compgen -A hostname -- "$1"))
}

# _sockscope_optarg OPTION WORD: complete the argument of OPTION.
_sockscope_optarg()
{
	local opt=$1 word=$2
	case $opt in
	-x | --proxy)
		# shellcheck disable=SC2086,SC2046
		_sockscope_add "$word" $_sockscope_schemes $(_sockscope_named)
		compopt -o nospace 2>/dev/null
		;;
	-s | --script | --netrc-file) _sockscope_files "$word" ;;
	-f | --file)
		_sockscope_add "$word" -
		_sockscope_files "$word"
		;;
	--color)
		_sockscope_add "$word" auto always never ;;
	-c | --command)
		# The first command of the list; a leading quote is readline's.
		word=${word#[\'\"]}
		# shellcheck disable=SC2086
		_sockscope_add "$word" $_sockscope_repl_commands
		;;
	--commands)
		_sockscope_list "$word" connect bind udp ;;
	--steps)
		# shellcheck disable=SC2086
		_sockscope_list "$word" $_sockscope_steps ;;
	--expect)
		# shellcheck disable=SC2086
		_sockscope_list "$word" $_sockscope_expect ;;
	--target) _sockscope_hosts "$word" ;;
	*) ;; # numbers, user names: nothing to offer
	esac
}

_sockscope()
{
	local line=${COMP_LINE:0:COMP_POINT} cur w i j await='' verb='' nops=0
	local -a words=()
	COMPREPLY=()
	read -ra words <<<"$line"
	if [[ ${#words[@]} -eq 0 || $line == *[[:space:]] ]]; then
		words+=('')
	fi
	cur=${words[${#words[@]} - 1]}

	# decode and watch are modes of their own, and only as the first word.
	if [[ ${#words[@]} -gt 2 && ${words[1]} == decode ]]; then
		local prev=${words[${#words[@]} - 2]}
		case $cur in
		--color=*) _sockscope_add "${cur#*=}" auto always never ;;
		--outcome=*)
			# shellcheck disable=SC2086
			_sockscope_add "${cur#*=}" $_sockscope_outcomes ;;
		-*)
			# shellcheck disable=SC2086
			_sockscope_add "$cur" $_sockscope_decode_opts ;;
		*)
			case $prev in
			--color) _sockscope_add "$cur" auto always never ;;
			# shellcheck disable=SC2086
			--outcome) _sockscope_add "$cur" $_sockscope_outcomes ;;
			-r | --read) mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
			-i | --interface)
				mapfile -t COMPREPLY < <(compgen -W "$(ls /sys/class/net 2>/dev/null)" -- "$cur") ;;
			esac
			;;
		esac
		return 0
	fi

	# watch too, with options of its own after the word.
	if [[ ${#words[@]} -gt 2 && ${words[1]} == watch ]]; then
		case $cur in
		--color=*) _sockscope_add "${cur#*=}" auto always never ;;
		--proxy=*) _sockscope_add "${cur#*=}" $_sockscope_schemes ;;
		-*)
			# shellcheck disable=SC2086
			_sockscope_add "$cur" $_sockscope_watch_opts ;;
		*)
			case ${words[${#words[@]} - 2]} in
			--color) _sockscope_add "$cur" auto always never ;;
			-x | --proxy)
				# shellcheck disable=SC2086
				_sockscope_add "$cur" $_sockscope_schemes
				compopt -o nospace 2>/dev/null ;;
			esac ;;
		esac
		return 0
	fi

	# Walk the words before the current one: options, their arguments, and
	# the operands (the first is the verb, or the target's host).
	for ((i = 1; i < ${#words[@]} - 1; i++)); do
		w=${words[i]}
		if [[ -n $await ]]; then
			await=''
			continue
		fi
		case $w in
		--*=*) ;;
		--*) [[ " ${_sockscope_argopts//[[:space:]]/ } " == *" $w "* ]] && await=$w ;;
		-?*)
			# A cluster of short options: the first that takes an
			# argument takes the rest of the word, or the next word.
			for ((j = 1; j < ${#w}; j++)); do
				if [[ $_sockscope_argshort == *"${w:j:1}"* ]]; then
					((j == ${#w} - 1)) && await=-${w:j:1}
					break
				fi
			done
			;;
		*)
			nops=$((nops + 1))
			[[ -z $verb ]] && verb=$w
			;;
		esac
	done

	if [[ -n $await ]]; then
		_sockscope_optarg "$await" "$cur"
		return 0
	fi
	case $cur in
	--*=*)
		_sockscope_optarg "${cur%%=*}" "${cur#*=}"
		return 0
		;;
	-*)
		# shellcheck disable=SC2086
		_sockscope_add "$cur" $_sockscope_opts
		return 0
		;;
	esac

	if ((nops == 0)); then
		# shellcheck disable=SC2086
		_sockscope_add "$cur" $_sockscope_verbs
		((${#words[@]} == 2)) && _sockscope_add "$cur" decode watch
		_sockscope_hosts "$cur"
		return 0
	fi
	case $verb in
	probe)
		# shellcheck disable=SC2086
		_sockscope_add "$cur" $_sockscope_schemes
		compopt -o nospace 2>/dev/null
		;;
	connect | bind | udp | resolve)
		((nops == 1)) && _sockscope_hosts "$cur" ;;
	esac
	return 0
}
complete -F _sockscope sockscope
