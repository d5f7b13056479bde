/*
 * nosys: run a command as on a kernel without system call NAME: a seccomp
 * filter makes it fail with ENOSYS, so the tests can exercise fallbacks on
 * any kernel (mcp-verify's O_NOFOLLOW walk without openat2(2), Linux 5.6;
 * mcp-exec's cgroup.procs join without clone3(2), Linux 5.3, the way some
 * container runtimes' filters still answer it).
 *
 * usage: nosys NAME CMD [ARGS...]
 */
#include <mcp-config.h>

#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	scmp_filter_ctx ctx;
	int rc, nr;

	if (argc < 3) {
		fputs("usage: nosys NAME CMD [ARGS...]\n", stderr);
		return 2;
	}
	if ((nr = seccomp_syscall_resolve_name(argv[1])) == __NR_SCMP_ERROR) {
		fprintf(stderr, "nosys: %s: no such system call\n", argv[1]);
		return 2;
	}
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (ctx == NULL) {
		fputs("nosys: seccomp_init failed\n", stderr);
		return 1;
	}
	/* libseccomp sets no_new_privs first, so this works unprivileged. */
	rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0);
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0) {
		fprintf(stderr, "nosys: seccomp: %s\n", strerror(-rc));
		return 1;
	}
	execvp(argv[2], argv + 2);
	fprintf(stderr, "nosys: %s: %s\n", argv[2], strerror(errno));
	return 127;
}
