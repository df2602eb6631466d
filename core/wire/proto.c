#include "proto.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

static const char *const type_names[MGR_NTYPES] = {
	[MGR_NAMESPACE] = "namespace",
	[MGR_DICT] = "dict",
	[MGR_LIST] = "list",
	[MGR_VALUE] = "value",
	[MGR_ARRAY] = "array",
	[MGR_QUEUE] = "queue",
	[MGR_LOCK] = "lock",
	[MGR_RLOCK] = "rlock",
	[MGR_SEMAPHORE] = "semaphore",
	[MGR_BSEMAPHORE] = "bsemaphore",
	[MGR_EVENT] = "event",
	[MGR_CONDITION] = "condition",
	[MGR_BARRIER] = "barrier",
};

const char *mgr_type_name(int t)
{
	return t >= 0 && t < MGR_NTYPES ? type_names[t] : NULL;
}

int mgr_type_by_name(const char *name)
{
	int t;

	for (t = 0; t < MGR_NTYPES; t++)
		if (strcasecmp(name, type_names[t]) == 0)
			return t;
	/* Python's class names, for those who type what they know. */
	if (strcasecmp(name, "BoundedSemaphore") == 0)
		return MGR_BSEMAPHORE;
	if (strcasecmp(name, "JoinableQueue") == 0)
		return MGR_QUEUE;
	return -EINVAL;
}

static const struct {
	int err;
	const char *name;
} errno_names[] = {
	{ EPERM, "EPERM" },
	{ ENOENT, "ENOENT" },
	{ ESRCH, "ESRCH" },
	{ EINTR, "EINTR" },
	{ EIO, "EIO" },
	{ ENXIO, "ENXIO" },
	{ E2BIG, "E2BIG" },
	{ EBADF, "EBADF" },
	{ EAGAIN, "EAGAIN" },
	{ ENOMEM, "ENOMEM" },
	{ EACCES, "EACCES" },
	{ EFAULT, "EFAULT" },
	{ EBUSY, "EBUSY" },
	{ EEXIST, "EEXIST" },
	{ ENODEV, "ENODEV" },
	{ ENOTDIR, "ENOTDIR" },
	{ EISDIR, "EISDIR" },
	{ EINVAL, "EINVAL" },
	{ EMFILE, "EMFILE" },
	{ EFBIG, "EFBIG" },
	{ ENOSPC, "ENOSPC" },
	{ EROFS, "EROFS" },
	{ EPIPE, "EPIPE" },
	{ EDOM, "EDOM" },
	{ ERANGE, "ERANGE" },
	{ EDEADLK, "EDEADLK" },
	{ ENAMETOOLONG, "ENAMETOOLONG" },
	{ ENOSYS, "ENOSYS" },
	{ ENOTEMPTY, "ENOTEMPTY" },
	{ ENODATA, "ENODATA" },
	{ ETIME, "ETIME" },
	{ EPROTO, "EPROTO" },
	{ EBADMSG, "EBADMSG" },
	{ EOVERFLOW, "EOVERFLOW" },
	{ EMSGSIZE, "EMSGSIZE" },
	{ EPROTONOSUPPORT, "EPROTONOSUPPORT" },
	{ ENOTSUP, "ENOTSUP" },
	{ EADDRINUSE, "EADDRINUSE" },
	{ EADDRNOTAVAIL, "EADDRNOTAVAIL" },
	{ ENETDOWN, "ENETDOWN" },
	{ ENETUNREACH, "ENETUNREACH" },
	{ ECONNABORTED, "ECONNABORTED" },
	{ ECONNRESET, "ECONNRESET" },
	{ ENOBUFS, "ENOBUFS" },
	{ EISCONN, "EISCONN" },
	{ ENOTCONN, "ENOTCONN" },
	{ ESHUTDOWN, "ESHUTDOWN" },
	{ ESTALE, "ESTALE" },
	{ ETIMEDOUT, "ETIMEDOUT" },
	{ ECONNREFUSED, "ECONNREFUSED" },
	{ EHOSTDOWN, "EHOSTDOWN" },
	{ EHOSTUNREACH, "EHOSTUNREACH" },
	{ EALREADY, "EALREADY" },
	{ EINPROGRESS, "EINPROGRESS" },
	{ ECANCELED, "ECANCELED" },
	{ EOWNERDEAD, "EOWNERDEAD" },
};

#define N_ERRNO (sizeof(errno_names) / sizeof(errno_names[0]))

const char *mgr_errno_name(int err)
{
	size_t i;

	if (err < 0)
		err = -err;
	for (i = 0; i < N_ERRNO; i++)
		if (errno_names[i].err == err)
			return errno_names[i].name;
	return "EIO";
}

int mgr_errno_from_name(const char *name)
{
	size_t i;

	for (i = 0; i < N_ERRNO; i++)
		if (strcmp(errno_names[i].name, name) == 0)
			return errno_names[i].err;
	/* Synonyms other systems use on the wire. */
	if (strcmp(name, "EOPNOTSUPP") == 0)
		return ENOTSUP;
	if (strcmp(name, "EWOULDBLOCK") == 0)
		return EAGAIN;
	return 0;
}
