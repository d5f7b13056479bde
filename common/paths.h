/*
 * paths.h: the XDG directories, the cache layout, and small path helpers.
 *
 * Cache layout (mcp-fetch(1)):
 *   DIR/sha256/ab/abcdef...        blobs named by their digest
 *   DIR/trees/sha256/abcdef.../    extracted bundle trees, read-only
 * The cache directory and trees/ are MCP_CACHE_DIR_MODE (0711): others may
 * traverse them but not list them, so the unprivileged user mcp-exec runs a
 * server as can reach the tree its spec names (and only by its digest).
 * Blobs, records and everything else mcp-tools creates are 0700.
 */
#ifndef MCP_PATHS_H
#define MCP_PATHS_H

#include <sys/types.h>

#include "config.h"
#include "err.h"

#define MCP_CACHE_DIR_MODE 0711
#define MCP_PRIVATE_DIR_MODE 0700
/* root's default cache when XDG_CACHE_HOME is not set (root's HOME is 0700). */
#define MCP_SYSTEM_CACHE_DIR "/var/cache/mcp"

enum mcp_xdg { MCP_XDG_CACHE, MCP_XDG_CONFIG, MCP_XDG_STATE };

/* "$XDG_<X>_HOME/mcp" (or "$HOME/.cache/mcp", ...), newly allocated.  A
 * relative XDG variable is ignored, as the XDG spec says. */
char *mcp_xdg_dir(enum mcp_xdg which, struct mcp_err *e);

/* The cache directory: FLAG, else the config/env value, else
 * $XDG_CACHE_HOME/mcp, else MCP_SYSTEM_CACHE_DIR for root and
 * ~/.cache/mcp for other users. */
char *mcp_cache_dir(const char *flag, const struct mcp_config *c,
		    struct mcp_err *e);

/* DIR/sha256/ab/abcdef... for a valid digest (newly allocated). */
char *mcp_cache_blob_path(const char *dir, const char *digest);
/* DIR/trees/sha256/abcdef... (newly allocated). */
char *mcp_cache_tree_path(const char *dir, const char *digest);

/* mkdir -p: each component it creates gets exactly MODE, whatever the
 * umask; existing components are left as they are. */
int mcp_mkdir_p(const char *path, mode_t mode, struct mcp_err *e);

/* "A/B" (newly allocated). */
char *mcp_path_join(const char *a, const char *b);

#endif
