/*
 * cgroup.h: one cgroup per run, on cgroup v2, v1, or both (hybrid).
 *
 * The parent creates the run's cgroup(s) before fork, sets the limits,
 * and moves the child in before the child may execve (supervise.c), so
 * the server never runs a single instruction outside them.  Each
 * controller (memory, pids, cpu) is taken from v2 when the unified
 * hierarchy can delegate it, else from its v1 hierarchy.  A v2 cgroup
 * is also created where possible without controllers, for cgroup.kill
 * and membership.  Paths are owned by the struct; errors are strings.
 */
#ifndef MCP_EXEC_CGROUP_H
#define MCP_EXEC_CGROUP_H

#include <limits.h>

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "spec.h"

enum cg_ctl { CG_MEMORY, CG_PIDS, CG_CPU, CG_NCTL };

struct host_view;

struct cgroup_run {
	char *ctl[CG_NCTL];      /* the run's directory per controller */
	int ctl_v[CG_NCTL];      /* 1 or 2 */
	char *unified;           /* the run's v2 cgroup, or NULL */
	char *dirs[CG_NCTL + 1]; /* every directory created, for removal */
	size_t ndirs;
	/* Between cgroup_prepare and cgroup_finish: */
	struct host_view *view;  /* the mount table and our own cgroups */
	char *v2_parent;         /* our own v2 cgroup, or NULL */
	int v2_errno;            /* why the run's v2 cgroup is missing */
};

/* Room for the v1 list: a path per controller. */
#define CGROUP_V1_LIST_MAX (CG_NCTL * PATH_MAX)

void cgroup_init(struct cgroup_run *c);

/*
 * Create the run's cgroups (named mcp-exec.PID) and set limits L.  STATUS
 * gets the layer status: "applied", "degraded: ..." or "skipped: ...".
 * Returns 0 (even when skipped: that is a status, not an error).
 * cgroup_create is cgroup_prepare, which creates only the v2 cgroup (for
 * CLONE_INTO_CGROUP), then cgroup_finish, which does the rest: between
 * the two the child can be started and go on with its own set-up.
 * cgroup_finish needs cgroup_prepare first, always.
 */
int cgroup_create(struct cgroup_run *c, const struct spec_limits *l,
                  char *status, size_t n);
void cgroup_prepare(struct cgroup_run *c);
int cgroup_finish(struct cgroup_run *c, const struct spec_limits *l,
                  char *status, size_t n);

/*
 * Joining costs.  Moving a process into a cgroup by writing its pid to
 * cgroup.procs takes the kernel's global threadgroup lock for writing,
 * which waits for an RCU grace period (12-16 ms on an idle HZ=250
 * kernel) unless the hierarchy is mounted with favordynmods.  Two ways
 * avoid it: a child born into its v2 cgroup (clone3 CLONE_INTO_CGROUP,
 * with the fd of cgroup_unified_fd), and a single-threaded child that
 * moves itself into its v1 cgroups by writing "0" to their "tasks" files
 * (the kernel skips the lock for the calling thread).  The parent
 * writes cgroup.procs only when clone3 was refused (cgroup_join_unified).
 */

/* An O_PATH fd of the run's v2 cgroup for CLONE_INTO_CGROUP, or -1. */
int cgroup_unified_fd(const struct cgroup_run *c);

/* Move PID into the run's v2 cgroup through cgroup.procs: the fallback
 * when the child could not be born there.  -1 with WHY. */
int cgroup_join_unified(struct cgroup_run *c, pid_t pid, char *why,
                        size_t n);

/* The run's v1 directories, each NUL-terminated, into BUF (of N bytes):
 * for the child, started before they existed.  Returns the length, or
 * (size_t)-1 when they do not fit. */
size_t cgroup_v1_list(const struct cgroup_run *c, char *buf, size_t n);

/*
 * In the (single-threaded) child, before it runs anything but set-up:
 * move the calling process into the directories of LIST (LEN bytes, from
 * cgroup_v1_list).  Only open(2) and write(2).  -1 with WHY.
 */
int cgroup_join_self(const char *list, size_t len, char *why, size_t n);

/* Is there any cgroup that holds every process of the run? */
int cgroup_tracks(const struct cgroup_run *c);

/* Send SIG to every process of the run (cgroup.kill for SIGKILL on v2).
 * Returns the number of processes signalled (1 for cgroup.kill), 0 when
 * none is left, -1 when the run has no tracking cgroup. */
int cgroup_signal(struct cgroup_run *c, int sig);

/* OOM kills in the run since cgroup_create, or 0. */
uint64_t cgroup_oom_kills(const struct cgroup_run *c);

/* Peak memory of the run in bytes, or 0 when unknown. */
uint64_t cgroup_peak(const struct cgroup_run *c);

/* {"memory": "/sys/fs/cgroup/memory/…", "pids": …, "cpu": …,
 * "unified": …}; null members for what is missing. */
json_t *cgroup_json(const struct cgroup_run *c);

/* Remove the run's cgroups (waiting briefly for exiting tasks), free.
 * Returns how many could not be removed, the first one named in LEFT. */
int cgroup_release(struct cgroup_run *c, char *left, size_t n);

/* For --probe: fill OUT with what this machine offers. */
json_t *cgroup_probe(void);

#endif
