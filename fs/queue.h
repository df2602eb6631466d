/* Queues as files: a read() takes one item, a write() puts each line as
 * an item, and poll tells when a queue has items or room (see queue.c). */
#ifndef MGRFS_QUEUE_H
#define MGRFS_QUEUE_H

#include "mgrfs.h"

struct fs_handle;

/* Called by file.c's read and write. */
void fs_queue_read(fuse_req_t req, struct fs_handle *h, size_t size, int flags);
void fs_queue_write(fuse_req_t req, struct fs_handle *h, const char *buf, size_t size,
		    int flags);
/* Put the last line written when it had no newline (writeback.c's flush
 * and release). */
void fs_queue_flush(struct mgrfs *fs, struct fs_handle *h, fs_done_fn done, void *arg);

/* poll. */
void fs_queue_ops(struct fuse_lowlevel_ops *ops);

#endif
