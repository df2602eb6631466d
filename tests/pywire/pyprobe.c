/* pyprobe: core/pywire driven by Python, for the tests in this folder.
 *
 * It reads frames (pyframe.h) on stdin and answers each with one frame on
 * stdout.  A request is a command byte and a pickle; an answer is '+' and
 * the result, or '-' and the error's text:
 *
 *   E pickle   decode and encode again: the pickle the manager would send
 *   C pickle   decode, copy to another arena, encode the copy
 *   R pickle   repr() of the value, UTF-8
 *   S pickle   str() of the value
 *   H pickle   hash() in decimal
 *   Q pickle   of (a, b): "1" when a == b, else "0"
 *   L pickle   of (a, b): "1" when a < b, else "0"
 *   P pickle   of an int n: the n-th of the replies pyreply builds for
 *              replies.py (a Token, a Value, exceptions...), "-" past them
 *
 * With --auth KEY (and --legacy for a 20-byte challenge) it is instead a
 * tiny manager-side peer: it runs the server's half of the handshake on
 * the stream, exits 3 when that fails, then answers each pickle with
 * ('#RETURN', value). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pyauth.h"
#include "pycmp.h"
#include "pydec.h"
#include "pydict.h"
#include "pyenc.h"
#include "pyframe.h"
#include "pyrepr.h"
#include "pyreply.h"

static struct mgr_buf in = MGR_BUF_INIT;

/* The next frame's payload, copied into *frame; 0 at the end of input. */
static int next_frame(uint64_t max, struct mgr_buf *frame)
{
	const unsigned char *payload;
	size_t plen, used;
	char chunk[65536];
	ssize_t n;
	int r;

	for (;;) {
		r = mgr_pyframe_next(in.data, in.len, max, &payload, &plen, &used);
		if (r < 0)
			return r;
		if (r == 1) {
			frame->len = 0;
			if (mgr_buf_append(frame, payload, plen) < 0)
				return -ENOMEM;
			mgr_buf_consume(&in, used);
			return 1;
		}
		n = read(0, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		if (mgr_buf_append(&in, chunk, (size_t)n) < 0)
			return -ENOMEM;
	}
}

static int write_all(const void *p, size_t n)
{
	const char *s = p;
	ssize_t w;

	while (n) {
		w = write(1, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -EIO;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

static int answer(char status, const void *p, size_t n)
{
	struct mgr_buf out = MGR_BUF_INIT;
	size_t start;
	int r;

	if ((r = mgr_pyframe_begin(&out, &start)) < 0 || (r = mgr_buf_append(&out, &status, 1)) < 0 ||
	    (r = mgr_buf_append(&out, p, n)) < 0 || (r = mgr_pyframe_end(&out, start)) < 0 ||
	    (r = write_all(out.data, out.len)) < 0) {
		mgr_buf_release(&out);
		return r;
	}
	mgr_buf_release(&out);
	return 0;
}

static int answer_text(char status, const char *text)
{
	return answer(status, text, strlen(text));
}

/* The n-th sample reply, appended to out; -ENOENT past the last. */
static int sample_reply(struct mgr_pyarena *a, int64_t n, struct mgr_buf *out)
{
	static const char *const exposed[] = { "get", "put" };
	static const int32_t ints[] = { 1, 20, 3 };
	struct mgr_pyval *addr[2], *ns, *l;

	addr[0] = mgr_pyval_cstr(a, "127.0.0.1");
	addr[1] = mgr_pyval_int(a, 50000);
	ns = mgr_pyval_new(a, MGR_PYVAL_DICT, 0);
	mgr_pydict_set(a, ns, mgr_pyval_cstr(a, "b"), mgr_pyval_cstr(a, "two"));
	mgr_pydict_set(a, ns, mgr_pyval_cstr(a, "a"), mgr_pyval_int(a, 1));
	l = mgr_pyval_new(a, MGR_PYVAL_LIST, 0);
	mgr_pyval_append(a, l, mgr_pyval_int(a, 1));
	mgr_pyval_append(a, l, mgr_pyval_int(a, 2));
	switch (n) {
	case 0:
		return mgr_pyreply_return(out, mgr_pyval_none());
	case 1:
		return mgr_pyreply_error(out, "_queue", "Empty", NULL);
	case 2:
		return mgr_pyreply_error(out, "queue", "Full", NULL);
	case 3:
		return mgr_pyreply_error(out, "threading", "BrokenBarrierError", NULL);
	case 4:
		return mgr_pyreply_error_msg(out, "builtins", "KeyError", "k");
	case 5:
		return mgr_pyreply_text(out, MGR_PYREPLY_TRACEBACK, "Traceback: boom\n", 16);
	case 6:
		return mgr_pyreply_proxy(out, mgr_pyreply_strs(a, exposed, 2),
					 mgr_pyreply_token(a, "Iterator", mgr_pyval_tuple(a, 2, addr),
							   "1f"));
	case 7:
		return mgr_pyreply_return(out, mgr_pyreply_value(a, "d", mgr_pyval_float(a, 1.25)));
	case 8:
		return mgr_pyreply_return(out, mgr_pyreply_namespace(a, ns));
	case 9:
		return mgr_pyreply_return(out, mgr_pyreply_array(a, "i", ints, sizeof(ints)));
	case 10:
		return mgr_pyreply_return(out, mgr_pyreply_call(a, "list", l));
	case 11:
		return mgr_pyreply_return(out, mgr_pyreply_call(a, "iter", l));
	case 12:
		return mgr_pyreply_text(out, MGR_PYREPLY_UNSERIALIZABLE, "no", 2);
	default:
		return -ENOENT;
	}
}

/* The two items of a pair, for the commands that compare. */
static int pair(const struct mgr_pyval *v, const struct mgr_pyval **a, const struct mgr_pyval **b)
{
	if (v->kind != MGR_PYVAL_TUPLE || v->u.seq.len != 2)
		return -EINVAL;
	*a = v->u.seq.items[0];
	*b = v->u.seq.items[1];
	return 0;
}

static int command(const unsigned char *req, size_t len)
{
	struct mgr_pyarena *arena = mgr_pyarena_new(), *other = NULL;
	struct mgr_buf out = MGR_BUF_INIT;
	const struct mgr_pyval *a, *b;
	struct mgr_pyval *v, *copy;
	char err[256], num[32];
	int64_t h;
	int r;

	if (!arena || len < 1)
		return -ENOMEM;
	r = mgr_pydec_decode(arena, req + 1, len - 1, NULL, &v, err, sizeof(err));
	if (r < 0) {
		r = answer_text('-', err);
		goto out;
	}
	switch (req[0]) {
	case 'E':
		r = mgr_pyenc_value(&out, v);
		break;
	case 'C':
		other = mgr_pyarena_new();
		r = other ? mgr_pyval_copy(other, v, &copy) : -ENOMEM;
		mgr_pyarena_free(arena);
		arena = NULL;
		if (r == 0)
			r = mgr_pyenc_value(&out, copy);
		break;
	case 'R':
		r = mgr_pyrepr(&out, v);
		break;
	case 'S':
		r = mgr_pyrepr_str(&out, v);
		break;
	case 'H':
		r = mgr_pycmp_hash(v, &h);
		if (r == 0)
			r = mgr_buf_append(&out, num, (size_t)snprintf(num, sizeof(num), "%lld",
								(long long)h));
		break;
	case 'P':
		r = mgr_pyval_get_int(v, &h);
		if (r == 0)
			r = sample_reply(arena, h, &out);
		break;
	case 'Q':
	case 'L':
		r = pair(v, &a, &b);
		if (r == 0)
			r = req[0] == 'Q' ? mgr_pycmp_eq(a, b) : mgr_pycmp_lt(a, b);
		if (r >= 0)
			r = mgr_buf_append(&out, r ? "1" : "0", 1);
		break;
	default:
		r = -EINVAL;
	}
	if (r < 0)
		r = answer_text('-', r == -EINVAL ? "EINVAL" : r == -ELOOP ? "ELOOP" :
			       r == -E2BIG ? "E2BIG" : strerror(-r));
	else
		r = answer('+', out.data, out.len);
out:
	mgr_buf_release(&out);
	mgr_pyarena_free(arena);
	mgr_pyarena_free(other);
	return r;
}

static int serve(const char *key, bool legacy)
{
	struct mgr_buf frame = MGR_BUF_INIT, out = MGR_BUF_INIT;
	struct mgr_pyauth_server auth;
	struct mgr_pyarena *arena;
	struct mgr_pyval *v;
	char err[256];
	int r;

	r = mgr_pyauth_server_init(&auth, key, strlen(key), legacy, &out);
	while (r == 0) {
		if ((r = write_all(out.data, out.len)) < 0)
			break;
		out.len = 0;
		r = next_frame(MGR_PYFRAME_HANDSHAKE_MAX, &frame);
		if (r <= 0) {
			r = r ? r : -EPIPE;
			break;
		}
		r = mgr_pyauth_server_feed(&auth, frame.data, frame.len, &out);
	}
	/* A failure may still owe the client its #FAILURE#. */
	write_all(out.data, out.len);
	mgr_pyauth_server_release(&auth);
	if (r != 1) {
		mgr_buf_release(&frame);
		mgr_buf_release(&out);
		return 3;
	}
	while ((r = next_frame(MGR_PYDEC_INPUT_MAX, &frame)) == 1) {
		out.len = 0;
		arena = mgr_pyarena_new();
		r = mgr_pydec_decode(arena, frame.data, frame.len, NULL, &v, err, sizeof(err));
		if (r == 0)
			r = mgr_pyreply_return(&out, v);
		else
			r = mgr_pyreply_text(&out, MGR_PYREPLY_TRACEBACK, err, strlen(err));
		mgr_pyarena_free(arena);
		if (r == 0) {
			struct mgr_buf framed = MGR_BUF_INIT;

			r = mgr_pyframe_append(&framed, out.data, out.len);
			if (r == 0)
				r = write_all(framed.data, framed.len);
			mgr_buf_release(&framed);
		}
		if (r < 0)
			break;
	}
	mgr_buf_release(&frame);
	mgr_buf_release(&out);
	return r < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct mgr_buf frame = MGR_BUF_INIT;
	int r;

	if (argc >= 3 && !strcmp(argv[1], "--auth"))
		return serve(argv[2], argc >= 4 && !strcmp(argv[3], "--legacy"));
	while ((r = next_frame(MGR_PYDEC_INPUT_MAX + 1, &frame)) == 1)
		if (command((unsigned char *)frame.data, frame.len) < 0)
			return 1;
	mgr_buf_release(&frame);
	return r < 0 ? 1 : 0;
}
