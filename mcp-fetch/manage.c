/*
 * manage.c: the cache's entries, and their removal.  A blob disappears
 * with one unlink(2), so a concurrent reader has the whole file open or
 * finds nothing.  A bundle's read-only tree is renamed aside within
 * trees/sha256 first (atomic; a concurrent mcp-verify then finds no tree
 * and extracts again), then made writable and removed.
 */
#include <mcp-config.h>

#define _XOPEN_SOURCE_EXTENDED_NFTW 1
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io.h"
#include "manage.h"
#include "paths.h"
#include "seal.h"
#include "xalloc.h"

#define TMP_STALE_SECONDS 3600

static int
is_hex64(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[64] == '\0';
}

/* The byte count a tree's sidecar index records (its first line,
 * mcp.tree/v1 or v2 DIGEST ENTRIES BYTES ..., see mcp-verify(1)), or 0
 * when it is missing or malformed. */
static uint64_t
tree_bytes(const char *trees, const char *hex)
{
	char *ipath = mcp_tree_index_path(trees, hex), buf[256], *nl;
	struct mcp_tree_head h;
	ssize_t n = mcp_read_head(ipath, buf, sizeof(buf));

	free(ipath);
	if (n <= 0)
		return 0;
	if ((nl = strchr(buf, '\n')) != NULL)
		*nl = '\0';
	return mcp_tree_head_parse(buf, &h) == 0 ? h.bytes : 0;
}

static int
by_last_use(const void *a, const void *b)
{
	const struct mcp_cache_entry *x = a, *y = b;

	if (x->last_used != y->last_used)
		return x->last_used < y->last_used ? -1 : 1;
	return strcmp(x->digest, y->digest);
}

int
mcp_cache_entries(struct mcp_cache *c, struct mcp_cache_entry **out, size_t *n,
                  struct mcp_err *e)
{
	char *top = xasprintf("%s/sha256", c->dir);
	char *trees = xasprintf("%s/trees/sha256", c->dir);
	struct mcp_cache_entry *v = NULL;
	size_t nv = 0, cap = 0;
	DIR *d = NULL, *sub = NULL;
	struct dirent *de, *se;
	struct stat st;
	char *p;
	int rc = -1;

	*out = NULL;
	*n = 0;
	if ((d = opendir(top)) == NULL) {
		if (errno == ENOENT)
			rc = 0;
		else
			mcp_err_sys(e, MCP_ERR_RUNTIME, "%s", top);
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		if (strlen(de->d_name) != 2 || de->d_name[0] == '.')
			continue;
		p = xasprintf("%s/%s", top, de->d_name);
		sub = opendir(p);
		free(p);
		if (sub == NULL)
			continue;
		while ((se = readdir(sub)) != NULL) {
			if (!is_hex64(se->d_name) ||
			    strncmp(se->d_name, de->d_name, 2) != 0 ||
			    fstatat(dirfd(sub), se->d_name, &st,
			            AT_SYMLINK_NOFOLLOW) < 0 ||
			    !S_ISREG(st.st_mode))
				continue;
			if (nv == cap) {
				cap = cap ? 2 * cap : 64;
				v = xrealloc(v, cap * sizeof(*v));
			}
			memset(&v[nv], 0, sizeof(v[nv]));
			snprintf(v[nv].digest, sizeof(v[nv].digest),
			         "sha256:%.64s", se->d_name);
			v[nv].size = (uint64_t)st.st_size;
			v[nv].last_used = st.st_mtime;
			p = xasprintf("%s/%s", trees, se->d_name);
			if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
				v[nv].has_tree = 1;
				v[nv].tree_bytes =
				    tree_bytes(trees, se->d_name);
			}
			free(p);
			nv++;
		}
		closedir(sub);
		sub = NULL;
	}
	if (nv > 1)
		qsort(v, nv, sizeof(*v), by_last_use);
	*out = v;
	*n = nv;
	v = NULL;
	rc = 0;
out:
	if (d != NULL)
		closedir(d);
	free(v);
	free(trees);
	free(top);
	return rc;
}

/* nftw has no user pointer: the first error of a removal walk. */
static int rm_errno;

static int
make_writable(const char *path, const struct stat *st, int type,
              struct FTW *ftw)
{
	(void)ftw;
	/* A read-only directory cannot lose its entries. */
	if (type == FTW_D && chmod(path, (st->st_mode & 07777) | 0700) < 0 &&
	    rm_errno == 0)
		rm_errno = errno;
	return 0;
}

static int
remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if ((type == FTW_DP ? rmdir(path) : unlink(path)) < 0 &&
	    errno != ENOENT && rm_errno == 0)
		rm_errno = errno;
	return 0;
}

static int
remove_tree(const char *trees, const char *hex, int *found, struct mcp_err *e)
{
	static unsigned seq;
	char *tree = xasprintf("%s/%s", trees, hex);
	char *side = xasprintf("%s/%s.tree", trees, hex);
	char *aside = xasprintf("%s/.tmp-rm-%.16s-%ld-%u", trees, hex,
	                        (long)getpid(), seq++);
	int rc = -1;

	if (rename(tree, aside) < 0) {
		if (errno != ENOENT) {
			mcp_err_sys(e, MCP_ERR_RUNTIME, "move aside %s", tree);
			goto out;
		}
	} else {
		*found = 1;
		rm_errno = 0;
		if (nftw(aside, make_writable, 16, FTW_PHYS) < 0 ||
		    nftw(aside, remove_one, 16, FTW_PHYS | FTW_DEPTH) < 0 ||
		    rm_errno != 0) {
			if (rm_errno != 0)
				errno = rm_errno;
			mcp_err_sys(e, MCP_ERR_RUNTIME, "remove %s", aside);
			goto out;
		}
	}
	if (unlink(side) < 0) {
		if (errno != ENOENT) {
			mcp_err_sys(e, MCP_ERR_RUNTIME, "remove %s", side);
			goto out;
		}
	} else {
		*found = 1;
	}
	rc = 0;
out:
	free(aside);
	free(side);
	free(tree);
	return rc;
}

int
mcp_cache_remove(struct mcp_cache *c, const char *digest, int *found,
                 struct mcp_err *e)
{
	char *trees = xasprintf("%s/trees/sha256", c->dir);
	char *blob = mcp_cache_blob_path(c->dir, digest);
	int rc = -1;

	*found = 0;
	if (blob == NULL || !mcp_digest_valid_sha256(digest)) {
		mcp_err_set(e, MCP_ERR_USAGE,
		            "\"%.100s\" is not a sha256:HEX digest", digest);
		goto out;
	}
	/* The tree first: a tree without its blob would outlive every
	 * prune, a blob without its tree is simply extracted again. */
	if (remove_tree(trees, digest + 7, found, e) < 0)
		goto out;
	if (unlink(blob) < 0) {
		if (errno != ENOENT) {
			mcp_err_sys(e, MCP_ERR_RUNTIME, "remove %s", blob);
			goto out;
		}
	} else {
		*found = 1;
	}
	rc = 0;
out:
	free(blob);
	free(trees);
	return rc;
}

size_t
mcp_cache_clean_tmp(struct mcp_cache *c)
{
	char *top = xasprintf("%s/sha256", c->dir), *p;
	time_t now = time(NULL);
	struct dirent *de, *se;
	struct stat st;
	DIR *d, *sub;
	size_t n = 0;

	if ((d = opendir(top)) == NULL) {
		free(top);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		if (strlen(de->d_name) != 2 || de->d_name[0] == '.')
			continue;
		p = xasprintf("%s/%s", top, de->d_name);
		sub = opendir(p);
		free(p);
		if (sub == NULL)
			continue;
		while ((se = readdir(sub)) != NULL)
			if (strncmp(se->d_name, ".tmp-", 5) == 0 &&
			    fstatat(dirfd(sub), se->d_name, &st,
			            AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISREG(st.st_mode) &&
			    now - st.st_mtime >= TMP_STALE_SECONDS &&
			    unlinkat(dirfd(sub), se->d_name, 0) == 0)
				n++;
		closedir(sub);
	}
	closedir(d);
	free(top);
	return n;
}

int
mcp_cache_remove_all(struct mcp_cache *c, size_t *removed, struct mcp_err *e)
{
	char *trees = xasprintf("%s/trees/sha256", c->dir);
	struct mcp_cache_entry *v = NULL;
	struct dirent *de;
	struct stat st;
	size_t i, n = 0;
	DIR *d = NULL;
	int found, rc = -1;

	*removed = 0;
	if (mcp_cache_entries(c, &v, &n, e) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (mcp_cache_remove(c, v[i].digest, &found, e) < 0)
			goto out;
		*removed += (size_t)found;
	}
	/* Trees whose blob was already gone. */
	if ((d = opendir(trees)) != NULL)
		while ((de = readdir(d)) != NULL) {
			char *hex = de->d_name;

			if (!is_hex64(hex) ||
			    fstatat(dirfd(d), hex, &st, AT_SYMLINK_NOFOLLOW) <
			        0 ||
			    !S_ISDIR(st.st_mode))
				continue;
			found = 0;
			if (remove_tree(trees, hex, &found, e) < 0)
				goto out;
			*removed += (size_t)found;
		}
	(void)mcp_cache_clean_tmp(c);
	rc = 0;
out:
	if (d != NULL)
		closedir(d);
	free(v);
	free(trees);
	return rc;
}
