/* Locks: flock held in the manager, so that it holds across mounts and
 * hosts, and the acquisition and release that POSIX locks (posix.h) share
 * with it (see lock.c). */
#ifndef MGRFS_LOCK_H
#define MGRFS_LOCK_H

#include "mgrfs.h"

struct fs_handle;

/* Give back what an open file held by flock (at release). */
void fs_lock_release_flock(struct mgrfs *fs, struct fs_handle *h, fs_done_fn done, void *arg);
/* -ENOLCK when h's flock hold was lost with a broken link (until h is
 * unlocked or closed), else 0: every read and write of h asks. */
int fs_lock_lost(struct mgrfs *fs, struct fs_handle *h);

/* The kernel's lock owner as the manager's owner: JSON integers are
 * signed, so owners are kept to 63 bits. */
uint64_t fs_lock_owner(uint64_t lock_owner);
/* The manager path of the lock behind node n, into out (NUL-terminated);
 * *companion tells whether it is a companion.  Called with the lock held. */
int fs_lock_path(struct fs_node *n, struct mgr_buf *out, bool *companion);
/* Acquire the lock behind inode ino for owner, waiting when block, and
 * answer req: for open file h (flock), or for a POSIX owner's range
 * (posix). */
void fs_lock_acquire(fuse_req_t req, fuse_ino_t ino, struct fs_handle *h, uint64_t owner,
		     bool posix, bool block, struct fs_range range);
/* Send a release of path for owner, then answer req or call done. */
void fs_lock_send_release(struct mgrfs *fs, const char *path, uint64_t owner, fuse_req_t req,
			  fs_done_fn done, void *arg);

/* flock. */
void fs_lock_ops(struct fuse_lowlevel_ops *ops);

#endif
