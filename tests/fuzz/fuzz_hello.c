/* libFuzzer target: the manager's side of the greeting.  A fresh server
 * with a key greets a connection over a socketpair, as a listener with
 * MGR_LISTEN_AUTH does; the input is what the peer sends before it hangs
 * up, read by the server's own intake (frames of at most
 * MGR_PREAUTH_FRAME_MAX bytes, a response checked by hello_auth, or a
 * request too early).  Built and run by tests/fuzz.sh. */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hello.h"
#include "intake.h"
#include "proto.h"
#include "server.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mgr_server_opts opts = { .authkey = "fuzz", .authkey_len = 4 };
	struct mgr_server *srv = NULL;
	struct conn *c;
	char err[256];
	int sv[2];

	/* The server reads no more than this before it has its answer;
	 * the socket takes it all without a reader. */
	if (size > 2 * MGR_PREAUTH_FRAME_MAX)
		return 0;
	if (mgr_server_new(&opts, &srv, err, sizeof(err)) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
	if (hello_open(srv, sv[0], sv[0], true, "fuzz", &c) < 0)
		abort();
	if (size && write(sv[1], data, size) != (ssize_t)size)
		abort();
	shutdown(sv[1], SHUT_WR);
	while (!c->closing && !c->in_eof)
		intake_read(c);
	close(sv[1]);
	mgr_server_free(srv);
	return 0;
}
