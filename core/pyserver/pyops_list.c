/* list, and the Iterator a dict's __iter__ makes: the engine's list,
 * whose items are data (pyconv.h), worked on with Python's semantics:
 * indexes and slices, equality and order of the values themselves. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "list.h"
#include "pycmp.h"
#include "pyconv.h"
#include "pykey.h"
#include "pyops.h"
#include "pyreply.h"
#include "pyrepr.h"

/* ---- items ---- */

static int item(struct pycall *x, struct mgr_obj *o, size_t i, struct mgr_pyval **out)
{
	return pyconv_value(x->a, mgr_list_item(o, i), out);
}

int pyops_list_value(struct pycall *x, struct mgr_obj *o, struct mgr_pyval **out)
{
	size_t n = mgr_list_len(o), i;
	struct mgr_pyval *l = mgr_pyval_new(x->a, MGR_PYVAL_LIST, n), *v;
	int r = l ? 0 : -ENOMEM;

	for (i = 0; i < n && !r; i++) {
		r = item(x, o, i, &v);
		if (!r)
			r = mgr_pyval_append(x->a, l, v);
	}
	*out = l;
	return r;
}

/* The data of n values, all or none: 0 or -errno. */
static int data_of(struct pycall *x, struct mgr_pyval *const *vals, size_t n,
		   struct mgr_datum ***out)
{
	struct mgr_datum **d = calloc(n ? n : 1, sizeof(*d));
	size_t i;
	int r = d ? 0 : -ENOMEM;

	for (i = 0; i < n && !r; i++) {
		pyops_mark_refs(x, vals[i]);
		r = pyconv_datum(vals[i], &d[i]);
	}
	if (r < 0 && d) {
		while (i-- > 0)
			mgr_datum_free(d[i]);
		free(d);
		d = NULL;
	}
	*out = d;
	return r;
}

/* Replace [start, stop) of o with n values: 0 or -errno. */
static int splice(struct pycall *x, struct mgr_obj *o, size_t start, size_t stop,
		  struct mgr_pyval *const *vals, size_t n)
{
	struct mgr_datum **d;
	size_t i;
	int r = data_of(x, vals, n, &d);

	if (r < 0)
		return r;
	r = mgr_list_splice(x->ps->srv->store, o, start, stop, d, n);
	if (r < 0)
		for (i = 0; i < n; i++)
			mgr_datum_free(d[i]);
	free(d);
	return r;
}

int pyops_list_fill(struct pycall *x, struct mgr_obj *o, const struct mgr_pyval *items)
{
	size_t n = mgr_list_len(o);

	return splice(x, o, n, n, items->u.seq.items, items->u.seq.len);
}

static void reverse(struct mgr_pyval **v, size_t n)
{
	struct mgr_pyval *t;
	size_t i;

	for (i = 0; i < n / 2; i++) {
		t = v[i];
		v[i] = v[n - 1 - i];
		v[n - 1 - i] = t;
	}
}

/* A failure to store: a reply. */
static int failed(struct pycall *x, int r)
{
	if (r == -EFBIG)
		return pycall_raise(x, "builtins", "MemoryError", "a value larger than mgrd keeps");
	return pycall_fail(x, r);
}

/* ---- indexes and slices ---- */

struct slice {
	int64_t start, stop, step, len;
};

/* v as an index: 0, or false after replying TypeError or IndexError. */
static bool index_of(struct pycall *x, const struct mgr_pyval *v, int64_t *out, const char *what)
{
	if (v->kind != MGR_PYVAL_INT && v->kind != MGR_PYVAL_BOOL) {
		pycall_type_error(x, "%s", what);
		return false;
	}
	if (mgr_pyval_get_int(v, out) < 0) {
		pycall_index_error(x, "cannot fit 'int' into an index-sized integer");
		return false;
	}
	return true;
}

/* An item's index v of a list of len items, from the end when negative:
 * true, or false after replying TypeError or IndexError(range). */
static bool item_index(struct pycall *x, const struct mgr_pyval *v, int64_t len,
		       const char *range, int64_t *i)
{
	if (v->kind != MGR_PYVAL_INT && v->kind != MGR_PYVAL_BOOL) {
		pycall_type_error(x, "list indices must be integers or slices, not %s",
				  mgr_pyval_type_name(v));
		return false;
	}
	if (!index_of(x, v, i, ""))
		return false;
	if (*i < 0)
		*i += len;
	if (*i < 0 || *i >= len) {
		pycall_index_error(x, "%s", range);
		return false;
	}
	return true;
}

/* Python's PySlice_Unpack and PySlice_AdjustIndices for a slice object
 * over len items: 1, 0 when v is no slice, -1 after replying. */
static int slice_of(struct pycall *x, const struct mgr_pyval *v, int64_t len, struct slice *s)
{
	const struct mgr_pyval *args, *p[3];
	int64_t val[3];
	size_t i;

	if (!mgr_pyval_is_object_of(v, "builtins", "slice"))
		return 0;
	args = v->u.obj.args;
	if (!args || args->kind != MGR_PYVAL_TUPLE || args->u.seq.len != 3) {
		pycall_type_error(x, "a slice of three items");
		return -1;
	}
	for (i = 0; i < 3; i++) {
		p[i] = args->u.seq.items[i];
		if (p[i]->kind == MGR_PYVAL_NONE)
			continue;
		if (p[i]->kind != MGR_PYVAL_INT && p[i]->kind != MGR_PYVAL_BOOL) {
			pycall_type_error(x, "slice indices must be integers or None or have an "
					  "__index__ method");
			return -1;
		}
		if (mgr_pyval_get_int(p[i], &val[i]) < 0)
			val[i] = p[i]->u.i.nbig && (p[i]->u.i.big[p[i]->u.i.nbig - 1] & 0x80) ?
				 INT64_MIN + 1 : INT64_MAX;
	}
	s->step = p[2]->kind == MGR_PYVAL_NONE ? 1 : val[2];
	if (s->step == 0) {
		pycall_value_error(x, "slice step cannot be zero");
		return -1;
	}
	if (s->step < -INT64_MAX)
		s->step = -INT64_MAX;
	s->start = p[0]->kind == MGR_PYVAL_NONE ? (s->step < 0 ? INT64_MAX : 0) : val[0];
	s->stop = p[1]->kind == MGR_PYVAL_NONE ? (s->step < 0 ? INT64_MIN : INT64_MAX) : val[1];
	if (s->start < 0) {
		s->start = s->start < -len ? (s->step < 0 ? -1 : 0) : s->start + len;
	} else if (s->start >= len) {
		s->start = s->step < 0 ? len - 1 : len;
	}
	if (s->stop < 0) {
		s->stop = s->stop < -len ? (s->step < 0 ? -1 : 0) : s->stop + len;
	} else if (s->stop >= len) {
		s->stop = s->step < 0 ? len - 1 : len;
	}
	if (s->step < 0)
		s->len = s->stop < s->start ? (s->start - s->stop - 1) / (-s->step) + 1 : 0;
	else
		s->len = s->start < s->stop ? (s->stop - s->start - 1) / s->step + 1 : 0;
	return 1;
}

/* ---- methods ---- */

static int l_len(struct pycall *x)
{
	return pycall_no_args(x) ? pycall_return_int(x, (int64_t)mgr_list_len(x->o)) : 0;
}

static int l_getitem(struct pycall *x)
{
	static const char *const names[] = { "index" };
	int64_t len = (int64_t)mgr_list_len(x->o), i, k;
	struct mgr_pyval *a[1], *v, *out;
	struct slice s;
	int r;

	if (!pycall_args(x, "__getitem__", names, 1, 1, a))
		return 0;
	r = slice_of(x, a[0], len, &s);
	if (r < 0)
		return 0;
	if (r) {
		out = mgr_pyval_new(x->a, MGR_PYVAL_LIST, (size_t)s.len);
		r = out ? 0 : -ENOMEM;
		for (k = 0, i = s.start; k < s.len && !r; k++, i += s.step) {
			r = item(x, x->o, (size_t)i, &v);
			if (!r)
				r = mgr_pyval_append(x->a, out, v);
		}
		return r < 0 ? pycall_fail(x, r) : pycall_return(x, out);
	}
	if (!item_index(x, a[0], len, "list index out of range", &i))
		return 0;
	r = item(x, x->o, (size_t)i, &v);
	return r < 0 ? pycall_fail(x, r) : pycall_return(x, v);
}

static int l_setitem(struct pycall *x)
{
	static const char *const names[] = { "index", "value" };
	int64_t len = (int64_t)mgr_list_len(x->o), i, k;
	struct mgr_pyval *a[2], *seq;
	struct slice s;
	int r;

	if (!pycall_args(x, "__setitem__", names, 2, 2, a))
		return 0;
	r = slice_of(x, a[0], len, &s);
	if (r < 0)
		return 0;
	if (r) {
		r = pyconv_iterate(x->a, a[1], &seq);
		if (r == -ENOTSUP)
			return pycall_type_error(x, "must assign iterable to extended slice");
		if (r < 0)
			return pycall_fail(x, r);
		if (s.step == 1) {
			if (s.stop < s.start)
				s.stop = s.start;
			r = splice(x, x->o, (size_t)s.start, (size_t)s.stop, seq->u.seq.items,
				   seq->u.seq.len);
			return r < 0 ? failed(x, r) : pycall_return_none(x);
		}
		if ((int64_t)seq->u.seq.len != s.len)
			return pycall_value_error(x, "attempt to assign sequence of size %zu to "
						  "extended slice of size %lld", seq->u.seq.len,
						  (long long)s.len);
		for (k = 0, i = s.start; k < s.len && !r; k++, i += s.step)
			r = splice(x, x->o, (size_t)i, (size_t)i + 1, &seq->u.seq.items[k], 1);
		return r < 0 ? failed(x, r) : pycall_return_none(x);
	}
	if (!item_index(x, a[0], len, "list assignment index out of range", &i))
		return 0;
	r = splice(x, x->o, (size_t)i, (size_t)i + 1, &a[1], 1);
	return r < 0 ? failed(x, r) : pycall_return_none(x);
}

static int l_delitem(struct pycall *x)
{
	static const char *const names[] = { "index" };
	int64_t len = (int64_t)mgr_list_len(x->o), i, k;
	struct mgr_pyval *a[1];
	struct slice s;
	int r;

	if (!pycall_args(x, "__delitem__", names, 1, 1, a))
		return 0;
	r = slice_of(x, a[0], len, &s);
	if (r < 0)
		return 0;
	if (r) {
		r = 0;
		/* From the highest index down, so that the others stay. */
		if (s.step < 0) {
			s.start = s.start + (s.len - 1) * s.step;
			s.step = -s.step;
		}
		for (k = s.len - 1; k >= 0 && !r; k--) {
			i = s.start + k * s.step;
			r = mgr_list_splice(x->ps->srv->store, x->o, (size_t)i, (size_t)i + 1,
					    NULL, 0);
		}
		return r < 0 ? pycall_fail(x, r) : pycall_return_none(x);
	}
	if (!item_index(x, a[0], len, "list assignment index out of range", &i))
		return 0;
	r = mgr_list_splice(x->ps->srv->store, x->o, (size_t)i, (size_t)i + 1, NULL, 0);
	return r < 0 ? pycall_fail(x, r) : pycall_return_none(x);
}

static int l_append(struct pycall *x)
{
	static const char *const names[] = { "object" };
	size_t n = mgr_list_len(x->o);
	struct mgr_pyval *a[1];
	int r;

	if (!pycall_args(x, "append", names, 1, 1, a))
		return 0;
	r = splice(x, x->o, n, n, a, 1);
	return r < 0 ? failed(x, r) : pycall_return_none(x);
}

static int l_extend(struct pycall *x)
{
	static const char *const names[] = { "iterable" };
	struct mgr_pyval *a[1], *seq;
	int r;

	if (!pycall_args(x, "extend", names, 1, 1, a))
		return 0;
	r = pyconv_iterate(x->a, a[0], &seq);
	if (r == -ENOTSUP)
		return pycall_type_error(x, "'%s' object is not iterable", mgr_pyval_type_name(a[0]));
	if (r < 0)
		return pycall_fail(x, r);
	r = pyops_list_fill(x, x->o, seq);
	return r < 0 ? failed(x, r) : pycall_return_none(x);
}

static int l_insert(struct pycall *x)
{
	static const char *const names[] = { "index", "object" };
	int64_t len = (int64_t)mgr_list_len(x->o), i;
	struct mgr_pyval *a[2];
	int r;

	if (!pycall_args(x, "insert", names, 2, 2, a))
		return 0;
	if (a[0]->kind == MGR_PYVAL_INT && mgr_pyval_get_int(a[0], &i) < 0)
		return pycall_raise(x, "builtins", "OverflowError",
				    "Python int too large to convert to C ssize_t");
	if (a[0]->kind != MGR_PYVAL_INT && a[0]->kind != MGR_PYVAL_BOOL)
		return pycall_type_error(x, "'%s' object cannot be interpreted as an integer",
					 mgr_pyval_type_name(a[0]));
	mgr_pyval_get_int(a[0], &i);
	if (i < 0)
		i = i + len < 0 ? 0 : i + len;
	if (i > len)
		i = len;
	r = splice(x, x->o, (size_t)i, (size_t)i, &a[1], 1);
	return r < 0 ? failed(x, r) : pycall_return_none(x);
}

static int l_pop(struct pycall *x)
{
	static const char *const names[] = { "index" };
	int64_t len = (int64_t)mgr_list_len(x->o), i = -1;
	struct mgr_pyval *a[1], *v;
	int r;

	if (!pycall_args(x, "pop", names, 0, 1, a))
		return 0;
	if (a[0] && !index_of(x, a[0], &i, "'str' object cannot be interpreted as an integer"))
		return 0;
	if (!len)
		return pycall_index_error(x, "pop from empty list");
	if (i < 0)
		i += len;
	if (i < 0 || i >= len)
		return pycall_index_error(x, "pop index out of range");
	r = item(x, x->o, (size_t)i, &v);
	if (!r)
		r = mgr_list_splice(x->ps->srv->store, x->o, (size_t)i, (size_t)i + 1, NULL, 0);
	return r < 0 ? pycall_fail(x, r) : pycall_return(x, v);
}

/* The first index in [from, to) whose item equals v: 1 and *at, 0, or
 * -errno. */
static int find(struct pycall *x, const struct mgr_pyval *v, size_t from, size_t to,
		size_t *at)
{
	struct mgr_pyval *it;
	size_t i;
	int r;

	for (i = from; i < to && i < mgr_list_len(x->o); i++) {
		r = item(x, x->o, i, &it);
		if (!r)
			r = mgr_pycmp_eq(it, v);
		if (r != 0) {
			*at = i;
			return r;
		}
	}
	return 0;
}

static int l_contains(struct pycall *x)
{
	static const char *const names[] = { "value" };
	struct mgr_pyval *a[1];
	size_t at;
	int r;

	if (!pycall_args(x, "__contains__", names, 1, 1, a))
		return 0;
	r = find(x, a[0], 0, SIZE_MAX, &at);
	return r < 0 ? pycall_fail(x, r) : pycall_return_bool(x, r);
}

static int l_count(struct pycall *x)
{
	static const char *const names[] = { "value" };
	struct mgr_pyval *a[1];
	size_t at = 0, n = 0;
	int r;

	if (!pycall_args(x, "count", names, 1, 1, a))
		return 0;
	while ((r = find(x, a[0], at, SIZE_MAX, &at)) == 1) {
		n++;
		at++;
	}
	return r < 0 ? pycall_fail(x, r) : pycall_return_int(x, (int64_t)n);
}

static int l_remove(struct pycall *x)
{
	static const char *const names[] = { "value" };
	struct mgr_pyval *a[1];
	size_t at;
	int r;

	if (!pycall_args(x, "remove", names, 1, 1, a))
		return 0;
	r = find(x, a[0], 0, SIZE_MAX, &at);
	if (r == 0)
		return pycall_value_error(x, "list.remove(x): x not in list");
	if (r > 0)
		r = mgr_list_splice(x->ps->srv->store, x->o, at, at + 1, NULL, 0);
	return r < 0 ? pycall_fail(x, r) : pycall_return_none(x);
}

/* A bound of index() as Python clamps it. */
static size_t bound(int64_t i, int64_t len)
{
	if (i < 0)
		i = i + len < 0 ? 0 : i + len;
	return (size_t)(i > len ? len : i);
}

static int l_index(struct pycall *x)
{
	static const char *const names[] = { "value", "start", "stop" };
	int64_t len = (int64_t)mgr_list_len(x->o), from = 0, to = INT64_MAX;
	struct mgr_buf text = MGR_BUF_INIT;
	struct mgr_pyval *a[3];
	size_t at;
	int r;

	if (!pycall_args(x, "index", names, 1, 3, a))
		return 0;
	if (a[1] && a[1]->kind != MGR_PYVAL_NONE &&
	    !index_of(x, a[1], &from, "slice indices must be integers or have an __index__ method"))
		return 0;
	if (a[2] && a[2]->kind != MGR_PYVAL_NONE &&
	    !index_of(x, a[2], &to, "slice indices must be integers or have an __index__ method"))
		return 0;
	r = find(x, a[0], bound(from, len), bound(to, len), &at);
	if (r > 0)
		return pycall_return_int(x, (int64_t)at);
	if (r < 0)
		return pycall_fail(x, r);
	mgr_pyrepr(&text, a[0]);
	r = pycall_value_error(x, "%.*s is not in list", (int)text.len, text.data ? text.data : "");
	mgr_buf_release(&text);
	return r;
}

static int l_reverse(struct pycall *x)
{
	struct mgr_pyval *l;
	size_t n;
	int r;

	if (!pycall_no_args(x))
		return 0;
	r = pyops_list_value(x, x->o, &l);
	if (r < 0)
		return pycall_fail(x, r);
	n = l->u.seq.len;
	reverse(l->u.seq.items, n);
	r = splice(x, x->o, 0, n, l->u.seq.items, n);
	return r < 0 ? failed(x, r) : pycall_return_none(x);
}

/* Python's a < b for sort: 1, 0, or -1 with the pair that failed kept
 * for the message. */
struct sorter {
	const struct mgr_pyval *bad[2];
	int err;
};

static int lt(struct sorter *st, const struct mgr_pyval *a, const struct mgr_pyval *b)
{
	int r = mgr_pycmp_lt(a, b);

	if (r < 0 && !st->err) {
		st->err = r;
		st->bad[0] = a;
		st->bad[1] = b;
	}
	return r;
}

/* A stable merge sort for long lists. */
static int merge_sort(struct sorter *st, struct mgr_pyval **v, struct mgr_pyval **tmp, size_t n)
{
	size_t mid = n / 2, i = 0, j = mid, k = 0;
	int r;

	if (n < 2)
		return 0;
	if (merge_sort(st, v, tmp, mid) || merge_sort(st, v + mid, tmp, n - mid))
		return -1;
	while (i < mid && j < n) {
		r = lt(st, v[j], v[i]);
		if (r < 0)
			return -1;
		tmp[k++] = r ? v[j++] : v[i++];
	}
	while (i < mid)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof(*v));
	return 0;
}

/* As CPython's timsort begins (count_run, then binary insertion), so
 * that the first comparison to fail, which names the types in the
 * message, is the one CPython would make. */
static int sort(struct sorter *st, struct mgr_pyval **v, struct mgr_pyval **tmp, size_t n)
{
	struct mgr_pyval *t;
	size_t run = 1, i, lo, hi, mid;
	int r;

	if (n < 2)
		return 0;
	if (n > 64)
		return merge_sort(st, v, tmp, n);
	r = lt(st, v[1], v[0]);
	if (r < 0)
		return -1;
	run = 2;
	if (r) {
		while (run < n && (r = lt(st, v[run], v[run - 1])) == 1)
			run++;
		if (r < 0)
			return -1;
		for (i = 0; i < run / 2; i++) {
			t = v[i];
			v[i] = v[run - 1 - i];
			v[run - 1 - i] = t;
		}
	} else {
		while (run < n && (r = lt(st, v[run], v[run - 1])) == 0)
			run++;
		if (r < 0)
			return -1;
	}
	for (i = run; i < n; i++) {
		t = v[i];
		lo = 0;
		hi = i;
		while (lo < hi) {
			mid = lo + (hi - lo) / 2;
			r = lt(st, t, v[mid]);
			if (r < 0)
				return -1;
			if (r)
				hi = mid;
			else
				lo = mid + 1;
		}
		memmove(v + lo + 1, v + lo, (i - lo) * sizeof(*v));
		v[lo] = t;
	}
	return 0;
}

/* Sequences compare by their first items that differ: the pair that
 * did not order, as Python's message names it. */
static void inner_pair(const struct mgr_pyval **a, const struct mgr_pyval **b)
{
	size_t i;

	while (((*a)->kind == MGR_PYVAL_TUPLE || (*a)->kind == MGR_PYVAL_LIST) &&
	       (*a)->kind == (*b)->kind) {
		for (i = 0; i < (*a)->u.seq.len && i < (*b)->u.seq.len; i++)
			if (mgr_pycmp_eq((*a)->u.seq.items[i], (*b)->u.seq.items[i]) != 1)
				break;
		if (i == (*a)->u.seq.len || i == (*b)->u.seq.len)
			return;
		*a = (*a)->u.seq.items[i];
		*b = (*b)->u.seq.items[i];
	}
}

static int l_sort(struct pycall *x)
{
	static const char *const names[] = { "key", "reverse" };
	struct mgr_pyval *a[2], *l, **tmp;
	struct sorter st = { { NULL, NULL }, 0 };
	bool rev;
	size_t n;
	int r;

	if (x->args->u.seq.len)
		return pycall_type_error(x, "sort() takes no positional arguments");
	if (!pycall_args(x, "sort", names, 0, 2, a))
		return 0;
	if (a[0] && a[0]->kind != MGR_PYVAL_NONE)
		return pycall_type_error(x, "mgrd cannot call a key function: it runs no Python "
					 "code (sort the values in the client)");
	r = pyops_list_value(x, x->o, &l);
	if (r < 0)
		return pycall_fail(x, r);
	n = l->u.seq.len;
	tmp = malloc((n ? n : 1) * sizeof(*tmp));
	if (!tmp)
		return pycall_fail(x, -ENOMEM);
	/* reverse=True as CPython: reversed, sorted, reversed back. */
	rev = pyops_truth(a[1], false);
	if (rev)
		reverse(l->u.seq.items, n);
	r = sort(&st, l->u.seq.items, tmp, n);
	free(tmp);
	if (r < 0 && st.err == -EINVAL) {
		inner_pair(&st.bad[0], &st.bad[1]);
		return pycall_type_error(x, "'<' not supported between instances of '%s' and '%s'",
					 mgr_pyval_type_name(st.bad[0]),
					 mgr_pyval_type_name(st.bad[1]));
	}
	if (r < 0)
		return pycall_fail(x, st.err ? st.err : -ENOMEM);
	if (rev)
		reverse(l->u.seq.items, n);
	r = splice(x, x->o, 0, n, l->u.seq.items, n);
	return r < 0 ? failed(x, r) : pycall_return_none(x);
}

/* l * n as a new Python list, or NULL after replying. */
static struct mgr_pyval *repeated(struct pycall *x, const char *fname)
{
	static const char *const names[] = { "value" };
	struct mgr_pyval *a[1], *l, *out;
	int64_t n, k;
	size_t i;
	int r;

	if (!pycall_args(x, fname, names, 1, 1, a))
		return NULL;
	if (a[0]->kind != MGR_PYVAL_INT && a[0]->kind != MGR_PYVAL_BOOL) {
		pycall_type_error(x, "'%s' object cannot be interpreted as an integer",
				  mgr_pyval_type_name(a[0]));
		return NULL;
	}
	if (mgr_pyval_get_int(a[0], &n) < 0) {
		pycall_raise(x, "builtins", "OverflowError",
			     "cannot fit 'int' into an index-sized integer");
		return NULL;
	}
	r = pyops_list_value(x, x->o, &l);
	if (r < 0) {
		pycall_fail(x, r);
		return NULL;
	}
	if (n > 0 && l->u.seq.len && (uint64_t)n > ((size_t)1 << 26) / l->u.seq.len) {
		pycall_raise(x, "builtins", "MemoryError", "the list would be too long for mgrd");
		return NULL;
	}
	out = mgr_pyval_new(x->a, MGR_PYVAL_LIST, 0);
	for (k = 0, r = out ? 0 : -ENOMEM; k < n && !r; k++)
		for (i = 0; i < l->u.seq.len && !r; i++)
			r = mgr_pyval_append(x->a, out, l->u.seq.items[i]);
	if (r < 0) {
		pycall_fail(x, r);
		return NULL;
	}
	return out;
}

static int l_mul(struct pycall *x)
{
	struct mgr_pyval *out = repeated(x, x->method);

	return out ? pycall_return(x, out) : 0;
}

static int l_imul(struct pycall *x)
{
	struct mgr_pyval *out = repeated(x, "__imul__");
	int r;

	if (!out)
		return 0;
	r = splice(x, x->o, 0, mgr_list_len(x->o), out->u.seq.items, out->u.seq.len);
	return r < 0 ? failed(x, r) : pycall_return(x, out);
}

static int l_add(struct pycall *x)
{
	static const char *const names[] = { "value" };
	struct mgr_pyval *a[1], *l;
	size_t i;
	int r;

	if (!pycall_args(x, "__add__", names, 1, 1, a))
		return 0;
	if (a[0]->kind != MGR_PYVAL_LIST)
		return pycall_type_error(x, "can only concatenate list (not \"%s\") to list",
					 mgr_pyval_type_name(a[0]));
	r = pyops_list_value(x, x->o, &l);
	for (i = 0; !r && i < a[0]->u.seq.len; i++)
		r = mgr_pyval_append(x->a, l, a[0]->u.seq.items[i]);
	return r < 0 ? pycall_fail(x, r) : pycall_return(x, l);
}

static int l_reversed(struct pycall *x)
{
	struct mgr_pyval *l;
	int r;

	if (!pycall_no_args(x))
		return 0;
	r = pyops_list_value(x, x->o, &l);
	if (r < 0)
		return pycall_fail(x, r);
	reverse(l->u.seq.items, l->u.seq.len);
	return pycall_return(x, mgr_pyreply_call(x->a, "iter", l));
}

static int l_clear(struct pycall *x)
{
	int r;

	if (!pycall_no_args(x))
		return 0;
	r = mgr_list_splice(x->ps->srv->store, x->o, 0, mgr_list_len(x->o), NULL, 0);
	return r < 0 ? pycall_fail(x, r) : pycall_return_none(x);
}

static int l_copy(struct pycall *x)
{
	struct mgr_pyval *l;
	int r;

	if (!pycall_no_args(x))
		return 0;
	r = pyops_list_value(x, x->o, &l);
	return r < 0 ? pycall_fail(x, r) : pycall_return(x, l);
}

static int l_repr(struct pycall *x, struct mgr_buf *out)
{
	struct mgr_pyval *l;
	int r = pyops_list_value(x, x->o, &l);

	return r < 0 ? r : mgr_pyrepr(out, l);
}

static const struct pymethod list_methods[] = {
	{ "__add__", l_add }, { "__contains__", l_contains }, { "__delitem__", l_delitem },
	{ "__getitem__", l_getitem }, { "__len__", l_len }, { "__mul__", l_mul },
	{ "__reversed__", l_reversed }, { "__rmul__", l_mul }, { "__setitem__", l_setitem },
	{ "append", l_append }, { "count", l_count }, { "extend", l_extend },
	{ "index", l_index }, { "insert", l_insert }, { "pop", l_pop }, { "remove", l_remove },
	{ "reverse", l_reverse }, { "sort", l_sort }, { "__imul__", l_imul },
	{ "clear", l_clear }, { "copy", l_copy },
	{ NULL, NULL },
};

const struct pytype pyops_list = {
	.name = "list", .proxy = "ListProxy", .typeid = "list", .methods = list_methods,
	.repr = l_repr, .getvalue = l_copy,
};

