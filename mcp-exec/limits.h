/*
 * limits.h: the resource limits (setrlimit) a run gets, planned in the
 * parent and applied in the child before execve.
 *
 * rlimits are the backstop: a cgroup, when there is one, is the real bound
 * on memory, pids and CPU; the rlimits still hold when there is none.
 * RLIMIT_AS is never set: V8, Go and the JVM reserve far more address
 * space than they use and fail under it.
 */
#ifndef MCP_EXEC_LIMITS_H
#define MCP_EXEC_LIMITS_H

#include <jansson.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "spec.h"

/* The values themselves (RLIMIT_FSIZE 1 GiB, RLIMIT_DATA at least 64 MiB
 * so that a tiny memory limit still lets ld.so work) are common/sandbox.h's,
 * shared with mcp-policy --oci. */

struct rlimits_plan {
	rlim_t nofile;
	rlim_t nproc;
	rlim_t cpu_soft, cpu_hard;
	rlim_t data;
	rlim_t fsize;
};

/*
 * Plan the rlimits for L, for a server that will run as UID.  Without a
 * pids cgroup (PIDS_CGROUP 0), counts the tasks UID already has for
 * RLIMIT_NPROC (per user, see limits.c); with one, nproc is RLIM_INFINITY:
 * not set.
 */
void limits_plan(const struct spec_limits *l, uid_t uid, int pids_cgroup,
                 struct rlimits_plan *p);

/*
 * Apply P in the child.  Returns 0 when everything was applied as
 * planned, 1 when a limit had to be lowered (WHY says which), -1 on
 * failure (WHY says why; errno set).
 */
int limits_apply(struct rlimits_plan *p, char *why, size_t n);

/* {"nofile": N, "nproc": N or null, "cpu_seconds": N, ...} */
json_t *limits_json(const struct rlimits_plan *p);

#endif
