/* Framing of Python's multiprocessing.connection (python-wire/SPEC.md
 * §1.2): every message, handshake included, is a big-endian int32 length
 * and that many bytes, or, for 2 GiB and more, the int32 -1 and a
 * big-endian uint64 length.  CPython 3.8 and later read the large form at
 * any size; writers use it only when the small one cannot hold the length.
 * The functions work on byte buffers, so the server, the tests and the
 * fuzzer share them. */
#ifndef MGR_PYFRAME_H
#define MGR_PYFRAME_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Both ends read handshake frames with this maximum. */
#define MGR_PYFRAME_HANDSHAKE_MAX 256
#define MGR_PYFRAME_HDR_SMALL 4
#define MGR_PYFRAME_HDR_LARGE 12
/* The longest payload of the small form. */
#define MGR_PYFRAME_SMALL_MAX 0x7fffffffu

/* Look for one complete frame at the start of in (len bytes).  Returns 1
 * and sets *payload and *plen (pointing into in) and *consumed when a frame
 * is whole (an empty payload is legal); 0 when more bytes are needed;
 * -EMSGSIZE when the announced length is over max, which the caller may
 * learn as soon as the header is in; -EBADMSG for a negative length other
 * than -1, which CPython does not check and reads as nothing. */
int mgr_pyframe_next(const void *in, size_t len, uint64_t max, const unsigned char **payload,
		     size_t *plen, size_t *consumed);
/* The header for a payload of n bytes into hdr; returns its length. */
size_t mgr_pyframe_header(uint64_t n, unsigned char hdr[MGR_PYFRAME_HDR_LARGE]);
/* Append a frame holding the n bytes at p: 0 or -ENOMEM, out unchanged on
 * failure. */
int mgr_pyframe_append(struct mgr_buf *out, const void *p, size_t n);
/* Frame what is written to out between begin and end, for writers that
 * do not know the length beforehand (the encoder): begin claims a small
 * header and sets *start where the frame starts; end fills the header in,
 * moving the payload when it needs the large form.  Both return 0 or
 * -ENOMEM; after a failed end, out is cut back to start. */
int mgr_pyframe_begin(struct mgr_buf *out, size_t *start);
int mgr_pyframe_end(struct mgr_buf *out, size_t start);

#endif
