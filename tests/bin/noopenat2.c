/*
 * noopenat2: run a command as on a kernel without openat2(2) (before Linux
 * 5.6): a seccomp filter makes the system call fail with ENOSYS, so the
 * tests can exercise mcp-verify's O_NOFOLLOW walk on any kernel.
 *
 * usage: noopenat2 CMD [ARGS...]
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
	int rc;

	if (argc < 2) {
		fputs("usage: noopenat2 CMD [ARGS...]\n", stderr);
		return 2;
	}
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (ctx == NULL) {
		fputs("noopenat2: seccomp_init failed\n", stderr);
		return 1;
	}
	/* libseccomp sets no_new_privs first, so this works unprivileged. */
	rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(openat2), 0);
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0) {
		fprintf(stderr, "noopenat2: seccomp: %s\n", strerror(-rc));
		return 1;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "noopenat2: %s: %s\n", argv[1], strerror(errno));
	return 127;
}
