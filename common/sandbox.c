/*
 * sandbox.c: the system call filter's rules and the rlimit arithmetic,
 * shared by mcp-exec (which applies them) and mcp-policy --oci (which
 * writes them into an OCI runtime bundle).  See sandbox.h.
 *
 * Invariant: one table.  A rule added here reaches both targets; neither
 * keeps a list of its own (issue 11).
 */
#include <mcp-config.h>

#include <errno.h>
#include <sched.h>
#include <sys/socket.h>

#include "sandbox.h"

/* Refused outright (EPERM): the kernel's attack surface that an MCP
 * server has no use for. */
static const char *const denied[] = {
    "init_module",
    "finit_module",
    "delete_module",
    "create_module",
    "kexec_load",
    "kexec_file_load",
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "keyctl",
    "add_key",
    "request_key",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "mount",
    "umount",
    "umount2",
    "fsmount",
    "fsopen",
    "fsconfig",
    "fspick",
    "move_mount",
    "open_tree",
    "mount_setattr",
    "unshare",
    "setns",
    "pivot_root",
    "chroot",
    "swapon",
    "swapoff",
    "reboot",
    "settimeofday",
    "stime",
    "clock_settime",
    "clock_settime64",
    "clock_adjtime",
    "clock_adjtime64",
    "adjtimex",
    "acct",
    "quotactl",
    "quotactl_fd",
    "lookup_dcookie",
    "open_by_handle_at",
    "name_to_handle_at",
    "iopl",
    "ioperm",
    "vhangup",
    "syslog",
    "nfsservctl",
    "uselib",
    "kcmp",
    "_sysctl",
    NULL,
};

/* The namespace flags clone() must not carry. */
static const unsigned long ns_flags[] = {
    CLONE_NEWNS,  CLONE_NEWUSER, CLONE_NEWPID,    CLONE_NEWNET,
    CLONE_NEWIPC, CLONE_NEWUTS,  CLONE_NEWCGROUP,
};

/* Emit one rule through FN; a non-zero answer stops the walk. */
#define EMIT(nm, e, n, ...)                                                    \
	do {                                                                   \
		struct mcp_sandbox_rule r_ = {nm, e, n, {__VA_ARGS__}};        \
		if ((rc = fn(&r_, arg)) != 0)                                  \
			return rc;                                             \
	} while (0)
#define A(i, o, x)                                                             \
	{                                                                      \
		i, MCP_SANDBOX_##o, (uint64_t)(x), 0                           \
	}
#define M(i, mask, x)                                                          \
	{                                                                      \
		i, MCP_SANDBOX_MASKED_EQ, (uint64_t)(mask), (uint64_t)(x)      \
	}

/*
 * personality(): only 0 (PER_LINUX) and 0xffffffff (the query) pass.  One
 * comparison per rule (sandbox.h): anything above 32 bits is refused, and
 * a 32-bit value that is neither all zeros nor all ones has, read as a
 * ring, a set bit followed by a clear one: one masked rule per pair of
 * neighbouring bits catches every such value and neither of the two.
 */
static int
personality_rules(int (*fn)(const struct mcp_sandbox_rule *, void *), void *arg)
{
	unsigned i;
	int rc;

	EMIT("personality", EPERM, 1, A(0, GT, 0xffffffffULL));
	for (i = 0; i < 32; i++) {
		uint64_t bit = 1ULL << i, next = 1ULL << ((i + 1) % 32);

		EMIT("personality", EPERM, 1, M(0, bit | next, bit));
	}
	return 0;
}

/*
 * Sockets: AF_UNIX, AF_INET, AF_INET6 and NETLINK_ROUTE only; no raw
 * (but netlink) or packet sockets; TCP and UDP only over IP (no MPTCP,
 * SCTP, UDP-Lite, ICMP).  One rule per refused value or range.
 */
static int
socket_rules(int (*fn)(const struct mcp_sandbox_rule *, void *), void *arg)
{
	static const int inet[] = {AF_INET, AF_INET6};
	int d, i, rc;

	for (d = 0; d <= AF_NETLINK; d++) {
		if (d == AF_UNIX || d == AF_INET || d == AF_INET6 ||
		    d == AF_NETLINK)
			continue;
		EMIT("socket", EAFNOSUPPORT, 1, A(0, EQ, d));
	}
	EMIT("socket", EAFNOSUPPORT, 1, A(0, GT, AF_NETLINK));
	/* Netlink: NETLINK_ROUTE (0) only, what getaddrinfo() uses. */
	EMIT("socket", EAFNOSUPPORT, 2, A(0, EQ, AF_NETLINK), A(2, NE, 0));
	/* No raw or packet sockets (netlink ones are SOCK_RAW by design). */
	EMIT("socket", EPERM, 2, A(0, NE, AF_NETLINK), M(1, 0xf, SOCK_RAW));
	EMIT("socket", EPERM, 1, M(1, 0xf, SOCK_PACKET));
	for (i = 0; i < 2; i++) {
		for (d = 1; d < 17; d++) {
			if (d == 6)
				continue;
			EMIT("socket", EPROTONOSUPPORT, 2, A(0, EQ, inet[i]),
			     A(2, EQ, d));
		}
		EMIT("socket", EPROTONOSUPPORT, 2, A(0, EQ, inet[i]),
		     A(2, GT, 17));
	}
	EMIT("socketpair", EAFNOSUPPORT, 1, A(0, NE, AF_UNIX));
	return 0;
}

int
mcp_sandbox_rules(int subprocess,
                  int (*fn)(const struct mcp_sandbox_rule *, void *), void *arg)
{
	size_t i;
	int rc;

	for (i = 0; denied[i] != NULL; i++)
		EMIT(denied[i], EPERM, 0, A(0, EQ, 0));
	for (i = 0; i < sizeof(ns_flags) / sizeof(ns_flags[0]); i++)
		EMIT("clone", EPERM, 1, M(0, ns_flags[i], ns_flags[i]));
	/* ENOSYS, so that the C library falls back to clone(), whose flags
	 * a filter can read (clone3 passes them in memory). */
	EMIT("clone3", ENOSYS, 0, A(0, EQ, 0));
	if (!subprocess) {
		/* Threads still work: clone with CLONE_THREAD passes. */
		EMIT("fork", EPERM, 0, A(0, EQ, 0));
		EMIT("vfork", EPERM, 0, A(0, EQ, 0));
		EMIT("clone", EPERM, 1, M(0, CLONE_THREAD, 0));
	}
	if ((rc = personality_rules(fn, arg)) != 0)
		return rc;
	return socket_rules(fn, arg);
}

const char *
mcp_sandbox_op_name(enum mcp_sandbox_op op)
{
	static const char *const names[] = {
	    NULL,          "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",
	    "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ",
	};

	return op >= MCP_SANDBOX_NE && op <= MCP_SANDBOX_MASKED_EQ ? names[op]
	                                                           : NULL;
}

const char *
mcp_sandbox_oci_arch(void)
{
#if defined(__x86_64__)
	return "SCMP_ARCH_X86_64";
#elif defined(__aarch64__)
	return "SCMP_ARCH_AARCH64";
#elif defined(__i386__)
	return "SCMP_ARCH_X86";
#elif defined(__arm__)
	return "SCMP_ARCH_ARM";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return "SCMP_ARCH_PPC64LE";
#elif defined(__s390x__)
	return "SCMP_ARCH_S390X";
#elif defined(__riscv) && __riscv_xlen == 64
	return "SCMP_ARCH_RISCV64";
#else
	return NULL;
#endif
}

void
mcp_sandbox_rlimits(uint64_t cpu_millicores, uint64_t memory_bytes,
                    uint64_t fds, uint64_t timeout_ms,
                    struct mcp_sandbox_rlimits *r)
{
	uint64_t cpus = (cpu_millicores + 999) / 1000;
	uint64_t secs = (timeout_ms + 999) / 1000;

	r->nofile = fds;
	r->cpu_soft = secs * cpus;
	r->cpu_hard = r->cpu_soft + 5;
	r->data = memory_bytes > MCP_SANDBOX_DATA_MIN / 2
	              ? 2 * memory_bytes
	              : MCP_SANDBOX_DATA_MIN;
	r->fsize = MCP_SANDBOX_FSIZE;
	r->core = 0;
}

uint64_t
mcp_sandbox_cpu_quota(uint64_t cpu_millicores)
{
	uint64_t q = cpu_millicores * MCP_SANDBOX_CPU_PERIOD_US / 1000;

	return q < 1000 ? 1000 : q;
}
