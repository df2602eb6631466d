/* The store: a tree of named objects under one root namespace.  One thread
 * owns it (mgrd's loop); nothing here locks.
 *
 * Every mutation of any object ends in mgr_store_changed, the one place a
 * journal or a subscriber hears about it. */
#ifndef MGR_STORE_H
#define MGR_STORE_H

#include <stdbool.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>

#include "buf.h"
#include "datum.h"
#include "path.h"
#include "proto.h"

struct mgr_store;
struct mgr_call;
struct mgr_hold;
struct mgr_session;
struct mgr_waits;
struct mgr_dir;
struct mgr_img;

/* Kept small: a million keys must fit in well under 200 MB. */
struct mgr_obj {
	struct mgr_obj *parent;		/* NULL for the root */
	struct mgr_obj *hnext;		/* chain in the parent's hash table */
	struct mgr_obj *prev, *next;	/* siblings in insertion order */
	uint64_t version;
	/* Nanoseconds since the epoch: when the content last changed, and
	 * when the content or anything about the object did (a rename, a
	 * time set).  Kept here so that every client sees the same. */
	int64_t mtime, ctime;
	uint32_t hash;
	uint16_t namelen;
	uint8_t type;			/* enum mgr_type_id */
	char typecode;			/* Value/Array element type, or 0 */
	union {
		struct mgr_datum *value;	/* MGR_VALUE; never NULL */
		struct mgr_dir *dir;		/* MGR_NAMESPACE, MGR_DICT */
		void *state;			/* others: their module's struct */
	} u;
	char name[];			/* namelen bytes + NUL; "" for the root */
};

enum mgr_change {
	MGR_CHANGE_CREATE,	/* the object appeared */
	MGR_CHANGE_UPDATE,	/* its content or state changed */
	MGR_CHANGE_DELETE,	/* it is about to go away (still linked) */
	MGR_CHANGE_MOVE,	/* it is about to move (still at its old
				 * path); its create at the new one follows */
	MGR_CHANGE_META,	/* its times were set; its content is as it
				 * was (an update marked "meta") */
};

/* What each type provides; defined by the module that owns the type. */
struct mgr_type {
	/* Set up o's state from create's arguments in c->args.  0 or -errno
	 * with mgr_call_err.  Containers are set up by the store. */
	int (*init)(struct mgr_call *c, struct mgr_obj *o);
	/* Cancel o's waiters (ENOENT), forget its holds, free its state. */
	void (*destroy)(struct mgr_store *s, struct mgr_obj *o);
	/* Add type-specific members to an open stat object. */
	int (*stat)(struct mgr_obj *o, yajl_gen g);
	/* Emit o's content as one JSON value, for dump. */
	int (*dump)(struct mgr_obj *o, yajl_gen g);
	/* Size for listings: bytes of a value, items of a list, array or
	 * queue, children of a container, 0 otherwise. */
	uint64_t (*size)(struct mgr_obj *o);
	/* A session holding h ended: give back what it held, wake waiters,
	 * free h.  NULL for types that are never held. */
	void (*drop_hold)(struct mgr_store *s, struct mgr_hold *h);
	/* A session ended, after its parked calls were cancelled and before
	 * its holds are dropped: take back whatever else of this type it
	 * had (the queue: items handed out and not acknowledged).  NULL for
	 * types with nothing of the kind. */
	void (*session_end)(struct mgr_store *s, struct mgr_session *sess);
	/* The persistence hooks (image.h has the codec).  save writes o's
	 * state to b as it would be once every session had ended (units held
	 * free; a queue's items handed out are the journal's, by notes): all when full, else
	 * only what the type does not report through mgr_store_note.  load
	 * sets o's state from what save wrote: a new object's when full (o
	 * has no state yet; it accounts what it holds as init does), else
	 * over the state o has; -EINVAL when in is malformed.  NULL for
	 * containers, whose children are objects of their own. */
	int (*save)(struct mgr_obj *o, struct mgr_buf *b, bool full);
	int (*load)(struct mgr_store *s, struct mgr_obj *o, struct mgr_img *in, bool full);
	/* For a type that reports its items through mgr_store_note: do what
	 * a note said again, at restore (d is then replay's).  NULL for the
	 * others, whose every change is saved whole. */
	int (*replay)(struct mgr_store *s, struct mgr_obj *o, int what, struct mgr_datum *d);
};

/* Every type by its id; the table is the engine's (engine.c), each entry
 * defined by the module that owns the type. */
extern const struct mgr_type *const mgr_types[MGR_NTYPES];

typedef void (*mgr_change_fn)(void *arg, struct mgr_obj *o, enum mgr_change what);

/* What a type that reports its items (the queue) says of them, so that a
 * journal can keep a put or a get as the item alone, not the whole queue:
 * each comes before the mgr_store_changed of the change it is part of. */
enum mgr_note {
	MGR_NOTE_PUSH_TAIL,	/* d went in at the tail */
	MGR_NOTE_PUSH_HEAD,	/* d went in at the head */
	MGR_NOTE_POP_HEAD,	/* the head item left */
	MGR_NOTE_GIVEN,		/* d was handed out to a session that will
				 * acknowledge it; id names it until then */
	MGR_NOTE_GONE,		/* the item handed out as id is gone for
				 * good (acknowledged, taken back, lost) */
};

/* The hooks of a journal: every change, as the hook of mgr_store_set_hook
 * hears them, and every note. */
struct mgr_journal_hooks {
	mgr_change_fn changed;
	void (*note)(void *arg, struct mgr_obj *o, enum mgr_note what,
		     const struct mgr_datum *d, uint64_t id);
	/* A value's content changed by range (content.h), before the
	 * change's report: n bytes of data written at off, or (data NULL)
	 * cut or extended with zeros to off.  Without it, or for a typed
	 * Value, the report alone says what the value holds. */
	void (*range)(void *arg, struct mgr_obj *o, uint64_t off, const void *data, size_t n);
	/* Whether a change that journals about bytes more than its request
	 * carried (a stage's commit) may be made: 0, or -ENOSPC. */
	int (*room)(void *arg, uint64_t bytes);
	void *arg;
};

/* A store with an empty root namespace; NULL on ENOMEM.  Free with
 * mgr_store_free, which destroys every object. */
struct mgr_store *mgr_store_new(void);
void mgr_store_free(struct mgr_store *s);
struct mgr_obj *mgr_store_root(struct mgr_store *s);

/* The hook that hears every change (the server's subscriptions). */
void mgr_store_set_hook(struct mgr_store *s, mgr_change_fn fn, void *arg);

/* The journal's hooks (NULL for none); heard after the other hook. */
void mgr_store_set_journal(struct mgr_store *s, const struct mgr_journal_hooks *j);
/* Tell the journal, if any, of a note (see enum mgr_note); o may be NULL
 * for MGR_NOTE_GONE of an item whose queue was deleted. */
void mgr_store_note(struct mgr_store *s, struct mgr_obj *o, enum mgr_note what,
		    const struct mgr_datum *d, uint64_t id);
/* Tell the journal, if any, of a change by range (mgr_journal_hooks). */
void mgr_store_range(struct mgr_store *s, struct mgr_obj *o, uint64_t off, const void *data,
		     size_t n);
/* The journal's room for a change of about bytes (mgr_journal_hooks):
 * 0, or -ENOSPC; 0 without a journal. */
int mgr_store_room(struct mgr_store *s, uint64_t bytes);
/* The last version handed out, and setting it at restore (never lower). */
uint64_t mgr_store_version(const struct mgr_store *s);
void mgr_store_set_version(struct mgr_store *s, uint64_t v);
/* Count an object a restore made whole (mgr_obj_new, then its type's
 * load), without a version or a hook: mgr_store_changed's accounting. */
void mgr_store_adopt(struct mgr_store *s, struct mgr_obj *o);
/* Undo both for an object a restore is about to load again in place
 * (keeping its place among its siblings): uncount it and free its type's
 * state, without reports.  Not for containers. */
void mgr_obj_drop_state(struct mgr_store *s, struct mgr_obj *o);

/* The one place every mutation goes through: gives o a new version (from
 * one store-wide counter, so versions only grow, even across delete and
 * re-create), moves its times, and tells the hook.  An update moves mtime
 * and ctime to now, a create of a new object sets both, a move or a
 * MGR_CHANGE_META only ctime (the caller of the latter sets mtime).  For
 * MGR_CHANGE_DELETE call it before unlinking.  Creating or deleting a
 * child also updates its parent. */
void mgr_store_changed(struct mgr_store *s, struct mgr_obj *o, enum mgr_change what);
/* The time now, in nanoseconds since the epoch, as the store keeps it. */
int64_t mgr_store_now(void);

/* Resolve a path.  0 and *out, -ENOENT (a name is missing) or -ENOTDIR (an
 * inner name is not a container). */
int mgr_store_lookup(struct mgr_store *s, const struct mgr_path *p, struct mgr_obj **out);
/* Resolve all but the last name of a non-root path to a container. */
int mgr_store_lookup_parent(struct mgr_store *s, const struct mgr_path *p, struct mgr_obj **out);

/* Child of a container by name, or NULL. */
struct mgr_obj *mgr_obj_child(const struct mgr_obj *dir, const char *name, size_t len);
/* Children in insertion order: first, then next; NULL at the end. */
struct mgr_obj *mgr_obj_first_child(const struct mgr_obj *dir);
/* The most recently inserted child (popitem), or NULL. */
struct mgr_obj *mgr_obj_last_child(const struct mgr_obj *dir);
uint64_t mgr_obj_nchildren(const struct mgr_obj *dir);
/* How many of them are containers (a directory's link count is 2 more). */
uint64_t mgr_obj_nsubdirs(const struct mgr_obj *dir);

/* Make an object of type t named name inside container dir, without type
 * state (the caller runs the type's init, or sets u.value).  -EEXIST,
 * -ENOMEM.  Does not call mgr_store_changed: the caller does once the
 * object is complete. */
int mgr_obj_new(struct mgr_store *s, struct mgr_obj *dir, const char *name, size_t len,
		enum mgr_type_id t, struct mgr_obj **out);
/* Undo mgr_obj_new after the type's init failed: unlink and free o without
 * calling the type's destroy or telling the hook (nothing was reported). */
void mgr_obj_discard(struct mgr_store *s, struct mgr_obj *o);
/* Unlink o from its parent and destroy it and everything below it,
 * reporting MGR_CHANGE_DELETE for each.  Containers must be empty unless
 * recursive (else -ENOTEMPTY).  The root cannot be deleted (-EBUSY). */
int mgr_obj_delete(struct mgr_store *s, struct mgr_obj *o, bool recursive);
/* Move o into container dir under a new name, atomically replacing an
 * existing object there (which must be of a compatible kind: a container
 * replaces only an empty container, a non-container only a
 * non-container; -EISDIR/-ENOTDIR/-ENOTEMPTY otherwise).  -EINVAL when dir
 * is o or below it.  Reported as a delete at the old path and a create at
 * the new one.  A value, list, array or container given a longer name may
 * move in memory: find it again with mgr_obj_child(dir, name, len). */
int mgr_obj_rename(struct mgr_store *s, struct mgr_obj *o, struct mgr_obj *dir,
		   const char *name, size_t len);

/* Append o's path (escaped, without a leading '/') to out. */
int mgr_obj_path(const struct mgr_obj *o, struct mgr_buf *out);

/* Replace a value object's datum (taking ownership of d) and report the
 * change. */
void mgr_value_set(struct mgr_store *s, struct mgr_obj *o, struct mgr_datum *d);

/* What the store holds, for the manager's memory limit: every object,
 * its name and a value's datum, counted by the store, and the items and
 * elements of lists, queues and arrays, counted by their modules through
 * mgr_store_account as they come and go.  The figures are close to what
 * malloc spends, not exact. */
#define MGR_ITEM_OVERHEAD 32

/* What one datum costs where it is stored: its bytes, its header and
 * malloc's, and the slot that points at it. */
static inline uint64_t mgr_datum_cost(const struct mgr_datum *d)
{
	return (uint64_t)d->len + MGR_ITEM_OVERHEAD;
}

/* Bytes held, as counted. */
uint64_t mgr_store_bytes(const struct mgr_store *s);
/* Count delta more bytes held (fewer when negative). */
void mgr_store_account(struct mgr_store *s, int64_t delta);
/* Refuse to grow beyond limit bytes (0: no limit, the default). */
void mgr_store_set_limit(struct mgr_store *s, uint64_t limit);
uint64_t mgr_store_limit(const struct mgr_store *s);
/* Whether more bytes fit under the limit. */
bool mgr_store_fits(const struct mgr_store *s, uint64_t more);

/* The bookkeeping of parked calls (wait.c) that the store carries for
 * the wait module without looking into it; set by mgr_engine_new, which
 * also frees it. */
void mgr_store_set_waits(struct mgr_store *s, struct mgr_waits *w);
struct mgr_waits *mgr_store_waits(struct mgr_store *s);

#endif
