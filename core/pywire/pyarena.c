#include "pyarena.h"

#include <stdint.h>
#include <stdlib.h>

/* Chunks grow from 4 KiB to 1 MiB as an arena fills, so a small message
 * costs one small allocation and a big one few large ones. */
#define CHUNK_MIN 4096
#define CHUNK_MAX (1u << 20)
#define ALIGN 16

struct pyarena_chunk {
	struct pyarena_chunk *next;
	size_t size;
	size_t used;
	_Alignas(ALIGN) unsigned char data[];
};

struct mgr_pyarena {
	struct pyarena_chunk *chunks;	/* the first one serves small requests */
	size_t total;
	size_t next_size;
};

struct mgr_pyarena *mgr_pyarena_new(void)
{
	struct mgr_pyarena *a = calloc(1, sizeof(*a));

	if (a)
		a->next_size = CHUNK_MIN;
	return a;
}

void mgr_pyarena_free(struct mgr_pyarena *a)
{
	struct pyarena_chunk *c, *next;

	if (!a)
		return;
	for (c = a->chunks; c; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

size_t mgr_pyarena_size(const struct mgr_pyarena *a)
{
	return a->total;
}

static struct pyarena_chunk *pyarena_chunk(struct mgr_pyarena *a, size_t size)
{
	struct pyarena_chunk *c;

	if (size > SIZE_MAX - sizeof(*c))
		return NULL;
	c = malloc(sizeof(*c) + size);
	if (!c)
		return NULL;
	c->size = size;
	c->used = 0;
	a->total += sizeof(*c) + size;
	return c;
}

void *mgr_pyarena_alloc(struct mgr_pyarena *a, size_t n)
{
	struct pyarena_chunk *c = a->chunks;
	void *p;

	if (n > SIZE_MAX - ALIGN)
		return NULL;
	n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	if (c && c->size - c->used >= n) {
		p = c->data + c->used;
		c->used += n;
		return p;
	}
	/* A large request gets a chunk of its own behind the first, so the
	 * first keeps serving small ones and no space is stranded. */
	if (n > a->next_size / 4) {
		c = pyarena_chunk(a, n);
		if (!c)
			return NULL;
		c->used = n;
		if (a->chunks) {
			c->next = a->chunks->next;
			a->chunks->next = c;
		} else {
			c->next = NULL;
			a->chunks = c;
		}
		return c->data;
	}
	c = pyarena_chunk(a, a->next_size);
	if (!c)
		return NULL;
	if (a->next_size < CHUNK_MAX)
		a->next_size *= 2;
	c->next = a->chunks;
	a->chunks = c;
	c->used = n;
	return c->data;
}
