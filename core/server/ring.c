#include "ring.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define RING_LEN_MAX ((size_t)1 << 30)

static int setup(unsigned entries, struct io_uring_params *p)
{
	/* One thread submits and reaps, and completions wait for it to ask
	 * (Linux 6.1); older kernels take the ring without. */
	static const unsigned tries[] = {
		IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN, 0
	};
	long fd = -1;

	for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		memset(p, 0, sizeof(*p));
		p->flags = tries[i];
		fd = syscall(__NR_io_uring_setup, entries, p);
		if (fd >= 0 || errno != EINVAL)
			break;
	}
	return fd < 0 ? -errno : (int)fd;
}

static int map(struct ring *r, int fd, const struct io_uring_params *p)
{
	size_t sq_len = p->sq_off.array + p->sq_entries * sizeof(unsigned);
	size_t cq_len = p->cq_off.cqes + p->cq_entries * sizeof(struct io_uring_cqe);
	unsigned *array;
	char *m;

	/* Before Linux 5.4 the two rings were mapped apart: those kernels
	 * keep to read() and send() (they have no IORING_OP_SEND either). */
	if (!(p->features & IORING_FEAT_SINGLE_MMAP))
		return -ENOSYS;
	r->map_len = sq_len > cq_len ? sq_len : cq_len;
	r->sqes_len = p->sq_entries * sizeof(struct io_uring_sqe);
	m = mmap(NULL, r->map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
		 IORING_OFF_SQ_RING);
	if (m == MAP_FAILED)
		return -errno;
	r->sqes = mmap(NULL, r->sqes_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		       fd, IORING_OFF_SQES);
	if (r->sqes == MAP_FAILED) {
		munmap(m, r->map_len);
		return -errno;
	}
	r->map = m;
	r->entries = p->sq_entries;
	r->sq_head = (unsigned *)(m + p->sq_off.head);
	r->sq_tail = (unsigned *)(m + p->sq_off.tail);
	r->sq_mask = (unsigned *)(m + p->sq_off.ring_mask);
	r->cq_head = (unsigned *)(m + p->cq_off.head);
	r->cq_tail = (unsigned *)(m + p->cq_off.tail);
	r->cq_mask = (unsigned *)(m + p->cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)(m + p->cq_off.cqes);
	/* Slot i of the indirection array names sqe i, for good. */
	array = (unsigned *)(m + p->sq_off.array);
	for (unsigned i = 0; i < r->entries; i++)
		array[i] = i;
	return 0;
}

/* Hand the kernel what was queued: the number of sqes it has yet to
 * take, any a failed call left included. */
static unsigned publish(struct ring *r)
{
	unsigned tail = *r->sq_tail + r->queued;

	__atomic_store_n(r->sq_tail, tail, __ATOMIC_RELEASE);
	r->queued = 0;
	return tail - __atomic_load_n(r->sq_head, __ATOMIC_ACQUIRE);
}

/* Whether a receive with nothing to read and a send with no room both
 * complete at once with -EAGAIN, as ring.h counts on. */
static bool completes_at_once(struct ring *r)
{
	int sv[2], got = 0;
	char buf[4096] = { 0 };
	struct io_uring_cqe cqe;
	int small = 1;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
		return false;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	while (send(sv[0], buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
	ring_queue(r, IORING_OP_RECV, sv[0], buf, sizeof(buf), 1);
	ring_queue(r, IORING_OP_SEND, sv[0], buf, sizeof(buf), 2);
	/* Submitted without waiting: both completions must be in when the
	 * call returns. */
	if (syscall(__NR_io_uring_enter, r->fd, publish(r), 0, 0, NULL, 0) == 2)
		while (ring_reap(r, &cqe))
			got += cqe.res == -EAGAIN;
	close(sv[0]);
	close(sv[1]);
	return got == 2;
}

int ring_open(struct ring *r, unsigned entries)
{
	struct io_uring_params p;
	int fd, err;

	memset(r, 0, sizeof(*r));
	r->fd = -1;
	fd = setup(entries, &p);
	if (fd < 0)
		return fd;
	err = map(r, fd, &p);
	if (err < 0) {
		close(fd);
		return err;
	}
	r->fd = fd;
	if (!completes_at_once(r)) {
		/* Closing the ring cancels whatever the probe left waiting. */
		ring_close(r);
		return -EOPNOTSUPP;
	}
	return 0;
}

void ring_close(struct ring *r)
{
	if (r->fd < 0)
		return;
	munmap(r->sqes, r->sqes_len);
	munmap(r->map, r->map_len);
	close(r->fd);
	r->fd = -1;
}

bool ring_queue(struct ring *r, uint8_t op, int fd, void *buf, size_t len, uint64_t data)
{
	unsigned next = *r->sq_tail + r->queued;

	if (next - __atomic_load_n(r->sq_head, __ATOMIC_ACQUIRE) == r->entries)
		return false;
	/* A completion's result is an int: a larger send goes in part, as
	 * send() may. */
	if (len > RING_LEN_MAX)
		len = RING_LEN_MAX;
	r->sqes[next & *r->sq_mask] = (struct io_uring_sqe){
		.opcode = op, .fd = fd, .addr = (uintptr_t)buf, .len = (uint32_t)len,
		.msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL, .user_data = data,
	};
	r->queued++;
	return true;
}

void ring_unqueue(struct ring *r)
{
	r->queued = 0;
}

int ring_submit(struct ring *r)
{
	unsigned left = publish(r);
	long n;

	/* Each completes inside the call, so waiting for as many as were
	 * submitted waits for nothing.  The kernel may take fewer than
	 * offered (one failed before it was issued: its completion says
	 * so); the rest are offered again. */
	while (left) {
		n = syscall(__NR_io_uring_enter, r->fd, left, left, IORING_ENTER_GETEVENTS,
			    NULL, 0);
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n == 0)
			return -EAGAIN;
		if (n > 0)
			left -= (unsigned)n;
	}
	return 0;
}

bool ring_reap(struct ring *r, struct io_uring_cqe *cqe)
{
	unsigned head = *r->cq_head;

	if (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE))
		return false;
	*cqe = r->cqes[head & *r->cq_mask];
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return true;
}
