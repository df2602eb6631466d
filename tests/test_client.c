/* The client against a real mgrd (named by $MGRD): calls in both modes,
 * replies matched out of order, parked calls, cancel, events, the exec:
 * transport, authentication and a manager that dies under its clients. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "client.h"
#include "fixture_mgrd.h"
#include "json.h"

static char addr[PATH_MAX + 8];
static pid_t server;

static int group_setup(void **state)
{
	mgrd_fixture_addr(addr, sizeof(addr), "sock");
	server = mgrd_start(addr, NULL);
	return 0;
}

static int group_teardown(void **state)
{
	mgrd_stop(server);
	return mgrd_fixture_cleanup();
}

static struct mgr_client *connect_opts(const char *a, struct mgr_client_opts *o)
{
	struct mgr_client *c = NULL;
	char *msg = NULL;
	int r;

	r = mgr_client_connect(a, o, &c, &msg);
	if (r < 0)
		fail_msg("connect %s: %s", a, msg ? msg : "?");
	assert_non_null(c);
	return c;
}

static struct mgr_client *connect_plain(void)
{
	struct mgr_client_opts o = { 0 };

	return connect_opts(addr, &o);
}

/* Build a request: op, path and the members of the JSON object args. */
static void build(struct mgr_req *r, const char *op, const char *path, const char *args)
{
	char why[128];
	yajl_val v;
	size_t i;

	assert_int_equal(mgr_req_init(r, op, path), 0);
	if (!args)
		return;
	assert_int_equal(mgr_json_parse(args, strlen(args), &v, why, sizeof(why)), 0);
	assert_true(YAJL_IS_OBJECT(v));
	for (i = 0; i < v->u.object.len; i++) {
		assert_int_equal(mgr_json_gen_cstr(r->g, v->u.object.keys[i]), 0);
		assert_int_equal(mgr_json_gen_tree(r->g, v->u.object.values[i]), 0);
	}
	yajl_tree_free(v);
}

/* A call that must reach the manager; its reply (maybe an error) in *rep. */
static void call(struct mgr_client *c, const char *op, const char *path, const char *args,
		 struct mgr_reply *rep)
{
	struct mgr_req r;

	build(&r, op, path, args);
	assert_int_equal(mgr_client_call(c, &r, rep), 0);
	mgr_req_release(&r);
}

/* A call that must succeed. */
static void call_ok(struct mgr_client *c, const char *op, const char *path, const char *args)
{
	struct mgr_reply rep;

	call(c, op, path, args, &rep);
	if (rep.err)
		fail_msg("%s %s: %d %s", op, path ? path : "", rep.err,
			 rep.message ? rep.message : "");
	mgr_reply_release(&rep);
}

static uint64_t async(struct mgr_client *c, const char *op, const char *path,
		      const char *args, mgr_reply_fn cb, void *arg)
{
	struct mgr_req r;
	uint64_t id = 0;

	build(&r, op, path, args);
	assert_int_equal(mgr_client_call_async(c, &r, cb, arg, &id), 0);
	mgr_req_release(&r);
	assert_true(id > 0);
	return id;
}

/* Without the I/O thread: run the connection until *flag is set. */
static void pump(struct mgr_client *c, const bool *flag)
{
	struct pollfd pfd = { .fd = mgr_client_fd(c), .events = POLLIN };

	while (!*flag) {
		int r = poll(&pfd, 1, HANG_MS);

		assert_true(r >= 0);
		if (r == 0)
			fail_msg("nothing came for %d ms", HANG_MS);
		mgr_client_dispatch(c);
	}
}

/* The string a datum result holds in "value". */
static const char *result_str(const struct mgr_reply *rep)
{
	const char *s = NULL;

	assert_int_equal(rep->err, 0);
	assert_int_equal(mgr_json_get_str(rep->result, "value", &s), 0);
	return s;
}

struct done {
	bool done;
	int err;
	int64_t value;		/* "value" of the result, when a number */
	char str[64];		/* "value" of the result, when a string */
	int calls;
};

static void on_done(void *arg, struct mgr_reply *rep)
{
	struct done *d = arg;
	const char *s;

	d->calls++;
	d->done = true;
	d->err = rep->err;
	if (rep->err)
		return;
	mgr_json_get_i64(rep->result, "value", &d->value);
	if (mgr_json_get_str(rep->result, "value", &s) == 0)
		snprintf(d->str, sizeof(d->str), "%s", s);
}

static void test_roundtrip(void **state)
{
	struct mgr_client *c = connect_plain();
	struct mgr_reply rep;
	yajl_val v;

	call(c, "ping", NULL, NULL, &rep);
	assert_int_equal(rep.err, 0);
	assert_true(YAJL_IS_STRING(rep.result));
	assert_string_equal(YAJL_GET_STRING(rep.result), "pong");
	mgr_reply_release(&rep);

	call_ok(c, "set", "rt", "{\"value\": {\"a\": [1, \"two\"]}}");
	call(c, "get", "rt", NULL, &rep);
	assert_int_equal(rep.err, 0);
	v = mgr_json_get(mgr_json_get(rep.result, "value"), "a");
	assert_true(YAJL_IS_ARRAY(v));
	assert_int_equal(v->u.array.len, 2);
	assert_string_equal(YAJL_GET_STRING(v->u.array.values[1]), "two");
	mgr_reply_release(&rep);

	/* The manager's refusals come back as the reply's err. */
	call(c, "get", "no/such/thing", NULL, &rep);
	assert_int_equal(rep.err, -ENOENT);
	assert_non_null(rep.message);
	assert_null(rep.result);
	mgr_reply_release(&rep);

	call(c, "frobnicate", "rt", NULL, &rep);
	assert_int_equal(rep.err, -ENOSYS);
	mgr_reply_release(&rep);

	mgr_client_free(c);
}

static void test_async_many(void **state)
{
	struct mgr_client *c = connect_plain();
	struct done d[100] = { { 0 } };
	uint64_t ids[100];
	char path[32], args[64];
	bool all = false;
	int i, j, n;

	call_ok(c, "create", "many", "{\"type\": \"dict\"}");
	for (i = 0; i < 100; i++) {
		snprintf(path, sizeof(path), "many/k%d", i);
		snprintf(args, sizeof(args), "{\"value\": %d}", 1000 + i);
		call_ok(c, "set", path, args);
	}
	/* All 100 outstanding at once, each answer to its own call. */
	for (i = 0; i < 100; i++) {
		snprintf(path, sizeof(path), "many/k%d", i);
		ids[i] = async(c, "get", path, NULL, on_done, &d[i]);
		for (j = 0; j < i; j++)
			assert_true(ids[j] != ids[i]);
	}
	while (!all) {
		struct pollfd pfd = { .fd = mgr_client_fd(c), .events = POLLIN };

		for (n = 0, i = 0; i < 100; i++)
			n += d[i].done;
		all = n == 100;
		if (all)
			break;
		assert_true(poll(&pfd, 1, HANG_MS) > 0);
		assert_int_equal(mgr_client_dispatch(c), 0);
	}
	for (i = 0; i < 100; i++) {
		assert_int_equal(d[i].calls, 1);
		assert_int_equal(d[i].err, 0);
		assert_int_equal(d[i].value, 1000 + i);
	}
	mgr_client_free(c);
}

static void test_blocked_get(void **state)
{
	struct mgr_client *c = connect_plain();
	struct done got = { 0 };
	struct mgr_reply rep;

	call_ok(c, "create", "bq", "{\"type\": \"queue\"}");
	async(c, "get", "bq", NULL, on_done, &got);

	/* The parked get holds up nothing else on the connection. */
	call(c, "ping", NULL, NULL, &rep);
	assert_int_equal(rep.err, 0);
	mgr_reply_release(&rep);
	call_ok(c, "set", "bv", "{\"value\": \"other\"}");
	call(c, "get", "bv", NULL, &rep);
	assert_string_equal(result_str(&rep), "other");
	mgr_reply_release(&rep);
	assert_false(got.done);

	call_ok(c, "put", "bq", "{\"value\": \"item\"}");
	pump(c, &got.done);
	assert_int_equal(got.calls, 1);
	assert_int_equal(got.err, 0);
	assert_string_equal(got.str, "item");
	mgr_client_free(c);
}

static void test_cancel(void **state)
{
	struct mgr_client *c = connect_plain();
	struct done got = { 0 };
	struct mgr_reply rep;
	uint64_t id;

	call_ok(c, "create", "cq", "{\"type\": \"queue\"}");
	id = async(c, "get", "cq", NULL, on_done, &got);
	assert_int_equal(mgr_client_cancel(c, id), 0);
	pump(c, &got.done);
	assert_int_equal(got.calls, 1);
	assert_int_equal(got.err, -ECANCELED);

	/* The cancelled get took nothing: the next item is there for a
	 * non-blocking get. */
	call_ok(c, "put", "cq", "{\"value\": \"kept\"}");
	call(c, "get", "cq", "{\"block\": false}", &rep);
	assert_string_equal(result_str(&rep), "kept");
	mgr_reply_release(&rep);
	/* Cancelling what is already answered is harmless. */
	assert_int_equal(mgr_client_cancel(c, id), 0);
	call(c, "ping", NULL, NULL, &rep);
	assert_int_equal(rep.err, 0);
	mgr_reply_release(&rep);
	mgr_client_free(c);
}

#define MAXEV 16

struct events {
	int n;
	bool seen_x;		/* an event about ev/x came */
	struct {
		uint64_t sub;
		char path[32], what[16], type[16];
	} ev[MAXEV];
};

static void on_event(void *arg, yajl_val ev)
{
	struct events *e = arg;
	const char *s;

	assert_true(e->n < MAXEV);
	assert_int_equal(mgr_json_get_u64(ev, "sub", &e->ev[e->n].sub), 0);
	assert_int_equal(mgr_json_get_str(ev, "path", &s), 0);
	snprintf(e->ev[e->n].path, sizeof(e->ev[0].path), "%s", s);
	assert_int_equal(mgr_json_get_str(ev, "what", &s), 0);
	snprintf(e->ev[e->n].what, sizeof(e->ev[0].what), "%s", s);
	assert_int_equal(mgr_json_get_str(ev, "type", &s), 0);
	snprintf(e->ev[e->n].type, sizeof(e->ev[0].type), "%s", s);
	if (!strcmp(e->ev[e->n].path, "ev/x"))
		e->seen_x = true;
	e->n++;
}

/* How many events told of what happened to path. */
static int count_events(const struct events *e, uint64_t sub, const char *path,
			const char *what, const char *type)
{
	int i, n = 0;

	for (i = 0; i < e->n; i++)
		n += e->ev[i].sub == sub && !strcmp(e->ev[i].path, path) &&
		     !strcmp(e->ev[i].what, what) && !strcmp(e->ev[i].type, type);
	return n;
}

static void test_events(void **state)
{
	struct events ev = { 0 };
	struct mgr_client_opts o = { .on_event = on_event, .arg = &ev };
	struct mgr_client *c = connect_opts(addr, &o);
	struct mgr_reply rep;
	uint64_t sub = 0;
	char args[64];
	int n;

	call_ok(c, "create", "ev", "{\"type\": \"namespace\"}");
	call(c, "subscribe", NULL, "{\"path\": \"ev\"}", &rep);
	assert_int_equal(rep.err, 0);
	assert_int_equal(mgr_json_get_u64(rep.result, "sub", &sub), 0);
	mgr_reply_release(&rep);
	assert_int_equal(ev.n, 0);

	/* The event may come before or after the set's reply.  (The
	 * namespace's own update may come too: it is under the path.) */
	call_ok(c, "set", "ev/x", "{\"value\": 1}");
	pump(c, &ev.seen_x);
	assert_int_equal(count_events(&ev, sub, "ev/x", "create", "value"), 1);

	/* The manager answers in order: what the set caused comes before
	 * the ping's reply. */
	call_ok(c, "set", "ev/x", "{\"value\": 2}");
	call_ok(c, "ping", NULL, NULL);
	assert_int_equal(count_events(&ev, sub, "ev/x", "update", "value"), 1);

	snprintf(args, sizeof(args), "{\"sub\": %llu}", (unsigned long long)sub);
	call_ok(c, "unsubscribe", NULL, args);
	n = ev.n;
	call_ok(c, "set", "ev/y", "{\"value\": 3}");
	call_ok(c, "ping", NULL, NULL);
	assert_int_equal(ev.n, n);
	mgr_client_free(c);
}

#define NTHREADS 8
#define NCALLS 300

struct worker {
	struct mgr_client *c;
	int idx;
	int bad;
	int async_done;		/* atomically counted */
};

static void on_async(void *arg, struct mgr_reply *rep)
{
	struct worker *w = arg;

	if (rep->err == 0)
		__atomic_add_fetch(&w->async_done, 1, __ATOMIC_SEQ_CST);
}

static int tcall(struct mgr_client *c, const char *op, const char *path, const char *args,
		 struct mgr_reply *rep)
{
	struct mgr_req r;
	int err;

	build(&r, op, path, args);
	err = mgr_client_call(c, &r, rep);
	mgr_req_release(&r);
	return err;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct mgr_reply rep;
	char path[32], args[64];
	int64_t v;
	int j;

	snprintf(path, sizeof(path), "th/t%d", w->idx);
	for (j = 0; j < NCALLS; j++) {
		snprintf(args, sizeof(args), "{\"value\": %d}", w->idx * 100000 + j);
		if (tcall(w->c, "set", path, args, &rep) < 0 || rep.err)
			w->bad++;
		mgr_reply_release(&rep);
		v = -1;
		if (tcall(w->c, "get", path, NULL, &rep) < 0 || rep.err ||
		    mgr_json_get_i64(rep.result, "value", &v) < 0 || v != w->idx * 100000 + j)
			w->bad++;
		mgr_reply_release(&rep);
		if (j % 10 == 0) {
			struct mgr_req r;

			build(&r, "ping", NULL, NULL);
			if (mgr_client_call_async(w->c, &r, on_async, w, NULL) < 0)
				w->bad++;
			mgr_req_release(&r);
		}
	}
	return NULL;
}

struct blocked {
	struct mgr_client *c;
	const char *path;
	int err;		/* of the call */
	struct mgr_reply rep;
};

static void *blocked_get(void *arg)
{
	struct blocked *b = arg;

	b->err = tcall(b->c, "get", b->path, NULL, &b->rep);
	return NULL;
}

/* Wait until the queue at path has n parked getters, asking over c. */
static void wait_getters(struct mgr_client *c, const char *path, uint64_t n)
{
	struct mgr_reply rep;
	uint64_t g = 0;
	int i;

	for (i = 0; i < HANG_MS / 10; i++) {
		call(c, "stat", path, NULL, &rep);
		assert_int_equal(rep.err, 0);
		assert_int_equal(mgr_json_get_u64(rep.result, "getters", &g), 0);
		mgr_reply_release(&rep);
		if (g == n)
			return;
		usleep(10000);
	}
	fail_msg("%s never had %llu getters", path, (unsigned long long)n);
}

static void test_threads(void **state)
{
	struct mgr_client_opts o = { .flags = MGR_CLIENT_THREAD };
	struct mgr_client *c = connect_opts(addr, &o);
	struct mgr_client *plain = connect_plain();
	struct worker w[NTHREADS];
	struct blocked b = { .c = c, .path = "th/q" };
	pthread_t t[NTHREADS], bt;
	int i;

	call_ok(c, "create", "th", "{\"type\": \"namespace\"}");
	call_ok(c, "create", "th/q", "{\"type\": \"queue\"}");
	/* One thread parked in a get for the whole run. */
	assert_int_equal(pthread_create(&bt, NULL, blocked_get, &b), 0);
	wait_getters(plain, "th/q", 1);

	for (i = 0; i < NTHREADS; i++) {
		w[i] = (struct worker){ .c = c, .idx = i };
		assert_int_equal(pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
	}
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(w[i].bad, 0);

	call_ok(plain, "put", "th/q", "{\"value\": \"wake\"}");
	assert_int_equal(pthread_join(bt, NULL), 0);
	assert_int_equal(b.err, 0);
	assert_string_equal(result_str(&b.rep), "wake");
	mgr_reply_release(&b.rep);

	/* Every async ping has been answered once the calls after it were:
	 * the manager answers a connection's pings in order. */
	call_ok(c, "ping", NULL, NULL);
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(__atomic_load_n(&w[i].async_done, __ATOMIC_SEQ_CST),
				 (NCALLS + 9) / 10);
	mgr_client_free(c);
	mgr_client_free(plain);
}

/* Large requests and replies in both directions with the I/O thread: each
 * reply's callback sends another megabyte while the main thread sends
 * megabytes too.  mgrd stops reading a connection whose replies back up,
 * so this only completes if the I/O thread keeps reading while output
 * waits to be written. */
#define NBIG 24
#define BIG (1 << 20)

struct flood {
	struct mgr_client *c;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int sets_done;		/* replies to sets: counted under lock */
	int bad;
};

static void flood_note(struct flood *f, bool ok)
{
	pthread_mutex_lock(&f->lock);
	f->sets_done++;
	f->bad += !ok;
	pthread_cond_signal(&f->cond);
	pthread_mutex_unlock(&f->lock);
}

static void on_flood_set(void *arg, struct mgr_reply *rep)
{
	flood_note(arg, rep->err == 0);
}

/* On the I/O thread: store the megabyte just read under a path of its own. */
static void on_flood_get(void *arg, struct mgr_reply *rep)
{
	struct flood *f = arg;
	yajl_val v = rep->err ? NULL : mgr_json_get(rep->result, "value");
	struct mgr_req r;

	if (!v || !YAJL_IS_STRING(v) || strlen(v->u.string) != BIG ||
	    mgr_req_init(&r, "set", "flood/copy") < 0) {
		flood_note(f, false);
		return;
	}
	if (mgr_json_kv_str(r.g, "value", v->u.string) < 0 ||
	    mgr_client_call_async(f->c, &r, on_flood_set, f, NULL) < 0)
		flood_note(f, false);
	mgr_req_release(&r);
}

static void test_thread_flood(void **state)
{
	struct mgr_client_opts o = { .flags = MGR_CLIENT_THREAD };
	struct flood f = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };
	struct mgr_req r;
	struct timespec until;
	char *big = malloc(BIG + 1);
	int i, done, bad;

	assert_non_null(big);
	memset(big, 'x', BIG);
	big[BIG] = '\0';
	f.c = connect_opts(addr, &o);
	call_ok(f.c, "create", "flood", "{\"type\": \"namespace\"}");
	assert_int_equal(mgr_req_init(&r, "set", "flood/big"), 0);
	assert_int_equal(mgr_json_kv_str(r.g, "value", big), 0);
	assert_int_equal(mgr_client_call_async(f.c, &r, on_flood_set, &f, NULL), 0);
	mgr_req_release(&r);
	for (i = 0; i < NBIG; i++) {
		async(f.c, "get", "flood/big", NULL, on_flood_get, &f);
		assert_int_equal(mgr_req_init(&r, "set", "flood/mine"), 0);
		assert_int_equal(mgr_json_kv_str(r.g, "value", big), 0);
		assert_int_equal(mgr_client_call_async(f.c, &r, on_flood_set, &f, NULL), 0);
		mgr_req_release(&r);
	}
	/* The first set, one per get and one per main-thread set. */
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += HANG_MS / 1000;
	pthread_mutex_lock(&f.lock);
	while (f.sets_done < 1 + 2 * NBIG)
		if (pthread_cond_timedwait(&f.cond, &f.lock, &until) == ETIMEDOUT)
			break;
	done = f.sets_done;
	bad = f.bad;
	pthread_mutex_unlock(&f.lock);
	assert_int_equal(done, 1 + 2 * NBIG);
	assert_int_equal(bad, 0);
	call_ok(f.c, "ping", NULL, NULL);
	mgr_client_free(f.c);
	free(big);
}

/* Children of this process, zombies included. */
static int count_children(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	char path[300], buf[512], *p;
	int n = 0, fd, ppid;
	ssize_t len;

	assert_non_null(d);
	while ((e = readdir(d))) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = '\0';
		/* pid (comm) state ppid: comm may hold spaces or ')'. */
		p = strrchr(buf, ')');
		if (p && sscanf(p + 1, " %*c %d", &ppid) == 1 && ppid == getpid())
			n++;
	}
	closedir(d);
	return n;
}

static void test_exec(void **state)
{
	struct mgr_client_opts o = { 0 };
	struct mgr_client *c;
	struct mgr_reply rep;
	char a[PATH_MAX + 32], *msg = NULL;
	int before = count_children(), i;

	snprintf(a, sizeof(a), "exec:%s -q --stdio", mgrd_bin);
	for (i = 0; i < 2; i++) {
		o.flags = i ? MGR_CLIENT_THREAD : 0;
		c = connect_opts(a, &o);
		assert_int_equal(count_children(), before + 1);
		call(c, "ping", NULL, NULL, &rep);
		assert_int_equal(rep.err, 0);
		assert_string_equal(YAJL_GET_STRING(rep.result), "pong");
		mgr_reply_release(&rep);
		/* A manager of its own: what the shared one holds is not there. */
		call(c, "get", "rt", NULL, &rep);
		assert_int_equal(rep.err, -ENOENT);
		mgr_reply_release(&rep);
		call_ok(c, "set", "x", "{\"value\": \"stdio\"}");
		call(c, "get", "x", NULL, &rep);
		assert_string_equal(result_str(&rep), "stdio");
		mgr_reply_release(&rep);
		/* Freeing reaps the command. */
		mgr_client_free(c);
		assert_int_equal(count_children(), before);
	}

	/* A command that is no manager: the error says how it ended. */
	assert_true(mgr_client_connect("exec:exit 3", &o, &c, &msg) < 0);
	assert_non_null(msg);
	assert_non_null(strstr(msg, "status 3"));
	free(msg);
	assert_int_equal(count_children(), before);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void test_auth(void **state)
{
	struct mgr_client_opts o = { 0 };
	struct mgr_client *c = NULL;
	char key[PATH_MAX], a[PATH_MAX + 8], *msg = NULL;
	pid_t pid;

	mgrd_fixture_addr(a, sizeof(a), "authsock");
	mgrd_fixture_path(key, sizeof(key), "key");
	write_file(key, "open sesame\n");
	chmod(key, 0600);
	pid = mgrd_start(a, key);

	o.authkey = "open sesame";
	o.authkey_len = 11;
	c = connect_opts(a, &o);
	call_ok(c, "ping", NULL, NULL);
	mgr_client_free(c);

	o.authkey = "open sesamE";
	assert_int_equal(mgr_client_connect(a, &o, &c, &msg), -EACCES);
	assert_null(c);
	assert_non_null(msg);
	free(msg);

	/* The key is a demand: the group's manager, which has none, has
	 * not proved that it holds it. */
	o.authkey = "open sesame";
	assert_int_equal(mgr_client_connect(addr, &o, &c, &msg), -EACCES);
	assert_null(c);
	assert_non_null(strstr(msg, "did not ask for the authentication key"));
	free(msg);

	o.authkey = NULL;
	o.authkey_len = 0;
	assert_int_equal(mgr_client_connect(a, &o, &c, &msg), -EACCES);
	assert_non_null(strstr(msg, "key"));
	free(msg);
	mgrd_stop(pid);
}

struct closed {
	int n;
	int err;
};

static void on_close(void *arg, int err)
{
	struct closed *cl = arg;

	cl->n++;
	cl->err = err;
}

static void test_connection_loss(void **state)
{
	struct closed cl = { 0 };
	struct mgr_client_opts o = { .on_close = on_close, .arg = &cl };
	struct done g1 = { 0 }, g2 = { 0 };
	struct mgr_client *c, *watch;
	struct mgr_reply rep;
	char a[PATH_MAX + 8];
	struct mgr_req r;
	pid_t pid;

	mgrd_fixture_addr(a, sizeof(a), "losssock");
	pid = mgrd_start(a, NULL);
	c = connect_opts(a, &o);
	watch = connect_opts(a, &(struct mgr_client_opts){ 0 });
	call_ok(c, "create", "lq", "{\"type\": \"queue\"}");
	async(c, "get", "lq", NULL, on_done, &g1);
	async(c, "get", "lq", NULL, on_done, &g2);
	wait_getters(watch, "lq", 2);
	mgr_client_free(watch);

	mgrd_kill(pid);
	pump(c, &g2.done);
	assert_true(g1.done);
	assert_int_equal(g1.calls, 1);
	assert_int_equal(g2.calls, 1);
	assert_true(g1.err < 0);
	assert_int_equal(g1.err, g2.err);
	assert_int_equal(cl.n, 1);
	assert_int_equal(cl.err, g1.err);

	/* Later calls fail at once, with the same error. */
	build(&r, "ping", NULL, NULL);
	assert_int_equal(mgr_client_call(c, &r, &rep), cl.err);
	assert_null(rep.msg);
	mgr_req_release(&r);
	assert_int_equal(mgr_client_dispatch(c), cl.err);
	mgr_client_free(c);
	assert_int_equal(cl.n, 1);
}

static void test_connection_loss_thread(void **state)
{
	struct closed cl = { 0 };
	struct mgr_client_opts o = { .flags = MGR_CLIENT_THREAD, .on_close = on_close, .arg = &cl };
	struct mgr_client *c, *watch;
	struct blocked b = { .path = "lq" };
	struct mgr_reply rep;
	char a[PATH_MAX + 8];
	pthread_t bt;
	pid_t pid;

	mgrd_fixture_addr(a, sizeof(a), "losssock2");
	pid = mgrd_start(a, NULL);
	c = connect_opts(a, &o);
	b.c = c;
	watch = connect_opts(a, &(struct mgr_client_opts){ 0 });
	call_ok(c, "create", "lq", "{\"type\": \"queue\"}");
	assert_int_equal(pthread_create(&bt, NULL, blocked_get, &b), 0);
	wait_getters(watch, "lq", 1);
	mgr_client_free(watch);

	mgrd_kill(pid);
	assert_int_equal(pthread_join(bt, NULL), 0);
	assert_true(b.err < 0);
	assert_null(b.rep.msg);
	assert_int_equal(tcall(c, "ping", NULL, NULL, &rep), b.err);
	mgr_client_free(c);
	assert_int_equal(cl.n, 1);
	assert_int_equal(cl.err, b.err);
}

/* Freeing a client with calls in flight fails them, without on_close. */
static void test_free_outstanding(void **state)
{
	struct closed cl = { 0 };
	struct mgr_client_opts o = { .on_close = on_close, .arg = &cl };
	struct mgr_client *c;
	struct done got = { 0 };
	int i;

	for (i = 0; i < 2; i++) {
		o.flags = i ? MGR_CLIENT_THREAD : 0;
		memset(&got, 0, sizeof(got));
		c = connect_opts(addr, &o);
		call_ok(c, "create", "fq", "{\"type\": \"queue\", \"exist_ok\": true}");
		async(c, "get", "fq", NULL, on_done, &got);
		call_ok(c, "ping", NULL, NULL);
		mgr_client_free(c);
		assert_int_equal(got.calls, 1);
		assert_int_equal(got.err, -ECONNABORTED);
	}
	assert_int_equal(cl.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_async_many),
		cmocka_unit_test(test_blocked_get),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_thread_flood),
		cmocka_unit_test(test_exec),
		cmocka_unit_test(test_auth),
		cmocka_unit_test(test_connection_loss),
		cmocka_unit_test(test_connection_loss_thread),
		cmocka_unit_test(test_free_outstanding),
	};

	int r = mgrd_fixture_init("test_client");

	if (r)
		return r;
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
