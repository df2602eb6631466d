/* The list's queries, which change nothing: get, getitem, index, count
 * and contains, through the list's accessors (list.h). */
#include "list.h"

#include <errno.h>
#include <sys/types.h>

#include "elem.h"
#include "json.h"
#include "slice.h"

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

/* {"items": [the slice's items], "version": N}. */
static int reply_items(struct mgr_call *c, struct mgr_obj *o, const struct mgr_slice *s)
{
	size_t k;
	int r = mgr_json_map_open(c->out);

	if (!r)
		r = mgr_json_gen_cstr(c->out, "items");
	if (!r)
		r = mgr_json_array_open(c->out);
	for (k = 0; k < s->n && !r; k++)
		r = mgr_datum_gen(c->out, mgr_list_item(o, mgr_slice_at(s, k)));
	if (!r)
		r = mgr_json_array_close(c->out);
	if (!r)
		r = mgr_json_kv_u64(c->out, "version", o->version);
	if (!r)
		r = mgr_json_map_close(c->out);
	return mgr_call_result(c, r);
}

static int list_get(struct mgr_call *c, struct mgr_obj *o)
{
	struct mgr_slice all = { 0, 1, mgr_list_len(o) };

	return reply_items(c, o, &all);
}

static int list_getitem(struct mgr_call *c, struct mgr_obj *o)
{
	size_t len = mgr_list_len(o);
	struct mgr_slice sl;
	size_t i;
	int r = mgr_slice_given(c);

	if (r < 0)
		return r;
	if (!r) {
		r = mgr_call_index(c, len, "list", &i);
		return r < 0 ? r : mgr_reply_datum(c, mgr_list_item(o, i), o);
	}
	r = mgr_slice_arg(c, len, &sl);
	return r < 0 ? r : reply_items(c, o, &sl);
}

static int list_index(struct mgr_call *c, struct mgr_obj *o)
{
		struct mgr_datum *d;
	size_t start, stop;
	ssize_t i;
	int r = get_range(c, mgr_list_len(o), &start, &stop);

	if (!r)
		r = mgr_call_datum(c, &d);
	if (r < 0)
		return r;
	i = mgr_list_find(o, d, start, stop);
	mgr_datum_free(d);
	if (i < 0)
		return mgr_call_err(c, -EINVAL, "x is not in list");
	return mgr_reply_u64(c, (uint64_t)i);
}

static int list_count(struct mgr_call *c, struct mgr_obj *o)
{
		struct mgr_datum *d;
	uint64_t n = 0;
	size_t i;
	int r = mgr_call_datum(c, &d);

	if (r < 0)
		return r;
	for (i = 0; i < mgr_list_len(o); i++)
		n += mgr_datum_eq(mgr_list_item(o, i), d);
	mgr_datum_free(d);
	return mgr_reply_u64(c, n);
}

static int list_contains(struct mgr_call *c, struct mgr_obj *o)
{
		struct mgr_datum *d;
	bool found;
	int r = mgr_call_datum(c, &d);

	if (r < 0)
		return r;
	found = mgr_list_find(o, d, 0, mgr_list_len(o)) >= 0;
	mgr_datum_free(d);
	return mgr_reply_bool(c, found);
}

#define LIST MGR_TYPE_BIT(MGR_LIST)

const struct mgr_op mgr_ops_list_query[] = {
	{ "get", LIST, 0, list_get },
	{ "getitem", LIST, 0, list_getitem },
	{ "index", LIST, 0, list_index },
	{ "count", LIST, 0, list_count },
	{ "contains", LIST, 0, list_contains },
	{ NULL, 0, 0, NULL },
};
