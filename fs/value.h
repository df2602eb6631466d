/* Values as files (value.c): what reads and writes of an open value do.
 *
 * A value's file is read by range from the manager (small ones whole,
 * kept on the node until a change is heard), through the kernel's page
 * cache, so that it can be mapped shared; every change to the object,
 * by anyone, drops those pages (notify.c).  How it is written depends on
 * how it was opened:
 *   O_WRONLY|O_TRUNC (what `>`, cp and editors use) rewrites it, stored
 *     whole at close (rewrite.h);
 *   O_APPEND appends each write in the manager, in one step, at the end
 *     of what it holds then, whoever else appends;
 *   anything else writes each range in place, at once: writers of
 *     different ranges keep each other's bytes (O_RDWR|O_TRUNC empties the
 *     value at open, and is written in place).
 * A write to an object that is gone goes where a deleted file's writes go
 * on a local disk: into what this mount keeps of it, if anything. */
#ifndef MGRFS_VALUE_H
#define MGRFS_VALUE_H

#include "handle.h"

/* A request on its way for a value: what value.c and rewrite.c keep while
 * a reply is awaited. */
struct fs_vop {
	fuse_req_t req;			/* to answer, or NULL */
	struct mgrfs *fs;
	struct fs_handle *h;
	struct fs_node *n;
	uint64_t off, len;		/* the range read or written */
	size_t ask;			/* bytes the kernel asked for */
	uint64_t epoch;			/* the cache's epoch at the read */
	bool whole;			/* the read may take all of it */
	bool staged;			/* the read is of a rewrite's stage */
	struct mgr_buf data;		/* bytes to write */
	void (*then)(struct fs_vop *v);	/* the next step of a chain */
	fs_done_fn done;
	void *arg;
};

/* NULL on ENOMEM.  Answer with fs_vop_end: its request (an error), or its
 * done; either way it is freed. */
struct fs_vop *fs_vop_new(fuse_req_t req, struct mgrfs *fs, struct fs_handle *h);
/* One to change a value to size bytes, answered by done(arg): NULL when
 * done was called already (-EFBIG past the largest value, -ENOMEM). */
struct fs_vop *fs_vop_for_size(struct mgrfs *fs, struct fs_handle *h, uint64_t size,
			       fs_done_fn done, void *arg);
void fs_vop_free(struct fs_vop *v);
void fs_vop_end(struct fs_vop *v, int err);
/* The manager path of n, NUL-terminated, into out.  Under the lock. */
int fs_value_path(struct fs_node *n, struct mgr_buf *out);
/* Whether n's object is known to be gone.  Under the lock. */
bool fs_value_orphan(const struct fs_node *n);

/* How h, a value opened with h->flags, is written, and how the kernel
 * is to treat it (fi).  True when the value must be emptied before the
 * open is answered (O_RDWR|O_TRUNC). */
bool fs_value_setup(struct fs_handle *h, struct fuse_file_info *fi);
/* Empty the value at path for an open (see fs_value_setup). */
void fs_value_empty(struct mgrfs *fs, const char *path, fs_done_fn done, void *arg);
/* The node keeps the whole of a small value: read it now, if it is small,
 * so that the file can still be read if the object goes while it is open.
 * done runs once, maybe at once. */
void fs_value_prefetch(struct mgrfs *fs, struct fs_handle *h, const char *path,
		       fs_done_fn done, void *arg);

/* read of an open value, and write of one that is not a rewrite. */
void fs_value_read(fuse_req_t req, struct fs_handle *h, size_t size, off_t off);
void fs_value_write(fuse_req_t req, struct fs_handle *h, const char *buf, size_t size,
		    off_t off);
/* Cut or extend the value at path, node n's, to size in the manager. */
void fs_value_truncate(struct mgrfs *fs, struct fs_node *n, const char *path, uint64_t size,
		       fs_done_fn done, void *arg);

#endif
