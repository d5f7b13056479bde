/*
 * io.h: whole reads and writes that survive EINTR and short counts.
 */
#ifndef MCP_IO_H
#define MCP_IO_H

#include <stddef.h>
#include <sys/types.h>

/* Write all N bytes; -1 with errno on failure. */
int mcp_write_all(int fd, const void *p, size_t n);
/* Read until N bytes or EOF; returns bytes read or -1 with errno. */
ssize_t mcp_read_full(int fd, void *p, size_t n);
/* Read all of FD into a new NUL-terminated buffer of at most MAX bytes.
 * Returns 0, -1 with errno (EFBIG when over MAX). */
int mcp_read_all(int fd, size_t max, char **buf, size_t *len);
/* The first N - 1 bytes (or fewer) of file PATH into BUF, NUL-terminated:
 * a header or a small kernel file.  The last component is not followed if
 * a symbolic link; a FIFO does not block.  Returns the bytes read, or -1
 * with errno. */
ssize_t mcp_read_head(const char *path, char *buf, size_t n);
/* openat(DIRFD, PATH, FLAGS | O_NOFOLLOW | O_CLOEXEC, MODE) with no
 * symbolic link followed anywhere: the directories of PATH are opened one
 * component at a time with O_NOFOLLOW.  -1 with errno. */
int mcp_openat_nofollow(int dirfd, const char *path, int flags, mode_t mode);
/* A mount point: ROOT and PATH (absolute) joined, its missing parents
 * below ROOT made (0755), then itself as a directory (DIR) or an empty
 * file (0444); one that exists already is fine.  ROOT may be "".  No
 * allocation (safe after fork).  -1 with errno. */
int mcp_make_mount_point(const char *root, const char *path, int dir);

#endif
