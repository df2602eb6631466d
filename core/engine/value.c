/* The value: a dict's value, a namespace's attribute or Python's Value,
 * one datum (typed when made with a typecode); and set and setdefault,
 * which make values where nothing is. */
#include "value.h"

#include <errno.h>
#include <string.h>

#include "array.h"
#include "content.h"
#include "elem.h"
#include "image.h"
#include "json.h"
#include "list.h"
#include "stage.h"

/* Values. */
static int value_init(struct mgr_call *c, struct mgr_obj *o)
{
	const char *dflt = "null";
	char tc;
	int r = mgr_elem_typecode(c, &tc);

	if (r < 0)
		return r;
	o->typecode = tc;
	r = mgr_elem_value_arg(c, tc, &o->u.value);
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
	int r = o->typecode ? mgr_elem_gen_typecode(g, o->typecode) : 0;

	if (!r && o->u.value->kind == MGR_DATUM_BYTES)
		r = mgr_json_kv_bool(g, "bytes", true);
	return r;
}

static int value_dump(struct mgr_obj *o, yajl_gen g)
{
	return mgr_datum_gen_dump(g, o->u.value);
}

static int value_save(struct mgr_obj *o, struct mgr_buf *b, bool full)
{
	(void)full;
	return mgr_img_put_datum(b, o->u.value);
}

/* The store counts the datum (mgr_store_adopt). */
static int value_load(struct mgr_store *s, struct mgr_obj *o, struct mgr_img *in, bool full)
{
	(void)s;
	(void)full;
	return mgr_img_get_datum_max(in, &o->u.value, MGR_VALUE_MAX);
}

static uint64_t value_size(struct mgr_obj *o)
{
	return o->u.value->len;
}

const struct mgr_type mgr_type_value = {
	.init = value_init,
	.destroy = value_destroy,
	.stat = value_stat,
	.dump = value_dump,
	.save = value_save,
	.load = value_load,
	.size = value_size,
	.session_end = mgr_stage_session_end,
};

static int value_get(struct mgr_call *c, struct mgr_obj *o)
{
	int r = mgr_content_check_whole(c, o);

	if (r < 0)
		return r;
	return mgr_reply_datum(c, o->u.value, o);
}

/* Look up the path of a set or setdefault.  0 and *o when it exists; 1 and
 * the parent and name when it does not but could be made; or -errno. */
static int set_target(struct mgr_call *c, struct mgr_path *p, struct mgr_obj **o,
		      struct mgr_obj **dir)
{
	const char *path = mgr_call_path_text(c, "path");
	int r = mgr_store_lookup(c->store, p, o);
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
		r = mgr_list_set(c, o);
	} else if (exists && o->type == MGR_ARRAY) {
		r = mgr_array_set(c, o);
	} else if (exists && o->type != MGR_VALUE) {
		r = mgr_call_err(c, -ENOTSUP, "set: the object is a %s, not a value",
				 mgr_type_name(o->type));
	} else {
		r = mgr_elem_value_arg(c, exists ? o->typecode : 0, &d);
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
		r = mgr_elem_value_arg(c, 0, &d);
		if (r == -ENOENT) {
			d = mgr_datum_new(MGR_DATUM_JSON, "null", 4);
			r = d ? 0 : mgr_call_err(c, -ENOMEM, "out of memory");
		}
		if (!r)
			r = new_value(c, dir, &p, d, &o);
	}
	if (!r)
		r = mgr_content_check_whole(c, o);
	if (!r)
		r = mgr_reply_datum(c, o->u.value, o);
	mgr_path_release(&p);
	return r;
}

#define DATA (MGR_TYPE_BIT(MGR_VALUE) | MGR_TYPE_BIT(MGR_LIST) | MGR_TYPE_BIT(MGR_ARRAY))

const struct mgr_op mgr_ops_value[] = {
	{ "get", MGR_TYPE_BIT(MGR_VALUE), 0, value_get },
	{ "set", DATA, MGR_OP_NOLOOKUP, op_set },
	{ "setdefault", MGR_TYPE_BIT(MGR_VALUE), MGR_OP_NOLOOKUP, op_setdefault },
	{ NULL, 0, 0, NULL },
};
