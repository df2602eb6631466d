/* A value's content as bytes (content.c): what a file of it holds, read
 * and changed in place by range, so that a value of any size up to
 * MGR_VALUE_MAX is moved in pieces, and writers of different ranges, or
 * appenders, keep each other's bytes.
 *
 * A value of raw bytes is its bytes; a JSON value is its compact text and
 * a newline, as mgrfs shows it.  What a change leaves is stored as JSON
 * when it is exactly what that JSON would be shown as, else as bytes; a
 * typed Value must be left holding JSON of its type. */
#ifndef MGR_CONTENT_H
#define MGR_CONTENT_H

#include "call.h"
#include "store.h"

/* read, write, append, truncate. */
extern const struct mgr_op mgr_ops_content[];

/* -EFBIG, with a message, when o's datum is too large to go whole in one
 * frame (get, pop, items): it is read in pieces.  0 otherwise. */
int mgr_content_check_whole(struct mgr_call *c, const struct mgr_obj *o);

/* Make value o hold content d (raw bytes, taken over whatever happens) and
 * report the change: stored as JSON when d is shown JSON, else as bytes.
 * was is what the store counted o's datum as (mgr_datum_cost) before d was
 * made, which may have changed it in place; the store then counts what o
 * holds now.  0, or -errno after mgr_call_err (o unchanged: a typed Value
 * given what is not of its type is -EINVAL). */
int mgr_content_store(struct mgr_call *c, struct mgr_obj *o, struct mgr_datum *d, uint64_t was);

/* Do again, at restore, a change by range of value o that the journal
 * heard (mgr_journal_hooks.range), without a report.  0, -ENOMEM, or
 * -EINVAL when o is not an untyped value or the range is out of bounds. */
int mgr_content_replay(struct mgr_store *s, struct mgr_obj *o, uint64_t off, const void *data,
		       size_t n);

/* Make *d, raw bytes, hold at least need bytes, growing its room by half
 * at least, so that pieces written one after the other cost no copy each.
 * 0 or -ENOMEM (*d unchanged). */
int mgr_content_reserve(struct mgr_datum **d, size_t need);
/* Write n bytes of data at off in *d, zeros filling a gap after its end.
 * 0 or -ENOMEM. */
int mgr_content_write(struct mgr_datum **d, uint64_t off, const void *data, size_t n);
/* Cut *d to size or extend it with zeros.  0 or -ENOMEM. */
int mgr_content_truncate(struct mgr_datum **d, uint64_t size);

/* The data of a request's "bytes" member (base64) into out, at most
 * MGR_IO_MAX bytes.  0, or -errno after mgr_call_err. */
int mgr_content_bytes_arg(struct mgr_call *c, struct mgr_buf *out);
/* The range a read asks for ("offset", 0 by default, and "length") of
 * size bytes: at most MGR_IO_MAX bytes, none past the end.  0, or -EINVAL
 * after mgr_call_err. */
int mgr_content_range_arg(struct mgr_call *c, uint64_t size, uint64_t *off, uint64_t *len);
/* Open a result object with "bytes" (len bytes of data in base64) and
 * "size"; the caller adds its members and closes it. */
int mgr_content_gen_bytes(yajl_gen g, const char *data, size_t len, uint64_t size);
/* A piece to write: "bytes" into data, and "offset", where it must fit
 * within MGR_VALUE_MAX.  0, or -errno after mgr_call_err. */
int mgr_content_piece_arg(struct mgr_call *c, struct mgr_buf *data, uint64_t *off);
/* An offset or size member ("offset", "size"), which must name a place
 * within MGR_VALUE_MAX when added to extra bytes: -EFBIG otherwise, -EINVAL
 * when it is not an unsigned integer, -ENOENT (no message) when absent. */
int mgr_content_pos_arg(struct mgr_call *c, const char *member, uint64_t extra,
			uint64_t *out);

#endif
