/*
 * identity.h: who the server runs as, and dropping everything else.
 *
 * Started by root, mcp-exec runs the server as an unprivileged uid/gid
 * (65534:65534 unless --user/--group say otherwise; never 0), with no
 * supplementary groups and no capabilities.  Started by anyone else, the
 * server runs as that user, with its capabilities cleared.  The child
 * side (identity_drop_*) runs after fork, before execve; it reports by
 * filling a status string and never prints.
 */
#ifndef MCP_EXEC_IDENTITY_H
#define MCP_EXEC_IDENTITY_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

/* The default uid/gid for a server started by root (the "nobody" ids). */
#define IDENTITY_DEFAULT_ID 65534

struct identity {
	int switch_ids; /* started as root: change to uid/gid */
	uid_t uid;
	gid_t gid;
	int last_cap; /* /proc/sys/kernel/cap_last_cap, read by the parent */
};

/*
 * Decide the server's identity from --user/--group (NULL when not given).
 * USER and GROUP are names or decimal ids; only root may give them; 0 is
 * refused.  Errors are usage errors.
 */
int identity_resolve(const char *user, const char *group, struct identity *id,
                     struct mcp_err *e);

/* Drop the capability bounding set and ambient set (before the uid
 * switch).  Returns 0 applied, 1 degraded (WHY), -1 failed (WHY).  Like
 * every child-side function here, it does not allocate: it runs under
 * the run's rlimits and memory limit. */
int identity_drop_bounding(const struct identity *id, char *why, size_t n);

/* setgroups, setgid, setuid, then check that the old ids cannot be
 * regained.  Returns 0, or -1 with WHY. */
int identity_switch(const struct identity *id, char *why, size_t n);

/* Clear the effective, permitted and inheritable sets and check them.
 * Returns 0, or -1 with WHY. */
int identity_clear_caps(char *why, size_t n);

#endif
