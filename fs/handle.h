/* An open file of the tree (struct fs_handle): what every kind of open
 * file holds, for the modules that serve it (file, writeback, queue,
 * lock, dir). */
#ifndef MGRFS_HANDLE_H
#define MGRFS_HANDLE_H

#include "mgrfs.h"

/* What an open file is. */
enum fs_handle_kind {
	FS_H_DATA,	/* a list or array: content buffered in the handle */
	FS_H_VALUE,	/* a value: read and written by range (value.h) */
	FS_H_STATE,	/* a lock, semaphore, event, condition, barrier: state text */
	FS_H_QUEUE,	/* read takes items, write puts lines */
	FS_H_DIR,	/* a directory listing */
};

/* How an open value is written (value.h). */
enum fs_value_mode {
	FS_V_PLACE,	/* each range in place, at once */
	FS_V_APPEND,	/* each write appended */
	FS_V_STAGE,	/* a rewrite, stored whole at close */
};

struct fs_dirent {
	char *name;		/* kernel name */
	mode_t fmt;
	int type;
	uint64_t version;
	uint64_t size;		/* as shown */
	int64_t mtime, ctime;
	uint64_t subdirs;
	bool attrs;		/* type, version and size are known */
};

struct fs_handle {
	enum fs_handle_kind kind;
	struct fs_node *node;
	int type;		/* enum mgr_type_id at open */
	int flags;		/* open flags */

	/* FS_H_DATA and FS_H_STATE: the content as read at open, and for
	 * data files what is being written; FS_H_VALUE: a rewrite's content
	 * while it is kept here. */
	struct mgr_buf buf;
	/* FS_H_VALUE: how it is written; a rewrite's stage in the manager
	 * once its content outgrew buf (0 before), and its size. */
	enum fs_value_mode vmode;
	bool direct;		/* opened past the page cache */
	uint64_t stage;
	uint64_t vsize;
	size_t stored;		/* a list opened to append: bytes of buf stored */
	bool modified;		/* buf is to be stored (a write or O_TRUNC) */
	bool written;		/* a write came since the last commit */
	int werr;		/* a write failed: nothing is stored */
	unsigned int idle_flushes;	/* flushes while modified but unwritten */

	/* FS_H_QUEUE, reading: the rest of the item being read, and that
	 * the item just ended, so the next read() sees end of file. */
	struct mgr_buf rest;
	size_t rpos;
	bool item_end;
	bool reading;		/* a read() waits for an item */
	/* Writing: a line not yet ended by '\n'. */
	struct mgr_buf line;

	/* flock: the manager lock this open file holds, by its path, and the
	 * epoch it was taken in.  Lost with that link, it is reported by
	 * ENOLCK until unlocked or closed. */
	char *flock_path;
	uint64_t flock_owner;
	uint64_t flock_gen;
	bool flock_held;
	bool flock_lost;

	/* FS_H_DIR: the listing taken at opendir, and the count of events
	 * heard when it began (its attributes hold while no other came). */
	struct fs_dirent *ents;
	size_t nents;
	uint64_t events;
};

struct fs_handle *fs_handle_new(enum fs_handle_kind kind, struct fs_node *n, int type,
				int flags);
void fs_handle_free(struct fs_handle *h);
/* h is handed to the kernel, or closed for the last time: its node counts
 * its open files (what a deleted object held is kept while one is open),
 * and knows the rewrite that is what it shows here.  Under the lock. */
void fs_handle_opened(struct fs_handle *h);
void fs_handle_closed(struct fs_handle *h);

#endif
