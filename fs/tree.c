/* The tree: names, attributes, and files whose content is read at open
 * and written back whole (values, lists, arrays), or is the state of a
 * synchronisation object.  Directories are in dir.c, extended attributes
 * in xattr.c, queues in queue.c, locks in lock.c.
 *
 * Each handler turns the kernel's request into one manager request and
 * returns; the reply callback answers the kernel.  The few operations that
 * take several steps chain them from the callbacks. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "file.h"
#include "attr.h"
#include "path.h"
#include "proto.h"
#include "tctx.h"
#include "text.h"

/* Storing what a file holds. */

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
		commit(t->fs, t->h, false, flush_step, t);
		break;
	case 1:
		fs_queue_flush(t->fs, t->h, flush_step, t);
		break;
	case 2:
		fs_lock_release_posix(t->fs, t->h->node, t->fi.lock_owner, flush_step, t);
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
	commit(t->fs, (struct fs_handle *)(uintptr_t)fi->fh, true, fsync_done, t);
}

static void release_step(void *arg, int err)
{
	struct fs_tctx *t = arg;

	switch (t->step++) {
	case 0:
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

/* setattr: only the size means anything; mode, owner and times are taken
 * and not kept, so that cp -p, touch and editors carry on. */

static void truncate_done(void *arg, int err)
{
	struct fs_tctx *t = arg;

	fs_handle_free(t->h);
	t->h = NULL;
	if (err) {
		fs_tctx_fail(t, err);
		return;
	}
	t->then = fs_attr_reply;
	fs_attr_fetch(t);
}

/* Truncate by path: what the file shows, cut or extended, is stored as if
 * written through an open file. */
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

static void ll_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
		       struct fuse_file_info *fi)
{
	struct fs_tctx *t = fs_tctx_new(req, ino);
	struct fs_handle *h = fi ? (struct fs_handle *)(uintptr_t)fi->fh : NULL;
	struct mgrfs *fs;
	struct fs_node *n;
	struct mgr_req r;
	int err;

	if (!t)
		return;
	fs = t->fs;
	err = fs_path_of(fs, ino, NULL, &t->path);
	if (err)
		goto fail;
	t->h = h;
	t->then = fs_attr_reply;
	if (!(to_set & FUSE_SET_ATTR_SIZE) || (h && h->kind == FS_H_QUEUE)) {
		fs_attr_fetch(t);
		return;
	}
	if (h && h->kind == FS_H_DATA) {
		pthread_mutex_lock(&fs->lock);
		err = fs_file_resize(h, attr->st_size);
		if (!err)
			h->modified = h->written = true;
		pthread_mutex_unlock(&fs->lock);
		if (err)
			goto fail;
		fs_attr_fetch(t);
		return;
	}
	pthread_mutex_lock(&fs->lock);
	n = fs_node_get(&fs->nodes, ino);
	t->type = n ? n->type : -1;
	pthread_mutex_unlock(&fs->lock);
	if (t->type == MGR_QUEUE) {
		fs_attr_fetch(t);
		return;
	}
	err = fs_file_kind(t->type, O_WRONLY);
	if (err >= 0 && err != FS_H_DATA)
		err = -EACCES;
	if (err < 0)
		goto fail;
	/* A handle of our own carries the content to commit. */
	t->h = fs_handle_new(FS_H_DATA, n, t->type, O_WRONLY);
	if (!t->h) {
		err = -ENOMEM;
		goto fail;
	}
	t->newsize = attr->st_size;
	err = fs_tctx_req(t, &r, "get");
	if (!err) {
		fs_tctx_send(t, &r, truncate_cb);
		return;
	}
	fs_handle_free(t->h);
fail:
	fs_tctx_fail(t, err);
}

/* Making and removing names. */

static void create_cb(void *arg, struct mgr_reply *rep)
{
	struct fs_tctx *t = arg;

	if (rep->err) {
		fs_handle_free(t->h);
		fs_tctx_fail(t, rep->err);
		return;
	}
	t->version = 0;
	mgr_json_get_u64(rep->result, "version", &t->version);
	t->size = 0;
	fs_attr_reply_entry(t);
}

/* Create t->path as an object of type t->type (of wire name type). */
static void make(struct fs_tctx *t, const char *type, bool exist_ok)
{
	struct mgr_req r;
	int err = fs_tctx_req(t, &r, "create");

	if (!err)
		err = mgr_json_kv_str(r.g, "type", type);
	if (!err && exist_ok)
		err = mgr_json_kv_bool(r.g, "exist_ok", true);
	/* A new file is empty, not JSON null. */
	if (!err && t->type == MGR_VALUE)
		err = mgr_json_kv_str(r.g, "bytes", "");
	if (err) {
		mgr_req_release(&r);
		fs_handle_free(t->h);
		fs_tctx_fail(t, err);
		return;
	}
	fs_tctx_send(t, &r, create_cb);
}

static void ll_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	struct fs_tctx *t = fs_tctx_new(req, parent);
	int err;

	if (!t)
		return;
	err = fs_tctx_child_path(t, parent, name);
	if (err) {
		fs_tctx_fail(t, err);
		return;
	}
	t->type = MGR_DICT;
	make(t, "dict", false);
}

static void ll_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		     dev_t rdev)
{
	struct fs_tctx *t = fs_tctx_new(req, parent);
	int err;

	if (!t)
		return;
	/* mkfifo makes a queue; a regular file an empty value. */
	if (!S_ISFIFO(mode) && !S_ISREG(mode)) {
		fs_tctx_fail(t, -EPERM);
		return;
	}
	err = fs_tctx_child_path(t, parent, name);
	if (err) {
		fs_tctx_fail(t, err);
		return;
	}
	/* The kernel insists that mknod's answer be of the kind asked for,
	 * but a FIFO inode would be a local pipe, never seen here: the FIFO
	 * is answered with a throwaway inode, forgotten at once. */
	t->type = S_ISFIFO(mode) ? MGR_QUEUE : MGR_VALUE;
	t->fifo = S_ISFIFO(mode);
	make(t, S_ISFIFO(mode) ? "queue" : "value", false);
}

static bool is_lock_name(const char *name, size_t len)
{
	return len > 5 && memcmp(name + len - 5, ".lock", 5) == 0;
}

static void ll_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		      struct fuse_file_info *fi)
{
	struct fs_tctx *t = fs_tctx_new(req, parent);
	int acc = fi->flags & O_ACCMODE, err;
	enum fs_handle_kind kind;

	if (!t)
		return;
	err = fs_tctx_child_path(t, parent, name);
	if (err) {
		fs_tctx_fail(t, err);
		return;
	}
	/* NAME.lock opened to be read, as flock(1) does, is a lock; written
	 * to, it is a value like any other file. */
	if (acc == O_RDONLY && is_lock_name(t->name.data, t->name.len)) {
		t->type = MGR_LOCK;
		kind = FS_H_STATE;
	} else {
		t->type = MGR_VALUE;
		kind = FS_H_DATA;
	}
	/* Its node comes with the reply. */
	t->h = fs_handle_new(kind, NULL, t->type, fi->flags);
	if (!t->h) {
		fs_tctx_fail(t, -ENOMEM);
		return;
	}
	t->h->modified = kind == FS_H_DATA && acc != O_RDONLY && (fi->flags & O_TRUNC);
	t->fi = *fi;
	fs_file_open_flags(&t->fi, kind);
	make(t, t->type == MGR_LOCK ? "lock" : "value", !(fi->flags & O_EXCL));
}

static void delete_cb(void *arg, struct mgr_reply *rep)
{
	struct fs_tctx *t = arg;
	struct mgrfs *fs = t->fs;
	struct fs_node *parent, *n = NULL;

	if (rep->err) {
		fs_tctx_fail(t, rep->err);
		return;
	}
	pthread_mutex_lock(&fs->lock);
	parent = fs_node_get(&fs->nodes, t->ino);
	if (parent)
		n = fs_node_child(&fs->nodes, parent, t->name.data, t->name.len);
	if (n)
		fs_node_detach(&fs->nodes, n);
	pthread_mutex_unlock(&fs->lock);
	fuse_reply_err(t->req, 0);
	fs_tctx_free(t);
}

/* unlink and rmdir: the kernel has checked the kind of the object; a
 * directory that is not empty stays (ENOTEMPTY from the manager). */
static void ll_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fs_tctx *t = fs_tctx_new(req, parent);
	struct mgr_req r;
	int err;

	if (!t)
		return;
	err = fs_tctx_child_path(t, parent, name);
	if (!err)
		err = fs_tctx_req(t, &r, "delete");
	if (err) {
		fs_tctx_fail(t, err);
		return;
	}
	fs_tctx_send(t, &r, delete_cb);
}

static void rename_cb(void *arg, struct mgr_reply *rep)
{
	struct fs_tctx *t = arg;
	struct mgrfs *fs = t->fs;
	struct fs_node *parent, *newparent, *n = NULL;
	int err = rep->err;

	if (err) {
		fs_tctx_fail(t, err);
		return;
	}
	/* The rename's own events, heard before this reply, have usually
	 * moved the node already (see notify.c); this is for when they were
	 * not heard. */
	pthread_mutex_lock(&fs->lock);
	parent = fs_node_get(&fs->nodes, t->ino);
	newparent = fs_node_get(&fs->nodes, t->newparent);
	if (parent)
		n = fs_node_child(&fs->nodes, parent, t->name.data, t->name.len);
	if (n && newparent)
		err = fs_node_move(&fs->nodes, n, newparent, t->newname.data, t->newname.len);
	/* With no node for the new place, or no memory for the new name,
	 * the inode can no longer be found by its old one, at least. */
	if (n && (!newparent || err))
		fs_node_detach(&fs->nodes, n);
	pthread_mutex_unlock(&fs->lock);
	fuse_reply_err(t->req, 0);
	fs_tctx_free(t);
}

static void send_rename(struct fs_tctx *t)
{
	struct mgr_req r;
	int err = fs_tctx_req(t, &r, "rename");

	if (!err)
		err = mgr_json_kv_str(r.g, "to", t->newpath.data);
	if (err) {
		mgr_req_release(&r);
		fs_tctx_fail(t, err);
		return;
	}
	fs_tctx_send(t, &r, rename_cb);
}

/* RENAME_NOREPLACE: the target must not exist.  The manager's rename
 * replaces, so this is checked first (another client could still make
 * the name in between). */
static void noreplace_cb(void *arg, struct mgr_reply *rep)
{
	struct fs_tctx *t = arg;

	if (rep->err == 0)
		fs_tctx_fail(t, -EEXIST);
	else if (rep->err != -ENOENT)
		fs_tctx_fail(t, rep->err);
	else
		send_rename(t);
}

static void ll_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		      fuse_ino_t newparent, const char *newname, unsigned int flags)
{
	struct fs_tctx *t = fs_tctx_new(req, parent);
	struct mgr_req r;
	int err;

	if (!t)
		return;
	t->newparent = newparent;
	err = flags & ~RENAME_NOREPLACE ? -EINVAL : 0;
	if (!err)
		err = fs_tctx_child_path(t, parent, name);
	if (!err)
		err = fs_name_from_kernel(newname, &t->newname);
	if (!err)
		err = fs_path_of(t->fs, newparent, t->newname.data, &t->newpath);
	if (err) {
		fs_tctx_fail(t, err);
		return;
	}
	if (!(flags & RENAME_NOREPLACE)) {
		send_rename(t);
		return;
	}
	err = mgr_req_init(&r, "stat", t->newpath.data);
	if (err) {
		fs_tctx_fail(t, err);
		return;
	}
	fs_tctx_send(t, &r, noreplace_cb);
}

/* Directories: a listing is taken at opendir, and readdir offsets are
 * positions in it, stable for the open directory. */

static void ll_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct statvfs sv;

	/* The manager has no fixed capacity: report plenty, and the limits
	 * that do hold. */
	memset(&sv, 0, sizeof(sv));
	sv.f_bsize = sv.f_frsize = 4096;
	sv.f_blocks = sv.f_bfree = sv.f_bavail = 1ull << 30;
	sv.f_files = sv.f_ffree = sv.f_favail = 1ull << 30;
	sv.f_namemax = MGR_NAME_MAX;
	fuse_reply_statfs(req, &sv);
}

/* The manager's objects have one name each, and nothing points at
 * another: no links. */
static void ll_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
	fuse_reply_err(req, EPERM);
}

static void ll_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
	fuse_reply_err(req, EPERM);
}

void fs_tree_ops(struct fuse_lowlevel_ops *ops)
{
	ops->setattr = ll_setattr;
	ops->mknod = ll_mknod;
	ops->mkdir = ll_mkdir;
	ops->unlink = ll_unlink;
	ops->rmdir = ll_unlink;
	ops->rename = ll_rename;
	ops->flush = ll_flush;
	ops->release = ll_release;
	ops->fsync = ll_fsync;
	ops->statfs = ll_statfs;
	ops->create = ll_create;
	ops->symlink = ll_symlink;
	ops->link = ll_link;
}
