/*
 * confine.h: the child side of a run, from fork to execve.
 *
 * confine_exec() applies every layer in one fixed order (mcp-exec(1),
 * STYLE.md), reports each layer's status to the parent as a fixed-size
 * message on a close-on-exec pipe, waits for the parent's go-ahead twice
 * (after the parent moved it into the run's cgroup, and after the parent
 * wrote the start record) and execs.  It never returns: on failure it
 * sends a MSG_FAIL message and exits 125, 126 or 127.
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
	struct rlimits_plan rl;
	struct identity id;
	struct ns_plan *ns;
	const struct cgroup_run *cg; /* the v1 ones are joined by the child */
	const struct seccomp_plan *sc;
	const struct landlock_plan *ll;
	int status_fd; /* write end, to the parent (a SOCK_SEQPACKET) */
	int go_fd;     /* read end, from the parent */
};

void confine_exec(struct confine_plan *p) __attribute__((noreturn));

#endif
