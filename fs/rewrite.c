/* Rewrites: a value opened O_WRONLY|O_TRUNC, whose content is kept in the
 * open file, then past FS_STAGE_BUF in a stage of the manager, and put in
 * place at once when it is due (see rewrite.h).
 *
 * A rewrite that outgrows FS_STAGE_BUF spills: "stage", then its content
 * so far, then what was asked, chained from the callbacks.  The kernel
 * sends one write or truncation of a file at a time (it holds the inode's
 * lock), so a handle's rewrite never sees two. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "notify.h"
#include "proto.h"
#include "rewrite.h"
#include "text.h"
#include "util.h"
#include "value.h"

/* Make h's rewrite buffer size bytes, zeros filling what is added.  Under
 * the lock. */
static int resize(struct fs_handle *h, uint64_t size)
{
	int err;

	if (size > h->buf.len) {
		err = mgr_buf_reserve(&h->buf, size - h->buf.len);
		if (err)
			return err;
		memset(h->buf.data + h->buf.len, 0, size - h->buf.len);
	}
	h->buf.len = size;
	h->vsize = size;
	return 0;
}

/* What this mount showed of the value is no longer what it shows. */
static void changed_here(struct mgrfs *fs, struct fs_handle *h)
{
	bool pages;

	pthread_mutex_lock(&fs->lock);
	pages = h->node->pages;
	h->node->pages = false;
	h->modified = h->written = true;
	pthread_mutex_unlock(&fs->lock);
	if (pages)
		fs_notify_inval_pages(fs, h->node->ino);
}

static void stage_size_cb(void *arg, struct mgr_reply *rep)
{
	struct fs_vop *v = arg;
	uint64_t size = 0;
	int err = rep->err;

	if (!err && mgr_json_get_u64(rep->result, "size", &size) < 0)
		err = -EPROTO;
	pthread_mutex_lock(&v->fs->lock);
	if (err)
		v->h->werr = err;
	else
		v->h->vsize = size;
	pthread_mutex_unlock(&v->fs->lock);
	if (!err)
		changed_here(v->fs, v->h);
	if (!err && v->req) {
		fuse_reply_write(v->req, v->ask);
		fs_vop_free(v);
		return;
	}
	fs_vop_end(v, err);
}

/* Write v->data at v->off into h's stage. */
static void stage_put(struct fs_vop *v)
{
	struct mgr_req r;
	int err = mgr_req_init(&r, "stage_write", NULL);

	if (!err)
		err = mgr_json_kv_u64(r.g, "stage", v->h->stage);
	if (!err)
		err = mgr_json_kv_u64(r.g, "offset", v->off);
	if (!err)
		err = mgr_json_kv_base64(r.g, "bytes", v->data.data, v->data.len);
	if (!err)
		err = mgr_client_call_async(v->fs->client, &r, stage_size_cb, v, NULL);
	mgr_req_release(&r);
	if (err)
		fs_vop_end(v, err);
}

/* Cut or extend h's stage to v->len. */
static void stage_cut(struct fs_vop *v)
{
	struct mgr_req r;
	int err = mgr_req_init(&r, "stage_truncate", NULL);

	if (!err)
		err = mgr_json_kv_u64(r.g, "stage", v->h->stage);
	if (!err)
		err = mgr_json_kv_u64(r.g, "size", v->len);
	if (!err)
		err = mgr_client_call_async(v->fs->client, &r, stage_size_cb, v, NULL);
	mgr_req_release(&r);
	if (err)
		fs_vop_end(v, err);
}

static void spill_written_cb(void *arg, struct mgr_reply *rep)
{
	struct fs_vop *v = arg;

	if (rep->err) {
		fs_vop_end(v, rep->err);
		return;
	}
	v->then(v);
}

static void spill_cb(void *arg, struct mgr_reply *rep)
{
	struct fs_vop *v = arg;
	struct fs_handle *h = v->h;
	struct mgrfs *fs = v->fs;
	struct mgr_req r;
	uint64_t stage = 0;
	int err = rep->err;

	if (!err && mgr_json_get_u64(rep->result, "stage", &stage) < 0)
		err = -EPROTO;
	if (!err)
		err = mgr_req_init(&r, "stage_write", NULL);
	if (err) {
		fs_vop_end(v, err);
		return;
	}
	/* What the file held so far goes first; it is kept here no more. */
	pthread_mutex_lock(&fs->lock);
	h->stage = stage;
	err = mgr_json_kv_u64(r.g, "stage", stage);
	if (!err)
		err = mgr_json_kv_u64(r.g, "offset", 0);
	if (!err)
		err = mgr_json_kv_base64(r.g, "bytes", h->buf.data, h->buf.len);
	mgr_buf_release(&h->buf);
	pthread_mutex_unlock(&fs->lock);
	if (!err)
		err = mgr_client_call_async(fs->client, &r, spill_written_cb, v, NULL);
	mgr_req_release(&r);
	if (err)
		fs_vop_end(v, err);
}

/* Move h's rewrite into a stage of the manager, then run v->then. */
static void spill(struct fs_vop *v)
{
	struct mgr_req r;
	int err = mgr_req_init(&r, "stage", NULL);

	if (!err)
		err = mgr_client_call_async(v->fs->client, &r, spill_cb, v, NULL);
	mgr_req_release(&r);
	if (err)
		fs_vop_end(v, err);
}

void fs_rewrite_write(fuse_req_t req, struct fs_handle *h, const char *buf, size_t size,
		      off_t off)
{
	struct mgrfs *fs = fuse_req_userdata(req);
	struct fs_vop *v;
	uint64_t stage;
	int err = 0;

	pthread_mutex_lock(&fs->lock);
	if (h->flags & O_APPEND)
		off = h->vsize;
	if ((uint64_t)off + size > MGR_VALUE_MAX)
		err = -EFBIG;
	stage = h->stage;
	if (!err && !stage && off + size <= FS_STAGE_BUF) {
		err = resize(h, off + size > h->buf.len ? off + size : h->buf.len);
		if (!err)
			memcpy(h->buf.data + off, buf, size);
	}
	/* What could not all be written is not stored in part. */
	if (err)
		h->werr = err;
	pthread_mutex_unlock(&fs->lock);
	if (err) {
		fuse_reply_err(req, fs_errno(err));
		return;
	}
	if (!stage && off + size <= FS_STAGE_BUF) {
		changed_here(fs, h);
		fuse_reply_write(req, size);
		return;
	}
	v = fs_vop_new(req, fs, h);
	if (!v || mgr_buf_append(&v->data, buf, size) < 0) {
		if (v)
			fs_vop_free(v);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	v->off = off;
	v->ask = size;
	v->then = stage_put;
	if (stage)
		stage_put(v);
	else
		spill(v);
}

static void commit_cb(void *arg, struct mgr_reply *rep)
{
	struct fs_vop *v = arg;
	int err = rep->err;

	/* Closing a file deleted meanwhile is not an error. */
	if (err == -ENOENT) {
		pthread_mutex_lock(&v->fs->lock);
		if (fs_value_orphan(v->n))
			err = 0;
		pthread_mutex_unlock(&v->fs->lock);
	}
	fs_vop_end(v, err);
}

/* Give back a stage nobody will commit (its answer is not needed). */
static void drop_stage(struct mgrfs *fs, uint64_t stage)
{
	struct mgr_req r;

	if (!stage || mgr_req_init(&r, "stage_drop", NULL) < 0)
		return;
	if (mgr_json_kv_u64(r.g, "stage", stage) == 0)
		mgr_client_call_async(fs->client, &r, NULL, NULL, NULL);
	mgr_req_release(&r);
}

void fs_rewrite_commit(struct mgrfs *fs, struct fs_handle *h, bool final, fs_done_fn done,
		       void *arg)
{
	struct mgr_buf path = MGR_BUF_INIT;
	struct fs_vop *v = NULL;
	struct mgr_req r;
	uint64_t stage;
	bool pages = false;
	int err;

	pthread_mutex_lock(&fs->lock);
	/* The flush that comes between open and the first write stores
	 * nothing: never an empty value in between. */
	if (h->kind != FS_H_VALUE || h->vmode != FS_V_STAGE || !h->modified ||
	    (!h->written && !final && ++h->idle_flushes < 2)) {
		pthread_mutex_unlock(&fs->lock);
		done(arg, 0);
		return;
	}
	h->modified = h->written = false;
	h->idle_flushes = 0;
	stage = h->stage;
	h->stage = 0;
	/* From now on the value holds what h wrote: h writes in place. */
	h->vmode = FS_V_PLACE;
	if (h->node->stager == h)
		h->node->stager = NULL;
	err = h->werr;
	h->werr = 0;
	if (!err) {
		err = fs_value_path(h->node, &path);
		if (err == -ENOENT && fs_value_orphan(h->node))
			err = 1;
	}
	if (!err)
		v = fs_vop_new(NULL, fs, h);
	if (!err && !v)
		err = -ENOMEM;
	if (!err)
		err = mgr_req_init(&r, stage ? "commit" : "set", path.data);
	if (!err) {
		if (stage)
			err = mgr_json_kv_u64(r.g, "stage", stage);
		else
			err = fs_text_gen_content(r.g, MGR_VALUE, h->buf.data ? h->buf.data : "",
						  h->buf.len);
		if (err)
			mgr_req_release(&r);
	}
	/* What could not all be written is not stored in part, and what
	 * this mount showed of it goes. */
	if (err) {
		pages = h->node->pages;
		h->node->pages = false;
	}
	mgr_buf_release(&h->buf);
	pthread_mutex_unlock(&fs->lock);
	mgr_buf_release(&path);
	if (err) {
		if (v)
			fs_vop_free(v);
		drop_stage(fs, stage);
		if (pages)
			fs_notify_inval_pages(fs, h->node->ino);
		done(arg, err > 0 ? 0 : err);
		return;
	}
	v->done = done;
	v->arg = arg;
	err = mgr_client_call_async(fs->client, &r, commit_cb, v, NULL);
	mgr_req_release(&r);
	if (err)
		fs_vop_end(v, err);
}

bool fs_rewrite_size(const struct fs_node *n, uint64_t *size)
{
	if (!n->stager)
		return false;
	*size = n->stager->vsize;
	return true;
}

void fs_rewrite_truncate(struct mgrfs *fs, struct fs_handle *h, uint64_t size, fs_done_fn done,
			 void *arg)
{
	struct fs_vop *v = fs_vop_for_size(fs, h, size, done, arg);
	uint64_t stage;
	int err = 0;

	if (!v)
		return;
	pthread_mutex_lock(&fs->lock);
	stage = h->stage;
	if (!stage && size <= FS_STAGE_BUF)
		err = resize(h, size);
	pthread_mutex_unlock(&fs->lock);
	if (!stage && size <= FS_STAGE_BUF) {
		if (!err)
			changed_here(fs, h);
		fs_vop_end(v, err);
	} else if (stage) {
		stage_cut(v);
	} else {
		v->then = stage_cut;
		spill(v);
	}
}
