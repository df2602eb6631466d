/* Rewrites (rewrite.c): a value opened O_WRONLY|O_TRUNC, as `>`, cp and
 * editors open what they write whole.  What is written is kept in the open
 * file, and past FS_STAGE_BUF in a stage of the manager, and put in place
 * at once when it is due (the first flush after a write, fsync, release),
 * so that no other client ever sees a part of it, nor an empty value in
 * between.  On this mount the file shows what has been written so far,
 * its size included, as a local disk would.  Once stored, the open file
 * writes in place (value.h). */
#ifndef MGRFS_REWRITE_H
#define MGRFS_REWRITE_H

#include "handle.h"

/* A rewrite's content past this many bytes goes to a stage. */
#define FS_STAGE_BUF ((size_t)1 << 20)

/* write and truncation of a rewrite. */
void fs_rewrite_write(fuse_req_t req, struct fs_handle *h, const char *buf, size_t size,
		      off_t off);
void fs_rewrite_truncate(struct mgrfs *fs, struct fs_handle *h, uint64_t size, fs_done_fn done,
			 void *arg);
/* Store h's rewrite when it is due (final: fsync, release); done runs
 * once.  A file deleted meanwhile is closed without an error. */
void fs_rewrite_commit(struct mgrfs *fs, struct fs_handle *h, bool final, fs_done_fn done,
		       void *arg);
/* The size node n shows on this mount while it is rewritten here (true),
 * or false.  Under the lock. */
bool fs_rewrite_size(const struct fs_node *n, uint64_t *size);

#endif
