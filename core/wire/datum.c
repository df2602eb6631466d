#include "datum.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"

struct mgr_datum *mgr_datum_new(enum mgr_datum_kind kind, const void *data, size_t len)
{
	struct mgr_datum *d;

	if (len > UINT32_MAX)
		return NULL;
	/* offsetof, not sizeof: the padding after kind holds data. */
	d = malloc(offsetof(struct mgr_datum, data) + len + 1);
	if (!d)
		return NULL;
	d->len = (uint32_t)len;
	d->kind = kind;
	if (len)
		memcpy(d->data, data, len);
	d->data[len] = '\0';
	return d;
}

void mgr_datum_free(struct mgr_datum *d)
{
	free(d);
}

int mgr_datum_from_tree(yajl_val v, struct mgr_datum **out)
{
	yajl_gen g = mgr_json_gen_new();
	const unsigned char *text;
	size_t len;
	int r;

	if (!g)
		return -ENOMEM;
	r = mgr_json_gen_tree(g, v);
	if (r < 0)
		goto out;
	yajl_gen_get_buf(g, &text, &len);
	if (len > MGR_DATUM_MAX) {
		r = -EFBIG;
		goto out;
	}
	*out = mgr_datum_new(MGR_DATUM_JSON, text, len);
	if (!*out)
		r = -ENOMEM;
out:
	yajl_gen_free(g);
	return r;
}

int mgr_datum_from_msg(yajl_val msg, struct mgr_datum **out, const char **err)
{
	yajl_val v = mgr_json_get(msg, "value"), b = mgr_json_get(msg, "bytes");
	struct mgr_buf raw = MGR_BUF_INIT;
	int r;

	if (v && b) {
		*err = "give \"value\" or \"bytes\", not both";
		return -EINVAL;
	}
	if (v) {
		r = mgr_datum_from_tree(v, out);
		if (r == -EFBIG)
			*err = "value too big";
		else if (r < 0)
			*err = r == -ENOMEM ? "out of memory" : "value cannot be stored";
		return r;
	}
	if (!b)
		return -ENOENT;
	if (!YAJL_IS_STRING(b)) {
		*err = "\"bytes\" must be a base64 string";
		return -EINVAL;
	}
	if (strlen(b->u.string) / 4 * 3 > MGR_DATUM_MAX + 2) {
		*err = "bytes too big";
		return -EFBIG;
	}
	r = mgr_base64_decode(b->u.string, strlen(b->u.string), &raw);
	if (r < 0) {
		*err = r == -ENOMEM ? "out of memory" : "\"bytes\" is not valid base64";
		goto out;
	}
	if (raw.len > MGR_DATUM_MAX) {
		*err = "bytes too big";
		r = -EFBIG;
		goto out;
	}
	*out = mgr_datum_new(MGR_DATUM_BYTES, raw.data, raw.len);
	if (!*out) {
		*err = "out of memory";
		r = -ENOMEM;
	}
out:
	mgr_buf_release(&raw);
	return r;
}

int mgr_datum_gen_members(yajl_gen g, const struct mgr_datum *d)
{
	struct mgr_buf b64 = MGR_BUF_INIT;
	int r;

	if (d->kind == MGR_DATUM_JSON) {
		r = mgr_json_gen_cstr(g, "value");
		return r ? r : mgr_json_gen_raw(g, d->data, d->len);
	}
	r = mgr_base64_encode(d->data, d->len, &b64);
	if (!r)
		r = mgr_json_gen_cstr(g, "bytes");
	if (!r)
		r = mgr_json_gen_strn(g, b64.data ? b64.data : "", b64.len);
	mgr_buf_release(&b64);
	return r;
}

int mgr_datum_gen(yajl_gen g, const struct mgr_datum *d)
{
	int r = yajl_gen_map_open(g) == yajl_gen_status_ok ? 0 : -EINVAL;

	if (!r)
		r = mgr_datum_gen_members(g, d);
	if (!r && yajl_gen_map_close(g) != yajl_gen_status_ok)
		r = -EINVAL;
	return r;
}

/* Comparison works on parsed trees, with fast paths for the scalars that
 * lists mostly hold, so that index, count and sort need not parse. */

enum kind { K_NULL, K_BOOL, K_NUM, K_STR, K_ARRAY, K_OBJECT };

static enum kind tree_kind(yajl_val v)
{
	switch (v->type) {
	case yajl_t_true:
	case yajl_t_false:
		return K_BOOL;
	case yajl_t_number:
		return K_NUM;
	case yajl_t_string:
		return K_STR;
	case yajl_t_array:
		return K_ARRAY;
	case yajl_t_object:
		return K_OBJECT;
	default:
		return K_NULL;
	}
}

static enum kind text_kind(const char *t)
{
	switch (t[0]) {
	case 'n':
		return K_NULL;
	case 't':
	case 'f':
		return K_BOOL;
	case '"':
		return K_STR;
	case '[':
		return K_ARRAY;
	case '{':
		return K_OBJECT;
	default:
		return K_NUM;
	}
}

/* A number (or boolean, as Python's int subclass) for comparison: exact
 * for every 64-bit integer, as long double holds 64 bits of mantissa. */
static long double text_num(const char *t)
{
	if (t[0] == 't')
		return 1;
	if (t[0] == 'f')
		return 0;
	return strtold(t, NULL);
}

static long double tree_num(yajl_val v)
{
	if (YAJL_IS_TRUE(v))
		return 1;
	if (YAJL_IS_FALSE(v))
		return 0;
	return strtold(v->u.number.r, NULL);
}

static bool numeric(enum kind k)
{
	return k == K_BOOL || k == K_NUM;
}

static int numcmp(long double a, long double b)
{
	return (a > b) - (a < b);
}

static bool tree_eq(yajl_val a, yajl_val b)
{
	enum kind ka = tree_kind(a), kb = tree_kind(b);
	size_t i, j;

	if (numeric(ka) && numeric(kb))
		return tree_num(a) == tree_num(b);
	if (ka != kb)
		return false;
	switch (ka) {
	case K_STR:
		return strcmp(a->u.string, b->u.string) == 0;
	case K_ARRAY:
		if (a->u.array.len != b->u.array.len)
			return false;
		for (i = 0; i < a->u.array.len; i++)
			if (!tree_eq(a->u.array.values[i], b->u.array.values[i]))
				return false;
		return true;
	case K_OBJECT:
		/* Dicts are equal whatever the order of their keys. */
		if (a->u.object.len != b->u.object.len)
			return false;
		for (i = 0; i < a->u.object.len; i++) {
			for (j = 0; j < b->u.object.len; j++)
				if (strcmp(a->u.object.keys[i], b->u.object.keys[j]) == 0)
					break;
			if (j == b->u.object.len ||
			    !tree_eq(a->u.object.values[i], b->u.object.values[j]))
				return false;
		}
		return true;
	default:
		return true;
	}
}

static int tree_cmp(yajl_val a, yajl_val b, int *cmp)
{
	enum kind ka = tree_kind(a), kb = tree_kind(b);
	size_t i, n;

	if (numeric(ka) && numeric(kb)) {
		*cmp = numcmp(tree_num(a), tree_num(b));
		return 0;
	}
	if (ka != kb)
		return -EINVAL;
	switch (ka) {
	case K_STR:
		*cmp = strcmp(a->u.string, b->u.string);
		return 0;
	case K_ARRAY:
		/* As Python: the first pair that differs decides, else the
		 * shorter list is smaller. */
		n = a->u.array.len < b->u.array.len ? a->u.array.len : b->u.array.len;
		for (i = 0; i < n; i++)
			if (!tree_eq(a->u.array.values[i], b->u.array.values[i]))
				return tree_cmp(a->u.array.values[i], b->u.array.values[i], cmp);
		*cmp = (a->u.array.len > b->u.array.len) - (a->u.array.len < b->u.array.len);
		return 0;
	default:
		return -EINVAL;
	}
}

/* Parse two stored JSON data; they were made by yajl_gen, so only memory
 * can fail. */
static int with_trees(const struct mgr_datum *a, const struct mgr_datum *b,
		      yajl_val *ta, yajl_val *tb)
{
	char err[64];

	*ta = *tb = NULL;
	if (mgr_json_parse(a->data, a->len, ta, err, sizeof(err)) < 0 ||
	    mgr_json_parse(b->data, b->len, tb, err, sizeof(err)) < 0) {
		yajl_tree_free(*ta);
		*ta = NULL;
		return -ENOMEM;
	}
	return 0;
}

bool mgr_datum_eq(const struct mgr_datum *a, const struct mgr_datum *b)
{
	enum kind ka, kb;
	yajl_val ta, tb;
	bool eq;

	if (a->kind != b->kind)
		return false;
	if (a->len == b->len && memcmp(a->data, b->data, a->len) == 0)
		return true;
	if (a->kind == MGR_DATUM_BYTES)
		return false;
	ka = text_kind(a->data);
	kb = text_kind(b->data);
	if (numeric(ka) && numeric(kb))
		return text_num(a->data) == text_num(b->data);
	/* yajl_gen writes each string and null one way only, so for these the
	 * texts differing means the values do. */
	if (ka != kb || ka == K_STR || ka == K_NULL)
		return false;
	if (with_trees(a, b, &ta, &tb) < 0)
		return false;
	eq = tree_eq(ta, tb);
	yajl_tree_free(ta);
	yajl_tree_free(tb);
	return eq;
}

int mgr_datum_cmp(const struct mgr_datum *a, const struct mgr_datum *b, int *cmp)
{
	enum kind ka, kb;
	yajl_val ta, tb;
	uint32_t n;
	int r;

	if (a->kind != b->kind)
		return -EINVAL;
	if (a->kind == MGR_DATUM_BYTES) {
		n = a->len < b->len ? a->len : b->len;
		r = memcmp(a->data, b->data, n);
		*cmp = r ? r : (a->len > b->len) - (a->len < b->len);
		return 0;
	}
	ka = text_kind(a->data);
	kb = text_kind(b->data);
	if (numeric(ka) && numeric(kb)) {
		*cmp = numcmp(text_num(a->data), text_num(b->data));
		return 0;
	}
	if (ka != kb || ka == K_NULL || ka == K_OBJECT)
		return -EINVAL;
	/* Without escapes the text between the quotes is the string. */
	if (ka == K_STR && !memchr(a->data, '\\', a->len) && !memchr(b->data, '\\', b->len)) {
		n = (a->len < b->len ? a->len : b->len) - 2;
		r = memcmp(a->data + 1, b->data + 1, n);
		*cmp = r ? r : (a->len > b->len) - (a->len < b->len);
		return 0;
	}
	r = with_trees(a, b, &ta, &tb);
	if (r < 0)
		return r;
	r = tree_cmp(ta, tb, cmp);
	yajl_tree_free(ta);
	yajl_tree_free(tb);
	return r;
}

int mgr_datum_gen_dump(yajl_gen g, const struct mgr_datum *d)
{
	struct mgr_buf b64 = MGR_BUF_INIT;
	int r;

	if (d->kind == MGR_DATUM_JSON)
		return mgr_json_gen_raw(g, d->data, d->len);
	r = mgr_base64_encode(d->data, d->len, &b64);
	if (!r)
		r = mgr_json_map_open(g);
	if (!r)
		r = mgr_json_gen_cstr(g, "$bytes");
	if (!r)
		r = mgr_json_gen_strn(g, b64.data ? b64.data : "", b64.len);
	if (!r)
		r = mgr_json_map_close(g);
	mgr_buf_release(&b64);
	return r;
}
