#include "handshake.h"

#include <errno.h>
#include <poll.h>
#include <string.h>

#include "auth.h"
#include "io.h"
#include "json.h"

/* Read one frame within the handshake's time. */
static int read_frame_by(struct mgr_client *c, uint64_t deadline, yajl_val *msg)
{
	struct pollfd pfd[2] = {
		{ .fd = c->fd, .events = POLLIN },
		{ .fd = c->cancel_fd, .events = POLLIN },
	};
	uint64_t now;
	ssize_t n;
	int r;

	for (;;) {
		r = io_next_frame(c, msg);
		if (r)
			return r < 0 ? r : 0;
		now = cli_now_ms();
		if (now >= deadline)
			return -ETIMEDOUT;
		r = poll(pfd, 2, (int)(deadline - now));
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r <= 0)
			continue;
		if (pfd[1].revents)
			return -ECANCELED;
		n = io_read_some(c);
		if (n < 0)
			return n;
	}
}

static int send_hello_response(struct mgr_client *c, const char *response,
			       const char *challenge)
{
	yajl_gen g = mgr_json_gen_new();
	int err = -ENOMEM;

	if (!g)
		return err;
	err = -EINVAL;
	if (yajl_gen_map_open(g) != yajl_gen_status_ok ||
	    mgr_json_kv_str(g, "response", response) < 0 ||
	    mgr_json_kv_str(g, "challenge", challenge) < 0 ||
	    yajl_gen_map_close(g) != yajl_gen_status_ok)
		goto out;
	err = io_send_gen(c, g);
out:
	yajl_gen_free(g);
	return err;
}

/* Prove that we know the key and check that the manager does too. */
static int authenticate(struct mgr_client *c, const struct mgr_client_opts *opts,
			yajl_val hello, uint64_t deadline, const char *name, char **msg)
{
	const char *method = NULL, *challenge = NULL, *theirs = NULL, *text = NULL;
	char response[MGR_RESPONSE_HEX + 1], mine[MGR_CHALLENGE_HEX + 1];
	yajl_val welcome = NULL;
	bool ok = false;
	int err;

	if (mgr_json_get_str(hello, "auth", &method) < 0 || strcmp(method, "hmac-sha256") != 0) {
		cli_set_msg(msg, "%s asks for an unknown authentication (%s)", name,
			method ? method : "?");
		return -EPROTO;
	}
	if (!opts || !opts->authkey) {
		cli_set_msg(msg, "%s needs an authentication key", name);
		return -EACCES;
	}
	if (mgr_json_get_str(hello, "challenge", &challenge) < 0 ||
	    strlen(challenge) != MGR_CHALLENGE_HEX) {
		cli_set_msg(msg, "%s sent a malformed challenge", name);
		return -EPROTO;
	}
	err = mgr_auth_respond(opts->authkey, opts->authkey_len, MGR_AUTH_CLIENT,
			       challenge, response);
	if (err == 0)
		err = mgr_auth_challenge(mine);
	if (err == 0)
		err = send_hello_response(c, response, mine);
	if (err == 0)
		err = read_frame_by(c, deadline, &welcome);
	if (err < 0) {
		cli_set_msg(msg, "%s: authentication: %s", name, strerror(-err));
		return err;
	}
	if (mgr_json_get_str(welcome, "error", &text) == 0) {
		mgr_json_get_str(welcome, "message", &text);
		cli_set_msg(msg, "%s: %s", name, text);
		err = -EACCES;
		goto out;
	}
	mgr_json_get_bool(welcome, "welcome", &ok);
	if (!ok || mgr_json_get_str(welcome, "response", &theirs) < 0 ||
	    !mgr_auth_check(opts->authkey, opts->authkey_len, MGR_AUTH_SERVER,
			    mine, theirs)) {
		cli_set_msg(msg, "%s does not know the authentication key", name);
		err = -EACCES;
		goto out;
	}
	err = 0;
out:
	yajl_tree_free(welcome);
	return err;
}

int handshake_run(struct mgr_client *c, const struct mgr_client_opts *opts,
		     const char *name, unsigned hello_ms, char **msg)
{
	uint64_t deadline = cli_now_ms() + hello_ms;
	const char *who = NULL, *text = NULL;
	yajl_val hello = NULL;
	uint64_t proto = 0;
	int err;

	err = read_frame_by(c, deadline, &hello);
	if (err < 0) {
		text = err == -ECONNRESET ? "the connection closed before the manager's hello" :
		       err == -ETIMEDOUT ? "no hello from the manager" : strerror(-err);
		cli_set_msg(msg, "%s: %s", name, text);
		return err;
	}
	if (mgr_json_get_str(hello, "hello", &who) < 0) {
		/* A manager that turns us away says why. */
		if (mgr_json_get_str(hello, "error", &text) == 0) {
			err = cli_reply_errno(text);
			mgr_json_get_str(hello, "message", &text);
		} else {
			err = -EPROTO;
			text = "not a manager (no hello)";
		}
		cli_set_msg(msg, "%s: %s", name, text);
		goto out;
	}
	mgr_json_get_u64(hello, "protocol", &proto);
	if (strcmp(who, "mgrd") != 0 || proto != 1) {
		err = -EPROTO;
		cli_set_msg(msg, "%s speaks an unknown protocol (%s %llu)", name, who,
			(unsigned long long)proto);
		goto out;
	}
	if (mgr_json_get(hello, "auth")) {
		err = authenticate(c, opts, hello, deadline, name, msg);
	} else if (opts && opts->authkey) {
		/* A key says the manager must prove who it is.  One that
		 * does not ask for it may be anyone at that address, and a
		 * request sent to it would give it our data and take its
		 * answers for the truth: nothing is sent. */
		err = -EACCES;
		cli_set_msg(msg, "%s did not ask for the authentication key, so it has not "
			    "proved that it holds it; nothing was sent (a manager without a "
			    "key is reached without --authkey-file or MGRFS_AUTHKEY_FILE)",
			    name);
	}
out:
	yajl_tree_free(hello);
	return err;
}
