#include "handle.h"

#include <stdlib.h>

void fs_handle_free(struct fs_handle *h)
{
	size_t i;

	if (!h)
		return;
	mgr_buf_release(&h->buf);
	mgr_buf_release(&h->rest);
	mgr_buf_release(&h->line);
	free(h->flock_path);
	for (i = 0; i < h->nents; i++)
		free(h->ents[i].name);
	free(h->ents);
	free(h);
}

void fs_handle_opened(struct fs_handle *h)
{
	if (!h->node)
		return;
	h->node->opens++;
	if (h->kind == FS_H_VALUE && h->vmode == FS_V_STAGE)
		h->node->stager = h;
}

void fs_handle_closed(struct fs_handle *h)
{
	if (!h->node)
		return;
	h->node->opens--;
	if (h->node->stager == h)
		h->node->stager = NULL;
}

struct fs_handle *fs_handle_new(enum fs_handle_kind kind, struct fs_node *n, int type,
				int flags)
{
	struct fs_handle *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->kind = kind;
	h->node = n;
	h->type = type;
	h->flags = flags;
	return h;
}
