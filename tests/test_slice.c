/* Slices (slice.c) as Python's: a step, negative bounds, slice assignment
 * and deletion, on lists and arrays. */
#include "ops_harness.h"

/* Slices with a step, and slice assignment, as Python's. */
static void test_slices(void **state)
{
	RUN(0, "{'op':'create','path':'l','type':'list','items':[0,1,2,3,4,5,6]}");
	OKV(0, "{\"items\":[{\"value\":6},{\"value\":4},{\"value\":2},{\"value\":0}],"
	   "\"version\":V}", "{'op':'getitem','path':'l','step':-2}");
	OKV(0, "{\"items\":[{\"value\":1},{\"value\":4}],\"version\":V}",
	   "{'op':'getitem','path':'l','start':1,'stop':-1,'step':3}");
	OKV(0, "{\"items\":[],\"version\":V}", "{'op':'getitem','path':'l','start':2,'step':-3,'stop':5}");
	OKV(0, "{\"items\":[{\"value\":0},{\"value\":1}],\"version\":V}",
	   "{'op':'getitem','path':'l','stop':2,'step':null}");
	FAILS(0, EINVAL, "{'op':'getitem','path':'l','step':0}");
	OKV(0, "{\"items\":[{\"value\":6}],\"version\":V}",
	   "{'op':'getitem','path':'l','step':-9223372036854775807}");
	FAILS(0, EINVAL, "{'op':'getitem','path':'l','step':'2'}");

	/* l[1:3] = ['a','b','c']: a plain slice takes any number. */
	OKV(0, "{\"version\":V}", "{'op':'setitem','path':'l','start':1,'stop':3,'items':['a','b','c']}");
	assert_string_equal(items("l"), "[0,'a','b','c',3,4,5,6]");
	/* l[::-3] = [...]: an extended one exactly as many as it has. */
	OKV(0, "{\"version\":V}", "{'op':'setitem','path':'l','step':-3,'items':['x','y','z']}");
	assert_string_equal(items("l"), "[0,'z','b','c','y',4,5,'x']");
	FAILS(0, EINVAL, "{'op':'setitem','path':'l','step':2,'items':[1]}");
	FAILS(0, EINVAL, "{'op':'setitem','path':'l','start':1,'items':'ab'}");
	FAILS(0, EINVAL, "{'op':'setitem','path':'l','index':1,'start':1,'items':[]}");
	assert_string_equal(items("l"), "[0,'z','b','c','y',4,5,'x']");
	/* l[5:2] = [...] inserts at 5. */
	RUN(0, "{'op':'setitem','path':'l','start':5,'stop':2,'items':[9]}");
	assert_string_equal(items("l"), "[0,'z','b','c','y',9,4,5,'x']");
	/* del l[::2], del l[::-3] */
	RUN(0, "{'op':'delitem','path':'l','step':2}");
	assert_string_equal(items("l"), "['z','c',9,5]");
	RUN(0, "{'op':'delitem','path':'l','step':-3}");
	assert_string_equal(items("l"), "['c',9]");

	RUN(0, "{'op':'create','path':'a','type':'array','typecode':'i','items':[0,1,2,3,4]}");
	OKV(0, "{\"items\":[4,2,0],\"version\":V}", "{'op':'getitem','path':'a','step':-2}");
	OKV(0, "{\"version\":V}", "{'op':'setitem','path':'a','start':1,'stop':3,'items':[7,8]}");
	FAILS(0, EINVAL, "{'op':'setitem','path':'a','start':1,'stop':3,'items':[7]}");
	FAILS(0, EINVAL, "{'op':'setitem','path':'a','step':2,'items':[1,'x',3]}");
	OKV(0, "{\"items\":[0,7,8,3,4],\"version\":V}", "{'op':'getitem','path':'a','start':null}");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_slices),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
