/*
 * digest.h: streaming SHA-256 / SHA-512 with OpenSSL's libcrypto, and the
 * strict "algo:hex" digest syntax.
 *
 * A digest string is "sha256:" + 64 or "sha512:" + 128 lowercase hex digits;
 * anything else (uppercase, short, other algorithms) is refused.
 */
#ifndef MCP_DIGEST_H
#define MCP_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum mcp_digest_algo { MCP_DIGEST_SHA256, MCP_DIGEST_SHA512 };

/* Enough for "sha512:" + 128 hex + NUL. */
#define MCP_DIGEST_STR_MAX 136

struct mcp_digest {
	void *ctx;                 /* the OpenSSL context, owned */
	enum mcp_digest_algo algo;
	uint64_t bytes;            /* bytes hashed so far */
	int failed;                /* an update failed; final reports it */
};

int mcp_digest_init(struct mcp_digest *d, enum mcp_digest_algo algo,
		    struct mcp_err *e);
void mcp_digest_update(struct mcp_digest *d, const void *p, size_t n);
/* Finish into OUT ("sha256:<hex>"); the context is released. */
int mcp_digest_final(struct mcp_digest *d, char out[MCP_DIGEST_STR_MAX],
		     struct mcp_err *e);
/* Release without finishing (safe after final, and twice). */
void mcp_digest_release(struct mcp_digest *d);

/*
 * Validate S strictly.  On success store the algorithm and a pointer to the
 * hex part (into S) and return 0; return -1 otherwise (no error record: the
 * caller names the field).
 */
int mcp_digest_parse(const char *s, enum mcp_digest_algo *algo,
		     const char **hex);
/* 1 if S is a valid digest string (any supported algorithm). */
int mcp_digest_valid(const char *s);
/* 1 if S is a valid sha256 digest string. */
int mcp_digest_valid_sha256(const char *s);

/*
 * Hash FD from its current offset to EOF with ALGO.  OUT gets the digest,
 * *SIZE (if not NULL) the byte count.  LABEL names the input in errors.
 */
int mcp_digest_fd(int fd, enum mcp_digest_algo algo, const char *label,
		  char out[MCP_DIGEST_STR_MAX], uint64_t *size,
		  struct mcp_err *e);

/*
 * The raw SHA-256 of P[0..N) into MD, in one go and without allocating:
 * for many small inputs (audit log lines).
 */
void mcp_sha256(const void *p, size_t n, unsigned char md[32]);

/* "sha256" or "sha512". */
const char *mcp_digest_algo_name(enum mcp_digest_algo algo);

#endif
