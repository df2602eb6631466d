/* The loop's io_uring (core/server/ring.c) on real sockets: sends and
 * receives of several sockets in one submission, each completing inside
 * it; a socket with nothing to read or no room completing at once with
 * -EAGAIN; a full ring; what was queued and then forgotten never going
 * out.  Where the kernel has no io_uring to give, the tests say so and
 * skip (mgrd then reads and writes with system calls of their own). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ring.h"

#define PAIRS 5

static int setup(void **state)
{
	static struct ring r;
	int err = ring_open(&r, 8);

	if (err < 0) {
		fprintf(stderr, "# no io_uring here: %s\n", strerror(-err));
		*state = NULL;
		return 0;
	}
	*state = &r;
	return 0;
}

static int teardown(void **state)
{
	if (*state)
		ring_close(*state);
	return 0;
}

static struct ring *ring_or_skip(void **state)
{
	if (!*state)
		skip();
	return *state;
}

static void pairs_open(int sv[PAIRS][2])
{
	for (int i = 0; i < PAIRS; i++)
		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv[i]), 0);
}

static void pairs_close(int sv[PAIRS][2])
{
	for (int i = 0; i < PAIRS; i++) {
		close(sv[i][0]);
		close(sv[i][1]);
	}
}

/* Every completion in, each under its own data; none left over. */
static void reap_all(struct ring *r, int32_t res[PAIRS])
{
	struct io_uring_cqe cqe;
	int seen = 0;

	while (ring_reap(r, &cqe)) {
		assert_true(cqe.user_data < PAIRS);
		res[cqe.user_data] = cqe.res;
		seen++;
	}
	assert_int_equal(seen, PAIRS);
}

static void test_sends_and_receives(void **state)
{
	struct ring *r = ring_or_skip(state);
	char msg[PAIRS][16], got[PAIRS][64];
	int32_t res[PAIRS];
	int sv[PAIRS][2];

	pairs_open(sv);
	for (int i = 0; i < PAIRS; i++) {
		snprintf(msg[i], sizeof(msg[i]), "message %d", i);
		assert_true(ring_queue(r, IORING_OP_SEND, sv[i][0], msg[i], strlen(msg[i]),
				       (uint64_t)i));
	}
	assert_int_equal(ring_submit(r), 0);
	reap_all(r, res);
	for (int i = 0; i < PAIRS; i++)
		assert_int_equal(res[i], (int32_t)strlen(msg[i]));

	for (int i = 0; i < PAIRS; i++)
		assert_true(ring_queue(r, IORING_OP_RECV, sv[i][1], got[i], sizeof(got[i]),
				       (uint64_t)i));
	assert_int_equal(ring_submit(r), 0);
	reap_all(r, res);
	for (int i = 0; i < PAIRS; i++) {
		assert_int_equal(res[i], (int32_t)strlen(msg[i]));
		assert_memory_equal(got[i], msg[i], strlen(msg[i]));
	}
	pairs_close(sv);
}

/* Nothing to read, no room to write, the peer gone: each completes in
 * the submitting call, with what recv() and send() would have said. */
static void test_never_waits(void **state)
{
	struct ring *r = ring_or_skip(state);
	static char big[1 << 16];
	char buf[64];
	int32_t res[PAIRS];
	int sv[PAIRS][2], small = 1;

	pairs_open(sv);
	/* 0: nothing to read.  1: no room.  2: the peer has hung up.
	 * 3: a send with the peer gone.  4: a read of what is there. */
	setsockopt(sv[1][0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	while (send(sv[1][0], big, sizeof(big), MSG_DONTWAIT) > 0)
		;
	close(sv[2][1]);
	close(sv[3][1]);
	assert_int_equal(send(sv[4][1], "x", 1, 0), 1);
	assert_true(ring_queue(r, IORING_OP_RECV, sv[0][0], buf, sizeof(buf), 0));
	assert_true(ring_queue(r, IORING_OP_SEND, sv[1][0], big, sizeof(big), 1));
	assert_true(ring_queue(r, IORING_OP_RECV, sv[2][0], buf, sizeof(buf), 2));
	assert_true(ring_queue(r, IORING_OP_SEND, sv[3][0], big, sizeof(big), 3));
	assert_true(ring_queue(r, IORING_OP_RECV, sv[4][0], buf, sizeof(buf), 4));
	assert_int_equal(ring_submit(r), 0);
	reap_all(r, res);
	assert_int_equal(res[0], -EAGAIN);
	assert_int_equal(res[1], -EAGAIN);
	assert_int_equal(res[2], 0);
	assert_int_equal(res[3], -EPIPE);	/* and no SIGPIPE: MSG_NOSIGNAL */
	assert_int_equal(res[4], 1);
	sv[2][1] = sv[3][1] = -1;
	pairs_close(sv);
}

/* A full ring takes no more; what was queued and forgotten is never
 * sent, and the ring takes as many again. */
static void test_full_and_unqueue(void **state)
{
	struct ring *r = ring_or_skip(state);
	struct io_uring_cqe cqe;
	unsigned n = 0;
	char buf[8];
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	while (ring_queue(r, IORING_OP_SEND, sv[0], "a", 1, n))
		n++;
	assert_int_equal(n, 8);
	ring_unqueue(r);
	assert_int_equal(ring_submit(r), 0);
	assert_false(ring_reap(r, &cqe));
	assert_int_equal(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), -1);
	assert_int_equal(errno, EAGAIN);

	for (n = 0; n < 8; n++)
		assert_true(ring_queue(r, IORING_OP_SEND, sv[0], "b", 1, n));
	assert_false(ring_queue(r, IORING_OP_SEND, sv[0], "c", 1, n));
	assert_int_equal(ring_submit(r), 0);
	for (n = 0; ring_reap(r, &cqe); n++)
		assert_int_equal(cqe.res, 1);
	assert_int_equal(n, 8);
	assert_int_equal(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), 8);
	assert_memory_equal(buf, "bbbbbbbb", 8);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sends_and_receives),
		cmocka_unit_test(test_never_waits),
		cmocka_unit_test(test_full_and_unqueue),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
