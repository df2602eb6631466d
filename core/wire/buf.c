#include "buf.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void mgr_buf_init(struct mgr_buf *b)
{
	b->data = NULL;
	b->len = b->cap = 0;
}

void mgr_buf_release(struct mgr_buf *b)
{
	free(b->data);
	mgr_buf_init(b);
}

int mgr_buf_reserve(struct mgr_buf *b, size_t n)
{
	size_t cap;
	char *p;

	if (b->cap - b->len >= n)
		return 0;
	if (n > SIZE_MAX / 2 - b->len)
		return -ENOMEM;
	cap = b->cap ? b->cap : 256;
	while (cap - b->len < n)
		cap *= 2;
	p = realloc(b->data, cap);
	if (!p)
		return -ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int mgr_buf_append(struct mgr_buf *b, const void *data, size_t n)
{
	int r = mgr_buf_reserve(b, n);

	if (r < 0)
		return r;
	if (n)
		memcpy(b->data + b->len, data, n);
	b->len += n;
	return 0;
}

void mgr_buf_consume(struct mgr_buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
}
