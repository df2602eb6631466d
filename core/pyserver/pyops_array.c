/* Array: the engine's typed array, its elements checked as Python's
 * array module checks them; slices come back as array.array. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "pyconv.h"
#include "pyops.h"
#include "pyreply.h"
#include "pyrepr.h"

/* ---- Array ---- */

struct tcinfo {
	char tc;
	unsigned size;
	bool is_signed;
	const char *lo, *hi;		/* OverflowError's messages */
};

static const struct tcinfo tcs[] = {
	{ 'b', 1, true, "signed char is less than minimum", "signed char is greater than maximum" },
	{ 'B', 1, false, "unsigned byte integer is less than minimum",
	  "unsigned byte integer is greater than maximum" },
	{ 'h', 2, true, "signed short integer is less than minimum",
	  "signed short integer is greater than maximum" },
	{ 'H', 2, false, "unsigned short is less than minimum", "unsigned short is greater than maximum" },
	{ 'i', 4, true, "signed integer is less than minimum", "signed integer is greater than maximum" },
	{ 'I', 4, false, "can't convert negative value to unsigned int",
	  "unsigned int is greater than maximum" },
	{ 'l', 8, true, "Python int too large to convert to C long",
	  "Python int too large to convert to C long" },
	{ 'L', 8, false, "can't convert negative value to unsigned int",
	  "Python int too large to convert to C unsigned long" },
	{ 'q', 8, true, "int too big to convert", "int too big to convert" },
	{ 'Q', 8, false, "can't convert negative int to unsigned", "int too big to convert" },
	{ 'f', 4, true, NULL, NULL },
	{ 'd', 8, true, NULL, NULL },
	{ 'u', 4, false, NULL, NULL },
};

static const struct tcinfo *tcinfo(char tc)
{
	size_t i;

	for (i = 0; i < sizeof(tcs) / sizeof(tcs[0]); i++)
		if (tcs[i].tc == tc)
			return &tcs[i];
	return NULL;
}

/* Check v for an element of t and write it as JSON into g: 0, -1 after
 * replying with Python's exception, or -errno. */
static int elem(struct pycall *x, const struct tcinfo *t, const struct mgr_pyval *v, yajl_gen g)
{
	int64_t i;
	uint32_t cp;

	if (t->tc == 'u') {
		if (v->kind != MGR_PYVAL_STR || v->u.s.len == 0 ||
		    mgr_pyval_utf8_next(v->u.s.data, v->u.s.len, &cp) != v->u.s.len) {
			pycall_type_error(x, "array item must be unicode character");
			return -1;
		}
		return mgr_json_gen_strn(g, (const char *)v->u.s.data, v->u.s.len);
	}
	if (t->tc == 'f' || t->tc == 'd') {
		if (v->kind == MGR_PYVAL_FLOAT)
			return mgr_json_gen_double(g, v->u.f);
		if ((v->kind == MGR_PYVAL_INT || v->kind == MGR_PYVAL_BOOL) &&
		    mgr_pyval_get_int(v, &i) == 0)
			return mgr_json_gen_double(g, (double)i);
		if (v->kind == MGR_PYVAL_INT) {
			pycall_raise(x, "builtins", "OverflowError", "int too large to convert to float");
			return -1;
		}
		pycall_type_error(x, "must be real number, not %s", mgr_pyval_type_name(v));
		return -1;
	}
	if (v->kind != MGR_PYVAL_INT && v->kind != MGR_PYVAL_BOOL) {
		pycall_type_error(x, "'%s' object cannot be interpreted as an integer",
				  mgr_pyval_type_name(v));
		return -1;
	}
	if (mgr_pyval_get_int(v, &i) < 0) {
		bool neg = v->u.i.nbig && (v->u.i.big[v->u.i.nbig - 1] & 0x80);
		uint64_t u;

		/* 2**63 to 2**64 - 1: nine bytes, the last 0. */
		if (!t->is_signed && t->size == 8 && v->u.i.nbig == 9 && !v->u.i.big[8]) {
			memcpy(&u, v->u.i.big, 8);
			return mgr_json_gen_u64(g, u);
		}
		pycall_raise(x, "builtins", "OverflowError", "%s", neg ? t->lo : t->hi);
		return -1;
	}
	if (t->is_signed && t->size < 8) {
		int64_t lim = (int64_t)1 << (8 * t->size - 1);

		if (i < -lim || i >= lim) {
			pycall_raise(x, "builtins", "OverflowError", "%s", i < 0 ? t->lo : t->hi);
			return -1;
		}
	} else if (!t->is_signed) {
		if (i < 0 || (t->size < 8 && (uint64_t)i >= (uint64_t)1 << (8 * t->size))) {
			pycall_raise(x, "builtins", "OverflowError", "%s", i < 0 ? t->lo : t->hi);
			return -1;
		}
	}
	return srv_gen_ok(yajl_gen_integer(g, (long long)i));
}

/* The values of an array.array pickled by a client: array.array(tc, list)
 * or array._array_reconstructor(cls, tc, mformat, bytes) in this
 * machine's layout; NULL when v is neither, or (with *bad set to it) when
 * an array of 'u' holds a code point past U+10FFFF. */
static struct mgr_pyval *array_items(struct pycall *x, const struct mgr_pyval *v, char *tc,
				     int64_t *bad);

/* Write "items": [...] for the values of seq: 0, -1 after replying. */
static int gen_items(struct pycall *x, const struct tcinfo *t, const struct mgr_pyval *seq)
{
	yajl_gen g = pycall_gen(x);
	size_t i;
	int r = mgr_json_gen_cstr(g, "items");

	if (!r)
		r = srv_gen_ok(yajl_gen_array_open(g));
	for (i = 0; !r && i < seq->u.seq.len; i++)
		r = elem(x, t, seq->u.seq.items[i], g);
	if (!r)
		r = srv_gen_ok(yajl_gen_array_close(g));
	if (r > 0 || (r < 0 && !x->replied))
		pycall_fail(x, r);
	return r ? -1 : 0;
}

/* The array's items as Python values. */
static int a_items(struct pycall *x, struct mgr_pyval **out)
{
	yajl_val res, items;
	size_t i;
	int r = pycall_req(x, "get", NULL);

	if (!r)
		r = pycall_run(x, &res);
	if (r < 0)
		return r;
	items = mgr_json_get(res, "items");
	*out = mgr_pyval_new(x->a, MGR_PYVAL_LIST, items && YAJL_IS_ARRAY(items) ?
			     items->u.array.len : 0);
	r = *out && items && YAJL_IS_ARRAY(items) ? 0 : -EPROTO;
	for (i = 0; !r && i < items->u.array.len; i++) {
		struct mgr_pyval *v;

		r = pyconv_from_json(x->a, items->u.array.values[i], &v);
		if (!r && x->o->typecode != 'f' && x->o->typecode != 'd' &&
		    v->kind == MGR_PYVAL_FLOAT)
			v = mgr_pyval_int(x->a, (int64_t)v->u.f);
		if (!r && (x->o->typecode == 'f' || x->o->typecode == 'd') &&
		    v->kind == MGR_PYVAL_INT)
			v = mgr_pyval_float(x->a, (double)v->u.i.small);
		if (!r)
			r = v ? mgr_pyval_append(x->a, *out, v) : -ENOMEM;
	}
	yajl_tree_free(res);
	return r;
}

/* array.array(tc, raw) of the values vals, packed as this machine does. */
static struct mgr_pyval *packed(struct pycall *x, char tc, struct mgr_pyval *const *vals,
				size_t n)
{
	const struct tcinfo *t = tcinfo(tc);
	unsigned char *raw = calloc(n ? n : 1, t->size);
	struct mgr_pyval *out;
	char code[2] = { tc, 0 };
	size_t i;

	if (!raw)
		return NULL;
	for (i = 0; i < n; i++) {
		const struct mgr_pyval *v = vals[i];
		unsigned char *p = raw + i * t->size;
		int64_t iv = 0;
		uint32_t cp = 0;

		if (tc == 'f') {
			float f = (float)v->u.f;
			memcpy(p, &f, 4);
		} else if (tc == 'd') {
			memcpy(p, &v->u.f, 8);
		} else if (tc == 'u') {
			if (v->kind == MGR_PYVAL_STR && v->u.s.len)
				mgr_pyval_utf8_next(v->u.s.data, v->u.s.len, &cp);
			memcpy(p, &cp, 4);
		} else {
			if (mgr_pyval_get_int(v, &iv) < 0 && v->u.i.nbig)
				memcpy(&iv, v->u.i.big, 8);
			memcpy(p, &iv, t->size);
		}
	}
	out = mgr_pyreply_array(x->a, code, raw, n * t->size);
	free(raw);
	return out;
}

static int a_len(struct pycall *x)
{
	struct mgr_pyval *l;
	int r;

	if (!pycall_no_args(x))
		return 0;
	r = a_items(x, &l);
	return r < 0 ? pycall_fail(x, r) : pycall_return_int(x, (int64_t)l->u.seq.len);
}

static int a_getvalue(struct pycall *x)
{
	struct mgr_pyval *l, *out;
	int r = a_items(x, &l);

	if (r < 0)
		return pycall_fail(x, r);
	out = packed(x, x->o->typecode, l->u.seq.items, l->u.seq.len);
	return out ? pycall_return(x, out) : pycall_fail(x, -ENOMEM);
}

static int a_repr(struct pycall *x, struct mgr_buf *out)
{
	struct mgr_pyval *l;
	char head[16];
	int r = a_items(x, &l), n;

	if (r < 0)
		return r;
	n = snprintf(head, sizeof(head), "array('%c'", x->o->typecode);
	r = mgr_buf_append(out, head, (size_t)n);
	if (!r && l->u.seq.len)
		r = mgr_buf_append(out, ", ", 2);
	if (!r && l->u.seq.len && x->o->typecode == 'u') {
		struct mgr_buf text = MGR_BUF_INIT;
		struct mgr_pyval *str;
		size_t i;

		for (i = 0; !r && i < l->u.seq.len; i++)
			r = mgr_buf_append(&text, l->u.seq.items[i]->u.s.data,
					   l->u.seq.items[i]->u.s.len);
		str = r ? NULL : mgr_pyval_str(x->a, text.data ? text.data : "", text.len);
		r = str ? mgr_pyrepr(out, str) : -ENOMEM;
		mgr_buf_release(&text);
	} else if (!r && l->u.seq.len) {
		r = mgr_pyrepr(out, l);
	}
	return r ? r : mgr_buf_append(out, ")", 1);
}

static struct mgr_pyval *array_items(struct pycall *x, const struct mgr_pyval *v, char *tc,
				     int64_t *bad)
{
	const struct mgr_pyval *args = v->u.obj.args, *code, *raw;
	const struct tcinfo *t;
	struct mgr_pyval *out, *item;
	size_t i, n;

	if (v->kind != MGR_PYVAL_OBJECT || !args || args->kind != MGR_PYVAL_TUPLE)
		return NULL;
	if (mgr_pyval_is_object_of(v, "array", "array") && args->u.seq.len == 2) {
		/* array.array(tc, list) or array.array(tc, raw bytes). */
		code = args->u.seq.items[0];
		raw = args->u.seq.items[1];
		if (code->kind == MGR_PYVAL_STR && code->u.s.len == 1 && raw->kind == MGR_PYVAL_LIST) {
			*tc = (char)code->u.s.data[0];
			return args->u.seq.items[1];
		}
	} else if (mgr_pyval_is_object_of(v, "array", "_array_reconstructor") &&
		   args->u.seq.len == 4) {
		code = args->u.seq.items[1];
		raw = args->u.seq.items[3];
	} else {
		return NULL;
	}
	if (code->kind != MGR_PYVAL_STR || code->u.s.len != 1 || raw->kind != MGR_PYVAL_BYTES ||
	    !(t = tcinfo((char)code->u.s.data[0])))
		return NULL;
	*tc = t->tc;
	n = raw->u.s.len / t->size;
	out = mgr_pyval_new(x->a, MGR_PYVAL_LIST, n);
	for (i = 0; out && i < n; i++) {
		const unsigned char *p = raw->u.s.data + i * t->size;
		int64_t iv = 0;
		uint64_t uv = 0;
		double d;
		float f;
		char buf[8];

		if (t->tc == 'd') {
			memcpy(&d, p, 8);
			item = mgr_pyval_float(x->a, d);
		} else if (t->tc == 'f') {
			memcpy(&f, p, 4);
			item = mgr_pyval_float(x->a, f);
		} else if (t->tc == 'u') {
			uint32_t cp;
			size_t len = 0;

			memcpy(&cp, p, 4);
			if (cp > 0x10ffff) {
				*bad = cp;
				return NULL;
			}
			if (cp < 0x80) {
				buf[len++] = (char)cp;
			} else if (cp < 0x800) {
				buf[len++] = (char)(0xc0 | cp >> 6);
				buf[len++] = (char)(0x80 | (cp & 0x3f));
			} else if (cp < 0x10000) {
				buf[len++] = (char)(0xe0 | cp >> 12);
				buf[len++] = (char)(0x80 | ((cp >> 6) & 0x3f));
				buf[len++] = (char)(0x80 | (cp & 0x3f));
			} else {
				buf[len++] = (char)(0xf0 | cp >> 18);
				buf[len++] = (char)(0x80 | ((cp >> 12) & 0x3f));
				buf[len++] = (char)(0x80 | ((cp >> 6) & 0x3f));
				buf[len++] = (char)(0x80 | (cp & 0x3f));
			}
			item = mgr_pyval_str(x->a, buf, len);
		} else if (t->is_signed) {
			memcpy(&uv, p, t->size);
			if (t->size < 8 && uv >> (8 * t->size - 1))
				uv |= ~(uint64_t)0 << (8 * t->size);
			iv = (int64_t)uv;
			item = mgr_pyval_int(x->a, iv);
		} else {
			memcpy(&uv, p, t->size);
			item = uv <= INT64_MAX ? mgr_pyval_int(x->a, (int64_t)uv) :
			       mgr_pyval_long(x->a, (const unsigned char *)&uv, 8);
			if (item && uv > INT64_MAX) {
				unsigned char le[9];

				memcpy(le, &uv, 8);
				le[8] = 0;
				item = mgr_pyval_long(x->a, le, 9);
			}
		}
		if (!item || mgr_pyval_append(x->a, out, item) < 0)
			return NULL;
	}
	return out;
}

/* Make an array of typecode tc holding seq at path: 0, -1 after
 * replying, or -errno. */
static int make_at(struct pycall *x, const char *path, char tc, const struct mgr_pyval *seq)
{
	char code[2] = { tc, 0 };
	yajl_val res;
	int r = pycall_req(x, "create", path);

	if (!r)
		r = mgr_json_kv_str(pycall_gen(x), "type", "array");
	if (!r)
		r = mgr_json_kv_str(pycall_gen(x), "typecode", code);
	if (!r)
		r = gen_items(x, tcinfo(tc), seq);
	if (r)
		return r;
	r = pycall_run(x, &res);
	if (!r)
		yajl_tree_free(res);
	return r;
}

struct pyent *pyops_array_create(struct pycall *x, const char *typeid)
{
	struct mgr_pyval *args = x->args, *tcv, *seq;
	struct pyent *e;
	char *path;
	size_t n = args->u.seq.len;
	int r;

	if (n < 3 || n > 4) {
		pycall_type_error(x, "Array() takes from 2 to 3 positional arguments but %zu were given",
				  n - 1);
		return NULL;
	}
	tcv = args->u.seq.items[1];
	if (tcv->kind != MGR_PYVAL_STR || tcv->u.s.len != 1) {
		pycall_type_error(x, "array() argument 1 must be a unicode character, not %s",
				  mgr_pyval_type_name(tcv));
		return NULL;
	}
	if (!tcinfo((char)tcv->u.s.data[0])) {
		pycall_value_error(x, "bad typecode (must be b, B, u, h, H, i, I, l, L, q, Q, f or d)");
		return NULL;
	}
	r = pyconv_iterate(x->a, args->u.seq.items[2], &seq);
	if (r == -ENOTSUP) {
		pycall_type_error(x, "'%s' object is not iterable",
				  mgr_pyval_type_name(args->u.seq.items[2]));
		return NULL;
	}
	if (!r)
		r = pyops_new_path(x, typeid);
	path = r ? NULL : strdup(x->ps->path.data);
	if (!path) {
		pycall_fail(x, r ? r : -ENOMEM);
		return NULL;
	}
	r = make_at(x, path, (char)tcv->u.s.data[0], seq);
	if (!r)
		r = pyops_adopt(x, path, typeid, &e);
	free(path);
	if (r) {
		if (!x->replied)
			pycall_traceback(x, "ValueError", "%s", x->errbuf);
		return NULL;
	}
	e->kind = PYENT_ARRAY;
	e->array_tc = (char)tcv->u.s.data[0];
	return e;
}

/* Python's slice of len items: 1, 0 when v is none, -1 after replying. */
static int slice_of(struct pycall *x, const struct mgr_pyval *v, int64_t len, int64_t *start,
		    int64_t *step, int64_t *n)
{
	const struct mgr_pyval *a;
	int64_t val[3] = { 0, 0, 1 }, stop;
	size_t i;

	if (!mgr_pyval_is_object_of(v, "builtins", "slice"))
		return 0;
	a = v->u.obj.args;
	/* The step first: the defaults of the others depend on it. */
	for (i = 3; a && a->kind == MGR_PYVAL_TUPLE && a->u.seq.len == 3 && i-- > 0;) {
		const struct mgr_pyval *p = a->u.seq.items[i];

		if (p->kind != MGR_PYVAL_NONE && mgr_pyval_get_int(p, &val[i]) < 0) {
			pycall_type_error(x, "slice indices must be integers or None");
			return -1;
		}
		if (p->kind == MGR_PYVAL_NONE)
			val[i] = i == 2 ? 1 : i == 0 ? (val[2] < 0 ? INT64_MAX : 0) :
				 (val[2] < 0 ? INT64_MIN : INT64_MAX);
	}
	i = a && a->kind == MGR_PYVAL_TUPLE && a->u.seq.len == 3 ? 3 : 0;
	if (i != 3 || val[2] == 0) {
		pycall_value_error(x, "slice step cannot be zero");
		return -1;
	}
	*step = val[2];
	*start = val[0] < 0 ? (val[0] + len < 0 ? (*step < 0 ? -1 : 0) : val[0] + len) :
		 val[0] >= len ? (*step < 0 ? len - 1 : len) : val[0];
	stop = val[1] < 0 ? (val[1] + len < 0 ? (*step < 0 ? -1 : 0) : val[1] + len) :
	       val[1] >= len ? (*step < 0 ? len - 1 : len) : val[1];
	if (*step < 0)
		*n = stop < *start ? (*start - stop - 1) / (-*step) + 1 : 0;
	else
		*n = *start < stop ? (stop - *start - 1) / *step + 1 : 0;
	return 1;
}

/* An element's index v, from the end when negative: true, or false after
 * replying TypeError or IndexError(range). */
static bool a_index(struct pycall *x, const struct mgr_pyval *v, int64_t len, const char *range,
		    int64_t *i)
{
	if ((v->kind != MGR_PYVAL_INT && v->kind != MGR_PYVAL_BOOL) ||
	    mgr_pyval_get_int(v, i) < 0) {
		if (v->kind == MGR_PYVAL_INT)
			pycall_index_error(x, "cannot fit 'int' into an index-sized integer");
		else
			pycall_type_error(x, "array indices must be integers");
		return false;
	}
	if (*i < 0)
		*i += len;
	if (*i < 0 || *i >= len) {
		pycall_index_error(x, "%s", range);
		return false;
	}
	return true;
}

static int a_getitem(struct pycall *x)
{
	static const char *const names[] = { "index" };
	struct mgr_pyval *a[1], *l, *sel, *out;
	int64_t len, i, start, step, n, k;
	int r;

	if (!pycall_args(x, "__getitem__", names, 1, 1, a))
		return 0;
	r = a_items(x, &l);
	if (r < 0)
		return pycall_fail(x, r);
	len = (int64_t)l->u.seq.len;
	r = slice_of(x, a[0], len, &start, &step, &n);
	if (r < 0)
		return 0;
	if (r) {
		sel = mgr_pyval_new(x->a, MGR_PYVAL_LIST, (size_t)n);
		for (k = 0, i = start; sel && k < n; k++, i += step)
			if (mgr_pyval_append(x->a, sel, l->u.seq.items[i]) < 0)
				sel = NULL;
		out = sel ? packed(x, x->o->typecode, sel->u.seq.items, sel->u.seq.len) : NULL;
		return out ? pycall_return(x, out) : pycall_fail(x, -ENOMEM);
	}
	if (!a_index(x, a[0], len, "array index out of range", &i))
		return 0;
	return pycall_return(x, l->u.seq.items[i]);
}

/* Replace the whole array by the values in l (another length): the
 * object is made anew at its path, and the entry follows it. */
static int a_replace(struct pycall *x, const struct mgr_pyval *l)
{
	char tc = x->o->typecode, *path;
	struct mgr_path parsed;
	struct mgr_obj *o;
	const char *why;
	int r = pycall_path(x->ps, x->o);

	path = r ? NULL : strdup(x->ps->path.data);
	if (!path)
		return pycall_fail(x, r ? r : -ENOMEM);
	mgr_obj_delete(x->ps->srv->store, x->o, true);
	r = make_at(x, path, tc, l);
	if (!r)
		r = mgr_path_parse(path, strlen(path), &parsed, &why);
	if (!r) {
		r = mgr_store_lookup(x->ps->srv->store, &parsed, &o);
		mgr_path_release(&parsed);
	}
	free(path);
	if (r)
		return x->replied ? 0 : pycall_fail(x, r);
	pyreg_bind(x->ps->reg, x->ent, o);
	x->o = o;
	return pycall_return_none(x);
}

static int a_setitem(struct pycall *x)
{
	static const char *const names[] = { "index", "value" };
	struct mgr_pyval *a[2], *l, *vals, *nl;
	int64_t len, i, start, step, n, k, bad;
	yajl_val res;
	char tc = 0;
	int r;

	if (!pycall_args(x, "__setitem__", names, 2, 2, a))
		return 0;
	r = a_items(x, &l);
	if (r < 0)
		return pycall_fail(x, r);
	len = (int64_t)l->u.seq.len;
	r = slice_of(x, a[0], len, &start, &step, &n);
	if (r < 0)
		return 0;
	if (r) {
		bad = -1;
		vals = array_items(x, a[1], &tc, &bad);
		if (!vals && bad >= 0)
			return pycall_value_error(x, "character U+%llx is not in range [U+0000; U+10ffff]",
						  (unsigned long long)bad);
		if (!vals)
			return pycall_type_error(x, "can only assign array (not \"%s\") to array slice",
						 mgr_pyval_type_name(a[1]));
		if (tc != x->o->typecode)
			return pycall_type_error(x, "bad argument type for built-in operation");
		if (step != 1 && (int64_t)vals->u.seq.len != n)
			return pycall_value_error(x, "attempt to assign array of size %zu to extended "
						  "slice of size %lld", vals->u.seq.len, (long long)n);
		nl = mgr_pyval_new(x->a, MGR_PYVAL_LIST, 0);
		if (!nl)
			return pycall_fail(x, -ENOMEM);
		if (step == 1) {
			for (i = 0; i < start; i++)
				mgr_pyval_append(x->a, nl, l->u.seq.items[i]);
			for (i = 0; i < (int64_t)vals->u.seq.len; i++)
				mgr_pyval_append(x->a, nl, vals->u.seq.items[i]);
			for (i = start + n; i < len; i++)
				mgr_pyval_append(x->a, nl, l->u.seq.items[i]);
		} else {
			for (i = 0; i < len; i++)
				mgr_pyval_append(x->a, nl, l->u.seq.items[i]);
			for (k = 0, i = start; k < n; k++, i += step)
				nl->u.seq.items[i] = vals->u.seq.items[k];
		}
		if ((int64_t)nl->u.seq.len != len)
			return a_replace(x, nl);
		r = pycall_req(x, "set", NULL);
		if (!r)
			r = gen_items(x, tcinfo(x->o->typecode), nl);
		if (r)
			return r < 0 && x->replied ? 0 : pycall_fail(x, r);
	} else {
		if (!a_index(x, a[0], len, "array assignment index out of range", &i))
			return 0;
		r = pycall_req(x, "setitem", NULL);
		if (!r)
			r = mgr_json_kv_i64(pycall_gen(x), "index", i);
		if (!r)
			r = mgr_json_gen_cstr(pycall_gen(x), "value");
		if (!r)
			r = elem(x, tcinfo(x->o->typecode), a[1], pycall_gen(x));
		if (r)
			return r < 0 && x->replied ? 0 : pycall_fail(x, r);
	}
	r = pycall_run(x, &res);
	if (r < 0)
		return pycall_value_error(x, "%s", x->errbuf);
	yajl_tree_free(res);
	return pycall_return_none(x);
}

static const struct pymethod array_methods[] = {
	{ "__len__", a_len }, { "__getitem__", a_getitem }, { "__setitem__", a_setitem },
	{ NULL, NULL },
};

const struct pytype pyops_array = {
	.name = "array.array", .proxy = "ArrayProxy", .typeid = "Array",
	.methods = array_methods, .repr = a_repr, .getvalue = a_getvalue,
};
