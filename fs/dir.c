/* Directories: a listing taken at opendir, in as many pages as the manager
 * answers ls with, and given to the kernel by readdir, or by readdirplus
 * with each entry's attributes so that ls -l needs nothing more. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "attr.h"
#include "dir.h"
#include "file.h"
#include "fname.h"
#include "page.h"
#include "path.h"
#include "proto.h"
#include "tctx.h"
#include "util.h"

/* What readdir gives as the inode of a name not looked up yet. */
#define UNKNOWN_INO 0xffffffffu

static void opendir_cb(void *arg, struct mgr_reply *rep);

/* Ask for the next page; on failure answer the kernel. */
static void opendir_next(struct fs_tctx *t)
{
	struct mgr_req r;
	int err = fs_tctx_req(t, &r, "ls");

	if (!err)
		err = mgr_pager_add(&t->pager, &r);
	if (!err) {
		err = mgr_client_call_async(t->fs->client, &r, opendir_cb, t, NULL);
		mgr_req_release(&r);
	}
	if (err) {
		fs_handle_free(t->h);
		fs_tctx_fail(t, err);
	}
}

static void opendir_cb(void *arg, struct mgr_reply *rep)
{
	struct fs_tctx *t = arg;
	struct fs_handle *h = t->h;
	struct mgr_buf name = MGR_BUF_INIT;
	struct fs_dirent *grown, *d;
	yajl_val ents, e;
	const char *key;
	size_t i;
	int err, type;

	/* The listing's moment is its first page's: a change heard after
	 * it may be in any page. */
	if (mgr_pager_first(&t->pager))
		h->events = __atomic_load_n(&t->fs->events, __ATOMIC_ACQUIRE);
	err = mgr_pager_take(&t->pager, rep, &ents);
	if (err == MGR_PAGER_RESTART) {
		for (i = 0; i < h->nents; i++)
			free(h->ents[i].name);
		h->nents = 0;
		opendir_next(t);
		return;
	}
	if (err >= 0 && ents->u.array.len) {
		grown = realloc(h->ents, (h->nents + ents->u.array.len) * sizeof(*h->ents));
		if (grown)
			h->ents = grown;
		else
			err = -ENOMEM;
	}
	for (i = 0; err >= 0 && i < ents->u.array.len; i++) {
		e = ents->u.array.values[i];
		name.len = 0;
		type = fs_result_type(e);
		if (mgr_json_get_str(e, "name", &key) < 0 || type < 0)
			continue;
		/* A name with no file name cannot be listed here; it is
		 * reached through mgrctl. */
		if (fs_fname_from_key(key, strlen(key), &name) < 0)
			continue;
		d = &h->ents[h->nents];
		d->name = strndup(name.data, name.len);
		if (!d->name) {
			err = -ENOMEM;
			continue;
		}
		d->fmt = fs_type_fmt(type);
		d->type = type;
		d->version = 0;
		mgr_json_get_u64(e, "version", &d->version);
		fs_attr_times(e, &d->mtime, &d->ctime, &d->subdirs);
		d->attrs = fs_attr_shown_size(type, e, &d->size);
		h->nents++;
	}
	mgr_buf_release(&name);
	if (err == MGR_PAGER_MORE) {
		opendir_next(t);
		return;
	}
	if (err < 0) {
		fs_handle_free(h);
		fs_tctx_fail(t, err == -ESTALE ? -EAGAIN : err);
		return;
	}
	fs_file_reply_open(t);
}

static void ll_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs_tctx *t = fs_tctx_new(req, ino);
	int err;

	if (!t)
		return;
	t->fi = *fi;
	mgr_pager_init(&t->pager, "ls");
	t->h = fs_handle_new(FS_H_DIR, NULL, -1, fi->flags);
	err = t->h ? fs_path_of(t->fs, ino, NULL, &t->path) : -ENOMEM;
	if (err) {
		fs_handle_free(t->h);
		fs_tctx_fail(t, err);
		return;
	}
	opendir_next(t);
}

static void ll_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	struct mgrfs *fs = fuse_req_userdata(req);
	struct fs_handle *h = (struct fs_handle *)(uintptr_t)fi->fh;
	struct fs_node *dir, *n;
	const char *name;
	struct stat st;
	size_t pos = 0, len, i;
	char *buf = malloc(size);

	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	memset(&st, 0, sizeof(st));
	pthread_mutex_lock(&fs->lock);
	dir = fs_node_get(&fs->nodes, ino);
	for (i = off; dir && i < h->nents + 2; i++) {
		if (i < 2) {
			name = i ? ".." : ".";
			n = i && dir->parent ? dir->parent : dir;
			st.st_mode = S_IFDIR;
		} else {
			name = h->ents[i - 2].name;
			n = fs_node_child(&fs->nodes, dir, name, strlen(name));
			st.st_mode = h->ents[i - 2].fmt;
		}
		/* Names the kernel has not looked up have no inode yet. */
		st.st_ino = n ? n->ino : UNKNOWN_INO;
		len = fuse_add_direntry(req, buf + pos, size - pos, name, &st, i + 1);
		if (len > size - pos)
			break;
		pos += len;
	}
	pthread_mutex_unlock(&fs->lock);
	fuse_reply_buf(req, buf, pos);
	free(buf);
}

/* readdirplus: the listing's entries with their attributes, so that ls -l
 * asks the manager nothing more.  An entry whose attributes are not known
 * (a list's or an array's size needs its items) or may have changed (any
 * event heard since the listing began) goes as readdir gives it, and the
 * kernel looks it up.  Each entry given with attributes is a lookup the
 * kernel will forget; if the answer is lost, they are forgotten here. */
static void ll_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			   struct fuse_file_info *fi)
{
	struct mgrfs *fs = fuse_req_userdata(req);
	struct fs_handle *h = (struct fs_handle *)(uintptr_t)fi->fh;
	struct fs_node *dir, *n, **found = NULL;
	struct fuse_entry_param e;
	const struct fs_dirent *d;
	size_t pos = 0, len, i, nfound = 0;
	const char *name;
	bool fresh;
	char *buf = malloc(size);

	/* An entry takes at least 24 bytes of the answer, so this many
	 * nodes at most. */
	if (buf)
		found = calloc(size / 24 + 1, sizeof(*found));
	if (!found) {
		free(buf);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	pthread_mutex_lock(&fs->lock);
	dir = fs_node_get(&fs->nodes, ino);
	fresh = __atomic_load_n(&fs->events, __ATOMIC_ACQUIRE) == h->events;
	for (i = off; dir && i < h->nents + 2; i++) {
		memset(&e, 0, sizeof(e));
		if (i < 2) {
			name = i ? ".." : ".";
			n = i && dir->parent ? dir->parent : dir;
			e.attr.st_mode = S_IFDIR;
			e.attr.st_ino = n->ino;
		} else {
			d = &h->ents[i - 2];
			name = d->name;
			if (fuse_add_direntry_plus(req, NULL, 0, name, NULL, 0) > size - pos)
				break;
			n = fresh && d->attrs ?
			    fs_node_found(&fs->nodes, dir, name, strlen(name), d->fmt) : NULL;
			if (n) {
				found[nfound++] = n;
				n->type = d->type;
				fs_node_saw(n, d->version, d->mtime, d->ctime);
				n->subdirs = d->subdirs;
				fs_attr_fill_stat(fs, n, d->type, d->size, &e.attr);
				n->gone = false;
				n->attr_shown = true;
				e.ino = n->ino;
				e.generation = 1;
				e.attr_timeout = e.entry_timeout = FS_TIMEOUT;
			} else {
				n = fs_node_child(&fs->nodes, dir, name, strlen(name));
				e.attr.st_mode = d->fmt;
				e.attr.st_ino = n ? n->ino : UNKNOWN_INO;
			}
		}
		len = fuse_add_direntry_plus(req, buf + pos, size - pos, name, &e, i + 1);
		if (len > size - pos)
			break;
		pos += len;
	}
	pthread_mutex_unlock(&fs->lock);
	if (fuse_reply_buf(req, buf, pos) < 0) {
		pthread_mutex_lock(&fs->lock);
		for (i = 0; i < nfound; i++)
			fs_node_forget(&fs->nodes, found[i], 1);
		pthread_mutex_unlock(&fs->lock);
	}
	free(found);
	free(buf);
}

static void ll_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	fs_handle_free((struct fs_handle *)(uintptr_t)fi->fh);
	fuse_reply_err(req, 0);
}

void fs_dir_ops(struct fuse_lowlevel_ops *ops)
{
	ops->opendir = ll_opendir;
	ops->readdir = ll_readdir;
	ops->readdirplus = ll_readdirplus;
	ops->releasedir = ll_releasedir;
}
