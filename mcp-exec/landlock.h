/*
 * landlock.h: the Landlock ruleset, the best ABI the kernel offers.
 *
 * The parent lists the rules before fork (the paths and their rights,
 * the executables found from the entrypoint); the child, after
 * no_new_privs and before the system call filter, opens each path, adds
 * the rules and restricts itself: no allocation in the child.
 */
#ifndef MCP_EXEC_LANDLOCK_H
#define MCP_EXEC_LANDLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "spec.h"

#define LL_MAX_RULES (SPEC_MAX_GRANTS + 24)

struct ll_rule {
	char path[4096];
	uint64_t access; /* in terms of the full ABI; masked in the child */
	int optional;    /* a path that may be missing */
	int root_only;   /* only under the private root */
};

struct landlock_plan {
	int wanted;
	struct ll_rule *rules; /* allocated by the parent */
	size_t nrules;
	int net_none;                  /* no TCP at all */
	int net_host;                  /* TCP not restricted */
	const unsigned short *ports;   /* connect: allowed ports */
	size_t nports;
	unsigned short bind_port;      /* bind: allowed port, or 0 */
};

/* List the rules for S. */
void landlock_plan_make(struct landlock_plan *p, const struct mcp_spec *s);

/*
 * Child: build and enforce the ruleset.  Returns 0 with STATUS (applied,
 * degraded: ..., skipped: ...), or -1 with WHY (the run is refused).
 */
int landlock_apply(const struct landlock_plan *p, int private_root,
                   char *status, size_t ns, char *why, size_t n);

void landlock_plan_free(struct landlock_plan *p);

#endif
