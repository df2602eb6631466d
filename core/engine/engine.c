#include "engine.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "content.h"
#include "dict.h"
#include "json.h"
#include "list.h"
#include "queue.h"
#include "stage.h"
#include "store.h"
#include "sync.h"
#include "tree.h"
#include "value.h"

/* Every type, by the module that owns it. */
const struct mgr_type *const mgr_types[MGR_NTYPES] = {
	[MGR_NAMESPACE] = &mgr_type_namespace,
	[MGR_DICT] = &mgr_type_dict,
	[MGR_LIST] = &mgr_type_list,
	[MGR_VALUE] = &mgr_type_value,
	[MGR_ARRAY] = &mgr_type_array,
	[MGR_QUEUE] = &mgr_type_queue,
	[MGR_LOCK] = &mgr_type_lock,
	[MGR_RLOCK] = &mgr_type_rlock,
	[MGR_SEMAPHORE] = &mgr_type_semaphore,
	[MGR_BSEMAPHORE] = &mgr_type_bsemaphore,
	[MGR_EVENT] = &mgr_type_event,
	[MGR_CONDITION] = &mgr_type_condition,
	[MGR_BARRIER] = &mgr_type_barrier,
};

/* Every module's operations, in the order that decides between entries of
 * one name (see struct op_name). */
static const struct mgr_op *const op_tables[] = {
	mgr_ops_tree, mgr_ops_value, mgr_ops_content, mgr_ops_stage, mgr_ops_list,
	mgr_ops_list_query, mgr_ops_array, mgr_ops_dict, mgr_ops_queue, mgr_ops_sync,
};

#define N_TABLES (sizeof(op_tables) / sizeof(op_tables[0]))

/* Operations that may make the store hold more data, on the types that
 * hold data (Event.set is no such thing). */
static const char *const growing_ops[] = {
	"create", "set", "setdefault", "update", "append", "extend", "insert", "setitem",
	"put", "put_many", "imul",
};

#define DATA_TYPES (MGR_CONTAINERS | MGR_TYPE_BIT(MGR_VALUE) | MGR_TYPE_BIT(MGR_LIST) | \
		    MGR_TYPE_BIT(MGR_ARRAY) | MGR_TYPE_BIT(MGR_QUEUE))

static bool op_grows(const struct mgr_op *e)
{
	size_t i;

	if (!(e->flags & MGR_OP_NOLOOKUP) && !(e->types & DATA_TYPES))
		return false;
	for (i = 0; i < sizeof(growing_ops) / sizeof(growing_ops[0]); i++)
		if (strcmp(e->name, growing_ops[i]) == 0)
			return true;
	return false;
}

/* Run e, unless the store is so full that the request itself would not
 * fit and e may add to it: refused before anything changes, so nothing
 * stored is lost, while requests that read or delete still run.  What a
 * request carries bounds what it adds; imul, which builds from what is
 * stored, and the items of lists and queues, which cost more than their
 * text, are counted exactly where they are made. */
static int run(struct mgr_call *c, const struct mgr_op *e, struct mgr_obj *o)
{
	if (!mgr_store_fits(c->store, c->size) && op_grows(e))
		return mgr_call_fits(c, c->size);
	return e->fn(c, o);
}

struct mgr_store *mgr_engine_new(void)
{
	struct mgr_store *s = mgr_store_new();
	struct mgr_waits *w = mgr_waits_new();

	if (!s || !w) {
		mgr_store_free(s);
		mgr_waits_free(w);
		return NULL;
	}
	mgr_store_set_waits(s, w);
	return s;
}

void mgr_engine_free(struct mgr_store *s)
{
	struct mgr_waits *w;

	if (!s)
		return;
	/* Destroying the objects cancels their parked calls, which still
	 * needs the bookkeeping. */
	w = mgr_store_waits(s);
	mgr_store_free(s);
	mgr_waits_free(w);
}

/* An operation's name with what it means on each type: the entry that
 * runs on an object of type t is the first in table order whose mask
 * takes t, and nolookup the first entry that resolves "path" itself. */
struct op_name {
	const char *name;
	const struct mgr_op *nolookup;
	const struct mgr_op *typed[MGR_NTYPES];
	bool any_typed;
};

/* Every name once, sorted; built on first use. */
static struct op_name *op_names;
static size_t n_op_names;
static pthread_once_t op_names_once = PTHREAD_ONCE_INIT;

static int op_name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct op_name *)a)->name, ((const struct op_name *)b)->name);
}

/* bsearch's: a name against an entry. */
static int op_name_find(const void *name, const void *e)
{
	return strcmp(name, ((const struct op_name *)e)->name);
}

static void op_names_build(void)
{
	const struct mgr_op *e;
	struct op_name *names, *n;
	size_t i, j, cap = 0, count = 0;
	int t;

	for (i = 0; i < N_TABLES; i++)
		for (e = op_tables[i]; e->name; e++)
			cap++;
	names = calloc(cap, sizeof(*names));
	if (!names)
		return;
	for (i = 0; i < N_TABLES; i++) {
		for (e = op_tables[i]; e->name; e++) {
			for (j = 0; j < count; j++)
				if (strcmp(names[j].name, e->name) == 0)
					break;
			n = &names[j];
			if (j == count)
				names[count++].name = e->name;
			if (e->flags & MGR_OP_NOLOOKUP) {
				if (!n->nolookup)
					n->nolookup = e;
				continue;
			}
			n->any_typed = true;
			for (t = 0; t < MGR_NTYPES; t++)
				if ((e->types & MGR_TYPE_BIT(t)) && !n->typed[t])
					n->typed[t] = e;
		}
	}
	qsort(names, count, sizeof(*names), op_name_cmp);
	op_names = names;
	n_op_names = count;
}

int mgr_engine_exec(struct mgr_call *c)
{
	const struct op_name *n;
	struct mgr_obj *o = NULL;
	struct mgr_path p;
	const char *name;
	int r;

	c->err = NULL;
	c->owner = 0;
	r = mgr_json_get_str(c->args, "op", &name);
	if (r == -ENOENT)
		return mgr_call_err(c, -EINVAL, "missing \"op\"");
	if (r < 0)
		return mgr_call_err(c, -EINVAL, "\"op\" must be a string");
	if (mgr_json_get_u64(c->args, "owner", &c->owner) == -EINVAL)
		return mgr_call_err(c, -EINVAL, "\"owner\" must be an unsigned integer");

	pthread_once(&op_names_once, op_names_build);
	if (!op_names)
		return mgr_call_err(c, -ENOMEM, "out of memory");
	n = bsearch(name, op_names, n_op_names, sizeof(*n), op_name_find);
	if (!n)
		return mgr_call_err(c, -ENOSYS, "unknown operation \"%.64s\"", name);
	/* An op such as "set" is both a typed op (Event.set) and one that
	 * makes what it names (a value): a typed entry that fits the object
	 * wins, and the other resolves the path on its own, errors too. */
	if (!n->any_typed)
		return run(c, n->nolookup, NULL);
	r = mgr_call_path(c, "path", &p);
	if (r < 0)
		return n->nolookup ? run(c, n->nolookup, NULL) : r;
	r = mgr_store_lookup(c->store, &p, &o);
	mgr_path_release(&p);
	if (r < 0 && n->nolookup)
		return run(c, n->nolookup, NULL);
	if (r == -ENOENT)
		return mgr_call_err(c, r, "no such object: %.200s", mgr_call_path_text(c, "path"));
	if (r < 0)
		return mgr_call_err(c, r, "not a container on the way to: %.200s", mgr_call_path_text(c, "path"));
	if (n->typed[o->type])
		return run(c, n->typed[o->type], o);
	if (n->nolookup)
		return run(c, n->nolookup, NULL);
	return mgr_call_err(c, -ENOTSUP, "\"%.64s\" is not an operation of %s %s", name,
			    strchr("aeiou", mgr_type_name(o->type)[0]) ? "an" : "a",
			    mgr_type_name(o->type));
}
