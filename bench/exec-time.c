/*
 * exec-time ROUNDS BURST CMD... [-- CMD...]...: start-up time of each
 * command, run to completion with stdio on /dev/null.  The commands take
 * turns round by round (interleaved, so that the machine's noise falls on
 * all alike); then each runs BURST times back to back.  Prints one line
 * per command: "median_us burst_ms".  For bench/exec.sh.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static long long
run(char **argv)
{
	long long t0 = now_us();
	pid_t p = fork();
	int st, fd;

	if (p == 0) {
		fd = open("/dev/null", O_RDWR);
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		/* NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker) */
		execv(argv[0], argv); /* argv[0] is below argc (main) */
		_exit(127);
	}
	if (p < 0 || waitpid(p, &st, 0) < 0 || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0) {
		fprintf(stderr, "exec-time: %s failed\n", argv[0]);
		exit(1);
	}
	return now_us() - t0;
}

static int
cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	char **cmd[16];
	long long *t[16], t0;
	int ncmd = 0, rounds, burst, i, r;

	if (argc < 4)
		return 2;
	rounds = atoi(argv[1]); /* NOLINT(cert-err34-c): checked below */
	burst = atoi(argv[2]);  /* NOLINT(cert-err34-c): checked below */
	if (rounds < 1 || burst < 0)
		return 2;
	cmd[ncmd++] = &argv[3];
	/* A trailing "--" starts no command (execv of NULL). */
	for (i = 3; i + 1 < argc && ncmd < 16; i++)
		if (argv[i][0] == '-' && argv[i][1] == '-' && argv[i][2] == 0) {
			argv[i] = NULL;
			cmd[ncmd++] = &argv[i + 1];
		}
	for (i = 0; i < ncmd; i++)
		if ((t[i] = calloc((size_t)rounds, sizeof(**t))) == NULL)
			/* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): exits */
			return 1;
	for (i = 0; i < ncmd; i++)
		run(cmd[i]); /* warm the caches */
	for (r = 0; r < rounds; r++)
		for (i = 0; i < ncmd; i++)
			t[(i + r) % ncmd][r] = run(cmd[(i + r) % ncmd]);
	for (i = 0; i < ncmd; i++) {
		qsort(t[i], (size_t)rounds, sizeof(**t), cmp);
		t0 = now_us();
		for (r = 0; r < burst; r++)
			run(cmd[i]);
		printf("%lld %lld\n", t[i][rounds / 2], (now_us() - t0) / 1000);
	}
	return 0;
}
