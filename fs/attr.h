/* Attributes: what the kernel is told an object is (inode, file type,
 * size, times) when it looks a name up or asks for an inode's attributes,
 * and the entries that other operations answer with.  The size of a file
 * is the size of its text as shown (text.h). */
#ifndef MGRFS_ATTR_H
#define MGRFS_ATTR_H

#include <sys/stat.h>

#include "mgrfs.h"

struct fs_tctx;

/* st for node n as an object of type with size as shown, with the times
 * and the link count the node keeps; the size is kept on the node (for an
 * fstat once the object is gone).  Under the lock. */
void fs_attr_fill_stat(struct mgrfs *fs, struct fs_node *n, int type, uint64_t size,
		       struct stat *st);
/* The size shown in the tree for an object of type whose stat (or ls
 * entry) says size and bytes; false for lists and arrays, whose size as
 * shown needs their items. */
bool fs_attr_shown_size(int type, yajl_val stat, uint64_t *size);

/* The times of a stat result or ls entry (0 when absent), and a
 * container's count of containers. */
void fs_attr_times(yajl_val stat, int64_t *mtime, int64_t *ctime, uint64_t *subdirs);

/* Find type, version, size and times of t->path, then call t->then. */
void fs_attr_fetch(struct fs_tctx *t);
/* As t->then of fs_attr_fetch: answer t with the attributes of t->ino
 * (with t->h, an open file's, whose size is what it will hold), or with
 * err; t is freed. */
void fs_attr_reply(struct fs_tctx *t, int err);
/* Answer a request that made or found t->name in t->ino with an entry
 * (with t->h, the created file opened too); t is freed, and t->h too when
 * the kernel did not take it. */
void fs_attr_reply_entry(struct fs_tctx *t);

/* lookup, forget and getattr. */
void fs_attr_ops(struct fuse_lowlevel_ops *ops);

#endif
