/* The value type (value.c). */
#ifndef MGR_VALUE_H
#define MGR_VALUE_H

#include "call.h"
#include "store.h"

extern const struct mgr_type mgr_type_value;
extern const struct mgr_op mgr_ops_value[];

#endif
