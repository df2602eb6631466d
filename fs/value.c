/* Values as files: reads by range, writes in place and appends (see
 * value.h; rewrites are rewrite.c's).  Each handler sends its request and
 * returns; the reply callback answers the kernel. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "notify.h"
#include "proto.h"
#include "text.h"
#include "util.h"
#include "value.h"

/* A value of at most this many bytes is read whole, and kept. */
#define FS_WHOLE ((size_t)64 << 10)

struct fs_vop *fs_vop_new(fuse_req_t req, struct mgrfs *fs, struct fs_handle *h)
{
	struct fs_vop *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	v->req = req;
	v->fs = fs;
	v->h = h;
	v->n = h ? h->node : NULL;
	return v;
}

struct fs_vop *fs_vop_for_size(struct mgrfs *fs, struct fs_handle *h, uint64_t size,
			       fs_done_fn done, void *arg)
{
	struct fs_vop *v = size > MGR_VALUE_MAX ? NULL : fs_vop_new(NULL, fs, h);

	if (!v) {
		done(arg, size > MGR_VALUE_MAX ? -EFBIG : -ENOMEM);
		return NULL;
	}
	v->done = done;
	v->arg = arg;
	v->len = size;
	return v;
}

void fs_vop_free(struct fs_vop *v)
{
	mgr_buf_release(&v->data);
	free(v);
}

void fs_vop_end(struct fs_vop *v, int err)
{
	if (v->req)
		fuse_reply_err(v->req, fs_errno(err));
	else if (v->done)
		v->done(v->arg, err);
	fs_vop_free(v);
}

int fs_value_path(struct fs_node *n, struct mgr_buf *out)
{
	int err = fs_node_path(n, out);

	return err ? err : mgr_buf_append(out, "", 1);
}

bool fs_value_orphan(const struct fs_node *n)
{
	return n->gone || !n->parent;
}

/* Answer a read of size at off from len bytes of data.  Under the lock:
 * the data may be a handle's or a node's. */
static void reply_range(fuse_req_t req, const char *data, size_t len, size_t size, off_t off)
{
	size_t n = 0;

	if ((uint64_t)off < len)
		n = len - off < size ? len - off : size;
	fuse_reply_buf(req, n ? data + off : NULL, n);
}

bool fs_value_setup(struct fs_handle *h, struct fuse_file_info *fi)
{
	int acc = h->flags & O_ACCMODE;

	fi->keep_cache = 0;
	fi->nonseekable = 0;
	/* A rewrite and appends bypass the page cache, which would take
	 * what they write at the wrong place or before it is stored.  So do
	 * reads of a file opened only to be read: each read() is then one
	 * read in the manager, of one version, where pages read one after
	 * the other could mix two.  The rest go through it, and may be
	 * mapped shared. */
	if (acc == O_WRONLY && (h->flags & O_TRUNC)) {
		h->vmode = FS_V_STAGE;
		h->modified = true;
		fi->direct_io = h->direct = true;
		return false;
	}
	h->vmode = acc != O_RDONLY && (h->flags & O_APPEND) ? FS_V_APPEND : FS_V_PLACE;
	fi->direct_io = h->direct = h->vmode == FS_V_APPEND || acc == O_RDONLY;
	return acc != O_RDONLY && (h->flags & O_TRUNC);
}

static void done_cb(void *arg, struct mgr_reply *rep)
{
	fs_vop_end(arg, rep->err);
}

void fs_value_empty(struct mgrfs *fs, const char *path, fs_done_fn done, void *arg)
{
	struct fs_vop *v = fs_vop_new(NULL, fs, NULL);
	struct mgr_req r;
	int err = v ? mgr_req_init(&r, "truncate", path) : -ENOMEM;

	if (!err) {
		v->done = done;
		v->arg = arg;
		err = mgr_json_kv_u64(r.g, "size", 0);
		if (!err)
			err = mgr_client_call_async(fs->client, &r, done_cb, v, NULL);
		mgr_req_release(&r);
	}
	if (err) {
		if (v)
			fs_vop_free(v);
		done(arg, err);
	}
}

/* The reply to a "read" (or "stage_read") for v: its bytes into data, and
 * the value's size. */
static int take_bytes(struct mgr_reply *rep, struct mgr_buf *data, uint64_t *size)
{
	const char *b64;

	if (rep->err)
		return rep->err;
	if (mgr_json_get_str(rep->result, "bytes", &b64) < 0 ||
	    mgr_json_get_u64(rep->result, "size", size) < 0)
		return -EPROTO;
	return mgr_base64_decode(b64, strlen(b64), data) < 0 ? -EPROTO : 0;
}

/* A read that took the whole value: keep it on the node.  Replies and
 * events come in the order of the changes, so any change after this read
 * comes after it, and drops it. */
static void keep_whole(struct fs_vop *v, const struct mgr_buf *data, uint64_t size)
{
	struct mgrfs *fs = v->fs;

	if (!v->whole || data->len != size || !fs->cache || v->epoch != fs->epoch)
		return;
	pthread_mutex_lock(&fs->lock);
	if (!v->n->stager)
		fs_node_cache_set(&fs->nodes, v->n, data->data, data->len, v->epoch);
	pthread_mutex_unlock(&fs->lock);
}

static void prefetch_cb(void *arg, struct mgr_reply *rep)
{
	struct mgr_buf data = MGR_BUF_INIT;
	struct fs_vop *v = arg;
	uint64_t size = 0;
	int err = take_bytes(rep, &data, &size);

	if (!err)
		keep_whole(v, &data, size);
	mgr_buf_release(&data);
	fs_vop_end(v, err);
}

/* Send a read of v->len bytes at v->off of the value at path (or of the
 * stage, when not 0), answered in cb. */
static int send_read(struct fs_vop *v, const char *path, uint64_t stage, mgr_reply_fn cb)
{
	struct mgr_req r;
	int err = mgr_req_init(&r, stage ? "stage_read" : "read", stage ? NULL : path);

	if (!err && stage)
		err = mgr_json_kv_u64(r.g, "stage", stage);
	if (!err)
		err = mgr_json_kv_u64(r.g, "offset", v->off);
	if (!err)
		err = mgr_json_kv_u64(r.g, "length", v->len);
	if (!err)
		err = mgr_client_call_async(v->fs->client, &r, cb, v, NULL);
	mgr_req_release(&r);
	return err;
}

void fs_value_prefetch(struct mgrfs *fs, struct fs_handle *h, const char *path,
		       fs_done_fn done, void *arg)
{
	struct fs_vop *v;
	int err;

	if (!fs->cache || (h->flags & O_ACCMODE) == O_WRONLY) {
		done(arg, 0);
		return;
	}
	v = fs_vop_new(NULL, fs, h);
	if (!v) {
		done(arg, -ENOMEM);
		return;
	}
	v->done = done;
	v->arg = arg;
	v->len = FS_WHOLE;
	v->whole = true;
	v->epoch = fs->epoch;
	err = send_read(v, path, 0, prefetch_cb);
	if (err)
		fs_vop_end(v, err);
}

static void read_cb(void *arg, struct mgr_reply *rep)
{
	struct mgr_buf data = MGR_BUF_INIT;
	struct fs_vop *v = arg;
	struct mgrfs *fs = v->fs;
	uint64_t size = 0;
	fuse_req_t req;
	int err = take_bytes(rep, &data, &size);

	/* The rewrite was put in place meanwhile: the value holds it. */
	if (err == -ENOENT && v->staged) {
		req = v->req;
		v->req = NULL;
		fs_value_read(req, v->h, v->ask, v->off);
		mgr_buf_release(&data);
		fs_vop_free(v);
		return;
	}
	if (err == -ENOENT && fs_value_orphan(v->n))
		err = -ESTALE;	/* gone, and not kept here */
	if (err) {
		mgr_buf_release(&data);
		fs_vop_end(v, err);
		return;
	}
	keep_whole(v, &data, size);
	pthread_mutex_lock(&fs->lock);
	v->n->pages = true;
	reply_range(v->req, data.data, data.len, v->ask, 0);
	pthread_mutex_unlock(&fs->lock);
	mgr_buf_release(&data);
	fs_vop_free(v);
}

void fs_value_read(fuse_req_t req, struct fs_handle *h, size_t size, off_t off)
{
	struct mgrfs *fs = fuse_req_userdata(req);
	struct mgr_buf path = MGR_BUF_INIT;
	struct fs_node *n = h->node;
	struct fs_handle *st;
	uint64_t stage = 0;
	struct fs_vop *v;
	int err;

	/* Events already in the socket come first: a change anyone was told
	 * of drops what is kept (see file.c's open). */
	if (fs->cache)
		mgr_client_dispatch(fs->client);
	pthread_mutex_lock(&fs->lock);
	st = n->stager;
	/* A rewrite here is what the file holds here. */
	if ((st && !st->stage) || (!st && n->cached && n->cepoch == fs->epoch)) {
		if (st)
			reply_range(req, st->buf.data, st->buf.len, size, off);
		else
			reply_range(req, n->content.data, n->content.len, size, off);
		n->pages = true;
		pthread_mutex_unlock(&fs->lock);
		return;
	}
	stage = st ? st->stage : 0;
	err = stage ? 0 : fs_value_path(n, &path);
	pthread_mutex_unlock(&fs->lock);
	v = err ? NULL : fs_vop_new(req, fs, h);
	if (!v) {
		fuse_reply_err(req, err == -ENOENT ? ESTALE : fs_errno(err ? err : -ENOMEM));
		mgr_buf_release(&path);
		return;
	}
	v->off = off;
	v->len = v->ask = size;
	v->staged = stage != 0;
	/* The first read of a small value takes all of it. */
	v->whole = off == 0 && !stage;
	if (v->whole && v->len < FS_WHOLE)
		v->len = FS_WHOLE;
	v->epoch = fs->epoch;
	err = send_read(v, path.data, stage, read_cb);
	mgr_buf_release(&path);
	if (err)
		fs_vop_end(v, err);
}

/* A write or truncation of an object known to be gone goes where a
 * deleted file's writes go on a local disk: into what this open file
 * shows, if it is kept here. */
static void orphan_change(struct mgrfs *fs, struct fs_node *n, uint64_t off,
			  const char *data, size_t len)
{
	if (n->cached)
		fs_node_cache_write(&fs->nodes, n, off, data, len);
}

static void write_cb(void *arg, struct mgr_reply *rep)
{
	struct fs_vop *v = arg;
	struct mgrfs *fs = v->fs;
	int err = rep->err;

	if (err == -ENOENT) {
		pthread_mutex_lock(&fs->lock);
		if (fs_value_orphan(v->n)) {
			orphan_change(fs, v->n, v->off, v->data.data, v->data.len);
			err = 0;
		}
		pthread_mutex_unlock(&fs->lock);
	}
	/* The kernel put what failed in its pages already: they go. */
	if (err && v->h && !v->h->direct)
		fs_notify_inval_pages(fs, v->n->ino);
	if (err)
		fs_vop_end(v, err);
	else {
		fuse_reply_write(v->req, v->ask);
		fs_vop_free(v);
	}
}

void fs_value_write(fuse_req_t req, struct fs_handle *h, const char *buf, size_t size,
		    off_t off)
{
	struct mgrfs *fs = fuse_req_userdata(req);
	struct mgr_buf path = MGR_BUF_INIT;
	bool append = h->vmode == FS_V_APPEND;
	struct fs_vop *v;
	struct mgr_req r;
	uint64_t id;
	int err;

	if (!append && (uint64_t)off + size > MGR_VALUE_MAX) {
		fuse_reply_err(req, EFBIG);
		return;
	}
	v = fs_vop_new(req, fs, h);
	pthread_mutex_lock(&fs->lock);
	err = v ? fs_value_path(h->node, &path) : -ENOMEM;
	if (err == -ENOENT && fs_value_orphan(h->node)) {
		orphan_change(fs, h->node, append ? h->node->content.len : (uint64_t)off, buf, size);
		err = 1;
	}
	pthread_mutex_unlock(&fs->lock);
	if (err) {
		if (v)
			fs_vop_free(v);
		mgr_buf_release(&path);
		if (err > 0)
			fuse_reply_write(req, size);
		else
			fuse_reply_err(req, fs_errno(err));
		return;
	}
	v->off = off;
	v->ask = size;
	/* Kept for an object that goes meanwhile. */
	err = mgr_buf_append(&v->data, buf, size);
	if (!err)
		err = mgr_req_init(&r, append ? "append" : "write", path.data);
	mgr_buf_release(&path);
	if (err) {
		fs_vop_end(v, err);
		return;
	}
	if (!append)
		err = mgr_json_kv_u64(r.g, "offset", off);
	if (!err)
		err = mgr_json_kv_base64(r.g, "bytes", buf, size);
	if (!err)
		err = mgr_client_call_async(fs->client, &r, write_cb, v, &id);
	mgr_req_release(&r);
	/* A write through the page cache is in the kernel's pages already;
	 * an append, or any write past the cache, is not. */
	if (!err && !h->direct)
		fs_notify_quiet(fs, id);
	if (err)
		fs_vop_end(v, err);
}

static void truncate_cb(void *arg, struct mgr_reply *rep)
{
	struct fs_vop *v = arg;
	struct mgrfs *fs = v->fs;
	int err = rep->err;

	if (err == -ENOENT && v->n) {
		pthread_mutex_lock(&fs->lock);
		if (fs_value_orphan(v->n)) {
			if (v->n->cached && v->len < v->n->content.len)
				fs_node_cache_cut(&fs->nodes, v->n, v->len);
			else
				orphan_change(fs, v->n, v->len, "", 0);
			err = 0;
		}
		pthread_mutex_unlock(&fs->lock);
	}
	fs_vop_end(v, err);
}

void fs_value_truncate(struct mgrfs *fs, struct fs_node *n, const char *path, uint64_t size,
		       fs_done_fn done, void *arg)
{
	struct fs_vop *v = fs_vop_for_size(fs, NULL, size, done, arg);
	struct mgr_req r;
	uint64_t id;
	int err;

	if (!v)
		return;
	v->n = n;
	err = mgr_req_init(&r, "truncate", path);
	if (!err)
		err = mgr_json_kv_u64(r.g, "size", size);
	if (!err)
		err = mgr_client_call_async(fs->client, &r, truncate_cb, v, &id);
	mgr_req_release(&r);
	/* The kernel cut or extended its pages itself. */
	if (!err)
		fs_notify_quiet(fs, id);
	if (err)
		fs_vop_end(v, err);
}

