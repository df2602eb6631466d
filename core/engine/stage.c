/* Stages: new contents built in pieces and committed at once (see
 * stage.h).
 *
 *   stage                            → {"stage": ID}
 *   stage_write {"stage","offset","bytes"} → {"size": S}
 *   stage_truncate {"stage","size"}   → {"size": S}
 *   stage_read {"stage","offset","length"} → {"bytes": B, "size": S}
 *   commit {"stage","path"}          → {"version": V}
 *   stage_drop {"stage"}             → true
 *
 * A stage is raw bytes, grown as a value's content is (content.h); commit
 * makes it the value's datum without a copy, as set would make a value
 * that is missing.  What stages hold counts as the store's data, against
 * the manager's limit (mgr_store_fits), from their first byte. */
#include "stage.h"

#include <errno.h>
#include <stdlib.h>

#include "content.h"
#include "json.h"
#include "wait.h"

struct mgr_stage {
	struct mgr_dlist link;		/* in its session's stages */
	uint64_t id;
	struct mgr_datum *d;		/* the content, raw bytes */
};

/* Stage numbers, never reused while the manager runs. */
static uint64_t last_id;

static void stage_free(struct mgr_store *s, struct mgr_stage *st)
{
	if (st->d)
		mgr_store_account(s, -(int64_t)mgr_datum_cost(st->d));
	mgr_dlist_remove(&st->link);
	mgr_datum_free(st->d);
	free(st);
}

void mgr_stage_session_end(struct mgr_store *s, struct mgr_session *sess)
{
	struct mgr_stage *st;

	while ((st = mgr_dlist_first(&sess->stages, struct mgr_stage, link)))
		stage_free(s, st);
}

/* The stage named by the request's "stage", which must be the session's
 * own.  0, or -errno after mgr_call_err. */
static int find(struct mgr_call *c, struct mgr_stage **out)
{
	struct mgr_dlist *pos, *tmp;
	uint64_t id;

	if (mgr_json_get_u64(c->args, "stage", &id) < 0)
		return mgr_call_err(c, -EINVAL, "\"stage\" must be a stage's number");
	mgr_dlist_for_each(pos, tmp, &c->sess->stages) {
		*out = mgr_container_of(pos, struct mgr_stage, link);
		if ((*out)->id == id)
			return 0;
	}
	return mgr_call_err(c, -ENOENT, "no stage %llu in this session", (unsigned long long)id);
}

static int reply_size(struct mgr_call *c, const struct mgr_stage *st)
{
	int r = mgr_json_map_open(c->out);

	if (!r)
		r = mgr_json_kv_u64(c->out, "size", st->d->len);
	if (!r)
		r = mgr_json_map_close(c->out);
	return mgr_call_result(c, r);
}

static int op_stage(struct mgr_call *c, struct mgr_obj *unused)
{
	struct mgr_stage *st = calloc(1, sizeof(*st));
	int r;

	if (st)
		st->d = mgr_datum_new(MGR_DATUM_BYTES, "", 0);
	if (!st || !st->d) {
		free(st);
		return mgr_call_err(c, -ENOMEM, "out of memory");
	}
	st->id = ++last_id;
	mgr_store_account(c->store, mgr_datum_cost(st->d));
	mgr_dlist_append(&c->sess->stages, &st->link);
	r = mgr_json_map_open(c->out);
	if (!r)
		r = mgr_json_kv_u64(c->out, "stage", st->id);
	if (!r)
		r = mgr_json_map_close(c->out);
	if (r < 0)
		stage_free(c->store, st);
	return mgr_call_result(c, r);
}

/* Make st's content end at end (data NULL: cut or zero-extend it there;
 * else write data from end - n), counted in the store.  0 or -errno after
 * mgr_call_err. */
static int edit(struct mgr_call *c, struct mgr_stage *st, uint64_t end, const void *data, size_t n)
{
	uint64_t was = mgr_datum_cost(st->d);
	int r = end > st->d->len ? mgr_call_fits(c, end - st->d->len) : 0;

	if (r < 0)
		return r;
	r = data ? mgr_content_write(&st->d, end - n, data, n) : mgr_content_truncate(&st->d, end);
	if (r < 0)
		return mgr_call_err(c, -ENOMEM, "out of memory");
	mgr_store_account(c->store, (int64_t)mgr_datum_cost(st->d) - (int64_t)was);
	return 0;
}

static int op_stage_write(struct mgr_call *c, struct mgr_obj *unused)
{
	struct mgr_buf data = MGR_BUF_INIT;
	struct mgr_stage *st;
	uint64_t off;
	int r = find(c, &st);

	if (!r)
		r = mgr_content_piece_arg(c, &data, &off);
	if (!r)
		r = edit(c, st, off + data.len, data.data ? data.data : "", data.len);
	mgr_buf_release(&data);
	return r < 0 ? r : reply_size(c, st);
}

/* A range of what is staged, for a client that shows it (mgrfs shows a
 * file being rewritten as it is written), at most MGR_IO_MAX bytes. */
static int op_stage_read(struct mgr_call *c, struct mgr_obj *unused)
{
	struct mgr_stage *st;
	uint64_t off, len;
	int r = find(c, &st);

	if (!r)
		r = mgr_content_range_arg(c, st->d->len, &off, &len);
	if (r < 0)
		return r;
	r = mgr_content_gen_bytes(c->out, st->d->data + off, len, st->d->len);
	if (!r)
		r = mgr_json_map_close(c->out);
	return mgr_call_result(c, r);
}

static int op_stage_truncate(struct mgr_call *c, struct mgr_obj *unused)
{
	struct mgr_stage *st;
	uint64_t size;
	int r = find(c, &st);

	if (!r) {
		r = mgr_content_pos_arg(c, "size", 0, &size);
		if (r == -ENOENT)
			r = mgr_call_err(c, -EINVAL, "missing \"size\"");
	}
	if (!r)
		r = edit(c, st, size, NULL, 0);
	return r < 0 ? r : reply_size(c, st);
}

/* The value at the request's path, made (holding empty bytes) when it is
 * missing and its parent is a container, as set makes one. */
static int target(struct mgr_call *c, struct mgr_obj **o)
{
	const struct mgr_name *name;
	struct mgr_obj *dir;
	struct mgr_path p;
	int r = mgr_call_path(c, "path", &p);

	if (r < 0)
		return r;
	r = mgr_store_lookup(c->store, &p, o);
	if (r == 0 && (*o)->type != MGR_VALUE)
		r = mgr_call_err(c, -ENOTSUP, "commit: the object is a %s, not a value",
				 mgr_type_name((*o)->type));
	else if (r == -ENOENT && mgr_store_lookup_parent(c->store, &p, &dir) == 0) {
		name = &p.names[p.n - 1];
		r = mgr_obj_new(c->store, dir, name->s, name->len, MGR_VALUE, o);
		if (r == 0) {
			(*o)->u.value = mgr_datum_new(MGR_DATUM_BYTES, "", 0);
			if ((*o)->u.value)
				mgr_store_changed(c->store, *o, MGR_CHANGE_CREATE);
			else
				mgr_obj_discard(c->store, *o);
			r = (*o)->u.value ? 0 : -ENOMEM;
		}
		if (r < 0)
			r = mgr_call_err(c, r, "cannot make %.200s", mgr_call_path_text(c, "path"));
	} else if (r < 0) {
		r = mgr_call_err(c, r, r == -ENOENT ? "no such container for: %.200s" :
				 "not a container on the way to: %.200s", mgr_call_path_text(c, "path"));
	}
	mgr_path_release(&p);
	return r;
}

static int op_commit(struct mgr_call *c, struct mgr_obj *unused)
{
	struct mgr_stage *st;
	struct mgr_obj *o;
	int r = find(c, &st);

	if (!r)
		r = mgr_call_room(c, st->d->len);
	if (!r)
		r = target(c, &o);
	if (r < 0)
		return r;
	/* The stage's content goes to the value whatever comes of it: a
	 * typed value that refuses it has it freed. */
	mgr_store_account(c->store, -(int64_t)mgr_datum_cost(st->d));
	r = mgr_content_store(c, o, st->d, mgr_datum_cost(o->u.value));
	st->d = NULL;
	stage_free(c->store, st);
	return r < 0 ? r : mgr_reply_version(c, o);
}

static int op_stage_drop(struct mgr_call *c, struct mgr_obj *unused)
{
	struct mgr_stage *st;
	int r = find(c, &st);

	if (r < 0)
		return r;
	stage_free(c->store, st);
	return mgr_reply_bool(c, true);
}

#define ALL_TYPES ((1u << MGR_NTYPES) - 1)

const struct mgr_op mgr_ops_stage[] = {
	{ "stage", ALL_TYPES, MGR_OP_NOLOOKUP, op_stage },
	{ "stage_write", ALL_TYPES, MGR_OP_NOLOOKUP, op_stage_write },
	{ "stage_truncate", ALL_TYPES, MGR_OP_NOLOOKUP, op_stage_truncate },
	{ "stage_read", ALL_TYPES, MGR_OP_NOLOOKUP, op_stage_read },
	{ "commit", ALL_TYPES, MGR_OP_NOLOOKUP, op_commit },
	{ "stage_drop", ALL_TYPES, MGR_OP_NOLOOKUP, op_stage_drop },
	{ NULL, 0, 0, NULL },
};
