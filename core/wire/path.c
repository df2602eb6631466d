#include "path.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

int mgr_name_check(const char *name, size_t len, const char **err)
{
	if (len == 0) {
		*err = "empty name in path";
		return -EINVAL;
	}
	if (len > MGR_NAME_MAX) {
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
	/* Names travel as JSON strings, which are held to strict UTF-8, so a
	 * name that could not be listed is refused when it is made. */
	if (!mgr_utf8_valid(name, len)) {
		*err = "name is not valid UTF-8";
		return -EINVAL;
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
		*err = "path longer than 4096 bytes";
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
		*err = "path deeper than 256 names";
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
	size_t i, start = 0;
	int r = 0;

	for (i = 0; i < len && !r; i++) {
		if (name[i] != '/' && name[i] != '%')
			continue;
		r = mgr_buf_append(out, name + start, i - start);
		if (!r)
			r = mgr_buf_append(out, name[i] == '/' ? "%2F" : "%25", 3);
		start = i + 1;
	}
	return r ? r : mgr_buf_append(out, name + start, len - start);
}
