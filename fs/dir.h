/* Directories: a listing taken at opendir, given to the kernel by readdir
 * and readdirplus (see dir.c). */
#ifndef MGRFS_DIR_H
#define MGRFS_DIR_H

#include "mgrfs.h"

/* opendir, readdir, readdirplus and releasedir. */
void fs_dir_ops(struct fuse_lowlevel_ops *ops);

#endif
