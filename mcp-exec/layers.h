/*
 * layers.h: the confinement layers and what happened to each.
 *
 * Every run records every layer as "applied", "degraded: REASON" or
 * "skipped: REASON" (DESIGN.md invariant 6: never claim a protection that
 * was not applied).  The order of the enum is the order of the names in
 * mcp_spec_layers[]; the order confine() applies them in is fixed in
 * confine.c and printed in mcp-exec(1).
 */
#ifndef MCP_EXEC_LAYERS_H
#define MCP_EXEC_LAYERS_H

#include <stdarg.h>
#include <stddef.h>

enum layer {
	L_FDS,
	L_ENV,
	L_CGROUP,
	L_NS,
	L_RLIMITS,
	L_CAPS,
	L_IDENTITY,
	L_NNP,
	L_LANDLOCK,
	L_SECCOMP,
	L_TIMEOUT,
	L_COUNT
};

#define LAYER_TEXT 200

struct layers {
	char st[L_COUNT][LAYER_TEXT];
};

/* Set layer L's status ("applied", "degraded: ...", "skipped: ..."). */
void layer_set(struct layers *ls, enum layer l, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Is layer L fully applied? */
int layer_applied(const struct layers *ls, enum layer l);

#endif
