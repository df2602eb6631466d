/* mgrfs: a manager mounted as a tree.  Shared by the frontend's modules:
 * tree.c (names, attributes, directories, values), queue.c, lock.c,
 * notify.c (cache invalidation) and main.c.
 *
 * Every operation is answered asynchronously: a handler sends its request
 * to the manager and returns, and the reply callback answers the kernel.
 * One thread runs both (main.c's loop); only cache invalidation has a
 * thread of its own (notify.c).  A blocked queue read or lock wait is thus
 * a parked request, not a parked thread. */
#ifndef MGRFS_H
#define MGRFS_H

#define FUSE_USE_VERSION 314

#include <fuse_lowlevel.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "client.h"
#include "datum.h"
#include "json.h"
#include "node.h"

/* How long the kernel may trust what it was told: short, because other
 * clients change the tree too (and their changes also invalidate). */
#define FS_TIMEOUT 1.0

/* The manager namespace that holds the locks behind flock on files that
 * are not lock objects. */
#define FS_LOCKDIR ".mgrfs-locks"

struct fs_handle;
struct fs_notify;

struct mgrfs {
	struct fuse_session *se;
	struct mgr_client *client;
	/* Guards the node table and every handle's and parked call's state.
	 * Never held across fuse_req_interrupt_func (an interrupt callback
	 * takes it while libfuse holds the request's lock). */
	pthread_mutex_t lock;
	struct fs_nodes nodes;
	uid_t uid;
	gid_t gid;
	struct fs_notify *notify;
	/* Grows each time the link to the manager broke: content cached and
	 * locks taken in an earlier epoch went with it (changes may have
	 * gone unheard, the session that held the locks is over). */
	uint64_t epoch;
	/* Content may be kept (fs_node_cache_*): only with the client run
	 * from the loop, whose order of events and replies keeps it true. */
	bool cache;
	/* Change events heard, and links broken: what a listing says of
	 * its entries is given to the kernel only while this stays as it
	 * was when the listing began.  Atomic. */
	uint64_t events;
};

/* A call that may wait in the manager (a queue get or put, a lock
 * acquire): the kernel may interrupt it, and then it is cancelled. */
struct fs_park {
	fuse_req_t req;
	struct mgrfs *fs;
	uint64_t id;
	bool sent;
	bool interrupted;
	bool done;
};

/* The positive errno to answer the kernel with for -errno err: a lost
 * manager connection is ENOTCONN, a cancelled wait EINTR. */
int fs_errno(int err);

/* Parse the JSON member type ("queue", ...) of a stat-like result. */
int fs_result_type(yajl_val result);
/* The file type an object of manager type t is shown as. */
mode_t fs_type_fmt(int t);

/* Send r and park it: the kernel's interrupt cancels it in the manager.
 * 0 when sent (cb will run), or -errno (-EINTR when already interrupted)
 * and cb never runs. */
int fs_park_send(struct fs_park *p, struct mgr_req *r, mgr_reply_fn cb, void *arg);
/* First thing in cb: after it no interrupt callback runs for p. */
void fs_park_finish(struct fs_park *p);

/* Lowlevel operations, by module. */
void fs_attr_ops(struct fuse_lowlevel_ops *ops);
void fs_file_ops(struct fuse_lowlevel_ops *ops);
void fs_names_ops(struct fuse_lowlevel_ops *ops);
void fs_writeback_ops(struct fuse_lowlevel_ops *ops);
void fs_dir_ops(struct fuse_lowlevel_ops *ops);
void fs_xattr_ops(struct fuse_lowlevel_ops *ops);
void fs_queue_ops(struct fuse_lowlevel_ops *ops);
void fs_lock_ops(struct fuse_lowlevel_ops *ops);

/* The end of a step that may take a manager call: runs once, maybe
 * before the function that was given it returns. */
typedef void (*fs_done_fn)(void *arg, int err);

/* queue.c, called by tree.c's read, write, flush and release. */
void fs_queue_read(fuse_req_t req, struct fs_handle *h, size_t size, int flags);
void fs_queue_write(fuse_req_t req, struct fs_handle *h, const char *buf, size_t size,
		    int flags);
/* Put the last line written when it had no newline. */
void fs_queue_flush(struct mgrfs *fs, struct fs_handle *h, fs_done_fn done, void *arg);

/* lock.c: give back what an open file held by flock (at release) and what
 * a POSIX lock owner held on a file (at flush). */
void fs_lock_release_flock(struct mgrfs *fs, struct fs_handle *h, fs_done_fn done, void *arg);
void fs_lock_release_posix(struct mgrfs *fs, struct fs_node *node, uint64_t owner,
			   fs_done_fn done, void *arg);
/* -ENOLCK when h's flock hold was lost with a broken link (until h is
 * unlocked or closed), else 0: every read and write of h asks. */
int fs_lock_lost(struct mgrfs *fs, struct fs_handle *h);

/* notify.c: hear the manager's change events, drop what mgrfs cached and
 * invalidate the kernel's caches from a thread of its own.  Invalidation
 * may wait for locks that a process holds while it waits for a reply from
 * us, so it must not run on the loop's thread, which delivers those
 * replies. */
int fs_notify_start(struct mgrfs *fs);
void fs_notify_stop(struct mgrfs *fs);
void fs_notify_event(void *arg, yajl_val event);
/* Have the kernel drop parent/name, soon and from that thread. */
void fs_notify_inval_entry(struct mgrfs *fs, uint64_t parent, const char *name, size_t len);
/* Drop everything cached and wake every poll: the link came back, and
 * changes made while it was down were not heard. */
void fs_notify_all(struct mgrfs *fs);

/* Check a name from the kernel and put its canonical form (escapes in
 * upper case) in out.  0, -EINVAL (a '%' not starting %2F or %25), or
 * -ENAMETOOLONG (over 255 bytes). */
int fs_name_from_kernel(const char *name, struct mgr_buf *out);

#endif
