/* Attributes: lookup, getattr and forget, and the stat of an object as the
 * kernel is shown it (see attr.h). */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "attr.h"
#include "file.h"
#include "notify.h"
#include "proto.h"
#include "rewrite.h"
#include "tctx.h"
#include "text.h"
#include "util.h"

void fs_attr_fill_stat(struct mgrfs *fs, struct fs_node *n, int type, uint64_t size,
		       struct stat *st)
{
	n->size = size;
	memset(st, 0, sizeof(*st));
	st->st_ino = n->ino;
	switch (type) {
	case MGR_NAMESPACE:
	case MGR_DICT:
		/* Its own name, its ".", and each subdirectory's "..". */
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2 + n->subdirs;
		break;
	case MGR_VALUE:
	case MGR_LIST:
	case MGR_ARRAY:
	case MGR_QUEUE:
		st->st_mode = S_IFREG | 0644;
		st->st_nlink = 1;
		break;
	default:
		st->st_mode = S_IFREG | 0444;
		st->st_nlink = 1;
		break;
	}
	st->st_uid = fs->uid;
	st->st_gid = fs->gid;
	st->st_size = size;
	st->st_blksize = 4096;
	st->st_blocks = (size + 511) / 512;
	/* The access time is not kept: it shows the modification time. */
	st->st_mtim.tv_sec = n->mtime / 1000000000;
	st->st_mtim.tv_nsec = n->mtime % 1000000000;
	if (st->st_mtim.tv_nsec < 0) {
		st->st_mtim.tv_sec--;
		st->st_mtim.tv_nsec += 1000000000;
	}
	st->st_atim = st->st_mtim;
	st->st_ctim.tv_sec = n->ctime / 1000000000;
	st->st_ctim.tv_nsec = n->ctime % 1000000000;
	if (st->st_ctim.tv_nsec < 0) {
		st->st_ctim.tv_sec--;
		st->st_ctim.tv_nsec += 1000000000;
	}
}

void fs_attr_times(yajl_val stat, int64_t *mtime, int64_t *ctime, uint64_t *subdirs)
{
	*mtime = *ctime = 0;
	*subdirs = 0;
	mgr_json_get_i64(stat, "mtime_ns", mtime);
	mgr_json_get_i64(stat, "ctime_ns", ctime);
	mgr_json_get_u64(stat, "subdirs", subdirs);
}

static void attr_get_cb(void *arg, struct mgr_reply *rep)
{
	struct mgr_buf b = MGR_BUF_INIT;
	struct fs_tctx *t = arg;
	int err = rep->err;

	if (!err)
		err = fs_text_show_content(t->type, rep->result, &b);
	t->size = b.len;
	mgr_buf_release(&b);
	t->then(t, err);
}

bool fs_attr_shown_size(int type, yajl_val stat, uint64_t *size)
{
	bool bytes = false;

	*size = 0;
	mgr_json_get_u64(stat, "size", size);
	switch (type) {
	case MGR_NAMESPACE:
	case MGR_DICT:
		return true;
	case MGR_VALUE:
		/* JSON is shown with a newline after it. */
		mgr_json_get_bool(stat, "bytes", &bytes);
		*size += !bytes;
		return true;
	case MGR_LIST:
	case MGR_ARRAY:
		return false;
	default:
		/* Queues and state files have no size, like files in /proc. */
		*size = 0;
		return true;
	}
}

static void attr_stat_cb(void *arg, struct mgr_reply *rep)
{
	struct fs_tctx *t = arg;
	struct mgr_req r;
	int err = rep->err;

	if (err)
		goto out;
	t->type = fs_result_type(rep->result);
	if (t->type < 0) {
		err = -EPROTO;
		goto out;
	}
	t->version = 0;
	mgr_json_get_u64(rep->result, "version", &t->version);
	fs_attr_times(rep->result, &t->mtime, &t->ctime, &t->subdirs);
	if (!fs_attr_shown_size(t->type, rep->result, &t->size)) {
		err = fs_tctx_req(t, &r, "get");
		if (!err) {
			err = mgr_client_call_async(t->fs->client, &r, attr_get_cb, t, NULL);
			mgr_req_release(&r);
		}
		if (!err)
			return;
	}
out:
	t->then(t, err);
}

void fs_attr_fetch(struct fs_tctx *t)
{
	struct mgr_req r;
	int err = fs_tctx_req(t, &r, "stat");

	if (!err) {
		err = mgr_client_call_async(t->fs->client, &r, attr_stat_cb, t, NULL);
		mgr_req_release(&r);
	}
	if (err)
		t->then(t, err);
}

void fs_attr_reply_entry(struct fs_tctx *t)
{
	struct fuse_entry_param e;
	struct mgrfs *fs = t->fs;
	struct fs_node *parent, *n = NULL;

	memset(&e, 0, sizeof(e));
	pthread_mutex_lock(&fs->lock);
	parent = fs_node_get(&fs->nodes, t->ino);
	if (parent)
		n = fs_node_found(&fs->nodes, parent, t->name.data, t->name.len,
				  t->fifo ? S_IFIFO : fs_type_fmt(t->type));
	if (n) {
		n->type = t->type;
		fs_node_saw(n, t->version, t->mtime, t->ctime);
		n->subdirs = t->subdirs;
		fs_attr_fill_stat(fs, n, t->type, t->size, &e.attr);
		n->gone = false;
		n->attr_shown = true;
		e.ino = n->ino;
		e.generation = 1;
		e.attr_timeout = e.entry_timeout = FS_TIMEOUT;
		if (t->h) {
			t->h->node = n;
			fs_handle_opened(t->h);
		}
		if (t->fifo) {
			e.attr.st_mode = (e.attr.st_mode & ~S_IFMT) | S_IFIFO;
			e.attr_timeout = e.entry_timeout = 0;
		}
	}
	pthread_mutex_unlock(&fs->lock);
	if (!n) {
		fs_handle_free(t->h);
		fs_tctx_fail(t, parent ? -ENOMEM : -ENOENT);
		return;
	}
	if (t->h) {
		t->fi.fh = (uintptr_t)t->h;
		if (fuse_reply_create(t->req, &e, &t->fi) == 0) {
			t->h = NULL, n = NULL;
		} else {
			pthread_mutex_lock(&fs->lock);
			fs_handle_closed(t->h);
			pthread_mutex_unlock(&fs->lock);
		}
	} else if (fuse_reply_entry(t->req, &e) == 0) {
		n = NULL;
		/* The FIFO the kernel was told of is only for mknod's sake:
		 * the name goes, and its next lookup finds the queue as it
		 * is shown, a regular file. */
		if (t->fifo)
			fs_notify_inval_entry(fs, t->ino, t->name.data, t->name.len);
	}
	/* The kernel did not take the entry: it holds no reference. */
	if (n) {
		pthread_mutex_lock(&fs->lock);
		n = fs_node_get(&fs->nodes, e.ino);
		if (n)
			fs_node_forget(&fs->nodes, n, 1);
		pthread_mutex_unlock(&fs->lock);
	}
	fs_handle_free(t->h);
	fs_tctx_free(t);
}

static void lookup_done(struct fs_tctx *t, int err)
{
	if (err)
		fs_tctx_fail(t, err == -ENOTDIR ? -ENOENT : err);
	else
		fs_attr_reply_entry(t);
}

static void ll_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
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
	t->then = lookup_done;
	fs_attr_fetch(t);
}

static void ll_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	struct mgrfs *fs = fuse_req_userdata(req);
	struct fs_node *n;

	pthread_mutex_lock(&fs->lock);
	n = fs_node_get(&fs->nodes, ino);
	if (n)
		fs_node_forget(&fs->nodes, n, nlookup);
	pthread_mutex_unlock(&fs->lock);
	fuse_reply_none(req);
}

static void ll_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
	struct mgrfs *fs = fuse_req_userdata(req);
	struct fs_node *n;
	size_t i;

	pthread_mutex_lock(&fs->lock);
	for (i = 0; i < count; i++) {
		n = fs_node_get(&fs->nodes, forgets[i].ino);
		if (n)
			fs_node_forget(&fs->nodes, n, forgets[i].nlookup);
	}
	pthread_mutex_unlock(&fs->lock);
	fuse_reply_none(req);
}

/* The attributes of a file whose object is gone while something still
 * holds its inode (fstat of a file deleted while open): as last seen,
 * with no links, as a local file system answers.  False when the node is
 * not a file known to be gone (detached, or its delete heard), and the
 * answer is the error. */
static bool reply_orphan(struct fs_tctx *t)
{
	struct mgrfs *fs = t->fs;
	struct fs_node *n;
	struct stat st;
	uint64_t size;
	bool orphan;

	pthread_mutex_lock(&fs->lock);
	n = fs_node_get(&fs->nodes, t->ino);
	orphan = n && (!n->parent || n->gone) && n->fmt == S_IFREG;
	if (orphan) {
		/* What is kept of it is what it holds, written to since. */
		size = n->cached ? n->content.len : n->size;
		fs_rewrite_size(n, &size);
		fs_attr_fill_stat(fs, n, n->type, size, &st);
		st.st_nlink = 0;
	}
	pthread_mutex_unlock(&fs->lock);
	if (!orphan)
		return false;
	fuse_reply_attr(t->req, &st, 0);
	fs_tctx_free(t);
	return true;
}

void fs_attr_reply(struct fs_tctx *t, int err)
{
	struct mgrfs *fs = t->fs;
	struct fs_node *n;
	struct stat st;

	if (err == -ENOENT && reply_orphan(t))
		return;
	if (err) {
		fs_tctx_fail(t, err == -ENOTDIR ? -ENOENT : err);
		return;
	}
	pthread_mutex_lock(&fs->lock);
	n = fs_node_get(&fs->nodes, t->ino);
	if (n && n->fmt != fs_type_fmt(t->type)) {
		/* Another kind of object took the name: this inode is
		 * stale, and the kernel looks the name up again. */
		fs_node_detach(&fs->nodes, n);
		err = -ESTALE;
	} else if (n) {
		n->type = t->type;
		fs_node_saw(n, t->version, t->mtime, t->ctime);
		n->subdirs = t->subdirs;
		/* A file being written has the size of what it will hold: a
		 * list's or array's in its open file, a value's rewrite on
		 * this mount. */
		if (t->h && t->h->kind == FS_H_DATA && t->h->modified)
			t->size = t->h->buf.len;
		fs_rewrite_size(n, &t->size);
		fs_attr_fill_stat(fs, n, t->type, t->size, &st);
		n->gone = false;
		n->attr_shown = true;
	} else {
		err = -ENOENT;
	}
	pthread_mutex_unlock(&fs->lock);
	if (err) {
		fs_tctx_fail(t, err);
		return;
	}
	fuse_reply_attr(t->req, &st, FS_TIMEOUT);
	fs_tctx_free(t);
}

static void ll_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs_tctx *t = fs_tctx_new(req, ino);
	int err;

	if (!t)
		return;
	err = fs_path_of(t->fs, ino, NULL, &t->path);
	if (err) {
		fs_attr_reply(t, err);
		return;
	}
	if (fi)
		t->h = (struct fs_handle *)(uintptr_t)fi->fh;
	t->then = fs_attr_reply;
	fs_attr_fetch(t);
}

void fs_attr_ops(struct fuse_lowlevel_ops *ops)
{
	ops->lookup = ll_lookup;
	ops->forget = ll_forget;
	ops->forget_multi = ll_forget_multi;
	ops->getattr = ll_getattr;
}
