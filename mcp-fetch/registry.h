/*
 * registry.h: the registry backends of mcp-fetch.
 *
 * A backend answers two questions: which version, status and artifact
 * digests does a reference resolve to (resolve), and what are the bytes of
 * one artifact (fetch, pushed chunk by chunk into a sink that hashes and
 * bounds them).  The directory backend (registry-dir.c) is the one built
 * in; a network backend plugs in beside it with the same operations.
 *
 * Ownership: mcp_registry_open() returns a registry owned by the caller and
 * released with mcp_registry_free().  Errors fill a struct mcp_err and
 * return -1; nothing here prints.
 *
 * Invariant: a resolution leaves a backend only after
 * mcp_resolution_check() accepted every field, so the rest of mcp-fetch
 * (and the cache path it derives from digests) never sees an unchecked
 * value from a registry.
 */
#ifndef MCP_FETCH_REGISTRY_H
#define MCP_FETCH_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "digest.h"
#include "err.h"
#include "ref.h"

/* Size caps (FORMATS.md "client bounds"). */
#define MCP_FETCH_MANIFEST_MAX (10ULL * 1024 * 1024)
#define MCP_FETCH_BUNDLE_MAX (100ULL * 1024 * 1024)
/* A directory registry's package index: generous for thousands of
 * versions, small enough to hold in memory. */
#define MCP_FETCH_INDEX_MAX (4U * 1024 * 1024)

enum mcp_artifact { MCP_ARTIFACT_MANIFEST, MCP_ARTIFACT_BUNDLE };

/* What a reference resolved to; every string is checked and bounded. */
struct mcp_resolution {
	char package[2 * MCP_NAME_MAX + 2];
	char version[MCP_VERSION_MAX + 1];
	char git_sha[41]; /* "" when the registry does not know it */
	char status[16];
	int certification_level;
	char origin[16];
	char manifest_digest[MCP_DIGEST_STR_MAX];
	char bundle_digest[MCP_DIGEST_STR_MAX];
	uint64_t bundle_size;
};

/*
 * Where fetched bytes go.  WRITE is called with consecutive chunks and
 * returns -1 with E filled to stop the transfer (size cap, write error).
 */
struct mcp_sink {
	int (*write)(struct mcp_sink *s, const void *p, size_t n,
	             struct mcp_err *e);
	/* Forget every byte written so far (a transfer is retried). */
	int (*reset)(struct mcp_sink *s, struct mcp_err *e);
};

struct mcp_registry;

struct mcp_registry_ops {
	int (*resolve)(struct mcp_registry *r, const struct mcp_ref *ref,
	               struct mcp_resolution *res, struct mcp_err *e);
	/* Stream the artifact WHICH of RES into SINK.  The backend does not
	 * judge the bytes: the sink hashes them and the cache decides. */
	int (*fetch)(struct mcp_registry *r, const struct mcp_ref *ref,
	             const struct mcp_resolution *res, enum mcp_artifact which,
	             struct mcp_sink *sink, struct mcp_err *e);
	void (*free)(struct mcp_registry *r);
};

struct mcp_registry {
	const struct mcp_registry_ops *ops;
	char *url;  /* canonical form, e.g. "file:///abs/registry"; owned */
	void *priv; /* the backend's state; owned by the backend */
};

/* How to reach a network registry (ignored for a directory). */
struct mcp_registry_opts {
	const char *cacert; /* CA bundle file, or NULL for the system's */
	int allow_http;     /* plain http to a host that is not loopback */
	const char *token;  /* bearer token, or NULL; borrowed */
	/* Called after each HTTP exchange with its URL (query and fragment
	 * removed: a presigned URL's signature is a credential) and its
	 * status, or 0 and the transport error; may be NULL.  For -v. */
	void (*trace)(void *arg, const char *url, long status,
	              const char *error);
	void *trace_arg;
};

/*
 * Open the registry SPEC: an absolute or relative directory path, a
 * "file://" URL, or an http(s) URL.  A malformed or unsupported SPEC is a
 * usage error; a directory that does not exist is a fetch error.  Only an
 * http(s) registry initialises libcurl.
 */
int mcp_registry_open(const char *spec, const struct mcp_registry_opts *o,
                      struct mcp_registry **out, struct mcp_err *e);

/* 1 if SPEC names a network (http or https) registry. */
int mcp_registry_is_http(const char *spec);

/* The HTTP(S) backend (registry-http.c); URL is canonical and taken
 * (freed on failure too). */
int mcp_registry_http_new(char *url, const struct mcp_registry_opts *o,
                          struct mcp_registry **out, struct mcp_err *e);

/*
 * The canonical form of an http(s) registry URL (registry-http.c): no
 * credentials, query or fragment; scheme and host in lower case; the port
 * only when not the default; no trailing slash.  Newly allocated.
 */
int mcp_registry_http_canonical(const char *spec, char **url,
                                struct mcp_err *e);

/*
 * The bearer token: $MCP_REGISTRY_TOKEN, else the contents of TOKEN_FILE
 * (which must be a regular file owned by this user, mode 0600 or
 * stricter), else none (*TOKEN = NULL).  The token must be printable
 * ASCII without spaces.  Free it with mcp_free_secret().  Never printed.
 */
int mcp_registry_token_load(const char *token_file, char **token,
                            struct mcp_err *e);
void mcp_registry_free(struct mcp_registry *r);

/*
 * The canonical form of SPEC without touching the file system: *URL (the
 * registry's identity in documents and cache keys) and, for a directory
 * registry, *DIR (absolute, lexically normalised).  Both newly allocated.
 */
int mcp_registry_canonical(const char *spec, char **url, char **dir,
                           struct mcp_err *e);

/* The directory backend (registry-dir.c); PATH is absolute; URL is taken
 * (freed on failure too). */
int mcp_registry_dir_new(const char *path, char *url, struct mcp_registry **out,
                         struct mcp_err *e);

/* "manifest" or "bundle". */
const char *mcp_artifact_name(enum mcp_artifact which);

/* 1 if S is one of the registry statuses of FORMATS.md. */
int mcp_status_valid(const char *s);
/* 1 if S is an origin FORMATS.md knows. */
int mcp_origin_valid(const char *s);

/*
 * Fill RES from the members of OBJ as a registry writes them: "version",
 * "git_sha" (string, null or absent), "status", "certification_level"
 * (absent means 0), and the digests and bundle size found at the member
 * names given (e.g. "manifest_digest" or "manifest.digest").  PACKAGE and
 * ORIGIN come from the caller.  Every value is checked; LABEL names the
 * object in errors, which have category CAT.
 */
struct mcp_resolution_keys {
	const char *manifest_digest, *bundle_digest, *bundle_size;
};
int mcp_resolution_from_json(struct mcp_resolution *res, const json_t *obj,
                             const struct mcp_resolution_keys *keys,
                             const char *package, const char *origin,
                             const char *label, enum mcp_errcat cat,
                             struct mcp_err *e);

/*
 * The inverse, for the flat member names of a directory registry's
 * version entry and of the cache's resolution records: a new object with
 * version, git_sha (null when unknown), status, certification_level,
 * manifest_digest, bundle_digest and bundle_size.
 */
json_t *mcp_resolution_to_json(const struct mcp_resolution *res);

/*
 * Check that RES answers REF: same package, and for a version, git sha or
 * digest reference, the matching field.  A registry that answers another
 * question than the one asked is a fetch error.
 */
int mcp_resolution_check(const struct mcp_resolution *res,
                         const struct mcp_ref *ref, const char *label,
                         struct mcp_err *e);

#endif
