/*
 * registry-dir.c: a registry that is a directory (FORMATS.md, "Directory
 * registry"):
 *
 *   packages/ORG/NAME.json   the package index, every version's metadata
 *   blobs/sha256/HEX         artifact bytes, named by their digest
 *
 * Invariant: the index is parsed strictly and every entry checked before
 * any of it is used (one malformed entry rejects the whole index: a mirror
 * that is half broken is broken), and a blob is never trusted because of
 * where it lies: its bytes go through the caller's sink, which hashes them
 * against the digest that named them.  Nothing here touches the network;
 * files are opened relative to the registry's directory descriptor, with
 * names built only from validated references and digests.
 */
#include <mcp-config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "doc.h"
#include "registry.h"
#include "xalloc.h"

struct dir_registry {
	int rootfd;
};

/* Open a regular file under the registry; ENOENT is reported by the
 * caller, which knows what was missing. */
static int
open_regular(int rootfd, const char *rel, const char *what, struct mcp_err *e)
{
	struct stat st;
	int fd;

	/* O_NONBLOCK: a FIFO planted in a mirror must not hang us. */
	fd = openat(rootfd, rel, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		if (errno != ENOENT)
			mcp_err_sys(e, MCP_ERR_FETCH, "%s %s", what, rel);
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		mcp_err_set(e, MCP_ERR_FETCH, "%s %s: not a regular file", what,
		            rel);
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

/* Load and check the whole index; *VERSIONS is borrowed from *INDEX. */
static json_t *
load_index(struct mcp_registry *r, const struct mcp_ref *ref,
           const char **origin, struct mcp_err *e)
{
	struct dir_registry *d = r->priv;
	char rel[2 * MCP_NAME_MAX + 32];
	const json_t *v, *versions;
	json_t *index;
	int fd;

	snprintf(rel, sizeof(rel), "packages/%s/%s.json", ref->org, ref->name);
	fd = open_regular(d->rootfd, rel, "registry index", e);
	if (fd < 0) {
		if (errno == ENOENT)
			mcp_err_set(e, MCP_ERR_FETCH,
			            "%s: package not found in registry %s",
			            ref->pkg, r->url);
		return NULL;
	}
	index =
	    mcp_json_load_fd(fd, rel, MCP_FETCH_INDEX_MAX, MCP_ERR_FETCH, e);
	close(fd);
	if (index == NULL)
		return NULL;
	if (!json_is_object(index)) {
		mcp_err_set(e, MCP_ERR_FETCH, "%s: must be a JSON object", rel);
		goto bad;
	}
	v = json_object_get(index, "package");
	if (!json_is_string(v) || strcmp(json_string_value(v), ref->pkg) != 0) {
		mcp_err_set(
		    e, MCP_ERR_FETCH,
		    "%s: package: must be \"%s\" (the index names %.140s)", rel,
		    ref->pkg,
		    json_is_string(v) ? json_string_value(v) : "no package");
		goto bad;
	}
	v = json_object_get(index, "origin");
	*origin = NULL;
	if (v != NULL && !json_is_null(v)) {
		if (!json_is_string(v) ||
		    !mcp_origin_valid(json_string_value(v))) {
			mcp_err_set(e, MCP_ERR_FETCH,
			            "%s: origin: must be official, verified or "
			            "community",
			            rel);
			goto bad;
		}
		*origin = json_string_value(v);
	}
	versions = json_object_get(index, "versions");
	if (!json_is_object(versions)) {
		mcp_err_set(e, MCP_ERR_FETCH, "%s: versions: must be an object",
		            rel);
		goto bad;
	}
	return index;
bad:
	json_decref(index);
	return NULL;
}

static const struct mcp_resolution_keys dir_keys = {
    "manifest_digest",
    "bundle_digest",
    "bundle_size",
};

/* Does entry RES answer REF?  (LATEST is decided by the caller.) */
static int
matches(const struct mcp_resolution *res, const struct mcp_ref *ref)
{
	switch (ref->kind) {
	case MCP_REF_LATEST:
		return strcmp(res->status, "published") == 0 &&
		       !mcp_semver_is_prerelease(res->version);
	case MCP_REF_VERSION:
		return strcmp(res->version, ref->ref) == 0;
	case MCP_REF_GITSHA:
		return strcmp(res->git_sha, ref->ref) == 0;
	case MCP_REF_DIGEST:
		return strcmp(res->manifest_digest, ref->ref) == 0 ||
		       strcmp(res->bundle_digest, ref->ref) == 0;
	}
	return 0;
}

static int
dir_resolve(struct mcp_registry *r, const struct mcp_ref *ref,
            struct mcp_resolution *out, struct mcp_err *e)
{
	struct mcp_resolution cur, best;
	const char *key, *origin = NULL;
	char rel[2 * MCP_NAME_MAX + 32], label[512], spec[256];
	const json_t *versions, *entry;
	json_t *index;
	size_t nmatch = 0;
	int ambiguous = 0, c, rc = -1;

	index = load_index(r, ref, &origin, e);
	if (index == NULL)
		return -1;
	snprintf(rel, sizeof(rel), "packages/%s/%s.json", ref->org, ref->name);
	mcp_ref_format(ref, spec, sizeof(spec));
	versions = json_object_get(index, "versions");
	memset(&best, 0, sizeof(best));

	/* Check every entry, not just the one we want: the index is one
	 * document and it is either well formed or not. */
	json_object_foreach((json_t *)versions, key, entry)
	{
		snprintf(label, sizeof(label), "%s: versions.%.140s", rel, key);
		if (mcp_resolution_from_json(&cur, entry, &dir_keys, ref->pkg,
		                             origin, label, MCP_ERR_FETCH,
		                             e) < 0)
			goto out;
		if (strcmp(cur.version, key) != 0) {
			mcp_err_set(e, MCP_ERR_FETCH,
			            "%s: version: \"%s\" differs from its key",
			            label, cur.version);
			goto out;
		}
		if (!matches(&cur, ref))
			continue;
		if (nmatch == 0) {
			best = cur;
		} else if (ref->kind == MCP_REF_LATEST) {
			/* Equal precedence (builds of one version) cannot
			 * be ordered: refuse rather than pick one. */
			c = mcp_semver_cmp(cur.version, best.version);
			if (c > 0) {
				best = cur;
				ambiguous = 0;
			} else if (c == 0) {
				ambiguous = 1;
			}
		} else {
			ambiguous = 1;
		}
		nmatch++;
	}
	if (nmatch == 0) {
		if (ref->kind == MCP_REF_LATEST)
			mcp_err_set(e, MCP_ERR_FETCH,
			            "%s: no published release in registry %s",
			            spec, r->url);
		else
			mcp_err_set(e, MCP_ERR_FETCH,
			            "%s: no matching version in registry %s",
			            spec, r->url);
		goto out;
	}
	if (ambiguous) {
		mcp_err_set(
		    e, MCP_ERR_FETCH,
		    "%s: ambiguous: more than one version of %s matches", spec,
		    rel);
		goto out;
	}
	*out = best;
	rc = 0;
out:
	json_decref(index);
	return rc;
}

static int
dir_fetch(struct mcp_registry *r, const struct mcp_ref *ref,
          const struct mcp_resolution *res, enum mcp_artifact which,
          struct mcp_sink *sink, struct mcp_err *e)
{
	struct dir_registry *d = r->priv;
	const char *digest = which == MCP_ARTIFACT_MANIFEST
	                         ? res->manifest_digest
	                         : res->bundle_digest;
	char rel[128];
	char buf[64 * 1024];
	ssize_t n;
	int fd, rc = -1;

	(void)ref;
	/* The digest was validated (sha256:<64 hex>), so REL stays inside
	 * blobs/sha256/. */
	snprintf(rel, sizeof(rel), "blobs/sha256/%s", digest + 7);
	fd = open_regular(d->rootfd, rel, "registry blob", e);
	if (fd < 0) {
		if (errno == ENOENT)
			mcp_err_set(e, MCP_ERR_FETCH,
			            "%s %s: not found in registry %s (%s)",
			            mcp_artifact_name(which), digest, r->url,
			            rel);
		return -1;
	}
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			mcp_err_sys(e, MCP_ERR_FETCH, "registry blob %s: read",
			            rel);
			goto out;
		}
		if (n == 0)
			break;
		if (sink->write(sink, buf, (size_t)n, e) < 0)
			goto out;
	}
	rc = 0;
out:
	close(fd);
	return rc;
}

static void
dir_free(struct mcp_registry *r)
{
	struct dir_registry *d = r->priv;

	if (d != NULL && d->rootfd >= 0)
		close(d->rootfd);
	free(d);
	free(r->url);
	free(r);
}

static const struct mcp_registry_ops dir_ops = {
    dir_resolve,
    dir_fetch,
    dir_free,
};

int
mcp_registry_dir_new(const char *path, char *url, struct mcp_registry **out,
                     struct mcp_err *e)
{
	struct mcp_registry *r;
	struct dir_registry *d;
	int fd;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		free(url);
		return mcp_err_sys(e, MCP_ERR_FETCH, "registry %s", path);
	}
	d = xcalloc(1, sizeof(*d));
	d->rootfd = fd;
	r = xcalloc(1, sizeof(*r));
	r->ops = &dir_ops;
	r->priv = d;
	r->url = url;
	*out = r;
	return 0;
}
