/* The client's insides, shared by its modules.
 *
 * libmgr's client: requests go out as frames with a fresh id; replies come
 * back in any order and are matched to their calls through a table keyed
 * by id.
 *
 * One mutex (lock) guards the table and the connection state; another
 * (wlock) makes each frame's write whole.  Callbacks never run with either
 * held, so a callback may call into the client again.  The read buffer
 * belongs to whoever reads: the I/O thread with MGR_CLIENT_THREAD, else the
 * caller of the moment.
 *
 * With MGR_CLIENT_THREAD the I/O thread is the only reader, and mgrd stops
 * reading a connection whose replies back up until they are read.  Were
 * the I/O thread to block in send(), or wait for wlock held by a thread
 * blocked there, nobody would read and nothing would ever move again.  So
 * frames are queued in wbuf and written without blocking; what the socket
 * does not take at once, the I/O thread writes as it drains, between
 * reads.
 *
 * Keepalive (see mgrfs(7)): whoever reads also pings, acknowledges and
 * watches the silence, so a blocking call polls with a timeout rather
 * than sleeping in recv().  With MGR_CLIENT_RECONNECT the I/O thread opens
 * each new link as a separate unthreaded client, which runs the whole
 * handshake, and then takes over its descriptor. */
#ifndef MGR_CLI_H
#define MGR_CLI_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <yajl/yajl_tree.h>

#include "addr.h"
#include "buf.h"
#include "client.h"
#include "spin.h"

/* The modules, bottom up: cli (this: the client's state and small
 * helpers), pending (calls in flight and their completion), io (frames
 * in and out, requests), keepalive, request (waiting for replies and
 * dispatching them), handshake (hello and key exchange), thread (the I/O
 * thread's work on one link) and link (connecting, reconnecting,
 * closing).  Each includes only those below it; request.c and link.c
 * define the functions of client.h, the room's public header, and page.c
 * lists in pages on top of it. */

/* How long a manager may take to greet us and to answer the key exchange. */
#define CLI_HELLO_TIMEOUT_MS 30000
/* Room made before each read: many small replies fit in one read(). */
#define CLI_READ_CHUNK 65536
/* How long an exec: child gets to exit after its socket closes, and again
 * after SIGTERM, before it is killed. */
#define CLI_REAP_GRACE_MS 2000
/* With the I/O thread: how much output may wait before other threads
 * sending more wait for it to drain.  The I/O thread never waits (it would
 * wait for itself): its frames go in whatever the queue holds. */
#define CLI_WQUEUE_MAX ((size_t)4 << 20)
/* Reconnecting: the first attempt after CLI_RELINK_MIN_MS, the pause doubling
 * up to RELINK_MAX_MS; a manager gets RELINK_HELLO_MS to greet us. */
#define CLI_RELINK_MIN_MS 100
#define CLI_RELINK_MAX_MS 5000
#define CLI_RELINK_HELLO_MS 10000

/* One outstanding call.  An async call's record is allocated and freed on
 * completion; a sync call's lives on its caller's stack. */
struct pending {
	uint64_t id;
	struct pending *next;		/* hash chain, or a list of failed calls */
	mgr_reply_fn cb;		/* async: may be NULL to drop the reply */
	void *arg;
	bool sync;
	bool done;			/* sync: completed */
	int err;			/* sync: the connection failed */
	pthread_cond_t *cond;		/* sync with the I/O thread */
	struct mgr_reply reply;		/* sync: the reply */
};

struct mgr_client {
	int fd;
	pid_t pid;			/* exec: the command, else 0 */
	bool threaded;
	struct mgr_client_opts opts;

	pthread_mutex_t lock;
	uint64_t next_id;
	struct pending **table;		/* nbuckets chains, indexed by id */
	size_t nbuckets, count;
	bool closed;			/* no more calls: close_err says why */
	bool closing;			/* mgr_client_free is under way */
	int close_err;
	int server_err;			/* a reply with "id": null named this */

	pthread_mutex_t wlock;
	struct mgr_buf wbuf;		/* the frame being sent; threaded: the
					 * output queue, unsent from wpos on */
	size_t wpos;
	pthread_cond_t wspace;		/* the queue has room, or is empty */
	int werr;			/* threaded: writing failed or the
					 * connection is over */
	int wake_fd;			/* eventfd: output for the I/O thread */
	int stop_fd;			/* eventfd: mgr_client_free has begun */
	int cancel_fd;			/* a link attempt's: its owner's stop_fd
					 * (not ours to close), or -1 */

	struct mgr_buf rbuf;		/* frames read, from rpos on */
	size_t rpos;
	struct mgr_spin spin;		/* blocking calls without the thread */

	pthread_t thread;
	bool thread_started;

	/* Keepalive, all in ms; 0 ka_ms for none.  last_sent is written by
	 * senders under wlock, the rest belongs to the reader. */
	uint64_t ka_ms;
	uint64_t last_sent, last_recv, last_ping;
	uint64_t ka_due;		/* the next keepalive duty */
	/* Frames read on this link: written by the reader, read by
	 * senders too (atomically), for the acknowledgement that the next
	 * request carries once a reply has carried a queue item (ack_due,
	 * set by the reader, taken by senders), and that mgr_client_free
	 * sends last if any did (acking).  See mgrfs(7). */
	uint64_t frames_in;
	bool acking;
	bool ack_due;
	bool need_ack;			/* replies read since the last ack */
	yajl_gen ackgen;

	/* Reconnecting (under lock, and wlock for link_gen): the link is
	 * down, and a new link has a new generation, so that a request
	 * admitted on the old link never goes out on the new one. */
	bool down;
	uint64_t link_gen;
	pthread_cond_t link_cond;	/* the link is back, or closing */
	struct mgr_addr addr;		/* where to connect again */
	char *name;
	void *key;			/* a copy of the key, or NULL */
	size_t keylen;
};

/* Monotonic clock in milliseconds. */
uint64_t cli_now_ms(void);
/* Milliseconds from now until t (0 when past), for poll(). */
int cli_ms_until(uint64_t t);
/* Set *msg to a formatted message (NULL if there is no memory for it). */
void cli_set_msg(char **msg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Whether the calling thread is c's I/O thread. */
bool cli_on_io_thread(const struct mgr_client *c);
/* The errno a reply's "error" names, always negative. */
int cli_reply_errno(const char *name);
/* Wait for the exec: command to exit, hurrying it along if it does not:
 * closing its socket should end it, SIGTERM after a grace, SIGKILL after
 * another.  Its wait status goes to *status (when not NULL). */
void cli_reap(pid_t pid, int *status);

#endif
