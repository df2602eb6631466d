# Shared by the tests across hosts: two network namespaces joined by a veth
# pair stand for two hosts.  The server host ($NS_SRV, address $SRV_IP)
# runs mgrd and, for ssh, a real sshd; the client host ($NS_CLI, $CLI_IP)
# runs mgrfs and mgrctl, which reach the manager over the link only, by TCP
# with an authkey or by ssh.  Builds on tests/fs/lib.sh (FUSE, a temporary
# directory, TAP output).
#
# Programs go into a namespace with nsenter --net, which keeps the mount
# namespace: a tree mounted by the client host's mgrfs is seen by this
# shell, and the shell tools used on it run here, their calls answered by
# that mgrfs over its own connection.  Pathname unix sockets are shared by
# every network namespace, so the client host only ever gets tcp: or ssh:
# addresses.
#
# Each script calls net_up with a subnet of its own; namespaces are named
# after the script and its pid, so scripts (and two checkouts) can run at
# the same time.  Everything is undone at exit, failure or not.
#
# Environment (set by meson): MGRD, MGRCTL, MGRFS, SRCDIR, and
# MGR_REMOTE_TRANSPORT (tcp, the default, or ssh) for the scripts that run
# over either.

. "${SRCDIR:-$(dirname "$0")/../..}/tests/fs/lib.sh"

TRANSPORT=${MGR_REMOTE_TRANSPORT:-tcp}
unset MGRFS_AUTHKEY_FILE MGRFS_ADDR

skip() {
	echo "1..0 # SKIP $*"
	exit 77
}

((EUID == 0)) || skip "network namespaces need root"
command -v ip >/dev/null && command -v nsenter >/dev/null || skip "no ip(8) or nsenter(1)"

NS_SRV=
NS_CLI=
SSHD_PID=

_remote_cleanup() {
	# Unmount first: a lazy unmount detaches a mount even while processes
	# are stuck in it.  Quietly: bash's notes on the processes killed
	# here say nothing about the test.
	{
		_fs_cleanup_keep_tmp
		[[ -n $NS_CLI ]] && ip netns del "$NS_CLI"
		[[ -n $NS_SRV ]] && ip netns del "$NS_SRV"
		rm -rf "$TMP"
	} 2>/dev/null
}

# tests/fs/lib.sh's clean-up, and sshd's, without the removal of $TMP, which
# comes last.
_fs_cleanup_keep_tmp() {
	local m p
	for m in "${_mounts[@]}"; do
		fusermount3 -u -z "$m"
	done
	for p in "${_bg_pids[@]}" $MGRD_PID $SSHD_PID; do
		kill -KILL "$p"
	done
	wait
}
trap _remote_cleanup EXIT

# in_srv CMD... / in_cli CMD...: run CMD on the server / client host.  A
# process to be killed later is started as "${IN_CLI[@]}" CMD &, so that
# $! is its pid: nsenter becomes CMD, where a function would leave a
# subshell between them.
in_srv() {
	"${IN_SRV[@]}" "$@"
}

in_cli() {
	"${IN_CLI[@]}" "$@"
}

# net_up N: make the two hosts on 10.N.0.0/24 (N from 1 to 254, one per
# script), the server at 10.N.0.1, the client at 10.N.0.2.  Skips where
# namespaces cannot be made.
net_up() {
	local tag
	tag=mgrt-$(basename "$0" .sh)-$$
	SRV_IP=10.$1.0.1
	CLI_IP=10.$1.0.2
	ip netns add "$tag-srv" 2>/dev/null || skip "cannot make a network namespace"
	NS_SRV=$tag-srv
	ip netns add "$tag-cli" 2>/dev/null || skip "cannot make a second network namespace"
	NS_CLI=$tag-cli
	IN_SRV=(nsenter --net="/run/netns/$NS_SRV")
	IN_CLI=(nsenter --net="/run/netns/$NS_CLI")
	# The pair is made inside the namespaces, so its names never meet
	# another test's.
	ip -n "$NS_SRV" link add veth-s type veth peer name veth-c netns "$NS_CLI" ||
		skip "cannot make a veth pair"
	ip -n "$NS_SRV" addr add "$SRV_IP/24" dev veth-s &&
		ip -n "$NS_CLI" addr add "$CLI_IP/24" dev veth-c &&
		ip -n "$NS_SRV" link set lo up && ip -n "$NS_CLI" link set lo up &&
		ip -n "$NS_SRV" link set veth-s up && ip -n "$NS_CLI" link set veth-c up ||
		bail "cannot set up the link"
	local i
	for ((i = 0; i < 100; i++)); do
		in_cli "$PYTHON" -c "import socket; socket.create_connection(('$SRV_IP', 9), 1)" 2>&1 |
			grep -q ConnectionRefused && return 0
		sleep 0.1
	done
	bail "the server host cannot be reached over the link"
}

# link_down / link_up: cut the link and restore it.  Down, packets are
# dropped without a word to either end, as when a cable is pulled.
link_down() {
	ip -n "$NS_CLI" link set veth-c down
}

link_up() {
	ip -n "$NS_CLI" link set veth-c up
}

# start_sshd: a real sshd on the server host, port 22, with a throwaway
# host key, accepting a throwaway key of the user running the test (root).
# SSH_OPTS are mgrctl's and mgrfs's -o options that reach it.  Skips
# where sshd cannot be had.
start_sshd() {
	local sshd=/usr/sbin/sshd i
	[[ -x $sshd ]] || sshd=$(command -v sshd) || skip "no sshd"
	command -v ssh >/dev/null && command -v ssh-keygen >/dev/null || skip "no ssh or ssh-keygen"
	mkdir -p /run/sshd
	mkdir -m 700 "$TMP/ssh"
	ssh-keygen -q -t ed25519 -N '' -C mgrfs-test-host -f "$TMP/ssh/host_key" &&
		ssh-keygen -q -t ed25519 -N '' -C mgrfs-test-client -f "$TMP/ssh/id" &&
		ssh-keygen -q -t ed25519 -N '' -C mgrfs-test-stranger -f "$TMP/ssh/stranger" ||
		bail "ssh-keygen failed"
	cp "$TMP/ssh/id.pub" "$TMP/ssh/authorized_keys"
	# The client knows the host's key: host checking stays on.
	echo "$SRV_IP $(cut -d' ' -f1,2 "$TMP/ssh/host_key.pub")" >"$TMP/ssh/known_hosts"
	: >"$TMP/ssh/empty_known_hosts"
	# StrictModes would refuse keys under the world-writable /tmp.
	cat >"$TMP/ssh/sshd_config" <<-EOF
		ListenAddress $SRV_IP:22
		HostKey $TMP/ssh/host_key
		AuthorizedKeysFile $TMP/ssh/authorized_keys
		PidFile none
		StrictModes no
		UsePAM no
		PasswordAuthentication no
		KbdInteractiveAuthentication no
		PermitRootLogin prohibit-password
		LogLevel VERBOSE
	EOF
	"${IN_SRV[@]}" "$sshd" -D -e -f "$TMP/ssh/sshd_config" 2>>"$TMP/sshd.log" &
	SSHD_PID=$!
	for ((i = 0; i < 100; i++)); do
		in_cli ssh -F /dev/null -i "$TMP/ssh/id" -o BatchMode=yes -o ConnectTimeout=5 \
			-o UserKnownHostsFile="$TMP/ssh/known_hosts" -o StrictHostKeyChecking=yes \
			"$USER_AT$SRV_IP" true 2>/dev/null && break
		kill -0 "$SSHD_PID" 2>/dev/null || skip "sshd does not start: $(tail -n 3 "$TMP/sshd.log")"
		sleep 0.1
	done
	((i < 100)) || skip "sshd does not let the test in: $(tail -n 3 "$TMP/sshd.log")"
	SSH_OPTS="IdentityFile=$TMP/ssh/id,IdentitiesOnly=yes,BatchMode=yes,LogLevel=ERROR"
	SSH_OPTS+=",UserKnownHostsFile=$TMP/ssh/known_hosts,StrictHostKeyChecking=yes,mgrd=$MGRD"
}
USER_AT=$(id -un)@

# start_server [MGRD ARGS...]: the manager on the server host, and the
# addresses and options that reach it:
#   LOCAL_CTL   mgrctl's options on the server host (a unix socket)
#   LOCAL_FS    mgrfs's address and options on the server host
#   REMOTE_CTL  mgrctl's options on the client host ($TRANSPORT)
#   REMOTE_FS   mgrfs's address and options on the client host
# Over TCP every listener asks for the key in $TMP/key; over ssh the unix
# socket asks for none, and ssh authenticates the client.
start_server() {
	local sock=$TMP/sock
	case $TRANSPORT in
	tcp)
		(umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$TMP/key")
		"${IN_SRV[@]}" "$MGRD" -l "unix:$sock" -l "tcp:$SRV_IP:7070" --authkey-file "$TMP/key" "$@" \
			2>>"$TMP/mgrd.log" &
		MGRD_PID=$!
		LOCAL_CTL=(-c "unix:$sock" --authkey-file "$TMP/key")
		LOCAL_FS=("unix:$sock" -o "authkey_file=$TMP/key")
		REMOTE_ADDR=tcp:$SRV_IP:7070
		REMOTE_CTL=(-c "$REMOTE_ADDR" --authkey-file "$TMP/key")
		REMOTE_FS=("$REMOTE_ADDR" -o "authkey_file=$TMP/key")
		;;
	ssh)
		start_sshd
		"${IN_SRV[@]}" "$MGRD" -l "unix:$sock" "$@" 2>>"$TMP/mgrd.log" &
		MGRD_PID=$!
		LOCAL_CTL=(-c "unix:$sock")
		LOCAL_FS=("unix:$sock")
		REMOTE_ADDR=ssh:$USER_AT$SRV_IP:unix:$sock
		REMOTE_CTL=(-c "$REMOTE_ADDR" -o "$SSH_OPTS")
		REMOTE_FS=("$REMOTE_ADDR" -o "$SSH_OPTS")
		;;
	*)
		bail "unknown MGR_REMOTE_TRANSPORT $TRANSPORT"
		;;
	esac
	wait_ping "$MGRD_PID" "${LOCAL_CTL[@]}" || bail "mgrd $* did not answer"
	in_cli "$MGRCTL" "${REMOTE_CTL[@]}" ping >/dev/null 2>"$TMP/stderr" ||
		bail "the manager cannot be reached from the client host over $TRANSPORT: $(cat "$TMP/stderr")"
}

# ml ARGS...: mgrctl on the server host.  mr ARGS...: mgrctl on the client
# host, over the link.
ml() {
	in_srv "$MGRCTL" "${LOCAL_CTL[@]}" "$@"
}

mr() {
	in_cli "$MGRCTL" "${REMOTE_CTL[@]}" "$@"
}

# mount_local DIR [-o OPTS]: mount the manager on DIR from the server host.
# mount_remote DIR [-o OPTS]: mount it on DIR from the client host.
mount_local() {
	local dir=$1
	shift
	mkdir -p "$dir"
	in_srv timeout 30 "$MGRFS" "${LOCAL_FS[@]}" "$@" "$dir" 2>>"$TMP/mgrfs.log" ||
		bail "mgrfs on the server host failed: $(cat "$TMP/mgrfs.log")"
	_mounts+=("$dir")
}

mount_remote() {
	local dir=$1
	shift
	mkdir -p "$dir"
	in_cli timeout 30 "$MGRFS" "${REMOTE_FS[@]}" "$@" "$dir" 2>>"$TMP/mgrfs.log" ||
		bail "mgrfs on the client host failed: $(cat "$TMP/mgrfs.log")"
	_mounts+=("$dir")
}

# lstat PATH FIELD: a field of the manager's stat of PATH, asked on the
# server host.
lstat() {
	ml stat "$1" 2>/dev/null | sed -n "s/^$2: //p"
}

# lstat_is PATH FIELD VALUE: that field is that value now.
lstat_is() {
	[[ $(lstat "$1" "$2") == "$3" ]]
}

# wait_until SECONDS DESC CMD...: CMD succeeds within SECONDS (polling);
# for bounds that the test is about, where wait_for's 20 s is not the
# point.
wait_until() {
	local limit=$1 desc=$2 end
	shift 2
	end=$((SECONDS + limit))
	while ((SECONDS < end)); do
		"$@" >/dev/null 2>&1 && { ok "$desc"; return 0; }
		sleep 0.1
	done
	not_ok "$desc (not within $limit s)"
	return 1
}

# remote_finish: finish, with sshd's messages when something failed.
remote_finish() {
	if ((_failed)) && [[ -s $TMP/sshd.log ]]; then
		echo "# sshd's messages:"
		tail -n 30 "$TMP/sshd.log" | sed 's/^/#   /'
	fi
	fs_finish
}
