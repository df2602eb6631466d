# A private sshd on the loopback, for the ssh: tests and the benchmark:
# a throwaway host key and user key in a directory of its own, the user key
# authorized for the user running it, a free port, and a known_hosts file
# of its own.  ssh's own configuration (~/.ssh/config) still applies.
#
#   start_sshd DIR [SSHD_CONFIG_LINE]...
#
# Status 0 with SSHD_PID, SSHD_PORT and SSH_OPTS (for mgrctl -o, without
# port= and mgrd=) set; 77 when sshd or ssh is not installed; 1 when it would not
# start, with the reason on stderr.  The caller kills SSHD_PID.

start_sshd() {
	local dir=$1 sshd i
	shift
	sshd=$(command -v sshd || echo /usr/sbin/sshd)
	if [[ ! -x $sshd ]] || ! command -v ssh >/dev/null || ! command -v ssh-keygen >/dev/null; then
		return 77
	fi
	mkdir -p "$dir" || return 1
	# The privilege separation directory sshd insists on.
	mkdir -p /run/sshd 2>/dev/null
	ssh-keygen -q -t ed25519 -N '' -C mgrfs-test-host -f "$dir/host_key" </dev/null &&
		ssh-keygen -q -t ed25519 -N '' -C mgrfs-test-user -f "$dir/user_key" </dev/null ||
		return 1
	cp "$dir/user_key.pub" "$dir/authorized_keys"
	SSHD_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	# StrictModes would refuse keys under /tmp, which others can write to.
	{
		echo "ListenAddress 127.0.0.1"
		echo "Port $SSHD_PORT"
		echo "HostKey $dir/host_key"
		echo "PidFile none"
		echo "AuthorizedKeysFile $dir/authorized_keys"
		echo "PubkeyAuthentication yes"
		echo "PasswordAuthentication no"
		echo "KbdInteractiveAuthentication no"
		echo "UsePAM no"
		echo "StrictModes no"
		echo "PermitRootLogin prohibit-password"
		echo "PrintMotd no"
		echo "MaxStartups 256"
		printf '%s\n' "$@"
	} >"$dir/sshd_config"
	"$sshd" -D -e -f "$dir/sshd_config" 2>>"$dir/sshd.log" &
	SSHD_PID=$!
	SSH_OPTS="IdentityFile=$dir/user_key,IdentitiesOnly=yes"
	SSH_OPTS+=",UserKnownHostsFile=$dir/known_hosts,StrictHostKeyChecking=no"
	SSH_OPTS+=",BatchMode=yes,LogLevel=ERROR"
	for ((i = 0; i < 200; i++)); do
		if ssh -p "$SSHD_PORT" -i "$dir/user_key" -o IdentitiesOnly=yes \
			-o UserKnownHostsFile="$dir/known_hosts" -o StrictHostKeyChecking=no \
			-o BatchMode=yes -o LogLevel=ERROR 127.0.0.1 true </dev/null 2>/dev/null; then
			return 0
		fi
		if ! kill -0 "$SSHD_PID" 2>/dev/null; then
			echo "sshd did not start:" >&2
			cat "$dir/sshd.log" >&2
			return 1
		fi
		sleep 0.05
	done
	echo "sshd on 127.0.0.1:$SSHD_PORT did not let us in:" >&2
	cat "$dir/sshd.log" >&2
	kill "$SSHD_PID" 2>/dev/null
	return 1
}
