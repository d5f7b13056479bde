/*
 * fsync-loop: the floor for a durable append log, for bench/audit.sh.
 * Appends COUNT lines of LEN bytes to FILE, each with one write(), with
 * one fdatasync() after every BATCH lines (default 1) and after the last,
 * and prints the seconds it took.  No parsing, no hashing, no locking:
 * whatever mcp-audit append costs above this is its own.
 *
 * usage: fsync-loop FILE COUNT LEN [BATCH]
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct timespec t0, t1;
	long count, len, batch = 1, i;
	char *line;
	int fd;

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: fsync-loop FILE COUNT LEN [BATCH]\n");
		return 2;
	}
	count = strtol(argv[2], NULL, 10);
	len = strtol(argv[3], NULL, 10);
	if (argc == 5)
		batch = strtol(argv[4], NULL, 10);
	if (count <= 0 || len < 2 || len > 1 << 20 || batch < 1) {
		fprintf(stderr, "fsync-loop: bad COUNT, LEN or BATCH\n");
		return 2;
	}
	line = malloc((size_t)len);
	if (line == NULL)
		return 1;
	memset(line, 'x', (size_t)len - 1);
	line[len - 1] = '\n';
	fd = open(argv[1], O_WRONLY | O_CREAT | O_APPEND | O_TRUNC, 0600);
	if (fd < 0) {
		perror(argv[1]);
		free(line);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < count; i++) {
		if (write(fd, line, (size_t)len) != (ssize_t)len ||
		    ((i + 1) % batch == 0 || i + 1 == count ? fdatasync(fd)
		                                            : 0) < 0) {
			perror(argv[1]);
			free(line);
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	close(fd);
	free(line);
	printf("%.6f\n", (double)(t1.tv_sec - t0.tv_sec) +
	                     (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}
