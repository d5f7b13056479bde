/*
 * seal.h: the seal of a cached bundle, shared by mcp-verify (which writes
 * it into the index of the bundle's tree) and mcp-fetch (which trusts it on
 * a cache hit instead of hashing the bundle again).
 *
 * A seal is what lstat(2) said of a file (device, inode, size, mtime,
 * ctime) when its digest was computed, and the time read just before.  It
 * holds while fstat(2) of the file says the same and the file's ctime was
 * more than MCP_SEAL_MARGIN_NS before the seal was taken: no write,
 * truncate, chmod or rename can happen without the kernel setting the
 * ctime to the current time, and only root can set a ctime or the clock.
 * mcp-verify(1), SECURITY CONSIDERATIONS, says what it catches and what
 * it does not.
 *
 * The index of a tree is CACHE/trees/sha256/<hex>.tree; its first line is
 * MCP_TREE_INDEX2_MAGIC LISTING ENTRIES BYTES SEALED-AT, its second the
 * bundle's seal: "bundle\t-", or "bundle" DEV INO SIZE MTIME CTIME
 * SEALED-AT, tab-separated, times as SECONDS.NANOSECONDS (nine digits).
 */
#ifndef MCP_SEAL_H
#define MCP_SEAL_H

#include <sys/stat.h>
#include <time.h>

#define MCP_TREE_INDEX_MAGIC "mcp.tree/v1"  /* the listing's first line */
#define MCP_TREE_INDEX2_MAGIC "mcp.tree/v2" /* the index with its seal */
/* At most 2 s of timestamp granularity (FAT's; ext4, xfs, btrfs and tmpfs
 * keep nanoseconds of a clock that ticks every few milliseconds). */
#define MCP_SEAL_MARGIN_NS 2000000000LL

struct mcp_bseal {
	int set;
	unsigned long long dev, ino, size;
	struct timespec mtim, ctim, sealed_at;
};

/*
 * The time a seal is taken, read before the first lstat(2): the kernel
 * stamps a change with this coarse clock (or, with multigrain timestamps,
 * with a later fine-grained time), so a change made after the lstat gets
 * a ctime at or after it.
 */
void mcp_seal_clock(struct timespec *t);

long long mcp_ts_ns(const struct timespec *t);
int mcp_ts_eq(const struct timespec *a, const struct timespec *b);

/*
 * An unsigned number of BASE (8 or 10) from *S into *V, then the separator
 * SEP, skipped; -1 on anything else, overflow included.
 */
int mcp_parse_num(char **s, unsigned base, char sep, unsigned long long *v);
/* "SECONDS.NANOSECONDS" (nine digits) into T, then SEP. */
int mcp_parse_ts(char **s, char sep, struct timespec *t);

/* Seal B from ST, taken at AT. */
void mcp_bseal_from(struct mcp_bseal *b, const struct stat *st,
                    const struct timespec *at);
/* 1 if ST is the regular file B sealed, unchanged since, and not changed
 * just before it was sealed. */
int mcp_bseal_holds(const struct mcp_bseal *b, const struct stat *st);
/* The bundle line of an index (NUL-terminated, written over) into B. */
int mcp_bseal_parse(struct mcp_bseal *b, char *line);

/* The first line of an index: "mcp.tree/v1 LISTING ENTRIES BYTES" or
 * "mcp.tree/v2 LISTING ENTRIES BYTES SEALED-AT". */
struct mcp_tree_head {
	int version; /* 1 or 2 */
	char listing[72]; /* "sha256:<hex>" of the listing, not checked here */
	unsigned long long entries, bytes;
	struct timespec sealed_at; /* version 2 */
};

/* Parse LINE (the first line, without its newline) into H; -1 if it is
 * neither version. */
int mcp_tree_head_parse(const char *line, struct mcp_tree_head *h);

/* The index of the tree of <HEX>: TREES/<hex>.tree (allocated).  Beside
 * the tree, not in it: the server must not see or rely on it. */
char *mcp_tree_index_path(const char *trees, const char *hex);

/*
 * 1 if the index of the tree of DIGEST ("sha256:<hex>"), in TREES
 * (CACHE/trees/sha256), vouches that FD is a bundle with that digest: its
 * seal of the bundle matches fstat(FD), so FD need not be hashed.  Else 0
 * (no index, another file, a broken seal), and NOW, read here before
 * anything else, is the time to seal the bundle with once the caller has
 * hashed it.
 */
int mcp_bundle_vouched(int fd, const char *trees, const char *digest,
                       struct timespec *now);

#endif
