/* Records that describe objects, and a whole snapshot: the tree, the items
 * handed out and not yet acknowledged, and the store's version. */
#ifndef MGR_SNAPSHOT_H
#define MGR_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "restore.h"
#include "store.h"

/* Append an image record of o (record.h); not full saves only what its
 * type does not report through notes.  0 or -ENOMEM (-EINVAL from a
 * type that cannot save). */
int mgr_rec_image(struct mgr_buf *b, struct mgr_obj *o, bool full);
/* Writes out and empties b (a file's records so far); 0 or -errno. */
typedef int (*mgr_rec_flush_fn)(void *arg, struct mgr_buf *b);
/* As mgr_rec_image, except that a value larger than one record should
 * hold goes as a group: its image empty, then its content in pieces by
 * MGR_REC_RANGE, flush called (when not NULL) before each piece so that b
 * never holds the whole.  The number of records appended, or -errno. */
long mgr_rec_object(struct mgr_buf *b, struct mgr_obj *o, bool full, mgr_rec_flush_fn flush,
		    void *arg);
/* A change by range (mgr_journal_hooks.range). */
int mgr_rec_range(struct mgr_buf *b, const struct mgr_obj *o, uint64_t off, const void *data,
		  size_t n);
/* An object's times alone (MGR_CHANGE_META). */
int mgr_rec_times(struct mgr_buf *b, const struct mgr_obj *o);
int mgr_rec_given(struct mgr_buf *b, uint64_t id, const struct mgr_obj *queue,
		  const struct mgr_datum *d);

/* Write a snapshot of generation gen of s with the items out in out (may
 * be NULL) to fd, which must be empty; fsync'd.  0 or -errno. */
int mgr_snapshot_write(int fd, struct mgr_store *s, const struct mgr_outset *out, uint64_t gen);

/* Write a snapshot to path (relative to dirfd, or AT_FDCWD), through
 * path.tmp renamed into place; the directory is fsync'd.  0 or -errno,
 * with a message in err. */
int mgr_snapshot_file(int dirfd, const char *path, struct mgr_store *s,
		      const struct mgr_outset *out, uint64_t gen, char *err, size_t errlen);

#endif
