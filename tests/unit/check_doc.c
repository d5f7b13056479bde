/*
 * check_doc.c: strict JSON for stage documents (duplicates, trailing data,
 * BOM, \u0000, size cap), the three kinds of wrong "kind", and writing
 * one compact line.
 */
#include <mcp-config.h>

#include <fcntl.h>

#include "doc.h"
#include "unit.h"

static const char *const fetch_only[] = {MCP_KIND_FETCH, NULL};

static json_t *
load(const char *s, struct mcp_err *e)
{
	mcp_err_init(e);
	return mcp_json_load_buf(s, strlen(s), "doc.json", MCP_ERR_VERIFY, e);
}

START_TEST(test_strict)
{
	struct mcp_err e;
	json_t *j;

	j = load("{\"a\": 1, \"b\": [1, 2]}", &e);
	ck_assert_ptr_nonnull(j);
	json_decref(j);

	ck_assert_ptr_null(load("{\"a\": 1, \"a\": 2}", &e));
	ck_assert_int_eq(e.cat, MCP_ERR_VERIFY);
	ck_assert_msg(strncmp(e.msg, "doc.json:1:", 11) == 0, "%s", e.msg);
	ck_assert_msg(strstr(e.msg, "duplicate") != NULL, "%s", e.msg);

	ck_assert_ptr_null(load("{\"o\": {\"a\": 1,\n \"a\": 2}}", &e));
	ck_assert_msg(strncmp(e.msg, "doc.json:2:", 11) == 0, "%s", e.msg);

	ck_assert_ptr_null(load("{\"a\": 1} x", &e));
	ck_assert_msg(strstr(e.msg, "end of file expected") != NULL, "%s",
	              e.msg);
	ck_assert_ptr_null(load("{\"a\": 1}{}", &e));
	ck_assert_ptr_null(load("{\"a\": \"x\\u0000y\"}", &e));
	ck_assert_ptr_null(load("\xef\xbb\xbf{\"a\": 1}", &e));
	ck_assert_str_eq(e.msg,
	                 "doc.json: byte order mark (BOM) is not allowed");
	ck_assert_ptr_null(load("{\"a\": 1,}", &e));
	ck_assert_ptr_null(load("{\"a\": NaN}", &e));
	ck_assert_ptr_null(load("{\"a\": \"\xff\"}", &e));
	ck_assert_ptr_null(load("", &e));
	ck_assert_ptr_null(load("{\"a\": 1} // c", &e));

	/* Trailing whitespace is not data. */
	j = load("{\"a\": 1}\n \n", &e);
	ck_assert_ptr_nonnull(j);
	json_decref(j);
}
END_TEST

START_TEST(test_size_cap)
{
	char *dir = unit_tmpdir(), *p;
	struct mcp_err e;
	json_t *j;
	int fd;

	mcp_err_init(&e);
	p = unit_write(dir, "d.json", "{\"kind\": \"mcp.fetch/v1\"}", 24);
	fd = open(p, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_ptr_null(
	    mcp_json_load_fd(fd, "d.json", 23, MCP_ERR_USAGE, &e));
	ck_assert_str_eq(e.msg, "d.json: larger than 23 bytes");
	ck_assert_int_eq(e.cat, MCP_ERR_USAGE);
	close(fd);
	j = mcp_json_load_path(p, 24, MCP_ERR_USAGE, &e);
	ck_assert_ptr_nonnull(j);
	json_decref(j);
	j = mcp_doc_read(p, fetch_only, &e);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(mcp_doc_str(j, "kind"), MCP_KIND_FETCH);
	json_decref(j);
	free(p);

	ck_assert_ptr_null(mcp_doc_read("/nonexistent/x.json", fetch_only, &e));
	ck_assert_int_eq(e.cat, MCP_ERR_USAGE);
	ck_assert_str_eq(e.msg,
	                 "/nonexistent/x.json: No such file or directory");
	unit_rmtree(dir);
	free(dir);
}
END_TEST

static const struct {
	const char *doc, *msg;
} kinds[] = {
    {"[1]", "x.json: not an mcp document (no \"kind\")"},
    {"{}", "x.json: not an mcp document (no \"kind\")"},
    {"{\"kind\": 1}", "x.json: not an mcp document (no \"kind\")"},
    {"{\"kind\": \"mcp.spec/v1\"}",
     "x.json: expected mcp.fetch/v1 document, got mcp.spec/v1"},
    {"{\"kind\": \"something\"}",
     "x.json: expected mcp.fetch/v1 document, got something"},
    {"{\"kind\": \"mcp.fetch/v2\"}",
     "x.json: unsupported document version mcp.fetch/v2 (this tool reads v1)"},
    {"{\"kind\": \"mcp.fetch/v10\"}",
     "x.json: unsupported document version mcp.fetch/v10 (this tool reads v1)"},
    {"{\"kind\": \"mcp.fetch/v1x\"}",
     "x.json: expected mcp.fetch/v1 document, got mcp.fetch/v1x"},
};

START_TEST(test_kind)
{
	struct mcp_err e;
	json_t *j = load(kinds[_i].doc, &e);

	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(mcp_doc_check_kind(j, "x.json", fetch_only, &e), -1);
	ck_assert_int_eq(e.cat, MCP_ERR_USAGE);
	ck_assert_str_eq(e.msg, kinds[_i].msg);
	json_decref(j);
}
END_TEST

START_TEST(test_kind_many)
{
	static const char *const two[] = {MCP_KIND_FETCH, MCP_KIND_VERIFIED,
	                                  NULL};
	struct mcp_err e;
	json_t *j = load("{\"kind\": \"mcp.verified/v1\"}", &e);

	ck_assert_int_eq(mcp_doc_check_kind(j, "x", two, &e), 0);
	json_decref(j);
	j = load("{\"kind\": \"mcp.exec/v1\"}", &e);
	ck_assert_int_eq(mcp_doc_check_kind(j, "x", two, &e), -1);
	ck_assert_str_eq(e.msg, "x: expected mcp.fetch/v1 or mcp.verified/v1 "
	                        "document, got mcp.exec/v1");
	json_decref(j);
}
END_TEST

START_TEST(test_stdin_label)
{
	struct mcp_err e;
	int p[2], saved = dup(0);

	ck_assert_int_ge(saved, 0);
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write(p[1], "{\"kind\": \"mcp.spec/v1\"}", 23), 23);
	close(p[1]);
	ck_assert_int_eq(dup2(p[0], 0), 0);
	close(p[0]);
	mcp_err_init(&e);
	ck_assert_ptr_null(mcp_doc_read("-", fetch_only, &e));
	ck_assert_str_eq(
	    e.msg, "<stdin>: expected mcp.fetch/v1 document, got mcp.spec/v1");
	ck_assert_int_eq(dup2(saved, 0), 0);
	close(saved);
}
END_TEST

START_TEST(test_write_get)
{
	struct mcp_err e;
	json_t *d = mcp_doc_new(MCP_KIND_SPEC), *b;
	char buf[256];
	FILE *f = tmpfile();
	size_t n;

	ck_assert_ptr_nonnull(f);
	mcp_err_init(&e);
	json_object_set_new(d, "zeta", json_string("caf\xc3\xa9"));
	b = json_object();
	json_object_set_new(b, "digest", json_string("sha256:x"));
	json_object_set_new(b, "size", json_integer(3));
	json_object_set_new(d, "bundle", b);
	json_object_set_new(d, "alpha", json_null());
	ck_assert_int_eq(mcp_doc_write(f, d, &e), 0);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	/* Insertion order, compact, UTF-8 as is, one newline. */
	ck_assert_str_eq(buf,
	                 "{\"kind\":\"mcp.spec/v1\",\"zeta\":\"caf\xc3\xa9\","
	                 "\"bundle\":{\"digest\":\"sha256:x\",\"size\":3},"
	                 "\"alpha\":null}\n");

	ck_assert_str_eq(mcp_doc_str(d, "bundle.digest"), "sha256:x");
	ck_assert_ptr_null(mcp_doc_str(d, "bundle.size"));
	ck_assert_ptr_null(mcp_doc_str(d, "bundle.nope"));
	ck_assert_ptr_null(mcp_doc_str(d, "zeta.x"));
	ck_assert_ptr_nonnull(mcp_doc_get(d, "bundle"));
	ck_assert_int_eq(json_integer_value(mcp_doc_get(d, "bundle.size")), 3);
	ck_assert_str_eq(mcp_doc_need_str(d, "zeta", "f", MCP_ERR_USAGE, &e),
	                 "caf\xc3\xa9");
	ck_assert_ptr_null(
	    mcp_doc_need_str(d, "bundle.path", "f", MCP_ERR_USAGE, &e));
	ck_assert_str_eq(e.msg, "f: missing \"bundle.path\"");
	ck_assert_ptr_null(
	    mcp_doc_need_str(d, "alpha", "f", MCP_ERR_VERIFY, &e));
	ck_assert_str_eq(e.msg, "f: alpha: must be a string");
	ck_assert_int_eq(e.cat, MCP_ERR_VERIFY);
	json_decref(d);
}
END_TEST

START_TEST(test_write_fails)
{
	struct mcp_err e;
	json_t *d = mcp_doc_new(MCP_KIND_SPEC);
	FILE *f = fopen("/dev/full", "w");

	if (f == NULL) {
		json_decref(d);
		return; /* no /dev/full in this environment */
	}
	mcp_err_init(&e);
	ck_assert_int_eq(mcp_doc_write(f, d, &e), -1);
	ck_assert_int_eq(e.cat, MCP_ERR_RUNTIME);
	ck_assert_msg(strstr(e.msg, "write failed") != NULL, "%s", e.msg);
	fclose(f);
	json_decref(d);
}
END_TEST

START_TEST(test_now)
{
	char buf[32];

	mcp_now_rfc3339(buf);
	ck_assert_uint_eq(strlen(buf), 24);
	ck_assert_int_eq(buf[4], '-');
	ck_assert_int_eq(buf[10], 'T');
	ck_assert_int_eq(buf[19], '.');
	ck_assert_int_eq(buf[23], 'Z');
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("doc");
	TCase *tc = tcase_create("doc");

	tcase_add_test(tc, test_strict);
	tcase_add_test(tc, test_size_cap);
	tcase_add_loop_test(tc, test_kind, 0, sizeof(kinds) / sizeof(kinds[0]));
	tcase_add_test(tc, test_kind_many);
	tcase_add_test(tc, test_stdin_label);
	tcase_add_test(tc, test_write_get);
	tcase_add_test(tc, test_write_fails);
	tcase_add_test(tc, test_now);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(suite());
}
