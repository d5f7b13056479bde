/*
 * daemonize PIDFILE: fork, setsid, fork again (the classic daemon), the
 * grandchild writes its pid to PIDFILE and sleeps forever; the original
 * waits for the file and exits 0.  mcp-exec must not let it survive.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct stat st;
	pid_t p;
	FILE *f;
	int i;

	if (argc != 2)
		return 2;
	if ((p = fork()) < 0)
		return 1;
	if (p == 0) {
		setsid();
		if (fork() != 0)
			_exit(0);
		signal(SIGHUP, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		if ((f = fopen(argv[1], "w")) == NULL)
			_exit(1);
		fprintf(f, "%ld\n", (long)getpid());
		fclose(f);
		for (;;)
			pause();
	}
	waitpid(p, NULL, 0);
	for (i = 0; i < 500 && (stat(argv[1], &st) < 0 || st.st_size == 0); i++)
		nanosleep(&(struct timespec){0, 10000000}, NULL);
	return 0;
}
