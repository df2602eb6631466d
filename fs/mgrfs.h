/* mgrfs: a manager mounted as a tree.  This is the fs room, the FUSE
 * frontend: a client of the manager as mgrctl is, so its modules include
 * the wire's and the client's headers (core/wire, core/client) and
 * libfuse's, never the engine's or the server's.  This header holds what
 * every module shares: the mount (struct mgrfs), how long the kernel may
 * trust what it is told, and the end of a step that may take a manager
 * call (fs_done_fn).
 *
 * Each module is a .c with its own .h:
 *   node keeps the inode table, which links the kernel's inodes to the
 *     manager's paths;
 *   tctx carries a kernel request through the manager;
 *   attr tells the kernel what an object is (lookup, getattr, forget);
 *   handle holds what an open file is;
 *   file opens, reads and writes files, and value how a value's file is
 *     read and written in place or appended to, rewrite how one opened
 *     O_WRONLY|O_TRUNC is kept and put in place at once;
 *   writeback stores what an open file holds (flush, fsync, release,
 *     truncate);
 *   names makes, removes and renames objects (mkdir, mknod, create,
 *     unlink, rmdir, rename) and answers for links and statfs;
 *   dir lists directories;
 *   xattr answers for extended attributes;
 *   queue makes a queue a file whose reads take items and whose writes
 *     put lines;
 *   lock holds flock in the manager, and acquires and releases what
 *     posix holds there for POSIX locks (fcntl, lockf);
 *   notify hears the manager's changes and invalidates the kernel's
 *     caches;
 *   text turns the manager's values into a file's text, and back;
 *   fname maps the kernel's names to the manager's and back, losslessly;
 *   util maps errors and types between the manager and the kernel, and
 *     parks calls that wait.
 * main.c is the program: its options, the manager it may start, and the
 * loop.
 *
 * Every operation is answered asynchronously: a handler sends its request
 * to the manager and returns, and the reply callback answers the kernel.
 * One thread runs both (main.c's loop); only cache invalidation has a
 * thread of its own (notify.c).  A blocked queue read or lock wait is thus
 * a parked request, not a parked thread. */
#ifndef MGRFS_H
#define MGRFS_H

#include <fuse_lowlevel.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "client.h"
#include "json.h"
#include "node.h"

/* How long the kernel may trust what it was told: short, because other
 * clients change the tree too (and their changes also invalidate). */
#define FS_TIMEOUT 1.0

/* How many of our own writes may await their events (notify.h). */
#define FS_QUIET 64

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
	/* Our own requests whose changes the kernel's pages already hold
	 * (writes through the page cache, truncations), by id: their events
	 * drop the attributes only.  Under the lock. */
	uint64_t quiet[FS_QUIET];
	unsigned int nquiet;
};

/* The end of a step that may take a manager call: runs once, maybe
 * before the function that was given it returns. */
typedef void (*fs_done_fn)(void *arg, int err);

#endif
