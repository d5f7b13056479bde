/*
 * first-reply ROUNDS CMD... [-- CMD...]...: time from starting each
 * command to the first line it writes back after being sent an MCP
 * initialize request on stdin, the way a client sees a server start.
 * (first-reply -r FILE ROUNDS ...: also write every sample to FILE, one
 * "ROUND COMMAND MICROSECONDS" line each, both counted from 0, for paired
 * comparisons.)
 * After the reply, stdin is closed and the command reaped (not timed;
 * a command that has not exited 10 s later is killed and counted as a
 * failure).  The commands take turns round by round, so the machine's
 * noise falls on all alike.  Prints one line per command: "median_us
 * min_us max_us".  stderr of the commands goes to /dev/null.  For
 * bench/startup.sh.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char request[] =
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
    "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},"
    "\"clientInfo\":{\"name\":\"first-reply\",\"version\":\"1\"}}}\n";

static long long
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* One start: microseconds to the first reply line, or -1. */
static long long
run(char **argv)
{
	struct timespec pause = {0, 1000000};
	int in[2], out[2], fd, st;
	long long t0, t = -1, deadline;
	char buf[4096];
	ssize_t n;
	pid_t p;
	struct pollfd pf;

	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0)
		return -1;
	t0 = now_us();
	if ((p = fork()) < 0)
		return -1;
	if (p == 0) {
		fd = open("/dev/null", O_WRONLY);
		if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0 || fd < 0 ||
		    dup2(fd, 2) < 0)
			_exit(127);
		execv(argv[0], argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	if (write(in[1], request, sizeof(request) - 1) ==
	    (ssize_t)sizeof(request) - 1) {
		/* Up to 30 s for the first line. */
		pf.fd = out[0];
		pf.events = POLLIN;
		while (poll(&pf, 1, 30000) == 1) {
			n = read(out[0], buf, sizeof(buf));
			if (n <= 0)
				break;
			if (memchr(buf, '\n', (size_t)n) != NULL) {
				t = now_us() - t0;
				break;
			}
		}
	}
	close(in[1]);
	/* Drain to end of file, then reap: 10 s in all at most. */
	deadline = now_us() + 10000000;
	pf.fd = out[0];
	pf.events = POLLIN;
	while (now_us() < deadline && poll(&pf, 1, 100) >= 0)
		if (pf.revents && read(out[0], buf, sizeof(buf)) <= 0)
			break;
	while (waitpid(p, &st, WNOHANG) == 0) {
		if (now_us() >= deadline) {
			kill(p, SIGKILL);
			waitpid(p, &st, 0);
			t = -1;
			break;
		}
		nanosleep(&pause, NULL);
	}
	close(out[0]);
	return t;
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
	char **cmds[32];
	long long *t[32];
	int ncmd = 0, rounds, r, c, i, rc = 0;
	FILE *raw = NULL;
	char *end;
	long n;

	if (argc > 3 && strcmp(argv[1], "-r") == 0) {
		if ((raw = fopen(argv[2], "w")) == NULL) {
			perror(argv[2]);
			return 1;
		}
		argc -= 2;
		argv += 2;
	}
	n = argc < 3 ? 0 : strtol(argv[1], &end, 10);
	if (argc < 3 || *end != '\0' || n < 1 || n > 100000)
		goto usage;
	rounds = (int)n;
	cmds[ncmd++] = argv + 2;
	for (i = 2; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			argv[i] = NULL;
			if (ncmd == 32)
				goto usage;
			cmds[ncmd++] = argv + i + 1;
		}
	for (c = 0; c < ncmd; c++)
		if (cmds[c][0] == NULL)
			goto usage; /* an empty command */
	for (c = 0; c < ncmd; c++)
		if ((t[c] = calloc((size_t)rounds, sizeof(long long))) == NULL) {
			while (c-- > 0)
				free(t[c]);
			return 1;
		}
	/* One round not counted: caches, page cache, the first-run work. */
	for (c = 0; c < ncmd; c++)
		run(cmds[c]);
	for (r = 0; r < rounds; r++)
		for (c = 0; c < ncmd; c++)
			if (rc == 0 && (t[c][r] = run(cmds[c])) < 0) {
				fprintf(stderr, "first-reply: %s: no reply\n",
				        cmds[c][0]);
				rc = 1;
			}
	if (raw != NULL) {
		for (r = 0; rc == 0 && r < rounds; r++)
			for (c = 0; c < ncmd; c++)
				fprintf(raw, "%d %d %lld\n", r, c, t[c][r]);
		if (fclose(raw) != 0) {
			perror("first-reply: raw samples");
			rc = 1;
		}
	}
	for (c = 0; c < ncmd; c++) {
		qsort(t[c], (size_t)rounds, sizeof(long long), cmp);
		if (rc == 0)
			printf("%lld %lld %lld\n", t[c][rounds / 2], t[c][0],
			       t[c][rounds - 1]);
		free(t[c]);
	}
	return rc;
usage:
	fprintf(stderr, "usage: first-reply [-r FILE] ROUNDS CMD... [-- CMD...]...\n");
	return 2;
}
