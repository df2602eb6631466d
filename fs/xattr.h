/* Extended attributes: user.mgr.NAME for each member of an object's stat,
 * and user.mgr.holder (see xattr.c). */
#ifndef MGRFS_XATTR_H
#define MGRFS_XATTR_H

#include "mgrfs.h"

/* getxattr, listxattr, setxattr and removexattr. */
void fs_xattr_ops(struct fuse_lowlevel_ops *ops);

#endif
