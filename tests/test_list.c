/* Lists (list.c) against Python's list: append, extend, insert, pop,
 * index, count, remove, sort and reverse, items by index, and *=. */
#include "ops_harness.h"

/* A list is set whole, as an array is (test_array.c): from "items", or from
 * a "value" that is a list. */
static void test_list_set(void **state)
{
	RUN(0, "{'op':'create','path':'l','type':'list'}");
	OKV(0, "{\"version\":V}", "{'op':'set','path':'l','items':[3,'x']}");
	OKV(0, "{\"items\":[{\"value\":3},{\"value\":\"x\"}],\"version\":V}", "{'op':'get','path':'l'}");
	OKV(0, "{\"version\":V}", "{'op':'set','path':'l','value':[]}");
	OKV(0, "{\"items\":[],\"version\":V}", "{'op':'get','path':'l'}");
	FAILS(0, EINVAL, "{'op':'set','path':'l','value':5}");
	FAILS(0, EINVAL, "{'op':'set','path':'l','bytes':'AA=='}");
}

static void test_list_basic(void **state)
{
	uint64_t v;

	RUN(0, "{'op':'create','path':'l','type':'list'}");
	v = version_of("l");
	OKV(0, "{\"version\":V}", "{'op':'append','path':'l','value':1}");
	assert_true(res_version() > v);
	RUN(0, "{'op':'append','path':'l','bytes':'AA=='}");
	FAILS(0, EINVAL, "{'op':'append','path':'l'}");
	OKV(0, "{\"version\":V}", "{'op':'extend','path':'l','items':[2,'x']}");
	FAILS(0, EINVAL, "{'op':'extend','path':'l','items':5}");
	FAILS(0, EINVAL, "{'op':'extend','path':'l'}");
	assert_string_equal(items("l"), "[1,{'$bytes':'AA=='},2,'x']");

	/* insert clamps like Python. */
	RUN(0, "{'op':'insert','path':'l','index':-100,'value':'first'}");
	RUN(0, "{'op':'insert','path':'l','index':100,'value':'last'}");
	RUN(0, "{'op':'insert','path':'l','index':-1,'value':'penult'}");
	RUN(0, "{'op':'insert','path':'l','index':1,'value':'second'}");
	assert_string_equal(items("l"), "['first','second',1,{'$bytes':'AA=='},2,'x','penult','last']");
	FAILS(0, EINVAL, "{'op':'insert','path':'l','value':0}");
	FAILS(0, EINVAL, "{'op':'insert','path':'l','index':1.5,'value':0}");

	/* pop */
	OKV(0, "{\"value\":\"last\",\"version\":V}", "{'op':'pop','path':'l'}");
	OKV(0, "{\"value\":\"first\",\"version\":V}", "{'op':'pop','path':'l','index':0}");
	OKV(0, "{\"value\":\"x\",\"version\":V}", "{'op':'pop','path':'l','index':-2}");
	OKV(0, "{\"bytes\":\"AA==\",\"version\":V}", "{'op':'pop','path':'l','index':2}");
	FAILS(0, ERANGE, "{'op':'pop','path':'l','index':4}");
	assert_string_equal(msg, "pop index out of range");
	FAILS(0, ERANGE, "{'op':'pop','path':'l','index':-5}");
	assert_string_equal(items("l"), "['second',1,2,'penult']");
	RUN(0, "{'op':'clear','path':'l'}");
	FAILS(0, ERANGE, "{'op':'pop','path':'l'}");
	assert_string_equal(msg, "pop from empty list");
}

static void test_list_search(void **state)
{
	RUN(0, "{'op':'create','path':'l','type':'list','items':[1,'a',2.0,[1],'a',true,null]}");
	OKV(0, "1", "{'op':'index','path':'l','value':'a'}");
	OKV(0, "4", "{'op':'index','path':'l','value':'a','start':2}");
	OKV(0, "4", "{'op':'index','path':'l','value':'a','start':-3}");
	FAILS(0, EINVAL, "{'op':'index','path':'l','value':'a','start':2,'stop':4}");
	FAILS(0, EINVAL, "{'op':'index','path':'l','value':'zz'}");
	/* 2 == 2.0 and 1 == True, as Python compares them. */
	OKV(0, "2", "{'op':'index','path':'l','value':2}");
	OKV(0, "0", "{'op':'index','path':'l','value':true}");
	OKV(0, "6", "{'op':'index','path':'l','value':null}");
	OKV(0, "2", "{'op':'count','path':'l','value':'a'}");
	OKV(0, "2", "{'op':'count','path':'l','value':1}");
	OKV(0, "1", "{'op':'count','path':'l','value':[1.0]}");
	OKV(0, "0", "{'op':'count','path':'l','value':'zz'}");
	OKV(0, "true", "{'op':'contains','path':'l','value':[1]}");
	OKV(0, "false", "{'op':'contains','path':'l','value':'A'}");
	OKV(0, "false", "{'op':'contains','path':'l','bytes':'YQ=='}");

	OKV(0, "{\"version\":V}", "{'op':'remove','path':'l','value':'a'}");
	assert_string_equal(items("l"), "[1,2.0,[1],'a',true,null]");
	OKV(0, "{\"version\":V}", "{'op':'remove','path':'l','value':2}");
	FAILS(0, EINVAL, "{'op':'remove','path':'l','value':2}");
	assert_non_null(strstr(msg, "not in list"));
	assert_string_equal(items("l"), "[1,[1],'a',true,null]");
}

static void test_list_order(void **state)
{
	uint64_t v;

	RUN(0, "{'op':'create','path':'l','type':'list','items':[3,1.5,true,-2,10]}");
	OKV(0, "{\"version\":V}", "{'op':'sort','path':'l'}");
	assert_string_equal(items("l"), "[-2,true,1.5,3,10]");
	RUN(0, "{'op':'sort','path':'l','reverse':true}");
	assert_string_equal(items("l"), "[10,3,1.5,true,-2]");
	RUN(0, "{'op':'reverse','path':'l'}");
	assert_string_equal(items("l"), "[-2,true,1.5,3,10]");

	/* Stable, also in reverse: equal items keep their order. */
	RUN(0, "{'op':'set','path':'l','items':[1,1.0,0,true,false]}");
	RUN(0, "{'op':'sort','path':'l'}");
	assert_string_equal(items("l"), "[0,false,1,1.0,true]");
	RUN(0, "{'op':'set','path':'l','items':[1,1.0,0,true,false]}");
	RUN(0, "{'op':'sort','path':'l','reverse':true}");
	assert_string_equal(items("l"), "[1,1.0,true,0,false]");

	RUN(0, "{'op':'set','path':'l','items':['b','a\\\"','a','\xc3\xa9','B']}");
	RUN(0, "{'op':'sort','path':'l'}");
	assert_string_equal(items("l"), "['B','a','a\\'','b','\xc3\xa9']");
	RUN(0, "{'op':'set','path':'l','items':[[2],[1,5],[1],[]]}");
	RUN(0, "{'op':'sort','path':'l'}");
	assert_string_equal(items("l"), "[[],[1],[1,5],[2]]");

	/* Exact past 64 bits, infinities ordered, and NaN neither smaller
	 * nor larger, so the sort goes on as Python's does (issue 10,
	 * finding 8). */
	RUN(0, "{'op':'set','path':'l','items':[1180591620717411303426,1180591620717411303425,"
	       "1180591620717411303424,-1180591620717411303425,1.1805916207174113e21]}");
	RUN(0, "{'op':'sort','path':'l'}");
	/* The float is 2**70 exactly, equal to ...424 and after it. */
	assert_string_equal(items("l"), "[-1180591620717411303425,1180591620717411303424,"
			    "1.1805916207174113e21,1180591620717411303425,1180591620717411303426]");
	OKV(0, "0", "{'op':'count','path':'l','value':1180591620717411303423}");
	RUN(0, "{'op':'set','path':'l','items':[Infinity,1,-Infinity,1e400]}");
	RUN(0, "{'op':'sort','path':'l'}");
	assert_string_equal(items("l"), "[-Infinity,1,Infinity,1e400]");
	RUN(0, "{'op':'set','path':'l','items':[3,NaN,1,2]}");
	OKV(0, "{\"version\":V}", "{'op':'sort','path':'l'}");
	OKV(0, "false", "{'op':'contains','path':'l','value':NaN}");
	OKV(0, "0", "{'op':'count','path':'l','value':NaN}");
	FAILS(0, EINVAL, "{'op':'index','path':'l','value':NaN}");

	/* A TypeError leaves the list as it was. */
	RUN(0, "{'op':'set','path':'l','items':[3,'a',1,2]}");
	v = version_of("l");
	FAILS(0, EINVAL, "{'op':'sort','path':'l'}");
	assert_string_equal(items("l"), "[3,'a',1,2]");
	assert_int_equal(version_of("l"), v);
	RUN(0, "{'op':'set','path':'l','items':[null,null]}");
	FAILS(0, EINVAL, "{'op':'sort','path':'l'}");
	RUN(0, "{'op':'set','path':'l','items':[{'a':1}]}");
	OKV(0, "{\"version\":V}", "{'op':'sort','path':'l'}");
	FAILS(0, EINVAL, "{'op':'sort','path':'l','reverse':1}");
	RUN(0, "{'op':'set','path':'l','items':[]}");
	RUN(0, "{'op':'append','path':'l','bytes':'Ag=='}");
	RUN(0, "{'op':'append','path':'l','bytes':'AQI='}");
	RUN(0, "{'op':'append','path':'l','bytes':'AQ=='}");
	RUN(0, "{'op':'sort','path':'l'}");
	assert_string_equal(items("l"), "[{'$bytes':'AQ=='},{'$bytes':'AQI='},{'$bytes':'Ag=='}]");
	RUN(0, "{'op':'append','path':'l','value':1}");
	FAILS(0, EINVAL, "{'op':'sort','path':'l'}");
}

static void test_list_items(void **state)
{
	RUN(0, "{'op':'create','path':'l','type':'list','items':[0,1,2,3,4,5]}");
	OKV(0, "{\"value\":0,\"version\":V}", "{'op':'getitem','path':'l','index':0}");
	OKV(0, "{\"value\":5,\"version\":V}", "{'op':'getitem','path':'l','index':-1}");
	FAILS(0, ERANGE, "{'op':'getitem','path':'l','index':6}");
	assert_string_equal(msg, "list index out of range");
	FAILS(0, ERANGE, "{'op':'getitem','path':'l','index':-7}");
	FAILS(0, EINVAL, "{'op':'getitem','path':'l'}");
	FAILS(0, EINVAL, "{'op':'getitem','path':'l','index':'0'}");
	FAILS(0, EINVAL, "{'op':'getitem','path':'l','index':0,'start':1}");
	OKV(0, "{\"items\":[{\"value\":1},{\"value\":2}],\"version\":V}",
	   "{'op':'getitem','path':'l','start':1,'stop':3}");
	OKV(0, "{\"items\":[{\"value\":4},{\"value\":5}],\"version\":V}",
	   "{'op':'getitem','path':'l','start':-2}");
	OKV(0, "{\"items\":[{\"value\":0}],\"version\":V}", "{'op':'getitem','path':'l','stop':-5}");
	OKV(0, "{\"items\":[],\"version\":V}", "{'op':'getitem','path':'l','start':4,'stop':2}");
	OKV(0, "{\"items\":[],\"version\":V}", "{'op':'getitem','path':'l','start':100}");
	OKV(0, "{\"items\":[{\"value\":0},{\"value\":1}],\"version\":V}",
	   "{'op':'getitem','path':'l','start':-100,'stop':2}");

	OKV(0, "{\"version\":V}", "{'op':'setitem','path':'l','index':-1,'value':'five'}");
	RUN(0, "{'op':'setitem','path':'l','index':0,'bytes':'AA=='}");
	FAILS(0, ERANGE, "{'op':'setitem','path':'l','index':6,'value':1}");
	assert_string_equal(msg, "list assignment index out of range");
	FAILS(0, EINVAL, "{'op':'setitem','path':'l','index':1}");
	assert_string_equal(items("l"), "[{'$bytes':'AA=='},1,2,3,4,'five']");

	OKV(0, "{\"version\":V}", "{'op':'delitem','path':'l','index':0}");
	FAILS(0, ERANGE, "{'op':'delitem','path':'l','index':5}");
	RUN(0, "{'op':'delitem','path':'l','start':1,'stop':3}");
	assert_string_equal(items("l"), "[1,4,'five']");
	RUN(0, "{'op':'delitem','path':'l','start':-1}");
	assert_string_equal(items("l"), "[1,4]");
	RUN(0, "{'op':'delitem','path':'l','start':5}");
	assert_string_equal(items("l"), "[1,4]");
	FAILS(0, EINVAL, "{'op':'delitem','path':'l'}");

	OKV(0, "true", "{'op':'imul','path':'l','n':3}");
	assert_string_equal(items("l"), "[1,4,1,4,1,4]");
	OKV(0, "true", "{'op':'imul','path':'l','n':1}");
	assert_string_equal(items("l"), "[1,4,1,4,1,4]");
	FAILS(0, EINVAL, "{'op':'imul','path':'l'}");
	FAILS(0, ENOSPC, "{'op':'imul','path':'l','n':1000000000000}");
	assert_string_equal(items("l"), "[1,4,1,4,1,4]");
	OKV(0, "true", "{'op':'imul','path':'l','n':0}");
	assert_string_equal(items("l"), "[]");
	RUN(0, "{'op':'append','path':'l','value':1}");
	OKV(0, "true", "{'op':'imul','path':'l','n':-1}");
	assert_string_equal(items("l"), "[]");
}

/* Set list l to items, sort it (reversed with reverse) and expect it to
 * read sorted, or the sort to fail with EINVAL and the list to stay as it
 * was when sorted is NULL. */
static void sorts_to(const char *items_json, bool reverse, const char *sorted)
{
	RUN(0, "{'op':'set','path':'l','items':%s}", items_json);
	if (!sorted) {
		FAILS(0, EINVAL, "{'op':'sort','path':'l'}");
		sorted = items_json;
	} else {
		RUN(0, "{'op':'sort','path':'l','reverse':%s}", reverse ? "true" : "false");
	}
	assert_string_equal(items("l"), sorted);
}

/* Sorting reads each item once into a key: arrays element by element
 * (strings unescaped, booleans as numbers), and arrays that hold dicts
 * still compare their dicts by equality. */
static void test_list_order_keys(void **state)
{
	RUN(0, "{'op':'create','path':'l','type':'list'}");
	sorts_to("[[1,'b'],[1,'a\\\"'],[true,'a'],[0.5],[1,'a'],[1,'\\u0061']]", false,
		 "[[0.5],[true,'a'],[1,'a'],[1,'a'],[1,'a\\''],[1,'b']]");
	sorts_to("[[[2]],[[1,1]],[[1]],[]]", true, "[[[2]],[[1,1]],[[1]],[]]");
	sorts_to("[[{'k':1},2],[{'k':1},1],[{'k':1}]]", false, "[[{'k':1}],[{'k':1},1],[{'k':1},2]]");
	sorts_to("[[null,2],[null,1]]", false, "[[null,1],[null,2]]");
	sorts_to("[[null],[1]]", false, NULL);
	sorts_to("[[1],['a']]", false, NULL);
	sorts_to("[[{'k':1}],[{'k':2}]]", false, NULL);
	/* A NaN equals nothing, so it decides, as neither smaller nor
	 * larger; past 64 bits, numbers still compare exactly. */
	sorts_to("[[NaN,2],[NaN,1]]", false, "[[NaN,2],[NaN,1]]");
	sorts_to("[[1180591620717411303426],[1.1805916207174113e21],[1180591620717411303424]]", false,
		 "[[1.1805916207174113e21],[1180591620717411303424],[1180591620717411303426]]");
}

/* A list holds at most MGR_ITEMS_MAX items, and what it holds counts
 * against the store's limit: a request past either fails with ENOSPC and
 * changes nothing. */
static void test_list_limits(void **state)
{
	char want[32];
	uint64_t base;

	RUN(0, "{'op':'create','path':'l','type':'list','items':[1,2]}");
	FAILS(0, ENOSPC, "{'op':'imul','path':'l','n':%u}", MGR_ITEMS_MAX);
	assert_non_null(strstr(msg, "at most"));
	assert_string_equal(items("l"), "[1,2]");
	OKV(0, "true", "{'op':'imul','path':'l','n':%u}", MGR_ITEMS_MAX / 2);
	snprintf(want, sizeof(want), "%u", MGR_ITEMS_MAX);
	OKV(0, want, "{'op':'len','path':'l'}");
	FAILS(0, ENOSPC, "{'op':'append','path':'l','value':3}");
	FAILS(0, ENOSPC, "{'op':'insert','path':'l','index':0,'value':3}");
	FAILS(0, ENOSPC, "{'op':'extend','path':'l','items':[3]}");
	/* The largest list sorts. */
	RUN(0, "{'op':'sort','path':'l','reverse':true}");
	OKV(0, "{\"value\":2,\"version\":V}", "{'op':'getitem','path':'l','index':0}");
	RUN(0, "{'op':'pop','path':'l'}");
	RUN(0, "{'op':'append','path':'l','value':3}");
	RUN(0, "{'op':'clear','path':'l'}");

	base = mgr_store_bytes(store);
	mgr_store_set_limit(store, base + 1000);
	FAILS(0, ENOSPC, "{'op':'extend','path':'l','items':['%0500d','%0500d']}", 0, 0);
	assert_non_null(strstr(msg, "memory"));
	RUN(0, "{'op':'append','path':'l','value':'%0500d'}", 1);
	FAILS(0, ENOSPC, "{'op':'append','path':'l','value':'%0500d'}", 2);
	FAILS(0, ENOSPC, "{'op':'imul','path':'l','n':2}");
	FAILS(0, ENOSPC, "{'op':'set','path':'v','value':'%0900d'}", 3);
	OKV(0, "1", "{'op':'len','path':'l'}");
	/* Deleting makes room again. */
	RUN(0, "{'op':'pop','path':'l'}");
	RUN(0, "{'op':'append','path':'l','value':'%0500d'}", 2);
	mgr_store_set_limit(store, 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_list_set),
		T(test_list_basic),
		T(test_list_search),
		T(test_list_order),
		T(test_list_items),
		T(test_list_order_keys),
		T(test_list_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
