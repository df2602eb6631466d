/* Locks: flock and whole-file POSIX locks held in the manager, so that
 * they hold across mounts and hosts (see lock.c). */
#ifndef MGRFS_LOCK_H
#define MGRFS_LOCK_H

#include "mgrfs.h"

struct fs_handle;

/* Give back what an open file held by flock (at release) and what a POSIX
 * lock owner held on a file (at flush). */
void fs_lock_release_flock(struct mgrfs *fs, struct fs_handle *h, fs_done_fn done, void *arg);
void fs_lock_release_posix(struct mgrfs *fs, struct fs_node *node, uint64_t owner,
			   fs_done_fn done, void *arg);
/* -ENOLCK when h's flock hold was lost with a broken link (until h is
 * unlocked or closed), else 0: every read and write of h asks. */
int fs_lock_lost(struct mgrfs *fs, struct fs_handle *h);

/* flock, getlk and setlk. */
void fs_lock_ops(struct fuse_lowlevel_ops *ops);

#endif
