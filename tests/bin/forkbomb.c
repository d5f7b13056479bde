/*
 * forkbomb: every process forks as fast as it can for SECONDS (default 2),
 * then waits to be killed.  The first process prints how many forks it
 * saw succeed and fail, and exits 0.  A hostile server for mcp-exec's
 * tests: the pids limit must stop it and the sweep must remove it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	/* NOLINTNEXTLINE(cert-err34-c): the test script's number */
	time_t end = time(NULL) + (argc > 1 ? atoi(argv[1]) : 2);
	pid_t top = getpid();
	long ok = 0, failed = 0;
	pid_t p;

	while (time(NULL) < end) {
		p = fork();
		if (p > 0)
			ok++;
		else if (p < 0)
			failed++;
		if (p < 0 && errno != EAGAIN) {
			perror("fork");
			break;
		}
		if (p < 0)
			nanosleep(&(struct timespec){0, 1000000}, NULL);
	}
	if (getpid() != top)
		for (;;)
			pause();
	printf("forks=%ld failed=%ld\n", ok, failed);
	return 0;
}
