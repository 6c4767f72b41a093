# fish completion for sockscope(1); installed as
# share/fish/vendor_completions.d/sockscope.fish.
# tests/e2e/t-docs.sh checks these lists against the program's own (its
# hidden dump options).

# decode is a mode of its own, and only as the first word.
function __sockscope_decode
    set -l tokens (commandline -opc)
    test (count $tokens) -ge 2; and test "$tokens[2]" = decode
end

# The operands typed so far (options and their arguments skipped).
function __sockscope_operands
    set -l tokens (commandline -opc)
    set -l await 0
    for t in $tokens[2..-1]
        if test $await -eq 1
            set await 0
            continue
        end
        switch $t
            case --proxy --proxy-user --timeout --quit-after-eof --idle-timeout --netrc-file --bind-timeout --color --command --script --file --parallel --target --commands --steps --expect
                set await 1
            case '--*'
            case '-?*'
                # A cluster of short options: the first that takes an
                # argument takes the rest of the word, or the next word.
                if string match -qr -- '^-[^xUwqcsf]*[xUwqcsf]$' $t
                    set await 1
                end
            case '*'
                echo $t
        end
    end
end

function __sockscope_no_operand
    __sockscope_main; and test (count (__sockscope_operands)) -eq 0
end

function __sockscope_first_word
    test (count (commandline -opc)) -eq 1
end

# __sockscope_verb VERB...: the first operand is one of these.
function __sockscope_verb
    set -l ops (__sockscope_operands)
    test (count $ops) -ge 1; and contains -- $ops[1] $argv
end

# watch too, with options of its own after the word.
function __sockscope_watch
    set -l tokens (commandline -opc)
    test (count $tokens) -ge 2; and test "$tokens[2]" = watch
end

function __sockscope_main
    not __sockscope_decode; and not __sockscope_watch
end

complete -c sockscope -f

# Proxy URL schemes, as curl spells them.
set -l __sockscope_schemes 'socks4://\t"SOCKS4, names resolved here"
    socks4a://\t"SOCKS4a, names sent to the proxy"
    socks5://\t"SOCKS5, names resolved here"
    socks5h://\t"SOCKS5, names sent to the proxy (the default)"'

# Options of every mode but decode.
complete -c sockscope -n __sockscope_main -s x -l proxy -x -a "$__sockscope_schemes" -d 'Proxy URL; repeat for a chain'
# The config file's proxies, as -x takes them: @NAME.
function __sockscope_named
    set -l conf $HOME/.config/sockscope/config
    string match -q -- '/*' "$XDG_CONFIG_HOME"; and set conf $XDG_CONFIG_HOME/sockscope/config
    test -r $conf; and awk '$1 == "proxy" && NF >= 3 { print "@" $2 "\tnamed proxy" }' $conf 2>/dev/null
end
complete -c sockscope -n __sockscope_main -s x -l proxy -x -a '(__sockscope_named)'
complete -c sockscope -n __sockscope_main -s U -l proxy-user -x -d 'Credentials USER[:PASS]'
complete -c sockscope -n __sockscope_main -s w -l timeout -x -d 'Bound on the connect and each phase (seconds)'
complete -c sockscope -n __sockscope_main -s v -l verbose -d 'Decoded trace on stderr'
complete -c sockscope -n __sockscope_main -s X -l hex -d 'Annotated hex view of every message'
complete -c sockscope -n __sockscope_main -s j -l json -d 'Machine output in JSON'
complete -c sockscope -n __sockscope_main -s z -l zero-io -d 'Handshake only, no tunnel'
complete -c sockscope -n __sockscope_main -s q -l quit-after-eof -x -d 'Quit SECS after stdin EOF'
complete -c sockscope -n __sockscope_main -l no-shutdown -d 'Keep sending open after stdin EOF (no half-close)'
complete -c sockscope -n __sockscope_main -l idle-timeout -x -d 'End the tunnel when nothing moved for SECS'
complete -c sockscope -n __sockscope_main -l netrc-file -r -F -d 'Credentials by host from FILE'
complete -c sockscope -n __sockscope_main -s 4 -l ipv4 -d 'Resolve names here to IPv4 only'
complete -c sockscope -n __sockscope_main -s 6 -l ipv6 -d 'Resolve names here to IPv6 only'
complete -c sockscope -n __sockscope_main -l bind-timeout -x -d 'bind: how long to wait for the peer (seconds)'
complete -c sockscope -n __sockscope_main -l dgram-raw -d 'udp: each read of stdin is a datagram'
complete -c sockscope -n __sockscope_main -l color -x -a 'auto always never' -d 'When to colour the views'
complete -c sockscope -n __sockscope_main -l show-secrets -d 'Show passwords in dumps and JSON'
complete -c sockscope -n __sockscope_main -l timeline -d 'The phases as a waterfall at the end'
complete -c sockscope -n __sockscope_main -l progress -d 'The tunnel\'s bytes and rates on a terminal'
complete -c sockscope -n __sockscope_main -s c -l command -x -d 'Run REPL commands separated by ;' -a '
    proxy\t"choose the server and version"
    set\t"change a field of a draft"
    unset\t"back to derived or default"
    show\t"the drafts as they would be sent"
    open\t"connect to the proxy"
    greet\t"send the greeting"
    auth\t"send the username/password request"
    request\t"send the request"
    send\t"do whatever phases remain"
    connect\t"shorthand: CONNECT, send"
    bind\t"shorthand: BIND, send"
    udp\t"shorthand: UDP ASSOCIATE, send"
    resolve\t"shorthand: Tor RESOLVE, send"
    raw\t"send these bytes as they are"
    recv\t"show what the server sent since"
    dgram\t"send one datagram through the association"
    tunnel\t"relay stdin/stdout through the connection"
    close\t"close the connection"
    status\t"phase, addresses, bytes, times"
    source\t"run the commands in FILE"
    history\t"the commands entered so far"
    help\t"the commands, or one in detail"
    quit\t"leave"'
complete -c sockscope -n __sockscope_main -s s -l script -r -F -d 'Run the REPL commands in FILE'
complete -c sockscope -n __sockscope_main -s k -l keep-going -d 'Go on after a failing command'
complete -c sockscope -n __sockscope_main -s f -l file -r -F -d 'probe: servers to probe, one URL a line (- for stdin)'
complete -c sockscope -n __sockscope_main -l parallel -x -d 'probe: connections at once'
complete -c sockscope -n __sockscope_main -l target -x -a '(__fish_print_hostnames)' -d 'probe: what CONNECT asks for (HOST:PORT)'
complete -c sockscope -n __sockscope_main -l commands -x -a '(__fish_complete_list , "printf %s\n connect bind udp")' -d 'probe: also try these commands'
complete -c sockscope -n __sockscope_main -l steps -x -a '(__fish_complete_list , "printf %s\n tcp s5-noauth s5-gssapi s5-userpass s5-all s5-auth s5-connect connect s5-connect-domain s5-bind s5-udp s4-connect s4a-connect http-sniff")' -d 'probe: run only these steps'
complete -c sockscope -n __sockscope_main -l expect -x -a '(__fish_complete_list , "printf %s\n reachable socks5 socks4 socks4a noauth gssapi userpass auth connect bind udp")' -d 'probe: what each server must do'
complete -c sockscope -n __sockscope_main -s h -l help -d 'Show the options'
complete -c sockscope -n __sockscope_main -s V -l version -d 'Show the version'

# Verbs: the first operand.
complete -c sockscope -n __sockscope_no_operand -a connect -d 'CONNECT to HOST PORT, then tunnel stdin/stdout'
complete -c sockscope -n __sockscope_no_operand -a bind -d 'BIND: wait for HOST to connect, then tunnel'
complete -c sockscope -n __sockscope_no_operand -a udp -d 'UDP ASSOCIATE: stdin lines as datagrams'
complete -c sockscope -n __sockscope_no_operand -a resolve -d 'Tor RESOLVE: a name to an address'
complete -c sockscope -n __sockscope_no_operand -a resolve-ptr -d 'Tor RESOLVE_PTR: an address to a name'
complete -c sockscope -n __sockscope_no_operand -a probe -d 'What each proxy supports, many at once'
complete -c sockscope -n __sockscope_first_word -a decode -d 'Decode SOCKS bytes offline'
complete -c sockscope -n __sockscope_first_word -a watch -d 'Relay applications to a proxy and show their handshakes'
complete -c sockscope -n __sockscope_no_operand -a '(__fish_print_hostnames)'

# After a verb.
complete -c sockscope -n '__sockscope_verb probe' -a "$__sockscope_schemes"
complete -c sockscope -n '__sockscope_verb connect bind udp resolve; and test (count (__sockscope_operands)) -eq 1' -a '(__fish_print_hostnames)'

# decode's own options.
complete -c sockscope -n __sockscope_decode -l client -d 'The bytes were sent by the client (the default)'
complete -c sockscope -n __sockscope_decode -l server -d 'The bytes were sent by the server'
complete -c sockscope -n __sockscope_decode -s 4 -d 'Decode as SOCKS4 or SOCKS4a'
complete -c sockscope -n __sockscope_decode -s 5 -d 'Decode as SOCKS5'
complete -c sockscope -n __sockscope_decode -l udp -d 'Decode a SOCKS5 UDP datagram'
complete -c sockscope -n __sockscope_decode -s j -l json -d 'One JSON array of the messages'
complete -c sockscope -n __sockscope_decode -l show-secrets -d 'Show passwords instead of ********'
complete -c sockscope -n __sockscope_decode -l color -x -a 'auto always never' -d 'When to colour the views'
complete -c sockscope -n __sockscope_decode -s h -l help -d 'Show the options'
complete -c sockscope -n __sockscope_decode -s V -l version -d 'Show the version'

# watch's own options.
complete -c sockscope -n __sockscope_watch -s x -l proxy -x -a "$__sockscope_schemes" -d 'The upstream proxy; several: a chain'
complete -c sockscope -n __sockscope_watch -s l -l listen -x -d 'Where to listen, [ADDR:]PORT'
complete -c sockscope -n __sockscope_watch -s w -l timeout -x -d 'Bound on each handshake phase'
complete -c sockscope -n __sockscope_watch -s v -l verbose -d 'Every message as a trace line'
complete -c sockscope -n __sockscope_watch -s X -l hex -d 'Annotated hex view of every message'
complete -c sockscope -n __sockscope_watch -s j -l json -d 'JSON lines, one per event'
complete -c sockscope -n __sockscope_watch -l max-sessions -x -d 'Sessions at once'
complete -c sockscope -n __sockscope_watch -l dump-data -x -d 'Hex dump of the first N tunnel bytes each way'
complete -c sockscope -n __sockscope_watch -l allow-remote -d 'Allow a listen address other than loopback'
complete -c sockscope -n __sockscope_watch -l show-secrets -d 'Show passwords instead of ********'
complete -c sockscope -n __sockscope_watch -l color -x -a 'auto always never' -d 'When to colour the views'
complete -c sockscope -n __sockscope_watch -s h -l help -d 'Show the options'
complete -c sockscope -n __sockscope_watch -s V -l version -d 'Show the version'
complete -c sockscope -n __sockscope_decode -s r -l read -r -F -d 'Read a pcap or pcapng file'
complete -c sockscope -n __sockscope_decode -s i -l interface -x -a '(__fish_print_interfaces)' -d 'Capture live on an interface'
complete -c sockscope -n __sockscope_decode -l port -x -d 'A port SOCKS sessions are on'
complete -c sockscope -n __sockscope_decode -l sniff -d 'Also any port whose client speaks SOCKS'
complete -c sockscope -n __sockscope_decode -s v -d 'Each session as a conversation'
complete -c sockscope -n __sockscope_decode -s X -l hex -d 'Messages in the hex view'
complete -c sockscope -n __sockscope_decode -l sessions -d 'One line per session'
complete -c sockscope -n __sockscope_decode -l session -x -d 'Only session N'
complete -c sockscope -n __sockscope_decode -l outcome -x -a 'granted refused no-method auth-failed opaque violation closed undecided' -d 'Only sessions that ended so'
complete -c sockscope -n __sockscope_decode -s c -x -d 'Stop after N sessions'
complete -c sockscope -n __sockscope_decode -l absolute-time -d 'Times of day instead of from the start'
