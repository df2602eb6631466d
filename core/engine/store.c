#include "store.h"

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>


/* A container's children: a chained hash table over the names, plus the
 * sibling list (the objects' prev/next) that keeps insertion order.  The
 * table is a power of two in size and is allocated only once the container
 * has children, so an empty dict costs one small struct. */
struct mgr_dir {
	struct mgr_obj **buckets;
	struct mgr_obj *first, *last;
	uint64_t count;
	uint64_t ndirs;		/* children that are containers */
	uint32_t nbuckets;	/* 0 or a power of two */
};

#define DIR_MIN_BUCKETS 8u

struct mgr_store {
	struct mgr_obj *root;
	uint64_t version;	/* the last version handed out */
	uint64_t bytes, limit;	/* see mgr_store_bytes */
	mgr_change_fn hook;
	void *hook_arg;
	struct mgr_journal_hooks journal;
	struct mgr_waits *waits;
};

static bool is_container(const struct mgr_obj *o)
{
	return MGR_TYPE_BIT(o->type) & MGR_CONTAINERS;
}

/* Objects of these types are only ever pointed at by the tree itself, so
 * rename may move them to make room for a longer name.  The others are
 * referenced by waiters and holds and get room for the longest name. */
static bool is_movable(enum mgr_type_id t)
{
	return t == MGR_NAMESPACE || t == MGR_DICT || t == MGR_VALUE ||
	       t == MGR_LIST || t == MGR_ARRAY;
}

/* FNV-1a, then a final mix so that the low bits used as the bucket index
 * depend on every byte. */
static uint32_t name_hash(const char *name, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)name[i];
		h *= 16777619u;
	}
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

static int dir_resize(struct mgr_dir *d, uint32_t n)
{
	struct mgr_obj **b, *o;

	b = calloc(n, sizeof(*b));
	if (!b)
		return -ENOMEM;
	for (o = d->first; o; o = o->next) {
		o->hnext = b[o->hash & (n - 1)];
		b[o->hash & (n - 1)] = o;
	}
	free(d->buckets);
	d->buckets = b;
	d->nbuckets = n;
	return 0;
}

/* Append o to d's children.  Only making the first table can fail; a
 * table that cannot grow just gets longer chains. */
static int dir_link(struct mgr_dir *d, struct mgr_obj *o)
{
	struct mgr_obj **slot;

	if (!d->nbuckets && dir_resize(d, DIR_MIN_BUCKETS) < 0)
		return -ENOMEM;
	o->prev = d->last;
	o->next = NULL;
	if (d->last)
		d->last->next = o;
	else
		d->first = o;
	d->last = o;
	d->count++;
	d->ndirs += is_container(o);
	if (d->count > d->nbuckets && d->nbuckets <= UINT32_MAX / 2 &&
	    dir_resize(d, d->nbuckets * 2) == 0)
		return 0;
	slot = &d->buckets[o->hash & (d->nbuckets - 1)];
	o->hnext = *slot;
	*slot = o;
	return 0;
}

static void dir_unlink(struct mgr_dir *d, struct mgr_obj *o)
{
	struct mgr_obj **slot = &d->buckets[o->hash & (d->nbuckets - 1)];

	while (*slot != o)
		slot = &(*slot)->hnext;
	*slot = o->hnext;
	if (o->prev)
		o->prev->next = o->next;
	else
		d->first = o->next;
	if (o->next)
		o->next->prev = o->prev;
	else
		d->last = o->prev;
	o->prev = o->next = o->hnext = NULL;
	d->count--;
	d->ndirs -= is_container(o);
	/* Give memory back when a big container empties.  The table never
	 * goes away once made, so linking into it cannot fail. */
	if (d->nbuckets > DIR_MIN_BUCKETS && d->count < d->nbuckets / 8)
		dir_resize(d, d->nbuckets / 4);
}

static struct mgr_obj *obj_alloc(const char *name, size_t len, enum mgr_type_id t)
{
	size_t room = is_movable(t) ? len : MGR_NAME_BYTES_MAX;
	struct mgr_obj *o = calloc(1, sizeof(*o) + room + 1);

	if (!o)
		return NULL;
	if (MGR_TYPE_BIT(t) & MGR_CONTAINERS) {
		o->u.dir = calloc(1, sizeof(*o->u.dir));
		if (!o->u.dir) {
			free(o);
			return NULL;
		}
	}
	o->type = t;
	o->namelen = (uint16_t)len;
	o->hash = name_hash(name, len);
	memcpy(o->name, name, len);
	return o;
}

/* What o costs the store itself, its type's state aside: the object with
 * its name (or the room for the longest, see is_movable), a slot in its
 * parent's table, a container's table, a value's datum. */
static uint64_t obj_cost(const struct mgr_obj *o)
{
	uint64_t n = sizeof(*o) + (is_movable(o->type) ? o->namelen : MGR_NAME_MAX) + 1 +
		     MGR_ITEM_OVERHEAD;

	if (is_container(o))
		n += sizeof(*o->u.dir);
	if (o->type == MGR_VALUE && o->u.value)
		n += mgr_datum_cost(o->u.value);
	return n;
}

uint64_t mgr_store_bytes(const struct mgr_store *s)
{
	return s->bytes;
}

void mgr_store_account(struct mgr_store *s, int64_t delta)
{
	s->bytes += (uint64_t)delta;
}

void mgr_store_set_limit(struct mgr_store *s, uint64_t limit)
{
	s->limit = limit;
}

uint64_t mgr_store_limit(const struct mgr_store *s)
{
	return s->limit;
}

bool mgr_store_fits(const struct mgr_store *s, uint64_t more)
{
	return !s->limit || (s->bytes <= s->limit && more <= s->limit - s->bytes);
}

struct mgr_store *mgr_store_new(void)
{
	struct mgr_store *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->root = obj_alloc("", 0, MGR_NAMESPACE);
	if (!s->root) {
		mgr_store_free(s);
		return NULL;
	}
	s->root->version = ++s->version;
	s->root->mtime = s->root->ctime = mgr_store_now();
	return s;
}

/* Tell the hooks of a change. */
static void report(struct mgr_store *s, struct mgr_obj *o, enum mgr_change what)
{
	if (s->hook)
		s->hook(s->hook_arg, o, what);
	if (s->journal.changed)
		s->journal.changed(s->journal.arg, o, what);
}

/* Free o and everything below it.  With report, each descendant is
 * announced as deleted first, while it and its parent are still whole.
 * The caller unlinks o itself; children are not unlinked one by one since
 * their table goes with o. */
static void obj_destroy(struct mgr_store *s, struct mgr_obj *o, bool report_it)
{
	const struct mgr_type *t = mgr_types[o->type];
	struct mgr_obj *c, *next;

	/* Only what was reported as made was counted (mgr_store_changed). */
	if (report_it)
		s->bytes -= obj_cost(o);
	if (is_container(o)) {
		for (c = o->u.dir->first; c; c = next) {
			next = c->next;
			if (report_it)
				report(s, c, MGR_CHANGE_DELETE);
			obj_destroy(s, c, report_it);
		}
		free(o->u.dir->buckets);
		free(o->u.dir);
	} else if (t && t->destroy) {
		t->destroy(s, o);
	}
	free(o);
}

void mgr_store_free(struct mgr_store *s)
{
	if (!s)
		return;
	/* Shutting down is not a change anybody is listening for. */
	s->hook = NULL;
	memset(&s->journal, 0, sizeof(s->journal));
	if (s->root)
		obj_destroy(s, s->root, false);
	free(s);
}

struct mgr_obj *mgr_store_root(struct mgr_store *s)
{
	return s->root;
}

void mgr_store_set_waits(struct mgr_store *s, struct mgr_waits *w)
{
	s->waits = w;
}

struct mgr_waits *mgr_store_waits(struct mgr_store *s)
{
	return s->waits;
}

void mgr_store_set_hook(struct mgr_store *s, mgr_change_fn fn, void *arg)
{
	s->hook = fn;
	s->hook_arg = arg;
}

int64_t mgr_store_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void touch(struct mgr_store *s, struct mgr_obj *o, enum mgr_change what)
{
	int64_t now = mgr_store_now();

	o->version = ++s->version;
	switch (what) {
	case MGR_CHANGE_CREATE:
		/* A renamed object is created anew at its new path, with the
		 * content it had. */
		if (!o->mtime)
			o->mtime = now;
		o->ctime = now;
		break;
	case MGR_CHANGE_UPDATE:
		o->mtime = o->ctime = now;
		break;
	case MGR_CHANGE_MOVE:
	case MGR_CHANGE_META:
		o->ctime = now;
		break;
	case MGR_CHANGE_DELETE:
		break;
	}
	report(s, o, what);
}

void mgr_store_set_journal(struct mgr_store *s, const struct mgr_journal_hooks *j)
{
	if (j)
		s->journal = *j;
	else
		memset(&s->journal, 0, sizeof(s->journal));
}

void mgr_store_note(struct mgr_store *s, struct mgr_obj *o, enum mgr_note what,
		    const struct mgr_datum *d, uint64_t id)
{
	if (s->journal.note)
		s->journal.note(s->journal.arg, o, what, d, id);
}

void mgr_store_range(struct mgr_store *s, struct mgr_obj *o, uint64_t off, const void *data,
		     size_t n)
{
	if (s->journal.range)
		s->journal.range(s->journal.arg, o, off, data, n);
}

int mgr_store_room(struct mgr_store *s, uint64_t bytes)
{
	return s->journal.room ? s->journal.room(s->journal.arg, bytes) : 0;
}

uint64_t mgr_store_version(const struct mgr_store *s)
{
	return s->version;
}

void mgr_store_set_version(struct mgr_store *s, uint64_t v)
{
	if (v > s->version)
		s->version = v;
}

void mgr_store_adopt(struct mgr_store *s, struct mgr_obj *o)
{
	s->bytes += obj_cost(o);
}

void mgr_obj_drop_state(struct mgr_store *s, struct mgr_obj *o)
{
	const struct mgr_type *t = mgr_types[o->type];

	s->bytes -= obj_cost(o);
	if (t && t->destroy)
		t->destroy(s, o);
	o->u.state = NULL;
}

static void changed(struct mgr_store *s, struct mgr_obj *o, enum mgr_change what)
{
	touch(s, o, what);
	if (what != MGR_CHANGE_UPDATE && what != MGR_CHANGE_META && o->parent)
		touch(s, o->parent, MGR_CHANGE_UPDATE);
}

void mgr_store_changed(struct mgr_store *s, struct mgr_obj *o, enum mgr_change what)
{
	/* Every object made is reported made once it is whole, a value
	 * with its datum (a rename reports its create itself). */
	if (what == MGR_CHANGE_CREATE)
		s->bytes += obj_cost(o);
	changed(s, o, what);
}

struct mgr_obj *mgr_obj_child(const struct mgr_obj *dir, const char *name, size_t len)
{
	const struct mgr_dir *d = dir->u.dir;
	struct mgr_obj *o;
	uint32_t h;

	if (!is_container(dir) || !d->nbuckets)
		return NULL;
	h = name_hash(name, len);
	for (o = d->buckets[h & (d->nbuckets - 1)]; o; o = o->hnext)
		if (o->hash == h && o->namelen == len && memcmp(o->name, name, len) == 0)
			return o;
	return NULL;
}

struct mgr_obj *mgr_obj_first_child(const struct mgr_obj *dir)
{
	return is_container(dir) ? dir->u.dir->first : NULL;
}

struct mgr_obj *mgr_obj_last_child(const struct mgr_obj *dir)
{
	return is_container(dir) ? dir->u.dir->last : NULL;
}

uint64_t mgr_obj_nchildren(const struct mgr_obj *dir)
{
	return is_container(dir) ? dir->u.dir->count : 0;
}

uint64_t mgr_obj_nsubdirs(const struct mgr_obj *dir)
{
	return is_container(dir) ? dir->u.dir->ndirs : 0;
}

static int walk(struct mgr_store *s, const struct mgr_path *p, size_t n, struct mgr_obj **out)
{
	struct mgr_obj *o = s->root;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!is_container(o))
			return -ENOTDIR;
		o = mgr_obj_child(o, p->names[i].s, p->names[i].len);
		if (!o)
			return -ENOENT;
	}
	*out = o;
	return 0;
}

int mgr_store_lookup(struct mgr_store *s, const struct mgr_path *p, struct mgr_obj **out)
{
	return walk(s, p, p->n, out);
}

int mgr_store_lookup_parent(struct mgr_store *s, const struct mgr_path *p, struct mgr_obj **out)
{
	struct mgr_obj *o;
	int r;

	if (p->n == 0)
		return -EINVAL;
	r = walk(s, p, p->n - 1, &o);
	if (r < 0)
		return r;
	if (!is_container(o))
		return -ENOTDIR;
	*out = o;
	return 0;
}

/* Names between o and the root. */
static size_t obj_depth(const struct mgr_obj *o)
{
	size_t n = 0;

	for (; o->parent; o = o->parent)
		n++;
	return n;
}

/* Levels below o: 0 for anything but a non-empty container. */
static size_t obj_height(const struct mgr_obj *o)
{
	const struct mgr_obj *c;
	size_t h = 0, ch;

	if (!is_container(o))
		return 0;
	for (c = o->u.dir->first; c; c = c->next) {
		ch = obj_height(c) + 1;
		if (ch > h)
			h = ch;
	}
	return h;
}

int mgr_obj_new(struct mgr_store *s, struct mgr_obj *dir, const char *name, size_t len,
		enum mgr_type_id t, struct mgr_obj **out)
{
	const char *why;
	struct mgr_obj *o;
	int r;

	if (!is_container(dir))
		return -ENOTDIR;
	r = mgr_name_check(name, len, &why);
	if (r < 0)
		return r;
	/* Every object stays reachable by a path of legal depth. */
	if (obj_depth(dir) >= MGR_PATH_DEPTH_MAX)
		return -ENAMETOOLONG;
	if (mgr_obj_child(dir, name, len))
		return -EEXIST;
	o = obj_alloc(name, len, t);
	if (!o)
		return -ENOMEM;
	o->parent = dir;
	if (dir_link(dir->u.dir, o) < 0) {
		obj_destroy(s, o, false);
		return -ENOMEM;
	}
	*out = o;
	return 0;
}

void mgr_obj_discard(struct mgr_store *s, struct mgr_obj *o)
{
	dir_unlink(o->parent->u.dir, o);
	if (is_container(o))
		obj_destroy(s, o, false);
	else
		free(o);
}

int mgr_obj_delete(struct mgr_store *s, struct mgr_obj *o, bool recursive)
{
	struct mgr_obj *parent = o->parent;

	if (!parent)
		return -EBUSY;
	if (is_container(o) && o->u.dir->count && !recursive)
		return -ENOTEMPTY;
	touch(s, o, MGR_CHANGE_DELETE);
	/* The parent hears of it once the child is gone, so that what it
	 * reports then is already true. */
	dir_unlink(parent->u.dir, o);
	obj_destroy(s, o, true);
	touch(s, parent, MGR_CHANGE_UPDATE);
	return 0;
}

int mgr_obj_rename(struct mgr_store *s, struct mgr_obj *o, struct mgr_obj *dir,
		   const char *name, size_t len)
{
	struct mgr_obj *old, *p, *moved = NULL, *c;
	size_t room;
	const char *why;
	int r;

	if (!o->parent)
		return -EBUSY;
	if (!is_container(dir))
		return -ENOTDIR;
	r = mgr_name_check(name, len, &why);
	if (r < 0)
		return r;
	for (p = dir; p; p = p->parent)
		if (p == o)
			return -EINVAL;
	old = mgr_obj_child(dir, name, len);
	if (old == o)
		return 0;
	if (old && is_container(o) && !is_container(old))
		return -ENOTDIR;
	if (old && is_container(o) && old->u.dir->count)
		return -ENOTEMPTY;
	if (old && !is_container(o) && is_container(old))
		return -EISDIR;
	if (obj_depth(dir) + 1 + obj_height(o) > MGR_PATH_DEPTH_MAX)
		return -ENAMETOOLONG;
	/* Everything that can fail happens before the first change. */
	if (!dir->u.dir->nbuckets && dir_resize(dir->u.dir, DIR_MIN_BUCKETS) < 0)
		return -ENOMEM;
	room = malloc_usable_size(o) - sizeof(*o);
	if (len + 1 > room) {
		moved = malloc(sizeof(*o) + len + 1);
		if (!moved)
			return -ENOMEM;
	}
	if (old)
		mgr_obj_delete(s, old, false);
	s->bytes -= obj_cost(o);
	touch(s, o, MGR_CHANGE_MOVE);
	p = o->parent;
	dir_unlink(p->u.dir, o);
	touch(s, p, MGR_CHANGE_UPDATE);
	if (moved) {
		/* Only movable objects can lack room, and nothing but the
		 * tree points at those. */
		memcpy(moved, o, sizeof(*o));
		free(o);
		o = moved;
		for (c = mgr_obj_first_child(o); c; c = c->next)
			c->parent = o;
	}
	memcpy(o->name, name, len);
	o->name[len] = '\0';
	o->namelen = (uint16_t)len;
	o->hash = name_hash(name, len);
	o->parent = dir;
	dir_link(dir->u.dir, o);
	s->bytes += obj_cost(o);
	changed(s, o, MGR_CHANGE_CREATE);
	return 0;
}

int mgr_obj_path(const struct mgr_obj *o, struct mgr_buf *out)
{
	const struct mgr_obj *chain[MGR_PATH_DEPTH_MAX];
	size_t n = 0;
	int r = 0;

	for (; o->parent; o = o->parent) {
		if (n == MGR_PATH_DEPTH_MAX)
			return -ENAMETOOLONG;
		chain[n++] = o;
	}
	while (n-- && !r) {
		r = mgr_name_escape(chain[n]->name, chain[n]->namelen, out);
		if (!r && n)
			r = mgr_buf_append(out, "/", 1);
	}
	return r;
}

void mgr_value_set(struct mgr_store *s, struct mgr_obj *o, struct mgr_datum *d)
{
	s->bytes += mgr_datum_cost(d) - mgr_datum_cost(o->u.value);
	mgr_datum_free(o->u.value);
	o->u.value = d;
	mgr_store_changed(s, o, MGR_CHANGE_UPDATE);
}
