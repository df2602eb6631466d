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
	static const char *const paths[] = { "v", "b", "l", "a", "q", "d/k", "sem", "e", "bar",
					     "p", "d/pk", "w", "j" };
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

/* pickle.dumps((1, 'a', b'\\0'), protocol=4) */
#define PICKLE "gASVDQAAAAAAAABLAYwBYZRDAQCUh5Qu"

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
	/* Pickles (Python's clients' data) as a value, a list's item, a
	 * queue's item and a dict's value, byte for byte. */
	RUN(0, "{'op':'set','path':'p','pickle':'" PICKLE "'}");
	RUN(0, "{'op':'append','path':'l','pickle':'" PICKLE "'}");
	RUN(0, "{'op':'put','path':'q','pickle':'" PICKLE "'}");
	RUN(0, "{'op':'set','path':'d/pk','pickle':'" PICKLE "'}");
	/* Content changed by range: each change journalled as its range;
	 * one that leaves shown JSON makes the value JSON again. */
	RUN(0, "{'op':'set','path':'w','bytes':'YWJj'}");
	RUN(0, "{'op':'write','path':'w','offset':5,'bytes':'eHk='}");
	RUN(0, "{'op':'append','path':'w','value':'tail'}");
	RUN(0, "{'op':'truncate','path':'w','size':6}");
	RUN(0, "{'op':'set','path':'j','bytes':''}");
	RUN(0, "{'op':'append','path':'j','value':'[1,2]\\n'}");
	/* Times set alone (touch -d, cp -p): a record of their own. */
	RUN(0, "{'op':'utime','path':'v','mtime_ns':1234567890123}");
	RUN(0, "{'op':'utime','path':'d'}");
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

/* The directory loads into a store that describe()s as before did and
 * counts the same bytes: a load accounts for what it makes as making it
 * did.  The directory is emptied after. */
static void loads_the_same(const char *before)
{
	static char after[1 << 15];
	struct mgr_store *s = load();

	describe(s, after, sizeof(after));
	assert_string_equal(before, after);
	assert_int_equal(mgr_store_bytes(s), mgr_store_bytes(store));
	mgr_engine_free(s);
	clear_dir();
}

static void test_snapshot(void **state)
{
	static char a[1 << 15];
	char path[128], err[256];

	fill();
	mgr_session_end(store, &sess[2]);
	snprintf(path, sizeof(path), "%s/snapshot-1", dir);
	assert_int_equal(mgr_snapshot_file(AT_FDCWD, path, store, NULL, 1, err, sizeof(err)), 0);
	describe(store, a, sizeof(a));
	loads_the_same(a);
}

static void test_journal(void **state)
{
	static char a[1 << 15];
	struct mgr_persist_opts o = { .dir = dir, .fsync = MGR_FSYNC_NO };
	struct mgr_persist *p;
	char err[256];

	assert_int_equal(mgr_persist_open(&o, store, &p, err, sizeof(err)), 0);
	fill();
	/* Session 1 was handed an item and never acknowledged it: it is
	 * back at the head after a load, as the end of the session does. */
	mgr_session_end(store, &sess[1]);
	mgr_session_end(store, &sess[2]);
	describe(store, a, sizeof(a));
	mgr_persist_close(p);
	loads_the_same(a);
}

/* Frames around random payloads: each is applied or refused, and the
 * store stays whole. */
static void test_garbage(void **state)
{
	struct mgr_restore rs = { .store = store, .format = MGR_FORMAT_VERSION };
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
		payload[0] = (unsigned char)(1 + rand() % MGR_REC_TIMES);
		in.p = payload;
		in.end = payload + n;
		mgr_restore_apply(&rs, &in, &end);
	}
	mgr_outset_clear(&rs.out);
	OK(0, res, "{'op':'dump','path':''}");
}

/* A directory of format 1, which kept no times, loads, its objects with
 * the time of the load; a manager goes on in journal-1, of its own
 * format, and never appends to the old one. */
static void test_format1(void **state)
{
	unsigned char head[MGR_FILE_HEAD];
	struct mgr_persist_opts o = { .dir = dir, .fsync = MGR_FSYNC_NO };
	struct mgr_buf b;
	struct mgr_persist *p;
	struct mgr_store *s, *orig = store;
	char path[128], err[256];
	struct stat st;
	size_t len;
	long at;
	int fd;

	mgr_buf_init(&b);
	mgr_file_head(head, false, 0);
	head[8] = 1;	/* the format version */
	assert_int_equal(mgr_buf_append(&b, head, sizeof(head)), 0);
	at = mgr_rec_begin(&b, MGR_REC_IMAGE);
	assert_true(at >= 0);
	/* path ["x"], a value, no typecode, version 5, whole, the JSON 7 */
	assert_int_equal(mgr_img_put_u64(&b, 1), 0);
	assert_int_equal(mgr_img_put_bytes(&b, "x", 1), 0);
	assert_int_equal(mgr_img_put_u64(&b, MGR_VALUE), 0);
	assert_int_equal(mgr_img_put_u64(&b, 0), 0);
	assert_int_equal(mgr_img_put_u64(&b, 5), 0);
	assert_int_equal(mgr_img_put_u64(&b, 1), 0);
	assert_int_equal(mgr_img_put_u64(&b, MGR_DATUM_JSON), 0);
	assert_int_equal(mgr_img_put_bytes(&b, "7", 1), 0);
	mgr_rec_end(&b, at);
	snprintf(path, sizeof(path), "%s/journal-0", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, b.data, b.len), (ssize_t)b.len);
	close(fd);
	len = b.len;
	mgr_buf_release(&b);

	s = load();
	store = s;
	OK(0, res, "{'op':'get','path':'x'}");
	assert_string_equal(res, "{\"value\":7,\"version\":5}");
	OK(0, res, "{'op':'stat','path':'x'}");
	assert_non_null(strstr(res, "\"mtime_ns\":1"));
	mgr_engine_free(s);
	s = mgr_engine_new();
	store = s;
	assert_int_equal(mgr_persist_open(&o, s, &p, err, sizeof(err)), 0);
	RUN(0, "{'op':'set','path':'x','value':8}");
	mgr_persist_close(p);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, len);
	mgr_engine_free(s);
	s = load();
	store = s;
	OK(0, res, "{'op':'get','path':'x'}");
	assert_non_null(strstr(res, "\"value\":8"));
	mgr_engine_free(orig);
	clear_dir();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_snapshot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_format1, setup, teardown),
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
