/*
 * check_paths.c: XDG directories (relative values ignored), the cache
 * layout derived only from valid digests, mkdir -p and path joining.
 */
#include <mcp-config.h>

#include <sys/stat.h>

#include "paths.h"
#include "unit.h"

#define H64 "ab23456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

START_TEST(test_xdg)
{
	struct mcp_err e;
	char *p;

	mcp_err_init(&e);
	setenv("HOME", "/home/u", 1);
	setenv("XDG_CACHE_HOME", "/xc", 1);
	setenv("XDG_CONFIG_HOME", "/xf", 1);
	setenv("XDG_STATE_HOME", "/xs", 1);
	p = mcp_xdg_dir(MCP_XDG_CACHE, &e);
	ck_assert_str_eq(p, "/xc/mcp");
	free(p);
	p = mcp_xdg_dir(MCP_XDG_CONFIG, &e);
	ck_assert_str_eq(p, "/xf/mcp");
	free(p);
	p = mcp_xdg_dir(MCP_XDG_STATE, &e);
	ck_assert_str_eq(p, "/xs/mcp");
	free(p);
	setenv("XDG_CACHE_HOME", "relative", 1);
	setenv("XDG_CONFIG_HOME", "", 1);
	unsetenv("XDG_STATE_HOME");
	p = mcp_xdg_dir(MCP_XDG_CACHE, &e);
	ck_assert_str_eq(p, "/home/u/.cache/mcp");
	free(p);
	p = mcp_xdg_dir(MCP_XDG_CONFIG, &e);
	ck_assert_str_eq(p, "/home/u/.config/mcp");
	free(p);
	p = mcp_xdg_dir(MCP_XDG_STATE, &e);
	ck_assert_str_eq(p, "/home/u/.local/state/mcp");
	free(p);
	unsetenv("HOME");
	ck_assert_ptr_null(mcp_xdg_dir(MCP_XDG_CACHE, &e));
	ck_assert_int_eq(e.cat, MCP_ERR_RUNTIME);
	ck_assert_str_eq(
	    e.msg,
	    "neither XDG_CACHE_HOME nor HOME is set to an absolute path");
}
END_TEST

START_TEST(test_cache_dir)
{
	struct mcp_config c;
	struct mcp_err e;
	char *p;

	mcp_err_init(&e);
	mcp_config_init(&c);
	setenv("HOME", "/home/u", 1);
	unsetenv("XDG_CACHE_HOME");
	p = mcp_cache_dir("/flag", &c, &e);
	ck_assert_str_eq(p, "/flag");
	free(p);
	p = mcp_cache_dir(NULL, &c, &e);
	ck_assert_str_eq(p, geteuid() == 0 ? MCP_SYSTEM_CACHE_DIR
	                                   : "/home/u/.cache/mcp");
	free(p);
	/* XDG_CACHE_HOME is honoured for root too. */
	setenv("XDG_CACHE_HOME", "/x/cache", 1);
	p = mcp_cache_dir(NULL, &c, &e);
	ck_assert_str_eq(p, "/x/cache/mcp");
	free(p);
	unsetenv("XDG_CACHE_HOME");
	c.cache_dir = strdup("/conf");
	p = mcp_cache_dir(NULL, &c, &e);
	ck_assert_str_eq(p, "/conf");
	free(p);
	p = mcp_cache_dir("/flag", &c, &e);
	ck_assert_str_eq(p, "/flag");
	free(p);
	mcp_config_release(&c);
	p = mcp_cache_dir(NULL, NULL, &e);
	ck_assert_str_eq(p, geteuid() == 0 ? MCP_SYSTEM_CACHE_DIR
	                                   : "/home/u/.cache/mcp");
	free(p);
}
END_TEST

START_TEST(test_layout)
{
	char *p;

	p = mcp_cache_blob_path("/c", "sha256:" H64);
	ck_assert_str_eq(p, "/c/sha256/ab/" H64);
	free(p);
	p = mcp_cache_tree_path("/c", "sha256:" H64);
	ck_assert_str_eq(p, "/c/trees/sha256/" H64);
	free(p);
	p = mcp_cache_blob_path("/c", "sha512:" H64 H64);
	ck_assert_str_eq(p, "/c/sha512/ab/" H64 H64);
	free(p);
	/* Anything but a valid digest gives no path at all. */
	ck_assert_ptr_null(
	    mcp_cache_blob_path("/c", "sha256:../../etc/passwd"));
	ck_assert_ptr_null(
	    mcp_cache_blob_path("/c", "sha256:"
	                              "AB23456789abcdef0123456789abcdef01234567"
	                              "89abcdef0123456789abcdef"));
	ck_assert_ptr_null(mcp_cache_tree_path("/c", "sha256:ab"));
	ck_assert_ptr_null(mcp_cache_tree_path("/c", H64));
	p = mcp_path_join("/a", "b");
	ck_assert_str_eq(p, "/a/b");
	free(p);
	p = mcp_path_join("/a/", "b/c");
	ck_assert_str_eq(p, "/a/b/c");
	free(p);
}
END_TEST

START_TEST(test_mkdir)
{
	char *dir = unit_tmpdir(), path[512], *f;
	struct mcp_err e;
	struct stat st;

	mcp_err_init(&e);
	snprintf(path, sizeof(path), "%s/a//b/c/", dir);
	ck_assert_msg(mcp_mkdir_p(path, 0700, &e) == 0, "%s", e.msg);
	snprintf(path, sizeof(path), "%s/a/b/c", dir);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_int_eq(st.st_mode & 077, 0);
	/* Again: existing directories are fine. */
	ck_assert_int_eq(mcp_mkdir_p(path, 0700, &e), 0);
	/* A file in the way is an error naming it. */
	f = unit_write(dir, "file", "x", 1);
	snprintf(path, sizeof(path), "%s/file/sub", dir);
	ck_assert_int_eq(mcp_mkdir_p(path, 0700, &e), -1);
	ck_assert_int_eq(e.cat, MCP_ERR_RUNTIME);
	ck_assert_msg(strstr(e.msg, "/file: Not a directory") != NULL, "%s",
	              e.msg);
	ck_assert_int_eq(mcp_mkdir_p("", 0700, &e), -1);
	/* The mode is exact whatever the umask (mcp-run runs with 077). */
	{
		mode_t old = umask(077);

		snprintf(path, sizeof(path), "%s/t/u", dir);
		ck_assert_int_eq(mcp_mkdir_p(path, 0711, &e), 0);
		umask(old);
		ck_assert_int_eq(stat(path, &st), 0);
		ck_assert_int_eq(st.st_mode & 07777, 0711);
	}
	free(f);
	unit_rmtree(dir);
	free(dir);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("paths");
	TCase *tc = tcase_create("paths");

	tcase_add_test(tc, test_xdg);
	tcase_add_test(tc, test_cache_dir);
	tcase_add_test(tc, test_layout);
	tcase_add_test(tc, test_mkdir);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(suite());
}
