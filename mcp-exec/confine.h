/*
 * confine.h: the child side of a run, from fork to execve.
 *
 * confine_exec() applies every layer in one fixed order (mcp-exec(1),
 * STYLE.md), reports each layer's status to the parent as a fixed-size
 * message on a SOCK_SEQPACKET pair, and execs.  It never returns: on
 * failure it sends a MSG_FAIL message and exits 125, 126 or 127.
 *
 * The parent starts the child first and prepares the rest while the
 * child unshares its namespaces (two cores work at once), so the child
 * reads three go-aheads from a close-on-exec pipe:
 *   'g'  the user namespace's maps are written;
 *   'c'  the run's cgroups exist with their limits, followed by the
 *        rlimits plan, the private root's passwd and group files and
 *        the v1 directories, which the child joins now (cgroup.h);
 *   'x'  the start record is written, followed by the length and the
 *        instructions of the system call filter the parent compiled
 *        meanwhile (0: none).
 * A short read (the parent died or refused) ends the child with 125.
 */
#ifndef MCP_EXEC_CONFINE_H
#define MCP_EXEC_CONFINE_H

#include "identity.h"
#include "landlock.h"
#include "layers.h"
#include "limits.h"
#include "cgroup.h"
#include "ns.h"
#include "seccomp.h"
#include "spec.h"

/* MSG_EXIT: from the init of a pid namespace, the server's wait status
 * in code. */
/* MSG_NETFDS: network mode allowlist, the relay's sockets (code of them,
 * relay.h order) as SCM_RIGHTS on the message. */
enum { MSG_LAYER = 1, MSG_READY, MSG_FAIL, MSG_EXIT, MSG_NETFDS };

/* One message, small enough that a pipe write of it is atomic. */
struct child_msg {
	int type;
	int layer; /* MSG_LAYER: enum layer */
	int code;  /* MSG_FAIL: the exit code, 125..127 */
	int err;   /* MSG_FAIL: errno, or 0 */
	char text[LAYER_TEXT];
};

struct confine_plan {
	const struct mcp_spec *spec;
	char **envp;
	struct rlimits_plan rl; /* filled from the 'c' go-ahead */
	struct identity id;
	struct ns_plan *ns;
	struct seccomp_plan sc; /* filled from the 'x' go-ahead */
	const struct landlock_plan *ll;
	int status_fd; /* write end, to the parent (a SOCK_SEQPACKET) */
	int go_fd;     /* read end, from the parent */
};

void confine_exec(struct confine_plan *p) __attribute__((noreturn));

/* Parent: the go-aheads, on the pipe's write end FD.  -1 on error. */
int confine_go_maps(int fd);
int confine_go_cgroups(int fd, const struct rlimits_plan *rl,
                       const struct cgroup_run *cg, const struct ns_plan *ns);
int confine_go_exec(int fd, const struct seccomp_plan *sc);

#endif
