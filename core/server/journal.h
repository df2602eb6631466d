/* The hooks of a journal in the server's loop: server.h's public API and
 * the loop's state (srv.h) both hold them. */
#ifndef MGR_SERVER_JOURNAL_H
#define MGR_SERVER_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

/* What a manager that keeps its data on disk asks of the loop (mgrd
 * --data-dir; core/persist does the work).  Every member may be NULL. */
struct mgr_server_journal {
	/* Before a request runs: 0, or -errno with a message to refuse it
	 * with, before it changes anything. */
	int (*admit)(void *arg, const char *op, size_t size, const char **msg);
	/* After a round of requests and events, before any of its replies
	 * goes out: what the round changed is to be made durable. */
	void (*commit)(void *arg);
	/* Whether the replies made so far may go out before the round's
	 * end: nothing changed since the last commit, or what changed is
	 * as durable now as the policy asks (it may commit to make it so). */
	bool (*settled)(void *arg);
	/* ms until commit wants calling though nothing happens, -1 never. */
	int (*timeout)(void *arg);
	/* The "snapshot" request: write a consistent copy of the store to
	 * file.  0, or -errno with a message in msg. */
	int (*snapshot)(void *arg, const char *file, char *msg, size_t msglen);
	void *arg;
};
#endif
