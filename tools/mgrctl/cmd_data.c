/* Commands on objects and data that are more than one generic request:
 * listings in pages (ls, items), new with its arguments by type, rm of
 * several paths, the commands that take many items, and setitem of a
 * slice. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "mgrctl.h"
#include "page.h"
#include "proto.h"

/* --json gathers every page into one object, begun afresh whenever the
 * listing starts (again). */
static int gather_begin(struct sess *s, yajl_gen *all, const char *member)
{
	if (*all)
		yajl_gen_free(*all);
	*all = mgr_json_gen_new();
	if (!*all || mgr_json_map_open(*all) < 0 || mgr_json_gen_cstr(*all, member) < 0 ||
	    mgr_json_array_open(*all) < 0)
		return sess_fail(s, ENOMEM, "out of memory");
	return ST_OK;
}

/* What mgr_pager_take's refusal of a reply means for mgrctl. */
static int page_failed(struct sess *s, const char *path, const struct mgr_reply *rep,
		       int err)
{
	if (err == -ESTALE)
		return sess_fail(s, err, "%s kept changing while it was listed; gave up after "
				 "%d tries", *path ? path : "/", MGR_PAGER_RESTARTS + 1);
	if (rep->err)
		return sess_check(s, rep);
	if (err == -EPROTO)
		return sess_fail(s, err, "the manager's answer is not a page of a listing");
	return sess_fail(s, err, "out of memory");
}

/* ls and items of a container of any size: the manager answers in pages,
 * and each next one is asked for after the last name received.  What comes
 * is printed at once; --json gathers it into one object.
 *
 * When the name a page was to follow is deleted meanwhile, the listing
 * has to start over, but lines on stdout cannot be taken back: names
 * printed twice, or a listing silently short, would be worse than a
 * failure.  So it starts over only while nothing has been printed, which
 * with --json (printed at the end) is always; lines already printed end
 * it with ESTALE. */
int cmd_pages(struct sess *s, const struct cmd *cmd, const struct opts *o, int argc,
	      char **argv)
{
	bool items = !strcmp(cmd->op, "items");
	const char *path = argc ? argv[0] : "";
	struct mgr_pager pager;
	yajl_gen all = NULL;
	struct mgr_reply rep;
	struct mgr_req r;
	bool printed = false;
	yajl_val ents;
	size_t i;
	int step = MGR_PAGER_MORE, st = ST_OK;

	mgr_pager_init(&pager, cmd->op);
	while (!st && step != MGR_PAGER_DONE) {
		if (o->json && mgr_pager_first(&pager))
			st = gather_begin(s, &all, items ? "items" : "entries");
		if (!st)
			st = sess_req_begin(s, o, &r, cmd->op, path);
		if (st)
			break;
		if (mgr_pager_add(&pager, &r) < 0)
			st = sess_fail(s, ENOMEM, "out of memory");
		if (!st)
			st = sess_send(s, &r, &rep);
		mgr_req_release(&r);
		if (st)
			break;
		step = mgr_pager_take(&pager, &rep, &ents);
		if (step == MGR_PAGER_RESTART) {
			if (printed)
				st = sess_fail(s, ESTALE, "%s changed while it was listed; the "
					       "lines printed are not all of it", *path ? path : "/");
		} else if (step < 0) {
			st = page_failed(s, path, &rep, step);
		} else if (all) {
			for (i = 0; i < ents->u.array.len; i++)
				mgr_json_gen_tree(all, ents->u.array.values[i]);
		} else {
			if (items)
				print_items(ents);
			else
				print_ls(ents, o->long_list);
			printed = printed || ents->u.array.len;
		}
		mgr_reply_release(&rep);
	}
	if (!st && all && mgr_json_array_close(all) == 0 && mgr_json_map_close(all) == 0)
		print_gen(all);
	if (all)
		yajl_gen_free(all);
	mgr_pager_release(&pager);
	return st;
}

/* What the arguments after new's PATH are, by type. */
enum newargs {
	NA_ITEMS_OBJECT,	/* [JSON-OBJECT | KEY=VALUE...] */
	NA_DATUM,		/* [VALUE] */
	NA_ITEMS_ARRAY,		/* [ITEM... | -] */
	NA_MAXSIZE,		/* [MAXSIZE] */
	NA_VALUE,		/* [COUNTER] */
	NA_NONE,
	NA_BARRIER,		/* PARTIES [TIMEOUT] */
};

/* The types and their names are proto.h's; this is what mgrctl takes
 * after PATH for each. */
static const struct newtype {
	enum newargs args;
	int min, max;		/* arguments after PATH; -1: any */
} newtypes[MGR_NTYPES] = {
	[MGR_NAMESPACE] = { NA_ITEMS_OBJECT, 0, -1 },
	[MGR_DICT] = { NA_ITEMS_OBJECT, 0, -1 },
	[MGR_VALUE] = { NA_DATUM, 0, 1 },
	[MGR_LIST] = { NA_ITEMS_ARRAY, 0, -1 },
	[MGR_ARRAY] = { NA_ITEMS_ARRAY, 0, -1 },
	[MGR_QUEUE] = { NA_MAXSIZE, 0, 1 },
	[MGR_LOCK] = { NA_NONE, 0, 0 },
	[MGR_RLOCK] = { NA_NONE, 0, 0 },
	[MGR_SEMAPHORE] = { NA_VALUE, 0, 1 },
	[MGR_BSEMAPHORE] = { NA_VALUE, 0, 1 },
	[MGR_EVENT] = { NA_NONE, 0, 0 },
	[MGR_CONDITION] = { NA_NONE, 0, 0 },
	[MGR_BARRIER] = { NA_BARRIER, 1, 2 },
};

/* Add the members of create that the n arguments after PATH give. */
static int gen_type_args(struct sess *s, const struct cmd *cmd, const struct opts *o,
			 yajl_gen g, const struct newtype *t, int n, char **argv)
{
	double secs = 0;
	uint64_t u = 0;
	int err = 0;

	if (!n)
		return ST_OK;
	switch (t->args) {
	case NA_ITEMS_OBJECT:
		if (mgr_json_gen_cstr(g, "items") < 0)
			return sess_fail(s, ENOMEM, "out of memory");
		return args_item_object(s, cmd, o, g, n, argv);
	case NA_ITEMS_ARRAY:
		if (mgr_json_gen_cstr(g, "items") < 0)
			return sess_fail(s, ENOMEM, "out of memory");
		return args_item_array(s, cmd, o, g, n, argv);
	case NA_DATUM:
		return args_datum(s, o, g, argv[0]);
	case NA_MAXSIZE:
	case NA_VALUE:
		if (opts_parse_u64(argv[0], &u) < 0)
			return sess_usage_err(s, cmd, "not a count: '%s'", argv[0]);
		err = mgr_json_kv_u64(g, t->args == NA_MAXSIZE ? "maxsize" : "value", u);
		break;
	case NA_BARRIER:
		if (opts_parse_u64(argv[0], &u) < 0 ||
		    (n > 1 && opts_parse_seconds(argv[1], &secs) < 0))
			return sess_usage_err(s, cmd, "a barrier takes PARTIES [TIMEOUT]");
		err = mgr_json_kv_u64(g, "parties", u);
		if (!err && n > 1)
			err = mgr_json_kv_double(g, "timeout", secs);
		break;
	case NA_NONE:
		break;
	}
	return err < 0 ? sess_fail(s, err, "out of memory") : ST_OK;
}

int cmd_new(struct sess *s, const struct cmd *cmd, const struct opts *o, int argc,
	    char **argv)
{
	const struct newtype *t;
	const char *wire;
	struct mgr_req r;
	bool array;
	int type = mgr_type_by_name(argv[0]), n = argc - 2, st, err;

	if (type < 0)
		return sess_usage_err(s, cmd, "unknown type '%s' (namespace dict value list array queue lock rlock semaphore bsemaphore event condition barrier)",
				      argv[0]);
	t = &newtypes[type];
	wire = mgr_type_name(type);
	array = type == MGR_ARRAY;
	if (n < t->min || (t->max >= 0 && n > t->max))
		return sess_usage_err(s, cmd, "wrong number of arguments for a %s", wire);
	if (o->typecode && !array && type != MGR_VALUE)
		return sess_usage_err(s, cmd, "--typecode is for a value or an array");
	if (o->has_size && !array)
		return sess_usage_err(s, cmd, "--size is for an array");
	if (array && (!o->typecode || (o->has_size && n)))
		return sess_usage_err(s, cmd, "an array needs --typecode, and items or --size");

	st = sess_req_begin(s, o, &r, "create", argv[1]);
	if (st)
		return st;
	err = mgr_json_kv_str(r.g, "type", wire);
	if (!err && o->exist_ok)
		err = mgr_json_kv_bool(r.g, "exist_ok", true);
	if (!err && o->typecode)
		err = mgr_json_kv_str(r.g, "typecode", o->typecode);
	if (!err && o->has_size)
		err = mgr_json_kv_u64(r.g, "size", o->size);
	if (err < 0)
		st = sess_fail(s, err, "out of memory");
	/* The manager wants the items of an array even when there are none. */
	if (!st && array && !n && !o->has_size &&
	    (mgr_json_gen_cstr(r.g, "items") < 0 || yajl_gen_array_open(r.g) != yajl_gen_status_ok ||
	     yajl_gen_array_close(r.g) != yajl_gen_status_ok))
		st = sess_fail(s, ENOMEM, "out of memory");
	if (!st)
		st = gen_type_args(s, cmd, o, r.g, t, n, argv + 2);
	return print_call(s, o, &r, st, OUT_NONE);
}

int cmd_rm(struct sess *s, const struct cmd *cmd, const struct opts *o, int argc,
	   char **argv)
{
	struct mgr_req r;
	int i, st = ST_OK;

	for (i = 0; i < argc && !st; i++) {
		st = sess_req_begin(s, o, &r, "delete", argv[i]);
		if (st)
			break;
		if (o->recursive && mgr_json_kv_bool(r.g, "recursive", true) < 0)
			st = sess_fail(s, ENOMEM, "out of memory");
		st = print_call(s, o, &r, st, OUT_NONE);
	}
	return st;
}

/* update PATH {JSON} and extend PATH ITEMS: a request with "items". */
int cmd_items_arg(struct sess *s, const struct cmd *cmd, const struct opts *o, int argc,
		  char **argv)
{
	struct mgr_req r;
	int st;

	st = sess_req_begin(s, o, &r, cmd->op, argv[0]);
	if (st)
		return st;
	if (mgr_json_gen_cstr(r.g, "items") < 0)
		st = sess_fail(s, ENOMEM, "out of memory");
	else if (!strcmp(cmd->op, "update"))
		st = args_item_object(s, cmd, o, r.g, argc - 1, argv + 1);
	else
		st = args_item_array(s, cmd, o, r.g, argc - 1, argv + 1);
	return print_call(s, o, &r, st, cmd->out);
}

/* setitem of an index is generic; of a slice, the items after it replace
 * the slice's (as Python's l[1:3] = [...]; '-': lines of standard
 * input). */
int cmd_setitem(struct sess *s, const struct cmd *cmd, const struct opts *o, int argc,
		char **argv)
{
	struct mgr_req r;
	int st;

	if (!strchr(argv[1], ':')) {
		struct cmd one = *cmd;

		if (argc != 3)
			return sess_usage_err(s, cmd, "an index is given one value");
		one.spec = "PiV";
		return cmd_generic(s, &one, o, argc, argv);
	}
	st = sess_req_begin(s, o, &r, cmd->op, argv[0]);
	if (st)
		return st;
	st = args_slice(s, cmd, r.g, argv[1]);
	if (!st && mgr_json_gen_cstr(r.g, "items") < 0)
		st = sess_fail(s, ENOMEM, "out of memory");
	if (!st)
		st = args_item_array(s, cmd, o, r.g, argc - 2, argv + 2);
	return print_call(s, o, &r, st, OUT_NONE);
}
