/*
 * check_ref.c: package references and semver, as FORMATS.md defines them.
 * Table-driven: every accepted spelling and every kind of refusal the
 * grammar names (path tricks, encodings, look-alikes, bad digests).
 */
#include <mcp-config.h>

#include <string.h>

#include "ref.h"
#include "unit.h"

#define H40 "0123456789abcdef0123456789abcdef01234567"
#define H64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define N64 "a123456789012345678901234567890123456789012345678901234567890123"

static const struct {
	const char *s;
	enum mcp_ref_kind kind;
	const char *org, *name, *ref;
} good[] = {
    {"acme/hello@latest", MCP_REF_LATEST, "acme", "hello", "latest"},
    {"acme/hello@1.2.3", MCP_REF_VERSION, "acme", "hello", "1.2.3"},
    {"acme/hello@0.0.0", MCP_REF_VERSION, "acme", "hello", "0.0.0"},
    {"acme/hello@2.0.0-rc.1", MCP_REF_VERSION, "acme", "hello", "2.0.0-rc.1"},
    {"acme/hello@1.2.3-rc.1+build.5", MCP_REF_VERSION, "acme", "hello",
     "1.2.3-rc.1+build.5"},
    {"acme/hello@1.0.0+001", MCP_REF_VERSION, "acme", "hello", "1.0.0+001"},
    {"acme/hello@1.0.0-x-y-z.--", MCP_REF_VERSION, "acme", "hello",
     "1.0.0-x-y-z.--"},
    {"acme/hello@10.20.30", MCP_REF_VERSION, "acme", "hello", "10.20.30"},
    {"acme/hello@" H40, MCP_REF_GITSHA, "acme", "hello", H40},
    {"acme/hello@sha256:" H64, MCP_REF_DIGEST, "acme", "hello", "sha256:" H64},
    {"A_b-1/X-y_2@1.0.0", MCP_REF_VERSION, "A_b-1", "X-y_2", "1.0.0"},
    {"0/9@latest", MCP_REF_LATEST, "0", "9", "latest"},
    {N64 "/" N64 "@latest", MCP_REF_LATEST, N64, N64, "latest"},
};

/* Each with a fragment its message must contain. */
static const struct {
	const char *s, *why;
} bad[] = {
    {"", "empty"},
    {"acme/hello", "missing \"@\""},
    {"acmehello@1.0.0", "missing \"/\""},
    {"/hello@1.0.0", "empty organisation"},
    {"acme/@1.0.0", "empty name"},
    {"acme/hello@", "empty ref"},
    {"@1.0.0", "missing \"/\""},
    {"acme//hello@1.0.0", "more than one \"/\""},
    {"acme/hello/x@1.0.0", "more than one \"/\""},
    {"acme/hello@1.0.0/x", "more than one \"/\""},
    {"acme/hello@@1.0.0", "more than one \"@\""},
    {"acme/hello@1.0.0@2.0.0", "more than one \"@\""},
    {"acme@x/hello@1.0.0", "more than one \"@\""},
    {"./hello@1.0.0", "must not be \".\""},
    {"../hello@1.0.0", "must not be \"..\""},
    {"acme/..@1.0.0", "must not be \"..\""},
    {"acme/.@1.0.0", "must not be \".\""},
    {"acme/%2e%2e@1.0.0", "percent-encoding"},
    {"acme/hello@1.0.0%2B1", "percent-encoding"},
    {"%61cme/hello@1.0.0", "percent-encoding"},
    {"acme/hel\nlo@1.0.0", "control character"},
    {"acme/hello@1.0.0\r", "control character"},
    {"acme/hel\tlo@1.0.0", "control character"},
    {"acme/hel\x7flo@1.0.0", "control character"},
    {"acme/hel\x1b[31mlo@1.0.0", "control character"},
    {"acme/hello @1.0.0", "space"},
    {" acme/hello@1.0.0", "space"},
    {"acme/hello@1.0.0 ", "space"},
    {"acme/h\xc3\xa9llo@1.0.0", "non-ASCII"},
    {"\xd0\xb0"
     "cme/hello@1.0.0",
     "non-ASCII"},                                 /* Cyrillic a */
    {"acme/hello@\xef\xbc\x91.0.0", "non-ASCII"},  /* fullwidth 1 */
    {"acme/hel\xe2\x80\x8blo@1.0.0", "non-ASCII"}, /* zero-width space */
    /* NOLINTNEXTLINE(misc-misleading-bidirectional): what is tested */
    {"acme/hello\xe2\x80\xae@1.0.0", "non-ASCII"}, /* RLO bidi */
    /* NOLINTNEXTLINE(misc-misleading-bidirectional): what is tested */
    {"acme/hello@1.0.0\xe2\x81\xa6", "non-ASCII"}, /* LRI bidi */
    {"acme/hello@1.0.0"
     "\xef\xbb\xbf",
     "non-ASCII"},                        /* BOM / ZWNBSP */
    {"acme/hello@1.0.\xff", "non-ASCII"}, /* invalid UTF-8 */
    {"-acme/hello@1.0.0", "must not start with \"-\""},
    {"--registry=x/y@1.0.0", "must not start with \"-\""},
    {"acme/-hello@1.0.0", "must start with a letter or digit"},
    {"_acme/hello@1.0.0", "must start with a letter or digit"},
    {"ac.me/hello@1.0.0", "invalid character '.'"},
    {"acme/hel:lo@1.0.0", "invalid character ':'"},
    {"acme/hel\\lo@1.0.0", "invalid character"},
    {"a" N64 "/hello@1.0.0", "longer than 64"},
    {"acme/a" N64 "@1.0.0", "longer than 64"},
    {"acme/hello@sha256:"
     "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
     "digest must be sha256: followed by 64 lowercase hex digits"},
    {"acme/hello@sha256:0123456789abcdef",
     "digest must be sha256: followed by 64 lowercase hex digits"},
    {"acme/hello@sha256:" H64 "0",
     "digest must be sha256: followed by 64 lowercase hex digits"},
    {"acme/hello@sha256:",
     "digest must be sha256: followed by 64 lowercase hex digits"},
    {"acme/hello@SHA256:" H64,
     "digest must be sha256: followed by 64 lowercase hex digits"},
    {"acme/hello@sha512:" H64 H64,
     "digest must be sha256: followed by 64 lowercase hex digits"},
    {"acme/hello@sha256:" H64 "\n", "control character"},
    {"acme/hello@0123456789ABCDEF0123456789abcdef01234567",
     "git commit must be 40 lowercase hex digits"},
    {"acme/hello@0123456789abcdef", "ref must be"},
    {"acme/hello@" H40 "8", "ref must be"},
    {"acme/hello@Latest", "ref must be"},
    {"acme/hello@LATEST", "ref must be"},
    {"acme/hello@v1.2.3", "ref must be"},
    {"acme/hello@1.2", "ref must be"},
    {"acme/hello@1", "ref must be"},
    {"acme/hello@1.2.3.4", "ref must be"},
    {"acme/hello@01.2.3", "ref must be"},
    {"acme/hello@1.02.3", "ref must be"},
    {"acme/hello@1.2.03", "ref must be"},
    {"acme/hello@1.2.3-01", "ref must be"},
    {"acme/hello@1.2.3-rc..1", "ref must be"},
    {"acme/hello@1.2.3-", "ref must be"},
    {"acme/hello@1.2.3+", "ref must be"},
    {"acme/hello@1.2.3-rc.1+", "ref must be"},
    {"acme/hello@1.2.3+a..b", "ref must be"},
    {"acme/hello@1.2.3-rc_1", "ref must be"},
    {"acme/hello@-1.2.3", "ref must be"},
    {"acme/hello@+1.2.3", "ref must be"},
    {"acme/hello@1.2.3-+x", "ref must be"},
    {"acme/hello@.", "ref must be"},
    {"acme/hello@..", "ref must be"},
    {"acme/hello@1.2.3-"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
     "longer than 128"},
};

START_TEST(test_good)
{
	struct mcp_ref r;
	struct mcp_err e;
	char buf[512], want[512];

	mcp_err_init(&e);
	ck_assert_msg(mcp_ref_parse(&r, good[_i].s, &e) == 0, "%s: %s",
	              good[_i].s, e.msg);
	ck_assert_int_eq(r.kind, good[_i].kind);
	ck_assert_str_eq(r.org, good[_i].org);
	ck_assert_str_eq(r.name, good[_i].name);
	ck_assert_str_eq(r.ref, good[_i].ref);
	snprintf(want, sizeof(want), "%s/%s", good[_i].org, good[_i].name);
	ck_assert_str_eq(r.pkg, want);
	ck_assert_str_eq(mcp_ref_format(&r, buf, sizeof(buf)), good[_i].s);
	ck_assert(mcp_pkgid_valid(r.pkg));
}
END_TEST

START_TEST(test_bad)
{
	struct mcp_ref r;
	struct mcp_err e;

	mcp_err_init(&e);
	ck_assert_msg(mcp_ref_parse(&r, bad[_i].s, &e) == -1, "accepted [%d]",
	              _i);
	ck_assert_int_eq(e.cat, MCP_ERR_USAGE);
	ck_assert_int_eq(mcp_err_exit(&e), 2);
	ck_assert_msg(strncmp(e.msg, "invalid reference \"", 19) == 0, "%s",
	              e.msg);
	ck_assert_msg(strstr(e.msg, bad[_i].why) != NULL,
	              "[%d] want \"%s\" in: %s", _i, bad[_i].why, e.msg);
}
END_TEST

START_TEST(test_exact_messages)
{
	struct mcp_ref r;
	struct mcp_err e;

	mcp_err_init(&e);
	ck_assert_int_eq(mcp_ref_parse(&r, "x", &e), -1);
	ck_assert_str_eq(
	    e.msg,
	    "invalid reference \"x\": missing \"@\" (expected ORG/NAME@REF)");
	ck_assert_int_eq(mcp_ref_parse(&r, "-x", &e), -1);
	ck_assert_str_eq(e.msg,
	                 "invalid reference \"-x\": must not start with \"-\"");
}
END_TEST

START_TEST(test_names)
{
	ck_assert(mcp_name_valid("a"));
	ck_assert(mcp_name_valid(N64));
	ck_assert(!mcp_name_valid("a" N64));
	ck_assert(!mcp_name_valid(""));
	ck_assert(!mcp_name_valid("-a"));
	ck_assert(!mcp_name_valid("a/b"));
	ck_assert(mcp_pkgid_valid("a/b"));
	ck_assert(!mcp_pkgid_valid("a/b/c"));
	ck_assert(!mcp_pkgid_valid("a"));
	ck_assert(!mcp_pkgid_valid("/b"));
	ck_assert(!mcp_pkgid_valid("a/"));
	ck_assert(mcp_gitsha_valid(H40));
	ck_assert(!mcp_gitsha_valid(H40 "0"));
	ck_assert(
	    !mcp_gitsha_valid("0123456789ABCDEF0123456789abcdef01234567"));
	ck_assert_str_eq(mcp_ref_kind_name(MCP_REF_LATEST), "latest");
	ck_assert_str_eq(mcp_ref_kind_name(MCP_REF_VERSION), "version");
	ck_assert_str_eq(mcp_ref_kind_name(MCP_REF_GITSHA), "git_sha");
	ck_assert_str_eq(mcp_ref_kind_name(MCP_REF_DIGEST), "digest");
}
END_TEST

START_TEST(test_semver_valid)
{
	char v[200];

	ck_assert(mcp_semver_valid("0.0.4"));
	ck_assert(mcp_semver_valid("1.0.0-alpha+beta"));
	ck_assert(mcp_semver_valid("1.0.0-0A.is.legal"));
	ck_assert(mcp_semver_valid("1.2.3----RC-SNAPSHOT.12.9.1--.12+788"));
	ck_assert(mcp_semver_valid(
	    "99999999999999999999999.999999999999999999.99999999999999999"));
	ck_assert(!mcp_semver_valid("1.2.3-0123"));
	ck_assert(!mcp_semver_valid("1.2.3-0123.0123"));
	ck_assert(!mcp_semver_valid("1.1.2+.123"));
	ck_assert(!mcp_semver_valid("+invalid"));
	ck_assert(!mcp_semver_valid("alpha"));
	ck_assert(!mcp_semver_valid(""));
	/* 128 characters is the limit, 129 is over it. */
	memset(v, 'a', sizeof(v));
	memcpy(v, "1.2.3-", 6);
	v[128] = '\0';
	ck_assert(mcp_semver_valid(v));
	v[128] = 'a';
	v[129] = '\0';
	ck_assert(!mcp_semver_valid(v));
	ck_assert(mcp_semver_is_prerelease("1.0.0-rc.1"));
	ck_assert(mcp_semver_is_prerelease("1.0.0-rc.1+b-1"));
	ck_assert(!mcp_semver_is_prerelease("1.0.0"));
	ck_assert(!mcp_semver_is_prerelease("1.0.0+build-1"));
}
END_TEST

/* semver.org, item 11: each version precedes the next. */
static const char *const order[] = {
    "1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-alpha.beta",
    "1.0.0-beta",
    "1.0.0-beta.2",
    "1.0.0-beta.11",
    "1.0.0-rc.1",
    "1.0.0",
    "1.9.0",
    "1.10.0",
    "1.11.0",
    "2.0.0",
    "2.1.0",
    "2.1.1",
    "18446744073709551616.0.0",
    "99999999999999999999999.0.0",
};

START_TEST(test_semver_cmp)
{
	size_t n = sizeof(order) / sizeof(order[0]), i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			int c = mcp_semver_cmp(order[i], order[j]);

			if (i < j)
				ck_assert_msg(c < 0, "%s < %s", order[i],
				              order[j]);
			else if (i > j)
				ck_assert_msg(c > 0, "%s > %s", order[i],
				              order[j]);
			else
				ck_assert_int_eq(c, 0);
		}
	/* Build metadata does not count. */
	ck_assert_int_eq(mcp_semver_cmp("1.0.0+a", "1.0.0+b"), 0);
	ck_assert_int_eq(mcp_semver_cmp("1.0.0-rc.1+a", "1.0.0-rc.1"), 0);
	ck_assert_int_lt(mcp_semver_cmp("1.0.0-rc.1+zzz", "1.0.0"), 0);
	ck_assert_int_lt(mcp_semver_cmp("1.0.0-A", "1.0.0-a"), 0);
	ck_assert_int_lt(mcp_semver_cmp("1.0.0-9", "1.0.0-10"), 0);
	ck_assert_int_lt(mcp_semver_cmp("1.0.0-99", "1.0.0-a"), 0);
	ck_assert_int_lt(mcp_semver_cmp("1.0.0-a", "1.0.0-a.0"), 0);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("ref");
	TCase *tc = tcase_create("ref");

	tcase_add_loop_test(tc, test_good, 0, sizeof(good) / sizeof(good[0]));
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_exact_messages);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_semver_valid);
	tcase_add_test(tc, test_semver_cmp);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(suite());
}
