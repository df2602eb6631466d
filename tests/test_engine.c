/* The engine (engine.c): mgr_engine_exec finds a request's op in the modules'
 * tables, checks the members every request has and the object's type, and
 * says what it refuses; one op name answered by several modules' tables. */
#include "ops_harness.h"

static void test_exec(void **state)
{
	FAILS(0, ENOSYS, "{'op':'frobnicate','path':''}");
	assert_non_null(strstr(msg, "frobnicate"));
	/* Names are found whole: around the first, the last and a prefix. */
	FAILS(0, ENOSYS, "{'op':'','path':''}");
	FAILS(0, ENOSYS, "{'op':'a','path':''}");
	FAILS(0, ENOSYS, "{'op':'zzz','path':''}");
	FAILS(0, ENOSYS, "{'op':'se','path':''}");
	FAILS(0, ENOSYS, "{'op':'sett','path':''}");
	FAILS(0, EINVAL, "{'path':''}");
	FAILS(0, EINVAL, "{'op':5,'path':''}");
	FAILS(0, EINVAL, "{'op':'stat'}");
	FAILS(0, EINVAL, "{'op':'stat','path':5}");
	FAILS(0, EINVAL, "{'op':'stat','path':'','owner':-1}");
	FAILS(0, EINVAL, "{'op':'stat','path':'','owner':'x'}");
	OKV(0, "{\"type\":\"namespace\",\"version\":V,\"size\":0,\"mtime_ns\":T,\"ctime_ns\":T,\"subdirs\":0}",
	   "{'op':'stat','path':'','owner':42}");
	assert_int_equal(last_owner, 42);
	OKV(0, "{\"type\":\"namespace\",\"version\":V,\"size\":0,\"mtime_ns\":T,\"ctime_ns\":T,\"subdirs\":0}",
	   "{'op':'stat','path':'/'}");
	assert_int_equal(last_owner, 0);

	FAILS(0, ENOENT, "{'op':'stat','path':'nope'}");
	assert_non_null(strstr(msg, "nope"));
	OKV(0, "{\"version\":V}", "{'op':'set','path':'v','value':1}");
	FAILS(0, ENOTDIR, "{'op':'stat','path':'v/x'}");
	/* A known op on the wrong type names the type. */
	FAILS(0, ENOTSUP, "{'op':'ls','path':'v'}");
	assert_non_null(strstr(msg, "value"));
	FAILS(0, ENOTSUP, "{'op':'append','path':''}");
	assert_non_null(strstr(msg, "namespace"));
}

static void test_len(void **state)
{
	RUN(0, "{'op':'create','path':'d','type':'dict','items':{'a':1,'b':2}}");
	RUN(0, "{'op':'create','path':'l','type':'list','items':[1,2,3]}");
	RUN(0, "{'op':'create','path':'a','type':'array','typecode':'i','size':4}");
	RUN(0, "{'op':'create','path':'q','type':'queue'}");
	OKV(0, "2", "{'op':'len','path':'d'}");
	OKV(0, "3", "{'op':'len','path':'l'}");
	OKV(0, "4", "{'op':'len','path':'a'}");
	OKV(0, "4", "{'op':'len','path':''}");
	/* Found in the queue module's table. */
	OKV(0, "0", "{'op':'len','path':'q'}");
	RUN(0, "{'op':'set','path':'v','value':1}");
	FAILS(0, ENOTSUP, "{'op':'len','path':'v'}");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_exec),
		T(test_len),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
