/* mgr-bench: how many operations a second a manager answers, with one
 * client and with many at once, and how much memory it needs for a million
 * keys.  tools/bench.sh runs it beside tools/bench_python.py, which does the
 * same against Python's SyncManager, and prints the two side by side.
 *
 * Each client is a process of its own with its own connection, as the
 * users of a manager are.  Calls are made one at a time and waited for, as
 * Python's proxies make them, so the figures compare like with like.  With
 * --one-process the many clients are instead connections of one process,
 * each with one call in flight, as redis-benchmark -c runs its clients.
 * The memory test alone pipelines its calls, since there only the end
 * state is measured. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "auth.h"
#include "client.h"
#include "json.h"

#define MAX_CLIENTS 256
/* Calls in flight at once while filling the memory test's store: enough to
 * keep the manager busy, few enough that neither side's socket buffer can
 * fill while the other is not reading. */
#define FILL_WINDOW 256

enum bench_op {
	OP_VALUE_SET,
	OP_VALUE_GET,
	OP_QUEUE_PUT,
	OP_QUEUE_GET,
	OP_LOCK,
	NOPS
};

static const char *const op_names[NOPS] = {
	"value-set", "value-get", "queue-put", "queue-get", "lock",
};

/* What the forked clients share with the parent. */
struct shared {
	pthread_barrier_t barrier;
	int failed;
	double rate[MAX_CLIENTS][NOPS];
};

#define MAX_SSH_OPTIONS 32

struct opts {
	const char *addr;		/* NULL: a manager of our own */
	const char *mgrd;
	struct mgr_ssh_opts ssh;	/* -o: for an ssh: ADDR */
	const char *ssh_options[MAX_SSH_OPTIONS + 1];
	int nssh_options;
	char *key;
	size_t keylen;
	double seconds;
	int clients;
	long keys;
	bool memory;
	bool ops;
	bool one_process;	/* the many clients: connections of one process */
};

static char root[64];	/* the namespace the run works in */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int call(struct mgr_client *c, const char *op, const char *path,
		const char *value, const char *type)
{
	struct mgr_req r;
	struct mgr_reply rep = { 0 };
	int err;

	err = mgr_req_init(&r, op, path);
	if (err < 0)
		return err;
	if (value)
		mgr_json_kv_str(r.g, "value", value);
	if (type) {
		mgr_json_kv_str(r.g, "type", type);
		mgr_json_kv_bool(r.g, "exist_ok", true);
	}
	err = mgr_client_call(c, &r, &rep);
	mgr_req_release(&r);
	if (err == 0 && rep.err) {
		fprintf(stderr, "mgr-bench: %s %s: %s\n", op, path,
			rep.message ? rep.message : strerror(-rep.err));
		err = rep.err;
	}
	mgr_reply_release(&rep);
	return err;
}

static int connect_to(const struct opts *o, const char *addr, struct mgr_client **c)
{
	struct mgr_client_opts co = {
		.flags = o->one_process ? MGR_CLIENT_DEFER : 0,
		.authkey = o->key,
		.authkey_len = o->keylen,
		.ssh = &o->ssh,
	};
	char *msg = NULL;
	int err;

	err = mgr_client_connect(addr, &co, c, &msg);
	if (err < 0) {
		/* The client's message names the address already. */
		if (msg)
			fprintf(stderr, "mgr-bench: %s\n", msg);
		else
			fprintf(stderr, "mgr-bench: %s: %s\n", addr ? addr : "default socket",
				strerror(-err));
		free(msg);
	}
	return err;
}

/* The call that step (0, or 1 for a lock's release) of an operation of
 * kind op by client idx makes: its name, path and value (or NULL). */
static const char *op_call(enum bench_op op, int step, int idx, char *path, size_t len,
			   const char **value)
{
	*value = op == OP_VALUE_SET || op == OP_QUEUE_PUT ? "0123456789abcdef" : NULL;
	if (op == OP_VALUE_SET || op == OP_VALUE_GET)
		snprintf(path, len, "%s/v%d", root, idx);
	else
		snprintf(path, len, "%s/%s", root, op == OP_LOCK ? "lock" : "q");
	switch (op) {
	case OP_VALUE_SET:
		return "set";
	case OP_QUEUE_PUT:
		return "put";
	case OP_LOCK:
		return step ? "release" : "acquire";
	default:
		return "get";
	}
}

/* One operation of kind op by client idx. */
static int do_op(struct mgr_client *c, enum bench_op op, int idx)
{
	const char *value, *name;
	char path[128];
	int step;

	for (step = 0; step < 1 + (op == OP_LOCK); step++) {
		name = op_call(op, step, idx, path, sizeof(path), &value);
		if (call(c, name, path, value, NULL) < 0)
			return -EIO;
	}
	return 0;
}

/* --one-process: n connections of this process, each with one call in
 * flight, until the time is up (gets: until all that was put is taken). */
struct mux_conn {
	struct mgr_client *c;
	struct mux *m;
	int idx, step;
};

struct mux {
	enum bench_op op;
	long done, inflight, limit;	/* limit: operations to make, or -1 */
	bool stop, failed;
};

static void mux_send(struct mux_conn *k);

static void mux_done(void *arg, struct mgr_reply *rep)
{
	struct mux_conn *k = arg;
	struct mux *m = k->m;

	m->inflight--;
	if (rep->err) {
		m->failed = true;
		return;
	}
	if (m->op == OP_LOCK && k->step == 0) {
		k->step = 1;
	} else {
		k->step = 0;
		m->done++;
	}
	mux_send(k);
}

static void mux_send(struct mux_conn *k)
{
	struct mux *m = k->m;
	const char *value, *name;
	struct mgr_req r;
	char path[128];

	/* A lock taken is always given back. */
	if (m->failed || (k->step == 0 && (m->stop || (m->limit >= 0 &&
						      m->done + m->inflight >= m->limit))))
		return;
	name = op_call(m->op, k->step, k->idx, path, sizeof(path), &value);
	if (mgr_req_init(&r, name, path) < 0) {
		m->failed = true;
		return;
	}
	if (value)
		mgr_json_kv_str(r.g, "value", value);
	if (mgr_client_call_async(k->c, &r, mux_done, k, NULL) < 0)
		m->failed = true;
	else
		m->inflight++;
	mgr_req_release(&r);
}

static int run_one_process(const struct opts *o, const char *addr, int n, double total[NOPS])
{
	struct mux_conn k[MAX_CLIENTS];
	struct pollfd pfd[MAX_CLIENTS];
	struct mux m;
	long puts = 0;
	double t0, t = 0;
	bool ready;
	int i, op, err = 0;

	for (i = 0; i < n && !err; i++) {
		k[i] = (struct mux_conn){ .m = &m, .idx = i };
		err = connect_to(o, addr, &k[i].c);
	}
	for (op = 0; op < NOPS && !err; op++) {
		m = (struct mux){ .op = op, .limit = op == OP_QUEUE_GET ? puts : -1 };
		t0 = now_s();
		for (i = 0; i < n; i++)
			mux_send(&k[i]);
		while (m.inflight && !m.failed) {
			/* A reply read while a request was written waits in
			 * its client, not in the socket. */
			for (i = 0, ready = false; i < n; i++) {
				pfd[i] = (struct pollfd){ .fd = mgr_client_fd(k[i].c), .events = POLLIN };
				ready = ready || mgr_client_pending(k[i].c);
			}
			if (poll(pfd, (nfds_t)n, ready ? 0 : -1) < 0 && errno != EINTR)
				break;
			for (i = 0; i < n; i++)
				if ((pfd[i].revents || mgr_client_pending(k[i].c)) &&
				    mgr_client_dispatch(k[i].c) < 0)
					m.failed = true;
			t = now_s();
			m.stop = op != OP_QUEUE_GET && t - t0 >= o->seconds;
		}
		if (m.failed || m.inflight)
			err = -EIO;
		if (op == OP_QUEUE_PUT)
			puts = m.done;
		total[op] = t > t0 ? m.done / (t - t0) : 0;
	}
	for (i = 0; i < n; i++)
		mgr_client_free(k[i].c);
	return err;
}

/* A client process: every phase starts together with the other clients'.
 * A client that fails still meets the others at each barrier, so that none
 * waits for it forever. */
static void client_main(const struct opts *o, const char *addr, struct shared *sh, int idx)
{
	struct mgr_client *c = NULL;
	long puts = 0;
	int op;

	if (connect_to(o, addr, &c) < 0)
		__atomic_store_n(&sh->failed, 1, __ATOMIC_SEQ_CST);
	pthread_barrier_wait(&sh->barrier);
	for (op = 0; op < NOPS; op++) {
		long n = 0;
		double t0, t;

		pthread_barrier_wait(&sh->barrier);
		t0 = t = now_s();
		while (!__atomic_load_n(&sh->failed, __ATOMIC_SEQ_CST)) {
			/* Gets take back exactly what this client put, so none of
			 * them waits on an empty queue. */
			if (op == OP_QUEUE_GET ? n == puts : t - t0 >= o->seconds)
				break;
			if (do_op(c, op, idx) < 0) {
				__atomic_store_n(&sh->failed, 1, __ATOMIC_SEQ_CST);
				break;
			}
			n++;
			if (op == OP_QUEUE_GET || (n & 31) == 0)
				t = now_s();
		}
		t = now_s();
		if (op == OP_QUEUE_PUT)
			puts = n;
		sh->rate[idx][op] = t > t0 ? n / (t - t0) : 0;
		pthread_barrier_wait(&sh->barrier);
	}
	mgr_client_free(c);
}

/* Run the operations with n clients at once; rates summed into total. */
static int run_clients(const struct opts *o, const char *addr, struct shared *sh,
		       int n, double total[NOPS])
{
	pthread_barrierattr_t ba;
	pid_t pids[MAX_CLIENTS];
	int i, op, status, err = 0;

	pthread_barrierattr_init(&ba);
	pthread_barrierattr_setpshared(&ba, PTHREAD_PROCESS_SHARED);
	pthread_barrier_init(&sh->barrier, &ba, n);
	pthread_barrierattr_destroy(&ba);
	sh->failed = 0;
	fflush(NULL);
	for (i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] < 0) {
			perror("mgr-bench: fork");
			/* The barrier counts on n clients: end those that
			 * wait at it for the rest. */
			while (i--) {
				kill(pids[i], SIGKILL);
				waitpid(pids[i], NULL, 0);
			}
			err = -EAGAIN;
			goto out;
		}
		if (pids[i] == 0) {
			/* A guard against a wedged run, far beyond its length. */
			alarm((unsigned)(o->seconds * NOPS * 4) + 120);
			client_main(o, addr, sh, i);
			_exit(sh->failed);
		}
	}
	for (i = 0; i < n; i++) {
		if (waitpid(pids[i], &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			err = -EIO;
	}
	if (sh->failed)
		err = -EIO;
	for (op = 0; op < NOPS; op++) {
		total[op] = 0;
		for (i = 0; i < n; i++)
			total[op] += sh->rate[i][op];
	}
out:
	pthread_barrier_destroy(&sh->barrier);
	return err;
}

/* Start a manager of our own on a unix socket in dir and wait until it
 * answers.  Its pid goes to *pid. */
static int start_mgrd(const struct opts *o, const char *dir, char *addr, size_t len,
		      pid_t *pid)
{
	struct mgr_client *c;
	char sock[PATH_MAX];
	int i;

	snprintf(sock, sizeof(sock), "%s/sock", dir);
	snprintf(addr, len, "unix:%s", sock);
	fflush(NULL);
	*pid = fork();
	if (*pid < 0)
		return -errno;
	if (*pid == 0) {
		execl(o->mgrd, o->mgrd, "-q", "-l", addr, (char *)NULL);
		fprintf(stderr, "mgr-bench: %s: %s\n", o->mgrd, strerror(errno));
		_exit(127);
	}
	for (i = 0; i < 200; i++) {
		struct mgr_client_opts co = { 0 };
		char *msg = NULL;
		int status;

		if (access(sock, F_OK) == 0 &&
		    mgr_client_connect(addr, &co, &c, &msg) == 0) {
			mgr_client_free(c);
			return 0;
		}
		free(msg);
		if (waitpid(*pid, &status, WNOHANG) == *pid) {
			fprintf(stderr, "mgr-bench: %s exited before it answered\n", o->mgrd);
			*pid = 0;
			return -ECHILD;
		}
		usleep(50000);
	}
	fprintf(stderr, "mgr-bench: %s did not answer on %s\n", o->mgrd, addr);
	return -ETIMEDOUT;
}

static void stop_mgrd(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

/* Peak and current resident size of a process, in kB, from its status. */
static int read_rss(pid_t pid, long *hwm, long *rss)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	*hwm = *rss = -1;
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "VmHWM: %ld kB", hwm);
		sscanf(line, "VmRSS: %ld kB", rss);
	}
	fclose(f);
	return *hwm < 0 ? -EIO : 0;
}

struct fill {
	long inflight;
	long failed;
};

static void fill_done(void *arg, struct mgr_reply *rep)
{
	struct fill *f = arg;

	f->inflight--;
	if (rep->err && f->failed++ == 0)
		fprintf(stderr, "mgr-bench: set: %s\n",
			rep->message ? rep->message : strerror(-rep->err));
}

/* Fill a fresh manager with o->keys values under one dict, keeping
 * FILL_WINDOW calls in flight, then read its peak resident size. */
static int bench_memory(const struct opts *o, const char *dir, long *hwm, double *fill_rate)
{
	struct mgr_client *c = NULL;
	struct fill f = { 0 };
	char addr[PATH_MAX + 8];
	long sent = 0, rss;
	pid_t pid = 0;
	double t0;
	int err;

	err = start_mgrd(o, dir, addr, sizeof(addr), &pid);
	if (err < 0)
		goto out;
	err = connect_to(o, addr, &c);
	if (err < 0)
		goto out;
	err = call(c, "create", "m", NULL, "dict");
	if (err < 0)
		goto out;
	t0 = now_s();
	while (sent < o->keys || f.inflight) {
		struct pollfd pfd = { .fd = mgr_client_fd(c), .events = POLLIN };

		while (sent < o->keys && f.inflight < FILL_WINDOW) {
			char path[32], value[32];
			struct mgr_req r;

			/* 16-byte names and 16-byte values, all distinct. */
			snprintf(path, sizeof(path), "m/k%015ld", sent);
			snprintf(value, sizeof(value), "v%015ld", sent);
			err = mgr_req_init(&r, "set", path);
			if (err < 0)
				goto out;
			mgr_json_kv_str(r.g, "value", value);
			err = mgr_client_call_async(c, &r, fill_done, &f, NULL);
			mgr_req_release(&r);
			if (err < 0)
				goto out;
			sent++;
			f.inflight++;
		}
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR) {
			err = -errno;
			goto out;
		}
		err = mgr_client_dispatch(c);
		if (err < 0)
			goto out;
	}
	*fill_rate = o->keys / (now_s() - t0);
	if (f.failed) {
		err = -EIO;
		goto out;
	}
	err = read_rss(pid, hwm, &rss);
out:
	mgr_client_free(c);
	stop_mgrd(pid);
	return err;
}

static int setup_objects(const struct opts *o, const char *addr)
{
	struct mgr_client *c;
	char path[128];
	int err;

	err = connect_to(o, addr, &c);
	if (err < 0)
		return err;
	err = call(c, "create", root, NULL, "namespace");
	snprintf(path, sizeof(path), "%s/q", root);
	if (!err)
		err = call(c, "create", path, NULL, "queue");
	snprintf(path, sizeof(path), "%s/lock", root);
	if (!err)
		err = call(c, "create", path, NULL, "lock");
	mgr_client_free(c);
	return err;
}

static void remove_objects(const struct opts *o, const char *addr)
{
	struct mgr_client *c;
	struct mgr_req r;
	struct mgr_reply rep = { 0 };

	if (connect_to(o, addr, &c) < 0)
		return;
	if (mgr_req_init(&r, "delete", root) == 0) {
		mgr_json_kv_bool(r.g, "recursive", true);
		if (mgr_client_call(c, &r, &rep) == 0)
			mgr_reply_release(&rep);
		mgr_req_release(&r);
	}
	mgr_client_free(c);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mgr-bench [-c ADDR] [--authkey-file FILE] [-o KEY=VALUE,...]\n"
		"                 [-t SECONDS] [-n CLIENTS] [-k KEYS] [--mgrd PATH]\n"
		"                 [--no-memory] [--no-ops] [--one-process]\n"
		"\n"
		"Measures operations a second with 1 and with CLIENTS (16) processes at\n"
		"once, each with its own connection, on a manager of its own or on ADDR\n"
		"(with --one-process the CLIENTS connections of one process, each with one\n"
		"call in flight, as redis-benchmark -c runs its clients);\n"
		"then the peak resident size of a fresh manager holding KEYS (1000000)\n"
		"16-byte values under 16-byte names.  -o takes ssh options for an ssh:\n"
		"ADDR, as mgrctl(1) does (without its '\\,').\n");
}

/* -o KEY=VALUE,...: ssh_command= and mgrd= are ours, the rest ssh's.  The
 * strings point into arg. */
static int add_ssh_opts(struct opts *o, char *arg)
{
	const char *why;
	char *item, *save;

	for (item = strtok_r(arg, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		/* The first value counts, as for ssh's own options. */
		if (!strncmp(item, "ssh_command=", 12)) {
			if (!o->ssh.command)
				o->ssh.command = item + 12;
		} else if (!strncmp(item, "mgrd=", 5)) {
			if (!o->ssh.mgrd)
				o->ssh.mgrd = item + 5;
		} else if (mgr_ssh_option_check(item, &why) < 0) {
			fprintf(stderr, "mgr-bench: -o %s: %s\n", item, why);
			return -EINVAL;
		} else if (o->nssh_options == MAX_SSH_OPTIONS) {
			fprintf(stderr, "mgr-bench: more than %d ssh options\n", MAX_SSH_OPTIONS);
			return -E2BIG;
		} else {
			o->ssh_options[o->nssh_options++] = item;
			o->ssh.options = o->ssh_options;
		}
	}
	return 0;
}

static char *default_mgrd(void)
{
	char exe[PATH_MAX], *slash, *s;
	ssize_t n;

	if (getenv("MGRD"))
		return strdup(getenv("MGRD"));
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return strdup("mgrd");
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		slash[1] = '\0';
	if (asprintf(&s, "%smgrd", slash ? exe : "") < 0)
		return NULL;
	return s;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "connect", required_argument, NULL, 'c' },
		{ "authkey-file", required_argument, NULL, 'a' },
		{ "option", required_argument, NULL, 'o' },
		{ "seconds", required_argument, NULL, 't' },
		{ "clients", required_argument, NULL, 'n' },
		{ "keys", required_argument, NULL, 'k' },
		{ "mgrd", required_argument, NULL, 'm' },
		{ "no-memory", no_argument, NULL, 'M' },
		{ "no-ops", no_argument, NULL, 'O' },
		{ "one-process", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = {
		.seconds = 1.0, .clients = 16, .keys = 1000000, .memory = true, .ops = true,
	};
	char dir[] = "/tmp/mgr-bench.XXXXXX", own[PATH_MAX + 8];
	const char *addr = NULL, *err;
	char *mgrd_path = NULL;
	struct shared *sh = MAP_FAILED;
	double one[NOPS], many[NOPS], fill_rate = 0;
	pid_t pid = 0;
	long hwm = 0;
	int c, i, ret = 1;

	while ((c = getopt_long(argc, argv, "c:a:o:t:n:k:m:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o.addr = optarg;
			break;
		case 'a':
			if (mgr_auth_read_key(optarg, &o.key, &o.keylen, &err) < 0) {
				fprintf(stderr, "mgr-bench: %s: %s\n", optarg, err);
				return 1;
			}
			break;
		case 'o':
			if (add_ssh_opts(&o, optarg) < 0)
				return 2;
			break;
		case 't':
			o.seconds = atof(optarg);
			break;
		case 'n':
			o.clients = atoi(optarg);
			break;
		case 'k':
			o.keys = atol(optarg);
			break;
		case 'm':
			o.mgrd = optarg;
			break;
		case 'M':
			o.memory = false;
			break;
		case 'O':
			o.ops = false;
			break;
		case 'P':
			o.one_process = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || o.seconds <= 0 || o.clients < 1 ||
	    o.clients > MAX_CLIENTS || o.keys < 1) {
		usage(stderr);
		return 2;
	}
	if (!o.mgrd)
		o.mgrd = mgrd_path = default_mgrd();
	if (!mkdtemp(dir)) {
		perror("mgr-bench: mkdtemp");
		goto out;
	}
	snprintf(root, sizeof(root), "mgr-bench.%d", (int)getpid());
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("mgr-bench: mmap");
		goto out;
	}

	printf("%-16s %8s %14s\n", "operation", "clients", "ops/s");
	if (o.ops) {
		addr = o.addr;
		if (!addr) {
			if (start_mgrd(&o, dir, own, sizeof(own), &pid) < 0)
				goto out;
			addr = own;
		}
		if (setup_objects(&o, addr) < 0)
			goto out;
		if (run_clients(&o, addr, sh, 1, one) < 0 ||
		    (o.one_process ? run_one_process(&o, addr, o.clients, many) :
		     run_clients(&o, addr, sh, o.clients, many)) < 0) {
			fprintf(stderr, "mgr-bench: a client failed\n");
			remove_objects(&o, addr);
			goto out;
		}
		remove_objects(&o, addr);
		stop_mgrd(pid);
		pid = 0;
		for (i = 0; i < NOPS; i++)
			printf("%-16s %8d %14.0f\n", op_names[i], 1, one[i]);
		for (i = 0; i < NOPS; i++)
			printf("%-16s %8d %14.0f\n", op_names[i], o.clients, many[i]);
		fflush(stdout);
	}
	if (o.memory) {
		if (bench_memory(&o, dir, &hwm, &fill_rate) < 0)
			goto out;
		/* Peak RSS in MB for o.keys keys; the fill rate comes along as a
		 * comment, since it pipelines and has no Python counterpart. */
		printf("%-16s %8ld %14.1f\n", "peak-rss-MB", o.keys, hwm / 1024.0);
		printf("# filled %ld keys at %.0f pipelined sets/s\n", o.keys, fill_rate);
	}
	ret = 0;
out:
	stop_mgrd(pid);
	if (sh != MAP_FAILED)
		munmap(sh, sizeof(*sh));
	/* The socket is gone with its manager; the directory may be left. */
	snprintf(own, sizeof(own), "%s/sock", dir);
	unlink(own);
	rmdir(dir);
	free(mgrd_path);
	free(o.key);
	return ret;
}
