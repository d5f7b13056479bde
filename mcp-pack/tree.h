/*
 * tree.h: read a directory tree into a sorted list of entries, check it
 * against what mcp-verify(1) accepts, and write it as a reproducible
 * gzip-compressed tar archive.
 *
 * The scan never follows a symlink: directories are opened with
 * O_NOFOLLOW and symlinks are recorded with their target.  The write
 * phase opens every file again one component at a time with O_NOFOLLOW
 * and refuses it unless it is the same inode, of the same size, as the
 * scan saw, so a tree changed while it is packed fails instead of
 * producing a bundle nobody checked.
 *
 * The struct mcp_tree owns every string in it.  Errors fill a struct
 * mcp_err: an entry mcp-verify would refuse is MCP_ERR_VERIFY, a
 * file-system failure MCP_ERR_RUNTIME.
 */
#ifndef MCP_PACK_TREE_H
#define MCP_PACK_TREE_H

#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "digest.h"
#include "err.h"

enum mcp_tree_type { MCP_TREE_DIR = 1, MCP_TREE_FILE, MCP_TREE_LINK };

struct mcp_tree_entry {
	char *path;   /* relative to the root, no "./", no trailing "/" */
	char *target; /* MCP_TREE_LINK: the symlink's target */
	uint64_t size;
	dev_t dev;
	ino_t ino;
	unsigned char type; /* enum mcp_tree_type */
	unsigned char exec; /* a regular file with any execute bit */
};

struct mcp_tree {
	char *root; /* the directory as given */
	int rootfd;
	struct mcp_tree_entry *v; /* sorted bytewise by path */
	size_t n, cap;
	uint64_t bytes; /* regular file data */
};

/* Bounds, mcp-verify's defaults (mcp-verify/extract.h). */
struct mcp_tree_limits {
	uint64_t max_bytes;
	uint64_t max_entries;
	unsigned max_depth;
	size_t max_path;
	size_t max_name;
};

void mcp_tree_limits_default(struct mcp_tree_limits *l);
void mcp_tree_init(struct mcp_tree *t);
void mcp_tree_release(struct mcp_tree *t);

/*
 * Scan DIR into T, sort it and check every entry: names (valid UTF-8, no
 * control characters, bounded), types (directories, regular files and
 * symlinks only), symlink targets (relative, lexically inside the tree,
 * never through another symlink of the tree), and the totals.
 */
int mcp_tree_scan(struct mcp_tree *t, const char *dir,
                  const struct mcp_tree_limits *lim, struct mcp_err *e);

/* The entry at PATH (normalised), or NULL. */
const struct mcp_tree_entry *mcp_tree_find(const struct mcp_tree *t,
                                           const char *path);

/*
 * Resolve PATH (normalised, relative) in the scanned tree, following its
 * symlinks (at most 40), lexically.  Returns the entry it names or NULL
 * (missing, or leaves the tree).
 */
const struct mcp_tree_entry *mcp_tree_resolve(const struct mcp_tree *t,
                                              const char *path);

/*
 * Write T as a pax (ustar where it fits) archive, gzip-compressed, to
 * OUTFD: entries in T's order, MTIME on every entry, owner and group 0
 * without names, modes 0755 for directories and executables, 0644 for
 * other files, 0777 for symlinks; gzip header without name or time.
 * DIGEST gets "sha256:<hex>" of the bytes written, *SIZE their count.
 */
int mcp_tree_write(const struct mcp_tree *t, int outfd, int64_t mtime,
                   char digest[MCP_DIGEST_STR_MAX], uint64_t *size,
                   struct mcp_err *e);

#endif
