/* libFuzzer target: the client's side of the greeting, and what it reads
 * after it.  The input is what a hostile manager sends: it is in the
 * client's read buffer when the handshake begins, and the socket behind
 * it is closed, so the client reads exactly these bytes and then the end.
 * The first byte chooses: even, the input is the whole greeting (hello,
 * challenge, welcome); odd, a plain hello comes first, the handshake
 * succeeds, and the rest is read as replies and events.  Built and run by
 * tests/fuzz.sh. */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"
#include "frame.h"
#include "handshake.h"
#include "io.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/* As client_alloc in link.c, for a client that is not threaded. */
static struct mgr_client *client_new(int fd)
{
	struct mgr_client *c = calloc(1, sizeof(*c));

	if (!c)
		abort();
	c->fd = fd;
	c->wake_fd = -1;
	c->stop_fd = -1;
	c->cancel_fd = -1;
	pthread_mutex_init(&c->lock, NULL);
	pthread_mutex_init(&c->wlock, NULL);
	pthread_cond_init(&c->wspace, NULL);
	pthread_cond_init(&c->link_cond, NULL);
	return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char hello[] = "{\"hello\":\"mgrd\",\"protocol\":1}";
	struct mgr_client_opts opts = { .authkey = "fuzz", .authkey_len = 4 };
	struct mgr_client *c;
	char *msg = NULL;
	bool plain;
	int sv[2];

	if (!size)
		return 0;
	plain = data[0] & 1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
	close(sv[1]);
	c = client_new(sv[0]);
	if ((plain && mgr_frame_append(&c->rbuf, hello, strlen(hello)) < 0) ||
	    mgr_buf_append(&c->rbuf, data + 1, size - 1) < 0)
		abort();
	if (handshake_run(c, &opts, "fuzz", 1000, &msg) == 0 && plain)
		io_process(c);
	free(msg);
	mgr_client_free(c);
	return 0;
}
