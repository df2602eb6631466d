#include "datum.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"

#define STR_(x) #x
#define STR(x) STR_(x)

static const struct mgr_datum_pickle_ops *pickle_ops;

void mgr_datum_set_pickle_ops(const struct mgr_datum_pickle_ops *ops)
{
	pickle_ops = ops;
}

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
	const unsigned char *text;
	size_t len;
	yajl_gen g;
	int r;

	/* A value deeper than this could not be wrapped in every reply that
	 * carries it: refused where it comes in, not when it is asked for. */
	if (mgr_json_depth(v) > MGR_VALUE_DEPTH_MAX)
		return -ELOOP;
	g = mgr_json_gen_new();
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

const char *mgr_datum_why(int err)
{
	switch (err) {
	case -ELOOP:
		return "value nested deeper than " STR(MGR_VALUE_DEPTH_MAX) " levels";
	case -EFBIG:
		return "value too big";
	case -ENOMEM:
		return "out of memory";
	default:
		return "value cannot be stored";
	}
}

int mgr_datum_from_msg(yajl_val msg, struct mgr_datum **out, const char **err)
{
	yajl_val v = mgr_json_get(msg, "value"), b = mgr_json_get(msg, "bytes");
	yajl_val p = mgr_json_get(msg, "pickle");
	struct mgr_buf raw = MGR_BUF_INIT;
	int r;

	if ((v != NULL) + (b != NULL) + (p != NULL) > 1) {
		*err = "give one of \"value\", \"bytes\" and \"pickle\"";
		return -EINVAL;
	}
	if (v) {
		r = mgr_datum_from_tree(v, out);
		if (r < 0)
			*err = mgr_datum_why(r);
		return r == -ELOOP ? -EINVAL : r;
	}
	if (p)
		b = p;
	if (!b)
		return -ENOENT;
	if (!YAJL_IS_STRING(b)) {
		*err = p ? "\"pickle\" must be a base64 string" : "\"bytes\" must be a base64 string";
		return -EINVAL;
	}
	if (mgr_json_strlen(b) / 4 * 3 > MGR_DATUM_MAX + 2) {
		*err = p ? "pickle too big" : "bytes too big";
		return -EFBIG;
	}
	/* With its length: a NUL inside must not end the text early. */
	r = mgr_base64_decode(b->u.string, mgr_json_strlen(b), &raw);
	if (r < 0) {
		*err = r == -ENOMEM ? "out of memory" : p ? "\"pickle\" is not valid base64" :
		       "\"bytes\" is not valid base64";
		goto out;
	}
	/* A pickle is at least its protocol header and STOP. */
	if (p && raw.len < 3) {
		*err = "\"pickle\" is too short to be a pickle";
		r = -EINVAL;
		goto out;
	}
	if (raw.len > MGR_DATUM_MAX) {
		*err = p ? "pickle too big" : "bytes too big";
		r = -EFBIG;
		goto out;
	}
	*out = mgr_datum_new(p ? MGR_DATUM_PICKLE : MGR_DATUM_BYTES, raw.data, raw.len);
	if (!*out) {
		*err = "out of memory";
		r = -ENOMEM;
	}
out:
	mgr_buf_release(&raw);
	return r;
}

/* "repr": the pickle's text, when the pickle ops can tell it. */
static int gen_repr(yajl_gen g, const char *key, const struct mgr_datum *d)
{
	struct mgr_buf text = MGR_BUF_INIT;
	int r = 0;

	if (!pickle_ops || !pickle_ops->repr)
		return 0;
	if (pickle_ops->repr(d, &text) == 0) {
		r = mgr_json_gen_cstr(g, key);
		if (!r)
			r = mgr_json_gen_strn(g, text.data ? text.data : "", text.len);
	}
	mgr_buf_release(&text);
	return r;
}

int mgr_datum_gen_members(yajl_gen g, const struct mgr_datum *d)
{
	int r;

	if (d->kind == MGR_DATUM_JSON) {
		r = mgr_json_gen_cstr(g, "value");
		return r ? r : mgr_json_gen_raw(g, d->data, d->len);
	}
	r = mgr_json_kv_base64(g, d->kind == MGR_DATUM_PICKLE ? "pickle" : "bytes", d->data, d->len);
	if (!r && d->kind == MGR_DATUM_PICKLE)
		r = gen_repr(g, "repr", d);
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

/* Numbers compare as Python's do: an integer (a JSON number without
 * fraction or exponent, or a boolean) exactly by its digits whatever its
 * size, a float as the double Python's float() reads, and the two kinds
 * against each other exactly, so 2**53 + 1 != 2.0**53.  NaN equals nothing
 * and is neither smaller nor larger than anything. */
struct num {
	bool is_int;
	bool neg;
	const char *digits;	/* an integer's, without sign or leading zeros */
	size_t ndigits;
	double d;		/* a float's */
};

/* t is a number's text as yajl_gen or mgr_json_parse left it, or a
 * boolean, NUL-terminated. */
static void num_of(const char *t, struct num *n)
{
	const char *p;
	size_t k;

	n->is_int = true;
	n->neg = false;
	if (t[0] == 't' || t[0] == 'f') {
		n->digits = t[0] == 't' ? "1" : "0";
		n->ndigits = 1;
		return;
	}
	p = t + (t[0] == '-');
	k = strspn(p, "0123456789");
	if (k && p[k] == '\0') {
		/* JSON has no leading zeros, but "%.0f" below may write "-0". */
		while (k > 1 && *p == '0') {
			p++;
			k--;
		}
		n->neg = t[0] == '-' && !(k == 1 && *p == '0');
		n->digits = p;
		n->ndigits = k;
		return;
	}
	n->is_int = false;
	if (*p == 'N')
		n->d = NAN;
	else if (*p == 'I')
		n->d = t[0] == '-' ? -INFINITY : INFINITY;
	else
		n->d = strtod(t, NULL);
}

static int sign(int c)
{
	return (c > 0) - (c < 0);
}

/* A comparison as an order: unordered is neither smaller nor larger, as
 * Python's "<" says of NaN both ways. */
static int ordered(int c)
{
	return c == 2 ? 0 : c;
}

static int int_cmp(const struct num *a, const struct num *b)
{
	int c;

	if (a->neg != b->neg)
		return a->neg ? -1 : 1;
	c = (a->ndigits > b->ndigits) - (a->ndigits < b->ndigits);
	if (!c)
		c = sign(memcmp(a->digits, b->digits, a->ndigits));
	return a->neg ? -c : c;
}

/* Integer a against finite float b. */
static int int_float_cmp(const struct num *a, double b)
{
	char text[400];
	struct num whole;
	double w, da = 0;
	size_t i;
	int c;

	/* Up to 15 digits a double holds the integer exactly. */
	if (a->ndigits <= 15) {
		for (i = 0; i < a->ndigits; i++)
			da = da * 10 + (a->digits[i] - '0');
		if (a->neg)
			da = -da;
		return (da > b) - (da < b);
	}
	/* Else against b's whole part, written out exactly (a double's
	 * integer part has at most 309 digits), then its fraction. */
	w = trunc(b);
	snprintf(text, sizeof(text), "%.0f", w);
	num_of(text, &whole);
	c = int_cmp(a, &whole);
	if (c)
		return c;
	return (b - w < 0) - (b - w > 0);
}

/* -1, 0 or 1 as a is less, equal or greater; 2 when they are not ordered
 * (a NaN). */
static int num_cmp(const struct num *a, const struct num *b)
{
	if (a->is_int && b->is_int)
		return int_cmp(a, b);
	if ((!a->is_int && isnan(a->d)) || (!b->is_int && isnan(b->d)))
		return 2;
	if (!a->is_int && !b->is_int)
		return (a->d > b->d) - (a->d < b->d);
	if (!a->is_int && isinf(a->d))
		return a->d > 0 ? 1 : -1;
	if (!b->is_int && isinf(b->d))
		return b->d > 0 ? -1 : 1;
	return a->is_int ? int_float_cmp(a, b->d) : -int_float_cmp(b, a->d);
}

static int text_num_cmp(const char *a, const char *b)
{
	struct num na, nb;

	num_of(a, &na);
	num_of(b, &nb);
	return num_cmp(&na, &nb);
}

static const char *tree_num_text(yajl_val v)
{
	if (YAJL_IS_TRUE(v))
		return "true";
	if (YAJL_IS_FALSE(v))
		return "false";
	return v->u.number.r;
}

static int tree_num_cmp(yajl_val a, yajl_val b)
{
	return text_num_cmp(tree_num_text(a), tree_num_text(b));
}

static bool numeric(enum kind k)
{
	return k == K_BOOL || k == K_NUM;
}

/* Strings by code point, which for UTF-8 is by byte; NUL bytes count. */
static int str_cmp(yajl_val a, yajl_val b)
{
	size_t la = mgr_json_strlen(a), lb = mgr_json_strlen(b);
	int c = memcmp(a->u.string, b->u.string, la < lb ? la : lb);

	return c ? sign(c) : (la > lb) - (la < lb);
}

static bool tree_eq(yajl_val a, yajl_val b)
{
	enum kind ka = tree_kind(a), kb = tree_kind(b);
	size_t i, j;

	if (numeric(ka) && numeric(kb))
		return tree_num_cmp(a, b) == 0;
	if (ka != kb)
		return false;
	switch (ka) {
	case K_STR:
		return str_cmp(a, b) == 0;
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
		*cmp = ordered(tree_num_cmp(a, b));
		return 0;
	}
	if (ka != kb)
		return -EINVAL;
	switch (ka) {
	case K_STR:
		*cmp = str_cmp(a, b);
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

	if ((a->kind == MGR_DATUM_PICKLE || b->kind == MGR_DATUM_PICKLE) &&
	    pickle_ops && pickle_ops->eq)
		return pickle_ops->eq(a, b) == 1;
	if (a->kind != b->kind)
		return false;
	/* The same text is the same value, unless it holds a NaN (written
	 * NaN, the only 'N' outside strings). */
	if (a->len == b->len && memcmp(a->data, b->data, a->len) == 0 &&
	    (a->kind != MGR_DATUM_JSON || !memchr(a->data, 'N', a->len)))
		return true;
	if (a->kind != MGR_DATUM_JSON)
		return false;
	ka = text_kind(a->data);
	kb = text_kind(b->data);
	if (numeric(ka) && numeric(kb))
		return text_num_cmp(a->data, b->data) == 0;
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

	if (a->kind == MGR_DATUM_PICKLE || b->kind == MGR_DATUM_PICKLE)
		return pickle_ops && pickle_ops->cmp ? pickle_ops->cmp(a, b, cmp) : -EINVAL;
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
		*cmp = ordered(text_num_cmp(a->data, b->data));
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
	char err[64];
	yajl_val v;
	int r;

	/* A dump nests values inside containers of any depth, so a nested
	 * value goes through yajl_gen, which refuses to write past its
	 * depth, rather than in as raw text: the reply is then one that
	 * every client can read. */
	if (d->kind == MGR_DATUM_JSON && (d->data[0] == '[' || d->data[0] == '{')) {
		r = mgr_json_parse(d->data, d->len, &v, err, sizeof(err));
		if (r < 0)
			return r;
		r = mgr_json_gen_tree(g, v);
		yajl_tree_free(v);
		return r;
	}
	if (d->kind == MGR_DATUM_JSON)
		return mgr_json_gen_raw(g, d->data, d->len);
	r = mgr_json_map_open(g);
	if (!r)
		r = mgr_json_kv_base64(g, d->kind == MGR_DATUM_PICKLE ? "$pickle" : "$bytes", d->data,
				       d->len);
	if (!r && d->kind == MGR_DATUM_PICKLE)
		r = gen_repr(g, "repr", d);
	if (!r)
		r = mgr_json_map_close(g);
	return r;
}
