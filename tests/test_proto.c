/* The protocol's own facts (proto.c): the names of errno values on the
 * wire and back. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "proto.h"

static void test_errno_names(void **state)
{
	const char *names[] = { "ENOENT", "EEXIST", "ENOTDIR", "EINVAL", "ENOTSUP", "ENOSYS",
				"ERANGE", "EAGAIN", "ETIMEDOUT", "EPERM", "EOVERFLOW", "EPIPE",
				"ECANCELED", "EFBIG", "EMSGSIZE", "EBADMSG", "EACCES",
				"ENAMETOOLONG", "ENOTEMPTY", "EISDIR", "EBUSY", "ENOMEM", "EIO",
				"ECONNRESET", "ECONNREFUSED", "ESTALE", "ENOTCONN", "EDEADLK",
				NULL };
	int i, e;

	for (i = 0; names[i]; i++) {
		e = mgr_errno_from_name(names[i]);
		assert_true(e > 0);
		assert_string_equal(mgr_errno_name(e), names[i]);
		assert_string_equal(mgr_errno_name(-e), names[i]);
	}
	assert_int_equal(mgr_errno_from_name("ENOENT"), ENOENT);
	assert_int_equal(mgr_errno_from_name("EOPNOTSUPP"), ENOTSUP);
	assert_int_equal(mgr_errno_from_name("EWHATEVER"), 0);
	assert_int_equal(mgr_errno_from_name(""), 0);
	assert_string_equal(mgr_errno_name(0), "EIO");
	assert_string_equal(mgr_errno_name(99999), "EIO");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errno_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
