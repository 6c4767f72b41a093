# Sourced by lib.sh: starting the real SOCKS servers the tests talk to
# (danted, microsocks, ssh -D, tor), each on a free loopback port, stopped by
# PID at the end of the test, and the system users some of them need.

# ------------------------------------------------------------ dante

# start_danted [none|username] [EXTRA CONFIG LINES...]
# Sets DANTED_PORT, DANTED_PID, DANTED_LOG.  Retries with a new port if the
# chosen one was taken in between.  `DANTED_LISTEN=::1 start_danted ...`:
# on ::1, for clients and targets on ::1.
_DANTED_N=0
start_danted() {
	local method=${1:-none} try conf port pid dir line
	local addr=${DANTED_LISTEN:-127.0.0.1} from=127.0.0.0/8 to=0.0.0.0/0
	[ "$addr" = ::1 ] && from=::1/128 to=::/0
	[ $# -gt 0 ] && shift
	need_cmd danted
	need_root   # user.privileged: root, and username checks read /etc/shadow
	_DANTED_N=$((_DANTED_N + 1))
	dir="$T/danted$_DANTED_N"
	mkdir -p "$dir"
	chmod 755 "$dir"
	for try in 1 2 3; do
		port=$(free_port)
		conf="$dir/danted.conf"
		DANTED_LOG="$dir/danted.log"
		: >"$DANTED_LOG"
		{
			echo "logoutput: $DANTED_LOG"
			echo "internal: $addr port = $port"
			echo "external: $addr"
			echo "clientmethod: none"
			echo "socksmethod: $method"
			echo "user.privileged: root"
			echo "user.unprivileged: nobody"
			# One keyword per line: on one line, dante's parser takes what
			# follows `command:` as more commands ("log: ..." is a syntax error).
			echo "client pass {"
			echo "	from: $from to: $to"
			echo "	log: error"
			echo "}"
			echo "socks pass {"
			echo "	from: $from to: $to"
			echo "	command: bind connect udpassociate bindreply udpreply"
			echo "	log: error connect disconnect"
			echo "}"
			for line in "$@"; do echo "$line"; done
		} >"$conf"
		"$(command -v danted || echo /usr/sbin/danted)" -f "$conf" -p "$dir/danted.pid" \
			>"$dir/stdout.log" 2>&1 </dev/null &
		pid=$!
		track_pid "$pid"
		if wait_listen "$port" "$pid" 5; then
			DANTED_PORT=$port
			DANTED_PID=$pid
			return 0
		fi
		stop_pid "$pid"
		if grep -q 'problem on line' "$DANTED_LOG"; then
			die "danted rejects its configuration: $(grep 'problem on line' "$DANTED_LOG")"
		fi
		note "danted on port $port did not come up (try $try): $(tail -n 3 "$DANTED_LOG")"
	done
	die "danted would not start; see $DANTED_LOG"
}

# ------------------------------------------------------------ microsocks

# start_microsocks [-u USER -P PASS] [-i ::1]: sets MS_PORT, MS_PID.
_MS_N=0
start_microsocks() {
	local try port
	need_cmd microsocks
	_MS_N=$((_MS_N + 1))
	for try in 1 2 3; do
		port=$(free_port)
		start_bg "microsocks$_MS_N" microsocks -i 127.0.0.1 -p "$port" "$@"
		if wait_listen "$port" "$BG_PID" 5; then
			MS_PORT=$port
			MS_PID=$BG_PID
			return 0
		fi
		stop_pid "$BG_PID"
	done
	die "microsocks would not start: $(cat "$T/microsocks$_MS_N.log")"
}

# ------------------------------------------------------------ sshd + ssh -D

# start_sshd_socks: an sshd on loopback with its own host key, a throwaway
# client key, and `ssh -N -D` through it.  Sets SSHD_PORT, SSHD_PID,
# SSH_SOCKS_PORT, SSH_PID.  Logs in as the current user (root in CI).
# `SSH_SOCKS_LISTEN=::1 start_sshd_socks`: ssh -D on [::1], and sshd may
# connect to IPv6 targets (sshd itself stays on 127.0.0.1).
start_sshd_socks() {
	local d="$T/sshd" sshd user usepam=no try port sport pw
	local listen=${SSH_SOCKS_LISTEN:-127.0.0.1} family=inet
	[ "$listen" = ::1 ] && listen="[::1]" family=any
	need_cmd sshd ssh ssh-keygen
	sshd=$(command -v sshd || echo /usr/sbin/sshd)   # sshd insists on an absolute path
	user=$(id -un)
	mkdir -p "$d"
	chmod 700 "$d"
	ssh-keygen -q -t ed25519 -N '' -C e2e-host -f "$d/host_key" </dev/null || die "ssh-keygen failed"
	ssh-keygen -q -t ed25519 -N '' -C e2e-client -f "$d/client_key" </dev/null || die "ssh-keygen failed"
	cp "$d/client_key.pub" "$d/authorized_keys"
	chmod 600 "$d/authorized_keys"
	# sshd refuses to start without its privilege separation directory, which
	# only the packaged service creates (at boot, on tmpfs).
	if [ "$(id -u)" = 0 ] && [ ! -d /run/sshd ]; then
		mkdir -p -m 0755 /run/sshd
	fi
	# Without PAM, sshd refuses a key login to an account whose password is
	# locked ("!..."); with PAM it does not look.
	pw=$(getent shadow "$user" 2>/dev/null | cut -d: -f2)
	case $pw in '!'*) usepam=yes ;; esac
	for try in 1 2 3; do
		port=$(free_port)
		cat >"$d/sshd_config" <<-EOF
			Port $port
			ListenAddress 127.0.0.1
			AddressFamily $family
			HostKey $d/host_key
			PidFile $d/sshd.pid
			AuthorizedKeysFile $d/authorized_keys
			StrictModes no
			PubkeyAuthentication yes
			PasswordAuthentication no
			KbdInteractiveAuthentication no
			UsePAM $usepam
			PermitRootLogin prohibit-password
			AllowUsers $user
			AllowTcpForwarding yes
			X11Forwarding no
			PermitTTY no
			LogLevel VERBOSE
		EOF
		"$sshd" -t -f "$d/sshd_config" >"$d/sshd-t.log" 2>&1 || die "sshd -t: $(cat "$d/sshd-t.log")"
		"$sshd" -D -e -f "$d/sshd_config" >"$d/sshd.log" 2>&1 </dev/null &
		SSHD_PID=$!
		track_pid "$SSHD_PID"
		if wait_listen "$port" "$SSHD_PID" 5; then
			SSHD_PORT=$port
			break
		fi
		stop_pid "$SSHD_PID"
		SSHD_PORT=
	done
	[ -n "$SSHD_PORT" ] || die "sshd would not start; see $d/sshd.log"
	for try in 1 2 3; do
		sport=$(free_port)
		ssh -F /dev/null -N -D "$listen:$sport" -p "$SSHD_PORT" -i "$d/client_key" \
			-o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=no \
			-o UserKnownHostsFile=/dev/null -o ExitOnForwardFailure=yes \
			-o ConnectTimeout=5 -o LogLevel=ERROR "$user@127.0.0.1" \
			>"$d/ssh.log" 2>&1 </dev/null &
		SSH_PID=$!
		track_pid "$SSH_PID"
		if wait_listen "$sport" "$SSH_PID" 10; then
			SSH_SOCKS_PORT=$sport
			return 0
		fi
		stop_pid "$SSH_PID"
	done
	die "ssh -D would not start: $(cat "$d/ssh.log")"
}

# ------------------------------------------------------------ tor

# start_tor: tor with two SocksPorts, one with ExtendedErrors and one
# without.  Run it only in a private network namespace (lib_netns.sh), where
# it never bootstraps.  Sets TOR_PORT (ExtendedErrors), TOR_PLAIN_PORT,
# TOR_PID.
start_tor() {
	local _
	need_cmd tor
	mkdir -p "$T/tor-data"
	chmod 700 "$T/tor-data"
	for _ in 1 2 3; do
		TOR_PORT=$(free_port)
		TOR_PLAIN_PORT=$(free_port)
		[ "$TOR_PORT" != "$TOR_PLAIN_PORT" ] || continue
		cat >"$T/torrc" <<-EOF
			SocksPort 127.0.0.1:$TOR_PORT ExtendedErrors
			SocksPort 127.0.0.1:$TOR_PLAIN_PORT
			DataDirectory $T/tor-data
			Log notice stderr
			AvoidDiskWrites 1
		EOF
		start_bg tor tor -f "$T/torrc" --defaults-torrc /dev/null
		TOR_PID=$BG_PID
		if wait_listen "$TOR_PORT" "$TOR_PID" 15 && wait_listen "$TOR_PLAIN_PORT" "$TOR_PID" 5; then
			return 0
		fi
		stop_pid "$TOR_PID"
	done
	die "tor would not start: $(tail -n 5 "$T/tor.log")"
}

# ------------------------------------------------------------ a system user

# make_test_user: a throwaway user with a password, for danted's username
# method; removed on exit.  Sets TEST_USER, TEST_PASS.
make_test_user() {
	need_root
	need_cmd useradd chpasswd userdel
	TEST_USER="sse2e$$"
	TEST_PASS="pw-$$-$RANDOM"
	local i
	for i in $(seq 40); do # /etc/passwd's lock may be held a moment
		useradd -M -N -d /nonexistent -s /usr/sbin/nologin "$TEST_USER" 2>/dev/null && break
		sleep 0.05
	done
	getent passwd "$TEST_USER" >/dev/null || die "useradd $TEST_USER failed"
	_USERS+=("$TEST_USER")
	printf '%s:%s\n' "$TEST_USER" "$TEST_PASS" | chpasswd || die "chpasswd failed"
}
