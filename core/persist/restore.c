#include "restore.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "content.h"
#include "record.h"

int mgr_outset_add(struct mgr_outset *set, uint64_t id, struct mgr_obj *obj,
		   struct mgr_datum *item)
{
	struct mgr_outstanding *v;
	size_t cap;

	if (set->n == set->cap) {
		cap = set->cap ? set->cap * 2 : 16;
		v = realloc(set->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		set->v = v;
		set->cap = cap;
	}
	set->v[set->n].id = id;
	set->v[set->n].obj = obj;
	set->v[set->n].item = item;
	set->n++;
	return 0;
}

void mgr_outset_remove(struct mgr_outset *set, uint64_t id)
{
	size_t i;

	/* Items are mostly acknowledged in the order they went out. */
	for (i = 0; i < set->n; i++) {
		if (set->v[i].id != id)
			continue;
		mgr_datum_free(set->v[i].item);
		memmove(&set->v[i], &set->v[i + 1], (set->n - i - 1) * sizeof(set->v[0]));
		set->n--;
		return;
	}
}

void mgr_outset_forget(struct mgr_outset *set, const struct mgr_obj *o)
{
	const struct mgr_obj *p;
	size_t i;

	for (i = 0; i < set->n; i++)
		for (p = set->v[i].obj; p; p = p->parent)
			if (p == o) {
				set->v[i].obj = NULL;
				break;
			}
}

void mgr_outset_clear(struct mgr_outset *set)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		mgr_datum_free(set->v[i].item);
	free(set->v);
	memset(set, 0, sizeof(*set));
}

static void saw_version(struct mgr_restore *rs, uint64_t v)
{
	if (v > rs->version)
		rs->version = v;
}

static bool is_container(enum mgr_type_id t)
{
	return MGR_TYPE_BIT(t) & MGR_CONTAINERS;
}

static int load_new(struct mgr_restore *rs, struct mgr_rec_path *p, uint64_t type, uint64_t tc,
		    struct mgr_img *in, struct mgr_obj **out)
{
	const struct mgr_type *t = mgr_types[type];
	struct mgr_obj *o;
	int r;

	if (!p->parent)
		return -EINVAL;
	r = mgr_obj_new(rs->store, p->parent, p->name, p->len, (enum mgr_type_id)type, &o);
	if (r < 0)
		return r == -ENOMEM || r == -EEXIST ? r : -EINVAL;
	o->typecode = (char)tc;
	if (!is_container(type)) {
		r = t->load(rs->store, o, in, true);
		if (r < 0) {
			mgr_obj_discard(rs->store, o);
			return r;
		}
	}
	mgr_store_adopt(rs->store, o);
	*out = o;
	return 0;
}

/* Format 1 kept no times: its objects have the time of the load (the
 * first record that makes them). */
static void set_times(struct mgr_restore *rs, struct mgr_obj *o, uint64_t mtime, uint64_t ctime)
{
	if (rs->format >= 2) {
		o->mtime = (int64_t)mtime;
		o->ctime = (int64_t)ctime;
	} else if (!o->mtime) {
		o->mtime = o->ctime = mgr_store_now();
	}
}

static int apply_image(struct mgr_restore *rs, struct mgr_img *in)
{
	struct mgr_rec_path p;
	uint64_t type, tc, version, full, mtime = 0, ctime = 0;
	const struct mgr_type *t;
	struct mgr_obj *o;
	struct mgr_img state;
	int r = mgr_rec_get_parent(rs->store, in, &p);

	if (r < 0 || (!p.obj && !p.parent) || mgr_img_get_u64(in, &type) < 0 || type >= MGR_NTYPES ||
	    !(t = mgr_types[type]) || mgr_img_get_u64(in, &tc) < 0 || tc > 127 ||
	    mgr_img_get_u64(in, &version) < 0 ||
	    (rs->format >= 2 && (mgr_img_get_u64(in, &mtime) < 0 || mgr_img_get_u64(in, &ctime) < 0)) ||
	    mgr_img_get_u64(in, &full) < 0 || full > 1)
		return -EINVAL;
	/* Only a type that reports notes is ever saved in part. */
	if (!is_container(type) && (!t->load || !t->save || (!full && !t->replay)))
		return -EINVAL;
	/* Most images make an object (a snapshot's all do): one lookup, in
	 * the making, unless it is there already. */
	o = p.obj;
	state = *in;
	if (!o && full && (r = load_new(rs, &p, type, tc, in, &o)) != -EEXIST) {
		if (r < 0)
			return r;
		goto made;
	}
	if (!o && !(o = mgr_obj_child(p.parent, p.name, p.len)) && !full)
		return -EINVAL;
	*in = state;
	r = 0;
	if (o && o->type != type) {
		if (!o->parent)
			return -EINVAL;
		mgr_outset_forget(&rs->out, o);
		mgr_obj_delete(rs->store, o, true);
		o = NULL;
	}
	if (!o && !full && !is_container(type))
		return -EINVAL;
	if (!o) {
		r = load_new(rs, &p, type, tc, in, &o);
	} else if (!is_container(type)) {
		if (full) {
			mgr_obj_drop_state(rs->store, o);
			o->typecode = (char)tc;
			r = t->load(rs->store, o, in, true);
			if (r < 0) {
				/* Nothing may stay without state. */
				mgr_outset_forget(&rs->out, o);
				mgr_obj_discard(rs->store, o);
				return r;
			}
			mgr_store_adopt(rs->store, o);
		} else {
			r = t->load(rs->store, o, in, false);
		}
	}
	if (r < 0)
		return r;
made:
	if (in->p != in->end)
		return -EINVAL;
	o->version = version;
	saw_version(rs, version);
	set_times(rs, o, mtime, ctime);
	return 0;
}

static int apply_times(struct mgr_restore *rs, struct mgr_img *in)
{
	struct mgr_rec_path p;
	uint64_t version, mtime, ctime;

	if (rs->format < 2 || mgr_rec_get_path(rs->store, in, &p) < 0 ||
	    mgr_img_get_u64(in, &version) < 0 || mgr_img_get_u64(in, &mtime) < 0 ||
	    mgr_img_get_u64(in, &ctime) < 0 || in->p != in->end)
		return -EINVAL;
	p.obj->version = version;
	saw_version(rs, version);
	set_times(rs, p.obj, mtime, ctime);
	return 0;
}

static int apply_delete(struct mgr_restore *rs, struct mgr_img *in)
{
	struct mgr_rec_path p;
	uint64_t version;
	int r = mgr_rec_get_path(rs->store, in, &p);

	if (r == -EINVAL || mgr_img_get_u64(in, &version) < 0)
		return -EINVAL;
	saw_version(rs, version);
	/* Each object below a container deleted whole has its own record,
	 * after the container's. */
	if (r == -ENOENT)
		return 0;
	if (!p.obj->parent)
		return -EINVAL;
	mgr_outset_forget(&rs->out, p.obj);
	mgr_obj_delete(rs->store, p.obj, true);
	return 0;
}

static int apply_rename(struct mgr_restore *rs, struct mgr_img *in)
{
	struct mgr_rec_path from, to;
	struct mgr_obj *old;

	if (mgr_rec_get_path(rs->store, in, &from) < 0 || !from.obj->parent)
		return -EINVAL;
	if (mgr_rec_get_path(rs->store, in, &to) == -EINVAL || !to.parent)
		return -EINVAL;
	old = to.obj;
	if (old && old != from.obj)
		mgr_outset_forget(&rs->out, old);
	return mgr_obj_rename(rs->store, from.obj, to.parent, to.name, to.len) < 0 ? -EINVAL : 0;
}

static int apply_range(struct mgr_restore *rs, struct mgr_img *in)
{
	struct mgr_rec_path p;
	uint64_t off, more;
	const void *data = NULL;
	size_t n = 0;
	int r;

	if (mgr_rec_get_path(rs->store, in, &p) < 0 || mgr_img_get_u64(in, &off) < 0 ||
	    mgr_img_get_u64(in, &more) < 0 || more > 1 ||
	    (more && mgr_img_get_bytes(in, &data, &n) < 0) || in->p != in->end)
		return -EINVAL;
	r = mgr_content_replay(rs->store, p.obj, off, more ? data ? data : "" : NULL, n);
	return r == -ENOMEM ? r : r < 0 ? -EINVAL : 0;
}

static int apply_note(struct mgr_restore *rs, struct mgr_img *in)
{
	struct mgr_datum *d = NULL;
	struct mgr_rec_path p;
	const struct mgr_type *t;
	uint64_t what;
	int r;

	if (mgr_rec_get_path(rs->store, in, &p) < 0 || mgr_img_get_u64(in, &what) < 0)
		return -EINVAL;
	t = mgr_types[p.obj->type];
	if (!t || !t->replay)
		return -EINVAL;
	if (what == MGR_NOTE_PUSH_TAIL || what == MGR_NOTE_PUSH_HEAD) {
		r = mgr_img_get_datum(in, &d);
		if (r < 0)
			return r;
	}
	r = t->replay(rs->store, p.obj, (int)what, d);
	if (r < 0)
		mgr_datum_free(d);
	return r < 0 ? -EINVAL : 0;
}

static int apply_given(struct mgr_restore *rs, struct mgr_img *in)
{
	struct mgr_rec_path p;
	struct mgr_datum *d;
	uint64_t id;
	int r;

	if (mgr_img_get_u64(in, &id) < 0 || mgr_rec_get_path(rs->store, in, &p) < 0 ||
	    p.obj->type != MGR_QUEUE)
		return -EINVAL;
	r = mgr_img_get_datum(in, &d);
	if (r < 0)
		return r;
	/* An id is a live item's while it is out, so a stale one goes. */
	mgr_outset_remove(&rs->out, id);
	r = mgr_outset_add(&rs->out, id, p.obj, d);
	if (r < 0)
		mgr_datum_free(d);
	return r;
}

int mgr_restore_apply(struct mgr_restore *rs, struct mgr_img *in, uint64_t *end)
{
	uint64_t kind, v;

	if (mgr_img_get_u64(in, &kind) < 0)
		return -EINVAL;
	rs->records++;
	switch (kind) {
	case MGR_REC_IMAGE:
		return apply_image(rs, in);
	case MGR_REC_DELETE:
		return apply_delete(rs, in);
	case MGR_REC_RENAME:
		return apply_rename(rs, in);
	case MGR_REC_NOTE:
		return apply_note(rs, in);
	case MGR_REC_GIVEN:
		return apply_given(rs, in);
	case MGR_REC_GONE:
		if (mgr_img_get_u64(in, &v) < 0)
			return -EINVAL;
		mgr_outset_remove(&rs->out, v);
		return 0;
	case MGR_REC_VERSION:
		if (mgr_img_get_u64(in, &v) < 0)
			return -EINVAL;
		saw_version(rs, v);
		return 0;
	case MGR_REC_TIMES:
		return apply_times(rs, in);
	case MGR_REC_RANGE:
		return apply_range(rs, in);
	case MGR_REC_GROUP:
		/* The journal's reader checks that its records are all there. */
		return mgr_img_get_u64(in, &v) < 0 ? -EINVAL : 0;
	case MGR_REC_END:
		if (mgr_img_get_u64(in, end) < 0)
			return -EINVAL;
		return -ENODATA;
	default:
		return -EINVAL;
	}
}
