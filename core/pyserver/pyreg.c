#include "pyreg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define BUCKETS_MIN 64u

/* Two chained hash tables over the same entries, by ident and by
 * object, grown together. */
struct pyreg {
	struct pyent **by_id, **by_obj;
	size_t nbuckets;	/* a power of two */
	size_t count;
	/* The entry whose object is being renamed: the store reports the
	 * move, then the object (perhaps reallocated) created at its new
	 * place, before anything else is created. */
	struct pyent *moving;
};

static size_t hash_id(const char *s, size_t len)
{
	uint64_t h = 14695981039346656037ull;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return (size_t)(h ^ (h >> 29));
}

static size_t hash_obj(const struct mgr_obj *o)
{
	uint64_t h = (uint64_t)(uintptr_t)o * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 17);
}

struct pyreg *pyreg_new(void)
{
	struct pyreg *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->nbuckets = BUCKETS_MIN;
	r->by_id = calloc(r->nbuckets, sizeof(*r->by_id));
	r->by_obj = calloc(r->nbuckets, sizeof(*r->by_obj));
	if (!r->by_id || !r->by_obj) {
		pyreg_free(r);
		return NULL;
	}
	return r;
}

static void ent_free(struct pyent *e)
{
	free(e->ident);
	free(e->typeid);
	free(e->src_ident);
	free(e->lock_ident);
	mgr_datum_free(e->typecode);
	free(e);
}

void pyreg_free(struct pyreg *r)
{
	struct pyent *e, *next;
	size_t i;

	if (!r)
		return;
	for (i = 0; r->by_id && i < r->nbuckets; i++) {
		for (e = r->by_id[i]; e; e = next) {
			next = e->id_next;
			ent_free(e);
		}
	}
	free(r->by_id);
	free(r->by_obj);
	free(r);
}

struct pyent *pyreg_get(struct pyreg *r, const char *ident, size_t len)
{
	struct pyent *e;

	for (e = r->by_id[hash_id(ident, len) & (r->nbuckets - 1)]; e; e = e->id_next)
		if (strlen(e->ident) == len && memcmp(e->ident, ident, len) == 0)
			return e;
	return NULL;
}

struct pyent *pyreg_of(struct pyreg *r, const struct mgr_obj *o)
{
	struct pyent *e;

	for (e = r->by_obj[hash_obj(o) & (r->nbuckets - 1)]; e; e = e->obj_next)
		if (e->obj == o)
			return e;
	return NULL;
}

static void obj_link(struct pyreg *r, struct pyent *e)
{
	struct pyent **b;

	if (!e->obj)
		return;
	b = &r->by_obj[hash_obj(e->obj) & (r->nbuckets - 1)];
	e->obj_next = *b;
	*b = e;
}

static void obj_unlink(struct pyreg *r, struct pyent *e)
{
	struct pyent **p;

	if (!e->obj)
		return;
	for (p = &r->by_obj[hash_obj(e->obj) & (r->nbuckets - 1)]; *p; p = &(*p)->obj_next) {
		if (*p == e) {
			*p = e->obj_next;
			break;
		}
	}
	e->obj_next = NULL;
}

/* Double the tables; a failure only leaves the chains longer. */
static void grow(struct pyreg *r)
{
	size_t n = r->nbuckets * 2, i;
	struct pyent **id = calloc(n, sizeof(*id)), **ob = calloc(n, sizeof(*ob));
	struct pyent *e, *next;

	if (!id || !ob) {
		free(id);
		free(ob);
		return;
	}
	for (i = 0; i < r->nbuckets; i++) {
		for (e = r->by_id[i]; e; e = next) {
			next = e->id_next;
			e->id_next = id[hash_id(e->ident, strlen(e->ident)) & (n - 1)];
			id[hash_id(e->ident, strlen(e->ident)) & (n - 1)] = e;
			if (e->obj) {
				e->obj_next = ob[hash_obj(e->obj) & (n - 1)];
				ob[hash_obj(e->obj) & (n - 1)] = e;
			}
		}
	}
	free(r->by_id);
	free(r->by_obj);
	r->by_id = id;
	r->by_obj = ob;
	r->nbuckets = n;
}

int pyreg_add(struct pyreg *r, const char *ident, struct mgr_obj *o, const char *typeid,
	      struct pyent **out)
{
	struct pyent *e = calloc(1, sizeof(*e));
	struct pyent **b;

	if (!e)
		return -ENOMEM;
	e->ident = strdup(ident);
	e->typeid = strdup(typeid);
	if (!e->ident || !e->typeid) {
		ent_free(e);
		return -ENOMEM;
	}
	if (r->count >= r->nbuckets)
		grow(r);
	b = &r->by_id[hash_id(ident, strlen(ident)) & (r->nbuckets - 1)];
	e->id_next = *b;
	*b = e;
	e->obj = o;
	obj_link(r, e);
	r->count++;
	*out = e;
	return 0;
}

void pyreg_bind(struct pyreg *r, struct pyent *e, struct mgr_obj *o)
{
	obj_unlink(r, e);
	e->obj = o;
	obj_link(r, e);
}

void pyreg_drop(struct pyreg *r, struct pyent *e)
{
	struct pyent **p;

	obj_unlink(r, e);
	for (p = &r->by_id[hash_id(e->ident, strlen(e->ident)) & (r->nbuckets - 1)]; *p;
	     p = &(*p)->id_next) {
		if (*p == e) {
			*p = e->id_next;
			break;
		}
	}
	if (r->moving == e)
		r->moving = NULL;
	r->count--;
	ent_free(e);
}

void pyreg_hook(struct pyreg *r, struct mgr_obj *o, enum mgr_change what)
{
	struct pyent *e;

	switch (what) {
	case MGR_CHANGE_DELETE:
		e = pyreg_of(r, o);
		if (e)
			pyreg_bind(r, e, NULL);
		break;
	case MGR_CHANGE_MOVE:
		e = pyreg_of(r, o);
		if (e) {
			pyreg_bind(r, e, NULL);
			r->moving = e;
		}
		break;
	case MGR_CHANGE_CREATE:
		if (r->moving) {
			pyreg_bind(r, r->moving, o);
			r->moving = NULL;
		}
		break;
	default:
		break;
	}
}

size_t pyreg_held(const struct pyreg *r)
{
	const struct pyent *e;
	size_t i, n = 0;

	for (i = 0; i < r->nbuckets; i++)
		for (e = r->by_id[i]; e; e = e->id_next)
			n += e->refs > 0;
	return n;
}

void pyreg_each(struct pyreg *r, void (*fn)(void *arg, struct pyent *e), void *arg)
{
	struct pyent *e;
	size_t i;

	for (i = 0; i < r->nbuckets; i++)
		for (e = r->by_id[i]; e; e = e->id_next)
			fn(arg, e);
}
