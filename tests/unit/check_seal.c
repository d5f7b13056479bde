/*
 * check_seal.c: the seal of a cached bundle (common/seal.c): the number
 * and time parsers of an index (bases, separators, overflow, the nine
 * digits of nanoseconds), the index's first line, the bundle line, when a
 * seal holds (each field,
 * the 2 s margin), and mcp_bundle_vouched() on a real index and file.
 */
#include <mcp-config.h>

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "seal.h"
#include "unit.h"

/* Parse S (copied: the parsers write nothing, but take char **). */
static int
num(const char *s, unsigned base, char sep, unsigned long long *v)
{
	char buf[64], *p = buf;

	snprintf(buf, sizeof(buf), "%s", s);
	return mcp_parse_num(&p, base, sep, v);
}

START_TEST(test_parse_num)
{
	unsigned long long v;
	char buf[32] = "42\t7", *p = buf;

	ck_assert_int_eq(mcp_parse_num(&p, 10, '\t', &v), 0);
	ck_assert_uint_eq(v, 42);
	ck_assert_str_eq(p, "7"); /* past the separator */
	ck_assert_int_eq(num("100644\t", 8, '\t', &v), 0);
	ck_assert_uint_eq(v, 0100644);
	ck_assert_int_eq(num("18446744073709551615\t", 10, '\t', &v), 0);
	ck_assert_uint_eq(v, 18446744073709551615ULL);
	ck_assert_int_eq(num("18446744073709551616\t", 10, '\t', &v), -1);
	ck_assert_int_eq(num("8\t", 8, '\t', &v), -1);   /* not octal */
	ck_assert_int_eq(num("12 ", 10, '\t', &v), -1);  /* wrong separator */
	ck_assert_int_eq(num("12", 10, '\t', &v), -1);   /* none */
	ck_assert_int_eq(num("\t", 10, '\t', &v), -1);   /* no digit */
	ck_assert_int_eq(num("-1\t", 10, '\t', &v), -1); /* no sign */
}
END_TEST

START_TEST(test_parse_ts)
{
	struct timespec t;
	char buf[64], *p;

	snprintf(buf, sizeof(buf), "1700000000.000000123\t");
	p = buf;
	ck_assert_int_eq(mcp_parse_ts(&p, '\t', &t), 0);
	ck_assert_int_eq(t.tv_sec, 1700000000);
	ck_assert_int_eq(t.tv_nsec, 123);
	ck_assert_str_eq(p, "");
	snprintf(buf, sizeof(buf), "1700000000.123\t"); /* nine digits */
	p = buf;
	ck_assert_int_eq(mcp_parse_ts(&p, '\t', &t), -1);
	snprintf(buf, sizeof(buf), "1700000000\t");
	p = buf;
	ck_assert_int_eq(mcp_parse_ts(&p, '\t', &t), -1);
	snprintf(buf, sizeof(buf), "100000000001.000000000"); /* too far */
	p = buf;
	ck_assert_int_eq(mcp_parse_ts(&p, '\0', &t), -1);
}
END_TEST

START_TEST(test_head)
{
	struct mcp_tree_head h;

	ck_assert_int_eq(mcp_tree_head_parse("mcp.tree/v2 sha256:ab 7 28 "
	                                     "1700000000.000000042", &h), 0);
	ck_assert_int_eq(h.version, 2);
	ck_assert_str_eq(h.listing, "sha256:ab");
	ck_assert_uint_eq(h.entries, 7);
	ck_assert_uint_eq(h.bytes, 28);
	ck_assert_int_eq(h.sealed_at.tv_sec, 1700000000);
	ck_assert_int_eq(h.sealed_at.tv_nsec, 42);
	ck_assert_int_eq(mcp_tree_head_parse("mcp.tree/v1 sha256:cd 3 5", &h),
	                 0);
	ck_assert_int_eq(h.version, 1);
	ck_assert_uint_eq(h.bytes, 5);
	ck_assert_int_eq(mcp_tree_head_parse("mcp.tree/v2 sha256:ab 7 28", &h),
	                 -1); /* no seal time */
	ck_assert_int_eq(mcp_tree_head_parse("mcp.tree/v3 sha256:ab 7 28", &h),
	                 -1);
	ck_assert_int_eq(mcp_tree_head_parse("mcp.tree/v2 sha256:ab 7 28 "
	                                     "100000000001.000000000", &h),
	                 -1); /* too far */
	ck_assert_int_eq(mcp_tree_head_parse("", &h), -1);
}
END_TEST

START_TEST(test_bseal)
{
	struct mcp_bseal b, c;
	struct timespec at = {1000, 0};
	struct stat st;
	char line[256];

	snprintf(line, sizeof(line), "bundle\t-");
	ck_assert_int_eq(mcp_bseal_parse(&b, line), 0);
	ck_assert_int_eq(b.set, 0);
	snprintf(line, sizeof(line), "bundle\t2049\t77\t300\t"
	         "900.000000005\t990.000000006\t1000.000000000");
	ck_assert_int_eq(mcp_bseal_parse(&b, line), 0);
	ck_assert_int_eq(b.set, 1);
	ck_assert_uint_eq(b.dev, 2049);
	ck_assert_uint_eq(b.ino, 77);
	ck_assert_uint_eq(b.size, 300);
	ck_assert_int_eq(b.mtim.tv_nsec, 5);
	ck_assert_int_eq(b.ctim.tv_sec, 990);
	snprintf(line, sizeof(line), "bundle\t2049\t77\t300");
	ck_assert_int_eq(mcp_bseal_parse(&c, line), -1);
	snprintf(line, sizeof(line), "bundles\t-");
	ck_assert_int_eq(mcp_bseal_parse(&c, line), -1);

	/* A file as sealed holds; each field changed breaks it. */
	memset(&st, 0, sizeof(st));
	st.st_mode = S_IFREG | 0444;
	st.st_dev = 2049;
	st.st_ino = 77;
	st.st_size = 300;
	st.st_mtim = b.mtim;
	st.st_ctim = b.ctim;
	ck_assert_int_eq(mcp_bseal_holds(&b, &st), 1);
	st.st_ino = 78;
	ck_assert_int_eq(mcp_bseal_holds(&b, &st), 0);
	st.st_ino = 77;
	st.st_size = 301;
	ck_assert_int_eq(mcp_bseal_holds(&b, &st), 0);
	st.st_size = 300;
	st.st_ctim.tv_nsec++;
	ck_assert_int_eq(mcp_bseal_holds(&b, &st), 0);
	st.st_ctim = b.ctim;
	st.st_mode = S_IFLNK | 0777;
	ck_assert_int_eq(mcp_bseal_holds(&b, &st), 0);
	st.st_mode = S_IFREG | 0444;
	/* Changed less than 2 s before the seal: not trusted. */
	st.st_ctim.tv_sec = 999;
	mcp_bseal_from(&c, &st, &at);
	ck_assert_int_eq(mcp_bseal_holds(&c, &st), 0);
	st.st_ctim.tv_sec = 997;
	mcp_bseal_from(&c, &st, &at);
	ck_assert_int_eq(mcp_bseal_holds(&c, &st), 1);
	/* An unset seal never holds. */
	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(mcp_bseal_holds(&c, &st), 0);
}
END_TEST

/* Write TREES/<hex>.tree with a seal of FILE taken at AT (NULL: "-"). */
static void
write_index(const char *trees, const char *hex, const char *file,
            const struct timespec *at)
{
	char *path = mcp_tree_index_path(trees, hex), line[512];
	struct stat st;
	FILE *f;

	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fprintf(f, MCP_TREE_INDEX2_MAGIC " sha256:%s 1 0 %lld.%09ld\n", hex,
	        (long long)at->tv_sec, at->tv_nsec);
	if (file == NULL) {
		fprintf(f, "bundle\t-\n");
	} else {
		ck_assert_int_eq(stat(file, &st), 0);
		snprintf(line, sizeof(line),
		         "bundle\t%llu\t%llu\t%llu\t%lld.%09ld\t%lld.%09ld\t"
		         "%lld.%09ld\n",
		         (unsigned long long)st.st_dev,
		         (unsigned long long)st.st_ino,
		         (unsigned long long)st.st_size,
		         (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
		         (long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec,
		         (long long)at->tv_sec, at->tv_nsec);
		fputs(line, f);
	}
	ck_assert_int_eq(fclose(f), 0);
	free(path);
}

START_TEST(test_vouched)
{
	static const char hex[] =
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
	char *dir = unit_tmpdir(), *blob, digest[80];
	struct timespec now, later;
	int fd;

	snprintf(digest, sizeof(digest), "sha256:%s", hex);
	blob = unit_write(dir, "blob", "abc", 3);
	ck_assert_int_ge(fd = open(blob, O_RDONLY), 0);
	/* No index: not vouched, and NOW is read. */
	now.tv_sec = 0;
	ck_assert_int_eq(mcp_bundle_vouched(fd, dir, digest, &now), 0);
	ck_assert_int_gt(now.tv_sec, 0);
	/* Sealed 10 s after the file's ctime: vouched. */
	later = now;
	later.tv_sec += 10;
	write_index(dir, hex, blob, &later);
	ck_assert_int_eq(mcp_bundle_vouched(fd, dir, digest, &now), 1);
	/* Another digest, a malformed one: not. */
	ck_assert_int_eq(mcp_bundle_vouched(fd, dir, "sha256:00", &now), 0);
	/* Sealed at the file's ctime: too recent to vouch. */
	write_index(dir, hex, blob, &now);
	ck_assert_int_eq(mcp_bundle_vouched(fd, dir, digest, &now), 0);
	/* An index without a bundle seal. */
	write_index(dir, hex, NULL, &later);
	ck_assert_int_eq(mcp_bundle_vouched(fd, dir, digest, &now), 0);
	/* The file changed after the seal (its ctime moves on). */
	write_index(dir, hex, blob, &later);
	ck_assert_int_eq(fchmod(fd, 0400), 0);
	ck_assert_int_eq(mcp_bundle_vouched(fd, dir, digest, &now), 0);
	close(fd);
	unit_rmtree(dir);
	free(blob);
	free(dir);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("seal");
	TCase *tc = tcase_create("seal");

	tcase_add_test(tc, test_parse_num);
	tcase_add_test(tc, test_parse_ts);
	tcase_add_test(tc, test_head);
	tcase_add_test(tc, test_bseal);
	tcase_add_test(tc, test_vouched);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(suite());
}
