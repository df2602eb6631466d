/* Open files: open, read and write (what an open file holds is
 * handle.h).  A data file's content is read at open into the
 * handle, served from there and written there, and stored whole by
 * writeback.c; a state file's text is read at open; a queue's reads and
 * writes are queue.c's; a directory's listing is dir.c's. */
#ifndef MGRFS_FILE_H
#define MGRFS_FILE_H

#include "handle.h"

struct fs_tctx;

/* What an open file of an object of type is, or -errno when it cannot be
 * opened with flags. */
int fs_file_kind(int type, int flags);
/* Every file is direct I/O: reads are served from the handle (or take a
 * queue item), never from a page cache that another client's change
 * would leave stale. */
void fs_file_open_flags(struct fuse_file_info *fi, enum fs_handle_kind kind);
/* Hand t->h to the kernel as the open file (freed if the kernel is gone),
 * once the invalidations already queued are done, and free t. */
void fs_file_reply_open(struct fs_tctx *t);
/* Make h->buf len bytes long, zeros filling what is added.  0, -EFBIG or
 * -ENOMEM. */
int fs_file_resize(struct fs_handle *h, uint64_t len);

/* init, open, read and write. */
void fs_file_ops(struct fuse_lowlevel_ops *ops);

#endif
