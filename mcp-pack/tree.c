/*
 * tree.c: a directory tree in, a reproducible bundle out.
 *
 * The same tree must give the same bytes on every machine and every run,
 * whatever the files' times, owners, umask or the order readdir(3) lists
 * them in; so nothing of the file system reaches the archive but names,
 * contents, symlink targets and one bit of mode (executable or not).
 * Entries are sorted bytewise by path (the C locale's order, as
 * `find | LC_ALL=C sort`), which puts every directory before its contents.
 *
 * What mcp-verify(1) would refuse is refused here, first, with the path
 * named: a bundle that packs but does not verify is a bug report nobody
 * can act on.  The checks mirror mcp-verify/extract.c: names, depth,
 * entry and byte budgets, entry types, and symlinks that must resolve
 * lexically inside the tree without passing through another symlink.
 */
#include <mcp-config.h>

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "extract.h"
#include "io.h"
#include "tree.h"
#include "xalloc.h"

#define BUFSZ (128 * 1024)
#define MAX_HOPS 40 /* symlinks followed by mcp_tree_resolve, as Linux */

void
mcp_tree_limits_default(struct mcp_tree_limits *l)
{
	l->max_bytes = MCP_EXTRACT_MAX_BYTES;
	l->max_entries = MCP_EXTRACT_MAX_ENTRIES;
	l->max_depth = MCP_EXTRACT_MAX_DEPTH;
	l->max_path = MCP_EXTRACT_MAX_PATH;
	l->max_name = MCP_EXTRACT_MAX_NAME;
}

void
mcp_tree_init(struct mcp_tree *t)
{
	memset(t, 0, sizeof(*t));
	t->rootfd = -1;
}

void
mcp_tree_release(struct mcp_tree *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->v[i].path);
		free(t->v[i].target);
	}
	free(t->v);
	free(t->root);
	if (t->rootfd >= 0)
		close(t->rootfd);
	mcp_tree_init(t);
}

/* ---- scanning ---- */

struct scan {
	struct mcp_tree *t;
	const struct mcp_tree_limits *lim;
	struct mcp_err *e;
};

static struct mcp_tree_entry *
add(struct mcp_tree *t, char *path, enum mcp_tree_type type,
    const struct stat *st)
{
	struct mcp_tree_entry *en;

	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->v = xrealloc(t->v, t->cap * sizeof(*t->v));
	}
	en = &t->v[t->n++];
	memset(en, 0, sizeof(*en));
	en->path = path;
	en->type = (unsigned char)type;
	en->dev = st->st_dev;
	en->ino = st->st_ino;
	return en;
}

static const char *
type_name(mode_t m)
{
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	return "of an unknown file type";
}

/* One component NAME of the directory REL: its name and the full path's
 * length and depth are within mcp-verify's bounds. */
static char *
child_path(struct scan *s, const char *rel, const char *name, unsigned depth)
{
	const struct mcp_tree_limits *lim = s->lim;
	const char *why;
	char *path = *rel ? xasprintf("%s/%s", rel, name) : xstrdup(name);

	if ((why = mcp_text_problem(name)) != NULL)
		mcp_err_set(s->e, MCP_ERR_VERIFY, "%s/%.256s: name %s",
		            s->t->root, path, why);
	else if (strlen(name) > lim->max_name)
		mcp_err_set(s->e, MCP_ERR_VERIFY,
		            "%s/%.256s: name longer than %zu bytes", s->t->root,
		            path, lim->max_name);
	else if (strlen(path) > lim->max_path)
		mcp_err_set(s->e, MCP_ERR_VERIFY,
		            "%s/%.128s...: path longer than %zu bytes",
		            s->t->root, path, lim->max_path);
	else if (depth > lim->max_depth)
		mcp_err_set(s->e, MCP_ERR_VERIFY,
		            "%s/%.128s...: deeper than %u directories",
		            s->t->root, path, lim->max_depth);
	else
		return path;
	free(path);
	return NULL;
}

/* A symlink's own checks: what mcp-verify refuses before resolving. */
static int
link_target(struct scan *s, int dirfd, const char *name, const char *path,
            const struct stat *st, char **out)
{
	size_t cap = (size_t)st->st_size + 1;
	const char *why;
	char *buf;
	ssize_t n;

	if (cap < 64)
		cap = 64;
	if (cap > s->lim->max_path + 2)
		cap = s->lim->max_path + 2;
	buf = xmalloc(cap);
	n = readlinkat(dirfd, name, buf, cap);
	if (n < 0) {
		free(buf);
		return mcp_err_sys(s->e, MCP_ERR_RUNTIME, "%s/%.256s: readlink",
		                   s->t->root, path);
	}
	if ((size_t)n >= cap || (size_t)n > s->lim->max_path) {
		free(buf);
		return mcp_err_set(s->e, MCP_ERR_VERIFY,
		                   "%s/%.256s: symlink target longer than %zu "
		                   "bytes",
		                   s->t->root, path, s->lim->max_path);
	}
	buf[n] = '\0';
	if (n == 0)
		why = "has an empty target";
	else if (mcp_text_problem(buf) != NULL)
		why = "has a target with control characters or invalid UTF-8";
	else if (buf[0] == '/')
		why = "has an absolute target, which leaves the tree";
	else
		why = NULL;
	if (why != NULL) {
		mcp_err_set(s->e, MCP_ERR_VERIFY, "%s/%.256s: symlink %s",
		            s->t->root, path, why);
		free(buf);
		return -1;
	}
	*out = buf;
	return 0;
}

/* Scan the directory FD (taken) named REL ("" for the root). */
static int
scan_dir(struct scan *s, int fd, const char *rel, unsigned depth)
{
	struct mcp_tree *t = s->t;
	struct mcp_tree_entry *en;
	struct dirent *d;
	struct stat st;
	DIR *dir;
	char *path;
	int sub, ret = -1;

	dir = fdopendir(fd);
	if (dir == NULL) {
		close(fd);
		return mcp_err_sys(s->e, MCP_ERR_RUNTIME, "%s/%s", t->root,
		                   rel);
	}
	for (;;) {
		errno = 0;
		d = readdir(dir);
		if (d == NULL) {
			if (errno != 0) {
				mcp_err_sys(s->e, MCP_ERR_RUNTIME,
				            "%s/%.256s: readdir", t->root, rel);
				goto out;
			}
			break;
		}
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		path = child_path(s, rel, d->d_name, depth + 1);
		if (path == NULL)
			goto out;
		if (t->n >= s->lim->max_entries) {
			free(path);
			mcp_err_set(s->e, MCP_ERR_VERIFY,
			            "%s: more than %" PRIu64 " entries",
			            t->root, s->lim->max_entries);
			goto out;
		}
		if (fstatat(dirfd(dir), d->d_name, &st, AT_SYMLINK_NOFOLLOW) <
		    0) {
			mcp_err_sys(s->e, MCP_ERR_RUNTIME, "%s/%.256s", t->root,
			            path);
			free(path);
			goto out;
		}
		if (S_ISDIR(st.st_mode)) {
			en = add(t, path, MCP_TREE_DIR, &st);
			sub = openat(dirfd(dir), d->d_name,
			             O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			                 O_CLOEXEC);
			if (sub < 0) {
				mcp_err_sys(s->e, MCP_ERR_RUNTIME, "%s/%.256s",
				            t->root, en->path);
				goto out;
			}
			/* The entry may move when the array grows. */
			path = xstrdup(en->path);
			if (scan_dir(s, sub, path, depth + 1) < 0) {
				free(path);
				goto out;
			}
			free(path);
		} else if (S_ISREG(st.st_mode)) {
			if ((uint64_t)st.st_size >
			    s->lim->max_bytes - t->bytes) {
				mcp_err_set(s->e, MCP_ERR_VERIFY,
				            "%s/%.256s: the tree's files would "
				            "exceed %" PRIu64 " bytes",
				            t->root, path, s->lim->max_bytes);
				free(path);
				goto out;
			}
			t->bytes += (uint64_t)st.st_size;
			en = add(t, path, MCP_TREE_FILE, &st);
			en->size = (uint64_t)st.st_size;
			en->exec = (st.st_mode & 0111) != 0;
		} else if (S_ISLNK(st.st_mode)) {
			char *target = NULL;

			if (link_target(s, dirfd(dir), d->d_name, path, &st,
			                &target) < 0) {
				free(path);
				goto out;
			}
			en = add(t, path, MCP_TREE_LINK, &st);
			en->target = target;
		} else {
			mcp_err_set(s->e, MCP_ERR_VERIFY,
			            "%s/%.256s: is %s (only directories, "
			            "regular files and symlinks can be packed)",
			            t->root, path, type_name(st.st_mode));
			free(path);
			goto out;
		}
	}
	ret = 0;
out:
	closedir(dir);
	return ret;
}

static int
cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct mcp_tree_entry *)a)->path,
	              ((const struct mcp_tree_entry *)b)->path);
}

const struct mcp_tree_entry *
mcp_tree_find(const struct mcp_tree *t, const char *path)
{
	struct mcp_tree_entry key;

	if (t->n == 0)
		return NULL;
	memset(&key, 0, sizeof(key));
	key.path = (char *)path;
	return bsearch(&key, t->v, t->n, sizeof(*t->v), cmp_entry);
}

/*
 * mcp-verify's rule for a symlink (extract.c, check_target): its target,
 * resolved lexically from the link's directory, never goes above the
 * root, and no component that something follows is itself a symlink of
 * the tree ("s -> ." then "t -> s/.." looks inside but is not).
 */
static int
check_link(const struct mcp_tree *t, const struct mcp_tree_entry *link,
           struct mcp_err *e)
{
	const char *tg = link->target, *c, *end, *slash;
	char *buf = xmalloc(strlen(link->path) + strlen(tg) + 2);
	const struct mcp_tree_entry *hit;
	size_t o, n;
	int ret = -1;

	slash = strrchr(link->path, '/');
	o = slash ? (size_t)(slash - link->path) : 0;
	memcpy(buf, link->path, o);
	buf[o] = '\0';
	for (c = tg; *c != '\0'; c = *end ? end + 1 : end) {
		end = strchr(c, '/');
		if (end == NULL)
			end = c + strlen(c);
		n = (size_t)(end - c);
		if (n == 0 || (n == 1 && c[0] == '.'))
			continue;
		if (n == 2 && c[0] == '.' && c[1] == '.') {
			if (o == 0) {
				mcp_err_set(e, MCP_ERR_VERIFY,
				            "%s/%.256s: symlink to \"%.256s\" "
				            "leaves the tree",
				            t->root, link->path, tg);
				goto out;
			}
			while (o > 0 && buf[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
			buf[o] = '\0';
			continue;
		}
		if (o > 0)
			buf[o++] = '/';
		memcpy(buf + o, c, n);
		o += n;
		buf[o] = '\0';
		if (*end != '\0' && (hit = mcp_tree_find(t, buf)) != NULL &&
		    hit->type == MCP_TREE_LINK) {
			mcp_err_set(
			    e, MCP_ERR_VERIFY,
			    "%s/%.256s: symlink to \"%.256s\" passes "
			    "through the symlink \"%.256s\" (mcp-verify "
			    "refuses that)",
			    t->root, link->path, tg, buf);
			goto out;
		}
	}
	ret = 0;
out:
	free(buf);
	return ret;
}

int
mcp_tree_scan(struct mcp_tree *t, const char *dir,
              const struct mcp_tree_limits *lim, struct mcp_err *e)
{
	struct scan s = {t, lim, e};
	struct stat st;
	size_t i;
	int fd;

	t->root = xstrdup(dir);
	/* The operand itself may be a symlink (like tar -C); nothing
	 * below it is followed. */
	t->rootfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (t->rootfd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return mcp_err_sys(e, MCP_ERR_USAGE, "%s", dir);
		return mcp_err_sys(e, MCP_ERR_RUNTIME, "%s", dir);
	}
	if (fstat(t->rootfd, &st) < 0)
		return mcp_err_sys(e, MCP_ERR_RUNTIME, "%s", dir);
	fd = dup(t->rootfd);
	if (fd < 0)
		return mcp_err_sys(e, MCP_ERR_RUNTIME, "%s", dir);
	if (scan_dir(&s, fd, "", 0) < 0)
		return -1;
	if (t->n == 0)
		return mcp_err_set(e, MCP_ERR_VERIFY,
		                   "%s: the directory is empty", dir);
	qsort(t->v, t->n, sizeof(*t->v), cmp_entry);
	for (i = 0; i < t->n; i++)
		if (t->v[i].type == MCP_TREE_LINK &&
		    check_link(t, &t->v[i], e) < 0)
			return -1;
	return 0;
}

const struct mcp_tree_entry *
mcp_tree_resolve(const struct mcp_tree *t, const char *path)
{
	const struct mcp_tree_entry *en = NULL;
	char *rest = xstrdup(path), *cur = xmalloc(1), *c, *end, *next;
	size_t o = 0, n;
	unsigned hops = 0;

	cur[0] = '\0';
	for (c = rest; c != NULL && *c != '\0';) {
		end = strchr(c, '/');
		n = end ? (size_t)(end - c) : strlen(c);
		next = end ? end + 1 : NULL;
		if (n == 0 || (n == 1 && c[0] == '.')) {
			c = next;
			continue;
		}
		if (n == 2 && c[0] == '.' && c[1] == '.') {
			if (o == 0)
				goto fail;
			while (o > 0 && cur[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
			cur[o] = '\0';
			c = next;
			continue;
		}
		cur = xrealloc(cur, o + n + 2);
		if (o > 0)
			cur[o++] = '/';
		memcpy(cur + o, c, n);
		o += n;
		cur[o] = '\0';
		en = mcp_tree_find(t, cur);
		if (en == NULL)
			goto fail;
		if (en->type == MCP_TREE_LINK) {
			char *r;

			if (++hops > MAX_HOPS)
				goto fail;
			/* Go on from the link's directory with its target,
			 * then the rest of the path. */
			r = next ? xasprintf("%s/%s", en->target, next)
			         : xstrdup(en->target);
			while (o > 0 && cur[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
			cur[o] = '\0';
			free(rest);
			rest = r;
			c = rest;
			en = NULL;
			continue;
		}
		if (next != NULL && en->type != MCP_TREE_DIR)
			goto fail;
		c = next;
	}
	free(rest);
	free(cur);
	return en;
fail:
	free(rest);
	free(cur);
	return NULL;
}

/* ---- writing ---- */

/* Where the compressed bytes go: a descriptor, hashed on the way. */
struct sink {
	int fd;
	struct mcp_digest d;
	uint64_t size;
	int err; /* errno of a failed write */
};

static la_ssize_t
write_cb(struct archive *a, void *data, const void *buf, size_t n)
{
	struct sink *s = data;

	if (mcp_write_all(s->fd, buf, n) < 0) {
		s->err = errno;
		archive_set_error(a, errno, "write: %s", strerror(errno));
		return -1;
	}
	mcp_digest_update(&s->d, buf, n);
	s->size += n;
	return (la_ssize_t)n;
}


/* Copy one file's data, refusing it if it is not what the scan saw. */
static int
copy_file(const struct mcp_tree *t, const struct mcp_tree_entry *en,
          struct archive *a, struct mcp_err *e)
{
	char *buf = NULL;
	struct stat st;
	uint64_t left = en->size;
	ssize_t n;
	int fd, ret = -1;

	/* No symlink followed anywhere (as extract.c's walk); non-blocking,
	 * so that a FIFO swapped in since the scan cannot hang us. */
	fd = mcp_openat_nofollow(t->rootfd, en->path,
	                         O_RDONLY | O_NONBLOCK | O_NOCTTY, 0);
	if (fd < 0)
		return mcp_err_sys(e, MCP_ERR_RUNTIME, "%s/%.256s", t->root,
		                   en->path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_dev != en->dev || st.st_ino != en->ino ||
	    (uint64_t)st.st_size != en->size) {
		mcp_err_set(e, MCP_ERR_RUNTIME,
		            "%s/%.256s: changed while it was being packed",
		            t->root, en->path);
		goto out;
	}
	buf = xmalloc(BUFSZ);
	while (left > 0) {
		n = read(fd, buf, left < BUFSZ ? (size_t)left : BUFSZ);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			mcp_err_sys(e, MCP_ERR_RUNTIME, "%s/%.256s: read",
			            t->root, en->path);
			goto out;
		}
		if (n == 0)
			break;
		if (archive_write_data(a, buf, (size_t)n) != n) {
			mcp_err_set(e, MCP_ERR_RUNTIME, "bundle: %s",
			            archive_error_string(a));
			goto out;
		}
		left -= (uint64_t)n;
	}
	/* Shorter or longer than at the scan: the header is already out. */
	if (left != 0 || read(fd, buf, 1) != 0) {
		mcp_err_set(e, MCP_ERR_RUNTIME,
		            "%s/%.256s: changed while it was being packed",
		            t->root, en->path);
		goto out;
	}
	ret = 0;
out:
	free(buf);
	close(fd);
	return ret;
}

int
mcp_tree_write(const struct mcp_tree *t, int outfd, int64_t mtime,
               char digest[MCP_DIGEST_STR_MAX], uint64_t *size,
               struct mcp_err *e)
{
	struct archive *a = archive_write_new();
	struct archive_entry *ae = archive_entry_new();
	struct sink s;
	const struct mcp_tree_entry *en;
	size_t i;
	int ret = -1, opened = 0;

	memset(&s, 0, sizeof(s));
	s.fd = outfd;
	if (a == NULL || ae == NULL)
		mcp_oom();
	if (mcp_digest_init(&s.d, MCP_DIGEST_SHA256, e) < 0)
		goto out;
	/*
	 * pax "restricted": plain ustar headers, plus a pax extended header
	 * only for what ustar cannot hold (long npm paths, non-ASCII names).
	 * gzip without the time stamp libarchive writes by default; no
	 * name is ever written.
	 */
	if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_add_filter_gzip(a) != ARCHIVE_OK ||
	    archive_write_set_filter_option(a, "gzip", "timestamp", NULL) !=
	        ARCHIVE_OK ||
	    archive_write_set_filter_option(a, "gzip", "compression-level",
	                                    "9") != ARCHIVE_OK ||
	    /* No padding of the compressed stream to a 10240-byte
	     * block: the bundle is the gzip member, nothing after it. */
	    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
	    archive_write_open(a, &s, NULL, write_cb, NULL) != ARCHIVE_OK) {
		mcp_err_set(e, MCP_ERR_RUNTIME, "bundle: %s",
		            archive_error_string(a)
		                ? archive_error_string(a)
		                : "libarchive set-up failed");
		goto out;
	}
	opened = 1;
	for (i = 0; i < t->n; i++) {
		en = &t->v[i];
		archive_entry_clear(ae);
		archive_entry_set_pathname(ae, en->path);
		archive_entry_set_uid(ae, 0);
		archive_entry_set_gid(ae, 0);
		archive_entry_set_mtime(ae, (time_t)mtime, 0);
		switch (en->type) {
		case MCP_TREE_DIR:
			archive_entry_set_filetype(ae, AE_IFDIR);
			archive_entry_set_perm(ae, 0755);
			break;
		case MCP_TREE_FILE:
			archive_entry_set_filetype(ae, AE_IFREG);
			archive_entry_set_perm(ae, en->exec ? 0755 : 0644);
			archive_entry_set_size(ae, (la_int64_t)en->size);
			break;
		default:
			archive_entry_set_filetype(ae, AE_IFLNK);
			archive_entry_set_perm(ae, 0777);
			archive_entry_set_symlink(ae, en->target);
			break;
		}
		if (archive_write_header(a, ae) != ARCHIVE_OK) {
			mcp_err_set(e, MCP_ERR_RUNTIME, "bundle: %.256s: %s",
			            en->path, archive_error_string(a));
			goto out;
		}
		if (en->type == MCP_TREE_FILE && en->size > 0 &&
		    copy_file(t, en, a, e) < 0)
			goto out;
	}
	opened = 0;
	if (archive_write_close(a) != ARCHIVE_OK) {
		mcp_err_set(e, MCP_ERR_RUNTIME, "bundle: %s",
		            archive_error_string(a));
		goto out;
	}
	if (mcp_digest_final(&s.d, digest, e) < 0)
		goto out;
	*size = s.size;
	ret = 0;
out:
	if (opened)
		archive_write_close(a);
	archive_write_free(a);
	archive_entry_free(ae);
	mcp_digest_release(&s.d);
	return ret;
}
