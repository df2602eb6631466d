/* Helpers shared by the frontend's modules: names, errors, types and the
 * parking of calls that wait. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "proto.h"
#include "util.h"

int fs_errno(int err)
{
	switch (err) {
	case 0:
		return 0;
	case -ECONNRESET:
	case -ECONNABORTED:
	case -ECONNREFUSED:
	case -EPIPE:
	case -ENOTCONN:
		return ENOTCONN;
	case -ECANCELED:
		return EINTR;
	case -ENOSYS:
		/* The kernel takes ENOSYS from some operations as "never
		 * ask again"; an op the manager lacks is not that. */
		return EOPNOTSUPP;
	case -EMSGSIZE:
		return EFBIG;
	default:
		return err < 0 ? -err : EIO;
	}
}

int fs_result_type(yajl_val result)
{
	const char *name = NULL;

	if (mgr_json_get_str(result, "type", &name) < 0)
		return -EPROTO;
	return mgr_type_by_name(name);
}

mode_t fs_type_fmt(int t)
{
	return t == MGR_NAMESPACE || t == MGR_DICT ? S_IFDIR : S_IFREG;
}

int fs_name_from_kernel(const char *name, struct mgr_buf *out)
{
	size_t len = strlen(name);
	int err;

	if (len > MGR_NAME_MAX)
		return -ENAMETOOLONG;
	err = mgr_buf_append(out, name, len + 1);
	if (!err)
		out->len--;
	return err;
}

static void park_interrupt(fuse_req_t req, void *arg)
{
	struct fs_park *p = arg;

	pthread_mutex_lock(&p->fs->lock);
	p->interrupted = true;
	/* The manager answers the cancelled call with ECANCELED, or it
	 * had already answered; either way the reply callback follows. */
	if (p->sent && !p->done)
		mgr_client_cancel(p->fs->client, p->id);
	pthread_mutex_unlock(&p->fs->lock);
}

int fs_park_send(struct fs_park *p, struct mgr_req *r, mgr_reply_fn cb, void *arg)
{
	struct mgrfs *fs = p->fs;
	int err = -EINTR;

	p->sent = p->interrupted = p->done = false;
	/* Registered first: the reply may come before this returns, and
	 * after it the request may be gone.  The callback may run right
	 * here when the interrupt came already. */
	fuse_req_interrupt_func(p->req, park_interrupt, p);
	pthread_mutex_lock(&fs->lock);
	if (!p->interrupted) {
		/* The lock is held across the send so that the interrupt
		 * callback sees either no call or one with its id. */
		err = mgr_client_call_async(fs->client, r, cb, arg, &p->id);
		p->sent = err == 0;
	}
	pthread_mutex_unlock(&fs->lock);
	if (err < 0)
		fuse_req_interrupt_func(p->req, NULL, NULL);
	return err;
}

void fs_park_finish(struct fs_park *p)
{
	/* This waits for an interrupt callback that is running to finish,
	 * and no other starts after it. */
	fuse_req_interrupt_func(p->req, NULL, NULL);
	pthread_mutex_lock(&p->fs->lock);
	p->done = true;
	pthread_mutex_unlock(&p->fs->lock);
}
