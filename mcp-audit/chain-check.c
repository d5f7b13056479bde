/*
 * chain-check: a differential test of the two line checkers (make check
 * only, never installed).
 *
 * verify trusts mcp_audit_line_fast() to accept a line only when the
 * reference mcp_audit_line_check() (jansson + re-serialisation) would
 * accept it with the same seq, prev and hash.  This program takes the
 * lines of a log, mutates each many times (flip a bit, replace or insert
 * a byte that matters to JSON), reseals the mutant with a recomputed hash
 * so that the hash is not what rejects it, and fails on any mutant the
 * fast path accepts and the reference refuses.  It also fails if the fast
 * path refuses an unmutated line the reference accepts (verify would be
 * slow, not wrong, but the writer and the fast path must agree).
 *
 * usage: chain-check LOG SEED ROUNDS
 */
#include <mcp-config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "xalloc.h"

int mcp_audit_quiet;

static unsigned long long rng;

static unsigned
next(void)
{
	/* xorshift64: the same mutants on every machine for a seed. */
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng >> 11);
}

/* Recompute the hash of a mutant whose ,"hash":"sha256:..."} survived. */
static void
reseal(char *l, size_t n)
{
	static const char tag[] = ",\"hash\":\"sha256:";
	struct abuf t = {0};
	char d[MCP_AUDIT_HASH_MAX], *h = NULL, *q = l;

	while ((q = memmem(q, n - (size_t)(q - l), tag, sizeof(tag) - 1)) !=
	       NULL)
		h = q++;
	if (h == NULL || (size_t)(l + n - h) != sizeof(tag) - 1 + 64 + 2)
		return;
	abuf_put(&t, l, (size_t)(h - l));
	abuf_putc(&t, '}');
	mcp_audit_sha256(t.p, t.len, d);
	memcpy(h + sizeof(tag) - 1, d + 7, 64);
	abuf_release(&t);
}

int
main(int argc, char **argv)
{
	static const char bytes[] = "\\\"u0{}[],:-.e\x7f\x01\xc3\xed\xf0 a/";
	struct abuf s1 = {0}, s2 = {0};
	struct mcp_audit_entry a, b;
	struct mcp_err e;
	unsigned long fast = 0, slow = 0, bad = 0, total = 0, rounds, m;
	char *line = NULL, *l;
	size_t cap = 0, n, ln, pos;
	ssize_t got;
	FILE *f;
	int rf, rs;

	if (argc != 4 || (f = fopen(argv[1], "r")) == NULL) {
		fprintf(stderr, "usage: chain-check LOG SEED ROUNDS\n");
		return 2;
	}
	rng = strtoull(argv[2], NULL, 10) * 2654435761u + 1;
	rounds = strtoul(argv[3], NULL, 10);
	while ((got = getline(&line, &cap, f)) > 0) {
		n = (size_t)got;
		if (line[n - 1] == '\n')
			n--;
		for (m = 0; m <= rounds; m++) {
			l = xmalloc(n + 2);
			memcpy(l, line, n);
			ln = n;
			if (m > 0) {
				pos = next() % ln;
				switch (next() % 3) {
				case 0:
					l[pos] = (char)(l[pos] ^
					                (1 << (next() % 8)));
					break;
				case 1:
					l[pos] =
					    bytes[next() % (sizeof(bytes) - 1)];
					break;
				default:
					memmove(l + pos + 1, l + pos, ln - pos);
					l[pos] =
					    bytes[next() % (sizeof(bytes) - 1)];
					ln++;
				}
				reseal(l, ln);
			}
			total++;
			rf = mcp_audit_line_fast(l, ln, &s1, &a);
			mcp_err_init(&e);
			rs = mcp_audit_line_check(l, ln, &s2, 0, &b, &e);
			fast += rf == 0;
			slow += rs == 0;
			if (rf == 0 && (rs != 0 || a.seq != b.seq ||
			                strcmp(a.hash, b.hash) != 0 ||
			                strcmp(a.prev, b.prev) != 0)) {
				bad++;
				fprintf(stderr, "fast accepts, reference: %s\n",
				        e.msg);
			}
			if (m == 0 && rs == 0 && rf != 0) {
				bad++;
				fprintf(stderr, "fast refuses a good line\n");
			}
			free(l);
		}
	}
	fclose(f);
	free(line);
	abuf_release(&s1);
	abuf_release(&s2);
	printf("%lu lines checked, fast accepted %lu, reference %lu, "
	       "disagreements %lu\n",
	       total, fast, slow, bad);
	return bad != 0 || total == 0;
}
