/* Write-back: what an open list or array holds, and a value's rewrite
 * (rewrite.h), is stored in the manager when it is due, at flush, fsync
 * and release; and setattr's changes of size and time (see writeback.h).
 *
 * Each handler turns the kernel's request into manager requests and
 * returns; the reply callback answers the kernel.  flush and release take
 * several steps, chained from the callbacks. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "attr.h"
#include "datum.h"
#include "file.h"
#include "lock.h"
#include "posix.h"
#include "proto.h"
#include "queue.h"
#include "rewrite.h"
#include "tctx.h"
#include "text.h"
#include "util.h"
#include "value.h"
#include "writeback.h"

/* Several requests sent at once, answered when the last reply is in. */
struct batch {
	int left;
	int err;
	fs_done_fn done;
	void *arg;
};

static void batch_put(struct batch *b, int err)
{
	if (err && !__atomic_load_n(&b->err, __ATOMIC_ACQUIRE))
		__atomic_store_n(&b->err, err, __ATOMIC_RELEASE);
	if (__atomic_sub_fetch(&b->left, 1, __ATOMIC_ACQ_REL) == 0) {
		b->done(b->arg, __atomic_load_n(&b->err, __ATOMIC_ACQUIRE));
		free(b);
	}
}

static void batch_cb(void *arg, struct mgr_reply *rep)
{
	batch_put(arg, rep->err);
}

/* Send r (released here) as part of b. */
static void batch_send(struct mgrfs *fs, struct batch *b, struct mgr_req *r)
{
	int err;

	__atomic_add_fetch(&b->left, 1, __ATOMIC_ACQ_REL);
	err = mgr_client_call_async(fs->client, r, batch_cb, b, NULL);
	mgr_req_release(r);
	if (err)
		batch_put(b, err);
}

/* A request storing data as a value, or as the items of an array. */
static int store_req(const char *path, int type, const char *data, size_t len,
		     struct mgr_req *r)
{
	int err = mgr_req_init(r, "set", path);

	if (err)
		return err;
	err = fs_text_gen_content(r->g, type, data, len);
	if (err)
		mgr_req_release(r);
	return err;
}

/* Requests made under the lock and sent after it: a large request can
 * take a while to send, and the lock is not held across waits. */
struct reqs {
	struct mgr_req *v;
	size_t n, cap;
};

static int reqs_add(struct reqs *rs, struct mgr_req *r)
{
	struct mgr_req *v;

	if (rs->n == rs->cap) {
		v = realloc(rs->v, (rs->cap ? 2 * rs->cap : 4) * sizeof(*v));
		if (!v) {
			mgr_req_release(r);
			return -ENOMEM;
		}
		rs->v = v;
		rs->cap = rs->cap ? 2 * rs->cap : 4;
	}
	rs->v[rs->n++] = *r;
	return 0;
}

/* The requests that store what h holds, for commit: a value or array in
 * one request, a list a line at a time, so that each item keeps its bytes
 * (set and extend take JSON only).  Called with the lock held. */
static int store_reqs(struct fs_handle *h, const char *path, struct reqs *rs)
{
	struct mgr_datum *d;
	struct mgr_req r;
	size_t pos = 0, s, e;
	int err;

	if (h->type != MGR_LIST) {
		err = store_req(path, h->type, h->buf.data ? h->buf.data : "", h->buf.len, &r);
		return err ? err : reqs_add(rs, &r);
	}
	/* Without O_APPEND the handle held the whole list, which it
	 * replaces; appending, only the lines after what is stored are new. */
	if (h->flags & O_APPEND) {
		pos = h->stored;
	} else {
		err = mgr_req_init(&r, "clear", path);
		if (!err)
			err = reqs_add(rs, &r);
		if (err)
			return err;
	}
	while (fs_text_next_line(h->buf.data, h->buf.len, &pos, &s, &e)) {
		err = fs_text_datum_for(h->buf.data + s, e - s, false, &d);
		if (err)
			return err;
		err = mgr_req_init(&r, "append", path);
		if (!err) {
			err = mgr_datum_gen_members(r.g, d);
			if (err)
				mgr_req_release(&r);
		}
		mgr_datum_free(d);
		if (!err)
			err = reqs_add(rs, &r);
		if (err)
			return err;
	}
	h->stored = h->buf.len;
	return 0;
}

/* Store what h holds when it is due: after a write, or when it was
 * truncated and not written (at the second flush or at release, so that
 * the flush that comes between open and write does not store an empty
 * value).  done runs once, maybe at once. */
static void commit(struct mgrfs *fs, struct fs_handle *h, bool final, fs_done_fn done, void *arg)
{
	struct mgr_buf path = MGR_BUF_INIT;
	struct reqs rs = { NULL, 0, 0 };
	struct batch *b;
	size_t i;
	int err = 0;

	b = calloc(1, sizeof(*b));
	if (!b) {
		done(arg, -ENOMEM);
		return;
	}
	b->left = 1;
	b->done = done;
	b->arg = arg;
	/* Written under a lock that went with a broken link: storing it
	 * could undo what the lock's next holder stored. */
	err = fs_lock_lost(fs, h);
	pthread_mutex_lock(&fs->lock);
	if (err)
		h->modified = h->written = false;
	if (h->kind != FS_H_DATA || !h->modified ||
	    (!h->written && !final && ++h->idle_flushes < 2)) {
		pthread_mutex_unlock(&fs->lock);
		goto out;
	}
	h->modified = h->written = false;
	h->idle_flushes = 0;
	/* What could not all be written is not stored in part: the object
	 * keeps what it held, and close() tells. */
	err = h->werr;
	h->werr = 0;
	if (!err)
		err = fs_node_path(h->node, &path);
	if (!err)
		err = mgr_buf_append(&path, "", 1);
	if (!err)
		err = store_reqs(h, path.data, &rs);
	pthread_mutex_unlock(&fs->lock);
	/* All or nothing: requests are sent only when all could be made. */
	for (i = 0; i < rs.n; i++) {
		if (err)
			mgr_req_release(&rs.v[i]);
		else
			batch_send(fs, b, &rs.v[i]);
	}
out:
	free(rs.v);
	mgr_buf_release(&path);
	batch_put(b, err);
}

static void flush_step(void *arg, int err)
{
	struct fs_tctx *t = arg;

	if (err && !t->err)
		t->err = err;
	switch (t->step++) {
	case 0:
		if (t->h->kind == FS_H_VALUE)
			fs_rewrite_commit(t->fs, t->h, false, flush_step, t);
		else
			commit(t->fs, t->h, false, flush_step, t);
		break;
	case 1:
		fs_queue_flush(t->fs, t->h, flush_step, t);
		break;
	case 2:
		fs_posix_release(t->fs, t->h->node, t->fi.lock_owner, flush_step, t);
		break;
	default:
		fuse_reply_err(t->req, fs_errno(t->err));
		fs_tctx_free(t);
		break;
	}
}

/* Each close(): what was written is stored, and the closing process's
 * POSIX locks on the file are given back. */
static void ll_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs_tctx *t = fs_tctx_new(req, ino);

	if (!t)
		return;
	t->h = (struct fs_handle *)(uintptr_t)fi->fh;
	t->fi = *fi;
	flush_step(t, 0);
}

static void fsync_done(void *arg, int err)
{
	struct fs_tctx *t = arg;

	fuse_reply_err(t->req, fs_errno(err));
	fs_tctx_free(t);
}

static void ll_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	struct fs_tctx *t = fs_tctx_new(req, ino);

	if (!t)
		return;
	t->h = (struct fs_handle *)(uintptr_t)fi->fh;
	if (t->h->kind == FS_H_VALUE)
		fs_rewrite_commit(t->fs, t->h, true, fsync_done, t);
	else
		commit(t->fs, t->h, true, fsync_done, t);
}

static void release_step(void *arg, int err)
{
	struct fs_tctx *t = arg;

	switch (t->step++) {
	case 0:
		if (t->h->kind == FS_H_VALUE)
			fs_rewrite_commit(t->fs, t->h, true, release_step, t);
		else
			commit(t->fs, t->h, true, release_step, t);
		break;
	case 1:
		fs_queue_flush(t->fs, t->h, release_step, t);
		break;
	case 2:
		fs_lock_release_flock(t->fs, t->h, release_step, t);
		break;
	default:
		/* Answered last, so that an open that follows sees what
		 * was stored here. */
		pthread_mutex_lock(&t->fs->lock);
		fs_handle_closed(t->h);
		pthread_mutex_unlock(&t->fs->lock);
		fuse_reply_err(t->req, 0);
		fs_handle_free(t->h);
		fs_tctx_free(t);
		break;
	}
}

static void ll_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs_tctx *t = fs_tctx_new(req, ino);

	if (!t)
		return;
	t->h = (struct fs_handle *)(uintptr_t)fi->fh;
	t->fi = *fi;
	release_step(t, 0);
}

/* setattr: a new size and a new modification time are the manager's;
 * an owner can only stay as it is (EPERM), and a mode is taken and not
 * kept, so that cp -p, rsync and tar carry on.  Each step runs only if
 * the one before it succeeded, so that a call that fails changes nothing
 * more. */

static void setattr_step(void *arg, int err);

static void truncate_done(void *arg, int err)
{
	struct fs_tctx *t = arg;

	fs_handle_free(t->h);
	t->h = NULL;
	setattr_step(t, err);
}

/* Truncate a list or array by path: what the file shows, cut or extended,
 * is stored as if written through an open file. */
static void truncate_cb(void *arg, struct mgr_reply *rep)
{
	struct fs_tctx *t = arg;
	struct fs_handle *h = t->h;
	int err = rep->err;

	if (!err)
		err = fs_text_show_content(h->type, rep->result, &h->buf);
	if (!err)
		err = fs_file_resize(h, t->newsize);
	if (err) {
		truncate_done(t, err);
		return;
	}
	h->modified = h->written = true;
	commit(t->fs, h, true, truncate_done, t);
}

/* The size step: a value in the manager (or its rewrite), a list or an
 * array as its text. */
static void set_size(struct fs_tctx *t, struct fs_handle *h)
{
	struct mgrfs *fs = t->fs;
	struct fs_node *n;
	struct mgr_req r;
	int err;

	if (h && h->kind == FS_H_VALUE && h->vmode == FS_V_STAGE) {
		fs_rewrite_truncate(fs, h, t->newsize, setattr_step, t);
		return;
	}
	pthread_mutex_lock(&fs->lock);
	n = fs_node_get(&fs->nodes, t->ino);
	t->type = n ? n->type : -1;
	err = 0;
	if (h && h->kind == FS_H_DATA) {
		err = fs_file_resize(h, t->newsize);
		if (!err)
			h->modified = h->written = true;
		pthread_mutex_unlock(&fs->lock);
		setattr_step(t, err);
		return;
	}
	pthread_mutex_unlock(&fs->lock);
	if (t->type == MGR_QUEUE) {
		setattr_step(t, 0);
		return;
	}
	if (t->type == MGR_VALUE) {
		fs_value_truncate(fs, n, t->path.data, t->newsize, setattr_step, t);
		return;
	}
	err = fs_file_kind(t->type, O_WRONLY);
	if (err >= 0 && err != FS_H_DATA)
		err = -EACCES;
	if (err < 0) {
		setattr_step(t, err);
		return;
	}
	/* A handle of our own carries the content to commit. */
	t->h = fs_handle_new(FS_H_DATA, n, t->type, O_WRONLY);
	if (!t->h) {
		setattr_step(t, -ENOMEM);
		return;
	}
	err = fs_tctx_req(t, &r, "get");
	if (!err) {
		err = mgr_client_call_async(fs->client, &r, truncate_cb, t, NULL);
		mgr_req_release(&r);
	}
	if (err)
		truncate_done(t, err);
}

static void utime_cb(void *arg, struct mgr_reply *rep)
{
	setattr_step(arg, rep->err);
}

/* The steps of setattr, chained: size, modification time, then the
 * attributes as they are now. */
static void setattr_step(void *arg, int err)
{
	struct fs_tctx *t = arg;
	struct mgr_req r;

	if (err) {
		fs_tctx_fail(t, err);
		return;
	}
	switch (t->step++) {
	case 0:
		if ((t->to_set & FUSE_SET_ATTR_SIZE) && !(t->h && t->h->kind == FS_H_QUEUE)) {
			set_size(t, t->h);
			return;
		}
		setattr_step(t, 0);
		return;
	case 1:
		/* Only the modification time is kept: the access time is
		 * shown as it, so setting it alone changes nothing. */
		if (!(t->to_set & (FUSE_SET_ATTR_MTIME | FUSE_SET_ATTR_MTIME_NOW))) {
			setattr_step(t, 0);
			return;
		}
		err = fs_tctx_req(t, &r, "utime");
		if (!err && !(t->to_set & FUSE_SET_ATTR_MTIME_NOW))
			err = mgr_json_kv_i64(r.g, "mtime_ns", t->mtime);
		if (!err) {
			err = mgr_client_call_async(t->fs->client, &r, utime_cb, t, NULL);
			mgr_req_release(&r);
		}
		if (err)
			setattr_step(t, err);
		return;
	default:
		t->then = fs_attr_reply;
		fs_attr_fetch(t);
		return;
	}
}

static void ll_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
		       struct fuse_file_info *fi)
{
	struct fs_tctx *t = fs_tctx_new(req, ino);
	int err;

	if (!t)
		return;
	t->h = fi ? (struct fs_handle *)(uintptr_t)fi->fh : NULL;
	err = fs_path_of(t->fs, ino, NULL, &t->path);
	/* Objects have no owners: the one shown is the only one. */
	if (!err && (((to_set & FUSE_SET_ATTR_UID) && attr->st_uid != t->fs->uid) ||
		     ((to_set & FUSE_SET_ATTR_GID) && attr->st_gid != t->fs->gid)))
		err = -EPERM;
	if (err) {
		t->h = NULL;
		fs_attr_reply(t, err);
		return;
	}
	t->to_set = to_set;
	t->newsize = attr->st_size;
	t->mtime = (int64_t)attr->st_mtim.tv_sec * 1000000000 + attr->st_mtim.tv_nsec;
	setattr_step(t, 0);
}

void fs_writeback_ops(struct fuse_lowlevel_ops *ops)
{
	ops->setattr = ll_setattr;
	ops->flush = ll_flush;
	ops->release = ll_release;
	ops->fsync = ll_fsync;
}
