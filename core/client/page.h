/* Listing a container in pages.
 *
 * The manager answers "ls" and "items" in pages of about 1 MiB: a reply
 * with "more": true is continued by asking again with "after" set to the
 * name of its last entry.  A page is asked for after a name, not at an
 * index, so that children made or deleted in between shift nothing; but
 * when that very name has been deleted the manager cannot tell where to
 * go on and answers ESTALE, and the listing must start over.
 *
 * A pager is that protocol as a state machine with no I/O of its own, so
 * that a caller waiting for each reply (mgrctl) and one that sends from a
 * reply callback (mgrfs) drive it alike:
 *
 *	mgr_pager_init(&p, "ls");
 *	again:
 *	  mgr_req_init(&r, "ls", path);   (and the caller's own members)
 *	  mgr_pager_add(&p, &r);
 *	  send r; on its reply:
 *	  switch (mgr_pager_take(&p, &reply, &entries)) {
 *	  case MGR_PAGER_MORE:    use entries; goto again;
 *	  case MGR_PAGER_DONE:    use entries; done
 *	  case MGR_PAGER_RESTART: drop what earlier pages gave; goto again;
 *	  default:                failed (-errno)
 *	  }
 *	mgr_pager_release(&p);
 *
 * What to do with entries already shown when the listing restarts is the
 * caller's to decide: only it knows whether they can be taken back. */
#ifndef MGR_PAGE_H
#define MGR_PAGE_H

#include <stdbool.h>
#include <yajl/yajl_tree.h>

#include "buf.h"
#include "client.h"

/* How many times a listing starts over before it gives up with -ESTALE:
 * a container that changes faster than it can be listed is not listed. */
#define MGR_PAGER_RESTARTS 5

/* What mgr_pager_take made of a reply. */
enum mgr_pager_step {
	MGR_PAGER_DONE,		/* a page, the last one */
	MGR_PAGER_MORE,		/* a page; ask for the next one */
	MGR_PAGER_RESTART,	/* no page: ask again from the first one */
};

/* Members are the pager's own; callers use the functions below. */
struct mgr_pager {
	const char *member;	/* the reply's array: "entries" or "items" */
	struct mgr_buf after;	/* the name to ask after, NUL-terminated;
				 * empty for the first page */
	unsigned restarts;	/* how many times the listing started over */
};

/* Begin a listing by op, "ls" (whose pages are "entries") or "items"
 * (whose pages are "items"). */
void mgr_pager_init(struct mgr_pager *p, const char *op);
/* Free what the pager holds; it may be initialised again.  A zeroed pager
 * (one in a calloc'd context that never listed) may be released too. */
void mgr_pager_release(struct mgr_pager *p);

/* Add to r, a request for the pager's op begun by the caller, the members
 * that ask for the next page.  0 or -errno (-ENOMEM). */
int mgr_pager_add(const struct mgr_pager *p, struct mgr_req *r);

/* Whether the next request built with mgr_pager_add asks for the first
 * page of the listing; before mgr_pager_take, whether the one in flight
 * did.  The moment a listing is taken at, should the caller note one, is
 * its first page's, and a restart makes a new first page. */
bool mgr_pager_first(const struct mgr_pager *p);

/* Take the reply to the last request built with mgr_pager_add.  Returns
 * MGR_PAGER_MORE or MGR_PAGER_DONE with the page's array of entries in
 * *entries (owned by rep: valid until it is released), or
 * MGR_PAGER_RESTART with *entries NULL when the listing must start over
 * (ESTALE, and restarts are left); or -errno with *entries NULL: the
 * manager's error (rep->err, -ESTALE once the restarts are spent),
 * -EPROTO for an answer that is not a page, -ENOMEM. */
int mgr_pager_take(struct mgr_pager *p, const struct mgr_reply *rep, yajl_val *entries);

#endif
