/* A value's content as bytes, read and changed by range (see content.h). */
#include "content.h"

#include <errno.h>
#include <malloc.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "elem.h"
#include "json.h"

/* A datum's header, before its bytes. */
#define HEAD offsetof(struct mgr_datum, data)

/* Bytes d can hold without growing, less its NUL. */
static size_t room(const struct mgr_datum *d)
{
	return malloc_usable_size((void *)d) - HEAD - 1;
}

int mgr_content_reserve(struct mgr_datum **d, size_t need)
{
	struct mgr_datum *grown;
	size_t want;

	if (need <= room(*d))
		return 0;
	/* By half at least: a file written a piece at a time is then
	 * copied a few times in all, not once a piece (and glibc moves a
	 * large block by remapping it, not copying). */
	want = (*d)->len + (*d)->len / 2;
	if (want < need || want > MGR_VALUE_MAX)
		want = need;
	grown = realloc(*d, HEAD + want + 1);
	if (!grown && want > need)
		grown = realloc(*d, HEAD + need + 1);
	if (!grown)
		return -ENOMEM;
	*d = grown;
	return 0;
}

int mgr_content_write(struct mgr_datum **d, uint64_t off, const void *data, size_t n)
{
	uint64_t end = off + n;
	size_t len = (*d)->len;
	int r;

	if (end > len) {
		r = mgr_content_reserve(d, end);
		if (r < 0)
			return r;
		if (off > len)
			memset((*d)->data + len, 0, off - len);
		(*d)->len = (uint32_t)end;
		(*d)->data[end] = '\0';
	}
	if (n)
		memcpy((*d)->data + off, data, n);
	return 0;
}

int mgr_content_truncate(struct mgr_datum **d, uint64_t size)
{
	struct mgr_datum *shrunk;
	size_t len = (*d)->len;
	int r;

	if (size > len) {
		r = mgr_content_reserve(d, size);
		if (r < 0)
			return r;
		memset((*d)->data + len, 0, size - len);
	}
	(*d)->len = (uint32_t)size;
	(*d)->data[size] = '\0';
	/* A large value cut to a small one gives its memory back. */
	if (room(*d) > ((size_t)1 << 20) && size < room(*d) / 4) {
		shrunk = realloc(*d, HEAD + size + 1);
		if (shrunk)
			*d = shrunk;
	}
	return 0;
}

/* Bytes of content of datum d: JSON is shown with a newline. */
static uint64_t content_len(const struct mgr_datum *d)
{
	return d->len + (d->kind == MGR_DATUM_JSON);
}

/* The JSON datum that content d (raw bytes) is shown as, or NULL when it is
 * not exactly the compact text of some JSON and a newline.  Cheap checks
 * come first: most content is not, and compact JSON has no newline in it,
 * so a log that grows by lines is turned down by its first one. */
static struct mgr_datum *as_json(const struct mgr_datum *d)
{
	struct mgr_datum *j = NULL;
	size_t n = d->len;
	yajl_val v;
	char why[128];

	if (n < 2 || n - 1 > MGR_DATUM_MAX || d->data[n - 1] != '\n' || !d->data[0] ||
	    !strchr("[{\"-0123456789tfn", d->data[0]) || memchr(d->data, '\n', n - 1))
		return NULL;
	if (mgr_json_parse(d->data, n - 1, &v, why, sizeof(why)) < 0)
		return NULL;
	if (mgr_datum_from_tree(v, &j) == 0 && (j->len != n - 1 || memcmp(j->data, d->data, n - 1))) {
		mgr_datum_free(j);
		j = NULL;
	}
	yajl_tree_free(v);
	return j;
}

/* The datum a typed Value of typecode tc stores for content d: its JSON,
 * with or without the newline it is shown with. */
static int typed(struct mgr_call *c, char tc, const struct mgr_datum *d,
		 struct mgr_datum **out)
{
	size_t n = d->len;
	yajl_val v;
	char why[128];
	int r;

	if (n && d->data[n - 1] == '\n')
		n--;
	if (!n || n > MGR_DATUM_MAX || memchr(d->data, '\0', n) ||
	    mgr_json_parse(d->data, n, &v, why, sizeof(why)) < 0)
		return mgr_call_err(c, -EINVAL, "a value of typecode '%c' holds a number or "
				    "character as JSON, not these %u bytes", tc, d->len);
	r = mgr_elem_datum(c, tc, v, out);
	yajl_tree_free(v);
	return r;
}

/* Make o hold j, the datum for content d (which may be j, or o's own
 * datum changed in place), free what is left over, and count the change
 * from was. */
static void hold(struct mgr_store *s, struct mgr_obj *o, struct mgr_datum *d,
		 struct mgr_datum *j, uint64_t was)
{
	struct mgr_datum *old = o->u.value;

	o->u.value = j;
	if (old != d)
		mgr_datum_free(old);
	if (d != j)
		mgr_datum_free(d);
	mgr_store_account(s, (int64_t)mgr_datum_cost(j) - (int64_t)was);
}

int mgr_content_store(struct mgr_call *c, struct mgr_obj *o, struct mgr_datum *d, uint64_t was)
{
	struct mgr_datum *j = NULL;
	int r;

	if (o->typecode) {
		r = typed(c, o->typecode, d, &j);
		if (r < 0) {
			if (d != o->u.value)
				mgr_datum_free(d);
			return r;
		}
	} else {
		j = as_json(d);
	}
	hold(c->store, o, d, j ? j : d, was);
	mgr_store_changed(c->store, o, MGR_CHANGE_UPDATE);
	return 0;
}

int mgr_content_check_whole(struct mgr_call *c, const struct mgr_obj *o)
{
	if (o->type != MGR_VALUE || o->u.value->len <= MGR_DATUM_MAX)
		return 0;
	return mgr_call_err(c, -EFBIG, "%.200s holds %u bytes, more than a reply carries: read "
			    "it in pieces", mgr_call_path_text(c, "path"), o->u.value->len);
}

int mgr_content_bytes_arg(struct mgr_call *c, struct mgr_buf *out)
{
	const char *b64;
	int r = mgr_json_get_str(c->args, "bytes", &b64);

	if (r == -ENOENT)
		return mgr_call_err(c, -EINVAL, "missing \"bytes\"");
	if (r < 0)
		return mgr_call_err(c, -EINVAL, "\"bytes\" must be a base64 string");
	r = mgr_base64_decode(b64, strlen(b64), out);
	if (r < 0)
		return mgr_call_err(c, r, r == -ENOMEM ? "out of memory" : "\"bytes\" is not valid base64");
	if (out->len > MGR_IO_MAX)
		return mgr_call_err(c, -EFBIG, "more than %u bytes in one piece", MGR_IO_MAX);
	return 0;
}

int mgr_content_pos_arg(struct mgr_call *c, const char *member, uint64_t extra,
			uint64_t *out)
{
	int r = mgr_json_get_u64(c->args, member, out);

	if (r == -ENOENT)
		return r;
	if (r < 0)
		return mgr_call_err(c, -EINVAL, "\"%s\" must be an unsigned integer", member);
	if (*out > MGR_VALUE_MAX || extra > MGR_VALUE_MAX - *out)
		return mgr_call_err(c, -EFBIG, "a value holds at most %llu bytes",
				    (unsigned long long)MGR_VALUE_MAX);
	return 0;
}

int mgr_content_range_arg(struct mgr_call *c, uint64_t size, uint64_t *off, uint64_t *len)
{
	*off = 0;
	*len = MGR_IO_MAX;
	if (mgr_json_get_u64(c->args, "offset", off) == -EINVAL ||
	    mgr_json_get_u64(c->args, "length", len) == -EINVAL)
		return mgr_call_err(c, -EINVAL, "\"offset\" and \"length\" must be unsigned integers");
	if (*off > size)
		*off = size;
	if (*len > MGR_IO_MAX)
		*len = MGR_IO_MAX;
	if (*len > size - *off)
		*len = size - *off;
	return 0;
}

int mgr_content_gen_bytes(yajl_gen g, const char *data, size_t len, uint64_t size)
{
	int r = mgr_json_map_open(g);

	if (!r)
		r = mgr_json_kv_base64(g, "bytes", data, len);
	return r ? r : mgr_json_kv_u64(g, "size", size);
}

int mgr_content_piece_arg(struct mgr_call *c, struct mgr_buf *data, uint64_t *off)
{
	int r = mgr_content_bytes_arg(c, data);

	if (!r) {
		r = mgr_content_pos_arg(c, "offset", data->len, off);
		if (r == -ENOENT)
			r = mgr_call_err(c, -EINVAL, "missing \"offset\"");
	}
	return r;
}

/* The content of value o to change: o's own datum when it holds raw bytes
 * (changed in place), else a copy of its text in *copy.  NULL on ENOMEM. */
static struct mgr_datum **editable(struct mgr_obj *o, struct mgr_datum **copy)
{
	const struct mgr_datum *d = o->u.value;

	if (d->kind == MGR_DATUM_BYTES)
		return &o->u.value;
	*copy = mgr_datum_new(MGR_DATUM_BYTES, d->data, d->len);
	if (*copy && mgr_content_write(copy, d->len, "\n", 1) < 0) {
		mgr_datum_free(*copy);
		*copy = NULL;
	}
	return *copy ? copy : NULL;
}

/* {"version": V, "size": S}, S the bytes of content o holds now. */
static int reply_size(struct mgr_call *c, const struct mgr_obj *o)
{
	int r = mgr_json_map_open(c->out);

	if (!r)
		r = mgr_json_kv_u64(c->out, "version", o->version);
	if (!r)
		r = mgr_json_kv_u64(c->out, "size", content_len(o->u.value));
	if (!r)
		r = mgr_json_map_close(c->out);
	return mgr_call_result(c, r);
}

/* o's content with its bytes from off on becoming n bytes of data (data
 * NULL: cut there, or extended with zeros, to off): in *d, o's own datum
 * changed in place, or *copy.  0, or -ENOMEM with nothing changed. */
static int edited(struct mgr_obj *o, uint64_t off, const void *data, size_t n,
		  struct mgr_datum **copy, struct mgr_datum ***d)
{
	int r;

	*copy = NULL;
	*d = editable(o, copy);
	if (!*d)
		return -ENOMEM;
	r = data ? mgr_content_write(*d, off, data, n) : mgr_content_truncate(*d, off);
	if (r < 0)
		mgr_datum_free(*copy);
	return r;
}

/* Make o, an untyped value, hold its content so changed, without a
 * report.  0 or -ENOMEM (o unchanged). */
static int edit(struct mgr_store *s, struct mgr_obj *o, uint64_t off, const void *data, size_t n)
{
	uint64_t was = mgr_datum_cost(o->u.value);
	struct mgr_datum *copy, *j, **d;
	int r = edited(o, off, data, n, &copy, &d);

	if (r < 0)
		return r;
	j = as_json(*d);
	hold(s, o, *d, j ? j : *d, was);
	return 0;
}

int mgr_content_replay(struct mgr_store *s, struct mgr_obj *o, uint64_t off, const void *data,
		       size_t n)
{
	if (o->type != MGR_VALUE || o->typecode || (data ? off + n : off) > MGR_VALUE_MAX)
		return -EINVAL;
	return edit(s, o, off, data, n);
}

/* edit, with the request's checks, the journal told and the change
 * reported; a typed Value is checked whole and reported whole. */
static int change(struct mgr_call *c, struct mgr_obj *o, uint64_t off, const void *data,
		  size_t n)
{
	uint64_t was = mgr_datum_cost(o->u.value), end = data ? off + n : off;
	struct mgr_datum *copy, **d;
	int r = end > o->u.value->len ? mgr_call_fits(c, end - o->u.value->len) : 0;

	if (r < 0)
		return r;
	if (!o->typecode) {
		r = edit(c->store, o, off, data, n);
		if (r < 0)
			return mgr_call_err(c, r, "out of memory");
		mgr_store_range(c->store, o, off, data, n);
		mgr_store_changed(c->store, o, MGR_CHANGE_UPDATE);
		return reply_size(c, o);
	}
	r = edited(o, off, data, n, &copy, &d);
	if (r < 0)
		return mgr_call_err(c, r, "out of memory");
	r = mgr_content_store(c, o, *d, was);
	return r < 0 ? r : reply_size(c, o);
}

/* read {"offset","length"}: → {"bytes","size","version"}, at most
 * MGR_IO_MAX bytes from offset (none past the end). */
static int op_read(struct mgr_call *c, struct mgr_obj *o)
{
	const struct mgr_datum *d = o->u.value;
	struct mgr_buf text = MGR_BUF_INIT;
	uint64_t size = content_len(d), off, len;
	const char *from;
	int r = mgr_content_range_arg(c, size, &off, &len);

	if (r < 0)
		return r;
	from = d->data + off;
	/* The newline a JSON value is shown with is not in its datum. */
	if (d->kind == MGR_DATUM_JSON && len && off + len > d->len) {
		r = mgr_buf_append(&text, from, len - 1);
		if (!r)
			r = mgr_buf_append(&text, "\n", 1);
		if (r < 0)
			return mgr_call_err(c, r, "out of memory");
		from = text.data;
	}
	r = mgr_content_gen_bytes(c->out, from, len, size);
	if (!r)
		r = mgr_json_kv_u64(c->out, "version", o->version);
	if (!r)
		r = mgr_json_map_close(c->out);
	mgr_buf_release(&text);
	return mgr_call_result(c, r);
}

/* write {"offset","bytes"}: the bytes at offset, zeros filling a gap. */
static int op_write(struct mgr_call *c, struct mgr_obj *o)
{
	struct mgr_buf data = MGR_BUF_INIT;
	uint64_t off;
	int r = mgr_content_piece_arg(c, &data, &off);

	if (!r)
		r = change(c, o, off, data.data ? data.data : "", data.len);
	mgr_buf_release(&data);
	return r;
}

/* append {"bytes"} or {"value"}: at the end, in one step, so that writers
 * appending at once each keep all they wrote.  A JSON string appends its
 * characters, any other JSON its text. */
static int op_append(struct mgr_call *c, struct mgr_obj *o)
{
	yajl_val v = mgr_json_get(c->args, "value");
	struct mgr_datum *text = NULL;
	struct mgr_buf data = MGR_BUF_INIT;
	const char *from;
	uint64_t size = content_len(o->u.value);
	size_t n;
	int r = 0;

	if (mgr_json_get(c->args, "bytes") || !v) {
		r = mgr_content_bytes_arg(c, &data);
		from = data.data ? data.data : "";
		n = data.len;
	} else if (YAJL_IS_STRING(v)) {
		from = v->u.string;
		n = strlen(from);
	} else {
		r = mgr_datum_from_tree(v, &text);
		if (r < 0)
			r = mgr_call_err(c, r, "the value cannot be appended");
		from = text ? text->data : "";
		n = text ? text->len : 0;
	}
	if (!r && n > MGR_VALUE_MAX - size)
		r = mgr_call_err(c, -EFBIG, "a value holds at most %llu bytes",
				 (unsigned long long)MGR_VALUE_MAX);
	if (!r)
		r = change(c, o, size, from, n);
	mgr_datum_free(text);
	mgr_buf_release(&data);
	return r;
}

/* truncate {"size"}: cut, or extend with zeros. */
static int op_truncate(struct mgr_call *c, struct mgr_obj *o)
{
	uint64_t size;
	int r = mgr_content_pos_arg(c, "size", 0, &size);

	if (r == -ENOENT)
		return mgr_call_err(c, -EINVAL, "missing \"size\"");
	return r < 0 ? r : change(c, o, size, NULL, 0);
}

#define VALUE MGR_TYPE_BIT(MGR_VALUE)

const struct mgr_op mgr_ops_content[] = {
	{ "read", VALUE, 0, op_read },
	{ "write", VALUE, 0, op_write },
	{ "append", VALUE, 0, op_append },
	{ "truncate", VALUE, 0, op_truncate },
	{ NULL, 0, 0, NULL },
};
