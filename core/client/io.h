/* Frames in and out: reading what the manager sends into the read buffer
 * and taking frames off it, and writing requests, either at once (no I/O
 * thread) or through the output queue the I/O thread drains. */
#ifndef MGR_IO_H
#define MGR_IO_H

#include <stdbool.h>
#include <sys/types.h>
#include <yajl/yajl_gen.h>

#include "cli.h"

/* Read what the socket has into rbuf, without waiting: the number of
 * bytes, 0 when there was nothing, or -errno (-ECONNRESET at the end). */
ssize_t io_read_some(struct mgr_client *c);
/* Take one complete frame off rbuf: 1 and *msg, 0 when none is complete,
 * or -errno when the stream is broken. */
int io_next_frame(struct mgr_client *c, yajl_val *msg);
/* Handle every complete frame in rbuf.  0 or -errno. */
int io_process(struct mgr_client *c);
/* With the I/O thread, under wlock: write what the socket takes of the
 * queue now.  0, or -errno when the connection failed. */
int io_flush_some(struct mgr_client *c);
/* Send what g generated as one frame on link generation gen. */
int io_send_gen_on(struct mgr_client *c, yajl_gen g, uint64_t gen);
/* Send on the current link: for the reader, which is the only one to
 * change links. */
int io_send_gen(struct mgr_client *c, yajl_gen g);
/* Give r an id, record p under it and send r.  0: p is outstanding or
 * already completed.  -errno: p was never recorded or is withdrawn. */
int io_send_req(struct mgr_client *c, struct mgr_req *r, struct pending *p, uint64_t *idp);

#endif
