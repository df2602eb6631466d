/* Text shown for the manager's replies, and stored for what is written
 * (see text.h). */
#include <errno.h>
#include <string.h>

#include "proto.h"
#include "text.h"

int fs_text_datum_for(const char *data, size_t len, bool nl, struct mgr_datum **out)
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

int fs_text_show_datum(yajl_val holder, bool line, struct mgr_buf *out)
{
	yajl_val repr = mgr_json_get(holder, "repr");
	struct mgr_datum *d = NULL;
	const char *why;
	int err;

	/* A value a Python client stored as a pickle (a tuple, a set, an
	 * object of its own class) reads as its repr(), one line. */
	if (mgr_json_get(holder, "pickle") && repr && YAJL_IS_STRING(repr)) {
		err = mgr_buf_append(out, repr->u.string, mgr_json_strlen(repr));
		return err ? err : mgr_buf_append(out, "\n", 1);
	}
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

int fs_text_json(yajl_val v, struct mgr_buf *out)
{
	const unsigned char *text;
	yajl_gen g;
	size_t len;
	int err;

	if (YAJL_IS_STRING(v))
		return mgr_buf_append(out, v->u.string, mgr_json_strlen(v));
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
			err = fs_text_json(v, out);
	}
	return err ? err : mgr_buf_append(out, "\n", 1);
}

int fs_text_show_holders(yajl_val stat, struct mgr_buf *out)
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

int fs_text_show_state(yajl_val stat, struct mgr_buf *out)
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
			if (fs_text_show_holders(stat, &who) < 0)
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
			err = fs_text_json(stat->u.object.values[i], out);
		if (!err)
			err = mgr_buf_append(out, "\n", 1);
	}
	mgr_buf_release(&who);
	return err;
}

int fs_text_show_content(int type, yajl_val result, struct mgr_buf *out)
{
	yajl_val items = mgr_json_get(result, "items");
	size_t i;
	int err = 0;

	if (type == MGR_VALUE)
		return fs_text_show_datum(result, false, out);
	if (!YAJL_IS_ARRAY(items))
		return -ESTALE;
	for (i = 0; i < items->u.array.len && !err; i++) {
		if (type == MGR_LIST) {
			err = fs_text_show_datum(items->u.array.values[i], true, out);
		} else {
			err = fs_text_json(items->u.array.values[i], out);
			if (!err)
				err = mgr_buf_append(out, "\n", 1);
		}
	}
	return err;
}

int fs_text_gen_content(yajl_gen g, int type, const char *data, size_t len)
{
	struct mgr_datum *d = NULL;
	size_t pos = 0, s, e;
	yajl_val v;
	char why[128];
	int err;

	if (type == MGR_VALUE) {
		err = fs_text_datum_for(data, len, true, &d);
		if (!err)
			err = mgr_datum_gen_members(g, d);
		mgr_datum_free(d);
		return err;
	}
	err = mgr_json_gen_cstr(g, "items");
	if (!err)
		err = mgr_json_array_open(g);
	while (!err && fs_text_next_line(data, len, &pos, &s, &e)) {
		err = mgr_json_parse(data + s, e - s, &v, why, sizeof(why));
		if (err)
			break;
		err = mgr_json_gen_tree(g, v);
		yajl_tree_free(v);
	}
	if (!err)
		err = mgr_json_array_close(g);
	return err;
}

bool fs_text_next_line(const char *data, size_t len, size_t *pos, size_t *start,
		       size_t *end)
{
	const char *nl;

	if (*pos >= len)
		return false;
	*start = *pos;
	nl = memchr(data + *pos, '\n', len - *pos);
	*end = nl ? (size_t)(nl - data) : len;
	*pos = *end + 1;
	return true;
}
