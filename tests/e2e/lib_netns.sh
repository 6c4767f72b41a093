# tests/e2e/lib_netns.sh: run a test in a private network namespace, whose
# only interface is a loopback the test brings up (tor there cannot reach
# the network).  Source it first, before lib.sh: the re-run must come before
# lib.sh makes its temp folder and traps (they belong inside).
#
#     . "$(dirname "$0")/lib_netns.sh"
#     enter_netns tor "$@"     # re-runs this script inside; skips (77) when
#                              # CMD is missing or namespaces are not permitted
#     . "$(dirname "$0")/lib.sh"
#     netns_lo_up              # after lib.sh: lo up, and nothing beyond it

# enter_netns CMD ARGS...: re-run $0 ARGS in a new network namespace (does
# not return), unless already inside.
enter_netns() {
	local cmd=$1
	shift
	[ -n "${SOCKSCOPE_E2E_NETNS:-}" ] && return 0
	PATH=$PATH:/usr/sbin:/sbin
	if ! command -v "$cmd" >/dev/null 2>&1; then
		echo "SKIP: $cmd is not installed (Debian package $cmd)"
		exit 77
	fi
	if unshare -n true 2>/dev/null; then
		SOCKSCOPE_E2E_NETNS=1 exec unshare -n bash "$0" "$@"
	elif unshare -rn true 2>/dev/null; then
		SOCKSCOPE_E2E_NETNS=1 exec unshare -rn bash "$0" "$@"
	fi
	echo "SKIP: network namespaces are not permitted here (unshare -n: $(unshare -n true 2>&1 | head -1))"
	exit 77
}

# netns_lo_up: the namespace's loopback up; dies if it has more than that.
netns_lo_up() {
	need_cmd ip
	ip link set lo up 2>"$T/ip.err" || skip "cannot bring up lo in the namespace: $(cat "$T/ip.err")"
	if ip -o addr show scope global 2>/dev/null | grep -q .; then
		die "the namespace has addresses beyond loopback: $(ip -o addr show scope global | head -2)"
	fi
}
