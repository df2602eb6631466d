/* The inode table: two chained hash tables over the same nodes, one by
 * inode number and one by (parent, name).  Inode numbers are never reused,
 * so a stale number from the kernel finds nothing rather than the wrong
 * object. */
#include "node.h"

#include <errno.h>
#include <fuse_lowlevel.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fname.h"
#include "proto.h"

#define ROOT_INO 1

static size_t hash_ino(uint64_t ino, size_t nbuckets)
{
	return (size_t)(ino * 0x9e3779b97f4a7c15ull >> 17) & (nbuckets - 1);
}

/* FNV-1a over the parent's number and the name. */
static size_t hash_name(uint64_t parent, const char *name, size_t len, size_t nbuckets)
{
	uint64_t h = 0xcbf29ce484222325ull ^ parent;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)name[i];
		h *= 0x100000001b3ull;
	}
	return (size_t)(h ^ h >> 32) & (nbuckets - 1);
}

static void link_ino(struct fs_nodes *t, struct fs_node *n)
{
	size_t i = hash_ino(n->ino, t->nbuckets);

	n->ino_next = t->by_ino[i];
	t->by_ino[i] = n;
}

static void link_name(struct fs_nodes *t, struct fs_node *n)
{
	size_t i = hash_name(n->parent->ino, n->name, n->namelen, t->nbuckets);

	n->name_next = t->by_name[i];
	t->by_name[i] = n;
	n->linked = true;
}

static void unlink_ino(struct fs_nodes *t, struct fs_node *n)
{
	struct fs_node **pp = &t->by_ino[hash_ino(n->ino, t->nbuckets)];

	while (*pp != n)
		pp = &(*pp)->ino_next;
	*pp = n->ino_next;
}

static void unlink_name(struct fs_nodes *t, struct fs_node *n)
{
	struct fs_node **pp;

	if (!n->linked)
		return;
	pp = &t->by_name[hash_name(n->parent->ino, n->name, n->namelen, t->nbuckets)];
	while (*pp != n)
		pp = &(*pp)->name_next;
	*pp = n->name_next;
	n->linked = false;
}

/* Double both tables when they are full, so chains stay short. */
static int grow(struct fs_nodes *t)
{
	struct fs_node **old_ino = t->by_ino, **old_name = t->by_name, *n;
	size_t oldn = t->nbuckets, i;

	if (t->count < t->nbuckets)
		return 0;
	t->by_ino = calloc(2 * oldn, sizeof(*t->by_ino));
	t->by_name = calloc(2 * oldn, sizeof(*t->by_name));
	if (!t->by_ino || !t->by_name) {
		free(t->by_ino);
		free(t->by_name);
		t->by_ino = old_ino;
		t->by_name = old_name;
		return -ENOMEM;
	}
	t->nbuckets = 2 * oldn;
	for (i = 0; i < oldn; i++) {
		while ((n = old_ino[i])) {
			old_ino[i] = n->ino_next;
			link_ino(t, n);
		}
		while ((n = old_name[i])) {
			old_name[i] = n->name_next;
			link_name(t, n);
		}
	}
	free(old_ino);
	free(old_name);
	return 0;
}

int fs_nodes_init(struct fs_nodes *t)
{
	struct fs_node *root;

	memset(t, 0, sizeof(*t));
	t->nbuckets = 64;
	t->by_ino = calloc(t->nbuckets, sizeof(*t->by_ino));
	t->by_name = calloc(t->nbuckets, sizeof(*t->by_name));
	root = calloc(1, sizeof(*root));
	if (!t->by_ino || !t->by_name || !root)
		goto fail;
	root->name = strdup("");
	if (!root->name)
		goto fail;
	root->ino = ROOT_INO;
	root->fmt = S_IFDIR;
	root->type = MGR_NAMESPACE;
	root->nlookup = 1;
	link_ino(t, root);
	t->root = root;
	t->count = 1;
	t->next_ino = ROOT_INO + 1;
	return 0;
fail:
	free(root);
	free(t->by_ino);
	free(t->by_name);
	return -ENOMEM;
}

void fs_nodes_release(struct fs_nodes *t)
{
	struct fs_posix_hold *ph;
	struct fs_pollreq *pr;
	struct fs_node *n;
	size_t i;

	for (i = 0; i < t->nbuckets; i++) {
		while ((n = t->by_ino[i])) {
			t->by_ino[i] = n->ino_next;
			while ((pr = n->polls)) {
				n->polls = pr->next;
				fuse_pollhandle_destroy(pr->ph);
				free(pr);
			}
			while ((ph = n->posix)) {
				n->posix = ph->next;
				free(ph->ranges);
				free(ph->path);
				free(ph);
			}
			mgr_buf_release(&n->content);
			free(n->name);
			free(n);
		}
	}
	free(t->by_ino);
	free(t->by_name);
	memset(t, 0, sizeof(*t));
}

struct fs_node *fs_node_get(struct fs_nodes *t, uint64_t ino)
{
	struct fs_node *n;

	for (n = t->by_ino[hash_ino(ino, t->nbuckets)]; n; n = n->ino_next)
		if (n->ino == ino)
			return n;
	return NULL;
}

struct fs_node *fs_node_child(struct fs_nodes *t, struct fs_node *parent,
			      const char *name, size_t len)
{
	struct fs_node *n;

	for (n = t->by_name[hash_name(parent->ino, name, len, t->nbuckets)]; n;
	     n = n->name_next)
		if (n->parent == parent && n->namelen == len && memcmp(n->name, name, len) == 0)
			return n;
	return NULL;
}

void fs_node_pin(struct fs_node *n)
{
	n->pins++;
}

/* Free n if nothing refers to it, then its parent if n was the last thing
 * holding that. */
static void maybe_free(struct fs_nodes *t, struct fs_node *n)
{
	struct fs_node *parent;
	struct fs_pollreq *pr;

	while (n && n->ino != ROOT_INO && !n->nlookup && !n->pins && !n->posix) {
		parent = n->parent;
		while ((pr = n->polls)) {
			n->polls = pr->next;
			fuse_pollhandle_destroy(pr->ph);
			free(pr);
		}
		fs_node_cache_drop(t, n);
		unlink_name(t, n);
		unlink_ino(t, n);
		t->count--;
		free(n->name);
		free(n);
		if (parent)
			parent->pins--;
		n = parent;
	}
}

void fs_node_unpin(struct fs_nodes *t, struct fs_node *n)
{
	n->pins--;
	maybe_free(t, n);
}

void fs_node_forget(struct fs_nodes *t, struct fs_node *n, uint64_t nlookup)
{
	n->nlookup = nlookup > n->nlookup ? 0 : n->nlookup - nlookup;
	maybe_free(t, n);
}

void fs_node_detach(struct fs_nodes *t, struct fs_node *n)
{
	struct fs_node *parent = n->parent;

	if (n->ino == ROOT_INO || !parent)
		return;
	if (!n->opens)
		fs_node_cache_drop(t, n);
	unlink_name(t, n);
	n->parent = NULL;
	fs_node_unpin(t, parent);
}

struct fs_node *fs_node_found(struct fs_nodes *t, struct fs_node *parent,
			      const char *name, size_t len, mode_t fmt)
{
	struct fs_node *n = fs_node_child(t, parent, name, len);

	if (n && n->fmt != fmt) {
		fs_node_detach(t, n);
		n = NULL;
	}
	if (!n) {
		if (grow(t) < 0)
			return NULL;
		n = calloc(1, sizeof(*n));
		if (!n)
			return NULL;
		n->name = strndup(name, len);
		if (!n->name) {
			free(n);
			return NULL;
		}
		n->namelen = len;
		n->ino = t->next_ino++;
		n->fmt = fmt;
		n->type = -1;
		n->parent = parent;
		parent->pins++;
		link_ino(t, n);
		link_name(t, n);
		t->count++;
	}
	n->nlookup++;
	return n;
}

int fs_node_move(struct fs_nodes *t, struct fs_node *n, struct fs_node *newparent,
		 const char *name, size_t len)
{
	struct fs_node *old = fs_node_child(t, newparent, name, len), *oldparent;
	char *copy;

	if (old == n)
		return 0;
	copy = strndup(name, len);
	if (!copy)
		return -ENOMEM;
	/* The new parent is pinned before anything is let go: it may be
	 * kept alive only by the node it replaces or by n. */
	newparent->pins++;
	if (old)
		fs_node_detach(t, old);
	oldparent = n->parent;
	unlink_name(t, n);
	free(n->name);
	n->name = copy;
	n->namelen = len;
	n->parent = newparent;
	link_name(t, n);
	if (oldparent)
		fs_node_unpin(t, oldparent);
	return 0;
}

int fs_node_path(const struct fs_node *n, struct mgr_buf *out)
{
	const struct fs_node *p, *few[32], **chain = few;
	size_t depth = 0, i;
	int err = 0;

	for (p = n; p->ino != ROOT_INO; p = p->parent) {
		if (!p->linked || !p->parent)
			return -ENOENT;
		depth++;
	}
	if (depth > sizeof(few) / sizeof(*few)) {
		chain = malloc(depth * sizeof(*chain));
		if (!chain)
			return -ENOMEM;
	}
	/* The names come leaf first; the path is written root first. */
	for (p = n, i = depth; i; p = p->parent)
		chain[--i] = p;
	for (i = 0; i < depth && !err; i++) {
		if (i)
			err = mgr_buf_append(out, "/", 1);
		if (!err)
			err = fs_fname_to_path(chain[i]->name, chain[i]->namelen, out);
	}
	if (chain != few)
		free(chain);
	return err;
}

void fs_node_saw(struct fs_node *n, uint64_t v, int64_t mtime, int64_t ctime)
{
	n->version = v;
	n->mtime = mtime;
	n->ctime = ctime;
}

void fs_node_cache_drop(struct fs_nodes *t, struct fs_node *n)
{
	if (!n->cached)
		return;
	t->cached_bytes -= n->content.len;
	mgr_buf_release(&n->content);
	n->cached = false;
}

void fs_node_cache_set(struct fs_nodes *t, struct fs_node *n, const char *data, size_t len,
		       uint64_t epoch)
{
	fs_node_cache_drop(t, n);
	if (len > FS_CACHE_MAX - t->cached_bytes)
		return;
	if (mgr_buf_append(&n->content, data, len) < 0)
		return;
	t->cached_bytes += len;
	n->cached = true;
	n->cepoch = epoch;
}

void fs_node_cache_write(struct fs_nodes *t, struct fs_node *n, uint64_t off, const char *data,
			 size_t len)
{
	size_t old = n->content.len;

	if (!n->cached)
		return;
	if (off + len > old) {
		if (off + len - old > FS_CACHE_MAX - t->cached_bytes ||
		    mgr_buf_reserve(&n->content, off + len - old) < 0) {
			fs_node_cache_drop(t, n);
			return;
		}
		if (off > old)
			memset(n->content.data + old, 0, off - old);
		n->content.len = off + len;
		t->cached_bytes += n->content.len - old;
	}
	if (len)
		memcpy(n->content.data + off, data, len);
}

void fs_node_cache_cut(struct fs_nodes *t, struct fs_node *n, uint64_t size)
{
	if (!n->cached)
		return;
	if (size > n->content.len) {
		fs_node_cache_write(t, n, size, "", 0);
		return;
	}
	t->cached_bytes -= n->content.len - size;
	n->content.len = size;
}

/* Make room for a range at h->ranges[i].  0 or -ENOMEM. */
static int hold_insert(struct fs_posix_hold *h, size_t i)
{
	struct fs_range *v = realloc(h->ranges, (h->nranges + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	h->ranges = v;
	memmove(v + i + 1, v + i, (h->nranges - i) * sizeof(*v));
	h->nranges++;
	return 0;
}

int fs_node_hold_add(struct fs_posix_hold *h, struct fs_range r)
{
	size_t i, j, k;

	for (i = 0; i < h->nranges && h->ranges[i].end < r.start; i++)
		;
	for (j = i; j < h->nranges && h->ranges[j].start <= r.end; j++) {
		if (h->ranges[j].start < r.start)
			r.start = h->ranges[j].start;
		if (h->ranges[j].end > r.end)
			r.end = h->ranges[j].end;
	}
	/* Ranges i to j-1 become r. */
	if (j == i) {
		if (hold_insert(h, i) < 0)
			return -ENOMEM;
		j = i + 1;
	}
	h->ranges[i] = r;
	for (k = j; k < h->nranges; k++)
		h->ranges[i + 1 + k - j] = h->ranges[k];
	h->nranges -= j - i - 1;
	return 0;
}

int fs_node_hold_sub(struct fs_posix_hold *h, struct fs_range r)
{
	struct fs_range *c;
	size_t i = 0;

	while (i < h->nranges) {
		c = &h->ranges[i];
		if (c->end <= r.start || c->start >= r.end) {
			i++;
		} else if (c->start < r.start && c->end > r.end) {
			if (hold_insert(h, i) < 0)
				return -ENOMEM;
			h->ranges[i].end = r.start;
			h->ranges[i + 1].start = r.end;
			return 0;
		} else if (c->start < r.start) {
			c->end = r.start;
			i++;
		} else if (c->end > r.end) {
			c->start = r.end;
			i++;
		} else {
			memmove(c, c + 1, (h->nranges - i - 1) * sizeof(*c));
			h->nranges--;
		}
	}
	return 0;
}
