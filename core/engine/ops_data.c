/* The data types: namespace and dict (containers), value, list and array,
 * with the operations of Python's dict, list, Value and Array proxies. */
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "json.h"
#include "ops.h"

#define BIT(t) MGR_TYPE_BIT(t)

/* What a list holds; items are owned. */
struct list_state {
	struct mgr_datum **items;
	size_t len, cap;
};

/* One element of an Array or the number of a typed Value: integer codes
 * use i (signed) or u (unsigned), f and d use d, u and c hold a code
 * point in u. */
union elem {
	int64_t i;
	uint64_t u;
	double d;
};

struct array_state {
	size_t len;
	union elem items[];
};

/* An array's reply must fit a frame: at most about 21 bytes an element. */
#define ARRAY_MAX (1u << 19)
/* imul refuses to build a list bigger than this many bytes of data. */
#define LIST_BYTES_MAX (1ull << 30)

static struct list_state *list_of(struct mgr_obj *o)
{
	return o->u.state;
}

static struct array_state *array_of(struct mgr_obj *o)
{
	return o->u.state;
}

/* {"value": X, "version": N} or {"bytes": B, "version": N}. */
static int reply_datum(struct mgr_call *c, const struct mgr_datum *d, const struct mgr_obj *o)
{
	int r = mgr_json_map_open(c->out);

	if (!r)
		r = mgr_datum_gen_members(c->out, d);
	if (!r)
		r = mgr_json_kv_u64(c->out, "version", o->version);
	if (!r)
		r = mgr_json_map_close(c->out);
	return mgr_call_result(c, r);
}

static int datum_err(struct mgr_call *c, int r, const char *why)
{
	return mgr_call_err(c, r, "%s", why);
}

/* The datum a request carries, which it must carry. */
static int need_datum(struct mgr_call *c, struct mgr_datum **d)
{
	const char *why;
	int r = mgr_datum_from_msg(c->args, d, &why);

	if (r == -ENOENT)
		return mgr_call_err(c, -EINVAL, "missing \"value\" or \"bytes\"");
	return r < 0 ? datum_err(c, r, why) : 0;
}

/* Typecodes, as Python's array module and ctypes name the C types. */

static const struct {
	char tc;
	int64_t lo;
	uint64_t hi;
} int_codes[] = {
	{ 'b', INT8_MIN, INT8_MAX }, { 'B', 0, UINT8_MAX },
	{ 'h', INT16_MIN, INT16_MAX }, { 'H', 0, UINT16_MAX },
	{ 'i', INT_MIN, INT_MAX }, { 'I', 0, UINT_MAX },
	{ 'l', LONG_MIN, LONG_MAX }, { 'L', 0, ULONG_MAX },
	{ 'q', INT64_MIN, INT64_MAX }, { 'Q', 0, UINT64_MAX },
};

static int int_code(char tc)
{
	size_t i;

	for (i = 0; i < sizeof(int_codes) / sizeof(int_codes[0]); i++)
		if (int_codes[i].tc == tc)
			return (int)i;
	return -1;
}

static bool typecode_valid(char tc)
{
	return tc && strchr("bBhHiIlLqQfduc", tc);
}

/* The typecode member of a request, or 0 when absent. */
static int get_typecode(struct mgr_call *c, char *tc)
{
	const char *s;
	int r = mgr_json_get_str(c->args, "typecode", &s);

	*tc = 0;
	if (r == -ENOENT)
		return 0;
	if (r < 0 || strlen(s) != 1 || !typecode_valid(s[0]))
		return mgr_call_err(c, -EINVAL,
				    "\"typecode\" must be one of b B h H i I l L q Q f d u c");
	*tc = s[0];
	return 0;
}

/* The one code point of a one-character UTF-8 string, or -1. */
static int32_t single_char(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int32_t cp;
	int n, i;

	if (p[0] < 0x80)
		return p[0] && !p[1] ? p[0] : -1;
	n = p[0] >= 0xf0 ? 3 : p[0] >= 0xe0 ? 2 : 1;
	cp = p[0] & (0x3f >> n);
	for (i = 1; i <= n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	return p[n + 1] ? -1 : cp;
}

static int utf8_encode(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Whether a number's text is a plain integer. */
static bool integer_text(const char *r)
{
	if (*r == '-')
		r++;
	return *r && strspn(r, "0123456789") == strlen(r);
}

static int int_from_json(struct mgr_call *c, char tc, yajl_val v, union elem *e)
{
	int k = int_code(tc);
	int64_t lo = int_codes[k].lo;
	uint64_t hi = int_codes[k].hi, mag = 0;
	long long neg = 0;
	bool is_neg = false;

	/* As in Python, a bool is an int. */
	if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v)) {
		mag = YAJL_IS_TRUE(v);
	} else if (YAJL_IS_NUMBER(v) && integer_text(v->u.number.r)) {
		errno = 0;
		if (v->u.number.r[0] == '-') {
			neg = strtoll(v->u.number.r, NULL, 10);
			is_neg = neg < 0;
		} else {
			mag = strtoull(v->u.number.r, NULL, 10);
		}
		if (errno)
			goto range;
	} else {
		return mgr_call_err(c, -EINVAL, "typecode '%c' holds integers", tc);
	}
	if (is_neg ? neg < lo : mag > hi)
		goto range;
	if (lo < 0)
		e->i = is_neg ? (int64_t)neg : (int64_t)mag;
	else
		e->u = mag;
	return 0;
range:
	if (lo < 0)
		return mgr_call_err(c, -EINVAL, "typecode '%c' holds integers from %lld to %llu",
				    tc, (long long)lo, (unsigned long long)hi);
	return mgr_call_err(c, -EINVAL, "typecode '%c' holds integers from 0 to %llu",
			    tc, (unsigned long long)hi);
}

/* Check v against typecode tc and convert it as ctypes would. */
static int elem_from_json(struct mgr_call *c, char tc, yajl_val v, union elem *e)
{
	int32_t cp;

	if (int_code(tc) >= 0)
		return int_from_json(c, tc, v, e);
	if (tc == 'f' || tc == 'd') {
		if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v))
			e->d = YAJL_IS_TRUE(v);
		else if (YAJL_IS_DOUBLE(v))
			e->d = v->u.number.d;
		else
			return mgr_call_err(c, -EINVAL, "typecode '%c' holds numbers", tc);
		if (tc == 'f' && (e->d > FLT_MAX || e->d < -FLT_MAX))
			return mgr_call_err(c, -EINVAL, "number out of range for typecode 'f'");
		if (tc == 'f')
			e->d = (float)e->d;
		return 0;
	}
	cp = YAJL_IS_STRING(v) ? single_char(v->u.string) : -1;
	if (cp < 0 || (tc == 'c' && cp > 0xff))
		return mgr_call_err(c, -EINVAL, tc == 'c' ?
				    "typecode 'c' holds one character from U+0000 to U+00FF" :
				    "typecode 'u' holds one character");
	e->u = (uint64_t)cp;
	return 0;
}

static int elem_gen(yajl_gen g, char tc, const union elem *e)
{
	char buf[4];
	int k = int_code(tc);

	if (k >= 0 && int_codes[k].lo < 0)
		return yajl_gen_integer(g, e->i) == yajl_gen_status_ok ? 0 : -EINVAL;
	if (k >= 0)
		return mgr_json_gen_u64(g, e->u);
	if (tc == 'f' || tc == 'd')
		return mgr_json_gen_double(g, e->d);
	return mgr_json_gen_strn(g, buf, utf8_encode((uint32_t)e->u, buf));
}

/* The datum stored for v: as given, or converted for a typecode. */
static int datum_for(struct mgr_call *c, char tc, yajl_val v, struct mgr_datum **out)
{
	const unsigned char *text;
	union elem e;
	yajl_gen g;
	size_t len;
	int r;

	if (!tc) {
		r = mgr_datum_from_tree(v, out);
		if (r < 0)
			return mgr_call_err(c, r, r == -EFBIG ? "value too big" : "value cannot be stored");
		return 0;
	}
	r = elem_from_json(c, tc, v, &e);
	if (r < 0)
		return r;
	g = mgr_json_gen_new();
	if (!g)
		return mgr_call_err(c, -ENOMEM, "out of memory");
	r = elem_gen(g, tc, &e);
	if (!r) {
		yajl_gen_get_buf(g, &text, &len);
		*out = mgr_datum_new(MGR_DATUM_JSON, text, len);
		if (!*out)
			r = -ENOMEM;
	}
	yajl_gen_free(g);
	return r < 0 ? mgr_call_err(c, r, "out of memory") : 0;
}

/* The datum a request carries for a value of typecode tc: -ENOENT when it
 * carries none. */
static int value_from_msg(struct mgr_call *c, char tc, struct mgr_datum **out)
{
	const char *why;
	yajl_val v;
	int r;

	if (!tc) {
		r = mgr_datum_from_msg(c->args, out, &why);
		return r < 0 && r != -ENOENT ? datum_err(c, r, why) : r;
	}
	if (mgr_json_get(c->args, "bytes"))
		return mgr_call_err(c, -EINVAL, "a value of typecode '%c' does not hold bytes", tc);
	v = mgr_json_get(c->args, "value");
	if (!v)
		return -ENOENT;
	return datum_for(c, tc, v, out);
}

/* Python's index: negative counts from the end.  -ERANGE outside. */
static int get_index(struct mgr_call *c, size_t len, const char *what, size_t *out)
{
	int64_t i;
	int r = mgr_json_get_i64(c->args, "index", &i);

	if (r == -ENOENT)
		return mgr_call_err(c, -EINVAL, "missing \"index\"");
	if (r < 0)
		return mgr_call_err(c, -EINVAL, "\"index\" must be an integer");
	if (i < 0)
		i += (int64_t)len;
	if (i < 0 || (uint64_t)i >= len)
		return mgr_call_err(c, -ERANGE, "%s index out of range", what);
	*out = (size_t)i;
	return 0;
}

/* Python's slice bounds: missing or null is the whole list, negative
 * counts from the end, and both are clamped to the list. */
static int get_bound(struct mgr_call *c, const char *key, size_t len, size_t def, size_t *out)
{
	int64_t i;
	int r = mgr_json_get_i64(c->args, key, &i);

	*out = def;
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return mgr_call_err(c, -EINVAL, "\"%s\" must be an integer", key);
	if (i < 0)
		i += (int64_t)len;
	*out = i < 0 ? 0 : (uint64_t)i > len ? len : (size_t)i;
	return 0;
}

/* list.index's range: "start" and "stop", clamped. */
static int get_range(struct mgr_call *c, size_t len, size_t *start, size_t *stop)
{
	int r = get_bound(c, "start", len, 0, start);

	if (!r)
		r = get_bound(c, "stop", len, len, stop);
	if (!r && *stop < *start)
		*stop = *start;
	return r;
}

/* A slice as Python's slice.indices() makes it for a sequence: the n
 * indices start, start + step, ... */
struct slice {
	int64_t start, step;
	size_t n;
};

static size_t slice_at(const struct slice *s, size_t k)
{
	return (size_t)(s->start + (int64_t)k * s->step);
}

/* One bound, adjusted as Python does: negative counts from the end, and
 * what falls outside is clamped (to -1 and len - 1 going backwards). */
static int64_t slice_bound(int64_t v, int64_t len, int64_t step)
{
	if (v < 0) {
		v = v < -len ? -1 : v + len;
		if (v < 0)
			v = step < 0 ? -1 : 0;
	} else if (v >= len) {
		v = step < 0 ? len - 1 : len;
	}
	return v;
}

/* "start", "stop" and "step" (each missing or null for Python's None). */
static int get_slice(struct mgr_call *c, size_t len, struct slice *s)
{
	static const char *const keys[] = { "start", "stop", "step" };
	int64_t v[3] = { 0, 0, 1 };
	bool given[3];
	int i, r;

	for (i = 0; i < 3; i++) {
		r = mgr_json_get_i64(c->args, keys[i], &v[i]);
		if (r == -EINVAL)
			return mgr_call_err(c, -EINVAL, "\"%s\" must be an integer", keys[i]);
		given[i] = r == 0;
	}
	if (v[2] == 0)
		return mgr_call_err(c, -EINVAL, "slice step cannot be zero");
	/* -INT64_MIN does not exist; any step past the length is alike. */
	s->step = v[2] < -INT64_MAX ? -INT64_MAX : v[2];
	s->start = given[0] ? slice_bound(v[0], (int64_t)len, s->step) :
		   s->step < 0 ? (int64_t)len - 1 : 0;
	v[1] = given[1] ? slice_bound(v[1], (int64_t)len, s->step) :
	       s->step < 0 ? -1 : (int64_t)len;
	s->n = 0;
	if (s->step > 0 && s->start < v[1])
		s->n = (size_t)((v[1] - s->start - 1) / s->step + 1);
	else if (s->step < 0 && v[1] < s->start)
		s->n = (size_t)((s->start - v[1] - 1) / -s->step + 1);
	return 0;
}

static bool has_slice(struct mgr_call *c)
{
	return mgr_json_get(c->args, "start") || mgr_json_get(c->args, "stop") ||
	       mgr_json_get(c->args, "step");
}

/* Lists. */

static int list_reserve(struct list_state *l, size_t more)
{
	struct mgr_datum **p;
	size_t cap = l->cap ? l->cap : 4;

	if (l->len + more <= l->cap)
		return 0;
	while (cap < l->len + more)
		cap *= 2;
	p = realloc(l->items, cap * sizeof(*p));
	if (!p)
		return -ENOMEM;
	l->items = p;
	l->cap = cap;
	return 0;
}

static void list_free_items(struct mgr_datum **items, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		mgr_datum_free(items[i]);
}

/* Data for each element of the JSON array v, all or none. */
static int data_from_array(struct mgr_call *c, yajl_val v, struct mgr_datum ***out, size_t *n)
{
	struct mgr_datum **items;
	size_t i;
	int r = 0;

	*out = NULL;
	*n = 0;
	if (!YAJL_IS_ARRAY(v))
		return mgr_call_err(c, -EINVAL, "\"items\" must be an array");
	if (!v->u.array.len)
		return 0;
	items = calloc(v->u.array.len, sizeof(*items));
	if (!items)
		return mgr_call_err(c, -ENOMEM, "out of memory");
	for (i = 0; i < v->u.array.len && !r; i++)
		r = datum_for(c, 0, v->u.array.values[i], &items[i]);
	if (r < 0) {
		list_free_items(items, v->u.array.len);
		free(items);
		return r;
	}
	*out = items;
	*n = v->u.array.len;
	return 0;
}

/* The "items" member, or with also_value the "value" member when
 * "items" is absent (set accepts either). */
static yajl_val items_member(struct mgr_call *c, bool also_value)
{
	yajl_val v = mgr_json_get(c->args, "items");

	return !v && also_value ? mgr_json_get(c->args, "value") : v;
}

static int list_init(struct mgr_call *c, struct mgr_obj *o)
{
	struct list_state *l = calloc(1, sizeof(*l));
	yajl_val v = items_member(c, false);
	int r = 0;

	if (!l)
		return mgr_call_err(c, -ENOMEM, "out of memory");
	if (v)
		r = data_from_array(c, v, &l->items, &l->len);
	if (r < 0) {
		free(l);
		return r;
	}
	l->cap = l->len;
	o->u.state = l;
	return 0;
}

static void list_destroy(struct mgr_store *s, struct mgr_obj *o)
{
	struct list_state *l = list_of(o);

	if (!l)
		return;
	list_free_items(l->items, l->len);
	free(l->items);
	free(l);
}

static int list_dump(struct mgr_obj *o, yajl_gen g)
{
	struct list_state *l = list_of(o);
	size_t i;
	int r = mgr_json_array_open(g);

	for (i = 0; i < l->len && !r; i++)
		r = mgr_datum_gen_dump(g, l->items[i]);
	return r ? r : mgr_json_array_close(g);
}

static uint64_t list_size(struct mgr_obj *o)
{
	return list_of(o)->len;
}

static void list_changed(struct mgr_call *c, struct mgr_obj *o)
{
	mgr_store_changed(c->store, o, MGR_CHANGE_UPDATE);
}

static int list_append(struct mgr_call *c, struct mgr_obj *o)
{
	struct list_state *l = list_of(o);
	struct mgr_datum *d;
	int r = need_datum(c, &d);

	if (r < 0)
		return r;
	if (list_reserve(l, 1) < 0) {
		mgr_datum_free(d);
		return mgr_call_err(c, -ENOMEM, "out of memory");
	}
	l->items[l->len++] = d;
	list_changed(c, o);
	return mgr_reply_version(c, o);
}

static int list_extend(struct mgr_call *c, struct mgr_obj *o)
{
	struct list_state *l = list_of(o);
	struct mgr_datum **items;
	yajl_val v = items_member(c, false);
	size_t n;
	int r;

	if (!v)
		return mgr_call_err(c, -EINVAL, "missing \"items\"");
	r = data_from_array(c, v, &items, &n);
	if (r < 0)
		return r;
	if (list_reserve(l, n) < 0) {
		list_free_items(items, n);
		free(items);
		return mgr_call_err(c, -ENOMEM, "out of memory");
	}
	if (n)
		memcpy(l->items + l->len, items, n * sizeof(*items));
	l->len += n;
	free(items);
	list_changed(c, o);
	return mgr_reply_version(c, o);
}

static int list_insert(struct mgr_call *c, struct mgr_obj *o)
{
	struct list_state *l = list_of(o);
	struct mgr_datum *d;
	int64_t i;
	int r = mgr_json_get_i64(c->args, "index", &i);

	if (r == -ENOENT)
		return mgr_call_err(c, -EINVAL, "missing \"index\"");
	if (r < 0)
		return mgr_call_err(c, -EINVAL, "\"index\" must be an integer");
	/* Python clamps instead of failing. */
	if (i < 0)
		i += (int64_t)l->len;
	if (i < 0)
		i = 0;
	if ((uint64_t)i > l->len)
		i = (int64_t)l->len;
	r = need_datum(c, &d);
	if (r < 0)
		return r;
	if (list_reserve(l, 1) < 0) {
		mgr_datum_free(d);
		return mgr_call_err(c, -ENOMEM, "out of memory");
	}
	memmove(l->items + i + 1, l->items + i, (l->len - i) * sizeof(*l->items));
	l->items[i] = d;
	l->len++;
	list_changed(c, o);
	return mgr_reply_version(c, o);
}

/* Take item i out of the list; the caller owns it. */
static struct mgr_datum *list_take(struct list_state *l, size_t i)
{
	struct mgr_datum *d = l->items[i];

	memmove(l->items + i, l->items + i + 1, (l->len - i - 1) * sizeof(*l->items));
	l->len--;
	return d;
}

static int list_pop(struct mgr_call *c, struct mgr_obj *o)
{
	struct list_state *l = list_of(o);
	struct mgr_datum *d;
	size_t i;
	int r;

	if (!l->len)
		return mgr_call_err(c, -ERANGE, "pop from empty list");
	i = l->len - 1;
	if (mgr_json_get(c->args, "index")) {
		r = get_index(c, l->len, "pop", &i);
		if (r < 0)
			return r;
	}
	d = list_take(l, i);
	list_changed(c, o);
	r = reply_datum(c, d, o);
	mgr_datum_free(d);
	return r;
}

/* First index of d in [start, stop), or -1. */
static ssize_t list_find(const struct list_state *l, const struct mgr_datum *d,
			 size_t start, size_t stop)
{
	size_t i;

	for (i = start; i < stop; i++)
		if (mgr_datum_eq(l->items[i], d))
			return (ssize_t)i;
	return -1;
}

static int list_remove(struct mgr_call *c, struct mgr_obj *o)
{
	struct list_state *l = list_of(o);
	struct mgr_datum *d;
	ssize_t i;
	int r = need_datum(c, &d);

	if (r < 0)
		return r;
	i = list_find(l, d, 0, l->len);
	mgr_datum_free(d);
	if (i < 0)
		return mgr_call_err(c, -EINVAL, "list.remove(x): x not in list");
	mgr_datum_free(list_take(l, (size_t)i));
	list_changed(c, o);
	return mgr_reply_version(c, o);
}

static int list_index(struct mgr_call *c, struct mgr_obj *o)
{
	struct list_state *l = list_of(o);
	struct mgr_datum *d;
	size_t start, stop;
	ssize_t i;
	int r = get_range(c, l->len, &start, &stop);

	if (!r)
		r = need_datum(c, &d);
	if (r < 0)
		return r;
	i = list_find(l, d, start, stop);
	mgr_datum_free(d);
	if (i < 0)
		return mgr_call_err(c, -EINVAL, "x is not in list");
	return mgr_reply_u64(c, (uint64_t)i);
}

static int list_count(struct mgr_call *c, struct mgr_obj *o)
{
	struct list_state *l = list_of(o);
	struct mgr_datum *d;
	uint64_t n = 0;
	size_t i;
	int r = need_datum(c, &d);

	if (r < 0)
		return r;
	for (i = 0; i < l->len; i++)
		n += mgr_datum_eq(l->items[i], d);
	mgr_datum_free(d);
	return mgr_reply_u64(c, n);
}

static int list_contains(struct mgr_call *c, struct mgr_obj *o)
{
	struct list_state *l = list_of(o);
	struct mgr_datum *d;
	bool found;
	int r = need_datum(c, &d);

	if (r < 0)
		return r;
	found = list_find(l, d, 0, l->len) >= 0;
	mgr_datum_free(d);
	return mgr_reply_bool(c, found);
}

static void reverse_items(struct mgr_datum **items, size_t n)
{
	size_t i;

	for (i = 0; i < n / 2; i++) {
		struct mgr_datum *t = items[i];

		items[i] = items[n - 1 - i];
		items[n - 1 - i] = t;
	}
}

static int list_reverse(struct mgr_call *c, struct mgr_obj *o)
{
	struct list_state *l = list_of(o);

	reverse_items(l->items, l->len);
	list_changed(c, o);
	return mgr_reply_version(c, o);
}

/* A stable merge sort that stops at the first pair that cannot be
 * ordered; a takes items only when strictly smaller, as Python's sort
 * uses only "<". */
static int merge_sort(struct mgr_datum **a, struct mgr_datum **tmp, size_t n)
{
	size_t mid = n / 2, i = 0, j = mid, k = 0;
	int r, cmp;

	if (n < 2)
		return 0;
	r = merge_sort(a, tmp, mid);
	if (!r)
		r = merge_sort(a + mid, tmp, n - mid);
	if (r < 0)
		return r;
	memcpy(tmp, a, mid * sizeof(*a));
	while (i < mid && j < n) {
		r = mgr_datum_cmp(a[j], tmp[i], &cmp);
		if (r < 0)
			return r;
		a[k++] = cmp < 0 ? a[j++] : tmp[i++];
	}
	while (i < mid)
		a[k++] = tmp[i++];
	return 0;
}

static int list_sort(struct mgr_call *c, struct mgr_obj *o)
{
	struct list_state *l = list_of(o);
	struct mgr_datum **copy = NULL, **tmp = NULL;
	bool reverse = false;
	int r;

	if (mgr_json_get_bool(c->args, "reverse", &reverse) == -EINVAL)
		return mgr_call_err(c, -EINVAL, "\"reverse\" must be true or false");
	if (l->len > 1) {
		copy = malloc(l->len * sizeof(*copy));
		tmp = malloc(l->len / 2 * sizeof(*tmp));
		if (!copy || !tmp) {
			r = mgr_call_err(c, -ENOMEM, "out of memory");
			goto out;
		}
		/* Sort a copy, so that a failure leaves the list as it was.
		 * Reversing before and after keeps equal items in their
		 * order, as Python's reverse=True does. */
		memcpy(copy, l->items, l->len * sizeof(*copy));
		if (reverse)
			reverse_items(copy, l->len);
		r = merge_sort(copy, tmp, l->len);
		if (r == -EINVAL) {
			r = mgr_call_err(c, r, "items cannot be ordered ('<' not supported between them)");
			goto out;
		}
		if (r < 0) {
			r = mgr_call_err(c, r, "out of memory");
			goto out;
		}
		if (reverse)
			reverse_items(copy, l->len);
		memcpy(l->items, copy, l->len * sizeof(*copy));
	}
	list_changed(c, o);
	r = mgr_reply_version(c, o);
out:
	free(tmp);
	free(copy);
	return r;
}

static int list_imul(struct mgr_call *c, struct mgr_obj *o)
{
	struct list_state *l = list_of(o);
	uint64_t bytes = 0;
	size_t i, k, len = l->len;
	int64_t n;
	int r = mgr_json_get_i64(c->args, "n", &n);

	if (r == -ENOENT)
		return mgr_call_err(c, -EINVAL, "missing \"n\"");
	if (r < 0)
		return mgr_call_err(c, -EINVAL, "\"n\" must be an integer");
	if (n <= 0) {
		list_free_items(l->items, l->len);
		l->len = 0;
	} else if (n > 1 && len) {
		for (i = 0; i < len; i++)
			bytes += l->items[i]->len + sizeof(struct mgr_datum) + sizeof(void *);
		if ((uint64_t)n > LIST_BYTES_MAX / bytes)
			return mgr_call_err(c, -ENOMEM, "list would be too big");
		if (list_reserve(l, len * (size_t)(n - 1)) < 0)
			return mgr_call_err(c, -ENOMEM, "out of memory");
		for (k = 1; k < (size_t)n; k++) {
			for (i = 0; i < len; i++) {
				struct mgr_datum *d = l->items[i];

				l->items[l->len] = mgr_datum_new(d->kind, d->data, d->len);
				if (!l->items[l->len])
					goto nomem;
				l->len++;
			}
		}
	}
	list_changed(c, o);
	return mgr_reply_bool(c, true);
nomem:
	/* Leave the list as it was. */
	list_free_items(l->items + len, l->len - len);
	l->len = len;
	return mgr_call_err(c, -ENOMEM, "out of memory");
}

/* Arrays. */

static int array_init(struct mgr_call *c, struct mgr_obj *o)
{
	struct array_state *a;
	yajl_val items = items_member(c, false);
	uint64_t n = 0;
	size_t i;
	char tc;
	int r = get_typecode(c, &tc);

	if (r < 0)
		return r;
	if (!tc)
		return mgr_call_err(c, -EINVAL, "an array needs a \"typecode\"");
	if (items && mgr_json_get(c->args, "size"))
		return mgr_call_err(c, -EINVAL, "give \"items\" or \"size\", not both");
	if (items && !YAJL_IS_ARRAY(items))
		return mgr_call_err(c, -EINVAL, "\"items\" must be an array");
	if (items)
		n = items->u.array.len;
	else if (mgr_json_get_u64(c->args, "size", &n) < 0)
		return mgr_call_err(c, -EINVAL, "an array needs \"items\" or a \"size\" >= 0");
	if (n > ARRAY_MAX)
		return mgr_call_err(c, -EFBIG, "an array holds at most %u items", ARRAY_MAX);
	a = calloc(1, sizeof(*a) + n * sizeof(a->items[0]));
	if (!a)
		return mgr_call_err(c, -ENOMEM, "out of memory");
	a->len = n;
	for (i = 0; items && i < n && !r; i++)
		r = elem_from_json(c, tc, items->u.array.values[i], &a->items[i]);
	if (r < 0) {
		free(a);
		return r;
	}
	o->typecode = tc;
	o->u.state = a;
	return 0;
}

static void array_destroy(struct mgr_store *s, struct mgr_obj *o)
{
	free(o->u.state);
}

static int gen_typecode(yajl_gen g, char tc)
{
	int r = mgr_json_gen_cstr(g, "typecode");

	return r ? r : mgr_json_gen_strn(g, &tc, 1);
}

static int array_stat(struct mgr_obj *o, yajl_gen g)
{
	return gen_typecode(g, o->typecode);
}

/* Elements [start, stop) as a JSON array. */
static int array_gen(struct mgr_obj *o, yajl_gen g, const struct slice *s)
{
	struct array_state *a = array_of(o);
	int r = mgr_json_array_open(g);
	size_t k;

	for (k = 0; k < s->n && !r; k++)
		r = elem_gen(g, o->typecode, &a->items[slice_at(s, k)]);
	return r ? r : mgr_json_array_close(g);
}

static int array_dump(struct mgr_obj *o, yajl_gen g)
{
	struct slice all = { 0, 1, array_of(o)->len };

	return array_gen(o, g, &all);
}

static uint64_t array_size(struct mgr_obj *o)
{
	return array_of(o)->len;
}

/* Values. */

static int value_init(struct mgr_call *c, struct mgr_obj *o)
{
	const char *dflt = "null";
	char tc;
	int r = get_typecode(c, &tc);

	if (r < 0)
		return r;
	o->typecode = tc;
	r = value_from_msg(c, tc, &o->u.value);
	if (r != -ENOENT)
		return r;
	/* A typed Value starts at zero, as ctypes' do. */
	if (tc == 'u' || tc == 'c')
		return mgr_call_err(c, -EINVAL, "a value of typecode '%c' needs a \"value\"", tc);
	if (tc == 'f' || tc == 'd')
		dflt = "0.0";
	else if (tc)
		dflt = "0";
	o->u.value = mgr_datum_new(MGR_DATUM_JSON, dflt, strlen(dflt));
	if (!o->u.value)
		return mgr_call_err(c, -ENOMEM, "out of memory");
	return 0;
}

static void value_destroy(struct mgr_store *s, struct mgr_obj *o)
{
	mgr_datum_free(o->u.value);
}

/* "bytes" tells raw bytes from JSON, which mgrfs shows with a newline
 * added and so with a size one larger. */
static int value_stat(struct mgr_obj *o, yajl_gen g)
{
	int r = o->typecode ? gen_typecode(g, o->typecode) : 0;

	if (!r && o->u.value->kind == MGR_DATUM_BYTES)
		r = mgr_json_kv_bool(g, "bytes", true);
	return r;
}

static int value_dump(struct mgr_obj *o, yajl_gen g)
{
	return mgr_datum_gen_dump(g, o->u.value);
}

static uint64_t value_size(struct mgr_obj *o)
{
	return o->u.value->len;
}

static uint64_t dir_size(struct mgr_obj *o)
{
	return mgr_obj_nchildren(o);
}

/* Containers are made by the store and dumped by ops_tree.c. */
const struct mgr_type mgr_type_namespace = {
	.size = dir_size,
};

const struct mgr_type mgr_type_dict = {
	.size = dir_size,
};

const struct mgr_type mgr_type_value = {
	.init = value_init,
	.destroy = value_destroy,
	.stat = value_stat,
	.dump = value_dump,
	.size = value_size,
};

const struct mgr_type mgr_type_list = {
	.init = list_init,
	.destroy = list_destroy,
	.dump = list_dump,
	.size = list_size,
};

const struct mgr_type mgr_type_array = {
	.init = array_init,
	.destroy = array_destroy,
	.stat = array_stat,
	.dump = array_dump,
	.size = array_size,
};

/* Operations shared by several of these types. */

static int op_get(struct mgr_call *c, struct mgr_obj *o)
{
	struct list_state *l;
	size_t i;
	int r;

	if (o->type == MGR_VALUE)
		return reply_datum(c, o->u.value, o);
	r = mgr_json_map_open(c->out);
	if (!r)
		r = mgr_json_gen_cstr(c->out, "items");
	if (!r && o->type == MGR_ARRAY) {
		r = array_dump(o, c->out);
	} else if (!r) {
		l = list_of(o);
		r = mgr_json_array_open(c->out);
		for (i = 0; i < l->len && !r; i++)
			r = mgr_datum_gen(c->out, l->items[i]);
		if (!r)
			r = mgr_json_array_close(c->out);
	}
	if (!r)
		r = mgr_json_kv_u64(c->out, "version", o->version);
	if (!r)
		r = mgr_json_map_close(c->out);
	return mgr_call_result(c, r);
}

static int op_len(struct mgr_call *c, struct mgr_obj *o)
{
	return mgr_reply_u64(c, mgr_types[o->type]->size(o));
}

static int getitem_list(struct mgr_call *c, struct mgr_obj *o)
{
	struct list_state *l = list_of(o);
	struct slice sl;
	size_t i, k;
	int r;

	if (!has_slice(c)) {
		r = get_index(c, l->len, "list", &i);
		return r < 0 ? r : reply_datum(c, l->items[i], o);
	}
	r = get_slice(c, l->len, &sl);
	if (r < 0)
		return r;
	r = mgr_json_map_open(c->out);
	if (!r)
		r = mgr_json_gen_cstr(c->out, "items");
	if (!r)
		r = mgr_json_array_open(c->out);
	for (k = 0; k < sl.n && !r; k++)
		r = mgr_datum_gen(c->out, l->items[slice_at(&sl, k)]);
	if (!r)
		r = mgr_json_array_close(c->out);
	if (!r)
		r = mgr_json_kv_u64(c->out, "version", o->version);
	if (!r)
		r = mgr_json_map_close(c->out);
	return mgr_call_result(c, r);
}

static int getitem_array(struct mgr_call *c, struct mgr_obj *o)
{
	struct array_state *a = array_of(o);
	struct slice sl;
	size_t i;
	int r;

	if (has_slice(c))
		r = get_slice(c, a->len, &sl);
	else
		r = get_index(c, a->len, "array", &i);
	if (r < 0)
		return r;
	r = mgr_json_map_open(c->out);
	if (!r && has_slice(c)) {
		r = mgr_json_gen_cstr(c->out, "items");
		if (!r)
			r = array_gen(o, c->out, &sl);
	} else if (!r) {
		r = mgr_json_gen_cstr(c->out, "value");
		if (!r)
			r = elem_gen(c->out, o->typecode, &a->items[i]);
	}
	if (!r)
		r = mgr_json_kv_u64(c->out, "version", o->version);
	if (!r)
		r = mgr_json_map_close(c->out);
	return mgr_call_result(c, r);
}

static int op_getitem(struct mgr_call *c, struct mgr_obj *o)
{
	if (mgr_json_get(c->args, "index") && has_slice(c))
		return mgr_call_err(c, -EINVAL, "give \"index\" or a slice, not both");
	return o->type == MGR_ARRAY ? getitem_array(c, o) : getitem_list(c, o);
}

/* Slice assignment, as Python's: "items" replace the slice.  A list's
 * plain slice (step 1) takes any number of them; an extended slice, and
 * any slice of an array (whose length is fixed), takes as many as it
 * has. */
static int setitem_slice(struct mgr_call *c, struct mgr_obj *o)
{
	bool array = o->type == MGR_ARRAY;
	size_t len = array ? array_of(o)->len : list_of(o)->len, m, k;
	yajl_val v = mgr_json_get(c->args, "items");
	struct list_state *l = list_of(o);
	struct mgr_datum **items = NULL;
	union elem *elems = NULL;
	struct slice sl;
	int r;

	r = get_slice(c, len, &sl);
	if (r < 0)
		return r;
	if (!YAJL_IS_ARRAY(v))
		return mgr_call_err(c, -EINVAL, "a slice is assigned \"items\", an array");
	m = v->u.array.len;
	if ((array || sl.step != 1) && m != sl.n)
		return mgr_call_err(c, -EINVAL, "cannot assign %zu items to a slice of %zu%s", m,
				    sl.n, array ? " of an array" : "");
	if (array) {
		elems = calloc(m ? m : 1, sizeof(*elems));
		if (!elems)
			return mgr_call_err(c, -ENOMEM, "out of memory");
		for (k = 0; k < m && !r; k++)
			r = elem_from_json(c, o->typecode, v->u.array.values[k], &elems[k]);
		for (k = 0; k < m && !r; k++)
			array_of(o)->items[slice_at(&sl, k)] = elems[k];
		free(elems);
		if (r < 0)
			return r;
		mgr_store_changed(c->store, o, MGR_CHANGE_UPDATE);
		return mgr_reply_version(c, o);
	}
	r = data_from_array(c, v, &items, &m);
	if (r < 0)
		return r;
	if (sl.step != 1) {
		for (k = 0; k < m; k++) {
			mgr_datum_free(l->items[slice_at(&sl, k)]);
			l->items[slice_at(&sl, k)] = items[k];
		}
	} else {
		if (m > sl.n && list_reserve(l, m - sl.n) < 0) {
			list_free_items(items, m);
			free(items);
			return mgr_call_err(c, -ENOMEM, "out of memory");
		}
		list_free_items(l->items + sl.start, sl.n);
		memmove(l->items + sl.start + m, l->items + sl.start + sl.n,
			(l->len - sl.start - sl.n) * sizeof(*l->items));
		if (m)
			memcpy(l->items + sl.start, items, m * sizeof(*items));
		l->len = l->len - sl.n + m;
	}
	free(items);
	list_changed(c, o);
	return mgr_reply_version(c, o);
}

static int op_setitem(struct mgr_call *c, struct mgr_obj *o)
{
	struct mgr_datum *d;
	yajl_val v;
	union elem e;
	size_t i;
	int r;

	if (mgr_json_get(c->args, "index") && has_slice(c))
		return mgr_call_err(c, -EINVAL, "give \"index\" or a slice, not both");
	if (has_slice(c))
		return setitem_slice(c, o);
	if (o->type == MGR_ARRAY) {
		r = get_index(c, array_of(o)->len, "array assignment", &i);
		if (r < 0)
			return r;
		v = mgr_json_get(c->args, "value");
		if (!v)
			return mgr_call_err(c, -EINVAL, "missing \"value\"");
		r = elem_from_json(c, o->typecode, v, &e);
		if (r < 0)
			return r;
		array_of(o)->items[i] = e;
	} else {
		r = get_index(c, list_of(o)->len, "list assignment", &i);
		if (!r)
			r = need_datum(c, &d);
		if (r < 0)
			return r;
		mgr_datum_free(list_of(o)->items[i]);
		list_of(o)->items[i] = d;
	}
	mgr_store_changed(c->store, o, MGR_CHANGE_UPDATE);
	return mgr_reply_version(c, o);
}

/* The k-th of a slice's indices in increasing order. */
static size_t slice_up(const struct slice *s, size_t k)
{
	return slice_at(s, s->step > 0 ? k : s->n - 1 - k);
}

/* Delete a slice's items: those at its indices go, the others close up in
 * order. */
static void list_delete_slice(struct list_state *l, const struct slice *sl)
{
	size_t i, k = 0, to = 0;

	for (i = 0; i < l->len; i++) {
		if (k < sl->n && i == slice_up(sl, k)) {
			mgr_datum_free(l->items[i]);
			k++;
		} else {
			l->items[to++] = l->items[i];
		}
	}
	l->len = to;
}

static int op_delitem(struct mgr_call *c, struct mgr_obj *o)
{
	struct list_state *l = list_of(o);
	struct slice sl;
	size_t i;
	int r;

	if (mgr_json_get(c->args, "index") && has_slice(c))
		return mgr_call_err(c, -EINVAL, "give \"index\" or a slice, not both");
	if (has_slice(c)) {
		r = get_slice(c, l->len, &sl);
		if (r < 0)
			return r;
		list_delete_slice(l, &sl);
	} else {
		r = get_index(c, l->len, "list assignment", &i);
		if (r < 0)
			return r;
		mgr_datum_free(list_take(l, i));
	}
	list_changed(c, o);
	return mgr_reply_version(c, o);
}

/* Replace a list's items from a JSON array. */
static int set_list(struct mgr_call *c, struct mgr_obj *o)
{
	struct list_state *l = list_of(o);
	struct mgr_datum **items;
	yajl_val v = items_member(c, true);
	size_t n;
	int r;

	if (!v || !YAJL_IS_ARRAY(v))
		return mgr_call_err(c, -EINVAL, "a list is set from a JSON array in \"items\" or \"value\"");
	r = data_from_array(c, v, &items, &n);
	if (r < 0)
		return r;
	list_free_items(l->items, l->len);
	free(l->items);
	l->items = items;
	l->len = l->cap = n;
	list_changed(c, o);
	return mgr_reply_version(c, o);
}

/* Replace all of an array's items, keeping its length. */
static int set_array(struct mgr_call *c, struct mgr_obj *o)
{
	struct array_state *a = array_of(o);
	union elem *e;
	yajl_val v = items_member(c, true);
	size_t i;
	int r = 0;

	if (!v || !YAJL_IS_ARRAY(v))
		return mgr_call_err(c, -EINVAL, "an array is set from a JSON array in \"items\" or \"value\"");
	if (v->u.array.len != a->len)
		return mgr_call_err(c, -EINVAL, "an array of %zu items cannot take %zu",
				    a->len, v->u.array.len);
	e = malloc(a->len * sizeof(*e) + 1);
	if (!e)
		return mgr_call_err(c, -ENOMEM, "out of memory");
	for (i = 0; i < a->len && !r; i++)
		r = elem_from_json(c, o->typecode, v->u.array.values[i], &e[i]);
	if (!r) {
		memcpy(a->items, e, a->len * sizeof(*e));
		mgr_store_changed(c->store, o, MGR_CHANGE_UPDATE);
		r = mgr_reply_version(c, o);
	}
	free(e);
	return r;
}

/* Look up the path of a set or setdefault.  0 and *o when it exists; 1 and
 * the parent and name when it does not but could be made; or -errno. */
static int set_target(struct mgr_call *c, struct mgr_path *p, struct mgr_obj **o,
		      struct mgr_obj **dir)
{
	const char *path = "";
	int r;

	mgr_json_get_str(c->args, "path", &path);
	r = mgr_store_lookup(c->store, p, o);
	if (r == 0)
		return 0;
	if (r == -ENOENT)
		r = mgr_store_lookup_parent(c->store, p, dir);
	if (r == -ENOENT)
		return mgr_call_err(c, r, "no such container for: %.200s", path);
	if (r < 0)
		return mgr_call_err(c, r, "not a container on the way to: %.200s", path);
	return 1;
}

/* Make a new value child holding d (taken over). */
static int new_value(struct mgr_call *c, struct mgr_obj *dir, const struct mgr_path *p,
		     struct mgr_datum *d, struct mgr_obj **out)
{
	const struct mgr_name *n = &p->names[p->n - 1];
	int r = mgr_obj_new(c->store, dir, n->s, n->len, MGR_VALUE, out);

	if (r < 0) {
		mgr_datum_free(d);
		return mgr_call_err(c, r, "cannot make the value");
	}
	(*out)->u.value = d;
	mgr_store_changed(c->store, *out, MGR_CHANGE_CREATE);
	return 0;
}

static int op_set(struct mgr_call *c, struct mgr_obj *unused)
{
	struct mgr_obj *o = NULL, *dir = NULL;
	struct mgr_datum *d;
	struct mgr_path p;
	bool exists;
	int r = mgr_call_path(c, "path", &p);

	if (r < 0)
		return r;
	r = set_target(c, &p, &o, &dir);
	if (r < 0)
		goto out;
	exists = r == 0;
	if (exists && o->type == MGR_LIST) {
		r = set_list(c, o);
	} else if (exists && o->type == MGR_ARRAY) {
		r = set_array(c, o);
	} else if (exists && o->type != MGR_VALUE) {
		r = mgr_call_err(c, -ENOTSUP, "set: the object is a %s, not a value",
				 mgr_type_name(o->type));
	} else {
		r = value_from_msg(c, exists ? o->typecode : 0, &d);
		if (r == -ENOENT)
			r = mgr_call_err(c, -EINVAL, "missing \"value\" or \"bytes\"");
		if (r < 0)
			goto out;
		if (exists)
			mgr_value_set(c->store, o, d);
		else
			r = new_value(c, dir, &p, d, &o);
		if (!r)
			r = mgr_reply_version(c, o);
	}
out:
	mgr_path_release(&p);
	return r;
}

static int op_setdefault(struct mgr_call *c, struct mgr_obj *unused)
{
	struct mgr_obj *o = NULL, *dir = NULL;
	struct mgr_datum *d;
	struct mgr_path p;
	int r = mgr_call_path(c, "path", &p);

	if (r < 0)
		return r;
	r = set_target(c, &p, &o, &dir);
	if (r == 0 && o->type != MGR_VALUE)
		r = mgr_call_err(c, -ENOTSUP, "setdefault: the object is a %s, not a value",
				 mgr_type_name(o->type));
	if (r == 1) {
		/* As dict.setdefault(key), the default default is None. */
		r = value_from_msg(c, 0, &d);
		if (r == -ENOENT) {
			d = mgr_datum_new(MGR_DATUM_JSON, "null", 4);
			r = d ? 0 : mgr_call_err(c, -ENOMEM, "out of memory");
		}
		if (!r)
			r = new_value(c, dir, &p, d, &o);
	}
	if (!r)
		r = reply_datum(c, o->u.value, o);
	mgr_path_release(&p);
	return r;
}

/* Containers. */

int mgr_dict_update(struct mgr_call *c, struct mgr_obj *dir, yajl_val items)
{
	struct mgr_datum **data = NULL;
	struct mgr_obj *o;
	const char *why;
	size_t i, n = 0;
	int r = 0;

	if (!YAJL_IS_OBJECT(items))
		return mgr_call_err(c, -EINVAL, "\"items\" must be an object of names and values");
	n = items->u.object.len;
	data = calloc(n + 1, sizeof(*data));
	if (!data)
		return mgr_call_err(c, -ENOMEM, "out of memory");
	/* Check and convert everything before the first change. */
	for (i = 0; i < n && !r; i++) {
		const char *name = items->u.object.keys[i];

		r = mgr_name_check(name, strlen(name), &why);
		if (r < 0) {
			r = mgr_call_err(c, r, "bad name \"%.200s\": %s", name, why);
			break;
		}
		o = mgr_obj_child(dir, name, strlen(name));
		if (o && o->type != MGR_VALUE) {
			r = mgr_call_err(c, -ENOTSUP, "update: \"%.200s\" is a %s, not a value",
					 name, mgr_type_name(o->type));
			break;
		}
		r = datum_for(c, o ? o->typecode : 0, items->u.object.values[i], &data[i]);
	}
	for (i = 0; i < n && !r; i++) {
		const char *name = items->u.object.keys[i];

		/* Looked up again: a name given twice exists the second time. */
		o = mgr_obj_child(dir, name, strlen(name));
		if (o) {
			mgr_value_set(c->store, o, data[i]);
		} else {
			r = mgr_obj_new(c->store, dir, name, strlen(name), MGR_VALUE, &o);
			if (r < 0) {
				r = mgr_call_err(c, r, "cannot make \"%.200s\"", name);
				break;
			}
			o->u.value = data[i];
			mgr_store_changed(c->store, o, MGR_CHANGE_CREATE);
		}
		data[i] = NULL;
	}
	list_free_items(data, n);
	free(data);
	return r;
}

static int op_update(struct mgr_call *c, struct mgr_obj *dir)
{
	int r = mgr_dict_update(c, dir, mgr_json_get(c->args, "items"));

	return r < 0 ? r : mgr_reply_version(c, dir);
}

static int op_clear(struct mgr_call *c, struct mgr_obj *o)
{
	struct mgr_obj *child;

	if (o->type == MGR_LIST) {
		list_free_items(list_of(o)->items, list_of(o)->len);
		list_of(o)->len = 0;
		list_changed(c, o);
	} else {
		while ((child = mgr_obj_last_child(o)))
			mgr_obj_delete(c->store, child, true);
	}
	return mgr_reply_bool(c, true);
}

static int op_popitem(struct mgr_call *c, struct mgr_obj *dir)
{
	struct mgr_obj *o = mgr_obj_last_child(dir);
	int r;

	if (!o)
		return mgr_call_err(c, -ENOENT, "popitem(): dictionary is empty");
	if (o->type != MGR_VALUE)
		return mgr_call_err(c, -ENOTSUP, "popitem: the last item \"%.200s\" is a %s, not a value",
				    o->name, mgr_type_name(o->type));
	r = mgr_json_map_open(c->out);
	if (!r)
		r = mgr_json_gen_cstr(c->out, "name");
	if (!r)
		r = mgr_json_gen_strn(c->out, o->name, o->namelen);
	if (!r)
		r = mgr_datum_gen_members(c->out, o->u.value);
	if (!r)
		r = mgr_json_map_close(c->out);
	if (r < 0)
		return mgr_call_result(c, r);
	mgr_obj_delete(c->store, o, false);
	return 0;
}

/* A page of the children with their values (see mgr_page_begin). */
static int op_items(struct mgr_call *c, struct mgr_obj *dir)
{
	struct mgr_page page;
	struct mgr_obj *o;
	uint64_t n = 0;
	int r = mgr_page_begin(c, dir, &page);

	if (r < 0)
		return r;
	r = mgr_json_map_open(c->out);
	if (!r)
		r = mgr_json_gen_cstr(c->out, "items");
	if (!r)
		r = mgr_json_array_open(c->out);
	for (o = page.first; o && !r && !mgr_page_full(c, &page, n); o = o->next, n++) {
		r = mgr_json_map_open(c->out);
		if (!r)
			r = mgr_json_gen_cstr(c->out, "name");
		if (!r)
			r = mgr_json_gen_strn(c->out, o->name, o->namelen);
		if (!r)
			r = mgr_json_kv_str(c->out, "type", mgr_type_name(o->type));
		if (!r && o->type == MGR_VALUE)
			r = mgr_datum_gen_members(c->out, o->u.value);
		if (!r)
			r = mgr_json_map_close(c->out);
	}
	if (!r)
		r = mgr_json_array_close(c->out);
	if (!r && o)
		r = mgr_json_kv_bool(c->out, "more", true);
	if (!r)
		r = mgr_json_map_close(c->out);
	return mgr_call_result(c, r);
}

#define CONTAINERS MGR_CONTAINERS
#define DATA (BIT(MGR_VALUE) | BIT(MGR_LIST) | BIT(MGR_ARRAY))
#define LIST BIT(MGR_LIST)
#define SEQ (BIT(MGR_LIST) | BIT(MGR_ARRAY))

const struct mgr_op mgr_ops_data[] = {
	{ "get", DATA, 0, op_get },
	{ "set", DATA, MGR_OP_NOLOOKUP, op_set },
	{ "setdefault", BIT(MGR_VALUE), MGR_OP_NOLOOKUP, op_setdefault },
	{ "len", CONTAINERS | SEQ, 0, op_len },
	{ "update", CONTAINERS, 0, op_update },
	{ "clear", CONTAINERS | LIST, 0, op_clear },
	{ "popitem", CONTAINERS, 0, op_popitem },
	{ "items", CONTAINERS, 0, op_items },
	{ "append", LIST, 0, list_append },
	{ "extend", LIST, 0, list_extend },
	{ "insert", LIST, 0, list_insert },
	{ "pop", LIST, 0, list_pop },
	{ "remove", LIST, 0, list_remove },
	{ "index", LIST, 0, list_index },
	{ "count", LIST, 0, list_count },
	{ "reverse", LIST, 0, list_reverse },
	{ "sort", LIST, 0, list_sort },
	{ "contains", LIST, 0, list_contains },
	{ "imul", LIST, 0, list_imul },
	{ "getitem", SEQ, 0, op_getitem },
	{ "setitem", SEQ, 0, op_setitem },
	{ "delitem", LIST, 0, op_delitem },
	{ NULL, 0, 0, NULL },
};
