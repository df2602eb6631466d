#include "mgrd_data.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static struct mgr_server *data_srv;

static int admit(void *arg, const char *op, size_t size, const char **msg)
{
	return mgr_persist_admit(arg, op, size, msg);
}

static void commit(void *arg)
{
	mgr_persist_commit(arg);
}

static bool settled(void *arg)
{
	return mgr_persist_settled(arg);
}

static int timeout(void *arg)
{
	return mgr_persist_timeout(arg);
}

static int snapshot(void *arg, const char *file, char *msg, size_t msglen)
{
	int r = mgr_persist_backup(arg, mgr_server_store(data_srv), file, msg, msglen);

	if (r == 0)
		mgr_log(MGR_LOG_INFO, "wrote a snapshot to %s", file);
	return r;
}

int mgrd_data_start(struct mgr_server *srv, const struct mgr_persist_opts *o,
		    struct mgr_persist **out, char *err, size_t errlen)
{
	struct mgr_server_journal j = { .snapshot = snapshot };
	int r;

	data_srv = srv;
	*out = NULL;
	if (o->dir) {
		r = mgr_persist_open(o, mgr_server_store(srv), out, err, errlen);
		if (r < 0)
			return r;
		j.admit = admit;
		j.commit = commit;
		j.settled = settled;
		j.timeout = timeout;
		j.arg = *out;
	}
	mgr_server_set_journal(srv, &j);
	return 0;
}

int mgrd_data_check(const char *dir, bool repair)
{
	struct mgr_load ld;
	uint64_t objects;
	char err[512];
	int r = mgr_persist_check(dir, repair, &ld, &objects, err, sizeof(err));

	if (r < 0) {
		fprintf(stderr, "mgrd: %s\n", err);
		return 1;
	}
	printf("%s: format %d, snapshot %s", dir, MGR_FORMAT_VERSION, ld.have_snap ? "" : "none");
	if (ld.have_snap)
		printf("snapshot-%" PRIu64 " (%" PRIu64 " bytes)", ld.snap_gen, ld.snap_bytes);
	printf(", journal-%" PRIu64 " (%" PRIu64 " records after the snapshot)\n", ld.gen, ld.records);
	printf("%" PRIu64 " objects\n", objects);
	if (ld.dropped)
		printf("a start would cut %" PRIu64 " bytes at the end of journal-%" PRIu64 " (a torn tail)\n",
		       ld.dropped, ld.gen);
	printf("ok\n");
	return 0;
}

/* Loading a data directory makes every object at once, 150 MiB of heap
 * for 1,000,000 keys, touched a 4 KiB page at a time: a page fault each,
 * and a TLB miss for most lookups after.  With transparent huge pages in
 * the system's "madvise" mode (Debian's default), glibc asks for them for
 * its heap when its tunable glibc.malloc.hugetlb is 1, and it reads its
 * tunables only as a program starts; so mgrd starts itself once more with
 * it set.  That start takes 0.8-1.1 s instead of 1.3-1.7 s here, for at
 * most a MiB or two more memory. */
void mgrd_data_huge_pages(char **argv)
{
	const char *was = getenv("GLIBC_TUNABLES");
	char mode[64] = "", self[PATH_MAX], *tunables;
	ssize_t n;
	FILE *f;

	if (was && strstr(was, "glibc.malloc.hugetlb="))
		return;
	f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "re");
	if (f) {
		if (!fgets(mode, sizeof(mode), f))
			mode[0] = 0;
		fclose(f);
	}
	if (!strstr(mode, "[madvise]") ||
	    asprintf(&tunables, "%s%sglibc.malloc.hugetlb=1", was ? was : "",
		     was && *was ? ":" : "") < 0)
		return;
	/* By its own name: a process takes its name (what pkill and top
	 * show) from the file it was started from, "exe" for /proc/self/exe. */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0 && (size_t)n < sizeof(self) - 1 && setenv("GLIBC_TUNABLES", tunables, 1) == 0) {
		self[n] = 0;
		execv(self, argv);
		/* Without: as it was. */
		if (was)
			setenv("GLIBC_TUNABLES", was, 1);
		else
			unsetenv("GLIBC_TUNABLES");
	}
	free(tunables);
}
