/* Names: the operations that make, remove and rename objects in the tree:
 * mkdir makes a dict, mkfifo a queue, any other new file an empty value
 * (or a lock, NAME.lock opened to be read), and a rename is the manager's,
 * atomic.  There are no links, and statfs tells the limits that hold. */
#ifndef MGRFS_NAMES_H
#define MGRFS_NAMES_H

#include "mgrfs.h"

/* mknod, mkdir, create, unlink, rmdir, rename, symlink, link and statfs. */
void fs_names_ops(struct fuse_lowlevel_ops *ops);

#endif
