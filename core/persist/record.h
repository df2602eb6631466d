/* The records of a data directory, the same in a snapshot and a journal
 * (mgrfs(7), "Data directory"): each is framed as
 *
 *     u32 length (little-endian) | u32 CRC32C of length and payload | payload
 *
 * and its payload starts with its kind.  What follows the kind is made of
 * the image codec's varints, bytes and data (core/engine/image.h); a path
 * is a count of names and each name as bytes.  A file starts with a
 * header: 8 bytes of magic, the format version and the generation. */
#ifndef MGR_RECORD_H
#define MGR_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "image.h"
#include "store.h"

/* 2: images carry their object's times, and MGR_REC_TIMES; a version 1
 * file is read (its objects' times are those of the load). */
#define MGR_FORMAT_VERSION 2
#define MGR_FORMAT_OLDEST 1
#define MGR_REC_HEAD 8			/* length and CRC */
#define MGR_REC_MAX ((uint32_t)1 << 30)	/* a payload is never this long */
#define MGR_FILE_HEAD 24		/* magic, version, reserved, generation */

enum mgr_rec_kind {
	MGR_REC_IMAGE = 1,	/* path, type, typecode, version, (2:) mtime,
				 * ctime, full, state */
	MGR_REC_DELETE = 2,	/* path, version */
	MGR_REC_RENAME = 3,	/* old path, new path */
	MGR_REC_NOTE = 4,	/* path, what (enum mgr_note), datum for pushes */
	MGR_REC_GIVEN = 5,	/* id, path of the queue, datum */
	MGR_REC_GONE = 6,	/* id */
	MGR_REC_VERSION = 7,	/* the store's last version */
	MGR_REC_END = 8,	/* a snapshot's last record: how many before */
	MGR_REC_TIMES = 9,	/* (2:) path, version, mtime, ctime */
	MGR_REC_RANGE = 10,	/* (2:) path, offset, whether bytes follow,
				 * bytes: a value's content changed by range
				 * (content.h), or cut or extended to offset */
	MGR_REC_GROUP = 11,	/* (2:) count: the records that follow, one
				 * change, whole or not at all */
	MGR_REC_LAST = MGR_REC_GROUP,
};

uint32_t mgr_crc32c(uint32_t crc, const void *data, size_t n);

/* A file's header for a snapshot (snap) or a journal. */
void mgr_file_head(unsigned char out[MGR_FILE_HEAD], bool snap, uint64_t gen);
/* 0, *gen and *format when head is a good header of that kind; -EINVAL
 * for another file, -EPROTO for a format version this mgrd cannot read
 * (*format says which). */
int mgr_file_head_check(const unsigned char *head, bool snap, uint64_t *gen, unsigned *format);

/* Open a record in b (its frame's room and the kind); finish it with
 * mgr_rec_end, which fills in length and CRC.  Returns the record's
 * offset in b, or -ENOMEM. */
long mgr_rec_begin(struct mgr_buf *b, enum mgr_rec_kind kind);
void mgr_rec_end(struct mgr_buf *b, long at);
/* End the record begun at at when r is 0, else take back what it added
 * (at < 0: it never began); returns r. */
int mgr_rec_close(struct mgr_buf *b, long at, int r);

/* Append o's path. */
int mgr_rec_put_path(struct mgr_buf *b, const struct mgr_obj *o);

/* The record at data (n bytes left): 0 with its payload, -ENODATA when
 * it is the end of what was written (a zero length: preallocated space,
 * or nothing), -EINVAL when it is cut short or fails its CRC. */
int mgr_rec_next(const unsigned char *data, size_t n, struct mgr_img *payload, size_t *size);

/* Resolve a path in a payload: the object (p->obj, NULL with -ENOENT
 * when it is missing), and its parent and last name for a path that names
 * something to make (p->parent NULL, with -ENOENT, when a name before the
 * last is missing).  -EINVAL for a malformed path, or one through
 * something that is not a container.  mgr_rec_get_parent stops
 * short of looking the last name up (p->obj is then NULL, or the root for
 * an empty path). */
struct mgr_rec_path {
	struct mgr_obj *obj, *parent;
	const char *name;
	size_t len;
};
int mgr_rec_get_path(struct mgr_store *s, struct mgr_img *in, struct mgr_rec_path *p);
int mgr_rec_get_parent(struct mgr_store *s, struct mgr_img *in, struct mgr_rec_path *p);

#endif
