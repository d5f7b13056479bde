/*
 * paths.h: the XDG directories, the cache layout, and small path helpers.
 *
 * Cache layout (mcp-fetch(1)):
 *   DIR/sha256/ab/abcdef...        blobs named by their digest
 *   DIR/trees/sha256/abcdef.../    extracted bundle trees, read-only
 * All directories mcp-tools creates are mode 0700.
 */
#ifndef MCP_PATHS_H
#define MCP_PATHS_H

#include <sys/types.h>

#include "config.h"
#include "err.h"

enum mcp_xdg { MCP_XDG_CACHE, MCP_XDG_CONFIG, MCP_XDG_STATE };

/* "$XDG_<X>_HOME/mcp" (or "$HOME/.cache/mcp", ...), newly allocated.  A
 * relative XDG variable is ignored, as the XDG spec says. */
char *mcp_xdg_dir(enum mcp_xdg which, struct mcp_err *e);

/* The cache directory: FLAG, else the config/env value, else XDG. */
char *mcp_cache_dir(const char *flag, const struct mcp_config *c,
		    struct mcp_err *e);

/* DIR/sha256/ab/abcdef... for a valid digest (newly allocated). */
char *mcp_cache_blob_path(const char *dir, const char *digest);
/* DIR/trees/sha256/abcdef... (newly allocated). */
char *mcp_cache_tree_path(const char *dir, const char *digest);

/* mkdir -p with MODE for each created component. */
int mcp_mkdir_p(const char *path, mode_t mode, struct mcp_err *e);

/* "A/B" (newly allocated). */
char *mcp_path_join(const char *a, const char *b);

#endif
