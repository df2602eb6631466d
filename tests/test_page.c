/* Listing in pages (page.c): the pager's steps over replies as the
 * manager gives them, with no manager; integ_basic and the fs tests list
 * real containers through it. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "json.h"
#include "page.h"

/* A reply as the client makes it: err, or a result parsed from text. */
static struct mgr_reply reply(int err, const char *text)
{
	struct mgr_reply r = { .err = err };
	char why[128];

	if (text) {
		assert_int_equal(mgr_json_parse(text, strlen(text), &r.msg, why, sizeof(why)), 0);
		r.result = r.msg;
	}
	return r;
}

/* The "after" member the pager adds to a request, or "" for none. */
static void check_after(struct mgr_pager *p, const char *want)
{
	const unsigned char *buf;
	struct mgr_req r;
	char expect[64];
	size_t len;

	assert_int_equal(mgr_req_init(&r, "ls", "d"), 0);
	assert_int_equal(mgr_pager_add(p, &r), 0);
	yajl_gen_get_buf(r.g, &buf, &len);
	snprintf(expect, sizeof(expect), ",\"after\":\"%s\"", want);
	if (*want)
		assert_non_null(memmem(buf, len, expect, strlen(expect)));
	else
		assert_null(memmem(buf, len, "after", 5));
	mgr_req_release(&r);
}

static void test_pages(void **state)
{
	struct mgr_pager p;
	struct mgr_reply r;
	yajl_val ents;

	mgr_pager_init(&p, "ls");
	assert_true(mgr_pager_first(&p));
	check_after(&p, "");
	r = reply(0, "{\"entries\":[{\"name\":\"a\"},{\"name\":\"b\"}],\"more\":true}");
	assert_int_equal(mgr_pager_take(&p, &r, &ents), MGR_PAGER_MORE);
	assert_int_equal(ents->u.array.len, 2);
	mgr_reply_release(&r);
	assert_false(mgr_pager_first(&p));
	check_after(&p, "b");
	r = reply(0, "{\"entries\":[{\"name\":\"c\"}]}");
	assert_int_equal(mgr_pager_take(&p, &r, &ents), MGR_PAGER_DONE);
	assert_int_equal(ents->u.array.len, 1);
	mgr_reply_release(&r);
	mgr_pager_release(&p);

	/* items pages are "items"; an empty page ends the listing whatever
	 * "more" says, since there is no name to go on after. */
	mgr_pager_init(&p, "items");
	r = reply(0, "{\"items\":[],\"more\":true}");
	assert_int_equal(mgr_pager_take(&p, &r, &ents), MGR_PAGER_DONE);
	assert_int_equal(ents->u.array.len, 0);
	mgr_reply_release(&r);
	mgr_pager_release(&p);
}

static void test_restarts(void **state)
{
	struct mgr_pager p;
	struct mgr_reply r;
	yajl_val ents;
	int i;

	mgr_pager_init(&p, "ls");
	r = reply(0, "{\"entries\":[{\"name\":\"a\"}],\"more\":true}");
	assert_int_equal(mgr_pager_take(&p, &r, &ents), MGR_PAGER_MORE);
	mgr_reply_release(&r);
	/* The name to go on after is gone: from the start again, with a
	 * new first page; after MGR_PAGER_RESTARTS of them it gives up. */
	for (i = 0; i < MGR_PAGER_RESTARTS; i++) {
		r = reply(-ESTALE, NULL);
		assert_int_equal(mgr_pager_take(&p, &r, &ents), MGR_PAGER_RESTART);
		assert_null(ents);
		assert_true(mgr_pager_first(&p));
		check_after(&p, "");
	}
	r = reply(-ESTALE, NULL);
	assert_int_equal(mgr_pager_take(&p, &r, &ents), -ESTALE);
	assert_null(ents);
	mgr_pager_release(&p);
}

static void test_bad_answers(void **state)
{
	struct mgr_pager p;
	struct mgr_reply r;
	yajl_val ents;

	mgr_pager_init(&p, "ls");
	r = reply(-ENOENT, NULL);
	assert_int_equal(mgr_pager_take(&p, &r, &ents), -ENOENT);
	r = reply(0, "{\"items\":[]}");
	assert_int_equal(mgr_pager_take(&p, &r, &ents), -EPROTO);
	mgr_reply_release(&r);
	r = reply(0, "{\"entries\":[{\"nom\":\"a\"}],\"more\":true}");
	assert_int_equal(mgr_pager_take(&p, &r, &ents), -EPROTO);
	mgr_reply_release(&r);
	mgr_pager_release(&p);
	/* A zeroed pager, never used, is released safely. */
	memset(&p, 0, sizeof(p));
	mgr_pager_release(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pages),
		cmocka_unit_test(test_restarts),
		cmocka_unit_test(test_bad_answers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
