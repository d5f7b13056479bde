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
 *
 * The rules are common/sandbox.c's table, the one mcp-policy --oci writes
 * into an OCI bundle's seccomp section; this file adds only the prefix
 * that kills a foreign architecture, and compiles and loads the filter.
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

#include "sandbox.h"
#include "seccomp.h"
#include "xalloc.h"

/* The comparison numbers of sandbox.h are libseccomp's. */
#define SAME_OP(x) ((int)MCP_SANDBOX_##x == (int)SCMP_CMP_##x)
_Static_assert(SAME_OP(NE) && SAME_OP(LT) && SAME_OP(LE) && SAME_OP(EQ) &&
                   SAME_OP(GE) && SAME_OP(GT) && SAME_OP(MASKED_EQ),
               "sandbox.h's operators are not libseccomp's");

/* One rule of the shared table (common/sandbox.c) into CTX. */
static int
add_rule(const struct mcp_sandbox_rule *r, void *arg)
{
	scmp_filter_ctx ctx = arg;
	struct scmp_arg_cmp cmp[MCP_SANDBOX_MAX_ARGS];
	unsigned i;
	int nr;

	nr = seccomp_syscall_resolve_name(r->name);
	if (nr == __NR_SCMP_ERROR || nr < 0)
		return 0; /* not a call of this architecture */
	for (i = 0; i < r->nargs; i++) {
		cmp[i].arg = r->args[i].index;
		cmp[i].op = (enum scmp_compare)r->args[i].op;
		cmp[i].datum_a = r->args[i].a;
		cmp[i].datum_b = r->args[i].b;
	}
	return seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO((uint32_t)r->err),
	                              nr, r->nargs, cmp) < 0
	           ? -1
	           : 0;
}

static int
add_rules(scmp_filter_ctx ctx, const struct mcp_spec *s)
{
	return mcp_sandbox_rules(s->subprocess, add_rule, ctx);
}

/*
 * The prefix, ahead of libseccomp's program: kill a foreign architecture
 * and (x86-64) an x32 call.  Jumps are relative, and libseccomp's program
 * loads what it needs itself, so the two concatenate.  (personality() is
 * a rule of the shared table: an OCI runtime must refuse the same.)
 */
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
