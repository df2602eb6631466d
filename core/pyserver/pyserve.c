#include "pyserve.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "auth.h"
#include "json.h"
#include "pyconn.h"
#include "pyconv.h"

static void ps_change(void *arg, struct mgr_obj *o, int what)
{
	struct pyserve *ps = arg;

	pyreg_hook(ps->reg, o, (enum mgr_change)what);
}

static void ps_free(void *arg)
{
	struct pyserve *ps = arg;

	if (!ps)
		return;
	pyreg_free(ps->reg);
	if (ps->gen)
		yajl_gen_free(ps->gen);
	mgr_buf_release(&ps->path);
	if (ps->key) {
		OPENSSL_cleanse(ps->key, ps->keylen);
		free(ps->key);
	}
	free(ps);
}

int mgr_pyserve_attach(struct mgr_server *srv, const void *key, size_t keylen, char *err,
		       size_t errlen)
{
	struct pyserve *ps = srv->py.arg;
	unsigned char *copy = malloc(keylen ? keylen : 1);

	if (!copy)
		goto nomem;
	memcpy(copy, key, keylen);
	if (!ps) {
		ps = calloc(1, sizeof(*ps));
		if (!ps)
			goto nomem;
		ps->srv = srv;
		ps->reg = pyreg_new();
		ps->gen = mgr_json_gen_new();
		mgr_buf_init(&ps->path);
		mgr_dlist_init(&ps->resume);
		if (!ps->reg || !ps->gen) {
			ps_free(ps);
			goto nomem;
		}
		pyconv_install();
		srv->py = (struct srv_proto){
			.arg = ps, .open = pyconn_open, .read = pyconn_read, .turn = pyconn_turn,
			.change = ps_change, .free = ps_free,
		};
	}
	if (ps->key) {
		OPENSSL_cleanse(ps->key, ps->keylen);
		free(ps->key);
	}
	ps->key = copy;
	ps->keylen = keylen;
	return 0;
nomem:
	free(copy);
	snprintf(err, errlen, "out of memory for Python's protocol");
	return -ENOMEM;
}

/* Make a new key file at path: 0, -EEXIST when one appeared meanwhile. */
static int key_make(const char *path, char *err, size_t errlen)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[32];
	char text[64];
	ssize_t n;
	size_t i;
	int fd, r = 0;

	if (RAND_bytes(raw, sizeof(raw)) != 1) {
		snprintf(err, errlen, "no randomness for a new Python key");
		return -EIO;
	}
	for (i = 0; i < sizeof(raw); i++) {
		text[2 * i] = hex[raw[i] >> 4];
		text[2 * i + 1] = hex[raw[i] & 15];
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		r = -errno;
		if (r != -EEXIST)
			snprintf(err, errlen, "%s: cannot make the Python key file: %s", path,
				 strerror(-r));
		goto out;
	}
	n = write(fd, text, sizeof(text));
	if (n != (ssize_t)sizeof(text) || fsync(fd) < 0) {
		r = n < 0 ? -errno : -EIO;
		snprintf(err, errlen, "%s: cannot write the Python key file: %s", path,
			 strerror(-r));
		unlink(path);
	}
	close(fd);
out:
	OPENSSL_cleanse(raw, sizeof(raw));
	OPENSSL_cleanse(text, sizeof(text));
	return r;
}

int mgr_pyserve_key_file(const char *path, char **key, size_t *len, char *err, size_t errlen)
{
	const char *why;
	int r;

	r = mgr_auth_read_key(path, key, len, &why);
	if (r == -ENOENT) {
		r = key_make(path, err, errlen);
		if (r < 0 && r != -EEXIST)
			return r;
		r = mgr_auth_read_key(path, key, len, &why);
	}
	if (r < 0)
		snprintf(err, errlen, "%s: %s (%s)", path, why, strerror(-r));
	return r;
}
