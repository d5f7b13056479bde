/*
 * digest.c: SHA-256 / SHA-512 over streams and files, and the strict
 * digest syntax.
 *
 * Invariant: a digest string we accept has exactly one spelling
 * ("sha256:" + 64 lowercase hex), so comparing two digests is a plain
 * strcmp and a cache path built from one cannot differ by case.  Hashing
 * reads in large blocks so verifying a 100 MiB bundle costs no more than
 * `openssl dgst` on it.
 *
 * The hashing is libcrypto's SHA-256 and SHA-512 block functions
 * (SHA256_Init and the rest), not EVP: every stage hashes something on
 * every run, and the first EVP digest of a process costs about 2 ms of
 * start-up (the default provider, the name tables, openssl.cnf), more than
 * all the hashing a cached run does.  OpenSSL 3 marks the block functions
 * deprecated but ships them; where a libcrypto lacks them configure
 * defines MCP_DIGEST_EVP and the same interface is built on EVP (the unit
 * test check_digest_evp keeps that build honest).
 */
#include <mcp-config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef MCP_DIGEST_EVP
#include <openssl/evp.h>
#else
/* The block functions, deprecated (not removed) in OpenSSL 3. */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/crypto.h>
#include <openssl/sha.h>
#endif

#include "digest.h"
#include "xalloc.h"

/* 1 MiB: large enough that syscalls are noise next to the hashing. */
#define DIGEST_BUF (1024 * 1024)

const char *
mcp_digest_algo_name(enum mcp_digest_algo algo)
{
	return algo == MCP_DIGEST_SHA512 ? "sha512" : "sha256";
}

static size_t
algo_hexlen(enum mcp_digest_algo algo)
{
	return algo == MCP_DIGEST_SHA512 ? 128 : 64;
}

#ifdef MCP_DIGEST_EVP

int
mcp_digest_init(struct mcp_digest *d, enum mcp_digest_algo algo,
                struct mcp_err *e)
{
	const EVP_MD *md =
	    algo == MCP_DIGEST_SHA512 ? EVP_sha512() : EVP_sha256();
	EVP_MD_CTX *ctx;

	d->ctx = NULL;
	d->algo = algo;
	d->bytes = 0;
	d->failed = 0;
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL)
		mcp_oom();
	if (md == NULL || EVP_DigestInit_ex(ctx, md, NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		return mcp_err_set(e, MCP_ERR_RUNTIME,
		                   "%s: cannot initialise the digest (OpenSSL)",
		                   mcp_digest_algo_name(algo));
	}
	d->ctx = ctx;
	return 0;
}

static int
update(struct mcp_digest *d, const void *p, size_t n)
{
	return EVP_DigestUpdate(d->ctx, p, n) == 1;
}

/* Finish into MD; 1 if it worked and gave LEN bytes. */
static int
finish(struct mcp_digest *d, unsigned char *md, size_t len)
{
	unsigned int mdlen = 0;

	return EVP_DigestFinal_ex(d->ctx, md, &mdlen) == 1 && mdlen == len;
}

void
mcp_digest_release(struct mcp_digest *d)
{
	EVP_MD_CTX_free(d->ctx); /* NULL is fine */
	d->ctx = NULL;
}

void
mcp_sha256(const void *p, size_t n, unsigned char md[32])
{
	unsigned int len = 0;

	/* Fails only if OpenSSL cannot give SHA-256 at all. */
	if (EVP_Digest(p, n, md, &len, EVP_sha256(), NULL) != 1 || len != 32) {
		fputs("mcp: SHA-256 is not available (OpenSSL)\n", stderr);
		abort();
	}
}

#else /* the block functions */

/* The context: one or the other, by d->algo. */
union sha_ctx {
	SHA256_CTX s256;
	SHA512_CTX s512;
};

int
mcp_digest_init(struct mcp_digest *d, enum mcp_digest_algo algo,
                struct mcp_err *e)
{
	union sha_ctx *c = xmalloc(sizeof(*c));
	int ok;

	d->algo = algo;
	d->bytes = 0;
	d->failed = 0;
	ok = algo == MCP_DIGEST_SHA512 ? SHA512_Init(&c->s512)
	                               : SHA256_Init(&c->s256);
	if (ok != 1) {
		free(c);
		d->ctx = NULL;
		return mcp_err_set(e, MCP_ERR_RUNTIME,
		                   "%s: cannot initialise the digest (OpenSSL)",
		                   mcp_digest_algo_name(algo));
	}
	d->ctx = c;
	return 0;
}

static int
update(struct mcp_digest *d, const void *p, size_t n)
{
	union sha_ctx *c = d->ctx;

	return (d->algo == MCP_DIGEST_SHA512 ? SHA512_Update(&c->s512, p, n)
	                                     : SHA256_Update(&c->s256, p, n)) == 1;
}

static int
finish(struct mcp_digest *d, unsigned char *md, size_t len)
{
	union sha_ctx *c = d->ctx;

	if (d->algo == MCP_DIGEST_SHA512)
		return len == SHA512_DIGEST_LENGTH && SHA512_Final(md, &c->s512) == 1;
	return len == SHA256_DIGEST_LENGTH && SHA256_Final(md, &c->s256) == 1;
}

void
mcp_digest_release(struct mcp_digest *d)
{
	if (d->ctx != NULL) {
		OPENSSL_cleanse(d->ctx, sizeof(union sha_ctx));
		free(d->ctx);
	}
	d->ctx = NULL;
}

void
mcp_sha256(const void *p, size_t n, unsigned char md[32])
{
	SHA256_CTX c;

	/* The block functions cannot fail. */
	(void)SHA256_Init(&c);
	(void)SHA256_Update(&c, p, n);
	(void)SHA256_Final(md, &c);
	OPENSSL_cleanse(&c, sizeof(c));
}

#endif

void
mcp_digest_update(struct mcp_digest *d, const void *p, size_t n)
{
	if (d->ctx == NULL || d->failed)
		return;
	if (!update(d, p, n))
		d->failed = 1;
	d->bytes += n;
}

int
mcp_digest_final(struct mcp_digest *d, char out[MCP_DIGEST_STR_MAX],
                 struct mcp_err *e)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[64];
	size_t mdlen = algo_hexlen(d->algo) / 2, i;
	const char *name = mcp_digest_algo_name(d->algo);
	size_t o;
	int ok;

	out[0] = '\0';
	ok = d->ctx != NULL && !d->failed && finish(d, md, mdlen);
	mcp_digest_release(d);
	if (!ok)
		return mcp_err_set(e, MCP_ERR_RUNTIME,
		                   "%s: computing the digest failed (OpenSSL)",
		                   name);
	o = strlen(name);
	memcpy(out, name, o);
	out[o++] = ':';
	for (i = 0; i < mdlen; i++) {
		out[o++] = hex[md[i] >> 4];
		out[o++] = hex[md[i] & 0xf];
	}
	out[o] = '\0';
	return 0;
}

int
mcp_digest_parse(const char *s, enum mcp_digest_algo *algo, const char **hex)
{
	enum mcp_digest_algo a;
	size_t want, i;
	const char *h;

	if (strncmp(s, "sha256:", 7) == 0)
		a = MCP_DIGEST_SHA256;
	else if (strncmp(s, "sha512:", 7) == 0)
		a = MCP_DIGEST_SHA512;
	else
		return -1;
	h = s + 7;
	want = algo_hexlen(a);
	for (i = 0; i < want; i++)
		if (!((h[i] >= '0' && h[i] <= '9') ||
		      (h[i] >= 'a' && h[i] <= 'f')))
			return -1;
	if (h[want] != '\0')
		return -1;
	if (algo != NULL)
		*algo = a;
	if (hex != NULL)
		*hex = h;
	return 0;
}

int
mcp_digest_valid(const char *s)
{
	return s != NULL && mcp_digest_parse(s, NULL, NULL) == 0;
}

int
mcp_digest_valid_sha256(const char *s)
{
	enum mcp_digest_algo a;

	return s != NULL && mcp_digest_parse(s, &a, NULL) == 0 &&
	       a == MCP_DIGEST_SHA256;
}

int
mcp_digest_fd(int fd, enum mcp_digest_algo algo, const char *label,
              char out[MCP_DIGEST_STR_MAX], uint64_t *size, struct mcp_err *e)
{
	struct mcp_digest d;
	unsigned char *buf;
	ssize_t r;

	if (mcp_digest_init(&d, algo, e) < 0)
		return -1;
	/* Advisory only: tells the kernel to read ahead aggressively. */
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	buf = xmalloc(DIGEST_BUF);
	for (;;) {
		r = read(fd, buf, DIGEST_BUF);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			mcp_err_sys(e, MCP_ERR_RUNTIME, "%s: read", label);
			free(buf);
			mcp_digest_release(&d);
			return -1;
		}
		if (r == 0)
			break;
		mcp_digest_update(&d, buf, (size_t)r);
	}
	free(buf);
	if (size != NULL)
		*size = d.bytes;
	if (mcp_digest_final(&d, out, e) < 0)
		return mcp_err_prefix(e, "%s: ", label);
	return 0;
}
