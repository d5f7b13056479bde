/*
 * check_err.c: the error record, the exit-code table, and the escaping that
 * keeps untrusted bytes off the terminal.
 */
#include <mcp-config.h>

#include <errno.h>

#include "err.h"
#include "unit.h"

static const struct {
	const char *in, *out;
} esc[] = {
    {"plain text", "plain text"},
    {"", ""},
    {"tab\there", "tab\\x09here"},
    {"new\nline", "new\\x0aline"},
    {"\x1b[31mred", "\\x1b[31mred"},
    {"del\x7f", "del\\x7f"},
    {"caf\xc3\xa9", "caf\xc3\xa9"}, /* valid UTF-8 passes */
    {"\xe2\x82\xac euro", "\xe2\x82\xac euro"},
    {"\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"}, /* 4-byte */
    {"bad\xff", "bad\\xff"},
    {"\xc3(", "\\xc3("},                          /* truncated */
    {"\xc0\xaf", "\\xc0\\xaf"},                   /* overlong "/" */
    {"\xed\xa0\x80", "\\xed\\xa0\\x80"},          /* surrogate */
    {"\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"}, /* > U+10FFFF */
    {"\xc2\x9b"
     "2J",
     "\\xc2\\x9b"
     "2J"}, /* C1 CSI */
    {"back\\slash", "back\\slash"},
    {"\r", "\\x0d"},
};

START_TEST(test_escape)
{
	char buf[256];

	ck_assert_str_eq(mcp_escape(buf, sizeof(buf), esc[_i].in), esc[_i].out);
}
END_TEST

START_TEST(test_escape_truncates_whole)
{
	char buf[8];

	/* Never a partial escape or a split character, always NUL-terminated.
	 */
	ck_assert_str_eq(mcp_escape(buf, sizeof(buf), "abcd\x01"), "abcd");
	ck_assert_str_eq(mcp_escape(buf, sizeof(buf), "abcde\xc3\xa9"),
	                 "abcde\xc3\xa9");
	ck_assert_str_eq(mcp_escape(buf, sizeof(buf), "abcdef\xc3\xa9"),
	                 "abcdef");
	ck_assert_str_eq(mcp_escape(buf, 1, "abc"), "");
}
END_TEST

START_TEST(test_text_problem)
{
	static const struct {
		const char *in, *why;
	} v[] = {
	    {"plain", NULL},
	    {"h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x98\x80", NULL},
	    {"", NULL},
	    {"tab\there", "contains control characters"},
	    {"esc\x1b[2J", "contains control characters"},
	    {"del\x7f", "contains control characters"},
	    {"csi\xc2\x9b", "contains control characters"},
	    {"nbsp\xc2\xa0", NULL},
	    {"\xc0\xaf", "is not valid UTF-8"},         /* overlong '/' */
	    {"\xed\xa0\x80", "is not valid UTF-8"},     /* surrogate */
	    {"\xf4\x90\x80\x80", "is not valid UTF-8"}, /* > U+10FFFF */
	    {"\xe2\x9c", "is not valid UTF-8"},          /* truncated */
	    {"\xff", "is not valid UTF-8"},
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		const char *why = mcp_text_problem(v[i].in);

		if (v[i].why == NULL)
			ck_assert_msg(why == NULL, "vector %zu: %s", i, why);
		else
			ck_assert_msg(why != NULL && strcmp(why, v[i].why) == 0,
			              "vector %zu: %s", i, why ? why : "(ok)");
	}
	ck_assert_uint_eq(mcp_utf8_len((const unsigned char *)"\xe2\x9c\x93"), 3);
	ck_assert_uint_eq(mcp_utf8_len((const unsigned char *)"\xe2\x9c"), 0);
}
END_TEST

START_TEST(test_set_prefix_sys)
{
	struct mcp_err e;

	mcp_err_init(&e);
	ck_assert_int_eq(e.cat, MCP_ERR_NONE);
	ck_assert_int_eq(mcp_err_exit(&e), 0);
	ck_assert_int_eq(mcp_err_set(&e, MCP_ERR_VERIFY, "bad %s", "thing"),
	                 -1);
	ck_assert_str_eq(e.msg, "bad thing");
	ck_assert_int_eq(mcp_err_prefix(&e, "%s: ", "file"), -1);
	ck_assert_str_eq(e.msg, "file: bad thing");
	ck_assert_int_eq(e.cat, MCP_ERR_VERIFY);
	/* The record's own text may be an argument. */
	mcp_err_set(&e, MCP_ERR_VERIFY, "%s: %s", "outer", e.msg);
	ck_assert_str_eq(e.msg, "outer: file: bad thing");
	errno = ENOENT;
	ck_assert_int_eq(mcp_err_sys(&e, MCP_ERR_RUNTIME, "open %s", "x"), -1);
	ck_assert_str_eq(e.msg, "open x: No such file or directory");
	ck_assert_int_eq(e.sys_errno, ENOENT);
}
END_TEST

START_TEST(test_exit_codes)
{
	ck_assert_int_eq(mcp_errcat_exit(MCP_ERR_NONE), 0);
	ck_assert_int_eq(mcp_errcat_exit(MCP_ERR_RUNTIME), 1);
	ck_assert_int_eq(mcp_errcat_exit(MCP_ERR_USAGE), 2);
	ck_assert_int_eq(mcp_errcat_exit(MCP_ERR_DENIED), 3);
	ck_assert_int_eq(mcp_errcat_exit(MCP_ERR_VERIFY), 4);
	ck_assert_int_eq(mcp_errcat_exit(MCP_ERR_FETCH), 5);
	ck_assert_int_eq(mcp_errcat_exit(MCP_ERR_TIMEOUT), 124);
	ck_assert_int_eq(mcp_errcat_exit(MCP_ERR_SETUP), 125);
	ck_assert_int_eq(mcp_errcat_exit(MCP_ERR_NOEXEC), 126);
	ck_assert_int_eq(mcp_errcat_exit(MCP_ERR_NOTFOUND), 127);
}
END_TEST

START_TEST(test_print_escapes)
{
	struct mcp_err e;
	char buf[256];
	FILE *f = tmpfile();
	int saved = dup(2);
	size_t n;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(saved, 0);
	mcp_err_init(&e);
	mcp_err_set(&e, MCP_ERR_USAGE, "entry \"\x1b]0;x\x07\": \xff");
	fflush(stderr);
	ck_assert_int_eq(dup2(fileno(f), 2), 2);
	mcp_err_print("mcp-test", &e);
	mcp_warn("mcp-test", "w\n%d", 1);
	fflush(stderr);
	ck_assert_int_eq(dup2(saved, 2), 2);
	close(saved);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	ck_assert_str_eq(buf, "mcp-test: entry \"\\x1b]0;x\\x07\": \\xff\n"
	                      "mcp-test: warning: w\\x0a1\n");
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("err");
	TCase *tc = tcase_create("err");

	tcase_add_loop_test(tc, test_escape, 0, sizeof(esc) / sizeof(esc[0]));
	tcase_add_test(tc, test_escape_truncates_whole);
	tcase_add_test(tc, test_set_prefix_sys);
	tcase_add_test(tc, test_text_problem);
	tcase_add_test(tc, test_exit_codes);
	tcase_add_test(tc, test_print_escapes);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(suite());
}
