/*
 * publish.c: atomic writes and the directory registry's package index.
 *
 * The index is the one file of a registry that is not named by its
 * digest, so it is the one that can be lost or torn: it is only ever
 * replaced whole (temporary file, fsync, rename) and only by a process
 * holding the lock on its directory.  Members this tool does not know are
 * kept as they are (FORMATS.md: readers ignore unknown keys, so a writer
 * must not drop them), and so are the other versions.
 */
#include <mcp-config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "doc.h"
#include "io.h"
#include "paths.h"
#include "publish.h"
#include "xalloc.h"

/* mcp-fetch's cap on an index (mcp-fetch/registry.h). */
#define INDEX_MAX (4U * 1024 * 1024)

void
mcp_tmpfile_init(struct mcp_tmpfile *f)
{
	f->path = NULL;
	f->fd = -1;
}

int
mcp_tmpfile_open(struct mcp_tmpfile *f, const char *dir, struct mcp_err *e)
{
	f->path = xasprintf("%s/.mcp-pack.XXXXXX", dir);
	f->fd = mkostemp(f->path, O_CLOEXEC);
	if (f->fd < 0) {
		mcp_err_sys(e, MCP_ERR_RUNTIME, "cannot create a file in %s",
		            dir);
		free(f->path);
		f->path = NULL;
		return -1;
	}
	return 0;
}

/* fsync the directory holding PATH, so the rename survives a crash. */
static void
sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? xstrndup(path, (size_t)(slash - path)) : NULL;
	int fd = open(dir ? (*dir ? dir : "/") : ".",
	              O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(dir);
}

int
mcp_tmpfile_commit(struct mcp_tmpfile *f, const char *final, struct mcp_err *e)
{
	int fd = f->fd;

	f->fd = -1;
	/* Blobs and indexes are public: others mirror and read them. */
	if (fchmod(fd, 0644) < 0 || fsync(fd) < 0) {
		mcp_err_sys(e, MCP_ERR_RUNTIME, "%s", f->path);
		close(fd);
		return -1;
	}
	if (close(fd) < 0)
		return mcp_err_sys(e, MCP_ERR_RUNTIME, "%s", f->path);
	if (rename(f->path, final) < 0)
		return mcp_err_sys(e, MCP_ERR_RUNTIME, "rename to %s", final);
	free(f->path);
	f->path = NULL;
	sync_dir(final);
	return 0;
}

void
mcp_tmpfile_discard(struct mcp_tmpfile *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	if (f->path != NULL)
		(void)unlink(f->path);
	free(f->path);
	f->path = NULL;
}

int
mcp_write_atomic(const char *path, const void *buf, size_t len,
                 struct mcp_err *e)
{
	const char *slash = strrchr(path, '/');
	char *dir =
	    slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
	struct mcp_tmpfile f;
	int ret = -1;

	mcp_tmpfile_init(&f);
	if (mcp_tmpfile_open(&f, *dir ? dir : "/", e) < 0)
		goto out;
	if (mcp_write_all(f.fd, buf, len) < 0) {
		mcp_err_sys(e, MCP_ERR_RUNTIME, "write %s", f.path);
		goto out;
	}
	ret = mcp_tmpfile_commit(&f, path, e);
out:
	mcp_tmpfile_discard(&f);
	free(dir);
	return ret;
}

void
mcp_index_result_release(struct mcp_index_result *r)
{
	free(r->index_path);
	memset(r, 0, sizeof(*r));
	r->index_path = NULL;
}

static void
copy_word(char *dst, size_t n, const char *s)
{
	snprintf(dst, n, "%s", s);
}

/* The existing index, checked as mcp-fetch would read it. */
static json_t *
load_index(const char *path, const char *pkg, struct mcp_err *e)
{
	json_t *index, *v;

	index = mcp_json_load_path(path, INDEX_MAX, MCP_ERR_RUNTIME, e);
	if (index == NULL)
		return NULL;
	if (!json_is_object(index)) {
		mcp_err_set(e, MCP_ERR_RUNTIME, "%s: must be a JSON object",
		            path);
		goto bad;
	}
	v = json_object_get(index, "package");
	if (!json_is_string(v) || strcmp(json_string_value(v), pkg) != 0) {
		mcp_err_set(e, MCP_ERR_RUNTIME,
		            "%s: package: must be \"%s\"; not touching an "
		            "index of another package",
		            path, pkg);
		goto bad;
	}
	v = json_object_get(index, "versions");
	if (v == NULL) {
		json_object_set_new(index, "versions", json_object());
	} else if (!json_is_object(v)) {
		mcp_err_set(e, MCP_ERR_RUNTIME,
		            "%s: versions: must be an object", path);
		goto bad;
	}
	return index;
bad:
	json_decref(index);
	return NULL;
}

int
mcp_index_prepare(const char *root, const struct mcp_index_add *a, int *lockfd,
                  json_t **index, struct mcp_index_result *r, struct mcp_err *e)
{
	char *dir = xasprintf("%s/packages/%s", root, a->org);
	char *pkg = xasprintf("%s/%s", a->org, a->name);
	const char *old_m = NULL, *old_b = NULL, *s;
	json_t *idx = NULL, *versions, *old, *entry;
	int fd = -1, ret = -1, same = 0;
	json_int_t lvl;

	r->index_path = xasprintf("%s/%s.json", dir, a->name);
	if (mcp_mkdir_p(dir, 0755, e) < 0)
		goto out;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		mcp_err_sys(e, MCP_ERR_RUNTIME, "cannot lock %s", dir);
		goto out;
	}
	if (access(r->index_path, F_OK) == 0) {
		idx = load_index(r->index_path, pkg, e);
		if (idx == NULL)
			goto out;
	} else if (errno == ENOENT) {
		idx =
		    json_pack("{s:s, s:s, s:{}}", "package", pkg, "origin",
		              a->origin ? a->origin : "community", "versions");
		if (idx == NULL)
			mcp_oom();
	} else {
		mcp_err_sys(e, MCP_ERR_RUNTIME, "%s", r->index_path);
		goto out;
	}
	if (a->origin != NULL)
		json_object_set_new(idx, "origin", json_string(a->origin));
	s = json_string_value(json_object_get(idx, "origin"));
	copy_word(r->origin, sizeof(r->origin), s ? s : "community");

	versions = json_object_get(idx, "versions");
	old = json_object_get(versions, a->version);
	if (old != NULL) {
		old_m =
		    json_string_value(json_object_get(old, "manifest_digest"));
		old_b =
		    json_string_value(json_object_get(old, "bundle_digest"));
		same = old_m && old_b &&
		       strcmp(old_m, a->manifest_digest) == 0 &&
		       strcmp(old_b, a->bundle_digest) == 0;
		if (!same && !a->force) {
			mcp_err_set(
			    e, MCP_ERR_RUNTIME,
			    "%s@%s is already in the registry with "
			    "other digests (manifest %s, bundle %s; now "
			    "manifest %s, bundle %s); a published "
			    "version is immutable (--force replaces it)",
			    pkg, a->version, old_m ? old_m : "none",
			    old_b ? old_b : "none", a->manifest_digest,
			    a->bundle_digest);
			goto out;
		}
	}
	/* Status is kept unless given; a certification level belongs to
	 * the bytes it was given for, so new bytes start again at 0. */
	s = a->status;
	if (s == NULL && old != NULL)
		s = json_string_value(json_object_get(old, "status"));
	copy_word(r->status, sizeof(r->status), s ? s : "published");
	lvl = a->certification_level;
	if (lvl < 0 && same &&
	    json_is_integer(json_object_get(old, "certification_level")))
		lvl = json_integer_value(
		    json_object_get(old, "certification_level"));
	r->certification_level = lvl < 0 ? 0 : (int)lvl;
	r->action = old == NULL ? "added" : same ? "unchanged" : "replaced";

	entry = json_pack(
	    "{s:s, s:o, s:s, s:i, s:s, s:s, s:I}", "version", a->version,
	    "git_sha", a->git_sha ? json_string(a->git_sha) : json_null(),
	    "status", r->status, "certification_level", r->certification_level,
	    "manifest_digest", a->manifest_digest, "bundle_digest",
	    a->bundle_digest, "bundle_size", (json_int_t)a->bundle_size);
	if (entry == NULL ||
	    json_object_set_new(versions, a->version, entry) < 0)
		mcp_oom();
	*index = idx;
	idx = NULL;
	*lockfd = fd;
	fd = -1;
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	json_decref(idx);
	free(dir);
	free(pkg);
	return ret;
}

int
mcp_index_write(json_t *index, const struct mcp_index_result *r,
                struct mcp_err *e)
{
	char *buf = json_dumps(index, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	size_t len;
	int ret;

	json_decref(index);
	if (buf == NULL)
		mcp_oom();
	len = strlen(buf);
	buf = xrealloc(buf, len + 2);
	buf[len++] = '\n';
	buf[len] = '\0';
	ret = mcp_write_atomic(r->index_path, buf, len, e);
	free(buf);
	return ret;
}
