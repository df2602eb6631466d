/* Open files: open, read and write of the files whose content is read at
 * open and written back whole (lists, arrays; write-back is in
 * writeback.c), or is the state of a synchronisation object (see file.h).
 * A value's reads and writes go on to value.c and rewrite.c, a queue's to
 * queue.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "lock.h"
#include "notify.h"
#include "proto.h"
#include "queue.h"
#include "rewrite.h"
#include "tctx.h"
#include "text.h"
#include "util.h"
#include "value.h"

int fs_file_kind(int type, int flags)
{
	switch (type) {
	case MGR_NAMESPACE:
	case MGR_DICT:
		return -EISDIR;
	case MGR_QUEUE:
		return FS_H_QUEUE;
	case MGR_VALUE:
		return FS_H_VALUE;
	case MGR_LIST:
	case MGR_ARRAY:
		return FS_H_DATA;
	default:
		/* State is changed through mgrctl, or flock. */
		return (flags & O_ACCMODE) == O_RDONLY ? FS_H_STATE : -EACCES;
	}
}

void fs_file_open_flags(struct fuse_file_info *fi, enum fs_handle_kind kind)
{
	fi->direct_io = 1;
	fi->keep_cache = 0;
	fi->nonseekable = kind == FS_H_QUEUE;
}

/* Tell the kernel of the open file; if it threw the answer away, the file
 * was never open.  Runs on the loop's thread or the notifier's. */
static void answer_open(void *arg)
{
	struct fs_tctx *t = arg;

	if (fuse_reply_open(t->req, &t->fi) < 0) {
		pthread_mutex_lock(&t->fs->lock);
		fs_handle_closed(t->h);
		pthread_mutex_unlock(&t->fs->lock);
		fs_handle_free(t->h);
	}
	fs_tctx_free(t);
}

void fs_file_reply_open(struct fs_tctx *t)
{
	struct fs_handle *h = t->h;

	pthread_mutex_lock(&t->fs->lock);
	/* What the file holds now is its size, also for an fstat once the
	 * object is gone (attr.c's reply_orphan). */
	if (h->kind == FS_H_DATA || h->kind == FS_H_STATE)
		h->node->size = h->buf.len;
	fs_handle_opened(h);
	pthread_mutex_unlock(&t->fs->lock);
	t->fi.fh = (uintptr_t)h;
	/* An open comes after the invalidations of changes already heard
	 * of: what the kernel then shows of the file (its size, its pages)
	 * is what any client closed before it. */
	if (!fs_notify_after(t->fs, answer_open, t))
		answer_open(t);
}

static void value_opened(void *arg, int err)
{
	struct fs_tctx *t = arg;

	if (err) {
		fs_handle_free(t->h);
		fs_tctx_fail(t, err);
		return;
	}
	fs_file_reply_open(t);
}

/* A value: how it is to be written, and, read for the first time, its
 * content if it is small (value.h).  Each change to an object reaches
 * mgrfs as an event, which drops what the node keeps, and the manager
 * sends it before it answers the call that made the change: so once the
 * events already on their way are handled, what is still kept is what the
 * manager holds. */
static void open_value(struct fs_tctx *t)
{
	struct mgrfs *fs = t->fs;
	struct fs_node *n = t->h->node;
	bool kept;

	if (fs_value_setup(t->h, &t->fi)) {
		fs_value_empty(fs, t->path.data, value_opened, t);
		return;
	}
	if (t->h->vmode == FS_V_STAGE) {
		fs_file_reply_open(t);
		return;
	}
	if (fs->cache)
		mgr_client_dispatch(fs->client);
	pthread_mutex_lock(&fs->lock);
	kept = n->cached && n->cepoch == fs->epoch;
	pthread_mutex_unlock(&fs->lock);
	if (kept)
		fs_file_reply_open(t);
	else
		fs_value_prefetch(fs, t->h, t->path.data, value_opened, t);
}

static void open_cb(void *arg, struct mgr_reply *rep)
{
	struct fs_tctx *t = arg;
	struct mgrfs *fs = t->fs;
	struct fs_handle *h = t->h;
	int err = rep->err;

	if (!err && h->kind == FS_H_STATE)
		err = fs_text_show_state(rep->result, &h->buf);
	else if (!err)
		err = fs_text_show_content(h->type, rep->result, &h->buf);
	h->stored = h->buf.len;
	if (err) {
		fs_handle_free(h);
		fs_tctx_fail(t, err);
		return;
	}
	/* Replies and events come in the order of the changes: any change
	 * after this content was read comes after it, and drops it. */
	if (h->kind == FS_H_DATA && fs->cache && t->epoch == fs->epoch) {
		pthread_mutex_lock(&fs->lock);
		fs_node_cache_set(&fs->nodes, h->node, h->buf.data, h->buf.len, t->epoch);
		pthread_mutex_unlock(&fs->lock);
	}
	fs_file_reply_open(t);
}

/* Open h from the content kept for its node: true when there was some.
 * Each change to an object reaches mgrfs as an event, which drops what is
 * kept, and the manager sends it before it answers the call that made the
 * change: so once the events already on their way are handled, content
 * still kept is what the manager holds.  An open that follows a change
 * anyone was told of comes after that change's event, in the socket or
 * read into the client. */
static bool cache_open(struct mgrfs *fs, struct fs_handle *h)
{
	struct fs_node *n = h->node;
	bool hit;

	if (!fs->cache)
		return false;
	mgr_client_dispatch(fs->client);
	pthread_mutex_lock(&fs->lock);
	hit = n->cached && n->cepoch == fs->epoch && n->type == h->type;
	if (hit && mgr_buf_append(&h->buf, n->content.data, n->content.len) < 0)
		hit = false;
	h->stored = h->buf.len;
	pthread_mutex_unlock(&fs->lock);
	return hit;
}

static void ll_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs_tctx *t = fs_tctx_new(req, ino);
	int acc = fi->flags & O_ACCMODE, kind, err;
	struct fs_node *n;
	struct mgr_req r;

	if (!t)
		return;
	pthread_mutex_lock(&t->fs->lock);
	n = fs_node_get(&t->fs->nodes, ino);
	t->type = n ? n->type : -1;
	pthread_mutex_unlock(&t->fs->lock);
	err = fs_path_of(t->fs, ino, NULL, &t->path);
	if (err)
		goto fail;
	kind = fs_file_kind(t->type, fi->flags);
	if (kind < 0) {
		err = kind;
		goto fail;
	}
	t->h = fs_handle_new(kind, n, t->type, fi->flags);
	if (!t->h) {
		err = -ENOMEM;
		goto fail;
	}
	t->fi = *fi;
	fs_file_open_flags(&t->fi, kind);
	if (kind == FS_H_VALUE) {
		open_value(t);
		return;
	}
	if (kind == FS_H_QUEUE) {
		fs_file_reply_open(t);
		return;
	}
	if (kind == FS_H_DATA && acc != O_RDONLY && (fi->flags & O_TRUNC)) {
		/* Stored at close: never an empty value in between. */
		t->h->modified = true;
		fs_file_reply_open(t);
		return;
	}
	if (kind == FS_H_DATA && acc == O_WRONLY && (fi->flags & O_APPEND)) {
		/* Lines appended to a list need not know what it holds. */
		fs_file_reply_open(t);
		return;
	}
	if (kind == FS_H_DATA && cache_open(t->fs, t->h)) {
		fs_file_reply_open(t);
		return;
	}
	t->epoch = t->fs->epoch;
	err = fs_tctx_req(t, &r, kind == FS_H_STATE ? "stat" : "get");
	if (!err) {
		fs_tctx_send(t, &r, open_cb);
		return;
	}
fail:
	fs_handle_free(t->h);
	fs_tctx_fail(t, err);
}

static void ll_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct mgrfs *fs = fuse_req_userdata(req);
	struct fs_handle *h = (struct fs_handle *)(uintptr_t)fi->fh;
	size_t n = 0;
	int err = fs_lock_lost(fs, h);

	if (err) {
		fuse_reply_err(req, -err);
		return;
	}
	if (h->kind == FS_H_QUEUE) {
		fs_queue_read(req, h, size, fi->flags);
		return;
	}
	if (h->kind == FS_H_VALUE) {
		fs_value_read(req, h, size, off);
		return;
	}
	pthread_mutex_lock(&fs->lock);
	if ((uint64_t)off < h->buf.len)
		n = h->buf.len - off < size ? h->buf.len - off : size;
	fuse_reply_buf(req, n ? h->buf.data + off : NULL, n);
	pthread_mutex_unlock(&fs->lock);
}

int fs_file_resize(struct fs_handle *h, uint64_t len)
{
	int err;

	if (len > MGR_DATUM_MAX)
		return -EFBIG;
	if (len > h->buf.len) {
		err = mgr_buf_reserve(&h->buf, len - h->buf.len);
		if (err)
			return err;
		memset(h->buf.data + h->buf.len, 0, len - h->buf.len);
	}
	h->buf.len = len;
	return 0;
}

static void ll_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	struct mgrfs *fs = fuse_req_userdata(req);
	struct fs_handle *h = (struct fs_handle *)(uintptr_t)fi->fh;
	int err = fs_lock_lost(fs, h);

	if (err) {
		fuse_reply_err(req, -err);
		return;
	}
	if (h->kind == FS_H_QUEUE) {
		fs_queue_write(req, h, buf, size, fi->flags);
		return;
	}
	if (h->kind == FS_H_VALUE && h->vmode == FS_V_STAGE) {
		fs_rewrite_write(req, h, buf, size, off);
		return;
	}
	if (h->kind == FS_H_VALUE) {
		fs_value_write(req, h, buf, size, off);
		return;
	}
	if (h->kind != FS_H_DATA) {
		fuse_reply_err(req, EBADF);
		return;
	}
	pthread_mutex_lock(&fs->lock);
	/* The kernel's idea of the end may be stale: the handle knows. */
	if (h->flags & O_APPEND)
		off = h->buf.len;
	err = (uint64_t)off + size > MGR_DATUM_MAX ? -EFBIG : 0;
	if (!err && (uint64_t)off + size > h->buf.len)
		err = fs_file_resize(h, off + size);
	if (!err) {
		memcpy(h->buf.data + off, buf, size);
		h->modified = h->written = true;
	} else {
		h->werr = err;
	}
	pthread_mutex_unlock(&fs->lock);
	if (err)
		fuse_reply_err(req, fs_errno(err));
	else
		fuse_reply_write(req, size);
}

static void ll_init(void *userdata, struct fuse_conn_info *conn)
{
	/* open(O_TRUNC) must reach open, not come as a truncation first,
	 * which would store an empty value before the new one. */
	if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC)
		conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
	/* A value's pages are dropped when the manager reports a change;
	 * and also when its modification time is seen to move, should an
	 * event go unheard (a broken link). */
	conn->want |= FUSE_CAP_AUTO_INVAL_DATA;
}

void fs_file_ops(struct fuse_lowlevel_ops *ops)
{
	ops->init = ll_init;
	ops->open = ll_open;
	ops->read = ll_read;
	ops->write = ll_write;
}
