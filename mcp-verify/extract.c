/*
 * extract.c: unpack a verified bundle without ever writing outside the
 * tree (DESIGN.md, security invariant 2).
 *
 * The archive is checked entry by entry before anything is created for
 * it: names are normalised (no "..", not absolute, valid UTF-8, no control
 * characters, bounded length and depth), every entry's parents must be
 * directories of the archive (never a symlink of it: CVE-2001-1267 and the
 * many "tar-slip" bugs since), hardlinks may only name regular files
 * already extracted, symlinks must resolve lexically inside the tree
 * without passing through another symlink, and device nodes, FIFOs and
 * sockets are refused.  Files are created with openat2(2)
 * RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS (or an O_NOFOLLOW walk where the
 * kernel lacks it) inside a private temporary directory, symlinks last, so
 * no write ever goes through a link.  Modes are fixed (dirs 0555, files
 * 0444 or 0555): no setuid, setgid, sticky or group/world write, no owner,
 * ACL, xattr or flag from the archive is applied.  The total of file data
 * and of entries is bounded while reading, so a decompression bomb stops
 * at the limit, not at the end of the disk.
 *
 * The finished tree is renamed into place atomically and described by a
 * sidecar index: every entry with each file's size, mode and SHA-256, the
 * SHA-256 of that canonical listing, and the seal, what lstat(2) said of
 * every entry (mode, size, device, inode, mtime, ctime) when the index
 * was written.  A later run reuses the tree if every entry still stats as
 * sealed: no write, chmod, rename, link or unlink can happen without the
 * kernel setting the ctime of the entry or of its directory to the
 * current time, and only root can set a ctime or the clock (git's index
 * relies on the same).  An entry changed less than the seal margin
 * (seal.h) before its seal was taken could be changed again within the
 * same timestamp tick, so it is not vouched for.  When the seal does not hold (or --rehash
 * asks), the tree is walked and every file hashed as extraction did; a
 * tree whose contents still match is sealed again, a damaged one is
 * extracted again.
 */
#include <mcp-config.h>

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifdef HAVE_LINUX_OPENAT2_H
#include <linux/openat2.h>
#elif defined(__linux__)
#include <linux/openat2.h>
#endif

#include "archive-lazy.h"
#include "digest.h"
#include "extract.h"
#include "io.h"
#include "seal.h"
#include "xalloc.h"

#define LABEL "bundle"
#define BUFSZ (128 * 1024)

enum etype { E_DIR = 1, E_IMPLICIT, E_FILE, E_LINK };

struct ent {
	char *path;   /* normalised, "" is the root */
	char *target; /* E_LINK: the symlink's target */
	uint64_t size;
	unsigned char type;
	unsigned char exec;
	char hex[65]; /* E_FILE: SHA-256 of the contents */
	/* The seal: lstat(2) of the entry when the index was written. */
	unsigned long mode;
	unsigned long long dev, ino, st_size;
	struct timespec mtim, ctim;
};

/* Entries by path: an array plus an open-addressing index. */
struct table {
	struct ent *v;
	size_t n, cap;
	uint32_t *slot; /* index + 1, 0 = free */
	size_t nslot;   /* power of two */
};

/* The state of one extraction. */
struct x {
	const struct mcp_extract_limits *lim;
	struct mcp_err *e;
	int fd;                   /* the bundle */
	int root;                 /* the temporary tree */
	int nowalk;               /* 1 once openat2 said ENOSYS */
	struct mcp_digest stream; /* of every byte libarchive reads */
	char stream_hex[MCP_DIGEST_STR_MAX];
	unsigned char *inbuf;
	uint64_t bytes;
	uint64_t entries;
	struct table t;
};

/* Set once openat2(2) said ENOSYS: no need to ask again. */
static int openat2_missing;

static uint64_t
hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

/* Double the slots and re-insert: paths are unique, so no compare. */
static void
table_grow(struct table *t)
{
	size_t i, j, n = t->nslot ? t->nslot * 2 : 1024;

	free(t->slot);
	t->slot = xcalloc(n, sizeof(*t->slot));
	t->nslot = n;
	for (i = 0; i < t->n; i++) {
		j = hash_str(t->v[i].path) & (n - 1);
		while (t->slot[j] != 0)
			j = (j + 1) & (n - 1);
		t->slot[j] = (uint32_t)(i + 1);
	}
}

/* Linear probing; the table is never more than half full. */
static struct ent *
table_get(const struct table *t, const char *path)
{
	size_t j;

	if (t->nslot == 0)
		return NULL;
	for (j = hash_str(path) & (t->nslot - 1); t->slot[j] != 0;
	     j = (j + 1) & (t->nslot - 1))
		if (strcmp(t->v[t->slot[j] - 1].path, path) == 0)
			return &t->v[t->slot[j] - 1];
	return NULL;
}

/* Add PATH (taken) and return the new entry (valid until the next add). */
static struct ent *
table_add(struct table *t, char *path, enum etype type)
{
	struct ent *en;
	size_t j;

	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 1024;
		t->v = xrealloc(t->v, t->cap * sizeof(*t->v));
	}
	/* Keep the load factor under one half. */
	if (2 * (t->n + 1) > t->nslot)
		table_grow(t);
	en = &t->v[t->n];
	memset(en, 0, sizeof(*en));
	en->path = path;
	en->type = (unsigned char)type;
	j = hash_str(path) & (t->nslot - 1);
	while (t->slot[j] != 0)
		j = (j + 1) & (t->nslot - 1);
	t->slot[j] = (uint32_t)(++t->n);
	return en;
}

/* Append without indexing: for a table that is never searched. */
static struct ent *
table_push(struct table *t, char *path, enum etype type)
{
	struct ent *en;

	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 1024;
		t->v = xrealloc(t->v, t->cap * sizeof(*t->v));
	}
	en = &t->v[t->n++];
	memset(en, 0, sizeof(*en));
	en->path = path;
	en->type = (unsigned char)type;
	return en;
}

/* Paths and targets are owned by the table. */
static void
table_free(struct table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->v[i].path);
		free(t->v[i].target);
	}
	free(t->v);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

/* The defaults of mcp-verify(1); options may change them. */
void
mcp_extract_limits_default(struct mcp_extract_limits *l)
{
	l->max_bytes = MCP_EXTRACT_MAX_BYTES;
	l->max_entries = MCP_EXTRACT_MAX_ENTRIES;
	l->max_depth = MCP_EXTRACT_MAX_DEPTH;
	l->max_path = MCP_EXTRACT_MAX_PATH;
	l->max_name = MCP_EXTRACT_MAX_NAME;
	l->rehash = 0;
}

void
mcp_extract_result_release(struct mcp_extract_result *r)
{
	free(r->tree);
	memset(r, 0, sizeof(*r));
}

/* ---- opening beneath a directory ---- */

/*
 * openat2(2) resolves the whole path in the kernel, so no component can
 * be swapped for a symlink between our checks and the open (the race
 * that an O_NOFOLLOW walk closes one component at a time).
 */
static int
open_beneath_mode(int dirfd, const char *path, int flags, mode_t mode,
                  int no_symlinks)
{
#if defined(SYS_openat2) && defined(RESOLVE_BENEATH)
	if (!openat2_missing) {
		struct open_how how;
		long r;

		memset(&how, 0, sizeof(how));
		how.flags = (uint64_t)(flags | O_CLOEXEC);
		how.mode = (flags & O_CREAT) ? mode : 0;
		how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS |
		              (no_symlinks ? RESOLVE_NO_SYMLINKS : 0);
		do {
			r = syscall(SYS_openat2, dirfd, path, &how,
			            sizeof(how));
		} while (r < 0 && (errno == EINTR || errno == EAGAIN));
		if (r >= 0 || errno != ENOSYS)
			return (int)r;
		/* Linux before 5.6, or a seccomp filter that hides it. */
		openat2_missing = 1;
	}
#endif
	return mcp_openat_nofollow(dirfd, path, flags, mode);
}

int
mcp_open_beneath(int dirfd, const char *path, int flags, int no_symlinks)
{
	return open_beneath_mode(dirfd, path, flags, 0, no_symlinks);
}

/*
 * The parent directory of PATH beneath ROOT, and the last component in
 * *LAST.  Returns a descriptor to close (or ROOT itself, not to close).
 */
static int
open_parent(int root, const char *path, const char **last)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd;

	if (slash == NULL) {
		*last = path;
		return root;
	}
	*last = slash + 1;
	dir = xstrndup(path, (size_t)(slash - path));
	fd = open_beneath_mode(root, dir, O_PATH | O_DIRECTORY, 0, 1);
	free(dir);
	return fd;
}

/* ROOT is borrowed and stays open. */
static void
close_parent(int fd, int root)
{
	if (fd >= 0 && fd != root)
		close(fd);
}

/* ---- removing a tree (ours: read-only directories included) ---- */

/*
 * Remove NAME below DIRFD recursively without following symlinks (a
 * failed extraction, a damaged tree).  Depth is bounded so that a hostile
 * tree cannot exhaust the stack.
 */
static int
rm_at(int dirfd, const char *name, unsigned depth)
{
	struct stat st;
	struct dirent *d;
	DIR *dir;
	int fd, ret = 0;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dirfd, name, 0);
	if (depth > 4 * MCP_EXTRACT_MAX_DEPTH) {
		errno = ELOOP;
		return -1;
	}
	fd = openat(dirfd, name,
	            O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	/* A read-only directory of a finished tree: make it writable to
	 * empty it (we own it). */
	if (fchmod(fd, 0700) < 0 || (dir = fdopendir(fd)) == NULL) {
		close(fd);
		return -1;
	}
	while ((d = readdir(dir)) != NULL) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		if (rm_at(fd, d->d_name, depth + 1) < 0)
			ret = -1;
	}
	closedir(dir);
	if (ret == 0)
		ret = unlinkat(dirfd, name, AT_REMOVEDIR);
	return ret;
}

/* ---- names ---- */

/*
 * Normalise an archive name: drop "." and empty components and a trailing
 * "/", refuse the rest.  Returns a new string ("" for the root) or NULL
 * with E filled.  WHAT is "entry" or "hardlink target".
 */
static char *
norm_name(struct x *x, const char *name, const char *what)
{
	const struct mcp_extract_limits *lim = x->lim;
	size_t len = strlen(name), o = 0, n;
	unsigned depth = 0;
	const char *c, *end, *why;
	char *out;

	if (len == 0) {
		mcp_err_set(x->e, MCP_ERR_VERIFY,
		            LABEL ": %s with an empty name", what);
		return NULL;
	}
	if ((why = mcp_text_problem(name)) != NULL) {
		mcp_err_set(x->e, MCP_ERR_VERIFY,
		            LABEL ": %s \"%.256s\": name %s", what, name, why);
		return NULL;
	}
	if (len > lim->max_path) {
		mcp_err_set(x->e, MCP_ERR_VERIFY,
		            LABEL
		            ": %s \"%.64s...\": name longer than %zu bytes",
		            what, name, lim->max_path);
		return NULL;
	}
	if (name[0] == '/') {
		mcp_err_set(x->e, MCP_ERR_VERIFY,
		            LABEL ": %s \"%.256s\": absolute path", what, name);
		return NULL;
	}
	out = xmalloc(len + 1);
	for (c = name; *c != '\0'; c = *end ? end + 1 : end) {
		end = strchr(c, '/');
		if (end == NULL)
			end = c + strlen(c);
		n = (size_t)(end - c);
		if (n == 0 || (n == 1 && c[0] == '.'))
			continue;
		if (n == 2 && c[0] == '.' && c[1] == '.') {
			mcp_err_set(x->e, MCP_ERR_VERIFY,
			            LABEL
			            ": %s \"%.256s\": path escapes the tree",
			            what, name);
			goto fail;
		}
		if (n > lim->max_name) {
			mcp_err_set(x->e, MCP_ERR_VERIFY,
			            LABEL
			            ": %s \"%.64s...\": a component is longer "
			            "than %zu bytes",
			            what, name, lim->max_name);
			goto fail;
		}
		if (++depth > lim->max_depth) {
			mcp_err_set(x->e, MCP_ERR_VERIFY,
			            LABEL ": %s \"%.64s...\": deeper than %u "
			                  "directories",
			            what, name, lim->max_depth);
			goto fail;
		}
		if (o > 0)
			out[o++] = '/';
		memcpy(out + o, c, n);
		o += n;
	}
	out[o] = '\0';
	return out;
fail:
	free(out);
	return NULL;
}

/*
 * A symlink's target, resolved lexically against the link's directory,
 * must stay inside the tree.  Its intermediate components must not be
 * symlinks of the archive: "s -> ." then "t -> s/.." stays inside on paper
 * but leaves the tree on disk.  With CHECK_LINKS 0 only the lexical part
 * runs (the archive is not complete yet).
 */
static int
check_target(struct x *x, const struct ent *link, int check_links)
{
	const char *t = link->target, *c, *end;
	size_t len = strlen(link->path) + strlen(t) + 2, n, o;
	char *buf = xmalloc(len);
	const struct ent *hit;
	long depth = 0;
	int ret = -1;

	/* Start in the link's own directory. */
	c = strrchr(link->path, '/');
	o = c ? (size_t)(c - link->path) : 0;
	memcpy(buf, link->path, o);
	buf[o] = '\0';
	for (c = buf; o > 0 && *c != '\0'; c++)
		if (*c == '/')
			depth++;
	if (o > 0)
		depth++;
	for (c = t; *c != '\0'; c = *end ? end + 1 : end) {
		end = strchr(c, '/');
		if (end == NULL)
			end = c + strlen(c);
		n = (size_t)(end - c);
		if (n == 0 || (n == 1 && c[0] == '.'))
			continue;
		if (n == 2 && c[0] == '.' && c[1] == '.') {
			if (--depth < 0) {
				mcp_err_set(
				    x->e, MCP_ERR_VERIFY,
				    LABEL ": symlink \"%.256s\" -> \"%.256s\": "
				          "target leaves the tree",
				    link->path, t);
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
		depth++;
		/* Only components that something follows are traversed. */
		if (check_links && *end != '\0' &&
		    (hit = table_get(&x->t, buf)) != NULL &&
		    hit->type == E_LINK) {
			mcp_err_set(
			    x->e, MCP_ERR_VERIFY,
			    LABEL
			    ": symlink \"%.256s\" -> \"%.256s\": "
			    "target passes through the symlink \"%.256s\"",
			    link->path, t, buf);
			goto out;
		}
	}
	ret = 0;
out:
	free(buf);
	return ret;
}

/* ---- the archive ---- */

/* libarchive reads through here, so every byte it parses is hashed. */
/* (An archive_read_open_fd() would read the descriptor directly.) */
static la_ssize_t
read_cb(struct archive *a, void *data, const void **buf)
{
	struct x *x = data;
	ssize_t n;

	(void)a;
	do {
		n = read(x->fd, x->inbuf, BUFSZ);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		archive_set_error(a, errno, "read: %s", strerror(errno));
		return -1;
	}
	mcp_digest_update(&x->stream, x->inbuf, (size_t)n);
	*buf = x->inbuf;
	return n;
}

/*
 * The parents of PATH must be directories of the archive; missing ones
 * are created (tar does the same).  A parent that is a symlink of the
 * archive is refused: writing through it is the classic escape.
 */
static int
make_parents(struct x *x, const char *path, const char *name)
{
	char *p = xstrdup(path), *s;
	const char *last;
	struct ent *en;
	int pfd, ret = -1;

	for (s = strchr(p, '/'); s != NULL; s = strchr(s + 1, '/')) {
		*s = '\0';
		en = table_get(&x->t, p);
		if (en != NULL && en->type == E_LINK) {
			mcp_err_set(x->e, MCP_ERR_VERIFY,
			            LABEL
			            ": entry \"%.256s\": written through the "
			            "symlink \"%.256s\"",
			            name, p);
			goto out;
		}
		if (en != NULL && en->type == E_FILE) {
			mcp_err_set(x->e, MCP_ERR_VERIFY,
			            LABEL
			            ": entry \"%.256s\": parent \"%.256s\" is "
			            "not a directory",
			            name, p);
			goto out;
		}
		if (en == NULL) {
			if (++x->entries > x->lim->max_entries)
				goto too_many;
			pfd = open_parent(x->root, p, &last);
			if (pfd < 0 || mkdirat(pfd, last, 0700) < 0) {
				mcp_err_sys(x->e, MCP_ERR_RUNTIME,
				            LABEL ": mkdir \"%.256s\"", p);
				close_parent(pfd, x->root);
				goto out;
			}
			close_parent(pfd, x->root);
			table_add(&x->t, xstrdup(p), E_IMPLICIT);
		}
		*s = '/';
	}
	ret = 0;
	goto out;
too_many:
	mcp_err_set(x->e, MCP_ERR_VERIFY,
	            LABEL ": more than %" PRIu64 " entries",
	            x->lim->max_entries);
out:
	free(p);
	return ret;
}

/*
 * A regular file: created exclusively (O_EXCL: never an existing file,
 * never through a symlink), written while hashing, then made read-only.
 * PATH is taken.
 */
static int
write_file(struct x *x, struct archive *a, struct archive_entry *ae, char *path,
           const char *name)
{
	struct mcp_digest d = {0};
	char buf[BUFSZ], hex[MCP_DIGEST_STR_MAX];
	la_ssize_t n;
	uint64_t size = 0;
	struct ent *en;
	int fd = -1, ret = -1;
	int exec = (archive_entry_perm(ae) & 0111) != 0;

	/* A declared size over the budget is refused before any byte. */
	if (archive_entry_size_is_set(ae) && archive_entry_size(ae) >= 0 &&
	    (uint64_t)archive_entry_size(ae) > x->lim->max_bytes - x->bytes)
		goto bomb;
	fd = open_beneath_mode(x->root, path,
	                       O_WRONLY | O_CREAT | O_EXCL | O_NOCTTY, 0600, 1);
	if (fd < 0) {
		mcp_err_sys(x->e, MCP_ERR_RUNTIME, LABEL ": create \"%.256s\"",
		            name);
		goto out;
	}
	if (mcp_digest_init(&d, MCP_DIGEST_SHA256, x->e) < 0)
		goto out;
	for (;;) {
		n = archive_read_data(a, buf, sizeof(buf));
		if (n == 0)
			break;
		if (n < 0) {
			mcp_err_set(x->e, MCP_ERR_VERIFY, LABEL ": %s",
			            archive_error_string(a)
			                ? archive_error_string(a)
			                : "read error");
			goto out;
		}
		/* The running total, not the headers, is what counts. */
		if ((uint64_t)n > x->lim->max_bytes - x->bytes)
			goto bomb;
		x->bytes += (uint64_t)n;
		size += (uint64_t)n;
		mcp_digest_update(&d, buf, (size_t)n);
		if (mcp_write_all(fd, buf, (size_t)n) < 0) {
			mcp_err_sys(x->e, MCP_ERR_RUNTIME,
			            LABEL ": write \"%.256s\"", name);
			goto out;
		}
	}
	if (fchmod(fd, exec ? 0555 : 0444) < 0 || close(fd) < 0) {
		fd = -1;
		mcp_err_sys(x->e, MCP_ERR_RUNTIME, LABEL ": \"%.256s\"", name);
		goto out;
	}
	fd = -1;
	if (mcp_digest_final(&d, hex, x->e) < 0)
		goto out;
	en = table_add(&x->t, path, E_FILE);
	path = NULL;
	en->size = size;
	en->exec = (unsigned char)exec;
	memcpy(en->hex, hex + 7, 64); /* after "sha256:" */
	en->hex[64] = '\0';
	ret = 0;
	goto out;
bomb:
	mcp_err_set(x->e, MCP_ERR_VERIFY,
	            LABEL
	            ": entry \"%.256s\": extracted data would exceed %" PRIu64
	            " bytes (decompression bomb?)",
	            name, x->lim->max_bytes);
out:
	mcp_digest_release(&d);
	if (fd >= 0)
		close(fd);
	free(path);
	return ret;
}

/* A hardlink: only to a regular file this archive already created, so
 * no host file can be linked into the tree.  PATH is taken. */
static int
hard_link(struct x *x, const char *target, char *path, const char *name)
{
	const char *tlast, *last;
	struct ent *t, *en;
	char *tp = NULL;
	int tfd = -1, pfd = -1, ret = -1;
	uint64_t size;
	unsigned char exec;
	char hex[65];

	tp = norm_name(x, target, "hardlink target");
	if (tp == NULL)
		goto out;
	t = table_get(&x->t, tp);
	if (t == NULL || t->type != E_FILE) {
		mcp_err_set(x->e, MCP_ERR_VERIFY,
		            LABEL
		            ": hardlink \"%.256s\" -> \"%.256s\": target is "
		            "%s",
		            name, target,
		            t == NULL ? "not an earlier entry of the archive"
		                      : "not a regular file");
		goto out;
	}
	size = t->size;
	exec = t->exec;
	memcpy(hex, t->hex, sizeof(hex));
	tfd = open_parent(x->root, tp, &tlast);
	pfd = open_parent(x->root, path, &last);
	/* No AT_SYMLINK_FOLLOW: the target itself is never dereferenced. */
	if (tfd < 0 || pfd < 0 || linkat(tfd, tlast, pfd, last, 0) < 0) {
		mcp_err_sys(x->e, MCP_ERR_RUNTIME, LABEL ": link \"%.256s\"",
		            name);
		goto out;
	}
	en = table_add(&x->t, path, E_FILE);
	path = NULL;
	en->size = size;
	en->exec = exec;
	memcpy(en->hex, hex, sizeof(hex));
	ret = 0;
out:
	close_parent(tfd, x->root);
	close_parent(pfd, x->root);
	free(tp);
	free(path);
	return ret;
}

/* One archive entry. */
static int
entry(struct x *x, struct archive *a, struct archive_entry *ae)
{
	const char *name = archive_entry_pathname(ae);
	const char *hl = archive_entry_hardlink(ae), *last, *why;
	mode_t type = archive_entry_filetype(ae);
	struct ent *old, *en;
	char *path;
	int pfd;

	if (++x->entries > x->lim->max_entries)
		return mcp_err_set(x->e, MCP_ERR_VERIFY,
		                   LABEL ": more than %" PRIu64 " entries",
		                   x->lim->max_entries);
	if (name == NULL)
		return mcp_err_set(x->e, MCP_ERR_VERIFY,
		                   LABEL ": an entry has no readable name");
	if (hl == NULL) {
		switch (type) {
		case AE_IFREG:
		case AE_IFDIR:
		case AE_IFLNK:
			break;
		case AE_IFCHR:
		case AE_IFBLK:
			return mcp_err_set(x->e, MCP_ERR_VERIFY,
			                   LABEL
			                   ": entry \"%.256s\": device nodes "
			                   "are not allowed",
			                   name);
		case AE_IFIFO:
			return mcp_err_set(x->e, MCP_ERR_VERIFY,
			                   LABEL
			                   ": entry \"%.256s\": FIFOs are "
			                   "not allowed",
			                   name);
		case AE_IFSOCK:
			return mcp_err_set(x->e, MCP_ERR_VERIFY,
			                   LABEL
			                   ": entry \"%.256s\": sockets are "
			                   "not allowed",
			                   name);
		default:
			return mcp_err_set(x->e, MCP_ERR_VERIFY,
			                   LABEL
			                   ": entry \"%.256s\": unsupported "
			                   "file type",
			                   name);
		}
	}
	path = norm_name(x, name, "entry");
	if (path == NULL)
		return -1;
	if (*path == '\0') {
		free(path);
		/* "./" names the root, which exists already. */
		if (hl == NULL && type == AE_IFDIR)
			return 0;
		return mcp_err_set(x->e, MCP_ERR_VERIFY,
		                   LABEL
		                   ": entry \"%.256s\": names the root of "
		                   "the tree",
		                   name);
	}
	if (make_parents(x, path, name) < 0)
		goto fail;

	old = table_get(&x->t, path);
	if (old != NULL) {
		int olddir = old->type == E_DIR || old->type == E_IMPLICIT;

		/* A directory listed twice is harmless (tar merges). */
		if (olddir && hl == NULL && type == AE_IFDIR) {
			old->type = E_DIR;
			free(path);
			return 0;
		}
		if ((olddir && type == AE_IFLNK) ||
		    (old->type == E_LINK && type == AE_IFDIR))
			mcp_err_set(x->e, MCP_ERR_VERIFY,
			            LABEL ": entry \"%.256s\": duplicate entry "
			                  "would replace a %s with a %s",
			            name, olddir ? "directory" : "symlink",
			            olddir ? "symlink" : "directory");
		else
			mcp_err_set(x->e, MCP_ERR_VERIFY,
			            LABEL ": entry \"%.256s\": duplicate entry",
			            name);
		goto fail;
	}

	if (hl != NULL)
		return hard_link(x, hl, path, name);
	if (type == AE_IFREG)
		return write_file(x, a, ae, path, name);
	if (type == AE_IFDIR) {
		pfd = open_parent(x->root, path, &last);
		if (pfd < 0 || mkdirat(pfd, last, 0700) < 0) {
			mcp_err_sys(x->e, MCP_ERR_RUNTIME,
			            LABEL ": mkdir \"%.256s\"", name);
			close_parent(pfd, x->root);
			goto fail;
		}
		close_parent(pfd, x->root);
		table_add(&x->t, path, E_DIR);
		return 0;
	}

	/* A symlink: checked now, created once every entry is on disk. */
	{
		const char *t = archive_entry_symlink(ae);

		if (t == NULL || *t == '\0') {
			mcp_err_set(x->e, MCP_ERR_VERIFY,
			            LABEL ": symlink \"%.256s\": empty target",
			            name);
			goto fail;
		}
		if ((why = mcp_text_problem(t)) != NULL) {
			mcp_err_set(x->e, MCP_ERR_VERIFY,
			            LABEL ": symlink \"%.256s\": target %s",
			            name, why);
			goto fail;
		}
		if (strlen(t) > x->lim->max_path) {
			mcp_err_set(x->e, MCP_ERR_VERIFY,
			            LABEL ": symlink \"%.256s\": target longer "
			                  "than %zu bytes",
			            name, x->lim->max_path);
			goto fail;
		}
		if (t[0] == '/') {
			mcp_err_set(x->e, MCP_ERR_VERIFY,
			            LABEL ": symlink \"%.256s\" -> \"%.256s\": "
			                  "absolute target leaves the tree",
			            name, t);
			goto fail;
		}
		en = table_add(&x->t, path, E_LINK);
		en->target = xstrdup(t);
		return check_target(x, en, 0);
	}
fail:
	free(path);
	return -1;
}

/* Create the symlinks, now that nothing more is written into the tree. */
static int
make_symlinks(struct x *x)
{
	const char *last;
	struct ent *en;
	size_t i;
	int pfd;

	for (i = 0; i < x->t.n; i++) {
		en = &x->t.v[i];
		if (en->type != E_LINK)
			continue;
		/* Now every symlink of the archive is known, so a target
		 * that passes through one of them can be refused. */
		if (check_target(x, en, 1) < 0)
			return -1;
		pfd = open_parent(x->root, en->path, &last);
		if (pfd < 0 || symlinkat(en->target, pfd, last) < 0) {
			mcp_err_sys(x->e, MCP_ERR_RUNTIME,
			            LABEL ": symlink \"%.256s\"", en->path);
			close_parent(pfd, x->root);
			return -1;
		}
		close_parent(pfd, x->root);
	}
	return 0;
}

/* Directories become read-only last: until now we had to write in them. */
static int
seal_dirs(struct x *x)
{
	struct ent *en;
	size_t i;
	int fd;

	for (i = 0; i < x->t.n; i++) {
		en = &x->t.v[i];
		if ((en->type != E_DIR && en->type != E_IMPLICIT) ||
		    en->path[0] == '\0')
			continue;
		fd = open_beneath_mode(x->root, en->path,
		                       O_RDONLY | O_DIRECTORY, 0, 1);
		if (fd < 0 || fchmod(fd, 0555) < 0) {
			mcp_err_sys(x->e, MCP_ERR_RUNTIME,
			            LABEL ": chmod \"%.256s\"", en->path);
			if (fd >= 0)
				close(fd);
			return -1;
		}
		close(fd);
	}
	if (fchmod(x->root, 0555) < 0)
		return mcp_err_sys(x->e, MCP_ERR_RUNTIME, LABEL ": chmod tree");
	return 0;
}

/* ---- the seal ---- */

/* Record what lstat(2) says of EN. */
static void
seal_from(struct ent *en, const struct stat *st)
{
	en->mode = (unsigned long)st->st_mode;
	en->dev = (unsigned long long)st->st_dev;
	en->ino = (unsigned long long)st->st_ino;
	en->st_size = (unsigned long long)st->st_size;
	en->mtim = st->st_mtim;
	en->ctim = st->st_ctim;
}

/* The path of an entry for fstatat(2) and for messages. */
static const char *
ent_name(const struct ent *en)
{
	return en->path[0] ? en->path : ".";
}

/* Seal every entry of the extracted tree ROOT. */
static int
stat_entries(struct x *x)
{
	struct stat st;
	size_t i;

	for (i = 0; i < x->t.n; i++) {
		if (fstatat(x->root, ent_name(&x->t.v[i]), &st,
		            AT_SYMLINK_NOFOLLOW) < 0)
			return mcp_err_sys(x->e, MCP_ERR_RUNTIME,
			                   LABEL ": stat \"%.256s\"",
			                   x->t.v[i].path);
		seal_from(&x->t.v[i], &st);
	}
	return 0;
}

/*
 * The directories leading to the entry being checked, each open with
 * O_PATH: an entry is stat'ed by its last component beneath its parent, a
 * lookup of one name instead of the whole path (half the time of the
 * check on a tree of 4000 files).
 */
struct dirs {
	int fd[MCP_EXTRACT_MAX_DEPTH + 1]; /* fd[0] is the tree's root */
	size_t len[MCP_EXTRACT_MAX_DEPTH + 1]; /* bytes of path they name */
	const char *path[MCP_EXTRACT_MAX_DEPTH + 1]; /* whose prefix */
	int n;                                 /* fd[n] is the deepest */
};

/*
 * The parent of PATH, opened from the deepest open ancestor, without
 * following a symlink; -1 if it cannot be opened.
 */
static int
parent_fd(struct dirs *d, const char *path, size_t plen)
{
	const char *c;
	size_t end;
	char *comp;
	int fd;

	/* Close what is not an ancestor of PATH. */
	while (d->n > 0 &&
	       !(d->len[d->n] <= plen && path[d->len[d->n]] == '/' &&
	         memcmp(d->path[d->n], path, d->len[d->n]) == 0))
		close(d->fd[d->n--]);
	while (d->len[d->n] < plen) {
		if (d->n == MCP_EXTRACT_MAX_DEPTH)
			return -1;
		c = path + d->len[d->n] + (d->n > 0);
		end = (size_t)((c - path) + (long)strcspn(c, "/"));
		comp = xstrndup(c, (size_t)(path + end - c));
		fd = openat(d->fd[d->n], comp,
		            O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		free(comp);
		if (fd < 0)
			return -1;
		d->n++;
		d->fd[d->n] = fd;
		d->len[d->n] = end;
		d->path[d->n] = path;
	}
	return d->fd[d->n];
}

/*
 * 1 if every entry of the index still stats as sealed, beneath the open
 * tree TFD; else 0 and WHY names the first entry that does not.  Entries
 * are in byte order, so a directory is checked before what it holds.
 */
static int
seal_holds(int tfd, const struct table *t, const struct timespec *sealed_at,
           char *why, size_t whyn)
{
	long long limit = mcp_ts_ns(sealed_at) - MCP_SEAL_MARGIN_NS;
	const struct ent *en;
	const char *slash, *name;
	struct dirs d;
	struct stat st;
	size_t i, plen;
	int pfd, ok = 0;

	d.n = 0;
	d.fd[0] = tfd;
	d.len[0] = 0;
	d.path[0] = "";
	for (i = 0; i < t->n; i++) {
		en = &t->v[i];
		if (mcp_ts_ns(&en->ctim) >= limit) {
			snprintf(why, whyn,
			         "%s: changed just before it was sealed",
			         ent_name(en));
			goto out;
		}
		slash = strrchr(en->path, '/');
		plen = slash ? (size_t)(slash - en->path) : 0;
		name = slash ? slash + 1 : ent_name(en);
		if ((pfd = parent_fd(&d, en->path, plen)) < 0 ||
		    fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			snprintf(why, whyn, "%s: %s", ent_name(en),
			         strerror(errno));
			goto out;
		}
		if ((unsigned long)st.st_mode != en->mode ||
		    (unsigned long long)st.st_size != en->st_size ||
		    (unsigned long long)st.st_dev != en->dev ||
		    (unsigned long long)st.st_ino != en->ino ||
		    !mcp_ts_eq(&st.st_mtim, &en->mtim) ||
		    !mcp_ts_eq(&st.st_ctim, &en->ctim)) {
			snprintf(why, whyn, "%s: not as sealed", ent_name(en));
			goto out;
		}
	}
	ok = 1;
out:
	while (d.n > 0)
		close(d.fd[d.n--]);
	return ok;
}

/* ---- the index: a canonical listing of the tree and its digest ---- */

/* Byte order, independent of the locale. */
static int
ent_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ent *)a)->path,
	              ((const struct ent *)b)->path);
}

/*
 * "sha256:<hex>" of the listing of V (sorted here), one line per entry,
 * fields separated by tabs (names cannot hold control characters).
 */
static int
listing_digest(struct ent *v, size_t n, char out[MCP_DIGEST_STR_MAX],
               struct mcp_err *e)
{
	struct mcp_digest d = {0};
	char line[128];
	size_t i;
	int len;

	qsort(v, n, sizeof(*v), ent_cmp);
	if (mcp_digest_init(&d, MCP_DIGEST_SHA256, e) < 0)
		return -1;
	mcp_digest_update(&d, MCP_TREE_INDEX_MAGIC "\n",
	                  sizeof(MCP_TREE_INDEX_MAGIC));
	for (i = 0; i < n; i++) {
		switch (v[i].type) {
		case E_DIR:
		case E_IMPLICIT:
			len = snprintf(line, sizeof(line), "d\t555\t");
			break;
		case E_FILE:
			len = snprintf(
			    line, sizeof(line), "f\t%s\t%" PRIu64 "\t%s\t",
			    v[i].exec ? "555" : "444", v[i].size, v[i].hex);
			break;
		default:
			len = snprintf(line, sizeof(line), "l\t");
			break;
		}
		mcp_digest_update(&d, line, (size_t)len);
		mcp_digest_update(&d, ent_name(&v[i]), strlen(ent_name(&v[i])));
		if (v[i].type == E_LINK) {
			mcp_digest_update(&d, "\t", 1);
			mcp_digest_update(&d, v[i].target, strlen(v[i].target));
		}
		mcp_digest_update(&d, "\n", 1);
	}
	return mcp_digest_final(&d, out, e);
}

/*
 * What differs between the index's entry A and the tree's entry B (same
 * path), or NULL.
 */
static const char *
ent_diff(const struct ent *a, const struct ent *b)
{
	int da = a->type == E_DIR || a->type == E_IMPLICIT;
	int db = b->type == E_DIR || b->type == E_IMPLICIT;

	if (da != db || (!da && a->type != b->type))
		return "its type changed";
	if (a->type == E_FILE && a->exec != b->exec)
		return "its mode changed";
	if (a->type == E_FILE &&
	    (a->size != b->size || strcmp(a->hex, b->hex) != 0))
		return "its contents changed";
	if (a->type == E_LINK && strcmp(a->target, b->target) != 0)
		return "its target changed";
	return NULL;
}

/*
 * Compare the index's entries WANT with the tree's GOT (both sorted):
 * 1 if they are the same, else 0 and WHY names the first difference.
 */
static int
same_entries(const struct table *want, const struct table *got, char *why,
             size_t whyn)
{
	const char *d;
	size_t i = 0, j = 0;
	int c;

	while (i < want->n || j < got->n) {
		c = i == want->n   ? 1
		    : j == got->n ? -1
		                   : strcmp(want->v[i].path, got->v[j].path);
		if (c < 0) {
			snprintf(why, whyn, "%s: it was removed",
			         ent_name(&want->v[i]));
			return 0;
		}
		if (c > 0) {
			snprintf(why, whyn, "%s: it was added",
			         ent_name(&got->v[j]));
			return 0;
		}
		if ((d = ent_diff(&want->v[i], &got->v[j])) != NULL) {
			snprintf(why, whyn, "%s: %s", ent_name(&got->v[j]), d);
			return 0;
		}
		i++;
		j++;
	}
	return 1;
}

/* Walk state for re-checking a tree. */
struct walk {
	const struct mcp_extract_limits *lim;
	struct table t;
	uint64_t bytes;
	const char *bad;  /* why the tree is not intact */
	char *bad_path;   /* and where (owned), or NULL */
};

static int walk_dir(struct walk *w, int dfd, const char *prefix,
                    unsigned depth);

/* Stop the walk: REASON at PATH. */
static int
walk_bad(struct walk *w, const char *reason, const char *path)
{
	w->bad = reason;
	free(w->bad_path);
	w->bad_path = xstrdup(path[0] ? path : ".");
	return -1;
}

/*
 * Describe one entry of an existing tree as extraction described it, and
 * seal it.  Anything extraction cannot have made (a FIFO, a writable file,
 * a directory not 0555) makes the tree damaged.  The entry is stat'ed
 * before it is read: a change made after the lstat changes its ctime.
 */
static int
walk_one(struct walk *w, int dfd, const char *name, const char *path,
         unsigned depth)
{
	struct mcp_digest d = {0};
	char hex[MCP_DIGEST_STR_MAX], buf[BUFSZ];
	struct stat st;
	struct ent *en;
	ssize_t n;
	int fd, ret;

	if (w->t.n >= w->lim->max_entries + 1)
		return walk_bad(w, "too many entries", path);
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return walk_bad(w, "it vanished", path);
	if (S_ISLNK(st.st_mode)) {
		char *t = xmalloc(w->lim->max_path + 2);

		n = readlinkat(dfd, name, t, w->lim->max_path + 1);
		if (n < 0 || (size_t)n > w->lim->max_path) {
			free(t);
			return walk_bad(w, "unreadable symlink", path);
		}
		t[n] = '\0';
		en = table_add(&w->t, xstrdup(path), E_LINK);
		en->target = t;
		seal_from(en, &st);
		return 0;
	}
	if (S_ISDIR(st.st_mode)) {
		if ((st.st_mode & 07777) != 0555 ||
		    depth >= w->lim->max_depth)
			return walk_bad(w, "its mode changed", path);
		en = table_add(&w->t, xstrdup(path), E_DIR);
		seal_from(en, &st);
		fd = openat(dfd, name,
		            O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return walk_bad(w, "unreadable directory", path);
		ret = walk_dir(w, fd, path, depth + 1);
		return ret;
	}
	if (!S_ISREG(st.st_mode))
		return walk_bad(w, "its type changed", path);
	if ((st.st_mode & 07777) != 0444 && (st.st_mode & 07777) != 0555)
		return walk_bad(w, "its mode changed", path);
	/* Extraction's byte limit holds for the re-check too: a tree grown
	 * in the cache is not read without end. */
	if ((uint64_t)st.st_size > w->lim->max_bytes - w->bytes)
		return walk_bad(w, "too many bytes", path);
	w->bytes += (uint64_t)st.st_size;
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 || mcp_digest_init(&d, MCP_DIGEST_SHA256, NULL) < 0) {
		if (fd >= 0)
			close(fd);
		return walk_bad(w, "unreadable file", path);
	}
	ret = 0;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -1;
			break;
		}
		mcp_digest_update(&d, buf, (size_t)n);
	}
	close(fd);
	if (ret < 0 || mcp_digest_final(&d, hex, NULL) < 0) {
		mcp_digest_release(&d);
		return walk_bad(w, "unreadable file", path);
	}
	en = table_add(&w->t, xstrdup(path), E_FILE);
	en->size = (uint64_t)st.st_size;
	en->exec = (st.st_mode & 0111) != 0;
	memcpy(en->hex, hex + 7, 65);
	seal_from(en, &st);
	return 0;
}

/* Walk the open directory DFD (closed here). */
static int
walk_dir(struct walk *w, int dfd, const char *prefix, unsigned depth)
{
	struct dirent *de;
	char *path;
	DIR *dir = fdopendir(dfd);
	int ret = 0;

	if (dir == NULL) {
		close(dfd);
		return walk_bad(w, "unreadable directory", prefix);
	}
	while (ret == 0 && (de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		path = *prefix ? xasprintf("%s/%s", prefix, de->d_name)
		               : xstrdup(de->d_name);
		ret = walk_one(w, dfd, de->d_name, path, depth);
		free(path);
	}
	closedir(dir);
	return ret;
}

/* An index as read back. */
struct index {
	char *buf;                       /* the file; paths point into it */
	int version;                     /* 1: no seal, no entries; 2 */
	char listing[MCP_DIGEST_STR_MAX]; /* the digest of the listing */
	unsigned long long entries, bytes;
	struct timespec sealed_at;
	struct mcp_bseal bundle; /* version 2: the bundle's seal, if set */
	struct table t; /* version 2: the entries, sorted (not indexed) */
};

static void
index_release(struct index *ix)
{
	free(ix->buf);
	free(ix->t.v);
	free(ix->t.slot);
	memset(ix, 0, sizeof(*ix));
}

/* 1 unless PATH is "." or relative, with no empty, "." or ".." part. */
static int
bad_path(const char *path)
{
	const char *c = path;
	size_t n;

	if (strcmp(path, ".") == 0)
		return 0;
	for (;;) {
		n = strcspn(c, "/");
		if (n == 0 || (n == 1 && c[0] == '.') ||
		    (n == 2 && c[0] == '.' && c[1] == '.'))
			return 1;
		if (c[n] == '\0')
			return 0;
		c += n + 1;
	}
}

/*
 * One entry line of a version 2 index (LINE is NUL-terminated and written
 * over): MODE SIZE HEX|- DEV INO MTIME CTIME PATH [TARGET], tab-separated,
 * MODE in octal as lstat(2) gives it.  The entry's path and target point
 * into LINE.
 */
static int
parse_entry(struct table *t, char *line)
{
	unsigned long long mode, size, dev, ino;
	struct timespec mt, ct;
	char *s = line, *hex, *path, *target;
	enum etype type;
	struct ent *en;

	if (mcp_parse_num(&s, 8, '\t', &mode) < 0 ||
	    mcp_parse_num(&s, 10, '\t', &size) < 0)
		return -1;
	hex = s;
	if ((s = strchr(s, '\t')) == NULL)
		return -1;
	*s++ = '\0';
	if (mcp_parse_num(&s, 10, '\t', &dev) < 0 ||
	    mcp_parse_num(&s, 10, '\t', &ino) < 0 ||
	    mcp_parse_ts(&s, '\t', &mt) < 0 || mcp_parse_ts(&s, '\t', &ct) < 0)
		return -1;
	path = s;
	target = strchr(s, '\t');
	if (target != NULL)
		*target++ = '\0';
	if (S_ISDIR(mode))
		type = E_DIR;
	else if (S_ISREG(mode))
		type = E_FILE;
	else if (S_ISLNK(mode))
		type = E_LINK;
	else
		return -1;
	if (bad_path(path) || (type == E_LINK) != (target != NULL) ||
	    (type == E_FILE ? strlen(hex) != 64 || hex[strspn(hex,
	                                  "0123456789abcdef")] != '\0'
	                    : strcmp(hex, "-") != 0) ||
	    *path == '\0' || (t->n == 0) != (strcmp(path, ".") == 0) ||
	    (t->n > 0 && strcmp(t->v[t->n - 1].path, path) >= 0))
		return -1;
	/* The root's "." becomes "": the byte after the dot. */
	en = table_push(t, strcmp(path, ".") == 0 ? path + 1 : path, type);
	if (type == E_LINK)
		en->target = target;
	if (type == E_FILE) {
		memcpy(en->hex, hex, 65);
		en->size = size;
		en->exec = (mode & 0111) != 0;
	}
	en->mode = (unsigned long)mode;
	en->st_size = size;
	en->dev = dev;
	en->ino = ino;
	en->mtim = mt;
	en->ctim = ct;
	return 0;
}

/*
 * Read TREES/<hex>.tree into IX (released by the caller).  Returns 1, or
 * 0 if it is missing or malformed (*WHY says which).  The entries are not
 * hashed against the listing digest here: the seal compares them with the
 * tree, and a full check compares the tree with both.
 */
static int
read_index(const char *trees, const char *hex,
           const struct mcp_extract_limits *lim, struct index *ix,
           const char **why)
{
	char *ipath = mcp_tree_index_path(trees, hex), *buf, *line, *nl;
	struct mcp_tree_head h;
	struct stat st;
	size_t len, max;
	ssize_t n;
	int fd, ret = 0;

	*why = "its index is missing";
	fd = open(ipath, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	free(ipath);
	if (fd < 0)
		return 0;
	/* Each entry's line holds at most a path, a target and numbers.
	 * Read in one go, at the size fstat(2) gives. */
	max = (size_t)(lim->max_entries + 2) * (2 * lim->max_path + 256);
	*why = "its index is malformed";
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uint64_t)st.st_size > max) {
		close(fd);
		return 0;
	}
	len = (size_t)st.st_size;
	buf = ix->buf = xmalloc(len + 1);
	n = mcp_read_full(fd, buf, len + 1);
	close(fd);
	if (n < 0 || (size_t)n != len || memchr(buf, '\0', len) != NULL ||
	    buf[len - 1] != '\n')
		goto out;
	buf[len - 1] = '\0';
	nl = strchr(buf, '\n');
	if (nl != NULL)
		*nl = '\0';
	if (mcp_tree_head_parse(buf, &h) < 0 ||
	    (h.version == 1) != (nl == NULL))
		goto out;
	ix->version = h.version;
	memcpy(ix->listing, h.listing, sizeof(h.listing));
	ix->entries = h.entries;
	ix->bytes = h.bytes;
	ix->sealed_at = h.sealed_at;
	if (h.version == 2) {
		line = nl + 1;
		if ((nl = strchr(line, '\n')) == NULL)
			goto out;
		*nl++ = '\0';
		if (mcp_bseal_parse(&ix->bundle, line) < 0)
			goto out;
		for (line = nl; line != NULL; line = nl) {
			nl = strchr(line, '\n');
			if (nl != NULL)
				*nl++ = '\0';
			if (ix->t.n > lim->max_entries ||
			    parse_entry(&ix->t, line) < 0)
				goto out;
		}
		if (ix->t.n != ix->entries)
			goto out;
	}
	if (!mcp_digest_valid_sha256(ix->listing))
		goto out;
	ret = 1;
out:
	return ret;
}

/*
 * Written to a temporary name and renamed: a reader never sees half an
 * index.  V (N entries, sorted, sealed) and their listing digest; SEALED_AT
 * was read before the first lstat(2) of the seal.
 */
static int
write_index(const char *trees, const char *hex, const struct ent *v, size_t n,
            const char *listing, uint64_t bytes,
            const struct timespec *sealed_at, const struct mcp_bseal *b,
            struct mcp_err *e)
{
	char *tmp = xasprintf("%s/.tmp-index-XXXXXX", trees);
	char *final = mcp_tree_index_path(trees, hex);
	FILE *f = NULL;
	size_t i;
	int fd, ret = -1;

	fd = mkstemp(tmp);
	if (fd < 0) {
		mcp_err_sys(e, MCP_ERR_RUNTIME, "%s", tmp);
		goto out;
	}
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		goto fail;
	}
	fprintf(f, MCP_TREE_INDEX2_MAGIC " %s %zu %" PRIu64 " %lld.%09ld\n", listing, n,
	        bytes, (long long)sealed_at->tv_sec, sealed_at->tv_nsec);
	if (b->set)
		fprintf(f,
		        "bundle\t%llu\t%llu\t%llu\t%lld.%09ld\t%lld.%09ld\t"
		        "%lld.%09ld\n",
		        b->dev, b->ino, b->size, (long long)b->mtim.tv_sec,
		        b->mtim.tv_nsec, (long long)b->ctim.tv_sec,
		        b->ctim.tv_nsec, (long long)b->sealed_at.tv_sec,
		        b->sealed_at.tv_nsec);
	else
		fputs("bundle\t-\n", f);
	for (i = 0; i < n; i++) {
		fprintf(f, "%lo\t%llu\t%s\t%llu\t%llu\t%lld.%09ld\t%lld.%09ld\t%s",
		        v[i].mode, v[i].st_size,
		        v[i].type == E_FILE ? v[i].hex : "-", v[i].dev,
		        v[i].ino, (long long)v[i].mtim.tv_sec, v[i].mtim.tv_nsec,
		        (long long)v[i].ctim.tv_sec, v[i].ctim.tv_nsec,
		        ent_name(&v[i]));
		if (v[i].type == E_LINK)
			fprintf(f, "\t%s", v[i].target);
		fputc('\n', f);
	}
	if (fflush(f) != 0 || ferror(f) || fchmod(fileno(f), 0444) < 0)
		goto fail;
	ret = fclose(f);
	f = NULL;
	if (ret != 0)
		goto fail;
	ret = -1;
	if (rename(tmp, final) < 0) {
		mcp_err_sys(e, MCP_ERR_RUNTIME, "%s", final);
		unlink(tmp);
		goto out;
	}
	ret = 0;
	goto out;
fail:
	mcp_err_sys(e, MCP_ERR_RUNTIME, "%s", tmp);
	if (f != NULL)
		fclose(f);
	unlink(tmp);
out:
	free(tmp);
	free(final);
	return ret;
}

/*
 * 1 if TREE is intact according to its index, 0 if it is missing or
 * damaged (WHY says how), -1 on an error.  The seal is tried first
 * (unless LIM->rehash); when it does not hold, every file is hashed, and
 * a tree found intact is sealed again (best effort: a cache that cannot
 * be written is still used, and checked in full the next time).
 */
static int
tree_intact(const char *tree, const char *trees, const char *hex,
            const struct mcp_extract_limits *lim, int bfd,
            const struct timespec *hashed_at, struct mcp_extract_result *r,
            char *why, size_t whyn, struct mcp_err *e)
{
	struct mcp_bseal b;
	struct stat bst;
	int resealed = 0;
	char got[MCP_DIGEST_STR_MAX];
	const char *iwhy;
	struct index ix;
	struct walk w;
	struct stat st;
	struct timespec now;
	struct mcp_err ignored;
	int fd, ret = 0;

	memset(&w, 0, sizeof(w));
	memset(&ix, 0, sizeof(ix));
	w.lim = lim;
	why[0] = '\0';
	if (read_index(trees, hex, lim, &ix, &iwhy) == 0) {
		snprintf(why, whyn, "%s", iwhy);
		goto out;
	}

	fd = open(tree, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || (st.st_mode & 07777) != 0555) {
		if (fd >= 0)
			close(fd);
		snprintf(why, whyn, "its root changed");
		goto out;
	}
	if (ix.version == 1)
		snprintf(why, whyn, "its index has no seal");
	/* The caller hashed the bundle: seal it, unless its seal held. */
	b = ix.bundle;
	if (hashed_at != NULL && fstat(bfd, &bst) == 0 &&
	    !mcp_bseal_holds(&b, &bst)) {
		mcp_bseal_from(&b, &bst, hashed_at);
		resealed = 1;
	}
	if (ix.version == 2 && !lim->rehash &&
	    seal_holds(fd, &ix.t, &ix.sealed_at, why, whyn)) {
		close(fd);
		r->sealed = 1;
		mcp_err_init(&ignored);
		if (resealed)
			(void)write_index(trees, hex, ix.t.v, ix.t.n,
			                  ix.listing, ix.bytes, &ix.sealed_at,
			                  &b, &ignored);
		ret = 1;
		goto done;
	}
	mcp_seal_clock(&now);
	table_add(&w.t, xstrdup(""), E_DIR);
	seal_from(&w.t.v[0], &st);
	if (walk_dir(&w, fd, "", 0) < 0) {
		snprintf(why, whyn, "%s: %s", w.bad_path, w.bad);
		goto out;
	}
	if (listing_digest(w.t.v, w.t.n, got, e) < 0) {
		ret = -1;
		goto out;
	}
	if (ix.version == 2 &&
	    !same_entries(&ix.t, &w.t, why, whyn))
		goto out;
	if (strcmp(got, ix.listing) != 0 || w.t.n != ix.entries) {
		snprintf(why, whyn, "its contents changed");
		goto out;
	}
	mcp_err_init(&ignored);
	(void)write_index(trees, hex, w.t.v, w.t.n, got, ix.bytes, &now, &b,
	                  &ignored);
	ret = 1;
done:
	r->entries = ix.entries;
	r->bytes = ix.bytes;
out:
	index_release(&ix);
	table_free(&w.t);
	free(w.bad_path);
	return ret;
}

/* Read the whole archive into the open temporary tree X->root. */
static int
unpack(struct x *x)
{
	struct archive *a;
	struct archive_entry *ae;
	unsigned char magic[2];
	ssize_t n;
	int r, first = 1, ret = -1;

	if (mcp_archive_load(x->e) < 0)
		return -1;
	if ((a = archive_read_new()) == NULL)
		mcp_oom();
	/* Check the gzip magic first so that a plain tar or anything else
	 * gets a clear message. */
	if (pread(x->fd, magic, 2, 0) != 2 || magic[0] != 0x1f ||
	    magic[1] != 0x8b) {
		mcp_err_set(x->e, MCP_ERR_VERIFY,
		            LABEL ": not a gzip-compressed tar archive");
		goto out;
	}
	if (lseek(x->fd, 0, SEEK_SET) < 0) {
		mcp_err_sys(x->e, MCP_ERR_RUNTIME, LABEL ": lseek");
		goto out;
	}
	/*
	 * Only gzip and tar, never archive_read_support_*_all(): the "all"
	 * filters include lrzip, lzop and grzip, which libarchive runs as
	 * external programs, and a dozen formats whose parsers are more
	 * attack surface than a bundle needs.  format_tar reads ustar, pax
	 * and GNU tar.
	 */
	if (archive_read_support_filter_gzip(a) != ARCHIVE_OK ||
	    archive_read_support_format_tar(a) != ARCHIVE_OK) {
		mcp_err_set(x->e, MCP_ERR_RUNTIME, LABEL ": libarchive: %s",
		            archive_error_string(a));
		goto out;
	}
	if (archive_read_open(a, x, NULL, read_cb, NULL) != ARCHIVE_OK)
		goto arc_err;
	for (;;) {
		r = archive_read_next_header(a, &ae);
		if (r == ARCHIVE_EOF)
			break;
		/* A warning (a bad checksum, a malformed pax record) is a
		 * refusal too: the archive must mean exactly one thing. */
		if (r != ARCHIVE_OK)
			goto arc_err;
		if (first) {
			first = 0;
			/* One gzip layer over tar: nested compression
			 * multiplies a bomb's ratio. */
			if (archive_filter_count(a) != 2 ||
			    archive_filter_code(a, 0) != ARCHIVE_FILTER_GZIP) {
				mcp_err_set(x->e, MCP_ERR_VERIFY,
				            LABEL
				            ": not a gzip-compressed tar "
				            "archive (nested compression)");
				goto out;
			}
		}
		if (entry(x, a, ae) < 0)
			goto out;
	}
	if (first) {
		mcp_err_set(x->e, MCP_ERR_VERIFY, LABEL ": empty archive");
		goto out;
	}
	/* Hash what libarchive left unread, then compare: the bytes we
	 * unpacked are the bytes whose digest was checked. */
	while ((n = read(x->fd, x->inbuf, BUFSZ)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			mcp_err_sys(x->e, MCP_ERR_RUNTIME, LABEL ": read");
			goto out;
		}
		mcp_digest_update(&x->stream, x->inbuf, (size_t)n);
	}
	if (mcp_digest_final(&x->stream, x->stream_hex, x->e) < 0)
		goto out;
	ret = 0;
	goto out;
arc_err:
	mcp_err_set(x->e, MCP_ERR_VERIFY, LABEL ": %s",
	            archive_error_string(a) ? archive_error_string(a)
	                                    : "malformed archive");
out:
	archive_read_free(a);
	return ret;
}

/* Extract into a new temporary directory and rename it to FINAL. */
static int
extract_new(int fd, const char *trees, const char *digest, const char *final,
            const struct mcp_extract_limits *lim, struct mcp_extract_result *r,
            struct mcp_err *e)
{
	const char *hex = digest + 7;
	char *tmp = xasprintf("%s/.tmp-XXXXXX", trees);
	char listing[MCP_DIGEST_STR_MAX];
	struct timespec sealed_at, hashed_at;
	struct mcp_bseal b;
	struct stat bst;
	struct x x;
	int ret = -1, tfd = -1, have_tmp = 0;

	memset(&x, 0, sizeof(x));
	x.lim = lim;
	x.e = e;
	x.fd = fd;
	x.root = -1;
	x.inbuf = xmalloc(BUFSZ);

	if (mkdtemp(tmp) == NULL) {
		mcp_err_sys(e, MCP_ERR_RUNTIME, "%s", tmp);
		goto out;
	}
	have_tmp = 1;
	x.root = open(tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (x.root < 0) {
		mcp_err_sys(e, MCP_ERR_RUNTIME, "%s", tmp);
		goto out;
	}
	if (mcp_digest_init(&x.stream, MCP_DIGEST_SHA256, e) < 0)
		goto out;
	table_add(&x.t, xstrdup(""), E_DIR);
	/* The stream hash below is the bundle's: seal it. */
	mcp_seal_clock(&hashed_at);
	if (fstat(fd, &bst) < 0) {
		mcp_err_sys(e, MCP_ERR_RUNTIME, LABEL ": fstat");
		goto out;
	}
	mcp_bseal_from(&b, &bst, &hashed_at);
	if (unpack(&x) < 0)
		goto out;
	if (strcmp(x.stream_hex, digest) != 0) {
		mcp_err_set(e, MCP_ERR_VERIFY,
		            LABEL ": changed while it was being extracted "
		                  "(read %.80s, verified %s)",
		            x.stream_hex, digest);
		goto out;
	}
	if (make_symlinks(&x) < 0 || seal_dirs(&x) < 0)
		goto out;
	/* The root's seal breaks when it is renamed into place: the first
	 * reuse checks every file and seals the tree again. */
	mcp_seal_clock(&sealed_at);
	if (stat_entries(&x) < 0 ||
	    listing_digest(x.t.v, x.t.n, listing, e) < 0 ||
	    write_index(trees, hex, x.t.v, x.t.n, listing, x.bytes,
	                &sealed_at, &b, e) < 0)
		goto out;
	if (rename(tmp, final) < 0) {
		if (errno == EEXIST || errno == ENOTEMPTY) {
			/* Another mcp-verify won the race: use its tree if
			 * it is intact (the caller re-checks). */
			ret = 1;
			goto out;
		}
		mcp_err_sys(e, MCP_ERR_RUNTIME, "rename to %s", final);
		goto out;
	}
	have_tmp = 0;
	r->entries = x.t.n;
	r->bytes = x.bytes;
	ret = 0;
out:
	r->walk_fallback = openat2_missing;
	if (x.root >= 0)
		close(x.root);
	if (have_tmp) {
		tfd = open(trees, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (tfd >= 0) {
			rm_at(tfd, strrchr(tmp, '/') + 1, 0);
			close(tfd);
		}
	}
	mcp_digest_release(&x.stream);
	table_free(&x.t);
	free(x.inbuf);
	free(tmp);
	return ret;
}

/* Remove a damaged tree and its index, before extracting again. */
static int
remove_tree(const char *trees, const char *hex, struct mcp_err *e)
{
	char *ipath = mcp_tree_index_path(trees, hex);
	int tfd = open(trees, O_RDONLY | O_DIRECTORY | O_CLOEXEC), ret = 0;

	if (tfd < 0 || rm_at(tfd, hex, 0) < 0)
		ret =
		    mcp_err_sys(e, MCP_ERR_RUNTIME,
		                "removing the damaged tree %s/%s", trees, hex);
	if (tfd >= 0)
		close(tfd);
	if (ret == 0 && unlink(ipath) < 0 && errno != ENOENT)
		ret = mcp_err_sys(e, MCP_ERR_RUNTIME, "%s", ipath);
	free(ipath);
	return ret;
}

/*
 * Remove what an mcp-verify killed during an extraction left behind
 * (.tmp-* older than STALE_SECONDS: a live extraction touches its
 * directory all the time and never lasts that long).  Best effort: a
 * failure here must not stop this extraction.
 */
#define STALE_SECONDS (24 * 3600)

static void
remove_stale(const char *trees)
{
	struct dirent *d;
	struct stat st;
	time_t now = time(NULL);
	DIR *dir;
	int dfd;

	dfd = open(trees, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return;
	dir = fdopendir(dfd);
	if (dir == NULL) {
		close(dfd);
		return;
	}
	while ((d = readdir(dir)) != NULL) {
		if (strncmp(d->d_name, ".tmp-", 5) != 0 ||
		    fstatat(dfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    now - st.st_mtime < STALE_SECONDS)
			continue;
		(void)rm_at(dfd, d->d_name, 0);
	}
	closedir(dir);
}

int
mcp_extract_bundle(int fd, const struct timespec *hashed_at,
                   const char *trees, const char *digest,
                   const struct mcp_extract_limits *lim,
                   struct mcp_extract_result *r, struct mcp_err *e)
{
	const char *hex;
	char why[sizeof(r->why)];
	struct stat st;
	char *final;
	int attempt, k;

	memset(r, 0, sizeof(*r));
	if (!mcp_digest_valid_sha256(digest))
		return mcp_err_set(e, MCP_ERR_RUNTIME, "bad bundle digest");
	hex = digest + 7;
	final = xasprintf("%s/%s", trees, hex);
	remove_stale(trees);
	/* Two rounds at most: reuse or extract, then (if another process
	 * renamed its tree first) check and reuse that one. */
	for (attempt = 0; attempt < 3; attempt++) {
		if (lstat(final, &st) == 0) {
			k = tree_intact(final, trees, hex, lim, fd, hashed_at,
			                r, why, sizeof(why), e);
			if (k < 0)
				goto fail;
			if (k == 1) {
				if (!r->damaged)
					memcpy(r->why, why, sizeof(why));
				r->reused = 1;
				r->tree = final;
				return 0;
			}
			if (attempt > 0) {
				mcp_err_set(e, MCP_ERR_RUNTIME,
				            "%s: tree is damaged (%s) after a "
				            "concurrent extraction",
				            final, why);
				goto fail;
			}
			r->damaged = 1;
			memcpy(r->why, why, sizeof(why));
			if (remove_tree(trees, hex, e) < 0)
				goto fail;
		} else if (errno != ENOENT) {
			mcp_err_sys(e, MCP_ERR_RUNTIME, "%s", final);
			goto fail;
		}
		k = extract_new(fd, trees, digest, final, lim, r, e);
		if (k < 0)
			goto fail;
		if (k == 0) {
			r->tree = final;
			return 0;
		}
	}
	mcp_err_set(e, MCP_ERR_RUNTIME, "%s: could not settle the tree", final);
fail:
	free(final);
	return -1;
}
