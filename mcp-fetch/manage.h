/*
 * manage.h: listing, removing and pruning the cache (mcp-fetch(1),
 * "Cache management").
 *
 * An entry is one blob DIR/sha256/ab/abcdef... and, for a bundle that
 * mcp-verify extracted, its tree DIR/trees/sha256/abcdef... with the
 * sidecar index DIR/trees/sha256/abcdef....tree.  An entry's last use is
 * its blob's mtime, which mcp-fetch sets on every cache hit (atime is
 * unreliable under relatime and noatime).
 *
 * Ownership: struct mcp_cache_entry arrays are allocated here and freed
 * with free().  Errors fill a struct mcp_err and return -1; nothing here
 * prints.
 *
 * Invariant: nothing a concurrent mcp-fetch or mcp-verify could be using
 * is ever seen half removed: a blob goes with one unlink(2); a tree is
 * first renamed aside (to a .tmp- name mcp-verify's clean-up knows), then
 * made writable and removed.
 */
#ifndef MCP_FETCH_MANAGE_H
#define MCP_FETCH_MANAGE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "cache.h"
#include "digest.h"
#include "err.h"

struct mcp_cache_entry {
	char digest[MCP_DIGEST_STR_MAX];
	uint64_t size;       /* the blob */
	uint64_t tree_bytes; /* the extracted tree's files, per its index */
	int has_tree;
	time_t last_used; /* the blob's mtime */
};

/* Every entry, least recently used first; *N gets the count. */
int mcp_cache_entries(struct mcp_cache *c, struct mcp_cache_entry **out,
                      size_t *n, struct mcp_err *e);

/* Remove the blob DIGEST and its tree.  *FOUND is 0 if neither existed. */
int mcp_cache_remove(struct mcp_cache *c, const char *digest, int *found,
                     struct mcp_err *e);

/* Remove every entry, every orphaned tree and stale temporary files;
 * *REMOVED gets the number of entries removed. */
int mcp_cache_remove_all(struct mcp_cache *c, size_t *removed,
                         struct mcp_err *e);

/* Remove temporary files a killed mcp-fetch left (unchanged for an hour:
 * a live download writes far more often than the client's 30 s
 * low-speed limit allows it to pause).  Returns how many. */
size_t mcp_cache_clean_tmp(struct mcp_cache *c);

#endif
