/* The array: Python's Array of one typecode, a fixed number of elements
 * held as C numbers, as ctypes holds them. */
#include "array.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "elem.h"
#include "image.h"
#include "json.h"
#include "slice.h"

/* An array's reply must fit a frame: at most about 21 bytes an element. */
#define ARRAY_MAX (1u << 19)

struct array_state {
	size_t len;
	union mgr_elem items[];
};

static struct array_state *array_of(struct mgr_obj *o)
{
	return o->u.state;
}

/* What an array of n elements costs the store (mgr_store_account). */
static uint64_t array_cost(uint64_t n)
{
	return sizeof(struct array_state) + n * sizeof(union mgr_elem);
}

static int array_init(struct mgr_call *c, struct mgr_obj *o)
{
	struct array_state *a;
	yajl_val items = mgr_call_items(c, false);
	uint64_t n = 0;
	size_t i;
	char tc;
	int r = mgr_elem_typecode(c, &tc);

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
	/* A size alone makes a large array out of a small request. */
	r = mgr_call_fits(c, array_cost(n));
	if (r < 0)
		return r;
	a = calloc(1, sizeof(*a) + n * sizeof(a->items[0]));
	if (!a)
		return mgr_call_err(c, -ENOMEM, "out of memory");
	a->len = n;
	for (i = 0; items && i < n && !r; i++)
		r = mgr_elem_from_json(c, tc, items->u.array.values[i], &a->items[i]);
	if (r < 0) {
		free(a);
		return r;
	}
	o->typecode = tc;
	o->u.state = a;
	mgr_store_account(c->store, array_cost(n));
	return 0;
}

static void array_destroy(struct mgr_store *s, struct mgr_obj *o)
{
	mgr_store_account(s, -(int64_t)array_cost(array_of(o)->len));
	free(o->u.state);
}

static int array_stat(struct mgr_obj *o, yajl_gen g)
{
	return mgr_elem_gen_typecode(g, o->typecode);
}

/* The slice's elements as a JSON array. */
static int array_gen(struct mgr_obj *o, yajl_gen g, const struct mgr_slice *s)
{
	struct array_state *a = array_of(o);
	int r = mgr_json_array_open(g);
	size_t k;

	for (k = 0; k < s->n && !r; k++)
		r = mgr_elem_gen(g, o->typecode, &a->items[mgr_slice_at(s, k)]);
	return r ? r : mgr_json_array_close(g);
}

static int array_dump(struct mgr_obj *o, yajl_gen g)
{
	struct mgr_slice all = { 0, 1, array_of(o)->len };

	return array_gen(o, g, &all);
}

static int array_save(struct mgr_obj *o, struct mgr_buf *b, bool full)
{
	struct array_state *a = array_of(o);
	size_t i;
	int r = mgr_img_put_u64(b, a->len);

	(void)full;
	for (i = 0; i < a->len && !r; i++)
		r = mgr_img_put_raw64(b, a->items[i].u);
	return r;
}

/* The typecode is the object's, restored before. */
static int array_load(struct mgr_store *s, struct mgr_obj *o, struct mgr_img *in, bool full)
{
	struct array_state *a;
	size_t n, i;

	(void)full;
	if (mgr_img_get_count(in, 8, &n) < 0 || n > ARRAY_MAX)
		return -EINVAL;
	a = calloc(1, sizeof(*a) + n * sizeof(a->items[0]));
	if (!a)
		return -ENOMEM;
	a->len = n;
	for (i = 0; i < n; i++)
		mgr_img_get_raw64(in, &a->items[i].u);
	o->u.state = a;
	mgr_store_account(s, array_cost(n));
	return 0;
}

static uint64_t array_size(struct mgr_obj *o)
{
	return array_of(o)->len;
}

/* {"items": [the slice's elements], "version": N}. */
static int reply_items(struct mgr_call *c, struct mgr_obj *o, const struct mgr_slice *s)
{
	int r = mgr_json_map_open(c->out);

	if (!r)
		r = mgr_json_gen_cstr(c->out, "items");
	if (!r)
		r = array_gen(o, c->out, s);
	if (!r)
		r = mgr_json_kv_u64(c->out, "version", o->version);
	if (!r)
		r = mgr_json_map_close(c->out);
	return mgr_call_result(c, r);
}

static int array_get(struct mgr_call *c, struct mgr_obj *o)
{
	struct mgr_slice all = { 0, 1, array_of(o)->len };

	return reply_items(c, o, &all);
}

static int array_getitem(struct mgr_call *c, struct mgr_obj *o)
{
	struct array_state *a = array_of(o);
	struct mgr_slice sl;
	size_t i;
	int r = mgr_slice_given(c);

	if (r < 0)
		return r;
	if (r) {
		r = mgr_slice_arg(c, a->len, &sl);
		return r < 0 ? r : reply_items(c, o, &sl);
	}
	r = mgr_call_index(c, a->len, "array", &i);
	if (r < 0)
		return r;
	r = mgr_json_map_open(c->out);
	if (!r)
		r = mgr_json_gen_cstr(c->out, "value");
	if (!r)
		r = mgr_elem_gen(c->out, o->typecode, &a->items[i]);
	if (!r)
		r = mgr_json_kv_u64(c->out, "version", o->version);
	if (!r)
		r = mgr_json_map_close(c->out);
	return mgr_call_result(c, r);
}

/* Slice assignment: an array's length is fixed, so a slice takes exactly
 * as many items as it has. */
static int setitem_slice(struct mgr_call *c, struct mgr_obj *o)
{
	yajl_val v = mgr_json_get(c->args, "items");
	union mgr_elem *elems;
	struct mgr_slice sl;
	size_t m, k;
	int r;

	r = mgr_slice_arg(c, array_of(o)->len, &sl);
	if (r < 0)
		return r;
	if (!YAJL_IS_ARRAY(v))
		return mgr_call_err(c, -EINVAL, "a slice is assigned \"items\", an array");
	m = v->u.array.len;
	if (m != sl.n)
		return mgr_call_err(c, -EINVAL, "cannot assign %zu items to a slice of %zu of an array",
				    m, sl.n);
	elems = calloc(m ? m : 1, sizeof(*elems));
	if (!elems)
		return mgr_call_err(c, -ENOMEM, "out of memory");
	for (k = 0; k < m && !r; k++)
		r = mgr_elem_from_json(c, o->typecode, v->u.array.values[k], &elems[k]);
	for (k = 0; k < m && !r; k++)
		array_of(o)->items[mgr_slice_at(&sl, k)] = elems[k];
	free(elems);
	if (r < 0)
		return r;
	mgr_store_changed(c->store, o, MGR_CHANGE_UPDATE);
	return mgr_reply_version(c, o);
}

static int array_setitem(struct mgr_call *c, struct mgr_obj *o)
{
	union mgr_elem e;
	yajl_val v;
	size_t i;
	int r = mgr_slice_given(c);

	if (r < 0)
		return r;
	if (r)
		return setitem_slice(c, o);
	r = mgr_call_index(c, array_of(o)->len, "array assignment", &i);
	if (r < 0)
		return r;
	v = mgr_json_get(c->args, "value");
	if (!v)
		return mgr_call_err(c, -EINVAL, "missing \"value\"");
	r = mgr_elem_from_json(c, o->typecode, v, &e);
	if (r < 0)
		return r;
	array_of(o)->items[i] = e;
	mgr_store_changed(c->store, o, MGR_CHANGE_UPDATE);
	return mgr_reply_version(c, o);
}

int mgr_array_set(struct mgr_call *c, struct mgr_obj *o)
{
	struct array_state *a = array_of(o);
	union mgr_elem *e;
	yajl_val v = mgr_call_items(c, true);
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
		r = mgr_elem_from_json(c, o->typecode, v->u.array.values[i], &e[i]);
	if (!r) {
		memcpy(a->items, e, a->len * sizeof(*e));
		mgr_store_changed(c->store, o, MGR_CHANGE_UPDATE);
		r = mgr_reply_version(c, o);
	}
	free(e);
	return r;
}

const struct mgr_type mgr_type_array = {
	.init = array_init,
	.destroy = array_destroy,
	.stat = array_stat,
	.dump = array_dump,
	.save = array_save,
	.load = array_load,
	.size = array_size,
};

#define ARRAY MGR_TYPE_BIT(MGR_ARRAY)

const struct mgr_op mgr_ops_array[] = {
	{ "get", ARRAY, 0, array_get },
	{ "getitem", ARRAY, 0, array_getitem },
	{ "setitem", ARRAY, 0, array_setitem },
	{ NULL, 0, 0, NULL },
};
