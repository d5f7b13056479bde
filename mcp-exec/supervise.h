/*
 * supervise.h: one run, from the spec to the exit status.
 *
 * supervise_run() builds the environment, creates the cgroup, forks the
 * child (confine.c), joins it to the cgroup, writes the start record,
 * lets it exec, forwards signals, enforces the timeout, reaps everything
 * the run started, removes the cgroup and writes the end record.  It
 * prints only through the error record and, for warnings and -v, the
 * options' program name; it returns the exit status for main.
 */
#ifndef MCP_EXEC_SUPERVISE_H
#define MCP_EXEC_SUPERVISE_H

#include "err.h"
#include "identity.h"
#include "spec.h"

struct run_opts {
	const char *prog;
	int quiet, verbose;
	unsigned long long grace_ms; /* TERM to KILL after a timeout */
	unsigned long long hangup_grace_ms; /* stdin closed to TERM */
	int records_fd;              /* -1: none */
	const char *secrets_file;    /* --secrets-file, or NULL */
	struct identity id;
};

/*
 * Run the spec.  Returns the exit status (the server's, 128+N, 124, or
 * 125..127 with E filled, or 1 with E filled for a failure of mcp-exec
 * itself).  A failure to write the end record is a warning only.
 */
int supervise_run(const struct mcp_spec *s, const struct run_opts *o,
                  struct mcp_err *e);

#endif
