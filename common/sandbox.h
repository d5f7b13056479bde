/*
 * sandbox.h: what every target of an mcp.spec/v1 applies the same way,
 * computed in one place so that mcp-exec's own confinement and the OCI
 * runtime bundle mcp-policy --oci writes can never drift apart:
 *   - the system call filter, as a table of rules (mcp-exec(1), "The
 *     system call filter"): mcp-exec compiles it with libseccomp, and
 *     mcp-policy writes it as the bundle's linux.seccomp section;
 *   - the resource limits (rlimits) derived from the spec's limits.
 *
 * Pure data and arithmetic: nothing here allocates, prints or links more
 * than libc, so mcp-exec keeps linking only libc, jansson and libseccomp.
 */
#ifndef MCP_SANDBOX_H
#define MCP_SANDBOX_H

#include <stddef.h>
#include <stdint.h>

/*
 * Comparison operators, numbered as libseccomp's enum scmp_compare (so
 * mcp-exec passes them through; seccomp.c checks the numbers at compile
 * time), named as the OCI runtime specification writes them.
 */
enum mcp_sandbox_op {
	MCP_SANDBOX_NE = 1,
	MCP_SANDBOX_LT = 2,
	MCP_SANDBOX_LE = 3,
	MCP_SANDBOX_EQ = 4,
	MCP_SANDBOX_GE = 5,
	MCP_SANDBOX_GT = 6,
	MCP_SANDBOX_MASKED_EQ = 7, /* (arg & a) == b */
};

/* One argument comparison.  A and B are libseccomp's datum_a and datum_b
 * (the OCI "value" and "valueTwo"): for MASKED_EQ, the mask and the
 * value; for the others, B is unused. */
struct mcp_sandbox_arg {
	unsigned index;
	enum mcp_sandbox_op op;
	uint64_t a, b;
};

/*
 * One rule: the system call NAME (as libseccomp names it; a name this
 * architecture does not have is skipped by both consumers) fails with
 * errno ERR when every comparison holds.  At most one comparison per
 * argument: libseccomp's and runc's readings of two comparisons of the
 * same argument differ (runc makes them alternatives), so the table
 * never has any.
 */
#define MCP_SANDBOX_MAX_ARGS 2
struct mcp_sandbox_rule {
	const char *name;
	int err;
	unsigned nargs;
	struct mcp_sandbox_arg args[MCP_SANDBOX_MAX_ARGS];
};

/*
 * Call FN once per rule of the filter of a server that may (SUBPROCESS
 * 1) or may not start programs, in a fixed order.  Stops at the first
 * non-zero return of FN and returns it; 0 when every rule was given.
 * Everything not named is allowed (a deny-list); a foreign architecture
 * (and x32 on x86-64) is for the consumer to kill.
 */
int mcp_sandbox_rules(int subprocess,
                      int (*fn)(const struct mcp_sandbox_rule *, void *),
                      void *arg);

/* "SCMP_CMP_NE", ... for the OCI document. */
const char *mcp_sandbox_op_name(enum mcp_sandbox_op op);

/* The native architecture as the OCI seccomp section names it
 * ("SCMP_ARCH_X86_64"), or NULL when this file does not know it. */
const char *mcp_sandbox_oci_arch(void);

/* The rlimits of a run (mcp-exec(1), "Limits"), from the spec's limits. */
#define MCP_SANDBOX_FSIZE (1ULL << 30)     /* RLIMIT_FSIZE: 1 GiB */
#define MCP_SANDBOX_DATA_MIN (64ULL << 20) /* RLIMIT_DATA floor */
struct mcp_sandbox_rlimits {
	uint64_t nofile;   /* RLIMIT_NOFILE, soft = hard: limits.fds */
	uint64_t cpu_soft; /* RLIMIT_CPU: timeout seconds x CPUs granted */
	uint64_t cpu_hard; /* cpu_soft + 5: SIGXCPU, then SIGKILL */
	uint64_t data;     /* RLIMIT_DATA: 2 x memory, at least 64 MiB */
	uint64_t fsize;    /* RLIMIT_FSIZE */
	uint64_t core;     /* RLIMIT_CORE: 0 */
};
void mcp_sandbox_rlimits(uint64_t cpu_millicores, uint64_t memory_bytes,
                         uint64_t fds, uint64_t timeout_ms,
                         struct mcp_sandbox_rlimits *r);

/* The CFS period of the CPU quota (100 ms, the kernel's default) and the
 * quota for CPU_MILLICORES (at least the kernel's minimum, 1 ms). */
#define MCP_SANDBOX_CPU_PERIOD_US 100000ULL
uint64_t mcp_sandbox_cpu_quota(uint64_t cpu_millicores);

#endif
