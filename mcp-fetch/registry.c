/*
 * registry.c: choosing a registry backend from --registry, and the checks
 * every backend's answer goes through.
 *
 * Invariant: whatever a registry says (an index file, a server's JSON, a
 * resolution record in the cache), it reaches the rest of mcp-fetch only
 * as a struct mcp_resolution whose every field was validated here: digests
 * are strict sha256 strings (they become cache paths), the package is the
 * one asked for, the version is semver, the status and origin are known
 * words, and numbers are range-checked integers, never reals or wraps.
 */
#include <mcp-config.h>

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "doc.h"
#include "registry.h"
#include "xalloc.h"

static const char *const statuses[] = {
    "draft",      "ingested",    "scanned", "published",
    "deprecated", "quarantined", "revoked", NULL,
};

static const char *const origins[] = {"official", "verified", "community",
                                      NULL};

static int
in_list(const char *const *list, const char *s)
{
	size_t i;

	for (i = 0; list[i] != NULL; i++)
		if (strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

int
mcp_status_valid(const char *s)
{
	return in_list(statuses, s);
}

int
mcp_origin_valid(const char *s)
{
	return in_list(origins, s);
}

const char *
mcp_artifact_name(enum mcp_artifact which)
{
	return which == MCP_ARTIFACT_MANIFEST ? "manifest" : "bundle";
}

/* Copy a checked string member into a fixed field. */
static int
get_str(const json_t *obj, const char *key, int optional, char *dst, size_t n,
        const char *label, enum mcp_errcat cat, struct mcp_err *e)
{
	const json_t *v = mcp_doc_get(obj, key);
	const char *s;

	dst[0] = '\0';
	if (v == NULL || (optional && json_is_null(v))) {
		if (optional)
			return 0;
		return mcp_err_set(e, cat, "%s: missing \"%s\"", label, key);
	}
	if (!json_is_string(v))
		return mcp_err_set(e, cat, "%s: %s: must be a string", label,
		                   key);
	s = json_string_value(v);
	/* json_string_length differs from strlen only with an embedded
	 * NUL, which the strict loader already refused; check anyway. */
	if (json_string_length(v) != strlen(s) || strlen(s) >= n)
		return mcp_err_set(e, cat, "%s: %s: invalid value \"%.80s\"",
		                   label, key, s);
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

static int
get_digest(const json_t *obj, const char *key, char *dst, const char *label,
           enum mcp_errcat cat, struct mcp_err *e)
{
	if (get_str(obj, key, 0, dst, MCP_DIGEST_STR_MAX, label, cat, e) < 0)
		return -1;
	if (!mcp_digest_valid_sha256(dst))
		return mcp_err_set(e, cat,
		                   "%s: %s: \"%.80s\" is not sha256: followed "
		                   "by 64 lowercase hex digits",
		                   label, key, dst);
	return 0;
}

/* A JSON integer in [MIN, MAX]; a real (1.0, 1e3) is not an integer. */
static int
get_int(const json_t *obj, const char *key, int optional, json_int_t min,
        json_int_t max, json_int_t dflt, json_int_t *out, const char *label,
        enum mcp_errcat cat, struct mcp_err *e)
{
	const json_t *v = mcp_doc_get(obj, key);

	if (v == NULL && optional) {
		*out = dflt;
		return 0;
	}
	if (v == NULL)
		return mcp_err_set(e, cat, "%s: missing \"%s\"", label, key);
	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max)
		return mcp_err_set(
		    e, cat, "%s: %s: must be an integer from %lld to %lld",
		    label, key, (long long)min, (long long)max);
	*out = json_integer_value(v);
	return 0;
}

int
mcp_resolution_from_json(struct mcp_resolution *res, const json_t *obj,
                         const struct mcp_resolution_keys *keys,
                         const char *package, const char *origin,
                         const char *label, enum mcp_errcat cat,
                         struct mcp_err *e)
{
	json_int_t n;

	memset(res, 0, sizeof(*res));
	if (!json_is_object(obj))
		return mcp_err_set(e, cat, "%s: must be an object", label);
	if (strlen(package) >= sizeof(res->package) ||
	    !mcp_pkgid_valid(package))
		return mcp_err_set(e, cat, "%s: invalid package \"%.140s\"",
		                   label, package);
	strcpy(res->package, package); /* NOLINT: length checked above */
	if (origin == NULL)
		origin = "community"; /* FORMATS.md: absent means community */
	if (!mcp_origin_valid(origin))
		return mcp_err_set(e, cat,
		                   "%s: origin: unknown value \"%.40s\"", label,
		                   origin);
	strcpy(res->origin, origin); /* NOLINT: a valid origin fits */

	if (get_str(obj, "version", 0, res->version, sizeof(res->version),
	            label, cat, e) < 0)
		return -1;
	if (!mcp_semver_valid(res->version))
		return mcp_err_set(
		    e, cat, "%s: version: \"%.140s\" is not a semantic version",
		    label, res->version);
	if (get_str(obj, "git_sha", 1, res->git_sha, sizeof(res->git_sha),
	            label, cat, e) < 0)
		return -1;
	if (res->git_sha[0] != '\0' && !mcp_gitsha_valid(res->git_sha))
		return mcp_err_set(
		    e, cat,
		    "%s: git_sha: \"%.60s\" is not 40 lowercase hex digits",
		    label, res->git_sha);
	if (get_str(obj, "status", 0, res->status, sizeof(res->status), label,
	            cat, e) < 0)
		return -1;
	if (!mcp_status_valid(res->status))
		return mcp_err_set(e, cat,
		                   "%s: status: unknown value \"%.40s\"", label,
		                   res->status);
	if (get_int(obj, "certification_level", 1, 0, 3, 0, &n, label, cat, e) <
	    0)
		return -1;
	res->certification_level = (int)n;
	if (get_digest(obj, keys->manifest_digest, res->manifest_digest, label,
	               cat, e) < 0 ||
	    get_digest(obj, keys->bundle_digest, res->bundle_digest, label, cat,
	               e) < 0)
		return -1;
	/* 2^53: beyond it a JSON number is not exact in most readers. */
	if (get_int(obj, keys->bundle_size, 0, 1, (json_int_t)1 << 53, 0, &n,
	            label, cat, e) < 0)
		return -1;
	res->bundle_size = (uint64_t)n;
	return 0;
}

json_t *
mcp_resolution_to_json(const struct mcp_resolution *res)
{
	json_t *o = json_object();

	if (o == NULL)
		mcp_oom();
	json_object_set_new(o, "version", json_string(res->version));
	json_object_set_new(o, "git_sha",
	                    res->git_sha[0] ? json_string(res->git_sha)
	                                    : json_null());
	json_object_set_new(o, "status", json_string(res->status));
	json_object_set_new(o, "certification_level",
	                    json_integer(res->certification_level));
	json_object_set_new(o, "manifest_digest",
	                    json_string(res->manifest_digest));
	json_object_set_new(o, "bundle_digest",
	                    json_string(res->bundle_digest));
	json_object_set_new(o, "bundle_size",
	                    json_integer((json_int_t)res->bundle_size));
	return o;
}

int
mcp_resolution_check(const struct mcp_resolution *res,
                     const struct mcp_ref *ref, const char *label,
                     struct mcp_err *e)
{
	if (strcmp(res->package, ref->pkg) != 0)
		return mcp_err_set(e, MCP_ERR_FETCH,
		                   "%s: answers for package %s, not %s", label,
		                   res->package, ref->pkg);
	switch (ref->kind) {
	case MCP_REF_LATEST:
		if (strcmp(res->status, "published") != 0 ||
		    mcp_semver_is_prerelease(res->version))
			return mcp_err_set(e, MCP_ERR_FETCH,
			                   "%s: latest resolved to %s (%s), "
			                   "which is not a published release",
			                   label, res->version, res->status);
		break;
	case MCP_REF_VERSION:
		if (strcmp(res->version, ref->ref) != 0)
			return mcp_err_set(e, MCP_ERR_FETCH,
			                   "%s: asked for version %s, got %s",
			                   label, ref->ref, res->version);
		break;
	case MCP_REF_GITSHA:
		if (strcmp(res->git_sha, ref->ref) != 0)
			return mcp_err_set(
			    e, MCP_ERR_FETCH,
			    "%s: asked for git commit %s, got %s", label,
			    ref->ref, res->git_sha[0] ? res->git_sha : "none");
		break;
	case MCP_REF_DIGEST:
		if (strcmp(res->manifest_digest, ref->ref) != 0 &&
		    strcmp(res->bundle_digest, ref->ref) != 0)
			return mcp_err_set(
			    e, MCP_ERR_FETCH,
			    "%s: neither digest of version %s is %s", label,
			    res->version, ref->ref);
		break;
	}
	return 0;
}

/* Decode %XX escapes of a file: URL path into a new string. */
static char *
url_decode(const char *s, struct mcp_err *e)
{
	char *out = xmalloc(strlen(s) + 1), *o = out;
	unsigned v;

	for (; *s != '\0'; s++) {
		if (*s != '%') {
			*o++ = *s;
			continue;
		}
		/* NOLINTNEXTLINE(cert-err34-c): 2 hex digits cannot overflow */
		if (sscanf(s + 1, "%2x", &v) != 1 || !s[1] || !s[2] ||
		    strchr("0123456789abcdefABCDEF", s[1]) == NULL ||
		    strchr("0123456789abcdefABCDEF", s[2]) == NULL || v == 0) {
			free(out);
			mcp_err_set(e, MCP_ERR_USAGE,
			            "registry URL: invalid percent-encoding");
			return NULL;
		}
		*o++ = (char)v;
		s += 2;
	}
	*o = '\0';
	return out;
}

/* "file://" + PATH with the bytes that are not plain in a URL path
 * percent-encoded (RFC 3986 pchar), so the URL reads back to PATH. */
static char *
file_url(const char *path)
{
	static const char plain[] = "abcdefghijklmnopqrstuvwxyz"
	                            "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                            "0123456789-._~/!$&'()*+,;=:@";
	size_t i, o = 7;
	char *u = xmalloc(7 + 3 * strlen(path) + 1);

	memcpy(u, "file://", 7);
	for (i = 0; path[i] != '\0'; i++) {
		if (strchr(plain, path[i]) != NULL)
			u[o++] = path[i];
		else
			o += (size_t)sprintf(u + o, "%%%02X",
			                     (unsigned char)path[i]);
	}
	u[o] = '\0';
	return u;
}

/* Make PATH absolute and drop ".", ".." and empty components, without
 * looking at the file system: --offline must find the same cache key
 * without touching the registry, and a symlink swapped later must not
 * change which records a registry owns. */
static char *
lexical_abs(const char *path)
{
	char *cwd = NULL, *joined, *out, *tok, *save = NULL;
	size_t o = 0;

	if (path[0] != '/') {
		cwd = getcwd(NULL, 0);
		if (cwd == NULL)
			return NULL;
		joined = xasprintf("%s/%s", cwd, path);
		free(cwd);
	} else {
		joined = xstrdup(path);
	}
	out = xmalloc(strlen(joined) + 2);
	for (tok = strtok_r(joined, "/", &save); tok != NULL;
	     tok = strtok_r(NULL, "/", &save)) {
		if (strcmp(tok, ".") == 0)
			continue;
		if (strcmp(tok, "..") == 0) {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
			continue;
		}
		out[o++] = '/';
		memcpy(out + o, tok, strlen(tok));
		o += strlen(tok);
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	free(joined);
	return out;
}

int
mcp_registry_canonical(const char *spec, char **url, char **dir,
                       struct mcp_err *e)
{
	char *decoded = NULL;
	const char *path = spec;

	*url = *dir = NULL;
	if (*spec == '\0')
		return mcp_err_set(e, MCP_ERR_USAGE, "registry: empty value");
	if (mcp_registry_is_http(spec))
		return mcp_registry_http_canonical(spec, url, e);
	if (strncmp(spec, "file:", 5) == 0) {
		/* RFC 8089: file:///path or file://localhost/path; a
		 * remote host would be a network share we do not speak. */
		if (strncmp(spec, "file:///", 8) == 0)
			path = spec + 7;
		else if (strncmp(spec, "file://localhost/", 17) == 0)
			path = spec + 16;
		else
			return mcp_err_set(e, MCP_ERR_USAGE,
			                   "registry %.200s: a file: URL must "
			                   "be file:///ABSOLUTE/PATH",
			                   spec);
		if (strpbrk(path, "?#") != NULL)
			return mcp_err_set(e, MCP_ERR_USAGE,
			                   "registry %.200s: a file: URL takes "
			                   "no query or fragment",
			                   spec);
		if ((decoded = url_decode(path, e)) == NULL)
			return -1;
		path = decoded;
	} else if (strstr(spec, "://") != NULL) {
		return mcp_err_set(
		    e, MCP_ERR_USAGE,
		    "registry %.200s: unsupported URL scheme (expected a "
		    "directory, file://, http:// or https://)",
		    spec);
	}
	*dir = lexical_abs(path);
	free(decoded);
	if (*dir == NULL)
		return mcp_err_sys(e, MCP_ERR_RUNTIME,
		                   "registry %.200s: current directory", spec);
	*url = file_url(*dir);
	return 0;
}

int
mcp_registry_is_http(const char *spec)
{
	return strncmp(spec, "http://", 7) == 0 ||
	       strncmp(spec, "https://", 8) == 0;
}

int
mcp_registry_open(const char *spec, const struct mcp_registry_opts *o,
                  struct mcp_registry **out, struct mcp_err *e)
{
	char *url = NULL, *dir = NULL;
	struct stat st;
	int rc = -1;

	*out = NULL;
	if (mcp_registry_canonical(spec, &url, &dir, e) < 0)
		return -1;
	if (dir == NULL) /* a network registry */
		return mcp_registry_http_new(url, o, out, e);

	if (stat(dir, &st) < 0) {
		mcp_err_sys(e, MCP_ERR_FETCH, "registry %.200s", spec);
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		mcp_err_set(e, MCP_ERR_FETCH,
		            "registry %.200s: not a directory", spec);
		goto out;
	}
	rc = mcp_registry_dir_new(dir, url, out, e);
	url = NULL; /* taken */
out:
	free(url);
	free(dir);
	return rc;
}

void
mcp_registry_free(struct mcp_registry *r)
{
	if (r == NULL)
		return;
	r->ops->free(r);
}
