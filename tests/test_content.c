/* A value's content by range (content.c): read, write, append and
 * truncate, what they leave stored as JSON or bytes, typed Values, times
 * and versions, and values larger than a frame. */
#include "ops_harness.h"

static void test_read(void **state)
{
	RUN(0, "{'op':'set','path':'b','bytes':'aGVsbG8K'}");
	OKV(0, "{\"bytes\":\"aGVsbG8K\",\"size\":6,\"version\":V}", "{'op':'read','path':'b'}");
	OKV(0, "{\"bytes\":\"ZWxs\",\"size\":6,\"version\":V}",
	    "{'op':'read','path':'b','offset':1,'length':3}");
	OKV(0, "{\"bytes\":\"\",\"size\":6,\"version\":V}", "{'op':'read','path':'b','offset':99}");
	/* JSON is its text and a newline, as the tree shows it. */
	RUN(0, "{'op':'set','path':'j','value':42}");
	OKV(0, "{\"bytes\":\"NDIK\",\"size\":3,\"version\":V}", "{'op':'read','path':'j'}");
	OKV(0, "{\"bytes\":\"Cg==\",\"size\":3,\"version\":V}", "{'op':'read','path':'j','offset':2}");
	OKV(0, "{\"bytes\":\"\",\"size\":3,\"version\":V}", "{'op':'read','path':'j','offset':3}");
	FAILS(0, EINVAL, "{'op':'read','path':'b','offset':-1}");
	FAILS(0, ENOENT, "{'op':'read','path':'nothing'}");
	RUN(0, "{'op':'create','path':'l','type':'list'}");
	FAILS(0, ENOTSUP, "{'op':'read','path':'l'}");
}

static void test_write(void **state)
{
	uint64_t v;

	RUN(0, "{'op':'set','path':'b','bytes':'aGVsbG8K'}");
	v = version_of("b");
	OKV(0, "{\"version\":V,\"size\":10}", "{'op':'write','path':'b','offset':8,'bytes':'YWI='}");
	assert_true(res_version() > v);
	/* The gap is zeros. */
	OKV(0, "{\"bytes\":\"aGVsbG8KAABhYg==\",\"size\":10,\"version\":V}", "{'op':'read','path':'b'}");
	/* What is written becomes JSON when it is what JSON is shown as. */
	RUN(0, "{'op':'set','path':'n','bytes':'NA=='}");
	OKV(0, "{\"version\":V,\"size\":3}", "{'op':'write','path':'n','offset':1,'bytes':'Mgo='}");
	OKV(0, "{\"value\":42,\"version\":V}", "{'op':'get','path':'n'}");
	/* And JSON written over is bytes. */
	RUN(0, "{'op':'set','path':'o','value':{'a':1}}");
	OKV(0, "{\"version\":V,\"size\":8}", "{'op':'write','path':'o','offset':0,'bytes':'WA=='}");
	OKV(0, "{\"bytes\":\"WCJhIjoxfQo=\",\"version\":V}", "{'op':'get','path':'o'}");
	FAILS(0, EINVAL, "{'op':'write','path':'b','offset':0}");
	FAILS(0, EINVAL, "{'op':'write','path':'b','bytes':'YWI='}");
	FAILS(0, EINVAL, "{'op':'write','path':'b','offset':0,'bytes':'!'}");
	FAILS(0, EFBIG, "{'op':'write','path':'b','offset':4294967295,'bytes':'YWI='}");
	FAILS(0, EFBIG, "{'op':'write','path':'b','offset':18446744073709551615,'bytes':'YWI='}");
	FAILS(0, ENOENT, "{'op':'write','path':'nothing','offset':0,'bytes':'YWI='}");
	OKV(0, "{\"bytes\":\"aGVsbG8KAABhYg==\",\"version\":V}", "{'op':'get','path':'b'}");
}

static void test_append(void **state)
{
	RUN(0, "{'op':'set','path':'log','bytes':''}");
	OKV(0, "{\"version\":V,\"size\":6}", "{'op':'append','path':'log','bytes':'bGluZTEK'}");
	OKV(0, "{\"version\":V,\"size\":12}", "{'op':'append','path':'log','bytes':'bGluZTIK'}");
	OKV(0, "{\"bytes\":\"bGluZTEKbGluZTIK\",\"version\":V}", "{'op':'get','path':'log'}");
	/* A string appends its characters, other JSON its text. */
	RUN(0, "{'op':'set','path':'j','value':42}");
	OKV(0, "{\"version\":V,\"size\":6}", "{'op':'append','path':'j','value':'str'}");
	OKV(0, "{\"bytes\":\"NDIKc3Ry\",\"version\":V}", "{'op':'get','path':'j'}");
	RUN(0, "{'op':'set','path':'k','value':42}");
	OKV(0, "{\"version\":V,\"size\":6}", "{'op':'append','path':'k','value':[1]}");
	OKV(0, "{\"bytes\":\"NDIKWzFd\",\"version\":V}", "{'op':'get','path':'k'}");
	FAILS(0, EINVAL, "{'op':'append','path':'log'}");
	/* A list's append is the list's. */
	RUN(0, "{'op':'create','path':'l','type':'list'}");
	OKV(0, "{\"version\":V}", "{'op':'append','path':'l','value':1}");
}

static void test_truncate(void **state)
{
	RUN(0, "{'op':'set','path':'j','value':[1,2]}");
	OKV(0, "{\"version\":V,\"size\":3}", "{'op':'truncate','path':'j','size':3}");
	OKV(0, "{\"bytes\":\"WzEs\",\"version\":V}", "{'op':'get','path':'j'}");
	OKV(0, "{\"version\":V,\"size\":5}", "{'op':'truncate','path':'j','size':5}");
	OKV(0, "{\"bytes\":\"WzEsAAA=\",\"version\":V}", "{'op':'get','path':'j'}");
	OKV(0, "{\"version\":V,\"size\":0}", "{'op':'truncate','path':'j','size':0}");
	OKV(0, "{\"bytes\":\"\",\"version\":V}", "{'op':'get','path':'j'}");
	FAILS(0, EINVAL, "{'op':'truncate','path':'j'}");
	FAILS(0, EFBIG, "{'op':'truncate','path':'j','size':4294967296}");
}

static void test_typed(void **state)
{
	RUN(0, "{'op':'create','path':'i','type':'value','typecode':'i'}");
	OKV(0, "{\"version\":V,\"size\":2}", "{'op':'write','path':'i','offset':0,'bytes':'Nw=='}");
	OKV(0, "{\"value\":7,\"version\":V}", "{'op':'get','path':'i'}");
	/* What is not a number of its type leaves it as it was. */
	FAILS(0, EINVAL, "{'op':'truncate','path':'i','size':0}");
	FAILS(0, EINVAL, "{'op':'append','path':'i','bytes':'eA=='}");
	FAILS(0, EINVAL, "{'op':'write','path':'i','offset':0,'bytes':'WA=='}");
	OKV(0, "{\"value\":7,\"version\":V}", "{'op':'get','path':'i'}");
}

static void test_times(void **state)
{
	char m0[1024], c0[1024];
	uint64_t v;

	RUN(0, "{'op':'set','path':'f','bytes':'YWI='}");
	snprintf(m0, sizeof(m0), "%s", stat_member("f", "mtime_ns"));
	snprintf(c0, sizeof(c0), "%s", stat_member("f", "ctime_ns"));
	assert_string_equal(m0, c0);
	/* Reading changes nothing. */
	RUN(0, "{'op':'read','path':'f'}");
	assert_string_equal(stat_member("f", "mtime_ns"), m0);
	/* A change of content moves both. */
	RUN(0, "{'op':'append','path':'f','bytes':'YWI='}");
	assert_true(strtoll(stat_member("f", "mtime_ns"), NULL, 10) > strtoll(m0, NULL, 10));
	assert_string_equal(stat_member("f", "mtime_ns"), stat_member("f", "ctime_ns"));
	/* utime sets mtime; ctime is now, and the version moves. */
	v = version_of("f");
	OKV(0, "{\"version\":V}", "{'op':'utime','path':'f','mtime_ns':1000000000123}");
	assert_true(res_version() > v);
	assert_string_equal(stat_member("f", "mtime_ns"), "1000000000123");
	assert_true(strtoll(stat_member("f", "ctime_ns"), NULL, 10) > strtoll(m0, NULL, 10));
	OKV(0, "{\"version\":V}", "{'op':'utime','path':'f','mtime_ns':-5}");
	assert_string_equal(stat_member("f", "mtime_ns"), "-5");
	FAILS(0, EINVAL, "{'op':'utime','path':'f','mtime_ns':'x'}");
	FAILS(0, ENOENT, "{'op':'utime','path':'nothing'}");
	/* A failed change moves nothing. */
	snprintf(c0, sizeof(c0), "%s", stat_member("f", "ctime_ns"));
	FAILS(0, EFBIG, "{'op':'truncate','path':'f','size':4294967296}");
	assert_string_equal(stat_member("f", "ctime_ns"), c0);
	assert_string_equal(stat_member("f", "mtime_ns"), "-5");
}

/* A value over a frame: made with truncate, read in pieces, never whole. */
static void test_large(void **state)
{
	RUN(0, "{'op':'create','path':'d','type':'dict'}");
	RUN(0, "{'op':'set','path':'d/big','bytes':''}");
	OKV(0, "{\"version\":V,\"size\":9000000}", "{'op':'truncate','path':'d/big','size':9000000}");
	FAILS(0, EFBIG, "{'op':'get','path':'d/big'}");
	FAILS(0, EFBIG, "{'op':'pop','path':'d/big'}");
	FAILS(0, EFBIG, "{'op':'popitem','path':'d'}");
	FAILS(0, EFBIG, "{'op':'setdefault','path':'d/big','value':1}");
	assert_true(exists("d/big"));
	OKV(0, "{\"items\":[{\"name\":\"big\",\"type\":\"value\",\"size\":9000000}]}",
	    "{'op':'items','path':'d'}");
	OKV(0, "{\"bytes\":\"AAA=\",\"size\":9000000,\"version\":V}",
	    "{'op':'read','path':'d/big','offset':8999998}");
	OKV(0, "{\"version\":V,\"size\":9000002}", "{'op':'append','path':'d/big','bytes':'YWI='}");
	OKV(0, "{\"version\":V,\"size\":3}", "{'op':'truncate','path':'d/big','size':3}");
	OKV(0, "{\"bytes\":\"AAAA\",\"version\":V}", "{'op':'get','path':'d/big'}");
}

/* Content grown in the manager counts against its limit, and what a value
 * gave back when deleted is what it was counted as. */
static void test_counted(void **state)
{
	uint64_t empty = mgr_store_bytes(store), base;

	RUN(0, "{'op':'set','path':'f','bytes':''}");
	base = mgr_store_bytes(store);
	RUN(0, "{'op':'write','path':'f','offset':2000,'bytes':'YWI='}");
	assert_int_equal(mgr_store_bytes(store) - base, 2002);
	RUN(0, "{'op':'append','path':'f','bytes':'YWI='}");
	assert_int_equal(mgr_store_bytes(store) - base, 2004);
	mgr_store_set_limit(store, mgr_store_bytes(store) + 1000);
	FAILS(0, ENOSPC, "{'op':'write','path':'f','offset':5000,'bytes':'YWI='}");
	FAILS(0, ENOSPC, "{'op':'truncate','path':'f','size':5000}");
	OKV(0, "{\"version\":V,\"size\":2004}", "{'op':'write','path':'f','offset':0,'bytes':'YWI='}");
	RUN(0, "{'op':'truncate','path':'f','size':10}");
	assert_int_equal(mgr_store_bytes(store) - base, 10);
	RUN(0, "{'op':'truncate','path':'f','size':1500}");
	RUN(0, "{'op':'delete','path':'f'}");
	assert_int_equal(mgr_store_bytes(store), empty);
	mgr_store_set_limit(store, 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_read),
		T(test_write),
		T(test_append),
		T(test_truncate),
		T(test_typed),
		T(test_times),
		T(test_large),
		T(test_counted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
