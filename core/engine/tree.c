/* Operations on the tree itself, valid for objects of every type: stat,
 * ls, create, delete, rename, dump, len, and pop of a dict's value. */
#include "tree.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "content.h"
#include "dict.h"
#include "json.h"

#define ALL_TYPES ((1u << MGR_NTYPES) - 1)

static bool is_container(const struct mgr_obj *o)
{
	return MGR_TYPE_BIT(o->type) & MGR_CONTAINERS;
}

/* What stat and an ls entry both say of any object, into an open object:
 * "type", "version", "size", its times, and a container's "subdirs" (a
 * directory's link count is 2 more). */
static int gen_common_members(yajl_gen g, struct mgr_obj *o)
{
	const struct mgr_type *t = mgr_types[o->type];
	int r = mgr_json_kv_str(g, "type", mgr_type_name(o->type));

	if (!r)
		r = mgr_json_kv_u64(g, "version", o->version);
	if (!r)
		r = mgr_json_kv_u64(g, "size", t->size ? t->size(o) : 0);
	if (!r)
		r = mgr_json_kv_i64(g, "mtime_ns", o->mtime);
	if (!r)
		r = mgr_json_kv_i64(g, "ctime_ns", o->ctime);
	if (!r && is_container(o))
		r = mgr_json_kv_u64(g, "subdirs", mgr_obj_nsubdirs(o));
	return r;
}

/* The common members and the type's own, into an open object. */
static int gen_stat_members(yajl_gen g, struct mgr_obj *o)
{
	const struct mgr_type *t = mgr_types[o->type];
	int r = gen_common_members(g, o);

	if (!r && t->stat)
		r = t->stat(o, g);
	return r;
}

static int op_stat(struct mgr_call *c, struct mgr_obj *o)
{
	int r = mgr_json_map_open(c->out);

	if (!r)
		r = gen_stat_members(c->out, o);
	if (!r)
		r = mgr_json_map_close(c->out);
	return mgr_call_result(c, r);
}

/* A page of the children (see mgr_page_begin). */
static int op_ls(struct mgr_call *c, struct mgr_obj *dir)
{
	struct mgr_page page;
	struct mgr_obj *o;
	uint64_t n = 0;
	int r = mgr_page_begin(c, dir, &page);

	if (r < 0)
		return r;
	r = mgr_json_map_open(c->out);
	if (!r)
		r = mgr_json_gen_cstr(c->out, "entries");
	if (!r)
		r = mgr_json_array_open(c->out);
	for (o = page.first; o && !r && !mgr_page_full(c, &page, n); o = o->next, n++) {
		r = mgr_json_map_open(c->out);
		if (!r)
			r = mgr_json_gen_cstr(c->out, "name");
		if (!r)
			r = mgr_json_gen_strn(c->out, o->name, o->namelen);
		if (!r)
			r = gen_common_members(c->out, o);
		/* What a value's text is shown as depends on it (mgrfs). */
		if (!r && o->type == MGR_VALUE && o->u.value->kind == MGR_DATUM_BYTES)
			r = mgr_json_kv_bool(c->out, "bytes", true);
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

/* A container, with value children from "items" when given. */
static int create_dir(struct mgr_call *c, struct mgr_obj *dir, const struct mgr_name *name,
		      enum mgr_type_id t)
{
	yajl_val items = mgr_json_get(c->args, "items");
	struct mgr_obj *o;
	int r;

	if (items && !YAJL_IS_NULL(items) && !YAJL_IS_OBJECT(items))
		return mgr_call_err(c, -EINVAL, "\"items\" must be an object of names and values");
	r = mgr_obj_new(c->store, dir, name->s, name->len, t, &o);
	if (r < 0)
		return mgr_call_err(c, r, "cannot make %.200s", mgr_call_path_text(c, "path"));
	mgr_store_changed(c->store, o, MGR_CHANGE_CREATE);
	if (YAJL_IS_OBJECT(items)) {
		r = mgr_dict_update(c, o, items);
		if (r < 0) {
			/* A create that fails leaves nothing behind. */
			mgr_obj_delete(c->store, o, true);
			return r;
		}
	}
	return mgr_reply_version(c, o);
}

static int create_obj(struct mgr_call *c, struct mgr_obj *dir, const struct mgr_name *name,
		      enum mgr_type_id t)
{
	const struct mgr_type *type = mgr_types[t];
	struct mgr_obj *o;
	int r;

	r = mgr_obj_new(c->store, dir, name->s, name->len, t, &o);
	if (r < 0)
		return mgr_call_err(c, r, "cannot make %.200s", mgr_call_path_text(c, "path"));
	r = type->init ? type->init(c, o) : 0;
	if (r < 0) {
		mgr_obj_discard(c->store, o);
		return c->err ? r : mgr_call_err(c, r, "cannot make a %s", mgr_type_name(t));
	}
	mgr_store_changed(c->store, o, MGR_CHANGE_CREATE);
	return mgr_reply_version(c, o);
}

static int op_create(struct mgr_call *c, struct mgr_obj *unused)
{
	struct mgr_obj *dir, *o;
	const struct mgr_name *name;
	bool exist_ok = false;
	struct mgr_path p;
	const char *tname;
	int r, t;

	r = mgr_json_get_str(c->args, "type", &tname);
	if (r == -ENOENT)
		return mgr_call_err(c, -EINVAL, "missing \"type\"");
	if (r < 0)
		return mgr_call_err(c, -EINVAL, "\"type\" must be a string");
	t = mgr_type_by_name(tname);
	if (t < 0)
		return mgr_call_err(c, -EINVAL, "unknown type \"%.64s\"", tname);
	if (mgr_json_get_bool(c->args, "exist_ok", &exist_ok) == -EINVAL)
		return mgr_call_err(c, -EINVAL, "\"exist_ok\" must be true or false");
	r = mgr_call_path(c, "path", &p);
	if (r < 0)
		return r;
	if (p.n == 0) {
		o = mgr_store_root(c->store);
		goto exists;
	}
	r = mgr_store_lookup_parent(c->store, &p, &dir);
	if (r == -ENOENT) {
		r = mgr_call_err(c, r, "no such container for: %.200s", mgr_call_path_text(c, "path"));
		goto out;
	}
	if (r < 0) {
		r = mgr_call_err(c, r, "not a container on the way to: %.200s", mgr_call_path_text(c, "path"));
		goto out;
	}
	name = &p.names[p.n - 1];
	o = mgr_obj_child(dir, name->s, name->len);
	if (o)
		goto exists;
	if (MGR_TYPE_BIT(t) & MGR_CONTAINERS)
		r = create_dir(c, dir, name, t);
	else
		r = create_obj(c, dir, name, t);
	goto out;
exists:
	/* As os.makedirs(exist_ok=True): only the same type will do. */
	if (exist_ok && o->type == t)
		r = mgr_reply_version(c, o);
	else
		r = mgr_call_err(c, -EEXIST, "exists as a %s: %.200s",
				 mgr_type_name(o->type), mgr_call_path_text(c, "path"));
out:
	mgr_path_release(&p);
	return r;
}

static int op_delete(struct mgr_call *c, struct mgr_obj *o)
{
	bool recursive = false;
	int r;

	if (mgr_json_get_bool(c->args, "recursive", &recursive) == -EINVAL)
		return mgr_call_err(c, -EINVAL, "\"recursive\" must be true or false");
	r = mgr_obj_delete(c->store, o, recursive);
	if (r == -EBUSY)
		return mgr_call_err(c, r, "the root cannot be deleted");
	if (r == -ENOTEMPTY)
		return mgr_call_err(c, r, "not empty (delete it recursively): %.200s",
				    mgr_call_path_text(c, "path"));
	if (r < 0)
		return mgr_call_err(c, r, "cannot delete %.200s", mgr_call_path_text(c, "path"));
	return mgr_call_result(c, yajl_gen_bool(c->out, 1) == yajl_gen_status_ok ? 0 : -EINVAL);
}

static int rename_err(struct mgr_call *c, int r)
{
	const char *why;

	switch (r) {
	case -EINVAL:
		why = "cannot move a container into itself";
		break;
	case -ENOTDIR:
		why = "a container cannot replace what is not one";
		break;
	case -EISDIR:
		why = "the destination is a container";
		break;
	case -ENOTEMPTY:
		why = "the destination is a container that is not empty";
		break;
	case -ENAMETOOLONG:
		why = "the result would be nested too deeply";
		break;
	default:
		why = "cannot rename";
		break;
	}
	return mgr_call_err(c, r, "%s: %.200s -> %.200s", why, mgr_call_path_text(c, "path"),
			    mgr_call_path_text(c, "to"));
}

static int op_rename(struct mgr_call *c, struct mgr_obj *unused)
{
	struct mgr_path src, dst;
	struct mgr_obj *o, *dir;
	const struct mgr_name *name;
	int r;

	r = mgr_call_path(c, "path", &src);
	if (r < 0)
		return r;
	r = mgr_call_path(c, "to", &dst);
	if (r < 0)
		goto out_src;
	r = mgr_store_lookup(c->store, &src, &o);
	if (r < 0) {
		r = mgr_call_err(c, r, r == -ENOENT ? "no such object: %.200s" :
				 "not a container on the way to: %.200s", mgr_call_path_text(c, "path"));
		goto out;
	}
	if (src.n == 0 || dst.n == 0) {
		r = mgr_call_err(c, -EBUSY, "the root cannot be renamed or replaced");
		goto out;
	}
	r = mgr_store_lookup_parent(c->store, &dst, &dir);
	if (r < 0) {
		r = mgr_call_err(c, r, r == -ENOENT ? "no such container for: %.200s" :
				 "not a container on the way to: %.200s", mgr_call_path_text(c, "to"));
		goto out;
	}
	name = &dst.names[dst.n - 1];
	r = mgr_obj_rename(c->store, o, dir, name->s, name->len);
	if (r < 0) {
		r = rename_err(c, r);
		goto out;
	}
	/* The object may have moved to make room for its new name. */
	r = mgr_reply_version(c, mgr_obj_child(dir, name->s, name->len));
out:
	mgr_path_release(&dst);
out_src:
	mgr_path_release(&src);
	return r;
}

/* Containers as objects keyed by name; other types as their module dumps
 * them, or as {"$type": name, ...stat members} when it does not. */
static int dump_obj(yajl_gen g, struct mgr_obj *o)
{
	const struct mgr_type *t = mgr_types[o->type];
	struct mgr_obj *child;
	int r;

	if (is_container(o)) {
		r = mgr_json_map_open(g);
		for (child = mgr_obj_first_child(o); child && !r; child = child->next) {
			/* A key cannot hold U+DC80 to U+DCFF (utf8.h). */
			r = mgr_json_gen_strn(g, child->name, child->namelen);
			if (r == -EINVAL)
				r = -EILSEQ;
			if (!r)
				r = dump_obj(g, child);
		}
		return r ? r : mgr_json_map_close(g);
	}
	if (t->dump)
		return t->dump(o, g);
	r = mgr_json_map_open(g);
	if (!r)
		r = mgr_json_kv_str(g, "$type", mgr_type_name(o->type));
	if (!r && t->stat)
		r = t->stat(o, g);
	return r ? r : mgr_json_map_close(g);
}

static int op_dump(struct mgr_call *c, struct mgr_obj *o)
{
	int r = dump_obj(c->out, o);

	if (r == -EILSEQ)
		return mgr_call_err(c, -EINVAL, "cannot dump %.200s: a name below it holds "
				    "bytes that are not UTF-8, which no JSON key can",
				    mgr_call_path_text(c, "path"));
	/* yajl_gen stops at YAJL_MAX_DEPTH levels. */
	return r < 0 ? mgr_call_err(c, r, "cannot dump %.200s (nested too deeply?)",
				    mgr_call_path_text(c, "path")) : 0;
}

static int op_pop(struct mgr_call *c, struct mgr_obj *o)
{
	int r = mgr_content_check_whole(c, o);

	if (r < 0)
		return r;
	r = mgr_datum_gen(c->out, o->u.value);

	if (r < 0)
		return mgr_call_result(c, r);
	mgr_obj_delete(c->store, o, false);
	return 0;
}

/* utime {"mtime_ns"}: set the time of the last change to the content (now
 * when absent), as touch and cp -p do; the change of status is now.  The
 * content is as it was, and the event says so ("meta"). */
static int op_utime(struct mgr_call *c, struct mgr_obj *o)
{
	int64_t mtime = mgr_store_now();

	if (mgr_json_get_i64(c->args, "mtime_ns", &mtime) == -EINVAL)
		return mgr_call_err(c, -EINVAL, "\"mtime_ns\" must be an integer of nanoseconds");
	o->mtime = mtime;
	mgr_store_changed(c->store, o, MGR_CHANGE_META);
	return mgr_reply_version(c, o);
}

/* The size of anything that has one: a container's children, a list's or
 * an array's items. */
static int op_len(struct mgr_call *c, struct mgr_obj *o)
{
	return mgr_reply_u64(c, mgr_types[o->type]->size(o));
}

#define SIZED (MGR_CONTAINERS | MGR_TYPE_BIT(MGR_LIST) | MGR_TYPE_BIT(MGR_ARRAY))

const struct mgr_op mgr_ops_tree[] = {
	{ "len", SIZED, 0, op_len },
	{ "stat", ALL_TYPES, 0, op_stat },
	{ "ls", MGR_CONTAINERS, 0, op_ls },
	{ "create", ALL_TYPES, MGR_OP_NOLOOKUP, op_create },
	{ "delete", ALL_TYPES, 0, op_delete },
	{ "rename", ALL_TYPES, MGR_OP_NOLOOKUP, op_rename },
	{ "dump", ALL_TYPES, 0, op_dump },
	{ "pop", MGR_TYPE_BIT(MGR_VALUE), 0, op_pop },
	{ "utime", ALL_TYPES, 0, op_utime },
	{ NULL, 0, 0, NULL },
};
