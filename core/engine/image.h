/* The image of an object: the codec that the save and load hooks of each
 * type (store.h) write and read their state with.  Numbers are unsigned
 * LEB128 varints, or 8 bytes little-endian for a raw 64-bit element;
 * bytes are a varint length and the bytes; a datum is its kind (a
 * varint) and its bytes, so that a new kind of datum needs no new
 * format.  The reader never reads past its end: a short or malformed
 * image is -EINVAL. */
#ifndef MGR_IMAGE_H
#define MGR_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "datum.h"

struct mgr_img {
	const unsigned char *p, *end;
};

int mgr_img_put_u64(struct mgr_buf *b, uint64_t v);
int mgr_img_put_raw64(struct mgr_buf *b, uint64_t v);
int mgr_img_put_bytes(struct mgr_buf *b, const void *data, size_t n);
int mgr_img_put_datum(struct mgr_buf *b, const struct mgr_datum *d);

int mgr_img_get_u64(struct mgr_img *in, uint64_t *v);
int mgr_img_get_raw64(struct mgr_img *in, uint64_t *v);
/* *data points into the image. */
int mgr_img_get_bytes(struct mgr_img *in, const void **data, size_t *n);
/* A new datum, the caller's; -EINVAL for an unknown kind or one over
 * MGR_DATUM_MAX, -ENOMEM. */
int mgr_img_get_datum(struct mgr_img *in, struct mgr_datum **d);
/* The same up to max bytes: a value's raw bytes go up to MGR_VALUE_MAX. */
int mgr_img_get_datum_max(struct mgr_img *in, struct mgr_datum **d, uint64_t max);
/* A count of things each at least min_size bytes long: -EINVAL when the
 * rest of the image cannot hold them (a bound before allocating). */
int mgr_img_get_count(struct mgr_img *in, size_t min_size, size_t *n);

#endif
