/*
 * logfile.c: finding, opening and locking the log, reading its tail, and
 * the head anchor next to it.
 *
 * Invariant: mcp-audit only ever writes to a regular file it reached
 * without following a symbolic link in the last component, under an
 * exclusive flock(2) on that very file; a writer that waited while the
 * log was rotated notices the rename and moves to the new file, so no
 * record lands in a rotated file after its successor started.
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
#include "digest.h"
#include "io.h"
#include "paths.h"
#include "xalloc.h"

char *
mcp_audit_log_path(const struct mcp_audit_opts *o, const struct mcp_config *c,
                   struct mcp_err *e)
{
	char *path, *dir;

	/* The config loader has already put $MCP_AUDIT_LOG over audit.log. */
	if (o->log_flag != NULL)
		return xstrdup(o->log_flag);
	if (c->audit_log != NULL && c->audit_log[0] != '\0')
		return xstrdup(c->audit_log);
	if (geteuid() == 0)
		return xstrdup("/var/log/mcp/audit.log");
	dir = mcp_xdg_dir(MCP_XDG_STATE, e);
	if (dir == NULL)
		return NULL;
	path = mcp_path_join(dir, "audit.log");
	free(dir);
	return path;
}

char *
mcp_audit_head_path(const char *log)
{
	return xasprintf("%s.head", log);
}

static int
open_nofollow(const char *path, int flags, mode_t mode, struct mcp_err *e)
{
	struct stat st;
	int fd;

	/* O_NONBLOCK: a FIFO planted at the path must not hang us. */
	fd = open(path, flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
	          mode);
	if (fd < 0) {
		if (errno == ELOOP)
			return mcp_err_set(
			    e, MCP_ERR_RUNTIME,
			    "%s: is a symbolic link; refusing to use it", path);
		return mcp_err_sys(e, MCP_ERR_RUNTIME, "%s", path);
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return mcp_err_set(e, MCP_ERR_RUNTIME,
		                   "%s: not a regular file; refusing to use it",
		                   path);
	}
	/* Back to blocking I/O; O_APPEND is the one status flag we keep. */
	if (fcntl(fd, F_SETFL, flags & O_APPEND) < 0) {
		close(fd);
		return mcp_err_sys(e, MCP_ERR_RUNTIME, "%s: fcntl", path);
	}
	return fd;
}

int
mcp_audit_open_ro(const char *path, struct mcp_err *e)
{
	return open_nofollow(path, O_RDONLY, 0, e);
}

static int
make_parent(const char *path, struct mcp_err *e)
{
	char *copy = xstrdup(path), *dir;
	int rc = 0;

	dir = dirname(copy);
	if (strcmp(dir, ".") != 0 && strcmp(dir, "/") != 0)
		rc = mcp_mkdir_p(dir, 0700, e);
	free(copy);
	return rc;
}

int
mcp_audit_log_open_locked(const char *path, int mode, int op, struct mcp_err *e)
{
	struct stat fst, pst;
	int fd, tries;

	if (mode == MCP_AUDIT_WRITE && make_parent(path, e) < 0)
		return -1;
	/* Bounded: each retry means someone rotated the log meanwhile. */
	for (tries = 0; tries < 16; tries++) {
		if (mode == MCP_AUDIT_WRITE)
			fd = open_nofollow(path, O_RDWR | O_APPEND | O_CREAT,
			                   0600, e);
		else
			fd = open_nofollow(path, O_RDONLY, 0, e);
		if (fd < 0)
			return -1;
		while (flock(fd, op) < 0) {
			if (errno == EINTR)
				continue;
			mcp_err_sys(e, MCP_ERR_RUNTIME, "%s: lock", path);
			close(fd);
			return -1;
		}
		/* Same inode at the path as under our lock: not rotated
		 * away (or replaced) while we waited. */
		if (fstat(fd, &fst) == 0 && lstat(path, &pst) == 0 &&
		    fst.st_dev == pst.st_dev && fst.st_ino == pst.st_ino)
			return fd;
		close(fd);
	}
	return mcp_err_set(
	    e, MCP_ERR_RUNTIME,
	    "%s: keeps being replaced while waiting for the lock", path);
}

int
mcp_audit_tail_read(int fd, const char *label, struct mcp_audit_tail *t,
                    struct mcp_err *e)
{
	struct mcp_audit_entry ent;
	struct abuf scratch = {0};
	struct stat st;
	char *buf = NULL;
	size_t have = 0, cap = 0, want, start;
	off_t pos;
	ssize_t r;
	int rc = -1;

	if (fstat(fd, &st) < 0)
		return mcp_err_sys(e, MCP_ERR_RUNTIME, "%s: stat", label);
	t->size = st.st_size;
	t->seq = 0;
	snprintf(t->hash, sizeof(t->hash), "%s", MCP_AUDIT_GENESIS);
	if (st.st_size == 0)
		return 0;

	/*
	 * Read backwards in growing chunks until the chunk holds the
	 * newline before the last line (or the file's start): the cost is
	 * the last line, whatever the size of the log.
	 */
	pos = st.st_size;
	for (;;) {
		want = have == 0 ? 4096 : have;
		if ((off_t)want > pos)
			want = (size_t)pos;
		if (have + want > MCP_AUDIT_LINE_MAX + 1) {
			mcp_err_set(e, MCP_ERR_VERIFY,
			            "%s: last line longer than %u bytes", label,
			            MCP_AUDIT_LINE_MAX);
			goto out;
		}
		if (have + want > cap) {
			char *nb;

			cap = have + want;
			nb = xmalloc(cap);
			memcpy(nb + want, buf ? buf : "", have);
			free(buf);
			buf = nb;
		} else {
			memmove(buf + want, buf, have);
		}
		pos -= (off_t)want;
		r = pread(fd, buf, want, pos);
		while (r < 0 && errno == EINTR)
			r = pread(fd, buf, want, pos);
		if (r != (ssize_t)want) {
			mcp_err_sys(e, MCP_ERR_RUNTIME, "%s: read", label);
			goto out;
		}
		have += want;
		if (buf[have - 1] != '\n') {
			mcp_err_set(
			    e, MCP_ERR_VERIFY,
			    "%s: the last line is incomplete (interrupted "
			    "write or tampering); run mcp-audit verify",
			    label);
			goto out;
		}
		start = have - 1;
		while (start > 0 && buf[start - 1] != '\n')
			start--;
		if (start > 0 || pos == 0)
			break;
	}
	if (mcp_audit_line_check(buf + start, have - 1 - start, &scratch, 0,
	                         &ent, e) < 0) {
		mcp_err_prefix(e, "%s: last line: ", label);
		goto out;
	}
	t->seq = ent.seq;
	snprintf(t->hash, sizeof(t->hash), "%s", ent.hash);
	rc = 0;
out:
	free(buf);
	abuf_release(&scratch);
	return rc;
}

int
mcp_audit_sync_dir(const char *path, struct mcp_err *e)
{
	char *copy = xstrdup(path);
	int fd, rc = 0;

	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		rc =
		    mcp_err_sys(e, MCP_ERR_RUNTIME, "%s: sync directory", path);
	if (fd >= 0)
		close(fd);
	free(copy);
	return rc;
}

int
mcp_audit_head_write(const char *log, const char *hash, struct mcp_err *e)
{
	char *head = mcp_audit_head_path(log);
	char *tmp = xasprintf("%s.tmp.%ld", head, (long)getpid());
	char line[MCP_AUDIT_HASH_MAX + 1];
	int fd, rc = -1;

	snprintf(line, sizeof(line), "%s\n", hash);
	/* The anchor is replaced, never edited in place: a reader sees the
	 * old hash or the new one.  The name is ours (pid) and we hold the
	 * log's lock, so a leftover can only be from a crashed writer. */
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	          0600);
	if (fd < 0) {
		mcp_err_sys(e, MCP_ERR_RUNTIME, "%s", tmp);
		goto out;
	}
	/* Synced before the rename: after a crash the anchor is either
	 * the old one or the new one, never empty. */
	if (mcp_write_all(fd, line, strlen(line)) < 0 || fdatasync(fd) < 0) {
		mcp_err_sys(e, MCP_ERR_RUNTIME, "%s", tmp);
		close(fd);
		unlink(tmp);
		goto out;
	}
	close(fd);
	if (rename(tmp, head) < 0) {
		mcp_err_sys(e, MCP_ERR_RUNTIME, "%s", head);
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	free(head);
	free(tmp);
	return rc;
}

int
mcp_audit_head_read(const char *log, char hash[MCP_AUDIT_HASH_MAX],
                    struct mcp_err *e)
{
	char *head = mcp_audit_head_path(log);
	char buf[MCP_AUDIT_HASH_MAX + 2];
	ssize_t n;
	int fd, rc = -1;

	fd = open(head, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT)
			rc = 0;
		else
			mcp_err_sys(e, MCP_ERR_RUNTIME, "%s", head);
		goto out;
	}
	n = mcp_read_full(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0) {
		mcp_err_sys(e, MCP_ERR_RUNTIME, "%s", head);
		goto out;
	}
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	if (!mcp_digest_valid_sha256(buf)) {
		mcp_err_set(e, MCP_ERR_VERIFY,
		            "%s: not a sha256 digest (anchor damaged)", head);
		goto out;
	}
	memcpy(hash, buf, strlen(buf) + 1); /* valid: 71 bytes + NUL */
	rc = 1;
out:
	free(head);
	return rc;
}

void
lreader_init(struct lreader *r, int fd, size_t max)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->max = max;
	r->cap = 64 * 1024;
	r->buf = xmalloc(r->cap);
}

void
lreader_release(struct lreader *r)
{
	free(r->buf);
	r->buf = NULL;
}

int
lreader_ready(const struct lreader *r)
{
	return memchr(r->buf + r->start, '\n', r->end - r->start) != NULL;
}

void
lreader_rearm(struct lreader *r)
{
	r->eof = 0;
}

int
lreader_next(struct lreader *r, const char **p, size_t *n)
{
	size_t scan = r->start;
	int skipping = 0;
	char *nl;
	ssize_t got;

	for (;;) {
		nl = memchr(r->buf + scan, '\n', r->end - scan);
		if (nl != NULL) {
			size_t len = (size_t)(nl - (r->buf + r->start));

			*p = r->buf + r->start;
			*n = len;
			r->start += len + 1;
			r->lineno++;
			/* A read may bring more than MAX at once. */
			return skipping || len > r->max ? LR_TOOLONG : LR_LINE;
		}
		scan = r->end;
		if (r->end - r->start > r->max) {
			/* Over the cap: drop what we have and skip to the
			 * newline, so the buffer stays bounded. */
			skipping = 1;
			r->start = r->end = scan = 0;
		}
		if (r->eof) {
			*p = r->buf + r->start;
			*n = r->end - r->start;
			if (skipping || *n > r->max) {
				r->start = r->end;
				r->lineno++;
				return LR_TOOLONG;
			}
			return LR_EOF;
		}
		if (r->start > 0 && r->end == r->cap) {
			memmove(r->buf, r->buf + r->start, r->end - r->start);
			r->end -= r->start;
			scan -= r->start;
			r->start = 0;
		}
		if (r->end == r->cap) {
			r->cap *= 2;
			r->buf = xrealloc(r->buf, r->cap);
		}
		got = read(r->fd, r->buf + r->end, r->cap - r->end);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			return LR_ERR;
		}
		if (got == 0)
			r->eof = 1;
		r->end += (size_t)got;
	}
}
