/*
 * config.h: configuration files (mcp-config(5)) and their precedence.
 *
 * Files, in order: the system file (MCP_SYSTEM_CONFIG, /etc/mcp/config.yaml
 * by default), then $XDG_CONFIG_HOME/mcp/config.yaml (~/.config/...), then
 * each --config FILE.  The first two are optional; a --config file must
 * exist.  Top-level sections: registry, cache, verify, policy, audit; an
 * unknown section or key is an error.
 *
 * Settings (strings and numbers): a later file wins, then the MCP_*
 * environment variables, then the tool's flags (applied by the tool).
 * The policy section is not merged here: every layer is kept, in order, for
 * mcp-policy, which may only tighten an earlier layer with a later one.
 */
#ifndef MCP_CONFIG_H
#define MCP_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "yaml.h"

#define MCP_CONFIG_MAX_FILES 16

/* One loaded file and where its sections are (borrowed from doc). */
struct mcp_config_layer {
	struct mcp_ydoc *doc;                  /* owned */
	int system;                            /* 1 for the system-wide file */
	const struct mcp_ynode *registry, *cache, *verify, *policy, *audit;
};

struct mcp_config {
	struct mcp_config_layer layers[MCP_CONFIG_MAX_FILES];
	size_t nlayers;

	/* Resolved settings; NULL/0 when nobody set them.  Owned strings. */
	char *registry;          /* registry.url, $MCP_REGISTRY */
	char *registry_token_file; /* registry.token_file */
	char *registry_cacert;   /* registry.cacert */
	char *cache_dir;         /* cache.dir, $MCP_CACHE_DIR */
	char *audit_log;         /* audit.log, $MCP_AUDIT_LOG */
	char **interpreters;     /* verify.interpreters (NULL-terminated) or NULL */
	/* audit.redact: key globs of every file, in file order (they add
	 * up: a later file cannot take back a redaction), NULL-terminated;
	 * NULL when no file has any. */
	char **audit_redact;
	size_t naudit_redact;
	int audit_syslog;        /* audit.syslog; a later file wins; 0 if unset */
};

void mcp_config_init(struct mcp_config *c);
void mcp_config_release(struct mcp_config *c);

/*
 * Load the system file, the user file, then FILES[0..NFILES).  Then apply
 * the MCP_REGISTRY, MCP_CACHE_DIR and MCP_AUDIT_LOG environment variables.
 * If SKIP_DEFAULTS is set, only FILES are read (for --check of one file).
 */
int mcp_config_load(struct mcp_config *c, char *const *files, size_t nfiles,
		    int skip_defaults, struct mcp_err *e);

/* The path of the user's file ($XDG_CONFIG_HOME/mcp/config.yaml); newly
 * allocated, or NULL if neither XDG_CONFIG_HOME nor HOME is set. */
char *mcp_config_user_path(void);

#endif
