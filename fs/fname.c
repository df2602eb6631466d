/* File names to the manager's names and back (see fname.h). */
#include "fname.h"

#include <errno.h>

#include "path.h"
#include "proto.h"
#include "utf8.h"

int fs_fname_to_key(const char *name, size_t len, struct mgr_buf *out)
{
	const unsigned char *u = (const unsigned char *)name;
	size_t i = 0, k;
	char esc[3];
	int r = 0;

	if (len > MGR_NAME_MAX)
		return -ENAMETOOLONG;
	while (i < len && !r) {
		if (len - i >= 2 && u[i] == 0xc0 && u[i + 1] == 0xaf) {
			r = mgr_buf_append(out, "/", 1);
			i += 2;
		} else if ((k = mgr_utf8_seq(u + i, len - i))) {
			r = mgr_buf_append(out, name + i, k);
			i += k;
		} else {
			/* U+DC00 + the byte, in UTF-8. */
			esc[0] = (char)0xed;
			esc[1] = (char)(0xb0 | u[i] >> 6);
			esc[2] = (char)(0x80 | (u[i] & 0x3f));
			r = mgr_buf_append(out, esc, 3);
			i++;
		}
	}
	return r;
}

int fs_fname_to_path(const char *name, size_t len, struct mgr_buf *out)
{
	struct mgr_buf key = MGR_BUF_INIT;
	size_t i;
	int r;

	/* Most names are ASCII without '%': their path is themselves. */
	for (i = 0; i < len; i++)
		if ((unsigned char)name[i] >= 0x80 || name[i] == '%')
			break;
	if (i == len)
		return len > MGR_NAME_MAX ? -ENAMETOOLONG : mgr_buf_append(out, name, len);
	r = fs_fname_to_key(name, len, &key);
	if (!r)
		r = mgr_name_escape(key.data, key.len, out);
	mgr_buf_release(&key);
	return r;
}

int fs_fname_from_key(const char *key, size_t len, struct mgr_buf *out)
{
	const unsigned char *u = (const unsigned char *)key;
	size_t i = 0, start = out->len;
	int b, prev = -1, r = 0;
	char c;

	while (i < len && !r) {
		b = mgr_utf8_escaped_byte(u + i, len - i);
		if (b >= 0) {
			/* C0 AF is '/': these two cannot be told from it. */
			if (prev == 0xc0 && b == 0xaf)
				return -EILSEQ;
			c = (char)b;
			r = mgr_buf_append(out, &c, 1);
			i += 3;
		} else if (key[i] == '/') {
			r = mgr_buf_append(out, "\xc0\xaf", 2);
			i++;
		} else {
			r = mgr_buf_append(out, key + i, 1);
			i++;
		}
		prev = b;
	}
	if (!r && out->len - start > MGR_NAME_MAX)
		r = -ENAMETOOLONG;
	return r;
}
