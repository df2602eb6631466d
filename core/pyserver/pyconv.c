#include "pyconv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "pycmp.h"
#include "pydec.h"
#include "pydict.h"
#include "pyenc.h"
#include "pylong.h"
#include "pymap.h"
#include "pyrepr.h"
#include "utf8.h"

/* The most bytes of an int JSON keeps as digits: Python 3.11 and later
 * refuse to print more than 4300 digits, and 1785 bytes give at most
 * that many. */
#define JSON_INT_BYTES_MAX 1785
/* The most items pyconv_iterate makes of a range. */
#define RANGE_MAX ((int64_t)1 << 24)

/* ---- Python to JSON ---- */

static bool json_str_ok(const struct mgr_pyval *v)
{
	return mgr_utf8_valid((const char *)v->u.s.data, v->u.s.len);
}

static bool json_ok(const struct mgr_pyval *v, int depth, struct mgr_pymap *seen)
{
	uintptr_t *slot;
	size_t i;
	int added;

	switch (v->kind) {
	case MGR_PYVAL_NONE:
	case MGR_PYVAL_BOOL:
	case MGR_PYVAL_FLOAT:
		return true;
	case MGR_PYVAL_INT:
		return !v->u.i.big || v->u.i.nbig <= JSON_INT_BYTES_MAX;
	case MGR_PYVAL_STR:
		return json_str_ok(v);
	case MGR_PYVAL_LIST:
	case MGR_PYVAL_DICT:
		if (depth >= MGR_VALUE_DEPTH_MAX)
			return false;
		/* A container reached twice (shared, or a cycle) would come
		 * back from JSON as two: only a pickle keeps it one. */
		slot = mgr_pymap_slot(seen, v, &added);
		if (!slot || !added)
			return false;
		if (v->kind == MGR_PYVAL_LIST) {
			for (i = 0; i < v->u.seq.len; i++)
				if (!json_ok(v->u.seq.items[i], depth + 1, seen))
					return false;
			return true;
		}
		for (i = 0; i < v->u.seq.len; i++) {
			const struct mgr_pyval *k = MGR_PYDICT_KEY(v, i);

			if (k->kind != MGR_PYVAL_STR || !json_str_ok(k) ||
			    memchr(k->u.s.data, '\0', k->u.s.len) ||
			    !json_ok(MGR_PYDICT_VALUE(v, i), depth + 1, seen))
				return false;
		}
		return true;
	default:
		return false;
	}
}

bool pyconv_is_json(const struct mgr_pyval *v)
{
	struct mgr_pymap seen = MGR_PYMAP_INIT;
	bool ok;

	if (v->kind != MGR_PYVAL_LIST && v->kind != MGR_PYVAL_DICT)
		return json_ok(v, 0, &seen);
	ok = json_ok(v, 0, &seen);
	mgr_pymap_release(&seen);
	return ok;
}

static int gen_int(yajl_gen g, const struct mgr_pyval *v)
{
	struct mgr_buf digits = MGR_BUF_INIT;
	int r;

	if (v->kind == MGR_PYVAL_BOOL)
		return yajl_gen_bool(g, v->u.b) == yajl_gen_status_ok ? 0 : -EINVAL;
	if (!v->u.i.big)
		return yajl_gen_integer(g, v->u.i.small) == yajl_gen_status_ok ? 0 : -EINVAL;
	r = mgr_pylong_decimal(&digits, v, MGR_PYLONG_DIGITS_MAX);
	if (!r)
		r = yajl_gen_number(g, digits.data, digits.len) == yajl_gen_status_ok ? 0 : -EINVAL;
	mgr_buf_release(&digits);
	return r;
}

int pyconv_gen_json(yajl_gen g, const struct mgr_pyval *v)
{
	size_t i;
	int r = 0;

	switch (v->kind) {
	case MGR_PYVAL_NONE:
		return yajl_gen_null(g) == yajl_gen_status_ok ? 0 : -EINVAL;
	case MGR_PYVAL_BOOL:
	case MGR_PYVAL_INT:
		return gen_int(g, v);
	case MGR_PYVAL_FLOAT:
		return mgr_json_gen_double(g, v->u.f);
	case MGR_PYVAL_STR:
		return mgr_json_gen_strn(g, (const char *)v->u.s.data, v->u.s.len);
	case MGR_PYVAL_LIST:
		r = mgr_json_array_open(g);
		for (i = 0; !r && i < v->u.seq.len; i++)
			r = pyconv_gen_json(g, v->u.seq.items[i]);
		return r ? r : mgr_json_array_close(g);
	case MGR_PYVAL_DICT:
		r = mgr_json_map_open(g);
		for (i = 0; !r && i < v->u.seq.len; i++) {
			const struct mgr_pyval *k = MGR_PYDICT_KEY(v, i);

			r = mgr_json_gen_strn(g, (const char *)k->u.s.data, k->u.s.len);
			if (!r)
				r = pyconv_gen_json(g, MGR_PYDICT_VALUE(v, i));
		}
		return r ? r : mgr_json_map_close(g);
	default:
		return -EINVAL;
	}
}

/* The pickle of v, in out. */
static int pickle(const struct mgr_pyval *v, struct mgr_buf *out)
{
	int r = mgr_pyenc_value(out, v);

	if (!r && out->len > MGR_DATUM_MAX)
		r = -EFBIG;
	return r;
}

int pyconv_datum(const struct mgr_pyval *v, struct mgr_datum **out)
{
	struct mgr_buf p = MGR_BUF_INIT;
	const unsigned char *text;
	yajl_gen g;
	size_t len;
	int r;

	if (v->kind == MGR_PYVAL_BYTES) {
		if (v->u.s.len > MGR_DATUM_MAX)
			return -EFBIG;
		*out = mgr_datum_new(MGR_DATUM_BYTES, v->u.s.data, v->u.s.len);
		return *out ? 0 : -ENOMEM;
	}
	if (pyconv_is_json(v)) {
		g = mgr_json_gen_new();
		if (!g)
			return -ENOMEM;
		r = pyconv_gen_json(g, v);
		if (!r) {
			yajl_gen_get_buf(g, &text, &len);
			if (len > MGR_DATUM_MAX)
				r = -EFBIG;
			else if (!(*out = mgr_datum_new(MGR_DATUM_JSON, text, len)))
				r = -ENOMEM;
		}
		yajl_gen_free(g);
		return r;
	}
	r = pickle(v, &p);
	if (!r && !(*out = mgr_datum_new(MGR_DATUM_PICKLE, p.data, p.len)))
		r = -ENOMEM;
	mgr_buf_release(&p);
	return r;
}

int pyconv_gen_members(yajl_gen g, const struct mgr_pyval *v)
{
	struct mgr_buf p = MGR_BUF_INIT, b64 = MGR_BUF_INIT;
	const void *raw;
	size_t n;
	int r;

	if (pyconv_is_json(v)) {
		r = mgr_json_gen_cstr(g, "value");
		return r ? r : pyconv_gen_json(g, v);
	}
	if (v->kind == MGR_PYVAL_BYTES) {
		raw = v->u.s.data;
		n = v->u.s.len;
		r = n > MGR_DATUM_MAX ? -EFBIG : 0;
	} else {
		r = pickle(v, &p);
		raw = p.data;
		n = p.len;
	}
	if (!r)
		r = mgr_base64_encode(raw, n, &b64);
	if (!r)
		r = mgr_json_gen_cstr(g, v->kind == MGR_PYVAL_BYTES ? "bytes" : "pickle");
	if (!r)
		r = mgr_json_gen_strn(g, b64.data ? b64.data : "", b64.len);
	mgr_buf_release(&p);
	mgr_buf_release(&b64);
	return r;
}

/* ---- JSON and data to Python ---- */

int pyconv_int_from_text(struct mgr_pyarena *a, const char *text, size_t len,
			 struct mgr_pyval **out)
{
	unsigned char *mag;
	bool neg = false;
	size_t n = 1, i, k;
	unsigned carry;

	if (len && text[0] == '-') {
		neg = true;
		text++;
		len--;
	}
	if (!len || strspn(text, "0123456789") < len)
		return -EINVAL;
	/* A decimal digit is less than half a byte: the magnitude and a
	 * byte for the sign fit in len / 2 + 2. */
	mag = calloc(len / 2 + 2, 1);
	if (!mag)
		return -ENOMEM;
	for (i = 0; i < len; i++) {
		carry = (unsigned)(text[i] - '0');
		for (k = 0; k < n; k++) {
			carry += mag[k] * 10u;
			mag[k] = carry & 0xff;
			carry >>= 8;
		}
		if (carry)
			mag[n++] = (unsigned char)carry;
	}
	n++;	/* the sign byte, 0 */
	if (neg) {
		carry = 1;
		for (k = 0; k < n; k++) {
			carry += (unsigned char)~mag[k];
			mag[k] = carry & 0xff;
			carry >>= 8;
		}
	}
	*out = mgr_pyval_long(a, mag, n);
	free(mag);
	return *out ? 0 : -ENOMEM;
}

static bool float_text(const char *r)
{
	return strpbrk(r, ".eENI") != NULL;
}

int pyconv_from_json(struct mgr_pyarena *a, yajl_val v, struct mgr_pyval **out)
{
	struct mgr_pyval *n, *k, *item;
	size_t i;
	int r;

	switch (v ? v->type : yajl_t_null) {
	case yajl_t_string:
		n = mgr_pyval_str(a, v->u.string, mgr_json_strlen(v));
		break;
	case yajl_t_number:
		if (float_text(v->u.number.r)) {
			n = mgr_pyval_float(a, YAJL_IS_DOUBLE(v) ? v->u.number.d :
					    strtod(v->u.number.r, NULL));
		} else if (YAJL_IS_INTEGER(v)) {
			n = mgr_pyval_int(a, v->u.number.i);
		} else {
			r = pyconv_int_from_text(a, v->u.number.r, strlen(v->u.number.r), out);
			return r == -EINVAL ? -EPROTO : r;
		}
		break;
	case yajl_t_object:
		n = mgr_pyval_new(a, MGR_PYVAL_DICT, v->u.object.len);
		for (i = 0; n && i < v->u.object.len; i++) {
			k = mgr_pyval_cstr(a, v->u.object.keys[i]);
			if (!k)
				return -ENOMEM;
			r = pyconv_from_json(a, v->u.object.values[i], &item);
			if (!r)
				r = mgr_pydict_set(a, n, k, item);
			if (r < 0)
				return r;
		}
		break;
	case yajl_t_array:
		n = mgr_pyval_new(a, MGR_PYVAL_LIST, v->u.array.len);
		for (i = 0; n && i < v->u.array.len; i++) {
			r = pyconv_from_json(a, v->u.array.values[i], &item);
			if (!r)
				r = mgr_pyval_append(a, n, item);
			if (r < 0)
				return r;
		}
		break;
	case yajl_t_true:
		n = mgr_pyval_bool(true);
		break;
	case yajl_t_false:
		n = mgr_pyval_bool(false);
		break;
	default:
		n = mgr_pyval_none();
		break;
	}
	*out = n;
	return n ? 0 : -ENOMEM;
}

static int from_pickle(struct mgr_pyarena *a, const void *p, size_t n, struct mgr_pyval **out)
{
	char why[128];
	int r = mgr_pydec_decode(a, p, n, NULL, out, why, sizeof(why));

	return r == -ENOMEM ? r : r < 0 ? -EBADMSG : 0;
}

/* Scalars as the engine writes them, without building a tree: most
 * values are one. */
static int from_scalar_text(struct mgr_pyarena *a, const char *t, size_t len,
			    struct mgr_pyval **out)
{
	char *end;
	long long i;

	if (len == 4 && !memcmp(t, "null", 4))
		*out = mgr_pyval_none();
	else if (len == 4 && !memcmp(t, "true", 4))
		*out = mgr_pyval_bool(true);
	else if (len == 5 && !memcmp(t, "false", 5))
		*out = mgr_pyval_bool(false);
	else if (len && len < 19 && strspn(t, "-0123456789") == len) {
		i = strtoll(t, &end, 10);
		if (end != t + len)
			return 1;
		*out = mgr_pyval_int(a, i);
	} else if (len >= 2 && t[0] == '"' && t[len - 1] == '"' &&
		   !memchr(t + 1, '\\', len - 2) && !memchr(t + 1, '"', len - 2)) {
		*out = mgr_pyval_str(a, t + 1, len - 2);
	} else {
		return 1;
	}
	return *out ? 0 : -ENOMEM;
}

int pyconv_value(struct mgr_pyarena *a, const struct mgr_datum *d, struct mgr_pyval **out)
{
	char why[128];
	yajl_val v;
	int r;

	switch (d->kind) {
	case MGR_DATUM_BYTES:
		*out = mgr_pyval_bytes(a, MGR_PYVAL_BYTES, d->data, d->len);
		return *out ? 0 : -ENOMEM;
	case MGR_DATUM_PICKLE:
		return from_pickle(a, d->data, d->len, out);
	default:
		r = from_scalar_text(a, d->data, d->len, out);
		if (r <= 0)
			return r;
		r = mgr_json_parse(d->data, d->len, &v, why, sizeof(why));
		if (r < 0)
			return r == -ENOMEM ? r : -EPROTO;
		r = pyconv_from_json(a, v, out);
		yajl_tree_free(v);
		return r;
	}
}

int pyconv_from_holder(struct mgr_pyarena *a, yajl_val holder, struct mgr_pyval **out)
{
	struct mgr_datum *d;
	const char *why;
	yajl_val v = mgr_json_get(holder, "value");
	int r;

	if (v)
		return pyconv_from_json(a, v, out);
	r = mgr_datum_from_msg(holder, &d, &why);
	if (r < 0)
		return r == -ENOMEM ? r : -EPROTO;
	r = pyconv_value(a, d, out);
	mgr_datum_free(d);
	return r;
}

/* ---- iteration ---- */

static int add(struct mgr_pyarena *a, struct mgr_pyval *l, struct mgr_pyval *item)
{
	return item ? mgr_pyval_append(a, l, item) : -ENOMEM;
}

static int iterate_range(struct mgr_pyarena *a, const struct mgr_pyval *args,
			 struct mgr_pyval *l)
{
	int64_t b[3] = { 0, 0, 1 }, x;
	size_t n = args->u.seq.len, i;
	int r;

	if (n < 1 || n > 3)
		return -ENOTSUP;
	for (i = 0; i < n; i++)
		if (mgr_pyval_get_int(args->u.seq.items[i], &b[i]) < 0)
			return -E2BIG;
	if (n == 1) {
		b[1] = b[0];
		b[0] = 0;
	}
	if (b[2] == 0)
		return -ENOTSUP;
	for (x = b[0], i = 0; b[2] > 0 ? x < b[1] : x > b[1]; x += b[2], i++) {
		if ((int64_t)i >= RANGE_MAX)
			return -E2BIG;
		r = add(a, l, mgr_pyval_int(a, x));
		if (r < 0)
			return r;
		if ((b[2] > 0 && x > INT64_MAX - b[2]) || (b[2] < 0 && x < INT64_MIN - b[2]))
			break;
	}
	return 0;
}

/* array.array(typecode, raw) as clients pickle it: its items. */
static int iterate_array(struct mgr_pyarena *a, const struct mgr_pyval *args,
			 struct mgr_pyval *l)
{
	const struct mgr_pyval *tc, *raw;
	const unsigned char *p;
	size_t size, i;
	char c;
	int r = 0;

	if (args->u.seq.len != 2)
		return -ENOTSUP;
	tc = args->u.seq.items[0];
	raw = args->u.seq.items[1];
	if (tc->kind != MGR_PYVAL_STR || tc->u.s.len != 1 || raw->kind != MGR_PYVAL_BYTES)
		return -ENOTSUP;
	c = (char)tc->u.s.data[0];
	size = strchr("bB", c) ? 1 : strchr("hH", c) ? 2 : strchr("iIfuw", c) ? 4 :
	       strchr("lLqQd", c) ? 8 : 0;
	if (!size || raw->u.s.len % size)
		return -ENOTSUP;
	p = raw->u.s.data;
	for (i = 0; i < raw->u.s.len && !r; i += size) {
		union { int8_t b; uint8_t B; int16_t h; uint16_t H; int32_t i; uint32_t I;
			int64_t q; uint64_t Q; float f; double d; } e;
		char cp[4];

		memcpy(&e, p + i, size);
		switch (c) {
		case 'b': r = add(a, l, mgr_pyval_int(a, e.b)); break;
		case 'B': r = add(a, l, mgr_pyval_int(a, e.B)); break;
		case 'h': r = add(a, l, mgr_pyval_int(a, e.h)); break;
		case 'H': r = add(a, l, mgr_pyval_int(a, e.H)); break;
		case 'i': r = add(a, l, mgr_pyval_int(a, e.i)); break;
		case 'I': r = add(a, l, mgr_pyval_int(a, e.I)); break;
		case 'l': case 'q': r = add(a, l, mgr_pyval_int(a, e.q)); break;
		case 'f': r = add(a, l, mgr_pyval_float(a, e.f)); break;
		case 'd': r = add(a, l, mgr_pyval_float(a, e.d)); break;
		case 'u': case 'w':
			if (e.I > 0x10ffff || (e.I >= 0xd800 && e.I < 0xe000))
				return -ENOTSUP;
			r = add(a, l, mgr_pyval_str(a, cp, mgr_utf8_encode(e.I, cp)));
			break;
		default:
			/* L and Q: past INT64_MAX as big ints. */
			if (e.Q <= INT64_MAX) {
				r = add(a, l, mgr_pyval_int(a, (int64_t)e.Q));
			} else {
				unsigned char le[9];

				memcpy(le, &e.Q, 8);
				le[8] = 0;
				r = add(a, l, mgr_pyval_long(a, le, 9));
			}
			break;
		}
	}
	return r;
}

static int iterate_into(struct mgr_pyarena *a, const struct mgr_pyval *v, struct mgr_pyval *l,
			int depth)
{
	const struct mgr_pyval_obj *o = &v->u.obj;
	const unsigned char *p;
	uint32_t cp;
	size_t i, k;
	int r = 0;

	if (depth > 4)
		return -ENOTSUP;
	switch (v->kind) {
	case MGR_PYVAL_LIST:
	case MGR_PYVAL_TUPLE:
	case MGR_PYVAL_SET:
	case MGR_PYVAL_FROZENSET:
		for (i = 0; i < v->u.seq.len && !r; i++)
			r = mgr_pyval_append(a, l, v->u.seq.items[i]);
		return r;
	case MGR_PYVAL_DICT:
		for (i = 0; i < v->u.seq.len && !r; i++)
			r = mgr_pyval_append(a, l, MGR_PYDICT_KEY(v, i));
		return r;
	case MGR_PYVAL_STR:
		p = v->u.s.data;
		for (i = 0; i < v->u.s.len && !r; i += k) {
			k = mgr_pyval_utf8_next(p + i, v->u.s.len - i, &cp);
			r = add(a, l, mgr_pyval_str(a, (const char *)p + i, k));
		}
		return r;
	case MGR_PYVAL_BYTES:
	case MGR_PYVAL_BYTEARRAY:
		for (i = 0; i < v->u.s.len && !r; i++)
			r = add(a, l, mgr_pyval_int(a, v->u.s.data[i]));
		return r;
	case MGR_PYVAL_OBJECT:
		break;
	default:
		return -ENOTSUP;
	}
	if (o->how != MGR_PYVAL_REDUCE || !o->args || o->args->kind != MGR_PYVAL_TUPLE) {
		/* Classes that pickle their items after them (deque,
		 * OrderedDict, Counter): those items. */
		if (o->listitems)
			return iterate_into(a, o->listitems, l, depth + 1);
		if (o->dictitems) {
			for (i = 0; i + 1 < o->dictitems->u.seq.len && !r; i += 2)
				r = mgr_pyval_append(a, l, o->dictitems->u.seq.items[i]);
			return r;
		}
		return -ENOTSUP;
	}
	if (mgr_pyval_is_global(o->func, "builtins", "range"))
		return iterate_range(a, o->args, l);
	if (mgr_pyval_is_global(o->func, "array", "array"))
		return iterate_array(a, o->args, l);
	if (o->args->u.seq.len == 1 && !o->state &&
	    (mgr_pyval_is_global(o->func, "builtins", "list") ||
	     mgr_pyval_is_global(o->func, "builtins", "tuple") ||
	     mgr_pyval_is_global(o->func, "builtins", "iter")))
		return iterate_into(a, o->args->u.seq.items[0], l, depth + 1);
	if (o->listitems)
		return iterate_into(a, o->listitems, l, depth + 1);
	if (o->dictitems) {
		for (i = 0; i + 1 < o->dictitems->u.seq.len && !r; i += 2)
			r = mgr_pyval_append(a, l, o->dictitems->u.seq.items[i]);
		return r;
	}
	return -ENOTSUP;
}

int pyconv_iterate(struct mgr_pyarena *a, const struct mgr_pyval *v, struct mgr_pyval **out)
{
	struct mgr_pyval *l = mgr_pyval_new(a, MGR_PYVAL_LIST, 0);

	if (!l)
		return -ENOMEM;
	*out = l;
	return iterate_into(a, v, l, 0);
}

/* ---- the datum pickle ops ---- */

static int both(struct mgr_pyarena *a, const struct mgr_datum *x, const struct mgr_datum *y,
		struct mgr_pyval **vx, struct mgr_pyval **vy)
{
	int r = pyconv_value(a, x, vx);

	return r ? r : pyconv_value(a, y, vy);
}

static int op_eq(const struct mgr_datum *x, const struct mgr_datum *y)
{
	struct mgr_pyarena *a = mgr_pyarena_new();
	struct mgr_pyval *vx, *vy;
	int r = a ? both(a, x, y, &vx, &vy) : -ENOMEM;

	if (!r)
		r = mgr_pycmp_eq(vx, vy);
	mgr_pyarena_free(a);
	return r;
}

static int op_cmp(const struct mgr_datum *x, const struct mgr_datum *y, int *cmp)
{
	struct mgr_pyarena *a = mgr_pyarena_new();
	struct mgr_pyval *vx, *vy;
	int r = a ? both(a, x, y, &vx, &vy) : -ENOMEM, lt = 0, gt = 0;

	if (!r)
		r = lt = mgr_pycmp_lt(vx, vy);
	if (r >= 0)
		r = gt = mgr_pycmp_lt(vy, vx);
	if (r >= 0) {
		*cmp = lt ? -1 : gt ? 1 : 0;
		r = 0;
	}
	mgr_pyarena_free(a);
	return r < 0 ? -EINVAL : 0;
}

static int op_repr(const struct mgr_datum *d, struct mgr_buf *out)
{
	struct mgr_pyarena *a = mgr_pyarena_new();
	struct mgr_pyval *v;
	int r = a ? pyconv_value(a, d, &v) : -ENOMEM;

	if (!r)
		r = mgr_pyrepr(out, v);
	mgr_pyarena_free(a);
	return r;
}

void pyconv_install(void)
{
	static const struct mgr_datum_pickle_ops ops = {
		.eq = op_eq, .cmp = op_cmp, .repr = op_repr,
	};

	mgr_datum_set_pickle_ops(&ops);
}
