#include "frame.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "json.h"

size_t mgr_frame_len(const char *hdr)
{
	const unsigned char *p = (const unsigned char *)hdr;

	return (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
}

int mgr_frame_next(const char *in, size_t len, size_t max,
		   const char **payload, size_t *plen, size_t *consumed)
{
	size_t n;

	if (len < MGR_FRAME_HDR)
		return 0;
	n = mgr_frame_len(in);
	if (n == 0 || n > max)
		return -EMSGSIZE;
	if (len - MGR_FRAME_HDR < n)
		return 0;
	*payload = in + MGR_FRAME_HDR;
	*plen = n;
	*consumed = MGR_FRAME_HDR + n;
	return 1;
}

int mgr_frame_decode(const char *payload, size_t plen, yajl_val *out,
		     char *err, size_t errlen)
{
	char reason[200];
	yajl_val v;
	int r;

	r = mgr_json_parse(payload, plen, &v, reason, sizeof(reason));
	if (r == -ENOMEM || r == -EINVAL) {
		snprintf(err, errlen, "%s%s", r == -ENOMEM ? "" : "bad JSON: ", reason);
		return r == -ENOMEM ? r : -EBADMSG;
	}
	/* JSON, but holding what cannot be kept: the request is refused,
	 * not garbled. */
	if (r < 0) {
		snprintf(err, errlen, "%s", reason);
		return -EINVAL;
	}
	if (!YAJL_IS_OBJECT(v)) {
		yajl_tree_free(v);
		snprintf(err, errlen, "a message must be a JSON object");
		return -EBADMSG;
	}
	*out = v;
	return 0;
}

int mgr_frame_append(struct mgr_buf *out, const char *json, size_t len)
{
	unsigned char hdr[MGR_FRAME_HDR];
	int r;

	if (len == 0 || len > MGR_FRAME_MAX)
		return -EMSGSIZE;
	hdr[0] = len >> 24;
	hdr[1] = len >> 16;
	hdr[2] = len >> 8;
	hdr[3] = len;
	/* Reserve both parts first so that a failure leaves out unchanged. */
	r = mgr_buf_reserve(out, MGR_FRAME_HDR + len);
	if (r < 0)
		return r;
	mgr_buf_append(out, hdr, sizeof(hdr));
	mgr_buf_append(out, json, len);
	return 0;
}

int mgr_frame_append_gen(struct mgr_buf *out, yajl_gen g)
{
	const unsigned char *text;
	size_t len;
	int r;

	if (yajl_gen_get_buf(g, &text, &len) != yajl_gen_status_ok)
		r = -EINVAL;
	else
		r = mgr_frame_append(out, (const char *)text, len);
	/* Clearing keeps the generator's state; resetting it too makes g
	 * ready for the next message whatever happened. */
	yajl_gen_clear(g);
	yajl_gen_reset(g, NULL);
	return r;
}

/* The end of the JSON string whose opening quote is at p, or NULL. */
static const char *string_end(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '\\') {
			/* The escaped byte is skipped with it. */
			if (++p == end)
				break;
		} else if (*p == '"') {
			return p;
		}
	}
	return NULL;
}

static const char *skip_space(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	return p;
}

int mgr_frame_id(const char *payload, size_t plen, uint64_t *id)
{
	const char *p = payload, *end = payload + plen, *key;
	size_t depth;
	uint64_t v;

	/* Only brackets and strings are followed, with a counter for the
	 * depth: this runs on text that mgr_json_parse has refused already,
	 * which may nest far too deeply to parse. */
	p = skip_space(p, end);
	if (p == end || *p++ != '{')
		return -ENOENT;
	for (;;) {
		p = skip_space(p, end);
		if (p == end || *p != '"')
			return -ENOENT;
		key = p + 1;
		p = string_end(p, end);
		if (!p)
			return -ENOENT;
		if (p - key == 2 && key[0] == 'i' && key[1] == 'd')
			break;
		p = skip_space(p + 1, end);
		if (p == end || *p++ != ':')
			return -ENOENT;
		for (depth = 0; p < end; p++) {
			if (*p == '"') {
				p = string_end(p, end);
				if (!p)
					return -ENOENT;
			} else if (*p == '[' || *p == '{') {
				depth++;
			} else if (*p == ']' || *p == '}') {
				if (depth-- == 0)
					return -ENOENT;
			} else if (*p == ',' && depth == 0) {
				break;
			}
		}
		if (p++ == end)
			return -ENOENT;
	}
	p = skip_space(p + 1, end);
	if (p == end || *p++ != ':')
		return -ENOENT;
	p = skip_space(p, end);
	if (p == end || *p < '0' || *p > '9')
		return -ENOENT;
	for (v = 0; p < end && *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return -ENOENT;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	p = skip_space(p, end);
	if (p == end || (*p != ',' && *p != '}'))
		return -ENOENT;
	*id = v;
	return 0;
}
