/*
 * check_opts.c: the option table as getopt_long sees it and as --help
 * prints it, --version, repeated options and strict integer arguments.
 */
#include <mcp-config.h>

#include <fcntl.h>

#include "opts.h"
#include "unit.h"

static const struct mcp_opt tab[] = {
    {"config", required_argument, 'c', "FILE", "read this configuration file"},
    {"quiet", no_argument, 'q', NULL, "say less"},
    {"offline", no_argument, 256, NULL, "never use the network"},
    {"records-fd", required_argument, 257, "N", "write records to fd N"},
    {NULL, 0, 0, NULL, NULL},
};

static char *
capture(void (*fn)(FILE *))
{
	static char buf[2048];
	FILE *f = tmpfile();
	size_t n;

	ck_assert_ptr_nonnull(f);
	fn(f);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void
help(FILE *f)
{
	mcp_opts_help(f, "mcp-x [OPTIONS] REF\nmcp-x --check FILE",
	              "Do one thing well.", tab);
}

static void
version(FILE *f)
{
	mcp_opts_version(f, "mcp-x");
}

START_TEST(test_getopt)
{
	struct mcp_getopt g;

	mcp_getopt_init(&g, tab);
	ck_assert_str_eq(g.shortopts, "+c:q");
	ck_assert_str_eq(g.longopts[0].name, "config");
	ck_assert_int_eq(g.longopts[0].has_arg, required_argument);
	ck_assert_int_eq(g.longopts[0].val, 'c');
	ck_assert_int_eq(g.longopts[2].val, 256);
	ck_assert_ptr_null(g.longopts[2].flag);
	ck_assert_ptr_null(g.longopts[4].name);
}
END_TEST

START_TEST(test_help_version)
{
	ck_assert_str_eq(capture(help),
	                 "Usage: mcp-x [OPTIONS] REF\n"
	                 "Usage: mcp-x --check FILE\n"
	                 "\n"
	                 "Do one thing well.\n"
	                 "\n"
	                 "Options:\n"
	                 "  -c, --config FILE    read this configuration file\n"
	                 "  -q, --quiet          say less\n"
	                 "      --offline        never use the network\n"
	                 "      --records-fd N   write records to fd N\n");
	ck_assert_str_eq(capture(version),
	                 "mcp-x (mcp-tools) " MCP_VERSION "\n");
}
END_TEST

START_TEST(test_once_uint)
{
	unsigned long long seen = 0, v;
	struct mcp_err e;

	mcp_err_init(&e);
	ck_assert_int_eq(mcp_opt_once(&seen, 3, "config", &e), 0);
	ck_assert_int_eq(mcp_opt_once(&seen, 4, "quiet", &e), 0);
	ck_assert_int_eq(mcp_opt_once(&seen, 3, "config", &e), -1);
	ck_assert_str_eq(e.msg, "option --config given twice");
	ck_assert_int_eq(e.cat, MCP_ERR_USAGE);

	ck_assert_int_eq(mcp_opt_uint("n", "0", 10, &v, &e), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(mcp_opt_uint("n", "10", 10, &v, &e), 0);
	ck_assert_uint_eq(v, 10);
	ck_assert_int_eq(
	    mcp_opt_uint("n", "18446744073709551615", ~0ULL, &v, &e), 0);
	ck_assert_uint_eq(v, ~0ULL);
	ck_assert_int_eq(
	    mcp_opt_uint("n", "18446744073709551616", ~0ULL, &v, &e), -1);
	ck_assert_int_eq(mcp_opt_uint("n", "11", 10, &v, &e), -1);
	ck_assert_str_eq(
	    e.msg,
	    "option --n: \"11\" is not a decimal integer between 0 and 10");
	ck_assert_int_eq(mcp_opt_uint("n", "", 10, &v, &e), -1);
	ck_assert_int_eq(mcp_opt_uint("n", "-1", 10, &v, &e), -1);
	ck_assert_int_eq(mcp_opt_uint("n", "+1", 10, &v, &e), -1);
	ck_assert_int_eq(mcp_opt_uint("n", " 1", 10, &v, &e), -1);
	ck_assert_int_eq(mcp_opt_uint("n", "1 ", 10, &v, &e), -1);
	ck_assert_int_eq(mcp_opt_uint("n", "0x1", 10, &v, &e), -1);
	ck_assert_int_eq(mcp_opt_uint("n", "5", 0, &v, &e), -1);
}
END_TEST

START_TEST(test_std_fds)
{
	int saved = dup(1);
	int fd;

	ck_assert_int_ge(saved, 0);
	close(1);
	ck_assert_int_eq(mcp_std_fds(), 0);
	/* fd 1 is /dev/null now, so the next open is not "stdout". */
	fd = open("/dev/null", O_RDONLY);
	ck_assert_int_gt(fd, 2);
	close(fd);
	ck_assert_int_eq(dup2(saved, 1), 1);
	close(saved);
	ck_assert_int_eq(mcp_std_fds(), 0);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("opts");
	TCase *tc = tcase_create("opts");

	tcase_add_test(tc, test_getopt);
	tcase_add_test(tc, test_help_version);
	tcase_add_test(tc, test_once_uint);
	tcase_add_test(tc, test_std_fds);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(suite());
}
