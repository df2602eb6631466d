/* watch: a subscription whose events arrive through the client's on_event
 * (cmd_watch_event) while the loop here dispatches, until a count, a
 * timeout or the end of the connection. */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <string.h>

#include "json.h"
#include "mgrctl.h"

void cmd_watch_event(void *arg, yajl_val ev)
{
	struct sess *s = arg;
	const char *what = "", *type = "", *path = "";
	uint64_t sub, version = 0;

	if (!s->watching || mgr_json_get_u64(ev, "sub", &sub) < 0 || sub != s->sub)
		return;
	if (s->limit && s->seen >= s->limit)
		return;
	s->seen++;
	if (s->watch_json) {
		print_json(ev);
	} else {
		mgr_json_get_str(ev, "what", &what);
		mgr_json_get_str(ev, "type", &type);
		mgr_json_get_str(ev, "path", &path);
		mgr_json_get_u64(ev, "version", &version);
		/* The root's path is empty: "/" names it as well and keeps the
		 * line's last field non-empty. */
		printf("%s %s %" PRIu64 " ", what, type, version);
		print_path(*path ? path : "/");
		putchar('\n');
	}
	fflush(stdout);
}

static int watch_loop(struct sess *s, const struct opts *o)
{
	struct pollfd pfd = { .fd = mgr_client_fd(s->client), .events = POLLIN };
	double deadline = sess_deadline(o);
	int err, ms, ka;

	for (;;) {
		/* Frames read along with the subscribe reply are handled
		 * here too, before any wait. */
		err = mgr_client_dispatch(s->client);
		if (err < 0 || s->closed)
			return sess_fail(s, err < 0 ? err : s->closed,
					 "the connection to the manager ended");
		if (s->limit && s->seen >= s->limit)
			return ST_OK;
		ms = -1;
		if (deadline) {
			double left = deadline - sess_now();

			if (left <= 0)
				return s->limit ? ST_TIMEOUT : ST_OK;
			/* Rounded up, so that the wait does not end early. */
			ms = left > 1e6 ? 1000000000 : (int)(left * 1000) + 1;
		}
		ka = mgr_client_timeout(s->client);
		if (ka >= 0 && (ms < 0 || ka < ms))
			ms = ka;
		if (poll(&pfd, 1, ms) < 0 && errno != EINTR)
			return sess_fail(s, errno, "poll: %s", strerror(errno));
	}
}

int cmd_watch(struct sess *s, const struct cmd *cmd, const struct opts *o, int argc,
	      char **argv)
{
	struct mgr_reply rep;
	struct mgr_req r;
	const char *path = argc ? argv[0] : "";
	int st;

	st = sess_req_begin(s, o, &r, "subscribe", path);
	if (st)
		return st;
	if (o->shallow && mgr_json_kv_bool(r.g, "recursive", false) < 0)
		st = sess_fail(s, ENOMEM, "out of memory");
	if (!st)
		st = sess_call(s, &r, &rep);
	mgr_req_release(&r);
	if (st)
		return st;
	if (mgr_json_get_u64(rep.result, "sub", &s->sub) < 0) {
		mgr_reply_release(&rep);
		return sess_fail(s, EBADMSG, "the manager's reply to subscribe has no \"sub\"");
	}
	mgr_reply_release(&rep);
	s->watching = true;
	s->watch_json = o->json;
	s->seen = 0;
	s->limit = o->count;
	st = watch_loop(s, o);
	s->watching = false;
	/* Later lines of a batch should not pay for events nobody reads. */
	if (s->in_batch && !s->closed && sess_req_begin(s, o, &r, "unsubscribe", NULL) == ST_OK) {
		if (mgr_json_kv_u64(r.g, "sub", s->sub) == 0 && sess_call(s, &r, &rep) == ST_OK)
			mgr_reply_release(&rep);
		mgr_req_release(&r);
	}
	return st;
}
