#include "record.h"

#include <errno.h>
#include <string.h>

static const char magic_snap[8] = "mgrfs-S\n", magic_journal[8] = "mgrfs-J\n";

static uint32_t crc_table[256];

static void crc_init(void)
{
	uint32_t c;
	int i, k;

	for (i = 0; i < 256; i++) {
		c = (uint32_t)i;
		for (k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82f63b78u : c >> 1;
		crc_table[i] = c;
	}
}

#if defined(__x86_64__)
/* SSE 4.2 computes CRC32C itself, eight bytes at a time: a start from a
 * million keys reads tens of MiB. */
__attribute__((target("sse4.2")))
static uint32_t crc_hw(uint32_t crc, const unsigned char *p, size_t n)
{
	uint64_t c = crc, w;

	for (; n >= 8; n -= 8, p += 8) {
		memcpy(&w, p, 8);
		c = __builtin_ia32_crc32di(c, w);
	}
	crc = (uint32_t)c;
	while (n--)
		crc = __builtin_ia32_crc32qi(crc, *p++);
	return crc;
}
#endif

uint32_t mgr_crc32c(uint32_t crc, const void *data, size_t n)
{
	const unsigned char *p = data;

	crc = ~crc;
#if defined(__x86_64__)
	if (__builtin_cpu_supports("sse4.2"))
		return ~crc_hw(crc, p, n);
#endif
	if (!crc_table[1])
		crc_init();
	while (n--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = v >> 24;
}

static uint32_t get32(const unsigned char *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void mgr_file_head(unsigned char out[MGR_FILE_HEAD], bool snap, uint64_t gen)
{
	memcpy(out, snap ? magic_snap : magic_journal, 8);
	put32(out + 8, MGR_FORMAT_VERSION);
	put32(out + 12, 0);
	put32(out + 16, (uint32_t)gen);
	put32(out + 20, (uint32_t)(gen >> 32));
}

int mgr_file_head_check(const unsigned char *head, bool snap, uint64_t *gen, unsigned *format)
{
	if (memcmp(head, snap ? magic_snap : magic_journal, 8) != 0)
		return -EINVAL;
	*format = get32(head + 8);
	if (*format < MGR_FORMAT_OLDEST || *format > MGR_FORMAT_VERSION)
		return -EPROTO;
	*gen = get32(head + 16) | (uint64_t)get32(head + 20) << 32;
	return 0;
}

long mgr_rec_begin(struct mgr_buf *b, enum mgr_rec_kind kind)
{
	unsigned char head[MGR_REC_HEAD + 1] = { 0 };
	long at = (long)b->len;

	head[MGR_REC_HEAD] = (unsigned char)kind;
	return mgr_buf_append(b, head, sizeof(head)) < 0 ? -ENOMEM : at;
}

void mgr_rec_end(struct mgr_buf *b, long at)
{
	unsigned char *p = (unsigned char *)b->data + at;
	uint32_t len = (uint32_t)(b->len - (size_t)at - MGR_REC_HEAD), crc;

	put32(p, len);
	crc = mgr_crc32c(0, p, 4);
	put32(p + 4, mgr_crc32c(crc, p + MGR_REC_HEAD, len));
}

int mgr_rec_close(struct mgr_buf *b, long at, int r)
{
	if (r < 0) {
		if (at >= 0)
			b->len = (size_t)at;
		return r;
	}
	mgr_rec_end(b, at);
	return 0;
}

int mgr_rec_put_path(struct mgr_buf *b, const struct mgr_obj *o)
{
	const struct mgr_obj *chain[MGR_PATH_DEPTH_MAX + 1];
	size_t n = 0;
	int r;

	for (; o && o->parent && n < MGR_PATH_DEPTH_MAX + 1; o = o->parent)
		chain[n++] = o;
	r = mgr_img_put_u64(b, n);
	while (!r && n--)
		r = mgr_img_put_bytes(b, chain[n]->name, chain[n]->namelen);
	return r;
}

int mgr_rec_next(const unsigned char *data, size_t n, struct mgr_img *payload, size_t *size)
{
	uint32_t len, crc;

	if (n < MGR_REC_HEAD)
		return n == 0 || !memcmp(data, "\0\0\0\0", n < 4 ? n : 4) ? -ENODATA : -EINVAL;
	len = get32(data);
	if (len == 0)
		return -ENODATA;
	if (len > MGR_REC_MAX || len > n - MGR_REC_HEAD)
		return -EINVAL;
	crc = mgr_crc32c(mgr_crc32c(0, data, 4), data + MGR_REC_HEAD, len);
	if (crc != get32(data + 4))
		return -EINVAL;
	payload->p = data + MGR_REC_HEAD;
	payload->end = payload->p + len;
	*size = MGR_REC_HEAD + len;
	return 0;
}

static int get_path(struct mgr_store *s, struct mgr_img *in, struct mgr_rec_path *p, bool last)
{
	struct mgr_obj *o = mgr_store_root(s), *dir = NULL;
	const void *name = "";
	size_t count, i, len = 0;

	if (mgr_img_get_count(in, 1, &count) < 0 || count > MGR_PATH_DEPTH_MAX)
		return -EINVAL;
	for (i = 0; i < count; i++) {
		if (mgr_img_get_bytes(in, &name, &len) < 0 || (o && !(MGR_TYPE_BIT(o->type) & MGR_CONTAINERS)))
			return -EINVAL;
		if (!o) {
			/* Below a name that is missing: the caller says
			 * whether that is wrong (it is for most records). */
			dir = NULL;
			continue;
		}
		dir = o;
		o = last || i + 1 < count ? mgr_obj_child(dir, name, len) : NULL;
	}
	p->obj = o;
	p->parent = dir;
	p->name = name;
	p->len = len;
	return o || (!last && dir) ? 0 : -ENOENT;
}

int mgr_rec_get_path(struct mgr_store *s, struct mgr_img *in, struct mgr_rec_path *p)
{
	return get_path(s, in, p, true);
}

int mgr_rec_get_parent(struct mgr_store *s, struct mgr_img *in, struct mgr_rec_path *p)
{
	return get_path(s, in, p, false);
}
