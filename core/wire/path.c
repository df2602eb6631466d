#include "path.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "utf8.h"

/* Names travel as JSON strings, so a name is valid UTF-8, with one
 * exception: U+DC80 to U+DCFF, the lone surrogates that Python's
 * surrogateescape (os.fsdecode) makes of the bytes of a file name that are
 * not UTF-8, so that any file name is a name (mgrfs(7)).  JSON carries
 * them as the escapes \udc80 to \udcff, and paths as %ED%B2%80 and so on.
 * *flen gets the length as a file name: each of them is one byte. */
static bool name_valid(const unsigned char *s, size_t len, size_t *flen)
{
	size_t i = 0, k;

	*flen = 0;
	while (i < len) {
		if (mgr_utf8_escaped_byte(s + i, len - i) >= 0)
			k = 3;
		else if (!(k = mgr_utf8_seq(s + i, len - i)))
			return false;
		*flen += k == 3 && s[i] == 0xed ? 1 : k;
		i += k;
	}
	return true;
}

int mgr_name_check(const char *name, size_t len, const char **err)
{
	size_t flen;

	if (len == 0) {
		*err = "empty name in path";
		return -EINVAL;
	}
	if (len > MGR_NAME_BYTES_MAX) {
		*err = "name longer than 255 bytes";
		return -ENAMETOOLONG;
	}
	if (memchr(name, '\0', len)) {
		*err = "NUL byte in name";
		return -EINVAL;
	}
	if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.')) {
		*err = "\".\" and \"..\" are not names";
		return -EINVAL;
	}
	/* Names travel as JSON strings, which are held to strict UTF-8 but
	 * for the escapes of bytes that are not (name_valid). */
	if (!name_valid((const unsigned char *)name, len, &flen)) {
		*err = "name is not valid UTF-8";
		return -EINVAL;
	}
	if (flen > MGR_NAME_MAX) {
		*err = "name longer than 255 bytes";
		return -ENAMETOOLONG;
	}
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int mgr_path_parse(const char *s, size_t len, struct mgr_path *out, const char **err)
{
	size_t i, n = 1;
	char *dst;
	int r;

	out->n = 0;
	out->names = NULL;
	out->storage = NULL;
	if (len > MGR_PATH_MAX) {
		*err = "path longer than 65536 bytes";
		return -ENAMETOOLONG;
	}
	if (len && s[0] == '/') {
		s++;
		len--;
	}
	/* One trailing '/' is tolerated, as a shell user types "dir/". */
	if (len > 1 && s[len - 1] == '/')
		len--;
	if (len == 0)
		return 0;
	for (i = 0; i < len; i++)
		n += s[i] == '/';
	if (n > MGR_PATH_DEPTH_MAX) {
		*err = "path deeper than 2048 names";
		return -ENAMETOOLONG;
	}
	out->names = calloc(n, sizeof(*out->names));
	out->storage = malloc(len);
	if (!out->names || !out->storage) {
		*err = "out of memory";
		r = -ENOMEM;
		goto fail;
	}
	dst = out->storage;
	out->names[0].s = dst;
	for (i = 0; i < len; i++) {
		struct mgr_name *cur = &out->names[out->n];
		int hi, lo;

		if (s[i] == '/') {
			r = mgr_name_check(cur->s, cur->len, err);
			if (r < 0)
				goto fail;
			out->n++;
			out->names[out->n].s = dst;
			continue;
		}
		if (s[i] == '%') {
			hi = i + 2 < len ? hexval(s[i + 1]) : -1;
			lo = i + 2 < len ? hexval(s[i + 2]) : -1;
			if (hi < 0 || lo < 0) {
				*err = "'%' in a path must be followed by two hex digits";
				r = -EINVAL;
				goto fail;
			}
			*dst++ = (char)(hi << 4 | lo);
			i += 2;
		} else {
			*dst++ = s[i];
		}
		cur->len++;
	}
	r = mgr_name_check(out->names[out->n].s, out->names[out->n].len, err);
	if (r < 0)
		goto fail;
	out->n++;
	return 0;
fail:
	mgr_path_release(out);
	return r;
}

void mgr_path_release(struct mgr_path *p)
{
	free(p->names);
	free(p->storage);
	p->names = NULL;
	p->storage = NULL;
	p->n = 0;
}

int mgr_name_escape(const char *name, size_t len, struct mgr_buf *out)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *u = (const unsigned char *)name;
	size_t i, j, k, start = 0;
	char esc[9];
	int r = 0;

	for (i = 0; i < len && !r; i += k) {
		/* An escaped byte is written as the bytes of its UTF-8, so
		 * that a path is always valid UTF-8 text. */
		k = mgr_utf8_escaped_byte(u + i, len - i) >= 0 ? 3 : 1;
		if (k == 1 && name[i] != '/' && name[i] != '%')
			continue;
		r = mgr_buf_append(out, name + start, i - start);
		for (j = 0; j < k; j++) {
			esc[3 * j] = '%';
			esc[3 * j + 1] = hex[u[i + j] >> 4];
			esc[3 * j + 2] = hex[u[i + j] & 15];
		}
		if (!r)
			r = mgr_buf_append(out, esc, 3 * k);
		start = i + k;
	}
	return r ? r : mgr_buf_append(out, name + start, len - start);
}
