/* Manager addresses, spelled the same everywhere:
 *   unix:PATH   tcp:HOST:PORT   exec:COMMAND   ssh:[USER@]HOST[:ADDR]
 * HOST may be a bracketed IPv6 literal.  A bare path containing '/' is taken
 * as unix:PATH. */
#ifndef MGR_ADDR_H
#define MGR_ADDR_H

#include "buf.h"

enum mgr_addr_kind {
	MGR_ADDR_UNIX,
	MGR_ADDR_TCP,
	MGR_ADDR_EXEC,
	MGR_ADDR_SSH,
};

struct mgr_addr {
	enum mgr_addr_kind kind;
	char *path;	/* unix */
	char *host;	/* tcp, ssh (without brackets) */
	char *port;	/* tcp */
	char *command;	/* exec */
	char *user;	/* ssh, or NULL */
	char *remote;	/* ssh: the address on that host, or NULL for its default */
};

/* Parse s.  0, or -EINVAL with a reason in *err (static).  Release with
 * mgr_addr_release on success. */
int mgr_addr_parse(const char *s, struct mgr_addr *out, const char **err);
void mgr_addr_release(struct mgr_addr *a);

/* The default socket path: $MGRFS_SOCKET, else $XDG_RUNTIME_DIR/mgrfs/socket,
 * else /tmp/mgrfs-UID/socket.  Appended to out (NUL-terminated). */
int mgr_addr_default_socket(struct mgr_buf *out);

/* Turn on TCP's own keepalive on fd, a backstop under the protocol's for
 * peers that never asked for it: probes after a minute of silence, the
 * peer declared dead about a minute later. */
void mgr_tcp_keepalive(int fd);

/* How ssh: addresses reach their host, in the manner of sshfs.  NULL
 * members take the defaults. */
struct mgr_ssh_opts {
	const char *command;		/* default "ssh"; split on blanks */
	/* NULL-terminated "Key=Value": each becomes -o Key=Value, except
	 * port=N, which becomes -p N. */
	const char *const *options;
	const char *mgrd;		/* program to run remotely, default "mgrd" */
};

/* Check one of mgr_ssh_opts.options.  0, or -EINVAL with a reason in *err
 * (static). */
int mgr_ssh_option_check(const char *kv, const char **err);

/* Connect to a and return a connected descriptor, or -errno with a message
 * in *err (malloc'd, the caller frees).
 *
 * exec: the command runs under sh -c with a socketpair as its stdin and
 * stdout.  ssh: ssh(1) runs the same way, with ssh's options (NULL: the
 * defaults), and runs "mgrd --relay [ADDR]" on the host, which joins the
 * stream to the manager there; ssh's prompts and errors go to our stderr,
 * and it ignores the terminal's SIGINT, SIGQUIT and SIGHUP, so that it
 * ends when the descriptor is closed, not before its user.  For both the
 * child's pid is stored in *pid, to be reaped by the caller (else *pid is
 * 0).  For ssh the call returns once the far side has sent something (or
 * ssh has ended or a signal came), so that logging in, prompts included,
 * is not cut short by the caller's wait for the manager's hello.
 * cancel_fd (-1: none) ends a wait for a TCP connection (-ECANCELED) or
 * for ssh's far side once it becomes readable. */
int mgr_addr_connect(const struct mgr_addr *a, const struct mgr_ssh_opts *ssh, int cancel_fd,
		     int *pid, char **err);

#endif
