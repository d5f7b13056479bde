/*
 * cache.c: mcp-fetch's content-addressed blob cache and its resolution
 * records.
 *
 * Invariant: no reader ever sees a partial or wrong blob under a final
 * name.  Bytes stream into a private mkstemp(3) file next to the final
 * name, are hashed and counted as they arrive (a size cap stops the
 * transfer at the first byte too many, not after), and the file is
 * renamed into place only when the digest and size matched.  rename(2) is
 * atomic, so concurrent fetches of one digest each place a complete,
 * identical file and the last one wins.  A blob already present is hashed
 * again before use: the cache is a convenience, never a trust anchor.
 */
#include <mcp-config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "doc.h"
#include "io.h"
#include "paths.h"
#include "seal.h"
#include "xalloc.h"

/* A blob's last use is recorded to within this (mcp-fetch(1)). */
#define LAST_USE_SECONDS 3600
#define RECORD_KIND "mcp.fetch-resolution/v1"
#define RECORD_MAX (64 * 1024)

int
mcp_cache_open(struct mcp_cache *c, const char *dir, struct mcp_err *e)
{
	struct stat st;

	c->dir = NULL;
	if (dir[0] != '/')
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "cache directory %s: not an absolute path",
		                   dir);
	if (mcp_mkdir_p(dir, MCP_CACHE_DIR_MODE, e) < 0)
		return -1;
	if (stat(dir, &st) < 0)
		return mcp_err_sys(e, MCP_ERR_RUNTIME, "cache directory %s",
		                   dir);
	/* Another user who can write here could swap a blob between our
	 * hash check and mcp-verify's use of it. */
	if (!S_ISDIR(st.st_mode))
		return mcp_err_set(e, MCP_ERR_RUNTIME,
		                   "cache directory %s: not a directory", dir);
	if (st.st_uid != geteuid())
		return mcp_err_set(
		    e, MCP_ERR_RUNTIME,
		    "cache directory %s: owned by uid %u, not by this user",
		    dir, (unsigned)st.st_uid);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return mcp_err_set(e, MCP_ERR_RUNTIME,
		                   "cache directory %s: writable by group or "
		                   "others (chmod go-w)",
		                   dir);
	/* Documents name blobs by absolute, symlink-free paths. */
	c->dir = realpath(dir, NULL);
	if (c->dir == NULL)
		return mcp_err_sys(e, MCP_ERR_RUNTIME, "cache directory %s",
		                   dir);
	return 0;
}

void
mcp_cache_release(struct mcp_cache *c)
{
	free(c->dir);
	c->dir = NULL;
}

/* Unlink PATH only if it is still the file we judged (FD): another
 * mcp-fetch may have renamed a good blob into place meanwhile. */
static int
remove_if_same(const char *path, int fd, struct mcp_err *e)
{
	struct stat a, b;

	if (fstat(fd, &a) < 0 || lstat(path, &b) < 0)
		return errno == ENOENT
		           ? 0
		           : mcp_err_sys(e, MCP_ERR_RUNTIME, "%s", path);
	if (a.st_dev != b.st_dev || a.st_ino != b.st_ino)
		return 0;
	if (unlink(path) < 0 && errno != ENOENT)
		return mcp_err_sys(e, MCP_ERR_RUNTIME, "remove %s", path);
	return 0;
}

int
mcp_cache_lookup(struct mcp_cache *c, const char *digest, uint64_t want_size,
                 enum mcp_cache_state *state, char **pathp, uint64_t *size,
                 char *why, size_t whyn, struct mcp_err *e)
{
	char got[MCP_DIGEST_STR_MAX], *path, *trees;
	struct timespec at;
	struct stat st;
	time_t now;
	int fd, sealed, rc = -1;

	*state = MCP_CACHE_MISS;
	*size = 0;
	why[0] = '\0';
	path = mcp_cache_blob_path(c->dir, digest);
	*pathp = path;
	if (path == NULL)
		return mcp_err_set(e, MCP_ERR_RUNTIME, "%s: invalid digest",
		                   digest);
	/* O_NOFOLLOW: a symlink in the cache is never ours. */
	fd = open(path,
	          O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		if (errno == ELOOP) {
			if (unlink(path) < 0 && errno != ENOENT)
				return mcp_err_sys(e, MCP_ERR_RUNTIME,
				                   "remove %s", path);
			snprintf(why, whyn, "a symbolic link");
			*state = MCP_CACHE_REMOVED;
			return 0;
		}
		return mcp_err_sys(e, MCP_ERR_RUNTIME, "%s", path);
	}
	if (fstat(fd, &st) < 0) {
		mcp_err_sys(e, MCP_ERR_RUNTIME, "%s", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		mcp_err_set(e, MCP_ERR_RUNTIME,
		            "%s: not a regular file (remove it by hand)", path);
		goto out;
	}
	/* A bundle mcp-verify hashed, unchanged since: see seal.h. */
	trees = xasprintf("%s/trees/sha256", c->dir);
	sealed = !c->rehash && mcp_bundle_vouched(fd, trees, digest, &at) &&
	         (want_size == 0 || (uint64_t)st.st_size == want_size);
	free(trees);
	if (sealed) {
		*size = (uint64_t)st.st_size;
		snprintf(got, sizeof(got), "%s", digest);
	} else if (mcp_digest_fd(fd, MCP_DIGEST_SHA256, path, got, size, e) <
	           0)
		goto out;
	if (strcmp(got, digest) == 0 &&
	    (want_size == 0 || *size == want_size)) {
		*state = sealed ? MCP_CACHE_SEALED : MCP_CACHE_HIT;
		/* The last use, for pruning: the mtime, set explicitly
		 * because atime is unreliable (relatime, noatime).  Best
		 * effort: a read-only cache still answers.  At most once
		 * an hour: a touch also sets the ctime, which breaks the
		 * seal mcp-verify keeps of the bundle (mcp-verify(1)). */
		now = time(NULL);
		if (st.st_mtime <= now - LAST_USE_SECONDS ||
		    st.st_mtime > now + LAST_USE_SECONDS)
			(void)futimens(fd, NULL);
		rc = 0;
		goto out;
	}
	if (strcmp(got, digest) != 0)
		snprintf(why, whyn, "its content hashes to %s", got);
	else
		snprintf(why, whyn, "size %llu, expected %llu",
		         (unsigned long long)*size,
		         (unsigned long long)want_size);
	*size = 0;
	if (remove_if_same(path, fd, e) < 0)
		goto out;
	*state = MCP_CACHE_REMOVED;
	rc = 0;
out:
	close(fd);
	return rc;
}

/*
 * The temporary file a signal handler must remove.  Written only with the
 * handled signals blocked, so the handler never sees half a path.
 */
static char sig_tmp[PATH_MAX];

static void
on_signal(int sig)
{
	if (sig_tmp[0] != '\0')
		unlink(sig_tmp);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
set_sig_tmp(const char *path)
{
	sigset_t set, old;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, &old);
	if (path != NULL && strlen(path) < sizeof(sig_tmp))
		memcpy(sig_tmp, path, strlen(path) + 1);
	else
		sig_tmp[0] = '\0';
	sigprocmask(SIG_SETMASK, &old, NULL);
}

int
mcp_cache_signals_install(struct mcp_err *e)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&sa.sa_mask, sigs[i]);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL) < 0)
			return mcp_err_sys(e, MCP_ERR_RUNTIME, "sigaction");
	return 0;
}

static int
writer_write(struct mcp_sink *s, const void *p, size_t n, struct mcp_err *e)
{
	struct mcp_cache_writer *w = (struct mcp_cache_writer *)s;

	/* Stop at the first byte beyond a bound: a hostile source must not
	 * fill the disk before we notice. */
	if (n > w->cap - w->bytes)
		return mcp_err_set(e, MCP_ERR_VERIFY,
		                   "%s: larger than the cap of %llu bytes",
		                   w->label, (unsigned long long)w->cap);
	if (w->want_size != 0 && n > w->want_size - w->bytes)
		return mcp_err_set(
		    e, MCP_ERR_VERIFY,
		    "%s: larger than its declared size of %llu bytes", w->label,
		    (unsigned long long)w->want_size);
	mcp_digest_update(&w->md, p, n);
	if (mcp_write_all(w->fd, p, n) < 0)
		return mcp_err_sys(e, MCP_ERR_RUNTIME, "%s: write %s", w->label,
		                   w->tmp);
	w->bytes += n;
	return 0;
}

static int
writer_reset(struct mcp_sink *s, struct mcp_err *e)
{
	struct mcp_cache_writer *w = (struct mcp_cache_writer *)s;

	if (ftruncate(w->fd, 0) < 0 || lseek(w->fd, 0, SEEK_SET) < 0)
		return mcp_err_sys(e, MCP_ERR_RUNTIME, "%s: truncate %s",
		                   w->label, w->tmp);
	if (w->md_live)
		mcp_digest_release(&w->md);
	w->md_live = 0;
	if (mcp_digest_init(&w->md, MCP_DIGEST_SHA256, e) < 0)
		return -1;
	w->md_live = 1;
	w->bytes = 0;
	return 0;
}

int
mcp_cache_writer_begin(struct mcp_cache *c, struct mcp_cache_writer *w,
                       const char *what, const char *digest, uint64_t cap,
                       uint64_t want_size, struct mcp_err *e)
{
	char *slash;

	memset(w, 0, sizeof(*w));
	w->fd = -1;
	w->sink.write = writer_write;
	w->sink.reset = writer_reset;
	snprintf(w->label, sizeof(w->label), "%s %s", what, digest);
	snprintf(w->want, sizeof(w->want), "%s", digest);
	w->cap = cap;
	w->want_size = want_size;
	w->path = mcp_cache_blob_path(c->dir, digest);
	if (w->path == NULL)
		return mcp_err_set(e, MCP_ERR_RUNTIME, "%s: invalid digest",
		                   w->label);
	slash = strrchr(w->path, '/');
	*slash = '\0';
	if (mcp_mkdir_p(w->path, 0700, e) < 0) {
		*slash = '/';
		return -1;
	}
	/* A name no digest can have (blobs are bare hex), in the same
	 * directory so rename(2) stays atomic. */
	w->tmp = xasprintf("%s/.tmp-%.16s-XXXXXX", w->path, digest + 7);
	*slash = '/';
	w->fd = mkostemp(w->tmp, O_CLOEXEC);
	if (w->fd < 0) {
		mcp_err_sys(e, MCP_ERR_RUNTIME, "%s: create %s", w->label,
		            w->tmp);
		free(w->tmp);
		w->tmp = NULL;
		return -1;
	}
	set_sig_tmp(w->tmp);
	if (mcp_digest_init(&w->md, MCP_DIGEST_SHA256, e) < 0) {
		mcp_cache_writer_abort(w);
		return -1;
	}
	w->md_live = 1;
	return 0;
}

int
mcp_cache_writer_commit(struct mcp_cache_writer *w, struct mcp_err *e)
{
	char got[MCP_DIGEST_STR_MAX];
	int rc;

	w->md_live = 0;
	rc = mcp_digest_final(&w->md, got, e);
	if (rc < 0)
		goto fail;
	if (w->want_size != 0 && w->bytes != w->want_size) {
		mcp_err_set(e, MCP_ERR_VERIFY,
		            "%s: size %llu bytes, expected %llu", w->label,
		            (unsigned long long)w->bytes,
		            (unsigned long long)w->want_size);
		goto fail;
	}
	if (strcmp(got, w->want) != 0) {
		mcp_err_set(e, MCP_ERR_VERIFY,
		            "%s: digest mismatch: expected %s, got %s",
		            w->label, w->want, got);
		goto fail;
	}
	/* Durable before visible; read-only once placed. */
	if (fsync(w->fd) < 0 || fchmod(w->fd, 0444) < 0) {
		mcp_err_sys(e, MCP_ERR_RUNTIME, "%s: %s", w->label, w->tmp);
		goto fail;
	}
	if (close(w->fd) < 0) {
		w->fd = -1;
		mcp_err_sys(e, MCP_ERR_RUNTIME, "%s: close %s", w->label,
		            w->tmp);
		goto fail;
	}
	w->fd = -1;
	if (rename(w->tmp, w->path) < 0) {
		mcp_err_sys(e, MCP_ERR_RUNTIME, "%s: rename into %s", w->label,
		            w->path);
		goto fail;
	}
	set_sig_tmp(NULL);
	free(w->tmp);
	w->tmp = NULL;
	return 0;
fail:
	mcp_cache_writer_abort(w);
	return -1;
}

void
mcp_cache_writer_abort(struct mcp_cache_writer *w)
{
	if (w->md_live) {
		mcp_digest_release(&w->md);
		w->md_live = 0;
	}
	if (w->fd >= 0) {
		close(w->fd);
		w->fd = -1;
	}
	if (w->tmp != NULL) {
		unlink(w->tmp);
		set_sig_tmp(NULL);
		free(w->tmp);
		w->tmp = NULL;
	}
	free(w->path);
	w->path = NULL;
}

/*
 * DIR/resolved/KEY/ORG/NAME, KEY being the first 32 hex digits of the
 * SHA-256 of the registry's canonical URL: two registries may answer
 * "latest" differently, and a URL may hold any byte.
 */
static char *
record_dir(struct mcp_cache *c, const char *registry, const struct mcp_ref *ref,
           struct mcp_err *e)
{
	char d[MCP_DIGEST_STR_MAX];
	struct mcp_digest md;

	if (mcp_digest_init(&md, MCP_DIGEST_SHA256, e) < 0)
		return NULL;
	mcp_digest_update(&md, registry, strlen(registry));
	if (mcp_digest_final(&md, d, e) < 0)
		return NULL;
	return xasprintf("%s/resolved/%.32s/%s/%s", c->dir, d + 7, ref->org,
	                 ref->name);
}

static const struct mcp_resolution_keys record_keys = {
    "manifest_digest",
    "bundle_digest",
    "bundle_size",
};

int
mcp_cache_record_load(struct mcp_cache *c, const char *registry,
                      const struct mcp_ref *ref, struct mcp_resolution *res,
                      char resolved_at[32], int *found, struct mcp_err *e)
{
	char spec[256];
	char *dir, *path = NULL;
	const char *s, *origin;
	json_t *j = NULL;
	int fd, rc = -1;

	*found = 0;
	if ((dir = record_dir(c, registry, ref, e)) == NULL)
		return -1;
	/* The ref's characters ([A-Za-z0-9.+-], "sha256:") are safe in a
	 * file name, and "." / ".." cannot parse as a ref. */
	path = xasprintf("%s/%s.json", dir, ref->ref);
	fd = open(path,
	          O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT) {
			rc = 0;
			goto out;
		}
		mcp_err_sys(e, MCP_ERR_FETCH, "cached resolution %s", path);
		goto out;
	}
	j = mcp_json_load_fd(fd, path, RECORD_MAX, MCP_ERR_FETCH, e);
	close(fd);
	if (j == NULL) {
		mcp_err_prefix(e, "cached resolution ");
		goto out;
	}
	mcp_ref_format(ref, spec, sizeof(spec));
	if (mcp_doc_check_kind(
	        j, path, (const char *const[]){RECORD_KIND, NULL}, e) < 0) {
		e->cat = MCP_ERR_FETCH;
		goto out;
	}
	s = mcp_doc_str(j, "registry");
	if (s == NULL || strcmp(s, registry) != 0 ||
	    (s = mcp_doc_str(j, "ref")) == NULL || strcmp(s, spec) != 0) {
		mcp_err_set(e, MCP_ERR_FETCH,
		            "cached resolution %s: recorded for another "
		            "registry or reference",
		            path);
		goto out;
	}
	origin = mcp_doc_str(j, "origin");
	if (mcp_resolution_from_json(res, j, &record_keys, ref->pkg, origin,
	                             path, MCP_ERR_FETCH, e) < 0)
		goto out;
	s = mcp_doc_str(j, "resolved_at");
	if (s == NULL || strlen(s) >= 32) {
		mcp_err_set(e, MCP_ERR_FETCH,
		            "cached resolution %s: resolved_at: must be a time",
		            path);
		goto out;
	}
	memcpy(resolved_at, s, strlen(s) + 1);
	*found = 1;
	rc = 0;
out:
	json_decref(j);
	free(path);
	free(dir);
	return rc;
}

/* Does PATH hold record J, resolved_at aside? */
static int
same_record(const char *path, const json_t *j)
{
	struct mcp_err scratch; /* a record that does not load differs */
	json_t *old, *cur;
	int fd, same;

	fd = open(path,
	          O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return 0;
	mcp_err_init(&scratch);
	old = mcp_json_load_fd(fd, path, RECORD_MAX, MCP_ERR_FETCH, &scratch);
	close(fd);
	if (!json_is_object(old)) {
		json_decref(old);
		return 0;
	}
	cur = json_deep_copy(j);
	if (cur == NULL)
		mcp_oom();
	json_object_del(old, "resolved_at");
	json_object_del(cur, "resolved_at");
	same = json_equal(old, cur);
	json_decref(old);
	json_decref(cur);
	return same;
}

int
mcp_cache_record_store(struct mcp_cache *c, const char *registry,
                       const struct mcp_ref *ref,
                       const struct mcp_resolution *res,
                       const char *resolved_at, struct mcp_err *e)
{
	char spec[256];
	char *dir, *path, *text;
	json_t *j;
	int rc;

	if ((dir = record_dir(c, registry, ref, e)) == NULL)
		return -1;
	mcp_ref_format(ref, spec, sizeof(spec));
	j = mcp_doc_new(RECORD_KIND);
	json_object_set_new(j, "registry", json_string(registry));
	json_object_set_new(j, "ref", json_string(spec));
	json_object_set_new(j, "package", json_string(res->package));
	json_object_set_new(j, "origin", json_string(res->origin));
	json_object_update_new(j, mcp_resolution_to_json(res));
	json_object_set_new(j, "resolved_at", json_string(resolved_at));
	text = json_dumps(j, JSON_COMPACT);
	if (text == NULL)
		mcp_oom();

	path = xasprintf("%s/%s.json", dir, ref->ref);
	/* Written aside and renamed: a concurrent reader sees the old
	 * record or the new one, never a mix.  The same answer as the one
	 * recorded is not written again (a rename and an fsync at every
	 * run): its resolved_at stays when the registry first gave it. */
	rc = same_record(path, j) ? 0
	                          : mcp_cache_write_atomic(path, text, 0600, e);
	free(text);
	json_decref(j);
	free(path);
	free(dir);
	return rc;
}

int
mcp_cache_write_atomic(const char *path, const char *text, mode_t mode,
                       struct mcp_err *e)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/'), *tmp = NULL;
	int fd = -1, rc = -1;

	if (slash == NULL || slash == dir) {
		mcp_err_set(e, MCP_ERR_RUNTIME, "%s: not an absolute path",
		            path);
		goto out;
	}
	*slash = '\0';
	if (mcp_mkdir_p(dir, MCP_PRIVATE_DIR_MODE, e) < 0)
		goto out;
	tmp = xasprintf("%s/.tmp-file-XXXXXX", dir);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		mcp_err_sys(e, MCP_ERR_RUNTIME, "create %s", tmp);
		free(tmp);
		tmp = NULL;
		goto out;
	}
	if (mcp_write_all(fd, text, strlen(text)) < 0 ||
	    mcp_write_all(fd, "\n", 1) < 0 || fchmod(fd, mode) < 0 ||
	    fsync(fd) < 0) {
		mcp_err_sys(e, MCP_ERR_RUNTIME, "write %s", tmp);
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		mcp_err_sys(e, MCP_ERR_RUNTIME, "write %s", tmp);
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		mcp_err_sys(e, MCP_ERR_RUNTIME, "rename into %s", path);
		goto out;
	}
	free(tmp);
	tmp = NULL;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (tmp != NULL) {
		unlink(tmp);
		free(tmp);
	}
	free(dir);
	return rc;
}
