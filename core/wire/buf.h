/* Growable byte buffers for frames, replies and path strings. */
#ifndef MGR_BUF_H
#define MGR_BUF_H

#include <stddef.h>

struct mgr_buf {
	char *data;
	size_t len;
	size_t cap;
};

#define MGR_BUF_INIT { NULL, 0, 0 }

void mgr_buf_init(struct mgr_buf *b);
void mgr_buf_release(struct mgr_buf *b);
/* Make room for n more bytes; 0 or -ENOMEM. */
int mgr_buf_reserve(struct mgr_buf *b, size_t n);
int mgr_buf_append(struct mgr_buf *b, const void *data, size_t n);
/* Drop the first n bytes. */
void mgr_buf_consume(struct mgr_buf *b, size_t n);

#endif
