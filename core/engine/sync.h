/* The synchronisation types (sync.c): lock, rlock, semaphore,
 * bsemaphore, event, condition and barrier. */
#ifndef MGR_SYNC_H
#define MGR_SYNC_H

#include "call.h"
#include "store.h"

extern const struct mgr_type mgr_type_lock, mgr_type_rlock, mgr_type_semaphore,
	mgr_type_bsemaphore, mgr_type_event, mgr_type_condition, mgr_type_barrier;
extern const struct mgr_op mgr_ops_sync[];

#endif
