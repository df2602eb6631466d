/* Extended attributes: user.mgr.NAME for each member NAME of the object's
 * stat (type, version, size, qsize, maxsize, waiters, ...), and
 * user.mgr.holder for whoever holds a lock.  security.* and system.* are
 * answered at once (ls asks for them on every file), and nothing is set. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tctx.h"
#include "text.h"
#include "util.h"
#include "xattr.h"

#define XATTR_PREFIX "user.mgr."

/* The text of attribute user.mgr.name of an object whose stat is st. */
static int xattr_text(yajl_val st, const char *name, struct mgr_buf *out)
{
	yajl_val v;
	int err;

	if (strcmp(name, "holder") == 0) {
		/* Lines, without the last newline. */
		err = fs_text_show_holders(st, out);
		if (!err)
			out->len--;
		return err;
	}
	v = mgr_json_get(st, name);
	return v ? fs_text_json(v, out) : -ENODATA;
}

/* Answer t with text (its size when t->xsize is 0), or with err; text is
 * released and t freed. */
static void reply_xattr_text(struct fs_tctx *t, int err, struct mgr_buf *text)
{
	if (err)
		fuse_reply_err(t->req, fs_errno(err));
	else if (!t->xsize)
		fuse_reply_xattr(t->req, text->len);
	else if (t->xsize < text->len)
		fuse_reply_err(t->req, ERANGE);
	else
		fuse_reply_buf(t->req, text->data, text->len);
	mgr_buf_release(text);
	fs_tctx_free(t);
}

/* Ask for the stat of inode ino for t, answered in cb. */
static void send_stat(struct fs_tctx *t, fuse_ino_t ino, mgr_reply_fn cb)
{
	struct mgr_req r;
	int err = fs_path_of(t->fs, ino, NULL, &t->path);

	if (!err)
		err = fs_tctx_req(t, &r, "stat");
	if (err)
		fs_tctx_fail(t, err);
	else
		fs_tctx_send(t, &r, cb);
}

static void getxattr_cb(void *arg, struct mgr_reply *rep)
{
	struct mgr_buf text = MGR_BUF_INIT;
	struct fs_tctx *t = arg;
	int err = rep->err;

	if (!err)
		err = xattr_text(rep->result, t->xname, &text);
	reply_xattr_text(t, err, &text);
}

static void ll_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
	struct fs_tctx *t;

	/* ls and cp ask for security.* and system.* on every file: those
	 * are answered here, without a round trip. */
	if (strncmp(name, XATTR_PREFIX, strlen(XATTR_PREFIX)) != 0 ||
	    !name[strlen(XATTR_PREFIX)]) {
		fuse_reply_err(req, ENODATA);
		return;
	}
	t = fs_tctx_new(req, ino);
	if (!t)
		return;
	t->xsize = size;
	t->xname = name + strlen(XATTR_PREFIX);
	send_stat(t, ino, getxattr_cb);
}

static int add_xattr_name(struct mgr_buf *out, const char *name)
{
	int err = mgr_buf_append(out, XATTR_PREFIX, strlen(XATTR_PREFIX));

	return err ? err : mgr_buf_append(out, name, strlen(name) + 1);
}

static void listxattr_cb(void *arg, struct mgr_reply *rep)
{
	struct mgr_buf names = MGR_BUF_INIT, holders = MGR_BUF_INIT;
	struct fs_tctx *t = arg;
	yajl_val st = rep->result;
	size_t i;
	int err = rep->err;

	if (!err && !YAJL_IS_OBJECT(st))
		err = -EPROTO;
	for (i = 0; !err && i < st->u.object.len; i++)
		err = add_xattr_name(&names, st->u.object.keys[i]);
	if (!err && fs_text_show_holders(st, &holders) == 0)
		err = add_xattr_name(&names, "holder");
	mgr_buf_release(&holders);
	reply_xattr_text(t, err, &names);
}

static void ll_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	struct fs_tctx *t = fs_tctx_new(req, ino);

	if (!t)
		return;
	t->xsize = size;
	send_stat(t, ino, listxattr_cb);
}

/* The attributes describe the object; they are not set through the tree. */
static void ll_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
			size_t size, int flags)
{
	fuse_reply_err(req, ENOTSUP);
}

static void ll_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	fuse_reply_err(req, ENOTSUP);
}

void fs_xattr_ops(struct fuse_lowlevel_ops *ops)
{
	ops->getxattr = ll_getxattr;
	ops->listxattr = ll_listxattr;
	ops->setxattr = ll_setxattr;
	ops->removexattr = ll_removexattr;
}
