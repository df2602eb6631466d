/* Reading a data directory: the newest snapshot, whole or not at all,
 * then the journals after it in order.  The files (mgrfs(7)):
 *
 *   snapshot-G   the tree as of the start of journal-G
 *   journal-G    the changes after it, record by record
 *   lock         held (flock) by the mgrd that serves the directory
 *
 * A journal ends at its first zero length (space preallocated and not
 * yet written).  A record that fails its CRC or is cut short, with
 * nothing intact after it in the last journal, is a torn tail: cut off,
 * and logged.  A bad record with intact records after it, or in a
 * journal that is not the last, is a corrupt middle: refused, unless
 * repair, which cuts there and drops the journals after it. */
#ifndef MGR_LOAD_H
#define MGR_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "restore.h"

struct mgr_load {
	bool check;		/* change nothing on disk, only report */
	bool repair;		/* cut at a corrupt middle record */
	/* What was found: */
	bool have_snap;
	uint64_t snap_gen;
	uint64_t snap_bytes;
	uint64_t gen;		/* the journal to go on appending to */
	uint64_t end;		/* where its intact records end */
	bool fresh;		/* it does not exist yet */
	unsigned format;	/* its format version, when it exists */
	uint64_t records;	/* records applied */
	uint64_t dropped;	/* bytes cut off or that would be */
};

/* Load the directory open as dirfd (named dir, for messages) into the
 * restore's store.  0, or -errno with a message in err: -EINVAL for a
 * corrupt snapshot or journal (nothing is served from it), -EPROTO for a
 * format this mgrd does not read, others from the system. */
int mgr_load_dir(int dirfd, const char *dir, struct mgr_restore *rs, struct mgr_load *ld,
		 char *err, size_t errlen);

#endif
