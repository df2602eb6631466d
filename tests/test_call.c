/* The call record's helpers (call.c): the paths of every request checked
 * before anything is done, and the waiting arguments of Python's blocking
 * calls. */
#include "ops_harness.h"

static void test_bad_paths(void **state)
{
	char longname[300];

	FAILS(0, EINVAL, "{'op':'set','path':'a//b','value':1}");
	assert_non_null(strstr(msg, "a//b"));
	FAILS(0, EINVAL, "{'op':'set','path':'..','value':1}");
	FAILS(0, EINVAL, "{'op':'create','path':'x/../y','type':'dict'}");
	FAILS(0, EINVAL, "{'op':'stat','path':'a%%zz'}");
	FAILS(0, EINVAL, "{'op':'rename','path':'x','to':'..'}");
	memset(longname, 'n', 256);
	longname[256] = '\0';
	FAILS(0, ENAMETOOLONG, "{'op':'set','path':'%s','value':1}", longname);
	FAILS(0, ENAMETOOLONG, "{'op':'create','path':'%s','type':'list'}", longname);
	/* Nothing was made by any of them. */
	OKV(0, "{\"entries\":[]}", "{'op':'ls','path':''}");
}

static int wait_args(const char *text, bool *block, uint64_t *deadline)
{
	struct mgr_call c = { .store = store, .sess = &sess[0], .now = 1000 };
	char err[128];
	int r;

	assert_int_equal(mgr_json_parse(text, strlen(text), &c.args, err, sizeof(err)), 0);
	r = mgr_call_wait_args(&c, block, deadline);
	if (r < 0)
		assert_non_null(c.err);
	yajl_tree_free(c.args);
	return r;
}

static void test_wait_args(void **state)
{
	uint64_t deadline;
	bool block;

	assert_int_equal(wait_args("{}", &block, &deadline), 0);
	assert_true(block);
	assert_int_equal(deadline, 0);
	assert_int_equal(wait_args("{\"timeout\":null}", &block, &deadline), 0);
	assert_int_equal(deadline, 0);
	assert_int_equal(wait_args("{\"timeout\":0.5}", &block, &deadline), 0);
	assert_int_equal(deadline, 1500);
	assert_int_equal(wait_args("{\"timeout\":2}", &block, &deadline), 0);
	assert_int_equal(deadline, 3000);
	/* Rounded up: a wait is never shorter than asked. */
	assert_int_equal(wait_args("{\"timeout\":0.0001}", &block, &deadline), 0);
	assert_int_equal(deadline, 1001);
	assert_int_equal(wait_args("{\"timeout\":0}", &block, &deadline), 0);
	assert_int_equal(deadline, 1000);
	assert_int_equal(wait_args("{\"timeout\":1e300}", &block, &deadline), 0);
	assert_int_equal(deadline, 0);
	assert_int_equal(wait_args("{\"block\":false,\"timeout\":5}", &block, &deadline), 0);
	assert_false(block);
	assert_int_equal(deadline, 0);
	assert_int_equal(wait_args("{\"timeout\":-1}", &block, &deadline), -EINVAL);
	assert_int_equal(wait_args("{\"timeout\":\"1\"}", &block, &deadline), -EINVAL);
	assert_int_equal(wait_args("{\"block\":1}", &block, &deadline), -EINVAL);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_bad_paths),
		T(test_wait_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
