/*
 * seccomp.c: a deny-list filter for the kernel's attack surface.
 *
 * What it refuses (mcp-exec(1), "The system call filter"):
 *  - a foreign architecture's calls, and on x86-64 the x32 ones: the
 *    process is killed (they would bypass every rule below);
 *  - module loading, kexec, bpf, perf_event_open, userfaultfd, the key
 *    management calls, io_uring, ptrace and process_vm_*, every mount
 *    call, unshare, setns, pivot_root, chroot, swap, reboot, the clock
 *    setters, acct, quotactl, lookup_dcookie, the file-handle calls,
 *    iopl/ioperm, vhangup, syslog, nfsservctl, uselib, kcmp: EPERM;
 *  - personality() other than the default persona or the query: EPERM;
 *  - clone() with a CLONE_NEW* flag: EPERM; clone3(): ENOSYS, so that the
 *    C library falls back to clone(), whose flags a filter can read;
 *  - sockets other than AF_UNIX, AF_INET, AF_INET6 and NETLINK_ROUTE:
 *    EAFNOSUPPORT; SOCK_RAW (but for netlink) and SOCK_PACKET: EPERM; an AF_INET/AF_INET6
 *    protocol other than 0, TCP or UDP (MPTCP, SCTP, UDP-Lite, ICMP):
 *    EPROTONOSUPPORT; socketpair() other than AF_UNIX: EAFNOSUPPORT;
 *  - without "subprocess": fork(), vfork() and clone() without
 *    CLONE_THREAD: EPERM (threads still work).
 * Everything else is allowed: a deny-list keeps every interpreter working
 * while closing the calls that escapes and kernel exploits rely on.
 */
#include <mcp-config.h>

#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "seccomp.h"
#include "xalloc.h"

static const char *const denied[] = {
    "init_module",     "finit_module",      "delete_module",
    "create_module",   "kexec_load",        "kexec_file_load",
    "bpf",             "perf_event_open",   "userfaultfd",
    "keyctl",          "add_key",           "request_key",
    "io_uring_setup",  "io_uring_enter",    "io_uring_register",
    "ptrace",          "process_vm_readv",  "process_vm_writev",
    "mount",           "umount",            "umount2",
    "fsmount",         "fsopen",            "fsconfig",
    "fspick",          "move_mount",        "open_tree",
    "mount_setattr",   "unshare",           "setns",
    "pivot_root",      "chroot",            "swapon",
    "swapoff",         "reboot",            "settimeofday",
    "stime",           "clock_settime",     "clock_settime64",
    "clock_adjtime",   "clock_adjtime64",   "adjtimex",
    "acct",            "quotactl",          "quotactl_fd",
    "lookup_dcookie",  "open_by_handle_at", "name_to_handle_at",
    "iopl",            "ioperm",            "vhangup",
    "syslog",          "nfsservctl",        "uselib",
    "kcmp",            "_sysctl",           NULL,
};

/* The namespace flags clone() must not carry. */
static const unsigned long ns_flags[] = {
    CLONE_NEWNS,  CLONE_NEWUSER, CLONE_NEWPID,    CLONE_NEWNET,
    CLONE_NEWIPC, CLONE_NEWUTS,  CLONE_NEWCGROUP,
};

#define RULE(ctx, act, name, ...)                                            \
	do {                                                                 \
		if (seccomp_rule_add(ctx, act, SCMP_SYS(name), __VA_ARGS__) < \
		    0)                                                       \
			goto fail;                                           \
	} while (0)

static int
add_socket_rules(scmp_filter_ctx ctx)
{
	static const int inet[] = {AF_INET, AF_INET6};
	int d, i;

	/* Families: AF_UNIX (1), AF_INET (2), AF_INET6 (10), AF_NETLINK
	 * (16) allowed; one rule per refused value or range, as libseccomp
	 * compares an argument once per rule.  The second datum, read by
	 * SCMP_CMP_MASKED_EQ only, is given as 0 so that no initializer of
	 * the macros' compound literal is missing (clang -Wextra). */
	for (d = 0; d <= AF_NETLINK; d++) {
		if (d == AF_UNIX || d == AF_INET || d == AF_INET6 ||
		    d == AF_NETLINK)
			continue;
		RULE(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), socket, 1,
		     SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)d, 0));
	}
	RULE(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), socket, 1,
	     SCMP_A0(SCMP_CMP_GT, (scmp_datum_t)AF_NETLINK, 0));
	/* Netlink: NETLINK_ROUTE (0) only, what getaddrinfo() uses. */
	RULE(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), socket, 2,
	     SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)AF_NETLINK, 0),
	     SCMP_A2(SCMP_CMP_NE, 0, 0));
	/* No raw or packet sockets (netlink ones are SOCK_RAW by design). */
	RULE(ctx, SCMP_ACT_ERRNO(EPERM), socket, 2,
	     SCMP_A0(SCMP_CMP_NE, (scmp_datum_t)AF_NETLINK, 0),
	     SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, (scmp_datum_t)SOCK_RAW));
	RULE(ctx, SCMP_ACT_ERRNO(EPERM), socket, 1,
	     SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, (scmp_datum_t)SOCK_PACKET));
	/* AF_INET, AF_INET6: protocol 0, TCP (6) or UDP (17). */
	for (i = 0; i < 2; i++) {
		for (d = 1; d < 17; d++) {
			if (d == 6)
				continue;
			RULE(ctx, SCMP_ACT_ERRNO(EPROTONOSUPPORT), socket, 2,
			     SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)inet[i], 0),
			     SCMP_A2(SCMP_CMP_EQ, (scmp_datum_t)d, 0));
		}
		RULE(ctx, SCMP_ACT_ERRNO(EPROTONOSUPPORT), socket, 2,
		     SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)inet[i], 0),
		     SCMP_A2(SCMP_CMP_GT, 17, 0));
	}
	RULE(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), socketpair, 1,
	     SCMP_A0(SCMP_CMP_NE, (scmp_datum_t)AF_UNIX, 0));
	return 0;
fail:
	return -1;
}

static int
add_rules(scmp_filter_ctx ctx, const struct mcp_spec *s)
{
	size_t i;
	int nr;

	for (i = 0; denied[i] != NULL; i++) {
		nr = seccomp_syscall_resolve_name(denied[i]);
		if (nr == __NR_SCMP_ERROR || nr < 0)
			continue; /* not a call of this architecture */
		if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0) < 0)
			return -1;
	}
	for (i = 0; i < sizeof(ns_flags) / sizeof(ns_flags[0]); i++)
		RULE(ctx, SCMP_ACT_ERRNO(EPERM), clone, 1,
		     SCMP_A0(SCMP_CMP_MASKED_EQ, ns_flags[i], ns_flags[i]));
	RULE(ctx, SCMP_ACT_ERRNO(ENOSYS), clone3, 0);
	if (!s->subprocess) {
		RULE(ctx, SCMP_ACT_ERRNO(EPERM), fork, 0);
		RULE(ctx, SCMP_ACT_ERRNO(EPERM), vfork, 0);
		RULE(ctx, SCMP_ACT_ERRNO(EPERM), clone, 1,
		     SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0));
	}
	return add_socket_rules(ctx);
fail:
	return -1;
}

/*
 * The prefix, ahead of libseccomp's program: kill a foreign architecture
 * and (x86-64) an x32 call; personality() only with 0 (PER_LINUX) or
 * 0xffffffff (the query).  Jumps are relative, and libseccomp's program
 * loads what it needs itself, so the two concatenate.
 */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG0_LO offsetof(struct seccomp_data, args[0])
#define ARG0_HI (offsetof(struct seccomp_data, args[0]) + 4)
#else
#define ARG0_LO (offsetof(struct seccomp_data, args[0]) + 4)
#define ARG0_HI offsetof(struct seccomp_data, args[0])
#endif

static size_t
prefix(struct sock_filter *f, unsigned arch)
{
	size_t n = 0;

	f[n++] = (struct sock_filter)BPF_STMT(
	    BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, arch,
	                                      1, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
	                                      SECCOMP_RET_KILL_PROCESS);
	f[n++] = (struct sock_filter)BPF_STMT(
	    BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
#ifdef __x86_64__
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K,
	                                      0x40000000U /* x32 */, 0, 1);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
	                                      SECCOMP_RET_KILL_PROCESS);
#endif
	/* personality(): anything but 0 or 0xffffffff is refused. */
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
	                                      SYS_personality, 0, 6);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	                                      ARG0_HI);
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0,
	                                      3);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	                                      ARG0_LO);
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 2,
	                                      0);
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
	                                      0xffffffffU, 1, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
	                                      SECCOMP_RET_ERRNO | EPERM);
	return n;
}

#define PREFIX_MAX 16

void
seccomp_plan_make(struct seccomp_plan *p, const struct mcp_spec *s)
{
	scmp_filter_ctx ctx;
	int fd = -1, err = 0;
	off_t size;
	size_t n;
	const char *what = "";

	memset(p, 0, sizeof(*p));
	if (s->disable & (1U << L_SECCOMP)) {
		snprintf(p->status, sizeof(p->status),
		         "skipped: disabled by the spec");
		return;
	}
	if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL) {
		snprintf(p->status, sizeof(p->status),
		         "skipped: seccomp_init failed");
		return;
	}
	if ((err = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
	                            SCMP_ACT_KILL_PROCESS)) < 0 ||
	    (err = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0)) < 0) {
		what = "seccomp_attr_set";
		goto out;
	}
	if (add_rules(ctx, s) < 0) {
		what = "seccomp_rule_add";
		err = -EINVAL;
		goto out;
	}
	if ((fd = memfd_create("mcp-exec-seccomp", MFD_CLOEXEC)) < 0) {
		what = "memfd_create";
		err = -errno;
		goto out;
	}
	if ((err = seccomp_export_bpf(ctx, fd)) < 0) {
		what = "seccomp_export_bpf";
		goto out;
	}
	size = lseek(fd, 0, SEEK_END);
	n = (size_t)size / sizeof(struct sock_filter);
	if (size <= 0 || n + PREFIX_MAX > BPF_MAXINSNS) {
		what = "the compiled filter";
		err = -E2BIG;
		goto out;
	}
	p->prog = xcalloc(n + PREFIX_MAX, sizeof(*p->prog));
	n = prefix(p->prog, seccomp_arch_native());
	if (pread(fd, p->prog + n, (size_t)size, 0) != size) {
		what = "read back";
		err = -EIO;
		free(p->prog);
		p->prog = NULL;
		goto out;
	}
	p->len = (unsigned short)(n + (size_t)size / sizeof(struct sock_filter));
	snprintf(p->status, sizeof(p->status), "applied");
out:
	if (p->prog == NULL)
		snprintf(p->status, sizeof(p->status), "skipped: %s: %s", what,
		         strerror(-err));
	if (fd >= 0)
		close(fd);
	seccomp_release(ctx);
}

int
seccomp_plan_load(const struct seccomp_plan *p)
{
	struct sock_fprog prog;

	if (p->prog == NULL)
		return 0;
	prog.len = p->len;
	prog.filter = p->prog;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

void
seccomp_plan_free(struct seccomp_plan *p)
{
	free(p->prog);
	p->prog = NULL;
}
