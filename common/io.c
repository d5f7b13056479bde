/*
 * io.c: whole reads and writes.
 *
 * Invariant: a short count or EINTR is never mistaken for EOF or an error,
 * and mcp_read_all() never holds more than MAX + 1 bytes, so a hostile
 * input cannot make a reader allocate without bound.
 */
#include <mcp-config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io.h"
#include "xalloc.h"

int
mcp_write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	ssize_t w;

	while (n > 0) {
		w = write(fd, c, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

ssize_t
mcp_read_full(int fd, void *p, size_t n)
{
	char *c = p;
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = read(fd, c + got, n - got);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

ssize_t
mcp_read_head(const char *path, char *buf, size_t n)
{
	int fd, saved;
	ssize_t r;

	if (n == 0) {
		errno = EINVAL;
		return -1;
	}
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY |
	                    O_NONBLOCK);
	if (fd < 0)
		return -1;
	r = mcp_read_full(fd, buf, n - 1);
	saved = errno;
	close(fd);
	errno = saved;
	if (r < 0)
		return -1;
	buf[r] = '\0';
	return r;
}

int
mcp_read_all(int fd, size_t max, char **buf, size_t *len)
{
	size_t cap = 64 * 1024, n = 0;
	char *b;
	ssize_t r;

	if (max > SIZE_MAX / 4)
		max = SIZE_MAX / 4; /* keep max + 1 and cap * 2 from wrapping */
	if (max < cap)
		cap = max + 1;
	b = xmalloc(cap + 1);
	for (;;) {
		if (n == cap) {
			if (cap > max) {
				/* Read one byte past MAX: the input is too big.
				 */
				free(b);
				errno = EFBIG;
				return -1;
			}
			cap = (cap > max / 2) ? max + 1 : cap * 2;
			b = xrealloc(b, cap + 1);
		}
		r = read(fd, b + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			free(b);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > max) {
		free(b);
		errno = EFBIG;
		return -1;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

int
mcp_openat_nofollow(int dirfd, const char *path, int flags, mode_t mode)
{
	char *copy = xstrdup(path), *c = copy, *slash;
	int cur = dirfd, next, saved;

	while ((slash = strchr(c, '/')) != NULL) {
		*slash = '\0';
		next = openat(cur, c,
		              O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		saved = errno;
		if (cur != dirfd)
			close(cur);
		if (next < 0) {
			free(copy);
			errno = saved;
			return -1;
		}
		cur = next;
		c = slash + 1;
	}
	next = openat(cur, c, flags | O_NOFOLLOW | O_CLOEXEC, mode);
	saved = errno;
	if (cur != dirfd)
		close(cur);
	free(copy);
	errno = saved;
	return next;
}

int
mcp_make_mount_point(const char *root, const char *path, int dir)
{
	char buf[PATH_MAX], *c;
	size_t off = strlen(root);
	int fd;

	if ((size_t)snprintf(buf, sizeof(buf), "%s%s", root, path) >=
	    sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (c = buf + off + 1; *c != '\0'; c++) {
		if (*c != '/')
			continue;
		*c = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -1;
		*c = '/';
	}
	if (dir)
		return mkdir(buf, 0755) < 0 && errno != EEXIST ? -1 : 0;
	fd = open(buf, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0444);
	if (fd < 0)
		return errno == EEXIST || errno == EISDIR ? 0 : -1;
	close(fd);
	return 0;
}
