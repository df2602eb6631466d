#include "subs.h"

#include <errno.h>
#include <string.h>

#include "json.h"
#include "log.h"
#include "path.h"

int subs_subscribe(struct conn *c, struct mgr_call *call)
{
	struct mgr_buf canon = MGR_BUF_INIT;
	const char *text = "", *why;
	bool recursive = true;
	struct mgr_path p;
	struct conn_sub *s;
	size_t i;
	int r;

	if (mgr_json_get_str(call->args, "path", &text) == -EINVAL)
		return mgr_call_err(call, -EINVAL, "\"path\" must be a string");
	if (mgr_json_get_bool(call->args, "recursive", &recursive) == -EINVAL)
		return mgr_call_err(call, -EINVAL, "\"recursive\" must be true or false");
	r = mgr_path_parse(text, strlen(text), &p, &why);
	if (r < 0)
		return mgr_call_err(call, r, "%s", why);
	/* Paths are matched in the form mgr_obj_path gives, so a
	 * subscription spelled "/a/%62" matches changes to "a/b". */
	for (i = 0; i < p.n && r == 0; i++) {
		if (i)
			r = mgr_buf_append(&canon, "/", 1);
		if (r == 0)
			r = mgr_name_escape(p.names[i].s, p.names[i].len, &canon);
	}
	mgr_path_release(&p);
	if (r == 0)
		r = conn_sub_add(c, canon.data ? canon.data : "", canon.len, recursive, &s);
	mgr_buf_release(&canon);
	if (r == -ENOSPC)
		return mgr_call_err(call, r, "a session may have at most %d subscriptions",
				    MGR_SUBS_MAX);
	if (r < 0)
		return mgr_call_err(call, -ENOMEM, "out of memory");
	if (srv_gen_ok(yajl_gen_map_open(call->out)) < 0 ||
	    mgr_json_kv_u64(call->out, "sub", s->id) < 0)
		return mgr_call_err(call, -ENOMEM, "out of memory");
	return srv_gen_ok(yajl_gen_map_close(call->out));
}

int subs_unsubscribe(struct conn *c, struct mgr_call *call)
{
	uint64_t id;

	if (mgr_json_get_u64(call->args, "sub", &id) < 0)
		return mgr_call_err(call, -EINVAL,
				    "unsubscribe needs \"sub\", a subscription number");
	if (conn_sub_remove(c, id) < 0)
		return mgr_call_err(call, -ENOENT, "no such subscription: %llu",
				    (unsigned long long)id);
	return srv_gen_ok(yajl_gen_bool(call->out, 1));
}


static const char *const whats[] = {
	[MGR_CHANGE_CREATE] = "create",
	[MGR_CHANGE_UPDATE] = "update",
	[MGR_CHANGE_DELETE] = "delete",
	/* Marked "moving": to a client that does not know the mark, a
	 * rename is what it always was, a delete and then a create. */
	[MGR_CHANGE_MOVE] = "delete",
	/* Marked "meta": the object's times changed, not its content. */
	[MGR_CHANGE_META] = "update",
};

static int gen_event(yajl_gen g, const struct conn_sub *s, const struct mgr_buf *path,
		     enum mgr_change what, const struct mgr_obj *o)
{
	if (srv_gen_ok(yajl_gen_map_open(g)) < 0 ||
	    mgr_json_kv_str(g, "event", "change") < 0 ||
	    mgr_json_kv_u64(g, "sub", s->id) < 0 ||
	    mgr_json_gen_cstr(g, "path") < 0 ||
	    mgr_json_gen_strn(g, path->data ? path->data : "", path->len) < 0 ||
	    mgr_json_kv_str(g, "what", whats[what]) < 0 ||
	    mgr_json_kv_str(g, "type", mgr_type_name(o->type)) < 0 ||
	    mgr_json_kv_u64(g, "version", o->version) < 0 ||
	    mgr_json_kv_i64(g, "mtime_ns", o->mtime) < 0 ||
	    mgr_json_kv_i64(g, "ctime_ns", o->ctime) < 0 ||
	    (what == MGR_CHANGE_MOVE && mgr_json_kv_bool(g, "moving", true) < 0) ||
	    (what == MGR_CHANGE_META && mgr_json_kv_bool(g, "meta", true) < 0))
		return -EINVAL;
	/* The connection whose request made the change is told which: a
	 * client that knows what its own request did need not act on it. */
	if (s->c == s->c->srv->cause && mgr_json_kv_u64(g, "request", s->c->srv->cause_id) < 0)
		return -EINVAL;
	return srv_gen_ok(yajl_gen_map_close(g));
}

/* Send the event to the subscriptions to exactly the first len bytes of
 * the changed path: all of them when that is the whole path, else the
 * recursive ones.  -EINVAL when the event cannot be written. */
static int notify_prefix(struct mgr_server *srv, uint32_t hash, size_t len, bool whole,
			 struct mgr_obj *o, enum mgr_change what)
{
	struct mgr_dlist *bucket = conn_sub_bucket(srv, hash), *pos, *tmp;

	mgr_dlist_for_each(pos, tmp, bucket) {
		struct conn_sub *s = mgr_container_of(pos, struct conn_sub, srv_link);

		if (s->hash != hash || s->len != len || (!whole && !s->recursive) ||
		    (len && memcmp(s->path, srv->path.data, len) != 0))
			continue;
		if (gen_event(srv->gen, s, &srv->path, what, o) < 0) {
			srv_gen_reset(srv->gen);
			return -EINVAL;
		}
		conn_send(s->c, srv->gen);
	}
	return 0;
}

/* A change to "a/b/c" concerns the subscriptions to "a/b/c" and the
 * recursive ones to "a/b", "a" and "": one look into the table for each,
 * so that a write costs the same however many subscriptions there are
 * elsewhere. */
void subs_hook(void *arg, struct mgr_obj *o, enum mgr_change what)
{
	struct mgr_server *srv = arg;
	uint32_t hash = SRV_HASH_INIT;
	size_t i;
	int r;

	if (!srv->nsubs)
		return;
	srv->path.len = 0;
	if (mgr_obj_path(o, &srv->path) < 0) {
		mgr_log(MGR_LOG_ERROR, "out of memory: a change event was lost");
		return;
	}
	r = notify_prefix(srv, hash, 0, srv->path.len == 0, o, what);
	for (i = 0; i < srv->path.len && r == 0; i++) {
		hash = srv_hash_step(hash, (unsigned char)srv->path.data[i]);
		if (i + 1 == srv->path.len || srv->path.data[i + 1] == '/')
			r = notify_prefix(srv, hash, i + 1, i + 1 == srv->path.len, o, what);
	}
	if (r < 0)
		mgr_log(MGR_LOG_DEBUG, "no event for a change to a path that is not UTF-8");
}
