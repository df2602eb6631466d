/* The captured traffic of real CPython 3.11 and 3.13 clients and servers
 * (tests/pywire/vectors/pickles.frames, chosen by select_vectors.py from
 * python-wire/vectors): every pickle decodes; its re-encoding decodes to
 * an equal value and encodes to the same bytes again; a copy to another
 * arena encodes alike; and repr, hash and the handshake-free framing of
 * the file itself hold up.  vectors.py checks the same pickles against
 * Python. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pycmp.h"
#include "pydec.h"
#include "pyenc.h"
#include "pyframe.h"
#include "pyrepr.h"

/* How many pickles select_vectors.py kept. */
#define VECTORS 1543

static struct mgr_buf file;

static int setup(void **state)
{
	const char *path = getenv("PYWIRE_VECTORS");
	char chunk[65536];
	size_t n;
	FILE *f;

	if (!path || !(f = fopen(path, "rb")))
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (mgr_buf_append(&file, chunk, n) < 0)
			return -1;
	fclose(f);
	return 0;
}

static int teardown(void **state)
{
	mgr_buf_release(&file);
	return 0;
}

static int same_bytes(const struct mgr_buf *a, const struct mgr_buf *b)
{
	return a->len == b->len && !memcmp(a->data, b->data, a->len);
}

static void check_one(const char *name, const unsigned char *p, size_t n, int *unequal_ok)
{
	struct mgr_pyarena *a = mgr_pyarena_new(), *b = mgr_pyarena_new(), *c = mgr_pyarena_new();
	struct mgr_buf e1 = MGR_BUF_INIT, e2 = MGR_BUF_INIT, e3 = MGR_BUF_INIT, text = MGR_BUF_INIT;
	struct mgr_pyval *v, *w, *copy;
	char err[256];
	int64_t h;
	int r;

	if (mgr_pydec_decode(a, p, n, NULL, &v, err, sizeof(err)) < 0)
		fail_msg("%s: %s", name, err);
	assert_int_equal(mgr_pyenc_value(&e1, v), 0);
	if (mgr_pydec_decode(b, e1.data, e1.len, NULL, &w, err, sizeof(err)) < 0)
		fail_msg("%s: our pickle: %s", name, err);
	assert_int_equal(mgr_pyenc_value(&e2, w), 0);
	if (!same_bytes(&e1, &e2))
		fail_msg("%s: encoding is not stable", name);
	/* Values that hold themselves compare as Python's RecursionError;
	 * a NaN is unequal to a copy of itself. */
	r = mgr_pycmp_eq(v, w);
	if (r != 1 && !(r == -ELOOP || (r == 0 && memmem(name, strlen(name), "nan", 3))))
		fail_msg("%s: decodes to a different value (%d)", name, r);
	*unequal_ok += r != 1;
	assert_int_equal(mgr_pyval_copy(c, v, &copy), 0);
	assert_int_equal(mgr_pyenc_value(&e3, copy), 0);
	if (!same_bytes(&e1, &e3))
		fail_msg("%s: a copy encodes differently", name);
	r = mgr_pyrepr(&text, v);
	assert_true(r == 0 || r == -E2BIG);
	r = mgr_pycmp_hash(v, &h);
	assert_true(r == 0 || r == -EINVAL);
	mgr_buf_release(&e1);
	mgr_buf_release(&e2);
	mgr_buf_release(&e3);
	mgr_buf_release(&text);
	mgr_pyarena_free(a);
	mgr_pyarena_free(b);
	mgr_pyarena_free(c);
}

static void test_vectors(void **state)
{
	const unsigned char *payload, *nl;
	size_t at = 0, plen, used, count = 0;
	char name[200];
	int unequal = 0;

	while (at < file.len) {
		assert_int_equal(mgr_pyframe_next(file.data + at, file.len - at, 1 << 20, &payload,
						  &plen, &used), 1);
		at += used;
		nl = memchr(payload, '\n', plen);
		assert_non_null(nl);
		snprintf(name, sizeof(name), "%.*s", (int)(nl - payload), (const char *)payload);
		check_one(name, nl + 1, plen - (size_t)(nl + 1 - payload), &unequal);
		count++;
	}
	assert_int_equal(count, VECTORS);
	print_message("# %zu pickles; %d compare as Python's RecursionError or NaN would\n", count,
		      unequal);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
