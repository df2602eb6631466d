/* Dicts and namespaces (dict.c): setdefault, update all or nothing, items
 * in pages, clear and popitem. */
#include "ops_harness.h"

static void test_setdefault(void **state)
{
	uint64_t v;

	OKV(0, "{\"value\":5,\"version\":V}", "{'op':'setdefault','path':'k','value':5}");
	v = res_version();
	OKV(0, "{\"value\":5,\"version\":V}", "{'op':'setdefault','path':'k','value':6}");
	assert_int_equal(res_version(), v);
	OKV(0, "{\"value\":null,\"version\":V}", "{'op':'setdefault','path':'n'}");
	OKV(0, "{\"bytes\":\"AA==\",\"version\":V}", "{'op':'setdefault','path':'b','bytes':'AA=='}");
	RUN(0, "{'op':'create','path':'l','type':'list'}");
	FAILS(0, ENOTSUP, "{'op':'setdefault','path':'l','value':1}");
	FAILS(0, ENOENT, "{'op':'setdefault','path':'no/k','value':1}");
}

static void test_update(void **state)
{
	uint64_t v;

	RUN(0, "{'op':'create','path':'d','type':'dict','items':{'a':1}}");
	RUN(0, "{'op':'create','path':'d/sub','type':'dict'}");
	RUN(0, "{'op':'create','path':'d/n','type':'value','typecode':'i'}");
	OKV(0, "{\"version\":V}", "{'op':'update','path':'d','items':{'a':10,'b':[2]}}");
	OKV(0, "{\"items\":[{\"name\":\"a\",\"type\":\"value\",\"value\":10},"
	   "{\"name\":\"sub\",\"type\":\"dict\"},"
	   "{\"name\":\"n\",\"type\":\"value\",\"value\":0},"
	   "{\"name\":\"b\",\"type\":\"value\",\"value\":[2]}]}", "{'op':'items','path':'d'}");
	/* In pages, as ls. */
	OKV(0, "{\"items\":[{\"name\":\"sub\",\"type\":\"dict\"}],\"more\":true}",
	   "{'op':'items','path':'d','after':'a','limit':1}");
	OKV(0, "{\"items\":[{\"name\":\"b\",\"type\":\"value\",\"value\":[2]}]}",
	   "{'op':'items','path':'d','after':'n'}");
	FAILS(0, ESTALE, "{'op':'items','path':'d','after':'x'}");
	v = version_of("d");
	/* All or nothing. */
	FAILS(0, ENOTSUP, "{'op':'update','path':'d','items':{'a':11,'sub':1}}");
	assert_non_null(strstr(msg, "sub"));
	FAILS(0, EINVAL, "{'op':'update','path':'d','items':{'a':11,'..':1}}");
	FAILS(0, EINVAL, "{'op':'update','path':'d','items':{'a':11,'n':'x'}}");
	FAILS(0, EINVAL, "{'op':'update','path':'d','items':[1]}");
	FAILS(0, EINVAL, "{'op':'update','path':'d'}");
	assert_int_equal(version_of("d"), v);
	OKV(0, "{\"value\":10,\"version\":V}", "{'op':'get','path':'d/a'}");
	OKV(0, "{\"version\":V}", "{'op':'update','path':'d','items':{'n':7}}");
	OKV(0, "{\"value\":7,\"version\":V}", "{'op':'get','path':'d/n'}");
	FAILS(0, ENOTSUP, "{'op':'update','path':'d/a','items':{}}");
}

static void test_clear_popitem(void **state)
{
	RUN(0, "{'op':'create','path':'d','type':'dict','items':{'a':1,'b':2}}");
	RUN(0, "{'op':'create','path':'d/sub','type':'namespace','items':{'x':1}}");
	RUN(0, "{'op':'create','path':'l','type':'list','items':[1,2]}");
	FAILS(0, ENOTSUP, "{'op':'popitem','path':'d'}");
	OKV(0, "true", "{'op':'clear','path':'d'}");
	OKV(0, "0", "{'op':'len','path':'d'}");
	assert_false(exists("d/sub/x"));
	OKV(0, "true", "{'op':'clear','path':'l'}");
	OKV(0, "0", "{'op':'len','path':'l'}");

	FAILS(0, ENOENT, "{'op':'popitem','path':'d'}");
	RUN(0, "{'op':'update','path':'d','items':{'x':1,'y':2}}");
	RUN(0, "{'op':'set','path':'d/z','bytes':'AA=='}");
	OKV(0, "{\"name\":\"z\",\"bytes\":\"AA==\"}", "{'op':'popitem','path':'d'}");
	OKV(0, "{\"name\":\"y\",\"value\":2}", "{'op':'popitem','path':'d'}");
	OKV(0, "{\"name\":\"x\",\"value\":1}", "{'op':'popitem','path':'d'}");
	FAILS(0, ENOENT, "{'op':'popitem','path':'d'}");
	/* An Event's clear is found in its module's table. */
	RUN(0, "{'op':'create','path':'e','type':'event'}");
	OKV(0, "true", "{'op':'clear','path':'e'}");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_setdefault),
		T(test_update),
		T(test_clear_popitem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
