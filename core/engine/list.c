/* The list: Python's list proxy, every item a datum, with slices as
 * Python's. */
#include "list.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "elem.h"
#include "image.h"
#include "json.h"
#include "order.h"
#include "slice.h"
#include "store.h"

/* What a list holds; items are owned. */
struct list_state {
	struct mgr_datum **items;
	size_t len, cap;
};

static struct list_state *list_of(struct mgr_obj *o)
{
	return o->u.state;
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

/* What n items cost the store (see mgr_store_account). */
static uint64_t items_cost(struct mgr_datum *const *items, size_t n)
{
	uint64_t bytes = 0;
	size_t i;

	for (i = 0; i < n; i++)
		bytes += mgr_datum_cost(items[i]);
	return bytes;
}

/* Items that are about to join a list of have: within MGR_ITEMS_MAX and
 * the store's limit, else -ENOSPC with a message. */
static int items_fit(struct mgr_call *c, size_t have, struct mgr_datum *const *items,
		     size_t n)
{
	int r = mgr_call_items_fit(c, "list", have, n);

	return r < 0 ? r : mgr_call_fits(c, items_cost(items, n));
}

/* Items that left a list, freed and no longer counted. */
static void items_drop(struct mgr_store *s, struct mgr_datum **items, size_t n)
{
	mgr_store_account(s, -(int64_t)items_cost(items, n));
	list_free_items(items, n);
}

size_t mgr_list_len(struct mgr_obj *o)
{
	return list_of(o)->len;
}

const struct mgr_datum *mgr_list_item(struct mgr_obj *o, size_t i)
{
	return list_of(o)->items[i];
}

int mgr_list_splice(struct mgr_store *s, struct mgr_obj *o, size_t start, size_t stop,
		    struct mgr_datum **items, size_t n)
{
	struct list_state *l = list_of(o);
	size_t gone = stop - start;
	uint64_t add = items_cost(items, n), drop = gone ? items_cost(l->items + start, gone) : 0;

	if (n > gone && l->len - gone + n > MGR_ITEMS_MAX)
		return -ENOSPC;
	if (add > drop && !mgr_store_fits(s, add - drop))
		return -ENOSPC;
	if (n > gone && list_reserve(l, n - gone) < 0)
		return -ENOMEM;
	if (gone)
		items_drop(s, l->items + start, gone);
	mgr_store_account(s, (int64_t)add);
	if (l->len > stop)
		memmove(l->items + start + n, l->items + stop,
			(l->len - stop) * sizeof(*l->items));
	if (n)
		memcpy(l->items + start, items, n * sizeof(*items));
	l->len = l->len - gone + n;
	mgr_store_changed(s, o, MGR_CHANGE_UPDATE);
	return 0;
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
	if (v->u.array.len > MGR_ITEMS_MAX)
		return mgr_call_items_fit(c, "list", 0, v->u.array.len);
	items = calloc(v->u.array.len, sizeof(*items));
	if (!items)
		return mgr_call_err(c, -ENOMEM, "out of memory");
	for (i = 0; i < v->u.array.len && !r; i++)
		r = mgr_elem_datum(c, 0, v->u.array.values[i], &items[i]);
	if (r < 0) {
		list_free_items(items, v->u.array.len);
		free(items);
		return r;
	}
	*out = items;
	*n = v->u.array.len;
	return 0;
}

static int list_init(struct mgr_call *c, struct mgr_obj *o)
{
	struct list_state *l = calloc(1, sizeof(*l));
	yajl_val v = mgr_call_items(c, false);
	int r = 0;

	if (!l)
		return mgr_call_err(c, -ENOMEM, "out of memory");
	if (v)
		r = data_from_array(c, v, &l->items, &l->len);
	if (r == 0)
		r = items_fit(c, 0, l->items, l->len);
	if (r < 0) {
		list_free_items(l->items, l->len);
		free(l->items);
		free(l);
		return r;
	}
	l->cap = l->len;
	o->u.state = l;
	mgr_store_account(c->store, items_cost(l->items, l->len));
	return 0;
}

static void list_destroy(struct mgr_store *s, struct mgr_obj *o)
{
	struct list_state *l = list_of(o);

	if (!l)
		return;
	items_drop(s, l->items, l->len);
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

static int list_save(struct mgr_obj *o, struct mgr_buf *b, bool full)
{
	struct list_state *l = list_of(o);
	size_t i;
	int r = mgr_img_put_u64(b, l->len);

	(void)full;
	for (i = 0; i < l->len && !r; i++)
		r = mgr_img_put_datum(b, l->items[i]);
	return r;
}

static int list_load(struct mgr_store *s, struct mgr_obj *o, struct mgr_img *in, bool full)
{
	struct list_state *l = calloc(1, sizeof(*l));
	size_t n, i;
	int r = -ENOMEM;

	(void)full;
	if (!l)
		return -ENOMEM;
	/* A datum takes at least two bytes: its kind and its length. */
	if (mgr_img_get_count(in, 2, &n) < 0) {
		free(l);
		return -EINVAL;
	}
	l->items = calloc(n ? n : 1, sizeof(*l->items));
	for (i = 0, r = l->items ? 0 : -ENOMEM; i < n && !r; i++)
		if ((r = mgr_img_get_datum(in, &l->items[i])) == 0)
			l->len++;
	if (r < 0) {
		list_free_items(l->items, l->len);
		free(l->items);
		free(l);
		return r;
	}
	l->cap = n;
	o->u.state = l;
	mgr_store_account(s, items_cost(l->items, l->len));
	return 0;
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
	int r = mgr_call_datum(c, &d);

	if (r < 0)
		return r;
	r = items_fit(c, l->len, &d, 1);
	if (r == 0 && list_reserve(l, 1) < 0)
		r = mgr_call_err(c, -ENOMEM, "out of memory");
	if (r < 0) {
		mgr_datum_free(d);
		return r;
	}
	l->items[l->len++] = d;
	mgr_store_account(c->store, mgr_datum_cost(d));
	list_changed(c, o);
	return mgr_reply_version(c, o);
}

static int list_extend(struct mgr_call *c, struct mgr_obj *o)
{
	struct list_state *l = list_of(o);
	struct mgr_datum **items;
	yajl_val v = mgr_call_items(c, false);
	size_t n;
	int r;

	if (!v)
		return mgr_call_err(c, -EINVAL, "missing \"items\"");
	r = data_from_array(c, v, &items, &n);
	if (r < 0)
		return r;
	r = items_fit(c, l->len, items, n);
	if (r == 0 && list_reserve(l, n) < 0)
		r = mgr_call_err(c, -ENOMEM, "out of memory");
	if (r < 0) {
		list_free_items(items, n);
		free(items);
		return r;
	}
	if (n)
		memcpy(l->items + l->len, items, n * sizeof(*items));
	l->len += n;
	mgr_store_account(c->store, items_cost(items, n));
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
	r = mgr_call_datum(c, &d);
	if (r < 0)
		return r;
	r = items_fit(c, l->len, &d, 1);
	if (r == 0 && list_reserve(l, 1) < 0)
		r = mgr_call_err(c, -ENOMEM, "out of memory");
	if (r < 0) {
		mgr_datum_free(d);
		return r;
	}
	memmove(l->items + i + 1, l->items + i, (l->len - i) * sizeof(*l->items));
	l->items[i] = d;
	l->len++;
	mgr_store_account(c->store, mgr_datum_cost(d));
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
		r = mgr_call_index(c, l->len, "pop", &i);
		if (r < 0)
			return r;
	}
	d = list_take(l, i);
	list_changed(c, o);
	r = mgr_reply_datum(c, d, o);
	items_drop(c->store, &d, 1);
	return r;
}

ssize_t mgr_list_find(struct mgr_obj *o, const struct mgr_datum *d, size_t start, size_t stop)
{
	struct list_state *l = list_of(o);
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
	int r = mgr_call_datum(c, &d);

	if (r < 0)
		return r;
	i = mgr_list_find(o, d, 0, l->len);
	mgr_datum_free(d);
	if (i < 0)
		return mgr_call_err(c, -EINVAL, "list.remove(x): x not in list");
	d = list_take(l, (size_t)i);
	items_drop(c->store, &d, 1);
	list_changed(c, o);
	return mgr_reply_version(c, o);
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

static int list_sort(struct mgr_call *c, struct mgr_obj *o)
{
	struct list_state *l = list_of(o);
	struct mgr_datum **copy = NULL;
	bool reverse = false;
	int r;

	if (mgr_json_get_bool(c->args, "reverse", &reverse) == -EINVAL)
		return mgr_call_err(c, -EINVAL, "\"reverse\" must be true or false");
	if (l->len > 1) {
		copy = malloc(l->len * sizeof(*copy));
		if (!copy) {
			r = mgr_call_err(c, -ENOMEM, "out of memory");
			goto out;
		}
		/* Sort a copy, so that a failure leaves the list as it was.
		 * Reversing before and after keeps equal items in their
		 * order, as Python's reverse=True does. */
		memcpy(copy, l->items, l->len * sizeof(*copy));
		if (reverse)
			reverse_items(copy, l->len);
		r = mgr_order_sort(copy, l->len);
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
	free(copy);
	return r;
}

/* The list repeated n times.  What it would hold is checked against the
 * limits before anything is made, so that one request can neither stall
 * the manager building millions of items nor fill its memory. */
static int list_imul(struct mgr_call *c, struct mgr_obj *o)
{
	struct list_state *l = list_of(o);
	size_t i, k, len = l->len;
	uint64_t bytes;
	int64_t n;
	int r = mgr_json_get_i64(c->args, "n", &n);

	if (r == -ENOENT)
		return mgr_call_err(c, -EINVAL, "missing \"n\"");
	if (r < 0)
		return mgr_call_err(c, -EINVAL, "\"n\" must be an integer");
	if (n <= 0) {
		items_drop(c->store, l->items, l->len);
		l->len = 0;
	} else if (n > 1 && len) {
		if ((uint64_t)n - 1 > MGR_ITEMS_MAX / len)
			return mgr_call_items_fit(c, "list", len, (uint64_t)MGR_ITEMS_MAX + 1);
		r = mgr_call_items_fit(c, "list", len, len * (uint64_t)(n - 1));
		bytes = items_cost(l->items, len);
		if (r == 0 && bytes > UINT64_MAX / (uint64_t)n)
			r = mgr_call_fits(c, UINT64_MAX);
		if (r == 0)
			r = mgr_call_fits(c, bytes * (uint64_t)(n - 1));
		if (r < 0)
			return r;
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
		mgr_store_account(c->store, bytes * (uint64_t)(n - 1));
	}
	list_changed(c, o);
	return mgr_reply_bool(c, true);
nomem:
	/* Leave the list as it was. */
	list_free_items(l->items + len, l->len - len);
	l->len = len;
	return mgr_call_err(c, -ENOMEM, "out of memory");
}

/* Slice assignment, as Python's: "items" replace the slice.  A plain
 * slice (step 1) takes any number of them; an extended slice takes as
 * many as it has. */
static int setitem_slice(struct mgr_call *c, struct mgr_obj *o)
{
	yajl_val v = mgr_json_get(c->args, "items");
	struct list_state *l = list_of(o);
	struct mgr_datum **items = NULL;
	struct mgr_slice sl;
	size_t m, k;
	int r;

	r = mgr_slice_arg(c, l->len, &sl);
	if (r < 0)
		return r;
	if (!YAJL_IS_ARRAY(v))
		return mgr_call_err(c, -EINVAL, "a slice is assigned \"items\", an array");
	m = v->u.array.len;
	if (sl.step != 1 && m != sl.n)
		return mgr_call_err(c, -EINVAL, "cannot assign %zu items to a slice of %zu", m,
				    sl.n);
	r = data_from_array(c, v, &items, &m);
	if (r < 0)
		return r;
	r = items_fit(c, l->len - sl.n, items, m);
	if (r == 0 && sl.step == 1 && m > sl.n && list_reserve(l, m - sl.n) < 0)
		r = mgr_call_err(c, -ENOMEM, "out of memory");
	if (r < 0) {
		list_free_items(items, m);
		free(items);
		return r;
	}
	mgr_store_account(c->store, items_cost(items, m));
	if (sl.step != 1) {
		for (k = 0; k < m; k++) {
			items_drop(c->store, &l->items[mgr_slice_at(&sl, k)], 1);
			l->items[mgr_slice_at(&sl, k)] = items[k];
		}
	} else {
		items_drop(c->store, l->items + sl.start, sl.n);
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

static int list_setitem(struct mgr_call *c, struct mgr_obj *o)
{
	struct list_state *l = list_of(o);
	struct mgr_datum *d;
	size_t i;
	int r = mgr_slice_given(c);

	if (r < 0)
		return r;
	if (r)
		return setitem_slice(c, o);
	r = mgr_call_index(c, l->len, "list assignment", &i);
	if (!r)
		r = mgr_call_datum(c, &d);
	if (r < 0)
		return r;
	r = mgr_call_fits(c, mgr_datum_cost(d));
	if (r < 0) {
		mgr_datum_free(d);
		return r;
	}
	items_drop(c->store, &l->items[i], 1);
	mgr_store_account(c->store, mgr_datum_cost(d));
	l->items[i] = d;
	list_changed(c, o);
	return mgr_reply_version(c, o);
}

/* Delete a slice's items: those at its indices go, the others close up in
 * order. */
static void list_delete_slice(struct mgr_store *s, struct list_state *l,
			      const struct mgr_slice *sl)
{
	size_t i, k = 0, to = 0;

	for (i = 0; i < l->len; i++) {
		if (k < sl->n && i == mgr_slice_up(sl, k)) {
			items_drop(s, &l->items[i], 1);
			k++;
		} else {
			l->items[to++] = l->items[i];
		}
	}
	l->len = to;
}

static int list_delitem(struct mgr_call *c, struct mgr_obj *o)
{
	struct list_state *l = list_of(o);
	struct mgr_datum *d;
	struct mgr_slice sl;
	size_t i;
	int r = mgr_slice_given(c);

	if (r < 0)
		return r;
	if (r) {
		r = mgr_slice_arg(c, l->len, &sl);
		if (r < 0)
			return r;
		list_delete_slice(c->store, l, &sl);
	} else {
		r = mgr_call_index(c, l->len, "list assignment", &i);
		if (r < 0)
			return r;
		d = list_take(l, i);
		items_drop(c->store, &d, 1);
	}
	list_changed(c, o);
	return mgr_reply_version(c, o);
}

int mgr_list_set(struct mgr_call *c, struct mgr_obj *o)
{
	struct list_state *l = list_of(o);
	struct mgr_datum **items;
	yajl_val v = mgr_call_items(c, true);
	uint64_t old, new;
	size_t n;
	int r;

	if (!v || !YAJL_IS_ARRAY(v))
		return mgr_call_err(c, -EINVAL, "a list is set from a JSON array in \"items\" or \"value\"");
	r = data_from_array(c, v, &items, &n);
	/* Only what it holds beyond the old items must fit. */
	old = items_cost(l->items, l->len);
	new = items_cost(items, n);
	if (r == 0 && new > old)
		r = mgr_call_fits(c, new - old);
	if (r < 0) {
		list_free_items(items, n);
		free(items);
		return r;
	}
	items_drop(c->store, l->items, l->len);
	mgr_store_account(c->store, new);
	free(l->items);
	l->items = items;
	l->len = l->cap = n;
	list_changed(c, o);
	return mgr_reply_version(c, o);
}

static int list_clear(struct mgr_call *c, struct mgr_obj *o)
{
	items_drop(c->store, list_of(o)->items, list_of(o)->len);
	list_of(o)->len = 0;
	list_changed(c, o);
	return mgr_reply_bool(c, true);
}

const struct mgr_type mgr_type_list = {
	.init = list_init,
	.destroy = list_destroy,
	.dump = list_dump,
	.save = list_save,
	.load = list_load,
	.size = list_size,
};

#define LIST MGR_TYPE_BIT(MGR_LIST)

const struct mgr_op mgr_ops_list[] = {
	{ "setitem", LIST, 0, list_setitem },
	{ "delitem", LIST, 0, list_delitem },
	{ "clear", LIST, 0, list_clear },
	{ "append", LIST, 0, list_append },
	{ "extend", LIST, 0, list_extend },
	{ "insert", LIST, 0, list_insert },
	{ "pop", LIST, 0, list_pop },
	{ "remove", LIST, 0, list_remove },
	{ "reverse", LIST, 0, list_reverse },
	{ "sort", LIST, 0, list_sort },
	{ "imul", LIST, 0, list_imul },
	{ NULL, 0, 0, NULL },
};
