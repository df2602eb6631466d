/* core/persist: a store saved and loaded again, through a snapshot and
 * through the journal, holds the same tree with the same versions; items
 * handed out and never acknowledged come back; records of random bytes
 * (with valid frames) never crash a restore. */
#include "ops_harness.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "persist.h"
#include "record.h"
#include "restore.h"
#include "snapshot.h"

static char dir[] = "/tmp/test_persist.XXXXXX";

/* The whole tree, and the stat of a few objects (with their versions). */
static void describe(struct mgr_store *s, char *out, size_t n)
{
	static const char *const paths[] = { "v", "b", "l", "a", "q", "d/k", "sem", "e", "bar" };
	struct mgr_store *saved = store;
	size_t i, at;

	store = s;
	OK(0, res, "{'op':'dump','path':''}");
	at = (size_t)snprintf(out, n, "%s\n", res);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		assert_int_equal(req(0, 1, "{'op':'stat','path':'%s'}", paths[i]), 0);
		at += (size_t)snprintf(out + at, n - at, "%s\n", res);
	}
	store = saved;
}

static void fill(void)
{
	RUN(0, "{'op':'create','path':'v','type':'value','typecode':'d','value':2.5}");
	RUN(0, "{'op':'set','path':'b','bytes':'AAEC/w=='}");
	RUN(0, "{'op':'create','path':'l','type':'list','items':[1,'two',[3]]}");
	RUN(0, "{'op':'append','path':'l','bytes':'AA=='}");
	RUN(0, "{'op':'create','path':'a','type':'array','typecode':'d','items':[1.5,-2]}");
	RUN(0, "{'op':'create','path':'q','type':'queue','maxsize':9}");
	RUN(0, "{'op':'put_many','path':'q','items':[{'value':1},{'value':2},{'value':3}]}");
	RUN(1, "{'op':'get','path':'q'}");
	RUN(0, "{'op':'task_done','path':'q'}");
	RUN(0, "{'op':'create','path':'d','type':'dict'}");
	RUN(0, "{'op':'update','path':'d','items':{'k':{'x':null},'j':1}}");
	RUN(0, "{'op':'create','path':'sem','type':'bsemaphore','value':3}");
	RUN(2, "{'op':'acquire','path':'sem'}");
	RUN(0, "{'op':'create','path':'e','type':'event'}");
	RUN(0, "{'op':'set','path':'e'}");
	RUN(0, "{'op':'create','path':'bar','type':'barrier','parties':2,'timeout':1.5}");
	RUN(0, "{'op':'create','path':'gone','type':'list'}");
	RUN(0, "{'op':'delete','path':'gone'}");
	RUN(0, "{'op':'rename','path':'d/j','to':'d/i'}");
	/* A container deleted whole: a record for it, then one for each
	 * object that was below it. */
	RUN(0, "{'op':'create','path':'ns','type':'namespace'}");
	RUN(0, "{'op':'create','path':'ns/in','type':'namespace'}");
	RUN(0, "{'op':'create','path':'ns/in/q','type':'queue'}");
	RUN(0, "{'op':'put','path':'ns/in/q','value':1}");
	RUN(3, "{'op':'get','path':'ns/in/q'}");
	RUN(0, "{'op':'rename','path':'l','to':'ns/l'}");
	RUN(0, "{'op':'rename','path':'ns/l','to':'l'}");
	RUN(0, "{'op':'delete','path':'ns','recursive':true}");
}

static struct mgr_store *load(void)
{
	struct mgr_restore rs = { .store = mgr_engine_new() };
	struct mgr_load ld = { .check = true };
	char err[256];
	int fd = open(dir, O_RDONLY | O_DIRECTORY);

	assert_int_equal(mgr_load_dir(fd, dir, &rs, &ld, err, sizeof(err)), 0);
	close(fd);
	mgr_outset_clear(&rs.out);
	return rs.store;
}

static void clear_dir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -f %s/*", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_snapshot(void **state)
{
	static char a[1 << 15], b[1 << 15];
	char path[128], err[256];
	struct mgr_store *s;

	fill();
	mgr_session_end(store, &sess[2]);
	snprintf(path, sizeof(path), "%s/snapshot-1", dir);
	assert_int_equal(mgr_snapshot_file(AT_FDCWD, path, store, NULL, 1, err, sizeof(err)), 0);
	describe(store, a, sizeof(a));
	s = load();
	describe(s, b, sizeof(b));
	assert_string_equal(a, b);
	mgr_engine_free(s);
	clear_dir();
}

static void test_journal(void **state)
{
	static char a[1 << 15], b[1 << 15];
	struct mgr_persist_opts o = { .dir = dir, .fsync = MGR_FSYNC_NO };
	struct mgr_persist *p;
	struct mgr_store *s;
	char err[256];

	assert_int_equal(mgr_persist_open(&o, store, &p, err, sizeof(err)), 0);
	fill();
	/* Session 1 was handed an item and never acknowledged it: it is
	 * back at the head after a load, as the end of the session does. */
	mgr_session_end(store, &sess[1]);
	mgr_session_end(store, &sess[2]);
	describe(store, a, sizeof(a));
	mgr_persist_close(p);
	s = load();
	describe(s, b, sizeof(b));
	assert_string_equal(a, b);
	mgr_engine_free(s);
	clear_dir();
}

/* Frames around random payloads: each is applied or refused, and the
 * store stays whole. */
static void test_garbage(void **state)
{
	struct mgr_restore rs = { .store = store };
	unsigned char payload[64];
	struct mgr_img in;
	uint64_t end;
	int i, k, n;

	fill();
	srand(7);
	for (i = 0; i < 200000; i++) {
		n = 1 + rand() % (int)sizeof(payload);
		for (k = 0; k < n; k++)
			payload[k] = (unsigned char)(rand() % 4 ? rand() % 16 : rand());
		payload[0] = (unsigned char)(1 + rand() % 8);
		in.p = payload;
		in.end = payload + n;
		mgr_restore_apply(&rs, &in, &end);
	}
	mgr_outset_clear(&rs.out);
	OK(0, res, "{'op':'dump','path':''}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_snapshot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
	};
	int r;

	if (!mkdtemp(dir))
		return 1;
	chmod(dir, 0700);
	r = cmocka_run_group_tests(tests, NULL, NULL);
	clear_dir();
	rmdir(dir);
	return r;
}
