/* Write-back: storing what an open data file holds.  A value, list or
 * array written through the tree is buffered in its open file (file.h)
 * and stored whole at the first flush after a write (each close()), at
 * fsync, or at release: never an empty value in between when a file
 * opened with O_TRUNC is flushed before it is written.  A list opened to
 * append stores only its new lines, each item with its bytes.  What could
 * not all be written is not stored in part. */
#ifndef MGRFS_WRITEBACK_H
#define MGRFS_WRITEBACK_H

#include "mgrfs.h"

/* setattr (a truncation), flush, fsync and release. */
void fs_writeback_ops(struct fuse_lowlevel_ops *ops);

#endif
