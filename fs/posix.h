/* POSIX locks (fcntl, lockf), held in the manager by the process, for as
 * long as it holds any range of the file (see posix.c). */
#ifndef MGRFS_POSIX_H
#define MGRFS_POSIX_H

#include "mgrfs.h"

/* Give back what POSIX lock owner owner held on node's file (at flush: a
 * process's close() of any descriptor of the file gives back its locks). */
void fs_posix_release(struct mgrfs *fs, struct fs_node *node, uint64_t owner, fs_done_fn done,
		      void *arg);

/* getlk and setlk. */
void fs_posix_ops(struct fuse_lowlevel_ops *ops);

#endif
