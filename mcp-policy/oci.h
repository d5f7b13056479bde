/*
 * oci.h: an mcp.spec/v1 document as an OCI runtime bundle (config.json and
 * rootfs/), for crun, runc and what runs on them (mcp-policy --oci).
 *
 * Ownership: the caller keeps the spec; the functions return malloc'd
 * strings or fill an error record (MCP_ERR_RUNTIME: the directory, a file
 * of the tree, a write), and never print.  A bundle is built in a
 * temporary directory next to DIR and renamed into place last, so DIR is
 * either absent (or left empty) or a complete bundle.
 */
#ifndef MCP_POLICY_OCI_H
#define MCP_POLICY_OCI_H

#include <jansson.h>

#include "err.h"

/* Where the bundle tree is inside the container: process.args and
 * process.cwd are rewritten from the host path of the tree to it. */
#define MCP_OCI_TREE "/mcp/bundle"

/* The uid and gid the server runs as in the container (nobody). */
#define MCP_OCI_UID 65534

/*
 * Check that DIR can become a bundle (absent, or an empty directory, in
 * an existing directory) and return its absolute path, or NULL.
 */
char *mcp_oci_target(const char *dir, struct mcp_err *e);

/*
 * Build the config.json of SPEC (an mcp.spec/v1 with its "oci" member).
 * A new reference; NULL (E set) when SPEC cannot be expressed at all.
 */
json_t *mcp_oci_config(const json_t *spec, struct mcp_err *e);

/*
 * Write the bundle of SPEC into DIR (as mcp_oci_target() returned it):
 * config.json, and rootfs/ with the tree copied to MCP_OCI_TREE and the
 * mount points of the runtime paths.  0, or -1 with nothing left behind.
 */
int mcp_oci_write(const char *dir, const json_t *spec, struct mcp_err *e);

#endif
