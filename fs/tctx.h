/* A kernel request on its way through the manager: what the parts of the
 * tree (attr.c, file.c, writeback.c, names.c, dir.c, xattr.c) keep while
 * its reply is awaited, and the helpers they share.  Each handler makes
 * one with fs_tctx_new, sends a manager request with t as the callback's
 * argument, and the callback answers the kernel and frees it (fs_tctx_fail
 * does both on an error). */
#ifndef MGRFS_TCTX_H
#define MGRFS_TCTX_H

#include "mgrfs.h"
#include "page.h"

struct fs_handle;

/* One kernel request on its way through the manager. */
struct fs_tctx {
	fuse_req_t req;
	struct mgrfs *fs;
	fuse_ino_t ino;			/* the node, or the parent of name */
	fuse_ino_t newparent;		/* rename */
	struct mgr_buf name;		/* a child's kernel name */
	struct mgr_buf newname;		/* rename */
	struct mgr_buf path;		/* the object's manager path */
	struct mgr_buf newpath;		/* rename */
	struct mgr_pager pager;		/* opendir: the listing's pages */
	struct fs_handle *h;
	struct fuse_file_info fi;
	int type;
	bool fifo;			/* mknod of a FIFO: see ll_mknod */
	uint64_t version;
	uint64_t epoch;			/* open: the cache epoch at the get */
	uint64_t size;			/* as shown in the tree */
	off_t newsize;			/* setattr */
	int to_set;			/* setattr: FUSE_SET_ATTR_* */
	int64_t mtime, ctime;		/* setattr's; attributes found, in ns */
	uint64_t subdirs;		/* attributes found: a directory's */
	size_t xsize;			/* getxattr, listxattr */
	const char *xname;		/* getxattr: the member asked for */
	int err;			/* the first error of a chain */
	int step;
	void (*then)(struct fs_tctx *t, int err);
};

/* NULL (and ENOMEM answered) when there is no memory. */
struct fs_tctx *fs_tctx_new(fuse_req_t req, fuse_ino_t ino);
void fs_tctx_free(struct fs_tctx *t);
/* Answer the kernel with an error and be done. */
void fs_tctx_fail(struct fs_tctx *t, int err);
/* Take the kernel's name of a child of parent into t->name and the child's
 * path into t->path. */
int fs_tctx_child_path(struct fs_tctx *t, fuse_ino_t parent, const char *name);
/* Send r (released here) with t as the callback's argument; on failure
 * answer the kernel and free t. */
void fs_tctx_send(struct fs_tctx *t, struct mgr_req *r, mgr_reply_fn cb);
/* A request for op on t->path. */
int fs_tctx_req(struct fs_tctx *t, struct mgr_req *r, const char *op);

/* The manager path of inode ino, with /name (a kernel name) appended when
 * name is not NULL, into out (NUL-terminated). */
int fs_path_of(struct mgrfs *fs, fuse_ino_t ino, const char *name, struct mgr_buf *out);

#endif
