/*
 * seccomp.h: the server's system call filter.
 *
 * The parent compiles the filter (libseccomp, plus a short hand-written
 * prefix) into a BPF program before fork; the child only loads it, last,
 * right before execve (and the init of the pid namespace loads the same
 * one), so nothing allocates under the run's limits.
 */
#ifndef MCP_EXEC_SECCOMP_H
#define MCP_EXEC_SECCOMP_H

#include <linux/filter.h>
#include <stddef.h>

#include "layers.h"
#include "spec.h"

struct seccomp_plan {
	struct sock_filter *prog; /* NULL: not loaded (see status) */
	unsigned short len;
	char status[LAYER_TEXT]; /* what the layer is when loaded, or why
	                            it is skipped */
};

/* Compile the filter for S.  Never fails: a filter that cannot be built
 * leaves prog NULL and the reason in status. */
void seccomp_plan_make(struct seccomp_plan *p, const struct mcp_spec *s);

/* Child, no_new_privs set: load it.  0, or -1 with errno. */
int seccomp_plan_load(const struct seccomp_plan *p);

void seccomp_plan_free(struct seccomp_plan *p);

#endif
