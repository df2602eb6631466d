/* Stages (stage.c): a value's new content built in pieces, then put in
 * place at once.  A client that rewrites a value larger than a frame
 * (mgrfs for a file opened with O_TRUNC, mgrctl put) sends it in pieces
 * to a stage of its session and commits it: readers see the old value
 * until then, and the new one whole after.  A stage belongs to the session
 * that made it and goes with it, so a writer that dies leaves nothing. */
#ifndef MGR_STAGE_H
#define MGR_STAGE_H

#include "call.h"
#include "store.h"

struct mgr_session;

/* stage, stage_write, stage_truncate, stage_read, commit, stage_drop. */
extern const struct mgr_op mgr_ops_stage[];

/* A session ended: free its stages (the value type's session_end). */
void mgr_stage_session_end(struct mgr_store *s, struct mgr_session *sess);

#endif
