/*
 * check_digest.c: SHA-256/512 known answers (FIPS 180-2 "abc" and the
 * empty string), hashing a file through mcp_digest_fd, and the strict
 * digest syntax.
 */
#include <mcp-config.h>

#include <fcntl.h>

#include "digest.h"
#include "unit.h"

#define S256_EMPTY                                                             \
	"sha256:"                                                              \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define S256_ABC                                                               \
	"sha256:"                                                              \
	"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define S512_EMPTY                                                             \
	"sha512:"                                                              \
	"cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0" \
	"d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"
#define S512_ABC                                                               \
	"sha512:"                                                              \
	"ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192" \
	"992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"

static void
hash(enum mcp_digest_algo a, const char *s, const char *want)
{
	struct mcp_digest d;
	struct mcp_err e;
	char out[MCP_DIGEST_STR_MAX];

	mcp_err_init(&e);
	ck_assert_int_eq(mcp_digest_init(&d, a, &e), 0);
	/* One byte at a time: streaming must equal one shot. */
	for (; *s != '\0'; s++)
		mcp_digest_update(&d, s, 1);
	ck_assert_int_eq(mcp_digest_final(&d, out, &e), 0);
	ck_assert_str_eq(out, want);
	mcp_digest_release(&d); /* safe after final */
	mcp_digest_release(&d); /* and twice */
}

START_TEST(test_kat)
{
	hash(MCP_DIGEST_SHA256, "", S256_EMPTY);
	hash(MCP_DIGEST_SHA256, "abc", S256_ABC);
	hash(MCP_DIGEST_SHA512, "", S512_EMPTY);
	hash(MCP_DIGEST_SHA512, "abc", S512_ABC);
	ck_assert_str_eq(mcp_digest_algo_name(MCP_DIGEST_SHA256), "sha256");
	ck_assert_str_eq(mcp_digest_algo_name(MCP_DIGEST_SHA512), "sha512");
}
END_TEST

START_TEST(test_fd)
{
	char *dir = unit_tmpdir(), *p, *big;
	char out[MCP_DIGEST_STR_MAX], want[MCP_DIGEST_STR_MAX];
	struct mcp_digest d;
	struct mcp_err e;
	uint64_t size = 0;
	size_t n = 3 * 1024 * 1024 + 17, i;
	int fd;

	mcp_err_init(&e);
	p = unit_write(dir, "abc", "abc", 3);
	fd = open(p, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(
	    mcp_digest_fd(fd, MCP_DIGEST_SHA256, p, out, &size, &e), 0);
	ck_assert_str_eq(out, S256_ABC);
	ck_assert_uint_eq(size, 3);
	close(fd);
	free(p);

	/* Larger than the read buffer, and not a multiple of it. */
	big = malloc(n);
	ck_assert_ptr_nonnull(big);
	for (i = 0; i < n; i++)
		big[i] = (char)(i * 7 + i / 1000);
	p = unit_write(dir, "big", big, n);
	ck_assert_int_eq(mcp_digest_init(&d, MCP_DIGEST_SHA512, &e), 0);
	mcp_digest_update(&d, big, n);
	ck_assert_uint_eq(d.bytes, n);
	ck_assert_int_eq(mcp_digest_final(&d, want, &e), 0);
	fd = open(p, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(
	    mcp_digest_fd(fd, MCP_DIGEST_SHA512, p, out, &size, &e), 0);
	ck_assert_str_eq(out, want);
	ck_assert_uint_eq(size, n);
	close(fd);

	/* A directory cannot be read: an error naming the label. */
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(
	    mcp_digest_fd(fd, MCP_DIGEST_SHA256, "thedir", out, NULL, &e), -1);
	ck_assert_int_eq(e.cat, MCP_ERR_RUNTIME);
	ck_assert_msg(strncmp(e.msg, "thedir: read: ", 14) == 0, "%s", e.msg);
	close(fd);
	free(big);
	free(p);
	unit_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_parse)
{
	enum mcp_digest_algo a;
	const char *hex;

	ck_assert_int_eq(mcp_digest_parse(S256_ABC, &a, &hex), 0);
	ck_assert_int_eq(a, MCP_DIGEST_SHA256);
	ck_assert_str_eq(hex, &S256_ABC[7]);
	ck_assert_int_eq(mcp_digest_parse(S512_ABC, &a, &hex), 0);
	ck_assert_int_eq(a, MCP_DIGEST_SHA512);
	ck_assert(mcp_digest_valid(S256_EMPTY));
	ck_assert(mcp_digest_valid(S512_EMPTY));
	ck_assert(mcp_digest_valid_sha256(S256_EMPTY));
	ck_assert(!mcp_digest_valid_sha256(S512_EMPTY));
	ck_assert(!mcp_digest_valid_sha256(NULL));
	/* Uppercase, short, long, other algorithms, stray bytes. */
	ck_assert(!mcp_digest_valid("sha256:"
	                            "BA7816BF8F01CFEA414140DE5DAE2223B00361A396"
	                            "177A9CB410FF61F20015AD"));
	ck_assert(!mcp_digest_valid("SHA256:"
	                            "ba7816bf8f01cfea414140de5dae2223b00361a396"
	                            "177a9cb410ff61f20015ad"));
	ck_assert(!mcp_digest_valid(
	    "sha256:"
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a"));
	ck_assert(!mcp_digest_valid(S256_ABC "0"));
	ck_assert(!mcp_digest_valid(S256_ABC "\n"));
	ck_assert(!mcp_digest_valid(" " S256_ABC));
	ck_assert(!mcp_digest_valid("sha256:"));
	ck_assert(!mcp_digest_valid("sha256"));
	ck_assert(!mcp_digest_valid(""));
	ck_assert(!mcp_digest_valid("md5:900150983cd24fb0d6963f7d28e17f72"));
	ck_assert(
	    !mcp_digest_valid("sha1:a9993e364706816aba3e25717850c26c9cd0d89d"));
	ck_assert(!mcp_digest_valid("sha512:"
	                            "ba7816bf8f01cfea414140de5dae2223b00361a396"
	                            "177a9cb410ff61f20015ad"));
	ck_assert(!mcp_digest_valid("sha256:"
	                            "ga7816bf8f01cfea414140de5dae2223b00361a396"
	                            "177a9cb410ff61f20015ad"));
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("digest");
	TCase *tc = tcase_create("digest");

	tcase_add_test(tc, test_kat);
	tcase_add_test(tc, test_fd);
	tcase_add_test(tc, test_parse);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(suite());
}
