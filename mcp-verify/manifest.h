/*
 * manifest.h: validate a package manifest (client or hub format,
 * FORMATS.md and mcp-verify(1)) field by field and normalise it into the
 * "server" member of the mcp.verified/v1 document.
 *
 * Errors are MCP_ERR_VERIFY records whose message starts with the JSON path
 * of the offending member ("entrypoints[1].arch: must be amd64 or arm64").
 * Nothing here touches the file system: the checks that need the extracted
 * tree (the command exists, is executable, stays inside) are done by the
 * caller with the fields this module leaves in struct mcp_manifest.
 */
#ifndef MCP_VERIFY_MANIFEST_H
#define MCP_VERIFY_MANIFEST_H

#include <jansson.h>
#include <stdint.h>

#include "err.h"

/* Upper bound of a manifest (FORMATS.md). */
#define MCP_MANIFEST_MAX (10u * 1024 * 1024)

/* Interpreters allowed as a bare command when the configuration is silent. */
extern const char *const mcp_manifest_default_interpreters[];

enum mcp_manifest_format { MCP_MANIFEST_CLIENT, MCP_MANIFEST_HUB };

struct mcp_manifest {
	enum mcp_manifest_format format;
	char *schema_version; /* normalised to a string ("1", "1.0") */
	char *package;        /* package.id */
	char *version;        /* package.version */
	char *git_sha;        /* or NULL */
	char *bundle_digest;  /* client format only, else NULL */
	uint64_t bundle_size; /* client format only, else 0 */

	/*
	 * The normalised server member: transport, entrypoint (os, arch,
	 * command, args, env, workdir), permissions and limits.  The caller
	 * adds entrypoint.interpreter and entrypoint.argv once the tree
	 * exists.  Owned.
	 */
	json_t *server;

	/* The selected entrypoint, for the caller's checks on the tree. */
	char *interpreter;  /* bare interpreter name, or NULL */
	char *command_path; /* in-bundle command, normalised, or NULL */
	char *workdir;      /* normalised relative directory ("." = root) */
	char *command_at;   /* JSON path of the command, for messages */
};

void mcp_manifest_init(struct mcp_manifest *m);
void mcp_manifest_release(struct mcp_manifest *m);

/*
 * Validate ROOT (a parsed manifest) and fill M.  OS and ARCH select the
 * entrypoint ("linux", "amd64").  INTERPRETERS is the NULL-terminated
 * allowlist of bare command names (NULL means the default list).
 * Returns 0, or -1 with E filled (MCP_ERR_VERIFY, message starting with
 * the JSON path).
 */
int mcp_manifest_parse(const json_t *root, const char *os, const char *arch,
                       const char *const *interpreters, struct mcp_manifest *m,
                       struct mcp_err *e);

/*
 * Normalise a path relative to the bundle root lexically: drop "." and
 * empty components; a ".." is refused, or with RESOLVE_DOTDOT removes the
 * previous component and is refused only when it would leave the root.
 * An absolute path, control characters and (unless ALLOW_ROOT) the root
 * itself are refused.  Returns a new string ("." for the root), or NULL
 * with *WHY set to a static reason.
 */
char *mcp_manifest_relpath(const char *s, int allow_root, int resolve_dotdot,
                           const char **why);

/* 1 if NAME is a package runner refused as a command (npx, uvx, ...). */
int mcp_manifest_is_runner(const char *name);

#endif
