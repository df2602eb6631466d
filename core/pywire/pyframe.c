#include "pyframe.h"

#include <errno.h>
#include <string.h>

static uint64_t be(const unsigned char *p, int n)
{
	uint64_t x = 0;
	int i;

	for (i = 0; i < n; i++)
		x = x << 8 | p[i];
	return x;
}

int mgr_pyframe_next(const void *in, size_t len, uint64_t max, const unsigned char **payload,
		     size_t *plen, size_t *consumed)
{
	const unsigned char *p = in;
	size_t hdr = MGR_PYFRAME_HDR_SMALL;
	uint64_t n;

	if (len < hdr)
		return 0;
	n = be(p, 4);
	if (n == 0xffffffffu) {
		hdr = MGR_PYFRAME_HDR_LARGE;
		if (len < hdr)
			return 0;
		n = be(p + 4, 8);
	} else if (n & 0x80000000u) {
		return -EBADMSG;
	}
	if (n > max)
		return -EMSGSIZE;
	if (len - hdr < n)
		return 0;
	*payload = p + hdr;
	*plen = (size_t)n;
	*consumed = hdr + (size_t)n;
	return 1;
}

size_t mgr_pyframe_header(uint64_t n, unsigned char hdr[MGR_PYFRAME_HDR_LARGE])
{
	int i;

	if (n <= MGR_PYFRAME_SMALL_MAX) {
		for (i = 0; i < 4; i++)
			hdr[i] = (unsigned char)(n >> (24 - 8 * i));
		return MGR_PYFRAME_HDR_SMALL;
	}
	memset(hdr, 0xff, 4);
	for (i = 0; i < 8; i++)
		hdr[4 + i] = (unsigned char)(n >> (56 - 8 * i));
	return MGR_PYFRAME_HDR_LARGE;
}

int mgr_pyframe_append(struct mgr_buf *out, const void *p, size_t n)
{
	unsigned char hdr[MGR_PYFRAME_HDR_LARGE];
	size_t hl = mgr_pyframe_header(n, hdr);
	int r;

	/* Reserving both parts first leaves out unchanged on failure. */
	if (n > SIZE_MAX - hl)
		return -ENOMEM;
	r = mgr_buf_reserve(out, hl + n);
	if (r < 0)
		return r;
	mgr_buf_append(out, hdr, hl);
	mgr_buf_append(out, p, n);
	return 0;
}

int mgr_pyframe_begin(struct mgr_buf *out, size_t *start)
{
	int r = mgr_buf_reserve(out, MGR_PYFRAME_HDR_SMALL);

	if (r < 0)
		return r;
	*start = out->len;
	out->len += MGR_PYFRAME_HDR_SMALL;
	return 0;
}

int mgr_pyframe_end(struct mgr_buf *out, size_t start)
{
	unsigned char hdr[MGR_PYFRAME_HDR_LARGE];
	size_t n, hl, extra;

	n = out->len - start - MGR_PYFRAME_HDR_SMALL;
	hl = mgr_pyframe_header(n, hdr);
	extra = hl - MGR_PYFRAME_HDR_SMALL;
	if (extra) {
		if (mgr_buf_reserve(out, extra) < 0) {
			out->len = start;
			return -ENOMEM;
		}
		memmove(out->data + start + hl, out->data + start + MGR_PYFRAME_HDR_SMALL, n);
		out->len += extra;
	}
	memcpy(out->data + start, hdr, hl);
	return 0;
}
