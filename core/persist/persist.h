/* A manager that keeps its data (mgrd --data-dir): the room that restores
 * the store from its directory at start, journals every change the store
 * reports while it runs, and compacts the journal into a new snapshot in
 * the background.  It includes the wire and the engine, never the server:
 * mgrd joins the two with the server's journal hooks (server.h).
 *
 * Durability: with MGR_FSYNC_ALWAYS a round of requests is written and
 * fsync'd before any of its replies goes out (one fsync for all the
 * clients of the round); with EVERYSEC written before, fsync'd within a
 * second; with NO written before, fsync'd when the system pleases.  A
 * write that fails in spite of the space reserved stops mgrd without
 * sending the round's replies. */
#ifndef MGR_PERSIST_H
#define MGR_PERSIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "load.h"
#include "store.h"

enum mgr_fsync { MGR_FSYNC_ALWAYS, MGR_FSYNC_EVERYSEC, MGR_FSYNC_NO };

struct mgr_persist_opts {
	const char *dir;
	enum mgr_fsync fsync;
	uint64_t compact_min;	/* journal bytes before a compaction; 0: 4 MiB */
	bool repair;		/* cut a journal at a corrupt middle record */
};

struct mgr_persist;

/* Lock and load the directory into s (an empty store nobody serves yet),
 * then journal s's changes.  0, or -errno with a message in err. */
int mgr_persist_open(const struct mgr_persist_opts *o, struct mgr_store *s,
		     struct mgr_persist **out, char *err, size_t errlen);
/* Write what the last round changed, and fsync as the policy says; reap
 * or start a compaction.  Exits the process when it cannot. */
void mgr_persist_commit(struct mgr_persist *p);
/* Whether replies may go out now: nothing changed since the last commit,
 * or the policy is not MGR_FSYNC_ALWAYS and what changed is written now
 * (by a commit).  With ALWAYS changes wait for the round's commit, so
 * that many share one fsync. */
bool mgr_persist_settled(struct mgr_persist *p);
/* Whether a request of size bytes may run: 0, or -ENOSPC with a message
 * when there is no disk space to journal what it may change. */
int mgr_persist_admit(struct mgr_persist *p, const char *op, size_t size, const char **msg);
/* ms until mgr_persist_commit wants calling again, -1 for never. */
int mgr_persist_timeout(struct mgr_persist *p);
/* Write a consistent snapshot of s to file (p may be NULL: a manager
 * without a directory).  0, or -errno with a message. */
int mgr_persist_backup(struct mgr_persist *p, struct mgr_store *s, const char *file,
		       char *err, size_t errlen);
/* Commit, wait for a compaction, stop journalling, unlock. */
void mgr_persist_close(struct mgr_persist *p);

/* Read the directory without serving or changing it: 0 when a manager
 * would start from it (a torn tail is reported, not cut), else -errno
 * with a message.  *ld says what was found; *objects counts the tree. */
int mgr_persist_check(const char *dir, bool repair, struct mgr_load *ld, uint64_t *objects,
		      char *err, size_t errlen);

#endif
