/* Helpers shared by the frontend's modules: names, errors, types and the
 * parking of calls that wait. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "mgrfs.h"
#include "proto.h"

int fs_errno(int err)
{
	switch (err) {
	case 0:
		return 0;
	case -ECONNRESET:
	case -ECONNABORTED:
	case -ECONNREFUSED:
	case -EPIPE:
	case -ENOTCONN:
		return ENOTCONN;
	case -ECANCELED:
		return EINTR;
	case -ENOSYS:
		/* The kernel takes ENOSYS from some operations as "never
		 * ask again"; an op the manager lacks is not that. */
		return EOPNOTSUPP;
	case -EMSGSIZE:
		return EFBIG;
	default:
		return err < 0 ? -err : EIO;
	}
}

int fs_result_type(yajl_val result)
{
	const char *name = NULL;

	if (mgr_json_get_str(result, "type", &name) < 0)
		return -EPROTO;
	return mgr_type_by_name(name);
}

mode_t fs_type_fmt(int t)
{
	return t == MGR_NAMESPACE || t == MGR_DICT ? S_IFDIR : S_IFREG;
}

int fs_name_from_kernel(const char *name, struct mgr_buf *out)
{
	size_t len = strlen(name), i;
	char hi, lo;
	int err;

	if (len > MGR_NAME_MAX)
		return -ENAMETOOLONG;
	err = mgr_buf_reserve(out, len + 1);
	if (err < 0)
		return err;
	for (i = 0; i < len; i++) {
		out->data[out->len++] = name[i];
		if (name[i] != '%')
			continue;
		if (i + 2 >= len)
			return -EINVAL;
		hi = name[i + 1];
		lo = name[i + 2];
		if (hi != '2' || (lo != 'F' && lo != 'f' && lo != '5'))
			return -EINVAL;
		out->data[out->len++] = '2';
		out->data[out->len++] = lo == '5' ? '5' : 'F';
		i += 2;
	}
	out->data[out->len] = '\0';
	return 0;
}

static void park_interrupt(fuse_req_t req, void *arg)
{
	struct fs_park *p = arg;

	pthread_mutex_lock(&p->fs->lock);
	p->interrupted = true;
	/* The manager answers the cancelled call with ECANCELED, or it
	 * had already answered; either way the reply callback follows. */
	if (p->sent && !p->done)
		mgr_client_cancel(p->fs->client, p->id);
	pthread_mutex_unlock(&p->fs->lock);
}

int fs_park_send(struct fs_park *p, struct mgr_req *r, mgr_reply_fn cb, void *arg)
{
	struct mgrfs *fs = p->fs;
	int err = -EINTR;

	p->sent = p->interrupted = p->done = false;
	/* Registered first: the reply may come before this returns, and
	 * after it the request may be gone.  The callback may run right
	 * here when the interrupt came already. */
	fuse_req_interrupt_func(p->req, park_interrupt, p);
	pthread_mutex_lock(&fs->lock);
	if (!p->interrupted) {
		/* The lock is held across the send so that the interrupt
		 * callback sees either no call or one with its id. */
		err = mgr_client_call_async(fs->client, r, cb, arg, &p->id);
		p->sent = err == 0;
	}
	pthread_mutex_unlock(&fs->lock);
	if (err < 0)
		fuse_req_interrupt_func(p->req, NULL, NULL);
	return err;
}

void fs_park_finish(struct fs_park *p)
{
	/* This waits for an interrupt callback that is running to finish,
	 * and no other starts after it. */
	fuse_req_interrupt_func(p->req, NULL, NULL);
	pthread_mutex_lock(&p->fs->lock);
	p->done = true;
	pthread_mutex_unlock(&p->fs->lock);
}

int fs_datum_for(const char *data, size_t len, bool nl, struct mgr_datum **out)
{
	struct mgr_datum *d = NULL;
	size_t jlen = len;
	yajl_val v = NULL;
	char why[128];

	*out = NULL;
	if (len > MGR_DATUM_MAX)
		return -EFBIG;
	if (nl) {
		if (!len || data[len - 1] != '\n')
			goto bytes;
		jlen--;
	}
	if (!jlen || mgr_json_parse(data, jlen, &v, why, sizeof(why)) < 0)
		goto bytes;
	if (mgr_datum_from_tree(v, &d) == 0 && d->len == jlen &&
	    memcmp(d->data, data, jlen) == 0) {
		yajl_tree_free(v);
		*out = d;
		return 0;
	}
	mgr_datum_free(d);
	yajl_tree_free(v);
bytes:
	*out = mgr_datum_new(MGR_DATUM_BYTES, data, len);
	return *out ? 0 : -ENOMEM;
}

int fs_show_datum(yajl_val holder, bool line, struct mgr_buf *out)
{
	struct mgr_datum *d = NULL;
	const char *why;
	int err;

	err = mgr_datum_from_msg(holder, &d, &why);
	if (err < 0)
		return err == -ENOENT ? -EPROTO : err;
	err = mgr_buf_append(out, d->data, d->len);
	if (!err && (d->kind == MGR_DATUM_JSON ||
		     (line && (!d->len || d->data[d->len - 1] != '\n'))))
		err = mgr_buf_append(out, "\n", 1);
	mgr_datum_free(d);
	return err;
}

int fs_json_text(yajl_val v, struct mgr_buf *out)
{
	const unsigned char *text;
	yajl_gen g;
	size_t len;
	int err;

	if (YAJL_IS_STRING(v))
		return mgr_buf_append(out, v->u.string, strlen(v->u.string));
	g = mgr_json_gen_new();
	if (!g)
		return -ENOMEM;
	err = mgr_json_gen_tree(g, v);
	if (!err && yajl_gen_get_buf(g, &text, &len) != yajl_gen_status_ok)
		err = -EINVAL;
	if (!err)
		err = mgr_buf_append(out, text, len);
	yajl_gen_free(g);
	return err;
}

/* One holder, {"session": S, "owner": O[, "count": C]}, as a line. */
static int show_who(yajl_val who, struct mgr_buf *out)
{
	static const char *const keys[] = { "session", "owner", "count" };
	size_t i;
	int err = 0;

	for (i = 0; i < 3 && !err; i++) {
		yajl_val v = mgr_json_get(who, keys[i]);

		if (!v)
			continue;
		if (i)
			err = mgr_buf_append(out, " ", 1);
		if (!err)
			err = mgr_buf_append(out, keys[i], strlen(keys[i]));
		if (!err)
			err = mgr_buf_append(out, " ", 1);
		if (!err)
			err = fs_json_text(v, out);
	}
	return err ? err : mgr_buf_append(out, "\n", 1);
}

int fs_show_holders(yajl_val stat, struct mgr_buf *out)
{
	yajl_val v = mgr_json_get(stat, "owner");
	size_t i;
	int err = 0;

	if (YAJL_IS_OBJECT(v))
		return show_who(v, out);
	v = mgr_json_get(stat, "holders");
	if (!YAJL_IS_ARRAY(v) || !v->u.array.len)
		return -ENODATA;
	for (i = 0; i < v->u.array.len && !err; i++)
		err = show_who(v->u.array.values[i], out);
	return err;
}

int fs_show_state(yajl_val stat, struct mgr_buf *out)
{
	struct mgr_buf who = MGR_BUF_INIT;
	size_t i, pos, end;
	int err = 0;

	if (!YAJL_IS_OBJECT(stat))
		return -EPROTO;
	for (i = 0; i < stat->u.object.len && !err; i++) {
		const char *k = stat->u.object.keys[i];

		/* Holders are shown one a line, as user.mgr.holder has them. */
		if (strcmp(k, "owner") == 0 || strcmp(k, "holders") == 0) {
			who.len = 0;
			if (fs_show_holders(stat, &who) < 0)
				continue;
			for (pos = 0; pos < who.len && !err; pos = end + 1) {
				end = (char *)memchr(who.data + pos, '\n', who.len - pos) - who.data;
				err = mgr_buf_append(out, "holder: ", 8);
				if (!err)
					err = mgr_buf_append(out, who.data + pos, end + 1 - pos);
			}
			continue;
		}
		err = mgr_buf_append(out, k, strlen(k));
		if (!err)
			err = mgr_buf_append(out, ": ", 2);
		if (!err)
			err = fs_json_text(stat->u.object.values[i], out);
		if (!err)
			err = mgr_buf_append(out, "\n", 1);
	}
	mgr_buf_release(&who);
	return err;
}
