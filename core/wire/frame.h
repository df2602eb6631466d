/* Framing: each message is a 4-byte big-endian length and that many bytes
 * of JSON.  The decoder works on a byte buffer, so the server, the client
 * and the fuzzer share it. */
#ifndef MGR_FRAME_H
#define MGR_FRAME_H

#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "buf.h"
#include "proto.h"


/* The payload length a frame's header (MGR_FRAME_HDR bytes) announces. */
size_t mgr_frame_len(const char *hdr);

/* Look for one complete frame at the start of in (len bytes).  Returns 1
 * and sets *payload and *plen (pointing into in) and *consumed when a frame is
 * complete, 0 when more bytes are needed, or -EMSGSIZE when the announced
 * length is 0 or over max. */
int mgr_frame_next(const char *in, size_t len, size_t max,
		   const char **payload, size_t *plen, size_t *consumed);

/* Decode one frame's payload as a JSON object.  0 and a tree the caller
 * frees with yajl_tree_free; -EBADMSG with a reason in err when it is not
 * JSON or not an object; -EINVAL with a reason when it is JSON that
 * mgr_json_parse refuses to keep (nested deeper than MGR_FRAME_DEPTH_MAX,
 * a lone surrogate, a NUL in a key); or -ENOMEM. */
int mgr_frame_decode(const char *payload, size_t plen, yajl_val *out,
		     char *err, size_t errlen);

/* The "id" of the request in a payload that mgr_frame_decode refused with
 * -EINVAL, so that the refusal answers that request: 0 and *id when the
 * top-level object has an "id" member holding an unsigned integer (found
 * by a light scan, not a parse), else -ENOENT. */
int mgr_frame_id(const char *payload, size_t plen, uint64_t *id);

/* Append a frame holding what g generated; g is then cleared and reset for
 * the next message.  -EMSGSIZE when the text is empty or over
 * MGR_FRAME_MAX, -ENOMEM; out is unchanged on failure. */
int mgr_frame_append_gen(struct mgr_buf *out, yajl_gen g);
/* Append a frame holding len bytes of JSON text; errors as above. */
int mgr_frame_append(struct mgr_buf *out, const char *json, size_t len);

#endif
