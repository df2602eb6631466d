/* Names: making objects (mkdir, mknod, create), removing them (unlink,
 * rmdir), renaming them, and what the tree answers for links and statfs
 * (see names.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "attr.h"
#include "file.h"
#include "names.h"
#include "proto.h"
#include "tctx.h"
#include "util.h"
#include "value.h"

/* The create and the stat that follows it: the stat, answered last,
 * answers the kernel with the new object's attributes, its times as the
 * manager keeps them among them; t->step counts the replies still to
 * come. */
static void made(struct fs_tctx *t, yajl_val stat, int err)
{
	if (!err && stat) {
		t->type = fs_result_type(stat);
		t->version = 0;
		mgr_json_get_u64(stat, "version", &t->version);
		fs_attr_times(stat, &t->mtime, &t->ctime, &t->subdirs);
		fs_attr_shown_size(t->type, stat, &t->size);
		if (t->type < 0)
			err = -EPROTO;
	}
	if (err && !__atomic_load_n(&t->err, __ATOMIC_ACQUIRE))
		__atomic_store_n(&t->err, err, __ATOMIC_RELEASE);
	if (__atomic_sub_fetch(&t->step, 1, __ATOMIC_ACQ_REL))
		return;
	if (t->err) {
		fs_handle_free(t->h);
		fs_tctx_fail(t, t->err);
		return;
	}
	fs_attr_reply_entry(t);
}

static void create_cb(void *arg, struct mgr_reply *rep)
{
	made(arg, NULL, rep->err);
}

static void stat_cb(void *arg, struct mgr_reply *rep)
{
	made(arg, rep->err ? NULL : rep->result, rep->err);
}

/* Create t->path as an object of type t->type (of wire name type).  The
 * stat is sent at once behind it: requests are served in order. */
static void make(struct fs_tctx *t, const char *type, bool exist_ok)
{
	struct mgr_req r;
	int err = fs_tctx_req(t, &r, "create");

	if (!err) {
		err = mgr_json_kv_str(r.g, "type", type);
		if (!err && exist_ok)
			err = mgr_json_kv_bool(r.g, "exist_ok", true);
		/* A new file is empty, not JSON null. */
		if (!err && t->type == MGR_VALUE)
			err = mgr_json_kv_str(r.g, "bytes", "");
		t->step = 2;
		if (!err)
			err = mgr_client_call_async(t->fs->client, &r, create_cb, t, NULL);
		mgr_req_release(&r);
	}
	if (err) {
		fs_handle_free(t->h);
		fs_tctx_fail(t, err);
		return;
	}
	err = fs_tctx_req(t, &r, "stat");
	if (!err) {
		err = mgr_client_call_async(t->fs->client, &r, stat_cb, t, NULL);
		mgr_req_release(&r);
	}
	if (err)
		made(t, NULL, err);
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
		kind = FS_H_VALUE;
	}
	/* Its node comes with the reply. */
	t->h = fs_handle_new(kind, NULL, t->type, fi->flags);
	if (!t->h) {
		fs_tctx_fail(t, -ENOMEM);
		return;
	}
	t->fi = *fi;
	fs_file_open_flags(&t->fi, kind);
	/* New, it is empty: an O_TRUNC to come to it has nothing to do. */
	if (kind == FS_H_VALUE)
		fs_value_setup(t->h, &t->fi);
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

void fs_names_ops(struct fuse_lowlevel_ops *ops)
{
	ops->mknod = ll_mknod;
	ops->mkdir = ll_mkdir;
	ops->unlink = ll_unlink;
	ops->rmdir = ll_unlink;
	ops->rename = ll_rename;
	ops->create = ll_create;
	ops->symlink = ll_symlink;
	ops->link = ll_link;
	ops->statfs = ll_statfs;
}
