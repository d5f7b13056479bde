/*
 * seal.c: the seal of a cached bundle and the helpers to read an index
 * (seal.h).  Hand-rolled number parsing: an index holds tens of thousands
 * of numbers, and strtoull(3) with its locale costs more than the lstat(2)
 * they vouch for.
 */
#include <mcp-config.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "io.h"
#include "seal.h"
#include "xalloc.h"

void
mcp_seal_clock(struct timespec *t)
{
	if (clock_gettime(CLOCK_REALTIME_COARSE, t) < 0)
		clock_gettime(CLOCK_REALTIME, t);
}

long long
mcp_ts_ns(const struct timespec *t)
{
	return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

int
mcp_ts_eq(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

int
mcp_parse_num(char **s, unsigned base, char sep, unsigned long long *v)
{
	const char *c = *s;
	unsigned long long n = 0;
	unsigned d;

	if (*c < '0' || *c >= (char)('0' + base))
		return -1;
	for (; *c >= '0' && *c < (char)('0' + base); c++) {
		d = (unsigned)(*c - '0');
		if (n > (ULLONG_MAX - d) / base)
			return -1;
		n = n * base + d;
	}
	if (*c != sep)
		return -1;
	*s = (char *)c + 1;
	*v = n;
	return 0;
}

int
mcp_parse_ts(char **s, char sep, struct timespec *t)
{
	unsigned long long sec, ns;
	char *start;

	if (mcp_parse_num(s, 10, '.', &sec) < 0 || sec > 100000000000ULL)
		return -1;
	start = *s;
	if (mcp_parse_num(s, 10, sep, &ns) < 0 || *s - start != 10)
		return -1;
	t->tv_sec = (time_t)sec;
	t->tv_nsec = (long)ns;
	return 0;
}

void
mcp_bseal_from(struct mcp_bseal *b, const struct stat *st,
               const struct timespec *at)
{
	b->set = 1;
	b->dev = (unsigned long long)st->st_dev;
	b->ino = (unsigned long long)st->st_ino;
	b->size = (unsigned long long)st->st_size;
	b->mtim = st->st_mtim;
	b->ctim = st->st_ctim;
	b->sealed_at = *at;
}

int
mcp_bseal_holds(const struct mcp_bseal *b, const struct stat *st)
{
	return b->set && S_ISREG(st->st_mode) &&
	       (unsigned long long)st->st_dev == b->dev &&
	       (unsigned long long)st->st_ino == b->ino &&
	       (unsigned long long)st->st_size == b->size &&
	       mcp_ts_eq(&st->st_mtim, &b->mtim) &&
	       mcp_ts_eq(&st->st_ctim, &b->ctim) &&
	       mcp_ts_ns(&b->ctim) < mcp_ts_ns(&b->sealed_at) - MCP_SEAL_MARGIN_NS;
}

int
mcp_bseal_parse(struct mcp_bseal *b, char *line)
{
	char *s = line + 7;

	memset(b, 0, sizeof(*b));
	if (strncmp(line, "bundle\t", 7) != 0)
		return -1;
	if (strcmp(s, "-") == 0)
		return 0;
	if (mcp_parse_num(&s, 10, '\t', &b->dev) < 0 ||
	    mcp_parse_num(&s, 10, '\t', &b->ino) < 0 ||
	    mcp_parse_num(&s, 10, '\t', &b->size) < 0 ||
	    mcp_parse_ts(&s, '\t', &b->mtim) < 0 ||
	    mcp_parse_ts(&s, '\t', &b->ctim) < 0 ||
	    mcp_parse_ts(&s, '\0', &b->sealed_at) < 0)
		return -1;
	b->set = 1;
	return 0;
}

int
mcp_tree_head_parse(const char *line, struct mcp_tree_head *h)
{
	unsigned long long sec, ns;

	memset(h, 0, sizeof(*h));
	/* Our own index, checked against the tree by the callers.
	 * NOLINTNEXTLINE(cert-err34-c) */
	if (sscanf(line, MCP_TREE_INDEX2_MAGIC " %71s %llu %llu %llu.%9llu",
	           h->listing, &h->entries, &h->bytes, &sec, &ns) == 5) {
		if (sec > 100000000000ULL || ns > 999999999)
			return -1;
		h->sealed_at.tv_sec = (time_t)sec;
		h->sealed_at.tv_nsec = (long)ns;
		h->version = 2;
		return 0;
	}
	/* NOLINTNEXTLINE(cert-err34-c): as above */
	if (sscanf(line, MCP_TREE_INDEX_MAGIC " %71s %llu %llu", h->listing,
	           &h->entries, &h->bytes) == 3) {
		h->version = 1;
		return 0;
	}
	return -1;
}

char *
mcp_tree_index_path(const char *trees, const char *hex)
{
	return xasprintf("%s/%s.tree", trees, hex);
}

int
mcp_bundle_vouched(int fd, const char *trees, const char *digest,
                   struct timespec *now)
{
	char *ipath, buf[1024], *nl, *end;
	struct mcp_tree_head h;
	struct mcp_bseal b;
	struct stat st;
	ssize_t n;

	mcp_seal_clock(now);
	if (!mcp_digest_valid_sha256(digest) || fstat(fd, &st) < 0)
		return 0;
	/* The first two lines: the header and the bundle's seal. */
	ipath = mcp_tree_index_path(trees, digest + 7);
	n = mcp_read_head(ipath, buf, sizeof(buf));
	free(ipath);
	if (n <= 0 || (nl = strchr(buf, '\n')) == NULL ||
	    (end = strchr(nl + 1, '\n')) == NULL)
		return 0;
	*nl = *end = '\0';
	return mcp_tree_head_parse(buf, &h) == 0 && h.version == 2 &&
	       mcp_bseal_parse(&b, nl + 1) == 0 && mcp_bseal_holds(&b, &st);
}
