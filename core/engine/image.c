#include "image.h"

#include <errno.h>
#include <string.h>

int mgr_img_put_u64(struct mgr_buf *b, uint64_t v)
{
	unsigned char tmp[10];
	size_t n = 0;

	do {
		tmp[n] = v & 0x7f;
		v >>= 7;
		if (v)
			tmp[n] |= 0x80;
		n++;
	} while (v);
	return mgr_buf_append(b, tmp, n);
}

int mgr_img_put_raw64(struct mgr_buf *b, uint64_t v)
{
	unsigned char tmp[8];
	int i;

	for (i = 0; i < 8; i++)
		tmp[i] = (unsigned char)(v >> (8 * i));
	return mgr_buf_append(b, tmp, 8);
}

int mgr_img_put_bytes(struct mgr_buf *b, const void *data, size_t n)
{
	int r = mgr_img_put_u64(b, n);

	return r < 0 ? r : mgr_buf_append(b, data, n);
}

int mgr_img_put_datum(struct mgr_buf *b, const struct mgr_datum *d)
{
	int r = mgr_img_put_u64(b, d->kind);

	return r < 0 ? r : mgr_img_put_bytes(b, d->data, d->len);
}

int mgr_img_get_u64(struct mgr_img *in, uint64_t *v)
{
	uint64_t x = 0;
	unsigned shift = 0;

	while (in->p < in->end && shift < 64) {
		unsigned char c = *in->p++;

		x |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*v = x;
			return 0;
		}
		shift += 7;
	}
	return -EINVAL;
}

int mgr_img_get_raw64(struct mgr_img *in, uint64_t *v)
{
	uint64_t x = 0;
	int i;

	if (in->end - in->p < 8)
		return -EINVAL;
	for (i = 0; i < 8; i++)
		x |= (uint64_t)in->p[i] << (8 * i);
	in->p += 8;
	*v = x;
	return 0;
}

int mgr_img_get_bytes(struct mgr_img *in, const void **data, size_t *n)
{
	uint64_t len;

	if (mgr_img_get_u64(in, &len) < 0 || len > (uint64_t)(in->end - in->p))
		return -EINVAL;
	*data = in->p;
	*n = (size_t)len;
	in->p += len;
	return 0;
}

int mgr_img_get_datum(struct mgr_img *in, struct mgr_datum **d)
{
	return mgr_img_get_datum_max(in, d, MGR_DATUM_MAX);
}

int mgr_img_get_datum_max(struct mgr_img *in, struct mgr_datum **d, uint64_t max)
{
	const void *data;
	uint64_t kind;
	size_t n;

	/* The kinds datum.h knows; a new kind is a new case, not a new
	 * format. */
	if (mgr_img_get_u64(in, &kind) < 0 || kind > MGR_DATUM_PICKLE ||
	    mgr_img_get_bytes(in, &data, &n) < 0 || n > max)
		return -EINVAL;
	*d = mgr_datum_new((enum mgr_datum_kind)kind, data, n);
	return *d ? 0 : -ENOMEM;
}

int mgr_img_get_count(struct mgr_img *in, size_t min_size, size_t *n)
{
	uint64_t v;

	if (mgr_img_get_u64(in, &v) < 0 || (min_size && v > (uint64_t)(in->end - in->p) / min_size))
		return -EINVAL;
	*n = (size_t)v;
	return 0;
}
