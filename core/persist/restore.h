/* Restoring a store from records (record.h): a snapshot's, then the
 * journal's, each applied in turn to a store that nobody serves yet.  A
 * record that does not fit the store it is applied to (a path whose
 * parent is missing, an unknown type, a malformed image) is -EINVAL: the
 * caller treats it as a corrupt record.
 *
 * Items handed out and not acknowledged (MGR_REC_GIVEN without its
 * MGR_REC_GONE) are kept aside and, at the end, put back at the heads of
 * their queues, as the end of the session that had them would have. */
#ifndef MGR_RESTORE_H
#define MGR_RESTORE_H

#include <stddef.h>
#include <stdint.h>

#include "image.h"
#include "store.h"

struct mgr_outstanding {
	uint64_t id;
	struct mgr_obj *obj;		/* the queue; NULL once it is deleted */
	struct mgr_datum *item;		/* owned */
};

/* Items out, oldest first: the restore's, and mgrd's own while it runs
 * (persist.c keeps its copy, for snapshots). */
struct mgr_outset {
	struct mgr_outstanding *v;
	size_t n, cap;
};

int mgr_outset_add(struct mgr_outset *set, uint64_t id, struct mgr_obj *obj,
		   struct mgr_datum *item);
void mgr_outset_remove(struct mgr_outset *set, uint64_t id);
/* An object and everything below it are about to go: forget their items. */
void mgr_outset_forget(struct mgr_outset *set, const struct mgr_obj *o);
void mgr_outset_clear(struct mgr_outset *set);

struct mgr_restore {
	struct mgr_store *store;
	struct mgr_outset out;
	uint64_t version;		/* the highest seen */
	uint64_t records;
	unsigned format;		/* of the file being applied */
};

/* Apply one record's payload.  0, -EINVAL (it does not fit) or -ENOMEM.
 * MGR_REC_END gives -ENODATA with its count in *end. */
int mgr_restore_apply(struct mgr_restore *rs, struct mgr_img *payload, uint64_t *end);

#endif
