/* The queue type (queue.c). */
#ifndef MGR_QUEUE_H
#define MGR_QUEUE_H

#include "call.h"
#include "store.h"

extern const struct mgr_type mgr_type_queue;
extern const struct mgr_op mgr_ops_queue[];

#endif
