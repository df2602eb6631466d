/* The loop's io_uring: a turn's reads and its writes, each batch in one
 * system call where the loop would make one for each connection.  On
 * the VM this was measured on, the entry into the kernel and back alone
 * costs about a microsecond (getppid() in a loop), where mgrd's whole
 * work for a request is 14 to 18.
 *
 * Only what completes at once goes through the ring: receives and sends
 * on sockets with MSG_DONTWAIT, which the kernel finishes (or fails with
 * -EAGAIN) inside the submitting call.  ring_open makes sure of that on
 * a socket pair before the ring is used; where the kernel has no
 * io_uring, forbids it (a container's seccomp, io_uring_disabled) or
 * would not complete at once, it fails and the loop keeps to read() and
 * send().  The system calls are made directly (no liburing). */
#ifndef MGR_RING_H
#define MGR_RING_H

#include <linux/io_uring.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ring {
	int fd;				/* -1: no ring */
	unsigned entries;
	unsigned *sq_head, *sq_tail, *sq_mask;
	unsigned *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	unsigned queued;		/* sqes filled since the last submit */
	void *map;
	size_t map_len, sqes_len;
};

/* A ring of entries requests, used by this thread alone.  0, or -errno
 * with r->fd -1. */
int ring_open(struct ring *r, unsigned entries);
void ring_close(struct ring *r);

/* Queue a receive (IORING_OP_RECV) or a send (IORING_OP_SEND) of len
 * bytes at buf on the socket fd, with MSG_DONTWAIT (and MSG_NOSIGNAL);
 * data comes back with its completion.  false when the ring is full. */
bool ring_queue(struct ring *r, uint8_t op, int fd, void *buf, size_t len, uint64_t data);
/* Forget what was queued since the last submit. */
void ring_unqueue(struct ring *r);
/* Submit what was queued, and have its completions in.  0, or -errno:
 * then the ring is of no more use (ring_close it once its completions
 * are reaped). */
int ring_submit(struct ring *r);
/* Take the next completion: false when there is none. */
bool ring_reap(struct ring *r, struct io_uring_cqe *cqe);

#endif
