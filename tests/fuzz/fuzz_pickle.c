/* libFuzzer target for core/pywire: what a Python client (or anyone who
 * reaches the port) sends, before and after authentication.  The first
 * byte chooses how the rest is read:
 *
 *   0  a pickle, as a request's payload
 *   1  a stream of frames (pyframe.h), each payload a pickle
 *   2  a stream of frames fed to the server's handshake machine
 *
 * Each value that decodes goes through everything the server will do
 * with it: encoding, decoding the encoding again, copying, ==, <, hash and
 * repr.  Beyond the sanitizers, the target aborts when our own pickle of a
 * value does not decode, when it is not a fixed point (encoding what it
 * decodes to gives the same bytes), or when a copy encodes differently.
 * Built and run by tests/fuzz.sh. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pyauth.h"
#include "pycmp.h"
#include "pydec.h"
#include "pyenc.h"
#include "pyframe.h"
#include "pyrepr.h"

static const struct mgr_pydec_limits limits = {
	.max_input = 1 << 20,
	.max_nodes = 1 << 16,
};

static int same(const struct mgr_buf *a, const struct mgr_buf *b)
{
	return a->len == b->len && !memcmp(a->data, b->data, a->len);
}

static void exercise(const unsigned char *p, size_t n)
{
	struct mgr_pyarena *a = mgr_pyarena_new(), *b = mgr_pyarena_new(), *c = mgr_pyarena_new();
	struct mgr_buf e1 = MGR_BUF_INIT, e2 = MGR_BUF_INIT, e3 = MGR_BUF_INIT, text = MGR_BUF_INIT;
	struct mgr_pyval *v, *w, *copy;
	char err[128];
	int64_t h;

	if (!a || !b || !c)
		abort();
	if (mgr_pydec_decode(a, p, n, &limits, &v, err, sizeof(err)) < 0)
		goto out;
	mgr_pycmp_hash(v, &h);
	mgr_pyrepr(&text, v);
	text.len = 0;
	mgr_pyrepr_str(&text, v);
	/* Values nested through opaque objects may be deeper than the
	 * decoder measured; the encoder then says so. */
	if (mgr_pyenc_value(&e1, v) < 0)
		goto out;
	if (mgr_pydec_decode(b, e1.data, e1.len, NULL, &w, err, sizeof(err)) < 0)
		abort();
	if (mgr_pyenc_value(&e2, w) < 0 || !same(&e1, &e2))
		abort();
	mgr_pycmp_eq(v, w);
	mgr_pycmp_lt(v, w);
	if (mgr_pyval_copy(c, v, &copy) < 0 || mgr_pyenc_value(&e3, copy) < 0 || !same(&e1, &e3))
		abort();
out:
	mgr_buf_release(&e1);
	mgr_buf_release(&e2);
	mgr_buf_release(&e3);
	mgr_buf_release(&text);
	mgr_pyarena_free(a);
	mgr_pyarena_free(b);
	mgr_pyarena_free(c);
}

static void handshake(const unsigned char *p, size_t n)
{
	struct mgr_buf out = MGR_BUF_INIT;
	struct mgr_pyauth_server s;
	const unsigned char *payload;
	size_t plen, used;
	int r;

	r = mgr_pyauth_server_init(&s, "key", 3, n & 1, &out);
	while (r == 0 && mgr_pyframe_next(p, n, MGR_PYFRAME_HANDSHAKE_MAX, &payload, &plen, &used) == 1) {
		p += used;
		n -= used;
		r = mgr_pyauth_server_feed(&s, payload, plen, &out);
	}
	mgr_pyauth_server_release(&s);
	mgr_buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const unsigned char *payload;
	size_t plen, used;

	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		exercise(data + 1, size - 1);
		break;
	case 1:
		data++;
		size--;
		while (mgr_pyframe_next(data, size, 1 << 20, &payload, &plen, &used) == 1) {
			exercise(payload, plen);
			data += used;
			size -= used;
		}
		break;
	default:
		handshake(data + 1, size - 1);
		break;
	}
	return 0;
}
