/*
 * probe.h: mcp-exec --probe, what this kernel and this user allow.
 *
 * Every answer comes from trying the mechanism in a throwaway child (or,
 * for cgroups, creating and removing a cgroup), never from a version
 * number: a kernel can be configured without a feature, and a user or a
 * container may be denied one.
 */
#ifndef MCP_EXEC_PROBE_H
#define MCP_EXEC_PROBE_H

#include <jansson.h>
#include <stdio.h>

/* The mcp.probe/v1 document (a new reference). */
json_t *probe_run(void);

/* One "name: value" line per leaf member of DOC, without "kind". */
void probe_print(FILE *f, const json_t *doc);

#endif
