/*
 * ns.h: namespaces, the private root and the minimal init.
 *
 * The parent prepares an ns_plan before fork (and the user database's
 * names while the child starts), starts the child with clone() in a
 * new pid namespace (and, run rootless, a new user namespace whose maps
 * it writes), and the child unshares the mount, ipc, uts and (network
 * modes none and allowlist) net namespaces, joins its cgroups, unshares
 * the cgroup namespace and builds the private root (mcp-exec(1), "Namespaces and the private
 * root").  In a pid namespace the child is pid 1: it forks the server and
 * stays as its init (ns_init), reaping, forwarding signals and reporting
 * the server's wait status to the parent.
 */
#ifndef MCP_EXEC_NS_H
#define MCP_EXEC_NS_H

#include <stddef.h>
#include <sys/types.h>

#include "layers.h"
#include "spec.h"

/* A secret delivered as /run/secrets/NAME (values wiped by the parent). */
struct ns_secret {
	const char *name;
	char *value;
};

struct ns_plan {
	const struct mcp_spec *s;
	int wanted;        /* the namespaces layer is not disabled */
	int clone_flags;   /* CLONE_NEWPID [| CLONE_NEWUSER] */
	int unshare_flags; /* the others, unshared in the child */
	int pidns;         /* the child is pid 1 of a new pid namespace */
	int userns;        /* ... and in a new user namespace */
	int in_cgroup;     /* born in the run's v2 cgroup (ns_fork) */
	int unshare_err;   /* errno of ns_unshare, or 0 */
	int root;          /* the child built the private root */
	uid_t map_uid;     /* rootless: the caller, mapped to itself */
	gid_t map_gid;
	unsigned long long tmp_bytes; /* size of the private /tmp */
	char passwd[512];  /* the private root's /etc/passwd */
	char group[256];   /* ... and /etc/group */
	char note[LAYER_TEXT]; /* why a part is missing, or "" */
	struct ns_secret *secrets; /* for /run/secrets, set by the parent */
	size_t nsecrets;
	uid_t server_uid;
	gid_t server_gid;
};

/* Decide what to unshare for SPEC, run as SERVER_UID:SERVER_GID. */
void ns_plan_make(struct ns_plan *p, const struct mcp_spec *s,
                  uid_t server_uid, gid_t server_gid);

/* The private root's /etc/passwd and /etc/group, with names from the
 * host's user database (which can be slow: called after the child is
 * started, and sent to it with the 'c' go-ahead, confine.h). */
void ns_plan_names(struct ns_plan *p);

/*
 * fork(), or clone() into the plan's new namespaces.  When clone() is
 * refused, falls back to fork() and notes why in P (the layer is then
 * recorded as skipped).  With CGROUP_FD (of the run's v2 cgroup, or -1)
 * it first tries clone3() with CLONE_INTO_CGROUP and, when the kernel
 * takes it, sets P->in_cgroup.  Returns what fork() returns.
 */
pid_t ns_fork(struct ns_plan *p, int cgroup_fd);

/* Parent: write the user namespace's maps for child PID.  -1 with WHY. */
int ns_write_maps(const struct ns_plan *p, pid_t pid, char *why, size_t n);

/*
 * Child, first: unshare the mount, ipc, uts and net namespaces (the net
 * one is the slow part, done while the parent sets up the cgroups).  A
 * refusal is kept for ns_enter to report.
 */
void ns_unshare(struct ns_plan *p);

/*
 * Child, then, in its cgroups: unshare the cgroup namespace (rooted at
 * the run's cgroups) and build the private root.
 * Returns 0 and sets STATUS ("applied", "degraded: ..." or "skipped:
 * ..."), or -1 with WHY when it failed half-way (the run is refused).
 */
int ns_enter(struct ns_plan *p, char *status, size_t ns, char *why,
             size_t n);

/*
 * Child, pid 1 of its namespace: fork the server.  Returns 0 in the
 * server; in the init, which first calls LOCK(ARG) (the system call
 * filter) and gives up, killing the server, if that fails, it never returns: it waits for the server, reaps
 * every other process, forwards SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1,
 * SIGUSR2 and SIGWINCH to the server, calls REPORT(ARG, wait status)
 * when the server ends and exits (which kills the namespace).
 */
int ns_init(int (*lock)(void *), void (*report)(void *, int), void *arg);

#endif
