/*
 * extract.h: safe extraction of a verified bundle (a gzip-compressed tar
 * archive) into the read-only, content-addressed tree
 * CACHE/trees/sha256/<bundle hex>, and reuse of an intact tree.
 *
 * The caller owns the descriptor it passes in and has already checked the
 * bundle's digest on it; extraction re-hashes the bytes it reads and
 * refuses them if they differ.  Errors fill a struct mcp_err: an unsafe or
 * malformed archive is MCP_ERR_VERIFY, a file-system failure
 * MCP_ERR_RUNTIME.  Nothing is left behind on failure.
 */
#ifndef MCP_VERIFY_EXTRACT_H
#define MCP_VERIFY_EXTRACT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "err.h"

#define MCP_EXTRACT_MAX_BYTES (1024ull * 1024 * 1024) /* 1 GiB */
#define MCP_EXTRACT_MAX_ENTRIES 200000ull
#define MCP_EXTRACT_MAX_DEPTH 64
#define MCP_EXTRACT_MAX_PATH 4096
#define MCP_EXTRACT_MAX_NAME 255

struct mcp_extract_limits {
	uint64_t max_bytes;   /* total bytes of regular file data */
	uint64_t max_entries; /* archive entries, of every type */
	unsigned max_depth;   /* path components */
	size_t max_path;      /* bytes of a path or symlink target */
	size_t max_name;      /* bytes of one component */
	int rehash;           /* 1: check a reused tree's contents even
	                       * when its seal holds (mcp-verify --rehash) */
};

struct mcp_extract_result {
	char *tree;        /* absolute path of the tree (owned) */
	int reused;        /* 1 if an intact tree was already there */
	int damaged;       /* 1 if a damaged tree was replaced */
	int walk_fallback; /* 1 if openat2(2) was missing (O_NOFOLLOW walk) */
	uint64_t entries;  /* entries in the tree, the root included */
	uint64_t bytes;    /* bytes of regular file data */
	int sealed;        /* 1 if reused on its seal alone (no file read) */
	char why[512];     /* damaged, or a seal that did not hold: why */
};

void mcp_extract_limits_default(struct mcp_extract_limits *l);
void mcp_extract_result_release(struct mcp_extract_result *r);

/*
 * Extract the archive read from FD (from offset 0) into
 * TREES/<hex of DIGEST>, or reuse that tree if its index says it is
 * intact: if every entry's lstat(2) is the one its index recorded (the
 * seal), else (or with LIM->rehash) if every file's contents hash to
 * what the index recorded, after which the seal is written again.
 * HASHED_AT is when the caller started hashing FD (see
 * mcp_bundle_vouched() in seal.h), or NULL if it did not hash it.  TREES
 * is CACHE/trees/sha256 and must exist.  DIGEST is the bundle's verified
 * "sha256:<hex>".
 */
int mcp_extract_bundle(int fd, const struct timespec *hashed_at,
                       const char *trees, const char *digest,
                       const struct mcp_extract_limits *lim,
                       struct mcp_extract_result *r, struct mcp_err *e);

/*
 * Open PATH (relative, already normalised) beneath DIRFD with FLAGS.
 * With openat2(2), symlinks inside the tree are followed but never out of
 * it (RESOLVE_BENEATH), or not at all with NO_SYMLINKS; without openat2 no
 * symlink is followed.  Returns a descriptor or -1 with errno (EXDEV or
 * ELOOP when the path would leave the tree or meets a symlink).
 */
int mcp_open_beneath(int dirfd, const char *path, int flags, int no_symlinks);

#endif
