/* Containers: namespaces and dicts, whose children are objects of any
 * type, with the operations of Python's dict proxy that act on many
 * children at once.  The store keeps the children (store.h); a child
 * value is read and written by value.c. */
#include "dict.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "content.h"
#include "elem.h"
#include "json.h"

static uint64_t dir_size(struct mgr_obj *o)
{
	return mgr_obj_nchildren(o);
}

/* Containers are made by the store and dumped by tree.c. */
const struct mgr_type mgr_type_namespace = {
	.size = dir_size,
};

const struct mgr_type mgr_type_dict = {
	.size = dir_size,
};

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
		r = mgr_elem_datum(c, o ? o->typecode : 0, items->u.object.values[i], &data[i]);
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
	for (i = 0; i < n; i++)
		mgr_datum_free(data[i]);
	free(data);
	return r;
}

static int op_update(struct mgr_call *c, struct mgr_obj *dir)
{
	int r = mgr_dict_update(c, dir, mgr_json_get(c->args, "items"));

	return r < 0 ? r : mgr_reply_version(c, dir);
}

static int dict_clear(struct mgr_call *c, struct mgr_obj *o)
{
	struct mgr_obj *child;

	while ((child = mgr_obj_last_child(o)))
		mgr_obj_delete(c->store, child, true);
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
	r = mgr_content_check_whole(c, o);
	if (r < 0)
		return r;
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
		/* A value too large for a reply is named with its size; it is
		 * read in pieces. */
		if (!r && o->type == MGR_VALUE && o->u.value->len > MGR_DATUM_MAX)
			r = mgr_json_kv_u64(c->out, "size", o->u.value->len);
		else if (!r && o->type == MGR_VALUE)
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

const struct mgr_op mgr_ops_dict[] = {
	{ "update", MGR_CONTAINERS, 0, op_update },
	{ "clear", MGR_CONTAINERS, 0, dict_clear },
	{ "popitem", MGR_CONTAINERS, 0, op_popitem },
	{ "items", MGR_CONTAINERS, 0, op_items },
	{ NULL, 0, 0, NULL },
};
