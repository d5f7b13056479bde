/*
 * publish.h: put a packed bundle and its manifest where others read them:
 * two files of the caller's choice, or a directory registry (FORMATS.md:
 * blobs/sha256/HEX and packages/ORG/NAME.json).
 *
 * Every file is written to a temporary name in its final directory and
 * renamed into place, so a reader (mcp-fetch, rsync) sees the old file or
 * the new one, never part of one.  The package index is rewritten under
 * an exclusive flock(2) on its directory, so two packers adding versions
 * of one package at once do not lose either.  Errors fill a struct
 * mcp_err; nothing is left behind on failure but what was already
 * complete (a blob, named by its digest, is complete by construction).
 */
#ifndef MCP_PACK_PUBLISH_H
#define MCP_PACK_PUBLISH_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "err.h"

/* A temporary file in DIR, committed under a final name or discarded. */
struct mcp_tmpfile {
	char *path; /* owned */
	int fd;
};

void mcp_tmpfile_init(struct mcp_tmpfile *f);
int mcp_tmpfile_open(struct mcp_tmpfile *f, const char *dir, struct mcp_err *e);
/* Mode 0644, fsync, close, rename to FINAL, fsync the directory. */
int mcp_tmpfile_commit(struct mcp_tmpfile *f, const char *final,
                       struct mcp_err *e);
/* Remove the temporary file, if any (safe twice). */
void mcp_tmpfile_discard(struct mcp_tmpfile *f);

/* Write BUF to PATH atomically (mode 0644). */
int mcp_write_atomic(const char *path, const void *buf, size_t len,
                     struct mcp_err *e);

/* What to record for one version; NULL/-1 fields mean "not given". */
struct mcp_index_add {
	const char *org, *name, *version, *git_sha;
	const char *status;      /* NULL: kept, or "published" when new */
	int certification_level; /* -1: kept when unchanged, else 0 */
	const char *origin;      /* NULL: kept, or "community" when new */
	const char *manifest_digest, *bundle_digest;
	uint64_t bundle_size;
	int force; /* replace a version that has other digests */
};

/* What was recorded. */
struct mcp_index_result {
	const char *action; /* "added", "unchanged", "replaced" (static) */
	char status[16];
	int certification_level;
	char origin[16];
	char *index_path; /* owned */
};

void mcp_index_result_release(struct mcp_index_result *r);

/*
 * Lock ROOT/packages/ORG, load NAME.json (or start a new index), and
 * decide what adding A does.  A version already there with other digests
 * is refused (MCP_ERR_RUNTIME, both digests named) unless A->force.
 * On success the lock is held in *LOCKFD (close it to release) and
 * *INDEX holds the new index, to be written by mcp_index_write once the
 * blobs are in place.
 */
int mcp_index_prepare(const char *root, const struct mcp_index_add *a,
                      int *lockfd, json_t **index, struct mcp_index_result *r,
                      struct mcp_err *e);

/* Write and free INDEX (from mcp_index_prepare) to R->index_path. */
int mcp_index_write(json_t *index, const struct mcp_index_result *r,
                    struct mcp_err *e);

#endif
