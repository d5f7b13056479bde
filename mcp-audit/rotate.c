/*
 * rotate.c: mcp-audit rotate.
 *
 * Invariant: the chain never breaks at a rotation.  Under the exclusive
 * lock on the old file, the old file gets a second name LOG.N (link, so
 * LOG never disappears), a new file is prepared whose first record (kind
 * mcp.audit/v1, event rotate) links to the old file's last hash and
 * continues its seq, and only then is the new file renamed over LOG.
 * Writers blocked on the old file's lock see the rename and reopen LOG.
 */
#include <mcp-config.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"
#include "xalloc.h"

/* Give the old file its rotated name LOG.N; N is returned in *OUT. */
static int
link_rotated(const char *log, int fd, char **out, struct mcp_err *e)
{
	struct stat fst, st;
	unsigned long n;
	char *name;
	int tries;

	if (fstat(fd, &fst) < 0)
		return mcp_err_sys(e, MCP_ERR_RUNTIME, "%s: stat", log);
	n = mcp_audit_series_next(log, e);
	if (n == 0)
		return -1;
	/* A rotation that died after its link left LOG.(N-1) == LOG. */
	if (n > 1) {
		name = xasprintf("%s.%lu", log, n - 1);
		if (lstat(name, &st) == 0 && st.st_dev == fst.st_dev &&
		    st.st_ino == fst.st_ino) {
			*out = name;
			return 0;
		}
		free(name);
	}
	/* link() never replaces: a concurrent rotator takes another N. */
	for (tries = 0; tries < 64; tries++, n++) {
		name = xasprintf("%s.%lu", log, n);
		if (link(log, name) == 0) {
			*out = name;
			return 0;
		}
		if (errno != EEXIST) {
			mcp_err_sys(e, MCP_ERR_RUNTIME, "%s", name);
			free(name);
			return -1;
		}
		free(name);
	}
	return mcp_err_set(e, MCP_ERR_RUNTIME, "%s: no free rotated name", log);
}

int
mcp_audit_cmd_rotate(const struct mcp_audit_opts *o, const char *log,
                     struct mcp_err *e)
{
	struct mcp_audit_writer w;
	struct mcp_audit_tail t, t0;
	struct abuf line = {0};
	char *rotated = NULL, *tmp = NULL, *c = NULL;
	json_t *rec = NULL;
	int fd = -1, nfd = -1, rc = -1, renamed = 0;

	fd = mcp_audit_log_open_locked(log, MCP_AUDIT_RDONLY, LOCK_EX, e);
	if (fd < 0)
		return -1;
	if (mcp_audit_tail_read(fd, log, &t, e) < 0)
		goto out;
	if (t.size == 0) {
		if (o->verbose)
			fprintf(stderr, "%s: %s: empty, nothing to rotate\n",
			        PROG, log);
		rc = 0;
		goto out;
	}
	if (link_rotated(log, fd, &rotated, e) < 0)
		goto out;
	tmp = xasprintf("%s.new.%ld", log, (long)getpid());
	unlink(tmp);
	nfd = open(
	    tmp, O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (nfd < 0) {
		mcp_err_sys(e, MCP_ERR_RUNTIME, "%s", tmp);
		goto out;
	}
	/* Locked before it becomes LOG, until its anchor is written. */
	if (flock(nfd, LOCK_EX) < 0) {
		mcp_err_sys(e, MCP_ERR_RUNTIME, "%s: lock", tmp);
		goto out;
	}
	c = xstrdup(rotated);
	rec = json_pack("{sssssssIss}", "kind", MCP_KIND_AUDIT, "event",
	                "rotate", "previous_file", basename(c), "previous_seq",
	                (json_int_t)t.seq, "previous_hash", t.hash);
	if (rec == NULL) {
		mcp_err_set(e, MCP_ERR_RUNTIME,
		            "%s: file name is not valid UTF-8", rotated);
		goto out;
	}
	mcp_audit_writer_init(&w, o->syslog);
	/* The chain end T (old seq and hash) carries over; the size is the
	 * new file's. */
	t.size = 0;
	t0 = t;
	if (mcp_audit_write_record(nfd, tmp, &w, &t, rec, &line, e) < 0 ||
	    mcp_audit_commit(nfd, tmp, &t, &t0, e) < 0)
		goto out;
	/* The switch: atomic, so LOG always names a complete file. */
	if (rename(tmp, log) < 0) {
		mcp_err_sys(e, MCP_ERR_RUNTIME, "%s", log);
		goto out;
	}
	renamed = 1;
	free(tmp);
	tmp = NULL;
	if (mcp_audit_sync_dir(log, e) < 0 ||
	    mcp_audit_head_write(log, t.hash, e) < 0)
		goto out;
	if (o->verbose)
		fprintf(stderr, "%s: %s rotated to %s at seq %lld\n", PROG, log,
		        rotated, t.seq - 1);
	/* The rotated file's name, for `| xargs xz` and the like. */
	printf("%s\n", rotated);
	rc = 0;
out:
	/* Failed before the switch: LOG.N would duplicate LOG in a series. */
	if (rotated != NULL && !renamed)
		unlink(rotated);
	if (tmp != NULL)
		unlink(tmp);
	if (nfd >= 0)
		close(nfd);
	if (fd >= 0)
		close(fd);
	json_decref(rec);
	abuf_release(&line);
	free(rotated);
	free(tmp);
	free(c);
	return rc;
}
