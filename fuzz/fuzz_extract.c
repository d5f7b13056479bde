/*
 * fuzz_extract.c: safe extraction of a bundle (mcp-verify/extract.c).
 *
 * The input bytes are the bundle: they are put in a memfd, hashed (the
 * caller of mcp_extract_bundle() has verified the digest), and extracted
 * into DIR/trees, where DIR is a fresh temporary directory that also holds
 * an empty sentinel directory DIR/outside.  Invariants (DESIGN.md,
 * security invariant 2):
 *   - nothing is created outside DIR/trees: DIR holds only trees,
 *     outside and bait, outside stays empty, and the file bait keeps its
 *     content, mode and link count (no hardlink or write reached it);
 *   - on failure nothing is left behind in DIR/trees; on success it holds
 *     exactly the tree <hex> and its index <hex>.tree;
 *   - the tree holds only directories, regular files and symlinks, with no
 *     setuid, setgid, sticky or group/world-writable mode, and every
 *     symlink resolves inside the tree, lexically and really (realpath,
 *     through the other links);
 *   - a second extraction of the same bundle reuses the intact tree.
 * The tree is then removed (its directories are read-only).
 */
#include <mcp-config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "digest.h"
#include "extract.h"
#include "fuzz.h"

/* The entries of directory PATH (. and .. aside); *OTHERS counts those not
 * in ALLOWED (NULL-terminated, or NULL), each one printed. */
static int
count_entries(const char *path, const char *const *allowed, int *others)
{
	struct dirent *d;
	DIR *dir = opendir(path);
	size_t i;
	int n = 0;

	FUZZ_ASSERT(dir != NULL);
	*others = 0;
	while ((d = readdir(dir)) != NULL) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		n++;
		for (i = 0; allowed != NULL && allowed[i] != NULL; i++)
			if (strcmp(d->d_name, allowed[i]) == 0)
				break;
		if (allowed == NULL || allowed[i] == NULL) {
			fprintf(stderr, "unexpected entry %s/%s\n", path,
			        d->d_name);
			(*others)++;
		}
	}
	closedir(dir);
	return n;
}

/* 1 if TARGET, read from a symlink DEPTH directories below the root,
 * stays inside the tree lexically. */
static int
link_inside(const char *target, unsigned depth)
{
	const char *c = target, *end;
	size_t n;
	long d = depth;

	if (target[0] == '/')
		return 0;
	for (; *c != '\0'; c = *end != '\0' ? end + 1 : end) {
		end = strchr(c, '/');
		if (end == NULL)
			end = c + strlen(c);
		n = (size_t)(end - c);
		if (n == 0 || (n == 1 && c[0] == '.'))
			continue;
		if (n == 2 && c[0] == '.' && c[1] == '.') {
			if (--d < 0)
				return 0;
		} else {
			d++;
		}
	}
	return 1;
}

static char tree_real[4096];
static size_t tree_len;

static int
check_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	char target[4096], *real;
	ssize_t k;

	(void)flag;
	FUZZ_ASSERT(S_ISDIR(st->st_mode) || S_ISREG(st->st_mode) ||
	            S_ISLNK(st->st_mode));
	if (!S_ISLNK(st->st_mode))
		FUZZ_ASSERT((st->st_mode & (S_ISUID | S_ISGID | S_ISVTX |
		                            S_IWGRP | S_IWOTH)) == 0);
	if (S_ISLNK(st->st_mode)) {
		k = readlink(path, target, sizeof(target) - 1);
		FUZZ_ASSERT(k > 0);
		target[k] = '\0';
		/* The link's own directory is f->level - 1 below the root. */
		if (!link_inside(target, (unsigned)(f->level - 1))) {
			fprintf(stderr, "symlink %s -> %s leaves the tree\n",
			        path, target);
			FUZZ_ASSERT(0);
		}
		/* And where it really leads, through other links (DIR/bait
		 * is there to be found by one that escapes). */
		real = realpath(path, NULL);
		if (real != NULL) {
			if (strncmp(real, tree_real, tree_len) != 0 ||
			    (real[tree_len] != '\0' && real[tree_len] != '/')) {
				fprintf(stderr, "symlink %s leads to %s\n",
				        path, real);
				FUZZ_ASSERT(0);
			}
			free(real);
		}
	}
	return 0;
}

static int
unlock_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)f;
	if (flag == FTW_D && S_ISDIR(st->st_mode))
		(void)chmod(path, 0700);
	return 0;
}

static int
remove_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	if (remove(path) < 0 && errno != ENOENT) {
		fprintf(stderr, "cannot remove %s: %s\n", path,
		        strerror(errno));
		abort();
	}
	return 0;
}

static void
rm_rf(const char *path)
{
	FUZZ_ASSERT(nftw(path, unlock_one, 16, FTW_PHYS) == 0);
	FUZZ_ASSERT(nftw(path, remove_one, 16, FTW_PHYS | FTW_DEPTH) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char dir[4096], trees[4096], outside[4096], bait[4200], index[4200];
	char digest[MCP_DIGEST_STR_MAX];
	struct mcp_extract_limits lim;
	struct mcp_extract_result r, r2;
	struct mcp_digest dg;
	struct mcp_err e;
	struct stat st;
	static const char *const want_dir[] = {"trees", "outside", "bait",
	                                       NULL};
	const char *tmp = getenv("TMPDIR");
	int fd, rc, others;

	snprintf(dir, sizeof(dir), "%s/mcp-fuzz-extract-XXXXXX",
	         tmp != NULL && tmp[0] == '/' ? tmp : "/tmp");
	FUZZ_ASSERT(mkdtemp(dir) != NULL);
	snprintf(trees, sizeof(trees), "%s/trees", dir);
	snprintf(outside, sizeof(outside), "%s/outside", dir);
	FUZZ_ASSERT(mkdir(trees, 0700) == 0 && mkdir(outside, 0700) == 0);
	snprintf(bait, sizeof(bait), "%s/bait", dir);
	fd = open(bait, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	FUZZ_ASSERT(fd >= 0 && write(fd, "bait\n", 5) == 5);
	close(fd);

	fd = memfd_create("bundle", MFD_CLOEXEC);
	FUZZ_ASSERT(fd >= 0);
	FUZZ_ASSERT(size == 0 || write(fd, data, size) == (ssize_t)size);
	FUZZ_ASSERT(lseek(fd, 0, SEEK_SET) == 0);
	mcp_err_init(&e);
	FUZZ_ASSERT(mcp_digest_init(&dg, MCP_DIGEST_SHA256, &e) == 0);
	mcp_digest_update(&dg, data, size);
	FUZZ_ASSERT(mcp_digest_final(&dg, digest, &e) == 0);

	/* Small limits: the fuzzer finds bombs, it need not unpack them. */
	mcp_extract_limits_default(&lim);
	lim.max_bytes = 8u << 20;
	lim.max_entries = 4096;

	rc = mcp_extract_bundle(fd, NULL, trees, digest, &lim, &r, &e);
	fuzz_report("extract", rc, e.msg);
	if (rc < 0) {
		FUZZ_ASSERT(e.cat == MCP_ERR_VERIFY ||
		            e.cat == MCP_ERR_RUNTIME);
		FUZZ_ASSERT(count_entries(trees, NULL, &others) == 0);
	} else {
		char want[4200];

		snprintf(want, sizeof(want), "%s/%s", trees, digest + 7);
		FUZZ_ASSERT(r.tree != NULL && strcmp(r.tree, want) == 0);
		FUZZ_ASSERT(!r.reused);
		snprintf(index, sizeof(index), "%s.tree", digest + 7);
		{
			const char *const want_trees[] = {digest + 7, index,
			                                  NULL};

			count_entries(trees, want_trees, &others);
			FUZZ_ASSERT(others == 0);
		}
		FUZZ_ASSERT(realpath(r.tree, tree_real) != NULL);
		tree_len = strlen(tree_real);
		FUZZ_ASSERT(nftw(r.tree, check_one, 16, FTW_PHYS) == 0);

		FUZZ_ASSERT(lseek(fd, 0, SEEK_SET) == 0);
		mcp_err_init(&e);
		FUZZ_ASSERT(
		    mcp_extract_bundle(fd, NULL, trees, digest, &lim, &r2,
		                       &e) == 0);
		FUZZ_ASSERT(r2.reused && r2.entries == r.entries &&
		            r2.bytes == r.bytes);
		mcp_extract_result_release(&r2);
	}
	mcp_extract_result_release(&r);
	close(fd);

	/* Nothing outside DIR/trees, and the bait untouched. */
	count_entries(dir, want_dir, &others);
	FUZZ_ASSERT(others == 0);
	FUZZ_ASSERT(count_entries(outside, NULL, &others) == 0);
	FUZZ_ASSERT(stat(bait, &st) == 0 && S_ISREG(st.st_mode) &&
	            st.st_size == 5 && st.st_nlink == 1 &&
	            (st.st_mode & 07777) == 0600);
	rm_rf(dir);
	return 0;
}
