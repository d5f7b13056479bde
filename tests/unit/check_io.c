/*
 * check_io.c: mcp_read_head, the first bytes of a file by name: short and
 * long files, an empty one, a symbolic link as the last component, a FIFO
 * with no writer (must not block), a missing file, a zero-sized buffer.
 */
#include <mcp-config.h>

#include <errno.h>
#include <sys/stat.h>

#include "io.h"
#include "unit.h"

START_TEST(test_head)
{
	char *dir = unit_tmpdir(), *small, *big, *empty, buf[8], path[512];

	small = unit_write(dir, "small", "abc", 3);
	big = unit_write(dir, "big", "0123456789", 10);
	empty = unit_write(dir, "empty", "", 0);

	memset(buf, 'x', sizeof(buf));
	ck_assert_int_eq(mcp_read_head(small, buf, sizeof(buf)), 3);
	ck_assert_str_eq(buf, "abc");
	/* At most N - 1 bytes, always terminated. */
	ck_assert_int_eq(mcp_read_head(big, buf, sizeof(buf)), 7);
	ck_assert_str_eq(buf, "0123456");
	ck_assert_int_eq(mcp_read_head(empty, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "");

	snprintf(path, sizeof(path), "%s/link", dir);
	ck_assert_int_eq(symlink(small, path), 0);
	errno = 0;
	ck_assert_int_eq(mcp_read_head(path, buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, ELOOP);

	snprintf(path, sizeof(path), "%s/fifo", dir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_int_eq(mcp_read_head(path, buf, sizeof(buf)), 0);

	snprintf(path, sizeof(path), "%s/missing", dir);
	errno = 0;
	ck_assert_int_eq(mcp_read_head(path, buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, ENOENT);
	errno = 0;
	ck_assert_int_eq(mcp_read_head(small, buf, 0), -1);
	ck_assert_int_eq(errno, EINVAL);

	unit_rmtree(dir);
	free(small);
	free(big);
	free(empty);
	free(dir);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("io");
	TCase *tc = tcase_create("io");

	tcase_add_test(tc, test_head);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(suite());
}
