/* Arrays (array.c): fixed length, elements bounded by their typecode as
 * Python's array.array bounds them. */
#include "ops_harness.h"

static void test_array(void **state)
{
	uint64_t v;

	OKV(0, "{\"version\":V}", "{'op':'create','path':'a','type':'array','typecode':'b','size':3}");
	OKV(0, "{\"items\":[0,0,0],\"version\":V}", "{'op':'get','path':'a'}");
	OKV(0, "3", "{'op':'len','path':'a'}");
	OKV(0, "{\"version\":V}", "{'op':'setitem','path':'a','index':-1,'value':-128}");
	OKV(0, "{\"value\":-128,\"version\":V}", "{'op':'getitem','path':'a','index':2}");
	FAILS(0, EINVAL, "{'op':'setitem','path':'a','index':0,'value':128}");
	FAILS(0, EINVAL, "{'op':'setitem','path':'a','index':0,'value':1.5}");
	FAILS(0, EINVAL, "{'op':'setitem','path':'a','index':0}");
	FAILS(0, ERANGE, "{'op':'setitem','path':'a','index':3,'value':1}");
	FAILS(0, ERANGE, "{'op':'getitem','path':'a','index':-4}");
	OKV(0, "{\"items\":[0,-128],\"version\":V}", "{'op':'getitem','path':'a','start':1}");

	v = version_of("a");
	OKV(0, "{\"version\":V}", "{'op':'set','path':'a','items':[1,2,3]}");
	assert_true(res_version() > v);
	OKV(0, "{\"version\":V}", "{'op':'set','path':'a','value':[4,5,6]}");
	FAILS(0, EINVAL, "{'op':'set','path':'a','items':[1,2]}");
	FAILS(0, EINVAL, "{'op':'set','path':'a','items':[1,2,300]}");
	OKV(0, "{\"items\":[4,5,6],\"version\":V}", "{'op':'get','path':'a'}");
	/* Fixed length: no list ops. */
	FAILS(0, ENOTSUP, "{'op':'append','path':'a','value':1}");
	FAILS(0, ENOTSUP, "{'op':'delitem','path':'a','index':0}");

	RUN(0, "{'op':'create','path':'u','type':'array','typecode':'u','items':['a','\xc3\xa9']}");
	OKV(0, "{\"items\":[\"a\",\"\xc3\xa9\"],\"version\":V}", "{'op':'get','path':'u'}");
	FAILS(0, EINVAL, "{'op':'setitem','path':'u','index':0,'value':'ab'}");
	RUN(0, "{'op':'create','path':'f','type':'array','typecode':'f','items':[0.5,1,0.1]}");
	OKV(0, "{\"items\":[0.5,1.0,0.10000000149011612],\"version\":V}", "{'op':'get','path':'f'}");
	/* Arrays hold C numbers, an integer as a double too; NaN and the
	 * infinities are doubles, and a character may be NUL. */
	RUN(0, "{'op':'create','path':'d','type':'array','typecode':'d','items':[3,NaN,-Infinity]}");
	OKV(0, "{\"items\":[3.0,NaN,-Infinity],\"version\":V}", "{'op':'get','path':'d'}");
	RUN(0, "{'op':'create','path':'c','type':'array','typecode':'c','items':['\\u0000','x']}");
	OKV(0, "{\"items\":[\"\\u0000\",\"x\"],\"version\":V}", "{'op':'get','path':'c'}");
	RUN(0, "{'op':'create','path':'Q','type':'array','typecode':'Q','items':[18446744073709551615]}");
	OKV(0, "{\"value\":18446744073709551615,\"version\":V}", "{'op':'getitem','path':'Q','index':0}");
	RUN(0, "{'op':'create','path':'e','type':'array','typecode':'i','items':[]}");
	OKV(0, "{\"items\":[],\"version\":V}", "{'op':'get','path':'e'}");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_array),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
