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
