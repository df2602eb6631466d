/* The request context shared by the parts of the tree (see tctx.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fname.h"
#include "tctx.h"
#include "util.h"

struct fs_tctx *fs_tctx_new(fuse_req_t req, fuse_ino_t ino)
{
	struct fs_tctx *t = calloc(1, sizeof(*t));

	if (!t) {
		fuse_reply_err(req, ENOMEM);
		return NULL;
	}
	t->req = req;
	t->fs = fuse_req_userdata(req);
	t->ino = ino;
	return t;
}

void fs_tctx_free(struct fs_tctx *t)
{
	mgr_buf_release(&t->name);
	mgr_buf_release(&t->newname);
	mgr_buf_release(&t->path);
	mgr_buf_release(&t->newpath);
	mgr_pager_release(&t->pager);
	free(t);
}

void fs_tctx_fail(struct fs_tctx *t, int err)
{
	fuse_reply_err(t->req, fs_errno(err));
	fs_tctx_free(t);
}

int fs_path_of(struct mgrfs *fs, fuse_ino_t ino, const char *name, struct mgr_buf *out)
{
	struct fs_node *n;
	int err = -ENOENT;

	pthread_mutex_lock(&fs->lock);
	n = fs_node_get(&fs->nodes, ino);
	if (n)
		err = fs_node_path(n, out);
	pthread_mutex_unlock(&fs->lock);
	if (!err && name) {
		if (out->len)
			err = mgr_buf_append(out, "/", 1);
		if (!err)
			err = fs_fname_to_path(name, strlen(name), out);
	}
	if (!err)
		err = mgr_buf_append(out, "", 1);
	if (!err)
		out->len--;
	return err;
}

int fs_tctx_child_path(struct fs_tctx *t, fuse_ino_t parent, const char *name)
{
	int err = fs_name_from_kernel(name, &t->name);

	return err ? err : fs_path_of(t->fs, parent, t->name.data, &t->path);
}

void fs_tctx_send(struct fs_tctx *t, struct mgr_req *r, mgr_reply_fn cb)
{
	int err = mgr_client_call_async(t->fs->client, r, cb, t, NULL);

	mgr_req_release(r);
	if (err < 0)
		fs_tctx_fail(t, err);
}

int fs_tctx_req(struct fs_tctx *t, struct mgr_req *r, const char *op)
{
	return mgr_req_init(r, op, t->path.data);
}
