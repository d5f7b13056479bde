/*
 * check_yaml.c: every refusal of the YAML reader with its FILE:LINE:COL,
 * the tree it builds, and the typed accessors.
 */
#include <mcp-config.h>

#include <errno.h>

#include "unit.h"
#include "yaml.h"

static struct mcp_ydoc *
load(const char *s, struct mcp_err *e)
{
	mcp_err_init(e);
	return mcp_yaml_load_buf(s, strlen(s), "p.yaml", e);
}

/* Each refused input and the exact start of its message. */
static const struct {
	const char *yaml, *msg;
} bad[] = {
    {"a: &x 1\nb: *x\n", "p.yaml:1:4: anchors and aliases are not allowed"},
    {"a: 1\nb: *x\n", "p.yaml:2:4: anchors and aliases are not allowed"},
    {"a: &x\n  b: 1\n", "p.yaml:1:4: anchors and aliases are not allowed"},
    {"a: !!str 1\n", "p.yaml:1:4: tags are not allowed"},
    {"a: !foo {b: 1}\n", "p.yaml:1:4: tags are not allowed"},
    {"a: ! x\n", "p.yaml:1:4: tags are not allowed"},
    {"%TAG !e! tag:example.com,2000:\n---\na: 1\n",
     "p.yaml:1:1: tags are not allowed"},
    {"a: 1\n---\nb: 2\n", "p.yaml:2:1: more than one document"},
    {"a: 1\nb: 2\na: 3\n", "p.yaml:3:1: duplicate key \"a\""},
    {"x:\n  y:\n    k: 1\n    k: 2\n", "p.yaml:4:5: duplicate key \"k\""},
    {"'a': 1\n\"a\": 2\n", "p.yaml:2:1: duplicate key \"a\""},
    {"? [a, b]\n: 1\n", "p.yaml:1:3: keys must be scalars"},
    {"{a: 1}: 2\n", "p.yaml:1:1: keys must be scalars"},
    {"a: \"x\\0y\"\n", "p.yaml:1:4: NUL character in a scalar"},
    {"a:\n\t- 1\n", "p.yaml:2:1: found character that cannot start any token"},
    {"a: [1, 2\n", "p.yaml:2:1: did not find expected ',' or ']'"},
    {"a: 1\n b: 2\n",
     "p.yaml:2:3: mapping values are not allowed in this context"},
    {"a: \xff\n", "p.yaml:1:4: invalid leading UTF-8 octet (byte 0xff)"},
    {"a: b\x01\n", "p.yaml:1:5: control characters are not allowed"},
};

START_TEST(test_refusals)
{
	struct mcp_err e;

	ck_assert_ptr_null(load(bad[_i].yaml, &e));
	ck_assert_int_eq(e.cat, MCP_ERR_USAGE);
	ck_assert_msg(strncmp(e.msg, bad[_i].msg, strlen(bad[_i].msg)) == 0,
	              "[%d] want \"%s\", got \"%s\"", _i, bad[_i].msg, e.msg);
}
END_TEST

START_TEST(test_depth)
{
	char buf[512];
	struct mcp_err e;
	struct mcp_ydoc *d;
	size_t i, o;

	/* MCP_YAML_MAX_DEPTH nested flow sequences load; one more does not. */
	o = 0;
	for (i = 0; i < MCP_YAML_MAX_DEPTH; i++)
		buf[o++] = '[';
	for (i = 0; i < MCP_YAML_MAX_DEPTH; i++)
		buf[o++] = ']';
	buf[o] = '\0';
	d = load(buf, &e);
	ck_assert_msg(d != NULL, "%s", e.msg);
	mcp_yaml_free(d);
	o = 0;
	for (i = 0; i <= MCP_YAML_MAX_DEPTH; i++)
		buf[o++] = '[';
	for (i = 0; i <= MCP_YAML_MAX_DEPTH; i++)
		buf[o++] = ']';
	buf[o] = '\0';
	ck_assert_ptr_null(load(buf, &e));
	ck_assert_str_eq(e.msg, "p.yaml:1:33: nesting deeper than 32 levels");
}
END_TEST

START_TEST(test_size)
{
	struct mcp_err e;
	char *big = malloc(MCP_YAML_MAX + 2), *dir = unit_tmpdir(), *p;

	ck_assert_ptr_nonnull(big);
	memset(big, '#', MCP_YAML_MAX + 1);
	big[MCP_YAML_MAX + 1] = '\0';
	mcp_err_init(&e);
	ck_assert_ptr_null(
	    mcp_yaml_load_buf(big, MCP_YAML_MAX + 1, "b.yaml", &e));
	ck_assert_str_eq(e.msg, "b.yaml: larger than 1048576 bytes");
	p = unit_write(dir, "big.yaml", big, MCP_YAML_MAX + 1);
	ck_assert_ptr_null(mcp_yaml_load(p, &e));
	ck_assert_msg(strstr(e.msg, ": larger than 1048576 bytes") != NULL,
	              "%s", e.msg);
	ck_assert_int_eq(e.cat, MCP_ERR_USAGE);
	free(p);
	free(big);
	mcp_err_init(&e);
	ck_assert_ptr_null(mcp_yaml_load("/nonexistent/c.yaml", &e));
	ck_assert_int_eq(e.sys_errno, ENOENT);
	ck_assert_str_eq(e.msg,
	                 "/nonexistent/c.yaml: No such file or directory");
	unit_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_empty)
{
	struct mcp_err e;
	struct mcp_ydoc *d;

	d = load("", &e);
	ck_assert_ptr_nonnull(d);
	ck_assert_ptr_null(d->root);
	mcp_yaml_free(d);
	d = load("# only a comment\n\n", &e);
	ck_assert_ptr_nonnull(d);
	ck_assert_ptr_null(d->root);
	mcp_yaml_free(d);
	d = load("\xef\xbb\xbf"
	         "a: 1\n",
	         &e); /* a UTF-8 BOM is allowed */
	ck_assert_ptr_nonnull(d);
	mcp_yaml_free(d);
}
END_TEST

static const char tree_yaml[] = "# policy\n"
                                "policy:\n"
                                "  limits:\n"
                                "    pids: 64\n"
                                "    fds: 0x10\n"
                                "    cpu: -1\n"
                                "    mem: \"5\"\n"
                                "    big: 18446744073709551616\n"
                                "    octal: 010\n"
                                "  subprocess: false\n"
                                "  yes_word: yes\n"
                                "  quoted_true: \"true\"\n"
                                "  names: [node, 'python3', \"x y\"]\n"
                                "  mixed: [a, [b]]\n"
                                "  nul: ~\n"
                                "  empty:\n"
                                "  text: hello\n";

START_TEST(test_tree_accessors)
{
	struct mcp_err e;
	struct mcp_ydoc *d = load(tree_yaml, &e);
	const struct mcp_ynode *pol, *lim, *n;
	const char **list = NULL;
	const char *s;
	uint64_t u;
	size_t count;
	int b;

	ck_assert_msg(d != NULL, "%s", e.msg);
	ck_assert_str_eq(d->file, "p.yaml");
	ck_assert_int_eq(d->root->type, MCP_YNODE_MAP);
	pol = mcp_ynode_get(d->root, "policy");
	ck_assert_ptr_nonnull(pol);
	ck_assert_uint_eq(pol->line, 3);
	ck_assert_uint_eq(pol->col, 3);
	ck_assert_uint_eq(d->root->keynodes[0]->line, 2);
	ck_assert_uint_eq(d->root->keynodes[0]->col, 1);
	ck_assert_ptr_null(mcp_ynode_get(d->root, "nope"));
	ck_assert_ptr_null(mcp_ynode_get(NULL, "x"));
	lim = mcp_ynode_get(pol, "limits");
	ck_assert_ptr_null(mcp_ynode_get(mcp_ynode_get(lim, "pids"), "x"));

	n = mcp_ynode_get(lim, "pids");
	ck_assert_int_eq(mcp_ynode_uint(n, "policy.limits.pids", 4096, &u, &e),
	                 0);
	ck_assert_uint_eq(u, 64);
	ck_assert_int_eq(mcp_ynode_uint(n, "policy.limits.pids", 63, &u, &e),
	                 -1);
	ck_assert_str_eq(e.msg, "p.yaml:4:11: policy.limits.pids: must be an "
	                        "integer between 0 and 63");
	ck_assert_int_eq(mcp_ynode_uint_range(n, "x", 65, 100, &u, &e), -1);
	ck_assert_int_eq(mcp_ynode_uint_range(n, "x", 64, 64, &u, &e), 0);
	n = mcp_ynode_get(lim, "fds");
	ck_assert_int_eq(
	    mcp_ynode_uint_range(n, "policy.limits.fds", 1, 4096, &u, &e), -1);
	ck_assert_str_eq(e.msg, "p.yaml:5:10: policy.limits.fds: must be an "
	                        "integer between 1 and 4096");
	ck_assert_int_eq(
	    mcp_ynode_uint(mcp_ynode_get(lim, "cpu"), "c", 100, &u, &e), -1);
	ck_assert_int_eq(
	    mcp_ynode_uint(mcp_ynode_get(lim, "mem"), "m", 100, &u, &e), -1);
	ck_assert_int_eq(
	    mcp_ynode_uint(mcp_ynode_get(lim, "big"), "b", UINT64_MAX, &u, &e),
	    -1);
	ck_assert_int_eq(
	    mcp_ynode_uint(mcp_ynode_get(lim, "octal"), "o", 100, &u, &e), -1);
	ck_assert_int_eq(mcp_ynode_uint(lim, "lim", 100, &u, &e), -1);
	ck_assert_str_eq(
	    e.msg, "p.yaml:4:5: lim: must be an integer between 0 and 100");

	ck_assert_int_eq(
	    mcp_ynode_bool(mcp_ynode_get(pol, "subprocess"), "s", &b, &e), 0);
	ck_assert_int_eq(b, 0);
	ck_assert_int_eq(mcp_ynode_bool(mcp_ynode_get(pol, "yes_word"),
	                                "policy.yes_word", &b, &e),
	                 -1);
	ck_assert_str_eq(
	    e.msg, "p.yaml:11:13: policy.yes_word: must be true or false");
	ck_assert_int_eq(
	    mcp_ynode_bool(mcp_ynode_get(pol, "quoted_true"), "q", &b, &e), -1);

	ck_assert_int_eq(mcp_ynode_str(mcp_ynode_get(pol, "text"), "t", &s, &e),
	                 0);
	ck_assert_str_eq(s, "hello");
	ck_assert_int_eq(
	    mcp_ynode_str(mcp_ynode_get(pol, "yes_word"), "t", &s, &e), 0);
	ck_assert_str_eq(s, "yes");
	ck_assert_int_eq(
	    mcp_ynode_str(mcp_ynode_get(pol, "nul"), "policy.nul", &s, &e), -1);
	ck_assert_str_eq(e.msg, "p.yaml:15:8: policy.nul: must be a string");
	ck_assert_int_eq(
	    mcp_ynode_str(mcp_ynode_get(pol, "empty"), "e", &s, &e), -1);
	ck_assert_int_eq(mcp_ynode_str(lim, "l", &s, &e), -1);

	ck_assert_int_eq(mcp_ynode_strlist(mcp_ynode_get(pol, "names"), "n",
	                                   &list, &count, &e),
	                 0);
	ck_assert_uint_eq(count, 3);
	ck_assert_str_eq(list[0], "node");
	ck_assert_str_eq(list[1], "python3");
	ck_assert_str_eq(list[2], "x y");
	ck_assert_ptr_null(list[3]);
	free(list);
	ck_assert_int_eq(mcp_ynode_strlist(mcp_ynode_get(pol, "mixed"),
	                                   "policy.mixed", &list, &count, &e),
	                 -1);
	ck_assert_str_eq(e.msg,
	                 "p.yaml:14:14: policy.mixed[1]: must be a string");
	ck_assert_int_eq(mcp_ynode_strlist(mcp_ynode_get(pol, "text"),
	                                   "policy.text", &list, &count, &e),
	                 -1);
	ck_assert_str_eq(e.msg,
	                 "p.yaml:17:9: policy.text: must be a list of strings");

	ck_assert_int_eq(mcp_ynode_err(lim, &e, MCP_ERR_DENIED, "x %d", 1), -1);
	ck_assert_str_eq(e.msg, "p.yaml:4:5: x 1");
	ck_assert_int_eq(e.cat, MCP_ERR_DENIED);
	mcp_yaml_free(d);
}
END_TEST

START_TEST(test_keys)
{
	static const char *const allowed[] = {"limits", "subprocess", NULL};
	struct mcp_err e;
	struct mcp_ydoc *d =
	    load("policy:\n  limits: {}\n  subprocess: true\n  extra: 1\n", &e);
	const struct mcp_ynode *pol;

	ck_assert_ptr_nonnull(d);
	pol = mcp_ynode_get(d->root, "policy");
	ck_assert_int_eq(mcp_ynode_keys(pol, "policy", allowed, &e), -1);
	ck_assert_str_eq(e.msg, "p.yaml:4:3: policy: unknown key \"extra\"");
	ck_assert_int_eq(mcp_ynode_keys(NULL, "policy", allowed, &e), 0);
	ck_assert_int_eq(mcp_ynode_keys(mcp_ynode_get(pol, "subprocess"),
	                                "policy.subprocess", allowed, &e),
	                 -1);
	ck_assert_str_eq(e.msg,
	                 "p.yaml:3:15: policy.subprocess: must be a mapping");
	mcp_yaml_free(d);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("yaml");
	TCase *tc = tcase_create("yaml");

	tcase_add_loop_test(tc, test_refusals, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_depth);
	tcase_add_test(tc, test_size);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_tree_accessors);
	tcase_add_test(tc, test_keys);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(suite());
}
