/*
 * cache.h: mcp-fetch's content-addressed cache (mcp-fetch(1), FILES).
 *
 *   DIR/sha256/ab/abcdef...                       blobs, mode 0444
 *   DIR/resolved/KEY/ORG/NAME/REF.json            last resolution of REF
 *                                                 (KEY names the registry)
 *
 * Ownership: struct mcp_cache and struct mcp_cache_writer live on the
 * caller's stack; _release/_abort free what they hold.  Errors fill a
 * struct mcp_err and return -1; nothing here prints (a repaired blob is
 * reported to the caller, who warns).
 *
 * Invariant: a blob appears under its final name only after its bytes
 * hashed to that name (and matched the expected size), via rename(2) of a
 * private temporary file in the same directory; a blob found in the cache
 * is re-hashed before it is reported present, unless it is a bundle whose
 * seal, kept by mcp-verify in the index of its tree, holds (seal.h).
 */
#ifndef MCP_FETCH_CACHE_H
#define MCP_FETCH_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "digest.h"
#include "err.h"
#include "ref.h"
#include "registry.h"

struct mcp_cache {
	char *dir;  /* absolute; owned */
	int rehash; /* 1: hash a cached blob even when its seal holds */
};

/* Create DIR (0700) if needed and check that it is a directory owned by
 * this user and not writable by anyone else. */
int mcp_cache_open(struct mcp_cache *c, const char *dir, struct mcp_err *e);
void mcp_cache_release(struct mcp_cache *c);

enum mcp_cache_state {
	MCP_CACHE_MISS,
	MCP_CACHE_HIT,     /* there, and re-hashed */
	MCP_CACHE_SEALED,  /* there, and vouched for by its seal: not hashed */
	MCP_CACHE_REMOVED, /* was there, did not match, now removed */
};

/*
 * Look DIGEST up and re-hash it, unless the index of its tree holds a seal
 * of this very file (and C->rehash is 0).  WANT_SIZE, when not 0, must
 * also match.
 * On MCP_CACHE_REMOVED, WHY (size WHYN) says what was wrong.  *PATH gets
 * the blob's path (newly allocated) in every state.
 */
int mcp_cache_lookup(struct mcp_cache *c, const char *digest,
                     uint64_t want_size, enum mcp_cache_state *state,
                     char **path, uint64_t *size, char *why, size_t whyn,
                     struct mcp_err *e);

/* A blob being written: the sink hashes, bounds and writes each chunk. */
struct mcp_cache_writer {
	struct mcp_sink sink; /* first: the registry sees only this */
	char label[160];      /* "bundle sha256:..." for messages */
	char want[MCP_DIGEST_STR_MAX];
	uint64_t cap, want_size, bytes;
	struct mcp_digest md;
	int md_live;
	int fd;
	char *tmp, *path; /* owned */
};

/*
 * Start writing the blob DIGEST: at most CAP bytes, exactly WANT_SIZE if
 * not 0.  WHAT names the artifact in errors.
 */
int mcp_cache_writer_begin(struct mcp_cache *c, struct mcp_cache_writer *w,
                           const char *what, const char *digest, uint64_t cap,
                           uint64_t want_size, struct mcp_err *e);
/* Check size and digest, then move the blob into place.  On failure the
 * temporary file is gone and nothing was placed. */
int mcp_cache_writer_commit(struct mcp_cache_writer *w, struct mcp_err *e);
/* Remove the temporary file (safe after commit and twice). */
void mcp_cache_writer_abort(struct mcp_cache_writer *w);

/* Remove a temporary blob file if SIGINT, SIGTERM or SIGHUP arrives. */
int mcp_cache_signals_install(struct mcp_err *e);

/*
 * Resolution records.  Load: *FOUND is 0 when none is cached; a record
 * that exists but is unreadable or malformed is an error (MCP_ERR_FETCH).
 * RESOLVED_AT gets the time it was written.
 */
int mcp_cache_record_load(struct mcp_cache *c, const char *registry,
                          const struct mcp_ref *ref, struct mcp_resolution *res,
                          char resolved_at[32], int *found, struct mcp_err *e);
int mcp_cache_record_store(struct mcp_cache *c, const char *registry,
                           const struct mcp_ref *ref,
                           const struct mcp_resolution *res,
                           const char *resolved_at, struct mcp_err *e);

/*
 * Replace PATH by TEXT (and a newline) atomically: written to a private
 * temporary file in PATH's directory (created 0700 if missing), synced,
 * given MODE and renamed over PATH.  A reader sees the old file or the
 * new one.
 */
int mcp_cache_write_atomic(const char *path, const char *text, mode_t mode,
                           struct mcp_err *e);

#endif
