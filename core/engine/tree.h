/* Operations on the tree itself (tree.c): stat, ls, create, delete,
 * rename, dump, len, and pop of a dict's value. */
#ifndef MGR_TREE_H
#define MGR_TREE_H

#include "call.h"

extern const struct mgr_op mgr_ops_tree[];

#endif
