/* The inode table: the kernel knows objects by inode number, the manager
 * by path.  A node links the two: its number, its name in its parent
 * directory and a pointer to that parent, so a path is built by walking
 * up, and renaming a directory moves its whole subtree at once.
 *
 * Names stored here are the names the kernel sees, any bytes; a path is
 * made of the manager's names for them (fname.h).
 *
 * The table does no locking: every call is made under the owner's lock
 * (struct mgrfs's lock). */
#ifndef MGRFS_NODE_H
#define MGRFS_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "buf.h"

struct fuse_pollhandle;
struct fs_handle;

/* A poll waiting for a queue to change. */
struct fs_pollreq {
	struct fuse_pollhandle *ph;
	struct fs_pollreq *next;
};

/* A byte range, [start, end). */
struct fs_range {
	uint64_t start, end;
};

/* A POSIX lock owner (a process) holding the file's lock, for the ranges
 * it locked: the manager's lock, which is the whole file's, is held until
 * it has unlocked all of them (or closed the file). */
struct fs_posix_hold {
	uint64_t owner;
	uint64_t gen;			/* the epoch it was taken in */
	/* The lock's manager path when it was taken: the file may be
	 * renamed or deleted before it is given back. */
	char *path;
	struct fs_range *ranges;	/* sorted, apart */
	size_t nranges;
	struct fs_posix_hold *next;
};

struct fs_node {
	uint64_t ino;
	uint64_t nlookup;		/* the kernel's references */
	unsigned int pins;		/* children and our own holds */
	struct fs_node *parent;		/* NULL for the root and detached nodes */
	char *name;			/* kernel name, NUL-terminated */
	size_t namelen;
	bool linked;			/* found by (parent, name) */
	mode_t fmt;			/* S_IFDIR or S_IFREG, fixed for the inode */
	int type;			/* enum mgr_type_id as last seen */
	uint64_t version;		/* as last seen */
	int64_t mtime, ctime;		/* as the manager keeps them, in ns */
	uint64_t subdirs;		/* a directory's containers */
	uint64_t size;			/* as last told to the kernel */
	unsigned int opens;		/* open files of it here */
	/* The kernel may hold pages of it, read from here since its pages
	 * were last dropped. */
	bool pages;
	/* A file opened to rewrite it (O_WRONLY|O_TRUNC), whose content is
	 * what the file holds on this mount until it is stored. */
	struct fs_handle *stager;
	bool gone;			/* its object's delete was heard */
	bool attr_shown;		/* the kernel may hold its attributes */
	/* A data file's text as last read, kept while no change to the
	 * object is heard of (see file.c's cache_open); valid in epoch
	 * cepoch. */
	bool cached;
	uint64_t cepoch;
	struct mgr_buf content;
	struct fs_pollreq *polls;	/* a queue's pending polls */
	struct fs_posix_hold *posix;	/* POSIX lock owners holding it */
	struct fs_node *ino_next, *name_next;
};

struct fs_nodes {
	struct fs_node **by_ino, **by_name;
	size_t nbuckets;		/* of each table, a power of two */
	size_t count;
	uint64_t next_ino;
	struct fs_node *root;
	size_t cached_bytes;		/* in every node's content */
};

/* The most content kept for all nodes together. */
#define FS_CACHE_MAX ((size_t)16 << 20)

/* An empty table with its root (inode 1).  0 or -ENOMEM. */
int fs_nodes_init(struct fs_nodes *t);
void fs_nodes_release(struct fs_nodes *t);

struct fs_node *fs_node_get(struct fs_nodes *t, uint64_t ino);
/* The linked child of parent called name, or NULL. */
struct fs_node *fs_node_child(struct fs_nodes *t, struct fs_node *parent,
			      const char *name, size_t len);

/* The kernel is told about parent/name with file type fmt: return its node
 * with one more lookup.  A node there of another file type (the object was
 * replaced by one of another kind) is detached and a new one made, so the
 * kernel sees a new inode.  NULL on ENOMEM. */
struct fs_node *fs_node_found(struct fs_nodes *t, struct fs_node *parent,
			      const char *name, size_t len, mode_t fmt);

/* The kernel dropped n references.  The node goes away when nothing
 * refers to it any more (its pending polls are dropped with it). */
void fs_node_forget(struct fs_nodes *t, struct fs_node *n, uint64_t nlookup);

void fs_node_pin(struct fs_node *n);
void fs_node_unpin(struct fs_nodes *t, struct fs_node *n);

/* The object is gone: the node keeps its number for the kernel but no
 * longer has a path, and what it kept of the object while a file is open
 * on it (see fs_node_cache_set). */
void fs_node_detach(struct fs_nodes *t, struct fs_node *n);

/* Move n to newparent/name, detaching whatever node was there.  0 or
 * -ENOMEM (n is then unchanged). */
int fs_node_move(struct fs_nodes *t, struct fs_node *n, struct fs_node *newparent,
		 const char *name, size_t len);

/* Append n's manager path ("" for the root) to out.  -ENOENT when n or one
 * of its ancestors is detached, -ENOMEM. */
int fs_node_path(const struct fs_node *n, struct mgr_buf *out);

/* Record version v and the times the manager gave with it. */
void fs_node_saw(struct fs_node *n, uint64_t v, int64_t mtime, int64_t ctime);

/* Add range r to a POSIX hold's, merging those it touches, or take it out
 * of them.  0 or -ENOMEM (nothing changed). */
int fs_node_hold_add(struct fs_posix_hold *h, struct fs_range r);
int fs_node_hold_sub(struct fs_posix_hold *h, struct fs_range r);

/* Keep len bytes of data as n's content, valid in epoch (nothing is kept
 * when the cache would grow past FS_CACHE_MAX), or drop what n keeps. */
void fs_node_cache_set(struct fs_nodes *t, struct fs_node *n, const char *data, size_t len,
		       uint64_t epoch);
void fs_node_cache_drop(struct fs_nodes *t, struct fs_node *n);
/* Change what n keeps (if anything) as a write of len bytes of data at
 * off, or as a cut to size, would: for an object gone while open, which
 * only this mount still shows. */
void fs_node_cache_write(struct fs_nodes *t, struct fs_node *n, uint64_t off, const char *data,
			 size_t len);
void fs_node_cache_cut(struct fs_nodes *t, struct fs_node *n, uint64_t size);

#endif
