/*
 * digest.c: SHA-256 / SHA-512 over streams and files, and the strict
 * digest syntax.
 *
 * Invariant: a digest string we accept has exactly one spelling
 * ("sha256:" + 64 lowercase hex), so comparing two digests is a plain
 * strcmp and a cache path built from one cannot differ by case.  Hashing
 * reads in large blocks so verifying a 100 MiB bundle costs no more than
 * `openssl dgst` on it.
 */
#include <mcp-config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

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

void
mcp_digest_update(struct mcp_digest *d, const void *p, size_t n)
{
	if (d->ctx == NULL || d->failed)
		return;
	if (EVP_DigestUpdate(d->ctx, p, n) != 1)
		d->failed = 1;
	d->bytes += n;
}

int
mcp_digest_final(struct mcp_digest *d, char out[MCP_DIGEST_STR_MAX],
                 struct mcp_err *e)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	const char *name = mcp_digest_algo_name(d->algo);
	size_t o;
	int ok;

	out[0] = '\0';
	ok = d->ctx != NULL && !d->failed &&
	     EVP_DigestFinal_ex(d->ctx, md, &mdlen) == 1 &&
	     mdlen * 2 == algo_hexlen(d->algo);
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

void
mcp_digest_release(struct mcp_digest *d)
{
	EVP_MD_CTX_free(d->ctx); /* NULL is fine */
	d->ctx = NULL;
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
