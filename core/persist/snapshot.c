#include "snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "record.h"

#define FLUSH_AT ((size_t)1 << 20)
/* Content past this goes in pieces of it (a record holds under 1 GiB). */
#define PIECE ((size_t)16 << 20)

/* An object's version, mtime and ctime (format 2). */
static int put_stamps(struct mgr_buf *b, const struct mgr_obj *o)
{
	int r = mgr_img_put_u64(b, o->version);

	if (!r)
		r = mgr_img_put_u64(b, (uint64_t)o->mtime);
	if (!r)
		r = mgr_img_put_u64(b, (uint64_t)o->ctime);
	return r;
}

/* An image record's fields before its state; at is where it began. */
static int image_head(struct mgr_buf *b, struct mgr_obj *o, bool full, long *at)
{
	int r;

	*at = mgr_rec_begin(b, MGR_REC_IMAGE);
	r = *at < 0 ? -ENOMEM : mgr_rec_put_path(b, o);
	if (!r)
		r = mgr_img_put_u64(b, o->type);
	if (!r)
		r = mgr_img_put_u64(b, (unsigned char)o->typecode);
	if (!r)
		r = put_stamps(b, o);
	if (!r)
		r = mgr_img_put_u64(b, full);
	return r;
}

int mgr_rec_image(struct mgr_buf *b, struct mgr_obj *o, bool full)
{
	const struct mgr_type *t = mgr_types[o->type];
	long at;
	int r;

	full = full || !t || !t->replay;
	r = image_head(b, o, full, &at);
	if (!r && !(MGR_TYPE_BIT(o->type) & MGR_CONTAINERS))
		r = t && t->save ? t->save(o, b, full) : -EINVAL;
	return mgr_rec_close(b, at, r);
}

int mgr_rec_range(struct mgr_buf *b, const struct mgr_obj *o, uint64_t off, const void *data,
		  size_t n)
{
	long at = mgr_rec_begin(b, MGR_REC_RANGE);
	int r = at < 0 ? -ENOMEM : mgr_rec_put_path(b, o);

	if (!r)
		r = mgr_img_put_u64(b, off);
	if (!r)
		r = mgr_img_put_u64(b, data != NULL);
	if (!r && data)
		r = mgr_img_put_bytes(b, data, n);
	return mgr_rec_close(b, at, r);
}

long mgr_rec_object(struct mgr_buf *b, struct mgr_obj *o, bool full, mgr_rec_flush_fn flush,
		    void *arg)
{
	const struct mgr_datum *d = o->type == MGR_VALUE ? o->u.value : NULL;
	struct mgr_datum *empty;
	size_t off, n, pieces;
	long at;
	int r;

	if (!d || d->len <= PIECE) {
		r = mgr_rec_image(b, o, full);
		return r < 0 ? r : 1;
	}
	/* Only raw bytes are this large (MGR_DATUM_MAX), and they load back
	 * as bytes: a value this large is never shown as JSON. */
	pieces = (d->len + PIECE - 1) / PIECE;
	empty = mgr_datum_new(MGR_DATUM_BYTES, "", 0);
	if (!empty)
		return -ENOMEM;
	at = mgr_rec_begin(b, MGR_REC_GROUP);
	r = mgr_rec_close(b, at, at < 0 ? -ENOMEM : mgr_img_put_u64(b, 1 + pieces));
	if (!r) {
		r = image_head(b, o, true, &at);
		if (!r)
			r = mgr_img_put_datum(b, empty);
		r = mgr_rec_close(b, at, r);
	}
	mgr_datum_free(empty);
	for (off = 0; off < d->len && !r; off += n) {
		n = d->len - off < PIECE ? d->len - off : PIECE;
		if (flush)
			r = flush(arg, b);
		if (!r)
			r = mgr_rec_range(b, o, off, d->data + off, n);
	}
	return r < 0 ? r : (long)(2 + pieces);
}

int mgr_rec_times(struct mgr_buf *b, const struct mgr_obj *o)
{
	long at = mgr_rec_begin(b, MGR_REC_TIMES);
	int r = at < 0 ? -ENOMEM : mgr_rec_put_path(b, o);

	if (!r)
		r = put_stamps(b, o);
	return mgr_rec_close(b, at, r);
}

int mgr_rec_given(struct mgr_buf *b, uint64_t id, const struct mgr_obj *queue,
		  const struct mgr_datum *d)
{
	long at = mgr_rec_begin(b, MGR_REC_GIVEN);
	int r = at < 0 ? -ENOMEM : mgr_img_put_u64(b, id);

	if (!r)
		r = mgr_rec_put_path(b, queue);
	if (!r)
		r = mgr_img_put_datum(b, d);
	return mgr_rec_close(b, at, r);
}

static int write_all(int fd, const void *data, size_t n)
{
	const char *p = data;
	ssize_t w;

	while (n) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int flush(int fd, struct mgr_buf *b, size_t at)
{
	int r = 0;

	if (b->len >= at) {
		r = write_all(fd, b->data, b->len);
		b->len = 0;
	}
	return r;
}

static int flush_all(void *fd, struct mgr_buf *b)
{
	return flush(*(int *)fd, b, 0);
}

/* Depth first, each container before what it holds. */
static int write_tree(int fd, struct mgr_buf *b, struct mgr_obj *o, uint64_t *count)
{
	struct mgr_obj *c;
	long n = mgr_rec_object(b, o, true, flush_all, &fd);
	int r = n < 0 ? (int)n : flush(fd, b, FLUSH_AT);

	*count += n > 0 ? (uint64_t)n : 0;
	if (MGR_TYPE_BIT(o->type) & MGR_CONTAINERS)
		for (c = mgr_obj_first_child(o); c && !r; c = c->next)
			r = write_tree(fd, b, c, count);
	return r;
}

int mgr_snapshot_write(int fd, struct mgr_store *s, const struct mgr_outset *out, uint64_t gen)
{
	struct mgr_buf b = MGR_BUF_INIT;
	unsigned char head[MGR_FILE_HEAD];
	uint64_t count = 0;
	long at;
	size_t i;
	int r;

	mgr_file_head(head, true, gen);
	r = mgr_buf_append(&b, head, sizeof(head));
	if (!r)
		r = write_tree(fd, &b, mgr_store_root(s), &count);
	for (i = 0; out && i < out->n && !r; i++)
		if (out->v[i].obj) {
			r = mgr_rec_given(&b, out->v[i].id, out->v[i].obj, out->v[i].item);
			count++;
		}
	if (!r) {
		at = mgr_rec_begin(&b, MGR_REC_VERSION);
		r = mgr_rec_close(&b, at, at < 0 ? -ENOMEM : mgr_img_put_u64(&b, mgr_store_version(s)));
		count++;
	}
	if (!r) {
		at = mgr_rec_begin(&b, MGR_REC_END);
		r = mgr_rec_close(&b, at, at < 0 ? -ENOMEM : mgr_img_put_u64(&b, count));
	}
	if (!r)
		r = flush(fd, &b, 0);
	if (!r && fsync(fd) < 0)
		r = -errno;
	mgr_buf_release(&b);
	return r;
}

int mgr_snapshot_file(int dirfd, const char *path, struct mgr_store *s,
		      const struct mgr_outset *out, uint64_t gen, char *err, size_t errlen)
{
	char tmp[4096], dir[4096];
	int fd, dfd, r;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		snprintf(err, errlen, "path too long");
		return -ENAMETOOLONG;
	}
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(-r));
		return r;
	}
	r = mgr_snapshot_write(fd, s, out, gen);
	if (close(fd) < 0 && !r)
		r = -errno;
	if (!r && renameat(dirfd, tmp, dirfd, path) < 0)
		r = -errno;
	if (r < 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(-r));
		unlinkat(dirfd, tmp, 0);
		return r;
	}
	if (dirfd != AT_FDCWD) {
		fsync(dirfd);
		return 0;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}
