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
 * frees with yajl_tree_free, or -EBADMSG with a reason in err (invalid
 * JSON, too deeply nested for mgr_json_parse, or not an object), or
 * -ENOMEM. */
int mgr_frame_decode(const char *payload, size_t plen, yajl_val *out,
		     char *err, size_t errlen);

/* Append a frame holding what g generated; g is then cleared and reset for
 * the next message.  -EMSGSIZE when the text is empty or over
 * MGR_FRAME_MAX, -ENOMEM; out is unchanged on failure. */
int mgr_frame_append_gen(struct mgr_buf *out, yajl_gen g);
/* Append a frame holding len bytes of JSON text; errors as above. */
int mgr_frame_append(struct mgr_buf *out, const char *json, size_t len);

#endif
