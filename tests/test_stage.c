/* Stages (stage.c): content built in pieces in a session and committed to
 * a value at once; readers see the old value until the commit. */
#include "ops_harness.h"

/* A new stage of session si: its number. */
static uint64_t new_stage(int si)
{
	const char *p;

	assert_int_equal(req(si, 1, "{'op':'stage'}"), 0);
	p = strstr(res, "\"stage\":");
	assert_non_null(p);
	return strtoull(p + 8, NULL, 10);
}

static void test_commit(void **state)
{
	uint64_t st = new_stage(0), v;

	RUN(0, "{'op':'set','path':'f','bytes':'YWI='}");
	v = version_of("f");
	OK(0, "{\"size\":4}", "{'op':'stage_write','stage':%llu,'offset':0,'bytes':'YWJjZA=='}",
	   (unsigned long long)st);
	OK(0, "{\"size\":8}", "{'op':'stage_write','stage':%llu,'offset':6,'bytes':'YWI='}",
	   (unsigned long long)st);
	OK(0, "{\"size\":3}", "{'op':'stage_truncate','stage':%llu,'size':3}",
	   (unsigned long long)st);
	/* What is staged reads back, by range. */
	OK(0, "{\"bytes\":\"YmM=\",\"size\":3}",
	   "{'op':'stage_read','stage':%llu,'offset':1,'length':2}", (unsigned long long)st);
	OK(0, "{\"bytes\":\"\",\"size\":3}", "{'op':'stage_read','stage':%llu,'offset':9}",
	   (unsigned long long)st);
	/* Nothing shows until the commit. */
	OKV(0, "{\"bytes\":\"YWI=\",\"version\":V}", "{'op':'get','path':'f'}");
	assert_int_equal(version_of("f"), v);
	OKV(0, "{\"version\":V}", "{'op':'commit','stage':%llu,'path':'f'}", (unsigned long long)st);
	assert_true(res_version() > v);
	OKV(0, "{\"bytes\":\"YWJj\",\"version\":V}", "{'op':'get','path':'f'}");
	/* A stage is gone once committed. */
	FAILS(0, ENOENT, "{'op':'commit','stage':%llu,'path':'f'}", (unsigned long long)st);
	FAILS(0, ENOENT, "{'op':'stage_write','stage':%llu,'offset':0,'bytes':'YWI='}",
	      (unsigned long long)st);
}

static void test_make_and_json(void **state)
{
	uint64_t st = new_stage(0);

	RUN(0, "{'op':'create','path':'d','type':'dict'}");
	RUN(0, "{'op':'stage_write','stage':%llu,'offset':0,'bytes':'NDIK'}", (unsigned long long)st);
	/* A missing value is made, as set makes it; text that is JSON as
	 * shown is stored as JSON. */
	OKV(0, "{\"version\":V}", "{'op':'commit','stage':%llu,'path':'d/new'}",
	    (unsigned long long)st);
	OKV(0, "{\"value\":42,\"version\":V}", "{'op':'get','path':'d/new'}");
	st = new_stage(0);
	FAILS(0, ENOENT, "{'op':'commit','stage':%llu,'path':'no/x'}", (unsigned long long)st);
	FAILS(0, ENOTSUP, "{'op':'commit','stage':%llu,'path':'d'}", (unsigned long long)st);
	/* It is still there after a commit that found no value. */
	OK(0, "true", "{'op':'stage_drop','stage':%llu}", (unsigned long long)st);
	FAILS(0, ENOENT, "{'op':'stage_drop','stage':%llu}", (unsigned long long)st);
}

static void test_typed_and_errors(void **state)
{
	uint64_t st = new_stage(0);

	RUN(0, "{'op':'create','path':'i','type':'value','typecode':'i','value':3}");
	RUN(0, "{'op':'stage_write','stage':%llu,'offset':0,'bytes':'eA=='}", (unsigned long long)st);
	FAILS(0, EINVAL, "{'op':'commit','stage':%llu,'path':'i'}", (unsigned long long)st);
	OKV(0, "{\"value\":3,\"version\":V}", "{'op':'get','path':'i'}");
	FAILS(0, EINVAL, "{'op':'stage_write','stage':'x','offset':0,'bytes':'eA=='}");
	st = new_stage(0);
	FAILS(0, EINVAL, "{'op':'stage_write','stage':%llu,'bytes':'eA=='}", (unsigned long long)st);
	FAILS(0, EFBIG, "{'op':'stage_write','stage':%llu,'offset':4294967295,'bytes':'eA=='}",
	      (unsigned long long)st);
	FAILS(0, EFBIG, "{'op':'stage_truncate','stage':%llu,'size':4294967296}",
	      (unsigned long long)st);
	/* A stage is its session's own. */
	FAILS(1, ENOENT, "{'op':'stage_drop','stage':%llu}", (unsigned long long)st);
}

/* A session that ends takes its stages with it. */
static void test_session_end(void **state)
{
	uint64_t st = new_stage(2);

	RUN(2, "{'op':'stage_write','stage':%llu,'offset':0,'bytes':'eA=='}", (unsigned long long)st);
	mgr_session_end(store, &sess[2]);
	mgr_session_init(&sess[2], 102);
	sess[2].complete = record;
	FAILS(2, ENOENT, "{'op':'stage_drop','stage':%llu}", (unsigned long long)st);
}

/* What a stage holds counts against the manager's limit until it is
 * dropped, committed (then the value's) or its session ends. */
static void test_counted(void **state)
{
	uint64_t empty = mgr_store_bytes(store), st = new_stage(0), st2;

	RUN(0, "{'op':'stage_write','stage':%llu,'offset':3000,'bytes':'YWI='}",
	    (unsigned long long)st);
	assert_true(mgr_store_bytes(store) - empty >= 3002);
	mgr_store_set_limit(store, mgr_store_bytes(store) + 1000);
	FAILS(0, ENOSPC, "{'op':'stage_truncate','stage':%llu,'size':9000}", (unsigned long long)st);
	FAILS(0, ENOSPC, "{'op':'stage_write','stage':%llu,'offset':9000,'bytes':'YWI='}",
	      (unsigned long long)st);
	mgr_store_set_limit(store, 0);
	RUN(0, "{'op':'commit','stage':%llu,'path':'f'}", (unsigned long long)st);
	RUN(0, "{'op':'delete','path':'f'}");
	assert_int_equal(mgr_store_bytes(store), empty);
	st = new_stage(0);
	st2 = new_stage(1);
	RUN(0, "{'op':'stage_truncate','stage':%llu,'size':5000}", (unsigned long long)st);
	RUN(1, "{'op':'stage_truncate','stage':%llu,'size':5000}", (unsigned long long)st2);
	RUN(0, "{'op':'stage_drop','stage':%llu}", (unsigned long long)st);
	mgr_session_end(store, &sess[1]);
	mgr_session_init(&sess[1], 101);
	sess[1].complete = record;
	assert_int_equal(mgr_store_bytes(store), empty);
}

static uint64_t room_left;

static int room(void *arg, uint64_t bytes)
{
	(void)arg;
	return bytes <= room_left ? 0 : -ENOSPC;
}

/* A commit the journal has no room for is refused before it changes
 * anything, its stage kept for a retry. */
static void test_room(void **state)
{
	struct mgr_journal_hooks j = { .room = room };
	uint64_t st = new_stage(0);

	RUN(0, "{'op':'stage_write','stage':%llu,'offset':0,'bytes':'YWJjZA=='}",
	    (unsigned long long)st);
	mgr_store_set_journal(store, &j);
	room_left = 3;
	FAILS(0, ENOSPC, "{'op':'commit','stage':%llu,'path':'f'}", (unsigned long long)st);
	FAILS(0, ENOENT, "{'op':'get','path':'f'}");
	room_left = 4;
	RUN(0, "{'op':'commit','stage':%llu,'path':'f'}", (unsigned long long)st);
	mgr_store_set_journal(store, NULL);
	OKV(0, "{\"bytes\":\"YWJjZA==\",\"version\":V}", "{'op':'get','path':'f'}");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_counted),
		T(test_room),
		T(test_commit),
		T(test_make_and_json),
		T(test_typed_and_errors),
		T(test_session_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
