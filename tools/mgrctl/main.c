/* mgrctl's spine: the table of commands, the help made from it, and the
 * dispatch of a command line to its row, for the command line itself and
 * for each line of a batch.  See mgrctl.h for how the parts fit. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mgrctl.h"

static int cmd_help(struct sess *s, const struct cmd *cmd, const struct opts *o,
		    int argc, char **argv);

#define GEN(nm, a, h, o, sp, ...) \
	{ .name = nm, .args = a, .help = h, .fn = cmd_generic, .op = o, .spec = sp, __VA_ARGS__ }
#define SECTION(h) { .help = h }

static const struct cmd cmds[] = {
	SECTION("Objects"),
	GEN("ping", "", "check that the manager answers (prints pong)", "ping", "",
	    .out = OUT_PRINT),
	{ .name = "ls", .args = "[-l] [PATH]", .help = "list a namespace or dict",
	  .fn = cmd_pages, .op = "ls", .opts = OPT(O_LONG), .min = 0, .max = 1 },
	{ .name = "keys", .args = "[-l] [PATH]", .help = "the same as ls",
	  .fn = cmd_pages, .op = "ls", .opts = OPT(O_LONG), .min = 0, .max = 1 },
	GEN("stat", "PATH", "type, version, size and state, one per line", "stat", "P",
	    .out = OUT_STAT),
	{ .name = "new", .args = "[-p] [-t C] [--size N] TYPE PATH [ARGS...]",
	  .help = "create an object (see 'mgrctl help new')", .fn = cmd_new,
	  .more = "TYPE and its ARGS:\n"
		  "  namespace, dict [JSON-OBJECT | KEY=VALUE...]\n"
		  "  value [VALUE]                  (-t C for a typed value)\n"
		  "  list [ITEM... | -]\n"
		  "  array -t C [ITEM... | --size N]\n"
		  "  queue [MAXSIZE]\n"
		  "  lock, rlock, event, condition\n"
		  "  semaphore, bsemaphore [VALUE]\n"
		  "  barrier PARTIES [TIMEOUT]\n",
	  .opts = OPT(O_EXIST_OK) | OPT(O_TYPECODE) | OPT(O_SIZE), .min = 2, .max = -1 },
	{ .name = "rm", .args = "[-r] PATH...", .help = "delete objects", .fn = cmd_rm,
	  .opts = OPT(O_RECURSIVE), .min = 1, .max = -1 },
	GEN("mv", "PATH NEWPATH", "rename, replacing what is at NEWPATH", "rename", "Pt"),
	GEN("dump", "[PATH]", "everything below PATH as JSON", "dump", "p", .out = OUT_JSON),
	{ .name = "watch", .args = "[--count N] [--no-recursive] [PATH]",
	  .help = "print a line per change below PATH", .fn = cmd_watch,
	  .opts = OPT(O_COUNT) | OPT(O_SHALLOW), .min = 0, .max = 1 },

	SECTION("Values (and lists, arrays and queues where it makes sense)"),
	GEN("get", "[-n] PATH", "print a value or items; take a queue's item",
	    "get", "P", .opts = OPT(O_NOWAIT), .flags = CMD_WAITS, .out = OUT_PRINT),
	GEN("set", "PATH VALUE", "set a value, or all items of a list or array",
	    "set", "PV"),
	GEN("setdefault", "PATH VALUE", "set unless it exists; print what is there",
	    "setdefault", "PV", .out = OUT_PRINT),
	GEN("pop", "PATH [INDEX]", "print and delete a value, or a list's item",
	    "pop", "P[i", .out = OUT_PRINT),

	SECTION("Values as bytes, in pieces (of any size)"),
	{ .name = "cat", .args = "PATH [OFFSET [LENGTH]]",
	  .help = "print a value's bytes as a file holds them", .fn = cmd_cat,
	  .min = 1, .max = 3 },
	{ .name = "store", .args = "PATH [FILE|-]",
	  .help = "replace a value with a file's bytes, at once", .fn = cmd_store,
	  .min = 1, .max = 2 },
	{ .name = "write", .args = "PATH OFFSET [FILE|-]",
	  .help = "write a file's bytes into a value at OFFSET", .fn = cmd_write,
	  .min = 2, .max = 3 },
	GEN("append", "PATH VALUE", "add bytes at a value's end, or an item to a list's",
	    "append", "PV"),
	GEN("truncate", "PATH SIZE", "cut a value to SIZE bytes, or extend it with zeros",
	    "truncate", "Pz"),
	{ .name = "touch", .args = "PATH [SECONDS]",
	  .help = "set the modification time (seconds since the epoch; now)", .fn = cmd_touch,
	  .min = 1, .max = 2 },

	SECTION("Namespaces and dicts"),
	{ .name = "items", .args = "PATH", .help = "NAME<TAB>VALUE for each child",
	  .fn = cmd_pages, .op = "items", .min = 1, .max = 1 },
	GEN("len", "PATH", "number of children, items, or queued items", "len", "P",
	    .out = OUT_PRINT),
	{ .name = "update", .args = "PATH JSON-OBJECT|KEY=VALUE...",
	  .help = "set several values at once", .fn = cmd_items_arg, .op = "update",
	  .min = 2, .max = -1 },
	GEN("clear", "PATH", "delete all children, or all items of a list", "clear", "P"),
	GEN("popitem", "PATH", "print and delete the newest value", "popitem",
	    "P", .out = OUT_NAMED),

	SECTION("Lists (and arrays: getitem, setitem)"),
	{ .name = "extend", .args = "PATH ITEM...|-",
	  .help = "add items at the end ('-': lines of stdin)",
	  .fn = cmd_items_arg, .op = "extend", .min = 2, .max = -1 },
	GEN("insert", "PATH INDEX VALUE", "insert an item before INDEX", "insert", "PiV"),
	GEN("remove", "PATH VALUE", "remove the first item equal to VALUE", "remove", "PV"),
	GEN("index", "PATH VALUE [START [STOP]]", "position of the first item equal to VALUE",
	    "index", "PV[se", .out = OUT_PRINT),
	GEN("count", "PATH VALUE", "number of items equal to VALUE", "count", "PV",
	    .out = OUT_PRINT),
	GEN("reverse", "PATH", "reverse the items in place", "reverse", "P"),
	GEN("sort", "[-r] PATH", "sort the items in place", "sort", "P",
	    .opts = OPT(O_REVERSE)),
	GEN("getitem", "PATH INDEX|START:STOP[:STEP]",
	    "print an item, or a slice one item a line", "getitem", "PS", .out = OUT_PRINT),
	{ .name = "setitem", .args = "PATH INDEX VALUE | PATH START:STOP[:STEP] ITEM...|-",
	  .help = "replace an item, or a slice's items", .fn = cmd_setitem, .op = "setitem",
	  .min = 2, .max = -1 },
	GEN("delitem", "PATH INDEX|START:STOP[:STEP]", "delete an item or a slice", "delitem",
	    "PS"),
	GEN("contains", "PATH VALUE", "print whether an item equals VALUE", "contains", "PV",
	    .out = OUT_PRINT),
	GEN("imul", "PATH N", "repeat the items N times (list *= N)", "imul", "Pn"),

	SECTION("Queues"),
	GEN("put", "[-n] PATH VALUE", "add an item, waiting while the queue is full", "put", "PV",
	    .opts = OPT(O_NOWAIT), .flags = CMD_WAITS),
	{ .name = "put-many", .args = "PATH ITEM...|-",
	  .help = "add items while there is room; print how many ('-': lines of stdin)",
	  .fn = cmd_items_arg, .op = "put_many", .out = OUT_PRINT, .min = 2, .max = -1 },
	GEN("unget", "PATH VALUE", "put an item back at the head", "unget", "PV"),
	GEN("qsize", "PATH", "number of items", "qsize", "P", .out = OUT_PRINT),
	GEN("empty", "PATH", "print whether the queue is empty", "empty", "P", .out = OUT_PRINT),
	GEN("full", "PATH", "print whether the queue is full", "full", "P", .out = OUT_PRINT),
	GEN("task-done", "PATH", "mark one item taken by get as processed", "task_done", "P"),
	GEN("join", "PATH", "wait until every item put is marked done", "join", "P",
	    .flags = CMD_WAITS),

	SECTION("Locks, RLocks, semaphores and conditions"),
	GEN("acquire", "[-n] PATH", "hold until release or the session's end",
	    "acquire", "P", .opts = OPT(O_NOWAIT), .flags = CMD_WAITS, .out = OUT_TRUE),
	GEN("release", "PATH [N]", "release (N units of a semaphore)", "release", "P[n"),
	GEN("locked", "PATH", "print whether a lock is held", "locked", "P", .out = OUT_PRINT),
	GEN("value", "PATH", "print a semaphore's counter", "get_value", "P", .out = OUT_PRINT),
	{ .name = "lock", .args = "[-n] [-w SECONDS] PATH [--] COMMAND [ARGS...]",
	  .help = "run COMMAND holding a lock or semaphore unit", .fn = cmd_lock,
	  .opts = OPT(O_NOWAIT) | OPT(O_WAIT), .flags = CMD_COMMAND, .min = 2, .max = -1 },

	SECTION("Events, conditions and barriers"),
	GEN("event-set", "PATH", "set an event's flag, waking its waiters", "set", "P"),
	GEN("event-clear", "PATH", "clear an event's flag", "clear", "P"),
	GEN("is-set", "PATH", "print an event's flag", "is_set", "P", .out = OUT_PRINT),
	{ .name = "wait", .args = "PATH",
	  .help = "wait on an event, a condition or a barrier", .fn = cmd_wait,
	  .min = 1, .max = 1 },
	{ .name = "notify", .args = "PATH [N]", .help = "wake N (1) waiters of a condition",
	  .fn = cmd_notify, .op = "notify", .min = 1, .max = 2 },
	{ .name = "notify-all", .args = "PATH", .help = "wake every waiter of a condition",
	  .fn = cmd_notify, .op = "notify_all", .min = 1, .max = 1 },
	{ .name = "wait-for", .args = "PATH [--] COMMAND [ARGS...]",
	  .help = "wait on a condition until COMMAND exits 0", .fn = cmd_wait_for,
	  .flags = CMD_COMMAND, .min = 2, .max = -1 },
	GEN("abort", "PATH", "break a barrier", "abort", "P"),
	GEN("reset", "PATH", "make a barrier usable again", "reset", "P"),
	GEN("parties", "PATH", "print a barrier's number of parties", "parties", "P",
	    .out = OUT_PRINT),
	GEN("n-waiting", "PATH", "print how many wait at a barrier", "n_waiting", "P",
	    .out = OUT_PRINT),
	GEN("broken", "PATH", "print whether a barrier is broken", "broken", "P",
	    .out = OUT_PRINT),

	SECTION("The manager"),
	GEN("snapshot", "FILE", "write a consistent copy of every object to FILE",
	    "snapshot", "f"),

	SECTION("Sessions"),
	{ .name = "batch", .args = "",
	  .help = "run stdin's lines as commands in one session",
	  .fn = cmd_batch, .min = 0, .max = 0 },
	{ .name = "help", .args = "[COMMAND]", .help = "show the help of a command",
	  .fn = cmd_help, .min = 0, .max = 1 },
	{ .help = NULL },
};

static void usage(FILE *f)
{
	const struct cmd *c;
	char left[128];

	fputs("usage: mgrctl [-c ADDR] [--authkey-file FILE] [-o KEY=VALUE]... [--json]\n"
	      "              [--timeout SECONDS] [--owner N] [--bytes|--string]\n"
	      "              COMMAND [ARGS...]\n"
	      "\nOptions:\n", f);
	opts_print(f, OPTS_MAIN);
	for (c = cmds; c->help; c++) {
		if (!c->name) {
			fprintf(f, "\n%s:\n", c->help);
			continue;
		}
		snprintf(left, sizeof(left), "%s%s%s", c->name, *c->args ? " " : "", c->args);
		if (strlen(left) > 32)
			fprintf(f, "  %s\n  %-32s %s\n", left, "", c->help);
		else
			fprintf(f, "  %-32s %s\n", left, c->help);
	}
	fputs("\nA VALUE is taken as JSON if it parses as JSON, else as a string; '-' reads it\n"
	      "from standard input.  Each invocation is one session: what it holds is\n"
	      "released when it exits.  'mgrctl help COMMAND' shows a command's options.\n"
	      "Exit status: 0 done, 1 error, 2 usage, 3 timed out or would block.\n", f);
}

static void cmd_usage(FILE *f, const struct cmd *cmd)
{
	fprintf(f, "usage: mgrctl %s%s%s\n%s\n", cmd->name, *cmd->args ? " " : "", cmd->args,
		cmd->help);
	if (cmd->more)
		fprintf(f, "\n%s", cmd->more);
	if (cmd->opts) {
		fputs("\nOptions:\n", f);
		opts_print(f, cmd->opts);
	}
	fputs("\nOptions of every command:\n", f);
	opts_print(f, OPTS_COMMON);
}

static const struct cmd *find_cmd(const char *name)
{
	char norm[32];
	const struct cmd *c;
	size_t i;

	/* Python's method names work too: task_done is task-done. */
	for (i = 0; name[i] && i + 1 < sizeof(norm); i++)
		norm[i] = name[i] == '_' ? '-' : name[i];
	norm[i] = '\0';
	if (name[i])
		return NULL;
	for (c = cmds; c->help; c++)
		if (c->name && !strcmp(c->name, norm))
			return c;
	return NULL;
}

static int cmd_help(struct sess *s, const struct cmd *cmd, const struct opts *o,
		    int argc, char **argv)
{
	const struct cmd *c;

	if (!argc) {
		usage(stdout);
		return ST_OK;
	}
	c = find_cmd(argv[0]);
	if (!c)
		return sess_usage_err(s, cmd, "unknown command '%s'", argv[0]);
	cmd_usage(stdout, c);
	return ST_OK;
}

/* The positional counts a spec allows. */
static void spec_counts(const char *spec, int *min, int *max)
{
	bool optional = false;

	*min = *max = 0;
	for (; *spec; spec++) {
		if (*spec == '[') {
			optional = true;
			continue;
		}
		(*max)++;
		if (!optional && *spec != 'p')
			(*min)++;
	}
}

int ctl_run_words(struct sess *s, int argc, char **argv)
{
	const struct cmd *cmd = find_cmd(argv[0]);
	struct opts o = s->defaults;
	char **pos;
	int npos, min, max, st;

	if (!cmd)
		return sess_usage_err(s, NULL, "unknown command '%s'", argv[0]);
	pos = calloc(argc + 1, sizeof(*pos));
	if (!pos)
		return sess_fail(s, ENOMEM, "out of memory");
	st = opts_parse(s, cmd, OPTS_COMMON | OPT(O_HELP) | cmd->opts, argc - 1, argv + 1, &o,
			pos, &npos, cmd->flags & CMD_COMMAND ? 1 : -1);
	if (st)
		goto out;
	if (o.help) {
		cmd_usage(stdout, cmd);
		goto out;
	}
	if (cmd->spec) {
		spec_counts(cmd->spec, &min, &max);
	} else {
		min = cmd->min;
		max = cmd->max;
	}
	if (npos < min || (max >= 0 && npos > max)) {
		st = sess_usage_err(s, cmd, npos < min ? "missing arguments" : "too many arguments");
		goto out;
	}
	if (o.bytes && o.string) {
		st = sess_usage_err(s, cmd, "--bytes and --string exclude each other");
		goto out;
	}
	st = cmd->fn(s, cmd, &o, npos, pos);
out:
	free(pos);
	return st;
}

int main(int argc, char **argv)
{
	struct sess s;
	char **pos;
	int npos, st;

	memset(&s, 0, sizeof(s));
	pos = calloc(argc + 1, sizeof(*pos));
	if (!pos)
		return sess_fail(NULL, ENOMEM, "out of memory");
	st = opts_parse(&s, NULL, OPTS_MAIN, argc - 1, argv + 1, &s.defaults, pos, &npos, 0);
	if (st)
		goto out;
	if (s.defaults.help) {
		usage(stdout);
		goto out;
	}
	if (!npos) {
		st = sess_usage_err(&s, NULL, "no command given");
		goto out;
	}
	st = ctl_run_words(&s, npos, pos);
out:
	/* Freeing the client tells the manager that the items read have
	 * arrived: only once they are written out, so that a mgrctl killed
	 * on the way (SIGPIPE) has not said so. */
	if (fflush(stdout) != 0 && !st)
		st = sess_fail(NULL, errno, "writing standard output: %s", strerror(errno));
	mgr_client_free(s.client);
	free(pos);
	while (s.nssh_args)
		free(s.ssh_args[--s.nssh_args]);
	free(s.ssh_args);
	free(s.ssh_options);
	return st;
}
